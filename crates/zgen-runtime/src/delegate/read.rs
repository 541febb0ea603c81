//! Rows read through a delegate base carry the fields of their concrete
//! sub-model: ZenStack v3 joins every sub-model's table (under that
//! sub-model's read rule) and merges the fields of the one that has the
//! row, when the read selects all fields (no `select`).

use crate::args::filter::Filters;
use crate::args::select::{default_visible, FindArgs, Selection};
use crate::engine::Client;
use crate::error::Result;
use crate::read::{Fetched, BATCH};
use serde_json::{Map, Value as Json};
use std::collections::HashMap;
use zgen_policy::delegate::{at_level, descendants, is_delegate, is_inherited};
use zgen_policy::id_fields;
use zgen_policy::ir::{Pred, Value};
use zgen_sema::{FieldId, ModelId};

impl Client<'_> {
    /// Per fetched row of `model`, the fields its sub-model rows add (empty
    /// when the selection names its fields or the model has no sub-models).
    pub(crate) fn sub_model_fields(
        &self,
        model: ModelId,
        selection: &Selection<'_>,
        fetched: &Fetched,
    ) -> Result<Vec<Map<String, Json>>> {
        let schema = self.schema();
        // every read passes here: only a delegate base looks further
        if !selection.sub_models || fetched.rows.is_empty() || !is_delegate(schema, model) {
            return Ok(Vec::new());
        }
        let subs = descendants(schema, model);
        let ids = id_fields(schema, model);
        let key_of = |values: Vec<&Value>| format!("{values:?}");
        let rows: HashMap<String, usize> = (0..fetched.rows.len())
            .map(|r| {
                (
                    key_of(ids.iter().map(|f| fetched.value(r, *f)).collect()),
                    r,
                )
            })
            .collect();
        let keys: Vec<Vec<Value>> = (0..fetched.rows.len())
            .map(|r| ids.iter().map(|f| fetched.value(r, *f).clone()).collect())
            .collect();
        let mut out = vec![Map::new(); fetched.rows.len()];
        for sub in subs {
            let m = schema.model(sub);
            let own: Vec<FieldId> = (0..m.fields.len() as u32)
                .map(|index| FieldId { model: sub, index })
                .filter(|f| default_visible(schema.field(*f)) && !is_inherited(schema, *f))
                .collect();
            let sub_ids: Vec<FieldId> = ids
                .iter()
                .filter_map(|f| at_level(schema, *f, sub))
                .collect();
            if own.is_empty() || sub_ids.len() != ids.len() {
                continue;
            }
            let args = FindArgs {
                selection: Selection {
                    scalars: own,
                    ..Selection::default()
                },
                ..FindArgs::default()
            };
            for chunk in keys.chunks(BATCH) {
                let any = Pred::Or(
                    chunk
                        .iter()
                        .map(|k| {
                            self.id_condition(&sub_ids.iter().copied().zip(k.clone()).collect())
                        })
                        .collect(),
                );
                let found = self.fetch(sub, &args, Filters::new(self), vec![any], false)?;
                let positions: Vec<Option<usize>> = (0..found.rows.len())
                    .map(|r| {
                        let key = key_of(sub_ids.iter().map(|f| found.value(r, *f)).collect());
                        rows.get(&key).copied()
                    })
                    .collect();
                for (pos, obj) in
                    positions
                        .into_iter()
                        .zip(self.shape(sub, &args.selection, found)?)
                {
                    if let (Some(slot), Json::Object(fields)) =
                        (pos.and_then(|p| out.get_mut(p)), obj)
                    {
                        slot.extend(fields);
                    }
                }
            }
        }
        Ok(out)
    }
}
