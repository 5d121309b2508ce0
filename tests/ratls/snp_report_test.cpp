// SEV-SNP report parsing, signature, VCEK and chain checks against the real vectors in
// tests/vectors/sevsnp (expected.json gives every field), plus the README's mutations.
#include <ppx/ratls/snp_verify.hpp>

#include "support/vectors.hpp"

#include <catch2/catch.hpp>

using namespace ppx;
using namespace ppx::ratls;
using ppx::test::load_file;
using ppx::test::load_json;
using ppx::test::unhex;

namespace {

std::uint64_t num(const nlohmann::json& j) { return std::stoull(j.get<std::string>(), nullptr, 16); }

std::uint64_t le_hex(const std::string& h) {
    auto b = unhex(h);
    std::uint64_t v = 0;
    for (std::size_t i = b.size(); i-- > 0;) v = v << 8 | b[i];
    return v;
}

snp::policy permissive() {
    snp::policy p;
    p.allow_any_measurement_insecure = true;
    p.allow_debug_insecure = true;
    p.now = 1760000000;  // 2025-10-09: inside every vector certificate's validity
    return p;
}

snp::verifier amd() {
    auto v = snp::verifier::with_amd_roots();
    REQUIRE(v);
    return std::move(*v);
}

} // namespace

TEST_CASE("snp: every real report parses with every expected field", "[snp][vectors]") {
    const auto vectors = load_json("sevsnp/expected.json");
    REQUIRE(vectors.size() == 3);
    for (const auto& v : vectors) {
        DYNAMIC_SECTION(v["report"].get<std::string>()) {
            const auto raw = load_file("sevsnp/" + v["report"].get<std::string>());
            auto h = crypto::digest<crypto::sha256>(raw);
            CHECK(to_hex(h) == v["sha256_report"].get<std::string>());
            auto r = snp::parse_report(raw);
            REQUIRE(r);
            const auto& f = v["fields"];
            CHECK(r->version == num(f["version"]));
            CHECK(r->guest_svn == num(f["guest_svn"]));
            CHECK(r->policy == num(f["policy"]));
            CHECK(to_hex(r->family_id) == f["family_id"]);
            CHECK(to_hex(r->image_id) == f["image_id"]);
            CHECK(r->vmpl == num(f["vmpl"]));
            CHECK(r->signature_algo == num(f["sig_algo"]));
            CHECK(r->current_tcb == le_hex(f["current_tcb"]));
            CHECK(r->platform_info == num(f["platform_info"]));
            CHECK(r->signer_info == num(f["flags_0x48"]));
            CHECK(to_hex(r->report_data) == f["report_data"]);
            CHECK(to_hex(r->measurement) == f["measurement"]);
            CHECK(to_hex(r->host_data) == f["host_data"]);
            CHECK(to_hex(r->id_key_digest) == f["id_key_digest"]);
            CHECK(to_hex(r->author_key_digest) == f["author_key_digest"]);
            CHECK(to_hex(r->report_id) == f["report_id"]);
            CHECK(to_hex(r->report_id_ma) == f["report_id_ma"]);
            CHECK(r->reported_tcb == le_hex(f["reported_tcb"]));
            const std::uint8_t cpuid[3] = {r->cpuid_fam_id, r->cpuid_mod_id, r->cpuid_step};
            CHECK(to_hex(cpuid) == f["cpuid_fam_mod_step"]);
            CHECK(to_hex(r->chip_id) == f["chip_id"]);
            CHECK(r->committed_tcb == le_hex(f["committed_tcb"]));
            const std::uint8_t cur[3] = {r->current_build, r->current_minor, r->current_major};
            CHECK(to_hex(cur) == f["current_build_minor_major"]);
            const std::uint8_t com[3] = {r->committed_build, r->committed_minor, r->committed_major};
            CHECK(to_hex(com) == f["committed_build_minor_major"]);
            CHECK(r->launch_tcb == le_hex(f["launch_tcb"]));

            const auto prod = snp::product_from_name(v["product"].get<std::string>());
            const auto t = snp::tcb_version::decode(r->reported_tcb, prod);
            const auto& parts = v["reported_tcb_parts"];
            CHECK(t.bootloader == parts["bootloader"].get<int>());
            CHECK(t.tee == parts["tee"].get<int>());
            CHECK(t.snp == parts["snp"].get<int>());
            CHECK(t.microcode == parts["microcode"].get<int>());
            if (parts.contains("fmc")) CHECK(t.fmc == parts["fmc"].get<int>());
            CHECK(t.encode(prod) == r->reported_tcb);

            // Round trip: serialising the parsed report gives back the exact bytes.
            bytes back(snp::report_size);
            REQUIRE(snp::serialize_report(*r, back));
            CHECK(back == raw);
        }
    }
}

