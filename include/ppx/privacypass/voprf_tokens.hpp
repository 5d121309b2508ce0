// ppx/privacypass/voprf_tokens.hpp: privately verifiable tokens from a VOPRF.
//
// - Token type 0x0001, VOPRF(P-384, SHA-384): RFC 9578 §5.
// - Token type 0x0005, VOPRF(ristretto255, SHA-512): draft-ietf-privacypass-batched-tokens-07
//   §7.1 (same protocol as RFC 9578 §5 on another suite).
// - Amortized batches of either (one key, one DLEQ proof for Nr tokens): batched-tokens-07 §5.
//
// Messages (Ne, Ns, Nh from the OPRF suite, RFC 9497 §4):
//   TokenRequest  = token_type(2) || truncated_token_key_id(1) || blinded_msg[Ne]      §5.1
//   TokenResponse = evaluate_msg[Ne] || evaluate_proof[2*Ns]                           §5.2
//   AmortizedBatchTokenRequest  = token_type(2) || truncated id(1) || blinded_msgs<V>  -07 §5.1
//   AmortizedBatchTokenResponse = evaluated_msgs<V> || evaluated_proof[2*Ns]           -07 §5.2
// token_key_id = SHA-256(SerializeElement(pkI)) (RFC 9578 §5.5); the token-key encoding is
// SerializeElement(pkI).
//
// The client (voprf_client) blinds token inputs and finalizes responses; the issuer
// (voprf_issuer) holds several live keys for rotation, answers requests and, because the tokens
// are privately verifiable, also verifies redeemed tokens (RFC 9578 §5.4).
#pragma once

#include <ppx/core/ct.hpp>
#include <ppx/core/rng.hpp>
#include <ppx/crypto/hash.hpp>
#include <ppx/oprf/oprf.hpp>
#include <ppx/privacypass/token.hpp>
#include <ppx/privacypass/wire.hpp>

#include <array>
#include <algorithm>
#include <optional>
#include <vector>

namespace ppx::privacypass {

/// A VOPRF token type: the OPRF suite and the token type value.
template <oprf::suite S, std::uint16_t Type>
struct voprf_token_type {
    using suite = S;
    static constexpr std::uint16_t type = Type;
    static constexpr std::size_t ne = oprf::Ne<S>;
    static constexpr std::size_t ns = oprf::Ns<S>;
    static constexpr std::size_t nk = oprf::Nh<S>;  ///< authenticator size (RFC 9578 §8.2.1: Nk = Nh)
    static constexpr std::size_t request_size = 2 + 1 + ne;
    static constexpr std::size_t response_size = ne + 2 * ns;
    static_assert(nk == authenticator_size(Type));

    /// Size of an AmortizedBatchTokenRequest / Response for n tokens.
    static constexpr std::size_t batch_request_size(std::size_t n) noexcept { return 3 + detail::v_vector_size(n * ne); }
    static constexpr std::size_t batch_response_size(std::size_t n) noexcept { return detail::v_vector_size(n * ne) + 2 * ns; }
};

/// Token type 0x0001, VOPRF(P-384, SHA-384) (RFC 9578 §5).
using token_type_1 = voprf_token_type<oprf::p384_sha384, 0x0001>;
/// Token type 0x0005, VOPRF(ristretto255, SHA-512) (batched-tokens-07 §7.1).
using token_type_5 = voprf_token_type<oprf::ristretto255_sha512, 0x0005>;

/// Largest batch ppx issues by default (callers may pass a smaller limit).
inline constexpr std::size_t default_max_batch = 1024;

/// token_key_id = SHA-256 of the token-key encoding (RFC 9578 §5.5 and §6.5).
inline std::array<std::uint8_t, nid> token_key_id_of(bytes_view token_key) noexcept {
    return crypto::digest<crypto::sha256>(token_key);
}

/// Client side of VOPRF issuance for one issuer public key.
template <class T>
class voprf_client {
public:
    using S = typename T::suite;

    /// Per-token client state between request and finalize: the token input and the secret blind.
    struct pending {
        std::array<std::uint8_t, authenticator_input_size> token_input{};
        oprf::blinded<S> blinded;
    };
    /// State of an amortized batch request: token inputs and blinds in request order.
    struct pending_batch {
        std::vector<std::array<std::uint8_t, authenticator_input_size>> token_inputs;
        std::vector<oprf::blinded<S>> blinds;
    };

    /// From the issuer's token-key (SerializeElement(pkI), Ne bytes). errc::malformed if it does
    /// not deserialize (wrong length, identity, not on the curve / not canonical).
    static result<voprf_client> create(bytes_view token_key) {
        PPX_TRY_ASSIGN(auto pk, oprf::public_key<S>::deserialize(token_key));
        return voprf_client(std::move(pk), token_key_id_of(token_key));
    }

