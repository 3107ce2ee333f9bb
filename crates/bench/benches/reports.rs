//! Biểu 06 for the whole ministry, a whole quarter (official Q3/2022), rows per unit, against
//! the straightforward single GROUP BY over every dossier, in the same run, on SQLite and
//! PostgreSQL. Dossiers are bulk-loaded (bench-only `Store::bench_bulk_insert_resolved`) over
//! `MOTCUA_BENCH_SPAN_DAYS` days ending 31/12/2022 (default 270, the demo's rhythm: Q2–Q4),
//! at the level-III units of a ministry of 1.081 units; 10% of them get a pause row.
//!
//! Biểu 06 reads the counters (migration 0011): cold (checkpoints dropped before each call)
//! and warm, and the scan path (`Store::bieu06_scan`) as a check and a comparison.
//!
//! `MOTCUA_BENCH_DOSSIERS=170000 cargo bench -p motcua-bench --bench reports` (size; default
//! 170.000), `MOTCUA_BENCH_ONLY=sqlite|postgres`, PostgreSQL from `MOTCUA_TEST_POSTGRES_URL`.

#![allow(clippy::unwrap_used)] // a benchmark that cannot load its data should stop

use std::time::{Duration, Instant};

use motcua_bench::{ministry_rows, report, sample_within};
use motcua_domain::report::{ReportPeriod, RowsBy};
use motcua_store::Store;
use motcua_store::testing::{BenchDossier, TestDb};
use time::macros::datetime;

const DAY: i64 = 86_400_000_000;

/// Deterministic xorshift, so every run loads the same rows.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> i64 {
        i64::try_from(self.next() % n).unwrap_or(0)
    }
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// One dossier: received at a random instant of the span, due 7 days later; 97% resolved
/// 1–20 days after receipt (2% of all only after 30–120 days), 1% still open; of the resolved
/// 2% withdrawn, 1% refused, the rest returned.
fn dossier(
    i: usize,
    units: &[(i64, String)],
    end_us: i64,
    span: i64,
    rng: &mut Rng,
) -> (BenchDossier, Option<i64>) {
    let (unit_id, unit_code) = &units[usize::try_from(rng.below(units.len() as u64)).unwrap_or(0)];
    let received = end_us - rng.below(u64::try_from(span).unwrap_or(1));
    let due = received + 7 * DAY;
    let kind = rng.below(100);
    let resolved = match kind {
        0 => None,
        1..=2 => Some(received + 30 * DAY + rng.below(90 * DAY as u64)),
        _ => Some(received + DAY + rng.below(19 * DAY as u64)),
    };
    let status = match (resolved, kind) {
        (None, _) => "processing",
        (_, 3..=4) => "withdrawn",
        (_, 5) => "refused",
        _ => "returned",
    };
    let code = format!("{unit_code}-{i:08}");
    (
        BenchDossier {
            applicant_key: code.to_lowercase(),
            code,
            procedure_code: format!("1.00{}", 1000 + i % 40),
            field_code: format!("LV-{:02}", i % 18),
            unit_id: *unit_id,
            acting_unit_id: *unit_id,
            channel: ["in_person", "postal", "online"][i % 3],
            status,
            current_step: 1,
            waiting_role: resolved.is_none().then_some("specialist"),
            assignee: None,
            applicant_name: "Nguyễn Văn An".into(),
            received_at_us: received,
            legal_due_at_us: due,
        },
        resolved,
    )
}

async fn load(store: &Store, total: usize, span_days: i64) -> Duration {
    store
        .import_units(
            "bench",
            datetime!(2022-01-03 09:00 +7),
            &ministry_rows(30, 7, 4, 0),
        )
        .await
        .unwrap();
    let units: Vec<(i64, String)> = store
        .bench_raw_lines("SELECT id, code FROM units WHERE level = 3 ORDER BY code")
        .await
        .unwrap()
        .iter()
        .map(|l| {
            let (id, code) = l.split_once(" | ").unwrap();
            (id.parse().unwrap(), code.to_string())
        })
        .collect();
    let end_us = motcua_store::to_micros(datetime!(2023-01-01 00:00 +7));
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let start = Instant::now();
    let mut from = 0;
    while from < total {
        let to = (from + 50_000).min(total);
        let rows: Vec<(BenchDossier, Option<i64>)> = (from..to)
            .map(|i| dossier(i, &units, end_us, span_days * DAY, &mut rng))
            .collect();
        let refs: Vec<(&BenchDossier, Option<i64>)> = rows.iter().map(|(d, r)| (d, *r)).collect();
        store.bench_bulk_insert_resolved(&refs).await.unwrap();
        from = to;
    }
    // A pause on every tenth dossier: two days from the day after receipt, due moved by two.
    store
        .bench_raw_lines(
            "INSERT INTO dossier_pauses (dossier_id, seq, started_at, ended_at, due_before, due_after) \
             SELECT id, 3, received_at + 86400000000, received_at + 259200000000, \
                    legal_due_at - 172800000000, legal_due_at FROM dossiers WHERE id % 10 = 0",
        )
        .await
        .unwrap();
    store.bench_raw_lines("ANALYZE").await.unwrap();
    start.elapsed()
}

