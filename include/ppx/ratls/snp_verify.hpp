// ppx/ratls/snp_verify.hpp: appraising an SEV-SNP report: signature, VCEK, chain to a pinned
// root, and the caller's policy; with a cache so a warm verification costs one ECDSA verify.
#pragma once

#include <ppx/core/bytes.hpp>
#include <ppx/core/ct.hpp>
#include <ppx/core/result.hpp>
#include <ppx/ratls/snp_cert.hpp>
#include <ppx/ratls/snp_report.hpp>

#include <array>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace ppx::ratls::snp {

using measurement_t = std::array<std::uint8_t, 48>;

/// What the verifier accepts. The defaults are the secure choice; every relaxation is a field
/// whose name ends in `_insecure`. A default-constructed policy rejects every report until an
/// allowed measurement (set or callback) is given, or allow_any_measurement_insecure is set.
struct policy {
    /// ABI "Guest Policy" bit 19: a DEBUG guest's memory is readable by the host. Rejected unless set.
    bool allow_debug_insecure = false;
    /// Bit 18: a migration agent may move the guest (and its secrets). Rejected unless set.
    bool allow_migration_agent_insecure = false;
    /// POLICY bits that must be one / zero (checked after the two above), e.g.
    /// policy_bit::single_socket in must_be_one, policy_bit::smt in must_be_zero.
    std::uint64_t policy_must_be_one = 0;
    std::uint64_t policy_must_be_zero = 0;
    /// Highest VMPL accepted (0 = only reports requested from the most privileged level).
    std::uint32_t max_vmpl = 0;
    /// Minimum REPORTED_TCB per product (component-wise); products not listed have no minimum.
    std::map<product, tcb_version> min_tcb;
    /// Minimum GUEST_SVN.
    std::uint32_t min_guest_svn = 0;
    /// Allowed launch MEASUREMENTs. The report passes if it is in this set or `measurement_check`
    /// returns true (e.g. a transparency-log inclusion check).
    std::vector<measurement_t> measurements;
    std::function<bool(std::span<const std::uint8_t, 48>)> measurement_check;
    /// Skips the measurement check entirely (a test or inspection, never production).
    bool allow_any_measurement_insecure = false;
    /// Exact values required when set.
    std::optional<std::array<std::uint8_t, 32>> host_data;
    std::optional<std::array<std::uint8_t, 48>> id_key_digest;
    std::optional<std::array<std::uint8_t, 48>> author_key_digest;
    std::optional<std::array<std::uint8_t, 16>> family_id;
    std::optional<std::array<std::uint8_t, 16>> image_id;
    /// REPORT_DATA must equal this (the binding of a key or nonce into the report).
    std::optional<std::array<std::uint8_t, 64>> report_data;
    /// Accept reports signed by a VLEK (a cloud provider's key) as well as a VCEK.
    bool allow_vlek = true;
    /// Verification time (Unix seconds) for certificate validity; nullopt = the system clock.
    std::optional<std::int64_t> now;
    /// Skips certificate validity periods (for replaying old evidence; never production).
    bool ignore_cert_time_insecure = false;
};

