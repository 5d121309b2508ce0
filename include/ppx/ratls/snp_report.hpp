// ppx/ratls/snp_report.hpp: the AMD SEV-SNP ATTESTATION_REPORT: parsing (report versions 2 to
// 5, Milan/Genoa and Turin TCB layouts), serialisation, and its ECDSA P-384 signature.
//
// Reference: AMD "SEV Secure Nested Paging Firmware ABI Specification" #56860, Table
// "ATTESTATION_REPORT Structure" (cited below as ABI Table 23), and the field summary in
// ../shared/specs/amd-sev-snp-attestation-report-layout.md. All integers are little-endian.
#pragma once

#include <ppx/core/bytes.hpp>
#include <ppx/core/result.hpp>
#include <ppx/crypto/hash.hpp>
#include <ppx/detail/openssl.hpp>

#include <openssl/ecdsa.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace ppx::ratls::snp {

/// Size of an ATTESTATION_REPORT (ABI Table 23): exactly 0x4A0 bytes.
inline constexpr std::size_t report_size = 0x4A0;
/// The signature covers bytes [0, 0x2A0) (ABI Table 23, SIGNATURE).
inline constexpr std::size_t signed_size = 0x2A0;
/// Offsets of the little-endian R and S components (72 bytes each) of the signature.
inline constexpr std::size_t sig_r_offset = 0x2A0;
inline constexpr std::size_t sig_s_offset = 0x2E8;
inline constexpr std::size_t sig_component_size = 72;
/// Oldest and newest report versions ppx parses (2: Milan launch firmware; 3 adds the CPUID
/// bytes; 5 adds the mitigation vectors). Version 4 shares version 3's layout.
inline constexpr std::uint32_t min_report_version = 2;
inline constexpr std::uint32_t max_report_version = 5;
/// SIGNATURE_ALGO value for ECDSA P-384 with SHA-384, the only one defined (ABI "Signature algorithms").
inline constexpr std::uint32_t sig_algo_ecdsa_p384_sha384 = 1;

/// The AMD EPYC generations ppx knows (each has its own ARK and VCEK product name).
enum class product : std::uint8_t { unknown = 0, milan, genoa, turin };

/// "Milan", "Genoa", "Turin" (the KDS product names) or "unknown".
constexpr std::string_view to_string(product p) noexcept {
    switch (p) {
    case product::milan: return "Milan";
    case product::genoa: return "Genoa";
    case product::turin: return "Turin";
    default: return "unknown";
    }
}

/// Maps a VCEK productName ("Milan-B0", "Genoa", "Turin", ...) onto a product: the part before
/// any '-' stepping suffix. Unknown names give product::unknown.
constexpr product product_from_name(std::string_view name) noexcept {
    const auto dash = name.find('-');
    const auto base = name.substr(0, dash);
    if (base == "Milan") return product::milan;
    if (base == "Genoa") return product::genoa;
    if (base == "Turin") return product::turin;
    return product::unknown;
}

/// The product named by a report's CPUID bytes (report version >= 3): family 19h model 0xh
/// Milan, family 19h model 1xh or Axh (Genoa, Bergamo/Siena: Genoa VCEKs) Genoa, family 1Ah
/// model 0xh/1xh Turin. Unknown otherwise.
constexpr product product_from_cpuid(std::uint8_t family, std::uint8_t model) noexcept {
    if (family == 0x19 && model <= 0x0f) return product::milan;
    if (family == 0x19 && ((model >= 0x10 && model <= 0x1f) || (model >= 0xa0 && model <= 0xaf))) return product::genoa;
    if (family == 0x1a && model <= 0x1f) return product::turin;
    return product::unknown;
}

/// True for products whose TCB_VERSION uses the Turin layout (with FMC).
constexpr bool uses_turin_tcb(product p) noexcept { return p == product::turin; }

