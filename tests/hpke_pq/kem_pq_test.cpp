// Post-quantum HPKE (draft-ietf-hpke-pq): the KEMs ML-KEM-512/768/1024, X-Wing, MLKEM768-P256
// and MLKEM1024-P384, and the one-stage KDFs SHAKE128/256 and TurboSHAKE128/256.
// EVERY vector of test-vectors-pq-boringssl.json is checked at the KEM level (DeriveKeyPair,
// pk(sk), Encap with ikmE as the randomness, Decap) and run through the full HPKE flow
// (suite_id, key schedule outputs, every encryption and every export). `info` and `pt` are
// used as the bytes their hex gives (the file double-encodes them; see
// tests/vectors/hpke/README.md).
#include <ppx/hpke.hpp>
#include <ppx/hpke/kem_hybrid.hpp>
#include <ppx/hpke/kem_pq.hpp>

#include <catch2/catch.hpp>

#include "support/vectors.hpp"

using namespace ppx;
using namespace ppx::hpke;
using ppx::test::unhex;

namespace {

/// Any KEM of the vector file: ML-KEM-512 is not in the dispatcher (no ids.hpp name yet).
const kem_ops* vector_kem(std::uint16_t id) {
    if (id == 0x0040) return &kem_ml_kem_512::ops;
    auto k = find_kem(static_cast<kem_id>(id));
    return k ? *k : nullptr;
}

const kem_ops* const all_pq[] = {&kem_ml_kem_512::ops,   &kem_ml_kem_768::ops,     &kem_ml_kem_1024::ops,
                                 &kem_x_wing::ops,       &kem_mlkem768_p256::ops, &kem_mlkem1024_p384::ops};
const kem_ops* const hybrids[] = {&kem_mlkem768_p256::ops, &kem_mlkem1024_p384::ops};
const kdf_ops* const one_stage_kdfs[] = {&kdf_shake128::ops, &kdf_shake256::ops, &kdf_turboshake128::ops,
                                         &kdf_turboshake256::ops};

private_key derive(const kem_ops& ops, bytes_view ikm) {
    bytes sk(ops.n_sk), pk(ops.n_pk);
    REQUIRE(ops.derive_key_pair(ikm, sk, pk));
    auto k = private_key::from_bytes(ops, sk);
    REQUIRE(k);
    CHECK(equal_bytes(k->public_key_bytes(), pk));
    return std::move(*k);
}

suite make_suite(const kem_ops& k, kdf_id f, aead_id a) {
    auto kdf = find_kdf(f);
    auto aead = find_aead(a);
    REQUIRE(kdf);
    REQUIRE(aead);
    return suite(k, **kdf, **aead);
}

} // namespace

