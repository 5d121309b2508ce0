// The PQ KEMs through the runtime dispatcher (suite::from_ids, key factories by id) and OHTTP
// (RFC 9458) round trips with ML-KEM-768, ML-KEM-1024 and X-Wing key configurations: the
// same code paths as the DH KEMs, with no special cases.
#include <ppx/hpke.hpp>
#include <ppx/hpke/kem_hybrid.hpp>
#include <ppx/ohttp/client.hpp>
#include <ppx/ohttp/gateway.hpp>
#include <ppx/ohttp/key_config.hpp>

#include <catch2/catch.hpp>

#include "support/vectors.hpp"

using namespace ppx;
using namespace ppx::hpke;
using ppx::test::unhex;

TEST_CASE("PQ vectors through the runtime dispatcher (suite::from_ids, private_key::derive by id)", "[hpke_pq][dispatch]") {
    const auto all = ppx::test::load_json("hpke/test-vectors-pq-boringssl.json");
    std::size_t checked = 0;
    for (const auto& j : all) {
        const auto kem = static_cast<kem_id>(j["kem_id"].get<std::uint16_t>());
        const auto kdf = static_cast<kdf_id>(j["kdf_id"].get<std::uint16_t>());
        const auto aead = static_cast<aead_id>(j["aead_id"].get<std::uint16_t>());
        INFO("kem " << static_cast<int>(kem) << " kdf " << static_cast<int>(kdf));
        if (static_cast<std::uint16_t>(kem) == 0x0040) continue;  // ML-KEM-512: not in the dispatcher
        auto s = suite::from_ids(kem, kdf, aead);
        REQUIRE(s);
        auto sk = private_key::derive(kem, unhex(j["ikmR"]));
        REQUIRE(sk);
        // serialize() clamps X25519/X448 keys; the file gives X25519's raw: compare clamped.
        bytes sk_vec = unhex(j["skRm"]);
        s->kem().normalize_private(sk_vec);
        CHECK(to_hex(sk->serialize()) == to_hex(sk_vec));
        auto pk = public_key::from_bytes(kem, unhex(j["pkRm"]));
        REQUIRE(pk);
        auto randomness = s->kem().encap_randomness(unhex(j["ikmE"]));
        REQUIRE(randomness);
        fixed_rng eph(*randomness);
        auto snd = setup_base_s(*s, *pk, unhex(j["info"]), eph);
        REQUIRE(snd);
        CHECK(to_hex(snd->enc) == j["enc"].get<std::string>());
        auto rcv = setup_base_r(*s, *sk, snd->enc, unhex(j["info"]));
        REQUIRE(rcv);
        const auto& e = j["encryptions"][0];
        auto ct = snd->ctx.seal(unhex(e["aad"]), unhex(e["pt"]));
        REQUIRE(ct);
        CHECK(to_hex(*ct) == e["ct"].get<std::string>());
        auto pt = rcv->open(unhex(e["aad"]), *ct);
        REQUIRE(pt);
        ++checked;
    }
    // Every vector but the ML-KEM-512 one.
    CHECK(checked == 12);
}

TEST_CASE("OHTTP round trip with PQ key configurations", "[hpke_pq][ohttp]") {
    for (auto kem : {kem_id::x_wing, kem_id::ml_kem_768, kem_id::ml_kem_1024, kem_id::mlkem768_p256, kem_id::mlkem1024_p384}) {
        INFO("kem " << static_cast<int>(kem));
        deterministic_rng r(static_cast<std::uint16_t>(kem));
        auto sk = private_key::generate(kem, r);
        REQUIRE(sk);
        const ohttp::symmetric_suite suites[] = {{kdf_id::hkdf_sha256, aead_id::aes128gcm},
                                                 {kdf_id::hkdf_sha256, aead_id::chacha20poly1305}};
        auto cfg = ohttp::key_config::make(7, kem, sk->public_key_bytes(), suites);
        REQUIRE(cfg);
        // The published application/ohttp-keys list parses back to the same config.
        auto list = ohttp::encode_key_configs(std::span<const ohttp::key_config>(&*cfg, 1));
        REQUIRE(list);
        auto parsed = ohttp::parse_key_configs(*list);
        REQUIRE(parsed);
        REQUIRE(parsed->size() == 1);

        std::vector<ohttp::gateway_key> keys;
        keys.push_back({*cfg, std::move(*sk)});
        auto gw = ohttp::gateway::make(std::move(keys));
        REQUIRE(gw);
        auto cl = ohttp::client::make((*parsed)[0]);
        REQUIRE(cl);
        const bytes request = to_bytes("GET /chat HTTP/1.1 (binary HTTP in real use)");
        auto req = cl->encapsulate(request, r);
        REQUIRE(req);
        auto got = gw->decapsulate(req->message);
        REQUIRE(got);
        CHECK(equal_bytes(got->plaintext, request));
        const bytes response = to_bytes("the model's answer");
        auto resp = std::move(got->context).seal(response, r);
        REQUIRE(resp);
        auto back = std::move(req->context).open(*resp);
        REQUIRE(back);
        CHECK(equal_bytes(*back, response));

        // A tampered encapsulated key fails cleanly (implicit rejection, then AEAD failure).
        auto req2 = cl->encapsulate(request, r);
        REQUIRE(req2);
        bytes bad = req2->message;
        bad[7 + 20] ^= 1;  // inside enc (after the 7-byte header)
        CHECK(gw->decapsulate(bad).error() == errc::crypto_failure);
    }
}

