// Anti-replay helper (RFC 9458 §6.5.1) and IMF-fixdate parsing (RFC 9110 §5.6.7).
#include <ppx/ohttp.hpp>

#include <catch2/catch.hpp>

#include "support/vectors.hpp"

#include <atomic>
#include <thread>

using namespace ppx;

TEST_CASE("IMF-fixdate parsing", "[ohttp][replay]") {
    CHECK(*ohttp::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == 784111777);  // RFC 9110 §5.6.7's example
    CHECK(*ohttp::parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT") == 0);
    CHECK(*ohttp::parse_http_date("Mon, 07 Feb 2022 00:28:05 GMT") == 1644193685);  // RFC 9458 Figure 7
    CHECK(*ohttp::parse_http_date("Tue, 29 Feb 2028 23:59:59 GMT") == 1835481599);
    for (const char* bad : {"Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "Mon, 06 Nov 1994 08:49:37 GMT",
                            "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Nov 1994 24:00:00 GMT", "Fri, 30 Feb 2024 00:00:00 GMT",
                            "Sun, 06 Xyz 1994 08:49:37 GMT", "Sun, 6 Nov 1994 08:49:37 GMT", "", "Sun, 06 Nov 1994 08:49:3x GMT"})
        CHECK(ohttp::parse_http_date(bad).error() == errc::malformed);
}

TEST_CASE("replay_window: replays, the date window, expiry and capacity", "[ohttp][replay]") {
    ohttp::replay_window w(60, 3);
    const bytes a(32, 1), b(32, 2), c(32, 3), d(32, 4);
    const std::int64_t now = 1'700'000'000;
    REQUIRE(w.check(a, now, now));
    CHECK(w.check(a, now, now).error() == errc::replayed);
    CHECK(w.check(a, now - 30, now + 10).error() == errc::replayed);
    CHECK(w.check(b, now - 61, now).error() == errc::policy);
    CHECK(w.check(b, now + 61, now).error() == errc::policy);
    CHECK(ohttp::to_http_error(w.check(b, now + 61, now).error()).problem_type == ohttp::date_problem_type);
    REQUIRE(w.check(b, now + 60, now));
    REQUIRE(w.check(c, now - 60, now));
    CHECK(w.check(d, now, now).error() == errc::limit_exceeded);  // fail closed when full
    // Once a's date leaves the window it is forgotten, and its replay fails the date check.
    CHECK(w.check(a, now, now + 61).error() == errc::policy);
    REQUIRE(w.check(d, now + 61, now + 61));  // c and a expired, freeing room
    CHECK(w.size() == 2);
}

TEST_CASE("replay_window with a gateway: a replayed request is caught", "[ohttp][replay]") {
    auto j = ppx::test::load_json("ohttp/rfc9458-appendix-a.json");
    auto cfg = *ohttp::key_config::parse(ppx::test::unhex(j["key_config"]));
    std::vector<ohttp::gateway_key> keys;
    keys.push_back({cfg, *hpke::private_key::from_bytes(hpke::kem_id::x25519_sha256, ppx::test::unhex(j["server_private_key"]))});
    auto g = *ohttp::gateway::make(std::move(keys));
    auto c = *ohttp::client::make(cfg);
    ohttp::replay_window w;
    const std::int64_t now = *ohttp::parse_http_date("Mon, 07 Feb 2022 00:28:05 GMT");
    auto req = *c.encapsulate(as_bytes("request"));
    auto first = *g.decapsulate(req.message);
    CHECK(to_hex(first.context.enc()) == to_hex(bytes_view(req.message).subspan(7, 32)));
    REQUIRE(w.check(first.context.enc(), now, now));
    auto again = *g.decapsulate(req.message);  // the relay replays the same bytes
    CHECK(w.check(again.context.enc(), now, now + 1).error() == errc::replayed);
    // Threads racing on the same enc: exactly one wins.
    ohttp::replay_window shared;
    std::atomic<int> wins{0};
    std::vector<std::thread> ts;
    const bytes enc(32, 9);
    for (int t = 0; t < 4; ++t)
        ts.emplace_back([&] {
            if (shared.check(enc, now, now)) ++wins;
        });
    for (auto& t : ts) t.join();
    CHECK(wins == 1);
}
