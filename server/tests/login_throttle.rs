//! Sign-in and sign-up limits: attempts are counted before the password is checked, per address
//! and per (account, address), so parallel guesses cannot pass the limit and nobody elsewhere can
//! lock an account out; the Argon2 gate; the client's address behind trusted proxies; production
//! mode refusing the published demo credentials.
#[macro_use]
mod support;

use app::domain::client_ip::{IpCidr, client_ip, parse_hop, throttle_key};
use app::domain::errors::AppError;
use app::services::account_store::{NewUser, ThrottlePolicy};
use app::services::accounts::{self, ACCOUNT_DELAY_MAX_MS, AuthSettings, PAIR_POLICY};
use app::services::passwords::{self, HashGate};
use app::services::{AccountStore, Shop};
use server::store::Database;
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::{ADMIN, OWNER_A, SHOPPER, spawn_app_with};

conformance!(multi_thread;
    twenty_parallel_claims_count_twenty_and_admit_only_the_limit,
    twenty_parallel_wrong_passwords_check_at_most_the_limit,
    failures_from_one_address_do_not_stop_the_right_password_from_another,
    nobody_elsewhere_can_lock_the_admin_out,
    a_success_clears_its_pair_and_gives_back_its_attempt,
    registrations_are_limited_per_address,
    locks_expire_and_old_attempts_are_forgotten,
);

const EMAIL: &str = "ada@example.com";
const PASSWORD: &str = "correct horse battery";
const WRONG: &str = "wrong horse battery";

/// Settings for the service-level tests: a roomy hash gate, so a slow machine never turns a
/// password check into a 429 and the counts stay exact.
fn settings() -> AuthSettings {
    AuthSettings { hash_gate: Arc::new(HashGate::new(8, Duration::from_secs(60))), ..AuthSettings::default() }
}

async fn shop_with_user(db: &Database, email: &str, is_admin: bool) -> Shop {
    let shop = server::startup::shop(db, settings());
    let hash = passwords::hash(PASSWORD.into()).await.unwrap();
    let user = NewUser {
        email: email.into(),
        display_name: "Ada".into(),
        password_hash: hash,
        is_admin,
        email_verified: true,
    };
    shop.accounts.create_user(&user).await.unwrap();
    shop
}

async fn attempts(accounts: &dyn AccountStore, key: &str) -> i64 {
    let rows = accounts.login_failures(&[key.to_string()]).await.unwrap();
    rows.first().map(|(_, n, _)| *n).unwrap_or(0)
}

async fn twenty_parallel_claims_count_twenty_and_admit_only_the_limit(db: Database) {
    let store = db.accounts();
    let now = app::services::clock::now();
    let key = "login:ada@example.com|203.0.113.7";
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let store = store.clone();
        tasks.spawn(async move { store.claim_attempt(key, &PAIR_POLICY, now).await.unwrap() });
    }
    let claims = tasks.join_all().await;
    let mut numbers: Vec<i64> = claims.iter().map(|c| c.attempts).collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=20).collect::<Vec<_>>(), "every attempt has its own number");
    assert_eq!(claims.iter().filter(|c| c.admitted).count(), 5, "only the free attempts go ahead");
    for c in claims.iter().filter(|c| !c.admitted) {
        assert_eq!(c.locked_until, now + 5, "refused while the fifth attempt's lock holds");
    }
    assert_eq!(store.login_failures(&[key.to_string()]).await.unwrap(), vec![(key.to_string(), 20, now + 5)]);
}

async fn twenty_parallel_wrong_passwords_check_at_most_the_limit(db: Database) {
    let shop = shop_with_user(&db, EMAIL, false).await;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let shop = shop.clone();
        tasks.spawn(async move { accounts::login(&shop, EMAIL, WRONG, "203.0.113.7", None).await });
    }
    let results = tasks.join_all().await;
    let checked = results.iter().filter(|r| matches!(r, Err(AppError::Validation(_)))).count();
    let refused = results.iter().filter(|r| matches!(r, Err(AppError::RateLimited(s)) if *s >= 1)).count();
    assert_eq!((checked, refused), (5, 15), "{results:?}");
    let store = shop.accounts.as_ref();
    assert_eq!(attempts(store, "login:ada@example.com|203.0.113.7").await, 20, "every attempt recorded");
    assert_eq!(attempts(store, "ip:203.0.113.7").await, 20);
    // Even the right password waits out the lock from this address.
    let locked = accounts::login(&shop, EMAIL, PASSWORD, "203.0.113.7", None).await;
    assert!(matches!(locked, Err(AppError::RateLimited(_))), "{locked:?}");
}