TEST_CASE("OHTTP refuses one-stage KDF suites (no RFC 9458 response keys)", "[hpke_pq][ohttp]") {
    deterministic_rng r(77);
    auto sk = private_key::generate(kem_id::mlkem768_p256, r);
    REQUIRE(sk);
    for (auto kdf : {kdf_id::shake128, kdf_id::shake256, kdf_id::turboshake128, kdf_id::turboshake256}) {
        INFO("kdf " << static_cast<int>(kdf));
        // The HPKE suite itself exists...
        CHECK(suite::from_ids(kem_id::mlkem768_p256, kdf, aead_id::aes128gcm));
        // ...but ppx builds no key config with it.
        const ohttp::symmetric_suite one[] = {{kdf, aead_id::aes128gcm}};
        CHECK(ohttp::key_config::make(1, kem_id::mlkem768_p256, sk->public_key_bytes(), one).error() == errc::unsupported);
    }
    // A config from elsewhere that lists one (parsed, since the wire format allows it): the
    // client skips it, binding it explicitly is refused, and a gateway never serves it.
    const ohttp::symmetric_suite mixed[] = {{kdf_id::hkdf_sha256, aead_id::aes128gcm}};
    auto good = ohttp::key_config::make(1, kem_id::mlkem768_p256, sk->public_key_bytes(), mixed);
    REQUIRE(good);
    auto enc = ohttp::encode_key_configs(std::span<const ohttp::key_config>(&*good, 1));
    REQUIRE(enc);
    // Rewrite the suite's KDF id on the wire to SHAKE256 (0x0011) and append it as a 2nd suite.
    bytes wire = *enc;
    // layout: len(2) key_id(1) kem(2) pk(Npk) sym_len(2) kdf(2) aead(2)
    const std::size_t sym = 2 + 1 + 2 + kem_mlkem768_p256::n_pk;
    wire[sym + 1] = 8;  // two suites
    wire.insert(wire.end(), {0x00, 0x11, 0x00, 0x01});
    const std::size_t body = wire.size() - 2;
    wire[0] = static_cast<std::uint8_t>(body >> 8);
    wire[1] = static_cast<std::uint8_t>(body);
    auto parsed = ohttp::parse_key_configs(wire);
    REQUIRE(parsed);
    REQUIRE(parsed->size() == 1);
    REQUIRE((*parsed)[0].suites().size() == 2);
    CHECK(ohttp::client::make((*parsed)[0], {kdf_id::shake256, aead_id::aes128gcm}).error() == errc::unsupported);
    auto cl = ohttp::client::make((*parsed)[0]);
    REQUIRE(cl);
    std::vector<ohttp::gateway_key> keys;
    keys.push_back({(*parsed)[0], *sk});
    auto gw = ohttp::gateway::make(std::move(keys));
    REQUIRE(gw);
    // A request header naming the one-stage suite is refused as unsupported.
    auto req = cl->encapsulate(to_bytes("x"), r);
    REQUIRE(req);
    bytes m = req->message;
    m[3] = 0x00;
    m[4] = 0x11;
    CHECK(gw->decapsulate(m).error() == errc::unsupported);
    CHECK(gw->decapsulate(req->message));
    // And the response-key derivation itself refuses a one-stage suite.
    auto s = suite::from_ids(kem_id::mlkem768_p256, kdf_id::shake256, aead_id::aes128gcm);
    REQUIRE(s);
    const bytes secret(16, 1), nonce(16, 2), e(kem_mlkem768_p256::n_enc, 3);
    CHECK(ohttp::response_keys::derive(*s, secret, e, nonce).error() == errc::unsupported);
}
