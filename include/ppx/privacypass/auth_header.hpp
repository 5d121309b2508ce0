// ppx/privacypass/auth_header.hpp: the PrivateToken HTTP authentication scheme (RFC 9577 §2).
//
// - parse_auth_challenges(): RFC 9110 §11.6.1 / §11.2 challenge lists, as in WWW-Authenticate
//   (several challenges and schemes in one field value, parameters in any order and case,
//   token or quoted-string values, token68 credentials, empty list elements).
// - parse_private_token_challenges(): the PrivateToken challenges among them, decoded.
// - www_authenticate_value() / authorization_value(): building the field values.
// - parse_authorization(): the Token from `Authorization: PrivateToken token=...`.
//
// Base64url values are accepted with or without '=' padding, and unquoted values may end in
// '=' characters (a form seen in deployed servers, although RFC 9110's `token` excludes '=').
// Field values longer than max_header_size or with more than max_challenges challenges or
// max_params parameters in one challenge are refused with errc::limit_exceeded.
#pragma once

#include <ppx/core/bytes.hpp>
#include <ppx/privacypass/challenge.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ppx::privacypass {

inline constexpr std::size_t max_header_size = 64 * 1024;
inline constexpr std::size_t max_challenges = 64;
inline constexpr std::size_t max_params = 64;

/// One auth-param (RFC 9110 §11.2); `value` is unquoted and unescaped.
struct auth_param {
    std::string name;
    std::string value;
};

/// One challenge or credentials (RFC 9110 §11.3, §11.4): a scheme followed by either a token68
/// or a list of parameters.
struct auth_challenge {
    std::string scheme;
    std::string token68;
    std::vector<auth_param> params;

    /// The value of parameter `name` (compared case-insensitively, RFC 9110 §11.2), or nullptr.
    const std::string* find(std::string_view name) const noexcept {
        for (const auto& p : params)
            if (detail::iequals(p.name, name)) return &p.value;
        return nullptr;
    }
};

namespace detail {

inline bool is_tchar(char c) noexcept {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~': return true;
    default: return false;
    }
}

inline bool is_token68_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~' || c == '+' || c == '/';
}

/// A cursor over one field value; every method leaves the position unchanged on failure.
class header_lexer {
public:
    explicit header_lexer(std::string_view s) noexcept : s_(s) {}
    bool at_end() const noexcept { return pos_ >= s_.size(); }
    char peek() const noexcept { return at_end() ? '\0' : s_[pos_]; }
    std::size_t pos() const noexcept { return pos_; }
    void seek(std::size_t p) noexcept { pos_ = p; }
    void advance() noexcept { ++pos_; }

    /// OWS / BWS (RFC 9110 §5.6.3); returns how many characters were skipped.
    std::size_t skip_ows() noexcept {
        const std::size_t start = pos_;
        while (!at_end() && (s_[pos_] == ' ' || s_[pos_] == '\t')) ++pos_;
        return pos_ - start;
    }

    std::string_view token() noexcept {
        const std::size_t start = pos_;
        while (!at_end() && is_tchar(s_[pos_])) ++pos_;
        return s_.substr(start, pos_ - start);
    }

    /// token68 (RFC 9110 §11.2): 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
    std::string_view token68() noexcept {
        const std::size_t start = pos_;
        while (!at_end() && is_token68_char(s_[pos_])) ++pos_;
        if (pos_ == start) return {};
        while (!at_end() && s_[pos_] == '=') ++pos_;
        return s_.substr(start, pos_ - start);
    }

    /// An unquoted parameter value: a token, also allowing '/' and trailing '=' (base64).
    std::string_view bare_value() noexcept {
        const std::size_t start = pos_;
        while (!at_end() && (is_tchar(s_[pos_]) || s_[pos_] == '/')) ++pos_;
        if (pos_ == start) return {};
        while (!at_end() && s_[pos_] == '=') ++pos_;
        return s_.substr(start, pos_ - start);
    }

    /// quoted-string (RFC 9110 §5.6.4), unescaped into `out`.
    bool quoted(std::string& out) {
        if (peek() != '"') return false;
        const std::size_t start = pos_++;
        out.clear();
        while (!at_end()) {
            // A run of plain qdtext is appended at once (a token is ~430 of them).
            std::size_t run = pos_;
            while (run < s_.size()) {
                const auto u = static_cast<unsigned char>(s_[run]);
                if (u == '"' || u == '\\' || (u != '\t' && (u < 0x20 || u == 0x7f))) break;
                ++run;
            }
            out.append(s_.data() + pos_, run - pos_);
            pos_ = run;
            if (at_end()) break;
            const char c = s_[pos_++];
            const auto u = static_cast<unsigned char>(c);
            if (c == '"') return true;
            if (c == '\\') {
                if (at_end()) break;
                const auto e = static_cast<unsigned char>(s_[pos_]);
                if (e != '\t' && (e < 0x20 || e == 0x7f)) break;
                out.push_back(s_[pos_++]);
                continue;
            }
            if (c != '\t' && (u < 0x20 || u == 0x7f)) break;
            out.push_back(c);
        }
        pos_ = start;
        return false;
    }

private:
    std::string_view s_;
    std::size_t pos_ = 0;
};

} // namespace detail

