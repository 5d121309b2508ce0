// The shared listen/serve loop of the ppx tool's servers (see server.hpp).
#include "server.hpp"

#ifdef PPX_HAVE_HTTPLIB
#include <csignal>
#include <iostream>
#include <pthread.h>
#include <thread>

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
    // SIGTERM/SIGINT are taken by one thread with sigwait, which stops the server cleanly;
    // they are blocked before any server thread exists (listen_after_bind starts them) so
    // every thread inherits the mask.
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
    if (opt.log) svr.set_logger(opt.log);
    int bound = port;
    if (port == 0) {
        bound = svr.bind_to_any_port(host);
        if (bound < 0) throw input_error("internal", "cannot listen on " + host);
    } else if (!svr.bind_to_port(host, port)) {
        throw input_error("internal", "cannot listen on " + host + ":" + std::to_string(port));
    }
    const std::string address = host + ":" + std::to_string(bound);
    std::cout << json{{"listening", address}}.dump() << std::endl;
    if (opt.on_listening) opt.on_listening(address);
    std::thread stopper([&] {
        int sig = 0;
        sigwait(&sigs, &sig);
        svr.stop();
    });
    const bool clean = svr.listen_after_bind();
    // If the server ended on its own, wake the stopper thread so it can be joined.
    pthread_kill(stopper.native_handle(), SIGTERM);
    stopper.join();
    return clean ? 0 : 1;
}

} // namespace ppx::cli
#endif
