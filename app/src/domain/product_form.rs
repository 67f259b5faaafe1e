//! The merchant's product form: what was typed (strings, as posted) and the rules that turn it
//! into a product the store may write. Every problem is reported next to its field, keyed like
//! the form's inputs (`title`, `variants[1].sku`), so the page can show each message in place.
use super::errors::FieldErrors;
use super::money::Currency;
use serde::{Deserialize, Serialize};

pub const MAX_TITLE: usize = 200;
pub const MAX_DESCRIPTION: usize = 20_000;
pub const MAX_VARIANTS: usize = 50;
pub const MAX_SKU: usize = 64;
pub const MAX_OPTION: usize = 60;
/// 1 000 000.00 in minor units.
pub const MAX_PRICE_MINOR: i64 = 100_000_000;
pub const MAX_STOCK: i64 = 1_000_000;
/// Rows per page of the merchant's product table.
pub const ADMIN_PAGE_SIZE: usize = 25;

/// One variant row as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantInput {
    pub sku: String,
    /// The value of the product's option (e.g. "Large"); blank for a product without options.
    pub option: String,
    pub price: String,
    pub compare_at: String,
    pub stock: String,
    /// The stock the form showed when it was opened (a hidden field); blank for a new row. A
    /// stock left as shown is not written (sales made meanwhile are kept); a changed one is
    /// written only while the stock still is this value, otherwise the save is refused
    /// (see `ValidVariant::stock_seen`). The CSV import reads it from `exported_stock`.
    #[serde(default)]
    pub stock_seen: String,
}

/// The whole form as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductInput {
    pub title: String,
    /// Blank: made from the title.
    pub slug: String,
    pub description: String,
    pub category_id: String,
    pub status: String,
    /// The option that tells variants apart ("Size"); blank for a single-variant product.
    pub option_name: String,
    pub variants: Vec<VariantInput>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidVariant {
    pub sku: String,
    pub title: String,
    pub options: Vec<String>,
    pub price_minor: i64,
    pub compare_at_minor: Option<i64>,
    pub stock: i64,
    /// The stock the merchant saw when they set `stock` (compare-and-set): `Some(seen)` with
    /// `stock == seen` leaves the stored stock alone; `Some(seen)` with another `stock` writes it
    /// only if the stored stock still is `seen`, else nothing is saved and the merchant is shown
    /// the current stock (`stock_conflict`). `None` (a new variant, or a CSV without
    /// `exported_stock`): `stock` is a count that replaces the stored stock.
    pub stock_seen: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidProduct {
    pub title: String,
    pub slug: String,
    pub description: String,
    pub category_id: i64,
    pub published: bool,
    pub option_names: Vec<String>,
    pub variants: Vec<ValidVariant>,
}

/// The field key of a variant's input: `variants[1].sku`.
pub fn variant_field(index: usize, name: &str) -> String {
    format!("variants[{index}].{name}")
}

/// "12", "12.5", "12.50", "1,299.00" → minor units (2 decimals). `None` when it is not an amount.
pub fn parse_amount(text: &str) -> Option<i64> {
    let t: String = text.trim().chars().filter(|c| *c != ',' && *c != '$').collect();
    if t.is_empty() {
        return None;
    }
    let (neg, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest.to_string()),
        None => (false, t),
    };
    let (whole, frac) = match t.split_once('.') {
        Some((w, f)) => (w, f),
        None => (t.as_str(), ""),
    };
    if whole.is_empty() && frac.is_empty() {
        return None;
    }
    if !whole.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) || frac.len() > 2 {
        return None;
    }
    if whole.len() > 12 {
        return None;
    }
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    let frac: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().ok()? * 10,
        _ => frac.parse().ok()?,
    };
    let minor = whole * 100 + frac;
    Some(if neg { -minor } else { minor })
}

/// The field errors of a save refused because a variant's stock changed since the merchant saw
/// it (a sale, another edit): under the stock, the current stock and what to do; for the page,
/// `variants[i].stock_now` (the current stock, which the form's hidden `stock_seen` takes so the
/// next save compares with it); and the form's alert.
pub fn stock_conflict(conflicts: &[(usize, String, i64, i64)]) -> FieldErrors {
    let mut e = FieldErrors::default();
    for (i, sku, now, seen) in conflicts {
        e.add(
            &variant_field(*i, "stock"),
            format!(
                "The stock of {sku} changed since you opened this form: it is {now} now (you saw {seen}), after a \
                 sale or another edit. Check it and save again."
            ),
        );
        e.add(&variant_field(*i, "stock_now"), now.to_string());
    }
    e.add("form", "Nothing was saved: the stock changed since you opened this form. Check it and save again.");
    e
}

