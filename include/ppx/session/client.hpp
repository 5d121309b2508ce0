// ppx/session/client.hpp: the client's side of a Private Processing session
// (docs/PROTOCOL.md §4.1, §4.2), sans-IO.
//
// The caller performs every HTTP exchange the client asks for (poll_transmit() says where:
// the gateway directory, the issuer, the relay, or the transparency log), feeds the response
// body back with receive() and end_of_response(), and reads progress from poll_event(). In order:
//   1. directory: the gateway's key config and the issuer's token key, each proved to be an
//      entry of the transparency log under a checkpoint signed by the log and a quorum of
//      witnesses (key consistency: every client sees the same keys);
//   2. tokens: one generic batch of RFC 9578 type-2 (blind RSA) token requests to the issuer;
//   3. attestation, through the relay: the lookup carries a fresh random nonce; a VM's RA-TLS
//      certificate (SEV-SNP report chained to the configured AMD roots, appraised by policy)
//      must bind that nonce and the VM's HPKE key in REPORT_DATA, and its MEASUREMENT must be
//      proved to be a log entry;
//   4. requests: each sealed end to end to the VM's key with a fresh ephemeral key (chunked
//      OHTTP with vm_labels()), placed with a token in an inner BHTTP request, encapsulated
//      for the gateway, sent through the relay; the answer is opened chunk by chunk.
// Every checkpoint a session accepts must also be consistent with what earlier sessions
// sharing the same client_state saw (merkle::log_view): a grown log needs an RFC 9162 §2.1.4
// consistency proof, which the session fetches from the log (destination::log); a smaller
// checkpoint (rollback) or a different root (fork, split view) is refused.
// Any failed check poisons the session: nothing further is sent, and every later call
// reports the first error. Every secret (tokens, token blinds, HPKE contexts, response keys,
// reply plaintexts in the client's buffers) lives in wiping storage and is wiped by close().
#pragma once
#include <ppx/session/common.hpp>

#include <memory>
#include <mutex>

namespace ppx::session {

/// What the client trusts before it talks to anyone.
struct client_config {
    merkle::trust_policy log_policy;                          ///< log key, witness keys, quorum
    std::shared_ptr<const ratls::snp::trust_store> amd_roots; ///< AMD ARK/ASK (builtin() in production)
    ratls::snp::policy vm_policy;                             ///< debug, TCB, VMPL...; measurements come from the log (any
                                                              ///< listed here are pins: a measurement must also be one of them)
    std::string gateway_name;                                 ///< the gateway whose key must be in the log
    std::string issuer_name;                                  ///< the issuer whose key must be in the log
    std::size_t token_batch = 4;                              ///< tokens per issuance (1..max_generic_batch)
};

/// What a client remembers between sessions: its view of the transparency log (the largest
/// checkpoint accepted so far per log origin, merkle::log_view). Share one between every
/// session of a client (and persist it with serialize()), so a later session cannot be shown
/// a log that rolled back or forked. Thread-safe.
class client_state {
public:
    client_state() = default;
    explicit client_state(merkle::log_view v) : view_(std::move(v)) {}
    client_state(const client_state&) = delete;
    client_state& operator=(const client_state&) = delete;

    /// Restores a state written by serialize(); errors as merkle::log_view::deserialize.
    static result<std::shared_ptr<client_state>> deserialize(bytes_view in) {
        PPX_TRY_ASSIGN(auto v, merkle::log_view::deserialize(in));
        return std::make_shared<client_state>(std::move(v));
    }
    /// The log view, as merkle::log_view::serialize writes it.
    bytes serialize() const {
        std::lock_guard g(mu_);
        return view_.serialize();
    }
    /// The SEV-SNP verifier for `roots`, kept across attestations and sessions, so the chain of
    /// a VCEK already seen (the same chip) is not verified again: ratls::snp::verifier caches
    /// chain-verified VCEKs (each report's signature, the chain's validity at the verification
    /// time and the policy are still checked every time). Thread-safe.
    std::shared_ptr<ratls::snp::verifier> snp_verifier(const std::shared_ptr<const ratls::snp::trust_store>& roots) {
        std::lock_guard g(mu_);
        if (!snp_ || snp_roots_ != roots) {
            snp_ = std::make_shared<ratls::snp::verifier>(roots);
            snp_roots_ = roots;
        }
        return snp_;
    }
    /// The remembered checkpoint of `origin` (size and root), if any.
    std::optional<merkle::checkpoint> latest(std::string_view origin) const {
        std::lock_guard g(mu_);
        return view_.latest(origin);
    }

