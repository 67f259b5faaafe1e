//! `/admin/payouts` (platform admin): the marketplace's commission, and every store with what it
//! is owed per currency, where a payout the platform made (amount and the transfer's reference)
//! is recorded and the store's own commission rate set; the latest payouts; and the whole
//! marketplace's ledger as CSV. Every form is an ActionForm with an idempotency key where a
//! repeat would matter, so it works without JavaScript and a double click records one payout.
use crate::api::payouts::{RecordPayout, SetCommission, marketplace_payouts};
use crate::components::admin_nav::{AdminLayout, load_error};
use crate::components::form::{ActionOutcome, BUTTON, BUTTON_SECONDARY, CARD};
use crate::components::table::{Col, DataTable, HEAD_RULED};
use crate::domain::dates::ymd_hm;
use crate::domain::errors::AppError;
use crate::domain::money::Money;
use crate::domain::payouts::{PayoutsOverview, StoreMoney};
use leptos::prelude::*;
use leptos_meta::Title;

const INPUT: &str = "block w-full rounded-lg border border-stone-300 bg-white px-3 py-2 text-base shadow-sm focus:border-emerald-600 sm:text-sm";
const LABEL: &str = "text-xs font-medium text-stone-700";

/// What went wrong with the last submission, field messages first.
fn problem(e: &AppError) -> String {
    ["amount", "reference", "rate", "currency", "idempotency_key"]
        .iter()
        .find_map(|f| e.field(f))
        .unwrap_or_else(|| e.to_string())
}

#[component]
pub fn PayoutsPage() -> impl IntoView {
    let pay = ServerAction::<RecordPayout>::new();
    let rate = ServerAction::<SetCommission>::new();
    let data = Resource::new(move || (pay.version().get(), rate.version().get()), |_| marketplace_payouts());
    view! {
        <Title text="Payouts" />
        <AdminLayout>
            <Suspense fallback=|| view! { <div class="h-64 animate-pulse rounded-2xl bg-stone-200/70"></div> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => load_error(e, "/admin/payouts"),
                        Ok(overview) => view! { <Payouts overview pay rate /> }.into_any(),
                    }
                })}
            </Suspense>
        </AdminLayout>
    }
}

#[component]
fn Payouts(
    overview: PayoutsOverview,
    pay: ServerAction<RecordPayout>,
    rate: ServerAction<SetCommission>,
) -> impl IntoView {
    let outcome = move || match (pay.value().get(), rate.value().get()) {
        (Some(Err(e)), _) | (_, Some(Err(e))) => Some((false, problem(&e))),
        (Some(Ok(p)), _) => Some((
            true,
            format!("Payout of {} recorded (reference {}).", Money::new(p.amount_minor, p.currency), p.reference),
        )),
        (_, Some(Ok(()))) => Some((true, "Commission saved; it applies to orders placed from now on.".to_string())),
        _ => None,
    };
    let key = overview.action_key.clone();
    view! {
        <header class="mb-6 flex flex-wrap items-end justify-between gap-3">
            <div>
                <p class="text-sm font-medium text-emerald-700">"Marketplace"</p>
                <h1 class="text-2xl font-semibold tracking-tight">"Payouts"</h1>
                <p class="mt-1 text-sm text-stone-600">
                    "What each store is owed: captured sales, less refunds, the marketplace's commission and payouts already made."
                </p>
            </div>
            <a href="/admin/earnings/ledger.csv" class=BUTTON_SECONDARY rel="external" download="" data-testid="marketplace-ledger-csv">
                "Download ledger (CSV)"
            </a>
        </header>
        <ActionOutcome outcome=Signal::derive(outcome) testid="payouts-outcome" />
        <section class=format!("{CARD} mb-6") aria-labelledby="commission-heading">
            <h2 id="commission-heading" class="text-lg font-semibold">"Marketplace commission"</h2>
            <p class="mt-1 text-sm text-stone-600">
                {format!("Now {} of each order part before tax, unless a store has its own rate below. A change applies to orders placed after it.", overview.default_rate.percent())}
            </p>
            <ActionForm action=rate attr:class="mt-3 flex flex-wrap items-end gap-3" attr:data-testid="default-commission-form">
                <div>
                    <label for="default-rate" class=LABEL>"Commission (%)"</label>
                    <input id="default-rate" name="rate" inputmode="decimal" required class=format!("{INPUT} w-28") value=overview.default_rate.percent().trim_end_matches(" %").to_string() />
                </div>
                <button type="submit" class=BUTTON>"Save"</button>
            </ActionForm>
        </section>
        <h2 class="mb-3 text-lg font-semibold">"Stores"</h2>
        <div class="mb-8 grid gap-4">
            // Keyed by the page load's action key: after a payout or a rate change the cards are
            // new elements, so the forms come back empty instead of keeping what was typed (a
            // second press would otherwise pay again under the new key).
            {overview.stores.clone().into_iter().map(|s| view! { <StoreCard s key=key.clone() pay rate /> }).collect_view()}
        </div>
        <h2 class="mb-3 text-lg font-semibold">"Latest payouts"</h2>
        {if overview.recent.is_empty() {
            view! { <p class=format!("{CARD} text-stone-600") data-testid="no-payouts">"No payouts recorded yet."</p> }.into_any()
        } else {
            view! {
                <div class=format!("{CARD} overflow-x-auto p-0 sm:p-0")>
                    <DataTable head=HEAD_RULED cols=vec![
                        Col::new("Date", "hidden px-4 py-3 sm:table-cell"),
                        Col::new("Store", "px-3 py-3 sm:px-4"),
                        Col::new("Reference", "hidden px-4 py-3 sm:table-cell"),
                        Col::new("Amount", "px-3 py-3 text-right sm:px-4"),
                    ]>
                        {overview
                            .recent
                            .into_iter()
                            .map(|(p, name)| view! {
                                <tr data-testid="payout-row">
                                    <td class="hidden whitespace-nowrap px-4 py-3 text-stone-600 sm:table-cell">{ymd_hm(p.created_at)}</td>
                                    <td class="px-3 py-3 sm:px-4">
                                        <span class="font-medium text-stone-900">{name}</span>
                                        <p class="text-xs text-stone-500 sm:hidden">{format!("{} · {}", ymd_hm(p.created_at), p.reference)}</p>
                                    </td>
                                    <td class="hidden px-4 py-3 text-stone-700 sm:table-cell">{p.reference.clone()}</td>
                                    <td class="whitespace-nowrap px-3 py-3 text-right font-medium tabular-nums sm:px-4">{Money::new(p.amount_minor, p.currency).to_string()}</td>
                                </tr>
                            })
                            .collect_view()}
                    </DataTable>
                </div>
            }
                .into_any()
        }}
    }
}

