//! The chat rules, end to end through the generated API on SQLite.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chat::db::{self, ChatCreate, ChatUpdate, ChatWhereUnique, User, UserCreate, UserWhereUnique};
use zgen_client::rusqlite::Connection;
use zgen_client::zgen_runtime::Reason;
use zgen_client::{PolicyReason, Write};

fn setup(conn: &Connection) -> (User, User, User) {
    db::create_tables(conn).unwrap();
    let anon = db::client(conn).unwrap();
    let mk = |name: &str| {
        anon.user()
            .create(UserCreate::new().name(name))
            .exec()
            .unwrap()
    };
    (mk("alice"), mk("bob"), mk("carol"))
}

fn message(from: &User, to: &User, text: &str) -> ChatCreate {
    ChatCreate::new()
        .message(text)
        .sender(Write::connect(UserWhereUnique::id(from.id)))
        .receiver(Write::connect(UserWhereUnique::id(to.id)))
}

#[test]
fn a_chat_is_readable_by_sender_and_receiver_only() {
    let conn = Connection::open_in_memory().unwrap();
    let (alice, bob, carol) = setup(&conn);
    let c = db::client(&conn).unwrap();
    let sent = c
        .with_auth(Some(&alice))
        .chat()
        .create(message(&alice, &bob, "hi"))
        .exec()
        .unwrap();
    for (user, visible) in [(&alice, 1), (&bob, 1), (&carol, 0)] {
        let chats = c.with_auth(Some(user)).chat().find_many().exec().unwrap();
        assert_eq!(chats.len(), visible, "as {}", user.name);
    }
    assert!(c.chat().find_many().exec().unwrap().is_empty(), "anonymous");
    let found = c
        .with_auth(Some(&bob))
        .chat()
        .find_unique(ChatWhereUnique::id(sent.id))
        .exec()
        .unwrap();
    assert_eq!(found.map(|m| m.message), Some("hi".to_string()));
    // the one-row reads agree: carol sees no row, so the or-throw forms fail
    for (user, visible) in [(&bob, true), (&carol, false)] {
        let as_user = c.with_auth(Some(user));
        let first = as_user.chat().find_first().exec().unwrap();
        assert_eq!(first.map(|m| m.id), visible.then_some(sent.id));
        let unique = as_user
            .chat()
            .find_unique_or_throw(ChatWhereUnique::id(sent.id));
        let first = as_user.chat().find_first_or_throw();
        for result in [unique.exec(), first.exec()] {
            match result {
                Ok(chat) => assert!(visible && chat.id == sent.id),
                Err(e) => assert!(!visible && e.is_not_found(), "{e}"),
            }
        }
    }
}

#[test]
fn a_chat_can_be_created_only_as_yourself() {
    let conn = Connection::open_in_memory().unwrap();
    let (alice, bob, _) = setup(&conn);
    let as_bob = db::client(&conn).unwrap().with_auth(Some(&bob));
    let err = as_bob
        .chat()
        .create(message(&alice, &bob, "forged"))
        .exec()
        .unwrap_err();
    assert_eq!(
        err.reason(),
        Some(Reason::RejectedByPolicy(PolicyReason::NoAccess))
    );
    assert_eq!(as_bob.chat().count().exec().unwrap(), 0);
}

#[test]
fn only_the_sender_updates_and_never_to_another_sender() {
    let conn = Connection::open_in_memory().unwrap();
    let (alice, bob, carol) = setup(&conn);
    let c = db::client(&conn).unwrap();
    let as_alice = c.with_auth(Some(&alice));
    let chat = as_alice
        .chat()
        .create(message(&alice, &bob, "hi"))
        .exec()
        .unwrap();
    let target = || ChatWhereUnique::id(chat.id);

    let by_bob = c
        .with_auth(Some(&bob))
        .chat()
        .update(target(), ChatUpdate::new().message("edited by bob"))
        .exec()
        .unwrap_err();
    assert!(by_bob.is_not_found(), "{by_bob}");

    let handed_over = as_alice
        .chat()
        .update(
            target(),
            ChatUpdate::new().sender(Write::connect(UserWhereUnique::id(carol.id))),
        )
        .exec()
        .unwrap_err();
    assert!(handed_over.is_rejected_by_policy(), "{handed_over}");

    let edited = as_alice
        .chat()
        .update(target(), ChatUpdate::new().message("hello"))
        .exec()
        .unwrap();
    assert_eq!(
        (edited.message.as_str(), edited.sender_id),
        ("hello", alice.id)
    );
}

#[test]
fn the_walkthrough_reports_every_user() {
    let conn = Connection::open_in_memory().unwrap();
    let report = chat::walkthrough(&conn).unwrap();
    assert!(report.contains("as carol:\n  reads no message"), "{report}");
    assert!(
        report.contains("may not hand alice's first message over to carol: rejected-by-policy"),
        "{report}"
    );
    assert!(
        report.contains("may not edit alice's first message: not-found"),
        "{report}"
    );
}

#[test]
fn the_async_client_runs_on_a_blocking_thread() {
    let dir = tempdir();
    let path = dir.join("chat.db");
    let conn = Connection::open(&path).unwrap();
    let (alice, bob, _) = setup(&conn);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let pool = db::AsyncClient::new(vec![conn, Connection::open(&path).unwrap()]).unwrap();
    let (a, b) = (alice.clone(), bob.clone());
    let read = runtime.block_on(async move {
        pool.run(Some(a.clone()), move |c| {
            c.chat().create(message(&a, &b, "async hi")).exec()?;
            Ok(())
        })
        .await?;
        pool.run(Some(bob), |c| c.chat().find_many().exec()).await
    });
    assert_eq!(read.unwrap().len(), 1);
    let _ = std::fs::remove_dir_all(dir);
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("zgen-chat-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
