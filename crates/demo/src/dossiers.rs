//! The demo's dossiers: receipts over 2022-Q2..Q4 with realistic rhythms, each registered with
//! `dossier::register` and moved with `dossier::apply` under the real procedures, calendar and
//! rule set; fates chosen so that the official period 2022-Q3 realises the [`Plan`] exactly.
//!
//! Two passes. First, "skeletons": for every working day (the calendar's, so holidays and
//! swapped Saturdays count as they should) a number of receipts — Mondays busier, summer and
//! year-end busier, a little noise — with an instant inside office hours, a procedure (by its
//! share), a channel and the legal clock (`legal_deadline`, the same function intake uses).
//! Then fates: the last dossiers of Q2 that can still be on time after 15/6 are carried into
//! Q3, the last of Q3 that can be on time after 14/9 stay pending, some are withdrawn, stopped
//! or refused, a few in Q2 and Q4 are late. Second pass: each skeleton is played through the
//! domain (register, steps, supplement or payment pauses, approval or refusal, result, hand
//! over), producing the states and events the store writes in bulk.

use std::collections::HashMap;

use motcua_calendar::{VIETNAM_OFFSET, WorkingCalendar};
use motcua_domain::dossier::{
    self, Action, Actor, ApplicantKind, Dossier, Intake, NewApplicant, Outcome, ReceivedDocument,
    RuleSet, Transition, legal_deadline,
};
use motcua_domain::procedure::{Channel, OnlineLevel, Procedure};
use motcua_domain::{Error, Result};
use motcua_store::BulkDossier;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use time::macros::{date, time};
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, Time, Weekday};

use crate::people::Staff;
use crate::plan::Plan;

/// First receiving day of the demo data.
pub const FIRST_DAY: Date = date!(2022 - 04 - 01);
/// Last receiving day of the demo data; dossiers received on its last two working days are
/// left open (the demo's inboxes have work).
pub const LAST_DAY: Date = date!(2022 - 12 - 30);
/// Official 2022-Q3: 15/6/2022 00:00 to 15/9/2022 00:00 (+07:00), i.e. 15/6 – 14/9.
pub fn q3_start() -> OffsetDateTime {
    at(date!(2022 - 06 - 15), Time::MIDNIGHT)
}
pub fn q3_end() -> OffsetDateTime {
    at(date!(2022 - 09 - 15), Time::MIDNIGHT)
}
/// Nothing happens after this instant (the end of office hours of [`LAST_DAY`]).
pub fn data_end() -> OffsetDateTime {
    at(LAST_DAY, time!(17:00))
}

fn at(d: Date, t: Time) -> OffsetDateTime {
    PrimitiveDateTime::new(d, t).assume_offset(VIETNAM_OFFSET)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quarter {
    Q2,
    Q3,
    Q4,
}

/// When the resolution must fall relative to a period boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Window {
    Before(OffsetDateTime),
    After(OffsetDateTime),
    Free,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Issued(Window),
    Refused(Window),
    Late(Window),
    Withdrawn(Window),
    Stopped(Window),
    Undecided,
}

struct Skeleton {
    at: OffsetDateTime,
    procedure: usize,
    channel: Channel,
    quarter: Quarter,
    counted_from: OffsetDateTime,
    /// Legal time limit in working minutes.
    limit: i64,
    fate: Fate,
}

/// What the generator realised for the official period 2022-Q3 (its own count over the final
/// states: received in the period; resolved = issued or refused with `resolved_at` in it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    pub received: u64,
    pub received_online: u64,
    pub resolved: u64,
    pub resolved_late: u64,
    pub carried_in: u64,
    pub pending_out: u64,
}

/// The dossier generator: an iterator of batches ready for `Store::write_dossiers_bulk`.
pub struct Generator {
    calendar: WorkingCalendar,
    rules: RuleSet,
    procedures: Vec<Procedure>,
    staff: HashMap<String, Staff>,
    skeletons: Vec<Skeleton>,
    next: usize,
    rng: StdRng,
    sequences: HashMap<(String, Date), u32>,
    numbers: HashMap<String, u32>,
    figures: Figures,
    events: u64,
}

