//! Unit e-government facts (issue 5 item 2; docs/egov.md): `/api/v1/units/{code}/facts`,
//! `/api/v1/egov/coverage`, `/api/v1/egov/fact-kinds` and `/api/v1/egov/facts/import`.
//! Who writes: the reform office and administrators; who reads: anyone, within their scope.
//! The rules are the domain's (`motcua_domain::egov`), storage and scope the store's.

use std::collections::HashMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::Path;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use motcua_domain::egov::{
    Fact, FactKind, NewFact, NewFactKind, ValueType, check_not_future, known_kind, parse_fact_date,
    parse_facts_csv, parse_note, vn_today,
};
use motcua_domain::text::{vn_number, vn_percent};
use motcua_domain::unit::level_label;
use motcua_domain::user::Role;
use motcua_domain::{Error, calendar::iso_date};
use motcua_store::ScopedStore;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::Date;
use utoipa::{IntoParams, ToSchema};

use super::{JsonBody, QueryParams, vn_time};
use crate::auth::Ctx;
use crate::error::{ApiResult, ErrorBody, body_too_large};

/// Who may record facts and import files.
pub const CAN_EDIT_FACTS: &[Role] = &[Role::ReformOffice, Role::Admin];

/// A kind of fact.
#[derive(Serialize, ToSchema)]
pub struct FactKindOut {
    #[schema(example = "data_network")]
    pub code: String,
    #[schema(example = "Kết nối mạng truyền số liệu chuyên dùng")]
    pub name: String,
    /// `boolean` (có/không) or `count` (số lượng).
    #[schema(example = "boolean")]
    pub value_type: String,
    pub active: bool,
}

impl From<FactKind> for FactKindOut {
    fn from(k: FactKind) -> Self {
        FactKindOut {
            code: k.code,
            name: k.name,
            value_type: k.value_type.as_str().into(),
            active: k.active,
        }
    }
}

/// One recorded fact.
#[derive(Serialize, ToSchema)]
pub struct FactOut {
    #[schema(example = "000.01.00.A01")]
    pub unit_code: String,
    #[schema(example = "data_network")]
    pub kind: String,
    /// `true`/`false` for boolean kinds, a number for counts.
    #[schema(value_type = Object, example = json!(true))]
    pub value: Value,
    /// The value for people: "Có", "Không", "33.900".
    #[schema(example = "Có")]
    pub value_text: String,
    #[schema(example = "2022-09-30")]
    pub valid_from: String,
    #[schema(example = "Theo báo cáo quý III/2022")]
    pub note: Option<String>,
    #[schema(example = "reform")]
    pub recorded_by: String,
    #[schema(example = "2022-10-03T09:00:00+07:00")]
    pub recorded_at: String,
}

fn json_value(kind: Option<&FactKind>, value: i64) -> Value {
    match kind.map(|k| k.value_type) {
        Some(ValueType::Boolean) => Value::Bool(value == 1),
        _ => Value::from(value),
    }
}

fn fact_out(kinds: &HashMap<&str, &FactKind>, f: Fact) -> FactOut {
    let kind = kinds.get(f.kind.as_str()).copied();
    FactOut {
        value: json_value(kind, f.value),
        value_text: kind.map_or_else(|| f.value.to_string(), |k| k.value_text(f.value)),
        unit_code: f.unit_code,
        kind: f.kind,
        valid_from: iso_date(f.valid_from),
        note: f.note,
        recorded_by: f.recorded_by,
        recorded_at: vn_time(f.recorded_at),
    }
}

/// The facts of a unit: what is in force on `as_of`, and every recorded value.
#[derive(Serialize, ToSchema)]
pub struct UnitFactsOut {
    #[schema(example = "000.01.00.A01")]
    pub unit_code: String,
    #[schema(example = "2022-09-30")]
    pub as_of: String,
    /// The value in force of each kind that has one (latest date ≤ as_of, then latest recorded).
    pub current: Vec<FactOut>,
    /// Every recorded value, newest date first; nothing is ever overwritten.
    pub history: Vec<FactOut>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AsOfQuery {
    /// `YYYY-MM-DD`; today (Vietnam time) when absent.
    #[param(example = "2022-09-30")]
    pub as_of: Option<String>,
}

fn as_of(ctx: &Ctx, value: Option<&str>) -> Result<Date, Error> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => parse_fact_date(v),
        None => Ok(vn_today(ctx.now())),
    }
}

fn unit_code(code: &str) -> String {
    code.trim().to_ascii_uppercase()
}

