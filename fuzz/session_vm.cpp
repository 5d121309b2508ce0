// Drives session::vm_exchange with genuine end-to-end requests (sealed to the VM's key) that
// the input may corrupt, or raw bytes, fed in pieces, then a script of respond/end calls.
// Invariants: no crash; a corrupted request never opens; after the first error every call
// reports it, nothing more is transmitted and the request plaintext is gone.
#include "fuzz.hpp"

#include <ppx/session/simulated.hpp>

using namespace ppx;
using namespace ppx::session;

namespace {
constexpr std::uint64_t now = 1767225600;

std::shared_ptr<const vm_identity> identity() {
    static auto id = [] {
        deterministic_rng r(3);
        return std::make_shared<const vm_identity>(std::move(*vm_identity::generate(r)));
    }();
    return id;
}

bytes genuine(bytes_view prompt, rng& r) {
    auto kc = ohttp::key_config::parse(identity()->key_config());
    auto cl = ohttp::client::make(*kc, vm_labels());
    auto s = ohttp::chunked_request_sender::start(*cl, r);
    bytes body = to_bytes(s->header());
    append(body, *s->seal(prompt, true));
    return body;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 3) return 0;
    static std::uint64_t seed = 200;
    deterministic_rng r(++seed);
    const std::uint8_t mode = data[0], a = data[1], b = data[2];
    const bytes_view rest(data + 3, size - 3);
    bytes req;
    bool corrupted = true;
    switch (mode % 3) {
    case 0: req.assign(rest.begin(), rest.end()); break;
    case 1:
        req = genuine(rest.first(std::min<std::size_t>(rest.size(), 64)), r);
        corrupted = false;
        break;
    case 2:
        req = genuine(as_bytes("prompt"), r);
        req[(a * 256u + b) % req.size()] ^= static_cast<std::uint8_t>(1 + (mode >> 2));
        break;
    }
    vm_exchange x(identity(), r);
    std::optional<error> first;
    std::size_t failures = 0;
    bool opened = false;
    auto check = [&](const result<void>& res) {
        if (!res) {
            if (!first) first = res.error();
            PPX_FUZZ_CHECK(res.error().code == first->code);
            PPX_FUZZ_CHECK(x.request().empty());
        }
        while (auto e = x.poll_event()) {
            failures += std::holds_alternative<vm_failed>(*e);
            opened |= std::holds_alternative<vm_request_opened>(*e);
        }
        PPX_FUZZ_CHECK(failures == (first ? 1u : 0u));
        if (first) PPX_FUZZ_CHECK(!x.poll_transmit());
    };
    const std::size_t piece = 1 + a % 61;
    for (std::size_t k = 0; k < req.size(); k += piece) check(x.receive(bytes_view(req).subspan(k, std::min(piece, req.size() - k)), now));
    check(x.end_of_request(now));
    PPX_FUZZ_CHECK(!(opened && corrupted && mode % 3 == 2));  // a flipped genuine request never opens
    if (!first) PPX_FUZZ_CHECK(opened);
    for (std::size_t k = 3; k < size && k < 40; ++k) {
        switch (data[k] % 5) {
        case 0:
        case 1: check(x.respond(bytes(data[k] % 9, data[k]), now)); break;
        case 2: check(x.end_response(now)); break;
        case 3: check(x.receive(bytes(1, data[k]), now)); break;
        case 4: x.abort(); check(unexpected(x.failure().value_or(error{}))); break;
        }
        if (!first) while (x.poll_transmit()) {}
    }
    return 0;
}
