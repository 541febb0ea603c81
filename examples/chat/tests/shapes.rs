//! Result types that follow `select` and `include` (`zgen_client::select!`,
//! `zgen_client::include!`), read from real SQLite queries: the struct has
//! exactly the asked-for fields, typed from the schema.

#![deny(warnings)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chat::db::{self, ChatCreate, ChatOrderBy, ChatWhereUnique, User, UserCreate, UserWhereUnique};
use chat::shop::{self, AccountCreate, AccountWhereUnique, OrderCreate, Role};
use zgen_client::rusqlite::Connection;
use zgen_client::{Sort, Write};

zgen_client::select!(db::chat => pub struct ChatLine {
    id,
    message,
    sender: SenderName { name },
});

zgen_client::include!(db::user => struct UserWithSent { sent });

zgen_client::select!(db::chat => struct Text { message });

// A relation as a shape declared on its own (`Text`), reused.
zgen_client::select!(db::user => struct Pen { name, sent: Text });

zgen_client::include!(db::user => struct UserWithReceived {
    received: ReceivedText { message, sender_id },
});

/// alice wrote "hi" and "lunch?" to bob; the client acts for alice.
fn chat_world(conn: &Connection) -> (User, User) {
    db::create_tables(conn).unwrap();
    let anon = db::client(conn).unwrap();
    let alice = anon
        .user()
        .create(UserCreate::new().name("alice"))
        .exec()
        .unwrap();
    let bob = anon
        .user()
        .create(UserCreate::new().name("bob"))
        .exec()
        .unwrap();
    let me = anon.with_auth(Some(&alice));
    for text in ["hi", "lunch?"] {
        me.chat()
            .create(
                ChatCreate::new()
                    .message(text)
                    .sender(Write::connect(UserWhereUnique::id(alice.id)))
                    .receiver(Write::connect(UserWhereUnique::id(bob.id))),
            )
            .exec()
            .unwrap();
    }
    (alice, bob)
}

fn line(id: i32, message: &str, sender: &str) -> ChatLine {
    ChatLine {
        id,
        message: message.to_string(),
        sender: Some(SenderName {
            name: sender.to_string(),
        }),
    }
}

#[test]
fn a_select_shape_is_what_every_reading_operation_returns() {
    let conn = Connection::open_in_memory().unwrap();
    let (alice, bob) = chat_world(&conn);
    let me = db::client(&conn).unwrap().with_auth(Some(&alice));
    let many: Vec<ChatLine> = me
        .chat()
        .find_many()
        .shape::<ChatLine>()
        .order_by(ChatOrderBy::new().id(Sort::Desc))
        .exec()
        .unwrap();
    assert_eq!(
        many,
        vec![line(2, "lunch?", "alice"), line(1, "hi", "alice")]
    );
    let first: Option<ChatLine> = me.chat().find_first().shape::<ChatLine>().exec().unwrap();
    assert_eq!(first, Some(line(1, "hi", "alice")));
    let one: ChatLine = me
        .chat()
        .find_unique_or_throw(ChatWhereUnique::id(2))
        .shape::<ChatLine>()
        .exec()
        .unwrap();
    assert_eq!(one, line(2, "lunch?", "alice"));
    let created: ChatLine = me
        .chat()
        .create(
            ChatCreate::new()
                .message("bye")
                .sender(Write::connect(UserWhereUnique::id(alice.id)))
                .receiver(Write::connect(UserWhereUnique::id(bob.id))),
        )
        .shape::<ChatLine>()
        .exec()
        .unwrap();
    assert_eq!(created, line(3, "bye", "alice"));
    // The arguments the shape set are the engine's `select`.
    let args = me.chat().find_many().shape::<ChatLine>().args().clone();
    assert_eq!(
        zgen_client::serde_json::Value::Object(args),
        zgen_client::serde_json::json!({
            "select": {"id": true, "message": true, "sender": {"select": {"name": true}}}
        })
    );
}

