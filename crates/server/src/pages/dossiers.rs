//! The one-stop pages (issue 4 item 5, 6): inbox, intake with its slips, the receipt and
//! appointment slip with a QR code, the dossier page with its action forms, the control slip
//! and the applicant's public tracking page. Business rules stay in the domain and the store;
//! intake and refusals share `api::dossiers::{register_or_request, record_refusal}`.
//!
//! The tracking key is stored hashed and known only at intake, so the receipt *with the key*
//! is the answer to the intake POST itself; `GET /dossiers/{code}/receipt` reprints it
//! without the key (the QR code then opens the lookup form with the code filled in).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use motcua_calendar::VIETNAM_OFFSET;
use motcua_domain::dossier::{
    Action, Actor, Applicant, ApplicantKind, Event, EventKind, NewApplicant, ReceivedDocument,
    Status,
};
use motcua_domain::procedure::{Channel, CopyKind, Procedure};
use motcua_domain::user::Role;
use motcua_domain::{Error, ErrorKind};
use motcua_store::{DossierRecord, InboxFilter, IntakeSlip, SlipKind};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use time::{Date, Month, OffsetDateTime, Time};

use super::{
    Nav, PageForm, PageParams, PageResult, flash_message, render, render_with, url_encode,
};
use crate::api::dossiers::ClientIp;
use crate::api::dossiers::{
    CountersOut, CreateDossierIn, IntakeOutcome, RefusalIn, event_label, procedure_of,
    record_refusal, register_or_request,
};
use crate::auth::PageCtx;
use crate::error::status_of;
use crate::state::AppState;

// ---------------------------------------------------------------------------------------
// Formats for people (conventions: dd/mm/yyyy, 56.906)
// ---------------------------------------------------------------------------------------

fn vn(t: OffsetDateTime) -> OffsetDateTime {
    t.checked_to_offset(VIETNAM_OFFSET).unwrap_or(t)
}

/// `dd/mm/yyyy` in Vietnam time.
pub fn vn_date(t: OffsetDateTime) -> String {
    let t = vn(t);
    format!("{:02}/{:02}/{}", t.day(), u8::from(t.month()), t.year())
}

/// `HH:MM dd/mm/yyyy` in Vietnam time.
pub fn vn_datetime(t: OffsetDateTime) -> String {
    let v = vn(t);
    format!("{:02}:{:02} {}", v.hour(), v.minute(), vn_date(t))
}

/// The receipt's wording: `HH giờ mm phút, ngày dd/mm/yyyy`.
pub fn receipt_time(t: OffsetDateTime) -> String {
    let v = vn(t);
    format!(
        "{:02} giờ {:02} phút, ngày {}",
        v.hour(),
        v.minute(),
        vn_date(t)
    )
}

/// Working minutes as people say them: "2 ngày làm việc", "3 giờ làm việc", "2,5 giờ làm việc".
pub fn budget_label(minutes: i64, minutes_per_day: i64) -> String {
    if minutes_per_day > 0 && minutes % minutes_per_day == 0 {
        format!("{} ngày làm việc", minutes / minutes_per_day)
    } else if minutes % 60 == 0 {
        format!("{} giờ làm việc", minutes / 60)
    } else if minutes % 30 == 0 {
        format!("{},5 giờ làm việc", minutes / 60)
    } else {
        format!("{minutes} phút làm việc")
    }
}

fn channel_of(s: &str) -> Option<Channel> {
    Channel::ALL.into_iter().find(|c| c.as_str() == s.trim())
}

fn status_of_str(s: &str) -> Option<Status> {
    Status::ALL.into_iter().find(|c| c.as_str() == s.trim())
}

/// `YYYY-MM-DD` (an HTML date input) → that date at `at` in Vietnam time.
fn parse_date(s: &str, at: Time) -> Option<OffsetDateTime> {
    let mut parts = s.trim().splitn(3, '-');
    let y: i32 = parts.next()?.parse().ok()?;
    let m: u8 = parts.next()?.parse().ok()?;
    let d: u8 = parts.next()?.parse().ok()?;
    let date = Date::from_calendar_date(y, Month::try_from(m).ok()?, d).ok()?;
    Some(date.with_time(at).assume_offset(VIETNAM_OFFSET))
}

