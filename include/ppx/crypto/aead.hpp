// ppx/crypto/aead.hpp: the AEADs HPKE uses, as compile-time policies.
//
// AES-128-GCM and AES-256-GCM run on OpenSSL (AES-NI/VAES + CLMUL), ChaCha20-Poly1305 on
// libsodium. seal() and open() are stateless and allocation-free: AES-GCM uses one
// EVP_CIPHER_CTX per thread and key size, created on first use, keyed per call and re-keyed
// with zeros afterwards so no round keys outlive the call. seal_cached()/open_cached() let a
// long-lived key (an HPKE context) stay loaded in this thread's context between calls, and
// forget() wipes it; a key used from several threads is wiped from another thread's context
// only when that thread next loads a key or exits.
//
// Buffers: seal writes pt.size() + tag_size bytes (ciphertext then tag) into `out`;
// open reads ct (ciphertext then tag) and writes ct.size() - tag_size bytes. `out` may
// alias the input exactly (in place) but must not otherwise overlap it. A too-small `out`
// is errc::buffer_too_small and nothing is written. A failed open is errc::crypto_failure
// and `out` holds no plaintext (it is zeroed).
#pragma once

#include <ppx/core/bytes.hpp>
#include <ppx/core/secret.hpp>
#include <ppx/detail/openssl.hpp>
#include <ppx/detail/sodium.hpp>

#include <atomic>
#include <climits>

namespace ppx::crypto {

namespace detail_aead {

/// A process-unique, non-zero id for a key that will be used many times (see aes_gcm::seal_cached).
inline std::uint64_t new_key_id() noexcept {
    static std::atomic<std::uint64_t> next{1};
    return next.fetch_add(1, std::memory_order_relaxed);
}

/// AES-GCM with a KeyLen-byte key, fetched from the default provider once per process.
/// Initialising a context with a fetched cipher spares OpenSSL 3 the implicit fetch (a name
/// lookup under a lock, about half the cost of a new keyed context) that every
/// EVP_CipherInit_ex given a legacy EVP_aes_*_gcm() object takes; those are the fallback.
template <std::size_t KeyLen>
inline const EVP_CIPHER* gcm_cipher() noexcept {
    static const EVP_CIPHER* fetched = EVP_CIPHER_fetch(nullptr, KeyLen == 16 ? "AES-128-GCM" : "AES-256-GCM", nullptr);
    if (fetched) return fetched;
    return KeyLen == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
}
inline const EVP_CIPHER* gcm_cipher(std::size_t key_len) noexcept {
    return key_len == 16 ? gcm_cipher<16>() : gcm_cipher<32>();
}

/// A cipher context of its own keyed for AES-GCM id 1 (16-byte key) or 2 (32-byte key), to
/// seal (enc 1) or open (enc 0); errc::misuse for a wrong key length.
inline result<ppx::detail::evp_cipher_ctx_ptr> own_gcm_context(std::uint16_t id, bytes_view key, int enc) noexcept {
    const std::size_t kl = id == 0x0001 ? 16 : 32;
    if (key.size() != kl) return fail(errc::misuse, "aead: bad key length");
    ppx::detail::evp_cipher_ctx_ptr ctx(EVP_CIPHER_CTX_new());
    if (!ctx || EVP_CipherInit_ex(ctx.get(), gcm_cipher(kl), nullptr, key.data(), nullptr, enc) != 1) return ppx::detail::openssl_fail();
    return ctx;
}

/// The per-thread EVP context of one AES-GCM key size, and which cached key it holds.
template <std::size_t KeyLen>
struct gcm_thread_state {
    ppx::detail::evp_cipher_ctx_ptr ctx;
    std::uint64_t loaded = 0;  ///< id of the key in ctx, 0 if none (zero key)

