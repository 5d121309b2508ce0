// RFC 9578 §5 (type 0x0001), batched-tokens-07 (type 0x0005, amortized batches): every vector,
// then negative tests.
#include <ppx/privacypass/voprf_tokens.hpp>

#include <catch2/catch.hpp>

#include "support/vectors.hpp"

using namespace ppx;
using namespace ppx::privacypass;
using ppx::test::unhex;

namespace {

template <class T>
voprf_issuer<T> issuer_from(const nlohmann::json& v) {
    auto sk = oprf::private_key<typename T::suite>::deserialize(unhex(v["skS"]));
    REQUIRE(sk);
    voprf_issuer<T> is;
    REQUIRE(is.add_key(std::move(*sk)));
    CHECK(to_hex(is.keys()[0].token_key) == v["pkS"].get<std::string>());
    return is;
}

template <class T>
int check_single_vectors(const char* file) {
    int n = 0;
    for (const auto& v : ppx::test::load_json(file)) {
        INFO(file << " #" << n);
        auto issuer = issuer_from<T>(v);
        auto client = voprf_client<T>::create(unhex(v["pkS"]));
        REQUIRE(client);
        const auto challenge = unhex(v["token_challenge"]);
        const auto nonce = unhex(v["nonce"]);
        std::array<std::uint8_t, T::request_size> req;
        auto p = client->request_with(challenge, std::span<const std::uint8_t, 32>(nonce.data(), 32), unhex(v["blind"]), req);
        REQUIRE(p);
        CHECK(to_hex(req) == v["token_request"].get<std::string>());
        // The issuer's proof randomness is not in the vectors: check the evaluated element and
        // that our proof verifies (the client finalizes it to the same token).
        std::array<std::uint8_t, T::response_size> resp;
        ppx::deterministic_rng rng(7);
        REQUIRE(issuer.evaluate(req, rng, resp));
        const auto vresp = unhex(v["token_response"]);
        CHECK(to_hex(bytes_view(resp).first(T::ne)) == to_hex(bytes_view(vresp).first(T::ne)));
        auto tok = client->finalize(*p, vresp);
        REQUIRE(tok);
        CHECK(to_hex(*tok->encode()) == v["token"].get<std::string>());
        auto tok2 = client->finalize(*p, resp);
        REQUIRE(tok2);
        CHECK(*tok2->encode() == *tok->encode());
        CHECK(issuer.verify(*tok));
        auto decoded = token::decode(unhex(v["token"]));
        REQUIRE(decoded);
        CHECK(issuer.verify(*decoded));
        ++n;
    }
    return n;
}

template <class T>
int check_amortized_vectors(const char* file) {
    int n = 0;
    for (const auto& v : ppx::test::load_json(file)) {
        INFO(file << " #" << n);
        auto issuer = issuer_from<T>(v);
        auto client = voprf_client<T>::create(unhex(v["pkS"]));
        REQUIRE(client);
        std::vector<bytes> nonces, blinds;
        for (const auto& x : v["nonces"]) nonces.push_back(unhex(x));
        for (const auto& x : v["blinds"]) blinds.push_back(unhex(x));
        bytes req;
        auto pb = client->request_batch_with(unhex(v["token_challenge"]), nonces, blinds, req);
        REQUIRE(pb);
        CHECK(to_hex(req) == v["token_request"].get<std::string>());
        const auto vresp = unhex(v["token_response"]);
        auto tokens = client->finalize_batch(*pb, vresp);
        REQUIRE(tokens);
        REQUIRE(tokens->size() == v["tokens"].size());
        for (std::size_t i = 0; i < tokens->size(); ++i) {
            CHECK(to_hex(*(*tokens)[i].encode()) == v["tokens"][i].get<std::string>());
            CHECK(issuer.verify((*tokens)[i]));
        }
        bytes resp(T::batch_response_size(nonces.size()));
        ppx::deterministic_rng rng(9);
        auto len = issuer.evaluate_batch(req, rng, resp);
        REQUIRE(len);
        CHECK(*len == vresp.size());
        const std::size_t hdr = privacypass::detail::v_vector_size(nonces.size() * T::ne) - nonces.size() * T::ne;
        CHECK(to_hex(bytes_view(resp).first(hdr + nonces.size() * T::ne)) == to_hex(bytes_view(vresp).first(hdr + nonces.size() * T::ne)));
        auto again = client->finalize_batch(*pb, resp);
        REQUIRE(again);
        ++n;
    }
    return n;
}

} // namespace

TEST_CASE("RFC 9578 A.1 type 0x0001 VOPRF(P-384) vectors", "[privacypass][rfc9578][type1][vectors]") {
    CHECK(check_single_vectors<token_type_1>("privacypass/rfc9578/priv_verif_rfc9578.go.json") == 5);
}

