// Benchmarks of ppx/merkle with their floors measured in the same binary:
//  - inclusion verification at tree sizes 2^10 .. 2^40, against the raw SHA-256 calls the
//    proof needs (one 65-byte SHA-256 per proof node, OpenSSL SHA256_Init/Update/Final);
//  - consistency verification against the same floor for its node count;
//  - checkpoint verification with 1 signature (log) and 5 (log + 4 cosignature/v1 witnesses),
//    against raw libsodium Ed25519 verification of the same messages.
#include <ppx/merkle.hpp>

#include <benchmark/benchmark.h>

#include <openssl/sha.h>

#if defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif

using namespace ppx;
using namespace ppx::merkle;

namespace {

std::vector<hash_t> pseudo_hashes(std::size_t n, std::uint8_t salt) {
    std::vector<hash_t> v(n);
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint8_t in[2] = {static_cast<std::uint8_t>(i), salt};
        v[i] = crypto::digest<crypto::sha256>(bytes_view(in, 2));
    }
    return v;
}

// Nodes an inclusion proof for `index` in a tree of `size` leaves has (RFC 9162 §2.1.3.1).
std::size_t inclusion_len(std::uint64_t index, std::uint64_t size) {
    std::size_t n = 0;
    std::uint64_t lo = 0, hi = size;
    while (hi - lo > 1) {
        const std::uint64_t k = std::bit_floor(hi - lo - 1);
        if (index - lo < k) hi = lo + k;
        else lo += k;
        ++n;
    }
    return n;
}

void BM_inclusion_verify(benchmark::State& st) {
    const std::uint64_t size = std::uint64_t{1} << st.range(0), index = size / 3;
    const auto proof = pseudo_hashes(inclusion_len(index, size), 1);
    const hash_t leaf = leaf_hash(as_bytes("entry"));
    const hash_t root = *root_from_inclusion_proof(index, size, leaf, proof);
    for (auto _ : st) {
        auto r = verify_inclusion(index, size, leaf, proof, root);
        benchmark::DoNotOptimize(r);
    }
    st.counters["nodes"] = static_cast<double>(proof.size());
}
BENCHMARK(BM_inclusion_verify)->Arg(10)->Arg(16)->Arg(20)->Arg(30)->Arg(40);

