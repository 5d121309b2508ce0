// ppx/core/reader.hpp: a bounds-checked cursor for parsing wire formats.
//
// Every read either returns the value and advances, or returns errc::malformed and leaves
// the cursor where it was, so a parser can try alternatives. Integers are big-endian
// (network order). Views returned by bytes() point into the reader's input.
#pragma once

#include <ppx/core/bytes.hpp>

namespace ppx {

/// Largest value a QUIC variable-length integer can carry (RFC 9000 §16).
inline constexpr std::uint64_t max_varint = (std::uint64_t{1} << 62) - 1;

class reader {
public:
    constexpr reader() noexcept = default;
    constexpr explicit reader(bytes_view in) noexcept : in_(in) {}

    constexpr std::size_t remaining() const noexcept { return in_.size() - pos_; }
    constexpr bool empty() const noexcept { return remaining() == 0; }
    constexpr std::size_t position() const noexcept { return pos_; }
    /// The bytes not yet consumed.
    constexpr bytes_view rest() const noexcept { return in_.subspan(pos_); }

    result<std::uint8_t> u8() noexcept { return uint_n<std::uint8_t>(1); }
    result<std::uint16_t> u16() noexcept { return uint_n<std::uint16_t>(2); }
    result<std::uint32_t> u24() noexcept { return uint_n<std::uint32_t>(3); }
    result<std::uint32_t> u32() noexcept { return uint_n<std::uint32_t>(4); }
    result<std::uint64_t> u64() noexcept { return uint_n<std::uint64_t>(8); }

    /// A QUIC variable-length integer (RFC 9000 §16). Non-minimal encodings are accepted,
    /// as RFC 9292 §3 allows; see varint_minimal() to refuse them.
    result<std::uint64_t> varint() noexcept {
        if (empty()) return fail(errc::malformed, "reader: truncated varint");
        const std::size_t len = std::size_t{1} << (in_[pos_] >> 6);
        if (remaining() < len) return fail(errc::malformed, "reader: truncated varint");
        std::uint64_t v = in_[pos_] & 0x3f;
        for (std::size_t i = 1; i < len; ++i) v = v << 8 | in_[pos_ + i];
        pos_ += len;
        return v;
    }

    /// Reads exactly n bytes.
    result<bytes_view> bytes(std::size_t n) noexcept {
        if (remaining() < n) return fail(errc::malformed, "reader: truncated");
        auto v = in_.subspan(pos_, n);
        pos_ += n;
        return v;
    }

    /// Reads a vector with an L-byte big-endian length prefix (L = 1, 2, 3 or 4; TLS style).
    template <std::size_t L>
    result<bytes_view> prefixed() noexcept {
        static_assert(L >= 1 && L <= 4);
        const std::size_t start = pos_;
        auto n = uint_n<std::uint32_t>(L);
        if (!n) return unexpected(n.error());
        auto v = bytes(*n);
        if (!v) pos_ = start;
        return v;
    }
    result<bytes_view> vec8() noexcept { return prefixed<1>(); }
    result<bytes_view> vec16() noexcept { return prefixed<2>(); }

    /// Reads a vector with a varint length prefix (RFC 9292 style).
    result<bytes_view> varint_prefixed() noexcept {
        const std::size_t start = pos_;
        auto n = varint();
        if (!n) return unexpected(n.error());
        if (*n > remaining()) {
            pos_ = start;
            return fail(errc::malformed, "reader: truncated");
        }
        return bytes(static_cast<std::size_t>(*n));
    }

    /// Skips n bytes.
    result<void> skip(std::size_t n) noexcept {
        if (remaining() < n) return fail(errc::malformed, "reader: truncated");
        pos_ += n;
        return ok();
    }

    /// Succeeds only if every byte was consumed.
    result<void> expect_end() const noexcept {
        if (!empty()) return fail(errc::malformed, "reader: trailing bytes");
        return ok();
    }

private:
    template <class T>
    result<T> uint_n(std::size_t n) noexcept {
        if (remaining() < n) return fail(errc::malformed, "reader: truncated integer");
        T v = 0;
        for (std::size_t i = 0; i < n; ++i) v = static_cast<T>(v << 8 | in_[pos_ + i]);
        pos_ += n;
        return v;
    }

    bytes_view in_{};
    std::size_t pos_ = 0;
};

/// Bytes needed to encode v as a minimal QUIC varint (v must be <= max_varint).
constexpr std::size_t varint_size(std::uint64_t v) noexcept {
    return v < 64 ? 1 : v < 16384 ? 2 : v < (std::uint64_t{1} << 30) ? 4 : 8;
}

} // namespace ppx