    /// Offers a verified checkpoint (RFC 9162 §2.1.4). Returns 0 when it is now the remembered
    /// one (first sight of the log, the same tree head, or a larger tree with `proof` a valid
    /// consistency proof from size `proof_from`, which must be the remembered size); otherwise
    /// the remembered size N > 0 from which a consistency proof to cp.size() is needed.
    /// Errors (the view is unchanged): errc::policy for a smaller tree (rollback),
    /// errc::crypto_failure for a different root at the same size or a proof that does not
    /// verify (fork), errc::malformed for a proof of the wrong shape.
    result<std::uint64_t> observe(const merkle::verified_checkpoint& cp, std::uint64_t proof_from,
                                  const std::vector<merkle::hash_t>* proof) {
        std::lock_guard g(mu_);
        const auto last = view_.latest(cp.origin());
        if (!last || last->size == 0 || cp.size() <= last->size) {
            PPX_TRY(view_.update(cp, {}));
            return std::uint64_t{0};
        }
        // The view may have moved on (another session) since the proof was asked for.
        if (!proof || proof_from != last->size) return last->size;
        PPX_TRY(view_.update(cp, *proof));
        return std::uint64_t{0};
    }

private:
    mutable std::mutex mu_;
    merkle::log_view view_;
    std::shared_ptr<ratls::snp::verifier> snp_;
    std::shared_ptr<const ratls::snp::trust_store> snp_roots_;
};

/// The client's unspent tokens: one wiping buffer, each spent token's bytes cleansed as it is
/// taken, the whole buffer cleansed by wipe() (close() and any failure call it). The buffer
/// is allocated once per issuance and never reallocated while it holds tokens.
class token_wallet {
public:
    /// Replaces the content with `tokens` (the previous content is wiped first).
    void fill(const std::vector<secure_bytes>& tokens) {
        wipe();
        std::size_t total = 0;
        for (const auto& t : tokens) total += t.size();
        secure_bytes fresh;
        fresh.reserve(total);
        slots_.clear();
        for (const auto& t : tokens) {
            slots_.emplace_back(fresh.size(), t.size());
            fresh.insert(fresh.end(), t.begin(), t.end());
        }
        buf_ = std::move(fresh);
    }
    /// Copies out the last unspent token and cleanses its slot. Empty when none is left.
    secure_bytes take() {
        if (slots_.empty()) return {};
        const auto [off, len] = slots_.back();
        slots_.pop_back();
        secure_bytes t(buf_.begin() + static_cast<std::ptrdiff_t>(off), buf_.begin() + static_cast<std::ptrdiff_t>(off + len));
        ppx::wipe(mutable_bytes(buf_.data() + off, len));
        return t;
    }
    /// Cleanses every byte of the storage and forgets every token.
    void wipe() noexcept {
        ppx::wipe(mutable_bytes(buf_.data(), buf_.size()));
        slots_.clear();
    }
    std::size_t size() const noexcept { return slots_.size(); }
    bool empty() const noexcept { return slots_.empty(); }
    /// The whole storage, spent slots included (all zero once spent or wiped). For tests that
    /// check the wiping; never a way to read tokens.
    bytes_view storage() const noexcept { return bytes_view(buf_.data(), buf_.size()); }

private:
    secure_bytes buf_;
    std::vector<std::pair<std::size_t, std::size_t>> slots_;  // offset, length
};

/// Where a transmit goes.
enum class destination : std::uint8_t {
    directory,  ///< the gateway directory (any CDN or mirror: its content is verified)
    issuer,     ///< the Privacy Pass issuer's token request URI
    relay,      ///< the OHTTP relay, which forwards to the gateway unchanged
    log,        ///< the transparency log (or a mirror): consistency proofs (docs/PROTOCOL.md §4.1)
};

/// Path (relative to the log's URL) and media type of a consistency proof request:
/// GET /consistency?first=N&second=M answers the RFC 9162 §2.1.4 proof from size N to size M
/// as concatenated 32-byte hashes.
inline constexpr std::string_view consistency_path = "/consistency";
inline constexpr std::string_view consistency_media_type = "application/octet-stream";

/// One HTTP request the caller must make; its response body comes back through receive().
struct client_transmit {
    destination to = destination::directory;
    std::string method;
    std::string path;          ///< for directory, issuer and log (with its query); the relay's own path is the caller's
    std::string content_type;  ///< of the body; empty for GET
    std::string accept;        ///< the media type expected back
    bytes body;
};

/// Events of a client session, in the order they happen.
struct keys_verified {
    std::uint64_t gateway_key_index = 0, issuer_key_index = 0, log_size = 0;
    std::vector<std::string> witnesses;  ///< witnesses whose cosignatures verified
    std::uint64_t previous_log_size = 0; ///< the size the client_state remembered for this log before (0: none)
    merkle::hash_t log_root{};           ///< the root of the accepted checkpoint
};
struct tokens_issued {
    std::size_t count = 0;
};
struct vm_attested {
    std::string vm_id;
    std::string product;
    bytes measurement;
    ratls::snp::tcb_version tcb;
    std::uint64_t measurement_index = 0;
    bytes nonce;  ///< this session's freshness nonce, which the report binds
};
struct request_sent {
    std::size_t bytes = 0;
    std::size_t tokens_left = 0;
};
struct reply_chunk {
    secure_bytes data;  ///< authenticated plaintext, in order (what authenticated during one call)
};
struct reply_complete {
    std::size_t bytes = 0;
};
struct client_failed {
    error err;
};
using client_event = std::variant<keys_verified, tokens_issued, vm_attested, request_sent, reply_chunk, reply_complete, client_failed>;

/// A client session. Not thread-safe; `r` must outlive it. Sessions that share `state`
/// check every checkpoint against what the others accepted; without one, the session keeps
/// a view of its own (consistency within the session only).
class client_session {
public:
    client_session(std::shared_ptr<const client_config> cfg, rng& r, std::shared_ptr<client_state> shared = nullptr)
        : cfg_(std::move(cfg)), rng_(&r), state_(shared ? std::move(shared) : std::make_shared<client_state>()) {}
    client_session(const client_session&) = delete;
    client_session& operator=(const client_session&) = delete;