impl Generator {
    /// Lays out every receipt and fate (first pass). Errors when the plan cannot be met with
    /// these procedures and this calendar (`demo_plan_infeasible`).
    pub fn new(
        calendar: WorkingCalendar,
        rules: RuleSet,
        procedures: Vec<(Procedure, u32)>,
        staff: HashMap<String, Staff>,
        plan: &Plan,
        seed: u64,
    ) -> Result<Generator> {
        let mut rng = StdRng::seed_from_u64(seed);
        let weights: Vec<u32> = procedures.iter().map(|(_, w)| *w).collect();
        let procedures: Vec<Procedure> = procedures.into_iter().map(|(p, _)| p).collect();
        let q2_total = (plan.received as f64 * 0.62).round() as u64;
        let q4_total = (plan.received as f64 * 0.93).round() as u64;
        let mut skeletons = Vec::new();
        let spans = [
            (Quarter::Q2, FIRST_DAY, date!(2022 - 06 - 14), q2_total),
            (
                Quarter::Q3,
                date!(2022 - 06 - 15),
                date!(2022 - 09 - 14),
                plan.received,
            ),
            (Quarter::Q4, date!(2022 - 09 - 15), LAST_DAY, q4_total),
        ];
        for (quarter, first, last, total) in spans {
            let days = working_days(&calendar, first, last)?;
            let counts = spread(&days, total, &mut rng);
            for (day, count) in days.iter().zip(counts) {
                let mut today: Vec<Skeleton> = (0..count)
                    .map(|_| {
                        skeleton(
                            &calendar,
                            &rules,
                            &procedures,
                            &weights,
                            *day,
                            quarter,
                            &mut rng,
                        )
                    })
                    .collect::<Result<_>>()?;
                today.sort_by_key(|s| s.at);
                skeletons.extend(today);
            }
        }
        assign_fates(&calendar, &mut skeletons, plan, &mut rng)?;
        Ok(Generator {
            calendar,
            rules,
            procedures,
            staff,
            skeletons,
            next: 0,
            rng,
            sequences: HashMap::new(),
            numbers: HashMap::new(),
            figures: Figures::default(),
            events: 0,
        })
    }

    /// Number of dossiers this generator makes.
    pub fn total(&self) -> usize {
        self.skeletons.len()
    }

    /// Q3 figures over the dossiers made so far.
    pub fn figures(&self) -> Figures {
        self.figures
    }

    /// Events made so far.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// The next `size` dossiers (fewer at the end, empty when done).
    pub fn next_batch(&mut self, size: usize) -> Result<Vec<BulkDossier>> {
        let end = (self.next + size).min(self.skeletons.len());
        let mut out = Vec::with_capacity(end - self.next);
        while self.next < end {
            let i = self.next;
            self.next += 1;
            out.push(self.play(i)?);
        }
        Ok(out)
    }

