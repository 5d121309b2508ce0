// The Private Processing session: the whole chain in process, every refusal path (fail
// closed), tampering and truncation of each stream, and the poisoned-machine rule.
#include "harness.hpp"

using namespace ppx;
using namespace ppx::session;
using namespace ppx::test;

namespace {

bool sent_nothing_more(client_session& c) { return !c.poll_transmit().has_value(); }

template <class E>
std::size_t count(const std::vector<client_event>& ev) {
    std::size_t n = 0;
    for (const auto& e : ev) n += std::holds_alternative<E>(e);
    return n;
}

} // namespace

TEST_CASE("session: a request is answered end to end, streamed chunk by chunk", "[session]") {
    auto& d = shared_deployment();
    for (std::size_t piece : {std::size_t{0}, std::size_t{1}, std::size_t{7}}) {
        DYNAMIC_SECTION("client fed in pieces of " << piece) {
            loopback lb(d);
            lb.piece = piece;
            auto c = ready_client(lb);
            auto ev = events(*c);
            REQUIRE(count<keys_verified>(ev) == 1);
            REQUIRE(count<tokens_issued>(ev) == 1);
            REQUIRE(count<vm_attested>(ev) == 1);
            for (const auto& e : ev) {
                if (auto* k = std::get_if<keys_verified>(&e)) {
                    CHECK(k->gateway_key_index == d.gateway_key_index);
                    CHECK(k->issuer_key_index == d.issuer_key_index);
                    CHECK(k->witnesses == std::vector<std::string>{"witness.ppx.test"});
                }
                if (auto* a = std::get_if<vm_attested>(&e)) {
                    CHECK(a->product.rfind("Milan", 0) == 0);
                    const auto m = simulated_measurement("ppx-summariser-v1");
                    CHECK(equal_bytes(a->measurement, m));
                    CHECK(a->measurement_index == d.measurement_index);
                }
            }
            const std::size_t tokens = c->tokens_left();
            REQUIRE(tokens == 4);
            REQUIRE(c->send_request(as_bytes("summarise the chat, please"), lb.now));
            lb.pump(*c);
            ev = events(*c);
            REQUIRE_FALSE(failure_of(ev));
            auto [text, complete] = reply_of(ev);
            CHECK(complete);
            CHECK(text == "SUMMARISE THE CHAT, PLEASE");
            // Fed in pieces, the reply streams: each piece's authenticated chunks come out at
            // once. Fed whole, what authenticated in the one receive() is one event (and the
            // final chunks' plaintext, if any, one more at the end).
            if (piece == 0) CHECK(count<reply_chunk>(ev) <= 2);
            else CHECK(count<reply_chunk>(ev) >= 5);
            CHECK(c->tokens_left() == tokens - 1);
            CHECK(c->is_ready());
        }
    }
}

TEST_CASE("session: every request spends one token and uses a fresh ephemeral key", "[session]") {
    loopback lb(shared_deployment());
    auto c = ready_client(lb);
    (void)events(*c);
    std::vector<bytes> bodies;
    for (int i = 0; i < 4; ++i) {
        REQUIRE(c->send_request(as_bytes("same prompt"), lb.now));
        lb.pump(*c);
        bodies.push_back(lb.last_relay_request);
        auto [text, complete] = reply_of(events(*c));
        CHECK(complete);
        CHECK(text == "SAME PROMPT");
    }
    // Same prompt, same VM: every outer request differs (fresh ephemeral keys everywhere).
    for (std::size_t i = 0; i < bodies.size(); ++i)
        for (std::size_t j = i + 1; j < bodies.size(); ++j) CHECK_FALSE(equal_bytes(bodies[i], bodies[j]));
    CHECK(c->tokens_left() == 0);
    auto r = c->send_request(as_bytes("one more"), lb.now);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::misuse);
}

TEST_CASE("session: a VM whose measurement is not in the log is never sent the request", "[session][refusal]") {
    auto& d = shared_deployment();
    // Make the gateway offer only the rogue VM.
    auto cfg = std::make_shared<gateway_config>(*d.gateway);
    cfg->vms.clear();
    for (const auto& v : d.vms)
        if (!v.approved) cfg->vms.push_back(gateway_vm{v.identity->id(), v.bundle});
    REQUIRE(cfg->vms.size() == 1);
    loopback lb(d);
    lb.gw = cfg;
    client_session c(d.client, lb.r);
    lb.establish(c);
    auto ev = events(c);
    auto f = failure_of(ev);
    REQUIRE(f);
    CHECK(f->code == errc::policy);
    CHECK(count<vm_attested>(ev) == 0);
    CHECK_FALSE(c.is_ready());
    CHECK(sent_nothing_more(c));
    CHECK_FALSE(c.send_request(as_bytes("secret"), lb.now));
    CHECK(lb.vm_hits.empty());
}

