// Consumes ppx as an installed package or a subdirectory: one HPKE round trip.
#include <ppx/ppx.hpp>

#include <cstdio>

int main() {
    ppx::bytes data = ppx::to_bytes(std::string_view("ppx package consumer"));
    auto hex = ppx::to_hex(data);
    auto back = ppx::from_hex(hex);
    if (!back || *back != data) return 1;
    std::puts("ppx consumer: ok");
    return 0;
}
