//! `/admin`: the dashboard's overview. A merchant sees its store's status and product count; the
//! platform admin sees every store with approve/suspend (also under `/admin/merchants`).
use crate::api::admin::{SetStoreStatus, get_dashboard};
use crate::components::admin_nav::AdminLayout;
use crate::components::forbidden::Forbidden;
use crate::components::form::{BUTTON_SECONDARY, CARD};
use crate::components::status::LoadFailed;
use crate::components::table::{Col, DataTable};
use crate::domain::errors::AppError;
use crate::views::admin::{Dashboard, StoreSummary};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

#[component]
pub fn AdminPage() -> impl IntoView {
    let set_status = ServerAction::<SetStoreStatus>::new();
    let dashboard = Resource::new(move || set_status.version().get(), |_| get_dashboard(None));
    view! {
        <Title text="Dashboard" />
        <AdminLayout>
        <Suspense fallback=|| view! { <div class="h-64 animate-pulse rounded-2xl bg-stone-200/70"></div> }>
            {move || Suspend::new(async move {
                match dashboard.await {
                    Err(AppError::Unauthenticated) => view! { <Redirect path="/login?next=/admin" /> }.into_any(),
                    Err(AppError::Forbidden) => view! { <Forbidden /> }.into_any(),
                    Err(e) => view! { <LoadFailed message=e.to_string() /> }.into_any(),
                    Ok(d) => view! { <DashboardView data=d set_status /> }.into_any(),
                }
            })}
        </Suspense>
        </AdminLayout>
    }
}

#[component]
fn DashboardView(data: Dashboard, set_status: ServerAction<SetStoreStatus>) -> impl IntoView {
    view! {
        <header class="mb-6">
            <p class="text-sm font-medium text-emerald-700">"Dashboard"</p>
            <h1 class="text-2xl font-semibold tracking-tight" data-testid="dashboard-title">
                {data.store.as_ref().map(|s| s.name.clone()).unwrap_or_else(|| "Marketplace".into())}
            </h1>
        </header>
        {data.store.map(|s| view! { <StoreCard store=s /> })}
        {data.todo.map(|t| view! { <TodoCards todo=t /> })}
        {data.stores.map(|stores| view! { <StoresTable stores set_status /> })}
        {data.principal.is_admin.then(|| view! {
            <p class="mt-6 text-sm text-stone-600">
                "The ranking formula's weights, with a preview, are under "
                <a href="/admin/ranking" class="font-medium text-emerald-700 hover:underline">"Ranking"</a>"."
            </p>
        })}
    }
}

pub fn status_badge(status: &str) -> &'static str {
    match status {
        "active" => "bg-emerald-50 text-emerald-800 ring-emerald-200",
        "pending" => "bg-amber-50 text-amber-800 ring-amber-200",
        _ => "bg-rose-50 text-rose-800 ring-rose-200",
    }
}

/// The store's open work, each figure a link to the page that clears it.
#[component]
fn TodoCards(todo: crate::domain::admin_pages::StoreTodo) -> impl IntoView {
    let items = [
        (todo.to_fulfil, "orders to ship", "/admin/orders"),
        (todo.to_capture, "payments to capture", "/admin/payments?status=authorized"),
        (todo.low_stock, "variants low on stock", "/admin/inventory?low=true"),
        (todo.unanswered_reviews, "reviews to answer", "/admin/reviews?unanswered=true"),
    ];
    view! {
        <ul class="mb-6 grid grid-cols-2 gap-3 lg:grid-cols-4" aria-label="Waiting for you" data-testid="store-todo">
            {items
                .into_iter()
                .map(|(n, label, href)| {
                    let tone = if n > 0 { "text-stone-950" } else { "text-stone-400" };
                    view! {
                        <li>
                            <a href=href class=format!("{CARD} block p-4 hover:ring-stone-400 sm:p-4")>
                                <span class=format!("block text-2xl font-semibold tabular-nums {tone}")>{n}</span>
                                <span class="mt-1 block text-sm text-stone-600">{label}</span>
                            </a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

#[component]
fn StoreCard(store: StoreSummary) -> impl IntoView {
    let note = match store.status.as_str() {
        "pending" => "Your store is waiting for approval; products appear in the shop once it is approved.",
        "suspended" => "Your store is suspended; its products are hidden from the shop.",
        _ => "Your store is live.",
    };
    view! {
        <section class=format!("{CARD} mb-6") aria-label="Your store">
            <div class="flex flex-wrap items-center gap-3">
                <span class=format!("rounded-full px-2.5 py-0.5 text-xs font-semibold ring-1 {}", status_badge(&store.status)) data-testid="store-status">
                    {store.status.clone()}
                </span>
                <span class="text-sm text-stone-600">{format!("{} products", store.product_count)}</span>
            </div>
            <p class="mt-3 text-sm text-stone-700">{note}</p>
            <p class="mt-3 text-sm">
                <a href="/admin/analytics" class="font-medium text-emerald-700 hover:underline">"Analytics"</a>
            </p>
        </section>
    }
}

#[component]
pub fn StoresTable(stores: Vec<StoreSummary>, set_status: ServerAction<SetStoreStatus>) -> impl IntoView {
    view! {
        <section id="stores" class=format!("{CARD} scroll-mt-32") aria-labelledby="stores-heading">
            <h2 id="stores-heading" class="text-lg font-semibold">"Stores"</h2>
            <div class="mt-4 overflow-x-auto">
                <DataTable cols=vec![
                    Col::new("Store", "py-2 pr-4"),
                    Col::new("Owner", "py-2 pr-4"),
                    Col::new("Products", "py-2 pr-4"),
                    Col::new("Status", "py-2 pr-4"),
                    Col::new("Action", "py-2"),
                ]>
                    {stores
                        .into_iter()
                        .map(|s| {
                            let (label, next) = if s.status == "active" { ("Suspend", "suspended") } else { ("Approve", "active") };
                            view! {
                                <tr data-testid="store-row">
                                    <td class="py-2 pr-4 font-medium">{s.name.clone()}</td>
                                    <td class="py-2 pr-4 text-stone-600">{s.owner_email.clone().unwrap_or_default()}</td>
                                    <td class="py-2 pr-4 tabular-nums">{s.product_count}</td>
                                    <td class="py-2 pr-4">
                                        <span class=format!("rounded-full px-2.5 py-0.5 text-xs font-semibold ring-1 {}", status_badge(&s.status))>
                                            {s.status.clone()}
                                        </span>
                                    </td>
                                    <td class="py-2">
                                        <ActionForm action=set_status>
                                            <input type="hidden" name="merchant_id" value=s.id />
                                            <input type="hidden" name="status" value=next />
                                            <button type="submit" class=BUTTON_SECONDARY>{label}</button>
                                        </ActionForm>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </DataTable>
            </div>
        </section>
    }
}
