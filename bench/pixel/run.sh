#!/usr/bin/env bash
# Benchmark: pixel-service (producing into kafka-dev-broker) against nginx's
# empty_gif with an access log, each pinned to the same single core (CPU 0),
# wrk pinned to the other (CPU 1). Prints req/s, p50/p99 latency, peak RSS
# and the ratios. Loopback only; every run is bounded.
#
#   bench/pixel/run.sh            # build (RelWithDebInfo) and run
# Environment (optional):
#   BUILD_DIR=build-h4-rel   DURATION=10s   CONNECTIONS=50   WARMUP=3s   ROUNDS=3
#   SERVER_CPU=0  CLIENT_CPU=1  SKIP_BUILD=1  PIXEL_PORT=18080  NGINX_PORT=18081
#   PROFILE=1   also count, per round, the serving thread's system calls per
#               request (perf stat, syscall tracepoints) and the context
#               switches of each server thread (/proc): where the time goes
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

build_dir=${BUILD_DIR:-${root}/build-h4-rel}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-50}
warmup=${WARMUP:-3s}
rounds=${ROUNDS:-3}
server_cpu=${SERVER_CPU:-0}
client_cpu=${CLIENT_CPU:-1}
pixel_port=${PIXEL_PORT:-18080}
admin_port=${ADMIN_PORT:-18090}
nginx_port=${NGINX_PORT:-18081}

profile=${PROFILE:-0}
tools=(wrk nginx taskset)
if [[ "${profile}" == 1 ]]; then tools+=(perf); fi
for tool in "${tools[@]}"; do
  command -v "${tool}" >/dev/null || { echo "bench: ${tool} is missing (scripts/install-deps.sh)" >&2; exit 1; }
done

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  # The release preset's flags, in a directory of its own.
  cmake -S . -B "${build_dir}" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTRACKER_BUILD_TESTS=OFF >/dev/null
  cmake --build "${build_dir}" --target pixel-service kafka-dev-broker -j2
fi

source bench/pixel/common.sh

run_wrk() {  # port, duration -> wrk output
  taskset -c "${client_cpu}" wrk -t1 -c"${connections}" -d"$2" --latency "${wrk_headers[@]}" \
    "http://127.0.0.1:$1${url_path}"
}

# "Requests/sec: 123.45" and the 50%/99% lines of --latency, in microseconds.
parse_wrk() {  # file -> "rps p50_us p99_us"
  awk '
    function us(v) { if (v ~ /us$/) return v + 0; if (v ~ /ms$/) return v * 1000; if (v ~ /s$/) return v * 1000000; return v }
    /Requests\/sec:/ { rps = $2 }
    $1 == "50%" { p50 = us($2) }
    $1 == "99%" { p99 = us($2) }
    END { printf "%s %s %s\n", rps, p50, p99 }' "$1"
}

peak_rss_kib() { awk '/VmHWM/ { print $2 }' "/proc/$1/status"; }

# Per thread of a process: "tid name voluntary involuntary" context switches.
context_switches() {
  for task in /proc/"$1"/task/*; do
    echo "${task##*/} $(cat "${task}/comm") $(awk '/^voluntary_ctxt/ { v = $2 } /^nonvoluntary_ctxt/ { n = $2 } END { print v, n }' "${task}/status")"
  done
}

# One wrk run against a server; with PROFILE=1 the serving thread (the
# process's main thread, for both servers) is counted meanwhile.
measure() {  # name port pid round
  local name=$1 port=$2 pid=$3 round=$4
  local out="${work}/${name}.${round}.wrk"
  if [[ "${profile}" != 1 ]]; then
    run_wrk "${port}" "${duration}" >"${out}"
    return
  fi
  local syscalls=recvfrom,sendmsg,writev,write,read,epoll_wait,epoll_ctl,accept4,futex
  local events="syscalls:sys_enter_${syscalls//,/,syscalls:sys_enter_}"
  context_switches "${pid}" >"${work}/cs.before"
  perf stat -x, -e "${events}" -t "${pid}" -o "${work}/perf.${name}.${round}" &
  local perf_pid=$!
  run_wrk "${port}" "${duration}" >"${out}"
  kill -INT "${perf_pid}"; wait "${perf_pid}" || true
  context_switches "${pid}" >"${work}/cs.after"
  local requests
  requests=$(awk '/requests in/ { print $1 }' "${out}")
  echo "  ${name} round ${round}, serving thread, per request:" \
    "$(awk -F, -v n="${requests}" '$3 ~ /sys_enter_/ && $1 > 0 { sub(/.*sys_enter_/, "", $3); printf "%s %.3f  ", $3, $1 / n }' "${work}/perf.${name}.${round}")"
  join "${work}/cs.before" "${work}/cs.after" | awk '{ printf "  %s thread %s (%s): %d voluntary, %d involuntary context switches\n", n, $1, $2, $6 - $3, $7 - $4 }' n="${name}"
}

