// RFC 9474 vectors: the four RSABSSA-SHA384 variants of test_vectors_rfc9474.json and of the
// derived copy of the draft's text (which uses the other published blind for
// PSSZERO-Deterministic: both are accepted, see tests/vectors/blindrsa/README.md), the
// RFC 8017 EMSA-PSS-ENCODE example (SHA-1, 1024-bit, for the injectable-salt encoder), and
// every Wycheproof RSASSA-PSS SHA-384 / MGF1-SHA-384 / sLen 48 case (2048 and 4096 bits)
// through verify().
#include <ppx/blindrsa.hpp>

#include <catch2/catch.hpp>

#include "support/vectors.hpp"

using namespace ppx;
using namespace ppx::blindrsa;
using ppx::test::unhex;

namespace {

/// The RFC vector files write integers with "0x" and sometimes odd length.
bytes num(const nlohmann::json& j) {
    std::string s = j.get<std::string>();
    if (s.rfind("0x", 0) == 0) s = s.substr(2);
    if (s.size() % 2) s = "0" + s;
    return unhex(s);
}

struct rsa_vector {
    const nlohmann::json& j;
    const char* prepared_key;

    void verify() const {
        auto v = variant_from_name(j["name"].get<std::string>());
        REQUIRE(v);
        auto sk = private_key::from_components(num(j["n"]), num(j["e"]), num(j["d"]), num(j["p"]), num(j["q"]));
        REQUIRE(sk);
        const auto& pk = sk->public_key();
        const std::size_t k = pk.modulus_size();
        CHECK(k == 512);
        // Prepare (§4.1) with the published prefix.
        auto prepared = prepare_with(*v, unhex(j["msg"]), unhex(j["msg_prefix"]));
        REQUIRE(prepared);
        CHECK(to_hex(*prepared) == j[prepared_key].get<std::string>());
        // EMSA-PSS-ENCODE with the published salt (when the file gives encoded_msg).
        if (j.contains("encoded_msg")) {
            bytes em(k);
            REQUIRE(emsa_pss_encode<crypto::sha384>(*prepared, pk.modulus_bits() - 1, unhex(j["salt"]), em));
            CHECK(to_hex(em) == j["encoded_msg"].get<std::string>());
        }
        // Blind (§4.2) with the published salt and inverse.
        bytes blinded(k);
        auto secret = blind_with(pk, *v, *prepared, unhex(j["salt"]), num(j["inv"]), blinded);
        REQUIRE(secret);
        CHECK(to_hex(blinded) == j["blinded_msg"].get<std::string>());
        CHECK(to_hex(secret->inv_bytes()) == to_hex(num(j["inv"])));
        // BlindSign (§4.3).
        bytes blind_sig(k);
        auto n = blind_sign(*sk, blinded, blind_sig);
        REQUIRE(n);
        CHECK(*n == k);
        CHECK(to_hex(blind_sig) == j["blind_sig"].get<std::string>());
        // BlindSign of the published blinded message gives the published blind signature.
        bytes blind_sig2(k);
        REQUIRE(blind_sign(*sk, unhex(j["blinded_msg"]), blind_sig2));
        CHECK(to_hex(blind_sig2) == j["blind_sig"].get<std::string>());
        // Finalize (§4.4) and Verify (§4.5).
        bytes sig(k);
        REQUIRE(finalize(pk, *v, *prepared, blind_sig, *secret, sig));
        CHECK(to_hex(sig) == j["sig"].get<std::string>());
        CHECK(blindrsa::verify(pk, *v, *prepared, unhex(j["sig"])));
        // The public key alone (n, e) verifies too.
        auto pk2 = public_key::from_components(num(j["n"]), num(j["e"]));
        REQUIRE(pk2);
        CHECK(blindrsa::verify(*pk2, *v, *prepared, unhex(j["sig"])));
    }
};

} // namespace

