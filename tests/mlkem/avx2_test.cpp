// The AVX2 backend (poly_avx2.hpp) against the portable code of poly.hpp: every routine on
// random and extreme inputs, compared exactly (the two paths are specified to agree bit for
// bit), and the whole of ML-KEM (keygen, encaps, decaps, key objects) with the portable path
// forced through the detail::force_portable test hook. The KAT and Wycheproof tests run on
// the default path (AVX2 on this machine), so together these cover both paths.
#include <ppx/mlkem.hpp>

#include <catch2/catch.hpp>

#include "support/vectors.hpp"

using namespace ppx;
using namespace ppx::mlkem;

namespace {

/// Forces the portable path for its lifetime.
struct portable_scope {
    portable_scope() { mlkem::detail::force_portable = true; }
    ~portable_scope() { mlkem::detail::force_portable = false; }
};

/// A polynomial with coefficients uniform in [lo, hi].
mlkem::detail::poly random_poly(deterministic_rng& r, int lo, int hi) {
    bytes rnd(2 * mlkem::detail::n);
    REQUIRE(r.fill(rnd));
    mlkem::detail::poly p;
    const int span = hi - lo + 1;
    for (int i = 0; i < mlkem::detail::n; ++i) p.c[i] = static_cast<std::int16_t>(lo + (rnd[2 * i] | rnd[2 * i + 1] << 8) % span);
    return p;
}

} // namespace

#ifdef PPX_MLKEM_AVX2

TEST_CASE("AVX2 R_q routines equal the portable ones", "[mlkem][avx2]") {
    using namespace ppx::mlkem::detail;
    if (!keccak::x4::available()) {
        WARN("CPU without AVX2: nothing to compare");
        return;
    }
    deterministic_rng r(2024);
    constexpr int q1 = q - 1;
    for (int trial = 0; trial < 200; ++trial) {
        // extremes on some trials
        const int lo = trial % 5 == 0 ? q1 : -q1;
        poly a = random_poly(r, -q1, q1);
        if (trial % 5 == 0)
            for (auto& x : a.c) x = static_cast<std::int16_t>(lo);
        poly x1 = a, x2 = a;
        ntt_ref(x1);
        avx2::ntt(x2);
        REQUIRE(x1.c == x2.c);
        x1 = a, x2 = a;
        invntt_ref(x1);
        avx2::invntt(x2);
        REQUIRE(x1.c == x2.c);
        poly w = random_poly(r, -32768, 32767);
        x1 = w, x2 = w;
        reduce_ref(x1);
        avx2::reduce(x2);
        REQUIRE(x1.c == x2.c);
        x1 = w, x2 = w;
        to_mont_ref(x1);
        to_mont(x2);
        REQUIRE(x1.c == x2.c);
        // basemul inputs: reduced NTT-domain values, |c| <= (q-1)/2 (and q-1 at the extremes)
        const int bl = trial % 7 == 0 ? q1 : q1 / 2;
        poly as[4], bs[4];
        for (int l = 0; l < 4; ++l) {
            as[l] = random_poly(r, -bl, bl);
            bs[l] = random_poly(r, -bl, bl);
        }
        if (trial % 7 == 0) {
            for (auto& x : as[0].c) x = static_cast<std::int16_t>(-bl);
            for (auto& x : bs[1].c) x = static_cast<std::int16_t>(bl);
        }
        basemul_acc_ref<2>(x1, as, bs);
        avx2::basemul_acc<2>(x2, as, bs);
        REQUIRE(x1.c == x2.c);
        basemul_acc_ref<3>(x1, as, bs);
        avx2::basemul_acc<3>(x2, as, bs);
        REQUIRE(x1.c == x2.c);
        basemul_acc_ref<4>(x1, as, bs);
        avx2::basemul_acc<4>(x2, as, bs);
        REQUIRE(x1.c == x2.c);
        // decoding of arbitrary bytes
        bytes enc(32 * 11);
        REQUIRE(r.fill(enc));
        x1.c.fill(0), x2.c.fill(0);
        decode_decompress_ref<10>(x1, enc.data());
        avx2::decode_decompress<10>(x2, enc.data());
        REQUIRE(x1.c == x2.c);
        decode_decompress_ref<11>(x1, enc.data());
        avx2::decode_decompress<11>(x2, enc.data());
        REQUIRE(x1.c == x2.c);
        decode_decompress_ref<4>(x1, enc.data());
        avx2::decode_decompress<4>(x2, enc.data());
        REQUIRE(x1.c == x2.c);
        decode_decompress_ref<5>(x1, enc.data());
        avx2::decode_decompress<5>(x2, enc.data());
        REQUIRE(x1.c == x2.c);
    }
}

