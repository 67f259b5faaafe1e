//! `server backup` and `server restore` (issue 18, item 4), run as the real binary against the
//! SQLite file of a real router: a backup taken while guests check out over HTTP holds every order
//! acknowledged before it began exactly once, and none acknowledged after it ended; restored into
//! a new file it passes SQLite's integrity check and the shop serves each of those orders by its
//! guest key. Restore refuses a database in use, one that holds a shop (unless --force), and files
//! that are not this shop's, and leaves no partial file behind.
mod support;

use sqlx::{Connection, SqliteConnection};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::{Client, OWNER_A, Response};

/// An order a guest's browser was told about: its number and access key, and when.
#[derive(Clone, Debug)]
struct Acked {
    number: String,
    key: String,
    at: Instant,
}

fn set_cookie<'a>(res: &'a Response, name: &str) -> Option<&'a str> {
    res.all("set-cookie").into_iter().find(|c| c.starts_with(&format!("{name}=")))
}

/// A guest adds `variant` to a cart and checks out with plain form posts, as a browser without
/// JavaScript does.
async fn guest_checkout(client: &Client, variant: i64, idempotency_key: &str) -> Acked {
    let res = client.call("", "/api/cart/add", &[("variant_id", &variant.to_string()), ("quantity", "1")]).await;
    assert!(res.status < 400, "{} {}", res.status, res.body);
    let cart = set_cookie(&res, "mm_cart").expect("a cart cookie").split(';').next().unwrap().to_string();
    let mut form = support::GUEST_CHECKOUT_FORM.to_vec();
    form.push(("idempotency_key", idempotency_key));
    let res = client.call(&cart, "/api/checkout/place", &form).await;
    let number = res.body.trim().trim_matches('"').to_string();
    assert!(number.starts_with("MM-"), "checkout answered {} {}", res.status, res.body);
    let cookie = set_cookie(&res, "mm_last_order").expect("the order's cookie");
    let key = cookie.split(';').next().unwrap().trim_start_matches("mm_last_order=").to_string();
    Acked { number, key, at: Instant::now() }
}

/// Runs the real `server` binary with DATABASE_URL=`url`; answers (succeeded, stdout + stderr).
async fn server(url: &str, args: &[&str]) -> (bool, String) {
    let (url, args) = (url.to_string(), args.iter().map(|a| a.to_string()).collect::<Vec<_>>());
    tokio::task::spawn_blocking(move || {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
            .args(&args)
            .env("DATABASE_URL", url)
            .env("RUST_LOG", "warn")
            .output()
            .expect("run the server binary");
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        (out.status.success(), text)
    })
    .await
    .unwrap()
}

