// ppx/privacypass/issuer.hpp: an RFC 9578 issuer serving several token types at once.
//
// Dispatches TokenRequests on their token_type (RFC 9578 §5.2, §6.2), Generic batches
// (batched-tokens-07 §6.2) and amortized batches (-07 §5.2), verifies privately verifiable
// tokens, and builds the issuer directory document (RFC 9578 §4). Sans-IO: bytes in, bytes out;
// the HTTP status each failure maps to is given by http_status().
#pragma once

#include <ppx/privacypass/acs_tokens.hpp>
#include <ppx/privacypass/blind_rsa_tokens.hpp>
#include <ppx/privacypass/generic_batch.hpp>
#include <ppx/privacypass/voprf_tokens.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace ppx::privacypass {

/// Media types (RFC 9578 §8.3, batched-tokens-07 §8.2).
inline constexpr std::string_view media_type_directory = "application/private-token-issuer-directory";
inline constexpr std::string_view media_type_request = "application/private-token-request";
inline constexpr std::string_view media_type_response = "application/private-token-response";
inline constexpr std::string_view media_type_amortized_request = "application/private-token-amortized-batch-request";
inline constexpr std::string_view media_type_amortized_response = "application/private-token-amortized-batch-response";
inline constexpr std::string_view media_type_generic_request = "application/private-token-generic-batch-request";
inline constexpr std::string_view media_type_generic_response = "application/private-token-generic-batch-response";
/// The well-known path of the directory (RFC 9578 §4, §8.1).
inline constexpr std::string_view directory_path = "/.well-known/private-token-issuer-directory";

/// The HTTP status an issuer returns for a failed request: 422 for every rejected request
/// (RFC 9578 §5.2, §6.2: unsupported type, unknown key id, wrong size, bad element), 500 for
/// internal failures.
constexpr int http_status(errc e) noexcept { return e == errc::internal ? 500 : 422; }

/// Largest TokenResponse of a single (non-batched) request of any type ppx issues.
inline constexpr std::size_t max_token_response_size = 256;

/// Result of a generic batch: the response body and how many requests were answered
/// (-07 §6.2: 200 if all, 206 if some, 400 if none).
struct generic_batch_result {
    bytes body;
    std::size_t issued = 0;
    std::size_t requested = 0;
    int status() const noexcept { return issued == requested ? 200 : issued == 0 ? 400 : 206; }
};

namespace detail {
inline void json_string(std::string& out, std::string_view s) {
    out += '"';
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20) {
            static constexpr char hex[] = "0123456789abcdef";
            out += "\\u00";
            out += hex[u >> 4];
            out += hex[u & 15];
        } else {
            out += c;
        }
    }
    out += '"';
}
} // namespace detail

/// An issuer for types 0x0001, 0x0002, 0x0005 and 0xFF01 (each optional: add keys to the
/// members for the types to serve). Not synchronised: configure, then share read-only.
class issuer {
public:
    voprf_issuer<token_type_1> type1;
    blind_rsa_issuer type2;
    voprf_issuer<token_type_5> type5;
    std::optional<acs_issuer> acs;

    /// Answers one TokenRequest of any configured type, writing the TokenResponse to `out`
    /// (max_token_response_size bytes suffice) and returning its length. errc::unsupported for
    /// an unknown or unconfigured type; otherwise the errors of the type's issuer.
    result<std::size_t> handle_request(bytes_view request, rng& r, mutable_bytes out) const {
        reader rd(request);
        PPX_TRY_ASSIGN(auto type, rd.u16());
        switch (type) {
        case token_type_1::type:
            if (type1.keys().empty()) break;
            return fixed<token_type_1::response_size>(out, [&](auto o) { return type1.evaluate(request, r, o); });
        case token_type_2::type:
            if (type2.keys().empty()) break;
            return fixed<token_type_2::response_size>(out, [&](auto o) { return type2.sign(request, o); });
        case token_type_5::type:
            if (type5.keys().empty()) break;
            return fixed<token_type_5::response_size>(out, [&](auto o) { return type5.evaluate(request, r, o); });
        case token_type_acs::type:
            if (!acs) break;
            return fixed<token_type_acs::response_size>(out, [&](auto o) { return acs->evaluate(request, r, o); });
        default: break;
        }
        return fail(errc::unsupported, "privacypass: unsupported token type");  // RFC 9578 §5.2
    }