    /// Plays one skeleton through the domain.
    fn play(&mut self, i: usize) -> Result<BulkDossier> {
        let s = &self.skeletons[i];
        let procedure = &self.procedures[s.procedure];
        let owner = procedure.implementing_unit.clone();
        let staff = self.staff.get(&owner).ok_or_else(|| {
            Error::invalid(
                "demo_staff_missing",
                format!("Đơn vị {owner} chưa có cán bộ."),
            )
        })?;
        let local_day = s.at.to_offset(VIETNAM_OFFSET).date();
        let seq = self
            .sequences
            .entry((owner.clone(), local_day))
            .or_insert(0);
        *seq += 1;
        let sequence = *seq;
        let rng = &mut self.rng;
        let applicant = applicant(rng);
        let applicant_name = applicant.name.clone();
        let online = s.channel == Channel::Online;
        let intake = Intake {
            procedure_code: procedure.code.clone(),
            channel: s.channel,
            applicant,
            documents: procedure
                .documents
                .iter()
                .filter(|d| !d.optional)
                .map(|d| ReceivedDocument {
                    key: d.key.clone(),
                    count: d.count,
                })
                .collect(),
            received_at: (!online).then_some(s.at),
            summary: None,
            received_by: (!online).then(|| staff.receiver.username.clone()),
        };
        let (registered, register_event) = dossier::register(
            intake,
            s.at,
            procedure,
            &self.calendar,
            &self.rules,
            sequence,
        )?;
        let cal = &self.calendar;
        let limit = s.limit;
        let cf = s.counted_from;
        let budgets: Vec<i64> = procedure
            .workflow
            .steps
            .iter()
            .map(|st| st.budget_for(s.channel))
            .collect();
        let cum = |k: usize| budgets[..=k].iter().sum::<i64>();
        let minutes_to = |b: OffsetDateTime| cal.working_minutes_between(cf, b).map_err(cal_err);

        // Pause: a supplement now and then, a payment for most fee-paying procedures.
        let fee = procedure.channels.first().map_or(0, |t| t.fee_vnd);
        let mut pause: Option<(bool, i64)> = if rng.random_bool(0.06) {
            Some((true, rng.random_range(480..=2400)))
        } else if fee > 0 && rng.random_bool(0.5) {
            Some((false, rng.random_range(60..=960)))
        } else {
            None
        };
        let fate = s.fate;
        if matches!(fate, Fate::Withdrawn(_) | Fate::Stopped(_) | Fate::Late(_)) {
            pause = None;
        }
        let p = pause.map_or(0, |(_, m)| m);
        // Active working minutes from the start of the clock to the resolution.
        let w = match fate {
            Fate::Issued(win) | Fate::Refused(win) | Fate::Withdrawn(win) | Fate::Stopped(win) => {
                match win {
                    Window::Before(b) => {
                        let room = minutes_to(b)?;
                        let mut hi = (limit - 15).min(room - p - 15);
                        if hi < limit / 10 && p > 0 {
                            pause = None;
                            hi = (limit - 15).min(room - 15);
                        }
                        let hi = hi.max(1).min((room - 1).max(1));
                        let lo = (limit / 5).min(hi / 2).max(1);
                        rng.random_range(lo..=hi)
                    }
                    Window::After(b) => {
                        let room = minutes_to(b)?;
                        let p = pause.map_or(0, |(_, m)| m);
                        let hi = limit - 15;
                        let lo = (room + 15 - p).max(limit / 5);
                        if lo > hi {
                            return Err(infeasible("after-window"));
                        }
                        rng.random_range(lo..=hi)
                    }
                    Window::Free => rng.random_range((limit / 5).max(1)..=limit - 15),
                }
            }
            Fate::Late(win) => {
                let extra_max = match win {
                    Window::Before(b) => (minutes_to(b)? - limit - 30).min(1440),
                    _ => 2400,
                };
                if extra_max < 60 {
                    return Err(infeasible("late-window"));
                }
                limit + rng.random_range(60..=extra_max)
            }
            Fate::Undecided => return Err(infeasible("undecided")),
        };
        let p = pause.map_or(0, |(_, m)| m);
        let scale = |k: usize| ((w as i128 * cum(k) as i128) / limit as i128) as i64;
        let o0 = scale(0);
        let o1 = scale(1);
        let o2 = scale(2);
        let o_pause = (o0 + o1) / 2;
        let real = |o: i64| -> Result<OffsetDateTime> {
            let shifted = if pause.is_some() && o > o_pause {
                o + p
            } else {
                o
            };
            cal.add_working_minutes(cf, shifted).map_err(cal_err)
        };

        let mut plan: Vec<(OffsetDateTime, &Actor, Action)> = Vec::new();
        plan.push((
            real(o0)?,
            &staff.receiver,
            Action::CompleteStep { note: None },
        ));
        match fate {
            Fate::Withdrawn(_) => {
                plan.push((
                    real(o_pause)?,
                    &staff.receiver,
                    Action::Withdraw {
                        reason: "Người nộp hồ sơ có đơn đề nghị rút hồ sơ.".to_string(),
                    },
                ));
            }
            Fate::Stopped(_) => {
                plan.push((
                    real(o_pause)?,
                    &staff.leader,
                    Action::Stop {
                        reason: "Người nộp không còn đủ điều kiện theo quy định; dừng giải quyết và thông báo.".to_string(),
                    },
                ));
            }
            _ => {
                if let Some((supplement, _)) = pause {
                    let (ask, done) = if supplement {
                        (
                            Action::RequestSupplement {
                                reason: "Giấy tờ kèm theo chưa có chứng thực hợp lệ.".to_string(),
                                items: vec!["Bản sao có chứng thực giấy tờ chính".to_string()],
                            },
                            Action::ReceiveSupplement { note: None },
                        )
                    } else {
                        (
                            Action::RequestPayment {
                                amount_vnd: fee,
                                reason: "Nộp phí theo quy định.".to_string(),
                            },
                            Action::PaymentReceived { note: None },
                        )
                    };
                    plan.push((
                        cal.add_working_minutes(cf, o_pause).map_err(cal_err)?,
                        &staff.specialist,
                        ask,
                    ));
                    plan.push((
                        cal.add_working_minutes(cf, o_pause + p).map_err(cal_err)?,
                        &staff.receiver,
                        done,
                    ));
                }
                plan.push((
                    real(o1)?,
                    &staff.specialist,
                    Action::CompleteStep { note: None },
                ));
                if matches!(fate, Fate::Refused(_)) {
                    plan.push((
                        real(w)?,
                        &staff.leader,
                        Action::Refuse {
                            reason: "Hồ sơ không đáp ứng điều kiện theo quy định của thủ tục."
                                .to_string(),
                        },
                    ));
                } else {
                    plan.push((real(o2)?, &staff.leader, Action::Approve { note: None }));
                    let n = self.numbers.entry(owner.clone()).or_insert(0);
                    *n += 1;
                    let resolved = real(w)?;
                    plan.push((
                        resolved,
                        &staff.clerk,
                        Action::IssueResult {
                            document_number: format!("{}/QĐ-{}", n, staff.short),
                            note: None,
                        },
                    ));
                    let handed = cal
                        .add_working_minutes(resolved, rng.random_range(30..=1440))
                        .map_err(cal_err)?;
                    plan.push((
                        handed,
                        &staff.receiver,
                        Action::ReturnResult {
                            to: applicant_name.clone(),
                            note: None,
                        },
                    ));
                }
            }
        }

        let mut d: Dossier = registered.clone();
        let mut transitions: Vec<Transition> = Vec::with_capacity(plan.len());
        let end = data_end();
        for (when, actor, action) in plan {
            if when > end {
                break;
            }
            let t = dossier::apply(&d, &action, actor, when, procedure, cal, &self.rules)?;
            d = t.dossier.clone();
            transitions.push(t);
        }
        self.events += 1 + transitions.len() as u64;
        self.count(&d, i);
        let tracking_key = tracking_key(&mut self.rng);
        Ok(BulkDossier {
            sequence,
            tracking_key,
            registered,
            register_event,
            transitions,
        })
    }

