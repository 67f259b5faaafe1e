#!/usr/bin/env bash
# Guest checkout over HTTP (add to cart + place, bench/checkout-http.mjs) against the release
# build on the demo shop, SQLite and — when TEST_POSTGRES_URL names a server where a database may
# be created — PostgreSQL, each with two instances on the same database:
#   1. throughput: ORDERS checkouts of one hot product (stock raised to 10 000 000), CLIENTS at once;
#   2. oversell: 50 buyers at once for a product with 10 units, on one instance, then on two;
#      prints how many were sold, the stock left and the 5xx count (must be 10, 0 and 0).
# Usage: bench/checkout-http.sh [ORDERS] [CLIENTS]    (after `make build-release`; needs node, sqlite3, psql)
set -euo pipefail
cd "$(dirname "$0")/.."
ORDERS="${1:-4000}"; CLIENTS="${2:-32}"
ENGINES="${ENGINES:-sqlite postgres}"
BIN="${SERVER_BIN:-${CARGO_TARGET_DIR:-$PWD/target}/release/server}"
[ -x "$BIN" ] || { echo "build first: make build-release"; exit 1; }
PORT="${PORT:-3196}"
DIR="$(mktemp -d)"
PIDS=()
PG_DB=""
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -n "$PG_DB" ] && psql "$TEST_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS $PG_DB" 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT
export MEDIA_DIR="$DIR/media" RUST_LOG=warn
export LEPTOS_OUTPUT_NAME=shop LEPTOS_SITE_ROOT="$PWD/target/site" LEPTOS_SITE_PKG_DIR=pkg LEPTOS_ENV=PROD

sql() { # on SQLite, waits (up to 10 s) while an instance writes
  if [ "$ENGINE" = sqlite ]; then sqlite3 -cmd ".timeout 10000" "$DIR/shop.db" "$1"; else psql "$DATABASE_URL" -Atqc "$1"; fi
}

start() { # start PORT: one instance on the engine's database
  LEPTOS_SITE_ADDR="127.0.0.1:$1" "$BIN" >>"$DIR/server-$1.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$1/healthz" >/dev/null && return; sleep 0.1; done
  echo "the server on port $1 did not start"; exit 1
}

stop_all() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  PIDS=()
}

# oversell LABEL BASES VARIANT: 50 buyers for 10 units.
oversell() {
  sql "UPDATE product_variants SET stock = 10 WHERE id = $3"
  out=$(node bench/checkout-http.mjs "$2" "$3" 50 50)
  placed=$(echo "$out" | tail -1 | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);console.log(j.placed+" "+j.fivexx)})')
  left=$(sql "SELECT stock FROM product_variants WHERE id = $3")
  echo "  oversell, $1: 50 buyers for 10 units → sold ${placed% *}, stock left $left, 5xx ${placed#* }"
}

for ENGINE in $ENGINES; do
  if [ "$ENGINE" = postgres ]; then
    [ -n "${TEST_POSTGRES_URL:-}" ] || { echo "postgres: skipped (TEST_POSTGRES_URL is not set)"; continue; }
    PG_DB="shop_bench_checkout_$$"
    psql "$TEST_POSTGRES_URL" -qc "CREATE DATABASE $PG_DB"
    base="${TEST_POSTGRES_URL%%\?*}"; query="${TEST_POSTGRES_URL#"$base"}"
    export DATABASE_URL="${base%/*}/$PG_DB$query"
  else
    export DATABASE_URL="sqlite://$DIR/shop.db"
  fi
  "$BIN" seed --demo >/dev/null
  start "$PORT"; start "$((PORT + 1))"
  A="http://127.0.0.1:$PORT"; B="http://127.0.0.1:$((PORT + 1))"
  mapfile -t VARIANTS < <(sql "SELECT v.id FROM product_variants v JOIN products p ON p.id = v.product_id
    JOIN merchants m ON m.id = p.merchant_id WHERE p.status = 'published' AND m.status = 'active'
    ORDER BY v.id LIMIT 3")
  echo "$ENGINE — guest checkout over HTTP (add to cart + place), $(nproc) cores"
  sql "UPDATE product_variants SET stock = 10000000 WHERE id = ${VARIANTS[0]}"
  node bench/checkout-http.mjs "$A" "${VARIANTS[0]}" 300 "$CLIENTS" >/dev/null   # warm-up
  echo "  one instance:  $(node bench/checkout-http.mjs "$A" "${VARIANTS[0]}" "$ORDERS" "$CLIENTS" | head -2 | tr '\n' ' ')"
  echo "  two instances: $(node bench/checkout-http.mjs "$A,$B" "${VARIANTS[0]}" "$ORDERS" "$CLIENTS" | head -2 | tr '\n' ' ')"
  oversell "one instance" "$A" "${VARIANTS[1]}"
  oversell "two instances" "$A,$B" "${VARIANTS[2]}"
  panics=$(cat "$DIR"/server-*.log | grep -c 'panicked' || true)
  echo "  panics logged: $panics"
  stop_all
  rm -f "$DIR"/server-*.log
done
