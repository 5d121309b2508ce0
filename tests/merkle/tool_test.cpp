// The `ppx log` subcommands (../shared/CLI.md): exit codes and JSON output, run as the built
// binary; and `ppx log serve` on loopback, whose checkpoint, proofs and tiles the library
// verifier accepts.
#include <ppx/merkle.hpp>

#include "support/process.hpp"
#include "support/vectors.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <unistd.h>

#ifdef PPX_HAVE_HTTPLIB
#include <httplib.h>
#endif

using namespace ppx;
using namespace ppx::merkle;
using json = nlohmann::json;

namespace {

const std::string tool = ppx::test::ppx_tool();
ppx::test::run_result run(const std::vector<std::string>& args) { return ppx::test::run_ppx(args); }

std::string join_hex(const std::vector<hash_t>& p) {
    std::string s;
    for (auto& h : p) {
        if (!s.empty()) s.push_back(',');
        s.append(to_hex(h));
    }
    return s;
}

std::string write_temp(const std::string& content) {
    char path[] = "/tmp/ppx_merkle_test_XXXXXX";
    const int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    REQUIRE(write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()));
    close(fd);
    return path;
}

} // namespace

TEST_CASE("ppx log inclusion / consistency: exit codes and JSON", "[merkle][tool]") {
    REQUIRE(access(tool.c_str(), X_OK) == 0);
    deterministic_rng rng(11);
    memory_log log("example.com/tool", *note_signer::generate("example.com/tool", sig_type::ed25519, rng));
    for (int i = 0; i < 9; ++i) {
        std::string e = "e";
        e.append(std::to_string(i));
        REQUIRE(log.append(as_bytes(e)));
    }
    const std::string root = to_hex(*log.root(9));
    const std::string proof = join_hex(*log.inclusion_proof(4, 9));
    auto ok = run({"log", "inclusion", "--index", "4", "--size", "9", "--root", root, "--leaf", to_hex(as_bytes("e4")), "--proof", proof});
    CHECK(ok.status == 0);
    CHECK(json::parse(ok.out) == json{{"valid", true}});
    auto ok2 = run({"log", "inclusion", "--index", "4", "--size", "9", "--root", root, "--leaf-hash", to_hex(leaf_hash(as_bytes("e4"))), "--proof", proof});
    CHECK(ok2.status == 0);
    auto bad = run({"log", "inclusion", "--index", "5", "--size", "9", "--root", root, "--leaf", to_hex(as_bytes("e4")), "--proof", proof});
    CHECK(bad.status == 1);
    CHECK(json::parse(bad.out)["error"] == "crypto_failure");
    auto short_hash = run({"log", "inclusion", "--index", "4", "--size", "9", "--root", root.substr(2), "--leaf", "00", "--proof", proof});
    CHECK(short_hash.status == 1);
    CHECK(json::parse(short_hash.out)["error"] == "malformed");
    CHECK(run({"log", "inclusion", "--index", "4", "--size", "9", "--root", root, "--proof", proof}).status == 2);
    CHECK(run({"log", "inclusion", "--index", "x", "--size", "9", "--root", root, "--leaf", "00", "--proof", proof}).status == 2);
    CHECK(run({"log", "inclusion", "--index", "0", "--size", "1", "--root", to_hex(leaf_hash(as_bytes("e0"))), "--leaf", to_hex(as_bytes("e0")), "--proof", ""}).status == 0);

    const std::string cproof = join_hex(*log.consistency_proof(3, 9));
    auto c = run({"log", "consistency", "--size1", "3", "--size2", "9", "--root1", to_hex(*log.root(3)), "--root2", root, "--proof", cproof});
    CHECK(c.status == 0);
    CHECK(json::parse(c.out) == json{{"valid", true}});
    auto c0 = run({"log", "consistency", "--size1", "0", "--size2", "9", "--root1", to_hex(empty_root()), "--root2", root, "--proof", ""});
    CHECK(c0.status == 1);
    auto cbad = run({"log", "consistency", "--size1", "3", "--size2", "9", "--root1", to_hex(*log.root(4)), "--root2", root, "--proof", cproof});
    CHECK(cbad.status == 1);
}

TEST_CASE("ppx log verify-note: vectors, quorum and rejection", "[merkle][tool]") {
    auto j = ppx::test::load_json("merkle/notes/notes.json");
    const json* wc = nullptr;
    for (auto& c : j["cases"])
        if (c["id"] == "rekor-v2-checkpoint-with-witness-cosignature-v1") wc = &c;
    REQUIRE(wc);
    const std::string path = write_temp((*wc)["note"].get<std::string>());
    const std::string logk = (*wc)["verifier_keys"][0], witk = (*wc)["verifier_keys"][1];
    auto r = run({"log", "verify-note", "--vkey", logk, "--vkey", witk, path});
    CHECK(r.status == 0);
    auto out = json::parse(r.out);
    CHECK(out["origin"] == "log2025-1.rekor.sigstore.dev");
    CHECK(out["size"] == 139911860);
    CHECK(out["verified_by"] == json::array({"log2025-1.rekor.sigstore.dev", "witness.stagemole.eu"}));
    CHECK(out["root"].get<std::string>().size() == 64);
    // Every key must sign without --quorum; with --quorum 1 one is enough.
    const std::string unrelated = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    auto missing = run({"log", "verify-note", "--vkey", logk, "--vkey", unrelated, path});
    CHECK(missing.status == 1);
    CHECK(json::parse(missing.out)["error"] == "policy");
    CHECK(run({"log", "verify-note", "--vkey", logk, "--vkey", unrelated, "--quorum", "1", path}).status == 0);
    CHECK(run({"log", "verify-note", "--vkey", unrelated, path}).status == 1);
    CHECK(run({"log", "verify-note", "--vkey", "garbage", path}).status == 2);
    CHECK(run({"log", "verify-note", path}).status == 2);
    // A tampered note.
    std::string t = (*wc)["note"].get<std::string>();
    t[35] = t[35] == '1' ? '2' : '1';
    CHECK(run({"log", "verify-note", "--vkey", logk, write_temp(t)}).status == 1);
    std::remove(path.c_str());
}

