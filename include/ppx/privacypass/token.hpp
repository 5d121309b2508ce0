// ppx/privacypass/token.hpp: the RFC 9577 Token structure and its AuthenticatorInput.
//
//   struct {
//       uint16_t token_type;
//       uint8_t nonce[32];
//       uint8_t challenge_digest[32];
//       uint8_t token_key_id[Nid];
//       uint8_t authenticator[Nk];
//   } Token;                                  // RFC 9577 §2.2
//
// Nid and Nk depend on the token type (token_type.hpp), so only known types decode. A token is
// held inline (no allocation): the largest authenticator ppx knows is 256 bytes.
#pragma once

#include <ppx/core/bytes.hpp>
#include <ppx/core/ct.hpp>
#include <ppx/core/reader.hpp>
#include <ppx/core/writer.hpp>
#include <ppx/privacypass/challenge.hpp>
#include <ppx/privacypass/token_type.hpp>

#include <algorithm>
#include <array>
#include <cstring>
#include <string>

namespace ppx::privacypass {

/// A decoded Token of a known type.
struct token {
    std::uint16_t token_type = 0;
    std::array<std::uint8_t, nonce_size> nonce{};
    std::array<std::uint8_t, digest_size> challenge_digest{};
    std::array<std::uint8_t, nid> token_key_id{};
    std::array<std::uint8_t, max_nk> authenticator_storage{};

    /// The Nk bytes of the authenticator (Nk from token_type; empty for an unknown type).
    bytes_view authenticator() const noexcept { return bytes_view(authenticator_storage).first(authenticator_size(token_type)); }
    mutable_bytes authenticator_mut() noexcept { return mutable_bytes(authenticator_storage).first(authenticator_size(token_type)); }

    /// Number of bytes encode() writes (0 for an unknown type).
    std::size_t encoded_size() const noexcept { return token_size(token_type); }

    /// Writes the Token into `out` and returns its length. errc::unsupported for an unknown
    /// type, errc::buffer_too_small when `out` is shorter than encoded_size().
    result<std::size_t> encode(mutable_bytes out) const noexcept {
        if (!is_known(token_type)) return fail(errc::unsupported, "privacypass: unknown token type");
        span_writer w(out);
        w.u16(token_type);
        w.bytes(nonce);
        w.bytes(challenge_digest);
        w.bytes(token_key_id);
        w.bytes(authenticator());
        return w.finish();
    }

    /// The Token as a new buffer; fails as encode(mutable_bytes) does.
    result<bytes> encode() const {
        bytes out(encoded_size());
        PPX_TRY(encode(mutable_bytes(out)));
        return out;
    }

    /// Parses a Token. Fails with errc::unsupported for a token type ppx does not know
    /// (RFC 9577 §2.2: the type fixes the rest of the structure) and errc::malformed when the
    /// input is shorter or longer than that type's Token.
    static result<token> decode(bytes_view in) noexcept {
        reader r(in);
        token t;
        PPX_TRY_ASSIGN(t.token_type, r.u16());
        if (!is_known(t.token_type)) return fail(errc::unsupported, "privacypass: unknown token type");
        if (in.size() != token_size(t.token_type)) return fail(errc::malformed, "privacypass: token has the wrong length");
        PPX_TRY_ASSIGN(auto n, r.bytes(nonce_size));
        PPX_TRY_ASSIGN(auto d, r.bytes(digest_size));
        PPX_TRY_ASSIGN(auto k, r.bytes(nid));
        PPX_TRY_ASSIGN(auto a, r.bytes(authenticator_size(t.token_type)));
        std::memcpy(t.nonce.data(), n.data(), n.size());
        std::memcpy(t.challenge_digest.data(), d.data(), d.size());
        std::memcpy(t.token_key_id.data(), k.data(), k.size());
        std::memcpy(t.authenticator_storage.data(), a.data(), a.size());
        return t;
    }

    /// AuthenticatorInput (RFC 9577 §2.2.2): token_type || nonce || challenge_digest ||
    /// token_key_id, the message every issuance protocol authenticates.
    std::array<std::uint8_t, authenticator_input_size> authenticator_input() const noexcept {
        return make_authenticator_input(token_type, nonce, challenge_digest, token_key_id);
    }

