// Named negative tests for HPKE: each RFC 9180 rule that rejects input, and the API's
// buffer and state contracts.
#include <ppx/hpke.hpp>

#include <catch2/catch.hpp>

#include "support/vectors.hpp"

using namespace ppx;
using namespace ppx::hpke;
using ppx::test::unhex;

namespace {

const suite x25519_aes = suite::of<dhkem_x25519_sha256, hkdf_sha256, aes128gcm>();

struct pair_fixture {
    suite s;
    private_key sk;
    public_key pk;
    static pair_fixture make(const suite& s, std::uint64_t seed = 1) {
        deterministic_rng r(seed);
        auto sk = private_key::generate(s.kem().id, r);
        REQUIRE(sk);
        auto pk = sk->public_key();
        REQUIRE(pk);
        return {s, std::move(*sk), std::move(*pk)};
    }
};

const kem_id all_kems[] = {kem_id::p256_sha256, kem_id::p384_sha384, kem_id::p521_sha512, kem_id::x25519_sha256,
                           kem_id::x448_sha512};
const kdf_id all_kdfs[] = {kdf_id::hkdf_sha256, kdf_id::hkdf_sha384, kdf_id::hkdf_sha512};
const aead_id all_aeads[] = {aead_id::aes128gcm, aead_id::aes256gcm, aead_id::chacha20poly1305, aead_id::export_only};

} // namespace

TEST_CASE("round trips in every mode for every suite (covers P-384 and HKDF-SHA384)", "[hpke][roundtrip]") {
    const bytes psk(32, 0x42), psk_id = to_bytes(std::string_view("psk id")), info = to_bytes(std::string_view("info"));
    for (auto k : all_kems)
        for (auto f : all_kdfs)
            for (auto a : all_aeads) {
                auto s = suite::from_ids(k, f, a);
                REQUIRE(s);
                DYNAMIC_SECTION("kem " << int(k) << " kdf " << int(f) << " aead " << int(a)) {
                    auto r = pair_fixture::make(*s, 7);
                    auto sender_key = pair_fixture::make(*s, 8);
                    for (int m = 0; m < 4; ++m) {
                        const bool use_psk = m & 1, auth = m & 2;
                        sender_options so{use_psk ? bytes_view(psk) : bytes_view{}, use_psk ? bytes_view(psk_id) : bytes_view{},
                                          auth ? &sender_key.sk : nullptr};
                        recipient_options ro{so.psk, so.psk_id, auth ? &sender_key.pk : nullptr};
                        auto snd = setup_sender(*s, r.pk, info, so);
                        REQUIRE(snd);
                        auto rcv = setup_recipient(*s, r.sk, snd->enc, info, ro);
                        REQUIRE(rcv);
                        auto e1 = snd->ctx.export_secret(bytes{1, 2}, 40);
                        auto e2 = rcv->export_secret(bytes{1, 2}, 40);
                        REQUIRE(e1);
                        REQUIRE(e2);
                        CHECK(*e1 == *e2);
                        if (a == aead_id::export_only) continue;
                        for (int i = 0; i < 3; ++i) {
                            bytes pt(static_cast<std::size_t>(i * 17), static_cast<std::uint8_t>(i));
                            auto ct = snd->ctx.seal(bytes{9}, pt);
                            REQUIRE(ct);
                            auto back = rcv->open(bytes{9}, *ct);
                            REQUIRE(back);
                            CHECK(bytes(back->begin(), back->end()) == pt);
                        }
                        // Open with the wrong mode's inputs fails.
                        if (use_psk) {
                            auto wrong = setup_recipient(*s, r.sk, snd->enc, info, {bytes(32, 0x43), psk_id, ro.sender_public_key});
                            REQUIRE(wrong);
                            auto ct = snd->ctx.seal({}, bytes{1});
                            REQUIRE(ct);
                            CHECK(wrong->open({}, *ct).error() == errc::crypto_failure);
                        }
                    }
                }
            }
}