TEST_CASE("draft-ietf-hpke-pq vectors (BoringSSL copy): all 13, KEM and full HPKE flow", "[hpke_pq][vectors]") {
    const auto all = ppx::test::load_json("hpke/test-vectors-pq-boringssl.json");
    std::size_t kem_checked = 0, full_checked = 0, encryptions = 0, exports = 0, one_stage = 0, hybrid = 0;
    for (const auto& j : all) {
        const auto kem = j["kem_id"].get<std::uint16_t>();
        const auto kdf = j["kdf_id"].get<std::uint16_t>();
        const auto aead = j["aead_id"].get<std::uint16_t>();
        INFO("kem " << kem << " kdf " << kdf << " aead " << aead);
        const kem_ops* ops = vector_kem(kem);
        REQUIRE(ops != nullptr);
        REQUIRE(j["mode"] == 0);

        // DeriveKeyPair and pk(sk).
        bytes sk(ops->n_sk), pk(ops->n_pk);
        REQUIRE(ops->derive_key_pair(unhex(j["ikmR"]), sk, pk));
        // The file gives skRm clamped for X448 but raw for X25519: compare the clamped forms
        // (RFC 9180 §7.1.2 SerializePrivateKey; a no-op for every non-X KEM, so exact there).
        bytes sk_ser = sk, sk_vec = unhex(j["skRm"]);
        ops->normalize_private(sk_ser);
        ops->normalize_private(sk_vec);
        CHECK(sk_ser == sk_vec);
        CHECK(to_hex(pk) == j["pkRm"].get<std::string>());
        bytes pk2(ops->n_pk);
        REQUIRE(ops->public_from_private(unhex(j["skRm"]), pk2));
        CHECK(to_hex(pk2) == j["pkRm"].get<std::string>());
        REQUIRE(ops->check_public_key(pk));

        // Encap with ikmE mapped to the KEM's randomness, Decap with skRm.
        auto randomness = ops->encap_randomness(unhex(j["ikmE"]));
        REQUIRE(randomness);
        fixed_rng eph(*randomness);
        bytes ss(ops->n_secret), enc(ops->n_enc), ss2(ops->n_secret);
        REQUIRE(ops->encap(pk, eph, ss, enc));
        CHECK(to_hex(enc) == j["enc"].get<std::string>());
        CHECK(to_hex(ss) == j["shared_secret"].get<std::string>());
        REQUIRE(ops->decap(unhex(j["enc"]), sk, pk, ss2));
        CHECK(to_hex(ss2) == j["shared_secret"].get<std::string>());
        ++kem_checked;

        // The full HPKE flow.
        const suite s = make_suite(*ops, static_cast<kdf_id>(kdf), static_cast<aead_id>(aead));
        CHECK(to_hex(s.id()) == j["suite_id"].get<std::string>());
        auto pk_r = public_key::from_bytes(*ops, pk);
        auto sk_r = private_key::from_bytes(*ops, sk);
        REQUIRE(pk_r);
        REQUIRE(sk_r);
        const bytes info = unhex(j["info"]);
        fixed_rng eph2(*randomness);
        auto snd = setup_base_s(s, *pk_r, info, eph2);
        REQUIRE(snd);
        CHECK(to_hex(snd->enc) == j["enc"].get<std::string>());
        auto rcv = setup_base_r(s, *sk_r, snd->enc, info);
        REQUIRE(rcv);
        for (const auto& e : j["encryptions"]) {
            const bytes aad = unhex(e["aad"]), pt = unhex(e["pt"]);
            auto c = snd->ctx.seal(aad, pt);
            REQUIRE(c);
            CHECK(to_hex(*c) == e["ct"].get<std::string>());
            auto p = rcv->open(aad, unhex(e["ct"]));
            REQUIRE(p);
            CHECK(equal_bytes(*p, pt));
            ++encryptions;
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
            ++exports;
        }
        if (s.kdf().one_stage) ++one_stage;
        if (kem == 0x0050 || kem == 0x0051) ++hybrid;
        ++full_checked;
    }
    // 13 base-mode vectors, each with 10 encryptions and 5 exports; 7 use a one-stage KDF
    // (SHAKE128 twice, SHAKE256 twice, TurboSHAKE128 once, TurboSHAKE256 twice: 0x0010-0x0013
    // with classical and PQ KEMs), 3 a P-256/P-384 hybrid KEM.
    CHECK(kem_checked == 13);
    CHECK(full_checked == 13);
    CHECK(encryptions == 130);
    CHECK(exports == 65);
    CHECK(one_stage == 7);
    CHECK(hybrid == 3);
}

TEST_CASE("PQ KEM key sizes match draft-ietf-hpke-pq", "[hpke_pq]") {
    CHECK(kem_ml_kem_512::ops.n_pk == 800);
    CHECK(kem_ml_kem_512::ops.n_enc == 768);
    CHECK(kem_ml_kem_768::ops.n_pk == 1184);
    CHECK(kem_ml_kem_768::ops.n_enc == 1088);
    CHECK(kem_ml_kem_1024::ops.n_pk == 1568);
    CHECK(kem_ml_kem_1024::ops.n_enc == 1568);
    CHECK(kem_x_wing::ops.n_pk == 1216);
    CHECK(kem_x_wing::ops.n_enc == 1120);
    CHECK(kem_x_wing::ops.n_sk == 32);
    for (auto* k : all_pq) {
        CHECK(k->n_secret == 32);
        CHECK(k->n_enc <= max_enc_size);
        CHECK(k->n_pk <= max_public_key_size);
        CHECK(k->n_sk <= max_private_key_size);
        CHECK_FALSE(k->supports_auth);
    }
}