TEST_CASE("AVX2 Compress_d, ByteEncode_d and ByteEncode_1 equal the portable ones for every input", "[mlkem][avx2]") {
    using namespace ppx::mlkem::detail;
    if (!keccak::x4::available()) {
        WARN("CPU without AVX2: nothing to compare");
        return;
    }
    // Every coefficient value in (-q, q), 256 per polynomial.
    for (int start = -(q - 1); start < q; start += n) {
        poly p;
        for (int i = 0; i < n; ++i) p.c[i] = static_cast<std::int16_t>(start + i < q ? start + i : 0);
        auto check = [&](auto d) {
            constexpr unsigned D = decltype(d)::value;
            std::uint8_t e1[32 * D], e2[32 * D];
            compress_encode_ref<D>(e1, p);
            avx2::compress_encode<D>(e2, p);
            REQUIRE(std::memcmp(e1, e2, sizeof e1) == 0);
        };
        check(std::integral_constant<unsigned, 4>{});
        check(std::integral_constant<unsigned, 5>{});
        check(std::integral_constant<unsigned, 10>{});
        check(std::integral_constant<unsigned, 11>{});
        std::uint8_t m1[32], m2[32];
        to_message_ref(m1, p);
        avx2::to_message(m2, p);
        REQUIRE(std::memcmp(m1, m2, 32) == 0);
    }
}

#endif

TEMPLATE_TEST_CASE("ML-KEM gives the same bytes on the portable and the default path", "[mlkem][avx2][portable]", ml_kem_512,
                   ml_kem_768, ml_kem_1024) {
    using P = TestType;
    for (std::uint64_t s = 1; s <= 12; ++s) {
        deterministic_rng r(s);
        std::array<std::uint8_t, 64> seed{};
        std::array<std::uint8_t, 32> m{};
        REQUIRE(r.fill(seed));
        REQUIRE(r.fill(m));
        bytes ek1(P::encapsulation_key_size), dk1(P::decapsulation_key_size), ct1(P::ciphertext_size);
        bytes ek2 = ek1, dk2 = dk1, ct2 = ct1;
        std::array<std::uint8_t, 32> k1{}, k2{}, d1{}, d2{}, j1{}, j2{}, o1{}, o2{};
        bytes bad = ct1;
        REQUIRE(keygen<P>(seed, ek1, dk1));
        REQUIRE(encaps<P>(ek1, m, ct1, k1));
        REQUIRE(decaps<P>(dk1, ct1, d1));
        bad = ct1;
        bad[s % bad.size()] ^= 1;
        REQUIRE(decaps<P>(dk1, bad, j1));
        {
            auto key = decapsulation_key<P>::parse(dk1);
            REQUIRE(key);
            REQUIRE(key->decaps(ct1, o1));
        }
        {
            portable_scope portable;
            REQUIRE(keygen<P>(seed, ek2, dk2));
            REQUIRE(encaps<P>(ek2, m, ct2, k2));
            REQUIRE(decaps<P>(dk2, ct2, d2));
            REQUIRE(decaps<P>(dk2, bad, j2));
            auto key = decapsulation_key<P>::from_seed(seed);
            REQUIRE(key.decaps(ct2, o2));
        }
        CHECK(ek1 == ek2);
        CHECK(dk1 == dk2);
        CHECK(ct1 == ct2);
        CHECK(k1 == k2);
        CHECK(d1 == k1);
        CHECK(d2 == k2);
        CHECK(j1 == j2);
        CHECK(j1 != k1);
        CHECK(o1 == k1);
        CHECK(o2 == k1);
    }
}