    const std::array<std::uint8_t, nid>& token_key_id() const noexcept { return key_id_; }

    /// RFC 9578 §5.1: nonce = random(32), token_input = type || nonce || SHA-256(challenge) ||
    /// token_key_id, blinded with a random scalar; writes the TokenRequest to `out`.
    /// errc::unsupported if the challenge is for another token type (RFC 9577 §2.2),
    /// errc::malformed if it does not decode, errc::internal if the rng fails.
    result<pending> request(bytes_view encoded_challenge, rng& r, std::span<std::uint8_t, T::request_size> out) const {
        std::array<std::uint8_t, nonce_size> nonce;
        PPX_TRY(r.fill(nonce));
        PPX_TRY_ASSIGN(auto input, token_input_for(encoded_challenge, nonce));
        PPX_TRY_ASSIGN(auto b, oprf::blind<S>(oprf::mode::voprf, input, r));
        return finish_request(input, std::move(b), out);
    }

    /// request() with the nonce and blind given (Ns-byte scalar), for reproducing vectors.
    result<pending> request_with(bytes_view encoded_challenge, std::span<const std::uint8_t, nonce_size> nonce,
                                 bytes_view blind, std::span<std::uint8_t, T::request_size> out) const {
        PPX_TRY_ASSIGN(auto input, token_input_for(encoded_challenge, nonce));
        PPX_TRY_ASSIGN(auto b, oprf::blind_with<S>(oprf::mode::voprf, input, blind));
        return finish_request(input, std::move(b), out);
    }

    /// RFC 9578 §5.3: verifies the DLEQ proof of a TokenResponse (exactly response_size bytes)
    /// and builds the Token. errc::malformed for a wrong length or an element/scalar that does
    /// not deserialize; errc::crypto_failure if the proof does not verify.
    result<token> finalize(const pending& p, bytes_view response) const {
        if (response.size() != T::response_size) return fail(errc::malformed, "privacypass: TokenResponse has the wrong length");
        const bytes_view inputs[1] = {p.token_input};
        token t = token_from_input(p.token_input);
        PPX_TRY(oprf::verify_finalize<S>(pk_, inputs, std::span<const oprf::blinded<S>>(&p.blinded, 1),
                                         response.first(T::ne), response.subspan(T::ne), t.authenticator_mut()));
        return t;
    }

    /// batched-tokens-07 §5.1: `n` token requests (1..max_batch) under one key, each with a fresh
    /// nonce, as one AmortizedBatchTokenRequest appended to `out`. Errors as request(), and
    /// errc::misuse for n = 0 or n above oprf::max_batch_size.
    result<pending_batch> request_batch(bytes_view encoded_challenge, std::size_t n, rng& r, bytes& out) const {
        if (n == 0 || n * T::ne > max_varint_vector) return fail(errc::misuse, "privacypass: bad batch size");
        pending_batch pb;
        pb.token_inputs.reserve(n);
        pb.blinds.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
            std::array<std::uint8_t, nonce_size> nonce;
            PPX_TRY(r.fill(nonce));
            PPX_TRY_ASSIGN(auto input, token_input_for(encoded_challenge, nonce));
            PPX_TRY_ASSIGN(auto b, oprf::blind<S>(oprf::mode::voprf, input, r));
            pb.token_inputs.push_back(input);
            pb.blinds.push_back(std::move(b));
        }
        write_batch_request(pb, out);
        return pb;
    }

    /// request_batch() with the nonces and blinds given, for reproducing vectors.
    result<pending_batch> request_batch_with(bytes_view encoded_challenge, std::span<const bytes> nonces,
                                             std::span<const bytes> blinds, bytes& out) const {
        if (nonces.empty() || nonces.size() != blinds.size() || nonces.size() * T::ne > max_varint_vector)
            return fail(errc::misuse, "privacypass: bad batch size");
        pending_batch pb;
        for (std::size_t i = 0; i < nonces.size(); ++i) {
            if (nonces[i].size() != nonce_size) return fail(errc::misuse, "privacypass: nonce must be 32 bytes");
            PPX_TRY_ASSIGN(auto input, token_input_for(encoded_challenge, std::span<const std::uint8_t, nonce_size>(nonces[i].data(), nonce_size)));
            PPX_TRY_ASSIGN(auto b, oprf::blind_with<S>(oprf::mode::voprf, input, blinds[i]));
            pb.token_inputs.push_back(input);
            pb.blinds.push_back(std::move(b));
        }
        write_batch_request(pb, out);
        return pb;
    }