TEST_CASE("PQ KEMs round trip in base and psk modes with every AEAD", "[hpke_pq][roundtrip]") {
    const bytes psk(32, 0x11), psk_id = to_bytes("psk id"), info = to_bytes("info"), aad = to_bytes("aad");
    const bytes pt = to_bytes("a request that must stay private for decades");
    for (auto* k : all_pq) {
        INFO(k->name);
        for (auto a : {aead_id::aes128gcm, aead_id::aes256gcm, aead_id::chacha20poly1305}) {
            const suite s = make_suite(*k, kdf_id::hkdf_sha256, a);
            deterministic_rng r(static_cast<std::uint64_t>(a) * 31 + static_cast<std::uint16_t>(k->id));
            bytes sk(k->n_sk), pk(k->n_pk);
            REQUIRE(k->generate_key_pair(r, sk, pk));
            auto sk_r = private_key::from_bytes(*k, sk);
            auto pk_r = public_key::from_bytes(*k, pk);
            REQUIRE(sk_r);
            REQUIRE(pk_r);
            // base
            auto m = seal(s, *pk_r, info, aad, pt, {}, r);
            REQUIRE(m);
            auto back = open(s, *sk_r, m->enc, info, aad, m->ct);
            REQUIRE(back);
            CHECK(equal_bytes(*back, pt));
            // psk
            auto mp = seal(s, *pk_r, info, aad, pt, {psk, psk_id, nullptr}, r);
            REQUIRE(mp);
            auto bp = open(s, *sk_r, mp->enc, info, aad, mp->ct, {psk, psk_id, nullptr});
            REQUIRE(bp);
            CHECK(equal_bytes(*bp, pt));
            // the psk matters
            const bytes other_psk(32, 0x12);
            CHECK(open(s, *sk_r, mp->enc, info, aad, mp->ct, {other_psk, psk_id, nullptr}).error() == errc::crypto_failure);
        }
    }
}

TEST_CASE("PQ KEMs refuse the auth modes with errc::unsupported", "[hpke_pq][negative]") {
    for (auto* k : all_pq) {
        INFO(k->name);
        const suite s = make_suite(*k, kdf_id::hkdf_sha256, aead_id::aes128gcm);
        auto sk = derive(*k, to_bytes("recipient ikm"));
        auto sender = derive(*k, to_bytes("sender ikm"));
        auto pk = sk.public_key();
        auto spk = sender.public_key();
        REQUIRE(pk);
        REQUIRE(spk);
        deterministic_rng r(3);
        CHECK(setup_auth_s(s, *pk, {}, sender, r).error() == errc::unsupported);
        const bytes psk(32, 1), psk_id{1};
        CHECK(setup_auth_psk_s(s, *pk, {}, psk, psk_id, sender, r).error() == errc::unsupported);
        bytes enc(k->n_enc);
        CHECK(setup_auth_r(s, sk, enc, {}, *spk).error() == errc::unsupported);
        CHECK(setup_auth_psk_r(s, sk, enc, {}, psk, psk_id, *spk).error() == errc::unsupported);
        // The table entries refuse too, when called directly.
        bytes ss(k->n_secret);
        CHECK(k->auth_encap(pk->bytes(), sender.expose_secret(), sender.public_key_bytes(), r, ss, enc).error() ==
              errc::unsupported);
        CHECK(k->auth_decap(enc, sk.expose_secret(), sk.public_key_bytes(), spk->bytes(), ss).error() == errc::unsupported);
    }
}

