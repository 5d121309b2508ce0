// Privacy Pass per token type: client request and finalize, issuer evaluate / sign (single and
// batches of 10 and 100), origin verify; with the raw primitive floors in the same binary:
// libsodium ristretto255 and OpenSSL P-384 scalar multiplications, RSA-2048 private (CRT) and
// public operations. Span-out APIs throughout, so allocation is not what is measured.
#include <ppx/privacypass/issuer.hpp>
#include <ppx/privacypass/spend_store.hpp>

#include <benchmark/benchmark.h>

#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/rsa.h>
#include <sodium.h>

#if defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif

using namespace ppx;
using namespace ppx::privacypass;

namespace {

bytes challenge_of(std::uint16_t type) { return *token_challenge{type, "issuer.example", {}, "origin.example"}.encode(); }

struct fixture {
    issuer is;
    bytes ch1 = challenge_of(1), ch2 = challenge_of(2), ch5 = challenge_of(5);
    fixture() {
        deterministic_rng rng(42);
        (void)is.type1.add_key(*oprf::private_key<oprf::p384_sha384>::generate(rng));
        (void)is.type5.add_key(*oprf::private_key<oprf::ristretto255_sha512>::generate(rng));
        (void)is.type2.add_key(*blindrsa::private_key::generate(2048));
    }
};
fixture& fx() {
    static fixture f;
    return f;
}

// ------------------------------------------------------------------ floors

void BM_floor_ristretto255_scalarmult(benchmark::State& st) {
    (void)ppx::detail::sodium_ready();
    unsigned char p[32], k[32], out[32];
    crypto_core_ristretto255_random(p);
    crypto_core_ristretto255_scalar_random(k);
    for (auto _ : st) {
        benchmark::DoNotOptimize(crypto_scalarmult_ristretto255(out, k, p));
        benchmark::ClobberMemory();
    }
}
BENCHMARK(BM_floor_ristretto255_scalarmult);

void BM_floor_ristretto255_scalarmult_base(benchmark::State& st) {
    (void)ppx::detail::sodium_ready();
    unsigned char k[32], out[32];
    crypto_core_ristretto255_scalar_random(k);
    for (auto _ : st) {
        benchmark::DoNotOptimize(crypto_scalarmult_ristretto255_base(out, k));
        benchmark::ClobberMemory();
    }
}
BENCHMARK(BM_floor_ristretto255_scalarmult_base);

void BM_floor_p384_point_mul(benchmark::State& st) {
    EC_GROUP* g = EC_GROUP_new_by_curve_name(NID_secp384r1);
    BN_CTX* ctx = BN_CTX_new();
    BIGNUM* k = BN_new();
    BN_rand_range(k, EC_GROUP_get0_order(g));
    EC_POINT* p = EC_POINT_new(g);
    EC_POINT_mul(g, p, k, nullptr, nullptr, ctx);
    EC_POINT* r = EC_POINT_new(g);
    for (auto _ : st) benchmark::DoNotOptimize(EC_POINT_mul(g, r, nullptr, p, k, ctx));
    EC_POINT_free(r);
    EC_POINT_free(p);
    BN_free(k);
    BN_CTX_free(ctx);
    EC_GROUP_free(g);
}
BENCHMARK(BM_floor_p384_point_mul);

void BM_floor_p384_base_mul(benchmark::State& st) {
    EC_GROUP* g = EC_GROUP_new_by_curve_name(NID_secp384r1);
    BN_CTX* ctx = BN_CTX_new();
    BIGNUM* k = BN_new();
    BN_rand_range(k, EC_GROUP_get0_order(g));
    EC_POINT* r = EC_POINT_new(g);
    for (auto _ : st) benchmark::DoNotOptimize(EC_POINT_mul(g, r, k, nullptr, nullptr, ctx));
    EC_POINT_free(r);
    BN_free(k);
    BN_CTX_free(ctx);
    EC_GROUP_free(g);
}
BENCHMARK(BM_floor_p384_base_mul);

struct raw_rsa {
    RSA* rsa = nullptr;
    unsigned char m[256], out[256];
    raw_rsa() {
        BIGNUM* e = BN_new();
        BN_set_word(e, 65537);
        rsa = RSA_new();
        RSA_generate_key_ex(rsa, 2048, e, nullptr);
        BN_free(e);
        randombytes_buf(m, sizeof m);
        m[0] = 0;  // m < n
    }
    ~raw_rsa() { RSA_free(rsa); }
};

void BM_floor_rsa2048_private_crt(benchmark::State& st) {
    raw_rsa k;
    for (auto _ : st) benchmark::DoNotOptimize(RSA_private_encrypt(256, k.m, k.out, k.rsa, RSA_NO_PADDING));
}
BENCHMARK(BM_floor_rsa2048_private_crt);

void BM_floor_rsa2048_public(benchmark::State& st) {
    raw_rsa k;
    for (auto _ : st) benchmark::DoNotOptimize(RSA_public_encrypt(256, k.m, k.out, k.rsa, RSA_NO_PADDING));
}
BENCHMARK(BM_floor_rsa2048_public);

// ------------------------------------------------------------------ VOPRF types 1 and 5

template <class T>
const voprf_issuer<T>& voprf_issuer_of() {
    if constexpr (T::type == 1) return fx().is.type1;
    else return fx().is.type5;
}
template <class T>
const bytes& challenge_for() {
    if constexpr (T::type == 1) return fx().ch1;
    else return fx().ch5;
}

template <class T>
void BM_voprf_client_request(benchmark::State& st) {
    auto client = *voprf_client<T>::create(voprf_issuer_of<T>().keys()[0].token_key);
    deterministic_rng rng(1);
    std::array<std::uint8_t, T::request_size> req;
    for (auto _ : st) benchmark::DoNotOptimize(client.request(challenge_for<T>(), rng, req));
}

template <class T>
void BM_voprf_issuer_evaluate(benchmark::State& st) {
    const auto& is = voprf_issuer_of<T>();
    auto client = *voprf_client<T>::create(is.keys()[0].token_key);
    deterministic_rng rng(2);
    const std::size_t n = static_cast<std::size_t>(st.range(0));
    bytes req;
    std::array<std::uint8_t, T::request_size> single;
    if (n == 1) {
        (void)client.request(challenge_for<T>(), rng, single);
        req.assign(single.begin(), single.end());
    } else {
        (void)client.request_batch(challenge_for<T>(), n, rng, req);
    }
    bytes out(T::batch_response_size(n));
    for (auto _ : st) {
        if (n == 1) benchmark::DoNotOptimize(is.evaluate(req, rng, std::span<std::uint8_t, T::response_size>(out.data(), T::response_size)));
        else benchmark::DoNotOptimize(is.evaluate_batch(req, rng, out));
    }
    st.counters["tokens/s"] = benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate);
}