    /// Begins: queues the directory request. errc::misuse unless the session is new.
    result<void> start(std::uint64_t now) {
        (void)now;
        if (!std::holds_alternative<idle>(st_)) return misuse("session: already started");
        out_.push_back({destination::directory, "GET", std::string(directory_path), {}, std::string(directory_media_type), {}});
        st_ = want_directory{};
        return ok();
    }

    /// The next piece of the body of the response to the outstanding transmit. While a reply
    /// streams, the plaintext of every chunk that authenticates within this piece becomes
    /// one reply_chunk event at once (so a reply arriving in one piece costs one). Errors
    /// (sticky): errc::misuse with nothing outstanding; while streaming, as
    /// ohttp::chunked_response_receiver::feed and bhttp::decoder::feed.
    result<void> receive(bytes_view piece, std::uint64_t now) {
        (void)now;
        if (auto* f = std::get_if<failed>(&st_)) return unexpected(f->err);
        if (auto* s = std::get_if<streaming>(&st_)) {
            // At most about `piece` bytes of plaintext come out of this piece: one allocation.
            s->stack->pending.reserve(piece.size());
            auto r = s->stack->outer.feed(piece, [&](bytes_view pt) { return s->stack->dec.feed(pt, *s->stack); });
            if (!r) return poison(r.error());
            drain(*s->stack);
            return ok();
        }
        secure_bytes* buf = buffer();
        if (!buf) return misuse("session: no response expected");
        if (buf->size() + piece.size() > max_response_size) return poison(error{errc::limit_exceeded, "session: response too large"});
        buf->insert(buf->end(), piece.begin(), piece.end());
        return ok();
    }

