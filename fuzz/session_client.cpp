// Drives session::client_session through a simulated deployment whose every answer the input
// may corrupt. Input: a script of steps, each [op][a][b]: op selects what happens to the next
// genuine answer (pass, flip byte a*256+b..., truncate, replace by garbage), how it is split,
// or a misplaced call (send_request, transport_failed, start, a stray receive).
// Invariants: no crash; once a call fails, the session reports that first error on every
// later call, transmits nothing more, and emits exactly one client_failed event; a reply is
// complete only if no answer was corrupted.
#include "fuzz.hpp"

#include <ppx/session/simulated.hpp>

using namespace ppx;
using namespace ppx::session;

namespace {
constexpr std::uint64_t now = 1767225600;

simulated_deployment& dep() {
    static simulated_deployment d = [] {
        deterministic_rng r(1);
        simulated_options o;
        o.rogue_vms = 1;
        o.now = now;
        return std::move(*make_simulated_deployment(o, r));
    }();
    return d;
}

result<void> echo(bytes_view req, const std::function<result<void>(bytes_view)>& emit) {
    for (std::size_t i = 0; i < req.size(); i += 3) PPX_TRY(emit(req.subspan(i, std::min<std::size_t>(3, req.size() - i))));
    return ok();
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto& d = dep();
    static std::uint64_t seed = 0;
    deterministic_rng r(++seed);  // fresh token nonces per run (the spend store is shared)
    client_session c(d.client, r);
    std::optional<error> first;
    std::size_t failed_events = 0;
    bool corrupted = false;
    auto check = [&](const result<void>& res) {
        if (!res) {
            if (!first) first = res.error();
            PPX_FUZZ_CHECK(res.error().code == first->code);
        } else {
            PPX_FUZZ_CHECK(!first);
        }
        while (auto e = c.poll_event()) {
            failed_events += std::holds_alternative<client_failed>(*e);
            // A reply is complete only if every answer so far was genuine: each corruption
            // (flip, truncation, garbage) must be caught by some authentication or proof.
            if (std::holds_alternative<reply_complete>(*e)) PPX_FUZZ_CHECK(!corrupted);
        }
        PPX_FUZZ_CHECK(failed_events == (first ? 1u : 0u));
        if (first) PPX_FUZZ_CHECK(!c.poll_transmit());
    };
    check(c.start(now));
    std::size_t i = 0;
    auto next = [&]() -> std::uint8_t { return i < size ? data[i++] : 0; };
    for (int step = 0; step < 16 && i < size; ++step) {
        const std::uint8_t op = next(), a = next(), b = next();
        switch (op % 8) {
        case 0:
        case 1:
        case 2:
        case 3: {
            auto t = c.poll_transmit();
            if (!t) {
                if (c.is_ready()) check(c.send_request(as_bytes("fuzz prompt"), now));
                break;
            }
            auto ans = answer_in_process(d, *t, r, now, echo);
            bytes body = ans ? *ans : bytes{};
            if (op % 8 == 1 && !body.empty()) {
                body[(a * 256u + b) % body.size()] ^= static_cast<std::uint8_t>(1 + (op >> 3));
                corrupted = true;
            } else if (op % 8 == 2 && !body.empty()) {
                body.resize((a * 256u + b) % body.size());
                corrupted = true;
            } else if (op % 8 == 3) {
                body.assign(data + i, data + std::min(size, i + a));
                i += std::min<std::size_t>(a, size - i);
                corrupted = true;
            }
            const std::size_t piece = 1 + b % 64;
            for (std::size_t k = 0; k < body.size(); k += piece)
                check(c.receive(bytes_view(body).subspan(k, std::min(piece, body.size() - k)), now));
            check(c.end_of_response(now));
            break;
        }
        case 4: check(c.send_request(bytes(a, 'x'), now)); break;
        case 5:
            c.transport_failed(now);
            check(unexpected(c.failure().value_or(error{})));
            break;
        case 6: check(c.start(now)); break;
        case 7: check(c.receive(bytes(b, a), now)); break;
        }
    }
    return 0;
}
