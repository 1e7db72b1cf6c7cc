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
  echo "=== ${config}: configure, build and test"
  cmake --preset "${config}" >/dev/null
  case "${config}" in
    release|debug|asan)
      cmake --build --preset "${config}" -j "${jobs}"
      ctest --preset "${config}" -j "${jobs}" ;;
    tsan)  # only what the threaded suites need
      cmake --build --preset tsan -j "${jobs}" --target threaded_tests
      ctest --preset tsan -j "${jobs}" -L threaded ;;
    fuzz)  # builds only the fuzz targets; each runs over its corpus, then mutates
      scripts/fuzz.sh --seconds 10 ;;
    *) echo "unknown configuration: ${config}" >&2; exit 2 ;;
  esac
done
echo "=== all configurations passed: ${configs[*]}"
