//! The `portalen` binary as a user runs it.

#![expect(
    clippy::expect_used,
    reason = "a broken fixture should fail the test loudly"
)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn portalen() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_portalen"));
    // These tests run the embedded database whatever the suite runs on.
    command.env_remove("DATABASE_URL").env("LOG_FORMAT", "json");
    command
}

fn schema_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql")
}

#[test]
fn the_committed_schema_is_what_portalen_schema_prints() {
    let output = portalen()
        .arg("schema")
        .output()
        .expect("run portalen schema");
    assert!(output.status.success());
    let printed = String::from_utf8(output.stdout).expect("utf-8");
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(schema_path(), &printed).expect("write schema.graphql");
    }
    let committed = std::fs::read_to_string(schema_path()).expect("read schema.graphql");
    assert!(
        committed == printed,
        "schema.graphql differs from the code; review the change and run \
         `UPDATE_SCHEMA=1 cargo test --test cli` to update it"
    );
}

#[test]
fn a_bad_setting_stops_the_binary_with_a_clear_message() {
    let output = portalen()
        .env("BIND_ADDR", "not-an-address")
        .output()
        .expect("run");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("bind-addr") || stderr.contains("BIND_ADDR"),
        "{stderr}"
    );

    let output = portalen()
        .env("DATABASE_URL", "mysql://nope")
        .arg("migrate")
        .output()
        .expect("run");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("DATABASE_URL must start with"), "{stderr}");
    assert!(
        !stderr.contains("nope"),
        "the URL may hold a password: {stderr}"
    );
}

/// Starts `portalen serve` on a free port and returns it with its address.
fn serve(data_dir: &std::path::Path) -> (Child, String, std::sync::mpsc::Receiver<String>) {
    serve_with(data_dir, &[])
}

/// [`serve`] with more environment.
fn serve_with(
    data_dir: &std::path::Path,
    env: &[(&str, &str)],
) -> (Child, String, std::sync::mpsc::Receiver<String>) {
    let mut child = portalen()
        .envs(env.iter().copied())
        .env("PORTALEN_DATA_DIR", data_dir)
        .env("BIND_ADDR", "127.0.0.1:0")
        .env("WORKERS", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start portalen");
    // Logs are on standard error.
    let stdout = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) else {
            continue;
        };
        let parsed: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
        if let Some(addr) = parsed["fields"]["addr"].as_str() {
            return (child, addr.to_owned(), rx);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("portalen did not report its address");
}

/// POSTs a GraphQL request (`{ "query": ..., "variables": ... }`) to the
/// server at `addr`, with a bearer token if given; the JSON answer.
async fn graphql(addr: &str, token: Option<&str>, request: serde_json::Value) -> serde_json::Value {
    let mut post = reqwest::Client::new()
        .post(format!("http://{addr}/graphql"))
        .json(&request);
    if let Some(token) = token {
        post = post.bearer_auth(token);
    }
    post.send().await.expect("send").json().await.expect("json")
}

/// A data directory with the demo network, and a partner token of `partner`
/// minted by `portalen token`.
fn demo_with_partner_token(partner: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    run_ok(
        portalen()
            .env("PORTALEN_DATA_DIR", dir.path())
            .args(["seed", "--demo"]),
    );
    let token = run_ok(portalen().env("PORTALEN_DATA_DIR", dir.path()).args([
        "token",
        "--partner",
        partner,
        "--role",
        "partner",
    ]))
    .trim()
    .to_owned();
    (dir, token)
}

fn wait_with_timeout(child: &mut Child, timeout: Duration) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

#[tokio::test]
async fn first_start_seeds_the_embedded_database_and_sigterm_shuts_down_cleanly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut child, addr, lines) = serve(dir.path());
    assert!(
        dir.path().join("portalen.db").exists(),
        "the embedded database was not created"
    );

    let query = "{ partnerOrganisations(first: 100) { edges { node { name } } } }";
    let body = graphql(&addr, None, serde_json::json!({ "query": query })).await;
    assert!(body.to_string().contains("HC Vita Hästen"), "{body}");

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("send SIGTERM");
    assert!(status.success());
    let exit = wait_with_timeout(&mut child, Duration::from_secs(20))
        .expect("portalen exits after SIGTERM");
    assert!(exit.success(), "exit status {exit:?}");
    let rest: Vec<String> = lines.try_iter().collect();
    assert!(
        rest.iter().any(|l| l.contains("shutdown complete")),
        "{rest:?}"
    );

    // A second start on the same data directory keeps the data, seeds nothing.
    let (mut child, _addr, _lines) = serve(dir.path());
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let exit = wait_with_timeout(&mut child, Duration::from_secs(20)).expect("exits");
    assert!(exit.success());
}

