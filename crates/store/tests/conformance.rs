//! The storage conformance suite: every test runs on SQLite and on PostgreSQL
//! (`<test>::sqlite`, `<test>::postgres`).

#![allow(clippy::unwrap_used)] // test helpers may panic: that is how a test fails

use motcua_domain::audit::ChainBreak;
use motcua_domain::import::{Format, parse_units};
use motcua_domain::scope::Scope;
use motcua_domain::unit::{NewUnit, UnitChange, UnitCode};
use motcua_domain::user::{NewUser, Role};
use motcua_store::testing::TestDb;
use motcua_store::{AuditFilter, Store, UnitFilter, conformance};
use time::OffsetDateTime;
use time::macros::datetime;

const T0: OffsetDateTime = datetime!(2026-11-02 09:00 +07:00);

fn unit(code: &str, name: &str, level: i32, parent: Option<&str>) -> NewUnit {
    NewUnit::parse(code, name, None, level, parent).unwrap()
}

/// Ministry root `BQP` with `C1` (level 1) > `C1.A` (2) > `C1.A.X` (3), and `C2` (1) > `C2.A` (2).
async fn seed(store: &Store) {
    for (code, name, level, parent) in [
        ("BQP", "Bộ Quốc phòng", 0, None),
        ("C1", "Cục Một", 1, Some("BQP")),
        ("C1.A", "Phòng A của Cục Một", 2, Some("C1")),
        ("C1.A.X", "Ban X", 3, Some("C1.A")),
        ("C2", "Cục Hai", 1, Some("BQP")),
        ("C2.A", "Phòng A của Cục Hai", 2, Some("C2")),
    ] {
        store
            .create_unit("admin", T0, &unit(code, name, level, parent))
            .await
            .unwrap();
    }
}

async fn codes_under(store: &Store, code: &str) -> Vec<String> {
    let mut codes: Vec<String> = store
        .scoped(Scope::All)
        .subtree(code, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.code)
        .collect();
    codes.sort();
    codes
}

async fn audit_count(store: &Store) -> i64 {
    store.verify_audit().await.unwrap().unwrap()
}

async fn units_form_a_tree(db: &TestDb) {
    let store = &db.store;
    seed(store).await;
    assert_eq!(store.unit_count().await.unwrap(), 6);
    let root = store.root_unit().await.unwrap().unwrap();
    assert_eq!(root.code, "BQP");
    assert_eq!(root.depth, 0);
    assert_eq!(codes_under(store, "C1").await, vec!["C1", "C1.A", "C1.A.X"]);
    let x = store.unit_by_code("C1.A.X").await.unwrap().unwrap();
    assert_eq!(x.depth, 3);
    assert_eq!(x.parent_code.as_deref(), Some("C1.A"));
    assert_eq!(store.subtree_count(&root.path).await.unwrap(), 6);

    let all = store.scoped(Scope::All);
    let children: Vec<_> = all
        .children("BQP")
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.code)
        .collect();
    assert_eq!(children, vec!["C1", "C2"]);

    // Collisions, missing parents, a second root and shallow children are refused.
    let err = store
        .create_unit("admin", T0, &unit("C1", "Trùng", 1, Some("BQP")))
        .await
        .unwrap_err();
    assert_eq!(err.code, "unit_code_taken");
    let err = store
        .create_unit("admin", T0, &unit("Z", "Mồ côi", 1, Some("NOPE")))
        .await
        .unwrap_err();
    assert_eq!(err.code, "unit_parent_missing");
    let err = store
        .create_unit("admin", T0, &unit("ROOT2", "Bộ khác", 0, None))
        .await
        .unwrap_err();
    assert_eq!(err.code, "unit_root_exists");
    let err = store
        .create_unit("admin", T0, &unit("Z", "Sai cấp", 1, Some("C1")))
        .await
        .unwrap_err();
    assert_eq!(err.code, "unit_level_invalid");
    assert_eq!(store.unit_count().await.unwrap(), 6);
    assert_eq!(audit_count(store).await, 6);
}

