// ppx/merkle/policy.hpp: checkpoint trust policy (log key + k of n witnesses) and the
// client-side view of logs (last verified checkpoint per log, consistency required).
//
// A checkpoint is trusted only when (c2sp.org/tlog-checkpoint "Signatures",
// c2sp.org/tlog-cosignature): the note parses and no known key's signature is invalid; the
// log's own key signed it (a witness cosignature alone never stands in for the log); its
// origin is the one the policy names; at least `quorum` distinct witnesses verified it.
#pragma once

#include <ppx/core/reader.hpp>
#include <ppx/core/writer.hpp>
#include <ppx/merkle/checkpoint.hpp>
#include <ppx/merkle/note.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ppx::merkle {

/// Who must have signed a checkpoint.
struct trust_policy {
    verifier log_key;                 ///< the log's key: its signature is always required
    std::string origin;               ///< expected origin line; empty means log_key.name()
    std::vector<verifier> witnesses;  ///< witness keys (cosignature/v1, Ed25519 or ECDSA)
    std::size_t quorum = 0;           ///< how many distinct witnesses must have verified it
    std::uint64_t now = 0;            ///< caller's clock (POSIX seconds); 0 skips the future check
    std::uint64_t max_future_skew = 600;  ///< cosignature timestamps beyond now + skew are refused

    /// A policy requiring only the log's signature.
    static trust_policy log_only(verifier log) { return trust_policy{std::move(log), {}, {}, 0, 0, 600}; }
};

class verified_checkpoint;
inline result<verified_checkpoint> verify_checkpoint(std::string_view signed_note, const trust_policy& policy);

/// A checkpoint that satisfied a trust_policy. Only verify_checkpoint() creates one.
class verified_checkpoint {
public:
    const checkpoint& body() const noexcept { return cp_; }
    const std::string& origin() const noexcept { return cp_.origin; }
    std::uint64_t size() const noexcept { return cp_.size; }
    const hash_t& root() const noexcept { return cp_.root; }
    /// The exact signed note that was verified (to store or forward).
    const std::string& signed_note() const noexcept { return note_; }
    /// Names of the witnesses whose signatures verified, in note order.
    const std::vector<std::string>& witnesses() const noexcept { return witnesses_; }
    /// Every signature line's outcome.
    const std::vector<sig_check>& signatures() const noexcept { return checks_; }

private:
    friend result<verified_checkpoint> verify_checkpoint(std::string_view, const trust_policy&);
    verified_checkpoint() = default;
    checkpoint cp_;
    std::string note_;
    std::vector<std::string> witnesses_;
    std::vector<sig_check> checks_;
};

/// Verifies a signed checkpoint under `policy`. Errors: from parse_note / parse_checkpoint
/// (errc::malformed, errc::limit_exceeded); errc::crypto_failure when a known key's signature
/// is invalid; errc::key_mismatch when the log key did not sign or the origin differs;
/// errc::policy when fewer than `quorum` witnesses verified or a cosignature is dated in the
/// future; errc::misuse when the quorum exceeds the witness count or the log key is a
/// cosignature/v1 key.
inline result<verified_checkpoint> verify_checkpoint(std::string_view signed_note, const trust_policy& policy) {
    if (policy.quorum > policy.witnesses.size()) return fail(errc::misuse, "checkpoint: quorum larger than witness set");
    // A cosignature states a witness's view, never the log's own commitment (tlog-cosignature).
    if (policy.log_key.type() == sig_type::cosignature_v1) return fail(errc::misuse, "checkpoint: a cosigner key cannot be the log key");
    std::vector<verifier> keys;
    keys.reserve(1 + policy.witnesses.size());
    keys.push_back(policy.log_key);
    keys.insert(keys.end(), policy.witnesses.begin(), policy.witnesses.end());
    PPX_TRY_ASSIGN(note n, parse_note(signed_note));
    auto checks = check_signatures(n, keys);
    bool log_signed = false;
    std::vector<bool> witness_seen(keys.size(), false);
    verified_checkpoint out;
    for (const auto& c : checks) {
        // signed-note "Signatures": a failing known key rejects the whole note.
        if (c.status == sig_status::invalid) return fail(errc::crypto_failure, "checkpoint: invalid signature from a known key");
        if (c.status != sig_status::verified) continue;
        if (c.key == 0) {
            log_signed = true;
            continue;
        }
        // tlog-cosignature: verifiers MAY reject cosignatures with timestamps in the future.
        if (policy.now != 0 && keys[c.key].type() == sig_type::cosignature_v1 && c.info.timestamp &&
            *c.info.timestamp > policy.now + policy.max_future_skew)
            return fail(errc::policy, "checkpoint: cosignature timestamp in the future");
        // A witness configured twice, or sharing the log's key, counts once.
        bool dup = keys[c.key].id() == keys[0].id() && keys[c.key].name() == keys[0].name();
        for (std::size_t k = 1; k < keys.size() && !dup; ++k)
            if (witness_seen[k] && keys[k].id() == keys[c.key].id() && keys[k].name() == keys[c.key].name()) dup = true;
        if (dup) continue;
        witness_seen[c.key] = true;
        out.witnesses_.push_back(c.name);
    }
    if (!log_signed) return fail(errc::key_mismatch, "checkpoint: not signed by the log key");
    PPX_TRY_ASSIGN(out.cp_, parse_checkpoint(n.text));
    const std::string& want = policy.origin.empty() ? policy.log_key.name() : policy.origin;
    if (out.cp_.origin != want) return fail(errc::key_mismatch, "checkpoint: origin is not the expected log");
    if (out.witnesses_.size() < policy.quorum) return fail(errc::policy, "checkpoint: witness quorum not met");
    out.note_ = std::string(signed_note);
    out.checks_ = std::move(checks);
    return out;
}

