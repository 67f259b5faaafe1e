//! The merchant's products: the store's table, one product's form, and saving it. A store's
//! staff (or the platform admin acting for it) only; a product of another store is Forbidden,
//! so its edit URL shows the 403 page. Rules of the form live in `domain::product_form`.
use crate::domain::errors::AppError;
use crate::domain::product_form::{AdminProductList, ProductEditor};
use leptos::prelude::*;

/// One page of the store's products by cursor (`before`/`after`, from the page's links). Filters
/// as typed in the GET form; unknown values are ignored.
#[allow(clippy::too_many_arguments)]
#[server(endpoint = "admin/products")]
pub async fn admin_products(
    merchant_id: Option<i64>,
    q: Option<String>,
    status: Option<String>,
    category: Option<i64>,
    stock: Option<String>,
    sort: Option<String>,
    before: Option<i64>,
    after: Option<i64>,
) -> Result<AdminProductList, AppError> {
    use crate::domain::product_form::ProductFilter;
    let (_, merchant_id) = super::guard::acting_store(merchant_id).await?;
    let filter = ProductFilter {
        q: q.unwrap_or_default(),
        status: status.unwrap_or_default(),
        category_id: category,
        stock: stock.unwrap_or_default(),
        sort: sort.unwrap_or_default(),
    };
    let cursor = crate::domain::paging::Cursor::from_keys(before, after);
    crate::services::products_admin::list(&super::guard::shop()?, merchant_id, filter, cursor).await
}

/// Product `id` after checking the caller may act for its store (a product of another store is
/// Forbidden; a missing one is not found).
#[cfg(feature = "ssr")]
async fn authorized_product(
    shop: &crate::services::Shop,
    id: i64,
) -> Result<crate::domain::product_form::StoredForm, AppError> {
    use super::guard::{Access, require};
    let stored = crate::services::products_admin::product(shop, id).await?;
    require(Access::ProductOf(stored.as_ref().map(|s| s.merchant_id))).await?;
    stored.ok_or_else(|| AppError::NotFound("We couldn't find that product.".into()))
}

/// A product to edit (`id`), or an empty form for a new one in the acting store.
#[server(endpoint = "admin/product")]
pub async fn admin_product(merchant_id: Option<i64>, id: Option<i64>) -> Result<ProductEditor, AppError> {
    let shop = super::guard::shop()?;
    let (merchant_id, stored) = match id {
        Some(id) => {
            let stored = authorized_product(&shop, id).await?;
            (stored.merchant_id, Some(stored))
        }
        None => (super::guard::acting_store(merchant_id).await?.1, None),
    };
    crate::services::products_admin::editor(&shop, merchant_id, stored).await
}

/// Creates (no `id`) or updates a product. Variants come as parallel lists: `sku[0]`,
/// `option[0]`, `price[0]`, `compare_at[0]`, `stock[0]`… (a row left blank is ignored), and the
/// hidden `stock_seen[0]`… the form showed: a stock that changed since is refused, not overwritten.
/// Nothing is written unless every field is right; after a create the browser goes to the edit page.
#[allow(clippy::too_many_arguments)]
#[server(endpoint = "admin/product/save")]
pub async fn save_product(
    merchant_id: Option<i64>,
    id: Option<i64>,
    title: String,
    slug: Option<String>,
    description: Option<String>,
    category_id: Option<String>,
    status: Option<String>,
    option_name: Option<String>,
    sku: Option<Vec<String>>,
    option: Option<Vec<String>>,
    price: Option<Vec<String>>,
    compare_at: Option<Vec<String>>,
    stock: Option<Vec<String>>,
    stock_seen: Option<Vec<String>>,
) -> Result<i64, AppError> {
    use crate::domain::product_form::{ProductInput, variants_from_lists};
    let shop = super::guard::shop()?;
    let merchant_id = match id {
        Some(id) => authorized_product(&shop, id).await?.merchant_id,
        None => super::guard::acting_store(merchant_id).await?.1,
    };
    let v = |l: Option<Vec<String>>| l.unwrap_or_default();
    let input = ProductInput {
        title,
        slug: slug.unwrap_or_default(),
        description: description.unwrap_or_default(),
        category_id: category_id.unwrap_or_default(),
        status: status.unwrap_or_default(),
        option_name: option_name.unwrap_or_default(),
        variants: variants_from_lists(&v(sku), &v(option), &v(price), &v(compare_at), &v(stock), &v(stock_seen)),
    };
    let saved = crate::services::products_admin::save(&shop, merchant_id, id, &input).await?;
    if id.is_none() {
        crate::api::redirect::redirect(&format!("/admin/products/{saved}?created=1"));
    }
    Ok(saved)
}
