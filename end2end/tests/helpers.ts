import { expect, type APIRequestContext, type Browser, type Page } from "@playwright/test";

// What the specs share: waiting for hydration, signing in, accounts of their own, and picking a
// product in stock from a listing. Every spec runs against one server and one database (see
// playwright.config.ts), so a spec that needs a cart, an order history or stock of its own sets
// it up here instead of relying on what the specs before it left behind.

/** Demo sign-ins (server/src/seed/mod.rs DEMO_ACCOUNTS). */
export const ADMIN = { email: "admin@meridian.test", password: "admin-demo-pass-2026" };
export const SHOPPER = { email: "shopper@meridian.test", password: "shopper-demo-pass-2026" };
export const MERCHANT_PASSWORD = "merchant-demo-pass-2026";
export const STORES = ["Northwind Home", "Harbor & Pine", "Voltline Audio", "Fieldcraft Outdoor"];

/** The demo owner's email of a store: "Harbor & Pine" → owner@harbor-and-pine.test. */
export const ownerOf = (store: string) =>
  `owner@${store.toLowerCase().replace(/&/g, "and").replace(/[^a-z0-9]+/g, "-")}.test`;

/** The layout flips data-hydrated from an effect, and effects only run in the browser once the
 * WASM bundle has hydrated the server-rendered page. A click before that is a race: the router
 * may take it while the page is still being hydrated. */
export const hydrated = async (page: Page) => {
  await page.locator('[data-hydrated="true"]').waitFor();
  // A dashboard page is a lazy route: its own code hydrates after the layout (AdminLayout's flag).
  if ((await page.locator("[data-page-hydrated]").count()) > 0) {
    await page.locator('[data-page-hydrated="true"]').first().waitFor();
  }
};

/** Browser errors (console and uncaught), except console lines matching `expected`. */
export function watchErrors(page: Page, expected?: RegExp): string[] {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" && !(expected && expected.test(m.text()))) errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  return errors;
}

