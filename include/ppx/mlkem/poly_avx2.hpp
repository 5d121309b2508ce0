// ppx/mlkem/poly_avx2.hpp: AVX2 versions of the hot R_q routines of poly.hpp (internal; included
// by poly.hpp only, after the scalar helpers and constant tables it uses).
//
// Sixteen int16 coefficients per 256-bit vector. Every function computes exactly what its
// portable twin in poly.hpp computes, coefficient for coefficient and bit for bit (the tests
// compare the two on random and extreme inputs), so encodings and intermediate values do not
// depend on which path ran:
//
// - Montgomery multiplication by b: t = mullo(a, b q^-1); mulhi(a, b) - mulhi(t, q), which is
//   exactly montgomery_reduce(a b) (the low halves of a b and t q are equal, so no borrow).
// - Barrett reduction: mulhi(a, 20159) + 512 >> 10 is exactly (20159 a + 2^25) >> 26.
// - NTT and NTT^-1: the same butterflies in the same order as the scalar loops. Layers with
//   distance >= 16 pair whole vectors; the distances 8, 4 and 2 are reached by three
//   self-inverse shuffles of a vector pair (128-bit halves, 64-bit and 32-bit words), and the
//   result is shuffled back, so polynomials are always stored in the standard order.
// - Base multiplication: madd_epi16 of (a0, fqmul(a1, b1)) with (b0, gamma) and of (a0, a1) with
//   (b1, b0) gives the same 32-bit sums as the scalar loop, reduced by the same Montgomery step.
// - Compress_d: a quotient estimate from mulhi (off by at most one, checked exhaustively in the
//   tests) corrected by the remainder computed in 16-bit wrapping arithmetic; no division.
//
// Constant time: straight-line vector code, no branch and no table index depending on the
// coefficients (table indices depend on loop counters only).
//
// The functions carry __attribute__((target("avx2"))), so users need no -mavx2; poly.hpp calls
// them only when the CPU has AVX2 (simd_enabled()).
#pragma once

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define PPX_MLKEM_AVX2 1
#include <immintrin.h>

#define PPX_AVX2_FN __attribute__((target("avx2"))) inline

