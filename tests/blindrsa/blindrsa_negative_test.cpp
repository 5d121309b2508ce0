// Named negative tests for RFC 9474: wrong lengths (every truncation), representatives >= n,
// every flipped byte of blind signatures and signatures, wrong blinds, messages, prefixes and
// variants, bad salts and inverses, unsupported or inconsistent keys, too-small output
// buffers (sentinel-guarded); plus random round trips of the four variants with a fresh
// 2048-bit key and key (de)serialisation.
#include <ppx/blindrsa.hpp>

#include <catch2/catch.hpp>

#include "support/vectors.hpp"

using namespace ppx;
using namespace ppx::blindrsa;
using ppx::test::guarded_buffer;
using ppx::test::unhex;

namespace {

bytes num(const nlohmann::json& j) {
    std::string s = j.get<std::string>();
    if (s.rfind("0x", 0) == 0) s = s.substr(2);
    if (s.size() % 2) s = "0" + s;
    return unhex(s);
}

/// The RFC 9474 4096-bit key and the PSS-Deterministic vector, blinded and signed once.
struct rfc_fixture {
    nlohmann::json j = ppx::test::load_json("blindrsa/test_vectors_rfc9474.json")[2];
    private_key sk = *private_key::from_components(num(j["n"]), num(j["e"]), num(j["d"]), num(j["p"]), num(j["q"]));
    const public_key& pk = sk.public_key();
    std::size_t k = pk.modulus_size();
    variant v = variant::sha384_pss_deterministic;
    bytes msg = unhex(j["msg"]);
    bytes blinded = unhex(j["blinded_msg"]);
    bytes blind_sig = unhex(j["blind_sig"]);
    bytes sig = unhex(j["sig"]);
    blind_secret inv = *blind_secret::from_bytes(pk, num(j["inv"]));
};

} // namespace

TEST_CASE("blindrsa: blind_sign rejects wrong lengths, m >= n and small buffers", "[blindrsa][negative]") {
    rfc_fixture f;
    bytes out(f.k);
    for (std::size_t n = 0; n < f.k; n += (n < 16 || n > f.k - 16) ? 1 : 37)
        CHECK(blind_sign(f.sk, bytes_view(f.blinded).first(n), out).error() == errc::malformed);
    bytes longer = f.blinded;
    longer.insert(longer.begin(), 0);
    CHECK(blind_sign(f.sk, longer, out).error() == errc::malformed);
    // RFC 8017 §5.2.1: representative out of range (m = n, m = 2^k - 1).
    CHECK(blind_sign(f.sk, f.pk.modulus(), out).error() == errc::malformed);
    CHECK(blind_sign(f.sk, bytes(f.k, 0xff), out).error() == errc::malformed);
    // Too small an output: refused, nothing written.
    guarded_buffer small(f.k - 1);
    CHECK(blind_sign(f.sk, f.blinded, small.span()).error() == errc::buffer_too_small);
    CHECK(small.guard_intact());
    CHECK(std::all_of(small.storage.begin(), small.storage.end(), [](auto b) { return b == guarded_buffer::sentinel; }));
    // The exact size works and writes exactly k bytes.
    guarded_buffer exact(f.k);
    auto n = blind_sign(f.sk, f.blinded, exact.span());
    REQUIRE(n);
    CHECK(*n == f.k);
    CHECK(exact.guard_intact());
    CHECK(to_hex(exact.span()) == to_hex(f.blind_sig));
}

