// ppx/hpke/aead.hpp: the HPKE AEADs (RFC 9180 §7.3) as policies and runtime tables.
#pragma once

#include <ppx/crypto/aead.hpp>
#include <ppx/hpke/ids.hpp>

namespace ppx::hpke {

/// One AEAD as a table: sizes and the seal/open functions (null for export-only).
struct aead_ops {
    aead_id id;
    std::size_t n_k;  ///< key size
    std::size_t n_n;  ///< nonce size
    std::size_t n_t;  ///< tag size
    result<std::size_t> (*seal)(bytes_view key, bytes_view nonce, bytes_view aad, bytes_view pt, mutable_bytes out) noexcept;
    result<std::size_t> (*open)(bytes_view key, bytes_view nonce, bytes_view aad, bytes_view ct, mutable_bytes out) noexcept;
    /// seal/open for a long-lived key identified by key_id (see crypto/aead.hpp), and forget(key_id).
    result<std::size_t> (*seal_cached)(std::uint64_t key_id, bytes_view key, bytes_view nonce, bytes_view aad, bytes_view pt,
                                       mutable_bytes out) noexcept;
    result<std::size_t> (*open_cached)(std::uint64_t key_id, bytes_view key, bytes_view nonce, bytes_view aad, bytes_view ct,
                                       mutable_bytes out) noexcept;
    void (*forget)(std::uint64_t key_id) noexcept;
};

/// Adapts a crypto:: AEAD to an HPKE AEAD policy.
template <crypto::aead_algorithm A, aead_id Id>
struct aead_policy {
    using algorithm = A;
    static constexpr aead_id id = Id;
    static constexpr aead_ops ops = {Id,       A::key_size,     A::nonce_size,   A::tag_size, &A::seal,
                                     &A::open, &A::seal_cached, &A::open_cached, &A::forget};
};

using aes128gcm = aead_policy<crypto::aes128gcm, aead_id::aes128gcm>;
using aes256gcm = aead_policy<crypto::aes256gcm, aead_id::aes256gcm>;
using chacha20poly1305 = aead_policy<crypto::chacha20poly1305, aead_id::chacha20poly1305>;

/// The export-only "AEAD" (0xFFFF): contexts can Export but Seal and Open fail with errc::misuse.
struct export_only {
    static constexpr aead_id id = aead_id::export_only;
    static constexpr aead_ops ops = {aead_id::export_only, 0, 0, 0, nullptr, nullptr, nullptr, nullptr, nullptr};
};

/// What an HPKE AEAD policy provides.
template <class A>
concept aead_policy_type = requires {
    { A::ops } -> std::convertible_to<const aead_ops&>;
};

} // namespace ppx::hpke
