//! The storage port for product images: list a product's images, append uploaded ones, move one
//! earlier or later, change its alt text, remove it. Every write is scoped to one store (a product
//! of another store answers as if it did not exist) and keeps positions 0, 1, 2… without gaps, so
//! position 0 is always the picture cards show. Files on disk are the caller's business; `remove`
//! says whether any row still uses the removed file.
use super::catalog_store::StoreError;
use crate::domain::product_image::{AdminImage, Move, ProductImages};
use async_trait::async_trait;

/// An image whose files are already written under the media directory.
#[derive(Clone, Debug, PartialEq)]
pub struct NewProductImage {
    pub url: String,
    pub alt: String,
    pub width: i64,
    pub height: i64,
    pub bytes: i64,
    /// SHA-256 of the stored file, hex.
    pub content_hash: String,
}

/// What became of an append.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AddOutcome {
    /// Their ids, in the order given.
    Added(Vec<i64>),
    /// The product would have more than `max` images; nothing was written. `has` is how many it has.
    Full { has: usize },
    /// No such product in this store.
    NotFound,
}

/// An image just removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Removed {
    pub url: String,
    /// Another row (of any product) still shows the same file, so it must stay on disk.
    pub still_used: bool,
}

#[async_trait]
pub trait ProductImageStore: Send + Sync + 'static {
    /// The product (of any store; the caller checks) with its images in order.
    async fn product_images(&self, product_id: i64) -> Result<Option<ProductImages>, StoreError>;

    /// Appends the images after the product's last one, in one transaction, if the product is
    /// the store's and would have at most `max` images.
    async fn add_images(
        &self,
        merchant_id: i64,
        product_id: i64,
        images: &[NewProductImage],
        max: usize,
    ) -> Result<AddOutcome, StoreError>;

    /// Swaps the image with its neighbour; `false` when the image is not the store's product's.
    /// At either end nothing changes (and the answer is `true`).
    async fn move_image(&self, merchant_id: i64, product_id: i64, image_id: i64, to: Move) -> Result<bool, StoreError>;

    /// `false` when the image is not the store's product's.
    async fn set_alt(&self, merchant_id: i64, product_id: i64, image_id: i64, alt: &str) -> Result<bool, StoreError>;

    /// Deletes the image and closes the gap it leaves; `None` when it is not the store's product's.
    async fn remove_image(
        &self,
        merchant_id: i64,
        product_id: i64,
        image_id: i64,
    ) -> Result<Option<Removed>, StoreError>;

    /// Whether any image row refers to `url` (before deleting a file).
    async fn url_in_use(&self, url: &str) -> Result<bool, StoreError>;
}

/// SHA-256 of `bytes`, as lowercase hex: the name of a stored image file.
pub fn content_hash(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The admin row for an image (kept here so both adapters build it alike).
pub fn admin_image(
    id: i64,
    position: i64,
    url: String,
    alt: String,
    width: i64,
    height: i64,
    bytes: i64,
) -> AdminImage {
    AdminImage { id, position, url, alt, width, height, bytes }
}

/// Deletes an uploaded image's files (the original and its thumbnails) from `media_dir`. Call it
/// only once no row refers to `url`; URLs that are not uploads (the demo catalogue) are left alone.
pub fn delete_upload_files(media_dir: &std::path::Path, url: &str) {
    use crate::domain::product_image::{THUMB_EDGES, UPLOAD_DIR, file_name, parse_upload_url};
    let Some((hash, stored)) = parse_upload_url(url) else { return };
    let dir = media_dir.join(UPLOAD_DIR);
    for edge in std::iter::once(None).chain(THUMB_EDGES.iter().map(|e| Some(*e))) {
        let path = dir.join(file_name(hash, stored, edge));
        if let Err(e) = std::fs::remove_file(&path) {
            if e.kind() != std::io::ErrorKind::NotFound {
                tracing::warn!(error = %e, path = %path.display(), "could not delete an image file");
            }
        }
    }
}
