#!/usr/bin/env bash
# Installs the Debian packages ppx needs that are missing (idempotent; needs root or sudo).
# Sourced by scripts/test.sh and scripts/demo.sh.
set -euo pipefail

ppx_packages=(
  build-essential cmake pkg-config
  libssl-dev libsodium-dev
  catch2 nlohmann-json3-dev libbenchmark-dev
  clang libclang-rt-14-dev
  libcpp-httplib-dev libhiredis-dev redis-server
)

ppx_install_deps() {
  local missing=()
  for p in "${ppx_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  echo "==> installing missing packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
