// ppx/hpke/kem_hybrid.hpp: the ML-KEM + NIST-curve hybrid KEMs of draft-ietf-hpke-pq:
// MLKEM768-P256 (0x0050) and MLKEM1024-P384 (0x0051), built with the QSF combiner of
// draft-irtf-cfrg-hybrid-kems (instantiated in draft-irtf-cfrg-concrete-hybrid-kems), as
// kem_ops tables like kem_pq.hpp's X-Wing.
//
// Keys and encodings (the vectors in tests/vectors/hpke/test-vectors-pq-boringssl.json decide):
//  - the private key is a 32-byte seed. expandKey(seed): SHAKE256(seed, 64 + Group.Nseed) =
//    seed_PQ (64 bytes, ML-KEM's d || z) || seed_T (Group.Nseed bytes); dk_T =
//    RandomScalar(seed_T): the first Nscalar-byte big-endian chunk in [1, order);
//  - pk = ek_PQ || ek_T (ML-KEM encapsulation key, then the uncompressed SEC1 point dk_T*G);
//  - enc = ct_PQ || ct_T (ML-KEM ciphertext, then the ephemeral uncompressed point);
//  - ss = SHA3-256(ss_PQ || ss_T || ct_T || ek_T || Label), ss_T the x-coordinate of the ECDH
//    point, Label "MLKEM768-P256" or "MLKEM1024-P384";
//  - DeriveKeyPair(ikm): seed = SHAKE256.LabeledDerive(ikm, "DeriveKeyPair", "", 32) with
//    suite_id "KEM" || I2OSP(kem_id, 2) (draft-ietf-hpke-pq §3);
//  - Encap draws 32 bytes (ML-KEM's m) from the rng, then Nscalar-byte chunks until one is a
//    valid scalar (RandomScalar over the stream; an honest draw almost never needs a second
//    chunk), so a fixed_rng holding a vector's ikmE (the raw randomness) reproduces it.
//
// No authenticated mode (errc::unsupported). Public keys are checked when deserialised: the
// ML-KEM part passes FIPS 203 §7.2 (modulus check), the point is on the curve, uncompressed
// and not the identity (errc::malformed). Decap validates ct_T the same way; a modified ML-KEM
// part yields an unrelated secret (implicit rejection) and the AEAD then fails to open.
// Scalars are range-checked in constant time; the ECDH runs on OpenSSL's constant-time ladder.
#pragma once

#include <ppx/hpke/dhkem.hpp>
#include <ppx/hpke/kem_pq.hpp>
#include <ppx/hpke/seed_kem.hpp>

#include <array>
#include <memory>

namespace ppx::hpke {

namespace hybrid_detail {

/// The group order of `Group` as Nscalar big-endian bytes (read once from OpenSSL).
template <class Group>
const std::array<std::uint8_t, Group::n_sk>& order_bytes() noexcept {
    static const std::array<std::uint8_t, Group::n_sk> o = [] {
        std::array<std::uint8_t, Group::n_sk> b{};
        BN_bn2binpad(EC_GROUP_get0_order(Group::group()), b.data(), static_cast<int>(b.size()));
        return b;
    }();
    return o;
}

/// 1 if 0 < k < order (both big-endian, n bytes), else 0; constant time in k.
inline unsigned scalar_in_range(const std::uint8_t* k, const std::uint8_t* order, std::size_t n) noexcept {
    unsigned borrow = 0, any = 0;
    for (std::size_t i = n; i-- > 0;) {
        borrow = (static_cast<unsigned>(k[i]) - order[i] - borrow) >> 31;  // 1 if k[i] - order[i] - borrow < 0
        any |= k[i];
    }
    const unsigned nonzero = (any + 0xffu) >> 8;  // any <= 0xff: 1 iff some byte is non-zero
    return borrow & nonzero;
}

} // namespace hybrid_detail

/// A QSF hybrid of ML-KEM parameter set P and NIST curve Group with IANA id Id.
/// `NSeedT` is Group.Nseed (the bytes of seed_T expandKey produces).
template <mlkem::parameter_set P, class Group, kem_id Id, std::size_t NSeedT, const char* Label>
struct qsf_hybrid_kem : pq_detail::seed_kem<qsf_hybrid_kem<P, Group, Id, NSeedT, Label>> {
    using mlkem_params = P;
    using group = Group;
    static constexpr kem_id id = Id;
    static constexpr std::size_t n_scalar = Group::n_sk;
    static constexpr std::size_t n_elem = Group::n_pk;
    static constexpr std::size_t n_ct_m = P::ciphertext_size;
    static constexpr std::size_t n_pk_m = P::encapsulation_key_size;
    static constexpr std::size_t n_secret = 32;
    static constexpr std::size_t n_enc = n_ct_m + n_elem;
    static constexpr std::size_t n_pk = n_pk_m + n_elem;
    static constexpr std::size_t n_sk = 32;
    static constexpr std::size_t n_seed_t = NSeedT;
    static constexpr std::size_t n_expanded = 64 + NSeedT;
    static_assert(NSeedT % n_scalar == 0);

