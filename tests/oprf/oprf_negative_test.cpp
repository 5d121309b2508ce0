// Named negative tests for RFC 9497: element and scalar deserialisation (identity, invalid,
// non-canonical, every wrong length), tampered proofs and evaluated elements (every byte),
// wrong keys and info, reordered batches, output buffers that are too small (sentinel-
// guarded), over-long inputs, zero scalars; plus random round trips of every mode and the
// OpenSSL EC method each NIST curve runs on (the constant-time claim of docs/oprf.md).
#include <ppx/oprf.hpp>

#include <catch2/catch.hpp>

#include "support/vectors.hpp"

#include <fstream>

using namespace ppx;
using namespace ppx::oprf;
using ppx::test::guarded_buffer;
using ppx::test::unhex;

namespace {

template <suite S>
struct fixture {
    using G = typename S::group;
    deterministic_rng rng{42};
    private_key<S> sk = *private_key<S>::generate(rng);
    public_key<S> pk = sk.public_key();
    std::vector<bytes> inputs{to_bytes("alpha"), to_bytes("beta"), to_bytes("gamma")};
    std::vector<bytes_view> views{inputs[0], inputs[1], inputs[2]};
    std::vector<blinded<S>> bl;
    bytes blinded_all;

    explicit fixture(mode m) {
        for (auto& in : inputs) {
            auto b = blind<S>(m, in, rng);
            REQUIRE(b);
            append(blinded_all, b->encoded);
            bl.push_back(std::move(*b));
        }
    }
};

} // namespace

using all_suites = std::tuple<ristretto255_sha512, p256_sha256, p384_sha384, p521_sha512>;
using nist_suites = std::tuple<p256_sha256, p384_sha384, p521_sha512>;

TEMPLATE_LIST_TEST_CASE("oprf: element deserialisation rejects wrong lengths, identity and tampering", "[oprf][negative]",
                        all_suites) {
    using S = TestType;
    using G = typename S::group;
    deterministic_rng rng(7);
    auto sk = private_key<S>::generate(rng);
    REQUIRE(sk);
    const auto good = sk->public_key().bytes();
    REQUIRE(G::deserialize_element(good));
    // Truncation at every length, and one byte too many.
    for (std::size_t n = 0; n < good.size(); ++n)
        CHECK(G::deserialize_element(bytes_view(good).first(n)).error() == errc::malformed);
    bytes longer(good.begin(), good.end());
    longer.push_back(0);
    CHECK(G::deserialize_element(longer).error() == errc::malformed);
    // The identity: all zeros (ristretto255's identity encoding; for SEC1 an invalid prefix),
    // and SEC1's one-byte 0x00.
    bytes zeros(Ne<S>, 0);
    CHECK(G::deserialize_element(zeros).error() == errc::malformed);
    const std::uint8_t inf[1] = {0};
    CHECK(G::deserialize_element(inf).error() == errc::malformed);
    // Every single-byte flip is either rejected or another canonical element.
    for (std::size_t i = 0; i < good.size(); ++i) {
        auto t = bytes(good.begin(), good.end());
        t[i] ^= 0x01;
        auto e = G::deserialize_element(t);
        if (e) {
            std::array<std::uint8_t, Ne<S>> back;
            REQUIRE(G::serialize_element(*e, back));
            CHECK(to_hex(back) == to_hex(t));
        } else {
            CHECK(e.error() == errc::malformed);
        }
    }
    // Serialising the identity fails.
    auto id = G::mul_base(*G::deserialize_scalar(bytes(Ns<S>, 0)));
    if (id) {
        std::array<std::uint8_t, Ne<S>> out;
        CHECK(G::serialize_element(*id, out).error() == errc::malformed);
    }
}

TEST_CASE("oprf: ristretto255 rejects every RFC 9496 invalid encoding", "[oprf][negative]") {
    // RFC 9496 appendix A.2 "Invalid encodings": non-canonical field encodings, negative
    // field elements, non-square x^2, negative xy, s = -1.
    const char* invalid[] = {
#include "ristretto255_invalid.inc"
    };
    std::size_t n = 0;
    for (const char* h : invalid) {
        INFO(h);
        CHECK(ristretto255::deserialize_element(unhex(h)).error() == errc::malformed);
        ++n;
    }
    CHECK(n == 29);
}

