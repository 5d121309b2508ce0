// ppx/mlkem/mlkem.hpp: ML-KEM (FIPS 203), parameter sets 512, 768 and 1024.
//
// Two layers:
//
// - Byte-level functions on caller buffers, mirroring FIPS 203 §7: keygen() (Algorithm 19,
//   or from the 64-byte seed d || z as in Algorithm 16), encaps() (Algorithm 20, including
//   the §7.2 input checks; the 32-byte randomness m may be injected), decaps() (Algorithm 21,
//   including the §7.3 input checks, with implicit rejection). They never allocate.
// - Key objects that validate once and keep the expanded form (the NTT-domain vectors and the
//   matrix A sampled from rho), for callers that use one key many times: encapsulation_key<P>
//   and decapsulation_key<P>. Their results are identical to the byte-level functions.
//
// Failures: wrong input lengths and keys failing the §7.2 / §7.3 checks are errc::malformed;
// output buffers smaller than the documented size are errc::buffer_too_small; a failing rng is
// passed through. A ciphertext that does not decrypt consistently is NOT an error: FIPS 203
// decapsulation then returns the pseudo-random rejection secret J(z || c), and the caller
// notices only when the key it derives fails to authenticate (implicit rejection, §6.3).
//
// Constant time: nothing that depends on the decapsulation key, the message m, the derived
// randomness r or the shared secret steers a branch or a memory index (see poly.hpp and
// docs/mlkem.md for how this was checked with valgrind). Every buffer that held such data is
// wiped before return.
#pragma once

#include <ppx/core/bytes.hpp>
#include <ppx/core/result.hpp>
#include <ppx/core/rng.hpp>
#include <ppx/core/secret.hpp>
#include <ppx/mlkem/keccak.hpp>
#include <ppx/mlkem/params.hpp>
#include <ppx/mlkem/poly.hpp>

#include <array>
#include <cstring>

