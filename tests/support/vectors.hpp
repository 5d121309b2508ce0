// Helpers shared by ppx's tests: vector files, hex, and sentinel-padded buffers.
#pragma once

#include <ppx/core/bytes.hpp>

#include <nlohmann/json.hpp>

#include <fstream>
#include <stdexcept>
#include <string>

namespace ppx::test {

/// Absolute path of a file under tests/vectors/. Appended rather than built with operator+ on
/// a literal, which GCC 12 warns on falsely once inlined (-Warray-bounds).
inline std::string vector_path(const std::string& rel) {
    std::string p(PPX_TEST_VECTORS);
    p.append("/").append(rel);
    return p;
}

/// Reads and parses a JSON file under tests/vectors/ (throws on a missing or bad file,
/// which fails the test).
inline nlohmann::json load_json(const std::string& rel) {
    std::ifstream f(vector_path(rel));
    if (!f) throw std::runtime_error("missing vector file " + rel);
    return nlohmann::json::parse(f);
}

/// Reads a whole file under tests/vectors/ as bytes.
inline bytes load_file(const std::string& rel) {
    std::ifstream f(vector_path(rel), std::ios::binary);
    if (!f) throw std::runtime_error("missing vector file " + rel);
    return bytes(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

/// Hex to bytes for test data; throws on bad hex (a broken vector must fail loudly).
inline bytes unhex(std::string_view s) {
    if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.remove_prefix(2);
    auto r = from_hex(s);
    if (!r) throw std::runtime_error("bad hex in test data");
    return std::move(*r);
}

inline bytes unhex(const char* s) { return unhex(std::string_view(s)); }
inline bytes unhex(const std::string& s) { return unhex(std::string_view(s)); }
inline bytes unhex(const nlohmann::json& j) { return unhex(std::string_view(j.get_ref<const std::string&>())); }

/// A buffer of `n` usable bytes followed by `guard` sentinel bytes, to prove that an API
/// writes nothing past the size it was given.
struct guarded_buffer {
    static constexpr std::uint8_t sentinel = 0xA5;
    bytes storage;
    std::size_t usable;
    explicit guarded_buffer(std::size_t n, std::size_t guard = 32) : storage(n + guard, sentinel), usable(n) {}
    mutable_bytes span() { return mutable_bytes(storage.data(), usable); }
    bool guard_intact() const {
        for (std::size_t i = usable; i < storage.size(); ++i)
            if (storage[i] != sentinel) return false;
        return true;
    }
};

} // namespace ppx::test
