// The main example: a Private Processing deployment on loopback, one process per party, over
// HTTP/1.1 (cpp-httplib). Every protocol step is a ppx::session state machine; this program
// only moves bytes between sockets and those machines, and reads the clock.
//
//   private_processing setup   --out FILE [--vms N] [--rogue-vms N]
//   private_processing witness --deployment FILE --listen ADDR
//   private_processing log     --deployment FILE --listen ADDR --witness URL
//   private_processing issuer  --deployment FILE --listen ADDR
//   private_processing vm      --deployment FILE --index I --listen ADDR --log URL [--delay-ms N] [--die-after N]
//   private_processing gateway --deployment FILE --listen ADDR --log URL --vm URL... [--store redis://H:P|memory]
//   private_processing relay   --listen ADDR --gateway URL
//   private_processing client  --deployment FILE --directory URL --issuer URL --relay URL [--chat FILE]
//                              [--log URL] [--state FILE] [--duplicate-via RELAY_URL]
//
// Servers print {"listening": "127.0.0.1:PORT"} as their first line (port 0 picks one), log one
// line per request on stderr, and stop on SIGTERM/SIGINT. `setup` stands in for the parties
// generating their own keys: in a real deployment each VM makes its key inside the TEE and the
// AMD firmware signs its report; here one simulated SEV-SNP chip does (ppx::ratls::simulated_snp_provider).
#include <ppx/session/simulated.hpp>
#include <serve_loop.hpp>    // tools/support: the listen/serve loop, shared with the ppx tool
#include <session_http.hpp>  // tools/support: the client's HTTP driver, shared with `ppx session run`
#ifdef PPX_HAVE_HIREDIS
#include <ppx/privacypass/redis_spend_store.hpp>
#endif

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <algorithm>
#include <thread>

using namespace ppx;
using namespace ppx::session;
using json = nlohmann::json;
using ppx::programs::split_url;
using ppx::programs::unix_now;

