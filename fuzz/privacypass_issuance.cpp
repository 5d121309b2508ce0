// Fuzzes the issuance messages of every token type, on both sides. The first input byte picks
// the parser; the rest is the message:
//   0: TokenRequest to the dispatching issuer (types 1, 2, 5, 0xFF01)
//   1: AmortizedBatchTokenRequest (types 1, 5)      2: GenericBatchTokenRequest
//   3: GenericBatchTokenResponse parser             4: type-1 TokenResponse to a client
//   5: type-2 TokenResponse to a client             6: type-5 amortized response to a client
//   7: ACS TokenResponse to a client
// Invariants: answers have the documented sizes; anything a client accepts yields a token the
// issuer verifies (a forged proof or signature would break this); generic batches round-trip.
#include "fuzz.hpp"

#include <ppx/privacypass/issuer.hpp>

using namespace ppx;
using namespace ppx::privacypass;

namespace {

struct fixture {
    issuer is;
    std::optional<voprf_client<token_type_1>> c1;
    std::optional<voprf_client<token_type_1>::pending> p1;
    std::optional<blind_rsa_client> c2;
    std::optional<blind_rsa_client::pending> p2;
    std::optional<voprf_client<token_type_5>> c5;
    std::optional<voprf_client<token_type_5>::pending_batch> p5;
    std::optional<acs_client> ca;
    std::optional<acs_client::pending> pa;

    fixture() {
        deterministic_rng rng(0x5050);
        PPX_FUZZ_CHECK(is.type1.add_key(*oprf::private_key<oprf::p384_sha384>::generate(rng)).has_value());
        PPX_FUZZ_CHECK(is.type5.add_key(*oprf::private_key<oprf::ristretto255_sha512>::generate(rng)).has_value());
        PPX_FUZZ_CHECK(is.type2.add_key(*blindrsa::private_key::generate(2048)).has_value());
        is.acs.emplace(*oprf::private_key<oprf::ristretto255_sha512>::generate(rng));
        PPX_FUZZ_CHECK(is.acs->accept_info(as_bytes("2026-11-23")).has_value());

        c1 = *voprf_client<token_type_1>::create(is.type1.keys()[0].token_key);
        std::array<std::uint8_t, token_type_1::request_size> r1;
        p1 = *c1->request(*token_challenge{1, "i.example", {}, ""}.encode(), rng, r1);
        c2 = *blind_rsa_client::create(is.type2.keys()[0].pub.token_key);
        std::array<std::uint8_t, token_type_2::request_size> r2;
        p2 = std::move(*c2->request(*token_challenge{2, "i.example", {}, ""}.encode(), rng, r2));
        c5 = *voprf_client<token_type_5>::create(is.type5.keys()[0].token_key);
        bytes r5;
        p5 = *c5->request_batch(*token_challenge{5, "i.example", {}, ""}.encode(), 2, rng, r5);
        ca = *acs_client::create(is.acs->token_key());
        bytes ra;
        pa = *ca->request(*token_challenge{0xFF01, "i.example", {}, ""}.encode(), as_bytes("2026-11-23"), rng, ra);
    }
};

fixture& fx() {
    static fixture f;
    return f;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    auto& f = fx();
    const std::uint8_t sel = data[0];
    const bytes_view msg(data + 1, size - 1);
    deterministic_rng rng(size);
    switch (sel % 8) {
    case 0: {
        std::array<std::uint8_t, max_token_response_size> out;
        if (auto n = f.is.handle_request(msg, rng, out)) {
            const std::uint16_t type = static_cast<std::uint16_t>(msg[0] << 8 | msg[1]);
            PPX_FUZZ_CHECK(type == 0xFF01 ? *n == token_type_acs::response_size : *n == token_response_size(type));
        }
        break;
    }
    case 1:
        if (auto out = f.is.handle_amortized(msg, rng, 64)) {
            reader r(*out);
            PPX_FUZZ_CHECK(privacypass::detail::read_v_vector(r).has_value());
        }
        break;
    case 2:
        if (auto reqs = parse_generic_batch_request(msg)) {
            std::vector<bytes> copies;
            for (auto v : *reqs) copies.push_back(to_bytes(v));
            auto enc = encode_generic_batch_request(copies);
            PPX_FUZZ_CHECK(enc.has_value() && equal_bytes(*enc, msg));
            auto res = f.is.handle_generic(msg, rng);
            PPX_FUZZ_CHECK(res.has_value() && res->requested == reqs->size());
            PPX_FUZZ_CHECK(parse_generic_batch_response(res->body).has_value());
        }
        break;
    case 3:
        if (auto r = parse_generic_batch_response(msg))
            for (auto& e : *r)
                if (e) PPX_FUZZ_CHECK(e->response.size() == token_response_size(e->token_type));
        break;
    case 4:
        if (auto t = f.c1->finalize(*f.p1, msg)) PPX_FUZZ_CHECK(f.is.verify(*t).has_value());
        break;
    case 5:
        if (auto t = f.c2->finalize(*f.p2, msg)) PPX_FUZZ_CHECK(f.is.verify(*t).has_value());
        break;
    case 6:
        if (auto ts = f.c5->finalize_batch(*f.p5, msg))
            for (auto& t : *ts) PPX_FUZZ_CHECK(f.is.verify(t).has_value());
        break;
    case 7:
        if (auto t = f.ca->finalize(*f.pa, msg)) PPX_FUZZ_CHECK(f.is.verify(*t).has_value());
        break;
    }
    return 0;
}
