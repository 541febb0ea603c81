//! The operations of ZenStack's ORM API, by name, over JSON arguments.

use crate::args::filter::Filters;
use crate::args::select::{find_args, many_keys, FindArgs, UNIQUE_KEYS};
use crate::args::{object, only_keys};
use crate::engine::Client;
use crate::error::{Error, Result};
use crate::plan::find_shape;
use serde_json::{json, Map, Value as Json};
use zgen_policy::ir::Pred;
use zgen_policy::sql::Sql;
use zgen_sema::ModelId;

impl Client<'_> {
    /// Runs `operation` (`findMany`, `create`, …) on `model` with arguments
    /// in ZenStack's JSON shape.
    pub fn run(&self, model: &str, operation: &str, args: &Json) -> Result<Json> {
        let id = self.model_id(model)?;
        let map = object(model, args)?;
        match operation {
            "findMany" => self.find_many(id, map),
            "findFirst" => self.find_first(id, map, false),
            "findFirstOrThrow" => self.find_first(id, map, true),
            "findUnique" => self.find_unique(id, map, false),
            "findUniqueOrThrow" => self.find_unique(id, map, true),
            "count" => self.count(id, map),
            "exists" => self.exists(id, map),
            "aggregate" => self.aggregate(id, map),
            "groupBy" => self.group_by(id, map),
            "create" => self.read_back(id, map, self.create(id, map)?),
            "createMany" => self.create_many(id, map, false),
            "createManyAndReturn" => self.create_many(id, map, true),
            "update" => self.read_back(id, map, self.update(id, map)?),
            "updateMany" => self.update_many(id, map, false),
            "updateManyAndReturn" => self.update_many(id, map, true),
            "upsert" => self.read_back(id, map, self.upsert(id, map)?),
            "delete" => self.delete(id, map),
            "deleteMany" => self.delete_many(id, map),
            other => Err(Error::invalid_input(
                Some(model),
                format!("unknown operation `{other}`"),
            )),
        }
    }

    fn find_many(&self, model: ModelId, args: &Map<String, Json>) -> Result<Json> {
        let find = find_args(self, model, args, many_keys())?;
        Ok(Json::Array(self.find_planned(
            model,
            find_shape(self, model, "findMany", args),
            &find,
        )?))
    }

    fn find_first(&self, model: ModelId, raw: &Map<String, Json>, or_throw: bool) -> Result<Json> {
        let args = first_args(self, model, raw)?;
        let operation = if or_throw {
            "findFirstOrThrow"
        } else {
            "findFirst"
        };
        let first = self
            .find_planned(model, find_shape(self, model, operation, raw), &args)?
            .into_iter()
            .next();
        self.one_or_null(model, first, or_throw)
    }

    fn find_unique(
        &self,
        model: ModelId,
        args: &Map<String, Json>,
        or_throw: bool,
    ) -> Result<Json> {
        let find = find_args(self, model, args, UNIQUE_KEYS)?;
        self.require_unique(model, find.filter)?;
        let first = self
            .find_planned(model, find_shape(self, model, "findUnique", args), &find)?
            .into_iter()
            .next();
        self.one_or_null(model, first, or_throw)
    }

    fn one_or_null(&self, model: ModelId, row: Option<Json>, or_throw: bool) -> Result<Json> {
        match row {
            Some(row) => Ok(row),
            None if or_throw => Err(Error::not_found(self.model_name(model))),
            None => Ok(Json::Null),
        }
    }

    /// `count`: readable rows only (P-100). With `select`, the number of
    /// non-null values per field and `_all`.
    fn count(&self, model: ModelId, args: &Map<String, Json>) -> Result<Json> {
        let name = self.model_name(model);
        only_keys(
            name,
            args,
            &["where", "select", "orderBy", "skip", "take", "distinct"],
        )?;
        let mut read_args = args.clone();
        let select = read_args.remove("select");
        let find = find_args(self, model, &read_args, many_keys())?;
        let fetched = self.fetch(model, &find, Filters::new(self), Vec::new(), true)?;
        let total = fetched.rows.len();
        match select {
            None | Some(Json::Bool(true)) => Ok(json!(total)),
            Some(Json::Object(fields)) => {
                let mut out = Map::new();
                for (key, on) in &fields {
                    if !matches!(on, Json::Bool(true)) {
                        continue;
                    }
                    let n = if key == "_all" {
                        total
                    } else {
                        let m = self.schema().model(model);
                        let Some((index, _)) = m.field_by_name(key) else {
                            return Err(Error::invalid_input(
                                Some(name),
                                format!("unknown field `{key}` in `select`"),
                            ));
                        };
                        let f = zgen_sema::FieldId { model, index };
                        (0..total)
                            .filter(|r| !fetched.value(*r, f).is_null())
                            .count()
                    };
                    out.insert(key.clone(), json!(n));
                }
                Ok(Json::Object(out))
            }
            Some(other) => Err(Error::invalid_input(
                Some(name),
                format!("invalid `select` `{other}`"),
            )),
        }
    }

    fn exists(&self, model: ModelId, args: &Map<String, Json>) -> Result<Json> {
        let name = self.model_name(model);
        only_keys(name, args, &["where"])?;
        let mut filters = Filters::new(self);
        let condition = Pred::And(vec![
            filters.readable(model, 0)?,
            filters.filter(model, 0, args.get("where"))?,
        ]);
        let mut sql = Sql::default();
        sql.push("SELECT EXISTS (SELECT 1 FROM ");
        self.source(model, &mut sql);
        sql.push(" AS \"t0\" WHERE ");
        self.writer("t0").pred(&condition, &mut sql);
        sql.push(")");
        let rows = self.query(&sql)?;
        Ok(Json::Bool(matches!(
            rows.first().and_then(|r| r.first()),
            Some(zgen_policy::ir::Value::Int(1))
        )))
    }
}

/// `findFirst`'s arguments: `findMany`'s, taking one row from the end
/// `take` counts from.
pub(crate) fn first_args<'j>(
    client: &Client<'_>,
    model: ModelId,
    raw: &'j Map<String, Json>,
) -> Result<FindArgs<'j>> {
    let mut args = find_args(client, model, raw, many_keys())?;
    args.take = Some(if args.take.is_some_and(|t| t < 0) {
        -1
    } else {
        1
    });
    Ok(args)
}