async fn subtrees_move_with_their_descendants(db: &TestDb) {
    let store = &db.store;
    seed(store).await;
    let all = store.scoped(Scope::All);
    let c1a = all.unit("C1.A").await.unwrap();
    let change = UnitChange {
        parent: Some(UnitCode::parse("C2").unwrap()),
        ..Default::default()
    };
    let moved = all
        .change_unit("admin", T0, "C1.A", c1a.version, &change)
        .await
        .unwrap();
    assert_eq!(moved.parent_code.as_deref(), Some("C2"));
    assert_eq!(moved.version, c1a.version + 1);
    assert_eq!(
        codes_under(store, "C2").await,
        vec!["C2", "C2.A", "C1.A", "C1.A.X"]
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>()
            .tap_sort()
    );
    assert_eq!(codes_under(store, "C1").await, vec!["C1"]);
    let x = all.unit("C1.A.X").await.unwrap();
    assert!(x.path.starts_with(&moved.path));

    // Under its own descendant: refused, nothing changes.
    let c2 = all.unit("C2").await.unwrap();
    let change = UnitChange {
        parent: Some(UnitCode::parse("C1.A.X").unwrap()),
        ..Default::default()
    };
    let before = audit_count(store).await;
    let err = all
        .change_unit("admin", T0, "C1.A", moved.version, &change)
        .await
        .unwrap_err();
    assert_eq!(err.code, "unit_move_into_descendant");
    let err = all
        .change_unit(
            "admin",
            T0,
            "C2",
            c2.version,
            &UnitChange {
                parent: Some(UnitCode::parse("C2.A").unwrap()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, "unit_move_into_descendant");
    assert_eq!(audit_count(store).await, before);
    assert_eq!(all.unit("C1.A").await.unwrap(), moved);

    // A stale version is a conflict and changes nothing.
    let rename = UnitChange {
        name: Some("Tên mới".into()),
        ..Default::default()
    };
    let err = all
        .change_unit("admin", T0, "C1.A", c1a.version, &rename)
        .await
        .unwrap_err();
    assert_eq!(err.code, "version_conflict");
    assert_eq!(all.unit("C1.A").await.unwrap().name, "Phòng A của Cục Một");
}

trait TapSort {
    fn tap_sort(self) -> Self;
}
impl TapSort for Vec<String> {
    fn tap_sort(mut self) -> Self {
        self.sort();
        self
    }
}

async fn units_rename_deactivate_and_search(db: &TestDb) {
    let store = &db.store;
    seed(store).await;
    let all = store.scoped(Scope::All);
    let c2 = all.unit("C2").await.unwrap();
    let change = UnitChange {
        name: Some("Cục Quân y".into()),
        short_name: Some(Some("CQY".into())),
        ..Default::default()
    };
    let renamed = all
        .change_unit("admin", T0, "C2", c2.version, &change)
        .await
        .unwrap();
    assert_eq!(renamed.name, "Cục Quân y");
    assert_eq!(renamed.short_name.as_deref(), Some("CQY"));

    // Search ignores diacritics and case.
    let found = all
        .list_units(
            &UnitFilter {
                query: Some("QUAN Y".into()),
                ..Default::default()
            },
            50,
        )
        .await
        .unwrap();
    assert_eq!(
        found
            .items
            .iter()
            .map(|u| u.code.as_str())
            .collect::<Vec<_>>(),
        vec!["C2"]
    );
    let found = all
        .list_units(
            &UnitFilter {
                query: Some("phong a".into()),
                ..Default::default()
            },
            50,
        )
        .await
        .unwrap();
    assert_eq!(found.items.len(), 2);
    // LIKE wildcards in the query are taken literally.
    let found = all
        .list_units(
            &UnitFilter {
                query: Some("%".into()),
                ..Default::default()
            },
            50,
        )
        .await
        .unwrap();
    assert!(found.items.is_empty());

    let off = UnitChange {
        active: Some(false),
        ..Default::default()
    };
    let deactivated = all.change_unit("admin", T0, "C2.A", 1, &off).await.unwrap();
    assert!(!deactivated.active);
    let err = all
        .change_unit("admin", T0, "BQP", 1, &off)
        .await
        .unwrap_err();
    assert_eq!(err.code, "unit_root_deactivate");
    // No new children under an inactive unit.
    let err = store
        .create_unit("admin", T0, &unit("C2.A.1", "Con", 3, Some("C2.A")))
        .await
        .unwrap_err();
    assert_eq!(err.code, "unit_parent_inactive");
    let active = all
        .list_units(
            &UnitFilter {
                active: Some(true),
                ..Default::default()
            },
            50,
        )
        .await
        .unwrap();
    assert_eq!(active.items.len(), 5);
}

async fn unit_lists_page_by_keyset(db: &TestDb) {
    let store = &db.store;
    seed(store).await;
    let all = store.scoped(Scope::All);
    let mut seen = Vec::new();
    let mut filter = UnitFilter::default();
    loop {
        let page = all.list_units(&filter, 4).await.unwrap();
        seen.extend(page.items.iter().map(|u| u.code.clone()));
        match page.next {
            Some(next) => filter.after = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, vec!["BQP", "C1", "C1.A", "C1.A.X", "C2", "C2.A"]);
    let level2 = all
        .list_units(
            &UnitFilter {
                level: Some(2),
                ..Default::default()
            },
            50,
        )
        .await
        .unwrap();
    assert_eq!(level2.items.len(), 2);
}

async fn imports_are_all_or_nothing(db: &TestDb) {
    let store = &db.store;
    seed(store).await;
    let before = audit_count(store).await;
    // Row 3 collides with an existing unit; row 4 depends on it. Nothing may be written.
    let bad = "code,name,level,parent_code\nN1,Cục Mới,1,BQP\nC1,Trùng mã,1,BQP\nN1.A,Phòng,2,N1\n";
    let rows = parse_units(Format::Csv, bad).unwrap();
    let err = store.import_units("admin", T0, &rows).await.unwrap_err();
    assert_eq!(err.code, "import_invalid");
    let lines: Vec<u64> = err.details.unwrap()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, vec![3]);
    assert!(store.unit_by_code("N1").await.unwrap().is_none());
    assert_eq!(audit_count(store).await, before);

    let good = r#"[
        {"code": "N1.A", "name": "Phòng", "level": 2, "parent_code": "N1"},
        {"code": "N1", "name": "Cục Mới", "short_name": "CM", "level": 1, "parent_code": "BQP"}
    ]"#;
    let rows = parse_units(Format::Json, good).unwrap();
    assert_eq!(store.import_units("admin", T0, &rows).await.unwrap(), 2);
    assert_eq!(codes_under(store, "N1").await, vec!["N1", "N1.A"]);
    assert_eq!(audit_count(store).await, before + 2);
}

async fn people_belong_to_units(db: &TestDb) {
    let store = &db.store;
    seed(store).await;
    let new = NewUser::parse(
        "lan",
        "Nguyễn Thị Lan",
        "C1.A",
        &["specialist".into(), "receiver".into()],
    )
    .unwrap();
    let lan = store
        .create_user("admin", T0, &new, "hash-1")
        .await
        .unwrap();
    assert_eq!(lan.roles, vec![Role::Specialist, Role::Receiver]);
    assert_eq!(lan.unit_code, "C1.A");
    let err = store
        .create_user("admin", T0, &new, "hash-1")
        .await
        .unwrap_err();
    assert_eq!(err.code, "username_taken");
    let orphan = NewUser::parse("mai", "Mai", "NOPE", &["leader".into()]).unwrap();
    assert_eq!(
        store
            .create_user("admin", T0, &orphan, "h")
            .await
            .unwrap_err()
            .code,
        "unit_not_found"
    );

    let creds = store.credentials("lan").await.unwrap().unwrap();
    assert_eq!(creds.password_hash, "hash-1");
    assert_eq!(store.user_count().await.unwrap(), 1);

    // A new password ends the person's sessions.
    let later = T0 + time::Duration::hours(1);
    store
        .create_session(T0, &lan, "tok-1", "web", later)
        .await
        .unwrap();
    assert!(store.session("tok-1", "web", T0).await.unwrap().is_some());
    store
        .set_password("admin", T0, "lan", "hash-2")
        .await
        .unwrap();
    assert!(store.session("tok-1", "web", T0).await.unwrap().is_none());
    assert_eq!(
        store
            .credentials("lan")
            .await
            .unwrap()
            .unwrap()
            .password_hash,
        "hash-2"
    );
    assert_eq!(
        store
            .set_password("admin", T0, "nobody", "h")
            .await
            .unwrap_err()
            .code,
        "user_not_found"
    );
}

async fn scope_hides_other_units(db: &TestDb) {
    let store = &db.store;
    seed(store).await;
    let c1 = store.unit_by_code("C1").await.unwrap().unwrap();
    let scoped = store.scoped(Scope::Subtree(c1.path.clone()));
    assert!(scoped.unit("C1.A.X").await.is_ok());
    for code in ["C2", "C2.A", "BQP"] {
        assert_eq!(scoped.unit(code).await.unwrap_err().code, "unit_not_found");
        assert_eq!(
            scoped.children(code).await.unwrap_err().code,
            "unit_not_found"
        );
        assert_eq!(
            scoped.subtree(code, 10).await.unwrap_err().code,
            "unit_not_found"
        );
    }
    let listed: Vec<_> = scoped
        .list_units(&UnitFilter::default(), 50)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|u| u.code)
        .collect();
    assert_eq!(listed, vec!["C1", "C1.A", "C1.A.X"]);
    assert_eq!(scoped.top_units().await.unwrap()[0].code, "C1");

    // Writes outside the scope are refused as if the target did not exist.
    let err = scoped
        .create_unit("u", T0, &unit("C2.B", "Phòng B", 2, Some("C2")))
        .await
        .unwrap_err();
    assert_eq!(err.code, "unit_parent_missing");
    let err = scoped
        .change_unit(
            "u",
            T0,
            "C2",
            1,
            &UnitChange {
                name: Some("X".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, "unit_not_found");
    let err = scoped
        .change_unit(
            "u",
            T0,
            "C1.A",
            1,
            &UnitChange {
                parent: Some(UnitCode::parse("C2").unwrap()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, "unit_parent_missing");
    assert_eq!(
        scoped
            .create_unit("u", T0, &unit("R", "Gốc", 0, None))
            .await
            .unwrap_err()
            .code,
        "forbidden"
    );
    let rows = parse_units(Format::Csv, "code,name,level,parent_code\nC1.B,B,2,C1\n").unwrap();
    assert_eq!(
        scoped.import_units("u", T0, &rows).await.unwrap_err().code,
        "forbidden"
    );

    let other = NewUser::parse("hai", "Hải", "C2", &["leader".into()]).unwrap();
    assert_eq!(
        scoped
            .create_user("u", T0, &other, "h")
            .await
            .unwrap_err()
            .code,
        "unit_not_found"
    );
    store.create_user("admin", T0, &other, "h").await.unwrap();
    let mine = NewUser::parse("mot", "Một", "C1.A", &["leader".into()]).unwrap();
    scoped.create_user("u", T0, &mine, "h").await.unwrap();
    let users: Vec<_> = scoped
        .list_users(None, None, 50)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|u| u.username)
        .collect();
    assert_eq!(users, vec!["mot"]);
    assert_eq!(scoped.user("hai").await.unwrap_err().code, "user_not_found");

    // The audit log is scoped too: the entry about C2's leader is invisible here.
    let audit = scoped.audit(&AuditFilter::default(), 100).await.unwrap();
    assert!(
        audit
            .items
            .iter()
            .all(|e| e.object_id != "hai" && !e.object_id.starts_with("C2"))
    );
    assert!(audit.items.iter().any(|e| e.object_id == "mot"));
}

async fn sessions_expire_and_end(db: &TestDb) {
    let store = &db.store;
    seed(store).await;
    let new = NewUser::parse("lan", "Lan", "C1", &["leader".into()]).unwrap();
    let lan = store.create_user("admin", T0, &new, "h").await.unwrap();
    let expires = T0 + time::Duration::minutes(30);
    store
        .create_session(T0, &lan, "abc", "api", expires)
        .await
        .unwrap();
    let found = store
        .session("abc", "api", T0 + time::Duration::minutes(29))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.user.username, "lan");
    assert!(
        store.session("abc", "web", T0).await.unwrap().is_none(),
        "an API token is not a web session"
    );
    assert!(
        store
            .session("abc", "api", expires)
            .await
            .unwrap()
            .is_none(),
        "expired at its expiry instant"
    );
    assert!(store.session("nope", "api", T0).await.unwrap().is_none());
    // Another instance on the same database sees the session, and its end, at once: nothing
    // is cached (SQLite reads sessions on connections of their own, point_reads.rs).
    let other = Store::open(&db.url).await.unwrap();
    assert!(other.session("abc", "api", T0).await.unwrap().is_some());
    store.delete_session(T0, &lan, "abc").await.unwrap();
    assert!(store.session("abc", "api", T0).await.unwrap().is_none());
    assert!(
        other.session("abc", "api", T0).await.unwrap().is_none(),
        "signed out on one instance, refused on the other"
    );
    other.close().await;
    store
        .create_session(T0, &lan, "old", "web", T0)
        .await
        .unwrap();
    assert!(
        store
            .prune(T0 + time::Duration::seconds(1), T0)
            .await
            .unwrap()
            >= 1
    );
}

async fn sign_in_failures_are_counted_in_a_window(db: &TestDb) {
    let store = &db.store;
    seed(store).await;
    for i in 0..3 {
        store
            .record_login_failure(
                T0 + time::Duration::minutes(i),
                "lan",
                "wrong_password",
                true,
            )
            .await
            .unwrap();
    }
    store
        .record_login_failure(T0, "other", "unknown_user", true)
        .await
        .unwrap();
    store
        .record_login_failure(T0, "lan", "throttled", false)
        .await
        .unwrap();
    assert_eq!(store.login_failures_since("lan", T0).await.unwrap(), 3);
    assert_eq!(
        store
            .login_failures_since("lan", T0 + time::Duration::minutes(2))
            .await
            .unwrap(),
        1
    );
    let page = store
        .scoped(Scope::All)
        .audit(
            &AuditFilter {
                actor: Some("anonymous:lan".into()),
                ..Default::default()
            },
            10,
        )
        .await
        .unwrap();
    assert_eq!(page.items.len(), 4, "throttled tries are audited too");
    assert!(page.items.iter().all(|e| e.action == "auth.login_failed"));
}

async fn audit_chain_detects_hand_edits(db: &TestDb) {
    let store = &db.store;
    seed(store).await;
    assert_eq!(store.verify_audit().await.unwrap(), Ok(6));
    // The database itself refuses edits of audit rows...
    assert!(
        db.raw("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3")
            .await
            .is_err()
    );
    assert!(db.raw("DELETE FROM audit_log WHERE seq = 6").await.is_err());
    // ...so a hand edit must first remove the guard; verification still catches it.
    let drop_guard = match store.engine() {
        motcua_store::Engine::Sqlite => {
            "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;"
        }
        motcua_store::Engine::Postgres => {
            "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change;"
        }
    };
    db.raw(drop_guard).await.unwrap();
    db.raw("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3")
        .await
        .unwrap();
    assert_eq!(
        store.verify_audit().await.unwrap(),
        Err(ChainBreak::Content { seq: 3 })
    );
    db.raw("UPDATE audit_log SET actor = 'admin' WHERE seq = 3")
        .await
        .unwrap();
    assert_eq!(store.verify_audit().await.unwrap(), Ok(6));
    db.raw("DELETE FROM audit_log WHERE seq = 6").await.unwrap();
    assert_eq!(
        store.verify_audit().await.unwrap(),
        Err(ChainBreak::Truncated {
            last_seq: 5,
            head_seq: 6
        })
    );
}

async fn audit_log_filters(db: &TestDb) {
    let store = &db.store;
    seed(store).await;
    let all = store.scoped(Scope::All);
    let page = all
        .audit(
            &AuditFilter {
                object_id: Some("C1".into()),
                ..Default::default()
            },
            10,
        )
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].action, "unit.create");
    let page = all.audit(&AuditFilter::default(), 4).await.unwrap();
    assert_eq!(
        page.items.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![6, 5, 4, 3]
    );
    assert_eq!(page.next.as_deref(), Some("3"));
    let rest = all
        .audit(
            &AuditFilter {
                before_seq: Some(3),
                ..Default::default()
            },
            4,
        )
        .await
        .unwrap();
    assert_eq!(
        rest.items.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![2, 1]
    );
    let t = motcua_store::to_micros(T0);
    let none = all
        .audit(
            &AuditFilter {
                from_us: Some(t + 1),
                ..Default::default()
            },
            10,
        )
        .await
        .unwrap();
    assert!(none.items.is_empty());
    let some = all
        .audit(
            &AuditFilter {
                from_us: Some(t),
                to_us: Some(t + 1),
                ..Default::default()
            },
            10,
        )
        .await
        .unwrap();
    assert_eq!(some.items.len(), 6);
}

