// Fuzz target: X-Wing decapsulation through its HPKE KEM table (kem_x_wing, id 0x647a), with a
// fixed key pair. Byte 0 picks the mode (even: structured, odd: raw):
//  - structured: bytes 1..64 are Encap's eseed, the rest is XORed over enc. Invariant: an
//    unchanged enc decapsulates to Encap's secret; a changed one is refused as malformed (an
//    X25519 part of small order) or yields a different secret.
//  - raw: the rest is enc. Invariant: decapsulation succeeds iff enc has exactly 1120 bytes
//    and its X25519 part is not of small order, and is deterministic.
#include "fuzz.hpp"

#include <ppx/hpke/kem_pq.hpp>

#include <array>
#include <vector>

using namespace ppx;
using namespace ppx::hpke;

namespace {

struct fixed_key {
    std::vector<std::uint8_t> sk = std::vector<std::uint8_t>(kem_x_wing::n_sk);
    std::vector<std::uint8_t> pk = std::vector<std::uint8_t>(kem_x_wing::n_pk);
    fixed_key() {
        const std::uint8_t ikm[32] = {0x58, 0x57};
        PPX_FUZZ_CHECK(kem_x_wing::derive_key_pair(ikm, sk, pk));
    }
    static const fixed_key& get() {
        static const fixed_key k;
        return k;
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const auto& k = fixed_key::get();
    const auto in = ppx::fuzz::input(data, size).subspan(1);
    std::array<std::uint8_t, 32> ss{}, ss2{};
    if (data[0] % 2 == 1) {
        auto r = kem_x_wing::decap(in, k.sk, k.pk, ss);
        if (in.size() != kem_x_wing::n_enc) {
            PPX_FUZZ_CHECK(!r && r.error() == errc::malformed);
            return 0;
        }
        auto r2 = kem_x_wing::decap(in, k.sk, k.pk, ss2);
        PPX_FUZZ_CHECK(static_cast<bool>(r) == static_cast<bool>(r2));
        if (r) PPX_FUZZ_CHECK(ss == ss2);
        else PPX_FUZZ_CHECK(r.error() == errc::malformed);
        return 0;
    }
    if (in.size() < 64) return 0;
    fixed_rng eseed(in.first(64));
    std::vector<std::uint8_t> enc(kem_x_wing::n_enc);
    std::array<std::uint8_t, 32> key{};
    PPX_FUZZ_CHECK(kem_x_wing::encap(k.pk, eseed, key, enc));
    bool changed = false;
    const auto mask = in.subspan(64);
    for (std::size_t i = 0; i < mask.size() && i < enc.size(); ++i) {
        enc[i] ^= mask[i];
        changed |= mask[i] != 0;
    }
    auto r = kem_x_wing::decap(enc, k.sk, k.pk, ss);
    if (!changed) {
        PPX_FUZZ_CHECK(r && ss == key);
    } else {
        PPX_FUZZ_CHECK(r ? ss != key : r.error() == errc::malformed);
    }
    return 0;
}
