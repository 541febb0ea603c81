//! `groupBy`: the readable rows grouped by the `by` fields; `having`,
//! `orderBy`, `skip` and `take` then apply to the groups, as ZenStack's
//! `GROUP BY … HAVING … ORDER BY … LIMIT` does.

use super::json_filter::{compare, matches};
use super::{split, AGGREGATES};
use crate::args::count_arg;
use crate::args::filter::Filters;
use crate::args::select::find_args;
use crate::engine::Client;
use crate::error::{Error, Result};
use crate::read::Fetched;
use crate::value::to_json;
use serde_json::{Map, Value as Json};
use std::cmp::Ordering;
use std::collections::HashMap;
use zgen_sema::{FieldId, ModelId};

/// The grouping of one `groupBy` call.
struct Groups<'c, 'a> {
    client: &'c Client<'a>,
    model: ModelId,
    by: Vec<FieldId>,
    fetched: Fetched,
}

/// One sort key of the groups: a `by` field, or an aggregate of a field.
struct OrderKey {
    aggregate: Option<String>,
    field: String,
    desc: bool,
    nulls_first: bool,
}

impl Client<'_> {
    pub(crate) fn group_by(&self, model: ModelId, args: &Map<String, Json>) -> Result<Json> {
        let name = self.model_name(model);
        let (find, aggregates) = split(args, &["by", "having", "orderBy", "skip", "take"]);
        let by = self.by_fields(model, args.get("by"))?;
        let find = find_args(self, model, &find, &["where"])?;
        let fetched = self.fetch(model, &find, Filters::new(self), Vec::new(), false)?;
        let groups = Groups {
            client: self,
            model,
            by,
            fetched,
        };
        let mut members = groups.members();
        if let Some(having) = args.get("having").filter(|h| !h.is_null()) {
            let mut kept = Vec::with_capacity(members.len());
            for rows in members {
                if groups.having(&rows, having)? {
                    kept.push(rows);
                }
            }
            members = kept;
        }
        let order = groups.order_keys(args.get("orderBy"))?;
        if !order.is_empty() {
            let mut keyed = Vec::with_capacity(members.len());
            for rows in members {
                let keys = order
                    .iter()
                    .map(|k| groups.value(&rows, k.aggregate.as_deref(), &k.field))
                    .collect::<Result<Vec<Json>>>()?;
                keyed.push((keys, rows));
            }
            keyed.sort_by(|(a, _), (b, _)| sort(&order, a, b));
            members = keyed.into_iter().map(|(_, rows)| rows).collect();
        }
        let skip = count_arg(name, args, "skip")?.unwrap_or(0).max(0) as usize;
        let take = match args.get("take") {
            None | Some(Json::Null) => None,
            Some(t) => Some(
                t.as_i64()
                    .ok_or_else(|| Error::invalid_input(Some(name), "`take` must be an integer"))?,
            ),
        };
        let members: Vec<Vec<usize>> = members.into_iter().skip(skip).collect();
        let members = match take {
            None => members,
            Some(t) if t >= 0 => members.into_iter().take(t as usize).collect(),
            // a negative take counts from the end
            Some(t) => {
                let n = members.len().saturating_sub(t.unsigned_abs() as usize);
                members.into_iter().skip(n).collect()
            }
        };
        let mut out = Vec::with_capacity(members.len());
        for rows in &members {
            let mut obj = Map::new();
            for f in &groups.by {
                let field = self.schema().field(*f);
                let key = groups.fetched.value(rows[0], *f);
                obj.insert(field.name.clone(), to_json(self.schema(), field, key));
            }
            if let Json::Object(values) =
                self.aggregates(model, &aggregates, &groups.fetched, rows)?
            {
                obj.extend(values);
            }
            out.push(Json::Object(obj));
        }
        Ok(Json::Array(out))
    }

    fn by_fields(&self, model: ModelId, by: Option<&Json>) -> Result<Vec<FieldId>> {
        let name = self.model_name(model);
        match by {
            Some(Json::String(s)) => Ok(vec![self.scalar(model, s)?]),
            Some(Json::Array(items)) if !items.is_empty() => items
                .iter()
                .map(|i| {
                    i.as_str()
                        .ok_or_else(|| Error::invalid_input(Some(name), "`by` lists field names"))
                        .and_then(|s| self.scalar(model, s))
                })
                .collect(),
            _ => Err(Error::invalid_input(Some(name), "`groupBy` needs `by`")),
        }
    }
}

impl Groups<'_, '_> {
    fn invalid(&self, message: impl Into<String>) -> Error {
        Error::invalid_input(Some(self.client.model_name(self.model)), message)
    }

    /// The rows of each group, groups in the order they first appear.
    fn members(&self) -> Vec<Vec<usize>> {
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut members: Vec<Vec<usize>> = Vec::new();
        for row in 0..self.fetched.rows.len() {
            let key: Vec<_> = self
                .by
                .iter()
                .map(|f| self.fetched.value(row, *f))
                .collect();
            let key = format!("{key:?}");
            match index.get(&key) {
                Some(i) => members[*i].push(row),
                None => {
                    index.insert(key, members.len());
                    members.push(vec![row]);
                }
            }
        }
        members
    }

    fn in_by(&self, name: &str) -> bool {
        self.by
            .iter()
            .any(|f| self.client.schema().field(*f).name == name)
    }

