#!/usr/bin/env bash
# Storage-worker throughput against kcat, measured alike, on one dev broker.
#   bench/worker/run.sh [BUILD_DIR] [--partitions N] [--per-partition N]
#                       [--rounds N] [--env TRACKER__KEY=VALUE]...
# BUILD_DIR (default build) needs bin/storage-worker and bin/kafka-dev-broker.
#
# One kafka-dev-broker with user-events in N partitions (default 8), each
# preloaded by `kcat -P -z lz4` with 60,000 realistic visits (about 3 MiB
# compressed: inside the dev broker's ~5 MiB per partition). Then, per round
# (default 5; who goes first alternates):
#   - kcat -C -e -o beginning -f '%s\n' dumps the topic to a file;
#   - storage-worker, defaults (fdatasync + checkpoint + commit per batch),
#     fresh group and file, stores it into events.log.
# Each side's rate: events written until the sample that sees all of them
# (sampled every 1 ms), from kcat's first output byte (its connection set-up
# excluded) and from the worker's partition assignment (its group join
# excluded, its first fetch and first batch included). The worker's output
# counts only once durable: the length its checkpoint records after the
# fdatasync. Printed per round and as medians: events/s,
# the ratio, CPU seconds (whole process) and peak RSS of each.
# Details: bench/worker/bench.py; results: docs/benchmarks-storage-worker.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec python3 bench/worker/bench.py "$@"
