//! `/admin/ranking` (platform admin): the ranking formula's weights (score = Σ wᵢ·sᵢ / Σ wᵢ) with
//! a preview of how a sample query's first results would move before anything is saved. The
//! proposed weights and the query live in the URL (a GET form), so the preview renders on the
//! server and works without JavaScript; with JavaScript it refreshes on every change. "Save these
//! weights" stores exactly the previewed ones.
use crate::api::admin::{SetRankingWeights, get_ranking_weights, preview_ranking};
use crate::components::admin_nav::{AdminLayout, load_error};
use crate::components::form::{BUTTON, BUTTON_SECONDARY, CARD, FormAlert, last_error};
use crate::domain::errors::AppError;
use crate::domain::ranking::{Signal, Weights};
use crate::domain::ranking_preview::RankingPreview;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

const DEFAULT_QUERY: &str = "lamp";

#[component]
pub fn RankingPage() -> impl IntoView {
    let query = use_query_map();
    let save = ServerAction::<SetRankingWeights>::new();
    // The proposed weights: the URL's, else the saved ones.
    let proposal = move || {
        let q = query.read();
        let text = q.get("q").unwrap_or_else(|| DEFAULT_QUERY.to_string());
        let fields: Vec<(Signal, Option<String>)> = Signal::ALL.into_iter().map(|s| (s, q.get(s.key()))).collect();
        (text, fields)
    };
    let page = Resource::new(
        move || (proposal(), save.version().get()),
        |((q, fields), _)| async move {
            let stored = get_ranking_weights().await?;
            let value = |s: Signal| {
                fields
                    .iter()
                    .find(|(f, _)| *f == s)
                    .and_then(|(_, v)| v.clone())
                    .unwrap_or_else(|| stored.get(s).to_string())
            };
            let proposed_fields = Signal::ALL.into_iter().map(|s| (s.key().to_string(), value(s))).collect();
            let preview = preview_ranking(q.clone(), proposed_fields).await;
            let proposed: Vec<(Signal, String)> = Signal::ALL.into_iter().map(|s| (s, value(s))).collect();
            Ok::<_, AppError>((stored, q, proposed, preview))
        },
    );
    view! {
        <Title text="Ranking" />
        <AdminLayout>
            <Suspense fallback=|| view! { <div class="h-64 animate-pulse rounded-2xl bg-stone-200/70"></div> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Err(e) => load_error(e, "/admin/ranking"),
                        Ok((stored, q, proposed, preview)) => {
                            view! { <Ranking stored q proposed preview save /> }.into_any()
                        }
                    }
                })}
            </Suspense>
        </AdminLayout>
    }
}

/// Submits the GET form the changed input belongs to, so the preview follows every change.
fn resubmit(ev: leptos::ev::Event) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        if let Some(form) =
            ev.target().and_then(|t| t.dyn_into::<leptos::web_sys::HtmlInputElement>().ok()).and_then(|i| i.form())
        {
            let _ = form.request_submit();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ev;
}

