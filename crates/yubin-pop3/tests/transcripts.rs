#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs,
    clippy::field_reassign_with_default
)]
//! Replays `tests/transcripts/{ok,err}/*.txt` against the server session.
//!
//! Format: `# comment`; `@key value` directives set up the scripted server
//! (see `common::config_from`); `@message uid` / `@line text` / `@end`
//! define the maildrop; `C: ` lines are client bytes and `S: ` lines the
//! exact server bytes (each line gets CRLF; `C:`/`S:` alone is an empty
//! line). Consecutive `C:` lines are sent together (pipelined), then the
//! server's output must equal the `S:` lines that follow, byte for byte.
//! `@timeout` advances the clock past the idle limit and calls `timeout`.
//! `@expect-update 1 2` pins the UPDATE event's list (`@expect-update none`:
//! no UPDATE at all); `@expect-closed reason` pins how the session ended.

mod common;

use std::path::Path;

use common::*;

enum Step {
    Input(Vec<u8>),
    Timeout,
}

fn run(path: &Path) {
    let text = std::fs::read_to_string(path).unwrap();
    let name = path.display().to_string();
    let mut directives = Vec::new();
    let mut messages: Vec<(String, Vec<u8>)> = Vec::new();
    let mut in_message = false;
    // (step, expected output after it); the first entry is the greeting.
    let mut script: Vec<(Option<Step>, Vec<u8>)> = vec![(None, Vec::new())];
    let mut expect_update: Option<Vec<Vec<u32>>> = None;
    let mut expect_closed: Option<String> = None;
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix('@') {
            let (k, v) = rest.split_once(' ').unwrap_or((rest, ""));
            match k {
                "message" => {
                    messages.push((v.to_owned(), Vec::new()));
                    in_message = true;
                }
                "line" => {
                    assert!(in_message, "{name}: @line outside @message");
                    let m = &mut messages.last_mut().unwrap().1;
                    m.extend_from_slice(v.as_bytes());
                    m.extend_from_slice(b"\r\n");
                }
                "end" => in_message = false,
                "timeout" => script.push((Some(Step::Timeout), Vec::new())),
                "expect-update" => {
                    let list = if v == "none" {
                        Vec::new()
                    } else {
                        vec![
                            v.split(' ')
                                .filter(|x| !x.is_empty())
                                .map(|x| x.parse().unwrap())
                                .collect(),
                        ]
                    };
                    expect_update = Some(list);
                }
                "expect-closed" => expect_closed = Some(v.to_owned()),
                _ => directives.push((k.to_owned(), v.to_owned())),
            }
            continue;
        }
        let (kind, content) = if let Some(c) = line.strip_prefix("C:") {
            ('C', c.strip_prefix(' ').unwrap_or(c))
        } else if let Some(s) = line.strip_prefix("S:") {
            ('S', s.strip_prefix(' ').unwrap_or(s))
        } else {
            panic!("{name}: bad line {line:?}");
        };
        let mut bytes = content.as_bytes().to_vec();
        bytes.extend_from_slice(b"\r\n");
        match kind {
            'C' => match script.last_mut() {
                Some((Some(Step::Input(input)), expected)) if expected.is_empty() => {
                    input.extend_from_slice(&bytes)
                }
                _ => script.push((Some(Step::Input(bytes)), Vec::new())),
            },
            _ => script.last_mut().unwrap().1.extend_from_slice(&bytes),
        }
    }
    let (config, ts, mut app) = config_from(&directives);
    app.messages = messages;
    let t = t0();
    let mut now = t;
    let mut s = session(config, ts, now);
    for (i, (step, expected)) in script.iter().enumerate() {
        let got = match step {
            None => {
                let mut out = Vec::new();
                app.drive(&mut s, &mut out);
                out
            }
            Some(Step::Input(bytes)) => exchange(&mut app, &mut s, now, bytes),
            Some(Step::Timeout) => {
                now += IDLE_PLUS;
                s.timeout(now);
                let mut out = Vec::new();
                app.drive(&mut s, &mut out);
                out
            }
        };
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(expected),
            "{name}: step {i}"
        );
    }
    if let Some(u) = expect_update {
        assert_eq!(app.updates, u, "{name}: update events");
    }
    if let Some(c) = expect_closed {
        let got: Vec<String> = app.closed.iter().map(|r| format!("{r:?}")).collect();
        assert_eq!(got.join(" "), c, "{name}: close reason");
    }
}

fn run_dir(dir: &str) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/transcripts")
        .join(dir);
    let mut paths: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    for p in &paths {
        run(p);
    }
    paths.len()
}

#[test]
fn transcripts_ok() {
    assert!(run_dir("ok") >= 10);
}

#[test]
fn transcripts_err() {
    assert!(run_dir("err") >= 5);
}
