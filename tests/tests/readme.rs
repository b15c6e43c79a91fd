//! README.md's walkthrough, run as written: its shell blocks, in order, in one bash session
//! against a fresh embedded Keel (a local DNS server answers the names it needs), and every
//! `# → STATUS {sketch}` comment checked against the answer of the curl call before it: the
//! status, and each field the sketch names (a literal value must match; `"…"`, `[]`, `{}` only
//! need the field; `"prefix…"` needs the prefix).

#![allow(clippy::unwrap_used)]

use serde_json::Value;
use std::path::Path;

/// The walkthrough's shell, with a check after every `# →` comment group.
fn walkthrough(readme: &str) -> String {
    let start = readme
        .find("## A walkthrough with curl")
        .expect("README has a walkthrough");
    let rest = &readme[start + 3..];
    let end = rest.find("\n## ").map_or(rest.len(), |i| i);
    let section = &rest[..end];
    let mut script = String::new();
    let mut in_block = false;
    let mut sketch: Option<String> = None;
    let flush = |script: &mut String, sketch: &mut Option<String>| {
        if let Some(s) = sketch.take() {
            script.push_str(&format!("__check <<'__SKETCH__'\n{s}\n__SKETCH__\n"));
        }
    };
    for line in section.lines() {
        if line.starts_with("```") {
            flush(&mut script, &mut sketch);
            in_block = !in_block && line.trim() == "```sh";
            continue;
        }
        if !in_block {
            continue;
        }
        if let Some(s) = line.strip_prefix("# →") {
            flush(&mut script, &mut sketch);
            sketch = Some(s.trim().to_string());
            continue;
        }
        if let (Some(s), Some(rest)) = (sketch.as_mut(), line.strip_prefix("#  ")) {
            s.push(' ');
            s.push_str(rest.trim());
            continue;
        }
        flush(&mut script, &mut sketch);
        // Lines a reader fills in themselves: the runner sets them.
        if line.contains("# ← replace") {
            continue;
        }
        script.push_str(line);
        script.push('\n');
    }
    flush(&mut script, &mut sketch);
    script
}

/// Records every curl call's status and body, as the checks read them.
const PRELUDE: &str = r#"set -eo pipefail
curl() {
  local out
  out=$(command curl -sS -w '\n%{http_code}' "$@") || return $?
  printf '%s' "${out##*$'\n'}" > "$README_DIR/last.status"
  printf '%s' "${out%$'\n'*}" > "$README_DIR/last.body"
  printf '%s\n' "${out%$'\n'*}"
}
__n=0
__check() {
  __n=$((__n + 1))
  cat > "$README_DIR/check_$__n.sketch"
  cp "$README_DIR/last.status" "$README_DIR/check_$__n.status"
  cp "$README_DIR/last.body" "$README_DIR/check_$__n.body"
}
"#;

/// What a sketch says of one field.
#[derive(Debug)]
enum Expect {
    Present,
    Equal(Value),
    Prefix(String),
}

/// The fields a sketch names, with what it says of each.
fn fields(sketch: &str) -> Vec<(String, Expect)> {
    let chars: Vec<char> = sketch.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let string_at = |i: usize| -> Option<(String, usize)> {
        let mut j = i + 1;
        let mut s = String::new();
        while j < chars.len() {
            match chars[j] {
                '\\' if j + 1 < chars.len() => {
                    s.push(chars[j + 1]);
                    j += 2;
                }
                '"' => return Some((s, j + 1)),
                c => {
                    s.push(c);
                    j += 1;
                }
            }
        }
        None
    };
    while i < chars.len() {
        if chars[i] != '"' {
            i += 1;
            continue;
        }
        let Some((key, after)) = string_at(i) else {
            break;
        };
        let mut j = after;
        while j < chars.len() && chars[j] == ' ' {
            j += 1;
        }
        if j >= chars.len() || chars[j] != ':' {
            i = after;
            continue;
        }
        j += 1;
        while j < chars.len() && chars[j] == ' ' {
            j += 1;
        }
        let Some(&c) = chars.get(j) else { break };
        let (expect, next) = match c {
            '"' => {
                let (v, next) = string_at(j).unwrap();
                let e = match v.split_once('…') {
                    Some(("", _)) => Expect::Present,
                    Some((prefix, _)) => Expect::Prefix(prefix.to_string()),
                    None => Expect::Equal(Value::String(v)),
                };
                (e, next)
            }
            '[' | '{' | '…' => (Expect::Present, j + 1),
            _ => {
                let mut k = j;
                while k < chars.len() && !matches!(chars[k], ',' | '}' | ']' | ' ') {
                    k += 1;
                }
                let word: String = chars[j..k].iter().collect();
                let v: Value = serde_json::from_str(&word)
                    .unwrap_or_else(|_| panic!("`{word}` in the sketch `{sketch}`"));
                (Expect::Equal(v), k)
            }
        };
        out.push((key, expect));
        i = next;
    }
    out
}