TEST_CASE("snp: VCEK extensions match expected.json", "[snp][vectors]") {
    for (const auto& v : load_json("sevsnp/expected.json")) {
        DYNAMIC_SECTION(v["vcek"].get<std::string>()) {
            auto c = snp::vcek::parse(load_file("sevsnp/" + v["vcek"].get<std::string>()));
            REQUIRE(c);
            const auto& f = c->fields();
            const auto& ext = v["vcek_extensions_hex_der"];
            CHECK(f.product == snp::product_from_name(v["product"].get<std::string>()));
            CHECK(ext["1.3.6.1.4.1.3704.1.1"] == (f.struct_version ? "020101" : "020100"));
            CHECK(to_hex(as_bytes(f.product_name)) == ext["1.3.6.1.4.1.3704.1.2"].get<std::string>().substr(4));
            auto spl = [&](const char* oid) { return std::stoi(ext[oid].get<std::string>().substr(4), nullptr, 16); };
            CHECK(f.tcb.bootloader == spl("1.3.6.1.4.1.3704.1.3.1"));
            CHECK(f.tcb.tee == spl("1.3.6.1.4.1.3704.1.3.2"));
            CHECK(f.tcb.snp == spl("1.3.6.1.4.1.3704.1.3.3"));
            CHECK(f.tcb.microcode == spl("1.3.6.1.4.1.3704.1.3.8"));
            if (ext.contains("1.3.6.1.4.1.3704.1.3.9")) CHECK(f.tcb.fmc == spl("1.3.6.1.4.1.3704.1.3.9"));
            CHECK(to_hex(f.hw_id) == ext["1.3.6.1.4.1.3704.1.4"]);
            CHECK_FALSE(f.vlek);
        }
    }
}

TEST_CASE("snp: every real report verifies under its VCEK and the pinned AMD roots", "[snp][vectors]") {
    auto ver = amd();
    for (const auto& v : load_json("sevsnp/expected.json")) {
        DYNAMIC_SECTION(v["report"].get<std::string>()) {
            const auto raw = load_file("sevsnp/" + v["report"].get<std::string>());
            const auto vc = load_file("sevsnp/" + v["vcek"].get<std::string>());
            REQUIRE(v["expect"]["report_signature_valid_under_vcek"].get<bool>());
            auto key = snp::vcek::parse(vc);
            REQUIRE(key);
            CHECK(snp::verify_report_signature(raw, key->key()));
            auto r = ver.verify(raw, vc, permissive());
            if (!r) FAIL(r.error().what);
            CHECK(r->amd_root);
            CHECK(to_string(r->product) == v["product"].get<std::string>());
            // Warm: the chain is cached.
            CHECK(ver.cache_size() == 1);
            CHECK(ver.verify(raw, vc, permissive()));
            CHECK(ver.cache_size() == 1);
        }
    }
}

