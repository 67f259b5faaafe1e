import { test, expect } from "@playwright/test";
import { hydrated, openProductInStock, storefrontShots } from "./helpers";

test("a product's store has a public page with its rating, policies and products", async ({ page }) => {
  const store = await openProductInStock(page);
  await page.getByTestId("store-link").click();
  await expect(page).toHaveURL(/\/s\/[a-z0-9-]+$/);
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(store);
  await expect(page.getByTestId("store-rating")).toContainText(/★ \d\.\d from \d+ reviews|No reviews yet/);
  await expect(page.getByTestId("store-policies")).toContainText("standard");
  const cards = page.getByTestId("product-card");
  await expect(cards.first()).toBeVisible();
  // Every card on the page is this store's.
  const stores = await cards.evaluateAll((els) => els.map((el) => (el.querySelector("p")?.textContent ?? "").trim()));
  expect(new Set(stores)).toEqual(new Set([store]));
  await storefrontShots(page, "store");
  await page.getByTestId("store-all").click();
  await expect(page).toHaveURL(/\/search\?store=/);

  // A store that does not exist is a real 404.
  const res = await page.goto("/s/no-such-store");
  expect(res?.status()).toBe(404);
  await expect(page.getByTestId("not-found")).toBeVisible();
});

test("a product card's store name opens the store's page, the rest of the card the product", async ({ page }) => {
  await page.goto("/c/home-living");
  await hydrated(page);
  const card = page.getByTestId("product-card").first();
  const store = ((await card.getByTestId("card-store-link").textContent()) ?? "").trim();
  await card.getByTestId("card-store-link").click();
  await expect(page).toHaveURL(/\/s\/[a-z0-9-]+$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(store);
  await page.goBack();
  await page.getByTestId("product-card").first().getByTestId("card-link").click();
  await expect(page).toHaveURL(/\/products\//);
});
