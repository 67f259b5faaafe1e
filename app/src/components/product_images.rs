//! The "Images" section of the product edit page: the product's pictures in order (the first is
//! the one cards show) with buttons to move each earlier or later, edit its alt text or remove it
//! (ActionForms), and the upload form — a plain multipart form posting to
//! `/admin/products/{id}/images`, which redirects back here with a one-off notice
//! (`?upload=…`). Everything works without JavaScript.
use crate::api::product_images::{MoveProductImage, RemoveProductImage, SetProductImageAlt, admin_product_images};
use crate::components::form::{BUTTON, CARD, FormAlert, last_error};
use crate::domain::product_image::{AdminImage, MAX_ALT, MAX_FILES, MAX_IMAGES, upload_notice};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

const SMALL_BUTTON: &str = "inline-flex min-h-9 min-w-9 items-center justify-center rounded-lg bg-white px-2 text-sm font-medium text-stone-800 ring-1 ring-stone-300 hover:bg-stone-100 disabled:opacity-40";

/// Shown instead of the images section while a product is being created.
#[component]
pub fn ProductImagesLater() -> impl IntoView {
    view! {
        <section class=format!("{CARD} text-sm text-stone-600") aria-label="Images" data-testid="images-after-create">
            <h2 class="text-lg font-semibold text-stone-900">"Images"</h2>
            <p class="mt-1">"Create the product first; then you can add images to it here."</p>
        </section>
    }
}

/// The images section's list and actions, made by the edit page outside the Suspend that renders
/// the form (a resource made there is made again while the server renders, and the first copy's
/// call runs on without the request's context). `product_id` is `None` on the "new" page.
#[derive(Clone, Copy)]
pub struct ProductImagesData {
    images: Resource<Result<crate::domain::product_image::ProductImages, crate::domain::errors::AppError>>,
    move_action: ServerAction<MoveProductImage>,
    remove_action: ServerAction<RemoveProductImage>,
    alt_action: ServerAction<SetProductImageAlt>,
}

impl ProductImagesData {
    pub fn new(product_id: Memo<Option<i64>>) -> Self {
        let move_action = ServerAction::<MoveProductImage>::new();
        let remove_action = ServerAction::<RemoveProductImage>::new();
        let alt_action = ServerAction::<SetProductImageAlt>::new();
        let images = Resource::new(
            move || {
                (
                    product_id.get(),
                    move_action.version().get(),
                    remove_action.version().get(),
                    alt_action.version().get(),
                )
            },
            move |(id, ..)| async move {
                match id {
                    Some(id) => admin_product_images(id).await,
                    None => Err(crate::domain::errors::AppError::NotFound("Create the product first.".into())),
                }
            },
        );
        ProductImagesData { images, move_action, remove_action, alt_action }
    }
}

#[component]
pub fn ProductImagesPanel(data: ProductImagesData, product_id: i64, store: Option<i64>) -> impl IntoView {
    let query = use_query_map();
    let ProductImagesData { images, move_action, remove_action, alt_action } = data;
    // The upload's notice shows until the merchant does something else here.
    let notice = move || {
        let untouched = move_action.version().get() + remove_action.version().get() + alt_action.version().get() == 0;
        untouched.then(|| upload_notice(|k| query.read().get(k))).flatten()
    };
    let move_errors = last_error(move_action.value());
    let remove_errors = last_error(remove_action.value());
    let alt_errors = last_error(alt_action.value());
    let action_url = match store {
        Some(s) => format!("/admin/products/{product_id}/images?store={s}"),
        None => format!("/admin/products/{product_id}/images"),
    };
    view! {
        <section id="images" class=format!("{CARD} grid gap-4") aria-labelledby="images-heading" data-testid="product-images">
            <div>
                <h2 id="images-heading" class="text-lg font-semibold">"Images"</h2>
                <p class="text-sm text-stone-600">"The first image is the one shoppers see on cards and search results."</p>
            </div>
            {move || {
                notice()
                    .map(|(ok, message)| {
                        let class = if ok {
                            "rounded-lg bg-emerald-50 px-3 py-2 text-sm text-emerald-800 ring-1 ring-emerald-200"
                        } else {
                            "rounded-lg bg-rose-50 px-3 py-2 text-sm text-rose-800 ring-1 ring-rose-200"
                        };
                        let role = if ok { "status" } else { "alert" };
                        view! { <p role=role class=class data-testid="upload-notice">{message}</p> }
                    })
            }}
            <FormAlert errors=move_errors />
            <FormAlert errors=remove_errors />
            <FormAlert errors=alt_errors />
            <Transition fallback=|| view! { <div class="h-32 animate-pulse rounded-xl bg-stone-100"></div> }>
                {move || Suspend::new(async move {
                    match images.await {
                        Err(e) => view! { <p class="text-sm text-rose-700">{e.to_string()}</p> }.into_any(),
                        Ok(list) if list.images.is_empty() => {
                            view! { <p class="rounded-lg bg-stone-50 px-3 py-6 text-center text-sm text-stone-600" data-testid="no-images">"No images yet. Add the first one below."</p> }
                                .into_any()
                        }
                        Ok(list) => {
                            let count = list.images.len();
                            view! {
                                <ol class="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-4" data-testid="image-grid">
                                    {list
                                        .images
                                        .into_iter()
                                        .map(|img| view! { <ImageTile img count product_id move_action remove_action alt_action /> })
                                        .collect_view()}
                                </ol>
                            }
                                .into_any()
                        }
                    }
                })}
            </Transition>
            <form
                method="post"
                action=action_url
                enctype="multipart/form-data"
                class="grid gap-3 rounded-xl border border-dashed border-stone-300 p-4"
                data-testid="upload-form"
            >
                <div>
                    <label for="image-files" class="text-sm font-medium text-stone-800">"Add images"</label>
                    <input
                        id="image-files"
                        name="images"
                        type="file"
                        accept="image/*"
                        multiple
                        required
                        class="mt-1 block w-full text-sm text-stone-700 file:mr-3 file:rounded-lg file:border-0 file:bg-stone-900 file:px-3 file:py-2 file:text-sm file:font-semibold file:text-white"
                        aria-describedby="image-limits"
                        data-testid="image-files"
                    />
                    <p id="image-limits" class="mt-1 text-xs text-stone-500">
                        {format!(
                            "JPEG, PNG, WebP or GIF, up to 10 MB and 8000 × 8000 pixels each; up to {MAX_FILES} at a time and {MAX_IMAGES} per product. Pictures are stored without their metadata (camera, location); an animated GIF keeps its first frame.",
                        )}
                    </p>
                </div>
                <div>
                    <label for="image-alt" class="text-sm font-medium text-stone-800">"Description for screen readers (optional)"</label>
                    <input
                        id="image-alt"
                        name="alt"
                        maxlength=MAX_ALT.to_string()
                        placeholder="Blank: the product's title"
                        class="mt-1 block w-full rounded-lg border border-stone-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-emerald-600"
                        data-testid="image-alt"
                    />
                </div>
                <button type="submit" class=format!("{BUTTON} justify-self-start") data-testid="upload-images">"Upload"</button>
            </form>
        </section>
    }
}

