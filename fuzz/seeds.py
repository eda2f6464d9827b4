#!/usr/bin/env python3
"""Writes the seed corpora in fuzz/corpus/<target>/ from the RFC transcript
tests (crates/*/tests/transcripts/) and a few hand-picked inputs.

Run from the repository root: python3 fuzz/seeds.py
The files are named by the SHA-1 of their content, as libFuzzer names its
own, so running it twice changes nothing. Commit what it writes.
"""
import hashlib
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"


def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    if not data:
        return
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)


def unescape(s):
    # Transcripts write CRLF inside a line as the two characters \r\n.
    return s.replace("\\r\\n", "\r\n")


def sides(path):
    """(client bytes, server bytes, client lines, server lines) of a transcript."""
    c, s, cl, sl = [], [], [], []
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if raw.startswith("C: ") or raw == "C:":
            line = unescape(raw[3:])
            c.append(line + "\r\n")
            cl.append(line)
        elif raw.startswith("S: ") or raw == "S:":
            line = unescape(raw[3:])
            s.append(line + "\r\n")
            sl.append(line)
    return "".join(c), "".join(s), cl, sl


def transcripts(crate):
    return sorted((ROOT / "crates" / crate / "tests" / "transcripts").rglob("*.txt"))


def replies(lines):
    """Groups SMTP reply lines into whole replies."""
    out, cur = [], []
    for l in lines:
        cur.append(l + "\r\n")
        if len(l) < 4 or l[3] != "-":
            out.append("".join(cur))
            cur = []
    return out


def main():
    for t in transcripts("yubin-smtp"):
        client, server, cl, sl = sides(t)
        # Session targets read a flag byte first; 0 keeps the defaults.
        put("smtp_server_session", b"\x00" + client.encode())
        put("smtp_client_session", b"\x00" + server.encode())
        for l in cl:
            put("smtp_command", l)
        for r in replies(sl):
            put("smtp_reply", r)
    for t in transcripts("yubin-pop3"):
        client, server, cl, sl = sides(t)
        put("pop3_server_session", b"\x00" + client.encode())
        put("pop3_client_session", b"\x00" + server.encode())
        for l in cl:
            put("pop3_command", l)
    for t in transcripts("yubin-imap"):
        client, server, cl, sl = sides(t)
        put("imap_server_session", b"\x00" + client.encode())
        put("imap_client_session", b"\x00" + server.encode())
        put("imap_framer", client)
        put("imap_framer", server)
        for l in cl:
            if re.match(r"^[A-Za-z0-9.]+ ", l):
                put("imap_command", l + "\r\n")
        for l in sl:
            put("imap_response", l + "\r\n")
    # yubin-wire and SASL: a few typical and edge inputs.
    for body in [
        "line one\r\n..stuffed\r\n.\r\n",
        "a\n.\nb\r.\rc\n.\r\nd\r\n.\n\r\n.\r\n",
        ".\r\n",
        "x" * 1200 + "\r\n",
    ]:
        put("wire_unstuff", b"\x00" + body.encode())
        put("wire_line", b"\x00" + body.encode())
    put("wire_proxy", "PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n")
    put("sasl_plain", b"\x00\x00user\x00secret")
    put("sasl_login", b"\x00dXNlcg==\nc2VjcmV0")
    put("sasl_cram_md5", b"\x00joe 3dbc88f0624776a737b39093f6eb6427")
    put("sasl_external", b"\x00joe")
    put("sasl_xoauth2", b"\x00user=joe@example.org\x01auth=Bearer abc\x01\x01")
    put("sasl_oauthbearer", b"\x00n,a=joe@example.org,\x01auth=Bearer abc\x01\x01")
    put("sasl_scram", b"\x00n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL\nc=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=\x00")


if __name__ == "__main__":
    main()
    for d in sorted(CORPUS.iterdir()):
        print(f"{d.name}: {sum(1 for _ in d.iterdir())} files")
