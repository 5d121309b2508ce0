// ppx/hpke/ids.hpp: RFC 9180 algorithm identifiers, modes and size bounds.
//
// Enum values equal the IANA "HPKE" registry numbers, so they go on the wire unchanged.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ppx::hpke {

/// KEM identifiers (RFC 9180 §7.1, IANA HPKE KEM Identifiers).
enum class kem_id : std::uint16_t {
    p256_sha256 = 0x0010,    ///< DHKEM(P-256, HKDF-SHA256)
    p384_sha384 = 0x0011,    ///< DHKEM(P-384, HKDF-SHA384)
    p521_sha512 = 0x0012,    ///< DHKEM(P-521, HKDF-SHA512)
    x25519_sha256 = 0x0020,  ///< DHKEM(X25519, HKDF-SHA256)
    x448_sha512 = 0x0021,    ///< DHKEM(X448, HKDF-SHA512)
    ml_kem_768 = 0x0041,     ///< ML-KEM-768 (draft-ietf-hpke-pq)
    ml_kem_1024 = 0x0042,    ///< ML-KEM-1024 (draft-ietf-hpke-pq)
    mlkem768_p256 = 0x0050,  ///< MLKEM768-P256 hybrid (draft-ietf-hpke-pq)
    mlkem1024_p384 = 0x0051, ///< MLKEM1024-P384 hybrid (draft-ietf-hpke-pq)
    x_wing = 0x647a,         ///< X-Wing, X25519 + ML-KEM-768 (draft-ietf-hpke-pq)
};

/// KDF identifiers (RFC 9180 §7.2; the one-stage ones from draft-ietf-hpke-pq §5).
enum class kdf_id : std::uint16_t {
    hkdf_sha256 = 0x0001,
    hkdf_sha384 = 0x0002,
    hkdf_sha512 = 0x0003,
    shake128 = 0x0010,       ///< one-stage
    shake256 = 0x0011,       ///< one-stage
    turboshake128 = 0x0012,  ///< one-stage
    turboshake256 = 0x0013,  ///< one-stage
};

/// Whether a KDF id names a one-stage KDF (LabeledDerive instead of Extract/Expand).
constexpr bool is_one_stage(kdf_id k) noexcept {
    return k == kdf_id::shake128 || k == kdf_id::shake256 || k == kdf_id::turboshake128 || k == kdf_id::turboshake256;
}

/// AEAD identifiers (RFC 9180 §7.3).
enum class aead_id : std::uint16_t {
    aes128gcm = 0x0001,
    aes256gcm = 0x0002,
    chacha20poly1305 = 0x0003,
    export_only = 0xffff,  ///< no encryption; the context can only Export
};

/// HPKE modes (RFC 9180 §5, Table 1).
enum class mode : std::uint8_t {
    base = 0x00,
    psk = 0x01,
    auth = 0x02,
    auth_psk = 0x03,
};

/// The three ids that name a ciphersuite.
struct suite_ids {
    kem_id kem;
    kdf_id kdf;
    aead_id aead;
    friend constexpr bool operator==(const suite_ids&, const suite_ids&) = default;
};

/// Upper bounds over every KEM ppx supports, for callers sizing stack buffers.
inline constexpr std::size_t max_enc_size = 1665;          ///< MLKEM1024-P384: ML-KEM-1024 ciphertext + P-384 point
inline constexpr std::size_t max_public_key_size = 1665;   ///< MLKEM1024-P384: ML-KEM-1024 key + P-384 point
inline constexpr std::size_t max_private_key_size = 66;    ///< P-521 scalar (PQ KEMs store 32/64-byte seeds)
inline constexpr std::size_t max_shared_secret_size = 64;  ///< DHKEM(P-521/X448)
inline constexpr std::size_t max_hash_size = 64;           ///< HKDF-SHA512 Nh
inline constexpr std::size_t max_key_size = 32;            ///< AES-256 / ChaCha20 Nk
inline constexpr std::size_t nonce_size = 12;              ///< Nn of every AEAD
inline constexpr std::size_t tag_size = 16;                ///< Nt of every AEAD

/// Npk of a KEM (RFC 9180 §7.1; draft-ietf-hpke-pq for the post-quantum ones), 0 if
/// unknown. Independent of which KEMs are implemented, so formats that carry public keys
/// (OHTTP key configs) can be parsed, and their unknown KEMs skipped, without the dispatcher.
constexpr std::size_t public_key_size(kem_id kem) noexcept {
    switch (kem) {
    case kem_id::p256_sha256: return 65;
    case kem_id::p384_sha384: return 97;
    case kem_id::p521_sha512: return 133;
    case kem_id::x25519_sha256: return 32;
    case kem_id::x448_sha512: return 56;
    case kem_id::ml_kem_768: return 1184;
    case kem_id::ml_kem_1024: return 1568;
    case kem_id::mlkem768_p256: return 1249;
    case kem_id::mlkem1024_p384: return 1665;
    case kem_id::x_wing: return 1216;
    }
    return 0;
}

/// RFC 9180 §9.5: a PSK must carry at least 32 bytes of entropy; shorter ones are refused.
inline constexpr std::size_t min_psk_size = 32;

} // namespace ppx::hpke
