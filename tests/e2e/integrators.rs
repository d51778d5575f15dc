//! The examples of `docs/integrators.md` run as documented: each ```sh block is either a list
//! of shell assignments or one `curl` command, and each `curl` block is followed by an ```http
//! block with the answer it must get (status line, headers, JSON members or lines of text).
//! The test reads the guide, substitutes the running system's addresses for `$INTAKE` and
//! `$CATALOGUE` and fresh tokens for `$(motcua token …)`, sends each request as curl would, and
//! checks the answer. The commands are parsed here, not run by a shell, so the guide keeps to a
//! strict subset of the shell (quotes, `$VAR`, `\` line continuations) and of curl (`-i`, `-s`,
//! `-S`, `-X`, `-H`, `-d`); anything else fails the test rather than being guessed at.

use motcua_config::ServiceName;
use motcua_e2e::{TestSystem, assert_declared};
use serde_json::Value;
use std::collections::HashMap;
use std::time::Duration;
use time::macros::datetime;

const GUIDE: &str = include_str!("../../docs/integrators.md");

/// Variables whose assignment in the guide is replaced by the running service's base URL.
const SERVICE_URLS: [(&str, ServiceName); 4] = [
    ("INTAKE", ServiceName::Intake),
    ("CATALOGUE", ServiceName::Catalogue),
    ("WORKFLOW", ServiceName::Workflow),
    ("REPORTING", ServiceName::Reporting),
];

/// A fenced block of the guide: its info string's first word, its text, its first line number.
struct Block {
    lang: String,
    text: String,
    line: usize,
}

fn blocks(markdown: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    for (i, line) in markdown.lines().enumerate() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(info)) => {
                let lang = info
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_string();
                open = Some(Block {
                    lang,
                    text: String::new(),
                    line: i + 2,
                });
            }
            (Some(_), Some(_)) => out.extend(open.take()),
            (Some(b), None) => {
                b.text.push_str(line);
                b.text.push('\n');
            }
            (None, None) => {}
        }
    }
    assert!(
        open.is_none(),
        "docs/integrators.md: a fenced block is not closed"
    );
    out
}

/// Splits a shell block into commands: newlines end a command unless quoted or escaped; `\` at
/// the end of a line continues it; `#` starts a comment at the start of a word.
fn commands(text: &str) -> Vec<String> {
    let (mut out, mut cur) = (Vec::new(), String::new());
    let (mut single, mut double) = (false, false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            '\\' if !single && chars.peek() == Some(&'\n') => {
                chars.next();
                continue;
            }
            '\\' if !single => {
                cur.push(c);
                cur.extend(chars.next());
                continue;
            }
            '#' if !single && !double && cur.chars().last().is_none_or(char::is_whitespace) => {
                while chars.peek().is_some_and(|c| *c != '\n') {
                    chars.next();
                }
                continue;
            }
            '\n' if !single && !double => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    assert!(!single && !double, "unbalanced quotes in: {text}");
    out.push(cur);
    out.into_iter().filter(|c| !c.trim().is_empty()).collect()
}

/// One shell word after expansion; `subst` is a trailing `$(…)`, kept as its own words.
#[derive(Debug, Default)]
struct Word {
    text: String,
    subst: Option<Vec<String>>,
}

fn expand(name: &str, env: &HashMap<String, String>) -> String {
    env.get(name)
        .cloned()
        .unwrap_or_else(|| panic!("${name} is used before it is set in the guide"))
}

/// Reads `$NAME` or `${NAME}` (the `$` already taken).
fn variable(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> String {
    let braced = chars.next_if_eq(&'{').is_some();
    let mut name = String::new();
    while let Some(c) = chars.next_if(|c| c.is_ascii_alphanumeric() || *c == '_') {
        name.push(c);
    }
    if braced {
        assert_eq!(chars.next(), Some('}'), "unclosed ${{{name}");
    }
    assert!(!name.is_empty(), "a lone $ in the guide");
    name
}

/// Splits one command into words, expanding variables from `env` (strict: no globs, pipes,
/// redirections or other shell syntax).
fn words(command: &str, env: &HashMap<String, String>) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::new();
    let mut cur: Option<Word> = None;
    let mut chars = command.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_whitespace() {
            out.extend(cur.take());
            continue;
        }
        let w = cur.get_or_insert_with(Word::default);
        assert!(w.subst.is_none(), "text after $(…) in: {command}");
        match c {
            '\'' => w.text.extend(chars.by_ref().take_while(|c| *c != '\'')),
            '"' => loop {
                match chars.next().expect("closed quote") {
                    '"' => break,
                    '\\' if chars.peek().is_some_and(|c| "\"\\$`".contains(*c)) => {
                        w.text.extend(chars.next())
                    }
                    '$' => w.text.push_str(&expand(&variable(&mut chars), env)),
                    '`' => panic!("backquotes in: {command}"),
                    c => w.text.push(c),
                }
            },
            '$' if chars.next_if_eq(&'(').is_some() => {
                let inner: String = chars.by_ref().take_while(|c| *c != ')').collect();
                w.subst = Some(words(&inner, env).into_iter().map(|w| w.text).collect());
            }
            '$' => w.text.push_str(&expand(&variable(&mut chars), env)),
            '\\' => w.text.extend(chars.next()),
            c if "|&;<>()`*?[]{}~!".contains(c) => {
                panic!("unquoted {c:?} in: {command} (quote it: the guide is for copy and paste)")
            }
            c => w.text.push(c),
        }
    }
    out.extend(cur);
    out
}

