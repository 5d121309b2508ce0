#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test:
#   1. unit and vector tests and tool tests (GCC, optimised)
#   2. the package consumer in tests/package, through find_package and add_subdirectory
#   3. the whole test suite again under AddressSanitizer + UndefinedBehaviorSanitizer (clang)
#   4. every libFuzzer target (clang, ASan+UBSan): its whole seed corpus replayed, then fuzzed
#      for a bounded time
# Environment: PPX_JOBS (default 2), PPX_FUZZ_SECONDS (default 10 per target),
# PPX_SKIP_ASAN=1 / PPX_SKIP_FUZZ=1 to skip stages while developing.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=${PPX_JOBS:-2}
fuzz_seconds=${PPX_FUZZ_SECONDS:-10}
source scripts/deps.sh
ppx_install_deps

passed=0
failed=0
stage() { echo; echo "==> $*"; }
record() { if [ "$1" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $2"; fi; }

# A private redis-server on loopback for the spend-store tests; stopped on exit.
redis_dir=$(mktemp -d)
cleanup() {
  if [ -f "$redis_dir/redis.pid" ]; then kill "$(cat "$redis_dir/redis.pid")" 2>/dev/null || true; fi
  rm -rf "$redis_dir"
}
trap cleanup EXIT
if command -v redis-server >/dev/null; then
  port=$(( 20000 + RANDOM % 20000 ))
  redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no --daemonize yes \
    --pidfile "$redis_dir/redis.pid" --dir "$redis_dir" --logfile "$redis_dir/redis.log" >/dev/null
  export PPX_REDIS_URL="redis://127.0.0.1:$port"
  for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

stage "build (GCC, Release)"
# The corpus replays are left to stage 4: each libFuzzer target runs its whole seed corpus
# under ASan+UBSan before it starts fuzzing, so building them here too would only cost time.
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DPPX_BUILD_FUZZ_REPLAY=OFF >/dev/null
cmake --build build -j"$jobs"
stage "tests"
set +e
ctest --test-dir build --output-on-failure -j"$jobs"
record $? "tests"
set -e

stage "package consumer: find_package(ppx) after install, and add_subdirectory"
rm -rf build/_install build/_package_find build/_package_subdir
cmake --install build --prefix build/_install >/dev/null
set +e
( cmake -S tests/package -B build/_package_find -DCMAKE_PREFIX_PATH="$root/build/_install" >/dev/null &&
  cmake --build build/_package_find -j"$jobs" >/dev/null && ./build/_package_find/ppx_consumer &&
  PKG_CONFIG_PATH="$root/build/_install/share/pkgconfig" pkg-config --cflags ppx >/dev/null )
record $? "package consumer (find_package)"
( cmake -S tests/package -B build/_package_subdir -DPPX_CONSUME_VIA_SUBDIRECTORY="$root" >/dev/null &&
  cmake --build build/_package_subdir -j"$jobs" >/dev/null && ./build/_package_subdir/ppx_consumer )
record $? "package consumer (add_subdirectory)"
set -e

if [ "${PPX_SKIP_ASAN:-0}" != 1 ]; then
  stage "tests under ASan + UBSan (clang)"
  # clang at -O0 with line tables only: about 4x faster to compile than GCC -O1 -g with the
  # sanitizers, and a second compiler over the whole test suite. The example is built too, so
  # the process-level deployment tests (load, double spend, VM killed mid-stream, the tool
  # against a deployment) run with every party under ASan+UBSan (~40 s more to build).
  CC=clang CXX=clang++ cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O0 -gline-tables-only" \
    -DPPX_SANITIZE=ON -DPPX_BUILD_BENCH=OFF -DPPX_BUILD_EXAMPLES=ON -DPPX_INSTALL=OFF -DPPX_BUILD_FUZZ_REPLAY=OFF >/dev/null
  cmake --build build-asan -j"$jobs"
  set +e
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs"
  record $? "tests under ASan+UBSan"
  set -e
fi

if [ "${PPX_SKIP_FUZZ:-0}" != 1 ]; then
  stage "libFuzzer targets, ${fuzz_seconds}s each (clang, ASan+UBSan)"
  CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -gline-tables-only" -DPPX_BUILD_FUZZ=ON \
    -DPPX_BUILD_TESTS=OFF -DPPX_BUILD_TOOLS=OFF -DPPX_BUILD_EXAMPLES=OFF -DPPX_BUILD_BENCH=OFF -DPPX_INSTALL=OFF >/dev/null
  cmake --build build-fuzz -j"$jobs"
  # Each target is single-threaded: run $jobs of them at a time, then report in name order.
  results=$(mktemp -d)
  fuzz_one() {  # fuzz_one BINARY: runs it seeded with its corpus; writes $results/NAME.{rc,log}
    local bin=$1 name work rc
    name=$(basename "$bin"); name=${name#fuzz_}
    work=$(mktemp -d); mkdir -p "fuzz/corpus/$name"
    "$bin" -max_total_time="$fuzz_seconds" -print_final_stats=0 -close_fd_mask=3 "$work" "fuzz/corpus/$name" > "$results/$name.log" 2>&1
    rc=$?
    echo "$rc" > "$results/$name.rc"
    rm -rf "$work"
  }
  export -f fuzz_one
  export results fuzz_seconds
  ls build-fuzz/fuzz/fuzz_* | xargs -P "$jobs" -I{} bash -c 'fuzz_one "$1"' _ {}
  for bin in build-fuzz/fuzz/fuzz_*; do
    name=$(basename "$bin"); name=${name#fuzz_}
    rc=$(cat "$results/$name.rc" 2>/dev/null || echo 1)
    if [ "$rc" -ne 0 ]; then tail -40 "$results/$name.log"; fi
    echo "fuzz $name: $(grep -o 'Done [0-9]* runs' "$results/$name.log" | tail -1 || true) rc=$rc"
    record "$rc" "fuzz $name"
  done
  rm -rf "$results"
fi

echo
echo "test.sh: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
