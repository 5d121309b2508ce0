// ppx/session/common.hpp: what the Private Processing client, gateway and VM share: the
// labels and media types of docs/PROTOCOL.md, the two stapled-proof documents (the gateway
// directory and a VM's attestation bundle), transmits, events and the error mapping.
//
// Nothing here does I/O. Every wire structure is written with ppx::writer and read with
// ppx::reader; every size bound is a named constant.
#pragma once
#include <ppx/bhttp.hpp>
#include <ppx/merkle.hpp>
#include <ppx/ohttp.hpp>
#include <ppx/privacypass.hpp>
#include <ppx/ratls.hpp>

#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ppx::session {

// ---------------------------------------------------------------- names (docs/PROTOCOL.md §2)

/// The HPKE labels and media types of the end-to-end layer (client to VM). They are the chunked
/// OHTTP construction (draft-ietf-ohai-chunked-ohttp-08 §6) with labels of its own, so a VM
/// ciphertext can never be opened as a gateway request nor the reverse (RFC 9458 §4.6).
/// Made once: every request reads them (an ohttp::labels holds four strings).
inline const ohttp::labels& vm_labels() {
    static const ohttp::labels l{"ppx-pp vm chunked request", "ppx-pp vm chunked response", "application/ppx-pp-vm-req",
                                 "application/ppx-pp-vm-res"};
    return l;
}
/// ohttp::labels::chunked_bhttp() (the outer layer, client to gateway), made once.
inline const ohttp::labels& gateway_labels() {
    static const ohttp::labels l = ohttp::labels::chunked_bhttp();
    return l;
}
/// Media type of the gateway directory (keys, challenge, stapled log proofs).
inline constexpr std::string_view directory_media_type = "application/ppx-pp-directory";
/// Media type of a VM attestation bundle (RA-TLS certificate and stapled measurement proof).
inline constexpr std::string_view attestation_media_type = "application/ppx-pp-attestation";
/// Paths of the inner (BHTTP) requests the gateway answers, and of its public directory.
inline constexpr std::string_view directory_path = "/ppx-pp/directory";
inline constexpr std::string_view attestation_path = "/ppx-pp/attestation";
inline constexpr std::string_view process_path = "/ppx-pp/process";
/// Inner request field naming the VM the client attested: lowercase hex of SHA-256 of the
/// VM's HPKE key config (the bytes of the RA-TLS "ppx-hpke-public-key" claim).
inline constexpr std::string_view vm_field = "ppx-vm";
/// Inner field of the attestation lookup carrying the client's freshness nonce (lowercase
/// hex of attestation_nonce_size random bytes); the VM binds it in its RA-TLS claims.
inline constexpr std::string_view nonce_field = "ppx-nonce";
inline constexpr std::size_t attestation_nonce_size = 32;
/// Inner response field carrying the coarse reason of a refusal (an errc name).
inline constexpr std::string_view error_field = "ppx-error";
/// The platform token of measurement entries (merkle/entry.hpp).
inline constexpr std::string_view snp_platform = "amd-sev-snp";

/// Bounds of the stapled documents (bytes).
inline constexpr std::size_t max_checkpoint_size = 64 * 1024;
inline constexpr std::size_t max_certificate_size = ratls::max_certificate_size;
inline constexpr std::size_t max_proof_hashes = 64;
/// Largest prompt a client seals and a VM accepts (plaintext bytes).
inline constexpr std::size_t max_prompt_size = 1 << 20;

/// The id of a VM: SHA-256 of its HPKE key config encoding, as lowercase hex.
inline std::string vm_id_of(bytes_view vm_key_config) {
    const auto d = crypto::digest<crypto::sha256>(vm_key_config);
    return to_hex(bytes_view(d.data(), d.size()));
}

// ---------------------------------------------------------------- stapled proofs

/// An inclusion proof of one log entry, stapled next to the thing it vouches for.
struct stapled_proof {
    std::uint64_t index = 0;
    std::vector<merkle::hash_t> path;
};

namespace detail {
inline void write_proof(writer& w, const stapled_proof& p) {
    w.u64(p.index);
    bytes flat(p.path.size() * merkle::hash_size);
    (void)merkle::proof_to_bytes(p.path, flat);
    w.vec16(flat);
}
inline result<stapled_proof> read_proof(reader& r) {
    stapled_proof p;
    PPX_TRY_ASSIGN(p.index, r.u64());
    PPX_TRY_ASSIGN(auto flat, r.vec16());
    if (flat.size() > max_proof_hashes * merkle::hash_size) return fail(errc::limit_exceeded, "session: proof too long");
    PPX_TRY_ASSIGN(p.path, merkle::proof_from_bytes(flat));
    return p;
}
inline result<std::string> read_string(reader& r, std::size_t max, bool vec16) {
    auto v = vec16 ? r.vec16() : r.vec8();
    if (!v) return unexpected(v.error());
    if (v->empty() || v->size() > max) return fail(errc::malformed, "session: bad string length");
    return std::string(as_chars(*v));
}
inline result<bytes_view> read_vec24(reader& r, std::size_t max) {
    PPX_TRY_ASSIGN(auto v, r.prefixed<3>());
    if (v.empty() || v.size() > max) return fail(errc::malformed, "session: bad vector length");
    return v;
}
} // namespace detail

