// ppx/hpke/kem.hpp: the KEM interface (RFC 9180 §4) and key objects.
//
// A KEM is a table of functions (kem_ops) generated from a policy template (dhkem.hpp for
// the Diffie-Hellman KEMs); runtime suites hold a pointer to it. Keys are immutable objects
// created by validating factories; a private key keeps its public key so decapsulation
// never recomputes it.
#pragma once

#include <ppx/core/rng.hpp>
#include <ppx/core/secret.hpp>
#include <ppx/hpke/ids.hpp>

#include <memory>

namespace ppx::hpke {

/// One KEM as a table. All buffers are exact: sk is n_sk bytes, pk n_pk, enc n_enc, ss n_secret.
struct kem_ops {
    kem_id id;
    std::string_view name;
    std::size_t n_secret;  ///< Nsecret: shared secret size
    std::size_t n_enc;     ///< Nenc: encapsulated key size
    std::size_t n_pk;      ///< Npk: serialized public key size
    std::size_t n_sk;      ///< Nsk: serialized private key size
    bool supports_auth;    ///< whether AuthEncap/AuthDecap exist (false for the PQ KEMs)

    /// DeriveKeyPair(ikm) (§7.1.3): writes sk and pk. ikm may be any length (>= Nsk recommended).
    result<void> (*derive_key_pair)(bytes_view ikm, mutable_bytes sk, mutable_bytes pk) noexcept;
    /// GenerateKeyPair() drawing from `r`: writes sk and pk.
    result<void> (*generate_key_pair)(rng& r, mutable_bytes sk, mutable_bytes pk) noexcept;
    /// DeserializePrivateKey + pk(sk): validates sk and writes its public key.
    result<void> (*public_from_private)(bytes_view sk, mutable_bytes pk) noexcept;
    /// SerializePrivateKey normalisation (clamping for X25519/X448, §7.1.2); sk is rewritten in place.
    void (*normalize_private)(mutable_bytes sk) noexcept;
    /// DeserializePublicKey validation (§7.1.4): errc::malformed for an invalid key.
    result<void> (*check_public_key)(bytes_view pk) noexcept;
    /// Encap(pkR) with randomness from `r`: writes ss and enc.
    result<void> (*encap)(bytes_view pk_r, rng& r, mutable_bytes ss, mutable_bytes enc) noexcept;
    /// Decap(enc, skR); pk_r is skR's public key (for the KEM context).
    result<void> (*decap)(bytes_view enc, bytes_view sk_r, bytes_view pk_r, mutable_bytes ss) noexcept;
    /// AuthEncap(pkR, skS): null when !supports_auth.
    result<void> (*auth_encap)(bytes_view pk_r, bytes_view sk_s, bytes_view pk_s, rng& r, mutable_bytes ss,
                               mutable_bytes enc) noexcept;
    /// AuthDecap(enc, skR, pkS): null when !supports_auth.
    result<void> (*auth_decap)(bytes_view enc, bytes_view sk_r, bytes_view pk_r, bytes_view pk_s, mutable_bytes ss) noexcept;
    /// The bytes Encap draws from its rng when a test vector fixes the sender with `ikmE`:
    /// DHKEMs run DeriveKeyPair(ikmE) and draw the private key; the PQ KEMs use ikmE as their
    /// raw encapsulation randomness. A fixed_rng holding the result reproduces the vector.
    result<secure_bytes> (*encap_randomness)(bytes_view ikm_e);
    /// Optional (null when a KEM gains nothing from it): expands a private key once, so
    /// repeated decapsulations skip that work (ML-KEM's matrix and NTT-domain secret).
    result<std::shared_ptr<const void>> (*prepare_private)(bytes_view sk);
    /// Decap with the object prepare_private returned; same result as decap().
    result<void> (*decap_prepared)(bytes_view enc, const void* prepared, mutable_bytes ss) noexcept;
};

/// Looks up a KEM by id; errc::unsupported if ppx does not implement it. Defined in suite.hpp.
result<const kem_ops*> find_kem(kem_id id) noexcept;

/// A validated public key of one KEM. Immutable.
class public_key {
public:
    /// DeserializePublicKey: errc::unsupported for an unknown KEM, errc::malformed for a bad key.
    static result<public_key> from_bytes(kem_id kem, bytes_view pk) {
        PPX_TRY_ASSIGN(const kem_ops* ops, find_kem(kem));
        return from_bytes(*ops, pk);
    }
    static result<public_key> from_bytes(const kem_ops& ops, bytes_view pk) {
        if (pk.size() != ops.n_pk) return fail(errc::malformed, "hpke: public key has the wrong length");
        PPX_TRY(ops.check_public_key(pk));
        return public_key(ops, to_bytes(pk));
    }

