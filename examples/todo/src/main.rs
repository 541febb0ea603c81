//! `cargo run -p todo`: spaces, members, private lists and owner locks.

fn main() -> std::process::ExitCode {
    let run = || -> Result<String, Box<dyn std::error::Error>> {
        let conn = zgen_client::rusqlite::Connection::open_in_memory()?;
        Ok(todo::walkthrough(&conn)?)
    };
    match run() {
        Ok(report) => {
            print!("{report}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
