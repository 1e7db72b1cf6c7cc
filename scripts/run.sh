#!/usr/bin/env bash
# The README's run command: the whole pipeline on this machine, no Docker.
# Installs what is missing, builds (release preset), then starts
#   kafka-dev-broker -> storage-worker -> pixel-service (port 4000)
# plus a demo page on port 4001 that embeds the pixel from the other origin.
# Ctrl-C (or SIGTERM) stops everything in order, so events in flight reach
# the file: the pixel flushes to Kafka, the worker drains its lag, then stops.
#
# Environment (all optional):
#   PIXEL_PORT=4000 DEMO_PORT=4001 PIXEL_ADMIN_PORT=9090 WORKER_ADMIN_PORT=9091
#   TRACKER_STATE_DIR=./run            broker address file, logs of the services
#   TRACKER__FILEEVENTSTORE__FILE=./storage/events.log
#   TRACKER_SKIP_BUILD=1               use the binaries already built
#   TRACKER_BIN_DIR=build/bin          where those binaries are
# TRACKER__HTTP__PORT, if set, is the pixel's port (PIXEL_PORT wins). This
# script sets TRACKER__ADMIN__PORT (per service: the two variables above) and
# TRACKER__KAFKA__SERVERS (its own broker) itself, and says so if you set
# them. Any other TRACKER__ variable is passed to both services.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

pixel_port=${PIXEL_PORT:-}
demo_port=${DEMO_PORT:-4001}
pixel_admin_port=${PIXEL_ADMIN_PORT:-9090}
worker_admin_port=${WORKER_ADMIN_PORT:-9091}
state_dir=${TRACKER_STATE_DIR:-${root}/run}
events_file=${root}/storage/events.log
for name in $(compgen -e); do  # the services read the name in any case
  if [[ ${name^^} == TRACKER__FILEEVENTSTORE__FILE && -n ${!name} ]]; then events_file=${!name}; fi
  if [[ ${name^^} == TRACKER__HTTP__PORT && -z ${pixel_port} ]]; then pixel_port=${!name}; fi
done
pixel_port=${pixel_port:-4000}
bin=${TRACKER_BIN_DIR:-${root}/build/bin}

say() { printf '[run] %s\n' "$*"; }

if [[ "${TRACKER_SKIP_BUILD:-0}" != 1 ]]; then
  scripts/install-deps.sh --run
  cmake --preset release >/dev/null
  cmake --build --preset release --target kafka-dev-broker storage-worker pixel-service
fi

for port in "${pixel_port}" "${demo_port}" "${pixel_admin_port}" "${worker_admin_port}"; do
  if (echo >"/dev/tcp/127.0.0.1/${port}") 2>/dev/null; then
    echo "run: port ${port} is already in use (is Tracker already running?); set PIXEL_PORT/DEMO_PORT/..." >&2
    exit 1
  fi
done

mkdir -p "${state_dir}" "$(dirname "${events_file}")"
rm -f "${state_dir}/bootstrap"
# kafka-dev-broker keeps its topics in memory: each run starts them at offset
# 0 again. The worker's checkpoint holds the last run's next offsets, which
# would make it skip this run's first events as already stored. Without it
# the worker keeps events.log whole and appends.
rm -f "${events_file}.checkpoint"

stop_all() {
  trap - INT TERM HUP EXIT
  rm -f "${state_dir}/ready"  # the marker tools wait for: not ready any more
  say "stopping: pixel-service (flushes its events to Kafka)"
  [[ -n "${pixel_pid:-}" ]] && kill -TERM "${pixel_pid}" 2>/dev/null && wait "${pixel_pid}" || true
  [[ -n "${demo_pid:-}" ]] && kill -TERM "${demo_pid}" 2>/dev/null || true
  if [[ -n "${worker_pid:-}" ]]; then
    # The pixel logs how many events it delivered; the broker keeps them only
    # in memory, so the worker must have stored (or dead-lettered) as many
    # before the broker stops. (Its lag alone can read 0 before its next
    # fetch has seen the last events.)
    delivered=$(sed -n 's/.*; \([0-9]*\) delivered since start.*/\1/p' "${state_dir}/pixel-service.log" | tail -n1)
    say "waiting for storage-worker to store the ${delivered:-?} events delivered"
    for _ in $(seq 1 300); do
      kill -0 "${worker_pid}" 2>/dev/null || break
      metrics=$(curl -sf "http://127.0.0.1:${worker_admin_port}/metrics") || metrics=""
      if [[ -n "${delivered}" ]]; then
        # tracker_worker_consumed_total counts what is durably stored or dead-lettered.
        awk -v d="${delivered}" '/^tracker_worker_consumed_total/ { done = ($NF >= d) }
                                 END { exit !done }' <<<"${metrics}" && break
      else
        # No count from the pixel (it did not stop cleanly): lag 0 is the best sign left.
        awk '/^tracker_worker_consumer_lag/ { sum += $NF } END { exit sum != 0 }' <<<"${metrics}" && break
      fi
      sleep 0.1
    done
    say "stopping: storage-worker (fsync, commit, leave the group)"
    kill -TERM "${worker_pid}" 2>/dev/null && wait "${worker_pid}" || true
  fi
  [[ -n "${broker_pid:-}" ]] && kill -TERM "${broker_pid}" 2>/dev/null && wait "${broker_pid}" || true
  say "stopped; events are in ${events_file}"
}
# Ctrl-C / SIGTERM is the normal way to stop: a clean stop exits 0. So is
# closing the terminal (SIGHUP).
trap 'stop_all; exit 0' INT TERM HUP
trap stop_all EXIT

