//! `aggregate` and `groupBy`, computed over the readable rows a find with
//! the same arguments returns (P-100), masked fields included as NULL.

mod group;
mod json_filter;

use crate::args::filter::Filters;
use crate::args::select::{find_args, many_keys, readable_column};
use crate::engine::Client;
use crate::error::{Error, Result};
use crate::read::Fetched;
use crate::value::to_json;
use serde_json::{json, Map, Value as Json};
use std::cmp::Ordering;
use zgen_policy::ir::Value;
use zgen_sema::{FieldId, ModelId};

/// The aggregate selections, as ZenStack names them.
const AGGREGATES: &[&str] = &["_count", "_sum", "_avg", "_min", "_max"];

impl Client<'_> {
    pub(crate) fn aggregate(&self, model: ModelId, args: &Map<String, Json>) -> Result<Json> {
        let (find, aggregates) = split(args, &[]);
        let find = find_args(self, model, &find, many_keys())?;
        let fetched = self.fetch(model, &find, Filters::new(self), Vec::new(), true)?;
        let rows: Vec<usize> = (0..fetched.rows.len()).collect();
        self.aggregates(model, &aggregates, &fetched, &rows)
    }

    /// A scalar field of `model` that can be grouped and aggregated.
    fn scalar(&self, model: ModelId, name: &str) -> Result<FieldId> {
        let m = self.schema().model(model);
        match m.field_by_name(name) {
            Some((index, f)) if readable_column(f) => Ok(FieldId { model, index }),
            _ => Err(Error::invalid_input(
                Some(&m.name),
                format!("`{name}` is not a scalar field"),
            )),
        }
    }

    /// The aggregate selections of `aggregates` over `rows`, in ZenStack's
    /// result shape (`_count: true` is a number, the others objects).
    fn aggregates(
        &self,
        model: ModelId,
        aggregates: &Map<String, Json>,
        fetched: &Fetched,
        rows: &[usize],
    ) -> Result<Json> {
        let mut out = Map::new();
        for (kind, spec) in aggregates {
            let value = match spec {
                Json::Bool(true) if kind == "_count" => json!(rows.len()),
                Json::Object(o) => {
                    let mut values = Map::new();
                    for (name, on) in o {
                        if on == &Json::Bool(true) {
                            let metric = self.metric(model, kind, name, fetched, rows)?;
                            values.insert(name.clone(), metric);
                        }
                    }
                    Json::Object(values)
                }
                _ => continue,
            };
            out.insert(kind.clone(), value);
        }
        Ok(Json::Object(out))
    }

    /// One aggregate (`_sum` …) of field `name` (`_all` for `_count`) over
    /// `rows`; NULLs are skipped, as SQL's aggregate functions skip them.
    fn metric(
        &self,
        model: ModelId,
        kind: &str,
        name: &str,
        fetched: &Fetched,
        rows: &[usize],
    ) -> Result<Json> {
        if kind == "_count" && name == "_all" {
            return Ok(json!(rows.len()));
        }
        let field = self.scalar(model, name)?;
        if matches!(kind, "_sum" | "_avg") && !is_numeric(self.schema().field(field)) {
            return Err(Error::invalid_input(
                Some(self.model_name(model)),
                format!("`{kind}` needs a number field, `{name}` is not one"),
            ));
        }
        let column: Vec<&Value> = rows
            .iter()
            .map(|r| fetched.value(*r, field))
            .filter(|v| !v.is_null())
            .collect();
        Ok(match kind {
            "_count" => json!(column.len()),
            "_sum" => sum(&column).map_or(Json::Null, number),
            "_avg" => sum(&column).map_or(Json::Null, |s| number(s / column.len() as f64)),
            "_min" | "_max" => {
                let pick = if kind == "_min" {
                    Ordering::Less
                } else {
                    Ordering::Greater
                };
                let best = column
                    .iter()
                    .copied()
                    .reduce(|a, b| if compare(b, a) == pick { b } else { a });
                best.map_or(Json::Null, |v| {
                    to_json(self.schema(), self.schema().field(field), v)
                })
            }
            other => {
                return Err(Error::invalid_input(
                    Some(self.model_name(model)),
                    format!("unknown aggregate `{other}`"),
                ))
            }
        })
    }
}

/// The find arguments and the aggregate selections of `args`.
fn split(args: &Map<String, Json>, extra: &[&str]) -> (Map<String, Json>, Map<String, Json>) {
    let mut find = Map::new();
    let mut aggregates = Map::new();
    for (k, v) in args {
        if AGGREGATES.contains(&k.as_str()) {
            aggregates.insert(k.clone(), v.clone());
        } else if !extra.contains(&k.as_str()) {
            find.insert(k.clone(), v.clone());
        }
    }
    (find, aggregates)
}

fn sum(values: &[&Value]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.iter().try_fold(0.0, |acc, v| match v {
        Value::Int(i) => Some(acc + *i as f64),
        Value::Float(f) => Some(acc + f),
        Value::Text(t) => t.parse::<f64>().ok().map(|f| acc + f),
        _ => None,
    })
}

fn number(f: f64) -> Json {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        json!(f as i64)
    } else {
        serde_json::Number::from_f64(f).map_or(Json::Null, Json::Number)
    }
}

fn compare(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x.cmp(y),
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(y).unwrap_or(Ordering::Equal),
        (Value::Int(x), Value::Float(y)) => (*x as f64).partial_cmp(y).unwrap_or(Ordering::Equal),
        (Value::Float(x), Value::Int(y)) => x.partial_cmp(&(*y as f64)).unwrap_or(Ordering::Equal),
        (Value::Text(x), Value::Text(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => Ordering::Equal,
    }
}

/// Whether `_sum` and `_avg` apply to `field`.
fn is_numeric(field: &zgen_sema::Field) -> bool {
    matches!(
        crate::value::Stored::of(field),
        Some(crate::value::Stored::Scalar(
            zgen_sema::Scalar::Int
                | zgen_sema::Scalar::BigInt
                | zgen_sema::Scalar::Float
                | zgen_sema::Scalar::Decimal
        ))
    )
}
