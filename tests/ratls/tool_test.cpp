// `ppx ratls inspect|verify` and `ppx snp inspect|verify` run as the built binary
// (CLI.md: JSON on stdout, exit 0 success / 1 rejected / 2 usage).
#include "support.hpp"

#include "support/vectors.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sys/wait.h>

using namespace ppx;
using namespace ppx::ratls;
using namespace ppx::ratls::testing;

namespace {

struct run_result {
    int status = -1;
    nlohmann::json out;
};

run_result run(const std::string& args) {
    const std::string bin = std::string(PPX_BINARY_DIR) + "/tools/ppx";
    if (!std::filesystem::exists(bin)) FAIL("ppx tool not built: " << bin);
    const std::string cmd = bin + " " + args + " 2>/dev/null";
    FILE* p = ::popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    std::string text;
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
    const int st = ::pclose(p);
    run_result r;
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    if (!text.empty()) r.out = nlohmann::json::parse(text, nullptr, false);
    return r;
}

std::string vec(const std::string& rel) { return ppx::test::vector_path(rel); }

} // namespace

TEST_CASE("tool: snp inspect prints every field of the real reports", "[ratls][tool]") {
    for (const auto& v : ppx::test::load_json("sevsnp/expected.json")) {
        const auto r = run("snp inspect " + vec("sevsnp/" + v["report"].get<std::string>()));
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
    auto ok = run("snp verify " + vec("sevsnp/milan-virtee/report_milan.bin") + " --vcek " + vec("sevsnp/milan-virtee/vcek_milan.der") +
                  " --now 1760000000 --measurement 7a1e5c266c0108dbc9bb94fa926951320940915d0aafb42464bd88b579ea158d3e1a0dc39b2c60bd95b9c480cd81841f");
    REQUIRE(ok.status == 0);
    CHECK(ok.out["valid"] == true);
    CHECK(ok.out["product"] == "Milan-B0");
    CHECK(ok.out["root"] == "amd");
    auto wrong_m = run("snp verify " + vec("sevsnp/milan-virtee/report_milan.bin") + " --vcek " + vec("sevsnp/milan-virtee/vcek_milan.der") +
                       " --now 1760000000 --measurement " + std::string(96, '0'));
    CHECK(wrong_m.status == 1);
    CHECK(wrong_m.out["error"] == "policy");
    auto dbg = run("snp verify " + vec("sevsnp/milan-go-sev-guest/attestation.bin") + " --vcek " + vec("sevsnp/milan-go-sev-guest/vcek.der") + " --now 1760000000");
    CHECK(dbg.status == 1);
    CHECK(dbg.out["error"] == "policy");
    auto dbg_ok = run("snp verify " + vec("sevsnp/milan-go-sev-guest/attestation.bin") + " --vcek " + vec("sevsnp/milan-go-sev-guest/vcek.der") +
                      " --now 1760000000 --allow-debug-insecure");
    CHECK(dbg_ok.status == 0);
    auto swapped = run("snp verify " + vec("sevsnp/milan-virtee/report_milan.bin") + " --vcek " + vec("sevsnp/milan-go-sev-guest/vcek.der") + " --now 1760000000");
    CHECK(swapped.status == 1);
    CHECK(swapped.out["error"] == "key_mismatch");
    auto turin = run("snp verify " + vec("sevsnp/turin-oak/attestation_report.bin") + " --vcek " + vec("sevsnp/turin-oak/vcek.der") +
                     " --now 1760000000 --min-tcb turin:fmc=0,bl=1,tee=0,snp=2,ucode=71");
    CHECK(turin.status == 0);
    auto turin_low = run("snp verify " + vec("sevsnp/turin-oak/attestation_report.bin") + " --vcek " + vec("sevsnp/turin-oak/vcek.der") +
                         " --now 1760000000 --min-tcb turin:snp=3");
    CHECK(turin_low.status == 1);
    // Roots from a directory that only has Genoa: the Milan report has no trusted root.
    auto dir = std::filesystem::temp_directory_path() / "ppx_ratls_tool_roots";
    std::filesystem::create_directories(dir);
    std::filesystem::copy_file(vec("sevsnp/amd-roots/ark_genoa.pem"), dir / "ark_genoa.pem", std::filesystem::copy_options::overwrite_existing);
    auto unk = run("snp verify " + vec("sevsnp/milan-virtee/report_milan.bin") + " --vcek " + vec("sevsnp/milan-virtee/vcek_milan.der") +
                   " --now 1760000000 --roots " + dir.string());
    CHECK(unk.status == 1);
    CHECK(unk.out["error"] == "key_mismatch");
    CHECK(run("snp verify").status == 2);
    CHECK(run("snp verify " + vec("sevsnp/milan-virtee/report_milan.bin")).status == 2);  // no --vcek
}

TEST_CASE("tool: ratls inspect and verify", "[ratls][tool]") {
    auto g = run("ratls inspect " + vec("ratls/ccc-interop/gramine-cert.pem"));
    REQUIRE(g.status == 0);
    CHECK(g.out["binding"] == true);
    CHECK(g.out["evidence"].size() == 2);
    CHECK(g.out["claims"]["pubkey_hash"] == "5a5a5b2d177433048e9d62409d1acc4ec526c06e294d09e69a36cff9369e4851");
    auto sgx = run("ratls verify " + vec("ratls/ccc-interop/rats-tls-cert.der") + " --now 1690000000");
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
    auto ins = run("ratls inspect " + c);
    REQUIRE(ins.status == 0);
    CHECK(ins.out["binding"] == true);
    CHECK(ins.out["evidence"][0]["evidence_type"] == "amd-sev-snp-report");
    const std::string meas = to_hex(test_measurement());
    auto ok = run("ratls verify " + c + " --roots " + dir.string() + " --now 1760000000 --nonce 010203 --measurement " + meas);
    REQUIRE(ok.status == 0);
    CHECK(ok.out["valid"] == true);
    CHECK(ok.out["measurement"] == meas);
    CHECK(ok.out["root"] == "custom");
    CHECK(ok.out["claims"]["hpke_public_key"] == to_hex(bytes(32, 0x42)));
    auto bad_nonce = run("ratls verify " + c + " --roots " + dir.string() + " --now 1760000000 --nonce 010204");
    CHECK(bad_nonce.status == 1);
    auto builtin = run("ratls verify " + c + " --now 1760000000");
    CHECK(builtin.status == 1);
    CHECK(builtin.out["error"] == "key_mismatch");
    CHECK(run("ratls verify").status == 2);
    CHECK(run("ratls verify " + c + " --bogus 1").status == 2);
}
