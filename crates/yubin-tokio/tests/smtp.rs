#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types,
    missing_docs
)]
//! yubin-smtp served by yubin-tokio over real loopback sockets.

mod common;

use std::net::SocketAddr;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::BytesMut;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use yubin_sasl::Mechanism;
use yubin_sasl::server::{Answer, Verify};
use yubin_smtp::server::{Config, Connection, Event, Session, Settings};
use yubin_tokio::{
    ClientTls, ConnInfo, ConnLimits, DriveConfig, Handler, Server, ShutdownTrigger, TlsMode,
    entropy,
};

const USER: &str = "alice@example.test";
const PASS: &str = "correct horse battery";

/// Every accepted message, byte for byte.
type Inbox = Arc<Mutex<Vec<Vec<u8>>>>;

struct App {
    inbox: Inbox,
    body: BytesMut,
    log: Arc<Mutex<Vec<String>>>,
}

impl Handler<Session> for App {
    async fn on_event(&mut self, s: &mut Session, event: Event) {
        match event {
            Event::Helo { ticket, .. }
            | Event::MailFrom { ticket, .. }
            | Event::RcptTo { ticket, .. }
            | Event::Connect { ticket, .. } => s.accept(ticket).unwrap(),
            Event::BodyChunk(b) => self.body.extend_from_slice(&b),
            Event::BodyEnd { ticket, .. } => {
                // "Store" the message first, then answer 250.
                tokio::task::yield_now().await;
                self.inbox
                    .lock()
                    .unwrap()
                    .push(std::mem::take(&mut self.body).to_vec());
                s.accept(ticket).unwrap();
            }
            Event::MessageRejected(_) | Event::Reset => self.body.clear(),
            Event::AuthVerify { ticket, verify, .. } => {
                let ok = matches!(&verify, Verify::Password { authcid, password, .. }
                    if authcid == USER && password.expose() == PASS);
                s.answer_auth(ticket, if ok { Answer::Accept } else { Answer::Reject })
                    .unwrap();
            }
            Event::StartTls => self.log.lock().unwrap().push("starttls".into()),
            other => self.log.lock().unwrap().push(format!("{other:?}")),
        }
    }
}

use common::cert;

fn config(starttls: bool, tweak: impl FnOnce(&mut Settings)) -> Arc<Config> {
    let mut s = Settings::new("mx.example.test");
    s.extensions.starttls = starttls;
    s.auth_mechanisms = vec![Mechanism::Plain, Mechanism::Login];
    tweak(&mut s);
    Arc::new(s.build().unwrap())
}

struct Running {
    addr: SocketAddr,
    inbox: Inbox,
    log: Arc<Mutex<Vec<String>>>,
    trigger: ShutdownTrigger,
    task: tokio::task::JoinHandle<()>,
}

async fn start(cfg: Arc<Config>, tls: TlsMode, limits: ConnLimits, drive: DriveConfig) -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let inbox: Inbox = Arc::default();
    let log = Arc::new(Mutex::new(Vec::new()));
    let (trigger, shutdown) = ShutdownTrigger::new();
    let (i2, l2) = (inbox.clone(), log.clone());
    let server = Server {
        name: "smtp-test",
        listeners: vec![listener],
        tls,
        limits,
        drive,
        busy_reply: yubin_tokio::smtp::SMTP_BUSY,
        factory: move |info: &ConnInfo| {
            let conn = Connection {
                remote: Some(info.peer),
                local: Some(info.local),
                tls: info.tls,
            };
            let session = Session::new(cfg.clone(), yubin_tokio::now(), conn, entropy());
            let app = App {
                inbox: i2.clone(),
                body: BytesMut::new(),
                log: l2.clone(),
            };
            (session, app)
        },
    };
    let task = tokio::spawn(server.run(shutdown));
    Running {
        addr,
        inbox,
        log,
        trigger,
        task,
    }
}

/// Reads one (possibly multi-line) reply; returns its lines.
async fn reply<R: tokio::io::AsyncBufRead + Unpin>(r: &mut R) -> Vec<String> {
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).await.unwrap() == 0 {
            return lines;
        }
        let done = line.as_bytes().get(3) != Some(&b'-');
        lines.push(line.trim_end().to_owned());
        if done {
            return lines;
        }
    }
}

