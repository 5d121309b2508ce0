// ppx/session/attestation.hpp: a VM's per-session attestation (docs/PROTOCOL.md §3.2, §4.4).
//
// The client's attestation lookup carries a fresh nonce; the gateway asks the chosen VM for a
// bundle made for it (gw_attest). The VM makes a new RA-TLS certificate whose claims carry the
// nonce and its HPKE key config, so the SEV-SNP report's REPORT_DATA = SHA-512(claims) binds
// both (CCC RA-TLS; ratls/cert.hpp), and staples the log's proof of its measurement.
#pragma once
#include <ppx/session/vm.hpp>

namespace ppx::session {

/// Validity of a per-session certificate (seconds after its not_before, which is now - 60).
inline constexpr std::int64_t attestation_validity = 3600;

/// An encoded attestation_bundle for `nonce` (attestation_nonce_size bytes): a fresh RA-TLS
/// certificate from `provider` (the VM's SEV-SNP firmware) carrying `nonce` and id's key config,
/// dated at `now` (UNIX seconds), with `checkpoint` and `measurement` (the log's proof of the
/// VM's launch measurement) stapled. `r` draws the certificate key and serial. Errors:
/// errc::malformed for a nonce of the wrong size; otherwise the provider's or
/// ratls::create_certificate's.
inline result<bytes> make_attestation_bundle(ratls::evidence_provider& provider, const vm_identity& id, bytes_view nonce,
                                             std::string_view checkpoint, const stapled_proof& measurement, std::uint64_t now,
                                             rng& r) {
    if (nonce.size() != attestation_nonce_size) return fail(errc::malformed, "session: attestation nonce size");
    ratls::certificate_options o;
    o.common_name = "ppx private processing VM";
    o.not_before = static_cast<std::int64_t>(now) - 60;
    o.validity_seconds = attestation_validity;
    o.nonce = to_bytes(nonce);
    o.hpke_public_key = to_bytes(id.key_config());
    PPX_TRY_ASSIGN(auto cert, ratls::create_certificate(provider, o, r));
    return attestation_bundle{std::move(cert.der), std::string(checkpoint), measurement}.encode();
}

} // namespace ppx::session
