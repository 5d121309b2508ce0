// The VM side (certificate creation with the simulated SEV-SNP provider) and standalone
// verification, including every kind of bad evidence.
#include "support.hpp"

#include "support/vectors.hpp"

#if __has_include(<linux/sev-guest.h>)
#include <linux/sev-guest.h>
#define PPX_HAVE_SEV_GUEST_H 1
#endif

using namespace ppx;
using namespace ppx::ratls;
using namespace ppx::ratls::testing;

TEST_CASE("ratls: a simulated VM's certificate verifies and carries its claims", "[ratls][cert]") {
    for (auto prod : {snp::product::milan, snp::product::turin}) {
        DYNAMIC_SECTION(to_string(prod)) {
            auto& m = machine(prod);
            const bytes nonce = {9, 8, 7, 6, 5, 4, 3, 2};
            auto cert = make_cert(m, nonce);
            auto info = parse_certificate(cert.der);
            REQUIRE(info);
            CHECK(info->self_signed_valid);
            REQUIRE(info->evidence);
            CHECK(info->evidence->tag == cbor::tag_amd_sev_snp);
            CHECK(info->evidence->claims_buffer == cert.claims_buffer);
            CHECK(check_binding(*info).bound());
            auto v = test_verifier();
            auto peer = v->verify_with_nonce(cert.der, bytes_view(nonce));
            if (!peer) FAIL(peer.error().what);
            CHECK(peer->report.product == prod);
            CHECK_FALSE(peer->report.amd_root);
            CHECK(equal_bytes(peer->report.rep.measurement, test_measurement()));
            CHECK(peer->claims.nonce == nonce);
            CHECK(peer->claims.hpke_public_key == bytes(32, 0x42));
            CHECK(peer->spki_der == info->spki_der);
            // The private key is available for TLS and is a P-384 key.
            auto k = cert.key.private_key_der();
            REQUIRE(k);
            CHECK(k->size() > 100);
            // Nonce checks: wrong challenge, or a challenge the certificate does not answer.
            auto wrong = v->verify_with_nonce(cert.der, bytes_view(bytes{1, 2, 3}));
            REQUIRE_FALSE(wrong);
            CHECK(wrong.error() == errc::policy);
            auto no_nonce = make_cert(m);
            CHECK(v->verify(no_nonce.der));
            auto missing = v->verify_with_nonce(no_nonce.der, bytes_view(nonce));
            REQUIRE_FALSE(missing);
            CHECK(missing.error() == errc::policy);
        }
    }
}

TEST_CASE("ratls: the default verifier (AMD roots only) rejects the simulated chain", "[ratls][cert]") {
    auto cert = make_cert(machine());
    auto amd = snp::verifier::with_amd_roots();
    REQUIRE(amd);
    certificate_verifier v(std::move(*amd), test_options());
    auto r = v.verify(cert.der);
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::key_mismatch);
}

TEST_CASE("ratls: every kind of bad evidence is refused with the right error", "[ratls][cert][negative]") {
    struct row {
        bad b;
        errc want;
    };
    const row rows[] = {
        {bad::report_data_not_claims, errc::key_mismatch}, {bad::bad_signature, errc::crypto_failure},
        {bad::other_chip_vcek, errc::key_mismatch},        {bad::tcb_above_vcek, errc::key_mismatch},
        {bad::debug_guest, errc::policy},                  {bad::wrong_measurement, errc::policy},
        {bad::vmpl_1, errc::policy},                       {bad::no_endorsements, errc::key_mismatch},
        {bad::untrusted_chain, errc::key_mismatch},
    };
    auto v = test_verifier();
    for (const auto& r : rows) {
        DYNAMIC_SECTION("bad " << static_cast<int>(r.b)) {
            std::unique_ptr<evidence_provider> holder;
            auto cert = make_cert(provider_for(r.b, holder));
            auto res = v->verify(cert.der);
            REQUIRE_FALSE(res);
            INFO(res.error().what);
            CHECK(res.error() == r.want);
        }
    }
    // Control: the wrapper without a fault verifies.
    bad_provider good(bad::none);
    CHECK(v->verify(make_cert(good).der));
}

