// A shape naming a field the model does not have.
use chat::db;

zgen_client::select!(db::chat => struct ChatLine { id, subject });

fn main() {}
