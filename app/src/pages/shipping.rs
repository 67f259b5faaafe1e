//! `/admin/shipping`: the store's own shipping. Zones of destination countries, each with
//! standard rates by order value (one price, or bands like "0=4.99, 50=0") and an optional express
//! price; a zone "*" covers everywhere else. Without zones the store ships everywhere at the
//! marketplace's default rates; with zones, only where one covers. Checkout prices with these.
use crate::api::pricing::{AddShippingZone, DeleteShippingZone, shipping_zones};
use crate::components::admin_nav::{AdminLayout, load_error};
use crate::components::form::{ActionOutcome, BUTTON, BUTTON_SECONDARY, CARD};
use crate::components::table::{Col, DataTable, HEAD_RULED};
use crate::domain::errors::AppError;
use crate::views::pricing::{ShippingPage, ZoneRow};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const INPUT: &str = "block w-full rounded-lg border border-stone-300 bg-white px-3 py-2 text-base shadow-sm focus:border-emerald-600 sm:text-sm";
const LABEL: &str = "text-xs font-medium text-stone-700";

fn problem(e: &AppError) -> String {
    ["name", "countries", "bands", "express", "form"].iter().find_map(|f| e.field(f)).unwrap_or_else(|| e.to_string())
}

#[component]
pub fn ShippingPage() -> impl IntoView {
    let add = ServerAction::<AddShippingZone>::new();
    let remove = ServerAction::<DeleteShippingZone>::new();
    let query = use_query_map();
    let store = move || query.read().get("store").and_then(|s| s.parse::<i64>().ok());
    let data =
        Resource::new(move || (store(), add.version().get(), remove.version().get()), |(s, _, _)| shipping_zones(s));
    view! {
        <Title text="Shipping" />
        <AdminLayout>
            <Suspense fallback=|| view! { <div class="h-64 animate-pulse rounded-2xl bg-stone-200/70"></div> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => load_error(e, "/admin/shipping"),
                        Ok(page) => view! { <Zones page add remove /> }.into_any(),
                    }
                })}
            </Suspense>
        </AdminLayout>
    }
}

#[component]
fn Zones(
    page: ShippingPage,
    add: ServerAction<AddShippingZone>,
    remove: ServerAction<DeleteShippingZone>,
) -> impl IntoView {
    let outcome = move || match (add.value().get(), remove.value().get()) {
        (Some(Err(e)), _) | (_, Some(Err(e))) => Some((false, problem(&e))),
        (Some(Ok(())), _) => Some((true, "Zone added; checkout prices with it from now on.".to_string())),
        (_, Some(Ok(()))) => Some((true, "Zone removed.".to_string())),
        _ => None,
    };
    let id = page.merchant_id;
    let empty = page.zones.is_empty();
    view! {
        <header class="mb-6">
            <p class="text-sm font-medium text-emerald-700">"Shipping"</p>
            <h1 class="text-2xl font-semibold tracking-tight">{format!("Shipping · {}", page.store_name)}</h1>
            <p class="mt-1 max-w-2xl text-sm text-stone-600">
                "Where this store ships and what the shopper pays for it. A country belongs to one zone; a zone “*” covers everywhere else. Standard rates go by the value of the store's items in the order."
            </p>
        </header>
        <ActionOutcome outcome=Signal::derive(outcome) testid="shipping-outcome" />
        {if empty {
            view! {
                <p class=format!("{CARD} mb-6 text-sm text-stone-700") data-testid="no-zones">
                    {format!("No zones yet: this store ships everywhere at the marketplace's rates ({}). Add a zone to set your own; then the store ships only where a zone covers.", page.default_rates)}
                </p>
            }.into_any()
        } else {
            view! {
                <div class=format!("{CARD} mb-6 overflow-x-auto p-0 sm:p-0")>
                    <DataTable head=HEAD_RULED cols=vec![
                        Col::new("Zone", "px-3 py-3 sm:px-4"),
                        Col::new("Countries", "hidden px-4 py-3 md:table-cell"),
                        Col::new("Standard", "px-3 py-3 sm:px-4"),
                        Col::new("Express", "hidden px-4 py-3 sm:table-cell"),
                        Col::new("", "px-3 py-3 text-right sm:px-4"),
                    ]>
                        {page.zones.into_iter().map(|z| view! { <ZoneLine z store=id remove /> }).collect_view()}
                    </DataTable>
                </div>
            }.into_any()
        }}
        <section class=CARD aria-labelledby="add-zone-heading">
            <h2 id="add-zone-heading" class="text-lg font-semibold">"Add a zone"</h2>
            <ActionForm action=add attr:class="mt-3 grid gap-3 md:grid-cols-2" attr:data-testid="zone-form">
                <input type="hidden" name="merchant_id" value=id />
                <div>
                    <label for="zone-name" class=LABEL>"Name"</label>
                    <input id="zone-name" name="name" required maxlength="60" placeholder="Europe" class=INPUT />
                </div>
                <div>
                    <label for="zone-countries" class=LABEL>"Countries (codes, or * for everywhere else)"</label>
                    <input id="zone-countries" name="countries" required placeholder="GB, IE, FR" class=INPUT />
                </div>
                <div>
                    <label for="zone-bands" class=LABEL>"Standard shipping"</label>
                    <input id="zone-bands" name="bands" required placeholder="0=4.99, 50=0" class=INPUT aria-describedby="zone-bands-hint" />
                    <p id="zone-bands-hint" class="mt-1 text-xs text-stone-500">"One price (4.99), or from each order value its price: 0=4.99, 50=0 is free from $50."</p>
                </div>
                <div>
                    <label for="zone-express" class=LABEL>"Express (empty: none)"</label>
                    <input id="zone-express" name="express" inputmode="decimal" placeholder="14.99" class=INPUT />
                </div>
                <div class="md:col-span-2">
                    <button type="submit" class=BUTTON data-testid="add-zone">"Add zone"</button>
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn ZoneLine(z: ZoneRow, store: i64, remove: ServerAction<DeleteShippingZone>) -> impl IntoView {
    let countries = if z.countries == "*" { "Everywhere else".to_string() } else { z.countries.clone() };
    let express = if z.express.is_empty() { "—".to_string() } else { z.express.clone() };
    view! {
        <tr data-testid="zone-row">
            <td class="px-3 py-3 sm:px-4">
                <span class="font-medium text-stone-900">{z.name.clone()}</span>
                <p class="text-xs text-stone-500 md:hidden">{countries.clone()}</p>
            </td>
            <td class="hidden px-4 py-3 text-stone-700 md:table-cell">{countries}</td>
            <td class="px-3 py-3 tabular-nums text-stone-700 sm:px-4" data-testid="zone-bands">{z.bands.clone()}</td>
            <td class="hidden px-4 py-3 tabular-nums text-stone-700 sm:table-cell">{express}</td>
            <td class="px-3 py-3 text-right sm:px-4">
                <ActionForm action=remove>
                    <input type="hidden" name="merchant_id" value=store />
                    <input type="hidden" name="zone_id" value=z.id />
                    <button type="submit" class=BUTTON_SECONDARY aria-label=format!("Remove zone {}", z.name)>"Remove"</button>
                </ActionForm>
            </td>
        </tr>
    }
}
