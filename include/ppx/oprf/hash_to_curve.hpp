// ppx/oprf/hash_to_curve.hpp: RFC 9380 hashing to elliptic curves, as RFC 9497's suites need it.
//
// - expand_message_xmd (RFC 9380 §5.3.1) for SHA-256, SHA-384 and SHA-512, with the
//   oversized-DST rule of §5.3.3.
// - hash_to_field (§5.2) for the prime fields of P-256, P-384 and P-521 and for their group
//   orders (RFC 9497 HashToScalar).
// - Simplified SWU (§6.6.2) for P-256, P-384 and P-521 (suites P256_XMD:SHA-256_SSWU_RO_,
//   P384_XMD:SHA-384_SSWU_RO_, P521_XMD:SHA-512_SSWU_RO_ and their _NU_ encodings, §8.2-8.4),
//   computed on OpenSSL BIGNUM and EC_POINT (OpenSSL 3.0 has no hash-to-curve API).
// - ristretto255 (RFC 9380 appendix B, RFC 9496 §4.3.4 one-way map) through libsodium's
//   crypto_core_ristretto255_from_hash.
//
// The edwards25519 suites are not provided: no RFC 9497 suite uses them and libsodium 1.0.18
// has no RFC 9380 map for them (crypto_core_ed25519_from_uniform reduces its input and sets
// signs differently).
//
// Timing: the map runs on variable-time BIGNUM code. Its input (a client's OPRF input) is known
// to the party hashing it; servers never hash secrets here (see docs/oprf.md).
#pragma once

#include <ppx/core/bytes.hpp>
#include <ppx/core/result.hpp>
#include <ppx/core/secret.hpp>
#include <ppx/crypto/hash.hpp>
#include <ppx/crypto/hmac.hpp>
#include <ppx/detail/openssl.hpp>
#include <ppx/detail/sodium.hpp>

#include <openssl/obj_mac.h>

#include <array>
#include <string_view>