/// The facts of a unit in the caller's scope.
#[utoipa::path(get, path = "/api/v1/units/{code}/facts", tag = "egov",
    params(("code" = String, Path), AsOfQuery),
    security(("bearer" = []), ("session_cookie" = [])),
    responses((status = 200, body = UnitFactsOut), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody, description = "Không có đơn vị, hoặc ngoài phạm vi")))]
pub async fn unit_facts(
    ctx: Ctx,
    Path(code): Path<String>,
    QueryParams(q): QueryParams<AsOfQuery>,
) -> ApiResult<Json<UnitFactsOut>> {
    let code = unit_code(&code);
    ctx.store.unit(&code).await?;
    let date = as_of(&ctx, q.as_of.as_deref())?;
    Ok(Json(unit_facts_out(&ctx.store, &code, date).await?))
}

/// A unit's facts as the API answers them (shared with the pages).
pub async fn unit_facts_out(
    store: &ScopedStore,
    code: &str,
    date: Date,
) -> Result<UnitFactsOut, Error> {
    let facts = store.unit_facts(code, date).await?;
    let kinds: HashMap<&str, &FactKind> =
        facts.kinds.iter().map(|k| (k.code.as_str(), k)).collect();
    let current = facts
        .kinds
        .iter()
        .filter_map(|k| facts.current.get(&k.code).cloned())
        .map(|f| fact_out(&kinds, f))
        .collect();
    let history = facts
        .history
        .iter()
        .cloned()
        .map(|f| fact_out(&kinds, f))
        .collect();
    Ok(UnitFactsOut {
        unit_code: code.to_string(),
        as_of: iso_date(date),
        current,
        history,
    })
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordFactIn {
    #[schema(example = "data_network")]
    pub kind: String,
    /// `true`/`false` (or "có"/"không", 1/0) for boolean kinds, a non-negative integer for counts.
    #[schema(value_type = Object, example = json!(true))]
    pub value: Value,
    /// `YYYY-MM-DD` or `dd/mm/yyyy`; not after today.
    #[schema(example = "2022-09-30")]
    pub valid_from: String,
    /// A note; required (as the reason) when the unit already has a value for this kind and date.
    #[schema(example = "Theo báo cáo quý III/2022")]
    pub note: Option<String>,
}

/// Validates a fact typed in a form or sent to the API (the unit is checked by the store).
pub fn new_fact(
    kinds: &[FactKind],
    unit: &str,
    kind: &str,
    value: &Value,
    valid_from: &str,
    note: Option<&str>,
    today: Date,
) -> Result<NewFact, Error> {
    let map: HashMap<&str, &FactKind> = kinds.iter().map(|k| (k.code.as_str(), k)).collect();
    let kind = known_kind(&map, kind)?;
    let value = match value {
        Value::Bool(b) if kind.value_type == ValueType::Boolean => i64::from(*b),
        Value::Number(n) => match n.as_i64() {
            Some(v) => kind.check_value(v)?,
            None => kind.parse_value(&n.to_string())?,
        },
        Value::String(s) => kind.parse_value(s)?,
        other => kind.parse_value(&other.to_string())?,
    };
    Ok(NewFact {
        unit_code: unit.to_string(),
        kind: kind.code.clone(),
        value,
        valid_from: check_not_future(parse_fact_date(valid_from)?, today)?,
        note: parse_note(note)?,
    })
}

/// Records a value for a unit (reform office, admin). Nothing is overwritten: the new row
/// supersedes from its date on; a second value for the same date is a correction and needs
/// a reason in `note`.
#[utoipa::path(post, path = "/api/v1/units/{code}/facts", tag = "egov",
    params(("code" = String, Path)), request_body = RecordFactIn,
    security(("bearer" = []), ("session_cookie" = [])),
    responses((status = 201, body = FactOut), (status = 400, body = ErrorBody, description = "invalid_date, invalid_json"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody, description = "Không có đơn vị, hoặc ngoài phạm vi"),
              (status = 413, body = ErrorBody),
              (status = 422, body = ErrorBody, description = "fact_kind_unknown, fact_kind_inactive, fact_value_invalid, fact_date_in_future, fact_correction_reason_required")))]
