// ppx/blindrsa/blindrsa.hpp: RFC 9474 RSA blind signatures (RSABSSA-SHA384, four variants).
//
// Variants (RFC 9474 §5): PSS / PSSZERO (48-byte / empty salt) x Randomized / Deterministic
// (PrepareRandomize with a 32-byte prefix / PrepareIdentity). All use SHA-384 and MGF1-SHA-384.
//
// Roles:
//   client: prepare() (RFC 9474 §4.1), blind() (§4.2), finalize() (§4.4), verify() (§4.5).
//   server: blind_sign() (§4.3), which checks its own result (RSAVP1(pk, s) == m) before
//           returning it, so a faulty CRT computation never leaks the key.
// Randomness: prepare() draws the 32-byte prefix, blind() draws the salt then r from an
// injected ppx::rng&; prepare_with() / blind_with() take them explicitly (test vectors).
//
// Keys: moduli of 2048 to 4096 bits (others are errc::unsupported), odd public exponent > 1.
// Buffers: blinded messages, blind signatures and signatures are exactly modulus_len bytes
// (the public key's modulus_size()); a smaller output span is errc::buffer_too_small and
// nothing is written.
//
// Secrets: the blind inverse and the private exponent / factors live in BIGNUMs flagged
// BN_FLG_CONSTTIME and freed with BN_clear_free; inv = r^-1 mod n is computed with
// BN_mod_inverse on a BN_FLG_CONSTTIME operand (OpenSSL's branch-free inversion) of a
// freshly blinded value; the private operation is OpenSSL's RSA with CRT, blinding and
// constant-time exponentiation.
#pragma once

#include <ppx/core/bytes.hpp>
#include <ppx/core/ct.hpp>
#include <ppx/core/result.hpp>
#include <ppx/core/rng.hpp>
#include <ppx/core/secret.hpp>
#include <ppx/crypto/hash.hpp>
#include <ppx/detail/openssl.hpp>

#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include <memory>
#include <string_view>

#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif

