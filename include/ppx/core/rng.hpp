// ppx/core/rng.hpp: injectable randomness.
//
// Every ppx operation that needs randomness takes an `rng&`, so tests and published
// examples are reproducible. The default, system_rng(), is a per-thread userspace CSPRNG
// (ChaCha20 with fast key erasure) seeded from the operating system and reseeded after a
// fork and periodically, so drawing a nonce costs no system call. os_rng asks the kernel on
// every call.
#pragma once

#include <ppx/core/bytes.hpp>
#include <ppx/core/secret.hpp>
#include <ppx/detail/sodium.hpp>

#include <sys/mman.h>
#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
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

namespace detail {

/// Bumped in the child of every fork() (pthread_atfork): a thread_rng state seeded under an
/// older generation reseeds before its next output. Backs up MADV_WIPEONFORK (below).
inline std::atomic<std::uint64_t>& fork_generation() noexcept {
    static std::atomic<std::uint64_t> g{0};
    return g;
}
inline bool fork_handler_installed() noexcept {
    static const bool ok = pthread_atfork(nullptr, nullptr, [] { fork_generation().fetch_add(1, std::memory_order_relaxed); }) == 0;
    return ok;
}

/// One thread's generator: a ChaCha20 key and a buffer of not-yet-used output, in a page of
/// its own marked MADV_WIPEONFORK, so a forked child finds it zeroed (seeded == 0) and
/// reseeds instead of repeating its parent's output.
struct thread_rng_state {
    static constexpr std::size_t buffer_size = 1024;
    /// Output of one key before the kernel is asked again.
    static constexpr std::uint64_t reseed_bytes = 1u << 20;

    std::uint8_t key[crypto_stream_chacha20_KEYBYTES];
    std::uint8_t buf[buffer_size];
    std::size_t pos;      ///< buf[pos..] is unused output; used bytes are zeroed
    std::uint64_t since;  ///< bytes produced since the last seeding
    std::uint64_t gen;    ///< fork_generation() at seeding
    std::uint32_t seeded; ///< 1 once seeded; MADV_WIPEONFORK clears it in a child

    /// Fast key erasure (D. J. Bernstein, "Fast-key-erasure random-number generators"): one
    /// ChaCha20 stream under the current key yields the next key, then buffer_size bytes of
    /// output; the old key is gone once overwritten.
    void refill() noexcept {
        static constexpr std::uint8_t zero_nonce[crypto_stream_chacha20_NONCEBYTES] = {};
        std::uint8_t block[sizeof key + buffer_size];
        crypto_stream_chacha20(block, sizeof block, zero_nonce, key);
        std::memcpy(key, block, sizeof key);
        std::memcpy(buf, block + sizeof key, buffer_size);
        sodium_memzero(block, sizeof block);
        pos = 0;
    }
    void seed() noexcept {
        randombytes_buf(key, sizeof key);
        since = 0;
        gen = fork_generation().load(std::memory_order_relaxed);
        seeded = 1;
        refill();
    }
    void fill(std::uint8_t* out, std::size_t n) noexcept {
        if (seeded != 1 || gen != fork_generation().load(std::memory_order_relaxed) || since >= reseed_bytes) seed();
        since += n;
        while (n != 0) {
            if (pos == buffer_size) refill();
            const std::size_t take = std::min(n, buffer_size - pos);
            std::memcpy(out, buf + pos, take);
            sodium_memzero(buf + pos, take);
            pos += take;
            out += take;
            n -= take;
        }
    }
};

/// The calling thread's generator state, mapped on first use and wiped and unmapped when the
/// thread exits. Null if the page cannot be mapped.
inline thread_rng_state* this_thread_rng() noexcept {
    struct holder {
        thread_rng_state* s = nullptr;
        holder() noexcept {
            void* p = mmap(nullptr, sizeof(thread_rng_state), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (p == MAP_FAILED) return;
#ifdef MADV_WIPEONFORK
            (void)madvise(p, sizeof(thread_rng_state), MADV_WIPEONFORK);  // else the fork generation alone detects forks
#endif
            s = static_cast<thread_rng_state*>(p);  // zero-filled: seeded == 0
        }
        ~holder() {
            if (!s) return;
            sodium_memzero(s, sizeof *s);
            munmap(s, sizeof *s);
            s = nullptr;  // a later use on this thread (another thread_local's destructor) gets an error, not freed memory
        }
    };
    thread_local holder h;
    return h.s;
}

} // namespace detail

/// A userspace CSPRNG per thread: ChaCha20 with fast key erasure, keyed from the OS
/// (randombytes_buf, i.e. getrandom(2)) on a thread's first use, after every fork()
/// (MADV_WIPEONFORK on the state page, and a pthread_atfork generation), and after every
/// MiB of output. Returned bytes are erased from the generator. Stateless itself and
/// thread-safe: each thread uses its own state.
class thread_rng final : public rng {
public:
    result<void> fill(mutable_bytes out) noexcept override {
        if (!detail::sodium_ready() || !detail::fork_handler_installed()) return fail(errc::internal, "rng: libsodium unavailable");
        detail::thread_rng_state* s = detail::this_thread_rng();
        if (!s) return fail(errc::internal, "rng: cannot map generator state");
        if (!out.empty()) s->fill(out.data(), out.size());
        return ok();
    }
};

/// The process-wide default generator (a thread_rng).
inline rng& system_rng() noexcept {
    static thread_rng r;
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