    /// RandomScalar(seed_T): copies the first chunk that is a valid scalar into dk; false if none.
    /// Every chunk is examined and selected without secret-dependent branches.
    static bool random_scalar(const std::uint8_t* seed_t, std::size_t len, std::uint8_t* dk) noexcept {
        const auto& order = hybrid_detail::order_bytes<Group>();
        unsigned found = 0;
        std::memset(dk, 0, n_scalar);
        for (std::size_t off = 0; off + n_scalar <= len; off += n_scalar) {
            const unsigned ok = hybrid_detail::scalar_in_range(seed_t + off, order.data(), n_scalar);
            const std::uint8_t take = static_cast<std::uint8_t>(0u - (ok & ~found & 1u));
            for (std::size_t i = 0; i < n_scalar; ++i) dk[i] = static_cast<std::uint8_t>(dk[i] | (seed_t[off + i] & take));
            found |= ok;
        }
        return found != 0;
    }

    /// expandKey(seed) without the ML-KEM keygen: seed_PQ (64 bytes) into x[0:64], dk_T into
    /// dk. errc::crypto_failure if seed_T holds no valid scalar (probability < 2^-128).
    static result<void> expand(bytes_view sk, std::span<std::uint8_t, 64> seed_pq, std::span<std::uint8_t, n_scalar> dk_t) noexcept {
        std::array<std::uint8_t, n_expanded> x;
        wipe_on_exit wx(x);
        mlkem::keccak::shake256_of(x, sk);
        std::memcpy(seed_pq.data(), x.data(), 64);
        if (!random_scalar(x.data() + 64, n_seed_t, dk_t.data()))
            return fail(errc::crypto_failure, "hpke: hybrid key seed gives no valid scalar");
        return ok();
    }

    /// pk(sk): ek_PQ || dk_T * G.
    static result<void> public_from_private(bytes_view sk, mutable_bytes pk) noexcept {
        if (sk.size() != n_sk) return fail(errc::malformed, "hpke: hybrid KEM private key must be 32 bytes");
        if (pk.size() != n_pk) return fail(errc::misuse, "hpke: bad buffer size");
        struct work {
            std::uint8_t seed_pq[64];
            std::uint8_t dk_t[n_scalar];
        } w;
        wipe_on_exit ww(w);
        PPX_TRY(expand(sk, w.seed_pq, w.dk_t));
        const auto key = mlkem::decapsulation_key<P>::from_seed(std::span<const std::uint8_t, 64>(w.seed_pq, 64));
        std::memcpy(pk.data(), key.public_key().bytes().data(), n_pk_m);
        return Group::public_from_private(bytes_view(w.dk_t, n_scalar), pk.subspan(n_pk_m, n_elem));
    }

    // derive_key_pair, generate_key_pair: pq_detail::seed_kem, with the 32-byte seed as the key.

    /// DeserializePublicKey: Npk bytes; the ML-KEM part passes FIPS 203 §7.2, the point is an
    /// uncompressed on-curve point other than the identity (errc::malformed otherwise).
    static result<void> check_public_key(bytes_view pk) noexcept {
        if (pk.size() != n_pk) return fail(errc::malformed, "hpke: hybrid KEM public key has the wrong length");
        PPX_TRY(mlkem::check_encapsulation_key<P>(pk.first(n_pk_m)));
        return Group::check_public(pk.subspan(n_pk_m, n_elem));
    }

