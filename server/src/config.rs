//! Configuration from environment variables, with defaults that work for `make run`.
//! Every variable is listed in the README.
use std::net::SocketAddr;
use std::path::PathBuf;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/shop.db";

/// The carrier secret `make run` and `make simulate-carriers` use (see the Makefile): published,
/// so refused in production mode.
pub const DEMO_CARRIER_SECRET: &str = "demo-carrier-secret-not-for-production";

#[derive(Clone, Debug)]
pub struct Config {
    /// `sqlite://path` (created if missing) or `postgres://…`.
    pub database_url: String,
    pub max_connections: u32,
    /// Where product images live; served under `/media`.
    pub media_dir: PathBuf,
    /// Overrides the address from Cargo.toml's `site-addr` when set (`LEPTOS_SITE_ADDR`).
    pub site_addr: Option<SocketAddr>,
    pub auth: app::services::AuthSettings,
    /// Outgoing mail: `PUBLIC_URL` (links in messages), `MAIL_FROM`, `SMTP_URL` (unset: messages
    /// are logged). The SMTP password never shows in `{:?}`.
    pub mail: crate::notify::MailConfig,
    /// Per-carrier webhook secrets (`CARRIER_WEBHOOK_SECRETS=ups=…,dhl-express=…`); none means
    /// every carrier webhook is refused.
    pub carrier_secrets: crate::webhooks::CarrierSecrets,
    /// Seconds between recommendation refreshes (`RECS_REFRESH_SECS`, default 600); the first
    /// runs at start-up.
    pub recs_refresh_secs: u64,
    /// Who takes the money (`PAYMENTS`): Stripe, or the built-in test gateway, which approves
    /// any well-formed card without taking money, so production mode refuses it unless
    /// `ALLOW_TEST_PAYMENTS=true` says a production-mode demo is meant.
    pub payments: Payments,
    /// Why the server runs in production mode (`APP_ENV=production` or `COOKIE_SECURE=true`), or
    /// `None` in development. Production mode refuses the published demo credentials.
    pub production: Option<&'static str>,
    /// Where `/metrics` is served (`METRICS_ADDR`, e.g. 127.0.0.1:9090); unset: nowhere. Never
    /// on the shop's own address (server/src/observability.rs).
    pub metrics_addr: Option<SocketAddr>,
    /// `LOG_FORMAT`: text or json (read again by `telemetry::init`, which runs first; checked here
    /// so a bad value stops the server like any other setting).
    pub log_format: crate::telemetry::LogFormat,
}

/// Which gateway takes the money.
#[derive(Clone, Debug)]
pub enum Payments {
    /// `app::domain::gateway::TestGateway`: documented test cards decline, any other valid number
    /// is approved; no money moves.
    Test,
    /// Stripe Checkout (`PAYMENTS=stripe` with `STRIPE_SECRET_KEY`, `STRIPE_WEBHOOK_SECRET`).
    Stripe(crate::stripe::StripeConfig),
}

