import { test, expect } from "@playwright/test";
import { MERCHANT_PASSWORD, dashboardShots, hydrated, mailLink, ownerOf, signIn, storefrontShots } from "./helpers";

// An owner invites an address from /admin/staff; the invitee follows the e-mailed link, signs up
// on /join and lands in the dashboard as staff, where the owner's pages answer 403.
test("an owner invites staff; the invitee signs up from the e-mail and cannot open the owner's pages", async ({ browser }) => {
  const store = "Voltline Audio";
  const owner = await signIn(browser, ownerOf(store), MERCHANT_PASSWORD);
  await owner.goto("/admin/staff");
  await hydrated(owner);
  const email = `staff.${Date.now().toString(36)}.${process.pid}@example.com`;
  await owner.getByLabel("E-mail address").fill(email);
  await owner.getByRole("button", { name: "Send invitation" }).click();
  await expect(owner.getByTestId("staff-outcome")).toContainText("Invitation sent");
  await expect(owner.getByTestId("invitation").filter({ hasText: email })).toBeVisible();
  await dashboardShots(owner, "staff");

  const link = await mailLink(email, "staff_invitation", /https?:\/\/\S+\/join\?token=[0-9a-f]{64}/);
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(link);
  await hydrated(page);
  await expect(page.getByRole("heading", { name: `Join ${store}` })).toBeVisible();
  await expect(page.locator("#join-email")).toHaveText(email);
  await storefrontShots(page, "join");
  await page.getByLabel("Your name").fill("Nia Staff");
  await page.getByLabel("Password").fill("staff passphrase 2026");
  await page.getByRole("button", { name: "Create account and join" }).click();
  await expect(page).toHaveURL(/:\d+\/admin$/);
  await expect(page.getByTestId("dashboard-title")).toHaveText(store);
  const nav = page.getByTestId("admin-nav");
  await expect(nav.getByRole("link", { name: "Orders" })).toBeVisible();
  for (const hidden of ["Settings", "Earnings", "Staff"]) {
    await expect(nav.getByRole("link", { name: hidden, exact: true })).toHaveCount(0);
  }
  for (const path of ["/admin/settings", "/admin/earnings", "/admin/payouts", "/admin/staff"]) {
    const res = await page.goto(path);
    expect(res?.status(), path).toBe(403);
    await expect(page.getByTestId("forbidden")).toBeVisible();
  }
  // The link worked once.
  await page.goto(link);
  await expect(page.getByTestId("join-invalid")).toBeVisible();

  await owner.goto("/admin/staff");
  await hydrated(owner);
  await expect(owner.getByTestId("member").filter({ hasText: email })).toContainText("staff");
  await expect(owner.getByTestId("invitation").filter({ hasText: email })).toHaveCount(0);
  await context.close();
  await owner.context().close();
});