    fn count(&mut self, d: &Dossier, i: usize) {
        let (start, end) = (q3_start(), q3_end());
        let inside = |t: OffsetDateTime| t >= start && t < end;
        let f = &mut self.figures;
        if inside(d.received_at) {
            f.received += 1;
            if d.channel == Channel::Online {
                f.received_online += 1;
            }
        }
        let resolved = matches!(d.outcome, Some(Outcome::Issued | Outcome::Refused));
        if let (true, Some(at)) = (resolved, d.resolved_at)
            && inside(at)
        {
            f.resolved += 1;
            if at > d.legal_due_at {
                f.resolved_late += 1;
            }
            if d.received_at < start {
                f.carried_in += 1;
            }
        }
        if inside(d.received_at) && d.resolved_at.is_none_or(|r| r >= end) {
            f.pending_out += 1;
        }
        let _ = i;
    }
}

fn cal_err(e: motcua_calendar::CalendarError) -> Error {
    motcua_domain::calendar::calendar_error(&e)
}

fn infeasible(what: &str) -> Error {
    Error::invalid(
        "demo_plan_infeasible",
        format!("Không sinh được dữ liệu mẫu theo kế hoạch ({what})."),
    )
}

fn working_days(cal: &WorkingCalendar, first: Date, last: Date) -> Result<Vec<Date>> {
    let mut out = Vec::new();
    let mut d = first;
    while d <= last {
        if cal.is_working_day(d).map_err(cal_err)? {
            out.push(d);
        }
        d = d.next_day().ok_or_else(|| infeasible("date"))?;
    }
    Ok(out)
}

