//! `/admin/products/import`: upload a CSV of products (a plain multipart form, so it works
//! without JavaScript: it posts to the server's `/admin/products/import` route, which answers
//! with a 303 to `?job=ID`), follow the job's progress (polled every second with JavaScript, a
//! `<noscript>` refresh every 2 s without), read the rows it refused with their line numbers, and
//! download the store's products as CSV in the same format. `?store=ID` picks the store for the
//! platform admin.
use crate::api::product_import::{product_import_page, product_import_status};
use crate::components::admin_nav::AdminLayout;
use crate::components::forbidden::Forbidden;
use crate::components::form::{BUTTON, BUTTON_SECONDARY, CARD};
use crate::components::status::LoadFailed;
use crate::components::table::{Col, TableHead};
use crate::domain::errors::AppError;
use crate::domain::product_csv::SHOWN_ERRORS;
use crate::domain::product_csv::{ImportJobView, ImportPage, ImportStatus};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

/// What each column holds, for the format description.
const FORMAT: [(&str, &str); 11] = [
    ("handle", "The product's handle (its address, like linen-tote-bag). Rows with the same handle are one product."),
    ("title", "The product's title. Later rows of the product may leave it blank."),
    ("description", "Text or Markdown; may span several lines inside quotes."),
    ("category", "The category's handle (like home-decor)."),
    ("status", "draft or published (blank is draft)."),
    ("option_names", "What tells the variants apart, like Size, or Size / Colour; blank for a single variant."),
    ("option_values", "This variant's value, like Large, or L / Red."),
    ("sku", "The variant's SKU, unique in your store. A SKU already in your store updates that variant."),
    ("price", "A decimal like 12.50."),
    ("compare_at_price", "A higher \"was\" price like 15.00, or blank."),
    ("stock", "A whole number, 0 or more."),
];

#[component]
pub fn ProductImportPage() -> impl IntoView {
    let query = use_query_map();
    let store = move || query.read().get("store").and_then(|s| s.parse::<i64>().ok());
    let job = move || query.read().get("job").and_then(|s| s.parse::<i64>().ok());
    let page = Resource::new(move || (store(), job()), |(store, job)| product_import_page(store, job));
    let poll = JobPoll::new(store, job);
    view! {
        <Title text="Import products" />
        <AdminLayout>
            <Suspense fallback=|| view! { <div class="h-64 animate-pulse rounded-2xl bg-stone-200/70"></div> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Err(AppError::Unauthenticated) => {
                            view! { <Redirect path="/login?next=/admin/products/import" /> }.into_any()
                        }
                        Err(AppError::Forbidden) => view! { <Forbidden /> }.into_any(),
                        Err(e) => {
                            view! { <LoadFailed message=e.field("store").unwrap_or_else(|| e.to_string()) /> }
                                .into_any()
                        }
                        Ok(p) => view! { <Import page=p store=store() poll /> }.into_any(),
                    }
                })}
            </Suspense>
        </AdminLayout>
    }
}

#[component]
fn Import(page: ImportPage, store: Option<i64>, poll: JobPoll) -> impl IntoView {
    let store_q = store.map(|s| format!("?store={s}")).unwrap_or_default();
    let action = format!("/admin/products/import{store_q}");
    let export = format!("/admin/products/export.csv{store_q}");
    let products = format!("/admin/products{store_q}");
    view! {
        <header class="mb-4 flex flex-wrap items-end justify-between gap-3">
            <div>
                <p class="text-sm font-medium text-emerald-700">
                    <a href=products class="hover:underline">"Products"</a>
                </p>
                <h1 class="text-2xl font-semibold tracking-tight" data-testid="import-title">
                    {format!("Import / export CSV · {}", page.store_name)}
                </h1>
            </div>
            <a href=export rel="external" download class=BUTTON_SECONDARY data-testid="export-csv">"Export CSV"</a>
        </header>
        {page.job.map(|job| view! { <JobProgress job poll /> })}
        <section class=format!("{CARD} mb-4") aria-labelledby="upload-title">
            <h2 id="upload-title" class="text-lg font-semibold">"Upload a CSV file"</h2>
            <p class="mt-1 text-sm text-stone-600">
                "Up to 25 MB, UTF-8 (save as \"CSV UTF-8\" in your spreadsheet app). Products are matched by handle, "
                "then by SKU: existing ones are updated, new ones created, nothing is duplicated. Variants not in the "
                "file are kept."
            </p>
            <form method="post" action=action enctype="multipart/form-data" class="mt-4 flex flex-wrap items-end gap-3" data-testid="import-form">
                <input type="hidden" name="idempotency_key" value=page.idempotency_key />
                <div class="grow">
                    <label for="file" class="text-sm font-medium text-stone-800">"CSV file"</label>
                    <input
                        id="file"
                        name="file"
                        type="file"
                        accept=".csv,text/csv"
                        required
                        class="mt-1 block w-full text-sm file:mr-3 file:rounded-lg file:border-0 file:bg-stone-100 file:px-3 file:py-2 file:text-sm file:font-semibold"
                        data-testid="import-file"
                    />
                </div>
                <button type="submit" class=BUTTON data-testid="import-submit">"Import"</button>
            </form>
        </section>
        <Format />
    }
}

