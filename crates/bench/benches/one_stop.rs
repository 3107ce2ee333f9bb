//! One-stop shop benchmarks, on both engines:
//!
//! 1. complete dossier lifecycles over real HTTP (loopback, keep-alive clients): intake and
//!    the actions of a five-step workflow up to `returned`, against a baseline of bare
//!    `GET /healthz` requests and of single-row durable commits in the same run;
//! 2. inbox latency (p50/p99) with 1.000.000 open dossiers over 3.011 units, against a
//!    baseline of the same query with `OFFSET` paging (and, on SQLite, without indexes).
//!
//! `cargo bench -p motcua-bench --bench one_stop` (PostgreSQL at MOTCUA_TEST_POSTGRES_URL,
//! default postgres://postgres@127.0.0.1:5432/postgres; MOTCUA_TEST_POSTGRES=skip to skip it).
//! `MOTCUA_BENCH_SECONDS` (default 8) bounds each throughput run, `MOTCUA_BENCH_CLIENTS`
//! (default 64) sets its concurrent clients; `MOTCUA_BENCH_DOSSIERS`
//! (default 1000000) sets the inbox size.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark that cannot set up should stop

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use motcua_bench::{ministry_rows, report, sample_within};
use motcua_domain::dossier::Actor;
use motcua_domain::procedure::{NewProcedure, Procedure};
use motcua_domain::scope::Scope;
use motcua_domain::unit::NewUnit;
use motcua_domain::user::{NewUser, Role};
use motcua_server::{AppState, Config, ManualClock, bootstrap};
use motcua_store::testing::{BenchDossier, TestDb};
use motcua_store::{InboxFilter, Store};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::datetime;

