// ppx/detail/sodium.hpp: one-time libsodium initialisation.
#pragma once

#include <sodium.h>

namespace ppx::detail {

/// Initialises libsodium once per process (thread-safe through a function-local static).
/// Returns false only if libsodium cannot initialise (no usable entropy source).
inline bool sodium_ready() noexcept {
    static const bool ready = sodium_init() >= 0;
    return ready;
}

} // namespace ppx::detail
