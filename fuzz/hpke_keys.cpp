// Fuzzes HPKE key deserialisation for every KEM: the first byte picks the KEM, the rest is
// offered as a public key and as a private key. Invariants: whatever is accepted
// re-serialises to the same bytes (private keys up to clamping), a private key's public key
// deserialises, and DeriveKeyPair on the input always succeeds or fails cleanly.
#include "fuzz.hpp"

#include <ppx/hpke.hpp>

using namespace ppx::hpke;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const kem_id kems[] = {kem_id::p256_sha256, kem_id::p384_sha384, kem_id::p521_sha512, kem_id::x25519_sha256,
                                  kem_id::x448_sha512};
    if (size < 1) return 0;
    const kem_id kem = kems[data[0] % std::size(kems)];
    ppx::bytes_view in(data + 1, size - 1);

    if (auto pk = public_key::from_bytes(kem, in)) PPX_FUZZ_CHECK(ppx::equal_bytes(pk->bytes(), in));

    if (auto sk = private_key::from_bytes(kem, in)) {
        ppx::secure_bytes norm(in.begin(), in.end());
        sk->ops().normalize_private(norm);
        PPX_FUZZ_CHECK(sk->serialize() == norm);
        PPX_FUZZ_CHECK(public_key::from_bytes(kem, sk->public_key_bytes()).has_value());
        auto again = private_key::from_bytes(kem, sk->serialize());
        PPX_FUZZ_CHECK(again && ppx::equal_bytes(again->public_key_bytes(), sk->public_key_bytes()));
    }
    if (in.size() <= 256) {
        auto derived = private_key::derive(kem, in);
        PPX_FUZZ_CHECK(derived.has_value());  // DeriveKeyPair fails only with negligible probability
    }
    return 0;
}
