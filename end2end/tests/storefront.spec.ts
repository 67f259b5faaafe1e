import { test, expect, type Page, type ConsoleMessage } from "@playwright/test";
import { hydrated } from "./helpers";

// Collects browser errors; a hydration mismatch or a panic in WASM shows up here.
function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (msg: ConsoleMessage) => {
    if (msg.type() === "error" || msg.type() === "warning") errors.push(`${msg.type()}: ${msg.text()}`);
  });
  page.on("pageerror", (err) => errors.push(`pageerror: ${err.message}`));
  return errors;
}

test("a shopper browses, sorts, opens a product and picks a variant, all hydrated", async ({ page }) => {
  const errors = watchConsole(page);

  await page.goto("/");
  await expect(page).toHaveTitle(/Meridian Market/);
  await expect(page.getByRole("heading", { name: "Shop by category" })).toBeVisible();
  await hydrated(page);

  // A marker on window survives only client-side navigation, never a full page load.
  await page.evaluate(() => ((window as any).__spaMarker = "still-here"));

  await page.getByTestId("category-tile").filter({ hasText: "Fashion" }).click();
  await expect(page).toHaveURL(/\/c\/fashion$/);
  await expect(page.getByRole("heading", { level: 1, name: "Fashion" })).toBeVisible();
  await expect(page).toHaveTitle("Fashion · Meridian Market");
  expect(await page.evaluate(() => (window as any).__spaMarker)).toBe("still-here");

  // Change the sort: the URL carries it, and prices come back in ascending order.
  await page.getByTestId("sort-options").getByRole("link", { name: "Price: low to high" }).click();
  await expect(page).toHaveURL(/sort=price_asc/);
  await expect(page.getByTestId("sort-options").locator('[aria-current="true"]')).toHaveText("Price: low to high");
  const prices = await page
    .getByTestId("product-card")
    .evaluateAll((cards) =>
      cards.map((c) => {
        const text = c.querySelector('[data-testid="price-current"]')?.textContent ?? "";
        return Number(text.replace(/[^0-9.]/g, ""));
      }),
    );
  expect(prices.length).toBe(24);
  for (let i = 1; i < prices.length; i++) expect(prices[i]).toBeGreaterThanOrEqual(prices[i - 1]);
  expect(await page.evaluate(() => (window as any).__spaMarker)).toBe("still-here");

  // Open a T-shirt: it has sizes and colours.
  await page.goto("/c/t-shirts-tops");
  await hydrated(page);
  await page.evaluate(() => ((window as any).__spaMarker = "product-nav"));
  const firstCard = page.getByTestId("product-card").first();
  const title = (await firstCard.locator("h3").textContent())!.trim();
  await firstCard.click();
  await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
  await expect(page).toHaveTitle(`${title} · Meridian Market`);
  expect(await page.evaluate(() => (window as any).__spaMarker)).toBe("product-nav");

  // Pick another size: the SKU and URL change without a page load.
  const skuBefore = await page.getByTestId("sku").textContent();
  const sizes = page.getByTestId("option-size").getByRole("link");
  const count = await sizes.count();
  expect(count).toBeGreaterThan(1);
  let clicked = false;
  for (let i = 0; i < count; i++) {
    const link = sizes.nth(i);
    if ((await link.getAttribute("aria-current")) !== "true") {
      await link.click();
      clicked = true;
      break;
    }
  }
  expect(clicked).toBe(true);
  await expect(page).toHaveURL(/variant=\d+/);
  await expect(page.getByTestId("sku")).not.toHaveText(skuBefore!);
  expect(await page.evaluate(() => (window as any).__spaMarker)).toBe("product-nav");

  // The gallery is handled by WASM: a thumbnail click swaps the main image in place.
  const main = page.getByTestId("main-image");
  const firstSrc = await main.getAttribute("src");
  await page.getByTestId("thumbnail").nth(2).click();
  await expect(main).not.toHaveAttribute("src", firstSrc!);
  await expect(page.getByTestId("thumbnail").nth(2)).toHaveAttribute("aria-pressed", "true");

  expect(errors, errors.join("\n")).toEqual([]);
});

test("unknown products show the not-found page with status 404", async ({ page }) => {
  const response = await page.goto("/products/no-such-thing");
  expect(response?.status()).toBe(404);
  await expect(page.getByTestId("not-found")).toBeVisible();
  await expect(page).toHaveTitle("Page not found · Meridian Market");
});