    gcm_thread_state() {
        ctx.reset(EVP_CIPHER_CTX_new());
        if (ctx && EVP_CipherInit_ex(ctx.get(), gcm_cipher<KeyLen>(), nullptr, nullptr, nullptr, 1) != 1) ctx.reset();
    }
    /// Replaces the round keys in the context with those of the zero key.
    void unload() noexcept {
        static constexpr std::uint8_t zero_key[32] = {};
        if (ctx) EVP_CipherInit_ex(ctx.get(), nullptr, nullptr, zero_key, nullptr, -1);
        loaded = 0;
    }
    ~gcm_thread_state() { unload(); }
    static gcm_thread_state& get() noexcept {
        // One context per thread and key size: never shared across threads, created on first use.
        thread_local gcm_thread_state s;
        return s;
    }
};

/// AES-GCM with a KeyLen-byte key (16 or 32) on this thread's context. key_id == 0 means a
/// one-off key: it is loaded, used and unloaded. A non-zero key_id (from new_key_id()) stays
/// loaded so the next call with the same id skips the key schedule; forget() unloads it.
template <std::size_t KeyLen>
inline result<std::size_t> gcm(bool enc, std::uint64_t key_id, bytes_view key, bytes_view nonce, bytes_view aad, bytes_view in,
                               mutable_bytes out) noexcept {
    static_assert(KeyLen == 16 || KeyLen == 32);
    constexpr std::size_t tag = 16;
    auto& ts = gcm_thread_state<KeyLen>::get();
    if (!ts.ctx) return ppx::detail::openssl_fail();
    if (key.size() != KeyLen || nonce.size() != 12) return fail(errc::misuse, "aead: bad key or nonce length");
    if (in.size() > INT_MAX - 32 || aad.size() > INT_MAX) return fail(errc::limit_exceeded, "aead: input too long");
    if (!enc && in.size() < tag) return fail(errc::crypto_failure, "aead: open failed");
    const std::size_t out_len = enc ? in.size() + tag : in.size() - tag;
    if (out.size() < out_len) return fail(errc::buffer_too_small, "aead: output buffer too small");

    struct unload_one_off {
        gcm_thread_state<KeyLen>& ts;
        bool active;
        ~unload_one_off() {
            if (active) ts.unload();
        }
    } guard{ts, key_id == 0};

    EVP_CIPHER_CTX* c = ts.ctx.get();
    int len = 0;
    const std::size_t body = enc ? in.size() : in.size() - tag;
    const bool need_key = key_id == 0 || ts.loaded != key_id;
    if (need_key) ts.loaded = 0;
    if (EVP_CipherInit_ex(c, nullptr, nullptr, need_key ? key.data() : nullptr, nonce.data(), enc ? 1 : 0) != 1)
        return ppx::detail::openssl_fail();
    if (need_key) ts.loaded = key_id;
    if (!aad.empty() && EVP_CipherUpdate(c, nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1)
        return ppx::detail::openssl_fail();
    if (body != 0 && EVP_CipherUpdate(c, out.data(), &len, in.data(), static_cast<int>(body)) != 1)
        return ppx::detail::openssl_fail();
    if (enc) {
        if (EVP_CipherFinal_ex(c, out.data() + body, &len) != 1 ||
            EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, tag, out.data() + body) != 1)
            return ppx::detail::openssl_fail();
        return out_len;
    }
    std::uint8_t t[tag];
    std::memcpy(t, in.data() + body, tag);
    if (EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, tag, t) != 1) return ppx::detail::openssl_fail();
    if (EVP_CipherFinal_ex(c, out.data() + body, &len) != 1) {
        if (body != 0) OPENSSL_cleanse(out.data(), body);
        return ppx::detail::openssl_fail(errc::crypto_failure, "aead: open failed");
    }
    return out_len;
}

} // namespace detail_aead

/// AES-GCM with a KeyLen-byte key (NIST SP 800-38D), 96-bit nonces and 128-bit tags.
template <std::size_t KeyLen, std::uint16_t Id>
struct aes_gcm {
    static constexpr std::uint16_t id = Id;
    static constexpr std::size_t key_size = KeyLen, nonce_size = 12, tag_size = 16;
    static constexpr std::string_view name = KeyLen == 16 ? "AES-128-GCM" : "AES-256-GCM";
    static result<std::size_t> seal(bytes_view key, bytes_view nonce, bytes_view aad, bytes_view pt, mutable_bytes out) noexcept {
        return detail_aead::gcm<key_size>(true, 0, key, nonce, aad, pt, out);
    }
    static result<std::size_t> open(bytes_view key, bytes_view nonce, bytes_view aad, bytes_view ct, mutable_bytes out) noexcept {
        return detail_aead::gcm<key_size>(false, 0, key, nonce, aad, ct, out);
    }
    /// As seal/open, for a key used many times: `key_id` (from detail_aead::new_key_id()) lets
    /// this thread keep the key schedule loaded between calls; call forget(key_id) when the key
    /// is destroyed so its round keys are wiped.
    static result<std::size_t> seal_cached(std::uint64_t key_id, bytes_view key, bytes_view nonce, bytes_view aad, bytes_view pt,
                                           mutable_bytes out) noexcept {
        return detail_aead::gcm<key_size>(true, key_id, key, nonce, aad, pt, out);
    }
    static result<std::size_t> open_cached(std::uint64_t key_id, bytes_view key, bytes_view nonce, bytes_view aad, bytes_view ct,
                                           mutable_bytes out) noexcept {
        return detail_aead::gcm<key_size>(false, key_id, key, nonce, aad, ct, out);
    }
    /// Unloads `key_id` from this thread's context if it is loaded there.
    static void forget(std::uint64_t key_id) noexcept {
        auto& ts = detail_aead::gcm_thread_state<key_size>::get();
        if (key_id != 0 && ts.loaded == key_id) ts.unload();
    }
};

