//! The working-calendar page: a year as twelve month grids with days off, worked weekend
//! days and lunar dates, the reasons listed below, and for administrators the forms that
//! announce or remove exceptions (post/redirect/get; errors shown on the page).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use motcua_calendar::{
    DayOffKind, ExceptionKind, LunarTable, QUOC_KHANH_ADJACENT, TET_NGUYEN_DAN, VIETNAM_OFFSET,
    YearSchedule,
};
use motcua_domain::calendar::{self, ExceptionInput};
use motcua_domain::{Error, ErrorKind};
use motcua_store::{ExceptionSource, StoredException};
use serde::Deserialize;
use time::{Date, Month, Weekday};

use super::{Nav, PageForm, PageParams, PageResult, render_with};
use crate::api::calendar::{CAN_EDIT_CALENDAR, parse_year};
use crate::auth::PageCtx;
use crate::state::AppState;

const WEEKDAY_HEADERS: [&str; 7] = ["T2", "T3", "T4", "T5", "T6", "T7", "CN"];

/// One day of a month grid (`day == 0` pads the first and last week).
struct Cell {
    day: u8,
    class: String,
    title: String,
    lunar: String,
}

struct MonthGrid {
    title: String,
    weeks: Vec<Vec<Cell>>,
}

/// One line of the list of reasons below the grids.
struct Entry {
    when: Date,
    date: String,
    weekday: &'static str,
    label: &'static str,
    class: &'static str,
    name: String,
    provisional: bool,
}

struct ExceptionRow {
    date_iso: String,
    date: String,
    kind: &'static str,
    name: String,
    legal_ref: String,
    covers: &'static str,
    source: String,
}

/// What the administrator typed, shown again when it was refused.
#[derive(Default)]
struct AddForm {
    date: String,
    kind: String,
    name: String,
    legal_ref: String,
    covers: String,
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    nav: Option<Nav>,
    flash: Option<String>,
    error: Option<String>,
    year: i32,
    year_name: String,
    prev: Option<i32>,
    next: Option<i32>,
    weekday_headers: [&'static str; 7],
    months: Vec<MonthGrid>,
    entries: Vec<Entry>,
    any_provisional: bool,
    exceptions: Vec<ExceptionRow>,
    is_admin: bool,
    csrf: String,
    form: AddForm,
}

fn vn_date(d: Date) -> String {
    format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year())
}

fn weekday_name(d: Date) -> &'static str {
    match d.weekday() {
        Weekday::Monday => "Thứ Hai",
        Weekday::Tuesday => "Thứ Ba",
        Weekday::Wednesday => "Thứ Tư",
        Weekday::Thursday => "Thứ Năm",
        Weekday::Friday => "Thứ Sáu",
        Weekday::Saturday => "Thứ Bảy",
        Weekday::Sunday => "Chủ nhật",
    }
}

fn kind_label(kind: DayOffKind) -> (&'static str, &'static str) {
    match kind {
        DayOffKind::Holiday => ("Ngày lễ", "holiday"),
        DayOffKind::Compensatory => ("Nghỉ bù", "comp"),
        DayOffKind::AnnouncedOff => ("Nghỉ theo thông báo", "announced"),
    }
}

fn covers_label(covers: Option<&str>) -> &'static str {
    match covers {
        Some(TET_NGUYEN_DAN) => "Tết Âm lịch",
        Some(QUOC_KHANH_ADJACENT) => "Quốc khánh (ngày liền kề)",
        Some(_) => "Ngày lễ khác",
        None => "",
    }
}

/// The small lunar date of a cell: the day, with the month on the first day of a month
/// ("1/1" on Tết, "1/6n" for a leap month).
fn lunar_label(date: Date) -> String {
    match LunarTable::vietnam().to_lunar(date) {
        Ok(l) if l.day == 1 => format!("{}/{}{}", l.day, l.month, if l.leap { "n" } else { "" }),
        Ok(l) => l.day.to_string(),
        Err(_) => String::new(),
    }
}

