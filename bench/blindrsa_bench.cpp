// RFC 9474 blind RSA (RSABSSA-SHA384-PSS-Deterministic, as Privacy Pass type 0x0002 uses it)
// per operation, with floors measured in the same binary on the same key:
//   blind_sign  floor = one raw CRT private operation (OpenSSL RSA_private_encrypt with
//                       RSA_NO_PADDING: CRT, base blinding, constant-time exponentiation)
//                     + one raw public operation (RSA_public_encrypt, RSA_NO_PADDING)
//               (blind_sign must do both: RFC 9474 §4.3 checks RSAVP1(pk, s) == m)
//   finalize    floor = one raw public operation (the verification) ; blind and verify are
//               reported with the same floor for reference.
// "allocs/op" counts heap allocations (operator new and OpenSSL's allocator) per operation.
#include <ppx/blindrsa.hpp>

#include "bench_support.hpp"

PPX_BENCH_COUNT_ALLOCATIONS

#if defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"  // RSA_private_encrypt: the raw floor
#endif

using namespace ppx;
using namespace ppx::blindrsa;

namespace {

struct fixture {
    private_key sk;
    RSA* rsa;  // the same key as a legacy RSA object, for the raw floor
    std::size_t k;
    variant v = variant::sha384_pss_deterministic;
    bytes msg = to_bytes("a 32-byte token input............");
    bytes blinded, blind_sig, sig;
    blind_secret inv;

    explicit fixture(std::size_t bits)
        : sk(*private_key::generate(bits)),
          rsa(nullptr),
          k(sk.public_key().modulus_size()),
          blinded(k),
          blind_sig(k),
          sig(k),
          inv(*blind(sk.public_key(), v, msg, system_rng(), blinded)) {
        rsa = EVP_PKEY_get1_RSA(sk.impl().pkey.get());
        if (!rsa || !blind_sign(sk, blinded, blind_sig) || !finalize(sk.public_key(), v, msg, blind_sig, inv, sig))
            std::abort();
    }
    ~fixture() { RSA_free(rsa); }
};

fixture& key(std::size_t bits) {
    static fixture f2048(2048);
    static fixture f4096(4096);
    return bits == 2048 ? f2048 : f4096;
}

void bm_blind_sign(benchmark::State& st) {
    auto& f = key(static_cast<std::size_t>(st.range(0)));
    bytes out(f.k);
    const auto before = bench::allocation_count().load();
    for (auto _ : st)
        if (!blind_sign(f.sk, f.blinded, out)) st.SkipWithError("blind_sign failed");
    st.counters["allocs/op"] = bench::allocs_per_iteration(st, before);
}

void bm_floor_private_public(benchmark::State& st) {
    auto& f = key(static_cast<std::size_t>(st.range(0)));
    bytes s(f.k), m(f.k);
    const int k = static_cast<int>(f.k);
    for (auto _ : st) {
        if (RSA_private_encrypt(k, f.blinded.data(), s.data(), f.rsa, RSA_NO_PADDING) != k ||
            RSA_public_encrypt(k, s.data(), m.data(), f.rsa, RSA_NO_PADDING) != k)
            st.SkipWithError("raw RSA failed");
    }
}

void bm_floor_private(benchmark::State& st) {
    auto& f = key(static_cast<std::size_t>(st.range(0)));
    bytes s(f.k);
    const int k = static_cast<int>(f.k);
    for (auto _ : st)
        if (RSA_private_encrypt(k, f.blinded.data(), s.data(), f.rsa, RSA_NO_PADDING) != k) st.SkipWithError("raw RSA failed");
}

void bm_floor_public(benchmark::State& st) {
    auto& f = key(static_cast<std::size_t>(st.range(0)));
    bytes m(f.k);
    const int k = static_cast<int>(f.k);
    for (auto _ : st)
        if (RSA_public_encrypt(k, f.sig.data(), m.data(), f.rsa, RSA_NO_PADDING) != k) st.SkipWithError("raw RSA failed");
}

void bm_blind(benchmark::State& st) {
    auto& f = key(static_cast<std::size_t>(st.range(0)));
    bytes out(f.k);
    deterministic_rng rng(3);
    const auto before = bench::allocation_count().load();
    for (auto _ : st)
        if (!blind(f.sk.public_key(), f.v, f.msg, rng, out)) st.SkipWithError("blind failed");
    st.counters["allocs/op"] = bench::allocs_per_iteration(st, before);
}

void bm_finalize(benchmark::State& st) {
    auto& f = key(static_cast<std::size_t>(st.range(0)));
    bytes out(f.k);
    const auto before = bench::allocation_count().load();
    for (auto _ : st)
        if (!finalize(f.sk.public_key(), f.v, f.msg, f.blind_sig, f.inv, out)) st.SkipWithError("finalize failed");
    st.counters["allocs/op"] = bench::allocs_per_iteration(st, before);
}

void bm_verify(benchmark::State& st) {
    auto& f = key(static_cast<std::size_t>(st.range(0)));
    const auto before = bench::allocation_count().load();
    for (auto _ : st)
        if (!verify(f.sk.public_key(), f.v, f.msg, f.sig)) st.SkipWithError("verify failed");
    st.counters["allocs/op"] = bench::allocs_per_iteration(st, before);
}

} // namespace

BENCHMARK(bm_blind_sign)->Arg(2048)->Arg(4096)->Unit(benchmark::kMicrosecond);
BENCHMARK(bm_floor_private_public)->Arg(2048)->Arg(4096)->Unit(benchmark::kMicrosecond);
BENCHMARK(bm_floor_private)->Arg(2048)->Arg(4096)->Unit(benchmark::kMicrosecond);
BENCHMARK(bm_floor_public)->Arg(2048)->Arg(4096)->Unit(benchmark::kMicrosecond);
BENCHMARK(bm_blind)->Arg(2048)->Arg(4096)->Unit(benchmark::kMicrosecond);
BENCHMARK(bm_finalize)->Arg(2048)->Arg(4096)->Unit(benchmark::kMicrosecond);
BENCHMARK(bm_verify)->Arg(2048)->Arg(4096)->Unit(benchmark::kMicrosecond);

int main(int argc, char** argv) {
    return ppx::bench::main(argc, argv,
                            {{"bm_blind_sign/2048", "bm_floor_private_public/2048"},
                             {"bm_blind_sign/4096", "bm_floor_private_public/4096"},
                             {"bm_finalize/2048", "bm_floor_public/2048"},
                             {"bm_finalize/4096", "bm_floor_public/4096"},
                             {"bm_verify/2048", "bm_floor_public/2048"},
                             {"bm_verify/4096", "bm_floor_public/4096"}});
}