# Each program runs in a session of its own (setsid): a terminal's Ctrl-C
# goes to its whole foreground process group, and the programs would each
# stop at once, the broker with the events not yet stored, then take
# stop_all's SIGTERM as a second stop ("exit at once"). This way Ctrl-C
# reaches only this script, and stop_all stops them in order.
setsid "${bin}/kafka-dev-broker" --bootstrap-file "${state_dir}/bootstrap" >"${state_dir}/broker.log" 2>&1 &
broker_pid=$!
for _ in $(seq 1 100); do [[ -s "${state_dir}/bootstrap" ]] && break; sleep 0.05; done
[[ -s "${state_dir}/bootstrap" ]] || { echo "run: kafka-dev-broker did not start; see ${state_dir}/broker.log" >&2; exit 1; }
bootstrap=$(head -n1 "${state_dir}/bootstrap")
# The services read names in any case, and a list also by index (X__0). Drop
# the caller's other spellings of the keys set here, which they would refuse
# as the same key set twice.
for name in $(compgen -e); do
  case "${name^^}" in
    TRACKER__KAFKA__SERVERS | TRACKER__KAFKA__SERVERS__*)
      say "ignoring ${name}: the services use this script's broker (${bootstrap})"
      unset "${name}" ;;
    TRACKER__ADMIN__PORT)
      say "ignoring ${name}: the admin ports are PIXEL_ADMIN_PORT=${pixel_admin_port} and WORKER_ADMIN_PORT=${worker_admin_port}"
      unset "${name}" ;;
    TRACKER__HTTP__PORT)
      if [[ -n ${PIXEL_PORT:-} && ${!name} != "${pixel_port}" ]]; then
        say "ignoring ${name}: PIXEL_PORT=${pixel_port} is set too"
      fi
      unset "${name}" ;;
    TRACKER__FILEEVENTSTORE__FILE) unset "${name}" ;;  # taken above
  esac
done
export TRACKER__KAFKA__SERVERS="[\"${bootstrap}\"]"

TRACKER__FILEEVENTSTORE__FILE="${events_file}" TRACKER__ADMIN__PORT="${worker_admin_port}" \
  setsid "${bin}/storage-worker" >"${state_dir}/storage-worker.log" 2>&1 &
worker_pid=$!
TRACKER__HTTP__PORT="${pixel_port}" TRACKER__ADMIN__PORT="${pixel_admin_port}" \
  setsid "${bin}/pixel-service" >"${state_dir}/pixel-service.log" 2>&1 &
pixel_pid=$!
setsid python3 demo/demo_server.py "${demo_port}" >"${state_dir}/demo.log" 2>&1 &
demo_pid=$!

wait_ready() {  # name url pid
  for _ in $(seq 1 200); do
    curl -sf -o /dev/null "$2" && return 0
    kill -0 "$3" 2>/dev/null || break
    sleep 0.05
  done
  echo "run: $1 did not become ready; its log:" >&2
  tail -n 20 "${state_dir}/$1.log" >&2
  exit 1
}
wait_ready storage-worker "http://127.0.0.1:${worker_admin_port}/health/ready" "${worker_pid}"
wait_ready pixel-service "http://127.0.0.1:${pixel_admin_port}/health/ready" "${pixel_pid}"
wait_ready demo "http://127.0.0.1:${demo_port}/" "${demo_pid}"
cat <<MSG

  Tracker is running (Kafka: kafka-dev-broker at ${bootstrap}).

  Embed on any page:
    <img src="http://localhost:${pixel_port}/track" width="1" height="1" alt="" referrerpolicy="no-referrer-when-downgrade">

  Demo page:   http://localhost:${demo_port}/?pixel=http://localhost:${pixel_port}
  Events:      tail -f ${events_file}
  Metrics:     http://localhost:${pixel_admin_port}/metrics  http://localhost:${worker_admin_port}/metrics
  Logs:        ${state_dir}/*.log

  Ctrl-C stops everything; events already answered reach the file first.

MSG
echo "ready" >"${state_dir}/ready"
wait "${pixel_pid}" "${worker_pid}" "${broker_pid}"
