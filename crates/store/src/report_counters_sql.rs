//! Biểu 06 counters (migration 0011), written once and compiled for each engine (see lib.rs):
//! `report_deltas` holds, per (owner unit, field, Vietnam day), the sum of the deltas of
//! `motcua_domain::report::deltas` of every dossier; a report reads two prefix sums, each a
//! checkpoint (`report_checkpoints`, kept on the 1st and the 15th of every month) plus the
//! deltas of the days since (at most 14). See docs/reports.md, "How it is computed".
//!
//! Writes keep the deltas in the same transaction as the dossier: the facts of a dossier are
//! read from its row and its pause rows before and after the change, and the difference of
//! their deltas is added (`INSERT … ON CONFLICT DO UPDATE SET x = x + excluded.x`).

use std::collections::HashMap;

use sqlx::Row as _;

use motcua_domain::Result;
use motcua_domain::dossier::{Dossier, Status};
use motcua_domain::procedure::Channel;
use motcua_domain::report::{COUNTERS, DossierFacts, Pause, deltas};

use super::Db;
use super::engine::{Param, Pool, WriteTx};
use crate::direct::Columns;
use crate::{db_error, from_micros, to_micros};

type Conn = <Db as sqlx::Database>::Connection;

/// Counters per (unit id, field code).
pub(crate) type Groups = HashMap<(i64, String), [i64; COUNTERS]>;
/// Deltas per (unit id, field code, day).
pub(crate) type Agg = HashMap<(i64, String, i64), [i64; COUNTERS]>;
/// One entry of an [`Agg`].
type DeltaRow = ((i64, String, i64), [i64; COUNTERS]);
/// An addition to one checkpoint row: (checkpoint day, unit id, field code) and the counters.
type CheckpointAdd<'a> = ((i64, i64, &'a str), [i64; COUNTERS]);

const US_PER_DAY: i64 = 86_400_000_000;
/// UTC+7 in µs: report instants are Vietnam midnights.
const VIETNAM_US: i64 = 25_200_000_000;

/// The Vietnam date number of an instant (µs): c < midnight of day D ⇔ day(c) < D.
pub(crate) fn day_of(us: i64) -> i64 {
    (us + VIETNAM_US).div_euclid(US_PER_DAY)
}

/// Adds `sign` × the deltas of one dossier's facts.
pub(crate) fn add_facts(agg: &mut Agg, unit: i64, field: &str, f: &DossierFacts, sign: i64) {
    for (at, d) in deltas(f) {
        let e = agg
            .entry((unit, field.to_string(), day_of(to_micros(at))))
            .or_default();
        for (x, y) in e.iter_mut().zip(d) {
            *x += sign * y;
        }
    }
}

/// A dossier's report inputs, as stored.
pub(crate) struct Stored {
    pub unit: i64,
    pub field: String,
    pub facts: DossierFacts,
}

const FACTS_SQL: &str = "SELECT d.id, d.unit_id, d.field_code, d.channel, d.status, d.received_at, \
     d.resolved_at, d.legal_due_at, p.started_at, p.ended_at, p.due_before \
     FROM dossiers d LEFT JOIN dossier_pauses p ON p.dossier_id = d.id \
     WHERE d.id >= $1 AND d.id <= $2 ORDER BY d.id, p.seq";

/// The stored facts of the dossiers with ids in `first..=last`, by id.
pub(crate) async fn facts_in(conn: &mut Conn, first: i64, last: i64) -> Result<Vec<(i64, Stored)>> {
    let rows = sqlx::query(FACTS_SQL)
        .bind(first)
        .bind(last)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_error)?;
    facts_from_rows(&rows)
}

/// [`facts_in`] for one dossier, inside a write (a direct call on SQLite's group commit).
async fn facts_of(w: &mut WriteTx, id: i64) -> Result<Vec<(i64, Stored)>> {
    let rows = w
        .query(FACTS_SQL, vec![Param::Int(Some(id)), Param::Int(Some(id))])
        .await?;
    facts_from_rows(&rows)
}

