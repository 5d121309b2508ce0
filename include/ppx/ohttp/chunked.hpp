// ppx/ohttp/chunked.hpp: chunked Oblivious HTTP (draft-ietf-ohai-chunked-ohttp-08).
//
// Requests and responses travel as a header then length-prefixed AEAD chunks; the last
// chunk has a zero length prefix, runs to the end of the stream and is sealed with the AAD
// "final". Senders here write into caller buffers; receivers are fed the stream in pieces
// of any size and hand each chunk's plaintext to a callback only once that chunk has
// authenticated, so a tampered chunk never releases plaintext. A receiver reports the
// final chunk only at finish(), when the end of the stream proves it complete; a stream
// that ends without a final chunk is an error (§7.1: a message is complete only then).
//
// Client:  chunked_request_sender (seal chunks) -> chunked_response_receiver (open them)
// Gateway: chunked_request_receiver (open chunks) -> chunked_response_sender (seal them)
// Make the client and gateway with labels::chunked_bhttp() (or a custom media type's).
#pragma once

#include <ppx/ohttp/client.hpp>
#include <ppx/ohttp/gateway.hpp>

#include <limits>
#include <optional>
#include <type_traits>

namespace ppx::ohttp {

/// Receiver limits. Chunks larger than max_chunk_size (ciphertext bytes) are refused with
/// errc::limit_exceeded; the draft (§3) requires at least 2^14 bytes of plaintext.
struct chunk_limits {
    std::size_t max_chunk_size = 1 << 20;
};

/// The AAD of the final chunk (draft-08 §6.1, §6.2).
inline constexpr std::string_view final_chunk_aad = "final";

namespace detail {

template <class F>
result<void> deliver(F& f, bytes_view pt) {
    if constexpr (std::is_void_v<std::invoke_result_t<F&, bytes_view>>) {
        f(pt);
        return ok();
    } else {
        return f(pt);
    }
}

/// Splits a chunk stream (after its header) into chunks and opens them as they arrive,
/// through `Opener` (an object with begin(aad) starting the next chunk, update(ct, out)
/// decrypting a piece of it and finish(tag) checking it). A chunk's ciphertext is never
/// copied: the part of it in each piece is decrypted straight from that piece into one
/// plaintext buffer, which is handed to the callback only once the chunk's tag has
/// authenticated (and wiped if it does not). The final chunk, whose length only the end of
/// the stream tells, is decrypted the same way as it arrives, holding back its last Nt
/// bytes (the tag, once the stream ends). Only a length prefix split between pieces (at
/// most 8 bytes) and a tag split between pieces or held back (at most Nt) are buffered.
class chunk_splitter {
public:
    explicit chunk_splitter(chunk_limits lim) noexcept : lim_(lim) {}

