// ppx/ratls/provider.hpp: where a VM's attestation evidence comes from.
//
//  - evidence_provider: the interface the certificate builder (cert.hpp) calls.
//  - simulated_snp_provider: signs genuine-format SEV-SNP reports with a test VCEK chained to a
//    test ARK/ASK generated at run time. Verifiers reject it unless its ARK is explicitly added
//    to their trust store (snp::trust_store::add_root).
//  - sev_guest_provider: Linux /dev/sev-guest, SNP_GET_REPORT ioctl (linux/sev-guest.h ABI),
//    detected at run time. The VCEK (from AMD KDS for this chip and TCB) is supplied by the caller.
#pragma once

#include <ppx/core/bytes.hpp>
#include <ppx/core/result.hpp>
#include <ppx/core/rng.hpp>
#include <ppx/core/secret.hpp>
#include <ppx/ratls/cbor.hpp>
#include <ppx/ratls/snp_report.hpp>
#include <ppx/ratls/x509_build.hpp>

#include <array>
#include <cerrno>
#include <cstring>
#include <string>

#if defined(__linux__)
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>
#endif

namespace ppx::ratls {

/// Produces evidence binding 64 bytes of caller data. Implementations need not be thread-safe.
class evidence_provider {
public:
    virtual ~evidence_provider() = default;
    /// The CBOR tag of the evidence produced (cbor::tag_amd_sev_snp, ...).
    virtual std::uint64_t tag() const noexcept = 0;
    /// Evidence whose report data is exactly `report_data` (for SEV-SNP: a signed 1184-byte
    /// report). Fails with the provider's error (errc::internal for a device failure).
    virtual result<bytes> evidence(std::span<const std::uint8_t, 64> report_data) = 0;
    /// The value for the endorsements extension (2.23.133.5.4.2), or empty for none. For
    /// SEV-SNP: tag_amd_sev_snp([VCEK DER, chain]) where chain is PEM/DER intermediates or empty.
    virtual result<bytes> endorsements() = 0;
};

/// Encodes SEV-SNP endorsements: tag([vcek, chain]).
inline bytes encode_snp_endorsements(bytes_view vcek_der, bytes_view chain) {
    return cbor::encode_tagged_evidence(cbor::tag_amd_sev_snp, vcek_der, chain);
}

/// Decodes SEV-SNP endorsements (see encode_snp_endorsements). errc::malformed on another shape,
/// errc::unsupported on another tag.
inline result<cbor::tagged_evidence> decode_snp_endorsements(bytes_view v) {
    PPX_TRY_ASSIGN(auto e, cbor::decode_tagged_evidence(v));
    if (e.tag != cbor::tag_amd_sev_snp) return fail(errc::unsupported, "ratls: endorsements are not SEV-SNP");
    return e;
}

/// A software SEV-SNP: test ARK (RSA) -> ASK (RSA) -> VCEK (P-384, AMD extensions), all
/// generated at construction, and reports signed like the firmware signs them. For tests and
/// examples only: nothing trusts its ARK unless told to.
class simulated_snp_provider final : public evidence_provider {
public:
    struct options {
        snp::product product = snp::product::milan;
        std::uint32_t report_version = 3;   ///< 2, 3 or 5
        snp::tcb_version tcb{0, 3, 0, 8, 0x73};
        std::uint64_t policy = 0x30000;     ///< SMT allowed, bit 17 set, no debug
        std::array<std::uint8_t, 48> measurement{};
        std::array<std::uint8_t, 32> host_data{};
        std::uint32_t vmpl = 0;
        unsigned rsa_bits = 2048;           ///< ARK/ASK size (AMD's are 4096; smaller keeps tests fast)
        std::int64_t not_before = 1700000000;  ///< certificate validity start (Unix seconds)
        std::int64_t validity_seconds = 20ll * 365 * 86400;
    };

