//! `/api/v1/dossiers`, `/api/v1/intake-slips`, `/api/v1/inbox` and the applicant's public
//! tracking under `/api/v1/public/dossiers` (issue 4 items 2, 3, 4, 6, 7). The rules are the
//! domain's (`motcua_domain::dossier`), storage is `motcua_store`'s; this module translates.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;

use axum::Json;
use axum::extract::{ConnectInfo, FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use motcua_domain::dossier::{
    Action, Actor, Dossier, Event, EventKind, Intake, NewApplicant, PortalStatusMap,
    ReceivedDocument, Status,
};
use motcua_domain::procedure::{Channel, Procedure};
use motcua_domain::user::Role;
use motcua_domain::{Error, ErrorKind, text};
use motcua_store::{
    DossierRecord, InboxCounters, InboxFilter, InboxItem, IntakeSlip, NewIntakeSlip, SlipKind,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

use super::{DEFAULT_LIMIT, JsonBody, QueryParams, parse_instant, vn_time};
use crate::auth::Ctx;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::state::AppState;

fn actor_of(ctx: &Ctx) -> Actor {
    Actor {
        username: ctx.user.username.clone(),
        roles: ctx.user.roles.clone(),
        unit_code: ctx.user.unit_code.clone(),
    }
}

fn parse_enum<T: serde::de::DeserializeOwned>(
    field: &'static str,
    value: &str,
) -> Result<T, Error> {
    serde_json::from_value(json!(value.trim())).map_err(|_| {
        Error::bad_request(
            "invalid_query",
            format!("Giá trị \"{value}\" của tham số {field} không hợp lệ."),
        )
    })
}

// ---------------------------------------------------------------------------------------
// Answers
// ---------------------------------------------------------------------------------------

/// A dossier as the API answers it. Instants are in Vietnam time (+07:00).
#[derive(Serialize, ToSchema)]
pub struct DossierOut {
    /// Mã hồ sơ: `<unit code>-YYMMDD-XXXX`.
    #[schema(example = "000.01.02.A03-261102-0001")]
    pub code: String,
    #[schema(example = "1.009999")]
    pub procedure_code: String,
    /// The procedure version the dossier was received under (it keeps it).
    #[schema(example = 1)]
    pub procedure_version: i64,
    #[schema(example = "Xác nhận thời gian công tác trong quân đội")]
    pub procedure_name: Option<String>,
    /// `in_person`, `online` or `postal`.
    #[schema(example = "in_person")]
    pub channel: String,
    /// `received`, `processing`, `awaiting_supplement`, `awaiting_payment`, `result_ready`,
    /// `returned`, `withdrawn`, `stopped`, `refused`.
    #[schema(example = "received")]
    pub status: String,
    #[schema(example = "Mới tiếp nhận")]
    pub status_label: String,
    /// The national portal's TrangThaiHoSo (1–10), mapped by the rule set's data.
    #[schema(example = 2)]
    pub portal_status: u8,
    /// Unit owning the dossier (the procedure's implementing unit).
    #[schema(example = "000.01.02.A03")]
    pub owner_unit: String,
    /// Unit expected to act next.
    #[schema(example = "000.01.02.A03")]
    pub acting_unit: String,
    /// Role expected to act next; absent once the dossier is final.
    #[schema(example = "receiver")]
    pub waiting_role: Option<String>,
    #[schema(example = "receiver.a")]
    pub assignee: Option<String>,
    /// Index of the current workflow step (equals the number of steps once the last is done).
    #[schema(example = 0)]
    pub current_step: u32,
    #[schema(example = "Tiếp nhận, chuyển hồ sơ")]
    pub current_step_name: Option<String>,
    #[schema(example = "2026-11-02T09:00:00+07:00")]
    pub received_at: String,
    /// When the legal clock started.
    #[schema(example = "2026-11-02T09:00:00+07:00")]
    pub counted_from: String,
    /// Legal due instant (moved only by pauses; statistics classify against it).
    #[schema(example = "2026-11-09T09:00:00+07:00")]
    pub due_at: String,
    /// Date promised to the applicant (moved by an apology).
    #[schema(example = "2026-11-09T09:00:00+07:00")]
    pub appointment_at: String,
    pub resolved_at: Option<String>,
    pub finished_at: Option<String>,
    /// `within_deadline` or `overdue` while open; absent once resolved.
    #[schema(example = "within_deadline")]
    pub pending_class: Option<String>,
    /// `early`, `on_time` or `late` once resolved.
    pub resolution_class: Option<String>,
    /// The applicant (kind, name, id_number, phone, email, address).
    #[schema(value_type = Object)]
    pub applicant: Value,
    /// Documents received: `[{key, count}]`.
    #[schema(value_type = Vec<Object>)]
    pub documents: Value,
    pub result_number: Option<String>,
    /// Send it back with the next action.
    #[schema(example = 1)]
    pub version: i64,
    /// The applicant's tracking key: answered once, at intake, and never stored in clear.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "7KQ2M9XHT4WZ8PBN3RCDFG5JLA6EUVY2")]
    pub tracking_key: Option<String>,
    /// History and control slip (who handed what to whom, when, timing against the step's
    /// budget), oldest first; on `GET /api/v1/dossiers/{code}` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub history: Option<Value>,
    /// The applicant's satisfaction rating, once given.
    #[schema(value_type = Option<Object>)]
    pub rating: Option<Value>,
}

fn opt_time(t: Option<OffsetDateTime>) -> Option<String> {
    t.map(vn_time)
}

fn to_value<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn enum_str<T: Serialize>(v: &T) -> String {
    to_value(v).as_str().unwrap_or_default().to_string()
}

fn dossier_out(
    rec: DossierRecord,
    procedure: Option<&Procedure>,
    portal: &PortalStatusMap,
    now: OffsetDateTime,
) -> DossierOut {
    let d: Dossier = rec.dossier;
    DossierOut {
        procedure_name: procedure.map(|p| p.name.clone()),
        current_step_name: procedure
            .and_then(|p| p.step(d.current_step))
            .map(|s| s.name.clone()),
        portal_status: d.portal_status(portal),
        status: d.status.as_str().to_string(),
        status_label: d.status.label().to_string(),
        channel: d.channel.as_str().to_string(),
        pending_class: d.pending_class(now).map(|c| enum_str(&c)),
        resolution_class: d.resolution_class().map(|c| enum_str(&c)),
        applicant: to_value(&d.applicant),
        documents: to_value(&d.documents),
        received_at: vn_time(d.received_at),
        counted_from: vn_time(d.counted_from),
        due_at: vn_time(d.legal_due_at),
        appointment_at: vn_time(d.appointment_at),
        resolved_at: opt_time(d.resolved_at),
        finished_at: opt_time(d.finished_at),
        owner_unit: d.owner_unit,
        acting_unit: rec.acting_unit,
        waiting_role: rec.waiting_role.map(|r| r.as_str().to_string()),
        assignee: d.assignee,
        current_step: d.current_step,
        result_number: d.result_number,
        version: d.version,
        code: d.code,
        procedure_code: d.procedure_code,
        procedure_version: d.procedure_version,
        tracking_key: None,
        history: None,
        rating: rec.rating.map(|r| to_value(&r)),
    }
}

pub(crate) async fn procedure_of(state: &AppState, d: &Dossier) -> Option<Procedure> {
    state
        .unscoped_store()
        .procedure_version(&d.procedure_code, d.procedure_version)
        .await
        .ok()
        .flatten()
}

// ---------------------------------------------------------------------------------------
// Intake
// ---------------------------------------------------------------------------------------

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDossierIn {
    #[schema(example = "1.009999")]
    pub procedure_code: String,
    /// `in_person`, `online` or `postal`.
    #[schema(value_type = String, example = "in_person")]
    pub channel: Channel,
    /// `{kind: person|organisation, name, id_number (12-digit CCCD or tax code), phone?,
    /// email?, address?}`.
    #[schema(value_type = Object, example = json!({"kind": "person", "name": "Nguyễn Văn An",
        "id_number": "001099012345", "phone": "0912345678", "address": "Số 1 Hoàng Diệu, Hà Nội"}))]
    pub applicant: NewApplicant,
    /// The checklist: `[{key, count}]` against the procedure's documents.
    #[serde(default)]
    #[schema(value_type = Vec<Object>, example = json!([{"key": "don_de_nghi", "count": 1},
        {"key": "cccd", "count": 1}, {"key": "quyet_dinh", "count": 1}]))]
    pub documents: Vec<ReceivedDocument>,
    /// When the officer received it, if earlier than now (counter and postal intake only;
    /// ignored for online intake, which always uses the server's clock).
    #[schema(example = "2026-11-02T08:30:00+07:00")]
    pub received_at: Option<String>,
    /// Trích yếu.
    #[schema(example = "Xác nhận thời gian công tác 1990–1995")]
    pub summary: Option<String>,
}

