#!/usr/bin/env bash
# End to end, as a person would: scripts/run.sh starts the whole pipeline,
# headless Chromium opens the demo page (one origin) embedding /track (another
# origin), plainly and under Cross-Origin-Embedder-Policy: require-corp; each
# visit must appear in events.log with Chromium's User-Agent and the page URL
# as Referrer, and the image must have loaded (naturalWidth 1).
# Usage: browser_embed_test.sh BIN_DIR
set -euo pipefail
bin_dir=$1
root=$(cd "$(dirname "$0")/../../.." && pwd)
work=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# The pixel's port as a service setting: run.sh takes it as its PIXEL_PORT.
pixel_port=$(free_port)
export TRACKER__HTTP__PORT=${pixel_port} DEMO_PORT=$(free_port) PIXEL_ADMIN_PORT=$(free_port) WORKER_ADMIN_PORT=$(free_port)
export TRACKER_STATE_DIR=${work}/state tracker__fileEventStore__file=${work}/events.log
export TRACKER_SKIP_BUILD=1 TRACKER_BIN_DIR=${bin_dir}
# Other spellings of the keys run.sh sets, as a caller's environment may hold:
# run.sh's own values must win without the services refusing the key as set
# twice.
export tracker__kafka__servers='["nowhere:1"]' TRACKER__KAFKA__SERVERS__0=nowhere:2
events=${tracker__fileEventStore__file}

# Job control on: without it bash starts background jobs with SIGINT ignored,
# and the Ctrl-C check below could not reach run.sh.
set -m
"${root}/scripts/run.sh" >"${work}/run.out" 2>&1 &
run_pid=$!
set +m
cleanup() {
  kill -INT "${run_pid}" 2>/dev/null || true
  wait "${run_pid}" 2>/dev/null || true
  rm -rf "${work}"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; echo "--- run.sh output:" >&2; cat "${work}"/run*.out >&2; exit 1; }

# wait_for DESCRIPTION SECONDS COMMAND...: polls the condition until a deadline.
wait_for() {
  local what=$1 seconds=$2; shift 2
  local until=$((SECONDS + seconds))
  until "$@"; do
    ((SECONDS < until)) || fail "timed out waiting for ${what}"
    sleep 0.1
  done
}
# ready_or_gone: the marker is there, or run.sh has exited (then fail at once).
ready_or_gone() {
  [[ -f "${TRACKER_STATE_DIR}/ready" ]] && return 0
  kill -0 "${run_pid}" 2>/dev/null || fail "run.sh exited before it was ready"
  return 1
}
wait_for "the pipeline to be ready" 120 ready_or_gone
# Settings run.sh overrides are not dropped silently.
for name in tracker__kafka__servers TRACKER__KAFKA__SERVERS__0; do
  grep -q "ignoring ${name}: " "${work}/run.out" || fail "run.sh did not say it ignores ${name}"
done

visit() {  # page path -> checks the image loaded and the visit is stored
  local page_url="http://localhost:${DEMO_PORT}$1?pixel=http://127.0.0.1:${pixel_port}"
  local dom
  dom=$(chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
          --disable-component-update --no-first-run --disable-sync --disable-quic \
          --user-data-dir="${work}/chromium-$RANDOM" --virtual-time-budget=10000 \
          --dump-dom "${page_url}" 2>"${work}/chromium.err") || fail "chromium failed: $(tail -5 "${work}/chromium.err")"
  grep -q 'loaded, naturalWidth 1' <<<"${dom}" || fail "image did not load on $1: $(grep -o 'id="status"[^<]*' <<<"${dom}")"
  # Referrer is the full page URL; the user agent is Chromium's (headless) one.
  wait_for "the visit from $1 in events.log" 60 \
    grep -qF "|${page_url}|Mozilla/5.0" "${events}"
  local line
  line=$(grep -F "|${page_url}|" "${events}" | tail -n1)
  grep -q 'HeadlessChrome/' <<<"${line}" || fail "user agent is not Chromium's: ${line}"
  [[ $(awk -F'|' '{print NF}' <<<"${line}") == 4 ]] || fail "not a 4-field line: ${line}"
  [[ ${line} =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{7}Z\| ]] || fail "bad timestamp: ${line}"
  [[ ${line} =~ \|(127\.0\.0\.1|::1)$ ]] || fail "bad client IP: ${line}"
  echo "ok: $1 -> ${line}"
}

visit /
visit /coep.html

# Ctrl-C in a terminal: SIGINT to the whole foreground process group (set -m
# made run.sh its leader). Visits answered just before it must reach the file,
# and the stop must be run.sh's ordered one, exit code 0.
visit_and_stop() {  # run label, visits -> each answered 200, then Ctrl-C
  for i in $(seq 1 "$2"); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' -H "User-Agent: $1-${i}" \
           "http://127.0.0.1:${pixel_port}/track") == 200 ]] || fail "visit $1-${i} was not answered 200"
  done
  kill -INT -- "-${run_pid}"
  wait "${run_pid}" || fail "run.sh did not stop cleanly (exit $?)"
  for i in $(seq 1 "$2"); do
    grep -qF "|$1-${i}|" "${events}" || fail "visit $1-${i}, answered before Ctrl-C, is not in events.log"
  done
  for service in pixel-service storage-worker; do
    if grep -q "second stop signal" "${TRACKER_STATE_DIR}/${service}.log"; then
      fail "${service} was stopped twice (exited at once): $(tail -n 5 "${TRACKER_STATE_DIR}/${service}.log")"
    fi
  done
}
visit_and_stop "first-run" 3

# A second run on the same events.log (its broker is new, its topics start at
# offset 0 again): every visit is stored, and the first run's lines stay.
lines_before=$(wc -l <"${events}")
rm -f "${TRACKER_STATE_DIR}/ready"
set -m
"${root}/scripts/run.sh" >"${work}/run2.out" 2>&1 &
run_pid=$!
set +m
wait_for "the second run to be ready" 120 ready_or_gone
visit_and_stop "second-run" 10
[[ $(wc -l <"${events}") == $((lines_before + 10)) ]] || fail "expected ${lines_before} + 10 lines, found $(wc -l <"${events}")"
trap 'rm -rf "${work}"' EXIT
echo "browser end-to-end and two runs of run.sh: passed"
