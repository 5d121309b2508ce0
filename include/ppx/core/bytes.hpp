// ppx/core/bytes.hpp: byte containers and views, hex and base64 codecs.
//
// Inputs are std::span<const std::uint8_t> (`bytes_view`); owned buffers are
// std::vector<std::uint8_t> (`bytes`). Secrets use secret.hpp's types instead.
#pragma once

#include <ppx/core/result.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ppx {

using bytes = std::vector<std::uint8_t>;
using bytes_view = std::span<const std::uint8_t>;
using mutable_bytes = std::span<std::uint8_t>;

/// Views the characters of a string as bytes (no copy; valid while `s` lives).
inline bytes_view as_bytes(std::string_view s) noexcept {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

/// Views bytes as characters (no copy; valid while `b` lives).
inline std::string_view as_chars(bytes_view b) noexcept {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

/// Copies a view into an owned buffer.
inline bytes to_bytes(bytes_view b) { return bytes(b.begin(), b.end()); }
inline bytes to_bytes(std::string_view s) { return to_bytes(as_bytes(s)); }

/// Appends `b` to `out` (which `b` may point into). Grows and copies in one go: vector::insert
/// from iterators copies byte by byte into a vector whose allocator is not std::allocator
/// (secure_bytes).
template <class Vec>
inline void append(Vec& out, bytes_view b) {
    static_assert(sizeof(typename Vec::value_type) == 1);
    if (b.empty()) return;
    const auto* base = reinterpret_cast<const std::uint8_t*>(out.data());
    const std::size_t at = out.size();
    const bool inside = std::less_equal<>()(base, b.data()) && std::less<>()(b.data(), base + at);
    const std::size_t offset = inside ? static_cast<std::size_t>(b.data() - base) : 0;
    out.resize(at + b.size());
    const auto* from = inside ? reinterpret_cast<const std::uint8_t*>(out.data()) + offset : b.data();
    std::memcpy(out.data() + at, from, b.size());
}

/// Concatenates any number of byte views into one owned buffer.
template <class... V>
inline bytes concat(const V&... parts) {
    bytes out;
    out.reserve((std::size(parts) + ... + 0));
    (append(out, bytes_view(parts)), ...);
    return out;
}

inline bool equal_bytes(bytes_view a, bytes_view b) noexcept {
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

// ---------------------------------------------------------------- hex

/// Lowercase hex of `b`.
inline std::string to_hex(bytes_view b) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s(b.size() * 2, '\0');
    for (std::size_t i = 0; i < b.size(); ++i) {
        s[2 * i] = digits[b[i] >> 4];
        s[2 * i + 1] = digits[b[i] & 0xf];
    }
    return s;
}

namespace detail {
constexpr int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
} // namespace detail

/// Decodes upper- or lowercase hex. Fails with errc::malformed on odd length or a non-hex character.
inline result<bytes> from_hex(std::string_view s) {
    if (s.size() % 2 != 0) return fail(errc::malformed, "hex: odd length");
    bytes out(s.size() / 2);
    for (std::size_t i = 0; i < out.size(); ++i) {
        const int hi = detail::hex_value(s[2 * i]);
        const int lo = detail::hex_value(s[2 * i + 1]);
        if (hi < 0 || lo < 0) return fail(errc::malformed, "hex: bad character");
        out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
    }
    return out;
}

// ---------------------------------------------------------------- base64

enum class base64_alphabet : std::uint8_t { standard, url };

/// Base64 (RFC 4648 §4) or base64url (§5). `pad` adds '=' padding.
inline std::string to_base64(bytes_view b, base64_alphabet a = base64_alphabet::standard, bool pad = true) {
    const char* table = a == base64_alphabet::standard
                            ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
                            : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string s;
    s.reserve((b.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= b.size(); i += 3) {
        const std::uint32_t v = std::uint32_t(b[i]) << 16 | std::uint32_t(b[i + 1]) << 8 | b[i + 2];
        s += table[v >> 18];
        s += table[(v >> 12) & 63];
        s += table[(v >> 6) & 63];
        s += table[v & 63];
    }
    const std::size_t rest = b.size() - i;
    if (rest == 1) {
        const std::uint32_t v = std::uint32_t(b[i]) << 16;
        s += table[v >> 18];
        s += table[(v >> 12) & 63];
        if (pad) s += "==";
    } else if (rest == 2) {
        const std::uint32_t v = std::uint32_t(b[i]) << 16 | std::uint32_t(b[i + 1]) << 8;
        s += table[v >> 18];
        s += table[(v >> 12) & 63];
        s += table[(v >> 6) & 63];
        if (pad) s += '=';
    }
    return s;
}

inline std::string to_base64url(bytes_view b, bool pad = false) { return to_base64(b, base64_alphabet::url, pad); }

/// Decodes base64 in the given alphabet. Padding is optional but, when present, must be
/// correct; non-zero trailing bits and characters outside the alphabet are errc::malformed
/// (so every accepted string has exactly one decoding).
inline result<bytes> from_base64(std::string_view s, base64_alphabet a = base64_alphabet::standard) {
    // Each character's value without a branch or table lookup on it (base64 often carries
    // credentials, e.g. Privacy Pass tokens): masks select the range it falls in; -1 if none.
    const int c62 = a == base64_alphabet::standard ? '+' : '-', c63 = a == base64_alphabet::standard ? '/' : '_';
    auto value = [c62, c63](char ch) noexcept -> int {
        const int c = static_cast<unsigned char>(ch);
        auto in = [c](int lo, int hi) noexcept { return ((lo - 1 - c) & (c - hi - 1)) >> 8; };  // -1 if lo <= c <= hi, else 0
        return ((in('A', 'Z') & (c - 'A' + 1)) | (in('a', 'z') & (c - 'a' + 27)) | (in('0', '9') & (c - '0' + 53)) |
                (in(c62, c62) & 63) | (in(c63, c63) & 64)) -
               1;
    };
    std::size_t n = s.size();
    if (n % 4 == 0 && n >= 1 && s[n - 1] == '=') {
        --n;
        if (s[n - 1] == '=') --n;
    }
    if (n % 4 == 1) return fail(errc::malformed, "base64: bad length");
    if (s.size() != n && s.size() % 4 != 0) return fail(errc::malformed, "base64: bad padding");
    bytes out(n / 4 * 3 + (n % 4 == 0 ? 0 : n % 4 - 1));
    int bad = 0;
    std::size_t i = 0, o = 0;
    for (; i + 4 <= n; i += 4, o += 3) {
        const int v0 = value(s[i]), v1 = value(s[i + 1]), v2 = value(s[i + 2]), v3 = value(s[i + 3]);
        bad |= v0 | v1 | v2 | v3;
        const std::uint32_t v = std::uint32_t(v0 & 63) << 18 | std::uint32_t(v1 & 63) << 12 | std::uint32_t(v2 & 63) << 6 | std::uint32_t(v3 & 63);
        out[o] = static_cast<std::uint8_t>(v >> 16);
        out[o + 1] = static_cast<std::uint8_t>(v >> 8);
        out[o + 2] = static_cast<std::uint8_t>(v);
    }
    if (n - i >= 2) {
        // 2 characters carry 1 byte (4 spare bits), 3 carry 2 (2 spare bits); spare bits must be 0.
        const int v0 = value(s[i]), v1 = value(s[i + 1]), v2 = n - i == 3 ? value(s[i + 2]) : 0;
        bad |= v0 | v1 | v2;
        const std::uint32_t v = std::uint32_t(v0 & 63) << 18 | std::uint32_t(v1 & 63) << 12 | std::uint32_t(v2 & 63) << 6;
        out[o] = static_cast<std::uint8_t>(v >> 16);
        if (n - i == 3) out[o + 1] = static_cast<std::uint8_t>(v >> 8);
        if (bad >= 0 && (n - i == 3 ? (v & 0xff) : (v & 0xffff)) != 0) return fail(errc::malformed, "base64: non-zero trailing bits");
    }
    if (bad < 0) return fail(errc::malformed, "base64: bad character");
    return out;
}

inline result<bytes> from_base64url(std::string_view s) { return from_base64(s, base64_alphabet::url); }

} // namespace ppx
