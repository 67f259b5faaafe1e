#!/usr/bin/env bash
# Backups of a seeded shop (issue 18, item 4), timed on both engines: the demo shop plus N orders
# of one store (`server seed --store-orders`). SQLite: `server backup` then `server restore` into
# a new file. PostgreSQL: the README's pg_dump --format=custom / pg_restore round trip into a new
# database. Each restored shop must hold as many orders as the original, and the SQLite one must
# pass SQLite's integrity_check. Prints a table. Not part of `make test`.
# Usage: bench/backup.sh [N]   (default 100000; after `make build-release`, or SERVER_BIN=…)
# Env: TEST_POSTGRES_URL (a server where databases may be created; without it PostgreSQL is
# skipped), SERVER_BIN.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-100000}"
BIN="${SERVER_BIN:-${CARGO_TARGET_DIR:-$PWD/target}/release/server}"
[ -x "$BIN" ] || { echo "build first: make build-release (or set SERVER_BIN)"; exit 1; }
"$BIN" --help | grep "server backup" >/dev/null || { echo "$BIN has no backup command: rebuild it"; exit 1; }
DIR="$(mktemp -d)"
PG_DBS=()
cleanup() {
  for db in "${PG_DBS[@]}"; do psql "$TEST_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS $db" 2>/dev/null || true; done
  rm -rf "$DIR"
}
trap cleanup EXIT
export MEDIA_DIR="$DIR/media" RUST_LOG=warn

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", b - a}'; }
mb() { awk -v b="$1" 'BEGIN {printf "%.1f", b / 1048576}'; }
ROWS=()
row() { ROWS+=("$(printf '| %-10s | %7s | %8s MB | %-27s | %6s s | %8s MB | %6s s | %7s | %s |' "$@")"); }

# A demo shop with N orders added to its first store.
seed() {
  "$BIN" seed --demo >/dev/null
  "$BIN" seed --store-orders "$N" northwind-home >/dev/null
}

# SQLite: server backup, server restore.
export DATABASE_URL="sqlite://$DIR/shop.db"
seed
orders="$(sqlite3 "$DIR/shop.db" "SELECT COUNT(*) FROM orders")"
size="$(stat -c %s "$DIR/shop.db")"
t0="$(now)"; "$BIN" backup "$DIR/backup.db" >/dev/null; t1="$(now)"
backup_size="$(stat -c %s "$DIR/backup.db")"
t2="$(now)"; DATABASE_URL="sqlite://$DIR/restored/shop.db" "$BIN" restore "$DIR/backup.db" >/dev/null; t3="$(now)"
restored="$(sqlite3 "$DIR/restored/shop.db" "SELECT COUNT(*) FROM orders")"
integrity="$(sqlite3 "$DIR/restored/shop.db" "PRAGMA integrity_check")"
[ "$restored" = "$orders" ] && [ "$integrity" = ok ] || { echo "SQLite: restored $restored of $orders orders, $integrity"; exit 1; }
row sqlite "$orders" "$(mb "$size")" "server backup / restore" "$(secs "$t0" "$t1")" "$(mb "$backup_size")" \
  "$(secs "$t2" "$t3")" "$restored" "integrity_check ok"

# PostgreSQL: pg_dump, pg_restore into a new database.
if [ -n "${TEST_POSTGRES_URL:-}" ]; then
  base="${TEST_POSTGRES_URL%%\?*}"; query="${TEST_POSTGRES_URL#"$base"}"
  source_db="shop_bench_backup_$$"; restored_db="shop_bench_restored_$$"
  PG_DBS=("$source_db" "$restored_db")
  psql "$TEST_POSTGRES_URL" -qc "CREATE DATABASE $source_db"
  export DATABASE_URL="${base%/*}/$source_db$query"
  "$BIN" migrate >/dev/null
  seed
  orders="$(psql "$DATABASE_URL" -tAXc "SELECT COUNT(*) FROM orders")"
  size="$(psql "$DATABASE_URL" -tAXc "SELECT pg_database_size(current_database())")"
  # `server backup` on PostgreSQL says to use pg_dump, and fails.
  if "$BIN" backup "$DIR/pg.db" >"$DIR/pg-says.txt" 2>&1; then echo "server backup did not refuse PostgreSQL"; exit 1; fi
  grep -q pg_dump "$DIR/pg-says.txt" || { cat "$DIR/pg-says.txt"; exit 1; }
  t0="$(now)"; pg_dump --format=custom --file="$DIR/shop.dump" "$DATABASE_URL"; t1="$(now)"
  backup_size="$(stat -c %s "$DIR/shop.dump")"
  psql "$TEST_POSTGRES_URL" -qc "CREATE DATABASE $restored_db"
  restored_url="${base%/*}/$restored_db$query"
  t2="$(now)"
  pg_restore --no-owner --exit-on-error --single-transaction --dbname="$restored_url" "$DIR/shop.dump"
  t3="$(now)"
  restored="$(psql "$restored_url" -tAXc "SELECT COUNT(*) FROM orders")"
  [ "$restored" = "$orders" ] || { echo "PostgreSQL: restored $restored of $orders orders"; exit 1; }
  # The restored database is one this build serves: nothing left to migrate.
  migrated="$(DATABASE_URL="$restored_url" "$BIN" migrate)"
  case "$migrated" in *"(0 migration(s) applied)"*) ;; *) echo "restored PostgreSQL: $migrated"; exit 1 ;; esac
  row postgres "$orders" "$(mb "$size")" "pg_dump -Fc / pg_restore -1" "$(secs "$t0" "$t1")" "$(mb "$backup_size")" \
    "$(secs "$t2" "$t3")" "$restored" "server migrate: up to date"
else
  echo "# PostgreSQL skipped: TEST_POSTGRES_URL is not set"
fi

echo "| engine     |  orders | database    | how                        | backup   | backup file | restore  | restored | check |"
echo "|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
