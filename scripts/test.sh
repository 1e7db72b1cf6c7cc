#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, and runs the
# whole suite in every configuration CI checks:
#   release           every test (unit, integration, e2e)
#   asan              every test under AddressSanitizer + UndefinedBehaviorSanitizer
#   tsan              the threaded suites (label "threaded") under ThreadSanitizer
#   fuzz              each libFuzzer target for a short run over its seed corpus
# Usage: scripts/test.sh [release|asan|tsan|fuzz ...]   (default: all four)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

configs=("$@")
if ((${#configs[@]} == 0)); then configs=(release asan tsan fuzz); fi

jobs=$(nproc)
for config in "${configs[@]}"; do
  echo "=== ${config}: configure and build"
  cmake --preset "${config}" >/dev/null
  cmake --build --preset "${config}" -j "${jobs}"
  echo "=== ${config}: test"
  case "${config}" in
    release|debug|asan) ctest --preset "${config}" -j "${jobs}" ;;
    tsan) ctest --preset tsan -j "${jobs}" -L threaded ;;
    fuzz) scripts/fuzz.sh --seconds 10 ;;
    *) echo "unknown configuration: ${config}" >&2; exit 2 ;;
  esac
done
echo "=== all configurations passed: ${configs[*]}"