    template <class Opener, class F>
    result<void> feed(bytes_view piece, std::size_t tag_size, Opener& op, F& on_plaintext) {
        while (!piece.empty()) {
            if (final_) return feed_final(piece, tag_size, op);
            if (len_ == 0) {
                // A length prefix, possibly split between pieces (draft-08 §4, §5).
                prefix_[plen_++] = piece[0];
                piece = piece.subspan(1);
                if (plen_ < (std::size_t{1} << (prefix_[0] >> 6))) continue;
                reader r(bytes_view(prefix_, plen_));
                const std::uint64_t len = r.varint().value_or(0);
                plen_ = 0;
                // A zero length marks the final chunk, which runs to the end of the stream.
                if (len == 0) {
                    final_ = true;
                    continue;
                }
                if (len > lim_.max_chunk_size) return fail(errc::limit_exceeded, "ohttp: chunk too large");
                // draft-08 §6: a non-final chunk with no data is treated as a decryption error.
                if (len <= tag_size) return fail(errc::crypto_failure);
                if (tag_size > sizeof tag_) return fail(errc::internal, "ohttp: tag larger than any AEAD's");
                len_ = static_cast<std::size_t>(len);
                got_ = 0;
                reserve(len_ - tag_size, 0);
                PPX_TRY(op.begin());
                continue;
            }
            const std::size_t body = len_ - tag_size;
            if (got_ < body) {
                const std::size_t n = std::min(body - got_, piece.size());
                PPX_TRY(op.update(piece.first(n), plain() + got_));
                got_ += n;
                piece = piece.subspan(n);
                continue;
            }
            // The tag: read in place when whole, else gathered across pieces.
            bytes_view tag;
            if (got_ == body && piece.size() >= tag_size) {
                tag = piece.first(tag_size);
                piece = piece.subspan(tag_size);
            } else {
                const std::size_t n = std::min(len_ - got_, piece.size());
                std::memcpy(tag_ + (got_ - body), piece.data(), n);
                got_ += n;
                piece = piece.subspan(n);
                if (got_ < len_) continue;
                tag = bytes_view(tag_, tag_size);
            }
            len_ = 0;
            if (auto r = op.finish(tag); !r) {
                wipe(mutable_bytes(plain(), body));
                return unexpected(r.error());
            }
            PPX_TRY(deliver(on_plaintext, bytes_view(plain(), body)));
        }
        return ok();
    }

    template <class Opener, class F>
    result<void> finish(std::size_t tag_size, Opener& op, F& on_plaintext) {
        if (!final_) return fail(errc::malformed, "ohttp: stream ended without a final chunk");
        if (hold_len_ < tag_size) return fail(errc::crypto_failure);  // (feed_final began it)
        if (auto r = op.finish(bytes_view(hold_, tag_size)); !r) {
            wipe(mutable_bytes(plain(), got_));
            return unexpected(r.error());
        }
        if (got_ != 0) PPX_TRY(deliver(on_plaintext, bytes_view(plain(), got_)));
        return ok();
    }

private:
    // The final chunk runs to the end of the stream: everything but the last tag_size bytes
    // seen so far is ciphertext and is decrypted now; those held back are the tag if the
    // stream ends here. Its plaintext is released by finish() only.
    template <class Opener>
    result<void> feed_final(bytes_view piece, std::size_t tag_size, Opener& op) {
        if (tag_size > sizeof hold_) return fail(errc::internal, "ohttp: tag larger than any AEAD's");
        if (!final_begun_) {
            PPX_TRY(op.begin(as_bytes(final_chunk_aad)));
            final_begun_ = true;
            got_ = 0;
            reserve(0, 0);
        }
        if (got_ + hold_len_ + piece.size() > lim_.max_chunk_size) return fail(errc::limit_exceeded, "ohttp: chunk too large");
        const std::size_t seen = hold_len_ + piece.size();
        if (seen <= tag_size) {
            std::memcpy(hold_ + hold_len_, piece.data(), piece.size());
            hold_len_ = seen;
            return ok();
        }
        const std::size_t release = seen - tag_size;
        reserve(got_ + release, got_);
        const std::size_t from_hold = std::min(hold_len_, release), from_piece = release - from_hold;
        if (from_hold != 0) PPX_TRY(op.update(bytes_view(hold_, from_hold), plain() + got_));
        got_ += from_hold;
        if (from_piece != 0) PPX_TRY(op.update(piece.first(from_piece), plain() + got_));
        got_ += from_piece;
        // What stays held back: the rest of the old hold, then the end of this piece.
        const std::size_t kept = hold_len_ - from_hold;
        std::memmove(hold_, hold_ + from_hold, kept);
        std::memcpy(hold_ + kept, piece.data() + from_piece, piece.size() - from_piece);
        hold_len_ = tag_size;
        return ok();
    }

