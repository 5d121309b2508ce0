// Fuzzes the CBOR evidence and claims decoders (ppx/ratls/cbor.hpp).
// Invariants: anything decoded is a single well-formed definite-length item; decoded evidence
// and claims survive an encode/decode round trip unchanged.
#include "fuzz.hpp"

#include <ppx/ratls/cbor.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace cbor = ppx::ratls::cbor;
    const auto in = ppx::fuzz::input(data, size);
    const bool single = cbor::check_single_item(in).has_value();
    if (auto ev = cbor::decode_tagged_evidence(in)) {
        PPX_FUZZ_CHECK(single);
        auto re = cbor::decode_tagged_evidence(cbor::encode_tagged_evidence(ev->tag, ev->evidence, ev->claims_buffer));
        PPX_FUZZ_CHECK(re && re->tag == ev->tag && re->evidence == ev->evidence && re->claims_buffer == ev->claims_buffer);
    }
    if (auto c = cbor::decode_claims(in)) {
        PPX_FUZZ_CHECK(single);
        std::optional<ppx::bytes_view> nonce, hpke;
        if (c->nonce) nonce = ppx::bytes_view(*c->nonce);
        if (c->hpke_public_key) hpke = ppx::bytes_view(*c->hpke_public_key);
        auto re = cbor::decode_claims(cbor::encode_claims(c->pubkey_hash_alg, c->pubkey_hash, nonce, hpke));
        PPX_FUZZ_CHECK(re && re->pubkey_hash == c->pubkey_hash && re->nonce == c->nonce && re->hpke_public_key == c->hpke_public_key &&
                       re->pubkey_hash_alg == c->pubkey_hash_alg);
    }
    return 0;
}
