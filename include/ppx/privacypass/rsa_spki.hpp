// ppx/privacypass/rsa_spki.hpp: the token-key encoding of token type 0x0002 (RFC 9578 §6.5).
//
// The token key is a DER SubjectPublicKeyInfo whose algorithm is id-RSASSA-PSS with explicit
// RSASSA-PSS-params (RFC 4055 §3.1): hashAlgorithm SHA-384, maskGenAlgorithm MGF1-SHA-384,
// saltLength 48. token_key_id = SHA-256 of the SPKI bytes *as received*: a client never
// re-encodes the key before hashing it. encode_pss_spki() emits the exact encoding the RFC shows
// (AlgorithmIdentifiers for SHA-384 without NULL parameters, trailerField omitted).
#pragma once

#include <ppx/core/bytes.hpp>
#include <ppx/core/reader.hpp>
#include <ppx/core/writer.hpp>

namespace ppx::privacypass::detail {

/// One DER TLV with a single-byte tag and a definite, minimally encoded length.
struct der_tlv {
    std::uint8_t tag = 0;
    bytes_view content;
};

/// Reads one DER TLV. errc::malformed for a multi-byte tag, an indefinite, non-minimal or
/// over-long length, or truncation.
inline result<der_tlv> read_der(reader& r) noexcept {
    reader probe = r;
    PPX_TRY_ASSIGN(auto tag, probe.u8());
    if ((tag & 0x1f) == 0x1f) return fail(errc::malformed, "der: multi-byte tag");
    PPX_TRY_ASSIGN(auto first, probe.u8());
    std::size_t len = first;
    if (first & 0x80) {
        const std::size_t n = first & 0x7f;
        if (n == 0 || n > 3) return fail(errc::malformed, "der: unsupported length");
        len = 0;
        for (std::size_t i = 0; i < n; ++i) {
            PPX_TRY_ASSIGN(auto b, probe.u8());
            if (i == 0 && b == 0) return fail(errc::malformed, "der: non-minimal length");
            len = len << 8 | b;
        }
        if (len < 0x80) return fail(errc::malformed, "der: non-minimal length");
    }
    PPX_TRY_ASSIGN(auto content, probe.bytes(len));
    r = probe;
    return der_tlv{tag, content};
}

/// Reads one TLV and checks its tag.
inline result<bytes_view> read_der(reader& r, std::uint8_t tag) noexcept {
    reader probe = r;
    PPX_TRY_ASSIGN(auto t, read_der(probe));
    if (t.tag != tag) return fail(errc::malformed, "der: unexpected tag");
    r = probe;
    return t.content;
}

/// Appends tag || DER length || content.
inline void write_der(ppx::writer& w, std::uint8_t tag, bytes_view content) {
    w.u8(tag);
    const std::size_t n = content.size();
    if (n < 0x80) {
        w.u8(static_cast<std::uint8_t>(n));
    } else if (n < 0x100) {
        w.u8(0x81);
        w.u8(static_cast<std::uint8_t>(n));
    } else if (n < 0x10000) {
        w.u8(0x82);
        w.u16(static_cast<std::uint16_t>(n));
    } else {
        w.u8(0x83);
        w.u24(static_cast<std::uint32_t>(n));
    }
    w.bytes(content);
}

inline bytes der(std::uint8_t tag, bytes_view content) {
    ppx::writer w(content.size() + 5);
    write_der(w, tag, content);
    return w.data();
}

/// A DER INTEGER from a big-endian unsigned magnitude (leading zeros stripped, 0x00 added
/// when the top bit is set).
inline bytes der_uint(bytes_view be) {
    while (be.size() > 1 && be[0] == 0) be = be.subspan(1);
    bytes v;
    if (be.empty() || (be[0] & 0x80)) v.push_back(0);
    append(v, be);
    return der(0x02, v);
}

// OIDs (content bytes only).
inline constexpr std::uint8_t oid_rsassa_pss[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a};  // 1.2.840.113549.1.1.10
inline constexpr std::uint8_t oid_mgf1[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08};        // 1.2.840.113549.1.1.8
inline constexpr std::uint8_t oid_sha384[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02};      // 2.16.840.1.101.3.4.2.2

/// AlgorithmIdentifier { sha384 } without parameters.
inline bytes sha384_alg_id() { return der(0x30, der(0x06, oid_sha384)); }

/// True when `alg` (AlgorithmIdentifier content) is SHA-384 with absent or NULL parameters.
inline bool is_sha384_alg(bytes_view alg) noexcept {
    reader r(alg);
    auto oid = read_der(r, 0x06);
    if (!oid || !equal_bytes(*oid, oid_sha384)) return false;
    if (r.empty()) return true;
    auto null = read_der(r, 0x05);
    return null && null->empty() && r.empty();
}

} // namespace ppx::privacypass::detail

