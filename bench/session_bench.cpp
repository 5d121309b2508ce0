// Private Processing sessions: per-request crypto latency of each party, driven through the
// session state machines in process (no sockets), and full session establishment. Each is
// compared with its floor, the sum of the component operations it cannot avoid, measured in
// this binary:
//   client build = HPKE SetupS+Seal to the VM (X25519, ChaCha20-Poly1305, the prompt)
//                + HPKE SetupS+Seal to the gateway (X25519, AES-128-GCM, the inner request)
//   gateway      = HPKE SetupR+Open of the inner request + blind RSA token verify (RFC 9578 §6.4)
//                + one AES-128-GCM seal per relayed chunk (+ head and final)
//   VM           = HPKE SetupR+Open of the prompt + one ChaCha20-Poly1305 seal per output chunk (+ final)
//   client open  = one AES-128-GCM open per outer chunk + one ChaCha20-Poly1305 open per VM chunk
// Per-party numbers pause the timer around the other parties' work (Pause/ResumeTiming costs
// are then inside the measured CPU time, so ratios are slightly pessimistic).
// Chunk seals/opens are measured on contexts set up outside the loop, and the response-key
// derivations (one Export + HKDF per response) are not in the floors, so the floors are
// slightly low. Establishment (directory, token batch, attestation) has its own floor:
// checkpoint verify x2 + token unblind/verify x N + RA-TLS verify (components' calls).
// Gateway throughput per core: BM_gateway_request's items_per_second (CPU time).
#include <ppx/session/simulated.hpp>

#include "bench_support.hpp"

PPX_BENCH_COUNT_ALLOCATIONS

using namespace ppx;
using namespace ppx::session;

namespace {

constexpr std::uint64_t now = 1767225600;
const std::string prompt(1024, 'p');
constexpr std::size_t out_pieces = 8, piece_size = 128;

simulated_deployment& dep() {
    static simulated_deployment d = [] {
        deterministic_rng r(42);
        simulated_options o;
        o.now = now;
        o.token_batch = 1000;
        return std::move(*make_simulated_deployment(o, r));
    }();
    return d;
}

result<void> answer(bytes_view, const std::function<result<void>(bytes_view)>& emit) {
    static const bytes piece(piece_size, 'a');
    for (std::size_t i = 0; i < out_pieces; ++i) PPX_TRY(emit(piece));
    return ok();
}

enum class party { none, client_build, gateway, vm, client_open };

// A ready client with many tokens.
std::unique_ptr<client_session> ready_client(rng& r) {
    auto& d = dep();
    auto c = std::make_unique<client_session>(d.client, r);
    (void)c->start(now);
    while (auto t = c->poll_transmit()) {
        auto a = answer_in_process(d, *t, r, now, answer);
        (void)c->receive(*a, now);
        (void)c->end_of_response(now);
    }
    if (!c->is_ready()) std::abort();
    while (c->poll_event()) {}
    return c;
}

// One request through every machine, timing only `who`'s part.
void one_request(benchmark::State& st, client_session& c, rng& r, party who) {
    auto& d = dep();
    // party::none times the whole request; otherwise only `who`'s segments are timed.
    auto timed = [&](party p, auto&& f) {
        const bool pause = who != party::none && p != who;
        if (pause) st.PauseTiming();
        f();
        if (pause) st.ResumeTiming();
    };
    client_transmit t;
    timed(party::client_build, [&] {
        if (!c.send_request(as_bytes(prompt), now)) std::abort();
        t = *c.poll_transmit();
    });
    gateway_exchange g(d.gateway, r);
    std::optional<gw_forward> fwd;
    timed(party::gateway, [&] {
        (void)g.receive(t.body, now);
        (void)g.end_of_request(now);
        while (auto e = g.poll_event())
            if (auto* f = std::get_if<gw_forward>(&*e)) fwd = std::move(*f);
    });
    if (!fwd) std::abort();
    std::vector<bytes> vm_out;
    timed(party::vm, [&] {
        vm_exchange x(d.vms.front().identity, r);
        (void)x.receive(fwd->body, now);
        (void)x.end_of_request(now);
        (void)x.run(answer, now);
        while (auto b = x.poll_transmit()) vm_out.push_back(std::move(*b));
    });
    bytes out;
    timed(party::gateway, [&] {
        for (const auto& b : vm_out) (void)g.upstream(b, now);
        (void)g.upstream_end(now);
        while (auto b = g.poll_transmit()) append(out, *b);
    });
    timed(party::client_open, [&] {
        (void)c.receive(out, now);
        (void)c.end_of_response(now);
        while (c.poll_event()) {}
    });
    if (!c.is_ready()) std::abort();
}

void run_party(benchmark::State& st, party who) {
    deterministic_rng r(static_cast<std::uint64_t>(who) + 7);
    auto c = ready_client(r);
    const auto before = bench::allocation_count().load();
    for (auto _ : st) {
        if (c->tokens_left() == 0) {
            st.PauseTiming();
            c = ready_client(r);
            st.ResumeTiming();
        }
        one_request(st, *c, r, who);
    }
    st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations()));
    st.counters["allocs/op"] = bench::allocs_per_iteration(st, before);
}

