//! Dossier lifecycle tests against the shipped calendar (Tết 2025 off 25/1–2/2).

use std::sync::OnceLock;

use motcua_calendar::{HolidayRules, OfficeHours, WorkingCalendar, shipped_exceptions};
use time::OffsetDateTime;
use time::macros::{date, datetime, time};

use super::*;
use crate::ErrorKind;
use crate::procedure::{self, LimitUnit, Procedure, TimeLimit};

pub(super) fn cal() -> &'static WorkingCalendar {
    static CAL: OnceLock<WorkingCalendar> = OnceLock::new();
    CAL.get_or_init(|| {
        WorkingCalendar::new(
            &HolidayRules::default(),
            &shipped_exceptions(),
            OfficeHours::default(),
        )
        .expect("calendar")
    })
}

pub(super) fn proc_() -> Procedure {
    procedure::example()
}

pub(super) fn actor(name: &str, role: Role) -> Actor {
    Actor {
        username: name.to_string(),
        roles: vec![role],
        unit_code: "000.00.01.H22".to_string(),
    }
}

pub(super) fn intake(channel: Channel) -> Intake {
    Intake {
        procedure_code: "1.009999".into(),
        channel,
        applicant: NewApplicant {
            kind: ApplicantKind::Person,
            name: "Nguyễn Văn An".into(),
            id_number: "001099012345".into(),
            phone: Some("0912345678".into()),
            email: None,
            address: Some("Số 1 Hoàng Diệu, Hà Nội".into()),
        },
        documents: vec![
            ReceivedDocument {
                key: "don_de_nghi".into(),
                count: 1,
            },
            ReceivedDocument {
                key: "cccd".into(),
                count: 1,
            },
            ReceivedDocument {
                key: "quyet_dinh".into(),
                count: 1,
            },
        ],
        received_at: None,
        summary: None,
        received_by: Some("tn01".into()),
    }
}

pub(super) fn registered(now: OffsetDateTime) -> Dossier {
    register(
        intake(Channel::InPerson),
        now,
        &proc_(),
        cal(),
        &RuleSet::default(),
        7,
    )
    .expect("register")
    .0
}

fn run(d: &Dossier, a: Action, who: &Actor, now: OffsetDateTime) -> Result<Transition> {
    apply(d, &a, who, now, &proc_(), cal(), &RuleSet::default())
}

fn ok(d: &Dossier, a: Action, who: &Actor, now: OffsetDateTime) -> Transition {
    let t = run(d, a, who, now).expect("action applies");
    assert_eq!(t.dossier.version, d.version + 1);
    assert_eq!(t.event.version, t.dossier.version);
    t
}

fn receiver() -> Actor {
    actor("tn01", Role::Receiver)
}
fn specialist() -> Actor {
    actor("cv01", Role::Specialist)
}
fn leader() -> Actor {
    actor("ld01", Role::Leader)
}
fn clerk() -> Actor {
    actor("vt01", Role::Clerk)
}

fn reason(s: &str) -> String {
    s.to_string()
}

/// Received Mon 03/03/2025 09:00, five working days: due Mon 10/03 09:00. Step 0 done.
fn at_specialist() -> Dossier {
    let d = registered(datetime!(2025-03-03 09:00 +7));
    ok(
        &d,
        Action::CompleteStep { note: None },
        &receiver(),
        datetime!(2025-03-03 10:30 +7),
    )
    .dossier
}

/// A procedure whose online limit is a day shorter (4 working days) and whose appraisal step
/// takes that day off online (720 instead of 1200 minutes): the dossier's channel picks the
/// step budget the control slip judges against.
#[test]
fn step_budgets_follow_the_dossiers_channel() {
    let mut input = proc_().to_new();
    let online = input
        .channels
        .iter_mut()
        .find(|t| t.channel == Channel::Online)
        .expect("online");
    online.limit.amount = 4;
    input.workflow.steps[1]
        .channel_budgets
        .insert(Channel::Online, 720);
    let p = Procedure::parse(input, 480).expect("per-channel budgets");
    let rules = RuleSet::default();
    let monday = datetime!(2025-03-03 09:00 +7);
    for (channel, due, budget, timing) in [
        (
            Channel::InPerson,
            datetime!(2025-03-10 09:00 +7),
            1200,
            ResolutionClass::Early,
        ),
        (
            Channel::Online,
            datetime!(2025-03-07 09:00 +7),
            720,
            ResolutionClass::Late,
        ),
    ] {
        let (d, _) = register(intake(channel), monday, &p, cal(), &rules, 1).expect("register");
        assert_eq!(d.legal_due_at, due, "{channel:?}");
        let step = |d: &Dossier, who: &Actor, at| {
            apply(
                d,
                &Action::CompleteStep { note: None },
                who,
                at,
                &p,
                cal(),
                &rules,
            )
            .expect("complete")
        };
        let t = step(&d, &receiver(), datetime!(2025-03-03 10:30 +7));
        // The appraisal finished Tuesday 16:00, 750 working minutes after it began.
        let t = step(&t.dossier, &specialist(), datetime!(2025-03-04 16:00 +7));
        assert_eq!(t.event.step_used_minutes, Some(750), "{channel:?}");
        assert_eq!(t.event.step_budget_minutes, Some(budget), "{channel:?}");
        assert_eq!(t.event.timing, Some(timing), "{channel:?}");
    }
}

