// The ppx tool's ohttp commands as separate processes: keygen/keys output and exit codes, and
// `ppx ohttp fetch` answered by `ppx ohttp serve` through a `ppx ohttp relay` process, on
// loopback, plain and chunked, echo and --target.
#include "support/process.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#ifdef PPX_HAVE_HTTPLIB
#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#endif

using json = nlohmann::json;

namespace {

const std::string ppx_bin = ppx::test::ppx_tool();

ppx::test::run_result run(const std::vector<std::string>& args) { return ppx::test::run_ppx(args); }

} // namespace

TEST_CASE("ppx ohttp keygen and keys", "[ohttp][cli]") {
    REQUIRE(std::filesystem::exists(ppx_bin));
    const std::string ikm(64, 'a');
    auto k = run({"ohttp", "keygen", "--key-id", "3", "--kem", "0x20", "--kdf", "1", "--aead", "1", "--kdf", "1", "--aead", "3", "--ikm", ikm});
    REQUIRE(k.status == 0);
    auto kj = json::parse(k.out);
    // Deterministic with --ikm.
    CHECK(run({"ohttp", "keygen", "--key-id", "3", "--kem", "0x20", "--kdf", "1", "--aead", "1", "--kdf", "1", "--aead", "3", "--ikm", ikm}).out ==
          k.out);
    auto d = run({"ohttp", "keys", kj["config"].get<std::string>()});
    REQUIRE(d.status == 0);
    auto dj = json::parse(d.out);
    REQUIRE(dj["configs"].size() == 1);
    CHECK(dj["configs"][0]["key_id"] == 3);
    CHECK(dj["configs"][0]["kem"] == 32);
    CHECK(dj["configs"][0]["suites"].size() == 2);
    CHECK(dj["configs"][0]["suites"][1]["aead"] == 3);
    // RFC 9458 Appendix A's config, as a list (2-byte prefix 0x002d).
    auto l = run({"ohttp", "keys", "002d01002031e1f05a740102115220e9af918f738674aec95f54db6e04eb705aae8e79815500080001000100010003"});
    REQUIRE(l.status == 0);
    CHECK(json::parse(l.out)["configs"][0]["pk"] == "31e1f05a740102115220e9af918f738674aec95f54db6e04eb705aae8e798155");
    // Rejected input: exit 1 with a JSON error; usage errors: exit 2.
    auto bad = run({"ohttp", "keys", "002d0100"});
    CHECK(bad.status == 1);
    CHECK(json::parse(bad.out)["error"] == "malformed");
    CHECK(run({"ohttp", "keygen", "--key-id", "1", "--kem", "32"}).status == 2);
    CHECK(run({"ohttp", "keys", "zz"}).status == 2);
}

TEST_CASE("ppx ohttp keygen takes the hybrid PQ KEMs and refuses one-stage KDFs", "[ohttp][cli][pq]") {
    REQUIRE(std::filesystem::exists(ppx_bin));
    const std::string ikm(64, 'b');
    for (const char* kem : {"0x50", "0x51"}) {
        INFO(kem);
        auto k = run({"ohttp", "keygen", "--key-id", "9", "--kem", kem, "--kdf", "1", "--aead", "1", "--ikm", ikm});
        REQUIRE(k.status == 0);
        auto d = run({"ohttp", "keys", json::parse(k.out)["config"].get<std::string>()});
        REQUIRE(d.status == 0);
        auto dj = json::parse(d.out);
        REQUIRE(dj["configs"].size() == 1);
        CHECK(dj["configs"][0]["kem"] == std::stoi(kem, nullptr, 16));
        CHECK(dj["configs"][0]["pk"].get<std::string>().size() == 2 * (std::string(kem) == "0x50" ? 1249u : 1665u));
        // RFC 9458 response keys need Extract/Expand: a one-stage KDF (SHAKE256) is refused.
        auto bad = run({"ohttp", "keygen", "--key-id", "9", "--kem", kem, "--kdf", "0x11", "--aead", "1"});
        CHECK(bad.status == 1);
        CHECK(json::parse(bad.out)["error"] == "unsupported");
    }
}

