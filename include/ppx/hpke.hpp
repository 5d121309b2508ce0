// ppx/hpke.hpp: RFC 9180 Hybrid Public Key Encryption.
//
//   auto s = ppx::hpke::suite::from_ids(kem_id::x25519_sha256, kdf_id::hkdf_sha256, aead_id::aes128gcm);
//   auto [enc, ct] = *ppx::hpke::seal(*s, pk, info, aad, pt);
//   auto pt2 = ppx::hpke::open(*s, sk, enc, info, aad, ct);
#pragma once

#include <ppx/hpke/aead.hpp>
#include <ppx/hpke/context.hpp>
#include <ppx/hpke/dhkem.hpp>
#include <ppx/hpke/ids.hpp>
#include <ppx/hpke/kdf.hpp>
#include <ppx/hpke/kem.hpp>
#include <ppx/hpke/setup.hpp>
#include <ppx/hpke/suite.hpp>