TEST_CASE("session: key consistency failures stop the session before any token is requested", "[session][refusal]") {
    auto& d = shared_deployment();
    struct case_t {
        const char* name;
        std::function<std::shared_ptr<const client_config>()> cfg;
        std::function<void(bytes&)> dir;
        errc want;
    };
    auto other_witness = [&] {
        deterministic_rng r(99);
        auto w = merkle::note_signer::generate("witness.ppx.test", merkle::sig_type::cosignature_v1, r);
        auto c = std::make_shared<client_config>(*d.client);
        c->log_policy.witnesses = {w->to_verifier()};
        return std::shared_ptr<const client_config>(c);
    };
    auto rewrite = [](std::function<void(directory&)> f) {
        return [f](bytes& b) {
            auto dir = directory::decode(b);
            REQUIRE(dir);
            f(*dir);
            b = *dir->encode();
        };
    };
    const case_t cases[] = {
        {"unknown witness key (quorum not met)", other_witness, nullptr, errc::key_mismatch},
        {"bad witness cosignature", nullptr, rewrite([](directory& x) {
             // Flip one base64 character of the witness's signature line (the last line).
             auto pos = x.checkpoint.rfind(' ');
             x.checkpoint[pos + 10] = x.checkpoint[pos + 10] == 'A' ? 'B' : 'A';
         }), errc::crypto_failure},
        {"gateway key not in the log", nullptr, rewrite([](directory& x) { x.key_config.back() ^= 1; }), errc::crypto_failure},
        {"issuer key not in the log", nullptr, rewrite([](directory& x) { x.token_key[40] ^= 1; }), errc::crypto_failure},
        {"proof for another index", nullptr, rewrite([](directory& x) { x.gateway_key.index ^= 1; }), errc::crypto_failure},
        {"another gateway's name", nullptr, rewrite([](directory& x) { x.gateway_name = "evil.test"; }), errc::key_mismatch},
        {"truncated directory", nullptr, [](bytes& b) { b.resize(b.size() - 1); }, errc::malformed},
    };
    for (const auto& k : cases) {
        DYNAMIC_SECTION(k.name) {
            loopback lb(d);
            lb.on_directory = k.dir;
            client_session c(k.cfg ? k.cfg() : d.client, lb.r);
            REQUIRE(c.start(lb.now));
            auto t = c.poll_transmit();
            REQUIRE(t);
            REQUIRE(t->to == destination::directory);
            bytes body = d.directory;
            if (k.dir) k.dir(body);
            (void)c.receive(body, lb.now);
            auto r = c.end_of_response(lb.now);
            REQUIRE_FALSE(r);
            auto ev = events(c);
            auto f = failure_of(ev);
            REQUIRE(f);
            // Quorum failures surface as the checkpoint layer reports them.
            if (k.want == errc::key_mismatch && std::string(k.name).find("quorum") != std::string::npos)
                CHECK((f->code == errc::policy || f->code == errc::key_mismatch));
            else
                CHECK(f->code == k.want);
            CHECK(count<keys_verified>(ev) == 0);
            CHECK(sent_nothing_more(c));  // no token request, nothing to the relay
        }
    }
}

