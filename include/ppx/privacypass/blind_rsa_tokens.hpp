// ppx/privacypass/blind_rsa_tokens.hpp: publicly verifiable tokens, type 0x0002 (RFC 9578 §6).
//
// Blind RSA (2048-bit) with RSABSSA-SHA384-PSS-Deterministic (RFC 9474 §5: 48-byte salt,
// PrepareIdentity):
//   TokenRequest  = token_type(2) || truncated_token_key_id(1) || blinded_msg[256]   §6.1
//   TokenResponse = blind_sig[256]                                                   §6.2
// The token-key is the id-RSASSA-PSS SubjectPublicKeyInfo of rsa_spki.hpp and
// token_key_id = SHA-256 of its bytes as received (§6.5). Verification (§6.4) is
// RSASSA-PSS-VERIFY with SHA-384, MGF1-SHA-384, sLen 48 over the AuthenticatorInput.
#pragma once

#include <ppx/blindrsa/blindrsa.hpp>
#include <ppx/core/rng.hpp>
#include <ppx/crypto/hash.hpp>
#include <ppx/privacypass/rsa_spki.hpp>
#include <ppx/privacypass/token.hpp>
#include <ppx/privacypass/voprf_tokens.hpp>
#include <ppx/privacypass/wire.hpp>

#include <string_view>
#include <vector>

namespace ppx::privacypass {

/// Token type 0x0002 constants.
struct token_type_2 {
    static constexpr std::uint16_t type = 0x0002;
    static constexpr std::size_t nk = 256;  ///< RFC 9578 §8.2.2
    static constexpr std::size_t modulus_bits = 2048;
    static constexpr std::size_t request_size = 2 + 1 + nk;
    static constexpr std::size_t response_size = nk;
    static constexpr blindrsa::variant variant = blindrsa::variant::sha384_pss_deterministic;  // §6
};

/// Decodes a PEM block with the given label ("PRIVATE KEY", ...) to DER. errc::malformed if
/// the armour or the base64 body is bad. The result is a secret for private keys.
inline result<secure_bytes> pem_to_der(std::string_view pem, std::string_view label) {
    const std::string begin = "-----BEGIN " + std::string(label) + "-----";
    const std::string end = "-----END " + std::string(label) + "-----";
    const auto b = pem.find(begin);
    if (b == std::string_view::npos) return fail(errc::malformed, "pem: missing BEGIN line");
    const auto e = pem.find(end, b + begin.size());
    if (e == std::string_view::npos) return fail(errc::malformed, "pem: missing END line");
    std::string body;
    for (char c : pem.substr(b + begin.size(), e - b - begin.size()))
        if (c != '\n' && c != '\r' && c != ' ' && c != '\t') body.push_back(c);
    auto der = from_base64(body);
    wipe(mutable_bytes(reinterpret_cast<std::uint8_t*>(body.data()), body.size()));
    if (!der) return fail(errc::malformed, "pem: bad base64 body");
    secure_bytes out(der->begin(), der->end());
    wipe(*der);
    return out;
}

/// A type-2 issuer public key: the key, its SPKI bytes as received and its token_key_id.
struct blind_rsa_public_key {
    blindrsa::public_key pk;
    bytes token_key;                          ///< SPKI bytes exactly as received / published
    std::array<std::uint8_t, nid> token_key_id{};

