// ppx/bhttp/message.hpp: Binary HTTP (RFC 9292) messages, limits and field validation.
//
// A decoded message keeps the facts of its wire form that carry no HTTP meaning (framing,
// where it was truncated, how much zero padding followed) in `wire_form`, so a message
// decoded from a canonical encoding re-encodes to exactly the same bytes. "Canonical" here
// means: minimal varints and, for indeterminate-length content, a single chunk.
#pragma once

#include <ppx/core/bytes.hpp>
#include <ppx/core/result.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ppx::bhttp {

/// The framing indicator values (RFC 9292 §3.3).
enum class framing_indicator : std::uint8_t {
    known_length_request = 0,
    known_length_response = 1,
    indeterminate_length_request = 2,
    indeterminate_length_response = 3,
};

/// Whether sections carry length prefixes (known) or terminators (indeterminate) (RFC 9292 §3.1, §3.2).
enum class framing : std::uint8_t { known_length, indeterminate_length };

/// Which trailing parts of a message were omitted (RFC 9292 §3.8). `trailers`: the trailer
/// section; `content`: content and trailers; `headers`: header section, content and
/// trailers, which RFC 9292 does not name but RFC 9458 Appendix A uses (and the martinthomson
/// and quiche decoders accept). Every omitted part must be empty.
enum class truncation : std::uint8_t { none, trailers, content, headers };

/// How a message is laid out on the wire, beyond its HTTP meaning.
struct wire_form {
    framing mode = framing::known_length;
    truncation truncated = truncation::none;
    std::size_t padding = 0;  ///< zero bytes after the message (RFC 9292 §3.8)
    friend bool operator==(const wire_form&, const wire_form&) = default;
};

/// One field line (RFC 9292 §3.6). Names are lowercase tokens; values are raw bytes
/// (no NUL, CR or LF, no leading or trailing SP/HTAB).
struct field {
    std::string name;
    std::string value;
    friend bool operator==(const field&, const field&) = default;
};
using field_list = std::vector<field>;

/// Request control data (RFC 9292 §3.4). An absent :authority is the empty string.
struct request_control {
    std::string method;
    std::string scheme;
    std::string authority;
    std::string path;
    friend bool operator==(const request_control&, const request_control&) = default;
};

/// A 1xx response preceding the final one (RFC 9292 §3.5.1).
struct informational_response {
    std::uint16_t status = 100;
    field_list fields;
    friend bool operator==(const informational_response&, const informational_response&) = default;
};

struct request {
    request_control control;
    field_list headers;
    bytes content;
    field_list trailers;
    wire_form form;
    friend bool operator==(const request&, const request&) = default;
};

struct response {
    std::vector<informational_response> informational;
    std::uint16_t status = 200;
    field_list headers;
    bytes content;
    field_list trailers;
    wire_form form;
    friend bool operator==(const response&, const response&) = default;
};

/// Resource limits applied while decoding (and checked when encoding). The defaults suit a
/// gateway facing untrusted clients; raise them for trusted peers. Exceeding one is
/// errc::limit_exceeded.
struct limits {
    std::size_t max_control_size = 8 * 1024;         ///< bytes of each of method, scheme, authority, path
    std::size_t max_field_section_size = 64 * 1024;  ///< encoded bytes of one field section
    std::size_t max_fields = 256;                    ///< field lines in one section
    std::size_t max_informational = 16;              ///< 1xx responses before the final one
    std::uint64_t max_content_size = 16 * 1024 * 1024;  ///< total content bytes
    /// RFC 9292 §3.6: pseudo-fields defined by extensions MAY appear (before regular fields,
    /// never in trailers). Off by default: the five HTTP/2 ones are always refused, and
    /// unknown extensions are refused unless this is set.
    bool allow_extension_pseudo_fields = false;
};

namespace detail {

/// tchar (RFC 9110 §5.6.2).
constexpr bool is_tchar(unsigned char c) noexcept {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~': return true;
    default: return false;
    }
}

/// A lowercase token: RFC 9110 §5.1 (token) and RFC 9113 §8.2.1 (no uppercase).
constexpr bool is_lower_token(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (unsigned char c : s)
        if (!is_tchar(c) || (c >= 'A' && c <= 'Z')) return false;
    return true;
}