#[component]
fn ImageTile(
    img: AdminImage,
    count: usize,
    product_id: i64,
    move_action: ServerAction<MoveProductImage>,
    remove_action: ServerAction<RemoveProductImage>,
    alt_action: ServerAction<SetProductImageAlt>,
) -> impl IntoView {
    let n = img.position + 1;
    let first = img.position == 0;
    let last = img.position as usize + 1 >= count;
    let details = img.details();
    let alt_id = format!("alt-{}", img.id);
    let hidden = move || {
        view! {
            <input type="hidden" name="product_id" value=product_id />
            <input type="hidden" name="image_id" value=img.id />
        }
    };
    let mover = move |direction: &'static str, label: &'static str, arrow: &'static str, disabled: bool| {
        view! {
            <ActionForm action=move_action>
                {hidden()}
                <input type="hidden" name="direction" value=direction />
                <button type="submit" class=SMALL_BUTTON aria-label=format!("{label}: image {n}") title=label disabled=disabled data-testid=format!("image-{direction}")>
                    {arrow}
                </button>
            </ActionForm>
        }
    };
    view! {
        <li class="flex flex-col overflow-hidden rounded-xl bg-white ring-1 ring-stone-200" data-testid="image-tile">
            <div class="relative aspect-square bg-stone-100">
                <img src=img.thumbnail() alt=img.alt.clone() loading="lazy" width="400" height="400" class="h-full w-full object-cover" />
                <span class="absolute left-2 top-2 rounded-md bg-stone-900/80 px-1.5 py-0.5 text-xs font-semibold text-white" data-testid="image-position">
                    {if first { format!("{n} · Cover") } else { n.to_string() }}
                </span>
            </div>
            <div class="flex flex-1 flex-col gap-2 p-2">
                {details.map(|d| view! { <p class="text-xs text-stone-500 tabular-nums">{d}</p> })}
                <div class="flex flex-wrap items-center gap-1.5">
                    {mover("earlier", "Move earlier", "←", first)}
                    {mover("later", "Move later", "→", last)}
                    <ActionForm action=remove_action attr:class="ml-auto">
                        {hidden()}
                        <button type="submit" class=format!("{SMALL_BUTTON} text-rose-700") aria-label=format!("Remove image {n}") data-testid="image-remove">
                            "Remove"
                        </button>
                    </ActionForm>
                </div>
                <details class="text-xs">
                    <summary class="cursor-pointer text-stone-600 hover:text-stone-900">"Alt text"</summary>
                    <ActionForm action=alt_action attr:class="mt-1 flex flex-col gap-1">
                        {hidden()}
                        <label for=alt_id.clone() class="sr-only">{format!("Description of image {n}")}</label>
                        <input id=alt_id name="alt" value=img.alt.clone() maxlength=MAX_ALT.to_string() class="w-full rounded-md border border-stone-300 px-2 py-1 text-xs" />
                        <button type="submit" class=format!("{SMALL_BUTTON} self-start text-xs")>"Save"</button>
                    </ActionForm>
                </details>
            </div>
        </li>
    }
}
