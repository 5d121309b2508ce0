// ppx/mlkem/keccak.hpp: Keccak-f[1600] and the SHA-3 / SHAKE functions of FIPS 202.
//
// ML-KEM (FIPS 203 §4.1) calls SHA3-256 (H), SHA3-512 (G), SHAKE128 (XOF, incremental
// squeeze for SampleNTT) and SHAKE256 (PRF, J) dozens of times per operation on short inputs.
// OpenSSL 3.0's EVP interface costs a provider lookup and a heap allocation per call, which
// would dominate, so ppx carries its own sponge: a plain struct on the stack, no allocation,
// no branch or table index that depends on the absorbed data (the round constants and
// rotation offsets are indexed by the round number only). Every sponge state is wiped on
// destruction because it may have absorbed secrets (seeds, messages, keys).
//
// The round constants (FIPS 202 §3.2.5, rc()) and rotation offsets (§3.2.2) are computed at
// compile time from their definitions rather than transcribed.
#pragma once

#include <ppx/core/bytes.hpp>
#include <ppx/core/ct.hpp>

#include <array>
#include <bit>
#include <cassert>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace ppx::mlkem::keccak {

namespace detail {

/// FIPS 202 §3.2.5 Algorithm 5: rc(t), the output bit of the degree-8 LFSR.
constexpr bool rc_bit(unsigned t) noexcept {
    if (t % 255 == 0) return true;
    unsigned r = 0x80;  // R = 10000000, bit 0 of the spec is the most significant here
    for (unsigned i = 1; i <= t % 255; ++i) {
        // R = 0 || R; R[0] ^= R[8]; R[4] ^= R[8]; R[5] ^= R[8]; R[6] ^= R[8]; R = Trunc8(R).
        const unsigned r8 = r & 1;
        r >>= 1;
        if (r8) r ^= 0x80 | 0x08 | 0x04 | 0x02;
    }
    return (r & 0x80) != 0;
}

/// FIPS 202 §3.2.5 Algorithm 6: the round constant of round ir of Keccak-p[1600, 24].
constexpr std::uint64_t round_constant(unsigned ir) noexcept {
    std::uint64_t rc = 0;
    for (unsigned j = 0; j <= 6; ++j)
        if (rc_bit(j + 7 * ir)) rc |= std::uint64_t{1} << ((1u << j) - 1);
    return rc;
}

constexpr std::array<std::uint64_t, 24> make_round_constants() noexcept {
    std::array<std::uint64_t, 24> rc{};
    for (unsigned i = 0; i < 24; ++i) rc[i] = round_constant(i);
    return rc;
}
inline constexpr auto round_constants = make_round_constants();

/// FIPS 202 §3.2.2 Algorithm 2 (rho): offset of lane (x, y), stored at index x + 5y.
constexpr std::array<unsigned, 25> make_rho_offsets() noexcept {
    std::array<unsigned, 25> r{};
    unsigned x = 1, y = 0;
    for (unsigned t = 0; t < 24; ++t) {
        r[x + 5 * y] = ((t + 1) * (t + 2) / 2) % 64;
        const unsigned nx = y, ny = (2 * x + 3 * y) % 5;
        x = nx;
        y = ny;
    }
    return r;
}
inline constexpr auto rho_offsets = make_rho_offsets();

/// FIPS 202 §3.2.3 (pi): A'[x, y] = A[(x + 3y) mod 5, x]. pi_source[x + 5y] is the index of
/// the lane that moves to (x, y).
constexpr std::array<unsigned, 25> make_pi_source() noexcept {
    std::array<unsigned, 25> p{};
    for (unsigned x = 0; x < 5; ++x)
        for (unsigned y = 0; y < 5; ++y) p[x + 5 * y] = (x + 3 * y) % 5 + 5 * x;
    return p;
}
inline constexpr auto pi_source = make_pi_source();

static_assert(round_constants[0] == 0x0000000000000001ull);
static_assert(round_constants[1] == 0x0000000000008082ull);
static_assert(round_constants[23] == 0x8000000080008008ull);
static_assert(rho_offsets[1] == 1 && rho_offsets[2] == 62 && rho_offsets[24] == 14);

inline std::uint64_t load64_le(const std::uint8_t* p) noexcept {
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
    return v;
}

inline void store64_le(std::uint8_t* p, std::uint64_t v) noexcept {
    if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
    std::memcpy(p, &v, 8);
}

} // namespace detail

