# The two commands that matter: `make run` (serve the demo shop) and `make test` (every test).
# Both install what is missing first; nothing needs to be set up by hand.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

export PATH := $(HOME)/.cargo/bin:$(CURDIR)/node_modules/.bin:$(PATH)

CARGO_LEPTOS_VERSION := 0.3.10
WASM_BINDGEN_VERSION := 0.2.130
TARGET_DIR := $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)
SITE_ROOT := $(CURDIR)/target/site
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# cargo-leptos builds debug binaries with this flag and this compile-time variable; the tests
# use the same so that `cargo test` and `cargo leptos build` share one compilation of the server.
TEST_ENV := RUSTFLAGS="--cfg erase_components" LEPTOS_OUTPUT_NAME=shop
# What a shopper downloads before a storefront page is interactive (bench/first-load.mjs), in KB
# brotli; make test fails above it. The goal is 250. Measured 412.4 KB at ea17828 and 446.8 KB at
# 78f43e0 (2026-12-06, same machine, `LEPTOS_SITE_ROOT=target/size-site cargo leptos build --release
# --split --frontend-only` then bench/first-load.mjs): that commit (shipping zones and tax rules:
# two more lazy dashboard routes and the pricing domain) put 33 KB into the storefront's first load.
# Why (found later): wasm-split moves a lazy page's functions into its chunk but not its data, and
# the `view!` templates' static HTML of every page, dashboard ones included, sits in shop.wasm's
# data section (its largest segment, 79 KB raw at 59fafac). Every new dashboard page therefore
# adds its markup to the storefront's first load: 448.0 KB at 59fafac, 451.0 KB after staff,
# /join and /verify-email (2026-12-06). The budget holds today's size (455) until issue 15 moves
# that data out of the main module; it is not room to grow.
FIRST_LOAD_BUDGET_KB := 455

# How the built server finds its site (the same values cargo-leptos would give it).
SITE_ENV := LEPTOS_OUTPUT_NAME=shop LEPTOS_SITE_ROOT=$(SITE_ROOT) LEPTOS_SITE_PKG_DIR=pkg LEPTOS_ENV=PROD

.PHONY: help setup tools run dev test test-rust test-e2e test-size build-release bench-seed bench-search bench-orders bench-recs eval-recs simulate-carriers clean

# Demo only: `make run` and `make simulate-carriers` sign carrier webhooks with this shared secret
# unless CARRIER_WEBHOOK_SECRETS is set. Set real per-carrier secrets in production.
DEMO_CARRIER_SECRETS := *=demo-carrier-secret-not-for-production
CARRIER_ENV = CARRIER_WEBHOOK_SECRETS="$${CARRIER_WEBHOOK_SECRETS:-$(DEMO_CARRIER_SECRETS)}"
# Without SMTP_URL, `make run` keeps each message as a file here (links to open) instead of logging it.
MAIL_ENV = MAIL_DIR="$${MAIL_DIR:-data/mail}"

help:
	@echo "make run    build in release, seed the demo shop into data/shop.db, serve http://127.0.0.1:3000"
	@echo "make dev    live-reloading development server (cargo leptos watch)"
	@echo "make test   unit, storage conformance (SQLite + PostgreSQL), integration and end-to-end tests"

setup: tools node_modules/.installed

tools:
	@command -v cargo >/dev/null || { echo "error: cargo is not installed (install Rust with rustup)"; exit 1; }
	@command -v npm >/dev/null || { echo "error: npm is not installed (install Node.js 20+)"; exit 1; }
	@rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown || { \
		echo "==> adding the wasm32-unknown-unknown Rust target"; rustup target add wasm32-unknown-unknown; }
	@cargo leptos --version 2>/dev/null | grep -q "$(CARGO_LEPTOS_VERSION)" || { \
		echo "==> installing cargo-leptos $(CARGO_LEPTOS_VERSION) (first run only: compiles for 10-20 minutes)"; \
		cargo install cargo-leptos@$(CARGO_LEPTOS_VERSION) --locked --features no_downloads; }
	@wasm-bindgen --version 2>/dev/null | grep -q "$(WASM_BINDGEN_VERSION)" || { \
		echo "==> installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION) (first run only: a few minutes)"; \
		cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION); }

# Tailwind, wasm-opt (binaryen) and Playwright come from npm, pinned by package-lock.json.
node_modules/.installed: package.json package-lock.json
	@echo "==> installing Node tools with npm ci (Tailwind, wasm-opt, Playwright)"
	npm ci --no-audit --no-fund
	@touch $@

