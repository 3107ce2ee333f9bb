//! Biểu 06 for the whole ministry, a whole quarter (official Q3/2022), rows per unit, against
//! the straightforward single GROUP BY over every dossier, in the same run, on SQLite and
//! PostgreSQL. Dossiers are bulk-loaded (bench-only `Store::bench_bulk_insert_resolved`) over
//! `MOTCUA_BENCH_SPAN_DAYS` days ending 31/12/2022 (default 270, the demo's rhythm: Q2–Q4),
//! at the level-III units of a ministry of 1.081 units; 10% of them get a pause row.
//!
//! Loading: secondary indexes dropped and built again after the rows, the counters' deltas
//! aggregated in memory and written once (with the pauses' effect), then the grid
//! checkpoints built as the start-up does.
//!
//! Biểu 06 reads the counters (migration 0011, grid of docs/reports.md): cold = the first
//! call of periods never asked before, with the grid maintained; warm; the scan path
//! (`Store::bieu06_scan`) as a check and a comparison; and the worst case, the grid dropped
//! (the first report rebuilds it up to its end).
//!
//! `MOTCUA_BENCH_DOSSIERS=170000 cargo bench -p motcua-bench --bench reports` (size; default
//! 170.000), `MOTCUA_BENCH_ONLY=sqlite|postgres`, PostgreSQL from `MOTCUA_TEST_POSTGRES_URL`,
//! `MOTCUA_BENCH_RECOUNT=1` to also time the full recount of the counters from the rows.

#![allow(clippy::unwrap_used)] // a benchmark that cannot load its data should stop

use std::time::{Duration, Instant};

use motcua_bench::{ministry_rows, report, sample_within};
use motcua_domain::report::{ReportPeriod, RowsBy};
use motcua_store::testing::{BenchCounters, BenchDossier, BenchPause, TestDb};
use motcua_store::{Engine, Store};
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
    if store.engine() == Engine::Sqlite {
        // 1 GB of page cache for the loading connection (the code index is random order).
        store
            .bench_raw_lines("PRAGMA cache_size = -1000000")
            .await
            .unwrap();
    }
    // Secondary indexes are built once after the rows (the code's unique one stays).
    let indexes = store.bench_drop_indexes("dossiers").await.unwrap();
    let mut counters = BenchCounters::default();
    let mut from = 0;
    while from < total {
        let to = (from + 100_000).min(total);
        let rows: Vec<(BenchDossier, Option<i64>)> = (from..to)
            .map(|i| dossier(i, &units, end_us, span_days * DAY, &mut rng))
            .collect();
        for (k, (d, resolved)) in rows.iter().enumerate() {
            // Ids are 1, 2, …: the pause rows below go to ids divisible by 10.
            let id = from + k + 1;
            let pause = (id % 10 == 0).then(|| BenchPause {
                started_us: d.received_at_us + DAY,
                ended_us: d.received_at_us + 3 * DAY,
                due_before_us: d.legal_due_at_us - 2 * DAY,
            });
            counters.add(d, *resolved, pause);
        }
        let refs: Vec<(&BenchDossier, Option<i64>)> = rows.iter().map(|(d, r)| (d, *r)).collect();
        store.bench_bulk_insert_rows(&refs, false).await.unwrap();
        from = to;
        if from % 1_000_000 == 0 {
            println!("  … {from} rows in {:.0} s", start.elapsed().as_secs_f64());
        }
    }
    let ids = store
        .bench_raw_lines("SELECT MIN(id), MAX(id), COUNT(*) FROM dossiers")
        .await
        .unwrap();
    assert_eq!(ids, vec![format!("1 | {total} | {total}")], "ids 1..=N");
    // A pause on every tenth dossier: two days from the day after receipt, due moved by two.
    store
        .bench_raw_lines(
            "INSERT INTO dossier_pauses (dossier_id, seq, started_at, ended_at, due_before, due_after) \
             SELECT id, 3, received_at + 86400000000, received_at + 259200000000, \
                    legal_due_at - 172800000000, legal_due_at FROM dossiers WHERE id % 10 = 0",
        )
        .await
        .unwrap();
    let rows_at = start.elapsed();
    store.bench_create_indexes(&indexes).await.unwrap();
    let indexed_at = start.elapsed();
    let keys = counters.len();
    let delta_indexes = store.bench_drop_indexes("report_deltas").await.unwrap();
    store.bench_write_report_deltas(counters).await.unwrap();
    store.bench_create_indexes(&delta_indexes).await.unwrap();
    let counted_at = start.elapsed();
    store.bench_raw_lines("ANALYZE").await.unwrap();
    println!(
        "  rows and pauses {:.1} s, {} indexes {:.1} s, {keys} delta rows from memory {:.1} s, ANALYZE {:.1} s",
        rows_at.as_secs_f64(),
        indexes.len(),
        (indexed_at - rows_at).as_secs_f64(),
        (counted_at - indexed_at).as_secs_f64(),
        (start.elapsed() - counted_at).as_secs_f64()
    );
    start.elapsed()
}