#[test]
fn an_include_shape_has_the_model_fields_and_the_relations() {
    let conn = Connection::open_in_memory().unwrap();
    let (alice, _) = chat_world(&conn);
    let me = db::client(&conn).unwrap().with_auth(Some(&alice));
    let users: Vec<UserWithSent> = me
        .user()
        .find_many()
        .shape::<UserWithSent>()
        .exec()
        .unwrap();
    let sent: Vec<(&str, usize)> = users
        .iter()
        .map(|u| (u.name.as_str(), u.sent.len()))
        .collect();
    assert_eq!(sent, [("alice", 2), ("bob", 0)]);
    assert_eq!(
        users[0].sent[1].message, "lunch?",
        "related rows are model structs"
    );
    let bob: UserWithReceived = me
        .user()
        .find_unique_or_throw(UserWhereUnique::id(2))
        .shape::<UserWithReceived>()
        .exec()
        .unwrap();
    assert_eq!(bob.id, 2);
    assert_eq!(
        bob.received,
        [
            ReceivedText {
                message: "hi".to_string(),
                sender_id: 1
            },
            ReceivedText {
                message: "lunch?".to_string(),
                sender_id: 1
            },
        ]
    );
}

zgen_client::select!(shop::account => struct Contact { id, email, phone, role, created_at });

zgen_client::select!(shop::account => struct ContactWithOrders {
    email,
    phone,
    orders: OrderKind { r#type, number },
});

zgen_client::include!(shop::account => struct AccountWithOrders { orders });

#[test]
fn a_field_masked_by_its_read_rule_comes_back_as_none() {
    let conn = Connection::open_in_memory().unwrap();
    shop::create_tables(&conn).unwrap();
    let anon = shop::client(&conn).unwrap();
    let mk = |email: &str, role| {
        anon.account()
            .create(
                AccountCreate::new()
                    .email(email)
                    .password("pw")
                    .role(role)
                    .phone("555"),
            )
            .exec()
            .unwrap()
    };
    let (ann, ben) = (mk("ann@x.io", Role::Customer), mk("ben@x.io", Role::Admin));
    assert_eq!(ann.phone, None, "anonymous may not read the phone");
    let as_ann = anon.with_auth(Some(&ann));
    as_ann
        .order()
        .create(
            OrderCreate::new()
                .r#type("web")
                .number(7)
                .total(1.5)
                .account(Write::connect(AccountWhereUnique::id(ann.id))),
        )
        .exec()
        .unwrap();
    let as_ben = anon.with_auth(Some(&ben));

    // Rows read straight into the shape (no relation: the fast path).
    let seen_by_ben: Vec<Contact> = as_ben
        .account()
        .find_many()
        .shape::<Contact>()
        .exec()
        .unwrap();
    let phones: Vec<(&str, Option<&str>)> = seen_by_ben
        .iter()
        .map(|c| (c.email.as_str(), c.phone.as_deref()))
        .collect();
    assert_eq!(phones, [("ann@x.io", None), ("ben@x.io", Some("555"))]);
    assert_eq!(seen_by_ben[1].role, Role::Admin);
    assert!(seen_by_ben[0].created_at <= seen_by_ben[1].created_at);

    // With a relation (the JSON path): masked the same way.
    let own: Vec<ContactWithOrders> = as_ann
        .account()
        .find_many()
        .shape::<ContactWithOrders>()
        .exec()
        .unwrap();
    assert_eq!(own[0].phone.as_deref(), Some("555"));
    assert_eq!(own[1].phone, None);
    assert_eq!(
        own[0].orders,
        [OrderKind {
            r#type: "web".to_string(),
            number: 7
        }]
    );
    let seen: Vec<AccountWithOrders> = as_ann
        .account()
        .find_many()
        .shape::<AccountWithOrders>()
        .exec()
        .unwrap();
    let seen: Vec<(&str, Option<&str>, usize)> = seen
        .iter()
        .map(|a| (a.email.as_str(), a.phone.as_deref(), a.orders.len()))
        .collect();
    assert_eq!(seen, [("ann@x.io", Some("555"), 1), ("ben@x.io", None, 0)]);
    // (`password` is `@omit`: the include shape has no such field.)
}
