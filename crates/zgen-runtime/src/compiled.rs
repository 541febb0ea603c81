//! The compiled form of an engine: its checked schema and policies as
//! compact bytes. Generated code embeds these bytes, so a program starts
//! with its rules already compiled and never parses or checks a schema.

use crate::engine::Engine;
use serde::{Deserialize, Serialize};
use zgen_policy::PolicySet;
use zgen_sema::Schema;

/// Bumped whenever the layout of the schema or policy types changes, so
/// stale generated code fails loudly instead of decoding garbage.
const FORMAT: u32 = 1;

#[derive(Serialize)]
struct Encode<'a> {
    format: u32,
    schema: &'a Schema,
    policies: &'a PolicySet,
}

#[derive(Deserialize)]
struct Decode {
    format: u32,
    schema: Schema,
    policies: PolicySet,
}

impl Engine {
    /// The engine as bytes for [`Engine::from_compiled`].
    pub fn to_compiled(&self) -> Vec<u8> {
        let encode = Encode {
            format: FORMAT,
            schema: &self.schema,
            policies: &self.policies,
        };
        // Encoding plain data into a vector cannot fail.
        postcard::to_stdvec(&encode).unwrap_or_default()
    }

    /// The engine that [`Engine::to_compiled`] encoded, as it was: nothing
    /// is compiled again.
    pub fn from_compiled(bytes: &[u8]) -> Result<Engine, String> {
        let decoded: Decode = postcard::from_bytes(bytes)
            .map_err(|e| format!("compiled schema cannot be decoded: {e}"))?;
        if decoded.format != FORMAT {
            return Err(format!(
                "compiled schema has format {}, this zgen reads format {FORMAT}: generate the code again",
                decoded.format
            ));
        }
        Ok(Engine::assemble(decoded.schema, decoded.policies))
    }

    /// The compiled policies.
    pub fn policies(&self) -> &PolicySet {
        &self.policies
    }
}