    /// Generates the chain. `r` supplies the chip id, report id and serials. errc::internal if
    /// OpenSSL fails; errc::misuse for an unknown product or report version.
    static result<simulated_snp_provider> create(rng& r, const options& o) {
        if (o.product == snp::product::unknown) return fail(errc::misuse, "ratls: simulated provider needs a product");
        if (o.report_version != 2 && o.report_version != 3 && o.report_version != 5) return fail(errc::misuse, "ratls: report version");
        if (o.report_version == 2 && o.product == snp::product::turin) return fail(errc::misuse, "ratls: Turin reports are v3+");
        simulated_snp_provider p;
        p.opts_ = o;
        PPX_TRY(r.fill(p.chip_id_));
        if (o.product == snp::product::turin) std::memset(p.chip_id_.data() + 8, 0, 56);
        PPX_TRY(r.fill(p.report_id_));
        const std::string pname(to_string(o.product));
        PPX_TRY_ASSIGN(p.ark_key_, build::rsa_key(o.rsa_bits));
        PPX_TRY_ASSIGN(p.ask_key_, build::rsa_key(o.rsa_bits));
        PPX_TRY_ASSIGN(p.vcek_key_, build::ec_key("P-384"));
        PPX_TRY_ASSIGN(auto ark, build::skeleton("ARK-" + pname, "ppx test (NOT AMD)", p.ark_key_.get(), o.not_before, o.validity_seconds, r));
        PPX_TRY(build::set_issuer(ark.get(), nullptr));
        PPX_TRY(build::sign_rsa_pss(ark.get(), p.ark_key_.get()));
        PPX_TRY_ASSIGN(auto ask, build::skeleton("SEV-" + pname, "ppx test (NOT AMD)", p.ask_key_.get(), o.not_before, o.validity_seconds, r));
        PPX_TRY(build::set_issuer(ask.get(), ark.get()));
        PPX_TRY(build::sign_rsa_pss(ask.get(), p.ark_key_.get()));
        PPX_TRY_ASSIGN(auto vcek, build::skeleton("SEV-VCEK", "ppx test (NOT AMD)", p.vcek_key_.get(), o.not_before, o.validity_seconds, r, true));
        PPX_TRY(build::set_issuer(vcek.get(), ask.get()));
        const bool turin = snp::uses_turin_tcb(o.product);
        auto der_int = [](std::uint8_t v) { return v < 0x80 ? bytes{0x02, 0x01, v} : bytes{0x02, 0x02, 0x00, v}; };
        PPX_TRY(build::add_extension(vcek.get(), "1.3.6.1.4.1.3704.1.1", der_int(turin ? 1 : 0), false));
        const std::string prod_name = o.product == snp::product::milan ? "Milan-B0" : o.product == snp::product::genoa ? "Genoa-B1" : "Turin";
        bytes ia5 = {0x16, static_cast<std::uint8_t>(prod_name.size())};
        append(ia5, as_bytes(prod_name));
        PPX_TRY(build::add_extension(vcek.get(), "1.3.6.1.4.1.3704.1.2", ia5, false));
        PPX_TRY(build::add_extension(vcek.get(), "1.3.6.1.4.1.3704.1.3.1", der_int(o.tcb.bootloader), false));
        PPX_TRY(build::add_extension(vcek.get(), "1.3.6.1.4.1.3704.1.3.2", der_int(o.tcb.tee), false));
        PPX_TRY(build::add_extension(vcek.get(), "1.3.6.1.4.1.3704.1.3.3", der_int(o.tcb.snp), false));
        PPX_TRY(build::add_extension(vcek.get(), "1.3.6.1.4.1.3704.1.3.8", der_int(o.tcb.microcode), false));
        if (turin) PPX_TRY(build::add_extension(vcek.get(), "1.3.6.1.4.1.3704.1.3.9", der_int(o.tcb.fmc), false));
        PPX_TRY(build::add_extension(vcek.get(), "1.3.6.1.4.1.3704.1.4", bytes_view(p.chip_id_).first(turin ? 8 : 64), false));
        PPX_TRY(build::sign_rsa_pss(vcek.get(), p.ask_key_.get()));
        p.ark_pem_ = build::pem(ark.get());
        p.ask_pem_ = build::pem(ask.get());
        p.vcek_der_ = build::der(vcek.get());
        if (p.ark_pem_.empty() || p.ask_pem_.empty() || p.vcek_der_.empty()) return fail(errc::internal, "ratls: encoding the test chain");
        return p;
    }

    std::uint64_t tag() const noexcept override { return cbor::tag_amd_sev_snp; }

    /// A signed report carrying `report_data`; VMPL, measurement and the rest from the options.
    result<bytes> evidence(std::span<const std::uint8_t, 64> report_data) override {
        return make_report(report_data, [](snp::report&) {});
    }

    /// tag_amd_sev_snp([VCEK DER, ASK PEM]).
    result<bytes> endorsements() override { return encode_snp_endorsements(vcek_der_, as_bytes(ask_pem_)); }