    /// Encaps (draft-irtf-cfrg-hybrid-kems QSF): m (32 bytes) then scalar chunks from `r`.
    static result<void> encap(bytes_view pk_r, rng& r, mutable_bytes ss, mutable_bytes enc) noexcept {
        if (ss.size() != n_secret || enc.size() != n_enc) return fail(errc::misuse, "hpke: bad buffer size");
        if (pk_r.size() != n_pk) return fail(errc::malformed, "hpke: hybrid KEM public key has the wrong length");
        struct work {
            std::uint8_t m[32];
            std::uint8_t sk_e[n_scalar];
            std::uint8_t ss_m[32];
            std::uint8_t ss_t[n_scalar];
        } w;
        wipe_on_exit ww(w);
        const bytes_view ek_t = pk_r.subspan(n_pk_m, n_elem);
        PPX_TRY(r.fill(w.m));
        // RandomScalar over the rng stream: Nseed / Nscalar chunks at most, as over seed_T.
        bool found = false;
        for (std::size_t i = 0; i < n_seed_t / n_scalar && !found; ++i) {
            PPX_TRY(r.fill(w.sk_e));
            found = hybrid_detail::scalar_in_range(w.sk_e, hybrid_detail::order_bytes<Group>().data(), n_scalar) != 0;
        }
        if (!found) return fail(errc::internal, "hpke: random generator produced no valid scalar");
        PPX_TRY(mlkem::encaps<P>(pk_r.first(n_pk_m), std::span<const std::uint8_t, 32>(w.m, 32), enc.first(n_ct_m),
                                 std::span<std::uint8_t, 32>(w.ss_m, 32)));
        const mutable_bytes ct_t = enc.subspan(n_ct_m, n_elem);
        auto done = [&]() -> result<void> {
            PPX_TRY(Group::public_from_private(bytes_view(w.sk_e, n_scalar), ct_t));
            PPX_TRY(Group::dh(bytes_view(w.sk_e, n_scalar), ek_t, mutable_bytes(w.ss_t, n_scalar)));  // validates ek_T
            return ok();
        }();
        if (!done) {
            wipe(enc);
            return done;
        }
        combine(ss, w.ss_m, w.ss_t, ct_t, ek_t);
        return ok();
    }

    /// Decaps. pk_r must be sk_r's public key (hpke::private_key guarantees it); its ek_T
    /// enters the combiner.
    static result<void> decap(bytes_view enc, bytes_view sk_r, bytes_view pk_r, mutable_bytes ss) noexcept {
        if (enc.size() != n_enc) return fail(errc::malformed, "hpke: encapsulated key has the wrong length");
        if (sk_r.size() != n_sk) return fail(errc::malformed, "hpke: hybrid KEM private key must be 32 bytes");
        if (pk_r.size() != n_pk || ss.size() != n_secret) return fail(errc::misuse, "hpke: bad buffer size");
        struct work {
            std::uint8_t seed_pq[64];
            std::uint8_t dk_t[n_scalar];
            std::uint8_t ss_m[32];
            std::uint8_t ss_t[n_scalar];
        } w;
        wipe_on_exit ww(w);
        PPX_TRY(expand(sk_r, w.seed_pq, w.dk_t));
        const bytes_view ct_t = enc.subspan(n_ct_m, n_elem);
        PPX_TRY(Group::dh(bytes_view(w.dk_t, n_scalar), ct_t, mutable_bytes(w.ss_t, n_scalar)));  // validates ct_T
        const auto key = mlkem::decapsulation_key<P>::from_seed(std::span<const std::uint8_t, 64>(w.seed_pq, 64));
        PPX_TRY(key.decaps(enc.first(n_ct_m), std::span<std::uint8_t, 32>(w.ss_m, 32)));
        combine(ss, w.ss_m, w.ss_t, ct_t, pk_r.subspan(n_pk_m, n_elem));
        return ok();
    }

    /// A private key expanded once for repeated Decap: the ML-KEM key object, dk_T and ek_T.
    /// Wiped on destruction. hpke::private_key keeps one (kem_ops::prepare_private).
    struct prepared {
        mlkem::decapsulation_key<P> key;
        secret<n_scalar> dk_t;
        std::array<std::uint8_t, n_elem> ek_t;
    };

