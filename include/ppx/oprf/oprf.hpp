// ppx/oprf/oprf.hpp: RFC 9497 oblivious pseudorandom functions (OPRF, VOPRF, POPRF).
//
// Suites (RFC 9497 §4): ristretto255-SHA512, P256-SHA256, P384-SHA384, P521-SHA512, as
// compile-time policies; decaf448-SHAKE256 is recognised by suite_from_identifier() and
// reported errc::unsupported (neither OpenSSL 3.0 nor libsodium has decaf448).
//
// Wire values are byte strings: elements are Ne bytes (SerializeElement), scalars Ns bytes,
// outputs Nh bytes, a proof 2*Ns bytes (c || s). A batch of n elements is their concatenation
// (n*Ne bytes), as in the Privacy Pass batched token formats.
//
// Roles:
//   client: blind() / blind_with(), then finalize() (OPRF), verify_finalize() (VOPRF) or
//           poprf_tweaked_key() + poprf_finalize() (POPRF).
//   server: private_key (deserialize / generate / derive_key_pair), blind_evaluate() (OPRF),
//           voprf_blind_evaluate() / poprf_blind_evaluate() (batched, with a DLEQ proof),
//           evaluate() (all modes).
// Randomness is injected (ppx::rng&) or given explicitly (`*_with` forms) for the vectors.
//
// Failures: errc::malformed for an element or scalar that does not deserialise (identity,
// off-curve, non-canonical, wrong length) and for an input that hashes to the identity
// (RFC 9497 InvalidInputError); errc::crypto_failure when a proof does not verify
// (VerifyError); errc::misuse for a zero scalar where an inverse is needed (InverseError),
// inputs or info longer than 65535 bytes, or an empty / mismatched batch;
// errc::buffer_too_small for an output span smaller than documented (nothing is written);
// errc::internal when OpenSSL or libsodium fails.
#pragma once

#include <ppx/oprf/group.hpp>

#include <optional>

namespace ppx::oprf {

/// RFC 9497 §3.1 modes; the value is the byte in the context string.
enum class mode : std::uint8_t { oprf = 0x00, voprf = 0x01, poprf = 0x02 };

/// ristretto255-SHA512 (RFC 9497 §4.1).
struct ristretto255_sha512 {
    using group = ristretto255;
    using hash = crypto::sha512;
    static constexpr std::string_view identifier = "ristretto255-SHA512";
};
/// P256-SHA256 (RFC 9497 §4.3).
struct p256_sha256 {
    using group = p256;
    using hash = crypto::sha256;
    static constexpr std::string_view identifier = "P256-SHA256";
};
/// P384-SHA384 (RFC 9497 §4.4); Privacy Pass token type 0x0001 uses its VOPRF mode.
struct p384_sha384 {
    using group = p384;
    using hash = crypto::sha384;
    static constexpr std::string_view identifier = "P384-SHA384";
};
/// P521-SHA512 (RFC 9497 §4.5).
struct p521_sha512 {
    using group = p521;
    using hash = crypto::sha512;
    static constexpr std::string_view identifier = "P521-SHA512";
};

/// What an OPRF suite policy provides.
template <class S>
concept suite = prime_order_group<typename S::group> && crypto::hash_function<typename S::hash> &&
                requires { { S::identifier } -> std::convertible_to<std::string_view>; };

/// Sizes of suite S (RFC 9497 §4): Ne, Ns, Nh.
template <suite S> inline constexpr std::size_t Ne = S::group::element_size;
template <suite S> inline constexpr std::size_t Ns = S::group::scalar_size;
template <suite S> inline constexpr std::size_t Nh = S::hash::digest_size;
/// A serialized DLEQ proof: c || s (RFC 9497 §2.2.1).
template <suite S> inline constexpr std::size_t proof_size = 2 * Ns<S>;
/// Largest input, info or batch size: lengths are encoded with I2OSP(len, 2) (RFC 9497 §3.3).
inline constexpr std::size_t max_input_size = 65535;
inline constexpr std::size_t max_batch_size = 65535;
/// Minimum DeriveKeyPair seed length (RFC 9497 §3.2.1 says Ns bytes; its vectors use 32 for every suite).
inline constexpr std::size_t min_seed_size = 32;

/// Run-time suite ids (the RFC 9497 §4 identifiers).
enum class suite_id : std::uint8_t { ristretto255_sha512, decaf448_shake256, p256_sha256, p384_sha384, p521_sha512 };

/// Maps an RFC 9497 identifier ("P384-SHA384", ...) to a suite_id. decaf448-SHAKE256 is
/// errc::unsupported; any other string is errc::malformed.
inline result<suite_id> suite_from_identifier(std::string_view id) noexcept {
    if (id == ristretto255_sha512::identifier) return suite_id::ristretto255_sha512;
    if (id == p256_sha256::identifier) return suite_id::p256_sha256;
    if (id == p384_sha384::identifier) return suite_id::p384_sha384;
    if (id == p521_sha512::identifier) return suite_id::p521_sha512;
    if (id == "decaf448-SHAKE256") return fail(errc::unsupported, "oprf: decaf448 not supported");
    return fail(errc::malformed, "oprf: unknown suite identifier");
}

/// Calls f(Suite{}) for the suite named by `id` and returns its result (which must be a
/// result<...>); decaf448 is errc::unsupported. The one place that branches on suite ids.
template <class F>
inline auto with_suite(suite_id id, F&& f) -> decltype(f(ristretto255_sha512{})) {
    switch (id) {
    case suite_id::ristretto255_sha512: return f(ristretto255_sha512{});
    case suite_id::p256_sha256: return f(p256_sha256{});
    case suite_id::p384_sha384: return f(p384_sha384{});
    case suite_id::p521_sha512: return f(p521_sha512{});
    case suite_id::decaf448_shake256: break;
    }
    return fail(errc::unsupported, "oprf: suite not supported");
}

namespace detail_oprf {

/// A domain separation tag "prefix || contextString" (RFC 9497 §3.1) in a fixed buffer.
struct dst {
    std::array<std::uint8_t, 64> b{};
    std::size_t n = 0;
    bytes_view view() const noexcept { return {b.data(), n}; }
};

template <suite S>
inline dst make_dst(std::string_view prefix, mode m) noexcept {
    // contextString = "OPRFV1-" || I2OSP(mode, 1) || "-" || identifier
    dst d;
    auto put = [&](std::string_view s) {
        std::memcpy(d.b.data() + d.n, s.data(), s.size());
        d.n += s.size();
    };
    static_assert(S::identifier.size() + 32 <= 64);
    put(prefix);
    put("OPRFV1-");
    d.b[d.n++] = static_cast<std::uint8_t>(m);
    put("-");
    put(S::identifier);
    return d;
}

inline std::array<std::uint8_t, 2> i2osp2(std::size_t v) noexcept {
    return {static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
}

} // namespace detail_oprf

// ================================================================== keys

template <suite S> class private_key;

/// A server public key pkS (a non-identity element).
template <suite S>
class public_key {
public:
    using group = typename S::group;

