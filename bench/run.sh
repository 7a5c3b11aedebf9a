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
cargo build --release --locked -p server --bin lokal-willkommen
BIN=target/release/lokal-willkommen
DATA=$(mktemp -d)
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$DATA"' EXIT

export LW_BENCH_EMAIL=bench-admin@stadtdo.de LW_BENCH_PASSWORD=Bench-Fahrrad-Lampe-Kaffee-7
START=$(date +%s%N)
LW_TRUSTED_PROXIES=127.0.0.1 RUST_LOG=warn "$BIN" serve --data-dir "$DATA" --bind "127.0.0.1:$PORT" &
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
# Directory content: offices holding a session at an instant in a language (Monday 09:30
# Berlin), and the HSDS export, against the plain office list (target: at most 2x slower).
open_now=$(run "GET /api/v1/offices?open_at=..&language=ar" "/api/v1/offices?open_at=2026-11-30T08:30:00Z&language=ar")
hsds=$(run "GET /hsds/services" /hsds/services)
hsds_sal=$(run "GET /hsds/service_at_locations" /hsds/service_at_locations)
awk -v l="$list" -v a="$open_now" -v h="$hsds" -v s="$hsds_sal" 'BEGIN {
  printf "vs plain office list: open_at+language %.2fx, hsds services %.2fx, hsds service_at_locations %.2fx slower\n", l/a, l/h, l/s }'
awk -v b="$base" -v l="$list" -v o="$one" -v f="$filtered" 'BEGIN {
  printf "ratio to /healthz: list %.0f%%, by slug %.0f%%, filtered list %.0f%%\n", 100*l/b, 100*o/b, 100*f/b }'

# Authenticated reads: the same endpoint with a bearer token.
LW_ADMIN_PASSWORD=$LW_BENCH_PASSWORD RUST_LOG=warn "$BIN" admin create --data-dir "$DATA" \
  --email "$LW_BENCH_EMAIL" --name "Bench Admin" >/dev/null
TOKEN=$(curl -sf "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'content-type: application/json' \
  -d "{\"email\":\"$LW_BENCH_EMAIL\",\"password\":\"$LW_BENCH_PASSWORD\"}" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
authed() { # name path
  local out rps p99
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT$2")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out"); p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  printf '%-40s %12s req/s   p99 %8s\n' "$1" "$rps" "$p99" >&2
  echo "$rps"
}
list_auth=$(authed "GET /api/v1/offices (bearer)" /api/v1/offices)
one_auth=$(authed "GET /api/v1/offices/mengede-huckarde (bearer)" /api/v1/offices/mengede-huckarde)
awk -v l="$list" -v la="$list_auth" -v o="$one" -v oa="$one_auth" 'BEGIN {
  printf "authenticated vs public: list %+.1f%%, by slug %+.1f%% (cost of authentication)\n", 100*(l-la)/l, 100*(o-oa)/o }'

# A login flood next to a read load: logins alone, then reads while logins run.
out=$(wrk -t1 -c4 -d"$DURATION" -s bench/login.lua "http://127.0.0.1:$PORT/api/v1/auth/login")
echo "logins alone (4 connections): $(awk '/Requests\/sec/ {print $2}' <<<"$out") /s" >&2
wrk -t1 -c8 -d"$DURATION" -s bench/login.lua "http://127.0.0.1:$PORT/api/v1/auth/login" > "$DATA/flood.txt" &
FLOOD=$!
sleep 1
out=$(wrk -t1 -c32 -d"$DURATION" --latency "http://127.0.0.1:$PORT/api/v1/offices")
wait "$FLOOD"
printf 'reads during login flood: %s req/s, p99 %s; logins meanwhile: %s /s\n' \
  "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" "$(awk '$1 == "99%" {print $2}' <<<"$out")" \
  "$(awk '/Requests\/sec/ {print $2}' "$DATA/flood.txt")" >&2

# A flood of sign-ins with unknown emails from ever new addresses (200 connections, the
# throttle never blocks them): password hashing is bounded, so memory stays flat and
# public reads stay fast while the surplus gets 503 at once.
before_rss=$(awk '/VmRSS/ {print $2}' /proc/$SERVER/status)
wrk -t2 -c200 -d20s -s bench/login_flood.lua "http://127.0.0.1:$PORT/api/v1/auth/login" > "$DATA/memflood.txt" &
FLOOD=$!
sleep 2
out=$(wrk -t1 -c32 -d15s --latency "http://127.0.0.1:$PORT/api/v1/offices")
peak=0
while kill -0 "$FLOOD" 2>/dev/null; do
  rss=$(awk '/VmRSS/ {print $2}' /proc/$SERVER/status); [ "$rss" -gt "$peak" ] && peak=$rss; sleep 0.2
done
wait "$FLOOD" || true
printf 'sign-in flood (200 connections, unknown emails, new addresses, 20 s): RSS %s MiB before, %s MiB peak, %s MiB after\n' \
  "$((before_rss / 1024))" "$((peak / 1024))" "$(( $(awk '/VmRSS/ {print $2}' /proc/$SERVER/status) / 1024 ))" >&2
printf '  sign-in answers: %s /s (%s not 2xx: 401 and 503); reads meanwhile: %s req/s, p99 %s\n' \
  "$(awk '/Requests\/sec/ {print $2}' "$DATA/memflood.txt")" "$(awk '/Non-2xx/ {print $5}' "$DATA/memflood.txt")" \
  "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" "$(awk '$1 == "99%" {print $2}' <<<"$out")" >&2
cargo run -q --release --locked -p api --example argon2_rate >&2
