// Chunked OHTTP (draft-ietf-ohai-chunked-ohttp-08): the draft's example on both sides,
// arbitrary splits, tampering, reordering, truncation, the counter limit.
#include <ppx/bhttp.hpp>
#include <ppx/ohttp.hpp>

#include <catch2/catch.hpp>

#include "support/vectors.hpp"

using namespace ppx;
using ppx::test::unhex;

namespace {

const ohttp::symmetric_suite aes128{hpke::kdf_id::hkdf_sha256, hpke::aead_id::aes128gcm};

struct draft_example {
    nlohmann::json j = ppx::test::load_json("ohttp/chunked-ohttp-draft08-example.json");
    ohttp::key_config config = *ohttp::key_config::parse(unhex(j["key_config"]));
    bytes sk = unhex(j["server_private_key"]);
    bytes enc_request = unhex(j["encapsulated_request"]);
    bytes enc_response = unhex(j["encapsulated_response"]);

    ohttp::gateway gateway() const {
        std::vector<ohttp::gateway_key> keys;
        keys.push_back({config, *hpke::private_key::from_bytes(hpke::kem_id::x25519_sha256, sk)});
        return *ohttp::gateway::make(std::move(keys), ohttp::labels::chunked_bhttp());
    }
    ohttp::client client() const { return *ohttp::client::make(config, aes128, ohttp::labels::chunked_bhttp()); }
};

// Collects plaintext pieces.
struct sink {
    bytes data;
    std::size_t calls = 0;
    void operator()(bytes_view b) {
        append(data, b);
        ++calls;
    }
};

} // namespace

TEST_CASE("chunked draft-08 example: the client reproduces every request chunk", "[ohttp][chunked][vectors]") {
    draft_example v;
    auto c = v.client();
    CHECK(to_hex(ohttp::request_info(c.labels().request_label, c.header())) == v.j["hpke_info"].get<std::string>());
    fixed_rng r(unhex(v.j["client_ephemeral_private_key"]));
    auto s = ohttp::chunked_request_sender::start(c, r);
    REQUIRE(s);
    CHECK(to_hex(s->header()) == v.j["encapsulated_request_header"].get<std::string>() + v.j["encapsulated_request_enc"].get<std::string>());
    bytes all = to_bytes(s->header());
    for (const auto& ch : v.j["encapsulated_request_chunks"]) {
        const bool final = ch["final"].get<bool>();
        auto out = s->seal(unhex(ch["plaintext"]), final);
        REQUIRE(out);
        CHECK(to_hex(*out) == ch["encoded"].get<std::string>());
        append(all, *out);
    }
    CHECK(s->finished());
    CHECK(to_hex(all) == to_hex(v.enc_request));
    CHECK(s->seal(as_bytes("more")).error() == errc::misuse);

    // The same sender's receiver opens the draft's response.
    auto rr = s->response_receiver();
    REQUIRE(rr);
    auto pt = rr->open_all(v.enc_response);
    REQUIRE(pt);
    CHECK(to_hex(*pt) == v.j["response_bhttp"].get<std::string>());
    CHECK(s->response_receiver().error() == errc::misuse);
}

TEST_CASE("chunked draft-08 example: the gateway opens the request and reproduces every response chunk",
          "[ohttp][chunked][vectors]") {
    draft_example v;
    ohttp::chunked_request_receiver rx(v.gateway());
    CHECK(rx.response_sender().error() == errc::misuse);  // no header yet
    sink got;
    REQUIRE(rx.feed(v.enc_request, got));
    CHECK(to_hex(got.data) == "00034745540568747470730b6578616d706c652e636f6d012f");  // both non-final chunks
    REQUIRE(rx.finish(got));
    CHECK(to_hex(got.data) == v.j["request_bhttp"].get<std::string>());
    CHECK(got.calls == 2);  // the final chunk is empty
    auto req = bhttp::decode_request(got.data);
    REQUIRE(req);
    CHECK(req->control.authority == "example.com");

    fixed_rng r(unhex(v.j["response_nonce"]));
    auto tx = rx.response_sender(r);
    REQUIRE(tx);
    CHECK(to_hex(tx->header()) == v.j["response_nonce"].get<std::string>());
    bytes all = to_bytes(tx->header());
    for (const auto& ch : v.j["encapsulated_response_chunks"]) {
        auto out = tx->seal(unhex(ch["plaintext"]), ch["final"].get<bool>());
        REQUIRE(out);
        CHECK(to_hex(*out) == ch["encoded"].get<std::string>());
        append(all, *out);
    }
    CHECK(to_hex(all) == to_hex(v.enc_response));
    CHECK(rx.response_sender().error() == errc::misuse);
}