/// "Once per agency": in an inter-agency workflow the unit acting at the step is the agency, so
/// an appraisal at another unit and the owner's own leader each get their round, and neither
/// gets a second.
#[test]
fn supplement_rounds_are_per_acting_unit() {
    let mut input = proc_().to_new();
    input.workflow.steps[1].unit = procedure::StepUnit::Unit("000.00.02.H23".into());
    let p = Procedure::parse(input, 480).expect("inter-agency workflow");
    let rules = RuleSet::default();
    let act = |d: &Dossier, a: Action, who: &Actor, at| apply(d, &a, who, at, &p, cal(), &rules);
    let supplement = || Action::RequestSupplement {
        reason: "Thiếu giấy tờ".into(),
        items: vec!["Bản sao quyết định".into()],
    };
    let resume = || Action::ReceiveSupplement { note: None };
    let (d, _) = register(
        intake(Channel::InPerson),
        datetime!(2025-03-03 09:00 +7),
        &p,
        cal(),
        &rules,
        1,
    )
    .expect("register");
    let complete = Action::CompleteStep { note: None };
    let d = act(
        &d,
        complete.clone(),
        &receiver(),
        datetime!(2025-03-03 10:00 +7),
    )
    .expect("to the other unit")
    .dossier;
    assert_eq!(d.acting_unit(&p), "000.00.02.H23");
    let t = act(
        &d,
        supplement(),
        &specialist(),
        datetime!(2025-03-03 11:00 +7),
    )
    .expect("round 1");
    let d = act(
        &t.dossier,
        resume(),
        &receiver(),
        datetime!(2025-03-04 09:00 +7),
    )
    .expect("resume")
    .dossier;
    let e = act(
        &d,
        supplement(),
        &specialist(),
        datetime!(2025-03-04 10:00 +7),
    )
    .expect_err("again");
    assert_eq!(e.code, "supplement_rounds_exhausted");
    assert_eq!(e.details.expect("details")["agency"], "000.00.02.H23");
    // Back at the owner, its leader has a round of its own.
    let d = act(&d, complete, &specialist(), datetime!(2025-03-04 11:00 +7))
        .expect("to the leader")
        .dossier;
    assert_eq!(d.acting_unit(&p), "000.00.01.H22");
    let t = act(&d, supplement(), &leader(), datetime!(2025-03-04 14:00 +7)).expect("owner round");
    assert_eq!(t.dossier.supplement_rounds.len(), 2);
    let d = act(
        &t.dossier,
        resume(),
        &receiver(),
        datetime!(2025-03-05 09:00 +7),
    )
    .expect("resume")
    .dossier;
    let e = act(&d, supplement(), &leader(), datetime!(2025-03-05 10:00 +7)).expect_err("again");
    assert_eq!(e.details.expect("details")["agency"], "000.00.01.H22");
}

#[test]
fn full_lifecycle_with_timing_classes() {
    let d = registered(datetime!(2025-03-03 09:00 +7));
    assert_eq!(d.code, "000.00.01.H22-250303-0007");
    assert_eq!(d.status, Status::Received);
    assert_eq!(d.legal_due_at, datetime!(2025-03-10 09:00 +7));
    assert_eq!(d.appointment_at, d.legal_due_at);
    assert_eq!(d.assignee.as_deref(), Some("tn01"));
    assert_eq!(d.version, 1);
    assert_eq!(d.rule_set, "mac-dinh");

    // Step 0 (120 min) finished after 90 minutes, the same day: on time.
    let t = ok(
        &d,
        Action::CompleteStep {
            note: Some(" Đủ  hồ sơ ".into()),
        },
        &receiver(),
        datetime!(2025-03-03 10:30 +7),
    );
    assert_eq!(t.event.timing, Some(ResolutionClass::OnTime));
    assert_eq!(t.event.step_used_minutes, Some(90));
    assert_eq!(t.event.note.as_deref(), Some("Đủ hồ sơ"));
    assert_eq!(t.event.receiver_role, Some(Role::Specialist));
    assert_eq!(t.event.receiver_unit.as_deref(), Some("000.00.01.H22"));
    assert_eq!((t.event.from_step, t.event.to_step), (Some(0), 1));
    assert_eq!(t.dossier.status, Status::Processing);
    assert_eq!(t.dossier.assignee, None);

    let t = ok(
        &t.dossier,
        Action::Assign { to: "CV01".into() },
        &leader(),
        datetime!(2025-03-03 11:00 +7),
    );
    assert_eq!(t.dossier.assignee.as_deref(), Some("cv01"));
    assert_eq!(t.event.receiver.as_deref(), Some("cv01"));

    // Step 1 (1200 min from Mon 10:30, due Wed 15:30) finished Tue 16:00: early, 750 used.
    let t = ok(
        &t.dossier,
        Action::CompleteStep { note: None },
        &specialist(),
        datetime!(2025-03-04 16:00 +7),
    );
    assert_eq!(t.event.timing, Some(ResolutionClass::Early));
    assert_eq!(t.event.step_used_minutes, Some(750));
    assert_eq!(t.event.receiver_role, Some(Role::Leader));

    // A leader step is approved, not "completed".
    let e = run(
        &t.dossier,
        Action::CompleteStep { note: None },
        &leader(),
        datetime!(2025-03-06 10:00 +7),
    )
    .expect_err("approve");
    assert_eq!(e.code, "step_needs_approval");
    // Step 2 (600 min from Tue 16:00, due Thu 09:00) approved Thu 10:00: late.
    let t = ok(
        &t.dossier,
        Action::Approve { note: None },
        &leader(),
        datetime!(2025-03-06 10:00 +7),
    );
    assert_eq!(t.event.timing, Some(ResolutionClass::Late));
    assert_eq!(t.event.receiver_role, Some(Role::Clerk));

    let e = run(
        &t.dossier,
        Action::CompleteStep { note: None },
        &clerk(),
        datetime!(2025-03-06 11:00 +7),
    )
    .expect_err("last");
    assert_eq!(e.code, "step_is_last");
    let e = run(
        &t.dossier,
        Action::IssueResult {
            document_number: " ".into(),
            note: None,
        },
        &clerk(),
        datetime!(2025-03-06 11:00 +7),
    )
    .expect_err("number");
    assert_eq!(e.code, "field_empty");
    let t = ok(
        &t.dossier,
        Action::IssueResult {
            document_number: "123/GXN-BQP".into(),
            note: None,
        },
        &clerk(),
        datetime!(2025-03-06 11:00 +7),
    );
    assert_eq!(t.event.timing, Some(ResolutionClass::Early));
    assert_eq!(t.dossier.status, Status::ResultReady);
    assert_eq!(t.dossier.current_step, 4);
    assert_eq!(t.dossier.outcome, Some(Outcome::Issued));
    assert_eq!(t.dossier.resolution_class(), Some(ResolutionClass::Early));
    assert_eq!(t.dossier.portal_status(&PortalStatusMap::default()), 9);
    assert_eq!(t.dossier.acting_role(&proc_()), Some(Role::Receiver));

    let e = run(
        &t.dossier,
        Action::ReturnResult {
            to: "Nguyễn Văn An".into(),
            note: None,
        },
        &clerk(),
        datetime!(2025-03-07 09:00 +7),
    )
    .expect_err("desk");
    assert_eq!(e.kind, ErrorKind::Forbidden);
    let t = ok(
        &t.dossier,
        Action::ReturnResult {
            to: "Nguyễn Văn An".into(),
            note: None,
        },
        &receiver(),
        datetime!(2025-03-07 09:00 +7),
    );
    assert_eq!(t.dossier.status, Status::Returned);
    assert_eq!(t.dossier.finished_at, Some(datetime!(2025-03-07 09:00 +7)));
    assert_eq!(t.dossier.version, 7);
    assert_eq!(t.dossier.portal_status(&PortalStatusMap::default()), 10);
    assert_eq!(t.dossier.acting_role(&proc_()), None);

    // Nothing applies after the end.
    let e = run(
        &t.dossier,
        Action::Withdraw {
            reason: reason("x"),
        },
        &leader(),
        datetime!(2025-03-07 10:00 +7),
    )
    .expect_err("final");
    assert_eq!(e.code, "action_not_allowed_in_state");
    assert_eq!(e.kind, ErrorKind::Conflict);
}

