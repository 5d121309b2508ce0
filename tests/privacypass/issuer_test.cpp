// Generic batches (batched-tokens-07 §6) with every vector, the dispatching issuer, the
// directory document, ACS tokens (type 0xFF01), and redemption with double-spend refusal.
#include <ppx/privacypass.hpp>

#include <catch2/catch.hpp>

#include "rsa_support.hpp"
#include "support/vectors.hpp"

using namespace ppx;
using namespace ppx::privacypass;
using ppx::test::inverse_mod_n;
using ppx::test::rsa_key_from_hex_pem;
using ppx::test::unhex;

TEST_CASE("batched-tokens-07 generic batch vectors", "[privacypass][batched][generic][vectors]") {
    int count = 0;
    for (const auto& v : ppx::test::load_json("privacypass/batched-draft07/generic-batched-issuance-test-vectors.json")) {
        INFO("vector " << count);
        issuer is;
        std::vector<bytes> requests;
        struct client_side {
            std::uint16_t type;
            std::optional<voprf_client<token_type_1>> c1;
            std::optional<voprf_client<token_type_1>::pending> p1;
            std::optional<blind_rsa_client> c2;
            std::optional<blind_rsa_client::pending> p2;
            std::string token;
        };
        std::vector<client_side> clients;
        for (const auto& i : v["issuance"]) {
            const auto nonce = unhex(i["nonce"]);
            const std::span<const std::uint8_t, 32> n32(nonce.data(), 32);
            client_side cs;
            cs.token = i["token"].get<std::string>();
            if (i["type"] == "0001") {
                cs.type = 1;
                auto sk = oprf::private_key<oprf::p384_sha384>::deserialize(unhex(i["skS"]));
                REQUIRE(sk);
                (void)is.type1.add_key(std::move(*sk));  // the same key may appear twice
                cs.c1 = *voprf_client<token_type_1>::create(unhex(i["pkS"]));
                std::array<std::uint8_t, token_type_1::request_size> req;
                cs.p1 = *cs.c1->request_with(unhex(i["token_challenge"]), n32, unhex(i["blind"]), req);
                requests.emplace_back(req.begin(), req.end());
            } else {
                REQUIRE(i["type"] == "0002");
                cs.type = 2;
                auto sk = rsa_key_from_hex_pem(i["skS"]);
                const auto modulus = sk.public_key().modulus();
                (void)is.type2.add_key(std::move(sk));
                cs.c2 = *blind_rsa_client::create(unhex(i["pkS"]));
                std::array<std::uint8_t, token_type_2::request_size> req;
                auto p = cs.c2->request_with(unhex(i["token_challenge"]), n32, unhex(i["salt"]), inverse_mod_n(unhex(i["blind"]), modulus), req);
                REQUIRE(p);
                cs.p2 = std::move(*p);
                requests.emplace_back(req.begin(), req.end());
            }
            clients.push_back(std::move(cs));
        }
        auto batch = encode_generic_batch_request(requests);
        REQUIRE(batch);
        CHECK(to_hex(*batch) == v["token_request"].get<std::string>());
        auto parsed = parse_generic_batch_request(*batch);
        REQUIRE(parsed);
        CHECK(parsed->size() == requests.size());

        // Finalize the vector's response: every token as published.
        const auto vresp = unhex(v["token_response"]);
        auto responses = parse_generic_batch_response(vresp);
        REQUIRE(responses);
        REQUIRE(responses->size() == clients.size());
        // Our issuer's response (blind RSA is deterministic; VOPRF proofs use other randomness).
        ppx::deterministic_rng rng(11);
        auto ours = is.handle_generic(*batch, rng);
        REQUIRE(ours);
        CHECK(ours->status() == 200);
        auto our_responses = parse_generic_batch_response(ours->body);
        REQUIRE(our_responses);
        for (std::size_t k = 0; k < clients.size(); ++k) {
            auto& cs = clients[k];
            for (const auto* list : {&*responses, &*our_responses}) {
                const auto& r = (*list)[k];
                REQUIRE(r);
                CHECK(r->token_type == cs.type);
                auto tok = cs.type == 1 ? cs.c1->finalize(*cs.p1, r->response) : cs.c2->finalize(*cs.p2, r->response);
                REQUIRE(tok);
                CHECK(to_hex(*tok->encode()) == cs.token);
                CHECK(is.verify(*tok));
            }
        }
        if (clients.size() == 1 && clients[0].type == 2) CHECK(to_hex(ours->body) == v["token_response"].get<std::string>());
        ++count;
    }
    CHECK(count == 5);
}

