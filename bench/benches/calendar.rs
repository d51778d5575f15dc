//! Throughput of the working-day calendar: twenty-working-day deadlines from
//! varied starts across 2025–2026 (target: ≥ 1,000,000 per second on one core).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use motcua_calendar::{TimeLimit, WorkingCalendar, WorkingDuration};
use time::{Duration, OffsetDateTime, macros::datetime};

/// Deterministic starts spread over 2025–2026 at any minute of the day,
/// including nights, weekends, holidays and lunch breaks.
fn starts(n: usize) -> Vec<OffsetDateTime> {
    let first = datetime!(2025-01-01 00:00 +7);
    let span_minutes: u64 = 2 * 365 * 24 * 60;
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..n)
        .map(|_| {
            // xorshift64*: cheap, reproducible spread.
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            let r = state.wrapping_mul(0x2545_F491_4F6C_DD1D);
            first + Duration::minutes((r % span_minutes) as i64)
        })
        .collect()
}

fn twenty_working_days(c: &mut Criterion) {
    let cal = WorkingCalendar::vietnam_default();
    let starts = starts(4096);
    let twenty = WorkingDuration::whole_days(20);
    let limit = TimeLimit::new(twenty).with_cutoff(time::macros::time!(15:00));

    let mut group = c.benchmark_group("calendar");
    group.throughput(Throughput::Elements(starts.len() as u64));
    group.bench_function("add_20_working_days", |b| {
        b.iter(|| {
            for &s in &starts {
                black_box(cal.add(black_box(s), twenty));
            }
        })
    });
    group.bench_function("deadline_20_working_days_cutoff_15h", |b| {
        b.iter(|| {
            for &s in &starts {
                black_box(cal.deadline(black_box(s), &limit));
            }
        })
    });
    group.bench_function("elapsed_over_20_working_days", |b| {
        let ends: Vec<_> = starts.iter().map(|&s| cal.add(s, twenty).at).collect();
        b.iter(|| {
            for (&s, &e) in starts.iter().zip(&ends) {
                black_box(cal.elapsed(black_box(s), black_box(e)));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, twenty_working_days);
criterion_main!(benches);