TEST_CASE("blindrsa: finalize rejects every flipped blind-signature byte and wrong inputs", "[blindrsa][negative]") {
    rfc_fixture f;
    bytes sig(f.k);
    REQUIRE(finalize(f.pk, f.v, f.msg, f.blind_sig, f.inv, sig));
    CHECK(sig == f.sig);
    for (std::size_t i = 0; i < f.k; ++i) {
        auto t = f.blind_sig;
        t[i] ^= 0x01;
        guarded_buffer out(f.k);
        auto r = finalize(f.pk, f.v, f.msg, t, f.inv, out.span());
        REQUIRE(!r);
        CHECK((r.error() == errc::crypto_failure || r.error() == errc::malformed));
        CHECK(out.guard_intact());
        // No signature bytes are released on failure: zeroed after a failed verification,
        // untouched (sentinel) after a rejected input.
        const std::uint8_t expect = r.error() == errc::crypto_failure ? 0 : guarded_buffer::sentinel;
        CHECK(std::all_of(out.span().begin(), out.span().end(), [&](auto b) { return b == expect; }));
    }
    // RFC 9474 §4.4 step 1: "unexpected input size" at every shorter length (sampled) and longer.
    for (std::size_t n = 0; n < f.k; n += (n < 16 || n > f.k - 16) ? 1 : 41)
        CHECK(finalize(f.pk, f.v, f.msg, bytes_view(f.blind_sig).first(n), f.inv, sig).error() == errc::malformed);
    // blind_sig >= n.
    CHECK(finalize(f.pk, f.v, f.msg, f.pk.modulus(), f.inv, sig).error() == errc::malformed);
    // Wrong message, wrong variant (salt length), wrong blind.
    CHECK(finalize(f.pk, f.v, as_bytes("another message"), f.blind_sig, f.inv, sig).error() == errc::crypto_failure);
    CHECK(finalize(f.pk, variant::sha384_psszero_deterministic, f.msg, f.blind_sig, f.inv, sig).error() ==
          errc::crypto_failure);
    auto other_inv = bytes(f.inv.inv_bytes().begin(), f.inv.inv_bytes().end());
    other_inv[f.k - 1] ^= 0x02;
    auto wrong = blind_secret::from_bytes(f.pk, other_inv);
    REQUIRE(wrong);
    CHECK(finalize(f.pk, f.v, f.msg, f.blind_sig, *wrong, sig).error() == errc::crypto_failure);
    // Small output buffer.
    guarded_buffer small(f.k - 1);
    CHECK(finalize(f.pk, f.v, f.msg, f.blind_sig, f.inv, small.span()).error() == errc::buffer_too_small);
    CHECK(small.guard_intact());
    // blind_secret::from_bytes range checks.
    CHECK(blind_secret::from_bytes(f.pk, bytes(f.k, 0)).error() == errc::malformed);
    CHECK(blind_secret::from_bytes(f.pk, f.pk.modulus()).error() == errc::malformed);
    CHECK(blind_secret::from_bytes(f.pk, bytes(f.k - 1, 1)).error() == errc::malformed);
}

TEST_CASE("blindrsa: verify rejects every flipped signature byte, truncation, s >= n", "[blindrsa][negative]") {
    rfc_fixture f;
    REQUIRE(verify(f.pk, f.v, f.msg, f.sig));
    for (std::size_t i = 0; i < f.k; ++i) {
        auto t = f.sig;
        t[i] ^= 0x80;
        CHECK(verify(f.pk, f.v, f.msg, t).error() == errc::crypto_failure);
    }
    for (std::size_t n = 0; n < f.k; n += (n < 16 || n > f.k - 16) ? 1 : 43)
        CHECK(verify(f.pk, f.v, f.msg, bytes_view(f.sig).first(n)).error() == errc::crypto_failure);
    bytes longer = f.sig;
    longer.push_back(0);
    CHECK(verify(f.pk, f.v, f.msg, longer).error() == errc::crypto_failure);
    CHECK(verify(f.pk, f.v, f.msg, f.pk.modulus()).error() == errc::crypto_failure);
    CHECK(verify(f.pk, f.v, f.msg, bytes(f.k, 0)).error() == errc::crypto_failure);
    // Each flipped message byte.
    for (std::size_t i = 0; i < f.msg.size(); ++i) {
        auto m = f.msg;
        m[i] ^= 0x01;
        CHECK(verify(f.pk, f.v, m, f.sig).error() == errc::crypto_failure);
    }
    // A Randomized signature does not verify without its prefix, nor with another prefix.
    const auto r = ppx::test::load_json("blindrsa/test_vectors_rfc9474.json")[0];
    CHECK(verify(f.pk, variant::sha384_pss_randomized, unhex(r["input_msg"]), unhex(r["sig"])));
    CHECK(!verify(f.pk, variant::sha384_pss_randomized, unhex(r["msg"]), unhex(r["sig"])));
    auto prefixed = unhex(r["input_msg"]);
    prefixed[0] ^= 1;
    CHECK(!verify(f.pk, variant::sha384_pss_randomized, prefixed, unhex(r["sig"])));
}

