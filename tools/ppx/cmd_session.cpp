// ppx session run: a Private Processing client (docs/PROTOCOL.md §4.1, §4.2) against a
// deployment: directory, issuer, relay (and the log for consistency proofs), every trust
// anchor given on the command line. The HTTP driving is tools/support/session_http.hpp,
// shared with the private_processing example's client.
#include "cli.hpp"
#include "snp_options.hpp"

#ifdef PPX_HAVE_HTTPLIB
#include <ppx/session/client.hpp>
#include <session_http.hpp>

#include <filesystem>
#endif

namespace ppx::cli {
namespace {

#ifdef PPX_HAVE_HTTPLIB
using namespace ppx::session;
namespace snp = ppx::ratls::snp;


// --roots builtin|DIR: AMD's ARKs compiled in, or DIR/ark_<product>.pem (+ ask_<product>.pem).
std::shared_ptr<const snp::trust_store> roots_of(const std::string& r) {
    if (r == "builtin") return check(snp::trust_store::builtin(), "roots");
    auto s = std::make_shared<snp::trust_store>();
    std::size_t n = 0;
    for (const char* p : {"milan", "genoa", "turin"}) {
        const auto ark = std::filesystem::path(r) / (std::string("ark_") + p + ".pem");
        const auto ask = std::filesystem::path(r) / (std::string("ask_") + p + ".pem");
        if (!std::filesystem::exists(ark)) continue;
        const bytes inter = std::filesystem::exists(ask) ? read_file(ask.string()) : bytes{};
        check(s->add_root(parse_product(p), read_file(ark.string()), inter), "roots");
        ++n;
    }
    if (n == 0) throw usage_error("--roots DIR holds no ark_<product>.pem");
    return s;
}

merkle::verifier vkey_of(const std::string& v, const char* what) {
    auto k = merkle::verifier::parse(v);
    if (!k) throw usage_error(std::string(what) + " is not a note verifier key (NAME+HEXID+BASE64)");
    return std::move(*k);
}

json tcb_json(const snp::tcb_version& t) {
    return {{"bootloader", t.bootloader}, {"tee", t.tee}, {"snp", t.snp}, {"microcode", t.microcode}, {"fmc", t.fmc}};
}

int run(const std::vector<std::string>& argv) {
    args a(argv,
           {"directory", "issuer", "relay", "log", "gateway-name", "issuer-name", "log-vkey", "log-origin", "witness", "quorum",
            "roots", "min-tcb", "measurement", "prompt", "tokens", "state", "timeout"},
           {});
    // Trust anchors.
    std::vector<merkle::verifier> witnesses;
    for (const auto& w : a.all("witness")) witnesses.push_back(vkey_of(w, "--witness"));
    const std::size_t quorum = a.get_uint("quorum").value_or(witnesses.size());
    if (quorum > witnesses.size()) throw usage_error("--quorum exceeds the number of --witness keys");
    merkle::trust_policy log_policy{vkey_of(a.required("log-vkey"), "--log-vkey"), a.get("log-origin").value_or(""), std::move(witnesses),
                                    quorum, 0, 600};
    snp::policy vm_policy;
    for (const auto& t : a.all("min-tcb")) {
        auto mt = parse_min_tcb(t);
        vm_policy.min_tcb[mt.first] = mt.second;
    }
    for (const auto& m : a.all("measurement")) {
        auto b = from_hex(m);
        if (!b || b->size() != 48) throw usage_error("--measurement wants 48 bytes of hex");
        snp::measurement_t pin{};
        std::copy(b->begin(), b->end(), pin.begin());
        vm_policy.measurements.push_back(pin);
    }
    const std::uint64_t batch = a.get_uint("tokens").value_or(1);
    if (batch == 0 || batch > privacypass::max_generic_batch) throw usage_error("--tokens out of range");
    auto cfg = std::make_shared<const client_config>(client_config{std::move(log_policy), roots_of(a.get("roots").value_or("builtin")),
                                                                   std::move(vm_policy), a.required("gateway-name"),
                                                                   a.required("issuer-name"), static_cast<std::size_t>(batch)});
    const std::string prompt_arg = a.required("prompt");
    const bytes prompt = !prompt_arg.empty() && prompt_arg[0] == '@' ? read_file(prompt_arg.substr(1)) : to_bytes(as_bytes(prompt_arg));
    if (prompt.empty()) throw usage_error("--prompt is empty");
    const std::string state_file = a.get("state").value_or("");
    auto state = state_file.empty() ? std::make_shared<client_state>() : check(programs::load_client_state(state_file), "state");

    // The session, driven over HTTP.
    client_session c(cfg, system_rng(), state);
    json out;
    secure_bytes reply;
    std::optional<error> failed;
    auto on_event = [&](const client_event& e) {
        if (auto* k = std::get_if<keys_verified>(&e)) {
            out["log"] = {{"size", k->log_size}, {"previous_size", k->previous_log_size},
                          {"root", to_hex(bytes_view(k->log_root.data(), k->log_root.size()))}, {"witnesses", k->witnesses}};
            out["keys"] = {{"gateway_key_index", k->gateway_key_index}, {"issuer_key_index", k->issuer_key_index}};
        }
        if (auto* t = std::get_if<tokens_issued>(&e)) out["tokens"]["issued"] = t->count;
        if (auto* v = std::get_if<vm_attested>(&e))
            out["vm"] = {{"id", v->vm_id},
                         {"product", v->product},
                         {"measurement", to_hex(v->measurement)},
                         {"measurement_index", v->measurement_index},
                         {"tcb", tcb_json(v->tcb)},
                         {"nonce", to_hex(v->nonce)}};
        if (auto* s = std::get_if<request_sent>(&e)) out["tokens"]["left"] = s->tokens_left;
        if (auto* r = std::get_if<reply_chunk>(&e)) reply.insert(reply.end(), r->data.begin(), r->data.end());
        if (auto* f = std::get_if<client_failed>(&e)) failed = f->err;
    };
    programs::http_session_driver drive(c, {a.required("directory"), a.required("issuer"), a.required("relay"), a.get("log").value_or("")},
                                        on_event);
    drive.read_timeout_seconds = static_cast<int>(a.get_uint("timeout").value_or(30));
    bool complete = drive.establish();
    if (complete) complete = drive.ask(prompt);
    c.close();
    if (!state_file.empty()) check(programs::save_client_state(state_file, *state), "state");
    if (!complete) {
        const error e = failed.value_or(error{errc::internal, "session: ended without a reply"});
        throw input_error(std::string(to_string(e.code)),
                          std::string(e.what) + (reply.empty() ? "; nothing was sent to the VM after the failed check"
                                                               : "; a partial reply was received and discarded"));
    }
    out["reply_bytes"] = reply.size();
    const std::string text(reply.begin(), reply.end());
    try {
        (void)json(text).dump();
        out["reply"] = text;
    } catch (const json::type_error&) {  // not UTF-8: give it as hex
        out["reply_hex"] = to_hex(reply);
    }
    out["gateway"] = a.required("gateway-name");
    return emit(out);
}

const registrar reg({
    {"session", "run",
     "ppx session run --directory URL --issuer URL --relay URL --gateway-name NAME --issuer-name NAME\n"
     "                --log-vkey VKEY [--log-origin NAME] [--witness VKEY]... [--quorum K]\n"
     "                [--roots builtin|DIR] [--min-tcb PRODUCT:bl=N,tee=N,snp=N,ucode=N[,fmc=N]]...\n"
     "                [--measurement HEX]... --prompt TEXT|@FILE [--log URL] [--state FILE] [--tokens N] [--timeout S]\n"
     "  A Private Processing client (docs/PROTOCOL.md): fetches the gateway directory from --directory\n"
     "  and checks both keys are in the log (checkpoint signed by --log-vkey and --quorum of the\n"
     "  --witness keys, default all); gets --tokens (default 1) tokens from the issuer; through the relay,\n"
     "  asks for a VM's attestation bound to a fresh nonce (SEV-SNP under --roots, TCB >= --min-tcb,\n"
     "  measurement proved in the log and, with --measurement, one of those); only then sends the prompt\n"
     "  sealed to the VM and reads the streamed reply. --state FILE keeps the log view between runs: a\n"
     "  grown log needs a consistency proof (fetched from --log), a rollback or fork is refused.\n"
     "  -> {\"reply\": TEXT (or \"reply_hex\"), \"reply_bytes\": N, \"gateway\": NAME,\n"
     "      \"log\": {\"size\": N, \"previous_size\": N, \"root\": HEX, \"witnesses\": [...]},\n"
     "      \"keys\": {\"gateway_key_index\": N, \"issuer_key_index\": N},\n"
     "      \"vm\": {\"id\": HEX, \"product\": S, \"measurement\": HEX, \"measurement_index\": N, \"tcb\": {...}, \"nonce\": HEX},\n"
     "      \"tokens\": {\"issued\": N, \"left\": N}}\n"
     "  Any failed check: exit 1 with {\"error\": ERRC, \"detail\": ...}; nothing further is sent.",
     run},
});
#endif

} // namespace
} // namespace ppx::cli
