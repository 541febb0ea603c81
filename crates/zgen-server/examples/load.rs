//! A bounded load test of a ZenStack-protocol server (`zgen serve` or
//! ZenStack's own) on loopback: N clients, each signed in as its own user,
//! run a mix of reads and writes under the access rules for a fixed time,
//! and every answer is checked against the rules.
//!
//! ```text
//! cargo run --release -p zgen-server --example load -- \
//!     --url http://127.0.0.1:8080/api/model --secret "$ZGEN_JWT_SECRET" \
//!     [--clients 8] [--seconds 30] [--label zgen]
//! ```
//!
//! The server must serve `bench/zenstack-load/schema.zmodel` on an empty
//! database. Only loopback URLs are accepted. Output: one summary line per
//! run and a JSON line with the figures.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{json, Value as Json};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

type Http = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

struct Options {
    url: String,
    secret: String,
    clients: usize,
    seconds: u64,
    label: String,
}

fn options() -> Options {
    let mut o = Options {
        url: String::new(),
        secret: String::new(),
        clients: 8,
        seconds: 30,
        label: "server".into(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--url" => o.url = value,
            "--secret" => o.secret = value,
            "--clients" => o.clients = value.parse().expect("--clients"),
            "--seconds" => o.seconds = value.parse().expect("--seconds"),
            "--label" => o.label = value,
            other => panic!("unknown flag {other}"),
        }
    }
    let host = o
        .url
        .strip_prefix("http://")
        .and_then(|r| r.split(['/', ':']).next())
        .unwrap_or("");
    assert!(
        host == "localhost" || host == "[" || host.starts_with("127."),
        "only loopback URLs: {}",
        o.url
    );
    assert!(!o.secret.is_empty(), "--secret is required");
    assert!(o.seconds <= 300, "at most 300 seconds");
    o
}

fn token(secret: &str, id: i64) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &json!({"id": id, "exp": now + 3600}),
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

fn encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// One request; the status and the JSON body.
async fn call(
    http: &Http,
    method: &str,
    url: &str,
    body: Option<&Json>,
    token: &str,
) -> (u16, Json) {
    let req = hyper::Request::builder()
        .method(method)
        .uri(url)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(
            body.map(Json::to_string).unwrap_or_default(),
        )))
        .unwrap();
    match http.request(req).await {
        Ok(res) => {
            let status = res.status().as_u16();
            let bytes = res.into_body().collect().await.map(|b| b.to_bytes());
            let json = bytes
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok())
                .unwrap_or(Json::Null);
            (status, json)
        }
        Err(_) => (0, Json::Null),
    }
}

/// A GET or DELETE with `q` = `args`.
async fn query(http: &Http, method: &str, url: &str, args: &Json, token: &str) -> (u16, Json) {
    let url = format!("{url}?q={}", encode(&args.to_string()));
    call(http, method, &url, None, token).await
}

/// A small deterministic generator, one per client.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
}

#[derive(Default)]
struct Tally {
    latencies_us: Vec<u64>,
    failures: u64,
    violations: u64,
}

struct Shared {
    base: String,
    max_post: AtomicI64,
    deadline: Instant,
    printed: AtomicU64,
}

impl Shared {
    fn report(&self, what: &str) {
        if self.printed.fetch_add(1, Ordering::Relaxed) < 10 {
            eprintln!("{what}");
        }
    }
}

/// A row the client may see: published, or its own.
fn visible(row: &Json, me: i64) -> bool {
    row["published"] == json!(true) || row["authorId"] == json!(me)
}

