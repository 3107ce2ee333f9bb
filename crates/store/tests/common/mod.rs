//! The world the Biểu 06 conformance tests share (reports_conformance,
//! report_counters_conformance): the unit tree, the working calendar, two procedures in two
//! fields, the people of a unit and the scoped stores they act through.

#![allow(dead_code, clippy::unwrap_used)] // not every test uses every helper; helpers may panic

use std::sync::OnceLock;

use motcua_calendar::{HolidayRules, OfficeHours, WorkingCalendar, shipped_exceptions};
use motcua_domain::dossier::{Action, Actor, RuleSet};
use motcua_domain::procedure::{NewProcedure, Procedure};
use motcua_domain::scope::Scope;
use motcua_domain::unit::NewUnit;
use motcua_domain::user::Role;
use motcua_store::{ScopedStore, Store};
use serde_json::json;
use time::OffsetDateTime;
use time::macros::datetime;

pub const ROOT: &str = "000.00.00.G00";
pub const A1: &str = "000.01.00.A01";
pub const A3: &str = "000.01.02.A03";
pub const B1: &str = "000.02.00.B01";
pub const T0: OffsetDateTime = datetime!(2022-01-03 09:00 +07:00);

pub fn cal() -> &'static WorkingCalendar {
    static CAL: OnceLock<WorkingCalendar> = OnceLock::new();
    CAL.get_or_init(|| {
        WorkingCalendar::for_years(
            &HolidayRules::default(),
            &shipped_exceptions(),
            OfficeHours::default(),
            2021,
            2024,
        )
        .unwrap()
    })
}

pub fn rules() -> RuleSet {
    RuleSet::default()
}

pub fn procedure(code: &str, unit: &str, field: (&str, &str)) -> Procedure {
    let v = json!({
        "code": code,
        "name": "Thủ tục ví dụ",
        "field": { "code": field.0, "name": field.1 },
        "level": "Cấp Bộ",
        "implementing_unit": unit,
        "channels": [
            { "channel": "in_person", "limit": { "amount": 5, "unit": "working_days" }, "fee_vnd": 0 },
            { "channel": "online", "limit": { "amount": 5, "unit": "working_days" }, "fee_vnd": 0 }
        ],
        "documents": [
            { "key": "don", "name": "Đơn đề nghị", "copy_kind": "original", "count": 1 }
        ],
        "results": ["Giấy xác nhận"],
        "legal_basis": ["Nghị định 118/2025/NĐ-CP"],
        "online_level": "partial",
        "workflow": { "steps": [
            { "key": "tiep_nhan", "name": "Tiếp nhận", "role": "receiver", "unit": "owner", "budget_minutes": 120 },
            { "key": "tham_dinh", "name": "Thẩm định", "role": "specialist", "unit": "owner", "budget_minutes": 1200 },
            { "key": "phe_duyet", "name": "Phê duyệt", "role": "leader", "unit": "owner", "budget_minutes": 600 },
            { "key": "ban_hanh", "name": "Phát hành", "role": "clerk", "unit": "owner", "budget_minutes": 480 }
        ]}
    });
    let new: NewProcedure = serde_json::from_value(v).unwrap();
    Procedure::parse(new, 480).unwrap()
}

pub async fn seed(store: &Store) {
    let root = NewUnit::parse(ROOT, "Bộ Quốc phòng", None, 0, None).unwrap();
    store.create_unit("admin", T0, &root).await.unwrap();
    for (code, name, level, parent) in [
        (A1, "Cục Quân y", 1, ROOT),
        ("000.01.01.A02", "Phòng Điều trị", 2, A1),
        (A3, "Ban Hành chính", 3, "000.01.01.A02"),
        (B1, "Cục Cán bộ", 1, ROOT),
    ] {
        let u = NewUnit::parse(code, name, None, level, Some(parent)).unwrap();
        store.create_unit("admin", T0, &u).await.unwrap();
    }
    let p = procedure("1.009999", A3, ("CS-QN", "Chính sách quân nhân"));
    store.save_procedure("admin", T0, &p).await.unwrap();
    let p = procedure("1.008888", B1, ("TC-CB", "Tổ chức cán bộ"));
    store.save_procedure("admin", T0, &p).await.unwrap();
}

pub fn actor(username: &str, role: Role, unit: &str) -> Actor {
    Actor {
        username: username.into(),
        roles: vec![role],
        unit_code: unit.into(),
    }
}

/// The desk (receiver), specialist, leader and clerk of a unit.
pub fn people(unit: &str) -> [Actor; 4] {
    [
        actor("receiver", Role::Receiver, unit),
        actor("specialist", Role::Specialist, unit),
        actor("leader", Role::Leader, unit),
        actor("clerk", Role::Clerk, unit),
    ]
}

pub async fn scoped(store: &Store, unit: &str) -> ScopedStore {
    let u = store.unit_by_code(unit).await.unwrap().unwrap();
    store.scoped(Scope::Subtree(u.path))
}

pub fn supplement() -> Action {
    Action::RequestSupplement {
        reason: "Thiếu giấy tờ".into(),
        items: vec!["Quyết định".into()],
    }
}
