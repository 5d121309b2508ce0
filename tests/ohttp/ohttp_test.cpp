// Oblivious HTTP (RFC 9458): Appendix A reproduced on both sides, rotation, error mapping,
// thread safety, and named negative tests.
#include <ppx/bhttp.hpp>
#include <ppx/ohttp.hpp>

#include <catch2/catch.hpp>

#include "support/vectors.hpp"

#include <atomic>
#include <thread>

using namespace ppx;
using ppx::test::unhex;

namespace {

const ohttp::symmetric_suite aes128{hpke::kdf_id::hkdf_sha256, hpke::aead_id::aes128gcm};
const ohttp::symmetric_suite chacha{hpke::kdf_id::hkdf_sha256, hpke::aead_id::chacha20poly1305};

struct appendix_a {
    nlohmann::json j = ppx::test::load_json("ohttp/rfc9458-appendix-a.json");
    ohttp::key_config config = *ohttp::key_config::parse(unhex(j["key_config"]));
    bytes sk = unhex(j["server_private_key"]);
    bytes request = unhex(j["request_bhttp"]);
    bytes response = unhex(j["response_bhttp"]);
    bytes enc_request = unhex(j["encapsulated_request"]);
    bytes enc_response = unhex(j["encapsulated_response"]);
    bytes ske = unhex(j["client_ephemeral_private_key"]);
    bytes response_nonce = unhex(j["response_nonce"]);

    ohttp::gateway gateway() const {
        auto key = *hpke::private_key::from_bytes(hpke::kem_id::x25519_sha256, sk);
        std::vector<ohttp::gateway_key> keys;
        keys.push_back({config, std::move(key)});
        return *ohttp::gateway::make(std::move(keys));
    }
};

ohttp::gateway make_gateway(std::vector<std::uint8_t> ids, std::vector<ohttp::key_config>& configs, std::uint64_t seed) {
    deterministic_rng r(seed);
    std::vector<ohttp::gateway_key> keys;
    const ohttp::symmetric_suite suites[] = {aes128, chacha};
    for (auto id : ids) {
        auto k = *hpke::private_key::generate(hpke::kem_id::x25519_sha256, r);
        auto c = *ohttp::key_config::make(id, hpke::kem_id::x25519_sha256, k.public_key_bytes(), suites);
        configs.push_back(c);
        keys.push_back({c, std::move(k)});
    }
    return *ohttp::gateway::make(std::move(keys));
}

} // namespace

TEST_CASE("RFC 9458 Appendix A: the client reproduces the encapsulated request and opens the response", "[ohttp][vectors]") {
    appendix_a v;
    CHECK(to_hex(v.config.public_key()) == v.j["server_public_key"].get<std::string>());
    auto c = ohttp::client::make(v.config, aes128);
    REQUIRE(c);
    CHECK(to_hex(ohttp::request_info(c->labels().request_label, c->header())) == v.j["hpke_info"].get<std::string>());
    fixed_rng r(v.ske);
    auto req = c->encapsulate(v.request, r);
    REQUIRE(req);
    CHECK(to_hex(req->message) == to_hex(v.enc_request));
    CHECK(r.remaining() == 0);
    auto res = std::move(req->context).open(v.enc_response);
    REQUIRE(res);
    CHECK(to_hex(*res) == to_hex(v.response));
    // The BHTTP inside is the truncated GET https://example.com/ and a bare 200.
    auto inner = bhttp::decode_response(*res);
    REQUIRE(inner);
    CHECK(inner->status == 200);
}

TEST_CASE("RFC 9458 Appendix A: the gateway decapsulates and reproduces the encapsulated response", "[ohttp][vectors]") {
    appendix_a v;
    auto g = v.gateway();
    auto d = g.decapsulate(v.enc_request);
    REQUIRE(d);
    CHECK(to_hex(d->plaintext) == to_hex(v.request));
    CHECK(d->context.key_id() == 1);
    auto inner = bhttp::decode_request(d->plaintext);
    REQUIRE(inner);
    CHECK(inner->control == bhttp::request_control{"GET", "https", "example.com", "/"});
    fixed_rng r(v.response_nonce);
    auto out = std::move(d->context).seal(v.response, r);
    REQUIRE(out);
    CHECK(to_hex(*out) == to_hex(v.enc_response));
}