/// What `$(motcua token --role R [--agency A] [--sector S] [--id-number N] --sub S [--ttl T])` prints, minted
/// by the test system with the same claims.
fn token(sys: &TestSystem, args: &[String]) -> String {
    assert_eq!(
        args.get(..2),
        Some(&["motcua".to_string(), "token".to_string()][..]),
        "only $(motcua token …) is supported: {args:?}"
    );
    let mut opts: HashMap<&str, Vec<&str>> = HashMap::new();
    for pair in args[2..].chunks(2) {
        let [flag, value] = pair else {
            panic!("motcua token: a flag without value: {args:?}")
        };
        assert!(
            [
                "--role",
                "--agency",
                "--sector",
                "--sub",
                "--id-number",
                "--ttl"
            ]
            .contains(&flag.as_str()),
            "motcua token has no {flag}"
        );
        opts.entry(flag.as_str())
            .or_default()
            .extend(value.split(','));
    }
    let one = |k: &str| opts.get(k).and_then(|v| v.first().copied());
    let roles = opts
        .get("--role")
        .cloned()
        .expect("motcua token needs --role");
    let sub = one("--sub").expect("motcua token needs --sub");
    sys.platform
        .issuer
        .issue_identified(
            sub,
            &roles,
            one("--agency"),
            one("--sector"),
            one("--id-number"),
            3600,
        )
        .expect("token")
}

/// Runs an assignment block: `NAME=value` lines into `env`.
fn assign(sys: &TestSystem, text: &str, env: &mut HashMap<String, String>) {
    for command in commands(text) {
        let ws = words(&command, env);
        let [w] = &ws[..] else {
            panic!("not one assignment: {command}")
        };
        let (name, value) = w
            .text
            .split_once('=')
            .unwrap_or_else(|| panic!("not an assignment: {command}"));
        assert!(
            name.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                && !name.is_empty(),
            "bad variable name {name:?}"
        );
        let value = match (&w.subst, SERVICE_URLS.iter().find(|(n, _)| *n == name)) {
            (Some(args), _) => token(sys, args),
            (None, Some((_, service))) => sys.url(*service, ""),
            (None, None) => value.to_string(),
        };
        env.insert(name.to_string(), value);
    }
}

/// A `curl` command of the guide.
#[derive(Debug)]
struct Curl {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: Option<String>,
}

