//! The merchant's products: the store's table, one product's form, and saving it (the caller
//! checked the access; `product` answers whose a product is, for the guard). Rules of the form
//! live in `domain::product_form`.
use super::Shop;
use super::errors::store_err;
use super::product_admin_store::SaveError;
use crate::domain::errors::AppError;
use crate::domain::paging::{Cursor, fetch_size};
use crate::domain::product_form::{
    ADMIN_PAGE_SIZE, AdminProductList, ProductEditor, ProductFilter, ProductInput, StoredForm, VariantInput, validate,
};

/// One page of the store's products by cursor; `filter` as typed in the GET form (unknown values
/// ignored).
pub async fn list(
    shop: &Shop,
    merchant_id: i64,
    filter: ProductFilter,
    cursor: Cursor,
) -> Result<AdminProductList, AppError> {
    let filter = filter.normalized();
    let read = |c: Cursor| shop.products_admin.admin_products(merchant_id, &filter, c, fetch_size(ADMIN_PAGE_SIZE));
    let page = super::list_pages::cursor_page(read, |r| r.id, cursor, ADMIN_PAGE_SIZE).await?;
    let categories = shop.products_admin.category_names().await.map_err(store_err)?;
    let store_name = super::merchants::store_name(shop, merchant_id).await?;
    Ok(AdminProductList { merchant_id, store_name, filter, page, categories })
}

/// Product `id` of any store, as stored (`None`: no such product). The caller authorizes with
/// its store before showing or changing it.
pub async fn product(shop: &Shop, id: i64) -> Result<Option<StoredForm>, AppError> {
    shop.products_admin.product_form(id).await.map_err(store_err)
}

/// The form for a stored product, or (`None`) an empty draft for a new one in `merchant_id`.
pub async fn editor(shop: &Shop, merchant_id: i64, stored: Option<StoredForm>) -> Result<ProductEditor, AppError> {
    let categories = shop.products_admin.category_names().await.map_err(store_err)?;
    Ok(match stored {
        Some(stored) => ProductEditor {
            id: Some(stored.id),
            merchant_id: stored.merchant_id,
            input: stored.input,
            currency: stored.currency,
            categories,
        },
        None => ProductEditor {
            id: None,
            merchant_id,
            input: ProductInput {
                status: "draft".into(),
                variants: vec![VariantInput { stock: "0".into(), ..Default::default() }],
                ..Default::default()
            },
            currency: super::MARKETPLACE_CURRENCY,
            categories,
        },
    })
}

/// Creates (no `id`) or updates the store's product; nothing is written unless every field is
/// right. Answers the product's id.
pub async fn save(shop: &Shop, merchant_id: i64, id: Option<i64>, input: &ProductInput) -> Result<i64, AppError> {
    let product = validate(input).map_err(AppError::Validation)?;
    match shop.products_admin.save_product(merchant_id, id, &product).await {
        Ok(saved) => Ok(saved),
        Err(SaveError::Invalid(fields)) => Err(AppError::Validation(fields)),
        Err(SaveError::NotFound) => Err(AppError::NotFound("We couldn't find that product.".into())),
        Err(SaveError::Store(e)) => Err(store_err(e)),
    }
}
