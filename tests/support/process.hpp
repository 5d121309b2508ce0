// Runs a program of this build (the ppx tool) and captures its exit status and stdout.
#pragma once

#include <array>
#include <cstdio>
#include <string>
#include <sys/wait.h>
#include <vector>

namespace ppx::test {

struct run_result {
    int status = -1;  ///< exit status (0-255), or -1 if the program could not run
    std::string out;  ///< everything written to stdout
};

/// Quotes one argument for /bin/sh.
inline std::string shell_quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

/// Runs `program args...` (stderr discarded) and returns its status and stdout.
inline run_result run(const std::string& program, const std::vector<std::string>& args) {
    std::string cmd = shell_quote(program);
    for (auto& a : args) cmd += " " + shell_quote(a);
    cmd += " 2>/dev/null";
    run_result r;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return r;
    std::array<char, 4096> buf;
    std::size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
    const int st = ::pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

/// The ppx command-line tool of this build.
inline std::string ppx_tool() { return std::string(PPX_BINARY_DIR) + "/tools/ppx"; }

} // namespace ppx::test
