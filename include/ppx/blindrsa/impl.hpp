// ppx/blindrsa/impl.hpp: definitions for blindrsa.hpp (include that header, not this one).
#pragma once

#include <ppx/blindrsa/blindrsa.hpp>

#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif

namespace ppx::blindrsa {

struct public_key::state {
    ppx::detail::bn_ptr n, e;
    BN_MONT_CTX* mont = nullptr;  // Montgomery context of n, for public operations
    state() = default;
    state(const state&) = delete;
    state& operator=(const state&) = delete;
    ~state() { BN_MONT_CTX_free(mont); }
};

struct private_key::state {
    ppx::detail::evp_pkey_ptr pkey;  // RSA key with CRT parameters (OpenSSL clears it on free)
};

namespace detail_rsa {

struct access {
    static blind_secret make(secure_bytes inv) {
        blind_secret b;
        b.inv_ = std::move(inv);
        return b;
    }
};

/// The calling thread's BN_CTX (created on first use).
inline BN_CTX* thread_ctx() noexcept {
    thread_local ppx::detail::bn_ctx_ptr ctx(BN_CTX_secure_new());
    return ctx.get();
}

inline ppx::detail::bn_ptr to_bn(bytes_view b) noexcept {
    return ppx::detail::bn_ptr(BN_bin2bn(b.data(), static_cast<int>(b.size()), nullptr));
}

/// A secret BIGNUM from bytes, flagged BN_FLG_CONSTTIME, cleared on free.
inline ppx::detail::secret_bn_ptr to_secret_bn(bytes_view b) noexcept {
    ppx::detail::secret_bn_ptr r(BN_secure_new());
    if (r && !BN_bin2bn(b.data(), static_cast<int>(b.size()), r.get())) r.reset();
    if (r) BN_set_flags(r.get(), BN_FLG_CONSTTIME);
    return r;
}

inline ppx::detail::secret_bn_ptr new_secret_bn() noexcept {
    ppx::detail::secret_bn_ptr r(BN_secure_new());
    if (r) BN_set_flags(r.get(), BN_FLG_CONSTTIME);
    return r;
}

inline secure_bytes bn_to_secure(const BIGNUM* x) {
    secure_bytes out(static_cast<std::size_t>(BN_num_bytes(x)));
    if (!out.empty()) BN_bn2bin(x, out.data());
    return out;
}

/// RSASP1 (RFC 8017 §5.2.1) through OpenSSL's RSA private operation (CRT, base blinding,
/// constant-time modular exponentiation). `m` and `out` are modulus_len bytes; m < n.
inline result<void> rsasp1(const private_key::state& sk, bytes_view m, mutable_bytes out) noexcept {
    ppx::detail::evp_pkey_ctx_ptr c(EVP_PKEY_CTX_new_from_pkey(nullptr, sk.pkey.get(), nullptr));
    if (!c || EVP_PKEY_sign_init(c.get()) != 1 || EVP_PKEY_CTX_set_rsa_padding(c.get(), RSA_NO_PADDING) != 1)
        return ppx::detail::openssl_fail();
    std::size_t len = out.size();
    if (EVP_PKEY_sign(c.get(), out.data(), &len, m.data(), m.size()) != 1 || len != m.size())
        return ppx::detail::openssl_fail(errc::internal, "blindrsa: signing failure");
    return ok();
}

inline result<std::shared_ptr<public_key::state>> make_public(ppx::detail::bn_ptr n, ppx::detail::bn_ptr e) {
    if (!n || !e) return ppx::detail::openssl_fail();
    const int bits = BN_num_bits(n.get());
    if (bits < static_cast<int>(min_modulus_bits) || bits > static_cast<int>(max_modulus_bits))
        return fail(errc::unsupported, "blindrsa: unsupported modulus size");
    if (!BN_is_odd(n.get())) return fail(errc::malformed, "blindrsa: even modulus");
    if (!BN_is_odd(e.get()) || BN_cmp(e.get(), BN_value_one()) <= 0 || BN_is_word(e.get(), 1) ||
        BN_cmp(e.get(), n.get()) >= 0)
        return fail(errc::malformed, "blindrsa: bad public exponent");
    auto s = std::make_shared<public_key::state>();
    s->n = std::move(n);
    s->e = std::move(e);
    s->mont = BN_MONT_CTX_new();
    if (!s->mont || BN_MONT_CTX_set(s->mont, s->n.get(), thread_ctx()) != 1) return ppx::detail::openssl_fail();
    return s;
}

/// Frees an OSSL_PARAM array after wiping every value it holds (it carries copies of d, p, q).
struct params_clear_free {
    void operator()(OSSL_PARAM* p) const noexcept {
        for (OSSL_PARAM* q = p; q && q->key; ++q)
            if (q->data && q->data_size) OPENSSL_cleanse(q->data, q->data_size);
        OSSL_PARAM_free(p);
    }
};

/// Extracts (n, e, d, p, q) from an OpenSSL RSA or RSA-PSS key and rebuilds it (so the key
/// always has CRT values and no PSS restrictions on the raw operation).
inline result<private_key> from_evp(EVP_PKEY* k);

} // namespace detail_rsa

// ------------------------------------------------------------------ public_key

inline result<public_key> public_key::from_components(bytes_view n, bytes_view e) {
    if (n.empty() || e.empty() || n.size() > max_modulus_size + 1 || e.size() > max_modulus_size)
        return fail(errc::malformed, "blindrsa: bad key component length");
    PPX_TRY_ASSIGN(auto s, detail_rsa::make_public(detail_rsa::to_bn(n), detail_rsa::to_bn(e)));
    return public_key(std::move(s));
}

inline result<public_key> public_key::from_spki_der(bytes_view der) {
    ppx::detail::clear_errors_on_exit clear;
    const unsigned char* p = der.data();
    ppx::detail::evp_pkey_ptr k(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
    if (!k || p != der.data() + der.size()) return fail(errc::malformed, "blindrsa: bad SubjectPublicKeyInfo");
    if (!EVP_PKEY_is_a(k.get(), "RSA") && !EVP_PKEY_is_a(k.get(), "RSA-PSS"))
        return fail(errc::malformed, "blindrsa: not an RSA key");
    BIGNUM *n = nullptr, *e = nullptr;
    if (EVP_PKEY_get_bn_param(k.get(), OSSL_PKEY_PARAM_RSA_N, &n) != 1 ||
        EVP_PKEY_get_bn_param(k.get(), OSSL_PKEY_PARAM_RSA_E, &e) != 1) {
        BN_free(n);
        BN_free(e);
        return fail(errc::malformed, "blindrsa: not an RSA key");
    }
    PPX_TRY_ASSIGN(auto s, detail_rsa::make_public(ppx::detail::bn_ptr(n), ppx::detail::bn_ptr(e)));
    return public_key(std::move(s));
}

inline std::size_t public_key::modulus_bits() const noexcept { return static_cast<std::size_t>(BN_num_bits(s_->n.get())); }

inline bytes public_key::modulus() const {
    bytes out(static_cast<std::size_t>(BN_num_bytes(s_->n.get())));
    BN_bn2bin(s_->n.get(), out.data());
    return out;
}

inline bytes public_key::exponent() const {
    bytes out(static_cast<std::size_t>(BN_num_bytes(s_->e.get())));
    BN_bn2bin(s_->e.get(), out.data());
    return out;
}

inline result<bytes> public_key::to_spki_der() const {
    using namespace ppx::detail;
    std::unique_ptr<OSSL_PARAM_BLD, free_fn<OSSL_PARAM_BLD_free>> bld(OSSL_PARAM_BLD_new());
    if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, s_->n.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, s_->e.get()) != 1)
        return openssl_fail();
    std::unique_ptr<OSSL_PARAM, free_fn<OSSL_PARAM_free>> params(OSSL_PARAM_BLD_to_param(bld.get()));
    evp_pkey_ctx_ptr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
    EVP_PKEY* raw = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
        return openssl_fail();
    evp_pkey_ptr k(raw);
    const int len = i2d_PUBKEY(k.get(), nullptr);
    if (len <= 0) return openssl_fail();
    bytes out(static_cast<std::size_t>(len));
    unsigned char* p = out.data();
    if (i2d_PUBKEY(k.get(), &p) != len) return openssl_fail();
    return out;
}