/** Fills the sign-in form on the page that shows it and submits it. */
export async function submitSignIn(page: Page, email: string, password: string) {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** A new browser context signed in as `email` through the sign-in page, on the home page. */
export async function signIn(browser: Browser, email: string, password: string, js = true): Promise<Page> {
  const context = await browser.newContext({ javaScriptEnabled: js });
  const page = await context.newPage();
  await page.goto("/login?next=/");
  if (js) await hydrated(page);
  await submitSignIn(page, email, password);
  await expect(page).toHaveURL(/:\d+\/$/);
  return page;
}

let accounts = 0;
/** A shopper account of the calling test's own: an empty cart and no order history, whatever
 * the specs before it did with the demo shopper. Opened through the registration endpoint from
 * `request` (its own cookie jar); sign in with the returned credentials. The server opens at most
 * REGISTRATIONS_PER_HOUR (10) accounts an hour per address: the whole suite stays below that. */
export async function newShopperAccount(
  request: APIRequestContext,
  // Not the name on the checkout form (fillCheckout): pages that must not show the shipping
  // name are checked for that one.
  name = "Test Shopper",
): Promise<{ email: string; password: string }> {
  const email = `shopper.${Date.now().toString(36)}.${process.pid}.${accounts++}@example.com`;
  const password = "correct horse battery staple";
  const res = await request.post("/api/auth/register", { form: { email, display_name: name, password } });
  expect(res.status(), await res.text()).toBeLessThan(400);
  return { email, password };
}

/** A new browser context signed in as a fresh shopper (see `newShopperAccount`), on the home page. */
export async function signInNewShopper(browser: Browser, request: APIRequestContext): Promise<Page> {
  const { email, password } = await newShopperAccount(request);
  return signIn(browser, email, password);
}

/** Removes every line from the signed-in (or guest) cart of `page`. */
export async function emptyCart(page: Page) {
  await page.goto("/cart");
  await hydrated(page);
  const lines = page.getByTestId("cart-line");
  for (let n = await lines.count(); n > 0; n--) {
    await lines.first().getByTestId("remove-form").getByRole("button", { name: "Remove" }).click();
    await expect(lines).toHaveCount(n - 1);
  }
}

const LOW_STOCK = /Sold out|Only 1 left/;

/**
 * Opens, from the listing at `from` (hydrated first), the first product whose card is not sold
 * out and whose store `store` accepts, by clicking its card; skips products with one unit or none
 * left (another spec may have bought them). Returns the store of the product opened.
 * Each attempt reloads the listing and waits for hydration before clicking, so no click lands on
 * a page that is still being hydrated.
 */
export async function openProductInStock(
  page: Page,
  { from = "/", store = () => true, js = true }: { from?: string; store?: (name: string) => boolean; js?: boolean } = {},
): Promise<string> {
  const tried = new Set<string>();
  for (;;) {
    await page.goto(from);
    if (js) await hydrated(page);
    const cards = page.getByTestId("product-card").filter({ hasNotText: "Sold out" });
    // Store and link of every card, read at once, so an index never points at another card.
    const candidates = await cards.evaluateAll((els) =>
      els.map((el) => ({
        store: (el.querySelector("p")?.textContent ?? "").trim(),
        href: el.querySelector('[data-testid="card-link"]')?.getAttribute("href") ?? "",
      })),
    );
    const next = candidates.find((c) => c.href && !tried.has(c.href) && store(c.store));
    if (!next) throw new Error(`no product in stock on ${from}`);
    tried.add(next.href);
    await page.locator(`[data-testid="product-card"]:has([data-testid="card-link"][href="${next.href}"])`).first().click();
    await expect(page.getByTestId("sku")).toBeVisible();
    if (LOW_STOCK.test(await page.getByTestId("stock").innerText())) continue;
    if (js) await hydrated(page);
    return next.store;
  }
}

/** On a product page: adds one unit with the add-to-cart form and waits for it to be in the cart. */
export async function addThisProduct(page: Page, js = true) {
  const form = page.getByTestId("add-to-cart-form");
  await form.getByTestId("add-to-cart").click();
  if (js) await expect(form.getByTestId("added-to-cart")).toBeVisible();
  else await page.waitForLoadState();
}

/** Fills the checkout form (address in Arlington, US) with `card`; `email` for a guest's receipt. */
export async function fillCheckout(page: Page, card: string, email?: string) {
  const form = page.getByTestId("checkout-form");
  if (email) await form.getByLabel("Email for your receipt").fill(email);
  await form.getByLabel("Full name").fill("Grace Hopper");
  await form.getByLabel("Street address").fill("1 Harbor Way");
  await form.getByLabel("City").fill("Arlington");
  await form.getByLabel("Postal code").fill("22201");
  await form.getByLabel("Card number").fill(card);
  await form.getByLabel("Expiry (MM/YY)").fill("12/39");
  await form.getByLabel("Security code").fill("123");
}

/** On a signed-in shopper's page: checks out the cart with the test card (fillCheckout's address)
 * and answers the order number. */
export async function payForCart(page: Page): Promise<string> {
  await page.goto("/checkout");
  await hydrated(page);
  await fillCheckout(page, "4242 4242 4242 4242");
  await page.getByTestId("pay").click();
  await expect(page).toHaveURL(/\/orders\/MM-[0-9A-Z]{12}$/);
  return (await page.getByTestId("order-number").innerText()).trim();
}

/** Storefront pages: full-page screenshots at phone and desktop widths, checking nothing
 * overflows the window sideways. */
export async function storefrontShots(page: Page, name: string) {
  for (const [label, width] of [["phone", 390], ["desktop", 1280]] as const) {
    await page.setViewportSize({ width, height: 900 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${name} overflows at ${width}px`).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `screenshots/${name}-${label}.png`, fullPage: true });
  }
}

/** Dashboard pages: full-page screenshots at phone, tablet and laptop widths (ending at laptop
 * width), checking nothing overflows the page sideways, header included. */
export async function dashboardShots(page: Page, name: string) {
  for (const [label, width] of [["phone", 390], ["tablet", 768], ["laptop", 1280]] as [string, number][]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `screenshots/${name}-${label}.png`, fullPage: true });
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow, `${name} overflows at ${width}px`).toBeLessThanOrEqual(0);
  }
}

// The e2e server writes each message into MAIL_DIR (playwright.config.ts) as
// `…-{kind}.txt`, starting `To: {address}`: links are read from the e-mail, as a person would.
const mailDir = `${process.env.E2E_DATA_DIR ?? "/tmp/shop-e2e"}/mail`;

/** The link matching `pattern` in the newest `kind` e-mail to `email` ("staff_invitation",
 * "email_verification", "password_reset"), waiting for the sender to write it; as a same-site
 * path (`/join?token=…`). */
export async function mailLink(email: string, kind: string, pattern: RegExp): Promise<string> {
  const { readdir, readFile } = await import("node:fs/promises");
  for (let i = 0; i < 60; i++) {
    const files = (await readdir(mailDir).catch(() => [] as string[])).filter((f) => f.endsWith(`-${kind}.txt`)).sort();
    for (const f of files.reverse()) {
      const text = await readFile(`${mailDir}/${f}`, "utf8");
      const link = text.match(pattern);
      if (text.startsWith(`To: ${email}\n`) && link) {
        const url = new URL(link[0]);
        return `${url.pathname}${url.search}`;
      }
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`no ${kind} e-mail to ${email} in ${mailDir}`);
}
