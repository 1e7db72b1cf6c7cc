#!/usr/bin/env bash
# A/B of two pixel-service builds: both run at once, pinned to CPU 0 and
# producing into one kafka-dev-broker on CPU 1; wrk (CPU 1) loads them in
# alternating rounds, so a slow moment of a shared machine hits both alike.
# Per round: req/s, p99, and the server's CPU time per request (utime +
# stime from /proc, all its threads), which depends far less on the
# machine's neighbours than req/s does. Loopback only; every run is bounded.
#
#   bench/pixel/ab.sh BUILD_DIR_A BUILD_DIR_B     # each with bin/pixel-service;
#                                                 # the broker is A's bin/kafka-dev-broker
# Environment (optional): ROUNDS=6  DURATION=8s  CONNECTIONS=50
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: bench/pixel/ab.sh BUILD_DIR_A BUILD_DIR_B" >&2
  exit 2
fi
# Resolved before the cd below, so relative paths mean what the caller meant.
build_a=$(realpath -- "$1")
build_b=$(realpath -- "$2")
cd "$(dirname "$0")/../.."
rounds=${ROUNDS:-6}
duration=${DURATION:-8s}
connections=${CONNECTIONS:-50}
for tool in wrk taskset; do
  command -v "${tool}" >/dev/null || { echo "bench: ${tool} is missing (scripts/install-deps.sh)" >&2; exit 1; }
done

source bench/pixel/common.sh
start_broker "${build_a}" 1
start_pixel "${build_a}" 0 18180 18190
pid_a=${pixel_pid}
start_pixel "${build_b}" 0 18280 18290
pid_b=${pixel_pid}

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

round() {  # pid port duration -> "req/s p99 cpu_us_per_request"
  local before after out
  before=$(cpu_ticks "$1")
  out=$(taskset -c 1 wrk -t1 -c"${connections}" -d"$3" --latency "${wrk_headers[@]}" "http://127.0.0.1:$2${url_path}")
  after=$(cpu_ticks "$1")
  awk -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" '
    /requests in/ { n = $1 }
    /Requests\/sec:/ { rps = $2 }
    $1 == "99%" { p99 = $2 }
    END { printf "%8.0f req/s  p99 %-8s  %6.2f us CPU/request", rps, p99, ticks * 1e6 / hz / n }' <<<"${out}"
}

round "${pid_a}" 18180 3s >/dev/null  # warm-up
round "${pid_b}" 18280 3s >/dev/null
echo "A: ${build_a}"
echo "B: ${build_b}"
for r in $(seq 1 "${rounds}"); do
  if (( r % 2 )); then
    echo "round ${r}  A $(round "${pid_a}" 18180 "${duration}")  |  B $(round "${pid_b}" 18280 "${duration}")"
  else
    echo "round ${r}  B $(round "${pid_b}" 18280 "${duration}")  |  A $(round "${pid_a}" 18180 "${duration}")"
  fi
done
