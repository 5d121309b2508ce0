// ppx/ratls/evidence.hpp: finding and decoding attestation evidence in an X.509 certificate,
// and checking that it binds the certificate's key.
//
// Extensions recognised (../shared/specs/tcg-dice-and-cmw-oids.md):
//  - 2.23.133.5.4.9  tcg-dice-conceptual-message-wrapper: CCC interoperable evidence, CBOR
//    tag([evidence, claims-buffer]) (CCC "Interoperable RA-TLS X.509 Cert and Evidence Formats")
//  - 2.23.133.5.4.2  tcg-dice-endorsement-manifest: optional endorsements (may be empty)
//  - Gramine's legacy SGX quote extension, whose OID bytes are mis-encoded (they include the DER
//    tag and length: 06 09 2A 86 48 86 F8 4D 8A 39 06, shown as 0.6.9.42.840.113741.1337.6);
//    matched by those raw bytes
//  - 1.2.840.113741.1.13.1 Intel SGX SDK's quote extension
// Intel quotes are parsed far enough to reach REPORT_DATA and the measurements; their signature
// and Intel PCK collateral chain are NOT verified by ppx (out of scope; see docs/ratls.md).
#pragma once

#include <ppx/core/bytes.hpp>
#include <ppx/core/result.hpp>
#include <ppx/crypto/hash.hpp>
#include <ppx/detail/openssl.hpp>
#include <ppx/ratls/cbor.hpp>
#include <ppx/ratls/snp_report.hpp>

#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <optional>
#include <string>
#include <vector>

