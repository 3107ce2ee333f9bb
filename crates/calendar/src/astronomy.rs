//! The astronomy behind the lunar calendar: new moons and the sun's apparent longitude.
//!
//! Series from Jean Meeus, *Astronomical Algorithms* (2nd ed.): chapter 49 for the
//! new moon (all periodic and planetary terms), chapter 25 for the sun, chapter 22 for
//! the main nutation terms. ΔT (TT − UT) follows the Espenak–Meeus polynomials.
//! All times are Julian Days; `jde` means Terrestrial Time, `jd` Universal Time.

use std::f64::consts::PI;

/// Julian Day (TT) of the mean new moon of 2000-01-06, Meeus eq. 49.1.
const NEW_MOON_EPOCH: f64 = 2_451_550.097_66;
/// Mean synodic month in days.
pub(crate) const SYNODIC_MONTH: f64 = 29.530_588_861;

fn sin_deg(degrees: f64) -> f64 {
    (degrees * PI / 180.0).sin()
}

/// ΔT = TT − UT in seconds for a decimal year (Espenak & Meeus polynomials, 1800–2150+).
pub(crate) fn delta_t_seconds(year: f64) -> f64 {
    if year < 1860.0 {
        let t = year - 1800.0;
        13.72 - 0.332_447 * t + 0.006_861_2 * t.powi(2) + 0.004_111_6 * t.powi(3)
            - 0.000_374_36 * t.powi(4)
            + 0.000_012_127_2 * t.powi(5)
            - 0.000_000_169_9 * t.powi(6)
            + 0.000_000_000_875 * t.powi(7)
    } else if year < 1900.0 {
        let t = year - 1860.0;
        7.62 + 0.573_7 * t - 0.251_754 * t.powi(2) + 0.016_806_68 * t.powi(3)
            - 0.000_447_362_4 * t.powi(4)
            + t.powi(5) / 233_174.0
    } else if year < 1920.0 {
        let t = year - 1900.0;
        -2.79 + 1.494_119 * t - 0.059_893_9 * t.powi(2) + 0.006_196_6 * t.powi(3)
            - 0.000_197 * t.powi(4)
    } else if year < 1941.0 {
        let t = year - 1920.0;
        21.20 + 0.844_93 * t - 0.076_100 * t.powi(2) + 0.002_093_6 * t.powi(3)
    } else if year < 1961.0 {
        let t = year - 1950.0;
        29.07 + 0.407 * t - t.powi(2) / 233.0 + t.powi(3) / 2547.0
    } else if year < 1986.0 {
        let t = year - 1975.0;
        45.45 + 1.067 * t - t.powi(2) / 260.0 - t.powi(3) / 718.0
    } else if year < 2005.0 {
        let t = year - 2000.0;
        63.86 + 0.334_5 * t - 0.060_374 * t.powi(2)
            + 0.001_727_5 * t.powi(3)
            + 0.000_651_814 * t.powi(4)
            + 0.000_023_735_99 * t.powi(5)
    } else if year < 2050.0 {
        let t = year - 2000.0;
        62.92 + 0.322_17 * t + 0.005_589 * t.powi(2)
    } else if year < 2150.0 {
        let u = (year - 1820.0) / 100.0;
        -20.0 + 32.0 * u * u - 0.562_8 * (2150.0 - year)
    } else {
        let u = (year - 1820.0) / 100.0;
        -20.0 + 32.0 * u * u
    }
}

/// ΔT in days for a Julian Day.
fn delta_t_days(jd: f64) -> f64 {
    let year = 2000.0 + (jd - 2_451_545.0) / 365.25;
    delta_t_seconds(year) / 86_400.0
}

/// Index of the mean new moon near a Julian Day (k = 0 is 2000-01-06).
pub(crate) fn new_moon_index_near(jd: f64) -> i64 {
    ((jd - NEW_MOON_EPOCH) / SYNODIC_MONTH).floor() as i64
}

