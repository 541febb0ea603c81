//! What one step produced, on either side: data, or an error's reason and
//! sub-reason.

use serde_json::Value as Json;
use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Ok(Json),
    Err {
        reason: String,
        sub: Option<String>,
        model: Option<String>,
        message: String,
    },
}

impl Outcome {
    /// `ok`, `not-found`, `rejected-by-policy/no-access`, …
    pub fn kind(&self) -> String {
        match self {
            Outcome::Ok(_) => "ok".into(),
            Outcome::Err {
                reason,
                sub: Some(sub),
                ..
            } => format!("{reason}/{sub}"),
            Outcome::Err { reason, .. } => reason.clone(),
        }
    }

    /// One step of `run.mjs`'s output: `{"ok": data}` or `{"error": {...}}`.
    pub fn from_zenstack(value: &Json) -> Result<Outcome, String> {
        if let Some(data) = value.get("ok") {
            return Ok(Outcome::Ok(data.clone()));
        }
        let error = value
            .get("error")
            .ok_or_else(|| format!("not an outcome: {value}"))?;
        let text = |key: &str| error.get(key).and_then(Json::as_str).map(str::to_string);
        Ok(Outcome::Err {
            reason: text("reason").unwrap_or_default(),
            sub: text("sub"),
            model: text("model"),
            message: text("message").unwrap_or_default(),
        })
    }

    /// The engine's result.
    pub fn from_engine(result: Result<Json, zgen_runtime::Error>) -> Outcome {
        match result {
            Ok(data) => Outcome::Ok(data),
            Err(e) => Outcome::Err {
                reason: e.reason.as_str().to_string(),
                sub: e.policy_reason().map(|s| s.as_str().to_string()),
                model: e.model.clone(),
                message: e.message.clone(),
            },
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Ok(data) => {
                let text = data.to_string();
                if text.len() > 600 {
                    let cut = (0..=600)
                        .rev()
                        .find(|i| text.is_char_boundary(*i))
                        .unwrap_or(0);
                    write!(f, "ok {}…", &text[..cut])
                } else {
                    write!(f, "ok {text}")
                }
            }
            Outcome::Err { message, model, .. } => {
                write!(f, "{}", self.kind())?;
                if let Some(model) = model {
                    write!(f, " ({model})")?;
                }
                let first = message.lines().next().unwrap_or("");
                write!(f, ": {first}")
            }
        }
    }
}
