// Binary HTTP (RFC 9292): every published example, the incremental decoder under every
// split, and named negative tests.
#include <ppx/bhttp.hpp>

#include <catch2/catch.hpp>

#include "support/vectors.hpp"

using namespace ppx;
using ppx::test::unhex;
using json = nlohmann::json;

namespace {

bhttp::field_list fields_of(const json& j) {
    bhttp::field_list out;
    for (const auto& f : j) out.push_back({f[0].get<std::string>(), f[1].get<std::string>()});
    return out;
}

void check_request(const bhttp::request& r, const json& d) {
    CHECK(r.control.method == d["method"].get<std::string>());
    CHECK(r.control.scheme == d["scheme"].get<std::string>());
    CHECK(r.control.authority == d["authority"].get<std::string>());
    CHECK(r.control.path == d["path"].get<std::string>());
    CHECK(r.headers == fields_of(d["headers"]));
    CHECK(as_chars(r.content) == d["content"].get<std::string>());
    CHECK(r.trailers == fields_of(d["trailers"]));
    CHECK(r.form.padding == d["padding_bytes"].get<std::size_t>());
}

void check_response(const bhttp::response& r, const json& d) {
    REQUIRE(r.informational.size() == d["informational"].size());
    for (std::size_t i = 0; i < r.informational.size(); ++i) {
        CHECK(r.informational[i].status == d["informational"][i][0].get<int>());
        CHECK(r.informational[i].fields == fields_of(d["informational"][i][1]));
    }
    CHECK(r.status == d["status"].get<int>());
    CHECK(r.headers == fields_of(d["headers"]));
    CHECK(as_chars(r.content) == d["content"].get<std::string>());
    CHECK(r.trailers == fields_of(d["trailers"]));
    CHECK(r.form.padding == d["padding_bytes"].get<std::size_t>());
}

// Records every callback so two decodings can be compared event by event.
struct recorder final : bhttp::handler {
    std::vector<std::string> events;
    bytes content;
    result<void> on_framing(bhttp::framing_indicator f) override { return add("framing " + std::to_string(int(f))); }
    result<void> on_control(const bhttp::request_control& c) override {
        return add("control " + c.method + " " + c.scheme + " " + c.authority + " " + c.path);
    }
    result<void> on_informational(const bhttp::informational_response& i) override {
        return add("info " + std::to_string(i.status) + " " + std::to_string(i.fields.size()));
    }
    result<void> on_status(std::uint16_t s) override { return add("status " + std::to_string(s)); }
    result<void> on_headers(const bhttp::field_list& f) override { return add("headers " + std::to_string(f.size())); }
    result<void> on_content(bytes_view b) override {
        if (b.empty()) return add("EMPTY CONTENT PIECE");
        append(content, b);
        return ok();
    }
    result<void> on_trailers(const bhttp::field_list& f) override { return add("trailers " + std::to_string(f.size())); }
    result<void> on_end(const bhttp::wire_form& w) override {
        return add("end " + std::to_string(int(w.mode)) + " " + std::to_string(int(w.truncated)) + " " + std::to_string(w.padding));
    }
    result<void> add(std::string s) {
        events.push_back(std::move(s));
        return ok();
    }
};

std::vector<bytes> all_example_messages() {
    auto j = ppx::test::load_json("bhttp/rfc9292-examples.json");
    std::vector<bytes> out;
    for (const auto& e : j["examples"]) out.push_back(unhex(e["bhttp"]));
    for (const auto& e : j["non_rfc_extra"]) out.push_back(unhex(e["bhttp"]));
    out.push_back(unhex(j["ohttp_embedded_examples"]["request"]));
    out.push_back(unhex(j["ohttp_embedded_examples"]["response"]));
    return out;
}

} // namespace

