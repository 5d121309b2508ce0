// ppx/hpke/kem_pq.hpp: post-quantum HPKE KEMs (draft-ietf-hpke-pq): ML-KEM-512 (0x0040),
// ML-KEM-768 (0x0041), ML-KEM-1024 (0x0042) and X-Wing (0x647a, MLKEM768-X25519,
// draft-connolly-cfrg-xwing-kem), as kem_ops tables like the DH KEMs of dhkem.hpp.
//
// Keys:
//  - ML-KEM: the private key is the 64-byte seed d || z (Nsk = 64), the public key the FIPS 203
//    encapsulation key, enc the ciphertext, the shared secret ML-KEM's K (Nsecret = 32).
//  - X-Wing: the private key is a 32-byte seed, expanded with SHAKE256(seed, 96) into the
//    ML-KEM-768 seed (64 bytes) and the X25519 private key (32 bytes); pk = ek_M || pk_X
//    (1216 bytes), enc = ct_M || ct_X (1120 bytes), ss = SHA3-256(ss_M || ss_X || ct_X ||
//    pk_X || "\.//^\") (draft-connolly-cfrg-xwing-kem §5.3, "Combiner").
//  - DeriveKeyPair(ikm) = SHAKE256.LabeledDerive(ikm, "DeriveKeyPair", "", Nsk) with
//    suite_id "KEM" || I2OSP(kem_id, 2) (draft-ietf-hpke-pq §3, and the one-stage
//    LabeledDerive of draft-ietf-hpke-hpke).
//  - Encap draws 32 bytes (ML-KEM's m) or 64 bytes (X-Wing: m, then the X25519 ephemeral key)
//    from the rng, in that order, so a fixed_rng holding a vector's ikmE reproduces it.
//
// These KEMs have no authenticated mode (draft-ietf-hpke-pq §3): supports_auth is false and
// the auth entries refuse with errc::unsupported. Decap never fails on a well-sized ML-KEM
// ciphertext (implicit rejection: a modified enc yields an unrelated secret and the AEAD then
// fails to open). X-Wing refuses an X25519 part of small order (errc::malformed), which the
// X-Wing draft does not require but RFC 9180 §7.1.4 asks of every X25519 use in HPKE; an
// honest peer never produces one.
#pragma once

#include <ppx/detail/sodium.hpp>
#include <ppx/hpke/kem.hpp>
#include <ppx/hpke/seed_kem.hpp>
#include <ppx/mlkem/mlkem.hpp>

#include <memory>

namespace ppx::hpke {

/// ML-KEM-512's KEM id (draft-ietf-hpke-pq §3); ids.hpp does not name it yet.
inline constexpr kem_id kem_id_ml_kem_512 = static_cast<kem_id>(0x0040);

namespace pq_detail {

inline result<void> no_auth_encap(bytes_view, bytes_view, bytes_view, rng&, mutable_bytes, mutable_bytes) noexcept {
    return fail(errc::unsupported, "hpke: post-quantum KEMs have no authenticated mode");
}
inline result<void> no_auth_decap(bytes_view, bytes_view, bytes_view, bytes_view, mutable_bytes) noexcept {
    return fail(errc::unsupported, "hpke: post-quantum KEMs have no authenticated mode");
}
inline void no_normalize(mutable_bytes) noexcept {}
/// ikmE of a PQ vector is the raw Encap randomness (32 bytes for ML-KEM, 64 for X-Wing).
inline result<secure_bytes> raw_randomness(bytes_view ikm_e) { return to_secure(ikm_e); }

} // namespace pq_detail

/// ML-KEM (FIPS 203) as an HPKE KEM (draft-ietf-hpke-pq §3). Buffers passed through kem_ops
/// must have exactly the sizes below; anything else is errc::misuse (outputs) or
/// errc::malformed (inputs).
template <mlkem::parameter_set P, kem_id Id>
struct ml_kem_hpke : pq_detail::seed_kem<ml_kem_hpke<P, Id>> {
    using params = P;
    static constexpr kem_id id = Id;
    static constexpr std::size_t n_secret = mlkem::shared_secret_size;  // 32
    static constexpr std::size_t n_enc = P::ciphertext_size;
    static constexpr std::size_t n_pk = P::encapsulation_key_size;
    static constexpr std::size_t n_sk = mlkem::seed_size;  // 64: d || z

    /// pk(sk): KeyGen_internal(d, z) with sk = d || z; writes the encapsulation key.
    static result<void> public_from_private(bytes_view sk, mutable_bytes pk) noexcept {
        if (sk.size() != n_sk) return fail(errc::malformed, "hpke: ML-KEM private key must be 64 bytes");
        if (pk.size() != n_pk) return fail(errc::misuse, "hpke: bad buffer size");
        const auto key = mlkem::decapsulation_key<P>::from_seed(std::span<const std::uint8_t, n_sk>(sk.data(), n_sk));
        std::memcpy(pk.data(), key.public_key().bytes().data(), n_pk);
        return ok();
    }

