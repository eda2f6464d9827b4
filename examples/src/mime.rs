//! What IMAP needs to know of a message's MIME structure, computed once per
//! message with `mail-parser` and kept in memory: ENVELOPE, BODYSTRUCTURE
//! (and the plain BODY), the byte ranges of every part for `BODY[section]`,
//! and the text SEARCH looks at.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use mail_parser::{
    Addr, Address as MAddress, HeaderValue, Message as Mime, MessageParser, MessagePart,
    MimeHeaders, PartType,
};
use yubin_imap::types::{
    Address, BodyExtension, BodyFields, BodyStructure, Disposition, Envelope, IString, Language,
    NString, Params, Section, SectionText, SinglePartKind,
};

/// How many parsed messages the cache keeps before it starts over.
const CACHE_ENTRIES: usize = 4096;

/// A message's structure: what FETCH and SEARCH use.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// `ENVELOPE`.
    pub envelope: Envelope,
    /// `BODYSTRUCTURE` (with extension data).
    pub structure: Option<BodyStructure>,
    /// `BODY` (without).
    pub body: Option<BodyStructure>,
    /// The part tree with byte ranges into the file.
    pub root: Node,
    /// The `Date:` header's calendar date (year, month, day), if any.
    pub sent: Option<(i64, u32, u32)>,
    /// The decoded text of the text parts (lower-cased), for SEARCH.
    pub text: String,
    /// The header fields: (lower-case name, raw value, decoded value).
    pub headers: Vec<(String, String)>,
}

/// One MIME part: where its header and body sit in the file.
#[derive(Debug, Clone, Default)]
pub struct Node {
    /// Header block (blank line included), `[start, end)`.
    pub header: (u64, u64),
    /// Body, `[start, end)`.
    pub body: (u64, u64),
    /// The parts of a multipart.
    pub children: Vec<Node>,
    /// The encapsulated message of a `message/rfc822` part.
    pub nested: Option<Box<Node>>,
}

/// What a `BODY[section]` is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Want {
    /// These octets of the file.
    Range(u64, u64),
    /// The header fields of this header block named (or, with `not`, not
    /// named) in `names`, lower-case.
    Fields {
        /// The header block.
        range: (u64, u64),
        /// The field names.
        names: Vec<String>,
        /// `HEADER.FIELDS.NOT`.
        not: bool,
    },
    /// A part that does not exist: an empty string.
    Empty,
}

/// Parsed messages by their Maildir unique name.
#[derive(Debug, Default)]
pub struct Cache {
    map: Mutex<HashMap<String, Arc<Parsed>>>,
}

impl Cache {
    /// The structure of the message `key` whose content is `raw`: from
    /// the cache, or parsed now.
    pub fn get_or_parse(&self, key: &str, raw: &[u8]) -> Arc<Parsed> {
        if let Some(p) = self.get(key) {
            return p;
        }
        let p = Arc::new(parse(raw));
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= CACHE_ENTRIES {
            map.clear();
        }
        map.insert(key.to_owned(), p.clone());
        p
    }

    /// The cached structure of `key`, if parsed before.
    pub fn get(&self, key: &str) -> Option<Arc<Parsed>> {
        let map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        map.get(key).cloned()
    }
}

/// Parses a message. Anything mail-parser cannot read becomes an empty
/// text/plain structure over the whole file.
pub fn parse(raw: &[u8]) -> Parsed {
    let len = raw.len() as u64;
    let fallback = || Parsed {
        envelope: Envelope::default(),
        structure: plain_leaf(len, true),
        body: plain_leaf(len, false),
        root: Node {
            header: (0, 0),
            body: (0, len),
            children: Vec::new(),
            nested: None,
        },
        sent: None,
        text: String::new(),
        headers: Vec::new(),
    };
    let Some(msg) = MessageParser::default().parse(raw) else {
        return fallback();
    };
    let Some(root_part) = msg.parts.first() else {
        return fallback();
    };
    let root = node(&msg, root_part, 0, raw, 0);
    let structure = structure(&msg, root_part, true, 0).or_else(|| plain_leaf(len, true));
    let body = structure.as_ref().map(structure_basic);
    let sent = msg
        .date()
        .map(|d| (i64::from(d.year), u32::from(d.month), u32::from(d.day)));
    let mut text = String::new();
    for p in msg.text_bodies().chain(msg.html_bodies()) {
        if let Some(t) = p.text_contents() {
            text.push_str(&t.to_lowercase());
            text.push('\n');
        }
    }
    let mut headers = Vec::new();
    for (name, value) in msg.headers_raw() {
        headers.push((name.to_ascii_lowercase(), unfold(value).to_lowercase()));
    }
    if let Some(s) = msg.subject() {
        headers.push(("subject".to_owned(), s.to_lowercase()));
    }
    Parsed {
        envelope: envelope(&msg),
        structure,
        body,
        root,
        sent,
        text,
        headers,
    }
}

