import { test, expect } from "@playwright/test";

test("the header search finds products despite a typo, and the URL keeps the query", async ({ page }) => {
  await page.goto("/");
  await page.locator('[data-hydrated="true"]').waitFor();
  await page.getByRole("searchbox", { name: "Search products" }).fill("hedphones");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/\/search\?q=hedphones$/);
  await expect(page.getByTestId("search-heading")).toHaveText("Results for “hedphones”");
  await expect(page.getByTestId("search-corrected")).toContainText("headphones");
  await expect(page.getByTestId("product-card").first()).toBeVisible();
  await expect(page.getByTestId("product-card").first()).toContainText(/headphones|earbuds|headset/i);
  await expect(page.getByRole("searchbox", { name: "Search products" })).toHaveValue("hedphones");
});
