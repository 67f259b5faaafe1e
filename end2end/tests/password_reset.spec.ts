import { test, expect, type Page } from "@playwright/test";
import { readdir, readFile } from "node:fs/promises";
import { hydrated, newShopperAccount, submitSignIn } from "./helpers";

// The main e2e server writes its messages into MAIL_DIR (playwright.config.ts): the reset link is
// read from the e-mail the shop sent, as a shopper would.
const mailDir = `${process.env.E2E_DATA_DIR ?? "/tmp/shop-e2e"}/mail`;

/** The newest password reset e-mail to `email`, waiting for the sender to write it. */
async function resetLink(email: string): Promise<string> {
  for (let i = 0; i < 60; i++) {
    const files = (await readdir(mailDir).catch(() => [] as string[])).filter((f) => f.endsWith("-password_reset.txt")).sort();
    for (const f of files.reverse()) {
      const text = await readFile(`${mailDir}/${f}`, "utf8");
      const link = text.match(/https?:\/\/\S+\/reset-password\?token=[0-9a-f]{64}/);
      if (text.startsWith(`To: ${email}\n`) && link) return link[0];
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`no reset e-mail to ${email} in ${mailDir}`);
}

async function askForLink(page: Page, email: string) {
  await page.goto("/login");
  await hydrated(page);
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await expect(page).toHaveURL(/\/forgot-password$/);
  await page.getByTestId("forgot-form").getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Send the link" }).click();
  await expect(page.getByTestId("reset-sent")).toContainText("If an account uses that email");
}

test("a shopper resets a forgotten password with the link from the e-mail", async ({ page, request }) => {
  const { email } = await newShopperAccount(request);
  await askForLink(page, email);
  const link = new URL(await resetLink(email));
  await page.goto(`${link.pathname}${link.search}`);
  await hydrated(page);
  await page.getByTestId("reset-form").getByLabel("New password").fill("a brand new passphrase 7");
  await page.getByRole("button", { name: "Save the new password" }).click();
  await expect(page).toHaveURL(/\/login\?reset=1$/);
  await expect(page.getByTestId("reset-done")).toBeVisible();
  await submitSignIn(page, email, "a brand new passphrase 7");
  await expect(page).toHaveURL(/\/account$/);
  // The same link a second time says it was used and offers a new one.
  await page.goto(`${link.pathname}${link.search}`);
  await hydrated(page);
  await page.getByTestId("reset-form").getByLabel("New password").fill("yet another passphrase 8");
  await page.getByRole("button", { name: "Save the new password" }).click();
  await expect(page.getByTestId("reset-expired")).toContainText("expired or was used already");
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("an unknown address gets the same answer, and no e-mail", async ({ page }) => {
    await page.goto("/forgot-password");
    await page.getByTestId("forgot-form").getByLabel("Email").fill("nobody-here@example.com");
    await page.getByRole("button", { name: "Send the link" }).click();
    await expect(page.getByText("If an account uses that email")).toBeVisible();
  });
});