fn url_of(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

async fn open(path: &Path) -> SqliteConnection {
    SqliteConnection::connect(&format!("{}?mode=ro", url_of(path))).await.unwrap()
}

/// Waits (up to 5 s) until no connection of this process holds `path`: a closed pool's SQLite
/// connections are closed by their worker threads a moment after `close()` returns, and the
/// restore below must meet the file as a stopped shop leaves it.
async fn wait_until_released(path: &Path) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let url = format!("{}?mode=rw", url_of(path));
        if let Ok(mut c) = SqliteConnection::connect(&url).await {
            let free = sqlx::raw_sql("BEGIN EXCLUSIVE; COMMIT").execute(&mut c).await.is_ok();
            let _ = c.close().await;
            if free || Instant::now() > deadline {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn count_number(conn: &mut SqliteConnection, number: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE number = $1").bind(number).fetch_one(conn).await.unwrap()
}

/// The files in `dir` (names), sorted: nothing half-written may be left among them.
fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_under_checkout_load_restores_every_acknowledged_order() {
    let dir = support::temp_dir("backup");
    let live = dir.join("shop.db");
    let db = server::store::Database::connect(&url_of(&live), 8).await.unwrap();
    db.migrate().await.unwrap();
    let app = support::spawn_app_on(db, Default::default()).await;
    let variant = app.variant_in_stock(OWNER_A.0, 1).await;
    app.db.execute_raw(&format!("UPDATE product_variants SET stock = 1000000 WHERE id = {variant}")).await.unwrap();

    // Four guests check out one after another, each, until told to stop.
    let acked: Arc<Mutex<Vec<Acked>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let mut guests = Vec::new();
    for guest in 0..4 {
        let (acked, stop, client) = (acked.clone(), stop.clone(), Client { addr: app.addr });
        guests.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::SeqCst) {
                let order = guest_checkout(&client, variant, &format!("backup-load-{guest}-{n:04}")).await;
                acked.lock().unwrap().push(order);
                n += 1;
            }
        }));
    }
    while acked.lock().unwrap().len() < 12 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let backup = dir.join("backup.db");
    let began = Instant::now();
    let (ok, out) = server(&url_of(&live), &["backup", backup.to_str().unwrap()]).await;
    let ended = Instant::now();
    assert!(ok, "{out}");
    assert!(out.contains("backed up") && out.contains("orders"), "{out}");
    // Orders keep coming after the backup; then the load stops.
    let after_backup = acked.lock().unwrap().len();
    while acked.lock().unwrap().len() < after_backup + 4 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.store(true, Ordering::SeqCst);
    for guest in guests {
        guest.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    let before: Vec<&Acked> = acked.iter().filter(|o| o.at < began).collect();
    let later: Vec<&Acked> = acked.iter().filter(|o| o.at > ended).collect();
    assert!(before.len() >= 12 && later.len() >= 4, "{} before, {} after", before.len(), later.len());

    // A backup never overwrites, and the refused attempt leaves nothing behind.
    let (ok, out) = server(&url_of(&live), &["backup", backup.to_str().unwrap()]).await;
    assert!(!ok && out.contains("already exists"), "{out}");

    // The backup is the database as of one instant.
    let mut copy = open(&backup).await;
    for order in &before {
        assert_eq!(count_number(&mut copy, &order.number).await, 1, "{} is in the backup once", order.number);
    }
    for order in &later {
        assert_eq!(count_number(&mut copy, &order.number).await, 0, "{} came after the backup", order.number);
    }
    copy.close().await.unwrap();

    // The shop is serving from `live`: restoring over it is refused, even with --force.
    for args in [vec!["restore", backup.to_str().unwrap()], vec!["restore", backup.to_str().unwrap(), "--force"]] {
        let (ok, out) = server(&url_of(&live), &args).await;
        assert!(!ok && out.contains("in use") && out.contains("stop the shop"), "{out}");
    }

    // Into a new file: every acknowledged order once, every page sound, every reference whole.
    let restored = dir.join("restored").join("shop.db");
    let (ok, out) = server(&url_of(&restored), &["restore", backup.to_str().unwrap()]).await;
    assert!(ok && out.contains("restored"), "{out}");
    let mut conn = open(&restored).await;
    let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check").fetch_all(&mut conn).await.unwrap();
    assert_eq!(integrity, vec!["ok".to_string()]);
    let dangling: Vec<(String, Option<i64>, String, i64)> =
        sqlx::query_as("PRAGMA foreign_key_check").fetch_all(&mut conn).await.unwrap();
    assert!(dangling.is_empty(), "{dangling:?}");
    for order in &before {
        assert_eq!(count_number(&mut conn, &order.number).await, 1, "{}", order.number);
        let paid: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM payments p JOIN orders o ON o.id = p.order_id WHERE o.number = $1",
        )
        .bind(&order.number)
        .fetch_one(&mut conn)
        .await
        .unwrap();
        assert!(paid >= 1, "{} has its payment", order.number);
    }
    conn.close().await.unwrap();
    let restored_dir = restored.parent().unwrap();
    assert_eq!(files(restored_dir), vec!["shop.db".to_string()], "no temp file left");

    // Once a shop has opened it (WAL), a second restore into it is refused: it holds a shop.
    // With --force it is replaced, and no log or journal of the old one is left beside it.
    let db = server::store::Database::connect(&url_of(&restored), 2).await.unwrap();
    db.execute_raw("DELETE FROM sessions").await.unwrap();
    db.close().await;
    drop(db);
    wait_until_released(&restored).await;
    let (ok, out) = server(&url_of(&restored), &["restore", backup.to_str().unwrap()]).await;
    assert!(!ok && out.contains("already holds a shop") && out.contains("--force"), "{out}");
    let (ok, out) = server(&url_of(&restored), &["restore", "--force", backup.to_str().unwrap()]).await;
    assert!(ok, "{out}");
    assert_eq!(files(restored_dir), vec!["shop.db".to_string()]);

    // Files that are not a backup of this shop are refused before anything is touched.
    let text = dir.join("notes.txt");
    std::fs::write(&text, "not a database").unwrap();
    let other = dir.join("other.db");
    let mut conn = SqliteConnection::connect(&format!("{}?mode=rwc", url_of(&other))).await.unwrap();
    sqlx::raw_sql("CREATE TABLE t (x INTEGER)").execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
    let newer = dir.join("newer.db");
    std::fs::copy(&backup, &newer).unwrap();
    let mut conn = SqliteConnection::connect(&url_of(&newer)).await.unwrap();
    sqlx::raw_sql("INSERT INTO schema_migrations VALUES (999, 'from_the_future', 'x', 0)")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    let fresh = dir.join("fresh.db");
    for (file, says) in [
        (&text, "not a SQLite database"),
        (&other, "not this shop's"),
        (&newer, "newer version"),
        (&dir.join("missing.db"), "no backup file"),
    ] {
        let (ok, out) = server(&url_of(&fresh), &["restore", file.to_str().unwrap()]).await;
        assert!(!ok && out.contains(says), "{}: {out}", file.display());
    }
    let left: Vec<String> = files(&dir).into_iter().filter(|f| f.contains("partial")).collect();
    assert!(left.is_empty(), "{left:?}");
    assert!(!fresh.exists(), "a refused restore creates no database");

    // The restored shop serves each acknowledged order to the guest who holds its key.
    let db = server::store::Database::connect(&url_of(&restored), 4).await.unwrap();
    db.migrate().await.unwrap();
    let shop = support::spawn_app_on(db, Default::default()).await;
    for order in &before {
        let res = shop.call("", "/api/orders/get", &[("number", &order.number), ("key", &order.key)]).await;
        assert_eq!(res.status, 200, "{} {}", order.number, res.body);
        assert!(res.body.contains(&order.number), "{}", res.body);
    }

    for media in [&app.media_dir, &shop.media_dir] {
        let _ = std::fs::remove_dir_all(media);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
