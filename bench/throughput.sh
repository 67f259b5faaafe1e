#!/usr/bin/env bash
# Page throughput of the release build under wrk: 2 threads × 32 connections, 5 s warm-up, 15 s
# measured, on the demo shop plus N synthetic products (default 10 000), on SQLite and — when
# TEST_POSTGRES_URL names a server where a database may be created — PostgreSQL; each page with
# no compression asked for, with `Accept-Encoding: br`, and with a visitor cookie (which bypasses
# the page cache, so those rows are the rendering cost); the server's RSS after the runs.
# Pages: home, the largest category, a search with many hits, and 1 000 different product pages.
# Usage: bench/throughput.sh [N]      (after `make build-release`; wrk from Debian: apt install wrk)
# Env: DURATION (15s), WARMUP (5s), CONNECTIONS (32), ENGINES ("sqlite postgres"), SERVER_BIN,
#      ENCODINGS ("none br ck": which of the three rows to run per page),
#      HISTORY (0): add that many orders and ten times as many product views (bench/history.sql,
#      10 000 customers) before serving. Measuring starts once the server's start-up
#      recommendation job has finished.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-10000}"
DURATION="${DURATION:-15s}"; WARMUP="${WARMUP:-5s}"; CONNECTIONS="${CONNECTIONS:-32}"
ENGINES="${ENGINES:-sqlite postgres}"
ENCODINGS="${ENCODINGS:-none br ck}"; HISTORY="${HISTORY:-0}"
BIN="${SERVER_BIN:-${CARGO_TARGET_DIR:-$PWD/target}/release/server}"
[ -x "$BIN" ] || { echo "build first: make build-release"; exit 1; }
command -v wrk >/dev/null || { echo "wrk is missing: apt install wrk"; exit 1; }
PORT="${PORT:-3198}"
BASE="http://127.0.0.1:$PORT"
DIR="$(mktemp -d)"
SERVER_PID=""
PG_DB=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  [ -n "$PG_DB" ] && psql "$TEST_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS $PG_DB" 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT
export MEDIA_DIR="$DIR/media" LEPTOS_SITE_ADDR="127.0.0.1:$PORT" RUST_LOG=warn
export LEPTOS_OUTPUT_NAME=shop LEPTOS_SITE_ROOT="$PWD/target/site" LEPTOS_SITE_PKG_DIR=pkg LEPTOS_ENV=PROD
cat > "$DIR/paths.lua" <<'LUA'
local paths = {}
for line in io.lines(os.getenv("PATHS_FILE")) do paths[#paths + 1] = line end
request = function() return wrk.format("GET", paths[math.random(#paths)]) end
LUA

# run NAME URL_OR_PATHS [HEADER]: one measured wrk run after a warm-up; prints a table row.
run() {
  local name="$1" target="$2" header="${3:-}" args=(-t2 "-c$CONNECTIONS")
  [ -n "$header" ] && args+=(-H "$header")
  if [ -f "$target" ]; then
    args+=(-s "$DIR/paths.lua"); export PATHS_FILE="$target"; target="$BASE/"
  fi
  wrk "${args[@]}" -d"$WARMUP" "$target" >/dev/null
  local out; out="$(wrk "${args[@]}" -d"$DURATION" --latency "$target")"
  local rps p50 p99 errors
  rps="$(awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$out")"
  p50="$(awk '$1 == "50%" {print $2}' <<<"$out")"
  p99="$(awk '$1 == "99%" {print $2}' <<<"$out")"
  errors="$(awk '/Non-2xx|Socket errors/ {sub(/^ +/, ""); printf "%s; ", $0}' <<<"$out")"
  local enc=""
  case "$header" in Accept-Encoding*) enc=br ;; Cookie*) enc=ck ;; esac
  printf '| %-8s | %-34s | %-3s | %7s | %8s | %8s | %s\n' "$ENGINE" "$name" "$enc" "$rps" "$p50" "$p99" "${errors:-}"
}

# add_history ENGINE: HISTORY orders, 10×HISTORY views, HISTORY/5 reviews, 10 000 customers
# (bench/history.sql), then the recommendation job over them, as a running shop would have.
add_history() {
  local views=$((HISTORY * 10)) customers=10000 max
  max=$((HISTORY > views * 4 / 5 ? HISTORY : views * 4 / 5)); max=$((max > customers ? max : customers))
  sed -e "s/@ORDERS@/$HISTORY/g" -e "s/@VIEWS@/$views/g" -e "s/@CUSTOMERS@/$customers/g" \
      -e "s/@MAX@/$max/g" -e "s/@NOW@/$(date +%s)/g" bench/history.sql >"$DIR/history.sql"
  case "$1" in
    sqlite) sqlite3 -bail "${DATABASE_URL#sqlite://}" <"$DIR/history.sql" ;;
    postgres) psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 -1 -f "$DIR/history.sql"; psql "$DATABASE_URL" -qc "VACUUM ANALYZE" ;;
  esac
  echo "# $1 history: $HISTORY orders, $views product views, 10 000 customers added" >&2
}

