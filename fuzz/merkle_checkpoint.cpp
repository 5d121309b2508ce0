// Fuzzes checkpoint parsing and checkpoint verification under a policy
// (ppx/merkle/checkpoint.hpp, policy.hpp). Invariants: an accepted checkpoint body formats
// back to exactly its input; a checkpoint that satisfies the policy has a body that parses
// and the policy's origin.
#include "fuzz.hpp"

#include <ppx/merkle/policy.hpp>

using namespace ppx;
using namespace ppx::merkle;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const trust_policy policy = [] {
        trust_policy p = trust_policy::log_only(*verifier::parse("log2025-1.rekor.sigstore.dev+cf119915+AbfK5adZJxsI323FwGD2AJJ9F4i89cfDuLdGJBIYntuO"));
        p.witnesses.push_back(*verifier::parse("witness.stagemole.eu+67f7aea0+BEqSG3yu9YrmcM3BHvQYTxwFj3uSWakQepafafpUqklv"));
        p.quorum = 1;
        return p;
    }();
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    if (auto c = parse_checkpoint(in)) {
        auto text = format_checkpoint(*c);
        PPX_FUZZ_CHECK(text && *text == in);
    }
    if (auto v = verify_checkpoint(in, policy)) {
        auto n = parse_note(in);
        PPX_FUZZ_CHECK(n.has_value());
        auto c = parse_checkpoint(n->text);
        PPX_FUZZ_CHECK(c && *c == v->body());
        PPX_FUZZ_CHECK(v->origin() == "log2025-1.rekor.sigstore.dev");
        PPX_FUZZ_CHECK(v->witnesses().size() >= 1);
    }
    return 0;
}
