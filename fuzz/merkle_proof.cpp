// Fuzzes RFC 9162 inclusion and consistency verification (ppx/merkle/tree.hpp).
// Input: mode(1) a(1) b(1) then proof hashes (32 bytes each; a partial tail is dropped).
// Invariants, against a fixed 100-leaf tree: a proof verifies against the true root iff it
// is exactly the proof the generator produces (anything else would be a SHA-256 collision);
// with arbitrary 64-bit sizes, a computed root always re-verifies.
#include "fuzz.hpp"

#include <ppx/merkle/tree.hpp>

using namespace ppx;
using namespace ppx::merkle;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const tree_hashes tree = [] {
        tree_hashes t;
        for (int i = 0; i < 100; ++i) {
            const std::uint8_t e[1] = {static_cast<std::uint8_t>(i)};
            t.append(leaf_hash(bytes_view(e, 1)));
        }
        return t;
    }();
    if (size < 3) return 0;
    const std::uint8_t mode = data[0], a = data[1], b = data[2];
    auto proof = proof_from_bytes(bytes_view(data + 3, (size - 3) / 32 * 32));
    if (!proof) return 0;
    switch (mode % 3) {
    case 0: {  // inclusion in the known tree
        const std::uint64_t n = 1 + b % 100, idx = a % n;
        const bool accepted = verify_inclusion(idx, n, *tree(0, idx), *proof, *tree.root(n)).has_value();
        PPX_FUZZ_CHECK(accepted == (*proof == *tree.inclusion_proof(idx, n)));
        break;
    }
    case 1: {  // consistency in the known tree
        const std::uint64_t n2 = 1 + b % 100, n1 = 1 + a % n2;
        const bool accepted = verify_consistency(n1, n2, *tree.root(n1), *tree.root(n2), *proof).has_value();
        PPX_FUZZ_CHECK(accepted == (*proof == *tree.consistency_proof(n1, n2)));
        break;
    }
    default: {  // arbitrary huge sizes: no overflow, and a computed root re-verifies
        const std::uint64_t sz = ~std::uint64_t{0} >> (a % 64), idx = sz - 1 - (b % 7 < sz ? b % 7 : 0);
        hash_t leaf{};
        leaf[0] = a;
        if (auto r = root_from_inclusion_proof(idx, sz, leaf, *proof)) PPX_FUZZ_CHECK(verify_inclusion(idx, sz, leaf, *proof, *r).has_value());
        if (!proof->empty()) {
            const std::uint64_t s1 = 1 + (sz >> (b % 64)) % sz;
            if (auto r2 = root_from_consistency_proof(s1, sz, (*proof)[0], *proof))
                PPX_FUZZ_CHECK(verify_consistency(s1, sz, (*proof)[0], *r2, *proof).has_value());
        }
        break;
    }
    }
    return 0;
}