namespace ppx::mlkem {

struct shared_secret_tag {};
/// The 32-byte shared secret K, wiped on destruction.
using shared_secret = secret<shared_secret_size, shared_secret_tag>;

struct seed_tag {};
/// The 64-byte key-generation seed d || z (FIPS 203 §7.1), wiped on destruction.
using key_seed = secret<seed_size, seed_tag>;

namespace detail {

/// A vector of K polynomials.
template <std::size_t K>
using polyvec = std::array<poly, K>;

template <std::size_t K>
inline void ntt(polyvec<K>& v) noexcept {
    for (auto& p : v) {
        ntt(p);
        reduce(p);
    }
}

/// The matrix A_hat (FIPS 203 Algorithm 13 line 6 / Algorithm 14 line 6): entry (i, j) is
/// SampleNTT(rho || j || i). With `transposed` the entry (i, j) holds A_hat[j, i]. Four
/// entries at a time on the 4-way Keccak when the CPU has AVX2.
template <std::size_t K>
inline void expand_matrix(std::array<polyvec<K>, K>& a, const std::uint8_t rho[32], bool transposed) noexcept {
    constexpr std::size_t total = K * K;
    std::size_t e = 0;
    auto index = [&](std::size_t at, std::uint8_t out[2]) {
        const auto i = static_cast<std::uint8_t>(at / K), j = static_cast<std::uint8_t>(at % K);
        out[0] = transposed ? i : j;  // the XOF input is rho || first || second
        out[1] = transposed ? j : i;
    };
    if (simd_enabled()) {
        for (; e + 4 <= total; e += 4) {
            poly* out[4];
            std::uint8_t idx[4][2];
            for (unsigned l = 0; l < 4; ++l) {
                out[l] = &a[(e + l) / K][(e + l) % K];
                index(e + l, idx[l]);
            }
            sample_ntt_x4(out, rho, idx);
        }
    }
    for (; e < total; ++e) {
        std::uint8_t idx[2];
        index(e, idx);
        sample_ntt(a[e / K][e % K], rho, idx[0], idx[1]);
    }
}

/// The public part of a K-PKE encryption key, expanded: t_hat, A_hat^T, rho, and H(ek).
template <parameter_set P>
struct expanded_ek {
    polyvec<P::k> t_hat;
    std::array<polyvec<P::k>, P::k> at;  // A_hat transposed
    std::array<std::uint8_t, 32> h;      // H(ek) = SHA3-256(ek) (FIPS 203 §7.2 Algorithm 17 line 1)
};

/// Decodes ek with the §7.2 modulus check, expands A_hat^T and hashes ek.
/// Returns false (and leaves `out` unspecified) when the check fails.
template <parameter_set P>
inline bool expand_ek(expanded_ek<P>& out, const std::uint8_t* ek) noexcept {
    bool good = true;
    for (std::size_t i = 0; i < P::k; ++i) good &= decode12_checked(out.t_hat[i], ek + 384 * i);
    // FIPS 203 §7.2 "Modulus check": ek must equal ByteEncode12(ByteDecode12(ek)).
    if (!good) return false;
    expand_matrix<P::k>(out.at, ek + 384 * P::k, true);
    keccak::sha3_256_of(out.h, bytes_view(ek, P::encapsulation_key_size));
    return true;
}

/// Samples the polynomials of `v` with consecutive nonces starting at `nonce` (advanced).
template <unsigned Eta, std::size_t K>
inline void sample_vec(polyvec<K>& v, const std::uint8_t sigma[32], std::uint8_t& nonce) noexcept {
    poly* ps[K];
    std::uint8_t ns[K];
    for (std::size_t i = 0; i < K; ++i) {
        ps[i] = &v[i];
        ns[i] = nonce++;
    }
    sample_cbd_many<Eta>(ps, ns, K, sigma);
}

/// K-PKE.Encrypt (FIPS 203 Algorithm 14) with a pre-expanded key; writes ciphertext_size bytes.
/// m (32 bytes) and r (32 bytes) are secret.
template <parameter_set P>
inline void pke_encrypt(std::uint8_t* c, const expanded_ek<P>& ek, const std::uint8_t m[32], const std::uint8_t r[32]) noexcept {
    constexpr std::size_t k = P::k;
    struct work {
        polyvec<k> y, u;
        poly e2, v, mu;
    } w;
    wipe_on_exit wipe_w(w);
    // lines 9-17: y (N = 0..k-1, eta1), e1 (N = k..2k-1, eta2; u accumulates on top of it
    // below) and e2 (N = 2k, eta2), batched when eta1 == eta2.
    if constexpr (P::eta1 == P::eta2) {
        poly* ps[2 * k + 1];
        std::uint8_t ns[2 * k + 1];
        for (std::size_t i = 0; i < k; ++i) {
            ps[i] = &w.y[i];
            ps[k + i] = &w.u[i];
        }
        ps[2 * k] = &w.e2;
        for (std::size_t i = 0; i <= 2 * k; ++i) ns[i] = static_cast<std::uint8_t>(i);
        sample_cbd_many<P::eta1>(ps, ns, 2 * k + 1, r);
    } else {
        std::uint8_t nonce = 0;
        sample_vec<P::eta1>(w.y, r, nonce);
        sample_vec<P::eta2>(w.u, r, nonce);
        poly* pe2[1] = {&w.e2};
        const std::uint8_t ne2[1] = {nonce};
        sample_cbd_many<P::eta2>(pe2, ne2, 1, r);
    }
    ntt(w.y);                            // line 18
    // line 19: u = NTT^-1(A_hat^T o y_hat) + e1
    for (std::size_t i = 0; i < k; ++i) {
        poly t;
        basemul_acc<k>(t, ek.at[i].data(), w.y.data());
        invntt(t);
        add(w.u[i], t);
        reduce(w.u[i]);
    }
    // lines 20-21: v = NTT^-1(t_hat^T o y_hat) + e2 + mu
    from_message(w.mu, m);
    basemul_acc<k>(w.v, ek.t_hat.data(), w.y.data());
    invntt(w.v);
    add(w.v, w.e2);
    add(w.v, w.mu);
    reduce(w.v);
    // lines 22-23
    for (std::size_t i = 0; i < k; ++i) compress_encode<P::du>(c + 32 * P::du * i, w.u[i]);
    compress_encode<P::dv>(c + 32 * P::du * k, w.v);
}

/// K-PKE.Decrypt (FIPS 203 Algorithm 15) with s_hat already decoded; writes the 32-byte m.
template <parameter_set P>
inline void pke_decrypt(std::uint8_t m[32], const polyvec<P::k>& s_hat, const std::uint8_t* c) noexcept {
    constexpr std::size_t k = P::k;
    struct work {
        polyvec<k> u;
        poly v, w;
    } w;
    wipe_on_exit wipe_w(w);
    for (std::size_t i = 0; i < k; ++i) decode_decompress<P::du>(w.u[i], c + 32 * P::du * i);  // line 3
    decode_decompress<P::dv>(w.v, c + 32 * P::du * k);                                          // line 4
    ntt(w.u);
    // line 6: w = v' - NTT^-1(s_hat^T o NTT(u'))
    basemul_acc<k>(w.w, s_hat.data(), w.u.data());
    invntt(w.w);
    sub(w.v, w.w);
    reduce(w.v);
    to_message(m, w.v);  // line 7
}

/// ML-KEM.Encaps_internal (FIPS 203 Algorithm 17) with a pre-expanded key.
template <parameter_set P>
inline void encaps_internal(std::uint8_t* c, std::uint8_t ss[32], const expanded_ek<P>& ek, const std::uint8_t m[32]) noexcept {
    std::uint8_t kr[64];  // (K, r) = G(m || H(ek)), line 1
    keccak::sha3_512_of(kr, bytes_view(m, 32), ek.h);
    pke_encrypt<P>(c, ek, m, kr + 32);  // line 2
    std::memcpy(ss, kr, 32);
    OPENSSL_cleanse(kr, sizeof kr);
}

/// ML-KEM.Decaps_internal (FIPS 203 Algorithm 18) with pre-expanded keys. z is 32 bytes.
template <parameter_set P>
inline void decaps_internal(std::uint8_t ss[32], const polyvec<P::k>& s_hat, const expanded_ek<P>& ek,
                            const std::uint8_t z[32], const std::uint8_t* c) noexcept {
    struct work {
        std::uint8_t m[32];
        std::uint8_t kr[64];
        std::uint8_t k_bar[32];
        std::uint8_t c2[P::ciphertext_size];
    } w;
    wipe_on_exit wipe_w(w);
    pke_decrypt<P>(w.m, s_hat, c);                           // line 7
    keccak::sha3_512_of(w.kr, bytes_view(w.m), ek.h);         // line 8: (K', r') = G(m' || h)
    keccak::shake256_of(w.k_bar, bytes_view(z, 32), bytes_view(c, P::ciphertext_size));  // line 9: J(z || c)
    pke_encrypt<P>(w.c2, ek, w.m, w.kr + 32);                 // line 10
    // lines 11-13: if c != c' then K' = K_bar, compared and selected in constant time.
    const std::uint8_t differ = ct_neq_mask(c, w.c2, P::ciphertext_size);
    ct_cmov(w.kr, w.k_bar, 32, differ);
    std::memcpy(ss, w.kr, 32);
}

/// K-PKE.KeyGen + ML-KEM.KeyGen_internal (FIPS 203 Algorithms 13 and 16) from d and z.
/// Writes ek (encapsulation_key_size bytes) and dk (decapsulation_key_size bytes). When
/// `s_hat_out` and `ek_out` are given, also leaves the expanded key there (s_hat, t_hat,
/// A_hat^T and H(ek)), so a key object built from a seed samples A only once.
template <parameter_set P>
inline void keygen_internal(std::uint8_t* ek, std::uint8_t* dk, const std::uint8_t d[32], const std::uint8_t z[32],
                            polyvec<P::k>* s_hat_out = nullptr, expanded_ek<P>* ek_out = nullptr) noexcept {
    constexpr std::size_t k = P::k;
    struct work {
        std::uint8_t rho_sigma[64];
        std::array<polyvec<k>, k> a;
        polyvec<k> s, e, t;
    } w;
    wipe_on_exit wipe_w(w);
    // Algorithm 13 line 1: (rho, sigma) = G(d || k).
    const std::uint8_t kb = static_cast<std::uint8_t>(k);
    keccak::sha3_512_of(w.rho_sigma, bytes_view(d, 32), bytes_view(&kb, 1));
    const std::uint8_t* rho = w.rho_sigma;
    const std::uint8_t* sigma = w.rho_sigma + 32;
    expand_matrix<k>(w.a, rho, false);  // lines 3-7
    {  // lines 8-15: s (N = 0..k-1) and e (N = k..2k-1), both eta1, in one batch
        poly* ps[2 * k];
        std::uint8_t ns[2 * k];
        for (std::size_t i = 0; i < k; ++i) {
            ps[i] = &w.s[i];
            ps[k + i] = &w.e[i];
        }
        for (std::size_t i = 0; i < 2 * k; ++i) ns[i] = static_cast<std::uint8_t>(i);
        sample_cbd_many<P::eta1>(ps, ns, 2 * k, sigma);
    }
    ntt(w.s);                                // line 16
    ntt(w.e);                                // line 17
    for (std::size_t i = 0; i < k; ++i) {    // line 18: t_hat = A_hat o s_hat + e_hat
        basemul_acc<k>(w.t[i], w.a[i].data(), w.s.data());
        to_mont(w.t[i]);
        add(w.t[i], w.e[i]);
        reduce(w.t[i]);
    }
    // lines 19-20: ek_PKE = ByteEncode12(t_hat) || rho, dk_PKE = ByteEncode12(s_hat).
    for (std::size_t i = 0; i < k; ++i) encode12(ek + 384 * i, w.t[i]);
    std::memcpy(ek + 384 * k, rho, 32);
    for (std::size_t i = 0; i < k; ++i) encode12(dk + 384 * i, w.s[i]);
    // Algorithm 16 line 3: dk = dk_PKE || ek || H(ek) || z.
    std::memcpy(dk + 384 * k, ek, P::encapsulation_key_size);
    keccak::sha3_256_of(std::span<std::uint8_t, 32>(dk + 768 * k + 32, 32), bytes_view(ek, P::encapsulation_key_size));
    std::memcpy(dk + 768 * k + 64, z, 32);
    if (s_hat_out != nullptr && ek_out != nullptr) {
        *s_hat_out = w.s;
        ek_out->t_hat = w.t;
        for (std::size_t i = 0; i < k; ++i)
            for (std::size_t j = 0; j < k; ++j) ek_out->at[i][j] = w.a[j][i];
        std::memcpy(ek_out->h.data(), dk + 768 * k + 32, 32);
    }
}

/// FIPS 203 §7.3 "Hash check": H(dk[384k : 768k + 32]) == dk[768k + 32 : 768k + 64].
/// Both sides are public (they describe ek), so an ordinary comparison is fine; ct_equal is
/// used anyway.
template <parameter_set P>
inline bool hash_check(const std::uint8_t* dk) noexcept {
    constexpr std::size_t k = P::k;
    std::uint8_t h[32];
    keccak::sha3_256_of(h, bytes_view(dk + 384 * k, P::encapsulation_key_size));
    return ct_equal(h, bytes_view(dk + 768 * k + 32, 32));
}

} // namespace detail

// ==================================================================== byte-level API

/// ML-KEM.KeyGen_internal (FIPS 203 Algorithm 16) from the 64-byte seed d || z.
/// Writes exactly P::encapsulation_key_size bytes to `ek` and P::decapsulation_key_size bytes
/// to `dk`. Fails, writing nothing, with errc::malformed if `seed` is not 64 bytes and with
/// errc::buffer_too_small if either buffer is smaller than its key.
template <parameter_set P>
inline result<void> keygen(bytes_view seed, mutable_bytes ek, mutable_bytes dk) noexcept {
    if (seed.size() != seed_size) return fail(errc::malformed, "mlkem: seed must be 64 bytes (d || z)");
    if (ek.size() < P::encapsulation_key_size || dk.size() < P::decapsulation_key_size)
        return fail(errc::buffer_too_small, "mlkem: key buffer too small");
    detail::keygen_internal<P>(ek.data(), dk.data(), seed.data(), seed.data() + 32);
    return ok();
}

/// ML-KEM.KeyGen (FIPS 203 Algorithm 19): draws d and z from `rng`. Buffers as above; a failing
/// rng's error is returned and nothing is written.
template <parameter_set P>
inline result<void> keygen(rng& r, mutable_bytes ek, mutable_bytes dk) noexcept {
    key_seed seed;
    PPX_TRY(r.fill(seed.expose_mut()));
    return keygen<P>(seed.expose(), ek, dk);
}

/// FIPS 203 §7.2 input checks on an encapsulation key: the type check (exactly
/// P::encapsulation_key_size bytes) and the modulus check (every 12-bit coefficient < q).
/// Fails with errc::malformed.
template <parameter_set P>
inline result<void> check_encapsulation_key(bytes_view ek) noexcept {
    if (ek.size() != P::encapsulation_key_size) return fail(errc::malformed, "mlkem: encapsulation key has the wrong length");
    detail::poly p;
    for (std::size_t i = 0; i < P::k; ++i)
        if (!detail::decode12_checked(p, ek.data() + 384 * i))
            return fail(errc::malformed, "mlkem: encapsulation key fails the modulus check");
    return ok();
}

/// FIPS 203 §7.3 input checks on a decapsulation key: the type check (exactly
/// P::decapsulation_key_size bytes) and the hash check. Fails with errc::malformed.
template <parameter_set P>
inline result<void> check_decapsulation_key(bytes_view dk) noexcept {
    if (dk.size() != P::decapsulation_key_size) return fail(errc::malformed, "mlkem: decapsulation key has the wrong length");
    if (!detail::hash_check<P>(dk.data())) return fail(errc::malformed, "mlkem: decapsulation key fails the hash check");
    return ok();
}

/// ML-KEM.Encaps (FIPS 203 Algorithm 20) with the randomness m given (32 bytes; tests and
/// known-answer checks; real callers use the rng overload). Checks ek per §7.2, then writes
/// exactly P::ciphertext_size bytes to `ct` and 32 to `ss`. Fails with errc::malformed (bad ek)
/// or errc::buffer_too_small, writing nothing.
template <parameter_set P>
inline result<void> encaps(bytes_view ek, std::span<const std::uint8_t, message_size> m, mutable_bytes ct,
                           std::span<std::uint8_t, shared_secret_size> ss) noexcept {
    if (ek.size() != P::encapsulation_key_size) return fail(errc::malformed, "mlkem: encapsulation key has the wrong length");
    if (ct.size() < P::ciphertext_size) return fail(errc::buffer_too_small, "mlkem: ciphertext buffer too small");
    detail::expanded_ek<P> x;
    if (!detail::expand_ek<P>(x, ek.data())) return fail(errc::malformed, "mlkem: encapsulation key fails the modulus check");
    detail::encaps_internal<P>(ct.data(), ss.data(), x, m.data());
    return ok();
}

/// ML-KEM.Encaps (FIPS 203 Algorithm 20) drawing m from `rng`; otherwise as above.
template <parameter_set P>
inline result<void> encaps(bytes_view ek, rng& r, mutable_bytes ct, std::span<std::uint8_t, shared_secret_size> ss) noexcept {
    secret<message_size> m;
    PPX_TRY(r.fill(m.expose_mut()));
    return encaps<P>(ek, m.expose(), ct, ss);
}

/// ML-KEM.Decaps (FIPS 203 Algorithm 21). Checks the ciphertext length and dk per §7.3 (length
/// and hash check; errc::malformed), then writes the 32-byte shared secret to `ss`. An invalid
/// but well-sized ciphertext yields the implicit-rejection secret J(z || c), not an error.
template <parameter_set P>
inline result<void> decaps(bytes_view dk, bytes_view ct, std::span<std::uint8_t, shared_secret_size> ss) noexcept {
    if (ct.size() != P::ciphertext_size) return fail(errc::malformed, "mlkem: ciphertext has the wrong length");
    PPX_TRY(check_decapsulation_key<P>(dk));
    constexpr std::size_t k = P::k;
    struct work {
        detail::polyvec<k> s_hat;
        detail::expanded_ek<P> ek;
    } w;
    wipe_on_exit wipe_w(w);
    for (std::size_t i = 0; i < k; ++i) detail::decode12_mod_q(w.s_hat[i], dk.data() + 384 * i);
    // The embedded ek passed the hash check against the H(ek) in dk; FIPS 203 does not require
    // a modulus check here, so out-of-range coefficients are reduced like the reference does.
    const std::uint8_t* ekp = dk.data() + 384 * k;
    for (std::size_t i = 0; i < k; ++i) detail::decode12_mod_q(w.ek.t_hat[i], ekp + 384 * i);
    detail::expand_matrix<k>(w.ek.at, ekp + 384 * k, true);
    std::memcpy(w.ek.h.data(), dk.data() + 768 * k + 32, 32);
    detail::decaps_internal<P>(ss.data(), w.s_hat, w.ek, dk.data() + 768 * k + 64, ct.data());
    return ok();
}

// ==================================================================== key objects

/// A validated ML-KEM encapsulation key, expanded for repeated encapsulation (about
/// (k^2 + k) * 512 bytes). Immutable after parse().
template <parameter_set P>
class encapsulation_key {
public:
    using params = P;
    static constexpr std::size_t size = P::encapsulation_key_size;

