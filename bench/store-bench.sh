# Sourced by the benchmarks that run one store's dashboard at a size on both engines
# (orders-page.sh, dashboard-lists.sh): the release server (or SERVER_BIN) on PORT, a temp folder
# DIR removed on exit with any PostgreSQL database PG_DB made here, and the helpers below.
# Set PORT before sourcing; ENGINES ("sqlite postgres") and N (requests per median) may be set.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ENGINES="${ENGINES:-sqlite postgres}"
N="${N:-21}"
BIN="${SERVER_BIN:-${CARGO_TARGET_DIR:-$PWD/target}/release/server}"
[ -x "$BIN" ] || { echo "build first: make build-release"; exit 1; }
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

# sql QUERY: one query on the current DATABASE_URL (ENGINE sqlite or postgres), bare output.
sql() {
  case "$ENGINE" in
    sqlite) sqlite3 -bail "${DATABASE_URL#sqlite://}" "$1" ;;
    postgres) psql "$DATABASE_URL" -qtAX -v ON_ERROR_STOP=1 -c "$1" ;;
  esac
}

# sql_file: a script on standard input, on the current database.
sql_file() {
  case "$ENGINE" in
    sqlite) sqlite3 -bail "${DATABASE_URL#sqlite://}" ;;
    postgres) psql "$DATABASE_URL" -qX -v ON_ERROR_STOP=1 -f - >/dev/null ;;
  esac
}

# start_server: serves DATABASE_URL and signs in as the store's owner (COOKIE).
start_server() {
  "$BIN" & SERVER_PID=$!
  for _ in $(seq 1 100); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.1; done
  COOKIE="$(curl -s -D - -o /dev/null --data-urlencode "email=$OWNER" --data-urlencode "password=$PASSWORD" \
    "$BASE/api/auth/login" | awk -F'[:;] *' 'tolower($1) == "set-cookie" && $2 ~ /^mm_session=/ {print $2}')"
}

stop_server() {
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
}

# median_ms PATH: median time of N sequential signed-in requests, in milliseconds.
median_ms() {
  for _ in $(seq 1 "$N"); do curl -s -o /dev/null -w '%{time_total}\n' -H "Cookie: $COOKIE" "$BASE$1"; done \
    | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]*1000}'
}

# postgres_db NAME: a fresh database NAME on TEST_POSTGRES_URL's server (the previous one made
# here dropped); PG_URL is its URL, empty when TEST_POSTGRES_URL is not set. Not in a subshell:
# PG_DB must stay set for the cleanup.
postgres_db() {
  PG_URL=""
  [ -n "${TEST_POSTGRES_URL:-}" ] || return 0
  [ -n "$PG_DB" ] && psql "$TEST_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS $PG_DB"
  PG_DB="$1"
  psql "$TEST_POSTGRES_URL" -qc "CREATE DATABASE $PG_DB"
  local base="${TEST_POSTGRES_URL%%\?*}"
  PG_URL="${base%/*}/$PG_DB${TEST_POSTGRES_URL#"$base"}"
}