/// Minor units as the form shows them: "12.50".
pub fn format_amount(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let m = minor.abs();
    format!("{sign}{}.{:02}", m / 100, m % 100)
}

fn valid_sku(sku: &str) -> bool {
    !sku.is_empty() && sku.len() <= MAX_SKU && sku.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// "Size / Colour" → ["Size", "Colour"]; blank → none.
pub fn split_options(text: &str) -> Vec<String> {
    if text.trim().is_empty() {
        return Vec::new();
    }
    text.split('/').map(|p| p.trim().to_string()).collect()
}

/// Checks the whole form at once, so every problem is shown together.
pub fn validate(input: &ProductInput) -> Result<ValidProduct, FieldErrors> {
    let mut e = FieldErrors::default();
    let title = input.title.trim().to_string();
    if title.is_empty() {
        e.add("title", "Enter a title.");
    } else if title.chars().count() > MAX_TITLE {
        e.add("title", format!("Keep the title to {MAX_TITLE} characters."));
    }

    let typed_slug = input.slug.trim().to_string();
    let slug = if typed_slug.is_empty() { super::slug::slugify(&title) } else { typed_slug.clone() };
    if typed_slug.is_empty() && slug.is_empty() && !title.is_empty() {
        e.add("slug", "Enter a slug: the title has no letters or digits to make one from.");
    } else if !slug.is_empty() && !super::slug::is_valid_slug(&slug) {
        e.add("slug", "Use lowercase letters, digits and single dashes (like linen-tote-bag), at most 120 characters.");
    }

    let description = input.description.replace("\r\n", "\n");
    if description.chars().count() > MAX_DESCRIPTION {
        e.add("description", format!("Keep the description to {MAX_DESCRIPTION} characters."));
    }

    let category_id = input.category_id.trim().parse::<i64>().ok().filter(|id| *id > 0);
    if category_id.is_none() {
        e.add("category_id", "Choose a category.");
    }

    let published = match input.status.trim() {
        "published" => true,
        "draft" | "" => false,
        _ => {
            e.add("status", "Choose draft or published.");
            false
        }
    };

    // Several options are written "Size / Colour", their values "M / Red".
    let option_names = split_options(&input.option_name);
    if option_names.iter().any(|n| n.is_empty()) {
        e.add("option_name", "Separate option names with a single / (like Size / Colour).");
    } else if option_names.iter().any(|n| n.chars().count() > MAX_OPTION) {
        e.add("option_name", format!("Keep each option name to {MAX_OPTION} characters."));
    }
    if input.variants.len() > 1 && option_names.is_empty() {
        e.add("option_name", "Name what tells the variants apart (for example Size or Colour).");
    }

    if input.variants.is_empty() {
        e.add("variants", "Add at least one variant.");
    } else if input.variants.len() > MAX_VARIANTS {
        e.add("variants", format!("A product can have at most {MAX_VARIANTS} variants."));
    }

    let mut variants = Vec::new();
    let mut seen_skus: Vec<String> = Vec::new();
    let mut seen_options: Vec<String> = Vec::new();
    for (i, v) in input.variants.iter().enumerate() {
        let f = |name: &str| variant_field(i, name);
        let sku = v.sku.trim().to_string();
        if sku.is_empty() {
            e.add(&f("sku"), "Enter a SKU.");
        } else if !valid_sku(&sku) {
            e.add(&f("sku"), format!("Use up to {MAX_SKU} letters, digits, dashes or underscores."));
        } else if seen_skus.iter().any(|s| s.eq_ignore_ascii_case(&sku)) {
            e.add(&f("sku"), format!("SKU {sku} is used by another variant of this product."));
        }
        seen_skus.push(sku.clone());

        let values = split_options(&v.option);
        let option = values.join(" / ");
        if !option_names.is_empty() {
            if values.len() != option_names.len() || values.iter().any(|o| o.is_empty()) {
                let example = if option_names.len() > 1 { " (like M / Red)" } else { "" };
                e.add(&f("option"), format!("Enter the {} of this variant{example}.", option_names.join(" / ")));
            } else if values.iter().any(|o| o.chars().count() > MAX_OPTION) {
                e.add(&f("option"), format!("Keep each value to {MAX_OPTION} characters."));
            } else if seen_options.iter().any(|o| o.eq_ignore_ascii_case(&option)) {
                e.add(&f("option"), format!("Another variant is already {option}."));
            }
            seen_options.push(option.clone());
        }

        let price = parse_amount(&v.price);
        match price {
            None if v.price.trim().is_empty() => e.add(&f("price"), "Enter a price."),
            None => e.add(&f("price"), "Enter a price like 12.50."),
            Some(p) if p < 0 => e.add(&f("price"), "The price can't be negative."),
            Some(p) if p > MAX_PRICE_MINOR => e.add(&f("price"), "The price can be at most 1,000,000.00."),
            Some(_) => {}
        }
        let compare_at = if v.compare_at.trim().is_empty() {
            None
        } else {
            match parse_amount(&v.compare_at) {
                None => {
                    e.add(&f("compare_at"), "Enter an amount like 15.00, or leave it blank.");
                    None
                }
                Some(c) if c < 0 => {
                    e.add(&f("compare_at"), "The compare-at price can't be negative.");
                    None
                }
                Some(c) if c > MAX_PRICE_MINOR => {
                    e.add(&f("compare_at"), "The compare-at price can be at most 1,000,000.00.");
                    None
                }
                Some(c) => {
                    if price.is_some_and(|p| (0..=MAX_PRICE_MINOR).contains(&p) && c <= p) {
                        e.add(&f("compare_at"), "The compare-at price must be higher than the price.");
                    }
                    Some(c)
                }
            }
        };
        let stock_text = v.stock.trim();
        let stock = match stock_text.parse::<i64>() {
            _ if stock_text.is_empty() => {
                e.add(&f("stock"), "Enter the stock (0 if none).");
                0
            }
            Ok(s) if s < 0 => {
                e.add(&f("stock"), "Stock can't be negative.");
                0
            }
            Ok(s) if s > MAX_STOCK => {
                e.add(&f("stock"), "Stock can be at most 1,000,000.");
                0
            }
            Ok(s) => s,
            Err(_) => {
                e.add(&f("stock"), "Enter a whole number.");
                0
            }
        };
        let stock_seen = match v.stock_seen.trim() {
            "" => None,
            seen => match seen.parse::<i64>() {
                Ok(n) if (0..=MAX_STOCK).contains(&n) => Some(n),
                _ => {
                    e.add(&f("stock"), "This form is out of date; reload the page and enter the stock again.");
                    None
                }
            },
        };
        let (title, options) =
            if option_names.is_empty() { ("Default".to_string(), Vec::new()) } else { (option, values) };
        variants.push(ValidVariant {
            sku,
            title,
            options,
            price_minor: price.unwrap_or(0),
            compare_at_minor: compare_at,
            stock,
            stock_seen,
        });
    }

    if !e.is_empty() {
        return Err(e);
    }
    Ok(ValidProduct {
        title,
        slug,
        description,
        category_id: category_id.unwrap_or_default(),
        published,
        option_names,
        variants,
    })
}

/// Builds the form's variant rows from the parallel lists the form posts (`sku[0]`, `price[0]`…,
/// and the hidden `stock_seen[0]` of the rows the form loaded).
pub fn variants_from_lists(
    sku: &[String],
    option: &[String],
    price: &[String],
    compare_at: &[String],
    stock: &[String],
    stock_seen: &[String],
) -> Vec<VariantInput> {
    let n = sku.len().max(option.len()).max(price.len()).max(compare_at.len()).max(stock.len());
    let at = |list: &[String], i: usize| list.get(i).cloned().unwrap_or_default();
    (0..n)
        .map(|i| VariantInput {
            sku: at(sku, i),
            option: at(option, i),
            price: at(price, i),
            compare_at: at(compare_at, i),
            stock: at(stock, i),
            stock_seen: at(stock_seen, i),
        })
        // A row left completely empty (the spare "add a variant" row, or a loaded row cleared to
        // remove it: only its hidden stock_seen is posted) is not a variant.
        .filter(|v| ![&v.sku, &v.option, &v.price, &v.compare_at, &v.stock].iter().all(|s| s.trim().is_empty()))
        .collect()
}

/// The merchant's product table: what to show (all strings as typed in the GET form; unknown
/// values are dropped rather than refused, as the list is a link people share).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductFilter {
    /// Part of a title or SKU.
    pub q: String,
    /// "", "draft" or "published".
    pub status: String,
    pub category_id: Option<i64>,
    /// "", "in" (some stock), "low" (1 to the store's low-stock threshold) or "out".
    pub stock: String,
    /// "updated" (newest change first, the default), "title", "price" or "stock".
    pub sort: String,
}

