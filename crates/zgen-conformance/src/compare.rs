//! Step-by-step comparison of the two runs, with the scenario markers
//! applied: an unmarked step must agree; a marked one must still disagree,
//! so a fixed bug or a vanished difference makes the suite fail until its
//! marker is removed.

use crate::engine_side::ScenarioRun;
use crate::normalize::Normalizer;
use crate::outcome::Outcome;
use crate::scenario::{Marker, Scenario, ScenarioFile, Step};
use serde_json::Value as Json;

/// Tally and findings of a whole run.
#[derive(Debug, Default)]
pub struct Report {
    pub scenarios: usize,
    pub steps: usize,
    /// Steps where both sides agree.
    pub matches: usize,
    /// Marked steps that still disagree: (marker, where, note).
    pub marked: Vec<(Marker, String, String)>,
    /// Everything that makes the suite fail.
    pub failures: Vec<String>,
}

impl Report {
    pub fn count(&self, marker: Marker) -> usize {
        self.marked.iter().filter(|(m, _, _)| *m == marker).count()
    }

    pub fn summary(&self) -> String {
        format!(
            "{} scenarios, {} steps: {} match, {} differences, {} known zgen bugs, {} zenstack bugs, {} failures",
            self.scenarios,
            self.steps,
            self.matches,
            self.count(Marker::Difference),
            self.count(Marker::KnownBug),
            self.count(Marker::ZenstackBug),
            self.failures.len()
        )
    }
}

/// Whether the two outcomes agree: same kind, and for data the same
/// normalised value (lists as multisets unless the step orders them).
pub fn same(norm: &Normalizer, step: &Step, zenstack: &Outcome, zgen: &Outcome) -> bool {
    match (zenstack, zgen) {
        (Outcome::Ok(a), Outcome::Ok(b)) => {
            let ordered = step.ordered();
            equivalent(&norm.value(a, ordered), &norm.value(b, ordered))
        }
        _ => zenstack.kind() == zgen.kind(),
    }
}

/// Equality of normalised data, where a Decimal may be a number on one
/// side and its text on the other (ZenStack returns Decimal aggregates as
/// JS numbers, zgen returns Decimals as text).
pub fn equivalent(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| equivalent(v, w)))
        }
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| equivalent(v, w))
        }
        (Json::Number(n), Json::String(s)) | (Json::String(s), Json::Number(n)) => {
            match (n.as_f64(), s.parse::<f64>()) {
                (Some(x), Ok(y)) => x == y,
                _ => false,
            }
        }
        _ => a == b,
    }
}

impl Report {
    /// Compares one scenario: `zenstack` is its entry in `run.mjs`'s output.
    pub fn scenario(
        &mut self,
        norm: &Normalizer,
        file: &ScenarioFile,
        scenario: &Scenario,
        zenstack: &Json,
        zgen: Result<ScenarioRun, String>,
    ) {
        self.scenarios += 1;
        let place = format!("{} / {}", file.file, scenario.name);
        if let Some(err) = zenstack.get("setupError") {
            self.failures.push(format!(
                "{place}: zenstack setup failed: {}",
                err.as_str().unwrap_or("")
            ));
            return;
        }
        let zgen = match zgen {
            Ok(run) => run,
            Err(e) => {
                self.failures
                    .push(format!("{place}: zgen setup failed: {e}"));
                return;
            }
        };
        let empty = Vec::new();
        let zs_steps = zenstack
            .get("steps")
            .and_then(Json::as_array)
            .unwrap_or(&empty);
        if zs_steps.len() != scenario.steps.len() {
            self.failures.push(format!(
                "{place}: zenstack ran {} of {} steps",
                zs_steps.len(),
                scenario.steps.len()
            ));
            return;
        }
        let mut marked_mismatch = false;
        // Marked steps whose outcomes agree: their bug may show only in
        // the final state.
        let mut marked_agreeing: Vec<(Marker, String, String, String)> = Vec::new();
        for (i, ((step, zs), zg)) in scenario
            .steps
            .iter()
            .zip(zs_steps)
            .zip(&zgen.steps)
            .enumerate()
        {
            self.steps += 1;
            let at = format!(
                "{place} step {} ({} {}.{})",
                i + 1,
                auth_label(step),
                step.model,
                step.op
            );
            let zs = match Outcome::from_zenstack(zs) {
                Ok(o) => o,
                Err(e) => {
                    self.failures.push(format!("{at}: {e}"));
                    continue;
                }
            };
            let marker = match step.marker() {
                Ok(m) => m,
                Err(e) => {
                    self.failures.push(format!("{at}: {e}"));
                    continue;
                }
            };
            if let Some(expect) = &step.expect {
                let zenstack_wrong = matches!(marker, Some((Marker::ZenstackBug, _)));
                if zs.kind() != *expect && !zenstack_wrong {
                    self.failures.push(format!(
                        "{at}: scenario expects `{expect}` but zenstack gave {zs}"
                    ));
                }
            }
            let agree = same(norm, step, &zs, zg);
            match (marker, agree) {
                (None, true) => self.matches += 1,
                (None, false) => self.failures.push(format!(
                    "{at}: outcomes differ\n    zenstack: {zs}\n    zgen:     {zg}"
                )),
                (Some((m, note)), true) => {
                    marked_agreeing.push((m, at, note.to_string(), zs.to_string()))
                }
                (Some((m, note)), false) => {
                    marked_mismatch = true;
                    self.marked.push((m, at, note.to_string()));
                }
            }
        }
        let zs_state = norm.value(&zenstack.get("state").cloned().unwrap_or(Json::Null), false);
        let zg_state = norm.value(&zgen.state, false);
        let state_differs = zs_state != zg_state;
        for (m, at, note, outcome) in marked_agreeing {
            if state_differs {
                self.marked.push((m, format!("{at} (final state)"), note));
            } else {
                self.failures.push(format!(
                    "{at}: marked `{}` but both sides now agree ({outcome}) and so do the final states; remove the marker",
                    m.name()
                ));
            }
            marked_mismatch = true;
        }
        if state_differs && !marked_mismatch {
            self.failures.push(format!(
                "{place}: final database state differs{}",
                state_diff(&zs_state, &zg_state)
            ));
        }
    }
}

