// Fuzz target: ML-KEM decapsulation (FIPS 203 §7.3), all three parameter sets, with a fixed
// key pair. Byte 0 picks the parameter set (b % 3) and the mode (b / 3 % 2):
//  - structured: bytes 1..32 are Encaps' m, the rest is XORed over the ciphertext. Invariant:
//    decapsulation returns Encaps' K when the mask changes nothing, and otherwise exactly the
//    implicit-rejection secret J(z || c') (FIPS 203 Algorithm 18 lines 9-13).
//  - raw: the rest is the ciphertext. Invariant: decapsulation succeeds iff it has the exact
//    length, and the byte-level and key-object paths agree, as do the portable and the
//    default (AVX2) arithmetic backends.
#include "fuzz.hpp"

#include <ppx/mlkem.hpp>

#include <array>
#include <cstring>
#include <vector>

using namespace ppx;
using namespace ppx::mlkem;

namespace {

template <parameter_set P>
struct fixed_key {
    std::vector<std::uint8_t> ek = std::vector<std::uint8_t>(P::encapsulation_key_size);
    std::vector<std::uint8_t> dk = std::vector<std::uint8_t>(P::decapsulation_key_size);
    decapsulation_key<P> key;
    fixed_key() : key(make()) {}
    decapsulation_key<P> make() {
        std::array<std::uint8_t, 64> seed{};
        for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<std::uint8_t>(0xa0 + i);
        PPX_FUZZ_CHECK(keygen<P>(seed, ek, dk));
        return decapsulation_key<P>::from_seed(seed);
    }
    static const fixed_key& get() {
        static const fixed_key k;
        return k;
    }
};

template <parameter_set P>
void run(bool structured, std::span<const std::uint8_t> in) {
    const auto& k = fixed_key<P>::get();
    std::array<std::uint8_t, 32> ss{}, ss2{};
    if (!structured) {
        auto r = decaps<P>(k.dk, in, ss);
        PPX_FUZZ_CHECK(static_cast<bool>(r) == (in.size() == P::ciphertext_size));
        auto r2 = k.key.decaps(in, ss2);
        PPX_FUZZ_CHECK(static_cast<bool>(r2) == static_cast<bool>(r));
        if (r) PPX_FUZZ_CHECK(ss == ss2);
        // The portable backend agrees with the default (AVX2 when available) one.
        std::array<std::uint8_t, 32> ss3{};
        mlkem::detail::force_portable = true;
        auto r3 = decaps<P>(k.dk, in, ss3);
        mlkem::detail::force_portable = false;
        PPX_FUZZ_CHECK(static_cast<bool>(r3) == static_cast<bool>(r));
        if (r) PPX_FUZZ_CHECK(ss == ss3);
        return;
    }
    if (in.size() < 32) return;
    std::array<std::uint8_t, 32> key{};
    std::vector<std::uint8_t> ct(P::ciphertext_size);
    PPX_FUZZ_CHECK(encaps<P>(k.ek, std::span<const std::uint8_t, 32>(in.data(), 32), ct, key));
    bool changed = false;
    const auto mask = in.subspan(32);
    for (std::size_t i = 0; i < mask.size() && i < ct.size(); ++i) {
        ct[i] ^= mask[i];
        changed |= mask[i] != 0;
    }
    PPX_FUZZ_CHECK(decaps<P>(k.dk, ct, ss));
    PPX_FUZZ_CHECK(k.key.decaps(ct, ss2));
    PPX_FUZZ_CHECK(ss == ss2);
    if (!changed) {
        PPX_FUZZ_CHECK(ss == key);
    } else {
        std::array<std::uint8_t, 32> j{};
        keccak::shake256_of(j, bytes_view(k.dk).last(32), bytes_view(ct));
        PPX_FUZZ_CHECK(ss == j);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const auto in = ppx::fuzz::input(data, size).subspan(1);
    const bool structured = (data[0] / 3) % 2 == 0;
    switch (data[0] % 3) {
    case 0: run<ml_kem_512>(structured, in); break;
    case 1: run<ml_kem_768>(structured, in); break;
    default: run<ml_kem_1024>(structured, in); break;
    }
    return 0;
}
