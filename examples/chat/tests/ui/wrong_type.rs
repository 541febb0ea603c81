// A string where the schema has an Int.
use chat::db::ChatWhere;

fn main() {
    let _ = ChatWhere::new().sender_id("alice");
}
