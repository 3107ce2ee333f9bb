//! Property test: random action sequences by random people at random later instants keep the
//! dossier's state valid and its time accounting exact.

use proptest::prelude::*;
use time::Duration;
use time::macros::datetime;

use super::tests::{actor, cal, proc_, registered};
use super::*;

const ROLES: [Role; 5] = [
    Role::Receiver,
    Role::Specialist,
    Role::Leader,
    Role::Clerk,
    Role::Admin,
];

fn action(kind: u8, step: u32, minutes_ahead: i64, at: OffsetDateTime) -> Action {
    let reason = || "Lý do".to_string();
    // Weighted towards moving the dossier on: 30 kinds, ends are rare.
    match kind % 30 {
        0 => Action::Assign { to: "cv02".into() },
        1 | 15..=19 => Action::CompleteStep { note: None },
        2 | 20 | 21 => Action::Approve { note: None },
        22..=24 => Action::IssueResult {
            document_number: "12/QĐ".into(),
            note: None,
        },
        25 | 26 => Action::ReturnResult {
            to: "Nguyễn Văn An".into(),
            note: None,
        },
        27 | 28 => Action::ReceiveSupplement { note: None },
        29 => Action::PaymentReceived { note: None },
        3 => Action::ReturnToStep {
            step,
            reason: reason(),
        },
        4 => Action::RequestSupplement {
            reason: reason(),
            items: vec!["Giấy tờ".into()],
        },
        5 => Action::ReceiveSupplement { note: None },
        6 => Action::RequestPayment {
            amount_vnd: 10_000,
            reason: reason(),
        },
        7 => Action::PaymentReceived { note: None },
        8 => Action::Apologise {
            reason: reason(),
            new_appointment: at + Duration::minutes(minutes_ahead),
        },
        9 | 10 => Action::Assign { to: "cv03".into() },
        11 => Action::ReceiveSupplement { note: None },
        12 => Action::Withdraw { reason: reason() },
        13 => Action::Stop { reason: reason() },
        _ => Action::Refuse { reason: reason() },
    }
}

fn check_invariants(d: &Dossier) {
    // Paused iff the status is a paused one.
    assert_eq!(d.paused_since.is_some(), d.status.is_paused(), "{d:?}");
    // The legal due instant moved by exactly the completed pauses.
    let moved = cal()
        .working_minutes_between(d.initial_due_at, d.legal_due_at)
        .expect("in range");
    assert_eq!(moved, d.paused_minutes, "{d:?}");
    assert!(d.legal_due_at >= d.initial_due_at);
    assert!(d.appointment_at >= d.legal_due_at);
    assert!(d.paused_minutes >= 0 && d.step_paused_minutes >= 0);
    assert!(d.apologies <= 1);
    assert!(d.supplement_rounds.values().all(|n| *n <= 1));
    let steps = proc_().workflow.steps.len() as u32;
    match d.status {
        Status::Received => assert_eq!(d.current_step, 0),
        Status::Processing => assert!(d.current_step > 0 && d.current_step < steps),
        Status::ResultReady | Status::Returned => {
            assert_eq!(d.current_step, steps);
            assert_eq!(d.outcome, Some(Outcome::Issued));
            assert!(d.result_number.is_some());
        }
        _ => assert!(d.current_step < steps),
    }
    assert_eq!(d.finished_at.is_some(), d.status.is_final());
    assert_eq!(d.resolved_at.is_some(), d.status.is_resolved());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_action_sequences(
        start_minutes in 0i64..(60 * 24 * 30),
        steps in proptest::collection::vec(
            (0u8..30, 0usize..10, 0u32..5, 1i64..(60 * 24 * 4), 0i64..(60 * 24 * 20)),
            1..60,
        ),
    ) {
        // Received some time in Jan–Feb 2025 (around Tết).
        let mut now = datetime!(2025-01-10 00:00 +7) + Duration::minutes(start_minutes);
        let mut d = registered(now);
        check_invariants(&d);
        let p = proc_();
        let rules = RuleSet::default();
        // The paused working time the accepted events recorded, summed.
        let mut paused_total = 0i64;
        for (kind, role, step, gap, ahead) in steps {
            now += Duration::minutes(gap);
            // Half the time the person expected to act, otherwise anyone.
            let expected = d.acting_role(&p).unwrap_or(Role::Leader);
            let who = actor("nv01", ROLES.get(role).copied().unwrap_or(expected));
            let a = action(kind, step, ahead, now);
            let before = d.clone();
            match apply(&d, &a, &who, now, &p, cal(), &rules) {
                Ok(t) => {
                    prop_assert!(!before.status.is_final(), "a final dossier accepted {a:?}");
                    prop_assert_eq!(t.dossier.version, before.version + 1);
                    prop_assert_eq!(t.event.version, t.dossier.version);
                    prop_assert_eq!(t.event.from_status, Some(before.status));
                    prop_assert_eq!(t.event.to_status, t.dossier.status);
                    prop_assert!(a.allowed_in().contains(&before.status));
                    check_invariants(&t.dossier);
                    // Time accounting, from what the event records: a resume moves the due
                    // instant by exactly the working time since the pause began, and the
                    // dossier's paused total is the sum of those records.
                    if let Some(paused) = t.event.paused_minutes {
                        let since = before.paused_since.expect("a resume ends a pause");
                        prop_assert_eq!(paused, cal().working_minutes_between(since, now).expect("in range"));
                        let (due_before, due_after) = (t.event.due_before.expect("kept"), t.event.due_after.expect("kept"));
                        prop_assert_eq!(due_before, before.legal_due_at);
                        prop_assert_eq!(cal().working_minutes_between(due_before, due_after).expect("in range"), paused);
                    }
                    paused_total += t.event.paused_minutes.unwrap_or(0);
                    prop_assert_eq!(t.dossier.paused_minutes, paused_total);
                    // A finished step: the time it used plus the time paused during it is
                    // exactly the working time since it began.
                    if let Some(used) = t.event.step_used_minutes {
                        let elapsed = cal().working_minutes_between(before.step_started_at, now).expect("in range");
                        prop_assert_eq!(used + before.step_paused_minutes, elapsed);
                        prop_assert!(t.event.timing.is_some());
                    }
                    d = t.dossier;
                }
                Err(e) => {
                    // `apply` only borrows the dossier, so a refusal cannot have changed it;
                    // it must say why, as a client error.
                    prop_assert!(!e.code.is_empty());
                    prop_assert!(!matches!(e.kind, crate::ErrorKind::Internal), "{e:?}");
                }
            }
        }
        // Whatever happened, a final dossier accepts nothing more.
        if d.status.is_final() {
            for kind in 0..30 {
                let who = actor("ld01", Role::Leader);
                prop_assert!(apply(&d, &action(kind, 0, 600, now), &who, now, &p, cal(), &rules).is_err());
            }
        }
    }
}
