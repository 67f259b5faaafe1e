import { test, expect, type Page, type Locator } from "@playwright/test";
import { hydrated, watchErrors } from "./helpers";

// Product cards on listings add a product with one variant straight to the cart; products with
// options link to their page; sold-out products say so. Kitchen & dining products have one variant
// each, T-shirts have sizes and colours.
const SINGLE = "/c/kitchen-dining";
const OPTIONS = "/c/t-shirts-tops";

// A refused add answers 422; the card shows why.
const EXPECTED_ERRORS = /status of 422/;

/** The first card on the page that can add to the cart, with its title. */
async function addableCard(page: Page): Promise<{ card: Locator; title: string }> {
  const card = page.getByTestId("product-card").filter({ has: page.getByTestId("card-add") }).first();
  await expect(card).toBeVisible();
  const title = (await card.locator("h3").innerText()).trim();
  return { card, title };
}

test("a card adds its product: the badge counts it at once and the cart holds it", async ({ page }) => {
  const errors = watchErrors(page, EXPECTED_ERRORS);
  await page.goto(SINGLE);
  await hydrated(page);
  await expect(page.getByTestId("cart-count")).toHaveText("0");
  const { card, title } = await addableCard(page);
  await expect(card.getByTestId("card-add")).toHaveText("Add to cart");

  // Slow the answer down: the badge shows the add before the server confirms it. Two seconds, so
  // that the "Adding…" state is still there when a busy machine gets round to looking (with
  // 400 ms it was over once before the check ran).
  await page.route("**/api/cart/add", async (route) => {
    await new Promise((r) => setTimeout(r, 2_000));
    await route.continue();
  });
  const url = page.url();
  await card.getByTestId("card-add").click();
  await expect(card.getByTestId("card-add")).toHaveText("Adding…");
  await expect(page.getByTestId("cart-count")).toHaveText("1");
  await expect(card.getByTestId("card-added")).toContainText("Added to your cart");
  await expect(page.getByTestId("cart-count")).toHaveText("1");
  expect(page.url()).toBe(url);
  // Only the card that added says so.
  await expect(page.getByTestId("card-added")).toHaveCount(1);

  await page.getByTestId("cart-link").click();
  await expect(page).toHaveURL(/\/cart$/);
  await expect(page.getByTestId("line-title")).toHaveText([title]);
  expect(errors).toEqual([]);
});

test("a refused add from a card rolls the badge back and the card says why", async ({ page }) => {
  const errors = watchErrors(page, EXPECTED_ERRORS);
  await page.goto(SINGLE);
  await hydrated(page);
  const { card, title } = await addableCard(page);
  // Put all of its stock in the cart from the product page.
  const href = (await card.getByTestId("card-link").getAttribute("href"))!;
  await page.goto(href);
  await hydrated(page);
  await page.getByLabel("Quantity").fill("99");
  await page.getByTestId("add-to-cart").click();
  await expect(page.getByTestId("added-to-cart")).toBeVisible();
  const count = Number(await page.getByTestId("cart-count").innerText());

  await page.goto(SINGLE);
  await hydrated(page);
  await page.route("**/api/cart/add", async (route) => {
    await new Promise((r) => setTimeout(r, 400));
    await route.continue();
  });
  const same = page.getByTestId("product-card").filter({ hasText: title }).first();
  await same.getByTestId("card-add").click();
  await expect(page.getByTestId("cart-count")).toHaveText(String(count + 1));
  await expect(same.getByTestId("card-add-error")).toContainText(/left; your cart has|at most 99/);
  await expect(page.getByTestId("cart-count")).toHaveText(String(count));
  await expect(page.getByTestId("card-add-error")).toHaveCount(1);
  await same.screenshot({ path: "screenshots/cards-refused-card.png" });
  expect(errors).toEqual([]);
});

