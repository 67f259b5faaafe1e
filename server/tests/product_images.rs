//! Product image upload, order and removal through the real server on SQLite and PostgreSQL:
//! a PNG and a JPEG made here are stored with 400 and 1200 px thumbnails served with the year-long
//! cache header; a text file named `.png` is refused with the reason, an oversized one with its
//! size, and neither leaves a row or a file; store B can neither upload to, reorder nor remove
//! store A's images; moving an image first puts it on the storefront card; removing one deletes
//! its row and (unless another image uses them) its files.
#[macro_use]
mod support;

use server::store::Database;
use support::{OWNER_A, OWNER_B, Response, TestApp};

conformance!(multi_thread;
    png_and_jpeg_are_stored_with_thumbnails,
    a_text_file_named_png_is_refused,
    an_oversized_upload_is_refused_with_its_size,
    another_store_cannot_upload_reorder_or_remove,
    moving_an_image_first_puts_it_on_the_card,
    removing_an_image_deletes_its_row_and_files,
);

enum Part<'a> {
    File { name: &'a str, file_name: &'a str, content_type: &'a str, bytes: &'a [u8] },
    Text { name: &'a str, value: &'a str },
}

const BOUNDARY: &str = "----shop-test-boundary-7MA4YWxkTrZu0gW";

fn multipart(parts: &[Part]) -> Vec<u8> {
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match part {
            Part::File { name, file_name, content_type, bytes } => {
                body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
                    )
                    .as_bytes(),
                );
                body.extend_from_slice(bytes);
            }
            Part::Text { name, value } => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}").as_bytes(),
            ),
        }
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// A multipart POST as a browser sends the upload form (same-site Origin unless `headers` says
/// otherwise); `content_length` overrides the real length.
async fn post_bytes(
    app: &TestApp,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    content_length: Option<usize>,
) -> Response {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let mut head = format!(
        "POST {path} HTTP/1.0\r\nHost: {addr}\r\nAccept-Encoding: identity\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {len}\r\n",
        addr = app.addr,
        len = content_length.unwrap_or(body.len())
    );
    let origin = format!("http://{}", app.addr);
    let mut all: Vec<(&str, &str)> = vec![("Origin", &origin)];
    for (k, v) in headers {
        all.retain(|(name, _)| !name.eq_ignore_ascii_case(k));
        all.push((k, v));
    }
    for (k, v) in all {
        if !v.is_empty() {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
    }
    head.push_str("\r\n");
    let mut request = head.into_bytes();
    request.extend_from_slice(body);
    let (mut reader, mut writer) = stream.into_split();
    let send = async move {
        let _ = writer.write_all(&request).await;
        writer
    };
    let mut raw = Vec::new();
    let read = async { tokio::time::timeout(std::time::Duration::from_secs(60), reader.read_to_end(&mut raw)).await };
    let (_writer, read) = tokio::join!(send, read);
    read.expect("an answer within 60 s").unwrap();
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, body) = text.split_once("\r\n\r\n").expect("an HTTP response");
    let mut lines = head.lines();
    let status = lines.next().unwrap().split_whitespace().nth(1).unwrap().parse().unwrap();
    let headers =
        lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_string(), v.trim().to_string())).collect();
    Response { status, headers, body: body.to_string() }
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbaImage::from_fn(width, height, |x, y| image::Rgba([(x % 256) as u8, (y % 256) as u8, 90, 255]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([200, (x % 256) as u8, (y % 256) as u8]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

/// The id of store A's first published product (the demo seed numbers products from 1), and A's id.
async fn product_of(app: &TestApp, owner: &str) -> (i64, i64) {
    let merchant = app.store_of(owner).await;
    for product in 1..10_000 {
        if app.shop.reviews.product_merchant(product).await.unwrap() == Some(merchant) {
            return (product, merchant);
        }
    }
    panic!("store has no published product");
}

async fn images(app: &TestApp, product: i64) -> Vec<app::domain::product_image::AdminImage> {
    app.shop.product_images.product_images(product).await.unwrap().unwrap().images
}

fn uploads_dir(app: &TestApp) -> std::path::PathBuf {
    app.media_dir.join("uploads")
}

fn files_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().to_string()).collect())
        .unwrap_or_default();
    names.sort();
    names
}

fn location(res: &Response) -> String {
    assert_eq!(res.status, 303, "expected a redirect, got {} {}", res.status, res.body);
    res.header("location").unwrap_or_default().to_string()
}