/// The 1600-bit state as 25 lanes, lane (x, y) at index x + 5y (FIPS 202 §3.1.2).
using state = std::array<std::uint64_t, 25>;

/// Keccak-p[1600, Rounds] (FIPS 202 §3.3): the last `Rounds` rounds of Keccak-f[1600], i.e.
/// round indices 24 - Rounds .. 23, in place. Rounds = 12 is TurboSHAKE's permutation
/// (RFC 9861 §2.2).
template <unsigned Rounds>
inline void permute_rounds(state& a) noexcept {
    static_assert(Rounds >= 1 && Rounds <= 24);
    using detail::pi_source;
    using detail::rho_offsets;
    for (unsigned round = 24 - Rounds; round < 24; ++round) {
        // theta (§3.2.1)
        std::uint64_t c[5], d[5];
#pragma GCC unroll 5
        for (unsigned x = 0; x < 5; ++x) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
#pragma GCC unroll 5
        for (unsigned x = 0; x < 5; ++x) d[x] = c[(x + 4) % 5] ^ std::rotl(c[(x + 1) % 5], 1);
        // rho and pi (§3.2.2, §3.2.3) fused: b[x + 5y] = rotl(A[src] ^ D[src.x], offset[src]).
        std::uint64_t b[25];
#pragma GCC unroll 25
        for (unsigned i = 0; i < 25; ++i) {
            const unsigned s = pi_source[i];
            b[i] = std::rotl(a[s] ^ d[s % 5], static_cast<int>(rho_offsets[s]));
        }
        // chi (§3.2.4)
#pragma GCC unroll 5
        for (unsigned y = 0; y < 25; y += 5) {
#pragma GCC unroll 5
            for (unsigned x = 0; x < 5; ++x)
                a[y + x] = b[y + x] ^ (~b[y + (x + 1) % 5] & b[y + (x + 2) % 5]);
        }
        // iota (§3.2.5)
        a[0] ^= detail::round_constants[round];
    }
}

/// Keccak-f[1600] = Keccak-p[1600, 24] (FIPS 202 §3.3, §3.4), in place.
inline void permute(state& a) noexcept { permute_rounds<24>(a); }

/// Four independent Keccak-f[1600] states advanced together with 256-bit vectors (AVX2),
/// for ML-KEM's many short, independent XOF and PRF calls (matrix A, noise polynomials).
/// State layout: lane i of instance l is s[i][l]. The functions here are only called when
/// available() says the CPU has AVX2 (checked once, at run time); otherwise ML-KEM uses the
/// one-state sponge. Same operations as permute(), so the same constant-time properties.
namespace x4 {

using state = std::uint64_t[25][4];

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define PPX_KECCAK_X4 1

/// True when the CPU has AVX2 (tested once per process).
inline bool available() noexcept {
    static const bool yes = __builtin_cpu_supports("avx2");
    return yes;
}

/// Keccak-f[1600] on the four states of `st`, in place.
__attribute__((target("avx2"))) inline void permute(state& st) noexcept {
    typedef std::uint64_t lane __attribute__((vector_size(32)));
    using detail::pi_source;
    using detail::rho_offsets;
    lane a[25];
    for (unsigned i = 0; i < 25; ++i) std::memcpy(&a[i], st[i], 32);
    for (unsigned round = 0; round < 24; ++round) {
        lane c[5], d[5], b[25];
#pragma GCC unroll 5
        for (unsigned x = 0; x < 5; ++x) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
#pragma GCC unroll 5
        for (unsigned x = 0; x < 5; ++x) {
            const lane r = c[(x + 1) % 5];
            d[x] = c[(x + 4) % 5] ^ ((r << 1) | (r >> 63));
        }
#pragma GCC unroll 25
        for (unsigned i = 0; i < 25; ++i) {
            const unsigned src = pi_source[i];
            const lane v = a[src] ^ d[src % 5];
            const unsigned n = rho_offsets[src];
            b[i] = (v << n) | (v >> ((64 - n) & 63));  // rotl by n, also for n = 0
        }
#pragma GCC unroll 5
        for (unsigned y = 0; y < 25; y += 5) {
#pragma GCC unroll 5
            for (unsigned x = 0; x < 5; ++x) a[y + x] = b[y + x] ^ (~b[y + (x + 1) % 5] & b[y + (x + 2) % 5]);
        }
        a[0] ^= detail::round_constants[round];
    }
    for (unsigned i = 0; i < 25; ++i) std::memcpy(st[i], &a[i], 32);
}
#else
inline bool available() noexcept { return false; }
inline void permute(state& st) noexcept {
    for (unsigned l = 0; l < 4; ++l) {
        keccak::state one;
        for (unsigned i = 0; i < 25; ++i) one[i] = st[i][l];
        keccak::permute(one);
        for (unsigned i = 0; i < 25; ++i) st[i][l] = one[i];
    }
}
#endif

/// Starts instance l of `st` as a sponge of rate `rate` that has absorbed the single message
/// msg[l] (len < rate bytes, the same len for all four) and been padded with `suffix` and
/// pad10*1 (FIPS 202 §5.1), then applies the first permutation: st is ready to squeeze.
inline void absorb_one_block(state& st, std::size_t rate, std::uint8_t suffix, const std::uint8_t* const msg[4],
                             std::size_t len) noexcept {
    std::memset(st, 0, sizeof(state));
    std::uint8_t block[200];
    for (unsigned l = 0; l < 4; ++l) {
        std::memset(block, 0, rate);
        std::memcpy(block, msg[l], len);
        block[len] ^= suffix;
        block[rate - 1] ^= 0x80;
        for (std::size_t i = 0; i < rate / 8; ++i) st[i][l] = detail::load64_le(block + 8 * i);
    }
    OPENSSL_cleanse(block, sizeof block);
    permute(st);
}

/// Copies the first `n` (<= 200, a multiple of 8) bytes of instance l's state to `out`.
inline void extract(const state& st, unsigned l, std::uint8_t* out, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n / 8; ++i) detail::store64_le(out + 8 * i, st[i][l]);
}

} // namespace x4