/// The facts of [`FACTS_SQL`]'s rows (one per dossier and pause, by id).
fn facts_from_rows(rows: &[impl Columns]) -> Result<Vec<(i64, Stored)>> {
    let mut out: Vec<(i64, Stored)> = Vec::new();
    for r in rows {
        let id = r.req_int("id")?;
        if out.last().is_none_or(|(last, _)| *last != id) {
            let status = r.req_text("status")?;
            let channel = r.req_text("channel")?;
            out.push((
                id,
                Stored {
                    unit: r.req_int("unit_id")?,
                    field: r.req_text("field_code")?,
                    facts: DossierFacts {
                        received_at: from_micros(r.req_int("received_at")?),
                        online: channel == "online",
                        resolved_at: r.int("resolved_at")?.map(from_micros),
                        // The same statuses as reports_sql::resolved.
                        without_result: stored_without_result(&status),
                        legal_due_at: from_micros(r.req_int("legal_due_at")?),
                        pauses: Vec::new(),
                    },
                },
            ));
        }
        if let (Some(started), Some((_, s))) = (r.int("started_at")?, out.last_mut()) {
            s.facts.pauses.push(Pause {
                started_at: from_micros(started),
                ended_at: r.int("ended_at")?.map(from_micros),
                due_before: from_micros(r.req_int("due_before")?),
            });
        }
    }
    Ok(out)
}

/// `Status::leaves_without_result` of a stored status name (an unknown name: false).
pub(crate) fn stored_without_result(status: &str) -> bool {
    Status::ALL
        .iter()
        .any(|s| s.as_str() == status && s.leaves_without_result())
}

/// The facts of a dossier just registered (stored at µs precision; no pause yet).
pub(crate) fn facts_of_new(d: &Dossier) -> DossierFacts {
    DossierFacts {
        received_at: from_micros(to_micros(d.received_at)),
        online: d.channel == Channel::Online,
        resolved_at: d.resolved_at.map(|t| from_micros(to_micros(t))),
        without_result: d.status.leaves_without_result(),
        legal_due_at: from_micros(to_micros(d.legal_due_at)),
        pauses: Vec::new(),
    }
}

/// Whether a transition changes an input of the report (receipt, channel, owner, resolution
/// and its kind, the due instant, pausing or resuming); others (assign, steps) skip the
/// counters entirely.
pub(crate) fn changes_report(old: &Dossier, new: &Dossier) -> bool {
    let left = |d: &Dossier| d.status.leaves_without_result();
    old.received_at != new.received_at
        || old.channel != new.channel
        || old.owner_unit != new.owner_unit
        || old.resolved_at != new.resolved_at
        || old.legal_due_at != new.legal_due_at
        || old.status.is_paused() != new.status.is_paused()
        || left(old) != left(new)
}

/// The stored facts of one dossier before a change that [`changes_report`] (call before
/// writing the row and the event).
pub(crate) async fn before(w: &mut WriteTx, id: i64) -> Result<Option<Stored>> {
    Ok(facts_of(w, id).await?.pop().map(|(_, s)| s))
}

/// After a dossier write (row, event and pause rows written or queued) that turned `old`
/// into `new`: adds the deltas of the facts now stored minus those of `before` (`None` for a
/// new dossier). Applied at commit, after the audit head (`WriteTx::add_deltas`).
pub(crate) async fn record(
    w: &mut WriteTx,
    id: i64,
    before: Option<Stored>,
    old: &Dossier,
    new: &Dossier,
) -> Result<()> {
    let mut agg = Agg::new();
    let after = match &before {
        // Pausing or resuming changes the pause rows: read them back. Otherwise the stored
        // facts are the old ones with the columns the update wrote.
        Some(b) if old.status.is_paused() == new.status.is_paused() => vec![Stored {
            unit: b.unit,
            field: b.field.clone(),
            facts: stored_after(&b.facts, new),
        }],
        _ => {
            // The event's pause rows are queued (`WriteTx::defer`): write them before reading.
            w.flush().await?;
            facts_of(w, id).await?.into_iter().map(|(_, s)| s).collect()
        }
    };
    if let Some(b) = before {
        add_facts(&mut agg, b.unit, &b.field, &b.facts, -1);
    }
    for s in after {
        add_facts(&mut agg, s.unit, &s.field, &s.facts, 1);
    }
    w.add_deltas(agg);
    Ok(())
}