async fn upload(app: &TestApp, cookie: &str, product: i64, parts: &[Part<'_>]) -> Response {
    post_bytes(app, &format!("/admin/products/{product}/images"), &[("Cookie", cookie)], &multipart(parts), None).await
}

fn file<'a>(file_name: &'a str, content_type: &'a str, bytes: &'a [u8]) -> Part<'a> {
    Part::File { name: "images", file_name, content_type, bytes }
}

async fn app_on(db: Database) -> TestApp {
    support::spawn_app_on(db, app::services::AuthSettings::default()).await
}

async fn png_and_jpeg_are_stored_with_thumbnails(db: Database) {
    let app = app_on(db).await;
    let owner = app.login(OWNER_A.0, OWNER_A.1).await;
    let (product, _) = product_of(&app, OWNER_A.0).await;
    let before = images(&app, product).await.len();
    let (png, jpeg) = (png(1600, 900), jpeg(900, 1200));
    let res = upload(
        &app,
        &owner,
        product,
        &[
            file("wide.png", "image/png", &png),
            file("tall.jpeg", "image/jpeg", &jpeg),
            Part::Text { name: "alt", value: "The lamp, lit" },
        ],
    )
    .await;
    let to = location(&res);
    assert!(to.starts_with(&format!("/admin/products/{product}?")) && to.contains("upload=done&count=2"), "{to}");

    let now = images(&app, product).await;
    assert_eq!(now.len(), before + 2);
    assert_eq!(now.iter().map(|i| i.position).collect::<Vec<_>>(), (0..now.len() as i64).collect::<Vec<_>>());
    let (wide, tall) = (&now[before], &now[before + 1]);
    assert!(wide.url.ends_with(".png") && tall.url.ends_with(".jpg"), "{} {}", wide.url, tall.url);
    assert_eq!((wide.width, wide.height, tall.width, tall.height), (1600, 900, 900, 1200));
    assert_eq!(wide.alt, "The lamp, lit");
    for (img, sizes) in [(wide, [(400, 225), (1200, 675)]), (tall, [(300, 400), (900, 1200)])] {
        let original = app.media_dir.join(img.url.trim_start_matches("/media/"));
        assert_eq!(std::fs::metadata(&original).unwrap().len() as i64, img.bytes);
        for (edge, (w, h)) in [400, 1200].into_iter().zip(sizes) {
            let url = app::domain::product_image::thumbnail_url(&img.url, edge).unwrap();
            let path = app.media_dir.join(url.trim_start_matches("/media/"));
            let thumb = image::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert_eq!((thumb.width(), thumb.height()), (w, h), "{url}");
            let res = app.get(&url).await;
            assert_eq!(res.status, 200, "{url}");
            assert_eq!(res.header("cache-control"), Some("public, max-age=31536000, immutable"));
        }
        // The name is the content: the SHA-256 of the stored original.
        let stored = std::fs::read(&original).unwrap();
        assert!(img.url.contains(&app::services::product_image_store::content_hash(&stored)));
    }
    // Back on the edit page the notice shows once, with the images.
    let page = app.get_as(&owner, &to).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("2 images added."), "no notice on the edit page");
    assert!(page.body.contains(&app::domain::product_image::thumbnail_url(&wide.url, 400).unwrap()));
}

async fn a_text_file_named_png_is_refused(db: Database) {
    let app = app_on(db).await;
    let owner = app.login(OWNER_A.0, OWNER_A.1).await;
    let (product, _) = product_of(&app, OWNER_A.0).await;
    let before = images(&app, product).await;
    let res =
        upload(&app, &owner, product, &[file("notes.png", "image/png", b"Shopping list: milk, eggs, lamp oil\n")])
            .await;
    let to = location(&res);
    assert!(to.contains("upload=failed") && to.contains("reason=not_image"), "{to}");
    let page = app.get_as(&owner, &to).await;
    assert!(
        page.body.contains("“notes.png” is not a JPEG, PNG, WebP or GIF image (judged by its content, not its name)"),
        "the reason is shown"
    );
    // A real image in the same request does not slip through: nothing half-written.
    let real = png(50, 50);
    let res = upload(
        &app,
        &owner,
        product,
        &[file("ok.png", "image/png", &real), file("notes.png", "image/png", b"not an image")],
    )
    .await;
    assert!(location(&res).contains("reason=not_image"));
    assert_eq!(images(&app, product).await, before);
    assert!(files_in(&uploads_dir(&app)).is_empty(), "left files: {:?}", files_in(&uploads_dir(&app)));
}