TEST_CASE("ratls: evidence moved into a certificate with another key is refused", "[ratls][cert][negative]") {
    auto genuine = make_cert(machine());
    const unsigned char* p = genuine.der.data();
    ppx::detail::x509_ptr c(d2i_X509(nullptr, &p, static_cast<long>(genuine.der.size())));
    REQUIRE(c);
    auto other = key_pair::generate();
    REQUIRE(other);
    REQUIRE(X509_set_pubkey(c.get(), other->native()) == 1);
    REQUIRE(X509_sign(c.get(), other->native(), EVP_sha384()) > 0);
    const auto forged = build::der(c.get());
    auto v = test_verifier();
    auto r = v->verify(forged);
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::key_mismatch);
    // Signed by the genuine key but with a different subject key: signature fails first.
    REQUIRE(X509_set_pubkey(c.get(), genuine.key.native()) == 1);
    REQUIRE(X509_sign(c.get(), other->native(), EVP_sha384()) > 0);
    auto r2 = v->verify(build::der(c.get()));
    REQUIRE_FALSE(r2);
    CHECK(r2.error() == errc::crypto_failure);
}

TEST_CASE("ratls: certificate time, required HPKE key, VCEK from the options", "[ratls][cert]") {
    auto cert = make_cert(machine());
    {
        auto o = test_options();
        o.policy.now = test_now + 2 * 86400;  // after the 1-day certificate
        auto r = test_verifier(o)->verify(cert.der);
        REQUIRE_FALSE(r);
        CHECK(r.error() == errc::policy);
    }
    {
        auto o = test_options();
        o.require_hpke_public_key = true;
        CHECK(test_verifier(o)->verify(cert.der));
    }
    {
        // No endorsements in the certificate: the caller provides the VCEK (as from KDS).
        bad_provider bare(bad::no_endorsements);
        auto c2 = make_cert(bare);
        auto o = test_options();
        o.vcek.assign(machine().vcek_der().begin(), machine().vcek_der().end());
        auto r = test_verifier(o)->verify(c2.der);
        if (!r) FAIL(r.error().what);
    }
    // The real SGX certificates parse but are not appraised.
    auto sgx = test_verifier()->verify(ppx::test::load_file("ratls/ccc-interop/rats-tls-cert.der"));
    REQUIRE_FALSE(sgx);
    CHECK(sgx.error() == errc::policy);  // expired (2023 certificate at the 2025 test time)
    auto o = test_options();
    o.policy.ignore_cert_time_insecure = true;
    auto sgx2 = test_verifier(o)->verify(ppx::test::load_file("ratls/ccc-interop/rats-tls-cert.der"));
    REQUIRE_FALSE(sgx2);
    CHECK(sgx2.error() == errc::unsupported);
}

TEST_CASE("ratls: flipping any byte of a certificate never verifies", "[ratls][cert][negative]") {
    auto cert = make_cert(machine());
    auto v = test_verifier();
    REQUIRE(v->verify(cert.der));
    for (std::size_t i = 0; i < cert.der.size(); i += 5) {
        auto m = cert.der;
        m[i] ^= 0x04;
        CHECK_FALSE(v->verify(m));
    }
    for (std::size_t n = 0; n < cert.der.size(); n += 11) CHECK_FALSE(v->verify(bytes_view(cert.der).first(n)));
}

TEST_CASE("ratls: simulated reports round-trip in every version", "[ratls][snp]") {
    for (std::uint32_t ver : {2u, 3u, 5u}) {
        deterministic_rng r(ver);
        simulated_snp_provider::options o;
        o.report_version = ver;
        o.rsa_bits = 1024;  // test speed only; PSS-SHA384 with salt 48 needs >= 784 bits
        auto s = simulated_snp_provider::create(r, o);
        REQUIRE(s);
        std::array<std::uint8_t, 64> rd{};
        rd[0] = 1;
        auto rep = s->evidence(rd);
        REQUIRE(rep);
        auto parsed = snp::parse_report(*rep);
        REQUIRE(parsed);
        CHECK(parsed->version == ver);
        auto store = std::make_shared<snp::trust_store>();
        REQUIRE(store->add_root(snp::product::milan, as_bytes(s->ark_pem()), as_bytes(s->ask_pem())));
        snp::verifier v(store);
        snp::policy p;
        p.allow_any_measurement_insecure = true;
        p.now = test_now;
        p.report_data = rd;
        CHECK(v.verify(*rep, s->vcek_der(), p));
    }
    deterministic_rng r(1);
    simulated_snp_provider::options o;
    o.product = snp::product::turin;
    o.report_version = 2;
    CHECK_FALSE(simulated_snp_provider::create(r, o));
}

