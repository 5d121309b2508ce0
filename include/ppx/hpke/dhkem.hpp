// ppx/hpke/dhkem.hpp: DHKEM (RFC 9180 §4.1) over X25519, X448, P-256, P-384 and P-521.
//
// A group policy supplies the Diffie-Hellman function and key (de)serialisation; dhkem<>
// turns it into the KEM: ExtractAndExpand, Encap/Decap, AuthEncap/AuthDecap and
// DeriveKeyPair. X25519 runs on libsodium; X448 and the NIST curves on OpenSSL. Every DH
// rejects an all-zero or identity result (§7.1.4), and public keys are validated when
// deserialised (on-curve, uncompressed, canonical length).
#pragma once

#include <ppx/detail/openssl.hpp>
#include <ppx/detail/sodium.hpp>
#include <ppx/hpke/kdf.hpp>
#include <ppx/hpke/kem.hpp>

#include <openssl/core_names.h>
#include <openssl/obj_mac.h>

namespace ppx::hpke {

// ---------------------------------------------------------------- groups

/// X25519 (RFC 7748) on libsodium.
struct x25519_group {
    static constexpr std::size_t n_sk = 32, n_pk = 32, n_dh = 32;
    static constexpr bool rejection_sampled = false;

    static result<void> check_private(bytes_view) noexcept { return ok(); }  // every 32-byte string is a key
    static result<void> check_public(bytes_view) noexcept { return ok(); }   // small-order points fail in dh()
    static result<void> public_from_private(bytes_view sk, mutable_bytes pk) noexcept {
        if (!detail::sodium_ready()) return fail(errc::internal, "libsodium unavailable");
        if (crypto_scalarmult_base(pk.data(), sk.data()) != 0) return fail(errc::malformed, "hpke: invalid X25519 private key");
        return ok();
    }
    /// DH(sk, pk); libsodium refuses small-order points and an all-zero output (§7.1.4).
    static result<void> dh(bytes_view sk, bytes_view pk, mutable_bytes out) noexcept {
        if (!detail::sodium_ready()) return fail(errc::internal, "libsodium unavailable");
        if (crypto_scalarmult(out.data(), sk.data(), pk.data()) != 0) {
            wipe(out);
            return fail(errc::malformed, "hpke: X25519 public key of small order");
        }
        return ok();
    }
    static void normalize(mutable_bytes sk) noexcept {
        sk[0] &= 248;
        sk[31] &= 127;
        sk[31] |= 64;
    }
};

/// X448 (RFC 7748) on OpenSSL.
struct x448_group {
    static constexpr std::size_t n_sk = 56, n_pk = 56, n_dh = 56;
    static constexpr bool rejection_sampled = false;

    static result<void> check_private(bytes_view) noexcept { return ok(); }
    static result<void> check_public(bytes_view) noexcept { return ok(); }
    static result<void> public_from_private(bytes_view sk, mutable_bytes pk) noexcept {
        detail::evp_pkey_ptr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_X448, nullptr, sk.data(), sk.size()));
        std::size_t len = n_pk;
        if (!key || EVP_PKEY_get_raw_public_key(key.get(), pk.data(), &len) != 1 || len != n_pk)
            return detail::openssl_fail(errc::malformed, "hpke: invalid X448 private key");
        return ok();
    }
    /// DH(sk, pk); OpenSSL refuses an all-zero output, which small-order points give (§7.1.4).
    static result<void> dh(bytes_view sk, bytes_view pk, mutable_bytes out) noexcept {
        detail::evp_pkey_ptr priv(EVP_PKEY_new_raw_private_key(EVP_PKEY_X448, nullptr, sk.data(), sk.size()));
        detail::evp_pkey_ptr peer(EVP_PKEY_new_raw_public_key(EVP_PKEY_X448, nullptr, pk.data(), pk.size()));
        if (!priv || !peer) return detail::openssl_fail(errc::malformed, "hpke: invalid X448 key");
        detail::evp_pkey_ctx_ptr ctx(EVP_PKEY_CTX_new(priv.get(), nullptr));
        std::size_t len = n_dh;
        if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 || EVP_PKEY_derive_set_peer(ctx.get(), peer.get()) != 1 ||
            EVP_PKEY_derive(ctx.get(), out.data(), &len) != 1 || len != n_dh) {
            wipe(out);
            return detail::openssl_fail(errc::malformed, "hpke: X448 public key of small order");
        }
        return ok();
    }
    static void normalize(mutable_bytes sk) noexcept {
        sk[0] &= 252;
        sk[55] |= 128;
    }
};