void BM_client_build(benchmark::State& st) { run_party(st, party::client_build); }
void BM_gateway_request(benchmark::State& st) { run_party(st, party::gateway); }
void BM_vm_request(benchmark::State& st) { run_party(st, party::vm); }
void BM_client_open(benchmark::State& st) { run_party(st, party::client_open); }
void BM_whole_request(benchmark::State& st) { run_party(st, party::none); }

// ---- floors

struct floor_keys {
    hpke::suite vm_suite = *hpke::suite::from_ids(hpke::kem_id::x25519_sha256, hpke::kdf_id::hkdf_sha256, hpke::aead_id::chacha20poly1305);
    hpke::suite gw_suite = *hpke::suite::from_ids(hpke::kem_id::x25519_sha256, hpke::kdf_id::hkdf_sha256, hpke::aead_id::aes128gcm);
    hpke::private_key vm_sk = *hpke::private_key::derive(hpke::kem_id::x25519_sha256, bytes(32, 1));
    hpke::private_key gw_sk = *hpke::private_key::derive(hpke::kem_id::x25519_sha256, bytes(32, 2));
    hpke::key_schedule_input vm_in = *hpke::key_schedule_input::make(vm_suite, hpke::mode::base, as_bytes("vm info"));
    hpke::key_schedule_input gw_in = *hpke::key_schedule_input::make(gw_suite, hpke::mode::base, as_bytes("gw info"));
};
const floor_keys& fk() {
    static floor_keys k;
    return k;
}
// The inner request is the prompt's ciphertext plus headers and a token: measured once.
std::size_t inner_size() {
    static std::size_t n = [] {
        deterministic_rng r(1);
        auto c = ready_client(r);
        (void)c->send_request(as_bytes(prompt), now);
        return c->poll_transmit()->body.size();
    }();
    return n;
}

void BM_floor_client_build(benchmark::State& st) {
    const auto& k = fk();
    auto vpk = *k.vm_sk.public_key();
    auto gpk = *k.gw_sk.public_key();
    bytes enc(32), ct1(prompt.size() + 16), inner(inner_size()), ct2(inner.size() + 16);
    deterministic_rng r(5);  // the session benchmarks draw from the same kind of rng
    for (auto _ : st) {
        (void)hpke::seal(k.vm_suite, vpk, k.vm_in, {}, as_bytes(prompt), r, enc, ct1);
        (void)hpke::seal(k.gw_suite, gpk, k.gw_in, {}, inner, r, enc, ct2);
        benchmark::DoNotOptimize(ct2.data());
    }
}

// A token of the deployment's issuer, to verify in the floors.
privacypass::token sample_token() {
    auto& d = dep();
    auto cl = *privacypass::blind_rsa_client::create(d.token_key);
    std::array<std::uint8_t, privacypass::token_type_2::request_size> req;
    auto p = *cl.request(d.token_challenge, system_rng(), req);
    std::array<std::uint8_t, privacypass::token_type_2::response_size> res;
    (void)d.issuer->type2.sign(req, res);
    return *cl.finalize(p, res);
}

void BM_floor_gateway(benchmark::State& st) {
    const auto& k = fk();
    auto gpk = *k.gw_sk.public_key();
    bytes inner(inner_size()), enc(32), ct(inner.size() + 16), pt(inner.size());
    (void)hpke::seal(k.gw_suite, gpk, k.gw_in, {}, inner, system_rng(), enc, ct);
    const auto tok = sample_token();
    const auto& key = dep().gateway->issuer_key;
    auto snd = std::move(*hpke::setup_sender(k.gw_suite, gpk, as_bytes("chunks")));
    const std::size_t chunk = piece_size + 16 + 1 + 16 + 1;  // a VM chunk (prefix, tag) plus the BHTTP prefix
    bytes cpt(chunk), cct(chunk + 16);
    for (auto _ : st) {
        (void)hpke::open(k.gw_suite, k.gw_sk, enc, k.gw_in, {}, ct, pt);
        if (!privacypass::verify_blind_rsa_token(key, tok)) std::abort();
        for (std::size_t i = 0; i < out_pieces + 3; ++i) (void)snd.ctx.seal({}, cpt, cct);
        benchmark::DoNotOptimize(cct.data());
    }
    st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations()));
}

void BM_floor_vm(benchmark::State& st) {
    const auto& k = fk();
    auto vpk = *k.vm_sk.public_key();
    bytes enc(32), ct(prompt.size() + 16), pt(prompt.size());
    (void)hpke::seal(k.vm_suite, vpk, k.vm_in, {}, as_bytes(prompt), system_rng(), enc, ct);
    auto snd = std::move(*hpke::setup_sender(k.vm_suite, vpk, as_bytes("chunks")));
    bytes cpt(piece_size), cct(piece_size + 16);
    for (auto _ : st) {
        (void)hpke::open(k.vm_suite, k.vm_sk, enc, k.vm_in, {}, ct, pt);
        for (std::size_t i = 0; i < out_pieces + 1; ++i) (void)snd.ctx.seal({}, cpt, cct);
        benchmark::DoNotOptimize(cct.data());
    }
}

