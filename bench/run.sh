#!/usr/bin/env bash
# Load test of the public reads against /healthz on the embedded SQLite default.
# Usage: bench/run.sh [duration, default 15s]   (needs wrk: apt-get install -y wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-15s}
CONNECTIONS=64
THREADS=2
PORT=${LW_BENCH_PORT:-18080}

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
cargo build --release --locked -p lokal-willkommen
BIN=target/release/lokal-willkommen
DATA=$(mktemp -d)
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$DATA"' EXIT

START=$(date +%s%N)
RUST_LOG=warn "$BIN" serve --data-dir "$DATA" --bind "127.0.0.1:$PORT" &
SERVER=$!
until curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null; do sleep 0.02; done
echo "start-up incl. migrations and seed: $(( ($(date +%s%N) - START) / 1000000 )) ms"
sleep 1
echo "idle RSS: $(awk '/VmRSS/ {print $2 " " $3}' /proc/$SERVER/status)"

run() { # name path
  local out rps p50 p99
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$PORT$2")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  printf '%-40s %12s req/s   p50 %8s   p99 %8s\n' "$1" "$rps" "$p50" "$p99" >&2
  echo "$rps"
}

echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $(nproc) cores" >&2
base=$(run "GET /healthz" /healthz)
list=$(run "GET /api/v1/offices" /api/v1/offices)
one=$(run "GET /api/v1/offices/mengede-huckarde" /api/v1/offices/mengede-huckarde)
filtered=$(run "GET /api/v1/offices?district=eving" "/api/v1/offices?district=eving")
awk -v b="$base" -v l="$list" -v o="$one" -v f="$filtered" 'BEGIN {
  printf "ratio to /healthz: list %.0f%%, by slug %.0f%%, filtered list %.0f%%\n", 100*l/b, 100*o/b, 100*f/b }'