/// Parses a WWW-Authenticate (or Authorization) field value into its challenges, in order
/// (RFC 9110 §11.6.1: `1#challenge`, `challenge = auth-scheme [ 1*SP ( token68 / #auth-param ) ]`).
/// Fails with errc::malformed on a syntax error or a parameter repeated within one challenge
/// (§11.2: "each parameter name MUST only occur once per challenge"), errc::limit_exceeded
/// beyond the limits above. An empty value yields an empty list.
inline result<std::vector<auth_challenge>> parse_auth_challenges(std::string_view value) {
    if (value.size() > max_header_size) return fail(errc::limit_exceeded, "privacypass: header too large");
    detail::header_lexer lx(value);
    std::vector<auth_challenge> out;

    auto skip_empty_elements = [&] {
        while (true) {
            lx.skip_ows();
            if (lx.peek() != ',') return;
            lx.advance();
        }
    };
    // name BWS "=" BWS ( token / quoted-string ), appended to `c`.
    auto parse_param = [&](auth_challenge& c) -> result<void> {
        const std::size_t start = lx.pos();
        auto name = lx.token();
        lx.skip_ows();
        if (name.empty() || lx.peek() != '=') {
            lx.seek(start);
            return fail(errc::malformed, "privacypass: expected auth-param");
        }
        lx.advance();
        lx.skip_ows();
        auth_param p{std::string(name), {}};
        if (lx.peek() == '"') {
            if (!lx.quoted(p.value)) return fail(errc::malformed, "privacypass: bad quoted-string");
        } else {
            auto v = lx.bare_value();
            if (v.empty()) return fail(errc::malformed, "privacypass: empty auth-param value");
            p.value.assign(v);
        }
        if (c.find(p.name)) return fail(errc::malformed, "privacypass: repeated auth-param");  // RFC 9110 §11.2
        if (c.params.size() >= max_params) return fail(errc::limit_exceeded, "privacypass: too many auth-params");
        c.params.push_back(std::move(p));
        return ok();
    };
    // An auth-param starts here iff a token is followed by BWS "=" BWS and a value; a token
    // followed by "=" and then another "=", a comma or the end is a token68 (RFC 9110 §11.2).
    auto next_is_param = [&] {
        const std::size_t start = lx.pos();
        auto name = lx.token();
        lx.skip_ows();
        bool param = false;
        if (!name.empty() && lx.peek() == '=') {
            lx.advance();
            lx.skip_ows();
            const char c = lx.peek();
            param = c == '"' || detail::is_tchar(c) || c == '/';
        }
        lx.seek(start);
        return param;
    };

    while (true) {
        skip_empty_elements();
        if (lx.at_end()) break;
        if (out.size() >= max_challenges) return fail(errc::limit_exceeded, "privacypass: too many challenges");
        auth_challenge c;
        auto scheme = lx.token();
        if (scheme.empty()) return fail(errc::malformed, "privacypass: expected auth-scheme");
        c.scheme.assign(scheme);
        const std::size_t spaces = lx.skip_ows();
        if (lx.at_end() || lx.peek() == ',') {
            out.push_back(std::move(c));
            continue;
        }
        if (spaces == 0) return fail(errc::malformed, "privacypass: expected space after auth-scheme");
        if (next_is_param()) {
            PPX_TRY(parse_param(c));
            while (true) {
                const std::size_t before = lx.pos();
                lx.skip_ows();
                if (lx.at_end()) break;
                if (lx.peek() != ',') return fail(errc::malformed, "privacypass: expected ',' between auth-params");
                skip_empty_elements();
                if (lx.at_end()) break;
                if (!next_is_param()) {
                    lx.seek(before);
                    break;
                }
                PPX_TRY(parse_param(c));
            }
        } else {
            auto t = lx.token68();
            if (t.empty()) return fail(errc::malformed, "privacypass: expected token68 or auth-param");
            c.token68.assign(t);
            lx.skip_ows();
            if (!lx.at_end() && lx.peek() != ',') return fail(errc::malformed, "privacypass: junk after token68");
        }
        out.push_back(std::move(c));
    }
    return out;
}

