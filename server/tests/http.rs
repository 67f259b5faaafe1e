//! The real server on port 0 against a fresh SQLite file seeded with the demo shop, driven over
//! HTTP the way a browser (without JavaScript) would.
mod support;

use support::{product_links, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn home_page_shows_categories_and_new_arrivals() {
    let app = spawn_app().await;
    let res = app.get("/").await;
    assert_eq!(res.status, 200);
    assert!(res.header("content-type").unwrap().starts_with("text/html"));
    let html = &res.body;
    assert!(html.contains("<title>Independent stores, one checkout · Meridian Market</title>"), "title");
    assert!(html.contains(r#"<meta name="description""#), "meta description");
    assert!(html.contains("Shop by category"));
    assert!(html.contains("Home &amp; Living"), "category names are escaped HTML");
    assert_eq!(html.matches(r#"data-testid="category-tile""#).count(), 4);
    // Eight new arrivals, and the recommendation block's cards (popular products for a visitor).
    let recommended = html.matches(r#"data-testid="recommended""#).count();
    assert!(html.contains("Popular right now") && recommended > 0, "the popular block is rendered");
    assert_eq!(html.matches(r#"data-testid="product-card""#).count(), 8 + recommended);
    assert!(html.contains("/pkg/shop.js"), "the page loads the hydration bundle");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn category_page_sorts_and_pages_without_javascript() {
    let app = spawn_app().await;
    let res = app.get("/c/fashion?sort=price_asc").await;
    assert_eq!(res.status, 200);
    assert!(res.body.contains("<title>Fashion · Meridian Market</title>"));
    assert_eq!(res.body.matches(r#"data-testid="product-card""#).count(), 24);
    // Fashion = 3 leaves of the 11 over 500 products: 46 + 46 + 45.
    assert!(res.body.contains("Showing 1–24 of 137 products"), "{}", summary(&res.body));
    let prices = prices_in(&res.body);
    assert!(prices.windows(2).all(|w| w[0] <= w[1]), "ascending prices: {prices:?}");

    let desc = app.get("/c/fashion?sort=price_desc").await;
    let prices = prices_in(&desc.body);
    assert!(prices.windows(2).all(|w| w[0] >= w[1]), "descending prices: {prices:?}");

    let last = app.get("/c/fashion?sort=price_asc&page=6").await;
    assert_eq!(last.status, 200);
    assert!(last.body.contains("Showing 121–137 of 137 products"), "{}", summary(&last.body));
    let past_end = app.get("/c/fashion?page=999").await;
    assert_eq!(past_end.status, 200, "a page past the end shows the last page");
    assert!(past_end.body.contains("Showing 121–137 of 137 products"));
    for bad in ["abc", "-1", "0", "1e9", "%00"] {
        let res = app.get(&format!("/c/fashion?page={bad}")).await;
        assert_eq!(res.status, 200, "page={bad}");
        assert!(res.body.contains("Showing 1–24 of 137 products"), "page={bad}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_slugs_and_paths_answer_404_with_the_not_found_page() {
    let app = spawn_app().await;
    for path in ["/c/no-such-category", "/products/no-such-product", "/products/..%2Fetc", "/no/such/page", "/c/UPPER"]
    {
        let res = app.get(path).await;
        assert_eq!(res.status, 404, "{path}");
        assert!(
            res.body.contains("We couldn&#39;t find that page") || res.body.contains("We couldn't find that page"),
            "{path}"
        );
        assert!(res.body.contains("<title>Page not found · Meridian Market</title>"), "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn product_page_shows_price_stock_variants_and_breadcrumbs() {
    let app = spawn_app().await;
    let listing = app.get("/c/t-shirts-tops").await;
    let link = product_links(&listing.body).into_iter().next().expect("a product link");
    let res = app.get(&link).await;
    assert_eq!(res.status, 200, "{link}");
    let html = &res.body;
    assert!(html.contains(r#"data-testid="option-size""#) && html.contains(r#"data-testid="option-colour""#));
    assert!(html.contains(r#"data-testid="sku""#));
    assert!(html.contains(r#"href="/c/fashion""#), "breadcrumb to the parent category");
    assert!(html.contains("About this product"));
    assert!(html.contains("$"), "a price");
    assert!(html.matches(r#"data-testid="thumbnail""#).count() == 3);

    // Choosing a variant by URL works without JavaScript and shows that variant's SKU.
    let variant_link = html
        .match_indices("?variant=")
        .map(|(i, _)| html[i + 9..].chars().take_while(|c| c.is_ascii_digit()).collect::<String>())
        .last()
        .unwrap();
    let chosen = app.get(&format!("{link}?variant={variant_link}")).await;
    assert_eq!(chosen.status, 200);
    assert!(chosen.body.contains(r#"data-testid="sku""#));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_check_reports_the_database() {
    let app = spawn_app().await;
    let res = app.get("/healthz").await;
    assert_eq!(res.status, 200);
    assert!(res.header("content-type").unwrap().contains("application/json"));
    assert!(res.body.contains(r#""database":"reachable""#), "{}", res.body);
    assert!(res.body.contains(r#""engine":"sqlite""#));

    app.db.close().await;
    let down = app.get("/healthz").await;
    assert_eq!(down.status, 503, "{}", down.body);
    assert!(down.body.contains("unreachable"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn product_images_are_served_with_long_cache_headers() {
    let app = spawn_app().await;
    let home = app.get("/").await;
    let start = home.body.find("/media/products/").expect("an image url");
    let url: String = home.body[start..].chars().take_while(|c| *c != '"').collect();
    let img = app.get(&url).await;
    assert_eq!(img.status, 200, "{url}");
    assert_eq!(img.header("content-type"), Some("image/svg+xml"));
    assert!(img.header("cache-control").unwrap().contains("immutable"));
    assert!(img.body.starts_with("<svg"));
    assert_eq!(app.get("/media/products/nope.svg").await.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_refuses_to_start_with_one_line_naming_the_setting() {
    let bin = env!("CARGO_BIN_EXE_server");
    let cases = [
        ("sqlite:///proc/no-such-dir/shop.db", "DATABASE_URL"),
        ("postgres://shop@127.0.0.1:9/shop", "DATABASE_URL"),
        ("mysql://localhost/shop", "DATABASE_URL"),
    ];
    for (url, setting) in cases {
        let out = std::process::Command::new(bin)
            .arg("migrate")
            .env("DATABASE_URL", url)
            .env("RUST_LOG", "off")
            .output()
            .unwrap();
        assert!(!out.status.success(), "{url} must fail");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 1, "one line for {url}: {stderr}");
        assert!(lines[0].starts_with("error: ") && lines[0].contains(setting), "{url}: {stderr}");
    }
}

fn summary(html: &str) -> String {
    html.find("Showing").map(|i| html[i..(i + 60).min(html.len())].to_string()).unwrap_or_default()
}

/// Card prices in page order (the first amount in each card), in cents.
fn prices_in(html: &str) -> Vec<i64> {
    html.split(r#"data-testid="product-card""#)
        .skip(1)
        .filter_map(|card| {
            let i = card.find("font-semibold tabular-nums text-stone-950\">$")?;
            let s: String = card[i..]
                .split('$')
                .nth(1)?
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ',')
                .collect();
            let s = s.replace(',', "");
            let (whole, cents) = s.split_once('.')?;
            Some(whole.parse::<i64>().ok()? * 100 + cents.parse::<i64>().ok()?)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_finds_products_despite_typos() {
    let app = spawn_app().await;
    let exact = app.get("/search?q=headphones").await;
    assert_eq!(exact.status, 200);
    assert!(exact.body.contains("<title>Search: headphones · Meridian Market</title>"));
    let exact_count = exact.body.matches(r#"data-testid="product-card""#).count();
    assert!(exact_count > 0);
    assert!(!exact.body.contains(r#"data-testid="search-corrected""#));

    for typo in ["hedphones", "headphnoes", "bluetoth speaker"] {
        let res = app.get(&format!("/search?q={}", support::encode(typo))).await;
        assert_eq!(res.status, 200, "{typo}");
        assert!(res.body.contains(r#"data-testid="search-corrected""#), "{typo}: a correction is announced");
        assert!(res.body.matches(r#"data-testid="product-card""#).count() > 0, "{typo}: products found");
    }
    let tshirt = app.get("/search?q=tshirt").await;
    assert!(tshirt.body.contains("Tee") || tshirt.body.contains("Shirt"), "tshirt finds shirts");

    let nothing = app.get("/search?q=qqqqqqqq").await;
    assert_eq!(nothing.status, 200);
    assert!(nothing.body.contains("No products match"));
    let long = app.get(&format!("/search?q={}", "a".repeat(5000))).await;
    assert_eq!(long.status, 200, "an overlong query is cut, not an error");
    let markup = app.get("/search?q=%3C%2Ftitle%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E").await;
    assert!(!markup.body.contains("<script>alert(1)"), "the query is shown escaped, in the page and the title");
    assert!(
        markup
            .body
            .contains("<title>Search: &lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; · Meridian Market</title>")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn facets_and_ranked_sorts_work_as_plain_links() {
    let app = spawn_app().await;
    let all = app.get("/search?q=linen").await;
    assert_eq!(all.status, 200);
    let total = all.body.matches(r#"data-testid="product-card""#).count();
    assert!(all.body.contains(r#"data-testid="facet-store""#) && all.body.contains(r#"data-testid="facet-price""#));
    // Facet links keep the query and toggle one filter each.
    assert!(all.body.contains(r#"href="/search?q=linen&amp;store=northwind-home""#), "a store facet link");
    assert!(all.body.contains(r#"href="/search?q=linen&amp;stock=1""#), "the in-stock link");

    let narrowed = app.get("/search?q=linen&store=northwind-home&stock=1&sort=price_asc").await;
    assert_eq!(narrowed.status, 200);
    let shown = narrowed.body.matches(r#"data-testid="product-card""#).count();
    assert!(shown > 0 && shown < total, "two facets narrow {total} to {shown}");
    assert!(!narrowed.body.contains("Harbor &amp; Pine</p>"), "only the chosen store's cards");
    assert!(!narrowed.body.contains(">Sold out<"), "only products in stock");
    let prices = prices_in(&narrowed.body);
    assert!(prices.windows(2).all(|w| w[0] <= w[1]), "ascending: {prices:?}");
    assert!(narrowed.body.contains(r#"aria-current="true""#));

    // Unknown facet values and sorts are ignored; FTS/tsquery syntax is plain text.
    let junk = app.get("/search?q=linen&store=nobody&price=1-2&rating=9&category=%27%3B--&sort=bogus").await;
    assert_eq!(junk.status, 200);
    assert_eq!(junk.body.matches(r#"data-testid="product-card""#).count(), total);
    for q in ["\"linen", "linen*", "linen NEAR cotton", "-linen", "linen:*", "a & b | !c", "(linen", "' OR 1=1 --"] {
        let res = app.get(&format!("/search?q={}", support::encode(q))).await;
        assert_eq!(res.status, 200, "{q}");
    }
    let ten_kb = app.get(&format!("/search?q={}", support::encode(&"linen ".repeat(1700)))).await;
    assert_eq!(ten_kb.status, 200, "a 10 KB query is cut, not an error");
    assert!(ten_kb.body.matches(r#"data-testid="product-card""#).count() > 0);

    // Ranked sorts on category pages; the default is Recommended.
    let rec = app.get("/c/fashion").await;
    assert!(rec.body.contains(r#"aria-current="true""#) && rec.body.contains(">Recommended<"));
    let rated = app.get("/c/fashion?sort=rating").await;
    assert_eq!(rated.status, 200);
    assert_eq!(rated.body.matches(r#"data-testid="product-card""#).count(), 24);
    assert!(rated.body.contains("Showing 1–24 of 137 products"));
    let empty = app.get("/search?q=").await;
    assert_eq!(empty.status, 200);
    assert!(empty.body.matches(r#"data-testid="product-card""#).count() > 0, "an empty query shows recommendations");
    let suggest = app.post_form("/api/catalog/suggest", &[("Accept", "application/json")], &[("q", "hedph")]).await;
    assert_eq!(suggest.status, 200);
    assert!(suggest.body.contains("headphones"), "{}", suggest.body);
}
