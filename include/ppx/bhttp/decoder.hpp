// ppx/bhttp/decoder.hpp: an incremental Binary HTTP (RFC 9292) decoder and one-shot decoding.
//
// bhttp::decoder is fed a message in pieces of any size (one byte at a time works) and
// reports each part to a handler as soon as it is complete: control data, informational
// responses, the header section, content as it arrives (never buffered), trailers, then the
// end with the message's wire form. Only an unfinished field section or control data is
// held back, and that is bounded by `limits`. The first error is sticky.
#pragma once

#include <ppx/bhttp/message.hpp>
#include <ppx/core/reader.hpp>
#include <ppx/core/secret.hpp>

#include <variant>

namespace ppx::bhttp {

/// Which messages a decoder accepts.
enum class message_kind : std::uint8_t { request, response, any };

/// Receives the parts of a message from a decoder, in wire order. Every callback may return
/// an error to stop decoding; the decoder then fails with that error. Views passed to a
/// callback are valid only during the call.
class handler {
public:
    virtual ~handler() = default;
    /// The framing indicator (RFC 9292 §3.3): the first thing decoded.
    virtual result<void> on_framing(framing_indicator) { return ok(); }
    /// Request control data (RFC 9292 §3.4).
    virtual result<void> on_control(const request_control&) { return ok(); }
    /// One informational (1xx) response with its header fields (RFC 9292 §3.5.1).
    virtual result<void> on_informational(const informational_response&) { return ok(); }
    /// The final status code, 200..599 (RFC 9292 §3.5).
    virtual result<void> on_status(std::uint16_t) { return ok(); }
    /// The header section (empty when the message was truncated before it).
    virtual result<void> on_headers(const field_list&) { return ok(); }
    /// Some content bytes, in order; never called with an empty piece.
    virtual result<void> on_content(bytes_view) { return ok(); }
    /// The trailer section (empty when absent or truncated).
    virtual result<void> on_trailers(const field_list&) { return ok(); }
    /// The message is complete (called from decoder::finish()).
    virtual result<void> on_end(const wire_form&) { return ok(); }

    /// What the decoder calls for control data, the header and the trailer section: a handler
    /// that keeps them may override these and move from the argument (the decoder no longer
    /// needs it). By default they call on_control, on_headers and on_trailers.
    virtual result<void> take_control(request_control& c) { return on_control(c); }
    virtual result<void> take_headers(field_list& f) { return on_headers(f); }
    virtual result<void> take_trailers(field_list& f) { return on_trailers(f); }
};

/// Incremental decoder for one message. Not thread-safe; one per message.
class decoder {
public:
    explicit decoder(message_kind kind = message_kind::any, limits lim = {}) noexcept : kind_(kind), lim_(lim) {}

    /// Decodes as much of `piece` as possible, calling `h` for every completed part.
    /// Fails with errc::malformed (invalid message, RFC 9292 §4), errc::limit_exceeded, an
    /// error from `h`, or the earlier error if the decoder already failed.
    result<void> feed(bytes_view piece, handler& h) {
        if (st_ == state::failed) return unexpected(err_);
        if (st_ == state::done) return fail(errc::misuse, "bhttp: message already finished");
        if (buf_.empty()) {
            auto n = process(piece, h);
            if (!n) return poison(n.error());
            buf_.assign(piece.begin() + static_cast<std::ptrdiff_t>(*n), piece.end());
        } else {
            buf_.insert(buf_.end(), piece.begin(), piece.end());
            auto n = process(buf_, h);
            if (!n) return poison(n.error());
            buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(*n));
        }
        return ok();
    }

    /// Declares the end of the input. Applies RFC 9292 §3.8: a message may stop before its
    /// trailers, before its content (when the rest is empty), or, as RFC 9458 Appendix A
    /// needs, right after the control data; missing parts are reported as empty. Anything
    /// else cut short is errc::malformed. Calls h.on_end() on success.
    result<void> finish(handler& h) {
        if (st_ == state::failed) return unexpected(err_);
        if (st_ == state::done) return fail(errc::misuse, "bhttp: message already finished");
        auto r = finish_impl(h);
        if (!r) return poison(r.error());
        st_ = state::done;
        return ok();
    }

