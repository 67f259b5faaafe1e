//! `/admin/analytics`: a store's figures for a period — revenue, paid orders, average order value
//! and refunds; revenue per day as an SVG line chart drawn on the server (with a table of the same
//! figures for screen readers and without pictures); orders by status; top products; and the
//! funnel from product views to adds to cart to paid orders. The period form is a plain GET
//! (`?from=YYYY-MM-DD&to=YYYY-MM-DD`), so the page works without JavaScript. `?store=ID` picks the
//! store for the platform admin. What counts is defined in `domain::analytics`.
use crate::api::analytics::store_analytics;
use crate::components::admin_nav::AdminLayout;
use crate::components::forbidden::Forbidden;
use crate::components::form::{BUTTON, CARD, FILTER_INPUT};
use crate::components::status::LoadFailed;
use crate::components::table::{Col, DataTable};
use crate::domain::analytics::{
    Analytics, DaySales, axis_money, bar_percent, line_chart, percent_label, short_day, ymd_of_day,
};
use crate::domain::errors::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

type Args = (Option<i64>, Option<String>, Option<String>);

#[component]
pub fn AnalyticsPage() -> impl IntoView {
    let query = use_query_map();
    let args = move || -> Args {
        let q = query.read();
        let text = |k: &str| q.get(k).filter(|s| !s.trim().is_empty());
        (q.get("store").and_then(|s| s.parse::<i64>().ok()), text("from"), text("to"))
    };
    let figures = Resource::new(args, |(store, from, to)| store_analytics(store, from, to));
    view! {
        <Title text="Analytics" />
        <AdminLayout>
        <Suspense fallback=|| view! { <div class="h-64 animate-pulse rounded-2xl bg-stone-200/70"></div> }>
            {move || Suspend::new(async move {
                let (store, from, to) = args();
                match figures.await {
                    Err(AppError::Unauthenticated) => {
                        view! { <Redirect path="/login?next=/admin/analytics" /> }.into_any()
                    }
                    Err(AppError::Forbidden) => view! { <Forbidden /> }.into_any(),
                    Err(e @ AppError::Validation(_)) if e.field("store").is_none() => {
                        view! {
                            <Header title="Analytics".into() subtitle=String::new() />
                            <PeriodForm store from=from.unwrap_or_default() to=to.unwrap_or_default() error=Some(e) />
                        }
                            .into_any()
                    }
                    Err(e) => view! { <LoadFailed message=e.field("store").unwrap_or_else(|| e.to_string()) /> }.into_any(),
                    Ok(a) => view! { <Figures a store /> }.into_any(),
                }
            })}
        </Suspense>
        </AdminLayout>
    }
}

#[component]
fn Header(title: String, subtitle: String) -> impl IntoView {
    view! {
        <header class="mb-4">
            <p class="text-sm font-medium text-emerald-700"><a href="/admin" class="hover:underline">"Dashboard"</a></p>
            <h1 class="text-2xl font-semibold tracking-tight" data-testid="analytics-title">{title}</h1>
            {(!subtitle.is_empty()).then(|| view! { <p class="mt-1 text-sm text-stone-600">{subtitle}</p> })}
        </header>
    }
}

/// One end of the period; when it is wrong it points at the message that says why.
#[component]
fn DateField(id: &'static str, label: &'static str, value: String, invalid: bool) -> impl IntoView {
    view! {
        <div>
            <label for=id class="text-sm font-medium text-stone-800">{label}</label>
            <input
                id=id
                name=id
                type="date"
                value=value
                class=FILTER_INPUT
                aria-invalid=invalid.then_some("true")
                aria-describedby=invalid.then(|| format!("{id}-error"))
            />
        </div>
    }
}

