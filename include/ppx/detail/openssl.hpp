// ppx/detail/openssl.hpp: RAII and error glue for OpenSSL 3.0 (libcrypto).
//
// Nothing public depends on this header's types. Every OpenSSL failure becomes
// errc::internal (or the code the caller names) and the thread's error queue is cleared, so
// one failure never leaks into the next call's diagnostics.
#pragma once

#include <ppx/core/result.hpp>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>

namespace ppx::detail {

/// A deleter calling an OpenSSL free function: std::unique_ptr<EVP_PKEY, free_fn<EVP_PKEY_free>>.
template <auto Free>
struct free_fn {
    template <class T>
    void operator()(T* p) const noexcept {
        Free(p);
    }
};

using evp_pkey_ptr = std::unique_ptr<EVP_PKEY, free_fn<EVP_PKEY_free>>;
using evp_pkey_ctx_ptr = std::unique_ptr<EVP_PKEY_CTX, free_fn<EVP_PKEY_CTX_free>>;
using evp_md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, free_fn<EVP_MD_CTX_free>>;
using evp_cipher_ctx_ptr = std::unique_ptr<EVP_CIPHER_CTX, free_fn<EVP_CIPHER_CTX_free>>;
using bn_ptr = std::unique_ptr<BIGNUM, free_fn<BN_free>>;
/// For secret bignums: BN_clear_free wipes the limbs before freeing.
using secret_bn_ptr = std::unique_ptr<BIGNUM, free_fn<BN_clear_free>>;
using bn_ctx_ptr = std::unique_ptr<BN_CTX, free_fn<BN_CTX_free>>;
using ec_group_ptr = std::unique_ptr<EC_GROUP, free_fn<EC_GROUP_free>>;
using ec_point_ptr = std::unique_ptr<EC_POINT, free_fn<EC_POINT_free>>;
/// For points derived from secrets (EC_POINT_clear_free wipes coordinates).
using secret_ec_point_ptr = std::unique_ptr<EC_POINT, free_fn<EC_POINT_clear_free>>;
using x509_ptr = std::unique_ptr<X509, free_fn<X509_free>>;

/// Clears the thread's OpenSSL error queue and returns the given error.
inline unexpected openssl_fail(errc code = errc::internal, const char* what = "openssl: operation failed") noexcept {
    ERR_clear_error();
    return fail(code, what);
}

/// Clears the error queue when it leaves scope (for calls whose failure is expected input rejection).
struct clear_errors_on_exit {
    ~clear_errors_on_exit() { ERR_clear_error(); }
};

} // namespace ppx::detail