    bool failed() const noexcept { return st_ == state::failed; }
    bool done() const noexcept { return st_ == state::done; }

private:
    enum class state : std::uint8_t { framing, control, status, fields, content_length, content_data, padding, done, failed };
    enum class section : std::uint8_t { informational, headers, trailers };

    unexpected poison(error e) noexcept {
        st_ = state::failed;
        err_ = e;
        return unexpected(e);
    }

    result<std::size_t> process(bytes_view window, handler& h) {
        reader r(window);
        for (;;) {
            PPX_TRY_ASSIGN(const bool progressed, step(r, h));
            if (!progressed) break;
        }
        return r.position();
    }

    // A bounded length-prefixed string; nullopt-like "need more" is signalled by `more`.
    result<bool> read_string(reader& t, std::size_t max, std::string& out, const char* too_big) {
        auto n = t.varint();
        if (!n) return false;
        if (*n > max) return fail(errc::limit_exceeded, too_big);
        auto b = t.bytes(static_cast<std::size_t>(*n));
        if (!b) return false;
        out.assign(as_chars(*b));
        return true;
    }

    // Reads one field line (RFC 9292 §3.6) into fields_. false: need more input.
    result<bool> read_field_line(reader& t, std::size_t budget) {
        auto n = t.varint();
        if (!n) return false;
        if (*n == 0) return fail(errc::malformed, "bhttp: empty field name");
        if (*n > budget) return fail(errc::limit_exceeded, "bhttp: field section too large");
        auto name = t.bytes(static_cast<std::size_t>(*n));
        if (!name) return false;
        auto v = t.varint();
        if (!v) return false;
        if (*v > budget - *n) return fail(errc::limit_exceeded, "bhttp: field section too large");
        auto value = t.bytes(static_cast<std::size_t>(*v));
        if (!value) return false;
        if (fields_.size() >= lim_.max_fields) return fail(errc::limit_exceeded, "bhttp: too many fields");
        if (fields_.capacity() == 0) fields_.reserve(8);  // one allocation for a typical section
        fields_.push_back(field{std::string(as_chars(*name)), std::string(as_chars(*value))});
        return true;
    }

    result<void> end_section(handler& h) {
        PPX_TRY(check_fields(fields_, sec_ == section::trailers, lim_));
        switch (sec_) {
        case section::informational:
            PPX_TRY(h.on_informational(informational_response{info_status_, fields_}));
            st_ = state::status;
            break;
        case section::headers:
            PPX_TRY(h.take_headers(fields_));
            st_ = state::content_length;
            break;
        case section::trailers:
            PPX_TRY(h.take_trailers(fields_));
            st_ = state::padding;
            break;
        }
        fields_.clear();
        section_bytes_ = 0;
        return ok();
    }

