//! Independent check: with UTC+8 our astronomical calendar must agree with ICU4X's Chinese
//! calendar on every day 1912–2199.
//!
//! ICU's `ChineseTraditional` ships official data (Purple Mountain / Hong Kong Observatory)
//! up to 2100 and falls back to a simplified calculation after that, so for 2101–2199 we
//! compare with ICU's full astronomical GB/T 33661-2017 computation instead
//! (`China::gb_t_33661_2017`, from the calendrical_calculations crate).

use std::sync::Arc;

use icu_calendar::Date as IcuDate;
use icu_calendar::cal::ChineseTraditional;
use icu_calendar::cal::east_asian_traditional::{
    China, EastAsianTraditional, EastAsianTraditionalYear, Rules,
};
use icu_calendar::cal::scaffold::UnstableSealed;
use motcua_calendar::{LAST_SUPPORTED_DATE, LunarDate, LunarTable};
use time::{Date, macros::date};

/// GB/T 33661-2017 computed astronomically by ICU, cached per year (the computation is slow).
#[derive(Clone, Debug)]
struct AstronomicalChina(Arc<Vec<EastAsianTraditionalYear>>);

const CACHE_FIRST: i32 = 2098;

impl AstronomicalChina {
    fn new() -> Self {
        Self(Arc::new(
            (CACHE_FIRST..=2201).map(China::gb_t_33661_2017).collect(),
        ))
    }
}

impl UnstableSealed for AstronomicalChina {}

impl Rules for AstronomicalChina {
    fn year(&self, related_iso: i32) -> EastAsianTraditionalYear {
        usize::try_from(related_iso - CACHE_FIRST)
            .ok()
            .and_then(|i| self.0.get(i).copied())
            .unwrap_or_else(|| China::gb_t_33661_2017(related_iso))
    }

    type DateCompatibilityError = core::convert::Infallible;

    fn check_date_compatibility(&self, _: &Self) -> Result<(), Self::DateCompatibilityError> {
        Ok(())
    }
}

fn to_icu_lunar<R: Rules>(day: Date, calendar: &EastAsianTraditional<R>) -> LunarDate {
    let iso =
        IcuDate::try_new_iso(day.year(), u8::from(day.month()), day.day()).expect("valid ISO date");
    let chinese = iso.to_calendar(calendar.clone());
    let month = chinese.month();
    LunarDate::new(
        chinese.year().era_year_or_related_iso(),
        month.number(),
        chinese.day_of_month().0,
        month.to_input().is_leap(),
    )
}

/// Runs of consecutive days on which we and ICU disagree (first, last), explained in
/// docs/calendar.md: before 1929 China reckoned the calendar at Beijing mean solar time
/// (UTC+7:45:40), which ICU's official data reflects, while we use UTC+8 throughout. In each
/// run a new moon fell between 23:46 and 24:00 Beijing time, so the month began a day earlier.
const KNOWN_DISAGREEMENTS: &[(Date, Date)] = &[
    (date!(1914 - 11 - 17), date!(1914 - 12 - 16)),
    (date!(1916 - 02 - 03), date!(1916 - 03 - 03)),
    (date!(1920 - 11 - 10), date!(1920 - 12 - 09)),
];

#[test]
fn utc8_agrees_with_icu_chinese_calendar_1912_2199() {
    let ours = LunarTable::china();
    let vietnam = LunarTable::vietnam();
    let official = ChineseTraditional::new();
    let astronomical = EastAsianTraditional(AstronomicalChina::new());
    let mut runs: Vec<(Date, Date)> = Vec::new();
    let mut day = date!(1912 - 01 - 01);
    loop {
        let mine = ours.to_lunar(day).expect("in range");
        let theirs = if day.year() <= 2100 {
            to_icu_lunar(day, &official)
        } else {
            to_icu_lunar(day, &astronomical)
        };
        if mine != theirs {
            match runs.last_mut() {
                Some((_, last)) if last.next_day() == Some(day) => *last = day,
                _ => {
                    // A run starts where ICU begins a month one day before we do; the
                    // earlier meridian (UTC+7) shows the same month start.
                    assert_eq!(theirs.day, 1, "{day}: ours {mine:?}, ICU {theirs:?}");
                    assert_eq!(vietnam.to_lunar(day).map(|l| l.day), Ok(1), "{day}");
                    runs.push((day, day));
                }
            }
        }
        match day.next_day() {
            Some(next) if next <= LAST_SUPPORTED_DATE => day = next,
            _ => break,
        }
    }
    assert_eq!(runs, KNOWN_DISAGREEMENTS);
}
