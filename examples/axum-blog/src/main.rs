//! `cargo run -p axum-blog`: serves the blog on 127.0.0.1:3000 (or `$PORT`)
//! over a SQLite file in the temp folder, with two users, and prints a
//! token for each to try with curl.

use axum_blog::{db, router, token, AppState};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::temp_dir().join(format!("zgen-axum-blog-{}.db", std::process::id()));
    let conn = zgen_client::rusqlite::Connection::open(&path)?;
    db::create_tables(&conn)?;
    let secret = b"change me: the demo secret".to_vec();
    let anonymous = db::client(&conn)?;
    let mut tokens = Vec::new();
    for email in ["alice@example.com", "bob@example.com"] {
        let user = anonymous
            .user()
            .create(db::UserCreate::new().email(email))
            .exec()?;
        tokens.push((email, token(&secret, &user)?));
    }
    let pool = db::AsyncClient::new(vec![conn, zgen_client::rusqlite::Connection::open(&path)?])?;
    let port = std::env::var("PORT").unwrap_or_else(|_| "3000".into());
    let address = format!("127.0.0.1:{port}");
    let listener = tokio::net::TcpListener::bind(&address).await?;
    println!("serving on http://{address} (database {})", path.display());
    for (email, token) in &tokens {
        println!("\n{email}:\n  curl -H 'Authorization: Bearer {token}' http://{address}/posts");
        println!(
            "  curl -H 'Authorization: Bearer {token}' -H 'Content-Type: application/json' \\\n       -d '{{\"title\":\"hello\"}}' http://{address}/posts"
        );
    }
    let state = AppState {
        db: pool,
        secret: Arc::new(secret),
    };
    axum::serve(listener, router(state)).await?;
    Ok(())
}
