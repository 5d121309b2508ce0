// ppx/merkle/note.hpp: C2SP signed notes (c2sp.org/signed-note), verifier keys (vkeys),
// and the signature types transparency logs use:
//
//   0x01 Ed25519 over the note text (libsodium)                         c2sp.org/signed-note
//   0x02 ECDSA (P-256/384/521, SHA-256, ASN.1 DER) over the note text     signed-note "Signature types"
//        key ID = SHA-256(PKIX DER)[:4], as transparency-dev and Rekor v1 use it (OpenSSL)
//   0x04 cosignature/v1: timestamped Ed25519 over "cosignature/v1\ntime T\n" || text
//                                                                       c2sp.org/tlog-cosignature
//   0x05 RFC 6962 TreeHeadSignature (ECDSA P-256), as c2sp.org/static-ct-api logs sign
//        checkpoints; key ID = SHA-256(name || 0x0A || 0x05 || SHA-256(PKIX DER))[:4]
//
// Verification rules (signed-note "Signatures"): signatures whose (name, key ID) match no
// known key are ignored; a signature from a known key that fails rejects the whole note;
// a note with no verified signature is rejected. ppx also refuses duplicate (name, key ID)
// lines and caps the signature count at max_note_signatures (the spec requires >= 16).
#pragma once

#include <ppx/core/bytes.hpp>
#include <ppx/core/reader.hpp>
#include <ppx/core/result.hpp>
#include <ppx/core/rng.hpp>
#include <ppx/core/secret.hpp>
#include <ppx/crypto/hash.hpp>
#include <ppx/detail/openssl.hpp>
#include <ppx/detail/sodium.hpp>
#include <ppx/merkle/checkpoint.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ppx::merkle {

/// Largest signed note accepted, in bytes.
inline constexpr std::size_t max_note_size = 1 << 20;
/// Most signature lines accepted in one note (Go's sumdb/note uses the same cap).
inline constexpr std::size_t max_note_signatures = 100;
/// Longest decoded signature accepted (key ID + signature), enough for ML-DSA-87.
inline constexpr std::size_t max_signature_size = 8192;
/// Longest key name accepted, in bytes.
inline constexpr std::size_t max_key_name_size = 1024;

/// Signature type identifier bytes (c2sp.org/signed-note "Signature types").
enum class sig_type : std::uint8_t {
    ed25519 = 0x01,
    ecdsa = 0x02,
    cosignature_v1 = 0x04,
    rfc6962 = 0x05,
};

