// OHTTP key configurations (RFC 9458 §3): the published configs, the ohttp-keys list, and
// named negative tests.
#include <ppx/ohttp/key_config.hpp>

#include <catch2/catch.hpp>

#include "support/vectors.hpp"

using namespace ppx;
using ppx::test::unhex;

TEST_CASE("RFC 9458 Appendix A and chunked draft key configs parse and re-encode", "[ohttp][key_config][vectors]") {
    for (const char* file : {"ohttp/rfc9458-appendix-a.json", "ohttp/chunked-ohttp-draft08-example.json"}) {
        auto j = ppx::test::load_json(file);
        const bytes wire = unhex(j["key_config"]);
        auto c = ohttp::key_config::parse(wire);
        REQUIRE(c);
        CHECK(c->key_id() == j["key_id"].get<int>());
        CHECK(c->kem() == hpke::kem_id::x25519_sha256);
        if (j.contains("server_public_key")) CHECK(to_hex(c->public_key()) == j["server_public_key"].get<std::string>());
        REQUIRE(c->suites().size() == 2);
        CHECK(c->suites()[0] == ohttp::symmetric_suite{hpke::kdf_id::hkdf_sha256, hpke::aead_id::aes128gcm});
        CHECK(c->suites()[1] == ohttp::symmetric_suite{hpke::kdf_id::hkdf_sha256, hpke::aead_id::chacha20poly1305});
        CHECK(c->offers({hpke::kdf_id::hkdf_sha256, hpke::aead_id::aes128gcm}));
        CHECK(!c->offers({hpke::kdf_id::hkdf_sha384, hpke::aead_id::aes128gcm}));
        CHECK(to_hex(c->encode()) == to_hex(wire));
        CHECK(c->encoded_size() == wire.size());
    }
}

TEST_CASE("every truncation and extension of a key config is rejected", "[ohttp][key_config][negative]") {
    const bytes wire = unhex(ppx::test::load_json("ohttp/rfc9458-appendix-a.json")["key_config"]);
    for (std::size_t n = 0; n < wire.size(); ++n) {
        auto c = ohttp::key_config::parse(bytes_view(wire).first(n));
        REQUIRE(!c);
        CHECK(c.error() == errc::malformed);
    }
    bytes longer = wire;
    longer.push_back(0);
    CHECK(ohttp::key_config::parse(longer).error() == errc::malformed);
    // Symmetric algorithms length 0, 2 (not a multiple of 4), 6.
    for (std::uint8_t len : {0, 2, 6}) {
        bytes b(wire.begin(), wire.begin() + 35);
        b.push_back(0);
        b.push_back(len);
        b.resize(b.size() + len, 1);
        CHECK(ohttp::key_config::parse(b).error() == errc::malformed);
    }
    // Unknown KEM.
    bytes unk = wire;
    unk[1] = 0x7f;
    CHECK(ohttp::key_config::parse(unk).error() == errc::unsupported);
}

TEST_CASE("application/ohttp-keys lists: several configs, unknown KEM skipped, malformed rejected", "[ohttp][key_config]") {
    auto j = ppx::test::load_json("ohttp/rfc9458-appendix-a.json");
    auto a = *ohttp::key_config::parse(unhex(j["key_config"]));
    const ohttp::symmetric_suite suites[] = {{hpke::kdf_id::hkdf_sha384, hpke::aead_id::aes256gcm}};
    auto b = *ohttp::key_config::make(7, hpke::kem_id::p256_sha256, bytes(65, 4), suites);
    const std::vector<ohttp::key_config> both{a, b};
    const bytes list = *ohttp::encode_key_configs(both);
    CHECK(list.size() == 2 + a.encoded_size() + 2 + b.encoded_size());
    auto parsed = ohttp::parse_key_configs(list);
    REQUIRE(parsed);
    CHECK(*parsed == both);

    // An entry with an unknown KEM (0x7f20) is skipped, the others kept.
    bytes unknown = unhex("000d017f20aabbccdd000400010001");
    bytes with_unknown = concat(unknown, list);
    auto p2 = ohttp::parse_key_configs(with_unknown);
    REQUIRE(p2);
    CHECK(*p2 == both);

    // Every truncation of the list is rejected (the list ends exactly at an entry boundary only at 0).
    for (std::size_t n = 1; n < list.size(); ++n) {
        auto r = ohttp::parse_key_configs(bytes_view(list).first(n));
        if (n == 2 + a.encoded_size()) {
            REQUIRE(r);
            CHECK(r->size() == 1);
        } else {
            CHECK(r.error() == errc::malformed);
        }
    }
    // A zero-length entry, an entry whose config is malformed: the whole list is refused.
    CHECK(ohttp::parse_key_configs(concat(list, unhex("0000"))).error() == errc::malformed);
    bytes bad = list;
    bad[1] = static_cast<std::uint8_t>(bad[1] - 4);  // first entry's length shorter than its config
    CHECK(ohttp::parse_key_configs(bad).error() == errc::malformed);
    CHECK(ohttp::parse_key_configs({})->empty());
}

TEST_CASE("key_config::make validates and encode respects the buffer", "[ohttp][key_config][negative]") {
    const ohttp::symmetric_suite s[] = {{hpke::kdf_id::hkdf_sha256, hpke::aead_id::aes128gcm}};
    CHECK(ohttp::key_config::make(1, hpke::kem_id::x25519_sha256, bytes(31), s).error() == errc::malformed);
    CHECK(ohttp::key_config::make(1, static_cast<hpke::kem_id>(0x7777), bytes(32), s).error() == errc::unsupported);
    CHECK(ohttp::key_config::make(1, hpke::kem_id::x25519_sha256, bytes(32), {}).error() == errc::malformed);
    auto c = *ohttp::key_config::make(1, hpke::kem_id::x25519_sha256, bytes(32, 9), s);
    for (std::size_t n = 0; n < c.encoded_size(); ++n) {
        ppx::test::guarded_buffer buf(n);
        CHECK(c.encode(buf.span()).error() == errc::buffer_too_small);
        CHECK(buf.guard_intact());
    }
    ppx::test::guarded_buffer ok(c.encoded_size());
    CHECK(*c.encode(ok.span()) == c.encoded_size());
    CHECK(ok.guard_intact());
}