TEST_CASE("generic batch: partial issuance, absent entries, malformed messages", "[privacypass][generic][negative]") {
    ppx::deterministic_rng rng(3);
    issuer is;
    REQUIRE(is.type5.add_key(*oprf::private_key<oprf::ristretto255_sha512>::generate(rng)));
    auto c5 = *voprf_client<token_type_5>::create(is.type5.keys()[0].token_key);
    const auto ch = *token_challenge{5, "issuer.example", {}, ""}.encode();
    std::array<std::uint8_t, token_type_5::request_size> good, bad;
    auto p = c5.request(ch, rng, good);
    REQUIRE(p);
    bad = good;
    bad[2] ^= 0x01;  // unknown truncated key id: this one is refused, the other issued
    auto batch = *encode_generic_batch_request(std::vector<bytes>{bytes(good.begin(), good.end()), bytes(bad.begin(), bad.end())});
    auto res = is.handle_generic(batch, rng);
    REQUIRE(res);
    CHECK(res->status() == 206);
    auto parsed = *parse_generic_batch_response(res->body);
    REQUIRE(parsed.size() == 2);
    REQUIRE(parsed[0]);
    CHECK(!parsed[1]);
    CHECK(c5.finalize(*p, parsed[0]->response));
    auto none = *encode_generic_batch_request(std::vector<bytes>{bytes(bad.begin(), bad.end())});
    CHECK(is.handle_generic(none, rng)->status() == 400);

    // Unknown type, truncation, bad presence octet, non-minimal length.
    bytes unknown = {0x03, 0x00, 0x09, 0x00};
    CHECK(parse_generic_batch_request(unknown).error() == errc::unsupported);
    for (std::size_t n = 0; n < batch.size(); ++n) CHECK(!parse_generic_batch_request(bytes_view(batch).first(n)));
    for (std::size_t n = 0; n < res->body.size(); ++n) CHECK(!parse_generic_batch_response(bytes_view(res->body).first(n)));
    auto body = res->body;
    body[2] = 2;  // presence octet of the first entry (after a 2-byte length)
    CHECK(parse_generic_batch_response(body).error() == errc::malformed);
    CHECK(parse_generic_batch_request(bytes{0x40, 0x00}).error() == errc::malformed);
    CHECK(parse_generic_batch_request(bytes{0x00}).error() == errc::malformed);
    CHECK(encode_generic_batch_request(std::vector<bytes>{}).error() == errc::misuse);
}

TEST_CASE("issuer dispatch and directory document", "[privacypass][issuer]") {
    ppx::deterministic_rng rng(4);
    issuer is;
    REQUIRE(is.type1.add_key(*oprf::private_key<oprf::p384_sha384>::generate(rng)));
    const auto v = ppx::test::load_json("privacypass/rfc9578/pub_verif_rfc9578.go.json")[0];
    REQUIRE(is.type2.add_key(rsa_key_from_hex_pem(v["skS"])));
    const auto dir = is.directory_json("https://issuer.example/token-request");
    auto j = nlohmann::json::parse(dir);
    CHECK(j["issuer-request-uri"] == "https://issuer.example/token-request");
    REQUIRE(j["token-keys"].size() == 2);
    CHECK(j["token-keys"][0]["token-type"] == 2);
    CHECK(*from_base64url(j["token-keys"][0]["token-key"].get<std::string>()) == unhex(v["pkS"]));
    CHECK(j["token-keys"][0]["token-key"] == to_base64url(unhex(v["pkS"]), true));  // padded, RFC 9578 §4
    CHECK(j["token-keys"][1]["token-key"].get<std::string>().back() == '=');       // 49 bytes: padding shows
    CHECK(j["token-keys"][1]["token-type"] == 1);

    std::array<std::uint8_t, max_token_response_size> out;
    CHECK(is.handle_request(bytes{0x00, 0x05, 0x00}, rng, out).error() == errc::unsupported);
    CHECK(is.handle_request(bytes{0x00}, rng, out).error() == errc::malformed);
    CHECK(is.handle_request(bytes{0xff, 0x01, 0x00}, rng, out).error() == errc::unsupported);
    CHECK(http_status(errc::key_mismatch) == 422);
    ppx::test::guarded_buffer small(token_type_1::response_size - 1);
    auto c1 = *voprf_client<token_type_1>::create(is.type1.keys()[0].token_key);
    std::array<std::uint8_t, token_type_1::request_size> req;
    REQUIRE(c1.request(*token_challenge{1, "i.example", {}, ""}.encode(), rng, req));
    CHECK(is.handle_request(req, rng, small.span()).error() == errc::buffer_too_small);
    CHECK(small.guard_intact());
    CHECK(*is.handle_request(req, rng, out) == token_type_1::response_size);

    bytes amort;
    auto pb = c1.request_batch(*token_challenge{1, "i.example", {}, ""}.encode(), 3, rng, amort);
    REQUIRE(pb);
    auto aresp = is.handle_amortized(amort, rng);
    REQUIRE(aresp);
    CHECK(c1.finalize_batch(*pb, *aresp)->size() == 3);
}