/// The pause rows above were written behind the store's back: recompute the counters of
/// every dossier as the start-up backfill does (page by page), and time it.
async fn recount(store: &Store) -> Duration {
    let start = Instant::now();
    store.bench_rebuild_report_counters().await.unwrap();
    store.bench_raw_lines("ANALYZE").await.unwrap();
    start.elapsed()
}

async fn bench(engine: &str, db: &TestDb, total: usize, span_days: i64) {
    let store = &db.store;
    let loaded = load(store, total, span_days).await;
    println!(
        "[{engine}] loaded {total} dossiers over {span_days} days in {:.1} s",
        loaded.as_secs_f64()
    );
    let recounted = recount(store).await;
    println!(
        "[{engine}] counters of {total} dossiers recomputed (backfill) in {:.1} s",
        recounted.as_secs_f64()
    );
    let q3 = ReportPeriod::parse("2022-Q3", false).unwrap();
    let root = store.root_unit().await.unwrap().unwrap().code;
    // Cold: no checkpoint cached, every delta before the period's start is summed (then the
    // start and the end are cached).
    let mut cold = Vec::new();
    for _ in 0..3 {
        store.bench_drop_report_checkpoints().await.unwrap();
        let t = Instant::now();
        store.bieu06(&q3, &root, RowsBy::Unit).await.unwrap();
        cold.push(t.elapsed());
    }
    cold.sort();
    report(
        &format!("[{engine}] {total} · Biểu 06 Q3, ministry, rows per unit, cold (no checkpoint)"),
        &cold,
    );
    // Counters and scan give the same form, and the baseline the same column 3.
    let b = store.bieu06(&q3, &root, RowsBy::Unit).await.unwrap();
    let scanned = store.bieu06_scan(&q3, &root, RowsBy::Unit).await.unwrap();
    assert_eq!(b, scanned);
    let baseline_c3 = store.bench_bieu06_baseline(&q3).await.unwrap();
    assert_eq!(b.total.received_total(), baseline_c3);
    assert_eq!(
        b.total.received_total(),
        b.total.resolved_total() + b.total.pending_total() + b.total.left_without_result
    );
    println!(
        "[{engine}] Q3/2022: (3) {} = (7) {} + (11) {} + left {}; {} rows",
        b.total.received_total(),
        b.total.resolved_total(),
        b.total.pending_total(),
        b.total.left_without_result,
        b.rows.len()
    );
    let t = sample_within(10, Duration::from_secs(30), || async {
        store.bieu06(&q3, &root, RowsBy::Unit).await.unwrap();
    })
    .await;
    report(
        &format!("[{engine}] {total} · Biểu 06 Q3, ministry, rows per unit, warm"),
        &t,
    );
    // An arbitrary range: a cached checkpoint plus a few weeks of deltas at each end.
    let range = ReportPeriod::range(
        time::macros::date!(2022 - 07 - 03),
        time::macros::date!(2022 - 09 - 20),
    )
    .unwrap();
    let t = sample_within(10, Duration::from_secs(30), || async {
        store.bieu06(&range, &root, RowsBy::Unit).await.unwrap();
    })
    .await;
    report(
        &format!("[{engine}] {total} · Biểu 06 03/07–20/09, rows per unit (after Q3 cached)"),
        &t,
    );
    let t = sample_within(5, Duration::from_secs(60), || async {
        store.bieu06_scan(&q3, &root, RowsBy::Unit).await.unwrap();
    })
    .await;
    report(
        &format!("[{engine}] {total} · scan path (bieu06_scan), rows per unit"),
        &t,
    );
    let t = sample_within(10, Duration::from_secs(30), || async {
        store.bieu06(&q3, &root, RowsBy::Field).await.unwrap();
    })
    .await;
    report(
        &format!("[{engine}] {total} · Biểu 06 Q3, ministry, rows per field, warm"),
        &t,
    );
    let t = sample_within(5, Duration::from_secs(60), || async {
        store.bench_bieu06_baseline(&q3).await.unwrap();
    })
    .await;
    report(
        &format!("[{engine}] {total} · baseline: one GROUP BY over all"),
        &t,
    );
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
        "motcua report benchmarks · {} cores · {machine}",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let total = env_usize("MOTCUA_BENCH_DOSSIERS", 170_000);
    let span = i64::try_from(env_usize("MOTCUA_BENCH_SPAN_DAYS", 270)).unwrap_or(270);
    let only = std::env::var("MOTCUA_BENCH_ONLY").unwrap_or_default();
    if only.is_empty() || only == "sqlite" {
        let db = TestDb::sqlite().await;
        bench("sqlite", &db, total, span).await;
        db.finish().await;
    }
    if (only.is_empty() || only == "postgres")
        && let Some(db) = TestDb::postgres().await
    {
        bench("postgres", &db, total, span).await;
        db.finish().await;
    }
}