TEST_CASE("DeriveKeyPair is deterministic and ikm-sensitive for every KEM", "[hpke][derive]") {
    for (auto k : all_kems) {
        auto a = private_key::derive(k, bytes(32, 1));
        auto b = private_key::derive(k, bytes(32, 1));
        auto c = private_key::derive(k, bytes(32, 2));
        REQUIRE(a);
        REQUIRE(b);
        REQUIRE(c);
        CHECK(equal_bytes(a->public_key_bytes(), b->public_key_bytes()));
        CHECK(a->serialize() == b->serialize());
        CHECK(!equal_bytes(a->public_key_bytes(), c->public_key_bytes()));
        // Serialisation round trip.
        auto sk = a->serialize();
        auto again = private_key::from_bytes(k, sk);
        REQUIRE(again);
        CHECK(equal_bytes(again->public_key_bytes(), a->public_key_bytes()));
        auto pk = public_key::from_bytes(k, a->public_key_bytes());
        REQUIRE(pk);
    }
}

TEST_CASE("psk and psk_id: both or neither, in the right mode, psk >= 32 bytes (§5.1, §9.5)", "[hpke][psk]") {
    const auto& s = x25519_aes;
    const bytes psk(32, 1), short_psk(31, 1), id{1};
    CHECK(key_schedule_input::make(s, mode::psk, {}, psk, {}).error() == errc::misuse);
    CHECK(key_schedule_input::make(s, mode::psk, {}, {}, id).error() == errc::misuse);
    CHECK(key_schedule_input::make(s, mode::psk, {}, {}, {}).error() == errc::misuse);
    CHECK(key_schedule_input::make(s, mode::base, {}, psk, id).error() == errc::misuse);
    CHECK(key_schedule_input::make(s, mode::auth, {}, psk, id).error() == errc::misuse);
    CHECK(key_schedule_input::make(s, mode::psk, {}, short_psk, id).error() == errc::misuse);
    CHECK(key_schedule_input::make(s, mode::psk, {}, psk, id));
    auto r = pair_fixture::make(s);
    CHECK(setup_sender(s, r.pk, {}, {psk, {}, nullptr}).error() == errc::misuse);
}

TEST_CASE("small-order X25519 and X448 public keys and all-zero DH are rejected (§7.1.4)", "[hpke][dh]") {
    // X25519 points of small order (RFC 7748 / libsodium's blocklist): 0, 1, and an order-8 point.
    const char* x25519_bad[] = {
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    };
    auto r = pair_fixture::make(x25519_aes);
    for (auto hex : x25519_bad) {
        auto pk = public_key::from_bytes(kem_id::x25519_sha256, unhex(hex));
        REQUIRE(pk);  // every 32-byte string deserialises; the DH refuses it
        CHECK(setup_base_s(x25519_aes, *pk, {}).error() == errc::malformed);
        CHECK(setup_base_r(x25519_aes, r.sk, unhex(hex), {}).error() == errc::malformed);
    }
    const suite x448 = suite::of<dhkem_x448_sha512, hkdf_sha512, aes256gcm>();
    bytes zero448(56, 0), one448(56, 0);
    one448[0] = 1;
    auto r448 = pair_fixture::make(x448);
    for (const auto& bad : {zero448, one448}) {
        auto pk = public_key::from_bytes(kem_id::x448_sha512, bad);
        REQUIRE(pk);
        CHECK(setup_base_s(x448, *pk, {}).error() == errc::malformed);
        CHECK(setup_base_r(x448, r448.sk, bad, {}).error() == errc::malformed);
    }
}

