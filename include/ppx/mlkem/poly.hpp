// ppx/mlkem/poly.hpp: arithmetic in R_q = Z_q[X]/(X^256 + 1), q = 3329 (FIPS 203 §2.4, §4).
//
// Internal to ML-KEM. Coefficients are int16_t. Every function here runs in time independent
// of the coefficient values (secret polynomials pass through all of them): reductions are
// Montgomery (R = 2^16) and Barrett, compression divides by q with a multiply and shift (no
// `div` instruction, whose latency depends on its operands), conditional subtraction uses
// masks. Only SampleNTT (rejection sampling of the public matrix from rho) branches on data,
// and that data is public (FIPS 203 §4.2.2).
//
// Domains: ntt() maps a polynomial to its plain NTT representation (zetas are stored times
// R, and one Montgomery multiplication removes that R). basemul_acc() returns the NTT-domain
// product times R^-1, and invntt() multiplies by R on the way back, so
// invntt(basemul_acc(ntt(a), ntt(b))) is the plain product a*b.
#pragma once

#include <ppx/mlkem/keccak.hpp>

#include <array>
#include <atomic>
#include <cstdint>

namespace ppx::mlkem::detail {

inline constexpr int n = 256;
inline constexpr std::int16_t q = 3329;
/// q^-1 mod 2^16.
inline constexpr std::uint32_t q_inv = 62209;
static_assert((q * q_inv) % 65536 == 1);

struct poly {
    std::array<std::int16_t, n> c;
};

// ---------------------------------------------------------------- field arithmetic

/// Montgomery reduction: for |a| < 2^15 q returns a * 2^-16 mod q in (-q, q).
constexpr std::int16_t montgomery_reduce(std::int32_t a) noexcept {
    const auto t = static_cast<std::int16_t>(static_cast<std::uint16_t>(static_cast<std::uint32_t>(a) * q_inv));
    return static_cast<std::int16_t>((a - static_cast<std::int32_t>(t) * q) >> 16);
}

/// a * b * 2^-16 mod q, in (-q, q), for |a * b| < 2^15 q.
constexpr std::int16_t fqmul(std::int16_t a, std::int16_t b) noexcept {
    return montgomery_reduce(static_cast<std::int32_t>(a) * b);
}

/// Barrett reduction: the representative of a mod q in [-(q-1)/2, (q-1)/2] (any int16 a).
constexpr std::int16_t barrett_reduce(std::int16_t a) noexcept {
    constexpr std::int32_t v = ((1 << 26) + q / 2) / q;
    const std::int32_t t = (v * a + (1 << 25)) >> 26;
    return static_cast<std::int16_t>(a - t * q);
}

/// Maps a in (-q, q) to [0, q) with a mask (no branch).
constexpr std::uint16_t to_unsigned(std::int16_t a) noexcept {
    return static_cast<std::uint16_t>(a + ((static_cast<std::int32_t>(a) >> 15) & q));
}

/// Maps a in [0, 2^12) to a mod q in [0, q) with a mask (no branch). ByteDecode_12 of a
/// decapsulation key (FIPS 203 §4.2.1: for d = 12 the decoded values are taken mod q).
constexpr std::int16_t csubq(std::int32_t a) noexcept {
    a -= q;
    a += (a >> 31) & q;
    return static_cast<std::int16_t>(a);
}

constexpr std::int16_t pow_mod(std::int32_t b, unsigned e) noexcept {
    std::int32_t r = 1;
    for (unsigned i = 0; i < e; ++i) r = r * b % q;
    return static_cast<std::int16_t>(r);
}

constexpr unsigned bitrev7(unsigned i) noexcept {
    unsigned r = 0;
    for (unsigned b = 0; b < 7; ++b) r |= ((i >> b) & 1u) << (6 - b);
    return r;
}

/// x * 2^16 mod q, centred in (-q/2, q/2].
constexpr std::int16_t to_mont_centred(std::int32_t x) noexcept {
    std::int32_t r = x * 65536 % q;
    if (r > q / 2) r -= q;
    return static_cast<std::int16_t>(r);
}

/// FIPS 203 §4.3: zeta = 17, a primitive 256th root of unity mod q.
inline constexpr std::int32_t zeta = 17;

/// zetas[i] = zeta^BitRev7(i) * 2^16 mod q (FIPS 203 Appendix A, Montgomery form).
constexpr std::array<std::int16_t, 128> make_zetas() noexcept {
    std::array<std::int16_t, 128> z{};
    for (unsigned i = 0; i < 128; ++i) z[i] = to_mont_centred(pow_mod(zeta, bitrev7(i)));
    return z;
}
inline constexpr auto zetas = make_zetas();

/// gammas[i] = zeta^(2 BitRev7(i) + 1) * 2^16 mod q (FIPS 203 §4.3.1 eq. 4.13, Montgomery form).
constexpr std::array<std::int16_t, 128> make_gammas() noexcept {
    std::array<std::int16_t, 128> g{};
    for (unsigned i = 0; i < 128; ++i) g[i] = to_mont_centred(pow_mod(zeta, 2 * bitrev7(i) + 1));
    return g;
}
inline constexpr auto gammas = make_gammas();

static_assert(pow_mod(zeta, 128) == q - 1, "17 is a primitive 256th root of unity mod q");
static_assert(montgomery_reduce(static_cast<std::int32_t>(to_mont_centred(1234)) * 1) == 1234 ||
              montgomery_reduce(static_cast<std::int32_t>(to_mont_centred(1234)) * 1) == 1234 - q);

} // namespace ppx::mlkem::detail

