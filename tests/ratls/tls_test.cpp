// Mutual RA-TLS over a real TLS 1.3 handshake on loopback (127.0.0.1), with the SSL_CTX hook
// of ppx/ratls/tls.hpp: it passes with good evidence and fails for each kind of bad evidence.
#include <ppx/ratls/tls.hpp>

#include "support.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <thread>

using namespace ppx;
using namespace ppx::ratls;
using namespace ppx::ratls::testing;

namespace {

using ssl_ctx_ptr = std::unique_ptr<SSL_CTX, ppx::detail::free_fn<SSL_CTX_free>>;
using ssl_ptr = std::unique_ptr<SSL, ppx::detail::free_fn<SSL_free>>;

ssl_ctx_ptr make_ctx(bool server, const issued_certificate& cert, std::shared_ptr<certificate_verifier> v) {
    ssl_ctx_ptr ctx(SSL_CTX_new(server ? TLS_server_method() : TLS_client_method()));
    REQUIRE(ctx);
    REQUIRE(SSL_CTX_set_min_proto_version(ctx.get(), TLS1_3_VERSION) == 1);
    REQUIRE(tls::use_certificate(ctx.get(), cert));
    REQUIRE(tls::require_attested_peer(ctx.get(), std::move(v)));
    return ctx;
}

void timeouts(int fd) {
    timeval tv{5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

struct outcome {
    bool server_ok = false;
    bool client_ok = false;
    bool server_saw_hpke_key = false;
    bool client_saw_hpke_key = false;
    std::string echoed;
};

// One mutual handshake: server presents `server_cert`, client `client_cert`; each appraises the
// other with `v`. After success, one application message goes client -> server -> client.
outcome handshake(const issued_certificate& server_cert, const issued_certificate& client_cert, std::shared_ptr<certificate_verifier> v) {
    outcome out;
    const int ls = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(ls >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    REQUIRE(::bind(ls, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(ls, 1) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(ls, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    auto sctx = make_ctx(true, server_cert, v);
    auto cctx = make_ctx(false, client_cert, v);

    std::thread server([&] {
        const int fd = ::accept(ls, nullptr, nullptr);
        if (fd < 0) return;
        timeouts(fd);
        ssl_ptr s(SSL_new(sctx.get()));
        SSL_set_fd(s.get(), fd);
        if (SSL_accept(s.get()) == 1) {
            out.server_ok = true;
            const auto* peer = tls::peer_attestation(s.get());
            out.server_saw_hpke_key = peer && peer->claims.hpke_public_key.has_value();
            char buf[64];
            const int n = SSL_read(s.get(), buf, sizeof buf);
            if (n > 0) SSL_write(s.get(), buf, n);
            SSL_shutdown(s.get());
        }
        ERR_clear_error();
        ::close(fd);
    });
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    timeouts(fd);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    {
        ssl_ptr c(SSL_new(cctx.get()));
        SSL_set_fd(c.get(), fd);
        if (SSL_connect(c.get()) == 1) {
            // In TLS 1.3 the server checks the client's certificate after the client finishes;
            // a refusal shows up on the first read.
            const auto* peer = tls::peer_attestation(c.get());
            out.client_saw_hpke_key = peer && peer->claims.hpke_public_key.has_value();
            if (SSL_write(c.get(), "ping", 4) == 4) {
                char buf[64];
                const int n = SSL_read(c.get(), buf, sizeof buf);
                if (n > 0) out.echoed.assign(buf, static_cast<std::size_t>(n));
            }
            out.client_ok = out.echoed == "ping";
        }
        ERR_clear_error();
    }
    ::close(fd);
    server.join();
    ::close(ls);
    return out;
}

} // namespace

TEST_CASE("ratls tls: mutual RA-TLS 1.3 handshake over loopback succeeds with good evidence", "[ratls][tls]") {
    auto a = make_cert(machine(snp::product::milan));
    auto b = make_cert(machine(snp::product::turin));
    auto o = handshake(a, b, test_verifier());
    CHECK(o.server_ok);
    CHECK(o.client_ok);
    CHECK(o.server_saw_hpke_key);
    CHECK(o.client_saw_hpke_key);
    CHECK(o.echoed == "ping");
}

TEST_CASE("ratls tls: the handshake fails for each kind of bad evidence", "[ratls][tls][negative]") {
    const auto good = make_cert(machine());
    for (int k = static_cast<int>(bad::report_data_not_claims); k <= static_cast<int>(bad::untrusted_chain); ++k) {
        DYNAMIC_SECTION("bad server evidence " << k) {
            std::unique_ptr<evidence_provider> holder;
            auto bad_cert = make_cert(provider_for(static_cast<bad>(k), holder));
            auto o = handshake(bad_cert, good, test_verifier());
            CHECK_FALSE(o.client_ok);
            CHECK_FALSE(o.server_ok);
        }
        DYNAMIC_SECTION("bad client evidence " << k) {
            std::unique_ptr<evidence_provider> holder;
            auto bad_cert = make_cert(provider_for(static_cast<bad>(k), holder));
            auto o = handshake(good, bad_cert, test_verifier());
            CHECK_FALSE(o.server_ok);
            CHECK_FALSE(o.client_ok);
        }
    }
    SECTION("the default AMD-only verifier refuses the simulated chain") {
        auto amd = snp::verifier::with_amd_roots();
        REQUIRE(amd);
        auto o = handshake(good, good, std::make_shared<certificate_verifier>(std::move(*amd), test_options()));
        CHECK_FALSE(o.client_ok);
        CHECK_FALSE(o.server_ok);
    }
    SECTION("a measurement the verifier does not allow") {
        auto opts = test_options();
        opts.policy.measurements = {snp::measurement_t{}};
        auto o = handshake(good, good, test_verifier(opts));
        CHECK_FALSE(o.client_ok);
        CHECK_FALSE(o.server_ok);
    }
}
