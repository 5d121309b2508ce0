// X-Wing (KEM 0x647a) end to end through the ppx tool: `ppx ohttp keygen` makes an X-Wing key
// configuration, `ppx ohttp serve` runs the gateway on 127.0.0.1 (port 0, the address read
// from its {"listening": ...} line), and `ppx ohttp fetch` sends a request to its echo
// resource, plain and with --chunked; the echoed body and the ppx-echo header are checked
// (CLI contract: ../shared/CLI.md, ohttp).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

// GCC 12 at -O3 reports a false -Wstringop-overflow / -Warray-bounds / -Wrestrict inside libstdc++'s
// string concatenation as inlined into process.hpp's run(); nothing overflows.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#pragma GCC diagnostic ignored "-Warray-bounds"
#pragma GCC diagnostic ignored "-Wrestrict"
#endif
#include "support/process.hpp"
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

using json = nlohmann::json;

namespace {

/// ppx::test::ppx_tool(), computed once, out of line (GCC 12 reports a false
/// -Wstringop-overflow when its string concatenation is inlined into the callers here).
[[gnu::noinline]] const std::string& tool() {
    static const std::string path = ppx::test::ppx_tool();
    return path;
}

/// `ppx args...` running in the background with its stdout on a pipe; SIGTERM and reaped when
/// it goes out of scope.
class server_process {
public:
    explicit server_process(const std::vector<std::string>& args) {
        const std::string& bin = tool();
        int fd[2];
        if (::pipe(fd) != 0) return;
        pid_ = ::fork();
        if (pid_ == 0) {
            ::dup2(fd[1], 1);
            ::close(fd[0]);
            ::close(fd[1]);
            if (std::FILE* devnull = std::fopen("/dev/null", "w")) ::dup2(::fileno(devnull), 2);
            std::vector<char*> argv;
            argv.push_back(const_cast<char*>(bin.c_str()));
            for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
            argv.push_back(nullptr);
            ::execv(bin.c_str(), argv.data());
            ::_exit(127);
        }
        ::close(fd[1]);
        if (pid_ < 0) {
            ::close(fd[0]);
            return;
        }
        out_ = ::fdopen(fd[0], "r");
    }
    server_process(const server_process&) = delete;
    server_process& operator=(const server_process&) = delete;
    ~server_process() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            ::waitpid(pid_, nullptr, 0);
        }
        if (out_) std::fclose(out_);
    }

    /// The next line of its stdout (without the newline); empty at end of output.
    std::string line() {
        std::string s;
        int c;
        while (out_ && (c = std::fgetc(out_)) != EOF && c != '\n') s += static_cast<char>(c);
        return s;
    }

private:
    pid_t pid_ = -1;
    std::FILE* out_ = nullptr;
};

} // namespace

#ifdef PPX_HAVE_HTTPLIB
TEST_CASE("ppx ohttp keygen/serve/fetch with an X-Wing key configuration", "[hpke_pq][ohttp][cli][net]") {
    using ppx::test::run;
    const std::string& ppx = tool();
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

    server_process gw({"ohttp", "serve", "--listen", "127.0.0.1:0", "--config", config, "--sk", sk});
    const std::string first = gw.line();
    INFO("serve said: " << first);
    const auto lj = json::parse(first, nullptr, false);
    REQUIRE(lj.is_object());
    REQUIRE(lj.contains("listening"));
    const std::string addr = lj["listening"];
    REQUIRE(!addr.empty());

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
