#!/usr/bin/env bash
# Cost of signing in on the release build: median server-side latency of one login (sequential
# curl; dominated by Argon2id) and sustained logins per second under load (wrk, 4 connections).
# Usage: bench/login.sh            (after `make build-release`)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/server"
[ -x "$BIN" ] || { echo "build first: make build-release"; exit 1; }
PORT="${PORT:-3198}"
DIR="$(mktemp -d)"
export DATABASE_URL="sqlite://$DIR/shop.db" MEDIA_DIR="$DIR/media" LEPTOS_SITE_ADDR="127.0.0.1:$PORT" RUST_LOG=warn
export LEPTOS_OUTPUT_NAME=shop LEPTOS_SITE_ROOT="$PWD/target/site" LEPTOS_SITE_PKG_DIR=pkg LEPTOS_ENV=PROD
"$BIN" seed --demo >/dev/null
"$BIN" & PID=$!
trap 'kill $PID 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
url="http://127.0.0.1:$PORT/api/auth/login"
body="email=shopper%40meridian.test&password=shopper-demo-pass-2026"
median=$(for _ in $(seq 1 40); do
  curl -s -o /dev/null -w '%{time_total}\n' -X POST -H 'Content-Type: application/x-www-form-urlencoded' --data "$body" "$url"
done | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]*1000}')
echo "one login: median ${median} ms over 40 sequential requests (curl)"
if command -v wrk >/dev/null; then
  cat > "$DIR/login.lua" <<LUA
wrk.method = "POST"
wrk.body = "$body"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
LUA
  rps=$(wrk -t2 -c4 -d10s -s "$DIR/login.lua" "$url" | awk '/Requests\/sec/ {print $2}')
  echo "sustained: $rps logins/s (wrk -t2 -c4 -d10s, $(nproc) cores)"
  # Meanwhile, do page views stall? Median of a page while logins saturate the hashing pool.
  wrk -t1 -c4 -d12s -s "$DIR/login.lua" "$url" >/dev/null & W=$!
  sleep 2
  page=$(for _ in $(seq 1 30); do curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$PORT/c/fashion"; done \
    | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]*1000}')
  wait $W || true
  echo "category page during the login burst: median ${page} ms (30 sequential curl requests)"
fi