TEST_CASE("pat-go regenerated type 0x0001 vectors", "[privacypass][type1][vectors]") {
    CHECK(check_single_vectors<token_type_1>("privacypass/extra/pat-go-type1-issuance-test-vectors.json") == 5);
}

TEST_CASE("batched-tokens-07 type 0x0005 VOPRF(ristretto255) vectors", "[privacypass][batched][type5][vectors]") {
    CHECK(check_single_vectors<token_type_5>("privacypass/batched-draft07/type5-issuance-test-vectors.json") == 5);
}

TEST_CASE("batched-tokens-07 amortized batch vectors (P-384 and ristretto255)", "[privacypass][batched][vectors]") {
    CHECK(check_amortized_vectors<token_type_1>("privacypass/batched-draft07/amortized-type1-issuance-test-vectors.json") == 5);
    CHECK(check_amortized_vectors<token_type_5>("privacypass/batched-draft07/amortized-type5-issuance-test-vectors.json") == 5);
}

TEMPLATE_TEST_CASE("VOPRF tokens: round trip, rotation and bad input", "[privacypass][voprf][negative]", token_type_1, token_type_5) {
    using T = TestType;
    using S = typename T::suite;
    ppx::deterministic_rng rng(1);
    voprf_issuer<T> issuer;
    auto sk = oprf::private_key<S>::generate(rng);
    REQUIRE(sk);
    REQUIRE(issuer.add_key(std::move(*sk)));
    // A second key for rotation; regenerate until its truncated id differs, and check that a
    // colliding one is refused.
    int collisions = 0;
    while (issuer.keys().size() < 2) {
        auto k2 = oprf::private_key<S>::generate(rng);
        REQUIRE(k2);
        auto r = issuer.add_key(std::move(*k2));
        if (!r) {
            CHECK(r.error() == errc::misuse);
            ++collisions;
        }
    }
    {
        auto dup = issuer.keys()[0].sk.clone();
        CHECK(issuer.add_key(std::move(dup)).error() == errc::misuse);
    }
    token_challenge c{T::type, "issuer.example", bytes(32, 3), "origin.example"};
    const auto ch = *c.encode();
    for (const auto& key : issuer.keys()) {
        auto client = voprf_client<T>::create(key.token_key);
        REQUIRE(client);
        std::array<std::uint8_t, T::request_size> req;
        auto p = client->request(ch, rng, req);
        REQUIRE(p);
        std::array<std::uint8_t, T::response_size> resp;
        REQUIRE(issuer.evaluate(req, rng, resp));
        auto tok = client->finalize(*p, resp);
        REQUIRE(tok);
        CHECK(issuer.verify(*tok));
        CHECK(check_binding(*tok, ch, "origin.example"));

        // Every single-byte flip of the response is refused.
        for (std::size_t i = 0; i < resp.size(); ++i) {
            auto bad = resp;
            bad[i] ^= 0x01;
            auto r = client->finalize(*p, bad);
            REQUIRE(!r);
            CHECK((r.error() == errc::crypto_failure || r.error() == errc::malformed));
        }
        // Non-canonical proof scalars (c or s >= the group order) are malformed, never accepted.
        for (std::size_t which = 0; which < 2; ++which) {
            auto bad = resp;
            std::fill(bad.begin() + static_cast<std::ptrdiff_t>(T::ne + which * T::ns),
                      bad.begin() + static_cast<std::ptrdiff_t>(T::ne + (which + 1) * T::ns), 0xff);
            CHECK(client->finalize(*p, bad).error() == errc::malformed);
        }
        // The identity as evaluated element is malformed.
        {
            auto bad = resp;
            std::fill(bad.begin(), bad.begin() + static_cast<std::ptrdiff_t>(T::ne), 0);
            CHECK(client->finalize(*p, bad).error() == errc::malformed);
        }
        // Truncated responses and requests.
        for (std::size_t n = 0; n < resp.size(); ++n) CHECK(client->finalize(*p, bytes_view(resp).first(n)).error() == errc::malformed);
        for (std::size_t n = 0; n < req.size(); ++n) CHECK(!issuer.evaluate(bytes_view(req).first(n), rng, resp));
        bytes longer(req.begin(), req.end());
        longer.push_back(0);
        CHECK(issuer.evaluate(longer, rng, resp).error() == errc::malformed);
        // Wrong type, unknown truncated key id, invalid blinded element.
        auto bad = req;
        bad[1] ^= 0x07;
        CHECK(issuer.evaluate(bad, rng, resp).error() == errc::unsupported);
        bad = req;
        bad[2] = static_cast<std::uint8_t>(issuer.keys()[0].token_key_id[31] ^ issuer.keys()[1].token_key_id[31] ^ bad[2] ^ 0xff);
        if (bad[2] != issuer.keys()[0].token_key_id[31] && bad[2] != issuer.keys()[1].token_key_id[31])
            CHECK(issuer.evaluate(bad, rng, resp).error() == errc::key_mismatch);
        bad = req;
        std::fill(bad.begin() + 3, bad.end(), 0);  // identity / invalid encoding
        CHECK(issuer.evaluate(bad, rng, resp).error() == errc::malformed);
        bad = req;
        std::fill(bad.begin() + 3, bad.end(), 0xff);  // off-curve / non-canonical
        CHECK(issuer.evaluate(bad, rng, resp).error() == errc::malformed);

        // Tampered tokens.
        for (std::size_t i = 0; i < tok->encoded_size(); i += 7) {
            auto enc = *tok->encode();
            enc[i] ^= 0x40;
            auto t2 = token::decode(enc);
            if (!t2) continue;
            auto r = issuer.verify(*t2);
            REQUIRE(!r);
        }
    }
    // Removing a key makes its tokens and requests unknown.
    auto id = issuer.keys()[0].token_key_id;
    auto client = *voprf_client<T>::create(issuer.keys()[0].token_key);
    std::array<std::uint8_t, T::request_size> req;
    auto p = client.request(ch, rng, req);
    REQUIRE(p);
    std::array<std::uint8_t, T::response_size> resp;
    REQUIRE(issuer.evaluate(req, rng, resp));
    auto tok = client.finalize(*p, resp);
    REQUIRE(tok);
    CHECK(issuer.remove_key(id));
    CHECK(!issuer.remove_key(id));
    CHECK(issuer.verify(*tok).error() == errc::key_mismatch);
    CHECK(issuer.evaluate(req, rng, resp).error() == errc::key_mismatch);
    // A challenge of another type is refused by the client.
    token_challenge other = c;
    other.token_type = T::type == 1 ? 5 : 1;
    CHECK(client.request(*other.encode(), rng, req).error() == errc::unsupported);
    CHECK(voprf_client<T>::create(bytes(T::ne, 0)).error() == errc::malformed);
    CHECK(voprf_client<T>::create(bytes(T::ne - 1, 2)).error() == errc::malformed);
}