/// Recomputes the counters of every dossier from the rows as the start-up backfill of an
/// upgraded database does (page by page), and times it.
async fn recount(store: &Store) -> Duration {
    let start = Instant::now();
    store.bench_rebuild_report_counters().await.unwrap();
    store.bench_raw_lines("ANALYZE").await.unwrap();
    start.elapsed()
}

async fn timed<F: std::future::Future<Output = ()>>(f: F) -> Duration {
    let t = Instant::now();
    f.await;
    t.elapsed()
}

async fn bench(engine: &str, db: &TestDb, total: usize, span_days: i64) {
    let store = &db.store;
    let loaded = load(store, total, span_days).await;
    println!(
        "[{engine}] loaded {total} dossiers over {span_days} days in {:.1} s",
        loaded.as_secs_f64()
    );
    if std::env::var("MOTCUA_BENCH_RECOUNT").is_ok_and(|v| v == "1") {
        let recounted = recount(store).await;
        println!(
            "[{engine}] counters of {total} dossiers recomputed (backfill) in {:.1} s",
            recounted.as_secs_f64()
        );
    }
    // The start-up backfill's grid: checkpoints on the 1st and the 15th of every month,
    // chained (one pass over the deltas).
    let t = Instant::now();
    let built = store.bench_build_report_grid().await.unwrap();
    println!(
        "[{engine}] grid of {built} checkpoints built (start-up) in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    store.bench_raw_lines("ANALYZE").await.unwrap();
    let q3 = ReportPeriod::parse("2022-Q3", false).unwrap();
    let root = store.root_unit().await.unwrap().unwrap().code;
    // Cold: the first report of periods never asked before, in a system whose grid is
    // maintained (each reads two checkpoints and at most 14 days of deltas at each end).
    let date = |y, m, d| time::Date::from_calendar_date(y, m, d).unwrap();
    use time::Month::{August, July, June, September};
    let firsts = [
        ("official 2022-Q3", q3.clone()),
        (
            "calendar 2022-Q3",
            ReportPeriod::parse("2022-Q3", true).unwrap(),
        ),
        (
            "official 2022-Q2",
            ReportPeriod::parse("2022-Q2", false).unwrap(),
        ),
        (
            "official 2021-Q4",
            ReportPeriod::parse("2021-Q4", false).unwrap(),
        ),
        (
            "range 03/07–20/09/2022",
            ReportPeriod::range(date(2022, July, 3), date(2022, September, 20)).unwrap(),
        ),
        (
            "range 07/06–28/08/2022",
            ReportPeriod::range(date(2022, June, 7), date(2022, August, 28)).unwrap(),
        ),
    ];
    let mut cold = Vec::new();
    for (name, p) in &firsts {
        let t = timed(async {
            store.bieu06(p, &root, RowsBy::Unit).await.unwrap();
        })
        .await;
        println!(
            "[{engine}] {total} · first report, {name}: {} ms",
            t.as_millis()
        );
        cold.push(t);
    }
    cold.sort();
    report(
        &format!("[{engine}] {total} · Biểu 06, rows per unit, cold (first call of 6 periods)"),
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
    let range = &firsts[4].1;
    let t = sample_within(10, Duration::from_secs(30), || async {
        store.bieu06(range, &root, RowsBy::Unit).await.unwrap();
    })
    .await;
    report(
        &format!("[{engine}] {total} · Biểu 06 03/07–20/09, rows per unit, warm"),
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
        store.bieu06_scan(&q3, &root, RowsBy::Unit).await.unwrap();
    })
    .await;
    report(
        &format!("[{engine}] {total} · scan path (bieu06_scan), rows per unit"),
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
    // Worst case: the grid dropped (never the case in a running system). The first report
    // chains every grid checkpoint up to its end from the first delta; then the rest of the
    // grid is built as the start-up would.
    store.bench_drop_report_checkpoints().await.unwrap();
    let t = timed(async {
        store.bieu06(&q3, &root, RowsBy::Unit).await.unwrap();
    })
    .await;
    println!(
        "[{engine}] {total} · worst case, grid dropped: Biểu 06 Q3 rebuilding it up to 15/09/2022: {} ms",
        t.as_millis()
    );
    let t = Instant::now();
    let built = store.bench_build_report_grid().await.unwrap();
    println!(
        "[{engine}] {total} · worst case: the rest of the grid ({built} checkpoints) in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let again = store.bieu06(&q3, &root, RowsBy::Unit).await.unwrap();
    assert_eq!(again, scanned);
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
