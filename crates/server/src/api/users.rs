//! `/api/v1/users`: people and their roles.

use axum::Json;
use axum::http::StatusCode;
use motcua_domain::user::{NewUser, Role, User, check_password};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{DEFAULT_LIMIT, JsonBody, QueryParams};
use crate::auth::Ctx;
use crate::error::{ApiResult, ErrorBody};
use crate::password;

/// Roles that may list people in their scope.
pub const CAN_LIST_USERS: &[Role] = &[
    Role::Admin,
    Role::ReformOffice,
    Role::Leader,
    Role::Inspector,
];

#[derive(Serialize, ToSchema)]
pub struct UserOut {
    #[schema(example = "lan.nt")]
    pub username: String,
    #[schema(example = "Nguyễn Thị Lan")]
    pub full_name: String,
    #[schema(example = "000.00.01.H22")]
    pub unit_code: String,
    #[schema(example = json!(["receiver"]))]
    pub roles: Vec<String>,
    pub active: bool,
    pub version: i64,
}

impl From<User> for UserOut {
    fn from(u: User) -> Self {
        UserOut {
            roles: u.roles.iter().map(|r| r.as_str().to_string()).collect(),
            username: u.username,
            full_name: u.full_name,
            unit_code: u.unit_code,
            active: u.active,
            version: u.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UserPage {
    pub items: Vec<UserOut>,
    pub next: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UserQuery {
    /// Username of the last person of the previous page.
    pub after: Option<String>,
    pub limit: Option<i64>,
    /// Only people of this unit.
    pub unit: Option<String>,
}

/// People in the caller's scope (admin, reform_office, leader, inspector).
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(UserQuery),
    security(("bearer" = []), ("session_cookie" = [])),
    responses((status = 200, body = UserPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)))]
pub async fn list_users(
    ctx: Ctx,
    QueryParams(q): QueryParams<UserQuery>,
) -> ApiResult<Json<UserPage>> {
    ctx.require(CAN_LIST_USERS)?;
    let unit = q.unit.map(|u| u.to_ascii_uppercase());
    let page = ctx
        .store
        .list_users(
            q.after.as_deref(),
            unit.as_deref(),
            q.limit.unwrap_or(DEFAULT_LIMIT),
        )
        .await?;
    Ok(Json(UserPage {
        items: page.items.into_iter().map(UserOut::from).collect(),
        next: page.next,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserIn {
    #[schema(example = "lan.nt")]
    pub username: String,
    #[schema(example = "Nguyễn Thị Lan")]
    pub full_name: String,
    #[schema(example = "000.00.01.H22")]
    pub unit_code: String,
    /// admin, reform_office, leader, specialist, receiver, clerk, inspector
    #[schema(example = json!(["receiver"]))]
    pub roles: Vec<String>,
    /// At least 8 characters.
    pub password: String,
}

/// Creates a person in a unit of the caller's scope (admin).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = CreateUserIn,
    security(("bearer" = []), ("session_cookie" = [])),
    responses((status = 201, body = UserOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn create_user(
    ctx: Ctx,
    JsonBody(body): JsonBody<CreateUserIn>,
) -> ApiResult<(StatusCode, Json<UserOut>)> {
    ctx.require(&[Role::Admin])?;
    let new = NewUser::parse(
        &body.username,
        &body.full_name,
        &body.unit_code,
        &body.roles,
    )?;
    check_password(&body.password)?;
    let hash = password::hash_async(body.password).await?;
    let user = ctx
        .store
        .create_user(ctx.actor(), ctx.now(), &new, &hash)
        .await?;
    Ok((StatusCode::CREATED, Json(user.into())))
}

/// The signed-in person.
#[utoipa::path(get, path = "/api/v1/me", tag = "users",
    security(("bearer" = []), ("session_cookie" = [])),
    responses((status = 200, body = UserOut), (status = 401, body = ErrorBody)))]
pub async fn me(ctx: Ctx) -> Json<UserOut> {
    Json(ctx.user.into())
}