/// Registers a dossier at the counter, by post or online (receiver). An incomplete checklist
/// registers nothing: the answer is 422 `checklist_incomplete` with `details.missing` and the
/// request-to-complete slip recorded for printing (`details.slip_id`, `details.slip_number`).
#[utoipa::path(post, path = "/api/v1/dossiers", tag = "dossiers", request_body = CreateDossierIn,
    security(("bearer" = []), ("session_cookie" = [])),
    responses((status = 201, body = DossierOut, description = "Đã tiếp nhận; kèm mã tra cứu cho người nộp"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody, description = "Không có vai trò tiếp nhận, hoặc thủ tục thuộc đơn vị ngoài phạm vi"),
              (status = 413, body = ErrorBody),
              (status = 422, body = ErrorBody, description = "procedure_unknown, checklist_incomplete, citizen_id_invalid, tax_code_invalid, …")))]
pub async fn create_dossier(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: axum::http::HeaderMap,
    JsonBody(body): JsonBody<CreateDossierIn>,
) -> ApiResult<(StatusCode, Json<DossierOut>)> {
    ctx.require(&[Role::Receiver])?;
    let key = idempotency_key(&headers)?;
    let registered =
        match register_or_request(&state, &ctx.store, ctx.actor(), ctx.now(), body, key).await? {
            IntakeOutcome::Registered(r) => r,
            IntakeOutcome::Incomplete { error, slip } => {
                let missing = slip.items.clone();
                return Err(ApiError(error.with_details(
                    json!({ "missing": missing, "slip_id": slip.id, "slip_number": slip.number }),
                )));
            }
        };
    let procedure = procedure_of(&state, &registered.dossier).await;
    let rec = DossierRecord {
        acting_unit: procedure
            .as_ref()
            .map(|p| registered.dossier.acting_unit(p).to_string())
            .unwrap_or_else(|| registered.dossier.owner_unit.clone()),
        waiting_role: procedure
            .as_ref()
            .and_then(|p| registered.dossier.acting_role(p)),
        rating: None,
        dossier: registered.dossier,
    };
    let mut out = dossier_out(rec, procedure.as_ref(), state.portal_status(), ctx.now());
    // A replayed intake answers with the dossier first registered; its tracking key was
    // given out once and is only stored hashed.
    out.tracking_key = (!registered.replayed).then_some(registered.tracking_key);
    Ok((StatusCode::CREATED, Json(out)))
}

