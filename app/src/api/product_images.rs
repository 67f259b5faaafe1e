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
    let found = crate::services::product_images::images(shop, product_id).await?;
    require(Access::ProductOf(found.as_ref().map(|f| f.merchant_id))).await?;
    found.ok_or_else(|| AppError::NotFound("We couldn't find that product.".into()))
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
    let shop = super::guard::shop()?;
    let product = authorized(&shop, product_id).await?;
    crate::services::product_images::move_image(&shop, &product, image_id, &direction).await
}

/// Changes an image's description for screen readers (blank: the product's title).
#[server(endpoint = "admin/product/images/alt")]
pub async fn set_product_image_alt(product_id: i64, image_id: i64, alt: String) -> Result<(), AppError> {
    let shop = super::guard::shop()?;
    let product = authorized(&shop, product_id).await?;
    crate::services::product_images::set_alt(&shop, &product, image_id, &alt).await
}

/// Removes an image; the next one moves up. Its files are deleted when no other image uses them.
/// An image that is already gone (a double click, a retried form) is not an error.
#[server(endpoint = "admin/product/images/remove")]
pub async fn remove_product_image(product_id: i64, image_id: i64) -> Result<(), AppError> {
    let shop = super::guard::shop()?;
    let product = authorized(&shop, product_id).await?;
    crate::services::product_images::remove(&shop, &product, image_id).await
}
