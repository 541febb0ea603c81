// A nested relation filtered with another model's `where`.
use chat::db;

zgen_client::select!(db::user => struct Pen {
    name,
    sent(where: db::UserWhere::new().name("bob")): Text { message },
});

fn main() {}
