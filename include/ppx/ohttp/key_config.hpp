// ppx/ohttp/key_config.hpp: OHTTP key configurations (RFC 9458 §3).
//
// A key_config is immutable once made: make() and parse() validate it. The
// application/ohttp-keys list (RFC 9458 §3.2) is a sequence of key configs, each with a
// 2-byte length prefix; entries whose KEM ppx does not know are skipped (the prefix is
// what lets a client do that), and any encoding error rejects the whole list, as §3.2
// requires so that clients cannot be partitioned by how they recover from errors.
#pragma once

#include <ppx/core/bytes.hpp>
#include <ppx/core/reader.hpp>
#include <ppx/core/writer.hpp>
#include <ppx/hpke/ids.hpp>

#include <span>
#include <vector>

namespace ppx::ohttp {

/// One (KDF, AEAD) pair of a key config (RFC 9458 §3.1).
struct symmetric_suite {
    hpke::kdf_id kdf;
    hpke::aead_id aead;
    friend constexpr bool operator==(const symmetric_suite&, const symmetric_suite&) = default;
};

/// RFC 9458 §3.1: at most 65532 / 4 symmetric suites in one config.
inline constexpr std::size_t max_symmetric_suites = 65532 / 4;

/// A single key configuration (RFC 9458 §3.1).
class key_config {
public:
    /// Builds a config. Fails with errc::unsupported for a KEM whose Npk ppx does not know or
    /// a one-stage KDF (SHAKE/TurboSHAKE, hpke::is_one_stage: RFC 9458 §4.4 derives response
    /// keys with the KDF's Extract and Expand, which a one-stage KDF does not have, and no
    /// draft defines OHTTP over one), errc::malformed if `public_key` is not Npk bytes or
    /// `suites` is empty or longer than max_symmetric_suites. The public key is checked
    /// further when a client uses it. parse() still accepts configs listing one-stage KDFs
    /// (they are somebody else's to offer); clients and gateways skip those suites.
    static result<key_config> make(std::uint8_t key_id, hpke::kem_id kem, bytes_view public_key,
                                   std::span<const symmetric_suite> suites) {
        const std::size_t npk = hpke::public_key_size(kem);
        if (npk == 0) return fail(errc::unsupported, "ohttp: unknown KEM in key config");
        if (public_key.size() != npk) return fail(errc::malformed, "ohttp: key config public key has the wrong length");
        // RFC 9458 §3.1: Symmetric Algorithms Length = 4..65532.
        if (suites.empty() || suites.size() > max_symmetric_suites) return fail(errc::malformed, "ohttp: key config needs 1..16383 suites");
        for (const auto& s : suites)
            if (hpke::is_one_stage(s.kdf)) return fail(errc::unsupported, "ohttp: one-stage KDFs have no RFC 9458 response keys");
        return build(key_id, kem, public_key, suites);
    }

    /// Parses exactly one encoded config (no length prefix). Fails with errc::malformed
    /// (truncated, trailing bytes, symmetric algorithms length not 4..65532 or not a multiple
    /// of 4) or errc::unsupported (unknown KEM: its Npk, hence the layout, is unknown).
    static result<key_config> parse(bytes_view in) {
        reader r(in);
        PPX_TRY_ASSIGN(const auto key_id, r.u8());
        PPX_TRY_ASSIGN(const auto kem, r.u16());
        const std::size_t npk = hpke::public_key_size(static_cast<hpke::kem_id>(kem));
        if (npk == 0) return fail(errc::unsupported, "ohttp: unknown KEM in key config");
        auto pk = r.bytes(npk);
        if (!pk) return fail(errc::malformed, "ohttp: truncated key config");
        auto algs = r.vec16();
        if (!algs) return fail(errc::malformed, "ohttp: truncated key config");
        // RFC 9458 §3.1: HPKE Symmetric Algorithms Length (16) = 4..65532, pairs of 2 x 16 bits.
        if (algs->size() < 4 || algs->size() % 4 != 0) return fail(errc::malformed, "ohttp: bad symmetric algorithms length");
        if (!r.empty()) return fail(errc::malformed, "ohttp: trailing bytes after key config");
        std::vector<symmetric_suite> suites;
        suites.reserve(algs->size() / 4);
        reader a(*algs);
        while (!a.empty()) {
            const auto kdf = *a.u16();
            const auto aead = *a.u16();
            suites.push_back({static_cast<hpke::kdf_id>(kdf), static_cast<hpke::aead_id>(aead)});
        }
        return build(key_id, static_cast<hpke::kem_id>(kem), *pk, suites);
    }