#[component]
fn Ranking(
    stored: Weights,
    q: String,
    proposed: Vec<(Signal, String)>,
    preview: Result<RankingPreview, AppError>,
    save: ServerAction<SetRankingWeights>,
) -> impl IntoView {
    let errors = last_error(save.value());
    let saved_now = move || matches!(save.value().get(), Some(Ok(())));
    let preview_error = preview.as_ref().err().map(|e| e.to_string());
    let field_errors: Vec<(Signal, Option<String>)> =
        Signal::ALL.into_iter().map(|s| (s, preview.as_ref().err().and_then(|e| e.field(s.key())))).collect();
    let field_error = move |s: Signal| field_errors.iter().find(|(f, _)| *f == s).and_then(|(_, e)| e.clone());
    let unchanged = Signal::ALL.into_iter().all(|s| {
        proposed.iter().find(|(p, _)| *p == s).and_then(|(_, v)| v.trim().parse::<f64>().ok()) == Some(stored.get(s))
    });
    let hidden = proposed.clone();
    view! {
        <header class="mb-6">
            <p class="text-sm font-medium text-emerald-700">"Marketplace"</p>
            <h1 class="text-2xl font-semibold tracking-tight" data-testid="ranking-title">"Ranking"</h1>
            <p class="mt-1 max-w-2xl text-sm text-stone-600">
                "Products are ordered by score = Σ wᵢ·sᵢ / Σ wᵢ, each signal sᵢ between 0 and 1. A weight of 0 turns a signal off. Try weights on a sample search below; nothing changes for shoppers until you save."
            </p>
        </header>
        <div class="grid gap-6 xl:grid-cols-[20rem_1fr]">
            <section class=CARD aria-labelledby="weights-heading">
                <h2 id="weights-heading" class="text-lg font-semibold">"Proposed weights"</h2>
                <Form method="GET" action="/admin/ranking" attr:class="mt-4 flex flex-col gap-3" attr:data-testid="preview-form">
                    <div>
                        <label for="preview-q" class="text-sm font-medium text-stone-800">"Sample search"</label>
                        <input id="preview-q" name="q" type="search" value=q.clone() on:change=resubmit class="mt-1 block w-full rounded-lg border border-stone-300 bg-white px-3 py-2 text-base sm:text-sm" />
                    </div>
                    <div class="grid grid-cols-2 gap-3">
                        {proposed
                            .into_iter()
                            .map(|(s, v)| {
                                let id = format!("weight-{}", s.key());
                                let was = stored.get(s);
                                view! {
                                    <div class="flex flex-col gap-1">
                                        <label for=id.clone() class="text-sm font-medium text-stone-800">{s.label()}</label>
                                        <input id=id name=s.key() type="number" min="0" max="10" step="0.1" value=v on:change=resubmit class="rounded-lg border border-stone-300 bg-white px-3 py-2 text-base sm:text-sm" />
                                        <p class="text-xs text-stone-500">{format!("saved: {was}")}</p>
                                        <p class="text-sm text-rose-700">{field_error(s)}</p>
                                    </div>
                                }
                            })
                            .collect_view()}
                    </div>
                    <button type="submit" class=format!("{BUTTON_SECONDARY} self-start") data-testid="preview-button">"Preview"</button>
                </Form>
                <ActionForm action=save attr:class="mt-5 border-t border-stone-200 pt-4" attr:data-testid="weights-form">
                    <FormAlert errors />
                    <Show when=saved_now>
                        <p role="status" class="mb-3 rounded-lg bg-emerald-50 px-3 py-2 text-sm text-emerald-800">"Weights saved."</p>
                    </Show>
                    {hidden.into_iter().map(|(s, v)| view! { <input type="hidden" name=s.key() value=v /> }).collect_view()}
                    <button type="submit" class=BUTTON disabled=unchanged data-testid="save-weights">
                        {if unchanged { "These are the saved weights" } else { "Save these weights" }}
                    </button>
                </ActionForm>
            </section>
            <section class=CARD aria-labelledby="preview-heading" data-testid="ranking-preview">
                {match preview {
                    Err(_) => view! {
                        <h2 id="preview-heading" class="text-lg font-semibold">"Preview"</h2>
                        <p class="mt-2 text-sm text-rose-700">{preview_error.unwrap_or_default()}</p>
                    }
                        .into_any(),
                    Ok(p) => view! { <PreviewTable p /> }.into_any(),
                }}
            </section>
        </div>
    }
}

#[component]
fn PreviewTable(p: RankingPreview) -> impl IntoView {
    let heading = if p.query.is_empty() {
        "Preview: the newest products".to_string()
    } else {
        format!("Preview: “{}”", p.query)
    };
    let summary = if p.rows.is_empty() {
        "No products match this search.".to_string()
    } else if p.changed == 0 {
        "The first results keep their order.".to_string()
    } else {
        format!("{} of the first {} results change place.", p.changed, p.rows.len())
    };
    view! {
        <h2 id="preview-heading" class="text-lg font-semibold">{heading}</h2>
        <p class="mt-1 text-sm text-stone-600" data-testid="preview-summary">{summary}</p>
        <ol class="mt-4 divide-y divide-stone-100">
            {p.rows
                .into_iter()
                .map(|r| {
                    let (label, class) = match r.moved() {
                        None => ("new".to_string(), "bg-sky-50 text-sky-800 ring-sky-200"),
                        Some(0) => ("–".to_string(), "bg-stone-50 text-stone-500 ring-stone-200"),
                        Some(n) if n > 0 => (format!("▲ {n}"), "bg-emerald-50 text-emerald-800 ring-emerald-200"),
                        Some(n) => (format!("▼ {}", -n), "bg-rose-50 text-rose-800 ring-rose-200"),
                    };
                    view! {
                        <li class="flex items-center gap-3 py-2.5" data-testid="preview-row">
                            <span class="w-6 text-right text-sm font-semibold tabular-nums text-stone-500">{r.after}</span>
                            <span class="min-w-0 flex-1 truncate text-sm font-medium text-stone-900">{r.title.clone()}</span>
                            <span class="hidden text-xs tabular-nums text-stone-500 sm:inline">
                                {match r.score_before {
                                    Some(b) => format!("{b:.3} → {:.3}", r.score_after),
                                    None => format!("{:.3}", r.score_after),
                                }}
                            </span>
                            <span class=format!("w-12 rounded-full px-2 py-0.5 text-center text-xs font-semibold ring-1 {class}") data-testid="preview-move">{label}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}