impl Config {
    pub fn from_env() -> Result<Config, String> {
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, String> {
        let database_url =
            get("DATABASE_URL").filter(|s| !s.trim().is_empty()).unwrap_or_else(|| DEFAULT_DATABASE_URL.into());
        crate::store::Engine::from_url(&database_url)?;
        let max_connections = match get("DATABASE_MAX_CONNECTIONS") {
            None => 8,
            Some(v) => v
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=1000).contains(n))
                .ok_or_else(|| format!("DATABASE_MAX_CONNECTIONS must be a number from 1 to 1000 (got {v:?})"))?,
        };
        let media_dir = get("MEDIA_DIR").filter(|s| !s.trim().is_empty()).unwrap_or_else(|| "data/media".into()).into();
        let site_addr = match get("LEPTOS_SITE_ADDR") {
            None => None,
            Some(v) => Some(
                v.parse::<SocketAddr>()
                    .map_err(|_| format!("LEPTOS_SITE_ADDR must look like 127.0.0.1:3000 (got {v:?})"))?,
            ),
        };
        let metrics_addr = match get("METRICS_ADDR").filter(|s| !s.trim().is_empty()) {
            None => None,
            Some(v) => Some(
                v.trim()
                    .parse::<SocketAddr>()
                    .map_err(|_| format!("METRICS_ADDR must look like 127.0.0.1:9090 (got {v:?})"))?,
            ),
        };
        if metrics_addr.is_some() && metrics_addr == site_addr {
            return Err("METRICS_ADDR must differ from LEPTOS_SITE_ADDR: /metrics is not for the public".into());
        }
        let log_format = crate::telemetry::LogFormat::parse(get("LOG_FORMAT").as_deref())?;
        let number = |key: &str, default: i64, max: i64| -> Result<i64, String> {
            match get(key) {
                None => Ok(default),
                Some(v) => v
                    .trim()
                    .parse::<i64>()
                    .ok()
                    .filter(|n| (1..=max).contains(n))
                    .ok_or_else(|| format!("{key} must be a whole number from 1 to {max} (got {v:?})")),
            }
        };
        let cookie_secure = match get("COOKIE_SECURE").as_deref().map(str::trim) {
            None | Some("") | Some("false") | Some("0") => false,
            Some("true") | Some("1") => true,
            Some(v) => return Err(format!("COOKIE_SECURE must be true or false (got {v:?})")),
        };
        let production = match get("APP_ENV").as_deref().map(str::trim) {
            Some("production") => Some("APP_ENV=production"),
            None | Some("") | Some("development") => cookie_secure.then_some("COOKIE_SECURE=true"),
            Some(v) => return Err(format!("APP_ENV must be production or development (got {v:?})")),
        };
        let trusted_proxies = app::domain::client_ip::IpCidr::parse_list(&get("TRUSTED_PROXIES").unwrap_or_default())
            .map_err(|e| format!("TRUSTED_PROXIES: {e}"))?;
        let client_ip_header = match get("TRUSTED_CLIENT_IP_HEADER").map(|h| h.trim().to_ascii_lowercase()) {
            None => app::services::accounts::DEFAULT_CLIENT_IP_HEADER.to_string(),
            Some(h) if h.is_empty() => app::services::accounts::DEFAULT_CLIENT_IP_HEADER.to_string(),
            Some(h) if axum::http::HeaderName::from_bytes(h.as_bytes()).is_err() => {
                return Err(format!("TRUSTED_CLIENT_IP_HEADER must be a header name like X-Forwarded-For (got {h:?})"));
            }
            // It used to be believed from anyone; now only from our proxies, so it needs them.
            Some(_) if trusted_proxies.is_empty() => {
                return Err("TRUSTED_CLIENT_IP_HEADER is only read from requests that TRUSTED_PROXIES send; \
                            set TRUSTED_PROXIES to your proxies' addresses (e.g. 127.0.0.1 or 10.0.0.0/8)"
                    .into());
            }
            Some(h) => h,
        };
        let hash_gate = match get("PASSWORD_HASH_CONCURRENCY") {
            None => app::services::passwords::HashGate::from_memory(),
            Some(_) => app::services::passwords::HashGate::new(
                number("PASSWORD_HASH_CONCURRENCY", 1, 1024)? as usize,
                app::services::passwords::GATE_WAIT,
            ),
        };
        let auth = app::services::AuthSettings {
            cookie_secure,
            idle_secs: number("SESSION_IDLE_MINUTES", 7 * 24 * 60, 365 * 24 * 60)? * 60,
            absolute_secs: number("SESSION_MAX_DAYS", 30, 365)? * 24 * 3600,
            trusted_proxies,
            client_ip_header,
            hash_gate: std::sync::Arc::new(hash_gate),
            registrations_per_hour: number("REGISTRATIONS_PER_HOUR", 10, 100_000)?,
        };
        let carrier_secrets =
            crate::webhooks::CarrierSecrets::parse(&get("CARRIER_WEBHOOK_SECRETS").unwrap_or_default())?;
        let demo_secret = app::domain::carriers::Carrier::ALL
            .iter()
            .any(|c| carrier_secrets.get(*c) == Some(DEMO_CARRIER_SECRET.as_bytes()));
        if let (Some(why), true) = (production, demo_secret) {
            return Err(format!(
                "CARRIER_WEBHOOK_SECRETS holds the published demo secret, refused in production mode ({why}); \
                 set a secret of your own per carrier"
            ));
        }
        let mail = crate::notify::MailConfig::from_lookup(&get)?;
        let payments = match get("PAYMENTS").as_deref().map(str::trim) {
            None | Some("") | Some("test") => Payments::Test,
            Some("stripe") => Payments::Stripe(crate::stripe::StripeConfig::from_lookup(&get, &mail.public_url)?),
            Some(v) => return Err(format!("PAYMENTS must be stripe or test (got {v:?})")),
        };
        let allow_test_payments = match get("ALLOW_TEST_PAYMENTS").as_deref().map(str::trim) {
            None | Some("") | Some("false") | Some("0") => false,
            Some("true") | Some("1") => true,
            Some(v) => return Err(format!("ALLOW_TEST_PAYMENTS must be true or false (got {v:?})")),
        };
        if let (Some(why), Payments::Test, false) = (production, &payments, allow_test_payments) {
            return Err(format!(
                "PAYMENTS=test approves any card without taking money, refused in production mode ({why}); \
                 set ALLOW_TEST_PAYMENTS=true if this is a demo that must take no real payments"
            ));
        }
        let recs_refresh_secs = number("RECS_REFRESH_SECS", 600, 7 * 24 * 3600)? as u64;
        Ok(Config {
            database_url,
            max_connections,
            media_dir,
            site_addr,
            auth,
            carrier_secrets,
            mail,
            recs_refresh_secs,
            payments,
            production,
            metrics_addr,
            log_format,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn with(vars: &[(&str, &str)]) -> Result<Config, String> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_serve_the_demo_shop() {
        let c = with(&[]).unwrap();
        assert_eq!(c.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(c.max_connections, 8);
        assert_eq!(c.media_dir, PathBuf::from("data/media"));
        assert!(c.site_addr.is_none());
        assert!(c.mail.smtp.is_none(), "without SMTP_URL messages are logged");
        assert_eq!(c.recs_refresh_secs, 600);
        assert!(c.metrics_addr.is_none(), "no /metrics unless asked for");
        assert_eq!(c.log_format, crate::telemetry::LogFormat::Text);
    }

    #[test]
    fn metrics_get_their_own_address_and_logs_a_format() {
        let c = with(&[("METRICS_ADDR", "127.0.0.1:9090"), ("LOG_FORMAT", "json")]).unwrap();
        assert_eq!(c.metrics_addr.map(|a| a.port()), Some(9090));
        assert_eq!(c.log_format, crate::telemetry::LogFormat::Json);
        assert!(with(&[("METRICS_ADDR", "9090")]).unwrap_err().starts_with("METRICS_ADDR"));
        let same = [("METRICS_ADDR", "127.0.0.1:3000"), ("LEPTOS_SITE_ADDR", "127.0.0.1:3000")];
        assert!(with(&same).unwrap_err().starts_with("METRICS_ADDR"));
        assert!(with(&[("LOG_FORMAT", "yaml")]).unwrap_err().starts_with("LOG_FORMAT"));
    }

    #[test]
    fn bad_values_name_the_variable() {
        assert!(with(&[("DATABASE_MAX_CONNECTIONS", "lots")]).unwrap_err().contains("DATABASE_MAX_CONNECTIONS"));
        assert!(with(&[("LEPTOS_SITE_ADDR", "localhost")]).unwrap_err().contains("LEPTOS_SITE_ADDR"));
        assert!(with(&[("DATABASE_URL", "mysql://x")]).unwrap_err().contains("DATABASE_URL"));
        assert!(with(&[("RECS_REFRESH_SECS", "0")]).unwrap_err().contains("RECS_REFRESH_SECS"));
        assert_eq!(with(&[("RECS_REFRESH_SECS", "5")]).unwrap().recs_refresh_secs, 5);
        assert_eq!(with(&[("LEPTOS_SITE_ADDR", "0.0.0.0:8080")]).unwrap().site_addr.unwrap().port(), 8080);
        assert!(with(&[("CARRIER_WEBHOOK_SECRETS", "acme=0123456789abcdef")]).unwrap_err().contains("unknown carrier"));
        assert!(with(&[("CARRIER_WEBHOOK_SECRETS", "ups=short")]).unwrap_err().contains("at least 16"));
        assert!(with(&[("CARRIER_WEBHOOK_SECRETS", "ups")]).unwrap_err().contains("CARRIER_WEBHOOK_SECRETS"));
    }

    #[test]
    fn webhook_secrets_are_per_carrier_and_never_printed() {
        let c = with(&[("CARRIER_WEBHOOK_SECRETS", "ups=ups-secret-0123456789, dhl-express=dhl-secret-0123456789")])
            .unwrap();
        use app::domain::carriers::Carrier;
        assert_eq!(c.carrier_secrets.get(Carrier::parse("ups").unwrap()), Some(&b"ups-secret-0123456789"[..]));
        assert!(c.carrier_secrets.get(Carrier::parse("fedex").unwrap()).is_none());
        let printed = format!("{c:?}");
        assert!(!printed.contains("secret-0123456789"), "{printed}");
        assert!(with(&[]).unwrap().carrier_secrets.is_empty());
    }

    #[test]
    fn client_addresses_come_from_trusted_proxies_only() {
        let c = with(&[]).unwrap();
        assert!(c.auth.trusted_proxies.is_empty(), "by default the connection's address is the client");
        assert_eq!(c.auth.client_ip_header, "x-forwarded-for");
        let c =
            with(&[("TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8, fd00::/8"), ("TRUSTED_CLIENT_IP_HEADER", "X-Real-IP")])
                .unwrap();
        assert_eq!(c.auth.trusted_proxies.len(), 3);
        assert_eq!(c.auth.client_ip_header, "x-real-ip");
        let err = with(&[("TRUSTED_PROXIES", "10.0.0.1/8")]).unwrap_err();
        assert!(err.starts_with("TRUSTED_PROXIES") && err.contains("10.0.0.0/8"), "{err}");
        assert!(with(&[("TRUSTED_PROXIES", "proxy.local")]).unwrap_err().contains("TRUSTED_PROXIES"));
        let err = with(&[("TRUSTED_CLIENT_IP_HEADER", "X-Forwarded-For")]).unwrap_err();
        assert!(err.contains("TRUSTED_PROXIES"), "the header alone is no longer believed: {err}");
        let err = with(&[("TRUSTED_PROXIES", "127.0.0.1"), ("TRUSTED_CLIENT_IP_HEADER", "bad header")]).unwrap_err();
        assert!(err.contains("TRUSTED_CLIENT_IP_HEADER"), "{err}");
    }

    #[test]
    fn sign_in_limits_are_settings() {
        let c = with(&[("PASSWORD_HASH_CONCURRENCY", "3"), ("REGISTRATIONS_PER_HOUR", "2")]).unwrap();
        assert_eq!(c.auth.hash_gate.size(), 3);
        assert_eq!(c.auth.registrations_per_hour, 2);
        let sized = with(&[]).unwrap().auth.hash_gate.size();
        assert!((2..=64).contains(&sized), "{sized}");
        assert!(with(&[("PASSWORD_HASH_CONCURRENCY", "0")]).unwrap_err().contains("PASSWORD_HASH_CONCURRENCY"));
        assert!(with(&[("REGISTRATIONS_PER_HOUR", "-1")]).unwrap_err().contains("REGISTRATIONS_PER_HOUR"));
    }

    #[test]
    fn production_mode_refuses_the_published_carrier_secret() {
        let demo = format!("*={DEMO_CARRIER_SECRET}");
        assert!(with(&[("CARRIER_WEBHOOK_SECRETS", &demo)]).unwrap().production.is_none(), "fine for the demo");
        for mode in [("APP_ENV", "production"), ("COOKIE_SECURE", "true")] {
            let err = with(&[mode, ("CARRIER_WEBHOOK_SECRETS", &demo)]).unwrap_err();
            assert!(err.starts_with("CARRIER_WEBHOOK_SECRETS") && !err.contains('\n'), "{err}");
            assert!(err.contains(&format!("{}={}", mode.0, mode.1)), "says why: {err}");
            let one = format!("ups=own-secret-0123456789, dhl-express={DEMO_CARRIER_SECRET}");
            assert!(with(&[mode, ("CARRIER_WEBHOOK_SECRETS", &one)]).is_err(), "one carrier is enough");
            let own =
                with(&[mode, ("CARRIER_WEBHOOK_SECRETS", "*=own-secret-0123456789"), ("ALLOW_TEST_PAYMENTS", "true")])
                    .unwrap();
            assert!(own.production.is_some());
        }
        assert!(with(&[("APP_ENV", "staging")]).unwrap_err().contains("APP_ENV"));
        assert!(with(&[("APP_ENV", "development")]).unwrap().production.is_none());
        // The Makefile's demo secret is the one refused here.
        assert!(include_str!("../../Makefile").contains(DEMO_CARRIER_SECRET));
    }

    #[test]
    fn production_mode_refuses_the_test_gateway_unless_allowed() {
        assert!(matches!(with(&[]).unwrap().payments, Payments::Test), "the demo's default");
        assert!(with(&[("PAYMENTS", "paypal")]).unwrap_err().starts_with("PAYMENTS must be stripe or test"));
        assert!(with(&[("PAYMENTS", "stripe")]).unwrap_err().contains("STRIPE_SECRET_KEY"));
        let stripe = [
            ("PAYMENTS", "stripe"),
            ("STRIPE_SECRET_KEY", "sk_live_0123456789abcdefghijkl"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_0123456789abcdefghijkl"),
            ("APP_ENV", "production"),
            ("PUBLIC_URL", "https://shop.example"),
        ];
        let c = with(&stripe).unwrap();
        assert!(
            matches!(&c.payments, Payments::Stripe(s) if s.public_url == "https://shop.example"),
            "a real provider may go live"
        );
        assert!(!format!("{c:?}").contains("sk_live"), "the key is never printed");
        for mode in [("APP_ENV", "production"), ("COOKIE_SECURE", "true")] {
            let err = with(&[mode]).unwrap_err();
            assert!(err.starts_with("PAYMENTS=test") && !err.contains('\n'), "one line: {err}");
            assert!(
                err.contains(&format!("{}={}", mode.0, mode.1)) && err.contains("ALLOW_TEST_PAYMENTS=true"),
                "{err}"
            );
            assert!(with(&[mode, ("ALLOW_TEST_PAYMENTS", "true")]).is_ok());
            assert!(with(&[mode, ("ALLOW_TEST_PAYMENTS", "false")]).is_err());
        }
        assert!(with(&[("ALLOW_TEST_PAYMENTS", "yes")]).unwrap_err().contains("ALLOW_TEST_PAYMENTS"));
    }

    #[test]
    fn mail_settings_are_checked_and_the_smtp_password_never_printed() {
        let c = with(&[("SMTP_URL", "smtps://shop:hunter2@mail.example.com"), ("PUBLIC_URL", "https://shop.example/")])
            .unwrap();
        assert_eq!(c.mail.public_url, "https://shop.example");
        assert!(!format!("{c:?}").contains("hunter2"));
        let err = with(&[("SMTP_URL", "imap://shop:hunter2@mail.example.com")]).unwrap_err();
        assert!(err.contains("SMTP_URL") && !err.contains("hunter2"), "{err}");
        assert!(with(&[("PUBLIC_URL", "shop.example")]).unwrap_err().contains("PUBLIC_URL"));
        assert!(with(&[("MAIL_FROM", "nobody")]).unwrap_err().contains("MAIL_FROM"));
    }
}
