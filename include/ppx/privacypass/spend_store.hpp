// ppx/privacypass/spend_store.hpp: double-spend prevention for redeemed tokens.
//
// RFC 9577 §2.2.1: origins SHOULD prevent a token with the same nonce from being redeemed
// twice; RFC 9577 §2.1.1.2 and RFC 9576 §3.6: that state is scoped by the issuer key and the
// redemption context, and only has to live until the token key expires (after which no token
// of that key verifies). A spend_store records one (token type, token_key_id,
// redemption_context, nonce) tuple atomically; the first insert wins, every later one is
// errc::replayed. Entries expire at the time the caller gives (the key's expiry).
//
// memory_spend_store is the in-process default; redis_spend_store.hpp shares the state across
// replicas. The library never reads the clock: callers pass `now` (UNIX seconds).
#pragma once

#include <ppx/core/bytes.hpp>
#include <ppx/core/result.hpp>
#include <ppx/privacypass/token.hpp>

#include <array>
#include <cstring>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ppx::privacypass {

/// What identifies one redemption: RFC 9577 §2.2's nonce, scoped to the token type, the issuer
/// key (token_key_id) and the redemption context of the challenge (empty or 32 bytes).
struct spend_key {
    /// type(2) || key_id(32) || len(1) || context(0 or 32) || nonce(32)
    static constexpr std::size_t max_size = 2 + nid + 1 + redemption_context_size + nonce_size;

    std::array<std::uint8_t, max_size> bytes_{};
    std::size_t size_ = 0;

    /// Builds the key of `t` redeemed under a challenge with `redemption_context`. Fails with
    /// errc::malformed if the context is neither empty nor 32 bytes.
    static result<spend_key> of(const token& t, bytes_view redemption_context) noexcept {
        if (!redemption_context.empty() && redemption_context.size() != redemption_context_size)
            return fail(errc::malformed, "privacypass: redemption_context must be 0 or 32 bytes");
        spend_key k;
        std::uint8_t* p = k.bytes_.data();
        *p++ = static_cast<std::uint8_t>(t.token_type >> 8);
        *p++ = static_cast<std::uint8_t>(t.token_type);
        std::memcpy(p, t.token_key_id.data(), nid);
        p += nid;
        *p++ = static_cast<std::uint8_t>(redemption_context.size());
        if (!redemption_context.empty()) std::memcpy(p, redemption_context.data(), redemption_context.size());
        p += redemption_context.size();
        std::memcpy(p, t.nonce.data(), nonce_size);
        p += nonce_size;
        k.size_ = static_cast<std::size_t>(p - k.bytes_.data());
        return k;
    }

    bytes_view view() const noexcept { return bytes_view(bytes_.data(), size_); }
};

/// Records spent tokens. Implementations must make insert() atomic across every thread (and,
/// for shared stores, every process) using the same store.
class spend_store {
public:
    virtual ~spend_store() = default;

    /// Records `key` as spent until `expires_at` (UNIX seconds; normally the expiry of the token
    /// key). Returns ok() when this call is the first to record it, errc::replayed when it was
    /// already recorded and has not expired, errc::policy when expires_at <= now (the key has
    /// expired, so the token must be refused anyway), errc::limit_exceeded when the store is
    /// full, errc::internal when the backend failed. Any failure means: refuse the token.
    [[nodiscard]] virtual result<void> insert(const spend_key& key, std::uint64_t now, std::uint64_t expires_at) = 0;
};

/// An in-process store, safe under concurrency: 16 mutex-guarded shards of hash maps.
/// Expired entries are swept from a shard when it grows past twice its size at the last sweep.
class memory_spend_store final : public spend_store {
public:
    /// `max_entries` bounds memory: beyond it insert() fails with errc::limit_exceeded.
    explicit memory_spend_store(std::size_t max_entries = std::size_t{1} << 24) : max_per_shard_(max_entries / shards + 1) {}

    result<void> insert(const spend_key& key, std::uint64_t now, std::uint64_t expires_at) override {
        if (expires_at <= now) return fail(errc::policy, "privacypass: token key expired");
        const std::string k(as_chars(key.view()));
        shard& s = shards_[std::hash<std::string>{}(k) % shards];
        std::lock_guard<std::mutex> lock(s.mu);
        auto it = s.map.find(k);
        if (it != s.map.end()) {
            if (it->second > now) return fail(errc::replayed, "privacypass: token already redeemed");
            it->second = expires_at;  // the earlier entry expired: this is a new redemption
            return ok();
        }
        if (s.map.size() >= 2 * s.swept_size + 1024) sweep(s, now);
        if (s.map.size() >= max_per_shard_) return fail(errc::limit_exceeded, "privacypass: spend store full");
        s.map.emplace(k, expires_at);
        return ok();
    }

    /// Number of entries held (expired ones included until swept).
    std::size_t size() const {
        std::size_t n = 0;
        for (auto& s : shards_) {
            std::lock_guard<std::mutex> lock(s.mu);
            n += s.map.size();
        }
        return n;
    }

    /// Drops every entry that has expired at `now`.
    void sweep(std::uint64_t now) {
        for (auto& s : shards_) {
            std::lock_guard<std::mutex> lock(s.mu);
            sweep(s, now);
        }
    }

private:
    static constexpr std::size_t shards = 16;
    struct shard {
        mutable std::mutex mu;
        std::unordered_map<std::string, std::uint64_t> map;
        std::size_t swept_size = 0;
    };
    static void sweep(shard& s, std::uint64_t now) {
        for (auto it = s.map.begin(); it != s.map.end();) it = it->second <= now ? s.map.erase(it) : std::next(it);
        s.swept_size = s.map.size();
    }

    std::size_t max_per_shard_;
    std::array<shard, shards> shards_;
};

} // namespace ppx::privacypass
