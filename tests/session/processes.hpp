// Process-level helpers for the session tests: a loopback deployment of
// examples/private_processing, one process per party (started as scripts/demo.sh does),
// and runs of its client. Used by deployment_test.cpp and tool_test.cpp.
#pragma once

#include <catch2/catch.hpp>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace ppx::test::procs {

inline std::string example() { return std::string(PPX_BINARY_DIR) + "/examples/ppx_example_private_processing"; }
inline bool have_example() { return ::access(example().c_str(), X_OK) == 0; }

inline std::string slurp(const std::string& path) {
    std::ifstream f(path);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

inline std::size_t occurrences(const std::string& hay, const std::string& needle) {
    std::size_t n = 0;
    for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
    return n;
}

// A temporary directory, removed with everything in it.
struct tempdir {
    std::string path;
    tempdir() {
        char t[] = "/tmp/ppx-session-XXXXXX";
        path = ::mkdtemp(t);
    }
    ~tempdir() { (void)std::system(("rm -rf '" + path + "'").c_str()); }
};

// One party: started with its stdout on a pipe (for the {"listening"} line) and stderr in a
// file; killed (SIGTERM, then SIGKILL) and reaped when destroyed.
class party {
public:
    party(const std::vector<std::string>& args, const std::string& log) : log_(log) {
        int fds[2];
        REQUIRE(::pipe(fds) == 0);
        pid_ = ::fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            ::dup2(fds[1], 1);
            const int e = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
            ::dup2(e, 2);
            ::close(fds[0]);
            std::vector<char*> argv;
            std::string prog = example();
            argv.push_back(prog.data());
            std::vector<std::string> copy = args;
            for (auto& a : copy) argv.push_back(a.data());
            argv.push_back(nullptr);
            ::execv(prog.c_str(), argv.data());
            ::_exit(127);
        }
        ::close(fds[1]);
        std::string line;
        char c;
        while (::read(fds[0], &c, 1) == 1 && c != '\n') line += c;
        ::close(fds[0]);
        const auto p = line.find("127.0.0.1:");
        if (p == std::string::npos) FAIL("party did not start: " << slurp(log));
        addr_ = "http://" + line.substr(p, line.find('"', p) - p);
        port_ = line.substr(line.find(':', p) + 1, line.find('"', p) - line.find(':', p) - 1);
    }
    ~party() { stop(); }
    void stop() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGTERM);
        for (int i = 0; i < 100; ++i) {
            if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
                pid_ = -1;
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }
    // Waits for the process to exit on its own (e.g. a VM crashing); true if it did.
    bool exited_within(int ms) {
        for (int i = 0; i < ms / 10; ++i) {
            if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
                pid_ = -1;
                return true;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return false;
    }
    const std::string& addr() const { return addr_; }
    const std::string& port() const { return port_; }
    std::string log() const { return slurp(log_); }

private:
    pid_t pid_ = -1;
    std::string addr_, port_, log_;
};

struct run_result {
    int status = -1;
    std::string out;
};
inline run_result run_client(const std::vector<std::string>& args, const std::string& log) {
    std::string cmd = "'" + example() + "' client";
    for (const auto& a : args) cmd += " '" + a + "'";
    cmd += " 2>>'" + log + "'";
    run_result r;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return r;
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
    const int st = ::pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

struct deployment {
    tempdir dir;
    std::string file = dir.path + "/deployment.json";
    std::unique_ptr<party> witness, log, issuer;
    std::vector<std::unique_ptr<party>> vms;

    /// `vm_count` VMs on the approved image (started), then `rogue` on an unapproved one
    /// (in the deployment file only: start them with start_vm(vm_count + i, ...)).
    explicit deployment(int vm_count, const std::vector<std::vector<std::string>>& vm_extra = {}, int rogue = 0) {
        const std::string cmd = "'" + example() + "' setup --out '" + file + "' --vms " + std::to_string(vm_count) +
                                " --rogue-vms " + std::to_string(rogue) + " >/dev/null 2>&1";
        REQUIRE(std::system(cmd.c_str()) == 0);
        witness = std::make_unique<party>(std::vector<std::string>{"witness", "--deployment", file, "--listen", "127.0.0.1:0"}, dir.path + "/witness.log");
        log = std::make_unique<party>(std::vector<std::string>{"log", "--deployment", file, "--listen", "127.0.0.1:0", "--witness", witness->addr()},
                                      dir.path + "/log.log");
        issuer = std::make_unique<party>(std::vector<std::string>{"issuer", "--deployment", file, "--listen", "127.0.0.1:0"}, dir.path + "/issuer.log");
        for (int i = 0; i < vm_count; ++i) vms.push_back(start_vm(i, "127.0.0.1:0", i < int(vm_extra.size()) ? vm_extra[i] : std::vector<std::string>{"--delay-ms", "0"}));
    }
    std::unique_ptr<party> start_vm(int i, const std::string& listen, std::vector<std::string> extra) {
        std::vector<std::string> a = {"vm", "--deployment", file, "--index", std::to_string(i), "--listen", listen, "--log", log->addr()};
        a.insert(a.end(), extra.begin(), extra.end());
        return std::make_unique<party>(a, dir.path + "/vm" + std::to_string(i) + "-" + std::to_string(std::rand()) + ".log");
    }
    std::unique_ptr<party> gateway(const std::string& name, const std::vector<std::string>& vm_addrs, const std::string& store) {
        std::vector<std::string> a = {"gateway", "--deployment", file, "--listen", "127.0.0.1:0", "--log", log->addr(), "--store", store};
        for (const auto& v : vm_addrs) {
            a.push_back("--vm");
            a.push_back(v);
        }
        return std::make_unique<party>(a, dir.path + "/" + name + ".log");
    }
    std::unique_ptr<party> relay(const std::string& name, const party& gw) {
        return std::make_unique<party>(std::vector<std::string>{"relay", "--listen", "127.0.0.1:0", "--gateway", gw.addr() + "/gateway"},
                                       dir.path + "/" + name + ".log");
    }
    std::vector<std::string> client_args(const party& gw, const party& relay) const {
        return {"--deployment", file, "--directory", gw.addr(), "--issuer", issuer->addr(), "--relay", relay.addr() + "/relay"};
    }
};

} // namespace ppx::test::procs
