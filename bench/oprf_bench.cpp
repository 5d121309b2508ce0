// RFC 9497 VOPRF issuance per suite, with the floor each step cannot go below measured in the
// same binary as that many raw scalar multiplications (libsodium crypto_scalarmult_ristretto255
// for ristretto255, OpenSSL EC_POINT_mul with one point and a reused BN_CTX for P-256/384/521):
//   client blind              1 mult                          (blind * HashToGroup(input))
//   server blind-evaluate(n)  2n + 3 mults                    (n evaluations, n composite terms
//                                                              d_i*C_i, Z = k*M, t2 = r*G, t3 = r*M)
//   client finalize(n)        3n + 4 mults                    (2n composite terms, s*G + c*pkS,
//                                                              s*M + c*Z, n unblindings)
//   issuance (n = 1)          13 mults                        (the sum of the three)
// Hashing to the curve, hashing to scalars, (de)serialisation, the scalar inversion and the
// proof arithmetic are what the ratio measures above the floor. "allocs/op" counts heap
// allocations (operator new and OpenSSL's allocator) per operation.
#include <ppx/oprf.hpp>

#include "bench_support.hpp"

PPX_BENCH_COUNT_ALLOCATIONS

using namespace ppx;
using namespace ppx::oprf;

namespace {

/// One raw constant-time scalar multiplication of the suite's group, on pre-decoded operands.
template <suite S>
struct raw_mul;

template <>
struct raw_mul<ristretto255_sha512> {
    std::uint8_t k[32], p[32], out[32];
    raw_mul() {
        deterministic_rng r(1);
        auto s = ristretto255::random_scalar(r);
        std::memcpy(k, s->expose().data(), 32);
        crypto_scalarmult_ristretto255_base(p, k);
    }
    void run() { benchmark::DoNotOptimize(crypto_scalarmult_ristretto255(out, k, p)); }
};

template <class Params>
struct raw_ec_mul {
    const EC_GROUP* g = detail_h2c::curve<Params>().group.get();
    ppx::detail::bn_ctx_ptr ctx{BN_CTX_new()};
    ppx::detail::secret_bn_ptr k{BN_new()};
    ppx::detail::ec_point_ptr p{EC_POINT_new(g)}, out{EC_POINT_new(g)};
    raw_ec_mul() {
        BN_rand_range(k.get(), detail_h2c::curve<Params>().order.get());
        BN_set_flags(k.get(), BN_FLG_CONSTTIME);
        EC_POINT_mul(g, p.get(), k.get(), nullptr, nullptr, ctx.get());
    }
    void run() { benchmark::DoNotOptimize(EC_POINT_mul(g, out.get(), nullptr, p.get(), k.get(), ctx.get())); }
};
template <> struct raw_mul<p256_sha256> : raw_ec_mul<p256_params> {};
template <> struct raw_mul<p384_sha384> : raw_ec_mul<p384_params> {};
template <> struct raw_mul<p521_sha512> : raw_ec_mul<p521_params> {};

template <suite S>
struct fixture {
    deterministic_rng rng{7};
    private_key<S> sk = *private_key<S>::generate(rng);
    public_key<S> pk = sk.public_key();
    std::vector<bytes> inputs;
    std::vector<bytes_view> views;
    std::vector<blinded<S>> bl;
    bytes blinded_all, evaluated;
    std::array<std::uint8_t, proof_size<S>> proof{};
    bytes outputs;

