//! The demo ministry (issue 5): a realistic defence ministry — 1.042 units, 46 procedures,
//! people for every role, about 150.000 dossiers over 2022-Q2..Q4 — generated through the same
//! domain rules as real data and written in bulk, such that the official-period Biểu 06 for
//! 2022-Q3 shows the source report's figures exactly (see [`plan`] and docs/demo.md).

pub mod catalogue;
pub mod dossiers;
pub mod facts;
pub mod org;
pub mod people;
pub mod plan;

use motcua_calendar::{VIETNAM_OFFSET, WorkingCalendar};
use motcua_domain::dossier::RuleSet;
use motcua_domain::import::ImportRow;
use motcua_domain::unit::NewUnit;
use motcua_domain::user::NewUser;
use motcua_domain::{Error, Result};
use motcua_store::{BulkDossier, Store};
use serde_json::json;
use time::OffsetDateTime;
use time::macros::datetime;

pub use dossiers::Figures;
pub use plan::Plan;

/// Audit marker written before anything else of a demo build.
pub const MARK_START: &str = "demo.start";
/// Audit marker written once a demo build has finished.
pub const MARK_DONE: &str = "demo.create";

/// How to build.
#[derive(Debug, Clone)]
pub struct Options {
    /// Seed of every random choice: the same seed gives the same data.
    pub seed: u64,
    /// Fraction of the full dossier volume (1.0 = the source report's figures).
    pub scale: f64,
    /// Dossiers per bulk transaction.
    pub batch_size: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            seed: 2022,
            scale: 1.0,
            batch_size: 2_000,
        }
    }
}

/// Progress reports (the CLI draws a bar).
pub trait Progress: Send + Sync {
    /// A new stage with `total` steps.
    fn stage(&self, _label: &str, _total: u64) {}
    /// `n` more steps done.
    fn advance(&self, _n: u64) {}
}

/// No progress output.
pub struct Silent;
impl Progress for Silent {}

/// What a database holds, as far as the demo is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// No units: a demo can be built.
    Empty,
    /// A finished demo.
    Demo,
    /// A demo build that did not finish (rebuild with `--reset`).
    Unfinished,
    /// Other data: not a demo.
    Other,
}

/// Whether the database is empty, holds a (finished) demo, or other data.
pub async fn existing(store: &Store) -> Result<Existing> {
    if store.audit_action_count(MARK_DONE).await? > 0 {
        Ok(Existing::Demo)
    } else if store.audit_action_count(MARK_START).await? > 0 {
        Ok(Existing::Unfinished)
    } else if store.unit_count().await? == 0 {
        Ok(Existing::Empty)
    } else {
        Ok(Existing::Other)
    }
}

/// What a build made.
#[derive(Debug, Clone)]
pub struct Summary {
    pub units: usize,
    pub procedures: usize,
    pub users: usize,
    /// Unit e-government facts recorded.
    pub facts: usize,
    pub dossiers: u64,
    pub events: u64,
    pub plan: Plan,
    /// The generator's own count of the Q3 figures (checked against the plan).
    pub figures: Figures,
}

/// When the organisation, catalogue and people are recorded as created (before the first
/// dossier, so reports "as of" any 2022 date see them).
pub fn setup_instant() -> OffsetDateTime {
    datetime!(2022-03-01 08:00 +07:00)
}

