//! Every model's compiled policies, computed once per schema.

use crate::compile::Compiler;
use crate::ir::Pred;
use serde::{Deserialize, Serialize};
use zgen_sema::{FieldId, ModelId, Operation, Schema};

/// The compiled policies of one model. `auth()` is still symbolic.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelPolicy {
    /// Model-level conditions, indexed like [`Operation::ALL`].
    operations: [Pred; 5],
    /// Field-level read conditions, for fields that have rules (P-162).
    pub field_read: Vec<(FieldId, Pred)>,
    /// Field-level update conditions, for fields that have rules (P-164).
    pub field_update: Vec<(FieldId, Pred)>,
}

impl ModelPolicy {
    pub fn get(&self, op: Operation) -> &Pred {
        let index = Operation::ALL.iter().position(|o| *o == op).unwrap_or(0);
        &self.operations[index]
    }

    /// Every condition: the operations', then the fields'.
    pub fn preds(&self) -> impl Iterator<Item = &Pred> {
        let fields = self.field_read.iter().chain(&self.field_update);
        self.operations.iter().chain(fields.map(|(_, p)| p))
    }
}

/// The compiled policies of every model of a schema.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PolicySet {
    models: Vec<Option<ModelPolicy>>,
}

impl PolicySet {
    pub fn compile(schema: &Schema) -> PolicySet {
        let models = schema
            .model_ids()
            .map(|id| {
                schema
                    .model(id)
                    .is_data_model()
                    .then(|| compile_model(schema, id))
            })
            .collect();
        PolicySet { models }
    }

    /// The policies of a model or view; `None` for `type`s.
    pub fn model(&self, id: ModelId) -> Option<&ModelPolicy> {
        self.models.get(id.index()).and_then(Option::as_ref)
    }
}

fn compile_model(schema: &Schema, model: ModelId) -> ModelPolicy {
    let operations = Operation::ALL.map(|op| Compiler::new(schema, model, op).model_policy());
    let mut field_read = Vec::new();
    let mut field_update = Vec::new();
    for (index, field) in schema.model(model).fields.iter().enumerate() {
        if field.rules.is_empty() {
            continue;
        }
        let id = FieldId {
            model,
            index: index as u32,
        };
        field_read.push((
            id,
            Compiler::new(schema, model, Operation::Read).field_policy(id),
        ));
        field_update.push((
            id,
            Compiler::new(schema, model, Operation::Update).field_policy(id),
        ));
    }
    ModelPolicy {
        operations,
        field_read,
        field_update,
    }
}
