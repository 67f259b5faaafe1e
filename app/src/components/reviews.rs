//! The reviews section of a product page: rating summary with its distribution, the shopper's
//! own review form, and the reviews with helpful votes and the store's replies. Every form is an
//! `ActionForm`, so it posts and comes back to this page without JavaScript too. Review text is
//! only ever rendered as text nodes, which Leptos escapes.
use crate::api::reviews::{MarkReviewHelpful, ReplyToReview, WriteReview, list_reviews};
use crate::components::form::{BUTTON, BUTTON_SECONDARY, FormAlert, last_error};
use crate::domain::errors::AppError;
use crate::domain::review::{
    MAX_BODY, MAX_REPLY, RatingSummary, Review, ReviewSort, ReviewsView, Viewer, date_label, star_fill, stars_label,
};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

const STAR: &str = "M10 1.5l2.6 5.4 5.9.8-4.3 4.1 1 5.9L10 14.9l-5.2 2.8 1-5.9L1.5 7.7l5.9-.8z";
const HALF_STAR: &str = "M10 1.5v13.4l-5.2 2.8 1-5.9L1.5 7.7l5.9-.8z";
const TEXTAREA: &str = "w-full rounded-lg border border-stone-300 bg-white px-3 py-2 text-base shadow-sm focus:border-emerald-600 aria-[invalid=true]:border-rose-500";

/// The initial text of a `<textarea>`, as HTML. Leptos writes textarea children into the
/// server's HTML without escaping them (as for `<script>`), so a review containing `</textarea>`
/// could end the element early; and a text child must hydrate as a text node, which an empty
/// review does not produce. Setting the escaped text as inner HTML on both sides avoids both:
/// the browser parses a textarea's inner HTML as plain text, decoding the entities.
fn textarea_html(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Five stars filled to the nearest half, read aloud as "4.3 out of 5".
#[component]
pub fn Stars(rating: f64, #[prop(default = "h-4 w-4")] size: &'static str) -> impl IntoView {
    let (full, half, empty) = star_fill(rating);
    let star = move |fill: &'static str, half: bool| {
        view! {
            <svg viewBox="0 0 20 20" class=format!("{size} shrink-0") aria-hidden="true">
                <path d=STAR class=fill />
                {half.then(|| view! { <path d=HALF_STAR class="fill-amber-400" /> })}
            </svg>
        }
    };
    view! {
        <span class="inline-flex items-center gap-0.5" role="img" aria-label=stars_label(rating)>
            {(0..full).map(|_| star("fill-amber-400", false)).collect_view()}
            {half.then(|| star("fill-stone-300", true))}
            {(0..empty).map(|_| star("fill-stone-300", false)).collect_view()}
        </span>
    }
}

/// The reviews section's data and actions. The product page makes them (outside the Suspend
/// that renders the product: a resource made there is made again while the server renders, and
/// the first copy's call runs on without the request's context). `product_id` is the product's
/// id once it is known; `when_known` waits for it when it is not yet (so the server renders and
/// sends the reviews of that product, not an empty list).
#[derive(Clone, Copy)]
pub struct ReviewsData {
    data: Resource<Result<ReviewsView, AppError>>,
    write: ServerAction<WriteReview>,
    helpful: ServerAction<MarkReviewHelpful>,
    reply: ServerAction<ReplyToReview>,
}

impl ReviewsData {
    pub fn new<F, Fut>(product_id: Signal<Option<i64>>, when_known: F) -> Self
    where
        F: Fn() -> Fut + Copy + Send + Sync + 'static,
        Fut: std::future::Future<Output = Option<i64>> + Send + 'static,
    {
        let query = use_query_map();
        let sort = Memo::new(move |_| ReviewSort::from_param(query.read().get("reviews").as_deref()));
        let page = Memo::new(move |_| query.read().get("reviews_page"));
        let write = ServerAction::<WriteReview>::new();
        let helpful = ServerAction::<MarkReviewHelpful>::new();
        let reply = ServerAction::<ReplyToReview>::new();
        let data = Resource::new(
            move || {
                let versions = (write.version().get(), helpful.version().get(), reply.version().get());
                (product_id.get(), sort.get(), page.get(), versions)
            },
            move |(id, sort, page, _)| async move {
                let id = match id {
                    Some(id) => id,
                    None => when_known().await.ok_or_else(|| AppError::NotFound("No such product.".into()))?,
                };
                list_reviews(id, Some(sort.as_param().to_string()), page).await
            },
        );
        ReviewsData { data, write, helpful, reply }
    }
}