    explicit fixture(std::size_t n) : evaluated(n * Ne<S>), outputs(n * Nh<S>) {
        for (std::size_t i = 0; i < n; ++i) inputs.push_back(to_bytes("token nonce " + std::to_string(i) + " ........................"));
        for (auto& in : inputs) views.push_back(in);
        for (auto& in : inputs) {
            auto b = blind<S>(mode::voprf, in, rng);
            if (!b) std::abort();
            append(blinded_all, b->encoded);
            bl.push_back(std::move(*b));
        }
        if (!voprf_blind_evaluate<S>(sk, blinded_all, evaluated, proof, rng)) std::abort();
    }
};

template <suite S>
void client_blind(benchmark::State& st) {
    fixture<S> f(1);
    const auto before = bench::allocation_count().load();
    for (auto _ : st) {
        auto b = blind<S>(mode::voprf, f.inputs[0], f.rng);
        if (!b) st.SkipWithError("blind failed");
        benchmark::DoNotOptimize(b);
    }
    st.counters["allocs/op"] = bench::allocs_per_iteration(st, before);
}

template <suite S>
void server_evaluate(benchmark::State& st) {
    fixture<S> f(static_cast<std::size_t>(st.range(0)));
    const auto before = bench::allocation_count().load();
    for (auto _ : st) {
        if (!voprf_blind_evaluate<S>(f.sk, f.blinded_all, f.evaluated, f.proof, f.rng)) st.SkipWithError("evaluate failed");
        benchmark::ClobberMemory();
    }
    st.counters["allocs/op"] = bench::allocs_per_iteration(st, before);
    st.counters["tokens/s"] = benchmark::Counter(double(st.range(0)) * double(st.iterations()), benchmark::Counter::kIsRate);
}

template <suite S>
void client_finalize(benchmark::State& st) {
    fixture<S> f(static_cast<std::size_t>(st.range(0)));
    const auto before = bench::allocation_count().load();
    for (auto _ : st) {
        if (!verify_finalize<S>(f.pk, f.views, f.bl, f.evaluated, f.proof, f.outputs)) st.SkipWithError("finalize failed");
        benchmark::ClobberMemory();
    }
    st.counters["allocs/op"] = bench::allocs_per_iteration(st, before);
}

/// Whole issuance of one token: blind, blind-evaluate with proof, verify and finalize.
template <suite S>
void issuance(benchmark::State& st) {
    fixture<S> f(1);
    std::array<std::uint8_t, Ne<S>> ev;
    std::array<std::uint8_t, Nh<S>> out;
    for (auto _ : st) {
        auto b = blind<S>(mode::voprf, f.inputs[0], f.rng);
        if (!b || !voprf_blind_evaluate<S>(f.sk, b->encoded, ev, f.proof, f.rng) ||
            !verify_finalize<S>(f.pk, f.views, std::span<const blinded<S>>(&*b, 1), ev, f.proof, out))
            st.SkipWithError("issuance failed");
        benchmark::DoNotOptimize(out);
    }
}

/// `count(n)` raw scalar multiplications: the floor of an operation on a batch of n.
template <suite S, std::size_t A, std::size_t B>
void floor_mults(benchmark::State& st) {
    raw_mul<S> m;
    const std::size_t n = static_cast<std::size_t>(st.range(0));
    const std::size_t count = A * n + B;
    for (auto _ : st)
        for (std::size_t i = 0; i < count; ++i) m.run();
    st.counters["mults"] = double(count);
}

std::vector<std::pair<std::string, std::string>> ratios;

template <suite S>
void register_suite() {
    const std::string id(S::identifier);
    benchmark::RegisterBenchmark(("floor_mult/" + id).c_str(), floor_mults<S, 0, 1>)->Arg(1);
    benchmark::RegisterBenchmark(("client_blind/" + id).c_str(), client_blind<S>);
    ratios.push_back({"client_blind/" + id, "floor_mult/" + id + "/1"});
    for (int n : {1, 10, 100}) {
        const auto ns = std::to_string(n);
        benchmark::RegisterBenchmark(("server_evaluate/" + id).c_str(), server_evaluate<S>)->Arg(n);
        benchmark::RegisterBenchmark(("floor_server/" + id).c_str(), floor_mults<S, 2, 3>)->Arg(n);
        benchmark::RegisterBenchmark(("client_finalize/" + id).c_str(), client_finalize<S>)->Arg(n);
        benchmark::RegisterBenchmark(("floor_finalize/" + id).c_str(), floor_mults<S, 3, 4>)->Arg(n);
        ratios.push_back({"server_evaluate/" + id + "/" + ns, "floor_server/" + id + "/" + ns});
        ratios.push_back({"client_finalize/" + id + "/" + ns, "floor_finalize/" + id + "/" + ns});
    }
    benchmark::RegisterBenchmark(("issuance/" + id).c_str(), issuance<S>);
    benchmark::RegisterBenchmark(("floor_issuance/" + id).c_str(), floor_mults<S, 0, 13>)->Arg(1);
    ratios.push_back({"issuance/" + id, "floor_issuance/" + id + "/1"});
}

} // namespace

int main(int argc, char** argv) {
    register_suite<ristretto255_sha512>();
    register_suite<p256_sha256>();
    register_suite<p384_sha384>();
    register_suite<p521_sha512>();
    return ppx::bench::main(argc, argv, ratios);
}
