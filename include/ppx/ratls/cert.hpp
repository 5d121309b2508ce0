// ppx/ratls/cert.hpp: the VM side: create an RA-TLS certificate whose key is generated in this
// process and whose evidence (from an evidence_provider) binds it.
//
// Layout (CCC "Interoperable RA-TLS X.509 Cert and Evidence Formats"): self-signed X.509v3,
// ECDSA P-384/SHA-384; extension 2.23.133.5.4.9 (non-critical) = tag([evidence, claims-buffer]);
// claims-buffer = {"pubkey-hash": [hash-alg-id, H(SPKI DER)], ["nonce": bstr],
// ["ppx-hpke-public-key": bstr]}; the evidence's report data commits to the claims buffer
// (SEV-SNP: REPORT_DATA = SHA-512(claims-buffer)); extension 2.23.133.5.4.2 carries the
// provider's endorsements when it has any.
#pragma once

#include <ppx/core/bytes.hpp>
#include <ppx/core/result.hpp>
#include <ppx/core/rng.hpp>
#include <ppx/core/secret.hpp>
#include <ppx/ratls/cbor.hpp>
#include <ppx/ratls/evidence.hpp>
#include <ppx/ratls/provider.hpp>
#include <ppx/ratls/x509_build.hpp>

#include <openssl/pem.h>

#include <optional>
#include <string>

namespace ppx::ratls {

/// The certificate's key pair, generated in-process (P-384). Owns its EVP_PKEY; the private key
/// never leaves except through private_key_der(), which returns wiped-on-free memory.
class key_pair {
public:
    /// Generates a fresh P-384 key (OpenSSL's DRBG). errc::internal on failure.
    static result<key_pair> generate() {
        key_pair k;
        PPX_TRY_ASSIGN(k.key_, build::ec_key("P-384"));
        return k;
    }
    /// The key for OpenSSL calls (SSL_CTX_use_PrivateKey...). Owned by this object.
    EVP_PKEY* native() const noexcept { return key_.get(); }
    /// PKCS#8 DER of the private key, in zeroizing memory.
    result<secure_bytes> private_key_der() const {
        unsigned char* buf = nullptr;
        const int n = i2d_PrivateKey(key_.get(), &buf);
        if (n <= 0) return ppx::detail::openssl_fail();
        secure_bytes out(buf, buf + n);
        OPENSSL_clear_free(buf, static_cast<std::size_t>(n));
        return out;
    }

private:
    build::evp_pkey_ptr key_;
};

/// What goes into the certificate besides the evidence.
struct certificate_options {
    std::string common_name = "ppx RA-TLS";
    std::int64_t not_before = 0;              ///< Unix seconds (the caller's clock)
    std::int64_t validity_seconds = 86400;
    std::optional<bytes> nonce;               ///< the verifier's challenge, if it sent one
    std::optional<bytes> hpke_public_key;     ///< the VM's HPKE request key (opaque bytes)
    crypto::hash_id pubkey_hash_alg = crypto::hash_id::sha256;
};

/// A created certificate and its key.
struct issued_certificate {
    bytes der;               ///< the certificate (DER)
    key_pair key;            ///< its private key
    bytes claims_buffer;     ///< the claims it carries
};

/// Report data a verifier expects for a claims buffer, per evidence tag: SEV-SNP SHA-512 of the
/// buffer (64 bytes), Intel quotes SHA-256 then 32 zero bytes (CCC SGX/TDX formats).
inline std::array<std::uint8_t, 64> report_data_for(std::uint64_t tag, bytes_view claims_buffer) noexcept {
    if (tag == cbor::tag_amd_sev_snp) return snp_report_data_for(claims_buffer);
    std::array<std::uint8_t, 64> rd{};
    const auto h = crypto::digest<crypto::sha256>(claims_buffer);
    std::copy(h.begin(), h.end(), rd.begin());
    return rd;
}

/// Generates a key, builds the claims, asks `provider` for evidence over them, and returns the
/// self-signed certificate. `r` supplies the serial number. Fails with the provider's error, or
/// errc::internal if OpenSSL fails, errc::misuse if validity_seconds <= 0.
inline result<issued_certificate> create_certificate(evidence_provider& provider, const certificate_options& o, rng& r) {
    if (o.validity_seconds <= 0) return fail(errc::misuse, "ratls: validity must be positive");
    PPX_TRY_ASSIGN(auto key, key_pair::generate());
    PPX_TRY_ASSIGN(auto cert, build::skeleton(o.common_name, "", key.native(), o.not_before, o.validity_seconds, r));
    PPX_TRY(build::set_issuer(cert.get(), nullptr));
    unsigned char* spki = nullptr;
    const int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert.get()), &spki);
    if (n <= 0) return ppx::detail::openssl_fail();
    const bytes spki_der(spki, spki + n);
    OPENSSL_free(spki);
    const auto h = crypto::digest(o.pubkey_hash_alg, spki_der);
    std::optional<bytes_view> nonce, hpke;
    if (o.nonce) nonce = bytes_view(*o.nonce);
    if (o.hpke_public_key) hpke = bytes_view(*o.hpke_public_key);
    auto claims = cbor::encode_claims(o.pubkey_hash_alg, h, nonce, hpke);
    const auto rd = report_data_for(provider.tag(), claims);
    PPX_TRY_ASSIGN(auto ev, provider.evidence(rd));
    PPX_TRY_ASSIGN(auto endorse, provider.endorsements());
    // X.509 basicConstraints CA:FALSE (critical) — an RA-TLS certificate is an end entity.
    PPX_TRY(build::add_extension(cert.get(), "2.5.29.19", bytes{0x30, 0x00}, true));
    PPX_TRY(build::add_extension(cert.get(), "2.23.133.5.4.9", cbor::encode_tagged_evidence(provider.tag(), ev, claims), false));
    if (!endorse.empty()) PPX_TRY(build::add_extension(cert.get(), "2.23.133.5.4.2", endorse, false));
    PPX_TRY(build::sign_ecdsa(cert.get(), key.native(), EVP_sha384()));
    issued_certificate out;
    out.der = build::der(cert.get());
    if (out.der.empty()) return fail(errc::internal, "ratls: encoding the certificate");
    out.key = std::move(key);
    out.claims_buffer = std::move(claims);
    return out;
}

} // namespace ppx::ratls