#ifdef PPX_HAVE_HTTPLIB
TEST_CASE("ppx ohttp fetch through a relay process to ppx ohttp serve", "[ohttp][cli][net]") {
    REQUIRE(std::filesystem::exists(ppx_bin));
    auto k1 = json::parse(run({"ohttp", "keygen", "--key-id", "1", "--kem", "32", "--kdf", "1", "--aead", "1"}).out);
    auto k2 = json::parse(run({"ohttp", "keygen", "--key-id", "2", "--kem", "16", "--kdf", "2", "--aead", "2"}).out);
    ppx::test::server_process gw({"ohttp", "serve", "--listen", "127.0.0.1:0", "--config", k1["config"], "--sk", k1["sk"], "--config",
                                k2["config"], "--sk", k2["sk"]});
    const std::string gw_addr = gw.address();
    REQUIRE(!gw_addr.empty());
    ppx::test::server_process relay({"ohttp", "relay", "--listen", "127.0.0.1:0", "--gateway", "http://" + gw_addr + "/gateway"});
    const std::string relay_addr = relay.address();
    REQUIRE(!relay_addr.empty());
    const std::string keys_url = "http://" + gw_addr + "/ohttp-keys";

    for (bool chunked : {false, true}) {
        std::vector<std::string> args = {"ohttp", "fetch", "--gateway", "http://" + relay_addr + "/", "--keys", keys_url, "--url",
                                         "https://example.com/chat?q=1", "--method", "POST", "--header", "Content-Type: text/plain",
                                         "--body", "68656c6c6f2c20776f726c64"};
        if (chunked) args.push_back("--chunked");
        auto f = run(args);
        INFO(f.out);
        REQUIRE(f.status == 0);
        auto j = json::parse(f.out);
        CHECK(j["status"] == 200);
        CHECK(j["body"] == "68656c6c6f2c20776f726c64");
        CHECK(j["headers"] == json::parse(R"([["ppx-echo","POST /chat?q=1"]])"));
    }
    // A large chunked body crosses several 16 KiB chunks both ways.
    {
        const std::string big(2 * 50000, 'a');  // 50000 bytes of 0xaa
        auto f = run({"ohttp", "fetch", "--gateway", "http://" + relay_addr + "/", "--keys", keys_url, "--url", "https://example.com/big",
                      "--method", "PUT", "--body", big, "--chunked"});
        REQUIRE(f.status == 0);
        CHECK(json::parse(f.out)["body"] == big);
    }
    // The second key (P-256, HKDF-SHA384, AES-256-GCM) works too, given as the config hex.
    auto f2 = run({"ohttp", "fetch", "--gateway", "http://" + gw_addr + "/gateway", "--keys", k2["config"], "--url", "https://a.example/"});
    REQUIRE(f2.status == 0);
    CHECK(json::parse(f2.out)["headers"][0][1] == "GET /");
    // A key the gateway does not hold: the gateway answers 400 (ohttp-key problem) and fetch exits 1.
    auto k3 = json::parse(run({"ohttp", "keygen", "--key-id", "9", "--kem", "32", "--kdf", "1", "--aead", "1"}).out);
    auto f3 = run({"ohttp", "fetch", "--gateway", "http://" + relay_addr + "/", "--keys", k3["config"], "--url", "https://a.example/"});
    CHECK(f3.status == 1);
    auto e3 = json::parse(f3.out);
    CHECK(e3["error"] == "http");
    CHECK(e3["detail"].get<std::string>().find("ohttp-key") != std::string::npos);
}