/// The facts `facts_in` would read after `dossiers_sql::update_statement` wrote `new` over a
/// row whose facts were `before` (same pause rows): receipt and channel are never updated;
/// resolution, status and the due instant are, at µs precision.
fn stored_after(before: &DossierFacts, new: &Dossier) -> DossierFacts {
    DossierFacts {
        received_at: before.received_at,
        online: before.online,
        resolved_at: new.resolved_at.map(|t| from_micros(to_micros(t))),
        without_result: new.status.leaves_without_result(),
        legal_due_at: from_micros(to_micros(new.legal_due_at)),
        pauses: before.pauses.clone(),
    }
}

/// [`apply`] as statements for the end of a write on SQLite's group commit, where they go out
/// with the commit's last direct calls: per (unit, field, day) the upsert of its deltas, then their
/// addition to every checkpoint after that day (the same as `carry_forward`, set-based; on
/// SQLite the grid is chained under the write lock, so nothing moves in between).
pub(crate) fn apply_statements(agg: Agg) -> Vec<(&'static str, Vec<Param>)> {
    let mut out = Vec::new();
    let mut rows: Vec<DeltaRow> = agg
        .into_iter()
        .filter(|(_, v)| v.iter().any(|x| *x != 0))
        .collect();
    // A stable order, so concurrent writers never upsert the same rows in different orders.
    rows.sort();
    for ((unit, field, day), v) in rows {
        let mut params = vec![
            Param::Int(Some(unit)),
            Param::Text(Some(field)),
            Param::Int(Some(day)),
        ];
        params.extend(v.iter().map(|x| Param::Int(Some(*x))));
        let again = params.clone();
        out.push((
            concat!(
                "INSERT INTO report_deltas (unit_id, field_code, day, c_online, c_offline, \
                 c_early, c_on_time, c_late, c_left, c_open, c_overdue) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
                 ON CONFLICT (unit_id, field_code, day) DO UPDATE SET ",
                add_excluded_counters!("report_deltas")
            ),
            params,
        ));
        // The checkpoint of day C sums the days before C. `WHERE` also keeps SQLite's parser
        // from reading `ON CONFLICT` as a join constraint.
        out.push((
            concat!(
                "INSERT INTO report_checkpoints (day, unit_id, field_code, c_online, c_offline, \
             c_early, c_on_time, c_late, c_left, c_open, c_overdue) \
             SELECT day, $1, $2, $4, $5, $6, $7, $8, $9, $10, $11 FROM report_checkpoint_days \
             WHERE day > $3 \
             ON CONFLICT (day, unit_id, field_code) DO UPDATE SET ",
                add_excluded_counters!("report_checkpoints")
            ),
            again,
        ));
    }
    out
}

/// Adds the deltas of the dossiers with these ids (just written by a bulk writer).
pub(crate) async fn record_new(conn: &mut Conn, ids: &[i64]) -> Result<()> {
    let (Some(first), Some(last)) = (ids.iter().min(), ids.iter().max()) else {
        return Ok(());
    };
    let wanted: std::collections::HashSet<i64> = ids.iter().copied().collect();
    let mut agg = Agg::new();
    for (id, s) in facts_in(conn, *first, *last).await? {
        if wanted.contains(&id) {
            add_facts(&mut agg, s.unit, &s.field, &s.facts, 1);
        }
    }
    apply(conn, agg).await
}

/// Rows per multi-row upsert: SQLite looks a `$N` parameter up by name, linearly, so a
/// statement's binding cost grows with the square of its parameters (11 per row); small
/// statements keep a bulk upsert linear.
const CHUNK: usize = 64;

