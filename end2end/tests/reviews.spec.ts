import { test, expect, type Locator, type Page } from "@playwright/test";
import { MERCHANT_PASSWORD, SHOPPER, hydrated, submitSignIn, watchErrors } from "./helpers";

const hostile = "<script>window.__reviewXss = 1</script> Sturdy & <b>well made</b>";

// A refused review answers 422; the form shows why.
const EXPECTED_ERRORS = /status of 422/;

/** (count, sum of stars) read from the distribution bars: <progress value=n max=count>. */
async function totals(reviews: Locator): Promise<[number, number]> {
  let count = 0;
  let sum = 0;
  for (let stars = 1; stars <= 5; stars++) {
    const bar = reviews.getByTestId(`distribution-${stars}`).locator("progress");
    if ((await bar.count()) === 0) continue;
    const n = Number(await bar.getAttribute("value"));
    count += n;
    sum += n * stars;
  }
  return [count, sum];
}

async function openAProduct(page: Page): Promise<string> {
  await page.goto("/c/t-shirts-tops");
  await hydrated(page);
  await page.getByTestId("product-card").first().click();
  await expect(page.getByTestId("sku")).toBeVisible();
  return new URL(page.url()).pathname;
}

test("a visitor is invited to sign in and come back to the product", async ({ page }) => {
  const path = await openAProduct(page);
  const link = page.getByTestId("sign-in-to-review");
  await expect(link).toHaveText("Sign in to write a review");
  await expect(link).toHaveAttribute("href", `/login?next=${path}`);
});

test("a shopper rates a product, sees the average change, and hostile text stays text", async ({ page }) => {
  const errors = watchErrors(page, EXPECTED_ERRORS);
  await page.goto("/login");
  await hydrated(page);
  await submitSignIn(page, SHOPPER.email, SHOPPER.password);
  await expect(page).toHaveURL(/:\d+\/account$/);

  const path = await openAProduct(page);
  const reviews = page.getByTestId("reviews");
  await expect(reviews.getByTestId("rating-summary")).toBeVisible();
  const [count, sum] = await totals(reviews);

  const form = reviews.getByTestId("review-form");
  // Submitting without stars is refused next to the rating.
  await form.getByRole("button", { name: "Post review" }).click();
  await expect(form.getByTestId("error-rating")).toContainText("Choose a rating");

  await form.getByRole("radio", { name: "5 stars", exact: true }).check({ force: true });
  await form.getByLabel("Your review").fill(hostile);
  await form.getByRole("button", { name: "Post review" }).click();
  await expect(form.getByTestId("review-saved")).toBeVisible();

  const average = (stars: number) => (Math.round(((sum + stars) / (count + 1)) * 10) / 10).toFixed(1);
  const reviewCount = `${count + 1} ${count + 1 === 1 ? "review" : "reviews"}`;
  await expect(reviews.getByTestId("rating-count")).toHaveText(reviewCount);
  await expect(reviews.getByTestId("rating-average")).toHaveText(average(5));
  const mine = reviews.getByTestId("review").filter({ hasText: "Your review" });
  await expect(mine.getByTestId("review-body")).toHaveText(hostile);

  // Rendered by the server too: the text is escaped, nothing ran, no element was injected.
  await page.goto(`${path}?reviews=newest`);
  await hydrated(page);
  await expect(mine.getByTestId("review-body")).toHaveText(hostile);
  expect(await reviews.locator("script, b").count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __reviewXss?: number }).__reviewXss)).toBeUndefined();

  // The form now edits the review; a second new review is refused with a message to edit.
  await expect(form.getByLabel("Your review")).toHaveValue(hostile);
  await expect(form.getByRole("button", { name: "Update your review" })).toBeVisible();
  const productId = await form.locator('input[name="product_id"]').getAttribute("value");
  const second = await page.request.post("/api/reviews/write", {
    form: { product_id: productId ?? "", rating: "1", body: "again" },
  });
  expect(second.status()).toBe(422);
  expect(await second.text()).toContain("Edit your review");

  // Editing changes the stars, not the count.
  await form.getByRole("radio", { name: "3 stars", exact: true }).check({ force: true });
  await form.getByRole("button", { name: "Update your review" }).click();
  await expect(reviews.getByTestId("rating-average")).toHaveText(average(3));
  await expect(reviews.getByTestId("rating-count")).toHaveText(reviewCount);

  for (const vp of [
    { name: "phone", width: 390, height: 844 },
    { name: "desktop", width: 1280, height: 900 },
  ]) {
    await page.setViewportSize({ width: vp.width, height: vp.height });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, "horizontal overflow in px").toBeLessThanOrEqual(0);
    // The sticky header would cover the top of an element screenshot.
    await page.evaluate(() => document.querySelector("header")?.style.setProperty("position", "static"));
    await reviews.screenshot({ path: `screenshots/reviews-${vp.name}.png` });
  }
  expect(errors, errors.join("\n")).toEqual([]);
});

