// ppx/crypto/hmac.hpp: HMAC (RFC 2104) and HKDF (RFC 5869) over the hash policies.
//
// hmac_key<H> absorbs the key's inner and outer pads once; each MAC then costs only the
// compressions of its message plus one outer block. HKDF is written on top of it so a key
// schedule (HPKE, OHTTP) costs close to its raw hashing. All states holding key material
// are wiped on destruction.
#pragma once

#include <ppx/crypto/hash.hpp>

#include <initializer_list>

namespace ppx::crypto {

/// A list of byte strings MACed or hashed as their concatenation, without copying them.
using byte_parts = std::initializer_list<bytes_view>;

template <hash_function H>
class hmac_key {
public:
    static constexpr std::size_t tag_size = H::digest_size;

    /// Prepares HMAC with `key` (any length; longer than a block is hashed first, RFC 2104 §2).
    explicit hmac_key(bytes_view key) noexcept {
        std::uint8_t k[H::block_size] = {};
        wipe_on_exit wk(k);
        if (key.size() > H::block_size) {
            typename H::state s;
            wipe_on_exit ws(s);
            H::init(s);
            H::update(s, key);
            H::final(s, k);
        } else if (!key.empty()) {
            std::memcpy(k, key.data(), key.size());
        }
        std::uint8_t pad[H::block_size];
        wipe_on_exit wp(pad);
        for (std::size_t i = 0; i < H::block_size; ++i) pad[i] = k[i] ^ 0x36;
        H::init(inner_);
        H::update(inner_, pad);
        for (std::size_t i = 0; i < H::block_size; ++i) pad[i] = k[i] ^ 0x5c;
        H::init(outer_);
        H::update(outer_, pad);
    }
    ~hmac_key() {
        OPENSSL_cleanse(&inner_, sizeof inner_);
        OPENSSL_cleanse(&outer_, sizeof outer_);
    }
    hmac_key(const hmac_key&) = default;
    hmac_key& operator=(const hmac_key&) = default;

    /// HMAC with an empty (equivalently, all-zero) key, prepared once per process. HKDF-Extract
    /// with no salt uses it (RFC 5869 §2.2: salt defaults to HashLen zeros).
    static const hmac_key& zero() noexcept {
        static const hmac_key k{bytes_view{}};
        return k;
    }

    /// Incremental MAC: start(), update()..., final().
    class context {
    public:
        explicit context(const hmac_key& k) noexcept : key_(&k), s_(k.inner_) {}
        ~context() { OPENSSL_cleanse(&s_, sizeof s_); }
        context& update(bytes_view b) noexcept {
            H::update(s_, b);
            return *this;
        }
        void final(std::span<std::uint8_t, tag_size> out) noexcept {
            std::uint8_t ih[H::digest_size];
            H::final(s_, ih);
            s_ = key_->outer_;
            H::update(s_, ih);
            H::final(s_, out.data());
            OPENSSL_cleanse(ih, sizeof ih);
        }

    private:
        const hmac_key* key_;
        typename H::state s_;
    };

    context start() const noexcept { return context(*this); }

    /// MAC of the concatenation of `parts` into `out`.
    void mac(byte_parts parts, std::span<std::uint8_t, tag_size> out) const noexcept {
        context c(*this);
        for (auto p : parts) c.update(p);
        c.final(out);
    }
    digest_t<H> mac(byte_parts parts) const noexcept {
        digest_t<H> out;
        mac(parts, out);
        return out;
    }

private:
    typename H::state inner_;
    typename H::state outer_;
};

/// HKDF (RFC 5869) with hash H.
template <hash_function H>
struct hkdf {
    static constexpr std::size_t hash_len = H::digest_size;
    /// RFC 5869 §2.3: L <= 255 * HashLen.
    static constexpr std::size_t max_output = 255 * hash_len;

    /// HKDF-Extract(salt, ikm) where ikm is the concatenation of `ikm`. An empty salt means
    /// HashLen zero bytes (§2.2).
    static void extract(bytes_view salt, byte_parts ikm, std::span<std::uint8_t, hash_len> prk) noexcept {
        if (salt.empty()) return hmac_key<H>::zero().mac(ikm, prk);
        hmac_key<H>(salt).mac(ikm, prk);
    }

    /// HKDF-Expand(prk, info, L = out.size()) with info the concatenation of `info`.
    /// Fails with errc::misuse if L > 255 * HashLen; nothing is written then.
    static result<void> expand(const hmac_key<H>& prk, std::span<const bytes_view> info, mutable_bytes out) noexcept {
        if (out.size() > max_output) return fail(errc::misuse, "hkdf: output too long");
        std::uint8_t t[hash_len];
        wipe_on_exit wt(t);
        std::size_t done = 0;
        for (std::uint8_t i = 1; done < out.size(); ++i) {
            auto c = prk.start();
            if (i > 1) c.update(t);
            for (auto p : info) c.update(p);
            c.update(bytes_view(&i, 1));
            c.final(t);
            const std::size_t n = std::min(hash_len, out.size() - done);
            std::memcpy(out.data() + done, t, n);
            done += n;
        }
        return ok();
    }

    static result<void> expand(const hmac_key<H>& prk, byte_parts info, mutable_bytes out) noexcept {
        return expand(prk, std::span<const bytes_view>(info.begin(), info.size()), out);
    }

    static result<void> expand(bytes_view prk, byte_parts info, mutable_bytes out) noexcept {
        return expand(hmac_key<H>(prk), info, out);
    }
};

} // namespace ppx::crypto
