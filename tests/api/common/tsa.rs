//! A real RFC 3161 time-stamping authority for the tests, on a loopback
//! port, answering with `openssl ts -reply` and the PKI of `pki.rs`; and a
//! bare HTTP POST to talk to it.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use super::pki::{TSA_POLICY, TestPki, openssl};
/// A real RFC 3161 time-stamping authority on 127.0.0.1: one thread
/// answering each POST of a DER TimeStampReq (Content-Type
/// application/timestamp-query, Content-Length) to `url` with what
/// `openssl ts -reply` makes of it, as application/timestamp-reply, one
/// request per connection, in turn. Its tokens are signed by the PKI's
/// TSA certificate (SHA-256, ESSCertIDv2), policy `TSA_POLICY`, accuracy
/// one second, the request's nonce; they carry the TSA's certificate and
/// the CA's when the request has certReq. A query openssl refuses (not
/// DER, or a digest other than SHA-256/384/512) gets a TimeStampResp of
/// status rejection, with a 200 as RFC 3161 has it; a 500 only when
/// openssl itself fails (its errors on standard error). A wrong method,
/// path or content type gets a 405, 404 or 415, no Content-Length a 411.
pub struct LocalTsa {
    /// `http://127.0.0.1:PORT/tsa`
    pub url: String,
    /// Requests answered, whatever the answer; counted before it is sent.
    pub requests: Arc<AtomicUsize>,
    address: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl LocalTsa {
    pub fn start(pki: &TestPki) -> LocalTsa {
        let dir = tempfile::tempdir().expect("a temporary directory for the TSA");
        for (from, to) in [
            (pki.tsa_cert_pem(), "tsa.pem"),
            (pki.tsa_key_pem(), "tsa.key"),
            (pki.ca_pem(), "ca.pem"),
        ] {
            std::fs::copy(&from, dir.path().join(to)).expect("copying the TSA's files");
        }
        let serial = dir.path().join("tsaserial");
        std::fs::write(&serial, "01\n").expect("writing the TSA's serial");
        std::fs::write(
            dir.path().join("tsa.cnf"),
            format!(
                "\
[tsa]
default_tsa = tsa_config1

[tsa_config1]
serial = {serial}
crypto_device = builtin
signer_digest = sha256
default_policy = {TSA_POLICY}
other_policies = {TSA_POLICY}
digests = sha256, sha384, sha512
accuracy = secs:1
clock_precision_digits = 0
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
",
                serial = serial.display()
            ),
        )
        .expect("writing tsa.cnf");

        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port for the TSA");
        let address = listener.local_addr().expect("the TSA's address");
        let requests = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (requests, stop) = (requests.clone(), stop.clone());
            std::thread::Builder::new()
                .name("local-tsa".to_owned())
                .spawn(move || {
                    for stream in listener.incoming() {
                        if stop.load(Ordering::SeqCst) {
                            break;
                        }
                        let Ok(stream) = stream else { continue };
                        if let Err(error) = answer(stream, dir.path(), &requests) {
                            eprintln!("local TSA: {error}");
                        }
                    }
                    // The listener and the directory go with the thread.
                    drop(dir);
                })
                .expect("the TSA's thread")
        };
        LocalTsa {
            url: format!("http://{address}/tsa"),
            requests,
            address,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for LocalTsa {
    /// Stops the thread (after the request it is answering) and closes the
    /// listener: the port refuses connections afterwards.
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the thread up from accept().
        let _ = TcpStream::connect_timeout(&self.address, Duration::from_secs(5));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Reads one HTTP/1.1 request and answers it, then closes the connection.
fn answer(stream: TcpStream, dir: &Path, requests: &AtomicUsize) -> io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.set_write_timeout(Some(Duration::from_secs(10)))?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);

    let mut request_line = Vec::new();
    if reader.read_until(b'\n', &mut request_line)? == 0 {
        return Ok(()); // connected and closed: Drop waking the thread up, or a probe
    }
    let request_line = String::from_utf8_lossy(&request_line);
    let mut parts = request_line.split_whitespace();
    let (method, target) = (
        parts.next().unwrap_or("").to_owned(),
        parts.next().unwrap_or("").to_owned(),
    );
    let (mut content_length, mut content_type, mut expect_continue) = (None, None, false);
    loop {
        let mut line = Vec::new();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "connection closed in the headers",
            ));
        }
        let line = String::from_utf8_lossy(&line);
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            break;
        }
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "content-length" => content_length = value.parse::<usize>().ok(),
            "content-type" => content_type = Some(value.to_owned()),
            "expect" => expect_continue = value.eq_ignore_ascii_case("100-continue"),
            _ => {}
        }
    }
    let media_type = content_type.as_deref().map(|value| {
        value
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    });

    let (status, reason, response_type, body): (u16, &str, &str, Vec<u8>) = if method != "POST" {
        (
            405,
            "Method Not Allowed",
            "text/plain",
            b"POST a TimeStampReq\n".to_vec(),
        )
    } else if target != "/tsa" {
        (
            404,
            "Not Found",
            "text/plain",
            b"the TSA is at /tsa\n".to_vec(),
        )
    } else if media_type.as_deref() != Some("application/timestamp-query") {
        (
            415,
            "Unsupported Media Type",
            "text/plain",
            format!("Content-Type must be application/timestamp-query, not {content_type:?}\n")
                .into_bytes(),
        )
    } else if let Some(length) = content_length {
        if expect_continue {
            writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        }
        let mut query = vec![0; length];
        reader.read_exact(&mut query)?;
        match time_stamp(dir, &query) {
            Ok(reply) => (200, "OK", "application/timestamp-reply", reply),
            Err(error) => {
                eprintln!("local TSA: openssl ts -reply failed:\n{error}");
                (
                    500,
                    "Internal Server Error",
                    "text/plain",
                    error.into_bytes(),
                )
            }
        }
    } else {
        (
            411,
            "Length Required",
            "text/plain",
            b"Content-Length required\n".to_vec(),
        )
    };

    requests.fetch_add(1, Ordering::SeqCst);
    writer.write_all(
        format!(
            "HTTP/1.1 {status} {reason}\r\nContent-Type: {response_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    )?;
    writer.write_all(&body)?;
    writer.flush()?;
    let _ = writer.shutdown(Shutdown::Both);
    Ok(())
}

/// `openssl ts -reply` on the query: the DER TimeStampResp, or openssl's
/// output when it fails.
fn time_stamp(dir: &Path, query: &[u8]) -> Result<Vec<u8>, String> {
    static QUERIES: AtomicUsize = AtomicUsize::new(0);
    let n = QUERIES.fetch_add(1, Ordering::Relaxed);
    let (query_file, reply_file) = (dir.join(format!("q{n}.tsq")), dir.join(format!("r{n}.tsr")));
    std::fs::write(&query_file, query).map_err(|error| format!("writing the query: {error}"))?;
    let (ok, output) = openssl([
        "ts".as_ref(),
        "-reply".as_ref(),
        "-config".as_ref(),
        dir.join("tsa.cnf").as_os_str(),
        "-queryfile".as_ref(),
        query_file.as_os_str(),
        "-inkey".as_ref(),
        dir.join("tsa.key").as_os_str(),
        "-signer".as_ref(),
        dir.join("tsa.pem").as_os_str(),
        "-chain".as_ref(),
        dir.join("ca.pem").as_os_str(),
        "-out".as_ref(),
        reply_file.as_os_str(),
    ]);
    if !ok {
        return Err(output);
    }
    std::fs::read(&reply_file).map_err(|error| format!("reading the reply: {error}\n{output}"))
}

/// A URL on 127.0.0.1 where nothing listens: a TSA that is down.
pub fn unreachable_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let port = listener.local_addr().expect("its address").port();
    drop(listener);
    format!("http://127.0.0.1:{port}/tsa")
}