// Floor: the proof's SHA-256 calls, each over 0x01 || 32 || 32 bytes, chained.
void BM_sha256_floor(benchmark::State& st) {
    const std::size_t nodes = static_cast<std::size_t>(st.range(0));
    const auto proof = pseudo_hashes(nodes, 1);
    std::uint8_t buf[65];
    buf[0] = 1;
    for (auto _ : st) {
        std::uint8_t r[32] = {0};
        for (std::size_t i = 0; i < nodes; ++i) {
            std::memcpy(buf + 1, proof[i].data(), 32);
            std::memcpy(buf + 33, r, 32);
            SHA256_CTX c;
            SHA256_Init(&c);
            SHA256_Update(&c, buf, sizeof buf);
            SHA256_Final(r, &c);
        }
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(BM_sha256_floor)->Arg(10)->Arg(16)->Arg(20)->Arg(30)->Arg(40);

const tree_hashes& big_tree() {
    static const tree_hashes t = [] {
        tree_hashes x;
        for (std::uint32_t i = 0; i < (1u << 20) + 12345; ++i) {
            const std::uint8_t e[4] = {std::uint8_t(i), std::uint8_t(i >> 8), std::uint8_t(i >> 16), std::uint8_t(i >> 24)};
            x.append(leaf_hash(bytes_view(e, 4)));
        }
        return x;
    }();
    return t;
}

void BM_consistency_verify(benchmark::State& st) {
    const auto& t = big_tree();
    const std::uint64_t n1 = static_cast<std::uint64_t>(st.range(0)), n2 = t.size();
    const auto proof = *t.consistency_proof(n1, n2);
    const hash_t r1 = *t.root(n1), r2 = *t.root(n2);
    for (auto _ : st) {
        auto r = verify_consistency(n1, n2, r1, r2, proof);
        if (!r) st.SkipWithError("consistency failed");
        benchmark::DoNotOptimize(r);
    }
    // Hashes the verifier computes: two chains over the proof (fr and sr), minus the shared start.
    st.counters["nodes"] = static_cast<double>(proof.size());
}
BENCHMARK(BM_consistency_verify)->Arg(1000)->Arg(777777)->Arg(1 << 19);

// Floor for consistency: the verifier hashes up to two nodes per proof element (old and new
// root chains); measure 2 * proof length SHA-256 calls as the upper floor.
void BM_consistency_floor(benchmark::State& st) {
    const auto& t = big_tree();
    const std::uint64_t n1 = static_cast<std::uint64_t>(st.range(0));
    const auto proof = *t.consistency_proof(n1, t.size());
    // Count exactly the node hashes the verifier does for this proof.
    std::uint64_t fn = n1 - 1, sn = t.size() - 1;
    std::size_t calls = 0, i = std::has_single_bit(n1) ? 0 : 1;
    if (fn & 1) { const int s = std::countr_one(fn); fn >>= s; sn >>= s; }
    for (; i < proof.size(); ++i) {
        if ((fn & 1) || fn == sn) {
            calls += 2;
            if (!(fn & 1)) { const int s = std::countr_zero(fn); fn >>= s; sn >>= s; }
        } else {
            calls += 1;
        }
        fn >>= 1;
        sn >>= 1;
    }
    std::uint8_t buf[65];
    buf[0] = 1;
    for (auto _ : st) {
        std::uint8_t r[32] = {0};
        for (std::size_t k = 0; k < calls; ++k) {
            std::memcpy(buf + 1, proof[k % proof.size()].data(), 32);
            std::memcpy(buf + 33, r, 32);
            SHA256_CTX c;
            SHA256_Init(&c);
            SHA256_Update(&c, buf, sizeof buf);
            SHA256_Final(r, &c);
        }
        benchmark::DoNotOptimize(r);
    }
    st.counters["sha256_calls"] = static_cast<double>(calls);
}
BENCHMARK(BM_consistency_floor)->Arg(1000)->Arg(777777)->Arg(1 << 19);

struct note_fixture {
    std::string note;
    trust_policy policy;
    std::vector<std::pair<std::string, verifier>> raw;  // signed message + key, for the floor
};

const note_fixture& fixture(int sigs) {
    static std::map<int, note_fixture> cache;
    auto it = cache.find(sigs);
    if (it != cache.end()) return it->second;
    deterministic_rng r(42);
    auto log = *note_signer::generate("example.com/log", sig_type::ed25519, r);
    const std::string text = *format_checkpoint(checkpoint{"example.com/log", 123456789, leaf_hash(as_bytes("root")), {}});
    note_fixture f{*log.sign(text), trust_policy::log_only(log.to_verifier()), {}};
    f.raw.emplace_back(text, log.to_verifier());
    for (int i = 1; i < sigs; ++i) {
        auto w = *note_signer::generate("witness" + std::to_string(i) + ".example", sig_type::cosignature_v1, r);
        f.note = *w.add_to(f.note, 1700000000 + static_cast<std::uint64_t>(i));
        f.policy.witnesses.push_back(w.to_verifier());
        f.raw.emplace_back(verifier::cosignature_message(text, 1700000000 + static_cast<std::uint64_t>(i)), w.to_verifier());
    }
    f.policy.quorum = static_cast<std::size_t>(sigs - 1);
    return cache.emplace(sigs, std::move(f)).first->second;
}

void BM_checkpoint_verify(benchmark::State& st) {
    const auto& f = fixture(static_cast<int>(st.range(0)));
    for (auto _ : st) {
        auto r = verify_checkpoint(f.note, f.policy);
        if (!r) st.SkipWithError("verify failed");
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(BM_checkpoint_verify)->Arg(1)->Arg(5);

// Floor: raw Ed25519 verification of the same signed messages with libsodium.
void BM_ed25519_floor(benchmark::State& st) {
    const auto& f = fixture(static_cast<int>(st.range(0)));
    auto parsed = *parse_note(f.note);
    std::vector<bytes> sigs;
    for (auto& s : parsed.signatures) sigs.push_back(s.sig.size() == 72 ? bytes(s.sig.begin() + 8, s.sig.end()) : s.sig);
    for (auto _ : st) {
        int bad = 0;
        for (std::size_t i = 0; i < f.raw.size(); ++i)
            bad |= crypto_sign_verify_detached(sigs[i].data(), reinterpret_cast<const unsigned char*>(f.raw[i].first.data()), f.raw[i].first.size(),
                                               f.raw[i].second.public_key().data());
        if (bad) st.SkipWithError("floor verify failed");
        benchmark::DoNotOptimize(bad);
    }
}
BENCHMARK(BM_ed25519_floor)->Arg(1)->Arg(5);

void BM_note_parse(benchmark::State& st) {
    const auto& f = fixture(static_cast<int>(st.range(0)));
    for (auto _ : st) {
        auto r = parse_note(f.note);
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(BM_note_parse)->Arg(1)->Arg(5);

} // namespace

BENCHMARK_MAIN();
