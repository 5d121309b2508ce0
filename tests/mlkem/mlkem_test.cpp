// ML-KEM (FIPS 203): every Wycheproof ML-KEM-768 case, round trips for the three parameter
// sets, arithmetic against schoolbook definitions, and named negative tests.
#include <ppx/mlkem.hpp>

#include <catch2/catch.hpp>

#include "support/vectors.hpp"

#include <openssl/evp.h>

#include <memory>

using namespace ppx;
using namespace ppx::mlkem;
using ppx::test::unhex;

namespace {

template <parameter_set P>
struct key_pair {
    bytes ek = bytes(P::encapsulation_key_size);
    bytes dk = bytes(P::decapsulation_key_size);
};

template <parameter_set P>
key_pair<P> make_keys(std::uint64_t seed_no) {
    deterministic_rng r(seed_no);
    key_pair<P> kp;
    REQUIRE(keygen<P>(r, kp.ek, kp.dk));
    return kp;
}

/// J(z || c) = SHAKE256(z || c, 32) through OpenSSL, independent of ppx's Keccak.
bytes openssl_j(bytes_view z, bytes_view c) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    REQUIRE(EVP_DigestInit_ex(ctx.get(), EVP_shake256(), nullptr) == 1);
    REQUIRE(EVP_DigestUpdate(ctx.get(), z.data(), z.size()) == 1);
    REQUIRE(EVP_DigestUpdate(ctx.get(), c.data(), c.size()) == 1);
    bytes out(32);
    REQUIRE(EVP_DigestFinalXOF(ctx.get(), out.data(), out.size()) == 1);
    return out;
}

/// Sets 12-bit coefficient `index` of an encoded vector to `value`.
void set_coeff12(bytes& enc, std::size_t index, std::uint16_t value) {
    const std::size_t at = 3 * (index / 2);
    if (index % 2 == 0) {
        enc[at] = static_cast<std::uint8_t>(value);
        enc[at + 1] = static_cast<std::uint8_t>((enc[at + 1] & 0xf0) | (value >> 8));
    } else {
        enc[at + 1] = static_cast<std::uint8_t>((enc[at + 1] & 0x0f) | ((value & 0x0f) << 4));
        enc[at + 2] = static_cast<std::uint8_t>(value >> 4);
    }
}

using all_sets = std::tuple<ml_kem_512, ml_kem_768, ml_kem_1024>;

} // namespace

// ---------------------------------------------------------------- arithmetic

TEST_CASE("Compress_d equals round(2^d x / q) for every x and d", "[mlkem][arith]") {
    using namespace ppx::mlkem::detail;
    for (std::uint32_t x = 0; x < static_cast<std::uint32_t>(q); ++x) {
        auto exact = [x](unsigned d) { return ((x << d) * 2 + q) / (2 * q) % (1u << d); };  // round half up
        CHECK(compress<1>(x) == exact(1));
        CHECK(compress<4>(x) == exact(4));
        CHECK(compress<5>(x) == exact(5));
        CHECK(compress<10>(x) == exact(10));
        CHECK(compress<11>(x) == exact(11));
    }
    for (std::uint32_t y = 0; y < 2048; ++y) {
        CHECK(static_cast<std::uint32_t>(decompress<11>(y)) == (y * q * 2 + 2048) / 4096);
        if (y < 1024) CHECK(static_cast<std::uint32_t>(decompress<10>(y)) == (y * q * 2 + 1024) / 2048);
    }
}

TEST_CASE("Barrett and Montgomery reductions over their whole input ranges", "[mlkem][arith]") {
    using namespace ppx::mlkem::detail;
    for (std::int32_t a = -32768; a <= 32767; ++a) {
        const std::int16_t r = barrett_reduce(static_cast<std::int16_t>(a));
        REQUIRE(r >= -(q - 1) / 2);
        REQUIRE(r <= (q - 1) / 2);
        REQUIRE(((a - r) % q) == 0);
    }
    for (std::int32_t a = -q * 32768 + 1; a < q * 32768; a += 9973) {
        const std::int16_t r = montgomery_reduce(a);
        REQUIRE(r > -q);
        REQUIRE(r < q);
        REQUIRE(((static_cast<std::int64_t>(r) * 65536 - a) % q) == 0);
    }
}