inline result<void> public_key::rsavp1(bytes_view s, mutable_bytes out) const {
    const std::size_t k = modulus_size();
    if (s.size() != k) return fail(errc::malformed, "blindrsa: wrong input length");
    if (out.size() < k) return fail(errc::buffer_too_small, "blindrsa: output buffer too small");
    auto sb = detail_rsa::to_bn(s);
    ppx::detail::bn_ptr r(BN_new());
    if (!sb || !r) return ppx::detail::openssl_fail();
    if (BN_cmp(sb.get(), s_->n.get()) >= 0) return fail(errc::malformed, "blindrsa: representative out of range");
    if (BN_mod_exp_mont(r.get(), sb.get(), s_->e.get(), s_->n.get(), detail_rsa::thread_ctx(), s_->mont) != 1 ||
        BN_bn2binpad(r.get(), out.data(), static_cast<int>(k)) < 0)
        return ppx::detail::openssl_fail();
    return ok();
}

// ------------------------------------------------------------------ private_key

inline result<private_key> private_key::from_components(bytes_view n, bytes_view e, bytes_view d, bytes_view p,
                                                        bytes_view q) {
    using namespace ppx::detail;
    PPX_TRY_ASSIGN(auto pk, public_key::from_components(n, e));
    if (d.empty() || p.empty() || q.empty() || d.size() > max_modulus_size + 1 || p.size() > max_modulus_size ||
        q.size() > max_modulus_size)
        return fail(errc::malformed, "blindrsa: bad key component length");
    BN_CTX* ctx = detail_rsa::thread_ctx();
    auto db = detail_rsa::to_secret_bn(d), pb = detail_rsa::to_secret_bn(p), qb = detail_rsa::to_secret_bn(q);
    auto t = detail_rsa::new_secret_bn(), dmp1 = detail_rsa::new_secret_bn(), dmq1 = detail_rsa::new_secret_bn(),
         iqmp = detail_rsa::new_secret_bn();
    if (!db || !pb || !qb || !t || !dmp1 || !dmq1 || !iqmp) return openssl_fail();
    const auto& ps = pk.impl();
    if (BN_cmp(pb.get(), BN_value_one()) <= 0 || BN_cmp(qb.get(), BN_value_one()) <= 0 ||
        BN_cmp(db.get(), ps.n.get()) >= 0 || BN_is_zero(db.get()))
        return fail(errc::malformed, "blindrsa: bad private key");
    if (BN_mul(t.get(), pb.get(), qb.get(), ctx) != 1) return openssl_fail();
    if (BN_cmp(t.get(), ps.n.get()) != 0) return fail(errc::malformed, "blindrsa: n != p*q");
    // CRT values: d mod (p-1), d mod (q-1), q^-1 mod p.
    if (!BN_copy(t.get(), pb.get()) || BN_sub_word(t.get(), 1) != 1 || BN_mod(dmp1.get(), db.get(), t.get(), ctx) != 1)
        return openssl_fail();
    if (!BN_copy(t.get(), qb.get()) || BN_sub_word(t.get(), 1) != 1 || BN_mod(dmq1.get(), db.get(), t.get(), ctx) != 1)
        return openssl_fail();
    if (!BN_mod_inverse(iqmp.get(), qb.get(), pb.get(), ctx)) return fail(errc::malformed, "blindrsa: bad private key");

    std::unique_ptr<OSSL_PARAM_BLD, free_fn<OSSL_PARAM_BLD_free>> bld(OSSL_PARAM_BLD_new());
    if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, ps.n.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, ps.e.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_D, db.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_FACTOR1, pb.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_FACTOR2, qb.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_EXPONENT1, dmp1.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_EXPONENT2, dmq1.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_COEFFICIENT1, iqmp.get()) != 1)
        return openssl_fail();
    std::unique_ptr<OSSL_PARAM, detail_rsa::params_clear_free> params(OSSL_PARAM_BLD_to_param(bld.get()));
    evp_pkey_ctx_ptr kctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
    EVP_PKEY* raw = nullptr;
    if (!params || !kctx || EVP_PKEY_fromdata_init(kctx.get()) != 1 ||
        EVP_PKEY_fromdata(kctx.get(), &raw, EVP_PKEY_KEYPAIR, params.get()) != 1)
        return openssl_fail();
    auto s = std::make_shared<state>();
    s->pkey.reset(raw);
    // Checks d*e = 1 mod lcm(p-1, q-1) and the CRT values (OpenSSL's RSA pairwise check).
    evp_pkey_ctx_ptr check(EVP_PKEY_CTX_new_from_pkey(nullptr, raw, nullptr));
    if (!check) return openssl_fail();
    if (EVP_PKEY_pairwise_check(check.get()) != 1) return openssl_fail(errc::malformed, "blindrsa: inconsistent private key");
    return private_key(std::move(s), std::move(pk));
}

