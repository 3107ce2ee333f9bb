//! `/api/v1/calendar`: the working calendar (days off, worked weekend days), announced
//! exceptions, and deadline arithmetic.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use motcua_calendar::{DayOff, DayOffKind, ExceptionKind, ExtraWorkday, YearSchedule};
use motcua_domain::calendar::{self, ExceptionInput};
use motcua_domain::user::Role;
use motcua_domain::{Error, Result};
use motcua_store::{ExceptionSource, StoredException};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{JsonBody, QueryParams, vn_time};
use crate::auth::Ctx;
use crate::error::{ApiResult, ErrorBody};
use crate::state::AppState;

/// Who may change the calendar.
pub const CAN_EDIT_CALENDAR: &[Role] = &[Role::Admin];

/// Why a weekday is not worked.
#[derive(Serialize, ToSchema, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DayOffKindOut {
    /// Ngày lễ theo Bộ luật Lao động (Điều 112).
    Holiday,
    /// Nghỉ bù khi ngày lễ trùng ngày nghỉ hằng tuần (Điều 111 khoản 3).
    Compensatory,
    /// Ngày nghỉ theo thông báo (Tết, hoán đổi ngày làm việc).
    AnnouncedOff,
}

impl From<DayOffKind> for DayOffKindOut {
    fn from(k: DayOffKind) -> Self {
        match k {
            DayOffKind::Holiday => DayOffKindOut::Holiday,
            DayOffKind::Compensatory => DayOffKindOut::Compensatory,
            DayOffKind::AnnouncedOff => DayOffKindOut::AnnouncedOff,
        }
    }
}

/// A weekday (Monday–Friday) that is not worked.
#[derive(Serialize, ToSchema, Clone, Debug)]
pub struct DayOffOut {
    #[schema(example = "2025-01-27")]
    pub date: String,
    pub kind: DayOffKindOut,
    #[schema(example = "Nghỉ Tết Âm lịch Ất Tỵ")]
    pub name: String,
    /// True when the day comes from a default because no announcement covers that year yet.
    #[schema(example = false)]
    pub provisional: bool,
}

impl From<DayOff> for DayOffOut {
    fn from(d: DayOff) -> Self {
        DayOffOut {
            date: calendar::iso_date(d.date),
            kind: d.kind.into(),
            name: d.name,
            provisional: d.provisional,
        }
    }
}

/// A weekend day that is worked.
#[derive(Serialize, ToSchema, Clone, Debug)]
pub struct ExtraWorkdayOut {
    #[schema(example = "2025-04-26")]
    pub date: String,
    #[schema(example = "Làm bù cho ngày 2/5")]
    pub name: String,
}

impl From<ExtraWorkday> for ExtraWorkdayOut {
    fn from(d: ExtraWorkday) -> Self {
        ExtraWorkdayOut {
            date: calendar::iso_date(d.date),
            name: d.name,
        }
    }
}

/// The civil-service schedule of a year: everything that differs from "Monday–Friday".
#[derive(Serialize, ToSchema, Clone, Debug)]
pub struct YearScheduleOut {
    #[schema(example = 2025)]
    pub year: i32,
    /// Weekdays not worked, in date order.
    pub days_off: Vec<DayOffOut>,
    /// Weekend days worked, in date order.
    pub extra_workdays: Vec<ExtraWorkdayOut>,
}