namespace detail {

/// Decodes one UTF-8 code point at s[i] (strict: no overlongs, surrogates or > U+10FFFF).
/// Returns the code point and advances i, or -1.
inline long utf8_next(std::string_view s, std::size_t& i) noexcept {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) { ++i; return b0; }
    std::size_t n;
    long cp;
    if ((b0 & 0xE0) == 0xC0) { n = 2; cp = b0 & 0x1F; }
    else if ((b0 & 0xF0) == 0xE0) { n = 3; cp = b0 & 0x0F; }
    else if ((b0 & 0xF8) == 0xF0) { n = 4; cp = b0 & 0x07; }
    else return -1;
    if (s.size() - i < n) return -1;
    for (std::size_t k = 1; k < n; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xC0) != 0x80) return -1;
        cp = cp << 6 | (b & 0x3F);
    }
    static constexpr long min_for_len[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_len[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
    i += n;
    return cp;
}

/// Unicode White_Space (what Go's unicode.IsSpace accepts).
constexpr bool is_unicode_space(long cp) noexcept {
    return cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
           cp == 0x3000;
}

/// A valid key name: non-empty, valid UTF-8, no Unicode space, no '+' (signed-note "Format").
inline bool valid_key_name(std::string_view name) noexcept {
    if (name.empty() || name.size() > max_key_name_size) return false;
    for (std::size_t i = 0; i < name.size();) {
        const long cp = utf8_next(name, i);
        if (cp < 0x20 || cp == 0x7F || cp == '+' || is_unicode_space(cp)) return false;
    }
    return true;
}

inline std::uint32_t be32(const std::uint8_t* p) noexcept {
    return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | p[3];
}

inline std::string hex32(std::uint32_t v) {
    const std::uint8_t b[4] = {std::uint8_t(v >> 24), std::uint8_t(v >> 16), std::uint8_t(v >> 8), std::uint8_t(v)};
    return to_hex(bytes_view(b, 4));
}

constexpr std::string_view em_dash_space = "\xE2\x80\x94 ";  // U+2014 then U+0020

using shared_pkey = std::shared_ptr<EVP_PKEY>;

/// Parses a PKIX SubjectPublicKeyInfo holding an EC key on P-256, P-384 or P-521.
inline result<shared_pkey> parse_ec_spki(bytes_view der) {
    ppx::detail::clear_errors_on_exit guard;
    const unsigned char* p = der.data();
    EVP_PKEY* k = d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size()));
    if (!k) return fail(errc::malformed, "note: bad ECDSA public key");
    shared_pkey key(k, EVP_PKEY_free);
    if (p != der.data() + der.size()) return fail(errc::malformed, "note: trailing bytes after ECDSA public key");
    if (EVP_PKEY_get_base_id(k) != EVP_PKEY_EC) return fail(errc::unsupported, "note: public key is not ECDSA");
    char group[64] = {0};
    std::size_t glen = 0;
    if (EVP_PKEY_get_group_name(k, group, sizeof group, &glen) != 1) return fail(errc::malformed, "note: EC key without a named curve");
    const std::string_view g(group, glen);
    if (g != "prime256v1" && g != "secp384r1" && g != "secp521r1") return fail(errc::unsupported, "note: ECDSA curve not P-256/384/521");
    return key;
}

/// ECDSA-with-SHA-256 verification of a DER signature (true only on a valid signature).
inline bool ecdsa_sha256_verify(EVP_PKEY* key, bytes_view msg, bytes_view der_sig) noexcept {
    ppx::detail::clear_errors_on_exit guard;
    ppx::detail::evp_md_ctx_ptr ctx(EVP_MD_CTX_new());
    if (!ctx) return false;
    if (EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1) return false;
    return EVP_DigestVerify(ctx.get(), der_sig.data(), der_sig.size(), msg.data(), msg.size()) == 1;
}

} // namespace detail

/// Key ID recommended by signed-note "Signatures": SHA-256(name || 0x0A || type || key)[:4].
inline std::uint32_t note_key_id(std::string_view name, std::uint8_t type, bytes_view key) noexcept {
    static constexpr std::uint8_t nl[1] = {0x0A};
    const std::uint8_t t[1] = {type};
    const auto h = crypto::digest<crypto::sha256>(as_bytes(name), bytes_view(nl), bytes_view(t), key);
    return detail::be32(h.data());
}

/// What a verified signature said beyond "valid": the cosignature/v1 or RFC 6962 timestamp.
struct signature_info {
    std::optional<std::uint64_t> timestamp;  ///< seconds (cosignature/v1) or milliseconds (RFC 6962)
};

/// A verifier key: name, key ID, signature type and public key (c2sp.org/signed-note
/// "Verifier keys"). Immutable and cheap to copy.
class verifier {
public:
    /// Parses `<name>+<hex key ID>+<base64(type || key)>`. The key ID must equal the one the
    /// type defines (an incorrect ID is errc::malformed); unknown types are errc::unsupported.
    static result<verifier> parse(std::string_view vkey) {
        const std::size_t p1 = vkey.find('+');
        if (p1 == std::string_view::npos) return fail(errc::malformed, "vkey: missing '+'");
        const std::size_t p2 = vkey.find('+', p1 + 1);
        if (p2 == std::string_view::npos) return fail(errc::malformed, "vkey: missing second '+'");
        const std::string_view name = vkey.substr(0, p1), id_hex = vkey.substr(p1 + 1, p2 - p1 - 1);
        if (id_hex.size() != 8) return fail(errc::malformed, "vkey: key ID is not 8 hex digits");
        PPX_TRY_ASSIGN(auto id, from_hex(id_hex));
        PPX_TRY_ASSIGN(auto material, detail::strict_base64(vkey.substr(p2 + 1)));
        if (material.empty()) return fail(errc::malformed, "vkey: empty key");
        PPX_TRY_ASSIGN(verifier v, make(name, static_cast<sig_type>(material[0]), bytes_view(material).subspan(1)));
        if (v.id_ != detail::be32(id.data())) return fail(errc::malformed, "vkey: key ID does not match the key");
        return v;
    }

