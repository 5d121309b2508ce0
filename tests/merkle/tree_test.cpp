// RFC 9162 §2.1 tree hashing and proofs against transparency-dev/merkle's vectors and tree
// constants, plus generation/verification round trips and named negative tests.
#include <ppx/merkle/tree.hpp>

#include "support/vectors.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>

using namespace ppx;
using namespace ppx::merkle;
using ppx::test::load_json;
using ppx::test::unhex;

namespace {

bytes b64(const nlohmann::json& j) {
    auto r = from_base64(j.get<std::string>());
    if (!r) throw std::runtime_error("bad base64 in vector");
    return std::move(*r);
}

std::vector<std::string> vector_files(const std::string& dir) {
    std::vector<std::string> out;
    const std::string root = ppx::test::vector_path("");
    for (auto& e : std::filesystem::recursive_directory_iterator(ppx::test::vector_path(dir)))
        if (e.is_regular_file() && e.path().extension() == ".json") out.push_back(e.path().string().substr(root.size()));
    std::sort(out.begin(), out.end());
    return out;
}

// Converts each vector field to our types; a wrong-length hash is the "error" it encodes.
result<std::vector<hash_t>> to_proof(const nlohmann::json& arr) {
    std::vector<hash_t> p;
    if (arr.is_null()) return p;
    for (auto& h : arr) {
        PPX_TRY_ASSIGN(auto x, to_hash(b64(h)));
        p.push_back(x);
    }
    return p;
}

std::vector<bytes> constant_leaves() {
    std::vector<bytes> v;
    const auto j = load_json("merkle/rfc6962-tree-constants.json");
    for (auto& l : j["leaf_inputs_hex"]) v.push_back(unhex(l));
    return v;
}

tree_hashes tree_of(std::size_t n) {
    tree_hashes t;
    auto leaves = constant_leaves();
    for (std::size_t i = 0; i < n; ++i) t.append(leaf_hash(leaves[i]));
    return t;
}

// The vectors go through the wire-level (raw bytes) API, which checks every length itself.
result<void> run_inclusion(const nlohmann::json& v) {
    std::vector<bytes> proof;
    for (auto& h : v["proof"].is_null() ? nlohmann::json::array() : v["proof"]) proof.push_back(b64(h));
    std::vector<bytes_view> views(proof.begin(), proof.end());
    return verify_inclusion_raw(v["leafIdx"].get<std::uint64_t>(), v["treeSize"].get<std::uint64_t>(), b64(v["leafHash"]), views,
                                b64(v["root"]));
}

result<void> run_consistency(const nlohmann::json& v) {
    std::vector<bytes> proof;
    for (auto& h : v["proof"].is_null() ? nlohmann::json::array() : v["proof"]) proof.push_back(b64(h));
    std::vector<bytes_view> views(proof.begin(), proof.end());
    return verify_consistency_raw(v["size1"].get<std::uint64_t>(), v["size2"].get<std::uint64_t>(), b64(v["root1"]), b64(v["root2"]),
                                  views);
}

} // namespace

TEST_CASE("rfc6962 tree constants: leaf inputs, every node hash, roots 0..8", "[merkle][vectors]") {
    auto j = load_json("merkle/rfc6962-tree-constants.json");
    auto leaves = constant_leaves();
    REQUIRE(leaves.size() == 8);
    auto roots = j["root_hash_by_tree_size_hex"];
    REQUIRE(roots.size() == 9);
    CHECK(to_hex(empty_root()) == roots[0].get<std::string>());
    tree_hashes t;
    CHECK(to_hex(*t.root(0)) == roots[0].get<std::string>());
    for (std::size_t n = 1; n <= 8; ++n) {
        t.append(leaf_hash(leaves[n - 1]));
        CHECK(to_hex(*t.root(n)) == roots[n].get<std::string>());
        std::vector<bytes> prefix(leaves.begin(), leaves.begin() + static_cast<std::ptrdiff_t>(n));
        CHECK(to_hex(root_of_entries(prefix)) == roots[n].get<std::string>());
    }
    auto levels = j["node_hashes_by_level_hex"];
    std::size_t nodes = 0;
    for (unsigned l = 0; l < levels.size(); ++l)
        for (std::size_t i = 0; i < levels[l].size(); ++i, ++nodes) CHECK(to_hex(*t(l, i)) == levels[l][i].get<std::string>());
    CHECK(nodes == 15);
}

