//! Throughput of deadline arithmetic and lunar conversions on one core.
//!
//! Run: `CARGO_TARGET_DIR=/work/main/target-calendar cargo bench -p motcua-calendar`
//! Plain `std::time::Instant`, no framework; inputs are generated up front with a fixed seed.

use std::hint::black_box;
use std::time::{Duration as StdDuration, Instant};

use motcua_calendar::{
    FIRST_SUPPORTED_DATE, HolidayRules, LunarDate, LunarTable, OfficeHours, VIETNAM_OFFSET,
    VIETNAM_TZ, WorkingCalendar, shipped_exceptions,
};
use time::{Date, Duration, OffsetDateTime, macros::datetime};

/// SplitMix64: small, deterministic, good enough for benchmark inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> i64 {
        (self.next() % n) as i64
    }
}

/// Runs `f` over `inputs` repeatedly for at least `min` and returns operations per second.
fn measure<T>(inputs: &[T], min: StdDuration, mut f: impl FnMut(&T)) -> f64 {
    // Warm-up pass.
    inputs.iter().for_each(&mut f);
    let start = Instant::now();
    let mut ops = 0u64;
    while start.elapsed() < min {
        inputs.iter().for_each(&mut f);
        ops += inputs.len() as u64;
    }
    ops as f64 / start.elapsed().as_secs_f64()
}

/// The obvious implementation: walk day by day, asking whether each day is worked.
fn naive_add(cal: &WorkingCalendar, start: OffsetDateTime, minutes: i64) -> OffsetDateTime {
    const PERIODS: [(i64, i64); 2] = [(8 * 60, 12 * 60), (13 * 60, 17 * 60)];
    let local = start.to_offset(VIETNAM_OFFSET);
    let mut date = local.date();
    let mut t = i64::from(local.hour()) * 60 + i64::from(local.minute());
    let mut remaining = minutes;
    loop {
        if cal.is_working_day(date).unwrap_or(false) {
            for (s, e) in PERIODS {
                let from = s.max(t);
                if from < e {
                    if remaining <= e - from {
                        return date.midnight().assume_offset(VIETNAM_OFFSET)
                            + Duration::minutes(from + remaining);
                    }
                    remaining -= e - from;
                }
            }
        }
        date = match date.next_day() {
            Some(d) => d,
            None => return start,
        };
        t = 0;
    }
}

fn main() {
    let min = StdDuration::from_secs(2);
    let mut rng = Rng(0x6d6f_7463_7561);

    let t = Instant::now();
    let vietnam = LunarTable::new(VIETNAM_TZ).expect("valid tz");
    println!(
        "build LunarTable (UTC+7, 1900-2199): {:.2} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    let t = Instant::now();
    let cal = WorkingCalendar::new(
        &HolidayRules::default(),
        &shipped_exceptions(),
        OfficeHours::default(),
    )
    .expect("valid settings");
    println!(
        "build WorkingCalendar (1900-2199): {:.2} ms",
        t.elapsed().as_secs_f64() * 1e3
    );

    // Random receipts 2020-2034 on whole minutes, budgets 1..=60 working days (in minutes).
    let origin = datetime!(2020-01-01 00:00 +7);
    let deadlines: Vec<(OffsetDateTime, i64)> = (0..1 << 16)
        .map(|_| {
            let start = origin + Duration::minutes(rng.below(15 * 365 * 1440));
            (start, 1 + rng.below(60 * 480))
        })
        .collect();

    let fast = measure(&deadlines, min, |&(start, minutes)| {
        black_box(cal.add_working_minutes(black_box(start), black_box(minutes))).ok();
    });
    let naive = measure(&deadlines[..4096], min, |&(start, minutes)| {
        black_box(naive_add(&cal, black_box(start), black_box(minutes)));
    });
    // Sanity: both agree on the inputs.
    for &(start, minutes) in &deadlines[..4096] {
        assert_eq!(
            cal.add_working_minutes(start, minutes).ok(),
            Some(naive_add(&cal, start, minutes))
        );
    }
    println!("add_working_minutes (precomputed): {:>12.0} /s", fast);
    println!("add_working_minutes (naive day loop): {:>9.0} /s", naive);
    println!("speed-up: {:.0}x", fast / naive);

    let between: Vec<(OffsetDateTime, OffsetDateTime)> = deadlines
        .iter()
        .map(|&(start, minutes)| (start, start + Duration::minutes(minutes * 3)))
        .collect();
    let between_rate = measure(&between, min, |&(a, b)| {
        black_box(cal.working_minutes_between(black_box(a), black_box(b))).ok();
    });
    println!("working_minutes_between: {:>15.0} /s", between_rate);

    let first = FIRST_SUPPORTED_DATE.to_julian_day();
    let dates: Vec<Date> = (0..1 << 16)
        .filter_map(|_| Date::from_julian_day(first + rng.below(300 * 365) as i32).ok())
        .collect();
    let to_lunar = measure(&dates, min, |&d| {
        black_box(vietnam.to_lunar(black_box(d))).ok();
    });
    let lunar: Vec<LunarDate> = dates
        .iter()
        .filter_map(|&d| vietnam.to_lunar(d).ok())
        .collect();
    let to_solar = measure(&lunar, min, |&l| {
        black_box(vietnam.to_solar(black_box(l))).ok();
    });
    println!("solar -> lunar: {:>24.0} /s", to_lunar);
    println!("lunar -> solar: {:>24.0} /s", to_solar);
}
