//! Validation attributes applied to write data before the database is touched
//! (P-183): the string transforms (`@trim`, `@lower`, `@upper`), the field
//! checks (`@length`, `@email`, `@gt`, …) and the model's `@@validate` rules.
//!
//! ZenStack builds these from Zod; the checks below reproduce Zod's
//! formats (email, URL, ISO date-time/date/time, E.164 phone). Where the two
//! differ on purpose it is said at the item.

use crate::error::{Error, Result};
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use regex::Regex;
use serde_json::{Map, Value};
use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use zgen_sema::expr::{BinaryOp, Expr, ExprKind, Literal, TyKind};
use zgen_sema::{AttributeApp, Field, FieldTypeKind, ModelId, Scalar, Schema};

/// Which write the data belongs to; decides what a missing field means to
/// `@@validate`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum WriteKind {
    Create,
    Update,
}

/// Applies `@trim`, `@lower`, `@upper` to the string fields present, then checks the validation
/// attributes of the present fields (`@email`, `@url`, `@datetime`, `@length(min, max)`, `@regex`,
/// `@startsWith`, `@endsWith`, `@contains`, `@gt`, `@gte`, `@lt`, `@lte`, with their optional
/// `message:` argument, plus `@date`, `@time`, `@phone`) and the model's
/// `@@validate(condition, message?, path?)` rules.
///
/// - Transforms run first, so checks and rules see the transformed value.
/// - A null value, or an update operation whose result depends on the
///   stored row (`{increment: 1}`, `{push: x}`), skips the field's checks;
///   `{set: v}` is checked as `v`.
/// - `@@validate` is three-valued: a rule fails only when it is definitely
///   false. On create a missing field is null; on update it is unknown (the
///   stored value is not read), so a rule is decided by the fields the update
///   writes whenever they suffice, as ZenStack does when `str == null ||
///   check(str)`-style rules meet a partial update.
///
/// Every violation is reported, in field order (attribute order within a
/// field), then rule order, as "`path`: message" joined by "; ". A rule the
/// engine cannot evaluate, or a regex the `regex` crate cannot compile, is
/// `not-supported`.
pub(crate) fn validate(
    schema: &Schema,
    model: ModelId,
    data: &mut Map<String, Value>,
    kind: WriteKind,
) -> Result<()> {
    let m = schema.model(model);
    let unsupported = |msg: String| Error::not_supported(Some(&m.name), msg);

    // Walks the data rather than the fields: a lookup in the data map costs
    // a SipHash, a field lookup a few comparisons.
    for (key, v) in data.iter_mut() {
        if let Some((_, field)) = m.field_by_name(key) {
            transform(field, v);
        }
    }

    // violations are reported in field order
    let mut written: Vec<(u32, &Field, &Value)> = data
        .iter()
        .filter_map(|(key, v)| m.field_by_name(key).map(|(i, f)| (i, f, v)))
        .collect();
    written.sort_by_key(|(i, _, _)| *i);
    let mut violations = Vec::new();
    for (_, field, v) in written {
        check_field(field, v, &mut violations).map_err(unsupported)?;
        if matches!(field.ty.kind, FieldTypeKind::TypeDef(_)) {
            crate::typed_json::check(schema, field, v, &mut violations);
        }
    }

    let eval = Eval {
        schema,
        data,
        kind,
        now: Utc::now(),
    };
    for attr in m.attributes_named("@@validate") {
        let Some(cond) = attr.arg(0) else { continue };
        let passed = match eval.eval(&cond.value).map_err(unsupported)? {
            V::Bool(b) => b,
            V::Null | V::Unknown => true,
            _ => {
                return Err(unsupported(
                    "`@@validate` condition is not a Boolean".into(),
                ))
            }
        };
        if !passed {
            let message = attr
                .arg(1)
                .and_then(|a| a.value.as_string())
                .unwrap_or("`@@validate` condition is not satisfied");
            match rule_path(attr) {
                Some(path) => violations.push(format!("`{path}`: {message}")),
                None => violations.push(message.to_string()),
            }
        }
    }

    if violations.is_empty() {
        Ok(())
    } else {
        Err(Error::invalid_input(Some(&m.name), violations.join("; ")))
    }
}

/// Whether `field` has a bound check (`@gt`, `@gte`, `@lt`, `@lte`) that a
/// computed number must pass.
pub(crate) fn has_number_checks(field: &Field) -> bool {
    field
        .attributes
        .iter()
        .any(|a| matches!(a.name.as_str(), "@gt" | "@gte" | "@lt" | "@lte"))
}

/// `@@validate`'s `path: ["a", "b"]` as `a.b`.
fn rule_path(attr: &AttributeApp) -> Option<String> {
    let ExprKind::Array(items) = &attr.arg(2)?.value.kind else {
        return None;
    };
    let parts: Vec<&str> = items.iter().filter_map(Expr::as_string).collect();
    (!parts.is_empty()).then(|| parts.join("."))
}

// ---------------------------------------------------------------------------
// Field-level transforms and checks
// ---------------------------------------------------------------------------

/// Json and typed-JSON values are documents: an object there is the value,
/// never an update operation.
fn is_json(field: &Field) -> bool {
    matches!(
        field.ty.kind,
        FieldTypeKind::Scalar(Scalar::Json) | FieldTypeKind::TypeDef(_)
    )
}

fn scalar(field: &Field) -> Option<Scalar> {
    match field.ty.kind {
        FieldTypeKind::Scalar(s) => Some(s),
        _ => None,
    }
}