    /// The response to the outstanding transmit is complete: checks it and moves on
    /// (docs/PROTOCOL.md §4.1). `now` (UNIX seconds) is the time every certificate,
    /// checkpoint and cosignature is judged at. Errors poison the session (see each step).
    result<void> end_of_response(std::uint64_t now) {
        if (auto* f = std::get_if<failed>(&st_)) return unexpected(f->err);
        // Plain dispatch rather than std::visit with a generic lambda: clang 14 fails to emit
        // step<> instantiations reached that way (undefined references at link time).
        if (auto* s = std::get_if<want_directory>(&st_)) return step([&] { return on_directory(std::move(*s), now); });
        if (auto* s = std::get_if<want_tokens>(&st_)) return step([&] { return on_tokens(std::move(*s)); });
        if (auto* s = std::get_if<want_attestation>(&st_)) return step([&] { return on_attestation(std::move(*s), now); });
        if (auto* s = std::get_if<want_consistency>(&st_)) return step([&] { return on_consistency(std::move(*s)); });
        if (auto* s = std::get_if<streaming>(&st_)) return step([&] { return on_reply_end(std::move(*s)); });
        return misuse("session: no response expected");
    }

    /// The outstanding exchange failed in transport (connection refused or cut, a non-2xx
    /// HTTP status): poisons the session with errc::internal. A reply cut mid-stream is never
    /// reported as complete.
    void transport_failed(std::uint64_t now) {
        (void)now;
        (void)poison(error{errc::internal, "session: transport failed"});
    }

    /// Sends `prompt` to the attested VM (docs/PROTOCOL.md §4.2): seals it end to end with a
    /// fresh ephemeral key, spends one token, encapsulates for the gateway and queues the
    /// transmit to the relay. errc::misuse unless the session is ready (attested, no reply
    /// streaming) or when no token is left; errc::limit_exceeded above max_prompt_size.
    result<void> send_request(bytes_view prompt, std::uint64_t now) {
        (void)now;
        auto* s = std::get_if<ready>(&st_);
        if (!s) return misuse("session: not ready for a request");
        if (prompt.empty() || prompt.size() > max_prompt_size) return poison(error{errc::limit_exceeded, "session: prompt size"});
        if (wallet_.empty()) return misuse("session: no token left");
        return step([&] { return build_request(std::move(*s), prompt); });
    }

    /// True when a request may be sent.
    bool is_ready() const noexcept { return std::holds_alternative<ready>(st_); }
    /// Tokens left for requests.
    std::size_t tokens_left() const noexcept { return wallet_.size(); }
    /// The unspent tokens' storage (for tests of the wiping: all zero after close()).
    const token_wallet& tokens() const noexcept { return wallet_; }
    /// The long-lived state this session checks checkpoints against.
    const std::shared_ptr<client_state>& shared_state() const noexcept { return state_; }
    /// The first error, if the session failed.
    std::optional<error> failure() const noexcept {
        if (auto* f = std::get_if<failed>(&st_)) return f->err;
        return std::nullopt;
    }

    /// Next HTTP request to make.
    std::optional<client_transmit> poll_transmit() {
        return out_.pop();
    }
    /// Next event.
    std::optional<client_event> poll_event() {
        return events_.pop();
    }

    /// Ends the session: drops (and so wipes) tokens, keys, contexts and buffered plaintext.
    /// Later calls fail with errc::misuse.
    void close() {
        wallet_.wipe();
        if (std::holds_alternative<failed>(st_)) return;
        st_ = failed{error{errc::misuse, "session: closed"}};
        out_.clear();
        events_.clear();
    }

    /// Largest response body the client buffers (directory, tokens, attestation).
    static constexpr std::size_t max_response_size = 1 << 20;

private:
    // What the directory established.
    struct deployment {
        std::shared_ptr<const ohttp::client> gateway;   // bound to the published key config
        std::shared_ptr<const privacypass::blind_rsa_client> issuer;
        bytes challenge;
    };
    struct attested {
        std::shared_ptr<const ohttp::client> vm;  // bound to the attested VM key config
        std::string id;
    };
    // Decodes the inner response of a streamed reply and opens the VM's stream inside it.
    struct reply_stack final : bhttp::handler {
        reply_stack(ohttp::chunked_response_receiver o, ohttp::chunked_response_receiver v)
            : outer(std::move(o)), vm(std::move(v)) {}
        ohttp::chunked_response_receiver outer;
        bhttp::decoder dec{bhttp::message_kind::response};
        ohttp::chunked_response_receiver vm;
        std::uint16_t status = 0;
        std::optional<errc> refusal;
        secure_bytes pending;  // authenticated plaintext not yet handed out as a reply_chunk
        std::size_t total = 0;
        void take(bytes_view pt) {
            total += pt.size();
            append(pending, pt);
        }
        result<void> on_status(std::uint16_t s) override {
            status = s;
            return ok();
        }
        result<void> on_headers(const bhttp::field_list& f) override {
            // docs/PROTOCOL.md §5: a refusal carries its kind; anything but 200 ends the session.
            if (status == 200) return ok();
            errc e = errc::internal;
            for (const auto& x : f)
                if (x.name == error_field) e = errc_from_name(x.value);
            refusal = e;
            return fail(e, "session: the gateway refused the request");
        }
        result<void> on_content(bytes_view b) override {
            return vm.feed(b, [this](bytes_view pt) { take(pt); });
        }
    };