TEMPLATE_TEST_CASE("amortized batches: sizes, limits, tampering", "[privacypass][batched][negative]", token_type_1, token_type_5) {
    using T = TestType;
    using S = typename T::suite;
    ppx::deterministic_rng rng(2);
    voprf_issuer<T> issuer;
    REQUIRE(issuer.add_key(*oprf::private_key<S>::generate(rng)));
    auto client = *voprf_client<T>::create(issuer.keys()[0].token_key);
    const auto ch = *token_challenge{T::type, "issuer.example", {}, ""}.encode();
    bytes req;
    auto pb = client.request_batch(ch, 10, rng, req);
    REQUIRE(pb);
    CHECK(req.size() == T::batch_request_size(10));
    bytes resp(T::batch_response_size(10));
    ppx::test::guarded_buffer small(resp.size() - 1);
    CHECK(issuer.evaluate_batch(req, rng, small.span()).error() == errc::buffer_too_small);
    CHECK(small.guard_intact());
    CHECK(issuer.evaluate_batch(req, rng, resp, 9).error() == errc::limit_exceeded);
    REQUIRE(issuer.evaluate_batch(req, rng, resp));
    auto toks = client.finalize_batch(*pb, resp);
    REQUIRE(toks);
    CHECK(toks->size() == 10);
    for (auto& t : *toks) CHECK(issuer.verify(t));
    // Tampering with any byte of an evaluated element or the proof fails the whole batch.
    for (std::size_t i = 1; i < resp.size(); i += 5) {
        auto bad = resp;
        bad[i] ^= 0x02;
        CHECK(!client.finalize_batch(*pb, bad));
    }
    for (std::size_t n = 0; n < resp.size(); n += 3) CHECK(!client.finalize_batch(*pb, bytes_view(resp).first(n)));
    for (std::size_t n = 0; n < req.size(); n += 3) CHECK(!issuer.evaluate_batch(bytes_view(req).first(n), rng, resp));
    // A non-minimal length prefix is malformed (-07 §3.2).
    bytes nonmin = {req[0], req[1], req[2], 0x80, 0x00};
    const std::size_t len = 10 * T::ne;
    nonmin.push_back(static_cast<std::uint8_t>(len >> 8));
    nonmin.push_back(static_cast<std::uint8_t>(len));
    nonmin.insert(nonmin.end(), req.end() - static_cast<std::ptrdiff_t>(len), req.end());
    CHECK(issuer.evaluate_batch(nonmin, rng, resp).error() == errc::malformed);
    // An empty batch or a partial element is malformed.
    CHECK(issuer.evaluate_batch(bytes{req[0], req[1], req[2], 0x00}, rng, resp).error() == errc::malformed);
    bytes partial = {req[0], req[1], req[2], 0x01, 0x00};
    CHECK(issuer.evaluate_batch(partial, rng, resp).error() == errc::malformed);
    CHECK(client.request_batch(ch, 0, rng, req).error() == errc::misuse);
}
