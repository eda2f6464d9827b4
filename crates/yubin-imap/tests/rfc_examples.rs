//! Every example command and response of RFC 3501 §6–§7, RFC 9051 §6–§7 and
//! the extension RFCs: each parses and encodes back byte for byte.
//!
//! The vectors were copied from the RFC texts (wrapped lines joined, literal
//! data inlined); one test per RFC section, named after it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

mod common;
use common::{C, S, check};

#[test]
fn rfc9051_6_1_1_capability_command() {
    check(&[
        (C, b"abcd CAPABILITY\r\n"),
        (S, b"* CAPABILITY IMAP4rev2 STARTTLS AUTH=GSSAPI\r\n"),
        (S, b"abcd OK CAPABILITY completed\r\n"),
        (C, b"efgh STARTTLS\r\n"),
        (S, b"efgh OK STARTTLS completed\r\n"),
        (C, b"ijkl CAPABILITY\r\n"),
        (S, b"* CAPABILITY IMAP4rev2 AUTH=GSSAPI AUTH=PLAIN\r\n"),
        (S, b"ijkl OK CAPABILITY completed\r\n"),
    ]);
}

#[test]
fn rfc9051_6_1_2_noop_command() {
    check(&[
        (C, b"a002 NOOP\r\n"),
        (S, b"a002 OK NOOP completed . . .\r\n"),
        (C, b"a047 NOOP\r\n"),
        (S, b"* 22 EXPUNGE\r\n"),
        (S, b"* 23 EXISTS\r\n"),
        (S, b"* 14 FETCH (UID 1305 FLAGS (\\Seen \\Deleted))\r\n"),
        (S, b"a047 OK NOOP completed\r\n"),
    ]);
}

#[test]
fn rfc9051_6_1_3_logout_command() {
    check(&[
        (C, b"A023 LOGOUT\r\n"),
        (S, b"* BYE IMAP4rev2 Server logging out\r\n"),
        (S, b"A023 OK LOGOUT completed\r\n"),
    ]);
}

#[test]
fn rfc9051_6_2_1_starttls_command() {
    check(&[
        (C, b"a001 CAPABILITY\r\n"),
        (S, b"* CAPABILITY IMAP4rev2 STARTTLS LOGINDISABLED\r\n"),
        (S, b"a001 OK CAPABILITY completed\r\n"),
        (C, b"a002 STARTTLS\r\n"),
        (S, b"a002 OK Begin TLS negotiation now\r\n"),
        (C, b"a003 CAPABILITY\r\n"),
        (S, b"* CAPABILITY IMAP4rev2 AUTH=PLAIN\r\n"),
        (S, b"a003 OK CAPABILITY completed\r\n"),
        (C, b"a004 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\n"),
        (S, b"a004 OK Success (tls protection)\r\n"),
    ]);
}

#[test]
fn rfc9051_6_2_2_authenticate_command() {
    check(&[
        (S, b"* OK [CAPABILITY IMAP4rev2 STARTTLS AUTH=GSSAPI]\r\n"),
        (C, b"A001 AUTHENTICATE GSSAPI\r\n"),
        (S, b"+\r\n"),
        (C, b"YIIB+wYJKoZIhvcSAQICAQBuggHqMIIB5qADAgEFoQMCAQ6iBwMFACAAAACjggEmYYIBIjCCAR6gAwIBBaESGxB1Lndhc2hpbmd0b24uZWR1oi0wK6ADAgEDoSQwIhsEaW1hcBsac2hpdmFtcy5jYWMud2FzaGluZ3Rvbi5lZHWjgdMwgdCgAwIBAaEDAgEDooHDBIHAcS1GSa5b+fXnPZNmXB9SjL8Ollj2SKyb+3S0iXMljen/jNkpJXAleKTz6BQPzj8duz8EtoOuNfKgweViyn/9B9bccy1uuAE2HI0yC/PHXNNU9ZrBziJ8Lm0tTNc98kUpjXnHZhsMcz5Mx2GR6dGknbI0iaGcRerMUsWOuBmKKKRmVMMdR9T3EZdpqsBd7jZCNMWotjhivd5zovQlFqQ2Wjc2+y46vKP/iXxWIuQJuDiisyXF0Y8+5GTpALpHDc1/pIGmMIGjoAMCAQGigZsEgZg2on5mSuxoDHEA1w9bcW9nFdFxDKpdrQhVGVRDIzcCMCTzvUboqb5KjY1NJKJsfjRQiBYBdENKfzK+g5DlV8nrw81uOcP8NOQCLR5XkoMHC0Dr/80ziQzbNqhxO6652Npft0LQwJvenwDI13YxpwOdMXzkWZN/XrEqOWp6GCgXTBvCyLWLlWnbaUkZdEYbKHBPjd8t/1x5Yg==\r\n"),
        (S, b"+ YGgGCSqGSIb3EgECAgIAb1kwV6ADAgEFoQMCAQ+iSzBJoAMCAQGiQgRAtHTEuOP2BXb9sBYFR4SJlDZxmg39IxmRBOhXRKdDA0uHTCOT9Bq3OsUTXUlk0CsFLoa8j+gvGDlgHuqzWHPSQg==\r\n"),
        (C, b"\r\n"),
        (S, b"+ YDMGCSqGSIb3EgECAgIBAAD/////6jcyG4GE3KkTzBeBiVHeceP2CWY0SR0fAQAgAAQEBAQ=\r\n"),
        (C, b"YDMGCSqGSIb3EgECAgIBAAD/////3LQBHXTpFfZgrejpLlLImPwkhbfa2QteAQAgAG1yYwE=\r\n"),
        (S, b"A001 OK GSSAPI authentication successful\r\n"),
        (S, b"* OK [CAPABILITY IMAP4rev2 STARTTLS AUTH=GSSAPI\r\n"),
        (C, b"A01 STARTTLS\r\n"),
        (S, b"A01 OK STARTTLS completed\r\n"),
        (C, b"A02 CAPABILITY\r\n"),
        (S, b"* CAPABILITY IMAP4rev2 AUTH=GSSAPI AUTH=PLAIN\r\n"),
        (S, b"A02 OK CAPABILITY completed\r\n"),
        (C, b"A03 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\n"),
        (S, b"A03 OK Success (tls protection)\r\n"),
        (C, b"C01 CAPABILITY\r\n"),
        (S, b"* CAPABILITY IMAP4rev2 AUTH=PLAIN\r\n"),
        (S, b"C01 OK Completed\r\n"),
        (C, b"A01 AUTHENTICATE PLAIN\r\n"),
        (S, b"+\r\n"),
        (C, b"dGVzdAB0ZXN0AHRlc3Q=\r\n"),
        (S, b"A01 OK Success (tls protection)\r\n"),
        (C, b"C01 CAPABILITY\r\n"),
        (S, b"* CAPABILITY IMAP4rev2 AUTH=PLAIN AUTH=EXTERNAL\r\n"),
        (S, b"C01 OK Completed\r\n"),
        (C, b"A01 AUTHENTICATE EXTERNAL =\r\n"),
        (S, b"A01 OK Success (tls protection)\r\n"),
    ]);
}

#[test]
fn rfc9051_6_2_3_login_command() {
    check(&[
        (C, b"a001 LOGIN SMITH SESAME\r\n"),
        (S, b"a001 OK LOGIN completed\r\n"),
    ]);
}

#[test]
fn rfc9051_6_3_1_enable_command() {
    check(&[
        (C, b"t1 CAPABILITY\r\n"),
        (S, b"* CAPABILITY IMAP4rev2 ID LITERAL+ X-GOOD-IDEA\r\n"),
        (S, b"t1 OK foo\r\n"),
        (C, b"t2 ENABLE CONDSTORE X-GOOD-IDEA\r\n"),
        (S, b"* ENABLED X-GOOD-IDEA\r\n"),
        (S, b"t2 OK foo\r\n"),
        (C, b"t3 CAPABILITY\r\n"),
        (S, b"* CAPABILITY IMAP4rev2 ID LITERAL+ X-GOOD-IDEA\r\n"),
        (S, b"t3 OK foo again\r\n"),
        (C, b"a1 ENABLE CONDSTORE\r\n"),
        (S, b"* ENABLED CONDSTORE\r\n"),
        (S, b"a1 OK Conditional Store enabled\r\n"),
    ]);
}

