//! Working-time calendar for motcua: the Vietnamese lunar calendar, statutory holidays,
//! announced day swaps and deadline arithmetic. Pure: no I/O, no clock.

mod astronomy;
pub mod error;
pub mod lunar;

pub use error::{CalendarError, Result};
pub use lunar::{
    CHINA_TZ, FIRST_SUPPORTED_DATE, LAST_SUPPORTED_DATE, LunarDate, LunarTable, VIETNAM_TZ,
    can_chi_year, lunar_to_solar, solar_to_lunar,
};
