import { test, expect, type Page } from "@playwright/test";
import { ADMIN, hydrated, submitSignIn } from "./helpers";

const box = (page: Page) => page.getByRole("combobox", { name: "Search products" });

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || /hydration/i.test(m.text())) errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  return errors;
}

const prices = async (page: Page) =>
  (await page.getByTestId("product-grid").getByTestId("price-current").allTextContents()).map((t) =>
    Number(t.replace(/[^0-9.]/g, "")),
  );

test("the header search finds products despite a typo, and the URL keeps the query", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  await box(page).fill("hedphones");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/\/search\?q=hedphones$/);
  await expect(page.getByTestId("search-heading")).toHaveText("Results for “hedphones”");
  await expect(page.getByTestId("search-corrected")).toContainText("headphones");
  await expect(page.getByTestId("product-card").first()).toBeVisible();
  await expect(page.getByTestId("product-card").first()).toContainText(/headphones|earbuds|headset/i);
  await expect(box(page)).toHaveValue("hedphones");
});

test("suggest, pick with the keyboard, filter by two facets, sort, and go back", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto("/");
  await hydrated(page);

  // A misspelled prefix still suggests the intended word; arrows and Enter pick it.
  await box(page).pressSequentially("hedph", { delay: 40 });
  const list = page.getByRole("listbox", { name: "Suggestions" });
  await expect(list).toBeVisible();
  await expect(list.getByRole("option").first()).toContainText("headphones");
  await expect(box(page)).toHaveAttribute("aria-expanded", "true");
  await box(page).press("ArrowDown");
  await expect(list.getByRole("option").first()).toHaveAttribute("aria-selected", "true");
  await box(page).press("Enter");
  await expect(page).toHaveURL(/\/search\?q=headphones$/);
  await expect(list).toBeHidden();
  const facets = page.getByTestId("facets");
  const total = Number((await page.getByTestId("search-summary").textContent())!.replace(/\D/g, ""));
  expect(total).toBeGreaterThan(1);

  // Facet 1: a store. Its count is what the page then shows.
  const storeLink = facets.getByTestId("facet-store").getByRole("link").first();
  const storeName = (await storeLink.locator("span.truncate").textContent())!.trim();
  const storeCount = Number(await storeLink.locator("span.tabular-nums").textContent());
  await storeLink.click();
  await expect(page).toHaveURL(/store=/);
  await expect(facets.getByTestId("facet-store").locator('[aria-current="true"]')).toContainText(storeName);
  await expect(page.getByTestId("product-card")).toHaveCount(Math.min(storeCount, 24));
  for (const card of await page.getByTestId("product-card").all()) {
    await expect(card).toContainText(storeName);
  }

  // Facet 2: in stock only.
  await facets.getByTestId("facet-stock").getByRole("link").click();
  await expect(page).toHaveURL(/store=.*&stock=1/);
  // The address changes when the link is followed, the page when the filtered results arrive:
  // wait for the page (the facet marked current, the sort links carrying both filters).
  await expect(facets.getByTestId("facet-stock").locator('[aria-current="true"]')).toBeVisible();
  await expect(page.getByTestId("product-card").filter({ hasText: "Sold out" })).toHaveCount(0);
  const filteredUrl = page.url();

  // Sort by price, keeping both filters.
  const byPrice = page.getByTestId("sort-options").getByRole("link", { name: "Price: low to high" });
  await expect(byPrice).toHaveAttribute("href", /store=.*&stock=1/);
  await byPrice.click();
  await expect(page).toHaveURL(/store=.*&stock=1&sort=price_asc/);
  const shown = await prices(page);
  expect(shown.length).toBeGreaterThan(0);
  expect([...shown].sort((a, b) => a - b)).toEqual(shown);

  // Back restores the previous state: filters on, recommended order.
  await page.goBack();
  await expect(page).toHaveURL(filteredUrl);
  await expect(page.getByTestId("sort-options").locator('[aria-current="true"]')).toHaveText("Recommended");
  await expect(facets.getByTestId("facet-stock").locator('[aria-current="true"]')).toBeVisible();
  await page.goBack();
  await expect(facets.getByTestId("facet-stock").locator('[aria-current="true"]')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("the platform admin sees why results are in their order", async ({ page }) => {
  await page.goto("/login?next=/search%3Fq%3Dlamp");
  await hydrated(page);
  await submitSignIn(page, ADMIN.email, ADMIN.password);
  await expect(page).toHaveURL(/\/search\?q=lamp$/);
  await page.getByTestId("explain-toggle").click();
  await expect(page).toHaveURL(/explain=1/);
  const first = page.getByTestId("explanation").first();
  await expect(first).toBeVisible();
  const score = Number(await first.getByTestId("score").textContent());
  const shares = (await first.getByTestId("share").allTextContents()).map(Number);
  expect(shares.length).toBeGreaterThanOrEqual(3);
  expect(Math.abs(shares.reduce((a, b) => a + b, 0) - score)).toBeLessThan(0.005);
  const scores = (await page.getByTestId("score").allTextContents()).map(Number);
  expect([...scores].sort((a, b) => b - a)).toEqual(scores);
});

test("shoppers do not get the explanation", async ({ page }) => {
  await page.goto("/search?q=lamp&explain=1");
  await hydrated(page);
  await expect(page.getByTestId("product-card").first()).toBeVisible();
  await expect(page.getByTestId("explanation")).toHaveCount(0);
  await expect(page.getByTestId("explain-toggle")).toHaveCount(0);
});
