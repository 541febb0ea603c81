//! The scenarios run through zgen: per scenario a fresh in-memory SQLite
//! database with zgen's own DDL, the same seed rows, then the steps through
//! `Client::run`.

use crate::outcome::Outcome;
use crate::scenario::{Scenario, ScenarioFile};
use crate::sqlite;
use rusqlite::Connection;
use serde_json::{Map, Value as Json};
use std::collections::HashMap;
use std::path::Path;
use zgen_runtime::Engine;

/// What one scenario produced.
#[derive(Debug, Clone)]
pub struct ScenarioRun {
    pub steps: Vec<Outcome>,
    pub state: Json,
}

/// Engines by schema name, each compiled once.
pub struct Engines {
    dir: std::path::PathBuf,
    engines: HashMap<String, Engine>,
}

impl Engines {
    /// Schemas are read from `dir/NAME.zmodel`.
    pub fn new(dir: &Path) -> Engines {
        Engines {
            dir: dir.to_path_buf(),
            engines: HashMap::new(),
        }
    }

    fn get(&mut self, name: &str) -> Result<&Engine, String> {
        if !self.engines.contains_key(name) {
            let path = self.dir.join(format!("{name}.zmodel"));
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("`{}`: {e}", path.display()))?;
            let engine = Engine::from_source(&text).map_err(|e| format!("schema `{name}`: {e}"))?;
            self.engines.insert(name.to_string(), engine);
        }
        self.engines
            .get(name)
            .ok_or_else(|| format!("schema `{name}` not loaded"))
    }

    /// Runs `scenario` of `file` on a fresh database.
    pub fn run(&mut self, file: &ScenarioFile, scenario: &Scenario) -> Result<ScenarioRun, String> {
        let engine = self.get(&file.schema)?;
        let conn = Connection::open_in_memory().map_err(|e| e.to_string())?;
        conn.execute_batch("PRAGMA foreign_keys = ON")
            .map_err(|e| e.to_string())?;
        for stmt in zgen_policy::ddl::create_statements(engine.schema()) {
            conn.execute_batch(&stmt)
                .map_err(|e| format!("ddl: {e}: {}", stmt))?;
        }
        sqlite::seed(&conn, file.seed_of(scenario))?;
        let steps = scenario
            .steps
            .iter()
            .map(|step| {
                let auth = step.auth.as_ref().filter(|a| !a.is_null()).map(decode);
                let client = engine.client(&conn, auth);
                Outcome::from_engine(client.run(&step.model, &step.op, &decode(&step.args)))
            })
            .collect();
        Ok(ScenarioRun {
            steps,
            state: sqlite::dump(&conn)?,
        })
    }
}

/// Scenario arguments in the engine's JSON: `{"$bytes": [..]}` is a byte
/// array, `{"$bigint": "…"}` a string.
fn decode(value: &Json) -> Json {
    match value {
        Json::Object(map) if map.len() == 1 && map.contains_key("$bytes") => map["$bytes"].clone(),
        Json::Object(map) if map.len() == 1 && map.contains_key("$bigint") => {
            map["$bigint"].clone()
        }
        Json::Object(map) => Json::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), decode(v)))
                .collect::<Map<_, _>>(),
        ),
        Json::Array(items) => Json::Array(items.iter().map(decode).collect()),
        other => other.clone(),
    }
}

/// zgen's DDL of a schema, by table: ZenStack's `$pushSchema()` creates no
/// implicit many-to-many join tables, so `run.mjs` takes those from here.
pub fn ddl_by_table(engine: &Engine) -> Json {
    let dialect = &zgen_policy::sql::Sqlite;
    let tables = zgen_policy::ddl::tables(engine.schema(), dialect);
    Json::Object(
        tables
            .iter()
            .map(|t| {
                let mut stmts = vec![t.create_table(dialect)];
                stmts.extend(t.create_indexes(dialect));
                (t.name.clone(), Json::from(stmts))
            })
            .collect(),
    )
}

/// Writes `generated/ddl/NAME.json` (see [`ddl_by_table`]) for every
/// schema of `suite/schemas`.
pub fn write_ddl_files(suite: &Path) -> Result<(), String> {
    let out = suite.join("generated").join("ddl");
    std::fs::create_dir_all(&out).map_err(|e| format!("`{}`: {e}", out.display()))?;
    let mut engines = Engines::new(&suite.join("schemas"));
    for entry in std::fs::read_dir(suite.join("schemas")).map_err(|e| e.to_string())? {
        let name = entry.map_err(|e| e.to_string())?.file_name();
        let Some(name) = name
            .to_string_lossy()
            .strip_suffix(".zmodel")
            .map(str::to_string)
        else {
            continue;
        };
        let text = ddl_by_table(engines.get(&name)?).to_string();
        let path = out.join(format!("{name}.json"));
        std::fs::write(&path, text).map_err(|e| format!("`{}`: {e}", path.display()))?;
    }
    Ok(())
}