TEST_CASE("NTT multiplication equals the schoolbook product in Z_q[X]/(X^256+1)", "[mlkem][arith]") {
    using namespace ppx::mlkem::detail;
    deterministic_rng r(7);
    for (int trial = 0; trial < 8; ++trial) {
        bytes rnd(1024);
        REQUIRE(r.fill(rnd));
        poly a, b;
        for (int i = 0; i < n; ++i) {
            a.c[i] = static_cast<std::int16_t>((rnd[2 * i] | rnd[2 * i + 1] << 8) % q);
            b.c[i] = static_cast<std::int16_t>(((rnd[512 + 2 * i] | rnd[513 + 2 * i] << 8) % 7) - 3);  // small, like CBD
        }
        std::int64_t ref[n] = {};
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < n; ++j) {
                const std::int64_t prod = static_cast<std::int64_t>(a.c[i]) * b.c[j];
                if (i + j < n) ref[i + j] += prod;
                else ref[i + j - n] -= prod;  // X^256 = -1
            }
        poly an = a, bn = b, prod;
        ntt(an);
        reduce(an);
        ntt(bn);
        reduce(bn);
        basemul_acc<1>(prod, &an, &bn);
        invntt(prod);
        for (int i = 0; i < n; ++i) {
            const std::int64_t want = ((ref[i] % q) + q) % q;
            REQUIRE(to_unsigned(barrett_reduce(prod.c[i])) == want);
        }
    }
}

TEST_CASE("4-way samplers equal the one-at-a-time samplers", "[mlkem][x4]") {
    using namespace ppx::mlkem::detail;
    std::uint8_t rho[32];
    for (int i = 0; i < 32; ++i) rho[i] = static_cast<std::uint8_t>(i * 9 + 1);
    poly got[4], want;
    poly* out[4] = {&got[0], &got[1], &got[2], &got[3]};
    const std::uint8_t idx[4][2] = {{0, 0}, {1, 2}, {3, 0}, {2, 2}};
    sample_ntt_x4(out, rho, idx);
    for (unsigned l = 0; l < 4; ++l) {
        sample_ntt(want, rho, idx[l][0], idx[l][1]);
        CHECK(got[l].c == want.c);
    }
    const std::uint8_t nonces[4] = {0, 5, 6, 200};
    sample_cbd_x4<2>(out, rho, nonces);
    for (unsigned l = 0; l < 4; ++l) {
        sample_cbd<2>(want, rho, nonces[l]);
        CHECK(got[l].c == want.c);
    }
    sample_cbd_x4<3>(out, rho, nonces);
    for (unsigned l = 0; l < 4; ++l) {
        sample_cbd<3>(want, rho, nonces[l]);
        CHECK(got[l].c == want.c);
    }
}

// ---------------------------------------------------------------- Wycheproof

TEST_CASE("Wycheproof mlkem_768_keygen_seed_test: ek and dk from the seed", "[mlkem][wycheproof]") {
    const auto j = ppx::test::load_json("wycheproof/mlkem_768_keygen_seed_test.json");
    std::size_t checked = 0;
    for (const auto& g : j["testGroups"]) {
        REQUIRE(g["parameterSet"] == "ML-KEM-768");
        for (const auto& t : g["tests"]) {
            {
                INFO("tcId " << t["tcId"].get<int>());
                REQUIRE(t["result"] == "valid");
                bytes ek(ml_kem_768::encapsulation_key_size), dk(ml_kem_768::decapsulation_key_size);
                REQUIRE(keygen<ml_kem_768>(unhex(t["seed"]), ek, dk));
                CHECK(ek == unhex(t["ek"]));
                CHECK(dk == unhex(t["dk"]));
                // The object API from the same seed agrees.
                const bytes seed = unhex(t["seed"]);
                auto key = decapsulation_key<ml_kem_768>::from_seed(std::span<const std::uint8_t, 64>(seed.data(), 64));
                CHECK(equal_bytes(key.expose(), dk));
                CHECK(equal_bytes(key.public_key().bytes(), ek));
            }
            ++checked;
        }
    }
    CHECK(checked == j["numberOfTests"].get<std::size_t>());
}