chromium:
	@test -x /usr/bin/chromium || { \
		echo "==> installing Debian's Chromium for the end-to-end tests"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

build-release: setup
	@echo "==> building the shop in release mode (server + WASM + CSS)"
	cargo leptos build --release --precompress --split

run: build-release
	@mkdir -p data
	@echo "==> migrating and, if it is empty, seeding the demo shop into $${DATABASE_URL:-sqlite://data/shop.db}"
	$(SITE_ENV) $(TARGET_DIR)/release/server seed --demo
	@echo ""
	@echo "    The shop is at http://$${LEPTOS_SITE_ADDR:-127.0.0.1:3000}   (Ctrl-C stops it)"
	@echo ""
	$(SITE_ENV) $(CARRIER_ENV) $(MAIL_ENV) exec $(TARGET_DIR)/release/server

dev: setup
	@mkdir -p data
	cargo leptos build --split
	$(SITE_ENV) $(TARGET_DIR)/debug/server seed --demo
	cargo leptos watch --split

test: setup chromium test-rust test-e2e test-size

test-rust: setup
	@echo "==> unit, storage conformance and server integration tests"
	@if [ -z "$${TEST_POSTGRES_URL:-}" ]; then \
		echo "NOTE: TEST_POSTGRES_URL is not set: the PostgreSQL half of the conformance suite is SKIPPED."; \
		echo "      .ci/run sets it up; locally: TEST_POSTGRES_URL=postgres:///shop_test?host=/var/run/postgresql make test"; \
	else echo "    PostgreSQL conformance runs against $${TEST_POSTGRES_URL%%\?*}"; fi
	$(TEST_ENV) cargo test --workspace --exclude frontend
	@echo "==> clippy: no byte-index slicing of strings in app/src/domain and app/src/api"
	$(TEST_ENV) cargo clippy -p app --features ssr --lib -- -A clippy::all

test-e2e: setup chromium
	@echo "==> building the site (debug) and fake-stripe for the end-to-end tests"
	cargo leptos build --split
	$(TEST_ENV) cargo build -p fake-stripe --bin fake-stripe
	@echo "==> Playwright end-to-end tests in Debian's Chromium"
	cd end2end && SERVER_BIN=$(TARGET_DIR)/debug/server FAKE_STRIPE_BIN=$(TARGET_DIR)/debug/fake-stripe LEPTOS_SITE_ROOT=$(SITE_ROOT) playwright test

test-size: setup
	@echo "==> the shopper's first load: release WASM, split, budget $(FIRST_LOAD_BUDGET_KB) KB brotli"
	LEPTOS_SITE_ROOT=target/size-site cargo leptos build --release --split --frontend-only
	node bench/first-load.mjs target/size-site/pkg $(FIRST_LOAD_BUDGET_KB)

# A synthetic catalog for benchmarks: make bench-seed N=100000 DATABASE_URL=sqlite://data/bench.db
bench-seed: build-release
	$(TARGET_DIR)/release/server seed --products $${N:-100000}

# Search latency percentiles on 100 000 synthetic products, SQLite and (with TEST_POSTGRES_URL) PostgreSQL.
bench-search: build-release
	bench/search.sh $${N:-100000} $${ROUNDS:-200}

# Order placement throughput and p99, SQLite and (with TEST_POSTGRES_URL) PostgreSQL.
bench-orders: build-release
	bench/orders.sh $${N:-2000}

# Similarity recompute on 100 000 products / 1 000 000 synthetic order lines (no database, server binary only).
bench-recs: build-release
	bench/recs.sh $${PRODUCTS:-100000} $${LINES:-1000000} $${SEED:-1}

# Offline evaluation on a synthetic log: recommender vs popularity, precision/recall/hit rate/NDCG@10 and coverage.
eval-recs: build-release
	@mkdir -p data
	$(TARGET_DIR)/release/server recs-synth --users $${USERS:-2000} --items $${ITEMS:-1000} --seed $${SEED:-7} > data/recs-synth.csv
	$(TARGET_DIR)/release/server eval-recs data/recs-synth.csv $${ARGS:-}

# Plays carriers for the running shop's shipments (see README): make simulate-carriers ARGS="--out-of-order --exceptions"
simulate-carriers:
	@test -x $(TARGET_DIR)/release/server || { echo "run 'make run' first (it builds the server)"; exit 1; }
	$(CARRIER_ENV) $(TARGET_DIR)/release/server simulate-carriers --url http://$${LEPTOS_SITE_ADDR:-127.0.0.1:3000} $${ARGS:-}

clean:
	rm -rf target/site end2end/test-results