namespace ppx::blindrsa {

/// The four RFC 9474 §5 variants.
enum class variant : std::uint8_t {
    sha384_pss_randomized,         ///< RSABSSA-SHA384-PSS-Randomized
    sha384_psszero_randomized,     ///< RSABSSA-SHA384-PSSZERO-Randomized
    sha384_pss_deterministic,      ///< RSABSSA-SHA384-PSS-Deterministic (Privacy Pass type 0x0002)
    sha384_psszero_deterministic,  ///< RSABSSA-SHA384-PSSZERO-Deterministic
};

/// RFC 9474 §4.1: the PrepareRandomize prefix length.
inline constexpr std::size_t prefix_size = 32;
/// Salt length of the PSS variants (RFC 9474 §5: 48 bytes, the SHA-384 output size).
inline constexpr std::size_t pss_salt_size = 48;
inline constexpr std::size_t min_modulus_bits = 2048;
inline constexpr std::size_t max_modulus_bits = 4096;
/// Upper bound of modulus_len for every supported key.
inline constexpr std::size_t max_modulus_size = max_modulus_bits / 8;

/// sLen of a variant: 48 for PSS, 0 for PSSZERO.
constexpr std::size_t salt_size(variant v) noexcept {
    return v == variant::sha384_pss_randomized || v == variant::sha384_pss_deterministic ? pss_salt_size : 0;
}
/// True for the variants that use PrepareRandomize.
constexpr bool is_randomized(variant v) noexcept {
    return v == variant::sha384_pss_randomized || v == variant::sha384_psszero_randomized;
}
/// The RFC 9474 name ("RSABSSA-SHA384-PSS-Randomized", ...).
constexpr std::string_view name(variant v) noexcept {
    switch (v) {
    case variant::sha384_pss_randomized: return "RSABSSA-SHA384-PSS-Randomized";
    case variant::sha384_psszero_randomized: return "RSABSSA-SHA384-PSSZERO-Randomized";
    case variant::sha384_pss_deterministic: return "RSABSSA-SHA384-PSS-Deterministic";
    case variant::sha384_psszero_deterministic: return "RSABSSA-SHA384-PSSZERO-Deterministic";
    }
    return "";
}
/// Parses an RFC 9474 variant name; errc::unsupported for anything else.
inline result<variant> variant_from_name(std::string_view s) noexcept {
    for (auto v : {variant::sha384_pss_randomized, variant::sha384_psszero_randomized,
                   variant::sha384_pss_deterministic, variant::sha384_psszero_deterministic})
        if (name(v) == s) return v;
    return fail(errc::unsupported, "blindrsa: unknown variant");
}

// ================================================================== EMSA-PSS (RFC 8017 §9.1)

/// SHA-1 as a hash policy, only so the RFC 8017 EMSA-PSS example vectors can be run.
struct sha1_for_tests {
    static constexpr std::size_t digest_size = 20;
    static constexpr std::size_t block_size = 64;
    using state = SHA_CTX;
    static void init(state& s) noexcept { SHA1_Init(&s); }
    static void update(state& s, bytes_view b) noexcept { SHA1_Update(&s, b.data(), b.size()); }
    static void final(state& s, std::uint8_t* out) noexcept { SHA1_Final(out, &s); }
};

namespace detail_rsa {

/// MGF1 (RFC 8017 §B.2.1) with hash H: XORs MGF1(seed, mask.size()) into `mask`.
template <crypto::hash_function H>
inline void mgf1_xor(bytes_view seed, mutable_bytes mask) noexcept {
    std::uint8_t block[H::digest_size];
    std::size_t done = 0;
    for (std::uint32_t counter = 0; done < mask.size(); ++counter) {
        const std::uint8_t c[4] = {static_cast<std::uint8_t>(counter >> 24), static_cast<std::uint8_t>(counter >> 16),
                                   static_cast<std::uint8_t>(counter >> 8), static_cast<std::uint8_t>(counter)};
        typename H::state s;
        H::init(s);
        H::update(s, seed);
        H::update(s, c);
        H::final(s, block);
        const std::size_t n = std::min(H::digest_size, mask.size() - done);
        for (std::size_t i = 0; i < n; ++i) mask[done + i] ^= block[i];
        done += n;
    }
}

} // namespace detail_rsa

/// EMSA-PSS-ENCODE(M = msg, emBits) with hash H, MGF1-H and the given salt (RFC 8017
/// §9.1.1). Writes emLen = ceil(emBits / 8) bytes into out.first(emLen).
/// Errors: errc::misuse ("encoding error") if emLen < hLen + sLen + 2;
/// errc::buffer_too_small if out is shorter than emLen.
template <crypto::hash_function H>
inline result<void> emsa_pss_encode(bytes_view msg, std::size_t em_bits, bytes_view salt, mutable_bytes out) noexcept {
    constexpr std::size_t h_len = H::digest_size;
    const std::size_t em_len = (em_bits + 7) / 8;
    if (out.size() < em_len) return fail(errc::buffer_too_small, "blindrsa: output buffer too small");
    if (em_len < h_len + salt.size() + 2) return fail(errc::misuse, "blindrsa: encoding error");
    std::uint8_t m_hash[h_len];
    {
        typename H::state s;
        H::init(s);
        H::update(s, msg);
        H::final(s, m_hash);
    }
    // H' = Hash(0x00 x 8 || mHash || salt)
    std::uint8_t h[h_len];
    {
        static constexpr std::uint8_t zeros[8] = {};
        typename H::state s;
        H::init(s);
        H::update(s, zeros);
        H::update(s, m_hash);
        H::update(s, salt);
        H::final(s, h);
    }
    // DB = PS || 0x01 || salt; maskedDB = DB xor MGF(H, emLen - hLen - 1)
    const std::size_t db_len = em_len - h_len - 1;
    auto db = out.first(db_len);
    std::memset(db.data(), 0, db_len);
    db[db_len - salt.size() - 1] = 0x01;
    if (!salt.empty()) std::memcpy(db.data() + db_len - salt.size(), salt.data(), salt.size());
    detail_rsa::mgf1_xor<H>(bytes_view(h, h_len), db);
    // Clear the leftmost 8*emLen - emBits bits.
    db[0] &= static_cast<std::uint8_t>(0xff >> (8 * em_len - em_bits));
    std::memcpy(out.data() + db_len, h, h_len);
    out[em_len - 1] = 0xbc;
    return ok();
}

/// EMSA-PSS-VERIFY(M = msg, EM = em, emBits) with hash H, MGF1-H and salt length salt_len
/// (RFC 8017 §9.1.2). `em` must be exactly ceil(emBits / 8) bytes. Succeeds on "consistent";
/// errc::crypto_failure on "inconsistent" (one code for every failed check).
template <crypto::hash_function H>
inline result<void> emsa_pss_verify(bytes_view msg, bytes_view em, std::size_t em_bits, std::size_t salt_len) {
    constexpr std::size_t h_len = H::digest_size;
    const std::size_t em_len = (em_bits + 7) / 8;
    auto bad = [] { return fail(errc::crypto_failure, "blindrsa: invalid signature"); };
    if (em.size() != em_len || em_len < h_len + salt_len + 2) return bad();
    if (em[em_len - 1] != 0xbc) return bad();  // §9.1.2 step 4
    const std::size_t db_len = em_len - h_len - 1;
    const std::uint8_t top_mask = static_cast<std::uint8_t>(0xff << (8 - (8 * em_len - em_bits)));
    if (8 * em_len != em_bits && (em[0] & top_mask) != 0) return bad();  // step 6
    std::uint8_t db_buf[max_modulus_size + 1];
    if (db_len > sizeof db_buf) return bad();
    mutable_bytes db(db_buf, db_len);
    std::memcpy(db.data(), em.data(), db_len);
    const bytes_view h = em.subspan(db_len, h_len);
    detail_rsa::mgf1_xor<H>(h, db);                                             // step 7-8
    db[0] &= static_cast<std::uint8_t>(0xff >> (8 * em_len - em_bits));         // step 9
    const std::size_t ps_len = em_len - h_len - salt_len - 2;                   // step 10
    for (std::size_t i = 0; i < ps_len; ++i)
        if (db[i] != 0) return bad();
    if (db[ps_len] != 0x01) return bad();
    const bytes_view salt = bytes_view(db).subspan(db_len - salt_len, salt_len);  // step 11
    std::uint8_t m_hash[h_len], h2[h_len];
    {
        typename H::state s;
        H::init(s);
        H::update(s, msg);
        H::final(s, m_hash);
        static constexpr std::uint8_t zeros[8] = {};
        H::init(s);
        H::update(s, zeros);
        H::update(s, m_hash);
        H::update(s, salt);
        H::final(s, h2);
    }
    if (!ct_equal(bytes_view(h2, h_len), h)) return bad();  // step 14
    return ok();
}

// ================================================================== keys

class private_key;
class blind_secret;
namespace detail_rsa {
struct access;
}

/// An RSA public key (n, e) with 2048 <= bits(n) <= 4096. Immutable; copies share state.
class public_key {
public:
    /// From big-endian n and e (leading zeros allowed). errc::unsupported for a modulus size
    /// outside [2048, 4096] bits; errc::malformed for an even modulus, or e even or < 3 or >= n.
    static result<public_key> from_components(bytes_view n, bytes_view e);
    /// From a DER SubjectPublicKeyInfo with rsaEncryption or id-RSASSA-PSS (RFC 4055;
    /// parameters are not enforced here). errc::malformed if it does not parse or is not RSA.
    static result<public_key> from_spki_der(bytes_view der);

