// ppx/privacypass/generic_batch.hpp: Generic Token Batch Issuance
// (draft-ietf-privacypass-batched-tokens-07 §6).
//
//   GenericBatchTokenRequest  = generic_token_requests<V>      (concatenated TokenRequests,
//                                                              each starting with its token_type)
//   GenericBatchTokenResponse = optional_token_responses<V>    (each: present(1) [|| token_type(2)
//                                                              || TokenResponse])
// The size of each TokenRequest / TokenResponse follows from its token type, so only types ppx
// knows can be split; an unknown type fails the whole message (§6.2: HTTP 422).
#pragma once

#include <ppx/privacypass/token_type.hpp>
#include <ppx/privacypass/wire.hpp>

#include <optional>
#include <vector>

namespace ppx::privacypass {

/// Largest number of requests ppx accepts in one generic batch.
inline constexpr std::size_t max_generic_batch = 1024;

/// TokenRequest size of a known type (RFC 9578 §5.1, §6.1; -07 §7.1), 0 if unknown.
constexpr std::size_t token_request_size(std::uint16_t type) noexcept {
    switch (type) {
    case 0x0001: return 3 + 49;
    case 0x0002: return 3 + 256;
    case 0x0005: return 3 + 32;
    default: return 0;
    }
}

/// TokenResponse size of a known type (RFC 9578 §5.2, §6.2; -07 §7.1), 0 if unknown.
constexpr std::size_t token_response_size(std::uint16_t type) noexcept {
    switch (type) {
    case 0x0001: return 49 + 96;
    case 0x0002: return 256;
    case 0x0005: return 32 + 64;
    default: return 0;
    }
}

/// Concatenates TokenRequests into a GenericBatchTokenRequest (-07 §6.1). errc::misuse for an
/// empty list or more than max_generic_batch requests.
inline result<bytes> encode_generic_batch_request(std::span<const bytes> requests) {
    if (requests.empty() || requests.size() > max_generic_batch) return fail(errc::misuse, "privacypass: bad generic batch size");
    bytes body;
    for (const auto& r : requests) append(body, r);
    ppx::writer w(detail::v_vector_size(body.size()));
    w.varint(body.size());
    w.bytes(body);
    return std::move(w).finish();
}

/// Splits a GenericBatchTokenRequest into its TokenRequests (views into `in`). Fails with
/// errc::malformed on truncation, a non-minimal length or trailing bytes, errc::unsupported for
/// a token type ppx does not know (-07 §6.2), errc::limit_exceeded beyond max_generic_batch.
inline result<std::vector<bytes_view>> parse_generic_batch_request(bytes_view in) {
    reader r(in);
    PPX_TRY_ASSIGN(auto body, detail::read_v_vector(r));
    PPX_TRY(r.expect_end());
    std::vector<bytes_view> out;
    reader b(body);
    while (!b.empty()) {
        if (out.size() >= max_generic_batch) return fail(errc::limit_exceeded, "privacypass: generic batch too large");
        reader probe = b;
        PPX_TRY_ASSIGN(auto type, probe.u16());
        const std::size_t n = token_request_size(type);
        if (n == 0) return fail(errc::unsupported, "privacypass: unknown token type in generic batch");  // -07 §6.2
        PPX_TRY_ASSIGN(auto req, b.bytes(n));
        out.push_back(req);
    }
    if (out.empty()) return fail(errc::malformed, "privacypass: empty generic batch");
    return out;
}

/// One entry of a GenericBatchTokenResponse: absent (the issuer refused that request) or a
/// TokenResponse of `token_type`.
struct generic_response {
    std::uint16_t token_type = 0;
    bytes_view response;  ///< a view into the parsed message
};

/// Appends one OptionalTokenResponse (-07 §3.1 optional<T>) to `w`.
inline void write_optional_response(ppx::writer& w, std::optional<std::uint16_t> type, bytes_view response) {
    if (!type) {
        w.u8(0);
        return;
    }
    w.u8(1);
    w.u16(*type);
    w.bytes(response);
}

/// Parses a GenericBatchTokenResponse. errc::malformed on truncation, a presence octet other
/// than 0 or 1 (-07 §3.1), a non-minimal length or trailing bytes; errc::unsupported for an
/// unknown token type.
inline result<std::vector<std::optional<generic_response>>> parse_generic_batch_response(bytes_view in) {
    reader r(in);
    PPX_TRY_ASSIGN(auto body, detail::read_v_vector(r));
    PPX_TRY(r.expect_end());
    std::vector<std::optional<generic_response>> out;
    reader b(body);
    while (!b.empty()) {
        if (out.size() >= max_generic_batch) return fail(errc::limit_exceeded, "privacypass: generic batch too large");
        PPX_TRY_ASSIGN(auto present, b.u8());
        if (present == 0) {
            out.emplace_back(std::nullopt);
            continue;
        }
        if (present != 1) return fail(errc::malformed, "privacypass: bad presence octet");  // -07 §3.1
        PPX_TRY_ASSIGN(auto type, b.u16());
        const std::size_t n = token_response_size(type);
        if (n == 0) return fail(errc::unsupported, "privacypass: unknown token type in generic batch");
        PPX_TRY_ASSIGN(auto resp, b.bytes(n));
        out.push_back(generic_response{type, resp});
    }
    return out;
}

} // namespace ppx::privacypass
