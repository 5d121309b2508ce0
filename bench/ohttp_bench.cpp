// OHTTP (RFC 9458) and chunked OHTTP costs, DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 /
// AES-128-GCM (RFC 9458 Appendix A's suite), with their floors in the same binary:
//  - gateway: decapsulate + response encapsulate vs. HPKE setup_r + open + one export + one
//    raw AEAD seal (the key schedule input precomputed in both, as the gateway does);
//  - client: encapsulate vs. HPKE setup_s + seal; response open vs. one export + raw AEAD open;
//  - chunked: 16 KiB chunks sealed / opened (the response stream by the client, the request
//    stream by the gateway; fed in 16 KiB reads or whole), in bytes per second, vs. raw
//    AES-128-GCM on 16 KiB.
// All measured calls use the span (caller-buffer) forms; allocs/op is reported.
#include <ppx/ohttp.hpp>

#include "bench_support.hpp"

PPX_BENCH_COUNT_ALLOCATIONS

using namespace ppx;

namespace {

struct fixture {
    hpke::suite suite = *hpke::suite::from_ids(hpke::kem_id::x25519_sha256, hpke::kdf_id::hkdf_sha256, hpke::aead_id::aes128gcm);
    hpke::private_key sk = *hpke::private_key::generate(hpke::kem_id::x25519_sha256);
    ohttp::key_config config = make_config();
    ohttp::gateway gateway = make_gateway(ohttp::labels::bhttp());
    ohttp::gateway chunked_gateway = make_gateway(ohttp::labels::chunked_bhttp());
    ohttp::client client = *ohttp::client::make(config);
    ohttp::client chunked_client = *ohttp::client::make(config, ohttp::labels::chunked_bhttp());

