// Runs programs of this build (the ppx tool, the example) as child processes: one-shot commands
// whose exit status and stdout are captured, and servers that announce their address on the
// first stdout line and are stopped with SIGTERM when they go out of scope. A child's stderr is
// discarded unless a log file is named, to which it is appended.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <optional>
#include <string>
#include <string_view>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace ppx::test {

/// A program of this build, by its path under the build directory. Appended rather than built
/// with operator+ on a literal, which GCC 12 warns on falsely once inlined (-Warray-bounds,
/// -Wstringop-overflow).
inline std::string built_program(std::string_view rel) {
    std::string p(PPX_BINARY_DIR);
    p.append(rel);
    return p;
}

/// The ppx command-line tool of this build.
inline std::string ppx_tool() { return built_program("/tools/ppx"); }

namespace detail {

/// fork + execv `program args...` with stdout on a pipe and stderr appended to `stderr_path`;
/// returns the child's pid (-1 on failure) and the read end in `out_fd`.
inline pid_t spawn(const std::string& program, const std::vector<std::string>& args, int& out_fd, const std::string& stderr_path) {
    int fds[2];
    out_fd = -1;
    // Close-on-exec: tests start children from several threads at once, and a pipe inherited by
    // another child would keep this one's reader from seeing end of file until that child exits.
    if (::pipe2(fds, O_CLOEXEC) != 0) return -1;
    std::vector<char*> argv{const_cast<char*>(program.c_str())};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(fds[1], 1);
        if (const int err = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600); err >= 0) ::dup2(err, 2);
        ::execv(program.c_str(), argv.data());
        ::_exit(127);
    }
    ::close(fds[1]);
    if (pid < 0) {
        ::close(fds[0]);
        return -1;
    }
    out_fd = fds[0];
    return pid;
}

inline int exit_status(int st) { return WIFEXITED(st) ? WEXITSTATUS(st) : -1; }

} // namespace detail

struct run_result {
    int status = -1;  ///< exit status (0-255), or -1 if the program could not run or was killed
    std::string out;  ///< everything written to stdout
};

/// Runs `program args...` (no shell; stderr appended to `stderr_path`) and returns its status
/// and stdout.
inline run_result run(const std::string& program, const std::vector<std::string>& args, const std::string& stderr_path = "/dev/null") {
    run_result r;
    int fd = -1;
    const pid_t pid = detail::spawn(program, args, fd, stderr_path);
    if (pid < 0) return r;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) r.out.append(buf, static_cast<std::size_t>(n));
    ::close(fd);
    int st = 0;
    ::waitpid(pid, &st, 0);
    r.status = detail::exit_status(st);
    return r;
}

/// Runs the ppx tool with `args`.
inline run_result run_ppx(const std::vector<std::string>& args) { return run(ppx_tool(), args); }

/// A server child (`ppx ... serve --listen 127.0.0.1:0`): its first stdout line
/// `{"listening": "127.0.0.1:PORT"}` is read by the constructor; SIGTERM (SIGKILL if it has not
/// exited two seconds later) and reaped by stop() or the destructor. `ok()` is false when it
/// could not start or announced no address.
class server_process {
public:
    server_process(const std::string& program, const std::vector<std::string>& args, const std::string& stderr_path = "/dev/null") {
        pid_ = detail::spawn(program, args, fd_, stderr_path);
        if (pid_ < 0) return;
        std::string line;
        char c;
        while (::read(fd_, &c, 1) == 1 && c != '\n') line.push_back(c);
        const auto j = nlohmann::json::parse(line, nullptr, false);
        if (j.is_object() && j.contains("listening") && j["listening"].is_string()) address_ = j["listening"].get<std::string>();
    }
    explicit server_process(const std::vector<std::string>& ppx_args) : server_process(ppx_tool(), ppx_args) {}
    server_process(const server_process&) = delete;
    server_process& operator=(const server_process&) = delete;
    ~server_process() { stop(); }

    bool ok() const noexcept { return pid_ > 0 && !address_.empty(); }
    /// "127.0.0.1:PORT", empty if the server did not announce one.
    const std::string& address() const noexcept { return address_; }
    int port() const { return address_.empty() ? -1 : std::stoi(address_.substr(address_.rfind(':') + 1)); }
    std::string url(const std::string& path = "") const { return "http://" + address_ + path; }
    pid_t pid() const noexcept { return pid_; }

    /// Sends SIGTERM (SIGKILL two seconds later if still running), reaps the child, and returns
    /// its exit status (-1 if killed by a signal or not running).
    int stop() {
        if (fd_ >= 0) {
            ::close(fd_);
            fd_ = -1;
        }
        if (pid_ <= 0) return -1;
        ::kill(pid_, SIGTERM);
        if (const auto st = reap_within(std::chrono::seconds(2))) return *st;
        // It ignored SIGTERM: a hung server must not hang the test.
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
        return -1;
    }

    /// Waits up to `limit` for the server to exit on its own (one told to crash, say); true if
    /// it did, and it is reaped.
    bool exited_within(std::chrono::milliseconds limit) { return pid_ > 0 && reap_within(limit).has_value(); }

private:
    /// Polls for the child's exit for up to `limit`: its exit status once reaped, nullopt if it
    /// is still running.
    std::optional<int> reap_within(std::chrono::milliseconds limit) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        for (;;) {
            int st = 0;
            if (::waitpid(pid_, &st, WNOHANG) == pid_) {
                pid_ = -1;
                return detail::exit_status(st);
            }
            if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }

    pid_t pid_ = -1;
    int fd_ = -1;
    std::string address_;
};

} // namespace ppx::test
