//! Signing up, in and out. These run for anyone; the session cookie is set and cleared here.
use crate::domain::account::Principal;
use crate::domain::errors::AppError;
use leptos::prelude::*;

/// Who is signed in (for the header and pages); `None` for visitors.
#[server(endpoint = "auth/session")]
pub async fn get_session() -> Result<Option<Principal>, AppError> {
    super::guard::guard(super::guard::Access::Anyone).await
}

#[server(endpoint = "auth/register")]
pub async fn register(
    email: String,
    display_name: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use super::guard::*;
    guard(Access::Anyone).await?;
    let shop = shop()?;
    let headers = headers().await;
    let client = client_address(&shop, &headers).await;
    let previous = session_token(&headers);
    let token =
        crate::services::accounts::register(&shop, &email, &display_name, &password, &client, previous.as_deref())
            .await?;
    signed_in(&token, next.as_deref()).await;
    Ok(())
}

#[server(endpoint = "auth/login")]
pub async fn login(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    use super::guard::*;
    guard(Access::Anyone).await?;
    let shop = shop()?;
    let headers = headers().await;
    let client = client_address(&shop, &headers).await;
    let previous = session_token(&headers);
    let token = crate::services::accounts::login(&shop, &email, &password, &client, previous.as_deref()).await?;
    signed_in(&token, next.as_deref()).await;
    Ok(())
}

#[server(endpoint = "auth/logout")]
pub async fn logout() -> Result<(), AppError> {
    use super::guard::*;
    guard(Access::Anyone).await?;
    if let Some(token) = session_token(&headers().await) {
        crate::services::accounts::logout(&shop()?, &token).await?;
    }
    clear_session_cookie();
    crate::api::redirect::redirect("/");
    Ok(())
}

/// Asks for a password reset link; answers the same for any well-formed email.
#[server(endpoint = "auth/forgot")]
pub async fn forgot_password(email: String) -> Result<String, AppError> {
    use super::guard::*;
    guard(Access::Anyone).await?;
    let shop = shop()?;
    let client = client_address(&shop, &headers().await).await;
    let sent = crate::services::password_reset::request(&shop, &email, &client).await?;
    // The page says so from its address, so a form posted without JavaScript shows it too.
    crate::api::redirect::redirect("/forgot-password?sent=1");
    Ok(sent.to_string())
}

/// Sets a new password with a reset link's token, then sends the browser to sign in.
#[server(endpoint = "auth/reset")]
pub async fn reset_password(token: String, password: String) -> Result<(), AppError> {
    use super::guard::*;
    guard(Access::Anyone).await?;
    crate::services::password_reset::reset(&shop()?, &token, &password).await?;
    crate::api::redirect::redirect("/login?reset=1");
    Ok(())
}

/// Confirms an account's e-mail address with the link's token (a button on `/verify-email`, never
/// the link itself: mail scanners open links), then goes to the account page.
#[server(endpoint = "auth/verify_email")]
pub async fn verify_email(token: String) -> Result<(), AppError> {
    use super::guard::*;
    guard(Access::Anyone).await?;
    crate::services::email_verification::confirm(&shop()?, &token).await?;
    crate::api::redirect::redirect("/account?verified=1");
    Ok(())
}