impl Parsed {
    /// What `BODY[section]` means for this message of `len` octets.
    pub fn want(&self, section: &Section, len: u64) -> Want {
        let fields =
            |range: (u64, u64), names: &[yubin_imap::types::AString], not: bool| Want::Fields {
                range,
                names: names
                    .iter()
                    .map(|n| String::from_utf8_lossy(n.as_bytes()).to_ascii_lowercase())
                    .collect(),
                not,
            };
        if section.part.is_empty() {
            return match &section.text {
                None => Want::Range(0, len),
                Some(SectionText::Header) => Want::Range(self.root.header.0, self.root.header.1),
                Some(SectionText::Text) => Want::Range(self.root.body.0, self.root.body.1),
                Some(SectionText::HeaderFields(n)) => fields(self.root.header, n, false),
                Some(SectionText::HeaderFieldsNot(n)) => fields(self.root.header, n, true),
                Some(SectionText::Mime) => Want::Empty,
            };
        }
        let Some(cur) = self.find(&section.part) else {
            return Want::Empty;
        };
        match &section.text {
            None => Want::Range(cur.body.0, cur.body.1),
            Some(SectionText::Mime) => Want::Range(cur.header.0, cur.header.1),
            Some(t) => {
                let Some(n) = &cur.nested else {
                    return Want::Empty;
                };
                match t {
                    SectionText::Header => Want::Range(n.header.0, n.header.1),
                    SectionText::Text => Want::Range(n.body.0, n.body.1),
                    SectionText::HeaderFields(names) => fields(n.header, names, false),
                    SectionText::HeaderFieldsNot(names) => fields(n.header, names, true),
                    SectionText::Mime => Want::Empty,
                }
            }
        }
    }

    fn find(&self, part: &[NonZeroU32]) -> Option<&Node> {
        let mut cur = &self.root;
        let mut top = true;
        for n in part {
            let i = usize::try_from(n.get() - 1).ok()?;
            let container: &Node = match (&cur.nested, top) {
                (Some(nested), false) => nested,
                _ => cur,
            };
            if !container.children.is_empty() {
                cur = container.children.get(i)?;
            } else if i == 0 && (top || cur.nested.is_some()) {
                cur = container;
            } else {
                return None;
            }
            top = false;
        }
        Some(cur)
    }
}

/// The fields of a header block named in (or, with `not`, absent from)
/// `names`, each with its continuation lines, then the blank line.
pub fn filter_fields(block: &[u8], names: &[String], not: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut keep = false;
    for line in block.split_inclusive(|b| *b == b'\n') {
        if line == b"\r\n" || line == b"\n" {
            break;
        }
        let continuation = matches!(line.first(), Some(b' ' | b'\t'));
        if !continuation {
            let name = line
                .split(|b| *b == b':')
                .next()
                .map(|n| String::from_utf8_lossy(n).trim().to_ascii_lowercase())
                .unwrap_or_default();
            keep = names.contains(&name) != not;
        }
        if keep {
            out.extend_from_slice(line);
        }
    }
    out.extend_from_slice(b"\r\n");
    out
}

fn node(msg: &Mime<'_>, p: &MessagePart<'_>, base: u64, raw: &[u8], depth: usize) -> Node {
    let (h, b, e) = (
        base + u64::from(p.offset_header),
        base + u64::from(p.offset_body),
        base + u64::from(p.offset_end),
    );
    let mut n = Node {
        header: (h, b),
        body: (b, e.max(b)),
        children: Vec::new(),
        nested: None,
    };
    if depth > 32 {
        return n;
    }
    match &p.body {
        PartType::Multipart(ids) => {
            n.children = ids
                .iter()
                .filter_map(|id| msg.parts.get(usize::try_from(*id).ok()?))
                .map(|c| node(msg, c, base, raw, depth + 1))
                .collect();
        }
        PartType::Message(inner) => {
            if let Some(start) = in_place(raw, b, inner)
                && let Some(r) = inner.parts.first()
            {
                n.nested = Some(Box::new(node(inner, r, start, raw, depth + 1)));
            }
        }
        _ => {}
    }
    n
}