const T0: OffsetDateTime = datetime!(2026-11-02 09:00 +07:00);
const PASSWORD: &str = "mat-khau-thu";
const PROCEDURE: &str = "1.009999";
/// Concurrent keep-alive clients of the throughput runs (`MOTCUA_BENCH_CLIENTS`, default 64).
/// Each lifecycle's seven requests wait one after another for the log's sync, so 16 clients
/// leave the CPU partly idle and measure latency rather than the server's capacity
/// (BENCHMARKS.md, "Sessions read on the caller's thread").
fn clients() -> usize {
    std::env::var("MOTCUA_BENCH_CLIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(64)
}
/// Time budget of one latency sample series (fewer runs when a query is slow).
const BUDGET: Duration = Duration::from_secs(10);

fn seconds() -> Duration {
    Duration::from_secs(
        std::env::var("MOTCUA_BENCH_SECONDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(8),
    )
}

/// Other compilers running on this shared machine right now (reported with the figures).
fn other_builds() -> usize {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0;
    };
    dir.filter_map(|e| e.ok())
        .filter_map(|e| std::fs::read_to_string(e.path().join("comm")).ok())
        .filter(|c| matches!(c.trim(), "rustc" | "cc1" | "cc1plus" | "ld" | "cargo"))
        .count()
}

// ---------------------------------------------------------------------------------------
// Lifecycles over HTTP
// ---------------------------------------------------------------------------------------

/// A five-step workflow owned by the level-III unit: receiver, specialist (appraisal),
/// specialist (draft), leader (approval), clerk (issue). Budgets add up to 5 working days.
fn procedure(owner: &str) -> Procedure {
    let doc = json!({
        "code": PROCEDURE,
        "name": "Xác nhận thời gian công tác trong quân đội (benchmark)",
        "field": { "code": "CS-QN", "name": "Chính sách quân nhân" },
        "level": "Cấp Bộ",
        "implementing_unit": owner,
        "channels": [
            { "channel": "in_person", "limit": { "amount": 5, "unit": "working_days" }, "fee_vnd": 0 }
        ],
        "documents": [
            { "key": "don_de_nghi", "name": "Đơn đề nghị xác nhận (theo mẫu)", "copy_kind": "original", "count": 1 },
            { "key": "cccd", "name": "Căn cước công dân", "copy_kind": "copy", "count": 1 }
        ],
        "results": ["Giấy xác nhận thời gian công tác"],
        "legal_basis": ["Nghị định 118/2025/NĐ-CP"],
        "online_level": "partial",
        "workflow": { "steps": [
            { "key": "tiep_nhan", "name": "Tiếp nhận, chuyển hồ sơ", "role": "receiver", "unit": "owner", "budget_minutes": 120 },
            { "key": "tham_dinh", "name": "Thẩm định hồ sơ", "role": "specialist", "unit": "owner", "budget_minutes": 900 },
            { "key": "du_thao", "name": "Dự thảo văn bản", "role": "specialist", "unit": "owner", "budget_minutes": 300 },
            { "key": "phe_duyet", "name": "Phê duyệt, ký", "role": "leader", "unit": "owner", "budget_minutes": 600 },
            { "key": "ban_hanh", "name": "Vào số, đóng dấu, phát hành", "role": "clerk", "unit": "owner", "budget_minutes": 480 }
        ]}
    });
    let new: NewProcedure = serde_json::from_value(doc).unwrap();
    Procedure::parse(new, 480).unwrap()
}

struct Server {
    base: String,
    tokens: [String; 4],
    task: tokio::task::JoinHandle<()>,
}

async fn start_server(store: &Store) -> Server {
    let config = Config::default();
    bootstrap::ensure_initial_data(store, &config.organisation, Some(PASSWORD.into()), T0)
        .await
        .unwrap();
    let root = config.organisation.root_code.clone();
    let (a1, a2, a3) = ("000.01.00.A01", "000.01.01.A02", "000.01.02.A03");
    for (code, level, parent) in [(a1, 1, root.as_str()), (a2, 2, a1), (a3, 3, a2)] {
        let unit =
            NewUnit::parse(code, &format!("Đơn vị {code}"), None, level, Some(parent)).unwrap();
        store.create_unit("admin", T0, &unit).await.unwrap();
    }
    let hash = motcua_server::password::hash(PASSWORD).unwrap();
    let people = [
        ("receiver.a", "receiver"),
        ("specialist.a", "specialist"),
        ("leader.a", "leader"),
        ("clerk.a", "clerk"),
    ];
    for (username, role) in people {
        let user = NewUser::parse(username, "Cán bộ thử tải", a3, &[role.to_string()]).unwrap();
        store.create_user("admin", T0, &user, &hash).await.unwrap();
    }
    store
        .save_procedure("admin", T0, &procedure(a3))
        .await
        .unwrap();
    let state = AppState::new(store.clone(), Arc::new(ManualClock::new(T0)), config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = motcua_server::app(state);
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    // API tokens once, up front: sign-in (Argon2) is not part of a lifecycle.
    let client = reqwest::Client::new();
    let mut tokens: [String; 4] = Default::default();
    for (i, (username, _)) in people.iter().enumerate() {
        let r: Value = client
            .post(format!("{base}/api/v1/auth/token"))
            .json(&json!({ "username": username, "password": PASSWORD }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        tokens[i] = r["token"].as_str().unwrap().to_string();
    }
    Server { base, tokens, task }
}

async fn post(client: &reqwest::Client, url: &str, token: &str, body: &Value) -> Value {
    let r = client
        .post(url)
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    assert!(status.is_success(), "{url}: {status} {v}");
    v
}

/// One complete lifecycle; returns the number of HTTP requests it took.
async fn lifecycle(client: &reqwest::Client, s: &Server) -> u64 {
    let [receiver, specialist, leader, clerk] = &s.tokens;
    let intake = json!({
        "procedure_code": PROCEDURE,
        "channel": "in_person",
        "applicant": { "kind": "person", "name": "Nguyễn Văn An", "id_number": "001099012345",
                       "phone": "0912 345 678", "address": "Số 1 Hoàng Diệu, Hà Nội" },
        "documents": [ { "key": "don_de_nghi" }, { "key": "cccd" } ]
    });
    let d = post(
        client,
        &format!("{}/api/v1/dossiers", s.base),
        receiver,
        &intake,
    )
    .await;
    let code = d["code"].as_str().unwrap().to_string();
    let url = format!("{}/api/v1/dossiers/{code}/actions", s.base);
    let steps = [
        (receiver, json!({"action": "complete_step"})),
        (
            specialist,
            json!({"action": "complete_step", "note": "Đủ điều kiện"}),
        ),
        (specialist, json!({"action": "complete_step"})),
        (leader, json!({"action": "approve"})),
        (
            clerk,
            json!({"action": "issue_result", "document_number": "125/GXN-QY"}),
        ),
        (
            receiver,
            json!({"action": "return_result", "to": "Nguyễn Văn An"}),
        ),
    ];
    let mut version = 1;
    let mut last = Value::Null;
    for (token, mut body) in steps {
        body["version"] = json!(version);
        last = post(client, &url, token, &body).await;
        version = last["version"].as_i64().unwrap();
    }
    assert_eq!(last["status"], "returned");
    1 + 6
}

/// Runs [`clients`] tasks, each repeating `work` (which returns its request count) until the
/// deadline; returns (units of work, requests, elapsed).
async fn run_clients<F, Fut>(work: F) -> (u64, u64, Duration)
where
    F: Fn(reqwest::Client) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = u64> + Send,
{
    let done = Arc::new(AtomicU64::new(0));
    let requests = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let deadline = start + seconds();
    let mut tasks = Vec::new();
    for _ in 0..clients() {
        let (work, done, requests) = (work.clone(), done.clone(), requests.clone());
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .build()
                .unwrap();
            while Instant::now() < deadline {
                let n = work(client.clone()).await;
                done.fetch_add(1, Ordering::Relaxed);
                requests.fetch_add(n, Ordering::Relaxed);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    (
        done.load(Ordering::Relaxed),
        requests.load(Ordering::Relaxed),
        start.elapsed(),
    )
}

async fn lifecycle_bench(engine: &str, db: &TestDb) {
    let server = Arc::new(start_server(&db.store).await);
    println!(
        "\n[{engine}] lifecycles over HTTP: {} keep-alive clients, {} s each run, \
         other compiler processes now: {}",
        clients(),
        seconds().as_secs(),
        other_builds()
    );
    // Warm-up (connections, caches).
    let c = reqwest::Client::new();
    for _ in 0..20 {
        lifecycle(&c, &server).await;
    }

    let s = server.clone();
    let (lifecycles, requests, elapsed) = run_clients(move |c| {
        let s = s.clone();
        async move { lifecycle(&c, &s).await }
    })
    .await;
    let lps = lifecycles as f64 / elapsed.as_secs_f64();
    let rps = requests as f64 / elapsed.as_secs_f64();
    println!(
        "[{engine}] lifecycles (intake + 6 actions = 7 requests, 7 durable commits): \
         {lifecycles} in {:.1} s = {lps:.0} lifecycles/s, {rps:.0} requests/s",
        elapsed.as_secs_f64()
    );

    // Baseline 1: bare GET /healthz (HTTP, token-free, one database ping) at the same
    // concurrency.
    let health = format!("{}/healthz", server.base);
    let (n, _, elapsed) = run_clients(move |c| {
        let url = health.clone();
        async move {
            let r = c.get(&url).send().await.unwrap();
            assert!(r.status().is_success());
            r.bytes().await.unwrap();
            1
        }
    })
    .await;
    let hps = n as f64 / elapsed.as_secs_f64();
    println!(
        "[{engine}] baseline GET /healthz: {hps:.0} requests/s; lifecycle requests / healthz = {:.2}",
        rps / hps
    );

    // Baseline 2: single-row durable commits straight into the database, same concurrency.
    db.raw("CREATE TABLE bench_commits (id BIGINT PRIMARY KEY, at BIGINT NOT NULL)")
        .await
        .unwrap();
    let counter = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let deadline = start + seconds() / 2;
    let mut tasks = Vec::new();
    let db = Arc::new(db.store.clone());
    for _ in 0..clients() {
        let (counter, store) = (counter.clone(), db.clone());
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                let id = counter.fetch_add(1, Ordering::Relaxed);
                store
                    .bench_raw_lines(&format!(
                        "INSERT INTO bench_commits (id, at) VALUES ({id}, {id})"
                    ))
                    .await
                    .unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let cps = counter.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64();
    println!(
        "[{engine}] baseline single-row durable commits: {cps:.0} commits/s; \
         lifecycle writes / commit ceiling = {:.2} (ceiling {:.0} lifecycles/s at 7 commits each)",
        rps / cps,
        cps / 7.0
    );
    server.task.abort();
}

// ---------------------------------------------------------------------------------------
// Inbox with a million open dossiers
// ---------------------------------------------------------------------------------------

/// A small deterministic generator (xorshift), so every run loads the same rows.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const NAMES: [&str; 8] = [
    "Nguyễn Văn An",
    "Trần Thị Bình",
    "Lê Văn Cường",
    "Phạm Thị Dung",
    "Hoàng Văn Em",
    "Vũ Thị Giang",
    "Đặng Văn Hải",
    "Bùi Thị Lan",
];

struct Level3 {
    id: i64,
    code: String,
    parent_id: i64,
}

fn dossier_rows(units: &[Level3], from: usize, to: usize, rng: &mut Rng) -> Vec<BenchDossier> {
    let now = T0.unix_timestamp() * 1_000_000;
    let day = 86_400_000_000i64;
    (from..to)
        .map(|i| {
            let u = &units[rng.below(units.len() as u64) as usize];
            let code = format!("{}-261102-{i:07}", u.code);
            let name = NAMES[i % NAMES.len()];
            let kind = rng.below(100);
            let staff = rng.below(4);
            let (status, step, role, assignee, acting) = match kind {
                0..15 => (
                    "received",
                    0,
                    "receiver",
                    Some(format!("tn.{}", u.code)),
                    u.id,
                ),
                15..40 => ("processing", 1, "specialist", None, u.id),
                40..55 => (
                    "processing",
                    1,
                    "specialist",
                    Some(format!("cv.{}.{staff}", u.code)),
                    u.id,
                ),
                // The approval step is a leader of the level-II parent.
                55..75 => ("processing", 2, "leader", None, u.parent_id),
                75..85 => ("processing", 3, "clerk", None, u.id),
                85..92 => ("result_ready", 4, "receiver", None, u.id),
                _ => (
                    "awaiting_supplement",
                    1,
                    "specialist",
                    Some(format!("cv.{}.{staff}", u.code)),
                    u.id,
                ),
            };
            let received = now - rng.below(20 * day as u64) as i64;
            let due = now - 10 * day + rng.below(40 * day as u64) as i64;
            BenchDossier {
                applicant_key: motcua_domain::text::search_key(&format!("{code} {name}")),
                code,
                procedure_code: format!("1.00{}", 1000 + i % 40),
                field_code: format!("LV-{}", i % 12),
                unit_id: u.id,
                acting_unit_id: acting,
                channel: ["in_person", "postal", "online"][i % 3],
                status,
                current_step: step,
                waiting_role: Some(role),
                assignee,
                applicant_name: name.to_string(),
                received_at_us: received,
                legal_due_at_us: due,
            }
        })
        .collect()
}

/// Loads the tree and `total` open dossiers; returns the load time.
async fn load_inbox(store: &Store, total: usize) -> Duration {
    store
        .import_units("bench", T0, &ministry_rows(10, 10, 29, 0))
        .await
        .unwrap();
    let lines = store
        .bench_raw_lines(
            "SELECT c.id, c.code, p.id FROM units c JOIN units p ON p.id = c.parent_id \
             WHERE c.level = 3 ORDER BY c.code",
        )
        .await
        .unwrap();
    let units: Vec<Level3> = lines
        .iter()
        .map(|l| {
            let parts: Vec<&str> = l.split(" | ").collect();
            Level3 {
                id: parts[0].parse().unwrap(),
                code: parts[1].to_string(),
                parent_id: parts[2].parse().unwrap(),
            }
        })
        .collect();
    assert_eq!(units.len(), 2_900);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let start = Instant::now();
    let batch = 50_000;
    let mut from = 0;
    while from < total {
        let to = (from + batch).min(total);
        let rows = dossier_rows(&units, from, to, &mut rng);
        store.bench_bulk_insert_dossiers(&rows).await.unwrap();
        from = to;
    }
    store.bench_raw_lines("ANALYZE").await.unwrap();
    start.elapsed()
}

fn actor(username: &str, role: Role, unit: &str) -> Actor {
    Actor {
        username: username.into(),
        roles: vec![role],
        unit_code: unit.into(),
    }
}

/// The inbox query's text with literal parameters, for the baselines (`OFFSET` paging, and
/// `NOT INDEXED` on SQLite).
fn inbox_sql(lo: &str, hi: &str, a: &Actor, table: &str, offset: i64) -> String {
    let role = a.roles[0].as_str();
    format!(
        "SELECT d.code FROM {table} JOIN units a ON a.id = d.acting_unit_id \
         JOIN units o ON o.id = d.unit_id \
         WHERE d.waiting_role IS NOT NULL AND a.path >= '{lo}' AND a.path < '{hi}' \
         AND (d.assignee = '{}' OR (d.assignee IS NULL AND d.waiting_role IN ('{role}'))) \
         ORDER BY d.legal_due_at, d.code LIMIT 50 OFFSET {offset}",
        a.username
    )
}

async fn inbox_bench(engine: &str, db: &TestDb, total: usize) {
    let store = &db.store;
    let load = load_inbox(store, total).await;
    println!(
        "\n[{engine}] inbox: {total} open dossiers over 3.011 units loaded in {:.1} s \
         (multi-row INSERTs, then ANALYZE); other compiler processes now: {}",
        load.as_secs_f64(),
        other_builds()
    );
    let state = AppState::new(
        store.clone(),
        Arc::new(ManualClock::new(T0)),
        Config::default(),
    );
    let calendar = state.calendar().await.unwrap();
    let l3 = store.unit_by_code("L1-03-04-007").await.unwrap().unwrap();
    let l2 = store.unit_by_code("L1-03-04").await.unwrap().unwrap();
    let cases = [
        (
            "specialist at a level-III unit",
            actor("cv.L1-03-04-007.1", Role::Specialist, &l3.code),
            Scope::Subtree(l3.path.clone()),
        ),
        (
            "leader at a level-II unit (subtree)",
            actor("ld.L1-03-04", Role::Leader, &l2.code),
            Scope::Subtree(l2.path.clone()),
        ),
        (
            "reform officer, ministry-wide",
            actor("reform", Role::ReformOffice, "BQP"),
            Scope::All,
        ),
        (
            "specialist role, ministry-wide",
            actor("cv.all", Role::Specialist, "BQP"),
            Scope::All,
        ),
    ];
    for (label, a, scope) in cases {
        let scoped = store.scoped(scope.clone());
        // Walk to the 10th page once to get its cursor.
        let mut filter = InboxFilter::default();
        let first = scoped.inbox(&a, &filter, 50).await.unwrap();
        let first_len = first.items.len();
        let mut cursor = first.next.clone();
        for _ in 0..8 {
            let Some(c) = cursor.clone() else { break };
            filter.after = Some(c);
            cursor = scoped.inbox(&a, &filter, 50).await.unwrap().next;
        }
        let counters = scoped
            .inbox_counters(&a, T0, calendar.calendar())
            .await
            .unwrap();
        println!(
            "[{engine}] {label}: first page {first_len} items, {} running, {} overdue",
            counters.running, counters.overdue
        );
        let n = 200;
        let t = sample_within(n, BUDGET, || async {
            std::hint::black_box(scoped.inbox(&a, &InboxFilter::default(), 50).await.unwrap());
        })
        .await;
        report(&format!("[{engine}] {label}: first page (50)"), &t);
        // Filters: text search on the applicant's name without diacritics (one name in 8) and
        // one procedure (one in 40).
        for (what, f) in [
            (
                "text search \"binh\"",
                InboxFilter {
                    query: Some("binh".into()),
                    ..InboxFilter::default()
                },
            ),
            (
                "procedure 1.001007",
                InboxFilter {
                    procedure: Some("1.001007".into()),
                    ..InboxFilter::default()
                },
            ),
        ] {
            let t = sample_within(n, BUDGET, || async {
                std::hint::black_box(scoped.inbox(&a, &f, 50).await.unwrap());
            })
            .await;
            report(&format!("[{engine}] {label}: first page, {what}"), &t);
        }
        if let Some(c) = cursor {
            let f = InboxFilter {
                after: Some(c),
                ..InboxFilter::default()
            };
            let t = sample_within(n, BUDGET, || async {
                std::hint::black_box(scoped.inbox(&a, &f, 50).await.unwrap());
            })
            .await;
            let keyset = report(&format!("[{engine}] {label}: page 10, keyset"), &t);
            let (lo, hi) = scope.path_bounds();
            let sql = inbox_sql(&lo, &hi, &a, "dossiers d", 450);
            let t = sample_within(20, BUDGET, || async {
                std::hint::black_box(store.bench_raw_lines(&sql).await.unwrap());
            })
            .await;
            let offset = report(
                &format!("[{engine}] {label}: page 10, OFFSET 450 (baseline)"),
                &t,
            );
            println!(
                "[{engine}]   ratio keyset / OFFSET = {:.1}x",
                keyset / offset
            );
        }
        let t = sample_within(n, BUDGET, || async {
            std::hint::black_box(
                scoped
                    .inbox_counters(&a, T0, calendar.calendar())
                    .await
                    .unwrap(),
            );
        })
        .await;
        report(&format!("[{engine}] {label}: counters"), &t);
        if engine == "sqlite" {
            let (lo, hi) = scope.path_bounds();
            let sql = inbox_sql(&lo, &hi, &a, "dossiers d NOT INDEXED", 0);
            let t = sample_within(5, BUDGET, || async {
                std::hint::black_box(store.bench_raw_lines(&sql).await.unwrap());
            })
            .await;
            report(
                &format!("[{engine}] {label}: first page without indexes (baseline)"),
                &t,
            );
        }
    }
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
        "motcua one-stop benchmarks · {} cores · {machine} · other compiler processes: {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        other_builds()
    );
    let total: usize = std::env::var("MOTCUA_BENCH_DOSSIERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let only = std::env::var("MOTCUA_BENCH_ONLY").unwrap_or_default();

    if only.is_empty() || only == "lifecycle" {
        let sqlite = TestDb::sqlite().await;
        lifecycle_bench("sqlite", &sqlite).await;
        sqlite.finish().await;
        if let Some(pg) = TestDb::postgres().await {
            lifecycle_bench("postgres", &pg).await;
            pg.finish().await;
        }
    }
    if only.is_empty() || only == "inbox" {
        let sqlite = TestDb::sqlite().await;
        inbox_bench("sqlite", &sqlite, total).await;
        sqlite.finish().await;
        if let Some(pg) = TestDb::postgres().await {
            inbox_bench("postgres", &pg, total).await;
            pg.finish().await;
        }
    }
}
