// ppx/privacypass/acs_tokens.hpp: anonymous credentials with public metadata, in the style of
// Meta's Anonymous Credential Service: token type 0xFF01 (ppx-defined; docs/privacypass.md).
//
// The issuer has ONE long-term POPRF key (RFC 9497 §3.3.3, ristretto255-SHA512), published as
// the token-key SerializeElement(pkI). Public metadata `info` (a day such as "2026-11-23", a
// use case such as "chat", or both) selects a derived key: RFC 9497's tweaked key
//     tweakedKey(info) = G * HashToScalar("Info" || I2OSP(len(info), 2) || info) + pkI
// Clients compute tweakedKey(info) themselves from pkI, and every response carries a DLEQ proof
// against it, so a client verifies that the per-day / per-use-case key it is served is the one
// derived from the long-term key it trusts (no per-user key tagging is possible).
//
// Messages:
//   TokenRequest  = token_type(2) = 0xFF01 || truncated_token_key_id(1) || info<0..2^16-1>
//                   || blinded_msg[32]
//   TokenResponse = evaluate_msg[32] || evaluate_proof[64]
//   Token         = RFC 9577 §2.2 structure with Nk = 64 and
//                   token_key_id = SHA-256(SerializeElement(tweakedKey(info))), so a token is
//                   bound to its metadata; authenticator = POPRF output over AuthenticatorInput
//                   with that info.
// Verification is private (the issuer's key), as for type 0x0001.
#pragma once

#include <ppx/core/ct.hpp>
#include <ppx/core/rng.hpp>
#include <ppx/oprf/oprf.hpp>
#include <ppx/privacypass/token.hpp>
#include <ppx/privacypass/voprf_tokens.hpp>
#include <ppx/privacypass/wire.hpp>

#include <string>
#include <vector>

namespace ppx::privacypass {

/// Token type 0xFF01 constants.
struct token_type_acs {
    using suite = oprf::ristretto255_sha512;
    static constexpr std::uint16_t type = 0xFF01;
    static constexpr std::size_t ne = oprf::Ne<suite>;
    static constexpr std::size_t ns = oprf::Ns<suite>;
    static constexpr std::size_t nk = oprf::Nh<suite>;
    static constexpr std::size_t response_size = ne + 2 * ns;
    static constexpr std::size_t max_info_size = 0xffff;
    /// TokenRequest size for an info of `info_size` bytes.
    static constexpr std::size_t request_size(std::size_t info_size) noexcept { return 2 + 1 + 2 + info_size + ne; }
    static_assert(nk == authenticator_size(type));
};

/// token_key_id of the key derived for `info` from the long-term public key: SHA-256 of
/// SerializeElement(tweakedKey(info)). errc::misuse for info over 65535 bytes; errc::malformed
/// if the tweaked key is the identity (negligible; RFC 9497 InvalidInputError).
inline result<std::array<std::uint8_t, nid>> acs_key_id(const oprf::public_key<token_type_acs::suite>& long_term, bytes_view info) {
    PPX_TRY_ASSIGN(auto tweaked, oprf::poprf_tweaked_key<token_type_acs::suite>(long_term, info));
    return token_key_id_of(tweaked.bytes());
}

/// Client side: long-term key pinned once; one derived key per metadata value.
class acs_client {
public:
    using S = token_type_acs::suite;

    struct pending {
        std::array<std::uint8_t, authenticator_input_size> token_input{};
        oprf::blinded<S> blinded;
        bytes info;
    };

    /// From the long-term token-key (SerializeElement(pkI), 32 bytes); errc::malformed if it
    /// is not a valid non-identity ristretto255 element.
    static result<acs_client> create(bytes_view long_term_key) {
        PPX_TRY_ASSIGN(auto pk, oprf::public_key<S>::deserialize(long_term_key));
        return acs_client(std::move(pk));
    }

