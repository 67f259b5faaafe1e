//! The header search box. Without JavaScript it is a plain GET form to `/search`; once
//! hydrated it suggests completions and products as the shopper types (debounced), navigable
//! with the arrow keys, Enter and Escape (the WAI-ARIA combobox pattern).
use crate::api::catalog::suggest;
use crate::domain::search::url_encode;
use crate::domain::storefront::Suggestions;
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate, use_query_map};
use std::time::Duration;

/// Wait this long after the last keystroke before asking the server.
const DEBOUNCE: Duration = Duration::from_millis(150);
const LISTBOX_ID: &str = "search-suggestions";

#[derive(Clone, Debug, PartialEq)]
struct Option_ {
    label: String,
    detail: Option<String>,
    href: String,
}

fn options(s: &Suggestions) -> Vec<Option_> {
    let queries = s.queries.iter().map(|q| Option_ {
        label: q.clone(),
        detail: None,
        href: format!("/search?q={}", url_encode(q)),
    });
    let products = s.products.iter().map(|p| Option_ {
        label: p.title.clone(),
        detail: Some(p.merchant_name.clone()),
        href: format!("/products/{}", p.slug),
    });
    queries.chain(products).collect()
}

#[component]
pub fn SearchBox() -> impl IntoView {
    let query = use_query_map();
    let here = use_location();
    // Only the search page's `q` is a search; other pages use `q` for their own filters.
    let current = move || {
        if here.pathname.read().as_str() == "/search" {
            query.read().get("q").unwrap_or_default()
        } else {
            String::new()
        }
    };
    let (items, set_items) = signal(Vec::<Option_>::new());
    let (open, set_open) = signal(false);
    let (active, set_active) = signal(None::<usize>);
    // Each keystroke bumps the generation; only the newest request may fill the list.
    let generation = StoredValue::new(0u64);
    let navigate = use_navigate();

    // A new page closes the list.
    let location = use_location();
    Effect::new(move |_| {
        location.pathname.track();
        location.search.track();
        set_open.set(false);
        set_active.set(None);
    });

    let on_input = move |ev: leptos::ev::Event| {
        let typed = event_target_value(&ev);
        let ticket = generation.with_value(|g| g + 1);
        generation.set_value(ticket);
        if typed.trim().chars().count() < 2 {
            set_items.set(Vec::new());
            set_open.set(false);
            return;
        }
        set_timeout(
            move || {
                if generation.get_value() != ticket {
                    return;
                }
                leptos::task::spawn_local(async move {
                    let found = suggest(typed).await.map(|s| options(&s)).unwrap_or_default();
                    if generation.get_value() == ticket {
                        set_open.set(!found.is_empty());
                        set_items.set(found);
                        set_active.set(None);
                    }
                });
            },
            DEBOUNCE,
        );
    };

    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let n = items.with(Vec::len);
        match ev.key().as_str() {
            "ArrowDown" if n > 0 => {
                ev.prevent_default();
                set_open.set(true);
                set_active.update(|a| *a = Some(a.map_or(0, |i| (i + 1) % n)));
            }
            "ArrowUp" if n > 0 => {
                ev.prevent_default();
                set_open.set(true);
                set_active.update(|a| *a = Some(a.map_or(n - 1, |i| (i + n - 1) % n)));
            }
            "Escape" => {
                set_open.set(false);
                set_active.set(None);
            }
            "Enter" => {
                // With a suggestion highlighted, go there; otherwise the form submits as typed.
                if let Some(href) =
                    active.get().filter(|_| open.get()).and_then(|i| items.with(|v| v.get(i).map(|o| o.href.clone())))
                {
                    ev.prevent_default();
                    set_open.set(false);
                    navigate(&href, Default::default());
                }
            }
            _ => {}
        }
    };

    // Leaving the box closes the list, after a click on a suggestion had time to land.
    let on_blur = move |_| set_timeout(move || set_open.set(false), Duration::from_millis(200));
    let option_id = |i: usize| format!("search-option-{i}");

    view! {
        <form action="/search" method="get" role="search" class="relative order-last flex w-full gap-2 sm:order-none sm:max-w-md sm:flex-1">
            <label for="site-search" class="sr-only">"Search products"</label>
            <input
                id="site-search"
                type="search"
                name="q"
                maxlength="200"
                autocomplete="off"
                role="combobox"
                aria-autocomplete="list"
                aria-controls=LISTBOX_ID
                aria-expanded=move || if open.get() { "true" } else { "false" }
                aria-activedescendant=move || active.get().filter(|_| open.get()).map(option_id)
                prop:value=current
                placeholder="Search products"
                on:input=on_input
                on:keydown=on_keydown
                on:blur=on_blur
                on:focus=move |_| set_open.set(items.with(|v| !v.is_empty()))
                class="min-w-0 flex-1 rounded-lg border border-stone-300 bg-white px-3 py-2 text-sm"
            />
            <button type="submit" class="rounded-lg bg-emerald-700 px-3.5 py-2 text-sm font-semibold text-white hover:bg-emerald-800">
                "Search"
            </button>
            <ul
                id=LISTBOX_ID
                role="listbox"
                aria-label="Suggestions"
                class="absolute left-0 right-0 top-full z-30 mt-1 overflow-hidden rounded-xl bg-white py-1 shadow-lg ring-1 ring-stone-200"
                class:hidden=move || !open.get()
                data-testid="search-suggestions"
            >
                <For each=move || items.get().into_iter().enumerate() key=|(i, o)| (*i, o.href.clone()) let((i, o))>
                    <li
                        id=option_id(i)
                        role="option"
                        aria-selected=move || if active.get() == Some(i) { "true" } else { "false" }
                        class="aria-selected:bg-stone-100"
                    >
                        <a href=o.href.clone() class="flex items-baseline justify-between gap-3 px-3 py-2 text-sm hover:bg-stone-100" tabindex="-1">
                            <span class="truncate" class:font-medium=o.detail.is_none()>
                                {o.detail.is_none().then(|| view! { <span aria-hidden="true" class="mr-2 text-stone-400">"⌕"</span> })}
                                {o.label.clone()}
                            </span>
                            {o.detail.clone().map(|d| view! { <span class="shrink-0 text-xs text-stone-500">{d}</span> })}
                        </a>
                    </li>
                </For>
            </ul>
        </form>
    }
}
