// ppx/privacypass/token_type.hpp: Privacy Pass token types and their sizes.
//
// The registry is RFC 9577 §6.2 ("Privacy Pass Token Type"); its entries fix Nid (the length of
// token_key_id) and Nk (the length of the authenticator) for each type. ppx knows:
//   0x0001 VOPRF(P-384, SHA-384)          RFC 9578 §5, privately verifiable, Nk = 48
//   0x0002 Blind RSA (2048-bit)           RFC 9578 §6, publicly verifiable,  Nk = 256
//   0x0005 VOPRF(ristretto255, SHA-512)   draft-ietf-privacypass-batched-tokens-07 §7.1, Nk = 64
//   0xFF01 ppx ACS: POPRF(ristretto255, SHA-512) with public metadata (docs/privacypass.md).
//          The registry has no formal private-use range; ppx takes a value from the unassigned
//          top block 0xFF00-0xFFFF, away from every registered and reserved (grease) value.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace ppx::privacypass {

/// Token type values (IANA numbers; ppx_acs is ppx's own, see above).
enum class token_type : std::uint16_t {
    voprf_p384 = 0x0001,
    blind_rsa_2048 = 0x0002,
    voprf_ristretto255 = 0x0005,
    ppx_acs = 0xFF01,
};

/// Length of every token_key_id ppx knows (all listed types use SHA-256 key ids).
inline constexpr std::size_t nid = 32;
/// Length of the token nonce and of challenge_digest (RFC 9577 §2.2).
inline constexpr std::size_t nonce_size = 32;
inline constexpr std::size_t digest_size = 32;
/// The largest authenticator of a known type (Blind RSA 2048: 256 bytes).
inline constexpr std::size_t max_nk = 256;

/// Nk of a known token type, or 0 when the type is unknown to ppx.
constexpr std::size_t authenticator_size(std::uint16_t type) noexcept {
    switch (type) {
    case 0x0001: return 48;   // RFC 9578 §8.2.1
    case 0x0002: return 256;  // RFC 9578 §8.2.2
    case 0x0005: return 64;   // batched-tokens-07 §7.1
    case 0xFF01: return 64;   // ppx ACS (SHA-512 output)
    default: return 0;
    }
}

/// True for the types ppx can issue and verify.
constexpr bool is_known(std::uint16_t type) noexcept { return authenticator_size(type) != 0; }

/// The greased values RFC 9577 §6.2.1 reserves; they never name a real protocol.
inline constexpr std::array<std::uint16_t, 17> reserved_token_types = {
    0x0000, 0x02AA, 0x1132, 0x2E96, 0x3CD3, 0x4473, 0x5A63, 0x6D32, 0x7F3F,
    0x8D07, 0x916B, 0xA6A4, 0xBEAB, 0xC3F3, 0xDA42, 0xE944, 0xF057};

/// True when `type` is one of RFC 9577 §6.2.1's reserved (grease) values.
constexpr bool is_reserved(std::uint16_t type) noexcept {
    for (auto t : reserved_token_types)
        if (t == type) return true;
    return false;
}

/// Total length of a Token (RFC 9577 §2.2) of a known type, or 0 for an unknown type.
constexpr std::size_t token_size(std::uint16_t type) noexcept {
    const std::size_t nk = authenticator_size(type);
    return nk == 0 ? 0 : 2 + nonce_size + digest_size + nid + nk;
}

/// Length of the AuthenticatorInput (RFC 9577 §2.2.2): token_type, nonce, digest, key id.
inline constexpr std::size_t authenticator_input_size = 2 + nonce_size + digest_size + nid;

} // namespace ppx::privacypass
