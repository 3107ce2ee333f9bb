//! Shared helpers for motcua's benchmarks: timing with percentiles, and a report line format
//! that BENCHMARKS.md quotes.

use std::time::{Duration, Instant};

/// Runs `f` `n` times and returns the sorted durations.
pub async fn sample<F, Fut>(n: usize, mut f: F) -> Vec<Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let start = Instant::now();
        f().await;
        times.push(start.elapsed());
    }
    times.sort();
    times
}

/// Like [`sample`], but stops early once `budget` has passed (at least one run), so a slow
/// baseline or an unindexed query cannot stall a benchmark run.
pub async fn sample_within<F, Fut>(n: usize, budget: Duration, mut f: F) -> Vec<Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let begun = Instant::now();
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let start = Instant::now();
        f().await;
        times.push(start.elapsed());
        if begun.elapsed() > budget {
            break;
        }
    }
    times.sort();
    times
}

/// The p-th percentile (0–100) of sorted durations.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// One line: name, p50, p99, operations per second from the mean.
pub fn report(name: &str, sorted: &[Duration]) -> f64 {
    let total: Duration = sorted.iter().sum();
    let per_second = if total.is_zero() {
        0.0
    } else {
        sorted.len() as f64 / total.as_secs_f64()
    };
    println!(
        "{name:<58} p50 {:>9.3} ms   p99 {:>9.3} ms   {:>10.0} /s",
        percentile(sorted, 50.0).as_secs_f64() * 1e3,
        percentile(sorted, 99.0).as_secs_f64() * 1e3,
        per_second
    );
    per_second
}

/// A synthetic ministry for benchmarks, as import rows: root `BQP`, `level1` units `L1-aa`,
/// `level2` under each (`L1-aa-bb`), `level3` under each of those (`L1-aa-bb-ccc`), plus
/// `extra` more level-III units under the first level-II unit.
pub fn ministry_rows(
    level1: usize,
    level2: usize,
    level3: usize,
    extra: usize,
) -> Vec<motcua_domain::import::ImportRow> {
    let mut rows = Vec::new();
    let mut push = |code: String, level: i32, parent: Option<&str>| {
        let line = rows.len() + 2;
        let name = format!("Đơn vị {code}");
        // Generated codes and names are valid by construction.
        if let Ok(unit) = motcua_domain::unit::NewUnit::parse(&code, &name, None, level, parent) {
            rows.push(motcua_domain::import::ImportRow { line, unit });
        }
    };
    push("BQP".into(), 0, None);
    for a in 0..level1 {
        let l1 = format!("L1-{a:02}");
        push(l1.clone(), 1, Some("BQP"));
        for b in 0..level2 {
            let l2 = format!("{l1}-{b:02}");
            push(l2.clone(), 2, Some(&l1));
            let count = level3 + if a == 0 && b == 0 { extra } else { 0 };
            for c in 0..count {
                push(format!("{l2}-{c:03}"), 3, Some(&l2));
            }
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    #[test]
    fn ministry_rows_have_the_stated_sizes() {
        let rows = super::ministry_rows(30, 10, 32, 69);
        assert_eq!(rows.len(), 10_000);
        assert_eq!(rows.iter().filter(|r| r.unit.level == 3).count(), 9_669);
        assert_eq!(super::ministry_rows(10, 10, 29, 0).len(), 3_011);
        // Parents come before their children, as an import needs.
        assert_eq!(rows[0].unit.code.as_str(), "BQP");
    }
}
