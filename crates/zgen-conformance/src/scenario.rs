//! Scenario files: `scenarios/NN-topic.json`, each naming a schema, default
//! seed rows and a list of scenarios (seed override, steps).

use serde::Deserialize;
use serde_json::{Map, Value as Json};
use std::path::Path;

/// One file of scenarios.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    #[serde(skip)]
    pub file: String,
    /// A schema of `schemas/` without the extension.
    pub schema: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Rows per table, inserted in order with plain SQL (no policies).
    #[serde(default)]
    pub seed: Map<String, Json>,
    pub scenarios: Vec<Scenario>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    /// Replaces the file's seed when present.
    #[serde(default)]
    pub seed: Option<Map<String, Json>>,
    pub steps: Vec<Step>,
}

/// One operation: who, on which model, what, with which arguments.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// The auth value; `null` or absent: anonymous.
    #[serde(default)]
    pub auth: Option<Json>,
    pub model: String,
    pub op: String,
    #[serde(default = "empty_object")]
    pub args: Json,
    /// The outcome kind ZenStack must produce (`ok`, `not-found`,
    /// `rejected-by-policy/no-access`, …): guards the scenario itself.
    #[serde(default)]
    pub expect: Option<String>,
    /// zgen differs on purpose (explained in docs/differences.md).
    #[serde(default)]
    pub difference: Option<String>,
    /// zgen is wrong here and not fixed yet.
    #[serde(default)]
    pub known_bug: Option<String>,
    /// ZenStack is wrong here.
    #[serde(default)]
    pub zenstack_bug: Option<String>,
}

fn empty_object() -> Json {
    Json::Object(Map::new())
}

/// Why a step is expected to disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    Difference,
    KnownBug,
    ZenstackBug,
}

impl Marker {
    pub fn name(self) -> &'static str {
        match self {
            Marker::Difference => "difference",
            Marker::KnownBug => "known_bug",
            Marker::ZenstackBug => "zenstack_bug",
        }
    }
}

impl Step {
    /// The step's marker and its note; at most one is allowed.
    pub fn marker(&self) -> Result<Option<(Marker, &str)>, String> {
        let all = [
            (Marker::Difference, &self.difference),
            (Marker::KnownBug, &self.known_bug),
            (Marker::ZenstackBug, &self.zenstack_bug),
        ];
        let mut found = all
            .iter()
            .filter_map(|(m, note)| note.as_deref().map(|n| (*m, n)));
        let first = found.next();
        if found.next().is_some() {
            return Err("a step carries more than one marker".into());
        }
        Ok(first)
    }

    /// Whether the arguments ask for an order anywhere; otherwise lists of
    /// rows compare as multisets.
    pub fn ordered(&self) -> bool {
        mentions_key(&self.args, "orderBy")
    }
}

fn mentions_key(value: &Json, key: &str) -> bool {
    match value {
        Json::Object(map) => map.iter().any(|(k, v)| k == key || mentions_key(v, key)),
        Json::Array(items) => items.iter().any(|v| mentions_key(v, key)),
        _ => false,
    }
}

impl ScenarioFile {
    /// The seed of `scenario`: its own, or the file's.
    pub fn seed_of<'a>(&'a self, scenario: &'a Scenario) -> &'a Map<String, Json> {
        scenario.seed.as_ref().unwrap_or(&self.seed)
    }
}

/// Every `*.json` of `dir` whose name contains `filter`, sorted by name.
pub fn load_dir(dir: &Path, filter: &str) -> Result<Vec<ScenarioFile>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("`{}`: {e}", dir.display()))?;
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json") && n.contains(filter))
        .collect();
    names.sort();
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let text =
            std::fs::read_to_string(dir.join(&name)).map_err(|e| format!("`{name}`: {e}"))?;
        let mut file: ScenarioFile =
            serde_json::from_str(&text).map_err(|e| format!("`{name}`: {e}"))?;
        file.file = name;
        out.push(file);
    }
    Ok(out)
}
