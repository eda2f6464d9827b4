//! What the end-to-end tests share: a temporary data directory, a server
//! on free loopback ports, a line client for SMTP, POP3 and IMAP over any
//! stream, TLS without certificate checks, logins, and the checks for
//! external clients (python3, curl).
// Each test file uses a different part of this module.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use tokio::io::{
    AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader, ReadHalf,
    WriteHalf,
};
use tokio::net::TcpStream;
use yubin_examples::server::{self, Config, Ports, Running};
use yubin_tokio::ClientTls;

/// A fresh, empty directory for one test (`name` tells the tests apart,
/// the process id the test binaries).
pub(crate) fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("yubin-e2e-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Every port 0 (the system picks free ones).
pub(crate) const ANY_PORTS: Ports = Ports {
    smtp: 0,
    submission: 0,
    submissions: 0,
    pop3: 0,
    pop3s: 0,
    imap: 0,
    imaps: 0,
};

/// A server for `domain` (host `mail.<domain>`) with its data under `dir`.
pub(crate) fn config_for(dir: &Path, domain: &str) -> Config {
    Config {
        data_dir: dir.to_owned(),
        hostname: format!("mail.{domain}"),
        domains: vec![domain.into()],
        ports: ANY_PORTS,
        ..Config::default()
    }
}

/// A server for `example.test` with its data under `dir`.
pub(crate) fn config(dir: &Path) -> Config {
    config_for(dir, "example.test")
}

/// Starts [`config`]`(dir)`.
pub(crate) async fn start(dir: &Path) -> Running {
    server::start(config(dir)).await.unwrap()
}

/// The demo account and its password.
pub(crate) fn demo(r: &Running) -> (String, String) {
    r.demo.clone().unwrap()
}

/// A loopback port nothing listens on (for now).
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Whether `cmd arg` runs and succeeds (`python3 --version`).
pub(crate) fn have(cmd: &str, arg: &str) -> bool {
    Command::new(cmd)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Whether python3 is there; says so when it is not (the test then skips).
pub(crate) fn have_python(test: &str) -> bool {
    let ok = have("python3", "--version");
    if !ok {
        eprintln!("skipped {test}: python3 not found");
    }
    ok
}

/// Runs a Python script with `args` (sys.argv[1:]); panics with its output
/// when it fails. Returns its standard output.
pub(crate) fn python(script: &str, args: &[String]) -> String {
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "python failed\nstdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// A client TLS stream.
pub(crate) type Tls = tokio_rustls::client::TlsStream<TcpStream>;

/// Connects with TLS to `addr`, accepting any certificate.
pub(crate) async fn tls_connect(addr: std::net::SocketAddr) -> Tls {
    let tcp = TcpStream::connect(addr).await.unwrap();
    let connector = ClientTls::DangerAcceptAnyCertificate.connector().unwrap();
    let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
    connector.connect(name, tcp).await.unwrap()
}

/// Standard base64 (for AUTH PLAIN).
pub(crate) fn base64(data: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in data.chunks(3) {
        let b = [c[0], *c.get(1).unwrap_or(&0), *c.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= c.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A line-oriented client over any stream.
pub(crate) struct Client<S> {
    r: BufReader<ReadHalf<S>>,
    w: WriteHalf<S>,
}

impl<S: AsyncRead + AsyncWrite> Client<S> {
    pub(crate) fn new(s: S) -> Self {
        let (r, w) = tokio::io::split(s);
        Self {
            r: BufReader::new(r),
            w,
        }
    }

    /// One line (CRLF kept), within 20 s.
    pub(crate) async fn line(&mut self) -> String {
        let mut l = String::new();
        tokio::time::timeout(Duration::from_secs(20), self.r.read_line(&mut l))
            .await
            .expect("reply in time")
            .unwrap();
        l
    }

    /// One line, or `None` when the connection is closed or fails (a
    /// server being killed).
    pub(crate) async fn try_line(&mut self) -> Option<String> {
        let mut l = String::new();
        match self.r.read_line(&mut l).await {
            Ok(n) if n > 0 => Some(l),
            _ => None,
        }
    }

    pub(crate) async fn send(&mut self, data: &[u8]) {
        self.w.write_all(data).await.unwrap();
        self.w.flush().await.unwrap();
    }

    /// One SMTP reply (all its lines).
    pub(crate) async fn smtp_reply(&mut self) -> String {
        let mut all = String::new();
        loop {
            let l = self.line().await;
            assert!(l.len() >= 4, "short reply {l:?}");
            all.push_str(&l);
            if l.as_bytes()[3] == b' ' {
                return all;
            }
        }
    }

    /// An SMTP command and its reply.
    pub(crate) async fn smtp(&mut self, cmd: &str) -> String {
        self.send(format!("{cmd}\r\n").as_bytes()).await;
        self.smtp_reply().await
    }

    /// A POP3 command and its status line.
    pub(crate) async fn pop(&mut self, cmd: &str) -> String {
        self.send(format!("{cmd}\r\n").as_bytes()).await;
        self.line().await
    }

    /// A POP3 multi-line body, un-dot-stuffed, CRLFs kept (bytes as sent).
    pub(crate) async fn pop_multi(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        loop {
            let mut l = Vec::new();
            tokio::time::timeout(Duration::from_secs(20), self.r.read_until(b'\n', &mut l))
                .await
                .expect("reply in time")
                .unwrap();
            assert!(!l.is_empty(), "connection closed");
            if l == b".\r\n" {
                return out;
            }
            let l = l.strip_prefix(b".").unwrap_or(&l);
            out.extend_from_slice(l);
        }
    }

    /// One IMAP response line with its literals, as raw bytes.
    pub(crate) async fn imap_line(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        loop {
            let mut l = Vec::new();
            tokio::time::timeout(Duration::from_secs(20), self.r.read_until(b'\n', &mut l))
                .await
                .expect("imap reply in time")
                .unwrap();
            assert!(!l.is_empty(), "connection closed");
            out.extend_from_slice(&l);
            let text = String::from_utf8_lossy(&l);
            let Some(n) = text
                .strip_suffix("}\r\n")
                .and_then(|t| t.rsplit_once('{'))
                .and_then(|(_, n)| n.parse::<usize>().ok())
            else {
                return out;
            };
            let mut lit = vec![0; n];
            self.r.read_exact(&mut lit).await.unwrap();
            out.extend_from_slice(&lit);
        }
    }

    /// Sends `tag cmd` and reads up to the tagged completion.
    pub(crate) async fn imap(&mut self, tag: &str, cmd: &str) -> Vec<u8> {
        self.send(format!("{tag} {cmd}\r\n").as_bytes()).await;
        self.imap_until(tag).await
    }

    /// Reads up to the completion tagged `tag`.
    pub(crate) async fn imap_until(&mut self, tag: &str) -> Vec<u8> {
        let mut all = Vec::new();
        loop {
            let l = self.imap_line().await;
            all.extend_from_slice(&l);
            if l.starts_with(format!("{tag} ").as_bytes()) {
                return all;
            }
        }
    }

    /// [`Client::imap`], asserting `OK`; the responses as text.
    pub(crate) async fn imap_ok(&mut self, tag: &str, cmd: &str) -> String {
        let r = String::from_utf8_lossy(&self.imap(tag, cmd).await).into_owned();
        assert!(r.contains(&format!("{tag} OK")), "{cmd}: {r}");
        r
    }
}

/// Logs in as the demo account over IMAPS.
pub(crate) async fn imap_login(r: &Running) -> Client<Tls> {
    let (user, pass) = demo(r);
    let mut c = Client::new(tls_connect(r.addrs.imaps).await);
    assert!(c.imap_line().await.starts_with(b"* OK"));
    c.imap_ok("a", &format!("LOGIN {user} {pass}")).await;
    c
}

/// Logs in as the demo account over POP3S; the PASS reply when refused.
pub(crate) async fn try_pop_login(r: &Running) -> Result<Client<Tls>, String> {
    let (user, pass) = demo(r);
    let mut c = Client::new(tls_connect(r.addrs.pop3s).await);
    assert!(c.line().await.starts_with("+OK"));
    assert!(c.pop(&format!("USER {user}")).await.starts_with("+OK"));
    let rep = c.pop(&format!("PASS {pass}")).await;
    if rep.starts_with("+OK") {
        Ok(c)
    } else {
        Err(rep)
    }
}

/// Logs in as the demo account over POP3S.
pub(crate) async fn pop_login(r: &Running) -> Client<Tls> {
    try_pop_login(r).await.unwrap()
}
