#!/usr/bin/env bash
# The pipes-and-store benchmark: a pipe run writing N entities (default 200000) to
# the persistent store, then the store alone. See "Pipes and store" in bench/README.md.
#
#   bash bench/pipes.sh [N [BATCH_SIZE]]
#
# Prints what examples/pipe_bench.rs and examples/store_bench.rs measure and writes
# it to bench/results/pipes.txt.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
N="${1:-200000}"
BATCH="${2:-100}"
[[ "$N" =~ ^[1-9][0-9]*$ && "$BATCH" =~ ^[1-9][0-9]*$ ]] || { echo "usage: bench/pipes.sh [N [BATCH_SIZE]]" >&2; exit 2; }

cd "$ROOT"
cargo build --release --example pipe_bench --example store_bench >&2
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
mkdir -p "$BENCH_DIR/results"
{
    echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown), $(nproc) cores, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "-- pipe_bench $N $BATCH"
    "$TARGET_DIR/release/examples/pipe_bench" "$N" "$BATCH"
    echo "-- store_bench $N"
    "$TARGET_DIR/release/examples/store_bench" "$N"
} | tee "$BENCH_DIR/results/pipes.txt"