/// Splits `total` receipts over the days: Mondays busiest, Fridays and worked Saturdays
/// quieter, busier in summer (enlistment, admissions, demobilisation benefits) and at the year
/// end, ±10% noise; largest remainder so the counts sum to `total` exactly.
fn spread(days: &[Date], total: u64, rng: &mut StdRng) -> Vec<u64> {
    let weights: Vec<f64> = days
        .iter()
        .map(|d| {
            let weekday = match d.weekday() {
                Weekday::Monday => 1.35,
                Weekday::Tuesday => 1.1,
                Weekday::Wednesday => 1.0,
                Weekday::Thursday => 0.95,
                Weekday::Friday => 0.85,
                _ => 0.6,
            };
            let season = [
                0.0, 0.9, 0.9, 0.95, 0.95, 1.0, 1.05, 1.15, 1.12, 1.0, 0.95, 1.0, 1.1,
            ][usize::from(u8::from(d.month()))];
            weekday * season * rng.random_range(0.9..1.1)
        })
        .collect();
    let sum: f64 = weights.iter().sum();
    let exact: Vec<f64> = weights.iter().map(|w| w / sum * total as f64).collect();
    let mut counts: Vec<u64> = exact.iter().map(|x| x.floor() as u64).collect();
    let mut left = total - counts.iter().sum::<u64>();
    let mut order: Vec<usize> = (0..days.len()).collect();
    order.sort_by(|&a, &b| {
        let fa = exact[a] - exact[a].floor();
        let fb = exact[b] - exact[b].floor();
        fb.total_cmp(&fa).then(a.cmp(&b))
    });
    for i in order {
        if left == 0 {
            break;
        }
        counts[i] += 1;
        left -= 1;
    }
    counts
}

fn skeleton(
    cal: &WorkingCalendar,
    rules: &RuleSet,
    procedures: &[Procedure],
    weights: &[u32],
    day: Date,
    quarter: Quarter,
    rng: &mut StdRng,
) -> Result<Skeleton> {
    let total: u32 = weights.iter().sum();
    let mut pick = rng.random_range(0..total);
    let mut ix = 0;
    for (i, w) in weights.iter().enumerate() {
        if pick < *w {
            ix = i;
            break;
        }
        pick -= w;
    }
    let procedure = &procedures[ix];
    let offers_online = procedure
        .channels
        .iter()
        .any(|t| t.channel == Channel::Online);
    let online_share = match procedure.online_level {
        OnlineLevel::FullyOnline => 0.55,
        OnlineLevel::Partial => 0.3,
        OnlineLevel::None => 0.0,
    };
    let roll: f64 = rng.random();
    let channel = if offers_online && roll < online_share {
        Channel::Online
    } else if roll > 0.93 {
        Channel::Postal
    } else {
        Channel::InPerson
    };
    // Inside office hours: 08:00–11:45 and 13:00–16:45.
    let minute: i64 = rng.random_range(0..450);
    let second: i64 = rng.random_range(0..60);
    let start = if minute < 225 {
        time!(08:00)
    } else {
        time!(13:00)
    };
    let at = at(day, start) + Duration::minutes(minute % 225) + Duration::seconds(second);
    let terms = procedure.terms(channel)?;
    let (counted_from, _) = legal_deadline(
        &terms.limit,
        procedure.same_day_cutoff,
        at,
        cal,
        rules.minutes_per_day,
    )?;
    let limit = terms
        .limit
        .working_minutes(rules.minutes_per_day)
        .ok_or_else(|| infeasible("calendar-day limit"))?;
    Ok(Skeleton {
        at,
        procedure: ix,
        channel,
        quarter,
        counted_from,
        limit,
        fate: Fate::Undecided,
    })
}