fn month_grid(year: i32, month: Month, schedule: &YearSchedule, today: Date) -> MonthGrid {
    let mut weeks = Vec::new();
    let mut week: Vec<Cell> = Vec::new();
    let empty = || Cell {
        day: 0,
        class: "empty".into(),
        title: String::new(),
        lunar: String::new(),
    };
    if let Ok(first) = Date::from_calendar_date(year, month, 1) {
        for _ in 0..first.weekday().number_days_from_monday() {
            week.push(empty());
        }
        let mut day = Some(first);
        while let Some(d) = day.filter(|d| d.month() == month) {
            let weekend = matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday);
            let mut classes = vec![if weekend { "weekend" } else { "workday" }];
            let mut title = format!("{}, {}", weekday_name(d), vn_date(d));
            if let Some(off) = schedule.days_off.iter().find(|o| o.date == d) {
                classes.push("off");
                classes.push(kind_label(off.kind).1);
                if off.provisional {
                    classes.push("prov");
                }
                title = format!(
                    "{title}: {}{}",
                    off.name,
                    if off.provisional {
                        " (dự kiến)"
                    } else {
                        ""
                    }
                );
            } else if let Some(extra) = schedule.extra_workdays.iter().find(|w| w.date == d) {
                classes.push("extra");
                title = format!("{title}: {}", extra.name);
            }
            if d == today {
                classes.push("today");
            }
            week.push(Cell {
                day: d.day(),
                class: classes.join(" "),
                title,
                lunar: lunar_label(d),
            });
            if week.len() == 7 {
                weeks.push(std::mem::take(&mut week));
            }
            day = d.next_day();
        }
        if !week.is_empty() {
            while week.len() < 7 {
                week.push(empty());
            }
            weeks.push(week);
        }
    }
    MonthGrid {
        title: format!("Tháng {}", u8::from(month)),
        weeks,
    }
}

fn entries(schedule: &YearSchedule) -> Vec<Entry> {
    let mut out: Vec<Entry> = schedule
        .days_off
        .iter()
        .map(|o| {
            let (label, class) = kind_label(o.kind);
            Entry {
                when: o.date,
                date: vn_date(o.date),
                weekday: weekday_name(o.date),
                label,
                class,
                name: o.name.clone(),
                provisional: o.provisional,
            }
        })
        .collect();
    out.extend(schedule.extra_workdays.iter().map(|w| Entry {
        when: w.date,
        date: vn_date(w.date),
        weekday: weekday_name(w.date),
        label: "Làm bù",
        class: "extra",
        name: w.name.clone(),
        provisional: false,
    }));
    out.sort_by_key(|e| e.when);
    out
}

fn exception_row(s: StoredException) -> ExceptionRow {
    ExceptionRow {
        date_iso: calendar::iso_date(s.exception.date),
        date: vn_date(s.exception.date),
        kind: match s.exception.kind {
            ExceptionKind::DayOff => "Ngày nghỉ",
            ExceptionKind::WorkingDay => "Ngày làm việc",
        },
        covers: covers_label(s.exception.covers.as_deref()),
        name: s.exception.name,
        legal_ref: s.exception.legal_ref.unwrap_or_default(),
        source: match s.source {
            ExceptionSource::Shipped => "Kèm phần mềm".to_string(),
            ExceptionSource::Admin => format!("Thêm bởi {}", s.created_by),
        },
    }
}

fn flash_for(key: Option<&str>) -> Option<String> {
    match key? {
        "added" => Some(
            "Đã thêm công bố. Thời hạn tính từ nay dùng lịch mới; thời hạn đã cấp không thay đổi."
                .into(),
        ),
        "removed" => Some(
            "Đã xoá công bố. Thời hạn tính từ nay dùng lịch mới; thời hạn đã cấp không thay đổi."
                .into(),
        ),
        _ => None,
    }
}