TEST_CASE("RFC 9292 §5 examples decode to their meaning and re-encode exactly", "[bhttp][vectors]") {
    auto j = ppx::test::load_json("bhttp/rfc9292-examples.json");
    std::size_t n = 0;
    for (const auto& e : j["examples"]) {
        DYNAMIC_SECTION(e["name"].get<std::string>()) {
            const bytes wire = unhex(e["bhttp"]);
            auto any = bhttp::decode(wire);
            REQUIRE(any);
            if (std::holds_alternative<bhttp::request>(*any)) {
                const auto& r = std::get<bhttp::request>(*any);
                check_request(r, e["decoded"]);
                auto again = bhttp::encode(r);
                REQUIRE(again);
                CHECK(to_hex(*again) == to_hex(wire));
                CHECK(bhttp::encoded_size(r) == wire.size());
                CHECK(!bhttp::decode_response(wire));
            } else {
                const auto& r = std::get<bhttp::response>(*any);
                check_response(r, e["decoded"]);
                auto again = bhttp::encode(r);
                REQUIRE(again);
                CHECK(to_hex(*again) == to_hex(wire));
                CHECK(bhttp::encoded_size(r) == wire.size());
                CHECK(!bhttp::decode_request(wire));
            }
        }
        ++n;
    }
    CHECK(n == 4);
}

TEST_CASE("indeterminate-length chunked response (martinthomson/ohttp) equals the known-length one", "[bhttp][vectors]") {
    auto j = ppx::test::load_json("bhttp/rfc9292-examples.json");
    auto known = bhttp::decode_response(unhex(j["examples"][3]["bhttp"]));
    const bytes wire = unhex(j["non_rfc_extra"][0]["bhttp"]);
    auto indet = bhttp::decode_response(wire);
    REQUIRE(known);
    REQUIRE(indet);
    CHECK(indet->form.mode == bhttp::framing::indeterminate_length);
    CHECK(indet->status == known->status);
    CHECK(indet->headers == known->headers);
    CHECK(indet->content == known->content);
    CHECK(indet->trailers == known->trailers);
    CHECK(to_hex(*bhttp::encode(*indet)) == to_hex(wire));
    // Converting the known-length message to indeterminate length gives the same bytes.
    auto converted = *known;
    converted.form.mode = bhttp::framing::indeterminate_length;
    CHECK(to_hex(*bhttp::encode(converted)) == to_hex(wire));
}

TEST_CASE("RFC 9458 Appendix A's truncated messages decode and re-encode", "[bhttp][vectors]") {
    auto j = ppx::test::load_json("bhttp/rfc9292-examples.json");
    const bytes req_wire = unhex(j["ohttp_embedded_examples"]["request"]);
    auto req = bhttp::decode_request(req_wire);
    REQUIRE(req);
    CHECK(req->control == bhttp::request_control{"GET", "https", "example.com", "/"});
    CHECK(req->headers.empty());
    CHECK(req->form.truncated == bhttp::truncation::headers);
    CHECK(to_hex(*bhttp::encode(*req)) == to_hex(req_wire));

    const bytes res_wire = unhex(j["ohttp_embedded_examples"]["response"]);
    auto res = bhttp::decode_response(res_wire);
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(res->form.truncated == bhttp::truncation::headers);
    CHECK(to_hex(*bhttp::encode(*res)) == to_hex(res_wire));

    // Built from scratch rather than decoded.
    bhttp::request fresh;
    fresh.control = {"GET", "https", "example.com", "/"};
    fresh.form.truncated = bhttp::truncation::headers;
    CHECK(to_hex(*bhttp::encode(fresh)) == to_hex(req_wire));
}

TEST_CASE("incremental decoder gives the same events for every split of every example", "[bhttp][stream]") {
    for (const bytes& wire : all_example_messages()) {
        recorder whole;
        bhttp::decoder d;
        REQUIRE(d.feed(wire, whole));
        REQUIRE(d.finish(whole));
        for (std::size_t cut = 0; cut <= wire.size(); ++cut) {
            recorder split;
            bhttp::decoder s;
            REQUIRE(s.feed(bytes_view(wire).first(cut), split));
            REQUIRE(s.feed(bytes_view(wire).subspan(cut), split));
            REQUIRE(s.finish(split));
            CHECK(split.events == whole.events);
            CHECK(split.content == whole.content);
        }
        recorder bytewise;
        bhttp::decoder b;
        for (auto c : wire) REQUIRE(b.feed(bytes_view(&c, 1), bytewise));
        REQUIRE(b.finish(bytewise));
        CHECK(bytewise.events == whole.events);
        CHECK(bytewise.content == whole.content);
    }
}

