// ppx/hpke/context.hpp: the runtime suite and the encryption context (RFC 9180 §5.2, §5.3).
#pragma once

#include <ppx/hpke/aead.hpp>
#include <ppx/hpke/kdf.hpp>
#include <ppx/hpke/kem.hpp>

#include <array>
#include <limits>

namespace ppx::hpke {

/// A ciphersuite: the KEM, KDF and AEAD tables plus the HPKE suite_id
/// ("HPKE" || kem_id || kdf_id || aead_id, §5.1). Cheap to copy; make one with
/// suite::from_ids() (run time, from wire ids) or suite::of<Kem, Kdf, Aead>() (compile time).
class suite {
public:
    /// The runtime dispatcher: errc::unsupported for any id ppx does not implement.
    static result<suite> from_ids(kem_id kem, kdf_id kdf, aead_id aead) noexcept;
    static result<suite> from_ids(suite_ids ids) noexcept { return from_ids(ids.kem, ids.kdf, ids.aead); }

    /// A suite fixed at compile time from policy types, e.g.
    /// suite::of<dhkem_x25519_sha256, hkdf_sha256, aes128gcm>().
    template <class Kem, class Kdf, class Aead>
    static constexpr suite of() noexcept {
        return suite(Kem::ops, Kdf::ops, Aead::ops);
    }

    constexpr suite(const kem_ops& k, const kdf_ops& f, const aead_ops& a) noexcept
        : kem_(&k), kdf_(&f), aead_(&a),
          id_{'H', 'P', 'K', 'E', hi(static_cast<std::uint16_t>(k.id)), lo(static_cast<std::uint16_t>(k.id)),
              hi(static_cast<std::uint16_t>(f.id)), lo(static_cast<std::uint16_t>(f.id)), hi(static_cast<std::uint16_t>(a.id)),
              lo(static_cast<std::uint16_t>(a.id))} {}

    const kem_ops& kem() const noexcept { return *kem_; }
    const kdf_ops& kdf() const noexcept { return *kdf_; }
    const aead_ops& aead() const noexcept { return *aead_; }
    suite_ids ids() const noexcept { return {kem_->id, kdf_->id, aead_->id}; }
    /// The 10-byte suite_id used in every labeled operation.
    bytes_view id() const noexcept { return id_; }
    /// Ciphertext expansion of Seal: Nt (0 for export-only).
    std::size_t overhead() const noexcept { return aead_->n_t; }

private:
    static constexpr std::uint8_t hi(std::uint16_t v) { return static_cast<std::uint8_t>(v >> 8); }
    static constexpr std::uint8_t lo(std::uint16_t v) { return static_cast<std::uint8_t>(v); }
    const kem_ops* kem_;
    const kdf_ops* kdf_;
    const aead_ops* aead_;
    std::array<std::uint8_t, 10> id_;
};

/// The parts of the key schedule that depend only on the mode, info, psk and psk_id
/// (RFC 9180 §5.1: VerifyPSKInputs, psk_id_hash, info_hash, key_schedule_context). Build it
/// once and reuse it when many setups share them (a gateway's fixed info string): each
/// setup then skips two LabeledExtracts.
class key_schedule_input {
public:
    /// Fails with errc::misuse when psk and psk_id are not both given or both absent, when
    /// the mode disagrees with their presence, or when the psk is shorter than 32 bytes (§9.5).
    static result<key_schedule_input> make(const suite& s, mode m, bytes_view info, bytes_view psk = {},
                                           bytes_view psk_id = {}) {
        // §5.1 VerifyPSKInputs.
        const bool got_psk = !psk.empty(), got_psk_id = !psk_id.empty();
        if (got_psk != got_psk_id) return fail(errc::misuse, "hpke: psk and psk_id must be given together");
        const bool psk_mode = m == mode::psk || m == mode::auth_psk;
        if (got_psk && !psk_mode) return fail(errc::misuse, "hpke: psk given in a non-psk mode");
        if (!got_psk && psk_mode) return fail(errc::misuse, "hpke: psk mode needs a psk");
        if (got_psk && psk.size() < min_psk_size) return fail(errc::misuse, "hpke: psk shorter than 32 bytes");

        key_schedule_input in;
        in.mode_ = m;
        if (s.kdf().one_stage) {
            // draft-ietf-hpke-hpke §5.1 CombineSecrets_OneStage:
            // context = mode || lengthPrefixed(psk_id) || lengthPrefixed(info) (§7.2.1: each < 2^16).
            if (psk.size() > 0xffff || psk_id.size() > 0xffff || info.size() > 0xffff)
                return fail(errc::misuse, "hpke: psk, psk_id or info longer than 65535 bytes (one-stage KDF)");
            in.long_context_.reserve(5 + psk_id.size() + info.size());
            in.long_context_.push_back(static_cast<std::uint8_t>(m));
            for (bytes_view part : {psk_id, info}) {
                in.long_context_.push_back(static_cast<std::uint8_t>(part.size() >> 8));
                in.long_context_.push_back(static_cast<std::uint8_t>(part.size()));
                in.long_context_.insert(in.long_context_.end(), part.begin(), part.end());
            }
        } else {
            const std::size_t nh = s.kdf().n_h;
            in.context_[0] = static_cast<std::uint8_t>(m);
            s.kdf().labeled_extract(s.id(), {}, "psk_id_hash", {psk_id}, mutable_bytes(in.context_.data() + 1, nh));
            s.kdf().labeled_extract(s.id(), {}, "info_hash", {info}, mutable_bytes(in.context_.data() + 1 + nh, nh));
            in.context_len_ = 1 + 2 * nh;
        }
        in.psk_.assign(psk.begin(), psk.end());
        in.kdf_ = s.kdf().id;
        return in;
    }