#include <ppx/mlkem/poly_avx2.hpp>

namespace ppx::mlkem::detail {

// ---------------------------------------------------------------- backend selection

/// Test hook: while true, ML-KEM takes the portable path everywhere (scalar R_q arithmetic,
/// one-state Keccak) even on a CPU with AVX2, so tests can check both paths against each
/// other. Not meant to be flipped while other threads run ML-KEM.
inline std::atomic<bool> force_portable{false};

/// True when the AVX2 routines (poly_avx2.hpp) and the 4-way Keccak are used: the CPU has
/// AVX2 (tested once per process) and force_portable is off. Depends on no data.
inline bool simd_enabled() noexcept {
    return keccak::x4::available() && !force_portable.load(std::memory_order_relaxed);
}

#ifdef PPX_MLKEM_AVX2
#define PPX_MLKEM_DISPATCH(call) \
    if (simd_enabled()) return avx2::call;
#else
#define PPX_MLKEM_DISPATCH(call)
#endif

// ---------------------------------------------------------------- NTT (FIPS 203 §4.3)

/// FIPS 203 Algorithm 9 (NTT), in place. Input |coefficients| < q; output |coefficients| < 8q
/// (call reduce() before multiplying or encoding).
inline void ntt_ref(poly& p) noexcept {
    std::size_t k = 1;
    for (std::size_t len = 128; len >= 2; len >>= 1) {
        for (std::size_t start = 0; start < 256; start += 2 * len) {
            const std::int16_t z = zetas[k++];
            for (std::size_t j = start; j < start + len; ++j) {
                const std::int16_t t = fqmul(z, p.c[j + len]);
                p.c[j + len] = static_cast<std::int16_t>(p.c[j] - t);
                p.c[j] = static_cast<std::int16_t>(p.c[j] + t);
            }
        }
    }
}

/// FIPS 203 Algorithm 10 (NTT^-1), in place, times 2^16 (see the domains note above).
/// Input |coefficients| < q; output |coefficients| < q.
inline void invntt_ref(poly& p) noexcept {
    // 1441 = 2^32 / 128 mod q: the final scaling by 128^-1 (FIPS 203 Algorithm 10 line 14,
    // 3303 = 128^-1) together with the factor 2^16 that cancels basemul's 2^-16.
    constexpr std::int16_t f = 1441;
    std::size_t k = 127;
    for (std::size_t len = 2; len <= 128; len <<= 1) {
        for (std::size_t start = 0; start < 256; start += 2 * len) {
            const std::int16_t z = zetas[k--];
            for (std::size_t j = start; j < start + len; ++j) {
                const std::int16_t t = p.c[j];
                p.c[j] = barrett_reduce(static_cast<std::int16_t>(t + p.c[j + len]));
                p.c[j + len] = fqmul(z, static_cast<std::int16_t>(p.c[j + len] - t));
            }
        }
    }
    for (auto& x : p.c) x = fqmul(x, f);
}

/// ntt() with the AVX2 routine when available (same result).
inline void ntt(poly& p) noexcept {
    PPX_MLKEM_DISPATCH(ntt(p))
    ntt_ref(p);
}

/// invntt() with the AVX2 routine when available (same result).
inline void invntt(poly& p) noexcept {
    PPX_MLKEM_DISPATCH(invntt(p))
    invntt_ref(p);
}

/// Barrett-reduces every coefficient to [-(q-1)/2, (q-1)/2].
inline void reduce_ref(poly& p) noexcept {
    for (auto& x : p.c) x = barrett_reduce(x);
}
inline void reduce(poly& p) noexcept {
    PPX_MLKEM_DISPATCH(reduce(p))
    reduce_ref(p);
}

/// Multiplies every coefficient by 2^16 (Montgomery) mod q: undoes basemul's 2^-16.
inline constexpr std::int16_t mont_r2 = 1353;  // 2^32 mod q
inline void to_mont_ref(poly& p) noexcept {
    for (auto& x : p.c) x = fqmul(x, mont_r2);
}
inline void to_mont(poly& p) noexcept {
    PPX_MLKEM_DISPATCH(mul_const(p, mont_r2))
    to_mont_ref(p);
}

inline void add(poly& r, const poly& a) noexcept {
    for (int i = 0; i < n; ++i) r.c[i] = static_cast<std::int16_t>(r.c[i] + a.c[i]);
}

inline void sub(poly& r, const poly& a) noexcept {
    for (int i = 0; i < n; ++i) r.c[i] = static_cast<std::int16_t>(r.c[i] - a.c[i]);
}

/// r = sum_l a[l] o b[l] in T_q (FIPS 203 Algorithms 11 and 12, MultiplyNTTs and
/// BaseCaseMultiply, summed over l with one Montgomery reduction per output), times 2^-16.
/// Inputs: |coefficients| < q. With K <= 4 the 32-bit accumulators stay below 2^15 q.
template <std::size_t K>
inline void basemul_acc_ref(poly& r, const poly* a, const poly* b) noexcept {
    for (std::size_t i = 0; i < 128; ++i) {
        std::int32_t r0 = 0, r1 = 0;
        for (std::size_t l = 0; l < K; ++l) {
            const std::int32_t a0 = a[l].c[2 * i], a1 = a[l].c[2 * i + 1];
            const std::int32_t b0 = b[l].c[2 * i], b1 = b[l].c[2 * i + 1];
            r0 += a0 * b0 + static_cast<std::int32_t>(fqmul(static_cast<std::int16_t>(a1), static_cast<std::int16_t>(b1))) * gammas[i];
            r1 += a0 * b1 + a1 * b0;
        }
        r.c[2 * i] = montgomery_reduce(r0);
        r.c[2 * i + 1] = montgomery_reduce(r1);
    }
}
template <std::size_t K>
inline void basemul_acc(poly& r, const poly* a, const poly* b) noexcept {
    PPX_MLKEM_DISPATCH(basemul_acc<K>(r, a, b))
    basemul_acc_ref<K>(r, a, b);
}

// ---------------------------------------------------------------- encoding (FIPS 203 §4.2.1)

/// Compress_d (FIPS 203 eq. 4.7) of x in [0, q): round(2^d x / q) mod 2^d. The division by
/// q is a multiplication by ceil(2^36 / q) and a shift, exact for every numerator below 2^23.
template <unsigned D>
constexpr std::uint32_t compress(std::uint32_t x) noexcept {
    static_assert(D >= 1 && D <= 11);
    constexpr std::uint64_t m = ((std::uint64_t{1} << 36) + q - 1) / q;
    const std::uint64_t num = (std::uint64_t{x} << D) + q / 2;
    return static_cast<std::uint32_t>((num * m) >> 36) & ((1u << D) - 1);
}

/// Decompress_d (FIPS 203 eq. 4.8) of y in [0, 2^d): round(q y / 2^d).
template <unsigned D>
constexpr std::int16_t decompress(std::uint32_t y) noexcept {
    return static_cast<std::int16_t>((y * q + (1u << (D - 1))) >> D);
}

/// ByteEncode_d (FIPS 203 Algorithm 5) of 256 values below 2^d into 32 d bytes.
template <unsigned D, class F>
inline void byte_encode(std::uint8_t* out, F&& value) noexcept {
    std::uint32_t acc = 0;
    unsigned bits = 0;
    for (int i = 0; i < n; ++i) {
        acc |= static_cast<std::uint32_t>(value(i)) << bits;
        bits += D;
        while (bits >= 8) {
            *out++ = static_cast<std::uint8_t>(acc);
            acc >>= 8;
            bits -= 8;
        }
    }
}

/// ByteDecode_d (FIPS 203 Algorithm 6) of 32 d bytes: calls sink(i, value) with each d-bit value.
template <unsigned D, class F>
inline void byte_decode(const std::uint8_t* in, F&& sink) noexcept {
    std::uint32_t acc = 0;
    unsigned bits = 0;
    for (int i = 0; i < n; ++i) {
        while (bits < D) {
            acc |= static_cast<std::uint32_t>(*in++) << bits;
            bits += 8;
        }
        sink(i, acc & ((1u << D) - 1));
        acc >>= D;
        bits -= D;
    }
}

/// ByteEncode_12 of a polynomial with |coefficients| < q (each mapped to [0, q) first).
inline void encode12(std::uint8_t out[384], const poly& p) noexcept {
    for (int i = 0; i < n / 2; ++i) {
        const std::uint16_t a = to_unsigned(p.c[2 * i]), b = to_unsigned(p.c[2 * i + 1]);
        out[3 * i] = static_cast<std::uint8_t>(a);
        out[3 * i + 1] = static_cast<std::uint8_t>((a >> 8) | (b << 4));
        out[3 * i + 2] = static_cast<std::uint8_t>(b >> 4);
    }
}

/// ByteDecode_12 then mod q (FIPS 203 §4.2.1), branch-free: for secret key material.
inline void decode12_mod_q(poly& p, const std::uint8_t in[384]) noexcept {
    for (int i = 0; i < n / 2; ++i) {
        const std::uint32_t b0 = in[3 * i], b1 = in[3 * i + 1], b2 = in[3 * i + 2];
        p.c[2 * i] = csubq(static_cast<std::int32_t>(b0 | ((b1 & 0x0f) << 8)));
        p.c[2 * i + 1] = csubq(static_cast<std::int32_t>((b1 >> 4) | (b2 << 4)));
    }
}

/// ByteDecode_12 for an encapsulation key: returns false if any value is >= q, which is
/// exactly when ByteEncode_12(ByteDecode_12(ek)) != ek (FIPS 203 §7.2 modulus check).
/// The key is public, so the result may be used in a branch.
inline bool decode12_checked(poly& p, const std::uint8_t in[384]) noexcept {
    std::uint32_t bad = 0;
    for (int i = 0; i < n / 2; ++i) {
        const std::uint32_t b0 = in[3 * i], b1 = in[3 * i + 1], b2 = in[3 * i + 2];
        const std::uint32_t a = b0 | ((b1 & 0x0f) << 8), b = (b1 >> 4) | (b2 << 4);
        bad |= (static_cast<std::uint32_t>(q - 1) - a) | (static_cast<std::uint32_t>(q - 1) - b);
        p.c[2 * i] = static_cast<std::int16_t>(a);
        p.c[2 * i + 1] = static_cast<std::int16_t>(b);
    }
    return (bad >> 31) == 0;
}

/// ByteEncode_d(Compress_d(p)) for d in {4, 5, 10, 11}: 32 d bytes. |coefficients| < q.
template <unsigned D>
inline void compress_encode_ref(std::uint8_t* out, const poly& p) noexcept {
    byte_encode<D>(out, [&](int i) { return compress<D>(to_unsigned(p.c[i])); });
}
template <unsigned D>
inline void compress_encode(std::uint8_t* out, const poly& p) noexcept {
    PPX_MLKEM_DISPATCH(compress_encode<D>(out, p))
    compress_encode_ref<D>(out, p);
}

/// Decompress_d(ByteDecode_d(in)) for d in {4, 5, 10, 11}.
template <unsigned D>
inline void decode_decompress_ref(poly& p, const std::uint8_t* in) noexcept {
    byte_decode<D>(in, [&](int i, std::uint32_t v) { p.c[i] = decompress<D>(v); });
}
template <unsigned D>
inline void decode_decompress(poly& p, const std::uint8_t* in) noexcept {
    PPX_MLKEM_DISPATCH(decode_decompress<D>(p, in))
    decode_decompress_ref<D>(p, in);
}

/// Decompress_1(ByteDecode_1(m)): bit i of m becomes (q+1)/2 or 0, with a mask.
inline void from_message(poly& p, const std::uint8_t m[32]) noexcept {
    for (int i = 0; i < n; ++i) {
        const std::uint32_t bit = (m[i / 8] >> (i % 8)) & 1u;
        p.c[i] = static_cast<std::int16_t>((0u - bit) & ((q + 1) / 2));
    }
}

/// ByteEncode_1(Compress_1(p)) into 32 bytes. |coefficients| < q.
inline void to_message_ref(std::uint8_t m[32], const poly& p) noexcept {
    for (int i = 0; i < 32; ++i) {
        std::uint32_t byte = 0;
        for (int j = 0; j < 8; ++j) byte |= compress<1>(to_unsigned(p.c[8 * i + j])) << j;
        m[i] = static_cast<std::uint8_t>(byte);
    }
}
inline void to_message(std::uint8_t m[32], const poly& p) noexcept {
    PPX_MLKEM_DISPATCH(to_message(m, p))
    to_message_ref(m, p);
}

// ---------------------------------------------------------------- sampling (FIPS 203 §4.2.2)

/// The rejection step of SampleNTT (FIPS 203 Algorithm 7 lines 4-15) over `len` bytes (a
/// multiple of 3) of XOF output: appends accepted values to p from index `count`; returns the
/// new count (at most 256). Branches on the (public) XOF output only.
inline int parse_ntt(poly& p, int count, const std::uint8_t* buf, std::size_t len) noexcept {
    std::size_t pos = 0;
    // While two slots are free, store both candidates and advance by their acceptance bits:
    // no branch per candidate (a rejection rate of 19% mispredicts a branch often).
    for (; pos + 3 <= len && count <= n - 2; pos += 3) {
        const auto d1 = static_cast<std::uint16_t>(buf[pos] | ((buf[pos + 1] & 0x0f) << 8));
        const auto d2 = static_cast<std::uint16_t>((buf[pos + 1] >> 4) | (buf[pos + 2] << 4));
        p.c[static_cast<std::size_t>(count)] = static_cast<std::int16_t>(d1);
        count += d1 < q;
        p.c[static_cast<std::size_t>(count)] = static_cast<std::int16_t>(d2);
        count += d2 < q;
    }
    for (; pos + 3 <= len && count < n; pos += 3) {
        const std::uint16_t d1 = static_cast<std::uint16_t>(buf[pos] | ((buf[pos + 1] & 0x0f) << 8));
        const std::uint16_t d2 = static_cast<std::uint16_t>((buf[pos + 1] >> 4) | (buf[pos + 2] << 4));
        if (d1 < q) p.c[count++] = static_cast<std::int16_t>(d1);
        if (d2 < q && count < n) p.c[count++] = static_cast<std::int16_t>(d2);
    }
    return count;
}

/// SampleNTT (FIPS 203 Algorithm 7): rejection sampling of a uniform element of T_q from
/// SHAKE128(rho || j || i).
inline void sample_ntt(poly& p, const std::uint8_t rho[32], std::uint8_t j, std::uint8_t i) noexcept {
    keccak::shake128 xof;
    const std::uint8_t idx[2] = {j, i};
    xof.absorb(bytes_view(rho, 32)).absorb(bytes_view(idx, 2));
    xof.finalize();
    std::uint8_t buf[3 * keccak::shake128::rate];
    xof.squeeze(buf);
    int count = parse_ntt(p, 0, buf, sizeof buf);
    while (count < n) {
        xof.squeeze(std::span<std::uint8_t>(buf, keccak::shake128::rate));
        count = parse_ntt(p, count, buf, keccak::shake128::rate);
    }
}

/// Four SampleNTT calls at once on the 4-way Keccak: out[l] = SampleNTT(rho || idx[l][0] ||
/// idx[l][1]). Same results as sample_ntt().
inline void sample_ntt_x4(poly* const out[4], const std::uint8_t rho[32], const std::uint8_t idx[4][2]) noexcept {
    constexpr std::size_t rate = keccak::shake128::rate;
    std::uint8_t msg[4][34];
    const std::uint8_t* m[4];
    for (unsigned l = 0; l < 4; ++l) {
        std::memcpy(msg[l], rho, 32);
        msg[l][32] = idx[l][0];
        msg[l][33] = idx[l][1];
        m[l] = msg[l];
    }
    alignas(32) keccak::x4::state st;
    keccak::x4::absorb_one_block(st, rate, 0x1f, m, 34);
    int count[4] = {0, 0, 0, 0};
    std::uint8_t buf[rate];
    for (int block = 0;; ++block) {
        bool done = true;
        for (unsigned l = 0; l < 4; ++l) {
            if (count[l] < n) {
                keccak::x4::extract(st, l, buf, rate);
                count[l] = parse_ntt(*out[l], count[l], buf, rate);
            }
            done &= count[l] >= n;
        }
        if (done) break;
        keccak::x4::permute(st);
    }
}

/// SamplePolyCBD_eta (FIPS 203 Algorithm 8) from 64 eta bytes. Branch-free.
template <unsigned Eta>
inline void cbd_from_bytes(poly& p, const std::uint8_t* buf) noexcept {
    static_assert(Eta == 2 || Eta == 3);
    if constexpr (Eta == 2) {
        for (int i = 0; i < n / 8; ++i) {
            const std::uint32_t t = static_cast<std::uint32_t>(buf[4 * i]) | static_cast<std::uint32_t>(buf[4 * i + 1]) << 8 |
                                    static_cast<std::uint32_t>(buf[4 * i + 2]) << 16 |
                                    static_cast<std::uint32_t>(buf[4 * i + 3]) << 24;
            const std::uint32_t d = (t & 0x55555555u) + ((t >> 1) & 0x55555555u);
            for (int j = 0; j < 8; ++j) {
                const std::int32_t x = static_cast<std::int32_t>((d >> (4 * j)) & 3u);
                const std::int32_t y = static_cast<std::int32_t>((d >> (4 * j + 2)) & 3u);
                p.c[8 * i + j] = static_cast<std::int16_t>(x - y);
            }
        }
    } else {
        for (int i = 0; i < n / 4; ++i) {
            const std::uint32_t t = static_cast<std::uint32_t>(buf[3 * i]) | static_cast<std::uint32_t>(buf[3 * i + 1]) << 8 |
                                    static_cast<std::uint32_t>(buf[3 * i + 2]) << 16;
            const std::uint32_t d = (t & 0x249249u) + ((t >> 1) & 0x249249u) + ((t >> 2) & 0x249249u);
            for (int j = 0; j < 4; ++j) {
                const std::int32_t x = static_cast<std::int32_t>((d >> (6 * j)) & 7u);
                const std::int32_t y = static_cast<std::int32_t>((d >> (6 * j + 3)) & 7u);
                p.c[4 * i + j] = static_cast<std::int16_t>(x - y);
            }
        }
    }
}

/// SamplePolyCBD_eta(PRF_eta(sigma, N)) with PRF_eta(s, b) = SHAKE256(s || b, 64 eta) (FIPS 203
/// §4.1 eq. 4.3, Algorithm 8). Branch-free; sigma is secret.
template <unsigned Eta>
inline void sample_cbd(poly& p, const std::uint8_t sigma[32], std::uint8_t nonce) noexcept {
    std::uint8_t buf[64 * Eta];
    keccak::shake256 prf;
    prf.absorb(bytes_view(sigma, 32)).absorb(bytes_view(&nonce, 1));
    prf.finalize();
    prf.squeeze(buf);
    cbd_from_bytes<Eta>(p, buf);
    OPENSSL_cleanse(buf, sizeof buf);
}

/// Four sample_cbd calls at once on the 4-way Keccak: out[l] from PRF(sigma, nonce[l]).
template <unsigned Eta>
inline void sample_cbd_x4(poly* const out[4], const std::uint8_t sigma[32], const std::uint8_t nonce[4]) noexcept {
    constexpr std::size_t rate = keccak::shake256::rate;  // 136
    std::uint8_t msg[4][33];
    const std::uint8_t* m[4];
    for (unsigned l = 0; l < 4; ++l) {
        std::memcpy(msg[l], sigma, 32);
        msg[l][32] = nonce[l];
        m[l] = msg[l];
    }
    alignas(32) keccak::x4::state st;
    keccak::x4::absorb_one_block(st, rate, 0x1f, m, 33);
    std::uint8_t buf[4][2 * rate];
    for (unsigned l = 0; l < 4; ++l) keccak::x4::extract(st, l, buf[l], rate);
    if constexpr (64 * Eta > rate) {
        keccak::x4::permute(st);
        for (unsigned l = 0; l < 4; ++l) keccak::x4::extract(st, l, buf[l] + rate, rate);
    }
    for (unsigned l = 0; l < 4; ++l) cbd_from_bytes<Eta>(*out[l], buf[l]);
    OPENSSL_cleanse(msg, sizeof msg);
    OPENSSL_cleanse(buf, sizeof buf);
    OPENSSL_cleanse(&st, sizeof st);
}

/// Fills polys[0..count) with sample_cbd<Eta>(sigma, nonces[i]), four at a time when the CPU
/// has AVX2.
template <unsigned Eta>
inline void sample_cbd_many(poly* const* polys, const std::uint8_t* nonces, std::size_t count,
                            const std::uint8_t sigma[32]) noexcept {
    std::size_t i = 0;
    if (simd_enabled()) {
        poly spare;
        for (; i < count; i += 4) {
            poly* out[4];
            std::uint8_t nn[4];
            for (unsigned l = 0; l < 4; ++l) {
                out[l] = i + l < count ? polys[i + l] : &spare;
                nn[l] = i + l < count ? nonces[i + l] : 0xff;
            }
            sample_cbd_x4<Eta>(out, sigma, nn);
        }
        OPENSSL_cleanse(&spare, sizeof spare);
        return;
    }
    for (; i < count; ++i) sample_cbd<Eta>(*polys[i], sigma, nonces[i]);
}

// ---------------------------------------------------------------- constant-time selection

/// Hides a value from the optimiser so that mask arithmetic is not turned back into a branch.
inline std::uint8_t value_barrier(std::uint8_t x) noexcept {
#if defined(__GNUC__) || defined(__clang__)
    __asm__("" : "+r"(x));
#endif
    return x;
}

/// 0xff if a[0..len) != b[0..len), else 0x00, in time depending only on len.
inline std::uint8_t ct_neq_mask(const std::uint8_t* a, const std::uint8_t* b, std::size_t len) noexcept {
    std::uint8_t acc = 0;
    for (std::size_t i = 0; i < len; ++i) acc = static_cast<std::uint8_t>(acc | (a[i] ^ b[i]));
    const std::uint32_t v = value_barrier(acc);
    return value_barrier(static_cast<std::uint8_t>(0u - ((v | (0u - v)) >> 31)));
}

/// dst = mask ? src : dst (mask is 0x00 or 0xff), without a branch.
inline void ct_cmov(std::uint8_t* dst, const std::uint8_t* src, std::size_t len, std::uint8_t mask) noexcept {
    for (std::size_t i = 0; i < len; ++i) dst[i] = static_cast<std::uint8_t>(dst[i] ^ (mask & (dst[i] ^ src[i])));
}

} // namespace ppx::mlkem::detail

#undef PPX_MLKEM_DISPATCH