TEST_CASE("Wycheproof mlkem_768_test: decapsulation from the seed, invalid sizes rejected", "[mlkem][wycheproof]") {
    const auto j = ppx::test::load_json("wycheproof/mlkem_768_test.json");
    std::size_t checked = 0, valid = 0, invalid = 0;
    using P = ml_kem_768;
    for (const auto& g : j["testGroups"]) {
        REQUIRE(g["parameterSet"] == "ML-KEM-768");
        for (const auto& t : g["tests"]) {
            ++checked;
            {
                INFO("tcId " << t["tcId"].get<int>() << " " << t.value("comment", ""));
                const bytes seed = unhex(t["seed"]);
                const bytes c = unhex(t["c"]);
                bytes ek(P::encapsulation_key_size), dk(P::decapsulation_key_size);
                std::array<std::uint8_t, 32> ss{};
                auto kg = keygen<P>(seed, ek, dk);
                const bool ok = kg && decaps<P>(dk, c, ss);
                if (t["result"] == "valid") {
                    REQUIRE(ok);
                    if (t.contains("ek") && !t["ek"].get<std::string>().empty()) CHECK(ek == unhex(t["ek"]));
                    CHECK(to_hex(ss) == t["K"].get<std::string>());
                    // Object path gives the same secret.
                    auto key = decapsulation_key<P>::parse(dk);
                    REQUIRE(key);
                    std::array<std::uint8_t, 32> ss2{};
                    REQUIRE(key->decaps(c, ss2));
                    CHECK(ss2 == ss);
                } else {
                    REQUIRE(t["result"] == "invalid");
                    CHECK_FALSE(ok);
                    if (!kg) CHECK(kg.error() == errc::malformed);
                }
            }
            (t["result"] == "valid" ? valid : invalid) += 1;
        }
    }
    CHECK(checked == j["numberOfTests"].get<std::size_t>());
    CHECK(valid == 153);
    CHECK(invalid == 40);
}

TEST_CASE("Wycheproof mlkem_768_encaps_test: encapsulation with fixed m, invalid keys rejected", "[mlkem][wycheproof]") {
    const auto j = ppx::test::load_json("wycheproof/mlkem_768_encaps_test.json");
    using P = ml_kem_768;
    std::size_t checked = 0, valid = 0, invalid = 0;
    for (const auto& g : j["testGroups"]) {
        REQUIRE(g["parameterSet"] == "ML-KEM-768");
        for (const auto& t : g["tests"]) {
            ++checked;
            {
                INFO("tcId " << t["tcId"].get<int>() << " " << t.value("comment", ""));
                const bytes ek = unhex(t["ek"]);
                const bytes m = unhex(t["m"]);
                REQUIRE(m.size() == 32);
                const std::span<const std::uint8_t, 32> mspan(m.data(), 32);
                ppx::test::guarded_buffer ct(P::ciphertext_size);
                std::array<std::uint8_t, 32> ss{};
                auto r = encaps<P>(ek, mspan, ct.span(), ss);
                auto parsed = encapsulation_key<P>::parse(ek);
                auto checked_ek = check_encapsulation_key<P>(ek);
                if (t["result"] == "valid") {
                    REQUIRE(r);
                    REQUIRE(parsed);
                    REQUIRE(checked_ek);
                    CHECK(equal_bytes(ct.span(), unhex(t["c"])));
                    CHECK(ct.guard_intact());
                    CHECK(to_hex(ss) == t["K"].get<std::string>());
                    bytes ct2(P::ciphertext_size);
                    std::array<std::uint8_t, 32> ss2{};
                    REQUIRE(parsed->encaps(mspan, ct2, ss2));
                    CHECK(equal_bytes(ct2, ct.span()));
                    CHECK(ss2 == ss);
                } else {
                    REQUIRE(t["result"] == "invalid");
                    REQUIRE_FALSE(r);
                    CHECK(r.error() == errc::malformed);
                    CHECK_FALSE(parsed);
                    CHECK_FALSE(checked_ek);
                    // Nothing was written on failure.
                    for (auto b : ct.storage) CHECK(b == ppx::test::guarded_buffer::sentinel);
                }
            }
            (t["result"] == "valid" ? valid : invalid) += 1;
        }
    }
    CHECK(checked == j["numberOfTests"].get<std::size_t>());
    CHECK(valid == 133);
    CHECK(invalid == 132);
}