/// A Keccak sponge with a rate of `Rate` bytes and the domain-separation-plus-pad10*1 first
/// byte `Suffix` (0x06 for SHA-3, 0x1f for SHAKE; FIPS 202 §6.1, §6.2, B.2), over
/// Keccak-p[1600, Rounds] (24 = Keccak-f for SHA-3/SHAKE, 12 for TurboSHAKE, whose domain
/// byte D is the suffix: RFC 9861 §2.2).
///
/// Use: absorb()... then finalize() once, then squeeze()... (any lengths; squeezing continues
/// the output stream). Calling absorb() after finalize() is a logic error the type does not
/// guard against in release builds (asserted in debug builds).
template <std::size_t Rate, std::uint8_t Suffix, unsigned Rounds = 24>
class sponge {
public:
    static_assert(Rate % 8 == 0 && Rate < 200);
    static constexpr std::size_t rate = Rate;

    sponge() noexcept { s_.fill(0); }
    ~sponge() { wipe(); }
    sponge(const sponge&) noexcept = default;
    sponge& operator=(const sponge&) noexcept = default;

    /// Restarts with an empty state.
    void reset() noexcept {
        s_.fill(0);
        pos_ = 0;
        squeezing_ = false;
    }

    /// Absorbs `in` (any length).
    sponge& absorb(bytes_view in) noexcept {
        assert(!squeezing_);
        const std::uint8_t* p = in.data();
        std::size_t n = in.size();
        if (pos_ != 0) {
            while (n > 0 && pos_ < Rate) {
                xor_byte(pos_++, *p++);
                --n;
            }
            if (pos_ < Rate) return *this;
            permute_rounds<Rounds>(s_);
            pos_ = 0;
        }
        while (n >= Rate) {
            for (std::size_t i = 0; i < Rate / 8; ++i) s_[i] ^= detail::load64_le(p + 8 * i);
            permute_rounds<Rounds>(s_);
            p += Rate;
            n -= Rate;
        }
        for (std::size_t i = 0; i < n; ++i) xor_byte(pos_++, p[i]);
        return *this;
    }

    /// Pads the absorbed message (FIPS 202 §5.1 pad10*1 with the suffix bits) and switches
    /// to squeezing.
    void finalize() noexcept {
        assert(!squeezing_);
        xor_byte(pos_, Suffix);
        xor_byte(Rate - 1, 0x80);
        permute_rounds<Rounds>(s_);
        pos_ = 0;
        squeezing_ = true;
    }

