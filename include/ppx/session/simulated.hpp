// ppx/session/simulated.hpp: a complete Private Processing deployment in memory, for tests,
// fuzzing, benchmarks and the loopback example. Its VMs use ratls::simulated_snp_provider
// (a software AMD chain that nothing trusts unless told to): never use it in production.
//
// It builds what each party holds in a real deployment: the ledger (a memory_log whose
// checkpoint one witness cosigns) with the approved measurement, the gateway key config and
// the issuer token key as entries; the issuer (RFC 9578 type 2 key); the gateway
// (OHTTP key, spend store, VM table, directory); the VMs (HPKE identity, RA-TLS certificate
// with simulated SEV-SNP evidence, stapled measurement proof); and the client's trust anchors.
#pragma once
#include <ppx/session/client.hpp>
#include <ppx/session/gateway.hpp>
#include <ppx/session/vm.hpp>
#include <ppx/session/attestation.hpp>

#include <cinttypes>
#include <cstdio>

namespace ppx::session {

/// Knobs of a simulated deployment.
struct simulated_options {
    std::string gateway_name = "gateway.ppx.test";
    std::string issuer_name = "issuer.ppx.test";
    std::string log_origin = "log.ppx.test";
    std::string witness_name = "witness.ppx.test";
    std::size_t approved_vms = 1;  ///< VMs whose measurement is in the log
    std::size_t rogue_vms = 0;     ///< VMs running an image the log does not approve
    std::uint64_t now = 1767225600; ///< UNIX seconds (2026-01-01): certificates and cosignatures are dated here
    std::size_t token_batch = 4;
    ratls::snp::tcb_version tcb{0, 3, 0, 8, 0x73};
};

/// One simulated VM.
struct simulated_vm {
    std::shared_ptr<const vm_identity> identity;
    secure_bytes hpke_sk;  ///< the VM's HPKE private key (for a VM process started from it)
    bytes certificate;
    bytes bundle;          ///< attestation_bundle, encoded
    bool approved = true;  ///< its measurement is in the log
    std::array<std::uint8_t, 48> measurement{};
    std::shared_ptr<ratls::evidence_provider> firmware;  ///< reports this VM's measurement (per-session attestation)
};

/// A simulated chip reporting launch measurement `m` (one chip hosts every simulated VM; it
/// must outlive the provider).
inline std::shared_ptr<ratls::evidence_provider> measured_firmware(ratls::simulated_snp_provider& chip,
                                                                   std::array<std::uint8_t, 48> m);

/// Everything a simulated deployment holds.
struct simulated_deployment {
    std::shared_ptr<merkle::memory_log> log;
    std::shared_ptr<merkle::note_signer> witness;
    std::string checkpoint;  ///< signed by the log and cosigned by the witness
    std::shared_ptr<privacypass::issuer> issuer;
    bytes token_key;
    bytes token_challenge;
    std::shared_ptr<const gateway_config> gateway;
    bytes gateway_key_config;  ///< the gateway's published key config
    secure_bytes gateway_sk;   ///< and its private key (for a gateway process started from it)
    bytes directory;  ///< the gateway's directory, encoded
    std::vector<simulated_vm> vms;
    std::shared_ptr<const client_config> client;
    std::shared_ptr<ratls::simulated_snp_provider> chip;
    std::uint64_t measurement_index = 0, gateway_key_index = 0, issuer_key_index = 0;
};

namespace detail {
// A simulated chip reporting a chosen launch measurement (one chip hosts every simulated VM).
class measured_provider final : public ratls::evidence_provider {
public:
    measured_provider(ratls::simulated_snp_provider& chip, std::array<std::uint8_t, 48> m) : chip_(chip), m_(m) {}
    std::uint64_t tag() const noexcept override { return chip_.tag(); }
    result<bytes> evidence(std::span<const std::uint8_t, 64> report_data) override {
        return chip_.make_report(report_data, [this](ratls::snp::report& r) { r.measurement = m_; });
    }
    result<bytes> endorsements() override { return chip_.endorsements(); }

private:
    ratls::simulated_snp_provider& chip_;
    std::array<std::uint8_t, 48> m_;
};
} // namespace detail

inline std::shared_ptr<ratls::evidence_provider> measured_firmware(ratls::simulated_snp_provider& chip,
                                                                   std::array<std::uint8_t, 48> m) {
    return std::make_shared<detail::measured_provider>(chip, m);
}

/// The VM's fresh attestation bundle for `nonce` (gw_attest): a new certificate binding the
/// nonce, with the checkpoint and measurement proof its cached bundle staples.
inline result<bytes> attest_simulated_vm(const simulated_vm& vm, bytes_view nonce, std::uint64_t now, rng& r) {
    if (!vm.firmware) return fail(errc::misuse, "session: simulated VM has no firmware");
    PPX_TRY_ASSIGN(auto cached, attestation_bundle::decode(vm.bundle));
    return make_attestation_bundle(*vm.firmware, *vm.identity, nonce, cached.checkpoint, cached.measurement, now, r);
}

/// A VM image's launch measurement, derived from a name (so examples can print it).
inline std::array<std::uint8_t, 48> simulated_measurement(std::string_view image) {
    const auto d = crypto::digest<crypto::sha384>(as_bytes(image));
    std::array<std::uint8_t, 48> m{};
    std::copy(d.begin(), d.end(), m.begin());
    return m;
}

/// Makes one VM on `chip` running `image`: a fresh HPKE identity, an RA-TLS certificate whose
/// claims carry its key config, dated at `now`.
inline result<simulated_vm> make_simulated_vm(ratls::simulated_snp_provider& chip, std::string_view image, std::uint64_t now,
                                              rng& r) {
    simulated_vm v;
    v.measurement = simulated_measurement(image);
    PPX_TRY_ASSIGN(auto sk, hpke::private_key::generate(hpke::kem_id::x25519_sha256, r));
    v.hpke_sk = sk.serialize();
    const ohttp::symmetric_suite s[] = {{hpke::kdf_id::hkdf_sha256, hpke::aead_id::chacha20poly1305}};
    PPX_TRY_ASSIGN(auto cfg, ohttp::key_config::make(0, hpke::kem_id::x25519_sha256, sk.public_key_bytes(), s));
    PPX_TRY_ASSIGN(auto id, vm_identity::make(std::move(cfg), std::move(sk)));
    detail::measured_provider p(chip, v.measurement);
    ratls::certificate_options o;
    o.common_name = "ppx private processing VM";
    o.not_before = static_cast<std::int64_t>(now) - 60;
    o.hpke_public_key = to_bytes(id.key_config());
    PPX_TRY_ASSIGN(auto cert, ratls::create_certificate(p, o, r));
    v.certificate = std::move(cert.der);
    v.identity = std::make_shared<const vm_identity>(std::move(id));
    v.firmware = measured_firmware(chip, v.measurement);
    return v;
}

/// Builds the whole deployment. RSA-2048 and the simulated AMD chain are generated here, so
/// this takes a fraction of a second; build one per test binary. `r` supplies every other key.
inline result<simulated_deployment> make_simulated_deployment(const simulated_options& o, rng& r) {
    simulated_deployment d;
    // The ledger and its witness.
    auto seed = [&]() -> result<merkle::ed25519_seed> {
        merkle::ed25519_seed s;
        PPX_TRY(r.fill(s.expose_mut()));
        return s;
    };
    PPX_TRY_ASSIGN(auto log_seed, seed());
    PPX_TRY_ASSIGN(auto log_signer, merkle::note_signer::from_seed(o.log_origin, merkle::sig_type::ed25519, log_seed));
    PPX_TRY_ASSIGN(auto w_seed, seed());
    PPX_TRY_ASSIGN(auto w, merkle::note_signer::from_seed(o.witness_name, merkle::sig_type::cosignature_v1, w_seed));
    d.witness = std::make_shared<merkle::note_signer>(std::move(w));
    d.log = std::make_shared<merkle::memory_log>(o.log_origin, std::move(log_signer));

    // The issuer: an RFC 9578 type 2 key, and the challenge the gateway redeems against.
    PPX_TRY_ASSIGN(auto rsa, blindrsa::private_key::generate(2048));
    d.issuer = std::make_shared<privacypass::issuer>();
    PPX_TRY(d.issuer->type2.add_key(std::move(rsa)));
    d.token_key = d.issuer->type2.keys().front().pub.token_key;
    privacypass::token_challenge ch{privacypass::token_type_2::type, o.issuer_name, {}, o.gateway_name};
    PPX_TRY_ASSIGN(d.token_challenge, ch.encode());

    // The gateway's OHTTP key.
    PPX_TRY_ASSIGN(auto gsk, hpke::private_key::generate(hpke::kem_id::x25519_sha256, r));
    const ohttp::symmetric_suite gs[] = {{hpke::kdf_id::hkdf_sha256, hpke::aead_id::aes128gcm}};
    PPX_TRY_ASSIGN(auto gcfg, ohttp::key_config::make(1, hpke::kem_id::x25519_sha256, gsk.public_key_bytes(), gs));
    const bytes gcfg_bytes = gcfg.encode();
    d.gateway_key_config = gcfg_bytes;
    d.gateway_sk = gsk.serialize();
    std::vector<ohttp::gateway_key> gkeys;
    gkeys.push_back({std::move(gcfg), std::move(gsk)});
    PPX_TRY_ASSIGN(auto ogw, ohttp::gateway::make(std::move(gkeys), ohttp::labels::chunked_bhttp()));

    // The log's entries: the approved image, the gateway key, the issuer key.
    const auto approved = simulated_measurement("ppx-summariser-v1");
    PPX_TRY_ASSIGN(auto me, merkle::encode(merkle::measurement_entry{std::string(snp_platform), bytes(approved.begin(), approved.end())}));
    PPX_TRY_ASSIGN(d.measurement_index, d.log->append(me));
    PPX_TRY_ASSIGN(auto ge, merkle::encode(merkle::key_entry{merkle::key_kind::ohttp_key_config, o.gateway_name, gcfg_bytes}));
    PPX_TRY_ASSIGN(d.gateway_key_index, d.log->append(ge));
    PPX_TRY_ASSIGN(auto ie, merkle::encode(merkle::key_entry{merkle::key_kind::privacypass_token_key, o.issuer_name, d.token_key}));
    PPX_TRY_ASSIGN(d.issuer_key_index, d.log->append(ie));
    PPX_TRY_ASSIGN(auto note, d.log->checkpoint_note());
    PPX_TRY_ASSIGN(d.checkpoint, d.witness->add_to(note, o.now - 10));
    auto proof = [&](std::uint64_t i) -> result<stapled_proof> {
        PPX_TRY_ASSIGN(auto p, d.log->inclusion_proof(i, d.log->size()));
        return stapled_proof{i, std::move(p)};
    };

    // The VMs: one simulated chip, approved and rogue images.
    ratls::simulated_snp_provider::options co;
    co.tcb = o.tcb;
    co.measurement = approved;
    PPX_TRY_ASSIGN(auto chip, ratls::simulated_snp_provider::create(r, co));
    d.chip = std::make_shared<ratls::simulated_snp_provider>(std::move(chip));
    auto cfg = std::make_shared<gateway_config>(gateway_config{std::move(ogw), d.issuer->type2.keys().front().pub, d.token_challenge,
                                                               o.gateway_name, std::make_shared<privacypass::memory_spend_store>(),
                                                               o.now + 30 * 86400, {}});
    PPX_TRY(cfg->bind_challenge());
    for (std::size_t i = 0; i < o.approved_vms + o.rogue_vms; ++i) {
        const bool ok_vm = i < o.approved_vms;
        PPX_TRY_ASSIGN(auto vm, make_simulated_vm(*d.chip, ok_vm ? "ppx-summariser-v1" : "ppx-summariser-unreviewed", o.now, r));
        vm.approved = ok_vm;
        // A rogue VM staples the approved entry's proof: it cannot prove its own image.
        PPX_TRY_ASSIGN(auto mp, proof(d.measurement_index));
        PPX_TRY_ASSIGN(vm.bundle, (attestation_bundle{vm.certificate, d.checkpoint, std::move(mp)}.encode()));
        cfg->vms.push_back(gateway_vm{vm.identity->id(), vm.bundle});
        d.vms.push_back(std::move(vm));
    }
    d.gateway = cfg;

    directory dir;
    dir.gateway_name = o.gateway_name;
    dir.key_config = gcfg_bytes;
    dir.issuer_name = o.issuer_name;
    dir.token_key = d.token_key;
    dir.token_challenge = d.token_challenge;
    dir.checkpoint = d.checkpoint;
    PPX_TRY_ASSIGN(dir.gateway_key, proof(d.gateway_key_index));
    PPX_TRY_ASSIGN(dir.issuer_key, proof(d.issuer_key_index));
    PPX_TRY_ASSIGN(d.directory, dir.encode());

    // The client's trust anchors: the log and witness keys (quorum 1), the (simulated) AMD
    // root, and the names of the gateway and issuer.
    auto store = std::make_shared<ratls::snp::trust_store>();
    PPX_TRY(store->add_root(d.chip->product(), as_bytes(d.chip->ark_pem()), as_bytes(d.chip->ask_pem())));
    ratls::snp::policy vp;
    vp.min_tcb[d.chip->product()] = o.tcb;
    auto cc = std::make_shared<client_config>(client_config{
        merkle::trust_policy{d.log->signer().to_verifier(), o.log_origin, {d.witness->to_verifier()}, 1, 0, 600}, std::move(store),
        std::move(vp), o.gateway_name, o.issuer_name, o.token_batch});
    d.client = std::move(cc);
    return d;
}

/// Answers one client transmit in process, as the deployment's parties would: the directory,
/// the issuer's generic batch, or the relay -> gateway_exchange -> vm_exchange path with
/// `process` as the VM's processing. Returns the response body (for a refusal, the gateway's
/// encapsulated refusal; empty when it would answer unencapsulated). For tests, fuzzing and
/// benchmarks.
inline result<bytes> answer_in_process(const simulated_deployment& d, const client_transmit& t, rng& r, std::uint64_t now,
                                       const vm_processor& process) {
    switch (t.to) {
    case destination::directory: return d.directory;
    case destination::issuer: {
        PPX_TRY_ASSIGN(auto res, d.issuer->handle_generic(t.body, r));
        return std::move(res.body);
    }
    case destination::log: {
        // GET /consistency?first=N&second=M (client.hpp consistency_path)
        std::uint64_t first = 0, second = 0;
        if (std::sscanf(t.path.c_str(), "/consistency?first=%" SCNu64 "&second=%" SCNu64, &first, &second) != 2)
            return fail(errc::malformed, "session: bad consistency request");
        PPX_TRY_ASSIGN(auto p, d.log->consistency_proof(first, second));
        bytes out(p.size() * merkle::hash_size);
        PPX_TRY(merkle::proof_to_bytes(p, out));
        return out;
    }
    case destination::relay: break;
    }
    gateway_exchange g(d.gateway, r);
    bytes out;
    auto drain = [&] {
        while (auto b = g.poll_transmit()) append(out, *b);
    };
    (void)g.receive(t.body, now);
    (void)g.end_of_request(now);
    auto find = [&](const std::string& id) -> const simulated_vm* {
        for (const auto& v : d.vms)
            if (v.identity->id() == id) return &v;
        return nullptr;
    };
    while (auto e = g.poll_event()) {
        if (auto* a = std::get_if<gw_attest>(&*e)) {
            const simulated_vm* vm = find(a->vm_id);
            if (!vm) return fail(errc::internal, "session: simulated VM missing");
            auto b = attest_simulated_vm(*vm, a->nonce, now, r);
            if (b) (void)g.attestation_ready(*b, now);
            else g.upstream_failed(now);
            continue;
        }
        auto* f = std::get_if<gw_forward>(&*e);
        if (!f) continue;
        const simulated_vm* vm = find(f->vm_id);
        if (!vm) return fail(errc::internal, "session: simulated VM missing");
        vm_exchange x(vm->identity, r);
        (void)x.receive(f->body, now);
        (void)x.end_of_request(now);
        (void)x.run(process, now);
        while (auto b = x.poll_transmit()) {
            (void)g.upstream(*b, now);
            drain();
        }
        if (x.failure()) g.upstream_failed(now);
        else (void)g.upstream_end(now);
    }
    drain();
    return out;
}

} // namespace ppx::session
