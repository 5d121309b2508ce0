// ppx/merkle/tiles.hpp: proofs from tlog-tiles (c2sp.org/tlog-tiles), as a client of a
// tile-serving log (Sigstore Rekor v2, static CT logs, Go's checksum database) computes them.
//
// A tile at level L, index N holds up to 256 hashes: hash j is the Merkle Tree Hash of the
// perfect subtree of 256^L leaves starting at leaf (N * 256 + j) * 256^L ("Merkle Tree").
// Tree levels between multiples of 8 are rebuilt by hashing inside a tile. Tiles are
// untrusted input: a proof computed from them is only as good as its verification against a
// verified checkpoint's root, which the caller (or verify helpers below) must do.
#pragma once

#include <ppx/core/reader.hpp>
#include <ppx/merkle/checkpoint.hpp>
#include <ppx/merkle/tree.hpp>

#include <algorithm>
#include <cstdio>

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ppx::merkle {

/// Hashes in a full tile ("Full tiles MUST be exactly 256 hashes wide").
inline constexpr unsigned tile_width = 256;
/// Tree levels spanned by one tile level.
inline constexpr unsigned tile_height = 8;
/// Highest tile level (tlog-tiles: L between 0 and 63; 64-bit trees need at most 7).
inline constexpr unsigned max_tile_level = 63;

/// Identifies a tile resource: level, index and width (1..256; 256 is a full tile).
struct tile_id {
    unsigned level = 0;
    std::uint64_t index = 0;
    unsigned width = tile_width;
    bool entries = false;  ///< an entry bundle (tile/entries/...) rather than a hash tile

    friend bool operator==(const tile_id&, const tile_id&) = default;
    friend auto operator<=>(const tile_id&, const tile_id&) = default;
};

/// The resource path of a tile, without the log prefix: "tile/<L>/<N>[.p/<W>]" or
/// "tile/entries/<N>[.p/<W>]", N written as zero-padded 3-digit elements, all but the last
/// prefixed with 'x' (tlog-tiles "Merkle Tree").
inline std::string tile_path(const tile_id& t) {
    std::string n;
    std::uint64_t v = t.index;
    std::vector<unsigned> groups;
    do {
        groups.push_back(static_cast<unsigned>(v % 1000));
        v /= 1000;
    } while (v > 0);
    for (std::size_t i = groups.size(); i-- > 0;) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "%s%03u", i > 0 ? "x" : "", groups[i]);
        n += buf;
        if (i > 0) n += "/";
    }
    std::string s = t.entries ? "tile/entries/" + n : "tile/" + std::to_string(t.level) + "/" + n;
    if (t.width < tile_width) s += ".p/" + std::to_string(t.width);
    return s;
}