TEST_CASE("ppx log keygen + cosign produce notes the library verifies", "[merkle][tool]") {
    auto lk = run({"log", "keygen", "--name", "example.com/k"});
    REQUIRE(lk.status == 0);
    auto wk = run({"log", "keygen", "--name", "witness.example", "--type", "cosignature"});
    REQUIRE(wk.status == 0);
    auto l = json::parse(lk.out), w = json::parse(wk.out);
    auto signer = note_signer::parse(l["skey"].get<std::string>());
    REQUIRE(signer);
    CHECK(signer->to_verifier().to_string() == l["vkey"]);
    auto text = *format_checkpoint(checkpoint{"example.com/k", 1, leaf_hash(as_bytes("a")), {}});
    const std::string path = write_temp(*signer->sign(text));
    auto cs = run({"log", "cosign", "--key", w["skey"], "--time", "1700000000", path});
    REQUIRE(cs.status == 0);
    trust_policy p{*verifier::parse(l["vkey"].get<std::string>()), "", {*verifier::parse(w["vkey"].get<std::string>())}, 1, 0, 600};
    auto v = verify_checkpoint(json::parse(cs.out)["note"].get<std::string>(), p);
    REQUIRE(v);
    CHECK(v->signatures()[1].info.timestamp == std::optional<std::uint64_t>(1700000000));
    std::remove(path.c_str());
}

#ifdef PPX_HAVE_HTTPLIB
TEST_CASE("ppx log serve: checkpoint, proofs and tiles over loopback verify", "[merkle][tool][serve]") {
    deterministic_rng rng(12);
    auto signer = note_signer::generate("example.com/served", sig_type::ed25519, rng);
    REQUIRE(signer);
    const auto sk = signer->to_private_string();
    const verifier vk = signer->to_verifier();

    ppx::test::server_process srv({"log", "serve", "--listen", "127.0.0.1:0", "--origin", "example.com/served", "--key", std::string(sk.begin(), sk.end())});
    REQUIRE(srv.ok());
    const int port = srv.port();

    httplib::Client cli("127.0.0.1", port);
    cli.set_connection_timeout(5);
    const trust_policy policy = trust_policy::log_only(vk);
    log_view view;
    std::uint64_t prev = 0;
    for (int round = 0; round < 3; ++round) {
        for (int i = 0; i < 150; ++i) {
            auto res = cli.Post("/add", "round " + std::to_string(round) + " entry " + std::to_string(i), "application/octet-stream");
            REQUIRE(res);
            REQUIRE(res->status == 200);
        }
        auto cpres = cli.Get("/checkpoint");
        REQUIRE(cpres);
        REQUIRE(cpres->status == 200);
        auto cp = verify_checkpoint(cpres->body, policy);
        REQUIRE(cp);
        CHECK(cp->size() == prev + 150);
        std::vector<hash_t> cproof;
        if (prev > 0) {
            auto pr = cli.Get(("/proof/consistency?size1=" + std::to_string(prev) + "&size2=" + std::to_string(cp->size())).c_str());
            REQUIRE(pr);
            REQUIRE(pr->status == 200);
            const json body = json::parse(pr->body);
            for (auto& h : body["proof"]) cproof.push_back(*to_hash(ppx::test::unhex(h)));
        }
        REQUIRE(view.update(*cp, cproof));
        // Inclusion of the last entry by the dynamic endpoint and by tiles.
        const std::uint64_t idx = cp->size() - 1;
        const hash_t leaf = leaf_hash(as_bytes("round " + std::to_string(round) + " entry 149"));
        auto ir = cli.Get(("/proof/inclusion?index=" + std::to_string(idx) + "&size=" + std::to_string(cp->size())).c_str());
        REQUIRE(ir);
        std::vector<hash_t> iproof;
        const json ibody = json::parse(ir->body);
        for (auto& h : ibody["proof"]) iproof.push_back(*to_hash(ppx::test::unhex(h)));
        CHECK(view.verify_inclusion("example.com/served", idx, leaf, iproof));
        tile_set ts(cp->size());
        auto need = ts.tiles_for_inclusion(idx);
        REQUIRE(need);
        for (auto& id : *need) {
            std::string path = "/";
            path.append(tile_path(id));
            auto tr = cli.Get(path.c_str());
            REQUIRE(tr);
            REQUIRE(tr->status == 200);
            REQUIRE(ts.add(id, as_bytes(tr->body)));
        }
        CHECK(*ts.root() == cp->root());
        CHECK(*ts.inclusion_proof(idx) == iproof);
        prev = cp->size();
    }
    auto bad = cli.Get("/tile/0/00");
    REQUIRE(bad);
    CHECK(bad->status == 400);
    auto missing = cli.Get("/tile/3/000");
    REQUIRE(missing);
    CHECK(missing->status == 404);

    CHECK(srv.stop() == 0);  // a clean exit on SIGTERM
}
#endif
