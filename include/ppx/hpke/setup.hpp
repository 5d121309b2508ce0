// ppx/hpke/setup.hpp: SetupS/SetupR in every mode (RFC 9180 §5.1.1-§5.1.4) and the
// single-shot Seal/Open APIs (§6.1).
//
// The mode follows from what is given: a psk (with its psk_id) selects psk mode, a sender
// key auth mode, both auth_psk. Two layers:
//  - the core functions (setup_s / setup_r with a key_schedule_input, seal into caller
//    buffers) never allocate for DHKEM(X25519);
//  - the RFC-named conveniences (setup_base_s, ..., seal, open) return owned buffers.
#pragma once

#include <ppx/hpke/suite.hpp>

namespace ppx::hpke {

/// The mode implied by the presence of a psk and of sender authentication.
constexpr mode mode_for(bool psk, bool auth) noexcept {
    return psk ? (auth ? mode::auth_psk : mode::psk) : (auth ? mode::auth : mode::base);
}

namespace detail {
inline result<void> check_kem(const suite& s, const kem_ops& k) noexcept {
    if (&k != &s.kem() && k.id != s.kem().id) return fail(errc::key_mismatch, "hpke: key belongs to another KEM");
    return ok();
}
} // namespace detail

/// SetupS (§5.1): encapsulates to pk_r, writes enc (exactly Nenc bytes) to the front of
/// `enc_out` and returns the sender context. `sk_s` non-null selects an authenticated mode
/// (its KEM must be the suite's). The mode recorded in `in` must match (errc::misuse).
/// Errors: errc::buffer_too_small if enc_out < Nenc (nothing written), errc::key_mismatch
/// for keys of another KEM, errc::unsupported for auth with a KEM that has none.
inline result<context> setup_s(const suite& s, const public_key& pk_r, const key_schedule_input& in, rng& r,
                               mutable_bytes enc_out, const private_key* sk_s = nullptr) noexcept {
    const kem_ops& kem = s.kem();
    PPX_TRY(detail::check_kem(s, pk_r.ops()));
    const bool auth = sk_s != nullptr;
    if ((in.mode() == mode::auth || in.mode() == mode::auth_psk) != auth)
        return fail(errc::misuse, "hpke: mode and sender key disagree");
    if (enc_out.size() < kem.n_enc) return fail(errc::buffer_too_small, "hpke: enc buffer too small");
    std::uint8_t ss[max_shared_secret_size];
    wipe_on_exit w(ss);
    const mutable_bytes shared(ss, kem.n_secret), enc = enc_out.first(kem.n_enc);
    if (auth) {
        if (!kem.supports_auth) return fail(errc::unsupported, "hpke: this KEM has no authenticated mode");
        PPX_TRY(detail::check_kem(s, sk_s->ops()));
        PPX_TRY(kem.auth_encap(pk_r.bytes(), sk_s->expose_secret(), sk_s->public_key_bytes(), r, shared, enc));
    } else {
        PPX_TRY(kem.encap(pk_r.bytes(), r, shared, enc));
    }
    return context::from_shared_secret(s, context::role::sender, in, shared);
}

/// SetupR (§5.1): decapsulates enc with sk_r and returns the recipient context. `pk_s`
/// non-null selects an authenticated mode. errc::malformed for a bad enc (wrong length,
/// invalid or small-order point); other errors as setup_s.
inline result<context> setup_r(const suite& s, const private_key& sk_r, bytes_view enc, const key_schedule_input& in,
                               const public_key* pk_s = nullptr) noexcept {
    const kem_ops& kem = s.kem();
    PPX_TRY(detail::check_kem(s, sk_r.ops()));
    const bool auth = pk_s != nullptr;
    if ((in.mode() == mode::auth || in.mode() == mode::auth_psk) != auth)
        return fail(errc::misuse, "hpke: mode and sender key disagree");
    if (enc.size() != kem.n_enc) return fail(errc::malformed, "hpke: encapsulated key has the wrong length");
    std::uint8_t ss[max_shared_secret_size];
    wipe_on_exit w(ss);
    const mutable_bytes shared(ss, kem.n_secret);
    if (auth) {
        if (!kem.supports_auth) return fail(errc::unsupported, "hpke: this KEM has no authenticated mode");
        PPX_TRY(detail::check_kem(s, pk_s->ops()));
        PPX_TRY(kem.auth_decap(enc, sk_r.expose_secret(), sk_r.public_key_bytes(), pk_s->bytes(), shared));
    } else if (sk_r.prepared() != nullptr && kem.decap_prepared != nullptr) {
        PPX_TRY(kem.decap_prepared(enc, sk_r.prepared(), shared));
    } else {
        PPX_TRY(kem.decap(enc, sk_r.expose_secret(), sk_r.public_key_bytes(), shared));
    }
    return context::from_shared_secret(s, context::role::recipient, in, shared);
}

/// Optional inputs of a sender: a psk with its id, and/or the sender's key (auth modes).
struct sender_options {
    bytes_view psk{};
    bytes_view psk_id{};
    const private_key* sender_key = nullptr;
};

/// Optional inputs of a recipient: a psk with its id, and/or the sender's public key.
struct recipient_options {
    bytes_view psk{};
    bytes_view psk_id{};
    const public_key* sender_public_key = nullptr;
};

/// A sender context with its encapsulated key.
struct sender {
    bytes enc;
    context ctx;
};

/// SetupS in the mode the options imply (§5.1.1-§5.1.4).
inline result<sender> setup_sender(const suite& s, const public_key& pk_r, bytes_view info, const sender_options& o = {},
                                   rng& r = system_rng()) {
    PPX_TRY_ASSIGN(auto in, key_schedule_input::make(s, mode_for(!o.psk.empty() || !o.psk_id.empty(), o.sender_key != nullptr),
                                                     info, o.psk, o.psk_id));
    bytes enc(s.kem().n_enc);
    PPX_TRY_ASSIGN(auto ctx, setup_s(s, pk_r, in, r, enc, o.sender_key));
    return sender{std::move(enc), std::move(ctx)};
}

/// SetupR in the mode the options imply.
inline result<context> setup_recipient(const suite& s, const private_key& sk_r, bytes_view enc, bytes_view info,
                                       const recipient_options& o = {}) {
    PPX_TRY_ASSIGN(auto in, key_schedule_input::make(
                                s, mode_for(!o.psk.empty() || !o.psk_id.empty(), o.sender_public_key != nullptr), info, o.psk, o.psk_id));
    return setup_r(s, sk_r, enc, in, o.sender_public_key);
}

// The RFC's names (§5.1.1-§5.1.4).
inline result<sender> setup_base_s(const suite& s, const public_key& pk_r, bytes_view info, rng& r = system_rng()) {
    return setup_sender(s, pk_r, info, {}, r);
}
inline result<context> setup_base_r(const suite& s, const private_key& sk_r, bytes_view enc, bytes_view info) {
    return setup_recipient(s, sk_r, enc, info, {});
}
inline result<sender> setup_psk_s(const suite& s, const public_key& pk_r, bytes_view info, bytes_view psk, bytes_view psk_id,
                                  rng& r = system_rng()) {
    return setup_sender(s, pk_r, info, {psk, psk_id, nullptr}, r);
}
inline result<context> setup_psk_r(const suite& s, const private_key& sk_r, bytes_view enc, bytes_view info, bytes_view psk,
                                   bytes_view psk_id) {
    return setup_recipient(s, sk_r, enc, info, {psk, psk_id, nullptr});
}
inline result<sender> setup_auth_s(const suite& s, const public_key& pk_r, bytes_view info, const private_key& sk_s,
                                   rng& r = system_rng()) {
    return setup_sender(s, pk_r, info, {{}, {}, &sk_s}, r);
}
inline result<context> setup_auth_r(const suite& s, const private_key& sk_r, bytes_view enc, bytes_view info,
                                    const public_key& pk_s) {
    return setup_recipient(s, sk_r, enc, info, {{}, {}, &pk_s});
}
inline result<sender> setup_auth_psk_s(const suite& s, const public_key& pk_r, bytes_view info, bytes_view psk,
                                       bytes_view psk_id, const private_key& sk_s, rng& r = system_rng()) {
    return setup_sender(s, pk_r, info, {psk, psk_id, &sk_s}, r);
}
inline result<context> setup_auth_psk_r(const suite& s, const private_key& sk_r, bytes_view enc, bytes_view info,
                                        bytes_view psk, bytes_view psk_id, const public_key& pk_s) {
    return setup_recipient(s, sk_r, enc, info, {psk, psk_id, &pk_s});
}

// ---------------------------------------------------------------- single-shot (§6.1)

/// Single-shot Seal into caller buffers: enc (Nenc bytes) into enc_out and the ciphertext
/// (pt.size() + Nt bytes) into ct_out; returns the ciphertext length. Allocation-free for
/// DHKEM(X25519). Errors as setup_s and context::seal; on error nothing usable is written.
inline result<std::size_t> seal(const suite& s, const public_key& pk_r, const key_schedule_input& in, bytes_view aad,
                                bytes_view pt, rng& r, mutable_bytes enc_out, mutable_bytes ct_out,
                                const private_key* sk_s = nullptr) noexcept {
    if (ct_out.size() < pt.size() + s.overhead()) return fail(errc::buffer_too_small, "hpke: ciphertext buffer too small");
    PPX_TRY_ASSIGN(auto ctx, setup_s(s, pk_r, in, r, enc_out, sk_s));
    return ctx.seal(aad, pt, ct_out);
}

/// Single-shot Open from caller buffers: the plaintext (ct.size() - Nt bytes) into pt_out;
/// returns its length. errc::crypto_failure if authentication fails.
inline result<std::size_t> open(const suite& s, const private_key& sk_r, bytes_view enc, const key_schedule_input& in,
                                bytes_view aad, bytes_view ct, mutable_bytes pt_out, const public_key* pk_s = nullptr) noexcept {
    PPX_TRY_ASSIGN(auto ctx, setup_r(s, sk_r, enc, in, pk_s));
    return ctx.open(aad, ct, pt_out);
}

/// The result of single-shot Seal.
struct sealed_message {
    bytes enc;
    bytes ct;
};

/// Single-shot Seal (§6.1) in the mode the options imply.
inline result<sealed_message> seal(const suite& s, const public_key& pk_r, bytes_view info, bytes_view aad, bytes_view pt,
                                   const sender_options& o = {}, rng& r = system_rng()) {
    PPX_TRY_ASSIGN(auto snd, setup_sender(s, pk_r, info, o, r));
    PPX_TRY_ASSIGN(auto ct, snd.ctx.seal(aad, pt));
    return sealed_message{std::move(snd.enc), std::move(ct)};
}

/// Single-shot Open (§6.1) in the mode the options imply.
inline result<secure_bytes> open(const suite& s, const private_key& sk_r, bytes_view enc, bytes_view info, bytes_view aad,
                                 bytes_view ct, const recipient_options& o = {}) {
    PPX_TRY_ASSIGN(auto ctx, setup_recipient(s, sk_r, enc, info, o));
    return ctx.open(aad, ct);
}

/// Single-shot Export, sender side (§6.2): returns enc and the exported secret.
inline result<std::pair<bytes, secure_bytes>> send_export(const suite& s, const public_key& pk_r, bytes_view info,
                                                          bytes_view exporter_context, std::size_t length,
                                                          const sender_options& o = {}, rng& r = system_rng()) {
    PPX_TRY_ASSIGN(auto snd, setup_sender(s, pk_r, info, o, r));
    PPX_TRY_ASSIGN(auto secret, snd.ctx.export_secret(exporter_context, length));
    return std::pair<bytes, secure_bytes>{std::move(snd.enc), std::move(secret)};
}

/// Single-shot Export, recipient side (§6.2).
inline result<secure_bytes> receive_export(const suite& s, const private_key& sk_r, bytes_view enc, bytes_view info,
                                           bytes_view exporter_context, std::size_t length, const recipient_options& o = {}) {
    PPX_TRY_ASSIGN(auto ctx, setup_recipient(s, sk_r, enc, info, o));
    return ctx.export_secret(exporter_context, length);
}

} // namespace ppx::hpke