TEST_CASE("session: the gateway refuses bad and replayed tokens and forwards nothing", "[session][refusal]") {
    auto& d = shared_deployment();
    SECTION("replayed token") {
        loopback lb(d);
        auto c = ready_client(lb);
        (void)events(*c);
        REQUIRE(c->send_request(as_bytes("first"), lb.now));
        lb.pump(*c);
        CHECK(reply_of(events(*c)).second);
        REQUIRE(lb.vm_hits.size() == 1);
        // The relay (or anyone who saw the bytes) replays the request: the token's nonce is spent.
        const bytes replay = lb.last_relay_request;
        gateway_exchange g(lb.gw, lb.r);
        REQUIRE(g.receive(replay, lb.now));
        auto r = g.end_of_request(lb.now);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::replayed);
        bool forwarded = false;
        while (auto e = g.poll_event()) forwarded |= std::holds_alternative<gw_forward>(*e);
        CHECK_FALSE(forwarded);
        CHECK(lb.vm_hits.size() == 1);
    }
    SECTION("token from another issuer") {
        // A second deployment's issuer key is not the one the gateway trusts.
        deterministic_rng r2(1234);
        simulated_options o;
        o.rogue_vms = 0;
        auto other = make_simulated_deployment(o, r2);
        REQUIRE(other);
        auto cfg = std::make_shared<gateway_config>(*d.gateway);
        cfg->issuer_key = other->issuer->type2.keys().front().pub;
        loopback lb(d);
        auto c = ready_client(lb);
        (void)events(*c);
        lb.gw = cfg;
        REQUIRE(c->send_request(as_bytes("secret"), lb.now));
        lb.pump(*c);
        auto f = failure_of(events(*c));
        REQUIRE(f);
        CHECK((f->code == errc::key_mismatch || f->code == errc::crypto_failure));
        CHECK(lb.vm_hits.empty());
        CHECK(sent_nothing_more(*c));
    }
    SECTION("tampered token") {
        loopback lb(d);
        auto c = ready_client(lb);
        (void)events(*c);
        // The client's own token store is private; emulate a forged token by a gateway whose
        // challenge differs (the token then does not bind: RFC 9577 §2.2).
        auto cfg = std::make_shared<gateway_config>(*d.gateway);
        privacypass::token_challenge ch{2, "issuer.ppx.test", bytes(32, 1), "gateway.ppx.test"};
        cfg->token_challenge = *ch.encode();
        lb.gw = cfg;
        REQUIRE(c->send_request(as_bytes("secret"), lb.now));
        lb.pump(*c);
        auto f = failure_of(events(*c));
        REQUIRE(f);
        CHECK(lb.vm_hits.empty());
    }
}

TEST_CASE("session: tampered or truncated streams are never taken as a whole reply", "[session][refusal]") {
    auto& d = shared_deployment();
    struct case_t {
        const char* name;
        std::function<void(loopback&)> arm;
        bool vm_reached;
    };
    const case_t cases[] = {
        {"gateway response byte flipped", [](loopback& lb) { lb.on_gateway_response = [](bytes& b) { b[b.size() / 2] ^= 0x40; }; }, true},
        {"gateway response truncated", [](loopback& lb) { lb.on_gateway_response = [](bytes& b) { b.resize(b.size() - 3); }; }, true},
        {"VM chunk tampered", [](loopback& lb) {
             int n = 0;
             lb.on_vm_response = [n](bytes& b) mutable {
                 if (++n == 3) b.back() ^= 1;
             };
         }, true},
        {"VM killed mid-stream", [](loopback& lb) { lb.kill_vm_after = 3; }, true},
        {"VM killed before answering", [](loopback& lb) { lb.kill_vm_after = 0; }, true},
        {"request tampered on the way", [](loopback& lb) { lb.on_relay_request = [](bytes& b) { b[b.size() - 5] ^= 1; }; }, false},
    };
    for (const auto& k : cases) {
        DYNAMIC_SECTION(k.name) {
            loopback lb(d);
            auto c = ready_client(lb);
            (void)events(*c);
            k.arm(lb);
            REQUIRE(c->send_request(as_bytes("a long enough prompt to stream in several chunks"), lb.now));
            lb.pump(*c);
            auto ev = events(*c);
            CHECK(failure_of(ev));
            CHECK_FALSE(reply_of(ev).second);  // never reply_complete
            CHECK(lb.vm_hits.size() == (k.vm_reached ? 1u : 0u));
            CHECK(sent_nothing_more(*c));
            CHECK_FALSE(c->is_ready());
        }
    }
}

