//! `/admin/reviews`: reviews of the store's products, newest first, 25 a page by cursor
//! (`domain::paging`), with the store's average rating; "Waiting for a reply" keeps those without
//! one, and a plain GET form searches by product title or SKU. Each review shows its stars,
//! text, author, product link and the store's public reply, or a reply form (an ActionForm on
//! `reviews/reply`, which checks on the server that the review is of this store's product).
use crate::api::reviews::ReplyToReview;
use crate::api::store_reviews::list_store_reviews;
use crate::components::admin_nav::{AdminLayout, load_error};
use crate::components::form::{BUTTON, CARD, FormAlert, last_error};
use crate::components::pagination::CursorPager;
use crate::domain::admin_pages::{StoreReviewRow, StoreReviews};
use crate::domain::dates::ymd;
use crate::domain::paging::{Cursor, link_query};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn StoreReviewsPage() -> impl IntoView {
    let query = use_query_map();
    let args = move || {
        let q = query.read();
        (
            q.get("store").and_then(|s| s.parse::<i64>().ok()),
            q.get("unanswered").is_some_and(|v| v == "true"),
            q.get("q").filter(|s| !s.trim().is_empty()),
            Cursor::from_params(q.get("before").as_deref(), q.get("after").as_deref()),
        )
    };
    let reply = ServerAction::<ReplyToReview>::new();
    let list = Resource::new(
        move || (args(), reply.version().get()),
        |((store, unanswered, q, cursor), _)| {
            let (before, after) = cursor.keys();
            list_store_reviews(store, Some(unanswered), q, before, after)
        },
    );
    view! {
        <Title text="Reviews" />
        <AdminLayout>
            <Suspense fallback=|| view! { <div class="h-64 animate-pulse rounded-2xl bg-stone-200/70"></div> }>
                {move || Suspend::new(async move {
                    let (store, .., cursor) = args();
                    match list.await {
                        Err(e) => load_error(e, "/admin/reviews"),
                        Ok(list) => view! { <Reviews list reply store paged=cursor != Cursor::Newest /> }.into_any(),
                    }
                })}
            </Suspense>
        </AdminLayout>
    }
}

#[component]
fn Reviews(list: StoreReviews, reply: ServerAction<ReplyToReview>, store: Option<i64>, paged: bool) -> impl IntoView {
    let errors = last_error(reply.value());
    let store_id = store.map(|id| id.to_string()).unwrap_or_default();
    let search = list.search.clone();
    // A filter link keeps the search; the pager keeps both.
    let href = |unanswered: bool| {
        let q = link_query(
            &[("store", &store_id), ("unanswered", if unanswered { "true" } else { "" }), ("q", &search)],
            Cursor::Newest,
        );
        if q.is_empty() { "/admin/reviews".to_string() } else { format!("/admin/reviews?{q}") }
    };
    let params = vec![
        ("store", store_id.clone()),
        ("unanswered", if list.unanswered { "true".to_string() } else { String::new() }),
        ("q", search.clone()),
    ];
    let summary = match list.average {
        Some(avg) if list.total > 0 => format!("{} reviews · average {avg:.1} of 5", list.total),
        _ => format!("{} reviews", list.total),
    };
    let empty = if search.is_empty() {
        "No reviews here yet.".to_string()
    } else {
        format!("No reviews match “{search}”.")
    };
    view! {
        <header class="mb-6">
            <p class="text-sm font-medium text-emerald-700">"Reviews"</p>
            <h1 class="text-2xl font-semibold tracking-tight" data-testid="reviews-title">{format!("Reviews · {}", list.store_name)}</h1>
            <p class="mt-1 text-sm text-stone-600" data-testid="reviews-summary">{summary}</p>
        </header>
        <nav aria-label="Review filter" class="mb-4 flex flex-wrap gap-2">
            {[(false, "All"), (true, "Waiting for a reply")]
                .into_iter()
                .map(|(u, label)| {
                    let current = (u == list.unanswered).then_some("page");
                    view! {
                        <a href=href(u) aria-current=current class="rounded-full px-3 py-1 text-sm font-medium text-stone-700 ring-1 ring-stone-300 hover:bg-stone-100 aria-[current=page]:bg-stone-900 aria-[current=page]:text-white aria-[current=page]:ring-stone-900">
                            {label}
                        </a>
                    }
                })
                .collect_view()}
        </nav>
        <form method="get" action="/admin/reviews" role="search" aria-label="Search reviews" class=format!("{CARD} mb-4 flex flex-wrap items-end gap-3")>
            {store.map(|id| view! { <input type="hidden" name="store" value=id /> })}
            {list.unanswered.then(|| view! { <input type="hidden" name="unanswered" value="true" /> })}
            <label class="min-w-0 flex-1 text-sm font-medium text-stone-800">
                "Search reviews"
                <input type="search" name="q" value=search.clone() maxlength="100" placeholder="Product title or SKU" class="mt-1 block w-full rounded-lg border border-stone-300 bg-white px-3 py-2 text-sm shadow-sm" />
            </label>
            <button type="submit" class=BUTTON>"Search"</button>
        </form>
        <FormAlert errors />
        {if list.page.rows.is_empty() {
            view! { <p class=format!("{CARD} text-stone-600") data-testid="no-reviews">{empty}</p> }.into_any()
        } else {
            view! {
                <ul class="flex flex-col gap-4">
                    {list.page.rows.into_iter().map(|r| view! { <ReviewItem r reply /> }).collect_view()}
                </ul>
            }
                .into_any()
        }}
        <CursorPager base_path="/admin/reviews" params older=list.page.older newer=list.page.newer paged />
    }
}

#[component]
fn ReviewItem(r: StoreReviewRow, reply: ServerAction<ReplyToReview>) -> impl IntoView {
    let stars = format!("{}{}", "★".repeat(r.rating as usize), "☆".repeat(5 - r.rating as usize));
    let id = r.id;
    view! {
        <li class=CARD data-testid="store-review">
            <div class="flex flex-wrap items-baseline justify-between gap-2">
                <a href=format!("/products/{}", r.product_slug) class="font-medium text-stone-900 hover:underline">{r.product_title.clone()}</a>
                <span class="text-xs text-stone-500">{format!("{} · {}", r.author, ymd(r.created_at))}</span>
            </div>
            <p class="mt-1 text-amber-600" aria-label=format!("{} out of 5 stars", r.rating)>{stars}</p>
            <p class="mt-2 whitespace-pre-line text-sm text-stone-800">{r.body.clone()}</p>
            {match r.reply.clone() {
                Some(text) => view! {
                    <div class="mt-3 rounded-lg bg-stone-50 p-3 text-sm ring-1 ring-stone-200" data-testid="store-reply">
                        <p class="text-xs font-semibold uppercase tracking-wide text-stone-500">"Your reply"</p>
                        <p class="mt-1 whitespace-pre-line text-stone-800">{text}</p>
                    </div>
                }
                    .into_any(),
                None => view! {
                    <ActionForm action=reply attr:class="mt-3 flex flex-col gap-2">
                        <input type="hidden" name="review_id" value=id />
                        <label for=format!("reply-{id}") class="text-sm font-medium text-stone-800">"Public reply"</label>
                        <textarea id=format!("reply-{id}") name="reply" rows="2" required maxlength="1000" class="block w-full rounded-lg border border-stone-300 px-3 py-2 text-base sm:text-sm"></textarea>
                        <button type="submit" class=format!("{BUTTON} self-start py-1.5")>"Reply"</button>
                    </ActionForm>
                }
                    .into_any(),
            }}
        </li>
    }
}
