// ppx/ratls/snp_cert.hpp: AMD SEV-SNP certificates: the VCEK/VLEK and its AMD extensions,
// the ARK/ASK trust store (AMD roots pinned and compiled in), chain and CRL checks.
//
// References: AMD "Versioned Chip Endorsement Key (VCEK) Certificate and KDS Interface
// Specification" #57230 (cited "VCEK spec"): §2 (chain ARK -> ASK -> VCEK, RSASSA-PSS SHA-384),
// Table 8/11 (VCEK extensions 1.3.6.1.4.1.3704.1.*), and ../shared/specs/amd-sev-snp-attestation-report-layout.md.
#pragma once

#include <ppx/core/bytes.hpp>
#include <ppx/core/result.hpp>
#include <ppx/crypto/hash.hpp>
#include <ppx/detail/openssl.hpp>
#include <ppx/ratls/snp_report.hpp>
#include <ppx/ratls/snp_roots.hpp>

#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ppx::ratls::snp {

using x509_ptr = ppx::detail::x509_ptr;
using x509_crl_ptr = std::unique_ptr<X509_CRL, ppx::detail::free_fn<X509_CRL_free>>;

/// Upper bound on the size of any certificate, chain or CRL ppx accepts here (AMD's are < 3 KiB
/// each; a KDS CRL is < 2 KiB). Larger inputs fail with errc::limit_exceeded.
inline constexpr std::size_t max_cert_input = 256 * 1024;