/// The value a write sets: itself, or `v` of `{set: v}`; `None` for an
/// operation on the stored value (`increment`, `push`, …).
fn written<'v>(field: &Field, v: &'v Value) -> Option<&'v Value> {
    match v {
        Value::Object(o) if !is_json(field) => o.get("set").filter(|_| o.len() == 1),
        _ => Some(v),
    }
}

fn written_mut<'v>(field: &Field, v: &'v mut Value) -> Option<&'v mut Value> {
    if is_json(field) || !v.is_object() {
        return Some(v);
    }
    v.as_object_mut()
        .filter(|o| o.len() == 1)
        .and_then(|o| o.get_mut("set"))
}

/// `@trim`, `@lower`, `@upper` in written order, on a String field's value
/// or each element of a `String[]`.
fn transform(field: &Field, v: &mut Value) {
    if scalar(field) != Some(Scalar::String) {
        return;
    }
    let Some(v) = written_mut(field, v) else {
        return;
    };
    for attr in &field.attributes {
        let f: fn(&str) -> String = match attr.name.as_str() {
            "@trim" => |s| s.trim().to_string(),
            "@lower" => str::to_lowercase,
            "@upper" => str::to_uppercase,
            _ => continue,
        };
        match v {
            Value::String(s) => *s = f(s),
            Value::Array(items) => {
                for item in items {
                    if let Value::String(s) = item {
                        *s = f(s);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Pushes a violation for each failing validation attribute of `field`.
/// Values of the wrong JSON type are left to the caller's type check.
fn check_field(field: &Field, v: &Value, out: &mut Vec<String>) -> Result<(), String> {
    let Some(v) = written(field, v) else {
        return Ok(());
    };
    if v.is_null() {
        return Ok(());
    }
    for attr in &field.attributes {
        let custom = attr.named_arg("message").and_then(|a| a.value.as_string());
        let mut report = |path: String, default: String| {
            out.push(format!(
                "`{path}`: {}",
                custom.map_or(default, str::to_string)
            ));
        };
        // `@length` on a list counts its elements; every other check applies
        // to the value, or to each element of a list.
        if attr.name == "@length" && field.ty.list {
            if let Value::Array(items) = v {
                if let Some(msg) = length_failure(attr, items.len(), "items") {
                    report(field.name.clone(), msg);
                }
            }
            continue;
        }
        match v {
            Value::Array(items) if field.ty.list => {
                for (i, item) in items.iter().enumerate() {
                    if let Some(msg) = value_failure(field, attr, item)? {
                        report(format!("{}[{i}]", field.name), msg);
                    }
                }
            }
            _ => {
                if let Some(msg) = value_failure(field, attr, v)? {
                    report(field.name.clone(), msg);
                }
            }
        }
    }
    Ok(())
}

/// The default message when `attr` rejects one (non-list) value.
fn value_failure(field: &Field, attr: &AttributeApp, v: &Value) -> Result<Option<String>, String> {
    match (scalar(field), v) {
        (Some(Scalar::String), Value::String(s)) => string_failure(attr, s),
        (Some(Scalar::Int | Scalar::BigInt | Scalar::Float | Scalar::Decimal), _) => {
            Ok(Num::from_json(v).and_then(|n| number_failure(attr, n)))
        }
        _ => Ok(None),
    }
}

fn string_failure(attr: &AttributeApp, s: &str) -> Result<Option<String>, String> {
    let text = || attr.string_arg(0).unwrap_or_default();
    let failed = |ok: bool, msg: String| (!ok).then_some(msg);
    Ok(match attr.name.as_str() {
        "@length" => length_failure(attr, js_length(s), "characters"),
        "@startsWith" => failed(
            s.starts_with(text()),
            format!("must start with `{}`", text()),
        ),
        "@endsWith" => failed(s.ends_with(text()), format!("must end with `{}`", text())),
        "@contains" => failed(s.contains(text()), format!("must contain `{}`", text())),
        "@regex" => {
            let Some(pattern) = attr.string_arg(0) else {
                return Ok(None);
            };
            failed(
                compile(pattern)?.is_match(s),
                format!("must match the pattern `{pattern}`"),
            )
        }
        "@email" => failed(is_email(s), "must be a valid email".into()),
        "@url" => failed(is_url(s), "must be a valid URL".into()),
        "@datetime" => failed(
            is_datetime(s),
            "must be an ISO 8601 date-time in UTC".into(),
        ),
        "@date" => failed(is_date(s), "must be an ISO 8601 date".into()),
        "@time" => {
            let precision = attr.arg(0).and_then(|a| number_literal(&a.value));
            failed(
                is_time_with(s, precision),
                "must be an ISO 8601 time".into(),
            )
        }
        "@phone" => failed(is_phone(s), "must be an E.164 phone number".into()),
        _ => None,
    })
}

/// `@length(min?, max?)` against a length, `unit` naming what is counted.
fn length_failure(attr: &AttributeApp, len: usize, unit: &str) -> Option<String> {
    let bound = |i: usize| {
        attr.arg(i)
            .and_then(|a| number_literal(&a.value))
            .map(|n| usize::try_from(n.max(0)).unwrap_or(usize::MAX))
    };
    if let Some(min) = bound(0).filter(|min| len < *min) {
        return Some(format!("must have at least {min} {unit}"));
    }
    if let Some(max) = bound(1).filter(|max| len > *max) {
        return Some(format!("must have at most {max} {unit}"));
    }
    None
}

fn number_failure(attr: &AttributeApp, n: Num) -> Option<String> {
    let ExprKind::Literal(Literal::Number(text)) = &attr.arg(0)?.value.kind else {
        return None;
    };
    let bound = Num::parse(text)?;
    let ord = n.order(bound)?;
    let (ok, what) = match attr.name.as_str() {
        "@gt" => (ord == Ordering::Greater, "greater than"),
        "@gte" => (ord != Ordering::Less, "greater than or equal to"),
        "@lt" => (ord == Ordering::Less, "less than"),
        "@lte" => (ord != Ordering::Greater, "less than or equal to"),
        _ => return None,
    };
    (!ok).then(|| format!("must be {what} {text}"))
}

/// An integer literal argument (`@length(2)`, `@time(-1)`).
fn number_literal(e: &Expr) -> Option<i64> {
    match &e.kind {
        ExprKind::Literal(Literal::Number(n)) => n.parse().ok(),
        _ => None,
    }
}

/// A string's length as JavaScript counts it (UTF-16 code units), which is
/// what Zod's `min`/`max` and ZModel's `length()` see.
fn js_length(s: &str) -> usize {
    s.encode_utf16().count()
}

// ---------------------------------------------------------------------------
// Formats (Zod's)
// ---------------------------------------------------------------------------

fn matches(re: &LazyLock<Option<Regex>>, s: &str) -> bool {
    re.as_ref().is_some_and(|r| r.is_match(s))
}

/// Zod's email pattern, with its two look-aheads (no leading dot, no `..`)
/// done by hand since the `regex` crate has none.
static EMAIL: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^[A-Za-z0-9_'+\-.]*[A-Za-z0-9_+-]@([A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z]{2,}$")
        .ok()
});

fn is_email(s: &str) -> bool {
    !s.starts_with('.') && !s.contains("..") && matches(&EMAIL, s)
}

/// Zod's `url()`: whatever the WHATWG URL parser accepts as an absolute
/// URL, any scheme, after trimming.
fn is_url(s: &str) -> bool {
    url::Url::parse(s.trim()).is_ok()
}

/// Zod's E.164 (`z.e164()`): `+` and 7 to 15 digits.
static PHONE: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"^\+[0-9]{6,14}[0-9]$").ok());

fn is_phone(s: &str) -> bool {
    matches(&PHONE, s)
}

static DATE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$").ok());

/// Zod's ISO date: `YYYY-MM-DD` naming a real day (leap years included).
fn is_date(s: &str) -> bool {
    let Some(caps) = DATE.as_ref().and_then(|r| r.captures(s)) else {
        return false;
    };
    let part = |i: usize| caps.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
    match (part(1), part(2), part(3)) {
        (Some(y), Some(m), Some(d)) => {
            i32::try_from(y).is_ok_and(|y| NaiveDate::from_ymd_opt(y, m, d).is_some())
        }
        _ => false,
    }
}

/// Zod's ISO time pattern for a precision: none → `HH:MM[:SS[.f+]]`,
/// -1 → `HH:MM`, 0 → `HH:MM:SS`, n → `HH:MM:SS.` and exactly n digits.
fn time_pattern(precision: Option<i64>) -> String {
    const HHMM: &str = "(?:[01][0-9]|2[0-3]):[0-5][0-9]";
    match precision {
        None => format!("{HHMM}(?::[0-5][0-9](?:\\.[0-9]+)?)?"),
        Some(-1) => HHMM.to_string(),
        Some(0) => format!("{HHMM}:[0-5][0-9]"),
        Some(n) => format!("{HHMM}:[0-5][0-9]\\.[0-9]{{{n}}}"),
    }
}

fn is_time(s: &str) -> bool {
    is_time_with(s, None)
}

fn is_time_with(s: &str, precision: Option<i64>) -> bool {
    compile(&format!("^{}$", time_pattern(precision))).is_ok_and(|r| r.is_match(s))
}

/// Zod's ISO date-time default: a date, `T`, a time, and `Z` (no offsets).
fn is_datetime(s: &str) -> bool {
    let Some((date, time)) = s.split_once('T') else {
        return false;
    };
    let Some(time) = time.strip_suffix('Z') else {
        return false;
    };
    is_date(date) && is_time(time)
}

/// A regex from the schema. ZModel patterns are JavaScript regexes; the
/// common subset means the same in the `regex` crate, and the rest is
/// reported instead of guessed.
///
/// Compiled patterns are kept for the process: they come from schemas
/// (V-F5 requires literals), never from client data, so the set is small.
fn compile(pattern: &str) -> Result<Regex, String> {
    static CACHE: LazyLock<Mutex<HashMap<String, Regex>>> = LazyLock::new(Mutex::default);
    if let Some(re) = CACHE.lock().ok().and_then(|c| c.get(pattern).cloned()) {
        return Ok(re);
    }
    let re =
        Regex::new(pattern).map_err(|e| format!("the regex `{pattern}` is not supported: {e}"))?;
    if let Ok(mut cache) = CACHE.lock() {
        cache.insert(pattern.to_string(), re.clone());
    }
    Ok(re)
}

// ---------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------

/// A number from JSON or a literal: integers exactly (BigInt included),
/// the rest as `f64`.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Num {
    Int(i128),
    Float(f64),
}

impl Num {
    fn parse(text: &str) -> Option<Num> {
        if let Ok(i) = text.parse::<i128>() {
            return Some(Num::Int(i));
        }
        text.trim()
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Num::Float)
    }

    /// A JSON number, or a numeric string (how clients send BigInt and
    /// Decimal values).
    fn from_json(v: &Value) -> Option<Num> {
        match v {
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Some(Num::Int(i128::from(i)))
                } else if let Some(u) = n.as_u64() {
                    Some(Num::Int(i128::from(u)))
                } else {
                    n.as_f64().map(Num::Float)
                }
            }
            Value::String(s) => Num::parse(s),
            _ => None,
        }
    }

    fn as_f64(self) -> f64 {
        match self {
            #[allow(clippy::cast_precision_loss)]
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }

    fn order(self, other: Num) -> Option<Ordering> {
        match (self, other) {
            (Num::Int(a), Num::Int(b)) => Some(a.cmp(&b)),
            (a, b) => a.as_f64().partial_cmp(&b.as_f64()),
        }
    }
}