TEST_CASE("a modified enc fails to open cleanly (implicit rejection), wrong lengths are malformed", "[hpke_pq][negative]") {
    const bytes info = to_bytes("info"), aad{}, pt = to_bytes("hello");
    for (auto* k : all_pq) {
        INFO(k->name);
        const suite s = make_suite(*k, kdf_id::hkdf_sha256, aead_id::chacha20poly1305);
        auto sk = derive(*k, bytes(32, 7));
        auto pk = sk.public_key();
        REQUIRE(pk);
        deterministic_rng r(9);
        auto m = seal(s, *pk, info, aad, pt, {}, r);
        REQUIRE(m);
        // Flip a bit in the ML-KEM ciphertext (start, middle, last byte of the ML-KEM part) and,
        // for X-Wing, in the X25519 part: the shared secret changes, so the AEAD refuses.
        const std::size_t ml_ct = k->id == kem_id::x_wing          ? kem_x_wing::n_ct_m
                                  : k->id == kem_id::mlkem768_p256  ? kem_mlkem768_p256::n_ct_m
                                  : k->id == kem_id::mlkem1024_p384 ? kem_mlkem1024_p384::n_ct_m
                                                                    : k->n_enc;
        std::vector<std::size_t> positions = {0, ml_ct / 2, ml_ct - 1};
        if (k->id == kem_id::x_wing) positions.push_back(k->n_enc - 2);
        for (auto pos : positions) {
            bytes enc = m->enc;
            enc[pos] ^= 0x04;
            // The KEM itself still answers (a pseudo-random secret), HPKE open fails.
            bytes ss(k->n_secret);
            CHECK(k->decap(enc, sk.expose_secret(), sk.public_key_bytes(), ss));
            CHECK(open(s, sk, enc, info, aad, m->ct).error() == errc::crypto_failure);
        }
        for (std::size_t len : {std::size_t{0}, k->n_enc - 1, k->n_enc + 1}) {
            bytes enc = m->enc;
            enc.resize(len);
            CHECK(open(s, sk, enc, info, aad, m->ct).error() == errc::malformed);
            bytes ss(k->n_secret);
            CHECK(k->decap(enc, sk.expose_secret(), sk.public_key_bytes(), ss).error() == errc::malformed);
        }
        for (std::size_t len : {std::size_t{0}, k->n_pk - 1, k->n_pk + 1}) {
            bytes p = to_bytes(pk->bytes());
            p.resize(len);
            CHECK(public_key::from_bytes(*k, p).error() == errc::malformed);
            CHECK(k->check_public_key(p).error() == errc::malformed);
        }
        for (std::size_t len : {std::size_t{0}, k->n_sk - 1, k->n_sk + 1}) {
            CHECK(private_key::from_bytes(*k, bytes(len, 1)).error() == errc::malformed);
        }
    }
}

TEST_CASE("public keys failing the ML-KEM modulus check are refused", "[hpke_pq][negative]") {
    for (auto* k : all_pq) {
        INFO(k->name);
        auto sk = derive(*k, bytes(32, 8));
        bytes p = to_bytes(sk.public_key_bytes());
        // First coefficient := 0xfff (> q - 1).
        p[0] = 0xff;
        p[1] |= 0x0f;
        CHECK(public_key::from_bytes(*k, p).error() == errc::malformed);
        deterministic_rng r(1);
        bytes ss(k->n_secret), enc(k->n_enc);
        CHECK(k->encap(p, r, ss, enc).error() == errc::malformed);
    }
}

TEST_CASE("X-Wing refuses X25519 parts of small order", "[hpke_pq][negative]") {
    const kem_ops& k = kem_x_wing::ops;
    auto sk = derive(k, bytes(32, 9));
    deterministic_rng r(2);
    bytes ss(32), enc(k.n_enc);
    REQUIRE(k.encap(sk.public_key_bytes(), r, ss, enc));
    // ct_X = 0 (a point of small order).
    std::fill(enc.end() - 32, enc.end(), std::uint8_t{0});
    CHECK(k.decap(enc, sk.expose_secret(), sk.public_key_bytes(), ss).error() == errc::malformed);
    // pk_X = 1 (small order: the point of order 4 encodes as 1... any of them; 0 suffices).
    bytes pk = to_bytes(sk.public_key_bytes());
    std::fill(pk.end() - 32, pk.end(), std::uint8_t{0});
    pk[pk.size() - 32] = 1;
    CHECK(k.encap(pk, r, ss, enc).error() == errc::malformed);
}

