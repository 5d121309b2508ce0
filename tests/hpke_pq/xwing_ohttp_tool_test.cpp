// X-Wing (KEM 0x647a) end to end through the ppx tool: `ppx ohttp keygen` makes an X-Wing key
// configuration, `ppx ohttp serve` runs the gateway on 127.0.0.1 (port 0, the address read
// from its {"listening": ...} line), and `ppx ohttp fetch` sends a request to its echo
// resource, plain and with --chunked; the echoed body and the ppx-echo header are checked
// (CLI contract: ../shared/CLI.md, ohttp).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/process.hpp"

#include <filesystem>
#include <string>
#include <vector>

using json = nlohmann::json;

#ifdef PPX_HAVE_HTTPLIB
TEST_CASE("ppx ohttp keygen/serve/fetch with an X-Wing key configuration", "[hpke_pq][ohttp][cli][net]") {
    using ppx::test::run;
    const std::string ppx = ppx::test::ppx_tool();
    REQUIRE(std::filesystem::exists(ppx));

    auto k = run(ppx, {"ohttp", "keygen", "--key-id", "7", "--kem", "0x647a", "--kdf", "1", "--aead", "3"});
    INFO(k.out);
    REQUIRE(k.status == 0);
    const auto kj = json::parse(k.out);
    const std::string config = kj["config"], sk = kj["sk"];
    CHECK(sk.size() == 2 * 32);  // X-Wing private keys are 32-byte seeds
    auto d = run(ppx, {"ohttp", "keys", config});
    REQUIRE(d.status == 0);
    const auto dj = json::parse(d.out);
    REQUIRE(dj["configs"].size() == 1);
    CHECK(dj["configs"][0]["key_id"] == 7);
    CHECK(dj["configs"][0]["kem"] == 0x647a);
    CHECK(dj["configs"][0]["pk"].get<std::string>().size() == 2 * 1216);

    ppx::test::server_process gw({"ohttp", "serve", "--listen", "127.0.0.1:0", "--config", config, "--sk", sk});
    REQUIRE(gw.ok());
    const std::string addr = gw.address();

    const std::string body = "782d77696e67206f766572206f68747470";  // "x-wing over ohttp"
    for (bool chunked : {false, true}) {
        for (const std::string& keys : {"http://" + addr + "/ohttp-keys", config}) {
            std::vector<std::string> args = {"ohttp", "fetch", "--gateway", "http://" + addr + "/gateway", "--keys", keys, "--url",
                                             "https://example.com/pq?kem=x-wing", "--method", "POST", "--header",
                                             "Content-Type: text/plain", "--body", body};
            if (chunked) args.push_back("--chunked");
            auto f = run(ppx, args);
            INFO("chunked " << chunked << ", keys " << keys.substr(0, 40) << ": " << f.out);
            REQUIRE(f.status == 0);
            const auto j = json::parse(f.out);
            CHECK(j["status"] == 200);
            CHECK(j["body"] == body);
            CHECK(j["headers"] == json::parse(R"([["ppx-echo","POST /pq?kem=x-wing"]])"));
        }
    }
    // A chunked body of several 16 KiB chunks, both ways.
    const std::string big(2 * 40000, 'c');
    auto f = run(ppx, {"ohttp", "fetch", "--gateway", "http://" + addr + "/gateway", "--keys", config, "--url",
                       "https://example.com/big", "--method", "PUT", "--body", big, "--chunked"});
    REQUIRE(f.status == 0);
    CHECK(json::parse(f.out)["body"] == big);
}
#endif