TEST_CASE("snp: the AMD chain files verify: VCEK <- ASK <- ARK", "[snp][vectors]") {
    auto store = snp::trust_store::builtin();
    REQUIRE(store);
    REQUIRE((*store)->anchors().size() == 3);
    for (const char* chain : {"sevsnp/milan-virtee/cert_chain_milan.pem", "sevsnp/milan-go-sev-guest/ask_ark_milan.pem",
                              "sevsnp/turin-virtee/cert_chain_turin.pem"}) {
        DYNAMIC_SECTION(chain) {
            auto certs = snp::load_certificates(load_file(chain));
            REQUIRE(certs);
            CHECK(certs->size() == 2);
        }
    }
    // The Turin VCEK with no report: chain-only check with its KDS chain.
    auto tv = snp::vcek::parse(load_file("sevsnp/turin-virtee/vcek_turin.der"));
    REQUIRE(tv);
    CHECK(tv->fields().product == snp::product::turin);
    CHECK(tv->fields().hw_id.size() == 8);
    auto chain = snp::load_certificates(load_file("sevsnp/turin-virtee/cert_chain_turin.pem"));
    REQUIRE(chain);
    CHECK(snp::verify_chain(*tv, **store, *chain));
    CHECK(snp::verify_chain(*tv, **store, {}));
    // A Turin VCEK cannot chain through the Milan store alone.
    snp::trust_store milan_only;
    REQUIRE(milan_only.add_root(snp::product::milan, as_bytes(snp::roots::ark_milan_pem), as_bytes(snp::roots::ask_milan_pem)));
    auto e = snp::verify_chain(*tv, milan_only, {});
    REQUIRE_FALSE(e);
    CHECK(e.error() == errc::key_mismatch);
}

TEST_CASE("snp: the VLEK chain (ASVK <- ARK-Milan) verifies as an intermediate", "[snp][vectors]") {
    auto certs = snp::load_certificates(load_file("sevsnp/milan-go-sev-guest/asvk_ark_milan_vlek.pem"));
    REQUIRE(certs);
    REQUIRE(certs->size() == 2);
    snp::trust_store s;
    CHECK(s.add_root(snp::product::milan, as_bytes(snp::roots::ark_milan_pem), load_file("sevsnp/milan-go-sev-guest/asvk_ark_milan_vlek.pem")));
    CHECK(s.anchors()[0].intermediates.size() == 1);
    // The ASVK does not verify under the Turin ARK.
    snp::trust_store wrong;
    auto r = wrong.add_root(snp::product::turin, as_bytes(snp::roots::ark_turin_pem), load_file("sevsnp/milan-go-sev-guest/asvk_ark_milan_vlek.pem"));
    REQUIRE_FALSE(r);
}

