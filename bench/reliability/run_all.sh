#!/usr/bin/env bash
# The reliability suite's long variants (issue 6, scenarios 1-8), one after
# the other, each printing its figures and PASS/FAIL lines; the figures in
# docs/reliability.md come from this script. Runs against a RelWithDebInfo
# build (default build; override with BIN_DIR) and needs root for the
# disk-full scenario's tmpfs and the abuse scenario's file-descriptor limit.
#   bench/reliability/run_all.sh [scenario ...]     (default: all)
#   BIN_DIR=build/bin bench/reliability/run_all.sh broker_outage
# Output: one log per scenario in $OUT (default /tmp/reliability-<date>), and
# a summary line per scenario at the end. Exit code: 1 if any scenario failed.
set -uo pipefail
cd "$(dirname "$0")/../.."

bin_dir=${BIN_DIR:-build/bin}
out=${OUT:-/tmp/reliability-$(date -u +%Y%m%dT%H%M%S)}
mkdir -p "${out}"
scenarios=("$@")
if ((${#scenarios[@]} == 0)); then
  scenarios=(broker_outage delivery_timeout queue_full worker_kill_loop two_workers disk_full
             poison_messages http_abuse)
fi

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "binaries: ${bin_dir}; logs: ${out}"
failed=()
for scenario in "${scenarios[@]}"; do
  echo "=== ${scenario} ($(date -u +%T))"
  start=$(date +%s)
  # Every scenario bounds its own waits; the timeout is a last resort.
  if timeout 1200 python3 "bench/reliability/${scenario}.py" --bin-dir "${bin_dir}" \
      2>&1 | tee "${out}/${scenario}.log"; then
    status=PASS
  else
    status=FAIL
    failed+=("${scenario}")
  fi
  echo "=== ${scenario}: ${status} in $(($(date +%s) - start)) s"
done
echo "=== summary: ${#scenarios[@]} scenarios, failed: ${failed[*]:-none}"
((${#failed[@]} == 0))