template <class T>
void BM_voprf_client_finalize(benchmark::State& st) {
    const auto& is = voprf_issuer_of<T>();
    auto client = *voprf_client<T>::create(is.keys()[0].token_key);
    deterministic_rng rng(3);
    const std::size_t n = static_cast<std::size_t>(st.range(0));
    bytes req;
    auto pb = *client.request_batch(challenge_for<T>(), n, rng, req);
    bytes out(T::batch_response_size(n));
    (void)is.evaluate_batch(req, rng, out);
    for (auto _ : st) benchmark::DoNotOptimize(client.finalize_batch(pb, out));
    st.counters["tokens/s"] = benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate);
}

template <class T>
void BM_voprf_origin_verify(benchmark::State& st) {
    const auto& is = voprf_issuer_of<T>();
    auto client = *voprf_client<T>::create(is.keys()[0].token_key);
    deterministic_rng rng(4);
    std::array<std::uint8_t, T::request_size> req;
    auto p = *client.request(challenge_for<T>(), rng, req);
    std::array<std::uint8_t, T::response_size> resp;
    (void)is.evaluate(req, rng, resp);
    auto tok = *client.finalize(p, resp);
    for (auto _ : st) benchmark::DoNotOptimize(is.verify(tok));
}

BENCHMARK(BM_voprf_client_request<token_type_1>)->Name("type1_p384/client_request");
BENCHMARK(BM_voprf_issuer_evaluate<token_type_1>)->Name("type1_p384/issuer_evaluate")->Arg(1)->Arg(10)->Arg(100);
BENCHMARK(BM_voprf_client_finalize<token_type_1>)->Name("type1_p384/client_finalize")->Arg(1)->Arg(10)->Arg(100);
BENCHMARK(BM_voprf_origin_verify<token_type_1>)->Name("type1_p384/origin_verify");
BENCHMARK(BM_voprf_client_request<token_type_5>)->Name("type5_ristretto255/client_request");
BENCHMARK(BM_voprf_issuer_evaluate<token_type_5>)->Name("type5_ristretto255/issuer_evaluate")->Arg(1)->Arg(10)->Arg(100);
BENCHMARK(BM_voprf_client_finalize<token_type_5>)->Name("type5_ristretto255/client_finalize")->Arg(1)->Arg(10)->Arg(100);
BENCHMARK(BM_voprf_origin_verify<token_type_5>)->Name("type5_ristretto255/origin_verify");

// ------------------------------------------------------------------ Blind RSA type 2

void BM_type2_client_request(benchmark::State& st) {
    auto client = *blind_rsa_client::create(fx().is.type2.keys()[0].pub.token_key);
    deterministic_rng rng(5);
    std::array<std::uint8_t, token_type_2::request_size> req;
    for (auto _ : st) benchmark::DoNotOptimize(client.request(fx().ch2, rng, req));
}
BENCHMARK(BM_type2_client_request)->Name("type2_rsa2048/client_request");

