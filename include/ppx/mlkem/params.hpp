// ppx/mlkem/params.hpp: the ML-KEM parameter sets of FIPS 203 §8 (Table 2, Table 3).
#pragma once

#include <concepts>
#include <cstddef>
#include <string_view>

namespace ppx::mlkem {

/// Bytes of the seed d || z that determines a key pair (FIPS 203 §7.1: d and z, 32 bytes each).
inline constexpr std::size_t seed_size = 64;
/// Bytes of the shared secret K (FIPS 203 §7.2, §7.3).
inline constexpr std::size_t shared_secret_size = 32;
/// Bytes of the encapsulation randomness m (FIPS 203 §7.2 Algorithm 20).
inline constexpr std::size_t message_size = 32;

namespace detail {
/// FIPS 203 §8 Table 2 values and the sizes Table 3 derives from them.
template <std::size_t K, std::size_t Eta1, std::size_t Eta2, std::size_t Du, std::size_t Dv>
struct parameters {
    static constexpr std::size_t k = K;
    static constexpr std::size_t eta1 = Eta1;
    static constexpr std::size_t eta2 = Eta2;
    static constexpr std::size_t du = Du;
    static constexpr std::size_t dv = Dv;
    /// ek = ByteEncode12(t_hat) || rho: 384k + 32 bytes.
    static constexpr std::size_t encapsulation_key_size = 384 * K + 32;
    /// dk = dk_PKE || ek || H(ek) || z: 768k + 96 bytes.
    static constexpr std::size_t decapsulation_key_size = 768 * K + 96;
    /// c = ByteEncode_du(u) || ByteEncode_dv(v): 32(du k + dv) bytes.
    static constexpr std::size_t ciphertext_size = 32 * (Du * K + Dv);
};
} // namespace detail

/// ML-KEM-512 (security category 1): ek 800, dk 1632, ciphertext 768 bytes.
struct ml_kem_512 : detail::parameters<2, 3, 2, 10, 4> {
    static constexpr std::string_view name = "ML-KEM-512";
};
/// ML-KEM-768 (security category 3): ek 1184, dk 2400, ciphertext 1088 bytes.
struct ml_kem_768 : detail::parameters<3, 2, 2, 10, 4> {
    static constexpr std::string_view name = "ML-KEM-768";
};
/// ML-KEM-1024 (security category 5): ek 1568, dk 3168, ciphertext 1568 bytes.
struct ml_kem_1024 : detail::parameters<4, 2, 2, 11, 5> {
    static constexpr std::string_view name = "ML-KEM-1024";
};

static_assert(ml_kem_512::encapsulation_key_size == 800 && ml_kem_512::decapsulation_key_size == 1632 &&
              ml_kem_512::ciphertext_size == 768);
static_assert(ml_kem_768::encapsulation_key_size == 1184 && ml_kem_768::decapsulation_key_size == 2400 &&
              ml_kem_768::ciphertext_size == 1088);
static_assert(ml_kem_1024::encapsulation_key_size == 1568 && ml_kem_1024::decapsulation_key_size == 3168 &&
              ml_kem_1024::ciphertext_size == 1568);

/// One of the three parameter sets above.
template <class P>
concept parameter_set = std::same_as<P, ml_kem_512> || std::same_as<P, ml_kem_768> || std::same_as<P, ml_kem_1024>;

} // namespace ppx::mlkem
