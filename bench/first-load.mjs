// What a shopper downloads before a storefront page is interactive, brotli-compressed (quality 11,
// as `--precompress` serves it): the JS glue, the split loader and the main WASM module. The
// storefront's landing pages (home, category, product, search, cart) are in the main module; the
// dashboard and the shopper's later pages (checkout, orders, account, sign-in, tracking) are lazy
// routes (app/src/pages/lazy_routes.rs) whose chunks load when they are opened. Also checks that
// every one of those pages really is a chunk of its own in the split manifest.
//
// Usage: node bench/first-load.mjs SITE_PKG_DIR [BUDGET_KB]
// Prints the first load and each lazy page's chunks; exits 1 when the first load is over the
// budget, a lazy page is missing from the manifest, or the build is not split.
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants } from "node:zlib";

const dir = process.argv[2] ?? "target/site/pkg";
const budgetKb = Number(process.argv[3] ?? 250);
const LAZY = [
  "dashboard", "store_orders", "store_order", "analytics", "products", "product_import", "product_edit",
  "inventory", "payments", "earnings", "store_reviews", "settings", "merchants", "payouts", "shipping", "staff", "taxes", "discounts", "users", "ranking",
  "checkout", "order", "my_orders", "login", "register", "forgot_password", "reset_password", "account", "track", "store", "join", "verify_email",
];

const cache = new Map();
const br = (file) => {
  if (!cache.has(file)) {
    const raw = readFileSync(join(dir, file));
    cache.set(file, brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length);
  }
  return cache.get(file);
};
const kb = (n) => (n / 1024).toFixed(1);

const manifestPath = join(dir, "__wasm_split_manifest.json");
if (!existsSync(manifestPath)) {
  console.error(`FAIL: ${manifestPath} is missing: not a split build (cargo leptos build --release --split)`);
  process.exit(1);
}
const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
const files = readdirSync(dir);
const wasm = files.filter((f) => f.endsWith(".wasm") && !f.startsWith("chunk_") && !f.startsWith("split_"));
const js = files.filter((f) => f.endsWith(".js"));
const entry = [...js, ...wasm];
const first = entry.reduce((sum, f) => sum + br(f), 0);
let failed = false;
console.log(`first load of a storefront page: ${entry.map((f) => `${f} ${kb(br(f))} KB`).join(", ")}`);
const over = first > budgetKb * 1024;
console.log(`= ${kb(first)} KB brotli (budget ${budgetKb} KB)${over ? "  OVER BUDGET" : ""}`);
failed ||= over;
for (const page of LAZY) {
  const view = Object.keys(manifest).find((k) => k.startsWith(`__${page}_view_`));
  if (!view) {
    console.error(`FAIL: the ${page} page is not a chunk of its own (missing from the split manifest)`);
    failed = true;
    continue;
  }
  const size = manifest[view].reduce((sum, c) => sum + br(`${c}.wasm`), 0);
  console.log(`  ${page.padEnd(15)} loads ${String(manifest[view].length).padStart(3)} chunks, ${kb(size).padStart(6)} KB brotli, when opened`);
}
if (failed) {
  console.error("FAIL: see above");
  process.exit(1);
}
