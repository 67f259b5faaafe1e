import { test, expect } from "@playwright/test";
import { ADMIN, MERCHANT_PASSWORD, dashboardShots, hydrated, signIn } from "./helpers";

// Inventory (issue 7, item 4) and the dashboard shell (item 1): the owner adjusts a variant's stock
// (received +10) and sees the history row; removing more than there is is refused next to the
// field; the adjust form works without JavaScript. Screenshots of /admin and /admin/inventory at
// phone, tablet and laptop widths, none of which overflows sideways (header included).

test("the owner receives stock and sees it in the history; too large a removal is refused", async ({ browser }) => {
  const owner = await signIn(browser, "owner@northwind-home.test", MERCHANT_PASSWORD);
  await owner.goto("/admin");
  await hydrated(owner);
  const nav = owner.getByTestId("admin-nav");
  await expect(nav.getByRole("link", { name: "Overview" })).toHaveAttribute("aria-current", "page");
  await dashboardShots(owner, "admin-owner");
  await nav.getByRole("link", { name: "Inventory" }).click();
  await expect(owner).toHaveURL(/\/admin\/inventory$/);
  await expect(owner.getByTestId("inventory-title")).toContainText("Northwind Home");
  await expect(nav.getByRole("link", { name: "Inventory" })).toHaveAttribute("aria-current", "page");
  await hydrated(owner);

  const row = owner.getByTestId("inventory-row").first();
  const sku = (await row.getAttribute("data-sku"))!;
  const before = Number((await row.getByTestId("stock").innerText()).replace(/\D/g, ""));
  await row.getByRole("link", { name: /Adjust/ }).click();
  const panel = owner.getByTestId("variant-panel");
  await expect(panel).toContainText(sku);
  await hydrated(owner);
  const form = owner.getByTestId("adjust-form");
  await form.getByLabel("Reason").selectOption("received");
  await form.getByLabel("Change").fill("10");
  await form.getByLabel("Note").fill("Pallet from the e2e test");
  await form.getByTestId("adjust-submit").click();
  await expect(owner.getByTestId("adjust-done")).toContainText(`${before + 10} in stock now`);
  const first = owner.getByTestId("history-row").first();
  await expect(first).toContainText("+10");
  await expect(first).toContainText("Received");
  await expect(first).toContainText(String(before + 10));
  await expect(first).toContainText("Pallet from the e2e test");
  await expect(owner.getByTestId("panel-stock")).toHaveText(String(before + 10));

  await form.getByLabel("Reason").selectOption("damaged");
  await form.getByLabel("Change").fill(String(-(before + 11)));
  await form.getByTestId("adjust-submit").click();
  await expect(form.getByTestId("error-delta")).toHaveText(
    `Only ${before + 10} in stock; you cannot remove ${before + 11}.`,
  );
  await expect(owner.getByTestId("panel-stock")).toHaveText(String(before + 10));

  // The low-stock filter is a plain GET form.
  await owner.getByTestId("low-only").check();
  await owner.getByRole("button", { name: "Show" }).click();
  await expect(owner).toHaveURL(/low=true/);
  await owner.goto("/admin/inventory");
  await dashboardShots(owner, "inventory-owner");
});

test("the adjust form works without JavaScript", async ({ browser }) => {
  const owner = await signIn(browser, "owner@northwind-home.test", MERCHANT_PASSWORD, false);
  await owner.goto("/admin/inventory");
  const row = owner.getByTestId("inventory-row").nth(1);
  const before = Number((await row.getByTestId("stock").innerText()).replace(/\D/g, ""));
  await row.getByRole("link", { name: /Adjust/ }).click();
  const form = owner.getByTestId("adjust-form");
  await form.getByLabel("Reason").selectOption("correction");
  await form.getByLabel("Change").fill("2");
  await form.getByTestId("adjust-submit").click();
  await expect(owner.getByTestId("panel-stock")).toHaveText(String(before + 2));
  await expect(owner.getByTestId("history-row").first()).toContainText("+2");
  await dashboardShots(owner, "inventory-variant-nojs");
});

test("the platform admin picks a store in the nav", async ({ browser }) => {
  const admin = await signIn(browser, ADMIN.email, ADMIN.password);
  await admin.goto("/admin");
  await hydrated(admin);
  await dashboardShots(admin, "admin-platform");
  const picker = admin.getByTestId("store-picker");
  await picker.getByRole("link", { name: "Northwind Home" }).click();
  await expect(admin).toHaveURL(/\/admin\/orders\?store=\d+$/);
  // The nav's links carry the chosen store once the page has re-rendered for it.
  const inventory = admin.getByTestId("admin-nav").getByRole("link", { name: "Inventory" });
  await expect(inventory).toHaveAttribute("href", /store=\d+/);
  await inventory.click();
  await expect(admin).toHaveURL(/\/admin\/inventory\?store=\d+$/);
  await expect(admin.getByTestId("inventory-title")).toContainText("Northwind Home");
  await dashboardShots(admin, "inventory-admin");
});
