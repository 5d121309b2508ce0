// RFC 9380 vectors: every expand_message_xmd vector (SHA-256 with a 38-byte and an oversized
// 256-byte DST, SHA-512), every P-256 / P-384 / P-521 SSWU_RO_ vector (u values and the
// final point), the P-256 / P-384 SSWU_NU_ vectors, and the RFC 9496 ristretto255 one-way map
// reached through hash_to_ristretto255. edwards25519_XMD:SHA-512_ELL2_RO_ is not run: no RFC
// 9497 suite needs it and libsodium 1.0.18 has no RFC 9380 map for it (see hash_to_curve.hpp).
#include <ppx/oprf.hpp>

#include <catch2/catch.hpp>

#include "support/vectors.hpp"

using namespace ppx;
using namespace ppx::oprf;
using ppx::test::unhex;

namespace {

std::string strip0x(std::string s) {
    if (s.rfind("0x", 0) == 0) s = s.substr(2);
    return s;
}

template <class H>
std::size_t run_xmd(const std::string& file) {
    const auto j = ppx::test::load_json("hash-to-curve/" + file);
    const auto dst = as_bytes(j["DST"].get_ref<const std::string&>());
    std::size_t n = 0;
    for (const auto& t : j["tests"]) {
        const auto msg = as_bytes(t["msg"].get_ref<const std::string&>());
        const auto len = std::stoul(t["len_in_bytes"].get<std::string>(), nullptr, 16);
        bytes out(len);
        REQUIRE(expand_message_xmd<H>({msg}, dst, out));
        CHECK(to_hex(out) == t["uniform_bytes"].get<std::string>());
        // The same message split in two parts gives the same bytes.
        if (msg.size() > 1) {
            bytes out2(len);
            REQUIRE(expand_message_xmd<H>({msg.first(1), msg.subspan(1)}, dst, out2));
            CHECK(out2 == out);
        }
        ++n;
    }
    return n;
}

template <class Params>
std::size_t run_suite(const std::string& file, bool ro) {
    const auto j = ppx::test::load_json("hash-to-curve/" + file);
    const auto dst = as_bytes(j["dst"].get_ref<const std::string&>());
    const auto& c = detail_h2c::curve<Params>();
    REQUIRE(c.ok);
    std::size_t n = 0;
    for (const auto& v : j["vectors"]) {
        const auto msg = as_bytes(v["msg"].get_ref<const std::string&>());
        // hash_to_field (RFC 9380 §5.2) gives the published u values.
        const std::size_t count = v["u"].size();
        ppx::detail::bn_ctx_ptr ctx(BN_CTX_new());
        ppx::detail::bn_ptr u0(BN_new()), u1(BN_new());
        BIGNUM* u[2] = {u0.get(), u1.get()};
        REQUIRE(detail_h2c::hash_to_field<Params>({msg}, dst, c.p.get(), u, count, ctx.get()));
        for (std::size_t i = 0; i < count; ++i) {
            bytes ub(Params::field_size);
            REQUIRE(detail_h2c::bn_to_fixed(u[i], ub));
            CHECK(to_hex(ub) == strip0x(v["u"][i].get<std::string>()));
        }
        auto p = ro ? hash_to_curve<Params>({msg}, dst) : encode_to_curve<Params>({msg}, dst);
        REQUIRE(p);
        auto xy = affine_coordinates<Params>(p->get());
        REQUIRE(xy);
        CHECK(to_hex(xy->first) == strip0x(v["P"]["x"].get<std::string>()));
        CHECK(to_hex(xy->second) == strip0x(v["P"]["y"].get<std::string>()));
        ++n;
    }
    return n;
}

} // namespace

TEST_CASE("expand_message_xmd: every RFC 9380 vector", "[hash_to_curve][vectors]") {
    std::size_t n = 0;
    n += run_xmd<crypto::sha256>("expand_message_xmd_SHA256_38.json");
    n += run_xmd<crypto::sha256>("expand_message_xmd_SHA256_256.json");
    n += run_xmd<crypto::sha512>("expand_message_xmd_SHA512_38.json");
    CHECK(n == 30);
}

TEST_CASE("hash_to_curve: every P-256/P-384/P-521 SSWU vector (RO and NU)", "[hash_to_curve][vectors]") {
    std::size_t n = 0;
    n += run_suite<p256_params>("P256_XMD-SHA-256_SSWU_RO_.json", true);
    n += run_suite<p256_params>("P256_XMD-SHA-256_SSWU_NU_.json", false);
    n += run_suite<p384_params>("P384_XMD-SHA-384_SSWU_RO_.json", true);
    n += run_suite<p384_params>("P384_XMD-SHA-384_SSWU_NU_.json", false);
    n += run_suite<p521_params>("P521_XMD-SHA-512_SSWU_RO_.json", true);
    CHECK(n == 25);
}

