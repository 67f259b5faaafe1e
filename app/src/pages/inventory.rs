//! `/admin/inventory`: the store's variants with their stock — searchable by title or SKU and
//! filtered to low stock with a plain GET form (`?q=…&low=true`), 50 a page by cursor — the store's
//! low-stock threshold, and for a chosen variant (`?variant=ID`) an adjust form (a change with a
//! reason: received, damaged, correction, and a note) and its history of adjustments with the
//! stock each left. Every form works without JavaScript. `?store=ID` picks the store for the
//! platform admin.
use crate::api::inventory::{AdjustStock, SetThreshold, inventory, stock_history};
use crate::components::admin_nav::AdminLayout;
use crate::components::forbidden::Forbidden;
use crate::components::form::{BUTTON, BUTTON_SECONDARY, CARD, FormAlert, last_error};
use crate::components::pagination::{CursorPager, PagerLabels};
use crate::components::status::LoadFailed;
use crate::components::table::{Col, DataTable};
use crate::domain::dates::ymd_hm;
use crate::domain::errors::AppError;
use crate::domain::inventory::{InventoryList, MAX_NOTE, Reason, VariantHistory, signed};
use crate::domain::paging::{Cursor, link_query};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

const INPUT: &str = "mt-1 block w-full rounded-lg border border-stone-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-emerald-600 aria-[invalid=true]:border-rose-500";
const LABEL: &str = "text-sm font-medium text-stone-800";

#[derive(Clone, Debug, PartialEq)]
struct Args {
    store: Option<i64>,
    q: String,
    low: bool,
    cursor: Cursor,
    variant: Option<i64>,
}

impl Args {
    /// The list's parameters (store, search, filter), without the cursor and the variant.
    fn list_params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("store", self.store.map(|s| s.to_string()).unwrap_or_default()),
            ("q", self.q.clone()),
            ("low", if self.low { "true".into() } else { String::new() }),
        ]
    }

    /// This page of the list with a variant's adjust panel open.
    fn variant_href(&self, variant: i64) -> String {
        let params = self.list_params();
        let pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let q = link_query(&pairs, self.cursor);
        format!("/admin/inventory?{q}{}variant={variant}#adjust", if q.is_empty() { "" } else { "&" })
    }
}

#[component]
pub fn InventoryPage() -> impl IntoView {
    let query = use_query_map();
    let args = move || {
        let q = query.read();
        Args {
            store: q.get("store").and_then(|s| s.parse().ok()),
            q: q.get("q").map(|s| s.trim().to_string()).unwrap_or_default(),
            low: q.get("low").is_some_and(|v| v == "true" || v == "on" || v == "1"),
            cursor: Cursor::from_params(q.get("before").as_deref(), q.get("after").as_deref()),
            variant: q.get("variant").and_then(|s| s.parse().ok()),
        }
    };
    let adjust = ServerAction::<AdjustStock>::new();
    let threshold = ServerAction::<SetThreshold>::new();
    let version = move || adjust.version().get() + threshold.version().get();
    let list = Resource::new(
        move || (args(), version()),
        |(a, _)| {
            let (before, after) = a.cursor.keys();
            inventory(a.store, (!a.q.is_empty()).then_some(a.q), Some(a.low), before, after)
        },
    );
    let history = Resource::new(
        move || (args().store, args().variant, version()),
        |(store, variant, _)| async move {
            match variant {
                Some(v) => stock_history(store, v).await.map(Some),
                None => Ok(None),
            }
        },
    );
    view! {
        <Title text="Inventory" />
        <AdminLayout>
            <Suspense fallback=|| view! { <div class="h-64 animate-pulse rounded-2xl bg-stone-200/70"></div> }>
                {move || Suspend::new(async move {
                    let a = args();
                    match (list.await, history.await) {
                        (Err(AppError::Unauthenticated), _) => {
                            view! { <Redirect path="/login?next=/admin/inventory" /> }.into_any()
                        }
                        (Err(AppError::Forbidden), _) => view! { <Forbidden /> }.into_any(),
                        (Err(e), _) => {
                            view! { <LoadFailed message=e.field("store").unwrap_or_else(|| e.to_string()) /> }
                                .into_any()
                        }
                        (Ok(list), history) => view! { <Inventory list history a adjust threshold /> }.into_any(),
                    }
                })}
            </Suspense>
        </AdminLayout>
    }
}

