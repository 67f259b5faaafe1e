// Prints the Lighthouse table from bench/lighthouse.sh's reports: the median run per page (by
// performance score), and the audits that cost points.
// Usage: node bench/lighthouse-table.mjs REPORT_DIR RUNS PAGE…
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";

const [dir, runs, ...pages] = process.argv.slice(2);
const ms = (a) => (a ? `${(a.numericValue / 1000).toFixed(2)} s` : "–");
const score = (c) => (c ? Math.round(c.score * 100) : "–");
console.log("| page | performance | TTI | TBT | LCP | CLS | accessibility |");
console.log("|---|---|---|---|---|---|---|");
const misses = [];
for (const page of pages) {
  const reports = [];
  for (let i = 1; i <= Number(runs); i++) {
    const f = join(dir, `${page}-${i}.json`);
    if (existsSync(f)) reports.push(JSON.parse(readFileSync(f, "utf8")));
  }
  if (reports.length === 0) {
    console.log(`| ${page} | no report | | | | | |`);
    continue;
  }
  reports.sort((a, b) => a.categories.performance.score - b.categories.performance.score);
  const r = reports[Math.floor(reports.length / 2)];
  const a = r.audits;
  const tbt = a["total-blocking-time"] ? `${Math.round(a["total-blocking-time"].numericValue)} ms` : "–";
  const cls = a["cumulative-layout-shift"]?.numericValue?.toFixed(3) ?? "–";
  console.log(
    `| ${page} | ${score(r.categories.performance)} | ${ms(a["interactive"])} | ${tbt} | ${ms(a["largest-contentful-paint"])} | ${cls} | ${score(r.categories.accessibility)} |`,
  );
  for (const cat of ["performance", "accessibility"]) {
    for (const ref of r.categories[cat].auditRefs) {
      const audit = a[ref.id];
      if (ref.weight > 0 && audit && audit.score !== null && audit.score < 1) {
        misses.push(`${page} · ${cat} · ${ref.id} (${Math.round(audit.score * 100)}): ${audit.displayValue ?? audit.title}`);
      }
    }
  }
}
if (misses.length) console.log("\nAudits below 100 (page · category · audit):\n" + misses.join("\n"));