/// The job's status as asked again by the page. Made by the page, not by `JobProgress` inside the
/// Suspend: a resource made there is made again while the server renders, and the first copy's
/// call runs on without the request's context.
#[derive(Clone, Copy)]
struct JobPoll {
    tick: RwSignal<u64>,
    /// A new tick while the last answer is still on its way would discard that answer: on a slow
    /// connection (an answer slower than the tick) the page would never see the job end. So the
    /// next question waits for the last answer.
    asking: RwSignal<bool>,
    status: Resource<Result<Option<ImportJobView>, AppError>>,
}

impl JobPoll {
    fn new(
        store: impl Fn() -> Option<i64> + Send + Sync + 'static,
        job: impl Fn() -> Option<i64> + Send + Sync + 'static,
    ) -> Self {
        let tick = RwSignal::new(0u64);
        let asking = RwSignal::new(false);
        let status = Resource::new(
            move || (store(), job(), tick.get()),
            move |(store, job, tick)| async move {
                // The page's own answer holds the status when it was loaded (tick 0).
                let Some(id) = job.filter(|_| tick > 0) else { return Ok(None) };
                asking.set(true);
                let answer = product_import_status(store, id).await;
                asking.set(false);
                answer
            },
        );
        JobPoll { tick, asking, status }
    }
}