    // derive_key_pair, generate_key_pair: pq_detail::seed_kem, with the 64-byte seed as the key.

    /// DeserializePublicKey: FIPS 203 §7.2 length and modulus checks (errc::malformed).
    static result<void> check_public_key(bytes_view pk) noexcept { return mlkem::check_encapsulation_key<P>(pk); }

    /// Encap(pkR): ML-KEM.Encaps with m (32 bytes) from `r`; enc is the ciphertext.
    static result<void> encap(bytes_view pk_r, rng& r, mutable_bytes ss, mutable_bytes enc) noexcept {
        if (ss.size() != n_secret || enc.size() != n_enc) return fail(errc::misuse, "hpke: bad buffer size");
        return mlkem::encaps<P>(pk_r, r, enc, std::span<std::uint8_t, n_secret>(ss.data(), n_secret));
    }

    /// Decap(enc, skR): ML-KEM.Decaps with the key expanded from the seed. An enc of the right
    /// length always yields a secret (implicit rejection, FIPS 203 §6.3).
    static result<void> decap(bytes_view enc, bytes_view sk_r, bytes_view /*pk_r*/, mutable_bytes ss) noexcept {
        if (enc.size() != n_enc) return fail(errc::malformed, "hpke: encapsulated key has the wrong length");
        if (sk_r.size() != n_sk) return fail(errc::malformed, "hpke: ML-KEM private key must be 64 bytes");
        if (ss.size() != n_secret) return fail(errc::misuse, "hpke: bad buffer size");
        const auto key = mlkem::decapsulation_key<P>::from_seed(std::span<const std::uint8_t, n_sk>(sk_r.data(), n_sk));
        return key.decaps(enc, std::span<std::uint8_t, n_secret>(ss.data(), n_secret));
    }

    /// A private key expanded once for repeated Decap (the NTT-domain secret vector, the
    /// sampled matrix, H(ek)): wiped on destruction. hpke::private_key keeps one
    /// (kem_ops::prepare_private) so setup_r decapsulates without re-expanding.
    struct prepared {
        mlkem::decapsulation_key<P> key;
    };

    /// Expands sk (64 bytes) into a prepared key; errc::malformed for another length.
    static result<std::shared_ptr<const prepared>> prepare(bytes_view sk) {
        if (sk.size() != n_sk) return fail(errc::malformed, "hpke: ML-KEM private key must be 64 bytes");
        return std::make_shared<const prepared>(
            prepared{mlkem::decapsulation_key<P>::from_seed(std::span<const std::uint8_t, n_sk>(sk.data(), n_sk))});
    }

    /// Decap(enc, skR) with a prepared key: the same result as decap() without re-expanding.
    static result<void> decap_prepared(bytes_view enc, const prepared& sk_r, mutable_bytes ss) noexcept {
        if (enc.size() != n_enc) return fail(errc::malformed, "hpke: encapsulated key has the wrong length");
        if (ss.size() != n_secret) return fail(errc::misuse, "hpke: bad buffer size");
        return sk_r.key.decaps(enc, std::span<std::uint8_t, n_secret>(ss.data(), n_secret));
    }

    static constexpr kem_ops ops = {
        Id, P::name, n_secret, n_enc, n_pk, n_sk, false,
        &ml_kem_hpke::derive_key_pair, &ml_kem_hpke::generate_key_pair, &public_from_private, &pq_detail::no_normalize,
        &check_public_key, &encap, &decap, &pq_detail::no_auth_encap, &pq_detail::no_auth_decap,
        &pq_detail::raw_randomness, &ml_kem_hpke::prepare_erased, &ml_kem_hpke::decap_prepared_erased,
    };
};

using kem_ml_kem_512 = ml_kem_hpke<mlkem::ml_kem_512, kem_id_ml_kem_512>;
using kem_ml_kem_768 = ml_kem_hpke<mlkem::ml_kem_768, kem_id::ml_kem_768>;
using kem_ml_kem_1024 = ml_kem_hpke<mlkem::ml_kem_1024, kem_id::ml_kem_1024>;

/// X-Wing (draft-connolly-cfrg-xwing-kem; HPKE id 0x647a in draft-ietf-hpke-pq): ML-KEM-768
/// and X25519 with a SHA3-256 combiner.
struct kem_x_wing : pq_detail::seed_kem<kem_x_wing> {
    using mlkem_params = mlkem::ml_kem_768;
    static constexpr kem_id id = kem_id::x_wing;
    static constexpr std::size_t n_secret = 32;
    static constexpr std::size_t n_ct_m = mlkem_params::ciphertext_size;        // 1088
    static constexpr std::size_t n_pk_m = mlkem_params::encapsulation_key_size;  // 1184
    static constexpr std::size_t n_enc = n_ct_m + 32;                            // 1120
    static constexpr std::size_t n_pk = n_pk_m + 32;                             // 1216
    static constexpr std::size_t n_sk = 32;
    /// XWingLabel = "\.//^\" (draft-connolly-cfrg-xwing-kem §5.3).
    static constexpr std::uint8_t label[6] = {0x5c, 0x2e, 0x2f, 0x2f, 0x5e, 0x5c};