async fn an_oversized_upload_is_refused_with_its_size(db: Database) {
    let app = app_on(db).await;
    let owner = app.login(OWNER_A.0, OWNER_A.1).await;
    let (product, _) = product_of(&app, OWNER_A.0).await;
    let before = images(&app, product).await;
    let mut big = png(20, 20);
    big.resize(50 * 1024 * 1024, 0);
    let res = upload(&app, &owner, product, &[file("big.png", "image/png", &big)]).await;
    let to = location(&res);
    assert!(to.contains("reason=too_large") && to.contains(&format!("bytes={}", big.len())), "{to}");
    let page = app.get_as(&owner, &to).await;
    assert!(page.body.contains("Images can be at most 10 MB; “big.png” is 50.0 MB."), "size message shown");
    // A body announced over the whole-request limit is refused from its header alone.
    let small = multipart(&[file("x.png", "image/png", &big[..100])]);
    let res = post_bytes(
        &app,
        &format!("/admin/products/{product}/images"),
        &[("Cookie", &owner)],
        &small,
        Some(500 * 1024 * 1024),
    )
    .await;
    assert!(location(&res).contains("reason=too_large"));
    assert_eq!(images(&app, product).await, before, "nothing recorded");
    assert!(files_in(&uploads_dir(&app)).is_empty());
}

async fn another_store_cannot_upload_reorder_or_remove(db: Database) {
    let app = app_on(db).await;
    let owner_a = app.login(OWNER_A.0, OWNER_A.1).await;
    let owner_b = app.login(OWNER_B.0, OWNER_B.1).await;
    let (product_a, _) = product_of(&app, OWNER_A.0).await;
    let (product_b, _) = product_of(&app, OWNER_B.0).await;
    let picture = png(64, 48);
    let res = upload(&app, &owner_a, product_a, &[file("a.png", "image/png", &picture)]).await;
    assert!(location(&res).contains("upload=done"));
    let before = images(&app, product_a).await;

    // B uploads to A's product: refused before the body is looked at.
    let res = upload(&app, &owner_b, product_a, &[file("b.png", "image/png", &png(30, 30))]).await;
    assert_eq!(res.status, 403, "{}", res.body);
    // No session: to the sign-in page. Another site's form: refused by the CSRF check.
    let res = upload(&app, "", product_a, &[file("c.png", "image/png", &picture)]).await;
    assert!(location(&res).starts_with("/login?next="));
    let res = post_bytes(
        &app,
        &format!("/admin/products/{product_a}/images"),
        &[("Cookie", &owner_a), ("Origin", "https://evil.example")],
        &multipart(&[file("d.png", "image/png", &picture)]),
        None,
    )
    .await;
    assert_eq!(res.status, 403);
    assert!(res.body.contains("Cross-site"));
    let res = upload(&app, &owner_a, 987_654, &[file("e.png", "image/png", &picture)]).await;
    assert_eq!(res.status, 404);

    let last = before.last().unwrap().id.to_string();
    let first = before[0].id.to_string();
    let pa = product_a.to_string();
    let pb = product_b.to_string();
    for (path, form) in [
        (
            "/api/admin/product/images/move",
            vec![("product_id", pa.as_str()), ("image_id", &last), ("direction", "earlier")],
        ),
        ("/api/admin/product/images/remove", vec![("product_id", &pa), ("image_id", &first)]),
        ("/api/admin/product/images/alt", vec![("product_id", &pa), ("image_id", &first), ("alt", "B was here")]),
        ("/api/admin/product/images", vec![("product_id", &pa)]),
    ] {
        let res = app.call(&owner_b, path, &form).await;
        assert_eq!(res.status, 403, "{path}: {} {}", res.status, res.body);
    }
    // Naming B's own product with A's image changes nothing of A's.
    let res =
        app.call(&owner_b, "/api/admin/product/images/remove", &[("product_id", &pb), ("image_id", &first)]).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let res = app
        .call(
            &owner_b,
            "/api/admin/product/images/move",
            &[("product_id", &pb), ("image_id", &last), ("direction", "earlier")],
        )
        .await;
    assert_eq!(res.status, 404, "{}", res.body);
    assert_eq!(images(&app, product_a).await, before, "A's images are untouched");
}