fn curl(text: &str, env: &HashMap<String, String>) -> Curl {
    let cmds = commands(text);
    let [command] = &cmds[..] else {
        panic!("one curl command per block: {text}")
    };
    let ws: Vec<String> = words(command, env).into_iter().map(|w| w.text).collect();
    assert_eq!(
        ws.first().map(String::as_str),
        Some("curl"),
        "not a curl command: {command}"
    );
    let (mut method, mut url, mut headers, mut body) = (None, None, Vec::new(), None);
    let mut args = ws[1..].iter();
    while let Some(a) = args.next() {
        let mut value = || {
            args.next()
                .cloned()
                .unwrap_or_else(|| panic!("{a} needs a value"))
        };
        match a.as_str() {
            "-i" | "-s" | "-S" | "-sS" | "-si" | "-isS" | "-sSi" => {}
            "-X" => method = Some(value()),
            "-H" => {
                let h = value();
                let (k, v) = h.split_once(':').unwrap_or_else(|| panic!("header {h:?}"));
                headers.push((k.trim().to_string(), v.trim().to_string()));
            }
            "-d" => body = Some(value()),
            flag if flag.starts_with('-') => {
                panic!("curl {flag} is outside the guide's subset (-i -s -S -X -H -d)")
            }
            u => assert!(
                url.replace(u.to_string()).is_none(),
                "two URLs in: {command}"
            ),
        }
    }
    let has =
        |name: &str, hs: &[(String, String)]| hs.iter().any(|(k, _)| k.eq_ignore_ascii_case(name));
    // What curl adds by itself.
    if !has("Accept", &headers) {
        headers.push(("Accept".into(), "*/*".into()));
    }
    if body.is_some() && !has("Content-Type", &headers) {
        headers.push((
            "Content-Type".into(),
            "application/x-www-form-urlencoded".into(),
        ));
    }
    let default = if body.is_some() { "POST" } else { "GET" };
    Curl {
        method: method.unwrap_or_else(|| default.to_string()),
        url: url.expect("curl without URL"),
        headers,
        body,
    }
}

