#!/usr/bin/env bash
# Page latency on a large synthetic catalog (default 100000 products, SQLite): the first request
# (cold caches) and the median of 21 after it, for the home page, a root and a leaf category,
# filtered and sorted listings, and searches. Usage: bench/pages-large.sh [N]   (after `make build-release`)
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-100000}"
BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/server"
[ -x "$BIN" ] || { echo "build first: make build-release"; exit 1; }
PORT="${PORT:-3198}"
DIR="$(mktemp -d)"
BASE="http://127.0.0.1:$PORT"
export DATABASE_URL="sqlite://$DIR/shop.db" MEDIA_DIR="$DIR/media" LEPTOS_SITE_ADDR="127.0.0.1:$PORT" RUST_LOG=warn
export LEPTOS_OUTPUT_NAME=shop LEPTOS_SITE_ROOT="$PWD/target/site" LEPTOS_SITE_PKG_DIR=pkg LEPTOS_ENV=PROD
"$BIN" seed --products "$N"
"$BIN" & SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 1 50); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.1; done
for path in "/" "/c/home-living" "/c/kitchen-dining" "/c/kitchen-dining?sort=price_asc&page=3" \
            "/c/kitchen-dining?sort=rating&stock=1" "/search?q=pocket" "/search?q=linen+storage" "/search?q=pcoket"; do
  first=$(curl -s -o /dev/null -w '%{time_total}' "$BASE$path")
  median=$(for _ in $(seq 1 21); do curl -s -o /dev/null -w '%{time_total}\n' "$BASE$path"; done | sort -n | sed -n 11p)
  status=$(curl -s -o /dev/null -w '%{http_code}' "$BASE$path")
  awk -v p="$path" -v s="$status" -v f="$first" -v m="$median" \
    'BEGIN { printf "%-44s %s  first %7.1f ms  median %6.1f ms\n", p, s, f * 1000, m * 1000 }'
done
