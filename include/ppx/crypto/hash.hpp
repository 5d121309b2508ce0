// ppx/crypto/hash.hpp: SHA-2 as compile-time policies, on OpenSSL's low-level contexts.
//
// Why low-level: HMAC and HKDF in ppx (HPKE's key schedule, OHTTP, Privacy Pass) must cost
// close to the compressions they do. The EVP interfaces add provider dispatch and heap
// allocation per call (a one-shot EVP HMAC costs 10-30x its hashing); SHA256_CTX is a plain
// struct that can be copied, so HMAC pads are computed once per key and cloned per message.
// OpenSSL 3.0 marks these functions deprecated but ships them; the warnings are silenced
// here only.
#pragma once

#include <ppx/core/bytes.hpp>
#include <ppx/core/secret.hpp>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <array>
#include <string_view>

#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif

namespace ppx::crypto {

/// SHA-256 (FIPS 180-4).
struct sha256 {
    static constexpr std::size_t digest_size = 32;
    static constexpr std::size_t block_size = 64;
    static constexpr std::string_view name = "SHA-256";
    using state = SHA256_CTX;
    static void init(state& s) noexcept { SHA256_Init(&s); }
    static void update(state& s, bytes_view b) noexcept { SHA256_Update(&s, b.data(), b.size()); }
    static void final(state& s, std::uint8_t* out) noexcept { SHA256_Final(out, &s); }
    static const EVP_MD* evp() noexcept { return EVP_sha256(); }
};

/// SHA-384 (FIPS 180-4).
struct sha384 {
    static constexpr std::size_t digest_size = 48;
    static constexpr std::size_t block_size = 128;
    static constexpr std::string_view name = "SHA-384";
    using state = SHA512_CTX;
    static void init(state& s) noexcept { SHA384_Init(&s); }
    static void update(state& s, bytes_view b) noexcept { SHA384_Update(&s, b.data(), b.size()); }
    static void final(state& s, std::uint8_t* out) noexcept { SHA384_Final(out, &s); }
    static const EVP_MD* evp() noexcept { return EVP_sha384(); }
};

/// SHA-512 (FIPS 180-4).
struct sha512 {
    static constexpr std::size_t digest_size = 64;
    static constexpr std::size_t block_size = 128;
    static constexpr std::string_view name = "SHA-512";
    using state = SHA512_CTX;
    static void init(state& s) noexcept { SHA512_Init(&s); }
    static void update(state& s, bytes_view b) noexcept { SHA512_Update(&s, b.data(), b.size()); }
    static void final(state& s, std::uint8_t* out) noexcept { SHA512_Final(out, &s); }
    static const EVP_MD* evp() noexcept { return EVP_sha512(); }
};

/// What a hash policy provides.
template <class H>
concept hash_function = requires(typename H::state& s, bytes_view b, std::uint8_t* out) {
    { H::digest_size } -> std::convertible_to<std::size_t>;
    { H::block_size } -> std::convertible_to<std::size_t>;
    H::init(s);
    H::update(s, b);
    H::final(s, out);
};

template <hash_function H>
using digest_t = std::array<std::uint8_t, H::digest_size>;

/// An incremental hash. The state is wiped on destruction (it may have absorbed secrets).
template <hash_function H>
class hasher {
public:
    hasher() noexcept { H::init(s_); }
    ~hasher() { OPENSSL_cleanse(&s_, sizeof s_); }
    hasher(const hasher&) = default;
    hasher& operator=(const hasher&) = default;

    hasher& update(bytes_view b) noexcept {
        H::update(s_, b);
        return *this;
    }
    /// Writes the digest and leaves the object unusable until reset().
    void final(std::span<std::uint8_t, H::digest_size> out) noexcept { H::final(s_, out.data()); }
    digest_t<H> final() noexcept {
        digest_t<H> d;
        H::final(s_, d.data());
        return d;
    }
    void reset() noexcept { H::init(s_); }

private:
    typename H::state s_;
};

/// One-shot digest of the concatenation of `parts`.
template <hash_function H, class... V>
inline digest_t<H> digest(const V&... parts) noexcept {
    hasher<H> h;
    (h.update(bytes_view(parts)), ...);
    return h.final();
}

/// Runtime hash choice, for formats that name the hash in the data (RA-TLS claims,
/// signature algorithms). Values are ppx's own; parsers map wire ids onto them.
enum class hash_id : std::uint8_t { sha256 = 1, sha384 = 2, sha512 = 3 };

constexpr std::size_t digest_size(hash_id h) noexcept {
    return h == hash_id::sha256 ? 32 : h == hash_id::sha384 ? 48 : 64;
}

/// One-shot digest with a hash chosen at run time.
inline bytes digest(hash_id h, bytes_view data) {
    switch (h) {
    case hash_id::sha256: { auto d = digest<sha256>(data); return bytes(d.begin(), d.end()); }
    case hash_id::sha384: { auto d = digest<sha384>(data); return bytes(d.begin(), d.end()); }
    case hash_id::sha512: { auto d = digest<sha512>(data); return bytes(d.begin(), d.end()); }
    }
    return {};
}

inline const EVP_MD* evp_md(hash_id h) noexcept {
    return h == hash_id::sha256 ? EVP_sha256() : h == hash_id::sha384 ? EVP_sha384() : EVP_sha512();
}

} // namespace ppx::crypto

#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
