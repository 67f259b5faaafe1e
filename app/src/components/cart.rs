//! The header's cart badge, the product page's "Add to cart" form and the product cards' one-click
//! add. The badge counts an add
//! while it is on its way (optimistic), then shows what the server answered: the new count, or the
//! old one again when the add was refused (the form says why).
use crate::api::cart::{AddToCart, added_message, cart_count};
use crate::components::form::{FormAlert, last_error};
use crate::domain::cart::{MAX_QTY_PER_LINE, parse_quantity};
use crate::domain::catalog::Variant;
use crate::domain::errors::AppError;
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

/// An add-to-cart action wired to the header badge: the units on their way count at once, then
/// the count the server answered replaces them; a refused add leaves the old count. Every form
/// that adds to the cart (product page, product cards) goes through this.
pub fn use_add_to_cart() -> ServerAction<AddToCart> {
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
    add
}

/// Why an add was refused, in one sentence.
fn refusal(e: &AppError) -> String {
    match e {
        AppError::Validation(f) => {
            f.get("form").or_else(|| f.get("quantity")).map(str::to_string).unwrap_or_else(|| e.to_string())
        }
        other => other.to_string(),
    }
}

/// Quantity and "Add to cart" for the chosen variant. Without JavaScript it posts and lands on
/// the cart page; with it, the page stays and the badge updates at once.
#[component]
pub fn AddToCartForm(#[prop(into)] variant: Signal<Option<Variant>>) -> impl IntoView {
    let add = use_add_to_cart();
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
                        let class = if a.capped.is_some() {
                            "rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-900 ring-1 ring-amber-200"
                        } else {
                            "rounded-lg bg-emerald-50 px-3 py-2 text-sm text-emerald-900 ring-1 ring-emerald-200"
                        };
                        let text = added_message(&a);
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

/// The product cards of one grid share one add action: the badge counts the add at once, and
/// the card that sent it says how it went. Without JavaScript a card's form posts, the server
/// adds and sends the shopper back to the same page, and `CardCartNotice` above the grid says
/// what happened (an error comes back in the address, a confirmation in a one-off cookie).
#[derive(Clone, Copy)]
pub struct CardCart {
    pub add: ServerAction<AddToCart>,
    /// The variant of the last add sent from a card in this grid.
    pub last: RwSignal<Option<i64>>,
    /// The page to come back to after a plain form post.
    pub here: Memo<String>,
}

impl CardCart {
    /// Creates the grid's action and makes it available to its cards.
    pub fn provide() -> Self {
        let add = use_add_to_cart();
        let last = RwSignal::new(None);
        Effect::new(move |_| {
            if let Some(variant) = add.input().with(|i| i.as_ref().map(|a| a.variant_id)) {
                last.set(Some(variant));
            }
        });
        let location = leptos_router::hooks::use_location();
        let here = Memo::new(move |_| {
            let search = location.search.get();
            let search = search.trim_start_matches('?');
            let path = location.pathname.get();
            if search.is_empty() { path } else { format!("{path}?{search}") }
        });
        let cart = CardCart { add, last, here };
        provide_context(cart);
        cart
    }
}

const CARD_BUTTON: &str =
    "inline-flex w-full items-center justify-center gap-1.5 rounded-lg px-3 py-2 text-sm font-semibold";

/// The bottom of a product card: "Add to cart" for a product with one variant in stock,
/// "Choose options" (a link to its page) when there are several, "Sold out" when none is left.
#[component]
pub fn CardCartAction(single_variant_id: Option<i64>, in_stock: bool, href: String, title: String) -> impl IntoView {
    let cart = use_context::<CardCart>();
    match (in_stock, single_variant_id, cart) {
        (false, ..) => view! {
            <button
                type="button"
                disabled
                class=format!("{CARD_BUTTON} cursor-not-allowed bg-stone-100 text-stone-500 ring-1 ring-inset ring-stone-200")
                data-testid="card-sold-out"
            >
                "Sold out"
            </button>
        }
        .into_any(),
        (true, Some(variant), Some(CardCart { add, last, here })) => {
            let mine = move || last.get() == Some(variant);
            let sending = move || add.pending().get() && mine();
            view! {
                <ActionForm action=add attr:data-testid="card-add-form">
                    <input type="hidden" name="variant_id" value=variant.to_string() />
                    <input type="hidden" name="quantity" value="1" />
                    <input type="hidden" name="return_to" value=move || here.get() />
                    <button
                        type="submit"
                        disabled=sending
                        aria-label=format!("Add to cart: {title}")
                        class=format!("{CARD_BUTTON} bg-emerald-700 text-white shadow-sm hover:bg-emerald-800 disabled:cursor-wait disabled:opacity-70")
                        data-testid="card-add"
                    >
                        {move || if sending() { "Adding…" } else { "Add to cart" }}
                    </button>
                </ActionForm>
            }
            .into_any()
        }
        _ => view! {
            <a
                href=href
                aria-label=format!("Choose options for {title}")
                class=format!("{CARD_BUTTON} bg-white text-stone-800 ring-1 ring-inset ring-stone-300 hover:bg-stone-50 hover:ring-stone-400")
                data-testid="card-choose"
            >
                "Choose options"
            </a>
        }
        .into_any(),
    }
}

/// How the last add from this card went, laid over the bottom of its picture so that the card
/// keeps its size and its button stays in line with its neighbours'.
#[component]
pub fn CardCartStatus(single_variant_id: Option<i64>) -> impl IntoView {
    let cart = use_context::<CardCart>();
    let outcome = move || {
        let (Some(variant), Some(CardCart { add, last, .. })) = (single_variant_id, cart) else { return None };
        (last.get() == Some(variant) && !add.pending().get()).then(|| add.value().get()).flatten()
    };
    move || {
        outcome().map(|result| {
            let (class, testid, role, text, link) = match result {
                Ok(a) if a.capped.is_some() => {
                    ("bg-amber-50/95 text-amber-900 ring-amber-200", "card-added", "status", added_message(&a), true)
                }
                Ok(_) => {
                    ("bg-white/95 text-emerald-900 ring-emerald-200", "card-added", "status", "✓ Added to your cart".into(), true)
                }
                Err(e) => ("bg-rose-50/95 text-rose-800 ring-rose-200", "card-add-error", "alert", refusal(&e), false),
            };
            view! {
                <p
                    role=role
                    class=format!("absolute inset-x-2 bottom-2 z-10 rounded-lg px-2.5 py-1.5 text-xs leading-snug shadow-sm ring-1 {class}")
                    data-testid=testid
                >
                    {text}
                    {link.then(|| view! { " · " <a href="/cart" class="font-semibold underline underline-offset-2">"View cart"</a> })}
                </p>
            }
        })
    }
}

/// What a card's plain form post (no JavaScript) left for this page: made once per page by the
/// frame (`Layout`), never inside the Suspend that renders a grid. A Suspense walks its children
/// more than once on the server, so a resource made there is made again and the first copy's
/// server call runs on without the request's context (and the copies shift the ids the browser
/// hydrates resources by).
#[derive(Clone, Copy)]
pub struct AddedNotice(Resource<Vec<String>>);

impl AddedNotice {
    pub fn provide() {
        let location = leptos_router::hooks::use_location();
        // Only a server render can hold a confirmation: a plain form post ends in a full page
        // load. Keyed by the path, so a later client-side navigation shows nothing stale.
        let notice = Resource::new(
            move || location.pathname.get(),
            |_| async move {
                #[cfg(feature = "ssr")]
                {
                    crate::api::cart::take_added_notice().await
                }
                #[cfg(not(feature = "ssr"))]
                {
                    Vec::<String>::new()
                }
            },
        );
        provide_context(AddedNotice(notice));
    }
}

/// Above a grid of cards: what a card's plain form post (no JavaScript) did: the confirmation
/// the server left for this page, or why it refused (which card sent it is not known then).
#[component]
pub fn CardCartNotice() -> impl IntoView {
    let cart = use_context::<CardCart>();
    let notice = use_context::<AddedNotice>();
    let refused = move || {
        cart.filter(|c| c.last.get().is_none())
            .and_then(|c| c.add.value().get())
            .and_then(|r| r.err())
            .map(|e| refusal(&e))
    };
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let messages = match notice {
                    Some(AddedNotice(n)) => n.await,
                    None => Vec::new(),
                };
                let any = !messages.is_empty();
                view! {
                    <Show when=move || any && cart.is_none_or(|c| c.last.get().is_none())>
                        <p role="status" class="mb-4 flex flex-wrap items-center justify-between gap-2 rounded-lg bg-emerald-50 px-3 py-2 text-sm text-emerald-900 ring-1 ring-emerald-200" data-testid="card-notice">
                            <span>{messages.join(" ")}</span>
                            <a href="/cart" class="font-semibold underline underline-offset-2">"View cart"</a>
                        </p>
                    </Show>
                }
            })}
        </Transition>
        {move || {
            refused()
                .map(|text| {
                    view! {
                        <p role="alert" class="mb-4 rounded-lg bg-rose-50 px-3 py-2 text-sm text-rose-800 ring-1 ring-rose-200" data-testid="card-notice-error">
                            {text}
                        </p>
                    }
                })
        }}
    }
}
