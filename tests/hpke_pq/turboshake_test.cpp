// TurboSHAKE128/256 (RFC 9861 §2.2) on ppx's Keccak-p[1600, 12 rounds], against the test
// values of RFC 9861 §5 (copied from the RFC's test vector list, as quoted by several
// independent implementations' test suites). ptn(n) is the byte pattern 00 01 .. FA repeated.
#include <ppx/mlkem/keccak.hpp>

#include <algorithm>

#include <catch2/catch.hpp>

#include "support/vectors.hpp"

using namespace ppx;
using ppx::test::unhex;
namespace keccak = ppx::mlkem::keccak;

namespace {

bytes ptn(std::size_t n) {
    bytes b(n);
    for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(i % 251);
    return b;
}

std::string strip(std::string s) {
    s.erase(std::remove(s.begin(), s.end(), ' '), s.end());
    return s;
}

template <class X>
std::string run(bytes_view msg, std::size_t len, std::size_t skip = 0) {
    X x;
    // Absorb in two uneven pieces: the streaming path must match the one-shot value.
    x.absorb(msg.first(msg.size() / 3)).absorb(msg.subspan(msg.size() / 3));
    x.finalize();
    bytes junk(skip);
    if (skip) x.squeeze(junk);
    bytes out(len);
    x.squeeze(out);
    return to_hex(out);
}

} // namespace

TEST_CASE("TurboSHAKE128 matches RFC 9861 test values", "[hpke_pq][turboshake]") {
    using T = keccak::turboshake128<0x1f>;
    CHECK(run<T>({}, 32) == strip("1e415f1c5983aff216921727 7d17bb538cd945a397ddec541f1ce41af2c1b74c"));
    CHECK(run<T>({}, 64) == strip("1e415f1c5983aff2169217277d17bb538cd945a397ddec541f1ce41af2c1b74c"
                                  "3e8ccae2a4dae56c84a04c2385c03c15e8193bdf58737363321691c05462c8df"));
    CHECK(run<T>({}, 32, 10000) == strip("a3b9b0385900ce761f22aed548e754da10a5242d62e8c658e3f3a923a7555607"));
    CHECK(run<T>(ptn(1), 32) == strip("55cedd6f60af7bb29a4042ae832ef3f58db7299f893ebb9247247d856958daa9"));
    CHECK(run<T>(ptn(17), 32) == strip("9c97d036a3bac819db70ede0ca554ec6e4c2a1a4ffbfd9ec269ca6a111161233"));
    CHECK(run<T>(ptn(17 * 17), 32) == strip("96c77c279e0126f7fc07c9b07f5cdae1e0be60bdbe10620040e75d7223a624d2"));
    CHECK(run<T>(ptn(17 * 17 * 17), 32) == strip("d4976eb56bcf118520582b709f73e1d6853e001fdaf80e1b13e0d0599d5fb372"));
    CHECK(run<keccak::turboshake128<0x01>>(unhex("ffffff"), 32) ==
          strip("bf323f940494e88ee1c540fe660be8a0c93f43d15ec006998462fa994eed5dab"));
    CHECK(run<keccak::turboshake128<0x06>>(unhex("ff"), 32) ==
          strip("8ec9c66465ed0d4a6c35d13506718d687a25cb05c74cca1e42501abd83874a67"));
    CHECK(run<keccak::turboshake128<0x07>>(unhex("ffffff"), 32) ==
          strip("b658576001cad9b1e5f399a9f77723bba05458042d68206f7252682dba3663ed"));
}

TEST_CASE("TurboSHAKE256 matches RFC 9861 test values", "[hpke_pq][turboshake]") {
    using T = keccak::turboshake256<0x1f>;
    CHECK(run<T>({}, 64) == strip("367a329dafea871c7802ec67f905ae13c57695dc2c6663c61035f59a18f8e7db"
                                  "11edc0e12e91ea60eb6b32df06dd7f002fbafabb6e13ec1cc20d995547600db0"));
    CHECK(run<T>(ptn(1), 64) == strip("3e1712f928f8eaf1054632b2aa0a246ed8b0c378728f60bc970410155c28820e"
                                      "90cc90d8a3006aa2372c5c5ea176b0682bf22bae7467ac94f74d43d39b0482e2"));
    CHECK(run<T>(ptn(17), 64) == strip("b3bab0300e6a191fbe6137939835923578794ea54843f5011090fa2f3780a9e5"
                                       "cb22c59d78b40a0fbff9e672c0fbe0970bd2c845091c6044d687054da5d8e9c7"));
}

TEST_CASE("Keccak-p[1600, 24] is still Keccak-f: SHAKE128 of the empty string", "[hpke_pq][turboshake]") {
    CHECK(run<keccak::shake128>({}, 32) == "7f9c2ba4e88f827d616045507605853ed73b8093f6efbc88eb1a6eacfa66ef26");
}
