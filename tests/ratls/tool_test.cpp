// `ppx ratls inspect|verify` and `ppx snp inspect|verify` run as the built binary
// (CLI.md: JSON on stdout, exit 0 success / 1 rejected / 2 usage).
#include "support.hpp"

#include "support/process.hpp"
#include "support/vectors.hpp"

#include <filesystem>
#include <fstream>

using namespace ppx;
using namespace ppx::ratls;
using namespace ppx::ratls::testing;

namespace {

struct tool_result {
    int status = -1;
    nlohmann::json out;  ///< stdout parsed as JSON (discarded if it is not), null if empty
};

tool_result run(const std::vector<std::string>& args) {
    if (!std::filesystem::exists(ppx::test::ppx_tool())) FAIL("ppx tool not built: " << ppx::test::ppx_tool());
    const auto r = ppx::test::run_ppx(args);
    tool_result t;
    t.status = r.status;
    if (!r.out.empty()) t.out = nlohmann::json::parse(r.out, nullptr, false);
    return t;
}

std::string vec(const std::string& rel) { return ppx::test::vector_path(rel); }

// `ppx snp verify` of a report under sevsnp/ with its VCEK, at a fixed time, with `extra` options.
tool_result snp_verify(const std::string& report, const std::string& vcek, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"snp", "verify", vec("sevsnp/" + report), "--vcek", vec("sevsnp/" + vcek), "--now", "1760000000"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run(args);
}

} // namespace

TEST_CASE("tool: snp inspect prints every field of the real reports", "[ratls][tool]") {
    for (const auto& v : ppx::test::load_json("sevsnp/expected.json")) {
        const auto r = run({"snp", "inspect", vec("sevsnp/" + v["report"].get<std::string>())});
        REQUIRE(r.status == 0);
        CHECK(r.out["measurement"] == v["fields"]["measurement"]);
        CHECK(r.out["report_data"] == v["fields"]["report_data"]);
        CHECK(r.out["chip_id"] == v["fields"]["chip_id"]);
        CHECK(r.out["policy"]["value"] == v["fields"]["policy"]);
        CHECK(r.out["reported_tcb"]["raw"] == v["fields"]["reported_tcb"]);
        CHECK(r.out["reported_tcb"]["microcode"] == v["reported_tcb_parts"]["microcode"]);
        CHECK(r.out["product"] == v["product"]);
    }
}

TEST_CASE("tool: snp verify accepts real reports and rejects debug, swapped VCEKs, unknown roots", "[ratls][tool]") {
    auto ok = snp_verify("milan-virtee/report_milan.bin", "milan-virtee/vcek_milan.der",
                         {"--measurement", "7a1e5c266c0108dbc9bb94fa926951320940915d0aafb42464bd88b579ea158d3e1a0dc39b2c60bd95b9c480cd81841f"});
    REQUIRE(ok.status == 0);
    CHECK(ok.out["valid"] == true);
    CHECK(ok.out["product"] == "Milan-B0");
    CHECK(ok.out["root"] == "amd");
    auto wrong_m = snp_verify("milan-virtee/report_milan.bin", "milan-virtee/vcek_milan.der", {"--measurement", std::string(96, '0')});
    CHECK(wrong_m.status == 1);
    CHECK(wrong_m.out["error"] == "policy");
    auto dbg = snp_verify("milan-go-sev-guest/attestation.bin", "milan-go-sev-guest/vcek.der");
    CHECK(dbg.status == 1);
    CHECK(dbg.out["error"] == "policy");
    auto dbg_ok = snp_verify("milan-go-sev-guest/attestation.bin", "milan-go-sev-guest/vcek.der", {"--allow-debug-insecure"});
    CHECK(dbg_ok.status == 0);
    auto swapped = snp_verify("milan-virtee/report_milan.bin", "milan-go-sev-guest/vcek.der");
    CHECK(swapped.status == 1);
    CHECK(swapped.out["error"] == "key_mismatch");
    auto turin = snp_verify("turin-oak/attestation_report.bin", "turin-oak/vcek.der", {"--min-tcb", "turin:fmc=0,bl=1,tee=0,snp=2,ucode=71"});
    CHECK(turin.status == 0);
    auto turin_low = snp_verify("turin-oak/attestation_report.bin", "turin-oak/vcek.der", {"--min-tcb", "turin:snp=3"});
    CHECK(turin_low.status == 1);
    // Roots from a directory that only has Genoa: the Milan report has no trusted root.
    auto dir = std::filesystem::temp_directory_path() / "ppx_ratls_tool_roots";
    std::filesystem::create_directories(dir);
    std::filesystem::copy_file(vec("sevsnp/amd-roots/ark_genoa.pem"), dir / "ark_genoa.pem", std::filesystem::copy_options::overwrite_existing);
    auto unk = snp_verify("milan-virtee/report_milan.bin", "milan-virtee/vcek_milan.der", {"--roots", dir.string()});
    CHECK(unk.status == 1);
    CHECK(unk.out["error"] == "key_mismatch");
    CHECK(run({"snp", "verify"}).status == 2);
    CHECK(run({"snp", "verify", vec("sevsnp/milan-virtee/report_milan.bin")}).status == 2);  // no --vcek
}

