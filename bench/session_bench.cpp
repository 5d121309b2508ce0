// Private Processing sessions: per-request crypto latency of each party, driven through the
// session state machines in process (no sockets), and full session establishment. Each is
// compared with its floor, the sum of the component operations it cannot avoid, each the
// component's own primitive measured in this binary:
//   client build = HPKE SetupS+Seal+Export to the VM (X25519, ChaCha20-Poly1305, the prompt)
//                + HPKE SetupS+Seal+Export to the gateway (X25519, AES-128-GCM, the inner request)
//   gateway      = HPKE SetupR+Open of the inner request + blind RSA token verify (RFC 9578 §6.4)
//                + one spend-store insert + response keys (Export, Extract, 2 Expands)
//                + one AES-128-GCM seal per relayed chunk (head, 8 pieces, final)
//   VM           = HPKE SetupR+Open of the prompt + response keys
//                + one ChaCha20-Poly1305 seal per output chunk (8 pieces, final)
//   client open  = both response keys (Extract, 2 Expands; the client exported their
//                  secrets when it built the request) + one AES-128-GCM open per outer chunk
//                  + one ChaCha20-Poly1305 open per VM chunk + wiping those contexts
// Chunk seals/opens in the floors run on contexts set up once (their keys stay loaded), so
// the floors are slightly low. Requests run `batch` at a time through each phase (see
// pipeline), so per-party numbers pause the timer at most twice per batch;
// BM_pause_resume shows what one pause costs. Times are per batch of 16 requests on both
// sides of each ratio; per_request and allocs/req (allocations made inside the party's own
// phases: its share of the request) are per request.
// Establishment (directory, token batch, attestation) has its own floor: checkpoint verify x2
// + token blind, unblind and verify x N + RA-TLS certificate verify (components' calls, the
// SNP verifier long-lived on both sides); the issuer's, gateway's and VM's work is paused on
// both sides.
// Gateway throughput per core: BM_gateway_request's items_per_second (requests/s, CPU time).
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
        return std::move(*make_simulated_deployment(o, r));
    }();
    return d;
}

result<void> answer(bytes_view, const std::function<result<void>(bytes_view)>& emit) {
    static const bytes piece(piece_size, 'a');
    for (std::size_t i = 0; i < out_pieces; ++i) PPX_TRY(emit(piece));
    return ok();
}

// The five phases of one request, in order, and which of them each party's benchmark times.
enum class party { none, client_build, gateway, vm, client_open };
enum phase : unsigned { ph_build, ph_gw_in, ph_vm, ph_gw_out, ph_open, ph_count };
constexpr bool timed(party who, unsigned p) {
    switch (who) {
    case party::none: return true;
    case party::client_build: return p == ph_build;
    case party::gateway: return p == ph_gw_in || p == ph_gw_out;
    case party::vm: return p == ph_vm;
    case party::client_open: return p == ph_open;
    }
    return false;
}
constexpr unsigned first_phase(party who) {
    for (unsigned p = 0; p < ph_count; ++p)
        if (timed(who, p)) return p;
    return 0;
}

// Requests per benchmark iteration: each phase runs for `batch` requests (one per client) before
// the next, so the timer is paused and resumed at most twice per batch rather than up to four
// times per request (a pause/resume pair costs ~1.5 us of CPU here, see BM_pause_resume).
// Floors run `batch` operations per iteration too; per_request and allocs/req are per request.
constexpr std::size_t batch = 16;

std::shared_ptr<const client_config> bench_client_config() {
    static std::shared_ptr<const client_config> c = [] {
        auto cfg = std::make_shared<client_config>(*dep().client);
        cfg->token_batch = 64;
        return std::shared_ptr<const client_config>(std::move(cfg));
    }();
    return c;
}

