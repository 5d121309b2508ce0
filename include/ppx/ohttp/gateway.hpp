// ppx/ohttp/gateway.hpp: the Oblivious Gateway Resource's side of RFC 9458 (§4.3, §4.4).
//
// A gateway holds any number of key configurations with their private keys (rotation:
// publish the new config, keep the previous one until clients have moved on; both work).
// It is an immutable handle to shared state: copying is cheap, and every method is const
// and safe to call from many threads at once. The per-(key, suite) HPKE key schedule
// inputs are computed once at construction, so a request costs the KEM decapsulation, one
// key schedule, one open, and later one export and one seal.
#pragma once

#include <ppx/ohttp/common.hpp>

#include <memory>
#include <vector>

namespace ppx::ohttp {

/// What a gateway keeps after decapsulating a request: seals the one response to it.
/// Consumed by seal(); afterwards every call is errc::misuse.
class gateway_context {
public:
    /// The response nonce length, max(Nn, Nk).
    std::size_t nonce_size() const noexcept { return state_.nonce_size(); }
    /// Bytes of the Encapsulated Response for `plaintext` bytes: max(Nn, Nk) + plaintext + Nt.
    std::size_t response_size(std::size_t plaintext) const noexcept {
        return nonce_size() + plaintext + state_.suite().overhead();
    }

    /// Encapsulates `response` (RFC 9458 §4.4): draws response_nonce (max(Nn, Nk) bytes)
    /// from `r`, writes response_nonce || ct into `out` (at least response_size() bytes) and
    /// returns the length. errc::buffer_too_small for a short `out` (the context stays
    /// usable); errc::misuse if already used; errc::internal/misuse if `r` fails.
    result<std::size_t> seal(bytes_view response, mutable_bytes out, rng& r = system_rng()) && {
        if (!state_.live()) return fail(errc::misuse, "ohttp: context already used");
        const std::size_t nn = nonce_size(), total = response_size(response.size());
        if (out.size() < total) return fail(errc::buffer_too_small, "ohttp: output buffer too small");
        const mutable_bytes nonce = out.first(nn);
        PPX_TRY(r.fill(nonce));
        auto keys = state_.keys(nonce);
        state_.consume();
        if (!keys) return unexpected(keys.error());
        PPX_TRY(state_.suite().aead().seal(keys->key(), keys->nonce(), {}, response, out.subspan(nn)));
        return total;
    }
    /// As above, returning an owned message.
    result<bytes> seal(bytes_view response, rng& r = system_rng()) && {
        bytes out(response_size(response.size()));
        PPX_TRY(std::move(*this).seal(response, mutable_bytes(out), r));
        return out;
    }

    const hpke::suite& suite() const noexcept { return state_.suite(); }
    /// The key_id the request used.
    std::uint8_t key_id() const noexcept { return key_id_; }
    /// The request's encapsulated key (public; unique per request): what replay_window
    /// remembers (RFC 9458 §6.5). Valid while this context lives.
    bytes_view enc() const noexcept { return state_.enc(); }

private:
    friend class gateway;
    gateway_context(const hpke::suite& s, std::uint8_t key_id) noexcept : state_(s), key_id_(key_id) {}
    detail::response_state state_;
    std::uint8_t key_id_;
};

/// A decapsulated request: the plaintext (a Binary HTTP request, by default) and the
/// context that seals its response.
struct decapsulated_request {
    secure_bytes plaintext;
    gateway_context context;
};

/// One configured key: its published config and the matching private key.
struct gateway_key {
    key_config config;
    hpke::private_key private_key;
};

class gateway {
public:
    /// Builds a gateway. Fails with errc::misuse for no keys or a key_id used twice,
    /// errc::key_mismatch when a private key is not the config's (wrong KEM or public key),
    /// errc::unsupported if a config offers no suite ppx implements.
    static result<gateway> make(std::vector<gateway_key> keys, labels l = labels::bhttp()) {
        if (keys.empty()) return fail(errc::misuse, "ohttp: gateway needs at least one key");
        auto st = std::make_shared<state>();
        st->labels = std::move(l);
        st->index.fill(-1);
        for (auto& k : keys) {
            const std::uint8_t id = k.config.key_id();
            if (st->index[id] >= 0) return fail(errc::misuse, "ohttp: duplicate key_id");
            if (k.private_key.kem() != k.config.kem() || !ct_equal(k.private_key.public_key_bytes(), k.config.public_key()))
                return fail(errc::key_mismatch, "ohttp: private key does not match its key config");
            entry e{std::move(k.config), std::move(k.private_key), {}};
            for (const auto& sym : e.config.suites()) {
                // Export-only AEADs and one-stage KDFs (no RFC 9458 §4.4 response keys; see
                // docs/ohttp.md) are never served: requests using them get errc::unsupported.
                if (sym.aead == hpke::aead_id::export_only || hpke::is_one_stage(sym.kdf)) continue;
                auto s = hpke::suite::from_ids(e.config.kem(), sym.kdf, sym.aead);
                if (!s) continue;  // offered but not implemented here: requests using it are refused
                const bytes info = request_info(st->labels.request_label, request_header{id, s->ids()});
                PPX_TRY_ASSIGN(auto in, hpke::key_schedule_input::make(*s, hpke::mode::base, info));
                e.suites.push_back(prepared{*s, std::move(in)});
            }
            if (e.suites.empty()) return fail(errc::unsupported, "ohttp: key config offers no supported suite");
            st->index[id] = static_cast<std::int16_t>(st->entries.size());
            st->entries.push_back(std::move(e));
        }
        return gateway(std::move(st));
    }

