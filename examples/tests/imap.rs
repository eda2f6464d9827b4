#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::disallowed_methods,
    clippy::disallowed_types,
    missing_docs
)]
//! End-to-end IMAP: the mail server on loopback ports in a temporary
//! directory, driven by a small Rust client and by Python's imaplib, with
//! mail arriving over SMTP and leaving over POP3 at the same time.

mod common;

use std::process::Command;
use std::time::Duration;

use common::*;
use std::sync::Arc;
use tokio::net::TcpStream;
use yubin_examples::server::{self, Running};
use yubin_examples::store::memory::MemoryStore;

/// Sends a message through submissions (implicit TLS) with AUTH PLAIN.
async fn submit(r: &Running, to: &str, body: &[u8]) {
    let (user, pass) = demo(r);
    let mut c = Client::new(tls_connect(r.addrs.submissions).await);
    assert!(c.smtp_reply().await.starts_with("220"));
    assert!(c.smtp("EHLO client.test").await.starts_with("250"));
    let auth = base64(format!("\0{user}\0{pass}").as_bytes());
    let rep = c.smtp(&format!("AUTH PLAIN {auth}")).await;
    assert!(rep.starts_with("235"), "{rep}");
    assert!(
        c.smtp(&format!("MAIL FROM:<{user}@example.test>"))
            .await
            .starts_with("250")
    );
    assert!(c.smtp(&format!("RCPT TO:<{to}>")).await.starts_with("250"));
    assert!(c.smtp("DATA").await.starts_with("354"));
    c.send(body).await;
    c.send(b".\r\n").await;
    let rep = c.smtp_reply().await;
    assert!(rep.starts_with("250"), "{rep}");
    c.smtp("QUIT").await;
}

/// Delivers through the MX port (no auth).
async fn mx_send(r: &Running, body: &[u8]) {
    let mut c = Client::new(TcpStream::connect(r.addrs.smtp).await.unwrap());
    assert!(c.smtp_reply().await.starts_with("220"));
    assert!(c.smtp("EHLO client.test").await.starts_with("250"));
    assert!(c.smtp("MAIL FROM:<x@client.test>").await.starts_with("250"));
    assert!(
        c.smtp("RCPT TO:<demo@example.test>")
            .await
            .starts_with("250")
    );
    assert!(c.smtp("DATA").await.starts_with("354"));
    c.send(body).await;
    c.send(b".\r\n").await;
    assert!(c.smtp_reply().await.starts_with("250"));
    c.smtp("QUIT").await;
}

/// The literal after `marker` in a response.
fn literal_after(resp: &[u8], marker: &str) -> Vec<u8> {
    let pos = resp
        .windows(marker.len())
        .position(|w| w == marker.as_bytes())
        .unwrap_or_else(|| panic!("{marker} not in {}", String::from_utf8_lossy(resp)));
    let rest = &resp[pos + marker.len()..];
    let open = rest.iter().position(|b| *b == b'{').unwrap();
    let close = rest.iter().position(|b| *b == b'}').unwrap();
    let n: usize = std::str::from_utf8(&rest[open + 1..close])
        .unwrap()
        .parse()
        .unwrap();
    rest[close + 3..close + 3 + n].to_vec()
}

/// A number after `key ` in a response (`UIDVALIDITY 123`).
fn number_after(resp: &str, key: &str) -> u32 {
    let at = resp
        .find(key)
        .unwrap_or_else(|| panic!("{key} not in {resp}"))
        + key.len();
    resp[at..]
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap()
}