test("cards of products with options link to the product page", async ({ page }) => {
  await page.goto(OPTIONS);
  await hydrated(page);
  const card = page.getByTestId("product-card").filter({ has: page.getByTestId("card-choose") }).first();
  const href = await card.getByTestId("card-choose").getAttribute("href");
  expect(href).toBe(await card.getByTestId("card-link").getAttribute("href"));
  await expect(page.getByTestId("card-add")).toHaveCount(0);
  await card.getByTestId("card-choose").click();
  await expect(page.getByTestId("sku")).toBeVisible();
  await expect(page).toHaveURL(new RegExp(href!.replace(/[.?]/g, "\\$&")));
});

test("without JavaScript a card adds and the listing says so", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const listing = `${SINGLE}?sort=price_desc`;
  await page.goto(listing);
  const { card, title } = await addableCard(page);
  await card.getByTestId("card-add").click();
  // Back on the same listing (same sort), with a confirmation and the badge counting it.
  await expect(page).toHaveURL(new RegExp(`${listing.replace("?", "\\?")}$`));
  await expect(page.getByTestId("card-notice")).toContainText("Added to your cart (1 of this item in your cart).");
  await expect(page.getByTestId("cart-count")).toHaveText("1");
  await page.screenshot({ path: "screenshots/cards-no-js-added.png" });
  // Shown once.
  await page.reload();
  await expect(page.getByTestId("card-notice")).toHaveCount(0);
  await page.goto("/cart");
  await expect(page.getByTestId("line-title")).toHaveText([title]);
  await context.close();
});

for (const vp of [
  { name: "phone", width: 390, height: 844 },
  { name: "desktop", width: 1280, height: 900 },
]) {
  test(`cards at ${vp.name} width`, async ({ page }) => {
    await page.setViewportSize({ width: vp.width, height: vp.height });
    for (const [name, path] of [
      ["single", SINGLE],
      ["options", OPTIONS],
    ]) {
      await page.goto(path);
      await hydrated(page);
      if (name === "single") {
        const { card } = await addableCard(page);
        await card.getByTestId("card-add").click();
        await expect(card.getByTestId("card-added")).toBeVisible();
      }
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      // Every card's button spans the card's width and sits at its bottom, in line with the
      // buttons of its row (the confirmation on the added card does not move it).
      const boxes = await page.getByTestId("product-card").evaluateAll((cards) =>
        cards.map((c) => {
          const card = c.getBoundingClientRect();
          const button = c.querySelector("[data-testid=card-add], [data-testid=card-choose], [data-testid=card-sold-out]")!;
          const b = button.getBoundingClientRect();
          return { row: Math.round(card.top), top: Math.round(b.top), left: b.left - card.left, right: card.right - b.right, bottom: card.bottom - b.bottom };
        }),
      );
      expect(boxes.length).toBeGreaterThan(0);
      for (const b of boxes) {
        expect(b.left).toBeCloseTo(b.right, 0);
        expect(b.left).toBeLessThanOrEqual(16);
        expect(b.bottom).toBeLessThanOrEqual(16);
        expect(b.top).toBe(boxes.find((o) => o.row === b.row)!.top);
      }
      // The grid's first rows under the sticky header.
      await page.evaluate(() => {
        const grid = document.querySelector('[data-testid="product-grid"]')!;
        window.scrollTo(0, grid.getBoundingClientRect().top + window.scrollY - 140);
      });
      await page.screenshot({ path: `screenshots/cards-${name}-${vp.name}.png` });
    }
    // A sold-out product's card: find one on the listing's pages.
    for (let n = 1; n <= 6; n++) {
      await page.goto(`/c/home-living?sort=price_asc&page=${n}`);
      if ((await page.getByTestId("card-sold-out").count()) > 0) break;
    }
    const soldOut = page.getByTestId("card-sold-out").first();
    await expect(soldOut).toBeDisabled();
    await soldOut.evaluate((el) => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 500));
    await page.screenshot({ path: `screenshots/cards-sold-out-${vp.name}.png` });
  });
}