    /// The plaintext length of an Encapsulated Request of `n` bytes, or 0 if `n` is too
    /// short to be one (its header names the suite, so this reads the header).
    std::size_t plaintext_size(bytes_view enc_request) const noexcept {
        auto h = request_header::parse(enc_request);
        if (!h) return 0;
        const prepared* p = find(*h).value_or(nullptr);
        if (!p) return 0;
        const std::size_t min = header_size + p->suite.kem().n_enc + p->suite.overhead();
        return enc_request.size() < min ? 0 : enc_request.size() - min;
    }

    /// Decapsulates an Encapsulated Request (RFC 9458 §4.3), writing the plaintext into
    /// `out` (at least plaintext_size() bytes) and returning its length and the response
    /// context. Errors (map them with to_http_error()):
    ///  - errc::malformed: shorter than a header and enc, or an invalid enc;
    ///  - errc::key_mismatch: unknown key_id, or a KEM that is not the key's (§4.3 step 1a);
    ///  - errc::unsupported: a KDF/AEAD pair not offered with that key (§4.3 step 1b);
    ///  - errc::crypto_failure: the request does not authenticate (out holds no plaintext);
    ///  - errc::buffer_too_small: `out` is short.
    result<std::pair<std::size_t, gateway_context>> decapsulate(bytes_view enc_request, mutable_bytes out) const {
        PPX_TRY_ASSIGN(const auto h, request_header::parse(enc_request));
        PPX_TRY_ASSIGN(const prepared* p, find(h));
        const entry& e = st_->entries[static_cast<std::size_t>(st_->index[h.key_id])];
        const std::size_t nenc = p->suite.kem().n_enc;
        if (enc_request.size() < header_size + nenc) return fail(errc::malformed, "ohttp: truncated encapsulated request");
        const bytes_view enc = enc_request.subspan(header_size, nenc), ct = enc_request.subspan(header_size + nenc);
        if (ct.size() < p->suite.overhead()) return fail(errc::crypto_failure);
        if (out.size() < ct.size() - p->suite.overhead()) return fail(errc::buffer_too_small, "ohttp: output buffer too small");
        PPX_TRY_ASSIGN(auto ctx, hpke::setup_r(p->suite, e.key, enc, p->input));
        auto n = ctx.open({}, ct, out);
        if (!n) return n.error().code == errc::crypto_failure ? fail(errc::crypto_failure) : unexpected(n.error());
        gateway_context g(p->suite, h.key_id);
        PPX_TRY(g.state_.init(ctx, st_->labels.response_label, enc));
        return std::pair<std::size_t, gateway_context>(*n, std::move(g));
    }
    /// As above, returning the plaintext in a wiping buffer.
    result<decapsulated_request> decapsulate(bytes_view enc_request) const {
        secure_bytes out(plaintext_size(enc_request));
        PPX_TRY_ASSIGN(auto p, decapsulate(enc_request, mutable_bytes(out)));
        out.resize(p.first);
        return decapsulated_request{std::move(out), std::move(p.second)};
    }

    /// Starts the HPKE recipient context for a request header and enc (for the chunked
    /// variant, which opens the rest itself). Errors as decapsulate().
    result<hpke::context> setup(const request_header& h, bytes_view enc) const {
        PPX_TRY_ASSIGN(const prepared* p, find(h));
        const entry& e = st_->entries[static_cast<std::size_t>(st_->index[h.key_id])];
        return hpke::setup_r(p->suite, e.key, enc, p->input);
    }
    /// Nenc for a header's KEM, or 0 when the header names no configured key.
    std::size_t enc_size(const request_header& h) const noexcept {
        auto p = find(h);
        return p ? (*p)->suite.kem().n_enc : 0;
    }

    /// Every configured key config, in construction order.
    std::vector<key_config> configs() const {
        std::vector<key_config> out;
        for (const auto& e : st_->entries) out.push_back(e.config);
        return out;
    }
    /// The application/ohttp-keys body to publish (RFC 9458 §3.2).
    result<bytes> encoded_configs() const { return encode_key_configs(configs()); }
    const ohttp::labels& labels() const noexcept { return st_->labels; }

private:
    struct prepared {
        hpke::suite suite;
        hpke::key_schedule_input input;
    };
    struct entry {
        key_config config;
        hpke::private_key key;
        std::vector<prepared> suites;
    };
    struct state {
        ohttp::labels labels;
        std::vector<entry> entries;
        std::array<std::int16_t, 256> index{};
    };

    explicit gateway(std::shared_ptr<const state> st) noexcept : st_(std::move(st)) {}

    // RFC 9458 §4.3 step 1: find skR by key_id; 1a the KEM must be the key's; 1b the
    // KDF/AEAD pair must be one the gateway is willing to use with that key.
    result<const prepared*> find(const request_header& h) const noexcept {
        const std::int16_t i = st_->index[h.key_id];
        if (i < 0) return fail(errc::key_mismatch, "ohttp: unknown key_id");
        const entry& e = st_->entries[static_cast<std::size_t>(i)];
        if (h.ids.kem != e.config.kem()) return fail(errc::key_mismatch, "ohttp: KEM does not match the key");
        for (const auto& p : e.suites)
            if (p.suite.ids() == h.ids) return &p;
        return fail(errc::unsupported, "ohttp: suite not offered for this key");
    }

    std::shared_ptr<const state> st_;
};

} // namespace ppx::ohttp
