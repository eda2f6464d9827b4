//! Shared grammar pieces: the GS2 header (RFC 5801 §4, used by SCRAM and
//! OAUTHBEARER), `saslname` escaping (RFC 5802 §7) and the OAuth key/value
//! list (RFC 7628 §3.1, also XOAUTH2's form).

/// `gs2-cbind-flag`: what the client says about channel binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cbind {
    /// `n`: the client does not support channel binding.
    No,
    /// `y`: the client supports it but thinks the server does not.
    Yes,
    /// `p=<cb-name>`: the client requires channel binding.
    Required,
}

/// A parsed `gs2-header = gs2-cbind-flag "," [ authzid ] ","`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Gs2Header {
    pub(crate) cbind: Cbind,
    pub(crate) authzid: Option<String>,
    /// The header's own bytes, commas included (SCRAM echoes them in `c=`).
    pub(crate) raw_len: usize,
}

/// Why a grammar piece did not parse.
pub(crate) type Malformed = &'static str;

/// Splits a GS2 header off the front of `msg`.
pub(crate) fn parse_gs2_header(msg: &[u8]) -> Result<(Gs2Header, &[u8]), Malformed> {
    let (flag, rest) = split_comma(msg).ok_or("gs2 header without comma")?;
    let cbind = match flag {
        b"n" => Cbind::No,
        b"y" => Cbind::Yes,
        _ => match flag.strip_prefix(b"p=") {
            Some(name) if !name.is_empty() && name.iter().all(is_cb_name_char) => Cbind::Required,
            _ => return Err("bad gs2 channel binding flag"),
        },
    };
    let (authz, rest) = split_comma(rest).ok_or("gs2 header without second comma")?;
    let authzid = if authz.is_empty() {
        None
    } else {
        let name = authz.strip_prefix(b"a=").ok_or("bad gs2 authzid")?;
        Some(decode_saslname(name).ok_or("bad gs2 authzid")?)
    };
    let raw_len = msg.len() - rest.len();
    Ok((
        Gs2Header {
            cbind,
            authzid,
            raw_len,
        },
        rest,
    ))
}

/// `cb-name = 1*(ALPHA / DIGIT / "." / "-")`
fn is_cb_name_char(b: &u8) -> bool {
    b.is_ascii_alphanumeric() || *b == b'.' || *b == b'-'
}

/// Builds a GS2 header without channel binding: `n,,` or `n,a=<authzid>,`.
pub(crate) fn encode_gs2_header(authzid: Option<&str>) -> String {
    match authzid {
        Some(a) => format!("n,a={},", encode_saslname(a)),
        None => "n,,".to_owned(),
    }
}

/// Splits at the first comma: (before, after).
pub(crate) fn split_comma(s: &[u8]) -> Option<(&[u8], &[u8])> {
    let i = s.iter().position(|&b| b == b',')?;
    Some((s.get(..i)?, s.get(i + 1..)?))
}

/// `saslname = 1*(value-safe-char / "=2C" / "=3D")`: UTF-8 without NUL,
/// `,` and `=`, where `=2C` stands for `,` and `=3D` for `=`.
pub(crate) fn decode_saslname(s: &[u8]) -> Option<String> {
    if s.is_empty() {
        return None;
    }
    let text = std::str::from_utf8(s).ok()?;
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(['=', ',', '\0']) {
        out.push_str(rest.get(..i)?);
        let tail = rest.get(i..)?;
        if let Some(t) = tail.strip_prefix("=2C") {
            out.push(',');
            rest = t;
        } else if let Some(t) = tail.strip_prefix("=3D") {
            out.push('=');
            rest = t;
        } else {
            return None;
        }
    }
    out.push_str(rest);
    Some(out)
}

/// Escapes `=` and `,` for a `saslname`.
pub(crate) fn encode_saslname(s: &str) -> String {
    s.replace('=', "=3D").replace(',', "=2C")
}

