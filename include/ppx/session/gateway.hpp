// ppx/session/gateway.hpp: the gateway's side of a Private Processing request
// (docs/PROTOCOL.md §4.3), sans-IO.
//
// One gateway_exchange per encapsulated request (message/ohttp-chunked-req arriving from the
// relay). It decapsulates (RFC 9458 §4.3, chunked draft-08 §6.1), decodes the inner Binary
// HTTP request (RFC 9292), and either answers the attestation lookup itself or redeems the
// Privacy Pass token (RFC 9577 §2.2: binding and signature first, then the spend store) and
// forwards the opaque end-to-end ciphertext to the VM the client attested. The VM's answer
// (already sealed for the client) is relayed back as the streamed content of an
// indeterminate-length BHTTP response (RFC 9292 §3.2), itself sealed chunk by chunk
// (draft-08 §6.2). The gateway never sees the client's address, and never the plaintext.
#pragma once
#include <ppx/session/common.hpp>

#include <memory>

namespace ppx::session {

/// One VM the gateway can route to.
struct gateway_vm {
    std::string id;   ///< vm_id_of(the VM's key config)
    bytes bundle;     ///< its attestation_bundle, encoded
};

/// What a gateway serves with. Build once, share read-only between exchanges (thread-safe
/// as long as `store` is, which every ppx spend store is).
struct gateway_config {
    ohttp::gateway keys;                                 ///< made with ohttp::labels::chunked_bhttp()
    privacypass::blind_rsa_public_key issuer_key;        ///< the issuer's type-2 key (published in the log)
    bytes token_challenge;                               ///< the TokenChallenge tokens must answer
    std::string origin;                                  ///< this gateway's name (RFC 9577 §2.1.3 origin)
    std::shared_ptr<privacypass::spend_store> store;     ///< shared by every replica
    std::uint64_t token_key_expiry = 0;                  ///< UNIX seconds; spent nonces are kept until then
    std::vector<gateway_vm> vms;                         ///< the attested VMs, in no particular order
    /// token_challenge decoded, checked against origin and hashed once (bind_challenge()).
    /// Exchanges use it only while it was made for the current token_challenge and origin,
    /// and otherwise make one per request.
    std::optional<privacypass::challenge_binding> binding;

    /// Makes `binding`: call once the config is built (and again after changing
    /// token_challenge or origin). Errors as privacypass::challenge_binding::make.
    result<void> bind_challenge() {
        PPX_TRY_ASSIGN(auto b, privacypass::challenge_binding::make(token_challenge, origin));
        binding.emplace(std::move(b));
        return ok();
    }
};

/// Events of a gateway_exchange.
struct gw_attestation_served {
    std::string vm_id;
};
/// The client's attestation lookup carried a freshness nonce (docs/PROTOCOL.md §4.3): ask VM
/// `vm_id` for an attestation bundle whose RA-TLS claims bind `nonce`, then pass it to
/// attestation_ready(), or call upstream_failed().
struct gw_attest {
    std::string vm_id;
    bytes nonce;
};
/// The token was redeemed: send `body` (application/ppx-pp-vm-req) to VM `vm_id`, then feed
/// its answer to upstream()/upstream_end(), or call upstream_failed().
struct gw_forward {
    std::string vm_id;
    bytes body;
};
struct gw_response_done {
    std::size_t bytes = 0;  ///< VM bytes relayed
};
/// The request was refused or failed. When `encapsulated` an inner error response was queued
/// (send it, then end the response). Otherwise: `http_status` > 0 means answer that status
/// unencapsulated (RFC 9458 §5.2); 0 means the response already started, so close the
/// connection without a final chunk (the client then sees a truncated stream).
struct gw_failed {
    error err;
    bool encapsulated = false;
    int http_status = 400;
};
using gw_event = std::variant<gw_attestation_served, gw_forward, gw_response_done, gw_failed, gw_attest>;

/// One exchange at the gateway. Not thread-safe; the config must outlive it.
class gateway_exchange {
public:
    /// `r` picks the VM for attestation lookups and draws response nonces.
    gateway_exchange(std::shared_ptr<const gateway_config> cfg, rng& r, ohttp::chunk_limits lim = {})
        : cfg_(std::move(cfg)), rng_(&r), st_(receiving{ohttp::chunked_request_receiver(cfg_->keys, lim), {}}) {}