    hpke::mode mode() const noexcept { return mode_; }
    kdf_id kdf() const noexcept { return kdf_; }
    /// key_schedule_context = mode || psk_id_hash || info_hash (two-stage KDF), or
    /// mode || lengthPrefixed(psk_id) || lengthPrefixed(info) (one-stage KDF).
    bytes_view key_schedule_context() const noexcept {
        if (!long_context_.empty()) return long_context_;
        return bytes_view(context_.data(), context_len_);
    }
    bytes_view psk() const noexcept { return psk_; }

private:
    key_schedule_input() = default;
    hpke::mode mode_ = mode::base;
    kdf_id kdf_ = kdf_id::hkdf_sha256;
    std::array<std::uint8_t, 1 + 2 * max_hash_size> context_{};
    std::size_t context_len_ = 0;
    ppx::bytes long_context_;  // the one-stage context (psk_id and info are not secret)
    secure_bytes psk_;
};

/// An HPKE encryption context (§5.2): the sender's seals, the recipient's opens, and either
/// side's Export. Holds its keys inline (no allocation), wipes them on destruction and on
/// move-from. Not thread-safe: one context per message stream.
class context {
public:
    enum class role : std::uint8_t { sender, recipient };

    context(const context&) = delete;
    context& operator=(const context&) = delete;
    context(context&& o) noexcept : suite_(o.suite_), role_(o.role_) { take(o); }
    context& operator=(context&& o) noexcept {
        if (this != &o) {
            clear();
            take(o);
        }
        return *this;
    }
    ~context() { clear(); }