    static result<std::shared_ptr<const prepared>> prepare(bytes_view sk) {
        if (sk.size() != n_sk) return fail(errc::malformed, "hpke: hybrid KEM private key must be 32 bytes");
        struct work {
            std::uint8_t seed_pq[64];
            std::uint8_t dk_t[n_scalar];
        } w;
        wipe_on_exit ww(w);
        PPX_TRY(expand(sk, w.seed_pq, w.dk_t));
        auto p = std::make_shared<prepared>(prepared{
            mlkem::decapsulation_key<P>::from_seed(std::span<const std::uint8_t, 64>(w.seed_pq, 64)),
            secret<n_scalar>(std::span<const std::uint8_t, n_scalar>(w.dk_t, n_scalar)), {}});
        PPX_TRY(Group::public_from_private(bytes_view(w.dk_t, n_scalar), p->ek_t));
        return std::shared_ptr<const prepared>(std::move(p));
    }

    /// Decap with a prepared key: the same result as decap() without re-expanding.
    static result<void> decap_prepared(bytes_view enc, const prepared& sk_r, mutable_bytes ss) noexcept {
        if (enc.size() != n_enc) return fail(errc::malformed, "hpke: encapsulated key has the wrong length");
        if (ss.size() != n_secret) return fail(errc::misuse, "hpke: bad buffer size");
        std::uint8_t ss_m[32], ss_t[n_scalar];
        wipe_on_exit w1(ss_m);
        wipe_on_exit w2(ss_t);
        const bytes_view ct_t = enc.subspan(n_ct_m, n_elem);
        PPX_TRY(Group::dh(bytes_view(sk_r.dk_t.expose().data(), n_scalar), ct_t, mutable_bytes(ss_t, n_scalar)));
        PPX_TRY(sk_r.key.decaps(enc.first(n_ct_m), std::span<std::uint8_t, 32>(ss_m, 32)));
        combine(ss, ss_m, ss_t, ct_t, sk_r.ek_t);
        return ok();
    }

    static constexpr kem_ops ops = {
        id, Label, n_secret, n_enc, n_pk, n_sk, false,
        &qsf_hybrid_kem::derive_key_pair, &qsf_hybrid_kem::generate_key_pair, &public_from_private, &pq_detail::no_normalize,
        &check_public_key, &encap, &decap, &pq_detail::no_auth_encap, &pq_detail::no_auth_decap,
        &pq_detail::raw_randomness, &qsf_hybrid_kem::prepare_erased, &qsf_hybrid_kem::decap_prepared_erased,
    };

private:
    /// ss = SHA3-256(ss_PQ || ss_T || ct_T || ek_T || Label) (QSF combiner).
    static void combine(mutable_bytes ss, const std::uint8_t ss_m[32], const std::uint8_t* ss_t, bytes_view ct_t,
                        bytes_view ek_t) noexcept {
        mlkem::keccak::sha3_256_of(std::span<std::uint8_t, 32>(ss.data(), 32), bytes_view(ss_m, 32), bytes_view(ss_t, n_scalar),
                                   ct_t, ek_t, as_bytes(std::string_view(Label)));
    }
};

namespace hybrid_detail {
inline constexpr char label_mlkem768_p256[] = "MLKEM768-P256";
inline constexpr char label_mlkem1024_p384[] = "MLKEM1024-P384";
} // namespace hybrid_detail

/// MLKEM768-P256 (0x0050): Group.Nseed = 128 (four P-256 scalar candidates).
using kem_mlkem768_p256 =
    qsf_hybrid_kem<mlkem::ml_kem_768, p256_group, kem_id::mlkem768_p256, 128, hybrid_detail::label_mlkem768_p256>;
/// MLKEM1024-P384 (0x0051): Group.Nseed = 48 (one P-384 scalar candidate; a rejection has
/// probability < 2^-190).
using kem_mlkem1024_p384 =
    qsf_hybrid_kem<mlkem::ml_kem_1024, p384_group, kem_id::mlkem1024_p384, 48, hybrid_detail::label_mlkem1024_p384>;

} // namespace ppx::hpke
