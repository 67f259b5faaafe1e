import { test, expect, type Page } from "@playwright/test";
import {
  MERCHANT_PASSWORD,
  addThisProduct,
  hydrated,
  openProductInStock,
  payForCart,
  signIn,
  signInNewShopper,
} from "./helpers";

// Store analytics (issue 7, item 6): a shopper views a Northwind Home product, adds it to the cart
// and pays; the store's owner then sees the order in /admin/analytics — KPIs, the revenue chart
// (server-rendered SVG, also without JavaScript), orders by status, top products and the funnel.
// Another store's owner sees none of it.

const STORE = "Northwind Home";

async function buyFromStore(page: Page): Promise<string> {
  await openProductInStock(page, { store: (s) => s === STORE });
  await addThisProduct(page);
  return payForCart(page);
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

test("a store's owner sees its sales, chart and funnel; another store does not", async ({ browser, request }) => {
  // A shopper of this test's own, with an empty cart: the order holds Northwind's product only.
  const shopper = await signInNewShopper(browser, request);
  await buyFromStore(shopper);

  const owner = await signIn(browser, "owner@northwind-home.test", MERCHANT_PASSWORD);
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
  const noJs = await signIn(browser, "owner@northwind-home.test", MERCHANT_PASSWORD, false);
  await noJs.goto("/admin/analytics");
  await noJs.getByLabel("From", { exact: true }).fill("2020-01-01");
  await noJs.getByLabel("To", { exact: true }).fill("2020-01-07");
  await noJs.getByRole("button", { name: "Show" }).click();
  await expect(noJs).toHaveURL(/from=2020-01-01&to=2020-01-07/);
  await expect(noJs.getByTestId("revenue-line")).toHaveAttribute("d", /^M[\d.]+ [\d.]+( L[\d.]+ [\d.]+){6}$/);
  await expect(noJs.getByTestId("kpi-orders")).toContainText("0");
  await expect(noJs.getByText("Nothing sold in this period.")).toBeVisible();

  // Another store's owner sees its own (empty) figures, never Northwind's order.
  const other = await signIn(browser, "owner@harbor-and-pine.test", MERCHANT_PASSWORD);
  await other.goto("/admin/analytics");
  await expect(other.getByTestId("analytics-title")).toContainText("Harbor & Pine");
  await expect(other.getByTestId("top-products")).toHaveCount(0);
});
