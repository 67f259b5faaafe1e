#!/usr/bin/env bash
# Proves the deploy kit on this machine (not part of `make test`; run as root, after
# `make build-release`): Debian's nginx with deploy/nginx/meridian-market.conf — the committed
# file, rendered by sed with a self-signed certificate, temp paths and high ports — in front of
# the release server on a fresh SQLite demo shop configured from deploy/env.example. Then curl
# checks redirects, TLS + HTTP/2, caching, health, client addresses, body limits and /metrics.
# Everything (processes, temp folder) is removed on exit (KEEP_TMP=1 keeps the folder and logs).
# Exit status: the number of failed checks.
#   SERVER_BIN=… SITE_ROOT=… deploy/smoke.sh      (defaults: target/release/server, target/site)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BIN="${SERVER_BIN:-${CARGO_TARGET_DIR:-$PWD/target}/release/server}"
SITE="${SITE_ROOT:-${CARGO_TARGET_DIR:-$PWD/target}/site}"
HTTP_PORT="${HTTP_PORT:-8080}" HTTPS_PORT="${HTTPS_PORT:-8443}"
SHOP_PORT="${SHOP_PORT:-3297}" METRICS_PORT="${METRICS_PORT:-9397}"
[ -x "$BIN" ] && [ -f "$SITE/pkg/shop.wasm" ] || { echo "build first: make build-release (or set SERVER_BIN, SITE_ROOT)"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "run as root (nginx's workers switch to www-data, as on a server)"; exit 1; }
if ! command -v nginx >/dev/null; then
  echo "==> installing nginx from Debian"
  DEBIAN_FRONTEND=noninteractive apt-get install -y nginx >/dev/null
fi
for port in "$HTTP_PORT" "$HTTPS_PORT" "$SHOP_PORT" "$METRICS_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "port $port is in use; set *_PORT"; exit 1; fi
done