TEST_CASE("chunked draft-08 example: response key derivation", "[ohttp][chunked][vectors]") {
    draft_example v;
    auto s = *hpke::suite::from_ids(hpke::kem_id::x25519_sha256, hpke::kdf_id::hkdf_sha256, hpke::aead_id::aes128gcm);
    auto sk = *hpke::private_key::from_bytes(hpke::kem_id::x25519_sha256, v.sk);
    const bytes enc = unhex(v.j["encapsulated_request_enc"]);
    auto ctx = *hpke::setup_base_r(s, sk, enc, unhex(v.j["hpke_info"]));
    bytes secret(16);
    REQUIRE(ohttp::export_response_secret(ctx, v.j["response_export_label"].get<std::string>(), secret));
    CHECK(to_hex(secret) == v.j["response_export_secret"].get<std::string>());
    auto k = *ohttp::response_keys::derive(s, secret, enc, unhex(v.j["response_nonce"]));
    CHECK(to_hex(k.key()) == v.j["response_aead_key"].get<std::string>());
    CHECK(to_hex(k.nonce()) == v.j["response_aead_nonce"].get<std::string>());
    std::uint8_t n[12];
    for (std::size_t i = 0; i < 3; ++i) {
        k.chunk_nonce(i, n);
        CHECK(to_hex(bytes_view(n, 12)) == v.j["encapsulated_response_chunks"][i]["nonce"].get<std::string>());
    }
}

TEST_CASE("chunked receivers give the same plaintext for every split of the stream", "[ohttp][chunked][stream]") {
    draft_example v;
    const bytes want_req = unhex(v.j["request_bhttp"]), want_res = unhex(v.j["response_bhttp"]);
    for (std::size_t cut = 0; cut <= v.enc_request.size(); ++cut) {
        ohttp::chunked_request_receiver rx(v.gateway());
        sink got;
        REQUIRE(rx.feed(bytes_view(v.enc_request).first(cut), got));
        REQUIRE(rx.feed(bytes_view(v.enc_request).subspan(cut), got));
        REQUIRE(rx.finish(got));
        CHECK(got.data == want_req);
    }
    {
        ohttp::chunked_request_receiver rx(v.gateway());
        sink got;
        for (auto b : v.enc_request) REQUIRE(rx.feed(bytes_view(&b, 1), got));
        REQUIRE(rx.finish(got));
        CHECK(got.data == want_req);
    }
    auto c = v.client();
    for (std::size_t cut = 0; cut <= v.enc_response.size(); ++cut) {
        fixed_rng r(unhex(v.j["client_ephemeral_private_key"]));
        auto s = *ohttp::chunked_request_sender::start(c, r);
        auto rr = *s.response_receiver();
        sink got;
        REQUIRE(rr.feed(bytes_view(v.enc_response).first(cut), got));
        REQUIRE(rr.feed(bytes_view(v.enc_response).subspan(cut), got));
        REQUIRE(rr.finish(got));
        CHECK(got.data == want_res);
    }
}

TEST_CASE("chunk tampering: a flipped byte fails that chunk and releases none of its plaintext", "[ohttp][chunked][negative]") {
    draft_example v;
    const auto& chunks = v.j["encapsulated_request_chunks"];
    const std::size_t head = 7 + 32;
    const std::size_t end0 = head + unhex(chunks[0]["encoded"]).size();
    const std::size_t end1 = end0 + unhex(chunks[1]["encoded"]).size();
    for (std::size_t i = 0; i < v.enc_request.size(); ++i) {
        bytes m = v.enc_request;
        m[i] ^= 0x04;
        ohttp::chunked_request_receiver rx(v.gateway());
        sink got;
        auto r = rx.feed(m, got);
        if (r) r = rx.finish(got);
        REQUIRE(!r);
        // Plaintext only from chunks wholly before the damaged one.
        if (i < end0) CHECK(got.data.empty());
        else if (i < end1) CHECK(got.data.size() == 12);
        else CHECK(got.data.size() == 25);
        // The failure is sticky.
        CHECK(rx.feed(bytes{}, got).error() == r.error());
    }
}

