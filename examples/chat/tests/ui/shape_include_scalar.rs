// `include!` lists relations; a scalar comes anyway.
use chat::db;

zgen_client::include!(db::user => struct UserWithName { name });

fn main() {}
