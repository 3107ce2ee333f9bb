//! Conformance of dossier storage: every test runs on SQLite and on PostgreSQL
//! (`<test>::sqlite`, `<test>::postgres`). Intake with gap-free sequences under concurrency,
//! the full lifecycle with events and audit, pause/resume across Tết 2025, versions, scope,
//! public tracking and the inbox.

#![allow(clippy::unwrap_used)] // test helpers may panic: that is how a test fails

use std::sync::OnceLock;

use motcua_calendar::{HolidayRules, OfficeHours, WorkingCalendar, shipped_exceptions};
use motcua_domain::dossier::{
    Action, Actor, ApplicantKind, Intake, NewApplicant, ReceivedDocument, RuleSet, Status,
};
use motcua_domain::procedure::{Channel, NewProcedure, Procedure};
use motcua_domain::scope::Scope;
use motcua_domain::unit::NewUnit;
use motcua_domain::user::{NewUser, Role};
use motcua_store::testing::TestDb;
use motcua_store::{
    AuditFilter, InboxFilter, NewIntakeSlip, ScopedStore, SlipKind, Store, conformance,
};
use serde_json::json;
use time::OffsetDateTime;
use time::macros::datetime;

const ROOT: &str = "000.00.00.G00";
const A1: &str = "000.01.00.A01";
const A2: &str = "000.01.01.A02";
const A3: &str = "000.01.02.A03";
const B1: &str = "000.02.00.B01";
/// Monday 02/11/2026, 09:00 Vietnam time.
const T0: OffsetDateTime = datetime!(2026-11-02 09:00 +07:00);

fn cal() -> &'static WorkingCalendar {
    static CAL: OnceLock<WorkingCalendar> = OnceLock::new();
    CAL.get_or_init(|| {
        WorkingCalendar::for_years(
            &HolidayRules::default(),
            &shipped_exceptions(),
            OfficeHours::default(),
            2024,
            2028,
        )
        .unwrap()
    })
}

fn rules() -> RuleSet {
    RuleSet::default()
}

fn procedure_json(code: &str, unit: &str) -> serde_json::Value {
    json!({
        "code": code,
        "name": "Xác nhận thời gian công tác trong quân đội (ví dụ minh họa)",
        "field": { "code": "CS-QN", "name": "Chính sách quân nhân" },
        "level": "Cấp Bộ",
        "implementing_unit": unit,
        "channels": [
            { "channel": "in_person", "limit": { "amount": 5, "unit": "working_days" }, "fee_vnd": 0 },
            { "channel": "online", "limit": { "amount": 5, "unit": "working_days" }, "fee_vnd": 0 },
            { "channel": "postal", "limit": { "amount": 5, "unit": "working_days" }, "fee_vnd": 0 }
        ],
        "documents": [
            { "key": "don_de_nghi", "name": "Đơn đề nghị xác nhận (theo mẫu)", "copy_kind": "original", "count": 1 },
            { "key": "cccd", "name": "Căn cước công dân", "copy_kind": "copy", "count": 1 },
            { "key": "quyet_dinh", "name": "Quyết định nhập ngũ, xuất ngũ", "copy_kind": "certified_copy", "count": 1 }
        ],
        "results": ["Giấy xác nhận thời gian công tác"],
        "legal_basis": ["Nghị định 118/2025/NĐ-CP"],
        "online_level": "partial",
        "workflow": { "steps": [
            { "key": "tiep_nhan", "name": "Tiếp nhận, chuyển hồ sơ", "role": "receiver", "unit": "owner", "budget_minutes": 120 },
            { "key": "tham_dinh", "name": "Thẩm định hồ sơ", "role": "specialist", "unit": "owner", "budget_minutes": 1200 },
            { "key": "phe_duyet", "name": "Phê duyệt, ký", "role": "leader", "unit": "owner", "budget_minutes": 600 },
            { "key": "ban_hanh", "name": "Vào số, đóng dấu, phát hành", "role": "clerk", "unit": "owner", "budget_minutes": 480 }
        ]}
    })
}

/// Branch A (A1 > A2 > A3) and branch B (B1), people of every acting role, and procedure
/// `1.009999` owned by A3 and `1.008888` owned by B1.
async fn seed(store: &Store) {
    let root = NewUnit::parse(ROOT, "Bộ Quốc phòng", None, 0, None).unwrap();
    store.create_unit("admin", T0, &root).await.unwrap();
    for (code, name, level, parent) in [
        (A1, "Cục Quân y", 1, ROOT),
        (A2, "Phòng Điều trị", 2, A1),
        (A3, "Ban Hành chính", 3, A2),
        (B1, "Cục Cán bộ", 1, ROOT),
    ] {
        let u = NewUnit::parse(code, name, None, level, Some(parent)).unwrap();
        store.create_unit("admin", T0, &u).await.unwrap();
    }
    for (username, name, unit, role) in [
        ("receiver.a", "Vũ Văn Nhận", A3, "receiver"),
        ("specialist.a", "Hoàng Thị Chuyên", A2, "specialist"),
        ("specialist.b", "Lý Văn Khác", B1, "specialist"),
        ("leader.a", "Phạm Thị Lãnh", A1, "leader"),
        ("clerk.a", "Bùi Thị Thư", A3, "clerk"),
        ("leader.b", "Đặng Văn Bình", B1, "leader"),
    ] {
        let u = NewUser::parse(username, name, unit, &[role.to_string()]).unwrap();
        store.create_user("admin", T0, &u, "x").await.unwrap();
    }
    for (code, unit) in [("1.009999", A3), ("1.008888", B1)] {
        let new: NewProcedure = serde_json::from_value(procedure_json(code, unit)).unwrap();
        let p = Procedure::parse(new, 480).unwrap();
        store.save_procedure("admin", T0, &p).await.unwrap();
    }
}

