//! Conformance of the procedure catalogue's storage: every test runs on SQLite and on
//! PostgreSQL (`<test>::sqlite`, `<test>::postgres`).

#![allow(clippy::unwrap_used)] // test helpers may panic: that is how a test fails

use motcua_domain::ErrorKind;
use motcua_domain::procedure::{DEFAULT_MINUTES_PER_DAY, NewProcedure, Procedure};
use motcua_domain::scope::Scope;
use motcua_domain::unit::NewUnit;
use motcua_store::testing::TestDb;
use motcua_store::{AuditFilter, ProcedureFilter, Store, conformance};
use time::OffsetDateTime;
use time::macros::datetime;

const T0: OffsetDateTime = datetime!(2026-11-02 09:00 +07:00);

/// Ministry root `BQP` with `C1` > `C1.A`, and `C2`.
async fn seed(store: &Store) {
    for (code, name, level, parent) in [
        ("BQP", "Bộ Quốc phòng", 0, None),
        ("C1", "Cục Chính sách", 1, Some("BQP")),
        ("C1.A", "Phòng Chế độ", 2, Some("C1")),
        ("C2", "Cục Quân lực", 1, Some("BQP")),
    ] {
        let unit = NewUnit::parse(code, name, None, level, parent).unwrap();
        store.create_unit("admin", T0, &unit).await.unwrap();
    }
}

fn new_procedure(code: &str, name: &str, field: &str, unit: &str) -> NewProcedure {
    serde_json::from_value(serde_json::json!({
        "code": code,
        "name": name,
        "field": { "code": field, "name": format!("Lĩnh vực {field}") },
        "level": "Cấp Bộ",
        "implementing_unit": unit,
        "channels": [
            { "channel": "in_person", "limit": { "amount": 5, "unit": "working_days" }, "fee_vnd": 0 },
            { "channel": "online", "limit": { "amount": 5, "unit": "working_days" }, "fee_vnd": 0 }
        ],
        "documents": [
            { "key": "don_de_nghi", "name": "Đơn đề nghị (theo mẫu)", "copy_kind": "original", "count": 1 }
        ],
        "results": ["Giấy xác nhận"],
        "legal_basis": ["Nghị định 118/2025/NĐ-CP"],
        "online_level": "partial",
        "workflow": { "steps": [
            { "key": "tiep_nhan", "name": "Tiếp nhận", "role": "receiver", "unit": "owner", "budget_minutes": 120 },
            { "key": "tham_dinh", "name": "Thẩm định", "role": "specialist", "unit": "owner", "budget_minutes": 1200 },
            { "key": "phe_duyet", "name": "Phê duyệt", "role": "leader", "unit": "owner", "budget_minutes": 1080 }
        ]}
    }))
    .unwrap()
}

fn parsed(code: &str, name: &str, field: &str, unit: &str) -> Procedure {
    Procedure::parse(
        new_procedure(code, name, field, unit),
        DEFAULT_MINUTES_PER_DAY,
    )
    .unwrap()
}

async fn audit_count(store: &Store) -> i64 {
    store.verify_audit().await.unwrap().unwrap()
}

async fn versions_accumulate(db: &TestDb) {
    let store = &db.store;
    seed(store).await;
    assert!(store.procedure("1.009999").await.unwrap().is_none());
    let p = parsed("1.009999", "Xác nhận thời gian công tác", "CS-QN", "C1");
    let v1 = store.save_procedure("admin", T0, &p).await.unwrap();
    assert_eq!(v1.version, 1);
    assert_eq!(v1.to_new(), p.to_new());

    let mut changed = p.clone();
    changed.name = "Xác nhận thời gian công tác trong quân đội".into();
    let v2 = store.save_procedure("cchc", T0, &changed).await.unwrap();
    assert_eq!(v2.version, 2);

    let latest = store.procedure("1.009999").await.unwrap().unwrap();
    assert_eq!(latest, v2);
    let old = store
        .procedure_version("1.009999", 1)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(old, v1);
    assert_eq!(old.name, "Xác nhận thời gian công tác");
    assert!(
        store
            .procedure_version("1.009999", 3)
            .await
            .unwrap()
            .is_none()
    );
    // The list shows one line per procedure: the latest version.
    let page = store
        .scoped(Scope::All)
        .procedures(&ProcedureFilter::default(), 50)
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].version, 2);
    assert_eq!(page.items[0].saved_by, "cchc");
    assert_eq!(page.items[0].implementing_unit, "C1");
    assert_eq!(page.items[0].implementing_unit_name, "Cục Chính sách");
}