/// A decoded TCB_VERSION. Milan/Genoa layout: byte0 BOOT_LOADER, byte1 TEE, byte6 SNP, byte7
/// MICROCODE, bytes 2-5 reserved; Turin layout: byte0 FMC, byte1 BOOT_LOADER, byte2 TEE, byte3
/// SNP, bytes 4-6 reserved, byte7 MICROCODE (ABI Table "TCB_VERSION"; VCEK spec #57230 Table 11).
struct tcb_version {
    std::uint8_t fmc = 0;  ///< Turin only; 0 on Milan/Genoa
    std::uint8_t bootloader = 0;
    std::uint8_t tee = 0;
    std::uint8_t snp = 0;
    std::uint8_t microcode = 0;

    /// Decodes the 8-byte little-endian value stored in a report with the given product's layout.
    static constexpr tcb_version decode(std::uint64_t raw, product p) noexcept {
        auto b = [raw](int i) { return static_cast<std::uint8_t>(raw >> (8 * i)); };
        tcb_version t;
        if (uses_turin_tcb(p)) {
            t.fmc = b(0), t.bootloader = b(1), t.tee = b(2), t.snp = b(3), t.microcode = b(7);
        } else {
            t.bootloader = b(0), t.tee = b(1), t.snp = b(6), t.microcode = b(7);
        }
        return t;
    }
    /// Encodes back to the 8-byte value for the given product's layout (reserved bytes zero).
    constexpr std::uint64_t encode(product p) const noexcept {
        auto at = [](std::uint8_t v, int i) { return static_cast<std::uint64_t>(v) << (8 * i); };
        if (uses_turin_tcb(p)) return at(fmc, 0) | at(bootloader, 1) | at(tee, 2) | at(snp, 3) | at(microcode, 7);
        return at(bootloader, 0) | at(tee, 1) | at(snp, 6) | at(microcode, 7);
    }
    /// True when every component is >= the other's (the partial order TCBs are compared in).
    constexpr bool at_least(const tcb_version& o) const noexcept {
        return fmc >= o.fmc && bootloader >= o.bootloader && tee >= o.tee && snp >= o.snp && microcode >= o.microcode;
    }
    friend constexpr bool operator==(const tcb_version&, const tcb_version&) = default;
};

/// GUEST POLICY bits (ABI Table "Guest Policy Structure").
namespace policy_bit {
inline constexpr std::uint64_t smt = 1ull << 16;
inline constexpr std::uint64_t reserved_must_be_one = 1ull << 17;
inline constexpr std::uint64_t migrate_ma = 1ull << 18;
inline constexpr std::uint64_t debug = 1ull << 19;
inline constexpr std::uint64_t single_socket = 1ull << 20;
inline constexpr std::uint64_t cxl_allow = 1ull << 21;
inline constexpr std::uint64_t mem_aes_256_xts = 1ull << 22;
inline constexpr std::uint64_t rapl_dis = 1ull << 23;
inline constexpr std::uint64_t ciphertext_hiding = 1ull << 24;
inline constexpr std::uint64_t page_swap_disable = 1ull << 25;
/// Bits 26-63 are reserved and must be zero.
inline constexpr std::uint64_t reserved_mbz = ~((1ull << 26) - 1);
} // namespace policy_bit

/// SIGNING_KEY values of the signer-info word at 0x48 (bits 2-4).
enum class signing_key : std::uint8_t { vcek = 0, vlek = 1, none = 7 };