    /// As evidence(), letting `edit` change any field before signing (for negative tests).
    template <class Edit>
    result<bytes> make_report(std::span<const std::uint8_t, 64> report_data, Edit&& edit) {
        snp::report rep;
        rep.version = opts_.report_version;
        rep.policy = opts_.policy;
        rep.vmpl = opts_.vmpl;
        rep.signature_algo = snp::sig_algo_ecdsa_p384_sha384;
        const auto t = opts_.tcb.encode(opts_.product);
        rep.current_tcb = rep.reported_tcb = rep.committed_tcb = rep.launch_tcb = t;
        rep.platform_info = 1;
        std::copy(report_data.begin(), report_data.end(), rep.report_data.begin());
        rep.measurement = opts_.measurement;
        rep.host_data = opts_.host_data;
        rep.report_id = report_id_;
        rep.report_id_ma.fill(0xff);
        if (rep.version >= 3) {
            rep.cpuid_fam_id = opts_.product == snp::product::turin ? 0x1a : 0x19;
            rep.cpuid_mod_id = opts_.product == snp::product::genoa ? 0x11 : opts_.product == snp::product::turin ? 0x02 : 0x01;
            rep.cpuid_step = 1;
        }
        rep.chip_id = chip_id_;
        rep.current_major = rep.committed_major = 1;
        rep.current_minor = rep.committed_minor = 55;
        edit(rep);
        bytes raw(snp::report_size);
        PPX_TRY(snp::serialize_report(rep, raw));
        PPX_TRY(snp::sign_report(raw, vcek_key_.get()));
        return raw;
    }

    /// What another process needs to sign reports as this chip (restore()): the VCEK's private
    /// key (PKCS#8 DER, zeroizing), the chip id and the report id. The ARK/ASK keys stay here.
    struct exported {
        secure_bytes vcek_key;
        std::array<std::uint8_t, 64> chip_id{};
        std::array<std::uint8_t, 32> report_id{};
    };
    result<exported> export_signing() const {
        unsigned char* buf = nullptr;
        const int n = i2d_PrivateKey(vcek_key_.get(), &buf);
        if (n <= 0) return ppx::detail::openssl_fail();
        exported e;
        e.vcek_key.assign(buf, buf + n);
        OPENSSL_clear_free(buf, static_cast<std::size_t>(n));
        e.chip_id = chip_id_;
        e.report_id = report_id_;
        return e;
    }
    /// A chip made by create() in another process, from its options, certificates and
    /// export_signing(). errc::malformed when the key does not parse, errc::key_mismatch when
    /// it is not the VCEK's key.
    static result<simulated_snp_provider> restore(const options& o, const exported& e, std::string ark_pem, std::string ask_pem,
                                                  bytes vcek_der) {
        simulated_snp_provider p;
        p.opts_ = o;
        p.chip_id_ = e.chip_id;
        p.report_id_ = e.report_id;
        const unsigned char* in = e.vcek_key.data();
        p.vcek_key_.reset(d2i_AutoPrivateKey(nullptr, &in, static_cast<long>(e.vcek_key.size())));
        if (!p.vcek_key_) {
            ERR_clear_error();
            return fail(errc::malformed, "ratls: simulated VCEK key does not parse");
        }
        const unsigned char* c = vcek_der.data();
        ppx::detail::x509_ptr cert(d2i_X509(nullptr, &c, static_cast<long>(vcek_der.size())));
        if (!cert || X509_check_private_key(cert.get(), p.vcek_key_.get()) != 1) {
            ERR_clear_error();
            return fail(errc::key_mismatch, "ratls: simulated VCEK key does not match its certificate");
        }
        p.ark_pem_ = std::move(ark_pem);
        p.ask_pem_ = std::move(ask_pem);
        p.vcek_der_ = std::move(vcek_der);
        return p;
    }