/// The optional `Idempotency-Key` header (conventions.md): 1–128 visible ASCII characters.
fn idempotency_key(headers: &axum::http::HeaderMap) -> Result<Option<&str>, Error> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    match value.to_str() {
        Ok(v) if (1..=128).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_graphic()) => {
            Ok(Some(v))
        }
        _ => Err(Error::bad_request(
            "idempotency_key_invalid",
            "Tiêu đề Idempotency-Key phải gồm 1–128 ký tự ASCII nhìn thấy được.",
        )),
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefusalIn {
    #[schema(example = "1.009999")]
    pub procedure_code: String,
    #[schema(value_type = String, example = "in_person")]
    pub channel: Channel,
    #[schema(value_type = Object, example = json!({"kind": "person", "name": "Nguyễn Văn An",
        "id_number": "001099012345"}))]
    pub applicant: NewApplicant,
    /// Why the dossier is refused at intake (at least one).
    #[schema(example = json!(["Hồ sơ không thuộc thẩm quyền giải quyết của Bộ; đề nghị nộp tại UBND cấp tỉnh."]))]
    pub reasons: Vec<String>,
    pub note: Option<String>,
}

/// A recorded intake slip, printable later.
#[derive(Serialize, ToSchema)]
pub struct IntakeSlipOut {
    #[schema(example = 12)]
    pub id: i64,
    /// Per unit and kind.
    #[schema(example = 3)]
    pub number: i64,
    /// `request_to_complete` or `refusal`.
    #[schema(example = "refusal")]
    pub kind: String,
    #[schema(example = "Phiếu từ chối tiếp nhận giải quyết hồ sơ")]
    pub kind_label: String,
    #[schema(example = "000.01.02.A03")]
    pub unit_code: String,
    #[schema(example = "1.009999")]
    pub procedure_code: String,
    pub procedure_version: i64,
    pub procedure_name: String,
    #[schema(example = "in_person")]
    pub channel: String,
    #[schema(value_type = Object)]
    pub applicant: Value,
    /// Missing documents (request to complete) or reasons (refusal).
    #[schema(value_type = Vec<Object>)]
    pub items: Value,
    pub note: Option<String>,
    #[schema(example = "2026-11-02T09:00:00+07:00")]
    pub created_at: String,
    #[schema(example = "receiver.a")]
    pub created_by: String,
}

impl From<IntakeSlip> for IntakeSlipOut {
    fn from(s: IntakeSlip) -> Self {
        IntakeSlipOut {
            id: s.id,
            number: s.number,
            kind: s.kind.as_str().to_string(),
            kind_label: s.kind.label().to_string(),
            unit_code: s.unit_code,
            procedure_code: s.procedure_code,
            procedure_version: s.procedure_version,
            procedure_name: s.procedure_name,
            channel: s.channel.as_str().to_string(),
            applicant: to_value(&s.applicant),
            items: s.items,
            note: s.note,
            created_at: vn_time(s.created_at),
            created_by: s.created_by,
        }
    }
}

