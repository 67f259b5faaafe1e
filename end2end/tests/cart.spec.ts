import { test, expect, type Page } from "@playwright/test";
import { hydrated, newShopperAccount, openProductInStock, submitSignIn, watchErrors } from "./helpers";

// A refused add answers 422; the page shows why.
const EXPECTED_ERRORS = /status of 422/;

/** "$1,234.50" → 123450 */
const cents = (text: string) => Math.round(Number(text.replace(/[^0-9.]/g, "")) * 100);
const dollars = (minor: number) =>
  "$" + (minor / 100).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** Opens a product from the category with at least two in stock, from a store other than
 * `otherThan`; returns its store, title and unit price. */
async function openProduct(page: Page, otherThan?: string) {
  // The home page lists products of every store; a category may belong to one store only.
  const from = otherThan ? "/" : "/c/t-shirts-tops";
  await openProductInStock(page, { from, store: (s) => s !== otherThan });
  const title = (await page.locator("#product-title").innerText()).trim();
  const store = (await page.locator("#product-title").locator("xpath=preceding-sibling::p").innerText()).trim();
  const price = cents(await page.getByTestId("price-current").first().innerText());
  return { title, store, price };
}

async function addToCart(page: Page, quantity: number) {
  const form = page.getByTestId("add-to-cart-form");
  await expect(form.getByTestId("add-to-cart")).toBeEnabled();
  await form.getByLabel("Quantity").fill(String(quantity));
  await form.getByTestId("add-to-cart").click();
  await expect(form.getByTestId("added-to-cart")).toBeVisible();
}

test("a guest's cart from two stores survives a reload and merges at sign-in", async ({ page, request }) => {
  // The account the guest cart merges into is this test's own: merged into the demo shopper, the
  // lines would stay in that cart for whichever spec signs in as the demo shopper next.
  const shopper = await newShopperAccount(request);
  const errors = watchErrors(page, EXPECTED_ERRORS);
  const first = await openProduct(page);
  await addToCart(page, 1);
  await expect(page.getByTestId("cart-count")).toHaveText("1");
  const second = await openProduct(page, first.store);
  expect(second.store).not.toBe(first.store);
  await addToCart(page, 2);
  await expect(page.getByTestId("cart-count")).toHaveText("3");

  await page.getByTestId("cart-link").click();
  await expect(page).toHaveURL(/\/cart$/);
  const groups = page.getByTestId("merchant-group");
  await expect(groups).toHaveCount(2);
  await expect(groups.getByTestId("merchant-name")).toHaveText([first.store, second.store]);
  await expect(groups.nth(0).getByTestId("merchant-subtotal")).toHaveText(dollars(first.price));
  await expect(groups.nth(1).getByTestId("merchant-subtotal")).toHaveText(dollars(2 * second.price));
  await expect(page.getByTestId("cart-total")).toHaveText(dollars(first.price + 2 * second.price));
  await expect(page.getByTestId("checkout")).toHaveAttribute("href", "/checkout");

  // The cart is on the server, bound to a cookie that outlives the browser session.
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId("merchant-group")).toHaveCount(2);
  await expect(page.getByTestId("cart-count")).toHaveText("3");
  const cookie = (await page.context().cookies()).find((c) => c.name === "mm_cart");
  expect(cookie?.httpOnly).toBe(true);
  expect(cookie!.expires).toBeGreaterThan(Date.now() / 1000 + 29 * 24 * 3600);

  // Changing a quantity updates the totals and the badge.
  const line = page.getByTestId("cart-line").first();
  await line.getByRole("spinbutton").fill("2");
  await line.getByRole("button", { name: /Update|Accept new price/ }).click();
  await expect(page.getByTestId("cart-total")).toHaveText(dollars(2 * first.price + 2 * second.price));
  await expect(page.getByTestId("cart-count")).toHaveText("4");

  await page.goto("/login");
  await hydrated(page);
  await submitSignIn(page, shopper.email, shopper.password);
  await expect(page.getByTestId("account-link")).toBeVisible();
  await page.goto("/cart");
  await hydrated(page);
  const titles = page.getByTestId("line-title");
  await expect(titles.filter({ hasText: first.title })).toHaveCount(1);
  await expect(titles.filter({ hasText: second.title })).toHaveCount(1);
  await expect(page.getByTestId("merchant-name").filter({ hasText: first.store })).toHaveCount(1);
  await expect(page.getByTestId("merchant-name").filter({ hasText: second.store })).toHaveCount(1);
  expect((await page.context().cookies()).find((c) => c.name === "mm_cart")).toBeUndefined();
  expect(errors).toEqual([]);
});

test("the badge counts an add at once and rolls back when the server refuses", async ({ page }) => {
  const errors = watchErrors(page, EXPECTED_ERRORS);
  await openProduct(page);
  await expect(page.getByTestId("add-to-cart")).toBeEnabled();
  // Ask for the most a line may hold: the cart takes what stock allows and says so.
  await page.getByLabel("Quantity").fill("99");
  await page.getByTestId("add-to-cart").click();
  const added = page.getByTestId("added-to-cart");
  await expect(added).toBeVisible();
  const count = Number(await page.getByTestId("cart-count").innerText());
  expect(count).toBeGreaterThan(0);
  // Nothing more fits: the badge shows the add, then goes back, and the form says why.
  await page.route("**/api/cart/add", async (route) => {
    await new Promise((r) => setTimeout(r, 400));
    await route.continue();
  });
  await page.getByLabel("Quantity").fill("1");
  await page.getByTestId("add-to-cart").click();
  await expect(page.getByTestId("cart-count")).toHaveText(String(count + 1));
  await expect(page.getByTestId("form-alert")).toContainText(/left; your cart has|at most 99/);
  await expect(page.getByTestId("cart-count")).toHaveText(String(count));
  expect(errors).toEqual([]);
});

test("the cart page at phone and desktop widths", async ({ page }) => {
  await openProduct(page);
  await addToCart(page, 1);
  for (const vp of [
    { name: "phone", width: 390, height: 844 },
    { name: "desktop", width: 1280, height: 900 },
  ]) {
    await page.setViewportSize({ width: vp.width, height: vp.height });
    await page.goto("/cart");
    await hydrated(page);
    await expect(page.getByTestId("cart-summary")).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `screenshots/cart-${vp.name}.png`, fullPage: true });
  }
});

test("without JavaScript a guest adds, changes and removes", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/c/t-shirts-tops");
  await page.getByTestId("product-card").filter({ hasNotText: "Sold out" }).first().click();
  await page.getByLabel("Quantity").fill("2");
  await page.getByTestId("add-to-cart").click();
  await expect(page).toHaveURL(/\/cart$/);
  await expect(page.getByTestId("cart-line")).toHaveCount(1);
  const line = page.getByTestId("cart-line");
  await line.getByRole("spinbutton").fill("3");
  await line.getByRole("button", { name: /Update|Accept new price/ }).click();
  await expect(page.getByTestId("cart-line").getByRole("spinbutton")).toHaveValue("3");
  await page.getByTestId("cart-line").getByRole("button", { name: "Remove" }).click();
  await expect(page.getByTestId("cart-empty")).toBeVisible();
  await context.close();
});
