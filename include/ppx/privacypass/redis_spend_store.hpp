// ppx/privacypass/redis_spend_store.hpp: a spend_store shared through Redis.
//
// REQUIRES hiredis (Debian libhiredis-dev; link -lhiredis). This header is not included by
// <ppx/privacypass.hpp>, so the rest of the library does not depend on it.
//
// Each insert is one `SET ppx:pp:spent:<hex key> 1 NX EX <ttl>` (Redis executes commands
// atomically, and NX makes only the first SET of a key succeed, across every connection and
// replica), with ttl = expires_at - now so that entries vanish with the token key.
#pragma once

#include <ppx/privacypass/spend_store.hpp>

#include <hiredis/hiredis.h>

#include <charconv>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

namespace ppx::privacypass {

/// A Redis server address parsed from `redis://HOST:PORT[/DB]` (IPv6 hosts in brackets).
struct redis_address {
    std::string host;
    int port = 6379;
    int db = 0;

    /// Parses the URL; fails with errc::malformed on another scheme, a missing host, a bad
    /// port or database number, or userinfo (ppx does not send credentials).
    static result<redis_address> parse(std::string_view url) {
        constexpr std::string_view scheme = "redis://";
        if (url.substr(0, scheme.size()) != scheme) return fail(errc::malformed, "redis: URL must start with redis://");
        url.remove_prefix(scheme.size());
        redis_address a;
        std::string_view hostport = url.substr(0, url.find('/'));
        std::string_view path = hostport.size() < url.size() ? url.substr(hostport.size() + 1) : std::string_view{};
        if (hostport.find('@') != std::string_view::npos) return fail(errc::malformed, "redis: credentials in URL not supported");
        std::string_view port;
        if (!hostport.empty() && hostport[0] == '[') {
            const auto close = hostport.find(']');
            if (close == std::string_view::npos) return fail(errc::malformed, "redis: bad IPv6 host");
            a.host.assign(hostport.substr(1, close - 1));
            auto rest = hostport.substr(close + 1);
            if (!rest.empty()) {
                if (rest[0] != ':') return fail(errc::malformed, "redis: bad host");
                port = rest.substr(1);
            }
        } else {
            const auto colon = hostport.rfind(':');
            a.host.assign(hostport.substr(0, colon));
            if (colon != std::string_view::npos) port = hostport.substr(colon + 1);
        }
        if (a.host.empty()) return fail(errc::malformed, "redis: missing host");
        auto number = [](std::string_view s, int lo, int hi, int& out) {
            int v = 0;
            auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
            if (ec != std::errc() || p != s.data() + s.size() || v < lo || v > hi) return false;
            out = v;
            return true;
        };
        if (!port.empty() && !number(port, 1, 65535, a.port)) return fail(errc::malformed, "redis: bad port");
        if (!path.empty() && !number(path, 0, 1 << 20, a.db)) return fail(errc::malformed, "redis: bad database number");
        return a;
    }
};

/// A spend_store on one Redis connection, guarded by a mutex (hiredis contexts are not
/// thread-safe). A broken connection is reopened on the next insert; an insert that meets a
/// network or server error fails with errc::internal (callers refuse the token: fail closed).
class redis_spend_store final : public spend_store {
public:
    /// Connects to `url` (see redis_address) with the given connect and command timeout.
    /// Fails with errc::malformed for a bad URL, errc::internal when the server is unreachable.
    static result<std::unique_ptr<redis_spend_store>> connect(std::string_view url,
                                                              std::chrono::milliseconds timeout = std::chrono::seconds(2)) {
        PPX_TRY_ASSIGN(auto addr, redis_address::parse(url));
        std::unique_ptr<redis_spend_store> s(new redis_spend_store(std::move(addr), timeout));
        std::lock_guard<std::mutex> lock(s->mu_);
        PPX_TRY(s->ensure_connected());
        return s;
    }

    result<void> insert(const spend_key& key, std::uint64_t now, std::uint64_t expires_at) override {
        if (expires_at <= now) return fail(errc::policy, "privacypass: token key expired");
        const std::string k = "ppx:pp:spent:" + to_hex(key.view());
        const std::string ttl = std::to_string(expires_at - now);
        std::lock_guard<std::mutex> lock(mu_);
        PPX_TRY(ensure_connected());
        const char* argv[] = {"SET", k.c_str(), "1", "NX", "EX", ttl.c_str()};
        const std::size_t lens[] = {3, k.size(), 1, 2, 2, ttl.size()};
        auto* reply = static_cast<redisReply*>(redisCommandArgv(ctx_.get(), 6, argv, lens));
        if (!reply) {
            ctx_.reset();  // the connection is unusable after an I/O error
            return fail(errc::internal, "redis: command failed");
        }
        std::unique_ptr<redisReply, void (*)(void*)> guard(reply, freeReplyObject);
        if (reply->type == REDIS_REPLY_NIL) return fail(errc::replayed, "privacypass: token already redeemed");
        if (reply->type == REDIS_REPLY_STATUS && std::string_view(reply->str, reply->len) == "OK") return ok();
        return fail(errc::internal, "redis: unexpected reply to SET NX");
    }

private:
    redis_spend_store(redis_address a, std::chrono::milliseconds t) : addr_(std::move(a)), timeout_(t) {}

    result<void> ensure_connected() {
        if (ctx_) return ok();
        timeval tv{};
        tv.tv_sec = static_cast<long>(timeout_.count() / 1000);
        tv.tv_usec = static_cast<long>((timeout_.count() % 1000) * 1000);
        ctx_ptr c(redisConnectWithTimeout(addr_.host.c_str(), addr_.port, tv), redisFree);
        if (!c || c->err) return fail(errc::internal, "redis: cannot connect");
        if (redisSetTimeout(c.get(), tv) != REDIS_OK) return fail(errc::internal, "redis: cannot set timeout");
        if (addr_.db != 0) {
            const std::string db = std::to_string(addr_.db);
            const char* argv[] = {"SELECT", db.c_str()};
            const std::size_t lens[] = {6, db.size()};
            auto* r = static_cast<redisReply*>(redisCommandArgv(c.get(), 2, argv, lens));
            if (!r) return fail(errc::internal, "redis: SELECT failed");
            const bool good = r->type == REDIS_REPLY_STATUS;
            freeReplyObject(r);
            if (!good) return fail(errc::internal, "redis: SELECT refused");
        }
        ctx_ = std::move(c);
        return ok();
    }

    using ctx_ptr = std::unique_ptr<redisContext, void (*)(redisContext*)>;
    redis_address addr_;
    std::chrono::milliseconds timeout_;
    std::mutex mu_;
    ctx_ptr ctx_{nullptr, redisFree};
};

} // namespace ppx::privacypass
