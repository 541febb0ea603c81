//! A schema whose rules read no member of the auth value: the typed client
//! sends an empty auth object, which still counts as signed in.

#![deny(warnings)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chat::signed_in::{self, NoteCreate, User};

#[test]
fn a_user_whose_members_no_rule_reads_is_still_signed_in() {
    let conn = zgen_client::rusqlite::Connection::open_in_memory().unwrap();
    signed_in::create_tables(&conn).unwrap();
    let anonymous = signed_in::client(&conn).unwrap();
    let user = User {
        id: 1,
        email: "a@x.io".into(),
    };
    let signed_in = anonymous.with_auth(Some(&user));
    let note = signed_in
        .note()
        .create(NoteCreate::new().text("hello"))
        .exec()
        .unwrap();
    assert_eq!(note.text, "hello");
    assert_eq!(signed_in.note().find_many().exec().unwrap(), [note]);
    assert!(anonymous.note().find_many().exec().unwrap().is_empty());
}