TEST_CASE("content is streamed out as it arrives, not buffered", "[bhttp][stream]") {
    bhttp::response r;
    r.form.mode = bhttp::framing::indeterminate_length;
    r.content.assign(100000, 0x41);
    const bytes wire = *bhttp::encode(r);
    bhttp::decoder d(bhttp::message_kind::response);
    recorder rec;
    std::size_t fed = 0;
    // Feed 1000 bytes at a time: after each feed, everything but the framing overhead is out.
    for (; fed + 1000 <= wire.size(); fed += 1000) {
        REQUIRE(d.feed(bytes_view(wire).subspan(fed, 1000), rec));
        CHECK(rec.content.size() + 8 >= fed);
    }
    REQUIRE(d.feed(bytes_view(wire).subspan(fed), rec));
    REQUIRE(d.finish(rec));
    CHECK(rec.content == r.content);
}

TEST_CASE("truncation is accepted only where RFC 9292 §3.8 allows it", "[bhttp][negative]") {
    for (const bytes& wire : all_example_messages()) {
        std::size_t accepted = 0;
        for (std::size_t len = 0; len < wire.size(); ++len) {
            const bytes_view prefix = bytes_view(wire).first(len);
            auto any = bhttp::decode(prefix);
            if (!any) {
                CHECK((any.error() == errc::malformed));
                continue;
            }
            ++accepted;
            // An accepted prefix is a legal truncation (or shorter padding): it re-encodes to itself.
            auto again = std::visit([](const auto& m) { return bhttp::encode(m); }, *any);
            REQUIRE(again);
            CHECK(to_hex(*again) == to_hex(prefix));
        }
        CHECK(accepted <= 16);
    }
    // The known-length request stops legally after control data, after headers and after content.
    auto j = ppx::test::load_json("bhttp/rfc9292-examples.json");
    const bytes req = unhex(j["examples"][0]["bhttp"]);
    std::vector<std::size_t> ok_lengths;
    for (std::size_t len = 0; len < req.size(); ++len)
        if (bhttp::decode_request(bytes_view(req).first(len))) ok_lengths.push_back(len);
    CHECK(ok_lengths == std::vector<std::size_t>{req.size() - 2 - 110, req.size() - 2, req.size() - 1});
}

TEST_CASE("flipping any byte of an example never crashes and never silently changes framing", "[bhttp][negative]") {
    for (const bytes& wire : all_example_messages()) {
        for (std::size_t i = 0; i < wire.size(); ++i) {
            for (std::uint8_t mask : {0x01, 0x40, 0x80, 0xff}) {
                bytes m = wire;
                m[i] ^= mask;
                auto any = bhttp::decode(m);
                if (!any) continue;
                // Whatever decodes must re-encode to something that decodes to the same message.
                auto again = std::visit([](const auto& x) { return bhttp::encode(x); }, *any);
                REQUIRE(again);
                auto back = bhttp::decode(*again);
                REQUIRE(back);
                CHECK(*back == *any);
            }
        }
    }
}

TEST_CASE("pseudo-header names are refused as fields", "[bhttp][negative]") {
    for (const char* name : {":method", ":scheme", ":authority", ":path", ":status"}) {
        bhttp::request r;
        r.control = {"GET", "https", "example.com", "/"};
        r.headers = {{name, "x"}};
        CHECK(bhttp::encode(r).error() == errc::malformed);
        // Hand-build the wire form: encode a valid name of the same length, then patch it.
        r.headers = {{std::string(std::strlen(name), 'a'), "x"}};
        bytes wire = *bhttp::encode(r);
        auto at = std::search(wire.begin(), wire.end(), r.headers[0].name.begin(), r.headers[0].name.end());
        std::copy(name, name + std::strlen(name), at);
        auto d = bhttp::decode_request(wire);
        REQUIRE(!d);
        CHECK(d.error() == errc::malformed);
    }
    bhttp::limits lim;
    bhttp::request r;
    r.control = {"CONNECT", "", "example.com:443", ""};
    r.headers = {{":protocol", "websocket"}, {"a", "b"}};
    CHECK(bhttp::encode(r).error() == errc::malformed);  // extensions off by default
    lim.allow_extension_pseudo_fields = true;
    auto wire = bhttp::encode(r, lim);
    REQUIRE(wire);
    CHECK(bhttp::decode_request(*wire, lim));
    CHECK(!bhttp::decode_request(*wire));
    r.headers = {{"a", "b"}, {":protocol", "websocket"}};  // after a regular field
    CHECK(!bhttp::encode(r, lim));
    r.headers = {};
    r.trailers = {{":protocol", "websocket"}};  // never in trailers
    CHECK(!bhttp::encode(r, lim));
}