async fn scoped(store: &Store, unit: &str) -> ScopedStore {
    let u = store.unit_by_code(unit).await.unwrap().unwrap();
    store.scoped(Scope::Subtree(u.path))
}

fn actor(username: &str, role: Role, unit: &str) -> Actor {
    Actor {
        username: username.into(),
        roles: vec![role],
        unit_code: unit.into(),
    }
}

fn receiver() -> Actor {
    actor("receiver.a", Role::Receiver, A3)
}
fn specialist() -> Actor {
    actor("specialist.a", Role::Specialist, A2)
}
fn leader() -> Actor {
    actor("leader.a", Role::Leader, A1)
}
fn clerk() -> Actor {
    actor("clerk.a", Role::Clerk, A3)
}

fn intake(procedure: &str, name: &str) -> Intake {
    Intake {
        procedure_code: procedure.into(),
        channel: Channel::InPerson,
        applicant: NewApplicant {
            kind: ApplicantKind::Person,
            name: name.into(),
            id_number: "001099012345".into(),
            phone: Some("0912345678".into()),
            email: None,
            address: None,
        },
        documents: ["don_de_nghi", "cccd", "quyet_dinh"]
            .into_iter()
            .map(|k| ReceivedDocument {
                key: k.into(),
                count: 1,
            })
            .collect(),
        received_at: None,
        summary: None,
        received_by: None,
    }
}

async fn register(store: &Store, at: OffsetDateTime, name: &str) -> (String, String) {
    let desk = scoped(store, A3).await;
    let r = desk
        .register_dossier("receiver.a", at, intake("1.009999", name), cal(), &rules())
        .await
        .unwrap();
    (r.dossier.code, r.tracking_key)
}

/// Applies an action as `who` (scope of their unit) at `at`, with the current version.
async fn act(
    store: &Store,
    who: &Actor,
    at: OffsetDateTime,
    code: &str,
    action: Action,
) -> motcua_store::Result<motcua_store::DossierRecord> {
    let s = scoped(store, &who.unit_code).await;
    let version = store
        .scoped(Scope::All)
        .dossier(code)
        .await?
        .dossier
        .version;
    s.apply_action(who, at, code, version, &action, cal(), &rules())
        .await
}

async fn audit_actions(store: &Store, code: &str) -> Vec<String> {
    let filter = AuditFilter {
        object_id: Some(code.into()),
        ..Default::default()
    };
    let mut v: Vec<String> = store
        .scoped(Scope::All)
        .audit(&filter, 100)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|e| e.action)
        .collect();
    v.reverse();
    v
}

