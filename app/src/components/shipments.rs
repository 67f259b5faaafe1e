//! A part's parcels and returns as the shopper's and the store's order pages show them: carrier,
//! tracking number (linked to the carrier's own page), status, what is in the parcel and its
//! timeline, newest first; each return with its status and, when rejected, the store's reason.
use crate::domain::dates::ymd_hm;
use crate::views::orders::ReturnView;
use crate::views::shipments::ShipmentView;
use leptos::prelude::*;

/// Badge colours for a part, shipment or return status.
pub fn status_badge(status: &str) -> &'static str {
    match status {
        "delivered" | "received" => "bg-emerald-50 text-emerald-800 ring-emerald-200",
        "shipped" | "partially_shipped" | "in_transit" | "picked_up" | "out_for_delivery" | "label_created"
        | "approved" => "bg-sky-50 text-sky-800 ring-sky-200",
        "processing" | "requested" | "paid" => "bg-amber-50 text-amber-800 ring-amber-200",
        "delivery_exception" | "cancelled" | "rejected" | "payment_failed" | "expired" => {
            "bg-rose-50 text-rose-800 ring-rose-200"
        }
        _ => "bg-stone-100 text-stone-700 ring-stone-200",
    }
}

/// A small rounded status label.
#[component]
pub fn Badge(
    #[prop(into)] status: String,
    #[prop(into)] label: String,
    #[prop(optional)] testid: &'static str,
) -> impl IntoView {
    view! {
        <span
            class=format!("inline-flex shrink-0 items-center justify-self-start rounded-full px-2.5 py-0.5 text-xs font-semibold ring-1 {}", status_badge(&status))
            data-testid=(!testid.is_empty()).then_some(testid)
        >
            {label}
        </span>
    }
}

/// Every parcel of a part. `public_links` adds the link to `/track/{token}` (the shopper's page).
#[component]
pub fn Shipments(shipments: Vec<ShipmentView>, #[prop(default = false)] public_links: bool) -> impl IntoView {
    (!shipments.is_empty()).then(|| {
        view! {
            <div class="mt-4 flex flex-col gap-3" data-testid="shipments">
                <h3 class="text-sm font-semibold text-stone-900">
                    {if shipments.len() == 1 { "Shipment".to_string() } else { format!("{} shipments", shipments.len()) }}
                </h3>
                {shipments.into_iter().map(|s| view! { <Shipment shipment=s public_links /> }).collect_view()}
            </div>
        }
    })
}

#[component]
fn Shipment(shipment: ShipmentView, public_links: bool) -> impl IntoView {
    let ShipmentView {
        carrier_name, tracking_number, tracking_url, status, status_label, token, lines, events, ..
    } = shipment;
    let number = match tracking_url {
        Some(url) => view! {
            <a
                href=url
                target="_blank"
                rel="noopener noreferrer"
                class="break-all font-mono font-semibold text-emerald-800 underline decoration-emerald-300 underline-offset-2 hover:decoration-emerald-700"
                data-testid="tracking-number"
            >
                {tracking_number}
            </a>
        }
        .into_any(),
        None => view! { <span class="break-all font-mono font-semibold" data-testid="tracking-number">{tracking_number}</span> }.into_any(),
    };
    let contents = lines.iter().map(|(title, q)| format!("{q} × {title}")).collect::<Vec<_>>().join(", ");
    let count = events.len();
    view! {
        <article class="rounded-xl bg-stone-50 p-4 ring-1 ring-stone-200" data-testid="shipment">
            <div class="flex flex-wrap items-start justify-between gap-2">
                <div class="min-w-0 text-sm">
                    <p class="font-medium text-stone-900" data-testid="shipment-carrier">{carrier_name}</p>
                    <p>{number}</p>
                </div>
                <Badge status=status.clone() label=status_label testid="shipment-status" />
            </div>
            {(!contents.is_empty()).then(|| view! { <p class="mt-2 text-xs text-stone-600">{format!("In this parcel: {contents}")}</p> })}
            {if events.is_empty() {
                view! { <p class="mt-3 text-xs text-stone-500">"No tracking events yet."</p> }.into_any()
            } else {
                view! {
                    <ol class="mt-3 flex flex-col gap-3 border-l-2 border-stone-200 pl-4" data-testid="shipment-events">
                        {events
                            .into_iter()
                            .rev()
                            .enumerate()
                            .map(|(i, e)| {
                                let same = e.description == e.label;
                                let dot = if e.kind == "exception" {
                                    "bg-amber-500"
                                } else if i == 0 {
                                    "bg-emerald-600"
                                } else {
                                    "bg-stone-300"
                                };
                                view! {
                                    <li class="relative text-sm" data-testid="shipment-event">
                                        <span class=format!("absolute -left-[1.4rem] top-1.5 h-2.5 w-2.5 rounded-full ring-2 ring-stone-50 {dot}")></span>
                                        <p class=if i == 0 { "font-medium text-stone-900" } else { "font-medium text-stone-700" }>{e.label}</p>
                                        {(!same).then(|| view! { <p class="text-stone-600">{e.description.clone()}</p> })}
                                        <p class="text-xs text-stone-500">{ymd_hm(e.at)} {e.location.map(|l| format!(" · {l}"))}</p>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ol>
                }
                    .into_any()
            }}
            {public_links.then(|| {
                view! {
                    <a
                        href=format!("/track/{token}")
                        class="mt-3 inline-block text-sm font-medium text-emerald-800 underline underline-offset-2"
                        data-testid="track-link"
                    >
                        {if count == 0 { "Follow this parcel" } else { "Follow this parcel live" }}
                    </a>
                }
            })}
        </article>
    }
}

/// What the shopper sent back, or asked to, with each return's status.
#[component]
pub fn Returns(returns: Vec<ReturnView>) -> impl IntoView {
    view! {
        <ul class="flex flex-col gap-2" data-testid="returns">
            {returns.into_iter().map(|r| view! { <li><ReturnSummary ret=r /></li> }).collect_view()}
        </ul>
    }
}

/// One return: what, why, when, status and the store's reason when it said no.
#[component]
pub fn ReturnSummary(ret: ReturnView, #[prop(optional)] children: Option<Children>) -> impl IntoView {
    let items = ret.lines.iter().map(|(t, q)| format!("{q} × {t}")).collect::<Vec<_>>().join(", ");
    view! {
        <div class="rounded-xl bg-stone-50 p-4 text-sm ring-1 ring-stone-200" data-testid="return">
            <div class="flex flex-wrap items-start justify-between gap-2">
                <p class="min-w-0 font-medium text-stone-900">{format!("Return #{}", ret.id)}" · "{items}</p>
                <Badge status=ret.status.clone() label=ret.status_label.clone() testid="return-status" />
            </div>
            <p class="mt-1 text-stone-600">{format!("Requested {} · “{}”", ymd_hm(ret.requested_at), ret.reason)}</p>
            {ret.rejection_reason.clone().map(|why| {
                view! { <p class="mt-1 text-rose-800" data-testid="rejection-reason">{format!("The store said: {why}")}</p> }
            })}
            {children.map(|c| c())}
        </div>
    }
}
