#!/usr/bin/env bash
# Server-side search latency (p50/p95/p99 per query kind) on a synthetic catalog of N products
# (default 100000), on SQLite and, when TEST_POSTGRES_URL names a server where a database may be
# created, on PostgreSQL. Usage: bench/search.sh [N] [ROUNDS]   (after `make build-release`)
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-100000}"
ROUNDS="${2:-200}"
BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/server"
[ -x "$BIN" ] || { echo "build first: make build-release"; exit 1; }
DIR="$(mktemp -d)"; trap 'rm -rf "$DIR"' EXIT
export RUST_LOG=warn MEDIA_DIR="$DIR/media"
echo "== SQLite"
DATABASE_URL="sqlite://$DIR/bench.db" "$BIN" seed --products "$N"
DATABASE_URL="sqlite://$DIR/bench.db" "$BIN" bench-search "$ROUNDS"
if [ -n "${TEST_POSTGRES_URL:-}" ]; then
  echo "== PostgreSQL"
  db="shop_bench_$$"
  base="${TEST_POSTGRES_URL%%\?*}"; query="${TEST_POSTGRES_URL#"$base"}"
  psql "$TEST_POSTGRES_URL" -qc "CREATE DATABASE $db"
  trap 'rm -rf "$DIR"; psql "$TEST_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS $db"' EXIT
  url="${base%/*}/$db$query"
  DATABASE_URL="$url" "$BIN" seed --products "$N"
  psql "$url" -qc "VACUUM ANALYZE"
  DATABASE_URL="$url" "$BIN" bench-search "$ROUNDS"
fi