TEST_CASE("compile-time suites take the PQ KEMs like the DH KEMs", "[hpke_pq]") {
    constexpr suite s = suite::of<kem_x_wing, hkdf_sha256, chacha20poly1305>();
    CHECK(s.ids() == suite_ids{kem_id::x_wing, kdf_id::hkdf_sha256, aead_id::chacha20poly1305});
    constexpr suite m = suite::of<kem_ml_kem_768, hkdf_sha256, aes128gcm>();
    CHECK(m.kem().n_enc == 1088);
    static_assert(kem_policy<kem_ml_kem_1024>);
    static_assert(kem_policy<kem_x_wing>);
}

TEST_CASE("prepared private keys decapsulate exactly like decap()", "[hpke_pq][prepared]") {
    auto check = [](auto kem_tag) {
        using K = decltype(kem_tag);
        const kem_ops& k = K::ops;
        INFO(k.name);
        auto sk = derive(k, bytes(40, 3));
        auto prep = K::prepare(sk.expose_secret());
        REQUIRE(prep);
        deterministic_rng r(4);
        bytes ss(32), enc(k.n_enc), s1(32), s2(32);
        REQUIRE(k.encap(sk.public_key_bytes(), r, ss, enc));
        REQUIRE(K::decap_prepared(enc, **prep, s1));
        CHECK(s1 == ss);
        enc[10] ^= 1;
        REQUIRE(K::decap_prepared(enc, **prep, s1));
        REQUIRE(k.decap(enc, sk.expose_secret(), sk.public_key_bytes(), s2));
        CHECK(s1 == s2);
        CHECK(s1 != ss);
        enc.pop_back();
        CHECK(K::decap_prepared(enc, **prep, s1).error() == errc::malformed);
        CHECK(K::prepare(bytes(k.n_sk + 1)).error() == errc::malformed);
    };
    check(kem_ml_kem_512{});
    check(kem_ml_kem_768{});
    check(kem_ml_kem_1024{});
    check(kem_x_wing{});
    check(kem_mlkem768_p256{});
    check(kem_mlkem1024_p384{});
}

TEST_CASE("hybrid KEM sizes match draft-ietf-hpke-pq and ids.hpp", "[hpke_pq][hybrid]") {
    CHECK(kem_mlkem768_p256::ops.n_pk == 1249);
    CHECK(kem_mlkem768_p256::ops.n_enc == 1153);
    CHECK(kem_mlkem1024_p384::ops.n_pk == 1665);
    CHECK(kem_mlkem1024_p384::ops.n_enc == 1665);
    for (auto* k : hybrids) {
        CHECK(k->n_sk == 32);
        CHECK(k->n_secret == 32);
        CHECK(public_key_size(k->id) == k->n_pk);
        CHECK(find_kem(k->id).value() == k);
    }
    constexpr suite s = suite::of<kem_mlkem1024_p384, kdf_turboshake256, aes256gcm>();
    CHECK(s.ids() == suite_ids{kem_id::mlkem1024_p384, kdf_id::turboshake256, aead_id::aes256gcm});
    static_assert(kem_policy<kem_mlkem768_p256>);
    static_assert(kdf_policy<kdf_shake128>);
}