    /// Parses and validates `ek` (FIPS 203 §7.2 type and modulus checks); errc::malformed otherwise.
    static result<encapsulation_key> parse(bytes_view ek) noexcept {
        if (ek.size() != size) return fail(errc::malformed, "mlkem: encapsulation key has the wrong length");
        encapsulation_key out;
        if (!detail::expand_ek<P>(out.x_, ek.data())) return fail(errc::malformed, "mlkem: encapsulation key fails the modulus check");
        std::memcpy(out.bytes_.data(), ek.data(), size);
        return out;
    }

    /// The encoded key (P::encapsulation_key_size bytes).
    std::span<const std::uint8_t, size> bytes() const noexcept { return bytes_; }

    /// ML-KEM.Encaps_internal with given m (FIPS 203 Algorithm 17): writes exactly
    /// P::ciphertext_size bytes to `ct` and 32 to `ss`; errc::buffer_too_small if `ct` is short.
    result<void> encaps(std::span<const std::uint8_t, message_size> m, mutable_bytes ct,
                        std::span<std::uint8_t, shared_secret_size> ss) const noexcept {
        if (ct.size() < P::ciphertext_size) return fail(errc::buffer_too_small, "mlkem: ciphertext buffer too small");
        detail::encaps_internal<P>(ct.data(), ss.data(), x_, m.data());
        return ok();
    }