async fn saves_are_audited(db: &TestDb) {
    let store = &db.store;
    seed(store).await;
    let before = audit_count(store).await;
    let p = parsed("1.000948", "Cấp giấy chứng nhận", "QL", "C1.A");
    store.save_procedure("admin", T0, &p).await.unwrap();
    store.save_procedure("admin", T0, &p).await.unwrap();
    assert_eq!(audit_count(store).await, before + 2);
    let filter = AuditFilter {
        object_type: Some("procedure".into()),
        object_id: Some("1.000948".into()),
        ..AuditFilter::default()
    };
    let entries = store.scoped(Scope::All).audit(&filter, 10).await.unwrap();
    let actions: Vec<&str> = entries.items.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["procedure.update", "procedure.create"]);
    assert!(entries.items[0].summary.contains("\"version\":2"));
    // The entries belong to the implementing unit, so its scope reads them.
    let unit = store.unit_by_code("C1.A").await.unwrap().unwrap();
    let scoped = store.scoped(Scope::Subtree(unit.path));
    assert_eq!(scoped.audit(&filter, 10).await.unwrap().items.len(), 2);
}

async fn units_must_exist(db: &TestDb) {
    let store = &db.store;
    seed(store).await;
    let before = audit_count(store).await;
    let p = parsed("1.000001", "Thủ tục A", "QL", "C9");
    let err = store.save_procedure("admin", T0, &p).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unprocessable);
    assert_eq!(err.code, "unit_not_found");

    let mut steps_elsewhere = new_procedure("1.000002", "Thủ tục B", "QL", "C1");
    steps_elsewhere.workflow.steps[1].unit = motcua_domain::procedure::StepUnit::Unit("C7".into());
    let p = Procedure::parse(steps_elsewhere, DEFAULT_MINUTES_PER_DAY).unwrap();
    let err = store.save_procedure("admin", T0, &p).await.unwrap_err();
    assert_eq!(err.code, "unit_not_found");
    assert_eq!(err.details.unwrap()["field"], "workflow.steps[1].unit");

    // A scope that does not hold the implementing unit cannot save it.
    let c2 = store.unit_by_code("C2").await.unwrap().unwrap();
    let p = parsed("1.000003", "Thủ tục C", "QL", "C1");
    let err = store
        .scoped(Scope::Subtree(c2.path))
        .save_procedure("admin", T0, &p)
        .await
        .unwrap_err();
    assert_eq!(err.code, "unit_not_found");
    assert!(store.procedure("1.000001").await.unwrap().is_none());
    assert!(store.procedure("1.000002").await.unwrap().is_none());
    assert!(store.procedure("1.000003").await.unwrap().is_none());
    assert_eq!(audit_count(store).await, before);
}

async fn invalid_budgets_never_reach_storage(db: &TestDb) {
    let store = &db.store;
    seed(store).await;
    let mut bad = new_procedure("1.000004", "Thủ tục D", "QL", "C1");
    bad.workflow.steps[2].budget_minutes = 60; // budgets no longer add up to 5 days
    let err = Procedure::parse(bad, DEFAULT_MINUTES_PER_DAY).unwrap_err();
    assert_eq!(err.code, "procedure_invalid");
    assert!(store.latest_procedures(None).await.unwrap().is_empty());
}

async fn batch_is_all_or_nothing(db: &TestDb) {
    let store = &db.store;
    seed(store).await;
    let before = audit_count(store).await;
    let good = parsed("1.000005", "Thủ tục E", "QL", "C1");
    let bad_unit = parsed("1.000006", "Thủ tục F", "QL", "C8");
    let err = store
        .save_procedures("admin", T0, &[good.clone(), bad_unit])
        .await
        .unwrap_err();
    assert_eq!(err.code, "unit_not_found");
    let details = err.details.unwrap();
    assert_eq!(details["index"], 1);
    assert_eq!(details["procedure"], "1.000006");
    assert!(store.procedure("1.000005").await.unwrap().is_none());
    assert_eq!(audit_count(store).await, before);

    let err = store
        .save_procedures("admin", T0, &[good.clone(), good.clone()])
        .await
        .unwrap_err();
    assert_eq!(err.code, "procedure_duplicate");

    let other = parsed("1.000007", "Thủ tục G", "QL", "C2");
    let saved = store
        .save_procedures("admin", T0, &[good, other])
        .await
        .unwrap();
    assert_eq!(saved.len(), 2);
    assert_eq!(audit_count(store).await, before + 2);
    let codes: Vec<String> = store
        .latest_procedures(None)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.code)
        .collect();
    assert_eq!(codes, ["1.000005", "1.000007"]);
    let one = store.latest_procedures(Some("1.000007")).await.unwrap();
    assert_eq!(one.len(), 1);
}

