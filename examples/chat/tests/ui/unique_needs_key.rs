// `findUnique` takes a unique key, not any filter; `message` is not unique.
use chat::db::ChatWhereUnique;

fn main() {
    let _ = ChatWhereUnique::message("hi");
}