#[test]
fn supplement_pause_across_tet_2025() {
    // Received Mon 20/01/2025 09:00: five working days run to Fri 24/01 and, Tết being off
    // 25/01–02/02, into Mon 03/02: due 09:00.
    let d = registered(datetime!(2025-01-20 09:00 +7));
    assert_eq!(d.legal_due_at, datetime!(2025-02-03 09:00 +7));
    let d = ok(
        &d,
        Action::CompleteStep { note: None },
        &receiver(),
        datetime!(2025-01-20 10:00 +7),
    )
    .dossier;

    let e = run(
        &d,
        Action::RequestSupplement {
            reason: "  ".into(),
            items: vec![],
        },
        &specialist(),
        datetime!(2025-01-24 10:00 +7),
    )
    .expect_err("reason");
    assert_eq!(e.code, "reason_required");
    let t = ok(
        &d,
        Action::RequestSupplement {
            reason: reason("Thiếu quyết định xuất ngũ"),
            items: vec!["Quyết định xuất ngũ".into()],
        },
        &specialist(),
        datetime!(2025-01-24 10:00 +7),
    );
    let d = t.dossier;
    assert_eq!(d.status, Status::AwaitingSupplement);
    assert_eq!(d.paused_since, Some(datetime!(2025-01-24 10:00 +7)));
    assert_eq!(d.portal_status(&PortalStatusMap::default()), 5);
    // Paused: no step action.
    let e = run(
        &d,
        Action::CompleteStep { note: None },
        &specialist(),
        datetime!(2025-01-24 11:00 +7),
    )
    .expect_err("paused");
    assert_eq!(e.code, "action_not_allowed_in_state");

    // Resumed Mon 03/02 10:00: paused Fri 10:00–12:00 and 13:00–17:00 (360) + Mon 08:00–10:00
    // (120) = 480 working minutes, so the due instant moves one working day.
    let t = ok(
        &d,
        Action::ReceiveSupplement { note: None },
        &receiver(),
        datetime!(2025-02-03 10:00 +7),
    );
    assert_eq!(t.event.paused_minutes, Some(480));
    assert_eq!(t.event.due_before, Some(datetime!(2025-02-03 09:00 +7)));
    assert_eq!(t.event.due_after, Some(datetime!(2025-02-04 09:00 +7)));
    assert_eq!(t.dossier.legal_due_at, datetime!(2025-02-04 09:00 +7));
    assert_eq!(t.dossier.appointment_at, t.dossier.legal_due_at);
    assert_eq!(t.dossier.initial_due_at, datetime!(2025-02-03 09:00 +7));
    assert_eq!(t.dossier.paused_minutes, 480);
    assert_eq!(t.dossier.paused_since, None);
    assert_eq!(t.dossier.status, Status::Processing);
    // The pause is not charged to the specialist's step.
    let t2 = ok(
        &t.dossier,
        Action::CompleteStep { note: None },
        &specialist(),
        datetime!(2025-02-03 11:00 +7),
    );
    let elapsed = cal()
        .working_minutes_between(
            datetime!(2025-01-20 10:00 +7),
            datetime!(2025-02-03 11:00 +7),
        )
        .expect("minutes");
    assert_eq!(t2.event.step_used_minutes, Some(elapsed - 480));

    // Once per agency.
    let e = run(
        &t.dossier,
        Action::RequestSupplement {
            reason: reason("Lần hai"),
            items: vec![],
        },
        &specialist(),
        datetime!(2025-02-03 11:00 +7),
    )
    .expect_err("twice");
    assert_eq!(e.code, "supplement_rounds_exhausted");
    assert_eq!(e.kind, ErrorKind::Conflict);
    // A rule set allowing two rounds accepts it.
    let two = RuleSet {
        supplement_rounds_per_agency: 2,
        ..RuleSet::default()
    };
    assert!(
        apply(
            &t.dossier,
            &Action::RequestSupplement {
                reason: reason("Lần hai"),
                items: vec![]
            },
            &specialist(),
            datetime!(2025-02-03 11:00 +7),
            &proc_(),
            cal(),
            &two
        )
        .is_ok()
    );
}

#[test]
fn restart_policy_counts_the_full_limit_again() {
    let rules = RuleSet {
        supplement_clock: ClockPolicy::Restart,
        ..RuleSet::default()
    };
    let d = at_specialist();
    let p = proc_();
    let d = apply(
        &d,
        &Action::RequestSupplement {
            reason: reason("Thiếu"),
            items: vec![],
        },
        &specialist(),
        datetime!(2025-03-04 09:00 +7),
        &p,
        cal(),
        &rules,
    )
    .expect("request")
    .dossier;
    let t = apply(
        &d,
        &Action::ReceiveSupplement { note: None },
        &receiver(),
        datetime!(2025-03-05 09:00 +7),
        &p,
        cal(),
        &rules,
    )
    .expect("receive");
    // Five working days from Wed 05/03 09:00.
    assert_eq!(t.dossier.legal_due_at, datetime!(2025-03-12 09:00 +7));
    assert_eq!(t.event.due_before, Some(datetime!(2025-03-10 09:00 +7)));
}

