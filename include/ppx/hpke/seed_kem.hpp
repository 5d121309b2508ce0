// ppx/hpke/seed_kem.hpp: what the post-quantum and hybrid KEMs (kem_pq.hpp, kem_hybrid.hpp)
// share about their private keys. Each keeps a seed as its private key (ML-KEM's 64-byte
// d || z, the 32-byte seeds of X-Wing and the QSF hybrids) and expands it when used, so
// DeriveKeyPair and GenerateKeyPair differ only in where the seed comes from, and both end in
// the KEM's own public_from_private. Each also expands a key once for repeated Decap
// (`prepare`), which kem_ops reaches through type-erased forms.
#pragma once

#include <ppx/hpke/kem.hpp>
#include <ppx/mlkem/keccak.hpp>

#include <cstdint>
#include <memory>
#include <string_view>

namespace ppx::hpke::pq_detail {

/// SHAKE256.LabeledDerive(ikm, label, context, L) (draft-ietf-hpke-pq §3 / draft-ietf-hpke-hpke
/// one-stage KDF): SHAKE256(ikm || "HPKE-v1" || suite_id || I2OSP(len(label), 2) || label ||
/// I2OSP(L, 2) || context, L) with suite_id = "KEM" || I2OSP(kem_id, 2). L = out.size() < 2^16.
inline void labeled_derive(kem_id id, bytes_view ikm, std::string_view label, bytes_view context, mutable_bytes out) noexcept {
    const auto kid = static_cast<std::uint16_t>(id);
    const std::uint8_t suite_id[5] = {'K', 'E', 'M', static_cast<std::uint8_t>(kid >> 8), static_cast<std::uint8_t>(kid)};
    const std::uint8_t label_len[2] = {static_cast<std::uint8_t>(label.size() >> 8), static_cast<std::uint8_t>(label.size())};
    const std::uint8_t out_len[2] = {static_cast<std::uint8_t>(out.size() >> 8), static_cast<std::uint8_t>(out.size())};
    mlkem::keccak::shake256 x;
    x.absorb(ikm).absorb(as_bytes("HPKE-v1")).absorb(suite_id).absorb(label_len).absorb(as_bytes(label));
    x.absorb(out_len).absorb(context);
    x.finalize();
    x.squeeze(out);
}

/// The members a seed-keyed KEM would otherwise write out the same way, as a CRTP base:
/// `struct my_kem : seed_kem<my_kem>`. `Kem` provides id, n_sk, public_from_private(sk, pk),
/// a `prepared` type, prepare(sk) and decap_prepared(enc, prepared, ss).
template <class Kem>
struct seed_kem {
    /// DeriveKeyPair (draft-ietf-hpke-pq §3): sk = SHAKE256.LabeledDerive(ikm, "DeriveKeyPair",
    /// "", Nsk), then pk(sk). errc::misuse unless sk is Nsk bytes.
    static result<void> derive_key_pair(bytes_view ikm, mutable_bytes sk, mutable_bytes pk) noexcept {
        if (sk.size() != Kem::n_sk) return fail(errc::misuse, "hpke: bad buffer size");
        labeled_derive(Kem::id, ikm, "DeriveKeyPair", {}, sk);
        return Kem::public_from_private(sk, pk);
    }

    /// GenerateKeyPair: Nsk random bytes from `r` are the key, then pk(sk). errc::misuse unless
    /// sk is Nsk bytes.
    static result<void> generate_key_pair(rng& r, mutable_bytes sk, mutable_bytes pk) noexcept {
        if (sk.size() != Kem::n_sk) return fail(errc::misuse, "hpke: bad buffer size");
        PPX_TRY(r.fill(sk));
        return Kem::public_from_private(sk, pk);
    }

    // Type-erased forms of Kem::prepare / Kem::decap_prepared for kem_ops.
    static result<std::shared_ptr<const void>> prepare_erased(bytes_view sk) {
        PPX_TRY_ASSIGN(auto p, Kem::prepare(sk));
        return std::shared_ptr<const void>(std::move(p));
    }
    static result<void> decap_prepared_erased(bytes_view enc, const void* p, mutable_bytes ss) noexcept {
        return Kem::decap_prepared(enc, *static_cast<const typename Kem::prepared*>(p), ss);
    }
};

} // namespace ppx::hpke::pq_detail