/// AES-128-GCM (HPKE AEAD id 0x0001).
using aes128gcm = aes_gcm<16, 0x0001>;
/// AES-256-GCM (HPKE AEAD id 0x0002).
using aes256gcm = aes_gcm<32, 0x0002>;

/// ChaCha20-Poly1305 (RFC 8439; HPKE AEAD id 0x0003), from libsodium.
struct chacha20poly1305 {
    static constexpr std::uint16_t id = 0x0003;
    static constexpr std::size_t key_size = 32, nonce_size = 12, tag_size = 16;
    static constexpr std::string_view name = "ChaCha20Poly1305";
    static result<std::size_t> seal(bytes_view key, bytes_view nonce, bytes_view aad, bytes_view pt, mutable_bytes out) noexcept {
        if (key.size() != key_size || nonce.size() != nonce_size) return fail(errc::misuse, "aead: bad key or nonce length");
        if (out.size() < pt.size() + tag_size) return fail(errc::buffer_too_small, "aead: output buffer too small");
        if (!ppx::detail::sodium_ready()) return fail(errc::internal, "libsodium unavailable");
        crypto_aead_chacha20poly1305_ietf_encrypt_detached(out.data(), out.data() + pt.size(), nullptr, pt.data(), pt.size(),
                                                          aad.data(), aad.size(), nullptr, nonce.data(), key.data());
        return pt.size() + tag_size;
    }
    static result<std::size_t> open(bytes_view key, bytes_view nonce, bytes_view aad, bytes_view ct, mutable_bytes out) noexcept {
        if (key.size() != key_size || nonce.size() != nonce_size) return fail(errc::misuse, "aead: bad key or nonce length");
        if (ct.size() < tag_size) return fail(errc::crypto_failure, "aead: open failed");
        const std::size_t n = ct.size() - tag_size;
        if (out.size() < n) return fail(errc::buffer_too_small, "aead: output buffer too small");
        if (!ppx::detail::sodium_ready()) return fail(errc::internal, "libsodium unavailable");
        // libsodium verifies the tag before decrypting, so nothing is written on failure.
        if (crypto_aead_chacha20poly1305_ietf_decrypt_detached(out.data(), nullptr, ct.data(), n, ct.data() + n, aad.data(),
                                                              aad.size(), nonce.data(), key.data()) != 0)
            return fail(errc::crypto_failure, "aead: open failed");
        return n;
    }
    // libsodium's ChaCha20 has no key schedule: the cached forms are the plain ones.
    static result<std::size_t> seal_cached(std::uint64_t, bytes_view key, bytes_view nonce, bytes_view aad, bytes_view pt,
                                           mutable_bytes out) noexcept {
        return seal(key, nonce, aad, pt, out);
    }
    static result<std::size_t> open_cached(std::uint64_t, bytes_view key, bytes_view nonce, bytes_view aad, bytes_view ct,
                                           mutable_bytes out) noexcept {
        return open(key, nonce, aad, ct, out);
    }
    static void forget(std::uint64_t) noexcept {}
};