pub async fn record_fact(
    ctx: Ctx,
    Path(code): Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<(StatusCode, Json<FactOut>)> {
    ctx.require(CAN_EDIT_FACTS)?;
    let code = unit_code(&code);
    // Out of scope answers 404 whatever the body, exactly like a unit that does not exist.
    ctx.store.unit(&code).await?;
    let body: RecordFactIn = serde_json::from_value(body).map_err(|e| {
        Error::bad_request("invalid_json", format!("Dữ liệu JSON không hợp lệ: {e}"))
    })?;
    let kinds = ctx.store.fact_kinds().await?;
    let fact = new_fact(
        &kinds,
        &code,
        &body.kind,
        &body.value,
        &body.valid_from,
        body.note.as_deref(),
        vn_today(ctx.now()),
    )?;
    ctx.store
        .record_facts(ctx.actor(), ctx.now(), std::slice::from_ref(&fact))
        .await?;
    let map: HashMap<&str, &FactKind> = kinds.iter().map(|k| (k.code.as_str(), k)).collect();
    let out = fact_out(
        &map,
        Fact {
            id: 0,
            unit_code: fact.unit_code,
            kind: fact.kind,
            value: fact.value,
            valid_from: fact.valid_from,
            note: fact.note,
            recorded_by: ctx.actor().to_string(),
            recorded_at: ctx.now(),
        },
    );
    Ok((StatusCode::CREATED, Json(out)))
}

/// Coverage of one boolean kind at one level.
#[derive(Serialize, ToSchema)]
pub struct LevelCoverageOut {
    /// 0 = Bộ, 1 = cấp I (cấp Bộ), 2 = cấp II, 3 = cấp III …
    #[schema(example = 2)]
    pub level: i32,
    #[schema(example = "Cấp II")]
    pub level_label: String,
    /// Active units at this level in the subtree.
    #[schema(example = 200)]
    pub units: u64,
    /// Of which the value in force is "có".
    #[schema(example = 135)]
    pub covered: u64,
    #[schema(example = "67,5%")]
    pub percent: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct KindCoverageOut {
    #[schema(example = "data_network")]
    pub kind: String,
    #[schema(example = "Kết nối mạng truyền số liệu chuyên dùng")]
    pub name: String,
    pub levels: Vec<LevelCoverageOut>,
    /// The whole subtree.
    #[schema(example = "40,1%")]
    pub percent_all: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct KindTotalOut {
    #[schema(example = "email_accounts")]
    pub kind: String,
    #[schema(example = "Số tài khoản thư điện tử")]
    pub name: String,
    #[schema(example = 33900)]
    pub total: i64,
    #[schema(example = "33.900")]
    pub total_text: String,
}

/// Coverage by level of every active boolean kind and totals of every active count kind.
#[derive(Serialize, ToSchema)]
pub struct CoverageOut {
    #[schema(example = "000.00.00.G00")]
    pub unit: String,
    #[schema(example = "2022-09-30")]
    pub as_of: String,
    pub coverage: Vec<KindCoverageOut>,
    pub totals: Vec<KindTotalOut>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CoverageQuery {
    /// Top of the subtree; the caller's top unit when absent.
    #[param(example = "000.00.00.G00")]
    pub unit: Option<String>,
    /// `YYYY-MM-DD`; today (Vietnam time) when absent.
    #[param(example = "2022-09-30")]
    pub as_of: Option<String>,
}

/// Coverage by unit level within a subtree, as of a date (anyone, within their scope).
#[utoipa::path(get, path = "/api/v1/egov/coverage", tag = "egov", params(CoverageQuery),
    security(("bearer" = []), ("session_cookie" = [])),
    responses((status = 200, body = CoverageOut), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody, description = "Không có đơn vị, hoặc ngoài phạm vi")))]
pub async fn coverage(
    ctx: Ctx,
    QueryParams(q): QueryParams<CoverageQuery>,
) -> ApiResult<Json<CoverageOut>> {
    let date = as_of(&ctx, q.as_of.as_deref())?;
    let unit = match q.unit.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        Some(u) => unit_code(u),
        None => top_unit(&ctx.store).await?,
    };
    Ok(Json(coverage_out(&ctx.store, &unit, date).await?))
}

/// The caller's top unit (the ministry for ministry-wide roles).
pub async fn top_unit(store: &ScopedStore) -> Result<String, Error> {
    store
        .top_units()
        .await?
        .into_iter()
        .next()
        .map(|u| u.code)
        .ok_or_else(|| Error::not_found("unit_not_found", "Không tìm thấy đơn vị."))
}

/// Coverage of every active kind (shared with the pages).
pub async fn coverage_out(
    store: &ScopedStore,
    unit: &str,
    date: Date,
) -> Result<CoverageOut, Error> {
    store.unit(unit).await?;
    let mut coverage = Vec::new();
    let mut totals = Vec::new();
    for kind in store.fact_kinds().await?.into_iter().filter(|k| k.active) {
        match kind.value_type {
            ValueType::Boolean => {
                let levels = store.fact_coverage(unit, &kind.code, date).await?;
                let (units, covered) = levels
                    .iter()
                    .fold((0, 0), |(u, c), l| (u + l.units, c + l.covered));
                coverage.push(KindCoverageOut {
                    kind: kind.code,
                    name: kind.name,
                    percent_all: vn_percent(covered, units, 1),
                    levels: levels
                        .into_iter()
                        .map(|l| LevelCoverageOut {
                            percent: l.percent_text(),
                            level: l.level,
                            level_label: level_label(l.level),
                            units: l.units,
                            covered: l.covered,
                        })
                        .collect(),
                });
            }
            ValueType::Count => {
                let total = store.fact_total(unit, &kind.code, date).await?;
                totals.push(KindTotalOut {
                    kind: kind.code,
                    name: kind.name,
                    total,
                    total_text: vn_number(total),
                });
            }
        }
    }
    Ok(CoverageOut {
        unit: unit.to_string(),
        as_of: iso_date(date),
        coverage,
        totals,
    })
}

