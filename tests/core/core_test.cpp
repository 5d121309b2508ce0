#include <ppx/core.hpp>

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <thread>
#include <vector>

#include "support/vectors.hpp"

using namespace ppx;

TEST_CASE("hex round trip and rejection", "[core][hex]") {
    auto b = from_hex("00ff10Ab");
    REQUIRE(b);
    CHECK(*b == bytes{0x00, 0xff, 0x10, 0xab});
    CHECK(to_hex(*b) == "00ff10ab");
    CHECK(from_hex("abc").error() == errc::malformed);
    CHECK(from_hex("zz").error() == errc::malformed);
    CHECK(from_hex("")->empty());
}

TEST_CASE("base64 and base64url per RFC 4648 §10", "[core][base64]") {
    const char* plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    const char* enc[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    for (int i = 0; i < 7; ++i) {
        CHECK(to_base64(as_bytes(plain[i])) == enc[i]);
        auto d = from_base64(enc[i]);
        REQUIRE(d);
        CHECK(as_chars(*d) == plain[i]);
    }
    CHECK(to_base64url(bytes{0xfb, 0xff}) == "-_8");
    CHECK(*from_base64url("-_8") == bytes{0xfb, 0xff});
    CHECK(*from_base64url("-_8=") == bytes{0xfb, 0xff});
    CHECK(!from_base64("Zg="));      // wrong padding
    CHECK(!from_base64("Zh=="));     // non-zero trailing bits
    CHECK(!from_base64("Z"));        // impossible length
    CHECK(!from_base64("Zm9v!"));    // bad character
    CHECK(!from_base64url("+/8="));  // standard alphabet in url mode
}

TEST_CASE("append: any byte vector, including from a view of itself", "[core][bytes]") {
    bytes b = {1, 2, 3};
    append(b, bytes{4, 5});
    CHECK(b == bytes{1, 2, 3, 4, 5});
    append(b, bytes_view{});
    CHECK(b.size() == 5);
    secure_bytes s;
    for (int i = 0; i < 100; ++i) append(s, bytes_view(b).subspan(1, 2));  // grows past several capacities
    REQUIRE(s.size() == 200);
    CHECK((s[0] == 2 && s[1] == 3 && s[198] == 2 && s[199] == 3));
    // A view into the vector itself stays valid across the growth.
    b.shrink_to_fit();
    append(b, bytes_view(b).subspan(1, 3));
    CHECK(b == bytes{1, 2, 3, 4, 5, 2, 3, 4});
    std::string str = "ab";
    append(str, as_bytes(std::string_view("cd")));
    CHECK(str == "abcd");
}

TEST_CASE("constant-time compare", "[core][ct]") {
    bytes a{1, 2, 3}, b{1, 2, 3}, c{1, 2, 4};
    CHECK(ct_equal(a, b));
    CHECK_FALSE(ct_equal(a, c));
    CHECK_FALSE(ct_equal(a, bytes{1, 2}));
    CHECK(ct_is_zero(bytes(17, 0)));
    CHECK_FALSE(ct_is_zero(bytes{0, 0, 1}));
}

TEST_CASE("reader: integers, varints, vectors, no advance on failure", "[core][reader]") {
    bytes in{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07};
    reader r(in);
    CHECK(*r.u8() == 0x01);
    CHECK(*r.u16() == 0x0203);
    CHECK(*r.u24() == 0x040506);
    auto before = r.position();
    CHECK(r.u16().error() == errc::malformed);
    CHECK(r.position() == before);
    CHECK(*r.u8() == 0x07);
    CHECK(r.empty());
    CHECK(r.expect_end());

    // RFC 9000 §A.1 sample varints.
    struct { const char* hex; std::uint64_t v; } cases[] = {
        {"c2197c5eff14e88c", 151288809941952652ull}, {"9d7f3e7d", 494878333}, {"7bbd", 15293}, {"25", 37}, {"4025", 37}};
    for (auto& c : cases) {
        auto b = test::unhex(c.hex);
        reader vr(b);
        auto v = vr.varint();
        REQUIRE(v);
        CHECK(*v == c.v);
        CHECK(vr.empty());
    }
    bytes trunc{0x9d, 0x7f};
    reader tr(trunc);
    CHECK(!tr.varint());
    CHECK(tr.position() == 0);

    bytes vec{0x00, 0x03, 'a', 'b', 'c', 0x05, 'x'};
    reader vr(vec);
    CHECK(as_chars(*vr.vec16()) == "abc");
    auto pos = vr.position();
    CHECK(!vr.vec8());  // claims 5 bytes, has 1
    CHECK(vr.position() == pos);
}

TEST_CASE("writers: span and vector, sticky errors, nothing past the end", "[core][writer]") {
    writer w;
    w.u8(1);
    w.u16(0x0203);
    w.varint(15293);
    w.varint(37);
    w.vec8(bytes{9, 9});
    w.varint_prefixed(bytes{7});
    auto out = std::move(w).finish();
    REQUIRE(out);
    CHECK(to_hex(*out) == "0102037bbd250209090107");

    writer big;
    big.varint(max_varint + 1);
    CHECK(std::move(big).finish().error() == errc::misuse);

    test::guarded_buffer buf(4);
    span_writer sw(buf.span());
    sw.u16(0x0102);
    sw.u24(0x030405);  // does not fit: nothing of it written
    sw.u8(6);          // ignored after the first error
    CHECK(sw.finish().error() == errc::buffer_too_small);
    CHECK(buf.guard_intact());
    CHECK(buf.storage[2] == test::guarded_buffer::sentinel);

    // Varint round trip at every length boundary.
    for (std::uint64_t v : std::initializer_list<std::uint64_t>{0ull, 63ull, 64ull, 16383ull, 16384ull, (1ull << 30) - 1, 1ull << 30, max_varint}) {
        writer vw;
        vw.varint(v);
        auto enc = std::move(vw).finish();
        REQUIRE(enc);
        CHECK(enc->size() == varint_size(v));
        reader rr(*enc);
        CHECK(*rr.varint() == v);
    }
}

TEST_CASE("secrets wipe on move and compare in constant time", "[core][secret]") {
    std::array<std::uint8_t, 4> raw{1, 2, 3, 4};
    secret<4> a{std::span<const std::uint8_t, 4>(raw)};
    secret<4> b = std::move(a);
    CHECK(ct_is_zero(a.expose()));  // NOLINT(bugprone-use-after-move): moved-from is wiped by contract
    CHECK(b.expose()[3] == 4);
    CHECK(b == b.clone());
    CHECK(!secret<4>::from(bytes{1, 2, 3}));
    secure_bytes s = to_secure(bytes{5, 6});
    CHECK(s.size() == 2);
}

TEST_CASE("rngs: deterministic, fixed and system", "[core][rng]") {
    deterministic_rng d1(7), d2(7), d3(8);
    std::array<std::uint8_t, 32> x{}, y{}, z{};
    REQUIRE(d1.fill(x));
    REQUIRE(d2.fill(y));
    REQUIRE(d3.fill(z));
    CHECK(x == y);
    CHECK(x != z);
    REQUIRE(d1.fill(y));
    CHECK(x != y);  // the stream advances

    fixed_rng f(bytes{1, 2, 3});
    std::array<std::uint8_t, 2> two{};
    REQUIRE(f.fill(two));
    CHECK(two[1] == 2);
    CHECK(f.fill(two).error() == errc::misuse);
    CHECK(f.remaining() == 1);

    std::array<std::uint8_t, 32> r1{}, r2{};
    REQUIRE(system_rng().fill(r1));
    REQUIRE(system_rng().fill(r2));
    CHECK(r1 != r2);
}

TEST_CASE("system_rng: per-thread streams, large requests, and a forked child does not repeat its parent", "[core][rng]") {
    // Threads draw different bytes.
    std::array<std::uint8_t, 32> a{}, b{};
    std::thread t([&] { REQUIRE(system_rng().fill(b)); });
    REQUIRE(system_rng().fill(a));
    t.join();
    CHECK(a != b);
    // Requests larger than the generator's buffer, and empty ones.
    std::vector<std::uint8_t> big(5000, 0);
    REQUIRE(system_rng().fill(big));
    CHECK(std::count(big.begin(), big.end(), std::uint8_t{0}) < 100);
    REQUIRE(system_rng().fill(mutable_bytes{}));
    // After fork(), parent and child draw their next bytes from the same state unless the child
    // reseeds: compare what each gets next.
    REQUIRE(system_rng().fill(a));  // the parent's state is in use
    int fd[2];
    REQUIRE(pipe(fd) == 0);
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        std::array<std::uint8_t, 32> c{};
        (void)system_rng().fill(c);
        (void)!write(fd[1], c.data(), c.size());
        _exit(0);
    }
    close(fd[1]);
    std::array<std::uint8_t, 32> parent{}, child{};
    REQUIRE(system_rng().fill(parent));
    std::size_t got = 0;
    while (got < child.size()) {
        const ssize_t n = read(fd[0], child.data() + got, child.size() - got);
        if (n <= 0) break;
        got += static_cast<std::size_t>(n);
    }
    close(fd[0]);
    waitpid(pid, nullptr, 0);
    REQUIRE(got == child.size());
    CHECK(child != parent);
}

TEST_CASE("result behaves like std::expected", "[core][result]") {
    auto f = [](int x) -> result<int> {
        if (x < 0) return fail(errc::malformed, "negative");
        return x * 2;
    };
    auto g = [&](int x) -> result<int> {
        PPX_TRY_ASSIGN(int v, f(x));
        return v + 1;
    };
    CHECK(*g(2) == 5);
    CHECK(g(-1).error() == errc::malformed);
    CHECK(std::string(g(-1).error().what) == "negative");
    CHECK(f(-1).value_or(9) == 9);
    result<void> v = ok();
    CHECK(v);
}
