//! `DateTimes::Time`: DateTime fields as `time::OffsetDateTime`, written,
//! read back and filtered through the generated client on a real SQLite
//! file, and stored as the same text as chrono's.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use typed_bench::{db, db_time};
use zgen_client::chrono::{DateTime, Utc};
use zgen_client::time::{Date, Month, OffsetDateTime, UtcOffset};
use zgen_client::Filter;

fn at(day: u8, hour: u8, nano: u32, offset_hours: i8) -> OffsetDateTime {
    Date::from_calendar_date(2024, Month::March, day)
        .unwrap()
        .with_hms_nano(hour, 30, 15, nano)
        .unwrap()
        .assume_offset(UtcOffset::from_hms(offset_hours, 0, 0).unwrap())
}

/// The same instant as chrono has it.
fn chrono_of(t: OffsetDateTime) -> DateTime<Utc> {
    DateTime::from_timestamp_nanos(i64::try_from(t.unix_timestamp_nanos()).unwrap())
}

fn truncated_to_millis(t: OffsetDateTime) -> OffsetDateTime {
    t.replace_nanosecond(t.nanosecond() / 1_000_000 * 1_000_000)
        .unwrap()
        .to_offset(UtcOffset::UTC)
}

fn stored(conn: &rusqlite::Connection, title: &str) -> String {
    conn.query_row(
        "SELECT createdAt FROM Post WHERE title = ?1",
        [title],
        |r| r.get(0),
    )
    .unwrap()
}

#[test]
fn time_values_round_trip_filter_and_are_stored_as_chrono_values_are() {
    let dir = tempfile::tempdir().unwrap();
    let conn = rusqlite::Connection::open(dir.path().join("app.db")).unwrap();
    db_time::create_tables(&conn).unwrap();
    let anonymous = db_time::client(&conn).unwrap();
    let user = anonymous
        .user()
        .create(db_time::UserCreate::new().email("a@example.com"))
        .exec()
        .unwrap();
    let timed = anonymous.with_auth(Some(&user));
    let chrono = db::client(&conn)
        .unwrap()
        .with_auth_json(Some(zgen_client::serde_json::json!({"id": user.id})));

    // Sub-millisecond digits and a non-UTC offset: stored as UTC
    // milliseconds, as ZenStack stores them.
    let values = [
        at(1, 8, 123_456_789, 0),
        at(2, 23, 999_999_999, -5),
        at(3, 0, 0, 2),
    ];
    for (i, t) in values.iter().enumerate() {
        let post = timed
            .post()
            .create(
                db_time::PostCreate::new()
                    .title(format!("time {i}"))
                    .author_id(user.id)
                    .created_at(*t),
            )
            .exec()
            .unwrap();
        assert_eq!(post.created_at, truncated_to_millis(*t));
        chrono
            .post()
            .create(
                db::PostCreate::new()
                    .title(format!("chrono {i}"))
                    .author_id(user.id)
                    .created_at(chrono_of(*t)),
            )
            .exec()
            .unwrap();
        assert_eq!(
            stored(&conn, &format!("time {i}")),
            stored(&conn, &format!("chrono {i}"))
        );
    }
    assert_eq!(stored(&conn, "time 0"), "2024-03-01T08:30:15.123Z");
    assert_eq!(stored(&conn, "time 1"), "2024-03-03T04:30:15.999Z");

    let read: Vec<db_time::Post> = timed
        .post()
        .find_many()
        .where_(db_time::PostWhere::new().title(Filter::starts_with("time")))
        .exec()
        .unwrap();
    let times: Vec<OffsetDateTime> = read.iter().map(|p| p.created_at).collect();
    let expected: Vec<OffsetDateTime> = values.iter().map(|t| truncated_to_millis(*t)).collect();
    assert_eq!(times, expected);

    // [2 March 00:00 UTC, 3 March 00:00 UTC): only the second value
    // (2 March 23:30 at -5 is 3 March 04:30 UTC) is outside; the third
    // (3 March 00:30 at +2) is 2 March 22:30 UTC.
    let from = at(2, 0, 0, 0)
        .replace_minute(0)
        .unwrap()
        .replace_second(0)
        .unwrap();
    let to = at(3, 0, 0, 0)
        .replace_minute(0)
        .unwrap()
        .replace_second(0)
        .unwrap();
    let in_range = timed
        .post()
        .find_many()
        .where_(
            db_time::PostWhere::new()
                .title(Filter::starts_with("time"))
                .created_at(Filter::gte(from).and(Filter::lt(to))),
        )
        .exec()
        .unwrap();
    let titles: Vec<&str> = in_range.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(titles, ["time 2"]);
}