    /// ML-KEM.Encaps with m drawn from `rng`; otherwise as above.
    result<void> encaps(rng& r, mutable_bytes ct, std::span<std::uint8_t, shared_secret_size> ss) const noexcept {
        secret<message_size> m;
        PPX_TRY(r.fill(m.expose_mut()));
        return encaps(m.expose(), ct, ss);
    }

private:
    template <parameter_set>
    friend class decapsulation_key;
    encapsulation_key() = default;

    detail::expanded_ek<P> x_;
    std::array<std::uint8_t, size> bytes_;
};

/// A validated ML-KEM decapsulation key with its secret vector decoded and its public half
/// expanded. Wiped on destruction and when moved from; not copyable.
template <parameter_set P>
class decapsulation_key {
public:
    using params = P;
    static constexpr std::size_t size = P::decapsulation_key_size;

    /// ML-KEM.KeyGen_internal (FIPS 203 Algorithm 16) from the seed d || z.
    static decapsulation_key from_seed(std::span<const std::uint8_t, seed_size> seed) noexcept {
        decapsulation_key out;
        detail::keygen_internal<P>(out.ek_.bytes_.data(), out.dk_.data(), seed.data(), seed.data() + 32, &out.s_hat_,
                                   &out.ek_.x_);
        return out;
    }

