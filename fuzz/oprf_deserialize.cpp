// Fuzz target: RFC 9497 element and scalar deserialisation for every supported group, and a
// client Finalize on an attacker-chosen evaluated element.
// Input: byte 0 selects the group (mod 4); the rest is the candidate encoding.
// Invariants: an accepted element is never the identity and re-serialises to exactly the
// input (one canonical encoding); an accepted scalar re-serialises to the input; Finalize
// succeeds exactly when the element deserialises.
#include "fuzz.hpp"

#include <ppx/oprf.hpp>

namespace {

template <class S>
void run(std::span<const std::uint8_t> in) {
    using namespace ppx::oprf;
    using G = typename S::group;
    auto e = G::deserialize_element(in);
    if (e) {
        PPX_FUZZ_CHECK(in.size() == Ne<S>);
        PPX_FUZZ_CHECK(!G::is_identity(*e));
        std::array<std::uint8_t, Ne<S>> back;
        PPX_FUZZ_CHECK(G::serialize_element(*e, back).has_value());
        PPX_FUZZ_CHECK(ppx::equal_bytes(back, in));
    } else {
        PPX_FUZZ_CHECK(e.error() == ppx::errc::malformed);
    }
    auto s = G::deserialize_scalar(in);
    if (s) {
        std::array<std::uint8_t, Ns<S>> back;
        G::serialize_scalar(*s, back);
        PPX_FUZZ_CHECK(ppx::equal_bytes(back, in));
    } else {
        PPX_FUZZ_CHECK(s.error() == ppx::errc::malformed);
    }
    // Client Finalize (OPRF mode) on the fuzzed evaluated element, with a fixed blind.
    static const std::uint8_t input[] = {'f', 'u', 'z', 'z'};
    std::array<std::uint8_t, Ns<S>> blind_bytes{};
    blind_bytes[std::is_same_v<G, ristretto255> ? 0 : Ns<S> - 1] = 7;
    auto b = blind_with<S>(mode::oprf, input, blind_bytes);
    PPX_FUZZ_CHECK(b.has_value());
    std::array<std::uint8_t, Nh<S>> out;
    auto f = finalize<S>(input, *b, in, out);
    PPX_FUZZ_CHECK(f.has_value() == e.has_value());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    auto in = ppx::fuzz::input(data + 1, size - 1);
    switch (data[0] % 4) {
    case 0: run<ppx::oprf::ristretto255_sha512>(in); break;
    case 1: run<ppx::oprf::p256_sha256>(in); break;
    case 2: run<ppx::oprf::p384_sha384>(in); break;
    default: run<ppx::oprf::p521_sha512>(in); break;
    }
    return 0;
}
