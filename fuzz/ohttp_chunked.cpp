// Fuzz target: the chunked OHTTP receivers (draft-ietf-ohai-chunked-ohttp-08), with the
// draft's example keys. Input: mode byte (even: gateway request receiver, odd: client
// response receiver), split byte, then the stream.
// Invariants: feeding the stream whole or in two pieces gives the same outcome and the same
// plaintext; a stream that completes carries exactly the published plaintext (only the
// unauthenticated length encodings may differ); a failed receiver released only plaintext
// that a successful parse of the same prefix would also release.
#include "fuzz.hpp"

#include <ppx/ohttp.hpp>

using namespace ppx;

namespace {

bytes unhex(const char* s) { return *from_hex(s); }

struct fixture {
    ohttp::key_config config = *ohttp::key_config::parse(
        unhex("010020668eb21aace159803974a4c67f08b4152d29bed10735fd08f98ccdd6fe09570800080001000100010003"));
    bytes request = unhex("00034745540568747470730b6578616d706c652e636f6d012f");
    bytes response = unhex("0140c8");
    bytes ske = unhex("b26d565f3f875ed480d1abced3d665159650c99174fd0b124ac4bda0c64ae324");
    ohttp::gateway gw = make_gateway();
    ohttp::client client = *ohttp::client::make(config, ohttp::labels::chunked_bhttp());

    ohttp::gateway make_gateway() {
        std::vector<ohttp::gateway_key> keys;
        keys.push_back({config, *hpke::private_key::from_bytes(
                                    hpke::kem_id::x25519_sha256,
                                    unhex("1c190d72acdbe4dbc69e680503bb781a932c70a12c8f3754434c67d8640d8698"))});
        return *ohttp::gateway::make(std::move(keys), ohttp::labels::chunked_bhttp());
    }
};

const fixture& fx() {
    static const fixture f;
    return f;
}

struct outcome {
    bool ok;
    bytes plaintext;
};

template <class Receiver>
outcome run(Receiver& rx, bytes_view stream, std::size_t cut) {
    outcome o{false, {}};
    auto sink = [&](bytes_view b) { append(o.plaintext, b); };
    auto r = rx.feed(stream.first(cut), sink);
    if (r) r = rx.feed(stream.subspan(cut), sink);
    if (r) r = rx.finish(sink);
    o.ok = static_cast<bool>(r);
    return o;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const auto& f = fx();
    const auto stream = ppx::fuzz::input(data + 2, size - 2);
    const std::size_t cut = stream.empty() ? 0 : data[1] % (stream.size() + 1);
    outcome whole, split;
    bytes_view expected;
    if (data[0] % 2 == 0) {
        ohttp::chunked_request_receiver a(f.gw), b(f.gw);
        whole = run(a, stream, stream.size());
        split = run(b, stream, cut);
        expected = f.request;
    } else {
        auto open = [&](std::size_t c) {
            fixed_rng r(f.ske);
            auto tx = ohttp::chunked_request_sender::start(f.client, r);
            PPX_FUZZ_CHECK(tx.has_value());
            auto rx = tx->response_receiver();
            PPX_FUZZ_CHECK(rx.has_value());
            return run(*rx, stream, c);
        };
        whole = open(stream.size());
        split = open(cut);
        expected = f.response;
    }
    PPX_FUZZ_CHECK(whole.ok == split.ok);
    PPX_FUZZ_CHECK(whole.plaintext == split.plaintext);
    // Released plaintext is always a prefix of the authentic message.
    PPX_FUZZ_CHECK(whole.plaintext.size() <= expected.size());
    PPX_FUZZ_CHECK(equal_bytes(whole.plaintext, expected.first(whole.plaintext.size())));
    if (whole.ok) PPX_FUZZ_CHECK(equal_bytes(whole.plaintext, expected));
    return 0;
}
