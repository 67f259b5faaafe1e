import { test, expect } from "@playwright/test";
import { MERCHANT_PASSWORD, hydrated, signIn } from "./helpers";

// Product CSV import (issue 7, item 3): the owner of Northwind Home uploads a CSV with one bad
// row from the products page, watches the job's progress finish, reads the bad row with its line
// number and reason, finds an imported product in the product table and downloads the export.

const stamp = Date.now().toString(36);
const HEADER = "handle,title,description,category,status,option_names,option_values,sku,price,compare_at_price,stock";


test("a merchant imports a CSV with one bad row, sees it by line and finds the imported product", async ({ browser }) => {
  const owner = await signIn(browser, "owner@northwind-home.test", MERCHANT_PASSWORD);
  await owner.goto("/admin/products");
  await hydrated(owner);
  await owner.getByTestId("import-products").click();
  await expect(owner).toHaveURL(/\/admin\/products\/import$/);
  await hydrated(owner);
  await expect(owner.getByTestId("import-title")).toContainText("Northwind Home");
  await expect(owner.getByTestId("import-format")).toContainText(HEADER);

  const csv = [
    HEADER,
    `e2e-linen-apron-${stamp},Linen Apron ${stamp},"Cross-back, with two pockets.",home-decor,published,Size,Small,APRON-S-${stamp},24.00,,5`,
    `e2e-linen-apron-${stamp},,,,,,Large,APRON-L-${stamp},26.50,30.00,3`,
    `e2e-oak-board-${stamp},Oak Board ${stamp},,home-decor,published,,,BOARD-${stamp},abc,,2`,
    `e2e-clay-cup-${stamp},Clay Cup ${stamp},,home-decor,draft,,,CUP-${stamp},9.5,,12`,
  ].join("\n");
  await owner.getByTestId("import-file").setInputFiles({
    name: "products.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(csv, "utf-8"),
  });
  // Each progress answer takes longer than the page's one-second poll: the page must still see
  // the job end (it once waited forever when every answer was overtaken by the next question).
  await owner.route("**/api/admin/products/import/status", async (route) => {
    await new Promise((r) => setTimeout(r, 1_500));
    await route.continue();
  });
  await owner.getByTestId("import-submit").click();
  await expect(owner).toHaveURL(/\/admin\/products\/import\?job=\d+$/);

  const job = owner.getByTestId("import-job");
  await expect(job).toHaveAttribute("data-status", "done");
  await expect(owner.getByTestId("import-status")).toHaveText("Import finished with problems");
  await expect(owner.getByTestId("import-done")).toHaveText("4 / 4");
  await expect(owner.getByTestId("import-ok")).toHaveText("3");
  await expect(owner.getByTestId("import-failed")).toHaveText("1");
  const bad = owner.getByTestId("import-error");
  await expect(bad).toHaveCount(1);
  await expect(bad).toHaveAttribute("data-line", "4");
  await expect(bad).toContainText("line 4: price must be a number like 12.50, got 'abc'");

  // The imported product is in the store's product table.
  await owner.goto(`/admin/products?q=${encodeURIComponent(`Linen Apron ${stamp}`)}`);
  await hydrated(owner);
  await expect(owner.getByTestId("products-total")).toHaveText("1 product");
  await expect(owner.getByRole("link", { name: `Linen Apron ${stamp}` })).toBeVisible();

  // The export holds it in the same format.
  const exported = await owner.request.get("/admin/products/export.csv");
  expect(exported.status()).toBe(200);
  expect(exported.headers()["content-disposition"]).toContain("attachment");
  const body = await exported.text();
  expect(body.startsWith(HEADER)).toBe(true);
  expect(body).toContain(`APRON-L-${stamp},26.50,30.00,3`);
  expect(body).not.toContain(`BOARD-${stamp}`);
});
