// Fuzz target: gateway decapsulation and client response decapsulation (RFC 9458 §4.3, §4.4),
// with RFC 9458 Appendix A's key. The first input byte picks the side.
// Invariants: nothing but the published encapsulated request decapsulates (its plaintext is
// then the published request) and nothing but the published response opens; the plaintext
// size reported up front matches; failures carry one of the documented codes.
#include "fuzz.hpp"

#include <ppx/ohttp.hpp>

using namespace ppx;

namespace {

bytes unhex(const char* s) { return *from_hex(s); }

struct fixture {
    ohttp::key_config config = *ohttp::key_config::parse(
        unhex("01002031e1f05a740102115220e9af918f738674aec95f54db6e04eb705aae8e79815500080001000100010003"));
    bytes request = unhex("00034745540568747470730b6578616d706c652e636f6d012f");
    bytes ske = unhex("bc51d5e930bda26589890ac7032f70ad12e4ecb37abb1b65b1256c9c48999c73");
    bytes response = unhex("0140c8");
    ohttp::gateway gw = make_gateway();
    ohttp::client client = *ohttp::client::make(config);

    ohttp::gateway make_gateway() {
        std::vector<ohttp::gateway_key> keys;
        keys.push_back({config, *hpke::private_key::from_bytes(
                                    hpke::kem_id::x25519_sha256,
                                    unhex("3c168975674b2fa8e465970b79c8dcf09f1c741626480bd4c6162fc5b6a98e1a"))});
        return *ohttp::gateway::make(std::move(keys));
    }
};

const fixture& fx() {
    static const fixture f;
    return f;
}

bool documented(errc e) {
    return e == errc::malformed || e == errc::key_mismatch || e == errc::unsupported || e == errc::crypto_failure;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const auto& f = fx();
    const auto in = ppx::fuzz::input(data + 1, size - 1);
    if (data[0] % 2 == 0) {
        const std::size_t expect = f.gw.plaintext_size(in);
        auto d = f.gw.decapsulate(in);
        if (!d) {
            PPX_FUZZ_CHECK(documented(d.error().code));
            return 0;
        }
        PPX_FUZZ_CHECK(d->plaintext.size() == expect);
        PPX_FUZZ_CHECK(equal_bytes(d->plaintext, f.request));
        auto res = std::move(d->context).seal(f.response);
        PPX_FUZZ_CHECK(res.has_value());
        return 0;
    }
    fixed_rng r(f.ske);
    auto req = f.client.encapsulate(f.request, r);
    PPX_FUZZ_CHECK(req.has_value());
    auto pt = std::move(req->context).open(in);
    if (!pt) {
        PPX_FUZZ_CHECK(pt.error() == errc::crypto_failure);
        return 0;
    }
    PPX_FUZZ_CHECK(equal_bytes(*pt, f.response));
    return 0;
}