    struct idle {};
    struct want_directory {
        secure_bytes buf;
    };
    struct want_tokens {
        deployment dep;
        std::vector<privacypass::blind_rsa_client::pending> pending;
        secure_bytes buf;
    };
    struct want_attestation {
        deployment dep;
        ohttp::chunked_response_receiver rx;
        bytes nonce;
        secure_bytes buf;
    };
    struct ready {
        deployment dep;
        attested vm;
    };
    struct streaming {
        deployment dep;
        attested vm;
        std::unique_ptr<reply_stack> stack;
    };
    // A checkpoint larger than the remembered one waits for its consistency proof; what the
    // step that verified it would have done next (state, transmit, events) waits with it.
    struct want_consistency {
        merkle::verified_checkpoint cp;
        std::uint64_t from = 0;
        std::variant<want_tokens, ready> then;
        std::optional<client_transmit> then_send;
        std::vector<client_event> then_events;
        secure_bytes buf;
    };
    struct failed {
        error err;
    };
    using state = std::variant<idle, want_directory, want_tokens, want_attestation, ready, streaming, want_consistency, failed>;

    secure_bytes* buffer() {
        if (auto* s = std::get_if<want_directory>(&st_)) return &s->buf;
        if (auto* s = std::get_if<want_tokens>(&st_)) return &s->buf;
        if (auto* s = std::get_if<want_attestation>(&st_)) return &s->buf;
        if (auto* s = std::get_if<want_consistency>(&st_)) return &s->buf;
        return nullptr;
    }

    // ---- the log view (docs/PROTOCOL.md §4.1 step 4): `cp` must extend what the client_state
    // remembers. When it does at once, the step goes on (queues `send`, reports `ev`, returns
    // `then`); when the log grew, a consistency proof is fetched from the log first.
    result<state> admit(merkle::verified_checkpoint cp, std::variant<want_tokens, ready> then, std::optional<client_transmit> send,
                        std::vector<client_event> ev, std::uint64_t proof_from, const std::vector<merkle::hash_t>* proof) {
        const auto before = state_->latest(cp.origin());
        for (auto& e : ev)
            if (auto* k = std::get_if<keys_verified>(&e)) k->previous_log_size = before ? before->size : 0;
        PPX_TRY_ASSIGN(const std::uint64_t need, state_->observe(cp, proof_from, proof));
        if (need == 0) {
            if (send) out_.push_back(std::move(*send));
            for (auto& e : ev) events_.push_back(std::move(e));
            if (auto* t = std::get_if<want_tokens>(&then)) return state{std::move(*t)};
            return state{std::move(std::get<ready>(then))};
        }
        // RFC 9162 §2.1.4: the proof from the remembered size to the new one.
        out_.push_back({destination::log, "GET",
                        std::string(consistency_path) + "?first=" + std::to_string(need) + "&second=" + std::to_string(cp.size()),
                        {}, std::string(consistency_media_type), {}});
        return want_consistency{std::move(cp), need, std::move(then), std::move(send), std::move(ev), {}};
    }

    result<state> on_consistency(want_consistency s) {
        PPX_TRY_ASSIGN(auto proof, merkle::proof_from_bytes(s.buf));
        return admit(std::move(s.cp), std::move(s.then), std::move(s.then_send), std::move(s.then_events), s.from, &proof);
    }