    /// Builds a TokenRequest for `info` into `out` (resized to request_size(info.size())).
    /// The challenge must be of type 0xFF01 (errc::unsupported otherwise). errc::misuse for an
    /// info over 65535 bytes; errc::internal if the rng fails.
    result<pending> request(bytes_view encoded_challenge, bytes_view info, rng& r, bytes& out) const {
        std::array<std::uint8_t, nonce_size> nonce;
        PPX_TRY(r.fill(nonce));
        return request_impl(encoded_challenge, info, nonce, nullptr, &r, out);
    }

    /// request() with the nonce and blind scalar given (reproducible tests).
    result<pending> request_with(bytes_view encoded_challenge, bytes_view info, std::span<const std::uint8_t, nonce_size> nonce,
                                 bytes_view blind, bytes& out) const {
        return request_impl(encoded_challenge, info, nonce, &blind, nullptr, out);
    }

    /// Verifies the DLEQ proof against tweakedKey(info) derived from the pinned long-term key
    /// (so the issuer cannot have used any other key), then builds the Token.
    /// errc::malformed for a wrong length or bad element; errc::crypto_failure for a bad proof.
    result<token> finalize(const pending& p, bytes_view response) const {
        if (response.size() != token_type_acs::response_size) return fail(errc::malformed, "privacypass: TokenResponse has the wrong length");
        PPX_TRY_ASSIGN(auto tweaked, oprf::poprf_tweaked_key<S>(pk_, p.info));
        token t;
        t.token_type = token_type_acs::type;
        std::copy_n(p.token_input.begin() + 2, nonce_size, t.nonce.begin());
        std::copy_n(p.token_input.begin() + 2 + nonce_size, digest_size, t.challenge_digest.begin());
        std::copy_n(p.token_input.begin() + 2 + nonce_size + digest_size, nid, t.token_key_id.begin());
        const bytes_view inputs[1] = {p.token_input};
        PPX_TRY(oprf::poprf_finalize<S>(tweaked, inputs, std::span<const oprf::blinded<S>>(&p.blinded, 1), response.first(token_type_acs::ne),
                                        response.subspan(token_type_acs::ne), p.info, t.authenticator_mut()));
        return t;
    }

private:
    explicit acs_client(oprf::public_key<S> pk) : pk_(std::move(pk)) {}

    result<pending> request_impl(bytes_view encoded_challenge, bytes_view info, std::span<const std::uint8_t, nonce_size> nonce,
                                 const bytes_view* blind, rng* r, bytes& out) const {
        if (info.size() > token_type_acs::max_info_size) return fail(errc::misuse, "privacypass: info too long");
        PPX_TRY_ASSIGN(auto c, token_challenge::decode(encoded_challenge));
        if (c.token_type != token_type_acs::type) return fail(errc::unsupported, "privacypass: challenge is for another token type");
        PPX_TRY_ASSIGN(auto key_id, acs_key_id(pk_, info));
        const auto input = token::make_authenticator_input(token_type_acs::type, nonce, challenge_digest(encoded_challenge), key_id);
        auto b = blind ? oprf::blind_with<S>(oprf::mode::poprf, input, *blind) : oprf::blind<S>(oprf::mode::poprf, input, *r);
        if (!b) return unexpected(b.error());
        ppx::writer w(token_type_acs::request_size(info.size()));
        w.u16(token_type_acs::type);
        w.u8(detail::truncated_key_id(key_id));
        w.vec16(info);
        w.bytes(b->encoded);
        PPX_TRY_ASSIGN(out, std::move(w).finish());
        return pending{input, std::move(*b), to_bytes(info)};
    }

    oprf::public_key<S> pk_;
};

/// Issuer side: one long-term key and the metadata values it currently issues for (its
/// policy, e.g. today's date for each use case). Configure before sharing between threads.
class acs_issuer {
public:
    using S = token_type_acs::suite;

    explicit acs_issuer(oprf::private_key<S> sk) : sk_(std::move(sk)) {}