namespace ppx::mlkem::detail::avx2 {

/// Lane tables for the three intra-vector NTT layers of one 32-coefficient group g (see the
/// shuffles below): zeta values and zeta * q^-1 mod 2^16, laid out as the shuffled lanes meet.
struct ntt_tables {
    std::int16_t f8[8][16], f8q[8][16], f4[8][16], f4q[8][16], f2[8][16], f2q[8][16];
    std::int16_t i8[8][16], i8q[8][16], i4[8][16], i4q[8][16], i2[8][16], i2q[8][16];
    std::int16_t gam[16][16];  // gammas[8m + i] at lanes 2i and 2i + 1 of vector m
};

constexpr std::int16_t times_qinv(std::int16_t z) noexcept {
    return static_cast<std::int16_t>(static_cast<std::uint16_t>(static_cast<std::uint32_t>(static_cast<std::uint16_t>(z)) * q_inv));
}

constexpr ntt_tables make_ntt_tables() noexcept {
    ntt_tables t{};
    for (unsigned g = 0; g < 8; ++g) {
        for (unsigned lane = 0; lane < 16; ++lane) {
            // distance 8: lanes 0-7 block 2g, lanes 8-15 block 2g + 1
            const unsigned b8 = lane / 8, b4 = lane / 4, b2 = lane / 2;
            t.f8[g][lane] = zetas[16 + 2 * g + b8];
            t.f4[g][lane] = zetas[32 + 4 * g + b4];
            t.f2[g][lane] = zetas[64 + 8 * g + b2];
            t.i8[g][lane] = zetas[31 - 2 * g - b8];
            t.i4[g][lane] = zetas[63 - 4 * g - b4];
            t.i2[g][lane] = zetas[127 - 8 * g - b2];
            t.f8q[g][lane] = times_qinv(t.f8[g][lane]);
            t.f4q[g][lane] = times_qinv(t.f4[g][lane]);
            t.f2q[g][lane] = times_qinv(t.f2[g][lane]);
            t.i8q[g][lane] = times_qinv(t.i8[g][lane]);
            t.i4q[g][lane] = times_qinv(t.i4[g][lane]);
            t.i2q[g][lane] = times_qinv(t.i2[g][lane]);
        }
    }
    for (unsigned m = 0; m < 16; ++m)
        for (unsigned lane = 0; lane < 16; ++lane) t.gam[m][lane] = gammas[8 * m + lane / 2];
    return t;
}
alignas(32) inline constexpr ntt_tables tables = make_ntt_tables();

PPX_AVX2_FN __m256i load(const std::int16_t* p) noexcept { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
PPX_AVX2_FN void store(std::int16_t* p, __m256i v) noexcept { _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v); }

/// montgomery_reduce(a * b) per lane, with bq = b * q^-1 mod 2^16.
PPX_AVX2_FN __m256i fqmul(__m256i a, __m256i b, __m256i bq) noexcept {
    const __m256i t = _mm256_mullo_epi16(a, bq);
    return _mm256_sub_epi16(_mm256_mulhi_epi16(a, b), _mm256_mulhi_epi16(t, _mm256_set1_epi16(q)));
}

/// barrett_reduce per lane.
PPX_AVX2_FN __m256i barrett(__m256i a) noexcept {
    __m256i t = _mm256_mulhi_epi16(a, _mm256_set1_epi16(20159));
    t = _mm256_srai_epi16(_mm256_add_epi16(t, _mm256_set1_epi16(512)), 10);
    return _mm256_sub_epi16(a, _mm256_mullo_epi16(t, _mm256_set1_epi16(q)));
}

/// ntt()'s butterfly: t = fqmul(z, b); b = a - t; a = a + t.
PPX_AVX2_FN void fwd_bf(__m256i& a, __m256i& b, __m256i z, __m256i zq) noexcept {
    const __m256i t = fqmul(b, z, zq);
    b = _mm256_sub_epi16(a, t);
    a = _mm256_add_epi16(a, t);
}

/// invntt()'s butterfly: a' = barrett(a + b); b' = fqmul(z, b - a).
PPX_AVX2_FN void inv_bf(__m256i& a, __m256i& b, __m256i z, __m256i zq) noexcept {
    const __m256i t = a;
    a = barrett(_mm256_add_epi16(t, b));
    b = fqmul(_mm256_sub_epi16(b, t), z, zq);
}

// The three pairings of a vector pair (x, y) = 32 consecutive coefficients. Each maps the
// pair to a pair in which lane j of one vector and lane j of the other are the coefficients
// a butterfly at distance 8, 4 or 2 combines; each is its own inverse.
PPX_AVX2_FN void shuffle8(__m256i& x, __m256i& y) noexcept {
    const __m256i a = _mm256_permute2x128_si256(x, y, 0x20), b = _mm256_permute2x128_si256(x, y, 0x31);
    x = a;
    y = b;
}
PPX_AVX2_FN void shuffle4(__m256i& x, __m256i& y) noexcept {
    const __m256i a = _mm256_unpacklo_epi64(x, y), b = _mm256_unpackhi_epi64(x, y);
    x = a;
    y = b;
}
PPX_AVX2_FN void shuffle2(__m256i& x, __m256i& y) noexcept {
    const __m256i a = _mm256_blend_epi32(x, _mm256_slli_epi64(y, 32), 0xAA);
    const __m256i b = _mm256_blend_epi32(_mm256_srli_epi64(x, 32), y, 0xAA);
    x = a;
    y = b;
}

/// zetas[k] and zetas[k] q^-1 broadcast to every lane.
PPX_AVX2_FN __m256i bz(std::size_t k) noexcept { return _mm256_set1_epi16(zetas[k]); }
PPX_AVX2_FN __m256i bzq(std::size_t k) noexcept { return _mm256_set1_epi16(times_qinv(zetas[k])); }

#define PPX_ZV(tbl, i) load(tables.tbl[i]), load(tables.tbl##q[i])

/// ntt() (FIPS 203 Algorithm 9), same output.
PPX_AVX2_FN void ntt(poly& p) noexcept {
    __m256i r[16];
    for (unsigned i = 0; i < 16; ++i) r[i] = load(p.c.data() + 16 * i);
    for (unsigned i = 0; i < 8; ++i) fwd_bf(r[i], r[i + 8], bz(1), bzq(1));                               // distance 128
    for (unsigned g = 0; g < 2; ++g)
        for (unsigned i = 0; i < 4; ++i) fwd_bf(r[8 * g + i], r[8 * g + i + 4], bz(2 + g), bzq(2 + g));      // 64
    for (unsigned g = 0; g < 4; ++g)
        for (unsigned i = 0; i < 2; ++i) fwd_bf(r[4 * g + i], r[4 * g + i + 2], bz(4 + g), bzq(4 + g));      // 32
    for (unsigned g = 0; g < 8; ++g) fwd_bf(r[2 * g], r[2 * g + 1], bz(8 + g), bzq(8 + g));                  // 16
    for (unsigned g = 0; g < 8; ++g) {
        __m256i x = r[2 * g], y = r[2 * g + 1];
        shuffle8(x, y);
        fwd_bf(x, y, PPX_ZV(f8, g));  // 8
        shuffle4(x, y);
        fwd_bf(x, y, PPX_ZV(f4, g));  // 4
        shuffle2(x, y);
        fwd_bf(x, y, PPX_ZV(f2, g));  // 2
        shuffle2(x, y);
        shuffle4(x, y);
        shuffle8(x, y);
        store(p.c.data() + 32 * g, x);
        store(p.c.data() + 32 * g + 16, y);
    }
}

/// invntt() (FIPS 203 Algorithm 10, times 2^16), same output.
PPX_AVX2_FN void invntt(poly& p) noexcept {
    __m256i r[16];
    for (unsigned g = 0; g < 8; ++g) {
        __m256i x = load(p.c.data() + 32 * g), y = load(p.c.data() + 32 * g + 16);
        shuffle8(x, y);
        shuffle4(x, y);
        shuffle2(x, y);
        inv_bf(x, y, PPX_ZV(i2, g));  // 2
        shuffle2(x, y);
        inv_bf(x, y, PPX_ZV(i4, g));  // 4
        shuffle4(x, y);
        inv_bf(x, y, PPX_ZV(i8, g));  // 8
        shuffle8(x, y);
        r[2 * g] = x;
        r[2 * g + 1] = y;
    }
    for (unsigned g = 0; g < 8; ++g) inv_bf(r[2 * g], r[2 * g + 1], bz(15 - g), bzq(15 - g));                // 16
    for (unsigned g = 0; g < 4; ++g)
        for (unsigned i = 0; i < 2; ++i) inv_bf(r[4 * g + i], r[4 * g + i + 2], bz(7 - g), bzq(7 - g));      // 32
    for (unsigned g = 0; g < 2; ++g)
        for (unsigned i = 0; i < 4; ++i) inv_bf(r[8 * g + i], r[8 * g + i + 4], bz(3 - g), bzq(3 - g));      // 64
    for (unsigned i = 0; i < 8; ++i) inv_bf(r[i], r[i + 8], bz(1), bzq(1));                                  // 128
    const __m256i f = _mm256_set1_epi16(1441), fq = _mm256_set1_epi16(times_qinv(1441));
    for (unsigned i = 0; i < 16; ++i) store(p.c.data() + 16 * i, fqmul(r[i], f, fq));
}

#undef PPX_ZV

/// reduce(): barrett_reduce on every coefficient.
PPX_AVX2_FN void reduce(poly& p) noexcept {
    for (unsigned i = 0; i < 16; ++i) store(p.c.data() + 16 * i, barrett(load(p.c.data() + 16 * i)));
}

/// fqmul(x, c) on every coefficient (to_mont uses c = 2^32 mod q).
PPX_AVX2_FN void mul_const(poly& p, std::int16_t c) noexcept {
    const __m256i v = _mm256_set1_epi16(c), vq = _mm256_set1_epi16(times_qinv(c));
    for (unsigned i = 0; i < 16; ++i) store(p.c.data() + 16 * i, fqmul(load(p.c.data() + 16 * i), v, vq));
}

/// basemul_acc<K>(): r = sum_l a[l] o b[l], times 2^-16, same output.
template <std::size_t K>
PPX_AVX2_FN void basemul_acc(poly& r, const poly* a, const poly* b) noexcept {
    const __m256i qinv = _mm256_set1_epi16(static_cast<std::int16_t>(q_inv));
    const __m256i qv = _mm256_set1_epi16(q);
    // swaps the two int16 of each 32-bit word
    const __m256i swap = _mm256_setr_epi8(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11,
                                          8, 9, 14, 15, 12, 13);
    for (unsigned m = 0; m < 16; ++m) {
        const __m256i gam = load(tables.gam[m]);
        __m256i r0 = _mm256_setzero_si256(), r1 = _mm256_setzero_si256();
        for (std::size_t l = 0; l < K; ++l) {
            const __m256i av = load(a[l].c.data() + 16 * m), bv = load(b[l].c.data() + 16 * m);
            const __m256i ab = fqmul(av, bv, _mm256_mullo_epi16(bv, qinv));  // odd lanes: fqmul(a1, b1)
            const __m256i x = _mm256_blend_epi16(av, ab, 0xAA);               // (a0, fqmul(a1, b1))
            const __m256i y = _mm256_blend_epi16(bv, gam, 0xAA);              // (b0, gamma)
            r0 = _mm256_add_epi32(r0, _mm256_madd_epi16(x, y));
            r1 = _mm256_add_epi32(r1, _mm256_madd_epi16(av, _mm256_shuffle_epi8(bv, swap)));
        }
        // Montgomery reduction of the 32-bit sums, interleaved back into (r0, r1) lanes.
        const __m256i lo = _mm256_blend_epi16(r0, _mm256_slli_epi32(r1, 16), 0xAA);
        const __m256i hi = _mm256_blend_epi16(_mm256_srli_epi32(r0, 16), r1, 0xAA);
        const __m256i t = _mm256_mullo_epi16(lo, qinv);
        store(r.c.data() + 16 * m, _mm256_sub_epi16(hi, _mm256_mulhi_epi16(t, qv)));
    }
}

/// Compress_d(to_unsigned(x)) for 16 coefficients in (-q, q): d-bit values in int16 lanes.
template <unsigned D>
PPX_AVX2_FN __m256i compress16(__m256i x) noexcept {
    const __m256i qv = _mm256_set1_epi16(q);
    x = _mm256_add_epi16(x, _mm256_and_si256(_mm256_srai_epi16(x, 15), qv));  // [0, q)
    // Estimate floor(2^D x / q) as floor(16 x M / 2^16) with M = round(2^(D + 12) / q); the
    // true value floor((2^D x + (q - 1) / 2) / q) is at most one away. Correct it with the
    // remainder rem = 2^D x + 1664 - est q, exact in 16 bits because it lies in (-q, 2q).
    constexpr std::int32_t m = static_cast<std::int32_t>(((std::int64_t{1} << (D + 12)) + q / 2) / q);
    __m256i est = _mm256_mulhi_epu16(_mm256_slli_epi16(x, 4), _mm256_set1_epi16(static_cast<std::int16_t>(m)));
    const __m256i num = _mm256_add_epi16(_mm256_slli_epi16(x, D), _mm256_set1_epi16(q / 2));  // mod 2^16
    __m256i rem = _mm256_sub_epi16(num, _mm256_mullo_epi16(est, qv));
    const __m256i up = _mm256_cmpgt_epi16(rem, _mm256_set1_epi16(q - 1));  // rem >= q: est + 1
    est = _mm256_sub_epi16(est, up);
    rem = _mm256_sub_epi16(rem, _mm256_and_si256(up, qv));
    const __m256i down = _mm256_cmpgt_epi16(_mm256_setzero_si256(), rem);  // rem < 0: est - 1
    est = _mm256_add_epi16(est, down);
    return _mm256_and_si256(est, _mm256_set1_epi16(static_cast<std::int16_t>((1 << D) - 1)));
}

/// compress_encode<D>(): ByteEncode_d(Compress_d(p)) into 32 D bytes.
template <unsigned D>
PPX_AVX2_FN void compress_encode(std::uint8_t* out, const poly& p) noexcept {
    alignas(32) std::uint16_t v[256];
    for (unsigned i = 0; i < 16; ++i)
        _mm256_store_si256(reinterpret_cast<__m256i*>(v + 16 * i), compress16<D>(load(p.c.data() + 16 * i)));
    // Bit packing of public-length groups: 8 values of D bits are D bytes.
    for (unsigned g = 0; g < 32; ++g) {
        std::uint64_t lo = 0, hi = 0;  // up to 88 bits
        for (unsigned j = 0; j < 8; ++j) {
            const unsigned sh = j * D;
            const std::uint64_t val = v[8 * g + j];
            if (sh >= 64) {
                hi |= val << (sh - 64);
            } else {
                lo |= val << sh;
                if (sh + D > 64) hi |= val >> (64 - sh);
            }
        }
        for (unsigned b = 0; b < D; ++b)
            out[D * g + b] = static_cast<std::uint8_t>(b < 8 ? lo >> (8 * b) : hi >> (8 * (b - 8)));
    }
    OPENSSL_cleanse(v, sizeof v);
}

/// to_message(): ByteEncode_1(Compress_1(p)) into 32 bytes.
PPX_AVX2_FN void to_message(std::uint8_t m[32], const poly& p) noexcept {
    for (unsigned i = 0; i < 8; ++i) {
        const __m256i a = compress16<1>(load(p.c.data() + 32 * i)), b = compress16<1>(load(p.c.data() + 32 * i + 16));
        // bytes 0/1 in coefficient order, then bit 7 of each byte into a 32-bit mask
        const __m256i bytes = _mm256_permute4x64_epi64(_mm256_packs_epi16(a, b), 0xD8);
        const auto bits = static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_slli_epi16(bytes, 7)));
        for (unsigned j = 0; j < 4; ++j) m[4 * i + j] = static_cast<std::uint8_t>(bits >> (8 * j));
    }
}