fn run_ok(command: &mut Command) -> String {
    let output = command.output().expect("run portalen");
    assert!(
        output.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

#[tokio::test]
async fn a_partner_system_gets_a_client_a_token_and_makes_its_first_call() {
    let dir = tempfile::tempdir().expect("tempdir");
    run_ok(
        portalen()
            .env("PORTALEN_DATA_DIR", dir.path())
            .args(["seed", "--demo"]),
    );

    let created: serde_json::Value = serde_json::from_str(&run_ok(
        portalen().env("PORTALEN_DATA_DIR", dir.path()).args([
            "client",
            "create",
            "--partner",
            "arbetsformedlingen",
            "--name",
            "Matchningssystem",
        ]),
    ))
    .expect("json");
    let client_id = created["client_id"].as_str().expect("client_id").to_owned();
    let secret = created["client_secret"]
        .as_str()
        .expect("client_secret")
        .to_owned();

    let (mut child, addr, _lines) = serve(dir.path());
    let http = reqwest::Client::new();
    let token: serde_json::Value = http
        .post(format!("http://{addr}/oauth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client_id.as_str()),
            ("client_secret", secret.as_str()),
            ("scope", "slots:read"),
        ])
        .send()
        .await
        .expect("token request")
        .json()
        .await
        .expect("json");
    let access = token["access_token"]
        .as_str()
        .expect("access token")
        .to_owned();
    let query =
        "{ viewer { role organisation { slug } } openInternshipSlots(first: 3) { totalCount } }";
    let body = graphql(&addr, Some(&access), serde_json::json!({ "query": query })).await;
    assert_eq!(
        body["data"]["viewer"]["organisation"]["slug"], "arbetsformedlingen",
        "{body}"
    );
    assert!(
        body["data"]["openInternshipSlots"]["totalCount"]
            .as_u64()
            .is_some_and(|n| n > 0),
        "{body}"
    );

    // A token minted on the command line with the same development key works too.
    let minted = run_ok(portalen().env("PORTALEN_DATA_DIR", dir.path()).args([
        "token",
        "--partner",
        "vita-hasten",
        "--role",
        "partner",
        "--scopes",
        "slots:read",
    ]));
    let body = graphql(
        &addr,
        Some(minted.trim()),
        serde_json::json!({ "query": "{ viewer { scopes organisation { slug } } }" }),
    )
    .await;
    assert_eq!(
        body["data"]["viewer"]["organisation"]["slug"], "vita-hasten",
        "{body}"
    );
    assert_eq!(
        body["data"]["viewer"]["scopes"],
        serde_json::json!(["slots:read"])
    );

    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let exit = wait_with_timeout(&mut child, Duration::from_secs(20)).expect("exits");
    assert!(exit.success());
}

#[test]
fn a_token_is_never_minted_beyond_the_grant_or_without_a_subject() {
    let dir = tempfile::tempdir().expect("tempdir");
    run_ok(
        portalen()
            .env("PORTALEN_DATA_DIR", dir.path())
            .args(["seed", "--demo"]),
    );
    for (args, expected) in [
        (
            vec![
                "token",
                "--partner",
                "vita-hasten",
                "--role",
                "partner",
                "--scopes",
                "participants:pii",
            ],
            "not granted",
        ),
        (
            vec![
                "token",
                "--partner",
                "vita-hasten",
                "--role",
                "administrator",
            ],
            "administrators",
        ),
        (
            vec!["token", "--partner", "vita-hasten", "--role", "employer"],
            "--subject",
        ),
        (
            vec!["token", "--partner", "no-such-org", "--role", "partner"],
            "not found",
        ),
        (
            vec!["token", "--partner", "vita-hasten", "--role", "king"],
            "unknown role",
        ),
    ] {
        let output = portalen()
            .env("PORTALEN_DATA_DIR", dir.path())
            .args(&args)
            .output()
            .expect("run");
        assert!(!output.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?} printed a token");
    }
}

#[test]
fn a_retention_dry_run_reports_and_changes_nothing_and_a_real_run_applies_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    run_ok(
        portalen()
            .env("PORTALEN_DATA_DIR", dir.path())
            .args(["seed", "--demo"]),
    );
    let dry_run = || -> serde_json::Value {
        let out = run_ok(portalen().env("PORTALEN_DATA_DIR", dir.path()).args([
            "retention",
            "run",
            "--dry-run",
            "--days",
            "30",
        ]));
        serde_json::from_str(out.trim()).expect("json")
    };
    // Two participants went inactive long ago.
    let db_path = dir.path().join("portalen.db");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        use sea_orm::ConnectionTrait;
        let db = sea_orm::Database::connect(format!("sqlite://{}", db_path.display()))
            .await
            .expect("open");
        db.execute_unprepared(
            "UPDATE participant SET status = 'inactive', updated_at = '2020-01-01T00:00:00+00:00' \
             WHERE id IN (SELECT id FROM participant WHERE id NOT IN (SELECT participant_id FROM placement) \
             AND id NOT IN (SELECT participant_id FROM mentorship) ORDER BY id LIMIT 2)",
        )
        .await
        .expect("age two participants");
        db.close().await.expect("close");
    });
    let first = dry_run();
    assert_eq!(first["dry_run"], true, "{first}");
    assert_eq!(first["would_anonymise"], 2, "{first}");
    assert_eq!(first["anonymised"], 0, "{first}");
    let ids = first["participant_ids"].as_array().expect("ids").len();
    assert_eq!(first["would_anonymise"], ids);
    let second = dry_run();
    assert_eq!(
        first["participant_ids"], second["participant_ids"],
        "a dry run changes nothing"
    );

    let out = run_ok(portalen().env("PORTALEN_DATA_DIR", dir.path()).args([
        "retention",
        "run",
        "--days",
        "30",
    ]));
    let run: serde_json::Value = serde_json::from_str(out.trim()).expect("json");
    assert_eq!(run["anonymised"], ids, "{run}");
    assert_eq!(dry_run()["would_anonymise"], 0, "nothing left to do");

    // One retention event per participant anonymised, none for the dry runs.
    let events = runtime.block_on(audit_trail(dir.path(), "participant"));
    let mut retired: Vec<&serde_json::Value> = events
        .iter()
        .filter(|e| e["kind"] == "RETENTION")
        .map(|e| {
            assert_eq!(e["actor"], "system:retention", "{e}");
            assert_eq!(e["operation"], "retention run", "{e}");
            &e["entityId"]
        })
        .collect();
    retired.sort_by_key(|id| id.to_string());
    let mut expected: Vec<&serde_json::Value> = run["participant_ids"]
        .as_array()
        .expect("ids")
        .iter()
        .collect();
    expected.sort_by_key(|id| id.to_string());
    assert_eq!(retired, expected, "{events:?}");
}