TEST_CASE("RFC 9458 Appendix A: intermediate response values", "[ohttp][vectors]") {
    appendix_a v;
    auto s = *hpke::suite::from_ids(hpke::kem_id::x25519_sha256, hpke::kdf_id::hkdf_sha256, hpke::aead_id::aes128gcm);
    auto sk = *hpke::private_key::from_bytes(hpke::kem_id::x25519_sha256, v.sk);
    const bytes enc = unhex(v.j["client_ephemeral_public_key"]);
    auto ctx = hpke::setup_base_r(s, sk, enc, unhex(v.j["hpke_info"]));
    REQUIRE(ctx);
    bytes secret(ohttp::response_nonce_size(s));
    REQUIRE(ohttp::export_response_secret(*ctx, "message/bhttp response", secret));
    CHECK(to_hex(secret) == v.j["response_export_secret"].get<std::string>());
    auto k = ohttp::response_keys::derive(s, secret, enc, v.response_nonce);
    REQUIRE(k);
    CHECK(to_hex(k->key()) == v.j["response_aead_key"].get<std::string>());
    CHECK(to_hex(k->nonce()) == v.j["response_aead_nonce"].get<std::string>());
}

TEST_CASE("round trips in every suite ppx implements", "[ohttp]") {
    deterministic_rng r(7);
    for (auto kem : {hpke::kem_id::x25519_sha256, hpke::kem_id::p256_sha256, hpke::kem_id::p384_sha384, hpke::kem_id::p521_sha512,
                     hpke::kem_id::x448_sha512}) {
        for (auto kdf : {hpke::kdf_id::hkdf_sha256, hpke::kdf_id::hkdf_sha384, hpke::kdf_id::hkdf_sha512}) {
            for (auto aead : {hpke::aead_id::aes128gcm, hpke::aead_id::aes256gcm, hpke::aead_id::chacha20poly1305}) {
                auto k = *hpke::private_key::generate(kem, r);
                const ohttp::symmetric_suite s[] = {{kdf, aead}};
                auto cfg = *ohttp::key_config::make(9, kem, k.public_key_bytes(), s);
                std::vector<ohttp::gateway_key> keys;
                keys.push_back({cfg, std::move(k)});
                auto g = *ohttp::gateway::make(std::move(keys));
                auto c = *ohttp::client::make(cfg);
                const bytes body(100, 0x5a);
                auto req = *c.encapsulate(body, r);
                auto d = g.decapsulate(req.message);
                REQUIRE(d);
                CHECK(equal_bytes(d->plaintext, body));
                auto res = *std::move(d->context).seal(as_bytes("answer"), r);
                CHECK(res.size() == std::max<std::size_t>(12, aead == hpke::aead_id::aes128gcm ? 16 : 32) + 6 + 16);
                auto pt = std::move(req.context).open(res);
                REQUIRE(pt);
                CHECK(as_chars(*pt) == "answer");
            }
        }
    }
}

TEST_CASE("every flipped bit and every truncation of the request is refused", "[ohttp][negative]") {
    appendix_a v;
    auto g = v.gateway();
    for (std::size_t i = 0; i < v.enc_request.size(); ++i) {
        bytes m = v.enc_request;
        m[i] ^= 0x01;
        auto d = g.decapsulate(m);
        REQUIRE(!d);
        if (i == 0) CHECK(d.error() == errc::key_mismatch);                    // key_id
        else if (i < 3) CHECK(d.error() == errc::key_mismatch);                // kem_id
        else if (i < 7) CHECK(d.error() == errc::unsupported);                 // kdf_id, aead_id
        else CHECK((d.error() == errc::crypto_failure || d.error() == errc::malformed));  // enc, ct
    }
    for (std::size_t n = 0; n < v.enc_request.size(); ++n) {
        auto d = g.decapsulate(bytes_view(v.enc_request).first(n));
        REQUIRE(!d);
        CHECK((d.error() == errc::malformed || d.error() == errc::crypto_failure));
    }
    bytes longer = v.enc_request;
    longer.push_back(0);
    CHECK(g.decapsulate(longer).error() == errc::crypto_failure);
}

TEST_CASE("every flipped bit and every truncation of the response is refused", "[ohttp][negative]") {
    appendix_a v;
    auto c = *ohttp::client::make(v.config, aes128);
    for (std::size_t i = 0; i <= v.enc_response.size(); ++i) {
        bytes m = v.enc_response;
        if (i < m.size()) m[i] ^= 0x80;
        else m.push_back(0);
        fixed_rng r(v.ske);
        auto req = *c.encapsulate(v.request, r);
        ppx::test::guarded_buffer out(64);
        auto pt = std::move(req.context).open(m, out.span());
        REQUIRE(!pt);
        CHECK(pt.error() == errc::crypto_failure);
        CHECK(std::string(pt.error().what).empty());
        CHECK(!equal_bytes(bytes_view(out.storage).first(v.response.size()), v.response));  // no plaintext released
        CHECK(out.guard_intact());
    }
    for (std::size_t n = 0; n < v.enc_response.size(); ++n) {
        fixed_rng r(v.ske);
        auto req = *c.encapsulate(v.request, r);
        auto pt = std::move(req.context).open(bytes_view(v.enc_response).first(n));
        REQUIRE(!pt);
        CHECK(pt.error() == errc::crypto_failure);
    }
}

