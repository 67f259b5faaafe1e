# Sourced by the bench scripts: starts the release server (or SERVER_BIN) on a fresh SQLite demo
# shop in a temp folder, serving target/site (or SITE_ROOT), sets BASE to its URL and DIR to the
# folder, and stops it on exit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BIN="${SERVER_BIN:-${CARGO_TARGET_DIR:-$PWD/target}/release/server}"
[ -x "$BIN" ] || { echo "build first: make build-release"; exit 1; }
PORT="${PORT:-3199}"
DIR="$(mktemp -d)"
BASE="http://127.0.0.1:$PORT"
export DATABASE_URL="sqlite://$DIR/shop.db" MEDIA_DIR="$DIR/media" LEPTOS_SITE_ADDR="127.0.0.1:$PORT" RUST_LOG=warn
export LEPTOS_OUTPUT_NAME=shop LEPTOS_SITE_ROOT="${SITE_ROOT:-$PWD/target/site}" LEPTOS_SITE_PKG_DIR=pkg LEPTOS_ENV=PROD
"$BIN" seed --demo >/dev/null
"$BIN" & SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 1 50); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.1; done

# median_ms N CURL_ARGS…: median total time of N sequential requests, in milliseconds.
median_ms() {
  local n="$1"; shift
  for _ in $(seq 1 "$n"); do curl -s -o /dev/null -w '%{time_total}\n' "$@"; done \
    | sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]*1000}'
}
