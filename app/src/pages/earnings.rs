//! `/admin/earnings`: what the marketplace owes a store. Its balance per currency (sales, less
//! refunds, commission and payouts), the commission rate it sells at, and its ledger newest first
//! (25 a page), with the whole ledger as a CSV file for the store's accounts. A sale counts once
//! its payment is captured; figures are worked out from the orders, refunds and payouts
//! themselves (`domain::payouts`).
use crate::api::payouts::store_earnings;
use crate::components::admin_nav::{AdminLayout, load_error};
use crate::components::form::{BUTTON_SECONDARY, CARD};
use crate::components::pagination::Pagination;
use crate::components::table::{Col, DataTable, HEAD_RULED};
use crate::domain::dates::ymd_hm;
use crate::domain::payouts::{Balance, Earnings, EntryKind, LedgerEntry};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn EarningsPage() -> impl IntoView {
    let query = use_query_map();
    let args = move || {
        let q = query.read();
        (
            q.get("store").and_then(|s| s.parse::<i64>().ok()),
            q.get("page").and_then(|s| s.parse::<i64>().ok()).unwrap_or(1).max(1),
        )
    };
    let data = Resource::new(args, |(store, page)| store_earnings(store, Some(page)));
    view! {
        <Title text="Earnings" />
        <AdminLayout>
            <Suspense fallback=|| view! { <div class="h-64 animate-pulse rounded-2xl bg-stone-200/70"></div> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => load_error(e, "/admin/earnings"),
                        Ok(earnings) => view! { <EarningsView earnings /> }.into_any(),
                    }
                })}
            </Suspense>
        </AdminLayout>
    }
}

#[component]
fn EarningsView(earnings: Earnings) -> impl IntoView {
    let store_q = format!("store={}", earnings.merchant_id);
    let rate_note = if earnings.own_rate {
        format!("The marketplace keeps {} of each sale before tax (this store's rate).", earnings.rate.percent())
    } else {
        format!("The marketplace keeps {} of each sale before tax (the marketplace's rate).", earnings.rate.percent())
    };
    let csv = format!("/admin/earnings/ledger.csv?{store_q}");
    view! {
        <header class="mb-6 flex flex-wrap items-end justify-between gap-3">
            <div>
                <p class="text-sm font-medium text-emerald-700">"Earnings"</p>
                <h1 class="text-2xl font-semibold tracking-tight" data-testid="earnings-title">{format!("Earnings · {}", earnings.name)}</h1>
                <p class="mt-1 text-sm text-stone-600" data-testid="commission-rate">
                    {rate_note} " A sale counts once its payment is captured."
                </p>
            </div>
            <a href=csv class=BUTTON_SECONDARY rel="external" download="" data-testid="ledger-csv">"Download ledger (CSV)"</a>
        </header>
        {if earnings.balances.is_empty() {
            view! {
                <p class=format!("{CARD} text-stone-600") data-testid="no-earnings">
                    "Nothing earned yet: sales show here once their payment is captured."
                </p>
            }
                .into_any()
        } else {
            view! {
                <div class="mb-6 grid gap-4">
                    {earnings.balances.iter().cloned().map(|b| view! { <BalanceCard b /> }).collect_view()}
                </div>
                <Ledger entries=earnings.entries.clone() />
                <div class="mt-4">
                    <Pagination base_path="/admin/earnings".into() base_query=store_q page=earnings.page as u32 last=earnings.pages as u32 />
                </div>
            }
                .into_any()
        }}
    }
}

#[component]
fn BalanceCard(b: Balance) -> impl IntoView {
    let money = move |minor: i64| crate::domain::money::Money::new(minor, b.currency).to_string();
    let figures = [
        ("Sales", money(b.sales_minor), "sales"),
        ("Refunds", money(-b.refunds_minor), "refunds"),
        ("Commission", money(-b.commission_minor), "commission"),
        ("Paid out", money(-b.payouts_minor), "payouts"),
    ];
    view! {
        <section class=format!("{CARD} grid gap-4 sm:grid-cols-[1fr_2fr] sm:items-center") data-testid="balance" data-currency=b.currency.code().to_string()>
            <div>
                <h2 class="text-sm font-medium text-stone-600">{format!("Owed to the store · {}", b.currency)}</h2>
                <p class="mt-1 text-3xl font-semibold tabular-nums tracking-tight text-stone-950" data-testid="balance-owed">{b.owed().to_string()}</p>
            </div>
            <dl class="grid grid-cols-2 gap-3 text-sm sm:grid-cols-4">
                {figures
                    .into_iter()
                    .map(|(label, value, id)| view! {
                        <div class="rounded-xl bg-stone-50 px-3 py-2">
                            <dt class="text-stone-600">{label}</dt>
                            <dd class="font-medium tabular-nums text-stone-900" data-testid=format!("balance-{id}")>{value}</dd>
                        </div>
                    })
                    .collect_view()}
            </dl>
        </section>
    }
}

fn amount_class(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::Sale | EntryKind::CommissionReturned => "text-emerald-800",
        EntryKind::Payout => "text-stone-900",
        EntryKind::Refund | EntryKind::Commission => "text-rose-800",
    }
}

#[component]
fn Ledger(entries: Vec<LedgerEntry>) -> impl IntoView {
    view! {
        <div class=format!("{CARD} overflow-x-auto p-0 sm:p-0")>
            <DataTable head=HEAD_RULED cols=vec![
                Col::new("Date", "hidden px-4 py-3 sm:table-cell"),
                Col::new("Entry", "px-3 py-3 sm:px-4"),
                Col::new("Reference", "hidden px-4 py-3 sm:table-cell"),
                Col::new("Amount", "px-3 py-3 text-right sm:px-4"),
            ]>
                {entries
                    .into_iter()
                    .map(|e| {
                        let reference = e.reference.clone();
                        view! {
                            <tr data-testid="ledger-row" data-kind=e.kind.as_str()>
                                <td class="hidden whitespace-nowrap px-4 py-3 text-stone-600 sm:table-cell">{ymd_hm(e.at)}</td>
                                <td class="px-3 py-3 sm:px-4">
                                    <span class="font-medium text-stone-900">{e.kind.label()}</span>
                                    // On a phone the date and reference sit under the entry.
                                    <p class="text-xs text-stone-500 sm:hidden">{format!("{} · {}", ymd_hm(e.at), e.reference)}</p>
                                </td>
                                <td class="hidden px-4 py-3 text-stone-700 sm:table-cell">{reference}</td>
                                <td class=format!("whitespace-nowrap px-3 py-3 text-right font-medium tabular-nums sm:px-4 {}", amount_class(e.kind)) data-testid="ledger-amount">
                                    {e.amount.to_string()}
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </DataTable>
        </div>
    }
}