    /// Deserializes pkS (Ne bytes, RFC 9497 §3.2); errc::malformed for the identity or an invalid encoding.
    static result<public_key> deserialize(bytes_view pk) {
        PPX_TRY_ASSIGN(auto e, group::deserialize_element(pk));
        return public_key(std::move(e));
    }
    /// Writes SerializeElement(pkS), Ne bytes.
    result<void> serialize(std::span<std::uint8_t, Ne<S>> out) const { return group::serialize_element(e_, out); }
    std::array<std::uint8_t, Ne<S>> bytes() const {
        std::array<std::uint8_t, Ne<S>> b{};
        (void)serialize(b);
        return b;
    }
    const typename group::element& element() const noexcept { return e_; }
    public_key clone() const { return public_key(e_.clone()); }
    explicit public_key(typename group::element e) noexcept : e_(std::move(e)) {}

private:
    typename group::element e_;
};

/// A server private key skS with its public key. The scalar is wiped when the object dies.
template <suite S>
class private_key {
public:
    using group = typename S::group;

    /// Deserializes skS (Ns bytes; RFC 9497 §3.2): errc::malformed unless 0 < skS < order.
    static result<private_key> deserialize(bytes_view sk) {
        PPX_TRY_ASSIGN(auto k, group::deserialize_scalar(sk));
        if (group::is_zero(k)) return fail(errc::malformed, "oprf: zero private key");
        return from_scalar(std::move(k));
    }
    /// A fresh random key pair (RFC 9497 §3.2 GenerateKeyPair).
    static result<private_key> generate(rng& r) {
        PPX_TRY_ASSIGN(auto k, group::random_scalar(r));
        return from_scalar(std::move(k));
    }
    /// From a non-zero scalar; computes pkS = k * G.
    static result<private_key> from_scalar(typename group::scalar k) {
        if (group::is_zero(k)) return fail(errc::misuse, "oprf: zero private key");
        PPX_TRY_ASSIGN(auto pk, group::mul_base(k));
        return private_key(std::move(k), std::move(pk));
    }
    /// Writes SerializeScalar(skS), Ns bytes (secret: the caller protects the buffer).
    void serialize(std::span<std::uint8_t, Ns<S>> out) const noexcept { group::serialize_scalar(k_, out); }
    /// The matching public key.
    ::ppx::oprf::public_key<S> public_key() const { return ::ppx::oprf::public_key<S>(pk_.clone()); }
    const typename group::scalar& scalar() const noexcept { return k_; }
    /// pkS as a group element (no copy).
    const typename group::element& public_element() const noexcept { return pk_; }
    private_key clone() const { return private_key(k_.clone(), pk_.clone()); }

private:
    private_key(typename group::scalar k, typename group::element pk) noexcept : k_(std::move(k)), pk_(std::move(pk)) {}
    typename group::scalar k_;
    typename group::element pk_;
};

/// RFC 9497 §3.2.1 DeriveKeyPair(seed, info) for mode m (the mode enters contextString).
/// `seed` must hold at least min_seed_size bytes and `info` at most 65535 (errc::misuse
/// otherwise); errc::internal (DeriveKeyPairError) if 256 counters all give zero.
template <suite S>
inline result<private_key<S>> derive_key_pair(mode m, bytes_view seed, bytes_view info) {
    using G = typename S::group;
    if (seed.size() < min_seed_size) return fail(errc::misuse, "oprf: seed too short");
    if (info.size() > max_input_size) return fail(errc::misuse, "oprf: info too long");
    const auto d = detail_oprf::make_dst<S>("DeriveKeyPair", m);
    const auto li = detail_oprf::i2osp2(info.size());
    for (unsigned counter = 0; counter <= 255; ++counter) {
        const std::uint8_t c = static_cast<std::uint8_t>(counter);
        PPX_TRY_ASSIGN(auto k, G::hash_to_scalar({seed, li, info, bytes_view(&c, 1)}, d.view()));
        if (!G::is_zero(k)) return private_key<S>::from_scalar(std::move(k));
    }
    return fail(errc::internal, "oprf: DeriveKeyPairError");
}

// ================================================================== DLEQ proofs (RFC 9497 §2.2)

namespace detail_oprf {

/// ComputeComposites / ComputeCompositesFast (RFC 9497 §2.2.1), fed one (C[i], D[i]) pair at
/// a time so batches need no element arrays.
template <suite S>
class composites {
public:
    using G = typename S::group;
    using element = typename G::element;

