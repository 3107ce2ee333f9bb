//! Conformance of unit e-government facts on SQLite and PostgreSQL (`<test>::sqlite`,
//! `<test>::postgres`): seeded kinds, history and the value in force as of a date, coverage by
//! level and totals within a subtree, corrections, scope, and all-or-nothing batches.

#![allow(clippy::unwrap_used)] // test helpers may panic: that is how a test fails

use motcua_domain::egov::{NewFactKind, ValueType, parse_facts_csv};
use motcua_domain::scope::Scope;
use motcua_domain::unit::NewUnit;
use motcua_store::testing::TestDb;
use motcua_store::{AuditFilter, NewFact, Store, conformance};
use time::macros::{date, datetime};
use time::{Date, OffsetDateTime};

const ROOT: &str = "000.00.00.G00";
const T0: OffsetDateTime = datetime!(2022-12-01 09:00 +07:00);

fn fact(unit: &str, kind: &str, value: i64, valid_from: Date) -> NewFact {
    NewFact {
        unit_code: unit.into(),
        kind: kind.into(),
        value,
        valid_from,
        note: None,
    }
}

/// The ministry root, `n1` level-I units, under the first of them `n2` level-II units and
/// under the first level-II unit `n3` level-III units. Returns the codes by level.
async fn tree(store: &Store, n1: usize, n2: usize, n3: usize) -> Vec<Vec<String>> {
    let root = NewUnit::parse(ROOT, "Bộ", None, 0, None).unwrap();
    store.create_unit("admin", T0, &root).await.unwrap();
    let mut levels = vec![vec![ROOT.to_string()], vec![], vec![], vec![]];
    for (level, n) in [(1usize, n1), (2, n2), (3, n3)] {
        if n == 0 {
            continue;
        }
        let parent = levels[level - 1][0].clone();
        for i in 0..n {
            let code = format!("L{level}.{i:03}");
            let u = NewUnit::parse(
                &code,
                &format!("Đơn vị {code}"),
                None,
                level as i32,
                Some(&parent),
            )
            .unwrap();
            store.create_unit("admin", T0, &u).await.unwrap();
            levels[level].push(code);
        }
    }
    levels
}

async fn kinds_are_seeded_and_configurable(db: &TestDb) {
    let store = &db.store;
    let kinds = store.fact_kinds().await.unwrap();
    let codes: Vec<_> = kinds.iter().map(|k| k.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "data_network",
            "email_accounts",
            "digital_workspace",
            "online_meetings",
            "task_tracking"
        ]
    );
    assert_eq!(kinds[1].value_type, ValueType::Count);
    assert!(kinds.iter().all(|k| k.active));
    let new = NewFactKind::parse("lgsp", "Kết nối qua LGSP", "boolean", true).unwrap();
    store.add_fact_kind("admin", T0, &new).await.unwrap();
    assert_eq!(
        store
            .add_fact_kind("admin", T0, &new)
            .await
            .unwrap_err()
            .code,
        "fact_kind_exists"
    );
    let kinds = store.fact_kinds().await.unwrap();
    assert_eq!(kinds.last().unwrap().code, "lgsp");
    let audit = store
        .scoped(Scope::All)
        .audit(
            &AuditFilter {
                object_type: Some("fact_kind".into()),
                ..Default::default()
            },
            10,
        )
        .await
        .unwrap();
    assert_eq!(audit.items.len(), 1);
    assert_eq!(audit.items[0].action, "fact_kind.add");
}