/// Parses a path written by tile_path (a leading '/' is allowed). errc::malformed for
/// anything else (so each tile has exactly one path): leading zeroes in L or W, a leading
/// "x000/" element, a level above 63, a width outside 1..255 after
/// ".p/", an index element that is not 3 digits, a missing 'x', an index above 2^64 - 1.
inline result<tile_id> parse_tile_path(std::string_view p) {
    if (!p.empty() && p[0] == '/') p.remove_prefix(1);
    if (p.substr(0, 5) != "tile/") return fail(errc::malformed, "tiles: path does not start with tile/");
    p.remove_prefix(5);
    tile_id t;
    const std::size_t slash = p.find('/');
    if (slash == std::string_view::npos) return fail(errc::malformed, "tiles: missing index");
    const std::string_view lv = p.substr(0, slash);
    p.remove_prefix(slash + 1);
    if (lv == "entries") {
        t.entries = true;
    } else {
        std::uint64_t l = 0;
        if (!detail::parse_decimal(lv, l) || l > max_tile_level) return fail(errc::malformed, "tiles: bad level");
        t.level = static_cast<unsigned>(l);
    }
    // Index: (xDDD/)*DDD, then optional .p/W.
    std::uint64_t idx = 0;
    bool first = true;
    for (;;) {
        const bool more = !p.empty() && p[0] == 'x';
        if (more) p.remove_prefix(1);
        if (p.size() < 3) return fail(errc::malformed, "tiles: index element is not 3 digits");
        unsigned g = 0;
        for (int i = 0; i < 3; ++i) {
            if (p[static_cast<std::size_t>(i)] < '0' || p[static_cast<std::size_t>(i)] > '9') return fail(errc::malformed, "tiles: index element is not 3 digits");
            g = g * 10 + static_cast<unsigned>(p[static_cast<std::size_t>(i)] - '0');
        }
        if (idx > (UINT64_MAX - g) / 1000) return fail(errc::malformed, "tiles: index too large");
        idx = idx * 1000 + g;
        p.remove_prefix(3);
        if (more) {
            // One encoding per index: no leading x000 element.
            if (first && g == 0) return fail(errc::malformed, "tiles: leading zero index element");
            first = false;
            if (p.empty() || p[0] != '/') return fail(errc::malformed, "tiles: x element not followed by '/'");
            p.remove_prefix(1);
            continue;
        }
        break;
    }
    t.index = idx;
    if (p.empty()) return t;
    if (p.substr(0, 3) != ".p/") return fail(errc::malformed, "tiles: trailing characters");
    p.remove_prefix(3);
    std::uint64_t w = 0;
    if (!detail::parse_decimal(p, w) || w == 0 || w >= tile_width) return fail(errc::malformed, "tiles: bad partial width");
    t.width = static_cast<unsigned>(w);
    return t;
}

/// The width tile (level, index) has in a tree of `size` leaves: 256 when full, 0 when the
/// tile does not exist yet ("Partial Tiles": floor(size / 256^L) mod 256 for the last one).
constexpr unsigned tile_width_at(unsigned level, std::uint64_t index, std::uint64_t size) noexcept {
    if (level >= tile_height) return 0;  // 256^8 leaves exceed any 64-bit size
    const std::uint64_t hashes = size >> (tile_height * level);
    const std::uint64_t start = index * tile_width;
    if (index > (UINT64_MAX / tile_width) || hashes <= start) return 0;
    const std::uint64_t w = hashes - start;
    return w >= tile_width ? tile_width : static_cast<unsigned>(w);
}

/// Tiles a client fetched for one tree size, acting as a subtree_source: proofs and roots
/// for that size come from the tiles alone. Tiles larger than the size needs (a full tile
/// where a partial one would do) are accepted, as tlog-tiles lets clients fall back to them.
class tile_set {
public:
    /// Tiles of the tree with `size` leaves (the size of a verified checkpoint).
    explicit tile_set(std::uint64_t size) noexcept : size_(size) {}

    std::uint64_t tree_size() const noexcept { return size_; }

    /// The tile that holds the subtree hash (level, index) of this tree.
    tile_id tile_for(unsigned level, std::uint64_t index) const noexcept {
        const unsigned L = level / tile_height, r = level % tile_height;
        const std::uint64_t pos = index << r;
        const std::uint64_t n = pos / tile_width;
        return tile_id{L, n, tile_width_at(L, n, size_), false};
    }

    /// Adds a fetched tile. `data` must be exactly 32 * t.width bytes, and t.width must be
    /// 256 or at least the width the tree size needs. errc::malformed otherwise,
    /// errc::misuse for an entry bundle or a tile this tree does not have.
    result<void> add(const tile_id& t, bytes_view data) {
        if (t.entries) return fail(errc::misuse, "tiles: entry bundles are not hash tiles");
        const unsigned need = tile_width_at(t.level, t.index, size_);
        if (need == 0) return fail(errc::misuse, "tiles: tile beyond the tree size");
        if (t.width == 0 || t.width > tile_width || t.width < need) return fail(errc::malformed, "tiles: tile narrower than the tree needs");
        if (data.size() != std::size_t{t.width} * hash_size) return fail(errc::malformed, "tiles: tile data length does not match its width");
        std::vector<hash_t> hs(need);
        for (std::size_t i = 0; i < need; ++i) std::memcpy(hs[i].data(), data.data() + i * hash_size, hash_size);
        tiles_[{t.level, t.index}] = std::move(hs);
        return ok();
    }

