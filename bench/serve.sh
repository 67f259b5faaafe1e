#!/usr/bin/env bash
# Serving latency of the release build: median of sequential requests (curl) and throughput
# under load (wrk, when installed), for the home page and a category page, on the demo shop.
# Usage: bench/serve.sh            (after `make build-release`)
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
BIN="$TARGET_DIR/release/server"
[ -x "$BIN" ] || { echo "build first: make build-release"; exit 1; }
PORT="${PORT:-3199}"
N="${N:-200}"
DIR="$(mktemp -d)"
export DATABASE_URL="sqlite://$DIR/shop.db" MEDIA_DIR="$DIR/media" LEPTOS_SITE_ADDR="127.0.0.1:$PORT" RUST_LOG=warn
export LEPTOS_OUTPUT_NAME=shop LEPTOS_SITE_ROOT="$PWD/target/site" LEPTOS_SITE_PKG_DIR=pkg LEPTOS_ENV=PROD
"$BIN" seed --demo >/dev/null
"$BIN" & PID=$!
trap 'kill $PID 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done

for path in "/" "/c/fashion" "/c/fashion?sort=price_asc&page=3" "/products/$(sqlite3 "$DIR/shop.db" 'select slug from products order by id limit 1' 2>/dev/null || echo nope)"; do
  url="http://127.0.0.1:$PORT$path"
  for _ in $(seq 1 20); do curl -s -o /dev/null "$url"; done   # warm up
  median=$(for _ in $(seq 1 "$N"); do curl -s -o /dev/null -w '%{time_total}\n' "$url"; done \
    | sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]*1000}')
  line="$(printf '%-40s median %6s ms over %d sequential curl requests' "$path" "$median" "$N")"
  if command -v wrk >/dev/null; then
    rps=$(wrk -t2 -c16 -d5s "$url" | awk '/Requests\/sec/ {print $2}')
    line="$line; wrk -t2 -c16 -d5s: $rps req/s"
  fi
  echo "$line"
done
