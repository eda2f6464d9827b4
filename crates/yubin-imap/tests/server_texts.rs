//! The application's say over what the server session writes: response
//! texts (`Config::texts`, `Ticket::with_text`), the CAPABILITY codes, and
//! the SELECT answer's order and optional lines. The defaults stay the
//! session's own.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Instant;

use yubin_imap::server::{
    Config, Event, Greeting, MailboxSnapshot, Revisions, SelectItem, Session, Texts,
};
use yubin_imap::types::FlagPerm;

#[allow(clippy::disallowed_methods)]
fn t0() -> Instant {
    Instant::now()
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}

/// Runs `input` through a session; SELECT gets `snap`, other tickets are
/// completed with `text` when given.
fn run(
    config: Config,
    greeting: Greeting,
    input: &str,
    snap: &MailboxSnapshot,
    text: Option<&str>,
) -> String {
    let now = t0();
    let mut s = Session::new(Arc::new(config), now, [5; 18], greeting);
    s.receive(now, input.as_bytes());
    while let Some(ev) = s.next_event() {
        match ev {
            Event::Login { ticket, .. } => match text {
                Some(t) => s.accept_login(ticket.with_text(t)).unwrap(),
                None => s.accept_login(ticket).unwrap(),
            },
            Event::Select { ticket, .. } => s.accept_select(ticket, snap.clone()).unwrap(),
            Event::Store { ticket, uids, .. } => {
                for u in uids {
                    s.store_result(&ticket, u, Vec::new(), None).unwrap();
                }
                match text {
                    Some(t) => s.complete(ticket.with_text(t)).unwrap(),
                    None => s.complete(ticket).unwrap(),
                }
            }
            Event::Poll { ticket } | Event::Mailbox { ticket, .. } => match text {
                Some(t) => s.complete(ticket.with_text(t)).unwrap(),
                None => s.complete(ticket).unwrap(),
            },
            _ => {}
        }
    }
    String::from_utf8_lossy(s.outgoing()).into_owned()
}

fn preauth() -> Greeting {
    Greeting::PreAuth("joe".to_owned())
}

fn snapshot() -> MailboxSnapshot {
    let mut snap = MailboxSnapshot::new(nz(7), nz(4), vec![1, 2, 3]);
    snap.permanent_flags = vec![FlagPerm::Any];
    snap.first_unseen = Some(nz(2));
    snap
}

#[test]
fn default_texts_are_the_sessions_own() {
    let mut cfg = Config::default();
    cfg.revisions = Revisions::Rev1;
    cfg.danger_allow_plaintext_auth = true;
    assert_eq!(cfg.texts, Texts::default());
    let out = run(
        cfg,
        Greeting::Ok,
        "a LOGIN joe pw\r\nb SELECT INBOX\r\nc STORE 1 +FLAGS \\Seen\r\nd NOOP\r\ne LOGOUT\r\n",
        &snapshot(),
        None,
    );
    let want = [
        "a OK [CAPABILITY ",
        "* 3 EXISTS\r\n* 0 RECENT\r\n* OK [UNSEEN 2] Message 2 is first unseen\r\n\
         * OK [UIDVALIDITY 7] UIDs valid\r\n* OK [UIDNEXT 4] Predicted next UID\r\n\
         * FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n\
         * OK [PERMANENTFLAGS (\\*)] Limited\r\nb OK [READ-WRITE] SELECT completed\r\n",
        "c OK STORE completed\r\n",
        "d OK NOOP completed\r\n",
        "* BYE IMAP4rev1 Server logging out\r\ne OK LOGOUT completed\r\n",
    ];
    for w in want {
        assert!(out.contains(w), "{w:?} not in\n{out}");
    }
    assert!(out.starts_with("* OK [CAPABILITY IMAP4rev1 "), "{out}");
}