/// Where an encapsulated message sits in the file, when it was parsed in
/// place (not transfer-encoded).
fn in_place(raw: &[u8], at: u64, inner: &Mime<'_>) -> Option<u64> {
    let start = usize::try_from(at).ok()?;
    raw.get(start..)?
        .starts_with(inner.raw_message())
        .then_some(at)
}

fn istr(s: &[u8]) -> Option<IString> {
    let clean: Vec<u8> = s.iter().copied().filter(|b| *b != 0).collect();
    IString::from_bytes(Bytes::from(clean)).ok()
}

fn nstr(s: Option<&str>) -> NString {
    s.and_then(|s| istr(s.as_bytes()))
}

fn unfold(s: &str) -> String {
    s.replace("\r\n", "").replace('\n', "").trim().to_owned()
}

fn addr(a: &Addr<'_>) -> Address {
    let (mailbox, host) = match a.address.as_deref() {
        Some(full) => match full.rsplit_once('@') {
            Some((l, h)) => (nstr(Some(l)), nstr(Some(h))),
            None => (nstr(Some(full)), None),
        },
        None => (None, None),
    };
    Address {
        name: nstr(a.name.as_deref()),
        adl: None,
        mailbox,
        host,
    }
}

fn addresses(a: Option<&MAddress<'_>>) -> Vec<Address> {
    match a {
        None => Vec::new(),
        Some(MAddress::List(list)) => list.iter().map(addr).collect(),
        Some(MAddress::Group(groups)) => {
            let mut v = Vec::new();
            for g in groups {
                match g.name.as_deref() {
                    Some(name) => {
                        // RFC 9051 §7.5.2: group start, members, group end.
                        v.push(Address {
                            name: None,
                            adl: None,
                            mailbox: nstr(Some(name)),
                            host: None,
                        });
                        v.extend(g.addresses.iter().map(addr));
                        v.push(Address {
                            name: None,
                            adl: None,
                            mailbox: None,
                            host: None,
                        });
                    }
                    None => v.extend(g.addresses.iter().map(addr)),
                }
            }
            v
        }
    }
}

fn raw_header(msg: &Mime<'_>, name: &str) -> NString {
    msg.header_raw(name)
        .map(unfold)
        .and_then(|s| istr(s.as_bytes()))
}

fn envelope(msg: &Mime<'_>) -> Envelope {
    let from = addresses(msg.from());
    let sender = match msg.sender() {
        Some(s) => addresses(Some(s)),
        None => from.clone(),
    };
    let reply_to = match msg.reply_to() {
        Some(r) => addresses(Some(r)),
        None => from.clone(),
    };
    Envelope {
        date: raw_header(msg, "Date"),
        subject: raw_header(msg, "Subject"),
        from,
        sender,
        reply_to,
        to: addresses(msg.to()),
        cc: addresses(msg.cc()),
        bcc: addresses(msg.bcc()),
        in_reply_to: raw_header(msg, "In-Reply-To"),
        message_id: raw_header(msg, "Message-ID"),
    }
}

fn plain_leaf(len: u64, ext: bool) -> Option<BodyStructure> {
    Some(BodyStructure::Single {
        kind: SinglePartKind::Text {
            media_type: istr(b"text")?,
            subtype: istr(b"plain")?,
            lines: 0,
        },
        fields: BodyFields {
            params: None,
            id: None,
            description: None,
            encoding: istr(b"7bit")?,
            octets: u32::try_from(len).unwrap_or(u32::MAX),
        },
        extension: ext.then(|| (None, BodyExtension::default())),
    })
}

fn params(ct: Option<&mail_parser::ContentType<'_>>) -> Params {
    let attrs = ct?.attributes.as_ref()?;
    let v: Vec<(IString, IString)> = attrs
        .iter()
        .filter_map(|a| Some((istr(a.name.as_bytes())?, istr(a.value.as_bytes())?)))
        .collect();
    (!v.is_empty()).then_some(v)
}

