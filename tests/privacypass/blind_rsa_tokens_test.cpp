// RFC 9578 §6 (type 0x0002, Blind RSA 2048): every vector, the SPKI encoding, then negative tests.
#include <ppx/privacypass/blind_rsa_tokens.hpp>

#include <catch2/catch.hpp>

#include "rsa_support.hpp"
#include "support/vectors.hpp"

using namespace ppx;
using namespace ppx::privacypass;
using ppx::test::inverse_mod_n;
using ppx::test::rsa_key_from_hex_pem;
using ppx::test::unhex;

namespace {

int check_vectors(const char* file, bool rfc_encoding) {
    int n = 0;
    for (const auto& v : ppx::test::load_json(file)) {
        INFO(file << " #" << n);
        auto sk = rsa_key_from_hex_pem(v["skS"]);
        const auto pks = unhex(v["pkS"]);
        blind_rsa_issuer issuer;
        REQUIRE(issuer.add_key(sk));
        // The issuer emits the RFC's exact encoding (RFC 9578 §6.5), hence the same key id.
        if (rfc_encoding) CHECK(issuer.keys()[0].pub.token_key == pks);
        auto client = blind_rsa_client::create(pks);
        REQUIRE(client);
        const auto nonce = unhex(v["nonce"]);
        const auto blind = unhex(v["blind"]);
        std::array<std::uint8_t, token_type_2::request_size> req;
        // The vectors' "blind" is r; blind_with takes inv = r^-1 mod n.
        auto p = client->request_with(unhex(v["token_challenge"]), std::span<const std::uint8_t, 32>(nonce.data(), 32), unhex(v["salt"]),
                                      inverse_mod_n(blind, sk.public_key().modulus()), req);
        REQUIRE(p);
        CHECK(to_hex(req) == v["token_request"].get<std::string>());
        std::array<std::uint8_t, token_type_2::response_size> resp;
        REQUIRE(issuer.sign(req, resp));
        CHECK(to_hex(resp) == v["token_response"].get<std::string>());
        auto tok = client->finalize(*p, resp);
        REQUIRE(tok);
        CHECK(to_hex(*tok->encode()) == v["token"].get<std::string>());
        auto decoded = token::decode(unhex(v["token"]));
        REQUIRE(decoded);
        CHECK(verify_blind_rsa_token(client->key(), *decoded));
        if (rfc_encoding) CHECK(issuer.verify(*decoded));
        ++n;
    }
    return n;
}

} // namespace

TEST_CASE("RFC 9578 A.2 type 0x0002 Blind RSA vectors", "[privacypass][rfc9578][type2][vectors]") {
    CHECK(check_vectors("privacypass/rfc9578/pub_verif_rfc9578.go.json", true) == 5);
}

TEST_CASE("pat-go draft-era type 0x0002 vectors", "[privacypass][type2][vectors]") {
    CHECK(check_vectors("privacypass/extra/pat-go-type2-issuance-test-vectors.json", true) == 5);
}

