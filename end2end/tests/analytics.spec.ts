import { test, expect, type Browser, type Page } from "@playwright/test";

// Store analytics (issue 7, item 6): a shopper views a Northwind Home product, adds it to the cart
// and pays; the store's owner then sees the order in /admin/analytics — KPIs, the revenue chart
// (server-rendered SVG, also without JavaScript), orders by status, top products and the funnel.
// Another store's owner sees none of it.

const hydrated = (page: Page) => page.locator('[data-hydrated="true"]').waitFor();
const STORE = "Northwind Home";

async function signIn(browser: Browser, email: string, password: string, js = true): Promise<Page> {
  const context = await browser.newContext({ javaScriptEnabled: js });
  const page = await context.newPage();
  await page.goto("/login?next=/");
  if (js) await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/:\d+\/$/);
  return page;
}

async function buyFromStore(page: Page): Promise<string> {
  await page.goto("/");
  await hydrated(page);
  const cards = page.getByTestId("product-card").filter({ hasNotText: "Sold out" });
  for (let i = 0; i < (await cards.count()); i++) {
    const from = (await cards.nth(i).locator("p").first().innerText()).trim();
    if (from !== STORE) continue;
    await cards.nth(i).click();
    await expect(page.getByTestId("sku")).toBeVisible();
    if (/Sold out|Only 1 left/.test(await page.getByTestId("stock").innerText())) {
      await page.goto("/");
      await hydrated(page);
      continue;
    }
    await hydrated(page);
    const form = page.getByTestId("add-to-cart-form");
    await form.getByTestId("add-to-cart").click();
    await expect(form.getByTestId("added-to-cart")).toBeVisible();
    await page.goto("/checkout");
    await hydrated(page);
    const checkout = page.getByTestId("checkout-form");
    await checkout.getByLabel("Full name").fill("Grace Hopper");
    await checkout.getByLabel("Street address").fill("1 Harbor Way");
    await checkout.getByLabel("City").fill("Arlington");
    await checkout.getByLabel("Postal code").fill("22201");
    await checkout.getByLabel("Card number").fill("4242 4242 4242 4242");
    await checkout.getByLabel("Expiry (MM/YY)").fill("12/39");
    await checkout.getByLabel("Security code").fill("123");
    await page.getByTestId("pay").click();
    await expect(page).toHaveURL(/\/orders\/MM-[0-9A-Z]{12}$/);
    return (await page.getByTestId("order-number").innerText()).trim();
  }
  throw new Error(`no product of ${STORE} in stock`);
}

async function shots(page: Page, name: string) {
  for (const [label, width] of [["desktop", 1280], ["tablet", 768]] as [string, number][]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `screenshots/${name}-${label}.png`, fullPage: true });
    // The page's own content fits (the site header is the layout's business).
    const wide = await page.evaluate(() =>
      [...document.querySelectorAll("main *")]
        .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .map((e) => `${e.tagName} ${e.getAttribute("class")}`),
    );
    expect(wide, `${name} overflows at ${width}px`).toEqual([]);
  }
}

test("a store's owner sees its sales, chart and funnel; another store does not", async ({ browser }) => {
  const shopper = await signIn(browser, "shopper@meridian.test", "shopper-demo-pass-2026");
  await buyFromStore(shopper);

  const owner = await signIn(browser, "owner@northwind-home.test", "merchant-demo-pass-2026");
  await owner.goto("/admin");
  await hydrated(owner);
  await owner.getByTestId("admin-nav").getByRole("link", { name: "Analytics" }).click();
  await expect(owner).toHaveURL(/\/admin\/analytics$/);
  await expect(owner.getByTestId("analytics-title")).toContainText(STORE);
  const orders = Number((await owner.getByTestId("kpi-orders").locator("p").nth(1).innerText()).trim());
  expect(orders).toBeGreaterThanOrEqual(1);
  await expect(owner.getByTestId("kpi-revenue")).toContainText("$");
  await expect(owner.getByTestId("kpi-aov")).not.toContainText("—");
  const chart = owner.getByTestId("revenue-chart");
  await expect(chart).toBeVisible();
  await expect(chart.locator("title").first()).toHaveText("Revenue per day");
  await expect(owner.getByTestId("revenue-line")).toHaveAttribute("d", /^M[\d.]+ [\d.]+( L[\d.]+ [\d.]+){29}$/);
  await expect(owner.getByTestId("orders-by-status").locator('[data-status="paid"]')).toBeVisible();
  await expect(owner.getByTestId("top-products").locator("tbody tr")).not.toHaveCount(0);
  const adds = Number((await owner.getByTestId("funnel-adds").locator("span").nth(1).innerText()).trim());
  expect(adds).toBeGreaterThanOrEqual(1);
  await shots(owner, "analytics");

  // A bad period is refused next to its field.
  await owner.getByLabel("From", { exact: true }).fill("2026-12-31");
  await owner.getByLabel("To", { exact: true }).fill("2026-01-01");
  await owner.getByRole("button", { name: "Show" }).click();
  await expect(owner).toHaveURL(/from=2026-12-31&to=2026-01-01/);
  await expect(owner.getByRole("alert").filter({ hasText: "on or after" })).toBeVisible();

  // Without JavaScript the same GET form and chart work: a one-week period.
  const noJs = await signIn(browser, "owner@northwind-home.test", "merchant-demo-pass-2026", false);
  await noJs.goto("/admin/analytics");
  await noJs.getByLabel("From", { exact: true }).fill("2020-01-01");
  await noJs.getByLabel("To", { exact: true }).fill("2020-01-07");
  await noJs.getByRole("button", { name: "Show" }).click();
  await expect(noJs).toHaveURL(/from=2020-01-01&to=2020-01-07/);
  await expect(noJs.getByTestId("revenue-line")).toHaveAttribute("d", /^M[\d.]+ [\d.]+( L[\d.]+ [\d.]+){6}$/);
  await expect(noJs.getByTestId("kpi-orders")).toContainText("0");
  await expect(noJs.getByText("Nothing sold in this period.")).toBeVisible();

  // Another store's owner sees its own (empty) figures, never Northwind's order.
  const other = await signIn(browser, "owner@harbor-and-pine.test", "merchant-demo-pass-2026");
  await other.goto("/admin/analytics");
  await expect(other.getByTestId("analytics-title")).toContainText("Harbor & Pine");
  await expect(other.getByTestId("top-products")).toHaveCount(0);
});
