// ppx/merkle/tree.hpp: RFC 9162 §2.1 Merkle tree hashing, inclusion and consistency proofs.
//
// Hash = SHA-256 (RFC 9162 §2.1 with the RFC 6962 prefixes): leaf = SHA-256(0x00 || d),
// node = SHA-256(0x01 || left || right), empty tree = SHA-256(""). Verification follows
// RFC 9162 §2.1.3.2 and §2.1.4.2 plus the stricter rules of transparency-dev/merkle that the
// vectors encode: every hash is exactly 32 bytes, a consistency proof from size 0 is refused,
// a proof with a missing or extra node is refused. Verification never allocates and returns
// the computed root, so the caller compares it with the root of a verified checkpoint.
//
// Generation is generic over a source of complete-subtree hashes (see tree_hashes), so the
// same code serves an in-memory log (log.hpp) and a client holding tiles (tiles.hpp).
#pragma once

#include <ppx/core/bytes.hpp>
#include <ppx/core/ct.hpp>
#include <ppx/core/result.hpp>
#include <ppx/crypto/hash.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace ppx::merkle {

/// Size of every hash in the tree (SHA-256).
inline constexpr std::size_t hash_size = 32;
/// One Merkle tree hash.
using hash_t = std::array<std::uint8_t, hash_size>;
/// A proof: the list of sibling hashes, leaf side first.
using proof_view = std::span<const hash_t>;

/// Longest inclusion proof for any 64-bit tree size (one hash per level).
inline constexpr std::size_t max_inclusion_proof = 64;
/// Bound on consistency proof length accepted by proof_from_bytes (a 64-bit tree needs fewer
/// than 2 * 64 hashes; RFC 9162 §2.1.4.1).
inline constexpr std::size_t max_consistency_proof = 128;

/// SHA-256 of the empty string: the root of the empty tree (RFC 9162 §2.1.1).
inline hash_t empty_root() noexcept { return crypto::digest<crypto::sha256>(bytes_view{}); }

/// Leaf hash: SHA-256(0x00 || entry) (RFC 9162 §2.1.1).
inline hash_t leaf_hash(bytes_view entry) noexcept {
    static constexpr std::uint8_t prefix[1] = {0x00};
    return crypto::digest<crypto::sha256>(bytes_view(prefix), entry);
}

/// Interior node hash: SHA-256(0x01 || left || right) (RFC 9162 §2.1.1).
inline hash_t node_hash(const hash_t& left, const hash_t& right) noexcept {
    // One contiguous 65-byte message: two SHA-256 compressions, the floor for a node.
    // Tree hashes are public, so the policy's plain state is used directly rather than
    // crypto::hasher, whose destructor wipes the state (a measurable cost per node).
    std::uint8_t buf[1 + 2 * hash_size];
    buf[0] = 0x01;
    std::memcpy(buf + 1, left.data(), hash_size);
    std::memcpy(buf + 1 + hash_size, right.data(), hash_size);
    crypto::sha256::state st;
    crypto::sha256::init(st);
    crypto::sha256::update(st, bytes_view(buf, sizeof buf));
    hash_t out;
    crypto::sha256::final(st, out.data());
    return out;
}

/// Copies a 32-byte view into a hash_t; errc::malformed for any other length.
inline result<hash_t> to_hash(bytes_view b) noexcept {
    if (b.size() != hash_size) return fail(errc::malformed, "merkle: hash is not 32 bytes");
    hash_t h;
    std::memcpy(h.data(), b.data(), hash_size);
    return h;
}

/// Splits a concatenation of 32-byte hashes into a proof; errc::malformed unless the length
/// is a multiple of 32, errc::limit_exceeded above max_consistency_proof hashes.
inline result<std::vector<hash_t>> proof_from_bytes(bytes_view concatenated) {
    if (concatenated.size() % hash_size != 0) return fail(errc::malformed, "merkle: proof length not a multiple of 32");
    if (concatenated.size() / hash_size > max_consistency_proof) return fail(errc::limit_exceeded, "merkle: proof too long");
    std::vector<hash_t> out(concatenated.size() / hash_size);
    for (std::size_t i = 0; i < out.size(); ++i) std::memcpy(out[i].data(), concatenated.data() + i * hash_size, hash_size);
    return out;
}