TEMPLATE_LIST_TEST_CASE("oprf: NIST element deserialisation rejects uncompressed, x >= p and off-curve x",
                        "[oprf][negative]", nist_suites) {
    using S = TestType;
    using G = typename S::group;
    constexpr std::size_t fs = Ne<S> - 1;
    const auto& c = G::data();
    bytes p(fs);
    REQUIRE(detail_h2c::bn_to_fixed(c.p.get(), p));
    // x = p and x = 2^k - 1 are non-canonical field elements.
    for (std::uint8_t prefix : {0x02, 0x03}) {
        bytes e{prefix};
        append(e, p);
        CHECK(G::deserialize_element(e).error() == errc::malformed);
        bytes ff{prefix};
        ff.resize(Ne<S>, 0xff);
        CHECK(G::deserialize_element(ff).error() == errc::malformed);
    }
    // Bad prefixes, including the uncompressed / hybrid forms at the compressed length.
    deterministic_rng rng(9);
    auto pk = private_key<S>::generate(rng)->public_key().bytes();
    for (std::uint8_t prefix : {0x00, 0x01, 0x04, 0x05, 0x06, 0x07, 0xff}) {
        auto t = bytes(pk.begin(), pk.end());
        t[0] = prefix;
        CHECK(G::deserialize_element(t).error() == errc::malformed);
    }
    // An uncompressed encoding of a valid point is refused (wrong length).
    std::vector<std::uint8_t> un(1 + 2 * fs);
    auto e = G::deserialize_element(pk);
    REQUIRE(e);
    REQUIRE(EC_POINT_point2oct(G::group(), e->get(), POINT_CONVERSION_UNCOMPRESSED, un.data(), un.size(), nullptr) ==
            un.size());
    CHECK(G::deserialize_element(un).error() == errc::malformed);
    // x values whose x^3 + ax + b is not a square are rejected (about half of all x).
    std::size_t rejected = 0;
    for (std::uint8_t x = 1; x < 40; ++x) {
        bytes t(Ne<S>, 0);
        t[0] = 0x02;
        t[Ne<S> - 1] = x;
        auto r = G::deserialize_element(t);
        if (!r) {
            CHECK(r.error() == errc::malformed);
            ++rejected;
        }
    }
    CHECK(rejected > 5);
}

TEMPLATE_LIST_TEST_CASE("oprf: scalar deserialisation rejects non-canonical values and wrong lengths",
                        "[oprf][negative]", all_suites) {
    using S = TestType;
    using G = typename S::group;
    // The group order itself, all-ones, and every wrong length.
    bytes order(Ns<S>);
    if constexpr (std::is_same_v<G, ristretto255>) {
        order = unhex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
    } else {
        REQUIRE(detail_h2c::bn_to_fixed(G::data().order.get(), order));
    }
    CHECK(G::deserialize_scalar(order).error() == errc::malformed);
    CHECK(G::deserialize_scalar(bytes(Ns<S>, 0xff)).error() == errc::malformed);
    auto below = order;
    below[std::is_same_v<G, ristretto255> ? 0 : Ns<S> - 1] -= 1;  // order - 1
    CHECK(G::deserialize_scalar(below));
    for (std::size_t n = 0; n <= Ns<S> + 1; ++n)
        if (n != Ns<S>) CHECK(G::deserialize_scalar(bytes(n, 1)).error() == errc::malformed);
    // A zero private key and a zero blind are refused.
    CHECK(private_key<S>::deserialize(bytes(Ns<S>, 0)).error() == errc::malformed);
    CHECK(private_key<S>::deserialize(order).error() == errc::malformed);
    CHECK(blind_with<S>(mode::oprf, as_bytes("x"), bytes(Ns<S>, 0)).error() == errc::malformed);
    CHECK(blind_with<S>(mode::oprf, as_bytes("x"), order).error() == errc::malformed);
    // Inverse of zero is InverseError.
    CHECK(G::scalar_inverse(*G::deserialize_scalar(bytes(Ns<S>, 0))).error() == errc::misuse);
}