    /// From a token-key (RFC 9578 §6.5): checks the id-RSASSA-PSS parameters, a 2048-bit
    /// modulus, and computes token_key_id over these exact bytes. errc::malformed or
    /// errc::unsupported (another algorithm, hash or modulus size) otherwise.
    static result<blind_rsa_public_key> from_token_key(bytes_view spki) {
        PPX_TRY(check_pss_spki(spki));
        PPX_TRY_ASSIGN(auto pk, blindrsa::public_key::from_spki_der(spki));
        if (pk.modulus_bits() != token_type_2::modulus_bits) return fail(errc::unsupported, "privacypass: type 2 needs a 2048-bit key");
        return blind_rsa_public_key{std::move(pk), to_bytes(spki), token_key_id_of(spki)};
    }
};

/// RFC 9578 §6.4: verifies a type-2 token against one public key (its token_key_id must match).
/// errc::unsupported for another type, errc::key_mismatch for another key id,
/// errc::crypto_failure for a bad signature.
inline result<void> verify_blind_rsa_token(const blind_rsa_public_key& key, const token& t) {
    if (t.token_type != token_type_2::type) return fail(errc::unsupported, "privacypass: token is of another type");
    if (!equal_bytes(key.token_key_id, t.token_key_id)) return fail(errc::key_mismatch, "privacypass: unknown token_key_id");
    const auto input = t.authenticator_input();
    auto r = blindrsa::verify(key.pk, token_type_2::variant, input, t.authenticator());
    if (!r) return fail(errc::crypto_failure);
    return ok();
}

/// Client side of type-2 issuance for one issuer key.
class blind_rsa_client {
public:
    /// Per-token state between request and finalize: the token input and the secret inverse.
    struct pending {
        std::array<std::uint8_t, authenticator_input_size> token_input{};
        blindrsa::blind_secret inv;
    };

    /// From the issuer's token-key (SPKI bytes); fails as blind_rsa_public_key::from_token_key.
    static result<blind_rsa_client> create(bytes_view token_key) {
        PPX_TRY_ASSIGN(auto k, blind_rsa_public_key::from_token_key(token_key));
        return blind_rsa_client(std::move(k));
    }

    const std::array<std::uint8_t, nid>& token_key_id() const noexcept { return key_.token_key_id; }
    const blind_rsa_public_key& key() const noexcept { return key_; }

    /// RFC 9578 §6.1: a fresh nonce, token_input, Blind(pkI, PrepareIdentity(token_input)), and
    /// the TokenRequest written to `out`. errc::unsupported for a challenge of another type,
    /// errc::malformed for a challenge that does not decode, errc::internal if the rng fails.
    result<pending> request(bytes_view encoded_challenge, rng& r, std::span<std::uint8_t, token_type_2::request_size> out) const {
        std::array<std::uint8_t, nonce_size> nonce;
        PPX_TRY(r.fill(nonce));
        PPX_TRY_ASSIGN(auto input, token_input_for(encoded_challenge, nonce));
        PPX_TRY_ASSIGN(auto inv, blindrsa::blind(key_.pk, token_type_2::variant, input, r, out.subspan(3)));
        write_header(out);
        return pending{input, std::move(inv)};
    }

    /// request() with the nonce, the 48-byte salt and the blind inverse given (vectors).
    result<pending> request_with(bytes_view encoded_challenge, std::span<const std::uint8_t, nonce_size> nonce, bytes_view salt,
                                 bytes_view inv, std::span<std::uint8_t, token_type_2::request_size> out) const {
        PPX_TRY_ASSIGN(auto input, token_input_for(encoded_challenge, nonce));
        PPX_TRY_ASSIGN(auto secret, blindrsa::blind_with(key_.pk, token_type_2::variant, input, salt, inv, out.subspan(3)));
        write_header(out);
        return pending{input, std::move(secret)};
    }

    /// RFC 9578 §6.3: unblinds the TokenResponse (exactly 256 bytes), checks the signature and
    /// builds the Token. errc::malformed for a wrong length or a value >= n;
    /// errc::crypto_failure for a signature that does not verify.
    result<token> finalize(const pending& p, bytes_view response) const {
        if (response.size() != token_type_2::response_size) return fail(errc::malformed, "privacypass: TokenResponse has the wrong length");
        token t;
        t.token_type = token_type_2::type;
        std::copy_n(p.token_input.begin() + 2, nonce_size, t.nonce.begin());
        std::copy_n(p.token_input.begin() + 2 + nonce_size, digest_size, t.challenge_digest.begin());
        t.token_key_id = key_.token_key_id;
        PPX_TRY(blindrsa::finalize(key_.pk, token_type_2::variant, p.token_input, response, p.inv, t.authenticator_mut()));
        return t;
    }

private:
    explicit blind_rsa_client(blind_rsa_public_key k) : key_(std::move(k)) {}