// ---------------------------------------------------------------------------
// `@@validate` evaluation
// ---------------------------------------------------------------------------

/// A value during rule evaluation.
#[derive(Clone, Debug)]
enum V {
    /// Not decidable from the write: a field an update leaves as stored, or
    /// an operation (`increment`) on it. Behaves like SQL's unknown.
    Unknown,
    Null,
    Bool(bool),
    Num(Num),
    Str(String),
    Date(DateTime<Utc>),
    List(Vec<V>),
    /// A Json document, compared as a whole.
    Json(Value),
}

/// Three-valued truth: `None` is unknown.
type Tri = Option<bool>;

struct Eval<'a> {
    schema: &'a Schema,
    data: &'a Map<String, Value>,
    kind: WriteKind,
    now: DateTime<Utc>,
}

impl Eval<'_> {
    fn eval(&self, e: &Expr) -> Result<V, String> {
        Ok(match &e.kind {
            ExprKind::Literal(Literal::String(s)) => V::Str(s.clone()),
            ExprKind::Literal(Literal::Number(n)) => {
                V::Num(Num::parse(n).ok_or_else(|| format!("invalid number `{n}`"))?)
            }
            ExprKind::Literal(Literal::Bool(b)) => V::Bool(*b),
            ExprKind::Null => V::Null,
            ExprKind::EnumValue { enum_id, index } => V::Str(
                self.schema
                    .enum_(*enum_id)
                    .values
                    .get(*index as usize)
                    .map(|v| v.name.clone())
                    .ok_or("unknown enum value in `@@validate`")?,
            ),
            ExprKind::Array(items) => V::List(
                items
                    .iter()
                    .map(|i| self.eval(i))
                    .collect::<Result<_, _>>()?,
            ),
            ExprKind::Field(id) => self.field(self.schema.field(*id)),
            ExprKind::Member { receiver, field } => {
                let name = &self.schema.field(*field).name;
                match self.eval(receiver)? {
                    V::Json(Value::Object(o)) => o
                        .get(name)
                        .map_or(V::Null, |v| from_json(v, e.ty.kind, true)),
                    V::Null => V::Null,
                    V::Unknown => V::Unknown,
                    _ => return Err(format!("cannot read `{name}` in `@@validate`")),
                }
            }
            ExprKind::Not(inner) => match truth(&self.eval(inner)?)? {
                Some(b) => V::Bool(!b),
                None => V::Unknown,
            },
            ExprKind::Binary { op, lhs, rhs } => {
                let (l, r) = (self.eval(lhs)?, self.eval(rhs)?);
                self.binary(*op, &l, &r)?
            }
            ExprKind::Call { name, args, .. } => self.call(name, args)?,
            _ => return Err("this expression is not supported in `@@validate`".into()),
        })
    }

    /// A field's value in the write. Missing is null on create (the row
    /// will hold null or a default) and unknown on update.
    fn field(&self, field: &Field) -> V {
        let Some(v) = self.data.get(&field.name) else {
            return match self.kind {
                WriteKind::Create => V::Null,
                WriteKind::Update => V::Unknown,
            };
        };
        let kind = match field.ty.kind {
            FieldTypeKind::Scalar(s) => TyKind::Scalar(s),
            _ => TyKind::Any,
        };
        written(field, v).map_or(V::Unknown, |v| from_json(v, kind, is_json(field)))
    }

    fn binary(&self, op: BinaryOp, l: &V, r: &V) -> Result<V, String> {
        let tri = |t: Tri| t.map_or(V::Unknown, V::Bool);
        Ok(match op {
            BinaryOp::And => match (truth(l)?, truth(r)?) {
                (Some(false), _) | (_, Some(false)) => V::Bool(false),
                (Some(true), Some(true)) => V::Bool(true),
                _ => V::Unknown,
            },
            BinaryOp::Or => match (truth(l)?, truth(r)?) {
                (Some(true), _) | (_, Some(true)) => V::Bool(true),
                (Some(false), Some(false)) => V::Bool(false),
                _ => V::Unknown,
            },
            BinaryOp::Eq => tri(equal(l, r)),
            BinaryOp::Ne => tri(equal(l, r).map(|b| !b)),
            BinaryOp::Lt => tri(compare(l, r)?.map(|o| o == Ordering::Less)),
            BinaryOp::Le => tri(compare(l, r)?.map(|o| o != Ordering::Greater)),
            BinaryOp::Gt => tri(compare(l, r)?.map(|o| o == Ordering::Greater)),
            BinaryOp::Ge => tri(compare(l, r)?.map(|o| o != Ordering::Less)),
            BinaryOp::In => match (l, r) {
                (V::Unknown | V::Null, _) | (_, V::Unknown | V::Null) => V::Unknown,
                (x, V::List(items)) => tri(any_equal(x, items)),
                _ => return Err("the right side of `in` must be a list".into()),
            },
        })
    }

    fn call(&self, name: &str, args: &[Expr]) -> Result<V, String> {
        if name == "now" {
            return Ok(V::Date(self.now));
        }
        let arg = |i: usize| -> Result<V, String> {
            match args.get(i) {
                Some(a) => self.eval(a),
                None => Err(format!("`{name}()` is missing an argument")),
            }
        };
        let opt_arg = |i: usize| -> Result<Option<V>, String> {
            args.get(i).map(|a| self.eval(a)).transpose()
        };
        let subject = arg(0)?;
        if matches!(subject, V::Unknown | V::Null) {
            // Nothing to check: like a null field, the rule does not fail.
            return Ok(V::Unknown);
        }
        let string = || match &subject {
            V::Str(s) => Ok(s.as_str()),
            _ => Err(format!("`{name}()` expects a string")),
        };
        let list = || match &subject {
            V::List(items) => Ok(items.as_slice()),
            _ => Err(format!("`{name}()` expects a list")),
        };
        Ok(match name {
            "length" => {
                let len = match &subject {
                    V::Str(s) => js_length(s),
                    V::List(items) => items.len(),
                    _ => return Err("`length()` expects a string or a list".into()),
                };
                V::Num(Num::Int(i128::try_from(len).unwrap_or(i128::MAX)))
            }
            "regex" => {
                let V::Str(pattern) = arg(1)? else {
                    return Err("`regex()` expects a pattern string".into());
                };
                V::Bool(compile(&pattern)?.is_match(string()?))
            }
            "isEmail" | "email" => V::Bool(is_email(string()?)),
            "isUrl" | "url" => V::Bool(is_url(string()?)),
            "isDateTime" | "datetime" => V::Bool(is_datetime(string()?)),
            "isDate" => V::Bool(is_date(string()?)),
            "isPhone" => V::Bool(is_phone(string()?)),
            "isTime" => {
                let precision = match opt_arg(1)? {
                    Some(V::Num(Num::Int(n))) => i64::try_from(n).ok(),
                    _ => None,
                };
                V::Bool(is_time_with(string()?, precision))
            }
            "contains" | "startsWith" | "endsWith" => {
                let V::Str(search) = arg(1)? else {
                    return Err(format!("`{name}()` expects a search string"));
                };
                let insensitive = matches!(opt_arg(2)?, Some(V::Bool(true)));
                let (s, search) = if insensitive {
                    (string()?.to_lowercase(), search.to_lowercase())
                } else {
                    (string()?.to_string(), search)
                };
                V::Bool(match name {
                    "contains" => s.contains(&search),
                    "startsWith" => s.starts_with(&search),
                    _ => s.ends_with(&search),
                })
            }
            "has" => {
                let x = arg(1)?;
                tri_v(any_equal(&x, list()?))
            }
            "hasEvery" | "hasSome" => {
                let V::List(wanted) = arg(1)? else {
                    return Err(format!("`{name}()` expects a list to search for"));
                };
                let items = list()?;
                let found: Vec<Tri> = wanted.iter().map(|w| any_equal(w, items)).collect();
                tri_v(if name == "hasEvery" {
                    all(&found)
                } else {
                    any(&found)
                })
            }
            "isEmpty" => V::Bool(list()?.is_empty()),
            _ => return Err(format!("`{name}()` is not supported in `@@validate`")),
        })
    }
}