    kem_id kem() const noexcept { return ops_->id; }
    const kem_ops& ops() const noexcept { return *ops_; }
    /// SerializePublicKey: Npk bytes, valid while this object lives.
    bytes_view bytes() const noexcept { return pk_; }

private:
    public_key(const kem_ops& ops, ppx::bytes pk) : ops_(&ops), pk_(std::move(pk)) {}
    const kem_ops* ops_;
    ppx::bytes pk_;
};

/// A private key of one KEM with its public key. Immutable; the secret is wiped on destruction.
class private_key {
public:
    /// DeserializePrivateKey: errc::malformed for a wrong length or invalid scalar.
    static result<private_key> from_bytes(kem_id kem, bytes_view sk) {
        PPX_TRY_ASSIGN(const kem_ops* ops, find_kem(kem));
        return from_bytes(*ops, sk);
    }
    static result<private_key> from_bytes(const kem_ops& ops, bytes_view sk) {
        if (sk.size() != ops.n_sk) return fail(errc::malformed, "hpke: private key has the wrong length");
        private_key k(ops);
        k.sk_.assign(sk.begin(), sk.end());
        PPX_TRY(ops.public_from_private(k.sk_, k.pk_));
        PPX_TRY(k.prepare());
        return k;
    }
    /// DeriveKeyPair(ikm) (RFC 9180 §7.1.3).
    static result<private_key> derive(kem_id kem, bytes_view ikm) {
        PPX_TRY_ASSIGN(const kem_ops* ops, find_kem(kem));
        private_key k(*ops);
        PPX_TRY(ops->derive_key_pair(ikm, k.sk_, k.pk_));
        PPX_TRY(k.prepare());
        return k;
    }
    /// GenerateKeyPair() from `r` (the OS CSPRNG by default).
    static result<private_key> generate(kem_id kem, rng& r = system_rng()) {
        PPX_TRY_ASSIGN(const kem_ops* ops, find_kem(kem));
        private_key k(*ops);
        PPX_TRY(ops->generate_key_pair(r, k.sk_, k.pk_));
        PPX_TRY(k.prepare());
        return k;
    }

    kem_id kem() const noexcept { return ops_->id; }
    const kem_ops& ops() const noexcept { return *ops_; }
    /// SerializePublicKey(pk(sk)): Npk bytes, valid while this object lives.
    bytes_view public_key_bytes() const noexcept { return pk_; }
    result<hpke::public_key> public_key() const { return hpke::public_key::from_bytes(*ops_, pk_); }
    /// SerializePrivateKey (§7.1.2; X25519/X448 output is clamped). Handle the result as a secret.
    secure_bytes serialize() const {
        secure_bytes out = sk_;
        ops_->normalize_private(out);
        return out;
    }
    /// The private key bytes as stored (for the KEM implementation; do not log).
    bytes_view expose_secret() const noexcept { return sk_; }
    /// The KEM's expanded form of this key (kem_ops::prepare_private), or null. Shared by
    /// copies of the key; it wipes itself when the last copy goes.
    const void* prepared() const noexcept { return prepared_.get(); }

private:
    explicit private_key(const kem_ops& ops) : ops_(&ops), sk_(ops.n_sk), pk_(ops.n_pk) {}
    result<void> prepare() {
        if (!ops_->prepare_private) return ok();
        PPX_TRY_ASSIGN(prepared_, ops_->prepare_private(sk_));
        return ok();
    }
    const kem_ops* ops_;
    secure_bytes sk_;
    ppx::bytes pk_;
    std::shared_ptr<const void> prepared_;
};

} // namespace ppx::hpke