const MULTIPART: &[u8] = b"From: Ann Example <ann@example.test>\r\nTo: demo@example.test\r\nCc: Bob <bob@example.test>\r\nSubject: report attached\r\nDate: Mon, 2 Jan 2023 10:00:00 +0100\r\nMessage-ID: <m1@example.test>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"XX\"\r\n\r\npreamble\r\n--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee the attachment.\r\n--XX\r\nContent-Type: application/pdf; name=\"a.pdf\"\r\nContent-Disposition: attachment; filename=\"a.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--XX--\r\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submitted_mail_is_byte_identical_over_pop3_and_imap_with_its_structure() {
    let dir = temp_dir("bytes");
    let r = start(&dir).await;
    byte_identical_with_structure(&r).await;
    r.shutdown(Duration::from_secs(1)).await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// The same over the in-memory store: the handlers need nothing of Maildir.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_in_memory_store_serves_smtp_pop3_and_imap_alike() {
    let dir = temp_dir("memory");
    let mut cfg = config(&dir);
    cfg.store = Some(Arc::new(MemoryStore::new(&dir.join("scratch"))));
    let r = server::start(cfg).await.unwrap();
    byte_identical_with_structure(&r).await;
    // APPEND, COPY and IDLE-free change tracking through the same store.
    let mut c = imap_login(&r).await;
    c.send(b"b APPEND Drafts (\\Draft) {14}\r\n").await;
    assert!(c.imap_line().await.starts_with(b"+"));
    c.send(b"Subject: d\r\n\r\n\r\n").await;
    let rep = String::from_utf8_lossy(&c.imap_until("b").await).into_owned();
    assert!(rep.contains("b OK [APPENDUID"), "{rep}");
    c.imap_ok("c", "SELECT INBOX").await;
    let rep = c.imap_ok("d", "UID COPY 1 Archive").await;
    assert!(rep.contains("[COPYUID"), "{rep}");
    let st = c.imap_ok("e", "STATUS Archive (MESSAGES UIDNEXT)").await;
    assert!(
        st.contains("MESSAGES 1") && st.contains("UIDNEXT 2"),
        "{st}"
    );
    c.imap_ok("z", "LOGOUT").await;
    // Nothing reached the disk.
    assert!(!dir.join("mail/demo/new").exists());
    assert!(
        std::fs::read_dir(dir.join("scratch"))
            .unwrap()
            .next()
            .is_none()
    );
    r.shutdown(Duration::from_secs(1)).await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// Submits [`MULTIPART`] and checks it over POP3 and IMAP: bytes,