    /// subtree_source: the hash of perfect subtree (level, index), rebuilt from its tile.
    /// errc::misuse when the needed tile was not added or the subtree is not in this tree.
    result<hash_t> operator()(unsigned level, std::uint64_t index) const {
        if (level >= 64 || index >= (size_ >> level))
            return fail(errc::misuse, "tiles: subtree beyond the tree size");
        const unsigned L = level / tile_height, r = level % tile_height;
        const std::uint64_t pos = index << r;
        auto it = tiles_.find({L, pos / tile_width});
        if (it == tiles_.end()) return fail(errc::misuse, "tiles: needed tile missing");
        const std::size_t off = pos % tile_width, count = std::size_t{1} << r;
        if (off + count > it->second.size()) return fail(errc::misuse, "tiles: needed tile too narrow");
        // Rebuild the perfect subtree of `count` tile hashes (at most 127 node hashes).
        hash_t buf[tile_width / 2];
        if (count == 1) return it->second[off];
        for (std::size_t i = 0; i < count / 2; ++i) buf[i] = node_hash(it->second[off + 2 * i], it->second[off + 2 * i + 1]);
        for (std::size_t n = count / 2; n > 1; n /= 2)
            for (std::size_t i = 0; i < n / 2; ++i) buf[i] = node_hash(buf[2 * i], buf[2 * i + 1]);
        return buf[0];
    }

    /// The tiles needed for the inclusion proof of `index` and the root (deduplicated).
    result<std::vector<tile_id>> tiles_for_inclusion(std::uint64_t index) const {
        recorder rec{this, {}};
        PPX_TRY(make_inclusion_proof(rec, index, size_));
        PPX_TRY(subtree_hash(rec, 0, size_));
        return rec.sorted();
    }
    /// The tiles needed for the consistency proof from `old_size` to this size.
    result<std::vector<tile_id>> tiles_for_consistency(std::uint64_t old_size) const {
        recorder rec{this, {}};
        PPX_TRY(make_consistency_proof(rec, old_size, size_));
        return rec.sorted();
    }

    /// The root of this tree, from the tiles.
    result<hash_t> root() const { return subtree_hash(*this, 0, size_); }
    result<std::vector<hash_t>> inclusion_proof(std::uint64_t index) const { return make_inclusion_proof(*this, index, size_); }
    result<std::vector<hash_t>> consistency_proof(std::uint64_t old_size) const { return make_consistency_proof(*this, old_size, size_); }

private:
    struct recorder {
        const tile_set* self;
        std::vector<tile_id> seen;
        result<hash_t> operator()(unsigned level, std::uint64_t index) {
            seen.push_back(self->tile_for(level, index));
            return hash_t{};
        }
        std::vector<tile_id> sorted() {
            std::sort(seen.begin(), seen.end());
            seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
            return std::move(seen);
        }
    };

    std::uint64_t size_;
    std::map<std::pair<unsigned, std::uint64_t>, std::vector<hash_t>> tiles_;
};

/// Splits an entry bundle (tlog-tiles "Log entries": big-endian uint16 length-prefixed
/// entries) into its entries. errc::malformed when truncated or when the count is not
/// `expected_count` (1..256).
inline result<std::vector<bytes_view>> parse_entry_bundle(bytes_view data, unsigned expected_count) {
    if (expected_count == 0 || expected_count > tile_width) return fail(errc::misuse, "tiles: bad bundle width");
    reader r(data);
    std::vector<bytes_view> out;
    out.reserve(expected_count);
    while (!r.empty()) {
        if (out.size() == expected_count) return fail(errc::malformed, "tiles: bundle has more entries than its width");
        PPX_TRY_ASSIGN(auto e, r.vec16());
        out.push_back(e);
    }
    if (out.size() != expected_count) return fail(errc::malformed, "tiles: bundle has fewer entries than its width");
    return out;
}

} // namespace ppx::merkle