    /// ML-KEM.KeyGen (FIPS 203 Algorithm 19) with d, z from `rng`.
    static result<decapsulation_key> generate(rng& r) noexcept {
        key_seed seed;
        PPX_TRY(r.fill(seed.expose_mut()));
        return from_seed(seed.expose());
    }

    /// Parses and validates an encoded dk: FIPS 203 §7.3 type and hash checks, plus the §7.2
    /// modulus check on the ek it embeds, since public_key() hands that ek out as validated
    /// (the byte-level decaps() applies §7.3 only, as the standard does). errc::malformed.
    static result<decapsulation_key> parse(bytes_view dk) noexcept {
        PPX_TRY(check_decapsulation_key<P>(dk));
        PPX_TRY(check_encapsulation_key<P>(dk.subspan(384 * P::k, P::encapsulation_key_size)));
        decapsulation_key out;
        std::memcpy(out.dk_.data(), dk.data(), size);
        out.load();
        return out;
    }

    decapsulation_key(const decapsulation_key&) = delete;
    decapsulation_key& operator=(const decapsulation_key&) = delete;
    decapsulation_key(decapsulation_key&& o) noexcept : ek_(o.ek_), s_hat_(o.s_hat_), dk_(o.dk_) { o.wipe(); }
    decapsulation_key& operator=(decapsulation_key&& o) noexcept {
        if (this != &o) {
            ek_ = o.ek_;
            s_hat_ = o.s_hat_;
            dk_ = o.dk_;
            o.wipe();
        }
        return *this;
    }
    ~decapsulation_key() { wipe(); }

