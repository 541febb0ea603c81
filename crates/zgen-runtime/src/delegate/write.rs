//! Writes of delegate models: create inserts the root base's row first
//! (its discriminator naming the level below), then each level down to the
//! model, every level checked against its own create rule (P-93); update
//! sets each column in the table that stores it; delete removes the row
//! from every level's table.

use crate::engine::Client;
use crate::error::{Error, Result};
use crate::write::RowId;
use serde_json::Value as Json;
use zgen_policy::delegate::{
    at_level, chain, descendants, discriminator, discriminator_value, has_base, is_delegate,
    storing_level,
};
use zgen_policy::ir::{Pred, Value};
use zgen_sema::{FieldId, ModelId, Operation};

/// The part of an update one table takes: the table's model, the row's id
/// there, the column values.
pub(crate) type LevelUpdate = (ModelId, RowId, Vec<(FieldId, Value)>);

/// Sets `field` to `value` in `row`, replacing a value it had.
fn put(row: &mut Vec<(FieldId, Value)>, field: FieldId, value: Value) {
    match row.iter_mut().find(|(f, _)| *f == field) {
        Some(slot) => slot.1 = value,
        None => row.push((field, value)),
    }
}

impl Client<'_> {
    /// A delegate base is created only through its sub-models.
    pub(crate) fn reject_delegate_create(&self, model: ModelId) -> Result<()> {
        if is_delegate(self.schema(), model) {
            let name = self.model_name(model);
            return Err(Error::not_supported(
                Some(name),
                format!("model `{name}` is a delegate and cannot be created directly"),
            ));
        }
        Ok(())
    }

    /// Sets the discriminator of each delegate base of `model` to the name
    /// of the level below it (I-3), whatever the data said, as ZenStack
    /// does.
    pub(crate) fn set_discriminators(&self, model: ModelId, values: &mut Vec<(FieldId, Value)>) {
        let schema = self.schema();
        let levels = chain(schema, model);
        for pair in levels.windows(2) {
            let [below, base] = pair else { continue };
            if let Some(field) =
                discriminator(schema, *base).and_then(|f| at_level(schema, f, model))
            {
                put(
                    values,
                    field,
                    Value::Text(discriminator_value(schema, *below)),
                );
            }
        }
    }

    /// Checks the create rule and inserts the row `values` of `model`,
    /// level by level from the root base when it has one. `None` when
    /// `skip_duplicates` skipped it.
    pub(crate) fn insert_checked(
        &self,
        model: ModelId,
        values: &[(FieldId, Value)],
        skip_duplicates: bool,
    ) -> Result<Option<RowId>> {
        let schema = self.schema();
        if !has_base(schema, model) {
            self.check_create(model, values)?;
            return self.insert(model, values, skip_duplicates);
        }
        let levels = chain(schema, model);
        let mut all = values.to_vec();
        let mut id: RowId = Vec::new();
        for level in levels.into_iter().rev() {
            for (f, v) in &id {
                put(&mut all, *f, v.clone());
            }
            // the level's rule sees every field the level has; its table
            // takes those it stores
            let row: Vec<(FieldId, Value)> = all
                .iter()
                .filter_map(|(f, v)| Some((at_level(schema, *f, level)?, v.clone())))
                .collect();
            self.check_create(level, &row)?;
            let stored: Vec<(FieldId, Value)> = row
                .into_iter()
                .filter(|(f, _)| storing_level(schema, *f) == level)
                .collect();
            // only the root's insert may be skipped: a skipped lower level
            // would leave its bases' rows without it
            let skip = skip_duplicates && id.is_empty();
            let Some(new) = self.insert(level, &stored, skip)? else {
                return Ok(None);
            };
            id = self.id_at_level(&new, model);
        }
        Ok(Some(id))
    }

    /// `updateMany`/`deleteMany` (`what`) with a `limit` on a sub-model are
    /// refused, as ZenStack refuses them.
    pub(crate) fn reject_sub_model_limit(
        &self,
        model: ModelId,
        limit: Option<usize>,
        what: &str,
    ) -> Result<()> {
        if limit.is_some() && has_base(self.schema(), model) {
            return Err(Error::not_supported(
                Some(self.model_name(model)),
                format!("{what} with a limit is not supported for polymorphic models"),
            ));
        }
        Ok(())
    }

    /// Whether `key` names a discriminator of `model` or of one of its
    /// bases: the engine sets those, so ZenStack's input schema has no such
    /// field.
    pub(crate) fn is_discriminator(&self, model: ModelId, key: &str) -> bool {
        let schema = self.schema();
        chain(schema, model)
            .into_iter()
            .filter_map(|level| discriminator(schema, level))
            .any(|f| schema.field(f).name == key)
    }

    /// The rule a write's target rows of `model` are chosen under for
    /// `op`. A delegate sub-model's row is found under its read rule when
    /// updated: each table the update touches then checks its own level's
    /// update rule ([`Self::assignments_by_level`]), as ZenStack updates
    /// level by level.
    pub(crate) fn target_rule(&self, model: ModelId, op: Operation) -> Result<Pred> {
        if op == Operation::Update && has_base(self.schema(), model) {
            return self.policy(model, Operation::Read);
        }
        self.policy(model, op)
    }

    /// The levels of `model` whose tables hold the scalar fields `data`
    /// sets, root base first.
    fn touched_levels(&self, model: ModelId, data: &Json) -> Vec<ModelId> {
        let schema = self.schema();
        let m = schema.model(model);
        let fields: Vec<FieldId> = data
            .as_object()
            .into_iter()
            .flat_map(|o| o.keys())
            .filter_map(|k| m.field_by_name(k))
            .filter(|(_, f)| !f.is_relation())
            .map(|(index, _)| FieldId { model, index })
            .collect();
        chain(schema, model)
            .into_iter()
            .rev()
            .filter(|level| fields.iter().any(|f| storing_level(schema, *f) == *level))
            .collect()
    }

    /// Whether the update rule of `level` allows updating its part of the
    /// row `id` (of `model`).
    fn level_allows_update(&self, level: ModelId, id: &RowId) -> Result<bool> {
        let rule = self.policy(level, Operation::Update)?;
        self.holds(level, &self.id_at_level(id, level), &rule)
    }

    /// Whether every table `data` would change allows the update of the
    /// row `id` of a delegate sub-model (`updateMany` skips rows that fail).
    pub(crate) fn levels_allow_update(
        &self,
        model: ModelId,
        id: &RowId,
        data: &Json,
    ) -> Result<bool> {
        if !has_base(self.schema(), model) {
            return Ok(true);
        }
        for level in self.touched_levels(model, data) {
            if !self.level_allows_update(level, id)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// `assignments` of the row `id` of `model` grouped by the table that
    /// stores them, root base first. Each level's update rule must hold for
    /// its part of the row, or the row is not found.
    pub(crate) fn assignments_by_level(
        &self,
        model: ModelId,
        id: &RowId,
        assignments: &[(FieldId, Value)],
    ) -> Result<Vec<LevelUpdate>> {
        let schema = self.schema();
        if !has_base(schema, model) {
            return Ok(vec![(model, id.clone(), assignments.to_vec())]);
        }
        let mut out = Vec::new();
        for level in chain(schema, model).into_iter().rev() {
            let part: Vec<(FieldId, Value)> = assignments
                .iter()
                .filter(|(f, _)| storing_level(schema, *f) == level)
                .filter_map(|(f, v)| Some((at_level(schema, *f, level)?, v.clone())))
                .collect();
            if part.is_empty() {
                continue;
            }
            if !self.level_allows_update(level, id)? {
                return Err(Error::not_found(self.model_name(model)));
            }
            out.push((level, self.id_at_level(id, level), part));
        }
        Ok(out)
    }

    /// The tables a row of `model` lives in, each with the row's id there:
    /// its sub-models' (deepest first, a row may have none there), its own,
    /// then its bases' up to the root, the order a delete takes.
    pub(crate) fn delete_levels(&self, model: ModelId, id: &RowId) -> Vec<(ModelId, RowId)> {
        let schema = self.schema();
        if !has_base(schema, model) && !is_delegate(schema, model) {
            return vec![(model, id.clone())];
        }
        let mut below = descendants(schema, model);
        below.sort_by_key(|m| std::cmp::Reverse(chain(schema, *m).len()));
        below
            .into_iter()
            .chain(chain(schema, model))
            .map(|level| (level, self.id_at_level(id, level)))
            .collect()
    }
}
