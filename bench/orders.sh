#!/usr/bin/env bash
# Order placement throughput and p50/p99 (reservation + order write + test-gateway authorize and
# capture + payment events) with 16 concurrent shoppers: one hot product, and spread over 1 000
# products. SQLite (durable: WAL, synchronous=FULL) and, with TEST_POSTGRES_URL, PostgreSQL.
# Usage: bench/orders.sh [ORDERS]   (after `make build-release`)
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-2000}"
BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/server"
[ -x "$BIN" ] || { echo "build first: make build-release"; exit 1; }
DIR="$(mktemp -d)"; trap 'rm -rf "$DIR"' EXIT
export RUST_LOG=warn MEDIA_DIR="$DIR/media"
DATABASE_URL="sqlite://$DIR/orders.db" "$BIN" bench-orders "$N"
if [ -n "${TEST_POSTGRES_URL:-}" ]; then
  db="shop_bench_orders_$$"
  base="${TEST_POSTGRES_URL%%\?*}"; query="${TEST_POSTGRES_URL#"$base"}"
  psql "$TEST_POSTGRES_URL" -qc "CREATE DATABASE $db"
  trap 'rm -rf "$DIR"; psql "$TEST_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS $db"' EXIT
  DATABASE_URL="${base%/*}/$db$query" "$BIN" bench-orders "$N"
fi