/// The audit trail on `entity`, as an administrator with `audit:read` reads
/// it through GraphQL from a server on `data_dir`.
async fn audit_trail(data_dir: &std::path::Path, entity: &str) -> Vec<serde_json::Value> {
    let token = run_ok(portalen().env("PORTALEN_DATA_DIR", data_dir).args([
        "token",
        "--partner",
        "hyresbostader",
        "--role",
        "administrator",
        "--scopes",
        "audit:read",
    ]))
    .trim()
    .to_owned();
    let (mut child, addr, _lines) = serve(data_dir);
    let body = graphql(&addr, Some(&token), serde_json::json!({
            "query": "query($entity: String) { auditEvents(filter: { entity: $entity }, first: 100) \
                      { edges { node { actor kind operation entity entityId fields } } } }",
            "variables": { "entity": entity },
        })).await;
    let _ = child.kill();
    let _ = child.wait();
    body["data"]["auditEvents"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|edge| edge["node"].clone())
        .collect()
}

#[tokio::test]
async fn client_create_on_the_command_line_is_audited_and_a_refused_one_is_not() {
    let dir = tempfile::tempdir().expect("tempdir");
    run_ok(
        portalen()
            .env("PORTALEN_DATA_DIR", dir.path())
            .args(["seed", "--demo"]),
    );
    let refused = portalen()
        .env("PORTALEN_DATA_DIR", dir.path())
        .args([
            "client",
            "create",
            "--partner",
            "no-such-partner",
            "--name",
            "X",
        ])
        .output()
        .expect("run portalen");
    assert!(!refused.status.success(), "an unknown partner is refused");
    let created: serde_json::Value = serde_json::from_str(&run_ok(
        portalen().env("PORTALEN_DATA_DIR", dir.path()).args([
            "client",
            "create",
            "--partner",
            "arbetsformedlingen",
            "--name",
            "Matchningssystem",
        ]),
    ))
    .expect("json");
    assert!(created["client_id"].is_string(), "{created}");

    let events = audit_trail(dir.path(), "api_client").await;
    assert_eq!(
        events.len(),
        1,
        "one event, none for the refused create: {events:?}"
    );
    let event = &events[0];
    assert_eq!(event["actor"], "system:cli", "{event}");
    assert_eq!(event["kind"], "MUTATION", "{event}");
    assert_eq!(event["operation"], "client create", "{event}");
    assert_eq!(
        event["fields"],
        serde_json::json!(["name", "partner", "role", "scopes"]),
        "field names, never the secret: {event}"
    );
    assert!(event["entityId"].is_string(), "{event}");
}

