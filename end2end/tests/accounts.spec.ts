import { test, expect } from "@playwright/test";
import { MERCHANT_PASSWORD, SHOPPER, hydrated, mailLink, newShopperAccount, signIn, submitSignIn, watchErrors } from "./helpers";

const password = "correct horse battery staple";

// The browser logs every 4xx answer; refused form submissions (422) are expected here.
const EXPECTED_ERRORS = /status of 422/;

test("register, sign out, sign in again and edit an address", async ({ page }) => {
  const errors = watchErrors(page, EXPECTED_ERRORS);
  const email = `ada.${Date.now()}@example.com`;

  await page.goto("/register");
  await hydrated(page);
  await page.getByLabel("Your name").fill("Ada Lovelace");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByTestId("error-password")).toContainText("at least 10");

  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/:\d+\/account$/);
  await expect(page.getByTestId("account-email")).toContainText(email);
  await expect(page.getByTestId("account-links")).toContainText("Ada Lovelace");

  // Add an address; a bad postal code is refused with a message next to the field.
  const form = page.getByTestId("add-address-form");
  await form.getByLabel("Full name").fill("Ada Lovelace");
  await form.getByLabel("Street address").fill("12 St James's Square");
  await form.getByLabel("City").fill("London");
  await form.getByLabel("Postal code").fill("SW1Y <4JH>");
  await form.getByLabel("Country").selectOption("GB");
  await form.getByRole("button", { name: "Save address" }).click();
  await expect(form.getByTestId("error-postal_code")).toContainText("letters, digits");
  await form.getByLabel("Postal code").fill("SW1Y 4JH");
  await form.getByRole("button", { name: "Save address" }).click();
  await expect(page.getByTestId("address")).toHaveCount(1);
  await expect(page.getByTestId("address")).toContainText("United Kingdom");

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId("account-links")).toContainText("Sign in");

  await page.goto("/login");
  await hydrated(page);
  await submitSignIn(page, email, "wrong password here");
  await expect(page.getByTestId("form-alert")).toContainText("email or password is incorrect");
  await submitSignIn(page, email, password);
  await expect(page).toHaveURL(/:\d+\/account$/);

  // Edit the address.
  const card = page.getByTestId("address").first();
  await card.getByText("Edit").click();
  await card.getByLabel("City").fill("Cambridge");
  await card.getByRole("button", { name: "Save address" }).click();
  await expect(page.getByTestId("address").first()).toContainText("Cambridge");

  expect(errors, errors.join("\n")).toEqual([]);
});

test("a visitor opening /account signs in and comes back", async ({ page }) => {
  await page.goto("/account");
  await expect(page).toHaveURL(/\/login\?next=\/account$/);
  await hydrated(page);
  await submitSignIn(page, SHOPPER.email, SHOPPER.password);
  await expect(page).toHaveURL(/:\d+\/account$/);
  await expect(page.getByTestId("account-email")).toContainText("shopper@meridian.test");
});

test("a store owner reaches the dashboard; a shopper gets 403", async ({ page, context }) => {
  await page.goto("/login?next=/admin");
  await hydrated(page);
  await submitSignIn(page, "owner@northwind-home.test", MERCHANT_PASSWORD);
  await expect(page).toHaveURL(/:\d+\/admin$/);
  await expect(page.getByTestId("dashboard-title")).toHaveText("Northwind Home");
  await expect(page.getByTestId("store-status")).toHaveText("active");

  await context.clearCookies();
  await page.goto("/login");
  await hydrated(page);
  await submitSignIn(page, SHOPPER.email, SHOPPER.password);
  await expect(page).toHaveURL(/:\d+\/account$/);
  const res = await page.goto("/admin");
  expect(res?.status()).toBe(403);
  await expect(page.getByTestId("forbidden")).toBeVisible();
});

test("sign-in works without JavaScript", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/login?next=/account");
  await submitSignIn(page, SHOPPER.email, "wrong password again");
  await expect(page.getByTestId("form-alert")).toContainText("email or password is incorrect");
  await submitSignIn(page, SHOPPER.email, SHOPPER.password);
  await expect(page).toHaveURL(/:\d+\/account$/);
  await expect(page.getByTestId("account-email")).toContainText("shopper@meridian.test");
  await context.close();
});

test("a new account confirms its e-mail from the mail before it can open a store", async ({ browser, request }) => {
  const { email, password } = await newShopperAccount(request, "Future Seller");
  const page = await signIn(browser, email, password);
  await page.goto("/account");
  await hydrated(page);
  await expect(page.getByTestId("verify-banner")).toContainText("Your e-mail is not verified");
  const storeName = `Verified Goods ${Date.now().toString(36)}`;
  await page.getByLabel("Store name").fill(storeName);
  await page.getByRole("button", { name: "Open a store" }).click();
  await expect(page.getByTestId("form-alert")).toContainText("Confirm your e-mail address before opening a store");

  // Opening the link shows a button; pressing it confirms.
  await page.goto(await mailLink(email, "email_verification", /https?:\/\/\S+\/verify-email\?token=[0-9a-f]{64}/));
  await hydrated(page);
  await page.getByRole("button", { name: "Confirm my e-mail" }).click();
  await expect(page).toHaveURL(/\/account\?verified=1$/);
  await expect(page.getByTestId("account-email")).toContainText(email);
  await expect(page.getByTestId("verify-banner")).toHaveCount(0);
  await page.getByLabel("Store name").fill(storeName);
  await page.getByRole("button", { name: "Open a store" }).click();
  await expect(page).toHaveURL(/:\d+\/admin$/);
  await expect(page.getByTestId("dashboard-title")).toHaveText(storeName);
  await page.context().close();
});