    /// Builds a verifier from its parts; the key ID is derived as the type specifies.
    /// Ed25519 and cosignature/v1 keys are 32 bytes; ECDSA and RFC 6962 keys are PKIX DER.
    static result<verifier> make(std::string_view name, sig_type type, bytes_view key) {
        if (!detail::valid_key_name(name)) return fail(errc::malformed, "vkey: bad key name");
        verifier v;
        v.name_ = std::string(name);
        v.type_ = type;
        v.key_ = to_bytes(key);
        switch (type) {
        case sig_type::ed25519:
        case sig_type::cosignature_v1:
            if (key.size() != crypto_sign_PUBLICKEYBYTES) return fail(errc::malformed, "vkey: Ed25519 key is not 32 bytes");
            v.id_ = note_key_id(name, static_cast<std::uint8_t>(type), key);
            return v;
        case sig_type::ecdsa: {
            PPX_TRY_ASSIGN(v.pkey_, detail::parse_ec_spki(key));
            const auto h = crypto::digest<crypto::sha256>(key);
            v.id_ = detail::be32(h.data());
            return v;
        }
        case sig_type::rfc6962: {
            PPX_TRY_ASSIGN(v.pkey_, detail::parse_ec_spki(key));
            const auto log_id = crypto::digest<crypto::sha256>(key);
            v.id_ = note_key_id(name, 0x05, log_id);
            return v;
        }
        }
        return fail(errc::unsupported, "vkey: unknown signature type");
    }

    const std::string& name() const noexcept { return name_; }
    std::uint32_t id() const noexcept { return id_; }
    sig_type type() const noexcept { return type_; }
    /// The public key material (without the type byte).
    bytes_view public_key() const noexcept { return key_; }
    /// The vkey text form.
    std::string to_string() const {
        bytes m;
        m.reserve(1 + key_.size());
        m.push_back(static_cast<std::uint8_t>(type_));
        append(m, key_);
        return name_ + "+" + detail::hex32(id_) + "+" + to_base64(m);
    }

    /// Verifies `sig` (the bytes after the 4-byte key ID) over note `text` (which includes
    /// its final newline). Returns the timestamp for cosignature/v1 and RFC 6962 signatures.
    /// errc::crypto_failure for any invalid signature, including one of the wrong length.
    result<signature_info> verify(std::string_view text, bytes_view sig) const {
        if (!ppx::detail::sodium_ready()) return fail(errc::internal, "note: libsodium unavailable");
        switch (type_) {
        case sig_type::ed25519:
            if (sig.size() != crypto_sign_BYTES ||
                crypto_sign_verify_detached(sig.data(), reinterpret_cast<const unsigned char*>(text.data()), text.size(), key_.data()) != 0)
                return fail(errc::crypto_failure, "note: invalid signature");
            return signature_info{};
        case sig_type::cosignature_v1: {
            // c2sp.org/tlog-cosignature: timestamped_signature = u64 timestamp || ed25519[64].
            if (sig.size() != 8 + crypto_sign_BYTES) return fail(errc::crypto_failure, "note: invalid signature");
            std::uint64_t ts = 0;
            for (int i = 0; i < 8; ++i) ts = ts << 8 | sig[static_cast<std::size_t>(i)];
            if (ts > static_cast<std::uint64_t>(INT64_MAX)) return fail(errc::crypto_failure, "note: invalid signature");
            const std::string msg = cosignature_message(text, ts);
            if (crypto_sign_verify_detached(sig.data() + 8, reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), key_.data()) != 0)
                return fail(errc::crypto_failure, "note: invalid signature");
            return signature_info{ts};
        }
        case sig_type::ecdsa:
            if (!detail::ecdsa_sha256_verify(pkey_.get(), as_bytes(text), sig)) return fail(errc::crypto_failure, "note: invalid signature");
            return signature_info{};
        case sig_type::rfc6962:
            return verify_rfc6962(text, sig);
        }
        return fail(errc::crypto_failure, "note: invalid signature");
    }

    /// The message a cosignature/v1 signs (c2sp.org/tlog-cosignature "Ed25519 signed message").
    static std::string cosignature_message(std::string_view text, std::uint64_t timestamp) {
        std::string msg = "cosignature/v1\ntime " + std::to_string(timestamp) + "\n";
        msg.append(text);
        return msg;
    }

