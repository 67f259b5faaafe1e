//! `/admin/products/new` and `/admin/products/{id}`: the product form — title, slug (made from the
//! title when left blank), Markdown description, category, draft or published, the option that
//! tells variants apart, and one row per variant (SKU, option value, price, compare-at price,
//! stock). One `ActionForm`, so it works without JavaScript: a spare blank row is always there
//! (blank rows are ignored), and with JavaScript "Add a variant" adds more. Each problem is shown
//! next to its field. A product of another store shows the 403 page.
use crate::api::products::{SaveProduct, admin_product};
use crate::components::forbidden::Forbidden;
use crate::components::form::{BUTTON, BUTTON_SECONDARY, CARD, FormAlert, last_error};
use crate::components::product_images::{ProductImagesData, ProductImagesLater, ProductImagesPanel};
use crate::components::status::LoadFailed;
use crate::domain::errors::AppError;
use crate::domain::product_form::{ProductEditor, VariantInput, variant_field};
use crate::pages::not_found::NotFound;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::{use_params_map, use_query_map};

const INPUT: &str = "mt-1 block w-full rounded-lg border border-stone-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-emerald-600 aria-[invalid=true]:border-rose-500";

#[component]
pub fn ProductEditPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let args = move || {
        let id = params.read().get("id").unwrap_or_default();
        let q = query.read();
        (q.get("store").and_then(|s| s.parse::<i64>().ok()), id, q.get("created").is_some())
    };
    let save = ServerAction::<SaveProduct>::new();
    // Reload the stored product after a successful save only: after a refused one the form keeps
    // what was typed.
    let saved = RwSignal::new(0u32);
    Effect::new(move |_| {
        if matches!(save.value().get(), Some(Ok(_))) {
            saved.update(|n| *n += 1);
        }
    });
    let product = Resource::new(
        move || (args(), saved.get()),
        |((store, id, _), _)| async move {
            if id == "new" {
                admin_product(store, None).await
            } else {
                match id.parse::<i64>() {
                    Ok(id) => admin_product(store, Some(id)).await,
                    Err(_) => Err(AppError::NotFound("We couldn't find that product.".into())),
                }
            }
        },
    );
    // Made here, not in the Editor the Suspend renders (see ProductImagesData).
    let images = ProductImagesData::new(Memo::new(move |_| args().1.parse::<i64>().ok()));
    view! {
        <Suspense fallback=|| view! { <div class="h-64 animate-pulse rounded-2xl bg-stone-200/70"></div> }>
            {move || Suspend::new(async move {
                let (store, id, created) = args();
                match product.await {
                    Err(AppError::Unauthenticated) => {
                        view! { <Redirect path=format!("/login?next=/admin/products/{id}") /> }.into_any()
                    }
                    Err(AppError::Forbidden) => view! { <Forbidden /> }.into_any(),
                    Err(AppError::NotFound(_)) => view! { <NotFound /> }.into_any(),
                    Err(e) => view! { <LoadFailed message=e.field("store").unwrap_or_else(|| e.to_string()) /> }.into_any(),
                    Ok(editor) => view! { <Editor editor store created save images /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The message for one field from the last submission, under it.
#[component]
fn FieldError(#[prop(into)] key: String, errors: Signal<Option<AppError>>) -> impl IntoView {
    let id = format!("{}-error", key.replace(['[', ']', '.'], "-"));
    let testid = format!("error-{key}");
    let message = move || errors.get().and_then(|e| e.field(&key));
    view! { <p id=id class="mt-1 text-sm text-rose-700" data-testid=testid>{message}</p> }
}

#[component]
fn Editor(
    editor: ProductEditor,
    store: Option<i64>,
    created: bool,
    save: ServerAction<SaveProduct>,
    images: ProductImagesData,
) -> impl IntoView {
    let errors = last_error(save.value());
    let input = editor.input.clone();
    let is_new = editor.id.is_none();
    let title_text = if is_new { "New product".to_string() } else { input.title.clone() };
    let back = match store {
        Some(s) => format!("/admin/products?store={s}"),
        None => "/admin/products".into(),
    };
    let existing = input.variants.clone();
    // One spare row, so a variant can be added without JavaScript.
    let rows = RwSignal::new(existing.len() + 1);
    let saved_note = move || match save.value().get() {
        Some(Ok(_)) if !is_new => Some("Saved."),
        _ => None,
    };
    let invalid = move |key: &'static str| move || errors.get().and_then(|e| e.field(key)).map(|_| "true");
    let status = input.status.clone();
    let category = input.category_id.clone();
    let view_link = (!is_new && status == "published").then(|| format!("/products/{}", input.slug));
    view! {
        <Title text=if is_new { "New product".to_string() } else { format!("Edit {}", input.title) } />
        <header class="mb-4">
            <p class="text-sm font-medium text-emerald-700"><a href=back.clone() class="hover:underline">"Products"</a></p>
            <h1 class="text-2xl font-semibold tracking-tight" data-testid="product-edit-title">{title_text}</h1>
            {view_link.map(|href| view! { <a href=href class="text-sm text-emerald-700 hover:underline" data-testid="view-in-store">"View in the store"</a> })}
        </header>
        {created.then(|| view! { <p role="status" class="mb-4 rounded-lg bg-emerald-50 px-3 py-2 text-sm text-emerald-800 ring-1 ring-emerald-200" data-testid="product-created">"Product created."</p> })}
        <p role="status" class="mb-2 text-sm text-emerald-800" data-testid="product-saved">{saved_note}</p>
        <ActionForm action=save attr:class="flex flex-col gap-6" attr:data-testid="product-form">
            {store.map(|id| view! { <input type="hidden" name="merchant_id" value=id /> })}
            {editor.id.map(|id| view! { <input type="hidden" name="id" value=id /> })}
            <FormAlert errors />
            <section class=format!("{CARD} grid gap-4")>
                <div>
                    <label for="title" class="text-sm font-medium text-stone-800">"Title"</label>
                    <input id="title" name="title" value=input.title.clone() required maxlength="200" class=INPUT aria-invalid=invalid("title") aria-describedby="title-error" data-testid="field-title" />
                    <FieldError key="title" errors />
                </div>
                <div>
                    <label for="slug" class="text-sm font-medium text-stone-800">"Slug"</label>
                    <input id="slug" name="slug" value=input.slug.clone() maxlength="120" class=INPUT aria-invalid=invalid("slug") aria-describedby="slug-error" data-testid="field-slug" />
                    <p class="mt-1 text-xs text-stone-500">"The product's address: /products/your-slug. Leave blank to make it from the title."</p>
                    <FieldError key="slug" errors />
                </div>
                <div>
                    <label for="description" class="text-sm font-medium text-stone-800">"Description"</label>
                    <textarea id="description" name="description" rows="8" class=INPUT aria-invalid=invalid("description") aria-describedby="description-error" data-testid="field-description">{input.description.clone()}</textarea>
                    <p class="mt-1 text-xs text-stone-500">"Markdown: **bold**, *italic*, lists with -, [links](https://…). HTML is shown as text."</p>
                    <FieldError key="description" errors />
                </div>
                <div class="grid gap-4 sm:grid-cols-2">
                    <div>
                        <label for="category_id" class="text-sm font-medium text-stone-800">"Category"</label>
                        <select id="category_id" name="category_id" class=INPUT aria-invalid=invalid("category_id") aria-describedby="category_id-error" data-testid="field-category">
                            <option value="">"Choose…"</option>
                            {editor
                                .categories
                                .iter()
                                .map(|(id, name)| {
                                    let selected = category == id.to_string();
                                    view! { <option value=*id selected=selected>{name.clone()}</option> }
                                })
                                .collect_view()}
                        </select>
                        <FieldError key="category_id" errors />
                    </div>
                    <fieldset>
                        <legend class="text-sm font-medium text-stone-800">"Status"</legend>
                        <div class="mt-2 flex gap-4 text-sm">
                            <label class="flex items-center gap-2">
                                <input type="radio" name="status" value="draft" checked=status != "published" data-testid="status-draft" />
                                "Draft (hidden from shoppers)"
                            </label>
                            <label class="flex items-center gap-2">
                                <input type="radio" name="status" value="published" checked=status == "published" data-testid="status-published" />
                                "Published"
                            </label>
                        </div>
                        <FieldError key="status" errors />
                    </fieldset>
                </div>
            </section>
            <section class=format!("{CARD} grid gap-4") aria-label="Variants">
                <div class="flex flex-wrap items-end justify-between gap-3">
                    <div>
                        <h2 class="text-lg font-semibold">"Variants"</h2>
                        <p class="text-sm text-stone-600">{format!("Each with its own SKU, price ({}) and stock. A blank row is ignored.", editor.currency)}</p>
                    </div>
                    <div class="min-w-48">
                        <label for="option_name" class="text-sm font-medium text-stone-800">"Option name"</label>
                        <input id="option_name" name="option_name" value=input.option_name.clone() placeholder="Size, or Size / Colour" class=INPUT aria-invalid=invalid("option_name") aria-describedby="option_name-error" data-testid="field-option-name" />
                        <FieldError key="option_name" errors />
                    </div>
                </div>
                <FieldError key="variants" errors />
                <div class="grid gap-3">
                    {move || {
                        (0..rows.get())
                            .map(|i| {
                                let v = existing.get(i).cloned().unwrap_or_default();
                                view! { <VariantRow i v errors /> }
                            })
                            .collect_view()
                    }}
                </div>
                <button type="button" class=format!("{BUTTON_SECONDARY} self-start") on:click=move |_| rows.update(|n| *n += 1) data-testid="add-variant">
                    "Add a variant"
                </button>
            </section>
            <div class="flex gap-3">
                <button type="submit" class=BUTTON data-testid="save-product">{if is_new { "Create product" } else { "Save changes" }}</button>
                <a href=back.clone() class=BUTTON_SECONDARY>"Cancel"</a>
            </div>
        </ActionForm>
        // Images belong to a saved product: a new one gets them after "Create product".
        <div class="mt-6">
            {match editor.id {
                Some(product_id) => view! { <ProductImagesPanel data=images product_id store /> }.into_any(),
                None => view! { <ProductImagesLater /> }.into_any(),
            }}
        </div>
    }
}

/// The stock this row showed, posted back so a sale made meanwhile is not overwritten. After a
/// save refused for that, it takes the current stock the server answered with: the merchant has
/// now seen it, and the next save compares with it.
fn stock_seen(i: usize, shown: String, errors: Signal<Option<AppError>>) -> impl IntoView {
    // A row the form did not load (the spare one) has no stock to compare with.
    let loaded = !shown.is_empty();
    let key = variant_field(i, "stock_now");
    let value = move || errors.get().and_then(|e| e.field(&key)).unwrap_or_else(|| shown.clone());
    loaded.then(|| view! { <input type="hidden" name=format!("stock_seen[{i}]") value=value data-testid=format!("variant-stock-seen-{i}") /> })
}

#[component]
fn VariantRow(i: usize, v: VariantInput, errors: Signal<Option<AppError>>) -> impl IntoView {
    let cell = |name: &'static str, label: &'static str, value: String, kind: &'static str, mode: &'static str| {
        let key = variant_field(i, name);
        let id = format!("{name}-{i}");
        let err_key = key.clone();
        let invalid = move || errors.get().and_then(|e| e.field(&err_key)).map(|_| "true");
        view! {
            <div>
                <label for=id.clone() class="text-xs font-medium text-stone-700">{label}</label>
                <input id=id name=format!("{name}[{i}]") value=value type=kind inputmode=mode class=INPUT aria-invalid=invalid data-testid=format!("variant-{name}-{i}") />
                <FieldError key errors />
            </div>
        }
    };
    view! {
        <fieldset class="grid grid-cols-2 gap-3 rounded-xl border border-stone-200 p-3 sm:grid-cols-5" data-testid="variant-row">
            <legend class="px-1 text-xs text-stone-500">{format!("Variant {}", i + 1)}</legend>
            {cell("sku", "SKU", v.sku, "text", "text")}
            {cell("option", "Option value", v.option, "text", "text")}
            {cell("price", "Price", v.price, "text", "decimal")}
            {cell("compare_at", "Compare-at price", v.compare_at, "text", "decimal")}
            {cell("stock", "Stock", v.stock, "text", "numeric")}
            {stock_seen(i, v.stock_seen, errors)}
        </fieldset>
    }
}
