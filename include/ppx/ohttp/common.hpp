// ppx/ohttp/common.hpp: what the OHTTP client, gateway and chunked variants share: labels
// and media types, the request header, the response key derivation (RFC 9458 §4.4), and
// the mapping of failures to HTTP statuses and problem types (RFC 9458 §5.2, §5.3).
#pragma once

#include <ppx/core/ct.hpp>
#include <ppx/crypto/hmac.hpp>
#include <ppx/hpke/setup.hpp>
#include <ppx/ohttp/key_config.hpp>

#include <algorithm>
#include <array>
#include <string>
#include <string_view>

namespace ppx::ohttp {

/// The strings that bind an encapsulation to its content type (RFC 9458 §4.6): the HPKE
/// info label of requests, the exporter context of responses, and the HTTP media types
/// that carry them. Custom media types reuse the same code with their own labels.
struct labels {
    std::string request_label;
    std::string response_label;
    std::string request_media_type;
    std::string response_media_type;

    /// RFC 9458 §4.3, §4.4, §9.2, §9.3: Binary HTTP in message/ohttp-req and -res.
    static labels bhttp() {
        return {"message/bhttp request", "message/bhttp response", "message/ohttp-req", "message/ohttp-res"};
    }
    /// draft-ietf-ohai-chunked-ohttp-08 §6.1, §6.2, §9.
    static labels chunked_bhttp() {
        return {"message/bhttp chunked request", "message/bhttp chunked response", "message/ohttp-chunked-req",
                "message/ohttp-chunked-res"};
    }
};

/// The problem type a gateway MAY send for a wrong or outdated key config (RFC 9458 §5.3).
inline constexpr std::string_view key_problem_type = "https://iana.org/assignments/http-problem-types#ohttp-key";
/// The problem type for a refused Date (RFC 9458 §6.5.2; see replay.hpp).
inline constexpr std::string_view date_problem_type = "https://iana.org/assignments/http-problem-types#date";
/// The application/ohttp-keys media type (RFC 9458 §3.2).
inline constexpr std::string_view keys_media_type = "application/ohttp-keys";

/// Bytes of the request header: key_id (1) + kem_id, kdf_id, aead_id (2 each) (RFC 9458 §4.1).
inline constexpr std::size_t header_size = 7;
/// The largest response nonce: max(Nn, Nk) over every AEAD (32, for AES-256 and ChaCha20).
inline constexpr std::size_t max_response_nonce_size = 32;

/// The parsed request header (RFC 9458 §4.1).
struct request_header {
    std::uint8_t key_id = 0;
    hpke::suite_ids ids{};

    void write(std::span<std::uint8_t, header_size> out) const noexcept {
        out[0] = key_id;
        const std::uint16_t v[3] = {static_cast<std::uint16_t>(ids.kem), static_cast<std::uint16_t>(ids.kdf),
                                    static_cast<std::uint16_t>(ids.aead)};
        for (int i = 0; i < 3; ++i) {
            out[1 + 2 * i] = static_cast<std::uint8_t>(v[i] >> 8);
            out[2 + 2 * i] = static_cast<std::uint8_t>(v[i]);
        }
    }
    static result<request_header> parse(bytes_view in) noexcept {
        if (in.size() < header_size) return fail(errc::malformed, "ohttp: truncated request header");
        request_header h;
        h.key_id = in[0];
        h.ids.kem = static_cast<hpke::kem_id>(in[1] << 8 | in[2]);
        h.ids.kdf = static_cast<hpke::kdf_id>(in[3] << 8 | in[4]);
        h.ids.aead = static_cast<hpke::aead_id>(in[5] << 8 | in[6]);
        return h;
    }
};

/// HPKE info for a request (RFC 9458 §4.3 step 2): label || 0x00 || hdr.
inline bytes request_info(std::string_view label, const request_header& h) {
    bytes info(label.size() + 1 + header_size);
    std::copy(label.begin(), label.end(), info.begin());
    info[label.size()] = 0;
    h.write(std::span<std::uint8_t, header_size>(info.data() + label.size() + 1, header_size));
    return info;
}

/// max(Nn, Nk) for a suite (RFC 9458 §4.4): the length of the exported secret and of the
/// response nonce.
inline std::size_t response_nonce_size(const hpke::suite& s) noexcept { return std::max(s.aead().n_n, s.aead().n_k); }

/// The response secret of RFC 9458 §4.4 step 1: context.Export(label, max(Nn, Nk)) into
/// `out` (exactly max(Nn, Nk) bytes, else errc::misuse).
inline result<void> export_response_secret(const hpke::context& ctx, std::string_view label, mutable_bytes out) noexcept {
    if (out.size() != response_nonce_size(ctx.suite())) return fail(errc::misuse, "ohttp: response secret must be max(Nn, Nk) bytes");
    return ctx.export_secret(as_bytes(label), out);
}

/// The AEAD key and nonce of a response (RFC 9458 §4.4), wiped on destruction.
class response_keys {
public:
    response_keys() = default;
    response_keys(const response_keys&) = delete;
    response_keys& operator=(const response_keys&) = delete;
    response_keys(response_keys&& o) noexcept : key_(o.key_), nonce_(o.nonce_), nk_(o.nk_), nn_(o.nn_) { o.clear(); }
    response_keys& operator=(response_keys&& o) noexcept {
        if (this != &o) {
            key_ = o.key_;
            nonce_ = o.nonce_;
            nk_ = o.nk_;
            nn_ = o.nn_;
            o.clear();
        }
        return *this;
    }
    ~response_keys() { clear(); }