private:
    verifier() = default;

    result<signature_info> verify_rfc6962(std::string_view text, bytes_view sig) const {
        // c2sp.org/static-ct-api: timestamp(8) || TLS DigitallySigned(hash 4 = SHA-256,
        // sig 3 = ECDSA, opaque<0..2^16-1>) over the RFC 6962 §3.5 TreeHeadSignature.
        reader r(sig);
        auto ts = r.u64();
        auto halg = r.u8();
        auto salg = r.u8();
        auto der = r.vec16();
        if (!ts || !halg || !salg || !der || !r.empty() || *halg != 4 || *salg != 3)
            return fail(errc::crypto_failure, "note: invalid signature");
        auto cp = parse_checkpoint(text);
        // The TreeHeadSignature covers size and root only, so extension lines would be unsigned.
        if (!cp || !cp->extensions.empty()) return fail(errc::crypto_failure, "note: invalid signature");
        std::uint8_t tbs[2 + 8 + 8 + hash_size];
        tbs[0] = 0;  // version v1
        tbs[1] = 1;  // signature_type tree_hash
        for (int i = 0; i < 8; ++i) tbs[2 + i] = static_cast<std::uint8_t>(*ts >> (56 - 8 * i));
        for (int i = 0; i < 8; ++i) tbs[10 + i] = static_cast<std::uint8_t>(cp->size >> (56 - 8 * i));
        std::memcpy(tbs + 18, cp->root.data(), hash_size);
        if (!detail::ecdsa_sha256_verify(pkey_.get(), bytes_view(tbs, sizeof tbs), *der)) return fail(errc::crypto_failure, "note: invalid signature");
        return signature_info{*ts};
    }

    std::string name_;
    std::uint32_t id_ = 0;
    sig_type type_ = sig_type::ed25519;
    bytes key_;
    detail::shared_pkey pkey_;
};

/// One signature line of a note.
struct note_signature {
    std::string name;    ///< key name
    std::uint32_t id;    ///< key ID (first 4 bytes of the decoded signature)
    bytes sig;           ///< the signature proper (after the key ID)
};

/// A parsed (not yet verified) signed note. The text MUST be ignored until verified.
struct note {
    std::string text;                       ///< the note text, including its final newline
    std::vector<note_signature> signatures; ///< in order of appearance
};