async fn show(
    ctx: &PageCtx,
    state: &AppState,
    year: i32,
    flash: Option<String>,
    error: Option<String>,
    form: AddForm,
) -> PageResult {
    let snapshot = state.calendar().await?;
    let schedule = snapshot.schedule(year)?;
    let exceptions = ctx.store.calendar_exceptions(Some(year)).await?;
    let today = ctx.now().to_offset(VIETNAM_OFFSET).date();
    let months = (1..=12u8)
        .filter_map(|m| Month::try_from(m).ok())
        .map(|m| month_grid(year, m, &schedule, today))
        .collect();
    let entries = entries(&schedule);
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let supported =
        motcua_calendar::FIRST_SUPPORTED_DATE.year()..=motcua_calendar::LAST_SUPPORTED_DATE.year();
    Ok(render_with(
        status,
        &CalendarPage {
            nav: Nav::new(ctx, "calendar"),
            flash,
            error,
            year,
            year_name: motcua_calendar::can_chi_year(year),
            prev: Some(year - 1).filter(|y| supported.contains(y)),
            next: Some(year + 1).filter(|y| supported.contains(y)),
            weekday_headers: WEEKDAY_HEADERS,
            months,
            any_provisional: entries.iter().any(|e| e.provisional),
            entries,
            exceptions: exceptions.into_iter().map(exception_row).collect(),
            is_admin: ctx.user.has_any(CAN_EDIT_CALENDAR),
            csrf: ctx.csrf.clone(),
            form,
        },
    ))
}

#[derive(Deserialize)]
pub struct CalendarQuery {
    year: Option<String>,
    ok: Option<String>,
}

pub async fn page(
    ctx: PageCtx,
    State(state): State<AppState>,
    PageParams(q): PageParams<CalendarQuery>,
) -> PageResult {
    let year = match q.year.as_deref().filter(|y| !y.trim().is_empty()) {
        Some(y) => parse_year(y)?,
        None => ctx.now().to_offset(VIETNAM_OFFSET).year(),
    };
    show(
        &ctx,
        &state,
        year,
        flash_for(q.ok.as_deref()),
        None,
        AddForm::default(),
    )
    .await
}

#[derive(Deserialize)]
pub struct ExceptionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    legal_ref: String,
    #[serde(default)]
    covers: String,
}

pub async fn submit(
    ctx: PageCtx,
    State(state): State<AppState>,
    PageForm(form): PageForm<ExceptionForm>,
) -> PageResult {
    ctx.check_csrf(&form.csrf)?;
    ctx.require(CAN_EDIT_CALENDAR)?;
    let outcome = match form.action.as_str() {
        "add" => {
            let input = ExceptionInput {
                date: &form.date,
                kind: &form.kind,
                name: &form.name,
                legal_ref: Some(&form.legal_ref),
                covers: Some(&form.covers),
            };
            match calendar::parse_exception(&input, &state.config().calendar.holiday_rules) {
                Ok(exception) => ctx
                    .store
                    .add_calendar_exception(ctx.actor(), ctx.now(), &exception)
                    .await
                    .map(|s| (s.exception.date.year(), "added")),
                Err(e) => Err(e),
            }
        }
        "remove" => match calendar::parse_date("date", &form.date) {
            Ok(date) => ctx
                .store
                .remove_calendar_exception(ctx.actor(), ctx.now(), date)
                .await
                .map(|s| (s.exception.date.year(), "removed")),
            Err(e) => Err(e),
        },
        _ => {
            return Err(Error::bad_request("form_invalid", "Thao tác không hợp lệ.").into());
        }
    };
    match outcome {
        Ok((year, done)) => {
            state.calendar_changed().await?;
            Ok(Redirect::to(&format!("/calendar?year={year}&ok={done}")).into_response())
        }
        // A rule the person can fix: show it on the page, keeping what they typed.
        Err(e)
            if matches!(
                e.kind,
                ErrorKind::BadRequest
                    | ErrorKind::Unprocessable
                    | ErrorKind::Conflict
                    | ErrorKind::NotFound
            ) =>
        {
            let year = parse_year(&form.year)
                .unwrap_or_else(|_| ctx.now().to_offset(VIETNAM_OFFSET).year());
            let typed = if form.action == "add" {
                AddForm {
                    date: form.date,
                    kind: form.kind,
                    name: form.name,
                    legal_ref: form.legal_ref,
                    covers: form.covers,
                }
            } else {
                AddForm::default()
            };
            show(&ctx, &state, year, None, Some(e.message), typed).await
        }
        Err(e) => Err(e.into()),
    }
}
