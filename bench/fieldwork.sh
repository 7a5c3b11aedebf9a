#!/usr/bin/env bash
# Field-work load: 1,000,000 contact records over 7 offices and 8 years, then
#   - recording a consultation with two referrals (16 connections),
#   - the first page of an office's contacts for a month, and a deep page by cursor,
#   - public directory reads while the writes run.
# Usage: bench/fieldwork.sh [duration, default 10s] [volume, default 1000000]
#   DATABASE_URL=postgres://... bench/fieldwork.sh   runs it on PostgreSQL (the database
#   must be empty; LW_JWT_KEY_FILE is made here).
# Needs wrk (apt-get install -y wrk). Release build; figures go to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10s}
VOLUME=${2:-1000000}
PORT=${LW_BENCH_PORT:-18090}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
cargo build --release --locked -p server --bin lokal-willkommen
BIN=$PWD/target/release/lokal-willkommen
DATA=$(mktemp -d)
SERVER=
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$DATA"' EXIT
export LW_DATA_DIR=$DATA RUST_LOG=warn
if [ -n "${DATABASE_URL:-}" ]; then
  openssl genpkey -algorithm ed25519 -out "$DATA/jwt.pem" 2>/dev/null
  export LW_JWT_KEY_FILE=$DATA/jwt.pem
fi
EMAIL=bench-admin@stadtdo.de PASSWORD=Bench-Fahrrad-Lampe-Kaffee-7
LW_ADMIN_PASSWORD=$PASSWORD "$BIN" admin create --email "$EMAIL" --name "Bench Admin" >/dev/null
"$BIN" serve --bind "127.0.0.1:$PORT" &
SERVER=$!
until curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null; do sleep 0.05; done
BASE=http://127.0.0.1:$PORT
TOKEN=$(curl -sf "$BASE/api/v1/auth/login" -H 'content-type: application/json' \
  -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
OFFICE=mengede-huckarde
# Two more offices (seven in all), then the demo year and the volume over all of them.
PROVIDER=$(curl -sf "$BASE/api/v1/organizations?limit=200" | python3 -c '
import json, sys
print(next(o["id"] for o in json.load(sys.stdin)["items"] if o["kind"] == "welfare_provider"))')
for slug in bench-west bench-ost; do
  curl -sf "$BASE/api/v1/offices" -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    -d "{\"slug\":\"$slug\",\"name\":\"Bench $slug\",\"kind\":\"outpost\",\"status\":\"active\",
         \"provider_organization_id\":\"$PROVIDER\",\"districts\":[\"innenstadt-west\"],\"opened_on\":\"2018-01-01\",
         \"description\":{\"de\":\"Benchmark\"}}" >/dev/null
done
"$BIN" demo --volume "$VOLUME" | grep -E "FIELD WORK|VOLUME" >&2
DAY=$(curl -sfI "$BASE/healthz" | python3 -c '
import sys, email.utils, datetime, zoneinfo
d = [l.split(":", 1)[1] for l in sys.stdin if l.lower().startswith("date:")][0]
print(email.utils.parsedate_to_datetime(d.strip()).astimezone(zoneinfo.ZoneInfo("Europe/Berlin")).date())')
echo "server ready; office $OFFICE; today $DAY" >&2

report() { # name wrk-output
  printf '%-58s %10s req/s   p50 %8s   p99 %8s\n' "$1" "$(awk '/Requests\/sec/ {print $2}' <<<"$2")" \
    "$(awk '$1 == "50%" {print $2}' <<<"$2")" "$(awk '$1 == "99%" {print $2}' <<<"$2")" >&2
}
MONTH_FROM=$(python3 -c "import datetime; d=datetime.date.fromisoformat('$DAY'); print(d.replace(day=1) - datetime.timedelta(days=31))" | cut -c1-8)01
MONTH_TO=$(python3 -c "import datetime; d=datetime.date.fromisoformat('$MONTH_FROM'); print((d.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1))")
first="$BASE/api/v1/offices/$OFFICE/contacts?from=$MONTH_FROM&to=$MONTH_TO"
# A cursor four years deep into the office's history.
DEEP_TO=$(python3 -c "import datetime; print(datetime.date.fromisoformat('$DAY') - datetime.timedelta(days=4*365))")
CURSOR=$(curl -sf "$BASE/api/v1/offices/$OFFICE/contacts?to=$DEEP_TO&limit=1" -H "Authorization: Bearer $TOKEN" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["next_cursor"])')
deep="$BASE/api/v1/offices/$OFFICE/contacts?cursor=$CURSOR"

for c in 4 16; do
  report "GET first page of a month ($MONTH_FROM..$MONTH_TO), $c conn" \
    "$(wrk -t2 -c$c -d"$DURATION" --latency -H "Authorization: Bearer $TOKEN" "$first")"
  report "GET a page 4 years deep by cursor, $c conn" \
    "$(wrk -t2 -c$c -d"$DURATION" --latency -H "Authorization: Bearer $TOKEN" "$deep")"
done
report "POST contact with two referrals, 16 conn" \
  "$(LW_BENCH_TOKEN=$TOKEN LW_BENCH_DAY=$DAY wrk -t2 -c16 -d"$DURATION" --latency -s bench/contact_create.lua "$BASE/api/v1/offices/$OFFICE/contacts")"
# Public directory reads while contacts are being recorded.
LW_BENCH_TOKEN=$TOKEN LW_BENCH_DAY=$DAY wrk -t1 -c8 -d"$DURATION" --latency -s bench/contact_create.lua \
  "$BASE/api/v1/offices/$OFFICE/contacts" > "$DATA/writes.txt" &
WRITES=$!
sleep 1
report "GET /api/v1/offices during writes, 16 conn" "$(wrk -t1 -c16 -d"$DURATION" --latency "$BASE/api/v1/offices")"
report "GET /api/v1/offices/{office} during writes, 16 conn" "$(wrk -t1 -c16 -d"$DURATION" --latency "$BASE/api/v1/offices/$OFFICE")"
wait "$WRITES"
report "  (the writes meanwhile, 8 conn)" "$(cat "$DATA/writes.txt")"
echo "non-2xx answers of the write runs: $(awk '/Non-2xx/ {print $5}' "$DATA/writes.txt")" >&2