async fn failures_from_one_address_do_not_stop_the_right_password_from_another(db: Database) {
    let shop = shop_with_user(&db, EMAIL, false).await;
    for _ in 0..5 {
        let wrong = accounts::login(&shop, EMAIL, WRONG, "203.0.113.7", None).await;
        assert!(matches!(wrong, Err(AppError::Validation(_))), "{wrong:?}");
    }
    let from_a = accounts::login(&shop, EMAIL, PASSWORD, "203.0.113.7", None).await;
    assert!(matches!(from_a, Err(AppError::RateLimited(s)) if (1..=5).contains(&s)), "{from_a:?}");
    let from_b = accounts::login(&shop, EMAIL, PASSWORD, "198.51.100.20", None).await;
    assert!(from_b.is_ok(), "another address signs in: {from_b:?}");
    let v6 = accounts::login(&shop, EMAIL, PASSWORD, &throttle_key("2001:db8:1:2::5".parse().unwrap()), None).await;
    assert!(v6.is_ok(), "{v6:?}");
}

async fn nobody_elsewhere_can_lock_the_admin_out(db: Database) {
    let shop = shop_with_user(&db, "admin@example.com", true).await;
    // Finding 1: failures for random emails from one address lock only that address.
    for i in 0..5 {
        let _ = accounts::login(&shop, &format!("nobody{i}@example.com"), WRONG, "203.0.113.1", None).await;
    }
    // Three addresses guess the admin's password in parallel until each is locked out of it.
    let mut tasks = tokio::task::JoinSet::new();
    for attacker in ["203.0.113.1", "203.0.113.2", "203.0.113.3"] {
        let shop = shop.clone();
        tasks.spawn(async move {
            let mut locked = false;
            for _ in 0..6 {
                let r = accounts::login(&shop, "admin@example.com", WRONG, attacker, None).await;
                locked |= matches!(r, Err(AppError::RateLimited(_)));
            }
            locked
        });
    }
    assert!(tasks.join_all().await.into_iter().all(|locked| locked), "each attacker is locked out");
    let started = Instant::now();
    let admin = accounts::login(&shop, "admin@example.com", PASSWORD, "198.51.100.20", None).await;
    assert!(admin.is_ok(), "the admin signs in from elsewhere: {admin:?}");
    let waited = started.elapsed();
    assert!(
        waited < Duration::from_millis(ACCOUNT_DELAY_MAX_MS) + Duration::from_secs(5),
        "only a short delay: {waited:?}"
    );
}

async fn a_success_clears_its_pair_and_gives_back_its_attempt(db: Database) {
    let shop = shop_with_user(&db, EMAIL, false).await;
    let store = shop.accounts.as_ref();
    for _ in 0..4 {
        let _ = accounts::login(&shop, EMAIL, WRONG, "203.0.113.7", None).await;
    }
    assert!(accounts::login(&shop, EMAIL, PASSWORD, "203.0.113.7", None).await.is_ok());
    assert_eq!(attempts(store, "login:ada@example.com|203.0.113.7").await, 0, "the pair is cleared");
    assert_eq!(attempts(store, "ip:203.0.113.7").await, 4, "the success is not counted against the address");
    assert_eq!(attempts(store, "account:ada@example.com").await, 4);
    for _ in 0..4 {
        let wrong = accounts::login(&shop, EMAIL, WRONG, "203.0.113.7", None).await;
        assert!(matches!(wrong, Err(AppError::Validation(_))), "a fresh start for the pair: {wrong:?}");
    }
}

