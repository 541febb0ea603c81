//! `delete` and `deleteMany` under the delete rule (P-120); `delete`
//! returns the row as it was readable before (P-121).

use super::relations::write_id;
use super::RowId;
use crate::args::arg;
use crate::args::filter::Filters;
use crate::args::only_keys;
use crate::engine::Client;
use crate::error::{Error, Result};
use serde_json::{json, Map, Value as Json};
use zgen_policy::sql::Sql;
use zgen_sema::{ModelId, Operation};

impl Client<'_> {
    pub(crate) fn delete(&self, model: ModelId, args: &Map<String, Json>) -> Result<Json> {
        let name = self.model_name(model);
        only_keys(name, args, &["where", "select", "include", "omit"])?;
        self.require_unique(model, arg(args, "where"))?;
        let mut result = self.result_args(model, args)?;
        result.filter = arg(args, "where");
        let before = self.find(model, &result, Filters::new(self), Vec::new())?;
        self.atomically(|| {
            let policy = self.policy(model, Operation::Delete)?;
            let id = self
                .target_ids(model, arg(args, "where"), policy, Some(1))?
                .pop()
                .ok_or_else(|| Error::not_found(name))?;
            self.delete_by_id(model, &id)
        })?;
        // deleted but not readable: the delete stays (P-121)
        before
            .into_iter()
            .next()
            .ok_or_else(|| Error::cannot_read_back(name))
    }

    pub(crate) fn delete_many(&self, model: ModelId, args: &Map<String, Json>) -> Result<Json> {
        let name = self.model_name(model);
        only_keys(name, args, &["where", "limit"])?;
        let limit = crate::args::count_arg(name, args, "limit")?.map(|n| n.max(0) as usize);
        self.reject_sub_model_limit(model, limit, "deleting")?;
        let count = self.atomically(|| {
            let policy = self.policy(model, Operation::Delete)?;
            let ids = self.target_ids(model, arg(args, "where"), policy, limit)?;
            for id in &ids {
                self.delete_by_id(model, id)?;
            }
            Ok(ids.len())
        })?;
        Ok(json!({ "count": count }))
    }

    /// `DELETE … WHERE <id>`; the caller chose `id` under the delete rule.
    pub(crate) fn delete_by_id(&self, model: ModelId, id: &RowId) -> Result<()> {
        // a delegate model's row is in its bases' and sub-models' tables too
        for (table, id) in self.delete_levels(model, id) {
            let mut sql = Sql::default();
            sql.push("DELETE FROM ");
            sql.ident(self.dialect(), self.schema().model(table).db_name());
            sql.push(" WHERE ");
            write_id(self, &id, &mut sql);
            self.execute(&sql)?;
        }
        Ok(())
    }
}
