//! DateTime fields in ZenStack's SQLite encoding, `YYYY-MM-DDTHH:MM:SS.sssZ`
//! (UTC, milliseconds), as `chrono::DateTime<Utc>` or, with the `time`
//! feature, `time::OffsetDateTime`: both are written as the same text, so
//! the stored values do not depend on the crate a project chose.
//!
//! Generated structs read and write their DateTime fields through this
//! module (`#[serde(with = "zc::datetime")]`). Results carry the engine's
//! canonical text, which is read by a fixed-position parser; other RFC 3339
//! text goes through chrono's parser.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::ser::{Error as _, Serialize, Serializer};
use std::fmt;

/// A UTC instant as calendar fields, to the millisecond.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub milli: u32,
}

impl Civil {
    /// The fields of `YYYY-MM-DDTHH:MM:SS.sssZ`, the only form the engine
    /// returns; `None` for any other text (ranges are checked when the
    /// value is built).
    fn canonical(s: &str) -> Option<Civil> {
        let b: &[u8; 24] = s.as_bytes().try_into().ok()?;
        let separators = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':')];
        let more = [(16, b':'), (19, b'.'), (23, b'Z')];
        if separators.iter().chain(&more).any(|&(i, c)| b[i] != c) {
            return None;
        }
        let num = |from: usize, to: usize| {
            b[from..to].iter().try_fold(0u32, |n, c| {
                c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
            })
        };
        Some(Civil {
            year: i32::try_from(num(0, 4)?).ok()?,
            month: num(5, 7)?,
            day: num(8, 10)?,
            hour: num(11, 13)?,
            minute: num(14, 16)?,
            second: num(17, 19)?,
            milli: num(20, 23)?,
        })
    }

    fn of(t: DateTime<Utc>) -> Civil {
        use chrono::{Datelike, Timelike};
        Civil {
            year: t.year(),
            month: t.month(),
            day: t.day(),
            hour: t.hour(),
            minute: t.minute(),
            second: t.second(),
            milli: t.timestamp_subsec_millis().min(999),
        }
    }

    fn chrono(self) -> Option<DateTime<Utc>> {
        Some(
            NaiveDate::from_ymd_opt(self.year, self.month, self.day)?
                .and_hms_milli_opt(self.hour, self.minute, self.second, self.milli)?
                .and_utc(),
        )
    }
}

/// A Rust type a DateTime field can have.
pub trait DateTimeValue: Sized {
    /// `None` when the fields are out of range.
    fn from_civil(c: Civil) -> Option<Self>;
    /// The instant in UTC, below the millisecond truncated (as stored);
    /// `None` when UTC is out of the type's range.
    fn to_civil(&self) -> Option<Civil>;
}

impl DateTimeValue for DateTime<Utc> {
    fn from_civil(c: Civil) -> Option<Self> {
        c.chrono()
    }

    fn to_civil(&self) -> Option<Civil> {
        Some(Civil::of(*self))
    }
}

#[cfg(feature = "time")]
impl DateTimeValue for time::OffsetDateTime {
    fn from_civil(c: Civil) -> Option<Self> {
        let month = time::Month::try_from(u8::try_from(c.month).ok()?).ok()?;
        let date = time::Date::from_calendar_date(c.year, month, u8::try_from(c.day).ok()?).ok()?;
        let small = |n: u32| u8::try_from(n).ok();
        let at = date
            .with_hms_milli(
                small(c.hour)?,
                small(c.minute)?,
                small(c.second)?,
                u16::try_from(c.milli).ok()?,
            )
            .ok()?;
        Some(at.assume_utc())
    }

    fn to_civil(&self) -> Option<Civil> {
        let t = self.checked_to_offset(time::UtcOffset::UTC)?;
        Some(Civil {
            year: t.year(),
            month: u32::from(u8::from(t.month())),
            day: u32::from(t.day()),
            hour: u32::from(t.hour()),
            minute: u32::from(t.minute()),
            second: u32::from(t.second()),
            milli: u32::from(t.millisecond()),
        })
    }
}

/// Reads ZenStack's text, or any RFC 3339 date-time (converted to UTC).
pub fn parse<T: DateTimeValue>(s: &str) -> Option<T> {
    match Civil::canonical(s) {
        Some(c) => T::from_civil(c),
        None => {
            let t = DateTime::parse_from_rfc3339(s).ok()?;
            T::from_civil(Civil::of(t.with_timezone(&Utc)))
        }
    }
}

