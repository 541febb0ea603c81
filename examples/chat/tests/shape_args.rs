//! `_count` and the reading arguments of nested relations in shapes
//! (`zgen_client::select!`, `zgen_client::include!`), on real SQLite: each
//! typed result is compared with the engine's result for the same
//! arguments written by hand in ZenStack's JSON, and with the rows the
//! rules let the user see.

#![deny(warnings)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chat::db::{self, ChatCreate, User, UserCreate, UserWhereUnique};
use chat::shop::{self, Account, AccountCreate, AccountWhereUnique, LineCreate, OrderCreate, Role};
use zgen_client::rusqlite::Connection;
use zgen_client::serde_json::{json, Value as Json};
use zgen_client::{Filter, ListFilter, Model, ModelClient, Nested, Shape, Sort, Write};

/// `findMany` read into the shape `S`, checked against the engine's rows
/// for `raw`, the same arguments written by hand in ZenStack's JSON.
fn find_many<M, S>(models: ModelClient<'_, M>, raw: Json) -> Vec<S>
where
    M: Model,
    S: Shape<Model = M> + std::fmt::Debug + PartialEq,
{
    assert_eq!(Json::Object(S::args()), raw, "the shape's arguments");
    let typed = models.find_many().shape::<S>().exec().unwrap();
    let engine = models.find_many().arg(S::KEY, raw).exec_json().unwrap();
    let engine: Vec<S> = zgen_client::serde_json::from_value(engine).unwrap();
    assert_eq!(typed, engine);
    typed
}

fn message(from: &User, to: &User, text: &str) -> ChatCreate {
    ChatCreate::new()
        .message(text)
        .sender(Write::connect(UserWhereUnique::id(from.id)))
        .receiver(Write::connect(UserWhereUnique::id(to.id)))
}

/// alice wrote "hi" and "lunch?" to bob, bob "lunch!" to alice; carol
/// wrote nothing and can read none of it.
fn chat_world(conn: &Connection) -> [User; 3] {
    db::create_tables(conn).unwrap();
    let anon = db::client(conn).unwrap();
    let users = ["alice", "bob", "carol"].map(|name| {
        anon.user()
            .create(UserCreate::new().name(name))
            .exec()
            .unwrap()
    });
    for (from, to, text) in [(0, 1, "hi"), (0, 1, "lunch?"), (1, 0, "lunch!")] {
        anon.with_auth(Some(&users[from]))
            .chat()
            .create(message(&users[from], &users[to], text))
            .exec()
            .unwrap();
    }
    users
}

zgen_client::select!(db::user => struct Mailbox {
    name,
    _count: MailCount { sent, received },
});

zgen_client::include!(db::user => struct UserWithLunches {
    _count: Lunches { sent(where: db::ChatWhere::new().message(Filter::contains("lunch"))) },
});

#[test]
fn a_count_counts_only_the_rows_the_user_may_read() {
    let conn = Connection::open_in_memory().unwrap();
    let users = chat_world(&conn);
    let count = |sent, received| MailCount { sent, received };
    let raw = json!({"name": true, "_count": {"select": {"sent": true, "received": true}}});
    let mut seen = Vec::new();
    for me in &users {
        let client = db::client(&conn).unwrap();
        let client = client.with_auth(Some(me));
        let typed: Vec<Mailbox> = find_many(client.user(), raw.clone());
        seen.push(typed.into_iter().map(|u| u._count).collect::<Vec<_>>());
    }
    // Chats are readable by their sender and receiver only.
    assert_eq!(seen[0], [count(2, 1), count(1, 2), count(0, 0)], "alice");
    assert_eq!(seen[1], [count(2, 1), count(1, 2), count(0, 0)], "bob");
    assert_eq!(seen[2], [count(0, 0), count(0, 0), count(0, 0)], "carol");
}

#[test]
fn a_count_in_an_include_takes_a_filter() {
    let conn = Connection::open_in_memory().unwrap();
    let [alice, bob, _] = chat_world(&conn);
    let client = db::client(&conn).unwrap();
    let as_alice = client.with_auth(Some(&alice));
    let typed: UserWithLunches = as_alice
        .user()
        .find_unique_or_throw(UserWhereUnique::id(alice.id))
        .shape::<UserWithLunches>()
        .exec()
        .unwrap();
    assert_eq!((typed.id, typed.name.as_str()), (alice.id, "alice"));
    assert_eq!(typed._count, Lunches { sent: 1 }, "\"hi\" is no lunch");
    let raw =
        json!({"_count": {"select": {"sent": {"where": {"message": {"contains": "lunch"}}}}}});
    let typed: Vec<UserWithLunches> = find_many(as_alice.user(), raw);
    let bobs = typed.iter().find(|u| u.id == bob.id).map(|u| u._count);
    assert_eq!(bobs, Some(Lunches { sent: 1 }));
}

zgen_client::select!(db::user => struct LastWord {
    name,
    sent(order_by: db::ChatOrderBy::new().id(Sort::Desc), take: 1): LastText { message },
    received(where: db::ChatWhere::new().message(Filter::starts_with("lunch"))),
});

#[test]
fn a_nested_relation_takes_where_order_by_and_take() {
    let conn = Connection::open_in_memory().unwrap();
    let [alice, ..] = chat_world(&conn);
    let client = db::client(&conn).unwrap();
    let as_alice = client.with_auth(Some(&alice));
    let raw = json!({
        "name": true,
        "sent": {"orderBy": [{"id": "desc"}], "take": 1, "select": {"message": true}},
        "received": {"where": {"message": {"startsWith": "lunch"}}},
    });
    let typed: Vec<LastWord> = find_many(as_alice.user(), raw);
    let text = |m: &str| LastText {
        message: m.to_string(),
    };
    let received =
        |u: &LastWord| -> Vec<String> { u.received.iter().map(|c| c.message.clone()).collect() };
    assert_eq!(typed[0].sent, [text("lunch?")], "alice's last message");
    assert_eq!(received(&typed[0]), ["lunch!"], "as model structs");
    assert_eq!(typed[1].sent, [text("lunch!")], "bob's last message");
    assert_eq!(received(&typed[1]), ["lunch?"], "\"hi\" filtered out");
}

zgen_client::select!(shop::account => struct Customer {
    email,
    orders(
        where: shop::OrderWhere::new().number(Filter::gte(2)),
        order_by: shop::OrderOrderBy::new().number(Sort::Desc),
    ): RecentOrder {
        number,
        lines(order_by: shop::LineOrderBy::new().sku(Sort::Asc), skip: 1, take: 2): LineSku { sku },
        _count: OrderCount { lines },
    },
});

/// ann (a customer) has orders 1..=3 with three lines each; ben, an
/// admin, may read every order but only his own lines.
fn shop_world(conn: &Connection) -> [Account; 2] {
    shop::create_tables(conn).unwrap();
    let anon = shop::client(conn).unwrap();
    let [ann, ben] =
        [("ann@x.io", Role::Customer), ("ben@x.io", Role::Admin)].map(|(email, role)| {
            anon.account()
                .create(AccountCreate::new().email(email).password("pw").role(role))
                .exec()
                .unwrap()
        });
    let as_ann = anon.with_auth(Some(&ann));
    for number in 1..=3 {
        let lines = ["a", "b", "c"].map(|sku| LineCreate::new().sku(format!("{sku}{number}")));
        as_ann
            .order()
            .create(
                OrderCreate::new()
                    .r#type("web")
                    .number(number)
                    .total(1.0)
                    .account(Write::connect(AccountWhereUnique::id(ann.id)))
                    .lines(Write::create_all(lines)),
            )
            .exec()
            .unwrap();
    }
    [ann, ben]
}

#[test]
fn nested_arguments_and_counts_two_levels_down() {
    let conn = Connection::open_in_memory().unwrap();
    let [ann, ben] = shop_world(&conn);
    let raw = json!({
        "email": true,
        "orders": {
            "where": {"number": {"gte": 2}},
            "orderBy": [{"number": "desc"}],
            "select": {
                "number": true,
                "lines": {"orderBy": [{"sku": "asc"}], "skip": 1, "take": 2, "select": {"sku": true}},
                "_count": {"select": {"lines": true}},
            },
        },
    });
    let mut seen = Vec::new();
    for me in [&ann, &ben] {
        let client = shop::client(&conn).unwrap();
        let client = client.with_auth(Some(me));
        let typed: Vec<Customer> = find_many(client.account(), raw.clone());
        seen.push(typed);
    }
    let order = |number, skus: &[&str], lines| RecentOrder {
        number,
        lines: skus
            .iter()
            .map(|s| LineSku { sku: s.to_string() })
            .collect(),
        _count: OrderCount { lines },
    };
    let ann_sees = vec![order(3, &["b3", "c3"], 3), order(2, &["b2", "c2"], 3)];
    assert_eq!(seen[0][0].orders, ann_sees);
    assert!(seen[0][1].orders.is_empty(), "ben has no orders");
    // ben reads ann's orders (admin) but not their lines: none are listed
    // and none are counted.
    let ben_sees = vec![order(3, &[], 0), order(2, &[], 0)];
    assert_eq!(seen[1][0].orders, ben_sees);
}

#[test]
fn arguments_known_at_run_time_go_through_query_with() {
    let conn = Connection::open_in_memory().unwrap();
    let [ann, _] = shop_world(&conn);
    let client = shop::client(&conn).unwrap();
    let as_ann = client.with_auth(Some(&ann));
    let (take, sku) = (1, String::from("a2"));
    let query = as_ann
        .account()
        .find_many()
        .shape::<Customer>()
        .with(Customer::orders(Nested::new().take(take)));
    let orders = &query.args()["select"]["orders"];
    assert_eq!(orders["take"], json!(1));
    assert_eq!(orders["where"], json!({"number": {"gte": 2}}), "kept");
    let numbers: Vec<Vec<i32>> = query
        .exec()
        .unwrap()
        .iter()
        .map(|a| a.orders.iter().map(|o| o.number).collect())
        .collect();
    assert_eq!(numbers, [vec![3], vec![]]);
    let found = as_ann
        .account()
        .find_many()
        .shape::<Customer>()
        .with(Customer::orders(Nested::new().where_(
            shop::OrderWhere::new().lines(ListFilter::some(
                shop::LineWhere::new().sku(Filter::equals(sku)),
            )),
        )))
        .exec()
        .unwrap();
    let numbers: Vec<i32> = found[0].orders.iter().map(|o| o.number).collect();
    assert_eq!(numbers, [2], "the run-time `where` replaces the shape's");
}

zgen_client::select!(db::chat => struct Sent {
    message,
    sender: Sender { name, _count: SenderCount { sent } },
});

#[test]
fn a_write_reads_its_row_back_with_counts() {
    let conn = Connection::open_in_memory().unwrap();
    let [alice, bob, _] = chat_world(&conn);
    let client = db::client(&conn).unwrap();
    let created = client
        .with_auth(Some(&alice))
        .chat()
        .create(message(&alice, &bob, "bye"))
        .shape::<Sent>()
        .exec()
        .unwrap();
    let sender = Sender {
        name: "alice".to_string(),
        _count: SenderCount { sent: 3 },
    };
    assert_eq!(created.message, "bye");
    assert_eq!(created.sender, Some(sender));
}