TEST_CASE("snp: README mutations fail", "[snp][negative]") {
    auto ver = amd();
    const auto raw = load_file("sevsnp/milan-virtee/report_milan.bin");
    const auto vc = load_file("sevsnp/milan-virtee/vcek_milan.der");
    auto key = snp::vcek::parse(vc);
    REQUIRE(key);
    REQUIRE(ver.verify(raw, vc, permissive()));

    SECTION("flip any byte in [0, 0x2A0): signature (or parse) fails") {
        for (std::size_t i = 0; i < snp::signed_size; ++i) {
            auto m = raw;
            m[i] ^= 0x01;
            CHECK_FALSE(snp::verify_report_signature(m, key->key()));
            auto r = ver.verify(m, vc, permissive());
            REQUIRE_FALSE(r);
        }
    }
    SECTION("flip a byte of the reserved signature tail: signature still verifies, parser refuses") {
        for (std::size_t i = 0x330; i < snp::report_size; i += 7) {
            auto m = raw;
            m[i] ^= 0x80;
            CHECK(snp::verify_report_signature(m, key->key()));
            auto r = snp::parse_report(m);
            REQUIRE_FALSE(r);
            CHECK(r.error() == errc::malformed);
        }
    }
    SECTION("R and S in big-endian order fail") {
        auto m = raw;
        std::reverse(m.begin() + snp::sig_r_offset, m.begin() + snp::sig_r_offset + 72);
        std::reverse(m.begin() + snp::sig_s_offset, m.begin() + snp::sig_s_offset + 72);
        auto r = ver.verify(m, vc, permissive());
        REQUIRE_FALSE(r);
        CHECK(r.error() == errc::crypto_failure);
        auto m2 = raw;
        std::reverse(m2.begin() + snp::sig_r_offset, m2.begin() + snp::sig_r_offset + 48);
        std::reverse(m2.begin() + snp::sig_s_offset, m2.begin() + snp::sig_s_offset + 48);
        CHECK_FALSE(snp::verify_report_signature(m2, key->key()));
    }
    SECTION("swapped R and S fail") {
        auto m = raw;
        std::swap_ranges(m.begin() + snp::sig_r_offset, m.begin() + snp::sig_r_offset + 72, m.begin() + snp::sig_s_offset);
        CHECK_FALSE(snp::verify_report_signature(m, key->key()));
    }
    SECTION("the other Milan VCEK: key mismatch (hwID / TCB)") {
        const auto other = load_file("sevsnp/milan-go-sev-guest/vcek.der");
        auto r = ver.verify(raw, other, permissive());
        REQUIRE_FALSE(r);
        CHECK(r.error() == errc::key_mismatch);
        auto okey = snp::vcek::parse(other);
        REQUIRE(okey);
        CHECK_FALSE(snp::verify_report_signature(raw, okey->key()));
    }
    SECTION("the Turin VCEK for a Milan report: key mismatch") {
        auto r = ver.verify(raw, load_file("sevsnp/turin-oak/vcek.der"), permissive());
        REQUIRE_FALSE(r);
        INFO(r.error().what);
        CHECK(r.error() == errc::key_mismatch);
    }
    SECTION("a Turin report with a Milan VCEK: product mismatch") {
        auto r = ver.verify(load_file("sevsnp/turin-oak/attestation_report.bin"), vc, permissive());
        REQUIRE_FALSE(r);
        CHECK(r.error() == errc::key_mismatch);
        auto rep = snp::parse_report(load_file("sevsnp/turin-oak/attestation_report.bin"));
        REQUIRE(rep);
        CHECK(rep->cpuid_product() == snp::product::turin);
        auto e = snp::check_vcek_matches(*rep, key->fields());
        REQUIRE_FALSE(e);
        CHECK(std::string(e.error().what) == "snp: report CPUID product does not match the VCEK");
    }
    SECTION("VCEK SPL differs from REPORTED_TCB") {
        auto rep = snp::parse_report(raw);
        REQUIRE(rep);
        for (int field = 0; field < 4; ++field) {
            auto f = key->fields();
            auto t = snp::tcb_version::decode(rep->reported_tcb, snp::product::milan);
            if (field == 0) ++t.bootloader;
            if (field == 1) ++t.tee;
            if (field == 2) ++t.snp;
            if (field == 3) --t.microcode;
            auto m = *rep;
            m.reported_tcb = t.encode(snp::product::milan);
            auto e = snp::check_vcek_matches(m, f);
            REQUIRE_FALSE(e);
            CHECK(e.error() == errc::key_mismatch);
        }
        // And a report whose TCB exceeds its VCEK's fails end to end (it is also re-signed
        // region, so its signature fails too; the VCEK check comes first).
        auto m = raw;
        m[0x180] += 1;
        auto r = ver.verify(m, vc, permissive());
        REQUIRE_FALSE(r);
        CHECK(r.error() == errc::key_mismatch);
    }
    SECTION("POLICY bit 17 cleared: malformed") {
        auto m = raw;
        m[0x008 + 2] &= static_cast<std::uint8_t>(~0x02);
        auto r = snp::parse_report(m);
        REQUIRE_FALSE(r);
        CHECK(r.error() == errc::malformed);
    }
    SECTION("wrong versions, signature algorithms, sizes") {
        for (std::uint8_t ver_byte : {0, 1, 6, 7, 0xff}) {
            auto m = raw;
            m[0] = ver_byte;
            auto r = snp::parse_report(m);
            REQUIRE_FALSE(r);
            CHECK(r.error() == errc::unsupported);
        }
        for (std::uint8_t alg : {0, 2, 0xff}) {
            auto m = raw;
            m[0x34] = alg;
            auto r = snp::parse_report(m);
            REQUIRE_FALSE(r);
            CHECK(r.error() == errc::unsupported);
        }
        for (std::size_t n = 0; n < raw.size(); ++n) CHECK_FALSE(snp::parse_report(bytes_view(raw).first(n)));
        auto big = raw;
        big.push_back(0);
        CHECK_FALSE(snp::parse_report(big));
        CHECK_FALSE(ver.verify(big, vc, permissive()));
    }
    SECTION("reserved bytes and fields") {
        for (std::size_t off : {0x04Cu, 0x18Bu, 0x19Fu, 0x1EBu, 0x1EFu, 0x208u, 0x29Fu, 0x188u, 0x1F8u}) {
            auto m = raw;
            m[off] = 1;
            CAPTURE(off);
            auto r = snp::parse_report(m);
            REQUIRE_FALSE(r);
            CHECK(r.error() == errc::malformed);
        }
        auto m = raw;
        m[0x48] = 2 << 2;  // SIGNING_KEY 2 reserved
        CHECK_FALSE(snp::parse_report(m));
        m = raw;
        m[0x0F] = 0x80;  // POLICY bit 63
        CHECK_FALSE(snp::parse_report(m));
    }
    SECTION("R or S larger than 384 bits") {
        auto m = raw;
        m[snp::sig_r_offset + 50] = 1;
        CHECK_FALSE(snp::verify_report_signature(m, key->key()));
    }
}