/// The gateway directory (docs/PROTOCOL.md §3.1), the same bytes for every client:
///   opaque gateway_name<1..2^8-1>; opaque key_config<1..2^16-1>;
///   opaque issuer_name<1..2^8-1>;  opaque token_key<1..2^16-1>;
///   opaque token_challenge<1..2^16-1>; opaque checkpoint<1..2^24-1>;
///   StapledProof gateway_key; StapledProof issuer_key;
/// with StapledProof = { uint64 index; opaque path<0..2^16-1>; } (concatenated 32-byte hashes).
struct directory {
    std::string gateway_name;
    bytes key_config;        ///< one RFC 9458 §3.1 key config (the gateway's current key)
    std::string issuer_name;
    bytes token_key;         ///< the issuer's RFC 9578 §6.5 token key (type 2 SPKI)
    bytes token_challenge;   ///< the RFC 9577 §2.1 TokenChallenge the gateway redeems against
    std::string checkpoint;  ///< a C2SP signed checkpoint, cosigned by witnesses
    stapled_proof gateway_key;
    stapled_proof issuer_key;

    /// Serialises; errc::misuse when a field is empty or too long for its prefix.
    result<bytes> encode() const {
        if (gateway_name.empty() || issuer_name.empty() || key_config.empty() || token_key.empty() ||
            token_challenge.empty() || checkpoint.empty() || checkpoint.size() > max_checkpoint_size)
            return fail(errc::misuse, "session: incomplete directory");
        writer w;
        w.vec8(as_bytes(gateway_name));
        w.vec16(key_config);
        w.vec8(as_bytes(issuer_name));
        w.vec16(token_key);
        w.vec16(token_challenge);
        w.prefixed<3>(as_bytes(checkpoint));
        detail::write_proof(w, gateway_key);
        detail::write_proof(w, issuer_key);
        return std::move(w).finish();
    }
    /// Parses exactly one directory: errc::malformed on truncation, empty fields or trailing
    /// bytes, errc::limit_exceeded past the bounds above.
    static result<directory> decode(bytes_view in) {
        reader r(in);
        directory d;
        PPX_TRY_ASSIGN(d.gateway_name, detail::read_string(r, 255, false));
        PPX_TRY_ASSIGN(auto kc, r.vec16());
        PPX_TRY_ASSIGN(d.issuer_name, detail::read_string(r, 255, false));
        PPX_TRY_ASSIGN(auto tk, r.vec16());
        PPX_TRY_ASSIGN(auto ch, r.vec16());
        PPX_TRY_ASSIGN(auto cp, detail::read_vec24(r, max_checkpoint_size));
        PPX_TRY_ASSIGN(d.gateway_key, detail::read_proof(r));
        PPX_TRY_ASSIGN(d.issuer_key, detail::read_proof(r));
        PPX_TRY(r.expect_end());
        if (kc.empty() || tk.empty() || ch.empty()) return fail(errc::malformed, "session: empty directory field");
        d.key_config = to_bytes(kc);
        d.token_key = to_bytes(tk);
        d.token_challenge = to_bytes(ch);
        d.checkpoint = std::string(as_chars(cp));
        return d;
    }
};

/// A VM's attestation bundle (docs/PROTOCOL.md §3.2):
///   opaque certificate<1..2^24-1>;  (RA-TLS, DER, with SEV-SNP evidence and endorsements)
///   opaque checkpoint<1..2^24-1>;   StapledProof measurement;
struct attestation_bundle {
    bytes certificate;
    std::string checkpoint;
    stapled_proof measurement;

    /// Serialises; errc::misuse when a field is empty or too long.
    result<bytes> encode() const {
        if (certificate.empty() || certificate.size() > max_certificate_size || checkpoint.empty() ||
            checkpoint.size() > max_checkpoint_size)
            return fail(errc::misuse, "session: incomplete attestation bundle");
        writer w;
        w.prefixed<3>(certificate);
        w.prefixed<3>(as_bytes(checkpoint));
        detail::write_proof(w, measurement);
        return std::move(w).finish();
    }
    /// Parses exactly one bundle; errors as directory::decode.
    static result<attestation_bundle> decode(bytes_view in) {
        reader r(in);
        attestation_bundle b;
        PPX_TRY_ASSIGN(auto cert, detail::read_vec24(r, max_certificate_size));
        PPX_TRY_ASSIGN(auto cp, detail::read_vec24(r, max_checkpoint_size));
        PPX_TRY_ASSIGN(b.measurement, detail::read_proof(r));
        PPX_TRY(r.expect_end());
        b.certificate = to_bytes(cert);
        b.checkpoint = std::string(as_chars(cp));
        return b;
    }
};