#[test]
fn payment_pause_and_resume() {
    let d = at_specialist();
    let e = run(
        &d,
        Action::RequestPayment {
            amount_vnd: 0,
            reason: reason("Lệ phí"),
        },
        &specialist(),
        datetime!(2025-03-04 09:00 +7),
    )
    .expect_err("amount");
    assert_eq!(e.code, "amount_invalid");
    let d = ok(
        &d,
        Action::RequestPayment {
            amount_vnd: 50_000,
            reason: reason("Lệ phí"),
        },
        &specialist(),
        datetime!(2025-03-04 09:00 +7),
    )
    .dossier;
    assert_eq!(d.status, Status::AwaitingPayment);
    assert_eq!(d.portal_status(&PortalStatusMap::default()), 6);
    let e = run(
        &d,
        Action::ReceiveSupplement { note: None },
        &receiver(),
        datetime!(2025-03-04 10:00 +7),
    )
    .expect_err("not a supplement");
    assert_eq!(e.code, "action_not_allowed_in_state");
    // Paused Tue 09:00 → Mon 10/03 09:00: Tue 420 + Wed–Fri 1440 + Mon 60 = 1920.
    let t = ok(
        &d,
        Action::PaymentReceived {
            note: Some("Biên lai 0012".into()),
        },
        &receiver(),
        datetime!(2025-03-10 09:00 +7),
    );
    assert_eq!(t.event.paused_minutes, Some(1920));
    assert_eq!(
        t.dossier.legal_due_at,
        cal()
            .add_working_minutes(datetime!(2025-03-10 09:00 +7), 1920)
            .expect("due")
    );
    assert_eq!(t.dossier.legal_due_at, datetime!(2025-03-14 09:00 +7));
}

#[test]
fn a_zero_pause_keeps_an_end_of_day_due_instant() {
    // Received Sat: counts from Mon 08:00, due Fri 17:00.
    let d = registered(datetime!(2025-03-01 10:00 +7));
    assert_eq!(d.counted_from, datetime!(2025-03-03 08:00 +7));
    assert_eq!(d.legal_due_at, datetime!(2025-03-07 17:00 +7));
    let d = ok(
        &d,
        Action::RequestPayment {
            amount_vnd: 1,
            reason: reason("Phí"),
        },
        &receiver(),
        datetime!(2025-03-07 17:30 +7),
    )
    .dossier;
    let t = ok(
        &d,
        Action::PaymentReceived { note: None },
        &receiver(),
        datetime!(2025-03-08 09:00 +7),
    );
    assert_eq!(t.event.paused_minutes, Some(0));
    assert_eq!(t.dossier.legal_due_at, datetime!(2025-03-07 17:00 +7));
}

#[test]
fn apology_rules() {
    let d = at_specialist(); // appointment Mon 10/03 09:00
    let new_at = datetime!(2025-03-12 17:00 +7);
    let apologise = |r: &str, at| Action::Apologise {
        reason: r.to_string(),
        new_appointment: at,
    };

    // Fri 07/03 10:00: 420 working minutes left < 480: too late.
    let e = run(
        &d,
        apologise("Cần xác minh", new_at),
        &leader(),
        datetime!(2025-03-07 10:00 +7),
    )
    .expect_err("late");
    assert_eq!(e.code, "apology_too_late");
    assert_eq!(e.details.expect("details")["lead_minutes"], 420);
    // The boundary: exactly one working day (480 minutes) before is still in time, one
    // minute later is not (domain brief one-stop.md, "Late"; rule set apology_lead_minutes).
    let e = run(
        &d,
        apologise("Cần xác minh", new_at),
        &leader(),
        datetime!(2025-03-07 09:01 +7),
    )
    .expect_err("479 minutes");
    assert_eq!(e.code, "apology_too_late");
    assert_eq!(e.details.expect("details")["lead_minutes"], 479);
    let on_the_day = ok(
        &d,
        apologise("Cần xác minh", new_at),
        &leader(),
        datetime!(2025-03-07 09:00 +7),
    );
    assert_eq!(on_the_day.dossier.appointment_at, new_at);
    // Specialists do not apologise on the agency's behalf.
    let e = run(
        &d,
        apologise("Cần xác minh", new_at),
        &specialist(),
        datetime!(2025-03-07 08:30 +7),
    )
    .expect_err("role");
    assert_eq!(e.kind, ErrorKind::Forbidden);
    let e = run(
        &d,
        apologise("", new_at),
        &leader(),
        datetime!(2025-03-07 08:30 +7),
    )
    .expect_err("reason");
    assert_eq!(e.code, "reason_required");
    let e = run(
        &d,
        apologise("Cần xác minh", datetime!(2025-03-10 09:00 +7)),
        &leader(),
        datetime!(2025-03-07 08:30 +7),
    )
    .expect_err("not later");
    assert_eq!(e.code, "apology_date_not_later");

    // Fri 08:30: 450 + 60 = 510 ≥ 480.
    let t = ok(
        &d,
        apologise("Cần xác minh với đơn vị cũ", new_at),
        &leader(),
        datetime!(2025-03-07 08:30 +7),
    );
    assert_eq!(t.dossier.appointment_at, new_at);
    assert_eq!(
        t.dossier.legal_due_at,
        datetime!(2025-03-10 09:00 +7),
        "apologies never move the legal due instant"
    );
    assert_eq!(t.dossier.apologies, 1);
    assert_eq!(
        t.event.appointment_before,
        Some(datetime!(2025-03-10 09:00 +7))
    );
    assert_eq!(t.event.appointment_after, Some(new_at));

    let e = run(
        &t.dossier,
        apologise("Lần nữa", datetime!(2025-03-20 17:00 +7)),
        &leader(),
        datetime!(2025-03-07 09:00 +7),
    )
    .expect_err("twice");
    assert_eq!(e.code, "apology_already_used");

    // Still late in statistics when resolved after the legal due instant.
    assert_eq!(
        resolution_class(datetime!(2025-03-11 10:00 +7), t.dossier.legal_due_at),
        ResolutionClass::Late
    );

    // Not after the end.
    let stopped = ok(
        &d,
        Action::Stop {
            reason: reason("Dừng"),
        },
        &leader(),
        datetime!(2025-03-04 09:00 +7),
    )
    .dossier;
    let e = run(
        &stopped,
        apologise("x", new_at),
        &leader(),
        datetime!(2025-03-04 10:00 +7),
    )
    .expect_err("closed");
    assert_eq!(e.code, "action_not_allowed_in_state");
    // Nor once the result is ready.
    let mut ready = d.clone();
    ready.status = Status::ResultReady;
    let e = run(
        &ready,
        apologise("x", new_at),
        &leader(),
        datetime!(2025-03-04 10:00 +7),
    )
    .expect_err("ready");
    assert_eq!(e.code, "action_not_allowed_in_state");
}