/// Every (key, value) of a JSON answer, at any depth.
fn pairs<'a>(v: &'a Value, out: &mut Vec<(&'a str, &'a Value)>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                out.push((k, x));
                pairs(x, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| pairs(x, out)),
        _ => {}
    }
}

/// Why one check fails, if it does.
fn verify(sketch: &str, status: u16, body: &str) -> Result<(), String> {
    let (code, rest) = match sketch.split_once(' ') {
        Some((c, rest)) if c.parse::<u16>().is_ok() => (c.parse::<u16>().ok(), rest),
        _ if sketch.parse::<u16>().is_ok() => (sketch.parse().ok(), ""),
        _ => (None, sketch),
    };
    match code {
        Some(c) if c != status => return Err(format!("status {status}, the README says {c}")),
        None if !(200..300).contains(&status) => return Err(format!("status {status}")),
        _ => {}
    }
    let wanted = fields(rest);
    if wanted.is_empty() {
        return Ok(());
    }
    let answer: Value = serde_json::from_str(body).map_err(|e| format!("not JSON ({e})"))?;
    let mut all = Vec::new();
    pairs(&answer, &mut all);
    for (key, expect) in &wanted {
        let found = all.iter().any(|(k, v)| {
            *k == key
                && match expect {
                    Expect::Present => true,
                    Expect::Equal(want) => *v == want,
                    Expect::Prefix(p) => v.as_str().is_some_and(|s| s.starts_with(p.as_str())),
                }
        });
        if !found {
            return Err(format!("no `{key}` that is {expect:?}"));
        }
    }
    Ok(())
}

#[test]
fn sketches_name_fields_and_values() {
    let f = fields(
        r#"{"data": {"id": "…", "prefix": "keel_live_…", "n": 1, "ok": true, "xs": [], "x": null}}"#,
    );
    let names: Vec<&str> = f.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["data", "id", "prefix", "n", "ok", "xs", "x"]);
    assert!(verify(
        r#"201 {"data": {"id": "…", "prefix": "keel_live_…", "n": 1}}"#,
        201,
        r#"{"data": {"id": "a", "prefix": "keel_live_Zx", "n": 1}}"#
    )
    .is_ok());
    assert!(verify(r#"201 {"data": {"n": 2}}"#, 201, r#"{"data": {"n": 1}}"#).is_err());
    assert!(verify(r#"{"data": {}}"#, 404, r#"{"data": {}}"#).is_err());
    assert!(verify("403", 403, "").is_ok());
    assert!(verify(r#"{"p": "kt_…"}"#, 200, r#"{"p": "xx"}"#).is_err());
}

#[tokio::test]
async fn the_readme_walkthrough_runs_as_written() {
    // The names the walkthrough uses resolve here: a webhook URL must name a public address.
    let zones = keel_testkit::dns::DnsFixture::start(&["example.com", "xn--bcher-kva.de"])
        .await
        .unwrap();
    zones
        .set("hooks.example.com", "A", &["93.184.215.14"])
        .await
        .unwrap();
    zones
        .set("example.com", "MX", &["10 aspmx.l.google.com"])
        .await
        .unwrap();
    let app = keel_tests::spawn_app_with(keel_tests::Backend::Embedded, |c| {
        c.dns_servers = Some(zones.addr.to_string());
        c.scanner.enabled = true;
        c.scanner.dns_timeout_ms = 500;
        c.scanner.rdap_servers = Some("default=http://127.0.0.1:9/".into());
        c.webhooks.timeout_ms = 1_000;
    })
    .await;
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"))
            .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let script = format!("{PRELUDE}{}", walkthrough(&readme));
    let run = tokio::process::Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(dir.path())
        .env("KEEL", &app.base)
        .env("ADMIN", &app.admin)
        .env("README_DIR", dir.path())
        .output()
        .await
        .expect("bash runs");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        run.status.success(),
        "the walkthrough stopped ({}): {stderr}\n--- script ---\n{script}",
        run.status
    );
    let mut failures = Vec::new();
    let mut n = 0;
    loop {
        n += 1;
        let file = |ext: &str| dir.path().join(format!("check_{n}.{ext}"));
        let Ok(sketch) = std::fs::read_to_string(file("sketch")) else {
            break;
        };
        let status: u16 = std::fs::read_to_string(file("status"))
            .unwrap()
            .trim()
            .parse()
            .unwrap_or(0);
        let body = std::fs::read_to_string(file("body")).unwrap();
        if let Err(why) = verify(sketch.trim(), status, &body) {
            failures.push(format!(
                "# → {}\n  {why}\n  answer: {status} {body}",
                sketch.trim()
            ));
        }
    }
    assert!(n > 30, "only {} checks ran", n - 1);
    assert!(
        failures.is_empty(),
        "{} of {} README answers differ:\n{}",
        failures.len(),
        n - 1,
        failures.join("\n")
    );
    app.stop().await;
}
