// Double-spend stores: atomic first-insert-wins, scoping, expiry, and many threads racing.
#include <ppx/privacypass/spend_store.hpp>
#ifdef PPX_HAVE_HIREDIS
#include <ppx/privacypass/redis_spend_store.hpp>
#endif

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <thread>
#include <vector>

using namespace ppx;
using namespace ppx::privacypass;

namespace {

token sample_token(std::uint8_t seed) {
    token t;
    t.token_type = 0x0002;
    t.nonce.fill(seed);
    t.token_key_id.fill(0x42);
    return t;
}

// Many threads redeem the same token; exactly one may win. `make` gives each thread its store.
template <class MakeStore>
void race_one_token(MakeStore make, std::uint64_t salt) {
    constexpr int threads = 16;
    token t = sample_token(0);
    for (int i = 0; i < 8; ++i) t.nonce[i] = static_cast<std::uint8_t>(salt >> (8 * i));
    const auto key = *spend_key::of(t, {});
    std::atomic<int> wins{0}, replays{0}, other{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> pool;
    for (int i = 0; i < threads; ++i) {
        pool.emplace_back([&, i] {
            spend_store& s = make(i);
            while (!go.load()) std::this_thread::yield();
            auto r = s.insert(key, 1000, 1000 + 3600);
            if (r) ++wins;
            else if (r.error() == errc::replayed) ++replays;
            else ++other;
        });
    }
    go = true;
    for (auto& th : pool) th.join();
    CHECK(wins == 1);
    CHECK(replays == threads - 1);
    CHECK(other == 0);
}

} // namespace

TEST_CASE("memory spend store: first insert wins, scoped by key id and context", "[privacypass][spend]") {
    memory_spend_store s;
    const token t = sample_token(1);
    const auto k = *spend_key::of(t, {});
    CHECK(s.insert(k, 100, 200));
    CHECK(s.insert(k, 150, 200).error() == errc::replayed);
    // Different redemption context, key id, type or nonce: a different spend.
    const bytes ctx(32, 9);
    CHECK(s.insert(*spend_key::of(t, ctx), 150, 200));
    CHECK(s.insert(*spend_key::of(t, ctx), 150, 200).error() == errc::replayed);
    token t2 = t;
    t2.token_key_id[0] ^= 1;
    CHECK(s.insert(*spend_key::of(t2, {}), 150, 200));
    t2 = t;
    t2.token_type = 0x0001;
    CHECK(s.insert(*spend_key::of(t2, {}), 150, 200));
    t2 = t;
    t2.nonce[31] ^= 1;
    CHECK(s.insert(*spend_key::of(t2, {}), 150, 200));
    // Expiry: after the key's expiry the entry is gone; an already expired key is refused.
    CHECK(s.insert(k, 199, 200).error() == errc::replayed);
    CHECK(s.insert(k, 200, 200).error() == errc::policy);
    CHECK(s.insert(k, 201, 300));
    s.sweep(10000);
    CHECK(s.size() == 0);
    CHECK(spend_key::of(t, bytes(31)).error() == errc::malformed);
}

TEST_CASE("memory spend store: bounded size and sweeping", "[privacypass][spend]") {
    memory_spend_store s(16 * 4);
    int accepted = 0;
    for (int i = 0; i < 200; ++i) {
        token t = sample_token(0);
        t.nonce[0] = static_cast<std::uint8_t>(i);
        t.nonce[1] = static_cast<std::uint8_t>(i >> 8);
        auto r = s.insert(*spend_key::of(t, {}), 10, 20);
        if (r) ++accepted;
        else CHECK(r.error() == errc::limit_exceeded);
    }
    CHECK(accepted < 200);
    CHECK(accepted >= 64);
    s.sweep(20);
    CHECK(s.size() == 0);
}

TEST_CASE("memory spend store: many threads redeem one token, exactly one succeeds", "[privacypass][spend][concurrency]") {
    for (std::uint64_t round = 0; round < 20; ++round) {
        memory_spend_store store;
        race_one_token([&](int) -> spend_store& { return store; }, round);
    }
}

#ifdef PPX_HAVE_HIREDIS
TEST_CASE("redis URL parsing", "[privacypass][spend][redis]") {
    auto a = redis_address::parse("redis://127.0.0.1:26399/2");
    REQUIRE(a);
    CHECK(a->host == "127.0.0.1");
    CHECK(a->port == 26399);
    CHECK(a->db == 2);
    auto b = redis_address::parse("redis://[::1]:7000");
    REQUIRE(b);
    CHECK(b->host == "::1");
    CHECK(redis_address::parse("redis://localhost")->port == 6379);
    for (const char* bad : {"http://x:1", "redis://", "redis://:1", "redis://h:0", "redis://h:99999", "redis://u:p@h:1",
                            "redis://h:1/x", "redis://[::1"})
        CHECK(redis_address::parse(bad).error() == errc::malformed);
}

TEST_CASE("redis spend store: refuses replays, many threads and connections race", "[privacypass][spend][redis]") {
    const char* url = std::getenv("PPX_REDIS_URL");
    if (!url) {
        WARN("PPX_REDIS_URL not set: redis spend-store test skipped");
        return;
    }
    auto store = redis_spend_store::connect(url);
    REQUIRE(store);
    // A fresh nonce per run so reruns against the same server do not collide.
    std::uint64_t salt = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    token t = sample_token(3);
    for (int i = 0; i < 8; ++i) t.nonce[8 + i] = static_cast<std::uint8_t>(salt >> (8 * i));
    const auto k = *spend_key::of(t, bytes(32, 1));
    CHECK((*store)->insert(k, 100, 160));
    CHECK((*store)->insert(k, 100, 160).error() == errc::replayed);
    CHECK((*store)->insert(k, 100, 100).error() == errc::policy);

    // One shared store (one connection, serialised by its mutex).
    race_one_token([&](int) -> spend_store& { return **store; }, salt + 1);
    // One connection per thread: atomicity comes from Redis itself.
    std::vector<std::unique_ptr<redis_spend_store>> conns;
    for (int i = 0; i < 16; ++i) {
        auto c = redis_spend_store::connect(url);
        REQUIRE(c);
        conns.push_back(std::move(*c));
    }
    race_one_token([&](int i) -> spend_store& { return *conns[static_cast<std::size_t>(i)]; }, salt + 2);

    CHECK(redis_spend_store::connect("redis://127.0.0.1:1", std::chrono::milliseconds(200)).error() == errc::internal);
}
#endif