    /// `bm` = SerializeElement(B).
    composites(mode m, bytes_view bm) noexcept {
        const auto seed_dst = make_dst<S>("Seed-", m);
        const auto l1 = i2osp2(bm.size()), l2 = i2osp2(seed_dst.n);
        seed_ = crypto::digest<typename S::hash>(l1, bm, l2, seed_dst.view());
        h2s_ = make_dst<S>("HashToScalar-", m);
    }

    /// Adds d_i * C[i] to M (and d_i * D[i] to Z unless `fast`), where d_i hashes the
    /// serializations `ci` and `di`. `d_elem` may be null when fast.
    result<void> add(std::size_t i, const element& c_elem, bytes_view ci, const element* d_elem, bytes_view di) {
        static constexpr std::uint8_t composite[] = {'C', 'o', 'm', 'p', 'o', 's', 'i', 't', 'e'};
        const auto ls = i2osp2(seed_.size()), li = i2osp2(i), lc = i2osp2(ci.size()), ld = i2osp2(di.size());
        PPX_TRY_ASSIGN(auto d, G::hash_to_scalar({ls, seed_, li, lc, ci, ld, di, composite}, h2s_.view()));
        PPX_TRY_ASSIGN(auto t, G::mul(d, c_elem));
        PPX_TRY(accumulate(m_sum_, std::move(t)));
        if (d_elem) {
            PPX_TRY_ASSIGN(auto u, G::mul(d, *d_elem));
            PPX_TRY(accumulate(z_sum_, std::move(u)));
        }
        return ok();
    }
    std::optional<element>& M() noexcept { return m_sum_; }
    std::optional<element>& Z() noexcept { return z_sum_; }

private:
    static result<void> accumulate(std::optional<element>& acc, element t) {
        if (!acc) {
            acc.emplace(std::move(t));
            return ok();
        }
        PPX_TRY_ASSIGN(auto s, G::add(*acc, t));
        *acc = std::move(s);
        return ok();
    }
    crypto::digest_t<typename S::hash> seed_;
    dst h2s_;
    std::optional<element> m_sum_, z_sum_;
};

/// The challenge hash of GenerateProof / VerifyProof (RFC 9497 §2.2.1, §2.2.2).
template <suite S>
inline result<typename S::group::scalar> challenge(mode m, bytes_view bm, const typename S::group::element& M,
                                                   const typename S::group::element& Z,
                                                   const typename S::group::element& t2,
                                                   const typename S::group::element& t3) {
    using G = typename S::group;
    static constexpr std::uint8_t label[] = {'C', 'h', 'a', 'l', 'l', 'e', 'n', 'g', 'e'};
    std::array<std::uint8_t, Ne<S>> a0, a1, a2, a3;
    PPX_TRY(G::serialize_element(M, a0));
    PPX_TRY(G::serialize_element(Z, a1));
    PPX_TRY(G::serialize_element(t2, a2));
    PPX_TRY(G::serialize_element(t3, a3));
    const auto lb = i2osp2(bm.size()), le = i2osp2(Ne<S>);
    const auto d = make_dst<S>("HashToScalar-", m);
    return G::hash_to_scalar({lb, bm, le, a0, le, a1, le, a2, le, a3, label}, d.view());
}

/// GenerateProof's final steps from the composites: t2 = r*A, t3 = r*M, c, s = r - c*k.
/// A null `A` is the generator (RFC 9497's protocols always use A = G): t2 then uses the
/// base-point multiplication.
template <suite S>
inline result<void> finish_proof(mode m, const typename S::group::scalar& k, const typename S::group::element* A,
                                 bytes_view bm, const typename S::group::element& M,
                                 const typename S::group::element& Z, const typename S::group::scalar& r,
                                 std::span<std::uint8_t, proof_size<S>> out) {
    using G = typename S::group;
    auto t2r = A ? G::mul(r, *A) : G::mul_base(r);
    if (!t2r) return unexpected(t2r.error());
    auto& t2 = *t2r;
    PPX_TRY_ASSIGN(auto t3, G::mul(r, M));
    PPX_TRY_ASSIGN(auto c, challenge<S>(m, bm, M, Z, t2, t3));
    PPX_TRY_ASSIGN(auto ck, G::scalar_mul(c, k));
    PPX_TRY_ASSIGN(auto s, G::scalar_sub(r, ck));
    G::serialize_scalar(c, out.template first<Ns<S>>());
    G::serialize_scalar(s, out.template last<Ns<S>>());
    return ok();
}

/// VerifyProof's final steps from the composites (public values only: variable time).
/// A null `A` is the generator.
template <suite S>
inline result<void> check_proof(mode m, const typename S::group::element* A, const typename S::group::element& B,
                                bytes_view bm, const typename S::group::element& M,
                                const typename S::group::element& Z, bytes_view proof) {
    using G = typename S::group;
    if (proof.size() != proof_size<S>) return fail(errc::malformed, "oprf: bad proof length");
    PPX_TRY_ASSIGN(auto c, G::deserialize_scalar(proof.first(Ns<S>)));
    PPX_TRY_ASSIGN(auto s, G::deserialize_scalar(proof.last(Ns<S>)));
    // RFC 9497 §2.2.2: t2 = s*A + c*B, t3 = s*M + c*Z.
    auto t2r = A ? G::mul2_public(s, *A, c, B) : G::mul_base_add_public(s, c, B);
    if (!t2r) return unexpected(t2r.error());
    auto& t2 = *t2r;
    PPX_TRY_ASSIGN(auto t3, G::mul2_public(s, M, c, Z));
    if (G::is_identity(t2) || G::is_identity(t3)) return fail(errc::crypto_failure, "oprf: proof verification failed");
    PPX_TRY_ASSIGN(auto expected, challenge<S>(m, bm, M, Z, t2, t3));
    if (!G::scalar_equal(expected, c)) return fail(errc::crypto_failure, "oprf: proof verification failed");
    return ok();
}

} // namespace detail_oprf

/// RFC 9497 §2.2.1 GenerateProof(k, A, B, C, D) with proof randomness r (a non-zero scalar;
/// RandomScalar in the RFC, injected here). C and D have the same non-zero length. Writes
/// c || s (proof_size<S> bytes) into `out`. errc::misuse on mismatched or empty batches.
template <suite S>
inline result<void> generate_proof(mode m, const typename S::group::scalar& k, const typename S::group::element& A,
                                   const typename S::group::element& B,
                                   std::span<const typename S::group::element> C,
                                   std::span<const typename S::group::element> D, const typename S::group::scalar& r,
                                   std::span<std::uint8_t, proof_size<S>> out) {
    using G = typename S::group;
    if (C.size() != D.size() || C.empty() || C.size() > max_batch_size) return fail(errc::misuse, "oprf: bad batch");
    std::array<std::uint8_t, Ne<S>> bm, ci, di;
    PPX_TRY(G::serialize_element(B, bm));
    detail_oprf::composites<S> comp(m, bm);
    for (std::size_t i = 0; i < C.size(); ++i) {
        PPX_TRY(G::serialize_element(C[i], ci));
        PPX_TRY(G::serialize_element(D[i], di));
        PPX_TRY(comp.add(i, C[i], ci, nullptr, di));
    }
    PPX_TRY_ASSIGN(auto Z, G::mul(k, *comp.M()));  // ComputeCompositesFast
    return detail_oprf::finish_proof<S>(m, k, &A, bm, *comp.M(), Z, r, out);
}

/// RFC 9497 §2.2.2 VerifyProof(A, B, C, D, proof). Succeeds iff the proof verifies;
/// errc::crypto_failure if not, errc::malformed for a proof of the wrong size or with
/// non-canonical scalars, errc::misuse on mismatched or empty batches.
template <suite S>
inline result<void> verify_proof(mode m, const typename S::group::element& A, const typename S::group::element& B,
                                 std::span<const typename S::group::element> C,
                                 std::span<const typename S::group::element> D, bytes_view proof) {
    using G = typename S::group;
    if (C.size() != D.size() || C.empty() || C.size() > max_batch_size) return fail(errc::misuse, "oprf: bad batch");
    std::array<std::uint8_t, Ne<S>> bm, ci, di;
    PPX_TRY(G::serialize_element(B, bm));
    detail_oprf::composites<S> comp(m, bm);
    for (std::size_t i = 0; i < C.size(); ++i) {
        PPX_TRY(G::serialize_element(C[i], ci));
        PPX_TRY(G::serialize_element(D[i], di));
        PPX_TRY(comp.add(i, C[i], ci, &D[i], di));
    }
    return detail_oprf::check_proof<S>(m, &A, B, bm, *comp.M(), *comp.Z(), proof);
}

// ================================================================== client

/// The client's state for one input after Blind (RFC 9497 §3.3.1): the secret blind, the
/// blinded element, and its serialization to send to the server.
template <suite S>
struct blinded {
    typename S::group::scalar blind;                 ///< secret; wiped on destruction
    typename S::group::element element;              ///< blindedElement
    std::array<std::uint8_t, Ne<S>> encoded{};       ///< SerializeElement(blindedElement)
};

/// RFC 9497 §3.3.1 / §3.3.3 Blind with an explicit non-zero blind scalar (Ns bytes, canonical).
/// The mode only selects the HashToGroup DST. errc::malformed if `blind` does not deserialise
/// or is zero, or the input maps to the identity (InvalidInputError); errc::misuse if the input
/// is longer than 65535 bytes.
template <suite S>
inline result<blinded<S>> blind_with(mode m, bytes_view input, bytes_view blind) {
    using G = typename S::group;
    PPX_TRY_ASSIGN(auto r, G::deserialize_scalar(blind));
    if (G::is_zero(r)) return fail(errc::malformed, "oprf: zero blind");
    if (input.size() > max_input_size) return fail(errc::misuse, "oprf: input too long");
    const auto d = detail_oprf::make_dst<S>("HashToGroup-", m);
    PPX_TRY_ASSIGN(auto p, G::hash_to_group({input}, d.view()));
    if (G::is_identity(p)) return fail(errc::malformed, "oprf: InvalidInputError");
    blinded<S> out{std::move(r), {}, {}};
    PPX_TRY_ASSIGN(out.element, G::mul(out.blind, p));
    PPX_TRY(G::serialize_element(out.element, out.encoded));
    return out;
}

/// RFC 9497 §3.3.1 / §3.3.3 Blind with a blind drawn from `r` (RandomScalar). Failures as blind_with.
template <suite S>
inline result<blinded<S>> blind(mode m, bytes_view input, rng& r) {
    using G = typename S::group;
    PPX_TRY_ASSIGN(auto b, G::random_scalar(r));
    std::array<std::uint8_t, Ns<S>> enc;
    wipe_on_exit we(enc);
    G::serialize_scalar(b, enc);
    return blind_with<S>(m, input, enc);
}

namespace detail_oprf {

template <suite S>
inline result<void> finalize_hash(bytes_view input, const std::optional<bytes_view>& info,
                                  const typename S::group::element& n, std::span<std::uint8_t, Nh<S>> out) {
    using G = typename S::group;
    static constexpr std::uint8_t label[] = {'F', 'i', 'n', 'a', 'l', 'i', 'z', 'e'};
    std::array<std::uint8_t, Ne<S>> ne;
    PPX_TRY(G::serialize_element(n, ne));
    const auto lin = i2osp2(input.size()), le = i2osp2(Ne<S>);
    crypto::hasher<typename S::hash> h;
    h.update(lin).update(input);
    if (info) {
        const auto lf = i2osp2(info->size());
        h.update(lf).update(*info);
    }
    h.update(le).update(ne).update(label);
    h.final(out);
    return ok();
}


/// Finalize's unblind-and-hash (RFC 9497 §3.3.1 and §3.3.3): N = blind^-1 * Z, then
/// Hash(len(input) || input [|| len(info) || info] || len(N) || N || "Finalize").
template <suite S>
inline result<void> unblind_hash(bytes_view input, const std::optional<bytes_view>& info,
                                 const typename S::group::scalar& blind, const typename S::group::element& z,
                                 std::span<std::uint8_t, Nh<S>> out) {
    using G = typename S::group;
    PPX_TRY_ASSIGN(auto inv, G::scalar_inverse(blind));
    PPX_TRY_ASSIGN(auto n, G::mul(inv, z));
    return finalize_hash<S>(input, info, n, out);
}

} // namespace detail_oprf

/// The group generator G of suite S.
template <suite S>
inline result<typename S::group::element> generator() {
    return S::group::generator();
}

/// RFC 9497 §3.3.1 Finalize (OPRF mode): unblinds the server's evaluated element (Ne bytes)
/// and writes the Nh-byte output. errc::malformed if `evaluated` does not deserialise
/// (identity, invalid) or the input is longer than 65535 bytes.
template <suite S>
inline result<void> finalize(bytes_view input, const blinded<S>& b, bytes_view evaluated,
                             std::span<std::uint8_t, Nh<S>> out) {
    using G = typename S::group;
    if (input.size() > max_input_size) return fail(errc::misuse, "oprf: input too long");
    PPX_TRY_ASSIGN(auto z, G::deserialize_element(evaluated));
    return detail_oprf::unblind_hash<S>(input, std::nullopt, b.blind, z, out);
}

namespace detail_oprf {

// The batched Finalize shared by VOPRF (B = pkS, C = blinded, D = evaluated) and POPRF
// (B = tweakedKey, C = evaluated, D = blinded): parse every evaluated element, verify the one
// proof over all of them, and only then unblind and hash each output.
template <suite S>
inline result<void> finalize_batch(mode m, const public_key<S>& key, std::span<const bytes_view> inputs,
                                   std::span<const blinded<S>> blinds, bytes_view evaluated, bytes_view proof,
                                   std::optional<bytes_view> info, mutable_bytes outputs) {
    using G = typename S::group;
    const std::size_t n = blinds.size();
    if (n == 0 || n > max_batch_size || inputs.size() != n || evaluated.size() != n * Ne<S>)
        return fail(errc::misuse, "oprf: bad batch");
    if (outputs.size() < n * Nh<S>) return fail(errc::buffer_too_small, "oprf: output buffer too small");
    if (info && info->size() > max_input_size) return fail(errc::misuse, "oprf: info too long");
    for (auto in : inputs)
        if (in.size() > max_input_size) return fail(errc::misuse, "oprf: input too long");
    std::array<std::uint8_t, Ne<S>> bm;
    PPX_TRY(key.serialize(bm));
    std::vector<typename G::element> ev;
    ev.reserve(n);
    composites<S> comp(m, bm);
    for (std::size_t i = 0; i < n; ++i) {
        const auto ei = evaluated.subspan(i * Ne<S>, Ne<S>);
        PPX_TRY_ASSIGN(auto e, G::deserialize_element(ei));
        ev.push_back(std::move(e));
        if (m == mode::poprf)
            PPX_TRY(comp.add(i, ev.back(), ei, &blinds[i].element, blinds[i].encoded));
        else
            PPX_TRY(comp.add(i, blinds[i].element, blinds[i].encoded, &ev.back(), ei));
    }
    PPX_TRY(check_proof<S>(m, nullptr, key.element(), bm, *comp.M(), *comp.Z(), proof));
    for (std::size_t i = 0; i < n; ++i)
        PPX_TRY(unblind_hash<S>(inputs[i], info, blinds[i].blind, ev[i],
                                std::span<std::uint8_t, Nh<S>>(outputs.data() + i * Nh<S>, Nh<S>)));
    return ok();
}

} // namespace detail_oprf

/// RFC 9497 §3.3.2 Finalize (VOPRF mode), batched: verifies `proof` (proof_size<S> bytes)
/// over the n blinded elements of `blinds` and the n evaluated elements in `evaluated`
/// (n*Ne bytes, in the same order) under pkS, then writes output i of inputs[i] into
/// outputs[i*Nh, (i+1)*Nh). Nothing is written unless the proof verifies.
/// Errors: errc::misuse if the counts differ or are zero; errc::buffer_too_small if outputs
/// holds fewer than n*Nh bytes; errc::malformed for a bad element; errc::crypto_failure for a
/// bad proof.
template <suite S>
inline result<void> verify_finalize(const public_key<S>& pk, std::span<const bytes_view> inputs,
                                    std::span<const blinded<S>> blinds, bytes_view evaluated, bytes_view proof,
                                    mutable_bytes outputs) {
    return detail_oprf::finalize_batch<S>(mode::voprf, pk, inputs, blinds, evaluated, proof, std::nullopt, outputs);
}

/// RFC 9497 §3.3.3 Blind's key tweak: tweakedKey = G * HashToScalar("Info" || len(info) ||
/// info) + pkS. Computed once per (pkS, info) and passed to poprf_finalize(). errc::malformed
/// if it is the identity (InvalidInputError); errc::misuse if info exceeds 65535 bytes.
template <suite S>
inline result<public_key<S>> poprf_tweaked_key(const public_key<S>& pk, bytes_view info) {
    using G = typename S::group;
    if (info.size() > max_input_size) return fail(errc::misuse, "oprf: info too long");
    static constexpr std::uint8_t label[] = {'I', 'n', 'f', 'o'};
    const auto li = detail_oprf::i2osp2(info.size());
    const auto d = detail_oprf::make_dst<S>("HashToScalar-", mode::poprf);
    PPX_TRY_ASSIGN(auto m, G::hash_to_scalar({label, li, info}, d.view()));
    PPX_TRY_ASSIGN(auto t, G::mul_base(m));
    PPX_TRY_ASSIGN(auto tweaked, G::add(t, pk.element()));
    if (G::is_identity(tweaked)) return fail(errc::malformed, "oprf: InvalidInputError");
    return public_key<S>(std::move(tweaked));
}

/// RFC 9497 §3.3.3 Finalize (POPRF mode), batched: verifies `proof` with A = G,
/// B = tweakedKey, C = evaluated elements, D = blinded elements, then writes each output.
/// Buffers and errors as verify_finalize().
template <suite S>
inline result<void> poprf_finalize(const public_key<S>& tweaked_key, std::span<const bytes_view> inputs,
                                   std::span<const blinded<S>> blinds, bytes_view evaluated, bytes_view proof,
                                   bytes_view info, mutable_bytes outputs) {
    return detail_oprf::finalize_batch<S>(mode::poprf, tweaked_key, inputs, blinds, evaluated, proof, info, outputs);
}

// ================================================================== server

/// RFC 9497 §3.3.1 BlindEvaluate (OPRF mode): writes SerializeElement(skS * blindedElement)
/// (Ne bytes). errc::malformed if `blinded_element` does not deserialise.
template <suite S>
inline result<void> blind_evaluate(const private_key<S>& sk, bytes_view blinded_element,
                                   std::span<std::uint8_t, Ne<S>> out) {
    using G = typename S::group;
    PPX_TRY_ASSIGN(auto b, G::deserialize_element(blinded_element));
    PPX_TRY_ASSIGN(auto z, G::mul(sk.scalar(), b));
    return G::serialize_element(z, out);
}

namespace detail_oprf {

/// Checks a batch of serialized blinded elements against the output buffer.
template <suite S>
inline result<std::size_t> batch_count(bytes_view blinded, mutable_bytes evaluated) noexcept {
    if (blinded.empty() || blinded.size() % Ne<S> != 0 || blinded.size() / Ne<S> > max_batch_size)
        return fail(errc::misuse, "oprf: bad batch");
    if (evaluated.size() < blinded.size()) return fail(errc::buffer_too_small, "oprf: output buffer too small");
    return blinded.size() / Ne<S>;
}

/// tweak(skS, info) = skS + HashToScalar("Info" || len(info) || info) (RFC 9497 §3.3.3).
template <suite S>
inline result<typename S::group::scalar> poprf_tweak(const private_key<S>& sk, bytes_view info) {
    using G = typename S::group;
    if (info.size() > max_input_size) return fail(errc::misuse, "oprf: info too long");
    static constexpr std::uint8_t label[] = {'I', 'n', 'f', 'o'};
    const auto li = i2osp2(info.size());
    const auto d = make_dst<S>("HashToScalar-", mode::poprf);
    PPX_TRY_ASSIGN(auto m, G::hash_to_scalar({label, li, info}, d.view()));
    PPX_TRY_ASSIGN(auto t, G::scalar_add(sk.scalar(), m));
    if (G::is_zero(t)) return fail(errc::misuse, "oprf: InverseError");
    return t;
}

/// Zeroes the outputs of a failed batch evaluation, so no partial result is used.
struct zero_on_failure {
    mutable_bytes a, b;
    bool armed = true;
    ~zero_on_failure() {
        if (!armed) return;
        if (!a.empty()) std::memset(a.data(), 0, a.size());
        if (!b.empty()) std::memset(b.data(), 0, b.size());
    }
};

} // namespace detail_oprf

/// RFC 9497 §3.3.2 BlindEvaluate (VOPRF mode), batched, with explicit proof randomness `r`
/// (Ns bytes, non-zero, canonical): for the n = blinded.size() / Ne blinded elements writes
/// the n evaluated elements (n*Ne bytes) into `evaluated` and the DLEQ proof (c || s) into
/// `proof`, with ComputeCompositesFast (RFC 9497 §2.2.1). On any failure the first n*Ne bytes
/// of `evaluated` and all of `proof` are zeroed.
/// Errors: errc::misuse if blinded is empty or not a multiple of Ne; errc::buffer_too_small
/// if `evaluated` is shorter than n*Ne (nothing written); errc::malformed for an invalid
/// blinded element (identity, off-curve, non-canonical) or r.
template <suite S>
inline result<void> voprf_blind_evaluate_with(const private_key<S>& sk, bytes_view blinded, mutable_bytes evaluated,
                                              std::span<std::uint8_t, proof_size<S>> proof, bytes_view r) {
    using G = typename S::group;
    PPX_TRY_ASSIGN(const std::size_t n, detail_oprf::batch_count<S>(blinded, evaluated));
    PPX_TRY_ASSIGN(auto rs, G::deserialize_scalar(r));
    if (G::is_zero(rs)) return fail(errc::malformed, "oprf: zero proof randomness");
    detail_oprf::zero_on_failure guard{evaluated.first(n * Ne<S>), proof};
    std::array<std::uint8_t, Ne<S>> bm;
    PPX_TRY(G::serialize_element(sk.public_element(), bm));
    detail_oprf::composites<S> comp(mode::voprf, bm);
    for (std::size_t i = 0; i < n; ++i) {
        const auto ci = blinded.subspan(i * Ne<S>, Ne<S>);
        const auto di = std::span<std::uint8_t, Ne<S>>(evaluated.data() + i * Ne<S>, Ne<S>);
        PPX_TRY_ASSIGN(auto c, G::deserialize_element(ci));
        PPX_TRY_ASSIGN(auto d, G::mul(sk.scalar(), c));  // evaluatedElement = skS * blindedElement
        PPX_TRY(G::serialize_element(d, di));
        PPX_TRY(comp.add(i, c, ci, nullptr, di));
    }
    PPX_TRY_ASSIGN(auto z, G::mul(sk.scalar(), *comp.M()));
    PPX_TRY(detail_oprf::finish_proof<S>(mode::voprf, sk.scalar(), nullptr, bm, *comp.M(), z, rs, proof));
    guard.armed = false;
    return ok();
}

/// As voprf_blind_evaluate_with() with r = RandomScalar() drawn from `rng`.
template <suite S>
inline result<void> voprf_blind_evaluate(const private_key<S>& sk, bytes_view blinded, mutable_bytes evaluated,
                                         std::span<std::uint8_t, proof_size<S>> proof, rng& rng) {
    using G = typename S::group;
    PPX_TRY_ASSIGN(auto r, G::random_scalar(rng));
    std::array<std::uint8_t, Ns<S>> enc;
    wipe_on_exit we(enc);
    G::serialize_scalar(r, enc);
    return voprf_blind_evaluate_with<S>(sk, blinded, evaluated, proof, enc);
}

/// RFC 9497 §3.3.3 BlindEvaluate (POPRF mode), batched, with explicit proof randomness `r`:
/// t = skS + HashToScalar("Info" || len(info) || info); each evaluated element is t^-1 *
/// blindedElement (constant-time inversion); the proof (A = G, B = t*G, C = evaluated,
/// D = blinded) shows knowledge of t. Buffers and errors as voprf_blind_evaluate_with();
/// errc::misuse if t = 0 (InverseError) or info exceeds 65535 bytes.
template <suite S>
inline result<void> poprf_blind_evaluate_with(const private_key<S>& sk, bytes_view info, bytes_view blinded,
                                              mutable_bytes evaluated, std::span<std::uint8_t, proof_size<S>> proof,
                                              bytes_view r) {
    using G = typename S::group;
    PPX_TRY_ASSIGN(const std::size_t n, detail_oprf::batch_count<S>(blinded, evaluated));
    PPX_TRY_ASSIGN(auto rs, G::deserialize_scalar(r));
    if (G::is_zero(rs)) return fail(errc::malformed, "oprf: zero proof randomness");
    PPX_TRY_ASSIGN(auto t, detail_oprf::poprf_tweak<S>(sk, info));
    PPX_TRY_ASSIGN(auto t_inv, G::scalar_inverse(t));
    PPX_TRY_ASSIGN(auto tweaked, G::mul_base(t));
    detail_oprf::zero_on_failure guard{evaluated.first(n * Ne<S>), proof};
    std::array<std::uint8_t, Ne<S>> bm;
    PPX_TRY(G::serialize_element(tweaked, bm));
    detail_oprf::composites<S> comp(mode::poprf, bm);
    for (std::size_t i = 0; i < n; ++i) {
        const auto di = blinded.subspan(i * Ne<S>, Ne<S>);
        const auto ci = std::span<std::uint8_t, Ne<S>>(evaluated.data() + i * Ne<S>, Ne<S>);
        PPX_TRY_ASSIGN(auto d, G::deserialize_element(di));
        PPX_TRY_ASSIGN(auto c, G::mul(t_inv, d));  // evaluatedElement = t^-1 * blindedElement
        PPX_TRY(G::serialize_element(c, ci));
        PPX_TRY(comp.add(i, c, ci, nullptr, di));
    }
    PPX_TRY_ASSIGN(auto z, G::mul(t, *comp.M()));
    PPX_TRY(detail_oprf::finish_proof<S>(mode::poprf, t, nullptr, bm, *comp.M(), z, rs, proof));
    guard.armed = false;
    return ok();
}

/// As poprf_blind_evaluate_with() with r drawn from `rng`.
template <suite S>
inline result<void> poprf_blind_evaluate(const private_key<S>& sk, bytes_view info, bytes_view blinded,
                                         mutable_bytes evaluated, std::span<std::uint8_t, proof_size<S>> proof,
                                         rng& rng) {
    using G = typename S::group;
    PPX_TRY_ASSIGN(auto r, G::random_scalar(rng));
    std::array<std::uint8_t, Ns<S>> enc;
    wipe_on_exit we(enc);
    G::serialize_scalar(r, enc);
    return poprf_blind_evaluate_with<S>(sk, info, blinded, evaluated, proof, enc);
}

/// RFC 9497 §3.3.1 / §3.3.2 / §3.3.3 Evaluate: the server computes the PRF output for
/// `input` directly (Nh bytes into `out`). `info` is used only in POPRF mode (ignored
/// otherwise). errc::malformed if the input maps to the identity (InvalidInputError);
/// errc::misuse for input/info over 65535 bytes or t = 0 (POPRF InverseError).
template <suite S>
inline result<void> evaluate(mode m, const private_key<S>& sk, bytes_view input, bytes_view info,
                             std::span<std::uint8_t, Nh<S>> out) {
    using G = typename S::group;
    if (input.size() > max_input_size) return fail(errc::misuse, "oprf: input too long");
    const auto d = detail_oprf::make_dst<S>("HashToGroup-", m);
    PPX_TRY_ASSIGN(auto p, G::hash_to_group({input}, d.view()));
    if (G::is_identity(p)) return fail(errc::malformed, "oprf: InvalidInputError");
    if (m != mode::poprf) {
        PPX_TRY_ASSIGN(auto e, G::mul(sk.scalar(), p));
        return detail_oprf::finalize_hash<S>(input, std::nullopt, e, out);
    }
    PPX_TRY_ASSIGN(auto t, detail_oprf::poprf_tweak<S>(sk, info));
    PPX_TRY_ASSIGN(auto t_inv, G::scalar_inverse(t));
    PPX_TRY_ASSIGN(auto e, G::mul(t_inv, p));
    return detail_oprf::finalize_hash<S>(input, info, e, out);
}

} // namespace ppx::oprf