/// The OAuth key/value list after the GS2 header and its `kvsep`:
/// `*kvpair kvsep` with `kvpair = key "=" value kvsep` (RFC 7628 §3.1).
/// Returns the pairs in order; a key appearing twice is an error.
pub(crate) fn parse_kv_list(s: &[u8]) -> Result<Vec<(&str, &str)>, Malformed> {
    let body = s
        .strip_suffix(b"\x01")
        .ok_or("key/value list not closed by ^A")?;
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let end = rest
            .iter()
            .position(|&b| b == 0x01)
            .ok_or("key/value pair not closed by ^A")?;
        let pair = rest.get(..end).ok_or("key/value pair")?;
        rest = rest.get(end + 1..).ok_or("key/value pair")?;
        let eq = pair
            .iter()
            .position(|&b| b == b'=')
            .ok_or("key/value pair without =")?;
        let key = pair.get(..eq).ok_or("key")?;
        let value = pair.get(eq + 1..).ok_or("value")?;
        if key.is_empty() || !key.iter().all(u8::is_ascii_alphabetic) {
            return Err("bad key");
        }
        // value = *(VCHAR / SP / HTAB / CR / LF)
        if !value
            .iter()
            .all(|&b| (0x20..=0x7e).contains(&b) || b == b'\t' || b == b'\r' || b == b'\n')
        {
            return Err("bad value");
        }
        // Both are ASCII, checked above.
        let key = std::str::from_utf8(key).map_err(|_| "bad key")?;
        let value = std::str::from_utf8(value).map_err(|_| "bad value")?;
        if pairs.iter().any(|(k, _)| *k == key) {
            return Err("duplicate key");
        }
        pairs.push((key, value));
    }
    Ok(pairs)
}

/// The token of an HTTP `Authorization: Bearer <token>` value (RFC 6750
/// §2.1: the scheme is case-insensitive, `b64token` is
/// `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`).
pub(crate) fn bearer_token(auth: &str) -> Option<&str> {
    let scheme = auth.get(..6)?;
    if !scheme.eq_ignore_ascii_case("Bearer") {
        return None;
    }
    let token = auth.get(6..)?.strip_prefix(' ')?.trim_start_matches(' ');
    let body = token.trim_end_matches('=');
    let ok = !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b));
    ok.then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc5802_7_saslname_escapes() {
        assert_eq!(decode_saslname(b"us=2Cer=3D").as_deref(), Some("us,er="));
        assert_eq!(encode_saslname("us,er="), "us=2Cer=3D");
        assert_eq!(decode_saslname(b""), None);
        assert_eq!(decode_saslname(b"a=2"), None);
        assert_eq!(decode_saslname(b"a=41"), None);
        assert_eq!(decode_saslname(b"a,b"), None);
        assert_eq!(decode_saslname(b"a\0b"), None);
        assert_eq!(decode_saslname(b"\xff"), None);
        assert_eq!(decode_saslname("ü".as_bytes()).as_deref(), Some("ü"));
    }

    #[test]
    fn rfc5801_4_gs2_header() {
        let (h, rest) = parse_gs2_header(b"n,,n=user").unwrap();
        assert_eq!(
            (h.cbind, h.authzid, h.raw_len, rest),
            (Cbind::No, None, 3, &b"n=user"[..])
        );
        let (h, _) = parse_gs2_header(b"y,a=bob=2C,x").unwrap();
        assert_eq!((h.cbind, h.authzid.as_deref()), (Cbind::Yes, Some("bob,")));
        let (h, _) = parse_gs2_header(b"p=tls-unique,,x").unwrap();
        assert_eq!(h.cbind, Cbind::Required);
        for bad in [
            &b""[..],
            b"n",
            b"n,",
            b"x,,",
            b"p=,,",
            b"n,b=x,",
            b"n,a=,",
            b"N,,",
        ] {
            assert!(parse_gs2_header(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn rfc7628_3_1_kv_list() {
        let pairs =
            parse_kv_list(b"host=server.example.com\x01port=143\x01auth=Bearer x\x01\x01").unwrap();
        assert_eq!(
            pairs,
            [
                ("host", "server.example.com"),
                ("port", "143"),
                ("auth", "Bearer x")
            ]
        );
        assert_eq!(parse_kv_list(b"\x01").unwrap(), []);
        for bad in [
            &b""[..],
            b"auth=x",
            b"auth=x\x01",
            b"=x\x01\x01",
            b"a1=x\x01\x01",
            b"auth\x01\x01",
            b"a=\x00\x01\x01",
            b"a=1\x01a=2\x01\x01",
        ] {
            assert!(parse_kv_list(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn rfc6750_2_1_bearer_token() {
        assert_eq!(
            bearer_token("Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg=="),
            Some("vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==")
        );
        assert_eq!(bearer_token("bearer abc"), Some("abc"));
        assert_eq!(bearer_token("Bearer"), None);
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("Bearerabc"), None);
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearer a b"), None);
        assert_eq!(bearer_token("Bearer =="), None);
        assert_eq!(bearer_token("Beaé abc"), None);
    }
}
