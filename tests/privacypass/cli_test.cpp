// The ppx tool: `token fetch` against `token serve-issuer` over loopback HTTP, then `token verify`
// with the spend store. Runs the built binary (PPX_BINARY_DIR/tools/ppx).
#include "support/process.hpp"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

using ppx::test::run_result;
run_result run(const std::vector<std::string>& args) { return ppx::test::run_ppx(args); }

using ppx::test::server_process;

nlohmann::json ok_json(const run_result& r) {
    INFO(r.out);
    REQUIRE(r.status == 0);
    return nlohmann::json::parse(r.out);
}

void issue_and_redeem(int type, int count) {
    INFO("type " << type << " count " << count);
    const auto key = ok_json(run({"token", "keygen", "--type", std::to_string(type)}));
    const std::string sk = key["sk"], tk = key["token_key"];
    const auto ch = ok_json(run({"token", "challenge", "--type", std::to_string(type), "--issuer", "issuer.example", "--origin",
                                 "origin.example", "--redemption-context", std::string(64, 'a'), "--token-key", tk}));
    const std::string challenge = ch["challenge"];
    CHECK(ch["www_authenticate"].get<std::string>().rfind("PrivateToken challenge=", 0) == 0);

    server_process srv({"token", "serve-issuer", "--listen", "127.0.0.1:0", "--type", std::to_string(type), "--sk", sk});
    REQUIRE(srv.ok());
    // Once with the request URL, once with the origin only (the directory gives the URL).
    std::vector<std::string> urls{"http://" + srv.address() + "/token-request"};
    if (type == 2) urls.push_back("http://" + srv.address());
    for (const std::string& url : urls) {
        const auto f = ok_json(run({"token", "fetch", "--issuer-url", url, "--challenge", challenge, "--token-key", tk, "--count",
                                    std::to_string(count)}));
        REQUIRE(f["tokens"].size() == static_cast<std::size_t>(count));
        CHECK(f["authorization"].get<std::string>().rfind("PrivateToken token=\"", 0) == 0);
        for (const auto& t : f["tokens"]) {
            std::vector<std::string> args{"token", "verify", "--token", t, "--challenge", challenge, "--token-key", tk, "--origin", "origin.example"};
            if (type != 2) {
                // Privately verifiable: without the key it is a usage error.
                CHECK(run(args).status == 2);
                args.insert(args.end(), {"--sk", sk});
            }
            const auto v = ok_json(run(args));
            CHECK(v["valid"] == true);
            CHECK(v["token_type"] == type);
            auto wrong_origin = args;
            wrong_origin[9] = "evil.example";
            auto r = run(wrong_origin);
            CHECK(r.status == 1);
            CHECK(nlohmann::json::parse(r.out)["error"] == "policy");
            if (const char* url_env = std::getenv("PPX_REDIS_URL")) {
                auto with_store = args;
                with_store.insert(with_store.end(), {"--spent-store", url_env});
                CHECK(run(with_store).status == 0);
                auto replay = run(with_store);
                CHECK(replay.status == 1);
                CHECK(nlohmann::json::parse(replay.out)["error"] == "replayed");
            }
        }
    }
    // A request the issuer refuses (other issuer's key) is an input error, exit 1.
    const auto other = ok_json(run({"token", "keygen", "--type", std::to_string(type)}));
    const auto other_ch = ok_json(run({"token", "challenge", "--type", std::to_string(type), "--issuer", "issuer.example"}));
    auto r = run({"token", "fetch", "--issuer-url", "http://" + srv.address() + "/token-request", "--challenge", other_ch["challenge"],
                  "--token-key", other["token_key"]});
    CHECK(r.status == 1);
}

} // namespace

#ifdef PPX_HAVE_HTTPLIB
TEST_CASE("ppx token: fetch from serve-issuer over loopback HTTP, then verify", "[privacypass][cli]") {
    issue_and_redeem(2, 1);
    issue_and_redeem(2, 2);
    issue_and_redeem(1, 4);
    issue_and_redeem(5, 2);
}
#endif

TEST_CASE("ppx token: usage and input errors", "[privacypass][cli]") {
    CHECK(run({"token", "keygen", "--type", "9"}).status == 2);
    CHECK(run({"token", "challenge", "--type", "2"}).status == 2);
    auto bad = run({"token", "verify", "--token", "AAAA", "--challenge", "AAAA", "--token-key", "AAAA"});
    CHECK(bad.status == 1);
    CHECK(nlohmann::json::parse(bad.out).contains("error"));
    CHECK(run({"token", "verify", "--token", "!!", "--challenge", "AAAA", "--token-key", "AAAA"}).status == 2);
}