    /// Consumes the next piece of the encapsulated request. Errors (sticky) as
    /// ohttp::chunked_request_receiver::feed; they are answered unencapsulated (gw_failed).
    result<void> receive(bytes_view piece, std::uint64_t now) {
        (void)now;
        auto* s = std::get_if<receiving>(&st_);
        if (!s) return misuse("session: gateway request already complete");
        auto r = s->rx.feed(piece, [s](bytes_view pt) -> result<void> { return append(s->inner, pt); });
        if (!r) return poison(r.error(), false);
        return ok();
    }

    /// The end of the request stream: opens the final chunk, decodes the inner request and
    /// acts on it (docs/PROTOCOL.md §4.3). `now` (UNIX seconds) dates the token redemption.
    result<void> end_of_request(std::uint64_t now) {
        auto* s = std::get_if<receiving>(&st_);
        if (!s) return misuse("session: gateway request already complete");
        return dispatch(std::move(*s), now);
    }

    /// The next piece of the VM's answer: sealed and queued (the first piece is preceded by
    /// the inner response head, status 200).
    result<void> upstream(bytes_view piece, std::uint64_t now) {
        (void)now;
        auto* s = std::get_if<forwarding>(&st_);
        if (!s) return misuse("session: gateway is not forwarding");
        if (piece.empty()) return ok();
        PPX_TRY(head(*s));
        // RFC 9292 §3.2: a length-prefixed content chunk, framed in a buffer the exchange
        // reuses (the VM's bytes are ciphertext to the gateway: nothing here needs wiping).
        frame_.resize(varint_size(piece.size()) + piece.size());
        span_writer w(frame_);
        w.varint_prefixed(piece);
        PPX_TRY(w.status());
        PPX_TRY(seal_out(*s, frame_, false));
        s->relayed += piece.size();
        return ok();
    }

    /// The VM's answer ended cleanly: the inner response's content terminator and empty
    /// trailers go in the final chunk (draft-08 §6.2).
    result<void> upstream_end(std::uint64_t now) {
        (void)now;
        auto* s = std::get_if<forwarding>(&st_);
        if (!s) return misuse("session: gateway is not forwarding");
        PPX_TRY(head(*s));
        // RFC 9292 §3.2: the content terminator and an empty trailer section.
        static constexpr std::uint8_t end[] = {0, 0};
        PPX_TRY(seal_out(*s, end, true));
        events_.push_back(gw_response_done{s->relayed});
        st_ = done{};
        return ok();
    }

    /// The VM could not be reached or broke off. Before any of its bytes were relayed, an
    /// encapsulated 502 refusal is queued; afterwards nothing more is sent, and the caller
    /// must end the response without a final chunk, so the client sees a truncated stream
    /// (draft-08 §6.2) and never takes a partial answer as whole.
    void upstream_failed(std::uint64_t now) {
        (void)now;
        if (auto* a = std::get_if<attesting>(&st_)) {
            auto tx = std::move(a->tx);
            (void)refuse(tx, error{errc::internal, "session: VM unavailable"});
            return;
        }
        auto* s = std::get_if<forwarding>(&st_);
        if (!s) {
            (void)misuse("session: gateway is not forwarding");
            return;
        }
        const error e{errc::internal, "session: VM unavailable"};
        if (!s->head_sent) {
            auto tx = std::move(s->tx);
            (void)refuse(tx, e);
            return;
        }
        (void)poison(e, false);
    }

    /// The VM's fresh attestation bundle for gw_attest: sealed as the whole response (status
    /// 200, attestation_media_type). errc::misuse unless an attestation is awaited.
    result<void> attestation_ready(bytes_view bundle, std::uint64_t now) {
        (void)now;
        auto* s = std::get_if<attesting>(&st_);
        if (!s) return misuse("session: gateway is not awaiting an attestation");
        auto tx = std::move(s->tx);
        const std::string id = std::move(s->vm_id);
        return answer_attestation(tx, id, bundle);
    }

    /// Next bytes of the encapsulated response (message/ohttp-chunked-res), in order.
    std::optional<bytes> poll_transmit() { return out_.pop(); }
    /// Next event.
    std::optional<gw_event> poll_event() { return events_.pop(); }
    bool finished() const noexcept { return std::holds_alternative<done>(st_) || std::holds_alternative<failed>(st_); }
    std::optional<error> failure() const noexcept {
        if (auto* f = std::get_if<failed>(&st_)) return f->err;
        return std::nullopt;
    }
    /// True once the response head went out (a later failure can then only truncate).
    bool response_started() const noexcept {
        if (auto* f = std::get_if<forwarding>(&st_)) return f->head_sent;
        return std::holds_alternative<done>(st_);
    }

private:
    struct receiving {
        ohttp::chunked_request_receiver rx;
        secure_bytes inner;
    };
    struct forwarding {
        ohttp::chunked_response_sender tx;
        bool head_sent = false;
        std::size_t relayed = 0;
    };
    struct attesting {
        ohttp::chunked_response_sender tx;
        std::string vm_id;
    };
    struct done {};
    struct failed {
        error err;
    };
    using state = std::variant<receiving, forwarding, done, failed, attesting>;