TEMPLATE_LIST_TEST_CASE("oprf: VOPRF round trip and every tampered proof or evaluated byte", "[oprf][negative]",
                        all_suites) {
    using S = TestType;
    fixture<S> f(mode::voprf);
    bytes evaluated(3 * Ne<S>);
    std::array<std::uint8_t, proof_size<S>> proof;
    REQUIRE(voprf_blind_evaluate<S>(f.sk, f.blinded_all, evaluated, proof, f.rng));
    bytes out(3 * Nh<S>);
    REQUIRE(verify_finalize<S>(f.pk, f.views, f.bl, evaluated, proof, out));
    // Outputs equal the server's direct Evaluate.
    for (std::size_t i = 0; i < 3; ++i) {
        std::array<std::uint8_t, Nh<S>> o;
        REQUIRE(evaluate<S>(mode::voprf, f.sk, f.inputs[i], {}, o));
        CHECK(to_hex(o) == to_hex(bytes_view(out).subspan(i * Nh<S>, Nh<S>)));
    }

    // A flipped byte anywhere in the proof: rejected, outputs untouched.
    for (std::size_t i = 0; i < proof.size(); ++i) {
        auto t = proof;
        t[i] ^= 0x01;
        guarded_buffer g(3 * Nh<S>, 16);
        auto r = verify_finalize<S>(f.pk, f.views, f.bl, evaluated, t, g.span());
        REQUIRE(!r);
        CHECK((r.error() == errc::crypto_failure || r.error() == errc::malformed));
        CHECK(g.guard_intact());
        CHECK(std::all_of(g.storage.begin(), g.storage.end(), [](auto b) { return b == guarded_buffer::sentinel; }));
    }
    // A flipped byte anywhere in the evaluated elements: rejected.
    for (std::size_t i = 0; i < evaluated.size(); ++i) {
        auto t = evaluated;
        t[i] ^= 0x01;
        auto r = verify_finalize<S>(f.pk, f.views, f.bl, t, proof, out);
        REQUIRE(!r);
        CHECK((r.error() == errc::crypto_failure || r.error() == errc::malformed));
    }
    // Truncated proof at every length, and a truncated batch.
    for (std::size_t n = 0; n < proof.size(); ++n)
        CHECK(verify_finalize<S>(f.pk, f.views, f.bl, evaluated, bytes_view(proof).first(n), out).error() ==
              errc::malformed);
    CHECK(verify_finalize<S>(f.pk, f.views, f.bl, bytes_view(evaluated).first(2 * Ne<S>), proof, out).error() ==
          errc::misuse);
    // Swapped evaluated elements (a valid element in the wrong slot).
    auto swapped = evaluated;
    std::swap_ranges(swapped.begin(), swapped.begin() + Ne<S>, swapped.begin() + Ne<S>);
    CHECK(verify_finalize<S>(f.pk, f.views, f.bl, swapped, proof, out).error() == errc::crypto_failure);
    // A different server key.
    deterministic_rng other(99);
    auto pk2 = private_key<S>::generate(other)->public_key();
    CHECK(verify_finalize<S>(pk2, f.views, f.bl, evaluated, proof, out).error() == errc::crypto_failure);
    // A proof generated in POPRF mode does not verify in VOPRF mode.
    bytes ev2(3 * Ne<S>);
    std::array<std::uint8_t, proof_size<S>> proof2;
    REQUIRE(poprf_blind_evaluate<S>(f.sk, {}, f.blinded_all, ev2, proof2, f.rng));
    CHECK(!verify_finalize<S>(f.pk, f.views, f.bl, ev2, proof2, out));
    // Too-small output buffer: refused, nothing written past it.
    guarded_buffer small(3 * Nh<S> - 1);
    CHECK(verify_finalize<S>(f.pk, f.views, f.bl, evaluated, proof, small.span()).error() == errc::buffer_too_small);
    CHECK(small.guard_intact());
}