TEST_CASE("ratls: CRL revocation of the ASK", "[ratls][snp]") {
    auto& m = machine();
    // Issue a CRL from the test ARK that revokes the test ASK.
    auto arks = snp::load_certificates(as_bytes(m.ark_pem()));
    auto asks = snp::load_certificates(as_bytes(m.ask_pem()));
    REQUIRE(arks);
    REQUIRE(asks);
    // The simulated provider does not expose its ARK key; build a separate machine-like chain.
    deterministic_rng r(5);
    auto ark_key = build::rsa_key(2048);
    auto ask_key = build::rsa_key(2048);
    REQUIRE(ark_key);
    REQUIRE(ask_key);
    auto ark = build::skeleton("ARK-Milan", "t", ark_key->get(), test_now - 100, 1000000, r);
    REQUIRE(ark);
    REQUIRE(build::set_issuer(ark->get(), nullptr));
    REQUIRE(build::sign_rsa_pss(ark->get(), ark_key->get()));
    auto crl_for = [&](X509* revoked) {
        std::unique_ptr<X509_CRL, ppx::detail::free_fn<X509_CRL_free>> crl(X509_CRL_new());
        REQUIRE(X509_CRL_set_version(crl.get(), 1) == 1);
        REQUIRE(X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(ark->get())) == 1);
        std::unique_ptr<ASN1_TIME, ppx::detail::free_fn<ASN1_TIME_free>> t(ASN1_TIME_set(nullptr, test_now));
        REQUIRE(X509_CRL_set1_lastUpdate(crl.get(), t.get()) == 1);
        if (revoked) {
            X509_REVOKED* rv = X509_REVOKED_new();
            REQUIRE(X509_REVOKED_set_serialNumber(rv, X509_get_serialNumber(revoked)) == 1);
            REQUIRE(X509_REVOKED_set_revocationDate(rv, t.get()) == 1);
            REQUIRE(X509_CRL_add0_revoked(crl.get(), rv) == 1);
        }
        ppx::detail::evp_md_ctx_ptr mc(EVP_MD_CTX_new());
        EVP_PKEY_CTX* pc = nullptr;
        REQUIRE(EVP_DigestSignInit(mc.get(), &pc, EVP_sha384(), nullptr, ark_key->get()) == 1);
        REQUIRE(EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING) == 1);
        REQUIRE(X509_CRL_sign_ctx(crl.get(), mc.get()) > 0);
        unsigned char* buf = nullptr;
        const int n = i2d_X509_CRL(crl.get(), &buf);
        bytes out(buf, buf + n);
        OPENSSL_free(buf);
        return out;
    };
    auto ask = build::skeleton("SEV-Milan", "t", ask_key->get(), test_now - 100, 1000000, r);
    REQUIRE(ask);
    REQUIRE(build::set_issuer(ask->get(), ark->get()));
    REQUIRE(build::sign_rsa_pss(ask->get(), ark_key->get()));
    // A VCEK under this ASK, for a report from a fresh key.
    auto vkey = build::ec_key("P-384");
    REQUIRE(vkey);
    auto vc = build::skeleton("SEV-VCEK", "t", vkey->get(), test_now - 100, 1000000, r, true);
    REQUIRE(vc);
    REQUIRE(build::set_issuer(vc->get(), ask->get()));
    REQUIRE(build::add_extension(vc->get(), "1.3.6.1.4.1.3704.1.1", bytes{2, 1, 0}, false));
    REQUIRE(build::add_extension(vc->get(), "1.3.6.1.4.1.3704.1.2", bytes{0x16, 5, 'M', 'i', 'l', 'a', 'n'}, false));
    for (const char* o : {"1.3.6.1.4.1.3704.1.3.1", "1.3.6.1.4.1.3704.1.3.2", "1.3.6.1.4.1.3704.1.3.3", "1.3.6.1.4.1.3704.1.3.8"})
        REQUIRE(build::add_extension(vc->get(), o, bytes{2, 1, 0}, false));
    REQUIRE(build::add_extension(vc->get(), "1.3.6.1.4.1.3704.1.4", bytes(64, 0), false));
    REQUIRE(build::sign_rsa_pss(vc->get(), ask_key->get()));
    snp::report rep;
    rep.version = 2;
    rep.policy = 0x30000;
    rep.signature_algo = 1;
    bytes raw(snp::report_size);
    REQUIRE(snp::serialize_report(rep, raw));
    REQUIRE(snp::sign_report(raw, vkey->get()));
    auto store = std::make_shared<snp::trust_store>();
    REQUIRE(store->add_root(snp::product::milan, as_bytes(build::pem(ark->get())), as_bytes(build::pem(ask->get()))));
    snp::verifier v(store);
    snp::policy p;
    p.allow_any_measurement_insecure = true;
    p.now = test_now;
    const auto vder = build::der(vc->get());
    REQUIRE(v.verify(raw, vder, p));
    v.set_crl(crl_for(nullptr));
    CHECK(v.verify(raw, vder, p));
    v.set_crl(crl_for(ask->get()));
    auto revoked = v.verify(raw, vder, p);
    REQUIRE_FALSE(revoked);
    CHECK(revoked.error() == errc::policy);
    auto bad_crl = crl_for(ask->get());
    bad_crl[bad_crl.size() - 5] ^= 1;  // break its signature
    v.set_crl(bad_crl);
    auto r2 = v.verify(raw, vder, p);
    REQUIRE_FALSE(r2);
    CHECK(r2.error() == errc::crypto_failure);
    v.set_crl(as_bytes("not a crl"));
    CHECK_FALSE(v.verify(raw, vder, p));
}

