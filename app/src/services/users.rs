//! Finding users, for the platform admin: by email or name, with their store and order count.
use super::Shop;
use super::errors::store_err;
use crate::domain::admin_pages::{PAGE_SIZE, UserList};
use crate::domain::errors::AppError;

/// One page of the users whose email or name contains `q` (blank: everyone), newest first.
pub async fn find(shop: &Shop, q: &str, page: i64) -> Result<UserList, AppError> {
    let q: String = q.trim().chars().take(100).collect();
    let page = page.clamp(1, 100_000);
    let (rows, total) = shop.admin.find_users(&q, PAGE_SIZE, (page - 1) * PAGE_SIZE).await.map_err(store_err)?;
    Ok(UserList { q, rows, total, page })
}
