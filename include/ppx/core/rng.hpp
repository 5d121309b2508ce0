// ppx/core/rng.hpp: injectable randomness.
//
// Every ppx operation that needs randomness takes an `rng&`, so tests and published
// examples are reproducible. The default is the operating system's CSPRNG (through
// libsodium's randombytes_buf, which uses getrandom(2)).
#pragma once

#include <ppx/core/bytes.hpp>
#include <ppx/core/secret.hpp>
#include <ppx/detail/sodium.hpp>

#include <cstring>

namespace ppx {

/// A source of random bytes. Implementations must be safe to call from the thread that owns them.
class rng {
public:
    virtual ~rng() = default;
    /// Fills `out` entirely, or fails (errc::internal) leaving nothing usable.
    [[nodiscard]] virtual result<void> fill(mutable_bytes out) noexcept = 0;
};

/// The operating system's CSPRNG. Stateless and thread-safe.
class os_rng final : public rng {
public:
    result<void> fill(mutable_bytes out) noexcept override {
        if (!detail::sodium_ready()) return fail(errc::internal, "rng: libsodium unavailable");
        if (!out.empty()) randombytes_buf(out.data(), out.size());
        return ok();
    }
};

/// The process-wide OS CSPRNG instance.
inline rng& system_rng() noexcept {
    static os_rng r;
    return r;
}

/// Deterministic stream for tests and reproducible examples: ChaCha20 keyed by a 32-byte
/// seed (libsodium's randombytes_buf_deterministic), advanced by a counter per call.
/// Never use it for real keys.
class deterministic_rng final : public rng {
public:
    explicit deterministic_rng(std::uint64_t seed = 0) noexcept {
        std::memset(seed_, 0, sizeof seed_);
        for (int i = 0; i < 8; ++i) seed_[i] = static_cast<std::uint8_t>(seed >> (8 * i));
    }
    ~deterministic_rng() override { sodium_memzero(seed_, sizeof seed_); }

    result<void> fill(mutable_bytes out) noexcept override {
        if (!detail::sodium_ready()) return fail(errc::internal, "rng: libsodium unavailable");
        ++counter_;
        for (int i = 0; i < 8; ++i) seed_[24 + i] = static_cast<std::uint8_t>(counter_ >> (8 * i));
        if (!out.empty()) randombytes_buf_deterministic(out.data(), out.size(), seed_);
        return ok();
    }

private:
    std::uint8_t seed_[randombytes_SEEDBYTES];
    std::uint64_t counter_ = 0;
};

/// Replays fixed bytes, in order, then fails: how tests pin an ephemeral key or a nonce
/// from a published vector. A request that the remaining bytes cannot fill fails with
/// errc::misuse and consumes nothing.
class fixed_rng final : public rng {
public:
    fixed_rng() = default;
    explicit fixed_rng(bytes_view data) : data_(data.begin(), data.end()) {}
    /// Queues more bytes after those already held.
    void push(bytes_view more) { data_.insert(data_.end(), more.begin(), more.end()); }
    std::size_t remaining() const noexcept { return data_.size() - pos_; }

    result<void> fill(mutable_bytes out) noexcept override {
        if (remaining() < out.size()) return fail(errc::misuse, "fixed_rng: exhausted");
        if (!out.empty()) std::memcpy(out.data(), data_.data() + pos_, out.size());
        pos_ += out.size();
        return ok();
    }

private:
    secure_bytes data_;
    std::size_t pos_ = 0;
};

} // namespace ppx
