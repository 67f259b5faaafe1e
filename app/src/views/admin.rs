//! The dashboard's Overview: the signed-in staff member, their store and, for the platform
//! admin, every store.
use crate::domain::account::Principal;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoreSummary {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub status: String,
    pub product_count: i64,
    pub owner_email: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    pub principal: Principal,
    /// The signed-in merchant's own store.
    pub store: Option<StoreSummary>,
    /// Every store, for the platform admin only.
    pub stores: Option<Vec<StoreSummary>>,
    /// What waits for the merchant's own store.
    pub todo: Option<crate::domain::admin_pages::StoreTodo>,
}