impl ProductFilter {
    pub fn normalized(mut self) -> ProductFilter {
        self.q = self.q.trim().chars().take(100).collect();
        if !matches!(self.status.as_str(), "draft" | "published") {
            self.status.clear();
        }
        if !matches!(self.stock.as_str(), "in" | "low" | "out") {
            self.stock.clear();
        }
        if !matches!(self.sort.as_str(), "title" | "price" | "stock") {
            self.sort = "updated".into();
        }
        self.category_id = self.category_id.filter(|c| *c > 0);
        self
    }

    /// The filter's query parameters for the pager's links (empty ones are dropped there).
    pub fn params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("q", self.q.clone()),
            ("status", self.status.clone()),
            ("category", self.category_id.map(|c| c.to_string()).unwrap_or_default()),
            ("stock", self.stock.clone()),
            ("sort", if self.sort == "updated" { String::new() } else { self.sort.clone() }),
        ]
    }
}

/// One row of the merchant's product table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminProductRow {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub published: bool,
    pub category: String,
    pub currency: Currency,
    pub min_price_minor: i64,
    pub max_price_minor: i64,
    pub total_stock: i64,
    pub variant_count: i64,
    pub updated_at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminProductList {
    pub merchant_id: i64,
    pub store_name: String,
    pub filter: ProductFilter,
    /// A page of the products matching the filter, with its neighbours' cursors.
    pub page: super::paging::Page<AdminProductRow>,
    /// (id, name) of every category, for the filter and the form.
    pub categories: Vec<(i64, String)>,
}