// ---------------------------------------------------------------- round trips and bad input

TEMPLATE_LIST_TEST_CASE("round trip: keygen, encaps, decaps agree (byte API and key objects)", "[mlkem][roundtrip]", all_sets) {
    using P = TestType;
    for (std::uint64_t s = 1; s <= 20; ++s) {
        auto kp = make_keys<P>(s);
        REQUIRE(check_encapsulation_key<P>(kp.ek));
        REQUIRE(check_decapsulation_key<P>(kp.dk));
        deterministic_rng r(1000 + s);
        ppx::test::guarded_buffer ct(P::ciphertext_size);
        std::array<std::uint8_t, 32> k1{}, k2{}, k3{};
        REQUIRE(encaps<P>(kp.ek, r, ct.span(), k1));
        CHECK(ct.guard_intact());
        REQUIRE(decaps<P>(kp.dk, ct.span(), k2));
        CHECK(k1 == k2);
        auto key = decapsulation_key<P>::parse(kp.dk);
        REQUIRE(key);
        REQUIRE(key->decaps(ct.span(), k3));
        CHECK(k3 == k1);
        // Encapsulating through the parsed key with the same m gives the same ciphertext.
        auto ek = encapsulation_key<P>::parse(kp.ek);
        REQUIRE(ek);
        std::array<std::uint8_t, 32> m{};
        m[0] = static_cast<std::uint8_t>(s);
        bytes c1(P::ciphertext_size), c2(P::ciphertext_size);
        std::array<std::uint8_t, 32> s1{}, s2{}, s3{};
        REQUIRE(encaps<P>(kp.ek, m, c1, s1));
        REQUIRE(ek->encaps(m, c2, s2));
        CHECK(c1 == c2);
        CHECK(s1 == s2);
        REQUIRE(key->public_key().encaps(m, c2, s3));
        CHECK(s3 == s1);
    }
}

TEMPLATE_LIST_TEST_CASE("modified ciphertext yields the implicit-rejection secret J(z || c)", "[mlkem][rejection]", all_sets) {
    using P = TestType;
    auto kp = make_keys<P>(42);
    auto key = decapsulation_key<P>::parse(kp.dk);
    REQUIRE(key);
    const bytes z(kp.dk.end() - 32, kp.dk.end());
    deterministic_rng r(43);
    bytes ct(P::ciphertext_size);
    std::array<std::uint8_t, 32> good{};
    REQUIRE(encaps<P>(kp.ek, r, ct, good));
    // Flip one bit at several positions (start, inside u, first byte of v, last byte).
    const std::size_t positions[] = {0, 1, P::ciphertext_size / 2, 32 * P::du * P::k, P::ciphertext_size - 1};
    for (auto pos : positions) {
        for (std::uint8_t bit : {std::uint8_t{0x01}, std::uint8_t{0x80}}) {
            bytes bad = ct;
            bad[pos] ^= bit;
            std::array<std::uint8_t, 32> k1{}, k2{};
            REQUIRE(decaps<P>(kp.dk, bad, k1));
            REQUIRE(key->decaps(bad, k2));
            const bytes expect = openssl_j(z, bad);
            CHECK(equal_bytes(k1, expect));
            CHECK(equal_bytes(k2, expect));
            CHECK(k1 != good);
        }
    }
    // The rejection secret depends on z: a different z gives a different secret.
    bytes dk2 = kp.dk;
    dk2.back() ^= 1;
    bytes bad = ct;
    bad[3] ^= 4;
    std::array<std::uint8_t, 32> ka{}, kb{};
    REQUIRE(decaps<P>(kp.dk, bad, ka));
    REQUIRE(decaps<P>(dk2, bad, kb));
    CHECK(ka != kb);
    // And the genuine ciphertext still decapsulates to the genuine secret under either z.
    REQUIRE(decaps<P>(dk2, ct, kb));
    CHECK(kb == good);
}

