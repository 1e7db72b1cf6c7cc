#!/usr/bin/env bash
# Storage-worker throughput against kcat, in one run, on one dev broker.
#   bench/worker/run.sh [BUILD_DIR] [EVENTS_PER_PARTITION]
# BUILD_DIR defaults to build (the release preset); it needs bin/storage-worker
# and bin/kafka-dev-broker. Preloads user-events (3 partitions, lz4, about
# 1 MiB compressed per partition: inside the dev broker's ~5 MiB limit), then
#   1. kcat -C -e dumps the topic to a file (the baseline),
#   2. storage-worker (default batching and durability: fsync + checkpoint +
#      commit per batch) stores it into a fresh events.log,
# and prints events/s of both, the ratio and each one's peak RSS.
# Worker time runs from its partition assignment (logged) to the moment its
# stored_total metric reaches the event count, so the group join (a fixed
# few seconds with the dev broker) is not counted; kcat's includes its start.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
per_partition=${2:-20000}
total=$((per_partition * 3))
work=$(mktemp -d)
broker_pid=""
worker_pid=""
cleanup() {
  [[ -n "$worker_pid" ]] && kill "$worker_pid" 2>/dev/null || true
  [[ -n "$broker_pid" ]] && kill "$broker_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$build/bin/kafka-dev-broker" --bootstrap-file "$work/bootstrap" >"$work/broker.log" 2>&1 &
broker_pid=$!
for _ in $(seq 100); do [[ -s "$work/bootstrap" ]] && break; sleep 0.1; done
bootstrap=$(head -1 "$work/bootstrap")

# Realistic visits: a browser user agent, a referrer, an IPv4 address.
for partition in 0 1 2; do
  awk -v n="$per_partition" -v p="$partition" 'BEGIN {
    for (i = 0; i < n; i++)
      printf "{\"Timestamp\":\"2024-03-23T17:24:%02d.%07dZ\",\"Referrer\":\"https://shop.example/products/%d?ref=p%d\",\"UserAgent\":\"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36\",\"IpAddress\":\"10.%d.%d.%d\"}\n", i % 60, i, i, p, p, int(i / 256) % 256, i % 256
  }' >"$work/values.$partition"
  kcat -P -q -z lz4 -b "$bootstrap" -t user-events -p "$partition" -l "$work/values.$partition"
done

now() { date +%s.%N; }

# 1. kcat baseline.
start=$(now)
/usr/bin/time -f "%M %U %S" -o "$work/kcat.rss" \
  kcat -C -q -e -o beginning -b "$bootstrap" -t user-events -f '%s\n' >"$work/kcat.out"
kcat_seconds=$(echo "$(now) - $start" | bc -l)
kcat_lines=$(wc -l <"$work/kcat.out")

# 2. The worker, fresh file and group.
TRACKER__KAFKA__SERVERS="$bootstrap" TRACKER__ADMIN__PORT=0 TRACKER__ADMIN__ADDRESS=127.0.0.1 \
TRACKER__WORKER__GROUPID=bench-$$ TRACKER__FILEEVENTSTORE__FILE="$work/data/events.log" \
  "$build/bin/storage-worker" >"$work/worker.log" 2>&1 &
worker_pid=$!
for _ in $(seq 300); do grep -q "admin port" "$work/worker.log" && break; sleep 0.1; done
port=$(grep -o 'admin port [0-9]*' "$work/worker.log" | awk '{print $3}')
until grep -q "assigned" "$work/worker.log"; do sleep 0.005; done
start=$(now)
stored() { curl -s "http://127.0.0.1:$port/metrics" | awk '$1 == "tracker_worker_stored_total" {print $2}'; }
until [[ "$(stored)" == "$total" ]]; do sleep 0.02; done
worker_seconds=$(echo "$(now) - $start" | bc -l)
worker_rss=$(awk '/VmHWM/ {print $2}' "/proc/$worker_pid/status")
ticks=$(getconf CLK_TCK)
worker_cpu=$(awk -v t="$ticks" '{printf "%.2f", ($14 + $15) / t}' "/proc/$worker_pid/stat")
kill -TERM "$worker_pid"; wait "$worker_pid" || true; worker_pid=""
worker_lines=$(wc -l <"$work/data/events.log")

kcat_rate=$(echo "$kcat_lines / $kcat_seconds" | bc -l)
worker_rate=$(echo "$worker_lines / $worker_seconds" | bc -l)
printf 'events:        %d (3 partitions x %d, lz4)\n' "$total" "$per_partition"
read -r kcat_rss kcat_user kcat_sys <"$work/kcat.rss"
printf 'kcat -C -e:    %8.0f events/s  (%d lines in %.3f s, CPU %.2f s, peak RSS %d KiB)\n' \
  "$kcat_rate" "$kcat_lines" "$kcat_seconds" "$(echo "$kcat_user + $kcat_sys" | bc -l)" "$kcat_rss"
printf 'storage-worker:%8.0f events/s  (%d lines in %.3f s, CPU %.2f s incl. start-up, peak RSS %d KiB)\n' \
  "$worker_rate" "$worker_lines" "$worker_seconds" "$worker_cpu" "$worker_rss"
printf 'ratio:         %.2fx kcat\n' "$(echo "$worker_rate / $kcat_rate" | bc -l)"
