// Fuzz target: RFC 9474 signature parsing and verification, and Finalize on an
// attacker-chosen blind signature, with the RFC 9474 test-vector key (4096 bits).
// Input: byte 0 selects the variant (bits 0-1) and the operation (bit 2: verify / finalize);
// then a 16-bit big-endian length L, L bytes of signature (or blind signature), then the
// prepared message.
// Invariants: verify() agrees exactly with OpenSSL's own RSASSA-PSS verification
// (EVP_DigestVerify with SHA-384, MGF1-SHA-384 and the variant's salt length); a Finalize
// that succeeds returns a signature that verify() accepts.
#include "fuzz.hpp"

#include <ppx/blindrsa.hpp>

#include <openssl/core_names.h>
#include <openssl/param_build.h>

namespace {

// n, e of the RFC 9474 appendix A key, and the blind inverse of its PSS-Deterministic vector.
const char* const n_hex =
    "aec4d69addc70b990ea66a5e70603b6fee27aafebd08f2d94cbe1250c556e047a928d635c3f45ee9b66d1bc628a03bac"
    "9b7c3f416fe20dabea8f3d7b4bbf7f963be335d2328d67e6c13ee4a8f955e05a3283720d3e1f139c38e43e0338ad058a"
    "9495c53377fc35be64d208f89b4aa721bf7f7d3fef837be2a80e0f8adf0bcd1eec5bb040443a2b2792fdca522a7472ae"
    "d74f31a1ebe1eebc1f408660a0543dfe2a850f106a617ec6685573702eaaa21a5640a5dcaf9b74e397fa3af18a2f1b7c"
    "03ba91a6336158de420d63188ee143866ee415735d155b7c2d854d795b7bc236cffd71542df34234221a0413e142d8c6"
    "1355cc44d45bda94204974557ac2704cd8b593f035a5724b1adf442e78c542cd4414fce6f1298182fb6d8e53cef1adfd"
    "2e90e1e4deec52999bdc6c29144e8d52a125232c8c6d75c706ea3cc06841c7bda33568c63a6c03817f722b50fcf89823"
    "7d788a4400869e44d90a3020923dc646388abcc914315215fcd1bae11b1c751fd52443aac8f601087d8d42737c18a3fa"
    "11ecd4131ecae017ae0a14acfc4ef85b83c19fed33cfd1cd629da2c4c09e222b398e18d822f77bb378dea3cb360b605e"
    "5aa58b20edc29d000a66bd177c682a17e7eb12a63ef7c2e4183e0d898f3d6bf567ba8ae84f84f1d23bf8b8e261c3729e"
    "2fa6d07b832e07cddd1d14f55325c6f924267957121902dc19b3b32948bdead5";
const char* const inv_hex =
    "80682c48982407b489d53d1261b19ec8627d02b8cda5336750b8cee332ae260de57b02d72609c1e0e9f28e2040fc65b6"
    "f02d56dbd6aa9af8fde656f70495dfb723ba01173d4707a12fddac628ca29f3e32340bd8f7ddb557cf819f6b01e445ad"
    "96f874ba235584ee71f6581f62d4f43bf03f910f6510deb85e8ef06c7f09d9794a008be7ff2529f0ebb69decef646387"
    "dc767b74939265fec0223aa6d84d2a8a1cc912d5ca25b4e144ab8f6ba054b54910176d5737a2cff011da431bd5f2a0d2"
    "d66b9e70b39f4b050e45c0d9c16f02deda9ddf2d00f3e4b01037d7029cd49c2d46a8e1fc2c0c17520af1f4b5e25ba396"
    "afc4cd60c494a4c426448b35b49635b337cfb08e7c22a39b256dd032c00adddafb51a627f99a0e1704170ac1f1912e49"
    "d9db10ec04c19c58f420212973e0cb329524223a6aa56c7937c5dffdb5d966b6cd4cbc26f3201dd25c80960a1a111b32"
    "947bb78973d269fac7f5186530930ed19f68507540eed9e1bab8b00f00d8ca09b3f099aae46180e04e3584bd7ca054df"
    "18a1504b89d1d1675d0966c4ae1407be325cdf623cf13ff13e4a28b594d59e3eadbadf6136eee7a59d6a444c9eb4e219"
    "8e8a974f27a39eb63af2c9af3870488b8adaad444674f512133ad80b9220e09158521614f1faadfe8505ef57b7df6813"
    "048603f0dd04f4280177a11380fbfc861dbcbd7418d62155248dad5fdec0991f";

struct key_state {
    ppx::blindrsa::public_key pk;
    ppx::detail::evp_pkey_ptr evp;
    ppx::blindrsa::blind_secret inv;
};

const key_state& key() {
    static const key_state k = [] {
        auto n = *ppx::from_hex(n_hex);
        const std::uint8_t e[] = {0x01, 0x00, 0x01};
        auto pk = ppx::blindrsa::public_key::from_components(n, e);
        PPX_FUZZ_CHECK(pk.has_value());
        auto spki = pk->to_spki_der();
        PPX_FUZZ_CHECK(spki.has_value());
        const unsigned char* p = spki->data();
        ppx::detail::evp_pkey_ptr evp(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki->size())));
        PPX_FUZZ_CHECK(evp != nullptr);
        auto inv = ppx::blindrsa::blind_secret::from_bytes(*pk, *ppx::from_hex(inv_hex));
        PPX_FUZZ_CHECK(inv.has_value());
        return key_state{*pk, std::move(evp), std::move(*inv)};
    }();
    return k;
}

bool openssl_verify(EVP_PKEY* pkey, int salt_len, std::span<const std::uint8_t> msg, std::span<const std::uint8_t> sig) {
    ppx::detail::evp_md_ctx_ptr md(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;
    bool ok = md && EVP_DigestVerifyInit(md.get(), &pctx, EVP_sha384(), nullptr, pkey) == 1 &&
              EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
              EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha384()) == 1 &&
              EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt_len) == 1 &&
              EVP_DigestVerify(md.get(), sig.data(), sig.size(), msg.data(), msg.size()) == 1;
    ERR_clear_error();
    return ok;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ppx::blindrsa;
    if (size < 3) return 0;
    const auto v = static_cast<variant>(data[0] & 3);
    const bool do_finalize = data[0] & 4;
    const std::size_t len = std::size_t{data[1]} << 8 | data[2];
    if (size - 3 < len) return 0;
    const auto sig = ppx::fuzz::input(data + 3, len);
    const auto msg = ppx::fuzz::input(data + 3 + len, size - 3 - len);
    const auto& k = key();
    if (!do_finalize) {
        const auto r = verify(k.pk, v, msg, sig);
        PPX_FUZZ_CHECK(r.has_value() == openssl_verify(k.evp.get(), static_cast<int>(salt_size(v)), msg, sig));
        if (!r) PPX_FUZZ_CHECK(r.error() == ppx::errc::crypto_failure);
        return 0;
    }
    std::uint8_t out[max_modulus_size];
    auto r = finalize(k.pk, v, msg, sig, k.inv, std::span<std::uint8_t>(out, k.pk.modulus_size()));
    if (r) {
        PPX_FUZZ_CHECK(*r == k.pk.modulus_size());
        PPX_FUZZ_CHECK(verify(k.pk, v, msg, std::span<const std::uint8_t>(out, *r)).has_value());
    }
    return 0;
}
