#!/usr/bin/env bash
# The release build (make build-release) hydrates in a browser: serves it on a fresh demo shop
# and runs bench/release-hydrates.mjs (home, a category with add to cart, a product, the cart,
# sign-in, the dashboard). A release WASM and server that disagree on the HTML (e.g. typed vs
# erased component types) trap in the browser while every debug test passes; this catches that.
# Usage: bench/release-hydrates.sh   (after `make build-release`; needs Debian's Chromium)
source "$(dirname "$0")/common.sh"
node bench/release-hydrates.mjs "$BASE"