/// Refuses a dossier at intake with reasons (receiver): the refusal slip (Phiếu từ chối tiếp
/// nhận giải quyết hồ sơ) is recorded and audited; nothing is registered.
#[utoipa::path(post, path = "/api/v1/intake-slips", tag = "dossiers", request_body = RefusalIn,
    security(("bearer" = []), ("session_cookie" = [])),
    responses((status = 201, body = IntakeSlipOut), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 413, body = ErrorBody),
              (status = 422, body = ErrorBody, description = "reason_required, procedure_unknown, citizen_id_invalid, …")))]
pub async fn create_refusal(
    ctx: Ctx,
    JsonBody(body): JsonBody<RefusalIn>,
) -> ApiResult<(StatusCode, Json<IntakeSlipOut>)> {
    ctx.require(&[Role::Receiver])?;
    let slip = record_refusal(&ctx.store, ctx.actor(), ctx.now(), body).await?;
    Ok((StatusCode::CREATED, Json(slip.into())))
}

/// What intake gave: a registered dossier, or, for an incomplete checklist, nothing
/// registered and the request-to-complete slip recorded (shared by the API and the pages).
pub(crate) enum IntakeOutcome {
    Registered(motcua_store::Registered),
    Incomplete { error: Error, slip: IntakeSlip },
}

/// Registers a dossier; an incomplete checklist records the request-to-complete slip instead.
pub(crate) async fn register_or_request(
    state: &AppState,
    store: &motcua_store::ScopedStore,
    actor: &str,
    now: OffsetDateTime,
    body: CreateDossierIn,
    intake_key: Option<&str>,
) -> Result<IntakeOutcome, Error> {
    let received_at = body
        .received_at
        .as_deref()
        .map(|s| parse_instant("received_at", s))
        .transpose()?;
    let intake = Intake {
        procedure_code: body.procedure_code.clone(),
        channel: body.channel,
        applicant: body.applicant.clone(),
        documents: body.documents,
        received_at,
        summary: body.summary,
        received_by: None,
    };
    let snapshot = state.calendar().await?;
    let registered = match intake_key {
        Some(key) => {
            store
                .register_dossier_once(
                    actor,
                    now,
                    intake,
                    key,
                    snapshot.calendar(),
                    state.rule_book(),
                )
                .await
        }
        None => {
            store
                .register_dossier(actor, now, intake, snapshot.calendar(), state.rule_book())
                .await
        }
    };
    match registered {
        Ok(r) => Ok(IntakeOutcome::Registered(r)),
        Err(e) if e.code == "checklist_incomplete" => {
            let missing = e
                .details
                .as_ref()
                .map(|d| d["missing"].clone())
                .unwrap_or(Value::Null);
            let slip = store
                .record_intake_slip(
                    actor,
                    now,
                    NewIntakeSlip {
                        kind: SlipKind::RequestToComplete,
                        procedure_code: body.procedure_code,
                        channel: body.channel,
                        applicant: body.applicant,
                        items: missing,
                        note: None,
                    },
                )
                .await?;
            Ok(IntakeOutcome::Incomplete {
                error: Error::new(e.kind, e.code, e.message),
                slip,
            })
        }
        Err(e) => Err(e),
    }
}

/// Records a refusal at intake with its reasons (shared by the API and the pages).
pub(crate) async fn record_refusal(
    store: &motcua_store::ScopedStore,
    actor: &str,
    now: OffsetDateTime,
    body: RefusalIn,
) -> Result<IntakeSlip, Error> {
    let mut reasons = Vec::new();
    for r in &body.reasons {
        let r = text::clean(r);
        if r.chars().count() > 2000 {
            return Err(
                Error::invalid("field_too_long", "Lý do không được dài quá 2000 ký tự.")
                    .with_details(json!({ "field": "reasons" })),
            );
        }
        if !r.is_empty() {
            reasons.push(r);
        }
    }
    if reasons.is_empty() {
        return Err(
            Error::invalid("reason_required", "Cần ghi rõ lý do từ chối tiếp nhận.")
                .with_details(json!({ "field": "reasons" })),
        );
    }
    store
        .record_intake_slip(
            actor,
            now,
            NewIntakeSlip {
                kind: SlipKind::Refusal,
                procedure_code: body.procedure_code,
                channel: body.channel,
                applicant: body.applicant,
                items: json!(reasons),
                note: body.note,
            },
        )
        .await
}

