//! `/cart`: the shopper's lines grouped by the store that ships them, with a subtotal per store,
//! the total, and what needs attention before checkout. Changing a quantity and removing a line
//! are `ActionForm`s, so they work as plain form posts without JavaScript too.
use crate::api::cart::{RemoveCartLine, UpdateCartLine, get_cart};
use crate::components::cart::CartCount;
use crate::components::form::{BUTTON_SECONDARY, CARD, FormAlert, last_error};
use crate::components::status::LoadFailed;
use crate::domain::cart::{CartLine, CartNotice, MAX_QTY_PER_LINE, MerchantGroup, NoticeKind};
use crate::domain::errors::AppError;
use crate::views::cart::CartPage as CartData;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn CartPage() -> impl IntoView {
    let update = ServerAction::<UpdateCartLine>::new();
    let remove = ServerAction::<RemoveCartLine>::new();
    let cart = Resource::new(move || (update.version().get(), remove.version().get()), |_| get_cart());
    Effect::new(move |_| {
        if let Some(Ok(c)) = cart.get() {
            CartCount::set(c.summary.item_count);
        }
    });
    let update_errors = last_error(update.value());
    let remove_errors = last_error(remove.value());
    view! {
        <Title text="Your cart" />
        <h1 class="text-2xl font-semibold tracking-tight sm:text-3xl">"Your cart"</h1>
        <div class="mt-4 flex flex-col gap-3">
            <FormAlert errors=update_errors />
            <FormAlert errors=remove_errors />
        </div>
        <Transition fallback=|| view! { <div class="mt-6 h-64 animate-pulse rounded-2xl bg-stone-200/70"></div> }>
            {move || Suspend::new(async move {
                match cart.await {
                    Err(e) => view! { <LoadFailed message=e.to_string() /> }.into_any(),
                    Ok(c) => view! { <CartContents cart=c update remove update_errors /> }.into_any(),
                }
            })}
        </Transition>
        <crate::components::recommendations::BoughtTogether version=Signal::derive(move || {
            (update.version().get(), remove.version().get())
        }) />
    }
}

