//! The catalog as the storefront sees it: what crosses from server to browser.
use super::money::Money;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Merchant {
    pub id: i64,
    pub slug: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Category {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub slug: String,
    pub name: String,
    pub description: String,
    /// Published products in this category and all categories below it.
    pub product_count: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Image {
    pub url: String,
    pub alt: String,
}

/// One product in a grid: enough to choose, not everything.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductCard {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub merchant_name: String,
    /// The store's page is `/s/{merchant_slug}`.
    pub merchant_slug: String,
    /// The lowest variant price ("from $12.00" when variants differ).
    pub price: Money,
    pub compare_at: Option<Money>,
    pub varied_price: bool,
    pub total_stock: i64,
    pub image: Option<Image>,
    /// Unix seconds; feeds the freshness signal when ranking.
    pub created_at: i64,
    pub review_count: i64,
    pub rating_sum: i64,
    /// How many variants the product has.
    pub variant_count: i64,
    /// The one variant, when there is exactly one: the card can add it to the cart itself; a
    /// product with options sends the shopper to its page to choose.
    pub single_variant_id: Option<i64>,
}

impl ProductCard {
    /// The plain average of its reviews, if it has any.
    pub fn average_rating(&self) -> Option<f64> {
        (self.review_count > 0).then(|| self.rating_sum as f64 / self.review_count as f64)
    }

    pub fn in_stock(&self) -> bool {
        self.total_stock > 0
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Variant {
    pub id: i64,
    pub sku: String,
    pub title: String,
    /// One value per entry of the product's `option_names`, in the same order.
    pub options: Vec<String>,
    pub price: Money,
    pub compare_at: Option<Money>,
    pub stock: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductDetail {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub description: String,
    /// `description` rendered from Markdown to safe HTML on the server (`domain::markdown`), so
    /// the browser bundle carries no Markdown parser.
    #[serde(default)]
    pub description_html: String,
    pub merchant: Merchant,
    /// Root first, the product's own category last.
    pub breadcrumbs: Vec<Category>,
    pub option_names: Vec<String>,
    pub variants: Vec<Variant>,
    pub images: Vec<Image>,
    pub created_at: i64,
}

pub const LOW_STOCK: i64 = 5;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StockStatus {
    InStock,
    Low(i64),
    SoldOut,
}

pub fn stock_status(stock: i64) -> StockStatus {
    match stock {
        s if s <= 0 => StockStatus::SoldOut,
        s if s <= LOW_STOCK => StockStatus::Low(s),
        _ => StockStatus::InStock,
    }
}

impl ProductDetail {
    /// The variant a visitor asked for by id, else the first one in stock, else the first.
    pub fn pick_variant(&self, requested: Option<i64>) -> Option<&Variant> {
        requested
            .and_then(|id| self.variants.iter().find(|v| v.id == id))
            .or_else(|| self.variants.iter().find(|v| v.stock > 0))
            .or_else(|| self.variants.first())
    }

    /// The variant that keeps the other chosen options and switches option `index` to `value`,
    /// falling back to any variant with that value, so every button on the picker leads somewhere.
    pub fn variant_with_option(&self, current: &Variant, index: usize, value: &str) -> Option<&Variant> {
        let matches_value = |v: &&Variant| v.options.get(index).map(String::as_str) == Some(value);
        self.variants
            .iter()
            .filter(matches_value)
            .find(|v| v.options.iter().enumerate().all(|(i, o)| i == index || current.options.get(i) == Some(o)))
            .or_else(|| self.variants.iter().find(matches_value))
    }

    /// Distinct values of option `index`, in first-seen order.
    pub fn option_values(&self, index: usize) -> Vec<String> {
        let mut seen: Vec<String> = Vec::new();
        for v in &self.variants {
            if let Some(value) = v.options.get(index) {
                if !seen.contains(value) {
                    seen.push(value.clone());
                }
            }
        }
        seen
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::Currency;

    fn variant(id: i64, options: &[&str], stock: i64) -> Variant {
        Variant {
            id,
            sku: format!("SKU-{id}"),
            title: options.join(" / "),
            options: options.iter().map(|s| s.to_string()).collect(),
            price: Money::new(1000 + id, Currency::USD),
            compare_at: None,
            stock,
        }
    }

    fn tee() -> ProductDetail {
        ProductDetail {
            id: 1,
            slug: "tee".into(),
            title: "Tee".into(),
            description: String::new(),
            description_html: String::new(),
            merchant: Merchant { id: 1, slug: "m".into(), name: "M".into() },
            breadcrumbs: vec![],
            option_names: vec!["Size".into(), "Colour".into()],
            variants: vec![
                variant(1, &["S", "Navy"], 0),
                variant(2, &["M", "Navy"], 3),
                variant(3, &["S", "Sand"], 9),
                variant(4, &["M", "Sand"], 0),
            ],
            images: vec![],
            created_at: 0,
        }
    }

    #[test]
    fn picks_requested_then_first_in_stock() {
        let p = tee();
        assert_eq!(p.pick_variant(Some(4)).unwrap().id, 4);
        assert_eq!(p.pick_variant(Some(99)).unwrap().id, 2);
        assert_eq!(p.pick_variant(None).unwrap().id, 2);
    }

    #[test]
    fn switching_one_option_keeps_the_others() {
        let p = tee();
        let current = &p.variants[1]; // M / Navy
        assert_eq!(p.variant_with_option(current, 1, "Sand").unwrap().id, 4);
        assert_eq!(p.variant_with_option(current, 0, "S").unwrap().id, 1);
        assert!(p.variant_with_option(current, 0, "XL").is_none());
        assert_eq!(p.option_values(0), vec!["S", "M"]);
        assert_eq!(p.option_values(1), vec!["Navy", "Sand"]);
    }

    #[test]
    fn stock_levels_read_as_a_shopper_expects() {
        assert_eq!(stock_status(0), StockStatus::SoldOut);
        assert_eq!(stock_status(-1), StockStatus::SoldOut);
        assert_eq!(stock_status(3), StockStatus::Low(3));
        assert_eq!(stock_status(40), StockStatus::InStock);
    }
}