TEST_CASE("ppx ohttp serve --target forwards the inner request over HTTP", "[ohttp][cli][net]") {
    REQUIRE(std::filesystem::exists(ppx_bin));
    httplib::Server target;
    target.Get("/hello", [](const httplib::Request& req, httplib::Response& res) {
        res.set_header("X-Target", "yes");
        res.set_content("target saw host " + req.get_header_value("Host"), "text/plain");
    });
    const int tport = target.bind_to_any_port("127.0.0.1");
    REQUIRE(tport > 0);
    std::thread th([&] { target.listen_after_bind(); });
    auto k = json::parse(run({"ohttp", "keygen", "--key-id", "1", "--kem", "32", "--kdf", "1", "--aead", "3"}).out);
    ppx::test::server_process gw({"ohttp", "serve", "--listen", "127.0.0.1:0", "--config", k["config"], "--sk", k["sk"], "--target",
                                "http://127.0.0.1:" + std::to_string(tport)});
    const std::string gw_addr = gw.address();
    REQUIRE(!gw_addr.empty());
    auto f = run({"ohttp", "fetch", "--gateway", "http://" + gw_addr + "/gateway", "--keys", "http://" + gw_addr + "/ohttp-keys", "--url",
                  "https://origin.example/hello"});
    target.stop();
    th.join();
    REQUIRE(f.status == 0);
    auto j = json::parse(f.out);
    CHECK(j["status"] == 200);
    const std::string body = j["body"];
    std::string text;
    for (std::size_t i = 0; i + 1 < body.size(); i += 2) text += static_cast<char>(std::stoi(body.substr(i, 2), nullptr, 16));
    CHECK(text == "target saw host origin.example");
    bool saw = false;
    for (const auto& h : j["headers"])
        if (h[0] == "x-target" && h[1] == "yes") saw = true;
    CHECK(saw);
}

TEST_CASE("ppx ohttp relay streams: the request body goes up and a chunked response comes back as it arrives", "[ohttp][cli][net]") {
    REQUIRE(std::filesystem::exists(ppx_bin));
    // A stand-in gateway that sends the first part of a chunked response, then holds the rest
    // back until the client has received that first part through the relay (or 10 s pass).
    std::mutex mu;
    std::condition_variable cv;
    bool client_has_first = false, held_back_ok = false;
    std::string gateway_got;
    httplib::Server gw;
    gw.Post("/gateway", [&](const httplib::Request&, httplib::Response& res, const httplib::ContentReader& reader) {
        reader([&](const char* d, std::size_t n) {
            gateway_got.append(d, n);
            return true;
        });
        res.status = 200;
        res.set_header("Incremental", "?1");
        auto step = std::make_shared<int>(0);
        res.set_chunked_content_provider("message/ohttp-chunked-res", [&, step](std::size_t, httplib::DataSink& sink) {
            if (*step == 0) {
                *step = 1;
                return sink.write("first|", 6);
            }
            std::unique_lock<std::mutex> l(mu);
            held_back_ok = cv.wait_for(l, std::chrono::seconds(10), [&] { return client_has_first; });
            l.unlock();
            sink.write("second", 6);
            sink.done();
            return true;
        });
    });
    const int gport = gw.bind_to_any_port("127.0.0.1");
    REQUIRE(gport > 0);
    std::thread th([&] { gw.listen_after_bind(); });
    ppx::test::server_process relay({"ohttp", "relay", "--listen", "127.0.0.1:0", "--gateway",
                                      "http://127.0.0.1:" + std::to_string(gport) + "/gateway"});
    const std::string relay_addr = relay.address();
    REQUIRE(!relay_addr.empty());

    const std::string body(100000, 'r');
    httplib::Client cli("http://" + relay_addr);
    std::string got;
    httplib::Request rq;
    rq.method = "POST";
    rq.path = "/";
    rq.headers.emplace("Content-Type", "message/ohttp-chunked-req");
    rq.body = body;
    rq.content_receiver = [&](const char* d, std::size_t n, std::uint64_t, std::uint64_t) {
        got.append(d, n);
        if (got.size() >= 6) {
            std::lock_guard<std::mutex> l(mu);
            client_has_first = true;
            cv.notify_all();
        }
        return true;
    };
    auto r = cli.send(rq);
    gw.stop();
    th.join();
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->get_header_value("Content-Type") == "message/ohttp-chunked-res");
    CHECK(r->get_header_value("Incremental") == "?1");
    CHECK(got == "first|second");
    CHECK(gateway_got == body);
    // The first part reached the client while the gateway still held the rest: no buffering.
    CHECK(held_back_ok);
}
#endif
