//! `zgen serve` as a real process on a real socket: start-up with
//! `--push`, requests over TCP, JWT from the environment, graceful stop.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::{json, Value as Json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const SECRET: &str = "process-test-secret-0123456789abcdef";

const SCHEMA: &str = r#"
datasource db {
  provider = "sqlite"
  url      = "file:./app.db"
}

type Auth {
  id Int
  @@auth
}

model Note {
  id      Int    @id @default(autoincrement())
  text    String
  ownerId Int
  @@allow('create', auth() != null && auth().id == ownerId)
  @@allow('read', auth().id == ownerId)
}
"#;

struct Served {
    child: Child,
    addr: String,
    lines: mpsc::Receiver<String>,
}

impl Drop for Served {
    // A failed test must not leave the server running.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `zgen serve` on a free port and waits for its address.
// The child is waited for by `stop` or, on failure, by `Drop`.
#[allow(clippy::zombie_processes)]
fn start(dir: &std::path::Path, extra: &[&str]) -> Served {
    std::fs::write(dir.join("schema.zmodel"), SCHEMA).unwrap();
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("zgen"))
        .current_dir(dir)
        .args([
            "serve",
            "--db",
            "sqlite:app.db",
            "--listen",
            "127.0.0.1:0",
            "--color",
            "never",
        ])
        .args(extra)
        .env("ZGEN_JWT_SECRET", SECRET)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn zgen serve");
    let stderr = child.stderr.take().unwrap();
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    loop {
        let line = lines
            .recv_timeout(Duration::from_secs(60))
            .expect("zgen serve did not start");
        if let Some(rest) = line.strip_prefix("listening on http://") {
            let addr = rest.split('/').next().unwrap().to_string();
            return Served { child, addr, lines };
        }
    }
}

/// One HTTP/1.1 request on a fresh connection.
fn http(
    addr: &str,
    method: &str,
    path: &str,
    body: Option<&str>,
    token: Option<&str>,
) -> (u16, Json) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let body = body.unwrap_or("");
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\n{auth}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, payload) = response.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, serde_json::from_str(payload).unwrap_or(Json::Null))
}

fn token(id: i64) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &json!({"id": id, "exp": now + 600}),
        &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap()
}

fn stop(mut served: Served) -> Vec<String> {
    let status = Command::new("kill")
        .args(["-TERM", &served.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = served.child.wait().unwrap();
    assert!(exit.success(), "exit status {exit}");
    // The reader thread ends when the pipe closes.
    served.lines.iter().collect()
}

#[test]
fn serve_pushes_serves_over_tcp_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let served = start(dir.path(), &["--push", "--prefix", "/api/model"]);
    let addr = served.addr.clone();

    let (status, body) = http(&addr, "GET", "/health", None, None);
    assert_eq!((status, body), (200, json!({"status": "ok"})));

    let alice = token(1);
    let (status, body) = http(
        &addr,
        "POST",
        "/api/model/note/create",
        Some(r#"{"data":{"text":"hi","ownerId":1}}"#),
        Some(&alice),
    );
    assert_eq!(
        (status, body),
        (201, json!({"data": {"id": 1, "text": "hi", "ownerId": 1}}))
    );
    let (status, body) = http(&addr, "GET", "/api/model/note/count", None, Some(&token(2)));
    assert_eq!((status, body), (200, json!({"data": 0})));
    let (status, body) = http(
        &addr,
        "GET",
        "/api/model/note/findMany?q=%7B%22select%22%3A%7B%22text%22%3Atrue%7D%7D",
        None,
        Some(&alice),
    );
    assert_eq!((status, body), (200, json!({"data": [{"text": "hi"}]})));
    // Anonymous create: policy; forged token: 401; wrong prefix: 404.
    let (status, _) = http(
        &addr,
        "POST",
        "/api/model/note/create",
        Some(r#"{"data":{"text":"x","ownerId":1}}"#),
        None,
    );
    assert_eq!(status, 403);
    let forged = format!("{}x", alice);
    let (status, _) = http(&addr, "GET", "/api/model/note/count", None, Some(&forged));
    assert_eq!(status, 401);
    let (status, _) = http(&addr, "GET", "/other/note/count", None, None);
    assert_eq!(status, 404);

    let logs = stop(served);
    let text = logs.join("\n");
    assert!(text.contains("stopped"), "{text}");
    // Request logs name method, path and status, never the token.
    assert!(text.contains("/api/model/note/create"), "{text}");
    assert!(!text.contains(&alice), "token in logs");
}

#[test]
fn serve_refuses_a_missing_database_without_push() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("schema.zmodel"), SCHEMA).unwrap();
    let out = Command::new(assert_cmd::cargo::cargo_bin("zgen"))
        .current_dir(dir.path())
        .args([
            "serve",
            "--db",
            "sqlite:missing.db",
            "--listen",
            "127.0.0.1:0",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("does not exist"), "{stderr}");
    assert!(!dir.path().join("missing.db").exists());
}

#[test]
fn serve_refuses_inconsistent_key_flags() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("schema.zmodel"), SCHEMA).unwrap();
    for args in [
        vec!["--jwt-alg", "RS256"],
        vec!["--jwt-public-key", "nope.pem"],
        vec!["--jwt-secret-env", "ZGEN_TEST_SURELY_UNSET"],
    ] {
        let out = Command::new(assert_cmd::cargo::cargo_bin("zgen"))
            .current_dir(dir.path())
            .args([
                "serve",
                "--db",
                "sqlite:app.db",
                "--push",
                "--listen",
                "127.0.0.1:0",
            ])
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}