    // One step of the state machine. Returns true if it consumed something, false if it
    // needs more input (leaving `r` unchanged).
    result<bool> step(reader& r, handler& h) {
        reader t = r;
        switch (st_) {
        case state::framing: {
            auto v = t.varint();
            if (!v) return false;
            // RFC 9292 §3.3: only four values are valid.
            if (*v > 3) return fail(errc::malformed, "bhttp: unknown framing indicator");
            const bool request = *v == 0 || *v == 2;
            if (kind_ == message_kind::request && !request) return fail(errc::malformed, "bhttp: expected a request");
            if (kind_ == message_kind::response && request) return fail(errc::malformed, "bhttp: expected a response");
            request_ = request;
            form_.mode = *v >= 2 ? framing::indeterminate_length : framing::known_length;
            PPX_TRY(h.on_framing(static_cast<framing_indicator>(*v)));
            st_ = request ? state::control : state::status;
            break;
        }
        case state::control: {
            // RFC 9292 §3.4: method, scheme, authority, path, each length-prefixed.
            request_control c;
            for (std::string* s : {&c.method, &c.scheme, &c.authority, &c.path}) {
                PPX_TRY_ASSIGN(const bool got, read_string(t, lim_.max_control_size, *s, "bhttp: control data too large"));
                if (!got) return false;
            }
            PPX_TRY(check_control(c, lim_));
            PPX_TRY(h.take_control(c));
            sec_ = section::headers;
            st_ = state::fields;
            break;
        }
        case state::status: {
            auto v = t.varint();
            if (!v) return false;
            // RFC 9292 §3.5, §3.5.1: 1xx repeats control data and a header section.
            if (is_informational_status(*v)) {
                if (info_count_ >= lim_.max_informational) return fail(errc::limit_exceeded, "bhttp: too many informational responses");
                ++info_count_;
                info_status_ = static_cast<std::uint16_t>(*v);
                sec_ = section::informational;
            } else if (is_final_status(*v)) {
                PPX_TRY(h.on_status(static_cast<std::uint16_t>(*v)));
                sec_ = section::headers;
            } else {
                return fail(errc::malformed, "bhttp: invalid status code");
            }
            st_ = state::fields;
            break;
        }
        case state::fields: {
            if (form_.mode == framing::known_length) {
                // RFC 9292 §3.1: a length-prefixed section, decoded whole.
                auto len = t.varint();
                if (!len) return false;
                if (*len > lim_.max_field_section_size) return fail(errc::limit_exceeded, "bhttp: field section too large");
                auto body = t.bytes(static_cast<std::size_t>(*len));
                if (!body) return false;
                reader f(*body);
                while (!f.empty()) {
                    PPX_TRY_ASSIGN(const bool got, read_field_line(f, lim_.max_field_section_size));
                    if (!got) return fail(errc::malformed, "bhttp: field line overruns its section");
                }
                PPX_TRY(end_section(h));
                break;
            }
            // RFC 9292 §3.2: field lines until a zero name length.
            auto peek = t;
            auto n = peek.varint();
            if (!n) return false;
            if (*n == 0) {
                t = peek;
                PPX_TRY(end_section(h));
                break;
            }
            const std::size_t before = t.position();
            const std::size_t budget =
                section_bytes_ >= lim_.max_field_section_size ? 0 : lim_.max_field_section_size - section_bytes_;
            PPX_TRY_ASSIGN(const bool got, read_field_line(t, budget));
            if (!got) return false;
            section_bytes_ += t.position() - before;
            break;
        }
        case state::content_length: {
            auto v = t.varint();
            if (!v) return false;
            if (*v > lim_.max_content_size - content_total_) return fail(errc::limit_exceeded, "bhttp: content too large");
            if (*v == 0) {
                // Known length: empty content. Indeterminate: the content terminator.
                sec_ = section::trailers;
                st_ = state::fields;
            } else {
                content_remaining_ = *v;
                content_total_ += *v;
                chunk_seen_ = true;
                st_ = state::content_data;
            }
            break;
        }
        case state::content_data: {
            const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(content_remaining_, t.remaining()));
            if (n == 0) return false;
            auto piece = t.bytes(n);
            PPX_TRY(h.on_content(*piece));
            content_remaining_ -= n;
            if (content_remaining_ == 0) {
                if (form_.mode == framing::known_length) {
                    sec_ = section::trailers;
                    st_ = state::fields;
                } else {
                    st_ = state::content_length;
                }
            }
            break;
        }
        case state::padding: {
            // RFC 9292 §3.8: padding is zero bytes; non-zero padding makes the message invalid.
            if (t.empty()) return false;
            for (auto b : t.rest())
                if (b != 0) return fail(errc::malformed, "bhttp: non-zero padding");
            form_.padding += t.remaining();
            (void)t.skip(t.remaining());
            break;
        }
        case state::done:
        case state::failed: return fail(errc::misuse, "bhttp: decoder finished");
        }
        r = t;
        return true;
    }

    result<void> finish_impl(handler& h) {
        if (!buf_.empty()) return fail(errc::malformed, "bhttp: truncated message");
        // RFC 9292 §3.8: only empty trailing parts may be cut off.
        switch (st_) {
        case state::fields:
            if (!fields_.empty()) return fail(errc::malformed, "bhttp: truncated field section");
            if (sec_ == section::headers) {
                form_.truncated = truncation::headers;
                PPX_TRY(h.on_headers(fields_));
                PPX_TRY(h.on_trailers(fields_));
            } else if (sec_ == section::trailers) {
                form_.truncated = truncation::trailers;
                PPX_TRY(h.on_trailers(fields_));
            } else {
                return fail(errc::malformed, "bhttp: truncated informational response");
            }
            break;
        case state::content_length:
            if (chunk_seen_) return fail(errc::malformed, "bhttp: missing content terminator");
            form_.truncated = truncation::content;
            PPX_TRY(h.on_trailers(fields_));
            break;
        case state::padding: break;
        default: return fail(errc::malformed, "bhttp: truncated message");
        }
        return h.on_end(form_);
    }

    message_kind kind_;
    limits lim_;
    state st_ = state::framing;
    section sec_ = section::headers;
    bool request_ = false;
    bool chunk_seen_ = false;
    std::uint16_t info_status_ = 0;
    std::size_t info_count_ = 0;
    std::size_t section_bytes_ = 0;
    std::uint64_t content_remaining_ = 0;
    std::uint64_t content_total_ = 0;
    wire_form form_{};
    field_list fields_;
    secure_bytes buf_;  // an unfinished item; may hold plaintext, so wiped when freed
    error err_{};
};

