// The ppx tool: `token fetch` against `token serve-issuer` over loopback HTTP, then `token verify`
// with the spend store. Runs the built binary (PPX_BINARY_DIR/tools/ppx).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <array>
#include <csignal>
#include <fcntl.h>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

const std::string ppx_bin = std::string(PPX_BINARY_DIR) + "/tools/ppx";

struct run_result {
    int status = -1;
    std::string out;
};

// Runs ppx with `args` (no shell), capturing stdout.
run_result run(const std::vector<std::string>& args) {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        if (int devnull = open("/dev/null", O_WRONLY); devnull >= 0) dup2(devnull, 2);  // keep test logs readable
        std::vector<char*> argv{const_cast<char*>(ppx_bin.c_str())};
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        execv(ppx_bin.c_str(), argv.data());
        _exit(127);
    }
    close(fds[1]);
    run_result r;
    char buf[4096];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0) r.out.append(buf, static_cast<std::size_t>(n));
    close(fds[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

// A server child: started with a pipe on stdout, first line read, killed with SIGTERM at scope end.
struct server {
    pid_t pid = -1;
    std::string address;
    explicit server(const std::vector<std::string>& args) {
        int fds[2];
        REQUIRE(pipe(fds) == 0);
        pid = fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            dup2(fds[1], 1);
            close(fds[0]);
            close(fds[1]);
            std::vector<char*> argv{const_cast<char*>(ppx_bin.c_str())};
            for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
            argv.push_back(nullptr);
            execv(ppx_bin.c_str(), argv.data());
            _exit(127);
        }
        close(fds[1]);
        std::string line;
        char c;
        while (read(fds[0], &c, 1) == 1 && c != '\n') line.push_back(c);
        close(fds[0]);
        auto j = nlohmann::json::parse(line, nullptr, false);
        REQUIRE(j.is_object());
        address = j["listening"].get<std::string>();
    }
    ~server() {
        if (pid > 0) {
            kill(pid, SIGTERM);
            int st = 0;
            waitpid(pid, &st, 0);
        }
    }
};

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

    server srv({"token", "serve-issuer", "--listen", "127.0.0.1:0", "--type", std::to_string(type), "--sk", sk});
    // Once with the request URL, once with the origin only (the directory gives the URL).
    std::vector<std::string> urls{"http://" + srv.address + "/token-request"};
    if (type == 2) urls.push_back("http://" + srv.address);
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
    auto r = run({"token", "fetch", "--issuer-url", "http://" + srv.address + "/token-request", "--challenge", other_ch["challenge"],
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