#[tokio::test]
async fn plain_session_delivers_a_message_with_dot_lines() {
    let srv = start(
        config(false, |_| {}),
        TlsMode::Plain,
        ConnLimits::default(),
        DriveConfig::default(),
    )
    .await;
    let stream = TcpStream::connect(srv.addr).await.unwrap();
    let (r, mut w) = stream.into_split();
    let mut r = BufReader::new(r);
    assert!(reply(&mut r).await[0].starts_with("220 "));
    // Everything pipelined in one write.
    w.write_all(b"EHLO client.test\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\n")
        .await
        .unwrap();
    assert!(reply(&mut r).await.last().unwrap().starts_with("250 "));
    assert!(reply(&mut r).await[0].starts_with("250 "));
    assert!(reply(&mut r).await[0].starts_with("250 "));
    assert!(reply(&mut r).await[0].starts_with("354 "));
    w.write_all(b"Subject: x\r\n\r\n..leading dot\r\n.\r\n")
        .await
        .unwrap();
    assert!(reply(&mut r).await[0].starts_with("250 "));
    w.write_all(b"QUIT\r\n").await.unwrap();
    assert!(reply(&mut r).await[0].starts_with("221 "));
    assert_eq!(
        srv.inbox.lock().unwrap().as_slice(),
        [b"Subject: x\r\n\r\n.leading dot\r\n".to_vec()]
    );
}

#[tokio::test]
async fn starttls_drops_pipelined_plaintext_and_then_serves_tls() {
    let (store, cert_pem) = cert();
    let acceptor = store.acceptor().unwrap();
    let srv = start(
        config(true, |_| {}),
        TlsMode::StartTls(acceptor),
        ConnLimits::default(),
        DriveConfig::default(),
    )
    .await;
    let stream = TcpStream::connect(srv.addr).await.unwrap();
    let mut r = BufReader::new(stream);
    reply(&mut r).await;
    r.get_mut().write_all(b"EHLO x.test\r\n").await.unwrap();
    let ehlo = reply(&mut r).await;
    assert!(ehlo.iter().any(|l| l.ends_with("STARTTLS")), "{ehlo:?}");
    // The injection: a command in the same packet as STARTTLS (CVE-2011-0411).
    r.get_mut()
        .write_all(b"STARTTLS\r\nMAIL FROM:<evil@x.test>\r\n")
        .await
        .unwrap();
    assert!(reply(&mut r).await[0].starts_with("220 "));
    let connector = ClientTls::Roots(cert_pem).connector().unwrap();
    let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
    let tls = connector.connect(name, r.into_inner()).await.unwrap();
    let mut t = BufReader::new(tls);
    // If the injected MAIL had run, this RSET-free MAIL would get 503 (nested
    // MAIL); and EHLO is required again after TLS (RFC 3207 §4.2).
    t.get_mut()
        .write_all(b"MAIL FROM:<a@b.test>\r\n")
        .await
        .unwrap();
    assert!(reply(&mut t).await[0].starts_with("503 "));
    t.get_mut().write_all(b"EHLO x.test\r\n").await.unwrap();
    let ehlo = reply(&mut t).await;
    assert!(!ehlo.iter().any(|l| l.ends_with("STARTTLS")), "{ehlo:?}");
    assert!(ehlo.iter().any(|l| l.contains("AUTH")), "{ehlo:?}");
    t.get_mut()
        .write_all(b"MAIL FROM:<a@b.test>\r\n")
        .await
        .unwrap();
    assert!(reply(&mut t).await[0].starts_with("250 "));
    assert_eq!(srv.log.lock().unwrap().as_slice(), ["starttls"]);
}

#[tokio::test]
async fn implicit_tls_and_the_handshake_timeout() {
    let (store, cert_pem) = cert();
    let srv = start(
        config(false, |_| {}),
        TlsMode::Implicit(store.acceptor().unwrap()),
        ConnLimits::default(),
        DriveConfig {
            handshake_timeout: Duration::from_millis(300),
            ..DriveConfig::default()
        },
    )
    .await;
    let connector = ClientTls::Roots(cert_pem).connector().unwrap();
    let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
    let tls = connector
        .connect(name, TcpStream::connect(srv.addr).await.unwrap())
        .await
        .unwrap();
    let mut t = BufReader::new(tls);
    assert!(reply(&mut t).await[0].starts_with("220 "));
    // A client that connects and never starts the handshake is cut.
    let mut stalled = TcpStream::connect(srv.addr).await.unwrap();
    let mut buf = [0u8; 16];
    let n = tokio::time::timeout(Duration::from_secs(5), stalled.read(&mut buf))
        .await
        .expect("the server should have closed the stalled connection")
        .unwrap_or(0);
    assert_eq!(n, 0);
}

