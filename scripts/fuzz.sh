#!/usr/bin/env bash
# Runs the libFuzzer targets of tests/fuzz for longer than ctest's short runs.
# Usage: scripts/fuzz.sh [--seconds N] [--merge] [target...]
#   --seconds N  time per target (default 60)
#   --merge      afterwards add the inputs that found new coverage to the
#                committed corpus (tests/fuzz/corpus/<target>, via -merge=1)
#   target       fuzz_event_decoder fuzz_config_parser fuzz_line_escaping
#                fuzz_checkpoint fuzz_http_request fuzz_http_session (default: all)
# Configures and builds the fuzz preset (build-fuzz) as needed. Each target
# fuzzes a scratch copy of its corpus, so the committed corpus changes only
# with --merge. Any crash, leak, timeout or violated property fails the run;
# the input is kept under build-fuzz/fuzz-artifacts/<target>/ (add it to the
# corpus as regression_<what>.<ext> once fixed). One summary line per target.
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets=(fuzz_event_decoder fuzz_config_parser fuzz_line_escaping fuzz_checkpoint
             fuzz_http_request fuzz_http_session)
seconds=60
merge=false
targets=()
while (($# > 0)); do
  case "$1" in
    --seconds) seconds="${2:?--seconds needs a number}"; shift 2 ;;
    --seconds=*) seconds="${1#*=}"; shift ;;
    --merge) merge=true; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
if ((${#targets[@]} == 0)); then targets=("${all_targets[@]}"); fi
for target in "${targets[@]}"; do
  if [[ ! -d "tests/fuzz/corpus/${target}" ]]; then
    echo "fuzz.sh: unknown target ${target} (known: ${all_targets[*]})" >&2
    exit 2
  fi
done
[[ "${seconds}" =~ ^[0-9]+$ ]] || { echo "fuzz.sh: --seconds takes whole seconds" >&2; exit 2; }

build=build-fuzz
if [[ ! -f "${build}/CMakeCache.txt" ]]; then cmake --preset fuzz >/dev/null; fi
cmake --build --preset fuzz -j "$(nproc)" --target "${targets[@]}"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/tracker-fuzz.XXXXXX")
trap 'rm -rf "${scratch}"' EXIT
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

failed=()
summaries=()
for target in "${targets[@]}"; do
  corpus="tests/fuzz/corpus/${target}"
  work="${scratch}/${target}"
  artifacts="${build}/fuzz-artifacts/${target}"
  mkdir -p "${work}" "${artifacts}"
  cp -R "${corpus}/." "${work}/"
  seeds=$(find -L "${corpus}" -type f | wc -l)
  log="${build}/fuzz-artifacts/${target}.log"
  echo "=== ${target}: ${seconds} s over ${seeds} seeds (log: ${log})"
  status=0
  "${build}/bin/${target}" -max_total_time="${seconds}" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="${artifacts}/" "${work}" >"${log}" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "${log}" | tail -1)
  coverage=$(grep -o 'cov: [0-9]*' "${log}" | tail -1 | cut -d' ' -f2)
  inputs=$(find "${work}" -type f | wc -l)
  if ((status == 0)); then
    summaries+=("PASS ${target}: ${seconds} s, ${runs:-?} runs, coverage ${coverage:-?}, corpus ${seeds} -> ${inputs}")
    if [[ "${merge}" == true ]]; then
      "${build}/bin/${target}" -merge=1 "${corpus}" "${work}" >>"${log}" 2>&1
      echo "    merged: corpus ${seeds} -> $(find -L "${corpus}" -type f | wc -l) files"
    fi
  else
    artifact=$(grep -o "Test unit written to [^ ]*" "${log}" | tail -1 | cut -d' ' -f5)
    grep -E "property violated|ERROR: |SUMMARY: " "${log}" | head -5 >&2 || true
    summaries+=("FAIL ${target}: exit ${status} after ${runs:-?} runs; input: ${artifact:-see ${log}}")
    failed+=("${target}")
  fi
done

echo "=== fuzz summary"
printf '%s\n' "${summaries[@]}"
if ((${#failed[@]} > 0)); then
  echo "fuzz.sh: ${#failed[@]} target(s) failed: ${failed[*]}" >&2
  exit 1
fi
