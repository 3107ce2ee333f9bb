//! The demo's unit e-government facts (the reform office's records), such that at the end of
//! Q3/2022 coverage of the military data network is 30/30 = 100% of level-I units, 135/200 =
//! 67,5% of level-II and 197/811 = 24,3% of level-III units, and the military e-mail system has
//! 33.900 accounts (source report). Ten more level-II units are connected in October 2022, so
//! later periods differ and "as of" dates matter.

use motcua_domain::egov::NewFact;
use time::Date;
use time::macros::date;

use crate::org::{DemoUnit, share};
use crate::plan::{
    CONNECTED_I, CONNECTED_II, CONNECTED_III, EMAIL_ACCOUNTS, LEVEL_I, LEVEL_II, LEVEL_III,
};

/// When the facts in force during 2022 were recorded as valid from.
pub const RECORDED_FROM: Date = date!(2022 - 01 - 03);
/// Connections made after Q3 (not counted at the end of Q3).
pub const LATER: Date = date!(2022 - 10 - 17);
/// Level-II units connected on [`LATER`].
pub const CONNECTED_II_LATER: usize = 10;

/// Whether the `index`-th unit of `total` is among `connected` spread evenly over the level:
/// `index × connected mod total < connected` holds for exactly `connected` indices when
/// `connected` divides evenly into residues (true for 135/200 and for 197/811, 811 prime).
fn connected(index: usize, connected: usize, total: usize) -> bool {
    (index * connected) % total < connected
}

/// Every fact of the demo, for `Store::record_facts_at`.
pub fn facts(units: &[DemoUnit]) -> Vec<NewFact> {
    let mut out = Vec::new();
    let fact = |unit: &DemoUnit, kind: &str, value: i64, valid_from: Date| NewFact {
        unit_code: unit.code.clone(),
        kind: kind.to_string(),
        value,
        valid_from,
        note: None,
    };
    // E-mail accounts: 15.000 over level I, 16.000 over level II, the rest over the
    // connected level-III units, so the total is exactly 33.900.
    let (mail_i, mail_ii) = (15_000usize, 16_000usize);
    let mail_iii = EMAIL_ACCOUNTS as usize - mail_i - mail_ii;
    let (mut i, mut ii, mut iii, mut iii_connected, mut ii_not_connected) = (0, 0, 0, 0, 0);
    for u in units {
        match u.level {
            1 => {
                let on = connected(i, CONNECTED_I, LEVEL_I);
                out.push(fact(u, "data_network", i64::from(on), RECORDED_FROM));
                out.push(fact(
                    u,
                    "email_accounts",
                    share(mail_i, LEVEL_I, i) as i64,
                    RECORDED_FROM,
                ));
                for kind in ["digital_workspace", "online_meetings", "task_tracking"] {
                    out.push(fact(u, kind, 1, RECORDED_FROM));
                }
                i += 1;
            }
            2 => {
                let on = connected(ii, CONNECTED_II, LEVEL_II);
                out.push(fact(u, "data_network", i64::from(on), RECORDED_FROM));
                if !on {
                    if ii_not_connected < CONNECTED_II_LATER {
                        out.push(fact(u, "data_network", 1, LATER));
                    }
                    ii_not_connected += 1;
                }
                out.push(fact(
                    u,
                    "email_accounts",
                    share(mail_ii, LEVEL_II, ii) as i64,
                    RECORDED_FROM,
                ));
                out.push(fact(u, "online_meetings", i64::from(on), RECORDED_FROM));
                out.push(fact(
                    u,
                    "task_tracking",
                    i64::from(on && ii % 2 == 0),
                    RECORDED_FROM,
                ));
                ii += 1;
            }
            3 => {
                let on = connected(iii, CONNECTED_III, LEVEL_III);
                out.push(fact(u, "data_network", i64::from(on), RECORDED_FROM));
                if on {
                    out.push(fact(
                        u,
                        "email_accounts",
                        share(mail_iii, CONNECTED_III, iii_connected) as i64,
                        RECORDED_FROM,
                    ));
                    iii_connected += 1;
                }
                iii += 1;
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_and_mail_total_as_planned() {
        let units = crate::org::units();
        let facts = facts(&units);
        let level_of = |code: &str| units.iter().find(|u| u.code == code).map(|u| u.level);
        let connected_at = |level: i32| {
            facts
                .iter()
                .filter(|f| {
                    f.kind == "data_network"
                        && f.value == 1
                        && f.valid_from == RECORDED_FROM
                        && level_of(&f.unit_code) == Some(level)
                })
                .count()
        };
        assert_eq!(connected_at(1), CONNECTED_I);
        assert_eq!(connected_at(2), CONNECTED_II);
        assert_eq!(connected_at(3), CONNECTED_III);
        let mail: i64 = facts
            .iter()
            .filter(|f| f.kind == "email_accounts")
            .map(|f| f.value)
            .sum();
        assert_eq!(mail, EMAIL_ACCOUNTS);
        let later = facts.iter().filter(|f| f.valid_from == LATER).count();
        assert_eq!(later, CONNECTED_II_LATER);
    }
}