async fn concurrent_writes_keep_the_chain(db: &TestDb) {
    let store = &db.store;
    seed(store).await;
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .create_unit(
                        "admin",
                        T0,
                        &unit(&format!("P{i:02}"), "Phòng", 2, Some("C1")),
                    )
                    .await
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(store.verify_audit().await.unwrap(), Ok(22));

    // Two edits from the same version: exactly one wins.
    let all = store.scoped(Scope::All);
    let version = all.unit("C2").await.unwrap().version;
    let edits: Vec<_> = ["Tên một", "Tên hai"]
        .into_iter()
        .map(|name| {
            let all = all.clone();
            tokio::spawn(async move {
                let change = UnitChange {
                    name: Some(name.into()),
                    ..Default::default()
                };
                all.change_unit("admin", T0, "C2", version, &change).await
            })
        })
        .collect();
    let mut results = Vec::new();
    for e in edits {
        results.push(e.await.unwrap());
    }
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
    assert_eq!(
        results
            .iter()
            .filter_map(|r| r.as_ref().err())
            .map(|e| e.code)
            .collect::<Vec<_>>(),
        vec!["version_conflict"]
    );
}

conformance!(
    units_form_a_tree,
    subtrees_move_with_their_descendants,
    units_rename_deactivate_and_search,
    unit_lists_page_by_keyset,
    imports_are_all_or_nothing,
    people_belong_to_units,
    scope_hides_other_units,
    sessions_expire_and_end,
    sign_in_failures_are_counted_in_a_window,
    audit_chain_detects_hand_edits,
    audit_log_filters,
    concurrent_writes_keep_the_chain,
);