    /// modulus_len: the length in bytes of n.
    std::size_t modulus_size() const noexcept { return (modulus_bits() + 7) / 8; }
    std::size_t modulus_bits() const noexcept;
    /// n and e, big-endian, minimal length (n is modulus_size() bytes).
    bytes modulus() const;
    bytes exponent() const;
    /// DER SubjectPublicKeyInfo with the rsaEncryption OID.
    result<bytes> to_spki_der() const;

    /// RSAVP1 (RFC 8017 §5.2.2) on a modulus_len-byte big-endian input s < n, writing
    /// s^e mod n as modulus_len bytes into out. errc::malformed if s >= n or has the wrong length.
    result<void> rsavp1(bytes_view s, mutable_bytes out) const;

    struct state;  ///< implementation detail
    const state& impl() const noexcept { return *s_; }

private:
    friend class private_key;
    explicit public_key(std::shared_ptr<const state> s) noexcept : s_(std::move(s)) {}
    std::shared_ptr<const state> s_;
};

/// An RSA private key with CRT parameters. Secret bignums are cleared on destruction.
class private_key {
public:
    /// From big-endian n, e, d, p, q (CRT values computed here). Checks n = p*q and the
    /// public-key rules of public_key::from_components; errc::malformed otherwise.
    static result<private_key> from_components(bytes_view n, bytes_view e, bytes_view d, bytes_view p, bytes_view q);
    /// From DER PKCS#8 PrivateKeyInfo or PKCS#1 RSAPrivateKey (rsaEncryption or RSASSA-PSS).
    static result<private_key> from_der(bytes_view der);
    /// A new key of `bits` bits (2048..4096, multiple of 8) with e = 65537, from OpenSSL's
    /// DRBG. errc::unsupported for other sizes.
    static result<private_key> generate(std::size_t bits);
    /// PKCS#8 DER encoding (secret: the caller protects the buffer).
    result<secure_bytes> to_pkcs8_der() const;