inline bool is_forbidden_pseudo(std::string_view name) noexcept {
    return name == ":method" || name == ":scheme" || name == ":authority" || name == ":path" || name == ":status";
}

} // namespace detail

/// Checks a field value: RFC 9292 §3.6 refers to RFC 9113 §8.2.1 (no NUL, CR, LF; no
/// leading or trailing SP or HTAB). Returns errc::malformed when it is not allowed.
inline result<void> check_field_value(std::string_view v) noexcept {
    for (unsigned char c : v)
        if (c == 0 || c == '\r' || c == '\n') return fail(errc::malformed, "bhttp: forbidden byte in field value");
    if (!v.empty() && (v.front() == ' ' || v.front() == '\t' || v.back() == ' ' || v.back() == '\t'))
        return fail(errc::malformed, "bhttp: whitespace around field value");
    return ok();
}

/// Validates one field section: names (RFC 9292 §3.6: RFC 9110 §5.1 tokens, lowercase per
/// RFC 9113 §8.2.1), values, the pseudo-field rules and the field count. `trailers` selects
/// the trailer rules (no pseudo-fields). Returns errc::malformed or errc::limit_exceeded.
inline result<void> check_fields(const field_list& fields, bool trailers, const limits& lim) noexcept {
    if (fields.size() > lim.max_fields) return fail(errc::limit_exceeded, "bhttp: too many fields");
    std::size_t total = 0;
    bool regular_seen = false;
    for (const auto& f : fields) {
        total += f.name.size() + f.value.size();
        if (!f.name.empty() && f.name[0] == ':') {
            // RFC 9292 §3.6: these five make the message invalid; other pseudo-fields only
            // before regular fields and never in trailers.
            if (detail::is_forbidden_pseudo(f.name)) return fail(errc::malformed, "bhttp: pseudo-header field name");
            if (!lim.allow_extension_pseudo_fields || trailers || regular_seen ||
                !detail::is_lower_token(std::string_view(f.name).substr(1)))
                return fail(errc::malformed, "bhttp: pseudo-field not allowed here");
        } else {
            if (!detail::is_lower_token(f.name)) return fail(errc::malformed, "bhttp: invalid field name");
            regular_seen = true;
        }
        PPX_TRY(check_field_value(f.value));
    }
    if (total > lim.max_field_section_size) return fail(errc::limit_exceeded, "bhttp: field section too large");
    return ok();
}

/// Validates request control data (RFC 9292 §3.4, which applies RFC 9113 §8.3.1): the method
/// is a non-empty token; the scheme is empty or an RFC 3986 §3.1 scheme; authority and path
/// are visible ASCII. Returns errc::malformed or errc::limit_exceeded.
inline result<void> check_control(const request_control& c, const limits& lim) noexcept {
    if (c.method.size() > lim.max_control_size || c.scheme.size() > lim.max_control_size ||
        c.authority.size() > lim.max_control_size || c.path.size() > lim.max_control_size)
        return fail(errc::limit_exceeded, "bhttp: control data too large");
    if (c.method.empty()) return fail(errc::malformed, "bhttp: empty method");
    for (unsigned char ch : c.method)
        if (!detail::is_tchar(ch)) return fail(errc::malformed, "bhttp: invalid method");
    for (std::size_t i = 0; i < c.scheme.size(); ++i) {
        const unsigned char ch = c.scheme[i];
        const bool alpha = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
        const bool other = (ch >= '0' && ch <= '9') || ch == '+' || ch == '-' || ch == '.';
        if (!alpha && (i == 0 || !other)) return fail(errc::malformed, "bhttp: invalid scheme");
    }
    for (const std::string* s : {&c.authority, &c.path})
        for (unsigned char ch : *s)
            if (ch <= 0x20 || ch >= 0x7f) return fail(errc::malformed, "bhttp: invalid authority or path");
    return ok();
}

/// RFC 9292 §3.5: informational 100..199, final 200..599.
constexpr bool is_informational_status(std::uint64_t s) noexcept { return s >= 100 && s <= 199; }
constexpr bool is_final_status(std::uint64_t s) noexcept { return s >= 200 && s <= 599; }

} // namespace ppx::bhttp