async fn moving_an_image_first_puts_it_on_the_card(db: Database) {
    let app = app_on(db).await;
    let owner = app.login(OWNER_A.0, OWNER_A.1).await;
    let (product, _) = product_of(&app, OWNER_A.0).await;
    let res = upload(&app, &owner, product, &[file("cover.jpg", "image/jpeg", &jpeg(800, 800))]).await;
    assert!(location(&res).contains("upload=done"));
    let list = app.shop.product_images.product_images(product).await.unwrap().unwrap();
    let mine = list.images.last().unwrap().clone();
    let card_src = app::domain::product_image::thumbnail_url(&mine.url, 400).unwrap();
    let search = format!("/search?q={}", support::encode(&list.title));
    assert!(!app.get(&search).await.body.contains(&card_src), "not the card image yet");

    let id = mine.id.to_string();
    let pid = product.to_string();
    for _ in 0..list.images.len() {
        let res = app
            .call(
                &owner,
                "/api/admin/product/images/move",
                &[("product_id", &pid), ("image_id", &id), ("direction", "earlier")],
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
    }
    let now = images(&app, product).await;
    assert_eq!(now[0].id, mine.id);
    assert_eq!(now.len(), list.images.len());
    assert_eq!(now.iter().map(|i| i.position).collect::<Vec<_>>(), (0..now.len() as i64).collect::<Vec<_>>());
    let html = app.get(&search).await.body;
    assert!(html.contains(&format!("src=\"{card_src}\"")), "the card shows the 400 px version of the new first image");
    assert!(html.contains(" 1200w"), "with the larger one in srcset");
    // The product page shows the 1200 px version first.
    let slug = app.shop.products_admin.product_form(product).await.unwrap().unwrap().input.slug;
    let page = app.get(&format!("/products/{slug}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&app::domain::product_image::thumbnail_url(&mine.url, 1200).unwrap()));
}

async fn removing_an_image_deletes_its_row_and_files(db: Database) {
    let app = app_on(db).await;
    let owner = app.login(OWNER_A.0, OWNER_A.1).await;
    let (product, merchant) = product_of(&app, OWNER_A.0).await;
    let picture = png(500, 300);
    assert!(location(&upload(&app, &owner, product, &[file("one.png", "image/png", &picture)]).await).contains("done"));
    // The same picture on a second product of the store shares the files.
    let other = {
        let mut found = None;
        for p in product + 1..10_000 {
            if app.shop.reviews.product_merchant(p).await.unwrap() == Some(merchant) {
                found = Some(p);
                break;
            }
        }
        found.expect("a second product of store A")
    };
    assert!(location(&upload(&app, &owner, other, &[file("two.png", "image/png", &picture)]).await).contains("done"));
    let files = files_in(&uploads_dir(&app));
    assert_eq!(files.len(), 3, "one original and two thumbnails: {files:?}");

    let before = images(&app, product).await;
    let mine = before.last().unwrap().clone();
    let first = before[0].clone();
    let call = |p: i64, id: i64| {
        let (p, id) = (p.to_string(), id.to_string());
        let owner = owner.clone();
        let app = &app;
        async move { app.call(&owner, "/api/admin/product/images/remove", &[("product_id", &p), ("image_id", &id)]).await }
    };
    assert_eq!(call(product, mine.id).await.status, 200);
    assert_eq!(images(&app, product).await.len(), before.len() - 1);
    assert_eq!(files_in(&uploads_dir(&app)).len(), 3, "still used by the other product");
    let on_other = images(&app, other).await.last().unwrap().clone();
    assert_eq!(call(other, on_other.id).await.status, 200);
    assert!(files_in(&uploads_dir(&app)).is_empty(), "no row uses them any more");
    // Removing the first closes the gap: the next image is the card's now.
    assert_eq!(call(product, first.id).await.status, 200);
    let now = images(&app, product).await;
    assert!(now.iter().all(|i| i.id != first.id));
    assert_eq!(now.iter().map(|i| i.position).collect::<Vec<_>>(), (0..now.len() as i64).collect::<Vec<_>>());
    if let Some(next) = before.get(1).filter(|n| n.id != mine.id) {
        assert_eq!(now[0].id, next.id);
    }
    // A second click on the same button is not an error.
    assert_eq!(call(product, first.id).await.status, 200);
}