/// The reviews of one product; `slug` builds the sign-in and sort links.
#[component]
pub fn Reviews(reviews: ReviewsData, slug: String, merchant_name: String) -> impl IntoView {
    let ReviewsData { data, write, helpful, reply } = reviews;
    let slug = StoredValue::new(slug);
    let merchant = StoredValue::new(merchant_name);
    view! {
        <section id="reviews" aria-labelledby="reviews-heading" class="mt-12 border-t border-stone-200 pt-10" data-testid="reviews">
            <h2 id="reviews-heading" class="text-xl font-semibold tracking-tight sm:text-2xl">"Customer reviews"</h2>
            <Transition fallback=|| view! { <div class="mt-6 h-48 animate-pulse rounded-2xl bg-stone-200/70"></div> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! {
                            <p role="alert" class="mt-4 rounded-lg bg-rose-50 px-3 py-2 text-sm text-rose-800">
                                "Reviews could not be loaded: " {e.to_string()}
                            </p>
                        }
                        .into_any(),
                        Ok(v) => view! {
                            <div class="mt-6 grid gap-8 lg:grid-cols-3 lg:gap-12">
                                <div class="flex flex-col gap-6">
                                    <Summary summary=v.summary.clone() />
                                    <WritePanel view=v.clone() slug=slug.get_value() action=write />
                                </div>
                                <div class="lg:col-span-2">
                                    <ReviewList view=v slug=slug.get_value() merchant=merchant.get_value() helpful reply />
                                </div>
                            </div>
                        }
                        .into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Summary(summary: RatingSummary) -> impl IntoView {
    let Some(average) = summary.average() else {
        return view! {
            <div class="rounded-2xl bg-white p-5 ring-1 ring-stone-200" data-testid="rating-summary">
                <p class="font-medium text-stone-900" data-testid="rating-count">"No reviews yet"</p>
                <p class="mt-1 text-sm text-stone-600">"Bought it? Tell other shoppers what you think."</p>
            </div>
        }
        .into_any();
    };
    let count = summary.count;
    view! {
        <div class="rounded-2xl bg-white p-5 ring-1 ring-stone-200" data-testid="rating-summary">
            <div class="flex items-center gap-4">
                <p class="text-4xl font-semibold tracking-tight tabular-nums" data-testid="rating-average">
                    {summary.average_label()}
                </p>
                <div class="flex flex-col gap-1">
                    <Stars rating=average size="h-5 w-5" />
                    <p class="text-sm text-stone-600" data-testid="rating-count">
                        {format!("{count} {}", if count == 1 { "review" } else { "reviews" })}
                    </p>
                </div>
            </div>
            <ul class="mt-5 flex flex-col gap-2" aria-label="Rating distribution">
                {(1..=5)
                    .rev()
                    .map(|stars| {
                        let n = summary.with_stars(stars);
                        let pct = summary.percent(stars);
                        view! {
                            <li class="flex items-center gap-3 text-sm" data-testid=format!("distribution-{stars}")>
                                <span class="w-12 shrink-0 whitespace-nowrap text-stone-700">{format!("{stars} star")}</span>
                                <progress
                                    value=n
                                    max=count
                                    aria-label=format!("{stars} stars: {n} of {count} reviews")
                                    class="h-2.5 min-w-0 flex-1 overflow-hidden rounded-full bg-stone-200 [&::-moz-progress-bar]:bg-amber-400 [&::-webkit-progress-bar]:bg-stone-200 [&::-webkit-progress-value]:bg-amber-400"
                                ></progress>
                                <span class="w-10 shrink-0 text-right tabular-nums text-stone-600">{format!("{pct}%")}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </div>
    }
    .into_any()
}

#[component]
fn WritePanel(view: ReviewsView, slug: String, action: ServerAction<WriteReview>) -> impl IntoView {
    let errors = last_error(action.value());
    let saved = move || matches!(action.value().get(), Some(Ok(())));
    let body = match view.viewer {
        Viewer::Visitor => view! {
            <p class="text-sm text-stone-600">"Share your thoughts with other shoppers."</p>
            <a href=format!("/login?next=/products/{slug}") class=format!("{BUTTON} mt-3 w-full") data-testid="sign-in-to-review">
                "Sign in to write a review"
            </a>
        }
        .into_any(),
        Viewer::StoreStaff => view! {
            <p class="text-sm text-stone-600">
                "Your store sells this product, so you can reply to its reviews but not review it."
            </p>
        }
        .into_any(),
        Viewer::Shopper => {
            let mine = view.mine.clone();
            let rating = mine.as_ref().map(|r| r.rating).unwrap_or(0);
            let text = mine.as_ref().map(|r| r.body.clone()).unwrap_or_default();
            view! {
                <ActionForm action attr:class="flex flex-col gap-4" attr:data-testid="review-form">
                    <input type="hidden" name="product_id" value=view.product_id />
                    {mine.as_ref().map(|r| view! { <input type="hidden" name="review_id" value=r.id /> })}
                    <FormAlert errors />
                    <Show when=saved>
                        <p role="status" class="rounded-lg bg-emerald-50 px-3 py-2 text-sm text-emerald-800" data-testid="review-saved">
                            "Thank you! Your review is saved."
                        </p>
                    </Show>
                    <RatingPicker current=rating errors />
                    <div class="flex flex-col gap-1">
                        <label for="review-body" class="text-sm font-medium text-stone-800">
                            "Your review" <span class="font-normal text-stone-500">" (optional)"</span>
                        </label>
                        <textarea
                            id="review-body"
                            name="body"
                            rows="5"
                            maxlength=MAX_BODY
                            placeholder="What did you like or dislike? How did you use it?"
                            aria-invalid=move || errors.get().and_then(|e| e.field("body")).is_some().then_some("true")
                            aria-describedby="review-body-error"
                            class=TEXTAREA
                            inner_html=textarea_html(&text)
                        ></textarea>
                        <p id="review-body-error" class="text-sm text-rose-700" data-testid="error-body">
                            {move || errors.get().and_then(|e| e.field("body"))}
                        </p>
                    </div>
                    <button type="submit" class=BUTTON>{if mine.is_some() { "Update your review" } else { "Post review" }}</button>
                </ActionForm>
            }
            .into_any()
        }
    };
    let heading = match (view.viewer, view.mine.is_some()) {
        (Viewer::StoreStaff, _) => "Reviews of your product",
        (_, true) => "Edit your review",
        (_, false) => "Review this product",
    };
    view! {
        <div class="rounded-2xl bg-white p-5 ring-1 ring-stone-200" data-testid="review-panel">
            <h3 class="mb-3 text-base font-semibold">{heading}</h3>
            {body}
        </div>
    }
}

/// 1–5 stars as a radio group: keyboard- and screen-reader-friendly, and posts without JavaScript.
#[component]
fn RatingPicker(current: i64, #[prop(into)] errors: Signal<Option<AppError>>) -> impl IntoView {
    let message = move || errors.get().and_then(|e| e.field("rating"));
    view! {
        <fieldset aria-describedby="rating-error">
            <legend class="text-sm font-medium text-stone-800">"Your rating"</legend>
            <div class="mt-2 flex flex-wrap gap-2">
                {(1..=5)
                    .map(|n: i64| {
                        view! {
                            <label class="inline-flex cursor-pointer items-center gap-1 rounded-lg bg-white px-3 py-2 text-sm font-semibold text-stone-700 ring-1 ring-stone-300 hover:ring-stone-500 has-checked:bg-stone-900 has-checked:text-white has-checked:ring-stone-900 has-focus-visible:outline-2 has-focus-visible:outline-emerald-600">
                                <input type="radio" name="rating" value=n checked=n == current class="sr-only" />
                                <span aria-hidden="true">{n} " ★"</span>
                                <span class="sr-only">{format!("{n} {}", if n == 1 { "star" } else { "stars" })}</span>
                            </label>
                        }
                    })
                    .collect_view()}
            </div>
            <p id="rating-error" class="mt-1 text-sm text-rose-700" data-testid="error-rating">{message}</p>
        </fieldset>
    }
}

#[component]
fn ReviewList(
    view: ReviewsView,
    slug: String,
    merchant: String,
    helpful: ServerAction<MarkReviewHelpful>,
    reply: ServerAction<ReplyToReview>,
) -> impl IntoView {
    let helpful_errors = last_error(helpful.value());
    let reply_errors = last_error(reply.value());
    let problem = move || {
        helpful_errors.get().or(reply_errors.get()).map(|e| match &e {
            AppError::Validation(f) => f.0.first().map(|(_, m)| m.clone()).unwrap_or_else(|| e.to_string()),
            other => other.to_string(),
        })
    };
    let (first, last) = view.shown_range();
    let total = view.summary.count;
    let (page, last_page) = (view.page, view.last_page());
    let viewer = view.viewer;
    let current = view.sort;
    let page_link = {
        let slug = slug.clone();
        move |n: u32| format!("/products/{slug}?reviews={}&reviews_page={n}#reviews", current.as_param())
    };
    view! {
        <div class="flex flex-wrap items-center justify-between gap-3">
            <p class="text-sm text-stone-600">
                {if total == 0 {
                    "Reviews appear here once shoppers write them.".to_string()
                } else if last_page > 1 {
                    format!("Showing {first}–{last} of {total} reviews")
                } else {
                    format!("{total} {}", if total == 1 { "review" } else { "reviews" })
                }}
            </p>
            <nav aria-label="Sort reviews" class="flex items-center gap-1 text-sm">
                <span class="mr-1 text-stone-500">"Sort:"</span>
                {ReviewSort::ALL
                    .into_iter()
                    .map(|s| {
                        let active = s == current;
                        view! {
                            <A
                                href=format!("/products/{slug}?reviews={}#reviews", s.as_param())
                                scroll=false
                                attr:aria-current=active.then_some("true")
                                attr:class=if active {
                                    "rounded-md bg-stone-900 px-2.5 py-1 font-medium text-white"
                                } else {
                                    "rounded-md px-2.5 py-1 font-medium text-stone-700 hover:bg-stone-100"
                                }
                                attr:data-testid=format!("sort-{}", s.as_param())
                            >
                                {s.label()}
                            </A>
                        }
                    })
                    .collect_view()}
            </nav>
        </div>
        <Show when=move || problem().is_some()>
            <p role="alert" class="mt-3 rounded-lg bg-rose-50 px-3 py-2 text-sm text-rose-800 ring-1 ring-rose-200">
                {problem}
            </p>
        </Show>
        <ul class="mt-4 flex flex-col divide-y divide-stone-200" data-testid="review-list">
            {view
                .reviews
                .into_iter()
                .map(|r| view! { <li class="py-5 first:pt-2"><ReviewItem review=r viewer merchant=merchant.clone() helpful reply /></li> })
                .collect_view()}
        </ul>
        {(last_page > 1).then(|| {
            let link = "rounded-lg px-3 py-2 text-sm font-medium text-stone-800 ring-1 ring-stone-300 hover:bg-stone-100";
            view! {
                <nav aria-label="Review pages" class="mt-2 flex items-center justify-between gap-3 border-t border-stone-200 pt-4 text-sm">
                    {(page > 1).then(|| view! {
                        <A href=page_link(page - 1) scroll=false attr:class=link attr:data-testid="reviews-previous">"← Previous"</A>
                    })}
                    <span class="mx-auto text-stone-600">{format!("Page {page} of {last_page}")}</span>
                    {(page < last_page).then(|| view! {
                        <A href=page_link(page + 1) scroll=false attr:class=link attr:data-testid="reviews-next">"Next →"</A>
                    })}
                </nav>
            }
        })}
    }
}

#[component]
fn ReviewItem(
    review: Review,
    viewer: Viewer,
    merchant: String,
    helpful: ServerAction<MarkReviewHelpful>,
    reply: ServerAction<ReplyToReview>,
) -> impl IntoView {
    let id = review.id;
    let edited = review.updated_at > review.created_at;
    let can_vote = viewer == Viewer::Shopper && !review.is_own && !review.voted_helpful;
    let can_reply = viewer == Viewer::StoreStaff && review.merchant_reply.is_none();
    let helpful_text = match review.helpful_count {
        0 => String::new(),
        1 => "1 person found this helpful".to_string(),
        n => format!("{n} people found this helpful"),
    };
    view! {
        <article class="flex flex-col gap-2" data-testid="review" aria-label=format!("Review by {}", review.author)>
            <div class="flex flex-wrap items-center gap-x-3 gap-y-1">
                <Stars rating=review.rating as f64 />
                <span class="text-sm font-semibold text-stone-900" data-testid="review-author">{review.author.clone()}</span>
                {review.verified_purchase.then(|| view! {
                    <span class="rounded-full bg-emerald-50 px-2 py-0.5 text-xs font-medium text-emerald-800 ring-1 ring-emerald-200">"Verified purchase"</span>
                })}
                {review.is_own.then(|| view! {
                    <span class="rounded-full bg-stone-100 px-2 py-0.5 text-xs font-medium text-stone-700">"Your review"</span>
                })}
            </div>
            <p class="text-xs text-stone-500">
                {date_label(review.created_at)} {edited.then_some(" · edited")}
            </p>
            {(!review.body.is_empty()).then(|| view! {
                <p class="whitespace-pre-line break-words text-[0.95rem] leading-relaxed text-stone-800" data-testid="review-body">
                    {review.body.clone()}
                </p>
            })}
            {review.merchant_reply.clone().map(|text| view! {
                <div class="mt-1 rounded-lg border-l-4 border-emerald-600 bg-stone-50 px-4 py-3" data-testid="merchant-reply">
                    <p class="text-xs font-semibold text-stone-900">
                        {format!("Reply from {merchant}")}
                        <span class="font-normal text-stone-500">{review.replied_at.map(|t| format!(" · {}", date_label(t)))}</span>
                    </p>
                    <p class="mt-1 whitespace-pre-line break-words text-sm text-stone-700">{text}</p>
                </div>
            })}
            <div class="flex flex-wrap items-center gap-3 text-sm text-stone-600">
                <span data-testid="helpful-count">{helpful_text}</span>
                {can_vote.then(|| view! {
                    <ActionForm action=helpful>
                        <input type="hidden" name="review_id" value=id />
                        <button type="submit" class="rounded-md px-2.5 py-1 font-medium text-stone-700 ring-1 ring-stone-300 hover:bg-stone-100">
                            "Helpful"
                        </button>
                    </ActionForm>
                })}
                {review.voted_helpful.then(|| view! { <span class="text-emerald-700">"You found this helpful"</span> })}
            </div>
            {can_reply.then(|| view! {
                <details class="mt-1">
                    <summary class="cursor-pointer text-sm font-semibold text-emerald-700">"Reply as " {merchant.clone()}</summary>
                    <ActionForm action=reply attr:class="mt-2 flex flex-col gap-2">
                        <input type="hidden" name="review_id" value=id />
                        <label for=format!("reply-{id}") class="sr-only">"Your reply"</label>
                        <textarea id=format!("reply-{id}") name="reply" rows="3" maxlength=MAX_REPLY required class=TEXTAREA></textarea>
                        <button type="submit" class=format!("{BUTTON_SECONDARY} self-start")>"Post reply"</button>
                    </ActionForm>
                </details>
            })}
        </article>
    }
}
