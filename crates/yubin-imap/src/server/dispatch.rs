//! Command dispatch for the Authenticated and Selected states.

use bytes::Bytes;
use yubin_sasl::server::Authenticator;
use yubin_sasl::{Mechanism, Nonce, wire};

use super::*;

impl Session {
    pub(super) fn authenticate(&mut self, tag: Tag, mechanism: &Atom, initial: Option<Bytes>) {
        let mech = Mechanism::from_name(mechanism.as_bytes())
            .ok()
            .filter(|m| self.config.sasl_mechanisms.contains(m));
        let Some(mech) = mech else {
            self.status(
                Some(tag),
                StatusKind::No,
                None,
                "Unsupported authentication mechanism",
            );
            return;
        };
        if mech.is_plaintext() && !self.plaintext_ok() {
            self.status(
                Some(tag),
                StatusKind::No,
                Some(Code::PrivacyRequired),
                "Plaintext authentication disabled before TLS",
            );
            self.events
                .push_back(Event::Error(ProtocolError::PlaintextRefused));
            return;
        }
        let ir = match initial {
            None => None,
            // RFC 9051 §6.2.2 folds SASL-IR into IMAP4rev2.
            Some(_)
                if !(self.config.extensions.sasl_ir
                    || self.config.revisions != Revisions::Rev1) =>
            {
                return self.unsupported(tag, "SASL-IR");
            }
            // The parser gives `=` (an empty initial response) as no bytes.
            Some(b) if b.is_empty() => Some(Vec::new()),
            Some(b) => match wire::decode_initial_response(&b) {
                Ok(v) => Some(v),
                Err(_) => {
                    return self.bad(
                        Some(tag),
                        None,
                        "Invalid base64",
                        ProtocolError::Other("invalid initial response"),
                    );
                }
            },
        };
        let mut entropy = self.sasl_entropy;
        if let Some(first) = entropy.first_mut() {
            *first ^= self.sasl_attempts;
        }
        self.sasl_attempts = self.sasl_attempts.wrapping_add(1);
        self.sasl_ok_text = None;
        let nonce = self
            .sasl_nonce
            .take()
            .unwrap_or_else(|| Nonce::from_entropy(entropy));
        let auth = Authenticator::new(mech, nonce, &self.config.hostname)
            .with_limits(self.config.sasl_limits)
            .success_data_as_challenge();
        let mut auth = Box::new(auth);
        let step = auth.start(ir.as_deref());
        self.sasl_step(tag, auth, step);
    }

    pub(super) fn select(
        &mut self,
        tag: Tag,
        mailbox: Mailbox,
        params: Vec<SelectParam>,
        examine: bool,
    ) {
        let name = if examine { "EXAMINE" } else { "SELECT" };
        let mut qresync = None;
        for p in params {
            match p {
                SelectParam::CondStore if self.config.extensions.condstore => {
                    self.enable_condstore();
                }
                SelectParam::QResync {
                    uid_validity,
                    modseq,
                    known_uids,
                    ..
                } if self.qresync => {
                    qresync = Some(QresyncRequest {
                        uid_validity,
                        modseq,
                        known_uids,
                    });
                }
                SelectParam::QResync { .. } => {
                    return self.bad(
                        Some(tag),
                        None,
                        "QRESYNC not enabled",
                        ProtocolError::Other("qresync not enabled"),
                    );
                }
                _ => return self.unsupported(tag, "SELECT parameter"),
            }
        }
        if matches!(self.state, State::Selected(_)) {
            self.state = State::Authenticated;
            if self.rev2 || self.qresync {
                let t = self.config.texts.closed.clone();
                self.status(None, StatusKind::Ok, Some(Code::Closed), &t);
            }
        }
        let ticket = self.start(
            tag,
            name,
            Running::Select {
                read_only: examine,
                qresync: qresync.clone(),
            },
        );
        self.events.push_back(Event::Select {
            ticket,
            mailbox,
            read_only: examine,
            qresync,
        });
    }

