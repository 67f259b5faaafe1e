import { test, expect, type Browser, type Page } from "@playwright/test";
import { ADMIN, MERCHANT_PASSWORD, STORES, addThisProduct, dashboardShots, hydrated, openProductInStock, signIn } from "./helpers";

// The dashboard's Payments, Settings, Reviews, Merchants, Users and Ranking pages (issue 7, items
// 1, 5 and 7): the platform admin switches the marketplace to manual capture in Settings; a guest
// buys from Northwind Home and the order's payment is only authorized; the store's owner captures
// it on the Payments page and it reads "Paid". The ranking preview follows a changed weight before
// anything is saved. Screenshots at phone, tablet and laptop widths, none overflowing sideways.

const STORE = "Northwind Home";

async function setCaptureMode(admin: Page, mode: "manual" | "automatic") {
  await admin.goto("/admin/settings");
  await hydrated(admin);
  const form = admin.getByTestId("capture-mode-form");
  await form.getByTestId(`capture-${mode}`).check();
  await form.getByRole("button", { name: "Save capture mode" }).click();
  await expect(admin.getByTestId("capture-mode-saved")).toBeVisible();
  await admin.reload();
  await expect(admin.getByTestId(`capture-${mode}`)).toBeChecked();
}

/** A guest adds one in-stock product of `store` and pays; returns the order number. */
async function guestBuysFrom(browser: Browser, store: string): Promise<string> {
  const page = await (await browser.newContext()).newPage();
  await openProductInStock(page, { from: "/search?q=", store: (s) => s === store });
  await addThisProduct(page);
  await page.goto("/checkout");
  await hydrated(page);
  const form = page.getByTestId("checkout-form");
  await form.getByLabel("Email for your receipt").fill("capture.buyer@example.com");
  await form.getByLabel("Full name").fill("Katherine Johnson");
  await form.getByLabel("Street address").fill("3 Langley Road");
  await form.getByLabel("City").fill("Hampton");
  await form.getByLabel("Postal code").fill("23666");
  await form.getByLabel("Card number").fill("4242 4242 4242 4242");
  await form.getByLabel("Expiry (MM/YY)").fill("12/39");
  await form.getByLabel("Security code").fill("123");
  await page.getByTestId("pay").click();
  // A guest's order page carries its access key in the query (issue 13).
  await expect(page).toHaveURL(/\/orders\/MM-[0-9A-Z]{12}\?key=[0-9a-f]{64}$/);
  await expect(page.getByTestId("payment-status")).toHaveText("authorized");
  return new URL(page.url()).pathname.split("/orders/")[1];
}

test("manual capture: the admin switches it on, the store captures a guest's payment", async ({ browser }) => {
  test.setTimeout(150_000);
  const admin = await signIn(browser, ADMIN.email, ADMIN.password);
  await setCaptureMode(admin, "manual");
  try {
    await dashboardShots(admin, "settings-admin");
    const number = await guestBuysFrom(browser, STORE);

    const owner = await signIn(browser, "owner@northwind-home.test", MERCHANT_PASSWORD);
    await owner.goto("/admin/payments?status=authorized");
    await hydrated(owner);
    await expect(owner.getByTestId("payments-title")).toContainText(STORE);
    await expect(owner.getByTestId("capture-mode")).toContainText("only authorizes");
    const row = owner.locator(`[data-testid="payment-row"][data-order="${number}"]`);
    await expect(row.getByTestId("payment-status")).toHaveText("Authorized");
    await dashboardShots(owner, "payments");
    await row.getByTestId("capture").click();
    await expect(owner.getByTestId("capture-done")).toContainText(number);
    await owner.goto("/admin/payments");
    await expect(owner.locator(`[data-testid="payment-row"][data-order="${number}"]`).getByTestId("payment-status")).toHaveText("Paid");

    // The store's settings and reviews.
    await owner.goto("/admin/settings");
    await hydrated(owner);
    const settings = owner.getByTestId("store-settings-form");
    // The browser accepts this address; the server wants a domain with a dot.
    await settings.getByLabel("Support email").fill("help@localhost");
    await settings.getByRole("button", { name: "Save settings" }).click();
    await expect(settings).toContainText("help@yourstore.com");
    await settings.getByLabel("Support email").fill("help@northwind-home.test");
    await settings.getByRole("button", { name: "Save settings" }).click();
    await expect(owner.getByTestId("settings-saved")).toBeVisible();
    await dashboardShots(owner, "settings-store");
    await owner.goto("/admin/reviews");
    await expect(owner.getByTestId("reviews-title")).toContainText(STORE);
    await dashboardShots(owner, "reviews-admin");
  } finally {
    await setCaptureMode(admin, "automatic");
  }
});

test("the platform admin finds users, sees merchants and previews ranking weights", async ({ browser }) => {
  const admin = await signIn(browser, ADMIN.email, ADMIN.password);
  await admin.goto("/admin/users?q=northwind");
  await expect(admin.getByTestId("user-row").first()).toContainText("owner@northwind-home.test");
  await expect(admin.getByTestId("user-row").first()).toContainText(`Owner of ${STORE}`);
  await dashboardShots(admin, "users");
  await admin.goto("/admin/merchants");
  // The demo's four stores, each once; other specs (accounts.spec.ts) open more before this one.
  for (const name of STORES) {
    await expect(admin.getByTestId("store-row").filter({ hasText: name })).toHaveCount(1);
  }
  await dashboardShots(admin, "merchants");

  await admin.goto("/admin/ranking?q=lamp");
  await hydrated(admin);
  await expect(admin.getByTestId("preview-summary")).toHaveText("The first results keep their order.");
  await expect(admin.getByTestId("save-weights")).toBeDisabled();
  // Text relevance off, then rating ×10: the preview follows each change, nothing is saved yet.
  await admin.locator("#weight-text_relevance").fill("0");
  await admin.locator("#weight-text_relevance").dispatchEvent("change");
  await expect(admin).toHaveURL(/text_relevance=0/);
  await hydrated(admin);
  await admin.locator("#weight-rating").fill("10");
  await admin.locator("#weight-rating").dispatchEvent("change");
  await expect(admin).toHaveURL(/rating=10/);
  await expect(admin.getByTestId("preview-summary")).toContainText("change place");
  await expect(admin.getByTestId("save-weights")).toBeEnabled();
  await dashboardShots(admin, "ranking");
});
