import { defineConfig, devices } from "@playwright/test";

// The Makefile builds the site with cargo-leptos and passes the server binary and site root.
// Each run starts the real server on a fresh SQLite file seeded with the demo shop.
const port = Number(process.env.E2E_PORT ?? 3100);
const server = process.env.SERVER_BIN ?? "../target/debug/server";
const dataDir = process.env.E2E_DATA_DIR ?? "/tmp/shop-e2e";
// A second shop that takes payments through Stripe Checkout, pointed at fake-stripe (a local fake
// of Stripe's API and hosted page that signs its webhooks): stripe.spec.ts.
const stripePort = port + 10;
const fakeStripePort = port + 20;
const fakeStripe = process.env.FAKE_STRIPE_BIN ?? "../target/debug/fake-stripe";
const stripeDataDir = `${dataDir}-stripe`;
const stripeSecretKey = "sk_test_e2e_0123456789abcdefghij";
const stripeWebhookSecret = "whsec_e2e_0123456789abcdefghij";
// stripe.spec.ts finds them at the same ports (E2E_PORT + 10 and + 20).
const STRIPE_SHOP = `http://127.0.0.1:${stripePort}`;
const FAKE_STRIPE = `http://127.0.0.1:${fakeStripePort}`;
const siteEnv = {
  LEPTOS_OUTPUT_NAME: "shop",
  LEPTOS_SITE_ROOT: process.env.LEPTOS_SITE_ROOT ?? "../target/site",
  LEPTOS_SITE_PKG_DIR: "pkg",
  LEPTOS_ENV: "PROD",
  RUST_LOG: "warn",
};

export default defineConfig({
  testDir: "./tests",
  // A spec that signs in several accounts (an Argon2 hash each) and walks the dashboard takes 30-40 s
  // on a quiet 2-core machine; under load (a build beside it) one went past 60 s. Expectations keep
  // their own 15 s limit below.
  timeout: 120_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  outputDir: process.env.E2E_OUTPUT_DIR ?? "./test-results",
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: "retain-on-failure",
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: {
          executablePath: "/usr/bin/chromium",
          args: [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
          ],
        },
      },
    },
  ],
  webServer: [{
    command: `rm -rf ${dataDir} && mkdir -p ${dataDir} && ${server} seed --demo && exec ${server}`,
    url: `http://127.0.0.1:${port}/healthz`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      DATABASE_URL: `sqlite://${dataDir}/shop.db`,
      MEDIA_DIR: `${dataDir}/media`,
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_OUTPUT_NAME: "shop",
      LEPTOS_SITE_ROOT: process.env.LEPTOS_SITE_ROOT ?? "../target/site",
      LEPTOS_SITE_PKG_DIR: "pkg",
      LEPTOS_ENV: "PROD",
      RUST_LOG: "warn",
      // Carrier webhooks are refused unless a secret is configured; tests sign their events.
      CARRIER_WEBHOOK_SECRETS: "*=e2e-carrier-secret-0123456789",
      // Without SMTP the messages are written here (password_reset.spec.ts reads its link).
      MAIL_DIR: `${dataDir}/mail`,
      PUBLIC_URL: `http://127.0.0.1:${port}`,
    },
  },
  {
    command: `exec ${fakeStripe}`,
    url: `${FAKE_STRIPE}/_fake/requests`,
    timeout: 60_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      FAKE_STRIPE_ADDR: `127.0.0.1:${fakeStripePort}`,
      FAKE_STRIPE_SECRET_KEY: stripeSecretKey,
      FAKE_STRIPE_WEBHOOK_SECRET: stripeWebhookSecret,
      FAKE_STRIPE_WEBHOOK_URL: `${STRIPE_SHOP}/webhooks/payments`,
    },
  },
  {
    command: `rm -rf ${stripeDataDir} && mkdir -p ${stripeDataDir} && ${server} seed --demo && exec ${server}`,
    url: `${STRIPE_SHOP}/healthz`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      ...siteEnv,
      DATABASE_URL: `sqlite://${stripeDataDir}/shop.db`,
      MEDIA_DIR: `${stripeDataDir}/media`,
      LEPTOS_SITE_ADDR: `127.0.0.1:${stripePort}`,
      PAYMENTS: "stripe",
      STRIPE_SECRET_KEY: stripeSecretKey,
      STRIPE_WEBHOOK_SECRET: stripeWebhookSecret,
      STRIPE_API_BASE: FAKE_STRIPE,
      STRIPE_CHECKOUT_ORIGIN: FAKE_STRIPE,
      PUBLIC_URL: STRIPE_SHOP,
    },
  }],
});