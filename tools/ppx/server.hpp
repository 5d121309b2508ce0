// The ppx tool's HTTP servers (`ohttp serve`, `ohttp relay`, `token serve-issuer`, `log serve`)
// share one listen/serve loop (tools/support/serve_loop.hpp, which the example uses too), as
// ../shared/CLI.md specifies: listen only where told (--listen HOST:PORT, port 0 picks one),
// print {"listening": "HOST:PORT"} as the first stdout line, run until SIGTERM/SIGINT and stop
// cleanly, one stderr line per request.
#pragma once

#ifdef PPX_HAVE_HTTPLIB
#include "cli.hpp"

#include <httplib.h>

#include <functional>
#include <string>
#include <utility>

namespace ppx::cli {

/// "HOST:PORT" -> (host, port); usage_error if malformed.
std::pair<std::string, int> split_listen(const std::string& addr);

struct server_options {
    /// The per-request stderr line; empty when the handlers write their own.
    std::function<void(const httplib::Request&, const httplib::Response&)> log = log_request_line;
    /// Runs once bound, after the {"listening"} line, with "HOST:PORT" (e.g. an extra stderr line).
    std::function<void(const std::string& bound)> on_listening;

    /// "METHOD PATH STATUS".
    static void log_request_line(const httplib::Request& req, const httplib::Response& res);
};

/// Serves `svr` on (host, port) until SIGTERM/SIGINT: binds (input_error "internal" if it
/// cannot), prints {"listening": "HOST:PORT"}, runs, stops cleanly. Returns the exit status.
int run_server(httplib::Server& svr, const std::pair<std::string, int>& listen, const server_options& opt = {});

} // namespace ppx::cli
#endif