TEST_CASE("ratls: /dev/sev-guest provider structures", "[ratls][sev-guest]") {
    CHECK(sizeof(sev_guest_abi::report_req) == 96);
    CHECK(offsetof(sev_guest_abi::report_req, vmpl) == 64);
    CHECK(offsetof(sev_guest_abi::guest_request_ioctl, req_data) == 8);
    CHECK(offsetof(sev_guest_abi::guest_request_ioctl, exitinfo2) == 24);
#ifdef PPX_HAVE_SEV_GUEST_H
    CHECK(sev_guest_abi::snp_get_report == static_cast<unsigned long>(SNP_GET_REPORT));
    CHECK(sizeof(sev_guest_abi::report_req) == sizeof(snp_report_req));
    CHECK(sizeof(sev_guest_abi::report_resp) == sizeof(snp_report_resp));
    CHECK(sizeof(sev_guest_abi::guest_request_ioctl) == sizeof(snp_guest_request_ioctl));
    CHECK(offsetof(snp_report_req, vmpl) == offsetof(sev_guest_abi::report_req, vmpl));
    CHECK(offsetof(snp_guest_request_ioctl, resp_data) == offsetof(sev_guest_abi::guest_request_ioctl, resp_data));
#endif
    // MSG_REPORT_RSP parsing with a real report inside.
    const auto report = ppx::test::load_file("sevsnp/milan-virtee/report_milan.bin");
    bytes rsp(4000, 0);
    rsp[4] = 0xA0, rsp[5] = 0x04;  // REPORT_SIZE = 0x4A0
    std::copy(report.begin(), report.end(), rsp.begin() + 32);
    auto got = parse_msg_report_rsp(rsp);
    REQUIRE(got);
    CHECK(*got == report);
    auto st = rsp;
    st[0] = 0x16;  // firmware status INVALID_PARAM
    CHECK(parse_msg_report_rsp(st).error() == errc::internal);
    auto sz = rsp;
    sz[4] = 0x9F;
    CHECK(parse_msg_report_rsp(sz).error() == errc::malformed);
    for (std::size_t n : {0u, 31u, 32u, 1215u}) CHECK_FALSE(parse_msg_report_rsp(bytes_view(rsp).first(n)));
    // No device here: evidence() reports it, available() says so.
    sev_guest_provider dev({}, {}, 0, "/nonexistent/sev-guest");
    CHECK_FALSE(sev_guest_provider::available("/nonexistent/sev-guest"));
    std::array<std::uint8_t, 64> rd{};
    auto e = dev.evidence(rd);
    REQUIRE_FALSE(e);
    CHECK(e.error() == errc::unsupported);
    if (!sev_guest_provider::available()) SUCCEED("no /dev/sev-guest on this machine");
}

