// Replay driver for builds without libFuzzer (GCC): runs every file of the given corpus
// directories (or files) through LLVMFuzzerTestOneInput, then a fixed number of
// deterministic mutations of each (bit flips, truncations), so the corpora act as
// regression tests in the normal build. Exit status is non-zero only if a target aborts.
#include "fuzz.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <vector>

namespace fs = std::filesystem;

static void run(const std::vector<std::uint8_t>& in) { LLVMFuzzerTestOneInput(in.data(), in.size()); }

int main(int argc, char** argv) {
    std::vector<fs::path> files;
    for (int i = 1; i < argc; ++i) {
        fs::path p(argv[i]);
        if (fs::is_directory(p)) {
            for (auto& e : fs::recursive_directory_iterator(p))
                if (e.is_regular_file()) files.push_back(e.path());
        } else if (fs::is_regular_file(p)) {
            files.push_back(p);
        }
    }
    std::sort(files.begin(), files.end());
    std::mt19937_64 prng(0x70707870);
    std::size_t runs = 0;
    run({});
    for (auto& f : files) {
        std::ifstream s(f, std::ios::binary);
        std::vector<std::uint8_t> in((std::istreambuf_iterator<char>(s)), std::istreambuf_iterator<char>());
        run(in);
        ++runs;
        for (int m = 0; m < 64 && !in.empty(); ++m) {
            auto v = in;
            switch (m % 4) {
            case 0: v[prng() % v.size()] ^= static_cast<std::uint8_t>(1u << (prng() % 8)); break;
            case 1: v.resize(prng() % v.size()); break;
            case 2: v[prng() % v.size()] = static_cast<std::uint8_t>(prng()); break;
            case 3: v.insert(v.begin() + static_cast<long>(prng() % v.size()), static_cast<std::uint8_t>(prng())); break;
            }
            run(v);
            ++runs;
        }
    }
    std::cout << "replayed " << files.size() << " corpus files, " << runs << " inputs\n";
    return 0;
}
