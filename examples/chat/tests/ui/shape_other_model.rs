// A shape of one model used on a query of another.
use chat::db;

zgen_client::select!(db::user => struct UserName { name });

fn main() {
    let conn = zgen_client::rusqlite::Connection::open_in_memory().unwrap();
    let client = db::client(&conn).unwrap();
    let _ = client.chat().find_many().shape::<UserName>();
}
