import { test, expect, type Page } from "@playwright/test";
import {
  addThisProduct,
  fillCheckout,
  hydrated,
  newShopperAccount,
  openProductInStock,
  storefrontShots,
  submitSignIn,
} from "./helpers";

/** Adds one unit of a product in stock from a store not in `skip`; returns its store. */
async function addFromAnotherStore(page: Page, skip: string[], js = true): Promise<string> {
  const store = await openProductInStock(page, { store: (s) => !skip.includes(s), js });
  await addThisProduct(page, js);
  return store;
}

test("a guest buys from two stores and sees one order with two parts", async ({ page }) => {
  const first = await addFromAnotherStore(page, []);
  const second = await addFromAnotherStore(page, [first]);
  await page.goto("/checkout");
  await hydrated(page);
  await expect(page.getByTestId("review-group")).toHaveCount(2);
  await expect(page.getByTestId("shipping-choice")).toHaveCount(2);
  await fillCheckout(page, "4242 4242 4242 4242", "guest.buyer@example.com");
  await storefrontShots(page, "checkout");
  await page.getByTestId("pay").click();
  // A guest's order opens with its access key (issue 13), carried in the query.
  await expect(page).toHaveURL(/\/orders\/MM-[0-9A-Z]{12}\?key=[0-9a-f]{64}$/);
  await expect(page.getByRole("heading", { name: "Thank you for your order" })).toBeVisible();
  await storefrontShots(page, "order");
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
  await fillCheckout(page, "4000 0000 0000 0002", "guest.buyer@example.com");
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
    await fillCheckout(page, "4242 4242 4242 4242", "guest.buyer@example.com");
    await page.getByTestId("pay").click();
    await expect(page).toHaveURL(/\/orders\/MM-[0-9A-Z]{12}\?key=[0-9a-f]{64}$/);
    await expect(page.getByTestId("payment-status")).toHaveText("captured");
  });
});

test("a signed-in shopper finds the order in their order history", async ({ page, request }) => {
  // A shopper of this test's own: the demo shopper's cart may hold what other specs put there.
  const shopper = await newShopperAccount(request);
  await page.goto("/login?next=/");
  await hydrated(page);
  await submitSignIn(page, shopper.email, shopper.password);
  await expect(page).toHaveURL(/:\d+\/$/);
  await addFromAnotherStore(page, []);
  await page.goto("/checkout");
  await hydrated(page);
  await fillCheckout(page, "4242 4242 4242 4242", "guest.buyer@example.com");
  await page.getByTestId("pay").click();
  await expect(page).toHaveURL(/\/orders\/MM-[0-9A-Z]{12}$/);
  const number = (await page.getByTestId("order-number").innerText()).trim();
  await page.goto("/account");
  await page.getByTestId("orders-link").click();
  await expect(page.getByTestId("order-list")).toContainText(number);
});
