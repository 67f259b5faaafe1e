import { test, expect } from "@playwright/test";
import { ADMIN, MERCHANT_PASSWORD, addThisProduct, dashboardShots, fillCheckout, hydrated, openProductInStock, signIn } from "./helpers";

// Marketplace money (issue 16, item 2): the platform admin records a payout to a store on the
// Payouts page (too much is refused first) and the store's balance on its Earnings page drops by
// exactly that amount; the ledger shows the payout. Without JavaScript the plain form post records
// a payout too. (A repeated submission is recorded once: tests/payouts.rs.) Screenshots at phone,
// tablet and laptop widths.

const STORE = "Harbor & Pine";
const OWNER = "owner@harbor-and-pine.test";

const cents = (text: string) => Math.round(Number(text.replace(/[^0-9.-]/g, "")) * 100);

test("the admin records a payout and the store's balance drops by it", async ({ browser }) => {
  test.setTimeout(150_000);
  // A guest buys from the store, so it is owed something whatever ran before (the demo's order
  // history has no payments, so it is in no ledger).
  const buyer = await (await browser.newContext()).newPage();
  await openProductInStock(buyer, { from: "/search?q=", store: (s) => s === STORE });
  await addThisProduct(buyer);
  await buyer.goto("/checkout");
  await hydrated(buyer);
  await fillCheckout(buyer, "4242 4242 4242 4242", "payout.buyer@example.com");
  await buyer.getByTestId("pay").click();
  await expect(buyer).toHaveURL(/\/orders\/MM-[0-9A-Z]{12}\?key=/);

  const owner = await signIn(browser, OWNER, MERCHANT_PASSWORD);
  await owner.goto("/admin/earnings");
  await hydrated(owner);
  await expect(owner.getByTestId("earnings-title")).toContainText(STORE);
  const owedBefore = cents(await owner.getByTestId("balance-owed").first().innerText());
  expect(owedBefore).toBeGreaterThan(200);
  await dashboardShots(owner, "earnings");

  const admin = await signIn(browser, ADMIN.email, ADMIN.password);
  await admin.goto("/admin/payouts");
  await hydrated(admin);
  const card = admin.locator('[data-testid="store-money"]').filter({ hasText: STORE });
  await expect(card.getByTestId("store-owed").first()).toHaveText(
    (await owner.getByTestId("balance-owed").first().innerText()).trim(),
  );
  const form = card.getByTestId("payout-form").first();
  // Too much is refused with the amount the store is owed.
  await form.getByLabel("Amount paid").fill(((owedBefore + 100) / 100).toFixed(2));
  await form.getByLabel("Transfer reference").fill("E2E-TOO-MUCH");
  await form.getByTestId("record-payout").click();
  await expect(admin.getByTestId("payouts-outcome")).toContainText("cannot be larger");
  await form.getByLabel("Amount paid").fill("1.23");
  await form.getByLabel("Transfer reference").fill("E2E-TRANSFER-1");
  await form.getByTestId("record-payout").click();
  await expect(admin.getByTestId("payouts-outcome")).toContainText("E2E-TRANSFER-1");
  await expect(admin.getByTestId("payout-row").first()).toContainText("E2E-TRANSFER-1");
  // The form comes back empty: pressing it again would be a second payout.
  await expect(form.getByLabel("Amount paid")).toHaveValue("");
  await expect(form.getByLabel("Transfer reference")).toHaveValue("");
  await dashboardShots(admin, "payouts");

  await owner.reload();
  await hydrated(owner);
  expect(cents(await owner.getByTestId("balance-owed").first().innerText())).toBe(owedBefore - 123);
  const row = owner.locator('[data-testid="ledger-row"][data-kind="payout"]').first();
  await expect(row).toContainText("E2E-TRANSFER-1");
  await expect(row.getByTestId("ledger-amount")).toHaveText("-$1.23");

  // Without JavaScript the same form posts and the payout is recorded.
  const plain = await signIn(browser, ADMIN.email, ADMIN.password, false);
  await plain.goto("/admin/payouts");
  const plainCard = plain.locator('[data-testid="store-money"]').filter({ hasText: STORE });
  const plainForm = plainCard.getByTestId("payout-form").first();
  await plainForm.getByLabel("Amount paid").fill("0.50");
  await plainForm.getByLabel("Transfer reference").fill("E2E-NO-JS-1");
  await plainForm.getByTestId("record-payout").click();
  await plain.goto("/admin/payouts");
  await expect(plain.getByTestId("payout-row").first()).toContainText("E2E-NO-JS-1");
  await owner.reload();
  await hydrated(owner);
  expect(cents(await owner.getByTestId("balance-owed").first().innerText())).toBe(owedBefore - 173);
});