    /// Derives them (RFC 9458 §4.4) from the secret exported by the request's HPKE
    /// context (export_response_secret()):
    ///   salt = enc || response_nonce; prk = Extract(salt, secret)
    ///   key = Expand(prk, "key", Nk); nonce = Expand(prk, "nonce", Nn)
    /// Fails with errc::misuse when `secret` or `response_nonce` is not max(Nn, Nk) bytes or
    /// the AEAD is export-only, errc::unsupported for a one-stage KDF (no Extract/Expand).
    static result<response_keys> derive(const hpke::suite& s, bytes_view secret, bytes_view enc,
                                        bytes_view response_nonce) noexcept {
        const std::size_t nk = s.aead().n_k, nn = s.aead().n_n, len = std::max(nn, nk);
        if (s.aead().seal == nullptr) return fail(errc::misuse, "ohttp: export-only AEAD cannot carry a response");
        if (s.kdf().one_stage) return fail(errc::unsupported, "ohttp: one-stage KDFs have no RFC 9458 response keys");
        if (response_nonce.size() != len || secret.size() != len)
            return fail(errc::misuse, "ohttp: response nonce and secret must be max(Nn, Nk) bytes");
        response_keys k;
        k.nk_ = nk;
        k.nn_ = nn;
        // RFC 9458 §4.4 uses the plain Extract and Expand of the suite's KDF (not the labeled
        // ones); the PRK's HMAC pads are absorbed once for both expansions.
        PPX_TRY(s.kdf().extract_expand2({enc, response_nonce}, secret, as_bytes("key"), mutable_bytes(k.key_.data(), nk),
                                        as_bytes("nonce"), mutable_bytes(k.nonce_.data(), nn)));
        return k;
    }

    bytes_view key() const noexcept { return bytes_view(key_.data(), nk_); }
    bytes_view nonce() const noexcept { return bytes_view(nonce_.data(), nn_); }
    /// nonce XOR encode(Nn, counter), for chunked responses (draft-ietf-ohai-chunked-ohttp-08 §6.2).
    void chunk_nonce(std::uint64_t counter, mutable_bytes out) const noexcept {
        std::copy(nonce_.begin(), nonce_.begin() + static_cast<std::ptrdiff_t>(nn_), out.begin());
        for (std::size_t i = 0; i < 8 && i < nn_; ++i) out[nn_ - 1 - i] ^= static_cast<std::uint8_t>(counter >> (8 * i));
    }

private:
    void clear() noexcept {
        wipe(key_);
        wipe(nonce_);
    }

    std::array<std::uint8_t, hpke::max_key_size> key_{};
    std::array<std::uint8_t, hpke::nonce_size> nonce_{};
    std::size_t nk_ = 0;
    std::size_t nn_ = 0;
};

/// How a gateway answers a failure it cannot encapsulate (RFC 9458 §5.2: a 4xx status sent
/// without protection; §5.3: the ohttp-key problem type for key configuration problems).
struct http_error {
    int status = 400;
    std::string_view problem_type;  ///< empty unless RFC 9458 §5.3 applies
    std::string_view title;