/// The text the engine stores for `value`; `None` when it has no UTC
/// form.
pub fn text<T: DateTimeValue>(value: &T) -> Option<String> {
    let t = value.to_civil()?.chrono()?;
    Some(t.to_rfc3339_opts(SecondsFormat::Millis, true))
}

/// What is sent for a value without a UTC form (only `time` has such
/// values): text the engine rejects as `invalid-input`.
pub(crate) const OUT_OF_RANGE: &str = "date-time out of range";

/// One DateTime in its text form, for serde.
struct Text<T>(T);

impl<'de, T: DateTimeValue> Deserialize<'de> for Text<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Expect<T>(std::marker::PhantomData<T>);
        impl<T: DateTimeValue> Visitor<'_> for Expect<T> {
            type Value = Text<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an ISO-8601 date-time string")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Text<T>, E> {
                parse(s)
                    .map(Text)
                    .ok_or_else(|| E::custom(format!("invalid date-time `{s}`")))
            }
        }
        d.deserialize_str(Expect(std::marker::PhantomData))
    }
}

struct TextRef<'a, T>(&'a T);

impl<T: DateTimeValue> Serialize for TextRef<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let text = text(self.0).ok_or_else(|| S::Error::custom(OUT_OF_RANGE))?;
        s.serialize_str(&text)
    }
}

/// A field type holding DateTimes: `T`, `Option<T>`, `Vec<T>`.
pub trait DateTimeField: Sized {
    fn write<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error>;
    fn read<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error>;
}

macro_rules! plain_field {
    ($($t:ty),*) => {$(
        impl DateTimeField for $t {
            fn write<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                TextRef(self).serialize(s)
            }
            fn read<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                Text::deserialize(d).map(|t| t.0)
            }
        }
    )*};
}

plain_field!(DateTime<Utc>);
#[cfg(feature = "time")]
plain_field!(time::OffsetDateTime);

impl<T: DateTimeValue> DateTimeField for Option<T> {
    fn write<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.as_ref().map(TextRef).serialize(s)
    }

    fn read<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Option::<Text<T>>::deserialize(d)?.map(|t| t.0))
    }
}

impl<T: DateTimeValue> DateTimeField for Vec<T> {
    fn write<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter().map(TextRef))
    }

    fn read<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Vec::<Text<T>>::deserialize(d)?
            .into_iter()
            .map(|t| t.0)
            .collect())
    }
}

/// A DateTime field as its text, for serde (what `record!` writes).
#[doc(hidden)]
pub struct AsText<'a, T>(pub &'a T);

impl<T: DateTimeField> Serialize for AsText<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.write(s)
    }
}

/// `#[serde(with = "zc::datetime")]`
pub fn serialize<T: DateTimeField, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
    value.write(s)
}

/// `#[serde(with = "zc::datetime")]`
pub fn deserialize<'de, T: DateTimeField, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
    T::read(d)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn canonical_text_is_read_by_position_and_checked() {
        let t: DateTime<Utc> = parse("2024-02-29T23:59:58.123Z").unwrap();
        assert_eq!(text(&t).unwrap(), "2024-02-29T23:59:58.123Z");
        assert!(parse::<DateTime<Utc>>("2023-02-29T00:00:00.000Z").is_none());
        assert!(parse::<DateTime<Utc>>("2024-01-01T24:00:00.000Z").is_none());
        assert!(parse::<DateTime<Utc>>("2024-01-01T00:00:00.00xZ").is_none());
    }

    #[test]
    fn other_rfc3339_text_is_converted_to_utc() {
        let t: DateTime<Utc> = parse("2024-01-01T02:00:00.5+02:00").unwrap();
        assert_eq!(text(&t).unwrap(), "2024-01-01T00:00:00.500Z");
    }

    #[cfg(feature = "time")]
    #[test]
    fn time_values_are_written_as_chrono_values_are() {
        let chrono: DateTime<Utc> = parse("1999-12-31T23:59:59.999Z").unwrap();
        let time: time::OffsetDateTime = parse("1999-12-31T23:59:59.999Z").unwrap();
        assert_eq!(text(&time), text(&chrono));
        let offset = time.to_offset(time::UtcOffset::from_hms(-5, 0, 0).unwrap());
        assert_eq!(text(&offset).unwrap(), "1999-12-31T23:59:59.999Z");
    }
}
