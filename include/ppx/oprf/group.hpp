// ppx/oprf/group.hpp: the prime-order groups of RFC 9497 §4 as compile-time policies.
//
// Each group G provides the RFC 9497 §2.1 interface: element and scalar types, Identity,
// Generator, HashToGroup, HashToScalar, RandomScalar, ScalarInverse, SerializeElement /
// DeserializeElement (rejecting the identity, points not on the curve and non-canonical
// encodings), SerializeScalar / DeserializeScalar (rejecting values >= the group order).
//
// - ristretto255 (RFC 9496) on libsodium: elements are held as their canonical 32-byte
//   encoding, scalars as 32 little-endian bytes in a wiping secret<>.
// - P-256, P-384, P-521 (SEC1) on OpenSSL EC: elements are EC_POINTs (serialised compressed,
//   Ne = 1 + field size), scalars are BIGNUMs flagged BN_FLG_CONSTTIME and freed with
//   BN_clear_free, serialised big-endian (Ns = field size).
//
// Constant time: mul() and mul_base() take secret scalars and use only constant-time paths
// (libsodium's ristretto255 ladder; OpenSSL's single-scalar EC_POINT_mul, which runs its
// constant-time implementation: see docs/oprf.md for what was verified). mul2_public() is
// variable time and only for public scalars (proof verification).
#pragma once

#include <ppx/core/rng.hpp>
#include <ppx/oprf/hash_to_curve.hpp>

#include <utility>

namespace ppx::oprf {

// ================================================================== ristretto255

/// The ristretto255 group (RFC 9496), RFC 9497 §4.1.
struct ristretto255 {
    static constexpr std::size_t element_size = 32;  ///< Ne
    static constexpr std::size_t scalar_size = 32;   ///< Ns
    static constexpr std::string_view name = "ristretto255";

    /// A group element, held as its canonical encoding (all zeros is the identity).
    class element {
    public:
        element() noexcept { b_.fill(0); }
        element clone() const noexcept { return *this; }
        const std::array<std::uint8_t, 32>& encoding() const noexcept { return b_; }

    private:
        friend struct ristretto255;
        std::array<std::uint8_t, 32> b_;
    };

    struct scalar_tag {};
    /// A scalar mod the group order, 32 little-endian bytes, wiped on destruction.
    using scalar = secret<32, scalar_tag>;

    static element identity() noexcept { return element{}; }
    /// The generator G (RFC 9496 §4.4 base point), encoded once per process.
    static result<element> generator() noexcept {
        static const std::array<std::uint8_t, 32> g = [] {
            std::array<std::uint8_t, 32> out{};
            std::uint8_t one[32] = {1};
            if (!ppx::detail::sodium_ready() || crypto_scalarmult_ristretto255_base(out.data(), one) != 0) out.fill(0);
            return out;
        }();
        if (ct_is_zero(g)) return fail(errc::internal, "oprf: libsodium unavailable");
        element e;
        e.b_ = g;
        return e;
    }
    static bool is_identity(const element& e) noexcept { return ct_is_zero(e.b_); }
    static bool is_zero(const scalar& s) noexcept { return ct_is_zero(s.expose()); }
    static bool scalar_equal(const scalar& a, const scalar& b) noexcept { return ct_equal(a.expose(), b.expose()); }

    /// RFC 9497 §4.1 HashToGroup: hash_to_ristretto255 with DST `dst`.
    static result<element> hash_to_group(byte_parts msg, bytes_view dst) noexcept {
        element e;
        PPX_TRY(hash_to_ristretto255(msg, dst, e.b_));
        return e;
    }

    /// RFC 9497 §4.1 HashToScalar: expand_message_xmd(SHA-512, msg, dst, 64) reduced mod the order.
    static result<scalar> hash_to_scalar(byte_parts msg, bytes_view dst) noexcept {
        if (!ppx::detail::sodium_ready()) return fail(errc::internal, "oprf: libsodium unavailable");
        std::uint8_t wide[64];
        wipe_on_exit ww(wide);
        PPX_TRY(expand_message_xmd<crypto::sha512>(msg, dst, wide));
        scalar s;
        crypto_core_ristretto255_scalar_reduce(s.expose_mut().data(), wide);
        return s;
    }

