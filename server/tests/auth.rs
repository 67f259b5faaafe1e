//! Accounts over real HTTP: sessions and cookies, roles on pages, throttling, expiry and
//! revocation, cross-site rejection, escaping, and bad input.
mod support;

use app::domain::errors::AppError;
use app::services::AuthSettings;
use support::{ADMIN, OWNER_A, SHOPPER, spawn_app, spawn_app_with};

const PASSWORD: &str = "correct horse battery";

async fn who(app: &support::TestApp, cookie: &str) -> Option<String> {
    let res = app.call(cookie, "/api/auth/session", &[]).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let principal: Option<app::domain::account::Principal> = serde_json::from_str(&res.body).unwrap();
    principal.map(|p| p.email)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_sign_out_and_sign_in_again() {
    let app = spawn_app().await;
    let res = app
        .post_form(
            "/api/auth/register",
            &[],
            &[("email", " Ada@Example.COM "), ("display_name", "Ada"), ("password", PASSWORD)],
        )
        .await;
    assert!(res.status < 400, "{} {}", res.status, res.body);
    let set_cookie = res.all("set-cookie").join("\n");
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax") && set_cookie.contains("Path=/"),
        "{set_cookie}"
    );
    assert!(!set_cookie.contains("Secure"), "plain http by default");
    let cookie = res.session_cookie().unwrap();
    assert_eq!(cookie.len(), "mm_session=".len() + 64, "a 256-bit token");
    assert_eq!(who(&app, &cookie).await.as_deref(), Some("ada@example.com"), "email normalised");

    let page = app.get_as(&cookie, "/account").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("ada@example.com"));

    let out = app.call(&cookie, "/api/auth/logout", &[]).await;
    assert!(out.all("set-cookie").join(" ").contains("Max-Age=0"));
    assert_eq!(who(&app, &cookie).await, None, "the old cookie no longer works");

    let again = app.login("ada@example.com", PASSWORD).await;
    assert_ne!(again, cookie, "a new token on every sign-in");
    assert_eq!(who(&app, &again).await.as_deref(), Some("ada@example.com"));

    let dup = app
        .post_form(
            "/api/auth/register",
            &[],
            &[("email", "ada@example.com"), ("display_name", "A"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(dup.status, 422);
    assert!(dup.app_error().unwrap().field("email").unwrap().contains("already exists"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secure_cookies_when_configured() {
    let app = spawn_app_with(AuthSettings { cookie_secure: true, ..AuthSettings::default() }).await;
    let res = app.post_form("/api/auth/login", &[], &[("email", SHOPPER.0), ("password", SHOPPER.1)]).await;
    assert!(res.all("set-cookie").join(" ").contains("; Secure"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_send_visitors_to_sign_in_and_shoppers_to_403() {
    let app = spawn_app().await;
    let anon = app.get("/account").await;
    assert_eq!(anon.status, 303);
    assert_eq!(anon.header("location"), Some("/login?next=/account"));
    let anon_admin = app.get("/admin").await;
    assert_eq!(anon_admin.header("location"), Some("/login?next=/admin"));

    let shopper = app.login(SHOPPER.0, SHOPPER.1).await;
    let denied = app.get_as(&shopper, "/admin").await;
    assert_eq!(denied.status, 403);
    assert!(denied.body.contains(r#"data-testid="forbidden""#));

    let owner = app.login(OWNER_A.0, OWNER_A.1).await;
    let dash = app.get_as(&owner, "/admin").await;
    assert_eq!(dash.status, 200);
    assert!(dash.body.contains("Northwind Home"));
    assert!(!dash.body.contains("Harbor &amp; Pine"), "a merchant sees only its own store");

    let admin = app.login(ADMIN.0, ADMIN.1).await;
    let all = app.get_as(&admin, "/admin").await;
    assert_eq!(all.body.matches(r#"data-testid="store-row""#).count(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_passwords_are_throttled_with_one_message_for_every_failure() {
    let app = spawn_app().await;
    let attempt = |email: &'static str, password: &'static str| {
        let app = &app;
        async move { app.post_form("/api/auth/login", &[], &[("email", email), ("password", password)]).await }
    };
    let unknown = attempt("nobody@meridian.test", "whatever-password").await;
    let wrong = attempt(SHOPPER.0, "wrong-password-123").await;
    assert_eq!(unknown.status, 422);
    assert_eq!(unknown.body, wrong.body, "unknown email and wrong password look the same");
    assert!(wrong.app_error().unwrap().field("form").unwrap().contains("email or password is incorrect"));
    // Five failures for this account from this address: that pair is locked for 5 s (long enough
    // that the check below cannot race the lock's expiry on a slow machine).
    for _ in 0..4 {
        attempt(SHOPPER.0, "wrong-password-123").await;
    }
    let locked = attempt(SHOPPER.0, SHOPPER.1).await;
    assert_eq!(locked.status, 429, "{}", locked.body);
    assert!(matches!(locked.app_error(), Some(AppError::RateLimited(s)) if s >= 2), "{}", locked.body);
    assert!(locked.header("retry-after").is_some_and(|s| s.parse::<u64>().is_ok_and(|s| s >= 2)));
    assert!(locked.session_cookie().is_none(), "even the right password is refused while locked");
    // The address is throttled too: guessing across many accounts from one client is slowed. It
    // allows 20 attempts before locking (was 5, when every client shared the key 'unknown'), since
    // offices and mobile networks put many people behind one address; seven are counted so far.
    for i in 0..13 {
        let spray =
            attempt(["a@meridian.test", "b@meridian.test", "c@meridian.test"][i % 3], "wrong-password-123").await;
        assert_eq!(spray.status, 422, "{i}: {}", spray.body);
    }
    let other = attempt(OWNER_A.0, OWNER_A.1).await;
    assert_eq!(other.status, 429, "{}", other.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_sessions_expire() {
    let app = spawn_app_with(AuthSettings { idle_secs: 3, ..AuthSettings::default() }).await;
    let cookie = app.login(SHOPPER.0, SHOPPER.1).await;
    assert!(who(&app, &cookie).await.is_some());
    tokio::time::sleep(std::time::Duration::from_millis(4100)).await;
    assert_eq!(who(&app, &cookie).await, None);
    assert_eq!(app.get_as(&cookie, "/account").await.status, 303);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changing_the_password_signs_out_other_sessions() {
    let app = spawn_app().await;
    let phone = app.login(SHOPPER.0, SHOPPER.1).await;
    let laptop = app.login(SHOPPER.0, SHOPPER.1).await;
    let wrong = app
        .call(
            &laptop,
            "/api/account/change_password",
            &[("current_password", "nope-nope-nope"), ("new_password", PASSWORD)],
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(who(&app, &phone).await.is_some(), "a failed change revokes nothing");
    let ok = app
        .call(&laptop, "/api/account/change_password", &[("current_password", SHOPPER.1), ("new_password", PASSWORD)])
        .await;
    assert!(ok.status < 400, "{} {}", ok.status, ok.body);
    assert_eq!(who(&app, &phone).await, None, "the other session is revoked");
    assert!(who(&app, &laptop).await.is_some(), "the session that changed it stays");
    assert!(
        app.post_form("/api/auth/login", &[], &[("email", SHOPPER.0), ("password", PASSWORD)])
            .await
            .session_cookie()
            .is_some()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_site_posts_are_refused_and_write_nothing() {
    let app = spawn_app().await;
    let shopper = app.login(SHOPPER.0, SHOPPER.1).await;
    let form = [("name", "Evil"), ("line1", "1 Evil St"), ("city", "X"), ("postal_code", "1"), ("country", "US")];
    for (header, value) in
        [("Origin", "https://evil.example"), ("Origin", "null"), ("Referer", "https://evil.example/page")]
    {
        let headers: Vec<(&str, &str)> = if header == "Origin" {
            vec![("Cookie", &shopper), ("Origin", value)]
        } else {
            vec![("Cookie", &shopper), ("Origin", ""), ("Referer", value)]
        };
        let res = app.post_form("/api/account/add_address", &headers, &form).await;
        assert_eq!(res.status, 403, "{header}: {value}");
    }
    let page = app.get_as(&shopper, "/account").await;
    assert!(!page.body.contains("1 Evil St"), "nothing was written");
    let same_site = app.call(&shopper, "/api/account/add_address", &form).await;
    assert!(same_site.status < 400, "{} {}", same_site.status, same_site.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn markup_in_names_and_addresses_is_rendered_escaped() {
    let app = spawn_app().await;
    let xss = "<script>alert('x')</script>";
    let res = app
        .post_form(
            "/api/auth/register",
            &[],
            &[("email", "x@example.com"), ("display_name", xss), ("password", PASSWORD)],
        )
        .await;
    let cookie = res.session_cookie().unwrap();
    let add = app
        .call(
            &cookie,
            "/api/account/add_address",
            &[
                ("name", "<img src=x onerror=alert(1)>"),
                ("line1", xss),
                ("city", "C"),
                ("postal_code", "1"),
                ("country", "US"),
            ],
        )
        .await;
    assert!(add.status < 400, "{}", add.body);
    let page = app.get_as(&cookie, "/account").await;
    assert!(!page.body.contains("<script>alert"), "no live script");
    assert!(!page.body.contains("<img src=x"), "no live tag");
    assert!(page.body.contains("&lt;script&gt;alert"), "shown as typed");
    assert!(page.body.contains("&lt;img src=x onerror=alert(1)&gt;"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_and_bad_cookies_are_clear_errors_not_500s() {
    let app = spawn_app().await;
    let huge = "a".repeat(1_000_000) + "@example.com";
    let res = app
        .post_form("/api/auth/register", &[], &[("email", &huge), ("display_name", "A"), ("password", PASSWORD)])
        .await;
    assert!((400..500).contains(&res.status), "{}", res.status);
    let res = app.post_form("/api/auth/login", &[], &[("email", &huge), ("password", "x")]).await;
    assert!((400..500).contains(&res.status), "{}", res.status);
    let missing = app.post_form("/api/auth/login", &[], &[("email", "a@b.co")]).await;
    assert!((400..500).contains(&missing.status), "missing field: {} {}", missing.status, missing.body);

    let real = app.login(SHOPPER.0, SHOPPER.1).await;
    let mut tampered = real.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == '0' { '1' } else { '0' });
    for cookie in [tampered.as_str(), "mm_session=forged", "mm_session=../../etc/passwd", "mm_session="] {
        assert_eq!(who(&app, cookie).await, None, "{cookie}");
        assert_eq!(app.get_as(cookie, "/account").await.status, 303);
    }
    assert_eq!(app.get_as(&real, "/account").await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_carry_security_headers_with_a_csp_nonce() {
    let app = spawn_app().await;
    let res = app.get("/").await;
    let csp = res.header("content-security-policy").expect("a CSP header");
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'"), "{csp}");
    let nonce = csp.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap();
    assert!(res.body.contains(&format!("nonce=\"{nonce}\"")), "inline scripts carry the nonce");
    assert_ne!(app.get("/").await.header("content-security-policy").unwrap(), csp, "a new nonce per response");
    assert_eq!(res.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(res.header("referrer-policy"), Some("strict-origin-when-cross-origin"));
    assert_eq!(app.get("/healthz").await.header("x-content-type-options"), Some("nosniff"));
}
