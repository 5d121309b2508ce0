// Helpers shared by the type-2 (blind RSA) token tests: the vectors' private keys and the
// RFC 9578 "blind" values converted for RFC 9474's Blind.
#pragma once

#include <ppx/privacypass/blind_rsa_tokens.hpp>

#include <catch2/catch.hpp>

#include <openssl/bn.h>

#include "support/vectors.hpp"

namespace ppx::test {

/// A vector's `skS`: hex of a PEM "PRIVATE KEY" (PKCS#8).
inline blindrsa::private_key rsa_key_from_hex_pem(const nlohmann::json& j) {
    const auto pem = unhex(j);
    auto der = privacypass::pem_to_der(as_chars(pem), "PRIVATE KEY");
    REQUIRE(der);
    auto sk = blindrsa::private_key::from_der(*der);
    REQUIRE(sk);
    return std::move(*sk);
}

/// RFC 9578 A.2 calls the value "blind"; RFC 9474's Blind takes inv = r^-1 mod n. Returns inv.
inline bytes inverse_mod_n(bytes_view r, bytes_view n) {
    BN_CTX* ctx = BN_CTX_new();
    BIGNUM* rb = BN_bin2bn(r.data(), static_cast<int>(r.size()), nullptr);
    BIGNUM* nb = BN_bin2bn(n.data(), static_cast<int>(n.size()), nullptr);
    BIGNUM* inv = BN_mod_inverse(nullptr, rb, nb, ctx);
    bytes out(n.size());
    if (inv) BN_bn2binpad(inv, out.data(), static_cast<int>(out.size()));
    BN_free(rb);
    BN_free(nb);
    BN_free(inv);
    BN_CTX_free(ctx);
    REQUIRE(inv);
    return out;
}

} // namespace ppx::test