    /// batched-tokens-07 §5.3 FinalizeBatch: checks the AmortizedBatchTokenResponse holds exactly
    /// as many elements as were requested, verifies the one proof over all of them, and returns
    /// the tokens in request order. Errors as finalize().
    result<std::vector<token>> finalize_batch(const pending_batch& pb, bytes_view response) const {
        reader r(response);
        PPX_TRY_ASSIGN(auto evaluated, detail::read_v_vector(r));
        PPX_TRY_ASSIGN(auto proof, r.bytes(2 * T::ns));
        PPX_TRY(r.expect_end());
        const std::size_t n = pb.blinds.size();
        if (evaluated.size() != n * T::ne) return fail(errc::malformed, "privacypass: batch response has the wrong count");
        std::vector<bytes_view> inputs;
        inputs.reserve(n);
        for (const auto& in : pb.token_inputs) inputs.emplace_back(in);
        std::vector<std::uint8_t> outputs(n * T::nk);
        PPX_TRY(oprf::verify_finalize<S>(pk_, inputs, pb.blinds, evaluated, proof, outputs));
        std::vector<token> tokens;
        tokens.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
            token t = token_from_input(pb.token_inputs[i]);
            std::copy_n(outputs.begin() + static_cast<std::ptrdiff_t>(i * T::nk), T::nk, t.authenticator_mut().begin());
            tokens.push_back(t);
        }
        return tokens;
    }

private:
    static constexpr std::size_t max_varint_vector = std::size_t{1} << 30;

    voprf_client(oprf::public_key<S> pk, std::array<std::uint8_t, nid> id) : pk_(std::move(pk)), key_id_(id) {}

    result<std::array<std::uint8_t, authenticator_input_size>> token_input_for(bytes_view encoded_challenge,
                                                                              std::span<const std::uint8_t, nonce_size> nonce) const {
        reader r(encoded_challenge);
        PPX_TRY_ASSIGN(auto type, r.u16());
        if (type != T::type) return fail(errc::unsupported, "privacypass: challenge is for another token type");
        PPX_TRY(token_challenge::decode(encoded_challenge));
        const auto digest = challenge_digest(encoded_challenge);
        return token::make_authenticator_input(T::type, nonce, digest, key_id_);
    }

    result<pending> finish_request(const std::array<std::uint8_t, authenticator_input_size>& input, oprf::blinded<S> b,
                                   std::span<std::uint8_t, T::request_size> out) const {
        out[0] = static_cast<std::uint8_t>(T::type >> 8);
        out[1] = static_cast<std::uint8_t>(T::type);
        out[2] = detail::truncated_key_id(key_id_);  // RFC 9578 §5.1
        std::copy(b.encoded.begin(), b.encoded.end(), out.begin() + 3);
        return pending{input, std::move(b)};
    }

    void write_batch_request(const pending_batch& pb, bytes& out) const {
        ppx::writer w(T::batch_request_size(pb.blinds.size()));
        w.u16(T::type);
        w.u8(detail::truncated_key_id(key_id_));
        w.varint(pb.blinds.size() * T::ne);
        for (const auto& b : pb.blinds) w.bytes(b.encoded);
        append(out, w.data());
    }

    static token token_from_input(const std::array<std::uint8_t, authenticator_input_size>& in) noexcept {
        token t;
        t.token_type = T::type;
        std::copy_n(in.begin() + 2, nonce_size, t.nonce.begin());
        std::copy_n(in.begin() + 2 + nonce_size, digest_size, t.challenge_digest.begin());
        std::copy_n(in.begin() + 2 + nonce_size + digest_size, nid, t.token_key_id.begin());
        return t;
    }

    oprf::public_key<S> pk_;
    std::array<std::uint8_t, nid> key_id_;
};

/// Issuer side of VOPRF issuance, holding one or more live keys (rotation, RFC 9578 §5.5).
/// Not internally synchronised: configure keys before sharing it between threads; const
/// members may then be called concurrently.
template <class T>
class voprf_issuer {
public:
    using S = typename T::suite;

    /// One configured key.
    struct key {
        oprf::private_key<S> sk;
        std::array<std::uint8_t, T::ne> token_key{};  ///< SerializeElement(pkI)
        std::array<std::uint8_t, nid> token_key_id{};
    };

    /// Adds a live key. RFC 9578 §5.5: issuers SHOULD ensure the truncated key ids of keys in
    /// rotation do not collide, so a key whose last key-id byte equals a live key's is refused
    /// with errc::misuse (remove the old key first). The first key added is preferred.
    result<void> add_key(oprf::private_key<S> sk) {
        key k{std::move(sk), {}, {}};
        PPX_TRY(k.sk.public_key().serialize(k.token_key));
        k.token_key_id = token_key_id_of(k.token_key);
        for (const auto& e : keys_)
            if (detail::truncated_key_id(e.token_key_id) == detail::truncated_key_id(k.token_key_id))
                return fail(errc::misuse, "privacypass: truncated token key id collides with a live key");
        keys_.push_back(std::move(k));
        return ok();
    }