TEST_CASE("snp: policy", "[snp][policy]") {
    auto ver = amd();
    const auto debug_raw = load_file("sevsnp/milan-go-sev-guest/attestation.bin");
    const auto debug_vcek = load_file("sevsnp/milan-go-sev-guest/vcek.der");
    const auto raw = load_file("sevsnp/milan-virtee/report_milan.bin");
    const auto vc = load_file("sevsnp/milan-virtee/vcek_milan.der");
    auto rep = snp::parse_report(raw);
    REQUIRE(rep);
    snp::policy p;
    p.now = 1760000000;

    SECTION("default policy: no measurement allowed") {
        auto r = ver.verify(raw, vc, p);
        REQUIRE_FALSE(r);
        CHECK(r.error() == errc::policy);
    }
    SECTION("measurement in the set, or via a callback") {
        p.measurements.push_back(rep->measurement);
        CHECK(ver.verify(raw, vc, p));
        p.measurements.clear();
        int calls = 0;
        p.measurement_check = [&](std::span<const std::uint8_t, 48> m) { ++calls; return equal_bytes(m, rep->measurement); };
        CHECK(ver.verify(raw, vc, p));
        CHECK(calls == 1);
        p.measurement_check = [](std::span<const std::uint8_t, 48>) { return false; };
        CHECK_FALSE(ver.verify(raw, vc, p));
    }
    SECTION("DEBUG rejected by default (go-sev-guest report, POLICY 0xB0000)") {
        p.allow_any_measurement_insecure = true;
        auto r = ver.verify(debug_raw, debug_vcek, p);
        REQUIRE_FALSE(r);
        CHECK(r.error() == errc::policy);
        p.allow_debug_insecure = true;
        CHECK(ver.verify(debug_raw, debug_vcek, p));
    }
    SECTION("policy bits, VMPL, TCB, SVN, fields") {
        p.allow_any_measurement_insecure = true;
        REQUIRE(ver.verify(raw, vc, p));
        auto expect_policy_fail = [&](const snp::policy& q) {
            auto r = ver.verify(raw, vc, q);
            REQUIRE_FALSE(r);
            CHECK(r.error() == errc::policy);
        };
        { auto q = p; q.policy_must_be_one = snp::policy_bit::single_socket; expect_policy_fail(q); }
        { auto q = p; q.policy_must_be_zero = snp::policy_bit::smt; expect_policy_fail(q); }
        { auto q = p; q.policy_must_be_one = snp::policy_bit::smt; CHECK(ver.verify(raw, vc, q)); }
        { auto q = p; q.min_guest_svn = 1; expect_policy_fail(q); }
        { auto q = p; q.min_tcb[snp::product::milan] = snp::tcb_version{0, 3, 0, 9, 0x73}; expect_policy_fail(q); }
        { auto q = p; q.min_tcb[snp::product::milan] = snp::tcb_version{0, 3, 0, 8, 0x73}; CHECK(ver.verify(raw, vc, q)); }
        { auto q = p; q.min_tcb[snp::product::turin] = snp::tcb_version{9, 9, 9, 9, 0xff}; CHECK(ver.verify(raw, vc, q)); }
        { auto q = p; q.host_data = std::array<std::uint8_t, 32>{1}; expect_policy_fail(q); }
        { auto q = p; q.host_data = rep->host_data; CHECK(ver.verify(raw, vc, q)); }
        { auto q = p; q.id_key_digest = std::array<std::uint8_t, 48>{1}; expect_policy_fail(q); }
        { auto q = p; q.author_key_digest = rep->author_key_digest; expect_policy_fail(q); }  // AUTHOR_KEY_EN clear
        { auto q = p; q.family_id = std::array<std::uint8_t, 16>{1}; expect_policy_fail(q); }
        { auto q = p; q.image_id = std::array<std::uint8_t, 16>{1}; expect_policy_fail(q); }
        { auto q = p; q.image_id = rep->image_id; q.family_id = rep->family_id; CHECK(ver.verify(raw, vc, q)); }
        { auto q = p; auto rd = rep->report_data; rd[63] ^= 1; q.report_data = rd; expect_policy_fail(q); }
        { auto q = p; q.report_data = rep->report_data; CHECK(ver.verify(raw, vc, q)); }
        { auto q = p; q.now = 1000000000; expect_policy_fail(q); }  // 2001: before the VCEK
        { auto q = p; q.now = 4000000000; expect_policy_fail(q); }  // 2096: after
        { auto q = p; q.now = 4000000000; q.ignore_cert_time_insecure = true; CHECK(ver.verify(raw, vc, q)); }
        auto r2 = *rep;
        r2.vmpl = 1;
        CHECK_FALSE(snp::check_policy(r2, snp::product::milan, p));
        auto q = p;
        q.max_vmpl = 1;
        CHECK(snp::check_policy(r2, snp::product::milan, q));
        r2.policy |= snp::policy_bit::migrate_ma;
        CHECK_FALSE(snp::check_policy(r2, snp::product::milan, q));
    }
}