    ohttp::key_config make_config() {
        const ohttp::symmetric_suite s[] = {{hpke::kdf_id::hkdf_sha256, hpke::aead_id::aes128gcm}};
        return *ohttp::key_config::make(1, hpke::kem_id::x25519_sha256, sk.public_key_bytes(), s);
    }
    ohttp::gateway make_gateway(ohttp::labels l) {
        std::vector<ohttp::gateway_key> keys;
        keys.push_back({config, sk});
        return *ohttp::gateway::make(std::move(keys), std::move(l));
    }
};

fixture& fx() {
    static fixture f;
    return f;
}

void BM_client_encapsulate(benchmark::State& state) {
    auto& f = fx();
    const bytes body(static_cast<std::size_t>(state.range(0)), 0x42);
    bytes out(f.client.request_size(body.size()));
    const auto before = bench::allocation_count().load();
    for (auto _ : state) {
        auto r = f.client.encapsulate(body, out);
        benchmark::DoNotOptimize(r);
    }
    state.counters["allocs/op"] = bench::allocs_per_iteration(state, before);
}

// Floor: HPKE setup_s + seal with the same precomputed key schedule input.
void BM_floor_client_setup_s_seal(benchmark::State& state) {
    auto& f = fx();
    const bytes body(static_cast<std::size_t>(state.range(0)), 0x42);
    bytes enc(32), ct(body.size() + 16);
    const auto pk = *f.sk.public_key();
    for (auto _ : state) {
        auto ctx = hpke::setup_s(f.suite, pk, f.client.schedule_input(), system_rng(), enc);
        auto n = ctx->seal({}, body, ct);
        benchmark::DoNotOptimize(n);
    }
}

void BM_gateway_decapsulate_respond(benchmark::State& state) {
    auto& f = fx();
    const bytes body(static_cast<std::size_t>(state.range(0)), 0x42);
    const auto req = *f.client.encapsulate(body);
    bytes pt(body.size()), out(32 + body.size() + 16);
    const auto before = bench::allocation_count().load();
    for (auto _ : state) {
        auto d = f.gateway.decapsulate(req.message, pt);
        auto n = std::move(d->second).seal(bytes_view(pt).first(d->first), out);
        benchmark::DoNotOptimize(n);
    }
    state.counters["allocs/op"] = bench::allocs_per_iteration(state, before);
}

// Floor: setup_r + open + one export + one AEAD seal of the response (keys given).
void BM_floor_gateway_setup_r_open_export_seal(benchmark::State& state) {
    auto& f = fx();
    const bytes body(static_cast<std::size_t>(state.range(0)), 0x42);
    const auto req = *f.client.encapsulate(body);
    const bytes_view enc = bytes_view(req.message).subspan(7, 32), ct = bytes_view(req.message).subspan(39);
    const bytes info = ohttp::request_info("message/bhttp request", f.client.header());
    const auto in = *hpke::key_schedule_input::make(f.suite, hpke::mode::base, info);
    bytes pt(body.size()), out(body.size() + 16), secret(16), key(16, 1), nonce(12, 2);
    for (auto _ : state) {
        auto ctx = hpke::setup_r(f.suite, f.sk, enc, in);
        auto n = ctx->open({}, ct, pt);
        auto e = ctx->export_secret(as_bytes("message/bhttp response"), secret);
        auto s = crypto::aes128gcm::seal(key, nonce, {}, bytes_view(pt).first(*n), out);
        benchmark::DoNotOptimize(e);
        benchmark::DoNotOptimize(s);
    }
}

// The parts RFC 9458 §4.4 adds over the floor: drawing the response nonce, and the
// response key derivation (Extract + 2 Expand).
void BM_part_response_nonce(benchmark::State& state) {
    std::uint8_t nonce[16];
    for (auto _ : state) {
        auto r = system_rng().fill(nonce);
        benchmark::DoNotOptimize(r);
    }
}
void BM_part_response_keys(benchmark::State& state) {
    auto& f = fx();
    const bytes secret(16, 3), enc(32, 4), nonce(16, 5);
    for (auto _ : state) {
        auto k = ohttp::response_keys::derive(f.suite, secret, enc, nonce);
        benchmark::DoNotOptimize(k);
    }
}

void BM_client_open_response(benchmark::State& state) {
    auto& f = fx();
    const bytes body(static_cast<std::size_t>(state.range(0)), 0x42);
    bytes pt(body.size());
    // Contexts are one-shot: prepare batches outside the timed region.
    constexpr std::size_t batch = 256;
    std::vector<ohttp::client_context> ctxs;
    std::vector<bytes> responses;
    auto refill = [&] {
        ctxs.clear();
        responses.clear();
        for (std::size_t i = 0; i < batch; ++i) {
            auto req = *f.client.encapsulate(body);
            auto d = *f.gateway.decapsulate(req.message);
            responses.push_back(*std::move(d.context).seal(body));
            ctxs.push_back(std::move(req.context));
        }
    };
    refill();
    std::size_t i = 0;
    std::size_t allocs = 0;
    for (auto _ : state) {
        if (i == batch) {
            state.PauseTiming();
            refill();
            i = 0;
            state.ResumeTiming();
        }
        const auto before = bench::allocation_count().load();
        auto n = std::move(ctxs[i]).open(responses[i], pt);
        allocs += bench::allocation_count().load() - before;
        benchmark::DoNotOptimize(n);
        ++i;
    }
    state.counters["allocs/op"] = state.iterations() ? double(allocs) / double(state.iterations()) : 0;
}

// Floor: raw AES-128-GCM open of the same ciphertext (no key derivation).
void BM_floor_aead_open(benchmark::State& state) {
    const bytes body(static_cast<std::size_t>(state.range(0)), 0x42);
    const bytes key(16, 1), nonce(12, 2);
    bytes ct(body.size() + 16), pt(body.size());
    (void)crypto::aes128gcm::seal(key, nonce, {}, body, ct);
    for (auto _ : state) {
        auto n = crypto::aes128gcm::open(key, nonce, {}, ct, pt);
        benchmark::DoNotOptimize(n);
    }
}

// Chunked: the gateway seals 16 KiB response chunks.
void BM_chunked_seal_16k(benchmark::State& state) {
    auto& f = fx();
    auto tx = *ohttp::chunked_request_sender::start(f.chunked_client);
    ohttp::chunked_request_receiver rx(f.chunked_gateway);
    if (!rx.feed(tx.header(), [](bytes_view) {})) return state.SkipWithError("header");
    auto sender = *rx.response_sender();
    const bytes chunk(16384, 0x42);
    bytes out(sender.chunk_size(chunk.size()));
    const auto before = bench::allocation_count().load();
    for (auto _ : state) {
        auto n = sender.seal(chunk, false, out);
        benchmark::DoNotOptimize(n);
    }
    state.counters["allocs/op"] = bench::allocs_per_iteration(state, before);
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * chunk.size()));
}