/// Universal-Time Julian Day of the true new moon number `k`, Meeus chapter 49.
pub(crate) fn new_moon_jd(k: i64) -> f64 {
    let k = k as f64;
    let t = k / 1236.85;
    let t2 = t * t;
    let t3 = t2 * t;
    let t4 = t3 * t;
    let mean = NEW_MOON_EPOCH + SYNODIC_MONTH * k + 0.000_154_37 * t2 - 0.000_000_150 * t3
        + 0.000_000_000_73 * t4;
    // Eccentricity of the Earth's orbit, and the sun's/moon's anomalies, moon's latitude argument, node.
    let e = 1.0 - 0.002_516 * t - 0.000_007_4 * t2;
    let m = 2.553_4 + 29.105_356_70 * k - 0.000_001_4 * t2 - 0.000_000_11 * t3;
    let mp =
        201.564_3 + 385.816_935_28 * k + 0.010_758_2 * t2 + 0.000_012_38 * t3 - 0.000_000_058 * t4;
    let f =
        160.710_8 + 390.670_502_84 * k - 0.001_611_8 * t2 - 0.000_002_27 * t3 + 0.000_000_011 * t4;
    let om = 124.774_6 - 1.563_755_88 * k + 0.002_067_2 * t2 + 0.000_002_15 * t3;

    let periodic = -0.407_20 * sin_deg(mp)
        + 0.172_41 * e * sin_deg(m)
        + 0.016_08 * sin_deg(2.0 * mp)
        + 0.010_39 * sin_deg(2.0 * f)
        + 0.007_39 * e * sin_deg(mp - m)
        - 0.005_14 * e * sin_deg(mp + m)
        + 0.002_08 * e * e * sin_deg(2.0 * m)
        - 0.001_11 * sin_deg(mp - 2.0 * f)
        - 0.000_57 * sin_deg(mp + 2.0 * f)
        + 0.000_56 * e * sin_deg(2.0 * mp + m)
        - 0.000_42 * sin_deg(3.0 * mp)
        + 0.000_42 * e * sin_deg(m + 2.0 * f)
        + 0.000_38 * e * sin_deg(m - 2.0 * f)
        - 0.000_24 * e * sin_deg(2.0 * mp - m)
        - 0.000_17 * sin_deg(om)
        - 0.000_07 * sin_deg(mp + 2.0 * m)
        + 0.000_04 * sin_deg(2.0 * mp - 2.0 * f)
        + 0.000_04 * sin_deg(3.0 * m)
        + 0.000_03 * sin_deg(mp + m - 2.0 * f)
        + 0.000_03 * sin_deg(2.0 * mp + 2.0 * f)
        - 0.000_03 * sin_deg(mp + m + 2.0 * f)
        + 0.000_03 * sin_deg(mp - m + 2.0 * f)
        - 0.000_02 * sin_deg(mp - m - 2.0 * f)
        - 0.000_02 * sin_deg(3.0 * mp + m)
        + 0.000_02 * sin_deg(4.0 * mp);

    // Planetary arguments A1..A14 (Meeus table 49.B): (coefficient, base, rate per lunation).
    const PLANETARY: [(f64, f64, f64); 13] = [
        (0.000_165, 251.88, 0.016_321),
        (0.000_164, 251.83, 26.651_886),
        (0.000_126, 349.42, 36.412_478),
        (0.000_110, 84.66, 18.206_239),
        (0.000_062, 141.74, 53.303_771),
        (0.000_060, 207.14, 2.453_732),
        (0.000_056, 154.84, 7.306_860),
        (0.000_047, 34.52, 27.261_239),
        (0.000_042, 207.19, 0.121_824),
        (0.000_040, 291.34, 1.844_379),
        (0.000_037, 161.72, 24.198_154),
        (0.000_035, 239.56, 25.513_099),
        (0.000_023, 331.55, 3.592_518),
    ];
    let a1 = 299.77 + 0.107_408 * k - 0.009_173 * t2;
    let planetary = 0.000_325 * sin_deg(a1)
        + PLANETARY
            .iter()
            .map(|&(c, base, rate)| c * sin_deg(base + rate * k))
            .sum::<f64>();

    let jde = mean + periodic + planetary;
    jde - delta_t_days(jde)
}