inline result<private_key> detail_rsa::from_evp(EVP_PKEY* k) {
    if (!EVP_PKEY_is_a(k, "RSA") && !EVP_PKEY_is_a(k, "RSA-PSS")) return fail(errc::malformed, "blindrsa: not an RSA key");
    BIGNUM* v[5] = {};
    const char* names[5] = {OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E, OSSL_PKEY_PARAM_RSA_D,
                            OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2};
    bool good = true;
    for (int i = 0; i < 5; ++i) good = good && EVP_PKEY_get_bn_param(k, names[i], &v[i]) == 1;
    secure_bytes b[5];
    for (int i = 0; i < 5; ++i) {
        if (v[i]) b[i] = bn_to_secure(v[i]);
        BN_clear_free(v[i]);
    }
    if (!good) return ppx::detail::openssl_fail(errc::malformed, "blindrsa: incomplete private key");
    return private_key::from_components(b[0], b[1], b[2], b[3], b[4]);
}

inline result<private_key> private_key::from_der(bytes_view der) {
    ppx::detail::clear_errors_on_exit clear;
    const unsigned char* p = der.data();
    ppx::detail::evp_pkey_ptr k(d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(der.size())));
    if (!k || p != der.data() + der.size()) return fail(errc::malformed, "blindrsa: bad private key DER");
    return detail_rsa::from_evp(k.get());
}