    /// expandDecapsulationKey (§5.2): SHAKE256(sk, 96) = ML-KEM seed (64) || X25519 key (32).
    /// Writes the expanded key into `expanded` (96 bytes, secret).
    static void expand(bytes_view sk, std::span<std::uint8_t, 96> expanded) noexcept {
        mlkem::keccak::shake256_of(expanded, sk);
    }

    /// pk(sk) (§5.2): ek_M || X25519(sk_X, 9).
    static result<void> public_from_private(bytes_view sk, mutable_bytes pk) noexcept {
        if (sk.size() != n_sk) return fail(errc::malformed, "hpke: X-Wing private key must be 32 bytes");
        if (pk.size() != n_pk) return fail(errc::misuse, "hpke: bad buffer size");
        if (!ppx::detail::sodium_ready()) return fail(errc::internal, "libsodium unavailable");
        std::array<std::uint8_t, 96> x;
        wipe_on_exit wx(x);
        expand(sk, x);
        const auto key = mlkem::decapsulation_key<mlkem_params>::from_seed(std::span<const std::uint8_t, 64>(x.data(), 64));
        std::memcpy(pk.data(), key.public_key().bytes().data(), n_pk_m);
        if (crypto_scalarmult_base(pk.data() + n_pk_m, x.data() + 64) != 0) return fail(errc::internal, "hpke: X25519 failed");
        return ok();
    }

    // derive_key_pair, generate_key_pair (§5.2): pq_detail::seed_kem, with the 32-byte seed as the key.

    /// DeserializePublicKey: 1216 bytes, the ML-KEM part passing FIPS 203 §7.2 (errc::malformed).
    /// Any 32 bytes are an X25519 key; small-order ones are refused when used.
    static result<void> check_public_key(bytes_view pk) noexcept {
        if (pk.size() != n_pk) return fail(errc::malformed, "hpke: X-Wing public key has the wrong length");
        return mlkem::check_encapsulation_key<mlkem_params>(pk.first(n_pk_m));
    }

    /// Encapsulate (§5.3) with eseed = 64 bytes from `r`: m = eseed[0:32], ek_X = eseed[32:64].
    static result<void> encap(bytes_view pk_r, rng& r, mutable_bytes ss, mutable_bytes enc) noexcept {
        if (ss.size() != n_secret || enc.size() != n_enc) return fail(errc::misuse, "hpke: bad buffer size");
        if (pk_r.size() != n_pk) return fail(errc::malformed, "hpke: X-Wing public key has the wrong length");
        if (!ppx::detail::sodium_ready()) return fail(errc::internal, "libsodium unavailable");
        struct work {
            std::uint8_t eseed[64];
            std::uint8_t ss_m[32];
            std::uint8_t ss_x[32];
        } w;
        wipe_on_exit ww(w);
        PPX_TRY(r.fill(w.eseed));
        const bytes_view pk_x = pk_r.subspan(n_pk_m, 32);
        PPX_TRY(mlkem::encaps<mlkem_params>(pk_r.first(n_pk_m), std::span<const std::uint8_t, 32>(w.eseed, 32),
                                            enc.first(n_ct_m), std::span<std::uint8_t, 32>(w.ss_m, 32)));
        std::uint8_t* ct_x = enc.data() + n_ct_m;
        if (crypto_scalarmult_base(ct_x, w.eseed + 32) != 0) return fail(errc::internal, "hpke: X25519 failed");
        // RFC 9180 §7.1.4: an all-zero X25519 output (small-order pk_X) is refused.
        if (crypto_scalarmult(w.ss_x, w.eseed + 32, pk_x.data()) != 0) {
            wipe(enc);
            return fail(errc::malformed, "hpke: X-Wing X25519 public key of small order");
        }
        combine(ss, w.ss_m, w.ss_x, bytes_view(ct_x, 32), pk_x);
        return ok();
    }

