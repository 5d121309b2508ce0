// Shared by every ppx fuzz target: the libFuzzer entry point's signature and an invariant
// check that aborts (so libFuzzer and the replay driver both report it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

/// Aborts with the failed condition when a target's invariant does not hold.
#define PPX_FUZZ_CHECK(cond)                                                              \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            std::fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
            std::abort();                                                                 \
        }                                                                                 \
    } while (0)

namespace ppx::fuzz {
inline std::span<const std::uint8_t> input(const std::uint8_t* data, std::size_t size) { return {data, size}; }
} // namespace ppx::fuzz