async fn client(http: Http, shared: Arc<Shared>, me: i64, token: String, seed: u64) -> Tally {
    let base = &shared.base;
    let mut rng = Lcg(seed);
    let mut mine: Vec<i64> = Vec::new();
    // Warm-up: some posts of one's own, half published (not timed).
    for i in 0..10 {
        let body = json!({"data": {"title": format!("warm {me} {i}"), "published": i % 2 == 0, "authorId": me}, "select": {"id": true}});
        let (status, res) = call(
            &http,
            "POST",
            &format!("{base}/post/create"),
            Some(&body),
            &token,
        )
        .await;
        assert_eq!(status, 201, "warm-up create: {res}");
        let id = res["data"]["id"].as_i64().unwrap();
        shared.max_post.fetch_max(id, Ordering::Relaxed);
        mine.push(id);
    }
    let mut tally = Tally::default();
    while Instant::now() < shared.deadline {
        let pick = rng.next(100);
        let started = Instant::now();
        let (ok, violation, what) = if pick < 40 {
            let q = json!({"take": 20, "orderBy": {"id": "desc"},
                "select": {"id": true, "authorId": true, "published": true, "author": {"select": {"email": true}}}});
            let (s, res) = query(&http, "GET", &format!("{base}/post/findMany"), &q, &token).await;
            let rows = res["data"].as_array().cloned().unwrap_or_default();
            (
                s == 200,
                rows.iter().any(|r| !visible(r, me)),
                format!("findMany {s}"),
            )
        } else if pick < 55 {
            let id = 1 + rng.next(shared.max_post.load(Ordering::Relaxed).max(1) as u64) as i64;
            let q = json!({"where": {"id": id}, "select": {"id": true, "authorId": true, "published": true}});
            let (s, res) =
                query(&http, "GET", &format!("{base}/post/findUnique"), &q, &token).await;
            let row = &res["data"];
            (
                s == 200,
                !row.is_null() && !visible(row, me),
                format!("findUnique {s} {res}"),
            )
        } else if pick < 65 {
            let q = json!({"where": {"published": false}});
            let (s, res) = query(&http, "GET", &format!("{base}/post/count"), &q, &token).await;
            // Only one's own drafts are countable.
            let drafts = res["data"].as_i64().unwrap_or(-1);
            (
                s == 200,
                drafts > mine.len() as i64,
                format!("count {s} {res}"),
            )
        } else if pick < 80 {
            let body = json!({"data": {"title": "load", "published": rng.next(2) == 0, "authorId": me}, "select": {"id": true, "authorId": true}});
            let (s, res) = call(
                &http,
                "POST",
                &format!("{base}/post/create"),
                Some(&body),
                &token,
            )
            .await;
            if let Some(id) = res["data"]["id"].as_i64() {
                shared.max_post.fetch_max(id, Ordering::Relaxed);
                mine.push(id);
            }
            (
                s == 201,
                s == 201 && res["data"]["authorId"] != json!(me),
                format!("create {s} {res}"),
            )
        } else if pick < 90 {
            let id = mine[rng.next(mine.len() as u64) as usize];
            let body = json!({"where": {"id": id}, "data": {"views": {"increment": 1}}, "select": {"views": true}});
            let (s, res) = call(
                &http,
                "PUT",
                &format!("{base}/post/update"),
                Some(&body),
                &token,
            )
            .await;
            (s == 200, false, format!("update own {s} {res}"))
        } else if pick < 95 {
            // Someone else's post: must not be found for update.
            let id = 1 + rng.next(shared.max_post.load(Ordering::Relaxed).max(1) as u64) as i64;
            let body = json!({"where": {"id": id}, "data": {"title": "hijacked"}});
            let (s, res) = call(
                &http,
                "PUT",
                &format!("{base}/post/update"),
                Some(&body),
                &token,
            )
            .await;
            if mine.contains(&id) {
                (s == 200, false, format!("update own {s} {res}"))
            } else {
                (s == 404, s == 200, format!("update other {s} {res}"))
            }
        } else {
            // Delete one of one's own posts, keeping a few.
            if mine.len() > 5 {
                let id = mine.swap_remove(rng.next(mine.len() as u64) as usize);
                let q = json!({"where": {"id": id}, "select": {"id": true}});
                let (s, res) =
                    query(&http, "DELETE", &format!("{base}/post/delete"), &q, &token).await;
                (s == 200, false, format!("delete {s} {res}"))
            } else {
                let (s, res) =
                    call(&http, "GET", &format!("{base}/user/count"), None, &token).await;
                (s == 200, false, format!("user count {s} {res}"))
            }
        };
        tally
            .latencies_us
            .push(u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX));
        if !ok {
            tally.failures += 1;
            shared.report(&format!("failed: {what}"));
        }
        if violation {
            tally.violations += 1;
            shared.report(&format!("POLICY VIOLATION: {what}"));
        }
    }
    tally
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)] as f64 / 1000.0
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let o = options();
    let http: Http = Client::builder(TokioExecutor::new())
        .pool_idle_timeout(Duration::from_secs(30))
        .build_http();
    let base = o.url.trim_end_matches('/').to_string();
    let nonce = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    // One user per client, created as a signed-in stranger so the new row
    // can be read back.
    let stranger = token(&o.secret, 0);
    let mut users = Vec::new();
    for c in 0..o.clients {
        let body = json!({"data": {"email": format!("load-{nonce}-{c}@example.com")}, "select": {"id": true}});
        let (status, res) = call(
            &http,
            "POST",
            &format!("{base}/user/create"),
            Some(&body),
            &stranger,
        )
        .await;
        assert_eq!(status, 201, "create user: {res}");
        users.push(res["data"]["id"].as_i64().unwrap());
    }
    let shared = Arc::new(Shared {
        base,
        max_post: AtomicI64::new(1),
        deadline: Instant::now() + Duration::from_secs(o.seconds),
        printed: AtomicU64::new(0),
    });
    let started = Instant::now();
    let tasks: Vec<_> = users
        .iter()
        .enumerate()
        .map(|(i, &id)| {
            tokio::spawn(client(
                http.clone(),
                Arc::clone(&shared),
                id,
                token(&o.secret, id),
                0x9e37_79b9_7f4a_7c15 ^ i as u64,
            ))
        })
        .collect();
    let mut all = Tally::default();
    for t in tasks {
        let tally = t.await.unwrap();
        all.latencies_us.extend(tally.latencies_us);
        all.failures += tally.failures;
        all.violations += tally.violations;
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.latencies_us.sort_unstable();
    let n = all.latencies_us.len();
    let summary = json!({
        "label": o.label, "clients": o.clients, "seconds": o.seconds, "requests": n,
        "throughput_rps": (n as f64 / elapsed).round(),
        "p50_ms": percentile(&all.latencies_us, 50.0), "p90_ms": percentile(&all.latencies_us, 90.0),
        "p99_ms": percentile(&all.latencies_us, 99.0), "max_ms": percentile(&all.latencies_us, 100.0),
        "failed": all.failures, "policy_violations": all.violations,
    });
    println!(
        "{}: {} requests in {:.1} s = {} req/s; p50 {} ms, p99 {} ms; {} failed, {} policy violations",
        o.label, n, elapsed, summary["throughput_rps"], summary["p50_ms"], summary["p99_ms"], all.failures, all.violations
    );
    println!("{summary}");
}