/// Checks a parsed report against a policy (everything but signatures). `p` is the product the
/// VCEK names. Fails with errc::policy naming the first violated rule.
inline result<void> check_policy(const report& r, product p, const policy& pol) {
    // ABI "Guest Policy" bit 19 DEBUG.
    if (r.debug() && !pol.allow_debug_insecure) return fail(errc::policy, "snp: DEBUG guest policy");
    // Bit 18 MIGRATE_MA.
    if (r.migrate_ma() && !pol.allow_migration_agent_insecure) return fail(errc::policy, "snp: migration agent allowed");
    if ((r.policy & pol.policy_must_be_one) != pol.policy_must_be_one) return fail(errc::policy, "snp: a required policy bit is clear");
    if ((r.policy & pol.policy_must_be_zero) != 0) return fail(errc::policy, "snp: a forbidden policy bit is set");
    // ABI Table 23 VMPL: the privilege level that requested the report.
    if (r.vmpl > pol.max_vmpl) return fail(errc::policy, "snp: VMPL too high");
    if (r.guest_svn < pol.min_guest_svn) return fail(errc::policy, "snp: GUEST_SVN too low");
    if (auto it = pol.min_tcb.find(p); it != pol.min_tcb.end())
        if (!tcb_version::decode(r.reported_tcb, p).at_least(it->second)) return fail(errc::policy, "snp: REPORTED_TCB below minimum");
    if (!pol.allow_any_measurement_insecure) {
        bool okm = false;
        for (const auto& m : pol.measurements) okm = okm || equal_bytes(m, r.measurement);
        if (!okm && pol.measurement_check) okm = pol.measurement_check(std::span<const std::uint8_t, 48>(r.measurement));
        if (!okm) return fail(errc::policy, "snp: measurement not allowed");
    }
    if (pol.host_data && !equal_bytes(*pol.host_data, r.host_data)) return fail(errc::policy, "snp: HOST_DATA mismatch");
    if (pol.id_key_digest && !equal_bytes(*pol.id_key_digest, r.id_key_digest)) return fail(errc::policy, "snp: ID_KEY_DIGEST mismatch");
    if (pol.author_key_digest && (!r.author_key_en() || !equal_bytes(*pol.author_key_digest, r.author_key_digest)))
        return fail(errc::policy, "snp: AUTHOR_KEY_DIGEST mismatch");
    if (pol.family_id && !equal_bytes(*pol.family_id, r.family_id)) return fail(errc::policy, "snp: FAMILY_ID mismatch");
    if (pol.image_id && !equal_bytes(*pol.image_id, r.image_id)) return fail(errc::policy, "snp: IMAGE_ID mismatch");
    // REPORT_DATA is public; constant time is not needed but costs nothing.
    if (pol.report_data && !ct_equal(*pol.report_data, r.report_data)) return fail(errc::policy, "snp: REPORT_DATA mismatch");
    if (r.signing_key() == signing_key::vlek && !pol.allow_vlek) return fail(errc::policy, "snp: VLEK-signed report not allowed");
    return ok();
}

/// A report that verified: its fields, the product, and the decoded TCBs.
struct verified_report {
    report rep;
    snp::product product = product::unknown;
    std::string product_name;     ///< from the VCEK ("Milan-B0", "Turin", ...)
    tcb_version reported_tcb;
    tcb_version current_tcb;
    tcb_version committed_tcb;
    tcb_version launch_tcb;
    bool vlek = false;
    bool amd_root = false;        ///< chained to a compiled-in AMD root (false: an explicitly added root)
};

/// Verifies SEV-SNP reports against a trust store and caches verified VCEK chains.
///
/// Cold path: parse the VCEK, verify VCEK <- ASK <- ARK (two RSA-4096 verifies), cache the VCEK
/// by SHA-256 of its DER. Warm path (same VCEK again): one SHA-256 of the VCEK DER, one
/// SHA-384 and one ECDSA P-384 verify. Thread-safe; the cache holds at most max_cache entries.
class verifier {
public:
    static constexpr std::size_t max_cache = 1024;

    /// A verifier trusting `store` (share one store across verifiers).
    explicit verifier(std::shared_ptr<const trust_store> store) : store_(std::move(store)) {}

    /// A verifier trusting exactly AMD's compiled-in roots. Fails with errc::internal only if the
    /// compiled-in roots do not check (see trust_store::builtin).
    static result<verifier> with_amd_roots() {
        PPX_TRY_ASSIGN(auto s, trust_store::builtin());
        return verifier(std::move(s));
    }