TEST_CASE("type 2 token key: id over the received bytes, PSS parameters enforced", "[privacypass][type2][spki][negative]") {
    const auto v = ppx::test::load_json("privacypass/rfc9578/pub_verif_rfc9578.go.json")[0];
    const auto pks = unhex(v["pkS"]);
    auto ok_key = blind_rsa_public_key::from_token_key(pks);
    REQUIRE(ok_key);
    CHECK(to_hex(ok_key->token_key_id) == to_hex(crypto::digest<crypto::sha256>(pks)));
    CHECK(check_pss_spki(pks));

    // Every truncation and trailing garbage is refused.
    for (std::size_t n = 0; n < pks.size(); n += 5) CHECK(!blind_rsa_public_key::from_token_key(bytes_view(pks).first(n)));
    auto longer = pks;
    longer.push_back(0);
    CHECK(!blind_rsa_public_key::from_token_key(longer));
    // Wrong salt length (the INTEGER 0x30 at offset 66), wrong hash OID, rsaEncryption OID.
    auto bad = pks;
    REQUIRE(bad[66] == 0x30);
    bad[66] = 0x20;
    CHECK(check_pss_spki(bad).error() == errc::malformed);
    bad = pks;
    bad[33] ^= 0x01;  // last byte of the first sha384 OID
    CHECK(check_pss_spki(bad).error() == errc::unsupported);
    bad = pks;
    bad[16] = 0x01;  // rsassaPss -> rsaEncryption
    CHECK(check_pss_spki(bad).error() == errc::unsupported);

    // A semantically equal key with NULL hash parameters is accepted, but it is a different key
    // id, because the id hashes the bytes as received.
    auto sk = rsa_key_from_hex_pem(v["skS"]);
    const auto n = sk.public_key().modulus();
    const auto e = sk.public_key().exponent();
    CHECK(encode_pss_spki(n, e) == pks);
    // Hash AlgorithmIdentifiers with NULL parameters: accepted, and hashed as received.
    {
        using namespace ppx::privacypass::detail;
        const bytes sha384_null = der(0x30, concat(der(0x06, oid_sha384), bytes{0x05, 0x00}));
        const bytes params = der(0x30, concat(der(0xa0, sha384_null), der(0xa1, der(0x30, concat(der(0x06, oid_mgf1), sha384_null))),
                                              der(0xa2, der_uint(bytes{48}))));
        const bytes alg = der(0x30, concat(der(0x06, oid_rsassa_pss), params));
        bytes bits{0x00};
        append(bits, der(0x30, concat(der_uint(n), der_uint(e))));
        const bytes with_null = der(0x30, concat(alg, der(0x03, bits)));
        CHECK(with_null != pks);
        auto k = blind_rsa_public_key::from_token_key(with_null);
        REQUIRE(k);
        CHECK(to_hex(k->token_key_id) == to_hex(crypto::digest<crypto::sha256>(with_null)));
        CHECK(k->token_key_id != ok_key->token_key_id);
        CHECK(equal_bytes(k->pk.modulus(), n));
        // A trailerField other than 1, and a non-minimal DER length, are refused.
        const bytes bad_trailer_params = der(0x30, concat(der(0xa0, sha384_null), der(0xa1, der(0x30, concat(der(0x06, oid_mgf1), sha384_null))),
                                                          der(0xa2, der_uint(bytes{48})), der(0xa3, der_uint(bytes{2}))));
        const bytes bad_trailer = der(0x30, concat(der(0x30, concat(der(0x06, oid_rsassa_pss), bad_trailer_params)), der(0x03, bits)));
        CHECK(check_pss_spki(bad_trailer).error() == errc::malformed);
        bytes nonminimal = pks;
        nonminimal[1] = 0x83;  // 30 83 00 01 52 ...
        nonminimal.insert(nonminimal.begin() + 2, 0x00);
        CHECK(check_pss_spki(nonminimal).error() == errc::malformed);
    }
    // The rsaEncryption SPKI of the blindrsa layer is refused as a type-2 token key.
    auto plain = sk.public_key().to_spki_der();
    REQUIRE(plain);
    CHECK(blind_rsa_public_key::from_token_key(*plain).error() == errc::unsupported);
}

TEST_CASE("type 2: round trip, rotation, tampering", "[privacypass][type2][negative]") {
    const auto vs = ppx::test::load_json("privacypass/rfc9578/pub_verif_rfc9578.go.json");
    blind_rsa_issuer issuer;
    REQUIRE(issuer.add_key(rsa_key_from_hex_pem(vs[0]["skS"])));
    CHECK(issuer.add_key(rsa_key_from_hex_pem(vs[0]["skS"])).error() == errc::misuse);  // same truncated id
    auto small = blindrsa::private_key::generate(3072);
    REQUIRE(small);
    CHECK(issuer.add_key(std::move(*small)).error() == errc::unsupported);

    ppx::deterministic_rng rng(5);
    const auto ch = *token_challenge{2, "issuer.example", {}, "origin.example"}.encode();
    auto client = *blind_rsa_client::create(issuer.keys()[0].pub.token_key);
    std::array<std::uint8_t, token_type_2::request_size> req;
    auto p = client.request(ch, rng, req);
    REQUIRE(p);
    std::array<std::uint8_t, token_type_2::response_size> resp;
    REQUIRE(issuer.sign(req, resp));
    auto tok = client.finalize(*p, resp);
    REQUIRE(tok);
    CHECK(issuer.verify(*tok));
    CHECK(verify_blind_rsa_token(client.key(), *tok));

    for (std::size_t i = 0; i < resp.size(); i += 9) {
        auto bad = resp;
        bad[i] ^= 0x10;
        auto r = client.finalize(*p, bad);
        REQUIRE(!r);
        CHECK((r.error() == errc::crypto_failure || r.error() == errc::malformed));
    }
    for (std::size_t n = 0; n < resp.size(); n += 17) CHECK(client.finalize(*p, bytes_view(resp).first(n)).error() == errc::malformed);
    for (std::size_t n = 0; n < req.size(); n += 17) CHECK(!issuer.sign(bytes_view(req).first(n), resp));
    auto bad = req;
    bad[2] ^= 1;
    CHECK(issuer.sign(bad, resp).error() == errc::key_mismatch);
    bad = req;
    bad[1] = 1;
    CHECK(issuer.sign(bad, resp).error() == errc::unsupported);
    bad = req;
    std::fill(bad.begin() + 3, bad.end(), 0xff);  // >= n
    CHECK(issuer.sign(bad, resp).error() == errc::malformed);

    auto enc = *tok->encode();
    for (std::size_t i = 2; i < enc.size(); i += 11) {
        auto e2 = enc;
        e2[i] ^= 0x01;
        auto t2 = *token::decode(e2);
        auto r = issuer.verify(t2);
        REQUIRE(!r);
        CHECK((r.error() == errc::crypto_failure || r.error() == errc::key_mismatch));
    }
    CHECK(client.request(*token_challenge{1, "issuer.example", {}, ""}.encode(), rng, req).error() == errc::unsupported);
}
