#!/usr/bin/env bash
# Installs what is missing, builds, and runs the main end-to-end example.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
ppx_install_deps
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"${PPX_JOBS:-2}" --target ppx_example_hpke_roundtrip ppx_tool
echo
./build/examples/ppx_example_hpke_roundtrip