/// A parsed ATTESTATION_REPORT. Every field is copied out; no view into the input is kept.
struct report {
    std::uint32_t version = 0;
    std::uint32_t guest_svn = 0;
    std::uint64_t policy = 0;
    std::array<std::uint8_t, 16> family_id{};
    std::array<std::uint8_t, 16> image_id{};
    std::uint32_t vmpl = 0;
    std::uint32_t signature_algo = 0;
    std::uint64_t current_tcb = 0;
    std::uint64_t platform_info = 0;
    std::uint32_t signer_info = 0;  ///< the word at 0x48: AUTHOR_KEY_EN, MASK_CHIP_KEY, SIGNING_KEY
    std::array<std::uint8_t, 64> report_data{};
    std::array<std::uint8_t, 48> measurement{};
    std::array<std::uint8_t, 32> host_data{};
    std::array<std::uint8_t, 48> id_key_digest{};
    std::array<std::uint8_t, 48> author_key_digest{};
    std::array<std::uint8_t, 32> report_id{};
    std::array<std::uint8_t, 32> report_id_ma{};
    std::uint64_t reported_tcb = 0;
    std::uint8_t cpuid_fam_id = 0, cpuid_mod_id = 0, cpuid_step = 0;  ///< version >= 3
    std::array<std::uint8_t, 64> chip_id{};
    std::uint64_t committed_tcb = 0;
    std::uint8_t current_build = 0, current_minor = 0, current_major = 0;
    std::uint8_t committed_build = 0, committed_minor = 0, committed_major = 0;
    std::uint64_t launch_tcb = 0;
    std::uint64_t launch_mit_vector = 0;   ///< version >= 5
    std::uint64_t current_mit_vector = 0;  ///< version >= 5
    std::array<std::uint8_t, sig_component_size> sig_r{};  ///< little-endian, as stored
    std::array<std::uint8_t, sig_component_size> sig_s{};

    bool debug() const noexcept { return (policy & policy_bit::debug) != 0; }
    bool migrate_ma() const noexcept { return (policy & policy_bit::migrate_ma) != 0; }
    bool smt_allowed() const noexcept { return (policy & policy_bit::smt) != 0; }
    std::uint8_t abi_major() const noexcept { return static_cast<std::uint8_t>(policy >> 8); }
    std::uint8_t abi_minor() const noexcept { return static_cast<std::uint8_t>(policy); }
    bool author_key_en() const noexcept { return (signer_info & 1u) != 0; }
    bool mask_chip_key() const noexcept { return (signer_info & 2u) != 0; }
    snp::signing_key signing_key() const noexcept { return static_cast<snp::signing_key>((signer_info >> 2) & 7u); }
    /// The product the CPUID bytes name (version >= 3), else product::unknown.
    product cpuid_product() const noexcept {
        return version >= 3 ? product_from_cpuid(cpuid_fam_id, cpuid_mod_id) : product::unknown;
    }
};

namespace detail {
inline std::uint64_t le(bytes_view b, std::size_t off, std::size_t n) noexcept {
    std::uint64_t v = 0;
    for (std::size_t i = n; i-- > 0;) v = v << 8 | b[off + i];
    return v;
}
inline void put_le(mutable_bytes b, std::size_t off, std::size_t n, std::uint64_t v) noexcept {
    for (std::size_t i = 0; i < n; ++i) b[off + i] = static_cast<std::uint8_t>(v >> (8 * i));
}
template <std::size_t N>
inline void copy_out(bytes_view b, std::size_t off, std::array<std::uint8_t, N>& dst) noexcept {
    std::memcpy(dst.data(), b.data() + off, N);
}
inline bool all_zero(bytes_view b, std::size_t from, std::size_t to) noexcept {
    for (std::size_t i = from; i < to; ++i)
        if (b[i] != 0) return false;
    return true;
}
} // namespace detail

