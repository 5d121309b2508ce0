// ppx/ohttp/client.hpp: the client side of Oblivious HTTP (RFC 9458 §4.3, §4.4).
//
//   auto c = ohttp::client::make(config);               // picks the first suite ppx supports
//   auto [msg, ctx] = *c->encapsulate(bhttp_request);  // send msg as message/ohttp-req
//   auto response = std::move(ctx).open(enc_response); // then decode with bhttp
//
// A client is immutable and may be shared between threads; each encapsulation draws a
// fresh ephemeral key from the rng. The returned context opens exactly one response.
#pragma once

#include <ppx/ohttp/common.hpp>

namespace ppx::ohttp {

/// What a client keeps after sending a request: opens the one response to it. Consumed by
/// open(); afterwards (or after a failed open) every call is errc::misuse.
class client_context {
public:
    /// The response nonce length, max(Nn, Nk).
    std::size_t nonce_size() const noexcept { return state_.nonce_size(); }
    /// The plaintext length of an encapsulated response of `n` bytes (0 if too short).
    std::size_t plaintext_size(std::size_t n) const noexcept {
        const std::size_t min = nonce_size() + state_.suite().overhead();
        return n < min ? 0 : n - min;
    }

    /// Decapsulates an Encapsulated Response (RFC 9458 §4.4): response_nonce || ct. Writes
    /// the plaintext into `out` (at least plaintext_size(enc_response.size()) bytes) and
    /// returns its length. errc::crypto_failure for any inauthentic or truncated response
    /// (out then holds no plaintext); errc::buffer_too_small if `out` is short (the context
    /// stays usable then); errc::misuse if the context was already used.
    result<std::size_t> open(bytes_view enc_response, mutable_bytes out) && {
        if (!state_.live()) return fail(errc::misuse, "ohttp: context already used");
        const std::size_t nn = nonce_size(), nt = state_.suite().overhead();
        if (enc_response.size() < nn + nt) {
            state_.consume();
            return fail(errc::crypto_failure);
        }
        if (out.size() < enc_response.size() - nn - nt) return fail(errc::buffer_too_small, "ohttp: output buffer too small");
        auto keys = state_.keys(enc_response.first(nn));
        state_.consume();
        if (!keys) return unexpected(keys.error());
        auto n = state_.suite().aead().open(keys->key(), keys->nonce(), {}, enc_response.subspan(nn), out);
        if (!n) return fail(n.error() == errc::crypto_failure ? errc::crypto_failure : n.error().code);
        return *n;
    }
    /// As above, returning the plaintext in a wiping buffer.
    result<secure_bytes> open(bytes_view enc_response) && {
        secure_bytes out(plaintext_size(enc_response.size()));
        PPX_TRY_ASSIGN(const std::size_t n, std::move(*this).open(enc_response, mutable_bytes(out)));
        out.resize(n);
        return out;
    }

private:
    friend class client;
    explicit client_context(const hpke::suite& s) noexcept : state_(s) {}
    detail::response_state state_;
};

/// An Encapsulated Request and the context that opens its response.
struct encapsulated_request {
    bytes message;
    client_context context;
};

/// A client bound to one key configuration and symmetric suite. Immutable.
class client {
public:
    /// Binds to `config` with the chosen suite. errc::unsupported if ppx does not implement
    /// the KEM, KDF or AEAD (or the AEAD is export-only, or the KDF one-stage), errc::key_mismatch if the config
    /// does not offer the suite, errc::malformed for an invalid public key.
    static result<client> make(const key_config& config, symmetric_suite suite, labels l = labels::bhttp()) {
        if (!config.offers(suite)) return fail(errc::key_mismatch, "ohttp: suite not offered by the key config");
        if (suite.aead == hpke::aead_id::export_only) return fail(errc::unsupported, "ohttp: export-only AEAD");
        // RFC 9458 §4.4 needs Extract/Expand for the response keys; see docs/ohttp.md.
        if (hpke::is_one_stage(suite.kdf)) return fail(errc::unsupported, "ohttp: one-stage KDFs have no RFC 9458 response keys");
        PPX_TRY_ASSIGN(auto s, hpke::suite::from_ids(config.kem(), suite.kdf, suite.aead));
        PPX_TRY_ASSIGN(auto pk, hpke::public_key::from_bytes(s.kem(), config.public_key()));
        const request_header hdr{config.key_id(), s.ids()};
        const bytes info = request_info(l.request_label, hdr);
        PPX_TRY_ASSIGN(auto in, hpke::key_schedule_input::make(s, hpke::mode::base, info));
        return client(hdr, s, std::move(pk), std::move(in), std::move(l));
    }
    /// Binds to the first suite of `config` that ppx implements; errc::unsupported if none.
    static result<client> make(const key_config& config, labels l = labels::bhttp()) {
        for (const auto& s : config.suites()) {
            if (s.aead == hpke::aead_id::export_only || hpke::is_one_stage(s.kdf) ||
                !hpke::suite::from_ids(config.kem(), s.kdf, s.aead))
                continue;
            return make(config, s, std::move(l));
        }
        return fail(errc::unsupported, "ohttp: no supported suite in the key config");
    }

