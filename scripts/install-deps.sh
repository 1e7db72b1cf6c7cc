#!/usr/bin/env bash
# Installs every Debian 12 package that building, testing, benchmarking and
# running Tracker needs. Idempotent: a second run installs nothing and is fast.
# Used by the README, .ci/run and the Dockerfiles' build stage alike.
#
#   scripts/install-deps.sh            build + test + bench tools (default)
#   scripts/install-deps.sh --run      what scripts/run.sh needs (build + demo page)
#   scripts/install-deps.sh --build    only what compiling needs (Docker build stage)
#   scripts/install-deps.sh --runtime  only the shared libraries the programs load
#                                      (scripts/runtime-packages.txt; Docker runtime stage)
set -euo pipefail

build_packages=(
  build-essential cmake ninja-build pkg-config git
  libboost1.81-dev            # Beast/Asio: 1.81 compiles cleanly under C++20 with gcc 12
  librdkafka-dev              # librdkafka + rdkafka_mock.h (kafka-dev-broker)
  nlohmann-json3-dev
  libspdlog-dev libfmt-dev
  prometheus-cpp-dev
  libgtest-dev libgmock-dev
)
run_packages=(
  python3 curl                # demo page server; readiness checks in scripts/run.sh
)
test_packages=(
  clang clang-tidy clang-format libclang-rt-14-dev   # sanitizers, libFuzzer, tidy
  kcat                        # independent Kafka client used by the tests
  procps psmisc
  chromium                    # real-browser end-to-end test
  docker-compose              # static validation of docker-compose.yml
  wrk nginx-light valgrind    # benchmarks against nginx's empty_gif
)

packages=("${build_packages[@]}")
case "${1:-}" in
  --build) ;;
  --run) packages+=("${run_packages[@]}") ;;
  --runtime)
    mapfile -t packages < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' \
      "$(dirname "$0")/runtime-packages.txt") ;;
  "") packages+=("${run_packages[@]}" "${test_packages[@]}") ;;
  *) echo "usage: $0 [--build|--run|--runtime]" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
