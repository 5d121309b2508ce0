// RA-TLS and SEV-SNP verification costs, against the floor of one raw OpenSSL ECDSA P-384
// verify measured in this same binary.
//
//   floor:          EVP_PKEY_verify of a DER signature over a precomputed SHA-384 digest
//   snp_verify_warm: snp::verifier::verify on a real Milan report, VCEK chain cached
//   snp_verify_cold: the same with a fresh verifier (VCEK parse + ASK/ARK RSA-PSS chain)
//   cert_parse_binding: parse_certificate + check_binding (real rats-tls cert; simulated SNP cert)
//   ratls_verify_warm: whole certificate appraisal of a simulated SNP RA-TLS certificate
#include <ppx/ratls.hpp>

#include <benchmark/benchmark.h>

#include <fstream>
#include <stdexcept>
#include <string>

using namespace ppx;
using namespace ppx::ratls;

namespace {

bytes load(const std::string& rel) {
    std::string dir = __FILE__;
    dir = dir.substr(0, dir.rfind('/'));
    std::ifstream f(dir + "/../tests/vectors/" + rel, std::ios::binary);
    if (!f) throw std::runtime_error("missing " + rel);
    return bytes(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

struct real_data {
    bytes report = load("sevsnp/milan-virtee/report_milan.bin");
    bytes vcek = load("sevsnp/milan-virtee/vcek_milan.der");
    bytes sgx_cert = load("ratls/ccc-interop/rats-tls-cert.der");
};

const real_data& data() {
    static real_data d;
    return d;
}

snp::policy bench_policy() {
    snp::policy p;
    p.allow_any_measurement_insecure = true;
    p.now = 1760000000;
    return p;
}

void BM_floor_ecdsa_p384_verify(benchmark::State& st) {
    auto v = snp::vcek::parse(data().vcek);
    if (!v) throw std::runtime_error("vcek");
    const auto& raw = data().report;
    std::array<std::uint8_t, snp::max_der_signature_size> der;
    auto n = snp::signature_to_der(std::span<const std::uint8_t, 72>(raw.data() + snp::sig_r_offset, 72),
                                   std::span<const std::uint8_t, 72>(raw.data() + snp::sig_s_offset, 72), der);
    const auto digest = crypto::digest<crypto::sha384>(bytes_view(raw).first(snp::signed_size));
    for (auto _ : st) {
        ppx::detail::evp_pkey_ctx_ptr ctx(EVP_PKEY_CTX_new(v->key(), nullptr));
        EVP_PKEY_verify_init(ctx.get());
        int rc = EVP_PKEY_verify(ctx.get(), der.data(), *n, digest.data(), digest.size());
        if (rc != 1) st.SkipWithError("verify failed");
        benchmark::DoNotOptimize(rc);
    }
}
BENCHMARK(BM_floor_ecdsa_p384_verify);

void BM_snp_parse_report(benchmark::State& st) {
    for (auto _ : st) {
        auto r = snp::parse_report(data().report);
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(BM_snp_parse_report);

void BM_snp_verify_warm(benchmark::State& st) {
    auto v = snp::verifier::with_amd_roots();
    const auto pol = bench_policy();
    if (!v || !v->verify(data().report, data().vcek, pol)) throw std::runtime_error("warm-up");
    for (auto _ : st) {
        auto r = v->verify(data().report, data().vcek, pol);
        if (!r) st.SkipWithError("verify failed");
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(BM_snp_verify_warm);

void BM_snp_verify_cold(benchmark::State& st) {
    auto store = snp::trust_store::builtin();  // compiled-in roots are checked once per process
    const auto pol = bench_policy();
    for (auto _ : st) {
        snp::verifier v(*store);
        auto r = v.verify(data().report, data().vcek, pol);
        if (!r) st.SkipWithError("verify failed");
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(BM_snp_verify_cold);

struct sim {
    simulated_snp_provider m;
    issued_certificate cert;
    std::shared_ptr<const snp::trust_store> store;
};

sim& simulated() {
    static sim s = [] {
        deterministic_rng r(1);
        simulated_snp_provider::options o;
        o.rsa_bits = 4096;  // AMD-sized chain, so the cold path is realistic
        auto m = simulated_snp_provider::create(r, o);
        if (!m) throw std::runtime_error("sim");
        certificate_options co;
        co.not_before = 1760000000 - 10;
        co.hpke_public_key = bytes(32, 1);
        auto c = create_certificate(*m, co, r);
        if (!c) throw std::runtime_error("cert");
        auto st = std::make_shared<snp::trust_store>();
        if (!st->add_root(snp::product::milan, as_bytes(m->ark_pem()), as_bytes(m->ask_pem()))) throw std::runtime_error("root");
        return sim{std::move(*m), std::move(*c), st};
    }();
    return s;
}

void BM_cert_parse_binding_sgx(benchmark::State& st) {
    for (auto _ : st) {
        auto c = parse_certificate(data().sgx_cert);
        auto b = check_binding(*c);
        if (!b.bound()) st.SkipWithError("not bound");
        benchmark::DoNotOptimize(b);
    }
}
BENCHMARK(BM_cert_parse_binding_sgx);

void BM_cert_parse_binding_snp(benchmark::State& st) {
    const auto& der = simulated().cert.der;
    for (auto _ : st) {
        auto c = parse_certificate(der);
        auto b = check_binding(*c);
        if (!b.bound()) st.SkipWithError("not bound");
        benchmark::DoNotOptimize(b);
    }
}
BENCHMARK(BM_cert_parse_binding_snp);

void BM_ratls_verify_warm(benchmark::State& st) {
    auto& s = simulated();
    verify_options o;
    o.policy = bench_policy();
    certificate_verifier v(snp::verifier(s.store), o);
    if (!v.verify(s.cert.der)) throw std::runtime_error("warm-up");
    for (auto _ : st) {
        auto r = v.verify(s.cert.der);
        if (!r) st.SkipWithError("verify failed");
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(BM_ratls_verify_warm);

void BM_ratls_verify_cold(benchmark::State& st) {
    auto& s = simulated();
    verify_options o;
    o.policy = bench_policy();
    for (auto _ : st) {
        certificate_verifier v(snp::verifier(s.store), o);
        auto r = v.verify(s.cert.der);
        if (!r) st.SkipWithError("verify failed");
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(BM_ratls_verify_cold);

} // namespace

BENCHMARK_MAIN();
