// Command-line values for AMD SEV-SNP policy, shared by `ppx ratls|snp verify` and
// `ppx session run`: a product name and --min-tcb PRODUCT:bl=N,tee=N,snp=N,ucode=N[,fmc=N].
#pragma once

#include "cli.hpp"

#include <ppx/ratls/snp_verify.hpp>

#include <cctype>
#include <sstream>
#include <string>
#include <utility>

namespace ppx::cli {

/// milan, genoa or turin (any case); a usage error otherwise.
inline ratls::snp::product parse_product(const std::string& s) {
    std::string l = s;
    for (auto& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (l == "milan") return ratls::snp::product::milan;
    if (l == "genoa") return ratls::snp::product::genoa;
    if (l == "turin") return ratls::snp::product::turin;
    throw usage_error("unknown product " + s + " (milan, genoa, turin)");
}

/// --min-tcb PRODUCT:bl=N,tee=N,snp=N,ucode=N[,fmc=N]; components left out are 0.
inline std::pair<ratls::snp::product, ratls::snp::tcb_version> parse_min_tcb(const std::string& s) {
    const auto colon = s.find(':');
    if (colon == std::string::npos) throw usage_error("--min-tcb wants PRODUCT:bl=N,tee=N,snp=N,ucode=N[,fmc=N]");
    const auto p = parse_product(s.substr(0, colon));
    ratls::snp::tcb_version t{};
    std::stringstream ss(s.substr(colon + 1));
    std::string item;
    while (std::getline(ss, item, ',')) {
        const auto eq = item.find('=');
        if (eq == std::string::npos) throw usage_error("--min-tcb: bad item " + item);
        const auto v = parse_uint(item.substr(eq + 1));
        if (!v || *v > 255) throw usage_error("--min-tcb: bad value in " + item);
        const auto k = item.substr(0, eq);
        const auto b = static_cast<std::uint8_t>(*v);
        if (k == "bl") t.bootloader = b;
        else if (k == "tee") t.tee = b;
        else if (k == "snp") t.snp = b;
        else if (k == "ucode") t.microcode = b;
        else if (k == "fmc") t.fmc = b;
        else throw usage_error("--min-tcb: unknown component " + k);
    }
    return {p, t};
}

} // namespace ppx::cli