namespace detail {

// Collects a whole message from the handler callbacks.
struct collector final : handler {
    bool is_request = true;
    request req;
    response res;
    result<void> on_framing(framing_indicator f) override {
        is_request = f == framing_indicator::known_length_request || f == framing_indicator::indeterminate_length_request;
        return ok();
    }
    result<void> on_control(const request_control& c) override {
        req.control = c;
        return ok();
    }
    result<void> take_control(request_control& c) override {
        req.control = std::move(c);
        return ok();
    }
    result<void> take_headers(field_list& f) override {
        (is_request ? req.headers : res.headers) = std::move(f);
        return ok();
    }
    result<void> take_trailers(field_list& f) override {
        (is_request ? req.trailers : res.trailers) = std::move(f);
        return ok();
    }
    result<void> on_informational(const informational_response& i) override {
        res.informational.push_back(i);
        return ok();
    }
    result<void> on_status(std::uint16_t s) override {
        res.status = s;
        return ok();
    }
    result<void> on_headers(const field_list& f) override {
        (is_request ? req.headers : res.headers) = f;
        return ok();
    }
    result<void> on_content(bytes_view b) override {
        append(is_request ? req.content : res.content, b);
        return ok();
    }
    result<void> on_trailers(const field_list& f) override {
        (is_request ? req.trailers : res.trailers) = f;
        return ok();
    }
    result<void> on_end(const wire_form& w) override {
        (is_request ? req.form : res.form) = w;
        return ok();
    }
};

} // namespace detail

/// Decodes a complete request (RFC 9292 §3). Fails with errc::malformed for an invalid or
/// wrongly truncated message or a response, errc::limit_exceeded past `lim`.
inline result<request> decode_request(bytes_view in, const limits& lim = {}) {
    decoder d(message_kind::request, lim);
    detail::collector c;
    PPX_TRY(d.feed(in, c));
    PPX_TRY(d.finish(c));
    return std::move(c.req);
}

/// Decodes a complete response (RFC 9292 §3); failures as decode_request().
inline result<response> decode_response(bytes_view in, const limits& lim = {}) {
    decoder d(message_kind::response, lim);
    detail::collector c;
    PPX_TRY(d.feed(in, c));
    PPX_TRY(d.finish(c));
    return std::move(c.res);
}

/// Decodes a request or a response, whichever the framing indicator says.
inline result<std::variant<request, response>> decode(bytes_view in, const limits& lim = {}) {
    decoder d(message_kind::any, lim);
    detail::collector c;
    PPX_TRY(d.feed(in, c));
    PPX_TRY(d.finish(c));
    if (c.is_request) return std::variant<request, response>(std::move(c.req));
    return std::variant<request, response>(std::move(c.res));
}

} // namespace ppx::bhttp