/// Parses a signed note (c2sp.org/signed-note "Format"): valid UTF-8 without control
/// characters other than newline; text ending in a newline; a blank line; one or more lines
/// "— <name> <base64(keyID || sig)>\n". The text is separated at the last blank line.
/// Fails with errc::malformed (errc::limit_exceeded past max_note_size, max_note_signatures
/// or max_signature_size); duplicate (name, key ID) lines are errc::malformed.
inline result<note> parse_note(std::string_view msg) {
    if (msg.size() > max_note_size) return fail(errc::limit_exceeded, "note: too large");
    for (std::size_t i = 0; i < msg.size();) {
        const long cp = detail::utf8_next(msg, i);
        if (cp < 0) return fail(errc::malformed, "note: invalid UTF-8");
        if ((cp < 0x20 && cp != '\n') || cp == 0x7F) return fail(errc::malformed, "note: control character");
    }
    const std::size_t split = msg.rfind("\n\n");
    if (split == std::string_view::npos) return fail(errc::malformed, "note: no blank line before signatures");
    note n;
    n.text = std::string(msg.substr(0, split + 1));
    std::string_view sigs = msg.substr(split + 2);
    if (sigs.empty()) return fail(errc::malformed, "note: no signatures");
    if (sigs.back() != '\n') return fail(errc::malformed, "note: signature block must end with a newline");
    while (!sigs.empty()) {
        const std::size_t nl = sigs.find('\n');
        std::string_view line = sigs.substr(0, nl);
        sigs.remove_prefix(nl + 1);
        if (n.signatures.size() == max_note_signatures) return fail(errc::limit_exceeded, "note: too many signatures");
        if (line.substr(0, detail::em_dash_space.size()) != detail::em_dash_space) return fail(errc::malformed, "note: line after signatures is not a signature");
        line.remove_prefix(detail::em_dash_space.size());
        const std::size_t sp = line.find(' ');
        if (sp == std::string_view::npos) return fail(errc::malformed, "note: signature line without a space");
        const std::string_view name = line.substr(0, sp), b64 = line.substr(sp + 1);
        if (!detail::valid_key_name(name)) return fail(errc::malformed, "note: bad key name");
        if (b64.size() > (max_signature_size + 2) / 3 * 4) return fail(errc::limit_exceeded, "note: signature too large");
        PPX_TRY_ASSIGN(bytes raw, detail::strict_base64(b64));
        if (raw.size() < 5) return fail(errc::malformed, "note: signature too short");
        note_signature s{std::string(name), detail::be32(raw.data()), bytes(raw.begin() + 4, raw.end())};
        for (const auto& o : n.signatures)
            if (o.id == s.id && o.name == s.name) return fail(errc::malformed, "note: duplicate signature");
        n.signatures.push_back(std::move(s));
    }
    return n;
}

/// Per-signature outcome of checking a note against known keys.
enum class sig_status : std::uint8_t {
    verified,     ///< a known key and a valid signature
    unknown_key,  ///< no known key has this (name, key ID): ignored
    invalid,      ///< a known key, but the signature does not verify: the note must be rejected
};

constexpr std::string_view to_string(sig_status s) noexcept {
    return s == sig_status::verified ? "verified" : s == sig_status::unknown_key ? "unknown-key" : "invalid-signature";
}

/// The outcome for one signature line.
struct sig_check {
    std::string name;
    std::uint32_t id = 0;
    sig_status status = sig_status::unknown_key;
    std::size_t key = 0;          ///< index into the verifier list when the key is known
    signature_info info;          ///< timestamp of a verified cosignature / RFC 6962 signature
};

/// Checks every signature of a parsed note against `keys` (matching on name AND key ID,
/// signed-note "Signatures"). Never fails: statuses say what happened.
inline std::vector<sig_check> check_signatures(const note& n, std::span<const verifier> keys) {
    std::vector<sig_check> out;
    out.reserve(n.signatures.size());
    for (const auto& s : n.signatures) {
        sig_check c{s.name, s.id, sig_status::unknown_key, 0, {}};
        for (std::size_t k = 0; k < keys.size(); ++k) {
            if (keys[k].id() != s.id || keys[k].name() != s.name) continue;
            c.key = k;
            auto r = keys[k].verify(n.text, s.sig);
            c.status = r ? sig_status::verified : sig_status::invalid;
            if (r) c.info = *r;
            break;
        }
        out.push_back(std::move(c));
    }
    return out;
}

/// A note whose signatures were checked and accepted under signed-note rules.
struct verified_note {
    std::string text;
    std::vector<sig_check> signatures;  ///< every line, with its status (none is `invalid`)
};