TEMPLATE_LIST_TEST_CASE("oprf: server rejects bad blinded elements and small buffers", "[oprf][negative]", all_suites) {
    using S = TestType;
    fixture<S> f(mode::voprf);
    std::array<std::uint8_t, proof_size<S>> proof;
    // Evaluated buffer too small: nothing written past it.
    guarded_buffer small(3 * Ne<S> - 1);
    CHECK(voprf_blind_evaluate<S>(f.sk, f.blinded_all, small.span(), proof, f.rng).error() == errc::buffer_too_small);
    CHECK(small.guard_intact());
    // Empty batch and a batch that is not a multiple of Ne.
    bytes ev(3 * Ne<S>);
    CHECK(voprf_blind_evaluate<S>(f.sk, {}, ev, proof, f.rng).error() == errc::misuse);
    CHECK(voprf_blind_evaluate<S>(f.sk, bytes_view(f.blinded_all).first(Ne<S> + 1), ev, proof, f.rng).error() ==
          errc::misuse);
    // An invalid element in the middle of the batch: malformed, outputs zeroed.
    auto bad = f.blinded_all;
    std::fill(bad.begin() + Ne<S>, bad.begin() + 2 * Ne<S>, 0);
    CHECK(voprf_blind_evaluate<S>(f.sk, bad, ev, proof, f.rng).error() == errc::malformed);
    CHECK(std::all_of(ev.begin(), ev.end(), [](auto b) { return b == 0; }));
    CHECK(std::all_of(proof.begin(), proof.end(), [](auto b) { return b == 0; }));
    CHECK(poprf_blind_evaluate<S>(f.sk, as_bytes("i"), bad, ev, proof, f.rng).error() == errc::malformed);
    std::array<std::uint8_t, Ne<S>> one;
    CHECK(blind_evaluate<S>(f.sk, bytes(Ne<S>, 0), one).error() == errc::malformed);
    // Proof randomness must be a canonical non-zero scalar.
    CHECK(voprf_blind_evaluate_with<S>(f.sk, f.blinded_all, ev, proof, bytes(Ns<S>, 0)).error() == errc::malformed);
    CHECK(voprf_blind_evaluate_with<S>(f.sk, f.blinded_all, ev, proof, bytes(Ns<S> - 1, 1)).error() ==
          errc::malformed);
    // Over-long input and info, short DeriveKeyPair seed.
    bytes long_input(max_input_size + 1, 'a');
    CHECK(blind<S>(mode::oprf, long_input, f.rng).error() == errc::misuse);
    std::array<std::uint8_t, Nh<S>> out;
    CHECK(evaluate<S>(mode::poprf, f.sk, as_bytes("x"), long_input, out).error() == errc::misuse);
    CHECK(poprf_tweaked_key<S>(f.pk, long_input).error() == errc::misuse);
    CHECK(derive_key_pair<S>(mode::oprf, bytes(31, 1), {}).error() == errc::misuse);
    CHECK(derive_key_pair<S>(mode::oprf, bytes(32, 1), {}));
}