/// Parses a report of exactly report_size bytes.
/// Fails with errc::malformed on a wrong size, on reserved bytes that are not zero (ABI Table 23
/// marks 0x04C, 0x18B-0x19F, 0x1EB, 0x1EF, 0x208-0x29F and the signature tail 0x330-0x49F
/// "reserved, MBZ"; CPUID bytes before version 3 and mitigation vectors before version 5 too),
/// on POLICY bit 17 clear or bits 26-63 set (ABI "Guest Policy", bit 17 reserved must be one),
/// on signer-info bits 5-31 set or a reserved SIGNING_KEY value (2-6); with errc::unsupported on a
/// version outside [2, 5] or a SIGNATURE_ALGO other than 1. The signature is NOT checked here.
inline result<report> parse_report(bytes_view in) noexcept {
    using detail::all_zero;
    using detail::le;
    if (in.size() != report_size) return fail(errc::malformed, "snp: report is not 1184 bytes");
    report r;
    r.version = static_cast<std::uint32_t>(le(in, 0x000, 4));
    if (r.version < min_report_version || r.version > max_report_version)
        return fail(errc::unsupported, "snp: unsupported report version");
    r.guest_svn = static_cast<std::uint32_t>(le(in, 0x004, 4));
    r.policy = le(in, 0x008, 8);
    // ABI "Guest Policy": bit 17 is reserved and must be one; bits 26-63 must be zero.
    if ((r.policy & policy_bit::reserved_must_be_one) == 0) return fail(errc::malformed, "snp: policy bit 17 is not set");
    if ((r.policy & policy_bit::reserved_mbz) != 0) return fail(errc::malformed, "snp: reserved policy bits set");
    detail::copy_out(in, 0x010, r.family_id);
    detail::copy_out(in, 0x020, r.image_id);
    r.vmpl = static_cast<std::uint32_t>(le(in, 0x030, 4));
    r.signature_algo = static_cast<std::uint32_t>(le(in, 0x034, 4));
    if (r.signature_algo != sig_algo_ecdsa_p384_sha384) return fail(errc::unsupported, "snp: unsupported signature algorithm");
    r.current_tcb = le(in, 0x038, 8);
    r.platform_info = le(in, 0x040, 8);
    r.signer_info = static_cast<std::uint32_t>(le(in, 0x048, 4));
    if ((r.signer_info >> 5) != 0) return fail(errc::malformed, "snp: reserved signer-info bits set");
    const auto sk = (r.signer_info >> 2) & 7u;
    if (sk != 0 && sk != 1 && sk != 7) return fail(errc::malformed, "snp: reserved SIGNING_KEY value");
    if (!all_zero(in, 0x04C, 0x050)) return fail(errc::malformed, "snp: reserved bytes at 0x04C not zero");
    detail::copy_out(in, 0x050, r.report_data);
    detail::copy_out(in, 0x090, r.measurement);
    detail::copy_out(in, 0x0C0, r.host_data);
    detail::copy_out(in, 0x0E0, r.id_key_digest);
    detail::copy_out(in, 0x110, r.author_key_digest);
    detail::copy_out(in, 0x140, r.report_id);
    detail::copy_out(in, 0x160, r.report_id_ma);
    r.reported_tcb = le(in, 0x180, 8);
    if (r.version >= 3) {
        r.cpuid_fam_id = in[0x188], r.cpuid_mod_id = in[0x189], r.cpuid_step = in[0x18A];
    } else if (!all_zero(in, 0x188, 0x18B)) {
        return fail(errc::malformed, "snp: CPUID bytes set in a version 2 report");
    }
    if (!all_zero(in, 0x18B, 0x1A0)) return fail(errc::malformed, "snp: reserved bytes at 0x18B not zero");
    detail::copy_out(in, 0x1A0, r.chip_id);
    r.committed_tcb = le(in, 0x1E0, 8);
    r.current_build = in[0x1E8], r.current_minor = in[0x1E9], r.current_major = in[0x1EA];
    r.committed_build = in[0x1EC], r.committed_minor = in[0x1ED], r.committed_major = in[0x1EE];
    if (in[0x1EB] != 0 || in[0x1EF] != 0) return fail(errc::malformed, "snp: reserved build bytes not zero");
    r.launch_tcb = le(in, 0x1F0, 8);
    if (r.version >= 5) {
        r.launch_mit_vector = le(in, 0x1F8, 8);
        r.current_mit_vector = le(in, 0x200, 8);
    } else if (!all_zero(in, 0x1F8, 0x208)) {
        return fail(errc::malformed, "snp: mitigation vectors set before version 5");
    }
    if (!all_zero(in, 0x208, signed_size)) return fail(errc::malformed, "snp: reserved bytes at 0x208 not zero");
    detail::copy_out(in, sig_r_offset, r.sig_r);
    detail::copy_out(in, sig_s_offset, r.sig_s);
    // The tail of the SIGNATURE field is not signed: insist on zero so nothing unauthenticated
    // is ever carried along with a verified report.
    if (!all_zero(in, 0x330, report_size)) return fail(errc::malformed, "snp: reserved signature tail not zero");
    return r;
}

