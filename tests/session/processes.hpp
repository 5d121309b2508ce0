// Process-level helpers for the session tests: a loopback deployment of
// examples/private_processing, one process per party (started as scripts/demo.sh does),
// and runs of its client. Used by deployment_test.cpp and tool_test.cpp.
#pragma once

#include <support/process.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace ppx::test::procs {

inline std::string example() { return built_program("/examples/ppx_example_private_processing"); }
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

// One party of the example: a server_process whose stderr goes to its own log file, which a
// failed start is reported with.
class party : public server_process {
public:
    party(const std::vector<std::string>& args, const std::string& log) : server_process(example(), args, log), log_(log) {
        if (!ok()) FAIL("party did not start: " << slurp(log_));
    }
    std::string log() const { return slurp(log_); }

private:
    std::string log_;
};

// The example's client; its stderr is appended to `log`.
inline run_result run_client(std::vector<std::string> args, const std::string& log) {
    args.insert(args.begin(), "client");
    return run(example(), args, log);
}

struct deployment {
    tempdir dir;
    std::string file = dir.path + "/deployment.json";
    std::unique_ptr<party> witness, log, issuer;
    std::vector<std::unique_ptr<party>> vms;

    /// `vm_count` VMs on the approved image (started), then `rogue` on an unapproved one
    /// (in the deployment file only: start them with start_vm(vm_count + i, ...)).
    explicit deployment(int vm_count, const std::vector<std::vector<std::string>>& vm_extra = {}, int rogue = 0) {
        REQUIRE(run(example(), {"setup", "--out", file, "--vms", std::to_string(vm_count), "--rogue-vms", std::to_string(rogue)}).status == 0);
        witness = std::make_unique<party>(std::vector<std::string>{"witness", "--deployment", file, "--listen", "127.0.0.1:0"}, dir.path + "/witness.log");
        log = std::make_unique<party>(std::vector<std::string>{"log", "--deployment", file, "--listen", "127.0.0.1:0", "--witness", witness->url()},
                                      dir.path + "/log.log");
        issuer = std::make_unique<party>(std::vector<std::string>{"issuer", "--deployment", file, "--listen", "127.0.0.1:0"}, dir.path + "/issuer.log");
        for (int i = 0; i < vm_count; ++i) vms.push_back(start_vm(i, "127.0.0.1:0", i < int(vm_extra.size()) ? vm_extra[i] : std::vector<std::string>{"--delay-ms", "0"}));
    }
    std::unique_ptr<party> start_vm(int i, const std::string& listen, std::vector<std::string> extra) {
        std::vector<std::string> a = {"vm", "--deployment", file, "--index", std::to_string(i), "--listen", listen, "--log", log->url()};
        a.insert(a.end(), extra.begin(), extra.end());
        return std::make_unique<party>(a, dir.path + "/vm" + std::to_string(i) + "-" + std::to_string(std::rand()) + ".log");
    }
    std::unique_ptr<party> gateway(const std::string& name, const std::vector<std::string>& vm_urls, const std::string& store) {
        std::vector<std::string> a = {"gateway", "--deployment", file, "--listen", "127.0.0.1:0", "--log", log->url(), "--store", store};
        for (const auto& v : vm_urls) {
            a.push_back("--vm");
            a.push_back(v);
        }
        return std::make_unique<party>(a, dir.path + "/" + name + ".log");
    }
    std::unique_ptr<party> relay(const std::string& name, const party& gw) {
        return std::make_unique<party>(std::vector<std::string>{"relay", "--listen", "127.0.0.1:0", "--gateway", gw.url("/gateway")},
                                       dir.path + "/" + name + ".log");
    }
    std::vector<std::string> client_args(const party& gw, const party& relay) const {
        return {"--deployment", file, "--directory", gw.url(), "--issuer", issuer->url(), "--relay", relay.url("/relay")};
    }
};

} // namespace ppx::test::procs
