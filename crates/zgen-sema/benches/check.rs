//! Parse + check of the largest real schema (cal.com), the figure reported
//! in `docs/benchmarks.md`, and the once-per-process cost of the built-ins.

use criterion::{criterion_group, criterion_main, Criterion};
use std::path::Path;

fn corpus_file(relative: &str) -> Option<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus")
        .join(relative);
    std::fs::read_to_string(path).ok()
}

fn parse_and_check(c: &mut Criterion) {
    let Some(text) = corpus_file("v3/github-repos/cal.com/schema.zmodel") else {
        eprintln!("skipping: ../shared/corpus is absent");
        return;
    };
    c.bench_function("parse+check cal.com", |b| {
        b.iter(|| {
            let loaded = zgen_syntax::load_sources(&[("schema.zmodel", &text)]);
            let analysis = zgen_sema::analyze(&loaded);
            assert!(!analysis.has_errors());
            analysis
        })
    });
    c.bench_function("parse cal.com", |b| {
        b.iter(|| zgen_syntax::parse(Default::default(), &text))
    });
}

/// What a process pays once for the built-in declarations: decoding the
/// tree embedded at build time, against parsing `stdlib.zmodel`.
fn builtins(c: &mut Criterion) {
    use zgen_sema::stdlib;
    c.bench_function("stdlib decode", |b| b.iter(stdlib::decode));
    c.bench_function("stdlib parse", |b| {
        b.iter(|| zgen_syntax::parse(stdlib::STDLIB_FILE, stdlib::SOURCE))
    });
}

criterion_group!(benches, parse_and_check, builtins);
criterion_main!(benches);