/// Serialises a report into exactly report_size bytes at `out` (the inverse of parse_report;
/// reserved bytes are written as zero). Fails with errc::buffer_too_small if out.size() <
/// report_size; writes nothing in that case.
inline result<std::size_t> serialize_report(const report& r, mutable_bytes out) noexcept {
    using detail::put_le;
    if (out.size() < report_size) return fail(errc::buffer_too_small, "snp: report buffer too small");
    auto o = out.first(report_size);
    std::memset(o.data(), 0, report_size);
    auto put = [&](std::size_t off, bytes_view b) { std::memcpy(o.data() + off, b.data(), b.size()); };
    put_le(o, 0x000, 4, r.version);
    put_le(o, 0x004, 4, r.guest_svn);
    put_le(o, 0x008, 8, r.policy);
    put(0x010, r.family_id);
    put(0x020, r.image_id);
    put_le(o, 0x030, 4, r.vmpl);
    put_le(o, 0x034, 4, r.signature_algo);
    put_le(o, 0x038, 8, r.current_tcb);
    put_le(o, 0x040, 8, r.platform_info);
    put_le(o, 0x048, 4, r.signer_info);
    put(0x050, r.report_data);
    put(0x090, r.measurement);
    put(0x0C0, r.host_data);
    put(0x0E0, r.id_key_digest);
    put(0x110, r.author_key_digest);
    put(0x140, r.report_id);
    put(0x160, r.report_id_ma);
    put_le(o, 0x180, 8, r.reported_tcb);
    if (r.version >= 3) o[0x188] = r.cpuid_fam_id, o[0x189] = r.cpuid_mod_id, o[0x18A] = r.cpuid_step;
    put(0x1A0, r.chip_id);
    put_le(o, 0x1E0, 8, r.committed_tcb);
    o[0x1E8] = r.current_build, o[0x1E9] = r.current_minor, o[0x1EA] = r.current_major;
    o[0x1EC] = r.committed_build, o[0x1ED] = r.committed_minor, o[0x1EE] = r.committed_major;
    put_le(o, 0x1F0, 8, r.launch_tcb);
    if (r.version >= 5) {
        put_le(o, 0x1F8, 8, r.launch_mit_vector);
        put_le(o, 0x200, 8, r.current_mit_vector);
    }
    put(sig_r_offset, r.sig_r);
    put(sig_s_offset, r.sig_s);
    return report_size;
}

/// Maximum size of the DER ECDSA-Sig-Value built from a report signature (SEQUENCE of two
/// INTEGERs of at most 49 bytes each).
inline constexpr std::size_t max_der_signature_size = 2 + 2 * (2 + 49);

/// Converts the report's little-endian 72-byte R and S into a DER ECDSA-Sig-Value in `out`
/// (at least max_der_signature_size bytes) and returns its length. Fails with
/// errc::crypto_failure when R or S does not fit in 384 bits (bytes 48-71 non-zero) or is zero.
inline result<std::size_t> signature_to_der(std::span<const std::uint8_t, sig_component_size> r_le,
                                            std::span<const std::uint8_t, sig_component_size> s_le,
                                            std::span<std::uint8_t, max_der_signature_size> out) noexcept {
    std::uint8_t ints[2][49];
    std::size_t lens[2];
    const std::span<const std::uint8_t, sig_component_size> parts[2] = {r_le, s_le};
    for (int k = 0; k < 2; ++k) {
        if (!detail::all_zero(parts[k], 48, sig_component_size)) return fail(errc::crypto_failure, "snp: signature");
        // Big-endian magnitude without leading zeros, plus a 0x00 if the top bit is set.
        std::size_t top = 48;
        while (top > 0 && parts[k][top - 1] == 0) --top;
        if (top == 0) return fail(errc::crypto_failure, "snp: signature");
        std::size_t n = 0;
        if (parts[k][top - 1] & 0x80) ints[k][n++] = 0;
        for (std::size_t i = top; i-- > 0;) ints[k][n++] = parts[k][i];
        lens[k] = n;
    }
    const std::size_t body = 4 + lens[0] + lens[1];
    std::size_t p = 0;
    out[p++] = 0x30;
    out[p++] = static_cast<std::uint8_t>(body);  // body <= 102 < 128: short form
    for (int k = 0; k < 2; ++k) {
        out[p++] = 0x02;
        out[p++] = static_cast<std::uint8_t>(lens[k]);
        std::memcpy(out.data() + p, ints[k], lens[k]);
        p += lens[k];
    }
    return p;
}