    fn enable_condstore(&mut self) {
        if !std::mem::replace(&mut self.condstore, true) {
            self.events
                .push_back(Event::Enabled(vec![Capability::CondStore]));
        }
    }

    fn resolve(&mut self, tag: &Tag, set: &SequenceSet, uid: bool) -> Option<Vec<u32>> {
        let r = match &self.state {
            State::Selected(s) => s.view.resolve(set, uid),
            _ => return None,
        };
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                let t = match e {
                    ViewError::NoSavedResult => "No saved search result",
                    _ => "Invalid message sequence number",
                };
                self.bad(Some(tag.clone()), None, t, ProtocolError::Sequence(e));
                None
            }
        }
    }

    fn read_only(&self) -> bool {
        matches!(&self.state, State::Selected(s) if s.read_only)
    }

    pub(super) fn dispatch_authenticated(&mut self, tag: Tag, body: CommandBody) {
        let authed = !matches!(self.state, State::NotAuthenticated);
        let selected = matches!(self.state, State::Selected(_));
        let e = self.config.extensions;
        let name = command_name(&body);
        // Commands that need at least Authenticated state.
        let needs_selected = matches!(
            body,
            CommandBody::Close
                | CommandBody::Unselect
                | CommandBody::Expunge
                | CommandBody::UidExpunge(_)
                | CommandBody::Search { .. }
                | CommandBody::Fetch { .. }
                | CommandBody::Store { .. }
                | CommandBody::Copy { .. }
                | CommandBody::Move { .. }
        );
        let known = needs_selected
            || matches!(
                body,
                CommandBody::Create { .. }
                    | CommandBody::Delete(_)
                    | CommandBody::Rename { .. }
                    | CommandBody::Subscribe(_)
                    | CommandBody::Unsubscribe(_)
                    | CommandBody::List { .. }
                    | CommandBody::Lsub { .. }
                    | CommandBody::Namespace
                    | CommandBody::Status { .. }
                    | CommandBody::Append { .. }
                    | CommandBody::Idle
            );
        if !known {
            return self.unsupported(tag, name);
        }
        if !authed || (needs_selected && !selected) {
            return self.wrong_state(tag, name);
        }
        match body {
            CommandBody::Create {
                mailbox,
                special_use,
            } => self.mailbox_op(
                tag,
                name,
                MailboxOp::Create {
                    mailbox,
                    special_use,
                },
            ),
            CommandBody::Delete(m) => self.mailbox_op(tag, name, MailboxOp::Delete(m)),
            CommandBody::Rename { from, to } => {
                self.mailbox_op(tag, name, MailboxOp::Rename { from, to })
            }
            CommandBody::Subscribe(m) => self.mailbox_op(tag, name, MailboxOp::Subscribe(m)),
            CommandBody::Unsubscribe(m) => self.mailbox_op(tag, name, MailboxOp::Unsubscribe(m)),
            CommandBody::List {
                selection,
                reference,
                patterns,
                returns,
            } => {
                let patterns = match patterns {
                    ListPatterns::Single(p) => vec![p],
                    ListPatterns::List(v) => v,
                };
                let ticket = self.start(tag, name, Running::List { lsub: false });
                self.events.push_back(Event::List {
                    ticket,
                    lsub: false,
                    reference,
                    patterns,
                    selection: selection.unwrap_or_default(),
                    returns: returns.unwrap_or_default(),
                });
            }
            CommandBody::Lsub { reference, pattern } => {
                let ticket = self.start(tag, name, Running::List { lsub: true });
                self.events.push_back(Event::List {
                    ticket,
                    lsub: true,
                    reference,
                    patterns: vec![pattern],
                    selection: Vec::new(),
                    returns: Vec::new(),
                });
            }
            CommandBody::Namespace => {
                if !(e.namespace || self.rev2) {
                    return self.unsupported(tag, name);
                }
                let ticket = self.start(tag, name, Running::Simple);
                self.events.push_back(Event::Namespace { ticket });
            }
            CommandBody::Status { mailbox, attrs } => {
                if attrs.contains(&StatusAttr::HighestModSeq) && e.condstore {
                    self.enable_condstore();
                }
                let ticket = self.start(
                    tag,
                    name,
                    Running::Status {
                        mailbox: mailbox.clone(),
                        attrs: attrs.clone(),
                    },
                );
                self.events.push_back(Event::Status {
                    ticket,
                    mailbox,
                    attrs,
                });
            }
            CommandBody::Append { .. } => {
                // Every APPEND arrives with a literal and is handled when it
                // is announced; this one got here some other way.
                self.bad(
                    Some(tag),
                    None,
                    "Invalid APPEND",
                    ProtocolError::Other("append without streamed literal"),
                );
            }
            CommandBody::Idle => {
                if !e.idle {
                    return self.unsupported(tag, name);
                }
                // RFC 2177 §3's example: pending changes, then "+ idling".
                self.flush_updates(true);
                let r = Response::Continue(RespText {
                    code: None,
                    text: text(&self.config.texts.idling),
                });
                encode::response(&r, self.out.buf_mut());
                self.mode = Mode::Idle { tag };
                self.events.push_back(Event::IdleStarted);
            }
            CommandBody::Close => {
                let read_only = self.read_only();
                let ticket = self.start(tag, name, Running::Close);
                self.events.push_back(Event::Close { ticket, read_only });
            }
            CommandBody::Unselect => {
                if !e.unselect {
                    return self.unsupported(tag, name);
                }
                self.state = State::Authenticated;
                let t = self.config.texts.unselect.clone();
                self.status(Some(tag), StatusKind::Ok, None, &t);
                self.events.push_back(Event::Unselected);
            }
            CommandBody::Expunge | CommandBody::UidExpunge(_) => {
                if self.read_only() {
                    self.status(
                        Some(tag),
                        StatusKind::No,
                        Some(Code::ReadOnly),
                        "Mailbox is read-only",
                    );
                    return;
                }
                let uids = match body {
                    CommandBody::UidExpunge(set) => {
                        if !e.uidplus && !self.rev2 {
                            return self.unsupported(tag, name);
                        }
                        let Some(u) = self.resolve(&tag, &set, true) else {
                            return;
                        };
                        Some(u)
                    }
                    _ => None,
                };
                let ticket = self.start(tag, name, Running::Expunge);
                self.events.push_back(Event::Expunge { ticket, uids });
            }
            CommandBody::Search {
                uid,
                returns,
                charset,
                criteria,
            } => {
                if returns.is_some() && !(e.esearch || self.rev2) {
                    return self.unsupported(tag, "SEARCH RETURN");
                }
                if returns
                    .as_ref()
                    .is_some_and(|r| r.contains(&SearchReturn::Save))
                    && !(e.searchres || self.rev2)
                {
                    return self.unsupported(tag, "SEARCH RETURN (SAVE)");
                }
                if let Some(c) = &charset {
                    let b = match c {
                        Charset::Atom(a) => a.as_bytes(),
                        Charset::Quoted(q) => q.as_bytes(),
                    };
                    if !(b.eq_ignore_ascii_case(b"UTF-8") || b.eq_ignore_ascii_case(b"US-ASCII")) {
                        let utf8 = Atom::try_from("UTF-8").ok().map(Charset::Atom);
                        let ascii = Atom::try_from("US-ASCII").ok().map(Charset::Atom);
                        let list = [ascii, utf8].into_iter().flatten().collect();
                        self.status(
                            Some(tag),
                            StatusKind::No,
                            Some(Code::BadCharset(list)),
                            "Unsupported charset",
                        );
                        return;
                    }
                }
                if criteria.iter().any(has_modseq) && e.condstore {
                    self.enable_condstore();
                }
                let ticket = self.start(tag, name, Running::Search { uid, returns });
                self.events.push_back(Event::Search {
                    ticket,
                    uid,
                    charset,
                    criteria,
                });
            }
            CommandBody::Fetch {
                uid,
                set,
                attrs,
                modifiers,
            } => self.fetch_command(tag, name, uid, &set, attrs, modifiers),
            CommandBody::Store {
                uid,
                set,
                unchanged_since,
                mode,
                silent,
                flags,
                ..
            } => {
                if self.read_only() {
                    self.status(
                        Some(tag),
                        StatusKind::No,
                        Some(Code::ReadOnly),
                        "Mailbox is read-only",
                    );
                    return;
                }
                if unchanged_since.is_some() {
                    if !e.condstore {
                        return self.unsupported(tag, "UNCHANGEDSINCE");
                    }
                    self.enable_condstore();
                }
                let Some(uids) = self.resolve(&tag, &set, uid) else {
                    return;
                };
                let ticket = self.start(
                    tag,
                    name,
                    Running::Store {
                        uid,
                        uids: uids.clone(),
                        silent,
                        conditional: unchanged_since.is_some(),
                        modified: Vec::new(),
                    },
                );
                self.events.push_back(Event::Store {
                    ticket,
                    uid,
                    uids,
                    mode,
                    flags,
                    unchanged_since,
                });
            }
            CommandBody::Copy { uid, set, mailbox } | CommandBody::Move { uid, set, mailbox } => {
                let is_move = name.ends_with("MOVE");
                if is_move && !(e.move_ || self.rev2) {
                    return self.unsupported(tag, name);
                }
                if is_move && self.read_only() {
                    self.status(
                        Some(tag),
                        StatusKind::No,
                        Some(Code::ReadOnly),
                        "Mailbox is read-only",
                    );
                    return;
                }
                let Some(uids) = self.resolve(&tag, &set, uid) else {
                    return;
                };
                let ticket = self.start(
                    tag,
                    name,
                    Running::Copy {
                        is_move,
                        uids: uids.clone(),
                    },
                );
                self.events.push_back(Event::Copy {
                    ticket,
                    is_move,
                    uids,
                    mailbox,
                });
            }
            _ => self.unsupported(tag, name),
        }
    }

    fn mailbox_op(&mut self, tag: Tag, name: &'static str, op: MailboxOp) {
        let ticket = self.start(tag, name, Running::Simple);
        self.events.push_back(Event::Mailbox { ticket, op });
    }

    fn fetch_command(
        &mut self,
        tag: Tag,
        name: &'static str,
        uid: bool,
        set: &SequenceSet,
        attrs: FetchAttrs,
        modifiers: Vec<FetchModifier>,
    ) {
        let mut changed_since = None;
        let mut vanished = false;
        for m in modifiers {
            match m {
                FetchModifier::ChangedSince(n) if self.config.extensions.condstore => {
                    changed_since = Some(n);
                }
                FetchModifier::Vanished => vanished = true,
                _ => return self.unsupported(tag, "FETCH modifier"),
            }
        }
        if vanished && !(uid && self.qresync && changed_since.is_some()) {
            return self.bad(
                Some(tag),
                None,
                "VANISHED needs UID FETCH, CHANGEDSINCE and QRESYNC",
                ProtocolError::Other("vanished modifier"),
            );
        }
        let mut attrs = match attrs {
            FetchAttrs::Macro(FetchMacro::All) => vec![
                FetchAttr::Flags,
                FetchAttr::InternalDate,
                FetchAttr::Rfc822Size,
                FetchAttr::Envelope,
            ],
            FetchAttrs::Macro(FetchMacro::Fast) => vec![
                FetchAttr::Flags,
                FetchAttr::InternalDate,
                FetchAttr::Rfc822Size,
            ],
            FetchAttrs::Macro(FetchMacro::Full) => vec![
                FetchAttr::Flags,
                FetchAttr::InternalDate,
                FetchAttr::Rfc822Size,
                FetchAttr::Envelope,
                FetchAttr::Body,
            ],
            FetchAttrs::Single(a) => vec![a],
            FetchAttrs::List(v) => v,
        };
        if changed_since.is_some() && !attrs.contains(&FetchAttr::ModSeq) {
            attrs.push(FetchAttr::ModSeq);
        }
        if attrs.contains(&FetchAttr::ModSeq) {
            if !self.config.extensions.condstore {
                return self.unsupported(tag, "MODSEQ");
            }
            self.enable_condstore();
        }
        if uid && !attrs.contains(&FetchAttr::Uid) {
            attrs.push(FetchAttr::Uid);
        }
        let Some(uids) = self.resolve(&tag, set, uid) else {
            return;
        };
        if vanished && let State::Selected(sel) = &self.state {
            let upto = sel.view.uid_next().saturating_sub(1);
            let missing = sel.view.missing(set, upto);
            if let Some(uids) = view::ranges_to_set(&missing) {
                self.data(Data::Vanished {
                    earlier: true,
                    uids,
                });
            }
        }
        let ticket = self.start(
            tag,
            name,
            Running::Fetch {
                uid,
                uids: uids.clone(),
                stream: None,
            },
        );
        self.events.push_back(Event::Fetch {
            ticket,
            uid,
            uids,
            attrs,
            changed_since,
        });
    }
}