    chunk_limits lim_;
    bool final_ = false;
    std::uint8_t prefix_[8] = {};  // a length prefix split between pieces
    std::size_t plen_ = 0;
    std::size_t len_ = 0;          // ciphertext length of the chunk being opened; 0 between chunks
    std::size_t got_ = 0;          // its bytes seen so far
    std::uint8_t tag_[16] = {};  // its tag, when split between pieces
    bool final_begun_ = false;   // the final chunk's opening has begun (got_ counts its plaintext)
    std::uint8_t hold_[16] = {}; // the final chunk's last bytes so far: its tag if the stream ends
    std::size_t hold_len_ = 0;
    // Plaintext of the chunk being opened: inline while it fits (the small chunks of a
    // streamed reply cost no allocation), else in scratch_. Both are wiped when the splitter
    // goes (secret<> also when it is moved from).
    secret<256> small_;
    secure_bytes scratch_;
    bool on_heap_ = false;

    std::uint8_t* plain() noexcept { return on_heap_ ? scratch_.data() : small_.expose_mut().data(); }
    // Room in plain() for `need` bytes of plaintext, the first `keep` of which (already there) stay.
    void reserve(std::size_t need, std::size_t keep) {
        if (need <= small_.size() && (!on_heap_ || keep == 0)) {
            on_heap_ = false;
            return;
        }
        if (scratch_.size() < need) scratch_.resize(std::max(need, 2 * scratch_.size()));
        if (!on_heap_ && keep != 0) {
            std::memcpy(scratch_.data(), plain(), keep);
            wipe(mutable_bytes(plain(), keep));
        }
        on_heap_ = true;
    }
};

// Writes varint(len) (or 0 for the final chunk) into out, returning the prefix length.
inline std::size_t chunk_prefix(std::size_t ct_len, bool final, mutable_bytes out) noexcept {
    span_writer w(out);
    w.varint(final ? 0 : ct_len);
    return w.size();
}

inline std::size_t chunk_size(std::size_t pt, std::size_t tag, bool final) noexcept {
    return (final ? 1 : varint_size(pt + tag)) + pt + tag;
}

} // namespace detail

class chunked_response_receiver;

/// Client: seals a chunked request (draft-08 §6.1). Not thread-safe.
class chunked_request_sender {
public:
    /// Starts a request with `c`'s key and suite: runs SetupBaseS with info
    /// "message/bhttp chunked request" || 0 || hdr (from `c`'s labels) and an ephemeral key
    /// from `r`. Errors as client::encapsulate.
    static result<chunked_request_sender> start(const client& c, rng& r = system_rng()) {
        const std::size_t nenc = c.suite().kem().n_enc;
        bytes header(header_size + nenc);
        c.header().write(std::span<std::uint8_t, header_size>(header.data(), header_size));
        PPX_TRY_ASSIGN(auto ctx, hpke::setup_s(c.suite(), c.public_key(), c.schedule_input(), r,
                                               mutable_bytes(header).subspan(header_size)));
        detail::response_state st(c.suite());
        PPX_TRY(st.init(ctx, c.labels().response_label, bytes_view(header).subspan(header_size)));
        return chunked_request_sender(std::move(header), std::move(ctx), std::move(st));
    }

    /// The Chunked Request Header, hdr || enc: send it first.
    bytes_view header() const noexcept { return header_; }
    /// Bytes seal() writes for `plaintext` bytes: varint(len) + plaintext + Nt (final: 1 + ...).
    std::size_t chunk_size(std::size_t plaintext, bool final = false) const noexcept {
        return detail::chunk_size(plaintext, ctx_.suite().overhead(), final);
    }

