//! What a batch does with each product, worked out from the rows `batch` read (no SQL here): which
//! stored product it updates (or that it is new), and the problems that refuse its rows.

use app::domain::product_csv::{RowError, refuse_rows};
use app::domain::product_form::{MAX_VARIANTS, ValidProduct, ValidVariant};
use app::services::product_import_store::{ImportBatch, ImportProduct};
use std::collections::HashMap;

/// A variant of the store that holds one of the batch's SKUs.
pub struct Held {
    pub id: i64,
    pub product_id: i64,
    pub stock: i64,
    pub handle: String,
}

/// A variant of a matched product (to see what the file leaves out).
pub struct Sibling {
    pub product_id: i64,
    pub sku: String,
    pub title: String,
}

/// What the database holds for the batch's handles and SKUs.
#[derive(Default)]
pub struct Existing {
    /// Handle → (product id, its store), of any store: a handle is a global slug.
    pub by_handle: HashMap<String, (i64, i64)>,
    /// SKU → the store's variant holding it (never another store's).
    pub held: HashMap<String, Held>,
}

/// What the matched products hold besides the file's variants.
#[derive(Default)]
pub struct Matched {
    pub siblings: Vec<Sibling>,
    pub option_names: HashMap<i64, Vec<String>>,
}

/// Which stored product a file product updates (`None`: a new one), or the problems (line,
/// message) that refuse it.
pub type Target = Result<Option<i64>, Vec<(u64, String)>>;

/// Matches each product of the batch to the stored product it updates: by handle, else by its
/// SKUs. A handle of another store's product, a SKU of another product of this store, or two file
/// products matching one stored product refuse the product.
pub fn match_targets(batch: &ImportBatch, merchant_id: i64, existing: &Existing) -> Vec<Target> {
    let mut targets: Vec<Target> = Vec::new();
    let mut claimed: HashMap<i64, String> = HashMap::new();
    for p in &batch.products {
        let handle = &p.product.slug;
        let first = p.lines.first().copied().unwrap_or_default();
        let mut problems: Vec<(u64, String)> = Vec::new();
        let mut target = match existing.by_handle.get(handle) {
            Some((_, owner)) if *owner != merchant_id => {
                problems.push((
                    first,
                    format!("handle {handle} is already used by another product; choose another handle"),
                ));
                None
            }
            Some((id, _)) => Some(*id),
            None => None,
        };
        for (v, line) in p.product.variants.iter().zip(&p.lines) {
            let Some(h) = existing.held.get(&v.sku) else { continue };
            match target {
                Some(t) if t != h.product_id => problems
                    .push((*line, format!("SKU {} belongs to another product of your store ({})", v.sku, h.handle))),
                Some(_) => {}
                None if problems.is_empty() => target = Some(h.product_id),
                None => {}
            }
        }
        if let Some(t) = target {
            if let Some(other) = claimed.get(&t) {
                problems.push((first, format!("this product is also in the file as {other}")));
            }
        }
        if problems.is_empty() {
            if let Some(t) = target {
                claimed.insert(t, handle.clone());
            }
            targets.push(Ok(target));
        } else {
            targets.push(Err(problems));
        }
    }
    targets
}

/// The stored products the batch updates.
pub fn matched_ids(targets: &[Target]) -> Vec<i64> {
    targets.iter().filter_map(|t| t.as_ref().ok().copied().flatten()).collect()
}

/// The product's target once the update rules are checked, or its rows refused.
pub fn plan_product(
    p: &ImportProduct,
    target: Target,
    held: &HashMap<String, Held>,
    matched: &Matched,
) -> Result<Option<i64>, Vec<RowError>> {
    let product = &p.product;
    let refuse = |problems: &[(u64, String)]| {
        let rows: Vec<(u64, String)> =
            p.lines.iter().zip(&product.variants).map(|(l, v)| (*l, v.sku.clone())).collect();
        refuse_rows(&product.slug, &rows, problems)
    };
    let target = target.map_err(|problems| refuse(&problems))?;
    if let Some(t) = target {
        let problems = update_problems(p, t, held, matched);
        if !problems.is_empty() {
            return Err(refuse(&problems));
        }
    }
    Ok(target)
}

/// Why updating stored product `t` with `p` would lose data: a stock that changed since the
/// export, or variants the file leaves out that clash with the new options, the variant limit or
/// a variant's title.
fn update_problems(p: &ImportProduct, t: i64, held: &HashMap<String, Held>, matched: &Matched) -> Vec<(u64, String)> {
    let product = &p.product;
    let first = p.lines.first().copied().unwrap_or_default();
    let kept: Vec<&Sibling> = matched
        .siblings
        .iter()
        .filter(|s| s.product_id == t && !product.variants.iter().any(|v| v.sku == s.sku))
        .collect();
    let mut problems: Vec<(u64, String)> = Vec::new();
    for (v, line) in product.variants.iter().zip(&p.lines) {
        let (Some(h), Some(seen)) = (held.get(&v.sku), v.stock_seen) else { continue };
        if v.stock != seen && h.stock != seen {
            problems.push((
                *line,
                format!(
                    "stock of {} changed since the export: it is {} now, the file was exported \
                     with {seen}; check it, put {} in exported_stock and import this product \
                     again (nothing of it was imported)",
                    v.sku, h.stock, h.stock
                ),
            ));
        }
    }
    let was = matched.option_names.get(&t).cloned().unwrap_or_default();
    if !kept.is_empty() {
        let skus = kept.iter().map(|s| s.sku.as_str()).collect::<Vec<_>>().join(", ");
        if was != product.option_names {
            problems.push((
                first,
                format!(
                    "option_names changed from '{}' to '{}', but variant {skus} of this product \
                     is not in the file; list every variant when you change the options",
                    was.join(" / "),
                    product.option_names.join(" / ")
                ),
            ));
        } else if kept.len() + product.variants.len() > MAX_VARIANTS {
            problems.push((
                first,
                format!("a product can have at most {MAX_VARIANTS} variants (the store also has {skus})"),
            ));
        }
        for (v, line) in product.variants.iter().zip(&p.lines) {
            if let Some(s) =
                kept.iter().find(|s| !product.option_names.is_empty() && s.title.eq_ignore_ascii_case(&v.title))
            {
                problems
                    .push((*line, format!("option_values: variant {} of this product is already {}", s.sku, v.title)));
            }
        }
    }
    problems
}