// A ready client with a batch of tokens.
std::unique_ptr<client_session> ready_client(rng& r) {
    auto& d = dep();
    auto c = std::make_unique<client_session>(bench_client_config(), r);
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

// `batch` requests in flight through every machine, one phase at a time.
struct pipeline {
    rng& r;
    std::vector<std::unique_ptr<client_session>> clients;
    std::vector<client_transmit> tx = std::vector<client_transmit>(batch);
    std::vector<std::optional<gateway_exchange>> gw = std::vector<std::optional<gateway_exchange>>(batch);
    std::vector<bytes> fwd = std::vector<bytes>(batch);
    std::vector<std::vector<bytes>> vm_out = std::vector<std::vector<bytes>>(batch);
    std::vector<bytes> out = std::vector<bytes>(batch);

    explicit pipeline(rng& rr) : r(rr) {
        for (std::size_t i = 0; i < batch; ++i) clients.push_back(ready_client(r));
    }
    // Replaces clients whose tokens ran out (outside the timed phases' work: see run_party).
    bool needs_refill() const {
        for (const auto& c : clients)
            if (c->tokens_left() == 0) return true;
        return false;
    }
    void refill() {
        for (auto& c : clients)
            if (c->tokens_left() == 0) c = ready_client(r);
    }
    void run(unsigned p) {
        auto& d = dep();
        for (std::size_t i = 0; i < batch; ++i) switch (p) {
            case ph_build:
                if (!clients[i]->send_request(as_bytes(prompt), now)) std::abort();
                tx[i] = *clients[i]->poll_transmit();
                break;
            case ph_gw_in: {
                auto& g = gw[i].emplace(d.gateway, r);
                (void)g.receive(tx[i].body, now);
                (void)g.end_of_request(now);
                bool got = false;
                while (auto e = g.poll_event())
                    if (auto* f = std::get_if<gw_forward>(&*e)) {
                        fwd[i] = std::move(f->body);
                        got = true;
                    }
                if (!got) std::abort();
                break;
            }
            case ph_vm: {
                vm_out[i].clear();
                vm_exchange x(d.vms.front().identity, r);
                (void)x.receive(fwd[i], now);
                (void)x.end_of_request(now);
                (void)x.run(answer, now);
                while (auto b = x.poll_transmit()) vm_out[i].push_back(std::move(*b));
                break;
            }
            case ph_gw_out: {
                auto& g = *gw[i];
                out[i].clear();
                for (const auto& b : vm_out[i]) (void)g.upstream(b, now);
                (void)g.upstream_end(now);
                while (auto b = g.poll_transmit()) append(out[i], *b);
                gw[i].reset();
                break;
            }
            case ph_open:
                (void)clients[i]->receive(out[i], now);
                (void)clients[i]->end_of_response(now);
                while (clients[i]->poll_event()) {}
                if (!clients[i]->is_ready()) std::abort();
                break;
            }
    }
};

void per_request_counters(benchmark::State& st, std::size_t allocs) {
    const auto reqs = static_cast<std::int64_t>(st.iterations()) * static_cast<std::int64_t>(batch);
    st.SetItemsProcessed(reqs);
    st.counters["per_request"] = benchmark::Counter(double(batch), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
    st.counters["allocs/req"] = reqs ? double(allocs) / double(reqs) : 0.0;
}

// Runs the pipeline, timing only `who`'s phases (every phase for party::none) and counting
// only the allocations made inside them. The rotation starts at `who`'s first phase, so each
// iteration pauses at most twice (once for the gateway's VM wait).
// A different seed for every run of a benchmark function (Google Benchmark runs each several
// times, and again per repetition): the same seed would mint the same token nonces again, which
// the deployment's long-lived spend store rightly refuses as double spends.
std::uint64_t fresh_seed() {
    static std::uint64_t runs = 0;
    return 0x5eed0000u + ++runs;
}

// A floor measured inside the pipeline: in each of the party's timed phases, measure() runs
// the floor's component operations for the batch instead (timed) and the party's own work
// follows untimed, to keep the requests moving; prepare() makes the floor's material in an
// untimed phase. So the floor's state meets the caches the party's state meets: evicted by
// the other parties' work between a request's phases, not freshly made just before.
struct floor_work {
    virtual ~floor_work() = default;
    virtual void prepare(unsigned phase) = 0;
    virtual void measure(unsigned phase) = 0;
};

void run_party(benchmark::State& st, party who, floor_work* floor = nullptr) {
    deterministic_rng r((fresh_seed() << 4) + static_cast<std::uint64_t>(who));
    pipeline pl(r);
    const unsigned first = first_phase(who);
    for (unsigned p = 0; p < first; ++p) {
        if (floor) floor->prepare(p);
        pl.run(p);
    }
    // Warm-up, untimed: a few batches through every phase first, so the heap has grown and its
    // pages are mapped. Otherwise whichever benchmark runs first in a process pays the page
    // faults of a fresh heap in its timed phases (client open measured alone: 1.6x instead of
    // ~1.1x), which is start-up cost, not per-request cost.
    for (unsigned round = 0; round < 4; ++round)
        for (unsigned k = 0; k < ph_count; ++k) {
            const unsigned p = (first + k) % ph_count;
            if (p == ph_build && pl.needs_refill()) pl.refill();
            if (floor) timed(who, p) ? floor->measure(p) : floor->prepare(p);
            pl.run(p);
        }
    std::size_t allocs = 0;
    for (auto _ : st) {
        bool running = true;
        for (unsigned k = 0; k < ph_count; ++k) {
            const unsigned p = (first + k) % ph_count;
            if (p == ph_build && pl.needs_refill()) {
                if (running) st.PauseTiming();
                pl.refill();
                if (running) st.ResumeTiming();
            }
            const bool t = timed(who, p);
            if (t != running) {
                if (t) st.ResumeTiming();
                else st.PauseTiming();
                running = t;
            }
            const auto before = bench::allocation_count().load();
            if (!floor) {
                pl.run(p);
                if (t) allocs += bench::allocation_count().load() - before;
                continue;
            }
            if (t) {
                floor->measure(p);
                allocs += bench::allocation_count().load() - before;
                st.PauseTiming();
                running = false;
            } else {
                floor->prepare(p);
            }
            pl.run(p);
        }
        if (!running) st.ResumeTiming();
    }
    per_request_counters(st, allocs);
}

void BM_client_build(benchmark::State& st) { run_party(st, party::client_build); }
void BM_gateway_request(benchmark::State& st) { run_party(st, party::gateway); }
void BM_vm_request(benchmark::State& st) { run_party(st, party::vm); }
void BM_client_open(benchmark::State& st) { run_party(st, party::client_open); }
void BM_whole_request(benchmark::State& st) { run_party(st, party::none); }

// What one PauseTiming/ResumeTiming pair costs in measured CPU time.
void BM_pause_resume(benchmark::State& st) {
    for (auto _ : st) {
        st.PauseTiming();
        st.ResumeTiming();
    }
}

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
// The inner request is the prompt's ciphertext plus headers and a token: measured once (the
// outer body less the chunked header, enc, the final chunk's prefix and the tag).
std::size_t inner_size() {
    static std::size_t n = [] {
        deterministic_rng r(1);
        auto c = ready_client(r);
        (void)c->send_request(as_bytes(prompt), now);
        return c->poll_transmit()->body.size() - ohttp::header_size - 32 - 1 - 16;
    }();
    return n;
}

// RFC 9458 §4.4 / draft-08 §6.2: what either side of a response must do before its first
// chunk: Export max(Nn, Nk) bytes from the request context, then derive the response key and
// nonce (Extract + two Expands) from it, enc and the response nonce.
void response_keys(const hpke::context& ctx, bytes_view enc, std::string_view label) {
    std::uint8_t secret[32], nonce[32];
    const std::size_t n = ohttp::response_nonce_size(ctx.suite());
    (void)ohttp::export_response_secret(ctx, label, mutable_bytes(secret, n));
    std::fill_n(nonce, n, std::uint8_t{7});
    auto k = ohttp::response_keys::derive(ctx.suite(), bytes_view(secret, n), enc, bytes_view(nonce, n));
    benchmark::DoNotOptimize(k);
}
// The response keys from a secret exported earlier (the client exports when it builds the
// request, so opening the reply only derives).
void derive_response_keys(const hpke::suite& s, bytes_view enc) {
    std::uint8_t secret[32], nonce[32];
    const std::size_t n = ohttp::response_nonce_size(s);
    std::fill_n(secret, n, std::uint8_t{3});
    std::fill_n(nonce, n, std::uint8_t{7});
    auto k = ohttp::response_keys::derive(s, bytes_view(secret, n), enc, bytes_view(nonce, n));
    benchmark::DoNotOptimize(k);
}

// Client build: SetupS + Seal of the prompt to the VM, SetupS + Seal of the inner request to
// the gateway, and both response-secret exports.
void BM_floor_client_build(benchmark::State& st) {
    const auto& k = fk();
    auto vpk = *k.vm_sk.public_key();
    auto gpk = *k.gw_sk.public_key();
    bytes enc1(32), enc2(32), ct1(prompt.size() + 16), inner(inner_size()), ct2(inner.size() + 16);
    deterministic_rng r(5);  // the session benchmarks draw from the same kind of rng
    for (auto _ : st)
        for (std::size_t b = 0; b < batch; ++b) {
            auto c1 = hpke::setup_s(k.vm_suite, vpk, k.vm_in, r, enc1);
            (void)c1->seal({}, as_bytes(prompt), ct1);
            std::uint8_t s1[32];
            (void)c1->export_secret(as_bytes("x"), mutable_bytes(s1, 32));
            auto c2 = hpke::setup_s(k.gw_suite, gpk, k.gw_in, r, enc2);
            (void)c2->seal({}, inner, ct2);
            std::uint8_t s2[16];
            (void)c2->export_secret(as_bytes("x"), mutable_bytes(s2, 16));
            benchmark::DoNotOptimize(ct2.data());
        }
    per_request_counters(st, 0);
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

// Gateway: SetupR + Open of the inner request, the token's RSA verification (RFC 9578 §6.4),
// one spend-store insert (a fresh nonce each time, into a store of the deployment's kind),
// the response keys (Export, Extract, 2 Expands), then, once the VM has answered, one
// AES-128-GCM seal per relayed chunk (head, 8 pieces, final) under the response key, loaded
// once and wiped after. Measured in the pipeline (floor_work), in the gateway's two slots.
struct gateway_floor final : floor_work {
    struct material {
        bytes enc = bytes(32), ct;
        std::optional<ohttp::response_keys> keys;
    };
    std::vector<material> slots = std::vector<material>(batch);
    bytes pt = bytes(inner_size());
    bytes cpt = bytes(piece_size + 16 + 1 + 16 + 1), cct = bytes(cpt.size() + 16);  // a VM chunk (prefix, tag) plus the BHTTP prefix
    privacypass::token tok = sample_token();
    privacypass::memory_spend_store store;
    std::uint64_t serial = 0;

    void prepare(unsigned phase) override {
        if (phase != ph_build) return;
        const auto& k = fk();
        auto gpk = *k.gw_sk.public_key();
        for (auto& m : slots) {
            m.ct.resize(pt.size() + 16);
            auto snd = hpke::setup_s(k.gw_suite, gpk, k.gw_in, system_rng(), m.enc);
            (void)snd->seal({}, bytes(pt.size(), 0x42), m.ct);
        }
    }
    void measure(unsigned phase) override {
        if (phase == ph_gw_in)
            for (auto& m : slots) receive(m);
        if (phase == ph_gw_out)
            for (auto& m : slots) relay(m);
    }
    void receive(material& m) {
        const auto& k = fk();
        auto ctx = hpke::setup_r(k.gw_suite, k.gw_sk, m.enc, k.gw_in);
        (void)ctx->open({}, m.ct, pt);
        if (!privacypass::verify_blind_rsa_token(dep().gateway->issuer_key, tok)) std::abort();
        // The store sees only the key: give each a fresh nonce so every insert is new.
        ++serial;
        auto sk = *privacypass::spend_key::of(tok, {});
        std::memcpy(sk.bytes_.data() + sk.size_ - sizeof serial, &serial, sizeof serial);
        if (!store.insert(sk, now, now + 86400)) std::abort();
        std::uint8_t secret[16], nonce[16];
        (void)ohttp::export_response_secret(*ctx, "message/bhttp chunked response", secret);
        std::fill_n(nonce, sizeof nonce, std::uint8_t{7});
        m.keys.emplace(*ohttp::response_keys::derive(ctx->suite(), secret, m.enc, nonce));
    }
    void relay(material& m) {
        const auto id = crypto::detail_aead::new_key_id();
        std::uint8_t n[12];
        for (std::size_t i = 0; i < out_pieces + 2; ++i) {
            m.keys->chunk_nonce(i, n);
            (void)crypto::aes128gcm::seal_cached(id, m.keys->key(), n, {}, cpt, cct);
        }
        crypto::aes128gcm::forget(id);
        m.keys.reset();
        benchmark::DoNotOptimize(cct.data());
    }
};
void BM_floor_gateway(benchmark::State& st) {
    gateway_floor f;
    run_party(st, party::gateway, &f);
}

// VM: SetupR + Open of the prompt, the response keys, and one ChaCha20-Poly1305 seal per
// output chunk (+ final).
void BM_floor_vm(benchmark::State& st) {
    const auto& k = fk();
    auto vpk = *k.vm_sk.public_key();
    bytes enc(32), ct(prompt.size() + 16), pt(prompt.size());
    (void)hpke::seal(k.vm_suite, vpk, k.vm_in, {}, as_bytes(prompt), system_rng(), enc, ct);
    auto snd = std::move(*hpke::setup_sender(k.vm_suite, vpk, as_bytes("chunks")));
    bytes cpt(piece_size), cct(piece_size + 16);
    for (auto _ : st)
        for (std::size_t b = 0; b < batch; ++b) {
            auto ctx = hpke::setup_r(k.vm_suite, k.vm_sk, enc, k.vm_in);
            (void)ctx->open({}, ct, pt);
            response_keys(*ctx, enc, "ppx-pp vm chunked response");
            for (std::size_t i = 0; i < out_pieces + 1; ++i) (void)snd.ctx.seal({}, cpt, cct);
            benchmark::DoNotOptimize(cct.data());
        }
    per_request_counters(st, 0);
}

// Client open: both response-key derivations (from secrets exported at build time, as the
// client does), one AES-128-GCM open per outer chunk and one ChaCha20-Poly1305 open per VM
// chunk, then wiping those contexts. Measured in the pipeline (floor_work): the contexts and
// chunks are made while the clients build their requests and opened where they open replies.
struct client_open_floor final : floor_work {
    struct material {
        hpke::context gr, vr;
        bytes genc, venc;
        std::vector<bytes> oc, vc;
    };
    std::vector<std::optional<material>> runs = std::vector<std::optional<material>>(batch);
    bytes opt = bytes(piece_size + 16 + 1 + 16 + 1), vpt = bytes(piece_size);  // an outer chunk: a VM chunk + prefixes

    void prepare(unsigned phase) override {
        if (phase != ph_build) return;
        const auto& k = fk();
        auto gpk = *k.gw_sk.public_key();
        auto vpk = *k.vm_sk.public_key();
        for (auto& run : runs) {
            auto gs = std::move(*hpke::setup_sender(k.gw_suite, gpk, as_bytes("o")));
            auto vs = std::move(*hpke::setup_sender(k.vm_suite, vpk, as_bytes("v")));
            auto gr = std::move(*hpke::setup_recipient(k.gw_suite, k.gw_sk, gs.enc, as_bytes("o")));
            auto vr = std::move(*hpke::setup_recipient(k.vm_suite, k.vm_sk, vs.enc, as_bytes("v")));
            std::vector<bytes> oc, vc;
            for (std::size_t i = 0; i < out_pieces + 2; ++i) oc.push_back(*gs.ctx.seal({}, opt));
            for (std::size_t i = 0; i < out_pieces + 1; ++i) vc.push_back(*vs.ctx.seal({}, vpt));
            run.emplace(material{std::move(gr), std::move(vr), to_bytes(gs.enc), to_bytes(vs.enc), std::move(oc), std::move(vc)});
        }
    }
    void measure(unsigned phase) override {
        if (phase != ph_open) return;
        for (auto& run : runs) {
            auto& x = *run;
            derive_response_keys(x.gr.suite(), x.genc);
            derive_response_keys(x.vr.suite(), x.venc);
            for (const auto& c : x.oc) (void)x.gr.open({}, c, opt);
            for (const auto& c : x.vc) (void)x.vr.open({}, c, vpt);
            benchmark::DoNotOptimize(vpt.data());
            run.reset();  // wiping the contexts is part of opening, as the client's reply state goes
        }
    }
};
void BM_floor_client_open(benchmark::State& st) {
    client_open_floor f;
    run_party(st, party::client_open, &f);
}

// ---- establishment

void BM_establish(benchmark::State& st) {
    auto& d = dep();
    deterministic_rng r(fresh_seed());
    auto cfg = std::make_shared<client_config>(*d.client);
    cfg->token_batch = static_cast<std::size_t>(st.range(0));
    std::shared_ptr<const client_config> cc = cfg;
    // One client app's sessions share their state: the log view and the SNP verifier, whose
    // cache of chain-verified VCEKs spares later attestations by the same chip the chain.
    auto shared = std::make_shared<client_state>();
    for (auto _ : st) {
        client_session c(cc, r, shared);
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
    deterministic_rng r(11);
    // As the client: one SNP verifier (and its VCEK chain cache) across attestations.
    auto snp = std::make_shared<ratls::snp::verifier>(d.client->amd_roots);
    for (auto _ : st) {
        (void)merkle::verify_checkpoint(dir.checkpoint, pol);
        (void)merkle::verify_checkpoint(bundle.checkpoint, pol);
        // The client blinds each request (RFC 9578 §6.1); the issuer's signing is not the client's.
        std::vector<privacypass::blind_rsa_client::pending> ps;
        std::vector<std::array<std::uint8_t, privacypass::token_type_2::request_size>> qs(n);
        std::vector<std::array<std::uint8_t, privacypass::token_type_2::response_size>> rs(n);
        for (std::size_t i = 0; i < n; ++i) ps.push_back(*cl.request(d.token_challenge, r, qs[i]));
        st.PauseTiming();
        for (std::size_t i = 0; i < n; ++i) (void)d.issuer->type2.sign(qs[i], rs[i]);
        st.ResumeTiming();
        for (std::size_t i = 0; i < n; ++i) benchmark::DoNotOptimize(cl.finalize(ps[i], rs[i]));
        ratls::verify_options o;
        o.policy = d.client->vm_policy;
        o.policy.now = static_cast<std::int64_t>(now);
        o.policy.allow_any_measurement_insecure = true;
        ratls::certificate_verifier v(snp, std::move(o));
        benchmark::DoNotOptimize(v.verify(bundle.certificate));
    }
}

} // namespace

BENCHMARK(BM_pause_resume);
BENCHMARK(BM_client_build)->Iterations(40);
BENCHMARK(BM_floor_client_build);
BENCHMARK(BM_gateway_request)->Iterations(40);
BENCHMARK(BM_floor_gateway)->Iterations(40);
BENCHMARK(BM_vm_request)->Iterations(40);
BENCHMARK(BM_floor_vm);
BENCHMARK(BM_client_open)->Iterations(40);
BENCHMARK(BM_floor_client_open)->Iterations(40);
BENCHMARK(BM_whole_request)->Iterations(20);
BENCHMARK(BM_establish)->Arg(4)->Iterations(20);
BENCHMARK(BM_floor_establish)->Arg(4)->Iterations(20);

int main(int argc, char** argv) {
    return ppx::bench::main(argc, argv,
                            {{"BM_client_build/iterations:40", "BM_floor_client_build"},
                             {"BM_gateway_request/iterations:40", "BM_floor_gateway/iterations:40"},
                             {"BM_vm_request/iterations:40", "BM_floor_vm"},
                             {"BM_client_open/iterations:40", "BM_floor_client_open/iterations:40"},
                             {"BM_establish/4/iterations:20", "BM_floor_establish/4/iterations:20"}});
}
