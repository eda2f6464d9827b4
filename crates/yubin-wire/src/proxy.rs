//! The PROXY protocol header (HAProxy's specification, versions 1 and 2):
//! the line or block a load balancer sends before the client's first byte,
//! naming the client's real address.
//!
//! [`parse`] reads it from the start of a receive buffer: `Ok(None)` asks
//! for more bytes, `Ok(Some((header, n)))` gives the header and its length,
//! `Err` means the connection does not start with a valid header and must be
//! dropped (the specification forbids guessing). Only accept the header on
//! listeners behind a proxy you run: anyone else could claim any address.
//!
//! ```
//! use yubin_wire::proxy::{parse, ProxyHeader};
//!
//! let buf = b"PROXY TCP4 192.0.2.1 198.51.100.2 56324 25\r\nEHLO x\r\n";
//! let (header, used) = parse(buf).unwrap().unwrap();
//! assert_eq!(header.source.unwrap().to_string(), "192.0.2.1:56324");
//! assert_eq!(&buf[used..], b"EHLO x\r\n");
//! ```

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// The twelve octets that start a version 2 header.
const V2_SIGNATURE: [u8; 12] = *b"\r\n\r\n\0\r\nQUIT\n";
/// The longest version 1 line, CRLF included (the specification's figure).
pub const V1_MAX_OCTETS: usize = 107;
/// The longest version 2 header this parser takes: the fixed 16 octets plus
/// up to 1024 octets of addresses and TLVs (TLVs are skipped, not read).
/// A larger header is refused, so a receive buffer of this size suffices.
pub const V2_MAX_OCTETS: usize = 16 + 1024;

/// An IP network (`address/prefix`), for the lists of trusted proxies.
/// IPv4-mapped IPv6 addresses (`::ffff:192.0.2.1`) count as IPv4.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Network {
    addr: IpAddr,
    prefix: u8,
}

impl Network {
    /// `addr/prefix`; `None` when the prefix is longer than the address.
    pub fn new(addr: IpAddr, prefix: u8) -> Option<Self> {
        let addr = canonical(addr);
        let max = if addr.is_ipv4() { 32 } else { 128 };
        (prefix <= max).then_some(Self { addr, prefix })
    }

    /// One address (a /32 or /128).
    pub fn host(addr: IpAddr) -> Self {
        let addr = canonical(addr);
        let prefix = if addr.is_ipv4() { 32 } else { 128 };
        Self { addr, prefix }
    }

    /// Whether `ip` lies inside.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl std::str::FromStr for Network {
    type Err = ProxyError;

    /// `192.0.2.0/24`, `2001:db8::/32`, or a bare address.
    fn from_str(s: &str) -> Result<Self, ProxyError> {
        match s.split_once('/') {
            None => Ok(Self::host(s.parse().map_err(|_| ProxyError)?)),
            Some((a, p)) => Self::new(
                a.parse().map_err(|_| ProxyError)?,
                p.parse().map_err(|_| ProxyError)?,
            )
            .ok_or(ProxyError),
        }
    }
}

/// Whether `ip` lies inside any of `nets`.
pub fn trusted(nets: &[Network], ip: IpAddr) -> bool {
    nets.iter().any(|n| n.contains(ip))
}

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

/// What the proxy said about the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProxyHeader {
    /// 1 or 2.
    pub version: u8,
    /// The client's address; `None` for `UNKNOWN` (v1), `LOCAL` or an
    /// unspecified or UNIX family (v2): the connection's own addresses then
    /// stand.
    pub source: Option<SocketAddr>,
    /// The address the client connected to, when given.
    pub destination: Option<SocketAddr>,
}

/// The connection does not start with a valid PROXY header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid PROXY protocol header")]
pub struct ProxyError;

