//! Sign in and create an account. Both are plain forms first: they work before WASM loads.
use crate::api::auth::{Login, Register};
use crate::components::form::{BUTTON, CARD, Field, FormAlert, last_error, refresh_session_on_success};
use crate::domain::account::MIN_PASSWORD;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let login = ServerAction::<Login>::new();
    refresh_session_on_success(login.value());
    let errors = last_error(login.value());
    view! {
        <Title text="Sign in" />
        <Meta name="description" content="Sign in to your Meridian Market account." />
        <div class="mx-auto max-w-md">
            <h1 class="mb-6 text-2xl font-semibold tracking-tight">"Sign in"</h1>
            {move || (query.read().get("reset").as_deref() == Some("1")).then(|| view! {
                <p class="mb-4 rounded-lg bg-emerald-50 px-3 py-2 text-sm text-emerald-800 ring-1 ring-emerald-200" role="status" data-testid="reset-done">
                    "Your new password is saved. Sign in with it."
                </p>
            })}
            <div class=CARD>
                <ActionForm action=login attr:class="flex flex-col gap-4" attr:data-testid="login-form">
                    <FormAlert errors />
                    <input type="hidden" name="next" value=next />
                    <Field label="Email" name="email" kind="email" autocomplete="email" errors />
                    <Field label="Password" name="password" kind="password" autocomplete="current-password" errors />
                    <button type="submit" class=BUTTON disabled=move || login.pending().get()>
                        {move || if login.pending().get() { "Signing in…" } else { "Sign in" }}
                    </button>
                </ActionForm>
                <p class="mt-3 text-sm">
                    <a href="/forgot-password" class="text-emerald-700 hover:underline">"Forgot your password?"</a>
                </p>
            </div>
            <p class="mt-4 text-center text-sm text-stone-600">
                "New here? "
                <a href=move || format!("/register{}", if next().is_empty() { String::new() } else { format!("?next={}", next()) }) class="font-semibold text-emerald-700 hover:underline">
                    "Create an account"
                </a>
            </p>
        </div>
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let register = ServerAction::<Register>::new();
    refresh_session_on_success(register.value());
    let errors = last_error(register.value());
    view! {
        <Title text="Create an account" />
        <Meta name="description" content="Create a Meridian Market account to save addresses and follow your orders." />
        <div class="mx-auto max-w-md">
            <h1 class="mb-6 text-2xl font-semibold tracking-tight">"Create an account"</h1>
            <div class=CARD>
                <ActionForm action=register attr:class="flex flex-col gap-4" attr:data-testid="register-form">
                    <FormAlert errors />
                    <input type="hidden" name="next" value=next />
                    <Field label="Your name" name="display_name" autocomplete="name" errors />
                    <Field label="Email" name="email" kind="email" autocomplete="email" errors />
                    <Field
                        label="Password"
                        name="password"
                        kind="password"
                        autocomplete="new-password"
                        hint=if MIN_PASSWORD == 10 { "At least 10 characters; a few unrelated words work well." } else { "" }
                        errors
                    />
                    <button type="submit" class=BUTTON disabled=move || register.pending().get()>
                        "Create account"
                    </button>
                </ActionForm>
            </div>
            <p class="mt-4 text-center text-sm text-stone-600">
                "Already have an account? "
                <a href="/login" class="font-semibold text-emerald-700 hover:underline">"Sign in"</a>
            </p>
        </div>
    }
}