inline result<private_key> private_key::generate(std::size_t bits) {
    if (bits < min_modulus_bits || bits > max_modulus_bits || bits % 8 != 0)
        return fail(errc::unsupported, "blindrsa: unsupported modulus size");
    ppx::detail::evp_pkey_ptr k(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", bits));
    if (!k) return ppx::detail::openssl_fail();
    return detail_rsa::from_evp(k.get());
}

inline result<secure_bytes> private_key::to_pkcs8_der() const {
    std::unique_ptr<PKCS8_PRIV_KEY_INFO, ppx::detail::free_fn<PKCS8_PRIV_KEY_INFO_free>> p8(
        EVP_PKEY2PKCS8(s_->pkey.get()));
    if (!p8) return ppx::detail::openssl_fail();
    unsigned char* buf = nullptr;
    const int len = i2d_PKCS8_PRIV_KEY_INFO(p8.get(), &buf);
    if (len <= 0 || !buf) return ppx::detail::openssl_fail();
    secure_bytes out(buf, buf + len);
    OPENSSL_clear_free(buf, static_cast<std::size_t>(len));
    return out;
}

// ------------------------------------------------------------------ protocol

inline result<blind_secret> blind_secret::from_bytes(const public_key& pk, bytes_view inv) {
    const std::size_t k = pk.modulus_size();
    if (inv.size() != k) return fail(errc::malformed, "blindrsa: bad inverse length");
    auto b = detail_rsa::to_secret_bn(inv);
    if (!b) return ppx::detail::openssl_fail();
    if (BN_is_zero(b.get()) || BN_cmp(b.get(), pk.impl().n.get()) >= 0)
        return fail(errc::malformed, "blindrsa: inverse out of range");
    return detail_rsa::access::make(to_secure(inv));
}

inline result<bytes> prepare_with(variant v, bytes_view msg, bytes_view prefix) {
    // RFC 9474 §4.1: PrepareRandomize = random(32) || msg; PrepareIdentity = msg.
    if (is_randomized(v) ? prefix.size() != prefix_size : !prefix.empty())
        return fail(errc::misuse, "blindrsa: bad prefix length");
    return concat(prefix, msg);
}

inline result<bytes> prepare(variant v, bytes_view msg, rng& r) {
    if (!is_randomized(v)) return to_bytes(msg);
    std::uint8_t prefix[prefix_size];
    PPX_TRY(r.fill(prefix));
    return prepare_with(v, msg, prefix);
}

namespace detail_rsa {

/// Blind steps 1-5 and 9-12 (RFC 9474 §4.2) given r (secret, 0 < r < n).
inline result<void> blind_core(const public_key& pk, bytes_view msg, bytes_view salt, const BIGNUM* r,
                               mutable_bytes out) {
    const auto& ps = pk.impl();
    const std::size_t k = pk.modulus_size();
    BN_CTX* ctx = thread_ctx();
    // Step 1: encoded_msg = EMSA-PSS-ENCODE(msg, bit_len(n) - 1) (RFC 8017 §8.1.1 uses modBits - 1).
    const std::size_t em_bits = pk.modulus_bits() - 1;
    const std::size_t em_len = (em_bits + 7) / 8;
    std::uint8_t em[max_modulus_size];
    wipe_on_exit we(em);
    PPX_TRY(emsa_pss_encode<crypto::sha384>(msg, em_bits, salt, mutable_bytes(em, em_len)));
    auto m = to_secret_bn(bytes_view(em, em_len));
    auto g = new_secret_bn(), x = new_secret_bn(), z = new_secret_bn();
    if (!m || !g || !x || !z) return ppx::detail::openssl_fail();
    // Steps 4-5: m must be coprime with n ("invalid input").
    if (BN_gcd(g.get(), m.get(), ps.n.get(), ctx) != 1) return ppx::detail::openssl_fail();
    if (!BN_is_one(g.get())) return fail(errc::malformed, "blindrsa: invalid input");
    // Step 9: x = RSAVP1(pk, r) = r^e mod n, constant time in r.
    if (BN_mod_exp_mont_consttime(x.get(), r, ps.e.get(), ps.n.get(), ctx, ps.mont) != 1) return ppx::detail::openssl_fail();
    // Step 10-11: z = m * x mod n.
    if (BN_mod_mul(z.get(), m.get(), x.get(), ps.n.get(), ctx) != 1) return ppx::detail::openssl_fail();
    if (BN_bn2binpad(z.get(), out.data(), static_cast<int>(k)) < 0) return ppx::detail::openssl_fail();
    return ok();
}

} // namespace detail_rsa

inline result<blind_secret> blind_with(const public_key& pk, variant v, bytes_view prepared_msg, bytes_view salt,
                                       bytes_view inv, mutable_bytes blinded_out) {
    const auto& ps = pk.impl();
    const std::size_t k = pk.modulus_size();
    if (salt.size() != salt_size(v)) return fail(errc::misuse, "blindrsa: bad salt length");
    if (blinded_out.size() < k) return fail(errc::buffer_too_small, "blindrsa: output buffer too small");
    if (inv.empty() || inv.size() > k) return fail(errc::malformed, "blindrsa: bad inverse length");
    auto ib = detail_rsa::to_secret_bn(inv);
    auto r = detail_rsa::new_secret_bn();
    if (!ib || !r) return ppx::detail::openssl_fail();
    if (BN_is_zero(ib.get()) || BN_cmp(ib.get(), ps.n.get()) >= 0) return fail(errc::malformed, "blindrsa: inverse out of range");
    // r = inv^-1 mod n; BN_FLG_CONSTTIME on the operand selects OpenSSL's branch-free inversion.
    {
        ppx::detail::clear_errors_on_exit clear;
        if (!BN_mod_inverse(r.get(), ib.get(), ps.n.get(), detail_rsa::thread_ctx()))
            return fail(errc::malformed, "blindrsa: blinding error");
    }
    secure_bytes inv_fixed(k);
    if (BN_bn2binpad(ib.get(), inv_fixed.data(), static_cast<int>(k)) < 0) return ppx::detail::openssl_fail();
    PPX_TRY(detail_rsa::blind_core(pk, prepared_msg, salt, r.get(), blinded_out));
    return detail_rsa::access::make(std::move(inv_fixed));
}

inline result<blind_secret> blind(const public_key& pk, variant v, bytes_view prepared_msg, rng& rng,
                                  mutable_bytes blinded_out) {
    const auto& ps = pk.impl();
    const std::size_t k = pk.modulus_size();
    if (blinded_out.size() < k) return fail(errc::buffer_too_small, "blindrsa: output buffer too small");
    std::uint8_t salt[pss_salt_size];
    PPX_TRY(rng.fill(mutable_bytes(salt, salt_size(v))));
    BN_CTX* ctx = detail_rsa::thread_ctx();
    const int excess = static_cast<int>(8 * k - pk.modulus_bits());
    secure_bytes buf(k);
    for (int tries = 0; tries < 64; ++tries) {
        // Step 6: r uniform in [1, n) by rejection sampling.
        PPX_TRY(rng.fill(buf));
        buf[0] &= static_cast<std::uint8_t>(0xff >> excess);
        auto r = detail_rsa::to_secret_bn(buf);
        auto b = detail_rsa::new_secret_bn();  // the inversion blind
        auto rb = detail_rsa::new_secret_bn(), inv = detail_rsa::new_secret_bn();
        if (!r || !b || !rb || !inv) return ppx::detail::openssl_fail();
        if (BN_is_zero(r.get()) || BN_cmp(r.get(), ps.n.get()) >= 0) continue;
        // Step 7: inv = r^-1 mod n, computed as (r*b)^-1 * b for a fresh uniform b, so the
        // inversion (branch-free with BN_FLG_CONSTTIME) only ever sees a value independent of r.
        PPX_TRY(rng.fill(buf));
        buf[0] &= static_cast<std::uint8_t>(0xff >> excess);
        if (!BN_bin2bn(buf.data(), static_cast<int>(k), b.get())) return ppx::detail::openssl_fail();
        BN_set_flags(b.get(), BN_FLG_CONSTTIME);
        if (BN_is_zero(b.get()) || BN_cmp(b.get(), ps.n.get()) >= 0) continue;
        if (BN_mod_mul(rb.get(), r.get(), b.get(), ps.n.get(), ctx) != 1) return ppx::detail::openssl_fail();
        BN_set_flags(rb.get(), BN_FLG_CONSTTIME);
        {
            ppx::detail::clear_errors_on_exit clear;
            if (!BN_mod_inverse(inv.get(), rb.get(), ps.n.get(), ctx)) continue;  // step 8: retry
        }
        if (BN_mod_mul(inv.get(), inv.get(), b.get(), ps.n.get(), ctx) != 1) return ppx::detail::openssl_fail();
        secure_bytes inv_fixed(k);
        if (BN_bn2binpad(inv.get(), inv_fixed.data(), static_cast<int>(k)) < 0) return ppx::detail::openssl_fail();
        PPX_TRY(detail_rsa::blind_core(pk, prepared_msg, bytes_view(salt, salt_size(v)), r.get(), blinded_out));
        return detail_rsa::access::make(std::move(inv_fixed));
    }
    return fail(errc::internal, "blindrsa: blinding error");
}

inline result<std::size_t> blind_sign(const private_key& sk, bytes_view blinded_msg, mutable_bytes out) {
    const auto& pk = sk.public_key();
    const std::size_t k = pk.modulus_size();
    if (blinded_msg.size() != k) return fail(errc::malformed, "blindrsa: wrong blinded message length");
    if (out.size() < k) return fail(errc::buffer_too_small, "blindrsa: output buffer too small");
    auto m = detail_rsa::to_bn(blinded_msg);
    if (!m) return ppx::detail::openssl_fail();
    // RFC 8017 §5.2.1: "message representative out of range".
    if (BN_cmp(m.get(), pk.impl().n.get()) >= 0) return fail(errc::malformed, "blindrsa: representative out of range");
    std::uint8_t s[max_modulus_size], check[max_modulus_size];
    PPX_TRY(detail_rsa::rsasp1(sk.impl(), blinded_msg, mutable_bytes(s, k)));
    // RFC 9474 §4.3 steps 3-4: m' = RSAVP1(pk, s); m' must equal m, else "signing failure"
    // (a faulty CRT result would otherwise reveal a factor of n).
    PPX_TRY(pk.rsavp1(bytes_view(s, k), mutable_bytes(check, k)));
    if (!ct_equal(bytes_view(check, k), blinded_msg)) return fail(errc::internal, "blindrsa: signing failure");
    std::memcpy(out.data(), s, k);
    return k;
}

inline result<void> verify(const public_key& pk, variant v, bytes_view prepared_msg, bytes_view sig) {
    const std::size_t k = pk.modulus_size();
    auto bad = [] { return fail(errc::crypto_failure, "blindrsa: invalid signature"); };
    if (sig.size() != k) return bad();  // RFC 8017 §8.1.2 step 1
    std::uint8_t em[max_modulus_size];
    if (!pk.rsavp1(sig, mutable_bytes(em, k))) return bad();  // step 2b (s >= n)
    // Step 2c: EM = I2OSP(m, emLen) with emLen = ceil((modBits - 1) / 8).
    const std::size_t em_bits = pk.modulus_bits() - 1;
    const std::size_t em_len = (em_bits + 7) / 8;
    if (em_len < k && em[0] != 0) return bad();
    return emsa_pss_verify<crypto::sha384>(prepared_msg, bytes_view(em + (k - em_len), em_len), em_bits, salt_size(v));
}

inline result<std::size_t> finalize(const public_key& pk, variant v, bytes_view prepared_msg, bytes_view blind_sig,
                                    const blind_secret& inv, mutable_bytes sig_out) {
    const auto& ps = pk.impl();
    const std::size_t k = pk.modulus_size();
    // RFC 9474 §4.4 step 1: "unexpected input size".
    if (blind_sig.size() != k) return fail(errc::malformed, "blindrsa: unexpected input size");
    if (inv.inv_bytes().size() != k) return fail(errc::misuse, "blindrsa: blind secret for another key");
    if (sig_out.size() < k) return fail(errc::buffer_too_small, "blindrsa: output buffer too small");
    auto z = detail_rsa::to_bn(blind_sig);
    auto ib = detail_rsa::to_secret_bn(inv.inv_bytes());
    auto s = detail_rsa::new_secret_bn();
    if (!z || !ib || !s) return ppx::detail::openssl_fail();
    if (BN_cmp(z.get(), ps.n.get()) >= 0) return fail(errc::malformed, "blindrsa: blind signature out of range");
    // Steps 2-4: s = z * inv mod n.
    if (BN_mod_mul(s.get(), z.get(), ib.get(), ps.n.get(), detail_rsa::thread_ctx()) != 1) return ppx::detail::openssl_fail();
    std::uint8_t sig[max_modulus_size];
    if (BN_bn2binpad(s.get(), sig, static_cast<int>(k)) < 0) return ppx::detail::openssl_fail();
    // Steps 5-6: RSASSA-PSS-VERIFY before releasing the signature.
    if (auto r = verify(pk, v, prepared_msg, bytes_view(sig, k)); !r) {
        std::memset(sig_out.data(), 0, k);
        return unexpected(r.error());
    }
    std::memcpy(sig_out.data(), sig, k);
    return k;
}

} // namespace ppx::blindrsa

#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