/// Verifies the report's signature (ABI Table 23 SIGNATURE; "ECDSA P-384 with SHA-384" over
/// bytes [0, 0x2A0), R and S little-endian) under `vcek`, which must be an EC P-384 public key.
/// `raw` must be the exact report bytes. Fails with errc::crypto_failure (no detail) when the
/// signature does not verify, errc::malformed when `raw` is not report_size bytes.
inline result<void> verify_report_signature(bytes_view raw, EVP_PKEY* vcek) noexcept {
    if (raw.size() != report_size) return fail(errc::malformed, "snp: report is not 1184 bytes");
    if (vcek == nullptr) return fail(errc::misuse, "snp: no VCEK key");
    std::array<std::uint8_t, max_der_signature_size> der;
    auto n = signature_to_der(std::span<const std::uint8_t, sig_component_size>(raw.data() + sig_r_offset, sig_component_size),
                              std::span<const std::uint8_t, sig_component_size>(raw.data() + sig_s_offset, sig_component_size),
                              der);
    if (!n) return fail(errc::crypto_failure, "snp: report signature does not verify");
    const auto digest = crypto::digest<crypto::sha384>(raw.first(signed_size));
    ppx::detail::evp_pkey_ctx_ptr ctx(EVP_PKEY_CTX_new(vcek, nullptr));
    if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1) return ppx::detail::openssl_fail();
    const int rc = EVP_PKEY_verify(ctx.get(), der.data(), *n, digest.data(), digest.size());
    if (rc != 1) return ppx::detail::openssl_fail(errc::crypto_failure, "snp: report signature does not verify");
    return ok();
}

/// Signs `raw` (a report_size buffer whose bytes [0, 0x2A0) are final) with an EC P-384 private
/// key, writing R and S little-endian at 0x2A0/0x2E8 and zeroing the tail. Used by the simulated
/// provider and by tests. Fails with errc::internal if OpenSSL fails, errc::malformed on a wrong size.
inline result<void> sign_report(mutable_bytes raw, EVP_PKEY* key) noexcept {
    if (raw.size() != report_size) return fail(errc::malformed, "snp: report is not 1184 bytes");
    const auto digest = crypto::digest<crypto::sha384>(bytes_view(raw.first(signed_size)));
    ppx::detail::evp_pkey_ctx_ptr ctx(EVP_PKEY_CTX_new(key, nullptr));
    if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1) return ppx::detail::openssl_fail();
    std::size_t len = 0;
    if (EVP_PKEY_sign(ctx.get(), nullptr, &len, digest.data(), digest.size()) != 1) return ppx::detail::openssl_fail();
    bytes der(len);
    if (EVP_PKEY_sign(ctx.get(), der.data(), &len, digest.data(), digest.size()) != 1) return ppx::detail::openssl_fail();
    const unsigned char* p = der.data();
    std::unique_ptr<ECDSA_SIG, ppx::detail::free_fn<ECDSA_SIG_free>> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(len)));
    if (!sig) return ppx::detail::openssl_fail();
    std::memset(raw.data() + signed_size, 0, report_size - signed_size);
    std::uint8_t be[48];
    if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), be, 48) != 48) return ppx::detail::openssl_fail();
    for (int i = 0; i < 48; ++i) raw[sig_r_offset + i] = be[47 - i];
    if (BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), be, 48) != 48) return ppx::detail::openssl_fail();
    for (int i = 0; i < 48; ++i) raw[sig_s_offset + i] = be[47 - i];
    return ok();
}

} // namespace ppx::ratls::snp
