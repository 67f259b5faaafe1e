//! A product's images on its edit page: the list, moving one earlier or later, its alt text, and
//! removing it (its files go too once no image row uses them). The caller authorizes with the
//! product's store (`images` answers it) before changing anything; every change is scoped to
//! that store and product. Uploading is a plain route (`server::uploads`).
use super::Shop;
use super::errors::store_err;
use super::product_image_store::{AddOutcome, NewProductImage};
use crate::domain::errors::AppError;
use crate::domain::product_image::{MAX_IMAGES, Move, ProductImages, valid_alt};

fn missing_image() -> AppError {
    AppError::NotFound("That image is no longer on this product. Reload the page.".into())
}

/// Product `product_id`'s images with its store (`None`: no such product).
pub async fn images(shop: &Shop, product_id: i64) -> Result<Option<ProductImages>, AppError> {
    shop.product_images.product_images(product_id).await.map_err(store_err)
}

/// Records uploaded images (their files already written) after the product's last image, as
/// long as the product keeps at most `MAX_IMAGES`.
pub async fn add(shop: &Shop, product: &ProductImages, rows: &[NewProductImage]) -> Result<AddOutcome, AppError> {
    shop.product_images.add_images(product.merchant_id, product.product_id, rows, MAX_IMAGES).await.map_err(store_err)
}

/// Whether any image row still uses the file at `url` (an unreadable answer counts as used, so
/// no file is removed on doubt).
pub async fn url_in_use(shop: &Shop, url: &str) -> bool {
    shop.product_images.url_in_use(url).await.unwrap_or(true)
}

/// Moves an image one place `direction` ("earlier" or "later").
pub async fn move_image(shop: &Shop, product: &ProductImages, image_id: i64, direction: &str) -> Result<(), AppError> {
    let to = Move::parse(direction).ok_or_else(|| AppError::one("direction", "Move an image earlier or later."))?;
    let moved = shop
        .product_images
        .move_image(product.merchant_id, product.product_id, image_id, to)
        .await
        .map_err(store_err)?;
    if moved { Ok(()) } else { Err(missing_image()) }
}

/// Changes an image's description for screen readers (blank: the product's title).
pub async fn set_alt(shop: &Shop, product: &ProductImages, image_id: i64, alt: &str) -> Result<(), AppError> {
    let alt = valid_alt(alt).map_err(|p| AppError::one("alt", p.message()))?;
    let alt = if alt.is_empty() { product.title.clone() } else { alt };
    let done = shop
        .product_images
        .set_alt(product.merchant_id, product.product_id, image_id, &alt)
        .await
        .map_err(store_err)?;
    if done { Ok(()) } else { Err(missing_image()) }
}

/// Removes an image; the next one moves up. Its files are deleted when no other image uses them.
/// An image that is already gone (a double click, a retried form) is not an error.
pub async fn remove(shop: &Shop, product: &ProductImages, image_id: i64) -> Result<(), AppError> {
    let removed =
        shop.product_images.remove_image(product.merchant_id, product.product_id, image_id).await.map_err(store_err)?;
    if let Some(removed) = removed {
        if !removed.still_used {
            super::product_image_store::delete_upload_files(&shop.media_dir, &removed.url);
        }
        tracing::info!(product_id = product.product_id, image_id, "product image removed");
    }
    Ok(())
}