/// Chooses every fate so that Q3 realises the plan exactly (see `plan.rs`).
fn assign_fates(
    cal: &WorkingCalendar,
    skeletons: &mut [Skeleton],
    plan: &Plan,
    rng: &mut StdRng,
) -> Result<()> {
    let (start, end) = (q3_start(), q3_end());
    let room = |s: &Skeleton, b: OffsetDateTime| {
        cal.working_minutes_between(s.counted_from, b)
            .map_err(cal_err)
    };
    let q2: Vec<usize> = (0..skeletons.len())
        .filter(|&i| skeletons[i].quarter == Quarter::Q2)
        .collect();
    let q3: Vec<usize> = (0..skeletons.len())
        .filter(|&i| skeletons[i].quarter == Quarter::Q3)
        .collect();
    let q4: Vec<usize> = (0..skeletons.len())
        .filter(|&i| skeletons[i].quarter == Quarter::Q4)
        .collect();

    // Q2: the latest receipts that can still finish on time after 15/6 are carried in.
    let mut carried = 0;
    for &i in q2.iter().rev() {
        if carried == plan.carried_in {
            break;
        }
        let s = &skeletons[i];
        if s.limit - room(s, start)? >= 60 {
            skeletons[i].fate = Fate::Issued(Window::After(start));
            carried += 1;
        }
    }
    if carried != plan.carried_in {
        return Err(infeasible("carried_in"));
    }
    for &i in &q2 {
        if skeletons[i].fate != Fate::Undecided {
            continue;
        }
        let s = &skeletons[i];
        let r = room(s, start)?;
        let roll: f64 = rng.random();
        let before = Window::Before(start);
        skeletons[i].fate = if roll < 0.005 && r >= 480 {
            Fate::Withdrawn(before)
        } else if roll < 0.0065 && r >= 480 {
            Fate::Stopped(before)
        } else if roll < 0.0145 && r >= 240 {
            Fate::Refused(before)
        } else if roll < 0.0205 && r - s.limit >= 240 {
            Fate::Late(before)
        } else {
            Fate::Issued(before)
        };
    }

    // Q3: the latest receipts that can finish on time after 14/9 stay pending.
    let mut pending = 0;
    for &i in q3.iter().rev() {
        if pending == plan.pending_out {
            break;
        }
        let s = &skeletons[i];
        if s.limit - room(s, end)? >= 60 {
            skeletons[i].fate = Fate::Issued(Window::After(end));
            pending += 1;
        }
    }
    if pending != plan.pending_out {
        return Err(infeasible("pending_out"));
    }
    // Withdrawn, stopped and refused among the others with room before 15/9.
    let mut open: Vec<usize> = Vec::new();
    for &i in &q3 {
        if skeletons[i].fate == Fate::Undecided && room(&skeletons[i], end)? >= 960 {
            open.push(i);
        }
    }
    let wanted = (plan.withdrawn + plan.stopped + plan.refused) as usize;
    if open.len() < wanted {
        return Err(infeasible("left_without_result"));
    }
    // Partial Fisher–Yates: the first `wanted` of a random permutation.
    for k in 0..wanted {
        let j = rng.random_range(k..open.len());
        open.swap(k, j);
    }
    let before = Window::Before(end);
    for (k, &i) in open.iter().take(wanted).enumerate() {
        let k = k as u64;
        skeletons[i].fate = if k < plan.withdrawn {
            Fate::Withdrawn(before)
        } else if k < plan.withdrawn + plan.stopped {
            Fate::Stopped(before)
        } else {
            Fate::Refused(before)
        };
    }
    for &i in &q3 {
        if skeletons[i].fate == Fate::Undecided {
            skeletons[i].fate = Fate::Issued(before);
        }
    }

    // Q4: a few of everything, some late; the last days stay open (cut at the data end).
    for &i in &q4 {
        let roll: f64 = rng.random();
        skeletons[i].fate = if roll < 0.005 {
            Fate::Withdrawn(Window::Free)
        } else if roll < 0.0065 {
            Fate::Stopped(Window::Free)
        } else if roll < 0.0145 {
            Fate::Refused(Window::Free)
        } else if roll < 0.0215 {
            Fate::Late(Window::Free)
        } else {
            Fate::Issued(Window::Free)
        };
    }
    Ok(())
}

