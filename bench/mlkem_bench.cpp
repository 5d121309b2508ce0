// ML-KEM (FIPS 203) KeyGen / Encaps / Decaps per parameter set, next to libsodium's X25519
// scalar multiplication (the yardstick: the goal is ML-KEM-768 Encaps and Decaps each faster
// than one crypto_scalarmult), and the Keccak-f[1600] permutation that dominates ML-KEM
// (the floor: ML-KEM-768 Encaps runs about 30 of them).
//
// "bytes" variants start from encoded keys, as FIPS 203 §7 does (parse, modulus or hash
// check, expand A from rho, hash ek); "key" variants use a key object that did that once.
#include <ppx/mlkem.hpp>

#include <benchmark/benchmark.h>
#include <sodium.h>

#include <openssl/evp.h>

using namespace ppx;
using namespace ppx::mlkem;

namespace {

template <parameter_set P>
struct fixture {
    std::array<std::uint8_t, 64> seed{};
    bytes ek = bytes(P::encapsulation_key_size);
    bytes dk = bytes(P::decapsulation_key_size);
    bytes ct = bytes(P::ciphertext_size);
    std::array<std::uint8_t, 32> m{}, ss{};
    fixture() {
        for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<std::uint8_t>(i * 7 + 1);
        m.fill(0x42);
        if (!keygen<P>(seed, ek, dk) || !encaps<P>(ek, m, ct, ss)) std::abort();
    }
};

template <parameter_set P>
void BM_keygen(benchmark::State& st) {
    fixture<P> f;
    for (auto _ : st) {
        auto r = keygen<P>(f.seed, f.ek, f.dk);
        benchmark::DoNotOptimize(r);
        benchmark::ClobberMemory();
    }
}

template <parameter_set P>
void BM_encaps_bytes(benchmark::State& st) {
    fixture<P> f;
    for (auto _ : st) {
        auto r = encaps<P>(f.ek, f.m, f.ct, f.ss);
        benchmark::DoNotOptimize(r);
        benchmark::ClobberMemory();
    }
}

template <parameter_set P>
void BM_decaps_bytes(benchmark::State& st) {
    fixture<P> f;
    for (auto _ : st) {
        auto r = decaps<P>(f.dk, f.ct, f.ss);
        benchmark::DoNotOptimize(r);
        benchmark::ClobberMemory();
    }
}

template <parameter_set P>
void BM_encaps_key(benchmark::State& st) {
    fixture<P> f;
    auto ek = encapsulation_key<P>::parse(f.ek);
    if (!ek) std::abort();
    for (auto _ : st) {
        auto r = ek->encaps(f.m, f.ct, f.ss);
        benchmark::DoNotOptimize(r);
        benchmark::ClobberMemory();
    }
}

template <parameter_set P>
void BM_decaps_key(benchmark::State& st) {
    fixture<P> f;
    auto dk = decapsulation_key<P>::parse(f.dk);
    if (!dk) std::abort();
    for (auto _ : st) {
        auto r = dk->decaps(f.ct, f.ss);
        benchmark::DoNotOptimize(r);
        benchmark::ClobberMemory();
    }
}

template <parameter_set P>
void BM_parse_dk(benchmark::State& st) {
    fixture<P> f;
    for (auto _ : st) {
        auto dk = decapsulation_key<P>::parse(f.dk);
        benchmark::DoNotOptimize(dk);
    }
}

void BM_x25519_scalarmult(benchmark::State& st) {
    if (sodium_init() < 0) std::abort();
    std::uint8_t sk[32], pk[32], out[32];
    randombytes_buf(sk, 32);
    crypto_scalarmult_base(pk, sk);
    for (auto _ : st) {
        int r = crypto_scalarmult(out, sk, pk);
        benchmark::DoNotOptimize(r);
        benchmark::ClobberMemory();
    }
}

void BM_keccak_f1600(benchmark::State& st) {
    keccak::state s{};
    for (auto _ : st) {
        keccak::permute(s);
        benchmark::DoNotOptimize(s);
    }
}

void BM_shake128_504_ppx(benchmark::State& st) {
    std::uint8_t in[34] = {1}, out[504];
    for (auto _ : st) {
        keccak::shake128 x;
        x.absorb(in);
        x.finalize();
        x.squeeze(out);
        benchmark::DoNotOptimize(out);
    }
}

void BM_shake128_504_openssl_evp(benchmark::State& st) {
    std::uint8_t in[34] = {1}, out[504];
    for (auto _ : st) {
        EVP_MD_CTX* c = EVP_MD_CTX_new();
        EVP_DigestInit_ex(c, EVP_shake128(), nullptr);
        EVP_DigestUpdate(c, in, sizeof in);
        EVP_DigestFinalXOF(c, out, sizeof out);
        EVP_MD_CTX_free(c);
        benchmark::DoNotOptimize(out);
    }
}

} // namespace

BENCHMARK(BM_x25519_scalarmult);
BENCHMARK(BM_keccak_f1600);
BENCHMARK(BM_shake128_504_ppx);
BENCHMARK(BM_shake128_504_openssl_evp);
BENCHMARK_TEMPLATE(BM_keygen, ml_kem_512);
BENCHMARK_TEMPLATE(BM_keygen, ml_kem_768);
BENCHMARK_TEMPLATE(BM_keygen, ml_kem_1024);
BENCHMARK_TEMPLATE(BM_encaps_bytes, ml_kem_512);
BENCHMARK_TEMPLATE(BM_encaps_bytes, ml_kem_768);
BENCHMARK_TEMPLATE(BM_encaps_bytes, ml_kem_1024);
BENCHMARK_TEMPLATE(BM_decaps_bytes, ml_kem_512);
BENCHMARK_TEMPLATE(BM_decaps_bytes, ml_kem_768);
BENCHMARK_TEMPLATE(BM_decaps_bytes, ml_kem_1024);
BENCHMARK_TEMPLATE(BM_encaps_key, ml_kem_512);
BENCHMARK_TEMPLATE(BM_encaps_key, ml_kem_768);
BENCHMARK_TEMPLATE(BM_encaps_key, ml_kem_1024);
BENCHMARK_TEMPLATE(BM_decaps_key, ml_kem_512);
BENCHMARK_TEMPLATE(BM_decaps_key, ml_kem_768);
BENCHMARK_TEMPLATE(BM_decaps_key, ml_kem_1024);
BENCHMARK_TEMPLATE(BM_parse_dk, ml_kem_768);

BENCHMARK_MAIN();