/// The period, as a GET form: submitting it loads `/admin/analytics?from=…&to=…` with or without
/// JavaScript.
#[component]
fn PeriodForm(store: Option<i64>, from: String, to: String, error: Option<AppError>) -> impl IntoView {
    let message = |field: &str| error.as_ref().and_then(|e| e.field(field));
    let (from_error, to_error) = (message("from"), message("to"));
    view! {
        <form method="get" action="/admin/analytics" class=format!("{CARD} mb-6 flex flex-wrap items-end gap-4") aria-label="Period">
            {store.map(|id| view! { <input type="hidden" name="store" value=id /> })}
            <DateField id="from" label="From" value=from invalid=from_error.is_some() />
            <DateField id="to" label="To" value=to invalid=to_error.is_some() />
            <button type="submit" class=BUTTON>"Show"</button>
            <p class="basis-full text-xs text-stone-500">"Days are UTC, both ends included; at most 366 days."</p>
            {from_error.map(|m| view! { <p id="from-error" role="alert" class="basis-full text-sm text-rose-700">{m}</p> })}
            {to_error.map(|m| view! { <p id="to-error" role="alert" class="basis-full text-sm text-rose-700">{m}</p> })}
        </form>
    }
}

#[component]
fn Figures(a: Analytics, store: Option<i64>) -> impl IntoView {
    let money = |m: i64| a.money(m).to_string();
    let subtitle = format!(
        "{} – {} · {} days · {}",
        ymd_of_day(a.period.from_day),
        ymd_of_day(a.period.to_day),
        a.period.days(),
        a.currency
    );
    let kpis = [
        ("Revenue", money(a.revenue_minor), format!("{} gross sales", money(a.gross_minor)), "kpi-revenue"),
        ("Paid orders", a.orders.to_string(), "placed in the period".to_string(), "kpi-orders"),
        (
            "Average order value",
            a.average_order_minor.map(money).unwrap_or_else(|| "—".into()),
            "revenue ÷ paid orders".to_string(),
            "kpi-aov",
        ),
        ("Refunds", money(a.refunds_minor), "of orders placed in the period".to_string(), "kpi-refunds"),
    ];
    view! {
        <Header title=format!("Analytics · {}", a.store_name) subtitle />
        <PeriodForm store from=a.period.from_ymd() to=a.period.to_ymd() error=None />
        <section aria-label="Key figures" class="mb-6 grid grid-cols-2 gap-3 lg:grid-cols-4">
            {kpis
                .into_iter()
                .map(|(label, value, note, id)| {
                    view! {
                        <div class="rounded-2xl bg-white p-4 ring-1 ring-stone-200" data-testid=id>
                            <p class="text-xs font-medium uppercase tracking-wide text-stone-500">{label}</p>
                            <p class="mt-1 text-2xl font-semibold tabular-nums">{value}</p>
                            <p class="mt-1 text-xs text-stone-500">{note}</p>
                        </div>
                    }
                })
                .collect_view()}
        </section>
        <RevenueChart a=a.clone() />
        <div class="mb-6 grid gap-6 md:grid-cols-2">
            <ByStatus a=a.clone() />
            <FunnelCard a=a.clone() />
        </div>
        <TopProducts a />
    }
}