/// Opens AEAD messages whose ciphertext arrives in pieces (chunked OHTTP): begin(nonce, aad),
/// update() per piece, finish(tag). update() writes plaintext before the tag is checked: the
/// caller must hold it back until finish() succeeds and wipe it otherwise. The key is loaded
/// once, at make(), into a cipher state this object owns (not the per-thread one), so any
/// other AEAD use between calls is fine. Wiped on destruction. Not thread-safe.
class aead_stream_opener {
public:
    /// For AES-128-GCM (id 1), AES-256-GCM (2) or ChaCha20-Poly1305 (3) with `key`;
    /// errc::misuse for another id or a wrong key length.
    static result<aead_stream_opener> make(std::uint16_t id, bytes_view key) noexcept {
        aead_stream_opener o;
        if (id == aes128gcm::id || id == aes256gcm::id) {
            PPX_TRY_ASSIGN(auto ctx, detail_aead::own_gcm_context(id, key, 0));
            o.ctx_ = std::move(ctx);
            return o;
        }
        if (id == chacha20poly1305::id) {
            if (key.size() != chacha20poly1305::key_size) return fail(errc::misuse, "aead: bad key length");
            if (!ppx::detail::sodium_ready()) return fail(errc::internal, "libsodium unavailable");
            std::memcpy(o.key_, key.data(), sizeof o.key_);
            return o;
        }
        return fail(errc::misuse, "aead: no streaming open for this AEAD");
    }

    aead_stream_opener(aead_stream_opener&& o) noexcept { take(o); }
    aead_stream_opener& operator=(aead_stream_opener&& o) noexcept {
        if (this != &o) {
            clear();
            take(o);
        }
        return *this;
    }
    ~aead_stream_opener() { clear(); }