#[component]
fn CartContents(
    cart: CartData,
    update: ServerAction<UpdateCartLine>,
    remove: ServerAction<RemoveCartLine>,
    update_errors: Signal<Option<AppError>>,
) -> impl IntoView {
    let flash = cart.flash.clone();
    let flash_view = (!flash.is_empty()).then(|| {
        view! {
            <div role="status" class="mt-4 rounded-xl bg-amber-50 px-4 py-3 text-sm text-amber-900 ring-1 ring-amber-200" data-testid="cart-flash">
                <ul class="space-y-0.5">
                    {flash.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
                </ul>
            </div>
        }
    });
    if cart.summary.groups.is_empty() {
        return view! {
            {flash_view}
            <div class="mt-6 flex flex-col items-center rounded-2xl bg-white px-6 py-14 text-center ring-1 ring-stone-200" data-testid="cart-empty">
                <svg viewBox="0 0 24 24" class="h-12 w-12 text-stone-300" fill="none" stroke="currentColor" stroke-width="1.5" aria-hidden="true">
                    <path d="M6 7h12l-1 12.5a1.5 1.5 0 0 1-1.5 1.5h-7A1.5 1.5 0 0 1 7 19.5L6 7Z" stroke-linejoin="round" />
                    <path d="M9 9V6a3 3 0 0 1 6 0v3" stroke-linecap="round" />
                </svg>
                <h2 class="mt-4 text-lg font-semibold">"Your cart is empty"</h2>
                <p class="mt-1 max-w-sm text-stone-600">"Browse the stores and add what you like; your cart is kept for 30 days, even if you close the browser."</p>
                <a href="/" class="mt-6 inline-flex items-center rounded-lg bg-emerald-700 px-5 py-2.5 text-sm font-semibold text-white hover:bg-emerald-800">
                    "Start shopping"
                </a>
            </div>
        }
        .into_any();
    }
    let cart = StoredValue::new(cart);
    let (groups, total, count, notices, can_check_out) = cart.with_value(|c| {
        (c.summary.groups.clone(), c.summary.total, c.summary.item_count, c.notices.clone(), c.can_check_out)
    });
    let store_count = groups.len();
    let blocked_reason = blocked_reason(&notices);
    let attention = (!notices.is_empty()).then(|| {
        let blocking = notices.iter().any(|n| n.kind.blocks_checkout());
        view! {
            <div role="alert" class="mt-4 rounded-xl bg-amber-50 px-4 py-3 text-sm text-amber-900 ring-1 ring-amber-200" data-testid="cart-notices">
                <p class="font-semibold">
                    {if blocking { "Some items need your attention before checkout:" } else { "Please note:" }}
                </p>
                <ul class="mt-1 list-disc space-y-0.5 pl-5">
                    {notices.iter().map(|n| view! { <li>{n.message.clone()}</li> }).collect_view()}
                </ul>
            </div>
        }
    });
    let summary_lines = groups
        .iter()
        .map(|g| {
            view! {
                <div class="flex justify-between gap-4 text-stone-600">
                    <dt class="truncate">{g.merchant_name.clone()}</dt>
                    <dd class="tabular-nums">{g.subtotal.to_string()}</dd>
                </div>
            }
        })
        .collect_view();
    view! {
        {flash_view}
        {attention}
        <div class="mt-6 grid items-start gap-6 lg:grid-cols-3">
            <div class="flex flex-col gap-5 lg:col-span-2">
                {groups
                    .into_iter()
                    .map(|g| view! { <MerchantPart group=g cart update remove update_errors /> })
                    .collect_view()}
            </div>
            <aside class=format!("{CARD} lg:sticky lg:top-36") aria-labelledby="summary-heading" data-testid="cart-summary">
                <h2 id="summary-heading" class="text-lg font-semibold">"Order summary"</h2>
                <dl class="mt-4 space-y-2 text-sm">
                    {summary_lines}
                    <div class="flex justify-between gap-4 border-t border-stone-200 pt-3 text-base font-semibold text-stone-950">
                        <dt>{format!("Total ({})", items_label(count))}</dt>
                        <dd class="tabular-nums" data-testid="cart-total">{total.to_string()}</dd>
                    </div>
                </dl>
                <p class="mt-2 text-xs text-stone-500">
                    {if store_count > 1 {
                        format!("Shipping and tax are added at checkout. Your order ships from {store_count} stores, each sending its own parcel.")
                    } else {
                        "Shipping and tax are added at checkout.".to_string()
                    }}
                </p>
                {if can_check_out {
                    view! {
                        <a href="/checkout" class="mt-5 flex w-full items-center justify-center rounded-lg bg-emerald-700 px-5 py-3 text-base font-semibold text-white shadow-sm hover:bg-emerald-800" data-testid="checkout">
                            "Checkout"
                        </a>
                    }
                        .into_any()
                } else {
                    view! {
                        <button type="button" disabled class="mt-5 flex w-full cursor-not-allowed items-center justify-center rounded-lg bg-stone-200 px-5 py-3 text-base font-semibold text-stone-500" aria-describedby="checkout-blocked" data-testid="checkout">
                            "Checkout"
                        </button>
                        <p id="checkout-blocked" class="mt-2 text-sm text-amber-800">
                            {blocked_reason}
                        </p>
                    }
                        .into_any()
                }}
                <p class="mt-4 flex items-center gap-2 text-xs text-stone-500">
                    <svg viewBox="0 0 20 20" class="h-4 w-4 shrink-0 text-emerald-700" fill="currentColor" aria-hidden="true">
                        <path fill-rule="evenodd" d="M10 1.5 3 4.5v5c0 4.2 2.9 7.7 7 9 4.1-1.3 7-4.8 7-9v-5l-7-3Zm3.2 6.3a.75.75 0 0 0-1.1-1l-3 3.2-1.3-1.3a.75.75 0 1 0-1.1 1.1l1.9 1.8a.75.75 0 0 0 1.1 0l3.5-3.8Z" clip-rule="evenodd" />
                    </svg>
                    "Secure checkout. You can review everything before you pay."
                </p>
            </aside>
        </div>
    }
    .into_any()
}

/// What the shopper has to do before the checkout button works.
fn blocked_reason(notices: &[CartNotice]) -> String {
    let has = |kind: NoticeKind| notices.iter().any(|n| n.kind == kind);
    let mut steps = Vec::new();
    if has(NoticeKind::PriceChanged) {
        steps.push("accept the new prices");
    }
    if has(NoticeKind::NotEnoughStock) {
        steps.push("lower the quantities");
    }
    if has(NoticeKind::SoldOut) || has(NoticeKind::Unavailable) {
        steps.push("remove what is no longer available");
    }
    match steps.as_slice() {
        [] => "Please review your cart.".into(),
        [one] => format!("To check out, {one}."),
        [rest @ .., last] => format!("To check out, {} and {last}.", rest.join(", ")),
    }
}

fn items_label(n: i64) -> String {
    if n == 1 { "1 item".into() } else { format!("{n} items") }
}

#[component]
fn MerchantPart(
    group: MerchantGroup,
    cart: StoredValue<CartData>,
    update: ServerAction<UpdateCartLine>,
    remove: ServerAction<RemoveCartLine>,
    update_errors: Signal<Option<AppError>>,
) -> impl IntoView {
    view! {
        <section class="overflow-hidden rounded-2xl bg-white ring-1 ring-stone-200" data-testid="merchant-group">
            <header class="flex flex-wrap items-baseline justify-between gap-2 border-b border-stone-100 bg-stone-50/70 px-4 py-3 sm:px-5">
                <h2 class="text-sm text-stone-600">
                    "Shipped by " <span class="font-semibold text-stone-900" data-testid="merchant-name">{group.merchant_name.clone()}</span>
                </h2>
                <p class="text-sm text-stone-600">
                    "Subtotal " <span class="font-semibold tabular-nums text-stone-900" data-testid="merchant-subtotal">{group.subtotal.to_string()}</span>
                </p>
            </header>
            <ul class="divide-y divide-stone-100">
                {group
                    .lines
                    .into_iter()
                    .map(|line| {
                        let notices: Vec<CartNotice> =
                            cart.with_value(|c| c.notices.iter().filter(|n| n.variant_id == line.variant_id).cloned().collect());
                        view! { <Line line cart notices update remove update_errors /> }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn Line(
    line: CartLine,
    cart: StoredValue<CartData>,
    notices: Vec<CartNotice>,
    update: ServerAction<UpdateCartLine>,
    remove: ServerAction<RemoveCartLine>,
    update_errors: Signal<Option<AppError>>,
) -> impl IntoView {
    let info = cart.with_value(|c| c.info(line.variant_id).cloned());
    let (slug, variant_title, image) = info
        .map(|i| {
            let variant = if line.title == i.product_title { String::new() } else { i.variant_title };
            (i.product_slug, variant, i.image_url)
        })
        .unwrap_or_default();
    let product_title =
        cart.with_value(|c| c.info(line.variant_id).map(|i| i.product_title.clone())).unwrap_or(line.title.clone());
    let href = format!("/products/{slug}?variant={}", line.variant_id);
    let id = line.variant_id;
    let field = format!("quantity-{id}");
    let error_field = field.clone();
    let error_field = StoredValue::new(error_field);
    let error = move || update_errors.get().and_then(|e| error_field.with_value(|f| e.field(f)));
    let repriced = notices.iter().any(|n| n.kind == NoticeKind::PriceChanged);
    let status = notices.iter().find(|n| n.kind != NoticeKind::PriceChanged).map(|n| match n.kind {
        NoticeKind::Unavailable => "No longer available",
        NoticeKind::SoldOut => "Sold out",
        NoticeKind::NotEnoughStock => "Not enough in stock",
        _ => "Please check",
    });
    let line_total = line.line_total().map(|m| m.to_string()).unwrap_or_default();
    let qty = line.quantity;
    let max = MAX_QTY_PER_LINE;
    view! {
        <li class="flex gap-4 px-4 py-4 sm:px-5" data-testid="cart-line" data-variant=id>
            <a href=href.clone() class="block h-20 w-20 shrink-0 overflow-hidden rounded-lg bg-stone-100 ring-1 ring-stone-200 sm:h-24 sm:w-24">
                {image.map(|url| view! { <img src=url alt="" loading="lazy" width="96" height="96" class="h-full w-full object-cover" /> })}
            </a>
            <div class="flex min-w-0 flex-1 flex-col gap-2">
                <div class="flex flex-wrap items-start justify-between gap-x-4 gap-y-1">
                    <div class="min-w-0">
                        <a href=href class="font-medium text-stone-900 hover:underline" data-testid="line-title">{product_title}</a>
                        {(!variant_title.is_empty()).then(|| view! { <p class="text-sm text-stone-600">{variant_title}</p> })}
                        <p class="mt-0.5 text-sm text-stone-600">
                            <span class="tabular-nums">{line.unit_price.to_string()}</span>
                            " each"
                            {repriced.then(|| view! {
                                <span class="ml-2 text-stone-500 line-through tabular-nums">
                                    <span class="sr-only">"was "</span>{line.price_at_add.to_string()}
                                </span>
                            })}
                        </p>
                        {status.map(|s| view! {
                            <p class="mt-1 inline-flex rounded-full bg-rose-50 px-2 py-0.5 text-xs font-semibold text-rose-700 ring-1 ring-rose-200">{s}</p>
                        })}
                    </div>
                    <p class="font-semibold tabular-nums text-stone-950" data-testid="line-total">{line_total}</p>
                </div>
                <div class="flex flex-wrap items-center gap-x-4 gap-y-2">
                    <ActionForm action=update attr:class="flex items-center gap-2" attr:data-testid="update-form">
                        <input type="hidden" name="variant_id" value=id />
                        <label for=field.clone() class="text-sm text-stone-600">"Qty"</label>
                        <input
                            id=field
                            name="quantity"
                            type="number"
                            inputmode="numeric"
                            min="0"
                            max=max
                            value=qty
                            required
                            aria-invalid=move || error().is_some().then_some("true")
                            class="w-16 rounded-lg border border-stone-300 bg-white px-2 py-1.5 text-base tabular-nums shadow-sm focus:border-emerald-600 aria-[invalid=true]:border-rose-500"
                        />
                        <button type="submit" class=format!("{BUTTON_SECONDARY} whitespace-nowrap px-3 py-1.5")>
                            {if repriced { "Accept new price" } else { "Update" }}
                        </button>
                    </ActionForm>
                    <ActionForm action=remove attr:data-testid="remove-form">
                        <input type="hidden" name="variant_id" value=id />
                        <button type="submit" class="text-sm font-semibold text-rose-700 hover:underline">"Remove"</button>
                    </ActionForm>
                </div>
                <p class="text-sm text-rose-700" data-testid=format!("error-quantity-{id}")>{move || error()}</p>
            </div>
        </li>
    }
}
