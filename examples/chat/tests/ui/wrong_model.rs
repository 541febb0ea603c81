// A user filter where a chat filter is expected.
use chat::db::{UserWhere, self};

fn main() {
    let conn = zgen_client::rusqlite::Connection::open_in_memory().unwrap();
    let client = db::client(&conn).unwrap();
    let _ = client.chat().find_many().where_(UserWhere::new());
}