TEST_CASE("ACS tokens (0xFF01): per-day keys derived from one long-term key", "[privacypass][acs]") {
    ppx::deterministic_rng rng(6);
    acs_issuer is(*oprf::private_key<oprf::ristretto255_sha512>::generate(rng));
    const std::string today = "2026-11-23/chat", tomorrow = "2026-11-24/chat";
    REQUIRE(is.accept_info(as_bytes(today)));
    auto client = acs_client::create(is.token_key());
    REQUIRE(client);
    const auto ch = *token_challenge{0xFF01, "acs.example", bytes(32, 1), ""}.encode();
    bytes req;
    auto p = client->request(ch, as_bytes(today), rng, req);
    REQUIRE(p);
    CHECK(req.size() == token_type_acs::request_size(today.size()));
    std::array<std::uint8_t, token_type_acs::response_size> resp;
    REQUIRE(is.evaluate(req, rng, resp));
    auto tok = client->finalize(*p, resp);
    REQUIRE(tok);
    auto info = is.verify(*tok);
    REQUIRE(info);
    CHECK(as_chars(*info) == today);
    CHECK(to_hex(tok->token_key_id) == to_hex(*acs_key_id(*oprf::public_key<oprf::ristretto255_sha512>::deserialize(is.token_key()), as_bytes(today))));

    // Metadata the issuer does not accept is refused; retiring a day invalidates its tokens.
    bytes req2;
    auto p2 = client->request(ch, as_bytes(tomorrow), rng, req2);
    REQUIRE(p2);
    CHECK(is.evaluate(req2, rng, resp).error() == errc::policy);
    // An issuer that answers with a different key (another long-term key, or another info)
    // is caught by the proof check against the pinned long-term key.
    acs_issuer rogue(*oprf::private_key<oprf::ristretto255_sha512>::generate(rng));
    REQUIRE(rogue.accept_info(as_bytes(today)));
    bytes rreq;
    auto rogue_client = *acs_client::create(rogue.token_key());
    auto rp = rogue_client.request(ch, as_bytes(today), rng, rreq);
    REQUIRE(rp);
    // Send our request (made for the honest key) to the rogue with a matching truncated id.
    auto forged = req;
    forged[2] = rreq[2];
    REQUIRE(rogue.evaluate(forged, rng, resp));
    CHECK(client->finalize(*p, resp).error() == errc::crypto_failure);
    REQUIRE(is.evaluate(req, rng, resp));
    for (std::size_t i = 0; i < resp.size(); i += 3) {
        auto bad = resp;
        bad[i] ^= 4;
        CHECK(!client->finalize(*p, bad));
    }
    for (std::size_t n = 0; n < req.size(); ++n) CHECK(!is.evaluate(bytes_view(req).first(n), rng, resp));
    auto wrong_id = req;
    wrong_id[2] ^= 1;
    CHECK(is.evaluate(wrong_id, rng, resp).error() == errc::key_mismatch);

    auto t2 = *tok;
    t2.authenticator_mut()[0] ^= 1;
    CHECK(is.verify(t2).error() == errc::crypto_failure);
    CHECK(is.retire_info(as_bytes(today)));
    CHECK(is.verify(*tok).error() == errc::key_mismatch);
    CHECK(client->request(*token_challenge{5, "acs.example", {}, ""}.encode(), as_bytes(today), rng, req).error() == errc::unsupported);
}

