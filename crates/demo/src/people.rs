//! The demo's people: at every one-stop desk a receiving officer, a specialist, a leader and a
//! clerk; at the ministry an administrator, the reform office and an inspector. They all share
//! the demo password (hashed once by the caller; the PHC string is reused).

use std::collections::HashMap;

use motcua_domain::dossier::Actor;
use motcua_domain::user::Role;
use rand::SeedableRng;
use rand::rngs::StdRng;

use crate::catalogue::desks;
use crate::dossiers::person_name;
use crate::org::{LEVEL_I_UNITS, ROOT_CODE, level_i_code};

/// The demo's sign-in password (printed by `motcua demo`; change it on a real server).
pub const PASSWORD: &str = "motcua-demo-2022";

/// One demo person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoUser {
    pub username: String,
    pub full_name: String,
    pub unit_code: String,
    pub unit_name: String,
    pub role: Role,
}

/// The four people of a desk who move dossiers, and the desk's short name.
#[derive(Debug, Clone)]
pub struct Staff {
    pub short: String,
    pub receiver: Actor,
    pub specialist: Actor,
    pub leader: Actor,
    pub clerk: Actor,
}

/// Every demo person: the ministry's three first, then four per desk.
pub fn users() -> Vec<DemoUser> {
    let mut rng = StdRng::seed_from_u64(7);
    let mut out = vec![
        ("admin", Role::Admin),
        ("cchc", Role::ReformOffice),
        ("thanhtra", Role::Inspector),
    ]
    .into_iter()
    .map(|(username, role)| DemoUser {
        username: username.to_string(),
        full_name: person_name(&mut rng),
        unit_code: ROOT_CODE.to_string(),
        unit_name: crate::org::ROOT_NAME.to_string(),
        role,
    })
    .collect::<Vec<_>>();
    for desk in desks() {
        let (name, short, _) = LEVEL_I_UNITS[desk];
        for (prefix, role) in [
            ("tiepnhan", Role::Receiver),
            ("chuyenvien", Role::Specialist),
            ("lanhdao", Role::Leader),
            ("vanthu", Role::Clerk),
        ] {
            out.push(DemoUser {
                username: format!("{prefix}.{short}"),
                full_name: person_name(&mut rng),
                unit_code: level_i_code(desk),
                unit_name: name.to_string(),
                role,
            });
        }
    }
    out
}

/// The desks' staff by unit code, as the domain's actors.
pub fn staff() -> HashMap<String, Staff> {
    let mut out = HashMap::new();
    for desk in desks() {
        let (_, short, _) = LEVEL_I_UNITS[desk];
        let unit = level_i_code(desk);
        let actor = |prefix: &str, role| Actor {
            username: format!("{prefix}.{short}"),
            roles: vec![role],
            unit_code: unit.clone(),
        };
        out.insert(
            unit.clone(),
            Staff {
                short: short.to_uppercase(),
                receiver: actor("tiepnhan", Role::Receiver),
                specialist: actor("chuyenvien", Role::Specialist),
                leader: actor("lanhdao", Role::Leader),
                clerk: actor("vanthu", Role::Clerk),
            },
        );
    }
    out
}
