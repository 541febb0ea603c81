//! Delegate models (`@@delegate`, `extends`; spec I-2..I-4, P-93): a
//! sub-model's row is spread over its table and every base's, sharing the
//! id. Reads see the joined row ([`zgen_policy::delegate::write_source`]);
//! `write` puts each column in the table that stores it, one level at a
//! time under that level's own rules; `read` merges the concrete sub-model's
//! fields into rows read through a base, as ZenStack v3 does.

mod read;
mod write;

use crate::engine::Client;
use crate::write::RowId;
use zgen_policy::delegate::at_level;
use zgen_policy::sql::Sql;
use zgen_sema::ModelId;

impl Client<'_> {
    /// Writes the rows of `model` for a FROM clause: its table, or its
    /// table joined with its bases'.
    pub(crate) fn source(&self, model: ModelId, sql: &mut Sql) {
        zgen_policy::delegate::write_source(self.schema(), self.dialect(), model, sql);
    }

    /// The id of a row of `model` as the id of its row in `level` (a base,
    /// a sub-model, or the model itself): the same values, the level's
    /// fields.
    pub(crate) fn id_at_level(&self, id: &RowId, level: ModelId) -> RowId {
        id.iter()
            .filter_map(|(f, v)| Some((at_level(self.schema(), *f, level)?, v.clone())))
            .collect()
    }
}
