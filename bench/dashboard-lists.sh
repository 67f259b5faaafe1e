#!/usr/bin/env bash
# The dashboard's products, inventory and reviews lists at a real store's size (issue 17, item 4:
# "every list page's cost independent of how many rows the store has"): the demo shop's first
# store gets N products of its own (bench/store-catalog.sql: one variant and one review each),
# then the median of 21 sequential requests (curl, signed in as the store's owner) of each list's
# first page, a page in the middle (by cursor), and its filters and searches.
# Usage: bench/dashboard-lists.sh [SIZES…]   (default "1000 100000"; after `make build-release`)
# Env: ENGINES ("sqlite postgres"; PostgreSQL when TEST_POSTGRES_URL names a server where a
# database may be created), SERVER_BIN, N (21 requests per median).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES="${*:-1000 100000}"
ENGINES="${ENGINES:-sqlite postgres}"
N="${N:-21}"
BIN="${SERVER_BIN:-${CARGO_TARGET_DIR:-$PWD/target}/release/server}"
[ -x "$BIN" ] || { echo "build first: make build-release"; exit 1; }
PORT="${PORT:-3196}"
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
OWNER="owner@northwind-home.test"; PASSWORD="merchant-demo-pass-2026"

sql() {
  case "$ENGINE" in
    sqlite) sqlite3 -bail "${DATABASE_URL#sqlite://}" "$1" ;;
    postgres) psql "$DATABASE_URL" -qtAX -v ON_ERROR_STOP=1 -c "$1" ;;
  esac
}

median_ms() {
  for _ in $(seq 1 "$N"); do curl -s -o /dev/null -w '%{time_total}\n' -H "Cookie: $COOKIE" "$BASE$1"; done \
    | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]*1000}'
}

# bench_engine ENGINE DATABASE_URL SIZE: a fresh demo shop with SIZE products added to its first store.
bench_engine() {
  ENGINE="$1"
  export DATABASE_URL="$2"
  local size="$3"
  "$BIN" seed --demo >/dev/null
  local merchant category user
  merchant="$(sql "SELECT merchant_id FROM merchant_members mm JOIN users u ON u.id = mm.user_id WHERE u.email = '$OWNER'")"
  category="$(sql "SELECT MIN(category_id) FROM products WHERE merchant_id = $merchant")"
  user="$(sql "SELECT MIN(id) FROM users")"
  {
    local script
    script="$(sed -e "s/@N@/$size/g" -e "s/@MERCHANT@/$merchant/g" -e "s/@CATEGORY@/$category/g" \
      -e "s/@USER@/$user/g" -e "s/@NOW@/$(date +%s)/g" bench/store-catalog.sql)"
    case "$ENGINE" in
      sqlite) printf '%s\n' "$script" | sqlite3 -bail "${DATABASE_URL#sqlite://}" ;;
      postgres) printf '%s\n' "$script" | psql "$DATABASE_URL" -qX -v ON_ERROR_STOP=1 -f - >/dev/null ;;
    esac
    "$BIN" & SERVER_PID=$!
    for _ in $(seq 1 100); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.1; done
    COOKIE="$(curl -s -D - -o /dev/null --data-urlencode "email=$OWNER" --data-urlencode "password=$PASSWORD" \
      "$BASE/api/auth/login" | awk -F'[:;] *' 'tolower($1) == "set-cookie" && $2 ~ /^mm_session=/ {print $2}')"
    local products half mid_p mid_t mid_v mid_r
    products="$(sql "SELECT COUNT(*) FROM products WHERE merchant_id = $merchant")"
    half=$((products / 2))
    mid_p="$(sql "SELECT id FROM products WHERE merchant_id = $merchant ORDER BY updated_at DESC, id DESC LIMIT 1 OFFSET $half")"
    mid_t="$(sql "SELECT id FROM products WHERE merchant_id = $merchant ORDER BY LOWER(title), id LIMIT 1 OFFSET $half")"
    mid_v="$(sql "SELECT v.id FROM product_variants v JOIN products p ON p.id = v.product_id WHERE p.merchant_id = $merchant
                  ORDER BY LOWER(p.title), p.id, v.position, v.id LIMIT 1 OFFSET $half")"
    mid_r="$(sql "SELECT id FROM product_reviews WHERE merchant_id = $merchant ORDER BY id DESC LIMIT 1 OFFSET $half")"
    curl -s -H "Cookie: $COOKIE" "$BASE/admin/products?before=$mid_p" | grep -q 'data-testid="products-table"' \
      || { echo "the products page did not answer with its table"; exit 1; }
    printf '| %-8s | %7s | products | %s | %s | %s | %s | %s | %s |\n' "$ENGINE" "$products" \
      "$(median_ms /admin/products)" "$(median_ms "/admin/products?before=$mid_p")" \
      "$(median_ms "/admin/products?sort=title&before=$mid_t")" "$(median_ms "/admin/products?sort=price")" \
      "$(median_ms "/admin/products?stock=out")" "$(median_ms "/admin/products?q=BENCH-$((size / 2))")"
    printf '| %-8s | %7s | inventory | %s | %s | — | — | %s | %s |\n' "$ENGINE" "$products" \
      "$(median_ms /admin/inventory)" "$(median_ms "/admin/inventory?before=$mid_v")" \
      "$(median_ms "/admin/inventory?low=true")" "$(median_ms "/admin/inventory?q=BENCH-$((size / 2))")"
    printf '| %-8s | %7s | reviews | %s | %s | — | — | %s | %s |\n' "$ENGINE" "$products" \
      "$(median_ms /admin/reviews)" "$(median_ms "/admin/reviews?before=$mid_r")" \
      "$(median_ms "/admin/reviews?unanswered=true")" "$(median_ms "/admin/reviews?q=BENCH-$((size / 2))")"
    kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
  }
}

echo "| engine | store's products | list | first page ms | middle page | by title, middle | by price | filter (out / low / unanswered) | search by SKU |"
echo "|---|---|---|---|---|---|---|---|---|"
for engine in $ENGINES; do
  for size in $SIZES; do
    case "$engine" in
      sqlite) rm -f "$DIR"/shop-*.db*; bench_engine sqlite "sqlite://$DIR/shop-$size.db" "$size" ;;
      postgres)
        [ -n "${TEST_POSTGRES_URL:-}" ] || { echo "# PostgreSQL skipped: TEST_POSTGRES_URL is not set"; break; }
        [ -n "$PG_DB" ] && psql "$TEST_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS $PG_DB"
        PG_DB="shop_bench_lists_$$_$size"
        base="${TEST_POSTGRES_URL%%\?*}"; query="${TEST_POSTGRES_URL#"$base"}"
        psql "$TEST_POSTGRES_URL" -qc "CREATE DATABASE $PG_DB"
        bench_engine postgres "${base%/*}/$PG_DB$query" "$size" ;;
    esac
  done
done