    /// RFC 9497 §2.1 RandomScalar: a uniform non-zero scalar from 64 bytes of `r`, reduced.
    static result<scalar> random_scalar(rng& r) noexcept {
        if (!ppx::detail::sodium_ready()) return fail(errc::internal, "oprf: libsodium unavailable");
        std::uint8_t wide[64];
        wipe_on_exit ww(wide);
        for (int tries = 0; tries < 8; ++tries) {
            PPX_TRY(r.fill(wide));
            scalar s;
            crypto_core_ristretto255_scalar_reduce(s.expose_mut().data(), wide);
            if (!is_zero(s)) return s;
        }
        return fail(errc::internal, "oprf: rng returned zero scalars");
    }

    /// RFC 9497 §4.1 DeserializeElement: exactly 32 bytes, a canonical ristretto255 encoding
    /// (RFC 9496 §4.3.1), not the identity. errc::malformed otherwise.
    static result<element> deserialize_element(bytes_view in) noexcept {
        if (!ppx::detail::sodium_ready()) return fail(errc::internal, "oprf: libsodium unavailable");
        if (in.size() != element_size) return fail(errc::malformed, "oprf: bad element length");
        if (ct_is_zero(in)) return fail(errc::malformed, "oprf: identity element");
        if (crypto_core_ristretto255_is_valid_point(in.data()) != 1)
            return fail(errc::malformed, "oprf: invalid ristretto255 encoding");
        element e;
        std::memcpy(e.b_.data(), in.data(), element_size);
        return e;
    }

    /// RFC 9497 §2.1 SerializeElement; fails with errc::malformed for the identity.
    static result<void> serialize_element(const element& e, std::span<std::uint8_t, element_size> out) noexcept {
        if (is_identity(e)) return fail(errc::malformed, "oprf: cannot serialize identity");
        std::memcpy(out.data(), e.b_.data(), element_size);
        return ok();
    }

    /// RFC 9497 §4.1 DeserializeScalar: exactly 32 little-endian bytes encoding a value below
    /// the group order (RFC 9496 §4.4 canonical). errc::malformed otherwise. Zero is accepted.
    static result<scalar> deserialize_scalar(bytes_view in) noexcept {
        if (in.size() != scalar_size) return fail(errc::malformed, "oprf: bad scalar length");
        // l = 2^252 + 27742317777372353535851937790883648493, little-endian.
        static constexpr std::uint8_t l[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                                               0xa2, 0xde, 0xf9, 0xde, 0x14, 0,    0,    0,    0,    0,    0,
                                               0,    0,    0,    0,    0,    0,    0,    0,    0,    0x10};
        // Constant-time in < l: borrow of in - l.
        unsigned borrow = 0;
        for (std::size_t i = 0; i < 32; ++i) borrow = (static_cast<unsigned>(in[i]) - l[i] - borrow) >> 8 & 1u;
        if (!borrow) return fail(errc::malformed, "oprf: scalar not reduced");
        scalar s;
        std::memcpy(s.expose_mut().data(), in.data(), scalar_size);
        return s;
    }

    /// RFC 9497 §4.1 SerializeScalar (32 little-endian bytes).
    static void serialize_scalar(const scalar& s, std::span<std::uint8_t, scalar_size> out) noexcept {
        std::memcpy(out.data(), s.expose().data(), scalar_size);
    }

    /// k * P in constant time (libsodium crypto_scalarmult_ristretto255). A zero product is
    /// returned as the identity.
    static result<element> mul(const scalar& k, const element& p) noexcept {
        element r;
        if (is_identity(p)) return r;
        if (crypto_scalarmult_ristretto255(r.b_.data(), k.expose().data(), p.b_.data()) != 0) r.b_.fill(0);
        return r;
    }
    /// k * G in constant time (crypto_scalarmult_ristretto255_base).
    static result<element> mul_base(const scalar& k) noexcept {
        element r;
        if (crypto_scalarmult_ristretto255_base(r.b_.data(), k.expose().data()) != 0) r.b_.fill(0);
        return r;
    }
    /// a * P + b * Q for public scalars (libsodium has no variable-time path: two ladders).
    static result<element> mul2_public(const scalar& a, const element& p, const scalar& b, const element& q) noexcept {
        PPX_TRY_ASSIGN(auto x, mul(a, p));
        PPX_TRY_ASSIGN(auto y, mul(b, q));
        return add(x, y);
    }
    /// a * G + b * Q for public scalars (base-point table for a*G).
    static result<element> mul_base_add_public(const scalar& a, const scalar& b, const element& q) noexcept {
        PPX_TRY_ASSIGN(auto x, mul_base(a));
        PPX_TRY_ASSIGN(auto y, mul(b, q));
        return add(x, y);
    }
    /// P + Q.
    static result<element> add(const element& p, const element& q) noexcept {
        if (is_identity(p)) return q;
        if (is_identity(q)) return p;
        element r;
        if (crypto_core_ristretto255_add(r.b_.data(), p.b_.data(), q.b_.data()) != 0)
            return fail(errc::internal, "oprf: ristretto255 add failed");
        return r;
    }

