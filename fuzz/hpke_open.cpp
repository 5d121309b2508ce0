// Fuzzes single-shot HPKE Open against fixed recipient keys, in several suites.
// Input: [suite][aad length][aad][enc || ct]. Invariants: no crash or leak on any input, and
// Open succeeds only on genuine ciphertexts. The seed corpus holds genuine ones, sealed to
// these keys over plaintexts of the form "PPXFUZZ" || SHA-256(body)[0..8] || body; a
// plaintext that opens but lacks that shape would be a forgery.
#include "fuzz.hpp"

#include <ppx/hpke.hpp>

using namespace ppx;
using namespace ppx::hpke;

namespace {
struct fixture {
    suite s;
    private_key sk;
};

const fixture& pick(std::uint8_t b) {
    static const auto make = [](kem_id k, kdf_id f, aead_id a) {
        auto s = suite::from_ids(k, f, a);
        // Recipient keys are DeriveKeyPair(32 bytes of 0x01): reproducible with `ppx hpke keygen --ikm`.
        auto sk = private_key::derive(k, bytes(32, 0x01));
        return fixture{*s, std::move(*sk)};
    };
    static const fixture all[] = {
        make(kem_id::x25519_sha256, kdf_id::hkdf_sha256, aead_id::aes128gcm),
        make(kem_id::x25519_sha256, kdf_id::hkdf_sha256, aead_id::chacha20poly1305),
        make(kem_id::p256_sha256, kdf_id::hkdf_sha256, aead_id::aes128gcm),
        make(kem_id::x448_sha512, kdf_id::hkdf_sha512, aead_id::aes256gcm),
    };
    return all[b % std::size(all)];
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const fixture& f = pick(data[0]);
    const std::size_t aad_len = data[1];
    if (size < 2 + aad_len) return 0;
    bytes_view aad(data + 2, aad_len), rest(data + 2 + aad_len, size - 2 - aad_len);
    const std::size_t n_enc = f.s.kem().n_enc;
    if (rest.size() < n_enc) {
        PPX_FUZZ_CHECK(!open(f.s, f.sk, rest, as_bytes("ppx fuzz"), aad, {}));
        return 0;
    }
    auto pt = open(f.s, f.sk, rest.first(n_enc), as_bytes("ppx fuzz"), aad, rest.subspan(n_enc));
    if (pt) {
        PPX_FUZZ_CHECK(pt->size() >= 15 && std::memcmp(pt->data(), "PPXFUZZ", 7) == 0);
        auto d = crypto::digest<crypto::sha256>(bytes_view(*pt).subspan(15));
        PPX_FUZZ_CHECK(std::memcmp(d.data(), pt->data() + 7, 8) == 0);
    }
    return 0;
}