namespace ppx::ratls {

/// Largest certificate ppx parses (real RA-TLS certificates with SGX quotes are ~10 KiB).
inline constexpr std::size_t max_certificate_size = 64 * 1024;

/// Kinds of evidence-related extension.
enum class extension_kind : std::uint8_t {
    ccc_evidence,        ///< 2.23.133.5.4.9
    ccc_endorsements,    ///< 2.23.133.5.4.2
    gramine_legacy_sgx,  ///< mis-encoded 1.2.840.113741.1337.6
    intel_sgx_legacy,    ///< 1.2.840.113741.1.13.1
};

/// Short stable names for the tool: "ccc-evidence", "ccc-endorsements", "gramine-sgx-quote", "intel-sgx-quote".
constexpr std::string_view to_string(extension_kind k) noexcept {
    switch (k) {
    case extension_kind::ccc_evidence: return "ccc-evidence";
    case extension_kind::ccc_endorsements: return "ccc-endorsements";
    case extension_kind::gramine_legacy_sgx: return "gramine-sgx-quote";
    case extension_kind::intel_sgx_legacy: return "intel-sgx-quote";
    }
    return "unknown";
}

/// DER content octets of the OIDs above.
namespace oid {
inline constexpr std::uint8_t ccc_evidence[] = {0x67, 0x81, 0x05, 0x05, 0x04, 0x09};
inline constexpr std::uint8_t ccc_endorsements[] = {0x67, 0x81, 0x05, 0x05, 0x04, 0x02};
inline constexpr std::uint8_t gramine_legacy[] = {0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF8, 0x4D, 0x8A, 0x39, 0x06};
inline constexpr std::uint8_t intel_sgx[] = {0x2A, 0x86, 0x48, 0x86, 0xF8, 0x4D, 0x01, 0x0D, 0x01};
} // namespace oid

/// An Intel SGX/TDX ECDSA quote, parsed up to its report body (Intel DCAP sgx_quote3_t /
/// sgx_quote4_t). Signature data is located but not verified.
struct intel_quote {
    std::uint16_t version = 0;        ///< 3 or 4
    std::uint16_t att_key_type = 0;   ///< 2 = ECDSA-256, 3 = ECDSA-384
    std::uint32_t tee_type = 0;       ///< 0 SGX, 0x81 TDX
    bytes mr_enclave;                 ///< SGX MRENCLAVE (32) or TDX MRTD (48)
    bytes mr_signer;                  ///< SGX MRSIGNER (32); empty for TDX
    std::array<std::uint8_t, 64> report_data{};
    std::uint32_t signature_data_size = 0;
};

/// Parses an SGX quote v3, or v4 with tee_type 0 (SGX) or 0x81 (TDX 1.0 body). Fails with
/// errc::malformed on truncation or when the signature-data length does not end the quote
/// exactly, errc::unsupported on other versions, tee types or attestation key types.
inline result<intel_quote> parse_intel_quote(bytes_view q) {
    constexpr std::size_t header = 48, sgx_body = 384, tdx_body = 584;
    if (q.size() < header + sgx_body + 4) return fail(errc::malformed, "ratls: quote truncated");
    auto le16 = [&](std::size_t o) { return static_cast<std::uint16_t>(q[o] | q[o + 1] << 8); };
    auto le32 = [&](std::size_t o) { return static_cast<std::uint32_t>(q[o] | q[o + 1] << 8 | q[o + 2] << 16 | std::uint32_t(q[o + 3]) << 24); };
    intel_quote out;
    out.version = le16(0);
    out.att_key_type = le16(2);
    out.tee_type = le32(4);
    if (out.version != 3 && out.version != 4) return fail(errc::unsupported, "ratls: quote version not 3 or 4");
    if (out.att_key_type != 2 && out.att_key_type != 3) return fail(errc::unsupported, "ratls: quote attestation key type");
    std::size_t body;
    if (out.tee_type == 0) body = sgx_body;
    else if (out.tee_type == 0x81 && out.version == 4) body = tdx_body;
    else return fail(errc::unsupported, "ratls: quote TEE type");
    if (q.size() < header + body + 4) return fail(errc::malformed, "ratls: quote truncated");
    const auto b = q.subspan(header, body);
    if (body == sgx_body) {
        // sgx_report_body_t: mr_enclave at 64, mr_signer at 128, report_data at 320.
        out.mr_enclave.assign(b.begin() + 64, b.begin() + 96);
        out.mr_signer.assign(b.begin() + 128, b.begin() + 160);
        std::copy(b.begin() + 320, b.begin() + 384, out.report_data.begin());
    } else {
        // sgx_report2_body_t (TDX 1.0): mr_td at 136, report_data at 520.
        out.mr_enclave.assign(b.begin() + 136, b.begin() + 184);
        std::copy(b.begin() + 520, b.begin() + 584, out.report_data.begin());
    }
    out.signature_data_size = le32(header + body);
    if (q.size() - header - body - 4 != out.signature_data_size) return fail(errc::malformed, "ratls: quote signature data length");
    return out;
}

/// One evidence-related extension of a certificate.
struct evidence_extension {
    extension_kind kind{};
    std::string oid;     ///< dotted text as OpenSSL prints it (the Gramine one as 0.6.9.42...)
    bool critical = false;
    bytes value;         ///< the extnValue content
};

/// Everything ppx reads from an RA-TLS certificate, before any appraisal.
struct certificate_info {
    bytes der;                         ///< the certificate
    bytes spki_der;                    ///< DER SubjectPublicKeyInfo (algorithm + key)
    std::string subject;               ///< RFC 2253 text
    bool self_signed_valid = false;    ///< its signature verifies under its own key
    std::int64_t not_before = 0, not_after = 0;
    std::vector<evidence_extension> extensions;
    std::optional<cbor::tagged_evidence> evidence;  ///< decoded 2.23.133.5.4.9
    std::optional<cbor::claims> claims;              ///< decoded claims buffer of the above
    std::optional<bytes> endorsements;               ///< raw 2.23.133.5.4.2 value (may be empty)
};

namespace detail {
inline std::string oid_text(const ASN1_OBJECT* o) {
    char buf[128];
    const int n = OBJ_obj2txt(buf, sizeof buf, o, 1);
    return n > 0 ? std::string(buf, std::min<std::size_t>(static_cast<std::size_t>(n), sizeof buf - 1)) : std::string();
}
inline bool oid_is(const ASN1_OBJECT* o, bytes_view want) {
    const int n = OBJ_length(o);
    return n >= 0 && static_cast<std::size_t>(n) == want.size() && equal_bytes(bytes_view(OBJ_get0_data(o), want.size()), want);
}
inline result<std::int64_t> time_unix(const ASN1_TIME* t) {
    std::tm tm{};
    if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return fail(errc::malformed, "ratls: bad certificate time");
    return static_cast<std::int64_t>(timegm(&tm));
}
} // namespace detail

/// Parses a DER (or PEM) certificate and its evidence extensions. An evidence extension that
/// appears twice, is marked critical (CCC formats §"X.509 Cert with Evidence": "the criticality
/// flag of this extension should be cleared"), or whose CBOR is not of the exact expected shape
/// fails with errc::malformed; so does a certificate that does not parse or has trailing bytes.
/// A certificate with no evidence extension parses (its `extensions` is empty).
inline result<certificate_info> parse_certificate(bytes_view in) {
    ppx::detail::clear_errors_on_exit clear;
    if (in.size() > max_certificate_size) return fail(errc::limit_exceeded, "ratls: certificate too large");
    if (in.empty()) return fail(errc::malformed, "ratls: empty certificate");
    ppx::detail::x509_ptr cert;
    if (in[0] == 0x30) {
        const unsigned char* p = in.data();
        cert.reset(d2i_X509(nullptr, &p, static_cast<long>(in.size())));
        if (cert && p != in.data() + in.size()) return fail(errc::malformed, "ratls: trailing bytes after certificate");
    } else {
        std::unique_ptr<BIO, ppx::detail::free_fn<BIO_free>> bio(BIO_new_mem_buf(in.data(), static_cast<int>(in.size())));
        if (bio) cert.reset(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    }
    if (!cert) return fail(errc::malformed, "ratls: certificate does not parse");
    certificate_info info;
    X509* c = cert.get();
    {
        unsigned char* buf = nullptr;
        const int n = i2d_X509(c, &buf);
        if (n <= 0) return ppx::detail::openssl_fail();
        info.der.assign(buf, buf + n);
        OPENSSL_free(buf);
        buf = nullptr;
        const int m = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(c), &buf);
        if (m <= 0) return ppx::detail::openssl_fail();
        info.spki_der.assign(buf, buf + m);
        OPENSSL_free(buf);
    }
    {
        std::unique_ptr<BIO, ppx::detail::free_fn<BIO_free>> bio(BIO_new(BIO_s_mem()));
        if (bio && X509_NAME_print_ex(bio.get(), X509_get_subject_name(c), 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
            char* p = nullptr;
            const long n = BIO_get_mem_data(bio.get(), &p);
            if (n > 0) info.subject.assign(p, static_cast<std::size_t>(n));
        }
    }
    EVP_PKEY* pk = X509_get0_pubkey(c);
    info.self_signed_valid = pk != nullptr && X509_verify(c, pk) == 1;
    PPX_TRY_ASSIGN(info.not_before, detail::time_unix(X509_get0_notBefore(c)));
    PPX_TRY_ASSIGN(info.not_after, detail::time_unix(X509_get0_notAfter(c)));
    const int count = X509_get_ext_count(c);
    for (int i = 0; i < count; ++i) {
        X509_EXTENSION* e = X509_get_ext(c, i);
        const ASN1_OBJECT* o = X509_EXTENSION_get_object(e);
        evidence_extension ex;
        if (detail::oid_is(o, oid::ccc_evidence)) ex.kind = extension_kind::ccc_evidence;
        else if (detail::oid_is(o, oid::ccc_endorsements)) ex.kind = extension_kind::ccc_endorsements;
        else if (detail::oid_is(o, oid::gramine_legacy)) ex.kind = extension_kind::gramine_legacy_sgx;
        else if (detail::oid_is(o, oid::intel_sgx)) ex.kind = extension_kind::intel_sgx_legacy;
        else continue;
        for (const auto& prev : info.extensions)
            if (prev.kind == ex.kind) return fail(errc::malformed, "ratls: duplicate evidence extension");
        ex.oid = detail::oid_text(o);
        ex.critical = X509_EXTENSION_get_critical(e) != 0;
        // CCC formats: evidence and endorsement extensions must not be marked critical.
        if (ex.critical) return fail(errc::malformed, "ratls: evidence extension marked critical");
        const ASN1_OCTET_STRING* v = X509_EXTENSION_get_data(e);
        ex.value.assign(ASN1_STRING_get0_data(v), ASN1_STRING_get0_data(v) + ASN1_STRING_length(v));
        if (ex.kind == extension_kind::ccc_evidence) {
            PPX_TRY_ASSIGN(auto ev, cbor::decode_tagged_evidence(ex.value));
            PPX_TRY_ASSIGN(auto cl, cbor::decode_claims(ev.claims_buffer));
            info.evidence = std::move(ev);
            info.claims = std::move(cl);
        } else if (ex.kind == extension_kind::ccc_endorsements) {
            // May be empty (rats-rs); when not, it is a CBOR item (CCC formats: same tag as the evidence).
            if (!ex.value.empty()) PPX_TRY(cbor::check_single_item(ex.value));
            info.endorsements = ex.value;
        }
        info.extensions.push_back(std::move(ex));
    }
    return info;
}

/// Result of the binding checks, each true only when it was checked and held.
struct binding {
    bool claims_bind_key = false;       ///< claims pubkey-hash == H(SPKI)
    bool evidence_binds_claims = false; ///< evidence report data commits to the claims buffer
    bool legacy_binds_key = false;      ///< a legacy extension's report_data[0:32] == SHA-256(SPKI)
    /// The certificate's key is bound by the CCC evidence (both of the first two).
    bool bound() const noexcept { return claims_bind_key && evidence_binds_claims; }
};

/// The 64-byte REPORT_DATA ppx's SEV-SNP evidence carries for a claims buffer: SHA-512 of it
/// (fills the field; see docs/ratls.md). Intel quotes carry SHA-256 in the first 32 bytes.
inline std::array<std::uint8_t, 64> snp_report_data_for(bytes_view claims_buffer) noexcept {
    return crypto::digest<crypto::sha512>(claims_buffer);
}

/// Checks the bindings of a parsed certificate (CCC formats §"Evidence Custom Claims"; CCC
/// SGX/TDX formats §"Evidence Data Formats"): pubkey-hash against the SPKI, and the evidence's
/// report data against the claims buffer, for tag 60000 (Intel quote: REPORT_DATA[0:32] =
/// SHA-256(claims-buffer)) and ppx's SEV-SNP tag (REPORT_DATA = SHA-512(claims-buffer)).
/// Legacy quote extensions are checked for REPORT_DATA[0:32] = SHA-256(SPKI). Hash comparisons
/// are constant time. Never fails: unparseable evidence just leaves a flag false.
inline binding check_binding(const certificate_info& info) {
    binding b;
    if (info.claims) {
        const auto h = crypto::digest(info.claims->pubkey_hash_alg, info.spki_der);
        b.claims_bind_key = ct_equal(h, info.claims->pubkey_hash);
    }
    if (info.evidence) {
        const auto& ev = *info.evidence;
        if (ev.tag == cbor::tag_intel_tee_quote) {
            if (auto q = parse_intel_quote(ev.evidence)) {
                const auto h = crypto::digest<crypto::sha256>(ev.claims_buffer);
                b.evidence_binds_claims = ct_equal(h, bytes_view(q->report_data).first(32));
            }
        } else if (ev.tag == cbor::tag_amd_sev_snp) {
            if (auto r = snp::parse_report(ev.evidence)) {
                b.evidence_binds_claims = ct_equal(snp_report_data_for(ev.claims_buffer), r->report_data);
            }
        }
    }
    for (const auto& e : info.extensions) {
        if (e.kind != extension_kind::gramine_legacy_sgx && e.kind != extension_kind::intel_sgx_legacy) continue;
        if (auto q = parse_intel_quote(e.value)) {
            const auto h = crypto::digest<crypto::sha256>(info.spki_der);
            b.legacy_binds_key = b.legacy_binds_key || ct_equal(h, bytes_view(q->report_data).first(32));
        }
    }
    return b;
}

} // namespace ppx::ratls
