// ppx/core/writer.hpp: serialisation into a caller's buffer or a growable vector.
//
// Both writers share one set of encoders (big-endian integers, QUIC varints, length-
// prefixed vectors). Errors are sticky: after the first failure (buffer full, value out of
// range) further writes are ignored and status() reports the first error, so a serialiser
// writes straight down and checks once at the end.
#pragma once

#include <ppx/core/bytes.hpp>
#include <ppx/core/reader.hpp>

namespace ppx {

template <class Derived>
class writer_ops {
public:
    void u8(std::uint8_t v) { uint_n(v, 1); }
    void u16(std::uint16_t v) { uint_n(v, 2); }
    void u24(std::uint32_t v) {
        if (v >> 24) return set_error(errc::misuse, "writer: u24 out of range");
        uint_n(v, 3);
    }
    void u32(std::uint32_t v) { uint_n(v, 4); }
    void u64(std::uint64_t v) { uint_n(v, 8); }

    /// Minimal QUIC varint (RFC 9000 §16); values above max_varint are errc::misuse.
    void varint(std::uint64_t v) {
        if (v > max_varint) return set_error(errc::misuse, "writer: varint out of range");
        const std::size_t len = varint_size(v);
        const std::uint64_t prefix = len == 1 ? 0 : len == 2 ? 1 : len == 4 ? 2 : 3;
        std::uint8_t buf[8];
        for (std::size_t i = 0; i < len; ++i) buf[len - 1 - i] = static_cast<std::uint8_t>(v >> (8 * i));
        buf[0] |= static_cast<std::uint8_t>(prefix << 6);
        self().put(bytes_view(buf, len));
    }

    void bytes(bytes_view b) { self().put(b); }

    /// An L-byte length prefix then b; a b longer than the prefix can express is errc::misuse.
    template <std::size_t L>
    void prefixed(bytes_view b) {
        static_assert(L >= 1 && L <= 4);
        if (L < 4 && b.size() >> (8 * L)) return set_error(errc::misuse, "writer: vector too long for its prefix");
        if (L == 4 && b.size() > 0xffffffffu) return set_error(errc::misuse, "writer: vector too long for its prefix");
        uint_n(b.size(), L);
        self().put(b);
    }
    void vec8(bytes_view b) { prefixed<1>(b); }
    void vec16(bytes_view b) { prefixed<2>(b); }
    void varint_prefixed(bytes_view b) {
        varint(b.size());
        self().put(b);
    }

    bool good() const noexcept { return ok_; }
    /// ok() or the first error.
    result<void> status() const noexcept {
        if (!ok_) return unexpected(err_);
        return ok();
    }

protected:
    void set_error(errc c, const char* what) noexcept {
        if (ok_) {
            ok_ = false;
            err_ = error{c, what};
        }
    }

private:
    Derived& self() noexcept { return static_cast<Derived&>(*this); }
    void uint_n(std::uint64_t v, std::size_t n) {
        std::uint8_t buf[8];
        for (std::size_t i = 0; i < n; ++i) buf[n - 1 - i] = static_cast<std::uint8_t>(v >> (8 * i));
        self().put(bytes_view(buf, n));
    }

    bool ok_ = true;
    error err_{};
};

/// Writes into a fixed caller-supplied buffer; never allocates. Writing past the end sets
/// errc::buffer_too_small and writes nothing of the value that did not fit.
class span_writer : public writer_ops<span_writer> {
public:
    explicit span_writer(mutable_bytes out) noexcept : out_(out) {}

    void put(bytes_view b) noexcept {
        if (!good()) return;
        if (out_.size() - pos_ < b.size()) return set_error(errc::buffer_too_small, "writer: output buffer too small");
        if (!b.empty()) std::memcpy(out_.data() + pos_, b.data(), b.size());
        pos_ += b.size();
    }
    /// Reserves n bytes to be filled in place (for example by an AEAD); empty span on overflow.
    mutable_bytes claim(std::size_t n) noexcept {
        if (!good()) return {};
        if (out_.size() - pos_ < n) {
            set_error(errc::buffer_too_small, "writer: output buffer too small");
            return {};
        }
        auto s = out_.subspan(pos_, n);
        pos_ += n;
        return s;
    }

    std::size_t size() const noexcept { return pos_; }
    /// The number of bytes written, or the first error.
    result<std::size_t> finish() const noexcept {
        if (!good()) return unexpected(status().error());
        return pos_;
    }

private:
    mutable_bytes out_;
    std::size_t pos_ = 0;
};

/// Appends to a growable vector (ppx::bytes or secure_bytes).
template <class Vec = ppx::bytes>
class basic_vector_writer : public writer_ops<basic_vector_writer<Vec>> {
public:
    basic_vector_writer() = default;
    explicit basic_vector_writer(std::size_t reserve) { out_.reserve(reserve); }

    void put(bytes_view b) {
        if (this->good()) out_.insert(out_.end(), b.begin(), b.end());
    }
    const Vec& data() const noexcept { return out_; }
    /// The bytes written, or the first error.
    result<Vec> finish() && {
        if (!this->good()) return unexpected(this->status().error());
        return std::move(out_);
    }

private:
    Vec out_;
};

using writer = basic_vector_writer<ppx::bytes>;

} // namespace ppx