    /// Seals one chunk into `out` (at least chunk_size() bytes) and returns its length.
    /// A non-final chunk must carry data (draft-08 §6: errc::misuse otherwise). After the
    /// final chunk every call is errc::misuse; errc::buffer_too_small leaves the state
    /// unchanged; errc::misuse when the HPKE sequence number is exhausted (§6.1).
    result<std::size_t> seal(bytes_view plaintext, bool final, mutable_bytes out) {
        if (finished_) return fail(errc::misuse, "ohttp: request already finished");
        if (!final && plaintext.empty()) return fail(errc::misuse, "ohttp: non-final chunk must not be empty");
        const std::size_t total = chunk_size(plaintext.size(), final);
        if (out.size() < total) return fail(errc::buffer_too_small, "ohttp: output buffer too small");
        const std::size_t p = detail::chunk_prefix(plaintext.size() + ctx_.suite().overhead(), final, out);
        PPX_TRY(ctx_.seal(final ? as_bytes(final_chunk_aad) : bytes_view{}, plaintext, out.subspan(p)));
        finished_ = final;
        return total;
    }
    result<bytes> seal(bytes_view plaintext, bool final = false) {
        bytes out(chunk_size(plaintext.size(), final));
        PPX_TRY(seal(plaintext, final, mutable_bytes(out)));
        return out;
    }
    bool finished() const noexcept { return finished_; }

    /// The receiver for the response (may be made before the request is finished, for
    /// interactive use; see draft-08 §7.2). Once only: errc::misuse afterwards.
    result<chunked_response_receiver> response_receiver(chunk_limits lim = {});

    /// Moves the HPKE sequence number (tests of the chunk limit only).
    void set_sequence_for_testing(std::uint64_t s) noexcept { ctx_.set_sequence_for_testing(s); }

private:
    chunked_request_sender(bytes header, hpke::context ctx, detail::response_state st) noexcept
        : header_(std::move(header)), ctx_(std::move(ctx)), state_(std::move(st)) {}
    bytes header_;
    hpke::context ctx_;
    detail::response_state state_;
    bool finished_ = false;
};

/// Client: opens a chunked response (draft-08 §5, §6.2) fed in pieces of any size.
class chunked_response_receiver {
public:
    /// Consumes the next piece of the response stream. `on_plaintext(bytes_view)` (returning
    /// void or result<void>) receives each non-final chunk's plaintext after it authenticates.
    /// Errors (sticky): errc::crypto_failure for a chunk that does not authenticate (wrong
    /// order, tampering, an empty non-final chunk), errc::limit_exceeded past the limits or
    /// the chunk counter, or the callback's error.
    template <class F>
    result<void> feed(bytes_view piece, F&& on_plaintext) {
        if (failed_) return unexpected(err_);
        if (done_) return fail(errc::misuse, "ohttp: response already finished");
        if (!keys_) {
            const std::size_t nn = state_.nonce_size();
            const std::size_t take = std::min(nn - nonce_len_, piece.size());
            if (take != 0) std::memcpy(nonce_.data() + nonce_len_, piece.data(), take);
            nonce_len_ += take;
            piece = piece.subspan(take);
            if (nonce_len_ < nn) return ok();
            auto k = state_.keys(bytes_view(nonce_.data(), nn));
            state_.consume();
            if (!k) return poison(k.error());
            auto s = crypto::aead_stream_opener::make(static_cast<std::uint16_t>(state_.suite().aead().id), k->key());
            if (!s) return poison(s.error());
            keys_.emplace(std::move(*k));
            stream_.emplace(std::move(*s));
        }
        opener op{*this};
        auto r = splitter_.feed(piece, state_.suite().overhead(), op, on_plaintext);
        if (!r) return poison(r.error());
        return ok();
    }
    /// The end of the stream: opens the final chunk (AAD "final") and hands its plaintext
    /// (if any) to `on_plaintext`. errc::malformed if no final chunk arrived (truncation),
    /// errc::crypto_failure if it does not authenticate.
    template <class F>
    result<void> finish(F&& on_plaintext) {
        if (failed_) return unexpected(err_);
        if (done_) return fail(errc::misuse, "ohttp: response already finished");
        if (!keys_) return poison(error{errc::malformed, "ohttp: truncated response nonce"});
        opener op{*this};
        auto r = splitter_.finish(state_.suite().overhead(), op, on_plaintext);
        if (!r) return poison(r.error());
        done_ = true;
        return ok();
    }
    /// Whole-response convenience: every plaintext chunk, concatenated.
    result<secure_bytes> open_all(bytes_view stream) {
        secure_bytes out;
        auto sink = [&](bytes_view b) { out.insert(out.end(), b.begin(), b.end()); };
        PPX_TRY(feed(stream, sink));
        PPX_TRY(finish(sink));
        return out;
    }
    /// Moves the chunk counter (tests of the 256^Nn limit only).
    void set_counter_for_testing(std::uint64_t c) noexcept { counter_ = c; }

private:
    friend class chunked_request_sender;
    chunked_response_receiver(detail::response_state st, chunk_limits lim) noexcept
        : state_(std::move(st)), splitter_(lim) {}

