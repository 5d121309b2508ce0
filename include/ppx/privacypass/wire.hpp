// ppx/privacypass/wire.hpp: encoding helpers shared by the issuance protocols.
//
// The batched-tokens draft (draft-ietf-privacypass-batched-tokens-07 §3.2) prefixes vectors with
// QUIC variable-length integers that, unlike RFC 9000, MUST use the minimum-size encoding.
#pragma once

#include <ppx/core/reader.hpp>
#include <ppx/core/writer.hpp>

namespace ppx::privacypass::detail {

/// Reads a `<V>` vector (batched-tokens-07 §3.2): a minimal varint length, then that many bytes.
/// errc::malformed on truncation or a non-minimal length; the reader does not advance on failure.
inline result<bytes_view> read_v_vector(reader& r) noexcept {
    reader probe = r;
    if (probe.empty()) return fail(errc::malformed, "privacypass: truncated length");
    const std::size_t len_bytes = std::size_t{1} << (probe.rest()[0] >> 6);
    PPX_TRY_ASSIGN(auto n, probe.varint());
    if (varint_size(n) != len_bytes) return fail(errc::malformed, "privacypass: non-minimal vector length");  // §3.2
    if (n > probe.remaining()) return fail(errc::malformed, "privacypass: truncated vector");
    PPX_TRY_ASSIGN(auto v, probe.bytes(static_cast<std::size_t>(n)));
    r = probe;
    return v;
}

/// Size of a `<V>` vector holding n bytes.
constexpr std::size_t v_vector_size(std::size_t n) noexcept { return varint_size(n) + n; }

/// Last byte of a token_key_id: the truncated_token_key_id of RFC 9578 §5.1 / §6.1.
constexpr std::uint8_t truncated_key_id(std::span<const std::uint8_t, 32> key_id) noexcept { return key_id[31]; }

} // namespace ppx::privacypass::detail