TEST_CASE("session: a poisoned machine reports its first error on every later call", "[session][poison]") {
    auto& d = shared_deployment();
    SECTION("client") {
        deterministic_rng r(5);
        client_session c(d.client, r);
        REQUIRE(c.start(test_now));
        (void)c.poll_transmit();
        REQUIRE(c.receive(as_bytes("garbage"), test_now));
        auto first = c.end_of_response(test_now);
        REQUIRE_FALSE(first);
        for (int i = 0; i < 3; ++i) {
            auto a = c.receive(d.directory, test_now);
            auto b = c.end_of_response(test_now);
            auto s = c.send_request(as_bytes("x"), test_now);
            auto st = c.start(test_now);
            for (auto* x : {&a, &b, &s, &st}) {
                REQUIRE_FALSE(*x);
                CHECK(x->error().code == first.error().code);
                CHECK(std::string(x->error().what) == first.error().what);
            }
            CHECK_FALSE(c.poll_transmit());
        }
        REQUIRE(c.failure());
        CHECK(c.failure()->code == errc::malformed);
    }
    SECTION("gateway") {
        deterministic_rng r(5);
        gateway_exchange g(d.gateway, r);
        const std::uint8_t hdr[] = {7, 0, 0x20, 0, 1, 0, 1, 0xaa};  // key id 7 is not configured
        auto first = g.receive(hdr, test_now);
        REQUIRE_FALSE(first);
        CHECK(first.error().code == errc::key_mismatch);
        bool unencapsulated = false;
        while (auto e = g.poll_event())
            if (auto* f = std::get_if<gw_failed>(&*e)) unencapsulated = !f->encapsulated && f->http_status == 400;
        CHECK(unencapsulated);  // RFC 9458 §5.3: answered without encapsulation
        auto a = g.end_of_request(test_now);
        auto b = g.upstream(as_bytes("x"), test_now);
        auto c = g.upstream_end(test_now);
        for (auto* x : {&a, &b, &c}) {
            REQUIRE_FALSE(*x);
            CHECK(x->error().code == errc::key_mismatch);
        }
        CHECK_FALSE(g.poll_transmit());
    }
    SECTION("vm") {
        deterministic_rng r(5);
        vm_exchange x(d.vms.front().identity, r);
        REQUIRE(x.receive(as_bytes(""), test_now));
        auto first = x.end_of_request(test_now);  // no header at all: truncated
        REQUIRE_FALSE(first);
        auto a = x.respond(as_bytes("leak"), test_now);
        auto b = x.end_response(test_now);
        auto c = x.run(upper_echo, test_now);
        for (auto* y : {&a, &b, &c}) {
            REQUIRE_FALSE(*y);
            CHECK(y->error().code == first.error().code);
        }
        CHECK_FALSE(x.poll_transmit());
        CHECK(x.request().empty());
    }
}

TEST_CASE("session: a request sealed to one VM cannot be opened by another", "[session][refusal]") {
    auto& d = shared_deployment();
    REQUIRE(d.vms.size() >= 2);
    deterministic_rng r(3);
    auto kc = ohttp::key_config::parse(d.vms[0].identity->key_config());
    REQUIRE(kc);
    auto cl = ohttp::client::make(*kc, vm_labels());
    REQUIRE(cl);
    auto snd = ohttp::chunked_request_sender::start(*cl, r);
    REQUIRE(snd);
    bytes body = to_bytes(snd->header());
    append(body, *snd->seal(as_bytes("for vm 0 only"), true));
    for (std::size_t i : {0u, 1u}) {
        vm_exchange x(d.vms[i].identity, r);
        (void)x.receive(body, test_now);
        auto ok_ = x.end_of_request(test_now);
        CHECK(ok_.has_value() == (i == 0));
        if (i == 1) CHECK(ok_.error().code == errc::crypto_failure);
    }
    // And a gateway-labelled request is not a VM request (RFC 9458 §4.6 label separation).
    auto gk = ohttp::key_config::parse(d.vms[0].identity->key_config());
    auto wrong = ohttp::client::make(*gk, ohttp::labels::chunked_bhttp());
    auto s2 = ohttp::chunked_request_sender::start(*wrong, r);
    bytes b2 = to_bytes(s2->header());
    append(b2, *s2->seal(as_bytes("x"), true));
    vm_exchange x(d.vms[0].identity, r);
    (void)x.receive(b2, test_now);
    CHECK_FALSE(x.end_of_request(test_now));
}

TEST_CASE("session: the directory and attestation bundle round-trip and refuse trailing bytes", "[session]") {
    auto& d = shared_deployment();
    auto dir = directory::decode(d.directory);
    REQUIRE(dir);
    CHECK(*dir->encode() == d.directory);
    bytes longer = d.directory;
    longer.push_back(0);
    CHECK(directory::decode(longer).error().code == errc::malformed);
    auto b = attestation_bundle::decode(d.vms[0].bundle);
    REQUIRE(b);
    CHECK(*b->encode() == d.vms[0].bundle);
    for (std::size_t n = 0; n < d.vms[0].bundle.size(); n += 97)
        CHECK_FALSE(attestation_bundle::decode(bytes_view(d.vms[0].bundle).first(n)));
}