async fn history_and_as_of(db: &TestDb) {
    let store = &db.store;
    let levels = tree(store, 1, 0, 0).await;
    let unit = levels[1][0].as_str();
    store
        .record_facts_at(
            "reform",
            T0,
            &[fact(unit, "data_network", 0, date!(2022 - 01 - 01))],
        )
        .await
        .unwrap();
    store
        .record_facts_at(
            "reform",
            T0,
            &[fact(unit, "data_network", 1, date!(2022 - 07 - 01))],
        )
        .await
        .unwrap();
    // a late entry for an earlier date does not supersede the July value
    store
        .record_facts_at(
            "reform",
            datetime!(2022-12-02 09:00 +07:00),
            &[fact(unit, "data_network", 0, date!(2022 - 03 - 01))],
        )
        .await
        .unwrap();
    let scoped = store.scoped(Scope::All);
    let at = |d| {
        let scoped = scoped.clone();
        async move {
            scoped
                .unit_facts(unit, d)
                .await
                .unwrap()
                .current
                .get("data_network")
                .map(|f| f.value)
        }
    };
    assert_eq!(at(date!(2021 - 12 - 31)).await, None);
    assert_eq!(at(date!(2022 - 02 - 01)).await, Some(0));
    assert_eq!(at(date!(2022 - 06 - 30)).await, Some(0));
    assert_eq!(at(date!(2022 - 07 - 01)).await, Some(1));
    // a correction for the same date needs a reason, and then wins; nothing is lost
    let mut correction = fact(unit, "data_network", 0, date!(2022 - 07 - 01));
    assert_eq!(
        store
            .record_facts_at("reform", T0, std::slice::from_ref(&correction))
            .await
            .unwrap_err()
            .code,
        "fact_correction_reason_required"
    );
    correction.note = Some("Nhập nhầm: chưa kết nối".into());
    store
        .record_facts_at("reform", datetime!(2022-12-03 09:00 +07:00), &[correction])
        .await
        .unwrap();
    assert_eq!(at(date!(2022 - 09 - 30)).await, Some(0));
    let facts = scoped
        .unit_facts(unit, date!(2022 - 09 - 30))
        .await
        .unwrap();
    assert_eq!(facts.history.len(), 4);
    assert_eq!(
        facts.history[0].note.as_deref(),
        Some("Nhập nhầm: chưa kết nối")
    );
    assert_eq!(facts.history[0].recorded_by, "reform");
    // coverage follows the same rule
    let cov = store
        .fact_coverage(ROOT, "data_network", date!(2022 - 07 - 15))
        .await
        .unwrap();
    assert_eq!(cov[1].covered, 0);
    // one audit entry per single record
    let audit = scoped
        .audit(
            &AuditFilter {
                object_id: Some(unit.into()),
                ..Default::default()
            },
            50,
        )
        .await
        .unwrap();
    assert_eq!(
        audit
            .items
            .iter()
            .filter(|e| e.action == "unit_fact.record")
            .count(),
        4
    );
}