TEST_CASE("hybrid KEMs refuse off-curve, compressed and identity points", "[hpke_pq][hybrid][negative]") {
    for (auto* k : hybrids) {
        INFO(k->name);
        const std::size_t n_elem = k->id == kem_id::mlkem768_p256 ? 65 : 97;
        auto sk = derive(*k, bytes(32, 0x5a));
        const bytes pk = to_bytes(sk.public_key_bytes());
        deterministic_rng r(11);
        bytes ss(32), enc(k->n_enc);
        REQUIRE(k->encap(pk, r, ss, enc));

        // Mutations of the point: y + 1 (off the curve), a compressed prefix, all zeros
        // (not a valid encoding of anything; the identity has no uncompressed form).
        auto mutate = [&](bytes b, int how) {
            std::uint8_t* pt = b.data() + b.size() - n_elem;
            if (how == 0) pt[n_elem - 1] ^= 1;
            if (how == 1) pt[0] = 0x02;
            if (how == 2) std::fill(pt, pt + n_elem, std::uint8_t{0});
            return b;
        };
        for (int how = 0; how < 3; ++how) {
            INFO("mutation " << how);
            const bytes bad_pk = mutate(pk, how);
            CHECK(k->check_public_key(bad_pk).error() == errc::malformed);
            CHECK(public_key::from_bytes(*k, bad_pk).error() == errc::malformed);
            bytes e2(k->n_enc);
            CHECK(k->encap(bad_pk, r, ss, e2).error() == errc::malformed);
            const bytes bad_enc = mutate(enc, how);
            CHECK(k->decap(bad_enc, sk.expose_secret(), sk.public_key_bytes(), ss).error() == errc::malformed);
            CHECK(k->decap_prepared(bad_enc, sk.prepared(), ss).error() == errc::malformed);
            const suite s = make_suite(*k, kdf_id::shake256, aead_id::aes128gcm);
            auto in = key_schedule_input::make(s, mode::base, {});
            REQUIRE(in);
            CHECK(setup_r(s, sk, bad_enc, *in).error() == errc::malformed);
        }
        // An ML-KEM key part failing the modulus check.
        bytes bad = pk;
        bad[0] = 0xff;
        bad[1] |= 0x0f;
        CHECK(k->check_public_key(bad).error() == errc::malformed);
    }
}

