use crate::domain::catalog::Category;
use leptos::prelude::*;

/// Home › Parent › … ; the last crumb is the current page when `current` is given.
#[component]
pub fn Breadcrumbs(trail: Vec<Category>, #[prop(optional, into)] current: Option<String>) -> impl IntoView {
    view! {
        <nav aria-label="Breadcrumb" class="mb-4 text-sm text-stone-500">
            <ol class="flex flex-wrap items-center gap-1">
                <li>
                    <a href="/" class="rounded hover:text-stone-900 hover:underline">"Home"</a>
                </li>
                {trail
                    .into_iter()
                    .map(|c| {
                        view! {
                            <li aria-hidden="true">"›"</li>
                            <li>
                                <a href=format!("/c/{}", c.slug) class="rounded hover:text-stone-900 hover:underline">
                                    {c.name}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
                {current
                    .map(|name| {
                        view! {
                            <li aria-hidden="true">"›"</li>
                            <li aria-current="page" class="font-medium text-stone-800">{name}</li>
                        }
                    })}
            </ol>
        </nav>
    }
}