fn tri_v(t: Tri) -> V {
    t.map_or(V::Unknown, V::Bool)
}

fn any(ts: &[Tri]) -> Tri {
    if ts.contains(&Some(true)) {
        Some(true)
    } else if ts.contains(&None) {
        None
    } else {
        Some(false)
    }
}

fn all(ts: &[Tri]) -> Tri {
    if ts.contains(&Some(false)) {
        Some(false)
    } else if ts.contains(&None) {
        None
    } else {
        Some(true)
    }
}

/// A condition's truth: null and unknown are unknown.
fn truth(v: &V) -> Result<Tri, String> {
    match v {
        V::Bool(b) => Ok(Some(*b)),
        V::Null | V::Unknown => Ok(None),
        _ => Err("`&&`, `||` and `!` need Boolean operands".into()),
    }
}

/// A client JSON value; strings of DateTime-typed expressions become
/// instants so that they compare as times, not text.
fn from_json(v: &Value, kind: TyKind, json: bool) -> V {
    match v {
        Value::Null => V::Null,
        _ if json => V::Json(v.clone()),
        Value::Bool(b) => V::Bool(*b),
        Value::Number(_) => Num::from_json(v).map_or(V::Json(v.clone()), V::Num),
        Value::String(s) if kind == TyKind::Scalar(Scalar::DateTime) => {
            parse_instant(s).map_or_else(|| V::Str(s.clone()), V::Date)
        }
        Value::String(s) => V::Str(s.clone()),
        Value::Array(items) => V::List(items.iter().map(|i| from_json(i, kind, false)).collect()),
        Value::Object(_) => V::Json(v.clone()),
    }
}