/// One intake slip (request to complete or refusal) in the caller's scope, for printing.
#[utoipa::path(get, path = "/api/v1/intake-slips/{id}", tag = "dossiers", params(("id" = String, Path)),
    security(("bearer" = []), ("session_cookie" = [])),
    responses((status = 200, body = IntakeSlipOut), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn get_intake_slip(ctx: Ctx, Path(id): Path<String>) -> ApiResult<Json<IntakeSlipOut>> {
    let not_found = || Error::not_found("intake_slip_not_found", "Không tìm thấy phiếu.");
    let id: i64 = id.trim().parse().map_err(|_| not_found())?;
    Ok(Json(ctx.store.intake_slip(id).await?.into()))
}

// ---------------------------------------------------------------------------------------
// One dossier and its actions
// ---------------------------------------------------------------------------------------

/// A dossier in the caller's scope (its owner or acting unit), with its history.
#[utoipa::path(get, path = "/api/v1/dossiers/{code}", tag = "dossiers", params(("code" = String, Path)),
    security(("bearer" = []), ("session_cookie" = [])),
    responses((status = 200, body = DossierOut), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody, description = "Không có, hoặc ngoài phạm vi")))]
pub async fn get_dossier(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> ApiResult<Json<DossierOut>> {
    let code = code.trim().to_ascii_uppercase();
    let rec = ctx.store.dossier(&code).await?;
    let events = ctx.store.dossier_events(&code).await?;
    let procedure = procedure_of(&state, &rec.dossier).await;
    let mut out = dossier_out(rec, procedure.as_ref(), state.portal_status(), ctx.now());
    out.history = Some(to_value(&events));
    Ok(Json(out))
}

/// An action: the domain's tagged action plus the version the client saw.
#[derive(ToSchema)]
#[schema(example = json!({"action": "complete_step", "note": "Hồ sơ đủ điều kiện, chuyển lãnh đạo duyệt", "version": 3}))]
pub struct ActionIn {
    /// `assign {to}`, `complete_step {note?}`, `return_to_step {step, reason}`,
    /// `request_supplement {reason, items}`, `receive_supplement {note?}`,
    /// `request_payment {amount_vnd, reason}`, `payment_received {note?}`,
    /// `apologise {reason, new_appointment}`, `approve {note?}`,
    /// `issue_result {document_number, note?}`, `return_result {to, note?}`,
    /// `withdraw {reason}`, `stop {reason}`, `refuse {reason}`.
    #[schema(example = "complete_step")]
    pub action: String,
    /// The dossier's version the client saw.
    #[schema(example = 3)]
    pub version: i64,
}

/// Splits `{"action": …, "version": n, …}` into the version and the domain action.
fn parse_action(body: Value) -> Result<(i64, Action), Error> {
    let Value::Object(mut map) = body else {
        return Err(Error::bad_request(
            "action_invalid",
            "Thao tác không hợp lệ: cần một đối tượng JSON.",
        ));
    };
    let version = map
        .remove("version")
        .and_then(|v| v.as_i64())
        .ok_or_else(|| {
            Error::bad_request(
                "version_required",
                "Cần gửi kèm phiên bản (version) của hồ sơ đã xem.",
            )
        })?;
    let action: Action = serde_json::from_value(Value::Object(map))
        .map_err(|e| super::action_invalid(&e.to_string()))?;
    Ok((version, action))
}

/// Applies a workflow action. Checks, in order: the dossier is in scope (404), the version
/// (409 `version_conflict`, nothing changes), the acting unit in scope (403
/// `not_acting_unit`), the state (409 `action_not_allowed_in_state`, …), the role (403
/// `forbidden`), the input (422). Audited `dossier.<action>`.
#[utoipa::path(post, path = "/api/v1/dossiers/{code}/actions", tag = "dossiers", params(("code" = String, Path)),
    request_body = ActionIn,
    security(("bearer" = []), ("session_cookie" = [])),
    responses((status = 200, body = DossierOut), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody, description = "forbidden (vai trò), not_acting_unit"),
              (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "version_conflict, action_not_allowed_in_state, step_needs_approval, …"),
              (status = 413, body = ErrorBody),
              (status = 422, body = ErrorBody, description = "reason_required, assignee_invalid, apology_too_late, …")))]