    // ---- step 1: the directory, checked against the log (docs/PROTOCOL.md §4.1 step 1).
    result<state> on_directory(want_directory s, std::uint64_t now) {
        const auto& cfg = *cfg_;
        PPX_TRY_ASSIGN(auto d, directory::decode(s.buf));
        if (d.gateway_name != cfg.gateway_name || d.issuer_name != cfg.issuer_name)
            return fail(errc::key_mismatch, "session: directory names another gateway or issuer");
        auto pol = cfg.log_policy;
        pol.now = now;
        // c2sp.org/tlog-checkpoint, tlog-cosignature: the log's signature and a witness quorum.
        PPX_TRY_ASSIGN(auto cp, merkle::verify_checkpoint(d.checkpoint, pol));
        // RFC 9162 §2.1.3.2: each key is a leaf under that root (merkle/entry.hpp formats).
        const merkle::key_entry gk{merkle::key_kind::ohttp_key_config, d.gateway_name, d.key_config};
        const merkle::key_entry ik{merkle::key_kind::privacypass_token_key, d.issuer_name, d.token_key};
        PPX_TRY(check_leaf(merkle::encode(gk), d.gateway_key, cp));
        PPX_TRY(check_leaf(merkle::encode(ik), d.issuer_key, cp));
        // RFC 9577 §2.1.1: a type-2 challenge from our issuer, for this gateway, with no
        // redemption context: a per-client context would let the gateway link redemptions.
        PPX_TRY_ASSIGN(auto ch, privacypass::token_challenge::decode(d.token_challenge));
        if (ch.token_type != privacypass::token_type_2::type || !privacypass::detail::iequals(ch.issuer_name, d.issuer_name) ||
            !ch.redemption_context.empty() || !ch.allows_origin(d.gateway_name))
            return fail(errc::policy, "session: token challenge not acceptable");
        PPX_TRY_ASSIGN(auto kc, ohttp::key_config::parse(d.key_config));
        PPX_TRY_ASSIGN(auto gw, ohttp::client::make(kc, ohttp::labels::chunked_bhttp()));
        PPX_TRY_ASSIGN(auto is, privacypass::blind_rsa_client::create(d.token_key));
        std::vector<client_event> ev;
        ev.push_back(keys_verified{d.gateway_key.index, d.issuer_key.index, cp.size(), cp.witnesses(), 0, cp.root()});
        deployment dep{std::make_shared<const ohttp::client>(std::move(gw)),
                       std::make_shared<const privacypass::blind_rsa_client>(std::move(is)), d.token_challenge};
        // RFC 9578 §6.1 and batched-tokens-07 §6: one generic batch of blinded requests.
        const std::size_t n = cfg.token_batch;
        if (n == 0 || n > privacypass::max_generic_batch) return fail(errc::misuse, "session: bad token batch size");
        std::vector<bytes> reqs;
        std::vector<privacypass::blind_rsa_client::pending> pend;
        for (std::size_t i = 0; i < n; ++i) {
            std::array<std::uint8_t, privacypass::token_type_2::request_size> req;
            PPX_TRY_ASSIGN(auto p, dep.issuer->request(dep.challenge, *rng_, req));
            pend.push_back(std::move(p));
            reqs.emplace_back(req.begin(), req.end());
        }
        PPX_TRY_ASSIGN(auto body, privacypass::encode_generic_batch_request(reqs));
        client_transmit t{destination::issuer, "POST", "/token-request", std::string(privacypass::media_type_generic_request),
                          std::string(privacypass::media_type_generic_response), std::move(body)};
        return admit(std::move(cp), want_tokens{std::move(dep), std::move(pend), {}}, std::move(t), std::move(ev), 0, nullptr);
    }

    static result<void> check_leaf(result<bytes> entry, const stapled_proof& p, const merkle::verified_checkpoint& cp) {
        if (!entry) return unexpected(entry.error());
        return merkle::verify_inclusion(p.index, cp.size(), merkle::leaf_hash(*entry), p.path, cp.root());
    }

