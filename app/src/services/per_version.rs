//! One value kept while the catalog version it was read at is still the database's
//! (`CatalogStore::catalog_version`, moved in the same transaction as every change a storefront
//! listing is built from): the category tree and the search vocabulary are kept this way.
use super::catalog_store::{CatalogStore, StoreError};
use std::future::Future;
use std::sync::{Arc, Mutex};

pub struct PerVersion<T>(Mutex<Option<(i64, Arc<T>)>>);

impl<T> Default for PerVersion<T> {
    fn default() -> Self {
        PerVersion(Mutex::new(None))
    }
}

impl<T> PerVersion<T> {
    /// The kept value if the version has not moved since it was read, else `load`'s (kept).
    pub async fn get<F, Fut>(&self, store: &dyn CatalogStore, load: F) -> Result<Arc<T>, StoreError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, StoreError>>,
    {
        let version = store.catalog_version().await?;
        if let Some((seen, value)) = self.0.lock().unwrap_or_else(|e| e.into_inner()).as_ref()
            && *seen == version
        {
            return Ok(value.clone());
        }
        // Read after the version: at worst newer than it, and then replaced on the next change.
        let value = Arc::new(load().await?);
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some((version, value.clone()));
        Ok(value)
    }
}
