// ppx/ratls/cbor.hpp: the CBOR shapes of interoperable RA-TLS evidence (CCC "Interoperable
// RA-TLS X.509 Cert and Evidence Formats"; CCC "SGX/TDX Evidence Tags and Formats"), decoded
// with nlohmann::json::from_cbor after a strict structural walk.
//
// nlohmann/json accepts indefinite-length items, duplicate map keys and cannot keep a tag on an
// array, so every input is first walked here (RFC 8949 §3): only definite lengths, no reserved
// additional-information values, no break codes, bounded depth, no duplicate map keys, and the
// item must consume the whole input. Only then is it handed to nlohmann.
#pragma once

#include <ppx/core/bytes.hpp>
#include <ppx/core/result.hpp>
#include <ppx/crypto/hash.hpp>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace ppx::ratls::cbor {

/// Limits for the walk: nesting depth and entries per map (claims maps hold a handful).
inline constexpr int max_depth = 16;
inline constexpr std::uint64_t max_map_entries = 256;

struct head {
    std::uint8_t major = 0;
    std::uint8_t ai = 0;
    std::uint64_t arg = 0;
    std::size_t size = 0;  ///< bytes taken by the head itself
};

/// Reads the initial byte and argument of the item at `pos` (RFC 8949 §3). Fails with
/// errc::malformed on truncation, reserved additional information (28-30) or an indefinite
/// length / break (31), which RA-TLS evidence must not use.
inline result<head> read_head(bytes_view in, std::size_t pos) noexcept {
    if (pos >= in.size()) return fail(errc::malformed, "cbor: truncated");
    head h;
    h.major = in[pos] >> 5;
    h.ai = in[pos] & 0x1f;
    if (h.ai < 24) {
        h.arg = h.ai;
        h.size = 1;
        return h;
    }
    if (h.ai >= 28) return fail(errc::malformed, "cbor: indefinite length or reserved value");
    const std::size_t n = std::size_t{1} << (h.ai - 24);
    if (in.size() - pos - 1 < n) return fail(errc::malformed, "cbor: truncated");
    for (std::size_t i = 0; i < n; ++i) h.arg = h.arg << 8 | in[pos + 1 + i];
    h.size = 1 + n;
    return h;
}

/// Walks the item at `pos` and returns the offset just past it. See the file comment for what
/// is refused (errc::malformed; errc::limit_exceeded for depth or map size).
inline result<std::size_t> skip_item(bytes_view in, std::size_t pos, int depth = 0) noexcept {
    if (depth > max_depth) return fail(errc::limit_exceeded, "cbor: nesting too deep");
    PPX_TRY_ASSIGN(auto h, read_head(in, pos));
    pos += h.size;
    const std::size_t left = in.size() - pos;
    switch (h.major) {
    case 0: case 1: return pos;
    case 2: case 3:
        if (h.arg > left) return fail(errc::malformed, "cbor: truncated string");
        return pos + static_cast<std::size_t>(h.arg);
    case 4:
        if (h.arg > left) return fail(errc::malformed, "cbor: truncated array");
        for (std::uint64_t i = 0; i < h.arg; ++i) {
            PPX_TRY_ASSIGN(pos, skip_item(in, pos, depth + 1));
        }
        return pos;
    case 5: {
        if (h.arg > left / 2) return fail(errc::malformed, "cbor: truncated map");
        if (h.arg > max_map_entries) return fail(errc::limit_exceeded, "cbor: map too large");
        std::vector<bytes_view> keys;
        keys.reserve(static_cast<std::size_t>(h.arg));
        for (std::uint64_t i = 0; i < h.arg; ++i) {
            const std::size_t ks = pos;
            PPX_TRY_ASSIGN(pos, skip_item(in, pos, depth + 1));
            const bytes_view k = in.subspan(ks, pos - ks);
            // RFC 8949 §5.6: a map with duplicate keys is not valid; refuse it rather than let
            // two decoders pick different values.
            for (const auto& o : keys)
                if (equal_bytes(o, k)) return fail(errc::malformed, "cbor: duplicate map key");
            keys.push_back(k);
            PPX_TRY_ASSIGN(pos, skip_item(in, pos, depth + 1));
        }
        return pos;
    }
    case 6: return skip_item(in, pos, depth + 1);
    default:  // 7: simple values and floats; the argument bytes were the payload
        return pos;
    }
}

/// Succeeds when `in` is exactly one well-formed, definite-length CBOR item.
inline result<void> check_single_item(bytes_view in) noexcept {
    PPX_TRY_ASSIGN(auto end, skip_item(in, 0));
    if (end != in.size()) return fail(errc::malformed, "cbor: trailing bytes after item");
    return ok();
}

