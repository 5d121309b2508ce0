// Shared by ppx's benchmark programs: heap-allocation counting and a reporter that prints
// the ratio of each measured operation to its floor after the run.
//
// Usage in a bench program:
//   PPX_BENCH_COUNT_ALLOCATIONS  (once, at namespace scope: replaces global new/delete)
//   state.counters["allocs/op"] = ppx::bench::allocs_per_iteration(state, before);
//   int main(int argc, char** argv) { return ppx::bench::main(argc, argv, {{"op", "floor"}, ...}); }
#pragma once

#include <benchmark/benchmark.h>

// The counting operator new below is malloc-based and its delete is free-based; GCC cannot
// see that they pair up once inlined, so silence that (false) warning in benchmark programs.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <openssl/crypto.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <new>
#include <string>
#include <utility>
#include <vector>

namespace ppx::bench {

inline std::atomic<std::size_t>& allocation_count() {
    static std::atomic<std::size_t> n{0};
    return n;
}

/// Allocations per iteration since `before` (a value of allocation_count() read before the loop).
inline double allocs_per_iteration(const benchmark::State& state, std::size_t before) {
    const auto n = allocation_count().load(std::memory_order_relaxed) - before;
    return state.iterations() ? double(n) / double(state.iterations()) : 0.0;
}

/// Routes OpenSSL's allocations through the same counter (call first in main, before any
/// OpenSSL call; returns false if OpenSSL already allocated).
inline bool count_openssl_allocations() {
    return CRYPTO_set_mem_functions(
               [](std::size_t n, const char*, int) -> void* {
                   allocation_count().fetch_add(1, std::memory_order_relaxed);
                   return std::malloc(n);
               },
               [](void* p, std::size_t n, const char*, int) -> void* {
                   allocation_count().fetch_add(1, std::memory_order_relaxed);
                   return std::realloc(p, n);
               },
               [](void* p, const char*, int) { std::free(p); }) == 1;
}

/// Console reporter that remembers each benchmark's CPU time per iteration (ns) of every run:
/// CPU time, not wall time, so ratios hold while other processes share the machine.
class ratio_reporter : public benchmark::ConsoleReporter {
public:
    void ReportRuns(const std::vector<Run>& runs) override {
        for (const auto& r : runs)
            if (r.run_type == Run::RT_Iteration && r.iterations > 0) // Normalise to nanoseconds whatever ->Unit() the benchmark chose.
                times_[r.benchmark_name()].push_back(r.GetAdjustedCPUTime() * 1e9 / benchmark::GetTimeUnitMultiplier(r.time_unit));
        ConsoleReporter::ReportRuns(runs);
    }
    /// The median over the runs of `name` (one run unless --benchmark_repetitions), and how many.
    std::pair<double, std::size_t> median(const std::string& name) const {
        auto it = times_.find(name);
        if (it == times_.end() || it->second.empty()) return {0.0, 0};
        auto v = it->second;
        std::sort(v.begin(), v.end());
        const std::size_t n = v.size();
        return {n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2, n};
    }

private:
    std::map<std::string, std::vector<double>> times_;
};

/// Runs the registered benchmarks, then prints "op / floor = ratio" for each pair whose
/// both sides ran (names as Google Benchmark prints them, e.g. "BM_x/1024").
inline int main(int argc, char** argv, const std::vector<std::pair<std::string, std::string>>& ratios) {
    const bool counting_openssl = count_openssl_allocations();
    benchmark::Initialize(&argc, argv);
    if (!counting_openssl) std::fprintf(stderr, "note: OpenSSL allocations are not counted\n");
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    ratio_reporter rep;
    benchmark::RunSpecifiedBenchmarks(&rep);
    bool header = false;
    for (const auto& [op, floor] : ratios) {
        const auto [a, na] = rep.median(op);
        const auto [b, nb] = rep.median(floor);
        if (na == 0 || nb == 0 || b <= 0) continue;
        if (!header) std::printf("\nratio to floor (CPU time per operation, same binary, same run; medians when repeated):\n");
        header = true;
        std::printf("  %-48s %10.3f us / floor %10.3f us = %.3fx", op.c_str(), a / 1000.0, b / 1000.0, a / b);
        if (na > 1 || nb > 1) std::printf("  (median of %zu / %zu runs)", na, nb);
        std::printf("\n");
    }
    benchmark::Shutdown();
    return 0;
}

} // namespace ppx::bench

/// Replaces global operator new/delete with counting versions (use in one TU per program).
#define PPX_BENCH_COUNT_ALLOCATIONS                                                            \
    void* operator new(std::size_t n) {                                                        \
        ppx::bench::allocation_count().fetch_add(1, std::memory_order_relaxed);                \
        if (void* p = std::malloc(n ? n : 1)) return p;                                        \
        throw std::bad_alloc();                                                                \
    }                                                                                          \
    void* operator new[](std::size_t n) { return operator new(n); }                            \
    void operator delete(void* p) noexcept { std::free(p); }                                   \
    void operator delete[](void* p) noexcept { std::free(p); }                                 \
    void operator delete(void* p, std::size_t) noexcept { std::free(p); }                      \
    void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