    // What the splitter opens chunks with, all through stream_ (the key loaded once).
    struct opener {
        chunked_response_receiver& r;
        result<void> begin(bytes_view aad = {}) noexcept {
            // draft-08 §6.2: at most 256^Nn chunks; ppx's 64-bit counter stops at its wrap.
            if (r.counter_ == std::numeric_limits<std::uint64_t>::max())
                return fail(errc::limit_exceeded, "ohttp: chunk counter exhausted");
            std::uint8_t nonce[hpke::nonce_size];
            const std::size_t nn = r.state_.suite().aead().n_n;
            r.keys_->chunk_nonce(r.counter_, mutable_bytes(nonce, nn));
            return r.stream_->begin(bytes_view(nonce, nn), aad);
        }
        result<void> update(bytes_view ct, std::uint8_t* out) noexcept { return r.stream_->update(ct, out); }
        result<void> finish(bytes_view tag) noexcept {
            auto f = r.stream_->finish(tag);
            if (!f) return f.error().code == errc::crypto_failure ? fail(errc::crypto_failure) : unexpected(f.error());
            ++r.counter_;
            return ok();
        }
    };
    unexpected poison(error e) noexcept {
        failed_ = true;
        err_ = e;
        return unexpected(e);
    }

    detail::response_state state_;
    detail::chunk_splitter splitter_;
    std::optional<response_keys> keys_;
    std::optional<crypto::aead_stream_opener> stream_;
    std::array<std::uint8_t, max_response_nonce_size> nonce_{};  // the response nonce (not secret)
    std::size_t nonce_len_ = 0;
    std::uint64_t counter_ = 0;
    bool failed_ = false, done_ = false;
    error err_{};
};

inline result<chunked_response_receiver> chunked_request_sender::response_receiver(chunk_limits lim) {
    if (!state_.live()) return fail(errc::misuse, "ohttp: response receiver already made");
    return chunked_response_receiver(std::move(state_), lim);
}

class chunked_response_sender;

/// Gateway: opens a chunked request (draft-08 §4, §6.1) fed in pieces of any size.
class chunked_request_receiver {
public:
    /// A receiver using `g`'s keys (make `g` with labels::chunked_bhttp()).
    explicit chunked_request_receiver(gateway g, chunk_limits lim = {}) : gw_(std::move(g)), splitter_(lim) {}

