// ppx ratls inspect|verify and ppx snp inspect|verify (RA-TLS evidence, AMD SEV-SNP), as
// ../shared/CLI.md specifies.
#include "cli.hpp"
#include "snp_options.hpp"

#include <ppx/ratls.hpp>

#include <filesystem>
#include <sstream>

namespace ppx::cli {
namespace {

using namespace ppx::ratls;

// A positional input: @PATH, a path to an existing file, or hex.
bytes read_input(const std::string& v, const char* what) {
    if (!v.empty() && v[0] != '@' && std::filesystem::is_regular_file(v)) return read_file(v);
    return read_value(v, what);
}

bytes optional_input(const args& a, const char* name) {
    auto v = a.get(name);
    return v ? read_input(*v, name) : bytes{};
}

template <std::size_t N>
std::array<std::uint8_t, N> fixed_hex(const std::string& v, const char* what) {
    auto b = read_value(v, what);
    if (b.size() != N) throw usage_error(std::string("--") + what + " must be " + std::to_string(N) + " bytes");
    std::array<std::uint8_t, N> out;
    std::copy(b.begin(), b.end(), out.begin());
    return out;
}

json tcb_json(std::uint64_t raw, snp::product p) {
    const auto t = snp::tcb_version::decode(raw, p);
    std::uint8_t le[8];
    for (int i = 0; i < 8; ++i) le[i] = static_cast<std::uint8_t>(raw >> (8 * i));
    json j = {{"raw", to_hex(le)}, {"bootloader", t.bootloader}, {"tee", t.tee}, {"snp", t.snp}, {"microcode", t.microcode}};
    if (snp::uses_turin_tcb(p)) j["fmc"] = t.fmc;
    return j;
}

std::string hex64(std::uint64_t v) {
    std::ostringstream s;
    s << "0x" << std::hex << v;
    return s.str();
}

json policy_json(std::uint64_t p) {
    namespace b = snp::policy_bit;
    return {{"value", hex64(p)},
            {"abi_minor", p & 0xff},
            {"abi_major", (p >> 8) & 0xff},
            {"smt", (p & b::smt) != 0},
            {"migrate_ma", (p & b::migrate_ma) != 0},
            {"debug", (p & b::debug) != 0},
            {"single_socket", (p & b::single_socket) != 0},
            {"cxl_allow", (p & b::cxl_allow) != 0},
            {"mem_aes_256_xts", (p & b::mem_aes_256_xts) != 0},
            {"rapl_dis", (p & b::rapl_dis) != 0},
            {"ciphertext_hiding", (p & b::ciphertext_hiding) != 0},
            {"page_swap_disable", (p & b::page_swap_disable) != 0}};
}

json report_json(const snp::report& r, snp::product p) {
    const char* sk = r.signing_key() == snp::signing_key::vcek ? "vcek" : r.signing_key() == snp::signing_key::vlek ? "vlek" : "none";
    return {{"version", r.version},
            {"guest_svn", r.guest_svn},
            {"policy", policy_json(r.policy)},
            {"family_id", to_hex(r.family_id)},
            {"image_id", to_hex(r.image_id)},
            {"vmpl", r.vmpl},
            {"signature_algo", r.signature_algo},
            {"current_tcb", tcb_json(r.current_tcb, p)},
            {"platform_info", hex64(r.platform_info)},
            {"author_key_en", r.author_key_en()},
            {"mask_chip_key", r.mask_chip_key()},
            {"signing_key", sk},
            {"report_data", to_hex(r.report_data)},
            {"measurement", to_hex(r.measurement)},
            {"host_data", to_hex(r.host_data)},
            {"id_key_digest", to_hex(r.id_key_digest)},
            {"author_key_digest", to_hex(r.author_key_digest)},
            {"report_id", to_hex(r.report_id)},
            {"report_id_ma", to_hex(r.report_id_ma)},
            {"reported_tcb", tcb_json(r.reported_tcb, p)},
            {"cpuid_fam_id", r.cpuid_fam_id},
            {"cpuid_mod_id", r.cpuid_mod_id},
            {"cpuid_step", r.cpuid_step},
            {"chip_id", to_hex(r.chip_id)},
            {"committed_tcb", tcb_json(r.committed_tcb, p)},
            {"current_build", r.current_build},
            {"current_minor", r.current_minor},
            {"current_major", r.current_major},
            {"committed_build", r.committed_build},
            {"committed_minor", r.committed_minor},
            {"committed_major", r.committed_major},
            {"launch_tcb", tcb_json(r.launch_tcb, p)},
            {"launch_mit_vector", hex64(r.launch_mit_vector)},
            {"current_mit_vector", hex64(r.current_mit_vector)},
            {"signature", {{"r", to_hex(r.sig_r)}, {"s", to_hex(r.sig_s)}}},
            {"product", std::string(to_string(p))}};
}

std::shared_ptr<const snp::trust_store> roots_from(const args& a) {
    const auto r = a.get("roots").value_or("builtin");
    if (r == "builtin") return check(snp::trust_store::builtin(), "roots");
    // DIR holds ark_<product>.pem and (optionally) ask_<product>.pem, like AMD's cert_chain.
    auto s = std::make_shared<snp::trust_store>();
    std::size_t n = 0;
    for (auto p : {snp::product::milan, snp::product::genoa, snp::product::turin}) {
        std::string name(to_string(p));
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        const auto ark = std::filesystem::path(r) / ("ark_" + name + ".pem");
        const auto ask = std::filesystem::path(r) / ("ask_" + name + ".pem");
        if (!std::filesystem::exists(ark)) continue;
        const bytes inter = std::filesystem::exists(ask) ? read_file(ask.string()) : bytes{};
        check(s->add_root(p, read_file(ark.string()), inter), "roots");
        ++n;
    }
    if (n == 0) throw usage_error("--roots DIR holds no ark_<product>.pem");
    return s;
}

snp::policy policy_from(const args& a, bool& measurement_checked) {
    snp::policy p;
    for (const auto& m : a.all("measurement")) p.measurements.push_back(fixed_hex<48>(m, "measurement"));
    measurement_checked = !p.measurements.empty();
    // The tool reports measurement_checked=false instead of refusing when none is given.
    p.allow_any_measurement_insecure = p.measurements.empty();
    p.allow_debug_insecure = a.flag("allow-debug-insecure");
    for (const auto& t : a.all("min-tcb")) {
        auto [prod, tcb] = parse_min_tcb(t);
        p.min_tcb[prod] = tcb;
    }
    if (auto v = a.get_uint("max-vmpl")) p.max_vmpl = static_cast<std::uint32_t>(std::min<std::uint64_t>(*v, 0xffffffffu));
    if (auto v = a.get("host-data")) p.host_data = fixed_hex<32>(*v, "host-data");
    if (auto v = a.get("report-data")) p.report_data = fixed_hex<64>(*v, "report-data");
    if (auto v = a.get_uint("now")) p.now = static_cast<std::int64_t>(*v);
    return p;
}

json claims_json(const cbor::claims& c) {
    json j = {{"pubkey_hash_alg", c.pubkey_hash_alg_iana}, {"pubkey_hash", to_hex(c.pubkey_hash)}, {"names", c.names}};
    if (c.nonce) j["nonce"] = to_hex(*c.nonce);
    if (c.hpke_public_key) j["hpke_public_key"] = to_hex(*c.hpke_public_key);
    return j;
}

json quote_json(const intel_quote& q) {
    json j = {{"version", q.version}, {"att_key_type", q.att_key_type}, {"tee_type", q.tee_type},
              {"report_data", to_hex(q.report_data)}, {q.tee_type == 0 ? "mrenclave" : "mrtd", to_hex(q.mr_enclave)}};
    if (!q.mr_signer.empty()) j["mrsigner"] = to_hex(q.mr_signer);
    return j;
}

int ratls_inspect(const std::vector<std::string>& argv) {
    args a(argv, {}, {}, 1);
    const auto der = read_input(a.positional_required(0, "CERT"), "CERT");
    auto info = check(parse_certificate(der), "certificate");
    const auto b = check_binding(info);
    json ev = json::array();
    for (const auto& e : info.extensions) {
        json x = {{"oid", e.oid}, {"format", std::string(to_string(e.kind))}, {"critical", e.critical}, {"length", e.value.size()}};
        if (e.kind == extension_kind::gramine_legacy_sgx || e.kind == extension_kind::intel_sgx_legacy) {
            if (auto q = parse_intel_quote(e.value)) x["quote"] = quote_json(*q);
            else x["quote_error"] = q.error().what;
        } else if (e.kind == extension_kind::ccc_evidence && info.evidence) {
            x["cbor_tag"] = info.evidence->tag;
            x["claims_buffer"] = to_hex(info.evidence->claims_buffer);
            if (info.evidence->tag == cbor::tag_intel_tee_quote) {
                x["evidence_type"] = "intel-tee-quote";
                if (auto q = parse_intel_quote(info.evidence->evidence)) x["quote"] = quote_json(*q);
            } else if (info.evidence->tag == cbor::tag_amd_sev_snp) {
                x["evidence_type"] = "amd-sev-snp-report";
                if (auto r = snp::parse_report(info.evidence->evidence)) {
                    const auto p = r->cpuid_product() == snp::product::unknown ? snp::product::milan : r->cpuid_product();
                    x["report"] = report_json(*r, p);
                } else {
                    x["report_error"] = r.error().what;
                }
            } else {
                x["evidence_type"] = "unknown";
            }
        } else if (e.kind == extension_kind::ccc_endorsements && !e.value.empty()) {
            if (auto en = decode_snp_endorsements(e.value)) x["vcek_length"] = en->evidence.size();
        }
        ev.push_back(std::move(x));
    }
    json out = {{"subject", info.subject},
                {"spki_sha256", to_hex(crypto::digest<crypto::sha256>(info.spki_der))},
                {"self_signed_valid", info.self_signed_valid},
                {"not_before", info.not_before},
                {"not_after", info.not_after},
                {"evidence", ev},
                {"binding", b.bound()},
                {"binding_detail", {{"claims_bind_key", b.claims_bind_key}, {"evidence_binds_claims", b.evidence_binds_claims}, {"legacy_binds_key", b.legacy_binds_key}}}};
    out["claims"] = info.claims ? claims_json(*info.claims) : json(nullptr);
    return emit(out);
}

json verified_json(const snp::verified_report& v, bool measurement_checked) {
    return {{"valid", true},
            {"product", v.product_name},
            {"measurement", to_hex(v.rep.measurement)},
            {"measurement_checked", measurement_checked},
            {"report_data", to_hex(v.rep.report_data)},
            {"host_data", to_hex(v.rep.host_data)},
            {"vmpl", v.rep.vmpl},
            {"policy", policy_json(v.rep.policy)},
            {"reported_tcb", tcb_json(v.rep.reported_tcb, v.product)},
            {"chip_id", to_hex(v.rep.chip_id)},
            {"signing_key", v.vlek ? "vlek" : "vcek"},
            {"root", v.amd_root ? "amd" : "custom"}};
}

int ratls_verify(const std::vector<std::string>& argv) {
    args a(argv, {"roots", "measurement", "nonce", "min-tcb", "max-vmpl", "host-data", "vcek", "chain", "crl", "now"},
           {"allow-debug-insecure", "require-hpke-key"}, 1);
    const auto der = read_input(a.positional_required(0, "CERT"), "CERT");
    verify_options o;
    bool mchecked = false;
    o.policy = policy_from(a, mchecked);
    if (auto n = a.get("nonce")) o.nonce = read_value(*n, "--nonce");
    o.vcek = optional_input(a, "vcek");
    o.vcek_chain = optional_input(a, "chain");
    o.require_hpke_public_key = a.flag("require-hpke-key");
    snp::verifier sv(roots_from(a));
    if (a.has("crl")) sv.set_crl(optional_input(a, "crl"));
    certificate_verifier v(std::move(sv), std::move(o));
    auto peer = check(v.verify(der), "ratls verify");
    auto out = verified_json(peer.report, mchecked);
    out["claims"] = claims_json(peer.claims);
    out["spki_sha256"] = to_hex(crypto::digest<crypto::sha256>(peer.spki_der));
    return emit(out);
}

int snp_inspect(const std::vector<std::string>& argv) {
    args a(argv, {"product"}, {}, 1);
    const auto raw = read_input(a.positional_required(0, "REPORT"), "REPORT");
    auto r = check(snp::parse_report(raw), "report");
    snp::product p = r.cpuid_product();
    if (auto pr = a.get("product")) p = parse_product(*pr);
    if (p == snp::product::unknown) p = snp::product::milan;  // v2 reports: Milan/Genoa TCB layout
    return emit(report_json(r, p));
}

int snp_verify(const std::vector<std::string>& argv) {
    args a(argv, {"vcek", "chain", "roots", "measurement", "report-data", "min-tcb", "max-vmpl", "host-data", "crl", "now"},
           {"allow-debug-insecure"}, 1);
    const auto raw = read_input(a.positional_required(0, "REPORT"), "REPORT");
    const auto vcek = read_input(a.required("vcek"), "--vcek");
    bool mchecked = false;
    const auto pol = policy_from(a, mchecked);
    snp::verifier v(roots_from(a));
    if (a.has("crl")) v.set_crl(optional_input(a, "crl"));
    auto res = check(v.verify(raw, vcek, pol, optional_input(a, "chain")), "snp verify");
    return emit(verified_json(res, mchecked));
}

const char* verify_options_help =
    "  --roots builtin|DIR      trust AMD's compiled-in ARKs (default) or DIR/ark_<product>.pem (+ ask_<product>.pem)\n"
    "  --measurement HEX        allowed launch measurement (48 bytes), repeatable; none = not checked\n"
    "  --min-tcb P:bl=N,tee=N,snp=N,ucode=N[,fmc=N]   minimum REPORTED_TCB for product P, repeatable\n"
    "  --max-vmpl N             highest VMPL accepted (default 0)\n"
    "  --host-data HEX          required HOST_DATA (32 bytes)\n"
    "  --crl FILE               AMD CRL (DER/PEM) to check the chain against\n"
    "  --now UNIX               verification time for certificate validity (default: now)\n"
    "  --allow-debug-insecure   accept a DEBUG guest\n";

const registrar reg({
    {"ratls", "inspect",
     "ppx ratls inspect CERT\n  Decodes an RA-TLS certificate's evidence extensions (CCC 2.23.133.5.4.9 and .2, Gramine and\n"
     "  Intel SGX legacy), its claims, and the key binding. CERT: a DER/PEM file, @FILE or hex.\n"
     "  -> {\"evidence\": [{\"oid\", \"format\", ...}], \"claims\": {...}, \"binding\": BOOL, ...}",
     ratls_inspect},
    {"ratls", "verify",
     std::string("ppx ratls verify CERT [--roots builtin|DIR] [--measurement HEX]... [--nonce HEX] [--allow-debug-insecure]\n"
                 "                 [--min-tcb ...] [--vcek CERT --chain PEM] [--crl FILE] [--require-hpke-key] [--now UNIX]\n"
                 "  Appraises an RA-TLS certificate with SEV-SNP evidence: self-signature, key binding, report,\n"
                 "  VCEK and chain to a pinned root, policy. Intel SGX evidence is not appraised (exit 1, unsupported).\n") +
         verify_options_help +
         "  --nonce HEX              the challenge the certificate's nonce claim must equal\n"
         "  --vcek, --chain          VCEK and chain when the certificate carries no endorsements\n"
         "  -> {\"valid\": true, \"measurement\": HEX, \"product\": ..., \"claims\": {...}, ...}",
     ratls_verify},
    {"snp", "inspect",
     "ppx snp inspect REPORT [--product milan|genoa|turin]\n  Every ATTESTATION_REPORT field by its ABI name (TCB layout from CPUID, --product, or Milan for v2).\n  -> {\"version\": N, \"policy\": {...}, \"measurement\": HEX, ...}",
     snp_inspect},
    {"snp", "verify",
     std::string("ppx snp verify REPORT --vcek CERT [--chain PEM] [--roots builtin|DIR] [--measurement HEX]...\n"
                 "               [--report-data HEX] [--allow-debug-insecure] [--min-tcb ...] [--crl FILE] [--now UNIX]\n"
                 "  Verifies a report's signature under its VCEK, the VCEK against the report, the chain to a pinned root, and policy.\n") +
         verify_options_help + "  --report-data HEX        required REPORT_DATA (64 bytes)\n  -> {\"valid\": true, \"product\": \"...\", \"measurement\": HEX, ...}",
     snp_verify},
});

} // namespace
} // namespace ppx::cli