const COLS: &str = "c_online, c_offline, c_early, c_on_time, c_late, c_left, c_open, c_overdue";

/// Appends `rows` groups of 11 placeholders, `($1,…,$11),($12,…)`: the (key, key, key,
/// eight counters) rows of the multi-row upserts below.
fn push_values(sql: &mut String, rows: usize) {
    for i in 0..rows {
        if i > 0 {
            sql.push(',');
        }
        let placeholders: Vec<String> = (1..=11).map(|k| format!("${}", i * 11 + k)).collect();
        sql.push('(');
        sql.push_str(&placeholders.join(","));
        sql.push(')');
    }
}

/// Upserts the non-zero deltas, then adds them to the checkpoints after the earliest day
/// touched (a checkpoint at day C sums the deltas of the days before C): normally there is
/// none after today, so this is one index probe; a backdated write updates the few later
/// checkpoints instead of dropping them.
///
/// On PostgreSQL the probe is a statement after the deltas' upsert: the upsert's ROW
/// EXCLUSIVE lock on `report_deltas` waits for a checkpoint being built (SHARE, see
/// [`extend_grid`]), so the probe sees every checkpoint committed before this write could
/// go on, and a checkpoint built after it waits for this transaction and reads its deltas.
pub(crate) async fn apply(conn: &mut Conn, agg: Agg) -> Result<()> {
    let rows: Vec<_> = agg
        .into_iter()
        .filter(|(_, v)| v.iter().any(|x| *x != 0))
        .collect();
    let Some(min_day) = rows.iter().map(|((_, _, day), _)| *day).min() else {
        return Ok(());
    };
    for chunk in rows.chunks(CHUNK) {
        let mut sql =
            format!("INSERT INTO report_deltas (unit_id, field_code, day, {COLS}) VALUES ");
        push_values(&mut sql, chunk.len());
        sql.push_str(concat!(
            " ON CONFLICT (unit_id, field_code, day) DO UPDATE SET ",
            add_excluded_counters!("report_deltas")
        ));
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for ((unit, field, day), v) in chunk {
            q = q.bind(*unit).bind(field.as_str()).bind(*day);
            for x in v {
                q = q.bind(*x);
            }
        }
        q.execute(&mut *conn).await.map_err(db_error)?;
    }
    carry_forward(conn, &rows, min_day).await
}

/// Adds `rows` (deltas just written) to every checkpoint after `min_day`: to the checkpoint
/// of day C, the deltas of the days before C, per (unit, field).
async fn carry_forward(conn: &mut Conn, rows: &[DeltaRow], min_day: i64) -> Result<()> {
    let days: Vec<i64> =
        sqlx::query_scalar("SELECT day FROM report_checkpoint_days WHERE day > $1 ORDER BY day")
            .bind(min_day)
            .fetch_all(&mut *conn)
            .await
            .map_err(db_error)?;
    if days.is_empty() {
        return Ok(());
    }
    let mut add: Vec<CheckpointAdd> = Vec::new();
    for c in days {
        let mut g: HashMap<(i64, &str), [i64; COUNTERS]> = HashMap::new();
        for ((unit, field, day), v) in rows {
            if *day < c {
                let e = g.entry((*unit, field.as_str())).or_default();
                for (x, y) in e.iter_mut().zip(v) {
                    *x += y;
                }
            }
        }
        add.extend(
            g.into_iter()
                .filter(|(_, v)| v.iter().any(|x| *x != 0))
                .map(|((unit, field), v)| ((c, unit, field), v)),
        );
    }
    for chunk in add.chunks(CHUNK) {
        let mut sql =
            format!("INSERT INTO report_checkpoints (day, unit_id, field_code, {COLS}) VALUES ");
        push_values(&mut sql, chunk.len());
        sql.push_str(concat!(
            " ON CONFLICT (day, unit_id, field_code) DO UPDATE SET ",
            add_excluded_counters!("report_checkpoints")
        ));
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for ((day, unit, field), v) in chunk {
            q = q.bind(*day).bind(*unit).bind(*field);
            for x in v {
                q = q.bind(*x);
            }
        }
        q.execute(&mut *conn).await.map_err(db_error)?;
    }
    Ok(())
}

