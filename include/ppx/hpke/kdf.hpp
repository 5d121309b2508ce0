// ppx/hpke/kdf.hpp: HPKE KDFs.
//
// Two kinds (draft-ietf-hpke-hpke §4, §7.2):
//  - two-stage: HKDF-SHA256/384/512 (RFC 9180) with LabeledExtract and LabeledExpand, written
//    over crypto::hmac_key so the labels and suite id stream into the MAC without being
//    concatenated into a buffer: no allocation, and the cost is the compressions the RFC implies;
//  - one-stage: the XOFs SHAKE128 (0x0010), SHAKE256 (0x0011), TurboSHAKE128 (0x0012) and
//    TurboSHAKE256 (0x0013) of draft-ietf-hpke-pq §5, with LabeledDerive; the key schedule
//    (CombineSecrets_OneStage) and Export use it instead of Extract/Expand. The labeled input
//    streams into the sponge (own Keccak, mlkem/keccak.hpp): no allocation either.
#pragma once

#include <ppx/crypto/hmac.hpp>
#include <ppx/hpke/ids.hpp>
#include <ppx/mlkem/keccak.hpp>

namespace ppx::hpke {

/// The "HPKE-v1" prefix of every labeled input (RFC 9180 §4).
inline constexpr std::string_view version_label = "HPKE-v1";

/// Labeled operations of one KDF, as a table so runtime suites can hold a pointer to it.
/// A two-stage KDF (HKDF) has labeled_extract, labeled_expand, extract and expand and a null
/// labeled_derive; a one-stage KDF (SHAKE, TurboSHAKE) the reverse. `schedule` exists for both.
struct kdf_ops {
    kdf_id id;
    std::size_t n_h;  ///< Nh: output size of Extract (two-stage) or the exporter secret size (one-stage)
    /// LabeledExtract(salt, label, ikm) into prk (prk.size() == Nh). `ikm` is the concatenation of parts.
    void (*labeled_extract)(bytes_view suite_id, bytes_view salt, std::string_view label, crypto::byte_parts ikm,
                            mutable_bytes prk) noexcept;
    /// LabeledExpand(prk, label, info, L = out.size()). errc::misuse if L > 255*Nh or L >= 2^16.
    result<void> (*labeled_expand)(bytes_view suite_id, bytes_view prk, std::string_view label, crypto::byte_parts info,
                                   mutable_bytes out) noexcept;
    /// The tail of KeySchedule (RFC 9180 §5.1): secret = LabeledExtract(shared_secret, "secret", psk),
    /// then key (key.size() = Nk, may be empty), base_nonce (Nn, may be empty) and
    /// exporter_secret (Nh) expanded from it with key_schedule_context. For a one-stage KDF
    /// (draft-ietf-hpke-hpke CombineSecrets_OneStage) key_schedule_context is
    /// mode || lengthPrefixed(psk_id) || lengthPrefixed(info) and the three are one
    /// LabeledDerive(lengthPrefixed(psk) || lengthPrefixed(shared_secret), "secret", context, Nk + Nn + Nh).
    result<void> (*schedule)(bytes_view suite_id, bytes_view shared_secret, bytes_view psk, bytes_view key_schedule_context,
                             mutable_bytes key, mutable_bytes base_nonce, mutable_bytes exporter_secret) noexcept;
    /// Plain (unlabeled) HKDF-Extract(salt, ikm) into prk (Nh bytes), with salt the
    /// concatenation of `salt` (RFC 9458 §4.4 derives OHTTP response keys this way).
    void (*extract)(crypto::byte_parts salt, bytes_view ikm, mutable_bytes prk) noexcept;
    /// Plain HKDF-Expand(prk, info, L = out.size()); errc::misuse if L > 255*Nh.
    result<void> (*expand)(bytes_view prk, bytes_view info, mutable_bytes out) noexcept;
    /// extract(salt, ikm), then expand(prk, info1, out1) and expand(prk, info2, out2) with the
    /// PRK's HMAC pads absorbed once; the PRK never leaves the call (RFC 9458 §4.4's key and
    /// nonce). errc::misuse as expand.
    result<void> (*extract_expand2)(crypto::byte_parts salt, bytes_view ikm, bytes_view info1, mutable_bytes out1,
                                    bytes_view info2, mutable_bytes out2) noexcept;
    /// True for a one-stage KDF: labeled_derive is set; labeled_extract, labeled_expand,
    /// extract, expand and extract_expand2 are null.
    bool one_stage;
    /// LabeledDerive(ikm, label, context, L = out.size()) (draft-ietf-hpke-hpke §4):
    /// Derive(ikm || "HPKE-v1" || suite_id || I2OSP(len(label), 2) || label || I2OSP(L, 2) ||
    /// context, L), `ikm` and `context` each the concatenation of their parts.
    /// errc::misuse if L >= 2^16. Null for a two-stage KDF.
    result<void> (*labeled_derive)(bytes_view suite_id, crypto::byte_parts ikm, std::string_view label,
                                   crypto::byte_parts context, mutable_bytes out) noexcept;
};

/// An HKDF over hash H, as an HPKE KDF policy.
template <crypto::hash_function H, kdf_id Id>
struct hkdf_kdf {
    using hash = H;
    static constexpr kdf_id id = Id;
    static constexpr std::size_t n_h = H::digest_size;

