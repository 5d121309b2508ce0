// ppx/privacypass/origin.hpp: redeeming a token at an origin (RFC 9577 §2.2, §2.2.2).
#pragma once

#include <ppx/privacypass/auth_header.hpp>
#include <ppx/privacypass/spend_store.hpp>
#include <ppx/privacypass/token.hpp>

#include <string_view>

namespace ppx::privacypass {

/// What a successful redemption established.
struct redemption {
    token tok;
    token_challenge challenge;
};

/// Redeems a Token (its encoded bytes, e.g. from parse_authorization()) presented for the
/// challenge whose exact encoding is `encoded_challenge`, at the origin named `origin`:
///   1. decode the token (errc::malformed / errc::unsupported);
///   2. check_binding(): same type, challenge_digest = SHA-256(challenge), origin listed;
///   3. `verify(token)` -> result<void>: the type's cryptographic check (a blind RSA public key,
///      or the issuer's private key for VOPRF types), e.g. issuer::verify;
///   4. record the nonce, scoped to key id and redemption context, in `store` until
///      `key_expires_at` (errc::replayed for a second redemption).
/// Verification comes before the store so that forged tokens cannot fill it.
template <class Verify>
inline result<redemption> redeem(bytes_view encoded_token, bytes_view encoded_challenge, std::string_view origin,
                                 const Verify& verify, spend_store& store, std::uint64_t now, std::uint64_t key_expires_at) {
    PPX_TRY_ASSIGN(auto t, token::decode(encoded_token));
    PPX_TRY_ASSIGN(auto c, check_binding(t, encoded_challenge, origin));
    PPX_TRY(verify(t));
    PPX_TRY_ASSIGN(auto key, spend_key::of(t, c.redemption_context));
    PPX_TRY(store.insert(key, now, key_expires_at));  // RFC 9577 §2.2.1 double-spend prevention
    return redemption{t, std::move(c)};
}

/// redeem() against a challenge_binding made once (the challenge is neither decoded nor
/// hashed per token): decode the token, binding.check(), `verify(token)`, then the spend store
/// as above, with the same errors. Nothing is copied out: the decoded token is wiped before
/// this returns.
template <class Verify>
inline result<void> redeem(bytes_view encoded_token, const challenge_binding& binding, const Verify& verify, spend_store& store,
                           std::uint64_t now, std::uint64_t key_expires_at) {
    auto t = token::decode(encoded_token);
    if (!t) return unexpected(t.error());
    struct wipe_token {
        token& t;
        ~wipe_token() {
            wipe(t.nonce);
            wipe(t.challenge_digest);
            wipe(t.token_key_id);
            wipe(t.authenticator_storage);
        }
    } guard{*t};
    PPX_TRY(binding.check(*t));
    PPX_TRY(verify(*t));
    PPX_TRY_ASSIGN(auto key, spend_key::of(*t, binding.challenge().redemption_context));
    return store.insert(key, now, key_expires_at);  // RFC 9577 §2.2.1 double-spend prevention
}

} // namespace ppx::privacypass
