// ppx hpke keygen|seal|open (RFC 9180), as ../shared/CLI.md specifies.
#include "cli.hpp"

#include <ppx/hpke.hpp>

namespace ppx::cli {
namespace {

hpke::suite_ids suite_from(const args& a) {
    auto id16 = [&](const char* name) {
        const auto v = a.required_uint(name);
        if (v > 0xffff) throw usage_error(std::string("--") + name + " is not a 16-bit id");
        return static_cast<std::uint16_t>(v);
    };
    return {static_cast<hpke::kem_id>(id16("kem")), static_cast<hpke::kdf_id>(id16("kdf")), static_cast<hpke::aead_id>(id16("aead"))};
}

bytes optional_value(const args& a, const char* name) {
    auto v = a.get(name);
    return v ? read_value(*v, name) : bytes{};
}

int keygen(const std::vector<std::string>& argv) {
    args a(argv, {"kem", "ikm"}, {});
    const auto kem_raw = a.required_uint("kem");
    if (kem_raw > 0xffff) throw usage_error("--kem is not a 16-bit id");
    const auto kem = static_cast<hpke::kem_id>(kem_raw);
    auto key = a.has("ikm") ? hpke::private_key::derive(kem, read_value(*a.get("ikm"), "--ikm")) : hpke::private_key::generate(kem);
    auto sk = check(std::move(key), "keygen");
    return emit({{"sk", to_hex(sk.serialize())}, {"pk", to_hex(sk.public_key_bytes())}});
}

int seal(const std::vector<std::string>& argv) {
    args a(argv, {"kem", "kdf", "aead", "pk", "pt", "info", "aad", "psk", "psk-id", "sk-s", "ikm-e"}, {});
    auto s = check(hpke::suite::from_ids(suite_from(a)), "suite");
    auto pk = check(hpke::public_key::from_bytes(s.kem().id, read_value(a.required("pk"), "--pk")), "pk");
    const bytes pt = read_value(a.required("pt"), "--pt"), info = optional_value(a, "info"), aad = optional_value(a, "aad");
    const bytes psk = optional_value(a, "psk"), psk_id = optional_value(a, "psk-id");
    std::optional<hpke::private_key> sk_s;
    if (a.has("sk-s")) sk_s.emplace(check(hpke::private_key::from_bytes(s.kem().id, read_value(*a.get("sk-s"), "--sk-s")), "sk-s"));
    // --ikm-e fixes the sender's randomness as the RFC 9180 vectors do: DeriveKeyPair(ikmE)
    // for the DHKEMs, the raw Encap randomness for the PQ KEMs (kem_ops::encap_randomness).
    fixed_rng fixed;
    rng* r = &system_rng();
    if (a.has("ikm-e")) {
        fixed.push(check(s.kem().encap_randomness(read_value(*a.get("ikm-e"), "--ikm-e")), "ikm-e"));
        r = &fixed;
    }
    auto msg = check(hpke::seal(s, pk, info, aad, pt, {psk, psk_id, sk_s ? &*sk_s : nullptr}, *r), "seal");
    return emit({{"enc", to_hex(msg.enc)}, {"ct", to_hex(msg.ct)}});
}

int open(const std::vector<std::string>& argv) {
    args a(argv, {"kem", "kdf", "aead", "sk", "enc", "ct", "info", "aad", "psk", "psk-id", "pk-s"}, {});
    auto s = check(hpke::suite::from_ids(suite_from(a)), "suite");
    auto sk = check(hpke::private_key::from_bytes(s.kem().id, read_value(a.required("sk"), "--sk")), "sk");
    const bytes enc = read_value(a.required("enc"), "--enc"), ct = read_value(a.required("ct"), "--ct");
    const bytes info = optional_value(a, "info"), aad = optional_value(a, "aad");
    const bytes psk = optional_value(a, "psk"), psk_id = optional_value(a, "psk-id");
    std::optional<hpke::public_key> pk_s;
    if (a.has("pk-s")) pk_s.emplace(check(hpke::public_key::from_bytes(s.kem().id, read_value(*a.get("pk-s"), "--pk-s")), "pk-s"));
    auto pt = check(hpke::open(s, sk, enc, info, aad, ct, {psk, psk_id, pk_s ? &*pk_s : nullptr}), "open");
    return emit({{"pt", to_hex(pt)}});
}

const registrar reg({
    {"hpke", "keygen", "ppx hpke keygen --kem ID [--ikm HEX]\n  Generates (or, with --ikm, derives: RFC 9180 DeriveKeyPair) a key pair.\n  -> {\"sk\": HEX, \"pk\": HEX}", keygen},
    {"hpke", "seal",
     "ppx hpke seal --kem ID --kdf ID --aead ID --pk HEX --pt HEX [--info HEX] [--aad HEX]\n"
     "              [--psk HEX --psk-id HEX] [--sk-s HEX] [--ikm-e HEX]\n"
     "  Single-shot HPKE Seal. psk gives psk mode, --sk-s auth mode, both auth_psk.\n"
     "  --ikm-e fixes the ephemeral key (DeriveKeyPair) for reproducible output.\n  -> {\"enc\": HEX, \"ct\": HEX}",
     seal},
    {"hpke", "open",
     "ppx hpke open --kem ID --kdf ID --aead ID --sk HEX --enc HEX --ct HEX [--info HEX] [--aad HEX]\n"
     "              [--psk HEX --psk-id HEX] [--pk-s HEX]\n  Single-shot HPKE Open.\n  -> {\"pt\": HEX}",
     open},
});

} // namespace
} // namespace ppx::cli
