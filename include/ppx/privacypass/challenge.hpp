// ppx/privacypass/challenge.hpp: the RFC 9577 TokenChallenge structure.
//
//   struct {
//       uint16_t token_type;
//       opaque issuer_name<1..2^16-1>;
//       opaque redemption_context<0..32>;   // exactly 0 or 32 bytes
//       opaque origin_info<0..2^16-1>;      // "" or comma-separated origin names
//   } TokenChallenge;                        // RFC 9577 §2.1.1
//
// A challenge travels as bytes (base64url in WWW-Authenticate) and a Token carries
// SHA-256 of those exact bytes, so callers keep the received encoding next to the decoded
// form: decode() keeps nothing of its input, and digest_of() hashes any byte string.
#pragma once

#include <ppx/core/bytes.hpp>
#include <ppx/core/reader.hpp>
#include <ppx/core/writer.hpp>
#include <ppx/crypto/hash.hpp>
#include <ppx/privacypass/token_type.hpp>

#include <array>
#include <string>
#include <string_view>

namespace ppx::privacypass {

/// Size of a non-empty redemption_context (RFC 9577 §2.1.1).
inline constexpr std::size_t redemption_context_size = 32;

namespace detail {

inline char ascii_lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

inline bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    return true;
}

/// A server name per RFC 9577 §2.1.1.1: the authority of a URI (host and optional port), in
/// visible ASCII, without userinfo. ppx also refuses ',' (it separates origin_info entries).
inline bool valid_server_name(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7f || c == '@' || c == ',' || c == '/' || c == '"') return false;
    }
    return true;
}

} // namespace detail

/// A decoded TokenChallenge (RFC 9577 §2.1.1). Build one, check it with validate(), and
/// serialise it with encode(); or decode() received bytes.
struct token_challenge {
    std::uint16_t token_type = 0;
    std::string issuer_name;
    bytes redemption_context;  ///< empty or exactly 32 bytes
    std::string origin_info;   ///< empty, or origin names joined by ',' without spaces

    /// Checks the field rules of RFC 9577 §2.1.1: issuer_name a non-empty server name of at
    /// most 65535 bytes, redemption_context 0 or 32 bytes, origin_info empty or a comma list of
    /// server names of at most 65535 bytes. Fails with errc::malformed naming the field.
    result<void> validate() const noexcept {
        if (issuer_name.size() > 0xffff || !detail::valid_server_name(issuer_name))
            return fail(errc::malformed, "privacypass: bad issuer_name");  // RFC 9577 §2.1.1.1
        if (redemption_context.size() != 0 && redemption_context.size() != redemption_context_size)
            return fail(errc::malformed, "privacypass: redemption_context must be 0 or 32 bytes");  // §2.1.1
        if (origin_info.size() > 0xffff) return fail(errc::malformed, "privacypass: origin_info too long");
        if (!origin_info.empty()) {
            std::string_view rest = origin_info;
            while (true) {
                const auto comma = rest.find(',');
                if (!detail::valid_server_name(rest.substr(0, comma)))
                    return fail(errc::malformed, "privacypass: bad origin_info name");  // §2.1.1
                if (comma == std::string_view::npos) break;
                rest.remove_prefix(comma + 1);
            }
        }
        return ok();
    }

    /// Number of bytes encode() writes.
    std::size_t encoded_size() const noexcept {
        return 2 + 2 + issuer_name.size() + 1 + redemption_context.size() + 2 + origin_info.size();
    }

    /// Serialises into `out` (at least encoded_size() bytes) and returns the length written.
    /// Fails with errc::malformed if validate() fails, errc::buffer_too_small if `out` is short
    /// (nothing is written past out.size()).
    result<std::size_t> encode(mutable_bytes out) const noexcept {
        PPX_TRY(validate());
        span_writer w(out);
        write(w);
        return w.finish();
    }

    /// Serialises into a new buffer; fails as encode(mutable_bytes) does.
    result<bytes> encode() const {
        PPX_TRY(validate());
        ppx::writer w(encoded_size());
        write(w);
        return std::move(w).finish();
    }

    /// Parses a TokenChallenge of any token type using the default structure. The whole input
    /// must be consumed. Fails with errc::malformed on truncation, trailing bytes, or a field
    /// that breaks validate(); challenges with a bad redemption_context length MUST be ignored
    /// (RFC 9577 §2.1.1), which callers do by dropping the error.
    static result<token_challenge> decode(bytes_view in) {
        reader r(in);
        token_challenge c;
        PPX_TRY_ASSIGN(c.token_type, r.u16());
        PPX_TRY_ASSIGN(auto issuer, r.vec16());
        PPX_TRY_ASSIGN(auto ctx, r.vec8());
        PPX_TRY_ASSIGN(auto origins, r.vec16());
        PPX_TRY(r.expect_end());
        c.issuer_name.assign(as_chars(issuer));
        c.redemption_context = to_bytes(ctx);
        c.origin_info.assign(as_chars(origins));
        PPX_TRY(c.validate());
        return c;
    }

    /// True when origin_info is empty (any origin) or lists `origin`, compared
    /// case-insensitively as RFC 9577 §2.1.3 requires.
    bool allows_origin(std::string_view origin) const noexcept {
        if (origin_info.empty()) return true;
        std::string_view rest = origin_info;
        while (true) {
            const auto comma = rest.find(',');
            if (detail::iequals(rest.substr(0, comma), origin)) return true;
            if (comma == std::string_view::npos) return false;
            rest.remove_prefix(comma + 1);
        }
    }

private:
    template <class W>
    void write(W& w) const {
        w.u16(token_type);
        w.vec16(as_bytes(issuer_name));
        w.vec8(redemption_context);
        w.vec16(as_bytes(origin_info));
    }
};

/// challenge_digest = SHA-256(TokenChallenge) over the exact encoded bytes (RFC 9577 §2.2).
inline std::array<std::uint8_t, digest_size> challenge_digest(bytes_view encoded_challenge) noexcept {
    return crypto::digest<crypto::sha256>(encoded_challenge);
}

} // namespace ppx::privacypass
