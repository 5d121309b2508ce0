// RFC 9577: TokenChallenge, Token, AuthenticatorInput, and the PrivateToken HTTP headers.
#include <ppx/privacypass/auth_header.hpp>
#include <ppx/privacypass/token.hpp>

#include <catch2/catch.hpp>

#include "support/vectors.hpp"

using namespace ppx;
using namespace ppx::privacypass;
using ppx::test::unhex;

namespace {

token_challenge challenge_from_vector(const nlohmann::json& v) {
    token_challenge c;
    c.token_type = static_cast<std::uint16_t>(std::stoul(v["token_type"].get<std::string>(), nullptr, 16));
    auto issuer = unhex(v["issuer_name"]);
    c.issuer_name.assign(as_chars(issuer));
    c.redemption_context = unhex(v["redemption_context"]);
    auto origins = unhex(v["origin_info"]);
    c.origin_info.assign(as_chars(origins));
    return c;
}

// Checks one file of RFC 9577 A.1 vectors; returns how many passed.
int check_structure_vectors(const char* file) {
    int n = 0;
    for (const auto& v : ppx::test::load_json(file)) {
        INFO(file << " " << v["comment"].get<std::string>());
        const auto c = challenge_from_vector(v);
        auto enc = c.encode();
        REQUIRE(enc);
        auto back = token_challenge::decode(*enc);
        REQUIRE(back);
        CHECK(back->issuer_name == c.issuer_name);
        CHECK(back->origin_info == c.origin_info);
        CHECK(back->redemption_context == c.redemption_context);
        const auto digest = challenge_digest(*enc);
        const auto nonce = unhex(v["nonce"]);
        const auto key_id = unhex(v["token_key_id"]);
        REQUIRE(nonce.size() == 32);
        REQUIRE(key_id.size() == 32);
        const auto input = token::make_authenticator_input(c.token_type, std::span<const std::uint8_t, 32>(nonce.data(), 32),
                                                           digest, std::span<const std::uint8_t, 32>(key_id.data(), 32));
        CHECK(to_hex(input) == v["token_authenticator_input"].get<std::string>());
        ++n;
    }
    return n;
}

} // namespace

TEST_CASE("RFC 9577 A.1 challenge and redemption structure vectors", "[privacypass][rfc9577][vectors]") {
    CHECK(check_structure_vectors("privacypass/rfc9577/auth_scheme_token_v14.json") == 5);
    CHECK(check_structure_vectors("privacypass/rfc9577/token-test-vectors.json") == 5);
}

TEST_CASE("Token with extensions vector: AuthenticatorInput of the base structure", "[privacypass][rfc9577][vectors]") {
    // The extensions draft keeps the RFC 9577 structures for these fields.
    CHECK(check_structure_vectors("privacypass/extra/auth_scheme_token_with_extensions_v1.json") == 5);
}

namespace {
int check_header_vectors(const char* file) {
    int n = 0;
    for (const auto& v : ppx::test::load_json(file)) {
        const std::string header = v["WWW-Authenticate"];
        auto parsed = parse_private_token_challenges(header);
        REQUIRE(parsed);
        std::size_t count = 0;
        while (v.contains("token-type-" + std::to_string(count))) ++count;
        REQUIRE(parsed->size() == count);
        for (std::size_t i = 0; i < count; ++i) {
            const auto s = std::to_string(i);
            const auto& p = (*parsed)[i];
            CHECK(p.decoded.token_type == v["token-type-" + s].get<int>());
            CHECK(to_hex(p.token_key) == v["token-key-" + s].get<std::string>());
            CHECK(to_hex(p.challenge) == v["token-challenge-" + s].get<std::string>());
            REQUIRE(p.max_age);
            CHECK(*p.max_age == v["max-age-" + s].get<std::uint32_t>());
            // Building and re-parsing gives the same challenge.
            auto rebuilt = parse_private_token_challenges(www_authenticate_value(p.challenge, p.token_key, p.max_age));
            REQUIRE(rebuilt);
            REQUIRE(rebuilt->size() == 1);
            CHECK((*rebuilt)[0].challenge == p.challenge);
            CHECK((*rebuilt)[0].token_key == p.token_key);
            CHECK((*rebuilt)[0].max_age == p.max_age);
        }
        ++n;
    }
    return n;
}
} // namespace

TEST_CASE("RFC 9577 A.2 HTTP header vectors", "[privacypass][rfc9577][vectors]") {
    CHECK(check_header_vectors("privacypass/rfc9577/auth_scheme_header_v14.json") == 2);
}

TEST_CASE("unquoted values with trailing '=' as seen in the wild", "[privacypass][rfc9577][vectors]") {
    CHECK(check_header_vectors("privacypass/extra/auth_scheme_header_complicated.json") == 1);
}