TEST_CASE("redeem: binding, verification, then exactly-once spending", "[privacypass][origin]") {
    ppx::deterministic_rng rng(8);
    issuer is;
    const auto v = ppx::test::load_json("privacypass/rfc9578/pub_verif_rfc9578.go.json")[0];
    REQUIRE(is.type2.add_key(rsa_key_from_hex_pem(v["skS"])));
    const auto& key = is.type2.keys()[0].pub;
    token_challenge c{2, "issuer.example", bytes(32, 0x5a), "origin.example"};
    const auto ch = *c.encode();
    const auto header = www_authenticate_value(ch, key.token_key, 60);
    auto challenges = *parse_private_token_challenges(header);
    REQUIRE(challenges.size() == 1);
    auto client = *blind_rsa_client::create(challenges[0].token_key);
    std::array<std::uint8_t, token_type_2::request_size> req;
    auto p = client.request(challenges[0].challenge, rng, req);
    REQUIRE(p);
    std::array<std::uint8_t, token_type_2::response_size> resp;
    REQUIRE(is.type2.sign(req, resp));
    auto tok = *client.finalize(*p, resp);
    const auto auth = authorization_value(*tok.encode());
    auto presented = *parse_authorization(auth);

    memory_spend_store store;
    auto public_verify = [&](const token& t) { return verify_blind_rsa_token(key, t); };
    auto r = redeem(presented, ch, "origin.example", public_verify, store, 1000, 2000);
    REQUIRE(r);
    CHECK(r->challenge.redemption_context == c.redemption_context);
    CHECK(redeem(presented, ch, "origin.example", public_verify, store, 1001, 2000).error() == errc::replayed);
    CHECK(redeem(presented, ch, "elsewhere.example", public_verify, store, 1001, 2000).error() == errc::policy);
    auto forged = presented;
    forged.back() ^= 1;
    CHECK(redeem(forged, ch, "origin.example", public_verify, store, 1001, 2000).error() == errc::crypto_failure);
    auto other_ch = ch;
    other_ch[5] ^= 1;
    CHECK(redeem(presented, other_ch, "origin.example", public_verify, store, 1001, 2000).error() == errc::key_mismatch);
    CHECK(redeem(bytes(10), ch, "origin.example", public_verify, store, 1001, 2000).error() == errc::unsupported);

    // Against a binding made once: the same checks and errors, per token.
    CHECK(challenge_binding::make(ch, "elsewhere.example").error() == errc::policy);
    CHECK(challenge_binding::make(bytes(3), "origin.example").error() == errc::malformed);
    auto b = challenge_binding::make(ch, "origin.example");
    REQUIRE(b);
    CHECK(b->made_for(ch, "origin.example"));
    CHECK_FALSE(b->made_for(ch, "elsewhere.example"));
    CHECK_FALSE(b->made_for(other_ch, "origin.example"));
    CHECK(b->challenge().redemption_context == c.redemption_context);
    memory_spend_store store2;
    CHECK(redeem(forged, *b, public_verify, store2, 1000, 2000).error() == errc::crypto_failure);
    CHECK(redeem(bytes(10), *b, public_verify, store2, 1000, 2000).error() == errc::unsupported);
    CHECK(redeem(presented, *b, public_verify, store2, 1000, 2000));
    CHECK(redeem(presented, *b, public_verify, store2, 1001, 2000).error() == errc::replayed);
    auto ob = challenge_binding::make(other_ch, "origin.example");
    REQUIRE(ob);
    CHECK(redeem(presented, *ob, public_verify, store2, 1001, 2000).error() == errc::key_mismatch);
    token t2 = *token::decode(presented);
    t2.token_type = 1;
    CHECK(b->check(t2).error() == errc::key_mismatch);
}