#[test]
fn configured_texts_and_capability_codes() {
    let mut cfg = Config::default();
    cfg.revisions = Revisions::Rev1;
    cfg.danger_allow_plaintext_auth = true;
    cfg.greeting = "IMAP4rev1 Service Ready".to_owned();
    cfg.greeting_capabilities = false;
    cfg.login_capabilities = false;
    cfg.texts.capability = "Completed".to_owned();
    cfg.texts.unseen = "Message {n} is the first unseen message".to_owned();
    cfg.texts.logout_bye = "{revision} server terminating connection".to_owned();
    cfg.texts.noop = "Nothing new".to_owned();
    let out = run(
        cfg,
        Greeting::Ok,
        "a LOGIN joe pw\r\nz CAPABILITY\r\nb SELECT INBOX\r\nd NOOP\r\ne LOGOUT\r\n",
        &snapshot(),
        None,
    );
    assert!(
        out.starts_with("* OK IMAP4rev1 Service Ready\r\na OK LOGIN completed\r\n"),
        "{out}"
    );
    assert!(out.contains("z OK Completed\r\n"), "{out}");
    assert!(
        out.contains("* OK [UNSEEN 2] Message 2 is the first unseen message\r\n"),
        "{out}"
    );
    assert!(out.contains("d OK Nothing new\r\n"), "{out}");
    assert!(
        out.ends_with("* BYE IMAP4rev1 server terminating connection\r\ne OK LOGOUT completed\r\n"),
        "{out}"
    );
}

#[test]
fn ticket_text_ends_the_command() {
    let mut cfg = Config::default();
    cfg.danger_allow_plaintext_auth = true;
    let out = run(
        cfg,
        Greeting::Ok,
        "a LOGIN joe pw\r\nb SELECT INBOX\r\nc STORE 1 +FLAGS \\Seen\r\nd CREATE x\r\n",
        &snapshot(),
        Some("+FLAGS\r\ncompleted"),
    );
    // The code stays the session's; CR and LF become spaces.
    assert!(out.contains("a OK [CAPABILITY "), "{out}");
    assert!(out.contains("] +FLAGS  completed\r\n* 3 EXISTS"), "{out}");
    assert!(out.contains("c OK +FLAGS  completed\r\n"), "{out}");
    assert!(out.contains("d OK +FLAGS  completed\r\n"), "{out}");
}

#[test]
fn select_can_leave_out_uidnext_and_permanentflags_and_reorder() {
    let mut snap = snapshot();
    snap.send_uid_next = false;
    snap.send_permanent_flags = false;
    snap.order = vec![SelectItem::Exists, SelectItem::Flags, SelectItem::Flags];
    let mut cfg = Config::default();
    cfg.revisions = Revisions::Rev1;
    let out = run(cfg.clone(), preauth(), "b SELECT INBOX\r\n", &snap, None);
    let want = "* 3 EXISTS\r\n* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n\
                * 0 RECENT\r\n* OK [UNSEEN 2] Message 2 is first unseen\r\n\
                * OK [UIDVALIDITY 7] UIDs valid\r\nb OK [READ-WRITE] SELECT completed\r\n";
    assert!(out.ends_with(want), "{out}");
    // A read-only selection still says that no flag is permanent.
    let out = run(cfg, preauth(), "b EXAMINE INBOX\r\n", &snap, None);
    assert!(!out.contains("UIDNEXT"), "{out}");
    assert!(
        out.contains("* OK [PERMANENTFLAGS ()] No permanent flags permitted\r\n"),
        "{out}"
    );
}

