//! Finding users, for the platform admin: by email or name, with their store and order count.
use crate::domain::admin_pages::UserList;
use crate::domain::errors::AppError;
use leptos::prelude::*;

#[server(endpoint = "admin/users")]
pub async fn find_users(q: Option<String>, page: Option<i64>) -> Result<UserList, AppError> {
    use super::guard::{Access, require};
    require(Access::Admin).await?;
    crate::services::users::find(&super::guard::shop()?, &q.unwrap_or_default(), page.unwrap_or(1)).await
}
