// Fuzzes the SEV-SNP report parser (ppx/ratls/snp_report.hpp).
// Invariant: an accepted report serialises back to exactly the input bytes (every reserved
// byte is checked, so nothing unparsed can hide in an accepted report), and the signature
// conversion never reads or writes out of bounds.
#include "fuzz.hpp"

#include <ppx/ratls/snp_report.hpp>

#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace snp = ppx::ratls::snp;
    const auto in = ppx::fuzz::input(data, size);
    auto r = snp::parse_report(in);
    if (!r) return 0;
    std::uint8_t out[snp::report_size];
    auto n = snp::serialize_report(*r, out);
    PPX_FUZZ_CHECK(n && *n == snp::report_size && std::memcmp(out, data, snp::report_size) == 0);
    std::array<std::uint8_t, snp::max_der_signature_size> der;
    auto d = snp::signature_to_der(r->sig_r, r->sig_s, der);
    if (d) PPX_FUZZ_CHECK(*d <= der.size() && der[0] == 0x30);
    for (auto p : {snp::product::milan, snp::product::turin}) {
        const auto t = snp::tcb_version::decode(r->reported_tcb, p);
        PPX_FUZZ_CHECK(snp::tcb_version::decode(t.encode(p), p) == t);
    }
    return 0;
}