async fn registrations_are_limited_per_address(db: Database) {
    let shop = server::startup::shop(&db, AuthSettings { registrations_per_hour: 3, ..settings() });
    for i in 0..3 {
        let email = format!("new{i}@example.com");
        assert!(accounts::register(&shop, &email, "New", PASSWORD, "203.0.113.7", None).await.is_ok());
    }
    let fourth = accounts::register(&shop, "new3@example.com", "New", PASSWORD, "203.0.113.7", None).await;
    assert!(matches!(fourth, Err(AppError::RateLimited(s)) if s > 3000), "{fourth:?}");
    assert!(shop.accounts.user_by_email("new3@example.com").await.unwrap().is_none(), "nothing created");
    let elsewhere = accounts::register(&shop, "new3@example.com", "New", PASSWORD, "198.51.100.20", None).await;
    assert!(elsewhere.is_ok(), "{elsewhere:?}");
    // Bad input is answered before counting: it neither costs a hash nor an attempt.
    let bad = accounts::register(&shop, "not-an-email", "New", PASSWORD, "198.51.100.20", None).await;
    assert!(matches!(bad, Err(AppError::Validation(_))), "{bad:?}");
    assert_eq!(attempts(shop.accounts.as_ref(), "register:198.51.100.20").await, 1);
}

async fn locks_expire_and_old_attempts_are_forgotten(db: Database) {
    let store = db.accounts();
    let policy = ThrottlePolicy { free: 2, first_lock_secs: 10, max_lock_secs: 40, memory_secs: 1000 };
    let (key, t) = ("ip:203.0.113.9", 1_000_000);
    assert!(store.claim_attempt(key, &policy, t).await.unwrap().admitted);
    let second = store.claim_attempt(key, &policy, t).await.unwrap();
    assert!(second.admitted && second.locked_until == t + 10, "{second:?}");
    let refused = store.claim_attempt(key, &policy, t + 9).await.unwrap();
    assert!(!refused.admitted && refused.locked_until == t + 10, "{refused:?}");
    let later = store.claim_attempt(key, &policy, t + 10).await.unwrap();
    assert!(later.admitted && later.attempts == 4 && later.locked_until == t + 10 + 40, "{later:?}");
    // Giving back attempts below the free ones lifts the lock.
    store.release_attempt(key, &policy, t + 11).await.unwrap();
    assert!(!store.claim_attempt(key, &policy, t + 12).await.unwrap().admitted, "3 left: still locked");
    for _ in 0..3 {
        store.release_attempt(key, &policy, t + 13).await.unwrap();
    }
    let lifted = store.claim_attempt(key, &policy, t + 14).await.unwrap();
    assert!(lifted.admitted && lifted.attempts == 2, "{lifted:?}");
    let forgotten = store.claim_attempt(key, &policy, t + 14 + 1001).await.unwrap();
    assert!(forgotten.admitted && forgotten.attempts == 1, "{forgotten:?}");
    store.release_attempt("ip:never-seen", &policy, t).await.unwrap();
}

// ---- Over HTTP: the client's address, Retry-After, the hash gate ----

fn behind_proxy() -> AuthSettings {
    AuthSettings { trusted_proxies: IpCidr::parse_list("127.0.0.1").unwrap(), ..settings() }
}