/// A NIST prime curve on OpenSSL's EC_POINT arithmetic. Public keys are uncompressed SEC1
/// points (0x04 || x || y); private keys are Nsk-byte big-endian scalars in [1, order).
template <int Nid, std::size_t Nsk, std::uint8_t Bitmask>
struct nist_group {
    static constexpr std::size_t n_sk = Nsk, n_pk = 1 + 2 * Nsk, n_dh = Nsk;
    static constexpr bool rejection_sampled = true;
    static constexpr std::uint8_t bitmask = Bitmask;

    static const EC_GROUP* group() noexcept {
        static const detail::ec_group_ptr g(EC_GROUP_new_by_curve_name(Nid));
        return g.get();
    }

    /// §7.1.2: a scalar in [1, order); errc::malformed otherwise.
    static result<detail::secret_bn_ptr> scalar(bytes_view sk) noexcept {
        detail::secret_bn_ptr k(BN_secure_new());
        if (!k) k.reset(BN_new());
        if (!k || !BN_bin2bn(sk.data(), static_cast<int>(sk.size()), k.get())) return detail::openssl_fail();
        BN_set_flags(k.get(), BN_FLG_CONSTTIME);
        if (BN_is_zero(k.get()) || BN_cmp(k.get(), EC_GROUP_get0_order(group())) >= 0)
            return fail(errc::malformed, "hpke: private key out of range");
        return k;
    }
    static result<void> check_private(bytes_view sk) noexcept {
        auto k = scalar(sk);
        if (!k) return unexpected(k.error());
        return ok();
    }
    static result<detail::ec_point_ptr> point(bytes_view pk, BN_CTX* ctx) noexcept {
        // §7.1.1: SerializePublicKey is the uncompressed encoding; refuse every other form.
        if (pk.size() != n_pk || pk[0] != 0x04) return fail(errc::malformed, "hpke: public key not an uncompressed point");
        detail::ec_point_ptr p(EC_POINT_new(group()));
        if (!p) return detail::openssl_fail();
        // oct2point checks the point is on the curve (§7.1.4 public key validation).
        if (EC_POINT_oct2point(group(), p.get(), pk.data(), pk.size(), ctx) != 1 || EC_POINT_is_at_infinity(group(), p.get()))
            return detail::openssl_fail(errc::malformed, "hpke: public key not on the curve");
        return p;
    }
    static result<void> check_public(bytes_view pk) noexcept {
        detail::bn_ctx_ptr ctx(BN_CTX_new());
        if (!ctx) return detail::openssl_fail();
        auto p = point(pk, ctx.get());
        if (!p) return unexpected(p.error());
        return ok();
    }
    static result<void> public_from_private(bytes_view sk, mutable_bytes pk) noexcept {
        PPX_TRY_ASSIGN(auto k, scalar(sk));
        detail::bn_ctx_ptr ctx(BN_CTX_secure_new());
        detail::secret_ec_point_ptr p(EC_POINT_new(group()));
        if (!ctx || !p || EC_POINT_mul(group(), p.get(), k.get(), nullptr, nullptr, ctx.get()) != 1 ||
            EC_POINT_point2oct(group(), p.get(), POINT_CONVERSION_UNCOMPRESSED, pk.data(), pk.size(), ctx.get()) != n_pk)
            return detail::openssl_fail();
        return ok();
    }
    /// DH(sk, pk) = x-coordinate of sk*pk, Ndh bytes big-endian; the identity is refused (§7.1.4).
    static result<void> dh(bytes_view sk, bytes_view pk, mutable_bytes out) noexcept {
        detail::bn_ctx_ptr ctx(BN_CTX_secure_new());
        if (!ctx) return detail::openssl_fail();
        PPX_TRY_ASSIGN(auto peer, point(pk, ctx.get()));
        PPX_TRY_ASSIGN(auto k, scalar(sk));
        detail::secret_ec_point_ptr r(EC_POINT_new(group()));
        detail::secret_bn_ptr x(BN_new());
        if (!r || !x || EC_POINT_mul(group(), r.get(), nullptr, peer.get(), k.get(), ctx.get()) != 1)
            return detail::openssl_fail();
        if (EC_POINT_is_at_infinity(group(), r.get())) return fail(errc::malformed, "hpke: DH result is the identity");
        if (EC_POINT_get_affine_coordinates(group(), r.get(), x.get(), nullptr, ctx.get()) != 1 ||
            BN_bn2binpad(x.get(), out.data(), static_cast<int>(n_dh)) != static_cast<int>(n_dh))
            return detail::openssl_fail();
        return ok();
    }
    static void normalize(mutable_bytes) noexcept {}
};

