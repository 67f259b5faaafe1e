import { test, expect } from "@playwright/test";
import { ADMIN, hydrated, submitSignIn } from "./helpers";

// Every storefront page at phone and desktop widths: nothing may overflow sideways (the most
// common way a shop breaks on phones), and a screenshot is kept for people to look at.
const pages = [
  { name: "home", path: "/" },
  { name: "category", path: "/c/fashion?sort=price_asc" },
  { name: "product", path: "/c/t-shirts-tops", openFirstProduct: true },
  { name: "not-found", path: "/products/nope" },
  { name: "search", path: "/search?q=linen" },
  { name: "login", path: "/login" },
  { name: "register", path: "/register" },
];
const viewports = [
  { name: "phone", width: 390, height: 844 },
  { name: "desktop", width: 1280, height: 900 },
];

for (const vp of viewports) {
  for (const p of pages) {
    test(`${p.name} fits a ${vp.name} screen`, async ({ page }) => {
      await page.setViewportSize({ width: vp.width, height: vp.height });
      await page.goto(p.path);
      if (p.openFirstProduct) {
        await hydrated(page);
        await page.getByTestId("product-card").first().click();
        await expect(page.getByTestId("sku")).toBeVisible();
      }
      await hydrated(page);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, "horizontal overflow in px").toBeLessThanOrEqual(0);
      await page.screenshot({ path: `screenshots/${p.name}-${vp.name}.png`, fullPage: true });
    });
  }
}

// Signed-in pages, as the owner of a demo store (who sees both the account page and the dashboard).
for (const vp of viewports) {
  for (const path of ["/account", "/admin"]) {
    test(`${path} fits a ${vp.name} screen when signed in`, async ({ page }) => {
      await page.setViewportSize({ width: vp.width, height: vp.height });
      await page.goto(`/login?next=${path}`);
      await hydrated(page);
      await submitSignIn(page, ADMIN.email, ADMIN.password);
      await expect(page).toHaveURL(new RegExp(`:\\d+${path}$`));
      await expect(page.getByTestId(path === "/admin" ? "dashboard-title" : "account-email")).toBeVisible();
      await hydrated(page);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, "horizontal overflow in px").toBeLessThanOrEqual(0);
      await page.screenshot({ path: `screenshots${path}-${vp.name}.png`, fullPage: true });
    });
  }
}
