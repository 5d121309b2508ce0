// ppx/session/vm.hpp: the confidential VM's side of a Private Processing request
// (docs/PROTOCOL.md §4.4), sans-IO.
//
// The VM holds an HPKE key pair made inside it; its public key config travels in the RA-TLS
// certificate's "ppx-hpke-public-key" claim, so the SEV-SNP report binds it (ratls/cert.hpp).
// One vm_exchange per request: it opens the end-to-end request (chunked OHTTP with the
// vm_labels(), draft-ietf-ohai-chunked-ohttp-08 §6.1), hands the plaintext to the caller's
// processing, seals every piece of the answer as one chunk (§6.2), and wipes the request,
// the HPKE context and the response keys when it ends. Nothing survives the exchange.
#pragma once
#include <ppx/session/common.hpp>

#include <functional>
#include <memory>

namespace ppx::session {

/// The VM's long-lived identity: its HPKE key (as an OHTTP-style key config with key_id 0)
/// and the gateway object that opens requests to it. Immutable; share it between exchanges.
class vm_identity {
public:
    /// Wraps a private key with the config to publish. errc::key_mismatch when the key is not
    /// the config's, errc::unsupported for a suite ppx does not implement (ohttp::gateway::make).
    static result<vm_identity> make(ohttp::key_config config, hpke::private_key sk) {
        bytes encoded = config.encode();
        std::vector<ohttp::gateway_key> keys;
        keys.push_back(ohttp::gateway_key{std::move(config), std::move(sk)});
        PPX_TRY_ASSIGN(auto gw, ohttp::gateway::make(std::move(keys), vm_labels()));
        return vm_identity(std::move(gw), std::move(encoded));
    }
    /// A fresh X25519 / HKDF-SHA256 / ChaCha20-Poly1305 identity drawn from `r`.
    static result<vm_identity> generate(rng& r) {
        PPX_TRY_ASSIGN(auto sk, hpke::private_key::generate(hpke::kem_id::x25519_sha256, r));
        const ohttp::symmetric_suite s[] = {{hpke::kdf_id::hkdf_sha256, hpke::aead_id::chacha20poly1305}};
        PPX_TRY_ASSIGN(auto cfg, ohttp::key_config::make(0, hpke::kem_id::x25519_sha256, sk.public_key_bytes(), s));
        return make(std::move(cfg), std::move(sk));
    }
    /// The key config bytes to put in the RA-TLS "ppx-hpke-public-key" claim.
    bytes_view key_config() const noexcept { return config_; }
    /// vm_id_of(key_config()): how clients and the gateway name this VM.
    const std::string& id() const noexcept { return id_; }
    const ohttp::gateway& opener() const noexcept { return gw_; }

private:
    vm_identity(ohttp::gateway gw, bytes cfg) : gw_(std::move(gw)), config_(std::move(cfg)), id_(vm_id_of(config_)) {}
    ohttp::gateway gw_;
    bytes config_;
    std::string id_;
};

/// Events of a vm_exchange.
struct vm_request_opened {
    std::size_t size = 0;  ///< plaintext bytes of the request
};
struct vm_response_done {
    std::size_t chunks = 0;  ///< sealed chunks, the final one included
};
struct vm_failed {
    error err;
};
using vm_event = std::variant<vm_request_opened, vm_response_done, vm_failed>;

/// The caller's processing: reads the request plaintext and writes the answer through `emit`
/// in as many pieces as it likes (each becomes one chunk). An error from it (or from emit)
/// fails the exchange and nothing more is sent.
using vm_processor = std::function<result<void>(bytes_view request, const std::function<result<void>(bytes_view)>& emit)>;

/// One request at the VM. Drive it with receive()/end_of_request(), then respond()/end_response()
/// (or run()), sending every poll_transmit() in order. Not thread-safe.
class vm_exchange {
public:
    /// A new exchange with `id`'s key; `r` draws the response nonce. Both must outlive it.
    vm_exchange(std::shared_ptr<const vm_identity> id, rng& r, ohttp::chunk_limits lim = {})
        : id_(std::move(id)), rng_(&r), st_(receiving{ohttp::chunked_request_receiver(id_->opener(), lim), {}}) {}

    /// Consumes the next piece of the end-to-end request (application/ppx-pp-vm-req). Errors
    /// (sticky, as ohttp::chunked_request_receiver::feed): errc::key_mismatch/unsupported for
    /// a header not naming this VM's key, errc::crypto_failure for a chunk that does not
    /// authenticate, errc::limit_exceeded above max_prompt_size; errc::misuse out of order.
    result<void> receive(bytes_view piece, std::uint64_t now) {
        (void)now;
        auto* s = std::get_if<receiving>(&st_);
        if (!s) return misuse("session: vm request already complete");
        auto r = s->rx.feed(piece, [s](bytes_view pt) -> result<void> { return append(s->prompt, pt); });
        if (!r) return poison(r.error());
        return ok();
    }

    /// The end of the request stream: opens the final chunk (draft-08 §6.1: a stream without
    /// its final chunk is truncated and refused) and emits vm_request_opened. Errors as receive().
    result<void> end_of_request(std::uint64_t now) {
        (void)now;
        auto* s = std::get_if<receiving>(&st_);
        if (!s) return misuse("session: vm request already complete");
        return transition([&]() -> result<state> { return open_request(std::move(*s)); });
    }