    /// Answers an AmortizedBatchTokenRequest (-07 §5.2) for type 0x0001 or 0x0005.
    result<bytes> handle_amortized(bytes_view request, rng& r, std::size_t max_batch = default_max_batch) const {
        reader rd(request);
        PPX_TRY_ASSIGN(auto type, rd.u16());
        PPX_TRY(rd.u8());
        PPX_TRY_ASSIGN(auto v, detail::read_v_vector(rd));
        if (type == token_type_1::type) return amortized(type1, request, v.size() / token_type_1::ne, r, max_batch);
        if (type == token_type_5::type) return amortized(type5, request, v.size() / token_type_5::ne, r, max_batch);
        return fail(errc::unsupported, "privacypass: amortized batches need a VOPRF token type");  // -07 §5.2
    }

    /// Answers a GenericBatchTokenRequest (-07 §6.2): each request is answered or, when its own
    /// issuer refuses it, left absent. Fails (HTTP 422) only when the batch does not parse.
    result<generic_batch_result> handle_generic(bytes_view request, rng& r) const {
        PPX_TRY_ASSIGN(auto requests, parse_generic_batch_request(request));
        generic_batch_result res;
        res.requested = requests.size();
        bytes body;
        ppx::writer w;
        std::array<std::uint8_t, max_token_response_size> buf;
        for (auto req : requests) {
            const std::uint16_t type = static_cast<std::uint16_t>(req[0] << 8 | req[1]);
            auto n = handle_request(req, r, buf);
            if (!n) {
                write_optional_response(w, std::nullopt, {});
                continue;
            }
            write_optional_response(w, type, bytes_view(buf).first(*n));
            ++res.issued;
        }
        const auto& inner = w.data();
        ppx::writer out(detail::v_vector_size(inner.size()));
        out.varint(inner.size());
        out.bytes(inner);
        PPX_TRY_ASSIGN(res.body, std::move(out).finish());
        return res;
    }

    /// Verifies a privately verifiable token (types 0x0001, 0x0005, 0xFF01) or a type-2 token
    /// against this issuer's keys. Errors as the type's verify().
    result<void> verify(const token& t) const {
        switch (t.token_type) {
        case token_type_1::type: return type1.verify(t);
        case token_type_2::type: return type2.verify(t);
        case token_type_5::type: return type5.verify(t);
        case token_type_acs::type:
            if (!acs) break;
            PPX_TRY(acs->verify(t));
            return ok();
        default: break;
        }
        return fail(errc::unsupported, "privacypass: unsupported token type");
    }

    /// The issuer directory (RFC 9578 §4): {"issuer-request-uri": ..., "token-keys": [...]},
    /// each key as {"token-type": N, "token-key": base64url with padding}, in preference order
    /// (first added key of each type first; types in the order 2, 1, 5, 0xFF01).
    std::string directory_json(std::string_view request_uri) const {
        std::string s = "{\"issuer-request-uri\":";
        detail::json_string(s, request_uri);
        s += ",\"token-keys\":[";
        bool first = true;
        auto add = [&](std::uint16_t type, bytes_view key) {
            if (!first) s += ',';
            first = false;
            s += "{\"token-type\":" + std::to_string(type) + ",\"token-key\":";
            detail::json_string(s, to_base64url(key, true));
            s += '}';
        };
        for (const auto& k : type2.keys()) add(token_type_2::type, k.pub.token_key);
        for (const auto& k : type1.keys()) add(token_type_1::type, k.token_key);
        for (const auto& k : type5.keys()) add(token_type_5::type, k.token_key);
        if (acs) add(token_type_acs::type, acs->token_key());
        s += "]}";
        return s;
    }

private:
    template <std::size_t N, class F>
    static result<std::size_t> fixed(mutable_bytes out, F&& f) {
        if (out.size() < N) return fail(errc::buffer_too_small, "privacypass: response buffer too small");
        PPX_TRY(f(std::span<std::uint8_t, N>(out.data(), N)));
        return N;
    }

    template <class T>
    static result<bytes> amortized(const voprf_issuer<T>& is, bytes_view request, std::size_t n, rng& r, std::size_t max_batch) {
        bytes out(T::batch_response_size(n));
        PPX_TRY_ASSIGN(auto len, is.evaluate_batch(request, r, out, max_batch));
        out.resize(len);
        return out;
    }
};

} // namespace ppx::privacypass