    /// RFC 9180 §4: Extract(salt, "HPKE-v1" || suite_id || label || ikm).
    static void labeled_extract(bytes_view suite_id, bytes_view salt, std::string_view label, crypto::byte_parts ikm,
                                std::span<std::uint8_t, n_h> prk) noexcept {
        auto run = [&](const crypto::hmac_key<H>& k) {
            auto c = k.start();
            c.update(as_bytes(version_label)).update(suite_id).update(as_bytes(label));
            for (auto p : ikm) c.update(p);
            c.final(prk);
        };
        if (salt.empty()) return run(crypto::hmac_key<H>::zero());
        run(crypto::hmac_key<H>(salt));
    }

    /// RFC 9180 §4: Expand(prk, I2OSP(L, 2) || "HPKE-v1" || suite_id || label || info, L), with the
    /// PRK already absorbed into `prk`.
    static result<void> labeled_expand(const crypto::hmac_key<H>& prk, bytes_view suite_id, std::string_view label,
                                       crypto::byte_parts info, mutable_bytes out) noexcept {
        if (out.size() > 0xffff) return fail(errc::misuse, "hpke: expand length too large");
        const std::uint8_t len[2] = {static_cast<std::uint8_t>(out.size() >> 8), static_cast<std::uint8_t>(out.size())};
        // At most 6 parts precede info; HKDF takes one initializer list, so fold info in by
        // expanding with a small fixed array of views.
        bytes_view parts[16];
        std::size_t n = 0;
        parts[n++] = bytes_view(len, 2);
        parts[n++] = as_bytes(version_label);
        parts[n++] = suite_id;
        parts[n++] = as_bytes(label);
        for (auto p : info) {
            if (n == std::size(parts)) return fail(errc::misuse, "hpke: too many info parts");
            parts[n++] = p;
        }
        return crypto::hkdf<H>::expand(prk, std::span<const bytes_view>(parts, n), out);
    }

    static result<void> schedule(bytes_view suite_id, bytes_view shared_secret, bytes_view psk, bytes_view ksc,
                                 mutable_bytes key, mutable_bytes base_nonce, mutable_bytes exporter_secret) noexcept {
        std::uint8_t secret[n_h];
        wipe_on_exit ws(secret);
        labeled_extract(suite_id, shared_secret, "secret", {psk}, secret);
        // One HMAC key for the three expansions: the pads of `secret` are absorbed once.
        const crypto::hmac_key<H> k(secret);
        if (!key.empty()) PPX_TRY(labeled_expand(k, suite_id, "key", {ksc}, key));
        if (!base_nonce.empty()) PPX_TRY(labeled_expand(k, suite_id, "base_nonce", {ksc}, base_nonce));
        return labeled_expand(k, suite_id, "exp", {ksc}, exporter_secret);
    }

