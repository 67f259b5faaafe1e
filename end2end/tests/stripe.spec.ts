import { test, expect, type Page } from "@playwright/test";
import {
  MERCHANT_PASSWORD,
  addThisProduct,
  hydrated,
  openProductInStock,
  ownerOf,
  signIn,
  storefrontShots,
} from "./helpers";

// A second shop (playwright.config.ts) takes payments through Stripe Checkout, pointed at
// fake-stripe: a local fake of Stripe's API and hosted payment page that signs its webhooks.
const port = Number(process.env.E2E_PORT ?? 3100);
const SHOP = `http://127.0.0.1:${port + 10}`;
const FAKE = `http://127.0.0.1:${port + 20}`;

test.use({ baseURL: SHOP });

/** When the fake delivers the payment's webhook: before its redirect, after it, twice or never. */
async function webhookMode(page: Page, mode: "before" | "after" | "twice" | "never") {
  const res = await page.request.post(`${FAKE}/_fake/webhook-mode`, { form: { mode } });
  expect(res.status()).toBe(200);
}

/** Puts one product in the cart and goes through our checkout to the provider's page. */
async function toPaymentPage(page: Page, js = true): Promise<void> {
  await openProductInStock(page, { js });
  await addThisProduct(page, js);
  await page.goto("/checkout");
  if (js) await hydrated(page);
  const form = page.getByTestId("checkout-form");
  // No card fields here: the card is typed on the provider's page only.
  await expect(form.getByLabel("Card number")).toHaveCount(0);
  await expect(page.getByTestId("hosted-payment")).toContainText("Stripe Checkout");
  await form.getByLabel("Email for your receipt").fill("stripe.buyer@example.com");
  await form.getByLabel("Full name").fill("Grace Hopper");
  await form.getByLabel("Street address").fill("1 Harbor Way");
  await form.getByLabel("City").fill("Arlington");
  await form.getByLabel("Postal code").fill("22201");
  await page.getByTestId("pay").click();
  await expect(page).toHaveURL(new RegExp(`^${FAKE}/pay/cs_`));
}

async function payOnProviderPage(page: Page, card: string) {
  await page.getByLabel("Card number").fill(card);
  await page.getByRole("button", { name: "Pay" }).click();
}

for (const mode of ["before", "after", "twice"] as const) {
  test(`a shopper pays on the provider's page and comes back to a paid order (webhook ${mode} the return)`, async ({
    page,
  }) => {
    await webhookMode(page, mode);
    await toPaymentPage(page);
    if (mode === "before") await storefrontShots(page, "stripe-hosted-page");
    // A declined card is told on the provider's page and may be replaced there.
    await payOnProviderPage(page, "4000 0000 0000 0002");
    await expect(page.getByText("Your card was declined.")).toBeVisible();
    await payOnProviderPage(page, "4242 4242 4242 4242");
    await expect(page).toHaveURL(new RegExp(`^${SHOP}/orders/MM-[0-9A-Z]{12}$`));
    await expect(page.getByRole("heading", { name: "Thank you for your order" })).toBeVisible();
    await expect(page.getByTestId("payment-status")).toHaveText("captured");
    await expect(page.getByText("Stripe Checkout")).toBeVisible();
    if (mode === "before") await storefrontShots(page, "stripe-order");
    // The cart was emptied once the order was paid.
    await page.goto("/checkout");
    await expect(page.getByTestId("checkout-blocked")).toContainText("Your cart is empty");
    const deliveries = await (await page.request.get(`${FAKE}/_fake/deliveries`)).json();
    expect(deliveries.every((d: { status: number }) => d.status === 200)).toBe(true);
  });
}

test("leaving the provider's page keeps the cart and charges nothing", async ({ page }) => {
  await webhookMode(page, "before");
  await toPaymentPage(page);
  await page.getByRole("link", { name: "Cancel and return" }).click();
  await expect(page).toHaveURL(/\/checkout\?payment=cancelled$/);
  await expect(page.getByTestId("payment-notice")).toContainText("nothing was charged");
  await expect(page.getByTestId("review-group")).toHaveCount(1);
  await storefrontShots(page, "stripe-cancelled");
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the checkout form goes to the provider's page and back with plain navigation", async ({ page }) => {
    await webhookMode(page, "never");
    await toPaymentPage(page, false);
    await payOnProviderPage(page, "4242424242424242");
    // No webhook at all: the return alone settles the order, read from the provider's API.
    await expect(page).toHaveURL(new RegExp(`^${SHOP}/orders/MM-[0-9A-Z]{12}$`));
    await expect(page.getByTestId("payment-status")).toHaveText("captured");
  });
});

test("a refund pressed twice in the dashboard reaches the provider once", async ({ page, browser }) => {
  await webhookMode(page, "before");
  const store = await openProductInStock(page);
  await addThisProduct(page);
  await page.goto("/checkout");
  await hydrated(page);
  const form = page.getByTestId("checkout-form");
  await form.getByLabel("Email for your receipt").fill("stripe.refund@example.com");
  await form.getByLabel("Full name").fill("Grace Hopper");
  await form.getByLabel("Street address").fill("1 Harbor Way");
  await form.getByLabel("City").fill("Arlington");
  await form.getByLabel("Postal code").fill("22201");
  await page.getByTestId("pay").click();
  await expect(page).toHaveURL(new RegExp(`^${FAKE}/pay/cs_`));
  await payOnProviderPage(page, "4242 4242 4242 4242");
  await expect(page.getByTestId("payment-status")).toHaveText("captured");
  const number = (await page.getByTestId("order-number").innerText()).trim();
  const refundsBefore = await providerRefunds(page);

  const merchant = await signIn(browser, ownerOf(store), MERCHANT_PASSWORD);
  await merchant.goto(`/admin/orders/${number}`);
  await hydrated(merchant);
  await merchant.getByText("Refund…").click();
  await merchant.getByTestId("refund-line").first().getByTestId("refund-amount").fill("1.00");
  await merchant.getByTestId("refund-lines").dblclick();
  await expect(merchant.getByTestId("action-notice")).toHaveText("Refunded $1.00.");
  await expect(merchant.getByTestId("part-refunded")).toHaveText("Refunded $1.00");
  // Newest first: what this test added is at the front.
  const all = await providerRefunds(page);
  expect(all.slice(0, all.length - refundsBefore.length).map((r) => r.amount)).toEqual([100]);
});

/** The refunds the fake provider made, newest first. */
async function providerRefunds(page: Page): Promise<{ amount: number }[]> {
  const res = await page.request.get(`${FAKE}/v1/refunds?limit=100`, {
    headers: { Authorization: "Bearer sk_test_e2e_0123456789abcdefghij" },
  });
  expect(res.status()).toBe(200);
  return (await res.json()).data;
}