/// ENVELOPE, BODYSTRUCTURE, sections, SEARCH.
async fn byte_identical_with_structure(r: &Running) {
    submit(r, "demo@example.test", MULTIPART).await;

    let mut p = pop_login(r).await;
    assert!(p.pop("RETR 1").await.starts_with("+OK"));
    let via_pop = p.pop_multi().await;
    assert!(via_pop.ends_with(MULTIPART));
    // POP3's UIDL is the UID IMAP uses.
    assert_eq!(p.pop("UIDL 1").await, "+OK 1 1\r\n");
    p.pop("QUIT").await;

    let mut c = imap_login(r).await;
    let sel = c.imap_ok("b", "SELECT INBOX").await;
    assert!(sel.contains("* 1 EXISTS"), "{sel}");
    let f = c.imap("c", "UID FETCH 1 (BODY.PEEK[] RFC822.SIZE)").await;
    assert_eq!(literal_after(&f, "BODY[]"), via_pop);
    let text = String::from_utf8_lossy(&f);
    assert!(
        text.contains(&format!("RFC822.SIZE {}", via_pop.len())),
        "{text}"
    );
    let f = String::from_utf8_lossy(&c.imap("d", "FETCH 1 (ENVELOPE BODYSTRUCTURE FLAGS)").await)
        .into_owned();
    assert!(f.contains("\"report attached\""), "{f}");
    assert!(
        f.contains("(\"Ann Example\" NIL \"ann\" \"example.test\")"),
        "{f}"
    );
    assert!(f.contains("(\"Bob\" NIL \"bob\" \"example.test\")"), "{f}");
    assert!(f.contains("\"<m1@example.test>\""), "{f}");
    assert!(
        f.contains("(\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 19 1"),
        "{f}"
    );
    assert!(
        f.contains("\"application\" \"pdf\" (\"name\" \"a.pdf\") NIL NIL \"base64\" 12"),
        "{f}"
    );
    assert!(
        f.contains("(\"attachment\" (\"filename\" \"a.pdf\"))"),
        "{f}"
    );
    assert!(f.contains("\"mixed\" (\"boundary\" \"XX\")"), "{f}");
    assert!(!f.contains("\\Seen"), "{f}");
    let f = c
        .imap(
            "e",
            "FETCH 1 (BODY[1] BODY.PEEK[2]<0.4> BODY.PEEK[HEADER.FIELDS (SUBJECT)])",
        )
        .await;
    assert_eq!(literal_after(&f, "BODY[1]"), b"See the attachment.");
    assert_eq!(literal_after(&f, "BODY[2]<0>"), b"JVBE");
    let text = String::from_utf8_lossy(&f).into_owned();
    assert!(text.contains("\\Seen"), "BODY[1] sets \\Seen: {text}");
    let s = c.imap_ok("f", "SEARCH SUBJECT report FROM ann SEEN").await;
    assert!(s.contains("* SEARCH 1"), "{s}");
    let s = c.imap_ok("g", "SEARCH BODY nothing-like-this").await;
    assert!(s.contains("* SEARCH\r\n"), "{s}");
    let s = c
        .imap_ok(
            "h",
            "UID SEARCH TEXT ATTACHMENT LARGER 100 SENTSINCE 1-Jan-2023",
        )
        .await;
    assert!(s.contains("* SEARCH 1"), "{s}");
    c.imap_ok("z", "LOGOUT").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_sessions_see_flag_changes_deliveries_and_pop3_deletions_during_idle() {
    let dir = temp_dir("idle");
    let r = start(&dir).await;
    mx_send(&r, b"Subject: one\r\n\r\n1\r\n").await;
    mx_send(&r, b"Subject: two\r\n\r\n2\r\n").await;

    let mut a = imap_login(&r).await;
    // The second session logs in with AUTHENTICATE PLAIN (SASL-IR).
    let (user, pass) = demo(&r);
    let mut b = Client::new(tls_connect(r.addrs.imaps).await);
    assert!(b.imap_line().await.starts_with(b"* OK"));
    let auth = base64(format!("\0{user}\0{pass}").as_bytes());
    b.imap_ok("a", &format!("AUTHENTICATE PLAIN {auth}")).await;
    let lsub = b.imap_ok("l", "LSUB \"\" *").await;
    assert!(lsub.contains("INBOX") && lsub.contains("Sent"), "{lsub}");
    a.imap_ok("s", "SELECT INBOX").await;
    b.imap_ok("s", "SELECT INBOX").await;

    a.send(b"i IDLE\r\n").await;
    assert!(a.imap_line().await.starts_with(b"+"));
    b.imap_ok("t", "STORE 1 +FLAGS (\\Flagged $Work)").await;
    let l = String::from_utf8_lossy(&a.imap_line().await).into_owned();
    assert!(
        l.starts_with("* 1 FETCH") && l.contains("\\Flagged") && l.contains("$Work"),
        "{l}"
    );

    mx_send(&r, b"Subject: three\r\n\r\n3\r\n").await;
    let l = String::from_utf8_lossy(&a.imap_line().await).into_owned();
    assert_eq!(l, "* 3 EXISTS\r\n");

    // POP3 deletes the second message at QUIT.
    let mut p = pop_login(&r).await;
    assert!(p.pop("DELE 2").await.starts_with("+OK"));
    assert!(p.pop("QUIT").await.starts_with("+OK"));
    let l = String::from_utf8_lossy(&a.imap_line().await).into_owned();
    assert_eq!(l, "* 2 EXPUNGE\r\n");
    a.send(b"DONE\r\n").await;
    let done = String::from_utf8_lossy(&a.imap_until("i").await).into_owned();
    assert!(done.contains("i OK"), "{done}");

    // The other session learns at its next NOOP.
    let n = b.imap_ok("n", "NOOP").await;
    assert!(n.contains("* 2 EXPUNGE") && n.contains("* 2 EXISTS"), "{n}");
    let f = a.imap_ok("f", "UID FETCH 1:* (FLAGS)").await;
    assert!(
        f.contains("UID 1") && f.contains("UID 3") && !f.contains("UID 2"),
        "{f}"
    );
    r.shutdown(Duration::from_secs(1)).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_move_append_keep_uids_and_survive_a_restart() {
    let dir = temp_dir("copy");
    let r = start(&dir).await;
    for i in 0..3 {
        mx_send(&r, format!("Subject: m{i}\r\n\r\nbody {i}\r\n").as_bytes()).await;
    }
    let mut c = imap_login(&r).await;
    let sel = c.imap_ok("s", "SELECT INBOX").await;
    let inbox_validity = number_after(&sel, "UIDVALIDITY");
    let st = c
        .imap_ok("st", "STATUS Archive (UIDVALIDITY UIDNEXT MESSAGES)")
        .await;
    let archive_validity = number_after(&st, "UIDVALIDITY");

    let cp = c.imap_ok("c", "UID COPY 1:2 Archive").await;
    assert!(
        cp.contains(&format!("[COPYUID {archive_validity} 1:2 1:2]")),
        "{cp}"
    );
    let mv = c.imap_ok("m", "UID MOVE 3 Archive").await;
    assert!(
        mv.contains(&format!("[COPYUID {archive_validity} 3 3]")),
        "{mv}"
    );
    assert!(mv.contains("* 3 EXPUNGE"), "{mv}");
    let no = String::from_utf8_lossy(&c.imap("x", "COPY 1 Nowhere").await).into_owned();
    assert!(no.contains("x NO [TRYCREATE]"), "{no}");

    // APPEND with flags and a literal.
    let msg = b"Subject: appended\r\n\r\nhello\r\n";
    c.send(format!("p APPEND Archive (\\Seen $Done) {{{}}}\r\n", msg.len()).as_bytes())
        .await;
    assert!(c.imap_line().await.starts_with(b"+"));
    c.send(msg).await;
    c.send(b"\r\n").await;
    let ap = String::from_utf8_lossy(&c.imap_until("p").await).into_owned();
    assert!(
        ap.contains(&format!("[APPENDUID {archive_validity} 4]")),
        "{ap}"
    );

    c.imap_ok("f", "UID STORE 1 +FLAGS (\\Answered)").await;
    c.imap_ok("e", "SELECT Archive").await;
    let f = c
        .imap_ok(
            "g",
            "UID FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])",
        )
        .await;
    for s in ["m0", "m1", "m2", "appended"] {
        assert!(f.contains(s), "{s} missing: {f}");
    }
    // Each COPYUID destination holds its source message.
    for (uid, subject) in [(1, "m0"), (2, "m1"), (3, "m2"), (4, "appended")] {
        let one = c
            .imap_ok(
                "h",
                &format!("UID FETCH {uid} (BODY.PEEK[HEADER.FIELDS (SUBJECT)])"),
            )
            .await;
        assert!(one.contains(&format!("Subject: {subject}\r\n")), "{one}");
    }
    assert!(f.contains("$Done"), "{f}");
    c.imap_ok("z", "LOGOUT").await;

    // Restart: same UIDVALIDITY, UIDs and flags.
    r.shutdown(Duration::from_secs(1)).await;
    let r = start(&dir).await;
    let mut c = imap_login(&r).await;
    let sel = c.imap_ok("s", "SELECT INBOX").await;
    assert_eq!(number_after(&sel, "UIDVALIDITY"), inbox_validity);
    let f = c.imap_ok("f", "UID FETCH 1:* (FLAGS)").await;
    assert!(
        f.contains("UID 1 FLAGS (\\Answered)") || f.contains("FLAGS (\\Answered) UID 1"),
        "{f}"
    );
    let sel = c.imap_ok("s2", "EXAMINE Archive").await;
    assert_eq!(number_after(&sel, "UIDVALIDITY"), archive_validity);
    let f = c.imap_ok("g", "UID FETCH 4 (FLAGS)").await;
    assert!(f.contains("\\Seen") && f.contains("$Done"), "{f}");
    // Folders: create, list with special use, rename, delete.
    c.imap_ok("k", "CREATE Projects/yubin").await;
    let l = c.imap_ok("l", "LIST \"\" *").await;
    assert!(l.contains("\\Sent") && l.contains("Projects/yubin"), "{l}");
    c.imap_ok("r", "RENAME Projects Work").await;
    let l = c.imap_ok("l2", "LIST \"\" Work/%").await;
    assert!(l.contains("Work/yubin"), "{l}");
    let d = String::from_utf8_lossy(&c.imap("d", "CREATE Work").await).into_owned();
    assert!(d.contains("d NO [ALREADYEXISTS]"), "{d}");
    c.imap_ok("d2", "DELETE Work/yubin").await;
    r.shutdown(Duration::from_secs(1)).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_message_streams_whole_and_in_parts_and_condstore_guards_stores() {
    let dir = temp_dir("large");
    let r = start(&dir).await;
    // 300 KiB of lines: more than one output buffer, so FETCH streams it.
    let mut big = b"Subject: big\r\n\r\n".to_vec();
    for i in 0..6000 {
        big.extend_from_slice(format!("line {i:06} of a large message body.......\r\n").as_bytes());
    }
    mx_send(&r, &big).await;
    let mut p = pop_login(&r).await;
    assert!(p.pop("RETR 1").await.starts_with("+OK"));
    let via_pop = p.pop_multi().await;
    p.pop("QUIT").await;
    assert!(via_pop.ends_with(&big));

    let mut c = imap_login(&r).await;
    c.imap_ok("e", "ENABLE QRESYNC").await;
    let sel = c.imap_ok("s", "SELECT INBOX").await;
    let highest = number_after(&sel, "HIGHESTMODSEQ");
    let validity = number_after(&sel, "UIDVALIDITY");
    let f = c.imap("f", "FETCH 1 (BODY.PEEK[] UID)").await;
    assert_eq!(literal_after(&f, "BODY[]"), via_pop);
    let f = c
        .imap("g", "FETCH 1 (BODY.PEEK[TEXT]<100000.100000>)")
        .await;
    let text_start = via_pop.len() - (big.len() - b"Subject: big\r\n\r\n".len());
    let part = literal_after(&f, "BODY[TEXT]<100000>");
    assert!(
        part == via_pop[text_start + 100_000..text_start + 200_000],
        "BODY[TEXT]<100000.100000> differs ({} octets)",
        part.len()
    );
    // A STORE conditional on an old mod-sequence fails once the message changed.
    let st = c
        .imap_ok(
            "t",
            &format!("STORE 1 (UNCHANGEDSINCE {highest}) +FLAGS (\\Flagged)"),
        )
        .await;
    assert!(st.contains("MODSEQ ("), "{st}");
    let st = c
        .imap_ok(
            "u",
            &format!("STORE 1 (UNCHANGEDSINCE {highest}) -FLAGS (\\Flagged)"),
        )
        .await;
    assert!(st.contains("[MODIFIED 1]"), "{st}");
    let f = c
        .imap_ok("v", &format!("FETCH 1:* (FLAGS) (CHANGEDSINCE {highest})"))
        .await;
    assert!(f.contains("\\Flagged"), "{f}");
    // QRESYNC: a second message comes and goes; re-selecting with the old
    // state reports the flag change and the UID that vanished.
    mx_send(&r, b"Subject: short-lived\r\n\r\nx\r\n").await;
    c.imap_ok("n", "NOOP").await;
    c.imap_ok("d", "UID STORE 2 +FLAGS.SILENT (\\Deleted)")
        .await;
    c.imap_ok("x", "UID EXPUNGE 2").await;
    c.imap_ok("un", "UNSELECT").await;
    let q = c
        .imap_ok(
            "q",
            &format!("SELECT INBOX (QRESYNC ({validity} {highest} 1:2))"),
        )
        .await;
    assert!(q.contains("* VANISHED (EARLIER) 2"), "{q}");
    assert!(
        q.contains("* 1 FETCH (UID 1 FLAGS (\\Flagged) MODSEQ ("),
        "{q}"
    );
    r.shutdown(Duration::from_secs(1)).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_imap4rev2_client_gets_esearch_and_the_mailbox_list_item() {
    let dir = temp_dir("rev2");
    let r = start(&dir).await;
    mx_send(&r, b"Subject: rev2\r\n\r\nnew style\r\n").await;
    let mut c = imap_login(&r).await;
    c.imap_ok("e", "ENABLE IMAP4rev2").await;
    let sel = c.imap_ok("s", "SELECT Sent").await;
    assert!(sel.contains("* LIST (\\Sent) \"/\" Sent"), "{sel}");
    let sel = c.imap_ok("t", "EXAMINE INBOX").await;
    assert!(
        sel.contains("[READ-ONLY]") && !sel.contains("RECENT"),
        "{sel}"
    );
    let s = c.imap_ok("u", "UID SEARCH UNSEEN").await;
    assert!(s.contains("* ESEARCH (TAG \"u\") UID ALL 1"), "{s}");
    // EXAMINE is read-only: FETCH BODY[] does not set \Seen, STORE is refused.
    c.imap_ok("f", "FETCH 1 BODY[]").await;
    let st = String::from_utf8_lossy(&c.imap("g", "STORE 1 +FLAGS (\\Seen)").await).into_owned();
    assert!(st.contains("g NO"), "{st}");
    let s = c.imap_ok("h", "SEARCH RETURN (COUNT) UNSEEN").await;
    assert!(s.contains("COUNT 1"), "{s}");
    r.shutdown(Duration::from_secs(1)).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_imaplib_fetch_store_search_copy_expunge_and_starttls() {
    if !have("python3", "--version") {
        println!("SKIPPED: python3 is not installed; the imaplib interop test did not run");
        return;
    }
    let dir = temp_dir("py");
    let r = start(&dir).await;
    mx_send(
        &r,
        b"From: a@client.test\r\nSubject: from python\r\n\r\nhello imaplib\r\n",
    )
    .await;
    let (user, pass) = demo(&r);
    let script = format!(
        r#"
import imaplib, ssl
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
m = imaplib.IMAP4_SSL("127.0.0.1", {port}, ssl_context=ctx)
m.login("{user}", "{pass}")
typ, data = m.select("INBOX")
assert typ == "OK" and data == [b"1"], (typ, data)
typ, data = m.uid("FETCH", "1", "(BODY.PEEK[] FLAGS)")
assert typ == "OK", typ
assert data[0][1].endswith(b"hello imaplib\r\n"), data
typ, data = m.store("1", "+FLAGS", r"(\Seen)")
assert typ == "OK" and b"\\Seen" in data[0], data
typ, data = m.search(None, "SEEN")
assert data == [b"1"], data
typ, data = m.list()
assert any(b"Sent" in d for d in data), data
m.create("Py")
typ, data = m.copy("1", "Py")
assert typ == "OK", (typ, data)
typ, data = m.status("Py", "(MESSAGES)")
assert b"MESSAGES 1" in data[0], data
m.store("1", "+FLAGS", r"(\Deleted)")
typ, data = m.expunge()
assert data == [b"1"], data
m.logout()
# STARTTLS on the plain port.
m = imaplib.IMAP4("127.0.0.1", {plain})
m.starttls(ssl_context=ctx)
m.login("{user}", "{pass}")
typ, data = m.select("Py", readonly=True)
assert data == [b"1"], data
m.logout()
print("imaplib ok")
"#,
        port = r.addrs.imaps.port(),
        plain = r.addrs.imap.port(),
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
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "python failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("imaplib ok"), "{stdout}\n{stderr}");
    r.shutdown(Duration::from_secs(1)).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn curl_reads_over_imaps_and_imap_starttls() {
    if !have("curl", "--version") {
        println!("SKIPPED: curl is not installed; the curl IMAP test did not run");
        return;
    }
    let dir = temp_dir("curl");
    let r = start(&dir).await;
    mx_send(&r, b"Subject: curl\r\n\r\nread by curl\r\n").await;
    let (user, pass) = demo(&r);
    let creds = format!("{user}:{pass}");
    let imaps = format!("imaps://127.0.0.1:{}/INBOX;UID=1", r.addrs.imaps.port());
    let imap = format!(
        "imap://127.0.0.1:{}/INBOX?SUBJECT%20curl",
        r.addrs.imap.port()
    );
    let (a, b) = tokio::task::spawn_blocking(move || {
        let run = |url: &str, tls: bool| {
            let mut c = Command::new("curl");
            c.args(["-sSk", url, "--user", &creds]);
            if tls {
                c.arg("--ssl-reqd");
            }
            c.output().unwrap()
        };
        (run(&imaps, false), run(&imap, true))
    })
    .await
    .unwrap();
    for o in [&a, &b] {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let text = String::from_utf8_lossy(&a.stdout);
    assert!(
        text.ends_with("Subject: curl\r\n\r\nread by curl\r\n"),
        "{text}"
    );
    assert_eq!(String::from_utf8_lossy(&b.stdout), "* SEARCH 1\r\n");
    r.shutdown(Duration::from_millis(100)).await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// Python's poplib and imaplib side by side: a POP3 DELE + QUIT shows as
/// an EXPUNGE in the selected IMAP session; a POP3 session that marks a
/// message deleted and is cut off (no QUIT) deletes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_poplib_dele_quit_is_an_expunge_in_imaplib() {
    if !have_python("python_poplib_dele_quit_is_an_expunge_in_imaplib") {
        return;
    }
    let dir = temp_dir("py-expunge");
    let r = start(&dir).await;
    for i in 0..3 {
        mx_send(&r, format!("Subject: m{i}\r\n\r\nbody {i}\r\n").as_bytes()).await;
    }
    let (user, pass) = demo(&r);
    let script = r#"
import imaplib, poplib, ssl, sys, time
imaps, pop3s, user, password = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
m = imaplib.IMAP4_SSL("127.0.0.1", imaps, ssl_context=ctx)
m.login(user, password)
typ, data = m.select("INBOX")
assert typ == "OK" and data == [b"3"], (typ, data)

# A cut-off POP3 session: DELE, then the connection closes without QUIT.
p = poplib.POP3_SSL("127.0.0.1", pop3s, context=ctx)
p.user(user); p.pass_(password)
assert p.dele(1).startswith(b"+OK")
p.close()
time.sleep(0.5)
m.noop()
assert m.response("EXPUNGE") == ("EXPUNGE", [None]), m.response("EXPUNGE")
typ, data = m.uid("SEARCH", None, "ALL")
assert data == [b"1 2 3"], data

# DELE 2 + QUIT: the IMAP session learns of it as an EXPUNGE of seq 2.
for attempt in range(50):
    try:
        p = poplib.POP3_SSL("127.0.0.1", pop3s, context=ctx)
        p.user(user); p.pass_(password)
        break
    except poplib.error_proto as e:
        # The cut-off session may still hold the maildrop lock for a moment.
        assert b"IN-USE" in e.args[0], e
        time.sleep(0.1)
uidl = p.uidl()[1]
assert uidl == [b"1 1", b"2 2", b"3 3"], uidl
assert p.dele(2).startswith(b"+OK")
assert p.quit().startswith(b"+OK")
seen = []
for attempt in range(50):
    m.noop()
    typ, data = m.response("EXPUNGE")
    seen += [d for d in data if d is not None]
    if seen:
        break
    time.sleep(0.1)
assert seen == [b"2"], seen
typ, data = m.uid("SEARCH", None, "ALL")
assert data == [b"1 3"], data
typ, data = m.fetch("2", "(UID BODY.PEEK[TEXT])")
assert b"UID 3" in data[0][0] and data[0][1] == b"body 2\r\n", data
m.logout()
print("ok")
"#;
    let args = vec![
        r.addrs.imaps.port().to_string(),
        r.addrs.pop3s.port().to_string(),
        user,
        pass,
    ];
    let out = tokio::task::spawn_blocking(move || python(script, &args))
        .await
        .unwrap();
    assert_eq!(out.trim(), "ok");
    r.shutdown(Duration::from_millis(100)).await;
    let _ = std::fs::remove_dir_all(&dir);
}