TEST_CASE("a response opened with another request's context fails; contexts are one-shot", "[ohttp][negative]") {
    appendix_a v;
    auto c = *ohttp::client::make(v.config, aes128);
    auto other = *c.encapsulate(v.request);  // a fresh ephemeral key
    CHECK(std::move(other.context).open(v.enc_response).error() == errc::crypto_failure);
    CHECK(std::move(other.context).open(v.enc_response).error() == errc::misuse);

    fixed_rng r(v.ske);
    auto req = *c.encapsulate(v.request, r);
    REQUIRE(std::move(req.context).open(v.enc_response));
    CHECK(std::move(req.context).open(v.enc_response).error() == errc::misuse);

    auto g = v.gateway();
    auto d = *g.decapsulate(v.enc_request);
    REQUIRE(std::move(d.context).seal(v.response));
    CHECK(std::move(d.context).seal(v.response).error() == errc::misuse);
}

TEST_CASE("caller buffers: nothing written past the given size", "[ohttp][buffers]") {
    appendix_a v;
    auto c = *ohttp::client::make(v.config, aes128);
    auto g = v.gateway();
    CHECK(c.request_size(v.request.size()) == v.enc_request.size());
    for (std::size_t n = 0; n <= v.enc_request.size(); ++n) {
        ppx::test::guarded_buffer buf(n);
        fixed_rng r(v.ske);
        auto e = c.encapsulate(v.request, buf.span(), r);
        CHECK(buf.guard_intact());
        if (n < v.enc_request.size()) {
            CHECK(e.error() == errc::buffer_too_small);
        } else {
            REQUIRE(e);
            CHECK(equal_bytes(bytes_view(buf.storage).first(e->first), v.enc_request));
        }
    }
    CHECK(g.plaintext_size(v.enc_request) == v.request.size());
    for (std::size_t n = 0; n <= v.request.size(); ++n) {
        ppx::test::guarded_buffer buf(n);
        auto d = g.decapsulate(v.enc_request, buf.span());
        CHECK(buf.guard_intact());
        if (n < v.request.size()) {
            CHECK(d.error() == errc::buffer_too_small);
            continue;
        }
        REQUIRE(d);
        CHECK(d->first == v.request.size());
        CHECK(d->second.response_size(v.response.size()) == v.enc_response.size());
        for (std::size_t m = 0; m <= v.enc_response.size(); ++m) {
            ppx::test::guarded_buffer rb(m);
            fixed_rng rr(v.response_nonce);
            auto s = std::move(d->second).seal(v.response, rb.span(), rr);
            CHECK(rb.guard_intact());
            if (m < v.enc_response.size()) {
                CHECK(s.error() == errc::buffer_too_small);  // and the context stays usable
            } else {
                REQUIRE(s);
                CHECK(equal_bytes(bytes_view(rb.storage).first(*s), v.enc_response));
            }
        }
    }
}

TEST_CASE("key rotation: current and previous keys both work, removed keys are refused", "[ohttp][gateway]") {
    std::vector<ohttp::key_config> configs;
    auto both = make_gateway({1, 2}, configs, 11);
    for (const auto& cfg : configs) {
        auto c = *ohttp::client::make(cfg, chacha);
        auto req = *c.encapsulate(as_bytes("hi"));
        auto d = both.decapsulate(req.message);
        REQUIRE(d);
        CHECK(d->context.key_id() == cfg.key_id());
    }
    // A gateway that has retired key 1.
    std::vector<ohttp::key_config> configs2;
    auto only2 = make_gateway({2}, configs2, 11);
    auto old = *ohttp::client::make(configs[0], aes128);
    auto req = *old.encapsulate(as_bytes("hi"));
    auto d = only2.decapsulate(req.message);
    REQUIRE(!d);
    CHECK(d.error() == errc::key_mismatch);
    auto h = ohttp::to_http_error(d.error());
    CHECK(h.status == 400);
    CHECK(h.problem_type == "https://iana.org/assignments/http-problem-types#ohttp-key");
    CHECK(h.problem_json().find("ohttp-key") != std::string::npos);
    // The published list carries both configs.
    auto list = ohttp::parse_key_configs(*both.encoded_configs());
    REQUIRE(list);
    CHECK(*list == configs);
}

