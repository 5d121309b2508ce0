// ppx/merkle/entry.hpp: the log entries ppx clients look for (docs/merkle.md is the format
// reference), and the helper that proves one is in a log under a trusted checkpoint.
//
//   ppx/measurement/v1            "this VM launch measurement is approved"
//   platform <token>
//   measurement <lowercase hex>
//
//   ppx/key/v1                    "this key is published"
//   kind <ohttp-key-config | privacypass-token-key>
//   name <identity of the gateway or issuer>
//   key <base64 of the key bytes>
//
// Each line ends in a newline; the encoding is canonical (exactly one byte string per
// entry), so a leaf hash can be recomputed from the parsed fields and a parser refuses
// anything encode() would not produce.
#pragma once

#include <ppx/merkle/policy.hpp>
#include <ppx/merkle/tree.hpp>

#include <string>
#include <string_view>
#include <variant>

namespace ppx::merkle {

/// Longest measurement accepted (SEV-SNP uses 48 bytes, TDX MRTD 48, SGX 32).
inline constexpr std::size_t max_measurement_size = 64;
/// Longest published key accepted (bytes).
inline constexpr std::size_t max_published_key_size = 16384;
/// Longest platform token / publisher name.
inline constexpr std::size_t max_entry_name_size = 255;

/// "This VM launch measurement is approved."
struct measurement_entry {
    std::string platform;  ///< [a-z0-9-]+, e.g. "amd-sev-snp"
    bytes measurement;     ///< 1..64 bytes (SEV-SNP MEASUREMENT is 48)
    friend bool operator==(const measurement_entry&, const measurement_entry&) = default;
};

/// What kind of key a key_entry publishes.
enum class key_kind : std::uint8_t {
    ohttp_key_config = 1,      ///< an RFC 9458 §3 key configuration of a gateway
    privacypass_token_key = 2, ///< an RFC 9578 issuer token key (as its directory encodes it)
};

/// "This key is published."
struct key_entry {
    key_kind kind = key_kind::ohttp_key_config;
    std::string name;  ///< who publishes it (gateway or issuer name): printable ASCII, no spaces
    bytes key;         ///< 1..16384 bytes
    friend bool operator==(const key_entry&, const key_entry&) = default;
};

namespace detail {
inline bool valid_token(std::string_view s) noexcept {
    if (s.empty() || s.size() > max_entry_name_size) return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    return true;
}
inline bool valid_printable(std::string_view s) noexcept {
    if (s.empty() || s.size() > max_entry_name_size) return false;
    for (char c : s)
        if (c <= 0x20 || c >= 0x7F) return false;
    return true;
}
constexpr std::string_view kind_name(key_kind k) noexcept {
    return k == key_kind::ohttp_key_config ? "ohttp-key-config" : "privacypass-token-key";
}
} // namespace detail

/// Canonical bytes of a measurement entry. errc::misuse for a bad platform token or a
/// measurement outside 1..64 bytes.
inline result<bytes> encode(const measurement_entry& e) {
    if (!detail::valid_token(e.platform)) return fail(errc::misuse, "entry: bad platform");
    if (e.measurement.empty() || e.measurement.size() > max_measurement_size) return fail(errc::misuse, "entry: bad measurement length");
    return to_bytes("ppx/measurement/v1\nplatform " + e.platform + "\nmeasurement " + to_hex(e.measurement) + "\n");
}

/// Canonical bytes of a key entry. errc::misuse for a bad name, kind or key length.
inline result<bytes> encode(const key_entry& e) {
    if (e.kind != key_kind::ohttp_key_config && e.kind != key_kind::privacypass_token_key) return fail(errc::misuse, "entry: bad key kind");
    if (!detail::valid_printable(e.name)) return fail(errc::misuse, "entry: bad name");
    if (e.key.empty() || e.key.size() > max_published_key_size) return fail(errc::misuse, "entry: bad key length");
    return to_bytes("ppx/key/v1\nkind " + std::string(detail::kind_name(e.kind)) + "\nname " + e.name + "\nkey " + to_base64(e.key) + "\n");
}

/// A parsed entry of either type.
using log_entry = std::variant<measurement_entry, key_entry>;

/// Parses an entry. errc::unsupported for an unknown first line, errc::malformed for anything
/// encode() would not have produced (the re-encoding must equal the input).
inline result<log_entry> parse_entry(bytes_view in) {
    const std::string_view s = as_chars(in);
    std::vector<std::string_view> lines;
    if (s.empty() || s.back() != '\n') return fail(errc::malformed, "entry: must end with a newline");
    for (std::size_t pos = 0; pos < s.size() && lines.size() <= 4;) {
        const std::size_t nl = s.find('\n', pos);
        lines.push_back(s.substr(pos, nl - pos));
        pos = nl + 1;
    }
    auto field = [&](std::size_t i, std::string_view key) -> std::optional<std::string_view> {
        if (i >= lines.size() || lines[i].substr(0, key.size()) != key || lines[i].size() <= key.size() || lines[i][key.size()] != ' ')
            return std::nullopt;
        return lines[i].substr(key.size() + 1);
    };
    log_entry out;
    if (lines[0] == "ppx/measurement/v1") {
        auto platform = field(1, "platform");
        auto m = field(2, "measurement");
        if (lines.size() != 3 || !platform || !m) return fail(errc::malformed, "entry: bad measurement entry");
        auto mb = from_hex(*m);
        if (!mb) return fail(errc::malformed, "entry: bad measurement hex");
        out = measurement_entry{std::string(*platform), std::move(*mb)};
    } else if (lines[0] == "ppx/key/v1") {
        auto kind = field(1, "kind");
        auto name = field(2, "name");
        auto key = field(3, "key");
        if (lines.size() != 4 || !kind || !name || !key) return fail(errc::malformed, "entry: bad key entry");
        key_entry k;
        if (*kind == "ohttp-key-config") k.kind = key_kind::ohttp_key_config;
        else if (*kind == "privacypass-token-key") k.kind = key_kind::privacypass_token_key;
        else return fail(errc::unsupported, "entry: unknown key kind");
        k.name = std::string(*name);
        auto kb = detail::strict_base64(*key);
        if (!kb) return fail(errc::malformed, "entry: bad key base64");
        k.key = std::move(*kb);
        out = std::move(k);
    } else {
        return fail(errc::unsupported, "entry: unknown entry type");
    }
    auto again = std::visit([](const auto& e) { return encode(e); }, out);
    if (!again || !equal_bytes(*again, in)) return fail(errc::malformed, "entry: not in canonical form");
    return out;
}

/// Proves that `entry` is leaf `index` of a log under a checkpoint that satisfies `policy`:
/// verifies the signed checkpoint, then the inclusion proof against its root (RFC 9162
/// §2.1.3.2). Returns the verified checkpoint (to feed a log_view, which checks consistency
/// with what the client saw before). Errors as verify_checkpoint and verify_inclusion.
inline result<verified_checkpoint> verify_entry_inclusion(bytes_view entry, std::uint64_t index, proof_view proof,
                                                          std::string_view signed_checkpoint, const trust_policy& policy) {
    PPX_TRY_ASSIGN(verified_checkpoint cp, verify_checkpoint(signed_checkpoint, policy));
    PPX_TRY(verify_inclusion(index, cp.size(), leaf_hash(entry), proof, cp.root()));
    return cp;
}

/// Checks that the VM measurement `m` on `platform` is approved: the canonical measurement
/// entry is leaf `index` under a checkpoint satisfying `policy`. errc::misuse for fields
/// encode() refuses; otherwise as verify_entry_inclusion (a wrong measurement surfaces as
/// errc::crypto_failure, since its leaf is not in the tree).
inline result<verified_checkpoint> verify_measurement_approved(std::string_view platform, bytes_view m, std::uint64_t index,
                                                               proof_view proof, std::string_view signed_checkpoint,
                                                               const trust_policy& policy) {
    PPX_TRY_ASSIGN(bytes e, encode(measurement_entry{std::string(platform), to_bytes(m)}));
    return verify_entry_inclusion(e, index, proof, signed_checkpoint, policy);
}

/// Checks that a key is published (see verify_measurement_approved).
inline result<verified_checkpoint> verify_key_published(const key_entry& k, std::uint64_t index, proof_view proof,
                                                        std::string_view signed_checkpoint, const trust_policy& policy) {
    PPX_TRY_ASSIGN(bytes e, encode(k));
    return verify_entry_inclusion(e, index, proof, signed_checkpoint, policy);
}

} // namespace ppx::merkle