    std::uint8_t key_id() const noexcept { return key_id_; }
    hpke::kem_id kem() const noexcept { return kem_; }
    bytes_view public_key() const noexcept { return public_key_; }
    std::span<const symmetric_suite> suites() const noexcept { return suites_; }
    /// True if the config offers this (KDF, AEAD) pair.
    bool offers(symmetric_suite s) const noexcept {
        for (const auto& x : suites_)
            if (x == s) return true;
        return false;
    }

    /// Bytes encode() writes: 1 + 2 + Npk + 2 + 4 * suites.
    std::size_t encoded_size() const noexcept { return 5 + public_key_.size() + 4 * suites_.size(); }

    /// Writes the config (RFC 9458 §3.1) into `out`; errc::buffer_too_small if it is shorter
    /// than encoded_size() (nothing useful written). Returns the length.
    result<std::size_t> encode(mutable_bytes out) const noexcept {
        span_writer w(out);
        write(w);
        return w.finish();
    }
    bytes encode() const {
        bytes out(encoded_size());
        (void)encode(mutable_bytes(out));
        return out;
    }

    template <class W>
    void write(W& w) const {
        w.u8(key_id_);
        w.u16(static_cast<std::uint16_t>(kem_));
        w.bytes(public_key_);
        w.u16(static_cast<std::uint16_t>(4 * suites_.size()));
        for (const auto& s : suites_) {
            w.u16(static_cast<std::uint16_t>(s.kdf));
            w.u16(static_cast<std::uint16_t>(s.aead));
        }
    }

    friend bool operator==(const key_config&, const key_config&) = default;

private:
    key_config() = default;
    // make() without the one-stage KDF check: parse() keeps such suites (skipped by users).
    static result<key_config> build(std::uint8_t key_id, hpke::kem_id kem, bytes_view public_key,
                                    std::span<const symmetric_suite> suites) {
        const std::size_t npk = hpke::public_key_size(kem);
        if (npk == 0) return fail(errc::unsupported, "ohttp: unknown KEM in key config");
        if (public_key.size() != npk) return fail(errc::malformed, "ohttp: key config public key has the wrong length");
        if (suites.empty() || suites.size() > max_symmetric_suites) return fail(errc::malformed, "ohttp: key config needs 1..16383 suites");
        key_config c;
        c.key_id_ = key_id;
        c.kem_ = kem;
        c.public_key_ = to_bytes(public_key);
        c.suites_.assign(suites.begin(), suites.end());
        return c;
    }

    std::uint8_t key_id_ = 0;
    hpke::kem_id kem_{};
    bytes public_key_;
    std::vector<symmetric_suite> suites_;
};

/// Parses an application/ohttp-keys list (RFC 9458 §3.2). Configs with an unknown KEM are
/// skipped; every other error (a zero or overlong length prefix, a config that does not
/// parse, trailing bytes) rejects the whole list with errc::malformed, as §3.2 requires.
/// An empty input is an empty list.
inline result<std::vector<key_config>> parse_key_configs(bytes_view in) {
    std::vector<key_config> out;
    reader r(in);
    while (!r.empty()) {
        auto entry = r.vec16();
        if (!entry) return fail(errc::malformed, "ohttp: truncated key config list");
        if (entry->empty()) return fail(errc::malformed, "ohttp: empty key config in list");
        auto c = key_config::parse(*entry);
        if (!c) {
            if (c.error() == errc::unsupported) continue;
            return fail(errc::malformed, "ohttp: malformed key config in list");
        }
        out.push_back(std::move(*c));
    }
    return out;
}

/// Encodes an application/ohttp-keys list (RFC 9458 §3.2): each config with a 2-byte
/// length prefix. Fails with errc::misuse if a config is longer than 65535 bytes.
inline result<bytes> encode_key_configs(std::span<const key_config> configs) {
    writer w;
    for (const auto& c : configs) {
        if (c.encoded_size() > 0xffff) return fail(errc::misuse, "ohttp: key config too long for the list");
        w.u16(static_cast<std::uint16_t>(c.encoded_size()));
        c.write(w);
    }
    return std::move(w).finish();
}

} // namespace ppx::ohttp