/// Decompress_d for 16 values below 2^d: (y q + 2^(d-1)) >> d as mulhrs(y 2^(15-d), q).
template <unsigned D>
PPX_AVX2_FN __m256i decompress16(__m256i y) noexcept {
    return _mm256_mulhrs_epi16(_mm256_slli_epi16(y, 15 - D), _mm256_set1_epi16(q));
}

/// decode_decompress<D>(): Decompress_d(ByteDecode_d(in)).
template <unsigned D>
PPX_AVX2_FN void decode_decompress(poly& p, const std::uint8_t* in) noexcept {
    alignas(32) std::uint16_t v[256];
    for (unsigned g = 0; g < 32; ++g) {
        std::uint64_t lo = 0, hi = 0;
        for (unsigned b = 0; b < D; ++b) {
            const std::uint64_t byte = in[D * g + b];
            if (b < 8) lo |= byte << (8 * b);
            else hi |= byte << (8 * (b - 8));
        }
        for (unsigned j = 0; j < 8; ++j) {
            const unsigned sh = j * D;
            std::uint64_t val;
            if (sh >= 64) {
                val = hi >> (sh - 64);
            } else {
                val = lo >> sh;
                if (sh + D > 64) val |= hi << (64 - sh);
            }
            v[8 * g + j] = static_cast<std::uint16_t>(val & ((1u << D) - 1));
        }
    }
    for (unsigned i = 0; i < 16; ++i)
        store(p.c.data() + 16 * i, decompress16<D>(_mm256_load_si256(reinterpret_cast<const __m256i*>(v + 16 * i))));
    OPENSSL_cleanse(v, sizeof v);
}

} // namespace ppx::mlkem::detail::avx2

#undef PPX_AVX2_FN
#endif
