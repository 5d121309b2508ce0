// The client's long-lived log view (consistency across sessions, rollback and fork refused),
// the per-session attestation nonce (a replayed attestation is refused), and the wiping of
// the client's tokens.
#include "harness.hpp"

#include <ppx/ratls/cert.hpp>

using namespace ppx;
using namespace ppx::session;
using namespace ppx::test;

namespace {

// A deployment of this file's own (its log grows and forks), one approved VM, no rogue one,
// so every session is offered an approved VM.
simulated_deployment& growing_deployment() {
    static simulated_deployment dep = [] {
        deterministic_rng r(11);
        simulated_options o;
        o.approved_vms = 1;
        o.rogue_vms = 0;
        auto made = make_simulated_deployment(o, r);
        REQUIRE(made);
        return std::move(*made);
    }();
    return dep;
}

// A second log with the same origin and signing key as d.log (what a log operator presenting
// a fork would have), holding d.log's first `shared` entries, then `extra` entries of its own.
std::shared_ptr<merkle::memory_log> fork_of(const simulated_deployment& d, std::uint64_t shared, int extra, const std::string& tag) {
    const auto skey = d.log->signer().to_private_string();
    auto signer = merkle::note_signer::parse(std::string(skey.begin(), skey.end()));
    REQUIRE(signer);
    auto f = std::make_shared<merkle::memory_log>(d.log->origin(), std::move(*signer));
    for (std::uint64_t i = 0; i < shared; ++i) {
        auto e = d.log->entry(i);
        REQUIRE(e);
        REQUIRE(f->append(*e));
    }
    for (int i = 0; i < extra; ++i) REQUIRE(f->append(as_bytes(tag + std::to_string(i))));
    return f;
}

// Restaples the directory and every VM's bundle to `log`'s current checkpoint (cosigned by the
// witness), as the gateway and the VMs do when the log grows.
void restaple(simulated_deployment& d, const merkle::memory_log& log) {
    auto note = log.checkpoint_note();
    REQUIRE(note);
    auto cp = d.witness->add_to(*note, test_now - 5);
    REQUIRE(cp);
    auto proof = [&](std::uint64_t i) {
        auto p = log.inclusion_proof(i, log.size());
        REQUIRE(p);
        return stapled_proof{i, *p};
    };
    auto dir = directory::decode(d.directory);
    REQUIRE(dir);
    dir->checkpoint = *cp;
    dir->gateway_key = proof(d.gateway_key_index);
    dir->issuer_key = proof(d.issuer_key_index);
    auto enc = dir->encode();
    REQUIRE(enc);
    d.directory = *enc;
    for (auto& v : d.vms) {
        auto b = attestation_bundle::decode(v.bundle);
        REQUIRE(b);
        b->checkpoint = *cp;
        b->measurement = proof(d.measurement_index);
        auto be = b->encode();
        REQUIRE(be);
        v.bundle = *be;
    }
}

template <class E>
const E* find_event(const std::vector<client_event>& ev) {
    for (const auto& e : ev)
        if (auto* x = std::get_if<E>(&e)) return x;
    return nullptr;
}
// The result points into `ev`: a temporary would leave it dangling.
template <class E>
const E* find_event(std::vector<client_event>&&) = delete;

// A session on `state` that must be refused with `code` before it asks for a token.
void refused_before_tokens(simulated_deployment& d, const std::shared_ptr<client_state>& state, errc code) {
    loopback lb(d);
    client_session c(d.client, lb.r, state);
    lb.establish(c);
    const auto ev = events(c);
    const auto f = failure_of(ev);
    REQUIRE(f);
    CHECK(f->code == code);
    CHECK(find_event<tokens_issued>(ev) == nullptr);
    CHECK(lb.vm_hits.empty());
    CHECK_FALSE(c.is_ready());
}

bool sent_nothing(client_session& c) { return !c.poll_transmit().has_value(); }

std::size_t nonzero(bytes_view b) {
    std::size_t n = 0;
    for (auto x : b) n += x != 0;
    return n;
}

} // namespace