fn counters(r: &<Db as sqlx::Database>::Row) -> Result<[i64; COUNTERS]> {
    let mut v = [0i64; COUNTERS];
    for (i, name) in COLS.split(", ").enumerate() {
        v[i] = r
            .try_get::<Option<i64>, _>(name)
            .map_err(db_error)?
            .unwrap_or_default();
    }
    Ok(v)
}

/// Julian day number of the Unix epoch (the Vietnam date number 0 is 1970-01-01).
const EPOCH_JULIAN: i64 = 2_440_588;

fn date_of_day(day: i64) -> Option<time::Date> {
    time::Date::from_julian_day(i32::try_from(day + EPOCH_JULIAN).ok()?).ok()
}

fn day_of_date(d: time::Date) -> i64 {
    i64::from(d.to_julian_day()) - EPOCH_JULIAN
}

/// The grid day at or before `day`: the 1st or the 15th of its month. Official periods run
/// from the 15th to the 14th and calendar ones from the 1st, so both start and end on the
/// grid; any other day is at most 14 days after a grid day.
pub(crate) fn grid_at_or_before(day: i64) -> i64 {
    match date_of_day(day) {
        Some(d) => day - i64::from(d.day() - if d.day() >= 15 { 15 } else { 1 }),
        None => day,
    }
}

/// The first grid day after `day`.
fn grid_after(day: i64) -> i64 {
    let g = grid_at_or_before(day);
    match date_of_day(g) {
        Some(d) if d.day() == 1 => g + 14,
        Some(d) => {
            let (y, m) = if d.month() == time::Month::December {
                (d.year() + 1, time::Month::January)
            } else {
                (d.year(), d.month().next())
            };
            time::Date::from_calendar_date(y, m, 1).map_or(day + 1, day_of_date)
        }
        None => day + 1,
    }
}

/// Adds the deltas of the days `from..to` (per unit and field) to `groups`.
async fn add_deltas(conn: &mut Conn, from: i64, to: i64, groups: &mut Groups) -> Result<()> {
    let rows = sqlx::query(
        "SELECT unit_id, field_code, CAST(SUM(c_online) AS BIGINT) AS c_online, CAST(SUM(c_offline) AS BIGINT) AS c_offline, \
         CAST(SUM(c_early) AS BIGINT) AS c_early, CAST(SUM(c_on_time) AS BIGINT) AS c_on_time, CAST(SUM(c_late) AS BIGINT) AS c_late, \
         CAST(SUM(c_left) AS BIGINT) AS c_left, CAST(SUM(c_open) AS BIGINT) AS c_open, CAST(SUM(c_overdue) AS BIGINT) AS c_overdue \
         FROM report_deltas WHERE day >= $1 AND day < $2 GROUP BY unit_id, field_code",
    )
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_error)?;
    for r in &rows {
        let key = (
            r.try_get("unit_id").map_err(db_error)?,
            r.try_get("field_code").map_err(db_error)?,
        );
        let add = counters(r)?;
        let e = groups.entry(key).or_default();
        for (x, y) in e.iter_mut().zip(add) {
            *x += y;
        }
    }
    Ok(())
}

/// The latest checkpoint at or before `day` and its sums.
async fn checkpoint_at_or_before(conn: &mut Conn, day: i64) -> Result<(Option<i64>, Groups)> {
    let from = latest_day(conn, day).await?;
    let mut groups = Groups::new();
    if let Some(from) = from {
        let rows = sqlx::query(
            "SELECT unit_id, field_code, c_online, c_offline, c_early, c_on_time, c_late, \
             c_left, c_open, c_overdue FROM report_checkpoints WHERE day = $1",
        )
        .bind(from)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_error)?;
        for r in &rows {
            let key = (
                r.try_get("unit_id").map_err(db_error)?,
                r.try_get("field_code").map_err(db_error)?,
            );
            groups.insert(key, counters(r)?);
        }
    }
    Ok((from, groups))
}

