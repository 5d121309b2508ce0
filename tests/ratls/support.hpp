// Shared fixtures for the RA-TLS tests: one simulated SEV-SNP machine (its test chain takes a
// moment to generate), and a provider wrapper that produces each kind of bad evidence.
#pragma once

#include <ppx/ratls.hpp>

#include <catch2/catch.hpp>

namespace ppx::ratls::testing {

inline constexpr std::int64_t test_now = 1760000000;

inline std::array<std::uint8_t, 48> test_measurement() {
    std::array<std::uint8_t, 48> m{};
    for (std::size_t i = 0; i < m.size(); ++i) m[i] = static_cast<std::uint8_t>(0xA0 + i);
    return m;
}

/// The simulated machine, created once per process (seeded, so chip id and serials repeat).
inline simulated_snp_provider& machine(snp::product p = snp::product::milan) {
    auto make = [](snp::product prod, std::uint64_t seed) {
        deterministic_rng r(seed);
        simulated_snp_provider::options o;
        o.product = prod;
        o.report_version = prod == snp::product::turin ? 5 : 3;
        o.tcb = prod == snp::product::turin ? snp::tcb_version{1, 2, 0, 3, 0x47} : snp::tcb_version{0, 3, 0, 8, 0x73};
        o.measurement = test_measurement();
        auto s = simulated_snp_provider::create(r, o);
        REQUIRE(s);
        return std::move(*s);
    };
    // Each machine is generated on first use only.
    if (p == snp::product::turin) {
        static simulated_snp_provider turin = make(snp::product::turin, 2);
        return turin;
    }
    if (p == snp::product::genoa) {  // a second Milan machine (different chip and chain)
        static simulated_snp_provider other = make(snp::product::milan, 3);
        return other;
    }
    static simulated_snp_provider milan = make(snp::product::milan, 1);
    return milan;
}

/// A trust store holding the simulated machines' test roots (explicitly trusted).
inline std::shared_ptr<const snp::trust_store> test_store() {
    auto s = std::make_shared<snp::trust_store>();
    for (auto p : {snp::product::milan, snp::product::turin}) {
        auto& m = machine(p);
        REQUIRE(s->add_root(m.product(), as_bytes(m.ark_pem()), as_bytes(m.ask_pem())));
    }
    return s;
}

inline verify_options test_options() {
    verify_options o;
    o.policy.measurements.push_back(test_measurement());
    o.policy.now = test_now;
    return o;
}

inline std::shared_ptr<certificate_verifier> test_verifier(verify_options o = test_options()) {
    return std::make_shared<certificate_verifier>(snp::verifier(test_store()), std::move(o));
}

/// Kinds of bad evidence a lying or broken VM could present.
enum class bad : int {
    none,
    report_data_not_claims,  ///< report over other data
    bad_signature,           ///< a signed byte flipped after signing
    other_chip_vcek,         ///< endorsements carry another machine's VCEK
    tcb_above_vcek,          ///< REPORTED_TCB higher than the VCEK's
    debug_guest,             ///< POLICY.DEBUG set
    wrong_measurement,
    vmpl_1,
    no_endorsements,
    untrusted_chain,         ///< a third machine whose root nobody trusts... (same as other_chip for roots)
};

/// Wraps the simulated machine and breaks its evidence as told.
class bad_provider final : public evidence_provider {
public:
    explicit bad_provider(bad b, snp::product p = snp::product::milan) : b_(b), m_(machine(p)) {}
    std::uint64_t tag() const noexcept override { return m_.tag(); }
    result<bytes> evidence(std::span<const std::uint8_t, 64> rd) override {
        std::array<std::uint8_t, 64> data;
        std::copy(rd.begin(), rd.end(), data.begin());
        if (b_ == bad::report_data_not_claims) data[0] ^= 1;
        auto r = m_.make_report(data, [this](snp::report& rep) {
            if (b_ == bad::tcb_above_vcek) rep.reported_tcb += 1ull << 56;  // microcode + 1
            if (b_ == bad::debug_guest) rep.policy |= snp::policy_bit::debug;
            if (b_ == bad::wrong_measurement) rep.measurement[0] ^= 1;
            if (b_ == bad::vmpl_1) rep.vmpl = 1;
        });
        if (r && b_ == bad::bad_signature) (*r)[0x90] ^= 1;
        return r;
    }
    result<bytes> endorsements() override {
        if (b_ == bad::no_endorsements) return bytes{};
        if (b_ == bad::other_chip_vcek) return encode_snp_endorsements(machine(snp::product::genoa).vcek_der(), as_bytes(m_.ask_pem()));
        if (b_ == bad::untrusted_chain) {
            auto& o = machine(snp::product::genoa);
            return encode_snp_endorsements(o.vcek_der(), as_bytes(o.ask_pem()));
        }
        return m_.endorsements();
    }

private:
    bad b_;
    simulated_snp_provider& m_;
};

/// For bad::untrusted_chain the evidence must come from the untrusted machine itself.
inline evidence_provider& provider_for(bad b, std::unique_ptr<evidence_provider>& holder) {
    if (b == bad::untrusted_chain) return machine(snp::product::genoa);
    holder = std::make_unique<bad_provider>(b);
    return *holder;
}

inline issued_certificate make_cert(evidence_provider& p, std::optional<bytes> nonce = std::nullopt) {
    deterministic_rng r(77);
    certificate_options o;
    o.not_before = test_now - 3600;
    o.nonce = std::move(nonce);
    o.hpke_public_key = bytes(32, 0x42);
    auto c = create_certificate(p, o, r);
    REQUIRE(c);
    return std::move(*c);
}

} // namespace ppx::ratls::testing
