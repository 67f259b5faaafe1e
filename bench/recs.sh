#!/usr/bin/env bash
# Item-to-item similarity recompute time (median of 3 runs, pairs kept, the peak baskets over the
# size cap) on a synthetic order log of PRODUCTS products and LINES order lines (defaults 100 000
# and 1 000 000), plus the in-memory prediction latency. No database.
# Usage: bench/recs.sh [PRODUCTS] [LINES] [SEED]   (after `cargo build --release -p server`)
set -euo pipefail
cd "$(dirname "$0")/.."
PRODUCTS="${1:-100000}"
LINES="${2:-1000000}"
SEED="${3:-1}"
BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/server"
[ -x "$BIN" ] || { echo "build first: cargo build --release -p server (or make build-release)"; exit 1; }
RUST_LOG=warn "$BIN" bench-recs --products "$PRODUCTS" --lines "$LINES" --seed "$SEED"