/// The prefix sums at the midnight starting `day` per (unit, field): the nearest checkpoint
/// at or before it plus the deltas of the days since, read in one snapshot. Writes nothing
/// (the grid is kept by [`extend_grid`] and by the writes themselves, see [`apply`]).
pub(crate) async fn cum_at(pool: &Pool, day: i64) -> Result<Groups> {
    let mut tx = pool.begin().await.map_err(db_error)?;
    if <Db as sqlx::Database>::NAME == "PostgreSQL" {
        // One snapshot for the checkpoint and the deltas after it.
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
    }
    let (from, mut groups) = checkpoint_at_or_before(&mut tx, day).await?;
    if from != Some(day) {
        add_deltas(&mut tx, from.unwrap_or(i64::MIN), day, &mut groups).await?;
    }
    tx.commit().await.map_err(db_error)?;
    Ok(groups)
}

/// The first day with a delta in `from..to`, if any.
async fn first_delta_day(conn: &mut Conn, from: i64, to: i64) -> Result<Option<i64>> {
    sqlx::query("SELECT MIN(day) AS d FROM report_deltas WHERE day >= $1 AND day < $2")
        .bind(from)
        .bind(to)
        .fetch_one(&mut *conn)
        .await
        .and_then(|r| r.try_get("d"))
        .map_err(db_error)
}

/// Grid steps per transaction: a step holds writers back (below) for one checkpoint's read
/// and write (about half a month of deltas); two per transaction bound that pause well
/// under SQLite's busy timeout while a long chain re-reads few checkpoints.
const STEPS_PER_TX: usize = 2;

/// Builds the missing grid checkpoints (1st and 15th of each month, see
/// [`grid_at_or_before`]) up to the grid day `upto`, chained: each from the latest checkpoint
/// before it plus the deltas between, so a whole history costs one pass over the deltas.
/// Grid days with no delta since the previous checkpoint are skipped (a report then starts
/// from that earlier checkpoint; nothing to sum in between). Returns how many it built.
///
/// Concurrency: a checkpoint must include every delta committed before it and every later
/// write to an earlier day must be added to it ([`apply`]). SQLite: the steps run in a
/// `BEGIN IMMEDIATE` transaction (`pool` is the maintenance writer), so no write commits in
/// between. PostgreSQL: `LOCK TABLE report_deltas IN SHARE MODE` first, which waits for the
/// writes in flight (their upserts hold ROW EXCLUSIVE) and holds back new ones until commit;
/// each statement after the lock sees every write committed before it, and a write held back
/// finds the new checkpoint when it probes for later ones. Two chains at once agree (each
/// sees the same deltas); the second's insert of a day does nothing.
pub(crate) async fn extend_grid(pool: &Pool, upto: i64) -> Result<u64> {
    let postgres = <Db as sqlx::Database>::NAME == "PostgreSQL";
    let mut built = 0u64;
    loop {
        // Anything to do? Checked without the lock: nothing to build is the common case.
        {
            let mut conn = pool.acquire().await.map_err(db_error)?;
            let latest = latest_day(&mut conn, upto).await?;
            if latest == Some(upto)
                || first_delta_day(&mut conn, latest.unwrap_or(i64::MIN), upto)
                    .await?
                    .is_none()
            {
                return Ok(built);
            }
        }
        let mut tx = if postgres {
            let mut tx = pool.begin().await.map_err(db_error)?;
            sqlx::query("LOCK TABLE report_deltas IN SHARE MODE")
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            tx
        } else {
            pool.begin_with("BEGIN IMMEDIATE").await.map_err(db_error)?
        };
        let (mut from, mut sums) = checkpoint_at_or_before(&mut tx, upto).await?;
        let mut done = false;
        for _ in 0..STEPS_PER_TX {
            if from == Some(upto) {
                done = true;
                break;
            }
            let Some(next) = first_delta_day(&mut tx, from.unwrap_or(i64::MIN), upto).await? else {
                done = true;
                break;
            };
            let g = grid_after(next).min(upto);
            add_deltas(&mut tx, from.unwrap_or(i64::MIN), g, &mut sums).await?;
            if store_checkpoint(&mut tx, g, &sums).await? {
                built += 1;
            }
            from = Some(g);
        }
        tx.commit().await.map_err(db_error)?;
        if done {
            return Ok(built);
        }
    }
}

