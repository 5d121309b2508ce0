#include "cli.hpp"

#include <algorithm>
#include <fstream>
#include <iostream>

namespace ppx::cli {

args::args(const std::vector<std::string>& argv, std::vector<std::string> options, std::vector<std::string> flags,
           std::size_t max_positional) {
    auto known = [](const std::vector<std::string>& v, const std::string& n) { return std::find(v.begin(), v.end(), n) != v.end(); };
    for (std::size_t i = 0; i < argv.size(); ++i) {
        const std::string& a = argv[i];
        if (a.rfind("--", 0) == 0 && a.size() > 2) {
            std::string name = a.substr(2);
            std::optional<std::string> inline_value;
            if (auto eq = name.find('='); eq != std::string::npos) {
                inline_value = name.substr(eq + 1);
                name = name.substr(0, eq);
            }
            if (known(flags, name)) {
                if (inline_value) throw usage_error("--" + name + " takes no value");
                flags_set_[name] = true;
            } else if (known(options, name)) {
                if (inline_value) {
                    values_.emplace(name, *inline_value);
                } else {
                    if (i + 1 >= argv.size()) throw usage_error("--" + name + " needs a value");
                    values_.emplace(name, argv[++i]);
                }
            } else {
                throw usage_error("unknown option --" + name);
            }
        } else {
            positional_.push_back(a);
        }
    }
    if (positional_.size() > max_positional) throw usage_error("unexpected argument " + positional_[max_positional]);
}

std::optional<std::string> args::get(const std::string& name) const {
    auto [b, e] = values_.equal_range(name);
    if (b == e) return std::nullopt;
    auto last = b;
    for (auto it = b; it != e; ++it) last = it;
    return last->second;
}

std::string args::required(const std::string& name) const {
    auto v = get(name);
    if (!v) throw usage_error("missing --" + name);
    return *v;
}

std::vector<std::string> args::all(const std::string& name) const {
    std::vector<std::string> out;
    auto [b, e] = values_.equal_range(name);
    for (auto it = b; it != e; ++it) out.push_back(it->second);
    return out;
}

std::string args::positional_required(std::size_t i, const char* what) const {
    if (i >= positional_.size()) throw usage_error(std::string("missing ") + what);
    return positional_[i];
}

std::optional<std::uint64_t> parse_uint(const std::string& s) {
    if (s.empty()) return std::nullopt;
    std::uint64_t v = 0;
    std::size_t i = 0;
    int base = 10;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        i = 2;
    }
    for (; i < s.size(); ++i) {
        int d;
        const char c = s[i];
        if (c >= '0' && c <= '9') d = c - '0';
        else if (base == 16 && c >= 'a' && c <= 'f') d = c - 'a' + 10;
        else if (base == 16 && c >= 'A' && c <= 'F') d = c - 'A' + 10;
        else return std::nullopt;
        if (v > (UINT64_MAX - static_cast<std::uint64_t>(d)) / static_cast<std::uint64_t>(base)) return std::nullopt;
        v = v * static_cast<std::uint64_t>(base) + static_cast<std::uint64_t>(d);
    }
    return v;
}

std::optional<std::uint64_t> args::get_uint(const std::string& name) const {
    auto v = get(name);
    if (!v) return std::nullopt;
    auto n = parse_uint(*v);
    if (!n) throw usage_error("--" + name + " wants a number, decimal or 0x-hex");
    return n;
}

std::uint64_t args::required_uint(const std::string& name) const {
    auto v = get_uint(name);
    if (!v) throw usage_error("missing --" + name);
    return *v;
}

bytes read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw input_error("malformed", "cannot read file " + path);
    return bytes(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

bytes read_value(const std::string& v, const char* what) {
    if (!v.empty() && v[0] == '@') return read_file(v.substr(1));
    auto b = from_hex(v);
    if (!b) throw usage_error(std::string(what) + " is not valid hex");
    return std::move(*b);
}

int emit(const json& j) {
    std::cout << j.dump() << std::endl;
    return 0;
}

std::vector<command>& registry() {
    static std::vector<command> r;
    return r;
}

} // namespace ppx::cli