TEST_CASE("session: the client's log view spans sessions: growth needs a consistency proof, rollback and forks are refused",
          "[session][logview]") {
    auto& d = growing_deployment();
    const std::string origin = d.log->origin();
    const bytes original_directory = d.directory;
    std::vector<bytes> original_bundles;
    for (const auto& v : d.vms) original_bundles.push_back(v.bundle);
    auto state = std::make_shared<client_state>();

    // Session 1: first sight of the log (size 3).
    {
        loopback lb(d);
        auto c = ready_client(lb, nullptr, state);
        const auto ev = events(*c);
        const auto* k = find_event<keys_verified>(ev);
        REQUIRE(k);
        CHECK(k->previous_log_size == 0);
        CHECK(lb.consistency_requests.empty());
        REQUIRE(state->latest(origin));
        CHECK(state->latest(origin)->size == 3);
    }
    // Session 2: the log grew to 5; the client fetches the 3 -> 5 proof and accepts.
    REQUIRE(d.log->append(as_bytes("measurement of a newer image")));
    REQUIRE(d.log->append(as_bytes("another entry")));
    restaple(d, *d.log);
    {
        loopback lb(d);
        auto c = ready_client(lb, nullptr, state);
        const auto ev = events(*c);
        const auto* k = find_event<keys_verified>(ev);
        REQUIRE(k);
        CHECK(k->log_size == 5);
        CHECK(k->previous_log_size == 3);
        // One proof, for the directory's checkpoint; the bundle's equal one needs none.
        REQUIRE(lb.consistency_requests.size() == 1);
        CHECK(lb.consistency_requests[0] == std::pair<std::uint64_t, std::uint64_t>{3, 5});
        CHECK(state->latest(origin)->size == 5);
        REQUIRE(c->send_request(as_bytes("still works"), lb.now));
        lb.pump(*c);
        CHECK(reply_of(events(*c)).second);
    }
    const auto root5 = state->latest(origin)->root;

    {  // the view survives serialisation (a client restarted)
        auto restored = client_state::deserialize(state->serialize());
        REQUIRE(restored);
        REQUIRE((*restored)->latest(origin));
        CHECK((*restored)->latest(origin)->size == 5);
        CHECK((*restored)->latest(origin)->root == root5);
    }
    {  // rollback: the old checkpoint of size 3 is refused
        const bytes grown = d.directory;
        d.directory = original_directory;
        refused_before_tokens(d, state, errc::policy);
        d.directory = grown;
    }
    {  // fork at the same size: another tree of 5 entries is refused
        auto f = fork_of(d, 3, 2, "forked entry ");
        const bytes grown = d.directory;
        restaple(d, *f);
        refused_before_tokens(d, state, errc::crypto_failure);
        restaple(d, *d.log);
        CHECK(d.directory == grown);
    }
    {  // fork that grew: the consistency proof from 5 does not verify
        auto f = fork_of(d, 3, 3, "forked entry ");
        restaple(d, *f);
        loopback lb(d);
        lb.log = f;  // the fork's operator answers the proof request too
        client_session c(d.client, lb.r, state);
        lb.establish(c);
        const auto ev = events(c);
        const auto fail = failure_of(ev);
        REQUIRE(fail);
        CHECK(fail->code == errc::crypto_failure);
        CHECK(lb.consistency_requests == std::vector<std::pair<std::uint64_t, std::uint64_t>>{{5, 6}});
        CHECK(find_event<tokens_issued>(ev) == nullptr);
        restaple(d, *d.log);
    }
    {  // an attestation stapled to an older checkpoint than the directory's is a rollback
        std::vector<bytes> grown;
        for (auto& v : d.vms) grown.push_back(v.bundle);
        for (std::size_t i = 0; i < d.vms.size(); ++i) d.vms[i].bundle = original_bundles[i];
        loopback lb(d);
        client_session c(d.client, lb.r, state);
        lb.establish(c);
        const auto f = failure_of(events(c));
        REQUIRE(f);
        CHECK(f->code == errc::policy);
        CHECK_FALSE(c.is_ready());
        CHECK(lb.vm_hits.empty());
        for (std::size_t i = 0; i < d.vms.size(); ++i) d.vms[i].bundle = grown[i];
    }
    // Whatever was refused, the view still holds the honest tree head.
    CHECK(state->latest(origin)->size == 5);
    CHECK(state->latest(origin)->root == root5);
}