T="$(mktemp -d /tmp/meridian-smoke.XXXXXX)"
NGINX_PID="" SERVER_PID=""
cleanup() {
  [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  if [ -n "${KEEP_TMP:-}" ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
chmod 755 "$T" # nginx's workers (www-data) read the site and the images, as on a server
mkdir -p "$T/tls" "$T/log" "$T/data/media" "$T/acme/.well-known/acme-challenge" "$T/backups"
cp -r "$SITE" "$T/site"

echo "==> self-signed certificate for localhost"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost -keyout "$T/tls/privkey.pem" -out "$T/tls/fullchain.pem" 2>/dev/null

echo "==> rendering deploy/nginx/meridian-market.conf and Debian's nginx.conf"
sed -e "s#/etc/letsencrypt/live/shop.example.com/#$T/tls/#" \
    -e "s#shop.example.com#localhost#g" \
    -e "s#listen 80;#listen 127.0.0.1:$HTTP_PORT;#" \
    -e "s#listen 443 #listen 127.0.0.1:$HTTPS_PORT #" \
    -e '/listen \[::\]/d' \
    -e "s#/opt/meridian-market/site#$T/site#g" \
    -e "s#/var/lib/meridian-market/media#$T/data/media#g" \
    -e "s#/var/www/html#$T/acme#g" \
    -e "s#/var/log/nginx/#$T/log/#g" \
    -e "s#127.0.0.1:3000#127.0.0.1:$SHOP_PORT#" \
    deploy/nginx/meridian-market.conf >"$T/site.conf"
sed -e "s#^pid .*#pid $T/nginx.pid;#" \
    -e "s#include /etc/nginx/sites-enabled/\*;#include $T/site.conf;#" \
    -e '\#include /etc/nginx/conf.d/#d' \
    -e "s#/var/log/nginx/#$T/log/#g" \
    /etc/nginx/nginx.conf >"$T/nginx.conf"
grep -q "include $T/site.conf" "$T/nginx.conf" || { echo "could not render Debian's nginx.conf"; exit 1; }

echo "==> the shop: deploy/env.example with test paths, seeded with the demo"
sed -e "s#/var/lib/meridian-market#$T/data#g" -e "s#/opt/meridian-market/site#$T/site#" \
    -e "s#127.0.0.1:3000#127.0.0.1:$SHOP_PORT#" -e "s#127.0.0.1:9090#127.0.0.1:$METRICS_PORT#" \
    -e "s#https://shop.example.com#https://localhost:$HTTPS_PORT#" deploy/env.example >"$T/env"
set -a
# shellcheck disable=SC1091
. "$T/env"
# The demo's published passwords and the test gateway are refused in production mode, and
# `seed --demo` with them: this one shop runs in development mode with no mail.
APP_ENV=development COOKIE_SECURE=false PAYMENTS=test SMTP_URL=
set +a
"$BIN" seed --demo >"$T/log/seed.log" 2>&1
"$BIN" >"$T/log/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$SHOP_PORT/healthz" >/dev/null && break; sleep 0.1; done

echo "==> nginx -t, then nginx in the foreground"
nginx -t -q -p "$T" -e "$T/log/error.log" -c "$T/nginx.conf"
nginx -p "$T" -e "$T/log/error.log" -c "$T/nginx.conf" -g 'daemon off;' &
NGINX_PID=$!
for _ in $(seq 1 50); do [ -s "$T/nginx.pid" ] && break; sleep 0.1; done
sleep 0.3

C=(curl -sS -k --resolve "localhost:$HTTPS_PORT:127.0.0.1" --resolve "localhost:$HTTP_PORT:127.0.0.1")
S="https://localhost:$HTTPS_PORT"
FAILED=0
check() { # check NAME EXPECTED ACTUAL — ACTUAL must match the extended regex EXPECTED
  if [[ "$3" =~ $2 ]]; then printf 'PASS  %-62s %s\n' "$1" "$3"
  else printf 'FAIL  %-62s got %q, want /%s/\n' "$1" "$3" "$2"; FAILED=$((FAILED + 1)); fi
}
header() { tr -d '\r' | grep -i "^$1:" | head -1 | cut -d' ' -f2-; }

check "http -> 301 to https (same path)" '^301 https://localhost/c/fashion\?sort=price_asc$' \
  "$("${C[@]}" -o /dev/null -w '%{http_code} %{redirect_url}' "http://localhost:$HTTP_PORT/c/fashion?sort=price_asc")"
echo token-body >"$T/acme/.well-known/acme-challenge/token1"
check "http ACME http-01 path still served" '^200 token-body$' \
  "$("${C[@]}" -o "$T/a" -w '%{http_code} ' "http://localhost:$HTTP_PORT/.well-known/acme-challenge/token1"; cat "$T/a")"
check "https home page over HTTP/2" '^200 2$' "$("${C[@]}" --http2 -o "$T/home.html" -w '%{http_code} %{http_version}' "$S/")"
check "TLS 1.1 refused (TLS 1.2+ only)" '^000$' \
  "$("${C[@]}" --tls-max 1.1 -o /dev/null -w '%{http_code}' "$S/" 2>/dev/null || true)"
H="$("${C[@]}" -D - -o /dev/null "$S/")"
check "HSTS once (nginx's; the shop's copy hidden)" '^1$' "$(grep -ci '^strict-transport-security:' <<<"$H")"
check "Server header without a version (server_tokens off)" '^nginx$' "$(header server <<<"$H")"
check "the page loads /pkg/shop.js" '^1$' "$(grep -c '/pkg/shop\.js' "$T/home.html" | sed 's/[1-9][0-9]*/1/')"
H="$("${C[@]}" -D - -o /dev/null -H 'Accept-Encoding: gzip' "$S/pkg/shop.wasm")"
check "/pkg/shop.wasm: Cache-Control (names not hashed)" '^no-cache$' "$(header cache-control <<<"$H")"
check "/pkg/shop.wasm: precompressed .gz (gzip_static)" '^gzip$' "$(header content-encoding <<<"$H")"
check "/pkg/shop.wasm: type application/wasm" '^application/wasm$' "$(header content-type <<<"$H")"
ETAG="$(header etag <<<"$H")"
check "/pkg/shop.wasm: revalidates to 304" '^304$' \
  "$("${C[@]}" -o /dev/null -w '%{http_code}' -H 'Accept-Encoding: gzip' -H "If-None-Match: $ETAG" "$S/pkg/shop.wasm")"
IMG="$(grep -o '/media/[^"?]*' "$T/home.html" | head -1)"
H="$("${C[@]}" -D - -o /dev/null "$S$IMG")"
check "/media image ($IMG): 200 from nginx, a year, immutable" '^200 public, max-age=31536000, immutable$' \
  "$(head -1 <<<"$H" | cut -d' ' -f2) $(header cache-control <<<"$H")"
check "/media dot-file (upload temp name) -> 404" '^404$' "$("${C[@]}" -o /dev/null -w '%{http_code}' "$S/media/.x.tmp")"
check "/healthz 200" '^200 .*"ok"' "$("${C[@]}" -w '%{http_code} ' -o "$T/h" "$S/healthz"; cat "$T/h")"
check "/readyz 200" '^200$' "$("${C[@]}" -o /dev/null -w '%{http_code}' "$S/readyz")"
check "/metrics through nginx -> 404" '^404$' "$("${C[@]}" -o /dev/null -w '%{http_code}' "$S/metrics")"
check "/metrics on METRICS_ADDR (loopback) -> 200" '^200$' \
  "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$METRICS_PORT/metrics")"

# Client address: connect from 127.0.0.2 (nginx's $remote_addr) with a made-up X-Forwarded-For;
# a failed sign-in claims the throttle key "ip:<client>" (login_failures) before the password
# is checked, so the database shows which address the shop believed.
LOGIN=(--http2 -o /dev/null -w '%{http_code}' -H 'Content-Type: application/x-www-form-urlencoded'
  --data 'email=nobody%40example.com&password=not-the-password-1')
"${C[@]}" --interface 127.0.0.2 -H 'X-Forwarded-For: 203.0.113.9' "${LOGIN[@]}" "$S/api/auth/login" >/dev/null
KEYS="$(sqlite3 "$T/data/shop.db" "SELECT group_concat(key, ' ') FROM login_failures WHERE key LIKE 'ip:%'")"
check "client address = nginx's peer 127.0.0.2, spoofed XFF ignored" '^ip:127\.0\.0\.2$' "$KEYS"
check "same-site POST (Origin with port, Host passed on) not refused" '^(200|4(0[0-2]|22|29))$' \
  "$("${C[@]}" -H "Origin: $S" "${LOGIN[@]}" "$S/api/auth/login")"
check "cross-site POST (Origin evil.example) -> 403" '^403$' \
  "$("${C[@]}" -H 'Origin: https://evil.example' "${LOGIN[@]}" "$S/api/auth/login")"

# Body limits: nginx refuses what the shop would refuse anyway, before it reaches the shop.
head -c $((256 * 1024 + 1)) /dev/zero | tr '\0' a >"$T/big-form"
check "300 KB server-function POST -> 413 from nginx" '^413 .*nginx' \
  "$("${C[@]}" -w '%{http_code} ' -o "$T/b" --data-binary @"$T/big-form" "$S/api/auth/login"; tr -d '\n' <"$T/b")"
# Large uploads as the store's owner (the legitimate case: the shop reads the whole body and
# answers 303 with its own verdict).
"${C[@]}" -c "$T/jar" -o /dev/null --data 'email=owner%40northwind-home.test&password=merchant-demo-pass-2026' \
  "$S/api/auth/login"
PRODUCT="$(sqlite3 "$T/data/shop.db" "SELECT min(id) FROM products WHERE merchant_id = 1")"
{ echo 'handle,title,description,category,status,option_names,option_values,sku,price,compare_at_price,stock'
  head -c $((20 * 1024 * 1024)) /dev/zero | tr '\0' x | fold -w 1000 | sed 's/^/h,t,/'; } >"$T/big.csv"
check "20 MB CSV import as the owner passes nginx (shop answers 303)" '^303$' \
  "$("${C[@]}" -b "$T/jar" -o /dev/null -w '%{http_code}' -F "file=@$T/big.csv;type=text/csv" "$S/admin/products/import")"
head -c $((26 * 1024 * 1024)) /dev/zero >"$T/26m"
check "26 MB CSV import POST -> 413 from nginx (limit 25 MB + 64 KB)" '^413$' \
  "$("${C[@]}" -b "$T/jar" -o /dev/null -w '%{http_code}' -F "file=@$T/26m;type=text/csv" "$S/admin/products/import" 2>/dev/null || true)"
head -c $((9 * 1024 * 1024)) /dev/urandom >"$T/9m.png"
check "3 x 9 MB image upload as the owner passes nginx (shop answers 303)" '^303$' \
  "$("${C[@]}" -b "$T/jar" -o /dev/null -w '%{http_code}' -F "images=@$T/9m.png" -F "images=@$T/9m.png" -F "images=@$T/9m.png" \
    "$S/admin/products/$PRODUCT/images")"
head -c $((102 * 1024 * 1024)) /dev/zero >"$T/102m"
check "102 MB image upload POST -> 413 from nginx (limit 101 MB)" '^413$' \
  "$("${C[@]}" -b "$T/jar" -o /dev/null -w '%{http_code}' -F "images=@$T/102m" "$S/admin/products/$PRODUCT/images" 2>/dev/null || true)"

# A large upload WITHOUT a session (a merchant whose session ran out mid-upload): the shop reads
# the body to its end before its redirect to sign-in (server/src/drain.rs). Answering first and
# closing made nginx, still sending the buffered body, see a reset and answer 502 (found here).
check "2 MB CSV import POST without a session -> the shop's 303" '^303$' \
  "$("${C[@]}" -o /dev/null -w '%{http_code}' -F "file=@$T/big.csv;type=text/csv" "$S/admin/products/import" 2>/dev/null || true)"

"${C[@]}" -o /dev/null "$S/healthz"
ID="$(tail -1 "$T/log/meridian-market.access.log" | grep -o 'id=[0-9a-f]*' | cut -d= -f2)"
check "nginx's \$request_id is the shop's request_id (one id, two logs)" '^1$' \
  "$(grep -c "\"request_id\":\"$ID\"" "$T/log/server.log" || true)"

# MemoryDenyWriteExecute=yes in the unit is safe only if the server never maps memory writable
# and executable: look at the running process.
check "server has no writable+executable mapping (MDWE-safe)" '^0$' "$(grep -c ' rwx' "/proc/$SERVER_PID/maps" || true)"
check "server backup with the env file" '^ok$' \
  "$("$BIN" backup "$T/backups/shop.db" >/dev/null 2>&1 && [ -s "$T/backups/shop.db" ] && echo ok || echo failed)"
check "nginx error log: no [emerg]/[crit]/[alert]" '^0$' "$(grep -c '\[\(emerg\|crit\|alert\)\]' "$T/log/error.log" "$T/log/meridian-market.error.log" 2>/dev/null | awk -F: '{s+=$2} END {print s+0}')"
check "shop log: no panic" '^0$' "$(grep -ci 'panic' "$T/log/server.log" || true)"

echo
if [ "$FAILED" = 0 ]; then echo "smoke: all checks passed"; else echo "smoke: $FAILED check(s) failed (logs were in $T/log)"; tail -5 "$T/log/server.log"; fi
exit "$FAILED"
