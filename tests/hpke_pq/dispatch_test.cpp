// The PQ KEMs through the runtime dispatcher (suite::from_ids, key factories by id) and OHTTP
// (RFC 9458) round trips with ML-KEM-768, ML-KEM-1024 and X-Wing key configurations: the
// same code paths as the DH KEMs, with no special cases.
#include <ppx/hpke.hpp>
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
        if (kem != kem_id::ml_kem_768 && kem != kem_id::ml_kem_1024 && kem != kem_id::x_wing) continue;
        auto s = suite::from_ids(kem, kdf, aead);
        const auto k = j["kdf_id"].get<int>();
        if (k < 1 || k > 3) {
            // One-stage SHAKE/TurboSHAKE KDFs (draft-ietf-hpke-hpke) are not implemented.
            CHECK(s.error() == errc::unsupported);
            continue;
        }
        REQUIRE(s);
        auto sk = private_key::derive(kem, unhex(j["ikmR"]));
        REQUIRE(sk);
        CHECK(to_hex(sk->serialize()) == j["skRm"].get<std::string>());
        auto pk = public_key::from_bytes(kem, unhex(j["pkRm"]));
        REQUIRE(pk);
        fixed_rng eph(unhex(j["ikmE"]));
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
    // 0x0041/HKDF-SHA256/AES-128-GCM, 0x0042/HKDF-SHA384/AES-256-GCM, 0x647a/HKDF-SHA256/ChaCha20-Poly1305.
    CHECK(checked == 3);
}

TEST_CASE("OHTTP round trip with PQ key configurations", "[hpke_pq][ohttp]") {
    for (auto kem : {kem_id::x_wing, kem_id::ml_kem_768, kem_id::ml_kem_1024}) {
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
