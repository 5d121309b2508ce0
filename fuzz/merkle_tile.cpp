// Fuzzes tlog-tiles path parsing, entry bundles and proofs from tiles (ppx/merkle/tiles.hpp).
// Input: a path line, '\n', then 8 bytes tree size (big-endian) and tile data. Invariants:
// an accepted path prints back to itself; tiles of an honest tree give exactly the tree's
// proofs and root; an arbitrary added tile never crashes and never breaks proof shape.
#include "fuzz.hpp"

#include <ppx/merkle/tiles.hpp>

using namespace ppx;
using namespace ppx::merkle;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    const std::size_t nl = in.find('\n');
    const std::string_view path = in.substr(0, nl);
    auto id = parse_tile_path(path);
    if (id) PPX_FUZZ_CHECK(tile_path(*id) == (path.substr(0, 1) == "/" ? path.substr(1) : path));
    if (nl == std::string_view::npos || size - nl - 1 < 8) return 0;
    bytes_view rest = ppx::fuzz::input(data + nl + 1, size - nl - 1);
    std::uint64_t tree_size = 0;
    for (int i = 0; i < 8; ++i) tree_size = tree_size << 8 | rest[static_cast<std::size_t>(i)];
    rest = rest.subspan(8);
    // Parse the rest as an entry bundle too (must never crash; counts must match).
    if (auto b = parse_entry_bundle(rest, 1 + static_cast<unsigned>(tree_size % 256))) PPX_FUZZ_CHECK(b->size() == 1 + tree_size % 256);
    // An honest tree (size below 4096, leaves derived from the fuzz bytes): proofs and root
    // computed from its tiles equal the tree's own.
    tree_size = 1 + tree_size % 4096;
    tree_hashes tree;
    for (std::uint64_t i = 0; i < tree_size; ++i) {
        const std::uint8_t e[3] = {std::uint8_t(i), std::uint8_t(i >> 8), rest.empty() ? std::uint8_t(0) : rest[i % rest.size()]};
        tree.append(leaf_hash(bytes_view(e, 3)));
    }
    tile_set ts(tree_size);
    const std::uint64_t idx = (rest.empty() ? 0 : rest[0]) * 17 % tree_size;
    auto need = ts.tiles_for_inclusion(idx);
    PPX_FUZZ_CHECK(need.has_value());
    for (const auto& t : *need) {
        bytes tile;
        for (unsigned j = 0; j < t.width; ++j) append(tile, bytes_view(*tree(t.level * tile_height, t.index * tile_width + j)));
        PPX_FUZZ_CHECK(ts.add(t, tile).has_value());
    }
    PPX_FUZZ_CHECK(*ts.root() == *tree.root(tree_size));
    PPX_FUZZ_CHECK(*ts.inclusion_proof(idx) == *tree.inclusion_proof(idx, tree_size));
    // Then an arbitrary tile from the input: accepted or refused, never a crash; any proof
    // computed afterwards still has the shape the verifier expects.
    if (id && !id->entries) (void)ts.add(*id, rest);
    if (auto proof = ts.inclusion_proof(idx)) {
        auto leaf = ts(0, idx);
        PPX_FUZZ_CHECK(leaf.has_value());
        PPX_FUZZ_CHECK(root_from_inclusion_proof(idx, tree_size, *leaf, *proof).has_value());
    }
    return 0;
}
