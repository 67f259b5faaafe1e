#!/usr/bin/env bash
# Cost of signing in on the release build: median server-side latency of one login (sequential
# curl; dominated by Argon2id) and sustained logins per second under load (wrk, 4 connections).
# Usage: bench/login.sh            (after `make build-release`)
PORT="${PORT:-3198}"
source "$(dirname "$0")/common.sh"

url="$BASE/api/auth/login"
body="email=shopper%40meridian.test&password=shopper-demo-pass-2026"
median=$(median_ms 40 -X POST -H 'Content-Type: application/x-www-form-urlencoded' --data "$body" "$url")
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
  page=$(median_ms 30 "$BASE/c/fashion")
  wait $W || true
  echo "category page during the login burst: median ${page} ms (30 sequential curl requests)"
fi