    /// A group's value of a `by` field (`aggregate` = None) or of an
    /// aggregate of any scalar field.
    fn value(&self, rows: &[usize], aggregate: Option<&str>, field: &str) -> Result<Json> {
        match aggregate {
            Some(kind) => self
                .client
                .metric(self.model, kind, field, &self.fetched, rows),
            None => {
                let id = self.client.scalar(self.model, field)?;
                let f = self.client.schema().field(id);
                Ok(to_json(
                    self.client.schema(),
                    f,
                    self.fetched.value(rows[0], id),
                ))
            }
        }
    }

    /// Whether a group passes `having`: a `where` over the `by` fields whose
    /// field filters may also test aggregates (`views: {_avg: {gt: 1}}`).
    /// A field outside `by` may only be tested through aggregates.
    fn having(&self, rows: &[usize], filter: &Json) -> Result<bool> {
        let Json::Object(obj) = filter else {
            return Err(self.invalid(format!("`having` must be an object, got `{filter}`")));
        };
        for (key, value) in obj {
            let ok = match key.as_str() {
                "AND" => self
                    .each(value)?
                    .iter()
                    .try_fold(true, |acc, f| Ok::<_, Error>(acc && self.having(rows, f)?))?,
                "OR" => self
                    .each(value)?
                    .iter()
                    .try_fold(false, |acc, f| Ok::<_, Error>(acc || self.having(rows, f)?))?,
                "NOT" => !self
                    .each(value)?
                    .iter()
                    .try_fold(true, |acc, f| Ok::<_, Error>(acc && self.having(rows, f)?))?,
                field => self.field_having(rows, field, value)?,
            };
            if !ok {
                return Ok(false);
            }
        }
        Ok(true)
    }

    fn each<'j>(&self, value: &'j Json) -> Result<Vec<&'j Json>> {
        match value {
            Json::Array(items) => Ok(items.iter().collect()),
            Json::Object(_) => Ok(vec![value]),
            other => Err(self.invalid(format!("expected a filter, got `{other}`"))),
        }
    }

    fn field_having(&self, rows: &[usize], field: &str, filter: &Json) -> Result<bool> {
        let mut plain = Map::new();
        if let Json::Object(ops) = filter {
            for (op, operand) in ops {
                if AGGREGATES.contains(&op.as_str()) {
                    let metric = self.value(rows, Some(op), field)?;
                    if !matches(&metric, operand).map_err(|m| self.invalid(m))? {
                        return Ok(false);
                    }
                } else {
                    plain.insert(op.clone(), operand.clone());
                }
            }
            if plain.is_empty() {
                return Ok(true);
            }
        }
        if !self.in_by(field) {
            return Err(self.invalid(format!(
                "fields in `having` must be in `by` or aggregated: `{field}`"
            )));
        }
        let value = self.value(rows, None, field)?;
        let filter = if filter.is_object() {
            Json::Object(plain)
        } else {
            filter.clone()
        };
        matches(&value, &filter).map_err(|m| self.invalid(m))
    }

    /// `orderBy` of groups: `by` fields, or `{_count: {field: 'asc'}}`.
    fn order_keys(&self, order_by: Option<&Json>) -> Result<Vec<OrderKey>> {
        let items: Vec<&Json> = match order_by {
            None | Some(Json::Null) => return Ok(Vec::new()),
            Some(Json::Array(items)) => items.iter().collect(),
            Some(one) => vec![one],
        };
        let mut keys = Vec::new();
        for item in items {
            let Json::Object(obj) = item else {
                return Err(self.invalid(format!("invalid `orderBy` entry `{item}`")));
            };
            for (key, value) in obj {
                if AGGREGATES.contains(&key.as_str()) {
                    let Json::Object(fields) = value else {
                        return Err(self.invalid(format!("`orderBy` of `{key}` expects an object")));
                    };
                    for (field, direction) in fields {
                        keys.push(self.order_key(Some(key.clone()), field, direction)?);
                    }
                } else if self.in_by(key) {
                    keys.push(self.order_key(None, key, value)?);
                } else {
                    return Err(self.invalid(format!(
                        "fields in `orderBy` must be in `by` or aggregated: `{key}`"
                    )));
                }
            }
        }
        Ok(keys)
    }

    fn order_key(&self, aggregate: Option<String>, field: &str, dir: &Json) -> Result<OrderKey> {
        let (desc, nulls) = crate::read::direction(dir)
            .ok_or_else(|| self.invalid(format!("invalid sort order for `{field}`")))?;
        Ok(OrderKey {
            aggregate,
            field: field.to_string(),
            desc,
            // SQLite sorts NULL as the smallest value
            nulls_first: nulls.unwrap_or(!desc),
        })
    }
}

fn sort(order: &[OrderKey], a: &[Json], b: &[Json]) -> Ordering {
    for (k, (x, y)) in order.iter().zip(a.iter().zip(b)) {
        let o = match (x.is_null(), y.is_null()) {
            (true, true) => Ordering::Equal,
            (true, false) if k.nulls_first => Ordering::Less,
            (true, false) => Ordering::Greater,
            (false, true) if k.nulls_first => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => {
                let o = compare(x, y, false).unwrap_or(Ordering::Equal);
                if k.desc {
                    o.reverse()
                } else {
                    o
                }
            }
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}