    /// Consumes the next piece of the request stream; `on_plaintext(bytes_view)` receives each
    /// non-final chunk's plaintext once it authenticates. Errors (sticky) as
    /// gateway::decapsulate for the header, then as chunked_response_receiver::feed.
    template <class F>
    result<void> feed(bytes_view piece, F&& on_plaintext) {
        if (failed_) return unexpected(err_);
        if (done_) return fail(errc::misuse, "ohttp: request already finished");
        if (!ctx_) {
            auto r = take_header(piece);
            if (!r) return poison(r.error());
            if (!ctx_) return ok();
        }
        opener op{*this};
        auto r = splitter_.feed(piece, ctx_->suite().overhead(), op, on_plaintext);
        if (!r) return poison(r.error());
        return ok();
    }
    /// The end of the stream: opens the final chunk; errors as chunked_response_receiver::finish.
    template <class F>
    result<void> finish(F&& on_plaintext) {
        if (failed_) return unexpected(err_);
        if (done_) return fail(errc::misuse, "ohttp: request already finished");
        if (!ctx_) return poison(error{errc::malformed, "ohttp: truncated chunked request header"});
        opener op{*this};
        auto r = splitter_.finish(ctx_->suite().overhead(), op, on_plaintext);
        if (!r) return poison(r.error());
        done_ = true;
        return ok();
    }
    result<secure_bytes> open_all(bytes_view stream) {
        secure_bytes out;
        auto sink = [&](bytes_view b) { out.insert(out.end(), b.begin(), b.end()); };
        PPX_TRY(feed(stream, sink));
        PPX_TRY(finish(sink));
        return out;
    }

    /// True once the header was decapsulated (the response sender can then be made).
    bool header_done() const noexcept { return ctx_.has_value(); }
    /// The parsed header (valid when header_done()).
    const request_header& header() const noexcept { return hdr_; }
    bool finished() const noexcept { return done_; }

    /// The sender for the response, drawing the response nonce from `r`. Needs the header;
    /// once only (errc::misuse otherwise).
    result<chunked_response_sender> response_sender(rng& r = system_rng());

    void set_sequence_for_testing(std::uint64_t s) noexcept {
        if (ctx_) ctx_->set_sequence_for_testing(s);
    }

private:
    // draft-08 §4: the 7-byte header names the key and KEM (hence Nenc); enc follows.
    result<void> take_header(bytes_view& piece) {
        if (head_.size() < header_size) {
            const std::size_t take = std::min(header_size - head_.size(), piece.size());
            head_.insert(head_.end(), piece.begin(), piece.begin() + static_cast<std::ptrdiff_t>(take));
            piece = piece.subspan(take);
            if (head_.size() < header_size) return ok();
            PPX_TRY_ASSIGN(hdr_, request_header::parse(head_));
            nenc_ = gw_.enc_size(hdr_);
            if (nenc_ == 0) {
                // RFC 9458 §4.3 step 1: unknown key_id, KEM or suite; setup() says which.
                auto s = gw_.setup(hdr_, {});
                return s ? fail(errc::internal, "ohttp: inconsistent gateway state") : unexpected(s.error());
            }
        }
        const std::size_t take = std::min(header_size + nenc_ - head_.size(), piece.size());
        head_.insert(head_.end(), piece.begin(), piece.begin() + static_cast<std::ptrdiff_t>(take));
        piece = piece.subspan(take);
        if (head_.size() < header_size + nenc_) return ok();
        const bytes_view enc = bytes_view(head_).subspan(header_size);
        PPX_TRY_ASSIGN(auto ctx, gw_.setup(hdr_, enc));
        state_.emplace(ctx.suite());
        PPX_TRY(state_->init(ctx, gw_.labels().response_label, enc));
        PPX_TRY_ASSIGN(auto stream, ctx.stream_opener());
        stream_.emplace(std::move(stream));
        ctx_.emplace(std::move(ctx));
        return ok();
    }
    struct opener {
        chunked_request_receiver& r;
        result<void> begin(bytes_view aad = {}) noexcept { return r.ctx_->begin_stream_open(*r.stream_, aad); }
        result<void> update(bytes_view ct, std::uint8_t* out) noexcept { return r.stream_->update(ct, out); }
        result<void> finish(bytes_view tag) noexcept {
            auto f = r.stream_->finish(tag);
            if (!f) return f.error().code == errc::crypto_failure ? fail(errc::crypto_failure) : unexpected(f.error());
            r.ctx_->end_stream_open();
            return ok();
        }
    };
    unexpected poison(error e) noexcept {
        failed_ = true;
        err_ = e;
        return unexpected(e);
    }

