// ppx/ratls/tls.hpp: RA-TLS over OpenSSL's libssl: present an attested certificate and
// appraise the peer's in an SSL_CTX certificate-verification hook (mutual RA-TLS between VMs).
//
// NEEDS libssl (link OpenSSL::SSL): the rest of ppx needs only libcrypto, so this header is
// separate and not included by <ppx/ratls.hpp>.
//
// The hook replaces OpenSSL's X.509 path validation for the context (SSL_CTX_set_cert_verify_callback):
// the peer's leaf certificate is appraised by a ratls::certificate_verifier; chain building
// to a CA is not done (RA-TLS trust comes from the hardware evidence, not from a CA). TLS 1.3's
// CertificateVerify still proves the peer holds the attested key.
#pragma once

#include <ppx/ratls/verify.hpp>

#include <openssl/ssl.h>

#include <memory>

namespace ppx::ratls::tls {

namespace detail {
inline void free_verifier(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) {
    delete static_cast<std::shared_ptr<certificate_verifier>*>(ptr);
}
inline void free_peer(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) { delete static_cast<attested_peer*>(ptr); }
inline int ctx_index() {
    static const int idx = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, free_verifier);
    return idx;
}
inline int ssl_index() {
    static const int idx = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, free_peer);
    return idx;
}

inline int verify_cb(X509_STORE_CTX* store, void* arg) {
    auto* v = static_cast<std::shared_ptr<certificate_verifier>*>(arg);
    X509* leaf = X509_STORE_CTX_get0_cert(store);
    SSL* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    if (v == nullptr || leaf == nullptr || ssl == nullptr) {
        X509_STORE_CTX_set_error(store, X509_V_ERR_UNSPECIFIED);
        return 0;
    }
    unsigned char* buf = nullptr;
    const int n = i2d_X509(leaf, &buf);
    if (n <= 0) {
        X509_STORE_CTX_set_error(store, X509_V_ERR_UNSPECIFIED);
        return 0;
    }
    bytes der(buf, buf + n);
    OPENSSL_free(buf);
    auto r = (*v)->verify(der);
    if (!r) {
        X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
        return 0;
    }
    // Hand the appraisal to the application (peer_attestation()).
    delete static_cast<attested_peer*>(SSL_get_ex_data(ssl, ssl_index()));
    SSL_set_ex_data(ssl, ssl_index(), new attested_peer(std::move(*r)));
    X509_STORE_CTX_set_error(store, X509_V_OK);
    return 1;
}
} // namespace detail

/// Loads an issued RA-TLS certificate and its key into `ctx`. errc::internal on failure.
inline result<void> use_certificate(SSL_CTX* ctx, const issued_certificate& cert) {
    const unsigned char* p = cert.der.data();
    ppx::detail::x509_ptr x(d2i_X509(nullptr, &p, static_cast<long>(cert.der.size())));
    if (!x || SSL_CTX_use_certificate(ctx, x.get()) != 1 || SSL_CTX_use_PrivateKey(ctx, cert.key.native()) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1)
        return ppx::detail::openssl_fail();
    return ok();
}

/// Makes `ctx` require a peer certificate and appraise it with `verifier` (the context keeps a
/// reference). Handshakes whose peer evidence fails end with a certificate alert; the reason
/// is not sent to the peer. errc::internal on failure.
inline result<void> require_attested_peer(SSL_CTX* ctx, std::shared_ptr<certificate_verifier> verifier) {
    if (!verifier) return fail(errc::misuse, "ratls: no verifier");
    auto* holder = new std::shared_ptr<certificate_verifier>(std::move(verifier));
    // Free any previous holder (ex_data free runs only at SSL_CTX_free).
    delete static_cast<std::shared_ptr<certificate_verifier>*>(SSL_CTX_get_ex_data(ctx, detail::ctx_index()));
    if (SSL_CTX_set_ex_data(ctx, detail::ctx_index(), holder) != 1) {
        delete holder;
        return ppx::detail::openssl_fail();
    }
    SSL_CTX_set_cert_verify_callback(ctx, detail::verify_cb, holder);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    return ok();
}

/// The appraisal of the peer's certificate after a successful handshake on `ssl` (owned by
/// `ssl`), or nullptr if none was done.
inline const attested_peer* peer_attestation(const SSL* ssl) noexcept {
    return static_cast<const attested_peer*>(SSL_get_ex_data(ssl, detail::ssl_index()));
}

} // namespace ppx::ratls::tls