bench_engine() {
  ENGINE="$1"
  export DATABASE_URL="$2"
  "$BIN" seed --demo >/dev/null
  "$BIN" seed --products "$N" >/dev/null
  [ "$HISTORY" -gt 0 ] && add_history "$ENGINE"
  # The recommendation job runs when the server starts, over the whole history window: wait for
  # it, so its CPU is not counted against the first pages measured (its log line says how long).
  RUST_LOG="warn,server::recs_job=info" "$BIN" 2>"$DIR/server-$ENGINE.log" >"$DIR/stdout-$ENGINE.log" & SERVER_PID=$!
  for _ in $(seq 1 100); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.1; done
  for _ in $(seq 1 600); do
    grep -q "recommendations refreshed\|recommendations were not refreshed" "$DIR/server-$ENGINE.log" "$DIR/stdout-$ENGINE.log" 2>/dev/null && break
    sleep 1
  done
  echo "# $ENGINE: $(grep -ho 'millis=[0-9]*' "$DIR/server-$ENGINE.log" "$DIR/stdout-$ENGINE.log" | head -1 | sed 's/millis=/recommendation job at start: /') ms" >&2
  # The largest category and 1 000 different product pages, read from the shop's own pages.
  local category
  category="$(curl -s "$BASE/" | grep -o 'href="/c/[^"?]*"' | cut -d'"' -f2 | sort -u | while read -r c; do
    printf '%s %s\n' "$(curl -s "$BASE$c" | grep -o '[0-9][0-9,]* products' | head -1 | tr -d , | cut -d' ' -f1)" "$c"
  done | sort -rn | head -1 | cut -d' ' -f2)"
  : >"$DIR/products"
  for page in $(seq 1 60); do
    curl -s "$BASE$category?page=$page" | grep -o 'href="/products/[^"?]*' | cut -d'"' -f2 >>"$DIR/products"
    [ "$(sort -u "$DIR/products" | wc -l)" -ge 1000 ] && break
  done
  sort -u "$DIR/products" | head -1000 >"$DIR/products.txt"
  echo "# $ENGINE: $N synthetic products + the demo shop; category $category; $(wc -l <"$DIR/products.txt") product pages" >&2
  # Without cookies (a crawler, a first visit) pages come from the page cache once rendered;
  # `ck` rows send a visitor cookie, which bypasses it: every such request is rendered.
  for encoding in $ENCODINGS; do
    case "$encoding" in
      none) header="" ;; br) header="Accept-Encoding: br" ;; ck) header="Cookie: mm_visitor=bench-visitor" ;;
      *) echo "ENCODINGS: none, br or ck, not $encoding" >&2; exit 2 ;;
    esac
    run "home /" "$BASE/" "$header"
    run "category $category" "$BASE$category" "$header"
    run "search /search?q=classic" "$BASE/search?q=classic" "$header"
    run "product pages (1 000 different)" "$DIR/products.txt" "$header"
  done
  printf '| %-8s | %-34s | %-3s | RSS after the runs: %s MiB (anonymous %s MiB, file-backed %s MiB: the binary and, on SQLite, the memory-mapped database); panics logged: %s; errors logged: %s\n' "$ENGINE" "server" "" \
    "$(($(ps -o rss= -p "$SERVER_PID") / 1024))" \
    "$(($(awk '/RssAnon/ {print $2}' "/proc/$SERVER_PID/status") / 1024))" \
    "$(($(awk '/RssFile/ {print $2}' "/proc/$SERVER_PID/status") / 1024))" "$(grep -c "panicked" "$DIR/server-$ENGINE.log" || true)" \
    "$(cat "$DIR/server-$ENGINE.log" "$DIR/stdout-$ENGINE.log" | grep -c " ERROR " || true)"
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
}

echo "| engine   | page                               | enc | req/s   | p50      | p99      | errors"
echo "|---|---|---|---|---|---|---|"
for engine in $ENGINES; do
  case "$engine" in
    sqlite) bench_engine sqlite "sqlite://$DIR/shop.db" ;;
    postgres)
      if [ -z "${TEST_POSTGRES_URL:-}" ]; then echo "# postgres skipped: TEST_POSTGRES_URL is not set" >&2; continue; fi
      PG_DB="shop_throughput_$$"
      base="${TEST_POSTGRES_URL%%\?*}"; query="${TEST_POSTGRES_URL#"$base"}"
      psql "$TEST_POSTGRES_URL" -qc "CREATE DATABASE $PG_DB"
      bench_engine postgres "${base%/*}/$PG_DB$query"
      ;;
  esac
done
