//! `/track/{token}`: where a parcel is, for anyone holding the link (no login, no personal
//! details). While open it asks again every few seconds and shows new events as they arrive.
use crate::api::tracking::track_parcel;
use crate::components::form::CARD;
use crate::components::status::LoadFailed;
use crate::domain::dates::ymd_hm;
use crate::domain::errors::AppError;
use crate::domain::shipment::ShipmentStatus;
use crate::pages::not_found::NotFound;
use crate::views::shipments::PublicTracking;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_params_map;

/// How often an open page asks for news.
const POLL_SECS: u64 = 10;

/// The happy path a parcel's progress bar shows (an exception is drawn on "out for delivery").
const STEPS: [ShipmentStatus; 5] = [
    ShipmentStatus::LabelCreated,
    ShipmentStatus::PickedUp,
    ShipmentStatus::InTransit,
    ShipmentStatus::OutForDelivery,
    ShipmentStatus::Delivered,
];

#[component]
pub fn TrackPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let tick = RwSignal::new(0u64);
    Effect::new(move |_| {
        if let Ok(handle) =
            set_interval_with_handle(move || tick.update(|t| *t += 1), std::time::Duration::from_secs(POLL_SECS))
        {
            on_cleanup(move || handle.clear());
        }
    });
    let tracking = Resource::new(move || (token(), tick.get()), |(t, _)| track_parcel(t));
    view! {
        <Title text="Track your parcel" />
        <Meta name="robots" content="noindex" />
        // Transition keeps the last answer on screen while the next poll runs.
        <Transition fallback=|| view! { <div class="h-96 animate-pulse rounded-2xl bg-stone-200/70"></div> }>
            {move || Suspend::new(async move {
                match tracking.await {
                    Ok(t) => view! { <Tracking tracking=t /> }.into_any(),
                    Err(AppError::NotFound(_)) => view! { <NotFound /> }.into_any(),
                    Err(e) => view! { <LoadFailed message=e.to_string() /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Tracking(tracking: PublicTracking) -> impl IntoView {
    let PublicTracking { carrier_name, tracking_number, tracking_url, status, status_label, events, .. } = tracking;
    let exception = status == "delivery_exception";
    // How far along the five steps the parcel is (an exception sits at "out for delivery").
    let reached = match status.as_str() {
        "delivery_exception" => 3,
        s => STEPS.iter().position(|k| k.as_str() == s).unwrap_or(0),
    };
    let latest = events.last().cloned();
    view! {
        <div class="mx-auto max-w-2xl">
            <header class="mb-6">
                <p class="text-sm font-medium text-emerald-700">{format!("{carrier_name} · {tracking_number}")}</p>
                <h1 class="mt-1 text-2xl font-semibold tracking-tight sm:text-3xl" data-testid="tracking-status">
                    {status_label}
                </h1>
                {latest.map(|e| {
                    view! {
                        <p class="mt-1 text-stone-600">
                            {format!("{} · {}", e.description, ymd_hm(e.at))}
                            {e.location.map(|l| format!(" · {l}"))}
                        </p>
                    }
                })}
            </header>
            <ol class="mb-6 grid grid-cols-5 gap-1" aria-label="Progress">
                {STEPS
                    .iter()
                    .enumerate()
                    .map(|(i, step)| {
                        let done = i <= reached;
                        let bar = if exception && i == reached {
                            "bg-amber-500"
                        } else if done {
                            "bg-emerald-600"
                        } else {
                            "bg-stone-200"
                        };
                        view! {
                            <li class="flex flex-col gap-1" aria-current=(i == reached).then_some("step")>
                                <span class=format!("h-1.5 rounded-full {bar}")></span>
                                <span class=if done { "text-[11px] font-medium text-stone-800 sm:text-xs" } else { "text-[11px] text-stone-400 sm:text-xs" }>
                                    {step.label()}
                                </span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
            <section class=CARD aria-labelledby="events-heading">
                <h2 id="events-heading" class="text-base font-semibold">"Tracking history"</h2>
                <ol class="mt-3 flex flex-col gap-4" data-testid="tracking-events">
                    {events
                        .into_iter()
                        .rev()
                        .map(|e| {
                            let same = e.description == e.label;
                            view! {
                                <li class="flex gap-3" data-testid="tracking-event">
                                    <span class=if e.kind == "exception" { "mt-1.5 h-2.5 w-2.5 shrink-0 rounded-full bg-amber-500" } else { "mt-1.5 h-2.5 w-2.5 shrink-0 rounded-full bg-emerald-600" }></span>
                                    <div class="text-sm">
                                        <p class="font-medium text-stone-900">{e.label}</p>
                                        {(!same)
                                            .then(|| view! { <p class="text-stone-700">{e.description.clone()}</p> })}
                                        <p class="text-xs text-stone-500">
                                            {ymd_hm(e.at)} {e.location.map(|l| format!(" · {l}"))}
                                        </p>
                                    </div>
                                </li>
                            }
                        })
                        .collect_view()}
                </ol>
            </section>
            <p class="mt-4 text-sm text-stone-600">
                {tracking_url.map(|u| {
                    view! {
                        <a href=u class="font-medium text-emerald-800 underline" rel="noopener noreferrer" target="_blank">
                            {format!("Track on the {carrier_name} website")}
                        </a>
                        " · "
                    }
                })}
                "This page updates itself while it is open."
            </p>
        </div>
    }
}
