#!/usr/bin/env bash
# The dashboard's orders page at a real store's size (issue 17: "the time of the orders page at
# 10,000 and 100,000 orders"): the demo shop's first store gets SIZES orders of its own, then, at each size, the median of 21 sequential requests (curl, signed
# in as the store's owner) of: the queue's first page, a page in the middle (by cursor), a status
# filter, a search by e-mail, a search by SKU, and the whole orders CSV (one request). The orders
# are added by `server seed --store-orders` (bench/store-orders.sql) on top of the demo's.
# Usage: bench/orders-page.sh [SIZES…]   (default "10000 100000"; after `make build-release`)
# Env: ENGINES ("sqlite postgres"; PostgreSQL when TEST_POSTGRES_URL names a server where a
# database may be created), SERVER_BIN, N (21 requests per median).
SIZES="${*:-10000 100000}"
PORT="${PORT:-3197}"
source "$(dirname "$0")/store-bench.sh"

bench_engine() {
  ENGINE="$1"
  export DATABASE_URL="$2"
  "$BIN" seed --demo >/dev/null
  local merchant added=0
  merchant="$(sql "SELECT merchant_id FROM merchant_members mm JOIN users u ON u.id = mm.user_id WHERE u.email = '$OWNER'")"
  for size in $SIZES; do
    "$BIN" seed --store-orders $((size - added)) northwind-home >&2
    added="$size"
    start_server
    local count middle email sku
    count="$(sql "SELECT COUNT(*) FROM order_parts WHERE merchant_id = $merchant")"
    middle="$(sql "SELECT order_id FROM order_parts WHERE merchant_id = $merchant ORDER BY order_id LIMIT 1 OFFSET $((count / 2))")"
    email="buyer-$((size / 3))@example.com"  # an order from the first third
    sku="$(sql "SELECT sku FROM product_variants WHERE merchant_id = $merchant ORDER BY id LIMIT 1")"
    local first mid status search skus csv
    first="$(median_ms "/admin/orders")"
    mid="$(median_ms "/admin/orders?before=$middle")"
    status="$(median_ms "/admin/orders?status=shipped")"
    search="$(median_ms "/admin/orders?q=$email")"
    skus="$(median_ms "/admin/orders?q=$sku")"
    csv="$(curl -s -o "$DIR/orders.csv" -w '%{time_total}' -H "Cookie: $COOKIE" "$BASE/admin/orders.csv" | awk '{printf "%.0f", $1*1000}')"
    curl -s -H "Cookie: $COOKIE" "$BASE/admin/orders?q=$email" | grep -q "$email" || { echo "the search did not find $email"; exit 1; }
    printf '| %-8s | %7s | %6s | %6s | %6s | %6s | %6s | %6s ms (%s rows) |\n' "$ENGINE" "$count" "$first" "$mid" "$status" "$search" "$skus" "$csv" "$(($(wc -l <"$DIR/orders.csv") - 1))"
    stop_server
  done
}

echo "| engine | store's orders | first page ms | middle page | status filter | e-mail search | SKU search | whole CSV |"
echo "|---|---|---|---|---|---|---|---|"
for engine in $ENGINES; do
  case "$engine" in
    sqlite) bench_engine sqlite "sqlite://$DIR/shop.db" ;;
    postgres)
      postgres_db "shop_bench_orders_$$"
      [ -n "$PG_URL" ] || { echo "# PostgreSQL skipped: TEST_POSTGRES_URL is not set"; continue; }
      bench_engine postgres "$PG_URL" ;;
  esac
done