    static result<scalar> scalar_add(const scalar& a, const scalar& b) noexcept {
        scalar r;
        crypto_core_ristretto255_scalar_add(r.expose_mut().data(), a.expose().data(), b.expose().data());
        return r;
    }
    static result<scalar> scalar_sub(const scalar& a, const scalar& b) noexcept {
        scalar r;
        crypto_core_ristretto255_scalar_sub(r.expose_mut().data(), a.expose().data(), b.expose().data());
        return r;
    }
    static result<scalar> scalar_mul(const scalar& a, const scalar& b) noexcept {
        scalar r;
        crypto_core_ristretto255_scalar_mul(r.expose_mut().data(), a.expose().data(), b.expose().data());
        return r;
    }
    /// a^-1 mod the order in constant time; errc::misuse for zero (RFC 9497 InverseError).
    static result<scalar> scalar_inverse(const scalar& a) noexcept {
        scalar r;
        if (crypto_core_ristretto255_scalar_invert(r.expose_mut().data(), a.expose().data()) != 0)
            return fail(errc::misuse, "oprf: inverse of zero");
        return r;
    }
};

// ================================================================== NIST prime curves

namespace detail_group {
/// The calling thread's BN_CTX for group operations (created on first use).
inline BN_CTX* thread_ctx() noexcept {
    thread_local ppx::detail::bn_ctx_ptr ctx(BN_CTX_secure_new());
    return ctx.get();
}
} // namespace detail_group

/// P-256, P-384 or P-521 (RFC 9497 §4.3-4.5) on OpenSSL EC.
template <class Params>
struct nist_group {
    static constexpr std::size_t element_size = 1 + Params::field_size;  ///< Ne (compressed SEC1)
    static constexpr std::size_t scalar_size = Params::scalar_size;     ///< Ns
    static constexpr std::string_view name = Params::name;
    using params = Params;

    /// A group element (an EC_POINT, possibly the identity).
    class element {
    public:
        element() = default;
        element(element&&) noexcept = default;
        element& operator=(element&&) noexcept = default;
        /// A copy; an empty element on allocation failure (then every use fails cleanly).
        element clone() const noexcept {
            element e;
            if (p_) e.p_.reset(EC_POINT_dup(p_.get(), group()));
            return e;
        }
        const EC_POINT* get() const noexcept { return p_.get(); }

    private:
        friend struct nist_group;
        ppx::detail::ec_point_ptr p_;
    };

    /// A scalar mod the group order (BN_FLG_CONSTTIME, cleared on free).
    class scalar {
    public:
        scalar() = default;
        scalar(scalar&&) noexcept = default;
        scalar& operator=(scalar&&) noexcept = default;
        scalar clone() const noexcept {
            scalar s;
            if (k_) {
                s.k_.reset(BN_dup(k_.get()));
                if (s.k_) BN_set_flags(s.k_.get(), BN_FLG_CONSTTIME);
            }
            return s;
        }
        const BIGNUM* get() const noexcept { return k_.get(); }

    private:
        friend struct nist_group;
        ppx::detail::secret_bn_ptr k_;
    };

    static const EC_GROUP* group() noexcept { return detail_h2c::curve<Params>().group.get(); }
    static const detail_h2c::curve_data& data() noexcept { return detail_h2c::curve<Params>(); }

