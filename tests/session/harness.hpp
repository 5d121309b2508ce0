// In-process loopback of a whole Private Processing deployment: the client's transmits are
// answered by the simulated issuer, gateway and VMs through their state machines, with hooks
// to tamper with, replay or cut any stream. Shared by the session tests.
#pragma once

#include <catch2/catch.hpp>
#include <ppx/session/simulated.hpp>

#include <cinttypes>
#include <cstdio>
#include <functional>

namespace ppx::test {

using namespace ppx::session;

/// One deployment per test binary (RSA and the simulated AMD chain are slow to generate).
inline simulated_deployment& shared_deployment() {
    static simulated_deployment dep = [] {
        deterministic_rng r(7);
        simulated_options o;
        o.approved_vms = 2;
        o.rogue_vms = 1;
        auto made = make_simulated_deployment(o, r);
        REQUIRE(made);
        return std::move(*made);
    }();
    return dep;
}

inline constexpr std::uint64_t test_now = 1767225600;

/// The deterministic "processing" of the tests: echoes the request upper-cased, in pieces of 5.
inline result<void> upper_echo(bytes_view req, const std::function<result<void>(bytes_view)>& emit) {
    bytes up(req.begin(), req.end());
    for (auto& c : up)
        if (c >= 'a' && c <= 'z') c = static_cast<std::uint8_t>(c - 32);
    for (std::size_t i = 0; i < up.size(); i += 5) PPX_TRY(emit(bytes_view(up).subspan(i, std::min<std::size_t>(5, up.size() - i))));
    return ok();
}

/// A new seed per loopback: the tests share one deployment (and so one spend store), and
/// equal seeds would make equal token nonces, which the store rightly refuses.
inline std::uint64_t next_seed() {
    static std::uint64_t n = 1000;
    return ++n;
}

/// Drives a client through the in-process deployment.
struct loopback {
    simulated_deployment& d;
    std::shared_ptr<const gateway_config> gw;  // may be replaced (a replica, a tampered config)
    deterministic_rng r{next_seed()};
    std::uint64_t now = test_now;
    std::size_t piece = 0;  // 0: whole bodies; else feed the client in pieces of this size
    /// Hooks: change the directory / attestation reply / relay request / gateway response
    /// stream / VM response stream before it is passed on.
    std::function<void(bytes&)> on_directory, on_relay_request, on_gateway_response, on_vm_response;
    /// Change the attestation bundle a VM made for a nonce before the gateway seals it.
    std::function<void(bytes&)> on_attestation;
    /// The log that answers consistency proof requests (destination::log); d.log by default.
    std::shared_ptr<merkle::memory_log> log;
    /// The bundles VMs made for nonces, and the consistency proofs asked for (first, second).
    std::vector<bytes> attestations;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> consistency_requests;
    /// Cut the VM's stream after this many of its transmits (the VM "dies").
    std::optional<std::size_t> kill_vm_after;
    /// Which VM ids received a request, and which gateway events happened.
    std::vector<std::string> vm_hits;
    std::vector<gw_event> gw_events;
    bytes last_relay_request;

    explicit loopback(simulated_deployment& dep) : d(dep), gw(dep.gateway), log(dep.log) {}

    const simulated_vm* vm_by_id(const std::string& id) const {
        for (const auto& v : d.vms)
            if (v.identity->id() == id) return &v;
        return nullptr;
    }