TEST_CASE("WWW-Authenticate grammar: schemes, order, quoting, padding", "[privacypass][header]") {
    token_challenge c{0x0002, "issuer.example", bytes(32, 0x11), "origin.example"};
    const auto enc = *c.encode();
    const auto padded = to_base64url(enc, true);
    const auto unpadded = to_base64url(enc, false);
    const bytes key{1, 2, 3, 4, 5};
    const auto k = to_base64url(key, false);

    const std::string headers[] = {
        "Basic realm=\"x\", PrivateToken challenge=\"" + padded + "\", token-key=" + k,
        "PrivateToken token-key=\"" + k + "\", max-age=5, challenge=" + unpadded,
        "Negotiate abc==, privatetoken CHALLENGE = \"" + padded + "\" , Token-Key=" + k + ",,",
        ", , PrivateToken realm=\"a\\\"b\", challenge=" + padded + ", token-key=\"" + k + "\", Bearer",
        "Bearer, PrivateToken challenge=" + padded + ",token-key=" + k + ",  Digest a=b, c=\"d,e\"",
    };
    for (const auto& h : headers) {
        INFO(h);
        auto all = parse_auth_challenges(h);
        REQUIRE(all);
        auto pt = parse_private_token_challenges(h);
        REQUIRE(pt);
        REQUIRE(pt->size() == 1);
        CHECK((*pt)[0].challenge == enc);
        CHECK((*pt)[0].token_key == key);
        CHECK((*pt)[0].decoded.issuer_name == "issuer.example");
    }
    auto all = *parse_auth_challenges(headers[4]);
    REQUIRE(all.size() == 3);
    CHECK(all[0].scheme == "Bearer");
    CHECK(all[2].scheme == "Digest");
    CHECK(*all[2].find("c") == "d,e");
    auto neg = *parse_auth_challenges(headers[2]);
    CHECK(neg[0].token68 == "abc==");
    auto esc = *parse_auth_challenges(headers[3]);
    CHECK(*esc[0].find("realm") == "a\"b");
}

TEST_CASE("WWW-Authenticate: malformed and ignored challenges", "[privacypass][header][negative]") {
    token_challenge c{0x0001, "issuer.example", {}, ""};
    const auto b = to_base64url(*c.encode(), true);
    // Syntax errors fail the whole field.
    for (const char* bad : {"PrivateToken challenge=\"abc", "PrivateToken a=b, c=", "=x", "PrivateToken a=b c=d",
                            "PrivateToken a=b, a=c", "Basic realm=\"x\" junk", "PrivateToken challenge=\"\x01\""}) {
        INFO(bad);
        CHECK(parse_auth_challenges(bad).error() == errc::malformed);
    }
    // Bad PrivateToken challenges are ignored, good ones kept (RFC 9577 §2.1.1, §2.1.2).
    const std::string mixed = "PrivateToken token-key=abc, PrivateToken challenge=\"!!\", PrivateToken challenge=AAEA, "
                              "PrivateToken challenge=" + b + ", max-age=x, PrivateToken challenge=" + b;
    auto pt = parse_private_token_challenges(mixed);
    REQUIRE(pt);
    CHECK(pt->size() == 1);
    // A redemption context of a length other than 0 or 32 makes the challenge ignored.
    bytes bad_ctx = *c.encode();
    bad_ctx[2 + 2 + 14] = 1;  // context length byte
    bad_ctx.insert(bad_ctx.begin() + 2 + 2 + 14 + 1, 0x42);
    CHECK(token_challenge::decode(bad_ctx).error() == errc::malformed);
    auto none = parse_private_token_challenges("PrivateToken challenge=" + to_base64url(bad_ctx, true));
    REQUIRE(none);
    CHECK(none->empty());
    // Limits.
    CHECK(parse_auth_challenges(std::string(max_header_size + 1, 'a')).error() == errc::limit_exceeded);
    std::string many;
    for (int i = 0; i < 65; ++i) many += "A, ";
    CHECK(parse_auth_challenges(many).error() == errc::limit_exceeded);
    std::string params = "PrivateToken ";
    for (int i = 0; i < 65; ++i) params += std::string("p") + std::to_string(i) + std::string("=1, ");
    CHECK(parse_auth_challenges(params).error() == errc::limit_exceeded);
    CHECK(parse_auth_challenges("")->empty());
}

