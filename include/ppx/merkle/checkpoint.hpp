// ppx/merkle/checkpoint.hpp: the body of a C2SP checkpoint (c2sp.org/tlog-checkpoint).
//
// A checkpoint is the text of a signed note (note.hpp): origin line, decimal tree size, base64
// root hash, then optional non-empty extension lines, each ending in a newline. This header
// only parses and formats that text; signatures and trust are in note.hpp and policy.hpp.
#pragma once

#include <ppx/merkle/tree.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace ppx::merkle {

/// Longest origin line accepted (bytes). The spec sets no bound; this keeps state small.
inline constexpr std::size_t max_origin_size = 1024;
/// Most extension lines accepted in a checkpoint.
inline constexpr std::size_t max_extension_lines = 64;

/// A parsed checkpoint body. Holds copies, never views into the input.
struct checkpoint {
    std::string origin;                   ///< line 1: the log's identity
    std::uint64_t size = 0;               ///< line 2: number of leaves
    hash_t root{};                        ///< line 3: RFC 9162 root hash at `size`
    std::vector<std::string> extensions;  ///< lines 4...: opaque, unauthenticated by cosignatures' semantics

    friend bool operator==(const checkpoint&, const checkpoint&) = default;
};

namespace detail {
/// Parses ASCII decimal with no leading zeroes (except "0") into a uint64; nullopt-like false on failure.
inline bool parse_decimal(std::string_view s, std::uint64_t& out) noexcept {
    if (s.empty() || s.size() > 20) return false;
    if (s.size() > 1 && s[0] == '0') return false;
    std::uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
        const std::uint64_t d = static_cast<std::uint64_t>(c - '0');
        if (v > (UINT64_MAX - d) / 10) return false;
        v = v * 10 + d;
    }
    out = v;
    return true;
}

/// Strict standard base64 (RFC 4648 §4) with mandatory padding, as Go's StdEncoding.
inline result<bytes> strict_base64(std::string_view s) {
    if (s.size() % 4 != 0) return fail(errc::malformed, "merkle: base64 without padding");
    return from_base64(s, base64_alphabet::standard);
}
} // namespace detail

/// Parses checkpoint note text (c2sp.org/tlog-checkpoint "Note text"). The text must end
/// with a newline; the origin must be non-empty; the size is decimal without leading zeroes;
/// the root is base64 of exactly 32 bytes; extension lines must be non-empty. Fails with
/// errc::malformed (errc::limit_exceeded past max_origin_size / max_extension_lines).
inline result<checkpoint> parse_checkpoint(std::string_view text) {
    if (text.empty() || text.back() != '\n') return fail(errc::malformed, "checkpoint: text must end with a newline");
    std::vector<std::string_view> lines;
    for (std::size_t pos = 0; pos < text.size();) {
        const std::size_t nl = text.find('\n', pos);
        lines.push_back(text.substr(pos, nl - pos));
        pos = nl + 1;
        if (lines.size() > 3 + max_extension_lines) return fail(errc::limit_exceeded, "checkpoint: too many extension lines");
    }
    if (lines.size() < 3) return fail(errc::malformed, "checkpoint: fewer than three lines");
    checkpoint c;
    if (lines[0].empty()) return fail(errc::malformed, "checkpoint: empty origin");  // tlog-checkpoint "Note text" 1
    if (lines[0].size() > max_origin_size) return fail(errc::limit_exceeded, "checkpoint: origin too long");
    c.origin = std::string(lines[0]);
    if (!detail::parse_decimal(lines[1], c.size)) return fail(errc::malformed, "checkpoint: bad tree size");  // "Note text" 2
    PPX_TRY_ASSIGN(auto root, detail::strict_base64(lines[2]));  // "Note text" 3
    PPX_TRY_ASSIGN(c.root, to_hash(root));
    for (std::size_t i = 3; i < lines.size(); ++i) {
        if (lines[i].empty()) return fail(errc::malformed, "checkpoint: empty extension line");  // "Note text" 4
        c.extensions.emplace_back(lines[i]);
    }
    return c;
}

/// Formats a checkpoint as note text (each line newline-terminated). errc::misuse for an
/// empty origin, an origin or extension containing a newline, or an empty extension line.
inline result<std::string> format_checkpoint(const checkpoint& c) {
    if (c.origin.empty() || c.origin.find('\n') != std::string::npos) return fail(errc::misuse, "checkpoint: bad origin");
    std::string s = c.origin + "\n" + std::to_string(c.size) + "\n" + to_base64(c.root) + "\n";
    for (const auto& e : c.extensions) {
        if (e.empty() || e.find('\n') != std::string::npos) return fail(errc::misuse, "checkpoint: bad extension line");
        s += e + "\n";
    }
    return s;
}

} // namespace ppx::merkle