    /// Runs the relay -> gateway -> VM path for one request body; returns the gateway's
    /// response stream.
    bytes relay(bytes body) {
        last_relay_request = body;
        gateway_exchange g(gw, r);
        bytes out;
        auto drain_g = [&] {
            while (auto t = g.poll_transmit()) append(out, *t);
        };
        (void)g.receive(body, now);
        (void)g.end_of_request(now);
        while (auto e = g.poll_event()) {
            gw_events.push_back(*e);
            if (auto* a = std::get_if<gw_attest>(&*e)) {
                const simulated_vm* v = vm_by_id(a->vm_id);
                REQUIRE(v);
                auto b = attest_simulated_vm(*v, a->nonce, now, r);
                REQUIRE(b);
                attestations.push_back(*b);
                if (on_attestation) on_attestation(*b);
                REQUIRE(g.attestation_ready(*b, now));
            }
            if (auto* f = std::get_if<gw_forward>(&*e)) {
                vm_hits.push_back(f->vm_id);
                const simulated_vm* v = vm_by_id(f->vm_id);
                REQUIRE(v);
                vm_exchange x(v->identity, r);
                (void)x.receive(f->body, now);
                (void)x.end_of_request(now);
                (void)x.run(upper_echo, now);
                std::size_t n = 0;
                bool cut = false;
                while (auto t = x.poll_transmit()) {
                    if (kill_vm_after && n == *kill_vm_after) {
                        cut = true;
                        break;
                    }
                    ++n;
                    if (on_vm_response) on_vm_response(*t);
                    (void)g.upstream(*t, now);
                    drain_g();
                }
                if (cut || x.failure()) {
                    // A cut after the response started can only truncate it; the client is
                    // still told "end of response", as a transport that missed the cut would.
                    g.upstream_failed(now);
                } else {
                    (void)g.upstream_end(now);
                }
            }
        }
        drain_g();
        while (auto e = g.poll_event()) gw_events.push_back(*e);
        if (on_gateway_response) on_gateway_response(out);
        return out;
    }

    void feed(client_session& c, bytes_view body) {
        if (piece == 0) {
            (void)c.receive(body, now);
            return;
        }
        for (std::size_t i = 0; i < body.size(); i += piece) (void)c.receive(body.subspan(i, std::min(piece, body.size() - i)), now);
    }

    /// Answers every transmit of `c` until it has nothing left to send.
    void pump(client_session& c) {
        while (auto t = c.poll_transmit()) {
            bytes body;
            switch (t->to) {
            case destination::directory:
                body = d.directory;
                if (on_directory) on_directory(body);
                break;
            case destination::issuer: {
                auto res = d.issuer->handle_generic(t->body, r);
                REQUIRE(res);
                body = res->body;
                break;
            }
            case destination::log: {
                // GET /consistency?first=N&second=M
                std::uint64_t first = 0, second = 0;
                REQUIRE(std::sscanf(t->path.c_str(), "/consistency?first=%" SCNu64 "&second=%" SCNu64, &first, &second) == 2);
                consistency_requests.emplace_back(first, second);
                auto p = log->consistency_proof(first, second);
                REQUIRE(p);
                body.resize(p->size() * merkle::hash_size);
                REQUIRE(merkle::proof_to_bytes(*p, body));
                break;
            }
            case destination::relay: {
                bytes req = t->body;
                if (on_relay_request) on_relay_request(req);
                body = relay(std::move(req));
                break;
            }
            }
            feed(c, body);
            (void)c.end_of_response(now);
        }
    }

    /// Starts `c` and pumps it to readiness (or failure).
    void establish(client_session& c) {
        REQUIRE(c.start(now));
        pump(c);
    }
};

/// Every event of `c`, drained.
inline std::vector<client_event> events(client_session& c) {
    std::vector<client_event> v;
    while (auto e = c.poll_event()) v.push_back(std::move(*e));
    return v;
}

/// The reply text of the drained events, and whether reply_complete was seen.
inline std::pair<std::string, bool> reply_of(const std::vector<client_event>& ev) {
    std::string s;
    bool complete = false;
    for (const auto& e : ev) {
        if (auto* c = std::get_if<reply_chunk>(&e)) s.append(c->data.begin(), c->data.end());
        if (std::holds_alternative<reply_complete>(e)) complete = true;
    }
    return {s, complete};
}

inline std::optional<error> failure_of(const std::vector<client_event>& ev) {
    for (const auto& e : ev)
        if (auto* f = std::get_if<client_failed>(&e)) return f->err;
    return std::nullopt;
}

/// Establishes until the client attested an approved VM (the gateway picks at random; a
/// rogue pick is a refusal, so retry with a new session).
inline std::unique_ptr<client_session> ready_client(loopback& lb, std::shared_ptr<const client_config> cfg = nullptr,
                                                    std::shared_ptr<client_state> state = nullptr) {
    for (int i = 0; i < 32; ++i) {
        auto c = std::make_unique<client_session>(cfg ? cfg : lb.d.client, lb.r, state);
        lb.establish(*c);
        if (c->is_ready()) return c;
    }
    FAIL("no approved VM was offered in 32 tries");
    return nullptr;
}

} // namespace ppx::test