/// POSTs `body` to an `http://HOST:PORT/PATH` URL (HTTP/1.1, Connection:
/// close); returns the status and the body of the response.
pub fn post(url: &str, content_type: &str, body: &[u8]) -> (u16, Vec<u8>) {
    let rest = url
        .strip_prefix("http://")
        .unwrap_or_else(|| panic!("an http:// URL, not {url}"));
    let (authority, path) = match rest.find('/') {
        Some(slash) => (&rest[..slash], &rest[slash..]),
        None => (rest, "/"),
    };
    let mut stream = TcpStream::connect(authority)
        .unwrap_or_else(|error| panic!("connecting to {url}: {error}"));
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("a read timeout");
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    stream.write_all(&request).expect("sending the request");
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .expect("reading the response");

    let end = response
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .expect("the end of the response's headers");
    let head = String::from_utf8_lossy(&response[..end]).into_owned();
    let mut body = response[end + 4..].to_vec();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|status| status.parse().ok())
        .unwrap_or_else(|| panic!("a status line, not {head:?}"));
    for line in head.lines().skip(1) {
        if let Some((name, value)) = line.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            let length: usize = value.trim().parse().expect("a Content-Length");
            assert!(
                body.len() >= length,
                "a response shorter than its Content-Length"
            );
            body.truncate(length);
        }
    }
    (status, body)
}
