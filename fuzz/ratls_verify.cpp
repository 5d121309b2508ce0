// Fuzzes whole RA-TLS certificate verification (ppx/ratls/verify.hpp) against AMD's pinned
// roots. Invariant: no input verifies unless it is genuinely bound and AMD-signed, which a
// fuzzer cannot produce, so acceptance is a bug; when it is rejected for policy or crypto
// reasons, the certificate must at least have parsed and (for policy) be bound.
#include "fuzz.hpp"

#include <ppx/ratls/verify.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static auto store = ppx::ratls::snp::trust_store::builtin();
    PPX_FUZZ_CHECK(store.has_value());
    ppx::ratls::verify_options o;
    o.policy.allow_any_measurement_insecure = true;
    o.policy.ignore_cert_time_insecure = true;
    ppx::ratls::certificate_verifier v(ppx::ratls::snp::verifier(*store), o);
    const auto in = ppx::fuzz::input(data, size);
    auto r = v.verify(in);
    PPX_FUZZ_CHECK(!r.has_value());
    if (r.error() == ppx::errc::key_mismatch || r.error() == ppx::errc::policy) {
        auto info = ppx::ratls::parse_certificate(in);
        PPX_FUZZ_CHECK(info.has_value() && info->self_signed_valid);
    }
    return 0;
}
