# shellcheck shell=bash
# Shared by bench/pixel/run.sh and bench/pixel/ab.sh (sourced, not run):
# a work directory removed at exit with every process started, and how to
# start the dev broker and a pixel-service producing into it.

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "${pid}" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "${pid}" 2>/dev/null || true; done
  rm -rf "${work}"
}
trap cleanup EXIT

wait_for_port() {  # port: until something accepts, at most 10 s
  for _ in $(seq 1 200); do
    (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "bench: nothing listens on port $1" >&2
  return 1
}

require_binary() {  # build_dir name: a clear error instead of a server that never listens
  [[ -x "$1/bin/$2" ]] || { echo "bench: no $1/bin/$2 (build it first, or check the build directory)" >&2; exit 2; }
}

# The broker stands for the Kafka cluster, not the server under test.
start_broker() {  # build_dir cpu; sets bootstrap
  require_binary "$1" kafka-dev-broker
  taskset -c "$2" "$1/bin/kafka-dev-broker" --bootstrap-file "${work}/bootstrap" >"${work}/broker.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 200); do [[ -s "${work}/bootstrap" ]] && break; sleep 0.05; done
  bootstrap=$(head -n1 "${work}/bootstrap")
}

start_pixel() {  # build_dir cpu port admin_port; sets pixel_pid
  require_binary "$1" pixel-service
  TRACKER__KAFKA__SERVERS="[\"${bootstrap}\"]" TRACKER__HTTP__ADDRESS=127.0.0.1 \
  TRACKER__HTTP__PORT="$3" TRACKER__ADMIN__PORT="$4" TRACKER__ADMIN__ADDRESS=127.0.0.1 \
  TRACKER__LOG__LEVEL=warn taskset -c "$2" "$1/bin/pixel-service" >"${work}/pixel.$3.log" 2>&1 &
  pixel_pid=$!
  pids+=("${pixel_pid}")
  wait_for_port "$3"
}

# Realistic visits: a referrer, a browser user agent, a query string.
# shellcheck disable=SC2034  # used by the scripts that source this file
url_path="/track?campaign=spring&page=42"
# shellcheck disable=SC2034
wrk_headers=(-H "Referer: https://shop.example/products/42?ref=newsletter"
             -H "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36")
