//! `cargo run -p chat`: who can read and write which messages.

fn main() -> std::process::ExitCode {
    let run = || -> Result<String, Box<dyn std::error::Error>> {
        let conn = zgen_client::rusqlite::Connection::open_in_memory()?;
        Ok(chat::walkthrough(&conn)?)
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