    /// Writes the next out.size() bytes of output.
    void squeeze(mutable_bytes out) noexcept {
        assert(squeezing_);
        std::uint8_t* p = out.data();
        std::size_t n = out.size();
        while (n > 0) {
            if (pos_ == Rate) {
                permute_rounds<Rounds>(s_);
                pos_ = 0;
            }
            if (pos_ == 0 && n >= Rate) {
                for (std::size_t i = 0; i < Rate / 8; ++i) detail::store64_le(p + 8 * i, s_[i]);
                pos_ = Rate;
                p += Rate;
                n -= Rate;
                continue;
            }
            *p++ = get_byte(pos_++);
            --n;
        }
    }

    /// Overwrites the state with zeros (also done by the destructor).
    void wipe() noexcept { OPENSSL_cleanse(s_.data(), sizeof s_); }

private:
    void xor_byte(std::size_t i, std::uint8_t v) noexcept { s_[i / 8] ^= std::uint64_t{v} << (8 * (i % 8)); }
    std::uint8_t get_byte(std::size_t i) const noexcept { return static_cast<std::uint8_t>(s_[i / 8] >> (8 * (i % 8))); }

    state s_;
    std::size_t pos_ = 0;
    bool squeezing_ = false;
};

/// SHAKE128 (FIPS 202 §6.2): rate 168 bytes.
using shake128 = sponge<168, 0x1f>;
/// SHAKE256 (FIPS 202 §6.2): rate 136 bytes.
using shake256 = sponge<136, 0x1f>;
/// TurboSHAKE128 with domain separation byte D (RFC 9861 §2.2): rate 168 bytes, 12 rounds.
/// D = 0x1f is the RFC's default (and the HPKE KDF's).
template <std::uint8_t D = 0x1f>
using turboshake128 = sponge<168, D, 12>;
/// TurboSHAKE256 with domain separation byte D (RFC 9861 §2.2): rate 136 bytes, 12 rounds.
template <std::uint8_t D = 0x1f>
using turboshake256 = sponge<136, D, 12>;

/// A fixed-output SHA-3 function (FIPS 202 §6.1) with digest size `Bytes`.
template <std::size_t Bytes>
class sha3 {
public:
    static constexpr std::size_t digest_size = Bytes;
    static constexpr std::size_t block_size = 200 - 2 * Bytes;

    sha3& update(bytes_view in) noexcept {
        s_.absorb(in);
        return *this;
    }
    /// Writes the digest; the object must be reset() before it is used again.
    void final(std::span<std::uint8_t, Bytes> out) noexcept {
        s_.finalize();
        s_.squeeze(out);
    }
    void reset() noexcept { s_.reset(); }

private:
    sponge<block_size, 0x06> s_;
};

using sha3_256 = sha3<32>;
using sha3_512 = sha3<64>;

/// One-shot SHA3-256 of the concatenation of `parts` into `out` (32 bytes).
template <class... V>
inline void sha3_256_of(std::span<std::uint8_t, 32> out, const V&... parts) noexcept {
    sha3_256 h;
    (h.update(bytes_view(parts)), ...);
    h.final(out);
}

/// One-shot SHA3-512 of the concatenation of `parts` into `out` (64 bytes).
template <class... V>
inline void sha3_512_of(std::span<std::uint8_t, 64> out, const V&... parts) noexcept {
    sha3_512 h;
    (h.update(bytes_view(parts)), ...);
    h.final(out);
}

/// One-shot SHAKE256 of the concatenation of `parts`, out.size() bytes of output.
template <class... V>
inline void shake256_of(mutable_bytes out, const V&... parts) noexcept {
    shake256 x;
    (x.absorb(bytes_view(parts)), ...);
    x.finalize();
    x.squeeze(out);
}

/// SHA3-256 as a ppx::crypto hash policy (init/update/final on a plain state), so it plugs
/// into crypto::hasher, crypto::digest, HMAC and HKDF like the SHA-2 policies.
struct sha3_256_policy {
    static constexpr std::size_t digest_size = 32;
    static constexpr std::size_t block_size = 136;
    static constexpr std::string_view name = "SHA3-256";
    using state = sha3_256;
    static void init(state& s) noexcept { s.reset(); }
    static void update(state& s, bytes_view b) noexcept { s.update(b); }
    static void final(state& s, std::uint8_t* out) noexcept { s.final(std::span<std::uint8_t, 32>(out, 32)); }
};

} // namespace ppx::mlkem::keccak