TEST_CASE("gateway construction and suite checks", "[ohttp][gateway][negative]") {
    appendix_a v;
    deterministic_rng r(3);
    // A private key that is not the config's.
    std::vector<ohttp::gateway_key> wrong;
    wrong.push_back({v.config, *hpke::private_key::generate(hpke::kem_id::x25519_sha256, r)});
    CHECK(ohttp::gateway::make(std::move(wrong)).error() == errc::key_mismatch);
    // Duplicate key_id.
    std::vector<ohttp::gateway_key> dup;
    dup.push_back({v.config, *hpke::private_key::from_bytes(hpke::kem_id::x25519_sha256, v.sk)});
    dup.push_back({v.config, *hpke::private_key::from_bytes(hpke::kem_id::x25519_sha256, v.sk)});
    CHECK(ohttp::gateway::make(std::move(dup)).error() == errc::misuse);
    CHECK(ohttp::gateway::make({}).error() == errc::misuse);
    // The client refuses a suite the config does not offer; the gateway one it did not offer.
    CHECK(ohttp::client::make(v.config, {hpke::kdf_id::hkdf_sha384, hpke::aead_id::aes128gcm}).error() == errc::key_mismatch);
    auto g = v.gateway();
    bytes m = v.enc_request;
    m[6] = 0x02;  // AES-256-GCM: implemented but not offered with key 1
    auto d = g.decapsulate(m);
    CHECK(d.error() == errc::unsupported);
    CHECK(ohttp::to_http_error(d.error()).problem_type == ohttp::key_problem_type);
    CHECK(ohttp::to_http_error(error{errc::crypto_failure, ""}).status == 400);
    CHECK(ohttp::to_http_error(error{errc::crypto_failure, ""}).problem_type.empty());
    // A config offering only suites ppx lacks.
    const ohttp::symmetric_suite none[] = {{static_cast<hpke::kdf_id>(0x99), hpke::aead_id::aes128gcm}};
    auto cfg = *ohttp::key_config::make(5, hpke::kem_id::x25519_sha256, v.config.public_key(), none);
    CHECK(ohttp::client::make(cfg).error() == errc::unsupported);
    std::vector<ohttp::gateway_key> unsup;
    unsup.push_back({cfg, *hpke::private_key::from_bytes(hpke::kem_id::x25519_sha256, v.sk)});
    CHECK(ohttp::gateway::make(std::move(unsup)).error() == errc::unsupported);
}

TEST_CASE("custom labels bind requests to their media type", "[ohttp]") {
    appendix_a v;
    ohttp::labels dns{"application/dns-message request", "application/dns-message response", "message/ohttp-req",
                      "message/ohttp-res"};
    auto c = *ohttp::client::make(v.config, aes128, dns);
    auto key = *hpke::private_key::from_bytes(hpke::kem_id::x25519_sha256, v.sk);
    std::vector<ohttp::gateway_key> keys;
    keys.push_back({v.config, key});
    auto dns_gw = *ohttp::gateway::make(std::move(keys), dns);
    auto req = *c.encapsulate(as_bytes("query"));
    CHECK(v.gateway().decapsulate(req.message).error() == errc::crypto_failure);  // bhttp labels
    auto d = dns_gw.decapsulate(req.message);
    REQUIRE(d);
    auto res = *std::move(d->context).seal(as_bytes("answer"));
    CHECK(as_chars(*std::move(req.context).open(res)) == "answer");
}

TEST_CASE("one gateway shared by several threads", "[ohttp][gateway][threads]") {
    std::vector<ohttp::key_config> configs;
    const auto g = make_gateway({1, 2, 3}, configs, 5);
    std::atomic<int> good{0}, bad{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            auto c = *ohttp::client::make(configs[static_cast<std::size_t>(t) % configs.size()], t % 2 ? aes128 : chacha);
            for (int i = 0; i < 50; ++i) {
                const std::string body = "thread " + std::to_string(t) + " request " + std::to_string(i);
                auto req = *c.encapsulate(as_bytes(body));
                auto d = g.decapsulate(req.message);
                if (!d || as_chars(d->plaintext) != body) {
                    ++bad;
                    continue;
                }
                auto res = *std::move(d->context).seal(d->plaintext);
                auto pt = std::move(req.context).open(res);
                (pt && as_chars(*pt) == body) ? ++good : ++bad;
            }
        });
    }
    for (auto& th : threads) th.join();
    CHECK(good == 200);
    CHECK(bad == 0);
}
