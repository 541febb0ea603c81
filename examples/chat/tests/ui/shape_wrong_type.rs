// A selected field used as another type than the schema gives it.
use chat::db;

zgen_client::select!(db::chat => struct ChatLine { id, message });

fn main() {
    let conn = zgen_client::rusqlite::Connection::open_in_memory().unwrap();
    let client = db::client(&conn).unwrap();
    let lines = client.chat().find_many().shape::<ChatLine>().exec().unwrap();
    let _: String = lines[0].id;
}