namespace ppx::oprf {

/// Several byte strings hashed as their concatenation (no copy).
using byte_parts = crypto::byte_parts;

/// RFC 9380 §5.3.1: the largest DST used as is; longer ones are hashed first (§5.3.3).
inline constexpr std::size_t max_dst_size = 255;
/// RFC 9380 §5.3.1: len_in_bytes must fit in two bytes.
inline constexpr std::size_t max_xmd_output = 65535;

/// expand_message_xmd(msg, DST, len_in_bytes = out.size()) with hash H (RFC 9380 §5.3.1), where
/// msg is the concatenation of `msg`. A DST longer than 255 bytes is replaced by
/// H("H2C-OVERSIZE-DST-" || DST) (§5.3.3).
/// Fails with errc::misuse (writing nothing) when DST is empty (§3.1), when out is empty or
/// longer than 65535 bytes, or when it needs more than 255 hash blocks (ell > 255).
template <crypto::hash_function H>
inline result<void> expand_message_xmd(byte_parts msg, bytes_view dst, mutable_bytes out) noexcept {
    constexpr std::size_t b_in_bytes = H::digest_size;
    constexpr std::size_t s_in_bytes = H::block_size;
    if (dst.empty()) return fail(errc::misuse, "hash_to_curve: empty DST");
    if (out.empty() || out.size() > max_xmd_output) return fail(errc::misuse, "hash_to_curve: bad output length");
    const std::size_t ell = (out.size() + b_in_bytes - 1) / b_in_bytes;
    if (ell > 255) return fail(errc::misuse, "hash_to_curve: output too long for hash");

    // RFC 9380 §5.3.3: oversized DST.
    crypto::digest_t<H> long_dst;
    if (dst.size() > max_dst_size) {
        long_dst = crypto::digest<H>(as_bytes("H2C-OVERSIZE-DST-"), dst);
        dst = long_dst;
    }
    const std::uint8_t dst_len = static_cast<std::uint8_t>(dst.size());

    static constexpr std::uint8_t z_pad[s_in_bytes] = {};
    const std::uint8_t l_i_b[3] = {static_cast<std::uint8_t>(out.size() >> 8), static_cast<std::uint8_t>(out.size()), 0};

    crypto::hasher<H> h;
    h.update(z_pad);
    for (auto p : msg) h.update(p);
    h.update(l_i_b).update(dst).update(bytes_view(&dst_len, 1));
    std::uint8_t b0[b_in_bytes];
    wipe_on_exit w0(b0);
    h.final(std::span<std::uint8_t, b_in_bytes>(b0, b_in_bytes));

    std::uint8_t bi[b_in_bytes];
    wipe_on_exit wi(bi);
    std::size_t done = 0;
    for (std::size_t i = 1; i <= ell; ++i) {
        h.reset();
        if (i == 1) {
            h.update(b0);
        } else {
            std::uint8_t x[b_in_bytes];
            for (std::size_t j = 0; j < b_in_bytes; ++j) x[j] = b0[j] ^ bi[j];
            h.update(x);
            OPENSSL_cleanse(x, sizeof x);
        }
        const std::uint8_t idx = static_cast<std::uint8_t>(i);
        h.update(bytes_view(&idx, 1)).update(dst).update(bytes_view(&dst_len, 1));
        h.final(std::span<std::uint8_t, b_in_bytes>(bi, b_in_bytes));
        const std::size_t n = std::min(b_in_bytes, out.size() - done);
        std::memcpy(out.data() + done, bi, n);
        done += n;
    }
    return ok();
}

// ------------------------------------------------------------------ NIST prime curves

/// RFC 9380 §8.2 (P-256, Z = -10), §8.3 (P-384, Z = -12), §8.4 (P-521, Z = -4), all with
/// m = 1, h_eff = 1, and L = ceil((ceil(log2(p)) + k) / 8). `scalar_L` is RFC 9497 §4's L for
/// HashToScalar over the group order (the same value for these curves).
struct p256_params {
    static constexpr int nid = NID_X9_62_prime256v1;
    static constexpr std::size_t field_size = 32;
    static constexpr std::size_t scalar_size = 32;
    static constexpr std::size_t L = 48;
    static constexpr int z = -10;
    using hash = crypto::sha256;
    static constexpr std::string_view name = "P-256";
};
struct p384_params {
    static constexpr int nid = NID_secp384r1;
    static constexpr std::size_t field_size = 48;
    static constexpr std::size_t scalar_size = 48;
    static constexpr std::size_t L = 72;
    static constexpr int z = -12;
    using hash = crypto::sha384;
    static constexpr std::string_view name = "P-384";
};
struct p521_params {
    static constexpr int nid = NID_secp521r1;
    static constexpr std::size_t field_size = 66;
    static constexpr std::size_t scalar_size = 66;
    static constexpr std::size_t L = 98;
    static constexpr int z = -4;
    using hash = crypto::sha512;
    static constexpr std::string_view name = "P-521";
};

namespace detail_h2c {

/// Per-curve constants computed once per process (function-local static) and read-only after.
/// `ok` is false only if OpenSSL failed while building them.
struct curve_data {
    ppx::detail::ec_group_ptr group;
    ppx::detail::bn_ptr p, a, b, order, z, order_minus_2;
    ppx::detail::bn_ptr c_neg_b_over_a;  // -B / A mod p (SSWU step 2)
    ppx::detail::bn_ptr c_b_over_za;     // B / (Z * A) mod p (SSWU step 3)
    ppx::detail::bn_ptr sqrt_exp;        // (p + 1) / 4, valid as p = 3 mod 4 on all three curves
    BN_MONT_CTX* mont_order = nullptr;   // for constant-time inversion mod the group order
    BN_MONT_CTX* mont_p = nullptr;
    bool ok = false;