/// Parses one or more certificates: a single DER certificate, or PEM text holding one or more
/// "CERTIFICATE" blocks (e.g. a KDS cert_chain: ASK then ARK). Fails with errc::malformed if
/// nothing parses or DER input has trailing bytes.
inline result<std::vector<x509_ptr>> load_certificates(bytes_view in) {
    ppx::detail::clear_errors_on_exit clear;
    if (in.size() > max_cert_input) return fail(errc::limit_exceeded, "snp: certificate input too large");
    std::vector<x509_ptr> out;
    if (in.empty()) return fail(errc::malformed, "snp: empty certificate input");
    if (in[0] == 0x30) {
        const unsigned char* p = in.data();
        x509_ptr c(d2i_X509(nullptr, &p, static_cast<long>(in.size())));
        if (!c || p != in.data() + in.size()) return fail(errc::malformed, "snp: bad DER certificate");
        out.push_back(std::move(c));
        return out;
    }
    std::unique_ptr<BIO, ppx::detail::free_fn<BIO_free>> bio(BIO_new_mem_buf(in.data(), static_cast<int>(in.size())));
    if (!bio) return ppx::detail::openssl_fail();
    while (true) {
        x509_ptr c(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
        if (!c) break;
        out.push_back(std::move(c));
        if (out.size() > 16) return fail(errc::limit_exceeded, "snp: too many certificates");
    }
    if (out.empty()) return fail(errc::malformed, "snp: no certificate found");
    return out;
}

/// DER encoding of a certificate.
inline bytes to_der(X509* c) {
    unsigned char* buf = nullptr;
    const int n = i2d_X509(c, &buf);
    if (n <= 0) return {};
    bytes out(buf, buf + n);
    OPENSSL_free(buf);
    return out;
}

namespace detail {
inline result<std::int64_t> asn1_time_unix(const ASN1_TIME* t) noexcept {
    std::tm tm{};
    if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return ppx::detail::openssl_fail(errc::malformed, "snp: bad certificate time");
    return static_cast<std::int64_t>(timegm(&tm));
}

/// The DER value of extension `oid` (dotted text), or nullopt if absent or present twice
/// (RFC 5280 §4.2: a certificate must not include more than one instance of an extension).
inline std::optional<bytes_view> extension_value(const X509* c, const char* oid) noexcept {
    std::unique_ptr<ASN1_OBJECT, ppx::detail::free_fn<ASN1_OBJECT_free>> obj(OBJ_txt2obj(oid, 1));
    if (!obj) return std::nullopt;
    const int idx = X509_get_ext_by_OBJ(c, obj.get(), -1);
    if (idx < 0 || X509_get_ext_by_OBJ(c, obj.get(), idx) >= 0) return std::nullopt;
    const ASN1_OCTET_STRING* v = X509_EXTENSION_get_data(X509_get_ext(c, idx));
    if (v == nullptr) return std::nullopt;
    return bytes_view(ASN1_STRING_get0_data(v), static_cast<std::size_t>(ASN1_STRING_length(v)));
}

/// Decodes a DER INTEGER that must be in [0, 255] (the SPL extensions).
inline result<std::uint8_t> der_small_uint(bytes_view v) noexcept {
    // 02 01 xx, or 02 02 00 xx for values >= 0x80.
    if (v.size() == 3 && v[0] == 0x02 && v[1] == 0x01 && v[2] < 0x80) return v[2];
    if (v.size() == 4 && v[0] == 0x02 && v[1] == 0x02 && v[2] == 0x00 && v[3] >= 0x80) return v[3];
    return fail(errc::malformed, "snp: VCEK SPL extension is not a DER INTEGER in [0, 255]");
}

/// Checks `child` is signed by `parent` with RSASSA-PSS/SHA-384 and names it as issuer (VCEK spec §2).
inline result<void> verify_issued_by(X509* child, X509* parent) noexcept {
    ppx::detail::clear_errors_on_exit clear;
    if (X509_NAME_cmp(X509_get_issuer_name(child), X509_get_subject_name(parent)) != 0)
        return fail(errc::key_mismatch, "snp: certificate issuer does not name its parent");
    // VCEK spec §2: ARK, ASK and VCEK signatures are RSASSA-PSS with SHA-384.
    if (X509_get_signature_nid(child) != NID_rsassaPss) return fail(errc::unsupported, "snp: certificate signature is not RSASSA-PSS");
    int md = 0, pk = 0, bits = 0;
    std::uint32_t flags = 0;
    if (X509_get_signature_info(child, &md, &pk, &bits, &flags) != 1 || md != NID_sha384)
        return fail(errc::unsupported, "snp: certificate signature hash is not SHA-384");
    EVP_PKEY* key = X509_get0_pubkey(parent);
    if (key == nullptr || EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) return fail(errc::unsupported, "snp: issuer key is not RSA");
    if (X509_verify(child, key) != 1) return fail(errc::crypto_failure, "snp: certificate signature does not verify");
    return ok();
}
} // namespace detail

/// What a VCEK (or VLEK) certificate says, from its AMD extensions (VCEK spec Table 8/11).
struct vcek_fields {
    bool vlek = false;                  ///< true when the certificate carries cspID (.5): a VLEK
    std::uint8_t struct_version = 0;    ///< .1: 0 Milan/Genoa, 1 Turin
    std::string product_name;           ///< .2: "Milan-B0", "Genoa", "Turin"...
    snp::product product = product::unknown;
    tcb_version tcb;                    ///< .3.1 blSPL, .3.2 teeSPL, .3.3 snpSPL, .3.8 ucodeSPL, .3.9 fmcSPL
    bytes hw_id;                        ///< .4 raw: 64 bytes (Milan/Genoa) or 8 (Turin); empty for a VLEK
    std::string csp_id;                 ///< .5 (VLEK only)
    std::int64_t not_before = 0, not_after = 0;  ///< validity, Unix seconds
};

/// A parsed VCEK/VLEK: its fields and its P-384 public key. Immutable once built.
class vcek {
public:
    /// Parses a DER or PEM VCEK/VLEK. Fails with errc::malformed when an AMD extension is
    /// missing or mis-encoded, errc::unsupported when the key is not EC P-384 or the product is
    /// unknown.
    static result<vcek> parse(bytes_view der_or_pem) {
        PPX_TRY_ASSIGN(auto certs, load_certificates(der_or_pem));
        if (certs.size() != 1) return fail(errc::malformed, "snp: expected exactly one VCEK certificate");
        return from_x509(std::move(certs[0]));
    }

    /// Takes ownership of an X509 and parses it as above.
    static result<vcek> from_x509(x509_ptr cert) {
        ppx::detail::clear_errors_on_exit clear;
        vcek v;
        X509* c = cert.get();
        EVP_PKEY* key = X509_get0_pubkey(c);
        if (key == nullptr || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) return fail(errc::unsupported, "snp: VCEK key is not EC");
        char group[32] = {};
        std::size_t glen = 0;
        if (EVP_PKEY_get_group_name(key, group, sizeof group, &glen) != 1 || std::string_view(group) != "secp384r1")
            return fail(errc::unsupported, "snp: VCEK key is not P-384");
        auto& f = v.fields_;
        auto sv = detail::extension_value(c, "1.3.6.1.4.1.3704.1.1");
        if (!sv) return fail(errc::malformed, "snp: VCEK lacks structVersion");
        PPX_TRY_ASSIGN(f.struct_version, detail::der_small_uint(*sv));
        auto pn = detail::extension_value(c, "1.3.6.1.4.1.3704.1.2");
        // productName is an IA5String: 16 len chars (short form).
        if (!pn || pn->size() < 2 || (*pn)[0] != 0x16 || (*pn)[1] != pn->size() - 2)
            return fail(errc::malformed, "snp: VCEK productName missing or not an IA5String");
        f.product_name.assign(reinterpret_cast<const char*>(pn->data() + 2), pn->size() - 2);
        f.product = product_from_name(f.product_name);
        if (f.product == product::unknown) return fail(errc::unsupported, "snp: unknown VCEK product");
        // VCEK spec Table 11: Turin certificates are structVersion 1, earlier products 0.
        if (f.struct_version != (uses_turin_tcb(f.product) ? 1 : 0)) return fail(errc::malformed, "snp: VCEK structVersion does not match product");
        auto spl = [&](const char* oid, std::uint8_t& dst) -> result<void> {
            auto e = detail::extension_value(c, oid);
            if (!e) return fail(errc::malformed, "snp: VCEK lacks an SPL extension");
            PPX_TRY_ASSIGN(dst, detail::der_small_uint(*e));
            return ok();
        };
        PPX_TRY(spl("1.3.6.1.4.1.3704.1.3.1", f.tcb.bootloader));
        PPX_TRY(spl("1.3.6.1.4.1.3704.1.3.2", f.tcb.tee));
        PPX_TRY(spl("1.3.6.1.4.1.3704.1.3.3", f.tcb.snp));
        PPX_TRY(spl("1.3.6.1.4.1.3704.1.3.8", f.tcb.microcode));
        if (uses_turin_tcb(f.product)) PPX_TRY(spl("1.3.6.1.4.1.3704.1.3.9", f.tcb.fmc));
        if (auto csp = detail::extension_value(c, "1.3.6.1.4.1.3704.1.5")) {
            f.vlek = true;
            if (csp->size() >= 2 && (*csp)[0] == 0x16 && (*csp)[1] == csp->size() - 2)
                f.csp_id.assign(reinterpret_cast<const char*>(csp->data() + 2), csp->size() - 2);
        }
        if (auto hw = detail::extension_value(c, "1.3.6.1.4.1.3704.1.4")) {
            // VCEK spec Table 8: hwID is the raw CHIP_ID (64 bytes), Table 11: 8 bytes on Turin.
            const std::size_t want = uses_turin_tcb(f.product) ? 8 : 64;
            if (hw->size() != want) return fail(errc::malformed, "snp: VCEK hwID has the wrong length");
            f.hw_id.assign(hw->begin(), hw->end());
        } else if (!f.vlek) {
            return fail(errc::malformed, "snp: VCEK lacks hwID");
        }
        PPX_TRY_ASSIGN(f.not_before, detail::asn1_time_unix(X509_get0_notBefore(c)));
        PPX_TRY_ASSIGN(f.not_after, detail::asn1_time_unix(X509_get0_notAfter(c)));
        v.der_ = to_der(c);
        v.key_.reset(X509_get_pubkey(c));
        if (!v.key_) return ppx::detail::openssl_fail();
        v.cert_ = std::move(cert);
        return v;
    }

    const vcek_fields& fields() const noexcept { return fields_; }
    /// The P-384 public key (owned by this object).
    EVP_PKEY* key() const noexcept { return key_.get(); }
    X509* x509() const noexcept { return cert_.get(); }
    /// The certificate's DER encoding.
    bytes_view der() const noexcept { return der_; }

private:
    vcek_fields fields_;
    x509_ptr cert_;
    ppx::detail::evp_pkey_ptr key_;
    bytes der_;
};

/// Checks that a VCEK vouches for this report (VCEK spec §3 and ABI Table 23 REPORTED_TCB):
/// the signing key kind matches (VCEK vs VLEK), the report's CPUID product (version >= 3)
/// equals the certificate's, hwID equals CHIP_ID (its first 8 bytes on Turin) unless
/// MASK_CHIP_KEY is set, and every SPL equals the REPORTED_TCB component (decoded with the
/// product's layout). Fails with errc::key_mismatch naming the first mismatch.
inline result<void> check_vcek_matches(const report& r, const vcek_fields& f) noexcept {
    const auto sk = r.signing_key();
    if (sk == signing_key::none) return fail(errc::key_mismatch, "snp: report is not signed (SIGNING_KEY = none)");
    if ((sk == signing_key::vlek) != f.vlek) return fail(errc::key_mismatch, "snp: report signing key kind does not match the certificate");
    if (r.version >= 3 && r.cpuid_product() != f.product) return fail(errc::key_mismatch, "snp: report CPUID product does not match the VCEK");
    if (!f.vlek && !r.mask_chip_key()) {
        if (!equal_bytes(f.hw_id, bytes_view(r.chip_id).first(f.hw_id.size())))
            return fail(errc::key_mismatch, "snp: VCEK hwID does not match CHIP_ID");
        if (uses_turin_tcb(f.product) && !ct_is_zero(bytes_view(r.chip_id).subspan(8)))
            return fail(errc::key_mismatch, "snp: Turin CHIP_ID has bytes beyond the 8-byte hwID");
    }
    if (tcb_version::decode(r.reported_tcb, f.product) != f.tcb)
        return fail(errc::key_mismatch, "snp: VCEK TCB does not equal REPORTED_TCB");
    // Reserved TCB bytes must be zero, or two different raw values would match one certificate.
    if (tcb_version::decode(r.reported_tcb, f.product).encode(f.product) != r.reported_tcb)
        return fail(errc::malformed, "snp: reserved REPORTED_TCB bytes not zero");
    return ok();
}

/// One trust anchor: a product's ARK (self-signed RSA root) and the intermediates (ASK, ASVK)
/// already verified under it.
struct anchor {
    snp::product product = product::unknown;
    x509_ptr ark;
    std::vector<x509_ptr> intermediates;
    bool amd = false;  ///< one of the compiled-in, pinned AMD roots
    std::int64_t not_after = 0;  ///< earliest expiry among the ARK and intermediates
};

/// A set of trusted ARKs. Immutable after construction; share it through
/// std::shared_ptr<const trust_store>. The default (builtin()) holds exactly AMD's pinned
/// Milan, Genoa and Turin roots; anything else (a test root) must be added explicitly.
class trust_store {
public:
    /// An empty store: trusts nothing.
    trust_store() = default;

    /// AMD's ARK and ASK for Milan, Genoa and Turin, compiled in (snp_roots.hpp). Each ARK's DER
    /// must hash to its pinned SHA-256 and be self-signed; each ASK must verify under it. Built
    /// once per process. Fails with errc::internal if a compiled-in certificate does not check.
    static result<std::shared_ptr<const trust_store>> builtin() {
        static const result<std::shared_ptr<const trust_store>> store = [] () -> result<std::shared_ptr<const trust_store>> {
            auto s = std::make_shared<trust_store>();
            struct entry { product p; std::string_view ark, ask; const std::array<std::uint8_t, 32>& pin; };
            const entry es[] = {{product::milan, roots::ark_milan_pem, roots::ask_milan_pem, roots::ark_milan_sha256},
                                {product::genoa, roots::ark_genoa_pem, roots::ask_genoa_pem, roots::ark_genoa_sha256},
                                {product::turin, roots::ark_turin_pem, roots::ask_turin_pem, roots::ark_turin_sha256}};
            for (const auto& e : es) {
                auto ark = load_certificates(as_bytes(e.ark));
                if (!ark || ark->size() != 1) return fail(errc::internal, "snp: builtin ARK does not parse");
                const auto der = to_der((*ark)[0].get());
                const auto h = crypto::digest<crypto::sha256>(der);
                if (!equal_bytes(h, e.pin)) return fail(errc::internal, "snp: builtin ARK does not match its pin");
                auto r = s->add_root_impl(e.p, as_bytes(e.ark), as_bytes(e.ask), true);
                if (!r) return fail(errc::internal, "snp: builtin AMD chain does not verify");
            }
            return std::shared_ptr<const trust_store>(std::move(s));
        }();
        return store;
    }

    /// Trusts a root that is not one of AMD's: `ark` (DER or PEM, self-signed RSA-PSS/SHA-384)
    /// for `product`, with intermediates `intermediates_pem` (ASK/ASVK, PEM or DER, each must
    /// verify under the ARK). This is how tests trust the simulated provider's chain; nothing
    /// trusts such a root unless this is called. Fails with errc::crypto_failure if a signature
    /// does not verify, errc::malformed if a certificate does not parse.
    result<void> add_root(product p, bytes_view ark, bytes_view intermediates) {
        return add_root_impl(p, ark, intermediates, false);
    }

    /// The anchors (for inspection and the tool).
    const std::vector<anchor>& anchors() const noexcept { return anchors_; }

private:
    result<void> add_root_impl(product p, bytes_view ark_in, bytes_view inter_in, bool amd) {
        if (p == product::unknown) return fail(errc::misuse, "snp: root needs a product");
        PPX_TRY_ASSIGN(auto arks, load_certificates(ark_in));
        if (arks.size() != 1) return fail(errc::malformed, "snp: expected one ARK");
        anchor a;
        a.product = p;
        a.amd = amd;
        a.ark = std::move(arks[0]);
        // VCEK spec §2: the ARK is self-signed.
        PPX_TRY(detail::verify_issued_by(a.ark.get(), a.ark.get()));
        PPX_TRY_ASSIGN(a.not_after, detail::asn1_time_unix(X509_get0_notAfter(a.ark.get())));
        if (!inter_in.empty()) {
            PPX_TRY_ASSIGN(auto inter, load_certificates(inter_in));
            for (auto& i : inter) {
                if (X509_cmp(i.get(), a.ark.get()) == 0) continue;  // a chain file may repeat the ARK
                PPX_TRY(detail::verify_issued_by(i.get(), a.ark.get()));
                PPX_TRY_ASSIGN(auto na, detail::asn1_time_unix(X509_get0_notAfter(i.get())));
                a.not_after = std::min(a.not_after, na);
                a.intermediates.push_back(std::move(i));
            }
        }
        anchors_.push_back(std::move(a));
        return ok();
    }

    std::vector<anchor> anchors_;
};

/// What a successful chain check found.
struct chain_result {
    const anchor* root = nullptr;        ///< the trusted anchor (owned by the trust store)
    std::int64_t not_before = 0;         ///< latest notBefore along VCEK, intermediate, ARK
    std::int64_t not_after = 0;          ///< earliest notAfter along the chain
};

/// Verifies VCEK <- intermediate <- ARK (VCEK spec §2) against `store`. The intermediate is taken
/// from `extra` (certificates that came with the evidence, e.g. a KDS cert_chain) or from the
/// store. An ARK in `extra` must be one the store trusts, byte for byte. If `crl` is given (a
/// DER/PEM X509 CRL issued by the ARK, as KDS serves), the intermediate's serial must not be on
/// it, and the CRL's signature must verify under the ARK. Fails with errc::key_mismatch if no
/// trusted anchor of the VCEK's product issued it (including when a same-named intermediate's
/// signature does not verify), errc::crypto_failure when the CRL's signature does not verify,
/// errc::policy if a certificate is revoked.
inline result<chain_result> verify_chain(const vcek& v, const trust_store& store, const std::vector<x509_ptr>& extra,
                                         bytes_view crl = {}) {
    ppx::detail::clear_errors_on_exit clear;
    for (const auto& e : extra) {
        if (X509_check_issued(e.get(), e.get()) != X509_V_OK) continue;  // not self-issued
        bool known = false;
        for (const auto& a : store.anchors()) known = known || X509_cmp(a.ark.get(), e.get()) == 0;
        if (!known) return fail(errc::key_mismatch, "snp: chain carries an untrusted root");
    }
    x509_crl_ptr crl_obj;
    if (!crl.empty()) {
        if (crl.size() > max_cert_input) return fail(errc::limit_exceeded, "snp: CRL too large");
        if (crl[0] == 0x30) {
            const unsigned char* p = crl.data();
            crl_obj.reset(d2i_X509_CRL(nullptr, &p, static_cast<long>(crl.size())));
            if (crl_obj && p != crl.data() + crl.size()) crl_obj.reset();
        } else {
            std::unique_ptr<BIO, ppx::detail::free_fn<BIO_free>> bio(BIO_new_mem_buf(crl.data(), static_cast<int>(crl.size())));
            if (bio) crl_obj.reset(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
        }
        if (!crl_obj) return fail(errc::malformed, "snp: CRL does not parse");
    }
    X509* vc = v.x509();
    for (const auto& a : store.anchors()) {
        if (a.product != v.fields().product) continue;
        std::vector<X509*> cands;
        for (const auto& e : extra) cands.push_back(e.get());
        for (const auto& i : a.intermediates) cands.push_back(i.get());
        for (X509* inter : cands) {
            if (X509_NAME_cmp(X509_get_issuer_name(vc), X509_get_subject_name(inter)) != 0) continue;
            if (X509_cmp(inter, a.ark.get()) == 0) continue;
            // Both links must hold: the intermediate under this trusted ARK, the VCEK under it.
            if (!detail::verify_issued_by(inter, a.ark.get())) continue;
            // A same-named intermediate that did not sign this VCEK: try the next candidate.
            if (!detail::verify_issued_by(vc, inter)) continue;
            chain_result cr;
            cr.root = &a;
            PPX_TRY_ASSIGN(auto inb, detail::asn1_time_unix(X509_get0_notBefore(inter)));
            PPX_TRY_ASSIGN(auto ina, detail::asn1_time_unix(X509_get0_notAfter(inter)));
            PPX_TRY_ASSIGN(auto anb, detail::asn1_time_unix(X509_get0_notBefore(a.ark.get())));
            PPX_TRY_ASSIGN(auto ana, detail::asn1_time_unix(X509_get0_notAfter(a.ark.get())));
            cr.not_before = std::max({v.fields().not_before, inb, anb});
            cr.not_after = std::min({v.fields().not_after, ina, ana});
            if (crl_obj) {
                // RFC 5280 §6.3: the CRL must be issued and signed by the certificate's issuer.
                X509* crl_issuer = nullptr;
                X509* checked = nullptr;
                if (X509_NAME_cmp(X509_CRL_get_issuer(crl_obj.get()), X509_get_subject_name(a.ark.get())) == 0)
                    crl_issuer = a.ark.get(), checked = inter;
                else if (X509_NAME_cmp(X509_CRL_get_issuer(crl_obj.get()), X509_get_subject_name(inter)) == 0)
                    crl_issuer = inter, checked = vc;
                if (crl_issuer == nullptr) return fail(errc::key_mismatch, "snp: CRL issuer is not in the chain");
                if (X509_CRL_verify(crl_obj.get(), X509_get0_pubkey(crl_issuer)) != 1)
                    return fail(errc::crypto_failure, "snp: CRL signature does not verify");
                X509_REVOKED* rev = nullptr;
                if (X509_CRL_get0_by_cert(crl_obj.get(), &rev, checked) == 1)
                    return fail(errc::policy, "snp: certificate revoked");
            }
            return cr;
        }
    }
    return fail(errc::key_mismatch, "snp: VCEK does not chain to a trusted root");
}

} // namespace ppx::ratls::snp
