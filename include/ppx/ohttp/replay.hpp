// ppx/ohttp/replay.hpp: optional anti-replay for a gateway (RFC 9458 §6.5.1).
//
// OHTTP has no replay protection of its own (RFC 9458 §6.5; docs/ohttp.md). This helper is
// the mechanism §6.5.1 describes: clients put a Date header field inside the encapsulated
// request; the gateway accepts only dates within a window around its clock and remembers the
// `enc` of every request it accepted while that request could still be replayed. Sans-IO:
// the caller passes the date and the current time. Safe to share between threads.
#pragma once

#include <ppx/crypto/hash.hpp>
#include <ppx/ohttp/common.hpp>

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string_view>

namespace ppx::ohttp {

/// Parses an IMF-fixdate (RFC 9110 §5.6.7), e.g. "Sun, 06 Nov 1994 08:49:37 GMT", into
/// seconds since the Unix epoch. The obsolete RFC 850 and asctime forms are refused.
/// errc::malformed for anything else (including an impossible date).
inline result<std::int64_t> parse_http_date(std::string_view s) noexcept {
    static constexpr std::string_view days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    static constexpr std::string_view months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (s.size() != 29 || s.substr(3, 2) != ", " || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' || s[19] != ':' ||
        s[22] != ':' || s.substr(25) != " GMT")
        return fail(errc::malformed, "ohttp: not an IMF-fixdate");
    auto num = [&](std::size_t at, std::size_t n) -> int {
        int v = 0;
        for (std::size_t i = at; i < at + n; ++i) {
            if (s[i] < '0' || s[i] > '9') return -1;
            v = v * 10 + (s[i] - '0');
        }
        return v;
    };
    int weekday = -1, month = -1;
    for (int i = 0; i < 7; ++i)
        if (s.substr(0, 3) == days[i]) weekday = i;
    for (int i = 0; i < 12; ++i)
        if (s.substr(8, 3) == months[i]) month = i + 1;
    const int day = num(5, 2), year = num(12, 4), hh = num(17, 2), mm = num(20, 2), ss = num(23, 2);
    if (weekday < 0 || month < 0 || day < 1 || year < 0 || hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60)
        return fail(errc::malformed, "ohttp: not an IMF-fixdate");
    static constexpr int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (day > mdays[month - 1] || (month == 2 && day == 29 && !leap)) return fail(errc::malformed, "ohttp: impossible date");
    // Days from 1970-01-01 (H. Hinnant's days_from_civil).
    const int y = year - (month <= 2);
    const int era = y / 400;
    const int yoe = y - era * 400;
    const int doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    const std::int64_t days_since = std::int64_t(era) * 146097 + doe - 719468;
    // 1970-01-01 was a Thursday (index 3 here).
    if (((days_since % 7) + 7 + 3) % 7 != weekday) return fail(errc::malformed, "ohttp: day name does not match the date");
    return days_since * 86400 + hh * 3600 + mm * 60 + ss;
}

/// The anti-replay state of a gateway (RFC 9458 §6.5.1).
class replay_window {
public:
    /// Accepts request dates within `window_seconds` of the gateway's clock (either side) and
    /// remembers at most `max_entries` requests (further requests fail closed).
    explicit replay_window(std::int64_t window_seconds = 60, std::size_t max_entries = 1 << 20) noexcept
        : window_(window_seconds), max_(max_entries) {}

    /// Checks one decapsulated request: `enc` is its encapsulated key (the Nenc bytes after
    /// the 7-byte header; gateway_context::enc()), `date` its Date header field in seconds
    /// (parse_http_date), `now` the gateway's clock. Records it on success. Errors:
    /// errc::policy for a date outside the window (answer 400 with date_problem_type,
    /// RFC 9458 §6.5.2); errc::replayed for an `enc` already accepted; errc::limit_exceeded
    /// when the window holds max_entries requests.
    result<void> check(bytes_view enc, std::int64_t date, std::int64_t now) {
        // RFC 9458 §6.5.1: reject dates outside the current window.
        if (date < now - window_ || date > now + window_) return fail(errc::policy, "ohttp: Date outside the accepted window");
        const key k = crypto::digest<crypto::sha256>(enc);
        std::lock_guard lock(mu_);
        // A request whose date left the window can no longer be replayed: forget it.
        while (!by_expiry_.empty() && by_expiry_.begin()->first < now) {
            seen_.erase(by_expiry_.begin()->second);
            by_expiry_.erase(by_expiry_.begin());
        }
        if (seen_.count(k)) return fail(errc::replayed, "ohttp: replayed request");
        if (seen_.size() >= max_) return fail(errc::limit_exceeded, "ohttp: replay window full");
        seen_.insert(k);
        by_expiry_.emplace(date + window_, k);
        return ok();
    }

    /// Requests currently remembered.
    std::size_t size() const {
        std::lock_guard lock(mu_);
        return seen_.size();
    }

private:
    using key = crypto::digest_t<crypto::sha256>;
    std::int64_t window_;
    std::size_t max_;
    mutable std::mutex mu_;
    std::set<key> seen_;
    std::multimap<std::int64_t, key> by_expiry_;
};

} // namespace ppx::ohttp