    result<std::array<std::uint8_t, authenticator_input_size>> token_input_for(bytes_view encoded_challenge,
                                                                              std::span<const std::uint8_t, nonce_size> nonce) const {
        PPX_TRY_ASSIGN(auto c, token_challenge::decode(encoded_challenge));
        if (c.token_type != token_type_2::type) return fail(errc::unsupported, "privacypass: challenge is for another token type");
        return token::make_authenticator_input(token_type_2::type, nonce, challenge_digest(encoded_challenge), key_.token_key_id);
    }

    void write_header(std::span<std::uint8_t, token_type_2::request_size> out) const noexcept {
        out[0] = 0x00;
        out[1] = 0x02;
        out[2] = detail::truncated_key_id(key_.token_key_id);  // RFC 9578 §6.1
    }

    blind_rsa_public_key key_;
};

/// Issuer side of type-2 issuance with several live keys (rotation, RFC 9578 §6.5).
/// Configure keys before sharing between threads; const members may then run concurrently.
class blind_rsa_issuer {
public:
    struct key {
        blindrsa::private_key sk;
        blind_rsa_public_key pub;
    };

    /// Adds a live key and publishes it with the RFC's exact SPKI encoding (encode_pss_spki).
    /// errc::unsupported unless the modulus is 2048 bits; errc::misuse if its truncated key id
    /// collides with a live key's (§6.5).
    result<void> add_key(blindrsa::private_key sk) {
        const auto& pk = sk.public_key();
        if (pk.modulus_bits() != token_type_2::modulus_bits) return fail(errc::unsupported, "privacypass: type 2 needs a 2048-bit key");
        const bytes spki = encode_pss_spki(pk.modulus(), pk.exponent());
        blind_rsa_public_key pub{pk, spki, token_key_id_of(spki)};
        for (const auto& e : keys_)
            if (detail::truncated_key_id(e.pub.token_key_id) == detail::truncated_key_id(pub.token_key_id))
                return fail(errc::misuse, "privacypass: truncated token key id collides with a live key");
        keys_.push_back(key{std::move(sk), std::move(pub)});
        return ok();
    }

    bool remove_key(std::span<const std::uint8_t, nid> token_key_id) {
        for (auto it = keys_.begin(); it != keys_.end(); ++it)
            if (equal_bytes(it->pub.token_key_id, token_key_id)) {
                keys_.erase(it);
                return true;
            }
        return false;
    }

    const std::vector<key>& keys() const noexcept { return keys_; }

    /// RFC 9578 §6.2: validates the TokenRequest (type, known truncated key id, size) and writes
    /// blind_sig = BlindSign(skI, blinded_msg) to `out`. errc::unsupported for another type,
    /// errc::key_mismatch for an unknown truncated key id, errc::malformed for a wrong size or a
    /// blinded message >= n; errc::internal if the signature self-check fails.
    result<void> sign(bytes_view request, std::span<std::uint8_t, token_type_2::response_size> out) const {
        reader rd(request);
        PPX_TRY_ASSIGN(auto type, rd.u16());
        if (type != token_type_2::type) return fail(errc::unsupported, "privacypass: unsupported token type");
        PPX_TRY_ASSIGN(auto truncated, rd.u8());
        const key* k = nullptr;
        for (const auto& e : keys_)
            if (detail::truncated_key_id(e.pub.token_key_id) == truncated) k = &e;
        if (!k) return fail(errc::key_mismatch, "privacypass: unknown truncated_token_key_id");  // §6.2
        if (rd.remaining() != token_type_2::nk) return fail(errc::malformed, "privacypass: TokenRequest has the wrong length");
        PPX_TRY(blindrsa::blind_sign(k->sk, rd.rest(), out));
        return ok();
    }

    /// RFC 9578 §6.4 with the key named by the token (any live key); errors as verify_blind_rsa_token.
    result<void> verify(const token& t) const {
        for (const auto& k : keys_)
            if (equal_bytes(k.pub.token_key_id, t.token_key_id)) return verify_blind_rsa_token(k.pub, t);
        if (t.token_type != token_type_2::type) return fail(errc::unsupported, "privacypass: token is of another type");
        return fail(errc::key_mismatch, "privacypass: unknown token_key_id");
    }

private:
    std::vector<key> keys_;
};

} // namespace ppx::privacypass