/// The client's memory of logs: for each origin, the largest checkpoint it has verified.
/// A new checkpoint is accepted only with a valid consistency proof from the remembered one
/// (RFC 9162 §2.1.4), so a log that rolls back or shows this client a split view is caught.
class log_view {
public:
    /// Serialisation format version.
    static constexpr std::uint8_t format_version = 1;
    /// Most logs a serialised view may hold.
    static constexpr std::size_t max_logs = 4096;

    /// Accepts `cp` if it extends what is remembered for its origin. The first checkpoint of an
    /// origin is accepted as is (trust on first use, after its signatures were verified); an
    /// equal size needs an equal root and an empty proof; a larger size needs a consistency
    /// proof from the remembered checkpoint. Errors: errc::policy for a smaller size (rollback),
    /// errc::crypto_failure for a different root at the same size (split view) or a proof that
    /// does not verify, errc::malformed for a proof of the wrong shape. Nothing changes on failure.
    result<void> update(const verified_checkpoint& cp, proof_view consistency) {
        auto it = logs_.find(cp.origin());
        if (it == logs_.end()) {
            logs_.emplace(cp.origin(), entry{cp.size(), cp.root()});
            return ok();
        }
        const entry& old = it->second;
        if (cp.size() < old.size) return fail(errc::policy, "log_view: checkpoint older than the one remembered (rollback)");
        if (cp.size() == old.size) {
            if (!consistency.empty()) return fail(errc::malformed, "log_view: proof for an unchanged size must be empty");
            if (!ct_equal(cp.root(), old.root)) return fail(errc::crypto_failure, "log_view: same size, different root (split view)");
            return ok();
        }
        if (old.size == 0) {
            // Every tree extends the empty tree; RFC 9162 §2.1.4 has no proof for it.
            if (!consistency.empty()) return fail(errc::malformed, "log_view: proof from the empty tree must be empty");
        } else {
            PPX_TRY(verify_consistency(old.size, cp.size(), old.root, cp.root(), consistency));
        }
        it->second = entry{cp.size(), cp.root()};
        return ok();
    }

    /// The remembered tree head for `origin`, if any.
    std::optional<checkpoint> latest(std::string_view origin) const {
        auto it = logs_.find(std::string(origin));
        if (it == logs_.end()) return std::nullopt;
        return checkpoint{it->first, it->second.size, it->second.root, {}};
    }

    /// Verifies that `leaf` is at `index` under the remembered checkpoint of `origin`.
    /// errc::key_mismatch for an unknown origin, errc::malformed when index >= its size,
    /// otherwise as verify_inclusion.
    result<void> verify_inclusion(std::string_view origin, std::uint64_t index, const hash_t& leaf, proof_view proof) const {
        auto it = logs_.find(std::string(origin));
        if (it == logs_.end()) return fail(errc::key_mismatch, "log_view: unknown log");
        return merkle::verify_inclusion(index, it->second.size, leaf, proof, it->second.root);
    }

    std::size_t size() const noexcept { return logs_.size(); }

    /// Serialises the view: u8 version, u32 count, then per log (sorted by origin)
    /// origin<1..2^16-1>, u64 size, root[32].
    bytes serialize() const {
        writer w(5 + logs_.size() * 64);
        w.u8(format_version);
        w.u32(static_cast<std::uint32_t>(logs_.size()));
        for (const auto& [origin, e] : logs_) {
            w.vec16(as_bytes(origin));
            w.u64(e.size);
            w.bytes(e.root);
        }
        return *std::move(w).finish();
    }

    /// Restores a view written by serialize(). errc::malformed for anything else (wrong version,
    /// truncation, trailing bytes, empty or duplicate or out-of-order origins),
    /// errc::limit_exceeded beyond max_logs.
    static result<log_view> deserialize(bytes_view in) {
        reader r(in);
        PPX_TRY_ASSIGN(auto version, r.u8());
        if (version != format_version) return fail(errc::malformed, "log_view: unknown format version");
        PPX_TRY_ASSIGN(auto count, r.u32());
        if (count > max_logs) return fail(errc::limit_exceeded, "log_view: too many logs");
        log_view v;
        std::string prev;
        for (std::uint32_t i = 0; i < count; ++i) {
            PPX_TRY_ASSIGN(auto origin, r.vec16());
            PPX_TRY_ASSIGN(auto size, r.u64());
            PPX_TRY_ASSIGN(auto root, r.bytes(hash_size));
            std::string o(as_chars(origin));
            if (o.empty() || o.size() > max_origin_size || o.find('\n') != std::string::npos)
                return fail(errc::malformed, "log_view: bad origin");
            if (i > 0 && !(prev < o)) return fail(errc::malformed, "log_view: origins not strictly sorted");
            PPX_TRY_ASSIGN(auto h, to_hash(root));
            prev = o;
            v.logs_.emplace(std::move(o), entry{size, h});
        }
        PPX_TRY(r.expect_end());
        return v;
    }

private:
    struct entry {
        std::uint64_t size;
        hash_t root;
    };
    std::map<std::string, entry, std::less<>> logs_;
};

} // namespace ppx::merkle