fn extension(p: &MessagePart<'_>) -> BodyExtension {
    let disposition = p.content_disposition().map(|d| {
        istr(d.c_type.as_bytes()).map(|kind| Disposition {
            kind,
            params: params(Some(d)),
        })
    });
    let language = match p.content_language() {
        HeaderValue::Text(t) => Language::List(istr(t.as_bytes()).into_iter().collect()),
        HeaderValue::TextList(l) => {
            Language::List(l.iter().filter_map(|t| istr(t.as_bytes())).collect())
        }
        _ => Language::Single(None),
    };
    BodyExtension {
        disposition: Some(disposition.flatten()),
        language: Some(language),
        location: Some(nstr(p.content_location())),
        extensions: Vec::new(),
    }
}

fn lines(body: &[u8]) -> u64 {
    let n = body.iter().filter(|b| **b == b'\n').count() as u64;
    if body.last().is_some_and(|b| *b != b'\n') {
        n + 1
    } else {
        n
    }
}

fn structure(
    msg: &Mime<'_>,
    p: &MessagePart<'_>,
    ext: bool,
    depth: usize,
) -> Option<BodyStructure> {
    let ct = p.content_type();
    if let PartType::Multipart(ids) = &p.body {
        let parts: Vec<BodyStructure> = ids
            .iter()
            .filter_map(|id| msg.parts.get(usize::try_from(*id).ok()?))
            .filter(|_| depth < 32)
            .filter_map(|c| structure(msg, c, ext, depth + 1))
            .collect();
        if parts.is_empty() {
            return plain_leaf(0, ext);
        }
        let subtype = ct.and_then(|c| c.c_subtype.as_deref()).unwrap_or("mixed");
        return Some(BodyStructure::Multi {
            parts,
            subtype: istr(subtype.as_bytes())?,
            extension: ext.then(|| (params(ct), extension(p))),
        });
    }
    let body = p.raw_body_slice(msg);
    let (mtype, subtype) = match ct {
        Some(c) => (
            c.c_type.to_string(),
            c.c_subtype.as_deref().unwrap_or("plain").to_owned(),
        ),
        None => ("text".to_owned(), "plain".to_owned()),
    };
    let mut prm = params(ct);
    if prm.is_none() && mtype.eq_ignore_ascii_case("text") {
        prm = Some(vec![(istr(b"charset")?, istr(b"us-ascii")?)]);
    }
    let fields = BodyFields {
        params: prm,
        id: p
            .content_id()
            .map(|id| format!("<{id}>"))
            .and_then(|id| istr(id.as_bytes())),
        description: nstr(p.content_description()),
        encoding: istr(p.content_transfer_encoding().unwrap_or("7bit").as_bytes())?,
        octets: u32::try_from(body.len()).unwrap_or(u32::MAX),
    };
    let kind = match &p.body {
        PartType::Message(inner) if depth < 32 && mtype.eq_ignore_ascii_case("message") => {
            let inner_body = inner
                .parts
                .first()
                .and_then(|r| structure(inner, r, ext, depth + 1))
                .or_else(|| plain_leaf(0, ext))?;
            SinglePartKind::Message {
                media_type: istr(mtype.as_bytes())?,
                subtype: istr(subtype.as_bytes())?,
                envelope: Box::new(envelope(inner)),
                body: Box::new(inner_body),
                lines: lines(body),
            }
        }
        _ if mtype.eq_ignore_ascii_case("text") => SinglePartKind::Text {
            media_type: istr(mtype.as_bytes())?,
            subtype: istr(subtype.as_bytes())?,
            lines: lines(body),
        },
        _ => SinglePartKind::Basic {
            media_type: istr(mtype.as_bytes())?,
            subtype: istr(subtype.as_bytes())?,
        },
    };
    Some(BodyStructure::Single {
        kind,
        fields,
        extension: ext.then(|| (None, extension(p))),
    })
}

