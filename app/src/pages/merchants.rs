//! `/admin/merchants` (platform admin): every store with its owner, product count and status,
//! and approve / suspend (a suspended store's products leave the storefront at once). Stores
//! waiting for approval are counted at the top.
use crate::api::admin::{SetStoreStatus, get_dashboard};
use crate::components::admin_nav::{AdminLayout, load_error};
use crate::components::forbidden::Forbidden;
use crate::pages::admin::StoresTable;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn MerchantsPage() -> impl IntoView {
    let set_status = ServerAction::<SetStoreStatus>::new();
    let dashboard = Resource::new(move || set_status.version().get(), |_| get_dashboard(Some(false)));
    view! {
        <Title text="Merchants" />
        <AdminLayout>
            <Suspense fallback=|| view! { <div class="h-64 animate-pulse rounded-2xl bg-stone-200/70"></div> }>
                {move || Suspend::new(async move {
                    match dashboard.await {
                        Err(e) => load_error(e, "/admin/merchants"),
                        Ok(d) => match d.stores {
                            // Only the platform admin gets every store.
                            None => view! { <Forbidden /> }.into_any(),
                            Some(stores) => {
                                let pending = stores.iter().filter(|s| s.status == "pending").count();
                                view! {
                                    <header class="mb-6">
                                        <p class="text-sm font-medium text-emerald-700">"Marketplace"</p>
                                        <h1 class="text-2xl font-semibold tracking-tight" data-testid="merchants-title">"Merchants"</h1>
                                        <p class="mt-1 text-sm text-stone-600" data-testid="merchants-pending">
                                            {match pending {
                                                0 => "No store is waiting for approval.".to_string(),
                                                1 => "1 store is waiting for approval.".to_string(),
                                                n => format!("{n} stores are waiting for approval."),
                                            }}
                                        </p>
                                    </header>
                                    <StoresTable stores set_status />
                                }
                                    .into_any()
                            }
                        },
                    }
                })}
            </Suspense>
        </AdminLayout>
    }
}