test("reviews sort by newest or most helpful as plain links", async ({ page }) => {
  await openAProduct(page);
  const reviews = page.getByTestId("reviews");
  await reviews.getByTestId("sort-helpful").click();
  await expect(page).toHaveURL(/\?reviews=helpful/);
  await expect(reviews.getByTestId("sort-helpful")).toHaveAttribute("aria-current", "true");
  const counts = await reviews.getByTestId("review").evaluateAll((els) =>
    els.map((el) => Number((el.querySelector('[data-testid="helpful-count"]')?.textContent ?? "").split(" ")[0]) || 0),
  );
  expect(counts).toEqual([...counts].sort((a, b) => b - a));
});

async function signInTo(page: Page, path: string, email: string, password: string) {
  await page.goto(`/login?next=${path}`);
  await hydrated(page);
  await submitSignIn(page, email, password);
  await expect(page).toHaveURL(new RegExp(`:\\d+${path}$`));
  await hydrated(page);
}

test("a shopper marks a review helpful once; the store replies to a review once", async ({ page, context }) => {
  const errors = watchErrors(page, EXPECTED_ERRORS);
  // A demo product of Northwind Home with seeded reviews.
  const path = "/products/enamel-dutch-oven";
  await signInTo(page, path, SHOPPER.email, SHOPPER.password);
  const reviews = page.getByTestId("reviews");
  const first = reviews.getByTestId("review").filter({ has: page.getByRole("button", { name: "Helpful" }) }).first();
  const author = await first.getByTestId("review-author").textContent();
  const voted = reviews.getByTestId("review").filter({ hasText: author ?? "" }).first();
  await first.getByRole("button", { name: "Helpful" }).click();
  await expect(voted).toContainText("You found this helpful");
  await expect(voted.getByRole("button", { name: "Helpful" })).toHaveCount(0);

  await context.clearCookies();
  await signInTo(page, path, "owner@northwind-home.test", MERCHANT_PASSWORD);
  await expect(reviews.getByTestId("review-panel")).toContainText("reply to its reviews but not review it");
  const open = reviews.getByTestId("review").filter({ hasText: "Reply as Northwind Home" }).first();
  const name = (await open.getByTestId("review-author").textContent()) ?? "";
  const replied = reviews.getByTestId("review").filter({ hasText: name }).first();
  await open.getByText("Reply as Northwind Home").click();
  await open.getByLabel("Your reply").fill("Thanks for telling us. <i>We</i> will make it right.");
  await open.getByRole("button", { name: "Post reply" }).click();
  await expect(replied.getByTestId("merchant-reply")).toContainText("Reply from Northwind Home");
  await expect(replied.getByTestId("merchant-reply")).toContainText("<i>We</i> will make it right.");
  await expect(replied.getByText("Reply as Northwind Home")).toHaveCount(0);
  expect(errors, errors.join("\n")).toEqual([]);
});
