import { test, expect, type Page } from "@playwright/test";

const hydrated = (page: Page) => page.locator('[data-hydrated="true"]').waitFor();

/** Adds one unit of a product in stock from a store not in `skip`; returns its store. */
async function addFromAnotherStore(page: Page, skip: string[], js = true): Promise<string> {
  await page.goto("/");
  if (js) await hydrated(page);
  const cards = page.getByTestId("product-card").filter({ hasNotText: "Sold out" });
  for (let i = 0; i < (await cards.count()); i++) {
    const store = (await cards.nth(i).locator("p").first().innerText()).trim();
    if (skip.includes(store)) continue;
    await cards.nth(i).click();
    await expect(page.getByTestId("sku")).toBeVisible();
    if (/Sold out|Only 1 left/.test(await page.getByTestId("stock").innerText())) {
      await page.goto("/");
      continue;
    }
    if (js) await hydrated(page);
    const form = page.getByTestId("add-to-cart-form");
    await form.getByTestId("add-to-cart").click();
    if (js) await expect(form.getByTestId("added-to-cart")).toBeVisible();
    else await page.waitForLoadState();
    return store;
  }
  throw new Error("no product from another store");
}

/** Full-page screenshots at phone and desktop widths, checking nothing overflows sideways. */
async function shots(page: Page, name: string) {
  for (const [label, width] of [["phone", 390], ["desktop", 1280]] as const) {
    await page.setViewportSize({ width, height: 900 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${name} overflows at ${width}px`).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `screenshots/${name}-${label}.png`, fullPage: true });
  }
}

async function fillCheckout(page: Page, card: string) {
  const form = page.getByTestId("checkout-form");
  await form.getByLabel("Email for your receipt").fill("guest.buyer@example.com");
  await form.getByLabel("Full name").fill("Grace Hopper");
  await form.getByLabel("Street address").fill("1 Harbor Way");
  await form.getByLabel("City").fill("Arlington");
  await form.getByLabel("Postal code").fill("22201");
  await form.getByLabel("Card number").fill(card);
  await form.getByLabel("Expiry (MM/YY)").fill("12/39");
  await form.getByLabel("Security code").fill("123");
}

test("a guest buys from two stores and sees one order with two parts", async ({ page }) => {
  const first = await addFromAnotherStore(page, []);
  const second = await addFromAnotherStore(page, [first]);
  await page.goto("/checkout");
  await hydrated(page);
  await expect(page.getByTestId("review-group")).toHaveCount(2);
  await expect(page.getByTestId("shipping-choice")).toHaveCount(2);
  await fillCheckout(page, "4242 4242 4242 4242");
  await shots(page, "checkout");
  await page.getByTestId("pay").click();
  // A guest's order opens with its access key (issue 13), carried in the query.
  await expect(page).toHaveURL(/\/orders\/MM-[0-9A-Z]{12}\?key=[0-9a-f]{64}$/);
  await expect(page.getByRole("heading", { name: "Thank you for your order" })).toBeVisible();
  await shots(page, "order");
  await expect(page.getByTestId("order-part")).toHaveCount(2);
  await expect(page.getByTestId("order-part").filter({ hasText: first })).toHaveCount(1);
  await expect(page.getByTestId("order-part").filter({ hasText: second })).toHaveCount(1);
  await expect(page.getByTestId("payment-status")).toHaveText("captured");
  await expect(page.getByTestId("payment-events")).toContainText("authorize");
  await expect(page.getByTestId("payment-events")).toContainText("capture");
  const number = (await page.getByTestId("order-number").innerText()).trim();
  // The cart is empty afterwards.
  await page.goto("/checkout");
  await expect(page.getByTestId("checkout-blocked")).toContainText("Your cart is empty");
  // Without the key in the address, the browser that placed the order opens it by its cookie
  // (which holds the key, not the number); without the cookie, the number alone is a 404.
  await page.goto(`/orders/${number}`);
  await expect(page.getByTestId("order-number")).toHaveText(number);
  await page.context().clearCookies();
  const res = await page.goto(`/orders/${number}`);
  expect(res?.status()).toBe(404);
  await expect(page.getByTestId("not-found")).toBeVisible();
});

test("a declined card says why and leaves the cart as it was", async ({ page }) => {
  await addFromAnotherStore(page, []);
  await page.goto("/checkout");
  await hydrated(page);
  await fillCheckout(page, "4000 0000 0000 0002");
  await page.getByTestId("pay").click();
  await expect(page.getByTestId("error-card_number")).toHaveText("Your card was declined.");
  await expect(page).toHaveURL(/\/checkout/);
  await page.goto("/checkout");
  await expect(page.getByTestId("review-group")).toHaveCount(1);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("a checkout completes with plain form posts", async ({ page }) => {
    await addFromAnotherStore(page, [], false);
    await page.goto("/checkout");
    await fillCheckout(page, "4242 4242 4242 4242");
    await page.getByTestId("pay").click();
    await expect(page).toHaveURL(/\/orders\/MM-[0-9A-Z]{12}\?key=[0-9a-f]{64}$/);
    await expect(page.getByTestId("payment-status")).toHaveText("captured");
  });
});

test("a signed-in shopper finds the order in their order history", async ({ page }) => {
  await page.goto("/login?next=/");
  await hydrated(page);
  await page.getByLabel("Email").fill("shopper@meridian.test");
  await page.getByLabel("Password").fill("shopper-demo-pass-2026");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/:\d+\/$/);
  await addFromAnotherStore(page, []);
  await page.goto("/checkout");
  await hydrated(page);
  await fillCheckout(page, "4242 4242 4242 4242");
  await page.getByTestId("pay").click();
  await expect(page).toHaveURL(/\/orders\/MM-[0-9A-Z]{12}$/);
  const number = (await page.getByTestId("order-number").innerText()).trim();
  await page.goto("/account");
  await page.getByTestId("orders-link").click();
  await expect(page.getByTestId("order-list")).toContainText(number);
});