    static result<element> identity() noexcept {
        element e;
        e.p_.reset(EC_POINT_new(group()));
        if (!e.p_ || EC_POINT_set_to_infinity(group(), e.p_.get()) != 1) return ppx::detail::openssl_fail();
        return e;
    }
    /// The generator G of the curve.
    static result<element> generator() noexcept {
        element e;
        e.p_.reset(EC_POINT_dup(EC_GROUP_get0_generator(group()), group()));
        if (!e.p_) return ppx::detail::openssl_fail();
        return e;
    }
    static bool is_identity(const element& e) noexcept { return !e.p_ || EC_POINT_is_at_infinity(group(), e.p_.get()) == 1; }
    static bool is_zero(const scalar& s) noexcept { return !s.k_ || BN_is_zero(s.k_.get()); }
    /// Compares two scalars through their fixed-width encodings with ct_equal.
    static bool scalar_equal(const scalar& a, const scalar& b) noexcept {
        std::uint8_t x[scalar_size], y[scalar_size];
        wipe_on_exit wx(x), wy(y);
        if (!a.k_ || !b.k_) return false;
        if (BN_bn2binpad(a.k_.get(), x, scalar_size) < 0 || BN_bn2binpad(b.k_.get(), y, scalar_size) < 0) return false;
        return ct_equal(x, y);
    }

    /// RFC 9497 §4.3-4.5 HashToGroup: the curve's _XMD:SHA-*_SSWU_RO_ hash_to_curve with `dst`.
    static result<element> hash_to_group(byte_parts msg, bytes_view dst) {
        element e;
        PPX_TRY_ASSIGN(e.p_, hash_to_curve<Params>(msg, dst));
        return e;
    }

    /// RFC 9497 §4.3-4.5 HashToScalar: hash_to_field over the group order (L bytes, §5.2 of RFC 9380).
    static result<scalar> hash_to_scalar(byte_parts msg, bytes_view dst) noexcept {
        const auto& c = data();
        if (!c.ok) return ppx::detail::openssl_fail();
        scalar s;
        PPX_TRY(new_scalar(s));
        BIGNUM* u[1] = {s.k_.get()};
        PPX_TRY(detail_h2c::hash_to_field<Params>(msg, dst, c.order.get(), u, 1, detail_group::thread_ctx()));
        return s;
    }

    /// RFC 9497 §2.1 RandomScalar: rejection sampling of Ns bytes (top bits masked for P-521)
    /// until a non-zero value below the order.
    static result<scalar> random_scalar(rng& r) noexcept {
        const auto& c = data();
        if (!c.ok) return ppx::detail::openssl_fail();
        std::uint8_t buf[scalar_size];
        wipe_on_exit wb(buf);
        const int order_bits = BN_num_bits(c.order.get());
        const int excess = static_cast<int>(scalar_size * 8) - order_bits;
        for (int tries = 0; tries < 128; ++tries) {
            PPX_TRY(r.fill(buf));
            if (excess > 0) buf[0] &= static_cast<std::uint8_t>(0xff >> excess);
            auto s = deserialize_scalar(buf);
            if (s && !is_zero(*s)) return s;
        }
        return fail(errc::internal, "oprf: rng failed to produce a scalar");
    }

    /// RFC 9497 §4.3-4.5 DeserializeElement: exactly Ne bytes, SEC1 compressed (0x02 or 0x03
    /// then x < p with a square root). Identity, uncompressed, off-curve and non-canonical
    /// encodings are errc::malformed.
    static result<element> deserialize_element(bytes_view in) noexcept {
        ppx::detail::clear_errors_on_exit clear;
        if (in.size() != element_size) return fail(errc::malformed, "oprf: bad element length");
        if (in[0] != 0x02 && in[0] != 0x03) return fail(errc::malformed, "oprf: element not compressed");
        element e;
        e.p_.reset(EC_POINT_new(group()));
        if (!e.p_) return ppx::detail::openssl_fail();
        // EC_POINT_oct2point rejects x >= p and x without a square root (not on the curve).
        if (EC_POINT_oct2point(group(), e.p_.get(), in.data(), in.size(), detail_group::thread_ctx()) != 1)
            return fail(errc::malformed, "oprf: invalid point encoding");
        if (EC_POINT_is_at_infinity(group(), e.p_.get()) ||
            EC_POINT_is_on_curve(group(), e.p_.get(), detail_group::thread_ctx()) != 1)
            return fail(errc::malformed, "oprf: invalid point");
        return e;
    }

