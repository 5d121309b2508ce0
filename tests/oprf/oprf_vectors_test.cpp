// RFC 9497 appendix A: every vector of allVectors.json for ristretto255-SHA512, P256-SHA256,
// P384-SHA384 and P521-SHA512 in the OPRF, VOPRF and POPRF modes (4 suites x (2 + 3 + 3) =
// 32 vectors, including the batch-of-2 proofs). Each checks DeriveKeyPair (skSm, pkSm),
// Blind (BlindedElement), BlindEvaluate (EvaluationElement and, with the published proof
// randomness r, the exact Proof), Finalize (Output, after proof verification) and Evaluate.
// decaf448-SHAKE256 must be reported unsupported.
#include <ppx/oprf.hpp>

#include <catch2/catch.hpp>

#include "support/vectors.hpp"

#include <sstream>

using namespace ppx;
using namespace ppx::oprf;
using ppx::test::unhex;

namespace {

std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ',')) out.push_back(item);
    return out;
}

bytes join(const std::vector<std::string>& v) {
    bytes out;
    for (const auto& x : v) append(out, unhex(x));
    return out;
}

template <suite S>
std::size_t run_suite(const nlohmann::json& js) {
    const auto m = static_cast<mode>(js["mode"].get<int>());
    auto sk = derive_key_pair<S>(m, unhex(js["seed"]), unhex(js["keyInfo"]));
    REQUIRE(sk);
    std::array<std::uint8_t, Ns<S>> skb;
    sk->serialize(skb);
    CHECK(to_hex(skb) == js["skSm"].get<std::string>());
    // DeserializeScalar(skSm) gives the same key.
    auto sk2 = private_key<S>::deserialize(unhex(js["skSm"]));
    REQUIRE(sk2);
    CHECK(to_hex(sk2->public_key().bytes()) == to_hex(sk->public_key().bytes()));
    const auto pk = sk->public_key();
    if (m != mode::oprf) {
        CHECK(to_hex(pk.bytes()) == js["pkSm"].get<std::string>());
        REQUIRE(public_key<S>::deserialize(unhex(js["pkSm"])));
    }

    std::size_t count = 0;
    for (const auto& v : js["vectors"]) {
        const auto inputs_hex = split(v["Input"].get<std::string>());
        const auto blinds_hex = split(v["Blind"].get<std::string>());
        const auto blinded_hex = split(v["BlindedElement"].get<std::string>());
        const auto eval_hex = split(v["EvaluationElement"].get<std::string>());
        const auto outputs_hex = split(v["Output"].get<std::string>());
        const std::size_t n = v["Batch"].get<std::size_t>();
        REQUIRE(inputs_hex.size() == n);
        const bytes info = v.contains("Info") ? unhex(v["Info"]) : bytes{};

        std::vector<bytes> inputs;
        std::vector<bytes_view> input_views;
        for (const auto& h : inputs_hex) inputs.push_back(unhex(h));
        for (const auto& i : inputs) input_views.push_back(i);

        // Blind: the published blinds reproduce the blinded elements.
        std::vector<blinded<S>> bl;
        for (std::size_t i = 0; i < n; ++i) {
            auto b = blind_with<S>(m, inputs[i], unhex(blinds_hex[i]));
            REQUIRE(b);
            CHECK(to_hex(b->encoded) == blinded_hex[i]);
            bl.push_back(std::move(*b));
        }
        const bytes blinded_all = join(blinded_hex);
        bytes outputs(n * Nh<S>);

        if (m == mode::oprf) {
            for (std::size_t i = 0; i < n; ++i) {
                std::array<std::uint8_t, Ne<S>> ev;
                REQUIRE(blind_evaluate<S>(*sk, bl[i].encoded, ev));
                CHECK(to_hex(ev) == eval_hex[i]);
                std::array<std::uint8_t, Nh<S>> out;
                REQUIRE(finalize<S>(inputs[i], bl[i], ev, out));
                CHECK(to_hex(out) == outputs_hex[i]);
            }
        } else {
            const auto r = unhex(v["Proof"]["r"]);
            bytes evaluated(n * Ne<S>);
            std::array<std::uint8_t, proof_size<S>> proof;
            if (m == mode::voprf) {
                REQUIRE(voprf_blind_evaluate_with<S>(*sk, blinded_all, evaluated, proof, r));
            } else {
                REQUIRE(poprf_blind_evaluate_with<S>(*sk, info, blinded_all, evaluated, proof, r));
            }
            CHECK(to_hex(evaluated) == to_hex(join(eval_hex)));
            CHECK(to_hex(proof) == v["Proof"]["proof"].get<std::string>());
            // Finalize verifies the published proof over the published elements.
            const auto pub_eval = join(eval_hex);
            const auto pub_proof = unhex(v["Proof"]["proof"]);
            if (m == mode::voprf) {
                REQUIRE(verify_finalize<S>(pk, input_views, bl, pub_eval, pub_proof, outputs));
            } else {
                auto tweaked = poprf_tweaked_key<S>(pk, info);
                REQUIRE(tweaked);
                REQUIRE(poprf_finalize<S>(*tweaked, input_views, bl, pub_eval, pub_proof, info, outputs));
            }
            CHECK(to_hex(outputs) == to_hex(join(outputs_hex)));
        }
        // Evaluate (server-side, unblinded) gives the same outputs.
        for (std::size_t i = 0; i < n; ++i) {
            std::array<std::uint8_t, Nh<S>> out;
            REQUIRE(evaluate<S>(m, *sk, inputs[i], info, out));
            CHECK(to_hex(out) == outputs_hex[i]);
        }
        ++count;
    }
    return count;
}

} // namespace

TEST_CASE("oprf: every RFC 9497 vector of the four supported suites", "[oprf][vectors]") {
    const auto all = ppx::test::load_json("oprf/allVectors.json");
    std::size_t vectors = 0, suites = 0, unsupported = 0;
    for (const auto& js : all) {
        const auto id = js["identifier"].get<std::string>();
        auto sid = suite_from_identifier(id);
        if (!sid) {
            CHECK(sid.error() == errc::unsupported);
            CHECK(id == "decaf448-SHAKE256");
            ++unsupported;
            continue;
        }
        INFO(id << " mode " << js["mode"].get<int>());
        auto n = with_suite(*sid, [&](auto s) -> result<std::size_t> { return run_suite<decltype(s)>(js); });
        REQUIRE(n);
        vectors += *n;
        ++suites;
    }
    CHECK(suites == 12);
    CHECK(vectors == 32);
    CHECK(unsupported == 3);
}

TEST_CASE("oprf: suite identifiers", "[oprf]") {
    CHECK(*suite_from_identifier("P384-SHA384") == suite_id::p384_sha384);
    CHECK(*suite_from_identifier("ristretto255-SHA512") == suite_id::ristretto255_sha512);
    CHECK(suite_from_identifier("decaf448-SHAKE256").error() == errc::unsupported);
    CHECK(suite_from_identifier("P384-SHA512").error() == errc::malformed);
    CHECK(suite_from_identifier("").error() == errc::malformed);
    auto r = with_suite(suite_id::decaf448_shake256, [](auto) -> result<int> { return 1; });
    CHECK(r.error() == errc::unsupported);
}