TEST_CASE("invalid field names and values are refused", "[bhttp][negative]") {
    const std::vector<bhttp::field> bad = {
        {"", "x"}, {"Host", "x"}, {"a b", "x"}, {"a:b", "x"}, {"a\x7f", "x"}, {"a", "x\r\ny: z"},
        {"a", std::string("x\0y", 3)}, {"a", " x"}, {"a", "x\t"},
    };
    for (const auto& f : bad) {
        bhttp::response r;
        r.headers = {f};
        CHECK(!bhttp::encode(r));
        // The decoder applies the same rule to bytes from the wire.
        bytes wire{0x01, 0x40, 0xc8};
        writer w;
        w.varint_prefixed(as_bytes(f.name));
        w.varint_prefixed(as_bytes(f.value));
        const bytes lines = *std::move(w).finish();
        wire.push_back(static_cast<std::uint8_t>(lines.size()));
        append(wire, lines);
        auto d = bhttp::decode_response(wire);
        REQUIRE(!d);
        CHECK(d.error() == errc::malformed);
    }
}

TEST_CASE("framing, status and padding errors", "[bhttp][negative]") {
    CHECK(bhttp::decode(unhex("04")).error() == errc::malformed);                 // unknown framing
    CHECK(bhttp::decode(unhex("")).error() == errc::malformed);                   // empty
    CHECK(bhttp::decode_response(unhex("0163")).error() == errc::malformed);      // status 99
    CHECK(bhttp::decode_response(unhex("014258")).error() == errc::malformed);    // status 600
    CHECK(bhttp::decode_response(unhex("014064")).error() == errc::malformed);    // 100 then nothing final
    CHECK(bhttp::decode_response(unhex("0140c80000000001")).error() == errc::malformed);  // non-zero padding
    CHECK(bhttp::decode_response(unhex("0140c8000000000000")));                           // zero padding
    CHECK(bhttp::decode_response(unhex("0140c8000000000000"))->form.padding == 3);
    CHECK(bhttp::decode_response(unhex("0340c8000105")).error() == errc::malformed);  // content chunk without terminator
    CHECK(bhttp::decode_response(unhex("0340c80001")).error() == errc::malformed);    // cut inside a chunk
    CHECK(bhttp::decode_request(unhex("0003474554")).error() == errc::malformed);     // cut in control data
    CHECK(bhttp::decode_request(unhex("000000000000")).error() == errc::malformed);   // empty method
    CHECK(bhttp::decode_response(unhex("0340c80161")).error() == errc::malformed);    // unterminated field section
    CHECK(bhttp::decode_response(unhex("0140c8020100")).error() == errc::malformed);  // zero-length name
    CHECK(bhttp::decode_response(unhex("0140c80301610500")).error() == errc::malformed);  // value overruns section
}