    gateway gw_;
    detail::chunk_splitter splitter_;
    bytes head_;
    request_header hdr_{};
    std::size_t nenc_ = 0;
    std::optional<hpke::context> ctx_;
    std::optional<crypto::aead_stream_opener> stream_;
    std::optional<detail::response_state> state_;
    bool failed_ = false, done_ = false;
    error err_{};
};

/// Gateway: seals a chunked response (draft-08 §5, §6.2). Not thread-safe.
class chunked_response_sender {
public:
    /// The response nonce, max(Nn, Nk) bytes: send it first.
    bytes_view header() const noexcept { return nonce_; }
    /// Bytes seal() writes for `plaintext` bytes.
    std::size_t chunk_size(std::size_t plaintext, bool final = false) const noexcept {
        return detail::chunk_size(plaintext, suite_.overhead(), final);
    }
    /// Seals one chunk (counter-derived nonce; AAD "final" for the last) into `out` and
    /// returns its length. Errors as chunked_request_sender::seal, plus errc::limit_exceeded
    /// when the chunk counter is exhausted (draft-08 §6.2: fewer than 256^Nn chunks).
    result<std::size_t> seal(bytes_view plaintext, bool final, mutable_bytes out) {
        if (finished_) return fail(errc::misuse, "ohttp: response already finished");
        if (!final && plaintext.empty()) return fail(errc::misuse, "ohttp: non-final chunk must not be empty");
        if (counter_ == std::numeric_limits<std::uint64_t>::max()) return fail(errc::limit_exceeded, "ohttp: chunk counter exhausted");
        const std::size_t total = chunk_size(plaintext.size(), final);
        if (out.size() < total) return fail(errc::buffer_too_small, "ohttp: output buffer too small");
        const std::size_t p = detail::chunk_prefix(plaintext.size() + suite_.overhead(), final, out);
        std::uint8_t nonce[hpke::nonce_size];
        const std::size_t nn = suite_.aead().n_n;
        keys_.chunk_nonce(counter_, mutable_bytes(nonce, nn));
        PPX_TRY(sealer_.seal(bytes_view(nonce, nn), final ? as_bytes(final_chunk_aad) : bytes_view{}, plaintext, out.subspan(p)));
        ++counter_;
        finished_ = final;
        return total;
    }
    result<bytes> seal(bytes_view plaintext, bool final = false) {
        bytes out(chunk_size(plaintext.size(), final));
        PPX_TRY(seal(plaintext, final, mutable_bytes(out)));
        return out;
    }
    bool finished() const noexcept { return finished_; }
    void set_counter_for_testing(std::uint64_t c) noexcept { counter_ = c; }

private:
    friend class chunked_request_receiver;
    chunked_response_sender(const hpke::suite& s, bytes nonce, response_keys k, crypto::aead_sealer sealer) noexcept
        : suite_(s), nonce_(std::move(nonce)), keys_(std::move(k)), sealer_(std::move(sealer)) {}
    hpke::suite suite_;
    bytes nonce_;
    response_keys keys_;        // the chunk nonces come from its nonce
    crypto::aead_sealer sealer_;  // its key, loaded once for the whole response
    std::uint64_t counter_ = 0;
    bool finished_ = false;
};

inline result<chunked_response_sender> chunked_request_receiver::response_sender(rng& r) {
    if (!state_ || !state_->live()) return fail(errc::misuse, "ohttp: no request header yet, or sender already made");
    bytes nonce(state_->nonce_size());
    PPX_TRY(r.fill(nonce));
    auto k = state_->keys(nonce);
    state_->consume();
    if (!k) return unexpected(k.error());
    PPX_TRY_ASSIGN(auto sealer, crypto::aead_sealer::make(static_cast<std::uint16_t>(state_->suite().aead().id), k->key()));
    return chunked_response_sender(state_->suite(), std::move(nonce), std::move(*k), std::move(sealer));
}

} // namespace ppx::ohttp