    /// Seal(aad, pt) (§5.2) into `out`, which needs pt.size() + overhead() bytes; returns the
    /// bytes written. errc::misuse on a recipient or export-only context or when the sequence
    /// number is exhausted; errc::buffer_too_small (nothing written) if `out` is short. The
    /// sequence number advances only on success.
    result<std::size_t> seal(bytes_view aad, bytes_view pt, mutable_bytes out) noexcept {
        if (role_ != role::sender) return fail(errc::misuse, "hpke: seal on a recipient context");
        PPX_TRY(check_usable());
        std::uint8_t nonce[nonce_size];
        compute_nonce(nonce);
        PPX_TRY_ASSIGN(std::size_t n, suite_.aead().seal_cached(key_id_, key(), bytes_view(nonce, n_n()), aad, pt, out));
        ++seq_;
        return n;
    }
    /// Seal returning a new buffer.
    result<bytes> seal(bytes_view aad, bytes_view pt) {
        bytes out(pt.size() + suite_.overhead());
        PPX_TRY_ASSIGN(std::size_t n, seal(aad, pt, out));
        out.resize(n);
        return out;
    }

    /// Open(aad, ct) (§5.2) into `out` (ct.size() - overhead() bytes needed); returns the
    /// plaintext length. errc::crypto_failure if authentication fails (out then holds no
    /// plaintext); the sequence number advances only on success.
    result<std::size_t> open(bytes_view aad, bytes_view ct, mutable_bytes out) noexcept {
        if (role_ != role::recipient) return fail(errc::misuse, "hpke: open on a sender context");
        PPX_TRY(check_usable());
        std::uint8_t nonce[nonce_size];
        compute_nonce(nonce);
        PPX_TRY_ASSIGN(std::size_t n, suite_.aead().open_cached(key_id_, key(), bytes_view(nonce, n_n()), aad, ct, out));
        ++seq_;
        return n;
    }
    /// Open returning a new (wiping) buffer.
    result<secure_bytes> open(bytes_view aad, bytes_view ct) {
        if (ct.size() < suite_.overhead()) return fail(errc::crypto_failure, "hpke: open failed");
        secure_bytes out(ct.size() - suite_.overhead());
        PPX_TRY_ASSIGN(std::size_t n, open(aad, ct, out));
        out.resize(n);
        return out;
    }

    /// Streaming Open, for messages whose ciphertext arrives in pieces (chunked OHTTP): an
    /// opener holding this context's key (errc::misuse on a sender or export-only context).
    result<crypto::aead_stream_opener> stream_opener() const noexcept {
        if (role_ != role::recipient) return fail(errc::misuse, "hpke: open on a sender context");
        PPX_TRY(check_usable());
        return crypto::aead_stream_opener::make(static_cast<std::uint16_t>(suite_.aead().id), key());
    }
    /// Starts opening the message of the current sequence number in `s` (from
    /// stream_opener()) with `aad`; feed it with s.update(), check it with s.finish(), and
    /// call end_stream_open() once that succeeded.
    result<void> begin_stream_open(crypto::aead_stream_opener& s, bytes_view aad) noexcept {
        if (role_ != role::recipient) return fail(errc::misuse, "hpke: open on a sender context");
        PPX_TRY(check_usable());
        std::uint8_t nonce[nonce_size];
        compute_nonce(nonce);
        return s.begin(bytes_view(nonce, n_n()), aad);
    }
    /// The message begun with begin_stream_open() authenticated: advances the sequence number.
    void end_stream_open() noexcept { ++seq_; }

    /// Export(exporter_context, L = out.size()) (§5.3); errc::misuse if L > 255 * Nh (two-stage
    /// KDF) or L >= 2^16 (one-stage KDF: LabeledDerive(exporter_secret, "sec", exporter_context, L),
    /// draft-ietf-hpke-hpke Context.Export_OneStage).
    result<void> export_secret(bytes_view exporter_context, mutable_bytes out) const noexcept {
        if (!live_) return fail(errc::misuse, "hpke: context was moved from");
        if (suite_.kdf().one_stage)
            return suite_.kdf().labeled_derive(suite_.id(), {exporter_secret()}, "sec", {exporter_context}, out);
        return suite_.kdf().labeled_expand(suite_.id(), exporter_secret(), "sec", {exporter_context}, out);
    }
    result<secure_bytes> export_secret(bytes_view exporter_context, std::size_t length) const {
        secure_bytes out(length);
        PPX_TRY(export_secret(exporter_context, out));
        return out;
    }

