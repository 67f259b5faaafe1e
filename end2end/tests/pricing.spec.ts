import { test, expect } from "@playwright/test";
import {
  ADMIN,
  MERCHANT_PASSWORD,
  addThisProduct,
  dashboardShots,
  fillCheckout,
  hydrated,
  openProductInStock,
  ownerOf,
  signIn,
} from "./helpers";

test("a store sets its own shipping zone and the shopper's checkout shows and charges it", async ({ page, browser }) => {
  test.setTimeout(120_000);
  const store = await openProductInStock(page);
  await addThisProduct(page);

  const merchant = await signIn(browser, ownerOf(store), MERCHANT_PASSWORD);
  await merchant.goto("/admin/shipping");
  await hydrated(merchant);
  await expect(merchant.getByTestId("no-zones")).toBeVisible();
  const form = merchant.getByTestId("zone-form");
  await form.getByLabel("Name").fill("Domestic");
  await form.getByLabel("Countries (codes, or * for everywhere else)").fill("US, CA");
  await form.getByLabel("Standard shipping").fill("0=7.50, 1000=0");
  await form.getByLabel("Express (empty: none)").fill("19");
  await merchant.getByTestId("add-zone").click();
  await expect(merchant.getByTestId("shipping-outcome")).toContainText("Zone added");
  await expect(merchant.getByTestId("zone-row")).toHaveCount(1);
  await expect(merchant.getByTestId("zone-bands")).toHaveText("0.00=7.50, 1000.00=0.00");
  // A country already in a zone is refused, and the field says why.
  await form.getByLabel("Name").fill("Canada");
  await form.getByLabel("Countries (codes, or * for everywhere else)").fill("CA");
  await form.getByLabel("Standard shipping").fill("5");
  await merchant.getByTestId("add-zone").click();
  await expect(merchant.getByTestId("shipping-outcome")).toContainText("CA is already in the zone “Domestic”");
  await dashboardShots(merchant, "shipping");

  // …and a code of its own: 10 % off its items.
  await merchant.goto("/admin/discounts");
  await hydrated(merchant);
  const codeForm = merchant.getByTestId("discount-form");
  await codeForm.getByLabel("Code").fill("zone-ten");
  await codeForm.getByLabel("Offer").selectOption("percent");
  await codeForm.getByLabel("Percent or amount (not for free shipping)").fill("10");
  await merchant.getByTestId("create-code").click();
  await expect(merchant.getByTestId("discounts-outcome")).toContainText("ZONE-TEN is live");
  await expect(merchant.getByTestId("code-row").filter({ hasText: "ZONE-TEN" })).toContainText("10 % off");
  await dashboardShots(merchant, "discounts");

  // The shopper's checkout (United States by default) shows the store's own prices.
  await page.goto("/checkout");
  await hydrated(page);
  const choice = page.getByTestId("shipping-choice");
  await expect(choice).toContainText("$7.50");
  await expect(choice).toContainText("$19.00");
  await expect(page.getByTestId("shipping-total")).toHaveText("$7.50");
  // Where no zone covers, the review says the store does not ship there.
  const checkout = page.getByTestId("checkout-form");
  await checkout.getByLabel("Country").selectOption("JP");
  await expect(page.getByTestId("quote-error")).toContainText("does not ship to JP");
  await checkout.getByLabel("Country").selectOption("US");
  await expect(page.getByTestId("quote-error")).toHaveText("");
  await fillCheckout(page, "4242 4242 4242 4242", "zones.buyer@example.com");
  await checkout.getByLabel("Discount code").fill("zone-ten");
  await checkout.getByLabel("Discount code").blur();
  await expect(page.getByTestId("discount-line")).toContainText("ZONE-TEN");
  const discount = (await page.getByTestId("discount-line").locator("dd").innerText()).trim();
  await page.getByTestId("pay").click();
  await expect(page.getByRole("heading", { name: "Thank you for your order" })).toBeVisible();
  await expect(page.getByTestId("order-part")).toContainText("standard shipping $7.50");
  await expect(page.getByTestId("order-discount")).toContainText(discount);

  // Put the store back on the marketplace's rates, without its code, for the specs that follow.
  await merchant.goto("/admin/discounts");
  await hydrated(merchant);
  await merchant.getByRole("button", { name: "Switch off ZONE-TEN" }).click();
  await expect(merchant.getByTestId("code-row").filter({ hasText: "ZONE-TEN" })).toContainText("Off");
  await merchant.goto("/admin/shipping");
  await hydrated(merchant);
  await merchant.getByRole("button", { name: "Remove zone Domestic" }).click();
  await expect(merchant.getByTestId("no-zones")).toBeVisible();
});

test("the platform admin sets a region's tax rate", async ({ browser }) => {
  const admin = await signIn(browser, ADMIN.email, ADMIN.password);
  await admin.goto("/admin/taxes");
  await hydrated(admin);
  await expect(admin.getByTestId("tax-row").filter({ hasText: "GB" })).toContainText("20 %");
  const form = admin.getByTestId("tax-rate-form");
  await form.getByLabel("Country code").fill("jp");
  await form.getByLabel("Region (empty: whole country)").fill("Okinawa");
  await form.getByLabel("Rate (%)").fill("8.5");
  await admin.getByTestId("set-tax-rate").click();
  await expect(admin.getByTestId("taxes-outcome")).toContainText("Saved: JP Okinawa 8.5 %");
  await expect(admin.getByTestId("tax-row").filter({ hasText: "Okinawa" })).toContainText("8.5 %");
  await form.getByLabel("Rate (%)").fill("120");
  await admin.getByTestId("set-tax-rate").click();
  await expect(admin.getByTestId("taxes-outcome")).toContainText("between 0 and 100 percent");
  await dashboardShots(admin, "taxes");
  await admin.getByRole("button", { name: "Remove the rate of JP" }).click();
  await expect(admin.getByTestId("tax-row").filter({ hasText: "Okinawa" })).toHaveCount(0);
});