namespace {

// ---------------------------------------------------------------- small helpers

struct usage : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct options {
    std::multimap<std::string, std::string> kv;
    std::string get(const std::string& k, const std::string& def = "") const {
        auto it = kv.find(k);
        return it == kv.end() ? def : it->second;
    }
    std::string need(const std::string& k) const {
        auto it = kv.find(k);
        if (it == kv.end()) throw usage("missing --" + k);
        return it->second;
    }
    std::vector<std::string> all(const std::string& k) const {
        std::vector<std::string> v;
        for (auto [a, b] = kv.equal_range(k); a != b; ++a) v.push_back(a->second);
        return v;
    }
};

options parse_options(int argc, char** argv, int from) {
    options o;
    for (int i = from; i < argc; ++i) {
        std::string a = argv[i];
        if (a.rfind("--", 0) != 0 || i + 1 >= argc) throw usage("bad argument " + a);
        o.kv.emplace(a.substr(2), argv[++i]);
    }
    return o;
}

template <class T>
T must(result<T> r, const char* what) {
    if (!r) throw std::runtime_error(std::string(what) + ": " + std::string(to_string(r.error().code)) + " (" + r.error().what + ")");
    return std::move(*r);
}
inline void must(result<void> r, const char* what) {
    if (!r) throw std::runtime_error(std::string(what) + ": " + std::string(to_string(r.error().code)) + " (" + r.error().what + ")");
}

json load(const std::string& path) {
    std::ifstream f(path);
    if (!f) throw std::runtime_error("cannot read " + path);
    return json::parse(f);
}
bytes hex(const json& j) { return must(from_hex(j.get<std::string>()), "hex"); }
std::string str(bytes_view b) { return std::string(as_chars(b)); }
bytes body_of(const std::string& s) { return to_bytes(std::string_view(s)); }

// Serves on LISTEN (HOST:PORT; port 0 picks one) until SIGTERM/SIGINT, with the ppx tool's loop.
int serve(httplib::Server& svr, const std::string& listen) {
    const auto c = listen.rfind(':');
    const int status = programs::serve_until_signal(svr, listen.substr(0, c), std::stoi(listen.substr(c + 1)));
    if (status < 0) throw std::runtime_error("cannot listen on " + listen);
    return status;
}

void log_line(const std::string& who, const std::string& what) {
    static std::mutex mu;
    std::lock_guard g(mu);
    std::cerr << "[" << who << "] " << what << std::endl;
}

// ---------------------------------------------------------------- setup

int run_setup(const options& o) {
    simulated_options so;
    so.now = unix_now();
    so.approved_vms = std::stoul(o.get("vms", "1"));
    so.rogue_vms = std::stoul(o.get("rogue-vms", "1"));
    auto d = must(make_simulated_deployment(so, system_rng()), "setup");
    json j;
    j["names"] = {{"gateway", so.gateway_name}, {"issuer", so.issuer_name}, {"log", so.log_origin}, {"witness", so.witness_name}};
    json entries = json::array();
    for (std::uint64_t i = 0; i < d.log->size(); ++i) entries.push_back(to_hex(must(d.log->entry(i), "entry")));
    j["log"] = {{"skey", str(d.log->signer().to_private_string())}, {"entries", entries}, {"measurement_index", d.measurement_index},
                {"gateway_key_index", d.gateway_key_index}, {"issuer_key_index", d.issuer_key_index}};
    j["witness"] = {{"skey", str(d.witness->to_private_string())}, {"log_vkey", d.log->signer().to_verifier().to_string()}};
    j["issuer"] = {{"sk", to_hex(must(d.issuer->type2.keys().front().sk.to_pkcs8_der(), "issuer key"))}};
    j["gateway"] = {{"config", to_hex(d.gateway_key_config)}, {"sk", to_hex(d.gateway_sk)}, {"token_key", to_hex(d.token_key)},
                    {"challenge", to_hex(d.token_challenge)}};
    json vms = json::array();
    for (const auto& v : d.vms)
        vms.push_back({{"sk", to_hex(v.hpke_sk)}, {"config", to_hex(v.identity->key_config())}, {"certificate", to_hex(v.certificate)},
                       {"approved", v.approved}, {"measurement", to_hex(v.measurement)}});
    j["vms"] = vms;
    // The simulated chip's signing half, so each VM process can attest per session (in a real
    // deployment the AMD firmware inside each host does this).
    const auto chip = must(d.chip->export_signing(), "chip");
    j["chip"] = {{"vcek_sk", to_hex(chip.vcek_key)}, {"chip_id", to_hex(chip.chip_id)}, {"report_id", to_hex(chip.report_id)},
                 {"vcek_der", to_hex(d.chip->vcek_der())}};
    const auto& cc = *d.client;
    const auto tcb = so.tcb;
    j["client"] = {{"log_vkey", cc.log_policy.log_key.to_string()},
                   {"witness_vkey", d.witness->to_verifier().to_string()},
                   {"ark_pem", d.chip->ark_pem()},
                   {"ask_pem", d.chip->ask_pem()},
                   {"min_tcb", json::array({tcb.fmc, tcb.bootloader, tcb.tee, tcb.snp, tcb.microcode})}};
    std::ofstream f(o.need("out"));
    f << j.dump(1) << "\n";
    std::cout << json{{"deployment", o.need("out")}, {"vms", d.vms.size()}}.dump() << std::endl;
    return 0;
}

// ---------------------------------------------------------------- witness

// A witness (c2sp.org/tlog-witness, simplified): cosigns a checkpoint the log signed, never
// one smaller than the last it cosigned (it would be a rollback).
int run_witness(const options& o) {
    const json j = load(o.need("deployment"));
    const auto signer = must(merkle::note_signer::parse(j["witness"]["skey"].get<std::string>()), "witness key");
    const auto log_key = must(merkle::verifier::parse(j["witness"]["log_vkey"].get<std::string>()), "log key");
    std::mutex mu;
    std::uint64_t last = 0;
    httplib::Server svr;
    svr.Post("/add-checkpoint", [&](const httplib::Request& req, httplib::Response& res) {
        auto cp = merkle::verify_checkpoint(req.body, merkle::trust_policy::log_only(log_key));
        std::lock_guard g(mu);
        if (!cp || cp->size() < last) {
            res.status = 409;
            log_line("witness", "refused a checkpoint");
            return;
        }
        last = cp->size();
        auto out = signer.add_to(req.body, unix_now());
        if (!out) {
            res.status = 500;
            return;
        }
        res.set_content(*out, "text/plain");
        log_line("witness", "cosigned checkpoint of size " + std::to_string(cp->size()));
    });
    return serve(svr, o.need("listen"));
}

// ---------------------------------------------------------------- log

int run_log(const options& o) {
    const json j = load(o.need("deployment"));
    auto signer = must(merkle::note_signer::parse(j["log"]["skey"].get<std::string>()), "log key");
    merkle::memory_log log(j["names"]["log"].get<std::string>(), std::move(signer));
    for (const auto& e : j["log"]["entries"]) must(log.append(hex(e)), "append");
    const std::string note = must(log.checkpoint_note(), "checkpoint");
    auto [wbase, wpath] = split_url(o.need("witness"));
    httplib::Client wc(wbase);
    auto wr = wc.Post("/add-checkpoint", note, "text/plain");
    if (!wr || wr->status != 200) throw std::runtime_error("the witness did not cosign");
    const std::string cosigned = wr->body;
    log_line("log", "published " + std::to_string(log.size()) + " entries; checkpoint cosigned by the witness");
    httplib::Server svr;
    svr.Get("/checkpoint", [&](const httplib::Request&, httplib::Response& res) { res.set_content(cosigned, "text/plain"); });
    svr.Get("/proof", [&](const httplib::Request& req, httplib::Response& res) {
        const auto index = std::stoull(req.get_param_value("index"));
        auto p = log.inclusion_proof(index, log.size());
        if (!p) {
            res.status = 404;
            return;
        }
        bytes flat(p->size() * merkle::hash_size);
        (void)merkle::proof_to_bytes(*p, flat);
        res.set_content(to_hex(flat), "text/plain");
        log_line("log", "inclusion proof for entry " + std::to_string(index));
    });
    // RFC 9162 §2.1.4: the consistency proof between two sizes, as concatenated hashes
    // (session::consistency_path).
    svr.Get(std::string(consistency_path), [&](const httplib::Request& req, httplib::Response& res) {
        const auto first = std::stoull(req.get_param_value("first")), second = std::stoull(req.get_param_value("second"));
        auto p = log.consistency_proof(first, second);
        if (!p) {
            res.status = 404;
            return;
        }
        bytes flat(p->size() * merkle::hash_size);
        (void)merkle::proof_to_bytes(*p, flat);
        res.set_content(str(flat), std::string(consistency_media_type));
        log_line("log", "consistency proof " + std::to_string(first) + " -> " + std::to_string(second));
    });
    return serve(svr, o.need("listen"));
}

// A stapled proof of entry `index`, fetched from the log.
std::pair<std::string, stapled_proof> fetch_proof(const std::string& log_url, std::uint64_t index) {
    httplib::Client c(log_url);
    auto cp = c.Get("/checkpoint");
    auto pr = c.Get(("/proof?index=" + std::to_string(index)).c_str());
    if (!cp || cp->status != 200 || !pr || pr->status != 200) throw std::runtime_error("the log is unreachable");
    return {cp->body, stapled_proof{index, must(merkle::proof_from_bytes(must(from_hex(pr->body), "proof")), "proof")}};
}

// ---------------------------------------------------------------- issuer

int run_issuer(const options& o) {
    const json j = load(o.need("deployment"));
    privacypass::issuer is;
    must(is.type2.add_key(must(blindrsa::private_key::from_der(hex(j["issuer"]["sk"])), "issuer key")), "issuer key");
    httplib::Server svr;
    svr.Post("/token-request", [&](const httplib::Request& req, httplib::Response& res) {
        if (req.get_header_value("Content-Type") != privacypass::media_type_generic_request) {
            res.status = 415;
            return;
        }
        auto out = is.handle_generic(body_of(req.body), system_rng());  // batched-tokens-07 §6.2
        if (!out) {
            res.status = 422;
            return;
        }
        res.status = out->status();
        res.set_content(str(out->body), std::string(privacypass::media_type_generic_response));
        log_line("issuer", "issued " + std::to_string(out->issued) + " of " + std::to_string(out->requested) + " blind signatures");
    });
    return serve(svr, o.need("listen"));
}

// ---------------------------------------------------------------- the VM's "AI"

// A deterministic summariser of a group chat ("Name: message" lines): who spoke, what was
// talked about most, what was decided or asked. Returns the summary in pieces, as a model
// would stream tokens.
std::vector<std::string> summarise(std::string_view chat) {
    std::map<std::string, int> speakers;
    std::map<std::string, int> words;
    std::vector<std::string> decisions, questions;
    static const std::set<std::string> stop = {"the", "a", "an", "and", "or", "to", "of", "in", "on", "for", "is", "it", "we", "i",
                                                "you", "at", "be", "this", "that", "with", "so", "are", "can", "will", "let's", "lets",
                                                "me", "my", "our", "do", "if", "ok", "okay", "yes", "no", "but", "just", "then", "what",
                                                "who", "how", "all", "s", "t", "from", "about", "up", "us", "as", "have", "has", "not",
                                                "i'll", "we'll", "sounds", "good", "great", "also", "too", "there", "by", "should"};
    std::size_t lines = 0;
    std::istringstream in{std::string(chat)};
    for (std::string line; std::getline(in, line);) {
        const auto colon = line.find(':');
        if (colon == std::string::npos || colon == 0) continue;
        ++lines;
        const std::string who = line.substr(0, colon);
        std::string msg = line.substr(colon + 1);
        while (!msg.empty() && msg.front() == ' ') msg.erase(msg.begin());
        ++speakers[who];
        std::string lower;
        for (char c : msg) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (lower.find("agreed") != std::string::npos || lower.find("decided") != std::string::npos ||
            lower.find("let's") != std::string::npos || lower.find("we'll") != std::string::npos)
            decisions.push_back(who + ": " + msg);
        else if (!msg.empty() && msg.back() == '?')
            questions.push_back(who + ": " + msg);
        std::string w;
        for (char c : lower + " ") {
            if (std::isalnum(static_cast<unsigned char>(c)) || c == '\'') w += c;
            else {
                if (w.size() > 2 && !stop.count(w)) ++words[w];
                w.clear();
            }
        }
    }
    std::vector<std::string> out;
    std::string who;
    for (const auto& [name, n] : speakers) who += (who.empty() ? "" : ", ") + name + " (" + std::to_string(n) + ")";
    out.push_back("Summary of " + std::to_string(lines) + " messages from " + std::to_string(speakers.size()) + " people: " + who + ".\n");
    std::vector<std::pair<int, std::string>> top;
    for (const auto& [w, n] : words) top.emplace_back(-n, w);
    std::sort(top.begin(), top.end());
    std::string topics;
    for (std::size_t i = 0; i < top.size() && i < 5; ++i) topics += (i ? ", " : "") + top[i].second;
    out.push_back("Main topics: " + (topics.empty() ? std::string("none") : topics) + ".\n");
    if (!decisions.empty()) {
        out.push_back("Decided:\n");
        for (const auto& d : decisions) out.push_back("  - " + d + "\n");
    }
    if (!questions.empty()) {
        out.push_back("Open questions:\n");
        for (const auto& q : questions) out.push_back("  - " + q + "\n");
    }
    return out;
}

// ---------------------------------------------------------------- VM

int run_vm(const options& o) {
    const json j = load(o.need("deployment"));
    const std::size_t index = std::stoul(o.need("index"));
    const json& v = j["vms"].at(index);
    auto cfg = must(ohttp::key_config::parse(hex(v["config"])), "vm key config");
    auto sk = must(hpke::private_key::from_bytes(hpke::kem_id::x25519_sha256, hex(v["sk"])), "vm key");
    auto id = std::make_shared<const vm_identity>(must(vm_identity::make(std::move(cfg), std::move(sk)), "vm identity"));
    const std::string name = "vm" + std::to_string(index);
    // The VM staples the log's proof for the approved measurement entry. (A VM running an
    // unapproved image can do no better: its own measurement is in no entry.)
    // Named variables, not a structured binding: the handlers below capture them (clang 14).
    const auto fetched = fetch_proof(o.need("log"), j["log"]["measurement_index"].get<std::uint64_t>());
    const std::string& checkpoint = fetched.first;
    const stapled_proof& proof = fetched.second;
    const bytes bundle = must(attestation_bundle{hex(v["certificate"]), checkpoint, proof}.encode(), "bundle");
    // The simulated SEV-SNP firmware of this VM's host, reporting this VM's measurement.
    ratls::simulated_snp_provider::options co;
    const auto mt = j["client"]["min_tcb"];
    co.tcb = ratls::snp::tcb_version{mt[0].get<std::uint8_t>(), mt[1].get<std::uint8_t>(), mt[2].get<std::uint8_t>(), mt[3].get<std::uint8_t>(), mt[4].get<std::uint8_t>()};
    ratls::simulated_snp_provider::exported ex;
    ex.vcek_key = to_secure(hex(j["chip"]["vcek_sk"]));
    const bytes chip_id = hex(j["chip"]["chip_id"]), report_id = hex(j["chip"]["report_id"]);
    if (chip_id.size() != ex.chip_id.size() || report_id.size() != ex.report_id.size()) throw std::runtime_error("bad chip ids");
    std::copy(chip_id.begin(), chip_id.end(), ex.chip_id.begin());
    std::copy(report_id.begin(), report_id.end(), ex.report_id.begin());
    auto chip = std::make_shared<ratls::simulated_snp_provider>(must(ratls::simulated_snp_provider::restore(
        co, ex, j["client"]["ark_pem"].get<std::string>(), j["client"]["ask_pem"].get<std::string>(), hex(j["chip"]["vcek_der"])), "chip"));
    std::array<std::uint8_t, 48> measurement{};
    const bytes mb = hex(v["measurement"]);
    if (mb.size() != measurement.size()) throw std::runtime_error("bad measurement");
    std::copy(mb.begin(), mb.end(), measurement.begin());
    const auto firmware = measured_firmware(*chip, measurement);
    std::mutex firmware_mu;
    const int delay_ms = std::stoi(o.get("delay-ms", "120"));
    const long die_after = std::stol(o.get("die-after", "-1"));
    log_line(name, "ready: image measurement " + v["measurement"].get<std::string>().substr(0, 16) + "..., id " + id->id().substr(0, 16));
    httplib::Server svr;
    svr.Get("/attestation", [&](const httplib::Request&, httplib::Response& res) {
        res.set_content(str(bundle), std::string(attestation_media_type));
    });
    // docs/PROTOCOL.md §4.4: a fresh certificate binding the client's nonce (the body).
    svr.Post("/attestation", [&](const httplib::Request& req, httplib::Response& res) {
        std::lock_guard g(firmware_mu);
        auto b = make_attestation_bundle(*firmware, *id, body_of(req.body), checkpoint, proof, unix_now(), system_rng());
        if (!b) {
            res.status = 400;
            log_line(name, "refused to attest: " + std::string(to_string(b.error().code)));
            return;
        }
        res.set_content(str(*b), std::string(attestation_media_type));
        log_line(name, "attested for a session nonce");
    });
    svr.Post("/process", [&, id](const httplib::Request& req, httplib::Response& res) {
        auto x = std::make_shared<vm_exchange>(id, system_rng());
        const auto now = unix_now();
        (void)x->receive(body_of(req.body), now);
        if (!x->end_of_request(now)) {
            res.status = 400;
            log_line(name, "refused a request it cannot open: " + std::string(to_string(x->failure()->code)));
            return;
        }
        // The processing: the summariser's pieces, streamed with a pause between them.
        auto pieces = std::make_shared<std::vector<std::string>>(summarise(as_chars(x->request())));
        log_line(name, "opened a request of " + std::to_string(x->request().size()) + " bytes; answering in " +
                           std::to_string(pieces->size()) + " chunks");
        auto next = std::make_shared<std::size_t>(0);
        res.set_chunked_content_provider(std::string(vm_labels().response_media_type),
                                         [x, pieces, next, delay_ms, die_after, name](std::size_t, httplib::DataSink& sink) {
                                             auto flush = [&] {
                                                 while (auto t = x->poll_transmit()) sink.write(reinterpret_cast<const char*>(t->data()), t->size());
                                             };
                                             flush();  // the response nonce
                                             if (*next < pieces->size()) {
                                                 if (die_after >= 0 && static_cast<long>(*next) == die_after) {
                                                     log_line(name, "crashing mid-stream (--die-after)");
                                                     std::_Exit(3);
                                                 }
                                                 std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
                                                 if (!x->respond(as_bytes((*pieces)[(*next)++]), unix_now())) return false;
                                                 flush();
                                                 return true;
                                             }
                                             if (!x->end_response(unix_now())) return false;
                                             flush();
                                             sink.done();
                                             return true;
                                         });
    });
    return serve(svr, o.need("listen"));
}

// ---------------------------------------------------------------- gateway

int run_gateway(const options& o) {
    const json j = load(o.need("deployment"));
    const std::string log_url = o.need("log");
    const std::string gw_name = j["names"]["gateway"].get<std::string>();
    std::vector<ohttp::gateway_key> keys;
    keys.push_back({must(ohttp::key_config::parse(hex(j["gateway"]["config"])), "gateway config"),
                    must(hpke::private_key::from_bytes(hpke::kem_id::x25519_sha256, hex(j["gateway"]["sk"])), "gateway key")});
    auto cfg = std::make_shared<gateway_config>(gateway_config{
        must(ohttp::gateway::make(std::move(keys), ohttp::labels::chunked_bhttp()), "gateway"),
        must(privacypass::blind_rsa_public_key::from_token_key(hex(j["gateway"]["token_key"])), "token key"),
        hex(j["gateway"]["challenge"]), gw_name, nullptr, unix_now() + 30 * 86400, {}});
    must(cfg->bind_challenge(), "token challenge");
    const std::string store = o.get("store", "memory");
    if (store.rfind("redis://", 0) == 0) {
#ifdef PPX_HAVE_HIREDIS
        cfg->store = std::shared_ptr<privacypass::spend_store>(must(privacypass::redis_spend_store::connect(store), "redis"));
        log_line("gateway", "spend store: Redis at " + store);
#else
        throw std::runtime_error("built without hiredis");
#endif
    } else {
        cfg->store = std::make_shared<privacypass::memory_spend_store>();
        log_line("gateway", "spend store: in memory");
    }
    // The VMs: their attestation bundles, as they serve them.
    std::map<std::string, std::string> vm_urls;
    for (const auto& url : o.all("vm")) {
        httplib::Client c(url);
        auto r = c.Get("/attestation");
        if (!r || r->status != 200) throw std::runtime_error("VM " + url + " unreachable");
        auto b = must(attestation_bundle::decode(body_of(r->body)), "bundle");
        auto peer = ratls::parse_certificate(b.certificate);
        if (!peer || !peer->claims || !peer->claims->hpke_public_key) throw std::runtime_error("VM " + url + " has no HPKE key claim");
        const std::string id = vm_id_of(*peer->claims->hpke_public_key);
        cfg->vms.push_back(gateway_vm{id, body_of(r->body)});
        vm_urls[id] = url;
        log_line("gateway", "routing VM " + id.substr(0, 16) + " at " + url);
    }
    // The directory: our key and the issuer's, with the log's proofs.
    auto [cp, gproof] = fetch_proof(log_url, j["log"]["gateway_key_index"].get<std::uint64_t>());
    auto [cp2, iproof] = fetch_proof(log_url, j["log"]["issuer_key_index"].get<std::uint64_t>());
    directory dir{gw_name, hex(j["gateway"]["config"]), j["names"]["issuer"].get<std::string>(), hex(j["gateway"]["token_key"]),
                  hex(j["gateway"]["challenge"]), cp, gproof, iproof};
    const bytes dir_bytes = must(dir.encode(), "directory");
    std::shared_ptr<const gateway_config> shared = cfg;

    httplib::Server svr;
    svr.Get(std::string(directory_path), [&](const httplib::Request&, httplib::Response& res) {
        res.set_content(str(dir_bytes), std::string(directory_media_type));
        log_line("gateway", "GET directory");
    });
    svr.Post("/gateway", [&](const httplib::Request& req, httplib::Response& res) {
        const std::string out_type(ohttp::labels::chunked_bhttp().response_media_type);
        auto g = std::make_shared<gateway_exchange>(shared, system_rng());
        const auto now = unix_now();
        (void)g->receive(body_of(req.body), now);
        (void)g->end_of_request(now);
        std::optional<gw_forward> fwd;
        std::optional<gw_attest> attest;
        auto on_events = [&]() -> bool {
            while (auto e = g->poll_event()) {
                if (auto* f = std::get_if<gw_forward>(&*e)) fwd = std::move(*f);
                if (auto* a = std::get_if<gw_attest>(&*e)) attest = std::move(*a);
                if (auto* f = std::get_if<gw_failed>(&*e)) {
                    log_line("gateway", std::string("refused: ") + std::string(to_string(f->err.code)) + " (" + f->err.what + ")");
                    if (!f->encapsulated) {
                        res.status = f->http_status;  // RFC 9458 §5.2: not encapsulated
                        return false;
                    }
                }
                if (auto* a = std::get_if<gw_attestation_served>(&*e)) log_line("gateway", "attestation of VM " + a->vm_id.substr(0, 16) + " served");
            }
            return true;
        };
        if (!on_events()) return;
        if (attest) {
            // The client's nonce: the chosen VM attests afresh (docs/PROTOCOL.md §4.3).
            httplib::Client vm(vm_urls.at(attest->vm_id));
            vm.set_read_timeout(30);
            auto r = vm.Post("/attestation", str(attest->nonce), "application/octet-stream");
            if (r && r->status == 200) (void)g->attestation_ready(body_of(r->body), unix_now());
            else g->upstream_failed(unix_now());
            if (!on_events()) return;
        }
        if (!fwd) {  // the attestation lookup or an encapsulated refusal: one short response
            std::string body;
            while (auto t = g->poll_transmit()) body += str(*t);
            res.set_content(body, out_type);
            return;
        }
        log_line("gateway", "token redeemed; forwarding to VM " + fwd->vm_id.substr(0, 16));
        const std::string vm_url = vm_urls.at(fwd->vm_id);
        auto f = std::make_shared<gw_forward>(std::move(*fwd));
        res.set_chunked_content_provider(out_type, [g, f, vm_url](std::size_t, httplib::DataSink& sink) {
            auto flush = [&] {
                while (auto t = g->poll_transmit()) sink.write(reinterpret_cast<const char*>(t->data()), t->size());
            };
            flush();
            httplib::Client vm(vm_url);
            vm.set_read_timeout(30);
            httplib::Request hr;
            hr.method = "POST";
            hr.path = "/process";
            hr.headers = {{"Content-Type", std::string(vm_labels().request_media_type)}};
            hr.body = str(f->body);
            int status = 0;
            hr.response_handler = [&](const httplib::Response& r) {
                status = r.status;
                return r.status == 200;
            };
            hr.content_receiver = [&](const char* d, std::size_t n, std::uint64_t, std::uint64_t) {
                if (!g->upstream(bytes_view(reinterpret_cast<const std::uint8_t*>(d), n), unix_now())) return false;
                flush();
                return true;
            };
            auto r = vm.send(hr);
            if (!r || status != 200) {
                g->upstream_failed(unix_now());
                log_line("gateway", "VM failed " + std::string(g->response_started() ? "mid-stream: cutting the response" : "before answering: 502"));
                if (g->response_started()) return false;  // no final chunk: the client sees truncation
                flush();
                sink.done();
                return true;
            }
            (void)g->upstream_end(unix_now());
            flush();
            sink.done();
            log_line("gateway", "response relayed");
            return true;
        });
    });
    return serve(svr, o.need("listen"));
}

// ---------------------------------------------------------------- relay

// An Oblivious Relay Resource (RFC 9458 §2): forwards the body and its type, nothing about the
// client, and streams the answer back as it arrives.
int run_relay(const options& o) {
    const auto [base, path] = split_url(o.need("gateway"));
    httplib::Server svr;
    svr.Post("/relay", [&, base = base, path = path](const httplib::Request& req, httplib::Response& res) {
        const std::string type = req.get_header_value("Content-Type");
        if (type != ohttp::labels::chunked_bhttp().request_media_type) {
            res.status = 415;
            return;
        }
        log_line("relay", "forwarding " + std::to_string(req.body.size()) + " opaque bytes");
        auto body = std::make_shared<std::string>(req.body);
        res.set_chunked_content_provider(std::string(ohttp::labels::chunked_bhttp().response_media_type),
                                         [base = base, path = path, body, type](std::size_t, httplib::DataSink& sink) {
                                             httplib::Client cli(base);
                                             cli.set_read_timeout(30);
                                             httplib::Request hr;
                                             hr.method = "POST";
                                             hr.path = path;
                                             hr.headers = {{"Content-Type", type}, {"Incremental", "?1"}};
                                             hr.body = *body;
                                             int status = 0;
                                             hr.response_handler = [&](const httplib::Response& r) {
                                                 status = r.status;
                                                 return r.status == 200;
                                             };
                                             hr.content_receiver = [&](const char* d, std::size_t n, std::uint64_t, std::uint64_t) {
                                                 return sink.write(d, n);
                                             };
                                             auto r = cli.send(hr);
                                             if (!r || status != 200) return false;  // pass the failure on as a cut
                                             sink.done();
                                             return true;
                                         });
    });
    return serve(svr, o.need("listen"));
}

// ---------------------------------------------------------------- client

std::shared_ptr<const client_config> client_config_from(const json& j) {
    const json& c = j["client"];
    auto store = std::make_shared<ratls::snp::trust_store>();
    must(store->add_root(ratls::snp::product::milan, as_bytes(c["ark_pem"].get<std::string>()), as_bytes(c["ask_pem"].get<std::string>())),
         "AMD root");
    ratls::snp::policy vp;
    const auto t = c["min_tcb"];
    vp.min_tcb[ratls::snp::product::milan] = ratls::snp::tcb_version{t[0].get<std::uint8_t>(), t[1].get<std::uint8_t>(), t[2].get<std::uint8_t>(), t[3].get<std::uint8_t>(), t[4].get<std::uint8_t>()};
    return std::make_shared<const client_config>(client_config{
        merkle::trust_policy{must(merkle::verifier::parse(c["log_vkey"].get<std::string>()), "log key"), j["names"]["log"].get<std::string>(),
                             {must(merkle::verifier::parse(c["witness_vkey"].get<std::string>()), "witness key")}, 1, 0, 600},
        std::move(store), std::move(vp), j["names"]["gateway"].get<std::string>(), j["names"]["issuer"].get<std::string>(), 4});
}

const char* sample_chat =
    "Alice: Morning all! Are we still on for the hiking trip on Saturday?\n"
    "Bob: Yes! I checked the weather, sunny with light wind.\n"
    "Carol: Great. Which trail, the lake loop or the ridge?\n"
    "Alice: The ridge is longer but the views are amazing.\n"
    "Bob: Let's do the ridge trail and start at 8 from the car park.\n"
    "Carol: Agreed. I'll bring sandwiches and water for everyone.\n"
    "Dave: Count me in. Can someone give me a lift to the car park?\n"
    "Bob: I can pick you up at 7:30, Dave.\n"
    "Alice: Don't forget sunscreen, the ridge has no shade.\n"
    "Carol: Should we book the pub for dinner after the hike?\n";

int run_client(const options& o) {
    const json j = load(o.need("deployment"));
    std::string chat = sample_chat;
    if (auto f = o.get("chat"); !f.empty()) {
        std::ifstream in(f);
        std::stringstream ss;
        ss << in.rdbuf();
        chat = ss.str();
    }
    const std::string state_file = o.get("state");
    auto state = state_file.empty() ? std::make_shared<client_state>() : must(programs::load_client_state(state_file), "client state");
    client_session c(client_config_from(j), system_rng(), state);
    bool replied = false;
    auto say = [](const std::string& s) { std::cout << s << std::endl; };
    auto on_event = [&](const client_event& e) {
        if (auto* k = std::get_if<keys_verified>(&e)) {
            std::string w;
            for (const auto& x : k->witnesses) w += (w.empty() ? "" : ", ") + x;
            say("- keys found in the log: gateway key config at index " + std::to_string(k->gateway_key_index) +
                ", issuer token key at index " + std::to_string(k->issuer_key_index) + " (checkpoint of " + std::to_string(k->log_size) +
                " entries, cosigned by " + w +
                (k->previous_log_size ? ", consistent with the " + std::to_string(k->previous_log_size) + " seen before" : "") + ")");
        }
        if (auto* ti = std::get_if<tokens_issued>(&e)) {
            say("- tokens issued: " + std::to_string(ti->count) + " unlinkable tokens (RFC 9578 blind RSA, one batch)");
        }
        if (auto* va = std::get_if<vm_attested>(&e)) {
            const auto& t = va->tcb;
            say("- VM attestation verified: product " + va->product + ", measurement " + to_hex(va->measurement).substr(0, 24) +
                "... (in the log at index " + std::to_string(va->measurement_index) + "), TCB bootloader=" + std::to_string(t.bootloader) +
                " tee=" + std::to_string(t.tee) + " snp=" + std::to_string(t.snp) + " microcode=" + std::to_string(t.microcode) +
                ", fresh for this session (nonce " + to_hex(va->nonce).substr(0, 16) + "...)");
        }
        if (auto* rs = std::get_if<request_sent>(&e)) {
            say("- request sent through the relay: " + std::to_string(rs->bytes) + " encrypted bytes (" + std::to_string(rs->tokens_left) +
                " tokens left)");
            say("- reply (streaming):");
        }
        if (auto* rc = std::get_if<reply_chunk>(&e)) {
            replied = true;
            std::cout << "    " << std::string_view(reinterpret_cast<const char*>(rc->data.data()), rc->data.size()) << std::flush;
        }
        if (auto* done = std::get_if<reply_complete>(&e)) {
            say("- reply complete: " + std::to_string(done->bytes) + " bytes, every chunk authenticated");
        }
        if (auto* cf = std::get_if<client_failed>(&e)) {
            say(std::string("- REFUSED: ") + cf->err.what + " (" + std::string(to_string(cf->err.code)) + ")" +
                (replied ? "; the partial reply above is NOT an answer" : "; nothing more was sent"));
        }
    };
    programs::http_session_driver drive(c, {o.need("directory"), o.need("issuer"), o.need("relay"), o.get("log")}, on_event);
    if (const std::string duplicate = o.get("duplicate-via"); !duplicate.empty()) {
        // A fault test: the same encapsulated request (so the same token) is sent through a
        // second relay and gateway replica at the same time. Exactly one may redeem it.
        drive.alongside_relay = [duplicate](const client_transmit& t) {
            if (t.body.size() <= 600) return;  // the attestation lookup carries no token
            auto [b2, p2] = split_url(duplicate);
            httplib::Client c2(b2);
            auto r = c2.Post(p2.c_str(), str(t.body), t.content_type.c_str());
            std::cerr << "[client] duplicate through " << duplicate << ": HTTP " << (r ? r->status : 0) << ", " << (r ? r->body.size() : 0)
                      << " bytes" << std::endl;
        };
    }
    say("Private Processing client");
    const bool ready = drive.establish();
    if (!state_file.empty()) must(programs::save_client_state(state_file, *state), "client state");
    if (!ready) return 1;
    say("- asking the VM to summarise a group chat of " + std::to_string(chat.size()) + " bytes");
    const bool complete = drive.ask(as_bytes(chat));
    c.close();
    return complete ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
    try {
        if (argc < 2) throw usage("usage: private_processing setup|witness|log|issuer|vm|gateway|relay|client [--option value]...");
        const std::string role = argv[1];
        const options o = parse_options(argc, argv, 2);
        if (role == "setup") return run_setup(o);
        if (role == "witness") return run_witness(o);
        if (role == "log") return run_log(o);
        if (role == "issuer") return run_issuer(o);
        if (role == "vm") return run_vm(o);
        if (role == "gateway") return run_gateway(o);
        if (role == "relay") return run_relay(o);
        if (role == "client") return run_client(o);
        throw usage("unknown role " + role);
    } catch (const usage& e) {
        std::cerr << e.what() << std::endl;
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << std::endl;
        return 1;
    }
}