    /// An application/problem+json body (RFC 9457) when problem_type is set, else empty.
    std::string problem_json() const {
        if (problem_type.empty()) return {};
        return std::string("{\"type\":\"") + std::string(problem_type) + "\",\"title\":\"" + std::string(title) + "\"}";
    }
};

/// Maps a decapsulation failure to its response. key_mismatch (unknown key_id, KEM not
/// matching the key) and unsupported (suite not offered) are key configuration problems:
/// `key_status` (400 as in RFC 9458 §5.3 Figure 7; §6.4 also allows 422) with the ohttp-key
/// problem type (§5.3). policy (a Date outside replay_window's window) is 400 with the date
/// problem type (§6.5.2). Everything else about the request is 400 (§5.2: any invalid
/// message gets a 4xx), including replayed; limit_exceeded is 413; internal is 500.
inline http_error to_http_error(const error& e, int key_status = 400) noexcept {
    switch (e.code) {
    case errc::key_mismatch: return {key_status, key_problem_type, "key identifier unknown"};
    case errc::unsupported: return {key_status, key_problem_type, "unsupported key configuration"};
    case errc::policy: return {400, date_problem_type, "date field in request outside of acceptable range"};
    case errc::replayed: return {400, {}, "replayed request"};
    case errc::limit_exceeded: return {413, {}, "request too large"};
    case errc::internal: return {500, {}, "internal error"};
    default: return {400, {}, "bad request"};
    }
}

} // namespace ppx::ohttp

namespace ppx::ohttp::detail {

/// What one exchange keeps for its response: the suite, the exported secret and enc. The
/// HPKE context itself is dropped once the secret is exported. Wiped on destruction.
class response_state {
public:
    response_state(const hpke::suite& s) noexcept : suite_(s) {}
    response_state(const response_state&) = delete;
    response_state& operator=(const response_state&) = delete;
    response_state(response_state&& o) noexcept : suite_(o.suite_) { take(o); }
    response_state& operator=(response_state&& o) noexcept {
        if (this != &o) {
            suite_ = o.suite_;
            take(o);
        }
        return *this;
    }
    ~response_state() { wipe(secret_); }

    /// Exports the secret from `ctx` and records enc.
    result<void> init(const hpke::context& ctx, std::string_view label, bytes_view enc) noexcept {
        if (enc.size() > enc_.size()) return fail(errc::internal, "ohttp: enc larger than any KEM's");
        secret_len_ = response_nonce_size(suite_);
        PPX_TRY(export_response_secret(ctx, label, mutable_bytes(secret_.data(), secret_len_)));
        std::copy(enc.begin(), enc.end(), enc_.begin());
        enc_len_ = enc.size();
        live_ = true;
        return ok();
    }
    /// Response keys for a response nonce (RFC 9458 §4.4).
    result<response_keys> keys(bytes_view response_nonce) const noexcept {
        if (!live_) return fail(errc::misuse, "ohttp: context already used");
        return response_keys::derive(suite_, bytes_view(secret_.data(), secret_len_), enc(), response_nonce);
    }
    /// Forgets the secret: a context answers or opens exactly one response.
    void consume() noexcept {
        wipe(secret_);
        live_ = false;
    }
    bool live() const noexcept { return live_; }
    const hpke::suite& suite() const noexcept { return suite_; }
    bytes_view enc() const noexcept { return bytes_view(enc_.data(), enc_len_); }
    std::size_t nonce_size() const noexcept { return response_nonce_size(suite_); }

private:
    void take(response_state& o) noexcept {
        secret_ = o.secret_;
        secret_len_ = o.secret_len_;
        enc_len_ = o.enc_len_;
        std::copy(o.enc_.begin(), o.enc_.begin() + static_cast<std::ptrdiff_t>(o.enc_len_), enc_.begin());
        live_ = o.live_;
        o.consume();
    }

    hpke::suite suite_;
    std::array<std::uint8_t, max_response_nonce_size> secret_{};
    std::size_t secret_len_ = 0;
    std::array<std::uint8_t, hpke::max_enc_size> enc_;
    std::size_t enc_len_ = 0;
    bool live_ = false;
};

} // namespace ppx::ohttp::detail
