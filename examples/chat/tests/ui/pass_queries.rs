// Typical use of the generated API compiles under `#![deny(warnings)]`.
#![deny(warnings)]

use chat::db::{self, ChatCreate, ChatOrderBy, ChatUpdate, ChatWhere, ChatWhereUnique, UserWhere};
use zgen_client::{Filter, ListFilter, Nested, Sort, ToOneFilter, Update, Write};

fn main() {
    let conn = zgen_client::rusqlite::Connection::open_in_memory().unwrap();
    let client = db::client(&conn).unwrap();
    let _ = client
        .chat()
        .find_many()
        .where_(
            ChatWhere::new()
                .message(Filter::contains("lunch").insensitive())
                .sender(ToOneFilter::is(UserWhere::new().name("alice")))
                .or([ChatWhere::new().id(Filter::gt(3))]),
        )
        .order_by(ChatOrderBy::new().id(Sort::Desc))
        .include(db::ChatInclude::new().sender())
        .take(10);
    let _ = client.user().find_first().where_(
        UserWhere::new().sent(ListFilter::some(ChatWhere::new().receiver_id(2))),
    );
    let _ = client
        .user()
        .find_many()
        .include(db::UserInclude::new().sent_with(Nested::new().take(1)));
    let _ = client.chat().create(
        ChatCreate::new()
            .message("hi")
            .sender(Write::connect(db::UserWhereUnique::id(1)))
            .receiver_id(2),
    );
    let _ = client.chat().update(
        ChatWhereUnique::id(1),
        ChatUpdate::new().receiver_id(Update::increment(1)),
    );
    let _ = client.chat().delete_many().where_(ChatWhere::new().id(Filter::in_([1, 2])));
}