// Chunked: the client opens a 4 MiB response stream of 16 KiB chunks, fed in reads of
// range(0) bytes (16 KiB reads straddle chunk boundaries; 0 feeds the stream whole).
void BM_chunked_open_16k(benchmark::State& state) {
    const std::size_t read = state.range(0) ? static_cast<std::size_t>(state.range(0)) : std::size_t(-1) / 2;
    auto& f = fx();
    const bytes chunk(16384, 0x42);
    constexpr std::size_t chunks = 256;
    std::int64_t bytes_done = 0;
    std::size_t sink_total = 0;
    // Everything is built and destroyed while the clock is paused: only feed/finish are timed.
    bytes stream;
    std::optional<ohttp::chunked_response_receiver> receiver;
    for (auto _ : state) {
        state.PauseTiming();
        receiver.reset();
        auto tx = *ohttp::chunked_request_sender::start(f.chunked_client);
        ohttp::chunked_request_receiver rx(f.chunked_gateway);
        (void)rx.feed(tx.header(), [](bytes_view) {});
        auto sender = *rx.response_sender();
        stream.assign(sender.header().begin(), sender.header().end());
        for (std::size_t i = 0; i < chunks; ++i) append(stream, *sender.seal(chunk, false));
        append(stream, *sender.seal({}, true));
        receiver.emplace(*tx.response_receiver());
        state.ResumeTiming();
        auto sink = [&](bytes_view b) { sink_total += b.size(); };
        for (std::size_t off = 0; off < stream.size(); off += read)
            (void)receiver->feed(bytes_view(stream).subspan(off, std::min<std::size_t>(read, stream.size() - off)), sink);
        (void)receiver->finish(sink);
        bytes_done += static_cast<std::int64_t>(chunks * chunk.size());
    }
    benchmark::DoNotOptimize(sink_total);
    state.SetBytesProcessed(bytes_done);
}

// Chunked, the other direction: the gateway opens a 4 MiB request stream of 16 KiB chunks
// (HPKE context opens), fed in reads of range(0) bytes (0: the stream whole).
void BM_chunked_request_open_16k(benchmark::State& state) {
    const std::size_t read = state.range(0) ? static_cast<std::size_t>(state.range(0)) : std::size_t(-1) / 2;
    auto& f = fx();
    const bytes chunk(16384, 0x42);
    constexpr std::size_t chunks = 256;
    std::int64_t bytes_done = 0;
    std::size_t sink_total = 0;
    bytes stream;
    std::optional<ohttp::chunked_request_receiver> receiver;
    for (auto _ : state) {
        state.PauseTiming();
        receiver.reset();
        auto tx = *ohttp::chunked_request_sender::start(f.chunked_client);
        stream.assign(tx.header().begin(), tx.header().end());
        for (std::size_t i = 0; i < chunks; ++i) append(stream, *tx.seal(chunk, false));
        append(stream, *tx.seal({}, true));
        receiver.emplace(f.chunked_gateway);
        state.ResumeTiming();
        auto sink = [&](bytes_view b) { sink_total += b.size(); };
        for (std::size_t off = 0; off < stream.size(); off += read)
            (void)receiver->feed(bytes_view(stream).subspan(off, std::min<std::size_t>(read, stream.size() - off)), sink);
        (void)receiver->finish(sink);
        bytes_done += static_cast<std::int64_t>(chunks * chunk.size());
    }
    benchmark::DoNotOptimize(sink_total);
    state.SetBytesProcessed(bytes_done);
}

// Floor: raw AES-128-GCM seal of 16 KiB.
void BM_floor_aead_seal_16k(benchmark::State& state) {
    const bytes chunk(16384, 0x42), key(16, 1), nonce(12, 2);
    bytes out(chunk.size() + 16);
    for (auto _ : state) {
        auto n = crypto::aes128gcm::seal(key, nonce, {}, chunk, out);
        benchmark::DoNotOptimize(n);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * chunk.size()));
}