#[component]
fn StoreCard(
    s: StoreMoney,
    key: String,
    pay: ServerAction<RecordPayout>,
    rate: ServerAction<SetCommission>,
) -> impl IntoView {
    let id = s.merchant_id;
    let rate_text = match s.own_rate {
        Some(r) => format!("Own rate {}", r.percent()),
        None => "Marketplace rate".to_string(),
    };
    let own = s.own_rate.map(|r| r.percent().trim_end_matches(" %").to_string()).unwrap_or_default();
    view! {
        <section class=CARD data-testid="store-money" data-store=id>
            <div class="flex flex-wrap items-baseline justify-between gap-2">
                <h3 class="text-base font-semibold">
                    <a href=format!("/admin/earnings?store={id}") class="hover:underline">{s.name.clone()}</a>
                </h3>
                <span class="text-sm text-stone-600" data-testid="store-rate">{rate_text}</span>
            </div>
            {if s.balances.is_empty() {
                view! { <p class="mt-2 text-sm text-stone-600">"No captured sales yet."</p> }.into_any()
            } else {
                s.balances
                    .iter()
                    .map(|b| {
                        let currency = b.currency.code().to_string();
                        let form_key = format!("{key}{id}{currency}");
                        // Once a payout is recorded the form is emptied: the page rebuilds the
                        // cards in place and an input keeps what was typed, so a second press would
                        // pay again (under the page's new key). (Keyed `<For>` cards would be new
                        // elements, but its diffing code then moves into every shopper's first
                        // download: +30 KB brotli.)
                        let form = NodeRef::<leptos::html::Form>::new();
                        Effect::new(move |_| {
                            if matches!(pay.value().get(), Some(Ok(_))) && let Some(form) = form.get_untracked() {
                                form.reset();
                            }
                        });
                        view! {
                            <div class="mt-3 grid gap-3 border-t border-stone-100 pt-3 md:grid-cols-[12rem_1fr] md:items-end">
                                <div>
                                    <p class="text-xs font-medium uppercase tracking-wide text-stone-500">{format!("Owed · {currency}")}</p>
                                    <p class="text-2xl font-semibold tabular-nums" data-testid="store-owed" data-currency=currency.clone()>{b.owed().to_string()}</p>
                                </div>
                                <ActionForm action=pay node_ref=form attr:class="flex flex-wrap items-end gap-3" attr:data-testid="payout-form">
                                    <input type="hidden" name="merchant_id" value=id />
                                    <input type="hidden" name="currency" value=currency.clone() />
                                    <input type="hidden" name="idempotency_key" value=form_key />
                                    <div>
                                        <label for=format!("amount-{id}-{currency}") class=LABEL>"Amount paid"</label>
                                        <input id=format!("amount-{id}-{currency}") name="amount" inputmode="decimal" required placeholder="0.00" class=format!("{INPUT} w-32") />
                                    </div>
                                    <div class="min-w-40 flex-1">
                                        <label for=format!("reference-{id}-{currency}") class=LABEL>"Transfer reference"</label>
                                        <input id=format!("reference-{id}-{currency}") name="reference" required maxlength="100" class=INPUT />
                                    </div>
                                    <button type="submit" class=BUTTON data-testid="record-payout">"Record payout"</button>
                                </ActionForm>
                            </div>
                        }
                    })
                    .collect_view()
                    .into_any()
            }}
            <details class="mt-3 text-sm">
                <summary class="cursor-pointer text-stone-700">"Store commission"</summary>
                <ActionForm action=rate attr:class="mt-2 flex flex-wrap items-end gap-3" attr:data-testid="store-commission-form">
                    <input type="hidden" name="merchant_id" value=id />
                    <div>
                        <label for=format!("rate-{id}") class=LABEL>"Own rate (%), blank for the marketplace's"</label>
                        <input id=format!("rate-{id}") name="rate" inputmode="decimal" class=format!("{INPUT} w-28") value=own />
                    </div>
                    <button type="submit" class=BUTTON_SECONDARY>"Save rate"</button>
                </ActionForm>
            </details>
        </section>
    }
}
