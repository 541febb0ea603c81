//! `cargo run -p todo`: the walkthrough on an in-memory database.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let conn = zgen_client::rusqlite::Connection::open_in_memory()?;
    print!("{}", todo::walkthrough(&conn)?);
    Ok(())
}