TEST_CASE("hash_to_curve: ristretto255 element derivation (RFC 9496 appendix A.3)", "[hash_to_curve][vectors]") {
    // The one-way map of RFC 9496 §4.3.4, which hash_to_ristretto255 applies to
    // expand_message_xmd(SHA-512, 64 bytes) (RFC 9380 appendix B).
    struct map_vector { const char* in; const char* out; };
    const map_vector vectors[] = {
        {"5d1be09e3d0c82fc538112490e35701979d99e06ca3e2b5b54bffe8b4dc772c14d98b696a1bbfb5ca32c436cc61c16563790306c79eaca7705668b47dffe5bb6",
         "3066f82a1a747d45120d1740f14358531a8f04bbffe6a819f86dfe50f44a0a46"},
        {"f116b34b8f17ceb56e8732a60d913dd10cce47a6d53bee9204be8b44f6678b270102a56902e2488c46120e9276cfe54638286b9e4b3cdb470b542d46c2068d38",
         "f26e5b6f7d362d2d2a94c5d0e7602cb4773c95a2e5c31a64f133189fa76ed61b"},
        {"8422e1bbdaab52938b81fd602effb6f89110e1e57208ad12d9ad767e2e25510c27140775f9337088b982d83d7fcf0b2fa1edffe51952cbe7365e95c86eaf325c",
         "006ccd2a9e6867e6a2c5cea83d3302cc9de128dd2a9a57dd8ee7b9d7ffe02826"},
        {"ac22415129b61427bf464e17baee8db65940c233b98afce8d17c57beeb7876c2150d15af1cb1fb824bbd14955f2b57d08d388aab431a391cfc33d5bafb5dbbaf",
         "f8f0c87cf237953c5890aec3998169005dae3eca1fbb04548c635953c817f92a"},
        {"165d697a1ef3d5cf3c38565beefcf88c0f282b8e7dbd28544c483432f1cec7675debea8ebb4e5fe7d6f6e5db15f15587ac4d4d4a1de7191e0c1ca6664abcc413",
         "ae81e7dedf20a497e10c304a765c1767a42d6e06029758d2d7e8ef7cc4c41179"},
        {"a836e6c9a9ca9f1e8d486273ad56a78c70cf18f0ce10abb1c7172ddd605d7fd2979854f47ae1ccf204a33102095b4200e5befc0465accc263175485f0e17ea5c",
         "e2705652ff9f5e44d3e841bf1c251cf7dddb77d140870d1ab2ed64f1a9ce8628"},
        {"2cdc11eaeb95daf01189417cdddbf95952993aa9cb9c640eb5058d09702c74622c9965a697a3b345ec24ee56335b556e677b30e6f90ac77d781064f866a3c982",
         "80bd07262511cdde4863f8a7434cef696750681cb9510eea557088f76d9e5065"},
        {"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff1200000000000000000000000000000000000000000000000000000000000000",
         "304282791023b73128d277bdcb5c7746ef2eac08dde9f2983379cb8e5ef0517f"},
        {"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
         "304282791023b73128d277bdcb5c7746ef2eac08dde9f2983379cb8e5ef0517f"},
        {"0000000000000000000000000000000000000000000000000000000000000080ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
         "304282791023b73128d277bdcb5c7746ef2eac08dde9f2983379cb8e5ef0517f"},
        {"00000000000000000000000000000000000000000000000000000000000000001200000000000000000000000000000000000000000000000000000000000080",
         "304282791023b73128d277bdcb5c7746ef2eac08dde9f2983379cb8e5ef0517f"},
    };
    REQUIRE(ppx::detail::sodium_ready());
    for (const auto& v : vectors) {
        const auto in = unhex(v.in);
        std::uint8_t p[32];
        REQUIRE(crypto_core_ristretto255_from_hash(p, in.data()) == 0);
        CHECK(to_hex(bytes_view(p, 32)) == v.out);
    }
    // hash_to_ristretto255 = map(expand_message_xmd(SHA-512, msg, DST, 64)).
    const auto dst = as_bytes("QUUX-V01-CS02-with-ristretto255_XMD:SHA-512_R255MAP_RO_");
    std::uint8_t uniform[64], p1[32], p2[32];
    REQUIRE(expand_message_xmd<crypto::sha512>({as_bytes("abc")}, dst, uniform));
    REQUIRE(crypto_core_ristretto255_from_hash(p1, uniform) == 0);
    REQUIRE(hash_to_ristretto255({as_bytes("abc")}, dst, std::span<std::uint8_t, 32>(p2, 32)));
    CHECK(to_hex(bytes_view(p1, 32)) == to_hex(bytes_view(p2, 32)));
}

TEST_CASE("expand_message_xmd: argument checks", "[hash_to_curve][negative]") {
    bytes out(32);
    // RFC 9380 §3.1: empty DST is refused.
    CHECK(expand_message_xmd<crypto::sha256>({as_bytes("x")}, {}, out).error() == errc::misuse);
    // len_in_bytes = 0 and > 65535 and ell > 255 are refused.
    CHECK(expand_message_xmd<crypto::sha256>({as_bytes("x")}, as_bytes("D"), mutable_bytes{}).error() == errc::misuse);
    bytes big(255 * 32 + 1);
    CHECK(expand_message_xmd<crypto::sha256>({as_bytes("x")}, as_bytes("D"), big).error() == errc::misuse);
    bytes max(255 * 32);
    CHECK(expand_message_xmd<crypto::sha256>({as_bytes("x")}, as_bytes("D"), max));
    bytes huge(65536);
    CHECK(expand_message_xmd<crypto::sha512>({as_bytes("x")}, as_bytes("D"), huge).error() == errc::misuse);
    // A 255-byte DST is used as is; a 256-byte one is hashed (they differ).
    std::string d255(255, 'a'), d256(256, 'a');
    bytes a(32), b(32);
    REQUIRE(expand_message_xmd<crypto::sha256>({as_bytes("x")}, as_bytes(d255), a));
    REQUIRE(expand_message_xmd<crypto::sha256>({as_bytes("x")}, as_bytes(d256), b));
    CHECK(a != b);
}
