// Every RFC 9180 test vector (128 vectors: 4 modes x 32 suites), every encryption and
// export of each, on both sides. The sender is reproduced exactly: DeriveKeyPair(ikmE)
// gives the ephemeral key, which a fixed_rng hands to SetupS.
#include <ppx/hpke.hpp>

#include <catch2/catch.hpp>

#include "support/vectors.hpp"

using namespace ppx;
using namespace ppx::hpke;
using ppx::test::unhex;

namespace {

struct hpke_vector {
    const nlohmann::json& j;

    std::string name() const {
        return "mode " + std::to_string(j["mode"].get<int>()) + " kem " + std::to_string(j["kem_id"].get<int>()) + " kdf " +
               std::to_string(j["kdf_id"].get<int>()) + " aead " + std::to_string(j["aead_id"].get<int>());
    }

    void verify() const {
        const auto m = static_cast<mode>(j["mode"].get<int>());
        const auto kem = static_cast<kem_id>(j["kem_id"].get<int>());
        auto s = suite::from_ids(kem, static_cast<kdf_id>(j["kdf_id"].get<int>()), static_cast<aead_id>(j["aead_id"].get<int>()));
        REQUIRE(s);

        // DeriveKeyPair reproduces every key pair; DeserializePrivateKey(skXm) agrees.
        auto sk_r = private_key::derive(kem, unhex(j["ikmR"]));
        REQUIRE(sk_r);
        CHECK(to_hex(sk_r->public_key_bytes()) == j["pkRm"].get<std::string>());
        auto sk_r2 = private_key::from_bytes(kem, unhex(j["skRm"]));
        REQUIRE(sk_r2);
        CHECK(to_hex(sk_r2->public_key_bytes()) == j["pkRm"].get<std::string>());
        auto clamped = unhex(j["skRm"]);
        s->kem().normalize_private(clamped);
        CHECK(to_hex(sk_r->serialize()) == to_hex(clamped));

        auto sk_e = private_key::derive(kem, unhex(j["ikmE"]));
        REQUIRE(sk_e);
        CHECK(to_hex(sk_e->public_key_bytes()) == j["pkEm"].get<std::string>());

        std::optional<private_key> sk_s;
        std::optional<public_key> pk_s;
        if (m == mode::auth || m == mode::auth_psk) {
            sk_s.emplace(*private_key::derive(kem, unhex(j["ikmS"])));
            CHECK(to_hex(sk_s->public_key_bytes()) == j["pkSm"].get<std::string>());
            pk_s.emplace(*public_key::from_bytes(kem, unhex(j["pkSm"])));
        }
        bytes psk, psk_id;
        if (m == mode::psk || m == mode::auth_psk) {
            psk = unhex(j["psk"]);
            psk_id = unhex(j["psk_id"]);
        }
        const bytes info = unhex(j["info"]);
        auto pk_r = public_key::from_bytes(kem, unhex(j["pkRm"]));
        REQUIRE(pk_r);

        // The KEM's shared secret, both directions.
        fixed_rng eph(sk_e->expose_secret());
        bytes ss(s->kem().n_secret), enc(s->kem().n_enc), ss2(s->kem().n_secret);
        if (sk_s) {
            REQUIRE(s->kem().auth_encap(pk_r->bytes(), sk_s->expose_secret(), sk_s->public_key_bytes(), eph, ss, enc));
            REQUIRE(s->kem().auth_decap(enc, sk_r->expose_secret(), sk_r->public_key_bytes(), pk_s->bytes(), ss2));
        } else {
            REQUIRE(s->kem().encap(pk_r->bytes(), eph, ss, enc));
            REQUIRE(s->kem().decap(enc, sk_r->expose_secret(), sk_r->public_key_bytes(), ss2));
        }
        CHECK(to_hex(enc) == j["enc"].get<std::string>());
        CHECK(to_hex(ss) == j["shared_secret"].get<std::string>());
        CHECK(ss2 == ss);

        // The key schedule context.
        auto in = key_schedule_input::make(*s, m, info, psk, psk_id);
        REQUIRE(in);
        CHECK(to_hex(in->key_schedule_context()) == j["key_schedule_context"].get<std::string>());

        // Full setup on both sides through the public API.
        fixed_rng eph2(sk_e->expose_secret());
        auto snd = setup_sender(*s, *pk_r, info, {psk, psk_id, sk_s ? &*sk_s : nullptr}, eph2);
        REQUIRE(snd);
        CHECK(to_hex(snd->enc) == j["enc"].get<std::string>());
        auto rcv = setup_recipient(*s, *sk_r, snd->enc, info, {psk, psk_id, pk_s ? &*pk_s : nullptr});
        REQUIRE(rcv);

        std::size_t i = 0;
        for (const auto& e : j["encryptions"]) {
            INFO("encryption " << i++);
            const bytes aad = unhex(e["aad"]), pt = unhex(e["pt"]), ct = unhex(e["ct"]);
            auto c = snd->ctx.seal(aad, pt);
            REQUIRE(c);
            CHECK(to_hex(*c) == e["ct"].get<std::string>());
            auto p = rcv->open(aad, ct);
            REQUIRE(p);
            CHECK(to_hex(*p) == e["pt"].get<std::string>());
        }
        for (const auto& x : j["exports"]) {
            const bytes ctx = unhex(x["exporter_context"]);
            const std::size_t len = x["L"].get<std::size_t>();
            auto a = snd->ctx.export_secret(ctx, len);
            auto b = rcv->export_secret(ctx, len);
            REQUIRE(a);
            REQUIRE(b);
            CHECK(to_hex(*a) == x["exported_value"].get<std::string>());
            CHECK(to_hex(*b) == x["exported_value"].get<std::string>());
        }
        if (s->aead().id == aead_id::export_only) {
            CHECK(snd->ctx.seal({}, bytes{1}).error() == errc::misuse);
            CHECK(rcv->open({}, bytes(16)).error() == errc::misuse);
        }
    }
};

} // namespace

TEST_CASE("RFC 9180 test vectors: all 128, every encryption and export", "[hpke][vectors]") {
    // Loaded once: Catch2 re-enters the test case for every DYNAMIC_SECTION.
    static const auto all = ppx::test::load_json("hpke/test-vectors.json");
    REQUIRE(all.size() == 128);
    std::size_t encryptions = 0, exports = 0;
    for (const auto& j : all) {
        hpke_vector v{j};
        DYNAMIC_SECTION(v.name()) { v.verify(); }
        encryptions += j["encryptions"].size();
        exports += j["exports"].size();
    }
    CHECK(encryptions > 0);
    CHECK(exports > 0);
}