    static void extract(crypto::byte_parts salt, bytes_view ikm, mutable_bytes prk) noexcept {
        std::size_t len = 0;
        for (auto p : salt) len += p.size();
        // The salt is HMAC's key: one longer than a block is hashed first (RFC 2104 §2), so
        // the parts never need to be concatenated in memory beyond one block.
        std::uint8_t key[H::block_size > H::digest_size ? H::block_size : H::digest_size];
        wipe_on_exit wk(key);
        std::size_t key_len = 0;
        if (len > H::block_size) {
            crypto::hasher<H> h;
            for (auto p : salt) h.update(p);
            h.final(std::span<std::uint8_t, H::digest_size>(key, H::digest_size));
            key_len = H::digest_size;
        } else {
            for (auto p : salt) {
                if (!p.empty()) std::memcpy(key + key_len, p.data(), p.size());
                key_len += p.size();
            }
        }
        crypto::hkdf<H>::extract(bytes_view(key, key_len), {ikm}, std::span<std::uint8_t, n_h>(prk.data(), n_h));
    }
    static result<void> expand(bytes_view prk, bytes_view info, mutable_bytes out) noexcept {
        return crypto::hkdf<H>::expand(prk, {info}, out);
    }
    static result<void> extract_expand2(crypto::byte_parts salt, bytes_view ikm, bytes_view info1, mutable_bytes out1,
                                        bytes_view info2, mutable_bytes out2) noexcept {
        std::uint8_t prk[n_h];
        wipe_on_exit wp(prk);
        extract(salt, ikm, mutable_bytes(prk, n_h));
        const crypto::hmac_key<H> k(bytes_view(prk, n_h));
        PPX_TRY(crypto::hkdf<H>::expand(k, {info1}, out1));
        return crypto::hkdf<H>::expand(k, {info2}, out2);
    }

    static constexpr kdf_ops ops = {
        Id, n_h,
        [](bytes_view suite_id, bytes_view salt, std::string_view label, crypto::byte_parts ikm, mutable_bytes prk) noexcept {
            labeled_extract(suite_id, salt, label, ikm, std::span<std::uint8_t, n_h>(prk.data(), n_h));
        },
        [](bytes_view suite_id, bytes_view prk, std::string_view label, crypto::byte_parts info, mutable_bytes out) noexcept {
            return labeled_expand(crypto::hmac_key<H>(prk), suite_id, label, info, out);
        },
        &schedule, &extract, &expand, &extract_expand2, false, nullptr,
    };

};

using hkdf_sha256 = hkdf_kdf<crypto::sha256, kdf_id::hkdf_sha256>;
using hkdf_sha384 = hkdf_kdf<crypto::sha384, kdf_id::hkdf_sha384>;
using hkdf_sha512 = hkdf_kdf<crypto::sha512, kdf_id::hkdf_sha512>;

/// A one-stage HPKE KDF over an extendable-output function (draft-ietf-hpke-pq §5):
/// Derive(ikm, L) = Xof(ikm, L). `Xof` is a keccak::sponge type.
template <class Xof, kdf_id Id, std::size_t Nh>
struct xof_kdf {
    static constexpr kdf_id id = Id;
    static constexpr std::size_t n_h = Nh;

