//! Finding users, for the platform admin: by email or name, with their store and order count.
use crate::domain::admin_pages::UserList;
use crate::domain::errors::AppError;
use leptos::prelude::*;

#[server(endpoint = "admin/users")]
pub async fn find_users(q: Option<String>, page: Option<i64>) -> Result<UserList, AppError> {
    use super::guard::{Access, require};
    use crate::domain::admin_pages::PAGE_SIZE;
    require(Access::Admin).await?;
    let shop = super::guard::shop()?;
    let q: String = q.unwrap_or_default().trim().chars().take(100).collect();
    let page = page.unwrap_or(1).clamp(1, 100_000);
    let (rows, total) = shop
        .admin
        .find_users(&q, PAGE_SIZE, (page - 1) * PAGE_SIZE)
        .await
        .map_err(crate::services::accounts::store_err)?;
    Ok(UserList { q, rows, total, page })
}
