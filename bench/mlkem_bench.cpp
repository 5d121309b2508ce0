// ML-KEM (FIPS 203) KeyGen / Encaps / Decaps per parameter set, next to libsodium's X25519
// scalar multiplication (the yardstick: the goal is ML-KEM-768 Encaps and Decaps each faster
// than one crypto_scalarmult), and the Keccak-f[1600] permutation that dominates ML-KEM
// (the floor: ML-KEM-768 Encaps runs about 30 of them).
//
// HPKE: single-shot seal (SetupS + one Seal) and open (SetupR + one Open) of a 64-byte and a
// 1 KiB message in base mode with HKDF-SHA256 and ChaCha20-Poly1305, into caller buffers, for
// DHKEM(X25519), ML-KEM-768 and X-Wing (goal: X-Wing within 1.5x of X25519).
//
// "bytes" variants start from encoded keys, as FIPS 203 §7 does (parse, modulus or hash
// check, expand A from rho, hash ek); "key" variants use a key object that did that once.
#include <ppx/hpke.hpp>
#include <ppx/hpke/kem_pq.hpp>
#include <ppx/mlkem.hpp>

#include "support/bench_support.hpp"

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

template <class Kem>
struct hpke_fixture {
    hpke::suite s = hpke::suite::of<Kem, hpke::hkdf_sha256, hpke::chacha20poly1305>();
    hpke::private_key sk = make_sk();
    hpke::public_key pk = *hpke::public_key::from_bytes(Kem::ops, sk.public_key_bytes());
    hpke::key_schedule_input in = *hpke::key_schedule_input::make(s, hpke::mode::base, as_bytes("bench info"));
    bytes pt;
    bytes enc = bytes(Kem::ops.n_enc);
    bytes ct;
    bytes out;
    explicit hpke_fixture(std::size_t msg = 64) : pt(msg, 0x61), ct(msg + 16), out(msg) {}
    static hpke::private_key make_sk() {
        bytes skb(Kem::ops.n_sk), pkb(Kem::ops.n_pk);
        if (!Kem::ops.derive_key_pair(as_bytes("bench key material 0123456789abcdef"), skb, pkb)) std::abort();
        return *hpke::private_key::from_bytes(Kem::ops, skb);
    }
};

template <class Kem>
void BM_hpke_seal(benchmark::State& st) {
    hpke_fixture<Kem> f(static_cast<std::size_t>(st.range(0)));
    for (auto _ : st) {
        auto r = hpke::seal(f.s, f.pk, f.in, {}, f.pt, system_rng(), f.enc, f.ct);
        if (!r) std::abort();
        benchmark::DoNotOptimize(r);
    }
}

template <class Kem>
void BM_hpke_open(benchmark::State& st) {
    hpke_fixture<Kem> f(static_cast<std::size_t>(st.range(0)));
    if (!hpke::seal(f.s, f.pk, f.in, {}, f.pt, system_rng(), f.enc, f.ct)) std::abort();
    for (auto _ : st) {
        auto r = hpke::open(f.s, f.sk, f.enc, f.in, {}, f.ct, f.out);
        if (!r) std::abort();
        benchmark::DoNotOptimize(r);
    }
}

/// KEM-level Decap: from the serialized private key (what kem_ops does today) and from a
/// prepared key (the proposed hook), next to DHKEM(X25519)'s Decap.
template <class Kem>
void BM_kem_decap(benchmark::State& st) {
    hpke_fixture<Kem> f;
    bytes ss(32);
    if (!Kem::ops.encap(f.pk.bytes(), system_rng(), ss, f.enc)) std::abort();
    for (auto _ : st) {
        auto r = Kem::ops.decap(f.enc, f.sk.expose_secret(), f.sk.public_key_bytes(), ss);
        benchmark::DoNotOptimize(r);
    }
}

template <class Kem>
void BM_kem_decap_prepared(benchmark::State& st) {
    hpke_fixture<Kem> f;
    bytes ss(32);
    if (!Kem::ops.encap(f.pk.bytes(), system_rng(), ss, f.enc)) std::abort();
    auto p = Kem::prepare(f.sk.expose_secret());
    if (!p) std::abort();
    for (auto _ : st) {
        auto r = Kem::decap_prepared(f.enc, **p, ss);
        benchmark::DoNotOptimize(r);
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
BENCHMARK_TEMPLATE(BM_hpke_seal, hpke::dhkem_x25519_sha256)->Arg(64)->Arg(1024);
BENCHMARK_TEMPLATE(BM_hpke_seal, hpke::kem_ml_kem_768)->Arg(64)->Arg(1024);
BENCHMARK_TEMPLATE(BM_hpke_seal, hpke::kem_x_wing)->Arg(64)->Arg(1024);
BENCHMARK_TEMPLATE(BM_hpke_open, hpke::dhkem_x25519_sha256)->Arg(64)->Arg(1024);
BENCHMARK_TEMPLATE(BM_hpke_open, hpke::kem_ml_kem_768)->Arg(64)->Arg(1024);
BENCHMARK_TEMPLATE(BM_hpke_open, hpke::kem_x_wing)->Arg(64)->Arg(1024);
BENCHMARK_TEMPLATE(BM_kem_decap, hpke::dhkem_x25519_sha256);
BENCHMARK_TEMPLATE(BM_kem_decap, hpke::kem_ml_kem_768);
BENCHMARK_TEMPLATE(BM_kem_decap, hpke::kem_x_wing);
BENCHMARK_TEMPLATE(BM_kem_decap_prepared, hpke::kem_ml_kem_768);
BENCHMARK_TEMPLATE(BM_kem_decap_prepared, hpke::kem_x_wing);

int main(int argc, char** argv) {
    const std::string x = "BM_x25519_scalarmult";
    std::vector<std::pair<std::string, std::string>> ratios;
    for (const char* op : {"keygen", "encaps_bytes", "decaps_bytes", "encaps_key", "decaps_key"})
        for (const char* set : {"ml_kem_512", "ml_kem_768", "ml_kem_1024"})
            ratios.emplace_back(std::string("BM_") + op + "<" + set + ">", x);
    for (const char* dir : {"seal", "open"})
        for (const char* len : {"64", "1024"})
            for (const char* kem : {"hpke::kem_ml_kem_768", "hpke::kem_x_wing"})
                ratios.emplace_back(std::string("BM_hpke_") + dir + "<" + kem + ">/" + len,
                                    std::string("BM_hpke_") + dir + "<hpke::dhkem_x25519_sha256>/" + len);
    ratios.emplace_back("BM_kem_decap<hpke::kem_x_wing>", "BM_kem_decap<hpke::dhkem_x25519_sha256>");
    ratios.emplace_back("BM_kem_decap_prepared<hpke::kem_x_wing>", "BM_kem_decap<hpke::dhkem_x25519_sha256>");
    ratios.emplace_back("BM_kem_decap_prepared<hpke::kem_ml_kem_768>", x);
    return ppx::bench::main(argc, argv, ratios);
}
