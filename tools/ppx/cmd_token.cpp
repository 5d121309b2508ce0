// ppx token keygen|serve-issuer|challenge|fetch|verify (Privacy Pass: RFC 9577, RFC 9578,
// batched-tokens-07), as ../shared/CLI.md specifies.
#include "cli.hpp"

#include <ppx/privacypass.hpp>
#ifdef PPX_HAVE_HIREDIS
#include <ppx/privacypass/redis_spend_store.hpp>
#endif

#ifdef PPX_HAVE_HTTPLIB
#include "server.hpp"

#endif

#include <chrono>
#include <iostream>

namespace ppx::cli {
namespace {

using namespace ppx::privacypass;

std::uint16_t type_arg(const args& a) {
    const auto t = a.required_uint("type");
    if (t != 1 && t != 2 && t != 5) throw usage_error("--type must be 1, 2 or 5");
    return static_cast<std::uint16_t>(t);
}

/// A base64url value (padding optional) or @PATH for raw bytes.
bytes b64_value(const std::string& v, const char* what) {
    if (!v.empty() && v[0] == '@') return read_file(v.substr(1));
    auto b = from_base64url(v);
    if (!b) throw usage_error(std::string(what) + " is not valid base64url");
    return std::move(*b);
}

/// A type-2 private key: hex or @FILE of PKCS#8 / PKCS#1 DER, or @FILE of PEM.
blindrsa::private_key rsa_key_arg(const std::string& v) {
    bytes raw = read_value(v, "--sk");
    const std::string_view text = as_chars(raw);
    secure_bytes der;
    if (text.find("-----BEGIN") != std::string_view::npos) {
        auto label = text.find("RSA PRIVATE KEY") != std::string_view::npos ? "RSA PRIVATE KEY" : "PRIVATE KEY";
        der = check(pem_to_der(text, label), "--sk");
    } else {
        der = to_secure(raw);
    }
    wipe(raw);
    return check(blindrsa::private_key::from_der(der), "--sk");
}

template <class S>
oprf::private_key<S> oprf_key_arg(const std::string& v) {
    bytes raw = read_value(v, "--sk");
    auto k = oprf::private_key<S>::deserialize(raw);
    wipe(raw);
    return check(std::move(k), "--sk");
}

/// Builds an issuer holding the one key of `type`.
issuer issuer_from(std::uint16_t type, const std::string& sk) {
    issuer is;
    if (type == 1) check(is.type1.add_key(oprf_key_arg<oprf::p384_sha384>(sk)), "--sk");
    else if (type == 2) check(is.type2.add_key(rsa_key_arg(sk)), "--sk");
    else check(is.type5.add_key(oprf_key_arg<oprf::ristretto255_sha512>(sk)), "--sk");
    return is;
}

int keygen(const std::vector<std::string>& argv) {
    args a(argv, {"type"}, {});
    const auto type = type_arg(a);
    if (type == 2) {
        auto sk = check(blindrsa::private_key::generate(token_type_2::modulus_bits), "keygen");
        auto der = check(sk.to_pkcs8_der(), "keygen");
        const auto& pk = sk.public_key();
        return emit({{"sk", to_hex(der)}, {"token_key", to_base64url(encode_pss_spki(pk.modulus(), pk.exponent()), true)}});
    }
    // RFC 9578 §5.5: seed = random(Ns); (skI, pkI) = DeriveKeyPair(seed, "PrivacyPass").
    auto make = [&](auto suite) {
        using S = decltype(suite);
        std::array<std::uint8_t, 32> seed;
        check(system_rng().fill(seed), "keygen");
        auto sk = check(oprf::derive_key_pair<S>(oprf::mode::voprf, seed, as_bytes("PrivacyPass")), "keygen");
        wipe(seed);
        std::array<std::uint8_t, oprf::Ns<S>> skb;
        sk.serialize(skb);
        json j{{"sk", to_hex(skb)}, {"token_key", to_base64url(sk.public_key().bytes(), true)}};
        wipe(skb);
        return emit(j);
    };
    return type == 1 ? make(oprf::p384_sha384{}) : make(oprf::ristretto255_sha512{});
}

int challenge(const std::vector<std::string>& argv) {
    args a(argv, {"type", "issuer", "origin", "redemption-context", "token-key", "max-age"}, {});
    token_challenge c;
    c.token_type = static_cast<std::uint16_t>(a.required_uint("type"));
    if (c.token_type != 1 && c.token_type != 2 && c.token_type != 5) throw usage_error("--type must be 1, 2 or 5");
    c.issuer_name = a.required("issuer");
    for (const auto& o : a.all("origin")) c.origin_info += (c.origin_info.empty() ? "" : ",") + o;
    if (auto ctx = a.get("redemption-context")) c.redemption_context = read_value(*ctx, "--redemption-context");
    const auto enc = check(c.encode(), "challenge");
    bytes key;
    if (auto k = a.get("token-key")) key = b64_value(*k, "--token-key");
    std::optional<std::uint32_t> max_age;
    if (auto m = a.get_uint("max-age")) max_age = static_cast<std::uint32_t>(*m);
    return emit({{"challenge", to_base64url(enc, true)}, {"www_authenticate", www_authenticate_value(enc, key, max_age)}});
}

/// Verifies one token for a challenge, with the key the challenge names.
int verify(const std::vector<std::string>& argv) {
    args a(argv, {"token", "challenge", "token-key", "sk", "spent-store", "origin", "now", "key-expires"}, {});
    const bytes tok_bytes = b64_value(a.required("token"), "--token");
    const bytes ch = b64_value(a.required("challenge"), "--challenge");
    const bytes key = b64_value(a.required("token-key"), "--token-key");
    const auto t = check(token::decode(tok_bytes), "token");
    const auto c = check(token_challenge::decode(ch), "challenge");
    // RFC 9577 §2.2: same type, challenge_digest = SHA-256(challenge); §2.1.1 origin list.
    const std::string origin = a.get("origin").value_or("");
    if (!origin.empty()) check(check_binding(t, ch, origin), "binding");
    else check(check_binding(t, ch, c.origin_info.substr(0, c.origin_info.find(','))), "binding");

    if (!equal_bytes(t.token_key_id, token_key_id_of(key))) throw input_error("key_mismatch", "token: token_key_id is not SHA-256(token-key)");
    std::function<result<void>(const token&)> verify_fn;
    std::optional<issuer> is;
    std::optional<blind_rsa_public_key> rsa;
    if (t.token_type == 2) {
        rsa.emplace(check(blind_rsa_public_key::from_token_key(key), "token-key"));
        verify_fn = [&](const token& x) { return verify_blind_rsa_token(*rsa, x); };
    } else {
        // Types 1 and 5 are privately verifiable (RFC 9578 §5.4): the issuer key is needed.
        if (!a.has("sk")) throw usage_error("type 1 and 5 tokens need --sk to verify");
        is.emplace(issuer_from(t.token_type, a.required("sk")));
        verify_fn = [&](const token& x) { return is->verify(x); };
    }
    check(verify_fn(t), "verify");

    const std::uint64_t now = a.get_uint("now").value_or(static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count()));
    const std::uint64_t expires = a.get_uint("key-expires").value_or(now + 7 * 86400);
    std::unique_ptr<spend_store> store = std::make_unique<memory_spend_store>();
    if (auto url = a.get("spent-store")) {
#ifdef PPX_HAVE_HIREDIS
        store = check(redis_spend_store::connect(*url), "spent-store");
#else
        throw usage_error("this ppx was built without hiredis: --spent-store is unavailable");
#endif
    }
    auto sk = check(spend_key::of(t, c.redemption_context), "token");
    check(store->insert(sk, now, expires), "spent-store");
    return emit({{"valid", true}, {"token_type", t.token_type}, {"nonce", to_hex(t.nonce)}, {"token_key_id", to_hex(t.token_key_id)}});
}

#ifdef PPX_HAVE_HTTPLIB
int serve_issuer(const std::vector<std::string>& argv) {
    args a(argv, {"listen", "type", "sk", "name"}, {});
    const auto listen = split_listen(a.required("listen"));
    const auto type = type_arg(a);
    const issuer is = issuer_from(type, a.required("sk"));

    httplib::Server svr;
    auto fail_reply = [](httplib::Response& res, const error& e) {
        res.status = http_status(e.code);
        res.set_content(std::string(to_string(e.code)) + ": " + e.what + "\n", "text/plain");
    };
    // RFC 9578 §4: the directory, with a request URI relative to it.
    svr.Get(std::string(directory_path), [&](const httplib::Request&, httplib::Response& res) {
        res.set_header("Cache-Control", "max-age=86400");
        res.set_content(is.directory_json("/token-request"), std::string(media_type_directory));
    });
    svr.Post("/token-request", [&](const httplib::Request& req, httplib::Response& res) {
        const std::string ct = req.get_header_value("Content-Type");
        const bytes_view body = as_bytes(req.body);
        ppx::rng& r = system_rng();
        if (ct == media_type_request) {  // RFC 9578 §5.2, §6.2
            std::array<std::uint8_t, max_token_response_size> out;
            auto n = is.handle_request(body, r, out);
            if (!n) return fail_reply(res, n.error());
            res.set_content(std::string(as_chars(bytes_view(out).first(*n))), std::string(media_type_response));
        } else if (ct == media_type_amortized_request) {  // batched-tokens-07 §5.2
            auto out = is.handle_amortized(body, r);
            if (!out) return fail_reply(res, out.error());
            res.set_content(std::string(as_chars(*out)), std::string(media_type_amortized_response));
        } else if (ct == media_type_generic_request) {  // batched-tokens-07 §6.2
            auto out = is.handle_generic(body, r);
            if (!out) return fail_reply(res, out.error());
            res.status = out->status();
            res.set_content(std::string(as_chars(out->body)), std::string(media_type_generic_response));
        } else {
            res.status = 415;
            res.set_content("unsupported media type\n", "text/plain");
        }
    });

    server_options opt;
    opt.log = [](const httplib::Request& req, const httplib::Response& res) {
        std::cerr << req.method << " " << req.path << " " << res.status << " " << req.get_header_value("Content-Type") << std::endl;
    };
    const std::optional<std::string> name = a.get("name");
    opt.on_listening = [&name, type](const std::string& bound) {
        std::cerr << "issuer " << name.value_or(bound) << " serving token type " << type << std::endl;
    };
    return run_server(svr, listen, opt);
}

/// Splits http://host:port/path into ("http://host:port", "/path").
std::pair<std::string, std::string> split_url(const std::string& url) {
    const auto scheme = url.find("://");
    if (scheme == std::string::npos) throw usage_error("--issuer-url wants http://HOST:PORT[/PATH]");
    const auto slash = url.find('/', scheme + 3);
    if (slash == std::string::npos) return {url, ""};
    return {url.substr(0, slash), url.substr(slash)};
}

bytes post(httplib::Client& cli, const std::string& path, const bytes& body, std::string_view type, std::string_view want) {
    auto res = cli.Post(path, std::string(as_chars(body)), std::string(type));
    if (!res) throw input_error("internal", "fetch: HTTP request failed");
    if (res->status != 200 && res->status != 206) throw input_error("rejected", "fetch: issuer answered HTTP " + std::to_string(res->status) + ": " + res->body);
    if (res->get_header_value("Content-Type") != want) throw input_error("malformed", "fetch: unexpected response media type");
    return to_bytes(res->body);
}

int fetch(const std::vector<std::string>& argv) {
    args a(argv, {"issuer-url", "challenge", "token-key", "count"}, {});
    const bytes ch = b64_value(a.required("challenge"), "--challenge");
    const bytes key = b64_value(a.required("token-key"), "--token-key");
    const auto count = a.get_uint("count").value_or(1);
    if (count == 0 || count > 1000) throw usage_error("--count must be 1..1000");
    const auto c = check(token_challenge::decode(ch), "challenge");
    // Plain variables, not a structured binding: the lambdas below capture `path`.
    std::string base, path;
    std::tie(base, path) = split_url(a.required("issuer-url"));
    if (path.empty() || path == "/") {
        // RFC 9578 §4: find the request URI in the directory.
        httplib::Client dir_cli(base);
        dir_cli.set_connection_timeout(5);
        dir_cli.set_read_timeout(30);
        auto res = dir_cli.Get(std::string(directory_path));
        if (!res || res->status != 200) throw input_error("internal", "fetch: cannot read the issuer directory");
        const auto dir = json::parse(res->body, nullptr, false);
        if (!dir.is_object() || !dir.contains("issuer-request-uri") || !dir["issuer-request-uri"].is_string())
            throw input_error("malformed", "fetch: bad issuer directory");
        path = dir["issuer-request-uri"].get<std::string>();
        if (path.rfind("http", 0) == 0) std::tie(base, path) = split_url(path);
    }
    httplib::Client cli(base);
    cli.set_connection_timeout(5);
    cli.set_read_timeout(30);
    rng& r = system_rng();
    std::vector<token> tokens;
    if (c.token_type == 2) {
        auto client = check(blind_rsa_client::create(key), "token-key");
        std::vector<bytes> requests;
        std::vector<blind_rsa_client::pending> pend;
        for (std::uint64_t i = 0; i < count; ++i) {
            std::array<std::uint8_t, token_type_2::request_size> req;
            pend.push_back(check(client.request(ch, r, req), "request"));
            requests.emplace_back(req.begin(), req.end());
        }
        if (count == 1) {
            auto resp = post(cli, path, requests[0], media_type_request, media_type_response);
            tokens.push_back(check(client.finalize(pend[0], resp), "finalize"));
        } else {  // batched-tokens-07 §6: a generic batch
            auto resp = post(cli, path, check(encode_generic_batch_request(requests), "request"), media_type_generic_request, media_type_generic_response);
            auto entries = check(parse_generic_batch_response(resp), "response");
            if (entries.size() != count) throw input_error("malformed", "fetch: generic batch response has the wrong count");
            for (std::size_t i = 0; i < entries.size(); ++i)
                if (entries[i] && entries[i]->token_type == 2) tokens.push_back(check(client.finalize(pend[i], entries[i]->response), "finalize"));
        }
    } else if (c.token_type == 1 || c.token_type == 5) {
        auto run = [&](auto tt) {
            using T = decltype(tt);
            auto client = check(voprf_client<T>::create(key), "token-key");
            if (count == 1) {
                std::array<std::uint8_t, T::request_size> req;
                auto p = check(client.request(ch, r, req), "request");
                auto resp = post(cli, path, bytes(req.begin(), req.end()), media_type_request, media_type_response);
                tokens.push_back(check(client.finalize(p, resp), "finalize"));
            } else {  // batched-tokens-07 §5: one amortized batch
                bytes req;
                auto pb = check(client.request_batch(ch, count, r, req), "request");
                auto resp = post(cli, path, req, media_type_amortized_request, media_type_amortized_response);
                for (auto& t : check(client.finalize_batch(pb, resp), "finalize")) tokens.push_back(t);
            }
        };
        if (c.token_type == 1) run(token_type_1{});
        else run(token_type_5{});
    } else {
        throw input_error("unsupported", "fetch: unsupported token type");
    }
    if (tokens.empty()) throw input_error("rejected", "fetch: the issuer issued no token");
    json list = json::array();
    for (const auto& t : tokens) list.push_back(to_base64url(check(t.encode(), "token"), true));
    return emit({{"tokens", list}, {"authorization", authorization_value(check(tokens[0].encode(), "token"))}});
}
#endif

const registrar reg({
    {"token", "keygen",
     "ppx token keygen --type 1|2|5\n"
     "  A new issuer key: type 1 / 5 by RFC 9578 §5.5 DeriveKeyPair(random seed, \"PrivacyPass\"), type 2 a\n"
     "  2048-bit RSA key (sk is PKCS#8 DER); token_key is the RFC 9578 encoding, base64url with padding.\n"
     "  -> {\"sk\": HEX, \"token_key\": BASE64URL}",
     keygen},
    {"token", "challenge",
     "ppx token challenge --type 1|2|5 --issuer NAME [--origin NAME]... [--redemption-context HEX]\n"
     "                    [--token-key BASE64URL] [--max-age SECONDS]\n"
     "  An RFC 9577 TokenChallenge and its WWW-Authenticate value.\n"
     "  -> {\"challenge\": BASE64URL, \"www_authenticate\": \"PrivateToken ...\"}",
     challenge},
    {"token", "verify",
     "ppx token verify --token BASE64URL --challenge BASE64URL --token-key BASE64URL [--sk HEX]\n"
     "                 [--origin NAME] [--spent-store redis://HOST:PORT] [--now UNIX] [--key-expires UNIX]\n"
     "  Checks the token against the challenge (type, digest, origin), its authenticator (types 1 and 5\n"
     "  need the issuer --sk), then records its nonce in the spend store (in memory by default; with\n"
     "  --spent-store a replayed token is refused, exit 1 with error \"replayed\").\n"
     "  -> {\"valid\": true, \"token_type\": N, \"nonce\": HEX, \"token_key_id\": HEX}",
     verify},
#ifdef PPX_HAVE_HTTPLIB
    {"token", "serve-issuer",
     "ppx token serve-issuer --listen ADDR --type 1|2|5 --sk HEX|@FILE [--name NAME]\n"
     "  An RFC 9578 issuer over HTTP/1.1: GET /.well-known/private-token-issuer-directory and\n"
     "  POST /token-request (application/private-token-request, and the amortized and generic batch\n"
     "  media types of batched-tokens-07). Runs until SIGTERM/SIGINT; one log line per request on stderr.",
     serve_issuer},
    {"token", "fetch",
     "ppx token fetch --issuer-url URL --challenge BASE64URL --token-key BASE64URL [--count N]\n"
     "  Runs issuance against an issuer (URL = its request URL, or its origin to read the directory).\n"
     "  --count N > 1 uses one batch (amortized for types 1 and 5, generic for type 2).\n"
     "  -> {\"tokens\": [BASE64URL, ...], \"authorization\": \"PrivateToken token=...\"}",
     fetch},
#endif
});

} // namespace
} // namespace ppx::cli
