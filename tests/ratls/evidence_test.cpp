// RA-TLS evidence extensions: the three real certificates of tests/vectors/ratls (every field
// of expected.json) and the README's negative cases.
#include <ppx/ratls/evidence.hpp>

#include "support/vectors.hpp"

#include <catch2/catch.hpp>

using namespace ppx;
using namespace ppx::ratls;
using ppx::test::load_file;
using ppx::test::load_json;
using ppx::test::unhex;

namespace {

const evidence_extension* find_ext(const certificate_info& c, const std::string& oid) {
    for (const auto& e : c.extensions)
        if (e.oid == oid) return &e;
    return nullptr;
}

// Rebuilds `der` with the extension of kind `k` replaced by (value, critical). The signature
// no longer verifies, which parse_certificate reports but does not refuse.
bytes replace_extension(const bytes& der, bytes_view oid_content, bytes_view value, bool critical) {
    const unsigned char* p = der.data();
    ppx::detail::x509_ptr c(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    REQUIRE(c);
    for (int i = 0; i < X509_get_ext_count(c.get()); ++i) {
        X509_EXTENSION* e = X509_get_ext(c.get(), i);
        const ASN1_OBJECT* o = X509_EXTENSION_get_object(e);
        if (static_cast<std::size_t>(OBJ_length(o)) != oid_content.size() || !equal_bytes(bytes_view(OBJ_get0_data(o), oid_content.size()), oid_content)) continue;
        std::unique_ptr<ASN1_OBJECT, ppx::detail::free_fn<ASN1_OBJECT_free>> obj(OBJ_dup(o));
        X509_EXTENSION_free(X509_delete_ext(c.get(), i));
        std::unique_ptr<ASN1_OCTET_STRING, ppx::detail::free_fn<ASN1_OCTET_STRING_free>> os(ASN1_OCTET_STRING_new());
        REQUIRE(ASN1_OCTET_STRING_set(os.get(), value.data(), static_cast<int>(value.size())) == 1);
        std::unique_ptr<X509_EXTENSION, ppx::detail::free_fn<X509_EXTENSION_free>> ne(X509_EXTENSION_create_by_OBJ(nullptr, obj.get(), critical ? 1 : 0, os.get()));
        REQUIRE(ne);
        REQUIRE(X509_add_ext(c.get(), ne.get(), i) == 1);
        unsigned char* out = nullptr;
        const int n = i2d_re_X509_tbs(c.get(), &out);
        REQUIRE(n > 0);
        OPENSSL_free(out);
        out = nullptr;
        const int m = i2d_X509(c.get(), &out);
        REQUIRE(m > 0);
        bytes r(out, out + m);
        OPENSSL_free(out);
        return r;
    }
    FAIL("extension not found");
    return {};
}

} // namespace

TEST_CASE("ratls: the three real certificates, every expected field", "[ratls][vectors]") {
    const auto vectors = load_json("ratls/expected.json");
    REQUIRE(vectors.size() == 3);
    for (const auto& v : vectors) {
        const auto file = v["file"].get<std::string>();
        DYNAMIC_SECTION(file) {
            const auto pem = load_file("ratls/" + file);
            auto derfile = file.substr(0, file.size() - 4) + ".der";
            const auto der = load_file("ratls/" + derfile);
            auto c = parse_certificate(pem);
            REQUIRE(c);
            auto cd = parse_certificate(der);
            REQUIRE(cd);
            CHECK(cd->der == c->der);
            CHECK(c->der == der);
            CHECK(c->subject.find("CN=") != std::string::npos);
            CHECK(c->self_signed_valid == v["self_signed_sig_valid"].get<bool>());
            CHECK(to_hex(crypto::digest<crypto::sha256>(c->spki_der)) == v["spki_sha256"]);
            std::size_t evidence_exts = 0;
            for (const auto& e : v["extensions"]) {
                const auto oid = e["oid"].get<std::string>();
                if (!e.contains("value_len")) continue;  // basic constraints etc.
                ++evidence_exts;
                const auto* x = find_ext(*c, oid);
                REQUIRE(x != nullptr);
                CHECK(x->critical == e["critical"].get<bool>());
                CHECK(x->value.size() == e["value_len"].get<std::size_t>());
                if (e.contains("raw_sgx_quote_v3")) {
                    auto q = parse_intel_quote(x->value);
                    REQUIRE(q);
                    CHECK(q->version == 3);
                    CHECK(to_hex(q->report_data) == e["report_data"]);
                    CHECK(to_hex(q->mr_enclave) == e["mrenclave"]);
                    const bool binds = equal_bytes(bytes_view(q->report_data).first(32), crypto::digest<crypto::sha256>(c->spki_der));
                    CHECK(binds == e["report_data_first32_equals_sha256_spki"].get<bool>());
                } else {
                    REQUIRE(c->evidence);
                    REQUIRE(c->claims);
                    CHECK(c->evidence->tag == e["cbor_tag"].get<std::uint64_t>());
                    CHECK(c->evidence->evidence.size() == e["quote_len"].get<std::size_t>());
                    auto q = parse_intel_quote(c->evidence->evidence);
                    REQUIRE(q);
                    CHECK(q->version == e["quote_version"].get<int>());
                    CHECK(q->att_key_type == e["att_key_type"].get<int>());
                    CHECK(to_hex(q->mr_enclave) == e["mrenclave"]);
                    CHECK(to_hex(q->mr_signer) == e["mrsigner"]);
                    CHECK(to_hex(q->report_data) == e["report_data"]);
                    CHECK(to_hex(c->evidence->claims_buffer) == e["claims_buffer_hex"]);
                    CHECK(to_hex(crypto::digest<crypto::sha256>(c->evidence->claims_buffer)) == e["claims_buffer_sha256"]);
                    auto keys = e["claims_keys"].get<std::vector<std::string>>();
                    std::sort(keys.begin(), keys.end());
                    CHECK(c->claims->names == keys);
                    CHECK(c->claims->pubkey_hash_alg_iana == e["pubkey_hash_alg"].get<std::uint64_t>());
                    CHECK(to_hex(c->claims->pubkey_hash) == e["pubkey_hash"]);
                    CHECK_FALSE(c->claims->nonce);
                    const auto b = check_binding(*c);
                    CHECK(b.claims_bind_key == e["pubkey_hash_equals_sha256_spki"].get<bool>());
                    CHECK(b.evidence_binds_claims == e["report_data_first32_equals_sha256_claims_buffer"].get<bool>());
                    CHECK(b.bound());
                }
            }
            CHECK(c->extensions.size() == evidence_exts);
        }
    }
}

TEST_CASE("ratls: legacy extensions bind (Gramine) or do not (Intel SDK)", "[ratls][vectors]") {
    auto g = parse_certificate(load_file("ratls/ccc-interop/gramine-cert.der"));
    REQUIRE(g);
    CHECK(g->extensions[0].kind == extension_kind::gramine_legacy_sgx);
    CHECK(g->extensions[0].oid == "0.6.9.42.840.113741.1337.6");
    CHECK(check_binding(*g).legacy_binds_key);
    auto i = parse_certificate(load_file("ratls/ccc-interop/intel-sgxsdk-cert.der"));
    REQUIRE(i);
    CHECK(i->extensions[0].kind == extension_kind::intel_sgx_legacy);
    CHECK(i->extensions[0].oid == "1.2.840.113741.1.13.1");
    CHECK_FALSE(check_binding(*i).legacy_binds_key);
    auto r = parse_certificate(load_file("ratls/ccc-interop/rats-tls-cert.der"));
    REQUIRE(r);
    CHECK(r->extensions.size() == 1);
    CHECK_FALSE(check_binding(*r).legacy_binds_key);
}

TEST_CASE("ratls: README negative cases", "[ratls][negative]") {
    const auto der = load_file("ratls/ccc-interop/rats-tls-cert.der");
    auto c = parse_certificate(der);
    REQUIRE(c);
    const auto ext = find_ext(*c, "2.23.133.5.4.9")->value;
    const auto& ev = *c->evidence;

    SECTION("unchanged re-encoding still binds (control)") {
        auto m = replace_extension(der, oid::ccc_evidence, ext, false);
        auto p = parse_certificate(m);
        REQUIRE(p);
        CHECK(check_binding(*p).bound());
        CHECK(p->self_signed_valid);  // same bytes: the signature still holds
        CHECK(p->der == der);
    }
    SECTION("flip a byte of the SPKI hash") {
        auto cl = c->claims->pubkey_hash;
        cl[5] ^= 1;
        auto buf = cbor::encode_claims(crypto::hash_id::sha256, cl, std::nullopt, std::nullopt);
        auto m = replace_extension(der, oid::ccc_evidence, cbor::encode_tagged_evidence(ev.tag, ev.evidence, buf), false);
        auto p = parse_certificate(m);
        REQUIRE(p);
        CHECK_FALSE(p->self_signed_valid);
        const auto b = check_binding(*p);
        CHECK_FALSE(b.claims_bind_key);
        CHECK_FALSE(b.evidence_binds_claims);  // the buffer changed too
        CHECK_FALSE(b.bound());
    }
    SECTION("flip any byte of the claims buffer: never bound") {
        for (std::size_t i = 0; i < ev.claims_buffer.size(); ++i) {
            auto cb = ev.claims_buffer;
            cb[i] ^= 0x01;
            auto m = replace_extension(der, oid::ccc_evidence, cbor::encode_tagged_evidence(ev.tag, ev.evidence, cb), false);
            auto p = parse_certificate(m);
            if (p) CHECK_FALSE(check_binding(*p).bound());
        }
    }
    SECTION("flip a byte of the quote report_data") {
        for (std::size_t i = 0; i < 32; ++i) {
            auto q = ev.evidence;
            q[48 + 320 + i] ^= 0x40;
            auto m = replace_extension(der, oid::ccc_evidence, cbor::encode_tagged_evidence(ev.tag, q, ev.claims_buffer), false);
            auto p = parse_certificate(m);
            REQUIRE(p);
            const auto b = check_binding(*p);
            CHECK(b.claims_bind_key);
            CHECK_FALSE(b.evidence_binds_claims);
        }
    }
    SECTION("change the CBOR tag") {
        for (std::uint64_t tag : {59999ull, 60001ull, 60002ull, 1ull, 0x1a7504ull}) {
            auto m = replace_extension(der, oid::ccc_evidence, cbor::encode_tagged_evidence(tag, ev.evidence, ev.claims_buffer), false);
            auto p = parse_certificate(m);
            REQUIRE(p);
            CHECK_FALSE(check_binding(*p).bound());
        }
        // No tag at all.
        auto untagged = nlohmann::json::to_cbor(nlohmann::json::array({nlohmann::json::binary(ev.evidence), nlohmann::json::binary(ev.claims_buffer)}));
        auto e = cbor::decode_tagged_evidence(untagged);
        REQUIRE_FALSE(e);
        CHECK(e.error() == errc::malformed);
    }
    SECTION("the extension marked critical") {
        auto m = replace_extension(der, oid::ccc_evidence, ext, true);
        auto p = parse_certificate(m);
        REQUIRE_FALSE(p);
        CHECK(p.error() == errc::malformed);
    }
    SECTION("truncated CBOR at every length") {
        for (std::size_t n = 0; n < ext.size(); ++n) {
            auto e = cbor::decode_tagged_evidence(bytes_view(ext).first(n));
            REQUIRE_FALSE(e);
            CHECK(e.error() == errc::malformed);
        }
        auto m = replace_extension(der, oid::ccc_evidence, bytes_view(ext).first(ext.size() - 1), false);
        CHECK_FALSE(parse_certificate(m));
        // Trailing bytes.
        auto longer = ext;
        longer.push_back(0);
        CHECK_FALSE(cbor::decode_tagged_evidence(longer));
    }
    SECTION("indefinite-length arrays, maps and strings") {
        // tag(60000) [_ bstr, bstr ]
        bytes ind = {0xD9, 0xEA, 0x60, 0x9F};
        auto b1 = nlohmann::json::to_cbor(nlohmann::json::binary(ev.evidence));
        auto b2 = nlohmann::json::to_cbor(nlohmann::json::binary(ev.claims_buffer));
        append(ind, b1);
        append(ind, b2);
        ind.push_back(0xFF);
        CHECK_FALSE(cbor::decode_tagged_evidence(ind));
        auto m = replace_extension(der, oid::ccc_evidence, ind, false);
        CHECK_FALSE(parse_certificate(m));
        // Indefinite-length claims map.
        bytes imap = {0xBF};
        auto inner = cbor::encode_claims(crypto::hash_id::sha256, c->claims->pubkey_hash, std::nullopt, std::nullopt);
        imap.insert(imap.end(), inner.begin() + 1, inner.end());
        imap.push_back(0xFF);
        CHECK_FALSE(cbor::decode_claims(imap));
        // Indefinite-length byte string (chunks).
        bytes ibs = {0x5F, 0x41, 0x00, 0xFF};
        CHECK_FALSE(cbor::check_single_item(ibs));
    }
    SECTION("claims shapes") {
        const auto h = c->claims->pubkey_hash;
        CHECK(cbor::decode_claims(cbor::encode_claims(crypto::hash_id::sha256, h, std::nullopt, std::nullopt)));
        // Unknown algorithm id.
        auto entry = nlohmann::json::to_cbor(nlohmann::json::array({2, nlohmann::json::binary(h)}));
        nlohmann::json mm = {{"pubkey-hash", nlohmann::json::binary(entry)}};
        auto r = cbor::decode_claims(nlohmann::json::to_cbor(mm));
        REQUIRE_FALSE(r);
        CHECK(r.error() == errc::unsupported);
        // Hash of the wrong length for its algorithm.
        CHECK_FALSE(cbor::decode_claims(cbor::encode_claims(crypto::hash_id::sha384, h, std::nullopt, std::nullopt)));
        // Missing pubkey-hash, nonce of the wrong type, not a map.
        CHECK_FALSE(cbor::decode_claims(nlohmann::json::to_cbor(nlohmann::json{{"nonce", nlohmann::json::binary(bytes{1})}})));
        nlohmann::json bad = {{"pubkey-hash", nlohmann::json::binary(entry)}, {"nonce", 5}};
        CHECK_FALSE(cbor::decode_claims(nlohmann::json::to_cbor(bad)));
        CHECK_FALSE(cbor::decode_claims(nlohmann::json::to_cbor(nlohmann::json::array({1, 2}))));
        // Duplicate keys.
        auto one = cbor::encode_claims(crypto::hash_id::sha256, h, std::nullopt, std::nullopt);
        bytes dup = {0xA2};
        dup.insert(dup.end(), one.begin() + 1, one.end());
        dup.insert(dup.end(), one.begin() + 1, one.end());
        auto d = cbor::decode_claims(dup);
        REQUIRE_FALSE(d);
        CHECK(d.error() == errc::malformed);
        // SHA-384 and SHA-512 entries are accepted; nonce and HPKE key round-trip.
        const bytes h384(48, 7), h512(64, 9), nonce = {1, 2, 3}, hpke = {4, 5};
        auto r384 = cbor::decode_claims(cbor::encode_claims(crypto::hash_id::sha384, h384, bytes_view(nonce), bytes_view(hpke)));
        REQUIRE(r384);
        CHECK(r384->pubkey_hash_alg == crypto::hash_id::sha384);
        CHECK(r384->nonce == nonce);
        CHECK(r384->hpke_public_key == hpke);
        CHECK(cbor::decode_claims(cbor::encode_claims(crypto::hash_id::sha512, h512, std::nullopt, std::nullopt)));
    }
    SECTION("deep nesting is refused") {
        bytes deep(100, 0x81);
        deep.push_back(0x00);
        auto r = cbor::check_single_item(deep);
        REQUIRE_FALSE(r);
        CHECK(r.error() == errc::limit_exceeded);
    }
}

TEST_CASE("ratls: SGX quote parser bounds", "[ratls][negative]") {
    auto c = parse_certificate(load_file("ratls/ccc-interop/gramine-cert.der"));
    REQUIRE(c);
    const auto q = c->evidence->evidence;
    REQUIRE(parse_intel_quote(q));
    for (std::size_t n = 0; n < q.size(); n += (n < 600 ? 1 : 97)) CHECK_FALSE(parse_intel_quote(bytes_view(q).first(n)));
    auto longer = q;
    longer.push_back(0);
    CHECK_FALSE(parse_intel_quote(longer));
    auto v = q;
    v[0] = 5;
    CHECK(parse_intel_quote(v).error() == errc::unsupported);
    v = q;
    v[2] = 9;
    CHECK(parse_intel_quote(v).error() == errc::unsupported);
    v = q;
    v[4] = 0x81;  // TDX tee type in a v3 quote
    CHECK(parse_intel_quote(v).error() == errc::unsupported);
}

TEST_CASE("ratls: certificate parser refuses garbage", "[ratls][negative]") {
    const auto der = load_file("ratls/ccc-interop/gramine-cert.der");
    for (std::size_t n = 0; n < der.size(); n += 37) CHECK_FALSE(parse_certificate(bytes_view(der).first(n)));
    auto longer = der;
    longer.push_back(0);
    CHECK_FALSE(parse_certificate(longer));
    CHECK_FALSE(parse_certificate(as_bytes("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")));
}
