use crate::domain::listing::pager_window;
use leptos::prelude::*;

/// Page links that keep the rest of the query (`base_query` is e.g. "sort=price_asc").
#[component]
pub fn Pagination(base_path: String, base_query: String, page: u32, last: u32) -> impl IntoView {
    if last <= 1 {
        return ().into_any();
    }
    let href = move |p: u32| {
        let mut q = base_query.clone();
        if p > 1 {
            if !q.is_empty() {
                q.push('&');
            }
            q.push_str(&format!("page={p}"));
        }
        if q.is_empty() { base_path.clone() } else { format!("{base_path}?{q}") }
    };
    let link = "inline-flex h-10 min-w-10 items-center justify-center rounded-lg px-3 text-sm font-medium ring-1 ring-stone-200 bg-white hover:bg-stone-100";
    view! {
        <nav aria-label="Pages" class="mt-8 flex flex-wrap items-center justify-center gap-2">
            {(page > 1).then(|| view! { <a class=link rel="prev" href=href(page - 1)>"← Previous"</a> })}
            {pager_window(page, last)
                .into_iter()
                .map(|p| match p {
                    Some(p) if p == page => {
                        view! {
                            <span
                                aria-current="page"
                                class="inline-flex h-10 min-w-10 items-center justify-center rounded-lg bg-stone-900 px-3 text-sm font-semibold text-white"
                            >
                                {p}
                            </span>
                        }
                            .into_any()
                    }
                    Some(p) => view! { <a class=link href=href(p)>{p}</a> }.into_any(),
                    None => view! { <span class="px-1 text-stone-500">"…"</span> }.into_any(),
                })
                .collect_view()}
            {(page < last).then(|| view! { <a class=link rel="next" href=href(page + 1)>"Next →"</a> })}
        </nav>
    }
    .into_any()
}

/// The words of a cursor pager's three links.
#[derive(Clone, Copy, Debug)]
pub struct PagerLabels {
    pub first: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
}

impl PagerLabels {
    pub const NEWEST_FIRST: PagerLabels = PagerLabels { first: "Newest", previous: "← Newer", next: "Older →" };
    pub const IN_ORDER: PagerLabels = PagerLabels { first: "First", previous: "← Previous", next: "Next →" };
}

/// "Newer" / "Older" links of a cursor-paged list (`domain::paging`), keeping the list's own
/// parameters (`params`: store, status, search, …), and "Newest" once away from the first page.
#[component]
pub fn CursorPager(
    base_path: &'static str,
    params: Vec<(&'static str, String)>,
    older: Option<i64>,
    newer: Option<i64>,
    /// Whether this is a later page (it was opened with a cursor).
    paged: bool,
    /// What the links say: a newest-first list's or an alphabetical one's.
    #[prop(default = PagerLabels::NEWEST_FIRST)]
    labels: PagerLabels,
) -> impl IntoView {
    use crate::domain::paging::{Cursor, link_query};
    if older.is_none() && newer.is_none() && !paged {
        return ().into_any();
    }
    let href = move |cursor: Cursor| {
        let pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let q = link_query(&pairs, cursor);
        if q.is_empty() { base_path.to_string() } else { format!("{base_path}?{q}") }
    };
    let link = "inline-flex h-10 items-center justify-center rounded-lg bg-white px-4 text-sm font-medium ring-1 ring-stone-200 hover:bg-stone-100";
    view! {
        <nav aria-label="Pages" class="mt-4 flex flex-wrap items-center justify-between gap-2" data-testid="cursor-pager">
            <div class="flex gap-2">
                {paged.then(|| view! { <a class=link href=href(Cursor::Newest)>{labels.first}</a> })}
                {newer.map(|k| view! { <a class=link rel="prev" href=href(Cursor::After(k))>{labels.previous}</a> })}
            </div>
            {older.map(|k| view! { <a class=link rel="next" href=href(Cursor::Before(k))>{labels.next}</a> })}
        </nav>
    }
    .into_any()
}