    // ---- step 2: tokens (RFC 9578 §6.3: unblind and verify each signature).
    result<state> on_tokens(want_tokens s) {
        PPX_TRY_ASSIGN(auto entries, privacypass::parse_generic_batch_response(s.buf));
        if (entries.size() != s.pending.size()) return fail(errc::malformed, "session: token batch has the wrong count");
        std::vector<secure_bytes> tokens;
        for (std::size_t i = 0; i < entries.size(); ++i) {
            // batched-tokens-07 §6.2: an issuer may leave a request unanswered; that slot is skipped.
            if (!entries[i]) continue;
            if (entries[i]->token_type != privacypass::token_type_2::type) return fail(errc::malformed, "session: wrong token type");
            PPX_TRY_ASSIGN(auto t, s.dep.issuer->finalize(s.pending[i], entries[i]->response));
            PPX_TRY_ASSIGN(auto enc, t.encode());
            tokens.emplace_back(enc.begin(), enc.end());
            wipe(enc);
        }
        if (tokens.empty()) return fail(errc::policy, "session: the issuer issued no token");
        wallet_.fill(tokens);
        events_.push_back(tokens_issued{tokens.size()});
        // Step 3 starts at once: the attestation lookup through the relay, with this
        // session's freshness nonce, which the VM must bind into its report (§4.1 step 3).
        bytes nonce(attestation_nonce_size);
        PPX_TRY(rng_->fill(nonce));
        bhttp::request req;
        req.control = {"GET", "https", cfg_->gateway_name, std::string(attestation_path)};
        req.headers = {{"accept", std::string(attestation_media_type)}, {std::string(nonce_field), to_hex(nonce)}};
        PPX_TRY_ASSIGN(auto inner, bhttp::encode(req));
        PPX_TRY_ASSIGN(auto sealed, seal_request(*s.dep.gateway, inner, *rng_));
        queue_relay(std::move(sealed.body));
        return want_attestation{std::move(s.dep), std::move(sealed.rx), std::move(nonce), {}};
    }

    void queue_relay(bytes body) {
        out_.push_back({destination::relay, "POST", {}, std::string(gateway_labels().request_media_type),
                        std::string(gateway_labels().response_media_type), std::move(body)});
    }

    // ---- step 3: the VM's attestation and the log proof of its measurement.
    result<state> on_attestation(want_attestation s, std::uint64_t now) {
        PPX_TRY_ASSIGN(auto inner, s.rx.open_all(s.buf));
        PPX_TRY_ASSIGN(auto res, bhttp::decode_response(inner));
        if (res.status != 200) return fail(errc::internal, "session: attestation lookup failed");
        PPX_TRY_ASSIGN(auto b, attestation_bundle::decode(res.content));
        const auto& cfg = *cfg_;
        auto lpol = cfg.log_policy;
        lpol.now = now;
        PPX_TRY_ASSIGN(auto cp, merkle::verify_checkpoint(b.checkpoint, lpol));
        // The SEV-SNP policy accepts exactly the measurement the log proves approved.
        ratls::verify_options o;
        o.policy = cfg.vm_policy;
        o.policy.now = static_cast<std::int64_t>(now);
        // Configured measurements only narrow the choice further (pinning): a measurement
        // must always be proved in the log, and also be pinned when any are.
        const std::vector<ratls::snp::measurement_t> pins = std::move(o.policy.measurements);
        o.policy.measurements.clear();
        o.policy.allow_any_measurement_insecure = false;
        o.policy.measurement_check = [&](std::span<const std::uint8_t, 48> m) {
            bool pinned = pins.empty();
            for (const auto& p : pins) pinned = pinned || equal_bytes(p, m);
            auto e = merkle::encode(merkle::measurement_entry{std::string(snp_platform), bytes(m.begin(), m.end())});
            return pinned && e && merkle::verify_inclusion(b.measurement.index, cp.size(), merkle::leaf_hash(*e), b.measurement.path, cp.root());
        };
        o.require_hpke_public_key = true;
        // Freshness: the claims the report binds must carry this session's nonce, so an
        // attestation made for another session (or none) cannot be replayed.
        o.nonce = s.nonce;
        if (!cfg.amd_roots) return fail(errc::misuse, "session: no AMD roots configured");
        ratls::certificate_verifier v(state_->snp_verifier(cfg.amd_roots), std::move(o));
        // CCC RA-TLS and SNP ABI: chain, signature, REPORT_DATA = SHA-512(claims), policy.
        PPX_TRY_ASSIGN(auto peer, v.verify(b.certificate));
        // The report binds the claims, and the claims carry the VM's HPKE key config.
        PPX_TRY_ASSIGN(auto kc, ohttp::key_config::parse(*peer.claims.hpke_public_key));
        PPX_TRY_ASSIGN(auto vmc, ohttp::client::make(kc, vm_labels()));
        const auto& rep = peer.report;
        std::vector<client_event> ev;
        ev.push_back(vm_attested{vm_id_of(*peer.claims.hpke_public_key), rep.product_name,
                                 bytes(rep.rep.measurement.begin(), rep.rep.measurement.end()), rep.reported_tcb,
                                 b.measurement.index, s.nonce});
        ready next{std::move(s.dep), attested{std::make_shared<const ohttp::client>(std::move(vmc)), vm_id_of(*peer.claims.hpke_public_key)}};
        return admit(std::move(cp), std::move(next), std::nullopt, std::move(ev), 0, nullptr);
    }

