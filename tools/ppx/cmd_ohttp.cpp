// ppx ohttp keygen|keys|serve|fetch|relay (RFC 9458, RFC 9292, chunked OHTTP draft-08), as
// ../shared/CLI.md specifies. `relay` is an Oblivious Relay Resource: it forwards
// message/ohttp-req and message/ohttp-chunked-req bodies to one gateway unchanged, and adds
// nothing about the client (RFC 9458 §6.2).
#include "cli.hpp"

#include <ppx/bhttp.hpp>
#include <ppx/ohttp.hpp>

#ifdef PPX_HAVE_HTTPLIB
#include "server.hpp"

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#endif

#include <algorithm>
#include <cctype>
#include <iostream>

namespace ppx::cli {
namespace {

std::uint16_t id16(const std::string& v, const char* name) {
    auto n = parse_uint(v);
    if (!n || *n > 0xffff) throw usage_error(std::string("--") + name + " wants a 16-bit id");
    return static_cast<std::uint16_t>(*n);
}

json config_json(const ohttp::key_config& c) {
    json suites = json::array();
    for (const auto& s : c.suites()) suites.push_back({{"kdf", static_cast<int>(s.kdf)}, {"aead", static_cast<int>(s.aead)}});
    return {{"key_id", c.key_id()}, {"kem", static_cast<int>(c.kem())}, {"pk", to_hex(c.public_key())}, {"suites", suites}};
}

// An application/ohttp-keys list, or failing that a single key config.
std::vector<ohttp::key_config> parse_configs(bytes_view in) {
    auto list = ohttp::parse_key_configs(in);
    if (list && !list->empty()) return std::move(*list);
    auto one = ohttp::key_config::parse(in);
    if (one) return {std::move(*one)};
    if (!list) return check(std::move(list), "keys");
    throw input_error(std::string(to_string(one.error().code)), std::string("keys: ") + one.error().what);
}

int keygen(const std::vector<std::string>& argv) {
    args a(argv, {"key-id", "kem", "kdf", "aead", "ikm"}, {});
    const auto key_id = a.required_uint("key-id");
    if (key_id > 0xff) throw usage_error("--key-id is 0..255");
    const auto kem = static_cast<hpke::kem_id>(id16(a.required("kem"), "kem"));
    const auto kdfs = a.all("kdf"), aeads = a.all("aead");
    if (kdfs.empty() || kdfs.size() != aeads.size()) throw usage_error("give --kdf and --aead in pairs, at least one");
    std::vector<ohttp::symmetric_suite> suites;
    for (std::size_t i = 0; i < kdfs.size(); ++i)
        suites.push_back({static_cast<hpke::kdf_id>(id16(kdfs[i], "kdf")), static_cast<hpke::aead_id>(id16(aeads[i], "aead"))});
    auto key = check(a.has("ikm") ? hpke::private_key::derive(kem, read_value(*a.get("ikm"), "--ikm")) : hpke::private_key::generate(kem),
                     "keygen");
    auto cfg = check(ohttp::key_config::make(static_cast<std::uint8_t>(key_id), kem, key.public_key_bytes(), suites), "keygen");
    return emit({{"config", to_hex(cfg.encode())}, {"sk", to_hex(key.serialize())}});
}

int keys(const std::vector<std::string>& argv) {
    args a(argv, {}, {}, 1);
    const bytes in = read_value(a.positional_required(0, "HEX|@FILE"), "keys");
    json out = json::array();
    for (const auto& c : parse_configs(in)) out.push_back(config_json(c));
    return emit({{"configs", out}});
}

#ifdef PPX_HAVE_HTTPLIB

// "http://host:port/path" -> ("http://host:port", "/path").
std::pair<std::string, std::string> split_url(const std::string& url, const char* what) {
    const std::string scheme = "http://";
    if (url.rfind(scheme, 0) != 0) throw usage_error(std::string(what) + " must be an http:// URL (the tool speaks plain HTTP)");
    const std::size_t slash = url.find('/', scheme.size());
    if (slash == std::string::npos) return {url, "/"};
    return {url.substr(0, slash), url.substr(slash)};
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

bool hop_by_hop(const std::string& name) {
    static const char* names[] = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer", "host"};
    return std::any_of(std::begin(names), std::end(names), [&](const char* n) { return name == n; });
}

// The inner resource: the built-in echo, or a forward to --target over plain HTTP.
bhttp::response answer(const bhttp::request& req, const std::optional<std::string>& target) {
    bhttp::response res;
    // RFC 9458 §5.1: a 100-continue expectation must be refused.
    for (const auto& f : req.headers)
        if (f.name == "expect" && lower(f.value) == "100-continue") {
            res.status = 417;
            return res;
        }
    if (!target) {
        res.status = 200;
        res.headers = {{"ppx-echo", req.control.method + " " + req.control.path}};
        res.content = req.content;
        return res;
    }
    auto [base, prefix] = split_url(*target, "--target");
    httplib::Client cli(base);
    cli.set_connection_timeout(10);
    httplib::Request fwd;
    fwd.method = req.control.method;
    fwd.path = (prefix == "/" ? "" : prefix) + (req.control.path.empty() ? "/" : req.control.path);
    for (const auto& f : req.headers)
        if (!hop_by_hop(f.name)) fwd.headers.emplace(f.name, f.value);
    if (!req.control.authority.empty()) fwd.headers.emplace("Host", req.control.authority);
    fwd.body.assign(as_chars(req.content));
    auto r = cli.send(fwd);
    if (!r) {
        res.status = 502;  // RFC 9458 §5: the gateway generates an error response itself
        return res;
    }
    res.status = static_cast<std::uint16_t>(bhttp::is_final_status(static_cast<std::uint64_t>(r->status)) ? r->status : 502);
    for (const auto& [n, v] : r->headers) {
        const std::string name = lower(n);
        if (hop_by_hop(name) || name == "content-length") continue;
        bhttp::field f{name, v};
        if (bhttp::check_fields({f}, false, {})) res.headers.push_back(std::move(f));
    }
    res.content = to_bytes(r->body);
    return res;
}

// Decodes the inner request; a bad one gets an encapsulated 400 (RFC 9458 §5.2).
bhttp::response handle_inner(bytes_view plaintext, const std::optional<std::string>& target, std::string& what) {
    auto req = bhttp::decode_request(plaintext);
    if (!req) {
        what = "bad bhttp";
        bhttp::response r;
        r.status = 400;
        return r;
    }
    what = req->control.method + " " + req->control.path;
    return answer(*req, target);
}

void unprotected_error(httplib::Response& res, const error& e) {
    const auto h = ohttp::to_http_error(e);
    res.status = h.status;
    if (!h.problem_type.empty()) res.set_content(h.problem_json(), "application/problem+json");
    else res.set_content(std::string(h.title) + "\n", "text/plain");
}

int serve(const std::vector<std::string>& argv) {
    args a(argv, {"listen", "config", "sk", "target"}, {});
    const auto listen = split_listen(a.required("listen"));
    const auto configs = a.all("config"), sks = a.all("sk");
    if (configs.empty() || configs.size() != sks.size()) throw usage_error("give --config and --sk in pairs, at least one");
    std::vector<ohttp::gateway_key> keys;
    for (std::size_t i = 0; i < configs.size(); ++i) {
        auto cfg = check(ohttp::key_config::parse(read_value(configs[i], "--config")), "config");
        auto sk = check(hpke::private_key::from_bytes(cfg.kem(), read_value(sks[i], "--sk")), "sk");
        keys.push_back({std::move(cfg), std::move(sk)});
    }
    const auto plain = check(ohttp::gateway::make(keys), "gateway");
    const auto chunked = check(ohttp::gateway::make(keys, ohttp::labels::chunked_bhttp()), "gateway");
    const bytes key_bytes = check(plain.encoded_configs(), "gateway");
    const std::string key_list(as_chars(key_bytes));
    const std::optional<std::string> target = a.get("target");
    if (target) (void)split_url(*target, "--target");

    httplib::Server svr;
    svr.Get("/ohttp-keys", [&](const httplib::Request&, httplib::Response& res) {
        res.set_content(key_list, std::string(ohttp::keys_media_type));
        std::cerr << "GET /ohttp-keys 200" << std::endl;
    });
    svr.Post("/gateway", [&](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
        const std::string type = req.get_header_value("Content-Type");
        if (type == plain.labels().request_media_type) {
            std::string body;
            reader([&](const char* d, std::size_t n) {
                body.append(d, n);
                return body.size() <= (64u << 20);
            });
            auto d = plain.decapsulate(as_bytes(body));
            if (!d) {
                unprotected_error(res, d.error());
                std::cerr << "POST /gateway " << res.status << " " << to_string(d.error().code) << std::endl;
                return;
            }
            std::string what;
            const auto inner = handle_inner(d->plaintext, target, what);
            auto enc = bhttp::encode(inner);
            auto out = enc ? std::move(d->context).seal(*enc) : result<bytes>(unexpected(enc.error()));
            if (!out) {
                res.status = 500;
                std::cerr << "POST /gateway 500 " << what << std::endl;
                return;
            }
            res.set_content(std::string(as_chars(*out)), plain.labels().response_media_type);
            std::cerr << "POST /gateway 200 key_id=" << int(d->context.key_id()) << " " << what << " -> " << inner.status << std::endl;
            return;
        }
        if (type == chunked.labels().request_media_type) {
            // draft-08: open chunks as they arrive; the inner request is complete only after the final chunk.
            ohttp::chunked_request_receiver rx(chunked);
            secure_bytes inner_req;
            auto sink = [&](bytes_view b) { inner_req.insert(inner_req.end(), b.begin(), b.end()); };
            result<void> st = ok();
            reader([&](const char* d, std::size_t n) {
                st = rx.feed(bytes_view(reinterpret_cast<const std::uint8_t*>(d), n), sink);
                return static_cast<bool>(st) && inner_req.size() <= (64u << 20);
            });
            if (st) st = rx.finish(sink);
            if (!st) {
                // Failing to remove the encapsulation (any chunk) is answered without protection (RFC 9458 §5.2).
                unprotected_error(res, st.error());
                std::cerr << "POST /gateway " << res.status << " chunked " << to_string(st.error().code) << std::endl;
                return;
            }
            std::string what;
            const auto inner = handle_inner(inner_req, target, what);
            auto tx = rx.response_sender();
            auto enc = bhttp::encode(inner);
            if (!tx || !enc) {
                res.status = 500;
                return;
            }
            // Stream the response: the nonce, then 16 KiB chunks, then the final chunk.
            auto state = std::make_shared<std::pair<ohttp::chunked_response_sender, bytes>>(std::move(*tx), std::move(*enc));
            auto offset = std::make_shared<std::size_t>(0);
            auto started = std::make_shared<bool>(false);
            res.set_header("Incremental", "?1");
            res.set_chunked_content_provider(chunked.labels().response_media_type,
                                             [state, offset, started](std::size_t, httplib::DataSink& out) {
                                                 auto& [sender, body] = *state;
                                                 if (!*started) {
                                                     *started = true;
                                                     const auto h = sender.header();
                                                     out.write(reinterpret_cast<const char*>(h.data()), h.size());
                                                     return true;
                                                 }
                                                 const std::size_t n = std::min<std::size_t>(16384, body.size() - *offset);
                                                 const bool final = *offset + n == body.size();
                                                 auto c = sender.seal(bytes_view(body).subspan(*offset, n), final);
                                                 if (!c) return false;
                                                 *offset += n;
                                                 out.write(reinterpret_cast<const char*>(c->data()), c->size());
                                                 if (final) out.done();
                                                 return true;
                                             });
            std::cerr << "POST /gateway 200 chunked key_id=" << int(rx.header().key_id) << " " << what << " -> " << inner.status
                      << std::endl;
            return;
        }
        res.status = 415;
        res.set_content("unsupported media type\n", "text/plain");
        std::cerr << "POST /gateway 415" << std::endl;
    });
    server_options opt;
    opt.log = nullptr;  // the handlers write their own lines (with key ids and inner statuses)
    return run_server(svr, listen, opt);
}

// One relayed exchange. The request to the gateway runs on its own thread: it streams the
// client's body up as it is read (chunked transfer coding) and queues the gateway's
// response body as it arrives, so the relay answers the client as soon as the gateway's
// status and headers are in, then passes the body on piece by piece (a chunked OHTTP
// response reaches the client incrementally). At most `max_queued` bytes wait in the relay.
struct relay_exchange {
    static constexpr std::size_t max_queued = 1 << 20;
    std::mutex mu;
    std::condition_variable cv;
    bool headers = false;      // the gateway's status and headers arrived
    bool request_sent = false; // the client's body was read to its end (or the exchange failed)
    bool finished = false;     // the gateway exchange ended
    bool complete = false;     // ... and the whole response arrived
    bool cancelled = false;    // the client went away: stop
    bool reading = false;      // the client's body began to be read
    int status = 0;
    std::string content_type, incremental;
    std::deque<std::string> pieces;
    std::size_t queued = 0, forwarded = 0;
    std::thread worker;
};

int relay(const std::vector<std::string>& argv) {
    args a(argv, {"listen", "gateway"}, {});
    const auto listen = split_listen(a.required("listen"));
    const auto [base_url, gateway_path] = split_url(a.required("gateway"), "--gateway");
    const std::string base = base_url, path = gateway_path;
    httplib::Server svr;
    svr.Post(R"(/.*)", [&base, &path](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
        const std::string type = req.get_header_value("Content-Type");
        if (type != "message/ohttp-req" && type != "message/ohttp-chunked-req") {
            reader([](const char*, std::size_t) { return true; });  // read (and drop) the body: the connection stays usable
            res.status = 415;
            std::cerr << "POST " << req.path << " 415" << std::endl;
            return;
        }
        if (!req.has_header("Transfer-Encoding") && req.get_header_value("Content-Length", 0) == std::string("0")) {
            res.status = 400;  // RFC 9458 §5: a relay MAY reject obviously invalid requests
            return;
        }
        auto x = std::make_shared<relay_exchange>();
        // Only the content and its type go on: nothing identifying the client (RFC 9458 §6.2).
        x->worker = std::thread([x, reader, type, &base, &path] {
            httplib::Client cli(base);
            cli.set_connection_timeout(10);
            cli.set_read_timeout(60);
            httplib::Request up;
            up.method = "POST";
            up.path = path;
            up.headers.emplace("Content-Type", type);
            up.headers.emplace("Transfer-Encoding", "chunked");
            if (type == "message/ohttp-chunked-req") up.headers.emplace("Incremental", "?1");
            up.is_chunked_content_provider_ = true;
            up.content_provider_ = [x, reader](std::size_t, std::size_t, httplib::DataSink& sink) {
                {
                    std::lock_guard<std::mutex> l(x->mu);
                    x->reading = true;
                }
                const bool read = reader([&](const char* d, std::size_t n) { return sink.write(d, n); });
                {
                    std::lock_guard<std::mutex> l(x->mu);
                    x->request_sent = true;
                }
                x->cv.notify_all();
                if (!read) return false;
                sink.done();
                return true;
            };
            up.response_handler = [x](const httplib::Response& r) {
                std::lock_guard<std::mutex> l(x->mu);
                x->status = r.status;
                x->content_type = r.get_header_value("Content-Type");
                x->incremental = r.get_header_value("Incremental");
                x->headers = true;
                x->cv.notify_all();
                return true;
            };
            up.content_receiver = [x](const char* d, std::size_t n, std::uint64_t, std::uint64_t) {
                std::unique_lock<std::mutex> l(x->mu);
                x->cv.wait(l, [&] { return x->cancelled || x->queued < relay_exchange::max_queued; });
                if (x->cancelled) return false;
                x->pieces.emplace_back(d, n);
                x->queued += n;
                x->cv.notify_all();
                return true;
            };
            auto r = cli.send(up);
            std::lock_guard<std::mutex> l(x->mu);
            x->complete = static_cast<bool>(r);
            x->finished = x->request_sent = true;
            x->cv.notify_all();
        });
        // The client's body must be read to its end before this handler returns (the reader
        // lives only as long as the handler call); then wait for the gateway's headers.
        {
            std::unique_lock<std::mutex> l(x->mu);
            x->cv.wait(l, [&] { return x->finished || (x->request_sent && x->headers); });
            if (!x->headers) {
                l.unlock();
                x->worker.join();
                if (!x->reading) reader([](const char*, std::size_t) { return true; });  // drain the unsent body
                res.status = 502;
                std::cerr << "POST " << req.path << " 502 (gateway unreachable)" << std::endl;
                return;
            }
            res.status = x->status;
            if (!x->incremental.empty()) res.set_header("Incremental", x->incremental);
        }
        const std::string req_path = req.path;
        res.set_chunked_content_provider(
            x->content_type,
            [x](std::size_t, httplib::DataSink& sink) {
                std::unique_lock<std::mutex> l(x->mu);
                x->cv.wait(l, [&] { return x->finished || !x->pieces.empty(); });
                if (!x->pieces.empty()) {
                    const std::string piece = std::move(x->pieces.front());
                    x->pieces.pop_front();
                    x->queued -= piece.size();
                    x->forwarded += piece.size();
                    x->cv.notify_all();
                    l.unlock();
                    return sink.write(piece.data(), piece.size());
                }
                if (!x->complete) return false;  // the gateway's response broke off: so does ours
                sink.done();
                return true;
            },
            [x, req_path](bool success) {
                {
                    std::lock_guard<std::mutex> l(x->mu);
                    x->cancelled = true;
                }
                x->cv.notify_all();
                x->worker.join();
                std::cerr << "POST " << req_path << " " << x->status << " " << x->forwarded << " bytes"
                          << (success && x->complete ? "" : " (incomplete)") << std::endl;
            });
    });
    server_options opt;
    opt.log = nullptr;  // one line per exchange, written when it ends
    return run_server(svr, listen, opt);
}

// "https://authority/path?query" -> control data (RFC 9292 §3.4).
bhttp::request_control target_control(const std::string& url, const std::string& method) {
    const std::size_t sep = url.find("://");
    if (sep == std::string::npos || sep == 0) throw usage_error("--url must be an absolute URL");
    bhttp::request_control c;
    c.method = method;
    c.scheme = url.substr(0, sep);
    const std::size_t slash = url.find('/', sep + 3);
    c.authority = url.substr(sep + 3, slash == std::string::npos ? std::string::npos : slash - sep - 3);
    c.path = slash == std::string::npos ? "/" : url.substr(slash);
    return c;
}

int fetch(const std::vector<std::string>& argv) {
    args a(argv, {"gateway", "keys", "url", "method", "header", "body"}, {"chunked"});
    const auto [gw_base, gw_path] = split_url(a.required("gateway"), "--gateway");
    const std::string keys_arg = a.required("keys");
    bytes key_bytes;
    if (keys_arg.rfind("http://", 0) == 0) {
        const auto [kb, kp] = split_url(keys_arg, "--keys");
        httplib::Client kc(kb);
        auto r = kc.Get(kp.c_str());
        if (!r) throw input_error("unreachable", "cannot fetch keys from " + keys_arg);
        if (r->status != 200) throw input_error("http", "keys: HTTP status " + std::to_string(r->status));
        key_bytes = to_bytes(r->body);
    } else {
        key_bytes = read_value(keys_arg, "--keys");
    }
    const bool use_chunked = a.flag("chunked");
    const auto lab = use_chunked ? ohttp::labels::chunked_bhttp() : ohttp::labels::bhttp();
    std::optional<ohttp::client> client;
    for (const auto& cfg : parse_configs(key_bytes)) {
        auto c = ohttp::client::make(cfg, lab);
        if (c) {
            client.emplace(std::move(*c));
            break;
        }
    }
    if (!client) throw input_error("unsupported", "keys: no key config with a supported KEM and suite");

    bhttp::request req;
    req.control = target_control(a.required("url"), a.get("method").value_or("GET"));
    for (const auto& h : a.all("header")) {
        const std::size_t colon = h.find(':');
        if (colon == std::string::npos || colon == 0) throw usage_error("--header wants \"Name: value\"");
        std::string value = h.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(value.begin());
        req.headers.push_back({lower(h.substr(0, colon)), value});
    }
    if (a.has("body")) req.content = read_value(*a.get("body"), "--body");
    const bytes inner = check(bhttp::encode(req), "request");

    httplib::Client cli(gw_base);
    cli.set_connection_timeout(10);
    cli.set_read_timeout(30);
    secure_bytes plaintext;
    if (!use_chunked) {
        auto enc = check(client->encapsulate(inner), "encapsulate");
        auto r = cli.Post(gw_path.c_str(), std::string(as_chars(enc.message)), lab.request_media_type.c_str());
        if (!r) throw input_error("unreachable", "cannot reach " + a.required("gateway"));
        if (r->status != 200) throw input_error("http", "gateway answered HTTP " + std::to_string(r->status) + ": " + r->body);
        if (r->get_header_value("Content-Type") != lab.response_media_type)
            throw input_error("malformed", "gateway answered " + r->get_header_value("Content-Type"));
        plaintext = check(std::move(enc.context).open(as_bytes(r->body)), "response");
    } else {
        auto tx = check(ohttp::chunked_request_sender::start(*client), "encapsulate");
        bytes stream = to_bytes(tx.header());
        for (std::size_t off = 0; off < inner.size(); off += 16384) {
            const std::size_t n = std::min<std::size_t>(16384, inner.size() - off);
            append(stream, check(tx.seal(bytes_view(inner).subspan(off, n), false), "encapsulate"));
        }
        append(stream, check(tx.seal({}, true), "encapsulate"));
        auto rx = check(tx.response_receiver(), "response");
        auto sink = [&](bytes_view b) { plaintext.insert(plaintext.end(), b.begin(), b.end()); };
        result<void> st = ok();
        httplib::Request hr;
        hr.method = "POST";
        hr.path = gw_path;
        hr.headers = {{"Content-Type", lab.request_media_type}, {"Incremental", "?1"}};
        hr.body.assign(as_chars(stream));
        int status = 0;
        std::string error_body;
        hr.response_handler = [&](const httplib::Response& r) {
            status = r.status;
            return true;
        };
        hr.content_receiver = [&](const char* d, std::size_t n, std::uint64_t, std::uint64_t) {
            if (status != 200) {
                error_body.append(d, n);
                return true;
            }
            st = rx.feed(bytes_view(reinterpret_cast<const std::uint8_t*>(d), n), sink);
            return static_cast<bool>(st);
        };
        auto r = cli.send(hr);
        if (status != 200 && status != 0) throw input_error("http", "gateway answered HTTP " + std::to_string(status) + ": " + error_body);
        check(std::move(st), "response");
        if (!r) throw input_error("unreachable", "cannot reach " + a.required("gateway"));
        check(rx.finish(sink), "response");
    }
    auto res = check(bhttp::decode_response(plaintext), "response");
    json headers = json::array();
    for (const auto& f : res.headers) headers.push_back({f.name, f.value});
    return emit({{"status", res.status}, {"headers", headers}, {"body", to_hex(res.content)}});
}

#endif

const registrar reg({
    {"ohttp", "keygen",
     "ppx ohttp keygen --key-id N --kem ID --kdf ID --aead ID [--kdf ID --aead ID ...] [--ikm HEX]\n"
     "  A new OHTTP key config (RFC 9458 §3.1) and its private key; --ikm derives the key (RFC 9180 DeriveKeyPair).\n"
     "  -> {\"config\": HEX, \"sk\": HEX}",
     keygen},
    {"ohttp", "keys",
     "ppx ohttp keys HEX|@FILE\n  Decodes an application/ohttp-keys list (RFC 9458 §3.2) or a single key config.\n"
     "  -> {\"configs\": [{\"key_id\": N, \"kem\": N, \"pk\": HEX, \"suites\": [{\"kdf\": N, \"aead\": N}, ...]}, ...]}",
     keys},
#ifdef PPX_HAVE_HTTPLIB
    {"ohttp", "serve",
     "ppx ohttp serve --listen ADDR --config HEX --sk HEX [--config HEX --sk HEX ...] [--target URL]\n"
     "  An OHTTP gateway over HTTP/1.1: GET /ohttp-keys, POST /gateway (message/ohttp-req, message/ohttp-chunked-req).\n"
     "  Without --target the inner request is echoed (200, body, header ppx-echo: METHOD PATH); with it, forwarded over\n"
     "  plain HTTP. Port 0 picks one; the first stdout line is {\"listening\": \"HOST:PORT\"}. Stops on SIGTERM/SIGINT.",
     serve},
    {"ohttp", "fetch",
     "ppx ohttp fetch --gateway URL --keys HEX|@FILE|URL --url TARGET_URL [--method M] [--header \"Name: value\"]...\n"
     "               [--body HEX] [--chunked]\n"
     "  Sends one request through OHTTP (--gateway may be a relay).\n"
     "  -> {\"status\": N, \"headers\": [[\"name\",\"value\"],...], \"body\": HEX}",
     fetch},
    {"ohttp", "relay",
     "ppx ohttp relay --listen ADDR --gateway URL\n"
     "  An Oblivious Relay Resource: forwards every POSTed message/ohttp-req or message/ohttp-chunked-req body to the\n"
     "  gateway unchanged, with nothing about the client, and returns the gateway's answer.",
     relay},
#endif
});

} // namespace
} // namespace ppx::cli
