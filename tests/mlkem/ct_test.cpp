// Constant-time check of ML-KEM decapsulation (and encapsulation's use of m) with valgrind's
// memcheck: the secret inputs are marked undefined, so any branch or memory index that
// depends on them is reported as "Conditional jump or move depends on uninitialised value" or
// "Use of uninitialised value". The test fails if memcheck reports any new error while ppx
// runs. Run it as `valgrind --error-exitcode=1 ppx_test_mlkem "[ct]"` (CTest does, as
// mlkem_ct_valgrind, when valgrind is installed); outside valgrind the client requests are
// no-ops and the test only checks the results. See docs/mlkem.md.
#include <ppx/mlkem.hpp>

#include <catch2/catch.hpp>

#include "support/vectors.hpp"

#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define PPX_HAVE_MEMCHECK 1
#else
#define PPX_HAVE_MEMCHECK 0
#define VALGRIND_MAKE_MEM_UNDEFINED(p, n) ((void)(p), (void)(n))
#define VALGRIND_MAKE_MEM_DEFINED(p, n) ((void)(p), (void)(n))
#define VALGRIND_COUNT_ERRORS 0u
#define RUNNING_ON_VALGRIND 0
#endif

using namespace ppx;
using namespace ppx::mlkem;

namespace {

/// Marks the secret parts of an encoded dk undefined: dk_PKE (the first 384k bytes, s_hat)
/// and z (the last 32). The embedded ek and H(ek) are public and stay defined.
template <parameter_set P>
void poison_dk(bytes& dk) {
    VALGRIND_MAKE_MEM_UNDEFINED(dk.data(), 384 * P::k);
    VALGRIND_MAKE_MEM_UNDEFINED(dk.data() + dk.size() - 32, 32);
}

template <class T>
void unpoison(T& x) {
    VALGRIND_MAKE_MEM_DEFINED(x.data(), x.size());
}

} // namespace

TEMPLATE_TEST_CASE("decapsulation and encapsulation do not branch or index on secrets (valgrind)", "[mlkem][ct]",
                   ml_kem_512, ml_kem_768, ml_kem_1024) {
    using P = TestType;
    if (!RUNNING_ON_VALGRIND) WARN("not running under valgrind: only the results are checked");
    // Both backends: the default one (AVX2 R_q arithmetic and 4-way Keccak when the CPU, or
    // valgrind's emulated CPU, has AVX2) and the portable one.
    const bool portable = GENERATE(false, true);
    struct backend_guard {
        explicit backend_guard(bool p) { mlkem::detail::force_portable = p; }
        ~backend_guard() { mlkem::detail::force_portable = false; }
    } guard(portable);
    INFO("portable path forced: " << portable << ", AVX2 path in use: " << mlkem::detail::simd_enabled());
    if (!portable && !mlkem::detail::simd_enabled()) WARN("this CPU has no AVX2: only the portable path is checked");
    deterministic_rng r(99);
    bytes ek(P::encapsulation_key_size), dk(P::decapsulation_key_size);
    REQUIRE(keygen<P>(r, ek, dk));
    bytes ct(P::ciphertext_size);
    std::array<std::uint8_t, 32> expect{};

    const unsigned errors_before = VALGRIND_COUNT_ERRORS;

    // Encapsulation with a secret m: the ciphertext and the key depend on it.
    std::array<std::uint8_t, 32> m{};
    m.fill(0x5a);
    VALGRIND_MAKE_MEM_UNDEFINED(m.data(), m.size());
    REQUIRE(encaps<P>(ek, std::span<const std::uint8_t, 32>(m), ct, expect));
    unpoison(ct);
    unpoison(expect);

    bytes bad = ct;
    bad[7] ^= 0x20;

    // Byte-level decapsulation: valid ciphertext (acceptance path) and modified ciphertext
    // (implicit-rejection path), with s_hat and z undefined.
    for (const bytes* c : {&ct, &bad}) {
        bytes sdk = dk;
        poison_dk<P>(sdk);
        std::array<std::uint8_t, 32> ss{};
        REQUIRE(decaps<P>(sdk, *c, ss));
        unpoison(ss);
        if (c == &ct) CHECK(ss == expect);
        else CHECK(ss != expect);
    }

    // Key object: parse and decode the poisoned key, then decapsulate both ciphertexts.
    {
        bytes sdk = dk;
        poison_dk<P>(sdk);
        auto key = decapsulation_key<P>::parse(sdk);
        REQUIRE(key);
        std::array<std::uint8_t, 32> s1{}, s2{};
        REQUIRE(key->decaps(ct, s1));
        REQUIRE(key->decaps(bad, s2));
        unpoison(s1);
        unpoison(s2);
        CHECK(s1 == expect);
        CHECK(s2 != expect);
    }

    const unsigned errors_after = VALGRIND_COUNT_ERRORS;
    CHECK(errors_after == errors_before);
}
