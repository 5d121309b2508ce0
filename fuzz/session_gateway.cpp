// Drives session::gateway_exchange with genuine client requests (attestation lookups and
// processing requests with fresh tokens) that the input may corrupt, or with raw input bytes,
// fed in pieces, followed by a script of upstream calls.
// Invariants: no crash; after the first error every call reports it and nothing more is
// transmitted; a corrupted request is never forwarded to a VM; exactly one gw_failed event
// on failure; after an upstream failure that started the response, nothing further is sent.
#include "fuzz.hpp"

#include <ppx/session/simulated.hpp>

using namespace ppx;
using namespace ppx::session;

namespace {
constexpr std::uint64_t now = 1767225600;

simulated_deployment& dep() {
    static simulated_deployment d = [] {
        deterministic_rng r(2);
        simulated_options o;
        o.now = now;
        o.token_batch = 1;
        return std::move(*make_simulated_deployment(o, r));
    }();
    return d;
}

// A genuine processing request with an unspent token, or an attestation lookup.
bytes genuine(bool process, rng& r) {
    auto& d = dep();
    client_session c(d.client, r);
    (void)c.start(now);
    auto echo = [](bytes_view q, const std::function<result<void>(bytes_view)>& emit) { return emit(q); };
    while (auto t = c.poll_transmit()) {
        if (t->to == destination::relay && !process) return t->body;
        auto a = answer_in_process(d, *t, r, now, echo);
        if (!a) return {};
        (void)c.receive(*a, now);
        (void)c.end_of_response(now);
    }
    (void)c.send_request(as_bytes("fuzz"), now);
    auto t = c.poll_transmit();
    return t ? t->body : bytes{};
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 3) return 0;
    static std::uint64_t seed = 100;
    deterministic_rng r(++seed);
    const std::uint8_t mode = data[0], a = data[1], b = data[2];
    bytes req;
    bool corrupted = true;
    switch (mode % 4) {
    case 0: req.assign(data + 3, data + size); break;
    case 1:
        req = genuine(true, r);
        corrupted = false;
        break;
    case 2:
        req = genuine(mode & 0x80, r);
        if (!req.empty()) req[(a * 256u + b) % req.size()] ^= static_cast<std::uint8_t>(1 + (mode >> 2));
        break;
    case 3:
        req = genuine(false, r);
        corrupted = false;
        break;
    }
    gateway_exchange g(dep().gateway, r);
    std::optional<error> first;
    std::size_t failures = 0;
    bool forwarded = false, cut = false;
    auto check = [&](const result<void>& res) {
        if (!res) {
            if (!first) first = res.error();
            PPX_FUZZ_CHECK(res.error().code == first->code);
        }
        while (auto e = g.poll_event()) {
            if (auto* f = std::get_if<gw_failed>(&*e)) {
                ++failures;
                if (!f->encapsulated && f->http_status == 0) cut = true;
            }
            forwarded |= std::holds_alternative<gw_forward>(*e);
        }
        PPX_FUZZ_CHECK(failures <= 1);
        if (cut || (first && !g.finished())) PPX_FUZZ_CHECK(!g.poll_transmit());
    };
    const std::size_t piece = 1 + a % 97;
    for (std::size_t k = 0; k < req.size(); k += piece) check(g.receive(bytes_view(req).subspan(k, std::min(piece, req.size() - k)), now));
    check(g.end_of_request(now));
    PPX_FUZZ_CHECK(!(forwarded && corrupted));
    if (first) {
        while (g.poll_transmit()) {}
        // Poisoned: later calls report the first error and send nothing.
        check(g.upstream(as_bytes("x"), now));
        check(g.upstream_end(now));
        PPX_FUZZ_CHECK(!g.poll_transmit());
        return 0;
    }
    // Upstream script from the rest of the input.
    for (std::size_t k = 3; k < size && k < 40; ++k) {
        switch (data[k] % 4) {
        case 0:
        case 1: check(g.upstream(bytes(1 + data[k] % 17, data[k]), now)); break;
        case 2: g.upstream_failed(now); check(unexpected(g.failure().value_or(error{errc::misuse, ""})));
            if (g.failure()) while (g.poll_transmit()) {}
            break;
        case 3: check(g.upstream_end(now)); break;
        }
        if (g.failure()) PPX_FUZZ_CHECK(!g.poll_transmit());
    }
    return 0;
}