    const ppx::blindrsa::public_key& public_key() const noexcept { return pk_; }

    struct state;  ///< implementation detail
    const state& impl() const noexcept { return *s_; }

private:
    private_key(std::shared_ptr<const state> s, ppx::blindrsa::public_key pk) noexcept : s_(std::move(s)), pk_(std::move(pk)) {}
    std::shared_ptr<const state> s_;
    ppx::blindrsa::public_key pk_;
};

// ================================================================== protocol

/// The client's blinding secret `inv` (RFC 9474 §4.2), held for finalize(). Wiped on destruction.
class blind_secret {
public:
    /// inv as modulus_len big-endian bytes (secret; for tests and persistence).
    bytes_view inv_bytes() const noexcept { return inv_; }
    /// Restores a blind_secret from inv bytes (modulus_len, < n); errc::malformed otherwise.
    static result<blind_secret> from_bytes(const public_key& pk, bytes_view inv);

private:
    friend struct detail_rsa::access;
    secure_bytes inv_;
};

/// RFC 9474 §4.1 Prepare with an explicit 32-byte prefix (Randomized variants: prefix || msg)
/// or none (Deterministic variants: msg; `prefix` must then be empty). errc::misuse otherwise.
inline result<bytes> prepare_with(variant v, bytes_view msg, bytes_view prefix);
/// RFC 9474 §4.1 Prepare: PrepareRandomize draws the prefix from `r`; PrepareIdentity copies.
inline result<bytes> prepare(variant v, bytes_view msg, rng& r);

/// RFC 9474 §4.2 Blind with an explicit salt (salt_size(v) bytes) and inverse `inv`
/// (big-endian, 0 < inv < n, invertible; r = inv^-1 mod n). Writes blinded_msg
/// (modulus_len bytes) into `blinded_out` and returns the blind secret.
/// Errors: errc::misuse for a salt of the wrong length; errc::buffer_too_small if
/// blinded_out is shorter than modulus_len; errc::malformed if inv is out of range or not
/// invertible, or m is not coprime with n ("invalid input").
inline result<blind_secret> blind_with(const public_key& pk, variant v, bytes_view prepared_msg, bytes_view salt,
                                bytes_view inv, mutable_bytes blinded_out);
/// RFC 9474 §4.2 Blind: draws the salt (salt_size(v) bytes) then r (uniform in [1, n), by
/// rejection sampling of modulus_len-byte strings) from `rng`. Errors as blind_with().
inline result<blind_secret> blind(const public_key& pk, variant v, bytes_view prepared_msg, rng& rng,
                           mutable_bytes blinded_out);

/// RFC 9474 §4.3 BlindSign: s = RSASP1(sk, m) for m = bytes_to_int(blinded_msg), then checks
/// RSAVP1(pk, s) == m before writing s (modulus_len bytes) into `out`; returns modulus_len.
/// Errors: errc::malformed if blinded_msg is not modulus_len bytes or m >= n ("message
/// representative out of range"); errc::buffer_too_small; errc::internal ("signing failure")
/// if the self-check fails (nothing is written).
inline result<std::size_t> blind_sign(const private_key& sk, bytes_view blinded_msg, mutable_bytes out);

/// RFC 9474 §4.4 Finalize: s = blind_sig * inv mod n, verified with RSASSA-PSS-VERIFY over
/// prepared_msg before it is written (modulus_len bytes) into sig_out; returns modulus_len.
/// Errors: errc::malformed if blind_sig is not modulus_len bytes ("unexpected input size")
/// or >= n; errc::buffer_too_small; errc::crypto_failure if the signature does not verify
/// ("invalid signature"; sig_out is then zeroed).
inline result<std::size_t> finalize(const public_key& pk, variant v, bytes_view prepared_msg, bytes_view blind_sig,
                             const blind_secret& inv, mutable_bytes sig_out);

/// RFC 9474 §4.5: RSASSA-PSS-VERIFY (RFC 8017 §8.1.2) with SHA-384, MGF1-SHA-384 and
/// sLen = salt_size(v) of `sig` over prepared_msg (for Randomized variants that is
/// prefix || msg). Succeeds iff valid; errc::crypto_failure otherwise (including a signature
/// of the wrong length or >= n).
inline result<void> verify(const public_key& pk, variant v, bytes_view prepared_msg, bytes_view sig);

} // namespace ppx::blindrsa

#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

#include <ppx/blindrsa/impl.hpp>
