//! The storage port for the merchant's products: the store's own table, one product to edit,
//! and create or update in one transaction. Both SQL adapters implement it.
use super::catalog_store::StoreError;
use crate::domain::errors::FieldErrors;
use crate::domain::product_form::{AdminProductRow, ProductFilter, StoredForm, ValidProduct};
use async_trait::async_trait;

/// Why a save wrote nothing.
#[derive(Debug)]
pub enum SaveError {
    /// Field-level problems only the database can see: a taken slug or SKU, a category that
    /// does not exist, a variant that has been ordered and so cannot be removed.
    Invalid(FieldErrors),
    /// No such product in this store.
    NotFound,
    Store(StoreError),
}

impl From<StoreError> for SaveError {
    fn from(e: StoreError) -> Self {
        SaveError::Store(e)
    }
}

#[async_trait]
pub trait ProductAdminStore: Send + Sync + 'static {
    /// The store's products (drafts too) matching `filter`, in its sort order, read by cursor
    /// (`domain::paging`: `Before` reads down the list from a product, `After` up from it). At
    /// most `limit` rows; nothing is counted.
    async fn admin_products(
        &self,
        merchant_id: i64,
        filter: &ProductFilter,
        cursor: crate::domain::paging::Cursor,
        limit: i64,
    ) -> Result<Vec<AdminProductRow>, StoreError>;

    /// A product of any store with its variants, for editing; the caller checks the store.
    async fn product_form(&self, id: i64) -> Result<Option<StoredForm>, StoreError>;

    /// Every category as (id, name), for the form and the filter.
    async fn category_names(&self) -> Result<Vec<(i64, String)>, StoreError>;

    /// Creates (`id` None) or updates the store's product in one transaction; returns its id.
    /// Variants are matched by SKU: existing ones are updated, new ones inserted, missing ones
    /// deleted unless they have been ordered (then the save is refused with a message).
    async fn save_product(&self, merchant_id: i64, id: Option<i64>, product: &ValidProduct) -> Result<i64, SaveError>;
}