TEMPLATE_LIST_TEST_CASE("wrong-length keys, ciphertexts, seeds and short buffers are rejected", "[mlkem][negative]", all_sets) {
    using P = TestType;
    auto kp = make_keys<P>(5);
    deterministic_rng r(6);
    bytes ct(P::ciphertext_size);
    std::array<std::uint8_t, 32> ss{};
    REQUIRE(encaps<P>(kp.ek, r, ct, ss));

    for (std::size_t len : {std::size_t{0}, P::encapsulation_key_size - 1, P::encapsulation_key_size + 1}) {
        bytes ek = kp.ek;
        ek.resize(len);
        CHECK(encaps<P>(ek, r, ct, ss).error() == errc::malformed);
        CHECK(!encapsulation_key<P>::parse(ek));
        CHECK(check_encapsulation_key<P>(ek).error() == errc::malformed);
    }
    for (std::size_t len : {std::size_t{0}, P::decapsulation_key_size - 1, P::decapsulation_key_size + 1}) {
        bytes dk = kp.dk;
        dk.resize(len);
        CHECK(decaps<P>(dk, ct, ss).error() == errc::malformed);
        CHECK(!decapsulation_key<P>::parse(dk));
    }
    auto key = decapsulation_key<P>::parse(kp.dk);
    REQUIRE(key);
    for (std::size_t len : {std::size_t{0}, P::ciphertext_size - 1, P::ciphertext_size + 1}) {
        bytes c = ct;
        c.resize(len, 0);
        CHECK(decaps<P>(kp.dk, c, ss).error() == errc::malformed);
        CHECK(key->decaps(c, ss).error() == errc::malformed);
    }
    // Seeds other than 64 bytes.
    bytes ek(P::encapsulation_key_size), dk(P::decapsulation_key_size);
    CHECK(keygen<P>(bytes(63), ek, dk).error() == errc::malformed);
    CHECK(keygen<P>(bytes(65), ek, dk).error() == errc::malformed);
    // Output buffers one byte short: refused, nothing written.
    ppx::test::guarded_buffer short_ct(P::ciphertext_size - 1);
    CHECK(encaps<P>(kp.ek, r, short_ct.span(), ss).error() == errc::buffer_too_small);
    for (auto b : short_ct.storage) CHECK(b == ppx::test::guarded_buffer::sentinel);
    ppx::test::guarded_buffer short_ek(P::encapsulation_key_size - 1), full_dk(P::decapsulation_key_size);
    CHECK(keygen<P>(bytes(64), short_ek.span(), full_dk.span()).error() == errc::buffer_too_small);
    for (auto b : full_dk.storage) CHECK(b == ppx::test::guarded_buffer::sentinel);
    // Exactly-sized buffers: nothing written past the end.
    ppx::test::guarded_buffer gek(P::encapsulation_key_size), gdk(P::decapsulation_key_size);
    REQUIRE(keygen<P>(bytes(64, 9), gek.span(), gdk.span()));
    CHECK(gek.guard_intact());
    CHECK(gdk.guard_intact());
    // A failing rng is reported and nothing is produced.
    fixed_rng empty;
    CHECK(encaps<P>(kp.ek, empty, ct, ss).error() == errc::misuse);
    CHECK(keygen<P>(empty, ek, dk).error() == errc::misuse);
}