pub async fn act(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Json<DossierOut>> {
    let code = code.trim().to_ascii_uppercase();
    // Out of scope answers 404 whatever the body; the store checks visibility first, so only
    // a malformed body needs the extra read (kept off the hot path).
    let (version, action) = match parse_action(body) {
        Ok(parsed) => parsed,
        Err(e) => {
            ctx.store.dossier(&code).await?;
            return Err(e.into());
        }
    };
    let snapshot = state.calendar().await?;
    let rec = ctx
        .store
        .apply_action(
            &actor_of(&ctx),
            ctx.now(),
            &code,
            version,
            &action,
            snapshot.calendar(),
            state.rule_book(),
        )
        .await?;
    let procedure = procedure_of(&state, &rec.dossier).await;
    Ok(Json(dossier_out(
        rec,
        procedure.as_ref(),
        state.portal_status(),
        ctx.now(),
    )))
}

// ---------------------------------------------------------------------------------------
// Inbox
// ---------------------------------------------------------------------------------------

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct InboxQuery {
    /// Procedure code.
    pub procedure: Option<String>,
    /// Field (lĩnh vực) code.
    pub field: Option<String>,
    /// Status, e.g. `processing`.
    pub status: Option<String>,
    /// `in_person`, `online`, `postal`.
    pub channel: Option<String>,
    /// Received at or after (RFC 3339).
    pub received_from: Option<String>,
    /// Received before (RFC 3339).
    pub received_to: Option<String>,
    /// Words of the code or the applicant's name; diacritics and case are ignored.
    pub q: Option<String>,
    /// Cursor from the previous page's `next`.
    pub after: Option<String>,
    /// At most 500.
    pub limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct InboxItemOut {
    #[schema(example = "000.01.02.A03-261102-0001")]
    pub code: String,
    #[schema(example = "1.009999")]
    pub procedure_code: String,
    pub procedure_version: i64,
    #[schema(example = "CS-QN")]
    pub field_code: String,
    pub owner_unit: String,
    pub acting_unit: String,
    #[schema(example = "in_person")]
    pub channel: String,
    #[schema(example = "processing")]
    pub status: String,
    #[schema(example = "Đang xử lý")]
    pub status_label: String,
    pub portal_status: u8,
    pub current_step: u32,
    #[schema(example = "specialist")]
    pub waiting_role: Option<String>,
    pub assignee: Option<String>,
    #[schema(example = "Nguyễn Văn An")]
    pub applicant_name: String,
    pub received_at: String,
    #[schema(example = "2026-11-09T09:00:00+07:00")]
    pub due_at: String,
    pub appointment_at: String,
    /// `overdue` or `within_deadline` at the time of the answer.
    #[schema(example = "within_deadline")]
    pub pending_class: String,
    pub version: i64,
}

impl InboxItemOut {
    fn new(i: InboxItem, portal: &PortalStatusMap, now: OffsetDateTime) -> Self {
        InboxItemOut {
            portal_status: portal.portal_status(i.status),
            status: i.status.as_str().to_string(),
            status_label: i.status.label().to_string(),
            channel: i.channel.as_str().to_string(),
            pending_class: enum_str(&motcua_domain::dossier::pending_class(now, i.legal_due_at)),
            received_at: vn_time(i.received_at),
            due_at: vn_time(i.legal_due_at),
            appointment_at: vn_time(i.appointment_at),
            waiting_role: i.waiting_role.map(|r| r.as_str().to_string()),
            code: i.code,
            procedure_code: i.procedure_code,
            procedure_version: i.procedure_version,
            field_code: i.field_code,
            owner_unit: i.owner_unit,
            acting_unit: i.acting_unit,
            current_step: i.current_step,
            assignee: i.assignee,
            applicant_name: i.applicant_name,
            version: i.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CountersOut {
    /// Dossiers in the inbox whose clock runs (received or processing).
    #[schema(example = 12)]
    pub running: i64,
    /// Past their legal due instant.
    #[schema(example = 1)]
    pub overdue: i64,
    /// Due later today (Vietnam date).
    #[schema(example = 2)]
    pub due_today: i64,
    /// Due within two working days from now, today's included.
    #[schema(example = 4)]
    pub due_within_two_working_days: i64,
}

impl From<InboxCounters> for CountersOut {
    fn from(c: InboxCounters) -> Self {
        CountersOut {
            running: c.running,
            overdue: c.overdue,
            due_today: c.due_today,
            due_within_two_working_days: c.due_within_two_working_days,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct InboxOut {
    pub items: Vec<InboxItemOut>,
    /// Cursor for the next page (`?after=`), absent on the last page.
    pub next: Option<String>,
    /// Over the whole inbox, filters ignored.
    pub counters: CountersOut,
}

/// Dossiers waiting for the signed-in person (assigned to them) or for one of their roles
/// (nobody holds them yet), at acting units in their scope, by legal due instant then code.
#[utoipa::path(get, path = "/api/v1/inbox", tag = "dossiers", params(InboxQuery),
    security(("bearer" = []), ("session_cookie" = [])),
    responses((status = 200, body = InboxOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn inbox(
    State(state): State<AppState>,
    ctx: Ctx,
    QueryParams(q): QueryParams<InboxQuery>,
) -> ApiResult<Json<InboxOut>> {
    let nonblank = |s: Option<String>| s.map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let filter = InboxFilter {
        procedure: nonblank(q.procedure),
        field: nonblank(q.field),
        status: nonblank(q.status)
            .map(|s| parse_enum::<Status>("status", &s))
            .transpose()?,
        channel: nonblank(q.channel)
            .map(|s| parse_enum::<Channel>("channel", &s))
            .transpose()?,
        received_from: nonblank(q.received_from)
            .map(|s| parse_instant("received_from", &s))
            .transpose()?,
        received_to: nonblank(q.received_to)
            .map(|s| parse_instant("received_to", &s))
            .transpose()?,
        query: nonblank(q.q),
        after: nonblank(q.after),
    };
    let actor = actor_of(&ctx);
    let now = ctx.now();
    let page = ctx
        .store
        .inbox(&actor, &filter, q.limit.unwrap_or(DEFAULT_LIMIT))
        .await?;
    let snapshot = state.calendar().await?;
    let counters = ctx
        .store
        .inbox_counters(&actor, now, snapshot.calendar())
        .await?;
    Ok(Json(InboxOut {
        items: page
            .items
            .into_iter()
            .map(|i| InboxItemOut::new(i, state.portal_status(), now))
            .collect(),
        next: page.next,
        counters: counters.into(),
    }))
}

// ---------------------------------------------------------------------------------------
// Public tracking
// ---------------------------------------------------------------------------------------

/// A small per-client token bucket for the public routes: `BURST` calls at once, then one
/// every `REFILL_SECONDS`. It lives in this instance's memory, so with several instances
/// behind a load balancer each allows its own share (docs/one-stop.md).
pub struct PublicRateLimiter {
    buckets: Mutex<HashMap<IpAddr, (f64, OffsetDateTime)>>,
}

impl Default for PublicRateLimiter {
    fn default() -> Self {
        PublicRateLimiter {
            buckets: Mutex::new(HashMap::new()),
        }
    }
}

impl PublicRateLimiter {
    pub const BURST: f64 = 20.0;
    pub const REFILL_SECONDS: f64 = 3.0;
    /// Buckets kept before full ones are forgotten.
    const MAX_CLIENTS: usize = 10_000;

    /// Takes one token for `client` at `now`, or answers 429 `rate_limited`.
    pub fn check(&self, client: IpAddr, now: OffsetDateTime) -> Result<(), Error> {
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let refill = |tokens: f64, at: OffsetDateTime| {
            let elapsed = (now - at).as_seconds_f64().max(0.0);
            (tokens + elapsed / Self::REFILL_SECONDS).min(Self::BURST)
        };
        if buckets.len() >= Self::MAX_CLIENTS {
            buckets.retain(|_, (tokens, at)| refill(*tokens, *at) < Self::BURST);
        }
        let (tokens, at) = buckets.entry(client).or_insert((Self::BURST, now));
        let available = refill(*tokens, *at);
        if available < 1.0 {
            return Err(Error::new(
                ErrorKind::TooManyRequests,
                "rate_limited",
                "Bạn tra cứu quá nhiều lần. Vui lòng thử lại sau ít phút.",
            ));
        }
        *tokens = available - 1.0;
        *at = now;
        Ok(())
    }
}

/// The client's address: the TCP peer, or, when the service runs behind a trusted reverse
/// proxy (`trust_forwarded_proto`), the last address the proxy added to `X-Forwarded-For`.
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let forwarded = state
            .config()
            .trust_forwarded_proto
            .then(|| {
                parts
                    .headers
                    .get("x-forwarded-for")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.rsplit(',').next())
                    .and_then(|ip| ip.trim().parse::<IpAddr>().ok())
            })
            .flatten();
        Ok(ClientIp(
            forwarded.or(peer).unwrap_or(IpAddr::from([0, 0, 0, 0])),
        ))
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KeyQuery {
    /// The tracking key printed on the receipt (case, spaces and dashes do not matter).
    pub key: Option<String>,
}

/// One entry of the public history: what happened and when, without any person's name.
#[derive(Serialize, ToSchema)]
pub struct PublicEventOut {
    #[schema(example = "2026-11-02T09:00:00+07:00")]
    pub at: String,
    #[schema(example = "register")]
    pub kind: String,
    #[schema(example = "Tiếp nhận hồ sơ")]
    pub label: String,
    #[schema(example = "received")]
    pub status: String,
    #[schema(example = "Mới tiếp nhận")]
    pub status_label: String,
}

/// What the applicant sees: status, dates and history; no other person's data.
#[derive(Serialize, ToSchema)]
pub struct PublicDossierOut {
    #[schema(example = "000.01.02.A03-261102-0001")]
    pub code: String,
    #[schema(example = "1.009999")]
    pub procedure_code: String,
    pub procedure_name: Option<String>,
    #[schema(example = "processing")]
    pub status: String,
    #[schema(example = "Đang xử lý")]
    pub status_label: String,
    #[schema(example = 4)]
    pub portal_status: u8,
    pub received_at: String,
    /// The date promised for the result.
    #[schema(example = "2026-11-09T09:00:00+07:00")]
    pub appointment_at: String,
    pub finished_at: Option<String>,
    pub history: Vec<PublicEventOut>,
    /// Whether a rating may still be given (result returned, not rated yet).
    pub can_rate: bool,
}

pub(crate) fn event_label(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Register => "Tiếp nhận hồ sơ",
        EventKind::Assign => "Phân công xử lý",
        EventKind::CompleteStep => "Chuyển bước xử lý",
        EventKind::ReturnToStep => "Trả lại bước trước",
        EventKind::RequestSupplement => "Yêu cầu bổ sung hồ sơ",
        EventKind::ReceiveSupplement => "Đã nhận hồ sơ bổ sung",
        EventKind::RequestPayment => "Yêu cầu thực hiện nghĩa vụ tài chính",
        EventKind::PaymentReceived => "Đã thực hiện nghĩa vụ tài chính",
        EventKind::Apologise => "Xin lỗi và hẹn lại ngày trả kết quả",
        EventKind::Approve => "Lãnh đạo phê duyệt",
        EventKind::IssueResult => "Đã có kết quả",
        EventKind::ReturnResult => "Đã trả kết quả",
        EventKind::Withdraw => "Rút hồ sơ",
        EventKind::Stop => "Dừng xử lý",
        EventKind::Refuse => "Từ chối giải quyết",
    }
}

fn public_event(e: &Event) -> PublicEventOut {
    PublicEventOut {
        at: vn_time(e.at),
        kind: enum_str(&e.kind),
        label: event_label(e.kind).to_string(),
        status: e.to_status.as_str().to_string(),
        status_label: e.to_status.label().to_string(),
    }
}

/// The applicant follows a dossier with the tracking key from the receipt (no sign-in). A
/// wrong or missing key answers exactly like a missing dossier. Rate-limited per client
/// address (429 `rate_limited`).
#[utoipa::path(get, path = "/api/v1/public/dossiers/{code}", tag = "public", params(("code" = String, Path), KeyQuery),
    responses((status = 200, body = PublicDossierOut), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody, description = "Không có hồ sơ, hoặc sai mã tra cứu"),
              (status = 429, body = ErrorBody)))]
pub async fn public_dossier(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(code): Path<String>,
    QueryParams(q): QueryParams<KeyQuery>,
) -> ApiResult<Json<PublicDossierOut>> {
    state.public_limiter().check(ip, state.now())?;
    let code = code.trim().to_ascii_uppercase();
    let (rec, events) = state
        .unscoped_store()
        .public_dossier(&code, q.key.as_deref().unwrap_or(""))
        .await?;
    let procedure = procedure_of(&state, &rec.dossier).await;
    let d = &rec.dossier;
    Ok(Json(PublicDossierOut {
        code: d.code.clone(),
        procedure_code: d.procedure_code.clone(),
        procedure_name: procedure.map(|p| p.name),
        status: d.status.as_str().to_string(),
        status_label: d.status.label().to_string(),
        portal_status: d.portal_status(state.portal_status()),
        received_at: vn_time(d.received_at),
        appointment_at: vn_time(d.appointment_at),
        finished_at: opt_time(d.finished_at),
        history: events.iter().map(public_event).collect(),
        can_rate: d.status == Status::Returned && rec.rating.is_none(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"key": "7KQ2M9XHT4WZ8PBN3RCDFG5JLA6EUVY2", "rating": 5, "comment": "Cán bộ hướng dẫn tận tình"}))]
pub struct RatingIn {
    /// The tracking key from the receipt.
    pub key: Option<String>,
    /// 1 (rất không hài lòng) to 5 (rất hài lòng).
    pub rating: Option<i64>,
    pub comment: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct RatingOut {
    #[schema(example = 5)]
    pub rating: i64,
    pub comment: Option<String>,
    pub at: String,
}

/// The applicant rates the service once the result was returned (once; kept for the
/// service-quality index). Same key rule and rate limit as the public lookup.
#[utoipa::path(post, path = "/api/v1/public/dossiers/{code}/rating", tag = "public", params(("code" = String, Path)),
    request_body = RatingIn,
    responses((status = 201, body = RatingOut), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "rating_not_open, rating_exists"),
              (status = 413, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn rate_dossier(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(code): Path<String>,
    JsonBody(body): JsonBody<RatingIn>,
) -> ApiResult<(StatusCode, Json<RatingOut>)> {
    state.public_limiter().check(ip, state.now())?;
    let code = code.trim().to_ascii_uppercase();
    let key = body.key.unwrap_or_default();
    let store = state.unscoped_store();
    // The key first: a wrong key looks like a missing dossier, whatever else was sent.
    store.public_dossier(&code, &key).await?;
    let rating = store
        .rate_dossier(
            state.now(),
            &code,
            &key,
            body.rating.unwrap_or(0),
            body.comment.as_deref(),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(RatingOut {
            rating: rating.score,
            comment: rating.comment,
            at: vn_time(rating.at),
        }),
    ))
}
