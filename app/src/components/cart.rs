//! The header's cart badge and the product page's "Add to cart" form. The badge counts an add
//! while it is on its way (optimistic), then shows what the server answered: the new count, or the
//! old one again when the add was refused (the form says why).
use crate::api::cart::{AddToCart, cart_count};
use crate::components::form::{FormAlert, last_error};
use crate::domain::cart::{MAX_QTY_PER_LINE, parse_quantity};
use crate::domain::catalog::Variant;
use leptos::prelude::*;

/// The badge's state, shared by the header and the forms that change the cart.
#[derive(Clone, Copy)]
pub struct CartCount {
    /// The last count the server reported (from the badge's own fetch, an add, or the cart page).
    pub known: RwSignal<Option<i64>>,
    /// Units of an add still on its way.
    pub pending: RwSignal<i64>,
}

impl CartCount {
    pub fn new() -> Self {
        CartCount { known: RwSignal::new(None), pending: RwSignal::new(0) }
    }

    /// Records an authoritative count (when the context exists).
    pub fn set(count: i64) {
        if let Some(state) = use_context::<CartCount>() {
            state.known.set(Some(count));
        }
    }
}

impl Default for CartCount {
    fn default() -> Self {
        Self::new()
    }
}

fn items_label(n: i64) -> String {
    if n == 1 { "1 item".into() } else { format!("{n} items") }
}

#[component]
pub fn CartBadge() -> impl IntoView {
    let state = use_context::<CartCount>().unwrap_or_default();
    let refresh = use_context::<crate::AuthRefresh>().map(|r| r.0);
    let location = leptos_router::hooks::use_location();
    let fetched = Resource::new(move || (refresh.map(|r| r.get()), location.pathname.get()), |_| cart_count());
    Effect::new(move |_| {
        if let Some(Ok(n)) = fetched.get() {
            state.known.set(Some(n));
        }
    });
    view! {
        <a
            href="/cart"
            class="relative inline-flex items-center gap-1.5 whitespace-nowrap rounded-md px-2.5 py-1.5 text-sm font-medium text-stone-700 hover:bg-stone-100 hover:text-stone-950"
            data-testid="cart-link"
        >
            <svg viewBox="0 0 24 24" class="h-5 w-5" fill="none" stroke="currentColor" stroke-width="1.8" aria-hidden="true">
                <path d="M6 7h12l-1 12.5a1.5 1.5 0 0 1-1.5 1.5h-7A1.5 1.5 0 0 1 7 19.5L6 7Z" stroke-linejoin="round" />
                <path d="M9 9V6a3 3 0 0 1 6 0v3" stroke-linecap="round" />
            </svg>
            <span class="hidden sm:inline">"Cart"</span>
            <Transition fallback=|| view! { <span class="sr-only">"Cart"</span> }>
                {move || Suspend::new(async move {
                    let base = fetched.await.unwrap_or(0);
                    let count = move || state.known.get().unwrap_or(base) + state.pending.get();
                    view! {
                        <span class="sr-only">{move || format!(", {}", items_label(count()))}</span>
                        <span
                            aria-hidden="true"
                            class=move || {
                                if count() > 0 {
                                    "inline-flex h-5 min-w-5 items-center justify-center rounded-full bg-emerald-700 px-1.5 text-xs font-semibold tabular-nums text-white"
                                } else {
                                    "hidden"
                                }
                            }
                            data-testid="cart-count"
                        >
                            {count}
                        </span>
                    }
                })}
            </Transition>
        </a>
    }
}

/// Quantity and "Add to cart" for the chosen variant. Without JavaScript it posts and lands on
/// the cart page; with it, the page stays and the badge updates at once.
#[component]
pub fn AddToCartForm(#[prop(into)] variant: Signal<Option<Variant>>) -> impl IntoView {
    let add = ServerAction::<AddToCart>::new();
    let state = use_context::<CartCount>();
    Effect::new(move |_| {
        let units = add.input().with(|i| {
            i.as_ref().map(|a| parse_quantity(a.quantity.as_deref().unwrap_or("1")).unwrap_or(0)).unwrap_or(0)
        });
        if let Some(s) = state {
            s.pending.set(units);
        }
    });
    Effect::new(move |_| {
        if let (Some(s), Some(Ok(added))) = (state, add.value().get()) {
            s.known.set(Some(added.item_count));
        }
    });
    on_cleanup(move || {
        if let Some(s) = state {
            s.pending.try_set(0);
        }
    });
    let errors = last_error(add.value());
    let quantity_error = move || errors.get().and_then(|e| e.field("quantity"));
    let added = move || add.value().get().and_then(|r| r.ok());
    let sold_out = move || variant.get().is_none_or(|v| v.stock <= 0);
    view! {
        <ActionForm action=add attr:class="flex flex-col gap-3 border-t border-stone-200 pt-5" attr:data-testid="add-to-cart-form">
            <input type="hidden" name="variant_id" value=move || variant.get().map(|v| v.id.to_string()).unwrap_or_default() />
            <div class="flex items-end gap-3">
                <div class="flex flex-col gap-1">
                    <label for="add-quantity" class="text-sm font-medium text-stone-800">"Quantity"</label>
                    <input
                        id="add-quantity"
                        name="quantity"
                        type="number"
                        inputmode="numeric"
                        min="1"
                        max=MAX_QTY_PER_LINE
                        value="1"
                        required
                        aria-invalid=move || quantity_error().is_some().then_some("true")
                        aria-describedby="add-quantity-error"
                        class="w-20 rounded-lg border border-stone-300 bg-white px-3 py-2.5 text-base tabular-nums shadow-sm focus:border-emerald-600 aria-[invalid=true]:border-rose-500"
                    />
                </div>
                <button
                    type="submit"
                    disabled=sold_out
                    class="inline-flex flex-1 items-center justify-center gap-2 rounded-lg bg-emerald-700 px-5 py-3 text-base font-semibold text-white shadow-sm hover:bg-emerald-800 disabled:cursor-not-allowed disabled:bg-stone-300 disabled:text-stone-600 sm:flex-none sm:px-8"
                    data-testid="add-to-cart"
                >
                    {move || if sold_out() { "Sold out" } else { "Add to cart" }}
                </button>
            </div>
            <p id="add-quantity-error" class="text-sm text-rose-700" data-testid="error-quantity">{quantity_error}</p>
            <FormAlert errors />
            {move || {
                added()
                    .map(|a| {
                        let (class, text) = match a.capped {
                            Some(m) => ("rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-900 ring-1 ring-amber-200", m),
                            None => (
                                "rounded-lg bg-emerald-50 px-3 py-2 text-sm text-emerald-900 ring-1 ring-emerald-200",
                                format!("Added to your cart ({} of this item in your cart).", a.in_cart),
                            ),
                        };
                        view! {
                            <p role="status" class=format!("flex flex-wrap items-center justify-between gap-2 {class}") data-testid="added-to-cart">
                                <span>{text}</span>
                                <a href="/cart" class="font-semibold underline underline-offset-2">"View cart"</a>
                            </p>
                        }
                    })
            }}
        </ActionForm>
    }
}
