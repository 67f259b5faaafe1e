#!/usr/bin/env bash
# Does a page's cost grow with the shop's history? (issue 15: "the same throughput (±15 %) at 400
# and at 100 000 orders with 1 000 000 product views"). Runs bench/throughput.sh twice on the same
# catalog (demo shop + N synthetic products): once with the demo's 400 orders, once after adding
# HISTORY orders and ten times as many product views (bench/history.sql), then prints each page's
# req/s side by side with the ratio. Rows: no cookie (served from the page cache after the first
# render) and `ck` (a visitor cookie: rendered on every request, the rows that would show history
# read per request).
# Usage: bench/history.sh [N] [HISTORY]   (defaults 10000 and 100000; after `make build-release`)
# BASE_HISTORY (default 0) adds that much history to the first run too: with BASE_HISTORY=100000
# and HISTORY=200000 both shops have reviews on every product and full recommendation tables, so
# the comparison is of history alone, not of the richer pages (ratings, "also bought") a shop
# with any history shows.
# Env as bench/throughput.sh (ENGINES, DURATION, WARMUP, CONNECTIONS, TEST_POSTGRES_URL).
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
N="${1:-10000}"
HISTORY_ORDERS="${2:-100000}"
export ENCODINGS="${ENCODINGS:-none ck}"
OUT="$(mktemp -d)"; trap 'rm -rf "$OUT"' EXIT
BASE_HISTORY="${BASE_HISTORY:-0}"
HISTORY="$BASE_HISTORY" bench/throughput.sh "$N" | tee "$OUT/before"
HISTORY="$HISTORY_ORDERS" bench/throughput.sh "$N" | tee "$OUT/after"
echo
echo "| engine | page | enc | req/s at $BASE_HISTORY more orders | req/s at $HISTORY_ORDERS more | ratio | p99 before | p99 after"
echo "|---|---|---|---|---|---|---|---|"
# Rows are "| engine | page | enc | req/s | p50 | p99 | errors"; the server RSS rows are skipped.
join -t $'\t' \
  <(awk -F'|' '$5 ~ /^ *[0-9]+ *$/ {gsub(/^ +| +$/, "", $2); gsub(/^ +| +$/, "", $3); gsub(/^ +| +$/, "", $4);
      gsub(/ /, "", $5); gsub(/ /, "", $7); print $2 "#" $3 "#" $4 "\t" $5 "\t" $7}' "$OUT/before" | sort) \
  <(awk -F'|' '$5 ~ /^ *[0-9]+ *$/ {gsub(/^ +| +$/, "", $2); gsub(/^ +| +$/, "", $3); gsub(/^ +| +$/, "", $4);
      gsub(/ /, "", $5); gsub(/ /, "", $7); print $2 "#" $3 "#" $4 "\t" $5 "\t" $7}' "$OUT/after" | sort) |
  awk -F'\t' '{split($1, k, "#"); printf "| %s | %s | %s | %s | %s | %.2f | %s | %s\n", k[1], k[2], (k[3] == "" ? "-" : k[3]), $2, $4, $4 / $2, $3, $5}'