const FAMILY: [&str; 16] = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý",
];
const MIDDLE: [&str; 10] = [
    "Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Quang", "Ngọc", "Xuân", "Hồng",
];
const GIVEN: [&str; 30] = [
    "An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hòa", "Hùng", "Hương", "Khánh",
    "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Phong", "Phúc", "Quân", "Sơn", "Tâm", "Thắng",
    "Thảo", "Trang", "Trung", "Tuấn", "Việt", "Yến",
];

/// A Vietnamese full name.
pub fn person_name(rng: &mut StdRng) -> String {
    format!(
        "{} {} {}",
        FAMILY[rng.random_range(0..FAMILY.len())],
        MIDDLE[rng.random_range(0..MIDDLE.len())],
        GIVEN[rng.random_range(0..GIVEN.len())]
    )
}

fn applicant(rng: &mut StdRng) -> NewApplicant {
    let province: u32 = rng.random_range(1..=96);
    let rest: u64 = rng.random_range(0..1_000_000_000);
    NewApplicant {
        kind: ApplicantKind::Person,
        name: person_name(rng),
        id_number: format!("{province:03}{rest:09}"),
        phone: None,
        email: None,
        address: None,
    }
}

/// 32 characters of the tracking-key alphabet (no 0/O, 1/I), from the seeded generator.
fn tracking_key(rng: &mut StdRng) -> String {
    const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    (0..32)
        .map(|_| char::from(ALPHABET[rng.random_range(0..32)]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_calendar::{HolidayRules, OfficeHours, shipped_exceptions};

    fn generator(scale: f64, seed: u64) -> Generator {
        let calendar = WorkingCalendar::for_years(
            &HolidayRules::default(),
            &shipped_exceptions(),
            OfficeHours::default(),
            2021,
            2024,
        )
        .unwrap();
        let rules = RuleSet::default();
        let procedures = crate::catalogue::procedures(rules.minutes_per_day).unwrap();
        Generator::new(
            calendar,
            rules,
            procedures,
            crate::people::staff(),
            &Plan::scaled(scale),
            seed,
        )
        .unwrap()
    }

    #[test]
    fn small_plan_is_met_exactly_and_deterministically() {
        let plan = Plan::scaled(0.02);
        let mut a = generator(0.02, 9);
        let mut b = generator(0.02, 9);
        assert_eq!(a.total(), b.total());
        let mut codes = std::collections::HashSet::new();
        loop {
            let x = a.next_batch(500).unwrap();
            let y = b.next_batch(500).unwrap();
            assert_eq!(x.len(), y.len());
            if x.is_empty() {
                break;
            }
            for (p, q) in x.iter().zip(&y) {
                assert_eq!(p.registered, q.registered);
                assert_eq!(p.transitions, q.transitions);
                assert_eq!(p.tracking_key, q.tracking_key);
                assert!(
                    codes.insert(p.registered.code.clone()),
                    "{}",
                    p.registered.code
                );
                // Receipts on working days inside office hours.
                let local = p.registered.received_at.to_offset(VIETNAM_OFFSET);
                assert!(a.calendar.is_working_day(local.date()).unwrap());
                assert!(local.time() >= time!(08:00) && local.time() < time!(17:00));
            }
        }
        let f = a.figures();
        assert_eq!(f.received, plan.received);
        assert_eq!(f.resolved, plan.resolved());
        assert_eq!(f.resolved_late, 0);
        assert_eq!(f.carried_in, plan.carried_in);
        assert_eq!(f.pending_out, plan.pending_out);
        assert!(f.received_online > 0 && f.received_online < f.received);
    }

    #[test]
    fn another_seed_gives_other_data_with_the_same_figures() {
        let mut a = generator(0.01, 1);
        let mut b = generator(0.01, 2);
        let x = a.next_batch(50).unwrap();
        let y = b.next_batch(50).unwrap();
        assert_ne!(
            x.iter()
                .map(|d| d.registered.received_at)
                .collect::<Vec<_>>(),
            y.iter()
                .map(|d| d.registered.received_at)
                .collect::<Vec<_>>()
        );
        while !a.next_batch(1000).unwrap().is_empty() {}
        while !b.next_batch(1000).unwrap().is_empty() {}
        assert_eq!(a.figures().resolved, b.figures().resolved);
        assert_eq!(a.figures().received, b.figures().received);
    }
}