TEST_CASE("transparency-dev inclusion vectors (all 98)", "[merkle][vectors]") {
    auto files = vector_files("merkle/transparency-dev-merkle/inclusion");
    REQUIRE(files.size() == 98);
    std::size_t happy = 0;
    for (auto& f : files) {
        DYNAMIC_SECTION(f) {
            auto v = load_json(f);
            auto r = run_inclusion(v);
            CHECK(r.has_value() == !v["wantErr"].get<bool>());
            if (!v["wantErr"].get<bool>()) {
                ++happy;
                // The proof we generate for the same tree is byte for byte the vector's.
                const auto size = v["treeSize"].get<std::uint64_t>();
                auto t = tree_of(std::min<std::uint64_t>(size, 8));
                // Only the vectors built on the constants tree (not single-entry/) can be regenerated.
                if (size > 8 || to_hex(*t(0, v["leafIdx"].get<std::uint64_t>())) != to_hex(b64(v["leafHash"]))) continue;
                auto proof = t.inclusion_proof(v["leafIdx"].get<std::uint64_t>(), size);
                REQUIRE(proof);
                CHECK(*proof == *to_proof(v["proof"]));
                CHECK(to_hex(*t.root(size)) == to_hex(b64(v["root"])));
            }
        }
    }
}

TEST_CASE("transparency-dev consistency vectors (all 98)", "[merkle][vectors]") {
    auto files = vector_files("merkle/transparency-dev-merkle/consistency");
    REQUIRE(files.size() == 98);
    for (auto& f : files) {
        DYNAMIC_SECTION(f) {
            auto v = load_json(f);
            auto r = run_consistency(v);
            CHECK(r.has_value() == !v["wantErr"].get<bool>());
            if (!v["wantErr"].get<bool>()) {
                const auto s1 = v["size1"].get<std::uint64_t>(), s2 = v["size2"].get<std::uint64_t>();
                auto t = tree_of(s2);
                auto proof = t.consistency_proof(s1, s2);
                REQUIRE(proof);
                CHECK(*proof == *to_proof(v["proof"]));
            }
        }
    }
}

TEST_CASE("generated proofs verify for every index and size pair up to 70", "[merkle]") {
    tree_hashes t;
    for (int i = 0; i < 70; ++i) {
        const std::uint8_t e[2] = {std::uint8_t(i), std::uint8_t(i >> 8)};
        t.append(leaf_hash(bytes_view(e, 2)));
    }
    for (std::uint64_t n = 1; n <= 70; ++n) {
        const hash_t root = *t.root(n);
        for (std::uint64_t i = 0; i < n; ++i) {
            auto p = t.inclusion_proof(i, n);
            REQUIRE(p);
            auto computed = root_from_inclusion_proof(i, n, *t(0, i), *p);
            REQUIRE(computed);
            REQUIRE(*computed == root);
            // Wrong index with the same proof never verifies.
            if (n > 1) REQUIRE_FALSE(verify_inclusion((i + 1) % n, n, *t(0, i), *p, root));
        }
        for (std::uint64_t m = 1; m <= n; ++m) {
            auto p = t.consistency_proof(m, n);
            REQUIRE(p);
            auto r2 = root_from_consistency_proof(m, n, *t.root(m), *p);
            REQUIRE(r2);
            REQUIRE(*r2 == root);
            if (m < n) REQUIRE_FALSE(verify_consistency(m, n, *t.root(m), *t.root(n - 1), *p));
        }
    }
}

TEST_CASE("inclusion: flipped bits, truncation at every length, extra nodes", "[merkle][negative]") {
    tree_hashes t;
    for (int i = 0; i < 37; ++i) t.append(leaf_hash(as_bytes(std::to_string(i))));
    const std::uint64_t n = 37, idx = 21;
    const hash_t root = *t.root(n), leaf = *t(0, idx);
    auto proof = *t.inclusion_proof(idx, n);
    REQUIRE(verify_inclusion(idx, n, leaf, proof, root));
    for (std::size_t k = 0; k < proof.size(); ++k)
        for (std::size_t byte = 0; byte < hash_size; byte += 7) {
            auto bad = proof;
            bad[k][byte] ^= 0x01;
            auto r = verify_inclusion(idx, n, leaf, bad, root);
            REQUIRE_FALSE(r);
            CHECK(r.error().code == errc::crypto_failure);
        }
    for (std::size_t len = 0; len < proof.size(); ++len) {
        auto r = verify_inclusion(idx, n, leaf, proof_view(proof).first(len), root);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::malformed);
    }
    auto longer = proof;
    longer.push_back(root);
    CHECK(verify_inclusion(idx, n, leaf, longer, root).error().code == errc::malformed);
    CHECK(verify_inclusion(n, n, leaf, proof, root).error().code == errc::malformed);
    CHECK(verify_inclusion(0, 0, leaf, {}, empty_root()).error().code == errc::malformed);
    auto flipped_leaf = leaf;
    flipped_leaf[0] ^= 0x80;
    CHECK(verify_inclusion(idx, n, flipped_leaf, proof, root).error().code == errc::crypto_failure);
}