#[component]
fn RevenueChart(a: Analytics) -> impl IntoView {
    let series: Vec<(i64, i64)> = a.days.iter().map(|d| (d.day, d.revenue_minor())).collect();
    let unit = 10i64.pow(a.currency.exponent());
    let chart = line_chart(&series, unit, 8);
    let (left, top, right, bottom) = chart.plot;
    let best = a.days.iter().filter(|d| d.revenue_minor() > 0).max_by_key(|d| (d.revenue_minor(), -d.day));
    let desc = format!(
        "Revenue per day from {} to {}: {} in total from {} paid orders{}.",
        ymd_of_day(a.period.from_day),
        ymd_of_day(a.period.to_day),
        a.money(a.revenue_minor),
        a.orders,
        best.map(|d| format!("; the best day was {} with {}", short_day(d.day), a.money(d.revenue_minor())))
            .unwrap_or_else(|| "; nothing sold".into())
    );
    let currency = a.currency;
    let view_box = format!("0 0 {} {}", chart.width, chart.height);
    let mid_y = (top + bottom) / 2.0;
    view! {
        <section class=format!("{CARD} mb-6") aria-labelledby="revenue-heading">
            <h2 id="revenue-heading" class="text-lg font-semibold">"Revenue per day"</h2>
            <svg
                viewBox=view_box
                class="mt-4 block h-auto w-full"
                role="img"
                aria-labelledby="revenue-chart-title revenue-chart-desc"
                data-testid="revenue-chart"
            >
                <title id="revenue-chart-title">"Revenue per day"</title>
                <desc id="revenue-chart-desc">{desc}</desc>
                <g class="text-stone-500" font-size="12">
                    {chart
                        .y_ticks
                        .iter()
                        .map(|(y, v)| {
                            view! {
                                <line x1=left x2=right y1=*y y2=*y class="stroke-stone-200" stroke-width="1" />
                                <text x=left - 8.0 y=*y + 4.0 text-anchor="end" class="fill-stone-500">
                                    {axis_money(*v, currency)}
                                </text>
                            }
                        })
                        .collect_view()}
                    {
                        let (first, last) = (chart.points.first().map(|p| p.0), chart.points.last().map(|p| p.0));
                        chart
                            .x_labels
                            .iter()
                            .map(|(x, label)| {
                                // The ends stay inside the picture.
                                let anchor = if chart.points.len() > 1 && Some(*x) == last {
                                    "end"
                                } else if chart.points.len() > 1 && Some(*x) == first {
                                    "start"
                                } else {
                                    "middle"
                                };
                                view! {
                                    <text x=*x y=bottom + 18.0 text-anchor=anchor class="fill-stone-500">{label.clone()}</text>
                                }
                            })
                            .collect_view()
                    }
                    <text
                        x="12"
                        y=mid_y
                        text-anchor="middle"
                        transform=format!("rotate(-90 12 {mid_y})")
                        class="fill-stone-400"
                        font-size="10"
                    >
                        {format!("Revenue ({currency})")}
                    </text>
                </g>
                <line x1=left x2=right y1=bottom y2=bottom class="stroke-stone-300" stroke-width="1" />
                <path d=chart.area.clone() class="fill-emerald-600/10" />
                <path
                    d=chart.line.clone()
                    fill="none"
                    class="stroke-emerald-600"
                    stroke-width="2"
                    stroke-linejoin="round"
                    stroke-linecap="round"
                    data-testid="revenue-line"
                />
                {
                    let dots = chart.points.len() <= 62;
                    chart
                        .points
                        .iter()
                        .map(|(x, y, day, v)| {
                            view! {
                                <circle cx=*x cy=*y r=if dots { "3" } else { "0" } class="fill-emerald-600">
                                    <title>{format!("{}: {}", ymd_of_day(*day), axis_money(*v, currency))}</title>
                                </circle>
                            }
                        })
                        .collect_view()
                }
            </svg>
            <details class="mt-3 text-sm">
                <summary class="cursor-pointer text-stone-600">"The figures per day"</summary>
                <DayTable a=a.clone() />
            </details>
        </section>
    }
}

