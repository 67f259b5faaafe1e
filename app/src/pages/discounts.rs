//! `/admin/discounts`: a store's own discount codes (they take off its items, or make its
//! standard shipping free), or, for the platform admin without a store, the marketplace's codes
//! (any store's items). Codes are made here and switched off or on again; they are never
//! deleted, as orders keep naming the code they used.
use crate::api::discounts::{CreateDiscountCode, SetDiscountActive, discount_codes};
use crate::components::admin_nav::{AdminLayout, load_error};
use crate::components::form::{ActionOutcome, BUTTON, BUTTON_SECONDARY, CARD};
use crate::components::table::{Col, DataTable, HEAD_RULED};
use crate::domain::discounts::DiscountRow;
use crate::domain::errors::AppError;
use crate::views::pricing::DiscountsPage;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const INPUT: &str = "block w-full rounded-lg border border-stone-300 bg-white px-3 py-2 text-base shadow-sm focus:border-emerald-600 sm:text-sm";
const LABEL: &str = "text-xs font-medium text-stone-700";

fn problem(e: &AppError) -> String {
    ["code", "kind", "value", "min_spend", "usage_limit", "last_day"]
        .iter()
        .find_map(|f| e.field(f))
        .unwrap_or_else(|| e.to_string())
}

#[component]
pub fn DiscountsPage() -> impl IntoView {
    let create = ServerAction::<CreateDiscountCode>::new();
    let toggle = ServerAction::<SetDiscountActive>::new();
    let query = use_query_map();
    let store = move || query.read().get("store").and_then(|s| s.parse::<i64>().ok());
    let data =
        Resource::new(move || (store(), create.version().get(), toggle.version().get()), |(s, _, _)| discount_codes(s));
    view! {
        <Title text="Discounts" />
        <AdminLayout>
            <Suspense fallback=|| view! { <div class="h-64 animate-pulse rounded-2xl bg-stone-200/70"></div> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => load_error(e, "/admin/discounts"),
                        Ok(page) => view! { <Codes page create toggle /> }.into_any(),
                    }
                })}
            </Suspense>
        </AdminLayout>
    }
}

#[component]
fn Codes(
    page: DiscountsPage,
    create: ServerAction<CreateDiscountCode>,
    toggle: ServerAction<SetDiscountActive>,
) -> impl IntoView {
    let outcome = move || match (create.value().get(), toggle.value().get()) {
        (Some(Err(e)), _) | (_, Some(Err(e))) => Some((false, problem(&e))),
        (Some(Ok(code)), _) => Some((true, format!("{code} is live: shoppers can use it at checkout now."))),
        (_, Some(Ok(()))) => Some((true, "Saved.".to_string())),
        _ => None,
    };
    let owner = page.merchant_id;
    let scope = match owner {
        Some(_) => {
            format!("Codes of {}: they take off its items only (or make its standard shipping free).", page.owner)
        }
        None => "The marketplace's codes: they take off items of any store.".to_string(),
    };
    let empty = page.codes.is_empty();
    view! {
        <header class="mb-6">
            <p class="text-sm font-medium text-emerald-700">"Discounts"</p>
            <h1 class="text-2xl font-semibold tracking-tight">"Discount codes"</h1>
            <p class="mt-1 max-w-2xl text-sm text-stone-600">{scope}</p>
        </header>
        <ActionOutcome outcome=Signal::derive(outcome) testid="discounts-outcome" />
        {if empty {
            view! { <p class=format!("{CARD} mb-6 text-sm text-stone-700") data-testid="no-codes">"No codes yet."</p> }.into_any()
        } else {
            view! {
                <div class=format!("{CARD} mb-6 overflow-x-auto p-0 sm:p-0")>
                    <DataTable head=HEAD_RULED cols=vec![
                        Col::new("Code", "px-3 py-3 sm:px-4"),
                        Col::new("Offer", "hidden px-4 py-3 sm:table-cell"),
                        Col::new("Used", "hidden px-4 py-3 md:table-cell"),
                        Col::new("", "px-3 py-3 text-right sm:px-4"),
                    ]>
                        {page.codes.into_iter().map(|c| view! { <CodeLine c owner toggle /> }).collect_view()}
                    </DataTable>
                </div>
            }.into_any()
        }}
        <section class=CARD aria-labelledby="new-code-heading">
            <h2 id="new-code-heading" class="text-lg font-semibold">"New code"</h2>
            <ActionForm action=create attr:class="mt-3 grid gap-3 md:grid-cols-3" attr:data-testid="discount-form">
                {owner.map(|id| view! { <input type="hidden" name="merchant_id" value=id /> })}
                <div>
                    <label for="discount-code" class=LABEL>"Code"</label>
                    <input id="discount-code" name="code" required maxlength="30" placeholder="SPRING-10" class=format!("{INPUT} uppercase") />
                </div>
                <div>
                    <label for="discount-kind" class=LABEL>"Offer"</label>
                    <select id="discount-kind" name="kind" class=INPUT>
                        <option value="percent">"Percent off the items"</option>
                        <option value="fixed">"Amount off the items"</option>
                        <option value="free_shipping">"Free standard shipping"</option>
                    </select>
                </div>
                <div>
                    <label for="discount-value" class=LABEL>"Percent or amount (not for free shipping)"</label>
                    <input id="discount-value" name="value" inputmode="decimal" placeholder="10" class=INPUT />
                </div>
                <div>
                    <label for="discount-min" class=LABEL>"Minimum order (optional)"</label>
                    <input id="discount-min" name="min_spend" inputmode="decimal" placeholder="50" class=INPUT />
                </div>
                <div>
                    <label for="discount-limit" class=LABEL>"Orders it may be used for (optional)"</label>
                    <input id="discount-limit" name="usage_limit" inputmode="numeric" placeholder="100" class=INPUT />
                </div>
                <div>
                    <label for="discount-last-day" class=LABEL>"Last day (optional)"</label>
                    <input id="discount-last-day" name="last_day" type="date" class=INPUT />
                </div>
                <div class="md:col-span-3">
                    <button type="submit" class=BUTTON data-testid="create-code">"Create code"</button>
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn CodeLine(c: DiscountRow, owner: Option<i64>, toggle: ServerAction<SetDiscountActive>) -> impl IntoView {
    let details =
        [c.condition.clone(), c.ends.clone()].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" · ");
    let (label, next) = if c.active { ("Switch off", "false") } else { ("Switch on", "true") };
    view! {
        <tr data-testid="code-row">
            <td class="px-3 py-3 sm:px-4">
                <span class="font-mono font-semibold text-stone-900">{c.code.clone()}</span>
                {(!c.active).then(|| view! { <span class="ml-2 rounded-full bg-stone-100 px-2 py-0.5 text-xs text-stone-600">"Off"</span> })}
                <p class="text-xs text-stone-500 sm:hidden">{c.offer.clone()}</p>
                <p class="text-xs text-stone-500">{details}</p>
            </td>
            <td class="hidden px-4 py-3 text-stone-700 sm:table-cell">{c.offer.clone()}</td>
            <td class="hidden px-4 py-3 text-stone-700 md:table-cell">{c.usage.clone()}</td>
            <td class="px-3 py-3 text-right sm:px-4">
                <ActionForm action=toggle>
                    {owner.map(|id| view! { <input type="hidden" name="merchant_id" value=id /> })}
                    <input type="hidden" name="code" value=c.code.clone() />
                    <input type="hidden" name="active" value=next />
                    <button type="submit" class=BUTTON_SECONDARY aria-label=format!("{label} {}", c.code)>{label}</button>
                </ActionForm>
            </td>
        </tr>
    }
}