    /// LabeledDerive (draft-ietf-hpke-hpke §4), streamed into the sponge.
    static result<void> labeled_derive(bytes_view suite_id, crypto::byte_parts ikm, std::string_view label,
                                       crypto::byte_parts context, mutable_bytes out) noexcept {
        if (out.size() > 0xffff) return fail(errc::misuse, "hpke: derive length too large");
        if (label.size() > 0xffff) return fail(errc::misuse, "hpke: label too long");
        const std::uint8_t label_len[2] = {static_cast<std::uint8_t>(label.size() >> 8), static_cast<std::uint8_t>(label.size())};
        const std::uint8_t out_len[2] = {static_cast<std::uint8_t>(out.size() >> 8), static_cast<std::uint8_t>(out.size())};
        Xof x;
        for (auto p : ikm) x.absorb(p);
        x.absorb(as_bytes(version_label)).absorb(suite_id).absorb(label_len).absorb(as_bytes(label)).absorb(out_len);
        for (auto p : context) x.absorb(p);
        x.finalize();
        x.squeeze(out);
        return ok();
    }

    /// CombineSecrets_OneStage (draft-ietf-hpke-hpke §5.1); `ksc` is the one-stage context
    /// mode || lengthPrefixed(psk_id) || lengthPrefixed(info) built by key_schedule_input.
    static result<void> schedule(bytes_view suite_id, bytes_view shared_secret, bytes_view psk, bytes_view ksc,
                                 mutable_bytes key, mutable_bytes base_nonce, mutable_bytes exporter_secret) noexcept {
        if (psk.size() > 0xffff || shared_secret.size() > 0xffff) return fail(errc::misuse, "hpke: psk too long");
        const std::size_t nk = key.size(), nn = base_nonce.size(), nh = exporter_secret.size();
        std::uint8_t secret[max_key_size + nonce_size + max_hash_size];
        if (nk > max_key_size || nn > nonce_size || nh > max_hash_size) return fail(errc::misuse, "hpke: bad buffer size");
        wipe_on_exit ws(secret);
        const std::uint8_t psk_len[2] = {static_cast<std::uint8_t>(psk.size() >> 8), static_cast<std::uint8_t>(psk.size())};
        const std::uint8_t ss_len[2] = {static_cast<std::uint8_t>(shared_secret.size() >> 8),
                                        static_cast<std::uint8_t>(shared_secret.size())};
        PPX_TRY(labeled_derive(suite_id, {bytes_view(psk_len), psk, bytes_view(ss_len), shared_secret}, "secret", {ksc},
                               mutable_bytes(secret, nk + nn + nh)));
        if (nk != 0) std::memcpy(key.data(), secret, nk);
        if (nn != 0) std::memcpy(base_nonce.data(), secret + nk, nn);
        std::memcpy(exporter_secret.data(), secret + nk + nn, nh);
        return ok();
    }

    static constexpr kdf_ops ops = {
        Id, n_h, nullptr, nullptr, &schedule, nullptr, nullptr, nullptr, true, &labeled_derive,
    };
};

/// SHAKE128 as a one-stage KDF (draft-ietf-hpke-pq §5): Nh = 32.
using kdf_shake128 = xof_kdf<mlkem::keccak::shake128, kdf_id::shake128, 32>;
/// SHAKE256 as a one-stage KDF: Nh = 64.
using kdf_shake256 = xof_kdf<mlkem::keccak::shake256, kdf_id::shake256, 64>;
/// TurboSHAKE128 (RFC 9861, D = 0x1f) as a one-stage KDF: Nh = 32.
using kdf_turboshake128 = xof_kdf<mlkem::keccak::turboshake128<0x1f>, kdf_id::turboshake128, 32>;
/// TurboSHAKE256 (RFC 9861, D = 0x1f) as a one-stage KDF: Nh = 64.
using kdf_turboshake256 = xof_kdf<mlkem::keccak::turboshake256<0x1f>, kdf_id::turboshake256, 64>;

/// What an HPKE KDF policy provides.
template <class K>
concept kdf_policy = requires {
    { K::ops } -> std::convertible_to<const kdf_ops&>;
    { K::n_h } -> std::convertible_to<std::size_t>;
};

} // namespace ppx::hpke