    /// Starts a message (a 12-byte nonce), absorbing `aad`.
    result<void> begin(bytes_view nonce, bytes_view aad) noexcept {
        if (nonce.size() != 12) return fail(errc::misuse, "aead: bad nonce length");
        if (aad.size() > INT_MAX) return fail(errc::limit_exceeded, "aead: input too long");
        ct_len_ = 0;
        aad_len_ = aad.size();
        if (ctx_) {
            int len = 0;
            if (EVP_DecryptInit_ex(ctx_.get(), nullptr, nullptr, nullptr, nonce.data()) != 1 ||
                (!aad.empty() && EVP_DecryptUpdate(ctx_.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1))
                return ppx::detail::openssl_fail();
            return ok();
        }
        // RFC 8439 §2.8: the Poly1305 key is the first 32 bytes of block 0; data from block 1.
        std::memcpy(nonce_, nonce.data(), sizeof nonce_);
        std::uint8_t block0[64] = {};
        crypto_stream_chacha20_ietf_xor_ic(block0, block0, sizeof block0, nonce_, 0, key_);
        crypto_onetimeauth_poly1305_init(&mac_, block0);
        sodium_memzero(block0, sizeof block0);
        crypto_onetimeauth_poly1305_update(&mac_, aad.data(), aad.size());
        pad16(aad.size());
        block_ = 1;
        ks_pos_ = sizeof ks_;
        return ok();
    }
    /// Decrypts the next `ct.size()` bytes of ciphertext (not the tag) into `out` (as many
    /// bytes; may alias ct exactly).
    result<void> update(bytes_view ct, std::uint8_t* out) noexcept {
        if (ct.empty()) return ok();
        // GCM: 2^36 - 32 bytes per message; ChaCha20: 2^32 - 1 blocks after block 0.
        if (ct.size() > INT_MAX || ct_len_ + ct.size() > (std::uint64_t{1} << 36) - 64)
            return fail(errc::limit_exceeded, "aead: input too long");
        ct_len_ += ct.size();
        if (ctx_) {
            int len = 0;
            if (EVP_DecryptUpdate(ctx_.get(), out, &len, ct.data(), static_cast<int>(ct.size())) != 1 ||
                static_cast<std::size_t>(len) != ct.size())
                return ppx::detail::openssl_fail();
            return ok();
        }
        crypto_onetimeauth_poly1305_update(&mac_, ct.data(), ct.size());
        const std::uint8_t* in = ct.data();
        std::size_t n = ct.size();
        // Leftover keystream of a block begun by the previous piece.
        while (n != 0 && ks_pos_ < sizeof ks_) {
            *out++ = *in++ ^ ks_[ks_pos_];
            ks_[ks_pos_++] = 0;
            --n;
        }
        const std::size_t whole = n / 64 * 64;
        if (whole != 0) {
            crypto_stream_chacha20_ietf_xor_ic(out, in, whole, nonce_, block_, key_);
            block_ += static_cast<std::uint32_t>(whole / 64);
            out += whole;
            in += whole;
            n -= whole;
        }
        if (n != 0) {
            std::memset(ks_, 0, sizeof ks_);
            crypto_stream_chacha20_ietf_xor_ic(ks_, ks_, sizeof ks_, nonce_, block_++, key_);
            for (ks_pos_ = 0; ks_pos_ < n; ++ks_pos_) {
                out[ks_pos_] = in[ks_pos_] ^ ks_[ks_pos_];
                ks_[ks_pos_] = 0;
            }
        }
        return ok();
    }
    /// Checks the 16-byte tag: errc::crypto_failure if the message does not authenticate
    /// (the caller then wipes what update() wrote).
    result<void> finish(bytes_view tag) noexcept {
        if (tag.size() != 16) return fail(errc::crypto_failure, "aead: open failed");
        if (ctx_) {
            std::uint8_t t[16];
            std::memcpy(t, tag.data(), sizeof t);
            int len = 0;
            std::uint8_t none[16];
            if (EVP_CIPHER_CTX_ctrl(ctx_.get(), EVP_CTRL_GCM_SET_TAG, 16, t) != 1) return ppx::detail::openssl_fail();
            if (EVP_DecryptFinal_ex(ctx_.get(), none, &len) != 1)
                return ppx::detail::openssl_fail(errc::crypto_failure, "aead: open failed");
            return ok();
        }
        sodium_memzero(ks_, sizeof ks_);
        ks_pos_ = sizeof ks_;
        pad16(ct_len_);
        std::uint8_t lens[16];
        for (int i = 0; i < 8; ++i) {
            lens[i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(aad_len_) >> (8 * i));
            lens[8 + i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(ct_len_) >> (8 * i));
        }
        crypto_onetimeauth_poly1305_update(&mac_, lens, sizeof lens);
        std::uint8_t t[16];
        crypto_onetimeauth_poly1305_final(&mac_, t);
        const bool good = crypto_verify_16(t, tag.data()) == 0;
        sodium_memzero(t, sizeof t);
        if (!good) return fail(errc::crypto_failure, "aead: open failed");
        return ok();
    }

private:
    aead_stream_opener() = default;
    void pad16(std::size_t n) noexcept {
        static constexpr std::uint8_t zeros[16] = {};
        if (n % 16 != 0) crypto_onetimeauth_poly1305_update(&mac_, zeros, 16 - n % 16);
    }
    void clear() noexcept {
        ctx_.reset();  // EVP_CIPHER_CTX_free cleanses the key schedule
        sodium_memzero(key_, sizeof key_);
        sodium_memzero(ks_, sizeof ks_);
        sodium_memzero(&mac_, sizeof mac_);
    }
    void take(aead_stream_opener& o) noexcept {
        ctx_ = std::move(o.ctx_);
        std::memcpy(key_, o.key_, sizeof key_);
        std::memcpy(nonce_, o.nonce_, sizeof nonce_);
        std::memcpy(ks_, o.ks_, sizeof ks_);
        mac_ = o.mac_;
        ks_pos_ = o.ks_pos_;
        block_ = o.block_;
        aad_len_ = o.aad_len_;
        ct_len_ = o.ct_len_;
        o.clear();
    }

    ppx::detail::evp_cipher_ctx_ptr ctx_;  // AES-GCM: the key schedule and GCM state
    // ChaCha20-Poly1305:
    std::uint8_t key_[32] = {};
    std::uint8_t nonce_[12] = {};
    std::uint8_t ks_[64] = {};  // keystream of a partly used block
    crypto_onetimeauth_poly1305_state mac_{};
    std::size_t ks_pos_ = 64;
    std::uint32_t block_ = 1;
    std::size_t aad_len_ = 0, ct_len_ = 0;
};

/// Seals many messages under one key (the chunks of a chunked OHTTP response): the key is
/// loaded once, at make(), into a cipher state this object owns (not the per-thread one),
/// so each seal() only sets the nonce; any other AEAD use between calls is fine. Wiped on
/// destruction (the key schedule with the cipher state). Not thread-safe.
class aead_sealer {
public:
    /// For AES-128-GCM (id 1), AES-256-GCM (2) or ChaCha20-Poly1305 (3) with `key`;
    /// errc::misuse for another id or a wrong key length.
    static result<aead_sealer> make(std::uint16_t id, bytes_view key) noexcept {
        aead_sealer s;
        if (id == aes128gcm::id || id == aes256gcm::id) {
            PPX_TRY_ASSIGN(auto ctx, detail_aead::own_gcm_context(id, key, 1));
            s.ctx_ = std::move(ctx);
            s.id_ = id;
            return s;
        }
        if (id == chacha20poly1305::id) {
            if (key.size() != chacha20poly1305::key_size) return fail(errc::misuse, "aead: bad key length");
            if (!ppx::detail::sodium_ready()) return fail(errc::internal, "libsodium unavailable");
            std::memcpy(s.key_, key.data(), sizeof s.key_);
            s.id_ = id;
            return s;
        }
        return fail(errc::misuse, "aead: no sealer for this AEAD");
    }