/// Reads a PROXY header (v1 or v2) from the start of `buf`.
pub fn parse(buf: &[u8]) -> Result<Option<(ProxyHeader, usize)>, ProxyError> {
    let sig_len = buf.len().min(V2_SIGNATURE.len());
    if buf.get(..sig_len) == V2_SIGNATURE.get(..sig_len) && !buf.is_empty() {
        // A prefix of the v2 signature ("\r\n" alone fits nothing else).
        return v2(buf);
    }
    let v1_len = buf.len().min(6);
    if buf.get(..v1_len) == b"PROXY ".get(..v1_len) {
        return v1(buf);
    }
    Err(ProxyError)
}

fn v1(buf: &[u8]) -> Result<Option<(ProxyHeader, usize)>, ProxyError> {
    let window = buf.get(..buf.len().min(V1_MAX_OCTETS)).unwrap_or(buf);
    let Some(lf) = memchr::memchr(b'\n', window) else {
        return if buf.len() >= V1_MAX_OCTETS {
            Err(ProxyError)
        } else {
            Ok(None)
        };
    };
    let line = window.get(..lf).ok_or(ProxyError)?;
    let line = line.strip_suffix(b"\r").ok_or(ProxyError)?;
    let text = std::str::from_utf8(line).map_err(|_| ProxyError)?;
    let mut words = text.split(' ');
    if words.next() != Some("PROXY") {
        return Err(ProxyError);
    }
    let family = words.next().ok_or(ProxyError)?;
    let header = match family {
        // UNKNOWN may carry anything after it; the receiver ignores it.
        "UNKNOWN" => ProxyHeader {
            version: 1,
            source: None,
            destination: None,
        },
        "TCP4" | "TCP6" => {
            let mut field = || words.next().ok_or(ProxyError);
            let (src, dst, sport, dport) = (field()?, field()?, field()?, field()?);
            if words.next().is_some() {
                return Err(ProxyError);
            }
            let ip = |s: &str| -> Result<IpAddr, ProxyError> {
                let ip = if family == "TCP4" {
                    IpAddr::V4(s.parse::<Ipv4Addr>().map_err(|_| ProxyError)?)
                } else {
                    IpAddr::V6(s.parse::<Ipv6Addr>().map_err(|_| ProxyError)?)
                };
                Ok(ip)
            };
            ProxyHeader {
                version: 1,
                source: Some(SocketAddr::new(ip(src)?, port(sport)?)),
                destination: Some(SocketAddr::new(ip(dst)?, port(dport)?)),
            }
        }
        _ => return Err(ProxyError),
    };
    Ok(Some((header, lf + 1)))
}

/// A v1 port: decimal, no sign, no leading zero (the specification's form).
fn port(s: &str) -> Result<u16, ProxyError> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0'))
    {
        return Err(ProxyError);
    }
    s.parse().map_err(|_| ProxyError)
}