    /// Builds an AuthenticatorInput from its parts (also the issuance protocols' token_input,
    /// RFC 9578 §5.1 and §6.1).
    static std::array<std::uint8_t, authenticator_input_size> make_authenticator_input(
        std::uint16_t type, std::span<const std::uint8_t, nonce_size> nonce_,
        std::span<const std::uint8_t, digest_size> digest_, std::span<const std::uint8_t, nid> key_id) noexcept {
        std::array<std::uint8_t, authenticator_input_size> out;
        out[0] = static_cast<std::uint8_t>(type >> 8);
        out[1] = static_cast<std::uint8_t>(type);
        std::memcpy(out.data() + 2, nonce_.data(), nonce_size);
        std::memcpy(out.data() + 2 + nonce_size, digest_.data(), digest_size);
        std::memcpy(out.data() + 2 + nonce_size + digest_size, key_id.data(), nid);
        return out;
    }
};

/// Checks that `t` answers the challenge whose exact encoding is `encoded_challenge`, for the
/// origin named `origin`, before any cryptographic verification (RFC 9577 §2.2 and §2.1.3):
/// - the token type equals the challenge's (§2.2: "MUST match the token_type in the
///   TokenChallenge"), else errc::key_mismatch;
/// - challenge_digest equals SHA-256(encoded_challenge) (§2.2), else errc::key_mismatch;
/// - the challenge decodes and, if its origin_info is non-empty, lists `origin` (§2.1.1),
///   else errc::malformed / errc::policy.
inline result<token_challenge> check_binding(const token& t, bytes_view encoded_challenge, std::string_view origin) {
    PPX_TRY_ASSIGN(auto c, token_challenge::decode(encoded_challenge));
    if (c.token_type != t.token_type) return fail(errc::key_mismatch, "privacypass: token type differs from the challenge");
    const auto d = challenge_digest(encoded_challenge);
    if (!ct_equal(d, t.challenge_digest)) return fail(errc::key_mismatch, "privacypass: challenge_digest does not match");
    if (!c.allows_origin(origin)) return fail(errc::policy, "privacypass: challenge origin_info excludes this origin");
    return c;
}

/// The token-independent half of check_binding(), done once: an origin that redeems every
/// token against one TokenChallenge decodes it, checks that it allows the origin and hashes
/// it when its configuration is built, and checks each token with check().
class challenge_binding {
public:
    /// Decodes `encoded_challenge` (errc::malformed) and checks that its origin_info, if
    /// non-empty, lists `origin` (RFC 9577 §2.1.1; errc::policy otherwise).
    static result<challenge_binding> make(bytes_view encoded_challenge, std::string_view origin) {
        challenge_binding b;
        PPX_TRY_ASSIGN(b.challenge_, token_challenge::decode(encoded_challenge));
        if (!b.challenge_.allows_origin(origin)) return fail(errc::policy, "privacypass: challenge origin_info excludes this origin");
        b.encoded_ = to_bytes(encoded_challenge);
        b.origin_ = std::string(origin);
        b.digest_ = challenge_digest(encoded_challenge);
        return b;
    }
    /// The per-token checks of check_binding() (RFC 9577 §2.2): the token type equals the
    /// challenge's, and challenge_digest equals SHA-256(challenge) (compared in constant
    /// time); errc::key_mismatch otherwise.
    result<void> check(const token& t) const noexcept {
        if (challenge_.token_type != t.token_type) return fail(errc::key_mismatch, "privacypass: token type differs from the challenge");
        if (!ct_equal(digest_, t.challenge_digest)) return fail(errc::key_mismatch, "privacypass: challenge_digest does not match");
        return ok();
    }
    /// True when made from exactly these challenge bytes and this origin.
    bool made_for(bytes_view encoded_challenge, std::string_view origin) const noexcept {
        return origin == origin_ && std::equal(encoded_challenge.begin(), encoded_challenge.end(), encoded_.begin(), encoded_.end());
    }
    const token_challenge& challenge() const noexcept { return challenge_; }

private:
    challenge_binding() = default;
    token_challenge challenge_;
    bytes encoded_;
    std::string origin_;
    std::array<std::uint8_t, digest_size> digest_{};
};

} // namespace ppx::privacypass