TEST_CASE("chunk reordering, a missing final chunk and truncation are errors", "[ohttp][chunked][negative]") {
    draft_example v;
    const auto& rq = v.j["encapsulated_request_chunks"];
    const bytes head = bytes(v.enc_request.begin(), v.enc_request.begin() + 39);
    const bytes c0 = unhex(rq[0]["encoded"]), c1 = unhex(rq[1]["encoded"]), c2 = unhex(rq[2]["encoded"]);
    auto run = [&](const bytes& stream, sink& got) {
        ohttp::chunked_request_receiver rx(v.gateway());
        auto r = rx.feed(stream, got);
        if (r) r = rx.finish(got);
        return r;
    };
    sink a;
    CHECK(run(concat(head, c1, c0, c2), a).error() == errc::crypto_failure);  // reordered
    CHECK(a.data.empty());
    sink b;
    CHECK(run(concat(head, c0, c1), b).error() == errc::malformed);  // no final chunk
    CHECK(b.data.size() == 25);
    sink c;
    CHECK(run(concat(head, c0, c2), c).error() == errc::crypto_failure);  // a chunk dropped
    sink d;
    // The final chunk's AAD is what marks it: the last non-final chunk re-labelled as final fails.
    bytes c1_as_final = c1;
    c1_as_final[0] = 0;
    CHECK(run(concat(head, c0, c1_as_final), d).error() == errc::crypto_failure);
    for (std::size_t n = 0; n < v.enc_request.size(); ++n) {
        sink t;
        auto r = run(bytes(v.enc_request.begin(), v.enc_request.begin() + static_cast<std::ptrdiff_t>(n)), t);
        REQUIRE(!r);
        CHECK((r.error() == errc::malformed || r.error() == errc::crypto_failure));
    }
    // Responses: every truncation fails too, as does a reordered stream.
    auto cl = v.client();
    const auto& rs = v.j["encapsulated_response_chunks"];
    const bytes nonce = unhex(v.j["response_nonce"]);
    auto open = [&](const bytes& stream) {
        fixed_rng r(unhex(v.j["client_ephemeral_private_key"]));
        auto s = *ohttp::chunked_request_sender::start(cl, r);
        return s.response_receiver()->open_all(stream);
    };
    CHECK(open(concat(nonce, unhex(rs[1]["encoded"]), unhex(rs[0]["encoded"]), unhex(rs[2]["encoded"]))).error() ==
          errc::crypto_failure);
    CHECK(open(concat(nonce, unhex(rs[0]["encoded"]), unhex(rs[1]["encoded"]))).error() == errc::malformed);
    for (std::size_t n = 0; n < v.enc_response.size(); ++n) {
        auto r = open(bytes(v.enc_response.begin(), v.enc_response.begin() + static_cast<std::ptrdiff_t>(n)));
        REQUIRE(!r);
        CHECK((r.error() == errc::malformed || r.error() == errc::crypto_failure));
    }
    CHECK(open(concat(v.enc_response, bytes{0})).error() == errc::crypto_failure);  // extra byte joins the final chunk
}