TEMPLATE_LIST_TEST_CASE("encapsulation keys failing the modulus check (FIPS 203 §7.2) are rejected", "[mlkem][negative]", all_sets) {
    using P = TestType;
    auto kp = make_keys<P>(11);
    deterministic_rng r(12);
    bytes ct(P::ciphertext_size);
    std::array<std::uint8_t, 32> ss{};
    const std::size_t last = 256 * P::k - 1;
    for (std::size_t index : {std::size_t{0}, std::size_t{1}, std::size_t{257}, last}) {
        for (std::uint16_t value : {std::uint16_t{3329}, std::uint16_t{3330}, std::uint16_t{4095}}) {
            bytes ek = kp.ek;
            set_coeff12(ek, index, value);
            CHECK(encaps<P>(ek, r, ct, ss).error() == errc::malformed);
            CHECK(!encapsulation_key<P>::parse(ek));
            CHECK(check_encapsulation_key<P>(ek).error() == errc::malformed);
        }
        // q - 1 is the largest allowed value.
        bytes ek = kp.ek;
        set_coeff12(ek, index, 3328);
        CHECK(encaps<P>(ek, r, ct, ss));
    }
    // A dk embedding such an ek with a matching H(ek) passes the §7.3 hash check (decaps works,
    // as FIPS 203 specifies), but the key object refuses it because it would hand out that ek.
    bytes dk = kp.dk;
    bytes ek = kp.ek;
    set_coeff12(ek, 5, 4000);
    std::copy(ek.begin(), ek.end(), dk.begin() + 384 * P::k);
    std::array<std::uint8_t, 32> h;
    keccak::sha3_256_of(h, ek);
    std::copy(h.begin(), h.end(), dk.begin() + 768 * P::k + 32);
    CHECK(check_decapsulation_key<P>(dk));
    CHECK(decaps<P>(dk, ct, ss));
    CHECK(!decapsulation_key<P>::parse(dk));
}

TEMPLATE_LIST_TEST_CASE("decapsulation keys failing the hash check (FIPS 203 §7.3) are rejected", "[mlkem][negative]", all_sets) {
    using P = TestType;
    auto kp = make_keys<P>(21);
    deterministic_rng r(22);
    bytes ct(P::ciphertext_size);
    std::array<std::uint8_t, 32> ss{};
    REQUIRE(encaps<P>(kp.ek, r, ct, ss));
    // Any change to the embedded ek or to H(ek) fails; changes to dk_PKE or z do not (they are
    // not covered by the check).
    for (std::size_t pos : {384 * P::k, 768 * P::k + 31, 768 * P::k + 32, 768 * P::k + 63}) {
        bytes dk = kp.dk;
        dk[pos] ^= 0x10;
        CHECK(decaps<P>(dk, ct, ss).error() == errc::malformed);
        CHECK(check_decapsulation_key<P>(dk).error() == errc::malformed);
        CHECK(!decapsulation_key<P>::parse(dk));
    }
    bytes dk = kp.dk;
    dk[0] ^= 1;
    CHECK(check_decapsulation_key<P>(dk));
}

TEST_CASE("keys of one parameter set are refused by another", "[mlkem][negative]") {
    auto kp = make_keys<ml_kem_512>(1);
    deterministic_rng r(2);
    bytes ct(ml_kem_1024::ciphertext_size);
    std::array<std::uint8_t, 32> ss{};
    CHECK(!encaps<ml_kem_768>(kp.ek, r, ct, ss));
    CHECK(!encaps<ml_kem_1024>(kp.ek, r, ct, ss));
    CHECK(!decapsulation_key<ml_kem_768>::parse(kp.dk));
}

TEST_CASE("decapsulation keys wipe on move", "[mlkem][secret]") {
    auto a = decapsulation_key<ml_kem_512>::from_seed(std::array<std::uint8_t, 64>{1, 2, 3});
    const bytes before(a.expose().begin(), a.expose().end());
    auto b = std::move(a);
    CHECK(equal_bytes(b.expose(), before));
    CHECK(ct_is_zero(a.expose()));  // NOLINT(bugprone-use-after-move): checking the wipe
}