    static constexpr std::size_t max_inner_size = max_prompt_size + 64 * 1024;

    static result<void> append(secure_bytes& to, bytes_view pt) {
        if (to.size() + pt.size() > max_inner_size) return fail(errc::limit_exceeded, "session: request too large");
        to.insert(to.end(), pt.begin(), pt.end());
        return ok();
    }
    static const std::string* field(const bhttp::field_list& f, std::string_view name) {
        const std::string* found = nullptr;
        for (const auto& x : f)
            if (x.name == name) {
                if (found) return nullptr;  // repeated: refuse rather than pick one
                found = &x.value;
            }
        return found;
    }

    result<void> dispatch(receiving s, std::uint64_t now) {
        secure_bytes inner = std::move(s.inner);
        if (auto r = s.rx.finish([&](bytes_view pt) { return append(inner, pt); }); !r) return poison(r.error(), false);
        auto txr = s.rx.response_sender(*rng_);
        if (!txr) return poison(txr.error(), false);
        auto tx = std::move(*txr);
        out_.push(to_bytes(tx.header()));  // response_nonce (draft-08 §5)
        auto req = bhttp::decode_request(inner);
        if (!req) return refuse(tx, req.error());
        const auto& c = req->control;
        if (c.method == "GET" && c.path == attestation_path) return serve_attestation(tx, field(req->headers, nonce_field));
        if (c.method != "POST" || c.path != process_path)
            return refuse(tx, error{errc::malformed, "session: unknown inner request"});
        const std::string* ct = field(req->headers, "content-type");
        if (!ct || *ct != vm_labels().request_media_type)
            return refuse(tx, error{errc::malformed, "session: wrong inner content type"});
        // RFC 9577 §2.2.1: the token travels in the Authorization field of the inner request,
        // so only the gateway (not the relay) sees it.
        const std::string* auth = field(req->headers, "authorization");
        if (!auth) return refuse(tx, error{errc::policy, "session: no token"});
        auto tok = privacypass::parse_authorization(*auth);
        for (auto& x : req->headers)  // the in-flight token is wiped as soon as it is used
            if (x.name == "authorization") wipe(mutable_bytes(reinterpret_cast<std::uint8_t*>(x.value.data()), x.value.size()));
        if (!tok) return refuse(tx, tok.error());
        // RFC 9577 §2.2 and RFC 9578 §6.4: binding to our challenge and origin, then the
        // signature, then (only for a valid token) the spend store, RFC 9577 §2.2.1.
        const auto& cfg = *cfg_;
        std::optional<privacypass::challenge_binding> own;
        const privacypass::challenge_binding* binding = nullptr;
        if (cfg.binding && cfg.binding->made_for(cfg.token_challenge, cfg.origin)) {
            binding = &*cfg.binding;
        } else if (auto b = privacypass::challenge_binding::make(cfg.token_challenge, cfg.origin)) {
            binding = &own.emplace(std::move(*b));
        } else {
            wipe(*tok);
            return refuse(tx, b.error());
        }
        auto red = privacypass::redeem(
            *tok, *binding, [&](const privacypass::token& t) { return privacypass::verify_blind_rsa_token(cfg.issuer_key, t); },
            *cfg.store, now, cfg.token_key_expiry);
        wipe(*tok);
        if (!red) return refuse(tx, red.error());
        // Routing: by the VM key the client attested, nothing else. The gateway knows nothing
        // of the client (the relay hid its address; the token is unlinkable).
        const std::string* vm = field(req->headers, vm_field);
        const gateway_vm* target = nullptr;
        if (vm)
            for (const auto& v : cfg.vms)
                if (v.id == *vm) target = &v;
        if (!target) return refuse(tx, error{errc::key_mismatch, "session: unknown VM"});
        events_.push_back(gw_forward{target->id, std::move(req->content)});
        st_ = forwarding{std::move(tx), false, 0};
        return ok();
    }