    aead_sealer(aead_sealer&& o) noexcept : ctx_(std::move(o.ctx_)), id_(o.id_) {
        std::memcpy(key_, o.key_, sizeof key_);
        sodium_memzero(o.key_, sizeof o.key_);
        o.id_ = 0;
    }
    aead_sealer& operator=(aead_sealer&& o) noexcept {
        if (this != &o) {
            ctx_ = std::move(o.ctx_);  // EVP_CIPHER_CTX_free cleanses the previous key schedule
            std::memcpy(key_, o.key_, sizeof key_);
            sodium_memzero(o.key_, sizeof o.key_);
            id_ = o.id_;
            o.id_ = 0;
        }
        return *this;
    }
    ~aead_sealer() { sodium_memzero(key_, sizeof key_); }

    /// Seals `pt` with a 12-byte `nonce` and `aad` into `out` (pt.size() + 16 bytes: ciphertext
    /// then tag; may alias pt exactly) and returns the bytes written. errc::buffer_too_small
    /// (nothing written) if `out` is short, errc::misuse for a bad nonce length or a sealer
    /// that was moved from.
    result<std::size_t> seal(bytes_view nonce, bytes_view aad, bytes_view pt, mutable_bytes out) noexcept {
        constexpr std::size_t tag = 16;
        if (id_ == 0) return fail(errc::misuse, "aead: sealer was moved from");
        if (nonce.size() != 12) return fail(errc::misuse, "aead: bad nonce length");
        if (pt.size() > INT_MAX - 32 || aad.size() > INT_MAX) return fail(errc::limit_exceeded, "aead: input too long");
        if (out.size() < pt.size() + tag) return fail(errc::buffer_too_small, "aead: output buffer too small");
        if (id_ == chacha20poly1305::id) return chacha20poly1305::seal(bytes_view(key_, sizeof key_), nonce, aad, pt, out);
        EVP_CIPHER_CTX* c = ctx_.get();
        int len = 0;
        if (EVP_EncryptInit_ex(c, nullptr, nullptr, nullptr, nonce.data()) != 1 ||
            (!aad.empty() && EVP_EncryptUpdate(c, nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1) ||
            (!pt.empty() && EVP_EncryptUpdate(c, out.data(), &len, pt.data(), static_cast<int>(pt.size())) != 1) ||
            EVP_EncryptFinal_ex(c, out.data() + pt.size(), &len) != 1 ||
            EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, tag, out.data() + pt.size()) != 1)
            return ppx::detail::openssl_fail();
        return pt.size() + tag;
    }

private:
    aead_sealer() = default;
    ppx::detail::evp_cipher_ctx_ptr ctx_;  // AES-GCM: the key schedule
    std::uint8_t key_[32] = {};            // ChaCha20-Poly1305: the key
    std::uint16_t id_ = 0;                 // the AEAD; 0 once moved from
};

/// What an AEAD policy provides.
template <class A>
concept aead_algorithm = requires(bytes_view v, mutable_bytes m) {
    { A::id } -> std::convertible_to<std::uint16_t>;
    { A::key_size } -> std::convertible_to<std::size_t>;
    { A::nonce_size } -> std::convertible_to<std::size_t>;
    { A::tag_size } -> std::convertible_to<std::size_t>;
    { A::seal(v, v, v, v, m) } -> std::same_as<result<std::size_t>>;
    { A::open(v, v, v, v, m) } -> std::same_as<result<std::size_t>>;
};

} // namespace ppx::crypto
