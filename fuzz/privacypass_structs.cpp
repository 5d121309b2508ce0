// Fuzzes the RFC 9577 TokenChallenge and Token decoders and the type-2 token-key (SPKI) checker.
// Invariants: whatever decodes re-encodes to the same bytes (one encoding per value); a token
// bound to a challenge by check_binding carries that challenge's digest.
#include "fuzz.hpp"

#include <ppx/privacypass/rsa_spki.hpp>
#include <ppx/privacypass/token.hpp>

using namespace ppx;
using namespace ppx::privacypass;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto in = ppx::fuzz::input(data, size);
    if (auto c = token_challenge::decode(in)) {
        auto enc = c->encode();
        PPX_FUZZ_CHECK(enc.has_value() && equal_bytes(*enc, in));
        PPX_FUZZ_CHECK(c->encoded_size() == size);
    }
    if (auto t = token::decode(in)) {
        auto enc = t->encode();
        PPX_FUZZ_CHECK(enc.has_value() && equal_bytes(*enc, in));
        PPX_FUZZ_CHECK(is_known(t->token_type));
    }
    // Split the input as token || challenge at every known token size.
    for (std::uint16_t type : {0x0001, 0x0002, 0x0005, 0xFF01}) {
        const std::size_t n = token_size(type);
        if (size < n) continue;
        auto t = token::decode(in.first(n));
        if (!t) continue;
        if (auto c = check_binding(*t, in.subspan(n), "origin.example")) {
            const auto d = challenge_digest(in.subspan(n));
            PPX_FUZZ_CHECK(equal_bytes(d, t->challenge_digest));
            PPX_FUZZ_CHECK(c->token_type == t->token_type);
            PPX_FUZZ_CHECK(c->allows_origin("origin.example"));
        }
    }
    if (auto rsa = check_pss_spki(in)) {
        PPX_FUZZ_CHECK(rsa->size() < size);
        PPX_FUZZ_CHECK(rsa->data() >= data && rsa->data() + rsa->size() <= data + size);
    }
    return 0;
}
