// ppx/hpke/suite.hpp: the runtime dispatcher, the one place that turns wire ids into the
// template instances of kem.hpp, kdf.hpp and aead.hpp. Nothing else branches on ids.
#pragma once

#include <ppx/hpke/context.hpp>
#include <ppx/hpke/dhkem.hpp>
#include <ppx/hpke/kem_hybrid.hpp>
#include <ppx/hpke/kem_pq.hpp>

namespace ppx::hpke {

/// Every KEM ppx implements, by IANA id (errc::unsupported otherwise).
inline result<const kem_ops*> find_kem(kem_id id) noexcept {
    switch (id) {
    case kem_id::p256_sha256: return &dhkem_p256_sha256::ops;
    case kem_id::p384_sha384: return &dhkem_p384_sha384::ops;
    case kem_id::p521_sha512: return &dhkem_p521_sha512::ops;
    case kem_id::x25519_sha256: return &dhkem_x25519_sha256::ops;
    case kem_id::x448_sha512: return &dhkem_x448_sha512::ops;
    case kem_id::ml_kem_768: return &kem_ml_kem_768::ops;
    case kem_id::ml_kem_1024: return &kem_ml_kem_1024::ops;
    case kem_id::mlkem768_p256: return &kem_mlkem768_p256::ops;
    case kem_id::mlkem1024_p384: return &kem_mlkem1024_p384::ops;
    case kem_id::x_wing: return &kem_x_wing::ops;
    // KEM registry: add further KEMs here.
    default: break;
    }
    return fail(errc::unsupported, "hpke: unsupported KEM");
}

inline result<const kdf_ops*> find_kdf(kdf_id id) noexcept {
    switch (id) {
    case kdf_id::hkdf_sha256: return &hkdf_sha256::ops;
    case kdf_id::hkdf_sha384: return &hkdf_sha384::ops;
    case kdf_id::hkdf_sha512: return &hkdf_sha512::ops;
    case kdf_id::shake128: return &kdf_shake128::ops;
    case kdf_id::shake256: return &kdf_shake256::ops;
    case kdf_id::turboshake128: return &kdf_turboshake128::ops;
    case kdf_id::turboshake256: return &kdf_turboshake256::ops;
    }
    return fail(errc::unsupported, "hpke: unsupported KDF");
}

inline result<const aead_ops*> find_aead(aead_id id) noexcept {
    switch (id) {
    case aead_id::aes128gcm: return &aes128gcm::ops;
    case aead_id::aes256gcm: return &aes256gcm::ops;
    case aead_id::chacha20poly1305: return &chacha20poly1305::ops;
    case aead_id::export_only: return &export_only::ops;
    }
    return fail(errc::unsupported, "hpke: unsupported AEAD");
}

inline result<suite> suite::from_ids(kem_id kem, kdf_id kdf, aead_id aead) noexcept {
    PPX_TRY_ASSIGN(const kem_ops* k, find_kem(kem));
    PPX_TRY_ASSIGN(const kdf_ops* f, find_kdf(kdf));
    PPX_TRY_ASSIGN(const aead_ops* a, find_aead(aead));
    return suite(*k, *f, *a);
}

} // namespace ppx::hpke