#[tokio::test]
async fn logs_are_json_lines_with_request_fields_and_never_a_token_or_a_personal_value() {
    let (dir, token) = demo_with_partner_token("norrkopings-kommun");
    // Debug level: the most a log can say.
    let (mut child, addr, lines) = serve_with(dir.path(), &[("LOG_LEVEL", "debug")]);
    let http = reqwest::Client::new();
    let url = format!("http://{addr}/graphql");
    // Synthetic personal values, unique enough to find anywhere.
    let (name, family, email) = ("Qzxlogname", "Qzxlogfamily", "qzx.logtest@example.org");
    let body: serde_json::Value = http
        .post(&url)
        .bearer_auth(&token)
        .json(&serde_json::json!({
            "query": "mutation($input: CreateParticipantInput!) { createParticipant(input: $input) { participant { id displayName familyName email } } }",
            "variables": { "input": { "displayName": name, "familyName": family, "email": email, "consentPurpose": "Loggtest" } }
        }))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(
        body["data"]["createParticipant"]["participant"]["email"], email,
        "{body}"
    );
    // A personal value in a GET's query string, and a wrong token.
    let _ = http
        .get(&url)
        .query(&[
            (
                "query",
                "query($q: String) { participants(filter: { nameContains: $q }) { totalCount } }",
            ),
            ("variables", &format!("{{\"q\":\"{family}\"}}")),
        ])
        .bearer_auth(&token)
        .send()
        .await
        .expect("send");
    let wrong = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJxengifQ.qzxwrongsignature";
    let _ = http
        .post(&url)
        .bearer_auth(wrong)
        .json(&serde_json::json!({ "query": "{ __typename }" }))
        .send()
        .await
        .expect("send");
    std::thread::sleep(Duration::from_millis(300));
    let _ = child.kill();
    let _ = child.wait();
    let logged: Vec<String> = lines.try_iter().collect();

    let mut finished = Vec::new();
    for line in &logged {
        let parsed: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|_| panic!("not a JSON line: {line}"));
        for secret in [
            token.as_str(),
            wrong,
            "qzxwrongsignature",
            name,
            family,
            email,
        ] {
            assert!(
                !line.contains(secret),
                "a log line holds {secret:?}: {line}"
            );
        }
        if parsed["fields"]["message"] == "request finished" {
            finished.push(parsed);
        }
    }
    let mutation = finished
        .iter()
        .find(|l| l["span"]["operation"] == "createParticipant")
        .unwrap_or_else(|| panic!("no line for the mutation: {logged:#?}"));
    assert_eq!(mutation["span"]["organisation"], "norrkopings-kommun");
    assert_eq!(mutation["span"]["role"], "partner");
    assert_eq!(mutation["span"]["status"], 200);
    assert!(mutation["fields"]["duration_ms"].as_f64().is_some());
    assert!(
        mutation["span"]["request_id"]
            .as_str()
            .is_some_and(|id| id.len() == 36)
    );
    assert!(
        finished
            .iter()
            .any(|l| l["span"]["status"] == 401 && l["span"]["path"] == "/graphql"),
        "{finished:#?}"
    );
}

