//! The authorization matrix: every registered server function, called by each of {anonymous,
//! shopper, owner of store A, owner of store B, admin} against store A's data (or the shopper's
//! own), must be allowed or denied exactly as listed. A server function missing from the table
//! fails the test, so new endpoints cannot skip this review. Runs on SQLite and PostgreSQL.
mod support;

use app::domain::errors::AppError;
use support::TestApp;

use Outcome::{Allow, Deny};
use support::endpoints::{MATRIX, Outcome, WHO};

/// Denied means the guard (or data scoping) refused: not signed in, not allowed, or not yours.
fn outcome(res: &support::Response) -> Outcome {
    match res.app_error() {
        Some(AppError::Unauthenticated | AppError::Forbidden | AppError::NotFound(_)) => Deny,
        _ if [401, 403, 404].contains(&res.status) => Deny,
        _ => Allow,
    }
}

#[test]
fn every_registered_server_function_is_in_the_matrix() {
    let registered: Vec<String> = leptos::server_fn::axum::server_fn_paths().map(|(p, _)| p.to_string()).collect();
    for path in &registered {
        assert!(
            MATRIX.iter().any(|(p, ..)| p == path),
            "server function {path} is missing from the authorization matrix"
        );
    }
    for (path, ..) in MATRIX {
        assert!(registered.iter().any(|p| p == path), "{path} is in the matrix but not registered");
    }
}

async fn run_matrix(make: impl AsyncFn() -> TestApp) {
    let mut failures = Vec::new();
    for (path, args, expected) in MATRIX {
        // A fresh shop per endpoint: one caller's change (say, opening a store) must not
        // change what the next caller is allowed to do.
        let app = make().await;
        let (fill, cookies) = support::endpoints::prepare(&app, args.iter().any(|(_, v)| v.contains("{RETURN}"))).await;
        for (i, cookie) in cookies.iter().enumerate() {
            let form: Vec<(&str, String)> = args.iter().map(|(k, v)| (*k, fill.fill(v))).collect();
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let res = app.call(cookie, path, &form).await;
            assert!(res.status < 500, "{path} as {}: server error {} {}", WHO[i], res.status, res.body);
            let got = outcome(&res);
            if got != expected[i] {
                failures.push(format!(
                    "{path} as {}: expected {:?}, got {:?} ({} {})",
                    WHO[i], expected[i], got, res.status, res.body
                ));
            }
        }
        // Each endpoint's shop holds its own pool; closing it keeps a run of many fresh
        // databases under PostgreSQL's connection limit.
        app.db.close().await;
    }
    assert!(failures.is_empty(), "authorization matrix mismatches:\n{}", failures.join("\n"));
}

/// A store's staff (not its owner) are refused the owner's pages and keep the rest: the rows of
/// `STAFF_OF_A`, on one shop whose refused calls change nothing the next row relies on.
async fn run_staff_rows(app: TestApp) {
    use support::endpoints::{Fill, STAFF_OF_A, staff_of};
    let a = app.store_of(support::OWNER_A.0).await;
    let cookie = staff_of(&app, a, "matrix-staff@northwind-home.test").await;
    let fill = Fill::new(vec![("{A}", a.to_string())]);
    let mut failures = Vec::new();
    for (path, args, expected) in STAFF_OF_A {
        let form: Vec<(&str, String)> = args.iter().map(|(k, v)| (*k, fill.fill(v))).collect();
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let res = app.call(&cookie, path, &form).await;
        assert!(res.status < 500, "{path} as staff of A: server error {} {}", res.status, res.body);
        if outcome(&res) != *expected {
            failures
                .push(format!("{path} {args:?} as staff of A: expected {expected:?}, got {} {}", res.status, res.body));
        }
    }
    // The store's settings were not renamed by the refused call.
    let name: i64 = app
        .db
        .scalar_raw(&format!("SELECT COUNT(*) FROM merchants WHERE id = {a} AND name = 'Taken over'"))
        .await
        .unwrap();
    assert_eq!(name, 0);
    assert!(failures.is_empty(), "staff rows mismatched:\n{}", failures.join("\n"));
    app.db.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_are_refused_the_owners_pages_on_sqlite() {
    run_staff_rows(support::spawn_app().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_are_refused_the_owners_pages_on_postgres() {
    let Some(db) = support::postgres().await else { return };
    run_staff_rows(support::spawn_app_on(db, app::services::AuthSettings::default()).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn matrix_holds_on_sqlite() {
    run_matrix(|| async { support::spawn_app().await }).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn matrix_holds_on_postgres() {
    if support::postgres().await.is_none() {
        return;
    }
    run_matrix(|| async {
        let db = support::postgres().await.unwrap();
        support::spawn_app_on(db, app::services::AuthSettings::default()).await
    })
    .await;
}