    explicit curve_data(int nid, int zval) noexcept {
        using namespace ppx::detail;
        group.reset(EC_GROUP_new_by_curve_name(nid));
        bn_ctx_ptr ctx(BN_CTX_new());
        p.reset(BN_new()); a.reset(BN_new()); b.reset(BN_new()); order.reset(BN_new()); z.reset(BN_new());
        order_minus_2.reset(BN_new()); c_neg_b_over_a.reset(BN_new()); c_b_over_za.reset(BN_new());
        sqrt_exp.reset(BN_new());
        bn_ptr t(BN_new());
        if (!group || !ctx || !p || !a || !b || !order || !z || !order_minus_2 || !c_neg_b_over_a || !c_b_over_za ||
            !sqrt_exp || !t)
            return;
        if (EC_GROUP_get_curve(group.get(), p.get(), a.get(), b.get(), ctx.get()) != 1) return;
        if (EC_GROUP_get_order(group.get(), order.get(), ctx.get()) != 1) return;
        // Z = p - |z|
        if (BN_set_word(t.get(), static_cast<BN_ULONG>(-zval)) != 1 || BN_sub(z.get(), p.get(), t.get()) != 1) return;
        if (!BN_copy(order_minus_2.get(), order.get()) || BN_sub_word(order_minus_2.get(), 2) != 1) return;
        // -B/A
        if (!BN_mod_inverse(t.get(), a.get(), p.get(), ctx.get())) return;
        if (BN_mod_mul(c_neg_b_over_a.get(), b.get(), t.get(), p.get(), ctx.get()) != 1) return;
        if (BN_mod_sub(c_neg_b_over_a.get(), p.get(), c_neg_b_over_a.get(), p.get(), ctx.get()) != 1) return;
        // B/(Z*A)
        if (BN_mod_mul(t.get(), z.get(), a.get(), p.get(), ctx.get()) != 1) return;
        if (!BN_mod_inverse(t.get(), t.get(), p.get(), ctx.get())) return;
        if (BN_mod_mul(c_b_over_za.get(), b.get(), t.get(), p.get(), ctx.get()) != 1) return;
        // (p+1)/4
        if (!BN_copy(sqrt_exp.get(), p.get()) || BN_add_word(sqrt_exp.get(), 1) != 1 ||
            BN_rshift(sqrt_exp.get(), sqrt_exp.get(), 2) != 1)
            return;
        mont_order = BN_MONT_CTX_new();
        mont_p = BN_MONT_CTX_new();
        if (!mont_order || !mont_p) return;
        if (BN_MONT_CTX_set(mont_order, order.get(), ctx.get()) != 1) return;
        if (BN_MONT_CTX_set(mont_p, p.get(), ctx.get()) != 1) return;
        // Fill the generator's precomputation now, so concurrent readers never trigger it.
        ok = true;
        ERR_clear_error();
    }
    ~curve_data() {
        BN_MONT_CTX_free(mont_order);
        BN_MONT_CTX_free(mont_p);
    }
    curve_data(const curve_data&) = delete;
    curve_data& operator=(const curve_data&) = delete;
};

template <class Params>
inline const curve_data& curve() noexcept {
    static const curve_data d(Params::nid, Params::z);
    return d;
}

/// Big-endian bytes of x left-padded to `out.size()`. Fails if x does not fit.
inline result<void> bn_to_fixed(const BIGNUM* x, mutable_bytes out) noexcept {
    if (BN_bn2binpad(x, out.data(), static_cast<int>(out.size())) < 0)
        return ppx::detail::openssl_fail(errc::internal, "hash_to_curve: bignum too large");
    return ok();
}

/// RFC 9380 §5.2 hash_to_field with m = 1: fills `u` (count BIGNUMs, each reduced mod
/// `modulus`) from expand_message_xmd(msg, dst, count * L).
template <class Params>
inline result<void> hash_to_field(byte_parts msg, bytes_view dst, const BIGNUM* modulus, BIGNUM** u, std::size_t count,
                                  BN_CTX* ctx) noexcept {
    constexpr std::size_t L = Params::L;
    std::uint8_t buf[2 * L];
    wipe_on_exit wb(buf);
    if (count == 0 || count > 2) return fail(errc::misuse, "hash_to_curve: bad count");
    PPX_TRY(expand_message_xmd<typename Params::hash>(msg, dst, mutable_bytes(buf, count * L)));
    for (std::size_t i = 0; i < count; ++i) {
        if (!BN_bin2bn(buf + i * L, static_cast<int>(L), u[i])) return ppx::detail::openssl_fail();
        if (BN_nnmod(u[i], u[i], modulus, ctx) != 1) return ppx::detail::openssl_fail();
    }
    return ok();
}

/// RFC 9380 §6.6.2 simplified SWU for AB != 0 (straight-line form of the section's steps),
/// writing the affine point (x, y) for field element u into `out`.
template <class Params>
inline result<void> map_to_curve_sswu(const BIGNUM* u, EC_POINT* out, BN_CTX* ctx) noexcept {
    using ppx::detail::openssl_fail;
    const curve_data& c = curve<Params>();
    if (!c.ok) return openssl_fail();
    const BIGNUM* p = c.p.get();
    BN_CTX_start(ctx);
    struct end_on_exit {
        BN_CTX* c;
        ~end_on_exit() { BN_CTX_end(c); }
    } end{ctx};
    BIGNUM* tv1 = BN_CTX_get(ctx);
    BIGNUM* tv2 = BN_CTX_get(ctx);
    BIGNUM* x1 = BN_CTX_get(ctx);
    BIGNUM* x2 = BN_CTX_get(ctx);
    BIGNUM* gx = BN_CTX_get(ctx);
    BIGNUM* y = BN_CTX_get(ctx);
    BIGNUM* chk = BN_CTX_get(ctx);
    if (!chk) return openssl_fail();

    // tv1 = Z^2 * u^4 + Z * u^2 = Z*u^2 * (Z*u^2 + 1)
    if (BN_mod_sqr(tv2, u, p, ctx) != 1 || BN_mod_mul(tv2, c.z.get(), tv2, p, ctx) != 1) return openssl_fail();  // Z*u^2
    if (!BN_copy(tv1, tv2) || BN_add_word(tv1, 1) != 1 || BN_mod_mul(tv1, tv1, tv2, p, ctx) != 1) return openssl_fail();
    // Step 1-3: inv0(tv1); x1 = -B/A * (1 + tv1), or B/(Z*A) when tv1 == 0.
    if (BN_is_zero(tv1)) {
        if (!BN_copy(x1, c.c_b_over_za.get())) return openssl_fail();
    } else {
        if (!BN_mod_inverse(tv1, tv1, p, ctx)) return openssl_fail();
        if (BN_add_word(tv1, 1) != 1 || BN_mod_mul(x1, c.c_neg_b_over_a.get(), tv1, p, ctx) != 1) return openssl_fail();
    }
    // gx1 = x1^3 + A*x1 + B
    auto g = [&](BIGNUM* r, const BIGNUM* x) -> bool {
        return BN_mod_sqr(r, x, p, ctx) == 1 && BN_mod_add(r, r, c.a.get(), p, ctx) == 1 &&
               BN_mod_mul(r, r, x, p, ctx) == 1 && BN_mod_add(r, r, c.b.get(), p, ctx) == 1;
    };
    if (!g(gx, x1)) return openssl_fail();
    // Step 7: is_square(gx1) via the candidate root gx1^((p+1)/4).
    if (BN_mod_exp_mont(y, gx, c.sqrt_exp.get(), p, ctx, c.mont_p) != 1 || BN_mod_sqr(chk, y, p, ctx) != 1)
        return openssl_fail();
    const BIGNUM* x = x1;
    if (BN_cmp(chk, gx) != 0) {
        // Step 5-8: x2 = Z * u^2 * x1, y = sqrt(gx2) (gx2 is square when gx1 is not).
        if (BN_mod_mul(x2, tv2, x1, p, ctx) != 1 || !g(gx, x2)) return openssl_fail();
        if (BN_mod_exp_mont(y, gx, c.sqrt_exp.get(), p, ctx, c.mont_p) != 1 || BN_mod_sqr(chk, y, p, ctx) != 1)
            return openssl_fail();
        if (BN_cmp(chk, gx) != 0) return fail(errc::internal, "hash_to_curve: no square root");
        x = x2;
    }
    // Step 9: sgn0(u) != sgn0(y) => y = -y (sgn0 = parity for m = 1, §4.1).
    if (BN_is_odd(u) != BN_is_odd(y) && !BN_is_zero(y)) {
        if (BN_sub(y, p, y) != 1) return openssl_fail();
    }
    if (EC_POINT_set_affine_coordinates(c.group.get(), out, x, y, ctx) != 1) return openssl_fail();
    return ok();
}

} // namespace detail_h2c

/// RFC 9380 §3 hash_to_curve for the *_XMD:SHA-*_SSWU_RO_ suite of Params (P-256, P-384 or
/// P-521), on the concatenation of `msg` with domain separation tag `dst`. Returns a new point
/// (never the identity in practice; the identity is a valid output of the RO map only with
/// negligible probability and is returned as is). Fails with errc::misuse on an empty DST and
/// errc::internal if OpenSSL fails.
template <class Params>
inline result<ppx::detail::ec_point_ptr> hash_to_curve(byte_parts msg, bytes_view dst) {
    using namespace ppx::detail;
    const auto& c = detail_h2c::curve<Params>();
    if (!c.ok) return openssl_fail();
    bn_ctx_ptr ctx(BN_CTX_new());
    bn_ptr u0(BN_new()), u1(BN_new());
    ec_point_ptr q0(EC_POINT_new(c.group.get())), q1(EC_POINT_new(c.group.get()));
    if (!ctx || !u0 || !u1 || !q0 || !q1) return openssl_fail();
    BIGNUM* u[2] = {u0.get(), u1.get()};
    PPX_TRY(detail_h2c::hash_to_field<Params>(msg, dst, c.p.get(), u, 2, ctx.get()));
    PPX_TRY(detail_h2c::map_to_curve_sswu<Params>(u0.get(), q0.get(), ctx.get()));
    PPX_TRY(detail_h2c::map_to_curve_sswu<Params>(u1.get(), q1.get(), ctx.get()));
    // h_eff = 1 for these curves: clear_cofactor is the identity map.
    if (EC_POINT_add(c.group.get(), q0.get(), q0.get(), q1.get(), ctx.get()) != 1) return openssl_fail();
    return q0;
}

/// RFC 9380 §3 encode_to_curve (the *_SSWU_NU_ suites): one field element, one map. Same
/// failures as hash_to_curve.
template <class Params>
inline result<ppx::detail::ec_point_ptr> encode_to_curve(byte_parts msg, bytes_view dst) {
    using namespace ppx::detail;
    const auto& c = detail_h2c::curve<Params>();
    if (!c.ok) return openssl_fail();
    bn_ctx_ptr ctx(BN_CTX_new());
    bn_ptr u0(BN_new());
    ec_point_ptr q0(EC_POINT_new(c.group.get()));
    if (!ctx || !u0 || !q0) return openssl_fail();
    BIGNUM* u[1] = {u0.get()};
    PPX_TRY(detail_h2c::hash_to_field<Params>(msg, dst, c.p.get(), u, 1, ctx.get()));
    PPX_TRY(detail_h2c::map_to_curve_sswu<Params>(u0.get(), q0.get(), ctx.get()));
    return q0;
}

/// The affine coordinates of a non-identity point of Params' curve, each as field_size
/// big-endian bytes (for tests and diagnostics). Fails with errc::malformed on the identity.
template <class Params>
inline result<std::pair<bytes, bytes>> affine_coordinates(const EC_POINT* pt) {
    using namespace ppx::detail;
    const auto& c = detail_h2c::curve<Params>();
    if (!c.ok) return openssl_fail();
    if (EC_POINT_is_at_infinity(c.group.get(), pt)) return fail(errc::malformed, "hash_to_curve: identity");
    bn_ctx_ptr ctx(BN_CTX_new());
    bn_ptr x(BN_new()), y(BN_new());
    if (!ctx || !x || !y || EC_POINT_get_affine_coordinates(c.group.get(), pt, x.get(), y.get(), ctx.get()) != 1)
        return openssl_fail();
    bytes xb(Params::field_size), yb(Params::field_size);
    PPX_TRY(detail_h2c::bn_to_fixed(x.get(), xb));
    PPX_TRY(detail_h2c::bn_to_fixed(y.get(), yb));
    return std::pair<bytes, bytes>{std::move(xb), std::move(yb)};
}

// ------------------------------------------------------------------ ristretto255

/// ristretto255 encodings are 32 bytes (RFC 9496 §4.3).
inline constexpr std::size_t ristretto255_element_size = 32;

/// hash_to_ristretto255 (RFC 9380 appendix B, ristretto255_XMD:SHA-512_R255MAP_RO_):
/// expand_message_xmd(SHA-512, msg, dst, 64) then the RFC 9496 §4.3.4 one-way map (libsodium
/// crypto_core_ristretto255_from_hash). Writes the 32-byte canonical encoding into `out`.
/// Fails with errc::misuse on an empty DST, errc::internal if libsodium is unavailable.
inline result<void> hash_to_ristretto255(byte_parts msg, bytes_view dst,
                                         std::span<std::uint8_t, ristretto255_element_size> out) noexcept {
    if (!ppx::detail::sodium_ready()) return fail(errc::internal, "hash_to_curve: libsodium unavailable");
    std::uint8_t uniform[64];
    wipe_on_exit wu(uniform);
    PPX_TRY(expand_message_xmd<crypto::sha512>(msg, dst, uniform));
    if (crypto_core_ristretto255_from_hash(out.data(), uniform) != 0)
        return fail(errc::internal, "hash_to_curve: ristretto255 map failed");
    return ok();
}

} // namespace ppx::oprf