/// An ISO 8601 date-time (any offset; none means UTC) or date.
fn parse_instant(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, format) {
            return Some(Utc.from_utc_datetime(&t));
        }
    }
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    Some(Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0)?))
}

/// `==`: null equals only null (ZModel's `x == null` is an "is null" test);
/// unknown makes the answer unknown.
fn equal(l: &V, r: &V) -> Tri {
    match (l, r) {
        (V::Unknown, _) | (_, V::Unknown) => None,
        (V::Null, V::Null) => Some(true),
        (V::Null, _) | (_, V::Null) => Some(false),
        (V::Num(a), V::Num(b)) => Some(a.order(*b) == Some(Ordering::Equal)),
        (V::Str(a), V::Str(b)) => Some(a == b),
        (V::Bool(a), V::Bool(b)) => Some(a == b),
        (V::Date(a), V::Date(b)) => Some(a == b),
        (V::Date(d), V::Str(s)) | (V::Str(s), V::Date(d)) => Some(parse_instant(s) == Some(*d)),
        (V::List(a), V::List(b)) => {
            if a.len() != b.len() {
                return Some(false);
            }
            let each: Vec<Tri> = a.iter().zip(b).map(|(x, y)| equal(x, y)).collect();
            all(&each)
        }
        (V::Json(a), V::Json(b)) => Some(a == b),
        _ => Some(false),
    }
}