void BM_floor_client_open(benchmark::State& st) {
    const auto& k = fk();
    auto gpk = *k.gw_sk.public_key();
    auto vpk = *k.vm_sk.public_key();
    // Pre-sealed chunks on matching sender/recipient contexts; each iteration opens a fresh run.
    const std::size_t outer_chunk = piece_size + 16 + 1 + 16 + 1;
    bytes opt(outer_chunk), vpt(piece_size);
    for (auto _ : st) {
        st.PauseTiming();
        auto gs = std::move(*hpke::setup_sender(k.gw_suite, gpk, as_bytes("o")));
        auto vs = std::move(*hpke::setup_sender(k.vm_suite, vpk, as_bytes("v")));
        auto gr = std::move(*hpke::setup_recipient(k.gw_suite, k.gw_sk, gs.enc, as_bytes("o")));
        auto vr = std::move(*hpke::setup_recipient(k.vm_suite, k.vm_sk, vs.enc, as_bytes("v")));
        std::vector<bytes> oc, vc;
        for (std::size_t i = 0; i < out_pieces + 3; ++i) oc.push_back(*gs.ctx.seal({}, opt));
        for (std::size_t i = 0; i < out_pieces + 1; ++i) vc.push_back(*vs.ctx.seal({}, vpt));
        st.ResumeTiming();
        for (const auto& c : oc) (void)gr.open({}, c, opt);
        for (const auto& c : vc) (void)vr.open({}, c, vpt);
        benchmark::DoNotOptimize(vpt.data());
    }
}

// ---- establishment

void BM_establish(benchmark::State& st) {
    auto& d = dep();
    deterministic_rng r(9);
    auto cfg = std::make_shared<client_config>(*d.client);
    cfg->token_batch = static_cast<std::size_t>(st.range(0));
    std::shared_ptr<const client_config> cc = cfg;
    for (auto _ : st) {
        client_session c(cc, r);
        (void)c.start(now);
        while (auto t = c.poll_transmit()) {
            st.PauseTiming();  // the issuer's, gateway's and VM's work is not the client's
            auto a = answer_in_process(d, *t, r, now, answer);
            st.ResumeTiming();
            (void)c.receive(*a, now);
            (void)c.end_of_response(now);
        }
        if (!c.is_ready()) std::abort();
    }
}

void BM_floor_establish(benchmark::State& st) {
    auto& d = dep();
    const auto dir = *directory::decode(d.directory);
    const auto bundle = *attestation_bundle::decode(d.vms.front().bundle);
    auto pol = d.client->log_policy;
    pol.now = now;
    const std::size_t n = static_cast<std::size_t>(st.range(0));
    auto cl = *privacypass::blind_rsa_client::create(d.token_key);
    for (auto _ : st) {
        (void)merkle::verify_checkpoint(dir.checkpoint, pol);
        (void)merkle::verify_checkpoint(bundle.checkpoint, pol);
        st.PauseTiming();
        std::vector<privacypass::blind_rsa_client::pending> ps;
        std::vector<std::array<std::uint8_t, privacypass::token_type_2::response_size>> rs(n);
        for (std::size_t i = 0; i < n; ++i) {
            std::array<std::uint8_t, privacypass::token_type_2::request_size> req;
            ps.push_back(*cl.request(d.token_challenge, system_rng(), req));
            (void)d.issuer->type2.sign(req, rs[i]);
        }
        st.ResumeTiming();
        for (std::size_t i = 0; i < n; ++i) benchmark::DoNotOptimize(cl.finalize(ps[i], rs[i]));
        ratls::verify_options o;
        o.policy = d.client->vm_policy;
        o.policy.now = static_cast<std::int64_t>(now);
        o.policy.allow_any_measurement_insecure = true;
        ratls::certificate_verifier v(ratls::snp::verifier(d.client->amd_roots), std::move(o));
        benchmark::DoNotOptimize(v.verify(bundle.certificate));
    }
}

} // namespace

BENCHMARK(BM_client_build)->Iterations(600);
BENCHMARK(BM_floor_client_build);
BENCHMARK(BM_gateway_request)->Iterations(600);
BENCHMARK(BM_floor_gateway);
BENCHMARK(BM_vm_request)->Iterations(600);
BENCHMARK(BM_floor_vm);
BENCHMARK(BM_client_open)->Iterations(600);
BENCHMARK(BM_floor_client_open)->Iterations(600);
BENCHMARK(BM_whole_request)->Iterations(300);
BENCHMARK(BM_establish)->Arg(4)->Iterations(20);
BENCHMARK(BM_floor_establish)->Arg(4)->Iterations(20);

int main(int argc, char** argv) {
    return ppx::bench::main(argc, argv,
                            {{"BM_client_build/iterations:600", "BM_floor_client_build"},
                             {"BM_gateway_request/iterations:600", "BM_floor_gateway"},
                             {"BM_vm_request/iterations:600", "BM_floor_vm"},
                             {"BM_client_open/iterations:600", "BM_floor_client_open/iterations:600"},
                             {"BM_establish/4/iterations:20", "BM_floor_establish/4/iterations:20"}});
}
