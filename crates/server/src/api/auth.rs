//! `/api/v1/auth`: API tokens and passwords.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use motcua_domain::Error;
use motcua_domain::user::check_password;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{JsonBody, vn_time};
use crate::auth::{Ctx, sign_in};
use crate::error::{ApiResult, ErrorBody};
use crate::password;
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenIn {
    #[schema(example = "lan.nt")]
    pub username: String,
    #[schema(example = "mật-khẩu-của-bạn")]
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenOut {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    #[schema(example = "2026-11-27T16:00:00+07:00")]
    pub expires_at: String,
}

/// Signs in and returns an API token. Five failures for one username within 15 minutes
/// answer 429 until the window passes.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth", request_body = TokenIn,
    responses((status = 200, body = TokenOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn create_token(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<TokenIn>,
) -> ApiResult<Json<TokenOut>> {
    let (token, expires_at, _) = sign_in(&state, &body.username, &body.password, "api").await?;
    Ok(Json(TokenOut {
        token,
        expires_at: vn_time(expires_at),
    }))
}

/// Ends the token (or session) used for this call.
#[utoipa::path(delete, path = "/api/v1/auth/token", tag = "auth",
    security(("bearer" = []), ("session_cookie" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn revoke_token(State(state): State<AppState>, ctx: Ctx) -> ApiResult<StatusCode> {
    state
        .unscoped_store()
        .delete_session(ctx.now(), &ctx.user, &ctx.token_hash)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordIn {
    pub current_password: String,
    /// At least 8 characters.
    pub new_password: String,
}

/// Changes the caller's own password; all their sessions and tokens end.
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", request_body = ChangePasswordIn,
    security(("bearer" = []), ("session_cookie" = [])),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn change_password(
    State(state): State<AppState>,
    ctx: Ctx,
    JsonBody(body): JsonBody<ChangePasswordIn>,
) -> ApiResult<StatusCode> {
    change_own_password(
        &state,
        &ctx.user.username,
        &body.current_password,
        &body.new_password,
        ctx.now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Shared by the API and the page: checks the current password, then sets the new one.
pub async fn change_own_password(
    state: &AppState,
    username: &str,
    current: &str,
    new: &str,
    now: time::OffsetDateTime,
) -> Result<(), Error> {
    check_password(new)?;
    let store = state.unscoped_store();
    let credentials = store
        .credentials(username)
        .await?
        .ok_or_else(Error::unauthenticated)?;
    if !password::verify_async(current.to_string(), credentials.password_hash).await {
        return Err(Error::invalid(
            "current_password_wrong",
            "Mật khẩu hiện tại không đúng.",
        ));
    }
    let hash = password::hash_async(new.to_string()).await?;
    store.set_password(username, now, username, &hash).await
}