fn nonblank(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

fn role_label(r: Option<Role>) -> String {
    r.map(|r| r.label().to_string()).unwrap_or_default()
}

fn actor_of(ctx: &PageCtx) -> Actor {
    Actor {
        username: ctx.user.username.clone(),
        roles: ctx.user.roles.clone(),
        unit_code: ctx.user.unit_code.clone(),
    }
}

/// The unit header of an administrative document (Nghị định 30/2020): the parent unit and
/// the unit, upper-case, on the left; the national motto on the right.
pub struct UnitHeader {
    pub parent: Option<String>,
    pub unit: String,
}

async fn unit_header(ctx: &PageCtx, code: &str) -> UnitHeader {
    match ctx.store.unit(code).await {
        Ok(u) => {
            let parent = match &u.parent_code {
                Some(p) => ctx.store.unit(p).await.ok().map(|p| p.name.to_uppercase()),
                None => None,
            };
            UnitHeader {
                parent,
                unit: u.name.to_uppercase(),
            }
        }
        Err(_) => UnitHeader {
            parent: None,
            unit: code.to_string(),
        },
    }
}

pub struct ApplicantView {
    pub kind: String,
    pub name: String,
    pub id_label: String,
    pub id_number: String,
    pub phone: String,
    pub email: String,
    pub address: String,
}

fn applicant_view(a: &Applicant) -> ApplicantView {
    let person = a.kind == ApplicantKind::Person;
    ApplicantView {
        kind: if person {
            "Công dân"
        } else {
            "Tổ chức, doanh nghiệp"
        }
        .into(),
        name: a.name.clone(),
        id_label: if person {
            "Số CCCD"
        } else {
            "Mã số thuế"
        }
        .into(),
        id_number: a.id_number.clone(),
        phone: a.phone.clone().unwrap_or_default(),
        email: a.email.clone().unwrap_or_default(),
        address: a.address.clone().unwrap_or_default(),
    }
}

/// Names of people for slips: the full name when the person is in scope, else the username.
async fn names(ctx: &PageCtx, events: &[Event]) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for e in events {
        for u in [&e.actor, &e.receiver].into_iter().flatten() {
            if !out.contains_key(u) {
                let name = match ctx.store.user(u).await {
                    Ok(p) => p.full_name,
                    Err(_) => u.clone(),
                };
                out.insert(u.clone(), name);
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Inbox
// ---------------------------------------------------------------------------------------

pub struct InboxRow {
    pub code: String,
    pub procedure_code: String,
    pub applicant_name: String,
    pub status_label: String,
    pub channel_label: String,
    pub received: String,
    pub due: String,
    pub appointment: String,
    pub waiting: String,
    pub overdue: bool,
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    nav: Option<Nav>,
    flash: Option<String>,
    error: Option<String>,
    counters: CountersOut,
    rows: Vec<InboxRow>,
    next_link: Option<String>,
    q: InboxQuery,
    statuses: Vec<(&'static str, &'static str)>,
    channels: Vec<(&'static str, &'static str)>,
}

#[derive(Deserialize, Default, Clone)]
pub struct InboxQuery {
    #[serde(default)]
    pub procedure: String,
    /// Field (lĩnh vực) code.
    #[serde(default)]
    pub field: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub channel: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub after: String,
}

pub async fn inbox(
    State(state): State<AppState>,
    ctx: PageCtx,
    PageParams(q): PageParams<InboxQuery>,
) -> PageResult {
    let bad = |what: &str| {
        Error::bad_request("invalid_query", format!("Bộ lọc \"{what}\" không hợp lệ."))
    };
    let filter = InboxFilter {
        procedure: nonblank(&q.procedure),
        field: nonblank(&q.field),
        status: match nonblank(&q.status) {
            Some(s) => Some(status_of_str(&s).ok_or_else(|| bad("trạng thái"))?),
            None => None,
        },
        channel: match nonblank(&q.channel) {
            Some(s) => Some(channel_of(&s).ok_or_else(|| bad("hình thức"))?),
            None => None,
        },
        received_from: match nonblank(&q.from) {
            Some(s) => Some(parse_date(&s, Time::MIDNIGHT).ok_or_else(|| bad("từ ngày"))?),
            None => None,
        },
        received_to: match nonblank(&q.to) {
            Some(s) => Some(
                parse_date(&s, Time::MIDNIGHT).ok_or_else(|| bad("đến ngày"))?
                    + time::Duration::days(1),
            ),
            None => None,
        },
        query: nonblank(&q.q),
        after: nonblank(&q.after),
    };
    let actor = actor_of(&ctx);
    let now = ctx.now();
    let page = ctx.store.inbox(&actor, &filter, 50).await?;
    let snapshot = state.calendar().await?;
    let counters = ctx
        .store
        .inbox_counters(&actor, now, snapshot.calendar())
        .await?;
    let next_link = page.next.map(|n| {
        format!(
            "/inbox?procedure={}&field={}&status={}&channel={}&from={}&to={}&q={}&after={}",
            url_encode(&q.procedure),
            url_encode(&q.field),
            url_encode(&q.status),
            url_encode(&q.channel),
            url_encode(&q.from),
            url_encode(&q.to),
            url_encode(&q.q),
            url_encode(&n)
        )
    });
    let rows = page
        .items
        .into_iter()
        .map(|i| InboxRow {
            overdue: i.status.is_open() && !i.status.is_paused() && now > i.legal_due_at,
            status_label: i.status.label().into(),
            channel_label: i.channel.label().into(),
            received: vn_datetime(i.received_at),
            due: vn_datetime(i.legal_due_at),
            appointment: vn_datetime(i.appointment_at),
            waiting: match &i.assignee {
                Some(a) => a.clone(),
                None => role_label(i.waiting_role),
            },
            code: i.code,
            procedure_code: i.procedure_code,
            applicant_name: i.applicant_name,
        })
        .collect();
    Ok(render(&InboxPage {
        nav: Nav::new(&ctx, "inbox"),
        flash: None,
        error: None,
        counters: counters.into(),
        rows,
        next_link,
        q,
        statuses: Status::ALL
            .iter()
            .map(|s| (s.as_str(), s.label()))
            .collect(),
        channels: Channel::ALL
            .iter()
            .map(|c| (c.as_str(), c.label()))
            .collect(),
    }))
}

// ---------------------------------------------------------------------------------------
// Intake
// ---------------------------------------------------------------------------------------

pub struct DocRow {
    pub key: String,
    pub name: String,
    pub copy_kind: String,
    pub required: u32,
    pub optional: bool,
    pub checked: bool,
    pub count: String,
}

#[derive(Deserialize, Default)]
pub struct IntakeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    procedure: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    docs: Vec<String>,
    #[serde(default)]
    doc_key: Vec<String>,
    #[serde(default)]
    count: Vec<String>,
    #[serde(default)]
    reasons: String,
    #[serde(default)]
    intent: String,
    /// One-time key made when the form is shown: posting the form twice (a reload, a double
    /// click) finds the dossier the first post registered instead of registering another.
    #[serde(default)]
    intake_key: String,
}

#[derive(Template)]
#[template(path = "dossier_new.html")]
struct IntakePage {
    nav: Option<Nav>,
    flash: Option<String>,
    error: Option<String>,
    csrf: String,
    procedures: Vec<(String, String)>,
    procedure: Option<Procedure>,
    channels: Vec<(&'static str, String)>,
    docs: Vec<DocRow>,
    f: IntakeForm,
}

#[derive(Deserialize)]
pub struct NewQuery {
    procedure: Option<String>,
}

pub async fn intake_form(ctx: PageCtx, PageParams(q): PageParams<NewQuery>) -> PageResult {
    ctx.require(&[Role::Receiver])?;
    let f = IntakeForm {
        procedure: q.procedure.unwrap_or_default().trim().to_string(),
        kind: "person".into(),
        intake_key: crate::auth::new_token(),
        ..Default::default()
    };
    show_intake(&ctx, f, None).await
}

async fn show_intake(ctx: &PageCtx, f: IntakeForm, error: Option<Error>) -> PageResult {
    let list = ctx
        .store
        .procedures(&motcua_store::ProcedureFilter::default(), 500)
        .await?;
    let procedure = match nonblank(&f.procedure) {
        Some(code) => Some(ctx.store.procedure(&code, None).await?),
        None => None,
    };
    let fresh = f.doc_key.is_empty();
    let (channels, docs) = match &procedure {
        Some(p) => (
            p.channels
                .iter()
                .map(|c| {
                    let fee = if c.fee_vnd > 0 {
                        format!("{} đ", super::units::vn_number(c.fee_vnd))
                    } else {
                        "miễn phí".into()
                    };
                    (
                        c.channel.as_str(),
                        format!("{} — {}, {fee}", c.channel.label(), c.limit.label()),
                    )
                })
                .collect(),
            p.documents
                .iter()
                .enumerate()
                .map(|(i, d)| DocRow {
                    key: d.key.clone(),
                    name: d.name.clone(),
                    copy_kind: d.copy_kind.label().into(),
                    required: d.count,
                    optional: d.optional,
                    checked: f.docs.contains(&d.key),
                    count: if fresh {
                        d.count.to_string()
                    } else {
                        f.count.get(i).cloned().unwrap_or_default()
                    },
                })
                .collect(),
        ),
        None => (Vec::new(), Vec::new()),
    };
    let status = error.as_ref().map_or(StatusCode::OK, |e| status_of(e.kind));
    Ok(render_with(
        status,
        &IntakePage {
            nav: Nav::new(ctx, "intake"),
            flash: None,
            error: error.map(|e| e.message),
            csrf: ctx.csrf.clone(),
            procedures: list.items.into_iter().map(|p| (p.code, p.name)).collect(),
            procedure,
            channels,
            docs,
            f,
        },
    ))
}

fn applicant_of(f: &IntakeForm) -> Result<NewApplicant, Error> {
    let kind = match f.kind.as_str() {
        "organisation" => ApplicantKind::Organisation,
        "person" | "" => ApplicantKind::Person,
        _ => {
            return Err(Error::bad_request(
                "form_invalid",
                "Loại người nộp không hợp lệ.",
            ));
        }
    };
    Ok(NewApplicant {
        kind,
        name: f.name.clone(),
        id_number: f.id_number.clone(),
        phone: nonblank(&f.phone),
        email: nonblank(&f.email),
        address: nonblank(&f.address),
    })
}

fn documents_of(f: &IntakeForm) -> Result<Vec<ReceivedDocument>, Error> {
    let mut out = Vec::new();
    for (i, key) in f.doc_key.iter().enumerate() {
        if !f.docs.contains(key) {
            continue;
        }
        let raw = f.count.get(i).map(|c| c.trim()).unwrap_or("1");
        let count: u32 = if raw.is_empty() { Ok(1) } else { raw.parse() }.map_err(|_| {
            Error::invalid("count_invalid", "Số lượng giấy tờ phải là số nguyên dương.")
        })?;
        out.push(ReceivedDocument {
            key: key.clone(),
            count,
        });
    }
    Ok(out)
}

pub async fn intake_submit(
    State(state): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    PageForm(f): PageForm<IntakeForm>,
) -> PageResult {
    ctx.check_csrf(&f.csrf)?;
    ctx.require(&[Role::Receiver])?;
    let outcome: Result<Response, Error> = async {
        let channel = channel_of(&f.channel)
            .ok_or_else(|| Error::invalid("channel_invalid", "Cần chọn hình thức nộp hồ sơ."))?;
        let applicant = applicant_of(&f)?;
        if f.intent == "refuse" {
            let slip = record_refusal(
                &ctx.store,
                ctx.actor(),
                ctx.now(),
                RefusalIn {
                    procedure_code: f.procedure.trim().to_string(),
                    channel,
                    applicant,
                    reasons: f.reasons.lines().map(str::to_string).collect(),
                    note: None,
                },
            )
            .await?;
            return Ok(Redirect::to(&format!("/intake-slips/{}", slip.id)).into_response());
        }
        let body = CreateDossierIn {
            procedure_code: f.procedure.trim().to_string(),
            channel,
            applicant,
            documents: documents_of(&f)?,
            received_at: None,
            summary: nonblank(&f.summary),
        };
        let key = nonblank(&f.intake_key);
        match register_or_request(
            &state,
            &ctx.store,
            ctx.actor(),
            ctx.now(),
            body,
            key.as_deref(),
        )
        .await?
        {
            IntakeOutcome::Incomplete { slip, .. } => Ok(Redirect::to(&format!(
                "/intake-slips/{}?ok=incomplete",
                slip.id
            ))
            .into_response()),
            IntakeOutcome::Registered(r) => {
                let rec = DossierRecord {
                    acting_unit: r.dossier.owner_unit.clone(),
                    waiting_role: None,
                    rating: None,
                    dossier: r.dossier,
                };
                let key = (!r.replayed).then_some(r.tracking_key);
                receipt_response(&state, &ctx, &headers, rec, key).await
            }
        }
    }
    .await;
    match outcome {
        Ok(r) => Ok(r),
        Err(e) if e.kind != ErrorKind::Internal => show_intake(&ctx, f, Some(e)).await,
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------
// Receipt and appointment slip
// ---------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "receipt.html")]
struct ReceiptPage {
    nav: Option<Nav>,
    flash: Option<String>,
    error: Option<String>,
    header: UnitHeader,
    code: String,
    applicant: ApplicantView,
    procedure_code: String,
    procedure_name: String,
    channel_label: String,
    summary: String,
    documents: Vec<(String, String, u32)>,
    received: String,
    appointment: String,
    receiver: String,
    tracking_key: Option<String>,
    track_url: String,
    qr_svg: String,
}

/// Where applicants reach this service: `public_url`, else the address the officer used.
fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(u) = state
        .config()
        .public_url
        .as_deref()
        .filter(|u| !u.is_empty())
    {
        return u.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".:-[]".contains(c))
        })
        .unwrap_or("localhost");
    format!("http://{host}")
}

/// The QR code as inline SVG (no image from outside), without the XML declaration.
pub fn qr_svg(data: &str) -> String {
    match qrcode::QrCode::new(data.as_bytes()) {
        Ok(code) => {
            let svg = code
                .render::<qrcode::render::svg::Color>()
                .min_dimensions(140, 140)
                .quiet_zone(true)
                .build();
            match svg.find("<svg") {
                Some(i) => svg[i..].to_string(),
                None => svg,
            }
        }
        Err(_) => String::new(),
    }
}

async fn receipt_response(
    state: &AppState,
    ctx: &PageCtx,
    headers: &HeaderMap,
    rec: DossierRecord,
    tracking_key: Option<String>,
) -> Result<Response, Error> {
    let d = rec.dossier;
    let procedure = procedure_of(state, &d).await;
    let base = base_url(state, headers);
    let track_url = match &tracking_key {
        Some(k) => format!(
            "{base}/tra-cuu/{}?key={}",
            url_encode(&d.code),
            url_encode(k)
        ),
        None => format!("{base}/tra-cuu?code={}", url_encode(&d.code)),
    };
    let doc_name = |key: &str| {
        procedure
            .as_ref()
            .and_then(|p| p.documents.iter().find(|x| x.key == key))
            .map(|x| (x.name.clone(), x.copy_kind.label().to_string()))
            .unwrap_or_else(|| (key.to_string(), String::new()))
    };
    let events = ctx.store.dossier_events(&d.code).await.unwrap_or_default();
    let received_by = events
        .iter()
        .find(|e| e.kind == EventKind::Register)
        .and_then(|e| e.actor.clone())
        .unwrap_or_else(|| ctx.user.username.clone());
    let receiver = match ctx.store.user(&received_by).await {
        Ok(u) => u.full_name,
        Err(_) => received_by,
    };
    Ok(render(&ReceiptPage {
        nav: Nav::new(ctx, "inbox"),
        flash: None,
        error: None,
        header: unit_header(ctx, &d.owner_unit).await,
        applicant: applicant_view(&d.applicant),
        procedure_code: d.procedure_code.clone(),
        procedure_name: procedure
            .as_ref()
            .map(|p| p.name.clone())
            .unwrap_or_default(),
        channel_label: d.channel.label().into(),
        summary: d.summary.clone().unwrap_or_default(),
        documents: d
            .documents
            .iter()
            .map(|x| {
                let (name, kind) = doc_name(&x.key);
                (name, kind, x.count)
            })
            .collect(),
        received: receipt_time(d.received_at),
        appointment: receipt_time(d.appointment_at),
        receiver,
        qr_svg: qr_svg(&track_url),
        track_url,
        tracking_key,
        code: d.code,
    }))
}

pub async fn receipt(
    State(state): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> PageResult {
    let code = code.trim().to_ascii_uppercase();
    let rec = ctx.store.dossier(&code).await?;
    Ok(receipt_response(&state, &ctx, &headers, rec, None).await?)
}

// ---------------------------------------------------------------------------------------
// Intake slips (request to complete, refusal)
// ---------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "intake_slip.html")]
struct IntakeSlipPage {
    nav: Option<Nav>,
    flash: Option<String>,
    error: Option<String>,
    header: UnitHeader,
    title: String,
    refusal: bool,
    number: i64,
    applicant: ApplicantView,
    procedure_code: String,
    procedure_name: String,
    channel_label: String,
    items: Vec<String>,
    created: String,
    officer: String,
}

fn slip_items(slip: &IntakeSlip) -> Vec<String> {
    let Value::Array(items) = &slip.items else {
        return Vec::new();
    };
    items
        .iter()
        .map(|i| match i {
            Value::String(s) => s.clone(),
            Value::Object(m) => {
                let name = m.get("name").and_then(Value::as_str).unwrap_or_default();
                let kind = m
                    .get("copy_kind")
                    .and_then(|k| serde_json::from_value::<CopyKind>(k.clone()).ok())
                    .map(|k| k.label())
                    .unwrap_or_default();
                let required = m.get("required").and_then(Value::as_i64).unwrap_or(1);
                let received = m.get("received").and_then(Value::as_i64).unwrap_or(0);
                format!("{name} ({kind}): cần {required} bản, đã nhận {received} bản")
            }
            other => other.to_string(),
        })
        .collect()
}

#[derive(Deserialize)]
pub struct OkQuery {
    ok: Option<String>,
}

pub async fn intake_slip(
    ctx: PageCtx,
    Path(id): Path<String>,
    PageParams(q): PageParams<OkQuery>,
) -> PageResult {
    let not_found = || Error::not_found("intake_slip_not_found", "Không tìm thấy phiếu.");
    let id: i64 = id.trim().parse().map_err(|_| not_found())?;
    let slip = ctx.store.intake_slip(id).await?;
    let officer = match ctx.store.user(&slip.created_by).await {
        Ok(u) => u.full_name,
        Err(_) => slip.created_by.clone(),
    };
    Ok(render(&IntakeSlipPage {
        nav: Nav::new(&ctx, "intake"),
        flash: flash_message(q.ok.as_deref()),
        error: None,
        header: unit_header(&ctx, &slip.unit_code).await,
        title: slip.kind.label().to_string(),
        refusal: slip.kind == SlipKind::Refusal,
        number: slip.number,
        applicant: applicant_view(&slip.applicant),
        procedure_code: slip.procedure_code.clone(),
        procedure_name: slip.procedure_name.clone(),
        channel_label: slip.channel.label().into(),
        items: slip_items(&slip),
        created: receipt_time(slip.created_at),
        officer,
    }))
}

// ---------------------------------------------------------------------------------------
// The dossier page and its actions
// ---------------------------------------------------------------------------------------

pub struct TimelineRow {
    pub at: String,
    pub label: String,
    pub giver: String,
    pub receiver: String,
    pub status_label: String,
    pub timing: String,
    pub text: String,
    /// The version of a printable notice (supplement request, refusal, apology, stop).
    pub notice: Option<i64>,
}

/// Which action forms to offer (a convenience: the domain and the store decide).
#[derive(Default)]
pub struct Can {
    pub assign: bool,
    pub complete_step: bool,
    pub approve: bool,
    pub issue_result: bool,
    pub return_to_step: bool,
    pub request_supplement: bool,
    pub receive_supplement: bool,
    pub request_payment: bool,
    pub payment_received: bool,
    pub apologise: bool,
    pub return_result: bool,
    pub withdraw: bool,
    pub stop: bool,
    pub refuse: bool,
}

impl Can {
    pub fn any(&self) -> bool {
        self.assign
            || self.complete_step
            || self.approve
            || self.issue_result
            || self.return_to_step
            || self.request_supplement
            || self.receive_supplement
            || self.request_payment
            || self.payment_received
            || self.apologise
            || self.return_result
            || self.withdraw
            || self.stop
            || self.refuse
    }
}

fn can_for(
    d: &motcua_domain::dossier::Dossier,
    p: Option<&Procedure>,
    user: &motcua_domain::user::User,
) -> Can {
    let step = p.and_then(|p| p.step(d.current_step));
    let step_role = step.map(|s| s.role);
    let is_last = p.is_some_and(|p| d.current_step as usize + 1 == p.workflow.steps.len());
    let has = |r: Role| user.has_role(r);
    let on_step = step_role.is_some_and(has);
    let leader = has(Role::Leader);
    let running = matches!(d.status, Status::Received | Status::Processing);
    let paused = d.status.is_paused();
    let open = running || paused;
    Can {
        assign: open && (on_step || leader),
        complete_step: running && on_step && step_role != Some(Role::Leader) && !is_last,
        approve: running && leader && step_role == Some(Role::Leader) && !is_last,
        issue_result: running && on_step && is_last,
        return_to_step: running && d.current_step > 0 && (on_step || leader),
        request_supplement: running && (on_step || leader),
        receive_supplement: d.status == Status::AwaitingSupplement
            && (on_step || leader || has(Role::Receiver)),
        request_payment: running && (on_step || leader),
        payment_received: d.status == Status::AwaitingPayment
            && (on_step || leader || has(Role::Receiver)),
        apologise: open && (leader || has(Role::Receiver)),
        return_result: d.status == Status::ResultReady && has(Role::Receiver),
        withdraw: open && (leader || has(Role::Receiver)),
        stop: open && (leader || has(Role::Receiver)),
        refuse: (d.status == Status::Processing || paused) && leader,
    }
}

fn is_notice(kind: EventKind) -> bool {
    matches!(
        kind,
        EventKind::RequestSupplement
            | EventKind::Refuse
            | EventKind::Apologise
            | EventKind::Stop
            | EventKind::Withdraw
    )
}

fn event_text(e: &Event) -> String {
    let mut parts = Vec::new();
    if let Some(r) = &e.reason {
        parts.push(format!("Lý do: {r}"));
    }
    if let Some(n) = &e.note {
        parts.push(n.clone());
    }
    match &e.action {
        Some(Action::RequestSupplement { items, .. }) if !items.is_empty() => {
            parts.push(format!("Cần bổ sung: {}", items.join("; ")))
        }
        Some(Action::RequestPayment { amount_vnd, .. }) => parts.push(format!(
            "Số tiền: {} đ",
            super::units::vn_number(*amount_vnd)
        )),
        Some(Action::IssueResult {
            document_number, ..
        }) => parts.push(format!("Số văn bản: {document_number}")),
        _ => {}
    }
    if let (Some(b), Some(a)) = (e.appointment_before, e.appointment_after) {
        parts.push(format!("Hẹn trả: {} → {}", vn_datetime(b), vn_datetime(a)));
    } else if let (Some(b), Some(a)) = (e.due_before, e.due_after) {
        parts.push(format!("Hạn: {} → {}", vn_datetime(b), vn_datetime(a)));
    }
    parts.join(" · ")
}

fn giver_of(e: &Event, names: &HashMap<String, String>) -> String {
    let who = e
        .actor
        .as_ref()
        .map(|a| names.get(a).cloned().unwrap_or_else(|| a.clone()))
        .unwrap_or_else(|| "Người nộp (trực tuyến)".into());
    let role = role_label(e.actor_role);
    match (&e.actor_unit, role.is_empty()) {
        (Some(u), false) => format!("{who} — {role}, {u}"),
        (Some(u), true) => format!("{who} — {u}"),
        (None, _) => who,
    }
}

fn receiver_of(e: &Event, names: &HashMap<String, String>) -> String {
    let mut parts = Vec::new();
    if let Some(r) = &e.receiver {
        parts.push(names.get(r).cloned().unwrap_or_else(|| r.clone()));
    }
    if let Some(r) = e.receiver_role {
        parts.push(r.label().to_string());
    }
    if let Some(u) = &e.receiver_unit {
        parts.push(u.clone());
    }
    parts.join(", ")
}

#[derive(Template)]
#[template(path = "dossier.html")]
struct DossierPage {
    nav: Option<Nav>,
    flash: Option<String>,
    error: Option<String>,
    csrf: String,
    code: String,
    version: i64,
    status_label: String,
    portal_status: u8,
    procedure_code: String,
    procedure_name: String,
    channel_label: String,
    applicant: ApplicantView,
    summary: String,
    received: String,
    due: String,
    appointment: String,
    class_label: String,
    overdue: bool,
    step_name: String,
    waiting: String,
    acting_unit: String,
    assignee: String,
    result_number: String,
    documents: Vec<(String, u32)>,
    timeline: Vec<TimelineRow>,
    can: Can,
    assignees: Vec<(String, String)>,
    prev_step: Option<(u32, String)>,
    today: String,
    /// Files attached to the dossier (pages/attachments.rs).
    attachments: Vec<super::attachments::AttachmentRow>,
    can_upload: bool,
    /// Checklist items received (key, name), for the upload form.
    document_keys: Vec<(String, String)>,
}

pub(crate) async fn show_dossier(
    state: &AppState,
    ctx: &PageCtx,
    code: &str,
    flash: Option<String>,
    error: Option<Error>,
) -> PageResult {
    let rec = ctx.store.dossier(code).await?;
    let events = ctx.store.dossier_events(code).await?;
    let procedure = procedure_of(state, &rec.dossier).await;
    let names = names(ctx, &events).await;
    let d = &rec.dossier;
    let now = ctx.now();
    let can = can_for(d, procedure.as_ref(), &ctx.user);
    let mut assignees = Vec::new();
    if can.assign {
        let step_role = procedure
            .as_ref()
            .and_then(|p| p.step(d.current_step))
            .map(|s| s.role);
        let mut after: Option<String> = None;
        // People of the scope holding the step's role (or leaders); a few pages at most.
        for _ in 0..10 {
            let page = ctx.store.list_users(after.as_deref(), None, 500).await?;
            for u in page.items {
                let fits = u.active
                    && (step_role.is_some_and(|r| u.has_role(r)) || u.has_role(Role::Leader));
                if fits {
                    assignees.push((
                        u.username.clone(),
                        format!("{} ({}, {})", u.full_name, u.username, u.unit_code),
                    ));
                }
            }
            match page.next {
                Some(n) => after = Some(n),
                None => break,
            }
        }
    }
    let prev_step = (d.current_step > 0)
        .then(|| {
            procedure
                .as_ref()
                .and_then(|p| p.step(d.current_step - 1))
                .map(|s| (d.current_step - 1, s.name.clone()))
        })
        .flatten();
    let class_label = match (d.resolution_class(), d.pending_class(now)) {
        (Some(c), _) => c.label().to_string(),
        (None, Some(motcua_domain::dossier::PendingClass::Overdue)) => "Quá hạn".into(),
        (None, Some(_)) => "Trong hạn".into(),
        (None, None) => String::new(),
    };
    let timeline = events
        .iter()
        .map(|e| TimelineRow {
            at: vn_datetime(e.at),
            label: event_label(e.kind).into(),
            giver: giver_of(e, &names),
            receiver: receiver_of(e, &names),
            status_label: e.to_status.label().into(),
            timing: e.timing.map(|t| t.label().to_string()).unwrap_or_default(),
            text: event_text(e),
            notice: is_notice(e.kind).then_some(e.version),
        })
        .collect();
    let document_keys: Vec<(String, String)> = d
        .documents
        .iter()
        .map(|x| {
            let name = procedure
                .as_ref()
                .and_then(|p| p.documents.iter().find(|r| r.key == x.key))
                .map_or_else(|| x.key.clone(), |r| r.name.clone());
            (x.key.clone(), name)
        })
        .collect();
    let attachments = super::attachments::rows(ctx, &d.code, &document_keys).await?;
    let status = error.as_ref().map_or(StatusCode::OK, |e| status_of(e.kind));
    Ok(render_with(
        status,
        &DossierPage {
            nav: Nav::new(ctx, "inbox"),
            flash,
            error: error.map(|e| e.message),
            csrf: ctx.csrf.clone(),
            code: d.code.clone(),
            version: d.version,
            status_label: d.status.label().into(),
            portal_status: d.portal_status(state.portal_status()),
            procedure_code: d.procedure_code.clone(),
            procedure_name: procedure
                .as_ref()
                .map(|p| p.name.clone())
                .unwrap_or_default(),
            channel_label: d.channel.label().into(),
            applicant: applicant_view(&d.applicant),
            summary: d.summary.clone().unwrap_or_default(),
            received: vn_datetime(d.received_at),
            due: vn_datetime(d.legal_due_at),
            appointment: vn_datetime(d.appointment_at),
            overdue: d.pending_class(now) == Some(motcua_domain::dossier::PendingClass::Overdue),
            class_label,
            step_name: procedure
                .as_ref()
                .and_then(|p| p.step(d.current_step))
                .map(|s| s.name.clone())
                .unwrap_or_default(),
            waiting: role_label(rec.waiting_role),
            acting_unit: rec.acting_unit.clone(),
            assignee: d
                .assignee
                .as_ref()
                .map(|a| names.get(a).cloned().unwrap_or_else(|| a.clone()))
                .unwrap_or_default(),
            result_number: d.result_number.clone().unwrap_or_default(),
            documents: d
                .documents
                .iter()
                .map(|x| {
                    let name = procedure
                        .as_ref()
                        .and_then(|p| p.documents.iter().find(|r| r.key == x.key))
                        .map_or_else(|| x.key.clone(), |r| r.name.clone());
                    (name, x.count)
                })
                .collect(),
            timeline,
            can,
            assignees,
            prev_step,
            today: {
                let t = vn(now);
                format!("{}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
            },
            attachments,
            can_upload: ctx.user.has_any(super::attachments::CAN_UPLOAD),
            document_keys,
        },
    ))
}

pub async fn dossier_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(code): Path<String>,
    PageParams(q): PageParams<OkQuery>,
) -> PageResult {
    let code = code.trim().to_ascii_uppercase();
    show_dossier(&state, &ctx, &code, flash_message(q.ok.as_deref()), None).await
}

#[derive(Deserialize, Default)]
pub struct ActionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    step: String,
    #[serde(default)]
    items: String,
    #[serde(default)]
    amount_vnd: String,
    #[serde(default)]
    new_appointment: String,
    #[serde(default)]
    document_number: String,
}

/// The form's fields as the domain's tagged action.
fn action_of(f: &ActionForm) -> Result<Action, Error> {
    let invalid = |why: &str| Error::invalid("form_invalid", why.to_string());
    let mut m = Map::new();
    m.insert("action".into(), json!(f.action.trim()));
    let note = |m: &mut Map<String, Value>| {
        if let Some(n) = nonblank(&f.note) {
            m.insert("note".into(), json!(n));
        }
    };
    match f.action.trim() {
        "assign" => {
            m.insert("to".into(), json!(f.to.trim()));
        }
        "complete_step" | "approve" | "receive_supplement" | "payment_received" => note(&mut m),
        "return_to_step" => {
            let step: u32 = f
                .step
                .trim()
                .parse()
                .map_err(|_| invalid("Bước trả lại không hợp lệ."))?;
            m.insert("step".into(), json!(step));
            m.insert("reason".into(), json!(f.reason));
        }
        "request_supplement" => {
            let items: Vec<String> = f.items.lines().filter_map(nonblank).collect();
            m.insert("reason".into(), json!(f.reason));
            m.insert("items".into(), json!(items));
        }
        "request_payment" => {
            let digits: String = f
                .amount_vnd
                .chars()
                .filter(|c| !matches!(c, '.' | ' ' | ','))
                .collect();
            let amount: i64 = digits
                .parse()
                .map_err(|_| invalid("Số tiền phải là số nguyên đồng."))?;
            m.insert("amount_vnd".into(), json!(amount));
            m.insert("reason".into(), json!(f.reason));
        }
        "apologise" => {
            let at = parse_date(
                &f.new_appointment,
                Time::from_hms(17, 0, 0).unwrap_or(Time::MIDNIGHT),
            )
            .ok_or_else(|| invalid("Cần chọn ngày hẹn trả mới."))?;
            m.insert("reason".into(), json!(f.reason));
            m.insert("new_appointment".into(), json!(crate::api::vn_time(at)));
        }
        "issue_result" => {
            m.insert("document_number".into(), json!(f.document_number));
            note(&mut m);
        }
        "return_result" => {
            m.insert("to".into(), json!(f.to));
            note(&mut m);
        }
        "withdraw" | "stop" | "refuse" => {
            m.insert("reason".into(), json!(f.reason));
        }
        _ => {
            return Err(Error::bad_request(
                "action_invalid",
                "Thao tác không hợp lệ.",
            ));
        }
    }
    serde_json::from_value(Value::Object(m)).map_err(|e| crate::api::action_invalid(&e.to_string()))
}

pub async fn dossier_act(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(code): Path<String>,
    PageForm(f): PageForm<ActionForm>,
) -> PageResult {
    ctx.check_csrf(&f.csrf)?;
    let code = code.trim().to_ascii_uppercase();
    // Out of scope: the same 404 as a missing dossier, before the form is looked at.
    ctx.store.dossier(&code).await?;
    let outcome = async {
        let version: i64 = f.version.trim().parse().map_err(|_| {
            Error::bad_request("version_required", "Thiếu phiên bản của hồ sơ đã xem.")
        })?;
        let action = action_of(&f)?;
        let snapshot = state.calendar().await?;
        ctx.store
            .apply_action(
                &actor_of(&ctx),
                ctx.now(),
                &code,
                version,
                &action,
                snapshot.calendar(),
                state.rule_book(),
            )
            .await
    }
    .await;
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!(
            "/dossiers/{}?ok=dossier_updated",
            url_encode(&code)
        ))
        .into_response()),
        Err(e) if e.kind != ErrorKind::Internal => {
            show_dossier(&state, &ctx, &code, None, Some(e)).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------
// Control slip and notices
// ---------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "control_slip.html")]
struct ControlSlipPage {
    nav: Option<Nav>,
    flash: Option<String>,
    error: Option<String>,
    header: UnitHeader,
    code: String,
    applicant_name: String,
    procedure_name: String,
    received: String,
    appointment: String,
    rows: Vec<TimelineRow>,
}

pub async fn control_slip(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(code): Path<String>,
) -> PageResult {
    let code = code.trim().to_ascii_uppercase();
    let rec = ctx.store.dossier(&code).await?;
    let events = ctx.store.dossier_events(&code).await?;
    let procedure = procedure_of(&state, &rec.dossier).await;
    let names = names(&ctx, &events).await;
    let d = &rec.dossier;
    let rows = events
        .iter()
        .map(|e| TimelineRow {
            at: vn_datetime(e.at),
            label: event_label(e.kind).into(),
            giver: giver_of(e, &names),
            receiver: receiver_of(e, &names),
            status_label: e.to_status.label().into(),
            timing: e.timing.map(|t| t.label().to_string()).unwrap_or_default(),
            text: event_text(e),
            notice: None,
        })
        .collect();
    Ok(render(&ControlSlipPage {
        nav: Nav::new(&ctx, "inbox"),
        flash: None,
        error: None,
        header: unit_header(&ctx, &d.owner_unit).await,
        code: d.code.clone(),
        applicant_name: d.applicant.name.clone(),
        procedure_name: procedure.map(|p| p.name).unwrap_or_default(),
        received: receipt_time(d.received_at),
        appointment: receipt_time(d.appointment_at),
        rows,
    }))
}

#[derive(Template)]
#[template(path = "notice.html")]
struct NoticePage {
    nav: Option<Nav>,
    flash: Option<String>,
    error: Option<String>,
    header: UnitHeader,
    title: String,
    code: String,
    applicant: ApplicantView,
    procedure_name: String,
    at: String,
    reason: String,
    items: Vec<String>,
    extra: String,
    officer: String,
}

/// Printable notices of a dossier: the supplement request (Phiếu yêu cầu bổ sung, hoàn thiện
/// hồ sơ), the refusal, the apology, the stop and withdrawal notices.
pub async fn notice(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path((code, version)): Path<(String, String)>,
) -> PageResult {
    let code = code.trim().to_ascii_uppercase();
    let rec = ctx.store.dossier(&code).await?;
    let events = ctx.store.dossier_events(&code).await?;
    let missing = || Error::not_found("notice_not_found", "Không tìm thấy phiếu.");
    let version: i64 = version.trim().parse().map_err(|_| missing())?;
    let e = events
        .iter()
        .find(|e| e.version == version && is_notice(e.kind))
        .ok_or_else(missing)?;
    let procedure = procedure_of(&state, &rec.dossier).await;
    let names = names(&ctx, std::slice::from_ref(e)).await;
    let title = match e.kind {
        EventKind::RequestSupplement => "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
        EventKind::Refuse => "Văn bản từ chối giải quyết hồ sơ",
        EventKind::Apologise => "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
        EventKind::Stop => "Thông báo dừng xử lý hồ sơ",
        _ => "Xác nhận rút hồ sơ",
    };
    let items = match &e.action {
        Some(Action::RequestSupplement { items, .. }) => items.clone(),
        _ => Vec::new(),
    };
    let extra = match (e.appointment_before, e.appointment_after) {
        (Some(b), Some(a)) => format!(
            "Ngày hẹn trả kết quả cũ: {}. Ngày hẹn trả kết quả mới: {}.",
            receipt_time(b),
            receipt_time(a)
        ),
        _ => String::new(),
    };
    let d = &rec.dossier;
    Ok(render(&NoticePage {
        nav: Nav::new(&ctx, "inbox"),
        flash: None,
        error: None,
        header: unit_header(&ctx, &d.owner_unit).await,
        title: title.into(),
        code: d.code.clone(),
        applicant: applicant_view(&d.applicant),
        procedure_name: procedure.map(|p| p.name).unwrap_or_default(),
        at: receipt_time(e.at),
        reason: e.reason.clone().unwrap_or_default(),
        items,
        extra,
        officer: e
            .actor
            .as_ref()
            .map(|a| names.get(a).cloned().unwrap_or_else(|| a.clone()))
            .unwrap_or_default(),
    }))
}

// ---------------------------------------------------------------------------------------
// Public tracking (no sign-in; the same per-client rate limit as the public API)
// ---------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "track.html")]
struct TrackPage {
    nav: Option<Nav>,
    flash: Option<String>,
    error: Option<String>,
    code: String,
    key: String,
    found: Option<TrackView>,
}

pub struct TrackView {
    pub procedure_name: String,
    pub status_label: String,
    pub received: String,
    pub appointment: String,
    pub finished: String,
    pub history: Vec<(String, String, String)>,
    pub can_rate: bool,
    pub rating: String,
}

#[derive(Deserialize)]
pub struct TrackQuery {
    code: Option<String>,
    key: Option<String>,
    ok: Option<String>,
}

fn track_url(code: &str, key: &str) -> String {
    format!("/tra-cuu/{}?key={}", url_encode(code), url_encode(key))
}

pub async fn track_form(PageParams(q): PageParams<TrackQuery>) -> Response {
    let code = q.code.unwrap_or_default().trim().to_ascii_uppercase();
    let key = q.key.unwrap_or_default();
    if !code.is_empty() && !key.trim().is_empty() {
        return Redirect::to(&track_url(&code, key.trim())).into_response();
    }
    render(&TrackPage {
        nav: None,
        flash: None,
        error: None,
        code,
        key,
        found: None,
    })
}

async fn show_track(
    state: &AppState,
    ip: std::net::IpAddr,
    code: String,
    key: String,
    flash: Option<String>,
    error: Option<Error>,
) -> Response {
    if let Err(e) = state.public_limiter().check(ip, state.now()) {
        return render_with(
            status_of(e.kind),
            &TrackPage {
                nav: None,
                flash: None,
                error: Some(e.message),
                code,
                key,
                found: None,
            },
        );
    }
    let code = code.trim().to_ascii_uppercase();
    match state.unscoped_store().public_dossier(&code, &key).await {
        Ok((rec, events)) => {
            let procedure = procedure_of(state, &rec.dossier).await;
            let d = &rec.dossier;
            let found = TrackView {
                procedure_name: procedure.map(|p| p.name).unwrap_or_default(),
                status_label: d.status.label().into(),
                received: vn_datetime(d.received_at),
                appointment: vn_datetime(d.appointment_at),
                finished: d.finished_at.map(vn_datetime).unwrap_or_default(),
                history: events
                    .iter()
                    .map(|e| (vn_datetime(e.at), event_label(e.kind).to_string(), e.to_status.label().to_string()))
                    .collect(),
                can_rate: d.status == Status::Returned && rec.rating.is_none(),
                rating: rec.rating.as_ref().map(|r| format!("{}/5", r.score)).unwrap_or_default(),
            };
            let status = error.as_ref().map_or(StatusCode::OK, |e| status_of(e.kind));
            render_with(status, &TrackPage { nav: None, flash, error: error.map(|e| e.message), code, key, found: Some(found) })
        }
        Err(e) if e.kind == ErrorKind::NotFound => render_with(
            StatusCode::NOT_FOUND,
            &TrackPage {
                nav: None,
                flash: None,
                error: Some("Không tìm thấy hồ sơ có mã hồ sơ và mã tra cứu này. Vui lòng kiểm tra lại giấy hẹn.".into()),
                code,
                key,
                found: None,
            },
        ),
        Err(e) => super::error_page(&e),
    }
}

pub async fn track(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(code): Path<String>,
    PageParams(q): PageParams<TrackQuery>,
) -> Response {
    let flash = match q.ok.as_deref() {
        Some("rated") => Some("Cảm ơn bạn đã đánh giá mức độ hài lòng.".to_string()),
        _ => None,
    };
    show_track(&state, ip, code, q.key.unwrap_or_default(), flash, None).await
}

#[derive(Deserialize)]
pub struct RatingForm {
    #[serde(default)]
    key: String,
    #[serde(default)]
    rating: String,
    #[serde(default)]
    comment: String,
}

pub async fn rate(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(code): Path<String>,
    PageForm(f): PageForm<RatingForm>,
) -> Response {
    if let Err(e) = state.public_limiter().check(ip, state.now()) {
        return super::error_page(&e);
    }
    let code = code.trim().to_ascii_uppercase();
    let store = state.unscoped_store();
    // The key first: a wrong key looks like a missing dossier.
    if let Err(e) = store.public_dossier(&code, &f.key).await {
        return show_track(&state, ip, code, f.key, None, Some(e)).await;
    }
    let score: i64 = f.rating.trim().parse().unwrap_or(0);
    let comment = nonblank(&f.comment);
    match store
        .rate_dossier(state.now(), &code, &f.key, score, comment.as_deref())
        .await
    {
        Ok(_) => Redirect::to(&format!("{}&ok=rated", track_url(&code, &f.key))).into_response(),
        Err(e) => show_track(&state, ip, code, f.key, None, Some(e)).await,
    }
}