TEST_CASE("snp: malformed VCEK certificates are refused", "[ratls][snp][negative]") {
    deterministic_rng r(9);
    struct spec {
        const char* curve = "P-384";
        bytes struct_version = {2, 1, 0};
        bytes product = {0x16, 8, 'M', 'i', 'l', 'a', 'n', '-', 'B', '0'};
        bytes bl = {2, 1, 3};
        bool dup_bl = false;
        std::size_t hwid = 64;
    };
    auto make = [&](const spec& s) {
        auto k = build::ec_key(s.curve);
        REQUIRE(k);
        auto c = build::skeleton("SEV-VCEK", "t", k->get(), test_now - 10, 1000, r, true);
        REQUIRE(c);
        REQUIRE(build::set_issuer(c->get(), nullptr));
        if (!s.struct_version.empty()) REQUIRE(build::add_extension(c->get(), "1.3.6.1.4.1.3704.1.1", s.struct_version, false));
        REQUIRE(build::add_extension(c->get(), "1.3.6.1.4.1.3704.1.2", s.product, false));
        REQUIRE(build::add_extension(c->get(), "1.3.6.1.4.1.3704.1.3.1", s.bl, false));
        if (s.dup_bl) REQUIRE(build::add_extension(c->get(), "1.3.6.1.4.1.3704.1.3.1", s.bl, false));
        for (const char* o : {"1.3.6.1.4.1.3704.1.3.2", "1.3.6.1.4.1.3704.1.3.3", "1.3.6.1.4.1.3704.1.3.8"})
            REQUIRE(build::add_extension(c->get(), o, bytes{2, 1, 0}, false));
        if (s.hwid) REQUIRE(build::add_extension(c->get(), "1.3.6.1.4.1.3704.1.4", bytes(s.hwid, 1), false));
        REQUIRE(build::sign_ecdsa(c->get(), k->get(), EVP_sha384()));
        return snp::vcek::parse(build::der(c->get()));
    };
    REQUIRE(make(spec{}));
    auto expect = [&](const spec& s, errc want) {
        auto v = make(s);
        REQUIRE_FALSE(v);
        CHECK(v.error() == want);
    };
    { spec s; s.struct_version = {}; expect(s, errc::malformed); }
    { spec s; s.struct_version = {2, 1, 1}; expect(s, errc::malformed); }  // Turin layout on Milan
    { spec s; s.product = {0x16, 6, 'N', 'a', 'p', 'l', 'e', 's'}; expect(s, errc::unsupported); }
    { spec s; s.product = {0x0C, 5, 'M', 'i', 'l', 'a', 'n'}; expect(s, errc::malformed); }  // UTF8String, not IA5
    { spec s; s.bl = {2, 2, 0, 5}; expect(s, errc::malformed); }  // non-minimal INTEGER
    { spec s; s.bl = {2, 1, 0x85}; expect(s, errc::malformed); }  // negative
    { spec s; s.dup_bl = true; expect(s, errc::malformed); }
    { spec s; s.hwid = 63; expect(s, errc::malformed); }
    { spec s; s.hwid = 0; expect(s, errc::malformed); }
    { spec s; s.curve = "P-256"; expect(s, errc::unsupported); }
    CHECK_FALSE(snp::vcek::parse(bytes{0x30, 0x00}));
    CHECK_FALSE(snp::vcek::parse(bytes{}));
}
