//! The todo rules end to end through the generated API: membership,
//! private lists, the owner lock.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use todo::db::{
    self, ListCreate, ListUpdate, ListWhere, ListWhereUnique, SpaceCreate, SpaceUserCreate,
    SpaceUserRole, SpaceWhereUnique, TodoCreate, TodoUpdate, TodoWhereUnique, User, UserCreate,
    UserWhereUnique,
};
use zgen_client::rusqlite::Connection;
use zgen_client::{Filter, Write};

struct World {
    conn: Connection,
    alice: User,
    bob: User,
    carol: User,
    space: String,
}

fn world() -> World {
    let conn = Connection::open_in_memory().unwrap();
    db::create_tables(&conn).unwrap();
    let anon = db::client(&conn).unwrap();
    let mk = |name: &str| {
        anon.user()
            .create(UserCreate::new().email(format!("{name}@x.io")).name(name))
            .exec()
            .unwrap()
    };
    let (alice, bob, carol) = (mk("alice"), mk("bob"), mk("carol"));
    let member = |u: &User, role| {
        SpaceUserCreate::new()
            .user(Write::connect(UserWhereUnique::id(u.id.clone())))
            .role(role)
    };
    let space = anon
        .with_auth(Some(&alice))
        .space()
        .create(
            SpaceCreate::new()
                .name("Acme")
                .slug("acme")
                .owner(Write::connect(UserWhereUnique::id(alice.id.clone())))
                .members(Write::create_all([
                    member(&alice, SpaceUserRole::Admin),
                    member(&bob, SpaceUserRole::User),
                ])),
        )
        .exec()
        .unwrap()
        .id;
    drop(anon);
    World {
        conn,
        alice,
        bob,
        carol,
        space,
    }
}

fn list(w: &World, owner: &User, title: &str, private: bool) -> ListCreate {
    ListCreate::new()
        .title(title)
        .private(private)
        .space(Write::connect(SpaceWhereUnique::id(w.space.clone())))
        .owner(Write::connect(UserWhereUnique::id(owner.id.clone())))
}

#[test]
fn members_read_the_space_and_outsiders_do_not() {
    let w = world();
    let c = db::client(&w.conn).unwrap();
    assert_eq!(c.with_auth(Some(&w.bob)).space().count().exec().unwrap(), 1);
    assert_eq!(
        c.with_auth(Some(&w.carol)).space().count().exec().unwrap(),
        0
    );
    assert_eq!(c.space().count().exec().unwrap(), 0, "anonymous");
    let by_carol = c
        .with_auth(Some(&w.carol))
        .list()
        .create(list(&w, &w.carol, "intruder", false))
        .exec()
        .unwrap_err();
    assert!(
        by_carol.is_not_found() || by_carol.is_rejected_by_policy(),
        "{by_carol}"
    );
}

#[test]
fn private_lists_are_visible_to_their_owner_only() {
    let w = world();
    let c = db::client(&w.conn).unwrap();
    let as_alice = c.with_auth(Some(&w.alice));
    as_alice
        .list()
        .create(list(&w, &w.alice, "shared", false))
        .exec()
        .unwrap();
    as_alice
        .list()
        .create(list(&w, &w.alice, "secret", true))
        .exec()
        .unwrap();
    let titles = |u: &User| -> Vec<String> {
        let mut t: Vec<String> = c
            .with_auth(Some(u))
            .list()
            .find_many()
            .exec()
            .unwrap()
            .into_iter()
            .map(|l| l.title)
            .collect();
        t.sort();
        t
    };
    assert_eq!(titles(&w.alice), ["secret", "shared"]);
    assert_eq!(titles(&w.bob), ["shared"]);
    assert!(titles(&w.carol).is_empty());
    let private_seen_by_bob = c
        .with_auth(Some(&w.bob))
        .list()
        .count()
        .where_(ListWhere::new().private(true))
        .exec()
        .unwrap();
    assert_eq!(private_seen_by_bob, 0);
}

#[test]
fn owners_are_locked_after_update() {
    let w = world();
    let c = db::client(&w.conn).unwrap();
    let as_alice = c.with_auth(Some(&w.alice));
    let l = as_alice
        .list()
        .create(list(&w, &w.alice, "mine", false))
        .exec()
        .unwrap();
    let err = as_alice
        .list()
        .update(
            ListWhereUnique::id(l.id.clone()),
            ListUpdate::new().owner(Write::connect(UserWhereUnique::id(w.bob.id.clone()))),
        )
        .exec()
        .unwrap_err();
    assert!(err.is_rejected_by_policy(), "{err}");

    // Bob may add and complete a todo on the shared list, but not hand it
    // to Alice.
    let as_bob = c.with_auth(Some(&w.bob));
    let t = as_bob
        .todo()
        .create(
            TodoCreate::new()
                .title("milk")
                .owner(Write::connect(UserWhereUnique::id(w.bob.id.clone())))
                .list(Write::connect(ListWhereUnique::id(l.id.clone()))),
        )
        .exec()
        .unwrap();
    let done = as_bob
        .todo()
        .update(
            TodoWhereUnique::id(t.id.clone()),
            TodoUpdate::new().completed_at(zgen_client::chrono::Utc::now()),
        )
        .exec()
        .unwrap();
    assert!(done.completed_at.is_some());
    let err = as_bob
        .todo()
        .update(
            TodoWhereUnique::id(t.id.clone()),
            TodoUpdate::new().owner(Write::connect(UserWhereUnique::id(w.alice.id.clone()))),
        )
        .exec()
        .unwrap_err();
    assert!(err.is_rejected_by_policy(), "{err}");
    let open = as_bob
        .todo()
        .count()
        .where_(db::TodoWhere::new().completed_at(Filter::null()))
        .exec()
        .unwrap();
    assert_eq!(open, 0);
}

#[test]
fn the_walkthrough_runs() {
    let conn = Connection::open_in_memory().unwrap();
    let report = todo::walkthrough(&conn).unwrap();
    assert!(
        report.contains("as carol:\n  sees 0 space(s), lists []"),
        "{report}"
    );
    assert!(
        report.contains("owner lock: alice may not give her list to bob: rejected-by-policy"),
        "{report}"
    );
}