    /// RFC 9497 §4.3-4.5 SerializeElement (SEC1 compressed, Ne bytes); errc::malformed for the identity.
    static result<void> serialize_element(const element& e, std::span<std::uint8_t, element_size> out) noexcept {
        if (is_identity(e)) return fail(errc::malformed, "oprf: cannot serialize identity");
        if (EC_POINT_point2oct(group(), e.p_.get(), POINT_CONVERSION_COMPRESSED, out.data(), out.size(),
                               detail_group::thread_ctx()) != element_size)
            return ppx::detail::openssl_fail();
        return ok();
    }

    /// RFC 9497 §4.3-4.5 DeserializeScalar: exactly Ns big-endian bytes below the order;
    /// errc::malformed otherwise. Zero is accepted (callers that need non-zero check).
    static result<scalar> deserialize_scalar(bytes_view in) noexcept {
        if (in.size() != scalar_size) return fail(errc::malformed, "oprf: bad scalar length");
        scalar s;
        PPX_TRY(new_scalar(s));
        if (!BN_bin2bn(in.data(), static_cast<int>(in.size()), s.k_.get())) return ppx::detail::openssl_fail();
        if (BN_cmp(s.k_.get(), data().order.get()) >= 0) return fail(errc::malformed, "oprf: scalar not reduced");
        return s;
    }

    /// RFC 9497 §4.3-4.5 SerializeScalar (Ns big-endian bytes).
    static void serialize_scalar(const scalar& s, std::span<std::uint8_t, scalar_size> out) noexcept {
        if (!s.k_ || BN_bn2binpad(s.k_.get(), out.data(), scalar_size) < 0) std::memset(out.data(), 0, scalar_size);
    }

    /// k * P with a secret k: a single-point EC_POINT_mul (OpenSSL's constant-time ladder or
    /// its constant-time nistz256 / nistp521 code; docs/oprf.md).
    static result<element> mul(const scalar& k, const element& p) noexcept {
        if (!k.k_ || !p.p_) return fail(errc::misuse, "oprf: empty operand");
        element r;
        r.p_.reset(EC_POINT_new(group()));
        if (!r.p_) return ppx::detail::openssl_fail();
        if (EC_POINT_mul(group(), r.p_.get(), nullptr, p.p_.get(), k.k_.get(), detail_group::thread_ctx()) != 1)
            return ppx::detail::openssl_fail();
        return r;
    }
    /// k * G with a secret k (generator-only EC_POINT_mul: constant-time, see mul()).
    static result<element> mul_base(const scalar& k) noexcept {
        if (!k.k_) return fail(errc::misuse, "oprf: empty operand");
        element r;
        r.p_.reset(EC_POINT_new(group()));
        if (!r.p_) return ppx::detail::openssl_fail();
        if (EC_POINT_mul(group(), r.p_.get(), k.k_.get(), nullptr, nullptr, detail_group::thread_ctx()) != 1)
            return ppx::detail::openssl_fail();
        return r;
    }
    /// a * P + b * Q, VARIABLE time: only for public scalars (proof verification).
    static result<element> mul2_public(const scalar& a, const element& p, const scalar& b, const element& q) noexcept {
        if (!a.k_ || !b.k_ || !p.p_ || !q.p_) return fail(errc::misuse, "oprf: empty operand");
        element r;
        r.p_.reset(EC_POINT_new(group()));
        if (!r.p_) return ppx::detail::openssl_fail();
        const EC_POINT* pts[2] = {p.p_.get(), q.p_.get()};
        const BIGNUM* ks[2] = {a.k_.get(), b.k_.get()};
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif
        // Deprecated in 3.0 but present; the only public multi-scalar (wNAF) entry point.
        const int rc = EC_POINTs_mul(group(), r.p_.get(), nullptr, 2, pts, ks, detail_group::thread_ctx());
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
        if (rc != 1) return ppx::detail::openssl_fail();
        return r;
    }
    /// a * G + b * Q, VARIABLE time: only for public scalars (one EC_POINT_mul, wNAF).
    static result<element> mul_base_add_public(const scalar& a, const scalar& b, const element& q) noexcept {
        if (!a.k_ || !b.k_ || !q.p_) return fail(errc::misuse, "oprf: empty operand");
        element r;
        r.p_.reset(EC_POINT_new(group()));
        if (!r.p_) return ppx::detail::openssl_fail();
        if (EC_POINT_mul(group(), r.p_.get(), a.k_.get(), q.p_.get(), b.k_.get(), detail_group::thread_ctx()) != 1)
            return ppx::detail::openssl_fail();
        return r;
    }
    /// P + Q.
    static result<element> add(const element& p, const element& q) noexcept {
        if (!p.p_ || !q.p_) return fail(errc::misuse, "oprf: empty operand");
        element r;
        r.p_.reset(EC_POINT_new(group()));
        if (!r.p_ || EC_POINT_add(group(), r.p_.get(), p.p_.get(), q.p_.get(), detail_group::thread_ctx()) != 1)
            return ppx::detail::openssl_fail();
        return r;
    }

