//! One order as the store sees it, with what it can do next.
use super::actions::Actions;
use super::money_forms::{CancelForm, RefundForms};
use super::returns::ReturnsPanel;
use super::ship_forms::{ProcessForm, ShipForm};
use crate::api::store_orders::store_order;
use crate::components::admin_nav::AdminLayout;
use crate::components::forbidden::Forbidden;
use crate::components::form::CARD;
use crate::components::status::LoadFailed;
use crate::domain::errors::AppError;
use crate::domain::order::PartStatus;
use crate::pages::not_found::NotFound;
use crate::pages::order::Part;
use crate::views::orders::MerchantOrderView;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn StoreOrderPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let args = move || {
        (query.read().get("store").and_then(|s| s.parse::<i64>().ok()), params.read().get("number").unwrap_or_default())
    };
    let actions = Actions::new();
    let order = Resource::new(move || (args(), actions.version()), |((store, number), _)| store_order(store, number));
    view! {
        <AdminLayout>
        <Suspense fallback=|| view! { <div class="h-96 animate-pulse rounded-2xl bg-stone-200/70"></div> }>
            {move || Suspend::new(async move {
                let explicit = args().0;
                match order.await {
                    Ok(o) => view! { <StoreOrder order=o explicit actions /> }.into_any(),
                    Err(AppError::Unauthenticated) => view! { <Redirect path="/login?next=/admin/orders" /> }.into_any(),
                    Err(AppError::Forbidden) => view! { <Forbidden /> }.into_any(),
                    Err(AppError::NotFound(_)) => view! { <NotFound /> }.into_any(),
                    Err(e) => view! { <LoadFailed message=e.to_string() /> }.into_any(),
                }
            })}
        </Suspense>
        </AdminLayout>
    }
}

#[component]
pub(super) fn StoreOrder(order: MerchantOrderView, explicit: Option<i64>, actions: Actions) -> impl IntoView {
    let a = order.ship_to.clone();
    let back = match explicit {
        Some(id) => format!("/admin/orders?store={id}"),
        None => "/admin/orders".into(),
    };
    let part = order.part.clone();
    let status = PartStatus::parse(&part.status);
    let number = order.number.clone();
    let key = order.action_key.clone();
    let can_process = status == Some(PartStatus::Paid);
    let can_ship = matches!(status, Some(PartStatus::Paid | PartStatus::Processing | PartStatus::PartiallyShipped))
        && part.lines.iter().any(|l| l.quantity > l.shipped);
    let can_cancel = matches!(status, Some(PartStatus::Paid | PartStatus::Processing));
    let captured = order.payment.as_ref().is_some_and(|p| p.captured.minor > 0);
    let can_refund = captured
        && matches!(
            status,
            Some(
                PartStatus::Paid
                    | PartStatus::Processing
                    | PartStatus::PartiallyShipped
                    | PartStatus::Shipped
                    | PartStatus::Delivered
            )
        )
        && part.refunded.minor < part.total.minor;
    let returns = part.returns.clone();
    let has_actions = can_process || can_cancel || can_refund;
    view! {
        <Title text=format!("Order {}", order.number) />
        <header class="mb-6">
            <p class="text-sm font-medium text-emerald-700"><a href=back class="hover:underline">"Orders"</a></p>
            <h1 class="mt-1 text-2xl font-semibold tracking-tight">
                "Order " <span class="font-mono" data-testid="order-number">{order.number.clone()}</span>
            </h1>
            <p class="mt-1 text-sm text-stone-600">
                {format!("Placed {} by {}", crate::domain::dates::ymd_hm(order.created_at), order.email)}
                {(order.other_stores > 0).then(|| {
                    format!(
                        " · {} other {} the rest of this order",
                        order.other_stores,
                        if order.other_stores == 1 { "store ships" } else { "stores ship" }
                    )
                })}
            </p>
        </header>
        {move || {
            actions.done.get().map(|t| {
                view! {
                    <p role="status" class="mb-4 rounded-lg bg-emerald-50 px-3 py-2 text-sm text-emerald-800 ring-1 ring-emerald-200" data-testid="action-notice">
                        {t}
                    </p>
                }
            })
        }}
        <div class="grid gap-6 lg:grid-cols-3">
            <div class="flex flex-col gap-6 lg:col-span-2">
                <Part part=part.clone() />
                {can_ship.then(|| view! { <ShipForm part=part.clone() number=number.clone() explicit key=key.clone() action=actions.ship carrier=actions.carrier /> })}
                {(!returns.is_empty()).then(|| view! { <ReturnsPanel returns explicit actions /> })}
            </div>
            // Beside the part on a laptop; two side by side below it on a tablet.
            <div class="grid content-start gap-4 md:grid-cols-2 lg:grid-cols-1">
                {has_actions.then(|| {
                    view! {
                        <section class=format!("{CARD} flex flex-col gap-5") aria-labelledby="actions-heading" data-testid="part-actions">
                            <h2 id="actions-heading" class="text-base font-semibold">"Actions"</h2>
                            {can_process.then(|| view! { <ProcessForm number=number.clone() explicit action=actions.process /> })}
                            {can_cancel.then(|| view! { <CancelForm number=number.clone() explicit key=key.clone() action=actions.cancel /> })}
                            {can_refund.then(|| view! { <RefundForms part=part.clone() number=number.clone() explicit key=key.clone() action=actions.refund /> })}
                        </section>
                    }
                })}
                <section class=CARD>
                    <h2 class="text-base font-semibold">"Ship to"</h2>
                    <address class="mt-2 text-sm not-italic text-stone-700" data-testid="ship-to">
                        {a.name} <br /> {a.line1} <br />
                        {(!a.line2.is_empty()).then(|| view! { {a.line2.clone()} <br /> })}
                        {format!("{} {}", a.postal_code, a.city)} <br /> {a.country}
                    </address>
                </section>
                {order.payment.map(|p| {
                    view! {
                        <section class=CARD data-testid="payment">
                            <h2 class="text-base font-semibold">"Payment"</h2>
                            <p class="mt-1 text-sm text-stone-700">
                                <span class="font-semibold" data-testid="payment-status">{p.status.replace('_', " ")}</span>
                                {format!(" · {} taken for your part", p.captured)}
                            </p>
                            <p class="mt-1 text-xs text-stone-500">
                                "One payment covers the whole order; only your part of it is shown here."
                            </p>
                        </section>
                    }
                })}
            </div>
        </div>
    }
}