using p256_group = nist_group<NID_X9_62_prime256v1, 32, 0xff>;
using p384_group = nist_group<NID_secp384r1, 48, 0xff>;
using p521_group = nist_group<NID_secp521r1, 66, 0x01>;

// ---------------------------------------------------------------- the KEM

/// DHKEM(Group, HKDF-H) with IANA id `Id` (RFC 9180 §4.1).
template <class Group, class Kdf, kem_id Id>
struct dhkem {
    using group = Group;
    using kdf = Kdf;
    static constexpr kem_id id = Id;
    static constexpr std::size_t n_secret = Kdf::n_h, n_enc = Group::n_pk, n_pk = Group::n_pk, n_sk = Group::n_sk;
    /// suite_id = "KEM" || I2OSP(kem_id, 2) (§4.1).
    static constexpr std::uint8_t suite_id[5] = {'K', 'E', 'M', static_cast<std::uint8_t>(static_cast<std::uint16_t>(Id) >> 8),
                                                 static_cast<std::uint8_t>(static_cast<std::uint16_t>(Id))};

    /// §7.1.3 DeriveKeyPair.
    static result<void> derive_key_pair(bytes_view ikm, mutable_bytes sk, mutable_bytes pk) noexcept {
        std::uint8_t prk[Kdf::n_h];
        wipe_on_exit wp(prk);
        Kdf::labeled_extract(suite_id, {}, "dkp_prk", {ikm}, prk);
        const crypto::hmac_key<typename Kdf::hash> prk_key(prk);
        if constexpr (!Group::rejection_sampled) {
            PPX_TRY(Kdf::labeled_expand(prk_key, suite_id, "sk", {}, sk));
        } else {
            for (unsigned counter = 0;; ++counter) {
                if (counter > 255) return fail(errc::crypto_failure, "hpke: DeriveKeyPair found no scalar");
                const std::uint8_t c = static_cast<std::uint8_t>(counter);
                PPX_TRY(Kdf::labeled_expand(prk_key, suite_id, "candidate", {bytes_view(&c, 1)}, sk));
                sk[0] &= Group::bitmask;
                if (Group::check_private(sk)) break;
            }
        }
        return Group::public_from_private(sk, pk);
    }

    /// GenerateKeyPair: Nsk random bytes are the key (masked and redrawn until in range for
    /// the NIST curves), so a fixed_rng holding a known private key reproduces it exactly.
    static result<void> generate_key_pair(rng& r, mutable_bytes sk, mutable_bytes pk) noexcept {
        for (int attempt = 0; attempt < 256; ++attempt) {
            PPX_TRY(r.fill(sk));
            if constexpr (Group::rejection_sampled) {
                sk[0] &= Group::bitmask;
                if (!Group::check_private(sk)) continue;
            }
            return Group::public_from_private(sk, pk);
        }
        return fail(errc::internal, "hpke: random generator produced no valid key");
    }

    static result<void> encap(bytes_view pk_r, rng& r, mutable_bytes ss, mutable_bytes enc) noexcept {
        return encap_impl(pk_r, {}, {}, r, ss, enc);
    }
    static result<void> auth_encap(bytes_view pk_r, bytes_view sk_s, bytes_view pk_s, rng& r, mutable_bytes ss,
                                   mutable_bytes enc) noexcept {
        return encap_impl(pk_r, sk_s, pk_s, r, ss, enc);
    }
    static result<void> decap(bytes_view enc, bytes_view sk_r, bytes_view pk_r, mutable_bytes ss) noexcept {
        return decap_impl(enc, sk_r, pk_r, {}, ss);
    }
    static result<void> auth_decap(bytes_view enc, bytes_view sk_r, bytes_view pk_r, bytes_view pk_s, mutable_bytes ss) noexcept {
        return decap_impl(enc, sk_r, pk_r, pk_s, ss);
    }