/// Decodes with nlohmann after check_single_item. Tags inside are refused.
inline result<nlohmann::json> decode(bytes_view in) {
    PPX_TRY(check_single_item(in));
    auto j = nlohmann::json::from_cbor(in.begin(), in.end(), true, false, nlohmann::json::cbor_tag_handler_t::error);
    if (j.is_discarded()) return fail(errc::malformed, "cbor: does not decode");
    return j;
}

/// CBOR tags of RA-TLS evidence (IANA CBOR tags registry; CCC SGX/TDX evidence formats).
inline constexpr std::uint64_t tag_intel_tee_quote = 60000;
inline constexpr std::uint64_t tag_intel_tee_report = 60001;
inline constexpr std::uint64_t tag_intel_sgx_legacy_report = 60002;
/// AMD SEV-SNP report. No IANA tag exists; this is the value inclavare rats-tls uses
/// (OCBR_TAG_EVIDENCE_SEV_SNP = 0x1a7504). See docs/ratls.md for ppx's SNP evidence format.
inline constexpr std::uint64_t tag_amd_sev_snp = 0x1a7504;

/// The evidence extension's content: `tag([evidence, claims-buffer])` (CCC SGX/TDX formats
/// §"Evidence Data Formats").
struct tagged_evidence {
    std::uint64_t tag = 0;
    bytes evidence;
    bytes claims_buffer;
};

/// Decodes a tagged two-element array of byte strings; the tag is returned, not interpreted.
/// Fails with errc::malformed unless `in` is exactly one definite-length item of that shape.
inline result<tagged_evidence> decode_tagged_evidence(bytes_view in) {
    PPX_TRY(check_single_item(in));
    PPX_TRY_ASSIGN(auto h, read_head(in, 0));
    if (h.major != 6) return fail(errc::malformed, "ratls: evidence is not a CBOR tag");
    auto inner = in.subspan(h.size);
    PPX_TRY_ASSIGN(auto ih, read_head(inner, 0));
    if (ih.major != 4 || ih.arg != 2) return fail(errc::malformed, "ratls: evidence is not a two-element array");
    PPX_TRY_ASSIGN(auto j, decode(inner));
    if (!j.is_array() || j.size() != 2 || !j[0].is_binary() || !j[1].is_binary())
        return fail(errc::malformed, "ratls: evidence array must hold two byte strings");
    tagged_evidence out;
    out.tag = h.arg;
    out.evidence.assign(j[0].get_binary().begin(), j[0].get_binary().end());
    out.claims_buffer.assign(j[1].get_binary().begin(), j[1].get_binary().end());
    return out;
}

/// Encodes `tag([evidence, claims-buffer])` with definite lengths (the inverse of the above).
inline bytes encode_tagged_evidence(std::uint64_t tag, bytes_view evidence, bytes_view claims_buffer) {
    nlohmann::json arr = nlohmann::json::array({nlohmann::json::binary(bytes(evidence.begin(), evidence.end())),
                                                nlohmann::json::binary(bytes(claims_buffer.begin(), claims_buffer.end()))});
    auto body = nlohmann::json::to_cbor(arr);
    // Tag head (RFC 8949 §3.4) in the shortest form.
    bytes out;
    if (tag < 24) out.push_back(static_cast<std::uint8_t>(0xC0 | tag));
    else if (tag <= 0xff) out = {0xD8, static_cast<std::uint8_t>(tag)};
    else if (tag <= 0xffff) out = {0xD9, static_cast<std::uint8_t>(tag >> 8), static_cast<std::uint8_t>(tag)};
    else if (tag <= 0xffffffffu)
        out = {0xDA, static_cast<std::uint8_t>(tag >> 24), static_cast<std::uint8_t>(tag >> 16), static_cast<std::uint8_t>(tag >> 8), static_cast<std::uint8_t>(tag)};
    else {
        out.push_back(0xDB);
        for (int i = 7; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(tag >> (8 * i)));
    }
    append(out, body);
    return out;
}

/// Claim names (CCC cert/evidence formats §"Evidence Custom Claims"; the HPKE key is ppx's own).
inline constexpr std::string_view claim_pubkey_hash = "pubkey-hash";
inline constexpr std::string_view claim_nonce = "nonce";
inline constexpr std::string_view claim_hpke_public_key = "ppx-hpke-public-key";

/// IANA "Named Information Hash Algorithm Registry" ids the CCC spec requires verifiers to support.
inline constexpr std::uint64_t iana_sha256 = 1, iana_sha384 = 7, iana_sha512 = 8;