#[tokio::test]
async fn idle_timeout_says_421_and_closes() {
    let srv = start(
        config(false, |s| s.limits.idle = Duration::from_millis(300)),
        TlsMode::Plain,
        ConnLimits::default(),
        DriveConfig::default(),
    )
    .await;
    let stream = TcpStream::connect(srv.addr).await.unwrap();
    let mut r = BufReader::new(stream);
    reply(&mut r).await;
    let farewell = tokio::time::timeout(Duration::from_secs(5), reply(&mut r))
        .await
        .unwrap();
    assert!(farewell[0].starts_with("421 4.4.2"), "{farewell:?}");
    let mut rest = String::new();
    r.read_to_string(&mut rest).await.unwrap();
    assert_eq!(rest, "");
}

#[tokio::test]
async fn connection_limits_refuse_with_421() {
    let srv = start(
        config(false, |_| {}),
        TlsMode::Plain,
        ConnLimits {
            max_connections: 10,
            max_per_ip: 1,
        },
        DriveConfig::default(),
    )
    .await;
    let first = TcpStream::connect(srv.addr).await.unwrap();
    let mut r1 = BufReader::new(first);
    assert!(reply(&mut r1).await[0].starts_with("220 "));
    let second = TcpStream::connect(srv.addr).await.unwrap();
    let mut r2 = BufReader::new(second);
    assert!(reply(&mut r2).await[0].starts_with("421 4.7.0"));
    // Once the first leaves, the slot is free again.
    r1.get_mut().write_all(b"QUIT\r\n").await.unwrap();
    reply(&mut r1).await;
    let mut rest = Vec::new();
    r1.read_to_end(&mut rest).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let third = TcpStream::connect(srv.addr).await.unwrap();
    let mut r3 = BufReader::new(third);
    assert!(reply(&mut r3).await[0].starts_with("220 "));
}