    /// The encoded decapsulation key (P::decapsulation_key_size bytes). Secret.
    std::span<const std::uint8_t, size> expose() const noexcept { return dk_; }
    /// The matching encapsulation key.
    const encapsulation_key<P>& public_key() const noexcept { return ek_; }

    /// ML-KEM.Decaps_internal (FIPS 203 Algorithm 18): writes the 32-byte shared secret to `ss`.
    /// Fails only on a ciphertext of the wrong length (errc::malformed); an invalid ciphertext
    /// of the right length yields the implicit-rejection secret.
    result<void> decaps(bytes_view ct, std::span<std::uint8_t, shared_secret_size> ss) const noexcept {
        if (ct.size() != P::ciphertext_size) return fail(errc::malformed, "mlkem: ciphertext has the wrong length");
        detail::decaps_internal<P>(ss.data(), s_hat_, ek_.x_, dk_.data() + 768 * P::k + 64, ct.data());
        return ok();
    }

private:
    decapsulation_key() = default;

    void load() noexcept {
        constexpr std::size_t k = P::k;
        for (std::size_t i = 0; i < k; ++i) detail::decode12_mod_q(s_hat_[i], dk_.data() + 384 * i);
        const std::uint8_t* ekp = dk_.data() + 384 * k;
        for (std::size_t i = 0; i < k; ++i) detail::decode12_mod_q(ek_.x_.t_hat[i], ekp + 384 * i);
        detail::expand_matrix<k>(ek_.x_.at, ekp + 384 * k, true);
        std::memcpy(ek_.x_.h.data(), dk_.data() + 768 * k + 32, 32);
        std::memcpy(ek_.bytes_.data(), ekp, P::encapsulation_key_size);
    }
    void wipe() noexcept {
        OPENSSL_cleanse(s_hat_.data(), sizeof s_hat_);
        OPENSSL_cleanse(dk_.data(), dk_.size());
    }

    encapsulation_key<P> ek_;
    detail::polyvec<P::k> s_hat_;
    std::array<std::uint8_t, size> dk_;
};

} // namespace ppx::mlkem