    /// The test ARK and ASK (PEM) to pass to snp::trust_store::add_root, and the VCEK (DER).
    const std::string& ark_pem() const noexcept { return ark_pem_; }
    const std::string& ask_pem() const noexcept { return ask_pem_; }
    bytes_view vcek_der() const noexcept { return vcek_der_; }
    snp::product product() const noexcept { return opts_.product; }
    const options& opts() const noexcept { return opts_; }

private:
    options opts_;
    std::array<std::uint8_t, 64> chip_id_{};
    std::array<std::uint8_t, 32> report_id_{};
    build::evp_pkey_ptr ark_key_, ask_key_, vcek_key_;
    std::string ark_pem_, ask_pem_;
    bytes vcek_der_;
};

/// The Linux sev-guest driver's ioctl ABI (include/uapi/linux/sev-guest.h), restated so ppx
/// builds without the kernel header; tests compare it with the header when present.
namespace sev_guest_abi {
struct report_req {
    std::uint8_t user_data[64];
    std::uint32_t vmpl;
    std::uint8_t rsvd[28];
};
struct report_resp {
    std::uint8_t data[4000];
};
struct guest_request_ioctl {
    std::uint8_t msg_version;
    std::uint64_t req_data;
    std::uint64_t resp_data;
    std::uint64_t exitinfo2;  ///< bits 31:0 firmware error, 63:32 VMM error
};
static_assert(sizeof(report_req) == 96);
static_assert(sizeof(report_resp) == 4000);
static_assert(sizeof(guest_request_ioctl) == 32);
/// _IOWR('S', 0x0, struct snp_guest_request_ioctl)
inline constexpr unsigned long snp_get_report = (3ul << 30) | (sizeof(guest_request_ioctl) << 16) | ('S' << 8) | 0x0;
/// Offset of the report in the firmware's MSG_REPORT_RSP (ABI Table "MSG_REPORT_RSP"):
/// u32 STATUS, u32 REPORT_SIZE, 24 reserved bytes, then the report.
inline constexpr std::size_t msg_report_rsp_header = 32;
} // namespace sev_guest_abi

/// Extracts the report from a MSG_REPORT_RSP (SNP ABI "MSG_REPORT_RSP": STATUS must be 0,
/// REPORT_SIZE must be report_size). Fails with errc::internal on a firmware error status,
/// errc::malformed on a bad size.
inline result<bytes> parse_msg_report_rsp(bytes_view rsp) {
    if (rsp.size() < sev_guest_abi::msg_report_rsp_header + snp::report_size) return fail(errc::malformed, "ratls: MSG_REPORT_RSP truncated");
    const std::uint32_t status = rsp[0] | rsp[1] << 8 | rsp[2] << 16 | std::uint32_t(rsp[3]) << 24;
    const std::uint32_t size = rsp[4] | rsp[5] << 8 | rsp[6] << 16 | std::uint32_t(rsp[7]) << 24;
    if (status != 0) return fail(errc::internal, "ratls: firmware refused the report request");
    if (size != snp::report_size) return fail(errc::malformed, "ratls: MSG_REPORT_RSP report size");
    auto rep = rsp.subspan(sev_guest_abi::msg_report_rsp_header, snp::report_size);
    return bytes(rep.begin(), rep.end());
}

/// SEV-SNP evidence from the guest's /dev/sev-guest. Construction does not touch the device;
/// available() tells whether it exists. The VCEK (DER) and chain are the caller's (fetched from
/// AMD KDS for this chip's hwID and TCB); they are embedded as endorsements.
class sev_guest_provider final : public evidence_provider {
public:
    sev_guest_provider(bytes vcek_der, bytes chain, std::uint32_t vmpl = 0, std::string device = "/dev/sev-guest")
        : vcek_(std::move(vcek_der)), chain_(std::move(chain)), vmpl_(vmpl), device_(std::move(device)) {}

    /// True when the device node exists and is readable and writable by this process.
    static bool available(const char* device = "/dev/sev-guest") noexcept {
#if defined(__linux__)
        return ::access(device, R_OK | W_OK) == 0;
#else
        (void)device;
        return false;
#endif
    }

    std::uint64_t tag() const noexcept override { return cbor::tag_amd_sev_snp; }

    /// Issues SNP_GET_REPORT with `report_data` as user data. errc::unsupported if the device is
    /// absent, errc::internal if the ioctl or firmware fails.
    result<bytes> evidence(std::span<const std::uint8_t, 64> report_data) override {
#if defined(__linux__)
        const int fd = ::open(device_.c_str(), O_RDWR | O_CLOEXEC);
        if (fd < 0) return fail(errc::unsupported, "ratls: /dev/sev-guest not available");
        sev_guest_abi::report_req req{};
        std::memcpy(req.user_data, report_data.data(), 64);
        req.vmpl = vmpl_;
        sev_guest_abi::report_resp resp{};
        sev_guest_abi::guest_request_ioctl io{};
        io.msg_version = 1;
        io.req_data = reinterpret_cast<std::uintptr_t>(&req);
        io.resp_data = reinterpret_cast<std::uintptr_t>(&resp);
        int rc;
        do {
            rc = ::ioctl(fd, sev_guest_abi::snp_get_report, &io);
        } while (rc < 0 && errno == EINTR);
        ::close(fd);
        if (rc < 0) return fail(errc::internal, "ratls: SNP_GET_REPORT failed");
        return parse_msg_report_rsp(bytes_view(resp.data, sizeof resp.data));
#else
        (void)report_data;
        return fail(errc::unsupported, "ratls: /dev/sev-guest needs Linux");
#endif
    }

    result<bytes> endorsements() override { return encode_snp_endorsements(vcek_, chain_); }

private:
    bytes vcek_, chain_;
    std::uint32_t vmpl_;
    std::string device_;
};

} // namespace ppx::ratls