#[test]
fn uid_not_sticky_is_off_by_default_and_only_for_clients_that_know_it() {
    let mut cfg = Config::default();
    cfg.revisions = Revisions::Rev1;
    // Default off, even with UIDPLUS offered.
    assert!(!snapshot().uid_not_sticky);
    assert_eq!(Texts::default().uid_not_sticky, "Non-persistent UIDs");
    let out = run(
        cfg.clone(),
        preauth(),
        "b SELECT INBOX\r\n",
        &snapshot(),
        None,
    );
    assert!(!out.contains("UIDNOTSTICKY"), "{out}");

    // On: an untagged NO after UIDNEXT (RFC 4315 §3's example); the
    // SELECT still succeeds. EXAMINE gets it too.
    let mut snap = snapshot();
    snap.uid_not_sticky = true;
    let out = run(cfg.clone(), preauth(), "b SELECT INBOX\r\n", &snap, None);
    let want = "* OK [UIDNEXT 4] Predicted next UID\r\n\
                * NO [UIDNOTSTICKY] Non-persistent UIDs\r\n\
                * FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n";
    assert!(out.contains(want), "{out}");
    assert!(
        out.ends_with("b OK [READ-WRITE] SELECT completed\r\n"),
        "{out}"
    );
    let out = run(cfg.clone(), preauth(), "b EXAMINE INBOX\r\n", &snap, None);
    assert!(out.contains("* NO [UIDNOTSTICKY] "), "{out}");
    assert!(
        out.ends_with("b OK [READ-ONLY] EXAMINE completed\r\n"),
        "{out}"
    );

    // Its text and its place are the application's.
    let mut texted = cfg.clone();
    texted.texts.uid_not_sticky = "UIDs last this session only".to_owned();
    snap.order = vec![SelectItem::UidNotSticky];
    let out = run(texted, preauth(), "b SELECT INBOX\r\n", &snap, None);
    assert!(
        out.contains("\r\n* NO [UIDNOTSTICKY] UIDs last this session only\r\n* 3 EXISTS\r\n"),
        "{out}"
    );
    snap.order.clear();

    // Not to an IMAP4rev1 client without UIDPLUS.
    cfg.extensions = yubin_imap::server::Extensions::none();
    let out = run(cfg.clone(), preauth(), "b SELECT INBOX\r\n", &snap, None);
    assert!(!out.contains("UIDNOTSTICKY"), "{out}");
    assert!(
        out.ends_with("b OK [READ-WRITE] SELECT completed\r\n"),
        "{out}"
    );

    // IMAP4rev2 has it in its base (RFC 9051 §7.1).
    cfg.revisions = Revisions::Rev2;
    let out = run(cfg, preauth(), "b SELECT INBOX\r\n", &snap, None);
    assert!(
        out.contains(
            "* OK [UIDNEXT 4] Predicted next UID\r\n* NO [UIDNOTSTICKY] Non-persistent UIDs\r\n"
        ),
        "{out}"
    );
}

#[test]
fn order_never_sends_what_the_revision_forbids() {
    let mut snap = snapshot();
    snap.order = vec![SelectItem::Recent, SelectItem::Unseen, SelectItem::Exists];
    let mut cfg = Config::default();
    cfg.revisions = Revisions::Rev2;
    let out = run(cfg, preauth(), "b SELECT INBOX\r\n", &snap, None);
    assert!(!out.contains("RECENT") && !out.contains("UNSEEN"), "{out}");
    assert!(
        out.contains("* OK [UIDNEXT 4] Predicted next UID\r\n"),
        "{out}"
    );
    assert!(
        out.contains("\r\n* 3 EXISTS\r\n* OK [UIDVALIDITY 7]"),
        "{out}"
    );
}

#[test]
fn enable_imap4rev2_is_reported_once_by_a_rev2_only_server() {
    let mut cfg = Config::default();
    cfg.revisions = Revisions::Rev2;
    let out = run(
        cfg,
        preauth(),
        "a ENABLE IMAP4rev2\r\nb ENABLE IMAP4rev2\r\n",
        &snapshot(),
        None,
    );
    assert!(
        out.contains("* ENABLED IMAP4rev2\r\na OK ENABLE completed\r\n* ENABLED\r\nb OK"),
        "{out}"
    );
}

#[test]
fn capability_order_moves_but_never_adds() {
    use yubin_imap::types::{Atom, Capability};
    let mut cfg = Config::default();
    cfg.revisions = Revisions::Rev2;
    cfg.tls = yubin_imap::server::Tls::StartTls;
    cfg.extensions = yubin_imap::server::Extensions::none();
    cfg.literals = yubin_imap::server::NonSyncLiterals::Off;
    cfg.sasl_mechanisms = vec![yubin_sasl::Mechanism::ScramSha256];
    cfg.capability_order = vec![
        Capability::StartTls,
        Capability::Auth(Atom::try_from("X").unwrap()),
        Capability::LoginDisabled,
        Capability::Imap4Rev2,
        Capability::Idle,
    ];
    let out = run(cfg, Greeting::Ok, "", &snapshot(), None);
    assert_eq!(
        out,
        "* OK [CAPABILITY STARTTLS AUTH=SCRAM-SHA-256 LOGINDISABLED IMAP4rev2] IMAP server ready\r\n"
    );
}