    /// Checks revocation against `crl` (DER or PEM, as KDS serves it) from now on; clears the cache.
    void set_crl(bytes_view crl) {
        std::lock_guard<std::mutex> g(*mu_);
        crl_.assign(crl.begin(), crl.end());
        cache_.clear();
    }

    /// Verifies `raw_report` (exactly report_size bytes) signed by the VCEK/VLEK `vcek_cert`
    /// (DER or PEM), chained through `chain` (optional DER/PEM intermediates, e.g. a KDS
    /// cert_chain) to a trusted root, then applies `pol`.
    /// Errors: malformed/unsupported (report or certificate does not parse, see parse_report),
    /// key_mismatch (VCEK does not match the report or does not chain to a trusted root),
    /// crypto_failure (a signature), policy (a policy rule, an expired certificate, revocation).
    result<verified_report> verify(bytes_view raw_report, bytes_view vcek_cert, const policy& pol, bytes_view chain = {}) {
        PPX_TRY_ASSIGN(auto rep, parse_report(raw_report));
        PPX_TRY_ASSIGN(auto entry, resolve(vcek_cert, chain));
        const auto& f = entry->v.fields();
        PPX_TRY(check_vcek_matches(rep, f));
        PPX_TRY(verify_report_signature(raw_report, entry->v.key()));
        // Certificate validity (RFC 5280 §4.1.2.5) along the whole chain.
        if (!pol.ignore_cert_time_insecure) {
            const std::int64_t now = pol.now ? *pol.now : static_cast<std::int64_t>(std::time(nullptr));
            if (now < entry->chain.not_before || now > entry->chain.not_after)
                return fail(errc::policy, "snp: certificate not valid at verification time");
        }
        PPX_TRY(check_policy(rep, f.product, pol));
        verified_report out;
        out.product = f.product;
        out.product_name = f.product_name;
        out.reported_tcb = tcb_version::decode(rep.reported_tcb, f.product);
        out.current_tcb = tcb_version::decode(rep.current_tcb, f.product);
        out.committed_tcb = tcb_version::decode(rep.committed_tcb, f.product);
        out.launch_tcb = tcb_version::decode(rep.launch_tcb, f.product);
        out.vlek = f.vlek;
        out.amd_root = entry->chain.root->amd;
        out.rep = rep;
        return out;
    }

    /// Number of cached, chain-verified VCEKs.
    std::size_t cache_size() const {
        std::lock_guard<std::mutex> g(*mu_);
        return cache_.size();
    }

    const trust_store& store() const noexcept { return *store_; }

private:
    struct entry_t {
        vcek v;
        chain_result chain;
    };

    result<std::shared_ptr<const entry_t>> resolve(bytes_view vcek_cert, bytes_view chain) {
        const auto key = crypto::digest<crypto::sha256>(vcek_cert);
        bytes crl;
        {
            std::lock_guard<std::mutex> g(*mu_);
            if (auto it = cache_.find(key); it != cache_.end()) return it->second;
            crl = crl_;
        }
        PPX_TRY_ASSIGN(auto v, vcek::parse(vcek_cert));
        std::vector<x509_ptr> extra;
        if (!chain.empty()) {
            PPX_TRY_ASSIGN(extra, load_certificates(chain));
        }
        PPX_TRY_ASSIGN(auto cr, verify_chain(v, *store_, extra, crl));
        auto e = std::make_shared<const entry_t>(entry_t{std::move(v), cr});
        std::lock_guard<std::mutex> g(*mu_);
        if (cache_.size() >= max_cache) cache_.clear();
        cache_.emplace(key, e);
        return std::shared_ptr<const entry_t>(e);
    }

    std::shared_ptr<const trust_store> store_;
    std::unique_ptr<std::mutex> mu_ = std::make_unique<std::mutex>();  // unique_ptr: keeps verifier movable
    bytes crl_;
    std::map<crypto::digest_t<crypto::sha256>, std::shared_ptr<const entry_t>> cache_;
};

} // namespace ppx::ratls::snp
