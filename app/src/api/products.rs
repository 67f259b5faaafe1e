//! The merchant's products: the store's table, one product's form, and saving it. A store's
//! staff (or the platform admin acting for it) only; a product of another store is Forbidden,
//! so its edit URL shows the 403 page. Rules of the form live in `domain::product_form`.
use crate::domain::errors::AppError;
use crate::domain::product_form::{AdminProductList, ProductEditor};
use leptos::prelude::*;

/// One page of the store's products. Filters as typed in the GET form; unknown values are ignored.
#[allow(clippy::too_many_arguments)]
#[server(endpoint = "admin/products")]
pub async fn admin_products(
    merchant_id: Option<i64>,
    q: Option<String>,
    status: Option<String>,
    category: Option<i64>,
    stock: Option<String>,
    sort: Option<String>,
    page: Option<i64>,
) -> Result<AdminProductList, AppError> {
    use crate::domain::product_form::{ADMIN_PAGE_SIZE, ProductFilter};
    let merchant_id = super::store_orders::acting_store(merchant_id).await?;
    let shop = super::guard::shop()?;
    let internal = crate::services::accounts::store_err;
    let filter = ProductFilter {
        q: q.unwrap_or_default(),
        status: status.unwrap_or_default(),
        category_id: category,
        stock: stock.unwrap_or_default(),
        sort: sort.unwrap_or_default(),
        page: page.unwrap_or(1),
    }
    .normalized();
    let offset = (filter.page - 1) * ADMIN_PAGE_SIZE;
    let (rows, total) =
        shop.products_admin.admin_products(merchant_id, &filter, offset, ADMIN_PAGE_SIZE).await.map_err(internal)?;
    let categories = shop.products_admin.category_names().await.map_err(internal)?;
    let store_name = store_name(&shop, merchant_id).await?;
    let pages = ((total + ADMIN_PAGE_SIZE - 1) / ADMIN_PAGE_SIZE).max(1);
    Ok(AdminProductList { merchant_id, store_name, filter, rows, total, pages, categories })
}

#[cfg(feature = "ssr")]
async fn store_name(shop: &crate::services::Shop, merchant_id: i64) -> Result<String, AppError> {
    Ok(shop
        .accounts
        .merchants()
        .await
        .map_err(crate::services::accounts::store_err)?
        .into_iter()
        .find(|m| m.id == merchant_id)
        .map(|m| m.name)
        .unwrap_or_default())
}

/// The store whose product `id` is, after checking the caller may act for it (a product of
/// another store is Forbidden; a missing one is not found).
#[cfg(feature = "ssr")]
async fn product_store(
    shop: &crate::services::Shop,
    id: i64,
) -> Result<crate::domain::product_form::StoredForm, AppError> {
    use super::guard::{Access, require};
    let stored = shop.products_admin.product_form(id).await.map_err(crate::services::accounts::store_err)?;
    let Some(stored) = stored else {
        // Who may not see products at all is told so first; the rest learn it is missing.
        require(Access::AnyStoreStaff).await?;
        return Err(AppError::NotFound("We couldn't find that product.".into()));
    };
    require(Access::StoreStaff(stored.merchant_id)).await?;
    Ok(stored)
}

/// A product to edit (`id`), or an empty form for a new one in the acting store.
#[server(endpoint = "admin/product")]
pub async fn admin_product(merchant_id: Option<i64>, id: Option<i64>) -> Result<ProductEditor, AppError> {
    use crate::domain::product_form::{ProductInput, VariantInput};
    let shop = super::guard::shop()?;
    let internal = crate::services::accounts::store_err;
    let editor = match id {
        Some(id) => {
            let stored = product_store(&shop, id).await?;
            ProductEditor {
                id: Some(stored.id),
                merchant_id: stored.merchant_id,
                input: stored.input,
                currency: stored.currency,
                categories: Vec::new(),
            }
        }
        None => {
            let merchant_id = super::store_orders::acting_store(merchant_id).await?;
            ProductEditor {
                id: None,
                merchant_id,
                input: ProductInput {
                    status: "draft".into(),
                    variants: vec![VariantInput { stock: "0".into(), ..Default::default() }],
                    ..Default::default()
                },
                currency: crate::domain::money::Currency::USD,
                categories: Vec::new(),
            }
        }
    };
    let categories = shop.products_admin.category_names().await.map_err(internal)?;
    Ok(ProductEditor { categories, ..editor })
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
    use crate::domain::product_form::{ProductInput, validate, variants_from_lists};
    use crate::services::product_admin_store::SaveError;
    let shop = super::guard::shop()?;
    let merchant_id = match id {
        Some(id) => product_store(&shop, id).await?.merchant_id,
        None => super::store_orders::acting_store(merchant_id).await?,
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
    let product = validate(&input).map_err(AppError::Validation)?;
    match shop.products_admin.save_product(merchant_id, id, &product).await {
        Ok(saved) => {
            if id.is_none() {
                crate::api::redirect::redirect(&format!("/admin/products/{saved}?created=1"));
            }
            Ok(saved)
        }
        Err(SaveError::Invalid(fields)) => Err(AppError::Validation(fields)),
        Err(SaveError::NotFound) => Err(AppError::NotFound("We couldn't find that product.".into())),
        Err(SaveError::Store(e)) => Err(crate::services::accounts::store_err(e)),
    }
}
