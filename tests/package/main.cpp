// Consumes ppx as an installed package or a subdirectory: one HPKE round trip through the
// umbrella header.
#include <ppx/ppx.hpp>

#include <cstdio>

int main() {
    using namespace ppx;
    constexpr auto suite = hpke::suite::of<hpke::dhkem_x25519_sha256, hpke::hkdf_sha256, hpke::chacha20poly1305>();
    auto sk = hpke::private_key::generate(hpke::kem_id::x25519_sha256);
    if (!sk) return 1;
    auto pk = sk->public_key();
    if (!pk) return 1;
    auto msg = hpke::seal(suite, *pk, as_bytes("ppx package"), {}, as_bytes("hello from a consumer"));
    if (!msg) return 1;
    auto pt = hpke::open(suite, *sk, msg->enc, as_bytes("ppx package"), {}, msg->ct);
    if (!pt || as_chars(*pt) != "hello from a consumer") return 1;
    std::puts("ppx consumer: HPKE round trip ok");
    return 0;
}