async fn list_filters_and_pages(db: &TestDb) {
    let store = &db.store;
    seed(store).await;
    let items = [
        parsed("1.000010", "Xác nhận thời gian công tác", "CS-QN", "C1"),
        parsed(
            "1.000011",
            "Giải quyết chế độ trợ cấp một lần",
            "CS-QN",
            "C1.A",
        ),
        parsed("1.000012", "Đăng ký nghĩa vụ quân sự", "QL", "C2"),
        parsed("2.000013", "Cấp giấy phép", "QL", "C2"),
    ];
    store.save_procedures("admin", T0, &items).await.unwrap();
    // Keyset pages in code order.
    let scoped = store.scoped(Scope::All);
    let mut filter = ProcedureFilter::default();
    let first = scoped.procedures(&filter, 3).await.unwrap();
    assert_eq!(first.items.len(), 3);
    assert_eq!(first.next.as_deref(), Some("1.000012"));
    filter.after = first.next;
    let second = scoped.procedures(&filter, 3).await.unwrap();
    let codes: Vec<&str> = second.items.iter().map(|p| p.code.as_str()).collect();
    assert_eq!(codes, ["2.000013"]);
    assert!(second.next.is_none());

    let codes = |page: motcua_store::Page<motcua_store::ProcedureSummary>| -> Vec<String> {
        page.items.into_iter().map(|p| p.code).collect()
    };
    let by_field = ProcedureFilter {
        field: Some("CS-QN".into()),
        ..ProcedureFilter::default()
    };
    assert_eq!(
        codes(scoped.procedures(&by_field, 50).await.unwrap()),
        ["1.000010", "1.000011"]
    );
    // Text search ignores diacritics and case.
    let by_text = ProcedureFilter {
        query: Some("tro cap".into()),
        ..ProcedureFilter::default()
    };
    assert_eq!(
        codes(scoped.procedures(&by_text, 50).await.unwrap()),
        ["1.000011"]
    );
    let by_text = ProcedureFilter {
        query: Some("NGHĨA VỤ".into()),
        ..ProcedureFilter::default()
    };
    assert_eq!(
        codes(scoped.procedures(&by_text, 50).await.unwrap()),
        ["1.000012"]
    );
    // A percent sign is a character, not a wildcard.
    let by_text = ProcedureFilter {
        query: Some("%".into()),
        ..ProcedureFilter::default()
    };
    assert!(
        scoped
            .procedures(&by_text, 50)
            .await
            .unwrap()
            .items
            .is_empty()
    );
    let by_unit = ProcedureFilter {
        unit: Some("C2".into()),
        ..ProcedureFilter::default()
    };
    assert_eq!(
        codes(scoped.procedures(&by_unit, 50).await.unwrap()),
        ["1.000012", "2.000013"]
    );
    // The catalogue is public: a narrow scope still reads all of it.
    let c2 = store.unit_by_code("C2").await.unwrap().unwrap();
    let narrow = store.scoped(Scope::Subtree(c2.path));
    assert_eq!(
        narrow
            .procedures(&ProcedureFilter::default(), 50)
            .await
            .unwrap()
            .items
            .len(),
        4
    );
    assert_eq!(narrow.procedure("1.000010", None).await.unwrap().version, 1);
    let missing = narrow.procedure("1.000010", Some(2)).await.unwrap_err();
    assert_eq!(missing.code, "procedure_not_found");
    assert_eq!(missing.kind, ErrorKind::NotFound);
}

conformance!(
    versions_accumulate,
    saves_are_audited,
    units_must_exist,
    invalid_budgets_never_reach_storage,
    batch_is_all_or_nothing,
    list_filters_and_pages,
);
