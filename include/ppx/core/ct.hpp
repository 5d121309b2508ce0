// ppx/core/ct.hpp: constant-time helpers for comparing secrets and tags.
#pragma once

#include <ppx/core/bytes.hpp>

#include <openssl/crypto.h>

namespace ppx {

/// True when `a` and `b` are equal, in time that depends only on their lengths.
/// Use for MACs, tags, authenticators and any secret; lengths are public.
inline bool ct_equal(bytes_view a, bytes_view b) noexcept {
    if (a.size() != b.size()) return false;
    if (a.empty()) return true;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

/// True when every byte of `a` is zero, in time that depends only on its length.
inline bool ct_is_zero(bytes_view a) noexcept {
    unsigned char acc = 0;
    for (auto c : a) acc |= c;
    // Turn acc into 0/1 without a data-dependent branch.
    return ((static_cast<unsigned>(acc) - 1u) >> 8) & 1u;
}

/// Overwrites `b` with zeros in a way the compiler may not elide.
inline void wipe(mutable_bytes b) noexcept {
    if (!b.empty()) OPENSSL_cleanse(b.data(), b.size());
}

} // namespace ppx
