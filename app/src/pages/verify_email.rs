//! `/verify-email?token=…`: the page the verification e-mail links to. Opening it changes nothing
//! (mail scanners fetch links before people do); the button confirms the address.
use crate::api::auth::VerifyEmail;
use crate::components::form::{BUTTON, CARD, FormAlert, last_error, refresh_session_on_success};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let verify = ServerAction::<VerifyEmail>::new();
    refresh_session_on_success(verify.value());
    let errors = last_error(verify.value());
    let expired = move || errors.get().and_then(|e| e.field("token"));
    view! {
        <Title text="Confirm your e-mail" />
        <Meta name="robots" content="noindex" />
        <div class="mx-auto max-w-md">
            <h1 class="mb-2 text-2xl font-semibold tracking-tight">"Confirm your e-mail"</h1>
            <p class="mb-6 text-sm text-stone-600">"One click shows us this address is yours; then you can open a store."</p>
            <div class=CARD>
                {move || expired().map(|m| view! {
                    <p class="mb-4 rounded-lg bg-rose-50 px-3 py-2 text-sm text-rose-800 ring-1 ring-rose-200" role="alert" data-testid="verify-expired">
                        {m}
                    </p>
                })}
                <ActionForm action=verify attr:class="flex flex-col gap-4" attr:data-testid="verify-form">
                    <FormAlert errors=Signal::derive(move || errors.get().filter(|e| e.field("token").is_none())) />
                    <input type="hidden" name="token" value=token />
                    <button type="submit" class=BUTTON disabled=move || verify.pending().get()>"Confirm my e-mail"</button>
                </ActionForm>
            </div>
        </div>
    }
}
