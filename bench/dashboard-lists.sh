#!/usr/bin/env bash
# The dashboard's products, inventory and reviews lists at a real store's size (issue 17, item 4:
# "every list page's cost independent of how many rows the store has"): the demo shop's first
# store gets N products of its own (bench/store-catalog.sql: one variant and one review each),
# then the median of 21 sequential requests (curl, signed in as the store's owner) of each list's
# first page, a page in the middle (by cursor), and its filters and searches.
# Usage: bench/dashboard-lists.sh [SIZES…]   (default "1000 100000"; after `make build-release`)
# Env: ENGINES ("sqlite postgres"; PostgreSQL when TEST_POSTGRES_URL names a server where a
# database may be created), SERVER_BIN, N (21 requests per median).
SIZES="${*:-1000 100000}"
PORT="${PORT:-3196}"
source "$(dirname "$0")/store-bench.sh"

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
    printf '%s\n' "$script" | sql_file
    start_server
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
    stop_server
  }
}

echo "| engine | store's products | list | first page ms | middle page | by title, middle | by price | filter (out / low / unanswered) | search by SKU |"
echo "|---|---|---|---|---|---|---|---|---|"
for engine in $ENGINES; do
  for size in $SIZES; do
    case "$engine" in
      sqlite) rm -f "$DIR"/shop-*.db*; bench_engine sqlite "sqlite://$DIR/shop-$size.db" "$size" ;;
      postgres)
        postgres_db "shop_bench_lists_$$_$size"
        [ -n "$PG_URL" ] || { echo "# PostgreSQL skipped: TEST_POSTGRES_URL is not set"; break; }
        bench_engine postgres "$PG_URL" "$size" ;;
    esac
  done
done