/// Parses and verifies a signed note: errc::malformed (etc.) from parse_note; errc::crypto_failure
/// when any known key's signature is invalid (signed-note: clients SHOULD reject the whole note);
/// errc::key_mismatch when no signature is from a known key (MUST reject).
inline result<verified_note> open_note(std::string_view msg, std::span<const verifier> keys) {
    PPX_TRY_ASSIGN(note n, parse_note(msg));
    auto checks = check_signatures(n, keys);
    bool any = false;
    for (const auto& c : checks) {
        if (c.status == sig_status::invalid) return fail(errc::crypto_failure, "note: invalid signature from a known key");
        any = any || c.status == sig_status::verified;
    }
    if (!any) return fail(errc::key_mismatch, "note: no signature from a known key");
    return verified_note{std::move(n.text), std::move(checks)};
}

struct ed25519_seed_tag {};
/// A 32-byte Ed25519 private seed (RFC 8032 §5.1.5).
using ed25519_seed = secret<32, ed25519_seed_tag>;

/// Signs notes with Ed25519 (type 0x01) or cosigns checkpoints (cosignature/v1, type 0x04).
/// Holds the private key in wiped memory; move-only.
class note_signer {
public:
    /// A signer from a 32-byte seed. errc::misuse for a type other than ed25519 / cosignature_v1,
    /// errc::malformed for a bad key name.
    static result<note_signer> from_seed(std::string_view name, sig_type type, const ed25519_seed& seed) {
        if (type != sig_type::ed25519 && type != sig_type::cosignature_v1) return fail(errc::misuse, "signer: only Ed25519 types can sign");
        if (!detail::valid_key_name(name)) return fail(errc::malformed, "signer: bad key name");
        if (!ppx::detail::sodium_ready()) return fail(errc::internal, "signer: libsodium unavailable");
        note_signer s;
        s.name_ = std::string(name);
        s.type_ = type;
        if (crypto_sign_seed_keypair(s.pk_.data(), s.sk_.expose_mut().data(), seed.expose().data()) != 0)
            return fail(errc::internal, "signer: keypair failed");
        s.id_ = note_key_id(name, static_cast<std::uint8_t>(type), s.pk_);
        return s;
    }

    /// A fresh random signer.
    static result<note_signer> generate(std::string_view name, sig_type type, rng& r) {
        ed25519_seed seed;
        PPX_TRY(r.fill(seed.expose_mut()));
        return from_seed(name, type, seed);
    }

    /// Parses the Go sumdb/note private key form `PRIVATE+KEY+<name>+<hex ID>+<base64(type || seed)>`.
    static result<note_signer> parse(std::string_view skey) {
        constexpr std::string_view prefix = "PRIVATE+KEY+";
        if (skey.substr(0, prefix.size()) != prefix) return fail(errc::malformed, "signer: missing PRIVATE+KEY+ prefix");
        skey.remove_prefix(prefix.size());
        const std::size_t p1 = skey.find('+');
        if (p1 == std::string_view::npos) return fail(errc::malformed, "signer: missing '+'");
        const std::size_t p2 = skey.find('+', p1 + 1);
        if (p2 == std::string_view::npos) return fail(errc::malformed, "signer: missing '+'");
        PPX_TRY_ASSIGN(auto id, from_hex(skey.substr(p1 + 1, p2 - p1 - 1)));
        if (id.size() != 4) return fail(errc::malformed, "signer: key ID is not 8 hex digits");
        PPX_TRY_ASSIGN(auto raw, detail::strict_base64(skey.substr(p2 + 1)));
        secure_bytes material(raw.begin(), raw.end());
        wipe(raw);
        if (material.size() != 33) return fail(errc::malformed, "signer: key is not type || 32-byte seed");
        PPX_TRY_ASSIGN(auto seed, ed25519_seed::from(bytes_view(material).subspan(1)));
        PPX_TRY_ASSIGN(note_signer s, from_seed(skey.substr(0, p1), static_cast<sig_type>(material[0]), seed));
        if (s.id_ != detail::be32(id.data())) return fail(errc::malformed, "signer: key ID does not match the key");
        return s;
    }