fn any_equal(x: &V, items: &[V]) -> Tri {
    let each: Vec<Tri> = items.iter().map(|i| equal(x, i)).collect();
    any(&each)
}

/// `<` and friends: unknown when either side is null or unknown.
fn compare(l: &V, r: &V) -> Result<Option<Ordering>, String> {
    Ok(match (l, r) {
        (V::Unknown | V::Null, _) | (_, V::Unknown | V::Null) => None,
        (V::Num(a), V::Num(b)) => a.order(*b),
        (V::Str(a), V::Str(b)) => Some(a.cmp(b)),
        (V::Date(a), V::Date(b)) => Some(a.cmp(b)),
        (V::Date(d), V::Str(s)) => parse_instant(s).map(|t| d.cmp(&t)),
        (V::Str(s), V::Date(d)) => parse_instant(s).map(|t| t.cmp(d)),
        _ => return Err("these values cannot be ordered".into()),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::error::Reason;
    use serde_json::json;

    fn analyze(src: &str) -> Schema {
        // Lists need PostgreSQL; the checks themselves are dialect-free.
        zgen_testkit::checked(&format!(
            "datasource db {{\n provider = \"postgresql\"\n url = \"x\"\n}}\n{src}"
        ))
    }

    /// Runs validation; `Ok(data after transforms)` or `Err(message)`.
    fn run(schema: &Schema, data: Value, kind: WriteKind) -> Result<Value, String> {
        let model = schema.model_by_name("Foo").unwrap();
        let mut data = data.as_object().unwrap().clone();
        match validate(schema, model, &mut data, kind) {
            Ok(()) => Ok(Value::Object(data)),
            Err(e) => {
                assert_eq!(e.reason, Reason::InvalidInput, "{e}");
                assert_eq!(e.model.as_deref(), Some("Foo"));
                Err(e.message)
            }
        }
    }

    fn ok(schema: &Schema, data: Value) {
        for kind in [WriteKind::Create, WriteKind::Update] {
            if let Err(e) = run(schema, data.clone(), kind) {
                panic!("{data} ({kind:?}) rejected: {e}");
            }
        }
    }

    fn rejected(schema: &Schema, data: Value) -> String {
        let create = run(schema, data.clone(), WriteKind::Create);
        let update = run(schema, data.clone(), WriteKind::Update);
        match (create, update) {
            (Err(a), Err(b)) => {
                assert_eq!(a, b);
                a
            }
            other => panic!("{data} not rejected on both: {other:?}"),
        }
    }

    // The field-level cases of ZenStack's `toplevel.test.ts`.
    const STRINGS: &str = r#"
        model Foo {
            id    Int     @id @default(autoincrement())
            str1  String? @length(2, 4) @startsWith('a') @endsWith('b') @contains('m') @regex('b{2}')
            str2  String? @email
            str3  String? @datetime
            str4  String? @url
            str5  String? @trim @lower
            str6  String? @upper
            str7  String? @phone
            str8  String? @date
            str9  String? @time
            str10 String? @time(-1)
        }
    "#;

    #[test]
    fn string_attributes_follow_zenstack() {
        let s = analyze(STRINGS);
        for bad in ["a", "abcde", "bcd", "abc", "abz", "amcb"] {
            rejected(&s, json!({ "str1": bad }));
        }
        ok(&s, json!({"str1": "ambb"}));
        rejected(&s, json!({"str2": "not-an-email"}));
        ok(&s, json!({"str2": "test@example.com"}));
        rejected(&s, json!({"str3": "not-datetime"}));
        ok(&s, json!({"str3": "2024-05-06T07:08:09.123Z"}));
        rejected(&s, json!({"str4": "not-a-url"}));
        ok(&s, json!({"str4": "https://example.com"}));
        rejected(&s, json!({"str7": "not-a-phone"}));
        ok(&s, json!({"str7": "+15555555555"}));
        rejected(&s, json!({"str8": "not-a-date"}));
        ok(&s, json!({"str8": "2000-01-01"}));
        rejected(&s, json!({"str9": "not-a-time"}));
        ok(&s, json!({"str9": "03:15:00"}));
        rejected(&s, json!({"str10": "03:15:00"}));
        ok(&s, json!({"str10": "03:15"}));
        // Null and missing values skip the checks.
        ok(&s, json!({"str1": null, "str2": null}));
        ok(&s, json!({}));
    }

    #[test]
    fn transforms_apply_before_checks() {
        let s = analyze(STRINGS);
        let out = run(
            &s,
            json!({"str5": "  AbC  ", "str6": "aBc"}),
            WriteKind::Create,
        )
        .unwrap();
        assert_eq!(out["str5"], json!("abc"));
        assert_eq!(out["str6"], json!("ABC"));
        let s = analyze(
            r#"model Foo {
                id Int @id
                code String @trim @length(max: 3)
            }"#,
        );
        let out = run(&s, json!({"code": "  abc  "}), WriteKind::Update).unwrap();
        assert_eq!(out["code"], json!("abc"));
    }

    #[test]
    fn messages_name_the_field_and_use_custom_text() {
        let s = analyze(
            r#"model Foo {
                id    Int    @id
                email String @email('bad email')
                name  String @length(3)
                age   Int    @gt(0) @lte(150, 'too old')
            }"#,
        );
        let msg = rejected(&s, json!({"email": "x", "name": "ab", "age": 0}));
        assert_eq!(
            msg,
            "`email`: bad email; `name`: must have at least 3 characters; `age`: must be greater than 0"
        );
        let msg = rejected(&s, json!({"age": 151}));
        assert_eq!(msg, "`age`: too old");
    }

    #[test]
    fn number_attributes_follow_zenstack() {
        let s = analyze(
            r#"model Foo {
                id   Int      @id @default(autoincrement())
                int1 Int?     @gt(2) @lt(4)
                int2 Int?     @gte(2) @lte(4)
                big  BigInt?  @gt(9007199254740992)
                dec  Decimal? @gte(2) @lte(4)
                f    Float?   @gt(-1.5)
            }"#,
        );
        rejected(&s, json!({"int1": 1}));
        rejected(&s, json!({"int1": 4}));
        rejected(&s, json!({"int2": 1}));
        rejected(&s, json!({"int2": 5}));
        ok(&s, json!({"int1": 3, "int2": 4}));
        ok(&s, json!({"int2": 2}));
        // BigInt strings compare exactly, beyond f64's integers.
        rejected(&s, json!({"big": "9007199254740992"}));
        ok(&s, json!({"big": "9007199254740993"}));
        rejected(&s, json!({"dec": "1.1"}));
        rejected(&s, json!({"dec": "5.12345678"}));
        ok(&s, json!({"dec": "3.3"}));
        rejected(&s, json!({"f": -1.5}));
        ok(&s, json!({"f": -1.25}));
        // Operations on the stored value are not checked; `set` is.
        ok(&s, json!({"int1": {"increment": 10}}));
        rejected(&s, json!({"int1": {"set": 10}}));
    }

    #[test]
    fn list_length_counts_elements() {
        let s = analyze(
            r#"model Foo {
                id    Int      @id
                list1 Int[]    @length(2, 4)
                tags  String[] @email @lower
            }"#,
        );
        rejected(&s, json!({"list1": [1]}));
        rejected(&s, json!({"list1": [1, 2, 3, 4, 5]}));
        ok(&s, json!({"list1": [1, 2, 3]}));
        ok(&s, json!({"list1": {"push": 4}}));
        let msg = rejected(&s, json!({"tags": ["a@b.co", "nope"]}));
        assert_eq!(msg, "`tags[1]`: must be a valid email");
        let out = run(&s, json!({"tags": ["A@B.CO"]}), WriteKind::Create).unwrap();
        assert_eq!(out["tags"], json!(["a@b.co"]));
    }

    #[test]
    fn string_length_counts_utf16_units() {
        let s = analyze(
            r#"model Foo {
                id   Int    @id
                name String @length(max: 2)
            }"#,
        );
        ok(&s, json!({"name": "éé"}));
        rejected(&s, json!({"name": "😀😀"}));
    }

    #[test]
    fn unsupported_regex_is_not_supported() {
        let s = analyze(
            r#"model Foo {
                id   Int    @id
                pass String @regex('^(?=.*[A-Z]).{8,}$')
            }"#,
        );
        let model = s.model_by_name("Foo").unwrap();
        let mut data = json!({"pass": "Abcdefgh"}).as_object().unwrap().clone();
        let err = validate(&s, model, &mut data, WriteKind::Create).unwrap_err();
        assert_eq!(err.reason, Reason::NotSupported);
    }

    // ZenStack's `custom-validation.test.ts`, with the same data for create
    // and update.
    const CUSTOM: &str = r#"
        model Foo {
            id Int @id @default(autoincrement())
            str1 String?
            str2 String?
            str3 String?
            str4 String?
            str5 String?
            str6 String?
            int1 Int?
            list1 Int[]
            list2 Int[]
            list3 Int[]

            @@validate(
                (str1 == null || (length(str1) >= 8 && length(str1) <= 10))
                && (int1 == null || (int1 > 1 && int1 < 4)),
                'invalid fields')

            @@validate(str1 == null || (startsWith(str1, 'a') && endsWith(str1, 'm') && contains(str1, 'b')), 'invalid fields')

            @@validate(str2 == null || regex(str2, '^x.*z$'), 'invalid str2')

            @@validate(str3 == null || isEmail(str3), 'invalid str3')

            @@validate(str4 == null || isUrl(str4), 'invalid str4')

            @@validate(str5 == null || isDateTime(str5), 'invalid str5')

            @@validate(str6 == null || isPhone(str6), 'invalid str6')

            @@validate(list1 == null || (has(list1, 1) && hasSome(list1, [2, 3]) && hasEvery(list1, [4, 5])), 'invalid list1')

            @@validate(list2 == null || isEmpty(list2), 'invalid list2', ['x', 'y'])

            @@validate(list3 == null || length(list3) < 2, 'invalid list3')
        }
    "#;

    #[test]
    fn validate_rules_follow_zenstack() {
        let s = analyze(CUSTOM);
        let cases = [
            (json!({"str1": "abd@efg.com"}), "invalid fields"),
            (json!({"str1": "a@b.c"}), "invalid fields; invalid fields"),
            (json!({"int1": 1}), "invalid fields"),
            (json!({"str1": "b@cd.com"}), "invalid fields"),
            (json!({"str1": "a@b.gov"}), "invalid fields"),
            (json!({"str1": "a@cd.com"}), "invalid fields"),
            (json!({"str2": "xab"}), "invalid str2"),
            (json!({"str3": "not-an-email"}), "invalid str3"),
            (json!({"str4": "not-an-url"}), "invalid str4"),
            (json!({"str5": "not-an-datetime"}), "invalid str5"),
            (json!({"str6": "not-a-phone"}), "invalid str6"),
            (json!({"list1": [2, 3, 4, 5]}), "invalid list1"),
            (json!({"list1": [1, 4, 5]}), "invalid list1"),
            (json!({"list1": [1, 2, 3, 4]}), "invalid list1"),
            (json!({"list2": [1]}), "`x.y`: invalid list2"),
            (json!({"list3": [1, 2]}), "invalid list3"),
        ];
        for (data, expected) in cases {
            let msg = rejected(&s, data.clone());
            assert!(msg.starts_with(expected), "{data}: {msg}");
        }
        ok(
            &s,
            json!({
                "str1": "ab12345m",
                "str2": "x...z",
                "str3": "ab@c.com",
                "str4": "http://a.b.c",
                "str5": "2024-05-06T07:08:09.123Z",
                "int1": 2,
                "list1": [1, 2, 4, 5],
                "list2": [],
                "list3": [1],
            }),
        );
    }

    #[test]
    fn missing_fields_are_null_on_create_and_unknown_on_update() {
        let s = analyze(
            r#"model Foo {
                id    Int     @id
                email String
                a     Int?
                b     Int?
                @@validate(length(email) >= 8, 'short email')
                @@validate(a != null && a > 0, 'need a')
                @@validate(a == null || b == null || a < b, 'a < b')
            }"#,
        );
        // Create: the missing email is null, so `length` has nothing to check;
        // the missing `a` is null and fails `a != null`.
        assert_eq!(run(&s, json!({}), WriteKind::Create).unwrap_err(), "need a");
        // Update: untouched fields are unknown, so no rule is decided.
        run(&s, json!({}), WriteKind::Update).unwrap();
        run(&s, json!({"b": 1}), WriteKind::Update).unwrap();
        // ... unless the written ones decide it.
        assert_eq!(
            run(&s, json!({"a": 0}), WriteKind::Update).unwrap_err(),
            "need a"
        );
        assert_eq!(
            run(&s, json!({"email": "a@b.com"}), WriteKind::Update).unwrap_err(),
            "short email"
        );
        assert_eq!(
            run(
                &s,
                json!({"email": "a@b.com", "a": 3, "b": 2}),
                WriteKind::Create
            )
            .unwrap_err(),
            "short email; a < b"
        );
        run(
            &s,
            json!({"email": "ab@cd.com", "a": 1, "b": 2}),
            WriteKind::Create,
        )
        .unwrap();
        // An increment leaves `a` unknown.
        run(&s, json!({"a": {"increment": -5}}), WriteKind::Update).unwrap();
    }

    #[test]
    fn rules_compare_enums_dates_and_lists() {
        let s = analyze(
            r#"
            enum Role { USER ADMIN }
            model Foo {
                id    Int      @id
                role  Role
                start DateTime
                end   DateTime?
                level Int
                @@validate(role != ADMIN || level > 5, 'admins need level', ['level'])
                @@validate(end == null || start < end, 'ends before start')
                @@validate(start <= now(), 'starts in the future')
                @@validate(level in [1, 3, 6], 'bad level')
                @@validate(!(role == USER && level == 6), 'user level')
            }"#,
        );
        let base = json!({"role": "USER", "start": "2020-01-01T00:00:00.000Z", "level": 3});
        run(&s, base.clone(), WriteKind::Create).unwrap();
        let mut d = base.clone();
        d["role"] = json!("ADMIN");
        assert_eq!(
            run(&s, d, WriteKind::Create).unwrap_err(),
            "`level`: admins need level"
        );
        let mut d = base.clone();
        d["end"] = json!("2019-12-31T23:00:00-02:00");
        run(&s, d.clone(), WriteKind::Create).unwrap();
        d["end"] = json!("2019-12-31T23:00:00Z");
        assert_eq!(
            run(&s, d, WriteKind::Create).unwrap_err(),
            "ends before start"
        );
        let mut d = base.clone();
        d["start"] = json!("2999-01-01T00:00:00.000Z");
        assert_eq!(
            run(&s, d, WriteKind::Create).unwrap_err(),
            "starts in the future"
        );
        let mut d = base.clone();
        d["level"] = json!(2);
        assert_eq!(run(&s, d, WriteKind::Create).unwrap_err(), "bad level");
        let mut d = base;
        d["level"] = json!(6);
        assert_eq!(run(&s, d, WriteKind::Create).unwrap_err(), "user level");
    }

    #[test]
    fn formats_match_zod() {
        for good in ["a@b.co", "first.last+tag@sub.example.org", "o'neil@x.io"] {
            assert!(is_email(good), "{good}");
        }
        for bad in [
            "a@b",
            ".a@b.co",
            "a..b@c.co",
            "a.@b.co",
            "a@b.c",
            "a b@c.co",
            "@b.co",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
        for good in [
            "http://a.b.c",
            "https://example.com/x?y#z",
            "mailto:a@b.co",
            " https://x.y ",
        ] {
            assert!(is_url(good), "{good}");
        }
        for bad in ["not-an-url", "example.com", "http://", ""] {
            assert!(!is_url(bad), "{bad}");
        }
        for good in [
            "2024-02-29T00:00:00Z",
            "2024-01-01T10:20Z",
            "2024-01-01T10:20:30.123456Z",
        ] {
            assert!(is_datetime(good), "{good}");
        }
        for bad in [
            "2023-02-29T00:00:00Z",
            "2024-01-01T10:20:30+01:00",
            "2024-01-01",
            "2024-01-01T24:00:00Z",
        ] {
            assert!(!is_datetime(bad), "{bad}");
        }
        assert!(is_time_with("10:20:30.12", Some(2)));
        assert!(!is_time_with("10:20:30.1", Some(2)));
        assert!(is_time_with("10:20:30", Some(0)));
        assert!(!is_time_with("10:20", Some(0)));
        assert!(is_phone("+1234567") && is_phone("+123456789012345"));
        assert!(!is_phone("+123456") && !is_phone("+1234567890123456") && !is_phone("12345678"));
    }
}
