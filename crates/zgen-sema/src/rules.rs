//! Policy rules out of bound `@@allow`/`@@deny`/`@allow`/`@deny` attributes.
//!
//! Operation lists are read leniently here (unknown items are skipped); the
//! policy checks report them (V-P1).

use crate::expr::Expr;
use crate::model::{AttributeApp, Operation, Operations, PolicyRule, RuleKind};

/// The rule an attribute application states, if it is a policy attribute.
pub(crate) fn rule_of(app: &AttributeApp) -> Option<PolicyRule> {
    let kind = match app.name.as_str() {
        "@@allow" | "@allow" => RuleKind::Allow,
        "@@deny" | "@deny" => RuleKind::Deny,
        _ => return None,
    };
    let operations_text = app.string_arg(0)?.to_string();
    let condition = app
        .arg(1)
        .map(|a| a.value.clone())
        .unwrap_or_else(|| Expr::error(app.span));
    Some(PolicyRule {
        kind,
        operations: parse_operations(&operations_text),
        operations_text,
        condition,
        span: app.span,
        inherited_from: app.inherited_from,
    })
}

/// Parses `'create,read'`; `all` is create, read, update and delete but not
/// post-update (P-10).
pub fn parse_operations(text: &str) -> Operations {
    let mut ops = Operations::default();
    for item in text.split(',').map(str::trim) {
        match item {
            "all" => {
                for op in [
                    Operation::Create,
                    Operation::Read,
                    Operation::Update,
                    Operation::Delete,
                ] {
                    ops.insert(op);
                }
            }
            "create" => ops.insert(Operation::Create),
            "read" => ops.insert(Operation::Read),
            "update" => ops.insert(Operation::Update),
            "post-update" => ops.insert(Operation::PostUpdate),
            "delete" => ops.insert(Operation::Delete),
            _ => {}
        }
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_excludes_post_update() {
        let ops = parse_operations("all");
        assert!(ops.create && ops.read && ops.update && ops.delete);
        assert!(!ops.post_update);
        let ops = parse_operations(" read , post-update");
        assert!(ops.read && ops.post_update && !ops.create);
    }
}
