import { test, expect } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { MERCHANT_PASSWORD, hydrated, ownerOf, signIn } from "./helpers";

// The dashboard at a real store's size (issue 17): a store with 10,000 orders pages through its
// queue by cursor and finds one order by the customer's e-mail. The orders are added to the
// running e2e shop's database by the server's own seeding command (bench/store-orders.sql), to a
// store the other specs do not count orders of, dated over a year back.
const STORE = "Fieldcraft Outdoor";
const dataDir = process.env.E2E_DATA_DIR ?? "/tmp/shop-e2e";
const server = process.env.SERVER_BIN ?? "../target/debug/server";

test.beforeAll(() => {
  execFileSync(server, ["seed", "--store-orders", "10000", "fieldcraft-outdoor"], {
    env: { ...process.env, DATABASE_URL: `sqlite://${dataDir}/shop.db`, MEDIA_DIR: `${dataDir}/media`, RUST_LOG: "warn" },
    stdio: "pipe",
    timeout: 120_000,
  });
});

test("a store with 10,000 orders pages through its queue and finds one order by e-mail", async ({ browser }) => {
  const page = await signIn(browser, ownerOf(STORE), MERCHANT_PASSWORD);
  await page.goto("/admin/orders");
  await hydrated(page);
  const rows = page.getByTestId("store-order-row");
  const firstNumber = async () => (await rows.first().locator("a").first().textContent())?.trim() ?? "";
  await expect(rows).toHaveCount(25);
  const pages = [await firstNumber()];
  // Older, three times: 25 different orders on each page.
  for (let i = 0; i < 3; i++) {
    await page.getByRole("link", { name: "Older →" }).click();
    await expect(rows).toHaveCount(25);
    await expect.poll(firstNumber).not.toBe(pages[pages.length - 1]);
    pages.push(await firstNumber());
  }
  expect(new Set(pages).size).toBe(4);
  expect(page.url()).toMatch(/before=\d+/);
  // Newer comes back to the page before; Newest to the first.
  await page.getByRole("link", { name: "← Newer" }).click();
  await expect.poll(firstNumber).toBe(pages[2]);
  await page.getByRole("link", { name: "Newest" }).click();
  await expect.poll(firstNumber).toBe(pages[0]);

  // The customer of order 4,321 writes in: found by e-mail, in a search box that keeps the text.
  const email = "buyer-4321@example.com";
  const search = page.getByRole("search", { name: "Search orders" });
  await search.getByRole("searchbox").fill(email.toUpperCase());
  await search.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/q=BUYER-4321/);
  await expect(rows).toHaveCount(1);
  await expect(rows.first().getByTestId("row-email")).toHaveText(email);
  await expect(search.getByRole("searchbox")).toHaveValue(email.toUpperCase());
  await expect(page.getByTestId("cursor-pager")).toHaveCount(0);
  for (const [name, width, height] of [["phone", 390, 844], ["desktop", 1280, 900]] as const) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: `screenshots/orders-queue-search-${name}.png`, fullPage: true });
  }
  await rows.first().locator("a").first().click();
  await expect(page).toHaveURL(/\/admin\/orders\/MM-S10000004321/);
  await expect(page.getByText(email).first()).toBeVisible();

  // A search that cannot run says what to type; one that finds nothing says so.
  await page.goto("/admin/orders?q=x");
  await expect(page.getByRole("alert")).toContainText("Type at least 2 characters");
  await page.goto("/admin/orders?q=nobody%40example.com");
  await expect(page.getByTestId("no-store-orders")).toContainText("No orders match");
});

test("the orders page pages without JavaScript and exports CSV", async ({ browser }) => {
  const page = await signIn(browser, ownerOf(STORE), MERCHANT_PASSWORD, false);
  await page.goto("/admin/orders?status=shipped");
  const rows = page.getByTestId("store-order-row");
  await expect(rows).toHaveCount(25);
  await page.getByRole("link", { name: "Older →" }).click();
  await expect(page).toHaveURL(/status=shipped&before=\d+/);
  await expect(rows).toHaveCount(25);
  for (const [name, width, height] of [["phone", 390, 844], ["desktop", 1280, 900]] as const) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: `screenshots/orders-queue-${name}.png`, fullPage: true });
  }
  const res = await page.request.get("/admin/orders.csv?q=buyer-4321%40example.com");
  expect(res.status()).toBe(200);
  const lines = (await res.text()).trim().split("\n");
  expect(lines[0]).toBe(
    "order,date_utc,status,payment,email,ship_name,ship_country,items,subtotal,shipping,discount,tax,total,currency,order_id",
  );
  expect(lines).toHaveLength(2);
  expect(lines[1]).toMatch(/^MM-S10000004321,.*,buyer-4321@example\.com,Buyer 4321 Example,US,1,/);
});