TEST_CASE("tool: ratls inspect and verify", "[ratls][tool]") {
    auto g = run({"ratls", "inspect", vec("ratls/ccc-interop/gramine-cert.pem")});
    REQUIRE(g.status == 0);
    CHECK(g.out["binding"] == true);
    CHECK(g.out["evidence"].size() == 2);
    CHECK(g.out["claims"]["pubkey_hash"] == "5a5a5b2d177433048e9d62409d1acc4ec526c06e294d09e69a36cff9369e4851");
    auto sgx = run({"ratls", "verify", vec("ratls/ccc-interop/rats-tls-cert.der"), "--now", "1690000000"});
    CHECK(sgx.status == 1);
    CHECK(sgx.out["error"] == "unsupported");

    // A simulated VM's certificate, verified with its test roots passed as a directory.
    auto& m = machine();
    auto cert = make_cert(m, bytes{1, 2, 3});
    auto dir = std::filesystem::temp_directory_path() / "ppx_ratls_tool_test";
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "ark_milan.pem") << m.ark_pem();
    std::ofstream(dir / "ask_milan.pem") << m.ask_pem();
    std::ofstream(dir / "cert.der", std::ios::binary).write(reinterpret_cast<const char*>(cert.der.data()), static_cast<std::streamsize>(cert.der.size()));
    const auto c = (dir / "cert.der").string();
    auto ins = run({"ratls", "inspect", c});
    REQUIRE(ins.status == 0);
    CHECK(ins.out["binding"] == true);
    CHECK(ins.out["evidence"][0]["evidence_type"] == "amd-sev-snp-report");
    const std::string meas = to_hex(test_measurement());
    auto ok = run({"ratls", "verify", c, "--roots", dir.string(), "--now", "1760000000", "--nonce", "010203", "--measurement", meas});
    REQUIRE(ok.status == 0);
    CHECK(ok.out["valid"] == true);
    CHECK(ok.out["measurement"] == meas);
    CHECK(ok.out["root"] == "custom");
    CHECK(ok.out["claims"]["hpke_public_key"] == to_hex(bytes(32, 0x42)));
    auto bad_nonce = run({"ratls", "verify", c, "--roots", dir.string(), "--now", "1760000000", "--nonce", "010204"});
    CHECK(bad_nonce.status == 1);
    auto builtin = run({"ratls", "verify", c, "--now", "1760000000"});
    CHECK(builtin.status == 1);
    CHECK(builtin.out["error"] == "key_mismatch");
    CHECK(run({"ratls", "verify"}).status == 2);
    CHECK(run({"ratls", "verify", c, "--bogus", "1"}).status == 2);
}
