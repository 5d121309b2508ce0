// Fuzz target: blind RSA key parsing (DER SubjectPublicKeyInfo, PKCS#8 / PKCS#1 private keys)
// and blinded-message checks.
// Invariants: an accepted public key has a 2048-4096-bit modulus and survives a
// SubjectPublicKeyInfo round trip with the same n and e; an accepted private key's public
// half round-trips the same way; blind_secret::from_bytes accepts only modulus_len bytes.
#include "fuzz.hpp"

#include <ppx/blindrsa.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ppx::blindrsa;
    const auto in = ppx::fuzz::input(data, size);
    if (auto pk = public_key::from_spki_der(in)) {
        PPX_FUZZ_CHECK(pk->modulus_bits() >= min_modulus_bits && pk->modulus_bits() <= max_modulus_bits);
        auto der = pk->to_spki_der();
        PPX_FUZZ_CHECK(der.has_value());
        auto again = public_key::from_spki_der(*der);
        PPX_FUZZ_CHECK(again.has_value());
        PPX_FUZZ_CHECK(again->modulus() == pk->modulus() && again->exponent() == pk->exponent());
        auto s = blind_secret::from_bytes(*pk, in.first(std::min(in.size(), pk->modulus_size())));
        if (s) PPX_FUZZ_CHECK(s->inv_bytes().size() == pk->modulus_size());
    }
    if (auto sk = private_key::from_der(in)) {
        const auto& pk = sk->public_key();
        PPX_FUZZ_CHECK(pk.modulus_bits() >= min_modulus_bits && pk.modulus_bits() <= max_modulus_bits);
        auto again = public_key::from_spki_der(*pk.to_spki_der());
        PPX_FUZZ_CHECK(again.has_value() && again->modulus() == pk.modulus());
    }
    return 0;
}
