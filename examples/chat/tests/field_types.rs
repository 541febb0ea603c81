//! The generator's fixture with every kind of field (enums with `@map`,
//! typed JSON, Decimal, BigInt, Bytes, Json, DateTime, `@omit`, keywords,
//! storage names, compound keys) compiles under `#![deny(warnings)]` and
//! round-trips through SQLite.

#![deny(warnings)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chat::shop;
use shop::{Account, AccountCreate, AccountOmit, Address, LineCreate, OrderCreate, Role};
use zgen_client::rust_decimal::Decimal;
use zgen_client::{Filter, Write};

#[test]
fn every_field_kind_round_trips() {
    let conn = zgen_client::rusqlite::Connection::open_in_memory().unwrap();
    shop::create_tables(&conn).unwrap();
    let anon = shop::client(&conn).unwrap();
    let created: Account = anon
        .account()
        .create(
            AccountCreate::new()
                .email("a@x.io")
                .password("secret")
                .role(Role::Admin)
                .address(Address {
                    street: "1 Main St".into(),
                    city: "Springfield".into(),
                    zip: None,
                })
                .balance(Decimal::new(1050, 2))
                .visits(1_i64 << 40)
                .avatar(vec![0_u8, 255])
                .settings(zgen_client::serde_json::json!({"theme": "dark"})),
        )
        .omit(AccountOmit::new().visits(false))
        .exec()
        .unwrap();
    assert_eq!(created.role, Role::Admin);
    assert_eq!(
        created.post_count, None,
        "computed fields have no column on SQLite"
    );
    assert_eq!(Role::Admin.stored_as(), "admin");
    assert_eq!(created.password, None, "@omit fields are left out");
    assert_eq!(created.balance, Decimal::new(1050, 2));
    assert_eq!(created.visits, 1 << 40);
    assert_eq!(created.avatar.as_deref(), Some(&[0_u8, 255][..]));
    assert_eq!(
        created.address.as_ref().map(|a| a.city.as_str()),
        Some("Springfield")
    );
    let stored: String = conn
        .query_row("SELECT role FROM accounts", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored, "admin", "enums are stored by their @map name");

    let me = anon.with_auth(Some(&created));
    me.order()
        .create(
            OrderCreate::new()
                .r#type("web")
                .number(1)
                .total(9.5)
                .account(Write::connect(shop::AccountWhereUnique::id(created.id)))
                .lines(Write::create_all([LineCreate::new().sku("A-1").qty(2)])),
        )
        .exec()
        .unwrap();
    let line = me
        .line()
        .find_unique(shop::LineWhereUnique::order_id_sku(1, "A-1"))
        .exec()
        .unwrap();
    assert_eq!(line.map(|l| l.qty), Some(2));
    let by_key = me
        .order()
        .find_unique(shop::OrderWhereUnique::account_id_number(created.id, 1))
        .exec()
        .unwrap();
    assert_eq!(by_key.map(|o| o.r#type), Some("web".to_string()));
    let admins = anon
        .account()
        .count()
        .where_(
            shop::AccountWhere::new()
                .role(Role::Admin)
                .email(Filter::ends_with("x.io")),
        )
        .exec()
        .unwrap();
    assert_eq!(admins, 1);
}
