// The ppx tool's plumbing: subcommand registry, argument parsing, value decoding and the
// output contract of ../shared/CLI.md (one JSON object on stdout; exit 0 success, 1 input
// rejected with {"error","detail"}, 2 usage error).
#pragma once

#include <ppx/core/bytes.hpp>
#include <ppx/core/result.hpp>

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace ppx::cli {

using json = nlohmann::json;

/// Thrown for a usage error (exit 2).
struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// Thrown when input is rejected (exit 1): `kind` is an errc name or a tool-level kind.
struct input_error : std::runtime_error {
    std::string kind;
    input_error(std::string k, const std::string& detail) : std::runtime_error(detail), kind(std::move(k)) {}
};

/// Parsed command line of one subcommand: `--name value` options (repeatable), boolean
/// flags, and positional arguments.
class args {
public:
    /// `flags` are the option names that take no value; every other `--name` takes one.
    args(const std::vector<std::string>& argv, std::vector<std::string> options, std::vector<std::string> flags,
         std::size_t max_positional = 0);

    std::optional<std::string> get(const std::string& name) const;
    std::string required(const std::string& name) const;
    std::vector<std::string> all(const std::string& name) const;
    bool flag(const std::string& name) const { return flags_set_.count(name) != 0; }
    bool has(const std::string& name) const { return values_.count(name) != 0; }
    const std::vector<std::string>& positional() const { return positional_; }
    std::string positional_required(std::size_t i, const char* what) const;

    /// Parses an integer option (decimal or 0x-hex); usage error if malformed.
    std::optional<std::uint64_t> get_uint(const std::string& name) const;
    std::uint64_t required_uint(const std::string& name) const;

private:
    std::multimap<std::string, std::string> values_;
    std::map<std::string, bool> flags_set_;
    std::vector<std::string> positional_;
};

/// Decimal or 0x-prefixed hex; nullopt if malformed.
std::optional<std::uint64_t> parse_uint(const std::string& s);

/// A binary value from the command line: hex, or @PATH for a file's raw bytes.
bytes read_value(const std::string& v, const char* what);
/// A file's bytes (throws input_error if it cannot be read).
bytes read_file(const std::string& path);

/// Unwraps a ppx result or throws input_error with its kind and detail.
template <class T>
T check(result<T> r, const char* context = "") {
    if (!r) throw input_error(std::string(to_string(r.error().code)), std::string(context) + (r.error().what[0] ? std::string(context[0] ? ": " : "") + r.error().what : ""));
    if constexpr (!std::is_void_v<T>) return std::move(*r);
}

/// Prints one JSON object on stdout; returns exit status 0.
int emit(const json& j);

/// One subcommand: `ppx <group> <name> ...`.
struct command {
    std::string group;
    std::string name;
    std::string usage;  ///< synopsis and option list printed by --help
    std::function<int(const std::vector<std::string>&)> run;
};

std::vector<command>& registry();

/// Registers commands at static-initialisation time: `static cli::registrar r({...});`
struct registrar {
    explicit registrar(std::vector<command> cmds) {
        for (auto& c : cmds) registry().push_back(std::move(c));
    }
};

} // namespace ppx::cli