    /// (a + b) mod order. Operands are BN_FLG_CONSTTIME; see docs/oprf.md on BN timing.
    static result<scalar> scalar_add(const scalar& a, const scalar& b) noexcept {
        return binop(a, b, [](BIGNUM* r, const BIGNUM* x, const BIGNUM* y, const BIGNUM* m, BN_CTX* c) {
            return BN_mod_add(r, x, y, m, c);
        });
    }
    /// (a - b) mod order.
    static result<scalar> scalar_sub(const scalar& a, const scalar& b) noexcept {
        return binop(a, b, [](BIGNUM* r, const BIGNUM* x, const BIGNUM* y, const BIGNUM* m, BN_CTX* c) {
            return BN_mod_sub(r, x, y, m, c);
        });
    }
    /// (a * b) mod order.
    static result<scalar> scalar_mul(const scalar& a, const scalar& b) noexcept {
        return binop(a, b, [](BIGNUM* r, const BIGNUM* x, const BIGNUM* y, const BIGNUM* m, BN_CTX* c) {
            return BN_mod_mul(r, x, y, m, c);
        });
    }
    /// a^-1 mod order by Fermat (a^(q-2), BN_mod_exp_mont_consttime); errc::misuse for zero.
    static result<scalar> scalar_inverse(const scalar& a) noexcept {
        if (!a.k_) return fail(errc::misuse, "oprf: empty operand");
        if (BN_is_zero(a.k_.get())) return fail(errc::misuse, "oprf: inverse of zero");
        const auto& c = data();
        if (!c.ok) return ppx::detail::openssl_fail();
        scalar r;
        PPX_TRY(new_scalar(r));
        if (BN_mod_exp_mont_consttime(r.k_.get(), a.k_.get(), c.order_minus_2.get(), c.order.get(),
                                      detail_group::thread_ctx(), c.mont_order) != 1)
            return ppx::detail::openssl_fail();
        return r;
    }

private:
    static result<void> new_scalar(scalar& s) noexcept {
        s.k_.reset(BN_secure_new());
        if (!s.k_) return ppx::detail::openssl_fail();
        BN_set_flags(s.k_.get(), BN_FLG_CONSTTIME);
        return ok();
    }
    template <class F>
    static result<scalar> binop(const scalar& a, const scalar& b, F f) noexcept {
        if (!a.k_ || !b.k_) return fail(errc::misuse, "oprf: empty operand");
        const auto& c = data();
        if (!c.ok) return ppx::detail::openssl_fail();
        scalar r;
        PPX_TRY(new_scalar(r));
        if (f(r.k_.get(), a.k_.get(), b.k_.get(), c.order.get(), detail_group::thread_ctx()) != 1)
            return ppx::detail::openssl_fail();
        BN_set_flags(r.k_.get(), BN_FLG_CONSTTIME);
        return r;
    }
};

using p256 = nist_group<p256_params>;
using p384 = nist_group<p384_params>;
using p521 = nist_group<p521_params>;

/// What a group policy provides (RFC 9497 §2.1).
template <class G>
concept prime_order_group = requires(bytes_view b) {
    { G::element_size } -> std::convertible_to<std::size_t>;
    { G::scalar_size } -> std::convertible_to<std::size_t>;
    typename G::element;
    typename G::scalar;
    G::deserialize_element(b);
    G::deserialize_scalar(b);
};

} // namespace ppx::oprf