/// A stand-in OpenTelemetry collector: takes OTLP/HTTP posts, keeps
/// (path, body) of each, answers 200.
fn fake_collector() -> (String, std::sync::mpsc::Receiver<(String, Vec<u8>)>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let tx = tx.clone();
            std::thread::spawn(move || {
                let mut buffer = Vec::new();
                let mut chunk = [0u8; 8192];
                loop {
                    let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") else {
                        match stream.read(&mut chunk) {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                        }
                        continue;
                    };
                    let head = String::from_utf8_lossy(&buffer[..end]).to_string();
                    let length: usize = head
                        .lines()
                        .find_map(|l| {
                            let (name, value) = l.split_once(':')?;
                            name.eq_ignore_ascii_case("content-length")
                                .then(|| value.trim().parse().ok())?
                        })
                        .unwrap_or(0);
                    while buffer.len() < end + 4 + length {
                        match stream.read(&mut chunk) {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let path = head
                        .split_whitespace()
                        .nth(1)
                        .unwrap_or_default()
                        .to_owned();
                    let body = buffer[end + 4..end + 4 + length].to_vec();
                    buffer.drain(..end + 4 + length);
                    let _ = tx.send((path, body));
                    let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
                }
            });
        }
    });
    (format!("http://{addr}"), rx)
}

