// The listen/serve loop of the HTTP servers built here: the ppx tool's servers
// (tools/ppx/server.cpp: `ohttp serve`, `ohttp relay`, `token serve-issuer`, `log serve`) and the
// parties of the private_processing example, so both keep the contract of ../shared/CLI.md:
// listen only where told (port 0 picks one), print {"listening": "HOST:PORT"} as the first
// stdout line, run until SIGTERM/SIGINT and stop cleanly.
#pragma once

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <functional>
#include <iostream>
#include <pthread.h>
#include <string>
#include <thread>

namespace ppx::programs {

/// Serves `svr` on host:port until SIGTERM/SIGINT: binds (port 0 picks a free port), prints
/// {"listening": "HOST:PORT"} on stdout, calls `on_listening` with "HOST:PORT" if it is set,
/// then serves. Returns 0 once stopped cleanly, 1 if the server failed, and -1 without
/// serving if it cannot bind.
inline int serve_until_signal(httplib::Server& svr, const std::string& host, int port,
                              const std::function<void(const std::string& bound)>& on_listening = {}) {
    // SIGTERM/SIGINT are taken by one thread with sigwait, which stops the server cleanly;
    // they are blocked before any server thread exists (listen_after_bind starts them) so
    // every thread inherits the mask.
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
    int bound = port;
    if (port == 0) bound = svr.bind_to_any_port(host);
    else if (!svr.bind_to_port(host, port)) bound = -1;
    if (bound < 0) return -1;
    const std::string address = host + ":" + std::to_string(bound);
    std::cout << nlohmann::json{{"listening", address}}.dump() << std::endl;
    if (on_listening) on_listening(address);
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

} // namespace ppx::programs