/// Builds the demo into an empty database: units, procedures, people (all with the PHC string
/// `password_hash` of [`people::PASSWORD`]), then the dossiers in bulk transactions of
/// `options.batch_size`, then the `demo.create` marker. `now` stamps the audit entries of the
/// bulk writes and markers. Errors when the database is not empty (`demo_database_not_empty`)
/// or the generated figures miss the plan (`demo_plan_missed`, a generator fault).
#[allow(clippy::too_many_arguments)]
pub async fn build(
    store: &Store,
    actor: &str,
    now: OffsetDateTime,
    calendar: &WorkingCalendar,
    rules: &RuleSet,
    password_hash: &str,
    options: &Options,
    progress: &dyn Progress,
) -> Result<Summary> {
    if existing(store).await? != Existing::Empty {
        return Err(Error::conflict(
            "demo_database_not_empty",
            "Cơ sở dữ liệu đã có dữ liệu; chỉ dựng bộ dữ liệu mẫu trên cơ sở dữ liệu trống.",
        ));
    }
    let plan = Plan::scaled(options.scale);
    store
        .record_marker(
            actor,
            now,
            MARK_START,
            json!({ "seed": options.seed, "scale": options.scale }),
        )
        .await?;
    let setup = setup_instant();

    let units = org::units();
    progress.stage("Đơn vị, thủ tục, người dùng", 4);
    let rows = units
        .iter()
        .enumerate()
        .map(|(i, u)| {
            Ok(ImportRow {
                line: i + 1,
                unit: NewUnit::parse(
                    &u.code,
                    &u.name,
                    u.short_name.as_deref(),
                    u.level,
                    u.parent.as_deref(),
                )?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    store.import_units(actor, setup, &rows).await?;
    progress.advance(1);

    let catalogue = catalogue::procedures(rules.minutes_per_day)?;
    let procedures: Vec<_> = catalogue.iter().map(|(p, _)| p.clone()).collect();
    store.save_procedures(actor, setup, &procedures).await?;
    progress.advance(1);

    let users = people::users();
    for u in &users {
        let new = NewUser::parse(
            &u.username,
            &u.full_name,
            &u.unit_code,
            &[u.role.as_str().to_string()],
        )?;
        store.create_user(actor, setup, &new, password_hash).await?;
    }
    progress.advance(1);

    let facts = facts::facts(&units);
    store.record_facts_at(actor, now, &facts).await?;
    progress.advance(1);

    let (dossiers, events, figures) = write_dossiers(
        store, actor, now, calendar, rules, catalogue, &plan, options, progress,
    )
    .await?;
    let expected = Figures {
        received: plan.received,
        resolved: plan.resolved(),
        resolved_late: 0,
        carried_in: plan.carried_in,
        pending_out: plan.pending_out,
        received_online: figures.received_online,
    };
    if figures != expected {
        tracing_free_log(&figures, &expected);
        return Err(Error::new(
            motcua_domain::ErrorKind::Internal,
            "demo_plan_missed",
            format!(
                "Dữ liệu mẫu không đạt kế hoạch: tiếp nhận {} (cần {}), giải quyết {} (cần {}), quá hạn {}.",
                figures.received,
                expected.received,
                figures.resolved,
                expected.resolved,
                figures.resolved_late
            ),
        ));
    }
    store
        .record_marker(
            actor,
            now,
            MARK_DONE,
            json!({
                "seed": options.seed,
                "scale": options.scale,
                "units": units.len(),
                "procedures": procedures.len(),
                "users": users.len(),
                "facts": facts.len(),
                "dossiers": dossiers,
                "events": events,
                "q3_received": figures.received,
                "q3_resolved": figures.resolved,
            }),
        )
        .await?;
    Ok(Summary {
        units: units.len(),
        procedures: procedures.len(),
        users: users.len(),
        facts: facts.len(),
        dossiers,
        events,
        plan,
        figures,
    })
}

fn tracing_free_log(got: &Figures, want: &Figures) {
    eprintln!("demo: figures {got:?}, plan {want:?}");
}

enum Message {
    Total(usize),
    Batch(Vec<BulkDossier>),
    Done(u64, Figures),
    Failed(Error),
}

/// Generates on a blocking thread while this task writes: the two overlap on two cores.
#[allow(clippy::too_many_arguments)]
async fn write_dossiers(
    store: &Store,
    actor: &str,
    now: OffsetDateTime,
    calendar: &WorkingCalendar,
    rules: &RuleSet,
    catalogue: Vec<(motcua_domain::procedure::Procedure, u32)>,
    plan: &Plan,
    options: &Options,
    progress: &dyn Progress,
) -> Result<(u64, u64, Figures)> {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Message>(2);
    let (calendar, rules, plan) = (calendar.clone(), rules.clone(), *plan);
    let (seed, batch) = (options.seed, options.batch_size.max(1));
    let producer = tokio::task::spawn_blocking(move || {
        let mut generator = match dossiers::Generator::new(
            calendar,
            rules,
            catalogue,
            people::staff(),
            &plan,
            seed,
        ) {
            Ok(g) => g,
            Err(e) => {
                let _ = tx.blocking_send(Message::Failed(e));
                return;
            }
        };
        if tx.blocking_send(Message::Total(generator.total())).is_err() {
            return;
        }
        loop {
            match generator.next_batch(batch) {
                Ok(b) if b.is_empty() => break,
                Ok(b) => {
                    if tx.blocking_send(Message::Batch(b)).is_err() {
                        return;
                    }
                }
                Err(e) => {
                    let _ = tx.blocking_send(Message::Failed(e));
                    return;
                }
            }
        }
        let _ = tx.blocking_send(Message::Done(generator.events(), generator.figures()));
    });
    let mut written = 0u64;
    let mut events = 0u64;
    let mut result = None;
    while let Some(message) = rx.recv().await {
        match message {
            Message::Total(n) => progress.stage("Hồ sơ", n as u64),
            Message::Batch(b) => {
                let done = store.write_dossiers_bulk(actor, now, &b).await?;
                written += done.dossiers as u64;
                events += done.events as u64;
                progress.advance(done.dossiers as u64);
            }
            Message::Done(generated_events, figures) => {
                if generated_events != events {
                    return Err(Error::internal());
                }
                result = Some(figures);
            }
            Message::Failed(e) => return Err(e),
        }
    }
    producer.await.map_err(|_| Error::internal())?;
    let figures = result.ok_or_else(Error::internal)?;
    Ok((written, events, figures))
}

/// The Vietnam date of an instant (for printing).
pub fn vn_date(t: OffsetDateTime) -> time::Date {
    t.to_offset(VIETNAM_OFFSET).date()
}
