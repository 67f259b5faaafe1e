//! `/admin/users` (platform admin): find accounts by email or name with a plain GET form
//! (`?q=…`), newest first, 25 a page: name, email, role (platform admin, store owner or staff
//! with the store's name, shopper), when they joined and how many orders they placed.
use crate::api::users::find_users;
use crate::components::admin_nav::{AdminLayout, load_error};
use crate::components::form::{BUTTON, CARD};
use crate::components::pagination::Pagination;
use crate::components::table::{Col, DataTable, HEAD_RULED};
use crate::domain::account::StoreRole;
use crate::domain::admin_pages::{PAGE_SIZE, UserList, UserRow};
use crate::domain::dates::ymd;
use crate::domain::search::url_encode;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn UsersPage() -> impl IntoView {
    let query = use_query_map();
    let args = move || {
        let q = query.read();
        (
            q.get("q").map(|s| s.trim().to_string()).unwrap_or_default(),
            q.get("page").and_then(|s| s.parse::<i64>().ok()).unwrap_or(1).max(1),
        )
    };
    let list = Resource::new(args, |(q, page)| find_users(Some(q), Some(page)));
    view! {
        <Title text="Users" />
        <AdminLayout>
            <Suspense fallback=|| view! { <div class="h-64 animate-pulse rounded-2xl bg-stone-200/70"></div> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Err(e) => load_error(e, "/admin/users"),
                        Ok(list) => view! { <Users list /> }.into_any(),
                    }
                })}
            </Suspense>
        </AdminLayout>
    }
}

fn role(u: &UserRow) -> String {
    match (&u.store_name, &u.store_role) {
        _ if u.is_admin => "Platform admin".into(),
        (Some(store), Some(role)) => {
            format!("{} of {store}", if *role == StoreRole::Owner { "Owner" } else { "Staff" })
        }
        _ => "Shopper".into(),
    }
}

#[component]
fn Users(list: UserList) -> impl IntoView {
    let last = ((list.total + PAGE_SIZE - 1) / PAGE_SIZE).max(1) as u32;
    let base_query = if list.q.is_empty() { String::new() } else { format!("q={}", url_encode(&list.q)) };
    view! {
        <header class="mb-6">
            <p class="text-sm font-medium text-emerald-700">"Marketplace"</p>
            <h1 class="text-2xl font-semibold tracking-tight" data-testid="users-title">"Users"</h1>
        </header>
        <form method="get" action="/admin/users" role="search" class="mb-4 flex gap-2">
            <label for="user-q" class="sr-only">"Email or name"</label>
            <input id="user-q" name="q" type="search" value=list.q.clone() placeholder="Email or name" class="min-w-0 flex-1 rounded-lg border border-stone-300 bg-white px-3 py-2 text-base sm:text-sm" />
            <button type="submit" class=BUTTON>"Find"</button>
        </form>
        <p class="mb-3 text-sm text-stone-600" data-testid="users-count">
            {if list.q.is_empty() { format!("{} accounts", list.total) } else { format!("{} accounts match “{}”", list.total, list.q) }}
        </p>
        {if list.rows.is_empty() {
            view! { <p class=format!("{CARD} text-stone-600")>"No account matches; try part of the email address."</p> }.into_any()
        } else {
            view! {
                <div class=format!("{CARD} overflow-x-auto p-0 sm:p-0")>
                    <DataTable head=HEAD_RULED cols=vec![
                        Col::new("Account", "px-4 py-3"),
                        Col::new("Role", "px-4 py-3"),
                        Col::new("Joined", "hidden px-4 py-3 sm:table-cell"),
                        Col::new("Orders", "px-4 py-3 text-right"),
                    ]>
                        {list
                            .rows
                            .into_iter()
                            .map(|u| view! {
                                <tr data-testid="user-row">
                                    <td class="px-4 py-3">
                                        <p class="font-medium text-stone-900">{u.display_name.clone()}</p>
                                        <p class="break-all text-xs text-stone-500">{u.email.clone()}</p>
                                    </td>
                                    <td class="px-4 py-3 text-stone-700">{role(&u)}</td>
                                    <td class="hidden px-4 py-3 text-stone-600 sm:table-cell">{ymd(u.created_at)}</td>
                                    <td class="px-4 py-3 text-right tabular-nums">{u.order_count}</td>
                                </tr>
                            })
                            .collect_view()}
                    </DataTable>
                </div>
                <div class="mt-4">
                    <Pagination base_path="/admin/users".into() base_query page=list.page as u32 last />
                </div>
            }
                .into_any()
        }}
    }
}