// ---------------------------------------------------------------- chunk sealing

/// Seals one chunk of a chunked OHTTP response (draft-ietf-ohai-chunked-ohttp-08 §6.2; AAD
/// "final" for the last) into a buffer of exactly its size: what the gateway relays and what
/// the VM answers. Errors as ohttp::chunked_response_sender::seal.
inline result<bytes> seal_chunk(ohttp::chunked_response_sender& tx, bytes_view plain, bool final) {
    bytes c(tx.chunk_size(plain.size(), final));
    PPX_TRY(tx.seal(plain, final, c));
    return c;
}

/// A whole message sealed as a chunked OHTTP request, and the receiver of its response.
struct sealed_request {
    bytes body;  ///< hdr || enc || one final chunk (draft-08 §4, §6.1)
    ohttp::chunked_response_receiver rx;
};

/// Seals `msg` for `c` as a chunked request of one final chunk, with a fresh HPKE context
/// (SetupBaseS, an ephemeral key from `r`), written into one buffer of exactly its size: the
/// client's attestation lookup, its end-to-end request to the VM and the gateway request
/// around it. Errors as ohttp::chunked_request_sender::start and seal.
inline result<sealed_request> seal_request(const ohttp::client& c, bytes_view msg, rng& r) {
    PPX_TRY_ASSIGN(auto snd, ohttp::chunked_request_sender::start(c, r));
    const bytes_view h = snd.header();
    bytes body(h.size() + snd.chunk_size(msg.size(), true));
    std::copy(h.begin(), h.end(), body.begin());
    PPX_TRY(snd.seal(msg, true, mutable_bytes(body).subspan(h.size())));
    PPX_TRY_ASSIGN(auto rx, snd.response_receiver());
    return sealed_request{std::move(body), std::move(rx)};
}

// ---------------------------------------------------------------- refusals

/// The inner HTTP status a gateway answers for a refusal of kind `e` (docs/PROTOCOL.md §5):
/// 401 for a token that does not verify or bind, 409 for a replayed token, 404 for an unknown
/// VM, 502 when the VM is unreachable or failed, 400 for anything else.
constexpr std::uint16_t refusal_status(errc e) noexcept {
    switch (e) {
    case errc::crypto_failure:
    case errc::key_mismatch:
    case errc::unsupported:
    case errc::policy: return 401;
    case errc::replayed: return 409;
    case errc::internal: return 502;
    default: return 400;
    }
}

/// Parses an errc name written by to_string(errc); errc::internal for anything else.
inline errc errc_from_name(std::string_view s) noexcept {
    for (int i = 1; i <= static_cast<int>(errc::internal); ++i)
        if (to_string(static_cast<errc>(i)) == s) return static_cast<errc>(i);
    return errc::internal;
}

/// The first-in first-out queue of a machine's outputs and events: one vector reused for the
/// whole exchange (a std::deque allocates a map and a 512-byte node for its first element).
/// Taken elements are moved from and dropped once the queue drains, or when they are most of it.
template <class T>
class fifo {
public:
    void push_back(T v) {
        if (q_.capacity() == 0) q_.reserve(16);
        q_.push_back(std::move(v));
    }
    std::optional<T> pop() {
        if (head_ == q_.size()) return std::nullopt;
        std::optional<T> v(std::move(q_[head_++]));
        if (head_ == q_.size()) clear();
        else if (head_ >= 64 && 2 * head_ >= q_.size()) {
            q_.erase(q_.begin(), q_.begin() + static_cast<std::ptrdiff_t>(head_));
            head_ = 0;
        }
        return v;
    }
    bool empty() const noexcept { return head_ == q_.size(); }
    std::size_t size() const noexcept { return q_.size() - head_; }
    void clear() noexcept {
        q_.clear();
        head_ = 0;
    }

private:
    std::vector<T> q_;
    std::size_t head_ = 0;
};

/// A machine's output queue of messages; empty messages are not queued.
struct outbox {
    fifo<bytes> q;
    void push(bytes b) {
        if (!b.empty()) q.push_back(std::move(b));
    }
    std::optional<bytes> pop() { return q.pop(); }
    void clear() noexcept { q.clear(); }
};

} // namespace ppx::session
