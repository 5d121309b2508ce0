// Wycheproof (C2SP/wycheproof testvectors_v1) for every primitive HPKE builds on: X25519,
// X448, ECDH P-256/384/521, AES-GCM, ChaCha20-Poly1305, HKDF and HMAC over SHA-256/384/512.
// Every test of every file runs: `valid` must match exactly, `invalid` must be rejected,
// `acceptable` may go either way but, when accepted, must match. Cases whose parameters ppx
// does not offer (AES-192, IVs other than 96 bits, truncated tags) must be refused by the API.
#include <ppx/crypto/aead.hpp>
#include <ppx/crypto/hmac.hpp>
#include <ppx/hpke/dhkem.hpp>

#include <catch2/catch.hpp>

#include <openssl/x509.h>

#include "support/vectors.hpp"

using namespace ppx;
using ppx::test::unhex;
using nlohmann::json;

namespace {

struct tally {
    std::size_t valid = 0, invalid = 0, acceptable = 0;
    void add(const std::string& r) { (r == "valid" ? valid : r == "invalid" ? invalid : acceptable)++; }
    std::size_t total() const { return valid + invalid + acceptable; }
};

template <class F>
tally for_each_test(const std::string& file, F&& f) {
    static std::map<std::string, json> cache;  // Catch2 re-enters test cases for sections
    auto it = cache.find(file);
    if (it == cache.end()) it = cache.emplace(file, ppx::test::load_json("wycheproof/" + file)).first;
    const json& doc = it->second;
    tally t;
    for (const auto& g : doc["testGroups"])
        for (const auto& c : g["tests"]) {
            INFO(file << " tcId " << c["tcId"] << " " << c["comment"].get<std::string>());
            f(g, c);
            t.add(c["result"].get<std::string>());
        }
    CHECK(t.total() == doc["numberOfTests"].get<std::size_t>());
    return t;
}

// Checks one DH outcome against the Wycheproof verdict.
void check_dh(const json& c, bool ok_, const bytes& shared) {
    const std::string r = c["result"];
    if (r == "valid") {
        CHECK(ok_);
        if (ok_) CHECK(to_hex(shared) == c["shared"].get<std::string>());
    } else if (r == "invalid") {
        CHECK_FALSE(ok_);
    } else if (ok_) {
        CHECK(to_hex(shared) == c["shared"].get<std::string>());
    }
}

template <class Group>
void xdh_file(const std::string& file) {
    auto t = for_each_test(file, [](const json&, const json& c) {
        bytes pk = unhex(c["public"]), sk = unhex(c["private"]), out(Group::n_dh);
        bool ok_ = pk.size() == Group::n_pk && sk.size() == Group::n_sk && Group::check_public(pk) && Group::dh(sk, pk, out);
        check_dh(c, ok_, out);
    });
    CHECK(t.valid > 0);
}

// Extracts the public point of a DER SubjectPublicKeyInfo whose algorithm is id-ecPublicKey
// with the named curve `nid` (explicit curve parameters are refused, as HPKE's raw keys
// have none); empty otherwise. HPKE itself takes the raw point; this is the harness.
bytes spki_point(const bytes& der, int nid) {
    const unsigned char* p = der.data();
    detail::clear_errors_on_exit clear;
    std::unique_ptr<X509_PUBKEY, detail::free_fn<X509_PUBKEY_free>> spki(d2i_X509_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
    if (!spki || p != der.data() + der.size()) return {};
    ASN1_OBJECT* alg = nullptr;
    const unsigned char* point = nullptr;
    int point_len = 0;
    X509_ALGOR* pa = nullptr;
    if (X509_PUBKEY_get0_param(&alg, &point, &point_len, &pa, spki.get()) != 1 || OBJ_obj2nid(alg) != NID_X9_62_id_ecPublicKey)
        return {};
    int ptype = 0;
    const void* pval = nullptr;
    X509_ALGOR_get0(nullptr, &ptype, &pval, pa);
    if (ptype != V_ASN1_OBJECT || OBJ_obj2nid(static_cast<const ASN1_OBJECT*>(pval)) != nid) return {};
    return bytes(point, point + point_len);
}

template <class Group>
void ecdh_file(const std::string& file, int curve) {
    auto t = for_each_test(file, [curve](const json&, const json& c) {
        bytes pk = spki_point(unhex(c["public"]), curve);
        bytes sk = unhex(c["private"]);
        // Wycheproof private keys are minimal big-endian integers (sometimes with a sign byte).
        while (sk.size() > Group::n_sk && sk[0] == 0) sk.erase(sk.begin());
        if (sk.size() < Group::n_sk) sk.insert(sk.begin(), Group::n_sk - sk.size(), 0);
        bytes out(Group::n_dh);
        bool ok_ = !pk.empty() && Group::check_public(pk) && Group::dh(sk, pk, out);
        check_dh(c, ok_, out);
    });
    CHECK(t.valid > 0);
}

template <class A>
result<std::size_t> aead_seal(const bytes& k, const bytes& iv, const bytes& aad, const bytes& m, bytes& out) {
    return A::seal(k, iv, aad, m, out);
}

void aead_file(const std::string& file, bool gcm) {
    auto t = for_each_test(file, [gcm](const json& g, const json& c) {
        const bytes key = unhex(c["key"]), iv = unhex(c["iv"]), aad = unhex(c["aad"]), msg = unhex(c["msg"]);
        const bytes ct_tag = concat(unhex(c["ct"]), unhex(c["tag"]));
        const std::string r = c["result"];
        const bool supported = (gcm ? (key.size() == 16 || key.size() == 32) : key.size() == 32) && iv.size() == 12 &&
                               g["tagSize"].get<int>() == 128;
        auto seal = [&](bytes& out) -> result<std::size_t> {
            if (!gcm) return crypto::chacha20poly1305::seal(key, iv, aad, msg, out);
            return key.size() == 16 ? crypto::aes128gcm::seal(key, iv, aad, msg, out) : crypto::aes256gcm::seal(key, iv, aad, msg, out);
        };
        auto open = [&](bytes& out) -> result<std::size_t> {
            if (!gcm) return crypto::chacha20poly1305::open(key, iv, aad, ct_tag, out);
            return key.size() == 16 ? crypto::aes128gcm::open(key, iv, aad, ct_tag, out) : crypto::aes256gcm::open(key, iv, aad, ct_tag, out);
        };
        bytes out(msg.size() + 16 + ct_tag.size());
        if (!supported) {
            // Not an HPKE parameter set: the API must refuse rather than compute something.
            if (gcm && key.size() != 16 && key.size() != 32) return;  // no AES-192 entry point exists at all
            CHECK(!open(out));
            return;
        }
        auto o = open(out);
        if (r == "valid") {
            REQUIRE(o);
            CHECK(to_hex(bytes_view(out).first(*o)) == c["msg"].get<std::string>());
            auto s = seal(out);
            REQUIRE(s);
            CHECK(to_hex(bytes_view(out).first(*s)) == to_hex(ct_tag));
            // The same seal through a sealer keyed once, twice (the key stays loaded).
            auto sealer = crypto::aead_sealer::make(gcm ? (key.size() == 16 ? 1 : 2) : 3, key);
            REQUIRE(sealer);
            for (int i = 0; i < 2; ++i) {
                std::fill(out.begin(), out.end(), std::uint8_t{0});
                auto s2 = sealer->seal(iv, aad, msg, out);
                REQUIRE(s2);
                CHECK(to_hex(bytes_view(out).first(*s2)) == to_hex(ct_tag));
            }
            auto moved = std::move(*sealer);
            CHECK(sealer->seal(iv, aad, msg, out).error() == errc::misuse);
            CHECK(moved.seal(iv, aad, msg, out));
        } else {
            CHECK(!o);
            if (!o) CHECK(o.error() == errc::crypto_failure);
        }
    });
    CHECK(t.valid > 0);
    CHECK(t.invalid > 0);
}

template <class H>
void hkdf_file(const std::string& file) {
    auto t = for_each_test(file, [](const json&, const json& c) {
        const bytes ikm = unhex(c["ikm"]), salt = unhex(c["salt"]), info = unhex(c["info"]);
        const std::size_t size = c["size"].get<std::size_t>();
        std::uint8_t prk[H::digest_size];
        crypto::hkdf<H>::extract(salt, {ikm}, prk);
        bytes okm(size);
        auto r = crypto::hkdf<H>::expand(bytes_view(prk, sizeof prk), {info}, okm);
        if (c["result"] == "valid") {
            REQUIRE(r);
            CHECK(to_hex(okm) == c["okm"].get<std::string>());
        } else {
            CHECK(!r);
        }
    });
    CHECK(t.invalid > 0);
}

template <class H>
void hmac_file(const std::string& file) {
    for_each_test(file, [](const json& g, const json& c) {
        const bytes key = unhex(c["key"]), msg = unhex(c["msg"]), tag = unhex(c["tag"]);
        const std::size_t tag_bytes = g["tagSize"].get<std::size_t>() / 8;
        auto mac = crypto::hmac_key<H>(key).mac({msg});
        const bool match = tag.size() == tag_bytes && ct_equal(bytes_view(mac).first(tag_bytes), tag);
        CHECK(match == (c["result"] == "valid"));
    });
}

} // namespace

TEST_CASE("Wycheproof X25519", "[wycheproof][x25519]") { xdh_file<hpke::x25519_group>("x25519_test.json"); }
TEST_CASE("Wycheproof X448", "[wycheproof][x448]") { xdh_file<hpke::x448_group>("x448_test.json"); }
TEST_CASE("Wycheproof ECDH P-256", "[wycheproof][ecdh]") { ecdh_file<hpke::p256_group>("ecdh_secp256r1_test.json", NID_X9_62_prime256v1); }
TEST_CASE("Wycheproof ECDH P-384", "[wycheproof][ecdh]") { ecdh_file<hpke::p384_group>("ecdh_secp384r1_test.json", NID_secp384r1); }
TEST_CASE("Wycheproof ECDH P-521", "[wycheproof][ecdh]") { ecdh_file<hpke::p521_group>("ecdh_secp521r1_test.json", NID_secp521r1); }
TEST_CASE("Wycheproof AES-GCM", "[wycheproof][aead]") { aead_file("aes_gcm_test.json", true); }
TEST_CASE("Wycheproof ChaCha20-Poly1305", "[wycheproof][aead]") { aead_file("chacha20_poly1305_test.json", false); }
TEST_CASE("Wycheproof HKDF-SHA256", "[wycheproof][hkdf]") { hkdf_file<crypto::sha256>("hkdf_sha256_test.json"); }
TEST_CASE("Wycheproof HKDF-SHA384", "[wycheproof][hkdf]") { hkdf_file<crypto::sha384>("hkdf_sha384_test.json"); }
TEST_CASE("Wycheproof HKDF-SHA512", "[wycheproof][hkdf]") { hkdf_file<crypto::sha512>("hkdf_sha512_test.json"); }
TEST_CASE("Wycheproof HMAC-SHA256", "[wycheproof][hmac]") { hmac_file<crypto::sha256>("hmac_sha256_test.json"); }
TEST_CASE("Wycheproof HMAC-SHA384", "[wycheproof][hmac]") { hmac_file<crypto::sha384>("hmac_sha384_test.json"); }
TEST_CASE("Wycheproof HMAC-SHA512", "[wycheproof][hmac]") { hmac_file<crypto::sha512>("hmac_sha512_test.json"); }