/// The decoded claims buffer. Unknown claims are listed in `names` and otherwise ignored.
struct claims {
    crypto::hash_id pubkey_hash_alg = crypto::hash_id::sha256;
    std::uint64_t pubkey_hash_alg_iana = iana_sha256;
    bytes pubkey_hash;
    std::optional<bytes> nonce;
    std::optional<bytes> hpke_public_key;
    std::vector<std::string> names;  ///< every claim name, sorted
};

/// Decodes a claims buffer: a definite-length map of text names to byte strings with a
/// required "pubkey-hash" holding the CBOR `[hash-alg-id, hash-value]` (CoSWID hash-entry).
/// Fails with errc::malformed on any other shape, errc::unsupported on a hash id other than
/// 1, 7, 8; a hash-value whose length does not match its algorithm is errc::malformed.
inline result<claims> decode_claims(bytes_view buffer) {
    PPX_TRY_ASSIGN(auto h, read_head(buffer, 0));
    if (h.major != 5) return fail(errc::malformed, "ratls: claims buffer is not a map");
    PPX_TRY_ASSIGN(auto j, decode(buffer));
    if (!j.is_object()) return fail(errc::malformed, "ratls: claims buffer is not a map");
    claims c;
    bool have_hash = false;
    for (auto it = j.begin(); it != j.end(); ++it) c.names.push_back(it.key());
    if (auto it = j.find(std::string(claim_pubkey_hash)); it != j.end()) {
        if (!it->is_binary()) return fail(errc::malformed, "ratls: pubkey-hash is not a byte string");
        const auto& b = it->get_binary();
        PPX_TRY_ASSIGN(auto entry, decode(bytes_view(b.data(), b.size())));
        if (!entry.is_array() || entry.size() != 2 || !entry[0].is_number_unsigned() || !entry[1].is_binary())
            return fail(errc::malformed, "ratls: pubkey-hash is not [uint, bstr]");
        c.pubkey_hash_alg_iana = entry[0].get<std::uint64_t>();
        switch (c.pubkey_hash_alg_iana) {
        case iana_sha256: c.pubkey_hash_alg = crypto::hash_id::sha256; break;
        case iana_sha384: c.pubkey_hash_alg = crypto::hash_id::sha384; break;
        case iana_sha512: c.pubkey_hash_alg = crypto::hash_id::sha512; break;
        default: return fail(errc::unsupported, "ratls: pubkey-hash algorithm not supported");
        }
        const auto& hv = entry[1].get_binary();
        if (hv.size() != crypto::digest_size(c.pubkey_hash_alg)) return fail(errc::malformed, "ratls: pubkey-hash length");
        c.pubkey_hash.assign(hv.begin(), hv.end());
        have_hash = true;
    }
    if (!have_hash) return fail(errc::malformed, "ratls: claims lack pubkey-hash");
    if (auto it = j.find(std::string(claim_nonce)); it != j.end()) {
        if (!it->is_binary()) return fail(errc::malformed, "ratls: nonce is not a byte string");
        c.nonce = bytes(it->get_binary().begin(), it->get_binary().end());
    }
    if (auto it = j.find(std::string(claim_hpke_public_key)); it != j.end()) {
        if (!it->is_binary()) return fail(errc::malformed, "ratls: HPKE key claim is not a byte string");
        c.hpke_public_key = bytes(it->get_binary().begin(), it->get_binary().end());
    }
    return c;
}

/// Encodes a claims buffer: pubkey-hash (with `alg`'s IANA id), then nonce and the HPKE key
/// when present, as a definite-length map.
inline bytes encode_claims(crypto::hash_id alg, bytes_view pubkey_hash, std::optional<bytes_view> nonce,
                           std::optional<bytes_view> hpke_public_key) {
    const std::uint64_t id = alg == crypto::hash_id::sha256 ? iana_sha256 : alg == crypto::hash_id::sha384 ? iana_sha384 : iana_sha512;
    auto entry = nlohmann::json::to_cbor(nlohmann::json::array({id, nlohmann::json::binary(bytes(pubkey_hash.begin(), pubkey_hash.end()))}));
    nlohmann::json m = nlohmann::json::object();
    m[std::string(claim_pubkey_hash)] = nlohmann::json::binary(bytes(entry.begin(), entry.end()));
    if (nonce) m[std::string(claim_nonce)] = nlohmann::json::binary(bytes(nonce->begin(), nonce->end()));
    if (hpke_public_key) m[std::string(claim_hpke_public_key)] = nlohmann::json::binary(bytes(hpke_public_key->begin(), hpke_public_key->end()));
    return nlohmann::json::to_cbor(m);
}

} // namespace ppx::ratls::cbor