/// The latest checkpoint day at or before `day` (without its rows).
async fn latest_day(conn: &mut Conn, day: i64) -> Result<Option<i64>> {
    sqlx::query("SELECT MAX(day) AS d FROM report_checkpoint_days WHERE day <= $1")
        .bind(day)
        .fetch_one(&mut *conn)
        .await
        .and_then(|r| r.try_get("d"))
        .map_err(db_error)
}

/// Stores the checkpoint of `day` unless one exists (then returns false).
async fn store_checkpoint(
    tx: &mut sqlx::Transaction<'static, Db>,
    day: i64,
    groups: &Groups,
) -> Result<bool> {
    let inserted =
        sqlx::query("INSERT INTO report_checkpoint_days (day) VALUES ($1) ON CONFLICT DO NOTHING")
            .bind(day)
            .execute(&mut **tx)
            .await
            .map_err(db_error)?;
    if inserted.rows_affected() == 0 {
        return Ok(false);
    }
    let rows: Vec<_> = groups
        .iter()
        .filter(|(_, v)| v.iter().any(|x| *x != 0))
        .collect();
    for chunk in rows.chunks(CHUNK) {
        let mut sql =
            format!("INSERT INTO report_checkpoints (day, unit_id, field_code, {COLS}) VALUES ");
        push_values(&mut sql, chunk.len());
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for ((unit, field), v) in chunk {
            q = q.bind(day).bind(*unit).bind(field.as_str());
            for x in *v {
                q = q.bind(*x);
            }
        }
        q.execute(&mut **tx).await.map_err(db_error)?;
    }
    Ok(true)
}

/// Whether the deltas still have to be computed for the dossiers stored before migration 0011.
pub(crate) async fn backfill_pending(pool: &Pool) -> Result<bool> {
    let row = sqlx::query("SELECT done FROM report_counters_backfill WHERE id = 1")
        .fetch_optional(pool)
        .await
        .map_err(db_error)?;
    Ok(match row {
        Some(r) => r.try_get::<i64, _>("done").map_err(db_error)? == 0,
        None => false,
    })
}

/// Computes the deltas of every stored dossier once (after the pause rows' backfill), in
/// pages of ids, in one transaction. Returns how many dossiers it read.
pub(crate) async fn backfill(pool: &Pool) -> Result<u64> {
    let mut tx = pool.begin().await.map_err(db_error)?;
    let claimed =
        sqlx::query("UPDATE report_counters_backfill SET done = 1 WHERE id = 1 AND done = 0")
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
    if claimed.rows_affected() == 0 {
        return Ok(0);
    }
    let bounds = sqlx::query("SELECT MIN(id) AS lo, MAX(id) AS hi FROM dossiers")
        .fetch_one(&mut *tx)
        .await
        .map_err(db_error)?;
    let lo: Option<i64> = bounds.try_get("lo").map_err(db_error)?;
    let hi: Option<i64> = bounds.try_get("hi").map_err(db_error)?;
    let mut n = 0u64;
    if let (Some(lo), Some(hi)) = (lo, hi) {
        // Page by page, so memory stays bounded whatever the size.
        let mut first = lo;
        while first <= hi {
            let last = first.saturating_add(50_000).min(hi);
            let mut agg = Agg::new();
            for (_, s) in facts_in(&mut tx, first, last).await? {
                add_facts(&mut agg, s.unit, &s.field, &s.facts, 1);
                n += 1;
            }
            apply(&mut tx, agg).await?;
            first = last + 1;
        }
    }
    tx.commit().await.map_err(db_error)?;
    Ok(n)
}
