// Fuzz target: MLKEM768-P256 (0x0050) and MLKEM1024-P384 (0x0051) decapsulation through their
// HPKE KEM tables (kem_hybrid.hpp), with a fixed key pair per KEM. Byte 0: bit 1 picks the KEM
// (0: P-256, 1: P-384), bit 0 the mode (0: structured, 1: raw):
//  - structured: the next 32 + Group.Nseed bytes are Encap's randomness (m, then scalar
//    candidates), the rest is XORed over enc. Invariants: Encap fails only when no candidate
//    is a valid scalar (errc::internal); an unchanged enc decapsulates to Encap's secret; a
//    changed one is refused as malformed (ct_T not an uncompressed curve point) or yields a
//    different secret; decap and decap_prepared always agree.
//  - raw: the rest is enc. Invariants: decapsulation succeeds iff enc has exactly Nenc bytes
//    and ct_T is a valid point (else errc::malformed), is deterministic, and decap_prepared
//    gives the same answer.
#include "fuzz.hpp"

#include <ppx/hpke/kem_hybrid.hpp>

#include <array>
#include <memory>
#include <vector>

using namespace ppx;
using namespace ppx::hpke;

namespace {

template <class K>
struct fixed_key {
    std::vector<std::uint8_t> sk = std::vector<std::uint8_t>(K::n_sk);
    std::vector<std::uint8_t> pk = std::vector<std::uint8_t>(K::n_pk);
    std::shared_ptr<const typename K::prepared> prepared;
    fixed_key() {
        const std::uint8_t ikm[32] = {0x48, 0x59, static_cast<std::uint8_t>(K::id)};
        PPX_FUZZ_CHECK(K::derive_key_pair(ikm, sk, pk));
        auto p = K::prepare(sk);
        PPX_FUZZ_CHECK(p);
        prepared = *p;
    }
    static const fixed_key& get() {
        static const fixed_key k;
        return k;
    }
};

template <class K>
result<void> decap_both(bytes_view enc, std::array<std::uint8_t, 32>& ss) {
    const auto& k = fixed_key<K>::get();
    std::array<std::uint8_t, 32> ss2{};
    auto r = K::decap(enc, k.sk, k.pk, ss);
    auto r2 = K::decap_prepared(enc, *k.prepared, ss2);
    PPX_FUZZ_CHECK(static_cast<bool>(r) == static_cast<bool>(r2));
    if (r) PPX_FUZZ_CHECK(ss == ss2);
    else PPX_FUZZ_CHECK(r.error() == r2.error());
    return r;
}

template <class K>
void one(bool raw, bytes_view in) {
    const auto& k = fixed_key<K>::get();
    std::array<std::uint8_t, 32> ss{}, again{};
    if (raw) {
        auto r = decap_both<K>(in, ss);
        if (in.size() != K::n_enc) {
            PPX_FUZZ_CHECK(!r && r.error() == errc::malformed);
            return;
        }
        auto r2 = decap_both<K>(in, again);
        PPX_FUZZ_CHECK(static_cast<bool>(r) == static_cast<bool>(r2));
        if (r) PPX_FUZZ_CHECK(ss == again);
        else PPX_FUZZ_CHECK(r.error() == errc::malformed);
        return;
    }
    constexpr std::size_t n_rand = 32 + K::n_seed_t;
    if (in.size() < n_rand) return;
    fixed_rng rnd(in.first(n_rand));
    std::vector<std::uint8_t> enc(K::n_enc);
    std::array<std::uint8_t, 32> key{};
    auto e = K::encap(k.pk, rnd, key, enc);
    if (!e) {
        PPX_FUZZ_CHECK(e.error() == errc::internal);  // every scalar candidate out of range
        return;
    }
    bool changed = false;
    const auto mask = in.subspan(n_rand);
    for (std::size_t i = 0; i < mask.size() && i < enc.size(); ++i) {
        enc[i] ^= mask[i];
        changed |= mask[i] != 0;
    }
    auto r = decap_both<K>(enc, ss);
    if (!changed) {
        PPX_FUZZ_CHECK(r && ss == key);
    } else {
        PPX_FUZZ_CHECK(r ? ss != key : r.error() == errc::malformed);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const auto in = ppx::fuzz::input(data, size).subspan(1);
    const bool raw = data[0] & 1;
    if (data[0] & 2) one<kem_mlkem1024_p384>(raw, in);
    else one<kem_mlkem768_p256>(raw, in);
    return 0;
}
