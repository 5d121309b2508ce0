// `ppx session run` against the loopback deployment of examples/private_processing (one
// process per party, started as scripts/demo.sh does): an answered run, a second run whose
// saved log view is checked, and refusals (a VM whose measurement is not in the log, a
// measurement not pinned) where the VM never receives the request. Skipped (with a warning)
// when the example or the tool is not built.
#include "processes.hpp"

#include <nlohmann/json.hpp>

using namespace ppx::test::procs;
using json = nlohmann::json;

namespace {

bool have_tool() { return ::access(ppx::test::ppx_tool().c_str(), X_OK) == 0; }

// The client's trust anchors from the deployment file, as `ppx session run` options (the
// simulated AMD chain goes in a --roots directory).
std::vector<std::string> anchors(const deployment& d) {
    std::ifstream f(d.file);
    const json j = json::parse(f);
    const json& c = j["client"];
    const std::string roots = d.dir.path + "/roots";
    REQUIRE(std::system(("mkdir -p '" + roots + "'").c_str()) == 0);
    std::ofstream(roots + "/ark_milan.pem") << c["ark_pem"].get<std::string>();
    std::ofstream(roots + "/ask_milan.pem") << c["ask_pem"].get<std::string>();
    const auto& t = c["min_tcb"];
    return {"--gateway-name", j["names"]["gateway"].get<std::string>(),
            "--issuer-name", j["names"]["issuer"].get<std::string>(),
            "--log-vkey", c["log_vkey"].get<std::string>(),
            "--log-origin", j["names"]["log"].get<std::string>(),
            "--witness", c["witness_vkey"].get<std::string>(),
            "--roots", roots,
            "--min-tcb", "milan:bl=" + std::to_string(t[1].get<int>()) + ",tee=" + std::to_string(t[2].get<int>()) +
                             ",snp=" + std::to_string(t[3].get<int>()) + ",ucode=" + std::to_string(t[4].get<int>())};
}

std::string measurement_of(const deployment& d, int vm) {
    std::ifstream f(d.file);
    return json::parse(f)["vms"][vm]["measurement"].get<std::string>();
}

ppx::test::run_result session_run(const deployment& d, const party& gw, const party& relay, std::vector<std::string> extra) {
    std::vector<std::string> a = {"session", "run", "--directory", gw.url(), "--issuer", d.issuer->url(), "--relay",
                                  relay.url("/relay"), "--log", d.log->url()};
    for (auto& x : anchors(d)) a.push_back(x);
    for (auto& x : extra) a.push_back(x);
    return ppx::test::run_ppx(a);
}

const char* chat = "Alice: Shall we meet at the lake on Sunday?\nBob: Agreed, let's bring a picnic.\n";

} // namespace

TEST_CASE("ppx session run: answered through the deployment; an unapproved VM is refused before it gets the request",
          "[session][tool]") {
    if (!have_example() || !have_tool()) {
        WARN("ppx_example_private_processing or the ppx tool not built: session run test skipped");
        return;
    }
    deployment d(1, {{"--delay-ms", "0"}}, 1);
    auto rogue = d.start_vm(1, "127.0.0.1:0", {"--delay-ms", "0"});
    auto gw = d.gateway("gateway", {d.vms[0]->url()}, "memory");
    auto relay = d.relay("relay", *gw);
    const std::string state = d.dir.path + "/client.state";

    // Answered: the reply and what was verified.
    auto r = session_run(d, *gw, *relay, {"--prompt", chat, "--state", state});
    INFO(r.out << d.vms[0]->log() << gw->log());
    REQUIRE(r.status == 0);
    const json out = json::parse(r.out);
    CHECK(out["reply"].get<std::string>().find("Summary of 2 messages from 2 people") != std::string::npos);
    CHECK(out["reply_bytes"].get<std::size_t>() == out["reply"].get<std::string>().size());
    CHECK(out["vm"]["measurement"] == measurement_of(d, 0));
    CHECK(out["vm"]["product"].get<std::string>().rfind("Milan", 0) == 0);
    CHECK(out["vm"]["nonce"].get<std::string>().size() == 64);
    CHECK(out["log"]["size"] == 3);
    CHECK(out["log"]["previous_size"] == 0);
    CHECK(out["log"]["witnesses"] == json::array({"witness.ppx.test"}));
    CHECK(out["tokens"]["issued"] == 1);
    CHECK(out["tokens"]["left"] == 0);
    CHECK(occurrences(d.vms[0]->log(), "opened a request") == 1);
    CHECK(occurrences(d.vms[0]->log(), "attested for a session nonce") == 1);

    // A second run remembers the log it saw (--state), and gets another nonce.
    auto r2 = session_run(d, *gw, *relay, {"--prompt", chat, "--state", state});
    REQUIRE(r2.status == 0);
    const json out2 = json::parse(r2.out);
    CHECK(out2["log"]["previous_size"] == 3);
    CHECK(out2["vm"]["nonce"] != out["vm"]["nonce"]);

    // A measurement pin the approved VM does not match: refused before the prompt is sent.
    auto pinned = session_run(d, *gw, *relay, {"--prompt", chat, "--measurement", measurement_of(d, 1)});
    CHECK(pinned.status == 1);
    CHECK(json::parse(pinned.out)["error"] == "policy");
    CHECK(occurrences(d.vms[0]->log(), "opened a request") == 2);

    // A gateway replica that routes only to the VM whose measurement is not in the log.
    auto gw_b = d.gateway("gateway-b", {rogue->url()}, "memory");
    auto relay_b = d.relay("relay-b", *gw_b);
    auto refused = session_run(d, *gw_b, *relay_b, {"--prompt", chat, "--state", state});
    INFO(refused.out << rogue->log());
    CHECK(refused.status == 1);
    const json err = json::parse(refused.out);
    CHECK(err["error"] == "policy");
    CHECK(err["detail"].get<std::string>().find("measurement") != std::string::npos);
    CHECK(occurrences(rogue->log(), "attested for a session nonce") == 1);  // it was asked to attest...
    CHECK(occurrences(rogue->log(), "opened a request") == 0);              // ...and never sent the request
}

TEST_CASE("ppx session run: usage errors exit 2, --help exits 0", "[session][tool]") {
    if (!have_tool()) {
        WARN("the ppx tool is not built: skipped");
        return;
    }
    CHECK(ppx::test::run_ppx({"session", "run", "--help"}).status == 0);
    CHECK(ppx::test::run_ppx({"session", "run", "--directory", "http://127.0.0.1:1"}).status == 2);
    CHECK(ppx::test::run_ppx({"session", "run", "--bogus", "x"}).status == 2);
}
