//! `/admin/settings`: the store's name, description and support email (with field errors), its
//! status and address in the shop, and where its low-stock threshold lives; for the platform admin
//! the marketplace's payment capture mode (automatic at checkout, or manual from Payments). Both
//! forms are ActionForms that work without JavaScript. `?store=ID` picks the store for the admin.
use crate::api::payments::SetCaptureMode;
use crate::api::store_settings::{SaveStoreSettings, get_settings};
use crate::components::admin_nav::{AdminLayout, load_error, with_store};
use crate::components::form::{BUTTON, CARD, FormAlert, last_error};
use crate::domain::admin_pages::{CaptureMode, MAX_STORE_DESCRIPTION, MAX_STORE_NAME, SettingsPage, StoreSettings};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const INPUT: &str = "mt-1 block w-full rounded-lg border border-stone-300 bg-white px-3 py-2 text-base shadow-sm focus:border-emerald-600 aria-[invalid=true]:border-rose-500 sm:text-sm";
const LABEL: &str = "text-sm font-medium text-stone-800";

#[component]
pub fn SettingsPage() -> impl IntoView {
    let query = use_query_map();
    let store = move || query.read().get("store").and_then(|s| s.parse::<i64>().ok());
    let save = ServerAction::<SaveStoreSettings>::new();
    let mode = ServerAction::<SetCaptureMode>::new();
    let page = Resource::new(
        move || (store(), save.version().get(), mode.version().get()),
        |(store, _, _)| get_settings(store),
    );
    view! {
        <Title text="Settings" />
        <AdminLayout>
            <Suspense fallback=|| view! { <div class="h-64 animate-pulse rounded-2xl bg-stone-200/70"></div> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Err(e) => load_error(e, "/admin/settings"),
                        Ok(p) => view! { <Settings page=p save mode store=store() /> }.into_any(),
                    }
                })}
            </Suspense>
        </AdminLayout>
    }
}

#[component]
fn Settings(
    page: SettingsPage,
    save: ServerAction<SaveStoreSettings>,
    mode: ServerAction<SetCaptureMode>,
    store: Option<i64>,
) -> impl IntoView {
    view! {
        <header class="mb-6">
            <p class="text-sm font-medium text-emerald-700">"Settings"</p>
            <h1 class="text-2xl font-semibold tracking-tight" data-testid="settings-title">
                {page.store.as_ref().map(|s| s.name.clone()).unwrap_or_else(|| "Marketplace".into())}
            </h1>
        </header>
        <div class="flex flex-col gap-6">
            {page.store.map(|s| view! { <StoreForm settings=s save store /> })}
            {page.capture_mode.map(|m| view! { <CaptureForm current=m mode /> })}
        </div>
    }
}

#[component]
fn StoreForm(settings: StoreSettings, save: ServerAction<SaveStoreSettings>, store: Option<i64>) -> impl IntoView {
    let errors = last_error(save.value());
    let field = move |name: &'static str| move || errors.get().and_then(|e| e.field(name));
    let invalid = move |name: &'static str| move || errors.get().and_then(|e| e.field(name)).map(|_| "true");
    let saved = move || matches!(save.value().get(), Some(Ok(())));
    view! {
        <section class=CARD aria-labelledby="store-heading">
            <h2 id="store-heading" class="text-lg font-semibold">"Your store"</h2>
            <p class="mt-1 text-sm text-stone-600">
                "Shown to shoppers on product pages and orders. Your store's address in the shop is "
                <a href=format!("/search?store={}", settings.slug) class="font-medium text-emerald-700 hover:underline">{format!("/search?store={}", settings.slug)}</a>
                {format!(" (status: {}).", settings.status.as_str())}
            </p>
            <ActionForm action=save attr:class="mt-4 flex flex-col gap-4" attr:data-testid="store-settings-form">
                <FormAlert errors />
                <Show when=saved>
                    <p role="status" class="rounded-lg bg-emerald-50 px-3 py-2 text-sm text-emerald-800" data-testid="settings-saved">"Settings saved."</p>
                </Show>
                {store.map(|id| view! { <input type="hidden" name="merchant_id" value=id /> })}
                <div>
                    <label for="store-name" class=LABEL>"Store name"</label>
                    <input id="store-name" name="name" required maxlength=MAX_STORE_NAME value=settings.name.clone() class=INPUT aria-invalid=invalid("name") />
                    <p class="mt-1 text-sm text-rose-700">{field("name")}</p>
                </div>
                <div>
                    <label for="store-description" class=LABEL>"Description"</label>
                    <textarea id="store-description" name="description" rows="4" maxlength=MAX_STORE_DESCRIPTION class=INPUT aria-invalid=invalid("description")>
                        {settings.description.clone()}
                    </textarea>
                    <p class="mt-1 text-sm text-rose-700">{field("description")}</p>
                </div>
                <div>
                    <label for="store-email" class=LABEL>"Support email"</label>
                    <input id="store-email" name="support_email" type="email" value=settings.support_email.clone() placeholder="help@yourstore.com" class=INPUT aria-invalid=invalid("support_email") />
                    <p class="mt-1 text-xs text-stone-500">"Optional. Shoppers write here about your part of their orders."</p>
                    <p class="mt-1 text-sm text-rose-700">{field("support_email")}</p>
                </div>
                <p class="text-sm text-stone-600">
                    {format!("Low-stock alerts start at {} units; ", settings.low_stock_threshold)}
                    <a href=with_store("/admin/inventory", store) class="font-medium text-emerald-700 hover:underline">"change it under Inventory"</a>
                    "."
                </p>
                <button type="submit" class=format!("{BUTTON} self-start")>"Save settings"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn CaptureForm(current: CaptureMode, mode: ServerAction<SetCaptureMode>) -> impl IntoView {
    let errors = last_error(mode.value());
    let choices = [
        (CaptureMode::Automatic, "Automatic", "Cards are charged at checkout."),
        (
            CaptureMode::Manual,
            "Manual",
            "Checkout only authorizes the card; payments are captured from Payments (an order cancelled before that just releases the hold).",
        ),
    ];
    view! {
        <section class=CARD aria-labelledby="capture-heading">
            <h2 id="capture-heading" class="text-lg font-semibold">"Payment capture (marketplace)"</h2>
            <ActionForm action=mode attr:class="mt-4 flex flex-col gap-3" attr:data-testid="capture-mode-form">
                <FormAlert errors />
                <Show when=move || matches!(mode.value().get(), Some(Ok(())))>
                    <p role="status" class="rounded-lg bg-emerald-50 px-3 py-2 text-sm text-emerald-800" data-testid="capture-mode-saved">
                        "Capture mode saved; it applies to the next checkout."
                    </p>
                </Show>
                {choices
                    .into_iter()
                    .map(|(m, label, help)| {
                        view! {
                            <label class="flex gap-3 rounded-lg p-3 ring-1 ring-stone-200 has-[:checked]:ring-2 has-[:checked]:ring-emerald-600">
                                <input type="radio" name="mode" value=m.as_str() checked=m == current class="mt-1" data-testid=format!("capture-{}", m.as_str()) />
                                <span>
                                    <span class="block text-sm font-semibold">{label}</span>
                                    <span class="block text-sm text-stone-600">{help}</span>
                                </span>
                            </label>
                        }
                    })
                    .collect_view()}
                <button type="submit" class=format!("{BUTTON} self-start")>"Save capture mode"</button>
            </ActionForm>
        </section>
    }
}