    /// The request plaintext, once opened (empty otherwise). Valid until the exchange ends.
    bytes_view request() const noexcept {
        auto* s = std::get_if<responding>(&st_);
        return s ? bytes_view(s->prompt) : bytes_view{};
    }

    /// Seals one non-empty piece of the answer as a chunk (draft-08 §6.2) and queues it.
    /// An empty piece is ignored. errc::misuse before the request is opened or after the end.
    result<void> respond(bytes_view piece, std::uint64_t now) {
        (void)now;
        auto* s = std::get_if<responding>(&st_);
        if (!s) return misuse("session: vm is not responding");
        if (piece.empty()) return ok();
        auto c = seal_chunk(s->tx, piece, false);
        if (!c) return poison(c.error());
        out_.push(std::move(*c));
        ++s->chunks;
        return ok();
    }

    /// Seals the final chunk (AAD "final", draft-08 §6.2), emits vm_response_done and wipes
    /// the request and every key of the exchange.
    result<void> end_response(std::uint64_t now) {
        (void)now;
        auto* s = std::get_if<responding>(&st_);
        if (!s) return misuse("session: vm is not responding");
        return transition([&]() -> result<state> { return finish(std::move(*s)); });
    }

    /// Runs `process` on the opened request, sealing what it emits, then end_response().
    /// While it runs, request() is empty: `process` gets the plaintext as its argument.
    result<void> run(const vm_processor& process, std::uint64_t now) {
        auto* s = std::get_if<responding>(&st_);
        if (!s) return misuse("session: vm is not responding");
        // Moved out (not copied) so it stays valid while a failing respond() replaces the
        // state; wiped by its zeroizing allocator when this returns.
        const secure_bytes prompt = std::move(s->prompt);
        auto r = process(prompt, [&](bytes_view piece) { return respond(piece, now); });
        if (!r) return poison(r.error());
        return end_response(now);
    }

    /// The caller lost the connection or gave up: wipes everything, fails with errc::internal.
    void abort() noexcept { (void)poison(error{errc::internal, "session: vm exchange aborted"}); }

    /// Next bytes of the response stream (application/ppx-pp-vm-res), in order.
    std::optional<bytes> poll_transmit() { return out_.pop(); }
    /// Next event.
    std::optional<vm_event> poll_event() { return events_.pop(); }
    /// True once the answer is complete or the exchange failed.
    bool finished() const noexcept { return std::holds_alternative<done>(st_) || std::holds_alternative<failed>(st_); }
    /// The first error, if the exchange failed.
    std::optional<error> failure() const noexcept {
        if (auto* f = std::get_if<failed>(&st_)) return f->err;
        return std::nullopt;
    }

private:
    struct receiving {
        ohttp::chunked_request_receiver rx;
        secure_bytes prompt;
    };
    struct responding {
        ohttp::chunked_response_sender tx;
        secure_bytes prompt;
        std::size_t chunks = 0;
    };
    struct done {};
    struct failed {
        error err;
    };
    using state = std::variant<receiving, responding, done, failed>;

    static result<void> append(secure_bytes& to, bytes_view pt) {
        if (to.size() + pt.size() > max_prompt_size) return fail(errc::limit_exceeded, "session: request too large");
        to.insert(to.end(), pt.begin(), pt.end());
        return ok();
    }

    // receiving -> responding: the final chunk authenticates (draft-08 §6.1).
    result<state> open_request(receiving s) {
        secure_bytes prompt = std::move(s.prompt);
        PPX_TRY(s.rx.finish([&](bytes_view pt) { return append(prompt, pt); }));
        PPX_TRY_ASSIGN(auto tx, s.rx.response_sender(*rng_));
        out_.push(to_bytes(tx.header()));  // response_nonce first (draft-08 §5)
        events_.push_back(vm_request_opened{prompt.size()});
        return responding{std::move(tx), std::move(prompt), 0};
    }

    // responding -> done: the final chunk, then everything is dropped (and wiped by its owner).
    result<state> finish(responding s) {
        PPX_TRY_ASSIGN(auto c, seal_chunk(s.tx, {}, true));
        out_.push(std::move(c));
        events_.push_back(vm_response_done{s.chunks + 1});
        return done{};
    }

    template <class F>
    result<void> transition(F&& f) {
        auto next = f();
        if (!next) return poison(next.error());
        st_ = std::move(*next);
        return ok();
    }
    result<void> misuse(const char* what) {
        if (auto* f = std::get_if<failed>(&st_)) return unexpected(f->err);
        return poison(error{errc::misuse, what});
    }
    // The first error wins, ends the exchange and drops whatever was not yet sent: a failed
    // check sends nothing further (fail closed).
    unexpected poison(error e) {
        if (auto* f = std::get_if<failed>(&st_)) return unexpected(f->err);
        st_ = failed{e};
        out_.clear();
        events_.push_back(vm_failed{e});
        return unexpected(e);
    }

    std::shared_ptr<const vm_identity> id_;
    rng* rng_;
    state st_;
    outbox out_;
    fifo<vm_event> events_;
};

} // namespace ppx::session
