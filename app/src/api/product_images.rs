//! A product's images on its edit page: the list, moving one earlier or later, its alt text, and
//! removing it (its files go too once no image row uses them). Uploading is a plain HTTP route
//! (`server::uploads`, `POST /admin/products/{id}/images`) because it streams files. Staff of the
//! product's store or the platform admin only; another store's product is Forbidden, a missing
//! one (or an image of another product) not found. Rules live in `domain::product_image`.
use crate::domain::errors::AppError;
use crate::domain::product_image::ProductImages;
use leptos::prelude::*;

/// The product's images after checking the caller may act for its store.
#[cfg(feature = "ssr")]
async fn authorized(shop: &crate::services::Shop, product_id: i64) -> Result<ProductImages, AppError> {
    use super::guard::{Access, require};
    let found = shop.product_images.product_images(product_id).await.map_err(crate::services::accounts::store_err)?;
    require(Access::ProductOf(found.as_ref().map(|f| f.merchant_id))).await?;
    found.ok_or_else(|| AppError::NotFound("We couldn't find that product.".into()))
}

#[cfg(feature = "ssr")]
fn missing_image() -> AppError {
    AppError::NotFound("That image is no longer on this product. Reload the page.".into())
}

#[server(endpoint = "admin/product/images")]
pub async fn admin_product_images(product_id: i64) -> Result<ProductImages, AppError> {
    let shop = super::guard::shop()?;
    authorized(&shop, product_id).await
}

/// Moves an image one place `direction` ("earlier" or "later"); the first image is the one
/// shoppers see on cards.
#[server(endpoint = "admin/product/images/move")]
pub async fn move_product_image(product_id: i64, image_id: i64, direction: String) -> Result<(), AppError> {
    use crate::domain::product_image::Move;
    let shop = super::guard::shop()?;
    let product = authorized(&shop, product_id).await?;
    let to = Move::parse(&direction).ok_or_else(|| AppError::one("direction", "Move an image earlier or later."))?;
    let moved = shop
        .product_images
        .move_image(product.merchant_id, product_id, image_id, to)
        .await
        .map_err(crate::services::accounts::store_err)?;
    if moved { Ok(()) } else { Err(missing_image()) }
}

/// Changes an image's description for screen readers (blank: the product's title).
#[server(endpoint = "admin/product/images/alt")]
pub async fn set_product_image_alt(product_id: i64, image_id: i64, alt: String) -> Result<(), AppError> {
    use crate::domain::product_image::valid_alt;
    let shop = super::guard::shop()?;
    let product = authorized(&shop, product_id).await?;
    let alt = valid_alt(&alt).map_err(|p| AppError::one("alt", p.message()))?;
    let alt = if alt.is_empty() { product.title.clone() } else { alt };
    let done = shop
        .product_images
        .set_alt(product.merchant_id, product_id, image_id, &alt)
        .await
        .map_err(crate::services::accounts::store_err)?;
    if done { Ok(()) } else { Err(missing_image()) }
}

/// Removes an image; the next one moves up. Its files are deleted when no other image uses them.
/// An image that is already gone (a double click, a retried form) is not an error.
#[server(endpoint = "admin/product/images/remove")]
pub async fn remove_product_image(product_id: i64, image_id: i64) -> Result<(), AppError> {
    let shop = super::guard::shop()?;
    let product = authorized(&shop, product_id).await?;
    let removed = shop
        .product_images
        .remove_image(product.merchant_id, product_id, image_id)
        .await
        .map_err(crate::services::accounts::store_err)?;
    if let Some(removed) = removed {
        if !removed.still_used {
            crate::services::product_image_store::delete_upload_files(&shop.media_dir, &removed.url);
        }
        tracing::info!(product_id, image_id, "product image removed");
    }
    Ok(())
}