TEST_CASE("empty non-final chunks, limits and the chunk counter", "[ohttp][chunked][negative]") {
    draft_example v;
    const bytes head = bytes(v.enc_request.begin(), v.enc_request.begin() + 39);
    // draft-08 §6: a non-final chunk with no data is a decryption error.
    ohttp::chunked_request_receiver rx(v.gateway());
    sink got;
    CHECK(rx.feed(concat(head, unhex("10"), bytes(16, 0)), got).error() == errc::crypto_failure);
    // A sender refuses to make one.
    auto c = v.client();
    auto s = *ohttp::chunked_request_sender::start(c);
    CHECK(s.seal({}, false).error() == errc::misuse);
    // Chunk size limit.
    ohttp::chunked_request_receiver small(v.gateway(), ohttp::chunk_limits{8});
    CHECK(small.feed(v.enc_request, got).error() == errc::limit_exceeded);
    // Counter limits: the HPKE sequence for requests, the 64-bit chunk counter for responses.
    s.set_sequence_for_testing(~std::uint64_t{0});
    CHECK(s.seal(as_bytes("x")).error() == errc::misuse);
    ohttp::chunked_request_receiver rx2(v.gateway());
    REQUIRE(rx2.feed(head, got));
    auto tx = *rx2.response_sender();
    tx.set_counter_for_testing(~std::uint64_t{0} - 1);
    REQUIRE(tx.seal(as_bytes("last one")));
    CHECK(tx.seal(as_bytes("one too many")).error() == errc::limit_exceeded);
    // Unknown key_id in the header is refused as soon as the header is complete.
    bytes bad = v.enc_request;
    bad[0] = 0x42;
    ohttp::chunked_request_receiver rx3(v.gateway());
    CHECK(rx3.feed(bytes_view(bad).first(7), got).error() == errc::key_mismatch);
    // A non-chunked gateway (other labels) cannot open a chunked request.
    std::vector<ohttp::gateway_key> keys;
    keys.push_back({v.config, *hpke::private_key::from_bytes(hpke::kem_id::x25519_sha256, v.sk)});
    ohttp::chunked_request_receiver wrong(*ohttp::gateway::make(std::move(keys)));
    CHECK(wrong.open_all(v.enc_request).error() == errc::crypto_failure);
}

TEST_CASE("streaming a large response in 16 KiB chunks straight into the BHTTP decoder", "[ohttp][chunked][stream]") {
    draft_example v;
    auto c = v.client();
    auto s = *ohttp::chunked_request_sender::start(c);
    bhttp::request q;
    q.control = {"POST", "https", "example.com", "/chat"};
    q.content = to_bytes("tell me a long story");
    bytes stream = to_bytes(s.header());
    append(stream, *s.seal(*bhttp::encode(q), true));

    ohttp::chunked_request_receiver rx(v.gateway());
    auto req = rx.open_all(stream);
    REQUIRE(req);
    auto inner = bhttp::decode_request(*req);
    REQUIRE(inner);
    CHECK(as_chars(inner->content) == "tell me a long story");

    // The gateway streams an indeterminate-length response, 16 KiB per chunk.
    auto tx = *rx.response_sender();
    writer body;
    REQUIRE(bhttp::encode_response_head(body, 200, {{"content-type", "text/plain"}}));
    bytes story(200000);
    for (std::size_t i = 0; i < story.size(); ++i) story[i] = static_cast<std::uint8_t>('a' + i % 26);
    bhttp::encode_chunk(body, story);
    REQUIRE(bhttp::encode_end(body));
    const bytes plain = *std::move(body).finish();
    bytes out = to_bytes(tx.header());
    for (std::size_t off = 0; off < plain.size(); off += 16384) {
        const std::size_t n = std::min<std::size_t>(16384, plain.size() - off);
        append(out, *tx.seal(bytes_view(plain).subspan(off, n), false));
    }
    append(out, *tx.seal({}, true));

    // The client feeds 1000-byte pieces, decoding BHTTP as chunks authenticate.
    auto rr = *s.response_receiver();
    bhttp::decoder dec(bhttp::message_kind::response);
    struct collect final : bhttp::handler {
        bytes content;
        int status = 0;
        result<void> on_status(std::uint16_t st) override {
            status = st;
            return ok();
        }
        result<void> on_content(bytes_view b) override {
            append(content, b);
            return ok();
        }
    } h;
    auto to_bhttp = [&](bytes_view pt) { return dec.feed(pt, h); };
    for (std::size_t off = 0; off < out.size(); off += 1000)
        REQUIRE(rr.feed(bytes_view(out).subspan(off, std::min<std::size_t>(1000, out.size() - off)), to_bhttp));
    REQUIRE(rr.finish(to_bhttp));
    REQUIRE(dec.finish(h));
    CHECK(h.status == 200);
    CHECK(h.content == story);
}

