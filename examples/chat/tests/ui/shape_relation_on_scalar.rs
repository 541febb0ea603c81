// A nested selection on a field that is not a relation.
use chat::db;

zgen_client::select!(db::chat => struct ChatLine { id, message: Words { length } });

fn main() {}