TEMPLATE_LIST_TEST_CASE("oprf: POPRF round trip, wrong info and wrong tweaked key", "[oprf][negative]", all_suites) {
    using S = TestType;
    fixture<S> f(mode::poprf);
    const auto info = as_bytes("2026-11-23 use-case A");
    bytes evaluated(3 * Ne<S>);
    std::array<std::uint8_t, proof_size<S>> proof;
    REQUIRE(poprf_blind_evaluate<S>(f.sk, info, f.blinded_all, evaluated, proof, f.rng));
    auto tweaked = poprf_tweaked_key<S>(f.pk, info);
    REQUIRE(tweaked);
    bytes out(3 * Nh<S>);
    REQUIRE(poprf_finalize<S>(*tweaked, f.views, f.bl, evaluated, proof, info, out));
    for (std::size_t i = 0; i < 3; ++i) {
        std::array<std::uint8_t, Nh<S>> o;
        REQUIRE(evaluate<S>(mode::poprf, f.sk, f.inputs[i], info, o));
        CHECK(to_hex(o) == to_hex(bytes_view(out).subspan(i * Nh<S>, Nh<S>)));
    }
    // The client expecting other metadata rejects the proof.
    auto other = poprf_tweaked_key<S>(f.pk, as_bytes("2026-11-24 use-case A"));
    REQUIRE(other);
    CHECK(poprf_finalize<S>(*other, f.views, f.bl, evaluated, proof, info, out).error() == errc::crypto_failure);
    // Every flipped proof byte is rejected.
    for (std::size_t i = 0; i < proof.size(); ++i) {
        auto t = proof;
        t[i] ^= 0x80;
        CHECK(!poprf_finalize<S>(*tweaked, f.views, f.bl, evaluated, t, info, out));
    }
}

TEMPLATE_LIST_TEST_CASE("oprf: OPRF mode finalize rejects invalid evaluated elements", "[oprf][negative]", all_suites) {
    using S = TestType;
    fixture<S> f(mode::oprf);
    std::array<std::uint8_t, Ne<S>> ev;
    REQUIRE(blind_evaluate<S>(f.sk, f.bl[0].encoded, ev));
    std::array<std::uint8_t, Nh<S>> out, direct;
    REQUIRE(finalize<S>(f.inputs[0], f.bl[0], ev, out));
    REQUIRE(evaluate<S>(mode::oprf, f.sk, f.inputs[0], {}, direct));
    CHECK(out == direct);
    for (std::size_t n = 0; n < ev.size(); ++n)
        CHECK(finalize<S>(f.inputs[0], f.bl[0], bytes_view(ev).first(n), out).error() == errc::malformed);
    CHECK(finalize<S>(f.inputs[0], f.bl[0], bytes(Ne<S>, 0), out).error() == errc::malformed);
    // A different key gives a different output (no silent acceptance).
    deterministic_rng other(5);
    auto sk2 = *private_key<S>::generate(other);
    std::array<std::uint8_t, Ne<S>> ev2;
    REQUIRE(blind_evaluate<S>(sk2, f.bl[0].encoded, ev2));
    REQUIRE(finalize<S>(f.inputs[0], f.bl[0], ev2, out));
    CHECK(out != direct);
}

#if defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"  // EC_GROUP_method_of: only to check the method
#endif
TEST_CASE("oprf: OpenSSL EC methods behind the constant-time claim", "[oprf][ct]") {
    // docs/oprf.md: P-521 runs OpenSSL's constant-time nistp521 code, P-384 the generic
    // Montgomery method whose single-scalar EC_POINT_mul is the constant-time ladder, P-256
    // the nistz256 assembly (neither of the other two methods). A different OpenSSL build
    // that changes this fails here, so the documentation is rechecked.
    CHECK(EC_GROUP_method_of(p521::group()) == EC_GFp_nistp521_method());
    CHECK(EC_GROUP_method_of(p384::group()) == EC_GFp_mont_method());
    CHECK(EC_GROUP_method_of(p256::group()) != EC_GFp_mont_method());
    CHECK(EC_GROUP_method_of(p256::group()) != EC_GFp_nistp256_method());
    CHECK(EC_GROUP_method_of(p256::group()) != EC_GFp_nist_method());
    // Scalars are flagged for OpenSSL's constant-time BIGNUM paths.
    deterministic_rng rng(1);
    auto k = p384::random_scalar(rng);
    REQUIRE(k);
    CHECK(BN_get_flags(k->get(), BN_FLG_CONSTTIME) != 0);
    auto inv = p384::scalar_inverse(*k);
    REQUIRE(inv);
    CHECK(BN_get_flags(inv->get(), BN_FLG_CONSTTIME) != 0);
    auto prod = p384::scalar_mul(*k, *inv);
    REQUIRE(prod);
    CHECK(BN_is_one(prod->get()));
}