/// Apparent geocentric longitude of the sun in degrees [0, 360) at a Universal-Time Julian Day.
///
/// Meeus chapter 25 (accuracy about 0.01°, i.e. ~15 minutes of time at a solar term),
/// with aberration and the four main nutation terms of chapter 22.
pub(crate) fn sun_longitude(jd: f64) -> f64 {
    let jde = jd + delta_t_days(jd);
    let t = (jde - 2_451_545.0) / 36_525.0;
    let t2 = t * t;
    let l0 = 280.466_46 + 36_000.769_83 * t + 0.000_303_2 * t2;
    let m = 357.529_11 + 35_999.050_29 * t - 0.000_153_7 * t2;
    let c = (1.914_602 - 0.004_817 * t - 0.000_014 * t2) * sin_deg(m)
        + (0.019_993 - 0.000_101 * t) * sin_deg(2.0 * m)
        + 0.000_289 * sin_deg(3.0 * m);
    let true_longitude = l0 + c;
    // Nutation in longitude (Meeus 22, main terms, arcseconds) and aberration (-20.4898").
    let omega = 125.044_52 - 1_934.136_261 * t;
    let l_sun = 280.466_5 + 36_000.769_8 * t;
    let l_moon = 218.316_5 + 481_267.881_3 * t;
    let nutation =
        -17.20 * sin_deg(omega) - 1.32 * sin_deg(2.0 * l_sun) - 0.23 * sin_deg(2.0 * l_moon)
            + 0.21 * sin_deg(2.0 * omega);
    let apparent = true_longitude + (nutation - 20.4898) / 3600.0;
    apparent.rem_euclid(360.0)
}

/// Universal-Time Julian Day at which the sun's apparent longitude reaches `target` degrees,
/// searching near `guess_jd` (within a few weeks).
pub(crate) fn sun_reaches(target: f64, guess_jd: f64) -> f64 {
    let mut jd = guess_jd;
    for _ in 0..6 {
        // Signed angular distance still to go, in (-180, 180].
        let delta = (target - sun_longitude(jd) + 540.0).rem_euclid(360.0) - 180.0;
        jd += delta * 365.242_2 / 360.0;
        if delta.abs() < 1e-7 {
            break;
        }
    }
    jd
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meeus_example_49a_new_moon_1977() {
        // Meeus example 49.a: k = -283, JDE 2443192.65118 (TT).
        let jd = new_moon_jd(-283);
        let jde = jd + delta_t_days(jd);
        assert!((jde - 2_443_192.651_18).abs() < 1e-4, "{jde}");
    }

    #[test]
    fn meeus_example_25a_sun_1992() {
        // Meeus example 25.a: 1992-10-13 0h TD, apparent longitude 199.90895° (low precision 199.90988°).
        let jde = 2_448_908.5;
        let jd = jde - delta_t_days(jde);
        let lon = sun_longitude(jd);
        assert!((lon - 199.909).abs() < 0.002, "{lon}");
    }

    #[test]
    fn winter_solstice_1984() {
        // 1984-12-21 about 16:23 UT, the case that decides Tết 1985 in Vietnam.
        let day = time::macros::date!(1984 - 12 - 21).to_julian_day();
        let jd = sun_reaches(270.0, f64::from(day));
        let ut_hours = (jd + 0.5).fract() * 24.0;
        assert_eq!((jd + 0.5).floor() as i32, day, "{jd}");
        assert!((ut_hours - 16.38).abs() < 0.2, "{ut_hours}");
    }
}
