//! `fake-stripe`: the fake as a process, for the e2e suite and for trying the shop by hand.
//!
//! Environment:
//! - `FAKE_STRIPE_ADDR` (default `127.0.0.1:12111`): where to listen.
//! - `FAKE_STRIPE_SECRET_KEY` (default `sk_test_fake`): the API key requests must bear.
//! - `FAKE_STRIPE_WEBHOOK_SECRET` (default `whsec_fake`): the webhook signing secret.
//! - `FAKE_STRIPE_WEBHOOK_URL` (unset: no webhooks): where events are POSTed.
//!
//! Prints one line, `fake-stripe listening on http://ADDR`, once it accepts connections (a
//! harness can wait for it), then serves until killed.

use fake_stripe::{FakeConfig, FakeStripe};

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).ok().filter(|v| !v.is_empty()).unwrap_or_else(|| default.to_string())
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    let addr = env_or("FAKE_STRIPE_ADDR", "127.0.0.1:12111");
    let config = FakeConfig {
        secret_key: env_or("FAKE_STRIPE_SECRET_KEY", "sk_test_fake"),
        webhook_secret: env_or("FAKE_STRIPE_WEBHOOK_SECRET", "whsec_fake"),
        webhook_url: std::env::var("FAKE_STRIPE_WEBHOOK_URL").ok().filter(|v| !v.is_empty()),
    };
    let fake = match FakeStripe::spawn_on(config, &addr).await {
        Ok(fake) => fake,
        Err(e) => {
            eprintln!("fake-stripe: cannot listen on {addr}: {e}");
            std::process::exit(1);
        }
    };
    println!("fake-stripe listening on {}", fake.base_url);
    tokio::select! {
        () = fake.wait() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}
