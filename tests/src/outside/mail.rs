//! A local SMTP relay that keeps every message it is given (a mail sink): enough of RFC 5321
//! for a real client, and enough of MIME to read back a Vietnamese subject and body.

use base64::Engine;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// One message as the sink received it, decoded.
#[derive(Debug, Clone)]
pub struct Mail {
    /// `RCPT TO` addresses.
    pub to: Vec<String>,
    /// The decoded subject.
    pub subject: String,
    /// The decoded text body.
    pub body: String,
    /// The `Message-ID` header.
    pub message_id: String,
}

/// A running sink.
pub struct MailSink {
    /// `host:port` (`MOTCUA_SMTP_ADDR`).
    pub addr: String,
    mails: Arc<Mutex<Vec<Mail>>>,
}

impl MailSink {
    /// Starts the sink.
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let mails: Arc<Mutex<Vec<Mail>>> = Arc::default();
        let kept = mails.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let kept = kept.clone();
                tokio::spawn(async move {
                    let _ = session(stream, kept).await;
                });
            }
        });
        Self { addr, mails }
    }

    /// Every message received, in order.
    pub fn mails(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }
}

async fn session(
    stream: tokio::net::TcpStream,
    kept: Arc<Mutex<Vec<Mail>>>,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 sink ESMTP\r\n").await?;
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let verb = line.get(..4).unwrap_or_default().to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-sink\r\n250 8BITMIME\r\n",
            "HELO" | "MAIL" | "RSET" | "NOOP" => b"250 OK\r\n",
            "RCPT" => {
                let addr = line.trim().trim_start_matches(|c| c != '<');
                to.push(addr.trim_matches(|c| c == '<' || c == '>').to_string());
                b"250 OK\r\n"
            }
            "DATA" => {
                write.write_all(b"354 go on\r\n").await?;
                let mut raw = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await? == 0 || line == ".\r\n" {
                        break;
                    }
                    raw.push_str(
                        line.strip_prefix('.')
                            .filter(|_| line.starts_with(".."))
                            .unwrap_or(&line),
                    );
                }
                kept.lock()
                    .unwrap()
                    .push(parse(std::mem::take(&mut to), &raw));
                b"250 kept\r\n"
            }
            "QUIT" => {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            _ => b"502 not here\r\n",
        };
        write.write_all(reply).await?;
    }
}

fn parse(to: Vec<String>, raw: &str) -> Mail {
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((raw, ""));
    // Unfold continued header lines.
    let head = head.replace("\r\n ", " ").replace("\r\n\t", " ");
    let header = |name: &str| {
        head.lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
            })
            .unwrap_or_default()
    };
    let body = match header("Content-Transfer-Encoding")
        .to_ascii_lowercase()
        .as_str()
    {
        "base64" => {
            let joined: String = body.split_whitespace().collect();
            String::from_utf8_lossy(
                &base64::engine::general_purpose::STANDARD
                    .decode(joined)
                    .unwrap_or_default(),
            )
            .into_owned()
        }
        "quoted-printable" => quoted_printable(body),
        _ => body.to_string(),
    };
    Mail {
        to,
        subject: encoded_words(&header("Subject")),
        body: body.replace("\r\n", "\n"),
        message_id: header("Message-ID"),
    }
}

fn quoted_printable(s: &str) -> String {
    let s = s.replace("=\r\n", "");
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match (
            bytes[i],
            std::str::from_utf8(bytes.get(i + 1..i + 3).unwrap_or_default()),
        ) {
            (b'=', Ok(hex)) if u8::from_str_radix(hex, 16).is_ok() => {
                out.push(u8::from_str_radix(hex, 16).unwrap_or(b'?'));
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// RFC 2047 `=?utf-8?b?…?=` / `=?utf-8?q?…?=` words mixed with plain ones: the space between
/// two encoded words is not part of the text, every other space is.
fn encoded_words(s: &str) -> String {
    let mut out = String::new();
    let mut last_encoded = None;
    for word in s.split_whitespace() {
        let parts: Vec<&str> = word.split('?').collect();
        let decoded = match parts.as_slice() {
            ["=", _charset, enc, text, "="] if enc.eq_ignore_ascii_case("b") => Some(
                String::from_utf8_lossy(
                    &base64::engine::general_purpose::STANDARD
                        .decode(text)
                        .unwrap_or_default(),
                )
                .into_owned(),
            ),
            ["=", _charset, enc, text, "="] if enc.eq_ignore_ascii_case("q") => {
                Some(quoted_printable(&text.replace('_', " ")))
            }
            _ => None,
        };
        let encoded = decoded.is_some();
        if last_encoded.is_some() && !(encoded && last_encoded == Some(true)) {
            out.push(' ');
        }
        out.push_str(&decoded.unwrap_or_else(|| word.to_string()));
        last_encoded = Some(encoded);
    }
    out
}
