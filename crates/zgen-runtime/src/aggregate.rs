//! `aggregate` and `groupBy`, computed over the readable rows a find with
//! the same arguments returns (P-100), masked fields included as NULL.

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

const AGGREGATES: &[&str] = &["_count", "_sum", "_avg", "_min", "_max"];

impl Client<'_> {
    pub(crate) fn aggregate(&self, model: ModelId, args: &Map<String, Json>) -> Result<Json> {
        let (find, aggregates) = split(args, &[]);
        let find = find_args(self, model, &find, many_keys())?;
        let fetched = self.fetch(model, &find, Filters::new(self), Vec::new(), true)?;
        let rows: Vec<usize> = (0..fetched.rows.len()).collect();
        self.aggregates(model, &aggregates, &fetched, &rows)
    }

    pub(crate) fn group_by(&self, model: ModelId, args: &Map<String, Json>) -> Result<Json> {
        let name = self.model_name(model);
        let (mut find, aggregates) = split(args, &["by", "having"]);
        if args.get("having").is_some_and(|h| !h.is_null()) {
            return Err(Error::not_supported(
                Some(name),
                "`having` is not supported yet",
            ));
        }
        let by: Vec<FieldId> = match args.get("by") {
            Some(Json::String(s)) => vec![self.scalar(model, s)?],
            Some(Json::Array(items)) => items
                .iter()
                .map(|i| {
                    i.as_str()
                        .ok_or_else(|| Error::invalid_input(Some(name), "`by` lists field names"))
                        .and_then(|s| self.scalar(model, s))
                })
                .collect::<Result<_>>()?,
            _ => return Err(Error::invalid_input(Some(name), "`groupBy` needs `by`")),
        };
        // skip/take apply to groups, not rows
        let skip = find.remove("skip");
        let take = find.remove("take");
        let find = find_args(self, model, &find, many_keys())?;
        let fetched = self.fetch(model, &find, Filters::new(self), Vec::new(), false)?;
        let mut groups: Vec<(Vec<Value>, Vec<usize>)> = Vec::new();
        for row in 0..fetched.rows.len() {
            let key: Vec<Value> = by.iter().map(|f| fetched.value(row, *f).clone()).collect();
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, rows)) => rows.push(row),
                None => groups.push((key, vec![row])),
            }
        }
        let mut out = Vec::with_capacity(groups.len());
        for (key, rows) in &groups {
            let Json::Object(mut obj) = self.aggregates(model, &aggregates, &fetched, rows)? else {
                continue;
            };
            for (f, v) in by.iter().zip(key) {
                let field = self.schema().field(*f);
                obj.insert(field.name.clone(), to_json(self.schema(), field, v));
            }
            out.push(Json::Object(obj));
        }
        let skip = skip.and_then(|s| s.as_u64()).unwrap_or(0) as usize;
        let out: Vec<Json> = out.into_iter().skip(skip).collect();
        let out = match take.and_then(|t| t.as_u64()) {
            Some(t) => out.into_iter().take(t as usize).collect(),
            None => out,
        };
        Ok(Json::Array(out))
    }

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

    fn aggregates(
        &self,
        model: ModelId,
        aggregates: &Map<String, Json>,
        fetched: &Fetched,
        rows: &[usize],
    ) -> Result<Json> {
        let mut out = Map::new();
        for (kind, spec) in aggregates {
            let fields: Vec<(String, Option<FieldId>)> = match spec {
                Json::Bool(true) if kind == "_count" => vec![("_all".into(), None)],
                Json::Object(o) => o
                    .iter()
                    .filter(|(_, on)| matches!(on, Json::Bool(true)))
                    .map(|(k, _)| {
                        Ok((
                            k.clone(),
                            if k == "_all" {
                                None
                            } else {
                                Some(self.scalar(model, k)?)
                            },
                        ))
                    })
                    .collect::<Result<_>>()?,
                _ => continue,
            };
            let mut values = Map::new();
            for (name, field) in fields {
                let column: Vec<&Value> = match field {
                    Some(f) => rows
                        .iter()
                        .map(|r| fetched.value(*r, f))
                        .filter(|v| !v.is_null())
                        .collect(),
                    None => rows.iter().map(|_| &Value::Null).collect(),
                };
                let value = match kind.as_str() {
                    "_count" => json!(column.len()),
                    "_sum" => sum(&column).map_or(Json::Null, number),
                    "_avg" => sum(&column).map_or(Json::Null, |s| number(s / column.len() as f64)),
                    "_min" | "_max" => {
                        let pick = if kind == "_min" {
                            Ordering::Less
                        } else {
                            Ordering::Greater
                        };
                        let best = column.iter().copied().reduce(|a, b| {
                            if compare(b, a) == pick {
                                b
                            } else {
                                a
                            }
                        });
                        match (best, field) {
                            (Some(v), Some(f)) => to_json(self.schema(), self.schema().field(f), v),
                            _ => Json::Null,
                        }
                    }
                    _ => Json::Null,
                };
                values.insert(name, value);
            }
            out.insert(kind.clone(), Json::Object(values));
        }
        Ok(Json::Object(out))
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