async fn full_lifecycle_with_events_and_audit(db: &TestDb) {
    let store = &db.store;
    seed(store).await;
    let desk = scoped(store, A3).await;
    let r = desk
        .register_dossier(
            "receiver.a",
            T0,
            intake("1.009999", "Nguyễn Văn An"),
            cal(),
            &rules(),
        )
        .await
        .unwrap();
    let d = &r.dossier;
    assert_eq!(d.code, format!("{A3}-261102-0001"));
    assert_eq!(d.status, Status::Received);
    assert_eq!(d.version, 1);
    assert_eq!(d.assignee.as_deref(), Some("receiver.a"));
    assert_eq!(d.legal_due_at, datetime!(2026-11-09 09:00 +07:00));
    assert_eq!(r.tracking_key.len(), 32);
    let code = d.code.clone();

    let t = datetime!(2026-11-02 10:00 +07:00);
    let rec = act(
        store,
        &receiver(),
        t,
        &code,
        Action::CompleteStep { note: None },
    )
    .await
    .unwrap();
    assert_eq!(rec.dossier.status, Status::Processing);
    assert_eq!(rec.waiting_role, Some(Role::Specialist));
    assert_eq!(rec.acting_unit, A3);
    // A leader hands it to the specialist; a person of another branch cannot take it.
    let e = act(
        store,
        &leader(),
        t,
        &code,
        Action::Assign {
            to: "specialist.b".into(),
        },
    )
    .await
    .unwrap_err();
    assert_eq!(e.code, "assignee_invalid");
    act(
        store,
        &leader(),
        t,
        &code,
        Action::Assign {
            to: "specialist.a".into(),
        },
    )
    .await
    .unwrap();
    let t = datetime!(2026-11-04 10:00 +07:00);
    act(
        store,
        &specialist(),
        t,
        &code,
        Action::CompleteStep {
            note: Some("Đủ điều kiện".into()),
        },
    )
    .await
    .unwrap();
    // The specialist cannot approve (403), the leader can.
    let e = act(
        store,
        &specialist(),
        t,
        &code,
        Action::Approve { note: None },
    )
    .await
    .unwrap_err();
    assert_eq!(e.code, "forbidden");
    act(store, &leader(), t, &code, Action::Approve { note: None })
        .await
        .unwrap();
    let rec = act(
        store,
        &clerk(),
        datetime!(2026-11-05 09:00 +07:00),
        &code,
        Action::IssueResult {
            document_number: "125/GXN-QY".into(),
            note: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(rec.dossier.status, Status::ResultReady);
    assert_eq!(rec.waiting_role, Some(Role::Receiver));
    let rec = act(
        store,
        &receiver(),
        datetime!(2026-11-06 09:00 +07:00),
        &code,
        Action::ReturnResult {
            to: "Nguyễn Văn An".into(),
            note: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(rec.dossier.status, Status::Returned);
    assert_eq!(rec.dossier.version, 7);
    assert_eq!(rec.waiting_role, None);
    // Final: no more actions.
    let e = act(
        store,
        &receiver(),
        datetime!(2026-11-06 10:00 +07:00),
        &code,
        Action::Stop {
            reason: "Thử".into(),
        },
    )
    .await
    .unwrap_err();
    assert_eq!(e.code, "action_not_allowed_in_state");

    let events = desk.dossier_events(&code).await.unwrap();
    let versions: Vec<i64> = events.iter().map(|e| e.version).collect();
    assert_eq!(versions, vec![1, 2, 3, 4, 5, 6, 7]);
    assert_eq!(events[3].actor.as_deref(), Some("specialist.a"));
    assert_eq!(events[3].note.as_deref(), Some("Đủ điều kiện"));
    assert!(events[3].timing.is_some());
    assert_eq!(
        audit_actions(store, &code).await,
        vec![
            "dossier.register",
            "dossier.complete_step",
            "dossier.assign",
            "dossier.complete_step",
            "dossier.approve",
            "dossier.issue_result",
            "dossier.return_result",
        ]
    );
    assert!(store.verify_audit().await.unwrap().is_ok());
}

async fn pause_and_resume_across_tet_2025(db: &TestDb) {
    let store = &db.store;
    seed(store).await;
    let (code, _) = register(store, datetime!(2025-01-20 09:00 +07:00), "Trần Thị Bình").await;
    let d = store
        .scoped(Scope::All)
        .dossier(&code)
        .await
        .unwrap()
        .dossier;
    assert_eq!(code, format!("{A3}-250120-0001"));
    assert_eq!(d.legal_due_at, datetime!(2025-02-03 09:00 +07:00));
    act(
        store,
        &receiver(),
        datetime!(2025-01-20 10:00 +07:00),
        &code,
        Action::CompleteStep { note: None },
    )
    .await
    .unwrap();
    let rec = act(
        store,
        &specialist(),
        datetime!(2025-01-24 10:00 +07:00),
        &code,
        Action::RequestSupplement {
            reason: "Thiếu quyết định xuất ngũ".into(),
            items: vec!["Quyết định xuất ngũ".into()],
        },
    )
    .await
    .unwrap();
    assert_eq!(rec.dossier.status, Status::AwaitingSupplement);
    let rec = act(
        store,
        &receiver(),
        datetime!(2025-02-03 10:00 +07:00),
        &code,
        Action::ReceiveSupplement { note: None },
    )
    .await
    .unwrap();
    // Paused Fri 24/01 10:00 – Mon 03/02 10:00 across Tết: 480 working minutes.
    assert_eq!(rec.dossier.status, Status::Processing);
    assert_eq!(rec.dossier.paused_minutes, 480);
    assert_eq!(rec.dossier.legal_due_at, datetime!(2025-02-04 09:00 +07:00));
    let stored = store.scoped(Scope::All).dossier(&code).await.unwrap();
    assert_eq!(stored, rec);
    let events = store
        .scoped(Scope::All)
        .dossier_events(&code)
        .await
        .unwrap();
    let last = events.last().unwrap();
    assert_eq!(last.due_before, Some(datetime!(2025-02-03 09:00 +07:00)));
    assert_eq!(last.due_after, Some(datetime!(2025-02-04 09:00 +07:00)));
    assert_eq!(last.paused_minutes, Some(480));
}

async fn stale_version_changes_nothing(db: &TestDb) {
    let store = &db.store;
    seed(store).await;
    let (code, _) = register(store, T0, "Lê Văn Cường").await;
    act(
        store,
        &receiver(),
        T0,
        &code,
        Action::CompleteStep { note: None },
    )
    .await
    .unwrap();
    let before = store.scoped(Scope::All).dossier(&code).await.unwrap();
    let audit_before = store.verify_audit().await.unwrap().unwrap();
    let desk = scoped(store, A2).await;
    let complete = |version: i64, rules: RuleSet| {
        let (desk, code) = (desk.clone(), code.clone());
        async move {
            let action = Action::CompleteStep { note: None };
            desk.apply_action(&specialist(), T0, &code, version, &action, cal(), &rules)
                .await
                .unwrap_err()
        }
    };
    assert_eq!(complete(1, rules()).await.code, "version_conflict");
    // A dossier whose rule set is no longer configured is not judged by another one: 409
    // `rule_set_unknown`, nothing written.
    let other_rules = RuleSet {
        name: "bo-khac".into(),
        ..rules()
    };
    let e = complete(2, other_rules).await;
    assert_eq!(e.code, "rule_set_unknown");
    assert_eq!(
        store.scoped(Scope::All).dossier(&code).await.unwrap(),
        before
    );
    assert_eq!(store.verify_audit().await.unwrap().unwrap(), audit_before);
    assert_eq!(
        store
            .scoped(Scope::All)
            .dossier_events(&code)
            .await
            .unwrap()
            .len(),
        2
    );
}

async fn two_concurrent_actions_exactly_one_wins(db: &TestDb) {
    let store = &db.store;
    seed(store).await;
    for round in 0..3 {
        let (code, _) = register(store, T0, &format!("Người thứ {round}")).await;
        let s = scoped(store, A3).await;
        let mut tasks = Vec::new();
        for i in 0..2 {
            let s = s.clone();
            let code = code.clone();
            tasks.push(tokio::spawn(async move {
                let action = if i == 0 {
                    Action::CompleteStep { note: None }
                } else {
                    Action::Stop {
                        reason: "Người nộp đề nghị dừng".into(),
                    }
                };
                s.apply_action(&receiver(), T0, &code, 1, &action, cal(), &rules())
                    .await
            }));
        }
        let mut ok = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(_) => ok += 1,
                Err(e) => assert_eq!(e.code, "version_conflict"),
            }
        }
        assert_eq!(ok, 1, "exactly one of two concurrent actions wins");
        let d = store.scoped(Scope::All).dossier(&code).await.unwrap();
        assert_eq!(d.dossier.version, 2);
        assert_eq!(
            store
                .scoped(Scope::All)
                .dossier_events(&code)
                .await
                .unwrap()
                .len(),
            2
        );
    }
    // The loser changed nothing and the chain holds (PostgreSQL takes its head at commit).
    assert!(store.verify_audit().await.unwrap().is_ok());
}

async fn concurrent_actions_on_many_dossiers_keep_the_chain(db: &TestDb) {
    let store = &db.store;
    seed(store).await;
    let mut codes = Vec::new();
    for i in 0..12 {
        codes.push(register(store, T0, &format!("Người nộp {i}")).await.0);
    }
    let s = scoped(store, A3).await;
    // Every dossier twice at once (one of each pair wins), all dossiers at the same time.
    let mut tasks = Vec::new();
    for code in codes.iter().chain(codes.iter()) {
        let s = s.clone();
        let code = code.clone();
        tasks.push(tokio::spawn(async move {
            s.apply_action(
                &receiver(),
                T0,
                &code,
                1,
                &Action::CompleteStep { note: None },
                cal(),
                &rules(),
            )
            .await
            .is_ok()
        }));
    }
    let mut won = 0;
    for t in tasks {
        won += usize::from(t.await.unwrap());
    }
    assert_eq!(won, codes.len());
    for code in &codes {
        let d = store.scoped(Scope::All).dossier(code).await.unwrap();
        assert_eq!(d.dossier.version, 2);
    }
    // 12 intakes and 12 actions after the seed, chained without a gap.
    let entries = store.verify_audit().await.unwrap().unwrap();
    let actions = store
        .scoped(Scope::All)
        .audit(&motcua_store::AuditFilter::default(), 500)
        .await
        .unwrap()
        .items
        .iter()
        .filter(|a| a.action.starts_with("dossier.") && a.action != "dossier.register")
        .count();
    assert_eq!(actions, codes.len());
    assert!(entries >= 24);
}

/// Intakes and report-changing actions at one unit at the same time touch the same Biểu 06
/// counter row (same unit, field and day): none may fail (a deadlock between the counter row
/// and the audit head answered 500 under load on PostgreSQL), and the counters must equal the
/// scan afterwards.
async fn concurrent_intakes_and_stops_share_counter_rows(db: &TestDb) {
    let store = &db.store;
    seed(store).await;
    let mut codes = Vec::new();
    for i in 0..12 {
        codes.push(register(store, T0, &format!("Người nộp {i}")).await.0);
    }
    let s = scoped(store, A3).await;
    let mut tasks = Vec::new();
    for (i, code) in codes.iter().enumerate() {
        let (s1, s2, code) = (s.clone(), s.clone(), code.clone());
        tasks.push(tokio::spawn(async move {
            s1.register_dossier(
                "receiver.a",
                T0,
                intake("1.009999", &format!("Người nộp mới {i}")),
                cal(),
                &rules(),
            )
            .await
            .map(|_| ())
        }));
        tasks.push(tokio::spawn(async move {
            let stop = Action::Stop {
                reason: "Người nộp đề nghị dừng".into(),
            };
            s2.apply_action(&receiver(), T0, &code, 1, &stop, cal(), &rules())
                .await
                .map(|_| ())
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    store.verify_audit().await.unwrap().unwrap();
    let period = motcua_domain::report::ReportPeriod::parse("2026-Q4", false).unwrap();
    let rows = motcua_domain::report::RowsBy::Unit;
    let counted = store.bieu06(&period, ROOT, rows).await.unwrap();
    let scanned = store.bieu06_scan(&period, ROOT, rows).await.unwrap();
    assert_eq!(counted, scanned);
    // 24 received in the period; the 12 stopped ones left without a result, 12 pending.
    let t = &counted.total;
    assert_eq!(t.received_online + t.received_offline, 24);
    assert_eq!(t.left_without_result, 12);
    assert_eq!(t.pending_total(), 12);
}

async fn sixteen_concurrent_intakes_get_gap_free_codes(db: &TestDb) {
    let store = &db.store;
    seed(store).await;
    let desk = scoped(store, A3).await;
    // An incomplete dossier first: refused by the domain, it takes no number.
    let mut incomplete = intake("1.009999", "Thiếu Giấy Tờ");
    incomplete.documents.pop();
    let e = desk
        .register_dossier("receiver.a", T0, incomplete.clone(), cal(), &rules())
        .await
        .unwrap_err();
    assert_eq!(e.code, "checklist_incomplete");
    let missing = e.details.clone().unwrap()["missing"].clone();
    let slip = desk
        .record_intake_slip(
            "receiver.a",
            T0,
            NewIntakeSlip {
                kind: SlipKind::RequestToComplete,
                procedure_code: "1.009999".into(),
                channel: Channel::InPerson,
                applicant: incomplete.applicant.clone(),
                items: missing.clone(),
                note: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(slip.number, 1);
    assert_eq!(slip.unit_code, A3);
    assert_eq!(desk.intake_slip(slip.id).await.unwrap(), slip);
    scoped(store, B1)
        .await
        .intake_slip(slip.id)
        .await
        .unwrap_err();

    // Two server instances on the same database (issue 4: codes unique "even under concurrent
    // intake on several server instances"): every other intake goes through the second one.
    let other = Store::open(&db.url).await.unwrap();
    let other_desk = scoped(&other, A3).await;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let desk = if i % 2 == 0 {
            desk.clone()
        } else {
            other_desk.clone()
        };
        tasks.push(tokio::spawn(async move {
            desk.register_dossier(
                "receiver.a",
                T0 + time::Duration::seconds(i),
                intake("1.009999", &format!("Người nộp {i}")),
                cal(),
                &rules(),
            )
            .await
            .map(|r| r.dossier.code)
        }));
    }
    let mut codes = Vec::new();
    for t in tasks {
        codes.push(t.await.unwrap().unwrap());
    }
    codes.sort();
    let expected: Vec<String> = (1..=16).map(|i| format!("{A3}-261102-{i:04}")).collect();
    assert_eq!(codes, expected);
    other.close().await;
    // The next day starts again at 0001.
    let (code, _) = register(store, datetime!(2026-11-03 08:30 +07:00), "Hôm sau").await;
    assert_eq!(code, format!("{A3}-261103-0001"));
}

async fn out_of_scope_looks_missing(db: &TestDb) {
    let store = &db.store;
    seed(store).await;
    let (code, key) = register(store, T0, "Ngô Thị Dung").await;
    let b = scoped(store, B1).await;
    let leader_b = actor("leader.b", Role::Leader, B1);
    assert_eq!(
        b.dossier(&code).await.unwrap_err().code,
        "dossier_not_found"
    );
    assert_eq!(
        b.dossier_events(&code).await.unwrap_err().code,
        "dossier_not_found"
    );
    let e = b
        .apply_action(
            &leader_b,
            T0,
            &code,
            1,
            &Action::Stop {
                reason: "Chiếm quyền".into(),
            },
            cal(),
            &rules(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code, "dossier_not_found");
    // Same answer as for a code nobody registered.
    let ghost = b
        .apply_action(
            &leader_b,
            T0,
            "000.09.09.Z09-261102-0001",
            1,
            &Action::Stop {
                reason: "Chiếm quyền".into(),
            },
            cal(),
            &rules(),
        )
        .await
        .unwrap_err();
    assert_eq!((e.kind, e.code), (ghost.kind, ghost.code));
    assert!(
        b.inbox(&leader_b, &InboxFilter::default(), 50)
            .await
            .unwrap()
            .items
            .is_empty()
    );
    // B's desk cannot receive for A's procedure, nor A's desk for B's.
    let e = b
        .register_dossier("leader.b", T0, intake("1.009999", "X"), cal(), &rules())
        .await
        .unwrap_err();
    assert_eq!(e.code, "intake_out_of_scope");
    let e = scoped(store, A3)
        .await
        .register_dossier("receiver.a", T0, intake("1.008888", "X"), cal(), &rules())
        .await
        .unwrap_err();
    assert_eq!(e.code, "intake_out_of_scope");
    let e = scoped(store, A3)
        .await
        .register_dossier("receiver.a", T0, intake("1.000001", "X"), cal(), &rules())
        .await
        .unwrap_err();
    assert_eq!(e.code, "procedure_unknown");
    // Nothing changed.
    let d = store.scoped(Scope::All).dossier(&code).await.unwrap();
    assert_eq!(d.dossier.version, 1);
    assert!(store.public_dossier(&code, &key).await.is_ok());
}

async fn public_tracking_and_rating(db: &TestDb) {
    let store = &db.store;
    seed(store).await;
    let (code, key) = register(store, T0, "Đỗ Văn Em").await;
    let (rec, events) = store.public_dossier(&code, &key).await.unwrap();
    assert_eq!(rec.dossier.code, code);
    assert_eq!(events.len(), 1);
    // Typed back in lower case with spaces: still the key.
    let typed = format!("{} {}", &key[..16], &key[16..]).to_lowercase();
    assert!(store.public_dossier(&code, &typed).await.is_ok());
    let wrong = store.public_dossier(&code, "SAI-KHOA").await.unwrap_err();
    let missing = store
        .public_dossier("000.09.09.Z09-261102-0001", &key)
        .await
        .unwrap_err();
    assert_eq!((wrong.kind, &wrong.code), (missing.kind, &missing.code));
    assert_eq!(wrong.message, missing.message);
    assert_eq!(wrong.code, "dossier_not_found");

    // Rating only after the result was returned, once.
    let e = store
        .rate_dossier(T0, &code, &key, 5, None)
        .await
        .unwrap_err();
    assert_eq!(e.code, "rating_not_open");
    for (who, action) in [
        (receiver(), Action::CompleteStep { note: None }),
        (specialist(), Action::CompleteStep { note: None }),
        (leader(), Action::Approve { note: None }),
        (
            clerk(),
            Action::IssueResult {
                document_number: "7/GXN".into(),
                note: None,
            },
        ),
        (
            receiver(),
            Action::ReturnResult {
                to: "Đỗ Văn Em".into(),
                note: None,
            },
        ),
    ] {
        act(store, &who, T0, &code, action).await.unwrap();
    }
    assert_eq!(
        store
            .rate_dossier(T0, &code, &key, 6, None)
            .await
            .unwrap_err()
            .code,
        "rating_invalid"
    );
    assert_eq!(
        store
            .rate_dossier(T0, &code, "SAI", 5, None)
            .await
            .unwrap_err()
            .code,
        "dossier_not_found"
    );
    let r = store
        .rate_dossier(T0, &code, &key, 4, Some(" Cán bộ nhiệt tình "))
        .await
        .unwrap();
    assert_eq!(r.score, 4);
    assert_eq!(r.comment.as_deref(), Some("Cán bộ nhiệt tình"));
    assert_eq!(
        store
            .rate_dossier(T0, &code, &key, 5, None)
            .await
            .unwrap_err()
            .code,
        "rating_exists"
    );
    let (rec, _) = store.public_dossier(&code, &key).await.unwrap();
    assert_eq!(rec.rating.map(|r| r.score), Some(4));
    assert_eq!(
        audit_actions(store, &code).await.last().map(String::as_str),
        Some("dossier.rate")
    );
}

async fn inbox_order_filters_counters_and_paging(db: &TestDb) {
    let store = &db.store;
    seed(store).await;
    // Received on different days, so due instants differ (5 working days each).
    let names = [
        (datetime!(2026-10-26 09:00 +07:00), "Nguyễn Văn An"), // due 02/11 09:00
        (datetime!(2026-10-27 09:00 +07:00), "Trần Thị Bình"), // due 03/11 09:00
        (datetime!(2026-10-28 14:00 +07:00), "Nguyễn Thị Cúc"), // due 04/11 14:00
        (datetime!(2026-10-30 09:00 +07:00), "Lê Văn Dũng"),   // due 06/11 09:00
    ];
    let mut codes = Vec::new();
    for (at, name) in names {
        let (code, _) = register(store, at, name).await;
        codes.push(code);
    }
    // Every dossier leaves the desk for the specialists.
    for code in &codes {
        act(
            store,
            &receiver(),
            datetime!(2026-10-30 10:00 +07:00),
            code,
            Action::CompleteStep { note: None },
        )
        .await
        .unwrap();
    }
    let a2 = scoped(store, A2).await;
    let me = specialist();
    let page = a2.inbox(&me, &InboxFilter::default(), 50).await.unwrap();
    let got: Vec<&str> = page.items.iter().map(|i| i.code.as_str()).collect();
    assert_eq!(got, codes.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(page.next.is_none());
    // The desk's inbox is empty now; B sees nothing.
    assert!(
        scoped(store, A3)
            .await
            .inbox(&receiver(), &InboxFilter::default(), 50)
            .await
            .unwrap()
            .items
            .is_empty()
    );

    // Keyset paging, two at a time.
    let p1 = a2.inbox(&me, &InboxFilter::default(), 2).await.unwrap();
    assert_eq!(p1.items.len(), 2);
    let p2 = a2
        .inbox(
            &me,
            &InboxFilter {
                after: p1.next.clone(),
                ..Default::default()
            },
            2,
        )
        .await
        .unwrap();
    let mut paged: Vec<String> = p1.items.iter().map(|i| i.code.clone()).collect();
    paged.extend(p2.items.iter().map(|i| i.code.clone()));
    assert_eq!(paged, codes);
    assert!(p2.next.is_none());
    let bad = a2
        .inbox(
            &me,
            &InboxFilter {
                after: Some("xyz".into()),
                ..Default::default()
            },
            2,
        )
        .await
        .unwrap_err();
    assert_eq!(bad.code, "cursor_invalid");

    // Search ignores diacritics and case; code search too.
    let q = |s: &str| InboxFilter {
        query: Some(s.into()),
        ..Default::default()
    };
    let found = a2.inbox(&me, &q("nguyen"), 50).await.unwrap().items;
    assert_eq!(found.len(), 2);
    let found = a2.inbox(&me, &q("NGUYỄN cúc"), 50).await.unwrap().items;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].applicant_name, "Nguyễn Thị Cúc");
    let found = a2.inbox(&me, &q("261030"), 50).await.unwrap().items;
    assert_eq!(found.len(), 1);
    assert_eq!(
        a2.inbox(&me, &q("%"), 50).await.unwrap().items.len(),
        4,
        "a bare wildcard is no filter"
    );
    // Status, procedure, field, channel, received range.
    let f = InboxFilter {
        status: Some(Status::Processing),
        procedure: Some("1.009999".into()),
        field: Some("CS-QN".into()),
        channel: Some(Channel::InPerson),
        received_from: Some(datetime!(2026-10-27 00:00 +07:00)),
        received_to: Some(datetime!(2026-10-29 00:00 +07:00)),
        ..Default::default()
    };
    let found = a2.inbox(&me, &f, 50).await.unwrap().items;
    assert_eq!(
        found.iter().map(|i| i.code.as_str()).collect::<Vec<_>>(),
        vec![codes[1].as_str(), codes[2].as_str()]
    );
    let f = InboxFilter {
        channel: Some(Channel::Online),
        ..Default::default()
    };
    assert!(a2.inbox(&me, &f, 50).await.unwrap().items.is_empty());

    // Counters on Tue 03/11 10:00: 02/11 and 03/11 09:00 overdue; 04/11 14:00 within two
    // working days (until Thu 05/11 10:00); none due later today.
    let now = datetime!(2026-11-03 10:00 +07:00);
    let c = a2.inbox_counters(&me, now, cal()).await.unwrap();
    assert_eq!(
        (
            c.running,
            c.overdue,
            c.due_today,
            c.due_within_two_working_days
        ),
        (4, 2, 0, 1)
    );
    let c = a2
        .inbox_counters(&me, datetime!(2026-11-04 08:00 +07:00), cal())
        .await
        .unwrap();
    assert_eq!(
        (c.overdue, c.due_today, c.due_within_two_working_days),
        (2, 1, 1)
    );

    // Assigned to someone: it leaves the role inbox and appears in the person's.
    act(
        store,
        &leader(),
        now,
        &codes[3],
        Action::Assign {
            to: "specialist.a".into(),
        },
    )
    .await
    .unwrap();
    let other = actor("someone.else", Role::Specialist, A2);
    let items = a2
        .inbox(&other, &InboxFilter::default(), 50)
        .await
        .unwrap()
        .items;
    assert_eq!(items.len(), 3);
    let items = a2
        .inbox(&me, &InboxFilter::default(), 50)
        .await
        .unwrap()
        .items;
    assert_eq!(items.len(), 4);
    assert_eq!(items[3].assignee.as_deref(), Some("specialist.a"));
}

/// The person's own dossiers and the unassigned ones waiting for their role are read apart
/// and merged: one due order across both, and the keyset cursor crosses from one to the other.
async fn inbox_merges_assigned_and_unassigned_across_pages(db: &TestDb) {
    let store = &db.store;
    seed(store).await;
    let u = NewUser::parse(
        "specialist.c",
        "Đỗ Văn Ba",
        A2,
        &[Role::Specialist.as_str().to_string()],
    )
    .unwrap();
    store.create_user("admin", T0, &u, "x").await.unwrap();
    let names = [
        (datetime!(2026-10-26 09:00 +07:00), "Nguyễn Văn An"), // due 02/11, unassigned
        (datetime!(2026-10-27 09:00 +07:00), "Trần Thị Bình"), // due 03/11, specialist.a
        (datetime!(2026-10-28 09:00 +07:00), "Nguyễn Thị Cúc"), // due 04/11, specialist.c
        (datetime!(2026-10-29 09:00 +07:00), "Lê Văn Dũng"),   // due 05/11, specialist.a
        (datetime!(2026-10-30 09:00 +07:00), "Phạm Văn Em"),   // due 06/11, unassigned
    ];
    let mut codes = Vec::new();
    for (at, name) in names {
        let (code, _) = register(store, at, name).await;
        codes.push(code);
    }
    let now = datetime!(2026-10-30 10:00 +07:00);
    for code in &codes {
        act(
            store,
            &receiver(),
            now,
            code,
            Action::CompleteStep { note: None },
        )
        .await
        .unwrap();
    }
    for (i, to) in [
        (1, "specialist.a"),
        (2, "specialist.c"),
        (3, "specialist.a"),
    ] {
        act(
            store,
            &leader(),
            now,
            &codes[i],
            Action::Assign { to: to.into() },
        )
        .await
        .unwrap();
    }
    let a2 = scoped(store, A2).await;
    let me = specialist();
    let mine = [&codes[0], &codes[1], &codes[3], &codes[4]];

    let all = a2.inbox(&me, &InboxFilter::default(), 50).await.unwrap();
    let got: Vec<&String> = all.items.iter().map(|i| &i.code).collect();
    assert_eq!(got, mine);
    let assignees: Vec<Option<&str>> = all.items.iter().map(|i| i.assignee.as_deref()).collect();
    assert_eq!(
        assignees,
        [None, Some("specialist.a"), Some("specialist.a"), None]
    );
    assert!(all.next.is_none());

    // Pages of two and of three: the cursor crosses between both halves, nothing repeats.
    for size in [2, 3] {
        let mut paged = Vec::new();
        let mut after = None;
        let mut pages = 0;
        loop {
            let page = a2
                .inbox(
                    &me,
                    &InboxFilter {
                        after: after.clone(),
                        ..Default::default()
                    },
                    size,
                )
                .await
                .unwrap();
            pages += 1;
            assert!(page.items.len() <= size as usize);
            paged.extend(page.items.iter().map(|i| i.code.clone()));
            match page.next {
                Some(n) => after = Some(n),
                None => break,
            }
            assert!(pages < 5, "paging does not end");
        }
        assert_eq!(paged.iter().collect::<Vec<_>>(), mine, "pages of {size}");
        assert_eq!(pages, 2, "pages of {size}");
    }

    // Filters apply to both halves.
    let f = InboxFilter {
        received_from: Some(datetime!(2026-10-27 00:00 +07:00)),
        received_to: Some(datetime!(2026-10-30 00:00 +07:00)),
        ..Default::default()
    };
    let found = a2.inbox(&me, &f, 50).await.unwrap().items;
    let got: Vec<&String> = found.iter().map(|i| &i.code).collect();
    assert_eq!(got, [&codes[1], &codes[3]]);

    // The other specialist: their own and the unassigned ones.
    let other = actor("specialist.c", Role::Specialist, A2);
    let items = a2.inbox(&other, &InboxFilter::default(), 50).await.unwrap();
    let got: Vec<&String> = items.items.iter().map(|i| &i.code).collect();
    assert_eq!(got, [&codes[0], &codes[2], &codes[4]]);

    // Counters on Tue 03/11 10:00 count both halves: 02/11 and 03/11 overdue, 05/11 09:00
    // within two working days (until Thu 05/11 10:00).
    let c = a2
        .inbox_counters(&me, datetime!(2026-11-03 10:00 +07:00), cal())
        .await
        .unwrap();
    assert_eq!(
        (
            c.running,
            c.overdue,
            c.due_today,
            c.due_within_two_working_days
        ),
        (4, 2, 0, 1)
    );
    let c = a2
        .inbox_counters(&other, datetime!(2026-11-03 10:00 +07:00), cal())
        .await
        .unwrap();
    assert_eq!((c.running, c.overdue), (3, 1));
}

async fn intake_posted_twice_registers_once(db: &TestDb) {
    let store = &db.store;
    seed(store).await;
    let desk = scoped(store, A3).await;
    let first = desk
        .register_dossier_once(
            "receiver.a",
            T0,
            intake("1.009999", "Nguyễn Văn An"),
            "k-1",
            cal(),
            &rules(),
        )
        .await
        .unwrap();
    assert!(!first.replayed);
    assert_eq!(first.tracking_key.len(), 32);
    let audit_before = store.verify_audit().await.unwrap().unwrap();

    // The same form posted again (reload, double click): the first dossier, nothing written.
    let again = desk
        .register_dossier_once(
            "receiver.a",
            T0,
            intake("1.009999", "Nguyễn Văn An"),
            "k-1",
            cal(),
            &rules(),
        )
        .await
        .unwrap();
    assert!(again.replayed);
    assert!(again.tracking_key.is_empty(), "the key is given out once");
    assert_eq!(again.dossier.code, first.dossier.code);
    assert_eq!(store.verify_audit().await.unwrap().unwrap(), audit_before);

    // The same key for a different intake is refused; another officer's key is their own.
    let err = desk
        .register_dossier_once(
            "receiver.a",
            T0,
            intake("1.009999", "Trần Thị Bình"),
            "k-1",
            cal(),
            &rules(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, "idempotency_key_reused");
    let other = desk
        .register_dossier_once(
            "receiver.b",
            T0,
            intake("1.009999", "Nguyễn Văn An"),
            "k-1",
            cal(),
            &rules(),
        )
        .await
        .unwrap();
    assert!(!other.replayed);
    assert_eq!(
        other.dossier.code,
        format!("{A3}-261102-0002"),
        "no number was spent on the replay"
    );
}

conformance!(
    full_lifecycle_with_events_and_audit,
    pause_and_resume_across_tet_2025,
    stale_version_changes_nothing,
    two_concurrent_actions_exactly_one_wins,
    concurrent_actions_on_many_dossiers_keep_the_chain,
    concurrent_intakes_and_stops_share_counter_rows,
    sixteen_concurrent_intakes_get_gap_free_codes,
    out_of_scope_looks_missing,
    public_tracking_and_rating,
    inbox_order_filters_counters_and_paging,
    inbox_merges_assigned_and_unassigned_across_pages,
    intake_posted_twice_registers_once,
);
