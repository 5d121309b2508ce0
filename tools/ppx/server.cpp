// The ppx tool's servers (see server.hpp): options and errors around the listen/serve loop the
// tool shares with the private_processing example (tools/support/serve_loop.hpp).
#include "server.hpp"

#ifdef PPX_HAVE_HTTPLIB
#include <serve_loop.hpp>

#include <iostream>

namespace ppx::cli {

std::pair<std::string, int> split_listen(const std::string& addr) {
    const std::size_t colon = addr.rfind(':');
    if (colon == std::string::npos || colon == 0) throw usage_error("--listen wants HOST:PORT");
    auto port = parse_uint(addr.substr(colon + 1));
    if (!port || *port > 65535) throw usage_error("--listen: bad port");
    return {addr.substr(0, colon), static_cast<int>(*port)};
}

void server_options::log_request_line(const httplib::Request& req, const httplib::Response& res) {
    std::cerr << req.method << " " << req.path << " " << res.status << std::endl;
}

int run_server(httplib::Server& svr, const std::pair<std::string, int>& listen, const server_options& opt) {
    const std::string& host = listen.first;
    const int port = listen.second;
    if (opt.log) svr.set_logger(opt.log);
    const int status = programs::serve_until_signal(svr, host, port, opt.on_listening);
    if (status >= 0) return status;
    throw input_error("internal", port == 0 ? "cannot listen on " + host : "cannot listen on " + host + ":" + std::to_string(port));
}

} // namespace ppx::cli
#endif
