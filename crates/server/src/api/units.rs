//! `/api/v1/units`: the organisation tree.

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use motcua_domain::Error;
use motcua_domain::unit::{NewUnit, Unit, UnitChange, UnitCode, level_label};
use motcua_domain::user::Role;
use motcua_store::UnitFilter;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{DEFAULT_LIMIT, JsonBody, QueryParams};
use crate::auth::Ctx;
use crate::error::{ApiResult, ErrorBody};

/// An organisation unit.
#[derive(Serialize, ToSchema)]
pub struct UnitOut {
    /// National agency identifier (mã định danh).
    #[schema(example = "000.00.01.H22")]
    pub code: String,
    #[schema(example = "Cục Quân y")]
    pub name: String,
    #[schema(example = "CQY")]
    pub short_name: Option<String>,
    /// 0 = Bộ, 1 = cấp I (cấp Bộ), 2 = cấp II, 3 = cấp III, …
    #[schema(example = 1)]
    pub level: i32,
    #[schema(example = "Cấp I (cấp Bộ)")]
    pub level_label: String,
    #[schema(example = "000.00.00.G00")]
    pub parent_code: Option<String>,
    pub active: bool,
    /// Send it back with changes (optimistic concurrency).
    #[schema(example = 1)]
    pub version: i64,
    /// Ancestors above the unit (0 for the ministry).
    pub depth: i32,
}

impl From<Unit> for UnitOut {
    fn from(u: Unit) -> Self {
        UnitOut {
            level_label: level_label(u.level),
            code: u.code,
            name: u.name,
            short_name: u.short_name,
            level: u.level,
            parent_code: u.parent_code,
            active: u.active,
            version: u.version,
            depth: u.depth,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UnitPage {
    pub items: Vec<UnitOut>,
    /// Cursor for the next page (`?after=`), absent on the last page.
    pub next: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UnitQuery {
    /// Code of the last unit of the previous page.
    pub after: Option<String>,
    /// At most 500.
    pub limit: Option<i64>,
    pub level: Option<i32>,
    /// Words in the code or name; diacritics and case are ignored.
    pub q: Option<String>,
    pub active: Option<bool>,
}

/// Units in the caller's scope, ordered by code.
#[utoipa::path(get, path = "/api/v1/units", tag = "units", params(UnitQuery),
    security(("bearer" = []), ("session_cookie" = [])),
    responses((status = 200, body = UnitPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn list_units(
    ctx: Ctx,
    QueryParams(q): QueryParams<UnitQuery>,
) -> ApiResult<Json<UnitPage>> {
    let filter = UnitFilter {
        after: q.after,
        level: q.level,
        query: q.q.filter(|s| !s.trim().is_empty()),
        active: q.active,
    };
    let page = ctx
        .store
        .list_units(&filter, q.limit.unwrap_or(DEFAULT_LIMIT))
        .await?;
    Ok(Json(UnitPage {
        items: page.items.into_iter().map(UnitOut::from).collect(),
        next: page.next,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUnitIn {
    #[schema(example = "000.00.01.H22")]
    pub code: String,
    #[schema(example = "Cục Quân y")]
    pub name: String,
    #[schema(example = "CQY")]
    pub short_name: Option<String>,
    #[schema(example = 1)]
    pub level: i32,
    /// Absent only for the ministry root.
    #[schema(example = "000.00.00.G00")]
    pub parent_code: Option<String>,
}

/// Creates a unit (admin).
#[utoipa::path(post, path = "/api/v1/units", tag = "units", request_body = CreateUnitIn,
    security(("bearer" = []), ("session_cookie" = [])),
    responses((status = 201, body = UnitOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn create_unit(
    ctx: Ctx,
    JsonBody(body): JsonBody<CreateUnitIn>,
) -> ApiResult<(StatusCode, Json<UnitOut>)> {
    ctx.require(&[Role::Admin])?;
    let new = NewUnit::parse(
        &body.code,
        &body.name,
        body.short_name.as_deref(),
        body.level,
        body.parent_code.as_deref(),
    )?;
    let unit = ctx.store.create_unit(ctx.actor(), ctx.now(), &new).await?;
    Ok((StatusCode::CREATED, Json(unit.into())))
}

/// One unit.
#[utoipa::path(get, path = "/api/v1/units/{code}", tag = "units", params(("code" = String, Path)),
    security(("bearer" = []), ("session_cookie" = [])),
    responses((status = 200, body = UnitOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_unit(ctx: Ctx, Path(code): Path<String>) -> ApiResult<Json<UnitOut>> {
    Ok(Json(
        ctx.store.unit(&code.to_ascii_uppercase()).await?.into(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchUnitIn {
    /// The version the change is based on.
    #[schema(example = 1)]
    pub version: i64,
    #[schema(example = "Cục Quân y")]
    pub name: Option<String>,
    /// Empty string clears it.
    pub short_name: Option<String>,
    /// Moves the unit and its whole subtree under this unit.
    pub parent_code: Option<String>,
    pub active: Option<bool>,
}

/// Renames, moves or (de)activates a unit (admin).
#[utoipa::path(patch, path = "/api/v1/units/{code}", tag = "units", params(("code" = String, Path)),
    request_body = PatchUnitIn, security(("bearer" = []), ("session_cookie" = [])),
    responses((status = 200, body = UnitOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn patch_unit(
    ctx: Ctx,
    Path(code): Path<String>,
    JsonBody(body): JsonBody<PatchUnitIn>,
) -> ApiResult<Json<UnitOut>> {
    ctx.require(&[Role::Admin])?;
    let change = unit_change(
        body.name.as_deref(),
        body.short_name.as_deref(),
        body.parent_code.as_deref(),
        body.active,
    )?;
    let unit = ctx
        .store
        .change_unit(
            ctx.actor(),
            ctx.now(),
            &code.to_ascii_uppercase(),
            body.version,
            &change,
        )
        .await?;
    Ok(Json(unit.into()))
}

/// Validates the fields of a change (shared by the API and the pages).
pub fn unit_change(
    name: Option<&str>,
    short_name: Option<&str>,
    parent_code: Option<&str>,
    active: Option<bool>,
) -> Result<UnitChange, Error> {
    Ok(UnitChange {
        name: name
            .map(|n| {
                motcua_domain::text::required(
                    "name",
                    "Tên đơn vị",
                    n,
                    motcua_domain::unit::NAME_MAX,
                )
            })
            .transpose()?,
        short_name: short_name
            .map(|s| {
                motcua_domain::text::optional(
                    "short_name",
                    "Tên viết tắt",
                    Some(s),
                    motcua_domain::unit::SHORT_NAME_MAX,
                )
            })
            .transpose()?,
        parent: parent_code.map(UnitCode::parse).transpose()?,
        active,
    })
}

/// The direct children of a unit.
#[utoipa::path(get, path = "/api/v1/units/{code}/children", tag = "units", params(("code" = String, Path)),
    security(("bearer" = []), ("session_cookie" = [])),
    responses((status = 200, body = Vec<UnitOut>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn unit_children(ctx: Ctx, Path(code): Path<String>) -> ApiResult<Json<Vec<UnitOut>>> {
    let children = ctx.store.children(&code.to_ascii_uppercase()).await?;
    Ok(Json(children.into_iter().map(UnitOut::from).collect()))
}
