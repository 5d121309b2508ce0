// The HTTP transport around ppx::session::client_session: performs each transmit the client
// asks for over HTTP/1.1 (cpp-httplib), streams the response body back into it, and reports
// its events. Shared by `ppx session run` (tools/ppx/cmd_session.cpp) and the example's
// `client` role (examples/private_processing), so there is one copy of the driving loop.
// It reads the clock (the client machine itself never does) and owns every socket.
#pragma once

#include <ppx/session/client.hpp>

#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <string>
#include <thread>
#include <utility>

namespace ppx::programs {

/// UNIX seconds from the system clock.
inline std::uint64_t unix_now() {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

/// "http://127.0.0.1:8080/path" -> ("http://127.0.0.1:8080", "/path"); the path is "/" when absent.
inline std::pair<std::string, std::string> split_url(const std::string& url) {
    const auto scheme = url.find("://");
    const auto p = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
    if (p == std::string::npos) return {url, "/"};
    return {url.substr(0, p), url.substr(p)};
}

/// Where each destination of a client_transmit lives.
struct session_endpoints {
    std::string directory;  ///< base URL serving GET /ppx-pp/directory (the gateway, or a mirror)
    std::string issuer;     ///< base URL of the issuer (POST /token-request)
    std::string relay;      ///< full URL the relay takes POSTs at (e.g. http://host:port/relay)
    std::string log;        ///< base URL of the transparency log (GET /consistency); may be empty
};

/// Drives one client_session over HTTP.
class http_session_driver {
public:
    using event_sink = std::function<void(const session::client_event&)>;

    http_session_driver(session::client_session& c, session_endpoints urls, event_sink on_event)
        : c_(c), urls_(std::move(urls)), on_event_(std::move(on_event)) {}

    /// Seconds to wait for a response to start and between its pieces.
    int read_timeout_seconds = 30;
    /// Fault injection for tests and demos: when set, runs concurrently with each POST to the
    /// relay (e.g. sends the same encapsulated request through another relay).
    std::function<void(const session::client_transmit&)> alongside_relay;

    /// Reports every pending event of the client to the sink.
    void drain_events() {
        while (auto e = c_.poll_event()) {
            if (std::holds_alternative<session::reply_complete>(*e)) complete_ = true;
            if (on_event_) on_event_(*e);
        }
    }

    /// Performs the client's transmits, in order, until it has none left (or fails). A
    /// transport failure (no connection, a non-2xx status, a cut stream) is reported to the
    /// client with transport_failed(), which poisons it.
    void pump() {
        drain_events();
        while (auto t = c_.poll_transmit()) {
            perform(*t);
            drain_events();
        }
    }

    /// start(), then pump() until the session is ready (attested) or failed.
    bool establish() {
        if (!c_.start(unix_now())) {
            drain_events();
            return false;
        }
        pump();
        return c_.is_ready();
    }

    /// send_request(prompt), then pump() until the reply is complete or the session failed.
    /// True when the reply completed.
    bool ask(bytes_view prompt) {
        complete_ = false;
        if (!c_.send_request(prompt, unix_now())) {
            drain_events();
            return false;
        }
        pump();
        return complete_ && !c_.failure();
    }

private:
    void perform(const session::client_transmit& t) {
        std::string base, path;
        switch (t.to) {
        case session::destination::directory: base = urls_.directory, path = t.path; break;
        case session::destination::issuer: base = urls_.issuer, path = t.path; break;
        case session::destination::log: base = urls_.log, path = t.path; break;
        case session::destination::relay: std::tie(base, path) = split_url(urls_.relay); break;
        }
        if (base.empty()) {
            c_.transport_failed(unix_now());
            return;
        }
        base = split_url(base).first;  // a base URL given with a trailing path keeps only its origin
        httplib::Client cli(base);
        cli.set_read_timeout(read_timeout_seconds);
        cli.set_connection_timeout(read_timeout_seconds);
        httplib::Request hr;
        hr.method = t.method;
        hr.path = path;
        if (!t.content_type.empty()) hr.headers.emplace("Content-Type", t.content_type);
        if (!t.accept.empty()) hr.headers.emplace("Accept", t.accept);
        hr.body = std::string(as_chars(t.body));
        int status = 0;
        bool fed = true;
        hr.response_handler = [&status](const httplib::Response& r) {
            status = r.status;
            return r.status / 100 == 2;
        };
        hr.content_receiver = [this, &fed](const char* d, std::size_t n, std::uint64_t, std::uint64_t) {
            fed = static_cast<bool>(c_.receive(bytes_view(reinterpret_cast<const std::uint8_t*>(d), n), unix_now()));
            drain_events();  // reply chunks are reported as they authenticate
            return fed;
        };
        std::thread side;
        if (alongside_relay && t.to == session::destination::relay) side = std::thread([this, t] { alongside_relay(t); });
        auto r = cli.send(hr);
        if (side.joinable()) side.join();
        if (!fed) return;  // the client refused a piece: already poisoned
        if (!r || status / 100 != 2) c_.transport_failed(unix_now());
        else (void)c_.end_of_response(unix_now());
        drain_events();
    }

    session::client_session& c_;
    session_endpoints urls_;
    event_sink on_event_;
    bool complete_ = false;
};

/// A client_state read from `path` (a serialised merkle::log_view), or a new one when the file
/// does not exist. Errors as client_state::deserialize.
inline result<std::shared_ptr<session::client_state>> load_client_state(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) return std::make_shared<session::client_state>();
    const bytes b((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    return session::client_state::deserialize(b);
}

/// Writes `s` to `path` (through a temporary file renamed over it). errc::internal on I/O failure.
inline result<void> save_client_state(const std::string& path, const session::client_state& s) {
    const bytes b = s.serialize();
    const std::string tmp = path + ".tmp";
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        if (!f) return fail(errc::internal, "session: cannot write the client state");
        f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
        if (!f) return fail(errc::internal, "session: cannot write the client state");
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) return fail(errc::internal, "session: cannot write the client state");
    return ok();
}

} // namespace ppx::programs
