// ppx/bhttp/encoder.hpp: Binary HTTP (RFC 9292) encoding.
//
// encode() writes a message in the framing, truncation and padding its `form` asks for,
// with minimal varints and (indeterminate length) the content as one chunk: the canonical
// encoding, so decode() then encode() reproduces canonical input byte for byte. The core
// form writes into a caller's buffer of at least encoded_size() bytes and never allocates.
//
// For a response produced piece by piece (a streamed AI answer), the indeterminate-length
// pieces are also available separately: encode_response_head(), encode_chunk(),
// encode_end().
#pragma once

#include <ppx/bhttp/message.hpp>
#include <ppx/core/writer.hpp>

namespace ppx::bhttp {

namespace detail {

inline std::size_t prefixed_size(std::size_t n) noexcept { return varint_size(n) + n; }

inline std::size_t field_lines_size(const field_list& fields) noexcept {
    std::size_t n = 0;
    for (const auto& f : fields) n += prefixed_size(f.name.size()) + prefixed_size(f.value.size());
    return n;
}

inline std::size_t section_size(const field_list& fields, framing mode) noexcept {
    const std::size_t lines = field_lines_size(fields);
    return mode == framing::known_length ? prefixed_size(lines) : lines + 1;
}

inline std::size_t content_size(bytes_view content, framing mode) noexcept {
    if (mode == framing::known_length) return prefixed_size(content.size());
    return (content.empty() ? 0 : prefixed_size(content.size())) + 1;
}

template <class W>
void write_section(W& w, const field_list& fields, framing mode) {
    if (mode == framing::known_length) w.varint(field_lines_size(fields));
    for (const auto& f : fields) {
        w.varint_prefixed(as_bytes(f.name));
        w.varint_prefixed(as_bytes(f.value));
    }
    if (mode == framing::indeterminate_length) w.u8(0);
}

template <class W>
void write_content(W& w, bytes_view content, framing mode) {
    if (mode == framing::known_length) return w.varint_prefixed(content);
    if (!content.empty()) w.varint_prefixed(content);
    w.u8(0);
}

// The size of everything after the control data, honouring truncation and padding.
inline std::size_t body_size(const field_list& headers, bytes_view content, const field_list& trailers,
                             const wire_form& form) noexcept {
    std::size_t n = form.padding;
    if (form.truncated != truncation::headers) n += section_size(headers, form.mode);
    if (form.truncated == truncation::none || form.truncated == truncation::trailers) n += content_size(content, form.mode);
    if (form.truncated == truncation::none) n += section_size(trailers, form.mode);
    return n;
}

template <class W>
void write_body(W& w, const field_list& headers, bytes_view content, const field_list& trailers, const wire_form& form) {
    if (form.truncated != truncation::headers) write_section(w, headers, form.mode);
    if (form.truncated == truncation::none || form.truncated == truncation::trailers) write_content(w, content, form.mode);
    if (form.truncated == truncation::none) write_section(w, trailers, form.mode);
    for (std::size_t i = 0; i < form.padding; ++i) w.u8(0);
}

// RFC 9292 §3.8: only empty parts may be truncated.
inline result<void> check_truncation(const field_list& headers, bytes_view content, const field_list& trailers,
                                     truncation t) noexcept {
    if (t != truncation::none && !trailers.empty()) return fail(errc::misuse, "bhttp: truncating non-empty trailers");
    if ((t == truncation::content || t == truncation::headers) && !content.empty())
        return fail(errc::misuse, "bhttp: truncating non-empty content");
    if (t == truncation::headers && !headers.empty()) return fail(errc::misuse, "bhttp: truncating non-empty headers");
    return ok();
}

inline result<void> check_body(const field_list& headers, bytes_view content, const field_list& trailers,
                               const wire_form& form, const limits& lim) noexcept {
    PPX_TRY(check_fields(headers, false, lim));
    PPX_TRY(check_fields(trailers, true, lim));
    if (content.size() > lim.max_content_size) return fail(errc::limit_exceeded, "bhttp: content too large");
    return check_truncation(headers, content, trailers, form.truncated);
}

} // namespace detail

/// The exact number of bytes encode(req, out) writes.
inline std::size_t encoded_size(const request& req) noexcept {
    const auto& c = req.control;
    return 1 + detail::prefixed_size(c.method.size()) + detail::prefixed_size(c.scheme.size()) +
           detail::prefixed_size(c.authority.size()) + detail::prefixed_size(c.path.size()) +
           detail::body_size(req.headers, req.content, req.trailers, req.form);
}

/// The exact number of bytes encode(res, out) writes.
inline std::size_t encoded_size(const response& res) noexcept {
    std::size_t n = 1 + varint_size(res.status);
    for (const auto& i : res.informational) n += varint_size(i.status) + detail::section_size(i.fields, res.form.mode);
    return n + detail::body_size(res.headers, res.content, res.trailers, res.form);
}

/// Encodes a request into `out` (at least encoded_size(req) bytes) and returns the length.
/// Fails with errc::malformed for invalid control data or fields (the checks the decoder
/// applies), errc::limit_exceeded past `lim`, errc::misuse when `form` truncates a
/// non-empty part, errc::buffer_too_small (nothing useful written) for a short `out`.
inline result<std::size_t> encode(const request& req, mutable_bytes out, const limits& lim = {}) {
    PPX_TRY(check_control(req.control, lim));
    PPX_TRY(detail::check_body(req.headers, req.content, req.trailers, req.form, lim));
    if (out.size() < encoded_size(req)) return fail(errc::buffer_too_small, "bhttp: output buffer too small");
    span_writer w(out);
    // RFC 9292 §3.3, §3.4.
    w.varint(req.form.mode == framing::known_length ? 0 : 2);
    const auto& c = req.control;
    for (const std::string* s : {&c.method, &c.scheme, &c.authority, &c.path}) w.varint_prefixed(as_bytes(*s));
    detail::write_body(w, req.headers, req.content, req.trailers, req.form);
    return w.finish();
}

/// Encodes a response into `out` (at least encoded_size(res) bytes); failures as for
/// requests, plus errc::malformed for a status outside 100..199 (informational) or
/// 200..599 (final) or more informational responses than `lim` allows.
inline result<std::size_t> encode(const response& res, mutable_bytes out, const limits& lim = {}) {
    if (!is_final_status(res.status)) return fail(errc::malformed, "bhttp: invalid status code");
    if (res.informational.size() > lim.max_informational) return fail(errc::limit_exceeded, "bhttp: too many informational responses");
    for (const auto& i : res.informational) {
        if (!is_informational_status(i.status)) return fail(errc::malformed, "bhttp: invalid status code");
        PPX_TRY(check_fields(i.fields, false, lim));
    }
    PPX_TRY(detail::check_body(res.headers, res.content, res.trailers, res.form, lim));
    if (out.size() < encoded_size(res)) return fail(errc::buffer_too_small, "bhttp: output buffer too small");
    span_writer w(out);
    // RFC 9292 §3.3, §3.5.
    w.varint(res.form.mode == framing::known_length ? 1 : 3);
    for (const auto& i : res.informational) {
        w.varint(i.status);
        detail::write_section(w, i.fields, res.form.mode);
    }
    w.varint(res.status);
    detail::write_body(w, res.headers, res.content, res.trailers, res.form);
    return w.finish();
}

/// Convenience forms returning an owned buffer; failures as the span forms.
inline result<bytes> encode(const request& req, const limits& lim = {}) {
    bytes out(encoded_size(req));
    PPX_TRY(encode(req, mutable_bytes(out), lim));
    return out;
}
inline result<bytes> encode(const response& res, const limits& lim = {}) {
    bytes out(encoded_size(res));
    PPX_TRY(encode(res, mutable_bytes(out), lim));
    return out;
}

// ---------------------------------------------------------------- streamed responses

/// Appends the start of an indeterminate-length response (RFC 9292 §3.2): framing
/// indicator 3, the informational responses, the final status and the header section.
/// Content follows with encode_chunk(), then encode_end(). Fails as encode().
template <class Vec>
result<void> encode_response_head(basic_vector_writer<Vec>& w, std::uint16_t status, const field_list& headers,
                                  const std::vector<informational_response>& informational = {}, const limits& lim = {}) {
    if (!is_final_status(status)) return fail(errc::malformed, "bhttp: invalid status code");
    PPX_TRY(check_fields(headers, false, lim));
    w.varint(3);
    for (const auto& i : informational) {
        if (!is_informational_status(i.status)) return fail(errc::malformed, "bhttp: invalid status code");
        PPX_TRY(check_fields(i.fields, false, lim));
        w.varint(i.status);
        detail::write_section(w, i.fields, framing::indeterminate_length);
    }
    w.varint(status);
    detail::write_section(w, headers, framing::indeterminate_length);
    return w.status();
}

/// Appends one content chunk of an indeterminate-length message (RFC 9292 §3.2). An empty
/// `data` writes nothing (a zero length would end the content).
template <class Vec>
void encode_chunk(basic_vector_writer<Vec>& w, bytes_view data) {
    if (!data.empty()) w.varint_prefixed(data);
}

/// Appends the content terminator and the trailer section of an indeterminate-length
/// message. Fails with errc::malformed for invalid trailers.
template <class Vec>
result<void> encode_end(basic_vector_writer<Vec>& w, const field_list& trailers = {}, const limits& lim = {}) {
    PPX_TRY(check_fields(trailers, true, lim));
    w.u8(0);
    detail::write_section(w, trailers, framing::indeterminate_length);
    return w.status();
}

} // namespace ppx::bhttp
