//! The dashboard's long lists read by cursor (`domain::paging`): the page a cursor names, or the
//! first page when the cursor leads nowhere, so a stale or edited link still shows a list.
use super::errors::store_err;
use crate::domain::errors::AppError;
use crate::domain::paging::{self, Cursor, Page};

/// The page at `cursor` of a list `read` fetches (at most `paging::fetch_size(size)` rows from a
/// cursor). The first page instead when a "newer" page reached the top, or when an "older" page
/// is empty: its cursor named a row that is gone, is another store's, or was the last.
pub async fn cursor_page<T, F, Fut>(
    read: F,
    key: fn(&T) -> i64,
    cursor: Cursor,
    size: usize,
) -> Result<Page<T>, AppError>
where
    F: Fn(Cursor) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<T>, super::StoreError>>,
{
    if cursor != Cursor::Newest
        && let Some(page) = paging::page(read(cursor).await.map_err(store_err)?, key, cursor, size)
        && !page.rows.is_empty()
    {
        return Ok(page);
    }
    Ok(paging::page(read(Cursor::Newest).await.map_err(store_err)?, key, Cursor::Newest, size).unwrap_or_default())
}