TEST_CASE("blindrsa: blind and prepare argument checks", "[blindrsa][negative]") {
    rfc_fixture f;
    bytes out(f.k);
    const auto salt = unhex(f.j["salt"]);
    const auto inv = num(f.j["inv"]);
    // Salt of the wrong length for the variant.
    CHECK(blind_with(f.pk, f.v, f.msg, bytes(47, 1), inv, out).error() == errc::misuse);
    CHECK(blind_with(f.pk, variant::sha384_psszero_deterministic, f.msg, salt, inv, out).error() == errc::misuse);
    // inv = 0, inv = n, inv = p (not invertible mod n).
    CHECK(blind_with(f.pk, f.v, f.msg, salt, bytes(f.k, 0), out).error() == errc::malformed);
    CHECK(blind_with(f.pk, f.v, f.msg, salt, f.pk.modulus(), out).error() == errc::malformed);
    CHECK(blind_with(f.pk, f.v, f.msg, salt, num(f.j["p"]), out).error() == errc::malformed);
    // Output buffer one byte short.
    guarded_buffer small(f.k - 1);
    CHECK(blind_with(f.pk, f.v, f.msg, salt, inv, small.span()).error() == errc::buffer_too_small);
    CHECK(small.guard_intact());
    deterministic_rng rng(3);
    CHECK(blind(f.pk, f.v, f.msg, rng, small.span()).error() == errc::buffer_too_small);
    CHECK(small.guard_intact());
    // An exhausted rng is reported, not ignored.
    fixed_rng empty;
    CHECK(!blind(f.pk, f.v, f.msg, empty, out));
    CHECK(!prepare(variant::sha384_pss_randomized, f.msg, empty));
    // Prepare: the prefix must be 32 bytes exactly for Randomized, absent for Deterministic.
    CHECK(prepare_with(variant::sha384_pss_randomized, f.msg, bytes(31, 0)).error() == errc::misuse);
    CHECK(prepare_with(variant::sha384_pss_randomized, f.msg, {}).error() == errc::misuse);
    CHECK(prepare_with(variant::sha384_pss_deterministic, f.msg, bytes(32, 0)).error() == errc::misuse);
    CHECK(*prepare(variant::sha384_pss_deterministic, f.msg, empty) == f.msg);
    CHECK(variant_from_name("RSABSSA-SHA512-PSS-Randomized").error() == errc::unsupported);
}

