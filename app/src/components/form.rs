//! Form pieces shared by account, sign-in and dashboard pages.
use crate::domain::errors::AppError;
use leptos::prelude::*;

/// The error of the last submission of an action, if any.
pub fn last_error<T, S>(value: S) -> Signal<Option<AppError>>
where
    T: Clone + Send + Sync + 'static,
    S: Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
{
    Signal::derive(move || value.get().and_then(|r| r.err()))
}

/// After a sign-in, sign-up, sign-out or role change succeeds, the header asks again who is
/// signed in (the page itself may not change).
pub fn refresh_session_on_success<T, S>(value: S)
where
    T: Clone + Send + Sync + 'static,
    S: Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
{
    Effect::new(move |_| {
        if matches!(value.get(), Some(Ok(_))) {
            if let Some(refresh) = use_context::<crate::AuthRefresh>() {
                refresh.0.update(|n| *n += 1);
            }
        }
    });
}

/// A labelled input with its own error message under it.
#[component]
pub fn Field(
    label: &'static str,
    name: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional, into)] value: String,
    #[prop(optional)] autocomplete: &'static str,
    #[prop(default = true)] required: bool,
    #[prop(optional)] hint: &'static str,
    #[prop(into)] errors: Signal<Option<AppError>>,
    #[prop(optional)] id_suffix: String,
) -> impl IntoView {
    let id = format!("{name}{id_suffix}");
    let error_id = format!("{id}-error");
    let message = move || errors.get().and_then(|e| e.field(name));
    view! {
        <div class="flex flex-col gap-1">
            <label for=id.clone() class="text-sm font-medium text-stone-800">
                {label}
                {(!required).then(|| view! { <span class="font-normal text-stone-500">" (optional)"</span> })}
            </label>
            <input
                id=id
                name=name
                type=kind
                value=value
                required=required
                autocomplete=(!autocomplete.is_empty()).then_some(autocomplete)
                aria-invalid=move || message().is_some().then_some("true")
                aria-describedby=error_id.clone()
                class="rounded-lg border border-stone-300 bg-white px-3 py-2 text-base shadow-sm focus:border-emerald-600 aria-[invalid=true]:border-rose-500"
            />
            {(!hint.is_empty()).then(|| view! { <p class="text-xs text-stone-500">{hint}</p> })}
            <p id=error_id class="min-h-0 text-sm text-rose-700" data-testid=format!("error-{name}")>
                {message}
            </p>
        </div>
    }
}

/// Form-wide messages: wrong credentials, throttling, conflicts, server trouble.
#[component]
pub fn FormAlert(#[prop(into)] errors: Signal<Option<AppError>>) -> impl IntoView {
    let text = move || {
        errors.get().and_then(|e| match e {
            AppError::Validation(ref f) => f.get("form").map(str::to_string),
            other => Some(other.to_string()),
        })
    };
    view! {
        <Show when=move || text().is_some()>
            <p role="alert" class="rounded-lg bg-rose-50 px-3 py-2 text-sm text-rose-800 ring-1 ring-rose-200" data-testid="form-alert">
                {text}
            </p>
        </Show>
    }
}

pub const BUTTON: &str = "inline-flex items-center justify-center rounded-lg bg-stone-900 px-4 py-2.5 text-sm font-semibold text-white hover:bg-stone-700 disabled:opacity-60";
pub const BUTTON_SECONDARY: &str = "inline-flex items-center justify-center rounded-lg bg-white px-4 py-2.5 text-sm font-semibold text-stone-800 ring-1 ring-stone-300 hover:bg-stone-100";
/// A compact input or select in a dashboard filter bar.
pub const FILTER_INPUT: &str =
    "mt-1 block rounded-lg border-0 px-3 py-2 text-sm ring-1 ring-stone-300 focus:ring-2 focus:ring-emerald-600";
pub const CARD: &str = "rounded-2xl bg-white p-5 ring-1 ring-stone-200 sm:p-6";

/// The result of a dashboard form: green and `status` when it went through, red and `alert`
/// when not; nothing before the first submission.
#[component]
pub fn ActionOutcome(#[prop(into)] outcome: Signal<Option<(bool, String)>>, testid: &'static str) -> impl IntoView {
    move || {
        outcome.get().map(|(ok, text)| {
            let class = if ok {
                "mb-4 rounded-lg bg-emerald-50 px-3 py-2 text-sm text-emerald-800 ring-1 ring-emerald-200"
            } else {
                "mb-4 rounded-lg bg-rose-50 px-3 py-2 text-sm text-rose-800 ring-1 ring-rose-200"
            };
            view! { <p role=if ok { "status" } else { "alert" } class=class data-testid=testid>{text}</p> }
        })
    }
}