/// The tables whose rows differ, both sides.
fn state_diff(zenstack: &Json, zgen: &Json) -> String {
    let empty = serde_json::Map::new();
    let a = zenstack.as_object().unwrap_or(&empty);
    let b = zgen.as_object().unwrap_or(&empty);
    let mut tables: Vec<&String> = a.keys().chain(b.keys()).collect();
    tables.sort();
    tables.dedup();
    let mut out = String::new();
    for table in tables {
        let (x, y) = (a.get(table), b.get(table));
        if x != y {
            let show = |v: Option<&Json>| v.map_or("(no table)".to_string(), Json::to_string);
            out.push_str(&format!(
                "\n    table `{table}`\n      zenstack: {}\n      zgen:     {}",
                show(x),
                show(y)
            ));
        }
    }
    out
}

fn auth_label(step: &Step) -> String {
    match &step.auth {
        None | Some(Json::Null) => "anon".into(),
        Some(a) => format!("auth {a}"),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    /// One scenario of one step, compared against the given ZenStack step
    /// and state and zgen outcome and state.
    fn report(step: Json, zs_step: Json, zs_state: Json, zgen: Outcome, zg_state: Json) -> Report {
        let file: ScenarioFile = serde_json::from_value(json!({
            "schema": "s", "scenarios": [{"name": "n", "steps": [step]}]
        }))
        .unwrap();
        let zenstack = json!({"name": "n", "steps": [zs_step], "state": zs_state});
        let run = ScenarioRun {
            steps: vec![zgen],
            state: zg_state,
        };
        let mut r = Report::default();
        r.scenario(
            &Normalizer::new(),
            &file,
            &file.scenarios[0],
            &zenstack,
            Ok(run),
        );
        r
    }

    fn step(extra: Json) -> Json {
        let mut s = json!({"model": "M", "op": "findMany"});
        s.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        s
    }

    fn not_found() -> Outcome {
        Outcome::Err {
            reason: "not-found".into(),
            sub: None,
            model: None,
            message: String::new(),
        }
    }

    #[test]
    fn unordered_rows_match_as_multisets() {
        let r = report(
            step(json!({})),
            json!({"ok": [{"id": 1}, {"id": 2}]}),
            json!({}),
            Outcome::Ok(json!([{"id": 2}, {"id": 1}])),
            json!({}),
        );
        assert_eq!((r.matches, r.failures.len()), (1, 0));
    }

    #[test]
    fn ordered_rows_must_keep_their_order() {
        let r = report(
            step(json!({"args": {"orderBy": {"id": "asc"}}})),
            json!({"ok": [{"id": 1}, {"id": 2}]}),
            json!({}),
            Outcome::Ok(json!([{"id": 2}, {"id": 1}])),
            json!({}),
        );
        assert_eq!(r.failures.len(), 1);
    }

    #[test]
    fn a_known_bug_must_still_reproduce() {
        let marked = step(json!({"known_bug": "x"}));
        let still = report(
            marked.clone(),
            json!({"ok": []}),
            json!({}),
            not_found(),
            json!({}),
        );
        assert_eq!(
            (still.count(Marker::KnownBug), still.failures.len()),
            (1, 0)
        );
        let fixed = report(
            marked.clone(),
            json!({"ok": []}),
            json!({}),
            Outcome::Ok(json!([])),
            json!({}),
        );
        assert!(
            fixed.failures[0].contains("remove the marker"),
            "{:?}",
            fixed.failures
        );
        // Agreeing outcomes but a different final state: still reproduces.
        let in_state = report(
            marked,
            json!({"ok": []}),
            json!({"T": [{"a": 1}]}),
            Outcome::Ok(json!([])),
            json!({"T": []}),
        );
        assert_eq!(
            (in_state.count(Marker::KnownBug), in_state.failures.len()),
            (1, 0)
        );
    }

    #[test]
    fn an_unmarked_state_difference_fails() {
        let r = report(
            step(json!({})),
            json!({"ok": 1}),
            json!({"T": [{"a": 1}]}),
            Outcome::Ok(json!(1)),
            json!({"T": [{"a": 2}]}),
        );
        assert!(r.failures[0].contains("table `T`"), "{:?}", r.failures);
    }

    #[test]
    fn expect_is_checked_against_zenstack() {
        let r = report(
            step(json!({"expect": "ok"})),
            json!({"error": {"reason": "not-found"}}),
            json!({}),
            not_found(),
            json!({}),
        );
        assert_eq!((r.matches, r.failures.len()), (1, 1));
    }

    #[test]
    fn decimals_compare_as_numbers_or_text() {
        assert!(equivalent(&json!({"a": 12.5}), &json!({"a": "12.5"})));
        assert!(!equivalent(&json!({"a": 12.5}), &json!({"a": "12.6"})));
        assert!(!equivalent(&json!({"a": 1}), &json!({"a": 1, "b": 2})));
    }
}
