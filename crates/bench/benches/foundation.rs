//! Foundation benchmarks: subtree queries over 10.000 units (materialised path against a
//! recursive walk of parent links, in the same run) on both engines, and sign-in cost.
//!
//! `cargo bench -p motcua-bench --bench foundation` (PostgreSQL at MOTCUA_TEST_POSTGRES_URL,
//! default postgres://postgres@127.0.0.1:5432/postgres; MOTCUA_TEST_POSTGRES=skip to skip it).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark that cannot set up should stop

use std::sync::Arc;
use std::time::{Duration, Instant};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::body::Body;
use axum::http::Request;
use motcua_bench::{ministry_rows, report, sample};
use motcua_domain::scope::Scope;
use motcua_server::{AppState, Config, ManualClock, bootstrap};
use motcua_store::testing::TestDb;
use motcua_store::{Store, UnitFilter};
use time::macros::datetime;
use tower::ServiceExt;

async fn subtree_bench(engine: &str, store: &Store) {
    // Root, 30 level-I, 300 level-II, 9.600 + 69 level-III units: 10.000.
    let rows = ministry_rows(30, 10, 32, 69);
    let start = Instant::now();
    store
        .import_units("bench", datetime!(2026-11-02 09:00 +07:00), &rows)
        .await
        .unwrap();
    println!(
        "\n[{engine}] imported {} units in {:.1} s (one audited transaction)",
        rows.len(),
        start.elapsed().as_secs_f64()
    );
    let root = store.unit_by_code("BQP").await.unwrap().unwrap();
    let l1 = store.unit_by_code("L1-07").await.unwrap().unwrap();
    assert_eq!(store.subtree_count(&root.path).await.unwrap(), 10_000);
    assert_eq!(
        store.subtree_count_by_parent_links(root.id).await.unwrap(),
        10_000
    );

    for (label, unit, n) in [
        ("whole ministry (10.000 units)", &root, 50),
        ("one level-I unit (331 units)", &l1, 500),
    ] {
        let path = unit.path.clone();
        let id = unit.id;
        let fast = sample(n, || async {
            std::hint::black_box(store.subtree_count(&path).await.unwrap());
        })
        .await;
        let base = sample(n, || async {
            std::hint::black_box(store.subtree_count_by_parent_links(id).await.unwrap());
        })
        .await;
        let a = report(
            &format!("[{engine}] count subtree, {label}: materialised path"),
            &fast,
        );
        let b = report(
            &format!("[{engine}] count subtree, {label}: recursive parent walk"),
            &base,
        );
        println!("[{engine}]   ratio path / recursive = {:.1}x", a / b);
    }
    // The scoped list a page or API call makes: first page of units in a level-I scope.
    let scoped = store.scoped(Scope::Subtree(l1.path.clone()));
    let page = sample(500, || async {
        std::hint::black_box(scoped.list_units(&UnitFilter::default(), 50).await.unwrap());
    })
    .await;
    report(
        &format!("[{engine}] scoped unit list, first 50 of a level-I scope"),
        &page,
    );
    let tree = sample(200, || async {
        std::hint::black_box(scoped.subtree("L1-07", 1000).await.unwrap());
    })
    .await;
    report(
        &format!("[{engine}] scoped subtree rows (331 units)"),
        &tree,
    );
}

fn argon2_verify_time(memory_kib: u32, passes: u32) -> Duration {
    let params = Params::new(memory_kib, passes, 1, None).unwrap();
    let hasher = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let salt = SaltString::generate(&mut OsRng);
    let runs = 10;
    let start = Instant::now();
    for _ in 0..runs {
        std::hint::black_box(hasher.hash_password(b"mat-khau-thu-nghiem", &salt).unwrap());
    }
    start.elapsed() / runs
}

async fn sign_in_bench() {
    println!("\nArgon2id cost per password check (one core), candidates for the parameters:");
    for (m, t) in [(19 * 1024, 2), (46 * 1024, 1), (64 * 1024, 3)] {
        let chosen =
            if m == motcua_server::password::MEMORY_KIB && t == motcua_server::password::PASSES {
                "  <- chosen"
            } else {
                ""
            };
        println!(
            "  m = {:>5} KiB, t = {t}, p = 1: {:>7.1} ms{chosen}",
            m,
            argon2_verify_time(m, t).as_secs_f64() * 1e3
        );
    }
    let db = TestDb::sqlite().await;
    let store = db.store.clone();
    bootstrap::ensure_initial_data(
        &store,
        &Config::default().organisation,
        Some("mat-khau-thu-nghiem".into()),
        datetime!(2026-11-02 09:00 +07:00),
    )
    .await
    .unwrap();
    let state = AppState::new(
        store,
        Arc::new(ManualClock::new(datetime!(2026-11-02 09:00 +07:00))),
        Config::default(),
    );
    let app = motcua_server::app(state);
    let body = r#"{"username":"admin","password":"mat-khau-thu-nghiem"}"#;
    let sign_in = || {
        let app = app.clone();
        async move {
            let request = Request::post("/api/v1/auth/token")
                .header("content-type", "application/json")
                .body(Body::from(body))
                .unwrap();
            let response = app.oneshot(request).await.unwrap();
            assert_eq!(response.status(), 200);
        }
    };
    let serial = sample(40, sign_in).await;
    report("POST /api/v1/auth/token, one at a time (sqlite)", &serial);
    // Two at a time: argon2 runs on the blocking pool, one per core.
    let start = Instant::now();
    let rounds = 40;
    for _ in 0..rounds / 2 {
        let (a, b) = tokio::join!(sign_in(), sign_in());
        std::hint::black_box((a, b));
    }
    println!(
        "POST /api/v1/auth/token, two concurrent (sqlite): {:>10.0} /s",
        rounds as f64 / start.elapsed().as_secs_f64()
    );
    db.finish().await;
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let machine = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_default();
    println!(
        "motcua foundation benchmarks · {} cores · {machine}",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let sqlite = TestDb::sqlite().await;
    subtree_bench("sqlite", &sqlite.store).await;
    sqlite.finish().await;
    if let Some(pg) = TestDb::postgres().await {
        subtree_bench("postgres", &pg.store).await;
        pg.finish().await;
    }
    sign_in_bench().await;
}