void BM_type2_issuer_sign(benchmark::State& st) {
    auto client = *blind_rsa_client::create(fx().is.type2.keys()[0].pub.token_key);
    deterministic_rng rng(6);
    const std::size_t n = static_cast<std::size_t>(st.range(0));
    std::vector<std::array<std::uint8_t, token_type_2::request_size>> reqs(n);
    for (auto& r : reqs) (void)client.request(fx().ch2, rng, r);
    std::array<std::uint8_t, token_type_2::response_size> out;
    for (auto _ : st)
        for (const auto& r : reqs) benchmark::DoNotOptimize(fx().is.type2.sign(r, out));
    st.counters["tokens/s"] = benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_type2_issuer_sign)->Name("type2_rsa2048/issuer_sign")->Arg(1)->Arg(10)->Arg(100);

void BM_type2_client_finalize(benchmark::State& st) {
    auto client = *blind_rsa_client::create(fx().is.type2.keys()[0].pub.token_key);
    deterministic_rng rng(7);
    std::array<std::uint8_t, token_type_2::request_size> req;
    auto p = std::move(*client.request(fx().ch2, rng, req));
    std::array<std::uint8_t, token_type_2::response_size> resp;
    (void)fx().is.type2.sign(req, resp);
    for (auto _ : st) benchmark::DoNotOptimize(client.finalize(p, resp));
}
BENCHMARK(BM_type2_client_finalize)->Name("type2_rsa2048/client_finalize");

void BM_type2_origin_verify(benchmark::State& st) {
    const auto& key = fx().is.type2.keys()[0].pub;
    auto client = *blind_rsa_client::create(key.token_key);
    deterministic_rng rng(8);
    std::array<std::uint8_t, token_type_2::request_size> req;
    auto p = std::move(*client.request(fx().ch2, rng, req));
    std::array<std::uint8_t, token_type_2::response_size> resp;
    (void)fx().is.type2.sign(req, resp);
    auto tok = *client.finalize(p, resp);
    for (auto _ : st) benchmark::DoNotOptimize(verify_blind_rsa_token(key, tok));
}
BENCHMARK(BM_type2_origin_verify)->Name("type2_rsa2048/origin_verify");

// ------------------------------------------------------------------ redemption pipeline

// ------------------------------------------------------------------ ACS type 0xFF01 (POPRF)

struct acs_fixture {
    acs_issuer is{*oprf::private_key<oprf::ristretto255_sha512>::generate(system_rng())};
    bytes ch = challenge_of(0xFF01);
    acs_fixture() { (void)is.accept_info(as_bytes("2026-11-23/chat")); }
};
acs_fixture& afx() {
    static acs_fixture f;
    return f;
}

void BM_acs_client_request(benchmark::State& st) {
    auto client = *acs_client::create(afx().is.token_key());
    deterministic_rng rng(10);
    bytes req;
    for (auto _ : st) benchmark::DoNotOptimize(client.request(afx().ch, as_bytes("2026-11-23/chat"), rng, req));
}
BENCHMARK(BM_acs_client_request)->Name("acs_ristretto255_poprf/client_request");

void BM_acs_issuer_evaluate(benchmark::State& st) {
    auto client = *acs_client::create(afx().is.token_key());
    deterministic_rng rng(11);
    bytes req;
    (void)client.request(afx().ch, as_bytes("2026-11-23/chat"), rng, req);
    std::array<std::uint8_t, token_type_acs::response_size> out;
    for (auto _ : st) benchmark::DoNotOptimize(afx().is.evaluate(req, rng, out));
}
BENCHMARK(BM_acs_issuer_evaluate)->Name("acs_ristretto255_poprf/issuer_evaluate");

void BM_acs_client_finalize(benchmark::State& st) {
    auto client = *acs_client::create(afx().is.token_key());
    deterministic_rng rng(12);
    bytes req;
    auto p = *client.request(afx().ch, as_bytes("2026-11-23/chat"), rng, req);
    std::array<std::uint8_t, token_type_acs::response_size> out;
    (void)afx().is.evaluate(req, rng, out);
    for (auto _ : st) benchmark::DoNotOptimize(client.finalize(p, out));
}
BENCHMARK(BM_acs_client_finalize)->Name("acs_ristretto255_poprf/client_finalize");

void BM_acs_origin_verify(benchmark::State& st) {
    auto client = *acs_client::create(afx().is.token_key());
    deterministic_rng rng(13);
    bytes req;
    auto p = *client.request(afx().ch, as_bytes("2026-11-23/chat"), rng, req);
    std::array<std::uint8_t, token_type_acs::response_size> out;
    (void)afx().is.evaluate(req, rng, out);
    auto tok = *client.finalize(p, out);
    for (auto _ : st) benchmark::DoNotOptimize(afx().is.verify(tok));
}
BENCHMARK(BM_acs_origin_verify)->Name("acs_ristretto255_poprf/origin_verify");

void BM_spend_memory_insert(benchmark::State& st) {
    memory_spend_store store;
    token t;
    t.token_type = 2;
    std::uint64_t i = 0;
    for (auto _ : st) {
        ++i;
        std::memcpy(t.nonce.data(), &i, sizeof i);  // a fresh nonce: every insert is a first spend
        benchmark::DoNotOptimize(store.insert(*spend_key::of(t, {}), 1, 100));
    }
}
BENCHMARK(BM_spend_memory_insert)->Name("spend_store/memory_insert");

} // namespace

BENCHMARK_MAIN();