/// Writes a proof as concatenated 32-byte hashes into `out` (32 * proof.size() bytes) and
/// returns the length; errc::buffer_too_small (nothing written) when `out` is shorter.
inline result<std::size_t> proof_to_bytes(proof_view proof, mutable_bytes out) noexcept {
    const std::size_t need = proof.size() * hash_size;
    if (out.size() < need) return fail(errc::buffer_too_small, "merkle: proof output buffer too small");
    for (std::size_t i = 0; i < proof.size(); ++i) std::memcpy(out.data() + i * hash_size, proof[i].data(), hash_size);
    return need;
}

namespace detail {
/// Largest power of two strictly smaller than n (n >= 2): the split point k of RFC 9162 §2.1.1.
constexpr std::uint64_t split_point(std::uint64_t n) noexcept { return std::bit_floor(n - 1); }
} // namespace detail

// ---------------------------------------------------------------- verification

/// Recomputes the root from an inclusion proof (RFC 9162 §2.1.3.2).
/// Fails with errc::malformed when index >= size or the proof length does not fit the tree
/// (too short, too long). On success returns the root the proof commits to; the proof is
/// only valid if that equals the trusted root. Does not allocate.
inline result<hash_t> root_from_inclusion_proof(std::uint64_t index, std::uint64_t size, const hash_t& leaf,
                                                proof_view proof) noexcept {
    if (index >= size) return fail(errc::malformed, "merkle: leaf index beyond tree size");  // §2.1.3.2 step 1
    std::uint64_t fn = index, sn = size - 1;
    hash_t r = leaf;
    for (const hash_t& p : proof) {
        if (sn == 0) return fail(errc::malformed, "merkle: inclusion proof too long");  // §2.1.3.2 step 5.1
        if ((fn & 1) || fn == sn) {
            r = node_hash(p, r);
            if (!(fn & 1)) {
                // Skip levels where this node has no right sibling (§2.1.3.2 step 5.2).
                const int s = std::countr_zero(fn);  // fn != 0 here: fn == sn > 0 and even
                fn >>= s;
                sn >>= s;
            }
        } else {
            r = node_hash(r, p);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0) return fail(errc::malformed, "merkle: inclusion proof too short");  // §2.1.3.2 step 6
    return r;
}

/// Verifies that `leaf` is at `index` in the tree of `size` leaves whose root is `root`
/// (RFC 9162 §2.1.3.2). errc::malformed for a proof of the wrong shape, errc::crypto_failure
/// when the recomputed root differs.
inline result<void> verify_inclusion(std::uint64_t index, std::uint64_t size, const hash_t& leaf, proof_view proof,
                                     const hash_t& root) noexcept {
    PPX_TRY_ASSIGN(const hash_t computed, root_from_inclusion_proof(index, size, leaf, proof));
    if (!ct_equal(computed, root)) return fail(errc::crypto_failure, "merkle: inclusion proof does not match root");
    return ok();
}

/// Checks a consistency proof against the older root and returns the newer root it commits
/// to (RFC 9162 §2.1.4.2). Stricter than the RFC, as transparency-dev/merkle: size1 == 0 is
/// refused; size1 == size2 needs an empty proof (the returned root is root1). errc::malformed
/// for sizes out of order or a proof of the wrong shape, errc::crypto_failure when the proof
/// does not lead back to root1. Does not allocate.
inline result<hash_t> root_from_consistency_proof(std::uint64_t size1, std::uint64_t size2, const hash_t& root1,
                                                  proof_view proof) noexcept {
    if (size1 == 0) return fail(errc::malformed, "merkle: consistency from the empty tree");
    if (size2 < size1) return fail(errc::malformed, "merkle: consistency to a smaller tree");  // §2.1.4.2 step 1
    if (size1 == size2) {
        if (!proof.empty()) return fail(errc::malformed, "merkle: consistency proof for equal sizes must be empty");
        return root1;
    }
    if (proof.empty()) return fail(errc::malformed, "merkle: empty consistency proof");  // §2.1.4.2 step 1
    // §2.1.4.2 step 2: when size1 is a power of two the proof omits root1; start from it.
    const bool pow2 = std::has_single_bit(size1);
    std::size_t i = 0;
    hash_t fr = pow2 ? root1 : proof[i++];
    hash_t sr = fr;
    std::uint64_t fn = size1 - 1, sn = size2 - 1;
    // §2.1.4.2 step 4: skip the levels where the old tree's last node is a right child.
    if (fn & 1) {
        const int s = std::countr_one(fn);
        fn >>= s;
        sn >>= s;
    }
    for (; i < proof.size(); ++i) {
        const hash_t& c = proof[i];
        if (sn == 0) return fail(errc::malformed, "merkle: consistency proof too long");  // step 6.1
        if ((fn & 1) || fn == sn) {
            fr = node_hash(c, fr);
            sr = node_hash(c, sr);
            if (!(fn & 1)) {
                // fn == sn > 0 and even (sn == 0 was refused above): skip levels with no right sibling.
                const int s = std::countr_zero(fn);
                fn >>= s;
                sn >>= s;
            }
        } else {
            sr = node_hash(sr, c);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0) return fail(errc::malformed, "merkle: consistency proof too short");  // step 7
    if (!ct_equal(fr, root1)) return fail(errc::crypto_failure, "merkle: consistency proof does not match old root");
    return sr;
}

/// Verifies that the tree (size1, root1) is a prefix of (size2, root2) (RFC 9162 §2.1.4.2),
/// with the rules of root_from_consistency_proof. errc::crypto_failure when a root differs.
inline result<void> verify_consistency(std::uint64_t size1, std::uint64_t size2, const hash_t& root1, const hash_t& root2,
                                       proof_view proof) noexcept {
    PPX_TRY_ASSIGN(const hash_t computed, root_from_consistency_proof(size1, size2, root1, proof));
    if (!ct_equal(computed, root2)) return fail(errc::crypto_failure, "merkle: consistency proof does not match new root");
    return ok();
}

// ---------------------------------------------------------------- wire-level forms

/// verify_inclusion on unchecked byte strings (as proofs arrive from JSON, hex or HTTP):
/// every hash must be 32 bytes (errc::malformed otherwise) and the proof at most
/// max_inclusion_proof long. Does not allocate.
inline result<void> verify_inclusion_raw(std::uint64_t index, std::uint64_t size, bytes_view leaf,
                                         std::span<const bytes_view> proof, bytes_view root) noexcept {
    if (proof.size() > max_inclusion_proof) return fail(errc::malformed, "merkle: inclusion proof too long");
    std::array<hash_t, max_inclusion_proof> p;
    for (std::size_t i = 0; i < proof.size(); ++i) {
        PPX_TRY_ASSIGN(p[i], to_hash(proof[i]));
    }
    PPX_TRY_ASSIGN(const hash_t l, to_hash(leaf));
    PPX_TRY_ASSIGN(const hash_t r, to_hash(root));
    return verify_inclusion(index, size, l, proof_view(p.data(), proof.size()), r);
}

/// verify_consistency on unchecked byte strings. As transparency-dev/merkle, equal sizes
/// only compare the two roots as byte strings (any length) and need an empty proof; otherwise
/// every hash must be 32 bytes. Does not allocate.
inline result<void> verify_consistency_raw(std::uint64_t size1, std::uint64_t size2, bytes_view root1, bytes_view root2,
                                           std::span<const bytes_view> proof) noexcept {
    if (size1 == 0) return fail(errc::malformed, "merkle: consistency from the empty tree");
    if (size1 == size2) {
        if (!proof.empty()) return fail(errc::malformed, "merkle: consistency proof for equal sizes must be empty");
        if (!ct_equal(root1, root2)) return fail(errc::crypto_failure, "merkle: equal sizes with different roots");
        return ok();
    }
    if (proof.size() > max_consistency_proof) return fail(errc::malformed, "merkle: consistency proof too long");
    std::array<hash_t, max_consistency_proof> p;
    for (std::size_t i = 0; i < proof.size(); ++i) {
        PPX_TRY_ASSIGN(p[i], to_hash(proof[i]));
    }
    PPX_TRY_ASSIGN(const hash_t r1, to_hash(root1));
    PPX_TRY_ASSIGN(const hash_t r2, to_hash(root2));
    return verify_consistency(size1, size2, r1, r2, proof_view(p.data(), proof.size()));
}

// ---------------------------------------------------------------- generation

/// A source of complete-subtree hashes: `src(level, index)` returns the hash of the perfect
/// subtree of 2^level leaves starting at leaf index << level, or an error.
template <class S>
concept subtree_source = requires(S& s, unsigned level, std::uint64_t index) {
    { s(level, index) } -> std::same_as<result<hash_t>>;
};

/// MTH(D[lo:hi]) (RFC 9162 §2.1.1) for a range whose start is aligned to the largest power of
/// two not above its length (every range the proof algorithms visit is). O(log n) lookups.
template <subtree_source S>
inline result<hash_t> subtree_hash(S& src, std::uint64_t lo, std::uint64_t hi) {
    const std::uint64_t n = hi - lo;
    if (n == 0) return empty_root();
    if (std::has_single_bit(n) && lo % n == 0) return src(static_cast<unsigned>(std::countr_zero(n)), lo >> std::countr_zero(n));
    const std::uint64_t k = detail::split_point(n);
    PPX_TRY_ASSIGN(const hash_t left, src(static_cast<unsigned>(std::countr_zero(k)), lo >> std::countr_zero(k)));
    PPX_TRY_ASSIGN(const hash_t right, subtree_hash(src, lo + k, hi));
    return node_hash(left, right);
}

namespace detail {
template <subtree_source S>
result<void> path(S& src, std::uint64_t m, std::uint64_t lo, std::uint64_t hi, std::vector<hash_t>& out) {
    // RFC 9162 §2.1.3.1 PATH(m, D[lo:hi]), iterated from the root down, then reversed.
    std::size_t start = out.size();
    while (hi - lo > 1) {
        const std::uint64_t k = split_point(hi - lo);
        if (m < k) {
            PPX_TRY_ASSIGN(auto h, subtree_hash(src, lo + k, hi));
            out.push_back(h);
            hi = lo + k;
        } else {
            PPX_TRY_ASSIGN(auto h, subtree_hash(src, lo, lo + k));
            out.push_back(h);
            m -= k;
            lo += k;
        }
    }
    std::reverse(out.begin() + static_cast<std::ptrdiff_t>(start), out.end());
    return ok();
}

template <subtree_source S>
result<void> subproof(S& src, std::uint64_t m, std::uint64_t lo, std::uint64_t hi, bool b, std::vector<hash_t>& out) {
    // RFC 9162 §2.1.4.1 SUBPROOF(m, D[lo:hi], b), iterated from the root down, then reversed.
    std::size_t start = out.size();
    for (;;) {
        const std::uint64_t n = hi - lo;
        if (m == n) {
            if (!b) {
                PPX_TRY_ASSIGN(auto h, subtree_hash(src, lo, hi));
                out.push_back(h);
            }
            break;
        }
        const std::uint64_t k = split_point(n);
        if (m <= k) {
            PPX_TRY_ASSIGN(auto h, subtree_hash(src, lo + k, hi));
            out.push_back(h);
            hi = lo + k;
        } else {
            PPX_TRY_ASSIGN(auto h, subtree_hash(src, lo, lo + k));
            out.push_back(h);
            m -= k;
            lo += k;
            b = false;
        }
    }
    std::reverse(out.begin() + static_cast<std::ptrdiff_t>(start), out.end());
    return ok();
}
} // namespace detail

/// The inclusion proof for leaf `index` in the tree of `size` leaves (RFC 9162 §2.1.3.1).
/// errc::misuse when index >= size; errors of the source propagate.
template <subtree_source S>
inline result<std::vector<hash_t>> make_inclusion_proof(S& src, std::uint64_t index, std::uint64_t size) {
    if (index >= size) return fail(errc::misuse, "merkle: leaf index beyond tree size");
    std::vector<hash_t> out;
    out.reserve(64);
    PPX_TRY(detail::path(src, index, 0, size, out));
    return out;
}

/// The consistency proof from size1 to size2 (RFC 9162 §2.1.4.1). errc::misuse unless
/// 0 < size1 <= size2 (the proof for equal sizes is empty).
template <subtree_source S>
inline result<std::vector<hash_t>> make_consistency_proof(S& src, std::uint64_t size1, std::uint64_t size2) {
    if (size1 == 0 || size1 > size2) return fail(errc::misuse, "merkle: consistency sizes out of range");
    std::vector<hash_t> out;
    if (size1 == size2) return out;
    out.reserve(64);
    PPX_TRY(detail::subproof(src, size1, 0, size2, true, out));
    return out;
}

/// The complete-subtree hashes of an append-only list of leaves: level 0 holds the leaf
/// hashes, level l+1 the parents of pairs at level l. Appending is amortised O(1); any root
/// and any proof cost O(log n) lookups. Used by the in-memory log and by tests.
class tree_hashes {
public:
    /// Appends one leaf hash.
    void append(const hash_t& leaf) {
        if (levels_.empty()) levels_.emplace_back();
        levels_[0].push_back(leaf);
        std::size_t l = 0;
        while (levels_[l].size() % 2 == 0) {
            const auto& lv = levels_[l];
            hash_t parent = node_hash(lv[lv.size() - 2], lv[lv.size() - 1]);
            if (levels_.size() == l + 1) levels_.emplace_back();
            levels_[l + 1].push_back(parent);
            ++l;
        }
    }
    /// Number of leaves.
    std::uint64_t size() const noexcept { return levels_.empty() ? 0 : levels_[0].size(); }

    /// The complete-subtree hash at (level, index); errc::misuse when it does not exist yet.
    result<hash_t> operator()(unsigned level, std::uint64_t index) const {
        if (level >= levels_.size() || index >= levels_[level].size()) return fail(errc::misuse, "merkle: subtree not in tree");
        return levels_[level][index];
    }

    /// MTH of the first `n` leaves (RFC 9162 §2.1.1); errc::misuse when n > size().
    result<hash_t> root(std::uint64_t n) const {
        if (n > size()) return fail(errc::misuse, "merkle: tree size beyond log");
        return subtree_hash(*this, 0, n);
    }
    result<std::vector<hash_t>> inclusion_proof(std::uint64_t index, std::uint64_t n) const {
        if (n > size()) return fail(errc::misuse, "merkle: tree size beyond log");
        return make_inclusion_proof(*this, index, n);
    }
    result<std::vector<hash_t>> consistency_proof(std::uint64_t n1, std::uint64_t n2) const {
        if (n2 > size()) return fail(errc::misuse, "merkle: tree size beyond log");
        return make_consistency_proof(*this, n1, n2);
    }

private:
    std::vector<std::vector<hash_t>> levels_;
};

/// MTH of a list of entries (RFC 9162 §2.1.1): hashes each entry as a leaf.
template <class Entries>
inline hash_t root_of_entries(const Entries& entries) {
    tree_hashes t;
    for (const auto& e : entries) t.append(leaf_hash(bytes_view(e)));
    return *t.root(t.size());
}

} // namespace ppx::merkle