/// A product as the edit form shows it (or an empty form for a new one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductEditor {
    pub id: Option<i64>,
    pub merchant_id: i64,
    pub input: ProductInput,
    pub currency: Currency,
    pub categories: Vec<(i64, String)>,
}

/// A stored product for editing: its store and the form filled in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredForm {
    pub id: i64,
    pub merchant_id: i64,
    pub currency: Currency,
    pub input: ProductInput,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn variant(sku: &str, option: &str, price: &str, stock: &str) -> VariantInput {
        VariantInput {
            stock_seen: String::new(),
            sku: sku.into(),
            option: option.into(),
            price: price.into(),
            compare_at: String::new(),
            stock: stock.into(),
        }
    }

    fn form() -> ProductInput {
        ProductInput {
            title: "Linen Tote Bag".into(),
            slug: String::new(),
            description: "A **sturdy** bag.".into(),
            category_id: "3".into(),
            status: "published".into(),
            option_name: "Size".into(),
            variants: vec![variant("TOTE-S", "Small", "24.00", "5"), variant("TOTE-L", "Large", "29.50", "0")],
        }
    }

    #[test]
    fn a_good_form_becomes_a_product_with_a_generated_slug() {
        let p = validate(&form()).unwrap();
        assert_eq!(p.slug, "linen-tote-bag");
        assert!(p.published);
        assert_eq!(p.category_id, 3);
        assert_eq!(p.option_names, vec!["Size".to_string()]);
        assert_eq!(p.variants[1].price_minor, 2950);
        assert_eq!(p.variants[1].title, "Large");
        assert_eq!(p.variants[1].options, vec!["Large".to_string()]);
    }

    #[test]
    fn an_edited_slug_is_kept_when_valid_and_refused_when_not() {
        let mut f = form();
        f.slug = "my-tote".into();
        assert_eq!(validate(&f).unwrap().slug, "my-tote");
        f.slug = "My Tote!".into();
        assert!(validate(&f).unwrap_err().get("slug").is_some());
        f.slug = String::new();
        f.title = "!!!".into();
        assert!(validate(&f).unwrap_err().get("slug").is_some());
    }

    #[test]
    fn each_problem_is_reported_next_to_its_field() {
        let mut f = form();
        f.title = " ".into();
        f.category_id = String::new();
        f.status = "live".into();
        f.variants[0].price = "-1.00".into();
        f.variants[1].stock = "-3".into();
        f.variants[1].sku = "tote-s".into();
        let e = validate(&f).unwrap_err();
        assert_eq!(e.get("title"), Some("Enter a title."));
        assert_eq!(e.get("category_id"), Some("Choose a category."));
        assert!(e.get("status").is_some());
        assert_eq!(e.get("variants[0].price"), Some("The price can't be negative."));
        assert_eq!(e.get("variants[1].stock"), Some("Stock can't be negative."));
        assert!(e.get("variants[1].sku").unwrap().contains("another variant"));
    }

    #[test]
    fn limits_hold() {
        let mut f = form();
        f.title = "x".repeat(201);
        f.description = "y".repeat(20_001);
        f.variants[0].sku = "bad sku".into();
        f.variants[0].price = "1000000.01".into();
        f.variants[1].stock = "1000001".into();
        f.variants[1].price = "abc".into();
        let e = validate(&f).unwrap_err();
        for key in
            ["title", "description", "variants[0].sku", "variants[0].price", "variants[1].stock", "variants[1].price"]
        {
            assert!(e.get(key).is_some(), "{key}: {e:?}");
        }
        let mut f = form();
        f.variants = (0..51).map(|i| variant(&format!("S{i}"), &format!("O{i}"), "1", "1")).collect();
        assert!(validate(&f).unwrap_err().get("variants").is_some());
        f.variants.clear();
        assert!(validate(&f).unwrap_err().get("variants").is_some());
    }

    #[test]
    fn compare_at_must_be_above_the_price() {
        let mut f = form();
        f.variants[0].compare_at = "24.00".into();
        assert!(validate(&f).unwrap_err().get("variants[0].compare_at").is_some());
        f.variants[0].compare_at = "30".into();
        assert_eq!(validate(&f).unwrap().variants[0].compare_at_minor, Some(3000));
    }

    #[test]
    fn options_are_required_and_distinct_when_there_are_several_variants() {
        let mut f = form();
        f.option_name = String::new();
        assert!(validate(&f).unwrap_err().get("option_name").is_some());
        let mut f = form();
        f.variants[1].option = "small".into();
        assert!(validate(&f).unwrap_err().get("variants[1].option").is_some());
        let mut f = form();
        f.option_name = String::new();
        f.variants.truncate(1);
        let p = validate(&f).unwrap();
        assert!(p.option_names.is_empty() && p.variants[0].options.is_empty());
        assert_eq!(p.variants[0].title, "Default");
    }

    #[test]
    fn several_options_are_written_with_slashes() {
        let mut f = form();
        f.option_name = "Size / Colour".into();
        f.variants[0].option = "M / Red".into();
        f.variants[1].option = "M/Blue".into();
        let p = validate(&f).unwrap();
        assert_eq!(p.option_names, vec!["Size".to_string(), "Colour".to_string()]);
        assert_eq!(p.variants[1].options, vec!["M".to_string(), "Blue".to_string()]);
        assert_eq!(p.variants[1].title, "M / Blue");
        f.variants[1].option = "M".into();
        assert!(validate(&f).unwrap_err().get("variants[1].option").unwrap().contains("Size / Colour"));
        f.variants[1].option = "m / red".into();
        assert!(validate(&f).unwrap_err().get("variants[1].option").unwrap().contains("already"));
    }

    #[test]
    fn amounts_parse_to_minor_units() {
        assert_eq!(parse_amount("12"), Some(1200));
        assert_eq!(parse_amount("12.5"), Some(1250));
        assert_eq!(parse_amount(" 1,299.99 "), Some(129_999));
        assert_eq!(parse_amount(".5"), Some(50));
        assert_eq!(parse_amount("-2.00"), Some(-200));
        assert_eq!(parse_amount("1.999"), None);
        assert_eq!(parse_amount("1e3"), None);
        assert_eq!(parse_amount(""), None);
        assert_eq!(format_amount(129_999), "1299.99");
        assert_eq!(format_amount(5), "0.05");
    }

    #[test]
    fn blank_spare_rows_are_dropped() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let rows =
            variants_from_lists(&s(&["A", ""]), &s(&["Red", ""]), &s(&["1", " "]), &s(&["", ""]), &s(&["2", ""]), &[]);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].sku, "A");
    }
}
