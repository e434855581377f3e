#!/usr/bin/env bash
# One-step set-up for a fresh Debian 12 machine (run as root, or with sudo):
# installs the missing Debian packages, configures and builds, then
#   ./quickstart.sh demo   runs the nightly pipeline on the bundled sample export
#   ./quickstart.sh test   builds and runs the whole test suite, plain and under
#                          AddressSanitizer + UndefinedBehaviorSanitizer
# Both are idempotent: run them as often as you like.
set -euo pipefail
cd "$(dirname "$0")"

packages=(build-essential cmake pkg-config libcsv-dev libgsl-dev zlib1g-dev libcmocka-dev groff-base chromium parallel)

install_missing_packages() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  # Node.js and npm for the browser test, from Debian unless some other
  # package already brings the commands (NodeSource's nodejs includes npm)
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  echo "quickstart: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# The browser test drives Debian's chromium with playwright-core (npm; it
# downloads no browser of its own), kept in tests/browser/node_modules.
install_browser_test() {
  [ -d tests/browser/node_modules/playwright-core ] && return 0
  echo "quickstart: installing playwright-core into tests/browser/node_modules"
  (cd tests/browser && npm install --no-audit --no-fund --silent >/dev/null)
}

build() { # build DIR [cmake options...]
  local dir=$1; shift
  cmake -S . -B "$dir" -DCRM_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" -j "$(nproc)"
}

case "${1:-}" in
  demo)
    install_missing_packages
    build build
    PATH="$PWD/build:$PATH" examples/nightly.sh examples/online-retail-sample.csv.gz out
    ;;
  test)
    install_missing_packages
    install_browser_test
    build build
    ctest --test-dir build --output-on-failure -j "$(nproc)"
    build build-asan -DCRM_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
    ctest --test-dir build-asan --output-on-failure -j "$(nproc)"
    ;;
  *)
    echo "usage: ./quickstart.sh demo|test" >&2
    exit 2
    ;;
esac
