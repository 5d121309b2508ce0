// ppx log inclusion|consistency|verify-note|serve|keygen|cosign (RFC 9162 proofs, C2SP signed
// notes and checkpoints, tlog-tiles), as ../shared/CLI.md specifies.
#include "cli.hpp"

#include <ppx/merkle.hpp>

#ifdef PPX_HAVE_HTTPLIB
#include "server.hpp"

#include <mutex>
#endif

#include <iostream>
#include <iterator>
#include <set>

namespace ppx::cli {
namespace {

using namespace ppx::merkle;

// "HEX[,HEX...]" ("" is the empty proof). Lengths are checked by the verifier (exit 1).
std::vector<bytes> proof_arg(const std::string& s) {
    std::vector<bytes> out;
    if (s.empty()) return out;
    std::size_t pos = 0;
    for (;;) {
        const std::size_t comma = s.find(',', pos);
        out.push_back(read_value(s.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos), "--proof"));
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
    return out;
}

std::vector<bytes_view> views(const std::vector<bytes>& v) { return {v.begin(), v.end()}; }

int inclusion(const std::vector<std::string>& argv) {
    args a(argv, {"index", "size", "root", "leaf", "leaf-hash", "proof"}, {});
    if (a.has("leaf") == a.has("leaf-hash")) throw usage_error("give exactly one of --leaf and --leaf-hash");
    const bytes leaf = a.has("leaf") ? to_bytes(leaf_hash(read_value(*a.get("leaf"), "--leaf"))) : read_value(*a.get("leaf-hash"), "--leaf-hash");
    const auto proof = proof_arg(a.required("proof"));
    check(verify_inclusion_raw(a.required_uint("index"), a.required_uint("size"), leaf, views(proof), read_value(a.required("root"), "--root")),
          "inclusion");
    return emit({{"valid", true}});
}

int consistency(const std::vector<std::string>& argv) {
    args a(argv, {"size1", "size2", "root1", "root2", "proof"}, {});
    const auto proof = proof_arg(a.required("proof"));
    check(verify_consistency_raw(a.required_uint("size1"), a.required_uint("size2"), read_value(a.required("root1"), "--root1"),
                                 read_value(a.required("root2"), "--root2"), views(proof)),
          "consistency");
    return emit({{"valid", true}});
}

std::string read_text(const std::string& path) {
    if (path == "-") return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    auto b = read_file(path);
    return std::string(as_chars(b));
}

int verify_note(const std::vector<std::string>& argv) {
    args a(argv, {"vkey", "quorum"}, {}, 1);
    const std::string text = read_text(a.positional_required(0, "NOTE_FILE"));
    std::vector<verifier> keys;
    for (const auto& v : a.all("vkey")) {
        auto k = verifier::parse(v);
        if (!k) throw usage_error("--vkey " + v + ": " + k.error().what);
        keys.push_back(std::move(*k));
    }
    if (keys.empty()) throw usage_error("at least one --vkey is needed");
    const std::size_t quorum = a.has("quorum") ? a.required_uint("quorum") : keys.size();
    if (quorum == 0 || quorum > keys.size()) throw usage_error("--quorum must be between 1 and the number of --vkey");
    auto n = check(open_note(text, keys), "verify-note");
    std::set<std::size_t> signers;
    json names = json::array();
    for (const auto& s : n.signatures)
        if (s.status == sig_status::verified && signers.insert(s.key).second) names.push_back(s.name);
    if (signers.size() < quorum) throw input_error("policy", "verify-note: " + std::to_string(signers.size()) + " of the keys signed, " + std::to_string(quorum) + " required");
    json out = {{"verified_by", names}};
    if (auto cp = parse_checkpoint(n.text)) {
        out["origin"] = cp->origin;
        out["size"] = cp->size;
        out["root"] = to_hex(cp->root);
    }
    return emit(out);
}

note_signer signer_arg(const std::string& v) {
    std::string s = v;
    if (!s.empty() && s[0] == '@') {
        auto b = read_file(s.substr(1));
        s.assign(b.begin(), b.end());
        wipe(b);
        while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    }
    auto r = note_signer::parse(s);
    wipe(mutable_bytes(reinterpret_cast<std::uint8_t*>(s.data()), s.size()));
    if (!r) throw usage_error(std::string("--key: ") + r.error().what);
    return std::move(*r);
}

int keygen(const std::vector<std::string>& argv) {
    args a(argv, {"name", "type"}, {});
    const std::string t = a.get("type").value_or("ed25519");
    sig_type type;
    if (t == "ed25519") type = sig_type::ed25519;
    else if (t == "cosignature") type = sig_type::cosignature_v1;
    else throw usage_error("--type is ed25519 or cosignature");
    auto s = check(note_signer::generate(a.required("name"), type, system_rng()), "keygen");
    auto sk = s.to_private_string();
    return emit({{"skey", std::string(sk.begin(), sk.end())}, {"vkey", s.to_verifier().to_string()}});
}

int cosign(const std::vector<std::string>& argv) {
    args a(argv, {"key", "time"}, {}, 1);
    auto s = signer_arg(a.required("key"));
    const std::string text = read_text(a.positional_required(0, "NOTE_FILE"));
    auto out = check(s.add_to(text, a.get_uint("time").value_or(0)), "cosign");
    return emit({{"note", out}});
}

#ifdef PPX_HAVE_HTTPLIB
int serve(const std::vector<std::string>& argv) {
    args a(argv, {"listen", "origin", "key"}, {});
    const auto listen = split_listen(a.required("listen"));
    memory_log log(a.required("origin"), signer_arg(a.required("key")));
    std::mutex mu;

    httplib::Server svr;
    auto text = [](httplib::Response& res, int status, const std::string& body) {
        res.status = status;
        res.set_content(body, "text/plain; charset=utf-8");
    };
    auto json_reply = [](httplib::Response& res, const json& j) { res.set_content(j.dump(), "application/json"); };
    auto query_uint = [](const httplib::Request& req, const char* name) -> std::optional<std::uint64_t> {
        if (!req.has_param(name)) return std::nullopt;
        return parse_uint(req.get_param_value(name));
    };

    // c2sp.org/tlog-tiles "Checkpoints": mutable, must not be cached for long.
    svr.Get("/checkpoint", [&](const httplib::Request&, httplib::Response& res) {
        std::lock_guard lock(mu);
        auto note = log.checkpoint_note();
        if (!note) return text(res, 500, "cannot sign\n");
        res.set_header("Cache-Control", "no-store");
        text(res, 200, *note);
    });
    svr.Get("/vkey", [&](const httplib::Request&, httplib::Response& res) { text(res, 200, log.signer().to_verifier().to_string() + "\n"); });
    // tlog-tiles "Merkle Tree" and "Log entries": immutable resources.
    svr.Get(R"(/tile/.+)", [&](const httplib::Request& req, httplib::Response& res) {
        auto id = parse_tile_path(req.path);
        if (!id) return text(res, 400, "bad tile path\n");
        std::lock_guard lock(mu);
        auto data = log.tile(*id);
        if (!data) return text(res, 404, "no such tile\n");
        res.set_header("Cache-Control", "public, max-age=31536000, immutable");
        res.set_content(std::string(as_chars(*data)), "application/octet-stream");
    });
    // Dynamic RFC 9162 proofs, for clients that do not read tiles.
    svr.Get("/proof/inclusion", [&](const httplib::Request& req, httplib::Response& res) {
        auto index = query_uint(req, "index"), size = query_uint(req, "size");
        if (!index || !size) return text(res, 400, "want index and size\n");
        std::lock_guard lock(mu);
        auto p = log.inclusion_proof(*index, *size);
        if (!p) return text(res, 404, "no such proof\n");
        json hashes = json::array();
        for (auto& h : *p) hashes.push_back(to_hex(h));
        json_reply(res, {{"index", *index}, {"size", *size}, {"proof", hashes}});
    });
    svr.Get("/proof/consistency", [&](const httplib::Request& req, httplib::Response& res) {
        auto s1 = query_uint(req, "size1"), s2 = query_uint(req, "size2");
        if (!s1 || !s2) return text(res, 400, "want size1 and size2\n");
        std::lock_guard lock(mu);
        auto p = log.consistency_proof(*s1, *s2);
        if (!p) return text(res, 404, "no such proof\n");
        json hashes = json::array();
        for (auto& h : *p) hashes.push_back(to_hex(h));
        json_reply(res, {{"size1", *s1}, {"size2", *s2}, {"proof", hashes}});
    });
    // Appends the request body as one entry.
    svr.Post("/add", [&](const httplib::Request& req, httplib::Response& res) {
        std::lock_guard lock(mu);
        auto idx = log.append(as_bytes(req.body));
        if (!idx) return text(res, 413, "entry too large\n");
        json_reply(res, {{"index", *idx}, {"leaf_hash", to_hex(leaf_hash(as_bytes(req.body)))}});
    });

    return run_server(svr, listen);
}
#endif

const registrar reg({
    {"log", "inclusion",
     "ppx log inclusion --index N --size N --root HEX (--leaf HEX | --leaf-hash HEX) --proof HEX[,HEX...]\n"
     "  Verifies an RFC 9162 §2.1.3.2 inclusion proof (--proof \"\" is the empty proof).\n  -> {\"valid\": true}",
     inclusion},
    {"log", "consistency",
     "ppx log consistency --size1 N --size2 N --root1 HEX --root2 HEX --proof HEX[,HEX...]\n"
     "  Verifies an RFC 9162 §2.1.4.2 consistency proof (size1 = 0 is refused).\n  -> {\"valid\": true}",
     consistency},
    {"log", "verify-note",
     "ppx log verify-note --vkey VKEY [--vkey VKEY]... [--quorum K] NOTE_FILE|-\n"
     "  Verifies a C2SP signed note; without --quorum every --vkey must have signed. For a checkpoint\n"
     "  also reports origin, size and root.\n  -> {\"origin\": \"...\", \"size\": N, \"root\": HEX, \"verified_by\": [\"name\", ...]}",
     verify_note},
    {"log", "keygen",
     "ppx log keygen --name NAME [--type ed25519|cosignature]\n"
     "  A new note signing key (Go sumdb/note private key form) and its vkey.\n  -> {\"skey\": \"PRIVATE+KEY+...\", \"vkey\": \"...\"}",
     keygen},
    {"log", "cosign",
     "ppx log cosign --key SIGNER_KEY|@FILE [--time SECONDS] NOTE_FILE|-\n"
     "  Adds a signature (cosignature/v1 with --time for a cosignature key) to a signed note.\n  -> {\"note\": \"...\"}",
     cosign},
#ifdef PPX_HAVE_HTTPLIB
    {"log", "serve",
     "ppx log serve --listen ADDR --origin NAME --key SIGNER_KEY|@FILE\n"
     "  An in-memory tlog-tiles log over HTTP: GET /checkpoint, /tile/<L>/<N>[.p/<W>], /tile/entries/<N>[.p/<W>],\n"
     "  /vkey, /proof/inclusion?index=&size=, /proof/consistency?size1=&size2=; POST /add (body = entry).\n"
     "  Port 0 picks one; the first stdout line is {\"listening\": \"HOST:PORT\"}. Stops on SIGTERM/SIGINT.",
     serve},
#endif
});

} // namespace
} // namespace ppx::cli
