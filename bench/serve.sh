#!/usr/bin/env bash
# Serving latency of the release build: median of sequential requests (curl) and throughput
# under load (wrk, when installed), for the home page and a category page, on the demo shop.
# Usage: bench/serve.sh            (after `make build-release`)
N="${N:-200}"
source "$(dirname "$0")/common.sh"

for path in "/" "/c/fashion" "/c/fashion?sort=price_asc&page=3" "/search?q=linen" "/search?q=hedphones" "/products/$(curl -s "$BASE/c/fashion" | grep -o 'href="/products/[^"?]*' | head -1 | cut -d/ -f3)"; do
  url="$BASE$path"
  for _ in $(seq 1 20); do curl -s -o /dev/null "$url"; done   # warm up
  median=$(median_ms "$N" "$url")
  line="$(printf '%-40s median %6s ms over %d sequential curl requests' "$path" "$median" "$N")"
  if command -v wrk >/dev/null; then
    rps=$(wrk -t2 -c16 -d5s "$url" | awk '/Requests\/sec/ {print $2}')
    line="$line; wrk -t2 -c16 -d5s: $rps req/s"
  fi
  echo "$line"
done