TEST_CASE("streamed chunk opening: every AEAD, chunk sizes around block edges, any read size", "[ohttp][chunked][stream]") {
    deterministic_rng rng(7);
    auto sk = *hpke::private_key::generate(hpke::kem_id::x25519_sha256, rng);
    const ohttp::symmetric_suite suites[] = {{hpke::kdf_id::hkdf_sha256, hpke::aead_id::aes128gcm},
                                             {hpke::kdf_id::hkdf_sha384, hpke::aead_id::aes256gcm},
                                             {hpke::kdf_id::hkdf_sha256, hpke::aead_id::chacha20poly1305}};
    const auto config = *ohttp::key_config::make(3, hpke::kem_id::x25519_sha256, sk.public_key_bytes(), suites);
    std::vector<ohttp::gateway_key> keys;
    keys.push_back({config, sk});
    const auto gw = *ohttp::gateway::make(std::move(keys), ohttp::labels::chunked_bhttp());
    const std::size_t sizes[] = {1, 15, 63, 64, 65, 127, 1000, 16384, 3};
    for (const auto& suite : suites) {
        const auto client = *ohttp::client::make(config, suite, ohttp::labels::chunked_bhttp());
        auto tx = *ohttp::chunked_request_sender::start(client, rng);
        bytes req(tx.header().begin(), tx.header().end()), want;
        std::uint8_t v = 0;
        for (auto n : sizes) {
            bytes pt(n);
            for (auto& b : pt) b = v++;
            append(want, pt);
            append(req, *tx.seal(pt));
        }
        const bytes last(5, 0xaa);
        append(req, *tx.seal(last, true));
        bytes want_all = want;
        append(want_all, last);
        // The response: the same chunks back, for a fresh request per read size.
        auto response = [&](ohttp::chunked_request_sender& t) {
            ohttp::chunked_request_receiver g(gw);
            REQUIRE(g.feed(t.header(), [](bytes_view) {}));
            auto sender = *g.response_sender(rng);
            bytes res(sender.header().begin(), sender.header().end());
            std::uint8_t w = 0;
            for (auto n : sizes) {
                bytes pt(n);
                for (auto& b : pt) b = w++;
                append(res, *sender.seal(pt));
            }
            append(res, *sender.seal(last, true));
            return res;
        };
        for (std::size_t read : {std::size_t(1), std::size_t(7), std::size_t(64), std::size_t(100), std::size_t(16384), req.size()}) {
            ohttp::chunked_request_receiver rx(gw);
            sink got;
            for (std::size_t off = 0; off < req.size(); off += read)
                REQUIRE(rx.feed(bytes_view(req).subspan(off, std::min(read, req.size() - off)), got));
            REQUIRE(rx.finish(got));
            CHECK(got.data == want_all);
            CHECK(got.calls == std::size(sizes) + 1);

            auto t = *ohttp::chunked_request_sender::start(client, rng);
            const bytes res = response(t);
            auto rr = *t.response_receiver();
            sink got2;
            for (std::size_t off = 0; off < res.size(); off += read)
                REQUIRE(rr.feed(bytes_view(res).subspan(off, std::min(read, res.size() - off)), got2));
            REQUIRE(rr.finish(got2));
            CHECK(got2.data == want_all);
        }
        // A flipped tag byte of the 16 KiB chunk, fed in small reads: that chunk's plaintext never
        // reaches the callback (only the chunks before it do).
        std::size_t end16k = tx.header().size(), before = 0;
        for (auto n : sizes) {
            end16k += varint_size(n + 16) + n + 16;
            if (n == 16384) break;
            before += n;
        }
        for (std::size_t read : {std::size_t(1), std::size_t(100), std::size_t(16384)}) {
            bytes m = req;
            m[end16k - 1] ^= 1;
            ohttp::chunked_request_receiver rx(gw);
            sink got;
            result<void> r = ok();
            for (std::size_t off = 0; off < m.size() && r; off += read)
                r = rx.feed(bytes_view(m).subspan(off, std::min(read, m.size() - off)), got);
            REQUIRE(!r);
            CHECK(r.error().code == errc::crypto_failure);
            CHECK(got.data.size() == before);
        }
    }
}