async fn login_from(app: &support::TestApp, forwarded: &str, email: &str, password: &str) -> support::Response {
    app.post_form("/api/auth/login", &[("X-Forwarded-For", forwarded)], &[("email", email), ("password", password)])
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_trusted_proxy_the_right_most_untrusted_hop_is_the_client() {
    let app = spawn_app_with(behind_proxy()).await;
    // The client made up "198.51.100.1"; our proxy (the peer, 127.0.0.1) appended 203.0.113.5.
    for _ in 0..5 {
        let wrong = login_from(&app, "198.51.100.1, 203.0.113.5", ADMIN.0, "wrong-password-123").await;
        assert_eq!(wrong.status, 422, "{}", wrong.body);
    }
    let locked = login_from(&app, "10.9.9.9, 203.0.113.5", ADMIN.0, ADMIN.1).await;
    assert_eq!(locked.status, 429, "{}", locked.body);
    let retry: u64 = locked.header("retry-after").expect("Retry-After on 429").parse().unwrap();
    assert!((1..=5).contains(&retry), "{retry}");
    let store = app.shop.accounts.as_ref();
    assert_eq!(attempts(store, "ip:203.0.113.5").await, 6);
    assert_eq!(attempts(store, "ip:198.51.100.1").await, 0, "the made-up hop is never the key");
    let elsewhere = login_from(&app, "203.0.113.77", ADMIN.0, ADMIN.1).await;
    assert!(elsewhere.session_cookie().is_some(), "the admin from another address: {}", elsewhere.body);
    let junk = login_from(&app, "not-an-address", SHOPPER.0, SHOPPER.1).await;
    assert!(junk.session_cookie().is_some(), "junk falls back to the peer: {}", junk.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_headers_from_untrusted_peers_are_ignored() {
    let app = spawn_app_with(settings()).await;
    for i in 0..5 {
        let wrong = login_from(&app, &format!("203.0.113.{i}"), SHOPPER.0, "wrong-password-123").await;
        assert_eq!(wrong.status, 422, "{}", wrong.body);
    }
    let locked = login_from(&app, "203.0.113.200", SHOPPER.0, SHOPPER.1).await;
    assert_eq!(locked.status, 429, "a made-up X-Forwarded-For is no way around the lock: {}", locked.body);
    assert_eq!(attempts(app.shop.accounts.as_ref(), "ip:127.0.0.1").await, 6);
    // The same address, another account: the address alone allows more (shared NATs).
    assert!(login_from(&app, "", OWNER_A.0, OWNER_A.1).await.session_cookie().is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registration_is_throttled_per_address_with_retry_after() {
    let app = spawn_app_with(AuthSettings { registrations_per_hour: 2, ..behind_proxy() }).await;
    let register = |email: &'static str, forwarded: &'static str| {
        let app = &app;
        async move {
            app.post_form(
                "/api/auth/register",
                &[("X-Forwarded-For", forwarded)],
                &[("email", email), ("display_name", "New"), ("password", PASSWORD)],
            )
            .await
        }
    };
    assert!(register("a@example.com", "203.0.113.5").await.session_cookie().is_some());
    assert!(register("b@example.com", "203.0.113.5").await.session_cookie().is_some());
    let third = register("c@example.com", "203.0.113.5").await;
    assert_eq!(third.status, 429, "{}", third.body);
    let retry: u64 = third.header("retry-after").expect("Retry-After").parse().unwrap();
    assert!((3000..=3600).contains(&retry), "{retry}");
    assert!(register("c@example.com", "198.51.100.20").await.session_cookie().is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_hash_gate_answers_429_with_retry_after_and_counts_nothing() {
    let gate = Arc::new(HashGate::new(1, Duration::from_millis(50)));
    let app = spawn_app_with(AuthSettings { hash_gate: gate.clone(), ..settings() }).await;
    let held = gate.try_enter().expect("the only slot");
    let busy = app.post_form("/api/auth/login", &[], &[("email", SHOPPER.0), ("password", SHOPPER.1)]).await;
    assert_eq!(busy.status, 429, "{}", busy.body);
    assert_eq!(busy.header("retry-after"), Some(passwords::GATE_RETRY_SECS.to_string().as_str()));
    let signup = app
        .post_form(
            "/api/auth/register",
            &[],
            &[("email", "z@example.com"), ("display_name", "Z"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(signup.status, 429, "sign-up hashes too: {}", signup.body);
    let store = app.shop.accounts.as_ref();
    assert_eq!(attempts(store, "login:shopper@meridian.test|127.0.0.1").await, 0, "a busy server is not a failure");
    assert_eq!(attempts(store, "ip:127.0.0.1").await, 0);
    drop(held);
    assert!(app.login(SHOPPER.0, SHOPPER.1).await.starts_with("mm_session="));
}

// ---- Production mode, through the real binary ----

fn server_bin(envs: &[(&str, &str)], args: &[&str]) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_server"));
    cmd.env_clear().env("RUST_LOG", "warn").env("LEPTOS_SITE_ADDR", "127.0.0.1:0").args(args);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.stdin(std::process::Stdio::null());
    cmd
}

/// The run's standard error, which must be exactly one `error: …` line. A server that starts
/// instead of refusing is stopped after a minute and fails the test (it never hangs the suite).
fn one_error_line(cmd: &mut std::process::Command) -> String {
    use std::io::Read;
    let mut child = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run the server binary");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the server did not refuse to start within a minute: {cmd:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert!(!status.success(), "refused: {status:?} {stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    stderr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_mode_refuses_the_published_demo_credentials() {
    let dir = support::temp_dir("production");
    let url = format!("sqlite://{}", dir.join("shop.db").display());
    let demo_secret = format!("*={}", server::config::DEMO_CARRIER_SECRET);

    for mode in [("APP_ENV", "production"), ("COOKIE_SECURE", "true")] {
        let line = one_error_line(&mut server_bin(
            &[mode, ("DATABASE_URL", url.as_str()), ("CARRIER_WEBHOOK_SECRETS", demo_secret.as_str())],
            &[],
        ));
        assert!(line.contains("CARRIER_WEBHOOK_SECRETS") && line.contains(&format!("{}={}", mode.0, mode.1)), "{line}");
        let allowed = [mode, ("DATABASE_URL", url.as_str()), ("ALLOW_TEST_PAYMENTS", "true")];
        let line = one_error_line(&mut server_bin(&allowed, &["seed", "--demo"]));
        assert!(line.contains("seed --demo") && line.contains(mode.0), "{line}");
    }
    assert!(!dir.join("shop.db").exists(), "refused before the database is touched");

    // A database with the demo admin and its published password.
    let db = Database::connect(&url, 2).await.unwrap();
    db.migrate().await.unwrap();
    let (_, email, password) = server::seed::DEMO_ACCOUNTS[0];
    let hash = passwords::hash(password.into()).await.unwrap();
    let user = NewUser {
        email: email.into(),
        display_name: "Admin".into(),
        password_hash: hash,
        is_admin: true,
        email_verified: true,
    };
    let id = db.accounts().create_user(&user).await.unwrap();
    // The built-in test gateway takes no money: production mode needs it allowed in so many words.
    let line = one_error_line(&mut server_bin(&[("APP_ENV", "production"), ("DATABASE_URL", url.as_str())], &[]));
    assert!(line.contains("PAYMENTS=test") && line.contains("ALLOW_TEST_PAYMENTS=true"), "{line}");
    let production = [("APP_ENV", "production"), ("DATABASE_URL", url.as_str()), ("ALLOW_TEST_PAYMENTS", "true")];
    let line = one_error_line(&mut server_bin(&production, &[]));
    assert!(line.contains(email) && line.contains("APP_ENV=production"), "{line}");

    // With its password changed, the same server starts.
    let hash = passwords::hash("a password of our own".into()).await.unwrap();
    db.accounts().set_password(id, &hash, None).await.unwrap();
    db.close().await;
    let mut child = server_bin(&production, &[]).stdout(std::process::Stdio::piped()).spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let serving = tokio::task::spawn_blocking(move || {
        use std::io::BufRead;
        std::io::BufReader::new(stdout).lines().map_while(Result::ok).any(|l| l.starts_with("Serving the shop"))
    });
    let started = tokio::time::timeout(Duration::from_secs(60), serving).await;
    let _ = child.kill();
    let _ = child.wait();
    assert!(matches!(started, Ok(Ok(true))), "the server starts once the demo password is gone");
}

// ---- Properties of the address parsing ----

mod properties {
    use super::*;
    use proptest::prelude::*;
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

    fn trusted() -> Vec<IpCidr> {
        IpCidr::parse_list("10.0.0.0/8, fd00::/8").unwrap()
    }

    fn any_ip() -> impl Strategy<Value = IpAddr> {
        prop_oneof![
            any::<u32>().prop_map(|v| IpAddr::V4(Ipv4Addr::from(v))),
            any::<u128>().prop_map(|v| IpAddr::V6(Ipv6Addr::from(v)))
        ]
    }

    fn untrusted_ip() -> impl Strategy<Value = IpAddr> {
        any_ip().prop_filter("not one of our proxies", |ip| !trusted().iter().any(|n| n.contains(*ip)))
    }

    fn trusted_ip() -> impl Strategy<Value = IpAddr> {
        prop_oneof![
            any::<u32>().prop_map(|v| IpAddr::V4(Ipv4Addr::from(0x0a00_0000 | (v & 0x00ff_ffff)))),
            any::<u128>().prop_map(|v| IpAddr::V6(Ipv6Addr::from((0xfd_u128 << 120) | (v >> 8)))),
        ]
    }

    /// How a hop may be written: bare, with a port, in brackets.
    fn written(ip: IpAddr, style: u8) -> String {
        match (ip, style % 3) {
            (_, 0) => ip.to_string(),
            (IpAddr::V4(v4), _) => format!("{v4}:{}", 1000 + style as u16),
            (IpAddr::V6(v6), 1) => format!("[{v6}]:443"),
            (IpAddr::V6(v6), _) => format!("[{v6}]"),
        }
    }

    proptest! {
        #[test]
        fn networks_print_and_parse_back_and_hold_their_addresses(ip in any_ip(), prefix in 0u8..=128) {
            let prefix = if ip.is_ipv4() { prefix % 33 } else { prefix };
            let text = format!("{ip}/{prefix}");
            let net = match IpCidr::parse(&text) {
                Ok(net) => net,
                // Host bits set: the error names the network meant, which parses.
                Err(e) => {
                    let meant = e.split("did you mean ").nth(1).and_then(|s| s.strip_suffix('?')).unwrap_or_default();
                    IpCidr::parse(meant).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?
                }
            };
            prop_assert_eq!(net.prefix(), prefix);
            prop_assert!(net.contains(ip), "{} holds {}", net, ip);
            prop_assert_eq!(IpCidr::parse(&net.to_string()).unwrap(), net);
        }

        #[test]
        fn the_client_is_the_right_most_hop_our_proxies_did_not_write(
            made_up in proptest::collection::vec(".{0,20}", 0..4),
            client in untrusted_ip(),
            proxies in proptest::collection::vec(trusted_ip(), 0..6),
            peer in trusted_ip(),
            style in any::<u8>(),
        ) {
            let mut hops = made_up.clone();
            hops.push(written(client, style));
            hops.extend(proxies.iter().map(|p| written(*p, style / 3)));
            let header = hops.join(", ");
            prop_assert_eq!(client_ip(peer, &header, &trusted()), client.to_canonical(), "{}", header);
            // The same header from a peer that is not ours changes nothing: the peer is the client.
            prop_assert_eq!(client_ip(client, &header, &trusted()), client.to_canonical());
        }

        #[test]
        fn any_header_gives_the_peer_or_an_address_written_in_it(header in ".{0,200}", peer in trusted_ip()) {
            let got = client_ip(peer, &header, &trusted());
            let listed: Vec<IpAddr> = header.split(',').filter_map(parse_hop).collect();
            prop_assert!(got == peer || listed.contains(&got), "{} from {:?}", got, header);
            prop_assert!(!throttle_key(got).is_empty());
        }
    }
}

/// `server create-admin EMAIL` on an empty production-mode database: the password comes from
/// standard input (never the command line); weak passwords and taken emails are refused in one
/// line; the account it makes signs in as the platform admin.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_admin_makes_the_first_admin_of_an_empty_production_database() {
    use std::io::Write;
    let dir = support::temp_dir("create-admin");
    let url = format!("sqlite://{}/shop.db", dir.display());
    let envs = [("DATABASE_URL", url.as_str()), ("APP_ENV", "production"), ("ALLOW_TEST_PAYMENTS", "true")];
    let run = |password: &str, email: &str| {
        let mut child = server_bin(&envs, &["create-admin", email])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run the server binary");
        child.stdin.take().unwrap().write_all(format!("{password}\n").as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (ok, _, err) = run("short", "owner@shop.example");
    assert!(!ok && err.lines().count() == 1 && err.contains("characters"), "a weak password is refused: {err}");
    let (ok, out, err) = run("a long and private passphrase 42", "owner@shop.example");
    assert!(ok, "{err}");
    assert!(out.contains("created the platform admin owner@shop.example"), "{out}");
    let (ok, _, err) = run("another long private passphrase", "Owner@Shop.example");
    assert!(!ok && err.contains("already"), "the email is taken: {err}");

    let db = server::store::Database::connect(&url, 2).await.unwrap();
    let shop = server::startup::shop(&db, settings());
    let token = app::services::accounts::login(
        &shop,
        "owner@shop.example",
        "a long and private passphrase 42",
        "127.0.0.1",
        None,
    )
    .await
    .unwrap();
    let session = shop.accounts.session(&app::services::passwords::token_hash(&token)).await.unwrap().unwrap();
    assert!(session.user.is_admin, "{session:?}");
    db.close().await;
    std::fs::remove_dir_all(&dir).ok();
}