TEST_CASE("Authorization: PrivateToken token=...", "[privacypass][header]") {
    token t;
    t.token_type = 0x0002;
    t.nonce.fill(1);
    t.challenge_digest.fill(2);
    t.token_key_id.fill(3);
    t.authenticator_mut()[0] = 9;
    const auto enc = *t.encode();
    const auto v = authorization_value(enc);
    CHECK(v.rfind("PrivateToken token=\"", 0) == 0);
    CHECK(*parse_authorization(v) == enc);
    CHECK(*parse_authorization("PrivateToken token=" + to_base64url(enc, false) + ", extra=1") == enc);
    CHECK(parse_authorization("Bearer abc").error() == errc::malformed);
    CHECK(parse_authorization("PrivateToken nottoken=abc").error() == errc::malformed);
    CHECK(parse_authorization("PrivateToken token=a, PrivateToken token=b").error() == errc::malformed);
    CHECK(parse_authorization("PrivateToken token=\"!!!\"").error() == errc::malformed);
}

TEST_CASE("TokenChallenge field rules and truncation", "[privacypass][challenge][negative]") {
    token_challenge c{0x0002, "issuer.example:8443", bytes(32, 7), "a.example,b.example"};
    auto enc = *c.encode();
    CHECK(c.encoded_size() == enc.size());
    for (std::size_t n = 0; n < enc.size(); ++n) CHECK(!token_challenge::decode(bytes_view(enc).first(n)));
    auto longer = enc;
    longer.push_back(0);
    CHECK(token_challenge::decode(longer).error() == errc::malformed);

    ppx::test::guarded_buffer small(enc.size() - 1);
    CHECK(c.encode(small.span()).error() == errc::buffer_too_small);
    CHECK(small.guard_intact());
    ppx::test::guarded_buffer exact(enc.size());
    CHECK(*c.encode(exact.span()) == enc.size());
    CHECK(exact.guard_intact());

    CHECK(c.allows_origin("A.EXAMPLE"));
    CHECK(c.allows_origin("b.example"));
    CHECK(!c.allows_origin("c.example"));
    CHECK(!c.allows_origin("a.example,b.example"));
    token_challenge any{0x0001, "i.example", {}, ""};
    CHECK(any.allows_origin("whatever.example"));

    for (auto bad : {token_challenge{1, "", {}, ""}, token_challenge{1, "user@issuer", {}, ""},
                     token_challenge{1, "i", bytes(31), ""}, token_challenge{1, "i", {}, "a,,b"},
                     token_challenge{1, "i", {}, "a b"}, token_challenge{1, std::string(70000, 'a'), {}, ""}}) {
        CHECK(bad.encode().error() == errc::malformed);
    }
}

TEST_CASE("Token decode: sizes, types, truncation, binding", "[privacypass][token][negative]") {
    token_challenge c{0x0001, "issuer.example", {}, "origin.example"};
    const auto ch = *c.encode();
    token t;
    t.token_type = 0x0001;
    t.nonce.fill(0xaa);
    const auto d = challenge_digest(ch);
    std::copy(d.begin(), d.end(), t.challenge_digest.begin());
    t.token_key_id.fill(0x55);
    for (auto& b : t.authenticator_mut()) b = 0x77;
    const auto enc = *t.encode();
    CHECK(enc.size() == 2 + 32 + 32 + 32 + 48);
    auto back = token::decode(enc);
    REQUIRE(back);
    CHECK(equal_bytes(back->authenticator(), t.authenticator()));
    for (std::size_t n = 0; n < enc.size(); ++n) CHECK(!token::decode(bytes_view(enc).first(n)));
    auto longer = enc;
    longer.push_back(0);
    CHECK(token::decode(longer).error() == errc::malformed);
    auto unknown = enc;
    unknown[1] = 0x09;
    CHECK(token::decode(unknown).error() == errc::unsupported);
    unknown[0] = 0x00;
    unknown[1] = 0x00;  // grease
    CHECK(token::decode(unknown).error() == errc::unsupported);
    CHECK(is_reserved(0x0000));
    CHECK(!is_reserved(0x0001));

    ppx::test::guarded_buffer small(enc.size() - 1);
    CHECK(t.encode(small.span()).error() == errc::buffer_too_small);
    CHECK(small.guard_intact());

    CHECK(check_binding(t, ch, "origin.example"));
    CHECK(check_binding(t, ch, "other.example").error() == errc::policy);
    auto other = ch;
    other.back() ^= 1;
    CHECK(check_binding(t, other, "origin.example").error() == errc::key_mismatch);
    token t2 = t;
    t2.token_type = 0x0002;
    CHECK(check_binding(t2, ch, "origin.example").error() == errc::key_mismatch);
    t2 = t;
    t2.challenge_digest[31] ^= 1;
    CHECK(check_binding(t2, ch, "origin.example").error() == errc::key_mismatch);
}