    /// ikmE -> the private key DeriveKeyPair(ikmE) gives, which generate_key_pair draws as is.
    static result<secure_bytes> encap_randomness(bytes_view ikm_e) {
        secure_bytes sk(n_sk);
        std::uint8_t pk[n_pk];
        PPX_TRY(derive_key_pair(ikm_e, sk, pk));
        return sk;
    }

    static constexpr kem_ops ops = {
        Id, "DHKEM", n_secret, n_enc, n_pk, n_sk, true,
        &derive_key_pair, &generate_key_pair, &Group::public_from_private, &Group::normalize, &Group::check_public,
        &encap, &decap, &auth_encap, &auth_decap, &encap_randomness, nullptr, nullptr,
    };

private:
    /// ExtractAndExpand(dh, kem_context) (§4.1).
    static result<void> extract_and_expand(bytes_view dh, crypto::byte_parts kem_context, mutable_bytes ss) noexcept {
        std::uint8_t prk[Kdf::n_h];
        wipe_on_exit wp(prk);
        Kdf::labeled_extract(suite_id, {}, "eae_prk", {dh}, prk);
        return Kdf::labeled_expand(crypto::hmac_key<typename Kdf::hash>(prk), suite_id, "shared_secret", kem_context, ss);
    }

    // Encap (§4.1), and AuthEncap when sk_s is non-empty.
    static result<void> encap_impl(bytes_view pk_r, bytes_view sk_s, bytes_view pk_s, rng& r, mutable_bytes ss,
                                   mutable_bytes enc) noexcept {
        if (pk_r.size() != n_pk || ss.size() != n_secret || enc.size() != n_enc) return fail(errc::misuse, "hpke: bad buffer size");
        std::uint8_t sk_e[n_sk];
        std::uint8_t dh[2 * Group::n_dh];
        wipe_on_exit w1(sk_e);
        wipe_on_exit w2(dh);
        PPX_TRY(generate_key_pair(r, sk_e, enc));
        PPX_TRY(Group::dh(sk_e, pk_r, mutable_bytes(dh, Group::n_dh)));
        if (sk_s.empty()) return extract_and_expand(bytes_view(dh, Group::n_dh), {enc, pk_r}, ss);
        PPX_TRY(Group::dh(sk_s, pk_r, mutable_bytes(dh + Group::n_dh, Group::n_dh)));
        return extract_and_expand(bytes_view(dh, sizeof dh), {enc, pk_r, pk_s}, ss);
    }

    // Decap (§4.1), and AuthDecap when pk_s is non-empty. pkE is validated by the DH.
    static result<void> decap_impl(bytes_view enc, bytes_view sk_r, bytes_view pk_r, bytes_view pk_s, mutable_bytes ss) noexcept {
        if (enc.size() != n_enc) return fail(errc::malformed, "hpke: encapsulated key has the wrong length");
        if (ss.size() != n_secret) return fail(errc::misuse, "hpke: bad buffer size");
        std::uint8_t dh[2 * Group::n_dh];
        wipe_on_exit w(dh);
        PPX_TRY(Group::check_public(enc));
        PPX_TRY(Group::dh(sk_r, enc, mutable_bytes(dh, Group::n_dh)));
        if (pk_s.empty()) return extract_and_expand(bytes_view(dh, Group::n_dh), {enc, pk_r}, ss);
        if (pk_s.size() != n_pk) return fail(errc::malformed, "hpke: sender public key has the wrong length");
        PPX_TRY(Group::check_public(pk_s));
        PPX_TRY(Group::dh(sk_r, pk_s, mutable_bytes(dh + Group::n_dh, Group::n_dh)));
        return extract_and_expand(bytes_view(dh, sizeof dh), {enc, pk_r, pk_s}, ss);
    }
};

using dhkem_p256_sha256 = dhkem<p256_group, hkdf_sha256, kem_id::p256_sha256>;
using dhkem_p384_sha384 = dhkem<p384_group, hkdf_sha384, kem_id::p384_sha384>;
using dhkem_p521_sha512 = dhkem<p521_group, hkdf_sha512, kem_id::p521_sha512>;
using dhkem_x25519_sha256 = dhkem<x25519_group, hkdf_sha256, kem_id::x25519_sha256>;
using dhkem_x448_sha512 = dhkem<x448_group, hkdf_sha512, kem_id::x448_sha512>;

/// What an HPKE KEM policy provides.
template <class K>
concept kem_policy = requires {
    { K::ops } -> std::convertible_to<const kem_ops&>;
};

} // namespace ppx::hpke
