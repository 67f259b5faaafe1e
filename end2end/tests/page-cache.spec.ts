import { test, expect } from "@playwright/test";
import { hydrated, watchErrors } from "./helpers";

// A visitor without cookies may be served a kept copy of a listing (server/src/page_cache.rs).
// The copy's Content-Security-Policy allows its inline scripts by their SHA-256 hashes instead of
// a nonce: if a hash were wrong, Chromium would refuse the hydration script and the page would
// stay a plain HTML page. This opens a copy and uses it as a shopper would.
const LISTING = "/c/kitchen-dining";

test("a kept copy of a listing hydrates under its hashed policy and adds to the cart", async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchErrors(page);
  let cache: string | null = null;
  let csp = "";
  for (let attempt = 0; attempt < 20 && cache !== "hit"; attempt++) {
    await context.clearCookies();
    const res = await page.goto(LISTING);
    expect(res?.status()).toBe(200);
    cache = (await res?.headerValue("x-page-cache")) ?? null;
    csp = (await res?.headerValue("content-security-policy")) ?? "";
    if (cache !== "hit") await page.waitForTimeout(100);
  }
  expect(cache, "the listing was served from the page cache").toBe("hit");
  expect(csp).toContain("'sha256-");
  expect(csp).not.toContain("'nonce-");
  await hydrated(page);
  await expect(page.getByTestId("cart-count")).toHaveText("0");
  const card = page.getByTestId("product-card").filter({ has: page.getByTestId("card-add") }).first();
  await card.getByTestId("card-add").click();
  await expect(page.getByTestId("cart-count")).toHaveText("1");
  expect(errors, "no script was refused by the policy").toEqual([]);
  await context.close();
});
