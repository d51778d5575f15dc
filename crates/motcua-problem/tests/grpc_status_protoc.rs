//! Our gRPC errors as a non-Rust client reads them: `protoc --decode=google.rpc.Status` (the
//! vendored protoc, with the googleapis protos shipped in `proto/google/rpc/`) on the raw
//! `grpc-status-details-bin` bytes, which is what grpc-go's `status.FromError` and grpcurl do.
//! No tonic-types on the reading side: if this passes, a Go or Python client sees our code.

use motcua_problem::{FieldError, Problem, codes};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// `protoc --decode=<message>` of `bytes`, with our googleapis protos and protobuf's own
/// (`google/protobuf/any.proto`, `duration.proto`) on the include path; its text output.
fn protoc_decode(message: &str, bytes: &[u8]) -> String {
    let protos = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../proto");
    let protoc = protoc_bin_vendored::protoc_bin_path().expect("vendored protoc");
    let include = protoc_bin_vendored::include_path().expect("vendored protobuf includes");
    let mut child = Command::new(protoc)
        .arg(format!("--decode={message}"))
        .arg(format!("-I{}", protos.display()))
        .arg(format!("-I{}", include.display()))
        .args(["google/rpc/status.proto", "google/rpc/error_details.proto"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run protoc");
    child
        .stdin
        .take()
        .expect("protoc stdin")
        .write_all(bytes)
        .expect("write to protoc");
    let out = child.wait_with_output().expect("protoc output");
    assert!(
        out.status.success(),
        "protoc failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("protoc prints UTF-8")
}

/// The `(type_url, value)` of each `details { ... }` entry in protoc's text output of a
/// `google.rpc.Status`: protoc prints an `Any` it does not expand with its bytes C-escaped.
fn details_of(status_text: &str) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut type_url = None;
    for line in status_text.lines().map(str::trim) {
        if let Some(t) = quoted(line, "type_url: ") {
            type_url = Some(String::from_utf8(unescape(t)).expect("a UTF-8 type URL"));
        } else if let Some(v) = quoted(line, "value: ") {
            out.push((type_url.take().expect("type_url before value"), unescape(v)));
        }
    }
    out
}

/// The C-escaped text between the quotes of `<prefix>"..."`.
fn quoted<'a>(line: &'a str, prefix: &str) -> Option<&'a str> {
    line.strip_prefix(prefix)?
        .strip_prefix('"')?
        .strip_suffix('"')
}

/// protoc's C escaping undone: `\n`, `\r`, `\t`, `\"`, `\'`, `\\`, three-digit octal.
fn unescape(text: &str) -> Vec<u8> {
    let (mut out, mut bytes) = (Vec::new(), text.bytes().peekable());
    while let Some(b) = bytes.next() {
        if b != b'\\' {
            out.push(b);
            continue;
        }
        let e = bytes.next().expect("an escape after a backslash");
        out.push(match e {
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'0'..=b'7' => {
                let mut v = u32::from(e - b'0');
                for _ in 0..2 {
                    match bytes.peek() {
                        Some(d @ b'0'..=b'7') => {
                            v = v * 8 + u32::from(d - b'0');
                            bytes.next();
                        }
                        _ => break,
                    }
                }
                u8::try_from(v).expect("an octal escape is one byte")
            }
            other => other,
        });
    }
    out
}

#[test]
fn a_go_client_reads_the_code_reason_and_field_violations_of_a_problem() {
    let problem = Problem::new(&codes::COMPONENTS_INVALID, "2 components are invalid")
        .with_errors(vec![
            FieldError::new("components", &codes::COMPONENT_MISSING, "missing GCS")
                .with("component_code", "GCS"),
        ])
        .with("procedure_code", "1.001193");
    let status: tonic::Status = problem.into();

    let text = protoc_decode("google.rpc.Status", status.details());

    // 3 = INVALID_ARGUMENT, the code of a 422.
    assert!(text.contains("code: 3\n"), "{text}");
    assert!(
        text.contains(r#"message: "components_invalid: 2 components are invalid""#),
        "{text}"
    );
    // protoc leaves the Any details packed: decode each one's value by its type, as
    // st.Details() does in Go.
    let details = details_of(&text);
    let urls: Vec<&str> = details.iter().map(|(u, _)| u.as_str()).collect();
    assert_eq!(
        urls,
        [
            "type.googleapis.com/google.rpc.ErrorInfo",
            "type.googleapis.com/google.rpc.BadRequest"
        ],
        "{text}"
    );
    let info = protoc_decode("google.rpc.ErrorInfo", &details[0].1);
    assert!(info.contains(r#"reason: "components_invalid""#), "{info}");
    assert!(info.contains(r#"domain: "motcua""#), "{info}");
    for pair in [
        ("status", "422"),
        ("procedure_code", "1.001193"),
        ("errors_0_component_code", "GCS"),
    ] {
        let entry = format!("key: \"{}\"\n  value: \"{}\"", pair.0, pair.1);
        assert!(info.contains(&entry), "{entry} not in {info}");
    }
    // The Vietnamese title arrives as UTF-8 (protoc prints its bytes octal-escaped).
    let title = info
        .split(r#"key: "title""#)
        .nth(1)
        .and_then(|rest| {
            rest.lines()
                .map(str::trim)
                .find_map(|l| quoted(l, "value: "))
        })
        .map(unescape);
    assert_eq!(
        title.as_deref(),
        Some(codes::COMPONENTS_INVALID.title.as_bytes()),
        "{info}"
    );
    let bad = protoc_decode("google.rpc.BadRequest", &details[1].1);
    assert!(bad.contains(r#"field: "components""#), "{bad}");
    assert!(bad.contains(r#"description: "missing GCS""#), "{bad}");
    assert!(bad.contains(r#"reason: "component_missing""#), "{bad}");
}