/// The non-extensible `BODY` form of a structure.
fn structure_basic(s: &BodyStructure) -> BodyStructure {
    match s {
        BodyStructure::Single { kind, fields, .. } => BodyStructure::Single {
            kind: match kind {
                SinglePartKind::Message {
                    media_type,
                    subtype,
                    envelope,
                    body,
                    lines,
                } => SinglePartKind::Message {
                    media_type: media_type.clone(),
                    subtype: subtype.clone(),
                    envelope: envelope.clone(),
                    body: Box::new(structure_basic(body)),
                    lines: *lines,
                },
                k => k.clone(),
            },
            fields: fields.clone(),
            extension: None,
        },
        BodyStructure::Multi { parts, subtype, .. } => BodyStructure::Multi {
            parts: parts.iter().map(structure_basic).collect(),
            subtype: subtype.clone(),
            extension: None,
        },
    }
}

trait RawBody {
    fn raw_body_slice<'a>(&self, msg: &'a Mime<'_>) -> &'a [u8];
}

impl RawBody for MessagePart<'_> {
    fn raw_body_slice<'a>(&self, msg: &'a Mime<'_>) -> &'a [u8] {
        let (Ok(a), Ok(b)) = (
            usize::try_from(self.offset_body),
            usize::try_from(self.offset_end),
        ) else {
            return &[];
        };
        msg.raw_message().get(a..b).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MULTI: &[u8] = b"From: Ann <ann@example.test>\r\nTo: bob@example.test, Group: c@d.test;\r\nSubject: =?utf-8?q?hi?=\r\nDate: Mon, 2 Jan 2023 10:00:00 +0100\r\nMessage-ID: <m1@example.test>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"XX\"\r\n\r\npreamble\r\n--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nhello there\r\n--XX\r\nContent-Type: application/pdf; name=\"a.pdf\"\r\nContent-Disposition: attachment; filename=\"a.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--XX--\r\n";

    fn slice(raw: &[u8], w: &Want) -> Vec<u8> {
        match w {
            Want::Range(a, b) => raw[*a as usize..*b as usize].to_vec(),
            Want::Fields { range, names, not } => {
                filter_fields(&raw[range.0 as usize..range.1 as usize], names, *not)
            }
            Want::Empty => Vec::new(),
        }
    }

    fn sec(part: &[u32], text: Option<SectionText>) -> Section {
        Section {
            part: part.iter().map(|n| NonZeroU32::new(*n).unwrap()).collect(),
            text,
        }
    }

    #[test]
    fn sections_of_a_multipart_message() {
        let p = parse(MULTI);
        let len = MULTI.len() as u64;
        let header = slice(MULTI, &p.want(&sec(&[], Some(SectionText::Header)), len));
        assert!(header.starts_with(b"From: Ann"));
        assert!(header.ends_with(b"boundary=\"XX\"\r\n\r\n"));
        assert_eq!(slice(MULTI, &p.want(&sec(&[1], None), len)), b"hello there");
        assert_eq!(
            slice(MULTI, &p.want(&sec(&[1], Some(SectionText::Mime)), len)),
            b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
        );
        assert_eq!(
            slice(MULTI, &p.want(&sec(&[2], None), len)),
            b"JVBERi0xLjQK"
        );
        assert_eq!(p.want(&sec(&[3], None), len), Want::Empty);
        let fields = slice(
            MULTI,
            &p.want(
                &sec(
                    &[],
                    Some(SectionText::HeaderFields(vec![
                        yubin_imap::types::AString::try_from("subject").unwrap(),
                    ])),
                ),
                len,
            ),
        );
        assert_eq!(fields, b"Subject: =?utf-8?q?hi?=\r\n\r\n");
        let Some(BodyStructure::Multi { parts, .. }) = &p.structure else {
            panic!("not multipart: {:?}", p.structure);
        };
        assert_eq!(parts.len(), 2);
        assert_eq!(p.envelope.from.len(), 1);
        assert_eq!(p.envelope.to.len(), 4, "{:?}", p.envelope.to);
        assert_eq!(p.sent, Some((2023, 1, 2)));
    }

    #[test]
    fn a_single_part_message_is_its_own_part_one() {
        let raw = b"Subject: x\r\n\r\nbody\r\n";
        let p = parse(raw);
        let len = raw.len() as u64;
        assert_eq!(slice(raw, &p.want(&sec(&[1], None), len)), b"body\r\n");
        assert_eq!(
            slice(raw, &p.want(&sec(&[], Some(SectionText::Text)), len)),
            b"body\r\n"
        );
    }
}
