#!/usr/bin/env bash
# Time to seed a synthetic catalog of N products (default 100000) on SQLite, and on PostgreSQL
# when TEST_POSTGRES_URL names a server where a database may be created.
# Usage: bench/seed.sh [N]        (after `make build-release`)
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-100000}"
BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/server"
[ -x "$BIN" ] || { echo "build first: make build-release"; exit 1; }
DIR="$(mktemp -d)"; trap 'rm -rf "$DIR"' EXIT
export RUST_LOG=warn MEDIA_DIR="$DIR/media"
echo "sqlite:   $(DATABASE_URL="sqlite://$DIR/bench.db" "$BIN" seed --products "$N")"
if [ -n "${TEST_POSTGRES_URL:-}" ]; then
  db="shop_bench_$$"
  base="${TEST_POSTGRES_URL%%\?*}"; query="${TEST_POSTGRES_URL#"$base"}"
  psql "$TEST_POSTGRES_URL" -qc "CREATE DATABASE $db"
  echo "postgres: $(DATABASE_URL="${base%/*}/$db$query" "$BIN" seed --products "$N")"
  psql "$TEST_POSTGRES_URL" -qc "DROP DATABASE $db"
fi