    // Uniform choice among the configured VMs, drawn from the injected rng (rejection
    // sampling, no modulo bias): which VM a client gets depends on nothing about the client.
    // With a nonce (lowercase hex, attestation_nonce_size bytes) the chosen VM must attest
    // afresh (gw_attest); without one the cached bundle is served.
    result<void> serve_attestation(ohttp::chunked_response_sender& tx, const std::string* nonce_hex) {
        bytes nonce;
        if (nonce_hex) {
            auto n = from_hex(*nonce_hex);
            if (!n || n->size() != attestation_nonce_size) return refuse(tx, error{errc::malformed, "session: bad attestation nonce"});
            nonce = std::move(*n);
        }
        const auto& vms = cfg_->vms;
        if (vms.empty()) return refuse(tx, error{errc::internal, "session: no VM available"});
        const std::uint32_t n = static_cast<std::uint32_t>(vms.size()), limit = UINT32_MAX - UINT32_MAX % n;
        std::uint32_t x = 0;
        do {
            std::uint8_t b[4];
            if (auto r = rng_->fill(b); !r) return poison(r.error(), false);
            x = std::uint32_t{b[0]} << 24 | std::uint32_t{b[1]} << 16 | std::uint32_t{b[2]} << 8 | b[3];
        } while (x >= limit);
        const gateway_vm& v = vms[x % n];
        if (nonce_hex) {
            events_.push_back(gw_attest{v.id, std::move(nonce)});
            st_ = attesting{std::move(tx), v.id};
            return ok();
        }
        return answer_attestation(tx, v.id, v.bundle);
    }

    result<void> answer_attestation(ohttp::chunked_response_sender& tx, const std::string& vm_id, bytes_view bundle) {
        bhttp::response res;
        res.status = 200;
        res.headers = {{"content-type", std::string(attestation_media_type)}};
        res.content = to_bytes(bundle);
        auto enc = bhttp::encode(res);
        if (!enc) return poison(enc.error(), false);
        auto c = tx.seal(*enc, true);
        if (!c) return poison(c.error(), false);
        out_.push(std::move(*c));
        events_.push_back(gw_attestation_served{vm_id});
        st_ = done{};
        return ok();
    }

    // Queues one encapsulated refusal (status and ppx-error, docs/PROTOCOL.md §5) as the
    // final chunk, then fails: nothing is forwarded and nothing else is sent.
    result<void> refuse(ohttp::chunked_response_sender& tx, error e) {
        bhttp::response res;
        res.status = refusal_status(e.code);
        res.headers = {{std::string(error_field), std::string(to_string(e.code))}};
        auto enc = bhttp::encode(res);
        if (!enc) return poison(e, false);
        auto c = tx.seal(*enc, true);
        if (!c) return poison(e, false);
        out_.push(std::move(*c));
        st_ = failed{e};
        events_.push_back(gw_failed{e, true, 200});
        return unexpected(e);
    }

    // The inner response head (RFC 9292 §3.2: indeterminate length, status 200, the VM
    // response media type) is the same for every exchange: encoded once.
    static const result<bytes>& response_head() {
        static const result<bytes> h = [] {
            writer w;
            const bhttp::field_list f = {{"content-type", std::string(vm_labels().response_media_type)}};
            auto r = bhttp::encode_response_head(w, 200, f);
            return r ? std::move(w).finish() : result<bytes>(unexpected(r.error()));
        }();
        return h;
    }

    result<void> head(forwarding& s) {
        if (s.head_sent) return ok();
        const auto& h = response_head();
        if (!h) return poison(h.error(), false);
        PPX_TRY(seal_out(s, *h, false));
        s.head_sent = true;
        return ok();
    }

    // Seals one chunk of the response straight into the bytes queued for the client.
    result<void> seal_out(forwarding& s, bytes_view plain, bool final) {
        auto c = seal_chunk(s.tx, plain, final);
        if (!c) return poison(c.error(), false);
        out_.push(std::move(*c));
        return ok();
    }

    result<void> misuse(const char* what) {
        if (auto* f = std::get_if<failed>(&st_)) return unexpected(f->err);
        return poison(error{errc::misuse, what}, false);
    }
    // First error wins; drops anything unsent (fail closed).
    unexpected poison(error e, bool encapsulated) {
        if (auto* f = std::get_if<failed>(&st_)) return unexpected(f->err);
        const bool started = response_started();
        st_ = failed{e};
        out_.clear();
        events_.push_back(gw_failed{e, encapsulated, started ? 0 : ohttp::to_http_error(e).status});
        return unexpected(e);
    }

    std::shared_ptr<const gateway_config> cfg_;
    rng* rng_;
    state st_;
    outbox out_;
    fifo<gw_event> events_;
    bytes frame_;  // the BHTTP framing of the chunk being relayed
};

} // namespace ppx::session
