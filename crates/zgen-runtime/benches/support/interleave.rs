//! Times two sides of one operation interleaved: rounds of a batch of one
//! side and a batch of the other (in alternating order), reporting the
//! median time per operation of each. On a busy machine a slow moment then
//! hits both sides alike, which a criterion run (all of one side, then all
//! of the other) cannot promise.

use std::time::{Duration, Instant};

/// `run(first, i)` runs operation `i` of the first side (`true`) or the
/// second; `names` label the two sides in the printed line.
pub fn interleaved(op: &str, names: [&str; 2], rounds: usize, mut run: impl FnMut(bool, usize)) {
    const BATCH: usize = 20;
    let mut batch = |first: bool, round: usize| -> Duration {
        let start = Instant::now();
        for i in 0..BATCH {
            run(first, round * BATCH + i);
        }
        start.elapsed() / BATCH as u32
    };
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        if round % 2 == 0 {
            a.push(batch(true, round));
            b.push(batch(false, round));
        } else {
            b.push(batch(false, round));
            a.push(batch(true, round));
        }
    }
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let (a, b) = (median(&mut a), median(&mut b));
    let [first, second] = names;
    println!(
        "{op}: {first} {:.2} µs, {second} {:.2} µs, {first} ÷ {second} {:.3} (median of {rounds} interleaved batches of {BATCH})",
        a.as_secs_f64() * 1e6,
        b.as_secs_f64() * 1e6,
        a.as_secs_f64() / b.as_secs_f64()
    );
}
