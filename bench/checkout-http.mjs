// Guest checkouts over HTTP, as a browser without JavaScript makes them: POST /api/cart/add (a new
// guest cart and its cookie), then POST /api/checkout/place with that cookie and the form.
// CLIENTS shoppers run at once, spread round-robin over the BASES (one or more instances), until
// ORDERS checkouts were attempted. Prints orders/s, p50/p99 of one whole checkout (both requests),
// and every answer by status, so 5xx and refusals show.
// Usage: node bench/checkout-http.mjs BASE[,BASE2] VARIANT_ID ORDERS CLIENTS
const [bases, variant, ordersArg, clientsArg] = process.argv.slice(2);
if (!bases || !variant) {
  console.error("usage: node bench/checkout-http.mjs BASE[,BASE2] VARIANT_ID ORDERS CLIENTS");
  process.exit(2);
}
const urls = bases.split(",");
const orders = Number(ordersArg || 2000);
const clients = Number(clientsArg || 32);
const form = {
  email: "bench@example.com", name: "Bench Shopper", line1: "1 Load Street", city: "Arlington",
  postal_code: "22201", country: "US", card_number: "4242 4242 4242 4242", card_expiry: "12/39", card_cvc: "123",
};
const encode = (o) => new URLSearchParams(o).toString();
const statuses = {};
const count = (what) => { statuses[what] = (statuses[what] || 0) + 1; };
const times = [];
let placed = 0, next = 0, runTag = Date.now().toString(36);

async function post(base, path, body, cookie) {
  const headers = { "content-type": "application/x-www-form-urlencoded", origin: base };
  if (cookie) headers.cookie = cookie;
  const res = await fetch(base + path, { method: "POST", headers, body, redirect: "manual" });
  const text = await res.text();
  return { status: res.status, text, cookies: res.headers.getSetCookie() };
}

async function shopper(index) {
  const base = urls[index % urls.length];
  for (;;) {
    const n = next++;
    if (n >= orders) return;
    const started = performance.now();
    const add = await post(base, "/api/cart/add", encode({ variant_id: variant, quantity: "1" }));
    count(`cart/add ${add.status}`);
    const cart = add.cookies.map((c) => c.split(";")[0]).find((c) => c.startsWith("mm_cart="));
    if (!cart) continue;
    const key = `bench-${runTag}-${n}`;
    const place = await post(base, "/api/checkout/place", encode({ ...form, idempotency_key: key }), cart);
    const ok = place.status < 400 && place.text.includes("MM-");
    count(`checkout/place ${place.status}${ok ? "" : " " + place.text.slice(0, 80)}`);
    if (ok) {
      placed++;
      times.push(performance.now() - started);
    }
  }
}

const started = performance.now();
await Promise.all(Array.from({ length: clients }, (_, i) => shopper(i)));
const seconds = (performance.now() - started) / 1000;
times.sort((a, b) => a - b);
const pct = (p) => (times.length ? times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))] : 0);
console.log(
  `${placed} orders placed of ${orders} attempted, ${clients} clients, ${urls.length} instance(s): ` +
    `${(placed / seconds).toFixed(0)} orders/s, checkout p50 ${pct(50).toFixed(1)} ms, p99 ${pct(99).toFixed(1)} ms`,
);
console.log("answers: " + JSON.stringify(statuses));
console.log(JSON.stringify({ placed, seconds, fivexx: Object.keys(statuses).filter((k) => / 5\d\d/.test(k)).reduce((s, k) => s + statuses[k], 0) }));
