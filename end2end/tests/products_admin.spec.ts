import { test, expect, type Browser } from "@playwright/test";
import path from "node:path";
import { MERCHANT_PASSWORD, hydrated, signIn } from "./helpers";

// Merchant products (issue 7, item 2): the owner of Northwind Home creates a product with two
// variants, sees field errors for a negative price, publishes it and finds it with the header
// search; the owner of Harbor & Pine opening its edit URL gets the 403 page. The form also works
// without JavaScript. After creating it the owner uploads a picture (end2end/fixtures/tote.png),
// which the storefront card then shows.

const stamp = Date.now().toString(36);
const TITLE = `Waxed Canvas Field Tote ${stamp}`;

/** The demo owner of a store, signed in. */
const signInOwner = (browser: Browser, email: string, js = true) => signIn(browser, email, MERCHANT_PASSWORD, js);

test("an owner creates a two-variant product, publishes it, finds it; another store gets 403", async ({ browser }) => {
  // Two sign-ins, an upload and a search: more than the default minute on a busy machine.
  test.setTimeout(120_000);
  const owner = await signInOwner(browser, "owner@northwind-home.test");
  await owner.goto("/admin/products");
  await hydrated(owner);
  await expect(owner.getByTestId("products-title")).toContainText("Northwind Home");
  await owner.getByTestId("new-product").click();
  await expect(owner).toHaveURL(/\/admin\/products\/new$/);
  await hydrated(owner);

  const form = owner.getByTestId("product-form");
  await form.getByTestId("field-title").fill(TITLE);
  await form.getByTestId("field-description").fill("A **sturdy** tote.\n\n- waxed canvas\n- leather straps\n\n<script>alert(1)</script>");
  await form.getByTestId("field-category").selectOption({ index: 1 });
  await form.getByTestId("status-draft").check();
  await form.getByTestId("field-option-name").fill("Size");
  await form.getByTestId("variant-sku-0").fill(`TOTE-S-${stamp}`);
  await form.getByTestId("variant-option-0").fill("Small");
  await form.getByTestId("variant-price-0").fill("-5");
  await form.getByTestId("variant-stock-0").fill("4");
  await form.getByTestId("variant-sku-1").fill(`TOTE-L-${stamp}`);
  await form.getByTestId("variant-option-1").fill("Large");
  await form.getByTestId("variant-price-1").fill("59.00");
  await form.getByTestId("variant-compare_at-1").fill("69.00");
  await form.getByTestId("variant-stock-1").fill("-1");
  await form.getByTestId("save-product").click();
  await expect(form.getByTestId("error-variants[0].price")).toHaveText("The price can't be negative.");
  await expect(form.getByTestId("error-variants[1].stock")).toHaveText("Stock can't be negative.");
  // Nothing was written, and what was typed is still there.
  await expect(form.getByTestId("field-title")).toHaveValue(TITLE);

  await form.getByTestId("variant-price-0").fill("49.00");
  await form.getByTestId("variant-stock-1").fill("2");
  await form.getByTestId("add-variant").click();
  await expect(form.getByTestId("variant-row")).toHaveCount(3);
  await form.getByTestId("save-product").click();
  await expect(owner).toHaveURL(/\/admin\/products\/\d+\?created=1$/);
  await expect(owner.getByTestId("product-created")).toBeVisible();
  const editUrl = new URL(owner.url()).pathname;
  await hydrated(owner);

  // Add a picture: the upload form posts and comes back with a notice and the image.
  await expect(owner.getByTestId("no-images")).toBeVisible();
  await owner.getByTestId("image-files").setInputFiles(path.join(__dirname, "..", "fixtures", "tote.png"));
  await owner.getByTestId("image-alt").fill("The tote, front");
  await owner.getByTestId("upload-images").click();
  await expect(owner).toHaveURL(/\/admin\/products\/\d+\?upload=done&count=1#images$/);
  await expect(owner.getByTestId("upload-notice")).toHaveText("Image added.");
  await expect(owner.getByTestId("image-tile")).toHaveCount(1);
  await expect(owner.getByTestId("image-position")).toHaveText("1 · Cover");
  await hydrated(owner);

  // Publish it.
  const edit = owner.getByTestId("product-form");
  await expect(edit.getByTestId("field-slug")).toHaveValue(/^waxed-canvas-field-tote-/);
  await edit.getByTestId("status-published").check();
  await edit.getByTestId("save-product").click();
  await expect(owner.getByTestId("product-saved")).toHaveText("Saved.");
  await expect(owner.getByTestId("view-in-store")).toBeVisible();

  // The table lists it; the shopper's header search finds it.
  await owner.goto(`/admin/products?q=${stamp}`);
  await expect(owner.getByTestId("product-row")).toHaveCount(1);
  await expect(owner.getByTestId("product-row")).toContainText("Published");
  await expect(owner.getByTestId("product-row")).toContainText("$49.00 – $59.00");

  await owner.goto("/");
  await hydrated(owner);
  await owner.getByRole("combobox", { name: "Search products" }).fill(`waxed canvas field tote ${stamp}`);
  await owner.getByRole("button", { name: "Search" }).click();
  const card = owner.getByTestId("product-card").filter({ hasText: TITLE });
  await expect(card).toBeVisible();
  // The card shows the uploaded picture, in its 400 px version.
  const cardImage = card.locator("img").first();
  await expect(cardImage).toHaveAttribute("src", /^\/media\/uploads\/[0-9a-f]{64}-400\.png$/);
  await expect(cardImage).toHaveAttribute("alt", "The tote, front");
  expect(await cardImage.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
  await card.click();
  await expect(owner.getByTestId("product-description").locator("strong")).toHaveText("sturdy");
  await expect(owner.getByTestId("product-description")).toContainText("<script>alert(1)</script>");

  // Another store's owner: the edit URL is the 403 page.
  const other = await signInOwner(browser, "owner@harbor-and-pine.test");
  const res = await other.goto(editUrl);
  expect(res?.status()).toBe(403);
  await expect(other.getByTestId("forbidden")).toBeVisible();
  await expect(other.getByTestId("product-form")).toHaveCount(0);
});

test("without JavaScript the form saves and shows field errors", async ({ browser }) => {
  const owner = await signInOwner(browser, "owner@northwind-home.test", false);
  await owner.goto("/admin/products/new");
  const form = owner.getByTestId("product-form");
  await form.getByTestId("field-title").fill(`No Script Mug ${stamp}`);
  await form.getByTestId("field-category").selectOption({ index: 1 });
  await form.getByTestId("variant-sku-0").fill(`MUG-${stamp}`);
  await form.getByTestId("variant-price-0").fill("12.50");
  await form.getByTestId("variant-stock-0").fill("-3");
  await form.getByTestId("save-product").click();
  await expect(owner.getByTestId("error-variants[0].stock")).toHaveText("Stock can't be negative.");

  const again = owner.getByTestId("product-form");
  await again.getByTestId("field-title").fill(`No Script Mug ${stamp}`);
  await again.getByTestId("field-category").selectOption({ index: 1 });
  await again.getByTestId("variant-sku-0").fill(`MUG-${stamp}`);
  await again.getByTestId("variant-price-0").fill("12.50");
  await again.getByTestId("variant-stock-0").fill("3");
  await again.getByTestId("save-product").click();
  await expect(owner).toHaveURL(/\/admin\/products\/\d+\?created=1$/);
  await expect(owner.getByTestId("product-created")).toBeVisible();
  await expect(owner.getByTestId("variant-sku-0")).toHaveValue(`MUG-${stamp}`);
});

test("the products, inventory and reviews lists page by cursor, with and without JavaScript", async ({ browser }) => {
  test.setTimeout(120_000);
  for (const js of [true, false]) {
    const owner = await signInOwner(browser, "owner@northwind-home.test", js);
    // Products by title: "Next →" and back with "← Previous" show the same first page.
    await owner.goto("/admin/products?sort=title");
    if (js) await hydrated(owner);
    const titles = owner.getByTestId("products-table").locator("tbody tr td:first-child a");
    const first = await titles.allInnerTexts();
    expect(first.length).toBe(25);
    const pager = owner.getByTestId("cursor-pager");
    await pager.getByRole("link", { name: "Next →" }).click();
    await expect(owner).toHaveURL(/sort=title&before=\d+/);
    await expect(titles.first()).not.toHaveText(first[0]);
    const second = await titles.allInnerTexts();
    expect(second.some((t) => first.includes(t))).toBe(false);
    await pager.getByRole("link", { name: "← Previous" }).click();
    await expect(titles.first()).toHaveText(first[0]);
    expect(await titles.allInnerTexts()).toEqual(first);
    // Inventory: the next page starts after the last variant shown.
    await owner.goto("/admin/inventory");
    const skus = owner.getByTestId("inventory-row");
    const lastShown = await skus.last().innerText();
    await owner.getByTestId("cursor-pager").getByRole("link", { name: "Next →" }).click();
    await expect(owner).toHaveURL(/before=\d+/);
    await expect(skus.first()).not.toHaveText(lastShown);
    // Reviews: the store's newest first; searching a product's title keeps only its reviews.
    await owner.goto("/admin/reviews");
    const review = owner.getByTestId("store-review").first();
    const product = await review.locator("a").first().innerText();
    const search = owner.getByRole("search", { name: "Search reviews" });
    await search.getByRole("searchbox").fill(product);
    await search.getByRole("button", { name: "Search" }).click();
    await expect(owner).toHaveURL(/\/admin\/reviews\?q=/);
    const found = owner.getByTestId("store-review");
    await expect(found.first()).toContainText(product);
    for (const text of await found.locator("a").allInnerTexts()) expect(text).toContain(product);
    await owner.context().close();
  }
});
