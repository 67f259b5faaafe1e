// Does the built site hydrate? Opens home, a category (and adds to the cart from it without a page
// load), a product, the cart, sign-in and, signed in as the demo admin, /admin, in Debian's
// Chromium; prints per page whether it hydrated, the scripts it loaded and any console error.
// Exits 1 if a page did not hydrate or logged an error. Usage: node bench/release-hydrates.mjs BASE
// (bench/release-hydrates.sh starts the release build and calls it).
import { chromium } from "playwright";
const base = process.argv[2] || "http://127.0.0.1:3199";
{
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--disable-gpu'] });
  const results = [];
  async function visit(path, extra, ctx) {
    const context = ctx || await browser.newContext();
    const page = await context.newPage();
    const errors = [], wasm = [];
    page.on('console', m => { if (m.type() === 'error') errors.push('console: ' + m.text()); });
    page.on('pageerror', e => errors.push('pageerror: ' + e.message + '\n' + (e.stack || '')));
    page.on('requestfinished', r => { const u = r.url(); if (/\.(wasm|js)$/.test(u)) wasm.push(u.replace(base, '')); });
    let hydrated = false, note = '';
    try {
      await page.goto(base + path, { waitUntil: 'load' });
      await page.locator('[data-hydrated="true"]').waitFor({ timeout: 20000 });
      hydrated = true;
      if (extra) note = await extra(page);
    } catch (e) { note += ' ' + e.message.split('\n')[0]; }
    results.push({ path, hydrated, note, errors, loaded: wasm });
    if (!ctx) await context.close();
    return page;
  }
  await visit('/');
  let productHref = null;
  await visit('/c/kitchen-dining', async (page) => {
    const card = page.getByTestId('product-card').filter({ has: page.getByTestId('card-add') }).first();
    productHref = await card.getByTestId('card-link').getAttribute('href');
    const url = page.url();
    await card.getByTestId('card-add').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="cart-count"]')?.textContent.trim() === '1', null, { timeout: 15000 });
    return 'add-to-cart ok, same url=' + (page.url() === url);
  });
  if (productHref) await visit(productHref);
  await visit('/cart');
  await visit('/login');
  // admin: sign in through the hydrated login page, then /admin
  if (process.env.ADMIN !== '0') {
    const ctx = await browser.newContext();
    await visit('/login?next=/', async (page) => {
      await page.getByLabel('Email').fill('admin@meridian.test');
      await page.getByLabel('Password').fill('admin-demo-pass-2026');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/:\d+\/$/, { timeout: 30000 });
      return 'signed in';
    }, ctx);
    await visit('/admin', null, ctx);
    await ctx.close();
  }
  for (const r of results) {
    console.log(`${r.hydrated ? 'HYDRATED' : 'NOT HYDRATED'}  ${r.path}  ${r.note}`);
    console.log(`   loaded: ${r.loaded.join(' ')}`);
    for (const e of r.errors.slice(0, 4)) console.log('   ' + e.split('\n').slice(0, 40).join('\n   '));
  }
  await browser.close();
  const bad = results.filter((r) => !r.hydrated || r.errors.length > 0);
  console.log(`${results.length - bad.length} of ${results.length} pages hydrated without errors`);
  if (bad.length > 0) process.exit(1);
}