TEST_CASE("consistency: size 0, reversed sizes, equal sizes, truncation", "[merkle][negative]") {
    tree_hashes t;
    for (int i = 0; i < 20; ++i) t.append(leaf_hash(as_bytes(std::to_string(i))));
    const hash_t r7 = *t.root(7), r20 = *t.root(20);
    auto proof = *t.consistency_proof(7, 20);
    REQUIRE(verify_consistency(7, 20, r7, r20, proof));
    CHECK(verify_consistency(0, 20, empty_root(), r20, {}).error().code == errc::malformed);
    CHECK(verify_consistency(20, 7, r20, r7, proof).error().code == errc::malformed);
    CHECK(verify_consistency(20, 20, r20, r20, {}));
    CHECK(verify_consistency(20, 20, r20, r7, {}).error().code == errc::crypto_failure);
    CHECK(verify_consistency(20, 20, r20, r20, proof).error().code == errc::malformed);
    for (std::size_t len = 0; len < proof.size(); ++len) CHECK_FALSE(verify_consistency(7, 20, r7, r20, proof_view(proof).first(len)));
    for (std::size_t k = 0; k < proof.size(); ++k) {
        auto bad = proof;
        bad[k][31] ^= 0x40;
        CHECK(verify_consistency(7, 20, r7, r20, bad).error().code == errc::crypto_failure);
    }
    CHECK(t.consistency_proof(0, 5).error().code == errc::misuse);
    CHECK(t.consistency_proof(5, 21).error().code == errc::misuse);
    CHECK(t.inclusion_proof(5, 5).error().code == errc::misuse);
}

TEST_CASE("proof_from_bytes and to_hash refuse wrong lengths", "[merkle][negative]") {
    bytes raw(32 * 3, 0x11);
    auto p = proof_from_bytes(raw);
    REQUIRE(p);
    CHECK(p->size() == 3);
    for (std::size_t cut = 1; cut < 32; ++cut) CHECK(proof_from_bytes(bytes_view(raw).first(raw.size() - cut)).error().code == errc::malformed);
    CHECK(proof_from_bytes(bytes((max_consistency_proof + 1) * 32)).error().code == errc::limit_exceeded);
    CHECK(proof_from_bytes({})->empty());
    for (std::size_t len : {0, 1, 31, 33, 64}) CHECK_FALSE(to_hash(bytes(len)));
}

TEST_CASE("verification works at 2^63 tree sizes without overflow", "[merkle]") {
    // A proof for the last leaf of a huge tree: 63 levels; any hashes, then verify against its own root.
    const std::uint64_t size = std::uint64_t{1} << 63, idx = size - 1;
    std::vector<hash_t> proof(63);
    for (std::size_t i = 0; i < proof.size(); ++i) proof[i].fill(static_cast<std::uint8_t>(i + 1));
    hash_t leaf{};
    auto root = root_from_inclusion_proof(idx, size, leaf, proof);
    REQUIRE(root);
    CHECK(verify_inclusion(idx, size, leaf, proof, *root));
    CHECK_FALSE(verify_inclusion(idx - 1, size, leaf, proof, *root));
    CHECK(root_from_inclusion_proof(idx, size, leaf, proof_view(proof).first(62)).error().code == errc::malformed);
    CHECK(root_from_inclusion_proof(UINT64_MAX - 1, UINT64_MAX, leaf, std::vector<hash_t>(63)));
    CHECK_FALSE(root_from_inclusion_proof(UINT64_MAX - 1, UINT64_MAX, leaf, std::vector<hash_t>(64)));
}
