// Fuzzes the PrivateToken HTTP header parsers (RFC 9110 §11 challenge lists, RFC 9577 §2).
// Invariants: every PrivateToken challenge found survives a rebuild (www_authenticate_value)
// and re-parse unchanged; parse_authorization agrees with authorization_value.
#include "fuzz.hpp"

#include <ppx/privacypass/auth_header.hpp>

using namespace ppx;
using namespace ppx::privacypass;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto all = parse_auth_challenges(text);
    auto pt = parse_private_token_challenges(text);
    PPX_FUZZ_CHECK(all.has_value() == pt.has_value());
    if (pt) {
        for (const auto& c : *pt) {
            PPX_FUZZ_CHECK(c.decoded.validate().has_value());
            auto again = parse_private_token_challenges(www_authenticate_value(c.challenge, c.token_key, c.max_age));
            PPX_FUZZ_CHECK(again.has_value() && again->size() == 1);
            PPX_FUZZ_CHECK((*again)[0].challenge == c.challenge);
            PPX_FUZZ_CHECK((*again)[0].token_key == c.token_key);
            PPX_FUZZ_CHECK((*again)[0].max_age == c.max_age);
        }
    }
    auto tok = parse_authorization(text);
    if (tok) {
        auto again = parse_authorization(authorization_value(*tok));
        PPX_FUZZ_CHECK(again.has_value() && *again == *tok);
    }
    return 0;
}