# --- pixel-service, producing into the dev broker --------------------------
# The broker runs on the client core, so all of CPU 0 is the pixel's (its
# librdkafka threads included).
start_broker "${build_dir}" "${client_cpu}"
start_pixel "${build_dir}" "${server_cpu}" "${pixel_port}" "${admin_port}"

# --- nginx empty_gif + access log ------------------------------------------
mkdir -p "${work}/nginx"
sed -e "s|@DIR@|${work}/nginx|g" -e "s|@PORT@|${nginx_port}|g" bench/pixel/nginx.conf.in >"${work}/nginx/nginx.conf"
# master_process off: one process, the worker itself, so its RSS is the figure.
taskset -c "${server_cpu}" nginx -p "${work}/nginx" -c "${work}/nginx/nginx.conf" -e "${work}/nginx/error.log" \
  -g "master_process off;" &
nginx_pid=$!
pids+=("${nginx_pid}")
wait_for_port "${nginx_port}"

# --- measure: rounds alternate between the two, so a busy moment on a shared
# machine hits both alike; the median round is reported ----------------------
run_wrk "${pixel_port}" "${warmup}" >/dev/null
run_wrk "${nginx_port}" "${warmup}" >/dev/null
for round in $(seq 1 "${rounds}"); do
  measure pixel "${pixel_port}" "${pixel_pid}" "${round}"
  measure nginx "${nginx_port}" "${nginx_pid}" "${round}"
  echo "round ${round}: pixel $(parse_wrk "${work}/pixel.${round}.wrk") | nginx $(parse_wrk "${work}/nginx.${round}.wrk")  (req/s p50_us p99_us)"
done
echo "--- last pixel-service run:"; cat "${work}/pixel.${rounds}.wrk"
echo "--- last nginx run:"; cat "${work}/nginx.${rounds}.wrk"
pixel_rss=$(peak_rss_kib "${pixel_pid}")
nginx_rss=$(peak_rss_kib "${nginx_pid}")
metrics=$(curl -s "http://127.0.0.1:${admin_port}/metrics" || true)
events() { awk -v k="tracker_pixel_events_total{outcome=\"$1\"}" '$1 == k { print $2 }' <<<"${metrics}"; }
echo "pixel events: produced $(events produced), delivered $(events delivered), dropped $(events dropped), failed $(events failed)"
echo "nginx access log lines: $(wc -l <"${work}/nginx/access.log")"

# --- summary: the median round by req/s, per server ---------------------------
median() {  # server -> "rps p50 p99" of its median round
  for f in "${work}/$1".*.wrk; do parse_wrk "${f}"; done | sort -n | awk '{ a[NR] = $0 } END { print a[int((NR + 1) / 2)] }'
}
read -r p_rps p_p50 p_p99 < <(median pixel)
read -r n_rps n_p50 n_p99 < <(median nginx)
echo
echo "machine: $(nproc) CPUs, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wrk -t1 -c${connections} -d${duration} --latency, ${rounds} alternating rounds (median shown), servers on CPU ${server_cpu}, wrk on CPU ${client_cpu}"
printf '%-14s %12s %10s %10s %10s\n' server req/s p50_us p99_us rss_MiB
printf '%-14s %12.0f %10.0f %10.0f %10.1f\n' pixel-service "${p_rps}" "${p_p50}" "${p_p99}" "$(bc -l <<<"${pixel_rss}/1024")"
printf '%-14s %12.0f %10.0f %10.0f %10.1f\n' nginx "${n_rps}" "${n_p50}" "${n_p99}" "$(bc -l <<<"${nginx_rss}/1024")"
printf 'ratio pixel/nginx: req/s %.2fx, p99 %.2fx\n' "$(bc -l <<<"${p_rps}/${n_rps}")" "$(bc -l <<<"${p_p99}/${n_p99}")"