    /// Decapsulate (§5.4). pk_r must be sk_r's public key (hpke::private_key guarantees it);
    /// its X25519 half enters the combiner.
    static result<void> decap(bytes_view enc, bytes_view sk_r, bytes_view pk_r, mutable_bytes ss) noexcept {
        if (enc.size() != n_enc) return fail(errc::malformed, "hpke: encapsulated key has the wrong length");
        if (sk_r.size() != n_sk) return fail(errc::malformed, "hpke: X-Wing private key must be 32 bytes");
        if (pk_r.size() != n_pk || ss.size() != n_secret) return fail(errc::misuse, "hpke: bad buffer size");
        if (!ppx::detail::sodium_ready()) return fail(errc::internal, "libsodium unavailable");
        struct work {
            std::uint8_t x[96];
            std::uint8_t ss_m[32];
            std::uint8_t ss_x[32];
        } w;
        wipe_on_exit ww(w);
        expand(sk_r, w.x);
        const bytes_view ct_x = enc.subspan(n_ct_m, 32);
        if (crypto_scalarmult(w.ss_x, w.x + 64, ct_x.data()) != 0)
            return fail(errc::malformed, "hpke: X-Wing X25519 ciphertext of small order");
        const auto key = mlkem::decapsulation_key<mlkem_params>::from_seed(std::span<const std::uint8_t, 64>(w.x, 64));
        PPX_TRY(key.decaps(enc.first(n_ct_m), std::span<std::uint8_t, 32>(w.ss_m, 32)));
        combine(ss, w.ss_m, w.ss_x, ct_x, pk_r.subspan(n_pk_m, 32));
        return ok();
    }

    /// A private key expanded once for repeated Decap: the ML-KEM-768 key object and the X25519
    /// private key, wiped on destruction. hpke::private_key keeps one (kem_ops::prepare_private).
    struct prepared {
        mlkem::decapsulation_key<mlkem_params> key;
        secret<32> sk_x;
        std::array<std::uint8_t, 32> pk_x;
    };

    /// Expands sk (32 bytes) into a prepared key; errc::malformed for another length.
    static result<std::shared_ptr<const prepared>> prepare(bytes_view sk) {
        if (sk.size() != n_sk) return fail(errc::malformed, "hpke: X-Wing private key must be 32 bytes");
        if (!ppx::detail::sodium_ready()) return fail(errc::internal, "libsodium unavailable");
        std::array<std::uint8_t, 96> x;
        wipe_on_exit wx(x);
        expand(sk, x);
        auto p = std::make_shared<prepared>(prepared{
            mlkem::decapsulation_key<mlkem_params>::from_seed(std::span<const std::uint8_t, 64>(x.data(), 64)),
            secret<32>(std::span<const std::uint8_t, 32>(x.data() + 64, 32)), {}});
        if (crypto_scalarmult_base(p->pk_x.data(), x.data() + 64) != 0) return fail(errc::internal, "hpke: X25519 failed");
        return std::shared_ptr<const prepared>(std::move(p));
    }

    /// Decap(enc, skR) with a prepared key: the same result as decap() without re-expanding.
    static result<void> decap_prepared(bytes_view enc, const prepared& sk_r, mutable_bytes ss) noexcept {
        if (enc.size() != n_enc) return fail(errc::malformed, "hpke: encapsulated key has the wrong length");
        if (ss.size() != n_secret) return fail(errc::misuse, "hpke: bad buffer size");
        if (!ppx::detail::sodium_ready()) return fail(errc::internal, "libsodium unavailable");
        std::uint8_t ss_m[32], ss_x[32];
        wipe_on_exit w1(ss_m);
        wipe_on_exit w2(ss_x);
        const bytes_view ct_x = enc.subspan(n_ct_m, 32);
        if (crypto_scalarmult(ss_x, sk_r.sk_x.expose().data(), ct_x.data()) != 0)
            return fail(errc::malformed, "hpke: X-Wing X25519 ciphertext of small order");
        PPX_TRY(sk_r.key.decaps(enc.first(n_ct_m), std::span<std::uint8_t, 32>(ss_m, 32)));
        combine(ss, ss_m, ss_x, ct_x, sk_r.pk_x);
        return ok();
    }

    static constexpr kem_ops ops = {
        id, "X-Wing", n_secret, n_enc, n_pk, n_sk, false,
        &derive_key_pair, &generate_key_pair, &public_from_private, &pq_detail::no_normalize, &check_public_key,
        &encap, &decap, &pq_detail::no_auth_encap, &pq_detail::no_auth_decap,
        &pq_detail::raw_randomness, &prepare_erased, &decap_prepared_erased,
    };

private:
    /// ss = SHA3-256(ss_M || ss_X || ct_X || pk_X || XWingLabel) (§5.3).
    static void combine(mutable_bytes ss, const std::uint8_t ss_m[32], const std::uint8_t ss_x[32], bytes_view ct_x,
                        bytes_view pk_x) noexcept {
        mlkem::keccak::sha3_256_of(std::span<std::uint8_t, 32>(ss.data(), 32), bytes_view(ss_m, 32), bytes_view(ss_x, 32),
                                   ct_x, pk_x, bytes_view(label));
    }
};

} // namespace ppx::hpke