    /// The long-term token-key to publish: SerializeElement(pkI).
    std::array<std::uint8_t, token_type_acs::ne> token_key() const { return sk_.public_key().bytes(); }

    /// Accepts `info` for issuance and verification. errc::misuse if its derived truncated key
    /// id collides with an accepted info's (the request would be ambiguous) or info is too long.
    result<void> accept_info(bytes_view info) {
        PPX_TRY_ASSIGN(auto id, acs_key_id(sk_.public_key(), info));
        for (const auto& e : infos_) {
            if (equal_bytes(e.info, info)) return ok();
            if (detail::truncated_key_id(e.key_id) == detail::truncated_key_id(id))
                return fail(errc::misuse, "privacypass: truncated token key id collides with an accepted info");
        }
        infos_.push_back(entry{to_bytes(info), id});
        return ok();
    }

    /// Stops accepting `info` (e.g. when its day is over); false if it was not accepted.
    bool retire_info(bytes_view info) {
        for (auto it = infos_.begin(); it != infos_.end(); ++it)
            if (equal_bytes(it->info, info)) {
                infos_.erase(it);
                return true;
            }
        return false;
    }

    /// Answers a TokenRequest: the info must be accepted and match the truncated key id
    /// (errc::policy / errc::key_mismatch), the blinded element valid (errc::malformed).
    /// Writes evaluate_msg || proof (response_size bytes) to `out`.
    result<void> evaluate(bytes_view request, rng& r, std::span<std::uint8_t, token_type_acs::response_size> out) const {
        reader rd(request);
        PPX_TRY_ASSIGN(auto type, rd.u16());
        if (type != token_type_acs::type) return fail(errc::unsupported, "privacypass: unsupported token type");
        PPX_TRY_ASSIGN(auto truncated, rd.u8());
        PPX_TRY_ASSIGN(auto info, rd.vec16());
        PPX_TRY_ASSIGN(auto blinded, rd.bytes(token_type_acs::ne));
        PPX_TRY(rd.expect_end());
        const entry* e = find(info);
        if (!e) return fail(errc::policy, "privacypass: metadata not accepted by this issuer");
        if (detail::truncated_key_id(e->key_id) != truncated) return fail(errc::key_mismatch, "privacypass: truncated_token_key_id does not match the metadata");
        return oprf::poprf_blind_evaluate<S>(sk_, e->info, blinded, out.first(token_type_acs::ne),
                                             std::span<std::uint8_t, 2 * token_type_acs::ns>(out.data() + token_type_acs::ne, 2 * token_type_acs::ns), r);
    }

    /// Verifies a token: its token_key_id names an accepted info (errc::key_mismatch otherwise)
    /// and the authenticator equals Evaluate(token_input, info) (errc::crypto_failure). On
    /// success returns the token's metadata.
    result<bytes> verify(const token& t) const {
        if (t.token_type != token_type_acs::type) return fail(errc::unsupported, "privacypass: token is of another type");
        for (const auto& e : infos_) {
            if (!equal_bytes(e.key_id, t.token_key_id)) continue;
            std::array<std::uint8_t, token_type_acs::nk> expected;
            PPX_TRY(oprf::evaluate<S>(oprf::mode::poprf, sk_, t.authenticator_input(), e.info, expected));
            const bool good = ct_equal(expected, t.authenticator());
            wipe(expected);
            if (!good) return fail(errc::crypto_failure);
            return e.info;
        }
        return fail(errc::key_mismatch, "privacypass: token_key_id names no accepted metadata");
    }

private:
    struct entry {
        bytes info;
        std::array<std::uint8_t, nid> key_id;
    };
    const entry* find(bytes_view info) const noexcept {
        for (const auto& e : infos_)
            if (equal_bytes(e.info, info)) return &e;
        return nullptr;
    }

    oprf::private_key<S> sk_;
    std::vector<entry> infos_;
};

} // namespace ppx::privacypass