/// The documented answer: status, headers (name, value prefix) and body.
struct Expected {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

fn expected(text: &str) -> Expected {
    let mut lines = text.lines();
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not a status line: {status_line:?}"));
    let mut headers = Vec::new();
    for line in lines.by_ref().take_while(|l| !l.trim().is_empty()) {
        let (k, v) = line
            .split_once(':')
            .unwrap_or_else(|| panic!("header {line:?}"));
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    Expected {
        status,
        headers,
        body: lines.collect::<Vec<_>>().join("\n"),
    }
}

/// `want` is contained in `got`: objects by member, arrays element by element in any order,
/// `"…"` any value.
fn contains(got: &Value, want: &Value) -> bool {
    match (got, want) {
        (_, Value::String(s)) if s == "…" => !got.is_null(),
        (Value::Object(g), Value::Object(w)) => w
            .iter()
            .all(|(k, v)| g.get(k).is_some_and(|x| contains(x, v))),
        (Value::Array(g), Value::Array(w)) => w.iter().all(|v| g.iter().any(|x| contains(x, v))),
        _ => got == want,
    }
}

/// What a request got, compared with what the guide says; `Err` says how they differ.
fn check(
    status: u16,
    headers: &reqwest::header::HeaderMap,
    body: &str,
    want: &Expected,
) -> Result<(), String> {
    if status != want.status {
        return Err(format!(
            "status {status}, documented {}: {body}",
            want.status
        ));
    }
    for (k, v) in &want.headers {
        let got = headers
            .get(k)
            .and_then(|h| h.to_str().ok())
            .unwrap_or_default();
        if !got.starts_with(v.as_str()) {
            return Err(format!("header {k}: {got:?}, documented {v:?}"));
        }
    }
    let trimmed = want.body.trim();
    if trimmed.starts_with('{') {
        let w: Value = serde_json::from_str(trimmed)
            .map_err(|e| format!("documented JSON does not parse: {e}"))?;
        let g: Value =
            serde_json::from_str(body).map_err(|e| format!("answer is not JSON ({e}): {body}"))?;
        assert_declared(status, &g);
        if !contains(&g, &w) {
            return Err(format!(
                "answer {g:#} does not contain the documented {w:#}"
            ));
        }
    } else if let Some(line) = trimmed
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !body.contains(l))
    {
        return Err(format!("answer lacks the documented line {line:?}: {body}"));
    }
    Ok(())
}

async fn send(sys: &TestSystem, c: &Curl) -> (u16, reqwest::header::HeaderMap, String) {
    let method = reqwest::Method::from_bytes(c.method.as_bytes()).expect("method");
    let mut req = sys.http.request(method, &c.url);
    for (k, v) in &c.headers {
        req = req.header(k, v);
    }
    if let Some(b) = &c.body {
        req = req.body(b.clone());
    }
    let res = req
        .send()
        .await
        .unwrap_or_else(|e| panic!("{} {}: {e}", c.method, c.url));
    let (status, headers) = (res.status().as_u16(), res.headers().clone());
    (status, headers, res.text().await.unwrap_or_default())
}

/// Sends a request and checks its answer. A GET that does not match yet is asked again for a
/// while (the dossier moves to `processing` moments after receipt); a POST is sent once.
async fn run(sys: &TestSystem, c: &Curl, want: &Expected, line: usize) {
    let give_up = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let (status, headers, body) = send(sys, c).await;
        match check(status, &headers, &body, want) {
            Ok(()) => return,
            Err(_) if c.method == "GET" && tokio::time::Instant::now() < give_up => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(why) => panic!(
                "docs/integrators.md line {line}: {} {}: {why}",
                c.method, c.url
            ),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_example_of_the_integrators_guide_answers_as_documented() {
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let mut env = HashMap::new();
    let mut requests = 0;
    let all = blocks(GUIDE);
    let mut it = all
        .iter()
        .filter(|b| b.lang == "sh" || b.lang == "http")
        .peekable();
    while let Some(b) = it.next() {
        assert_eq!(
            b.lang, "sh",
            "docs/integrators.md line {}: an answer without a command",
            b.line
        );
        if !b.text.trim_start().starts_with("curl") {
            assign(&sys, &b.text, &mut env);
            continue;
        }
        let answer = it.next_if(|n| n.lang == "http").unwrap_or_else(|| {
            panic!(
                "docs/integrators.md line {}: a curl command without its answer",
                b.line
            )
        });
        run(&sys, &curl(&b.text, &env), &expected(&answer.text), b.line).await;
        requests += 1;
    }
    assert!(
        requests >= 10,
        "the guide runs {requests} requests: did the block format change?"
    );
    sys.stop().await.unwrap();
}

#[test]
fn the_shell_subset_is_parsed_like_a_shell() {
    let env = HashMap::from([("A".to_string(), "x y".to_string())]);
    let c = commands("curl -X POST \"$A/p\" \\\n  -H 'K: v' # comment\n# only a comment\nB=2\n");
    assert_eq!(c.len(), 2);
    let w: Vec<String> = words(&c[0], &env).into_iter().map(|w| w.text).collect();
    assert_eq!(w, ["curl", "-X", "POST", "x y/p", "-H", "K: v"]);
    let body = commands("-d '{\"a\":\n 1}'");
    assert_eq!(words(&body[0], &env)[1].text, "{\"a\":\n 1}");
    let s = words("T=$(motcua token --role portal --sub p)", &env);
    assert_eq!(s[0].text, "T=");
    assert_eq!(s[0].subst.as_deref().map(<[String]>::len), Some(6));
    assert!(std::panic::catch_unwind(|| words("curl http://h/p?x=1", &HashMap::new())).is_err());
}
