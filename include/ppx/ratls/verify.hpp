// ppx/ratls/verify.hpp: appraising an RA-TLS certificate received as bytes (how a client gets
// it through OHTTP) or from a TLS peer (tls.hpp): the certificate, the binding of its key to
// the evidence, the SEV-SNP report and chain, and the caller's policy.
#pragma once

#include <ppx/core/bytes.hpp>
#include <ppx/core/ct.hpp>
#include <ppx/core/result.hpp>
#include <ppx/ratls/cert.hpp>
#include <ppx/ratls/evidence.hpp>
#include <ppx/ratls/provider.hpp>
#include <ppx/ratls/snp_verify.hpp>

#include <ctime>
#include <memory>
#include <optional>

namespace ppx::ratls {

/// How certificates are appraised.
struct verify_options {
    /// The SEV-SNP policy (measurements, debug, TCB...). Its `now` also checks the RA-TLS
    /// certificate's own validity; its *_insecure relaxations apply here too.
    snp::policy policy;
    /// The verifier's freshness challenge: when set, the claims must carry an equal "nonce".
    std::optional<bytes> nonce;
    /// VCEK (and chain) to use when the certificate carries no endorsements (e.g. fetched from
    /// AMD KDS by the caller). Ignored when the certificate has them.
    bytes vcek;
    bytes vcek_chain;
    /// Require the "ppx-hpke-public-key" claim.
    bool require_hpke_public_key = false;
};

/// A peer whose certificate verified.
struct attested_peer {
    snp::verified_report report;   ///< the appraised SEV-SNP report
    cbor::claims claims;           ///< its claims (pubkey hash, nonce, HPKE key)
    bytes spki_der;                ///< the attested public key (DER SubjectPublicKeyInfo)
};

/// Verifies RA-TLS certificates with SEV-SNP evidence. Thread-safe (the SNP verifier caches
/// chains under a lock; options are read-only after construction).
class certificate_verifier {
public:
    certificate_verifier(snp::verifier v, verify_options o)
        : snp_(std::make_shared<snp::verifier>(std::move(v))), opts_(std::move(o)) {}
    /// Shares `v`, and so its cache of chain-verified VCEKs, with other verifiers: e.g. one per
    /// attestation (per-attestation options) over one long-lived SNP verifier. `v` must not be null.
    certificate_verifier(std::shared_ptr<snp::verifier> v, verify_options o) : snp_(std::move(v)), opts_(std::move(o)) {}

    /// Appraises a DER (or PEM) certificate. Checks, in order: it parses and its evidence
    /// extensions are well formed (errc::malformed); it is self-signed by its own key
    /// (errc::crypto_failure); it is within its validity (errc::policy); it carries CCC evidence
    /// (errc::malformed) of SEV-SNP type (errc::unsupported: Intel quotes are parsed but not
    /// appraised by ppx); pubkey-hash equals H(SPKI) and REPORT_DATA equals SHA-512(claims
    /// buffer) (errc::key_mismatch; CCC formats §"Evidence Custom Claims"); endorsements decode;
    /// the report verifies under its VCEK, chain and policy (snp::verifier::verify errors);
    /// the nonce matches the challenge (errc::policy); the HPKE key is present when required.
    result<attested_peer> verify(bytes_view certificate) {
        return verify_with_nonce(certificate, opts_.nonce ? std::optional<bytes_view>(bytes_view(*opts_.nonce)) : std::nullopt);
    }

    /// As verify() with a per-call challenge (overrides the options' nonce when set).
    result<attested_peer> verify_with_nonce(bytes_view certificate, std::optional<bytes_view> challenge) {
        PPX_TRY_ASSIGN(auto info, parse_certificate(certificate));
        // RA-TLS certificates are self-signed by the attested key; a bad signature means the
        // certificate was altered after the VM made it.
        if (!info.self_signed_valid) return fail(errc::crypto_failure, "ratls: certificate signature does not verify");
        const auto& pol = opts_.policy;
        if (!pol.ignore_cert_time_insecure) {
            const std::int64_t now = pol.now ? *pol.now : static_cast<std::int64_t>(std::time(nullptr));
            if (now < info.not_before || now > info.not_after) return fail(errc::policy, "ratls: certificate not valid now");
        }
        if (!info.evidence || !info.claims) return fail(errc::malformed, "ratls: certificate carries no CCC evidence");
        if (info.evidence->tag != cbor::tag_amd_sev_snp) return fail(errc::unsupported, "ratls: only SEV-SNP evidence is appraised");
        // CCC formats §"Evidence Custom Claims": pubkey-hash = H(SPKI DER).
        const auto b = check_binding(info);
        if (!b.claims_bind_key) return fail(errc::key_mismatch, "ratls: pubkey-hash does not match the certificate key");
        if (!b.evidence_binds_claims) return fail(errc::key_mismatch, "ratls: report data does not commit to the claims");
        bytes_view vcek = opts_.vcek, chain = opts_.vcek_chain;
        std::optional<cbor::tagged_evidence> endorse;
        if (info.endorsements && !info.endorsements->empty()) {
            PPX_TRY_ASSIGN(endorse, decode_snp_endorsements(*info.endorsements));
            vcek = endorse->evidence;
            chain = endorse->claims_buffer;
        }
        if (vcek.empty()) return fail(errc::key_mismatch, "ratls: no VCEK for the report");
        // REPORT_DATA is checked above against the claims; the SNP policy's own report_data
        // option still applies if the caller set it.
        PPX_TRY_ASSIGN(auto rep, snp_->verify(info.evidence->evidence, vcek, pol, chain));
        if (challenge) {
            if (!info.claims->nonce || !ct_equal(*info.claims->nonce, *challenge)) return fail(errc::policy, "ratls: nonce does not match the challenge");
        }
        if (opts_.require_hpke_public_key && !info.claims->hpke_public_key) return fail(errc::policy, "ratls: no HPKE key claim");
        attested_peer out;
        out.report = std::move(rep);
        out.claims = std::move(*info.claims);
        out.spki_der = std::move(info.spki_der);
        return out;
    }

    const verify_options& options() const noexcept { return opts_; }
    snp::verifier& snp_verifier() noexcept { return *snp_; }

private:
    std::shared_ptr<snp::verifier> snp_;
    verify_options opts_;
};

} // namespace ppx::ratls
