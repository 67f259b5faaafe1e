#!/usr/bin/env bash
# Lighthouse (mobile, simulated throttling: Lighthouse's defaults) on the shopper's pages of the
# release build, in Debian's Chromium, printed as a table: performance, time to interactive,
# total blocking time, largest contentful paint, accessibility, and the audits that cost points.
# Usage: bench/lighthouse.sh            (after `make build-release`; installs Lighthouse 12.2.3 into
#        bench/.lighthouse on first use: 13 wants Node 22)
# RUNS=3 takes the median of three runs per page.
RUNS="${RUNS:-1}"
source "$(dirname "$0")/common.sh"
LH_DIR="$PWD/bench/.lighthouse"
if [ ! -x "$LH_DIR/node_modules/.bin/lighthouse" ]; then
  npm install --silent --no-audit --no-fund --prefix "$LH_DIR" -E lighthouse@12.2.3 >/dev/null
fi
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"
OUT="$DIR/lighthouse"; mkdir -p "$OUT"
product="$(curl -s "$BASE/c/fashion" | grep -o 'href="/products/[^"?]*' | head -1 | cut -d/ -f3)"
# The cart with something in it: a guest cart cookie from one add.
jar="$DIR/cookies"
variant="$(curl -s "$BASE/products/$product" | grep -o 'name="variant_id" value="[0-9]*' | head -1 | grep -o '[0-9]*$')"
curl -s -o /dev/null -c "$jar" -b "$jar" -H "Origin: $BASE" -d "variant_id=$variant&quantity=1" "$BASE/api/cart/add"
cart_cookie="$(awk '!/^#/ && NF >= 7 {printf "%s%s=%s", sep, $6, $7; sep="; "}' "$jar")"
pages=("home /" "category /c/fashion" "product /products/$product" "search /search?q=linen" "cart /cart")
for entry in "${pages[@]}"; do
  name="${entry%% *}"; path="${entry#* }"
  headers="{}"
  [ "$name" = cart ] && headers="{\"Cookie\": \"$cart_cookie\"}"
  for run in $(seq 1 "$RUNS"); do
    "$LH_DIR/node_modules/.bin/lighthouse" "$BASE$path" --quiet --output=json --output-path="$OUT/$name-$run.json" \
      --only-categories=performance,accessibility --extra-headers="$headers" \
      --chrome-flags="--headless=new --no-sandbox --disable-gpu" >/dev/null 2>&1 || echo "lighthouse failed on $path" >&2
  done
done
node bench/lighthouse-table.mjs "$OUT" "$RUNS" home category product search cart
