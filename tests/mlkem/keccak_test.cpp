// ppx's own Keccak-f[1600] sponge against OpenSSL 3.0's EVP SHA3/SHAKE (FIPS 202), over
// lengths around every rate boundary, with one-shot and piecewise absorbing and squeezing.
#include <ppx/mlkem/keccak.hpp>

#include <catch2/catch.hpp>

#include "support/vectors.hpp"

#include <openssl/evp.h>

#include <memory>

using namespace ppx;
namespace kc = ppx::mlkem::keccak;

namespace {

bytes evp_hash(const EVP_MD* md, bytes_view in, std::size_t out_len) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    REQUIRE(ctx);
    REQUIRE(EVP_DigestInit_ex(ctx.get(), md, nullptr) == 1);
    REQUIRE(EVP_DigestUpdate(ctx.get(), in.data(), in.size()) == 1);
    bytes out(out_len);
    if (EVP_MD_get_flags(md) & EVP_MD_FLAG_XOF) {
        REQUIRE(EVP_DigestFinalXOF(ctx.get(), out.data(), out.size()) == 1);
    } else {
        unsigned n = 0;
        REQUIRE(EVP_DigestFinal_ex(ctx.get(), out.data(), &n) == 1);
        REQUIRE(n == out_len);
    }
    return out;
}

bytes pattern(std::size_t n, std::uint8_t salt) {
    bytes b(n);
    for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(i * 131 + salt * 7 + (i >> 8));
    return b;
}

// Lengths 0..3 rates, so every partial block and boundary is hit for both rates.
constexpr std::size_t max_len = 3 * 168 + 9;

template <class Sponge>
bytes sponge_piecewise(bytes_view in, std::size_t out_len, std::size_t piece, std::size_t out_piece) {
    Sponge s;
    for (std::size_t i = 0; i < in.size(); i += piece) s.absorb(in.subspan(i, std::min(piece, in.size() - i)));
    s.finalize();
    bytes out(out_len);
    for (std::size_t i = 0; i < out_len; i += out_piece)
        s.squeeze(mutable_bytes(out).subspan(i, std::min(out_piece, out_len - i)));
    return out;
}

} // namespace

TEST_CASE("SHA3-256 of the empty string (FIPS 202 example)", "[keccak]") {
    std::array<std::uint8_t, 32> d;
    kc::sha3_256_of(d, bytes_view{});
    CHECK(to_hex(d) == "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a");
}

TEST_CASE("SHA3-256 and SHA3-512 match OpenSSL EVP for every length up to 3 blocks", "[keccak]") {
    for (std::size_t len = 0; len <= max_len; ++len) {
        const bytes in = pattern(len, 1);
        std::array<std::uint8_t, 32> h256;
        kc::sha3_256_of(h256, in);
        CHECK(equal_bytes(h256, evp_hash(EVP_sha3_256(), in, 32)));
        std::array<std::uint8_t, 64> h512;
        kc::sha3_512_of(h512, in);
        CHECK(equal_bytes(h512, evp_hash(EVP_sha3_512(), in, 64)));
        // Split input: the same digest whatever the split point.
        kc::sha3_256 s;
        s.update(bytes_view(in).first(len / 3)).update(bytes_view(in).subspan(len / 3));
        std::array<std::uint8_t, 32> split;
        s.final(split);
        CHECK(split == h256);
    }
}

TEST_CASE("SHAKE128 and SHAKE256 match OpenSSL EVP, one-shot and incremental", "[keccak]") {
    const std::size_t pieces[] = {1, 3, 7, 64, 135, 136, 137, 167, 168, 169, 1000};
    for (std::size_t len = 0; len <= max_len; len += 7) {
        const bytes in = pattern(len, 2);
        const std::size_t out_len = 3 * 168 + 37;
        const bytes ref128 = evp_hash(EVP_shake128(), in, out_len);
        const bytes ref256 = evp_hash(EVP_shake256(), in, out_len);
        for (auto p : pieces) {
            CHECK(sponge_piecewise<kc::shake128>(in, out_len, p, p) == ref128);
            CHECK(sponge_piecewise<kc::shake256>(in, out_len, p, 1000 / p + 1) == ref256);
        }
        bytes one(out_len);
        kc::shake256_of(one, in);
        CHECK(one == ref256);
    }
}

TEST_CASE("SHA3-256 hash policy plugs into crypto::hasher semantics", "[keccak]") {
    kc::sha3_256_policy::state s;
    kc::sha3_256_policy::init(s);
    kc::sha3_256_policy::update(s, as_bytes("abc"));
    std::uint8_t out[32];
    kc::sha3_256_policy::final(s, out);
    CHECK(to_hex(bytes_view(out, 32)) == "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532");
}

TEST_CASE("4-way Keccak-f[1600] equals four single permutations", "[keccak][x4]") {
    if (!kc::x4::available()) WARN("no AVX2: checking the portable 4-way fallback");
    alignas(32) kc::x4::state st;
    kc::state one[4];
    for (unsigned l = 0; l < 4; ++l)
        for (unsigned i = 0; i < 25; ++i) {
            one[l][i] = 0x9e3779b97f4a7c15ull * (i + 1) ^ (std::uint64_t{l} << 56) ^ (i * 0x1234567ull);
            st[i][l] = one[l][i];
        }
    for (int rep = 0; rep < 3; ++rep) {
        kc::x4::permute(st);
        for (auto& o : one) kc::permute(o);
        for (unsigned l = 0; l < 4; ++l)
            for (unsigned i = 0; i < 25; ++i) REQUIRE(st[i][l] == one[l][i]);
    }
}

TEST_CASE("4-way one-block absorb matches SHAKE128/SHAKE256", "[keccak][x4]") {
    std::uint8_t msgs[4][40];
    const std::uint8_t* m[4];
    for (unsigned l = 0; l < 4; ++l) {
        for (unsigned i = 0; i < 40; ++i) msgs[l][i] = static_cast<std::uint8_t>(l * 50 + i);
        m[l] = msgs[l];
    }
    alignas(32) kc::x4::state st;
    kc::x4::absorb_one_block(st, 168, 0x1f, m, 34);
    for (unsigned l = 0; l < 4; ++l) {
        std::uint8_t got[168];
        kc::x4::extract(st, l, got, 168);
        CHECK(equal_bytes(got, evp_hash(EVP_shake128(), bytes_view(msgs[l], 34), 168)));
    }
    kc::x4::absorb_one_block(st, 136, 0x1f, m, 33);
    for (unsigned l = 0; l < 4; ++l) {
        std::uint8_t got[136];
        kc::x4::extract(st, l, got, 136);
        CHECK(equal_bytes(got, evp_hash(EVP_shake256(), bytes_view(msgs[l], 33), 136)));
    }
}
