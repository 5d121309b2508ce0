// Fuzzes the RA-TLS certificate/extension parser (ppx/ratls/evidence.hpp).
// Invariants: parsing is deterministic; an accepted certificate's CCC evidence re-encodes to a
// value that decodes to the same fields; the binding check never crashes and its flags are
// consistent with an independent recomputation.
#include "fuzz.hpp"

#include <ppx/ratls/evidence.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto in = ppx::fuzz::input(data, size);
    auto a = ppx::ratls::parse_certificate(in);
    auto b = ppx::ratls::parse_certificate(in);
    PPX_FUZZ_CHECK(a.has_value() == b.has_value());
    if (!a) return 0;
    PPX_FUZZ_CHECK(a->der == b->der && a->spki_der == b->spki_der);
    PPX_FUZZ_CHECK(a->evidence.has_value() == a->claims.has_value());
    const auto bind = ppx::ratls::check_binding(*a);
    if (a->evidence) {
        const auto& ev = *a->evidence;
        auto re = ppx::ratls::cbor::decode_tagged_evidence(ppx::ratls::cbor::encode_tagged_evidence(ev.tag, ev.evidence, ev.claims_buffer));
        PPX_FUZZ_CHECK(re && re->tag == ev.tag && re->evidence == ev.evidence && re->claims_buffer == ev.claims_buffer);
        const auto h = ppx::crypto::digest(a->claims->pubkey_hash_alg, a->spki_der);
        PPX_FUZZ_CHECK(bind.claims_bind_key == ppx::equal_bytes(h, a->claims->pubkey_hash));
    } else {
        PPX_FUZZ_CHECK(!bind.claims_bind_key && !bind.evidence_binds_claims);
    }
    return 0;
}