TEST_CASE("session: each attestation binds the session's fresh nonce; a replayed one is refused", "[session][nonce]") {
    auto& d = shared_deployment();
    loopback lb(d);
    auto first = ready_client(lb);
    const auto ev = events(*first);
    const auto* a = find_event<vm_attested>(ev);
    REQUIRE(a);
    REQUIRE(a->nonce.size() == attestation_nonce_size);
    // The bundle the VM made for this session binds exactly its nonce in the report's claims.
    REQUIRE_FALSE(lb.attestations.empty());
    const bytes made = lb.attestations.back();
    auto bundle = attestation_bundle::decode(made);
    REQUIRE(bundle);
    auto cert = ratls::parse_certificate(bundle->certificate);
    REQUIRE(cert);
    REQUIRE(cert->claims);
    REQUIRE(cert->claims->nonce);
    CHECK(equal_bytes(*cert->claims->nonce, a->nonce));

    // A second session gets another nonce.
    {
        loopback lb2(d);
        auto second = ready_client(lb2);
        const auto ev2 = events(*second);  // find_event points into it: keep it alive
        const auto* a2 = find_event<vm_attested>(ev2);
        REQUIRE(a2);
        CHECK_FALSE(equal_bytes(a2->nonce, a->nonce));
    }

    const std::pair<const char*, bytes> replays[] = {
        {"the first session's attestation", made},
        {"the VM's cached attestation (no nonce)", d.vms[0].bundle},
    };
    for (const auto& rp : replays) {
        DYNAMIC_SECTION("replayed: " << rp.first) {
            loopback lb3(d);
            const bytes replay = rp.second;
            lb3.on_attestation = [replay](bytes& b) { b = replay; };
            client_session c(d.client, lb3.r);
            lb3.establish(c);
            const auto f = failure_of(events(c));
            REQUIRE(f);
            CHECK(f->code == errc::policy);
            CHECK_FALSE(c.is_ready());
            CHECK(sent_nothing(c));
            CHECK(lb3.vm_hits.empty());
            CHECK_FALSE(c.send_request(as_bytes("x"), lb3.now));
            CHECK(lb3.vm_hits.empty());
        }
    }
}

TEST_CASE("session: the gateway refuses a malformed attestation nonce", "[session][nonce]") {
    auto& d = shared_deployment();
    deterministic_rng r(99);
    bhttp::request req;
    req.control = {"GET", "https", "gateway.ppx.test", std::string(attestation_path)};
    req.headers = {{std::string(nonce_field), "abcd"}};
    auto inner = bhttp::encode(req);
    REQUIRE(inner);
    auto kc = ohttp::key_config::parse(d.gateway_key_config);
    REQUIRE(kc);
    auto cl = ohttp::client::make(*kc, ohttp::labels::chunked_bhttp());
    REQUIRE(cl);
    auto snd = ohttp::chunked_request_sender::start(*cl, r);
    REQUIRE(snd);
    bytes body = to_bytes(snd->header());
    auto chunk = snd->seal(*inner, true);
    REQUIRE(chunk);
    append(body, *chunk);
    gateway_exchange g(d.gateway, r);
    REQUIRE(g.receive(body, test_now));
    auto res = g.end_of_request(test_now);
    REQUIRE_FALSE(res);
    CHECK(res.error().code == errc::malformed);
    bool asked_vm = false;
    while (auto e = g.poll_event()) asked_vm |= std::holds_alternative<gw_attest>(*e);
    CHECK_FALSE(asked_vm);
}

TEST_CASE("session: the client's tokens are wiped as they are spent, on close and on failure", "[session][wipe]") {
    auto& d = shared_deployment();
    SECTION("spent, then closed") {
        loopback lb(d);
        auto c = ready_client(lb);
        const bytes_view store = c->tokens().storage();
        const std::size_t size = store.size();
        REQUIRE(c->tokens_left() == 4);
        REQUIRE(size >= 4 * 300);
        const std::size_t before = nonzero(c->tokens().storage());
        CHECK(before > size / 2);
        REQUIRE(c->send_request(as_bytes("one"), lb.now));
        lb.pump(*c);
        REQUIRE(reply_of(events(*c)).second);
        CHECK(c->tokens_left() == 3);
        CHECK(c->tokens().storage().size() == size);  // same buffer, never reallocated
        CHECK(c->tokens().storage().data() == store.data());
        const std::size_t after = nonzero(c->tokens().storage());
        CHECK(after < before);
        CHECK(after > 0);
        c->close();
        CHECK(c->tokens_left() == 0);
        CHECK(c->tokens().storage().size() == size);
        CHECK(nonzero(c->tokens().storage()) == 0);
    }
    SECTION("a failed session wipes them at once") {
        loopback lb(d);
        auto c = ready_client(lb);
        REQUIRE(nonzero(c->tokens().storage()) > 0);
        lb.on_gateway_response = [](bytes& b) { b.back() ^= 1; };
        REQUIRE(c->send_request(as_bytes("tampered"), lb.now));
        lb.pump(*c);
        REQUIRE(c->failure());
        CHECK(c->tokens_left() == 0);
        CHECK(nonzero(c->tokens().storage()) == 0);
    }
}