#[test]
fn refusal_withdrawal_and_stop_paths() {
    let received = registered(datetime!(2025-03-03 09:00 +7));
    let processing = at_specialist();
    let now = datetime!(2025-03-04 09:00 +7);

    // Refuse: after appraisal only, by a leader, with a reason.
    let e = run(
        &received,
        Action::Refuse {
            reason: reason("Không đủ điều kiện"),
        },
        &leader(),
        now,
    )
    .expect_err("at intake");
    assert_eq!(e.code, "action_not_allowed_in_state");
    let e = run(
        &processing,
        Action::Refuse {
            reason: reason("Không đủ điều kiện"),
        },
        &specialist(),
        now,
    )
    .expect_err("role");
    assert_eq!(e.kind, ErrorKind::Forbidden);
    let e = run(
        &processing,
        Action::Refuse {
            reason: String::new(),
        },
        &leader(),
        now,
    )
    .expect_err("reason");
    assert_eq!(e.code, "reason_required");
    let t = ok(
        &processing,
        Action::Refuse {
            reason: reason("Không đủ điều kiện"),
        },
        &leader(),
        now,
    );
    assert_eq!(t.dossier.status, Status::Refused);
    assert_eq!(t.dossier.outcome, Some(Outcome::Refused));
    assert_eq!(t.dossier.finished_at, Some(now));
    assert_eq!(t.dossier.resolution_class(), Some(ResolutionClass::Early));
    assert_eq!(t.event.reason.as_deref(), Some("Không đủ điều kiện"));

    // Refused while waiting for a supplement: the open pause closes, the due stays.
    let waiting = ok(
        &processing,
        Action::RequestSupplement {
            reason: reason("Thiếu"),
            items: vec![],
        },
        &specialist(),
        now,
    )
    .dossier;
    let t = ok(
        &waiting,
        Action::Refuse {
            reason: reason("Quá hạn bổ sung"),
        },
        &leader(),
        datetime!(2025-03-20 09:00 +7),
    );
    assert_eq!(t.dossier.paused_since, None);
    assert_eq!(t.dossier.legal_due_at, waiting.legal_due_at);

    // Withdraw: the desk or a leader records it, in any open state before the result.
    let e = run(
        &received,
        Action::Withdraw {
            reason: reason("Không có nhu cầu"),
        },
        &specialist(),
        now,
    )
    .expect_err("role");
    assert_eq!(e.kind, ErrorKind::Forbidden);
    for d in [&received, &processing, &waiting] {
        let t = ok(
            d,
            Action::Withdraw {
                reason: reason("Không có nhu cầu"),
            },
            &receiver(),
            now,
        );
        assert_eq!(t.dossier.status, Status::Withdrawn);
        assert_eq!(t.dossier.portal_status(&PortalStatusMap::default()), 7);
        assert!(t.dossier.status.is_final());
    }
    // Stop.
    let t = ok(
        &processing,
        Action::Stop {
            reason: reason("Theo yêu cầu của cơ quan có thẩm quyền"),
        },
        &leader(),
        now,
    );
    assert_eq!(t.dossier.status, Status::Stopped);
    assert_eq!(t.dossier.portal_status(&PortalStatusMap::default()), 8);
    let e = run(
        &processing,
        Action::Stop {
            reason: reason("x"),
        },
        &clerk(),
        now,
    )
    .expect_err("role");
    assert_eq!(e.kind, ErrorKind::Forbidden);
    // Nothing but returning the result once it is ready.
    let mut ready = processing.clone();
    ready.status = Status::ResultReady;
    for a in [
        Action::Withdraw {
            reason: reason("x"),
        },
        Action::Stop {
            reason: reason("x"),
        },
        Action::Refuse {
            reason: reason("x"),
        },
    ] {
        assert_eq!(
            run(&ready, a, &leader(), now).expect_err("ready").code,
            "action_not_allowed_in_state"
        );
    }
}

#[test]
fn wrong_role_and_wrong_state() {
    let d = registered(datetime!(2025-03-03 09:00 +7));
    let now = datetime!(2025-03-03 10:00 +7);
    // Step 0 belongs to the desk.
    let e = run(&d, Action::CompleteStep { note: None }, &specialist(), now).expect_err("role");
    assert_eq!(e.kind, ErrorKind::Forbidden);
    assert_eq!(e.code, "forbidden");
    let e = run(&d, Action::Approve { note: None }, &leader(), now).expect_err("not approval");
    assert_eq!(e.code, "not_an_approval_step");
    let e = run(
        &d,
        Action::IssueResult {
            document_number: "1".into(),
            note: None,
        },
        &clerk(),
        now,
    )
    .expect_err("not last");
    assert_eq!(e.code, "step_not_last");
    let e = run(
        &d,
        Action::ReturnResult {
            to: "A".into(),
            note: None,
        },
        &receiver(),
        now,
    )
    .expect_err("state");
    assert_eq!(e.code, "action_not_allowed_in_state");
    let e = run(&d, Action::PaymentReceived { note: None }, &receiver(), now).expect_err("state");
    assert_eq!(e.code, "action_not_allowed_in_state");
    // An admin or inspector never acts on a dossier.
    for role in [Role::Admin, Role::Inspector, Role::ReformOffice] {
        let e = run(
            &d,
            Action::Withdraw {
                reason: reason("x"),
            },
            &actor("x1", role),
            now,
        )
        .expect_err("role");
        assert_eq!(e.kind, ErrorKind::Forbidden);
    }
    let e = run(
        &d,
        Action::Assign {
            to: "Không hợp lệ".into(),
        },
        &receiver(),
        now,
    )
    .expect_err("username");
    assert_eq!(e.code, "username_invalid");
}