// Floor for the stream: raw AES-128-GCM opens of 256 distinct 16 KiB ciphertexts laid out in
// one 4 MiB buffer (freshly written, as the stream is), into one 16 KiB plaintext buffer.
void BM_floor_aead_open_stream_16k(benchmark::State& state) {
    const bytes chunk(16384, 0x42), key(16, 1), nonce(12, 2);
    constexpr std::size_t chunks = 256, ct_len = 16384 + 16;
    bytes stream(chunks * ct_len), pt(chunk.size());
    std::int64_t done = 0;
    for (auto _ : state) {
        state.PauseTiming();
        for (std::size_t i = 0; i < chunks; ++i)
            (void)crypto::aes128gcm::seal(key, nonce, {}, chunk, mutable_bytes(stream).subspan(i * ct_len, ct_len));
        state.ResumeTiming();
        for (std::size_t i = 0; i < chunks; ++i) {
            auto n = crypto::aes128gcm::open(key, nonce, {}, bytes_view(stream).subspan(i * ct_len, ct_len), pt);
            benchmark::DoNotOptimize(n);
        }
        done += static_cast<std::int64_t>(chunks * chunk.size());
    }
    state.SetBytesProcessed(done);
}

// Floor: raw AES-128-GCM open of one hot 16 KiB buffer.
void BM_floor_aead_open_16k(benchmark::State& state) {
    const bytes chunk(16384, 0x42), key(16, 1), nonce(12, 2);
    bytes ct(chunk.size() + 16), pt(chunk.size());
    (void)crypto::aes128gcm::seal(key, nonce, {}, chunk, ct);
    for (auto _ : state) {
        auto n = crypto::aes128gcm::open(key, nonce, {}, ct, pt);
        benchmark::DoNotOptimize(n);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * chunk.size()));
}

} // namespace

BENCHMARK(BM_client_encapsulate)->Arg(1024)->Arg(16384);
BENCHMARK(BM_floor_client_setup_s_seal)->Arg(1024)->Arg(16384);
BENCHMARK(BM_gateway_decapsulate_respond)->Arg(1024)->Arg(16384);
BENCHMARK(BM_floor_gateway_setup_r_open_export_seal)->Arg(1024)->Arg(16384);
BENCHMARK(BM_part_response_nonce);
BENCHMARK(BM_part_response_keys);
BENCHMARK(BM_client_open_response)->Arg(1024)->Arg(16384);
BENCHMARK(BM_floor_aead_open)->Arg(1024)->Arg(16384);
BENCHMARK(BM_chunked_seal_16k);
BENCHMARK(BM_floor_aead_seal_16k);
BENCHMARK(BM_chunked_open_16k)->Arg(16384)->Arg(0)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_chunked_request_open_16k)->Arg(16384)->Arg(0)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_floor_aead_open_16k);
BENCHMARK(BM_floor_aead_open_stream_16k)->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
    return ppx::bench::main(argc, argv,
                            {{"BM_client_encapsulate/1024", "BM_floor_client_setup_s_seal/1024"},
                             {"BM_client_encapsulate/16384", "BM_floor_client_setup_s_seal/16384"},
                             {"BM_gateway_decapsulate_respond/1024", "BM_floor_gateway_setup_r_open_export_seal/1024"},
                             {"BM_gateway_decapsulate_respond/16384", "BM_floor_gateway_setup_r_open_export_seal/16384"},
                             {"BM_client_open_response/1024", "BM_floor_aead_open/1024"},
                             {"BM_client_open_response/16384", "BM_floor_aead_open/16384"},
                             {"BM_chunked_seal_16k", "BM_floor_aead_seal_16k"},
                             {"BM_chunked_open_16k/0", "BM_floor_aead_open_stream_16k"},
                             {"BM_chunked_open_16k/16384", "BM_floor_aead_open_stream_16k"},
                             {"BM_chunked_request_open_16k/0", "BM_floor_aead_open_stream_16k"},
                             {"BM_chunked_request_open_16k/16384", "BM_floor_aead_open_stream_16k"}});
}
