// ppx/core/secret.hpp: containers that wipe secret bytes.
//
// - secure_bytes: a std::vector whose allocator cleanses memory before freeing it, for
//   variable-length secrets (private keys of several sizes, PSKs, plaintexts).
// - secret<N, Tag>: a fixed-size secret held inline, wiped on destruction and when moved
//   from. Tag gives each role its own type, so a seed cannot be passed where a key is
//   expected. There is no implicit conversion to a byte view: call expose().
#pragma once

#include <ppx/core/bytes.hpp>
#include <ppx/core/ct.hpp>

#include <array>
#include <memory>

namespace ppx {

/// std::allocator that cleanses every block before giving it back.
template <class T>
struct zeroizing_allocator {
    using value_type = T;

    zeroizing_allocator() noexcept = default;
    template <class U>
    zeroizing_allocator(const zeroizing_allocator<U>&) noexcept {}

    T* allocate(std::size_t n) { return std::allocator<T>{}.allocate(n); }
    void deallocate(T* p, std::size_t n) noexcept {
        OPENSSL_cleanse(p, n * sizeof(T));
        std::allocator<T>{}.deallocate(p, n);
    }
    template <class U>
    friend bool operator==(const zeroizing_allocator&, const zeroizing_allocator<U>&) noexcept { return true; }
};

/// A byte vector for secrets: its storage is wiped when freed or reallocated.
/// Note clear()/resize() down do not free; the bytes are wiped at destruction.
using secure_bytes = std::vector<std::uint8_t, zeroizing_allocator<std::uint8_t>>;

inline secure_bytes to_secure(bytes_view b) { return secure_bytes(b.begin(), b.end()); }

struct generic_secret_tag {};

/// N secret bytes held inline. Wiped on destruction and on move-from; copying is explicit
/// through clone() so secrets are not duplicated by accident.
template <std::size_t N, class Tag = generic_secret_tag>
class secret {
public:
    static constexpr std::size_t size_bytes = N;

    secret() noexcept { bytes_.fill(0); }
    explicit secret(std::span<const std::uint8_t, N> b) noexcept { std::copy(b.begin(), b.end(), bytes_.begin()); }
    /// Copies from a runtime-sized view; fails unless it holds exactly N bytes.
    static result<secret> from(bytes_view b) noexcept {
        if (b.size() != N) return fail(errc::malformed, "secret: wrong length");
        secret s;
        std::copy(b.begin(), b.end(), s.bytes_.begin());
        return s;
    }

    secret(const secret&) = delete;
    secret& operator=(const secret&) = delete;
    secret(secret&& o) noexcept : bytes_(o.bytes_) { o.clear(); }
    secret& operator=(secret&& o) noexcept {
        if (this != &o) {
            bytes_ = o.bytes_;
            o.clear();
        }
        return *this;
    }
    ~secret() { clear(); }

    secret clone() const noexcept {
        secret s;
        s.bytes_ = bytes_;
        return s;
    }

    std::span<const std::uint8_t, N> expose() const noexcept { return bytes_; }
    std::span<std::uint8_t, N> expose_mut() noexcept { return bytes_; }
    constexpr std::size_t size() const noexcept { return N; }
    void clear() noexcept { OPENSSL_cleanse(bytes_.data(), N); }

    friend bool operator==(const secret& a, const secret& b) noexcept { return ct_equal(a.bytes_, b.bytes_); }

private:
    std::array<std::uint8_t, N> bytes_;
};

/// Wipes a trivially-copyable object (a stack buffer, a hash state) when it leaves scope.
template <class T>
class wipe_on_exit {
public:
    explicit wipe_on_exit(T& t) noexcept : t_(t) {}
    wipe_on_exit(const wipe_on_exit&) = delete;
    wipe_on_exit& operator=(const wipe_on_exit&) = delete;
    ~wipe_on_exit() { OPENSSL_cleanse(&t_, sizeof(T)); }

private:
    T& t_;
};

} // namespace ppx