#[test]
fn return_to_previous_step_only() {
    let d = at_specialist();
    let d2 = ok(
        &d,
        Action::CompleteStep { note: None },
        &specialist(),
        datetime!(2025-03-04 09:00 +7),
    )
    .dossier;
    assert_eq!(d2.current_step, 2);
    let e = run(
        &d2,
        Action::ReturnToStep {
            step: 0,
            reason: reason("Sai"),
        },
        &leader(),
        datetime!(2025-03-04 10:00 +7),
    )
    .expect_err("two back");
    assert_eq!(e.code, "return_step_invalid");
    let e = run(
        &d2,
        Action::ReturnToStep {
            step: 1,
            reason: String::new(),
        },
        &leader(),
        datetime!(2025-03-04 10:00 +7),
    )
    .expect_err("reason");
    assert_eq!(e.code, "reason_required");
    let t = ok(
        &d2,
        Action::ReturnToStep {
            step: 1,
            reason: reason("Thẩm định lại"),
        },
        &leader(),
        datetime!(2025-03-04 10:00 +7),
    );
    assert_eq!(t.dossier.current_step, 1);
    assert_eq!(t.dossier.status, Status::Processing);
    assert_eq!(t.dossier.step_started_at, datetime!(2025-03-04 10:00 +7));
    assert_eq!(t.event.receiver_role, Some(Role::Specialist));
    let back = ok(
        &t.dossier,
        Action::ReturnToStep {
            step: 0,
            reason: reason("Tiếp nhận lại"),
        },
        &specialist(),
        datetime!(2025-03-04 11:00 +7),
    )
    .dossier;
    assert_eq!(back.status, Status::Received);
    let e = run(
        &back,
        Action::ReturnToStep {
            step: 0,
            reason: reason("x"),
        },
        &receiver(),
        datetime!(2025-03-04 11:30 +7),
    )
    .expect_err("first");
    assert_eq!(e.code, "return_step_invalid");
}

#[test]
fn errors_change_nothing_and_stale_versions_conflict() {
    let d = at_specialist();
    let before = d.clone();
    assert!(
        run(
            &d,
            Action::Approve { note: None },
            &leader(),
            datetime!(2025-03-04 09:00 +7)
        )
        .is_err()
    );
    assert_eq!(d, before);
    assert_eq!(d.check_version(2), Ok(()));
    assert_eq!(
        d.check_version(1).expect_err("stale").code,
        "version_conflict"
    );
    // A dossier is handled under the procedure version it was received under.
    let mut newer = proc_();
    newer.version = 2;
    let e = apply(
        &d,
        &Action::CompleteStep { note: None },
        &specialist(),
        datetime!(2025-03-04 09:00 +7),
        &newer,
        cal(),
        &RuleSet::default(),
    )
    .expect_err("version");
    assert_eq!(e.code, "procedure_version_mismatch");
}

