// Post-quantum HPKE KEMs (draft-ietf-hpke-pq): ML-KEM-512/768/1024 and X-Wing.
// Every vector of test-vectors-pq-boringssl.json whose KEM is one of these is checked at the
// KEM level (DeriveKeyPair, pk(sk), Encap with ikmE as the randomness, Decap); those whose
// KDF and AEAD ppx implements (HKDF-SHA2, AES-GCM, ChaCha20-Poly1305) are also run through
// the full HPKE setup, every encryption and every export. `info` and `pt` are used as the
// bytes their hex gives (the file double-encodes them; see tests/vectors/hpke/README.md).
#include <ppx/hpke.hpp>
#include <ppx/hpke/kem_pq.hpp>

#include <catch2/catch.hpp>

#include "support/vectors.hpp"

using namespace ppx;
using namespace ppx::hpke;
using ppx::test::unhex;

namespace {

const kem_ops* pq_kem(std::uint16_t id) {
    switch (id) {
    case 0x0040: return &kem_ml_kem_512::ops;
    case 0x0041: return &kem_ml_kem_768::ops;
    case 0x0042: return &kem_ml_kem_1024::ops;
    case 0x647a: return &kem_x_wing::ops;
    default: return nullptr;
    }
}

const kem_ops* const all_pq[] = {&kem_ml_kem_512::ops, &kem_ml_kem_768::ops, &kem_ml_kem_1024::ops, &kem_x_wing::ops};

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

TEST_CASE("draft-ietf-hpke-pq vectors (BoringSSL copy): every ML-KEM and X-Wing vector", "[hpke_pq][vectors]") {
    const auto all = ppx::test::load_json("hpke/test-vectors-pq-boringssl.json");
    std::size_t kem_checked = 0, full_checked = 0, encryptions = 0, exports = 0;
    for (const auto& j : all) {
        const auto kem = j["kem_id"].get<std::uint16_t>();
        const kem_ops* ops = pq_kem(kem);
        if (ops == nullptr) continue;  // hybrids with P-256/P-384 (0x0050, 0x0051) and classical KEMs: not ours
        const auto kdf = j["kdf_id"].get<std::uint16_t>();
        const auto aead = j["aead_id"].get<std::uint16_t>();
        INFO("kem " << kem << " kdf " << kdf << " aead " << aead);
        REQUIRE(j["mode"] == 0);

        // DeriveKeyPair and pk(sk).
        bytes sk(ops->n_sk), pk(ops->n_pk);
        REQUIRE(ops->derive_key_pair(unhex(j["ikmR"]), sk, pk));
        CHECK(to_hex(sk) == j["skRm"].get<std::string>());
        CHECK(to_hex(pk) == j["pkRm"].get<std::string>());
        bytes pk2(ops->n_pk);
        REQUIRE(ops->public_from_private(unhex(j["skRm"]), pk2));
        CHECK(to_hex(pk2) == j["pkRm"].get<std::string>());
        REQUIRE(ops->check_public_key(pk));

        // Encap with ikmE as the randomness, Decap with skRm.
        fixed_rng eph(unhex(j["ikmE"]));
        bytes ss(ops->n_secret), enc(ops->n_enc), ss2(ops->n_secret);
        REQUIRE(ops->encap(pk, eph, ss, enc));
        CHECK(eph.remaining() == 0);
        CHECK(to_hex(enc) == j["enc"].get<std::string>());
        CHECK(to_hex(ss) == j["shared_secret"].get<std::string>());
        REQUIRE(ops->decap(unhex(j["enc"]), sk, pk, ss2));
        CHECK(to_hex(ss2) == j["shared_secret"].get<std::string>());
        ++kem_checked;

        // The full HPKE flow where the KDF is one ppx implements (HKDF-SHA2, ids 1-3); the
        // one-stage SHAKE/TurboSHAKE KDFs (0x0010-0x0013) are not implemented.
        if (kdf < 1 || kdf > 3) continue;
        const suite s = make_suite(*ops, static_cast<kdf_id>(kdf), static_cast<aead_id>(aead));
        CHECK(to_hex(s.id()) == j["suite_id"].get<std::string>());
        auto pk_r = public_key::from_bytes(*ops, pk);
        auto sk_r = private_key::from_bytes(*ops, sk);
        REQUIRE(pk_r);
        REQUIRE(sk_r);
        const bytes info = unhex(j["info"]);
        fixed_rng eph2(unhex(j["ikmE"]));
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
        ++full_checked;
    }
    // 6 vectors use these KEMs (ML-KEM-512, -768, -1024 twice, X-Wing twice); 4 of them use
    // HKDF-SHA2, each with 10 encryptions and 5 exports.
    CHECK(kem_checked == 6);
    CHECK(full_checked == 4);
    CHECK(encryptions == 40);
    CHECK(exports == 20);
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
        const std::size_t ml_ct = k->id == kem_id::x_wing ? kem_x_wing::n_ct_m : k->n_enc;
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
}
