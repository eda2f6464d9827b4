#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types,
    missing_docs
)]
//! `yubin-load` against the `mailserver` binary, both as real processes:
//! every mode runs clean on small counts, and 10,000 IMAP connections log
//! in, SELECT and IDLE at once, with the server's memory per connection
//! measured.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PASSWORD: &str = "load test password";

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("yubin-load-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running `mailserver` process; killed on drop.
struct Server {
    child: Child,
    smtp: u16,
    pop3: u16,
    imap: u16,
    dir: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Writes a config with plaintext logins allowed (loopback load, as the
/// comparison runs Dovecot with `ssl = no`) and room for `connections`,
/// adds the account `demo`, and starts the server.
fn server(name: &str, connections: usize) -> Server {
    let dir = temp_dir(name);
    let (smtp, pop3, imap) = (free_port(), free_port(), free_port());
    let config = format!(
        "data_dir = {data:?}\nhostname = \"mail.example.test\"\ndomains = [\"example.test\"]\n\
demo_account = false\nlog = \"warn\"\n\
[ports]\nsmtp = {smtp}\nsubmission = {sub}\nsubmissions = {subs}\npop3 = {pop3}\npop3s = {pop3s}\n\
imap = {imap}\nimaps = {imaps}\n\
[tls]\ndanger_allow_plaintext_auth = true\n\
[limits]\nmax_connections = {max}\nmax_connections_per_ip = {max}\n",
        data = dir.join("data").to_string_lossy(),
        sub = free_port(),
        subs = free_port(),
        pop3s = free_port(),
        imaps = free_port(),
        max = connections + 100,
    );
    let file = dir.join("mailserver.toml");
    std::fs::write(&file, config).unwrap();
    let file = file.to_string_lossy().into_owned();
    let out = Command::new(env!("CARGO_BIN_EXE_mailserver"))
        .args(["--config", &file, "adduser", "demo", "--password", PASSWORD])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "adduser: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let child = Command::new(env!("CARGO_BIN_EXE_mailserver"))
        .args(["--config", &file])
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let s = Server {
        child,
        smtp,
        pop3,
        imap,
        dir,
    };
    let until = Instant::now() + Duration::from_secs(60);
    for port in [smtp, pop3, imap] {
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < until,
                "the server did not open port {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    s
}

/// The fields of yubin-load's `RESULT` line.
#[derive(Debug)]
struct Result {
    ops: u64,
    errors: u64,
    rate: f64,
    per_conn_kib: Option<f64>,
    text: String,
}

fn load(args: &[&str]) -> Result {
    let out = Command::new(env!("CARGO_BIN_EXE_yubin-load"))
        .args(args)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = text
        .lines()
        .find(|l| l.starts_with("RESULT "))
        .unwrap_or_else(|| panic!("no RESULT line: {text}\n{stderr}"));
    let field = |k: &str| {
        line.split_whitespace()
            .find_map(|f| f.strip_prefix(&format!("{k}=")))
            .unwrap_or_else(|| panic!("no {k} in {line}"))
            .to_owned()
    };
    Result {
        ops: field("ops").parse().unwrap(),
        errors: field("errors").parse().unwrap(),
        rate: field("rate").parse().unwrap(),
        per_conn_kib: field("mem_per_conn_kib").parse().ok(),
        text: format!("{text}{stderr}"),
    }
}

fn addr(port: u16) -> String {
    format!("127.0.0.1:{port}")
}

fn maildir_count(dir: &Path) -> usize {
    let new = dir.join("data/mail/demo/new");
    let cur = dir.join("data/mail/demo/cur");
    [new, cur]
        .iter()
        .map(|d| std::fs::read_dir(d).map_or(0, |r| r.count()))
        .sum()
}

#[test]
fn every_mode_runs_clean_against_the_mailserver() {
    let s = server("modes", 100);
    let smtp = addr(s.smtp);
    // SMTP, a new connection per message, then reused connections.
    for per in ["1", "10"] {
        let r = load(&[
            "smtp",
            "--server",
            &smtp,
            "--from",
            "load@example.org",
            "--to",
            "demo@example.test",
            "--connections",
            "4",
            "--messages",
            "40",
            "--per-connection",
            per,
        ]);
        assert_eq!((r.ops, r.errors), (40, 0), "{}", r.text);
        assert!(r.rate > 0.0);
    }
    assert_eq!(maildir_count(&s.dir), 80, "every message is in the Maildir");

    let r = load(&[
        "pop3",
        "--server",
        &addr(s.pop3),
        "--user",
        "demo",
        "--password",
        PASSWORD,
        // One account, one session at a time: a POP3 maildrop is locked
        // by its session (RFC 1939 §8); --users spreads wider loads.
        "--connections",
        "1",
        "--sessions",
        "40",
    ]);
    assert_eq!((r.ops, r.errors), (40, 0), "{}", r.text);

    let r = load(&[
        "imap",
        "--server",
        &addr(s.imap),
        "--user",
        "demo",
        "--password",
        PASSWORD,
        "--connections",
        "4",
        "--commands",
        "400",
    ]);
    assert_eq!((r.ops, r.errors), (400, 0), "{}", r.text);

    // A wrong password is counted as an error, not hidden.
    let r = load(&[
        "pop3",
        "--server",
        &addr(s.pop3),
        "--user",
        "demo",
        "--password",
        "wrong",
        "--sessions",
        "2",
    ]);
    assert_eq!((r.ops, r.errors), (0, 2), "{}", r.text);
    // RETR never deleted anything.
    assert_eq!(maildir_count(&s.dir), 80);
}

#[test]
fn a_remote_target_is_refused_without_the_flag() {
    let out = Command::new(env!("CARGO_BIN_EXE_yubin-load"))
        .args([
            "pop3",
            "--server",
            "192.0.2.1:110",
            "--user",
            "u",
            "--password",
            "p",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--allow-remote"));
}

/// Issue 9's memory test: 10,000 concurrent IMAP connections, each logged
/// in, with INBOX selected and IDLE running, held together; the server's
/// memory per connection is printed. It takes minutes on unoptimised
/// binaries, so it runs on request, in release:
///
/// ```text
/// cargo test --release -p yubin-examples --test load -- --ignored --nocapture
/// ```
#[test]
#[ignore = "minutes long: run with --release -- --ignored"]
fn ten_thousand_idle_imap_connections() {
    const N: usize = 10_000;
    let s = server("idle", N);
    // One message, so SELECT has something to report.
    let r = load(&[
        "smtp",
        "--server",
        &addr(s.smtp),
        "--from",
        "load@example.org",
        "--to",
        "demo@example.test",
        "--messages",
        "1",
    ]);
    assert_eq!(r.errors, 0, "{}", r.text);
    let pid = s.child.id().to_string();
    let n = N.to_string();
    let r = load(&[
        "--time-limit",
        "300",
        "--pid",
        &pid,
        "idle",
        "--server",
        &addr(s.imap),
        "--user",
        "demo",
        "--password",
        PASSWORD,
        "--connections",
        &n,
        "--hold",
        "2",
    ]);
    assert_eq!((r.ops, r.errors), (N as u64, 0), "{}", r.text);
    let per = r.per_conn_kib.expect("memory measured");
    println!(
        "{N} idle IMAP connections: {per:.1} KiB of server memory each\n{}",
        r.text
    );
    // The server stays up and serves a new client afterwards.
    let mut greeting = String::new();
    BufReader::new(TcpStream::connect(("127.0.0.1", s.imap)).unwrap())
        .read_line(&mut greeting)
        .unwrap();
    assert!(greeting.starts_with("* OK"), "{greeting}");
}
