// ppx/merkle/log.hpp: a small append-only transparency log held in memory, for an issuer of
// entries, tests and examples. It signs C2SP checkpoints with an Ed25519 note key, answers
// RFC 9162 inclusion and consistency proofs, and serves tlog-tiles resources (hash tiles
// and entry bundles) so tile clients (tiles.hpp) can compute the same proofs.
//
// Not thread-safe: a server that shares one log between threads must lock around it.
#pragma once

#include <ppx/core/writer.hpp>
#include <ppx/merkle/checkpoint.hpp>
#include <ppx/merkle/note.hpp>
#include <ppx/merkle/tiles.hpp>
#include <ppx/merkle/tree.hpp>

#include <string>
#include <vector>

namespace ppx::merkle {

/// Largest entry the log accepts (entry bundles carry a uint16 length, tlog-tiles "Log entries").
inline constexpr std::size_t max_entry_size = 0xFFFF;

class memory_log {
public:
    /// A log with `origin` as its checkpoint origin line, signing with `signer` (whose key
    /// name SHOULD equal the origin, tlog-checkpoint "Signatures").
    memory_log(std::string origin, note_signer signer) : origin_(std::move(origin)), signer_(std::move(signer)) {}

    const std::string& origin() const noexcept { return origin_; }
    const note_signer& signer() const noexcept { return signer_; }
    std::uint64_t size() const noexcept { return tree_.size(); }

    /// Appends an entry and returns its index. errc::limit_exceeded above max_entry_size.
    result<std::uint64_t> append(bytes_view entry) {
        if (entry.size() > max_entry_size) return fail(errc::limit_exceeded, "log: entry too large");
        entries_.push_back(to_bytes(entry));
        tree_.append(leaf_hash(entry));
        return tree_.size() - 1;
    }

    /// The entry at `index`; errc::misuse when out of range.
    result<bytes_view> entry(std::uint64_t index) const {
        if (index >= entries_.size()) return fail(errc::misuse, "log: no such entry");
        return bytes_view(entries_[index]);
    }

    /// Root of the first `n` entries.
    result<hash_t> root(std::uint64_t n) const { return tree_.root(n); }

    /// A signed checkpoint of the current tree (text + one Ed25519 signature line).
    result<std::string> checkpoint_note(std::vector<std::string> extensions = {}) const {
        PPX_TRY_ASSIGN(hash_t r, tree_.root(tree_.size()));
        PPX_TRY_ASSIGN(std::string text, format_checkpoint(checkpoint{origin_, tree_.size(), r, std::move(extensions)}));
        return signer_.sign(text);
    }

    /// RFC 9162 §2.1.3.1 inclusion proof of `index` in the tree of `n` leaves.
    result<std::vector<hash_t>> inclusion_proof(std::uint64_t index, std::uint64_t n) const { return tree_.inclusion_proof(index, n); }
    /// RFC 9162 §2.1.4.1 consistency proof from n1 to n2 leaves.
    result<std::vector<hash_t>> consistency_proof(std::uint64_t n1, std::uint64_t n2) const { return tree_.consistency_proof(n1, n2); }

    /// The bytes of a tile resource (tlog-tiles "Merkle Tree" / "Log entries"): hash tiles are
    /// width * 32 bytes, entry bundles uint16-prefixed entries. errc::misuse when the tile is
    /// not (yet) available at that width.
    result<bytes> tile(const tile_id& t) const {
        const unsigned have = tile_width_at(t.level, t.index, tree_.size());
        if (t.width == 0 || t.width > tile_width || have < t.width) return fail(errc::misuse, "log: tile not available");
        if (t.entries) {
            if (t.level != 0) return fail(errc::misuse, "log: entry bundles have no level");
            writer w;
            for (unsigned j = 0; j < t.width; ++j) w.vec16(entries_[t.index * tile_width + j]);
            return std::move(w).finish();
        }
        bytes out;
        out.reserve(std::size_t{t.width} * hash_size);
        for (unsigned j = 0; j < t.width; ++j) {
            PPX_TRY_ASSIGN(hash_t h, tree_(t.level * tile_height, t.index * tile_width + j));
            ppx::append(out, bytes_view(h));
        }
        return out;
    }

    /// The tree's complete-subtree hashes (a subtree_source).
    const tree_hashes& hashes() const noexcept { return tree_; }

private:
    std::string origin_;
    note_signer signer_;
    tree_hashes tree_;
    std::vector<bytes> entries_;
};

} // namespace ppx::merkle