TEST_CASE("RandomScalar: constant-time range check and chunk selection", "[hpke_pq][hybrid]") {
    using K = kem_mlkem768_p256;
    const auto& order = hybrid_detail::order_bytes<p256_group>();
    CHECK(to_hex(order) == "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    std::array<std::uint8_t, 32> x{};
    CHECK(hybrid_detail::scalar_in_range(x.data(), order.data(), 32) == 0);  // zero
    x[31] = 1;
    CHECK(hybrid_detail::scalar_in_range(x.data(), order.data(), 32) == 1);  // one
    x = order;
    CHECK(hybrid_detail::scalar_in_range(x.data(), order.data(), 32) == 0);  // order
    x[31] -= 1;
    CHECK(hybrid_detail::scalar_in_range(x.data(), order.data(), 32) == 1);  // order - 1
    x.fill(0xff);
    CHECK(hybrid_detail::scalar_in_range(x.data(), order.data(), 32) == 0);
    // Chunks: [order, 0, 5, 7] -> 5.
    std::uint8_t seed[128] = {};
    std::memcpy(seed, order.data(), 32);
    seed[95] = 5;
    seed[127] = 7;
    std::uint8_t dk[32];
    REQUIRE(K::random_scalar(seed, sizeof seed, dk));
    CHECK(dk[31] == 5);
    std::uint8_t none[64] = {};
    CHECK_FALSE(K::random_scalar(none, sizeof none, dk));
    // Encap draws chunks from the rng until one is valid: the first two rejected here.
    auto sk = derive(K::ops, bytes(32, 1));
    // m = 42..42, then chunks order (rejected), 0 (rejected), 9 (taken).
    bytes rnd(128, 0);
    std::fill(rnd.begin(), rnd.begin() + 32, std::uint8_t{0x42});
    std::copy(order.begin(), order.end(), rnd.begin() + 32);
    rnd[127] = 9;
    fixed_rng fr(rnd);
    bytes ss(32), enc(K::n_enc), ss2(32);
    REQUIRE(K::ops.encap(sk.public_key_bytes(), fr, ss, enc));
    CHECK(fr.remaining() == 0);
    REQUIRE(K::ops.decap(enc, sk.expose_secret(), sk.public_key_bytes(), ss2));
    CHECK(ss == ss2);
    // Four bad chunks (Group.Nseed = 128 bytes) exhaust RandomScalar.
    bytes all_bad(32, 0x42);
    all_bad.insert(all_bad.end(), 128, 0);
    fixed_rng fb(all_bad);
    CHECK(K::ops.encap(sk.public_key_bytes(), fb, ss, enc).error() == errc::internal);
}

TEST_CASE("every PQ KEM x every one-stage KDF round trips (base and psk, seal and export)", "[hpke_pq][roundtrip][one_stage]") {
    const bytes psk(32, 0x21), psk_id = to_bytes("id"), info = to_bytes("info"), aad = to_bytes("aad");
    const bytes pt = to_bytes("hybrid, one-stage");
    std::size_t runs = 0;
    for (auto* k : all_pq) {
        for (auto* f : one_stage_kdfs) {
            INFO(k->name << " kdf " << static_cast<int>(f->id));
            REQUIRE(f->one_stage);
            const suite s(*k, *f, chacha20poly1305::ops);
            deterministic_rng r(static_cast<std::uint16_t>(k->id) * 7u + static_cast<std::uint16_t>(f->id));
            bytes seed(k->n_sk), pk_bytes(k->n_pk);
            REQUIRE(k->generate_key_pair(r, seed, pk_bytes));
            auto sk = private_key::from_bytes(*k, seed);  // ML-KEM-512 is not in the dispatcher
            REQUIRE(sk);
            auto pk = sk->public_key();
            REQUIRE(pk);
            auto m = seal(s, *pk, info, aad, pt, {}, r);
            REQUIRE(m);
            auto back = open(s, *sk, m->enc, info, aad, m->ct);
            REQUIRE(back);
            CHECK(equal_bytes(*back, pt));
            // info is bound in.
            CHECK(open(s, *sk, m->enc, to_bytes("other"), aad, m->ct).error() == errc::crypto_failure);
            auto mp = seal(s, *pk, info, aad, pt, {psk, psk_id, nullptr}, r);
            REQUIRE(mp);
            auto bp = open(s, *sk, mp->enc, info, aad, mp->ct, {psk, psk_id, nullptr});
            REQUIRE(bp);
            CHECK(equal_bytes(*bp, pt));
            CHECK(open(s, *sk, mp->enc, info, aad, mp->ct, {bytes(32, 0x22), psk_id, nullptr}).error() == errc::crypto_failure);
            CHECK(open(s, *sk, mp->enc, info, aad, mp->ct, {psk, to_bytes("di"), nullptr}).error() == errc::crypto_failure);
            // Export, both sides, and an export-only suite.
            const suite sx(*k, *f, export_only::ops);
            auto ex = send_export(sx, *pk, info, to_bytes("ctx"), 100, {}, r);
            REQUIRE(ex);
            auto rx = receive_export(sx, *sk, ex->first, info, to_bytes("ctx"), 100);
            REQUIRE(rx);
            CHECK(equal_bytes(ex->second, *rx));
            ++runs;
        }
    }
    CHECK(runs == 24);
}

TEST_CASE("one-stage KDF input limits (2-byte length prefixes)", "[hpke_pq][one_stage][negative]") {
    const suite s = make_suite(kem_x_wing::ops, kdf_id::turboshake128, aead_id::aes128gcm);
    CHECK(key_schedule_input::make(s, mode::base, bytes(65535, 1)));
    CHECK(key_schedule_input::make(s, mode::base, bytes(65536, 1)).error() == errc::misuse);
    CHECK(key_schedule_input::make(s, mode::psk, {}, bytes(32, 1), bytes(65536, 1)).error() == errc::misuse);
    CHECK(key_schedule_input::make(s, mode::psk, {}, bytes(65536, 1), bytes(1, 1)).error() == errc::misuse);
    auto sk = private_key::derive(kem_id::x_wing, bytes(32, 3));
    REQUIRE(sk);
    auto pk = sk->public_key();
    REQUIRE(pk);
    deterministic_rng r(5);
    auto snd = setup_base_s(s, *pk, {}, r);
    REQUIRE(snd);
    CHECK(snd->ctx.export_secret({}, 65535));
    CHECK(snd->ctx.export_secret({}, 65536).error() == errc::misuse);
    // exporter_context has no limit of its own.
    CHECK(snd->ctx.export_secret(bytes(70000, 2), 32));
}