TEST_CASE("invalid and off-curve NIST public keys are rejected", "[hpke][dh]") {
    const suite p256 = suite::of<dhkem_p256_sha256, hkdf_sha256, aes128gcm>();
    auto r = pair_fixture::make(p256);
    bytes good = to_bytes(r.pk.bytes());
    bytes off = good;
    off[64] ^= 1;  // y changed: not on the curve
    CHECK(public_key::from_bytes(kem_id::p256_sha256, off).error() == errc::malformed);
    bytes compressed(good.begin(), good.begin() + 33);
    compressed[0] = 0x02 | (good[64] & 1);
    CHECK(public_key::from_bytes(kem_id::p256_sha256, compressed).error() == errc::malformed);
    bytes wrong_tag = good;
    wrong_tag[0] = 0x06;
    CHECK(public_key::from_bytes(kem_id::p256_sha256, wrong_tag).error() == errc::malformed);
    CHECK(public_key::from_bytes(kem_id::p256_sha256, bytes(65, 0)).error() == errc::malformed);
    CHECK(setup_base_r(p256, r.sk, off, {}).error() == errc::malformed);
    for (std::size_t n = 0; n < good.size(); ++n)
        CHECK(public_key::from_bytes(kem_id::p256_sha256, bytes_view(good).first(n)).error() == errc::malformed);
    // Private keys: zero and the order are out of range.
    CHECK(private_key::from_bytes(kem_id::p256_sha256, bytes(32, 0)).error() == errc::malformed);
    CHECK(private_key::from_bytes(kem_id::p256_sha256, unhex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"))
              .error() == errc::malformed);
    CHECK(private_key::from_bytes(kem_id::p256_sha256, bytes(31, 1)).error() == errc::malformed);
    CHECK(public_key::from_bytes(static_cast<kem_id>(0x99), good).error() == errc::unsupported);
    CHECK(suite::from_ids(kem_id::x25519_sha256, static_cast<kdf_id>(9), aead_id::aes128gcm).error() == errc::unsupported);
    CHECK(suite::from_ids(kem_id::x25519_sha256, kdf_id::hkdf_sha256, static_cast<aead_id>(9)).error() == errc::unsupported);
}

TEST_CASE("a flipped bit in enc, ciphertext, tag or aad fails to open; nothing is released", "[hpke][tamper]") {
    auto r = pair_fixture::make(x25519_aes);
    const bytes info{1, 2, 3}, aad{4, 5}, pt(100, 0x77);
    auto msg = seal(x25519_aes, r.pk, info, aad, pt);
    REQUIRE(msg);
    REQUIRE(open(x25519_aes, r.sk, msg->enc, info, aad, msg->ct));
    for (std::size_t i = 0; i < msg->enc.size(); ++i) {
        bytes enc = msg->enc;
        enc[i] ^= 0x01;
        auto p = open(x25519_aes, r.sk, enc, info, aad, msg->ct);
        CHECK(!p);
    }
    for (std::size_t i = 0; i < msg->ct.size(); ++i) {  // body and tag
        bytes ct = msg->ct;
        ct[i] ^= 0x80;
        test::guarded_buffer out(ct.size());
        auto in = key_schedule_input::make(x25519_aes, mode::base, info);
        auto n = open(x25519_aes, r.sk, msg->enc, *in, aad, ct, out.span());
        CHECK(n.error() == errc::crypto_failure);
        CHECK(ct_is_zero(bytes_view(out.storage).first(pt.size())));  // no partial plaintext
    }
    bytes bad_aad = aad;
    bad_aad[0] ^= 1;
    CHECK(open(x25519_aes, r.sk, msg->enc, info, bad_aad, msg->ct).error() == errc::crypto_failure);
    CHECK(open(x25519_aes, r.sk, msg->enc, bytes{9}, aad, msg->ct).error() == errc::crypto_failure);
    for (std::size_t n = 0; n < msg->ct.size(); ++n)
        CHECK(!open(x25519_aes, r.sk, msg->enc, info, aad, bytes_view(msg->ct).first(n)));
    for (std::size_t n = 0; n < msg->enc.size(); ++n)
        CHECK(open(x25519_aes, r.sk, bytes_view(msg->enc).first(n), info, aad, msg->ct).error() == errc::malformed);
}

TEST_CASE("open advances the sequence only on success; seal refuses at the message limit (§5.2)", "[hpke][sequence]") {
    auto r = pair_fixture::make(x25519_aes);
    auto snd = setup_base_s(x25519_aes, r.pk, {});
    REQUIRE(snd);
    auto rcv = setup_base_r(x25519_aes, r.sk, snd->enc, {});
    REQUIRE(rcv);
    auto c0 = snd->ctx.seal({}, bytes{1});
    auto c1 = snd->ctx.seal({}, bytes{2});
    REQUIRE(c0);
    REQUIRE(c1);
    CHECK(rcv->open({}, *c1).error() == errc::crypto_failure);  // out of order
    CHECK(rcv->sequence() == 0);
    bytes bad = *c0;
    bad[0] ^= 1;
    CHECK(!rcv->open({}, bad));
    CHECK(rcv->sequence() == 0);
    REQUIRE(rcv->open({}, *c0));
    REQUIRE(rcv->open({}, *c1));
    CHECK(rcv->sequence() == 2);

    // Exhaustion without 2^64 messages: move the counter to its last value.
    snd->ctx.set_sequence_for_testing(std::numeric_limits<std::uint64_t>::max() - 1);
    CHECK(snd->ctx.seal({}, bytes{3}));
    CHECK(snd->ctx.seal({}, bytes{3}).error() == errc::misuse);
    CHECK(snd->ctx.sequence() == std::numeric_limits<std::uint64_t>::max());
    // Roles: a sender cannot open, a recipient cannot seal.
    CHECK(snd->ctx.open({}, *c0).error() == errc::misuse);
    CHECK(rcv->seal({}, bytes{1}).error() == errc::misuse);
    // A moved-from context is dead, not keyed with zeros.
    context moved = std::move(*rcv);
    CHECK(rcv->export_secret({}, 16).error() == errc::misuse);  // NOLINT(bugprone-use-after-move)
    CHECK(moved.export_secret({}, 16));
}

TEST_CASE("too-small output buffers: an error and nothing written past the end", "[hpke][buffers]") {
    auto r = pair_fixture::make(x25519_aes);
    auto in = key_schedule_input::make(x25519_aes, mode::base, {});
    REQUIRE(in);
    const bytes pt(64, 1);
    deterministic_rng rng(3);
    test::guarded_buffer enc_small(31), ct(pt.size() + 16);
    CHECK(seal(x25519_aes, r.pk, *in, {}, pt, rng, enc_small.span(), ct.span()).error() == errc::buffer_too_small);
    CHECK(enc_small.guard_intact());
    test::guarded_buffer enc(32), ct_small(pt.size() + 15);
    CHECK(seal(x25519_aes, r.pk, *in, {}, pt, rng, enc.span(), ct_small.span()).error() == errc::buffer_too_small);
    CHECK(ct_small.guard_intact());
    test::guarded_buffer ct_ok(pt.size() + 16);
    auto n = seal(x25519_aes, r.pk, *in, {}, pt, rng, enc.span(), ct_ok.span());
    REQUIRE(n);
    CHECK(*n == pt.size() + 16);
    CHECK(ct_ok.guard_intact());
    CHECK(enc.guard_intact());
    test::guarded_buffer pt_small(pt.size() - 1);
    CHECK(open(x25519_aes, r.sk, bytes_view(enc.storage).first(32), *in, {}, bytes_view(ct_ok.storage).first(*n),
               pt_small.span())
              .error() == errc::buffer_too_small);
    CHECK(pt_small.guard_intact());
    // Export longer than 255*Nh is refused.
    auto snd = setup_base_s(x25519_aes, r.pk, {});
    REQUIRE(snd);
    CHECK(snd->ctx.export_secret({}, 255 * 32 + 1).error() == errc::misuse);
    CHECK(snd->ctx.export_secret({}, 255 * 32));
}

TEST_CASE("keys of another KEM and auth mismatches are refused", "[hpke][keys]") {
    const suite p256 = suite::of<dhkem_p256_sha256, hkdf_sha256, aes128gcm>();
    auto x = pair_fixture::make(x25519_aes);
    auto p = pair_fixture::make(p256);
    CHECK(setup_base_s(p256, x.pk, {}).error() == errc::key_mismatch);
    auto snd = setup_base_s(x25519_aes, x.pk, {});
    REQUIRE(snd);
    CHECK(setup_base_r(p256, x.sk, snd->enc, {}).error() == errc::key_mismatch);
    CHECK(setup_auth_s(x25519_aes, x.pk, {}, p.sk).error() == errc::key_mismatch);
    // Auth-mode ciphertexts do not open as base mode, nor with another sender key.
    auto s2 = pair_fixture::make(x25519_aes, 99);
    auto a = setup_auth_s(x25519_aes, x.pk, {}, s2.sk);
    REQUIRE(a);
    auto ct = a->ctx.seal({}, bytes{1});
    REQUIRE(ct);
    auto as_base = setup_base_r(x25519_aes, x.sk, a->enc, {});
    REQUIRE(as_base);
    CHECK(as_base->open({}, *ct).error() == errc::crypto_failure);
    auto other = pair_fixture::make(x25519_aes, 100);
    auto wrong_sender = setup_auth_r(x25519_aes, x.sk, a->enc, {}, other.pk);
    REQUIRE(wrong_sender);
    CHECK(wrong_sender->open({}, *ct).error() == errc::crypto_failure);
}