fn v2(buf: &[u8]) -> Result<Option<(ProxyHeader, usize)>, ProxyError> {
    let Some(fixed) = buf.get(..16) else {
        return Ok(None);
    };
    let [.., ver_cmd, family, hi, lo] = *fixed else {
        return Err(ProxyError);
    };
    let len = usize::from(u16::from_be_bytes([hi, lo]));
    let total = 16 + len;
    if total > V2_MAX_OCTETS || ver_cmd >> 4 != 2 {
        return Err(ProxyError);
    }
    let Some(body) = buf.get(16..total) else {
        return Ok(None);
    };
    let local = match ver_cmd & 0x0f {
        0 => true,
        1 => false,
        _ => return Err(ProxyError),
    };
    let mut header = ProxyHeader {
        version: 2,
        source: None,
        destination: None,
    };
    // The transport (low nibble) may be STREAM or DGRAM; either way the
    // addresses mean the same. LOCAL: the proxy's own connection (health
    // checks); the addresses, if any, are ignored.
    if !local {
        match family >> 4 {
            1 => {
                let a: [u8; 12] = body
                    .get(..12)
                    .and_then(|b| b.try_into().ok())
                    .ok_or(ProxyError)?;
                let [s0, s1, s2, s3, d0, d1, d2, d3, sp0, sp1, dp0, dp1] = a;
                header.source = Some(SocketAddr::new(
                    IpAddr::V4(Ipv4Addr::new(s0, s1, s2, s3)),
                    u16::from_be_bytes([sp0, sp1]),
                ));
                header.destination = Some(SocketAddr::new(
                    IpAddr::V4(Ipv4Addr::new(d0, d1, d2, d3)),
                    u16::from_be_bytes([dp0, dp1]),
                ));
            }
            2 => {
                let a: [u8; 36] = body
                    .get(..36)
                    .and_then(|b| b.try_into().ok())
                    .ok_or(ProxyError)?;
                let octets16 = |at: usize| -> Result<[u8; 16], ProxyError> {
                    a.get(at..at + 16)
                        .and_then(|b| b.try_into().ok())
                        .ok_or(ProxyError)
                };
                let port = |at: usize| -> Result<u16, ProxyError> {
                    let p: [u8; 2] = a
                        .get(at..at + 2)
                        .and_then(|b| b.try_into().ok())
                        .ok_or(ProxyError)?;
                    Ok(u16::from_be_bytes(p))
                };
                header.source = Some(SocketAddr::new(
                    IpAddr::V6(Ipv6Addr::from(octets16(0)?)),
                    port(32)?,
                ));
                header.destination = Some(SocketAddr::new(
                    IpAddr::V6(Ipv6Addr::from(octets16(16)?)),
                    port(34)?,
                ));
            }
            // AF_UNSPEC and AF_UNIX: no IP addresses to report.
            0 | 3 => {}
            _ => return Err(ProxyError),
        }
    }
    Ok(Some((header, total)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v2_tcp4() -> Vec<u8> {
        let mut h = V2_SIGNATURE.to_vec();
        h.extend_from_slice(&[0x21, 0x11, 0, 12 + 7]);
        h.extend_from_slice(&[192, 0, 2, 1, 198, 51, 100, 2, 0xdc, 0x04, 0, 25]);
        // One TLV (PP2_TYPE_AUTHORITY, "a.b"), skipped.
        h.extend_from_slice(&[0x02, 0, 4, b'a', b'.', b'b', b'c']);
        h
    }

    #[test]
    fn networks() {
        let n: Network = "192.0.2.0/24".parse().unwrap();
        assert!(n.contains("192.0.2.77".parse().unwrap()));
        assert!(n.contains("::ffff:192.0.2.1".parse().unwrap()));
        assert!(!n.contains("192.0.3.1".parse().unwrap()));
        assert!(!n.contains("2001:db8::1".parse().unwrap()));
        let all: Network = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains("203.0.113.9".parse().unwrap()));
        let v6: Network = "2001:db8::/32".parse().unwrap();
        assert!(v6.contains("2001:db8:ffff::1".parse().unwrap()));
        assert!(!v6.contains("2001:db9::1".parse().unwrap()));
        let one: Network = "::1".parse().unwrap();
        assert!(one.contains("::1".parse().unwrap()) && !one.contains("::2".parse().unwrap()));
        assert!("192.0.2.0/33".parse::<Network>().is_err());
        assert!("nonsense/8".parse::<Network>().is_err());
    }

    #[test]
    fn v1_tcp4_tcp6_unknown() {
        let (h, n) = parse(b"PROXY TCP4 192.0.2.1 198.51.100.2 56324 25\r\nX")
            .unwrap()
            .unwrap();
        assert_eq!(n, 44);
        assert_eq!(h.source, Some("192.0.2.1:56324".parse().unwrap()));
        assert_eq!(h.destination, Some("198.51.100.2:25".parse().unwrap()));
        let (h, _) = parse(b"PROXY TCP6 2001:db8::1 2001:db8::2 1 2\r\n")
            .unwrap()
            .unwrap();
        assert_eq!(h.source, Some("[2001:db8::1]:1".parse().unwrap()));
        let (h, n) = parse(b"PROXY UNKNOWN ffff::1 whatever\r\n")
            .unwrap()
            .unwrap();
        assert_eq!((h.source, n), (None, 32));
    }

    #[test]
    fn v1_rejects() {
        for bad in [
            &b"PROXY TCP4 192.0.2.1 198.51.100.2 56324\r\n"[..],
            b"PROXY TCP4 2001:db8::1 198.51.100.2 1 2\r\n",
            b"PROXY TCP4 192.0.2.1 198.51.100.2 056324 25\r\n",
            b"PROXY TCP4 192.0.2.1 198.51.100.2 65536 25\r\n",
            b"PROXY TCP4 192.0.2.1 198.51.100.2 1 25 extra\r\n",
            b"PROXY TCP4 192.0.2.1  198.51.100.2 1 25\r\n",
            b"PROXY UDP4 192.0.2.1 198.51.100.2 1 25\r\n",
            b"PROXY TCP4 192.0.2.1 198.51.100.2 1 25\n",
            b"EHLO client.example\r\n",
            b"proxy TCP4 192.0.2.1 198.51.100.2 1 25\r\n",
        ] {
            assert_eq!(
                parse(bad),
                Err(ProxyError),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        let long = [b"PROXY UNKNOWN ".as_slice(), &[b'x'; 120]].concat();
        assert_eq!(parse(&long), Err(ProxyError));
    }

    #[test]
    fn v2_tcp4_with_tlv_and_local() {
        let mut h = v2_tcp4();
        let len = h.len();
        h.extend_from_slice(b"EHLO");
        let (hd, n) = parse(&h).unwrap().unwrap();
        assert_eq!(n, len);
        assert_eq!(hd.version, 2);
        assert_eq!(hd.source, Some("192.0.2.1:56324".parse().unwrap()));
        assert_eq!(hd.destination, Some("198.51.100.2:25".parse().unwrap()));

        let mut local = V2_SIGNATURE.to_vec();
        local.extend_from_slice(&[0x20, 0x00, 0, 0]);
        assert_eq!(parse(&local).unwrap().unwrap().0.source, None);
    }

    #[test]
    fn v2_tcp6_and_rejects() {
        let mut h = V2_SIGNATURE.to_vec();
        h.extend_from_slice(&[0x21, 0x21, 0, 36]);
        h.extend_from_slice(&Ipv6Addr::LOCALHOST.octets());
        h.extend_from_slice(&Ipv6Addr::UNSPECIFIED.octets());
        h.extend_from_slice(&[0, 80, 0, 25]);
        let (hd, _) = parse(&h).unwrap().unwrap();
        assert_eq!(hd.source, Some("[::1]:80".parse().unwrap()));

        let mut bad_version = v2_tcp4();
        bad_version[12] = 0x11;
        assert_eq!(parse(&bad_version), Err(ProxyError));
        let mut bad_cmd = v2_tcp4();
        bad_cmd[12] = 0x22;
        assert_eq!(parse(&bad_cmd), Err(ProxyError));
        let mut short = v2_tcp4();
        short[15] = 4; // claims 4 octets: too few for two IPv4 addresses
        assert_eq!(parse(&short), Err(ProxyError));
        let mut huge = v2_tcp4();
        huge[14] = 0xff;
        assert_eq!(parse(&huge), Err(ProxyError));
    }

    #[test]
    fn every_split_waits_then_parses() {
        for whole in [
            v2_tcp4(),
            b"PROXY TCP4 192.0.2.1 198.51.100.2 56324 25\r\n".to_vec(),
        ] {
            for cut in 0..whole.len() {
                let part = &whole[..cut];
                if part.is_empty() {
                    continue;
                }
                assert_eq!(parse(part), Ok(None), "cut at {cut}");
            }
            assert!(parse(&whole).unwrap().is_some());
        }
    }
}