/// The configured kinds of facts, in display order.
#[utoipa::path(get, path = "/api/v1/egov/fact-kinds", tag = "egov",
    security(("bearer" = []), ("session_cookie" = [])),
    responses((status = 200, body = Vec<FactKindOut>), (status = 401, body = ErrorBody)))]
pub async fn list_kinds(ctx: Ctx) -> ApiResult<Json<Vec<FactKindOut>>> {
    let kinds = ctx.store.fact_kinds().await?;
    Ok(Json(kinds.into_iter().map(FactKindOut::from).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateKindIn {
    /// Lower-case letters, digits and `_`, starting with a letter.
    #[schema(example = "lgsp_connected")]
    pub code: String,
    #[schema(example = "Kết nối, chia sẻ ứng dụng qua LGSP")]
    pub name: String,
    /// `boolean` or `count`.
    #[schema(example = "boolean")]
    pub value_type: String,
    /// Defaults to true.
    pub active: Option<bool>,
}

/// Adds a kind of fact (admin).
#[utoipa::path(post, path = "/api/v1/egov/fact-kinds", tag = "egov", request_body = CreateKindIn,
    security(("bearer" = []), ("session_cookie" = [])),
    responses((status = 201, body = FactKindOut), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "fact_kind_exists"),
              (status = 413, body = ErrorBody),
              (status = 422, body = ErrorBody, description = "fact_kind_code_invalid, fact_value_type_invalid, field_empty")))]
pub async fn create_kind(
    ctx: Ctx,
    JsonBody(body): JsonBody<CreateKindIn>,
) -> ApiResult<(StatusCode, Json<FactKindOut>)> {
    ctx.require(&[Role::Admin])?;
    let new = NewFactKind::parse(
        &body.code,
        &body.name,
        &body.value_type,
        body.active.unwrap_or(true),
    )?;
    let kind = ctx
        .store
        .add_fact_kind(ctx.actor(), ctx.now(), &new)
        .await?;
    Ok((StatusCode::CREATED, Json(kind.into())))
}

/// How many facts an import wrote.
#[derive(Serialize, ToSchema)]
pub struct ImportOut {
    #[schema(example = 5005)]
    pub imported: usize,
}

/// Imports a CSV file of facts (reform office, admin): `unit_code,kind,value,valid_from,note`
/// with that header; booleans `có/không`, `true/false` or `1/0`, counts as integers, dates
/// `YYYY-MM-DD` or `dd/mm/yyyy`. All rows or none: 422 `import_invalid` lists every bad line
/// in `details.errors`; units outside the caller's scope are `unit_not_found` lines.
#[utoipa::path(post, path = "/api/v1/egov/facts/import", tag = "egov",
    request_body(content = String, content_type = "text/csv",
                 description = "unit_code,kind,value,valid_from,note\n000.01.00.A01,data_network,có,2022-09-30,"),
    security(("bearer" = []), ("session_cookie" = [])),
    responses((status = 200, body = ImportOut), (status = 400, body = ErrorBody, description = "import_malformed, body_not_utf8"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 413, body = ErrorBody),
              (status = 422, body = ErrorBody, description = "import_invalid (details.errors: line, code, message), import_empty")))]
pub async fn import_facts(
    ctx: Ctx,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<ImportOut>> {
    ctx.require(CAN_EDIT_FACTS)?;
    let body = body.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            body_too_large()
        } else {
            Error::bad_request("body_unreadable", "Không đọc được nội dung tệp.")
        }
    })?;
    let text = std::str::from_utf8(&body)
        .map_err(|_| Error::bad_request("body_not_utf8", "Tệp CSV phải được mã hóa UTF-8."))?;
    let kinds = ctx.store.fact_kinds().await?;
    let rows = parse_facts_csv(text, &kinds, vn_today(ctx.now()))?;
    let imported = ctx
        .store
        .import_facts(ctx.actor(), ctx.now(), &rows)
        .await?;
    Ok(Json(ImportOut { imported }))
}