fn has_modseq(k: &SearchKey) -> bool {
    match k {
        SearchKey::ModSeq { .. } => true,
        SearchKey::Not(k) => has_modseq(k),
        SearchKey::Or(a, b) => has_modseq(a) || has_modseq(b),
        SearchKey::And(v) => v.iter().any(has_modseq),
        _ => false,
    }
}

fn command_name(b: &CommandBody) -> &'static str {
    match b {
        CommandBody::Capability => "CAPABILITY",
        CommandBody::Noop => "NOOP",
        CommandBody::Logout => "LOGOUT",
        CommandBody::StartTls => "STARTTLS",
        CommandBody::Authenticate { .. } => "AUTHENTICATE",
        CommandBody::Login { .. } => "LOGIN",
        CommandBody::Enable(_) => "ENABLE",
        CommandBody::Select { .. } => "SELECT",
        CommandBody::Examine { .. } => "EXAMINE",
        CommandBody::Create { .. } => "CREATE",
        CommandBody::Delete(_) => "DELETE",
        CommandBody::Rename { .. } => "RENAME",
        CommandBody::Subscribe(_) => "SUBSCRIBE",
        CommandBody::Unsubscribe(_) => "UNSUBSCRIBE",
        CommandBody::List { .. } => "LIST",
        CommandBody::Lsub { .. } => "LSUB",
        CommandBody::Namespace => "NAMESPACE",
        CommandBody::Status { .. } => "STATUS",
        CommandBody::Append { .. } => "APPEND",
        CommandBody::Idle => "IDLE",
        CommandBody::Check => "CHECK",
        CommandBody::Close => "CLOSE",
        CommandBody::Unselect => "UNSELECT",
        CommandBody::Expunge => "EXPUNGE",
        CommandBody::UidExpunge(_) => "UID EXPUNGE",
        CommandBody::Search { uid: true, .. } => "UID SEARCH",
        CommandBody::Search { .. } => "SEARCH",
        CommandBody::Fetch { uid: true, .. } => "UID FETCH",
        CommandBody::Fetch { .. } => "FETCH",
        CommandBody::Store { uid: true, .. } => "UID STORE",
        CommandBody::Store { .. } => "STORE",
        CommandBody::Copy { uid: true, .. } => "UID COPY",
        CommandBody::Copy { .. } => "COPY",
        CommandBody::Move { uid: true, .. } => "UID MOVE",
        CommandBody::Move { .. } => "MOVE",
        CommandBody::Id(_) => "ID",
        CommandBody::Sort { .. } => "SORT",
        CommandBody::Thread { .. } => "THREAD",
        CommandBody::GetQuota(_) => "GETQUOTA",
        CommandBody::GetQuotaRoot(_) => "GETQUOTAROOT",
        CommandBody::SetQuota { .. } => "SETQUOTA",
        CommandBody::Compress(_) => "COMPRESS",
        CommandBody::Unauthenticate => "UNAUTHENTICATE",
        CommandBody::Other { .. } => "command",
    }
}
