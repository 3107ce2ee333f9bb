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
