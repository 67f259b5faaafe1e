//! `/admin/taxes` (platform admin): the marketplace's tax rules. A rate per country and, where it
//! differs, per region (as addresses write it); destinations not listed pay none. Whether listed
//! prices include tax (the checkout shows the tax they hold) or tax is added at checkout.
use crate::api::pricing::{DeleteTaxRate, SetTaxMode, SetTaxRate, tax_rules};
use crate::components::admin_nav::{AdminLayout, load_error};
use crate::components::form::{ActionOutcome, BUTTON, BUTTON_SECONDARY, CARD};
use crate::components::table::{Col, DataTable, HEAD_RULED};
use crate::domain::errors::AppError;
use crate::domain::money::percent_text;
use crate::views::pricing::TaxesPage;
use leptos::prelude::*;
use leptos_meta::Title;

const INPUT: &str = "block w-full rounded-lg border border-stone-300 bg-white px-3 py-2 text-base shadow-sm focus:border-emerald-600 sm:text-sm";
const LABEL: &str = "text-xs font-medium text-stone-700";

fn problem(e: &AppError) -> String {
    ["country", "region", "rate", "mode"].iter().find_map(|f| e.field(f)).unwrap_or_else(|| e.to_string())
}

#[component]
pub fn TaxesPage() -> impl IntoView {
    let set = ServerAction::<SetTaxRate>::new();
    let remove = ServerAction::<DeleteTaxRate>::new();
    let mode = ServerAction::<SetTaxMode>::new();
    let data =
        Resource::new(move || (set.version().get(), remove.version().get(), mode.version().get()), |_| tax_rules());
    view! {
        <Title text="Taxes" />
        <AdminLayout>
            <Suspense fallback=|| view! { <div class="h-64 animate-pulse rounded-2xl bg-stone-200/70"></div> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => load_error(e, "/admin/taxes"),
                        Ok(page) => view! { <Taxes page set remove mode /> }.into_any(),
                    }
                })}
            </Suspense>
        </AdminLayout>
    }
}

#[component]
fn Taxes(
    page: TaxesPage,
    set: ServerAction<SetTaxRate>,
    remove: ServerAction<DeleteTaxRate>,
    mode: ServerAction<SetTaxMode>,
) -> impl IntoView {
    let outcome = move || match (set.value().get(), remove.value().get(), mode.value().get()) {
        (Some(Err(e)), _, _) | (_, Some(Err(e)), _) | (_, _, Some(Err(e))) => Some((false, problem(&e))),
        (Some(Ok(saved)), _, _) => Some((true, format!("Saved: {saved}. Checkout uses it from now on."))),
        (_, Some(Ok(())), _) => Some((true, "Rate removed.".to_string())),
        (_, _, Some(Ok(()))) => Some((true, "Saved how prices are shown.".to_string())),
        _ => None,
    };
    let inclusive = page.prices_include_tax;
    view! {
        <header class="mb-6">
            <p class="text-sm font-medium text-emerald-700">"Marketplace"</p>
            <h1 class="text-2xl font-semibold tracking-tight">"Taxes"</h1>
            <p class="mt-1 max-w-2xl text-sm text-stone-600">
                "The rate charged by destination: a country's, or a region's where it differs. Destinations not listed pay no tax. One rate applies to goods and shipping."
            </p>
        </header>
        <ActionOutcome outcome=Signal::derive(outcome) testid="taxes-outcome" />
        <section class=format!("{CARD} mb-6") aria-labelledby="tax-mode-heading">
            <h2 id="tax-mode-heading" class="text-lg font-semibold">"Listed prices"</h2>
            <ActionForm action=mode attr:class="mt-3 flex flex-col gap-2 text-sm" attr:data-testid="tax-mode-form">
                <label class="flex items-center gap-2">
                    <input type="radio" name="mode" value="exclusive" checked=!inclusive />
                    "Exclude tax: checkout adds it on top"
                </label>
                <label class="flex items-center gap-2">
                    <input type="radio" name="mode" value="inclusive" checked=inclusive />
                    "Include tax: checkout shows the tax the price holds"
                </label>
                <button type="submit" class=format!("{BUTTON} self-start") data-testid="save-tax-mode">"Save"</button>
            </ActionForm>
        </section>
        <div class=format!("{CARD} mb-6 overflow-x-auto p-0 sm:p-0")>
            <DataTable head=HEAD_RULED cols=vec![
                Col::new("Country", "px-3 py-3 sm:px-4"),
                Col::new("Region", "hidden px-4 py-3 sm:table-cell"),
                Col::new("Rate", "px-3 py-3 text-right sm:px-4"),
                Col::new("", "px-3 py-3 text-right sm:px-4"),
            ]>
                {page.rates.into_iter().map(|r| {
                    let region = r.region.clone();
                    let place = if region.is_empty() { "Whole country".to_string() } else { region.clone() };
                    view! {
                        <tr data-testid="tax-row">
                            <td class="px-3 py-3 sm:px-4">
                                <span class="font-medium">{r.country.clone()}</span>
                                <p class="text-xs text-stone-500 sm:hidden">{place.clone()}</p>
                            </td>
                            <td class="hidden px-4 py-3 text-stone-700 sm:table-cell">{place}</td>
                            <td class="whitespace-nowrap px-3 py-3 text-right tabular-nums sm:px-4" data-testid="tax-rate">{percent_text(i64::from(r.bps))}</td>
                            <td class="px-3 py-3 text-right sm:px-4">
                                <ActionForm action=remove>
                                    <input type="hidden" name="country" value=r.country.clone() />
                                    <input type="hidden" name="region" value=region />
                                    <button type="submit" class=BUTTON_SECONDARY aria-label=format!("Remove the rate of {}", r.country)>"Remove"</button>
                                </ActionForm>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </DataTable>
        </div>
        <section class=CARD aria-labelledby="set-rate-heading">
            <h2 id="set-rate-heading" class="text-lg font-semibold">"Set a rate"</h2>
            <p class="mt-1 text-sm text-stone-600">"Adds the rate, or replaces the one of that country and region."</p>
            <ActionForm action=set attr:class="mt-3 flex flex-wrap items-end gap-3" attr:data-testid="tax-rate-form">
                <div>
                    <label for="tax-country" class=LABEL>"Country code"</label>
                    <input id="tax-country" name="country" required maxlength="2" placeholder="GB" class=format!("{INPUT} w-24 uppercase") />
                </div>
                <div class="min-w-40 flex-1">
                    <label for="tax-region" class=LABEL>"Region (empty: whole country)"</label>
                    <input id="tax-region" name="region" maxlength="60" placeholder="Ontario" class=INPUT />
                </div>
                <div>
                    <label for="tax-rate" class=LABEL>"Rate (%)"</label>
                    <input id="tax-rate" name="rate" required inputmode="decimal" placeholder="20" class=format!("{INPUT} w-24") />
                </div>
                <button type="submit" class=BUTTON data-testid="set-tax-rate">"Save rate"</button>
            </ActionForm>
        </section>
    }
}