async fn coverage_by_level_and_totals(db: &TestDb) {
    let store = &db.store;
    // level I: 4 units, level II: 200 under the first, level III: 10 under the first level II
    let levels = tree(store, 4, 200, 10).await;
    let d = date!(2022 - 09 - 30);
    let mut facts = Vec::new();
    for (i, code) in levels[1].iter().enumerate() {
        facts.push(fact(code, "data_network", 1, d));
        facts.push(fact(code, "email_accounts", 1000 + i as i64, d));
    }
    for (i, code) in levels[2].iter().enumerate() {
        facts.push(fact(code, "data_network", i64::from(i < 135), d));
        facts.push(fact(code, "email_accounts", 100, d));
    }
    // level III: 3 of 10 yes, 4 no, 3 without any value
    for (i, code) in levels[3].iter().enumerate().take(7) {
        facts.push(fact(code, "data_network", i64::from(i < 3), d));
    }
    let written = store.record_facts_at("demo", T0, &facts).await.unwrap();
    assert_eq!(written, facts.len());
    // a later change supersedes from its date on
    store
        .record_facts_at(
            "demo",
            T0,
            &[fact(
                &levels[2][199],
                "data_network",
                1,
                date!(2022 - 10 - 01),
            )],
        )
        .await
        .unwrap();
    let cov = store.fact_coverage(ROOT, "data_network", d).await.unwrap();
    let got: Vec<_> = cov.iter().map(|c| (c.level, c.units, c.covered)).collect();
    assert_eq!(got, vec![(0, 1, 0), (1, 4, 4), (2, 200, 135), (3, 10, 3)]);
    let texts: Vec<_> = cov.iter().map(|c| c.percent_text().unwrap()).collect();
    assert_eq!(texts, ["0%", "100%", "67,5%", "30%"]);
    let later = store
        .fact_coverage(ROOT, "data_network", date!(2022 - 10 - 01))
        .await
        .unwrap();
    assert_eq!(later[2].covered, 136);
    let before = store
        .fact_coverage(ROOT, "data_network", date!(2022 - 09 - 29))
        .await
        .unwrap();
    assert!(before.iter().all(|c| c.covered == 0));
    // within a subtree: the first level-I unit and everything below it
    let sub = store
        .fact_coverage(&levels[1][0], "data_network", d)
        .await
        .unwrap();
    let got: Vec<_> = sub.iter().map(|c| (c.level, c.units, c.covered)).collect();
    assert_eq!(got, vec![(1, 1, 1), (2, 200, 135), (3, 10, 3)]);
    // totals
    let total = store.fact_total(ROOT, "email_accounts", d).await.unwrap();
    assert_eq!(total, (1000 + 1001 + 1002 + 1003) + 200 * 100);
    assert_eq!(
        store
            .fact_total(&levels[1][1], "email_accounts", d)
            .await
            .unwrap(),
        1001
    );
    assert_eq!(
        store
            .fact_total(ROOT, "email_accounts", date!(2022 - 01 - 01))
            .await
            .unwrap(),
        0
    );
    // inactive units are not counted
    let top = store.unit_by_code(&levels[1][3]).await.unwrap().unwrap();
    store
        .scoped(Scope::All)
        .change_unit(
            "admin",
            T0,
            &top.code,
            top.version,
            &motcua_domain::unit::UnitChange {
                active: Some(false),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let cov = store.fact_coverage(ROOT, "data_network", d).await.unwrap();
    assert_eq!((cov[1].units, cov[1].covered), (3, 3));
    // wrong kinds
    assert_eq!(
        store
            .fact_coverage(ROOT, "email_accounts", d)
            .await
            .unwrap_err()
            .code,
        "fact_kind_not_boolean"
    );
    assert_eq!(
        store
            .fact_total(ROOT, "data_network", d)
            .await
            .unwrap_err()
            .code,
        "fact_kind_not_count"
    );
    assert_eq!(
        store.fact_coverage(ROOT, "wifi", d).await.unwrap_err().code,
        "fact_kind_unknown"
    );
    assert_eq!(
        store
            .fact_coverage("NOPE", "data_network", d)
            .await
            .unwrap_err()
            .code,
        "unit_not_found"
    );
    // one audit entry for the batch
    let audit = store
        .scoped(Scope::All)
        .audit(
            &AuditFilter {
                object_type: Some("unit_facts".into()),
                ..Default::default()
            },
            10,
        )
        .await
        .unwrap();
    assert_eq!(audit.items.len(), 1);
    assert_eq!(audit.items[0].action, "unit_fact.import");
    assert!(db.store.verify_audit().await.unwrap().is_ok());
}

async fn batches_are_all_or_nothing(db: &TestDb) {
    let store = &db.store;
    let levels = tree(store, 3, 0, 0).await;
    let kinds = store.fact_kinds().await.unwrap();
    let csv = format!(
        "unit_code,kind,value,valid_from,note\n\
         {a},data_network,có,2022-09-30,\n\
         {b},email_accounts,1.200,30/09/2022,\n\
         KHONG.CO,data_network,có,2022-09-30,\n\
         {c},data_network,không,2022-09-30,\n",
        a = levels[1][0],
        b = levels[1][1],
        c = levels[1][2]
    );
    let rows = parse_facts_csv(&csv, &kinds, date!(2022 - 12 - 01)).unwrap();
    let err = store.import_facts("reform", T0, &rows).await.unwrap_err();
    assert_eq!(err.code, "import_invalid");
    let details = err.details.unwrap();
    assert_eq!(details["errors"].as_array().unwrap().len(), 1);
    assert_eq!(details["errors"][0]["line"], 4);
    assert_eq!(details["errors"][0]["code"], "unit_not_found");
    // nothing was written
    let d = date!(2022 - 09 - 30);
    assert_eq!(
        store.fact_total(ROOT, "email_accounts", d).await.unwrap(),
        0
    );
    let cov = store.fact_coverage(ROOT, "data_network", d).await.unwrap();
    assert_eq!(cov[1].covered, 0);
    let audit_before = store.verify_audit().await.unwrap().unwrap();
    // a future date in a batch rejects it too (bulk API, positions as lines)
    let bad = [
        fact(&levels[1][0], "data_network", 1, d),
        fact(&levels[1][1], "data_network", 1, date!(2022 - 12 - 02)),
        fact(&levels[1][2], "data_network", 2, d),
    ];
    let err = store.record_facts_at("demo", T0, &bad).await.unwrap_err();
    let lines: Vec<_> = err.details.unwrap()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().unwrap(),
                e["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            (2, "fact_date_in_future".to_string()),
            (3, "fact_value_invalid".to_string())
        ]
    );
    assert_eq!(store.verify_audit().await.unwrap().unwrap(), audit_before);
    // the fixed file goes in whole
    let csv = csv.replace(
        "KHONG.CO,data_network",
        &format!("{},online_meetings", levels[1][0]),
    );
    let rows = parse_facts_csv(&csv, &kinds, date!(2022 - 12 - 01)).unwrap();
    assert_eq!(store.import_facts("reform", T0, &rows).await.unwrap(), 4);
    assert_eq!(
        store.fact_total(ROOT, "email_accounts", d).await.unwrap(),
        1200
    );
    assert_eq!(
        store.fact_coverage(ROOT, "data_network", d).await.unwrap()[1].covered,
        1
    );
    // record_facts (the demo's call) uses the real clock: 2022 dates are in the past
    assert_eq!(
        store
            .record_facts("demo", &[fact(&levels[1][2], "task_tracking", 1, d)])
            .await
            .unwrap(),
        1
    );
}

async fn scope_hides_other_units(db: &TestDb) {
    let store = &db.store;
    let levels = tree(store, 2, 1, 0).await;
    let (mine, other) = (&levels[1][0], &levels[1][1]);
    let my_path = store.unit_by_code(mine).await.unwrap().unwrap().path;
    let scoped = store.scoped(Scope::Subtree(my_path));
    let d = date!(2022 - 09 - 30);
    assert_eq!(
        scoped
            .record_facts("reform", T0, &[fact(other, "data_network", 1, d)])
            .await
            .unwrap_err()
            .code,
        "unit_not_found"
    );
    assert_eq!(
        scoped.unit_facts(other, d).await.unwrap_err().code,
        "unit_not_found"
    );
    assert_eq!(
        scoped
            .fact_coverage(ROOT, "data_network", d)
            .await
            .unwrap_err()
            .code,
        "unit_not_found"
    );
    assert_eq!(
        scoped
            .fact_total(other, "email_accounts", d)
            .await
            .unwrap_err()
            .code,
        "unit_not_found"
    );
    let batch = [
        fact(mine, "data_network", 1, d),
        fact(&levels[2][0], "data_network", 1, d),
    ];
    assert_eq!(scoped.record_facts("reform", T0, &batch).await.unwrap(), 2);
    let cov = scoped.fact_coverage(mine, "data_network", d).await.unwrap();
    assert_eq!(cov.iter().map(|c| c.covered).sum::<u64>(), 2);
    // the batch's audit entry is visible within the scope
    let audit = scoped
        .audit(
            &AuditFilter {
                object_type: Some("unit_facts".into()),
                ..Default::default()
            },
            10,
        )
        .await
        .unwrap();
    assert_eq!(audit.items.len(), 1);
}

/// The demo's write: about 1.000 units × 5 kinds in one call, one transaction, one audit entry.
async fn a_ministry_in_one_batch(db: &TestDb) {
    use motcua_domain::import::ImportRow;
    let store = &db.store;
    let mut rows = vec![ImportRow {
        line: 1,
        unit: NewUnit::parse(ROOT, "Bộ", None, 0, None).unwrap(),
    }];
    for i in 0..1000 {
        let (level, parent) = match i {
            0..30 => (1, ROOT.to_string()),
            30..230 => (2, format!("U{:04}", i % 30)),
            _ => (3, format!("U{:04}", 30 + i % 200)),
        };
        let code = format!("U{i:04}");
        rows.push(ImportRow {
            line: i + 2,
            unit: NewUnit::parse(&code, "Đơn vị", None, level, Some(&parent)).unwrap(),
        });
    }
    store.import_units("admin", T0, &rows).await.unwrap();
    let d = date!(2022 - 09 - 30);
    let kinds = [
        "data_network",
        "email_accounts",
        "digital_workspace",
        "online_meetings",
        "task_tracking",
    ];
    let facts: Vec<NewFact> = (0..1000)
        .flat_map(|i| {
            kinds.iter().map(move |k| {
                let value = if *k == "email_accounts" {
                    30
                } else {
                    i64::from(i % 2 == 0)
                };
                fact(&format!("U{i:04}"), k, value, d)
            })
        })
        .collect();
    let started = std::time::Instant::now();
    assert_eq!(store.record_facts("demo", &facts).await.unwrap(), 5000);
    eprintln!(
        "record_facts 1.000 units × 5 kinds on {}: {:?}",
        store.engine().name(),
        started.elapsed()
    );
    let started = std::time::Instant::now();
    let cov = store.fact_coverage(ROOT, "data_network", d).await.unwrap();
    eprintln!("fact_coverage over 1.001 units: {:?}", started.elapsed());
    assert_eq!(cov.iter().map(|c| c.units).sum::<u64>(), 1001);
    assert_eq!(cov.iter().map(|c| c.covered).sum::<u64>(), 500);
    assert_eq!(
        store.fact_total(ROOT, "email_accounts", d).await.unwrap(),
        30_000
    );
}

conformance!(
    a_ministry_in_one_batch,
    kinds_are_seeded_and_configurable,
    history_and_as_of,
    coverage_by_level_and_totals,
    batches_are_all_or_nothing,
    scope_hides_other_units,
);