#[tokio::test]
async fn graceful_shutdown_lets_an_in_flight_data_finish() {
    let srv = start(
        config(false, |_| {}),
        TlsMode::Plain,
        ConnLimits::default(),
        DriveConfig::default(),
    )
    .await;
    let stream = TcpStream::connect(srv.addr).await.unwrap();
    let mut r = BufReader::new(stream);
    reply(&mut r).await;
    r.get_mut()
        .write_all(b"HELO c.test\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\n")
        .await
        .unwrap();
    for _ in 0..4 {
        reply(&mut r).await;
    }
    r.get_mut().write_all(b"Subject: half\r\n").await.unwrap();
    let trigger = srv.trigger;
    let stopper = tokio::spawn(async move {
        trigger.shutdown(Duration::from_millis(800)).await;
        trigger
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    // New connections are no longer accepted...
    // ...but the message in flight completes.
    r.get_mut().write_all(b"\r\nbody\r\n.\r\n").await.unwrap();
    assert!(reply(&mut r).await[0].starts_with("250 "));
    // After the grace period the session gets its farewell.
    let farewell = reply(&mut r).await;
    assert!(farewell[0].starts_with("421 "), "{farewell:?}");
    let _trigger = stopper.await.unwrap();
    tokio::time::timeout(Duration::from_secs(5), srv.task)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(srv.inbox.lock().unwrap().len(), 1);
}

fn have(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interop_python_smtplib_starttls_auth_and_dot_lines() {
    if !have("python3") {
        eprintln!("SKIPPED: python3 is not installed");
        return;
    }
    let (store, _) = cert();
    let srv = start(
        config(true, |_| {}),
        TlsMode::StartTls(store.acceptor().unwrap()),
        ConnLimits::default(),
        DriveConfig::default(),
    )
    .await;
    let script = format!(
        r#"
import smtplib, ssl
ctx = ssl._create_unverified_context()
for mech, fn in (("PLAIN", "auth_plain"), ("LOGIN", "auth_login")):
    s = smtplib.SMTP("127.0.0.1", {port}, timeout=10)
    s.ehlo("py.test")
    s.starttls(context=ctx)
    s.ehlo("py.test")
    s.user, s.password = "{user}", "{pw}"
    code, _ = s.auth(mech, getattr(s, fn), initial_response_ok=(mech == "PLAIN"))
    assert code == 235, code
    s.sendmail("a@b.test", ["c@d.test"], b"Subject: " + mech.encode() + b"\r\n\r\n.one\r\n..two\r\n.\r\nend\r\n")
    s.quit()
"#,
        port = srv.addr.port(),
        user = USER,
        pw = PASS
    );
    let out = tokio::task::spawn_blocking(move || {
        Command::new("python3")
            .arg("-c")
            .arg(script)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "smtplib failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let inbox = srv.inbox.lock().unwrap();
    assert_eq!(inbox.len(), 2);
    for (m, mech) in inbox.iter().zip(["PLAIN", "LOGIN"]) {
        let want = format!("Subject: {mech}\r\n\r\n.one\r\n..two\r\n.\r\nend\r\n");
        assert_eq!(String::from_utf8_lossy(m), want);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interop_curl_smtp_and_smtps_upload() {
    if !have("curl") {
        eprintln!("SKIPPED: curl is not installed");
        return;
    }
    let (store, _) = cert();
    let plain = start(
        config(false, |_| {}),
        TlsMode::Plain,
        ConnLimits::default(),
        DriveConfig::default(),
    )
    .await;
    let implicit = start(
        config(false, |s| s.danger_plaintext_auth_without_tls = false),
        TlsMode::Implicit(store.acceptor().unwrap()),
        ConnLimits::default(),
        DriveConfig::default(),
    )
    .await;
    let dir = std::env::temp_dir().join(format!("yubin-curl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("msg.eml");
    std::fs::write(&file, b"Subject: curl\r\n\r\nhello\r\n.dot line\r\n").unwrap();
    for (url, srv) in [
        (format!("smtp://127.0.0.1:{}", plain.addr.port()), &plain),
        (
            format!("smtps://127.0.0.1:{}", implicit.addr.port()),
            &implicit,
        ),
    ] {
        let file = file.clone();
        let out = tokio::task::spawn_blocking(move || {
            Command::new("curl")
                .args(["-sS", "-k", "--max-time", "10", &url])
                .args(["--mail-from", "a@b.test", "--mail-rcpt", "c@d.test"])
                .arg("-T")
                .arg(&file)
                .output()
                .unwrap()
        })
        .await
        .unwrap();
        assert!(
            out.status.success(),
            "curl failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let inbox = srv.inbox.lock().unwrap();
        assert_eq!(
            inbox.as_slice(),
            [b"Subject: curl\r\n\r\nhello\r\n.dot line\r\n".to_vec()]
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// yubin-tokio's own SMTP client against the server: plain, STARTTLS with
/// AUTH, implicit TLS; a refused recipient is reported, the rest delivered,
/// and the bytes arrive identical (dot lines included).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtp_client_plain_starttls_and_implicit() {
    use yubin_sasl::client::Credentials;
    use yubin_sasl::{Nonce, Secret};
    use yubin_smtp::client::{Auth, Envelope, Settings as ClientSettings};
    use yubin_smtp::{Domain, ForwardPath, Host, MailParams, Mailbox, RcptParams, ReversePath};
    use yubin_tokio::client::{ClientError, Endpoint, Security, SmtpClient};

    let body = b"Subject: client\r\n\r\n.leading dot\r\n..two\r\n.\r\nend\r\n".to_vec();
    let envelope = |to: &[&str]| Envelope {
        from: ReversePath::Mailbox(Mailbox::new("a@client.test").unwrap()),
        params: MailParams::default(),
        recipients: to
            .iter()
            .map(|t| {
                (
                    ForwardPath::Mailbox(Mailbox::new(t).unwrap()),
                    RcptParams::default(),
                )
            })
            .collect(),
    };
    let settings = |auth: bool| {
        let mut s = ClientSettings::new(Host::Domain(Domain::new("client.test").unwrap()));
        if auth {
            s.auth = Some(Auth {
                mechanism: Mechanism::Plain,
                credentials: Credentials::password(USER, Secret::new(PASS.to_owned())),
                nonce: Nonce::from_entropy(entropy()),
            });
        }
        s
    };
    let (store, cert_pem) = cert();

    // Plain, with one recipient refused by the server's limit of one.
    let srv = start(
        config(false, |s| s.limits.max_recipients = 1),
        TlsMode::Plain,
        ConnLimits::default(),
        DriveConfig::default(),
    )
    .await;
    let endpoint = Endpoint::new(srv.addr.to_string(), "localhost", Security::Plain);
    let mut c = SmtpClient::connect(&endpoint, settings(false))
        .await
        .unwrap();
    assert!(c.capabilities().pipelining);
    let out = c
        .send(envelope(&["b@x.test", "c@x.test"]), &body)
        .await
        .unwrap();
    assert!(out.delivered());
    assert!(out.recipients[0].code().is_positive() && !out.recipients[1].code().is_positive());
    let out = c.send(envelope(&["d@x.test"]), &body).await.unwrap();
    assert!(out.delivered());
    c.quit().await.unwrap();
    assert_eq!(
        srv.inbox.lock().unwrap().as_slice(),
        [body.clone(), body.clone()]
    );
    // STARTTLS asked of a server that does not offer it: refused, not
    // silently sent in the clear.
    let endpoint = Endpoint::new(srv.addr.to_string(), "localhost", Security::StartTls)
        .with_tls(ClientTls::Roots(cert_pem.clone()));
    let err = SmtpClient::connect(&endpoint, settings(true))
        .await
        .unwrap_err();
    assert!(matches!(err, ClientError::NoStartTls), "{err:?}");

    // STARTTLS, then AUTH PLAIN (refused before TLS by default).
    let srv = start(
        config(true, |_| {}),
        TlsMode::StartTls(store.acceptor().unwrap()),
        ConnLimits::default(),
        DriveConfig::default(),
    )
    .await;
    let endpoint = Endpoint::new(srv.addr.to_string(), "localhost", Security::StartTls)
        .with_tls(ClientTls::Roots(cert_pem.clone()));
    let mut c = SmtpClient::connect(&endpoint, settings(true))
        .await
        .unwrap();
    assert!(
        !c.capabilities().starttls,
        "the EHLO after TLS offers no STARTTLS"
    );
    assert!(
        c.send(envelope(&["b@x.test"]), &body)
            .await
            .unwrap()
            .delivered()
    );
    c.quit().await.unwrap();
    assert_eq!(
        srv.inbox.lock().unwrap().as_slice(),
        std::slice::from_ref(&body)
    );
    assert!(srv.log.lock().unwrap().contains(&"starttls".to_owned()));

    // Implicit TLS; a wrong password fails the connect with the server's reply.
    let srv = start(
        config(false, |_| {}),
        TlsMode::Implicit(store.acceptor().unwrap()),
        ConnLimits::default(),
        DriveConfig::default(),
    )
    .await;
    let endpoint = Endpoint::new(srv.addr.to_string(), "localhost", Security::Implicit)
        .with_tls(ClientTls::Roots(cert_pem));
    let mut c = SmtpClient::connect(&endpoint, settings(true))
        .await
        .unwrap();
    assert!(
        c.send(envelope(&["b@x.test"]), &body)
            .await
            .unwrap()
            .delivered()
    );
    c.quit().await.unwrap();
    let mut bad = settings(false);
    bad.auth = Some(Auth {
        mechanism: Mechanism::Plain,
        credentials: Credentials::password(USER, Secret::new("wrong".to_owned())),
        nonce: Nonce::from_entropy(entropy()),
    });
    let err = SmtpClient::connect(&endpoint, bad).await.unwrap_err();
    assert!(matches!(err, ClientError::Smtp(_)), "{err:?}");
    assert_eq!(srv.inbox.lock().unwrap().len(), 1);
}

/// A client that pipelines and never reads: the server stops taking input
/// once its bounded output is full (so it does not buffer the client's
/// flood either) and cuts the connection at the write timeout.
#[tokio::test]
async fn a_client_that_never_reads_is_cut_and_nothing_piles_up() {
    let srv = start(
        config(false, |_| {}),
        TlsMode::Plain,
        ConnLimits::default(),
        DriveConfig {
            write_timeout: Duration::from_millis(500),
            ..DriveConfig::default()
        },
    )
    .await;
    let mut c = TcpStream::connect(srv.addr).await.unwrap();
    let burst = b"EHLO client.example.test\r\n".repeat(1000);
    let mut sent = 0usize;
    let cut = tokio::time::timeout(Duration::from_secs(30), async {
        while c.write_all(&burst).await.is_ok() {
            sent += burst.len();
        }
    })
    .await;
    assert!(
        cut.is_ok(),
        "the server never cut the connection ({sent} octets sent)"
    );
    // What got through is what the kernel's socket buffers hold, not an
    // unbounded queue inside the server.
    assert!(
        sent < 64 << 20,
        "the server took {sent} octets without answering"
    );
}