/// The stock to store for a held variant: left as exported, the stored stock stays (sales made
/// since the export are kept); otherwise the file's.
pub fn stock_to_write(v: &ValidVariant, held: &Held) -> i64 {
    match v.stock_seen {
        Some(seen) if seen == v.stock => held.stock,
        _ => v.stock,
    }
}

/// How a new or updated product's status is stored.
pub fn status(product: &ValidProduct) -> &'static str {
    if product.published { "published" } else { "draft" }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn variant(sku: &str, stock: i64, seen: Option<i64>) -> ValidVariant {
        ValidVariant {
            sku: sku.into(),
            title: sku.into(),
            options: Vec::new(),
            price_minor: 100,
            compare_at_minor: None,
            stock,
            stock_seen: seen,
        }
    }

    fn product(handle: &str, variants: Vec<ValidVariant>, first_line: u64) -> ImportProduct {
        let lines = (first_line..first_line + variants.len() as u64).collect();
        let product = ValidProduct {
            title: handle.into(),
            slug: handle.into(),
            description: String::new(),
            category_id: 1,
            published: true,
            option_names: Vec::new(),
            variants,
        };
        ImportProduct { product, lines }
    }

    fn held(id: i64, product_id: i64, stock: i64, handle: &str) -> Held {
        Held { id, product_id, stock, handle: handle.into() }
    }

    #[test]
    fn products_match_by_handle_then_by_sku_within_the_store() {
        let mut existing = Existing::default();
        existing.by_handle.insert("mine".into(), (10, 1));
        existing.by_handle.insert("theirs".into(), (20, 2));
        existing.held.insert("S-1".into(), held(100, 30, 5, "renamed"));
        let batch = ImportBatch {
            products: vec![
                product("mine", vec![variant("M-1", 1, None)], 2),
                product("theirs", vec![variant("T-1", 1, None)], 3),
                product("new-handle", vec![variant("S-1", 1, None)], 4),
                product("fresh", vec![variant("F-1", 1, None)], 5),
            ],
            refused: Vec::new(),
        };
        let targets = match_targets(&batch, 1, &existing);
        assert_eq!(targets[0], Ok(Some(10)));
        assert!(matches!(&targets[1], Err(p) if p[0].1.contains("already used by another product")));
        assert_eq!(targets[2], Ok(Some(30)));
        assert_eq!(targets[3], Ok(None));
        assert_eq!(matched_ids(&targets), vec![10, 30]);
    }

    #[test]
    fn a_stored_product_matched_twice_is_refused_the_second_time() {
        let mut existing = Existing::default();
        existing.by_handle.insert("a".into(), (10, 1));
        existing.held.insert("A-2".into(), held(100, 10, 5, "a"));
        let batch = ImportBatch {
            products: vec![
                product("a", vec![variant("A-1", 1, None)], 2),
                product("b", vec![variant("A-2", 1, None)], 3),
            ],
            refused: Vec::new(),
        };
        let targets = match_targets(&batch, 1, &existing);
        assert_eq!(targets[0], Ok(Some(10)));
        assert!(matches!(&targets[1], Err(p) if p[0].1 == "this product is also in the file as a"));
    }

    #[test]
    fn a_stock_that_moved_since_the_export_refuses_the_product() {
        let mut held_skus = HashMap::new();
        held_skus.insert("A-1".to_string(), held(100, 10, 7, "a"));
        let changed = product("a", vec![variant("A-1", 3, Some(5))], 2);
        let refused = plan_product(&changed, Ok(Some(10)), &held_skus, &Matched::default()).unwrap_err();
        assert!(refused[0].message.contains("stock of A-1 changed since the export: it is 7 now"), "{refused:?}");
        // Left as exported: the stored stock stays, so the sales made since are kept.
        let kept = product("a", vec![variant("A-1", 5, Some(5))], 2);
        assert_eq!(plan_product(&kept, Ok(Some(10)), &held_skus, &Matched::default()), Ok(Some(10)));
        assert_eq!(stock_to_write(&kept.product.variants[0], &held_skus["A-1"]), 7);
        assert_eq!(stock_to_write(&variant("A-1", 3, None), &held_skus["A-1"]), 3);
    }
}