TEST_CASE("blindrsa: keys outside the supported range or inconsistent are refused", "[blindrsa][negative]") {
    rfc_fixture f;
    const auto n = num(f.j["n"]), e = num(f.j["e"]), d = num(f.j["d"]), p = num(f.j["p"]), q = num(f.j["q"]);
    // 1024-bit modulus (the EMSA example size) and a 4104-bit one.
    CHECK(public_key::from_components(bytes_view(n).first(128), e).error() == errc::unsupported);
    bytes big(513, 0xff);
    CHECK(public_key::from_components(big, e).error() == errc::unsupported);
    // Even modulus, e = 1, even e, e >= n.
    auto even = n;
    even.back() &= 0xfe;
    CHECK(public_key::from_components(even, e).error() == errc::malformed);
    CHECK(public_key::from_components(n, unhex("01")).error() == errc::malformed);
    CHECK(public_key::from_components(n, unhex("010000")).error() == errc::malformed);
    CHECK(public_key::from_components(n, n).error() == errc::malformed);
    CHECK(public_key::from_components({}, e).error() == errc::malformed);
    // n != p*q, and d inconsistent with e (OpenSSL's pairwise check).
    CHECK(private_key::from_components(n, e, d, p, p).error() == errc::malformed);
    auto d2 = d;
    d2.back() ^= 0x02;
    CHECK(private_key::from_components(n, e, d2, p, q).error() == errc::malformed);
    // Garbage and truncated DER.
    auto spki = f.pk.to_spki_der();
    REQUIRE(spki);
    REQUIRE(public_key::from_spki_der(*spki));
    for (std::size_t len = 0; len < spki->size(); len += 7)
        CHECK(public_key::from_spki_der(bytes_view(*spki).first(len)).error() == errc::malformed);
    auto trailing = *spki;
    trailing.push_back(0);
    CHECK(public_key::from_spki_der(trailing).error() == errc::malformed);
    CHECK(private_key::from_der(as_bytes("not a key")).error() == errc::malformed);
    CHECK(private_key::generate(1024).error() == errc::unsupported);
    CHECK(private_key::generate(2049).error() == errc::unsupported);
}

TEST_CASE("blindrsa: random round trips of all four variants with a fresh 2048-bit key", "[blindrsa]") {
    auto sk = private_key::generate(2048);
    REQUIRE(sk);
    const auto& pk = sk->public_key();
    CHECK(pk.modulus_bits() == 2048);
    // PKCS#8 and SubjectPublicKeyInfo round trips.
    auto der = sk->to_pkcs8_der();
    REQUIRE(der);
    auto sk2 = private_key::from_der(*der);
    REQUIRE(sk2);
    CHECK(sk2->public_key().modulus() == pk.modulus());
    auto pk2 = public_key::from_spki_der(*pk.to_spki_der());
    REQUIRE(pk2);
    deterministic_rng rng(11);
    for (auto v : {variant::sha384_pss_randomized, variant::sha384_psszero_randomized, variant::sha384_pss_deterministic,
                   variant::sha384_psszero_deterministic}) {
        INFO(name(v));
        auto prepared = prepare(v, as_bytes("token nonce"), rng);
        REQUIRE(prepared);
        CHECK(prepared->size() == 11 + (is_randomized(v) ? 32 : 0));
        bytes blinded(256), bsig(256), sig(256);
        auto secret = blind(pk, v, *prepared, rng, blinded);
        REQUIRE(secret);
        REQUIRE(blind_sign(*sk2, blinded, bsig));
        REQUIRE(finalize(*pk2, v, *prepared, bsig, *secret, sig));
        CHECK(verify(pk, v, *prepared, sig));
        // Two blindings of the same message are unlinkable (different blinded messages).
        bytes blinded2(256);
        REQUIRE(blind(pk, v, *prepared, rng, blinded2));
        CHECK(blinded2 != blinded);
    }
    // Deterministic PSSZERO: the same message gives the same signature whatever the blind.
    bytes b1(256), b2(256), s1(256), s2(256), sig1(256), sig2(256);
    const auto msg = as_bytes("deterministic");
    auto i1 = blind(pk, variant::sha384_psszero_deterministic, msg, rng, b1);
    auto i2 = blind(pk, variant::sha384_psszero_deterministic, msg, rng, b2);
    REQUIRE((i1 && i2));
    REQUIRE((blind_sign(*sk, b1, s1) && blind_sign(*sk, b2, s2)));
    REQUIRE(finalize(pk, variant::sha384_psszero_deterministic, msg, s1, *i1, sig1));
    REQUIRE(finalize(pk, variant::sha384_psszero_deterministic, msg, s2, *i2, sig2));
    CHECK(sig1 == sig2);
    CHECK(b1 != b2);
}