namespace ppx::privacypass {

/// Encodes an RSA public key (big-endian n and e) as RFC 9578 §6.5's SubjectPublicKeyInfo:
/// id-RSASSA-PSS with SHA-384, MGF1-SHA-384 and saltLength 48 (the RFC's exact bytes).
inline bytes encode_pss_spki(bytes_view n, bytes_view e) {
    using namespace detail;
    const bytes params = der(0x30, concat(der(0xa0, sha384_alg_id()),
                                          der(0xa1, der(0x30, concat(der(0x06, oid_mgf1), sha384_alg_id()))),
                                          der(0xa2, der_uint(bytes{48}))));
    const bytes alg = der(0x30, concat(der(0x06, oid_rsassa_pss), params));
    const bytes rsa_pub = der(0x30, concat(der_uint(n), der_uint(e)));
    bytes bits{0x00};
    append(bits, rsa_pub);
    return der(0x30, concat(alg, der(0x03, bits)));
}

/// Checks that `spki` is a DER SubjectPublicKeyInfo as RFC 9578 §6.5 requires: algorithm
/// id-RSASSA-PSS whose RSASSA-PSS-params include hashAlgorithm SHA-384, maskGenAlgorithm
/// MGF1 with SHA-384 and saltLength 48 (SHA-384 AlgorithmIdentifiers may carry NULL
/// parameters; trailerField, if present, must be 1), and a BIT STRING without unused bits.
/// Returns the RSAPublicKey DER inside. errc::malformed on any deviation; errc::unsupported
/// for another algorithm or hash.
inline result<bytes_view> check_pss_spki(bytes_view spki) {
    using namespace detail;
    reader top(spki);
    PPX_TRY_ASSIGN(auto body, read_der(top, 0x30));
    PPX_TRY(top.expect_end());
    reader r(body);
    PPX_TRY_ASSIGN(auto alg, read_der(r, 0x30));
    PPX_TRY_ASSIGN(auto bits, read_der(r, 0x03));
    PPX_TRY(r.expect_end());
    if (bits.empty() || bits[0] != 0) return fail(errc::malformed, "privacypass: bad subjectPublicKey BIT STRING");

    reader a(alg);
    PPX_TRY_ASSIGN(auto oid, read_der(a, 0x06));
    if (!equal_bytes(oid, oid_rsassa_pss)) return fail(errc::unsupported, "privacypass: token key is not id-RSASSA-PSS");  // §6.5
    PPX_TRY_ASSIGN(auto params, read_der(a, 0x30));  // §6.5: parameters MUST be RSASSA-PSS-params
    PPX_TRY(a.expect_end());

    reader p(params);
    // RFC 4055 §3.1: [0] hashAlgorithm, [1] maskGenAlgorithm, [2] saltLength, [3] trailerField;
    // RFC 9578 §6.5: the first three MUST be present.
    PPX_TRY_ASSIGN(auto hash, read_der(p, 0xa0));
    {
        reader h(hash);
        PPX_TRY_ASSIGN(auto hash_alg, read_der(h, 0x30));
        PPX_TRY(h.expect_end());
        if (!is_sha384_alg(hash_alg)) return fail(errc::unsupported, "privacypass: PSS hash is not SHA-384");
    }
    PPX_TRY_ASSIGN(auto mgf, read_der(p, 0xa1));
    {
        reader m(mgf);
        PPX_TRY_ASSIGN(auto mgf_alg, read_der(m, 0x30));
        PPX_TRY(m.expect_end());
        reader ma(mgf_alg);
        PPX_TRY_ASSIGN(auto mgf_oid, read_der(ma, 0x06));
        if (!equal_bytes(mgf_oid, oid_mgf1)) return fail(errc::unsupported, "privacypass: PSS MGF is not MGF1");
        PPX_TRY_ASSIGN(auto mgf_hash, read_der(ma, 0x30));
        PPX_TRY(ma.expect_end());
        if (!is_sha384_alg(mgf_hash)) return fail(errc::unsupported, "privacypass: MGF1 hash is not SHA-384");
    }
    PPX_TRY_ASSIGN(auto salt, read_der(p, 0xa2));
    {
        reader s(salt);
        PPX_TRY_ASSIGN(auto v, read_der(s, 0x02));
        PPX_TRY(s.expect_end());
        if (v.size() != 1 || v[0] != 48) return fail(errc::malformed, "privacypass: PSS saltLength must be 48");  // §6.5
    }
    if (!p.empty()) {
        PPX_TRY_ASSIGN(auto trailer, read_der(p, 0xa3));
        reader t(trailer);
        PPX_TRY_ASSIGN(auto v, read_der(t, 0x02));
        PPX_TRY(t.expect_end());
        if (v.size() != 1 || v[0] != 1) return fail(errc::malformed, "privacypass: PSS trailerField must be 1");
    }
    PPX_TRY(p.expect_end());
    return bits.subspan(1);
}

} // namespace ppx::privacypass