    /// Removes the key with this token_key_id; false if there is none.
    bool remove_key(std::span<const std::uint8_t, nid> token_key_id) {
        for (auto it = keys_.begin(); it != keys_.end(); ++it)
            if (equal_bytes(it->token_key_id, token_key_id)) {
                keys_.erase(it);
                return true;
            }
        return false;
    }

    const std::vector<key>& keys() const noexcept { return keys_; }

    /// RFC 9578 §5.2: validates a TokenRequest (supported type, known truncated key id, exact
    /// size), deserializes the blinded element and writes the TokenResponse (evaluated element
    /// and DLEQ proof) to `out`. errc::unsupported for another token type, errc::key_mismatch for
    /// an unknown truncated key id, errc::malformed for a wrong size or invalid element (all
    /// "HTTP 422" in §5.2); errc::internal if the rng fails.
    result<void> evaluate(bytes_view request, rng& r, std::span<std::uint8_t, T::response_size> out) const {
        reader rd(request);
        PPX_TRY_ASSIGN(const key* k, parse_header(rd));
        if (rd.remaining() != T::ne) return fail(errc::malformed, "privacypass: TokenRequest has the wrong length");
        return oprf::voprf_blind_evaluate<S>(k->sk, rd.rest(), out.first(T::ne),
                                             std::span<std::uint8_t, 2 * T::ns>(out.data() + T::ne, 2 * T::ns), r);
    }

    /// batched-tokens-07 §5.2: validates an AmortizedBatchTokenRequest (type, truncated key id,
    /// 1 <= Nr <= max_batch, whole elements) and writes the AmortizedBatchTokenResponse to `out`
    /// (at least T::batch_response_size(Nr) bytes); returns its length. Errors as evaluate(), plus
    /// errc::limit_exceeded for Nr > max_batch and errc::buffer_too_small for a short `out`.
    result<std::size_t> evaluate_batch(bytes_view request, rng& r, mutable_bytes out,
                                       std::size_t max_batch = default_max_batch) const {
        reader rd(request);
        PPX_TRY_ASSIGN(const key* k, parse_header(rd));
        PPX_TRY_ASSIGN(auto blinded, detail::read_v_vector(rd));
        PPX_TRY(rd.expect_end());
        if (blinded.empty() || blinded.size() % T::ne != 0) return fail(errc::malformed, "privacypass: bad blinded_msgs length");
        const std::size_t n = blinded.size() / T::ne;
        if (n > max_batch || n > oprf::max_batch_size) return fail(errc::limit_exceeded, "privacypass: batch too large");  // -07 §5.2
        const std::size_t size = T::batch_response_size(n);
        if (out.size() < size) return fail(errc::buffer_too_small, "privacypass: response buffer too small");
        span_writer w(out);
        w.varint(n * T::ne);
        auto evaluated = w.claim(n * T::ne);
        auto proof = w.claim(2 * T::ns);
        PPX_TRY(w.status());
        PPX_TRY(oprf::voprf_blind_evaluate<S>(k->sk, blinded, evaluated, std::span<std::uint8_t, 2 * T::ns>(proof.data(), 2 * T::ns), r));
        return size;
    }

    /// RFC 9578 §5.4: recomputes Evaluate(token_input) with the key named by the token's
    /// token_key_id and compares it with the authenticator in constant time.
    /// errc::unsupported for another type, errc::key_mismatch for an unknown key id,
    /// errc::crypto_failure when the authenticator is wrong.
    result<void> verify(const token& t) const {
        if (t.token_type != T::type) return fail(errc::unsupported, "privacypass: token is of another type");
        for (const auto& k : keys_) {
            if (!equal_bytes(k.token_key_id, t.token_key_id)) continue;
            const auto input = t.authenticator_input();
            std::array<std::uint8_t, T::nk> expected;
            PPX_TRY(oprf::evaluate<S>(oprf::mode::voprf, k.sk, input, {}, expected));
            const bool good = ct_equal(expected, t.authenticator());
            wipe(expected);
            if (!good) return fail(errc::crypto_failure);
            return ok();
        }
        return fail(errc::key_mismatch, "privacypass: unknown token_key_id");
    }

private:
    result<const key*> parse_header(reader& rd) const {
        PPX_TRY_ASSIGN(auto type, rd.u16());
        if (type != T::type) return fail(errc::unsupported, "privacypass: unsupported token type");  // §5.2
        PPX_TRY_ASSIGN(auto truncated, rd.u8());
        for (const auto& k : keys_)
            if (detail::truncated_key_id(k.token_key_id) == truncated) return &k;
        return fail(errc::key_mismatch, "privacypass: unknown truncated_token_key_id");  // §5.2
    }

    std::vector<key> keys_;
};

} // namespace ppx::privacypass
