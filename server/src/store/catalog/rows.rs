//! Product columns and their row mapping, shared by the catalog, recommendations, the product form
//! and the CSV import: the card query (`CARD_SELECT … CARD_GROUP`), the card built from its row,
//! and the JSON lists that hold option names and values.

pub const CARD_SELECT: &str =
    "SELECT p.id, p.slug, p.title, p.currency, p.created_at, m.name AS merchant_name, m.slug AS merchant_slug,
        MIN(v.price_minor) AS price_minor, MAX(v.price_minor) AS max_price_minor,
        MAX(v.compare_at_minor) AS compare_at_minor, CAST(SUM(v.stock) AS BIGINT) AS total_stock,
        i.url AS image_url, i.alt AS image_alt,
        CAST(COALESCE(MAX(r.review_count), 0) AS BIGINT) AS review_count,
        CAST(COALESCE(MAX(r.rating_sum), 0) AS BIGINT) AS rating_sum,
        CAST(COUNT(v.id) AS BIGINT) AS variant_count, MIN(v.id) AS first_variant_id
    FROM products p
    JOIN merchants m ON m.id = p.merchant_id
    JOIN product_variants v ON v.product_id = p.id
    LEFT JOIN product_images i ON i.product_id = p.id AND i.position = 0
    LEFT JOIN product_rating_stats r ON r.product_id = p.id";

pub const CARD_GROUP: &str = " GROUP BY p.id, p.slug, p.title, p.currency, p.created_at, m.name, m.slug, i.url, i.alt";

pub fn order_by(sort: app::domain::listing::Sort) -> &'static str {
    use app::domain::listing::Sort;
    match sort {
        // Ranked sorts are computed by `services::listing` over signal rows; plain SQL
        // listings (new arrivals, loading cards by id) fall back to newest first.
        Sort::Recommended | Sort::BestRated | Sort::Newest => " ORDER BY p.created_at DESC, p.id DESC",
        Sort::PriceLowHigh => " ORDER BY price_minor ASC, p.id ASC",
        Sort::PriceHighLow => " ORDER BY price_minor DESC, p.id ASC",
    }
}

/// The currency of store `$1`'s prices (its first product's): a new product takes it.
/// A product's variants (`$1`), in the order the store arranged them: for its page and its form.
pub const VARIANTS_OF: &str = "SELECT id, sku, title, option_values, price_minor, compare_at_minor, stock
    FROM product_variants WHERE product_id = $1 ORDER BY position, id";

pub const STORE_CURRENCY: &str = "SELECT currency FROM products WHERE merchant_id = $1 ORDER BY id LIMIT 1";

pub fn json_list(values: &[String]) -> String {
    serde_json::to_string(values).unwrap_or_else(|_| "[]".into())
}

pub fn parse_json_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

/// Defines `fn card(row) -> ProductCard` for a row of `CARD_SELECT … CARD_GROUP`; the catalog's
/// listings and the recommendation blocks read cards from the same columns.
macro_rules! card_from_row_fn {
    ($db:ty) => {
        fn card(
            r: &<$db as sqlx::Database>::Row,
        ) -> Result<app::domain::catalog::ProductCard, app::services::StoreError> {
            use app::domain::money::Money;
            use sqlx::Row;
            let currency = $crate::store::errors::currency(r.get("currency"))?;
            let price: i64 = r.get("price_minor");
            let max_price: i64 = r.get("max_price_minor");
            let url: Option<String> = r.get("image_url");
            let alt: Option<String> = r.get("image_alt");
            // One row per variant: the image join takes position 0 only and the rating stats hold
            // one row per product, so the count is not multiplied.
            let variant_count: i64 = r.get("variant_count");
            let first_variant: i64 = r.get("first_variant_id");
            Ok(app::domain::catalog::ProductCard {
                id: r.get("id"),
                slug: r.get("slug"),
                title: r.get("title"),
                merchant_name: r.get("merchant_name"),
                merchant_slug: r.get("merchant_slug"),
                price: Money::new(price, currency),
                compare_at: r.get::<Option<i64>, _>("compare_at_minor").map(|c| Money::new(c, currency)),
                varied_price: max_price != price,
                total_stock: r.get("total_stock"),
                image: url.map(|url| app::domain::catalog::Image { url, alt: alt.unwrap_or_default() }),
                created_at: r.get("created_at"),
                review_count: r.get("review_count"),
                rating_sum: r.get("rating_sum"),
                variant_count,
                single_variant_id: (variant_count == 1).then_some(first_variant),
            })
        }
    };
}