#[test]
fn rfc9051_6_3_2_select_command() {
    check(&[
        (C, b"A142 SELECT INBOX\r\n"),
        (S, b"* 172 EXISTS\r\n"),
        (S, b"* OK [UIDVALIDITY 3857529045] UIDs valid\r\n"),
        (S, b"* OK [UIDNEXT 4392] Predicted next UID\r\n"),
        (S, b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"),
        (S, b"* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n"),
        (S, b"* LIST () \"/\" INBOX\r\n"),
        (S, b"A142 OK [READ-WRITE] SELECT completed\r\n"),
        (C, b"A142 SELECT INBOX\r\n"),
        (S, b"* 172 EXISTS\r\n"),
        (S, b"* OK [UIDVALIDITY 3857529045] UIDs valid\r\n"),
        (S, b"* OK [UIDNEXT 4392] Predicted next UID\r\n"),
        (S, b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"),
        (S, b"* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n"),
        (S, b"A142 OK [READ-WRITE] SELECT completed\r\n"),
        (C, b"A143 SELECT Drafts\r\n"),
        (S, b"* OK [CLOSED] Previous mailbox is now closed\r\n"),
        (S, b"* 5 EXISTS\r\n"),
        (S, b"* OK [UIDVALIDITY 9877410381] UIDs valid\r\n"),
        (S, b"* OK [UIDNEXT 102] Predicted next UID\r\n"),
        (S, b"* LIST () \"/\" Drafts\r\n"),
        (S, b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"),
        (S, b"* OK [PERMANENTFLAGS (\\Deleted \\Seen \\Answered \\Flagged \\Draft \\*)] System flags and keywords allowed\r\n"),
        (S, b"A143 OK [READ-WRITE] SELECT completed\r\n"),
    ]);
}

#[test]
fn rfc9051_6_3_3_examine_command() {
    check(&[
        (C, b"A932 EXAMINE blurdybloop\r\n"),
        (S, b"* 17 EXISTS\r\n"),
        (S, b"* OK [UIDVALIDITY 3857529045] UIDs valid\r\n"),
        (S, b"* OK [UIDNEXT 4392] Predicted next UID\r\n"),
        (S, b"* LIST () \"/\" blurdybloop\r\n"),
        (
            S,
            b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n",
        ),
        (
            S,
            b"* OK [PERMANENTFLAGS ()] No permanent flags permitted\r\n",
        ),
        (S, b"A932 OK [READ-ONLY] EXAMINE completed\r\n"),
    ]);
}

#[test]
fn rfc9051_6_3_4_create_command() {
    check(&[
        (C, b"A003 CREATE owatagusiam/\r\n"),
        (S, b"A003 OK CREATE completed\r\n"),
        (C, b"A004 CREATE owatagusiam/blurdybloop\r\n"),
        (S, b"A004 OK CREATE completed\r\n"),
        (C, b"A005 CREATE NonNormalized\r\n"),
        (
            S,
            b"* LIST () \"/\" \"Normalized\" (\"OLDNAME\" (\"NonNormalized\"))\r\n",
        ),
        (S, b"A005 OK CREATE completed\r\n"),
    ]);
}

#[test]
fn rfc9051_6_3_5_delete_command() {
    check(&[
        (C, b"A682 LIST \"\" *\r\n"),
        (S, b"* LIST () \"/\" blurdybloop\r\n"),
        (S, b"* LIST (\\Noselect) \"/\" foo\r\n"),
        (S, b"* LIST () \"/\" foo/bar\r\n"),
        (S, b"A682 OK LIST completed\r\n"),
        (C, b"A683 DELETE blurdybloop\r\n"),
        (S, b"A683 OK DELETE completed\r\n"),
        (C, b"A684 DELETE foo\r\n"),
        (
            S,
            b"A684 NO Name \"foo\" has inferior hierarchical names\r\n",
        ),
        (C, b"A685 DELETE foo/bar\r\n"),
        (S, b"A685 OK DELETE Completed\r\n"),
        (C, b"A686 LIST \"\" *\r\n"),
        (S, b"* LIST (\\Noselect) \"/\" foo\r\n"),
        (S, b"A686 OK LIST completed\r\n"),
        (C, b"A687 DELETE foo\r\n"),
        (S, b"A687 OK DELETE Completed\r\n"),
        (C, b"A82 LIST \"\" *\r\n"),
        (S, b"* LIST () \".\" blurdybloop\r\n"),
        (S, b"* LIST () \".\" foo\r\n"),
        (S, b"* LIST () \".\" foo.bar\r\n"),
        (S, b"A82 OK LIST completed\r\n"),
        (C, b"A83 DELETE blurdybloop\r\n"),
        (S, b"A83 OK DELETE completed\r\n"),
        (C, b"A84 DELETE foo\r\n"),
        (S, b"A84 OK DELETE Completed\r\n"),
        (C, b"A85 LIST \"\" *\r\n"),
        (S, b"* LIST () \".\" foo.bar\r\n"),
        (S, b"A85 OK LIST completed\r\n"),
        (C, b"A86 LIST \"\" %\r\n"),
        (S, b"* LIST (\\Noselect) \".\" foo\r\n"),
        (S, b"A86 OK LIST completed\r\n"),
    ]);
}

#[test]
fn rfc9051_6_3_6_rename_command() {
    check(&[
        (C, b"A682 LIST \"\" *\r\n"),
        (S, b"* LIST () \"/\" blurdybloop\r\n"),
        (S, b"* LIST (\\Noselect) \"/\" foo\r\n"),
        (S, b"* LIST () \"/\" foo/bar\r\n"),
        (S, b"A682 OK LIST completed\r\n"),
        (C, b"A683 RENAME blurdybloop sarasoop\r\n"),
        (S, b"A683 OK RENAME completed\r\n"),
        (C, b"A684 RENAME foo zowie\r\n"),
        (S, b"A684 OK RENAME Completed\r\n"),
        (C, b"A685 LIST \"\" *\r\n"),
        (S, b"* LIST () \"/\" sarasoop\r\n"),
        (S, b"* LIST (\\Noselect) \"/\" zowie\r\n"),
        (S, b"* LIST () \"/\" zowie/bar\r\n"),
        (S, b"A685 OK LIST completed\r\n"),
        (C, b"Z432 LIST \"\" *\r\n"),
        (S, b"* LIST () \".\" INBOX\r\n"),
        (S, b"* LIST () \".\" INBOX.bar\r\n"),
        (S, b"Z432 OK LIST completed\r\n"),
        (C, b"Z433 RENAME INBOX old-mail\r\n"),
        (S, b"Z433 OK RENAME completed\r\n"),
        (C, b"Z434 LIST \"\" *\r\n"),
        (S, b"* LIST () \".\" INBOX\r\n"),
        (S, b"* LIST () \".\" INBOX.bar\r\n"),
        (S, b"* LIST () \".\" old-mail\r\n"),
        (S, b"Z434 OK LIST completed\r\n"),
        (C, b"1001 RENAME X Y\r\n"),
        (C, b"1002 SUBSCRIBE Y\r\n"),
        (C, b"1003 UNSUBSCRIBE X\r\n"),
    ]);
}

#[test]
fn rfc9051_6_3_7_subscribe_command() {
    check(&[
        (C, b"A002 SUBSCRIBE #news.comp.mail.mime\r\n"),
        (S, b"A002 OK SUBSCRIBE completed\r\n"),
    ]);
}

#[test]
fn rfc9051_6_3_8_unsubscribe_command() {
    check(&[
        (C, b"A002 UNSUBSCRIBE #news.comp.mail.mime\r\n"),
        (S, b"A002 OK UNSUBSCRIBE completed\r\n"),
    ]);
}

#[test]
fn rfc9051_6_3_9_3_general_principles_for_returning() {
    check(&[(
        S,
        b"* LIST (\\Subscribed \\NonExistent) \"/\" \"Fruit/Peach\"\r\n",
    )]);
}

#[test]
fn rfc9051_6_3_9_7_oldname_extended_data_item() {
    check(&[
        (
            S,
            b"* LIST (\\NonExistent) \".\" \"INBOX.DeletedMailbox\"\r\n",
        ),
        (
            S,
            b"* LIST () \"/\" \"NewMailbox\" (\"OLDNAME\" (\"OldMailbox\"))\r\n",
        ),
    ]);
}

#[test]
fn rfc9051_6_3_9_8_list_command_examples() {
    check(&[
        (C, b"A101 LIST \"\" \"\"\r\n"),
        (S, b"* LIST (\\Noselect) \"/\" \"\"\r\n"),
        (S, b"A101 OK LIST Completed\r\n"),
        (C, b"A102 LIST #news.comp.mail.misc \"\"\r\n"),
        (S, b"* LIST (\\Noselect) \".\" #news.\r\n"),
        (S, b"A102 OK LIST Completed\r\n"),
        (C, b"A103 LIST /usr/staff/jones \"\"\r\n"),
        (S, b"* LIST (\\Noselect) \"/\" /\r\n"),
        (S, b"A103 OK LIST Completed\r\n"),
        (C, b"A202 LIST ~/Mail/ %\r\n"),
        (S, b"* LIST (\\Noselect) \"/\" ~/Mail/foo\r\n"),
        (S, b"* LIST () \"/\" ~/Mail/meetings\r\n"),
        (S, b"A202 OK LIST completed\r\n"),
        (C, b"A01 LIST \"\" \"*\"\r\n"),
        (S, b"* LIST (\\Marked \\NoInferiors) \"/\" \"inbox\"\r\n"),
        (S, b"* LIST () \"/\" \"Fruit\"\r\n"),
        (S, b"* LIST () \"/\" \"Fruit/Apple\"\r\n"),
        (S, b"* LIST () \"/\" \"Fruit/Banana\"\r\n"),
        (S, b"* LIST () \"/\" \"Tofu\"\r\n"),
        (S, b"* LIST () \"/\" \"Vegetable\"\r\n"),
        (S, b"* LIST () \"/\" \"Vegetable/Broccoli\"\r\n"),
        (S, b"* LIST () \"/\" \"Vegetable/Corn\"\r\n"),
        (S, b"A01 OK done\r\n"),
        (C, b"A02 LIST (SUBSCRIBED) \"\" \"*\"\r\n"),
        (S, b"* LIST (\\Marked \\NoInferiors \\Subscribed) \"/\" \"inbox\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"Fruit/Banana\"\r\n"),
        (S, b"* LIST (\\Subscribed \\NonExistent) \"/\" \"Fruit/Peach\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"Vegetable\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"Vegetable/Broccoli\"\r\n"),
        (S, b"A02 OK done\r\n"),
        (C, b"A03 LIST () \"\" \"%\" RETURN (CHILDREN)\r\n"),
        (S, b"* LIST (\\Marked \\NoInferiors) \"/\" \"inbox\"\r\n"),
        (S, b"* LIST (\\HasChildren) \"/\" \"Fruit\"\r\n"),
        (S, b"* LIST (\\HasNoChildren) \"/\" \"Tofu\"\r\n"),
        (S, b"* LIST (\\HasChildren) \"/\" \"Vegetable\"\r\n"),
        (S, b"A03 OK done\r\n"),
        (C, b"A04 LIST (REMOTE) \"\" \"%\" RETURN (CHILDREN)\r\n"),
        (S, b"* LIST (\\Marked \\NoInferiors) \"/\" \"inbox\"\r\n"),
        (S, b"* LIST (\\HasChildren) \"/\" \"Fruit\"\r\n"),
        (S, b"* LIST (\\HasNoChildren) \"/\" \"Tofu\"\r\n"),
        (S, b"* LIST (\\HasChildren) \"/\" \"Vegetable\"\r\n"),
        (S, b"* LIST (\\Remote \\HasNoChildren) \"/\" \"Bread\"\r\n"),
        (S, b"* LIST (\\HasChildren \\Remote) \"/\" \"Meat\"\r\n"),
        (S, b"A04 OK done\r\n"),
        (C, b"A05 LIST (REMOTE SUBSCRIBED) \"\" \"*\"\r\n"),
        (S, b"* LIST (\\Marked \\NoInferiors \\Subscribed) \"/\" \"inbox\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"Fruit/Banana\"\r\n"),
        (S, b"* LIST (\\Subscribed \\NonExistent) \"/\" \"Fruit/Peach\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"Vegetable\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"Vegetable/Broccoli\"\r\n"),
        (S, b"* LIST (\\Remote \\Subscribed) \"/\" \"Bread\"\r\n"),
        (S, b"A05 OK done\r\n"),
        (C, b"A06 LIST (REMOTE) \"\" \"*\" RETURN (SUBSCRIBED)\r\n"),
        (S, b"* LIST (\\Marked \\NoInferiors \\Subscribed) \"/\" \"inbox\"\r\n"),
        (S, b"* LIST () \"/\" \"Fruit\"\r\n"),
        (S, b"* LIST () \"/\" \"Fruit/Apple\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"Fruit/Banana\"\r\n"),
        (S, b"* LIST () \"/\" \"Tofu\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"Vegetable\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"Vegetable/Broccoli\"\r\n"),
        (S, b"* LIST () \"/\" \"Vegetable/Corn\"\r\n"),
        (S, b"* LIST (\\Remote \\Subscribed) \"/\" \"Bread\"\r\n"),
        (S, b"* LIST (\\Remote) \"/\" \"Meat\"\r\n"),
        (S, b"A06 OK done\r\n"),
        (C, b"C01 LIST \"\" \"*\"\r\n"),
        (S, b"* LIST (\\Marked \\NoInferiors) \"/\" \"inbox\"\r\n"),
        (S, b"* LIST () \"/\" \"Foo\"\r\n"),
        (S, b"* LIST () \"/\" \"Foo/Bar\"\r\n"),
        (S, b"* LIST () \"/\" \"Foo/Baz\"\r\n"),
        (S, b"* LIST () \"/\" \"Moo\"\r\n"),
        (S, b"C01 OK done\r\n"),
        (C, b"CA3 LIST \"\" \"%\" RETURN (CHILDREN)\r\n"),
        (S, b"* LIST (\\Marked \\NoInferiors) \"/\" \"inbox\"\r\n"),
        (S, b"* LIST (\\HasChildren) \"/\" \"Foo\"\r\n"),
        (S, b"* LIST (\\HasNoChildren) \"/\" \"Moo\"\r\n"),
        (S, b"CA3 OK done\r\n"),
        (C, b"C02 LIST (SUBSCRIBED) \"\" \"*\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"Foo/Baz\"\r\n"),
        (S, b"C02 OK done\r\n"),
        (C, b"C04 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\"\r\n"),
        (S, b"* LIST () \"/\" \"Foo\" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"),
        (S, b"C04 OK done\r\n"),
        (C, b"C04 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"Foo\" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"),
        (S, b"C04 OK done\r\n"),
        (C, b"C04 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\"\r\n"),
        (S, b"* LIST (\\Subscribed \\HasChildren) \"/\" \"Foo\" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"),
        (S, b"C04 OK done\r\n"),
        (C, b"C04 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\"\r\n"),
        (S, b"* LIST (\\NonExistent) \"/\" \"Foo\" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"),
        (S, b"C04 OK done\r\n"),
        (C, b"C04 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\" RETURN (CHILDREN)\r\n"),
        (S, b"* LIST (\\HasChildren \\Subscribed) \"/\" \"Foo\"\r\n"),
        (S, b"* LIST (\\HasNoChildren \\Subscribed) \"/\" \"Moo\"\r\n"),
        (S, b"C04 OK done\r\n"),
        (C, b"D01 LIST \"\" \"*\"\r\n"),
        (S, b"* LIST (\\Marked \\NoInferiors) \"/\" \"inbox\"\r\n"),
        (S, b"* LIST () \"/\" \"foo2\"\r\n"),
        (S, b"* LIST () \"/\" \"foo2/bar1\"\r\n"),
        (S, b"* LIST () \"/\" \"foo2/bar2\"\r\n"),
        (S, b"* LIST () \"/\" \"baz2\"\r\n"),
        (S, b"* LIST () \"/\" \"baz2/bar2\"\r\n"),
        (S, b"* LIST () \"/\" \"baz2/bar22\"\r\n"),
        (S, b"* LIST () \"/\" \"baz2/bar222\"\r\n"),
        (S, b"* LIST () \"/\" \"eps2\"\r\n"),
        (S, b"* LIST () \"/\" \"eps2/mamba\"\r\n"),
        (S, b"* LIST () \"/\" \"qux2/bar2\"\r\n"),
        (S, b"D01 OK done\r\n"),
        (C, b"D02 LIST (SUBSCRIBED) \"\" \"*\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"foo2/bar1\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"foo2/bar2\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"baz2/bar2\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"baz2/bar22\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"baz2/bar222\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"eps2\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"eps2/mamba\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"qux2/bar2\"\r\n"),
        (S, b"D02 OK done\r\n"),
        (C, b"D03 LIST (RECURSIVEMATCH SUBSCRIBED) \"\" \"*2\"\r\n"),
        (S, b"* LIST () \"/\" \"foo2\" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"foo2/bar2\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"baz2/bar2\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"baz2/bar22\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"baz2/bar222\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"eps2\" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"qux2/bar2\"\r\n"),
        (S, b"D03 OK done\r\n"),
        (S, b"* LIST () \"/\" \"baz2\" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"),
        (S, b"* LIST (\\NonExistent) \"/\" \"qux2\" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"),
        (C, b"D03 LIST (RECURSIVEMATCH SUBSCRIBED) \"\" \"*\"\r\n"),
        (S, b"* LIST () \"/\" \"foo2\" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"foo2/bar1\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"foo2/bar2\"\r\n"),
        (S, b"* LIST () \"/\" \"baz2\" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"baz2/bar2\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"baz2/bar22\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"baz2/bar222\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"eps2\" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"eps2/mamba\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"qux2/bar2\"\r\n"),
        (S, b"D03 OK done\r\n"),
        (C, b"a1 LIST \"\" (\"foo\")\r\n"),
        (S, b"* LIST () \"/\" foo\r\n"),
        (S, b"a1 OK done\r\n"),
        (C, b"a2 LIST (SUBSCRIBED) \"\" \"foo/*\"\r\n"),
        (S, b"* LIST (\\Subscribed \\NonExistent) \"/\" foo/bar\r\n"),
        (S, b"a2 OK done\r\n"),
        (C, b"a3 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" foo RETURN (CHILDREN)\r\n"),
        (S, b"* LIST (\\HasNoChildren) \"/\" foo (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"),
        (S, b"a3 OK done\r\n"),
        (C, b"a1 LIST (REMOTE) \"\" *\r\n"),
        (S, b"* LIST () \"/\" music/rock\r\n"),
        (S, b"* LIST (\\Remote) \"/\" also/jazz\r\n"),
        (S, b"a1 OK done\r\n"),
        (C, b"a2 LIST () \"\" %\r\n"),
        (S, b"* LIST (\\NonExistent \\HasChildren) \"/\" music\r\n"),
        (S, b"a2 OK done\r\n"),
        (C, b"a3 LIST (REMOTE) \"\" %\r\n"),
        (S, b"* LIST (\\NonExistent \\HasChildren) \"/\" music\r\n"),
        (S, b"* LIST (\\NonExistent \\HasChildren) \"/\" also\r\n"),
        (S, b"a3 OK done\r\n"),
        (C, b"a3.1 LIST \"\" (% music/rock)\r\n"),
        (S, b"* LIST () \"/\" music/rock\r\n"),
        (S, b"a3.1 OK done\r\n"),
        (C, b"A01 LIST \"\" % RETURN (STATUS (MESSAGES UNSEEN))\r\n"),
        (S, b"* LIST () \".\"  \"INBOX\"\r\n"),
        (S, b"* STATUS \"INBOX\" (MESSAGES 17 UNSEEN 16)\r\n"),
        (S, b"* LIST () \".\" \"foo\"\r\n"),
        (S, b"* STATUS \"foo\" (MESSAGES 30 UNSEEN 29)\r\n"),
        (S, b"* LIST (\\NoSelect) \".\" \"bar\"\r\n"),
        (S, b"A01 OK List completed.\r\n"),
        (C, b"A02 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" % RETURN (STATUS (MESSAGES))\r\n"),
        (S, b"* LIST (\\Subscribed) \".\"  \"INBOX\"\r\n"),
        (S, b"* STATUS \"INBOX\" (MESSAGES 17)\r\n"),
        (S, b"* LIST () \".\" \"foo\" (CHILDINFO (\"SUBSCRIBED\"))\r\n"),
        (S, b"A02 OK List completed.\r\n"),
    ]);
}

#[test]
fn rfc9051_6_3_10_namespace_command() {
    check(&[
        (C, b"A001 NAMESPACE\r\n"),
        (S, b"* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n"),
        (S, b"A001 OK NAMESPACE command completed\r\n"),
        (C, b"A001 NAMESPACE\r\n"),
        (S, b"* NAMESPACE NIL NIL ((\"\" \".\"))\r\n"),
        (S, b"A001 OK NAMESPACE command completed\r\n"),
        (C, b"A001 NAMESPACE\r\n"),
        (S, b"* NAMESPACE ((\"\" \"/\")) NIL ((\"Public Folders/\" \"/\"))\r\n"),
        (S, b"A001 OK NAMESPACE command completed\r\n"),
        (C, b"A001 NAMESPACE\r\n"),
        (S, b"* NAMESPACE ((\"\" \"/\")) ((\"~\" \"/\")) ((\"#shared/\" \"/\")(\"#public/\" \"/\")(\"#ftp/\" \"/\")(\"#news.\" \".\"))\r\n"),
        (S, b"A001 OK NAMESPACE command completed\r\n"),
        (C, b"A001 NAMESPACE\r\n"),
        (S, b"* NAMESPACE ((\"INBOX.\" \".\")) NIL  NIL\r\n"),
        (S, b"A001 OK NAMESPACE command completed\r\n"),
        (C, b"A002 CREATE \"INBOX.Sent Mail\"\r\n"),
        (S, b"A002 OK CREATE command completed\r\n"),
        (C, b"A001 NAMESPACE\r\n"),
        (S, b"* NAMESPACE ((\"\" \"/\")(\"#mh/\" \"/\" \"X-PARAM\" (\"FLAG1\" \"FLAG2\"))) NIL NIL\r\n"),
        (S, b"A001 OK NAMESPACE command completed\r\n"),
        (C, b"A002 LIST (SPECIAL-USE) \"\" \"*\"\r\n"),
        (S, b"* LIST (\\NonExistent \\Archive) \"/\" Archives\r\n"),
        (S, b"* LIST (\\NonExistent \\Drafts) \"/\" Drafts\r\n"),
        (S, b"* LIST (\\NonExistent \\Junk) \"/\" Junk\r\n"),
        (S, b"* LIST (\\NonExistent \\Sent) \"/\" \"Sent Mail\"\r\n"),
        (S, b"* LIST (\\NonExistent \\Trash) \"/\" \"Deleted Items\"\r\n"),
        (S, b"A002 OK LIST Completed\r\n"),
        (C, b"A003 LIST (SPECIAL-USE) \"#mh/\" \"*\"\r\n"),
        (S, b"* LIST (\\NonExistent \\Archive) \"/\" \"#mh/Archives\"\r\n"),
        (S, b"* LIST (\\NonExistent \\Drafts) \"/\" \"#mh/Drafts\"\r\n"),
        (S, b"* LIST (\\NonExistent \\Junk) \"/\" \"#mh/Junk\"\r\n"),
        (S, b"* LIST (\\NonExistent \\Sent) \"/\" \"#mh/Sent Mail\"\r\n"),
        (S, b"* LIST (\\NonExistent \\Trash) \"/\" \"#mh/Deleted Items\"\r\n"),
        (S, b"A003 OK LIST Completed\r\n"),
        (C, b"A004 CREATE \"Sent Mail\"\r\n"),
        (S, b"A004 OK CREATE command completed\r\n"),
        (C, b"A005 CREATE \"Delete Items\"\r\n"),
        (S, b"A005 OK CREATE command completed\r\n"),
        (C, b"A006 CREATE \"#mh/Deleted Items\"\r\n"),
        (S, b"A006 OK CREATE command completed\r\n"),
        (C, b"A001 NAMESPACE\r\n"),
        (S, b"* NAMESPACE ((\"\" \"/\")) ((\"Other Users/\" \"/\")) NIL\r\n"),
        (S, b"A001 OK NAMESPACE command completed\r\n"),
        (C, b"A002 LIST \"\" \"Other Users/%\"\r\n"),
        (S, b"* LIST () \"/\" \"Other Users/Mike\"\r\n"),
        (S, b"* LIST () \"/\" \"Other Users/Karen\"\r\n"),
        (S, b"* LIST () \"/\" \"Other Users/Matthew\"\r\n"),
        (S, b"* LIST () \"/\" \"Other Users/Tesa\"\r\n"),
        (S, b"A002 OK LIST command completed\r\n"),
        (C, b"A001 NAMESPACE\r\n"),
        (S, b"* NAMESPACE ((\"\" \"/\")) ((\"#Users/\" \"/\")) NIL\r\n"),
        (S, b"A001 OK NAMESPACE command completed\r\n"),
        (C, b"A002 LIST \"\" \"#Users/%\"\r\n"),
        (S, b"A002 NO The requested item could not be found.\r\n"),
        (C, b"A003 LIST \"\" \"#Users/Mike/%\"\r\n"),
        (S, b"* LIST () \"/\" \"#Users/Mike/INBOX\"\r\n"),
        (S, b"* LIST () \"/\" \"#Users/Mike/Foo\"\r\n"),
        (S, b"A003 OK LIST command completed.\r\n"),
        (C, b"A001 NAMESPACE\r\n"),
        (S, b"* NAMESPACE ((\"\" \"/\")) ((\"~\" \"/\")) NIL\r\n"),
        (S, b"A001 OK NAMESPACE command completed\r\n"),
        (C, b"A002 LIST \"\" \"~mark/%\"\r\n"),
        (S, b"* LIST () \"/\" \"~mark/INBOX\"\r\n"),
        (S, b"* LIST () \"/\" \"~mark/foo\"\r\n"),
        (S, b"A002 OK LIST command completed\r\n"),
    ]);
}

#[test]
fn rfc9051_6_3_11_status_command() {
    check(&[
        (C, b"A042 STATUS blurdybloop (UIDNEXT MESSAGES)\r\n"),
        (S, b"* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)\r\n"),
        (S, b"A042 OK STATUS completed\r\n"),
    ]);
}

#[test]
fn rfc9051_6_3_12_append_command() {
    check(&[
        (C, b"A003 APPEND saved-messages (\\Seen) {326}\r\nDate: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\nFrom: Fred Foobar <foobar@Blurdybloop.example>\r\nSubject: afternoon meeting\r\nTo: mooch@owatagu.siam.edu.example\r\nMessage-Id: <B27397-0100000@Blurdybloop.example>\r\nMIME-Version: 1.0\r\nContent-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\r\nHello Joe, do you think we can meet at 3:30 tomorrow?\r\n\r\n"),
        (S, b"A003 OK APPEND completed\r\n"),
        (C, b"A003 APPEND saved-messages (\\Seen) {297+}\r\nDate: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\nFrom: Fred Foobar <foobar@example.com>\r\nSubject: afternoon meeting\r\nTo: mooch@example.com\r\nMessage-Id: <B27397-0100000@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\r\nHello Joe, do you think we can meet at 3:30 tomorrow?\r\n\r\n"),
        (S, b"A003 OK [APPENDUID 38505 3955] APPEND completed\r\n"),
        (C, b"A004 COPY 2:4 meeting\r\n"),
        (S, b"A004 OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n"),
        (C, b"A005 UID COPY 305:310 meeting\r\n"),
        (S, b"A005 OK No matching messages, so nothing copied\r\n"),
        (C, b"A006 COPY 2 funny\r\n"),
        (S, b"A006 OK Done\r\n"),
        (C, b"A007 SELECT funny\r\n"),
        (S, b"* 1 EXISTS\r\n"),
        (S, b"* OK [UIDVALIDITY 3857529045] Validity session-only\r\n"),
        (S, b"* OK [UIDNEXT 2] Predicted next UID\r\n"),
        (S, b"* NO [UIDNOTSTICKY] Non-persistent UIDs\r\n"),
        (S, b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"),
        (S, b"* OK [PERMANENTFLAGS (\\Deleted \\Seen)] Limited\r\n"),
        (S, b"* LIST () \".\" funny\r\n"),
        (S, b"A007 OK [READ-WRITE] SELECT completed\r\n"),
    ]);
}

#[test]
fn rfc9051_6_3_13_idle_command() {
    check(&[
        (C, b"A001 SELECT INBOX\r\n"),
        (S, b"* FLAGS (\\Deleted \\Seen \\Flagged)\r\n"),
        (
            S,
            b"* OK [PERMANENTFLAGS (\\Deleted \\Seen \\Flagged)] Limited\r\n",
        ),
        (S, b"* 3 EXISTS\r\n"),
        (S, b"* OK [UIDVALIDITY 1]\r\n"),
        (S, b"* OK [UIDNEXT 1]\r\n"),
        (S, b"* LIST () \"/\" INBOX\r\n"),
        (S, b"A001 OK [READ-WRITE] SELECT completed\r\n"),
        (C, b"A002 IDLE\r\n"),
        (S, b"+ idling\r\n"),
        (S, b"* 4 EXISTS\r\n"),
        (C, b"DONE\r\n"),
        (S, b"A002 OK IDLE terminated\r\n"),
        (C, b"A003 FETCH 4 ALL\r\n"),
        (S, b"* 4 FETCH (...)\r\n"),
        (S, b"A003 OK FETCH completed\r\n"),
        (C, b"A004 IDLE\r\n"),
        (S, b"* 2 EXPUNGE\r\n"),
        (S, b"* 3 EXISTS\r\n"),
        (S, b"+ idling\r\n"),
        (S, b"* 3 EXPUNGE\r\n"),
        (S, b"* 2 EXISTS\r\n"),
        (S, b"* 3 EXISTS\r\n"),
        (C, b"DONE\r\n"),
        (S, b"A004 OK IDLE terminated\r\n"),
        (C, b"A005 FETCH 3 ALL\r\n"),
        (S, b"* 3 FETCH (...)\r\n"),
        (S, b"A005 OK FETCH completed\r\n"),
        (C, b"A006 IDLE\r\n"),
    ]);
}

#[test]
fn rfc9051_6_4_1_close_command() {
    check(&[(C, b"A341 CLOSE\r\n"), (S, b"A341 OK CLOSE completed\r\n")]);
}

#[test]
fn rfc9051_6_4_2_unselect_command() {
    check(&[
        (C, b"A342 UNSELECT\r\n"),
        (S, b"A342 OK Unselect completed\r\n"),
    ]);
}

#[test]
fn rfc9051_6_4_3_expunge_command() {
    check(&[
        (C, b"A202 EXPUNGE\r\n"),
        (S, b"* 3 EXPUNGE\r\n"),
        (S, b"* 3 EXPUNGE\r\n"),
        (S, b"* 5 EXPUNGE\r\n"),
        (S, b"* 8 EXPUNGE\r\n"),
        (S, b"A202 OK EXPUNGE completed\r\n"),
    ]);
}

#[test]
fn rfc9051_6_4_4_search_command() {
    check(&[
        (C, b"A282 SEARCH RETURN (MIN COUNT) FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n"),
        (S, b"* ESEARCH (TAG \"A282\") MIN 2 COUNT 3\r\n"),
        (S, b"A282 OK SEARCH completed\r\n"),
        (C, b"A283 SEARCH RETURN () FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n"),
        (S, b"* ESEARCH (TAG \"A283\") ALL 2,10:11\r\n"),
        (S, b"A283 OK SEARCH completed\r\n"),
        (C, b"A284 SEARCH TEXT \"string not in mailbox\"\r\n"),
        (S, b"* ESEARCH (TAG \"A284\")\r\n"),
        (S, b"A284 OK SEARCH completed\r\n"),
        (C, b"A285 SEARCH CHARSET UTF-8 TEXT {12}\r\n\xd0\xbe\xd1\x82\xd0\xbf\xd1\x83\xd1\x81\xd0\xba\r\n"),
        (S, b"* ESEARCH (TAG \"A285\") ALL 43\r\n"),
        (S, b"A285 OK SEARCH completed\r\n"),
        (C, b"A284 SEARCH RETURN (MIN) UNSEEN\r\n"),
        (S, b"* ESEARCH (TAG \"A284\") MIN 4\r\n"),
        (S, b"A284 OK SEARCH completed\r\n"),
        (C, b"A285 UID SEARCH RETURN (MIN MAX) 1:5000\r\n"),
        (S, b"* ESEARCH (TAG \"A285\") UID MIN 7 MAX 3800\r\n"),
        (S, b"A285 OK SEARCH completed\r\n"),
        (C, b"A286 SEARCH RETURN (COUNT) DELETED\r\n"),
        (S, b"* ESEARCH (TAG \"A286\") COUNT 15\r\n"),
        (S, b"A286 OK SEARCH completed\r\n"),
    ]);
}

#[test]
fn rfc9051_6_4_4_4_examples_showing_use_of() {
    check(&[
        (C, b"A282 SEARCH RETURN (SAVE) FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n"),
        (S, b"A282 OK SEARCH completed, result saved\r\n"),
        (C, b"A283 FETCH $ (UID INTERNALDATE FLAGS BODY.PEEK[HEADER])\r\n"),
        (S, b"* 2 FETCH (UID 14 ...\r\n"),
        (S, b"* 84 FETCH (UID 100 ...\r\n"),
        (S, b"* 882 FETCH (UID 1115 ...\r\n"),
        (S, b"A283 OK completed\r\n"),
        (C, b"A282 SEARCH RETURN (SAVE) FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n"),
        (C, b"A283 FETCH $ (UID INTERNALDATE FLAGS BODY.PEEK[HEADER])\r\n"),
        (S, b"A282 OK SEARCH completed\r\n"),
        (S, b"* 2 FETCH (UID 14 ...\r\n"),
        (S, b"* 84 FETCH (UID 100 ...\r\n"),
        (S, b"* 882 FETCH (UID 1115 ...\r\n"),
        (S, b"A283 OK completed\r\n"),
        (C, b"A300 SEARCH RETURN (SAVE) SINCE 1-Jan-2004 NOT FROM \"Smith\"\r\n"),
        (S, b"A300 OK SEARCH completed\r\n"),
        (C, b"A301 UID SEARCH UID $ SMALLER 4096\r\n"),
        (S, b"* ESEARCH (TAG \"A301\") UID ALL 17,900,901\r\n"),
        (S, b"A301 OK completed\r\n"),
        (C, b"A301 UID SEARCH $ SMALLER 4096\r\n"),
        (C, b"P282 SEARCH RETURN (SAVE) SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n"),
        (S, b"P282 OK SEARCH completed\r\n"),
        (C, b"P283 SEARCH CHARSET UTF-8 (OR $ 1,3000:3021) TEXT {8+}\r\n\xd0\xbc\xd0\xb0\xd1\x82\xd1\x8c\r\n"),
        (S, b"* ESEARCH (TAG \"P283\") ALL 882,1102,3003,3005:3006\r\n"),
        (S, b"P283 OK completed\r\n"),
        (C, b"B282 SEARCH RETURN (SAVE) SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n"),
        (S, b"B282 OK SEARCH completed\r\n"),
        (C, b"B283 SEARCH RETURN (SAVE) CHARSET KOI8-R (OR $ 1,3000:3021) TEXT {4}\r\n"),
        (C, b"XXXX\r\n"),
        (S, b"B283 NO [BADCHARSET UTF-8] KOI8-R is not supported\r\n"),
        (C, b"E282 SEARCH RETURN (SAVE) SINCE 28-Oct-2006 NOT FROM \"Eric\"\r\n"),
        (C, b"E283 COPY $ \"Other Messages\"\r\n"),
        (S, b"E282 OK SEARCH completed\r\n"),
        (S, b"E283 OK COPY completed, nothing copied\r\n"),
        (C, b"F282 SEARCH RETURN (SAVE) KEYWORD $Junk\r\n"),
        (C, b"F283 COPY $ \"Junk\"\r\n"),
        (C, b"F284 STORE $ +FLAGS.Silent (\\Deleted)\r\n"),
        (S, b"F282 OK SEARCH completed\r\n"),
        (S, b"F283 OK COPY completed\r\n"),
        (S, b"F284 OK STORE completed\r\n"),
        (C, b"G282 SEARCH RETURN (SAVE) KEYWORD $Junk\r\n"),
        (C, b"G283 SEARCH RETURN (ALL) SINCE 28-Oct-2006 FROM \"Eric\"\r\n"),
        (S, b"* ESEARCH (TAG \"G283\") ALL 3:15,27,29:103\r\n"),
        (S, b"G283 OK SEARCH completed\r\n"),
        (S, b"G282 OK SEARCH completed\r\n"),
        (C, b"H282 SEARCH RETURN (SAVE) KEYWORD $Junk\r\n"),
        (C, b"H283 SEARCH RETURN (SAVE) SINCE 28-Oct-2006 FROM \"Eric\"\r\n"),
        (S, b"H282 OK SEARCH completed\r\n"),
        (S, b"H283 OK SEARCH completed\r\n"),
        (C, b"C282 SEARCH RETURN (ALL) SINCE 12-Feb-2006 NOT FROM \"Smith\"\r\n"),
        (S, b"* ESEARCH (TAG \"C283\") ALL 2,10:15,21\r\n"),
        (S, b"C282 OK SEARCH completed\r\n"),
        (C, b"C283 SEARCH RETURN (ALL SAVE) SINCE 12-Feb-2006 NOT FROM \"Smith\"\r\n"),
        (S, b"* ESEARCH (TAG \"C283\") ALL 2,10:15,21\r\n"),
        (S, b"C283 OK SEARCH completed\r\n"),
        (C, b"C284 SEARCH RETURN (SAVE MIN) SINCE 12-Feb-2006 NOT FROM \"Smith\"\r\n"),
        (S, b"* ESEARCH (TAG \"C284\") MIN 2\r\n"),
        (S, b"C284 OK SEARCH completed\r\n"),
        (C, b"C285 SEARCH RETURN (MAX SAVE MIN) SINCE 12-Feb-2006 NOT FROM \"Smith\"\r\n"),
        (S, b"* ESEARCH (TAG \"C285\") MIN 2 MAX 21\r\n"),
        (S, b"C285 OK SEARCH completed\r\n"),
        (C, b"C286 SEARCH RETURN (MAX SAVE MIN COUNT) SINCE 12-Feb-2006 NOT FROM \"Smith\"\r\n"),
        (S, b"* ESEARCH (TAG \"C286\") MIN 2 MAX 21 COUNT 8\r\n"),
        (S, b"C286 OK SEARCH completed\r\n"),
        (C, b"C286 SEARCH RETURN (ALL SAVE MIN) SINCE 12-Feb-2006 NOT FROM \"Smith\"\r\n"),
        (S, b"* ESEARCH (TAG \"C286\") MIN 2 ALL 2,10:15,21\r\n"),
        (S, b"C286 OK SEARCH completed\r\n"),
    ]);
}

#[test]
fn rfc9051_6_4_5_fetch_command() {
    check(&[
        (
            C,
            b"A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])\r\n",
        ),
        (S, b"* 2 FETCH ....\r\n"),
        (S, b"* 3 FETCH ....\r\n"),
        (S, b"* 4 FETCH ....\r\n"),
        (S, b"A654 OK FETCH completed\r\n"),
    ]);
}

#[test]
fn rfc9051_6_4_6_store_command() {
    check(&[
        (C, b"A003 STORE 2:4 +FLAGS (\\Deleted)\r\n"),
        (S, b"* 2 FETCH (FLAGS (\\Deleted \\Seen))\r\n"),
        (S, b"* 3 FETCH (FLAGS (\\Deleted))\r\n"),
        (S, b"* 4 FETCH (FLAGS (\\Deleted \\Flagged \\Seen))\r\n"),
        (S, b"A003 OK STORE completed\r\n"),
    ]);
}

#[test]
fn rfc9051_6_4_7_copy_command() {
    check(&[
        (C, b"A003 COPY 2:4 MEETING\r\n"),
        (
            S,
            b"A003 OK [COPYUID 38505 304,319:320 3956:3958] COPY completed\r\n",
        ),
    ]);
}

#[test]
fn rfc9051_6_4_8_move_command() {
    check(&[
        (C, b"a UID MOVE 42:69 foo\r\n"),
        (S, b"* OK [COPYUID 432432 42:69 1202:1229]\r\n"),
        (S, b"* 22 EXPUNGE\r\n"),
        (S, b"a OK Done\r\n"),
    ]);
}

#[test]
fn rfc9051_6_4_9_uid_command() {
    check(&[
        (C, b"A003 UID EXPUNGE 3000:3002\r\n"),
        (S, b"* 3 EXPUNGE\r\n"),
        (S, b"* 3 EXPUNGE\r\n"),
        (S, b"* 3 EXPUNGE\r\n"),
        (S, b"A003 OK UID EXPUNGE completed\r\n"),
        (C, b"A999 UID FETCH 4827313:4828442 FLAGS\r\n"),
        (S, b"* 23 FETCH (FLAGS (\\Seen) UID 4827313)\r\n"),
        (S, b"* 24 FETCH (FLAGS (\\Seen) UID 4827943)\r\n"),
        (S, b"* 25 FETCH (FLAGS (\\Seen) UID 4828442)\r\n"),
        (S, b"A999 OK UID FETCH completed\r\n"),
    ]);
}

#[test]
fn rfc9051_6_5_client_commands_experimental_expansion() {
    check(&[
        (C, b"a441 CAPABILITY\r\n"),
        (S, b"* CAPABILITY IMAP4rev2 XPIG-LATIN\r\n"),
        (S, b"a441 OK CAPABILITY completed\r\n"),
        (C, b"A442 XPIG-LATIN\r\n"),
        (S, b"* XPIG-LATIN ow-nay eaking-spay ig-pay atin-lay\r\n"),
        (S, b"A442 OK XPIG-LATIN ompleted-cay\r\n"),
    ]);
}

#[test]
fn rfc9051_7_1_server_responses_generic_status() {
    check(&[
        (C, b"o356 RENAME this that\r\n"),
        (
            S,
            b"o356 NO [ALREADYEXISTS] Mailbox \"that\" already exists\r\n",
        ),
        (C, b"b LOGIN \"fred\" \"foo\"\r\n"),
        (S, b"b NO [AUTHENTICATIONFAILED] Authentication failed\r\n"),
        (C, b"c1 AUTHENTICATE PLAIN\r\n"),
        (
            S,
            b"c1 NO [AUTHORIZATIONFAILED] No such authorization-ID\r\n",
        ),
        (C, b"c2 AUTHENTICATE PLAIN\r\n"),
        (
            S,
            b"c2 NO [AUTHORIZATIONFAILED] Authenticator is not an admin\r\n",
        ),
        (C, b"l create \"///////\"\r\n"),
        (S, b"l NO [CANNOT] Adjacent slashes are not supported\r\n"),
        (C, b"k1 select \"/archive/projects/experiment-iv\"\r\n"),
        (S, b"k1 OK [READ-ONLY] Done\r\n"),
        (
            C,
            b"k2 status \"/archive/projects/experiment-iv\" (messages)\r\n",
        ),
        (S, b"k2 OK [CLIENTBUG] Done\r\n"),
        (C, b"e login \"fred\" \"foo\"\r\n"),
        (S, b"e NO [CONTACTADMIN]\r\n"),
        (C, b"i select \"/archive/projects/experiment-iv\"\r\n"),
        (S, b"i NO [CORRUPTION] Cannot open mailbox\r\n"),
        (C, b"d login \"fred\" \"foo\"\r\n"),
        (S, b"d NO [EXPIRED] That password isn't valid any more\r\n"),
        (C, b"h search from maria@example.com\r\n"),
        (S, b"* ESEARCH (TAG \"h\") ALL 1:3,5,8,13,21,42\r\n"),
        (S, b"h OK [EXPUNGEISSUED] Search completed\r\n"),
        (C, b"m356 DELETE Notes\r\n"),
        (
            S,
            b"o356 NO [HASCHILDREN] Mailbox \"Notes\" has children\r\n",
        ),
        (C, b"g delete \"/archive/projects/experiment-iv\"\r\n"),
        (S, b"g NO [INUSE] Mailbox in use\r\n"),
        (C, b"m STORE 42 FLAGS f1 f2 f3 f4 f5 ... f250\r\n"),
        (
            S,
            b"m NO [LIMIT] At most 32 flags in one mailbox supported\r\n",
        ),
        (C, b"p RENAME this that\r\n"),
        (S, b"p NO [NONEXISTENT] No such mailbox\r\n"),
        (C, b"f select \"/archive/projects/experiment-iv\"\r\n"),
        (S, b"f NO [NOPERM] Access denied\r\n"),
        (C, b"n1 uid copy 1:* oldmail\r\n"),
        (S, b"n1 NO [OVERQUOTA] Sorry\r\n"),
        (C, b"n2 uid copy 1:* oldmail\r\n"),
        (S, b"n2 OK [OVERQUOTA] You are now over your soft quota\r\n"),
        (C, b"d login \"fred\" \"foo\"\r\n"),
        (
            S,
            b"d NO [PRIVACYREQUIRED] Connection offers no privacy\r\n",
        ),
        (C, b"d select inbox\r\n"),
        (
            S,
            b"d NO [PRIVACYREQUIRED] Connection offers no privacy\r\n",
        ),
        (C, b"j select \"/archive/projects/experiment-iv\"\r\n"),
        (S, b"j NO [SERVERBUG] This should not happen\r\n"),
        (C, b"a LOGIN \"fred\" \"foo\"\r\n"),
        (
            S,
            b"a NO [UNAVAILABLE] User's backend down for maintenance\r\n",
        ),
    ]);
}

#[test]
fn rfc9051_7_1_1_ok_response() {
    check(&[
        (S, b"* OK IMAP4rev2 server ready\r\n"),
        (C, b"A001 LOGIN fred blurdybloop\r\n"),
        (S, b"* OK [ALERT] System shutdown in 10 minutes\r\n"),
        (S, b"A001 OK LOGIN Completed\r\n"),
    ]);
}

#[test]
fn rfc9051_7_1_2_no_response() {
    check(&[
        (C, b"A222 COPY 1:2 owatagusiam\r\n"),
        (
            S,
            b"* NO Disk is 98% full, please delete unnecessary data\r\n",
        ),
        (S, b"A222 OK COPY completed\r\n"),
        (C, b"A223 COPY 3:200 blurdybloop\r\n"),
        (
            S,
            b"* NO Disk is 98% full, please delete unnecessary data\r\n",
        ),
        (
            S,
            b"* NO Disk is 99% full, please delete unnecessary data\r\n",
        ),
        (S, b"A223 NO COPY failed: disk is full\r\n"),
    ]);
}

#[test]
fn rfc9051_7_1_3_bad_response() {
    check(&[
        (C, b"...very long command line...\r\n"),
        (S, b"* BAD Command line too long\r\n"),
        (C, b"...empty line...\r\n"),
        (S, b"* BAD Empty command line\r\n"),
        (C, b"A443 EXPUNGE\r\n"),
        (
            S,
            b"* BAD Disk crash, attempting salvage to a new disk!\r\n",
        ),
        (S, b"* OK Salvage successful, no data lost\r\n"),
        (S, b"A443 OK Expunge completed\r\n"),
    ]);
}

#[test]
fn rfc9051_7_1_4_preauth_response() {
    check(&[(S, b"* PREAUTH IMAP4rev2 server logged in as Smith\r\n")]);
}

#[test]
fn rfc9051_7_1_5_bye_response() {
    check(&[(S, b"* BYE Autologout; idle for too long\r\n")]);
}

#[test]
fn rfc9051_7_2_1_enabled_response() {
    check(&[(S, b"* ENABLED CONDSTORE QRESYNC\r\n")]);
}

#[test]
fn rfc9051_7_2_2_capability_response() {
    check(&[(
        S,
        b"* CAPABILITY STARTTLS AUTH=GSSAPI IMAP4rev2 LOGINDISABLED\r\n",
    )]);
}

#[test]
fn rfc9051_7_3_1_list_response() {
    check(&[
        (S, b"* LIST (\\Noselect) \"/\" ~/Mail/foo\r\n"),
        (S, b"* LIST (\\Marked) \":\" Tables (tablecloth ((\"edge\" \"lacy\") (\"color\" \"red\")) Sample \"text\")\r\n"),
        (S, b"* LIST () \":\" Tables:new (tablecloth (\"edge\" \"lacy\") Sample (\"text\" \"more text\"))\r\n"),
    ]);
}

#[test]
fn rfc9051_7_3_2_namespace_response() {
    check(&[(S, b"* NAMESPACE ((\"\" \"/\")) ((\"~\" \"/\")) NIL\r\n")]);
}

#[test]
fn rfc9051_7_3_3_status_response() {
    check(&[(S, b"* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)\r\n")]);
}

#[test]
fn rfc9051_7_3_4_esearch_response() {
    check(&[
        (S, b"* ESEARCH UID COUNT 17 ALL 4:18,21,28\r\n"),
        (
            S,
            b"* ESEARCH (TAG \"a567\") UID COUNT 17 ALL 4:18,21,28\r\n",
        ),
        (S, b"* ESEARCH COUNT 18 ALL 1:17,21\r\n"),
    ]);
}

#[test]
fn rfc9051_7_3_5_flags_response() {
    check(&[(
        S,
        b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n",
    )]);
}

#[test]
fn rfc9051_7_4_1_exists_response() {
    check(&[(S, b"* 23 EXISTS\r\n")]);
}

#[test]
fn rfc9051_7_5_1_expunge_response() {
    check(&[(S, b"* 44 EXPUNGE\r\n")]);
}

#[test]
fn rfc9051_7_5_2_fetch_response() {
    check(&[(
        S,
        b"* 23 FETCH (FLAGS (\\Seen) RFC822.SIZE 44827 UID 447)\r\n",
    )]);
}

#[test]
fn rfc9051_7_6_server_responses_command_continuation() {
    check(&[
        (C, b"A001 LOGIN {11}\r\nFRED FOOBAR {7}\r\nfat man\r\n"),
        (S, b"A001 OK LOGIN completed\r\n"),
        (C, b"A044 BLURDYBLOOP {102856}\r\n\r\n"),
    ]);
}

#[test]
fn rfc3501_6_1_1_capability_command() {
    check(&[
        (C, b"abcd CAPABILITY\r\n"),
        (S, b"* CAPABILITY IMAP4rev1 STARTTLS AUTH=GSSAPI\r\n"),
        (S, b"abcd OK CAPABILITY completed\r\n"),
        (C, b"efgh STARTTLS\r\n"),
        (S, b"efgh OK STARTLS completed\r\n"),
        (C, b"ijkl CAPABILITY\r\n"),
        (S, b"* CAPABILITY IMAP4rev1 AUTH=GSSAPI AUTH=PLAIN\r\n"),
        (S, b"ijkl OK CAPABILITY completed\r\n"),
    ]);
}

#[test]
fn rfc3501_6_1_2_noop_command() {
    check(&[
        (C, b"a002 NOOP\r\n"),
        (S, b"a002 OK NOOP completed . . .\r\n"),
        (C, b"a047 NOOP\r\n"),
        (S, b"* 22 EXPUNGE\r\n"),
        (S, b"* 23 EXISTS\r\n"),
        (S, b"* 3 RECENT\r\n"),
        (S, b"* 14 FETCH (FLAGS (\\Seen \\Deleted))\r\n"),
        (S, b"a047 OK NOOP completed\r\n"),
    ]);
}

#[test]
fn rfc3501_6_1_3_logout_command() {
    check(&[
        (C, b"A023 LOGOUT\r\n"),
        (S, b"* BYE IMAP4rev1 Server logging out\r\n"),
        (S, b"A023 OK LOGOUT completed\r\n"),
    ]);
}

#[test]
fn rfc3501_6_2_1_starttls_command() {
    check(&[
        (C, b"a001 CAPABILITY\r\n"),
        (S, b"* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\n"),
        (S, b"a001 OK CAPABILITY completed\r\n"),
        (C, b"a002 STARTTLS\r\n"),
        (S, b"a002 OK Begin TLS negotiation now\r\n"),
        (C, b"a003 CAPABILITY\r\n"),
        (S, b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n"),
        (S, b"a003 OK CAPABILITY completed\r\n"),
        (C, b"a004 LOGIN joe password\r\n"),
        (S, b"a004 OK LOGIN completed\r\n"),
    ]);
}

#[test]
fn rfc3501_6_2_2_authenticate_command() {
    check(&[
        (S, b"* OK IMAP4rev1 Server\r\n"),
        (C, b"A001 AUTHENTICATE GSSAPI\r\n"),
        (S, b"+\r\n"),
        (C, b"YIIB+wYJKoZIhvcSAQICAQBuggHqMIIB5qADAgEFoQMCAQ6iBwMFACAAAACjggEmYYIBIjCCAR6gAwIBBaESGxB1Lndhc2hpbmd0b24uZWR1oi0wK6ADAgEDoSQwIhsEaW1hcBsac2hpdmFtcy5jYWMud2FzaGluZ3Rvbi5lZHWjgdMwgdCgAwIBAaEDAgEDooHDBIHAcS1GSa5b+fXnPZNmXB9SjL8Ollj2SKyb+3S0iXMljen/jNkpJXAleKTz6BQPzj8duz8EtoOuNfKgweViyn/9B9bccy1uuAE2HI0yC/PHXNNU9ZrBziJ8Lm0tTNc98kUpjXnHZhsMcz5Mx2GR6dGknbI0iaGcRerMUsWOuBmKKKRmVMMdR9T3EZdpqsBd7jZCNMWotjhivd5zovQlFqQ2Wjc2+y46vKP/iXxWIuQJuDiisyXF0Y8+5GTpALpHDc1/pIGmMIGjoAMCAQGigZsEgZg2on5mSuxoDHEA1w9bcW9nFdFxDKpdrQhVGVRDIzcCMCTzvUboqb5KjY1NJKJsfjRQiBYBdENKfzK+g5DlV8nrw81uOcP8NOQCLR5XkoMHC0Dr/80ziQzbNqhxO6652Npft0LQwJvenwDI13YxpwOdMXzkWZN/XrEqOWp6GCgXTBvCyLWLlWnbaUkZdEYbKHBPjd8t/1x5Yg==\r\n"),
        (S, b"+ YGgGCSqGSIb3EgECAgIAb1kwV6ADAgEFoQMCAQ+iSzBJoAMCAQGiQgRAtHTEuOP2BXb9sBYFR4SJlDZxmg39IxmRBOhXRKdDA0uHTCOT9Bq3OsUTXUlk0CsFLoa8j+gvGDlgHuqzWHPSQg==\r\n"),
        (C, b"\r\n"),
        (S, b"+ YDMGCSqGSIb3EgECAgIBAAD/////6jcyG4GE3KkTzBeBiVHeceP2CWY0SR0fAQAgAAQEBAQ=\r\n"),
        (C, b"YDMGCSqGSIb3EgECAgIBAAD/////3LQBHXTpFfZgrejpLlLImPwkhbfa2QteAQAgAG1yYwE=\r\n"),
        (S, b"A001 OK GSSAPI authentication successful\r\n"),
    ]);
}

#[test]
fn rfc3501_6_2_3_login_command() {
    check(&[
        (C, b"a001 LOGIN SMITH SESAME\r\n"),
        (S, b"a001 OK LOGIN completed\r\n"),
    ]);
}

#[test]
fn rfc3501_6_3_1_select_command() {
    check(&[
        (C, b"A142 SELECT INBOX\r\n"),
        (S, b"* 172 EXISTS\r\n"),
        (S, b"* 1 RECENT\r\n"),
        (S, b"* OK [UNSEEN 12] Message 12 is first unseen\r\n"),
        (S, b"* OK [UIDVALIDITY 3857529045] UIDs valid\r\n"),
        (S, b"* OK [UIDNEXT 4392] Predicted next UID\r\n"),
        (
            S,
            b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n",
        ),
        (
            S,
            b"* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n",
        ),
        (S, b"A142 OK [READ-WRITE] SELECT completed\r\n"),
    ]);
}

#[test]
fn rfc3501_6_3_2_examine_command() {
    check(&[
        (C, b"A932 EXAMINE blurdybloop\r\n"),
        (S, b"* 17 EXISTS\r\n"),
        (S, b"* 2 RECENT\r\n"),
        (S, b"* OK [UNSEEN 8] Message 8 is first unseen\r\n"),
        (S, b"* OK [UIDVALIDITY 3857529045] UIDs valid\r\n"),
        (S, b"* OK [UIDNEXT 4392] Predicted next UID\r\n"),
        (
            S,
            b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n",
        ),
        (
            S,
            b"* OK [PERMANENTFLAGS ()] No permanent flags permitted\r\n",
        ),
        (S, b"A932 OK [READ-ONLY] EXAMINE completed\r\n"),
    ]);
}

#[test]
fn rfc3501_6_3_3_create_command() {
    check(&[
        (C, b"A003 CREATE owatagusiam/\r\n"),
        (S, b"A003 OK CREATE completed\r\n"),
        (C, b"A004 CREATE owatagusiam/blurdybloop\r\n"),
        (S, b"A004 OK CREATE completed\r\n"),
    ]);
}

#[test]
fn rfc3501_6_3_4_delete_command() {
    check(&[
        (C, b"A682 LIST \"\" *\r\n"),
        (S, b"* LIST () \"/\" blurdybloop\r\n"),
        (S, b"* LIST (\\Noselect) \"/\" foo\r\n"),
        (S, b"* LIST () \"/\" foo/bar\r\n"),
        (S, b"A682 OK LIST completed\r\n"),
        (C, b"A683 DELETE blurdybloop\r\n"),
        (S, b"A683 OK DELETE completed\r\n"),
        (C, b"A684 DELETE foo\r\n"),
        (
            S,
            b"A684 NO Name \"foo\" has inferior hierarchical names\r\n",
        ),
        (C, b"A685 DELETE foo/bar\r\n"),
        (S, b"A685 OK DELETE Completed\r\n"),
        (C, b"A686 LIST \"\" *\r\n"),
        (S, b"* LIST (\\Noselect) \"/\" foo\r\n"),
        (S, b"A686 OK LIST completed\r\n"),
        (C, b"A687 DELETE foo\r\n"),
        (S, b"A687 OK DELETE Completed\r\n"),
        (C, b"A82 LIST \"\" *\r\n"),
        (S, b"* LIST () \".\" blurdybloop\r\n"),
        (S, b"* LIST () \".\" foo\r\n"),
        (S, b"* LIST () \".\" foo.bar\r\n"),
        (S, b"A82 OK LIST completed\r\n"),
        (C, b"A83 DELETE blurdybloop\r\n"),
        (S, b"A83 OK DELETE completed\r\n"),
        (C, b"A84 DELETE foo\r\n"),
        (S, b"A84 OK DELETE Completed\r\n"),
        (C, b"A85 LIST \"\" *\r\n"),
        (S, b"* LIST () \".\" foo.bar\r\n"),
        (S, b"A85 OK LIST completed\r\n"),
        (C, b"A86 LIST \"\" %\r\n"),
        (S, b"* LIST (\\Noselect) \".\" foo\r\n"),
        (S, b"A86 OK LIST completed\r\n"),
    ]);
}

#[test]
fn rfc3501_6_3_5_rename_command() {
    check(&[
        (C, b"A682 LIST \"\" *\r\n"),
        (S, b"* LIST () \"/\" blurdybloop\r\n"),
        (S, b"* LIST (\\Noselect) \"/\" foo\r\n"),
        (S, b"* LIST () \"/\" foo/bar\r\n"),
        (S, b"A682 OK LIST completed\r\n"),
        (C, b"A683 RENAME blurdybloop sarasoop\r\n"),
        (S, b"A683 OK RENAME completed\r\n"),
        (C, b"A684 RENAME foo zowie\r\n"),
        (S, b"A684 OK RENAME Completed\r\n"),
        (C, b"A685 LIST \"\" *\r\n"),
        (S, b"* LIST () \"/\" sarasoop\r\n"),
        (S, b"* LIST (\\Noselect) \"/\" zowie\r\n"),
        (S, b"* LIST () \"/\" zowie/bar\r\n"),
        (S, b"A685 OK LIST completed\r\n"),
        (C, b"Z432 LIST \"\" *\r\n"),
        (S, b"* LIST () \".\" INBOX\r\n"),
        (S, b"* LIST () \".\" INBOX.bar\r\n"),
        (S, b"Z432 OK LIST completed\r\n"),
        (C, b"Z433 RENAME INBOX old-mail\r\n"),
        (S, b"Z433 OK RENAME completed\r\n"),
        (C, b"Z434 LIST \"\" *\r\n"),
        (S, b"* LIST () \".\" INBOX\r\n"),
        (S, b"* LIST () \".\" INBOX.bar\r\n"),
        (S, b"* LIST () \".\" old-mail\r\n"),
        (S, b"Z434 OK LIST completed\r\n"),
    ]);
}

#[test]
fn rfc3501_6_3_6_subscribe_command() {
    check(&[
        (C, b"A002 SUBSCRIBE #news.comp.mail.mime\r\n"),
        (S, b"A002 OK SUBSCRIBE completed\r\n"),
    ]);
}

#[test]
fn rfc3501_6_3_7_unsubscribe_command() {
    check(&[
        (C, b"A002 UNSUBSCRIBE #news.comp.mail.mime\r\n"),
        (S, b"A002 OK UNSUBSCRIBE completed\r\n"),
    ]);
}

#[test]
fn rfc3501_6_3_8_list_command() {
    check(&[
        (C, b"A101 LIST \"\" \"\"\r\n"),
        (S, b"* LIST (\\Noselect) \"/\" \"\"\r\n"),
        (S, b"A101 OK LIST Completed\r\n"),
        (C, b"A102 LIST #news.comp.mail.misc \"\"\r\n"),
        (S, b"* LIST (\\Noselect) \".\" #news.\r\n"),
        (S, b"A102 OK LIST Completed\r\n"),
        (C, b"A103 LIST /usr/staff/jones \"\"\r\n"),
        (S, b"* LIST (\\Noselect) \"/\" /\r\n"),
        (S, b"A103 OK LIST Completed\r\n"),
        (C, b"A202 LIST ~/Mail/ %\r\n"),
        (S, b"* LIST (\\Noselect) \"/\" ~/Mail/foo\r\n"),
        (S, b"* LIST () \"/\" ~/Mail/meetings\r\n"),
        (S, b"A202 OK LIST completed\r\n"),
    ]);
}

#[test]
fn rfc3501_6_3_9_lsub_command() {
    check(&[
        (C, b"A002 LSUB \"#news.\" \"comp.mail.*\"\r\n"),
        (S, b"* LSUB () \".\" #news.comp.mail.mime\r\n"),
        (S, b"* LSUB () \".\" #news.comp.mail.misc\r\n"),
        (S, b"A002 OK LSUB completed\r\n"),
        (C, b"A003 LSUB \"#news.\" \"comp.%\"\r\n"),
        (S, b"* LSUB (\\NoSelect) \".\" #news.comp.mail\r\n"),
        (S, b"A003 OK LSUB completed\r\n"),
    ]);
}

#[test]
fn rfc3501_6_3_10_status_command() {
    check(&[
        (C, b"A042 STATUS blurdybloop (UIDNEXT MESSAGES)\r\n"),
        (S, b"* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)\r\n"),
        (S, b"A042 OK STATUS completed\r\n"),
    ]);
}

#[test]
fn rfc3501_6_3_11_append_command() {
    check(&[
        (C, b"A003 APPEND saved-messages (\\Seen) {310}\r\nDate: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\nFrom: Fred Foobar <foobar@Blurdybloop.COM>\r\nSubject: afternoon meeting\r\nTo: mooch@owatagu.siam.edu\r\nMessage-Id: <B27397-0100000@Blurdybloop.COM>\r\nMIME-Version: 1.0\r\nContent-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\r\nHello Joe, do you think we can meet at 3:30 tomorrow?\r\n\r\n"),
        (S, b"A003 OK APPEND completed\r\n"),
    ]);
}

#[test]
fn rfc3501_6_4_1_check_command() {
    check(&[(C, b"FXXZ CHECK\r\n"), (S, b"FXXZ OK CHECK Completed\r\n")]);
}

#[test]
fn rfc3501_6_4_2_close_command() {
    check(&[(C, b"A341 CLOSE\r\n"), (S, b"A341 OK CLOSE completed\r\n")]);
}

#[test]
fn rfc3501_6_4_3_expunge_command() {
    check(&[
        (C, b"A202 EXPUNGE\r\n"),
        (S, b"* 3 EXPUNGE\r\n"),
        (S, b"* 3 EXPUNGE\r\n"),
        (S, b"* 5 EXPUNGE\r\n"),
        (S, b"* 8 EXPUNGE\r\n"),
        (S, b"A202 OK EXPUNGE completed\r\n"),
    ]);
}

#[test]
fn rfc3501_6_4_4_search_command() {
    check(&[
        (
            C,
            b"A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n",
        ),
        (S, b"* SEARCH 2 84 882\r\n"),
        (S, b"A282 OK SEARCH completed\r\n"),
        (C, b"A283 SEARCH TEXT \"string not in mailbox\"\r\n"),
        (S, b"* SEARCH\r\n"),
        (S, b"A283 OK SEARCH completed\r\n"),
        (C, b"A284 SEARCH CHARSET UTF-8 TEXT {6}\r\nXXXXXX\r\n"),
        (S, b"* SEARCH 43\r\n"),
        (S, b"A284 OK SEARCH completed\r\n"),
    ]);
}

#[test]
fn rfc3501_6_4_5_fetch_command() {
    check(&[
        (
            C,
            b"A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])\r\n",
        ),
        (S, b"* 2 FETCH ....\r\n"),
        (S, b"* 3 FETCH ....\r\n"),
        (S, b"* 4 FETCH ....\r\n"),
        (S, b"A654 OK FETCH completed\r\n"),
    ]);
}

#[test]
fn rfc3501_6_4_6_store_command() {
    check(&[
        (C, b"A003 STORE 2:4 +FLAGS (\\Deleted)\r\n"),
        (S, b"* 2 FETCH (FLAGS (\\Deleted \\Seen))\r\n"),
        (S, b"* 3 FETCH (FLAGS (\\Deleted))\r\n"),
        (S, b"* 4 FETCH (FLAGS (\\Deleted \\Flagged \\Seen))\r\n"),
        (S, b"A003 OK STORE completed\r\n"),
    ]);
}

#[test]
fn rfc3501_6_4_7_copy_command() {
    check(&[
        (C, b"A003 COPY 2:4 MEETING\r\n"),
        (S, b"A003 OK COPY completed\r\n"),
    ]);
}

#[test]
fn rfc3501_6_4_8_uid_command() {
    check(&[
        (C, b"A999 UID FETCH 4827313:4828442 FLAGS\r\n"),
        (S, b"* 23 FETCH (FLAGS (\\Seen) UID 4827313)\r\n"),
        (S, b"* 24 FETCH (FLAGS (\\Seen) UID 4827943)\r\n"),
        (S, b"* 25 FETCH (FLAGS (\\Seen) UID 4828442)\r\n"),
        (S, b"A999 OK UID FETCH completed\r\n"),
    ]);
}

#[test]
fn rfc3501_6_5_1_x_atom_command() {
    check(&[
        (C, b"a441 CAPABILITY\r\n"),
        (S, b"* CAPABILITY IMAP4rev1 XPIG-LATIN\r\n"),
        (S, b"a441 OK CAPABILITY completed\r\n"),
        (C, b"A442 XPIG-LATIN\r\n"),
        (S, b"* XPIG-LATIN ow-nay eaking-spay ig-pay atin-lay\r\n"),
        (S, b"A442 OK XPIG-LATIN ompleted-cay\r\n"),
    ]);
}

#[test]
fn rfc3501_7_1_1_ok_response() {
    check(&[
        (S, b"* OK IMAP4rev1 server ready\r\n"),
        (C, b"A001 LOGIN fred blurdybloop\r\n"),
        (S, b"* OK [ALERT] System shutdown in 10 minutes\r\n"),
        (S, b"A001 OK LOGIN Completed\r\n"),
    ]);
}

#[test]
fn rfc3501_7_1_2_no_response() {
    check(&[
        (C, b"A222 COPY 1:2 owatagusiam\r\n"),
        (
            S,
            b"* NO Disk is 98% full, please delete unnecessary data\r\n",
        ),
        (S, b"A222 OK COPY completed\r\n"),
        (C, b"A223 COPY 3:200 blurdybloop\r\n"),
        (
            S,
            b"* NO Disk is 98% full, please delete unnecessary data\r\n",
        ),
        (
            S,
            b"* NO Disk is 99% full, please delete unnecessary data\r\n",
        ),
        (S, b"A223 NO COPY failed: disk is full\r\n"),
    ]);
}

#[test]
fn rfc3501_7_1_3_bad_response() {
    check(&[
        (C, b"...very long command line...\r\n"),
        (S, b"* BAD Command line too long\r\n"),
        (C, b"...empty line...\r\n"),
        (S, b"* BAD Empty command line\r\n"),
        (C, b"A443 EXPUNGE\r\n"),
        (
            S,
            b"* BAD Disk crash, attempting salvage to a new disk!\r\n",
        ),
        (S, b"* OK Salvage successful, no data lost\r\n"),
        (S, b"A443 OK Expunge completed\r\n"),
    ]);
}

#[test]
fn rfc3501_7_1_4_preauth_response() {
    check(&[(S, b"* PREAUTH IMAP4rev1 server logged in as Smith\r\n")]);
}

#[test]
fn rfc3501_7_1_5_bye_response() {
    check(&[(S, b"* BYE Autologout; idle for too long\r\n")]);
}

#[test]
fn rfc3501_7_2_1_capability_response() {
    check(&[(
        S,
        b"* CAPABILITY IMAP4rev1 STARTTLS AUTH=GSSAPI XPIG-LATIN\r\n",
    )]);
}

#[test]
fn rfc3501_7_2_2_list_response() {
    check(&[(S, b"* LIST (\\Noselect) \"/\" ~/Mail/foo\r\n")]);
}

#[test]
fn rfc3501_7_2_3_lsub_response() {
    check(&[(S, b"* LSUB () \".\" #news.comp.mail.misc\r\n")]);
}

#[test]
fn rfc3501_7_2_4_status_response() {
    check(&[(S, b"* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)\r\n")]);
}

#[test]
fn rfc3501_7_2_5_search_response() {
    check(&[(S, b"* SEARCH 2 3 6\r\n")]);
}

#[test]
fn rfc3501_7_2_6_flags_response() {
    check(&[(
        S,
        b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n",
    )]);
}

#[test]
fn rfc3501_7_3_1_exists_response() {
    check(&[(S, b"* 23 EXISTS\r\n")]);
}

#[test]
fn rfc3501_7_3_2_recent_response() {
    check(&[(S, b"* 5 RECENT\r\n")]);
}

#[test]
fn rfc3501_7_4_1_expunge_response() {
    check(&[(S, b"* 44 EXPUNGE\r\n")]);
}

#[test]
fn rfc3501_7_4_2_fetch_response() {
    check(&[(S, b"* 23 FETCH (FLAGS (\\Seen) RFC822.SIZE 44827)\r\n")]);
}

#[test]
fn rfc3501_7_5_server_responses_command_continuation() {
    check(&[
        (C, b"A001 LOGIN {11}\r\nFRED FOOBAR {7}\r\nfat man\r\n"),
        (S, b"A001 OK LOGIN completed\r\n"),
        (C, b"A044 BLURDYBLOOP {102856}\r\n\r\n"),
    ]);
}

#[test]
fn rfc2177_3_specification() {
    check(&[
        (C, b"A001 SELECT INBOX\r\n"),
        (S, b"* FLAGS (Deleted Seen)\r\n"),
        (S, b"* 3 EXISTS\r\n"),
        (S, b"* 0 RECENT\r\n"),
        (S, b"* OK [UIDVALIDITY 1]\r\n"),
        (S, b"A001 OK SELECT completed\r\n"),
        (C, b"A002 IDLE\r\n"),
        (S, b"+ idling\r\n"),
        (S, b"* 4 EXISTS\r\n"),
        (C, b"DONE\r\n"),
        (S, b"A002 OK IDLE terminated\r\n"),
        (C, b"A003 FETCH 4 ALL\r\n"),
        (S, b"* 4 FETCH (...)\r\n"),
        (S, b"A003 OK FETCH completed\r\n"),
        (C, b"A004 IDLE\r\n"),
        (S, b"* 2 EXPUNGE\r\n"),
        (S, b"* 3 EXISTS\r\n"),
        (S, b"+ idling\r\n"),
        (S, b"* 3 EXPUNGE\r\n"),
        (S, b"* 2 EXISTS\r\n"),
        (S, b"* 3 EXISTS\r\n"),
        (C, b"DONE\r\n"),
        (S, b"A004 OK IDLE terminated\r\n"),
        (C, b"A005 FETCH 3 ALL\r\n"),
        (S, b"* 3 FETCH (...)\r\n"),
        (S, b"A005 OK FETCH completed\r\n"),
        (C, b"A006 IDLE\r\n"),
    ]);
}

#[test]
fn rfc4315_2_1_uid_expunge_command() {
    check(&[
        (C, b"A003 UID EXPUNGE 3000:3002\r\n"),
        (S, b"* 3 EXPUNGE\r\n"),
        (S, b"* 3 EXPUNGE\r\n"),
        (S, b"* 3 EXPUNGE\r\n"),
        (S, b"A003 OK UID EXPUNGE completed\r\n"),
    ]);
}

#[test]
fn rfc4315_3_additional_response_codes() {
    check(&[
        (C, b"A003 APPEND saved-messages (\\Seen) {297}\r\nDate: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\nFrom: Fred Foobar <foobar@example.com>\r\nSubject: afternoon meeting\r\nTo: mooch@example.com\r\nMessage-Id: <B27397-0100000@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\r\nHello Joe, do you think we can meet at 3:30 tomorrow?\r\n\r\n"),
        (S, b"A003 OK [APPENDUID 38505 3955] APPEND completed\r\n"),
        (C, b"A004 COPY 2:4 meeting\r\n"),
        (S, b"A004 OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n"),
        (C, b"A005 UID COPY 305:310 meeting\r\n"),
        (S, b"A005 OK No matching messages, so nothing copied\r\n"),
        (C, b"A006 COPY 2 funny\r\n"),
        (S, b"A006 OK Done\r\n"),
        (C, b"A007 SELECT funny\r\n"),
        (S, b"* 1 EXISTS\r\n"),
        (S, b"* 1 RECENT\r\n"),
        (S, b"* OK [UNSEEN 1] Message 1 is first unseen\r\n"),
        (S, b"* OK [UIDVALIDITY 3857529045] Validity session-only\r\n"),
        (S, b"* OK [UIDNEXT 2] Predicted next UID\r\n"),
        (S, b"* NO [UIDNOTSTICKY] Non-persistent UIDs\r\n"),
        (S, b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"),
        (S, b"* OK [PERMANENTFLAGS (\\Deleted \\Seen)] Limited\r\n"),
        (S, b"A007 OK [READ-WRITE] SELECT completed\r\n"),
    ]);
}

#[test]
fn rfc6851_3_3_semantics_of_move_and() {
    check(&[
        (C, b"a UID MOVE 42:69 foo\r\n"),
        (S, b"* OK [COPYUID 432432 42:69 1202:1229]\r\n"),
        (S, b"* 22 EXPUNGE\r\n"),
        (S, b"(more expunges)\r\n"),
        (S, b"a OK Done\r\n"),
    ]);
}

#[test]
fn rfc5161_3_1_the_enable_command() {
    check(&[
        (C, b"t1 CAPABILITY\r\n"),
        (
            S,
            b"* CAPABILITY IMAP4rev1 ID LITERAL+ ENABLE X-GOOD-IDEA\r\n",
        ),
        (S, b"t1 OK foo\r\n"),
        (C, b"t2 ENABLE CONDSTORE X-GOOD-IDEA\r\n"),
        (S, b"* ENABLED X-GOOD-IDEA\r\n"),
        (S, b"t2 OK foo\r\n"),
        (C, b"t3 CAPABILITY\r\n"),
        (
            S,
            b"* CAPABILITY IMAP4rev1 ID LITERAL+ ENABLE X-GOOD-IDEA\r\n",
        ),
        (S, b"t3 OK foo again\r\n"),
        (C, b"a1 ENABLE CONDSTORE\r\n"),
        (S, b"* ENABLED CONDSTORE\r\n"),
        (S, b"a1 OK Conditional Store enabled\r\n"),
    ]);
}

#[test]
fn rfc3691_2_unselect_command() {
    check(&[
        (C, b"A341 UNSELECT\r\n"),
        (S, b"A341 OK Unselect completed\r\n"),
    ]);
}

#[test]
fn rfc2342_5_namespace_command() {
    check(&[
        (C, b"A001 NAMESPACE\r\n"),
        (S, b"* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n"),
        (S, b"A001 OK NAMESPACE command completed\r\n"),
        (C, b"A001 NAMESPACE\r\n"),
        (S, b"* NAMESPACE NIL NIL ((\"\" \".\"))\r\n"),
        (S, b"A001 OK NAMESPACE command completed\r\n"),
        (C, b"A001 NAMESPACE\r\n"),
        (S, b"* NAMESPACE ((\"\" \"/\")) NIL ((\"Public Folders/\" \"/\"))\r\n"),
        (S, b"A001 OK NAMESPACE command completed\r\n"),
        (C, b"A001 NAMESPACE\r\n"),
        (S, b"* NAMESPACE ((\"\" \"/\")) ((\"~\" \"/\")) ((\"#shared/\" \"/\")(\"#public/\" \"/\")(\"#ftp/\" \"/\")(\"#news.\" \".\"))\r\n"),
        (S, b"A001 OK NAMESPACE command completed\r\n"),
        (C, b"A001 NAMESPACE\r\n"),
        (S, b"* NAMESPACE ((\"INBOX.\" \".\")) NIL  NIL\r\n"),
        (S, b"A001 OK NAMESPACE command completed\r\n"),
        (C, b"A002 CREATE \"INBOX.Sent Mail\"\r\n"),
        (S, b"A002 OK CREATE command completed\r\n"),
        (C, b"A001 NAMESPACE\r\n"),
        (S, b"* NAMESPACE ((\"\" \"/\")(\"#mh/\" \"/\" \"X-PARAM\" (\"FLAG1\" \"FLAG2\"))) NIL NIL\r\n"),
        (S, b"A001 OK NAMESPACE command completed\r\n"),
        (C, b"A002 CREATE \"Sent Mail\"\r\n"),
        (S, b"A002 OK CREATE command completed\r\n"),
        (C, b"A003 CREATE \"Delete Items\"\r\n"),
        (S, b"A003 OK CREATE command completed\r\n"),
        (C, b"A004 CREATE \"#mh/Deleted Items\"\r\n"),
        (S, b"A004 OK CREATE command completed\r\n"),
        (C, b"A001 NAMESPACE\r\n"),
        (S, b"* NAMESPACE ((\"\" \"/\")) ((\"Other Users/\" \"/\")) NIL\r\n"),
        (S, b"A001 OK NAMESPACE command completed\r\n"),
        (C, b"A002 LIST \"\" \"Other Users/%\"\r\n"),
        (S, b"* LIST () \"/\" \"Other Users/Mike\"\r\n"),
        (S, b"* LIST () \"/\" \"Other Users/Karen\"\r\n"),
        (S, b"* LIST () \"/\" \"Other Users/Matthew\"\r\n"),
        (S, b"* LIST () \"/\" \"Other Users/Tesa\"\r\n"),
        (S, b"A002 OK LIST command completed\r\n"),
        (C, b"A001 NAMESPACE\r\n"),
        (S, b"* NAMESPACE ((\"\" \"/\")) ((\"#Users/\" \"/\")) NIL\r\n"),
        (S, b"A001 OK NAMESPACE command completed\r\n"),
        (C, b"A002 LIST \"\" \"#Users/%\"\r\n"),
        (S, b"A002 NO The requested item could not be found.\r\n"),
        (C, b"A003 LIST \"\" \"#Users/Mike/%\"\r\n"),
        (S, b"* LIST () \"/\" \"#Users/Mike/INBOX\"\r\n"),
        (S, b"* LIST () \"/\" \"#Users/Mike/Foo\"\r\n"),
        (S, b"A003 OK LIST command completed.\r\n"),
        (C, b"A001 NAMESPACE\r\n"),
        (S, b"* NAMESPACE ((\"\" \"/\")) ((\"~\" \"/\")) NIL\r\n"),
        (S, b"A001 OK NAMESPACE command completed\r\n"),
        (C, b"A002 LIST \"\" \"~mark/%\"\r\n"),
        (S, b"* LIST () \"/\" \"~mark/INBOX\"\r\n"),
        (S, b"* LIST () \"/\" \"~mark/foo\"\r\n"),
        (S, b"A002 OK LIST command completed\r\n"),
    ]);
}

#[test]
fn rfc2971_3_1_id_command() {
    check(&[
        (C, b"a023 ID (\"name\" \"sodr\" \"version\" \"19.34\" \"vendor\" \"Pink Floyd Music Limited\")\r\n"),
        (S, b"* ID NIL\r\n"),
        (S, b"a023 OK ID completed\r\n"),
    ]);
}

#[test]
fn rfc2971_3_2_id_response() {
    check(&[
        (C, b"a042 ID NIL\r\n"),
        (S, b"* ID (\"name\" \"Cyrus\" \"version\" \"1.5\" \"os\" \"sunos\" \"os-version\" \"5.5\" \"support-url\" \"mailto:cyrus-bugs+@andrew.cmu.edu\")\r\n"),
        (S, b"a042 OK ID command completed\r\n"),
    ]);
}

#[test]
fn rfc6154_5_1_example_of_an_imap() {
    check(&[
        (C, b"t1 LIST \"\" \"%\"\r\n"),
        (S, b"* LIST (\\Marked \\HasNoChildren) \"/\" Inbox\r\n"),
        (S, b"* LIST (\\HasNoChildren) \"/\" ToDo\r\n"),
        (S, b"* LIST (\\HasChildren) \"/\" Projects\r\n"),
        (S, b"* LIST (\\Sent \\HasNoChildren) \"/\" SentMail\r\n"),
        (
            S,
            b"* LIST (\\Marked \\Drafts \\HasNoChildren) \"/\" MyDrafts\r\n",
        ),
        (S, b"* LIST (\\Trash \\HasNoChildren) \"/\" Trash\r\n"),
        (S, b"t1 OK done\r\n"),
    ]);
}

#[test]
fn rfc6154_5_2_example_of_an_extended() {
    check(&[
        (C, b"t1 CAPABILITY\r\n"),
        (S, b"* CAPABILITY IMAP4rev1 SPECIAL-USE\r\n"),
        (S, b"t1 OK done\r\n"),
        (C, b"t2 LIST \"\" \"%\" RETURN (SPECIAL-USE)\r\n"),
        (S, b"* LIST (\\Marked) \"/\" Inbox\r\n"),
        (S, b"* LIST () \"/\" ToDo\r\n"),
        (S, b"* LIST () \"/\" Projects\r\n"),
        (S, b"* LIST (\\Sent) \"/\" SentMail\r\n"),
        (S, b"* LIST (\\Marked \\Drafts) \"/\" MyDrafts\r\n"),
        (S, b"* LIST (\\Trash) \"/\" Trash\r\n"),
        (S, b"t2 OK done\r\n"),
        (C, b"t3 LIST (SPECIAL-USE) \"\" \"*\"\r\n"),
        (S, b"* LIST (\\Sent) \"/\" SentMail\r\n"),
        (S, b"* LIST (\\Marked \\Drafts) \"/\" MyDrafts\r\n"),
        (S, b"* LIST (\\Trash) \"/\" Trash\r\n"),
        (S, b"t3 OK done\r\n"),
    ]);
}

#[test]
fn rfc6154_5_3_example_of_an_imap() {
    check(&[
        (C, b"t1 CAPABILITY\r\n"),
        (S, b"* CAPABILITY IMAP4rev1 CREATE-SPECIAL-USE\r\n"),
        (S, b"t1 OK done\r\n"),
        (C, b"t2 CREATE MySpecial (USE (\\Drafts \\Sent))\r\n"),
        (S, b"t2 OK MySpecial created\r\n"),
        (C, b"t3 CREATE Everything (USE (\\All))\r\n"),
        (S, b"t3 NO [USEATTR] \\All not supported\r\n"),
    ]);
}

#[test]
fn rfc6154_5_4_example_of_using_imap() {
    check(&[
        (C, b"t1 LIST \"\" \"%\" RETURN (SPECIAL-USE)\r\n"),
        (S, b"* LIST (\\Sent) \"/\" SentMail\r\n"),
        (S, b"* LIST (\\Drafts) \"/\" MyDrafts\r\n"),
        (S, b"* LIST () \"/\" SavedDrafts\r\n"),
        (S, b"* LIST (\\Trash) \"/\" Trash\r\n"),
        (S, b"t1 OK done\r\n"),
        (C, b"t2 GETMETADATA \"MyDrafts\" /private/specialuse\r\n"),
        (
            S,
            b"* METADATA \"MyDrafts\" (/private/specialuse \"\\\\Drafts\")\r\n",
        ),
        (S, b"t2 OK done\r\n"),
        (
            C,
            b"t3 SETMETADATA \"SavedDrafts\" (/private/specialuse \"\\\\Drafts\")\r\n",
        ),
        (S, b"* METADATA \"MyDrafts\" (/private/specialuse NIL)\r\n"),
        (S, b"t3 OK SETMETADATA complete\r\n"),
        (
            C,
            b"t4 SETMETADATA \"SentMail\" (/private/specialuse NIL)\r\n",
        ),
        (S, b"t4 OK SETMETADATA complete\r\n"),
        (C, b"t5 LIST \"\" \"%\" RETURN (SPECIAL-USE)\r\n"),
        (S, b"* LIST () \"/\" SentMail\r\n"),
        (S, b"* LIST () \"/\" MyDrafts\r\n"),
        (S, b"* LIST (\\Drafts) \"/\" SavedDrafts\r\n"),
        (S, b"* LIST (\\Trash) \"/\" Trash\r\n"),
        (S, b"t5 OK done\r\n"),
    ]);
}

#[test]
fn rfc5258_3_3_general_principles_for_returning() {
    check(&[(
        S,
        b"* LIST (\\Subscribed \\NonExistent) \"/\" \"Fruit/Peach\"\r\n",
    )]);
}

#[test]
fn rfc5258_5_examples() {
    check(&[
        (C, b"A01 LIST \"\" \"*\"\r\n"),
        (S, b"* LIST (\\Marked \\NoInferiors) \"/\" \"inbox\"\r\n"),
        (S, b"* LIST () \"/\" \"Fruit\"\r\n"),
        (S, b"* LIST () \"/\" \"Fruit/Apple\"\r\n"),
        (S, b"* LIST () \"/\" \"Fruit/Banana\"\r\n"),
        (S, b"* LIST () \"/\" \"Tofu\"\r\n"),
        (S, b"* LIST () \"/\" \"Vegetable\"\r\n"),
        (S, b"* LIST () \"/\" \"Vegetable/Broccoli\"\r\n"),
        (S, b"* LIST () \"/\" \"Vegetable/Corn\"\r\n"),
        (S, b"A01 OK done\r\n"),
        (C, b"A02 LIST (SUBSCRIBED) \"\" \"*\"\r\n"),
        (S, b"* LIST (\\Marked \\NoInferiors \\Subscribed) \"/\" \"inbox\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"Fruit/Banana\"\r\n"),
        (S, b"* LIST (\\Subscribed \\NonExistent) \"/\" \"Fruit/Peach\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"Vegetable\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"Vegetable/Broccoli\"\r\n"),
        (S, b"A02 OK done\r\n"),
        (C, b"A03 LIST () \"\" \"%\" RETURN (CHILDREN)\r\n"),
        (S, b"* LIST (\\Marked \\NoInferiors) \"/\" \"inbox\"\r\n"),
        (S, b"* LIST (\\HasChildren) \"/\" \"Fruit\"\r\n"),
        (S, b"* LIST (\\HasNoChildren) \"/\" \"Tofu\"\r\n"),
        (S, b"* LIST (\\HasChildren) \"/\" \"Vegetable\"\r\n"),
        (S, b"A03 OK done\r\n"),
        (C, b"A04 LIST (REMOTE) \"\" \"%\" RETURN (CHILDREN)\r\n"),
        (S, b"* LIST (\\Marked \\NoInferiors) \"/\" \"inbox\"\r\n"),
        (S, b"* LIST (\\HasChildren) \"/\" \"Fruit\"\r\n"),
        (S, b"* LIST (\\HasNoChildren) \"/\" \"Tofu\"\r\n"),
        (S, b"* LIST (\\HasChildren) \"/\" \"Vegetable\"\r\n"),
        (S, b"* LIST (\\Remote) \"/\" \"Bread\"\r\n"),
        (S, b"* LIST (\\HasChildren \\Remote) \"/\" \"Meat\"\r\n"),
        (S, b"A04 OK done\r\n"),
        (C, b"A05 LIST (REMOTE SUBSCRIBED) \"\" \"*\"\r\n"),
        (S, b"* LIST (\\Marked \\NoInferiors \\Subscribed) \"/\" \"inbox\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"Fruit/Banana\"\r\n"),
        (S, b"* LIST (\\Subscribed \\NonExistent) \"/\" \"Fruit/Peach\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"Vegetable\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"Vegetable/Broccoli\"\r\n"),
        (S, b"* LIST (\\Remote \\Subscribed) \"/\" \"Bread\"\r\n"),
        (S, b"A05 OK done\r\n"),
        (C, b"A06 LIST (REMOTE) \"\" \"*\" RETURN (SUBSCRIBED)\r\n"),
        (S, b"* LIST (\\Marked \\NoInferiors \\Subscribed) \"/\" \"inbox\"\r\n"),
        (S, b"* LIST () \"/\" \"Fruit\"\r\n"),
        (S, b"* LIST () \"/\" \"Fruit/Apple\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"Fruit/Banana\"\r\n"),
        (S, b"* LIST () \"/\" \"Tofu\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"Vegetable\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"Vegetable/Broccoli\"\r\n"),
        (S, b"* LIST () \"/\" \"Vegetable/Corn\"\r\n"),
        (S, b"* LIST (\\Remote \\Subscribed) \"/\" \"Bread\"\r\n"),
        (S, b"* LIST (\\Remote) \"/\" \"Meat\"\r\n"),
        (S, b"A06 OK done\r\n"),
        (C, b"BBB LIST \"\" (\"INBOX\" \"Drafts\" \"Sent/%\")\r\n"),
        (S, b"* LIST () \"/\" \"INBOX\"\r\n"),
        (S, b"* LIST (\\NoInferiors) \"/\" \"Drafts\"\r\n"),
        (S, b"* LIST () \"/\" \"Sent/March2004\"\r\n"),
        (S, b"* LIST (\\Marked) \"/\" \"Sent/December2003\"\r\n"),
        (S, b"* LIST () \"/\" \"Sent/August2004\"\r\n"),
        (S, b"BBB OK done\r\n"),
        (C, b"C01 LIST \"\" \"*\"\r\n"),
        (S, b"* LIST (\\Marked \\NoInferiors) \"/\" \"inbox\"\r\n"),
        (S, b"* LIST () \"/\" \"Foo\"\r\n"),
        (S, b"* LIST () \"/\" \"Foo/Bar\"\r\n"),
        (S, b"* LIST () \"/\" \"Foo/Baz\"\r\n"),
        (S, b"* LIST () \"/\" \"Moo\"\r\n"),
        (S, b"C01 OK done\r\n"),
        (C, b"CA3 LIST \"\" \"%\" RETURN (CHILDREN)\r\n"),
        (S, b"* LIST (\\Marked \\NoInferiors) \"/\" \"inbox\"\r\n"),
        (S, b"* LIST (\\HasChildren) \"/\" \"Foo\"\r\n"),
        (S, b"* LIST (\\HasNoChildren) \"/\" \"Moo\"\r\n"),
        (S, b"CA3 OK done\r\n"),
        (C, b"C02 LIST (SUBSCRIBED) \"\" \"*\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"Foo/Baz\"\r\n"),
        (S, b"C02 OK done\r\n"),
        (C, b"C04 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\"\r\n"),
        (S, b"* LIST () \"/\" \"Foo\" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"),
        (S, b"C04 OK done\r\n"),
        (C, b"C04 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"Foo\" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"),
        (S, b"C04 OK done\r\n"),
        (C, b"C04 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\"\r\n"),
        (S, b"* LIST (\\Subscribed \\HasChildren) \"/\" \"Foo\" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"),
        (S, b"C04 OK done\r\n"),
        (C, b"C04 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\"\r\n"),
        (S, b"* LIST (\\NonExistent) \"/\" \"Foo\" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"),
        (S, b"C04 OK done\r\n"),
        (C, b"C04 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\" RETURN (CHILDREN)\r\n"),
        (S, b"* LIST (\\HasChildren \\Subscribed) \"/\" \"Foo\"\r\n"),
        (S, b"* LIST (\\HasNoChildren \\Subscribed) \"/\" \"Moo\"\r\n"),
        (S, b"C04 OK done\r\n"),
        (C, b"D01 LIST \"\" \"*\"\r\n"),
        (S, b"* LIST (\\Marked \\NoInferiors) \"/\" \"inbox\"\r\n"),
        (S, b"* LIST () \"/\" \"foo2\"\r\n"),
        (S, b"* LIST () \"/\" \"foo2/bar1\"\r\n"),
        (S, b"* LIST () \"/\" \"foo2/bar2\"\r\n"),
        (S, b"* LIST () \"/\" \"baz2\"\r\n"),
        (S, b"* LIST () \"/\" \"baz2/bar2\"\r\n"),
        (S, b"* LIST () \"/\" \"baz2/bar22\"\r\n"),
        (S, b"* LIST () \"/\" \"baz2/bar222\"\r\n"),
        (S, b"* LIST () \"/\" \"eps2\"\r\n"),
        (S, b"* LIST () \"/\" \"eps2/mamba\"\r\n"),
        (S, b"* LIST () \"/\" \"qux2/bar2\"\r\n"),
        (S, b"D01 OK done\r\n"),
        (C, b"D02 LIST (SUBSCRIBED) \"\" \"*\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"foo2/bar1\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"foo2/bar2\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"baz2/bar2\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"baz2/bar22\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"baz2/bar222\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"eps2\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"eps2/mamba\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"qux2/bar2\"\r\n"),
        (S, b"D02 OK done\r\n"),
        (C, b"D03 LIST (RECURSIVEMATCH SUBSCRIBED) \"\" \"*2\"\r\n"),
        (S, b"* LIST () \"/\" \"foo2\" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"foo2/bar2\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"baz2/bar2\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"baz2/bar22\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"baz2/bar222\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"eps2\" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"qux2/bar2\"\r\n"),
        (S, b"D03 OK done\r\n"),
        (S, b"* LIST () \"/\" \"baz2\" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"),
        (S, b"* LIST (\\NonExistent) \"/\" \"qux2\" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"),
        (C, b"D03 LIST (RECURSIVEMATCH SUBSCRIBED) \"\" \"*\"\r\n"),
        (S, b"* LIST () \"/\" \"foo2\" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"foo2/bar1\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"foo2/bar2\"\r\n"),
        (S, b"* LIST () \"/\" \"baz2\" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"baz2/bar2\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"baz2/bar22\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"baz2/bar222\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"eps2\" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"eps2/mamba\"\r\n"),
        (S, b"* LIST (\\Subscribed) \"/\" \"qux2/bar2\"\r\n"),
        (S, b"D03 OK done\r\n"),
        (C, b"a1 LIST \"\" (\"foo\" \"foo/*\")\r\n"),
        (S, b"* LIST () \"/\" foo\r\n"),
        (S, b"a1 OK done\r\n"),
        (C, b"a2 LIST (SUBSCRIBED) \"\" \"foo/*\"\r\n"),
        (S, b"* LIST (\\Subscribed \\NonExistent) \"/\" foo/bar\r\n"),
        (S, b"a2 OK done\r\n"),
        (C, b"a3 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" foo RETURN (CHILDREN)\r\n"),
        (S, b"* LIST (\\HasNoChildren) \"/\" foo (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"),
        (S, b"a3 OK done\r\n"),
        (C, b"a1 LIST (REMOTE) \"\" *\r\n"),
        (S, b"* LIST () \"/\" music/rock\r\n"),
        (S, b"* LIST (\\Remote) \"/\" also/jazz\r\n"),
        (S, b"a1 OK done\r\n"),
        (C, b"a2 LIST () \"\" %\r\n"),
        (S, b"* LIST (\\NonExistent \\HasChildren) \"/\" music\r\n"),
        (S, b"a2 OK done\r\n"),
        (C, b"a3 LIST (REMOTE) \"\" %\r\n"),
        (S, b"* LIST (\\NonExistent \\HasChildren) \"/\" music\r\n"),
        (S, b"* LIST (\\NonExistent \\HasChildren) \"/\" also\r\n"),
        (S, b"a3 OK done\r\n"),
        (C, b"a3.1 LIST \"\" (% music/rock)\r\n"),
        (S, b"* LIST () \"/\" music/rock\r\n"),
        (S, b"a3.1 OK done\r\n"),
    ]);
}

#[test]
fn rfc5819_3_examples() {
    check(&[
        (C, b"A01 LIST \"\" % RETURN (STATUS (MESSAGES UNSEEN))\r\n"),
        (S, b"* LIST () \".\"  \"INBOX\"\r\n"),
        (S, b"* STATUS \"INBOX\" (MESSAGES 17 UNSEEN 16)\r\n"),
        (S, b"* LIST () \".\" \"foo\"\r\n"),
        (S, b"* STATUS \"foo\" (MESSAGES 30 UNSEEN 29)\r\n"),
        (S, b"* LIST (\\NoSelect) \".\" \"bar\"\r\n"),
        (S, b"A01 OK List completed.\r\n"),
        (
            C,
            b"A02 LIST (SUBSCRIBED RECURSIVEMATCH)\"\" % RETURN (STATUS (MESSAGES))\r\n",
        ),
        (S, b"* LIST (\\Subscribed) \".\"  \"INBOX\"\r\n"),
        (S, b"* STATUS \"INBOX\" (MESSAGES 17)\r\n"),
        (
            S,
            b"* LIST () \".\" \"foo\" (CHILDINFO (\"SUBSCRIBED\"))\r\n",
        ),
        (S, b"A02 OK List completed.\r\n"),
    ]);
}

#[test]
fn rfc4731_3_1_new_search_uid_search() {
    check(&[
        (
            C,
            b"A282 SEARCH RETURN (MIN COUNT) FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n",
        ),
        (S, b"* ESEARCH (TAG \"A282\") MIN 2 COUNT 3\r\n"),
        (S, b"A282 OK SEARCH completed\r\n"),
        (
            C,
            b"A283 SEARCH RETURN () FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n",
        ),
        (S, b"* ESEARCH (TAG \"A283\") ALL 2,10:11\r\n"),
        (S, b"A283 OK SEARCH completed\r\n"),
        (C, b"A284 SEARCH RETURN (MIN) UNSEEN\r\n"),
        (S, b"* ESEARCH (TAG \"A284\") MIN 4\r\n"),
        (S, b"A284 OK SEARCH completed\r\n"),
        (C, b"A285 UID SEARCH RETURN (MIN MAX) 1:5000\r\n"),
        (S, b"* ESEARCH (TAG \"A285\") UID MIN 7 MAX 3800\r\n"),
        (S, b"A285 OK SEARCH completed\r\n"),
        (C, b"A286 SEARCH RETURN (COUNT) DELETED\r\n"),
        (S, b"* ESEARCH (TAG \"A286\") COUNT 15\r\n"),
        (S, b"A286 OK SEARCH completed\r\n"),
    ]);
}

#[test]
fn rfc4731_3_2_interaction_with_condstore_extension() {
    check(&[
        (
            C,
            b"a1 SEARCH RETURN (MIN) MODSEQ \"/flags/\\\\draft\" all 620162338\r\n",
        ),
        (S, b"* ESEARCH (TAG \"a1\") MIN 2 MODSEQ 917162488\r\n"),
        (S, b"a1 OK Search complete\r\n"),
        (
            C,
            b"a2 SEARCH RETURN (MAX) MODSEQ \"/flags/\\\\draft\" all 620162338\r\n",
        ),
        (S, b"* ESEARCH (TAG \"a2\") MAX 23 MODSEQ 907162321\r\n"),
        (S, b"a2 OK Search complete\r\n"),
        (
            C,
            b"a3 SEARCH RETURN (MIN MAX) MODSEQ \"/flags/\\\\draft\" all 620162338\r\n",
        ),
        (
            S,
            b"* ESEARCH (TAG \"a3\") MIN 2 MAX 23 MODSEQ 917162488\r\n",
        ),
        (S, b"a3 OK Search complete\r\n"),
        (
            C,
            b"a4 SEARCH RETURN (MIN COUNT) MODSEQ \"/flags/\\\\draft\" all 620162338\r\n",
        ),
        (
            S,
            b"* ESEARCH (TAG \"a4\") MIN 2 COUNT 10 MODSEQ 917162500\r\n",
        ),
        (S, b"a4 OK Search complete\r\n"),
    ]);
}

#[test]
fn rfc7888_3_specification() {
    check(&[
        (C, b"A001 LOGIN {11+}\r\nFRED FOOBAR {7+}\r\nfat man\r\n"),
        (S, b"A001 OK LOGIN completed\r\n"),
        (C, b"A001 LOGIN \"FRED FOOBAR\" \"fat man\"\r\n"),
        (S, b"A001 OK LOGIN completed\r\n"),
    ]);
}

#[test]
fn rfc4959_4_examples() {
    check(&[
        (C, b"C01 CAPABILITY\r\n"),
        (S, b"* CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN\r\n"),
        (S, b"C01 OK Completed\r\n"),
        (C, b"A01 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\n"),
        (S, b"A01 OK Success (tls protection)\r\n"),
        (C, b"C01 CAPABILITY\r\n"),
        (S, b"* CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN\r\n"),
        (S, b"C01 OK Completed\r\n"),
        (C, b"A01 AUTHENTICATE PLAIN (note that there is a space following the \"+\" in the following line)\r\n"),
        (S, b"+\r\n"),
        (C, b"dGVzdAB0ZXN0AHRlc3Q=\r\n"),
        (S, b"A01 OK Success (tls protection)\r\n"),
        (C, b"C01 CAPABILITY\r\n"),
        (S, b"* CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN AUTH=EXTERNAL\r\n"),
        (S, b"C01 OK Completed\r\n"),
        (C, b"A01 AUTHENTICATE EXTERNAL =\r\n"),
        (S, b"A01 OK Success (tls protection)\r\n"),
        (C, b"C01 CAPABILITY\r\n"),
        (S, b"* CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN AUTH=EXTERNAL\r\n"),
        (S, b"C01 OK Completed\r\n"),
        (C, b"A01 AUTHENTICATE EXTERNAL (note that there is a space following the \"+\" in the following line)\r\n"),
        (S, b"+\r\n"),
        (C, b"\r\n"),
        (S, b"A01 OK Success (tls protection)\r\n"),
    ]);
}

#[test]
fn rfc5256_3_additional_commands() {
    check(&[
        (C, b"A282 SORT (SUBJECT) UTF-8 SINCE 1-Feb-1994\r\n"),
        (S, b"* SORT 2 84 882\r\n"),
        (S, b"A282 OK SORT completed\r\n"),
        (C, b"A283 SORT (SUBJECT REVERSE DATE) UTF-8 ALL\r\n"),
        (S, b"* SORT 5 3 4 1 2\r\n"),
        (S, b"A283 OK SORT completed\r\n"),
        (C, b"A284 SORT (SUBJECT) US-ASCII TEXT \"not in mailbox\"\r\n"),
        (S, b"* SORT\r\n"),
        (S, b"A284 OK SORT completed\r\n"),
        (C, b"A283 THREAD ORDEREDSUBJECT UTF-8 SINCE 5-MAR-2000\r\n"),
        (S, b"* THREAD (166)(167)(168)(169)(172)(170)(171)(173)(174 (175)(176)(178)(181)(180))(179)(177 (183)(182)(188)(184)(185)(186)(187)(189))(190)(191)(192)(193)(194 195)(196 (197)(198))(199)(200 202)(201)(203)(204)(205)(206 207)(208)\r\n"),
        (S, b"A283 OK THREAD completed\r\n"),
        (C, b"A284 THREAD ORDEREDSUBJECT US-ASCII TEXT \"gewp\"\r\n"),
        (S, b"* THREAD\r\n"),
        (S, b"A284 OK THREAD completed\r\n"),
        (C, b"A285 THREAD REFERENCES UTF-8 SINCE 5-MAR-2000\r\n"),
        (S, b"* THREAD (166)(167)(168)(169)(172)((170)(179))(171)(173)((174)(175)(176)(178)(181)(180))((177)(183)(182)(188 (184)(189))(185 186)(187))(190)(191)(192)(193)((194)(195 196))(197 198)(199)(200 202)(201)(203)(204)(205 206 207)(208)\r\n"),
        (S, b"A285 OK THREAD completed\r\n"),
    ]);
}

#[test]
fn rfc5256_4_additional_responses() {
    check(&[
        (S, b"* SORT 2 3 6\r\n"),
        (S, b"* THREAD (2)(3 6 (4 23)(44 7 96))\r\n"),
        (S, b"* THREAD ((3)(5))\r\n"),
    ]);
}

#[test]
fn rfc9208_4_1_1_getquota() {
    check(&[
        (S, b"* CAPABILITY [...] QUOTA QUOTA=RES-STORAGE [...]\r\n"),
        (C, b"G0001 GETQUOTA \"!partition/sda4\"\r\n"),
        (S, b"* QUOTA \"!partition/sda4\" (STORAGE 104 10923847)\r\n"),
        (S, b"G0001 OK Getquota complete\r\n"),
    ]);
}

#[test]
fn rfc9208_4_1_2_getquotaroot() {
    check(&[
        (
            S,
            b"* CAPABILITY [...] QUOTA QUOTA=RES-STORAGE QUOTA=RES-MESSAGE\r\n",
        ),
        (C, b"G0002 GETQUOTAROOT INBOX\r\n"),
        (
            S,
            b"* QUOTAROOT INBOX \"#user/alice\" \"!partition/sda4\"\r\n",
        ),
        (S, b"* QUOTA \"#user/alice\" (MESSAGE 42 1000)\r\n"),
        (S, b"* QUOTA \"!partition/sda4\" (STORAGE 104 10923847)\r\n"),
        (S, b"G0002 OK Getquotaroot complete\r\n"),
    ]);
}

#[test]
fn rfc9208_4_1_3_setquota() {
    check(&[
        (
            S,
            b"* CAPABILITY [...] QUOTA QUOTASET QUOTA=RES-STORAGE QUOTA=RES-\r\n",
        ),
        (C, b"S0000 GETQUOTA \"#user/alice\"\r\n"),
        (
            S,
            b"* QUOTA \"#user/alice\" (STORAGE 54 111 MESSAGE 42 1000)\r\n",
        ),
        (S, b"S0000 OK Getquota completed\r\n"),
        (C, b"S0001 SETQUOTA \"#user/alice\" (STORAGE 510)\r\n"),
        (S, b"* QUOTA \"#user/alice\" (STORAGE 58 512)\r\n"),
        (S, b"S0001 OK Rounded quota\r\n"),
        (
            C,
            b"S0002 SETQUOTA \"!partition/sda4\" (STORAGE 99999999)\r\n",
        ),
        (S, b"* QUOTA \"!partition/sda4\" (STORAGE 104 10923847)\r\n"),
        (S, b"S0002 NO Cannot change system limit\r\n"),
    ]);
}

#[test]
fn rfc9208_4_1_4_new_status_attributes() {
    check(&[
        (
            S,
            b"* CAPABILITY [...] QUOTA QUOTA=RES-STORAGE QUOTA=RES-\r\n",
        ),
        (
            C,
            b"S0003 STATUS INBOX (MESSAGES DELETED DELETED-STORAGE)\r\n",
        ),
        (
            S,
            b"* STATUS INBOX (MESSAGES 12 DELETED 4 DELETED-STORAGE 8)\r\n",
        ),
        (S, b"S0003 OK Status complete.\r\n"),
    ]);
}

#[test]
fn rfc9208_4_2_1_quota() {
    check(&[(S, b"* QUOTA \"\" (STORAGE 10 512)\r\n")]);
}

#[test]
fn rfc9208_4_2_2_quotaroot() {
    check(&[
        (S, b"* QUOTAROOT INBOX \"\"\r\n"),
        (S, b"* QUOTAROOT comp.mail.mime\r\n"),
    ]);
}

#[test]
fn rfc9208_4_3_1_overquota() {
    check(&[
        (C, b"A003 APPEND saved-messages (\\Seen) {326}\r\nDate: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\nFrom: Fred Foobar <foobar@Blurdybloop.example>\r\nSubject: afternoon meeting\r\nTo: mooch@owatagu.siam.edu.example\r\nMessage-Id: <B27397-0100000@Blurdybloop.example>\r\nMIME-Version: 1.0\r\nContent-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\r\nHello Joe, do you think we can meet at 3:30 tomorrow?\r\n\r\n"),
        (S, b"A003 NO [OVERQUOTA] APPEND Failed\r\n"),
        (C, b"A003 APPEND saved-messages (\\Seen) {326}\r\nDate: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\nFrom: Fred Foobar <foobar@Blurdybloop.example>\r\nSubject: afternoon meeting\r\nTo: mooch@owatagu.siam.edu.example\r\nMessage-Id: <B27397-0100000@Blurdybloop.example>\r\nMIME-Version: 1.0\r\nContent-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\r\nHello Joe, do you think we can meet at 3:30 tomorrow?\r\n\r\n"),
        (S, b"* NO [OVERQUOTA] Soft quota has been exceeded\r\n"),
        (S, b"A003 OK [APPENDUID 38505 3955] APPEND completed\r\n"),
        (C, b"A004 COPY 2:4 MEETING\r\n"),
        (S, b"* NO [OVERQUOTA] Soft quota has been exceeded\r\n"),
        (S, b"A004 OK [COPYUID 38505 304,319:320 3956:3958] COPY command completed\r\n"),
    ]);
}

#[test]
fn rfc7889_2_appendlimit_extension() {
    check(&[
        (C, b"t1 CAPABILITY\r\n"),
        (S, b"* CAPABILITY IMAP4rev1 ID APPENDLIMIT=257890\r\n"),
        (S, b"t1 OK foo\r\n"),
        (C, b"t1 CAPABILITY\r\n"),
        (S, b"* CAPABILITY IMAP4rev1 ID APPENDLIMIT\r\n"),
        (S, b"t1 OK foo\r\n"),
    ]);
}

#[test]
fn rfc7889_3_1_status_response_to_the() {
    check(&[
        (C, b"t1 STATUS INBOX (APPENDLIMIT)\r\n"),
        (S, b"* STATUS INBOX (APPENDLIMIT 257890)\r\n"),
        (S, b"t1 OK STATUS completed\r\n"),
    ]);
}

#[test]
fn rfc7889_3_2_status_response_to_the() {
    check(&[
        (C, b"t1 LIST \"\" % RETURN (STATUS (APPENDLIMIT))\r\n"),
        (S, b"* LIST () \".\"  \"INBOX\"\r\n"),
        (S, b"* STATUS \"INBOX\" (APPENDLIMIT 257890)\r\n"),
        (S, b"t1 OK List completed.\r\n"),
    ]);
}

#[test]
fn rfc4978_3_the_compress_command() {
    check(&[
        (
            S,
            b"* OK [CAPABILITY IMAP4REV1 STARTTLS COMPRESS=DEFLATE]\r\n",
        ),
        (C, b"a starttls\r\n"),
        (S, b"a OK TLS active\r\n"),
        (C, b"b login arnt tnra\r\n"),
        (S, b"b OK Logged in as arnt\r\n"),
        (C, b"c compress deflate\r\n"),
        (S, b"d OK DEFLATE active\r\n"),
        (
            S,
            b"* OK [CAPABILITY IMAP4REV1 STARTTLS COMPRESS=DEFLATE]\r\n",
        ),
        (C, b"c compress deflate\r\n"),
        (S, b"c NO [COMPRESSIONACTIVE] DEFLATE active via TLS\r\n"),
    ]);
}

#[test]
fn rfc7162_3_1_2_1_highestmodseq_response_code() {
    check(&[
        (C, b"A142 SELECT INBOX\r\n"),
        (S, b"* 172 EXISTS\r\n"),
        (S, b"* 1 RECENT\r\n"),
        (S, b"* OK [UNSEEN 12] Message 12 is first unseen\r\n"),
        (S, b"* OK [UIDVALIDITY 3857529045] UIDs valid\r\n"),
        (S, b"* OK [UIDNEXT 4392] Predicted next UID\r\n"),
        (
            S,
            b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n",
        ),
        (
            S,
            b"* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n",
        ),
        (S, b"* OK [HIGHESTMODSEQ 715194045007]\r\n"),
        (S, b"A142 OK [READ-WRITE] SELECT completed\r\n"),
    ]);
}

#[test]
fn rfc7162_3_1_2_2_nomodseq_response_code() {
    check(&[
        (C, b"A142 SELECT INBOX\r\n"),
        (S, b"* 172 EXISTS\r\n"),
        (S, b"* 1 RECENT\r\n"),
        (S, b"* OK [UNSEEN 12] Message 12 is first unseen\r\n"),
        (S, b"* OK [UIDVALIDITY 3857529045] UIDs valid\r\n"),
        (S, b"* OK [UIDNEXT 4392] Predicted next UID\r\n"),
        (
            S,
            b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n",
        ),
        (
            S,
            b"* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n",
        ),
        (
            S,
            b"* OK [NOMODSEQ] Sorry, this mailbox format doesn't support modsequences\r\n",
        ),
        (S, b"A142 OK [READ-WRITE] SELECT completed\r\n"),
    ]);
}

#[test]
fn rfc7162_3_1_3_store_and_uid_store() {
    check(&[
        (
            C,
            b"a103 UID STORE 6,4,8 (UNCHANGEDSINCE 12121230045) +FLAGS.SILENT (\\Deleted)\r\n",
        ),
        (S, b"* 1 FETCH (UID 4 MODSEQ (12121231000))\r\n"),
        (S, b"* 2 FETCH (UID 6 MODSEQ (12121230852))\r\n"),
        (S, b"* 4 FETCH (UID 8 MODSEQ (12121230956))\r\n"),
        (S, b"a103 OK Conditional Store completed\r\n"),
        (
            C,
            b"a104 STORE * (UNCHANGEDSINCE 12121230045) +FLAGS.SILENT (\\Deleted $Processed)\r\n",
        ),
        (S, b"* 50 FETCH (MODSEQ (12111230047))\r\n"),
        (S, b"a104 OK Store (conditional) completed\r\n"),
        (
            C,
            b"c101 STORE 50 (UNCHANGEDSINCE 12121230045) -FLAGS.SILENT (\\Deleted)\r\n",
        ),
        (S, b"* OK [HIGHESTMODSEQ 12111230047]\r\n"),
        (S, b"* 50 FETCH (MODSEQ (12111230048))\r\n"),
        (S, b"c101 OK Store (conditional) completed\r\n"),
        (
            C,
            b"d105 STORE 7,5,9 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted)\r\n",
        ),
        (S, b"* 5 FETCH (MODSEQ (320162350))\r\n"),
        (S, b"d105 OK [MODIFIED 7,9] Conditional STORE failed\r\n"),
        (
            C,
            b"d105 STORE 7,5,9 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted)\r\n",
        ),
        (
            S,
            b"* 7 FETCH (MODSEQ (320162342) FLAGS (\\Seen \\Deleted))\r\n",
        ),
        (S, b"* 5 FETCH (MODSEQ (320162350))\r\n"),
        (S, b"* 9 FETCH (MODSEQ (320162349) FLAGS (\\Answered))\r\n"),
        (S, b"d105 OK [MODIFIED 7,9] Conditional STORE failed\r\n"),
        (
            C,
            b"a102 STORE 12 (UNCHANGEDSINCE 0) +FLAGS.SILENT ($MDNSent)\r\n",
        ),
        (S, b"a102 OK [MODIFIED 12] Conditional STORE failed\r\n"),
        (
            C,
            b"a106 STORE 100:150 (UNCHANGEDSINCE 212030000000) +FLAGS.SILENT ($Processed)\r\n",
        ),
        (S, b"* 100 FETCH (MODSEQ (303181230852))\r\n"),
        (S, b"* 102 FETCH (MODSEQ (303181230852)) ...\r\n"),
        (S, b"* 150 FETCH (MODSEQ (303181230852))\r\n"),
        (S, b"a106 OK [MODIFIED 101] Conditional STORE failed\r\n"),
        (C, b"a107 NOOP\r\n"),
        (
            S,
            b"* 101 FETCH (MODSEQ (303011130956) FLAGS ($Processed))\r\n",
        ),
        (S, b"a107 OK\r\n"),
        (C, b"b107 NOOP\r\n"),
        (
            S,
            b"* 101 FETCH (MODSEQ (303011130956) FLAGS (\\Deleted \\Answered))\r\n",
        ),
        (S, b"b107 OK\r\n"),
        (
            C,
            b"b108 STORE 101 (UNCHANGEDSINCE 303011130956) +FLAGS.SILENT ($Processed)\r\n",
        ),
        (S, b"* 101 FETCH (MODSEQ (303181230852))\r\n"),
        (S, b"b108 OK Conditional Store completed\r\n"),
        (
            C,
            b"a106 STORE 100:150 (UNCHANGEDSINCE 212030000000) +FLAGS.SILENT ($Processed)\r\n",
        ),
        (S, b"* 100 FETCH (MODSEQ (303181230852))\r\n"),
        (
            S,
            b"* 101 FETCH (MODSEQ (303011130956) FLAGS ($Processed))\r\n",
        ),
        (S, b"* 102 FETCH (MODSEQ (303181230852))\r\n"),
        (S, b"* 150 FETCH (MODSEQ (303181230852))\r\n"),
        (S, b"a106 OK [MODIFIED 101] Conditional STORE failed\r\n"),
        (
            C,
            b"a106 STORE 100:150 (UNCHANGEDSINCE 212030000000) +FLAGS.SILENT ($Processed)\r\n",
        ),
        (S, b"* 100 FETCH (MODSEQ (303181230852))\r\n"),
        (
            S,
            b"* 101 FETCH (MODSEQ (303011130956) FLAGS (\\Deleted \\Answered))\r\n",
        ),
        (S, b"* 102 FETCH (MODSEQ (303181230852))\r\n"),
        (S, b"* 150 FETCH (MODSEQ (303181230852))\r\n"),
        (S, b"a106 OK [MODIFIED 101] Conditional STORE failed\r\n"),
        (
            C,
            b"b108 STORE 101 (UNCHANGEDSINCE 303011130956) +FLAGS.SILENT ($Processed)\r\n",
        ),
        (S, b"* 101 FETCH (MODSEQ (303181230852))\r\n"),
        (S, b"b108 OK Conditional Store completed\r\n"),
        (
            C,
            b"a106 STORE 100:150 (UNCHANGEDSINCE 212030000000) +FLAGS.SILENT ($Processed)\r\n",
        ),
        (S, b"* 100 FETCH (MODSEQ (303181230852))\r\n"),
        (
            S,
            b"* 101 FETCH (MODSEQ (303011130956) FLAGS ($Processed \\Deleted \\Answered))\r\n",
        ),
        (S, b"* 102 FETCH (MODSEQ (303181230852))\r\n"),
        (S, b"* 150 FETCH (MODSEQ (303181230852))\r\n"),
        (S, b"a106 OK Conditional STORE completed\r\n"),
        (
            C,
            b"B001 STORE 1:7 (UNCHANGEDSINCE 320172338) +FLAGS (\\SEEN)\r\n",
        ),
        (S, b"* 1 FETCH (MODSEQ (320172342) FLAGS (\\SEEN))\r\n"),
        (S, b"* 3 FETCH (MODSEQ (320172342) FLAGS (\\SEEN))\r\n"),
        (
            S,
            b"B001 NO [MODIFIED 2] Some of the messages no longer exist.\r\n",
        ),
        (C, b"B002 NOOP\r\n"),
        (S, b"* 4 EXPUNGE\r\n"),
        (S, b"* 4 EXPUNGE\r\n"),
        (S, b"* 4 EXPUNGE\r\n"),
        (S, b"* 4 EXPUNGE\r\n"),
        (
            S,
            b"* 2 FETCH (MODSEQ (320172340) FLAGS (\\Deleted \\Answered))\r\n",
        ),
        (S, b"B002 OK NOOP Completed.\r\n"),
        (
            C,
            b"b003 STORE 2 (UNCHANGEDSINCE 320172340) +FLAGS (\\Seen)\r\n",
        ),
        (
            S,
            b"* 2 FETCH (MODSEQ (320180050) FLAGS (\\SEEN \\Flagged))\r\n",
        ),
        (S, b"b003 OK Conditional Store completed\r\n"),
    ]);
}

#[test]
fn rfc7162_3_1_4_1_changedsince_fetch_modifier() {
    check(&[
        (C, b"s100 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345)\r\n"),
        (S, b"* 1 FETCH (UID 4 MODSEQ (65402) FLAGS (\\Seen))\r\n"),
        (S, b"* 2 FETCH (UID 6 MODSEQ (75403) FLAGS (\\Deleted))\r\n"),
        (
            S,
            b"* 4 FETCH (UID 8 MODSEQ (29738) FLAGS ($NoJunk $AutoJunk $MDNSent))\r\n",
        ),
        (S, b"s100 OK FETCH completed\r\n"),
    ]);
}

#[test]
fn rfc7162_3_1_4_2_modseq_message_data_item() {
    check(&[
        (C, b"a FETCH 1:3 (MODSEQ)\r\n"),
        (S, b"* 1 FETCH (MODSEQ (624140003))\r\n"),
        (S, b"* 2 FETCH (MODSEQ (624140007))\r\n"),
        (S, b"* 3 FETCH (MODSEQ (624140005))\r\n"),
        (S, b"a OK Fetch complete\r\n"),
        (C, b"A142 SELECT INBOX\r\n"),
        (
            S,
            b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n",
        ),
        (
            S,
            b"* OK [PERMANENTFLAGS (\\Answered \\Deleted \\Seen \\*)] Limited\r\n",
        ),
        (C, b"A160 STORE 7 +FLAGS.SILENT (\\Deleted)\r\n"),
        (S, b"* 7 FETCH (MODSEQ (2121231000))\r\n"),
        (S, b"A160 OK Store completed\r\n"),
        (C, b"C180 NOOP\r\n"),
        (
            S,
            b"* 7 FETCH (FLAGS (\\Deleted \\Answered) MODSEQ (12121231000))\r\n",
        ),
        (S, b"C180 OK Noop completed\r\n"),
        (C, b"D210 NOOP\r\n"),
        (
            S,
            b"* 7 FETCH (FLAGS (\\Deleted \\Answered) MODSEQ (12121231000))\r\n",
        ),
        (S, b"D210 OK Noop completed\r\n"),
        (C, b"A240 STORE 7 +FLAGS.SILENT (\\Seen)\r\n"),
        (S, b"* 7 FETCH (MODSEQ (12121231777))\r\n"),
        (S, b"A240 OK Store completed\r\n"),
        (C, b"C270 NOOP\r\n"),
        (
            S,
            b"* 7 FETCH (FLAGS (\\Deleted \\Answered \\Seen) MODSEQ (12121231777))\r\n",
        ),
        (S, b"C270 OK Noop completed\r\n"),
        (C, b"D300 NOOP\r\n"),
        (S, b"D300 OK Noop completed\r\n"),
        (C, b"A330 STORE 7 -FLAGS.SILENT (\\Answered \\Seen)\r\n"),
        (S, b"* 7 FETCH (MODSEQ (12121245160))\r\n"),
        (S, b"A330 OK Store completed\r\n"),
        (C, b"C360 NOOP\r\n"),
        (S, b"* 7 FETCH (FLAGS (\\Deleted) MODSEQ (12121245160))\r\n"),
        (S, b"C360 OK Noop completed\r\n"),
        (C, b"D390 NOOP\r\n"),
        (S, b"* 7 FETCH (FLAGS (\\Deleted) MODSEQ (12121245160))\r\n"),
        (S, b"D390 OK Noop completed\r\n"),
    ]);
}

#[test]
fn rfc7162_3_1_5_modseq_search_criterion_in() {
    check(&[
        (C, b"a SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338\r\n"),
        (
            S,
            b"* SEARCH 2 5 6 7 11 12 18 19 20 23 (MODSEQ 917162500)\r\n",
        ),
        (S, b"a OK Search complete\r\n"),
        (C, b"t SEARCH OR NOT MODSEQ 720162338 LARGER 50000\r\n"),
        (S, b"* SEARCH\r\n"),
        (S, b"t OK Search complete, nothing found\r\n"),
    ]);
}

#[test]
fn rfc7162_3_1_7_highestmodseq_status_data_items() {
    check(&[
        (
            C,
            b"A042 STATUS blurdybloop (UIDNEXT MESSAGES HIGHESTMODSEQ)\r\n",
        ),
        (
            S,
            b"* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292 HIGHESTMODSEQ 7011231777)\r\n",
        ),
        (S, b"A042 OK STATUS completed\r\n"),
    ]);
}

#[test]
fn rfc7162_3_1_8_condstore_parameter_to_select() {
    check(&[
        (C, b"A142 SELECT INBOX (CONDSTORE)\r\n"),
        (S, b"* 172 EXISTS\r\n"),
        (S, b"* 1 RECENT\r\n"),
        (S, b"* OK [UNSEEN 12] Message 12 is first unseen\r\n"),
        (S, b"* OK [UIDVALIDITY 3857529045] UIDs valid\r\n"),
        (S, b"* OK [UIDNEXT 4392] Predicted next UID\r\n"),
        (
            S,
            b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n",
        ),
        (
            S,
            b"* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n",
        ),
        (S, b"* OK [HIGHESTMODSEQ 715194045007]\r\n"),
        (
            S,
            b"A142 OK [READ-WRITE] SELECT completed, CONDSTORE is now enabled\r\n",
        ),
    ]);
}

#[test]
fn rfc7162_3_1_10_interaction_with_imap_esort() {
    check(&[
        (C, b"a SEARCH RETURN (ALL) MODSEQ 1234\r\n"),
        (S, b"* ESEARCH (TAG \"a\") ALL 1:3,5 MODSEQ 1236\r\n"),
        (S, b"a OK Extended SEARCH completed\r\n"),
        (C, b"a SORT RETURN (ALL) (DATE) UTF-8 MODSEQ 1234\r\n"),
        (S, b"* ESEARCH (TAG \"a\") ALL 5,3,2,1 MODSEQ 1236\r\n"),
        (S, b"a OK Extended SORT completed\r\n"),
    ]);
}

#[test]
fn rfc7162_3_1_12_condstore_server_implementation_considerations() {
    check(&[
        (
            C,
            b"a106 STORE 100:150 (UNCHANGEDSINCE 212030000000) +FLAGS.SILENT ($Processed)\r\n",
        ),
        (
            S,
            b"* 101 FETCH (MODSEQ (303011130956) FLAGS ($Processed \\Deleted \\Answered))\r\n",
        ),
    ]);
}

#[test]
fn rfc7162_3_2_5_qresync_parameter_to_select() {
    check(&[
        (
            C,
            b"A02 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))\r\n",
        ),
        (S, b"* 464 EXISTS\r\n"),
        (S, b"* 3 RECENT\r\n"),
        (S, b"* OK [UIDVALIDITY 3857529045] UIDVALIDITY\r\n"),
        (S, b"* OK [UIDNEXT 550] Predicted next UID\r\n"),
        (
            S,
            b"* OK [HIGHESTMODSEQ 90060128194045007] Highest mailbox\r\n",
        ),
        (S, b"* OK [UNSEEN 12] Message 12 is first unseen\r\n"),
        (
            S,
            b"* FLAGS (\\Answered \\Flagged \\Draft \\Deleted \\Seen)\r\n",
        ),
        (S, b"* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Draft\r\n"),
        (S, b"A02 OK [READ-WRITE] Sorry, UIDVALIDITY mismatch\r\n"),
    ]);
}

#[test]
fn rfc7162_3_2_5_1_modification_sequence_and_uid() {
    check(&[
        (C, b"A03 SELECT INBOX (QRESYNC (67890007 90060115194045000 41:211,214:541))\r\n"),
        (S, b"* OK [CLOSED]\r\n"),
        (S, b"* 100 EXISTS\r\n"),
        (S, b"* 11 RECENT\r\n"),
        (S, b"* OK [UIDVALIDITY 67890007] UIDVALIDITY\r\n"),
        (S, b"* OK [UIDNEXT 600] Predicted next UID\r\n"),
        (S, b"* OK [HIGHESTMODSEQ 90060115205545359] Highest mailbox mod-sequence\r\n"),
        (S, b"* OK [UNSEEN 7] There are some unseen messages in the mailbox\r\n"),
        (S, b"* FLAGS (\\Answered \\Flagged \\Draft \\Deleted \\Seen)\r\n"),
        (S, b"* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Draft \\Deleted \\Seen \\*)] Permanent flags\r\n"),
        (S, b"* VANISHED (EARLIER) 41,43:116,118,120:211,214:540\r\n"),
        (S, b"* 49 FETCH (UID 117 FLAGS (\\Seen \\Answered) MODSEQ (90060115194045001))\r\n"),
        (S, b"* 50 FETCH (UID 119 FLAGS (\\Draft $MDNSent) MODSEQ (90060115194045308))\r\n"),
        (S, b"* 51 FETCH (UID 541 FLAGS (\\Seen $Forwarded) MODSEQ (90060115194045001))\r\n"),
        (S, b"A03 OK [READ-WRITE] mailbox selected\r\n"),
    ]);
}

#[test]
fn rfc7162_3_2_5_2_message_sequence_match_data() {
    check(&[
        (C, b"A04 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997))\r\n"),
        (S, b"* 10003 EXISTS\r\n"),
        (S, b"* 4 RECENT\r\n"),
        (S, b"* OK [UIDVALIDITY 67890007] UIDVALIDITY\r\n"),
        (S, b"* OK [UIDNEXT 30013] Predicted next UID\r\n"),
        (S, b"* OK [HIGHESTMODSEQ 90060115205545359] Highest mailbox mod-sequence\r\n"),
        (S, b"* OK [UNSEEN 7] There are some unseen messages in the mailbox\r\n"),
        (S, b"* FLAGS (\\Answered \\Flagged \\Draft \\Deleted \\Seen)\r\n"),
        (S, b"* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Draft \\Deleted \\Seen \\*)] Permanent flags\r\n"),
        (S, b"* VANISHED (EARLIER) 1:2,4:5,7:8,10:11,13:14,[...],29668:29669,29671:29996\r\n"),
        (S, b"* 1 FETCH (UID 3 FLAGS (\\Seen \\Answered $Important) MODSEQ (90060115194045001))\r\n"),
        (S, b"...\r\n"),
        (S, b"* 9889 FETCH (UID 29667 FLAGS (\\Seen \\Answered) MODSEQ (90060115194045027))\r\n"),
        (S, b"* 9890 FETCH (UID 29670 FLAGS (\\Draft $MDNSent) MODSEQ (90060115194045028))\r\n"),
        (S, b"...\r\n"),
        (S, b"* 9999 FETCH (UID 29997 FLAGS (\\Seen $Forwarded) MODSEQ (90060115194045031))\r\n"),
        (S, b"A04 OK [READ-WRITE] mailbox selected\r\n"),
        (C, b"B04 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500,9000,9990:9999 15000,22500,27000,29970,29973,29976,29979,29982,29985,29988,29991,29994,29997)))\r\n"),
        (S, b"* 10003 EXISTS\r\n"),
        (S, b"* 4 RECENT\r\n"),
        (S, b"* OK [UIDVALIDITY 67890007] UIDVALIDITY\r\n"),
        (S, b"* OK [UIDNEXT 30013] Predicted next UID\r\n"),
        (S, b"* OK [HIGHESTMODSEQ 90060115205545359] Highest mailbox mod- sequence\r\n"),
        (S, b"* OK [UNSEEN 7] There are some unseen messages in the mailbox\r\n"),
        (S, b"* FLAGS (\\Answered \\Flagged \\Draft \\Deleted \\Seen)\r\n"),
        (S, b"* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Draft \\Deleted \\Seen \\*)] Permanent flags\r\n"),
        (S, b"* 1 FETCH (UID 3 FLAGS (\\Seen \\Answered $Important) MODSEQ (90060115194045001))\r\n"),
        (S, b"...\r\n"),
        (S, b"* 9889 FETCH (UID 29667 FLAGS (\\Seen \\Answered) MODSEQ (90060115194045027))\r\n"),
        (S, b"* 9890 FETCH (UID 29670 FLAGS (\\Draft $MDNSent) MODSEQ (90060115194045028))\r\n"),
        (S, b"...\r\n"),
        (S, b"* 9999 FETCH (UID 29997 FLAGS (\\Seen $Forwarded) MODSEQ (90060115194045031))\r\n"),
        (S, b"B04 OK [READ-WRITE] mailbox selected\r\n"),
    ]);
}

#[test]
fn rfc7162_3_2_6_vanished_uid_fetch_modifier() {
    check(&[
        (
            C,
            b"s100 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345)\r\n",
        ),
        (S, b"* 1 FETCH (UID 404 MODSEQ (65402) FLAGS (\\Seen))\r\n"),
        (
            S,
            b"* 2 FETCH (UID 406 MODSEQ (75403) FLAGS (\\Deleted))\r\n",
        ),
        (
            S,
            b"* 4 FETCH (UID 408 MODSEQ (29738) FLAGS ($NoJunk $AutoJunk $MDNSent))\r\n",
        ),
        (S, b"s100 OK FETCH completed\r\n"),
        (C, b"s101 UID SEARCH 300:500\r\n"),
        (S, b"* SEARCH 404 406 407 408 410 412\r\n"),
        (S, b"s101 OK search completed\r\n"),
        (
            C,
            b"s100 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)\r\n",
        ),
        (S, b"* VANISHED (EARLIER) 300:310,405,411\r\n"),
        (S, b"* 1 FETCH (UID 404 MODSEQ (65402) FLAGS (\\Seen))\r\n"),
        (
            S,
            b"* 2 FETCH (UID 406 MODSEQ (75403) FLAGS (\\Deleted))\r\n",
        ),
        (
            S,
            b"* 4 FETCH (UID 408 MODSEQ (29738) FLAGS ($NoJunk $AutoJunk $MDNSent))\r\n",
        ),
        (S, b"s100 OK FETCH completed\r\n"),
    ]);
}

#[test]
fn rfc7162_3_2_7_expunge_command() {
    check(&[
        (C, b"A202 EXPUNGE\r\n"),
        (S, b"* 3 EXPUNGE\r\n"),
        (S, b"* 3 EXPUNGE\r\n"),
        (S, b"* 5 EXPUNGE\r\n"),
        (S, b"* 8 EXPUNGE\r\n"),
        (S, b"A202 OK [HIGHESTMODSEQ 20010715194045319] expunged\r\n"),
        (C, b"B202 EXPUNGE\r\n"),
        (S, b"* VANISHED 405,407,410,425\r\n"),
        (S, b"B202 OK [HIGHESTMODSEQ 20010715194045319] expunged\r\n"),
    ]);
}

#[test]
fn rfc7162_3_2_8_close_command() {
    check(&[(C, b"A202 CLOSE\r\n"), (S, b"A202 OK done\r\n")]);
}

#[test]
fn rfc7162_3_2_9_uid_expunge_command() {
    check(&[
        (C, b". UID EXPUNGE 3000:3002\r\n"),
        (S, b"* 3 EXPUNGE\r\n"),
        (S, b"* 3 EXPUNGE\r\n"),
        (S, b"* 3 EXPUNGE\r\n"),
        (S, b". OK [HIGHESTMODSEQ 20010715194045319] Ok\r\n"),
    ]);
}

#[test]
fn rfc7162_3_2_10_2_vanished_response_without_the() {
    check(&[
        (C, b"A202 EXPUNGE\r\n"),
        (S, b"* VANISHED 505,507,510,625\r\n"),
        (S, b"A202 OK EXPUNGE completed\r\n"),
        (C, b"A202 EXPUNGE\r\n"),
        (S, b"* 3 EXPUNGE\r\n"),
        (S, b"* 3 EXPUNGE\r\n"),
        (S, b"* 5 EXPUNGE\r\n"),
        (S, b"* 8 EXPUNGE\r\n"),
        (S, b"A202 OK EXPUNGE completed\r\n"),
        (C, b"A210 EXPUNGE\r\n"),
        (S, b"* VANISHED 504,508\r\n"),
        (S, b"A210 OK EXPUNGE completed\r\n"),
        (S, b"* VANISHED 1\r\n"),
        (S, b"* VANISHED 3\r\n"),
        (S, b"* VANISHED 5\r\n"),
    ]);
}

#[test]
fn rfc7162_6_updated_synchronization_sequence() {
    check(&[
        (C, b"A150 STORE 1:2 (UNCHANGEDSINCE 96) +FLAGS.SILENT \\Seen\r\n"),
        (S, b"* 1 FETCH (UID 6 MODSEQ (103))\r\n"),
        (S, b"* 2 FETCH (UID 7 MODSEQ (101))\r\n"),
        (S, b"* OK [HIGHESTMODSEQ 99] VANISHED reply with MODSEQ 100 is delayed\r\n"),
        (S, b"A150 OK [MODIFIED 3] done\r\n"),
        (C, b"A151 STORE 3 +FLAGS.SILENT \\Seen\r\n"),
        (S, b"* 3 FETCH (UID 8 MODSEQ (104))\r\n"),
        (S, b"A151 OK [HIGHESTMODSEQ 99] Still delaying VANISHED\r\n"),
        (C, b"A152 NOOP\r\n"),
        (S, b"* VANISHED 8\r\n"),
        (S, b"A153 OK [HIGHESTMODSEQ 104] done\r\n"),
        (C, b"A142 SELECT INBOX (QRESYNC (3857529045 20010715194032001 1:198))\r\n"),
        (S, b"* 172 EXISTS\r\n"),
        (S, b"* 1 RECENT\r\n"),
        (S, b"* OK [UNSEEN 12] Message 12 is first unseen\r\n"),
        (S, b"* OK [UIDVALIDITY 3857529045] UIDs valid\r\n"),
        (S, b"* OK [UIDNEXT 201] Predicted next UID\r\n"),
        (S, b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"),
        (S, b"* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n"),
        (S, b"* OK [HIGHESTMODSEQ 20010715194045007] Highest mailbox mod-sequence\r\n"),
        (S, b"* VANISHED (EARLIER) 1:5,7:8,10:15\r\n"),
        (S, b"* 2 FETCH (UID 6 MODSEQ (20010715205008000) FLAGS (\\Deleted))\r\n"),
        (S, b"* 5 FETCH (UID 9 MODSEQ (20010715195517000) FLAGS ($NoJunk $AutoJunk $MDNSent)) ...\r\n"),
        (S, b"A142 OK [READ-WRITE] SELECT completed\r\n"),
    ]);
}
