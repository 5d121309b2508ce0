// Fuzzes the C2SP signed-note parser and verifier (ppx/merkle/note.hpp).
// Invariants: an accepted note re-serialises to exactly its input (one encoding per note);
// open_note never succeeds on input parse_note refuses; verified signatures come only from
// a configured key.
#include "fuzz.hpp"

#include <ppx/merkle/note.hpp>

using namespace ppx;
using namespace ppx::merkle;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::vector<verifier> keys = [] {
        std::vector<verifier> k;
        for (const char* v : {"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
                              "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8",
                              "witness.stagemole.eu+67f7aea0+BEqSG3yu9YrmcM3BHvQYTxwFj3uSWakQepafafpUqklv",
                              "rekor.sigstore.dev+c0d23d6a+AjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABNhtmPtrWm3U1eQXBogSMdGvXwBcK5AW5i0hrZLOC96l+smGNM7nwZ4QvFK/4sueRoVj//QP22Ni4Qt9DPfkWLc="})
            k.push_back(*verifier::parse(v));
        return k;
    }();
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    auto n = parse_note(in);
    auto opened = open_note(in, keys);
    if (!n) {
        PPX_FUZZ_CHECK(!opened);
        return 0;
    }
    PPX_FUZZ_CHECK(!n->text.empty() && n->text.back() == '\n');
    PPX_FUZZ_CHECK(!n->signatures.empty() && n->signatures.size() <= max_note_signatures);
    std::string again = n->text + "\n";
    for (const auto& s : n->signatures) {
        bytes raw{std::uint8_t(s.id >> 24), std::uint8_t(s.id >> 16), std::uint8_t(s.id >> 8), std::uint8_t(s.id)};
        append(raw, s.sig);
        again += "\xE2\x80\x94 " + s.name + " " + to_base64(raw) + "\n";
    }
    PPX_FUZZ_CHECK(again == in);
    if (opened) {
        PPX_FUZZ_CHECK(opened->text == n->text);
        for (const auto& c : opened->signatures)
            if (c.status == sig_status::verified) PPX_FUZZ_CHECK(keys[c.key].name() == c.name && keys[c.key].id() == c.id);
    }
    return 0;
}
