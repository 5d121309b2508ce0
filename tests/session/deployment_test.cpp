// The loopback deployment of examples/private_processing, one process per party: many
// concurrent clients, the same token through two gateway replicas sharing Redis, and a VM
// killed mid-stream then restarted. Skipped (with a warning) when the example is not built.
#include "processes.hpp"

#include <catch2/catch.hpp>

using namespace ppx::test::procs;

TEST_CASE("deployment: many concurrent clients are each answered or cleanly refused", "[session][load]") {
    if (!have_example()) {
        WARN("ppx_example_private_processing not built: load test skipped");
        return;
    }
    deployment d(2);
    auto gw = d.gateway("gateway", {d.vms[0]->url(), d.vms[1]->url()}, "memory");
    auto relay = d.relay("relay", *gw);
    constexpr int clients = 10, parallel = 5;
    std::atomic<int> next{0}, answered{0}, refused{0}, other{0};
    std::mutex mu;
    std::string failures;
    std::vector<std::thread> workers;
    for (int w = 0; w < parallel; ++w)
        workers.emplace_back([&] {
            for (int i = next++; i < clients; i = next++) {
                auto r = run_client(d.client_args(*gw, *relay), d.dir.path + "/clients.log");
                const bool complete = r.out.find("reply complete") != std::string::npos;
                const bool refusal = r.out.find("REFUSED") != std::string::npos;
                if (r.status == 0 && complete && r.out.find("Summary of 10 messages") != std::string::npos) ++answered;
                else if (r.status == 1 && refusal && !complete) ++refused;
                else {
                    ++other;
                    std::lock_guard g(mu);
                    failures += r.out + "\n";
                }
            }
        });
    for (auto& t : workers) t.join();
    INFO(failures);
    CHECK(other == 0);
    CHECK(answered + refused == clients);  // nothing lost
    CHECK(answered >= clients / 2);        // loopback, no faults: most are answered
    // Each answered request reached a VM exactly once.
    const auto vm_requests = occurrences(d.vms[0]->log() + d.vms[1]->log(), "opened a request");
    CHECK(vm_requests == static_cast<std::size_t>(answered.load()));
}

TEST_CASE("deployment: one token through two gateway replicas sharing Redis is accepted once", "[session][redis]") {
    const char* url = std::getenv("PPX_REDIS_URL");
    if (!url || !*url || !have_example()) {
        WARN("PPX_REDIS_URL not set or example not built: double-spend test skipped");
        return;
    }
    deployment d(1);
    auto gw_a = d.gateway("gateway-a", {d.vms[0]->url()}, url);
    auto gw_b = d.gateway("gateway-b", {d.vms[0]->url()}, url);
    auto relay_a = d.relay("relay-a", *gw_a);
    auto relay_b = d.relay("relay-b", *gw_b);
    for (int round = 0; round < 2; ++round) {
        auto args = d.client_args(*gw_a, *relay_a);
        args.push_back("--duplicate-via");
        args.push_back(relay_b->url("/relay"));
        (void)run_client(args, d.dir.path + "/clients.log");
    }
    const std::string logs = gw_a->log() + gw_b->log();
    INFO(logs);
    CHECK(occurrences(logs, "token redeemed") == 2);  // each token exactly once
    CHECK(occurrences(logs, "refused: replayed") == 2);
    CHECK(occurrences(d.vms[0]->log(), "opened a request") == 2);
}

TEST_CASE("deployment: a VM killed mid-stream gives the client an error, never a partial answer", "[session][fault]") {
    if (!have_example()) {
        WARN("ppx_example_private_processing not built: fault test skipped");
        return;
    }
    deployment d(1, {{"--delay-ms", "20", "--die-after", "2"}});
    const std::string vm_url = d.vms[0]->url(), vm_address = d.vms[0]->address();
    auto gw = d.gateway("gateway", {vm_url}, "memory");
    auto relay = d.relay("relay", *gw);
    auto r = run_client(d.client_args(*gw, *relay), d.dir.path + "/clients.log");
    INFO(r.out);
    CHECK(r.status == 1);
    CHECK(r.out.find("REFUSED") != std::string::npos);
    CHECK(r.out.find("reply complete") == std::string::npos);
    CHECK(r.out.find("Summary of") != std::string::npos);  // it did stream part of the reply...
    CHECK(r.out.find("NOT an answer") != std::string::npos); // ...and said it is not an answer
    CHECK(d.vms[0]->exited_within(std::chrono::seconds(2)));
    // Restart the VM (same identity, same port): the next client is answered.
    d.vms[0] = d.start_vm(0, vm_address, {"--delay-ms", "0"});
    auto r2 = run_client(d.client_args(*gw, *relay), d.dir.path + "/clients.log");
    INFO(r2.out);
    CHECK(r2.status == 0);
    CHECK(r2.out.find("reply complete") != std::string::npos);
}
