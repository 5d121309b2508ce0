// Fuzz target: ML-KEM key parsing (FIPS 203 §7.2 and §7.3 input checks). Byte 0 picks the
// parameter set (b % 3) and whether the rest is an encapsulation or decapsulation key (b / 3 % 2).
// Invariants, against an independent reading of the standard in this file:
//  - ek: accepted iff it has the exact length and every 12-bit coefficient is below q; the
//    byte-level check and the key object agree; an accepted key re-serialises unchanged and
//    encapsulates.
//  - dk: the §7.3 check passes iff the length is exact and SHA3-256 of the embedded ek equals
//    the stored H(ek); the key object additionally requires the embedded ek to pass §7.2, and
//    hands out exactly that ek.
#include "fuzz.hpp"

#include <ppx/mlkem.hpp>

#include <array>
#include <vector>

using namespace ppx;
using namespace ppx::mlkem;

namespace {

/// §7.2 modulus check written directly from ByteDecode_12 (FIPS 203 Algorithm 6).
bool coefficients_below_q(std::span<const std::uint8_t> t) {
    for (std::size_t i = 0; i + 3 <= t.size(); i += 3) {
        const unsigned a = t[i] | ((t[i + 1] & 0x0fu) << 8);
        const unsigned b = (t[i + 1] >> 4) | (static_cast<unsigned>(t[i + 2]) << 4);
        if (a >= 3329 || b >= 3329) return false;
    }
    return true;
}

template <parameter_set P>
void run(bool as_ek, std::span<const std::uint8_t> in) {
    constexpr std::size_t k = P::k;
    if (as_ek) {
        const bool expect = in.size() == P::encapsulation_key_size && coefficients_below_q(in.first(384 * k));
        auto c = check_encapsulation_key<P>(in);
        PPX_FUZZ_CHECK(static_cast<bool>(c) == expect);
        auto parsed = encapsulation_key<P>::parse(in);
        PPX_FUZZ_CHECK(static_cast<bool>(parsed) == expect);
        if (!expect) {
            PPX_FUZZ_CHECK(c.error() == errc::malformed);
            return;
        }
        PPX_FUZZ_CHECK(equal_bytes(parsed->bytes(), in));
        std::vector<std::uint8_t> ct(P::ciphertext_size), ct2(P::ciphertext_size);
        std::array<std::uint8_t, 32> m{}, ss{}, ss2{};
        PPX_FUZZ_CHECK(parsed->encaps(m, ct, ss));
        PPX_FUZZ_CHECK(encaps<P>(in, m, ct2, ss2));
        PPX_FUZZ_CHECK(ct == ct2 && ss == ss2);
        return;
    }
    bool hash_ok = false, embedded_ok = false;
    if (in.size() == P::decapsulation_key_size) {
        std::array<std::uint8_t, 32> h{};
        const auto ek = in.subspan(384 * k, P::encapsulation_key_size);
        keccak::sha3_256_of(h, ek);
        hash_ok = equal_bytes(h, in.subspan(768 * k + 32, 32));
        embedded_ok = coefficients_below_q(ek.first(384 * k));
    }
    auto c = check_decapsulation_key<P>(in);
    PPX_FUZZ_CHECK(static_cast<bool>(c) == hash_ok);
    auto parsed = decapsulation_key<P>::parse(in);
    PPX_FUZZ_CHECK(static_cast<bool>(parsed) == (hash_ok && embedded_ok));
    if (parsed) {
        PPX_FUZZ_CHECK(equal_bytes(parsed->public_key().bytes(), in.subspan(384 * k, P::encapsulation_key_size)));
        PPX_FUZZ_CHECK(equal_bytes(parsed->expose(), in));
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const auto in = ppx::fuzz::input(data, size).subspan(1);
    const bool as_ek = (data[0] / 3) % 2 == 0;
    switch (data[0] % 3) {
    case 0: run<ml_kem_512>(as_ek, in); break;
    case 1: run<ml_kem_768>(as_ek, in); break;
    default: run<ml_kem_1024>(as_ek, in); break;
    }
    return 0;
}
