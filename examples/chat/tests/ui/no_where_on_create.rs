// `create` has no `where`.
use chat::db::{self, ChatCreate, ChatWhere};

fn main() {
    let conn = zgen_client::rusqlite::Connection::open_in_memory().unwrap();
    let client = db::client(&conn).unwrap();
    let _ = client.chat().create(ChatCreate::new()).where_(ChatWhere::new());
}
