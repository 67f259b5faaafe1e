//! Stores as the dashboard sees them: the Overview (the caller's store, its open work and, for
//! the platform admin, every store), one store's summary, and the one look-up of a store's name
//! that every dashboard page shows in its heading.
use super::Shop;
use super::errors::store_err;
use crate::domain::account::Principal;
use crate::domain::admin_pages::StoreSettings;
use crate::domain::errors::AppError;
use crate::views::admin::{Dashboard, StoreSummary};

/// The store's name for a page heading (blank for a store that does not exist: the page's own
/// query already answered for it).
pub async fn store_name(shop: &Shop, merchant_id: i64) -> Result<String, AppError> {
    Ok(settings(shop, merchant_id).await?.map(|s| s.name).unwrap_or_default())
}

/// The store's settings row, `None` when there is no such store.
pub async fn settings(shop: &Shop, merchant_id: i64) -> Result<Option<StoreSettings>, AppError> {
    shop.admin.store_settings(merchant_id).await.map_err(store_err)
}

/// Every store; with their product counts only when `counted` (a count of every product in the
/// marketplace: the Overview shows them, the nav on every other /admin page does not).
async fn all_stores(shop: &Shop, counted: bool) -> Result<Vec<StoreSummary>, AppError> {
    let rows = shop.accounts.merchants(counted).await.map_err(store_err)?;
    Ok(rows
        .into_iter()
        .map(|m| StoreSummary {
            id: m.id,
            name: m.name,
            slug: m.slug,
            status: m.status.as_str().to_string(),
            product_count: m.product_count,
            owner_email: m.owner_email,
        })
        .collect())
}

/// The Overview for `principal` (staff of a store, or the platform admin). `open_work: false`
/// skips counting the store's open work: the nav, on every /admin page, needs only the stores.
pub async fn dashboard(shop: &Shop, principal: Principal, open_work: bool) -> Result<Dashboard, AppError> {
    let stores = all_stores(shop, open_work).await?;
    let own = principal.store.as_ref().map(|s| s.merchant_id);
    let store = own.and_then(|id| stores.iter().find(|s| s.id == id).cloned());
    let stores = principal.is_admin.then_some(stores);
    let todo = match own.filter(|_| open_work) {
        Some(id) => {
            let threshold = shop.inventory.low_stock_threshold(id).await.map_err(store_err)?;
            Some(shop.admin.store_todo(id, threshold).await.map_err(store_err)?)
        }
        None => None,
    };
    Ok(Dashboard { principal, store, stores, todo })
}

/// One store's summary (with its owner and product count).
pub async fn summary(shop: &Shop, merchant_id: i64) -> Result<StoreSummary, AppError> {
    all_stores(shop, true)
        .await?
        .into_iter()
        .find(|s| s.id == merchant_id)
        .ok_or_else(|| AppError::NotFound("No such store.".into()))
}