    /// The private key in the form parse() reads. The returned string holds the secret seed.
    secure_bytes to_private_string() const {
        std::uint8_t m[33];
        m[0] = static_cast<std::uint8_t>(type_);
        std::memcpy(m + 1, sk_.expose().data(), 32);  // libsodium's sk is seed || pk
        std::string b64 = to_base64(bytes_view(m, sizeof m));
        wipe(mutable_bytes(m, sizeof m));
        std::string head = "PRIVATE+KEY+" + name_ + "+" + detail::hex32(id_) + "+";
        secure_bytes out(head.begin(), head.end());
        out.insert(out.end(), b64.begin(), b64.end());
        wipe(mutable_bytes(reinterpret_cast<std::uint8_t*>(b64.data()), b64.size()));
        return out;
    }

    const std::string& name() const noexcept { return name_; }
    std::uint32_t id() const noexcept { return id_; }
    sig_type type() const noexcept { return type_; }
    /// The matching verifier key.
    verifier to_verifier() const { return *verifier::make(name_, type_, pk_); }

    /// The signature line "— <name> <base64>\n" over note `text` (which must end in a
    /// newline). `timestamp` is used by cosignature/v1 only (seconds; must be <= 2^63-1).
    /// errc::misuse for a text without final newline or an out-of-range timestamp.
    result<std::string> sign_line(std::string_view text, std::uint64_t timestamp = 0) const {
        if (text.empty() || text.back() != '\n') return fail(errc::misuse, "signer: text must end with a newline");
        std::uint8_t raw[4 + 8 + crypto_sign_BYTES];
        std::size_t len = 0;
        for (int i = 0; i < 4; ++i) raw[len++] = static_cast<std::uint8_t>(id_ >> (24 - 8 * i));
        if (type_ == sig_type::cosignature_v1) {
            if (timestamp > static_cast<std::uint64_t>(INT64_MAX)) return fail(errc::misuse, "signer: timestamp out of range");
            for (int i = 0; i < 8; ++i) raw[len++] = static_cast<std::uint8_t>(timestamp >> (56 - 8 * i));
            const std::string msg = verifier::cosignature_message(text, timestamp);
            crypto_sign_detached(raw + len, nullptr, reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), sk_.expose().data());
        } else {
            crypto_sign_detached(raw + len, nullptr, reinterpret_cast<const unsigned char*>(text.data()), text.size(), sk_.expose().data());
        }
        len += crypto_sign_BYTES;
        return std::string(detail::em_dash_space) + name_ + " " + to_base64(bytes_view(raw, len)) + "\n";
    }

    /// A complete signed note: text, blank line, one signature line.
    result<std::string> sign(std::string_view text, std::uint64_t timestamp = 0) const {
        PPX_TRY_ASSIGN(std::string line, sign_line(text, timestamp));
        std::string out(text);
        out += "\n";
        out += line;
        return out;
    }

    /// Adds this signer's signature to an existing signed note (for example a witness
    /// cosigning a checkpoint). Fails as parse_note for a malformed note, errc::misuse when
    /// the note already carries a signature with this signer's name and key ID.
    result<std::string> add_to(std::string_view signed_note, std::uint64_t timestamp = 0) const {
        PPX_TRY_ASSIGN(note n, parse_note(signed_note));
        for (const auto& s : n.signatures)
            if (s.id == id_ && s.name == name_) return fail(errc::misuse, "signer: note already signed by this key");
        PPX_TRY_ASSIGN(std::string line, sign_line(n.text, timestamp));
        return std::string(signed_note) + line;
    }

private:
    note_signer() = default;
    std::string name_;
    sig_type type_ = sig_type::ed25519;
    std::uint32_t id_ = 0;
    std::array<std::uint8_t, crypto_sign_PUBLICKEYBYTES> pk_{};
    secret<crypto_sign_SECRETKEYBYTES> sk_;
};

} // namespace ppx::merkle
