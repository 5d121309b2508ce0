// ppx/ratls/x509_build.hpp: small helpers to build X.509 certificates with OpenSSL (RA-TLS
// certificates in the VM, the simulated AMD chain). Internal to ppx::ratls; not a general CA.
#pragma once

#include <ppx/core/bytes.hpp>
#include <ppx/core/result.hpp>
#include <ppx/core/rng.hpp>
#include <ppx/detail/openssl.hpp>

#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <string>

namespace ppx::ratls::build {

using x509_ptr = ppx::detail::x509_ptr;
using evp_pkey_ptr = ppx::detail::evp_pkey_ptr;

/// A fresh EC key on `curve` ("P-256", "P-384"); errc::internal on failure.
inline result<evp_pkey_ptr> ec_key(const char* curve) {
    evp_pkey_ptr k(EVP_EC_gen(curve));
    if (!k) return ppx::detail::openssl_fail();
    return k;
}

/// A fresh RSA key of `bits` bits; errc::internal on failure.
inline result<evp_pkey_ptr> rsa_key(unsigned bits) {
    evp_pkey_ptr k(EVP_RSA_gen(bits));
    if (!k) return ppx::detail::openssl_fail();
    return k;
}

/// A version-3 certificate skeleton: random positive 16-byte serial from `rng` (or serial 0 when
/// `zero_serial`, as AMD VCEKs have), subject = issuer-to-be CN/O, validity [not_before,
/// not_before + seconds], public key `key`.
inline result<x509_ptr> skeleton(const std::string& cn, const std::string& org, EVP_PKEY* key, std::int64_t not_before,
                                 std::int64_t seconds, rng& r, bool zero_serial = false) {
    x509_ptr c(X509_new());
    if (!c || X509_set_version(c.get(), 2) != 1) return ppx::detail::openssl_fail();
    std::uint8_t serial[16] = {};
    if (!zero_serial) {
        PPX_TRY(r.fill(serial));
        serial[0] &= 0x7f;
        serial[0] |= 0x01;
    }
    ppx::detail::bn_ptr bn(BN_bin2bn(serial, sizeof serial, nullptr));
    if (!bn || !BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(c.get()))) return ppx::detail::openssl_fail();
    X509_NAME* name = X509_get_subject_name(c.get());
    if (!org.empty() && X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(org.c_str()), -1, -1, 0) != 1)
        return ppx::detail::openssl_fail();
    if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0) != 1)
        return ppx::detail::openssl_fail();
    if (!ASN1_TIME_set(X509_getm_notBefore(c.get()), static_cast<time_t>(not_before)) ||
        !ASN1_TIME_set(X509_getm_notAfter(c.get()), static_cast<time_t>(not_before + seconds)))
        return ppx::detail::openssl_fail();
    if (X509_set_pubkey(c.get(), key) != 1) return ppx::detail::openssl_fail();
    return c;
}

/// Adds an extension with a raw extnValue.
inline result<void> add_extension(X509* c, const char* oid, bytes_view value, bool critical) {
    std::unique_ptr<ASN1_OBJECT, ppx::detail::free_fn<ASN1_OBJECT_free>> obj(OBJ_txt2obj(oid, 1));
    std::unique_ptr<ASN1_OCTET_STRING, ppx::detail::free_fn<ASN1_OCTET_STRING_free>> os(ASN1_OCTET_STRING_new());
    if (!obj || !os || ASN1_OCTET_STRING_set(os.get(), value.data(), static_cast<int>(value.size())) != 1) return ppx::detail::openssl_fail();
    std::unique_ptr<X509_EXTENSION, ppx::detail::free_fn<X509_EXTENSION_free>> e(X509_EXTENSION_create_by_OBJ(nullptr, obj.get(), critical ? 1 : 0, os.get()));
    if (!e || X509_add_ext(c, e.get(), -1) != 1) return ppx::detail::openssl_fail();
    return ok();
}

/// Sets the issuer name to `issuer`'s subject.
inline result<void> set_issuer(X509* c, X509* issuer) {
    if (X509_set_issuer_name(c, X509_get_subject_name(issuer ? issuer : c)) != 1) return ppx::detail::openssl_fail();
    return ok();
}

/// Signs with RSASSA-PSS, SHA-384, MGF1-SHA-384, salt 48 (the AMD chain's parameters).
inline result<void> sign_rsa_pss(X509* c, EVP_PKEY* key) {
    ppx::detail::evp_md_ctx_ptr m(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pc = nullptr;
    if (!m || EVP_DigestSignInit(m.get(), &pc, EVP_sha384(), nullptr, key) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING) != 1 || EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, 48) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(pc, EVP_sha384()) != 1 || X509_sign_ctx(c, m.get()) <= 0)
        return ppx::detail::openssl_fail();
    return ok();
}

/// Signs with ECDSA and `md`.
inline result<void> sign_ecdsa(X509* c, EVP_PKEY* key, const EVP_MD* md) {
    if (X509_sign(c, key, md) <= 0) return ppx::detail::openssl_fail();
    return ok();
}

/// DER of a certificate.
inline bytes der(X509* c) {
    unsigned char* buf = nullptr;
    const int n = i2d_X509(c, &buf);
    if (n <= 0) return {};
    bytes out(buf, buf + n);
    OPENSSL_free(buf);
    return out;
}

/// PEM of a certificate.
inline std::string pem(X509* c) {
    std::unique_ptr<BIO, ppx::detail::free_fn<BIO_free>> b(BIO_new(BIO_s_mem()));
    if (!b || PEM_write_bio_X509(b.get(), c) != 1) return {};
    char* p = nullptr;
    const long n = BIO_get_mem_data(b.get(), &p);
    return std::string(p, static_cast<std::size_t>(n));
}

} // namespace ppx::ratls::build