#[component]
fn Inventory(
    list: InventoryList,
    history: Result<Option<VariantHistory>, AppError>,
    a: Args,
    adjust: ServerAction<AdjustStock>,
    threshold: ServerAction<SetThreshold>,
) -> impl IntoView {
    let explicit = a.store;
    let filtered = if list.low_only { " at or below the threshold" } else { "" };
    let searched = if list.q.is_empty() { String::new() } else { format!(" matching “{}”", list.q) };
    let key = list.action_key.clone();
    let (params, paged) = (a.list_params(), a.cursor != Cursor::Newest);
    view! {
        <header class="mb-4">
            <h1 class="text-2xl font-semibold tracking-tight" data-testid="inventory-title">
                {format!("Inventory · {}", list.store_name)}
            </h1>
            <p class="mt-1 text-sm text-stone-600">
                {format!("Variants{searched}{filtered}, by product. Low stock means {} or fewer.", list.threshold)}
            </p>
        </header>
        {match history {
            Ok(Some(h)) => view! { <VariantPanel h explicit key adjust /> }.into_any(),
            Ok(None) => ().into_any(),
            Err(e) => view! { <p role="alert" class="mb-4 rounded-lg bg-rose-50 px-4 py-3 text-sm text-rose-800">{e.to_string()}</p> }.into_any(),
        }}
        <div class="mb-4 grid gap-4 xl:grid-cols-[1fr_auto]">
            <form method="get" action="/admin/inventory" class=format!("{CARD} flex flex-wrap items-end gap-3") aria-label="Search inventory">
                {explicit.map(|id| view! { <input type="hidden" name="store" value=id /> })}
                <div class="min-w-48 flex-1">
                    <label for="inventory-q" class=LABEL>"Title or SKU"</label>
                    <input id="inventory-q" name="q" type="search" value=list.q.clone() class=INPUT />
                </div>
                <label class="flex items-center gap-2 py-2 text-sm text-stone-800">
                    <input type="checkbox" name="low" value="true" checked=list.low_only class="h-4 w-4 rounded border-stone-300" data-testid="low-only" />
                    "Low stock only"
                </label>
                <button type="submit" class=BUTTON>"Show"</button>
            </form>
            <ThresholdForm current=list.threshold explicit action=threshold />
        </div>
        <section class="overflow-hidden rounded-2xl bg-white ring-1 ring-stone-200" aria-label="Stock">
            {if list.page.rows.is_empty() {
                view! { <p class="p-6 text-sm text-stone-600" data-testid="inventory-empty">"No variants match."</p> }.into_any()
            } else {
                view! {
                    <div class="overflow-x-auto">
                        <DataTable head="bg-stone-50 text-xs uppercase tracking-wide text-stone-500" testid="inventory-table" cols=vec![
                            Col::new("Product", "px-4 py-3 font-semibold"),
                            Col::new("SKU", "hidden px-4 py-3 font-semibold sm:table-cell"),
                            Col::new("Stock", "px-4 py-3 text-right font-semibold"),
                            Col::unseen("Actions", "px-4 py-3 font-semibold"),
                        ]>
                            {list.page.rows.iter().map(|r| {
                                let selected = a.variant == Some(r.variant_id);
                                view! {
                                    <tr class=selected.then_some("bg-emerald-50") data-testid="inventory-row" data-sku=r.sku.clone()>
                                        <td class="px-4 py-3">
                                            <span class="font-medium text-stone-900">{r.product_title.clone()}</span>
                                            <span class="block text-xs text-stone-500">{r.variant_title.clone()}</span>
                                            <span class="block font-mono text-xs text-stone-500 sm:hidden">{r.sku.clone()}</span>
                                        </td>
                                        <td class="hidden px-4 py-3 font-mono text-xs text-stone-600 sm:table-cell">{r.sku.clone()}</td>
                                        <td class="whitespace-nowrap px-4 py-3 text-right tabular-nums" data-testid="stock">
                                            {r.low.then(|| view! { <span class="mr-2 rounded-full bg-amber-100 px-2 py-0.5 text-xs font-semibold text-amber-900">"Low"</span> })}
                                            {r.stock}
                                        </td>
                                        <td class="whitespace-nowrap px-4 py-3 text-right">
                                            <a href=a.variant_href(r.variant_id) class="font-medium text-emerald-700 hover:underline" aria-current=selected.then_some("true")>
                                                "Adjust"<span class="sr-only">{format!(" {} {}", r.product_title, r.variant_title)}</span>
                                            </a>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </DataTable>
                    </div>
                }.into_any()
            }}
        </section>
        <CursorPager base_path="/admin/inventory" params older=list.page.older newer=list.page.newer paged labels=PagerLabels::IN_ORDER />
    }
}

#[component]
fn ThresholdForm(current: i64, explicit: Option<i64>, action: ServerAction<SetThreshold>) -> impl IntoView {
    let errors = last_error(action.value());
    let message = move || errors.get().and_then(|e| e.field("threshold"));
    view! {
        <ActionForm action attr:class=format!("{CARD} flex flex-wrap items-end gap-3") attr:aria-label="Low-stock threshold" attr:data-testid="threshold-form">
            {explicit.map(|id| view! { <input type="hidden" name="merchant_id" value=id /> })}
            <div class="w-32">
                <label for="threshold" class=LABEL>"Low stock at"</label>
                <input
                    id="threshold"
                    name="threshold"
                    type="number"
                    min="0"
                    max="10000"
                    step="1"
                    value=current
                    class=INPUT
                    aria-invalid=move || message().map(|_| "true")
                    aria-describedby="threshold-error"
                />
            </div>
            <button type="submit" class=BUTTON_SECONDARY>"Save"</button>
            <p id="threshold-error" class="basis-full text-sm text-rose-700 empty:hidden">{message}</p>
        </ActionForm>
    }
}

fn delta_class(delta: i64) -> &'static str {
    if delta > 0 {
        "py-2 pr-4 text-right font-medium tabular-nums text-emerald-700"
    } else {
        "py-2 pr-4 text-right font-medium tabular-nums text-rose-700"
    }
}

#[component]
fn VariantPanel(
    h: VariantHistory,
    explicit: Option<i64>,
    key: String,
    adjust: ServerAction<AdjustStock>,
) -> impl IntoView {
    let errors = last_error(adjust.value());
    let field = move |name: &'static str| move || errors.get().and_then(|e| e.field(name));
    let invalid = move |name: &'static str| move || errors.get().and_then(|e| e.field(name)).map(|_| "true");
    let done = move || {
        adjust
            .value()
            .get()
            .and_then(|r| r.ok())
            .filter(|d| d.variant_id == h.variant_id)
            .map(|d| format!("Stock changed by {}; {} in stock now.", signed(d.delta), d.stock_after))
    };
    view! {
        <section id="adjust" class=format!("{CARD} mb-6") aria-labelledby="adjust-heading" data-testid="variant-panel">
            <div class="flex flex-wrap items-baseline justify-between gap-2">
                <h2 id="adjust-heading" class="text-lg font-semibold">
                    {h.product_title.clone()}
                    <span class="font-normal text-stone-600">{format!(" · {}", h.variant_title)}</span>
                </h2>
                <p class="text-sm text-stone-600">
                    <span class="font-mono text-xs">{h.sku.clone()}</span>
                    " · "
                    <strong class="text-stone-900" data-testid="panel-stock">{h.stock}</strong>
                    " in stock"
                </p>
            </div>
            <p role="status" class="mt-3 rounded-lg bg-emerald-50 px-3 py-2 text-sm text-emerald-900 empty:hidden" data-testid="adjust-done">{done}</p>
            <ActionForm action=adjust attr:class="mt-4 grid gap-3 sm:grid-cols-[10rem_8rem_1fr_auto] sm:items-start" attr:data-testid="adjust-form">
                {explicit.map(|id| view! { <input type="hidden" name="merchant_id" value=id /> })}
                <input type="hidden" name="variant_id" value=h.variant_id />
                <input type="hidden" name="idempotency_key" value=key />
                <div>
                    <label for="reason" class=LABEL>"Reason"</label>
                    <select id="reason" name="reason" class=INPUT aria-invalid=invalid("reason") aria-describedby="reason-error">
                        {Reason::ALL.map(|r| view! { <option value=r.as_str()>{r.label()}</option> }).collect_view()}
                    </select>
                    <p id="reason-error" class="mt-1 text-sm text-rose-700 empty:hidden">{field("reason")}</p>
                </div>
                <div>
                    <label for="delta" class=LABEL>"Change"</label>
                    <input id="delta" name="delta" type="text" inputmode="numeric" placeholder="+10 or -2" required class=INPUT aria-invalid=invalid("delta") aria-describedby="delta-error" />
                    <p id="delta-error" class="mt-1 text-sm text-rose-700 empty:hidden" data-testid="error-delta">{field("delta")}</p>
                </div>
                <div>
                    <label for="note" class=LABEL>"Note " <span class="font-normal text-stone-500">"(optional)"</span></label>
                    <input id="note" name="note" type="text" maxlength=MAX_NOTE class=INPUT aria-invalid=invalid("note") aria-describedby="note-error" />
                    <p id="note-error" class="mt-1 text-sm text-rose-700 empty:hidden">{field("note")}</p>
                </div>
                <div class="sm:pt-6">
                    <button type="submit" class=BUTTON data-testid="adjust-submit">"Apply"</button>
                </div>
                <div class="sm:col-span-4"><FormAlert errors /></div>
            </ActionForm>
            <p class="mt-2 text-xs text-stone-500">"Received adds (positive), damaged removes (negative), a correction goes either way. Stock never goes below zero."</p>
            <h3 class="mt-6 text-sm font-semibold">"History"</h3>
            {if h.entries.is_empty() {
                view! { <p class="mt-2 text-sm text-stone-600" data-testid="history-empty">"No adjustments yet."</p> }.into_any()
            } else {
                view! {
                    <div class="mt-2 overflow-x-auto">
                        <DataTable testid="history" cols=vec![
                            Col::new("When", "py-2 pr-4 font-semibold"),
                            Col::new("Change", "py-2 pr-4 text-right font-semibold"),
                            Col::new("Reason", "py-2 pr-4 font-semibold"),
                            Col::new("Stock after", "py-2 pr-4 text-right font-semibold"),
                            Col::new("Note", "py-2 pr-4 font-semibold"),
                            Col::new("By", "py-2 font-semibold"),
                        ]>
                            {h.entries.into_iter().map(|e| view! {
                                <tr data-testid="history-row">
                                    <td class="whitespace-nowrap py-2 pr-4 text-stone-600">{ymd_hm(e.created_at)}</td>
                                    <td class=delta_class(e.delta)>{signed(e.delta)}</td>
                                    <td class="py-2 pr-4">{e.reason.label()}</td>
                                    <td class="py-2 pr-4 text-right tabular-nums">{e.stock_after}</td>
                                    <td class="max-w-64 break-words py-2 pr-4 text-stone-700">{e.note}</td>
                                    <td class="whitespace-nowrap py-2 text-stone-600">{e.by.unwrap_or_else(|| "—".into())}</td>
                                </tr>
                            }).collect_view()}
                        </DataTable>
                    </div>
                }.into_any()
            }}
        </section>
    }
}