    // ---- step 4: one request (docs/PROTOCOL.md §4.2).
    result<state> build_request(ready s, bytes_view prompt) {
        // End to end: a fresh HPKE context to the attested VM key for this request only.
        PPX_TRY_ASSIGN(auto e2e, seal_request(*s.vm.vm, prompt, *rng_));
        const secure_bytes token = wallet_.take();
        bhttp::request req;
        req.control = {"POST", "https", cfg_->gateway_name, std::string(process_path)};
        req.headers = {{"content-type", std::string(vm_labels().request_media_type)},
                       {"accept", std::string(vm_labels().response_media_type)},
                       {"authorization", privacypass::authorization_value(token)},
                       {std::string(vm_field), s.vm.id}};
        req.content = std::move(e2e.body);
        auto inner_r = bhttp::encode(req);
        // The token's only plaintext copies besides the wallet: the field value and the
        // encoded inner request; both are wiped once sealed.
        auto& auth = req.headers[2].value;
        wipe(mutable_bytes(reinterpret_cast<std::uint8_t*>(auth.data()), auth.size()));
        PPX_TRY_ASSIGN(auto inner, std::move(inner_r));
        auto sealed = seal_request(*s.dep.gateway, inner, *rng_);
        wipe(inner);
        PPX_TRY_ASSIGN(auto out, std::move(sealed));
        auto& rx = out.rx;
        const std::size_t n = out.body.size();
        queue_relay(std::move(out.body));
        events_.push_back(request_sent{n, wallet_.size()});
        return streaming{std::move(s.dep), std::move(s.vm),
                         std::make_unique<reply_stack>(std::move(rx), std::move(e2e.rx))};
    }

    // Everything that authenticated during one call becomes one reply_chunk.
    void drain(reply_stack& st) {
        if (!st.pending.empty()) events_.push_back(reply_chunk{std::exchange(st.pending, {})});
    }

    // The end: the outer final chunk, the inner message's end, the VM's final chunk. Only
    // when all three authenticate is the reply complete (draft-08 §6.2: truncation is an error).
    result<state> on_reply_end(streaming s) {
        auto& st = *s.stack;
        PPX_TRY(st.outer.finish([&](bytes_view pt) { return st.dec.feed(pt, st); }));
        PPX_TRY(st.dec.finish(st));
        if (st.status != 200) return fail(errc::malformed, "session: reply has no status");
        PPX_TRY(st.vm.finish([&](bytes_view pt) { st.take(pt); }));
        drain(st);
        events_.push_back(reply_complete{st.total});
        return ready{std::move(s.dep), std::move(s.vm)};
    }

    template <class F>
    result<void> step(F&& f) {
        auto next = f();
        if (!next) return poison(next.error());
        st_ = std::move(*next);
        return ok();
    }
    result<void> misuse(const char* what) {
        if (auto* f = std::get_if<failed>(&st_)) return unexpected(f->err);
        return poison(error{errc::misuse, what});
    }
    // The first error wins; nothing queued is sent any more (fail closed) and every secret
    // of the session goes with the old state.
    unexpected poison(error e) {
        if (auto* f = std::get_if<failed>(&st_)) return unexpected(f->err);
        st_ = failed{e};
        wallet_.wipe();
        out_.clear();
        events_.push_back(client_failed{e});
        return unexpected(e);
    }

    std::shared_ptr<const client_config> cfg_;
    rng* rng_;
    std::shared_ptr<client_state> state_;
    token_wallet wallet_;
    state st_{idle{}};
    fifo<client_transmit> out_;
    fifo<client_event> events_;
};

} // namespace ppx::session