TEST_CASE("a final chunk with data streams: every piece size, tampering, truncation", "[ohttp][chunked][stream]") {
    // The receivers decrypt the final chunk as it arrives, holding back its last Nt bytes
    // (the tag once the stream ends); its plaintext is released only by finish().
    draft_example v;
    const bytes want_req = to_bytes(as_bytes("request body, and its last chunk"));
    const bytes want_res = to_bytes(as_bytes("first, and a final chunk longer than one tag"));
    struct exchange {
        ohttp::chunked_response_receiver rr;
        bytes res;
        std::size_t final_at = 0;  // where the final chunk (its zero prefix) starts
    };
    auto make = [&]() {
        auto c = v.client();
        auto s = *ohttp::chunked_request_sender::start(c);
        bytes req = to_bytes(s.header());
        append(req, *s.seal(as_bytes("request body, "), false));
        append(req, *s.seal(as_bytes("and its last chunk"), true));
        ohttp::chunked_request_receiver rx(v.gateway());
        sink in;
        REQUIRE(rx.feed(req, in));
        REQUIRE(rx.finish(in));
        CHECK(in.data == want_req);
        auto tx = *rx.response_sender();
        bytes res = to_bytes(tx.header());
        append(res, *tx.seal(as_bytes("first, "), false));
        const std::size_t at = res.size();
        append(res, *tx.seal(as_bytes("and a final chunk longer than one tag"), true));
        return exchange{*s.response_receiver(), std::move(res), at};
    };
    const std::size_t total = make().res.size();
    for (std::size_t piece = 1; piece <= total; ++piece) {
        auto x = make();
        sink got;
        for (std::size_t at = 0; at < x.res.size(); at += piece) {
            REQUIRE(x.rr.feed(bytes_view(x.res).subspan(at, std::min(piece, x.res.size() - at)), got));
            if (at + piece > x.final_at) CHECK(got.data.size() == 7);  // nothing of the final chunk yet
        }
        REQUIRE(x.rr.finish(got));
        CHECK(got.data == want_res);
    }
    // A flipped byte in the final chunk (data or tag) fails it at finish(), releasing nothing
    // of it; cutting the stream inside the final chunk shortens its tag: a failure too.
    for (std::size_t i = make().final_at + 1; i < total; ++i) {
        auto x = make();
        x.res[i] ^= 0x20;
        sink got;
        REQUIRE(x.rr.feed(x.res, got));
        CHECK(x.rr.finish(got).error() == errc::crypto_failure);
        CHECK(got.data.size() == 7);
    }
    for (std::size_t cut = make().final_at + 1; cut < total; ++cut) {
        auto x = make();
        sink got;
        REQUIRE(x.rr.feed(bytes_view(x.res).first(cut), got));
        CHECK(x.rr.finish(got).error() == errc::crypto_failure);
        CHECK(got.data.size() == 7);
    }
    // Chunks that fit the splitter's inline buffer and chunks that do not, alternating, and a
    // final chunk that outgrows it while it streams in: the same plaintext for every piece size.
    {
        const std::vector<std::size_t> sizes = {300, 10, 256, 257, 1, 700};
        bytes want;
        for (std::size_t i = 0; i < sizes.size(); ++i) append(want, bytes(sizes[i], static_cast<std::uint8_t>('a' + i)));
        auto c = v.client();
        sink in;
        for (std::size_t piece : {std::size_t{1}, std::size_t{7}, std::size_t{100}, std::size_t{255}, std::size_t{4096}}) {
            // Each opening needs its own request/response pair.
            auto s2 = *ohttp::chunked_request_sender::start(c);
            ohttp::chunked_request_receiver rx2(v.gateway());
            REQUIRE(rx2.feed(s2.header(), in));
            auto tx2 = *rx2.response_sender();
            bytes res2 = to_bytes(tx2.header());
            for (std::size_t i = 0; i < sizes.size(); ++i)
                append(res2, *tx2.seal(bytes(sizes[i], static_cast<std::uint8_t>('a' + i)), i + 1 == sizes.size()));
            auto rr2 = *s2.response_receiver();
            sink got;
            for (std::size_t at = 0; at < res2.size(); at += piece)
                REQUIRE(rr2.feed(bytes_view(res2).subspan(at, std::min(piece, res2.size() - at)), got));
            CHECK(got.data.size() == want.size() - sizes.back());  // the final chunk waits for finish()
            REQUIRE(rr2.finish(got));
            CHECK(got.data == want);
        }
    }
    // The final chunk counts against the chunk size limit as it streams.
    {
        auto c = v.client();
        auto s = *ohttp::chunked_request_sender::start(c);
        ohttp::chunked_request_receiver rx(v.gateway(), ohttp::chunk_limits{32});
        sink in;
        bytes req = to_bytes(s.header());
        append(req, *s.seal(bytes(40, 'x'), true));
        CHECK(rx.feed(req, in).error() == errc::limit_exceeded);
        CHECK(in.data.empty());
    }
}
