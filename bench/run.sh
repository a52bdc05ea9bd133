#!/usr/bin/env bash
# The dtl benchmark: dtl vs jq on the same NDJSON input. See bench/README.md.
#
#   bash bench/run.sh [--n N] [--programs a,b,...] [--runs K] [--threads T] [--quick] [--no-build]
#
# Prints a markdown table and writes it to bench/results/latest.md.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
PY="${PYTHON:-python3}"

N=200000
RUNS=3
PROGRAMS="identity,projection,filter,lists,strings,dates,join"
THREADS=""
BUILD=1

usage() {
    sed -n '2,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    cat <<'EOF'
Options:
  --n N            number of input entities (default 200000)
  --programs LIST  comma-separated program names from bench/programs (default: all six)
  --runs K         timed runs per measurement, best is reported (default 3)
  --threads T      thread count for the multi-thread dtl column (default: all cores, at least 2)
  --quick          --n 20000 --runs 1
  --no-build       do not run cargo build (use the existing binary)
Environment:
  DTL_BIN          dtl binary to use (default: $CARGO_TARGET_DIR or target/release/dtl)
  BARE_FLOOR_BIN   bare parse+serialize floor (default: target/release/examples/bare_floor)
  JQ, JAQ          jq/jaq binaries (jaq is measured only when found)
EOF
}

while [[ $# -gt 0 ]]; do
    case "$1" in
        --n) N="${2:?--n needs a value}"; shift 2 ;;
        --n=*) N="${1#*=}"; shift ;;
        --programs) PROGRAMS="${2:?--programs needs a value}"; shift 2 ;;
        --programs=*) PROGRAMS="${1#*=}"; shift ;;
        --runs) RUNS="${2:?--runs needs a value}"; shift 2 ;;
        --runs=*) RUNS="${1#*=}"; shift ;;
        --threads) THREADS="${2:?--threads needs a value}"; shift 2 ;;
        --threads=*) THREADS="${1#*=}"; shift ;;
        --quick) N=20000; RUNS=1; shift ;;
        --no-build) BUILD=0; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "run.sh: unknown option: $1" >&2; usage >&2; exit 2 ;;
    esac
done