#[tokio::test]
async fn with_an_otlp_endpoint_request_spans_are_exported() {
    let (dir, token) = demo_with_partner_token("abf-ostergotland");
    let (collector, posts) = fake_collector();
    let (mut child, addr, _lines) =
        serve_with(dir.path(), &[("OTEL_EXPORTER_OTLP_ENDPOINT", &collector)]);
    let body = graphql(
        &addr,
        Some(&token),
        serde_json::json!({ "query": "{ participants { totalCount } }" }),
    )
    .await;
    assert!(
        body["data"]["participants"]["totalCount"].is_number(),
        "{body}"
    );
    // The served binary counts its SQL statements.
    let metrics = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    let statements: u64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("portalen_db_statements_total "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no statement counter: {metrics}"));
    assert!(statements >= 2, "auth and the count: {statements}");
    // SIGTERM: the batch is flushed on the way out.
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let exit = wait_with_timeout(&mut child, Duration::from_secs(20)).expect("exits");
    assert!(exit.success());
    let (path, body) = posts
        .recv_timeout(Duration::from_secs(10))
        .expect("the collector got spans");
    assert_eq!(path, "/v1/traces");
    let contains = |needle: &str| body.windows(needle.len()).any(|w| w == needle.as_bytes());
    for expected in [
        "portalen-api",
        "request",
        "participants",
        "abf-ostergotland",
    ] {
        assert!(contains(expected), "the export lacks {expected:?}");
    }
    assert!(!contains(&token), "a token was exported");
}

#[test]
fn the_development_key_is_pkcs8_v1_that_openssl_reads_and_an_openssl_key_signs_tokens() {
    let dir = tempfile::tempdir().expect("tempdir");
    run_ok(
        portalen()
            .env("PORTALEN_DATA_DIR", dir.path())
            .env_remove("JWT_SIGNING_KEY")
            .args(["seed", "--demo"]),
    );
    run_ok(
        portalen()
            .env("PORTALEN_DATA_DIR", dir.path())
            .env_remove("JWT_SIGNING_KEY")
            .args([
                "token",
                "--partner",
                "hyresbostader",
                "--role",
                "administrator",
            ]),
    );
    let key = dir.path().join("jwt-signing-key.pem");
    let inspected = Command::new("openssl")
        .args(["pkey", "-noout", "-text", "-in"])
        .arg(&key)
        .output()
        .expect("run openssl (Debian's openssl package)");
    assert!(
        inspected.status.success(),
        "openssl refuses the development key: {}",
        String::from_utf8_lossy(&inspected.stderr)
    );
    assert!(String::from_utf8_lossy(&inspected.stdout).contains("ED25519 Private-Key"));

    // A key made by OpenSSL is used as it is.
    let openssl_key = dir.path().join("openssl-key.pem");
    let made = Command::new("openssl")
        .args(["genpkey", "-algorithm", "ed25519", "-out"])
        .arg(&openssl_key)
        .status()
        .expect("run openssl");
    assert!(made.success());
    let token = run_ok(
        portalen()
            .env("PORTALEN_DATA_DIR", dir.path())
            .env("JWT_SIGNING_KEY", &openssl_key)
            .args([
                "token",
                "--partner",
                "hyresbostader",
                "--role",
                "administrator",
            ]),
    );
    assert!(token.trim().starts_with("eyJ"), "{token}");
}

#[test]
fn durations_read_as_people_write_them_and_an_unreachable_database_says_where_and_why() {
    let dir = tempfile::tempdir().expect("tempdir");
    run_ok(
        portalen()
            .env("PORTALEN_DATA_DIR", dir.path())
            .args(["seed", "--demo"]),
    );
    let claims = |token: &str| -> serde_json::Value {
        use base64::Engine;
        let payload = token.trim().split('.').nth(1).expect("a JWT");
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .expect("base64url");
        serde_json::from_slice(&bytes).expect("claims")
    };
    for (ttl, seconds) in [("15m", 900), ("1h", 3600), ("120", 120)] {
        let token = run_ok(portalen().env("PORTALEN_DATA_DIR", dir.path()).args([
            "token",
            "--partner",
            "hyresbostader",
            "--role",
            "administrator",
            "--ttl",
            ttl,
        ]));
        let claims = claims(&token);
        assert_eq!(
            claims["exp"].as_i64().expect("exp") - claims["iat"].as_i64().expect("iat"),
            seconds,
            "{ttl}"
        );
    }
    let output = portalen()
        .env("PORTALEN_DATA_DIR", dir.path())
        .args([
            "token",
            "--partner",
            "hyresbostader",
            "--role",
            "administrator",
            "--ttl",
            "2d",
        ])
        .output()
        .expect("run");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("86400"));

    // A port nothing listens on: closed at once.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let output = portalen()
        .env(
            "DATABASE_URL",
            format!("postgres://portalen:s3cret-password@127.0.0.1:{port}/portalen"),
        )
        .env("DATABASE_ACQUIRE_TIMEOUT", "1s")
        .arg("migrate")
        .output()
        .expect("run");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&format!("127.0.0.1:{port}")), "{stderr}");
    assert!(stderr.contains("connection refused"), "{stderr}");
    assert!(!stderr.contains("s3cret-password"), "{stderr}");
}
