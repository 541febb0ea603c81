// A `_count` of a to-one relation: only to-many relations are counted.
use chat::db;

zgen_client::select!(db::chat => struct ChatCounts { id, _count: Counts { sender } });

fn main() {}
