// ppx/core/error.hpp: the closed set of ways an operation can fail.
//
// Untrusted input failing is routine, so failures are values (see result.hpp), not
// exceptions. The set is deliberately small, in the spirit of rustls' Error: a caller
// branches on the kind, never on the detail text. Only std::bad_alloc may escape ppx.
#pragma once

#include <cstdint>
#include <string_view>

namespace ppx {

/// What went wrong, coarse enough to be safe to report to a peer.
enum class errc : std::uint8_t {
    malformed = 1,     ///< input does not parse (truncated, oversized, bad encoding, bad point)
    unsupported,       ///< well-formed but names something ppx does not implement (KEM id, token type...)
    key_mismatch,      ///< a key id or key does not match the one expected (unknown key_id, wrong issuer key)
    crypto_failure,    ///< authentication or signature failed; one code, no detail, so it is never an oracle
    policy,            ///< verified but refused by the caller's policy (debug VM, unknown measurement, old TCB)
    replayed,          ///< a token or message was already used
    misuse,            ///< API used wrongly: wrong state, bad argument, exhausted sequence number
    buffer_too_small,  ///< the caller's output buffer is smaller than the documented bound
    limit_exceeded,    ///< a configured limit (field count, size, signature count) was exceeded
    internal,          ///< OpenSSL or libsodium failed where it should not have
};

/// A short, static name for an error kind ("malformed", ...), stable for logs and the CLI.
constexpr std::string_view to_string(errc e) noexcept {
    switch (e) {
    case errc::malformed: return "malformed";
    case errc::unsupported: return "unsupported";
    case errc::key_mismatch: return "key_mismatch";
    case errc::crypto_failure: return "crypto_failure";
    case errc::policy: return "policy";
    case errc::replayed: return "replayed";
    case errc::misuse: return "misuse";
    case errc::buffer_too_small: return "buffer_too_small";
    case errc::limit_exceeded: return "limit_exceeded";
    case errc::internal: return "internal";
    }
    return "unknown";
}

/// An error value: a kind plus a static, secret-free description of where it arose
/// (for example "ohttp: key_id not configured"). `what` always points to a string literal,
/// so errors are trivially copyable and never allocate.
struct error {
    errc code = errc::internal;
    const char* what = "";

    friend constexpr bool operator==(const error& a, const error& b) noexcept { return a.code == b.code; }
    friend constexpr bool operator==(const error& a, errc b) noexcept { return a.code == b; }
};

} // namespace ppx