    const hpke::suite& suite() const noexcept { return suite_; }
    role which() const noexcept { return role_; }
    /// The number of messages sealed or opened so far.
    std::uint64_t sequence() const noexcept { return seq_; }
    /// Moves the sequence number, so tests can reach the message limit without sealing
    /// 2^64 messages. Reusing a sequence number reuses a nonce: never call this otherwise.
    void set_sequence_for_testing(std::uint64_t seq) noexcept { seq_ = seq; }

    /// The key schedule (§5.1) from a KEM shared secret. Used by the setup functions.
    static result<context> from_shared_secret(const hpke::suite& s, role r, const key_schedule_input& in,
                                              bytes_view shared_secret) noexcept {
        if (in.kdf() != s.kdf().id) return fail(errc::misuse, "hpke: key schedule input made for another suite");
        context c(s, r);
        PPX_TRY(s.kdf().schedule(s.id(), shared_secret, in.psk(), in.key_schedule_context(),
                                 mutable_bytes(c.key_.data(), s.aead().n_k), mutable_bytes(c.base_nonce_.data(), s.aead().n_n),
                                 mutable_bytes(c.exporter_secret_.data(), s.kdf().n_h)));
        return c;
    }

private:
    context(const hpke::suite& s, role r) noexcept : suite_(s), role_(r), key_id_(crypto::detail_aead::new_key_id()) {}

    std::size_t n_n() const noexcept { return suite_.aead().n_n; }
    bytes_view key() const noexcept { return bytes_view(key_.data(), suite_.aead().n_k); }
    bytes_view exporter_secret() const noexcept { return bytes_view(exporter_secret_.data(), suite_.kdf().n_h); }

    result<void> check_usable() const noexcept {
        if (!live_) return fail(errc::misuse, "hpke: context was moved from");
        if (suite_.aead().seal == nullptr) return fail(errc::misuse, "hpke: export-only context cannot seal or open");
        // §5.2: the limit is 2^(8*Nn) - 1 messages; ppx keeps a 64-bit counter and stops one
        // short of its wrap, which is far below that limit and never reuses a nonce.
        if (seq_ == std::numeric_limits<std::uint64_t>::max()) return fail(errc::misuse, "hpke: message limit reached");
        return ok();
    }
    // ComputeNonce(seq) = base_nonce XOR I2OSP(seq, Nn) (§5.2).
    void compute_nonce(std::uint8_t* nonce) const noexcept {
        const std::size_t nn = n_n();
        std::memcpy(nonce, base_nonce_.data(), nn);
        for (std::size_t i = 0; i < 8 && i < nn; ++i) nonce[nn - 1 - i] ^= static_cast<std::uint8_t>(seq_ >> (8 * i));
    }
    void clear() noexcept {
        if (live_ && suite_.aead().forget) suite_.aead().forget(key_id_);
        wipe(key_);
        wipe(base_nonce_);
        wipe(exporter_secret_);
    }
    void take(context& o) noexcept {
        suite_ = o.suite_;
        role_ = o.role_;
        seq_ = o.seq_;
        key_id_ = o.key_id_;
        key_ = o.key_;
        base_nonce_ = o.base_nonce_;
        exporter_secret_ = o.exporter_secret_;
        live_ = o.live_;
        // The key (and its id) now belong to *this: wipe the source without unloading it.
        o.live_ = false;
        o.clear();
    }

    hpke::suite suite_;
    role role_;
    std::uint64_t seq_ = 0;
    bool live_ = true;
    std::uint64_t key_id_ = 0;
    std::array<std::uint8_t, max_key_size> key_{};
    std::array<std::uint8_t, nonce_size> base_nonce_{};
    std::array<std::uint8_t, max_hash_size> exporter_secret_{};
};

} // namespace ppx::hpke