    /// Bytes of an Encapsulated Request for `plaintext` bytes: 7 + Nenc + plaintext + Nt.
    std::size_t request_size(std::size_t plaintext) const noexcept {
        return header_size + suite_.kem().n_enc + plaintext + suite_.overhead();
    }

    /// Encapsulates `request` (RFC 9458 §4.3): writes hdr || enc || ct into `out` (at least
    /// request_size(request.size()) bytes) and returns the length written and the context
    /// for the response. The ephemeral key comes from `r`. errc::buffer_too_small (nothing
    /// written) for a short `out`; errc::internal if the rng or the crypto fails.
    result<std::pair<std::size_t, client_context>> encapsulate(bytes_view request, mutable_bytes out,
                                                               rng& r = system_rng()) const {
        const std::size_t total = request_size(request.size()), nenc = suite_.kem().n_enc;
        if (out.size() < total) return fail(errc::buffer_too_small, "ohttp: output buffer too small");
        hdr_.write(std::span<std::uint8_t, header_size>(out.data(), header_size));
        const mutable_bytes enc = out.subspan(header_size, nenc);
        auto ctx = hpke::setup_s(suite_, pk_, in_, r, enc);
        if (!ctx) {
            wipe(out.first(header_size + nenc));
            return unexpected(ctx.error());
        }
        PPX_TRY(ctx->seal({}, request, out.subspan(header_size + nenc)));
        client_context c(suite_);
        PPX_TRY(c.state_.init(*ctx, labels_.response_label, enc));
        return std::pair<std::size_t, client_context>(total, std::move(c));
    }
    /// As above, returning an owned message.
    result<encapsulated_request> encapsulate(bytes_view request, rng& r = system_rng()) const {
        bytes msg(request_size(request.size()));
        PPX_TRY_ASSIGN(auto p, encapsulate(request, mutable_bytes(msg), r));
        return encapsulated_request{std::move(msg), std::move(p.second)};
    }

    const hpke::suite& suite() const noexcept { return suite_; }
    const request_header& header() const noexcept { return hdr_; }
    const ohttp::labels& labels() const noexcept { return labels_; }
    const hpke::public_key& public_key() const noexcept { return pk_; }
    /// The precomputed key schedule input of this client's requests (for the chunked variant).
    const hpke::key_schedule_input& schedule_input() const noexcept { return in_; }

private:
    client(request_header h, hpke::suite s, hpke::public_key pk, hpke::key_schedule_input in, ohttp::labels l)
        : hdr_(h), suite_(s), pk_(std::move(pk)), in_(std::move(in)), labels_(std::move(l)) {}

    request_header hdr_;
    hpke::suite suite_;
    hpke::public_key pk_;
    hpke::key_schedule_input in_;
    ohttp::labels labels_;
};

} // namespace ppx::ohttp