impl From<YearSchedule> for YearScheduleOut {
    fn from(s: YearSchedule) -> Self {
        YearScheduleOut {
            year: s.year,
            days_off: s.days_off.into_iter().map(DayOffOut::from).collect(),
            extra_workdays: s
                .extra_workdays
                .into_iter()
                .map(ExtraWorkdayOut::from)
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ExceptionKindOut {
    /// Ngày nghỉ.
    DayOff,
    /// Ngày làm việc (ví dụ thứ Bảy làm bù).
    WorkingDay,
}

#[derive(Serialize, ToSchema, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ExceptionSourceOut {
    /// Kèm theo phần mềm.
    Shipped,
    /// Do quản trị viên thêm.
    Admin,
}

/// An announced exception.
#[derive(Serialize, ToSchema, Clone, Debug)]
pub struct ExceptionOut {
    #[schema(example = "2025-05-02")]
    pub date: String,
    pub kind: ExceptionKindOut,
    #[schema(example = "Nghỉ hoán đổi dịp 30/4 - 1/5")]
    pub name: String,
    #[schema(example = "Thông báo 9441/TB-BNV")]
    pub legal_ref: Option<String>,
    /// Key of the holiday rule this announcement fixes for its year.
    #[schema(example = "tet_nguyen_dan")]
    pub covers: Option<String>,
    pub source: ExceptionSourceOut,
    /// Absent for exceptions shipped with the software.
    #[schema(example = "2026-11-27T09:00:00+07:00")]
    pub created_at: Option<String>,
    #[schema(example = "admin")]
    pub created_by: String,
}

impl From<StoredException> for ExceptionOut {
    fn from(s: StoredException) -> Self {
        ExceptionOut {
            date: calendar::iso_date(s.exception.date),
            kind: match s.exception.kind {
                ExceptionKind::DayOff => ExceptionKindOut::DayOff,
                ExceptionKind::WorkingDay => ExceptionKindOut::WorkingDay,
            },
            name: s.exception.name,
            legal_ref: s.exception.legal_ref,
            covers: s.exception.covers,
            source: match s.source {
                ExceptionSource::Shipped => ExceptionSourceOut::Shipped,
                ExceptionSource::Admin => ExceptionSourceOut::Admin,
            },
            created_at: s.created_at.map(vn_time),
            created_by: s.created_by,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ExceptionList {
    pub items: Vec<ExceptionOut>,
}

/// A deadline: when counting starts and when the budget runs out (Vietnam time).
#[derive(Serialize, ToSchema, Clone, Debug)]
pub struct DeadlineOut {
    #[schema(example = "2025-01-24T10:00:00+07:00")]
    pub received_at: String,
    /// The received instant inside office hours, otherwise the next start of office hours.
    #[schema(example = "2025-01-24T10:00:00+07:00")]
    pub counted_from: String,
    /// The earliest instant at which the budget is used up.
    #[schema(example = "2025-02-07T10:00:00+07:00")]
    pub due_at: String,
}

impl From<motcua_calendar::Deadline> for DeadlineOut {
    fn from(d: motcua_calendar::Deadline) -> Self {
        DeadlineOut {
            received_at: vn_time(d.received_at),
            counted_from: vn_time(d.counted_from),
            due_at: vn_time(d.due_at),
        }
    }
}

/// A year from a path segment: 400 if it is not a number, 422 outside 1900–2199.
pub fn parse_year(value: &str) -> Result<i32> {
    let year: i32 = value.trim().parse().map_err(|_| {
        Error::bad_request(
            "invalid_year",
            format!("Năm \"{value}\" không hợp lệ: cần một số, ví dụ 2025."),
        )
    })?;
    calendar::check_year(year)
}

/// Days off and worked weekend days of a year.
#[utoipa::path(get, path = "/api/v1/calendar/{year}", tag = "calendar",
    params(("year" = i32, Path, description = "Năm dương lịch (1900–2199)", example = 2025)),
    security(("bearer" = []), ("session_cookie" = [])),
    responses((status = 200, body = YearScheduleOut), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get_year(
    _ctx: Ctx,
    State(state): State<AppState>,
    Path(year): Path<String>,
) -> ApiResult<Json<YearScheduleOut>> {
    let year = parse_year(&year)?;
    let schedule = state.calendar().await?.schedule(year)?;
    Ok(Json(schedule.into()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExceptionQuery {
    /// Only the exceptions of this year.
    #[param(example = 2025)]
    pub year: Option<i32>,
}

/// Announced exceptions (days off and worked days), in date order.
#[utoipa::path(get, path = "/api/v1/calendar/exceptions", tag = "calendar", params(ExceptionQuery),
    security(("bearer" = []), ("session_cookie" = [])),
    responses((status = 200, body = ExceptionList), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_exceptions(
    ctx: Ctx,
    QueryParams(q): QueryParams<ExceptionQuery>,
) -> ApiResult<Json<ExceptionList>> {
    let year = q.year.map(calendar::check_year).transpose()?;
    let items = ctx.store.calendar_exceptions(year).await?;
    Ok(Json(ExceptionList {
        items: items.into_iter().map(ExceptionOut::from).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExceptionIn {
    #[schema(example = "2027-02-08")]
    pub date: String,
    /// `day_off` or `working_day`.
    #[schema(example = "day_off")]
    pub kind: String,
    #[schema(example = "Nghỉ Tết Âm lịch Đinh Mùi")]
    pub name: String,
    #[schema(example = "Thông báo số 123/TB-BNV")]
    pub legal_ref: Option<String>,
    /// `tet_nguyen_dan` or `quoc_khanh_adjacent`: this announcement fixes that holiday's
    /// days for its year, replacing the provisional default.
    #[schema(example = "tet_nguyen_dan")]
    pub covers: Option<String>,
}

/// Announces an exception (admin). Deadlines computed afterwards use it; deadlines
/// already issued do not move.
#[utoipa::path(post, path = "/api/v1/calendar/exceptions", tag = "calendar", request_body = ExceptionIn,
    security(("bearer" = []), ("session_cookie" = [])),
    responses((status = 201, body = ExceptionOut), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 413, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn add_exception(
    ctx: Ctx,
    State(state): State<AppState>,
    JsonBody(body): JsonBody<ExceptionIn>,
) -> ApiResult<(StatusCode, Json<ExceptionOut>)> {
    ctx.require(CAN_EDIT_CALENDAR)?;
    let exception = calendar::parse_exception(
        &ExceptionInput {
            date: &body.date,
            kind: &body.kind,
            name: &body.name,
            legal_ref: body.legal_ref.as_deref(),
            covers: body.covers.as_deref(),
        },
        &state.config().calendar.holiday_rules,
    )?;
    let stored = ctx
        .store
        .add_calendar_exception(ctx.actor(), ctx.now(), &exception)
        .await?;
    state.calendar_changed().await?;
    Ok((StatusCode::CREATED, Json(stored.into())))
}

/// Removes the exception of a date (admin); answers what was removed.
#[utoipa::path(delete, path = "/api/v1/calendar/exceptions/{date}", tag = "calendar",
    params(("date" = String, Path, description = "YYYY-MM-DD", example = "2025-05-02")),
    security(("bearer" = []), ("session_cookie" = [])),
    responses((status = 200, body = ExceptionOut), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn remove_exception(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(date): Path<String>,
) -> ApiResult<Json<ExceptionOut>> {
    ctx.require(CAN_EDIT_CALENDAR)?;
    let date = calendar::parse_date("date", &date)?;
    let removed = ctx
        .store
        .remove_calendar_exception(ctx.actor(), ctx.now(), date)
        .await?;
    state.calendar_changed().await?;
    Ok(Json(removed.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeadlineIn {
    /// When the dossier was received (RFC 3339, any offset).
    #[schema(example = "2025-01-24T10:00:00+07:00")]
    pub from: String,
    /// Working days (× the working minutes of a day). Exactly one of the three budgets.
    #[schema(example = 5)]
    pub working_days: Option<i64>,
    pub working_hours: Option<i64>,
    pub working_minutes: Option<i64>,
}

/// Computes a deadline with the calendar in effect.
#[utoipa::path(post, path = "/api/v1/calendar/deadline", tag = "calendar", request_body = DeadlineIn,
    security(("bearer" = []), ("session_cookie" = [])),
    responses((status = 200, body = DeadlineOut), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 413, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn deadline(
    _ctx: Ctx,
    State(state): State<AppState>,
    JsonBody(body): JsonBody<DeadlineIn>,
) -> ApiResult<Json<DeadlineOut>> {
    let from = super::parse_instant("from", &body.from)?;
    let snapshot = state.calendar().await?;
    let working = snapshot.calendar();
    let minutes = calendar::budget_minutes(
        body.working_days,
        body.working_hours,
        body.working_minutes,
        working.minutes_per_day(),
    )?;
    let deadline = working
        .deadline(from, minutes)
        .map_err(|e| calendar::calendar_error(&e))?;
    Ok(Json(deadline.into()))
}
