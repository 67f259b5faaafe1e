//! Use cases on the server. They depend on the store traits ("ports"), never on a backend;
//! the server binary hands them a concrete store through Leptos context.
pub mod catalog;
pub mod catalog_store;

use std::sync::Arc;

pub use catalog_store::{CatalogStore, StoreError};

/// Everything a server function needs, provided once per request via context.
#[derive(Clone)]
pub struct Shop {
    pub catalog: Arc<dyn CatalogStore>,
}

impl Shop {
    pub fn new(catalog: Arc<dyn CatalogStore>) -> Self {
        Shop { catalog }
    }
}