#[test]
fn action_json_is_tagged() {
    let a: Action = serde_json::from_str(
        r#"{"action":"apologise","reason":"Chậm","new_appointment":"2025-03-12T10:00:00Z"}"#,
    )
    .expect("json");
    assert_eq!(
        a,
        Action::Apologise {
            reason: "Chậm".into(),
            new_appointment: datetime!(2025-03-12 10:00 UTC)
        }
    );
    let a: Action =
        serde_json::from_str(r#"{"action":"withdraw"}"#).expect("missing reason parses");
    let e = run(
        &registered(datetime!(2025-03-03 09:00 +7)),
        a,
        &receiver(),
        datetime!(2025-03-03 10:00 +7),
    )
    .expect_err("reason");
    assert_eq!(e.code, "reason_required");
    let v = serde_json::to_value(Action::ReturnToStep {
        step: 1,
        reason: "x".into(),
    })
    .expect("json");
    assert_eq!(
        v,
        serde_json::json!({"action": "return_to_step", "step": 1, "reason": "x"})
    );
    // The stored state round-trips.
    let d = at_specialist();
    let back: Dossier = serde_json::from_str(&serde_json::to_string(&d).expect("ser")).expect("de");
    assert_eq!(back, d);
}

// ---- Intake -------------------------------------------------------------------------------

#[test]
fn checklist_lists_everything_missing_at_once() {
    let mut input = intake(Channel::InPerson);
    input.documents = vec![ReceivedDocument {
        key: "cccd".into(),
        count: 1,
    }];
    let e = register(
        input.clone(),
        datetime!(2025-03-03 09:00 +7),
        &proc_(),
        cal(),
        &RuleSet::default(),
        1,
    )
    .expect_err("incomplete");
    assert_eq!(e.code, "checklist_incomplete");
    let missing = e.details.expect("details")["missing"].clone();
    let keys: Vec<&str> = missing
        .as_array()
        .expect("list")
        .iter()
        .map(|m| m["key"].as_str().expect("key"))
        .collect();
    assert_eq!(keys, vec!["don_de_nghi", "quyet_dinh"]); // the optional power of attorney is not asked for
    assert!(e.message.contains("Đơn đề nghị") && e.message.contains("Quyết định"));

    input.documents.push(ReceivedDocument {
        key: "ho_chieu".into(),
        count: 1,
    });
    let e = register(
        input,
        datetime!(2025-03-03 09:00 +7),
        &proc_(),
        cal(),
        &RuleSet::default(),
        1,
    )
    .expect_err("unknown");
    assert_eq!(e.code, "checklist_unknown_document");
}

#[test]
fn intake_errors() {
    let now = datetime!(2025-03-03 09:00 +7);
    let p = proc_();
    let rules = RuleSet::default();
    let mut bad = intake(Channel::InPerson);
    bad.procedure_code = "1.000948".into();
    assert_eq!(
        register(bad, now, &p, cal(), &rules, 1)
            .expect_err("x")
            .code,
        "procedure_mismatch"
    );
    let mut bad = intake(Channel::InPerson);
    bad.applicant.id_number = "12345".into();
    assert_eq!(
        register(bad, now, &p, cal(), &rules, 1)
            .expect_err("x")
            .code,
        "citizen_id_invalid"
    );
    let mut bad = intake(Channel::InPerson);
    bad.received_at = Some(datetime!(2025-03-03 10:00 +7));
    assert_eq!(
        register(bad, now, &p, cal(), &rules, 1)
            .expect_err("x")
            .code,
        "received_at_in_future"
    );
    assert_eq!(
        register(intake(Channel::InPerson), now, &p, cal(), &rules, 0)
            .expect_err("x")
            .code,
        "sequence_invalid"
    );
    let mut one_channel = p.clone();
    one_channel
        .channels
        .retain(|c| c.channel == Channel::InPerson);
    assert_eq!(
        register(intake(Channel::Postal), now, &one_channel, cal(), &rules, 1)
            .expect_err("x")
            .code,
        "channel_not_offered"
    );
    let short_day = RuleSet {
        minutes_per_day: 450,
        ..RuleSet::default()
    };
    assert_eq!(
        register(intake(Channel::InPerson), now, &p, cal(), &short_day, 1)
            .expect_err("x")
            .code,
        "minutes_per_day_mismatch"
    );
}

#[test]
fn online_intake_uses_the_server_clock() {
    let mut input = intake(Channel::Online);
    input.received_at = Some(datetime!(2025-03-01 09:00 +7)); // the client's claim
    input.received_by = None;
    let (d, ev) = register(
        input,
        datetime!(2025-03-03 09:00 UTC),
        &proc_(),
        cal(),
        &RuleSet::default(),
        12,
    )
    .expect("online");
    assert_eq!(d.received_at, datetime!(2025-03-03 16:00 +7));
    assert_eq!(d.received_at.offset(), motcua_calendar::VIETNAM_OFFSET);
    assert_eq!(d.assignee, None);
    assert_eq!(ev.actor, None);
    assert_eq!(ev.kind, EventKind::Register);
    // Counter intake may back-date to when the officer actually received it.
    let mut input = intake(Channel::InPerson);
    input.received_at = Some(datetime!(2025-03-03 08:30 +7));
    let (d, _) = register(
        input,
        datetime!(2025-03-03 09:00 +7),
        &proc_(),
        cal(),
        &RuleSet::default(),
        1,
    )
    .expect("counter");
    assert_eq!(d.received_at, datetime!(2025-03-03 08:30 +7));
}

#[test]
fn deadlines_by_limit_unit_and_cutoff() {
    let days = |n| TimeLimit {
        amount: n,
        unit: LimitUnit::WorkingDays,
    };
    let hours = |n| TimeLimit {
        amount: n,
        unit: LimitUnit::WorkingHours,
    };
    let calendar_days = |n| TimeLimit {
        amount: n,
        unit: LimitUnit::CalendarDays,
    };
    let dl =
        |l: TimeLimit, cutoff, at| legal_deadline(&l, cutoff, at, cal(), 480).expect("deadline");

    // After hours and days off count from the next working period.
    assert_eq!(
        dl(days(1), None, datetime!(2025-03-03 18:00 +7)),
        (
            datetime!(2025-03-04 08:00 +7),
            datetime!(2025-03-04 17:00 +7)
        )
    );
    assert_eq!(
        dl(hours(4), None, datetime!(2025-03-03 12:30 +7)).1,
        datetime!(2025-03-03 17:00 +7)
    );
    // Same-day cut-off 15:00: after it, the clock starts the next working day.
    let cutoff = Some(time!(15:00));
    assert_eq!(
        dl(days(1), cutoff, datetime!(2025-03-03 14:59 +7)).1,
        datetime!(2025-03-04 14:59 +7)
    );
    assert_eq!(
        dl(days(1), cutoff, datetime!(2025-03-03 15:30 +7)),
        (
            datetime!(2025-03-04 08:00 +7),
            datetime!(2025-03-04 17:00 +7)
        )
    );
    assert_eq!(
        dl(hours(4), cutoff, datetime!(2025-03-07 15:00 +7)).1,
        datetime!(2025-03-10 12:00 +7)
    );
    // Calendar days: end of office hours of the N-th day, or of the next working day.
    assert_eq!(
        dl(calendar_days(5), None, datetime!(2025-03-05 10:00 +7)).1,
        datetime!(2025-03-10 17:00 +7)
    );
    assert_eq!(
        dl(calendar_days(5), None, datetime!(2025-03-03 10:00 +7)).1,
        datetime!(2025-03-10 17:00 +7)
    );
    assert_eq!(
        dl(calendar_days(5), None, datetime!(2025-01-20 10:00 +7)).1,
        datetime!(2025-02-03 17:00 +7)
    );
    assert_eq!(
        dl(calendar_days(2), cutoff, datetime!(2025-03-05 16:00 +7)).1,
        datetime!(2025-03-10 17:00 +7)
    );
    // Any offset in, +07:00 out.
    let (_, due) = dl(days(1), None, datetime!(2025-03-03 02:00 UTC));
    assert_eq!(due, datetime!(2025-03-04 09:00 +7));
    assert_eq!(due.offset(), motcua_calendar::VIETNAM_OFFSET);
    // Outside the calendar's range: an error, not a panic.
    assert!(legal_deadline(&days(1), None, datetime!(2199-12-31 18:00 +7), cal(), 480).is_err());
}

#[test]
fn dossier_codes() {
    assert_eq!(
        dossier_code("H21.65", date!(2022 - 09 - 14), 11),
        "H21.65-220914-0011"
    );
    assert_eq!(
        dossier_code("H21.65", date!(2022 - 09 - 14), 10_000),
        "H21.65-220914-10000"
    );
    let rules = RuleSet {
        dossier_code_format: "{unit}/{yyyy}{mm}{dd}/{seq}".into(),
        sequence_digits: 6,
        ..RuleSet::default()
    };
    assert_eq!(rules.validate(), Ok(()));
    assert_eq!(
        rules.dossier_code("X", date!(2025 - 01 - 02), 3),
        "X/20250102/000003"
    );
    for bad in [
        "{unit}-{seq}",
        "{unit}-{yymmdd}",
        "{yymmdd}-{seq}",
        "{unit}-{yymmdd}-{seq}-{x}",
    ] {
        let r = RuleSet {
            dossier_code_format: bad.into(),
            ..RuleSet::default()
        };
        assert_eq!(
            r.validate().expect_err(bad).code,
            "dossier_code_format_invalid",
            "{bad}"
        );
    }
}

#[test]
fn classes() {
    let due = datetime!(2025-03-10 09:00 +7);
    assert_eq!(
        resolution_class(datetime!(2025-03-09 23:00 +7), due),
        ResolutionClass::Early
    );
    assert_eq!(
        resolution_class(datetime!(2025-03-10 08:00 +7), due),
        ResolutionClass::OnTime
    );
    assert_eq!(resolution_class(due, due), ResolutionClass::OnTime);
    assert_eq!(
        resolution_class(datetime!(2025-03-10 09:01 +7), due),
        ResolutionClass::Late
    );
    // Dates are Vietnam dates: 18:00 UTC on the 9th is 01:00 on the 10th in Vietnam.
    assert_eq!(
        resolution_class(datetime!(2025-03-09 18:00 UTC), due),
        ResolutionClass::OnTime
    );
    assert_eq!(pending_class(due, due), PendingClass::WithinDeadline);
    assert_eq!(
        pending_class(datetime!(2025-03-10 09:00:01 +7), due),
        PendingClass::Overdue
    );
    let d = at_specialist();
    assert_eq!(
        d.pending_class(datetime!(2025-03-11 09:00 +7)),
        Some(PendingClass::Overdue)
    );
    assert_eq!(d.resolution_class(), None);
}

#[test]
fn portal_map_is_data() {
    let m: PortalStatusMap = serde_json::from_str(r#"{"refused": 9}"#).expect("partial map");
    assert_eq!(m.portal_status(Status::Refused), 9);
    assert_eq!(m.portal_status(Status::Received), 2);
    let defaults = PortalStatusMap::default();
    let got: Vec<u8> = Status::ALL
        .iter()
        .map(|s| defaults.portal_status(*s))
        .collect();
    assert_eq!(got, vec![2, 4, 5, 6, 9, 10, 7, 8, 10]);
    assert!(serde_json::from_str::<PortalStatusMap>(r#"{"recieved": 2}"#).is_err());
    let bad = PortalStatusMap {
        stopped: 11,
        ..PortalStatusMap::default()
    };
    assert_eq!(
        bad.validate().expect_err("11").code,
        "portal_status_invalid"
    );
    let rules: RuleSet =
        serde_json::from_str(r#"{"name": "nd118-2025", "effective_from": "2025-07-01"}"#)
            .expect("rule set");
    assert_eq!(rules.effective_from, date!(2025 - 07 - 01));
    assert_eq!(rules.max_reschedules, 1);
    assert_eq!(RuleSet::default().validate(), Ok(()));
}

/// Dated rule sets: intake takes the set in force on the receiving date, actions the set a
/// dossier is stamped with; names and dates are unique; the built-in set may be replaced once.
#[test]
fn rule_book_by_date_and_by_name() {
    let tt03 = RuleSet {
        name: "tt03-2025".into(),
        effective_from: date!(2025 - 07 - 01),
        supplement_rounds_per_agency: 2,
        ..RuleSet::default()
    };
    let book = RuleBook::new(vec![tt03.clone()]).expect("book");
    assert_eq!(book.sets().len(), 2);
    assert_eq!(book.in_force(date!(2025 - 06 - 30)).name, "mac-dinh");
    assert_eq!(book.in_force(date!(2025 - 07 - 01)).name, "tt03-2025");
    assert_eq!(
        book.in_force(date!(2010 - 01 - 01)).name,
        "mac-dinh",
        "before every set"
    );
    assert_eq!(book.named("tt03-2025"), Some(&tt03));
    assert_eq!(book.named("khac"), None);
    // Through the trait the store uses; a single set answers only to its own name.
    let source: &dyn RuleSource = &book;
    assert_eq!(source.for_receipt(date!(2026 - 01 - 01)).name, "tt03-2025");
    assert!(RuleSet::default().rule_set("tt03-2025").is_none());
    // Duplicates and invalid sets are refused.
    let e = RuleBook::new(vec![tt03.clone(), tt03.clone()]).expect_err("same name");
    assert_eq!(e.code, "rule_set_duplicate");
    let same_day = RuleSet {
        name: "khac".into(),
        ..tt03.clone()
    };
    let e = RuleBook::new(vec![tt03.clone(), same_day]).expect_err("same date");
    assert_eq!(e.code, "rule_set_duplicate");
    let bad = RuleSet {
        name: "sai".into(),
        sequence_digits: 0,
        ..tt03
    };
    assert_eq!(
        RuleBook::new(vec![bad]).expect_err("invalid").code,
        "sequence_digits_invalid"
    );
    // A configured `mac-dinh` replaces the built-in one.
    let custom = RuleSet {
        apology_lead_minutes: 960,
        ..RuleSet::default()
    };
    let book = RuleBook::new(vec![custom]).expect("replaced");
    assert_eq!(book.sets().len(), 1);
    assert_eq!(
        book.named("mac-dinh").map(|s| s.apology_lead_minutes),
        Some(960)
    );
    assert_eq!(rule_set_unknown("cu").code, "rule_set_unknown");
}

#[test]
fn status_helpers() {
    for s in Status::ALL {
        assert_eq!(s.is_open(), !s.is_final());
        assert!(!(s.is_paused() && s.is_final()));
        assert_eq!(serde_json::to_value(s).expect("json"), s.as_str());
    }
    assert!(Status::ResultReady.is_open());
    assert!(Status::AwaitingPayment.is_paused());
}
