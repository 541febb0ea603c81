//! A large file is parsed in two parts on two threads.
//!
//! Pest and lowering cost time per token and the machines zgen runs on
//! have more than one core, so a large file is cut at a declaration start
//! a little before its middle and both parts are parsed and lowered at once
//! (pest's trees are not `Send`: each part is lowered on the thread that
//! parsed it).
//!
//! The result must be exactly that of one parse. A part parsed alone can
//! differ from the same text inside the whole file only where something
//! crosses the cut: an unclosed body, a skipped region, a recovery group
//! spanning lines. All of those are syntax errors, so the parts are kept
//! only when neither reports an error (and the second holds no `import`,
//! whose order check needs the first part); otherwise the file is parsed
//! again in one piece. A valid file, the case worth speeding up, never
//! takes that path.

use std::sync::OnceLock;

use super::{guard, Part, Prepared};

/// Smaller files are parsed on the calling thread: starting a thread costs
/// more than the second core saves.
const MIN_SPLIT_LEN: usize = 32 * 1024;

/// The whole file's lowering done in two halves, or `None` when it is not
/// worth it or the halves cannot stand for the whole.
pub(super) fn parse_halves(file: &Prepared<'_>) -> Option<Part> {
    if file.text.len() < MIN_SPLIT_LEN || !file.masks.is_empty() || !a_core_is_free() {
        return None;
    }
    halves_at(file, cut_point(file)?)
}

fn halves_at(file: &Prepared<'_>, cut: usize) -> Option<Part> {
    let (first, second) = std::thread::scope(|s| {
        let second = std::thread::Builder::new()
            .name("zgen-parse".into())
            .spawn_scoped(s, || file.lower(cut, file.text.len(), false));
        let first = file.lower(0, cut, false);
        let second = second.ok()?.join().ok()?;
        Some((first?, second?))
    })?;
    let clean = |p: &Part| !p.diags.has_errors();
    if !clean(&first) || !clean(&second) || !second.imports.is_empty() {
        return None;
    }
    let mut whole = first;
    whole.decls.extend(second.decls);
    whole.diags.extend(second.diags);
    Some(whole)
}

/// The first declaration start outside every bracket after 28% of the
/// file. The worker gets the larger part: the calling thread has scanned
/// the file before and goes on to check the schema after (the share that
/// evens both threads' instruction counts on cal.com, see
/// `docs/benchmarks.md`).
fn cut_point(file: &Prepared<'_>) -> Option<usize> {
    cut_points(file, file.text.len() / 100 * 28).next()
}

/// The declaration starts from `from` on that are outside every bracket.
fn cut_points<'f>(file: &'f Prepared<'_>, from: usize) -> impl Iterator<Item = usize> + 'f {
    let words = &file.scan.line_words;
    let brackets = &file.scan.brackets;
    let mut depth = 0i64;
    let mut b = 0;
    let first = words.partition_point(|&w| w < from);
    words
        .get(first..)
        .unwrap_or_default()
        .iter()
        .copied()
        .filter(move |&at| {
            while let Some(&(_, byte)) = brackets.get(b).filter(|&&(o, _)| o < at) {
                depth += if matches!(byte, b'(' | b'[' | b'{') {
                    1
                } else {
                    -1
                };
                b += 1;
            }
            depth == 0 && guard::is_decl_start(file.text, at)
        })
}

/// Two or more cores, and fewer runnable threads than cores (Linux's
/// one-minute load average; assumed idle where there is none). On a busy
/// machine the second thread waits for a core about as long as it saves,
/// and each parse then waits for the later of two threads. Only the speed
/// depends on this, never the result.
fn a_core_is_free() -> bool {
    static CORES: OnceLock<usize> = OnceLock::new();
    let cores = *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    if cores < 2 {
        return false;
    }
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next()?.parse::<f64>().ok())
        .unwrap_or(0.0);
    load < cores as f64
}

#[cfg(test)]
pub(super) mod tests {
    use std::cell::RefCell;
    use std::path::Path;

    use super::*;
    use crate::parser::parse_with;
    use zgen_diagnostics::FileId;

    /// Every file the tests know (fixtures with and without errors, the
    /// formatter cases, the corpus when present) cut at declaration starts
    /// gives what one parse gives.
    #[test]
    fn halves_parse_like_the_whole_at_every_cut() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for dir in [
            "../zgen-sema/tests/fixtures",
            "tests/format",
            "../../../shared/corpus",
        ] {
            collect(&root.join(dir), &mut files);
        }
        files.extend(CROSSING.iter().map(|s| s.to_string()));
        let (mut kept, mut dropped) = (0, 0);
        for text in &files {
            let whole = parse_with(FileId(0), text, &|_| None);
            let cuts = RefCell::new(Vec::new());
            parse_with(FileId(0), text, &|p| {
                cuts.replace(cut_points(p, 1).collect());
                None
            });
            // every cut of a small file, a spread of eight in a large one
            let cuts = cuts.take();
            let step = if text.len() < 8 << 10 {
                1
            } else {
                cuts.len() / 8 + 1
            };
            for cut in cuts.into_iter().step_by(step) {
                let used = RefCell::new(false);
                let halves = parse_with(FileId(0), text, &|p| {
                    let part = halves_at(p, cut);
                    used.replace(part.is_some());
                    part
                });
                assert_eq!(halves, whole, "cut at {cut} of:\n{text}");
                if used.take() {
                    kept += 1;
                } else {
                    dropped += 1;
                }
            }
        }
        assert!(kept > 0 && dropped > 0, "kept {kept}, dropped {dropped}");
    }

    /// Nesting at the guard's limit in the worker's part: parsed there, or
    /// (if pest gives up on the worker's stack) again in one piece.
    #[test]
    fn deep_nesting_in_the_second_part_parses_like_the_whole() {
        let model = |i: usize| format!("model M{i} {{\n  id Int @id\n}}\n");
        let mut text: String = (0..2000).map(model).collect();
        let deep = format!("{}a{}", "(".repeat(120), ")".repeat(120));
        text.push_str(&format!("model D {{\n  @@allow('all', {deep})\n}}\n"));
        assert!(text.len() >= MIN_SPLIT_LEN);
        let whole = parse_with(FileId(0), &text, &|_| None);
        assert_eq!(crate::parse(FileId(0), &text), whole);
    }

    /// Errors that cross the cut: the halves alone look different.
    const CROSSING: &[&str] = &[
        "model A {\n  id Int @id\n\nmodel B {\n  id Int @id\n}\n",
        "model A {\n  x Int @default(f(\nmodel B {\n  id Int @id\n}\n  ))\n}\n",
        "model A {\n  id Int @id\n}\nmodel B {\n  id Int @id\n}\nimport 'x'\n",
        "/// a\nmodel A {\n  id Int @id\n}\n/// b\n\nmodel B {\n  id Int @id\n}\n/// c\n",
        "model A {\n  id Int @id\n}\nnot a decl\nmodel B {\n  id Int @id\n}\n",
    ];

    /// The `.zmodel` files under `dir`, read.
    pub(in crate::parser) fn collect(dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for path in entries.filter_map(Result::ok).map(|e| e.path()) {
            if path.is_dir() {
                collect(&path, out);
            } else if path.extension().is_some_and(|e| e == "zmodel") {
                out.extend(std::fs::read_to_string(&path));
            }
        }
    }
}