TEST_CASE("blindrsa: RFC 9474 vectors (cloudflare JSON, all four variants)", "[blindrsa][vectors]") {
    const auto all = ppx::test::load_json("blindrsa/test_vectors_rfc9474.json");
    std::size_t n = 0;
    for (const auto& j : all) {
        INFO(j["name"].get<std::string>());
        rsa_vector{j, "input_msg"}.verify();
        ++n;
    }
    CHECK(n == 4);
}

TEST_CASE("blindrsa: RFC 9474 vectors (draft text, derived file; other PSSZERO-Deterministic blind)",
          "[blindrsa][vectors]") {
    const auto all = ppx::test::load_json("blindrsa/rfc9474-md-text-vectors.derived.json");
    const auto json = ppx::test::load_json("blindrsa/test_vectors_rfc9474.json");
    std::size_t n = 0, differing_blinds = 0;
    for (std::size_t i = 0; i < all.size(); ++i) {
        INFO(all[i]["name"].get<std::string>());
        rsa_vector{all[i], "prepared_msg"}.verify();
        if (num(all[i]["inv"]) != num(json[i]["inv"])) {
            // Both blinds give the same (deterministic, zero-salt) signature.
            CHECK(all[i]["name"].get<std::string>() == "RSABSSA-SHA384-PSSZERO-Deterministic");
            CHECK(unhex(all[i]["sig"]) == unhex(json[i]["sig"]));
            ++differing_blinds;
        }
        ++n;
    }
    CHECK(n == 4);
    CHECK(differing_blinds == 1);
}

TEST_CASE("blindrsa: EMSA-PSS-ENCODE known answer (RFC 8017 example, injected salt)", "[blindrsa][vectors]") {
    const auto j = ppx::test::load_json("blindrsa/emsa_pss_vectors.json");
    bytes em(128);
    REQUIRE(emsa_pss_encode<sha1_for_tests>(unhex(j["msg"]), 1023, unhex(j["salt"]), em));
    CHECK(to_hex(em) == j["expected"].get<std::string>());
    CHECK(emsa_pss_verify<sha1_for_tests>(unhex(j["msg"]), em, 1023, 20));
    CHECK(emsa_pss_verify<sha1_for_tests>(unhex(j["msg"]), em, 1023, 19).error() == errc::crypto_failure);
}

TEST_CASE("blindrsa: Wycheproof RSASSA-PSS SHA-384 MGF1-SHA-384 sLen 48 through verify()", "[blindrsa][vectors]") {
    std::size_t valid = 0, invalid = 0;
    for (const char* file : {"wycheproof/rsa_pss_2048_sha384_mgf1_48_test.json",
                             "wycheproof/rsa_pss_4096_sha384_mgf1_48_test.json"}) {
        const auto j = ppx::test::load_json(file);
        for (const auto& g : j["testGroups"]) {
            REQUIRE(g["sha"] == "SHA-384");
            REQUIRE(g["mgfSha"] == "SHA-384");
            REQUIRE(g["sLen"] == 48);
            auto pk = public_key::from_components(unhex(g["publicKey"]["modulus"]), unhex(g["publicKey"]["publicExponent"]));
            REQUIRE(pk);
            // The DER SubjectPublicKeyInfo parses to the same key.
            auto pk_der = public_key::from_spki_der(unhex(g["publicKeyDer"]));
            REQUIRE(pk_der);
            CHECK(pk_der->modulus() == pk->modulus());
            for (const auto& t : g["tests"]) {
                INFO(file << " tcId " << t["tcId"].get<int>() << " " << t["comment"].get<std::string>());
                const auto r = verify(*pk, variant::sha384_pss_deterministic, unhex(t["msg"]), unhex(t["sig"]));
                const auto expected = t["result"].get<std::string>();
                if (expected == "valid") {
                    CHECK(r);
                    ++valid;
                } else {
                    REQUIRE(expected == "invalid");
                    CHECK(!r);
                    if (!r) CHECK(r.error() == errc::crypto_failure);
                    ++invalid;
                }
            }
        }
    }
    CHECK(valid > 0);
    CHECK(invalid > 0);
    CHECK(valid + invalid == 141 + 141);
}