/// One PrivateToken challenge from a WWW-Authenticate field (RFC 9577 §2.1.2).
struct private_token_challenge {
    bytes challenge;           ///< the TokenChallenge exactly as received (hash these bytes)
    token_challenge decoded;   ///< the same, decoded
    bytes token_key;           ///< the "token-key" parameter, decoded; empty if absent
    std::optional<std::uint32_t> max_age;  ///< the "max-age" parameter, in seconds
};

namespace detail {
inline std::optional<std::uint32_t> parse_seconds(std::string_view s) noexcept {
    if (s.empty() || s.size() > 10) return std::nullopt;
    std::uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (v > 0xffffffffu) return std::nullopt;
    return static_cast<std::uint32_t>(v);
}
} // namespace detail

/// The PrivateToken challenges of a WWW-Authenticate field value, in order; challenges of
/// other schemes are skipped. Per RFC 9577 §2.1.1 and §2.1.2, a PrivateToken challenge is
/// ignored (left out of the result, not an error) when its "challenge" parameter is missing or
/// does not decode, its TokenChallenge is malformed (including a bad redemption_context
/// length), its "token-key" is not base64url, or its "max-age" is not a number; unknown
/// parameters are ignored. Token types are not filtered: callers skip those they do not
/// support (token_type.hpp is_known). Fails only as parse_auth_challenges() does.
inline result<std::vector<private_token_challenge>> parse_private_token_challenges(std::string_view value) {
    PPX_TRY_ASSIGN(auto all, parse_auth_challenges(value));
    std::vector<private_token_challenge> out;
    for (const auto& c : all) {
        if (!detail::iequals(c.scheme, "PrivateToken")) continue;
        const std::string* ch = c.find("challenge");
        if (!ch) continue;  // RFC 9577 §2.1.2: "This parameter is required for all challenges."
        auto raw = from_base64url(*ch);
        if (!raw) continue;
        auto decoded = token_challenge::decode(*raw);
        if (!decoded) continue;
        private_token_challenge p{std::move(*raw), std::move(*decoded), {}, std::nullopt};
        if (const std::string* k = c.find("token-key")) {
            auto key = from_base64url(*k);
            if (!key) continue;
            p.token_key = std::move(*key);
        }
        if (const std::string* m = c.find("max-age")) {
            p.max_age = detail::parse_seconds(*m);
            if (!p.max_age) continue;
        }
        out.push_back(std::move(p));
    }
    return out;
}

/// One PrivateToken challenge as a WWW-Authenticate element (RFC 9577 §2.1.2):
/// `PrivateToken challenge="<b64url>", token-key="<b64url>", max-age="<n>"`, base64url with
/// padding as the RFC requires; token-key is left out when empty, max-age when absent.
/// Join several with ", " to send multiple challenges in one field (§2.1.2.1).
inline std::string www_authenticate_value(bytes_view encoded_challenge, bytes_view token_key,
                                          std::optional<std::uint32_t> max_age = std::nullopt) {
    std::string s = "PrivateToken challenge=\"" + to_base64url(encoded_challenge, true) + "\"";
    if (!token_key.empty()) s += ", token-key=\"" + to_base64url(token_key, true) + "\"";
    if (max_age) s += ", max-age=\"" + std::to_string(*max_age) + "\"";
    return s;
}

/// The Authorization field value carrying a Token (RFC 9577 §2.2.1):
/// `PrivateToken token="<b64url with padding>"`.
inline std::string authorization_value(bytes_view encoded_token) {
    return "PrivateToken token=\"" + to_base64url(encoded_token, true) + "\"";
}

/// The Token bytes of an Authorization field value (RFC 9577 §2.2.1). Unknown parameters are
/// ignored. Fails with errc::malformed when the value does not parse, holds no PrivateToken
/// credentials or more than one, or its "token" parameter is missing or not base64url. The
/// bytes are not decoded as a Token here (see token::decode).
inline result<bytes> parse_authorization(std::string_view value) {
    PPX_TRY_ASSIGN(auto all, parse_auth_challenges(value));
    const auth_challenge* found = nullptr;
    for (const auto& c : all) {
        if (!detail::iequals(c.scheme, "PrivateToken")) continue;
        if (found) return fail(errc::malformed, "privacypass: several PrivateToken credentials");
        found = &c;
    }
    if (!found) return fail(errc::malformed, "privacypass: no PrivateToken credentials");
    const std::string* t = found->find("token");
    if (!t) return fail(errc::malformed, "privacypass: PrivateToken credentials without token");
    auto raw = from_base64url(*t);
    if (!raw) return fail(errc::malformed, "privacypass: token is not base64url");
    return std::move(*raw);
}

} // namespace ppx::privacypass
