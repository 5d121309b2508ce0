// ppx: the command-line tool (../shared/CLI.md is its contract).
#include "cli.hpp"

#include <openssl/err.h>

#include <algorithm>
#include <iostream>
#include <set>

using namespace ppx::cli;

static void print_help() {
    std::cout << "usage: ppx <group> <command> [options]   (ppx <group> <command> --help for details)\n\ncommands:\n";
    auto cmds = registry();
    std::sort(cmds.begin(), cmds.end(), [](auto& a, auto& b) { return a.group + a.name < b.group + b.name; });
    for (auto& c : cmds) std::cout << "  ppx " << c.group << " " << c.name << "\n";
}

int main(int argc, char** argv) {
    std::vector<std::string> a(argv + 1, argv + argc);
    if (a.empty() || a[0] == "--help" || a[0] == "-h" || a[0] == "help") {
        print_help();
        return a.empty() ? 2 : 0;
    }
    const command* found = nullptr;
    bool group_known = false;
    for (auto& c : registry()) {
        if (c.group != a[0]) continue;
        group_known = true;
        if (a.size() > 1 && c.name == a[1]) found = &c;
    }
    if (!found) {
        if (group_known) {
            std::cerr << "usage: ppx " << a[0] << " <command>; commands:";
            for (auto& c : registry())
                if (c.group == a[0]) std::cerr << " " << c.name;
            std::cerr << "\n";
            return (a.size() > 1 && a[1] == "--help") ? 0 : 2;
        }
        std::cerr << "ppx: unknown command '" << a[0] << "' (ppx --help lists them)\n";
        return 2;
    }
    std::vector<std::string> rest(a.begin() + 2, a.end());
    if (std::find(rest.begin(), rest.end(), "--help") != rest.end() || std::find(rest.begin(), rest.end(), "-h") != rest.end()) {
        std::cout << found->usage << "\n";
        return 0;
    }
    try {
        return found->run(rest);
    } catch (const usage_error& e) {
        std::cerr << "ppx " << found->group << " " << found->name << ": " << e.what() << "\n" << found->usage << "\n";
        return 2;
    } catch (const input_error& e) {
        ERR_clear_error();
        std::cout << json{{"error", e.kind}, {"detail", e.what()}}.dump() << std::endl;
        return 1;
    } catch (const std::bad_alloc&) {
        std::cerr << "ppx: out of memory\n";
        return 3;
    } catch (const std::exception& e) {
        std::cout << json{{"error", "internal"}, {"detail", e.what()}}.dump() << std::endl;
        return 1;
    }
}
