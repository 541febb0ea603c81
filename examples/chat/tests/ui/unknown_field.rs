// `where` on a field the model does not have.
use chat::db::ChatWhere;

fn main() {
    let _ = ChatWhere::new().subject("hello");
}