TEST_CASE("snp: untrusted roots", "[snp][negative]") {
    const auto raw = load_file("sevsnp/milan-virtee/report_milan.bin");
    const auto vc = load_file("sevsnp/milan-virtee/vcek_milan.der");
    snp::policy p;
    p.allow_any_measurement_insecure = true;
    p.now = 1760000000;
    // An empty store trusts nothing.
    snp::verifier none(std::make_shared<const snp::trust_store>());
    auto r = none.verify(raw, vc, p, load_file("sevsnp/milan-virtee/cert_chain_milan.pem"));
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::key_mismatch);
    // A store with only Genoa and Turin does not accept a Milan chain even when it is supplied.
    auto s = std::make_shared<snp::trust_store>();
    REQUIRE(s->add_root(snp::product::genoa, as_bytes(snp::roots::ark_genoa_pem), as_bytes(snp::roots::ask_genoa_pem)));
    snp::verifier g(s);
    CHECK_FALSE(g.verify(raw, vc, p, load_file("sevsnp/milan-virtee/cert_chain_milan.pem")));
}

TEST_CASE("snp: products from CPUID and VCEK names; TCB layouts", "[snp]") {
    CHECK(snp::product_from_cpuid(0x19, 0x01) == snp::product::milan);
    CHECK(snp::product_from_cpuid(0x19, 0x11) == snp::product::genoa);
    CHECK(snp::product_from_cpuid(0x19, 0xA0) == snp::product::genoa);
    CHECK(snp::product_from_cpuid(0x1A, 0x02) == snp::product::turin);
    CHECK(snp::product_from_cpuid(0x17, 0x31) == snp::product::unknown);
    CHECK(snp::product_from_cpuid(0x19, 0x61) == snp::product::unknown);
    CHECK(snp::product_from_name("Milan-B0") == snp::product::milan);
    CHECK(snp::product_from_name("Genoa") == snp::product::genoa);
    CHECK(snp::product_from_name("Turin") == snp::product::turin);
    CHECK(snp::product_from_name("Naples") == snp::product::unknown);
    CHECK(snp::product_from_name("") == snp::product::unknown);
    // The same 8 bytes mean different things on Milan/Genoa and Turin.
    const std::uint64_t raw = 0x4700000002000100ull;  // Turin sample: fmc 0, bl 1, tee 0, snp 2, ucode 0x47
    const auto t = snp::tcb_version::decode(raw, snp::product::turin);
    CHECK(t == snp::tcb_version{0, 1, 0, 2, 0x47});
    const auto m = snp::tcb_version::decode(raw, snp::product::milan);
    CHECK(m == snp::tcb_version{0, 0, 1, 0, 0x47});
    CHECK(t.at_least(snp::tcb_version{0, 1, 0, 2, 0x47}));
    CHECK_FALSE(t.at_least(snp::tcb_version{0, 1, 0, 3, 0}));
}