/// The job's progress, asked again every second while it runs.
#[component]
fn JobProgress(job: ImportJobView, poll: JobPoll) -> impl IntoView {
    let JobPoll { tick, asking, status } = poll;
    let running = !job.finished();
    let done = RwSignal::new(!running);
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(
            move || {
                if !done.get_untracked() && !asking.get_untracked() {
                    tick.update(|t| *t += 1)
                }
            },
            std::time::Duration::from_secs(1),
        ) {
            on_cleanup(move || handle.clear());
        }
    });
    let first = job.clone();
    let current = move || match status.get() {
        Some(Ok(Some(j))) => j,
        _ => first.clone(),
    };
    Effect::new(move |_| {
        if let Some(Ok(Some(j))) = status.get() {
            if j.finished() {
                done.set(true);
            }
        }
    });
    view! {
        // Without JavaScript the page reloads itself until the job ends. The browser keeps a
        // <noscript>'s content as text when scripts run, so it is set as HTML, not hydrated.
        {running.then(|| view! { <noscript inner_html=r#"<meta http-equiv="refresh" content="2">"#></noscript> })}
        <Transition fallback=|| ()>
            {move || view! { <JobView job=current() /> }}
        </Transition>
    }
}

#[component]
fn JobView(job: ImportJobView) -> impl IntoView {
    let (label, tone) = match job.status.as_str() {
        "running" => ("Importing…", "text-stone-700"),
        "done" if job.failed_rows == 0 => ("Import finished", "text-emerald-700"),
        "done" => ("Import finished with problems", "text-amber-700"),
        "rejected" => ("File not imported", "text-rose-700"),
        _ => ("Import stopped", "text-rose-700"),
    };
    let percent = job.percent();
    let shown = job.errors.len() as i64;
    let more = (job.failed_rows > shown && shown >= SHOWN_ERRORS)
        .then(|| format!("Showing the first {shown} of {} rows not imported.", job.failed_rows));
    let errors = job.errors.clone();
    view! {
        <section class=format!("{CARD} mb-4") aria-labelledby="job-title" data-testid="import-job" data-status=job.status.as_str()>
            <div class="flex flex-wrap items-baseline justify-between gap-2">
                <h2 id="job-title" class=format!("text-lg font-semibold {tone}") data-testid="import-status">{label}</h2>
                <p class="text-sm text-stone-600">{job.file_name.clone()}</p>
            </div>
            {(!job.message.is_empty()).then(|| view! {
                <p role="alert" class="mt-2 rounded-lg bg-rose-50 px-3 py-2 text-sm text-rose-900 ring-1 ring-rose-200" data-testid="import-message">
                    {job.message.clone()}
                </p>
            })}
            {(job.status != ImportStatus::Rejected).then(|| view! {
                // A <progress> element: its width needs no inline style (the CSP refuses those).
                <progress
                    class="mt-3 h-3 w-full overflow-hidden rounded-full bg-stone-200 [&::-moz-progress-bar]:bg-emerald-600 [&::-webkit-progress-bar]:bg-stone-200 [&::-webkit-progress-value]:bg-emerald-600"
                    max="100"
                    value=percent
                    aria-label="Rows processed"
                    data-testid="import-progress"
                >
                    {format!("{percent}%")}
                </progress>
                <dl class="mt-3 grid grid-cols-3 gap-3 text-sm" data-testid="import-counts">
                    <div>
                        <dt class="text-stone-600">"Rows done"</dt>
                        <dd class="font-semibold" data-testid="import-done">{format!("{} / {}", job.rows_done, job.total_rows)}</dd>
                    </div>
                    <div>
                        <dt class="text-stone-600">"Imported"</dt>
                        <dd class="font-semibold text-emerald-800" data-testid="import-ok">{job.ok_rows}</dd>
                    </div>
                    <div>
                        <dt class="text-stone-600">"Not imported"</dt>
                        <dd class="font-semibold text-rose-800" data-testid="import-failed">{job.failed_rows}</dd>
                    </div>
                </dl>
            })}
            {(!errors.is_empty()).then(|| view! {
                <div class="mt-4 overflow-x-auto">
                    <table class="w-full text-left text-sm" data-testid="import-errors">
                        <caption class="mb-2 text-left font-semibold">"Rows not imported"</caption>
                        <TableHead class="text-stone-600" cols=vec![
                            Col::new("Line", "py-1 pr-3"),
                            Col::new("Handle", "hidden py-1 pr-3 sm:table-cell"),
                            Col::new("SKU", "hidden py-1 pr-3 sm:table-cell"),
                            Col::new("Problem", "py-1"),
                        ] />
                        <tbody class="divide-y divide-stone-100">
                            {errors.into_iter().map(|e| view! {
                                <tr data-testid="import-error" data-line=e.line>
                                    <td class="py-1 pr-3 tabular-nums">{e.line}</td>
                                    <td class="hidden py-1 pr-3 sm:table-cell">{e.handle.clone()}</td>
                                    <td class="hidden py-1 pr-3 sm:table-cell">{e.sku.clone()}</td>
                                    <td class="py-1 break-words">{e.text()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    {more.map(|m| view! { <p class="mt-2 text-sm text-stone-600">{m}</p> })}
                </div>
            })}
        </section>
    }
}

#[component]
fn Format() -> impl IntoView {
    view! {
        <section class=CARD aria-labelledby="format-title" data-testid="import-format">
            <h2 id="format-title" class="text-lg font-semibold">"The file's format"</h2>
            <p class="mt-1 text-sm text-stone-600">
                "One row per variant. The first line names the columns (in any order); the export writes them in this order:"
            </p>
            <pre class="mt-2 overflow-x-auto rounded-lg bg-stone-100 p-3 text-xs">
                {crate::domain::product_csv::COLUMNS.join(",")}
            </pre>
            <dl class="mt-3 grid gap-2 text-sm sm:grid-cols-[max-content_1fr] sm:gap-x-4">
                {FORMAT.iter().map(|(name, what)| view! {
                    <dt class="font-mono font-semibold">{*name}</dt>
                    <dd class="text-stone-700">{*what}</dd>
                }).collect_view()}
            </dl>
            <p class="mt-3 text-sm text-stone-600">
                "A row with a problem is listed with its line number and left out; a problem of the product itself "
                "(its title, handle, category or status) leaves out all its rows. The other rows are imported."
            </p>
        </section>
    }
}