TEST_CASE("limits are enforced and can be raised", "[bhttp][limits]") {
    bhttp::response r;
    for (int i = 0; i < 300; ++i) r.headers.push_back({"x-" + std::to_string(i), "v"});
    bhttp::limits big;
    big.max_fields = 1000;
    const bytes wire = *bhttp::encode(r, big);
    CHECK(bhttp::decode_response(wire).error() == errc::limit_exceeded);
    CHECK(bhttp::decode_response(wire, big));
    CHECK(bhttp::encode(r).error() == errc::limit_exceeded);

    r.headers = {{"a", std::string(70000, 'v')}};
    big.max_field_section_size = 1 << 20;
    const bytes wire2 = *bhttp::encode(r, big);
    CHECK(bhttp::decode_response(wire2).error() == errc::limit_exceeded);
    CHECK(bhttp::decode_response(wire2, big));
    r.form.mode = bhttp::framing::indeterminate_length;
    const bytes wire3 = *bhttp::encode(r, big);
    CHECK(bhttp::decode_response(wire3).error() == errc::limit_exceeded);

    bhttp::limits small;
    small.max_content_size = 10;
    r = {};
    r.content.assign(11, 1);
    CHECK(bhttp::decode_response(*bhttp::encode(r), small).error() == errc::limit_exceeded);
    small.max_informational = 1;
    r.content.clear();
    r.informational = {{100, {}}, {103, {}}};
    CHECK(bhttp::decode_response(*bhttp::encode(r), small).error() == errc::limit_exceeded);
    bhttp::request q;
    q.control = {"GET", "https", std::string(9000, 'a'), "/"};
    CHECK(bhttp::encode(q).error() == errc::limit_exceeded);
    big.max_control_size = 10000;
    CHECK(bhttp::decode_request(*bhttp::encode(q, big)).error() == errc::limit_exceeded);
    // A huge declared length fails at once rather than waiting for the bytes.
    bhttp::decoder d(bhttp::message_kind::response);
    recorder rec;
    CHECK(d.feed(unhex("0140c8bfffffff"), rec).error() == errc::limit_exceeded);
    CHECK(d.feed(unhex("00"), rec).error() == errc::limit_exceeded);  // sticky
}

TEST_CASE("encode respects the caller's buffer exactly", "[bhttp][buffers]") {
    for (const bytes& wire : all_example_messages()) {
        auto any = bhttp::decode(wire);
        REQUIRE(any);
        for (std::size_t n = 0; n <= wire.size(); ++n) {
            ppx::test::guarded_buffer buf(n);
            auto r = std::visit([&](const auto& m) { return bhttp::encode(m, buf.span()); }, *any);
            CHECK(buf.guard_intact());
            if (n < wire.size()) {
                REQUIRE(!r);
                CHECK(r.error() == errc::buffer_too_small);
            } else {
                REQUIRE(r);
                CHECK(*r == wire.size());
                CHECK(equal_bytes(bytes_view(buf.storage).first(*r), wire));
            }
        }
    }
}

TEST_CASE("truncating a non-empty part is API misuse", "[bhttp][negative]") {
    bhttp::request r;
    r.control = {"GET", "https", "example.com", "/"};
    r.trailers = {{"a", "b"}};
    r.form.truncated = bhttp::truncation::trailers;
    CHECK(bhttp::encode(r).error() == errc::misuse);
    r.trailers.clear();
    r.content = {1};
    r.form.truncated = bhttp::truncation::content;
    CHECK(bhttp::encode(r).error() == errc::misuse);
    r.content.clear();
    r.headers = {{"a", "b"}};
    r.form.truncated = bhttp::truncation::headers;
    CHECK(bhttp::encode(r).error() == errc::misuse);
}

TEST_CASE("streamed response pieces form a valid indeterminate-length response", "[bhttp][stream]") {
    writer w;
    REQUIRE(bhttp::encode_response_head(w, 200, {{"content-type", "text/plain"}}, {{103, {{"link", "</a>"}}}}));
    bhttp::encode_chunk(w, as_bytes("hello "));
    bhttp::encode_chunk(w, {});
    bhttp::encode_chunk(w, as_bytes("world"));
    REQUIRE(bhttp::encode_end(w, {{"x-done", "1"}}));
    auto r = bhttp::decode_response(*std::move(w).finish());
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->informational.size() == 1);
    CHECK(as_chars(r->content) == "hello world");
    CHECK(r->trailers == bhttp::field_list{{"x-done", "1"}});
    writer bad;
    CHECK(!bhttp::encode_response_head(bad, 99, {}));
}