#[component]
fn DayTable(a: Analytics) -> impl IntoView {
    let rows: Vec<DaySales> = a.days.clone();
    view! {
        <div class="mt-2 max-h-72 overflow-auto">
            <DataTable body="divide-y divide-stone-100 tabular-nums" testid="revenue-table" cols=vec![
                Col::new("Day", "py-1 pr-4"),
                Col::new("Paid orders", "py-1 pr-4 text-right"),
                Col::new("Gross", "py-1 pr-4 text-right"),
                Col::new("Refunds", "py-1 pr-4 text-right"),
                Col::new("Revenue", "py-1 text-right"),
            ]>
                {rows
                    .into_iter()
                    .map(|d| {
                        view! {
                            <tr>
                                <td class="py-1 pr-4">{ymd_of_day(d.day)}</td>
                                <td class="py-1 pr-4 text-right">{d.orders}</td>
                                <td class="py-1 pr-4 text-right">{a.money(d.gross_minor).to_string()}</td>
                                <td class="py-1 pr-4 text-right">{a.money(d.refunds_minor).to_string()}</td>
                                <td class="py-1 text-right">{a.money(d.revenue_minor()).to_string()}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </DataTable>
        </div>
    }
}

/// A horizontal bar as SVG (the Content-Security-Policy refuses inline styles).
#[component]
fn Bar(percent: f64, #[prop(default = "fill-emerald-600")] class: &'static str) -> impl IntoView {
    view! {
        <svg class="mt-1 block h-2 w-full" aria-hidden="true" preserveAspectRatio="none">
            <rect width="100%" height="8" rx="4" class="fill-stone-100" />
            <rect width=format!("{percent}%") height="8" rx="4" class=class />
        </svg>
    }
}

#[component]
fn ByStatus(a: Analytics) -> impl IntoView {
    let max = a.by_status.iter().map(|s| s.count).max().unwrap_or(0);
    let total: i64 = a.by_status.iter().map(|s| s.count).sum();
    view! {
        <section class=CARD aria-labelledby="status-heading">
            <h2 id="status-heading" class="text-lg font-semibold">"Orders by status"</h2>
            <p class="mt-1 text-xs text-stone-500">
                {if total == 1 {
                    "The order placed in the period, paid or not.".to_string()
                } else {
                    format!("All {total} orders placed in the period, paid or not.")
                }}
            </p>
            {if a.by_status.is_empty() {
                view! { <p class="mt-4 text-sm text-stone-600">"No orders in this period."</p> }.into_any()
            } else {
                view! {
                    <ul class="mt-4 space-y-3" data-testid="orders-by-status">
                        {a
                            .by_status
                            .iter()
                            .map(|s| {
                                let label = s.status.label();
                                view! {
                                    <li data-status=s.status.as_str()>
                                        <div class="flex justify-between text-sm">
                                            <span>{label}</span>
                                            <span class="font-medium tabular-nums">{s.count}</span>
                                        </div>
                                        <Bar percent=bar_percent(s.count, max) />
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
    }
}

#[component]
fn FunnelCard(a: Analytics) -> impl IntoView {
    let f = a.funnel;
    let [view_to_add, add_to_order, view_to_order] = f.rates();
    let max = f.views.max(f.adds).max(f.orders);
    let steps = [
        ("Product views", f.views, "signed-in shoppers, once per product".to_string(), "funnel-views"),
        ("Added to cart", f.adds, format!("{} of views", percent_label(view_to_add)), "funnel-adds"),
        ("Paid orders", f.orders, format!("{} of adds", percent_label(add_to_order)), "funnel-orders"),
    ];
    view! {
        <section class=CARD aria-labelledby="funnel-heading">
            <h2 id="funnel-heading" class="text-lg font-semibold">"Conversion funnel"</h2>
            <p class="mt-1 text-xs text-stone-500">
                {format!("{} of product views became paid orders.", percent_label(view_to_order))}
            </p>
            <ol class="mt-4 space-y-3" data-testid="funnel">
                {steps
                    .into_iter()
                    .map(|(label, n, note, id)| {
                        view! {
                            <li data-testid=id>
                                <div class="flex justify-between gap-2 text-sm">
                                    <span>{label}</span>
                                    <span class="font-medium tabular-nums">{n}</span>
                                </div>
                                <Bar percent=bar_percent(n, max) class="fill-sky-600" />
                                <p class="mt-0.5 text-xs text-stone-500">{note}</p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        </section>
    }
}

#[component]
fn TopProducts(a: Analytics) -> impl IntoView {
    view! {
        <section class=CARD aria-labelledby="top-heading">
            <h2 id="top-heading" class="text-lg font-semibold">"Top products"</h2>
            <p class="mt-1 text-xs text-stone-500">"By revenue (after refunds) from paid orders, then units."</p>
            {if a.top.is_empty() {
                view! { <p class="mt-4 text-sm text-stone-600">"Nothing sold in this period."</p> }.into_any()
            } else {
                view! {
                    <div class="mt-4 overflow-x-auto">
                        <DataTable testid="top-products" cols=vec![
                            Col::new("#", "py-2 pr-4"),
                            Col::new("Product", "py-2 pr-4"),
                            Col::new("Units", "py-2 pr-4 text-right"),
                            Col::new("Revenue", "py-2 text-right"),
                        ]>
                            {a
                                .top
                                .iter()
                                .enumerate()
                                .map(|(i, p)| {
                                    view! {
                                        <tr>
                                            <td class="py-2 pr-4 text-stone-500 tabular-nums">{i + 1}</td>
                                            <td class="py-2 pr-4 font-medium">{p.title.clone()}</td>
                                            <td class="py-2 pr-4 text-right tabular-nums">{p.units}</td>
                                            <td class="py-2 text-right tabular-nums">{a.money(p.revenue_minor).to_string()}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </DataTable>
                    </div>
                }
                    .into_any()
            }}
        </section>
    }
}
