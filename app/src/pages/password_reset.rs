//! `/forgot-password` (ask for a link by email) and `/reset-password?token=…` (choose a new
//! password with it). Plain forms first: both work before WASM loads.
use crate::api::auth::{ForgotPassword, ResetPassword};
use crate::components::form::{BUTTON, CARD, Field, FormAlert, last_error};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let ask = ServerAction::<ForgotPassword>::new();
    let errors = last_error(ask.value());
    let query = use_query_map();
    let sent = move || query.read().get("sent").as_deref() == Some("1");
    view! {
        <Title text="Forgot your password?" />
        <Meta name="description" content="Get a link to choose a new password for your Meridian Market account." />
        <div class="mx-auto max-w-md">
            <h1 class="mb-2 text-2xl font-semibold tracking-tight">"Forgot your password?"</h1>
            <p class="mb-6 text-sm text-stone-600">"We will e-mail you a link to choose a new one."</p>
            <div class=CARD>
                {move || match sent() {
                    true => view! {
                        <p class="text-sm text-stone-800" role="status" data-testid="reset-sent">
                            {crate::domain::account::RESET_SENT}
                        </p>
                    }.into_any(),
                    false => view! {
                        <ActionForm action=ask attr:class="flex flex-col gap-4" attr:data-testid="forgot-form">
                            <FormAlert errors />
                            <Field label="Email" name="email" kind="email" autocomplete="email" errors />
                            <button type="submit" class=BUTTON disabled=move || ask.pending().get()>"Send the link"</button>
                        </ActionForm>
                    }.into_any(),
                }}
            </div>
            <p class="mt-4 text-center text-sm text-stone-600">
                <a href="/login" class="font-semibold text-emerald-700 hover:underline">"Back to sign in"</a>
            </p>
        </div>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let reset = ServerAction::<ResetPassword>::new();
    let errors = last_error(reset.value());
    let expired = move || errors.get().and_then(|e| e.field("token"));
    view! {
        <Title text="Choose a new password" />
        <Meta name="robots" content="noindex" />
        <div class="mx-auto max-w-md">
            <h1 class="mb-6 text-2xl font-semibold tracking-tight">"Choose a new password"</h1>
            <div class=CARD>
                {move || expired().map(|m| view! {
                    <p class="mb-4 rounded-lg bg-rose-50 px-3 py-2 text-sm text-rose-800 ring-1 ring-rose-200" role="alert" data-testid="reset-expired">
                        {m} " " <a href="/forgot-password" class="font-semibold underline">"Ask for a new link"</a>
                    </p>
                })}
                <ActionForm action=reset attr:class="flex flex-col gap-4" attr:data-testid="reset-form">
                    <input type="hidden" name="token" value=token />
                    <Field
                        label="New password"
                        name="password"
                        kind="password"
                        autocomplete="new-password"
                        hint="At least 10 characters; a few unrelated words work well. You will be signed out everywhere else."
                        errors
                    />
                    <button type="submit" class=BUTTON disabled=move || reset.pending().get()>"Save the new password"</button>
                </ActionForm>
            </div>
        </div>
    }
}