[[ "$N" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --n must be a positive integer" >&2; exit 2; }
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --runs must be a positive integer" >&2; exit 2; }
if [[ -z "$THREADS" ]]; then
    THREADS="$(nproc 2>/dev/null || echo 2)"
    (( THREADS < 2 )) && THREADS=2
fi
[[ "$THREADS" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --threads must be a positive integer" >&2; exit 2; }

log() { printf '%s\n' "$*" >&2; }

# ---------------------------------------------------------------- build
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
DTL="${DTL_BIN:-$TARGET_DIR/release/dtl}"
BARE="${BARE_FLOOR_BIN:-$TARGET_DIR/release/examples/bare_floor}"
if (( BUILD )) && [[ -z "${DTL_BIN:-}" ]]; then
    log "== cargo build --release"
    if ! (cd "$ROOT" && cargo build --release >&2); then
        log "!! cargo build failed; dtl rows will be n/a where no binary exists"
    fi
    # The bare floor example is added by the core team; build it when its source exists.
    if compgen -G "$ROOT/examples/bare_floor.rs" >/dev/null || compgen -G "$ROOT/examples/bare_floor/main.rs" >/dev/null; then
        (cd "$ROOT" && cargo build --release --example bare_floor >&2) || log "!! building example bare_floor failed"
    fi
fi
HAVE_DTL=0; [[ -x "$DTL" ]] && HAVE_DTL=1
HAVE_BARE=0; [[ -x "$BARE" ]] && HAVE_BARE=1
(( HAVE_DTL )) || log "!! no dtl binary at $DTL; dtl rows will be n/a"

JQ="${JQ:-jq}"
command -v "$JQ" >/dev/null 2>&1 || { echo "run.sh: jq not found (set JQ=...)" >&2; exit 1; }
JAQ="${JAQ:-jaq}"
HAVE_JAQ=0; command -v "$JAQ" >/dev/null 2>&1 && HAVE_JAQ=1

# ---------------------------------------------------------------- data
if [[ "$N" == 200000 ]]; then DATA_DIR="$BENCH_DIR/data"; else DATA_DIR="$BENCH_DIR/data/n$N"; fi
INPUT="$DATA_DIR/entities.ndjson"
STAMP="$DATA_DIR/.generated-n$N"
if [[ ! -s "$INPUT" || ! -e "$STAMP" || "$BENCH_DIR/gen.py" -nt "$STAMP" ]]; then
    log "== generating $N entities into $DATA_DIR"
    mkdir -p "$DATA_DIR"
    rm -f "$DATA_DIR"/.generated-n*
    "$PY" "$BENCH_DIR/gen.py" --n "$N" --out "$DATA_DIR"
    touch "$STAMP"
fi
BYTES="$(wc -c < "$INPUT" | tr -d ' ')"
ENTITIES="$(wc -l < "$INPUT" | tr -d ' ')"

# ---------------------------------------------------------------- measure
WORK="$(mktemp -d "${TMPDIR:-/tmp}/dtl-bench.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
TSV="$WORK/results.tsv"
: > "$TSV"

# measure NAME TOOL OUTFILE CMD...   -> appends "NAME TOOL status secs rss -" and returns status
measure() {
    local name="$1" tool="$2" out="$3"; shift 3
    local err="$WORK/$name.$tool.err" res secs rss rc
    res="$("$PY" "$BENCH_DIR/measure.py" time --runs "$RUNS" --out "$out" --err "$err" -- "$@")"
    read -r secs rss rc <<<"$res"
    if [[ "$rc" == 0 ]]; then
        log "   $tool: ${secs}s, ${rss} KB"
        printf '%s\t%s\tok\t%s\t%s\t' "$name" "$tool" "$secs" "$rss" >> "$TSV"
        return 0
    fi
    log "   $tool: FAILED (exit $rc): $(head -c 300 "$err" | tr '\n' ' ')"
    printf '%s\t%s\tfail\t-1\t0\t-\n' "$name" "$tool" >> "$TSV"
    return 1
}

# check REF OUT -> prints yes/NO/no-ref and ends the current TSV row
check() {
    local ref="$1" out="$2" verdict
    if [[ ! -s "$out" && -s "$ref" ]]; then
        verdict="empty"
        log "   no output (jq produced some): counted as n/a"
    elif [[ ! -e "$ref" ]]; then
        verdict="no-ref"
    elif "$PY" "$BENCH_DIR/compare.py" "$ref" "$out" > "$out.cmp" 2> "$out.cmpdiff"; then
        verdict="yes"
    else
        verdict="NO"
        log "   output differs from jq: $(cat "$out.cmp")"
        sed -n '1,3p' "$out.cmpdiff" | sed 's/^/     /' >&2
    fi
    printf '%s\n' "$verdict" >> "$TSV"
}

log "== input: $INPUT ($ENTITIES entities, $BYTES bytes); runs=$RUNS threads=$THREADS"

if (( HAVE_BARE )); then
    log "-- bare_floor"
    # Contract assumed: like `dtl run`, reads INPUT (or stdin) and writes NDJSON to stdout.
    measure bare_floor bare "$WORK/bare_floor.bare.out" "$BARE" "$INPUT" && printf -- '-\n' >> "$TSV" || true
else
    printf 'bare_floor\tbare\tskip\t-1\t0\t-\n' >> "$TSV"
fi

IFS=',' read -r -a PROGS <<<"$PROGRAMS"
for prog in "${PROGS[@]}"; do
    prog="${prog// /}"
    [[ -n "$prog" ]] || continue
    dtl_prog="$BENCH_DIR/programs/$prog.json"
    jq_prog="$BENCH_DIR/programs/$prog.jq"
    [[ "$prog" == join ]] && continue  # measured below, with its dataset
    if [[ ! -f "$dtl_prog" || ! -f "$jq_prog" ]]; then
        log "!! unknown program '$prog' (need programs/$prog.json and programs/$prog.jq); skipped"
        continue
    fi
    log "-- $prog"
    ref="$WORK/$prog.jq.out"
    if measure "$prog" jq "$ref" "$JQ" -c -f "$jq_prog" "$INPUT"; then
        printf -- '-\n' >> "$TSV"
    else
        rm -f "$ref"
    fi
    if (( HAVE_JAQ )); then
        if measure "$prog" jaq "$WORK/$prog.jaq.out" "$JAQ" -c -f "$jq_prog" "$INPUT"; then
            check "$ref" "$WORK/$prog.jaq.out"
        fi
    fi
    if (( HAVE_DTL )); then
        for t in 1 "$THREADS"; do
            tool="dtlN"; [[ "$t" == 1 ]] && tool="dtl1"
            out="$WORK/$prog.$tool.out"
            if measure "$prog" "$tool" "$out" "$DTL" run "$dtl_prog" "$INPUT" --output ndjson --threads "$t"; then
                check "$ref" "$out"
            fi
        done
    else
        printf '%s\tdtl1\tfail\t-1\t0\t-\n%s\tdtlN\tfail\t-1\t0\t-\n' "$prog" "$prog" >> "$TSV"
    fi
done

# ---------------------------------------------------------------- hops join (dtl only: jq has no joins)
JOIN_PROG="$BENCH_DIR/programs/join.json"
ORDERS="$DATA_DIR/orders.ndjson"
if (( HAVE_DTL )) && [[ -f "$JOIN_PROG" && -s "$ORDERS" && ",$PROGRAMS," == *",join,"* ]]; then
    log "-- join (hops of every entity into $(wc -l < "$ORDERS" | tr -d ' ') orders)"
    for t in 1 "$THREADS"; do
        tool="dtlN"; [[ "$t" == 1 ]] && tool="dtl1"
        out="$WORK/join.$tool.out"
        if measure join "$tool" "$out" "$DTL" run "$JOIN_PROG" "$INPUT" --dataset "orders=$ORDERS" --output ndjson --threads "$t"; then
            printf -- 'no-ref\n' >> "$TSV"
        fi
    done
fi

# ---------------------------------------------------------------- report
JQ_VERSION="$("$JQ" --version 2>&1 || echo unknown)"
CPU="$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //' || true)"
COMMIT="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
JAQ_VERSION=""
if (( HAVE_JAQ )); then JAQ_VERSION=", $("$JAQ" --version 2>&1 | head -1 || true)"; fi
TITLE1="Input: $ENTITIES entities, $(awk -v b="$BYTES" 'BEGIN{printf "%.1f", b/1e6}') MB ($(basename "$INPUT")); best of $RUNS run(s); dtl at 1 and $THREADS threads; $JQ_VERSION$JAQ_VERSION."
TITLE2="Machine: $(nproc 2>/dev/null || echo '?') cores${CPU:+, $CPU}; commit $COMMIT; $(date -u +%Y-%m-%dT%H:%M:%SZ)."
TABLE="$("$PY" "$BENCH_DIR/measure.py" table --tsv "$TSV" --entities "$ENTITIES" --bytes "$BYTES" \
    --threads "$THREADS" --title "$TITLE1" --title "$TITLE2")"

mkdir -p "$BENCH_DIR/results"
printf '%s\n' "$TABLE" > "$BENCH_DIR/results/latest.md"
echo
printf '%s\n' "$TABLE"
echo
log "(written to bench/results/latest.md)"
