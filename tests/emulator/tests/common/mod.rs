//! Helpers shared by the emulator's integration tests.

#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::Duration;

/// An HTTP answer read off the socket, untouched by any client library, so
/// tests can check the wire itself (and play a browser that does not follow
/// redirects).
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|error| panic!("body is not JSON ({error}): {}", self.body))
    }
}

/// One HTTP/1.1 request on a fresh connection (`Connection: close`).
pub fn raw_request(
    base_url: &str,
    method: &str,
    path_and_query: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> RawResponse {
    let authority = base_url
        .strip_prefix("http://")
        .expect("emulator URLs are http://");
    let mut stream = TcpStream::connect(authority).expect("connect to the emulator");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("set timeout");
    let mut request =
        format!("{method} {path_and_query} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    stream.write_all(request.as_bytes()).expect("send request");
    let mut raw = String::new();
    stream.read_to_string(&mut raw).expect("read response");
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((raw.as_str(), ""));
    let mut lines = head.lines();
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status in response: {raw:?}"));
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
        .collect();
    RawResponse {
        status,
        headers,
        body: body.to_owned(),
    }
}

/// The query parameters of a URL, decoded.
pub fn query_params(url: &str) -> Vec<(String, String)> {
    let query = url.split_once('?').map_or("", |(_, query)| query);
    form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

pub fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// Seconds since the Unix epoch, now.
pub fn now_epoch_seconds() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64
}

/// The `sso-emulator` program running as a child process, with its stderr
/// (one line per request) collected in the background.
pub struct Program {
    child: std::process::Child,
    pub url: String,
    pub first_line: String,
    stdout: std::io::BufReader<std::process::ChildStdout>,
    stderr: Option<std::thread::JoinHandle<Vec<String>>>,
}

impl Program {
    /// Starts the program built by cargo for this crate and waits for its
    /// first stdout line.
    pub fn start(args: &[&str]) -> Program {
        use std::io::{BufRead as _, BufReader};
        use std::process::{Command, Stdio};
        let mut child = Command::new(env!("CARGO_BIN_EXE_sso-emulator"))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn sso-emulator");
        let stderr = child.stderr.take().expect("piped stderr");
        let stderr = std::thread::spawn(move || {
            BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
                .collect()
        });
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut first_line = String::new();
        stdout
            .read_line(&mut first_line)
            .expect("read the first stdout line");
        let first_line = first_line.trim_end_matches('\n').to_owned();
        let mut program = Program {
            child,
            url: String::new(),
            first_line,
            stdout,
            stderr: Some(stderr),
        };
        let Some(url) = program.first_line.strip_prefix("listening on ") else {
            let (status, stderr) = program.stop();
            panic!(
                "first line was {:?}; exit {status:?}; stderr:\n{}",
                program.first_line,
                stderr.join("\n")
            );
        };
        program.url = url.to_owned();
        program
    }

    /// Sends SIGTERM (to this child only) and returns its exit status and
    /// everything it wrote to stderr.
    pub fn stop(&mut self) -> (std::process::ExitStatus, Vec<String>) {
        let pid = self.child.id().to_string();
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status();
        let status = self.child.wait().expect("wait for sso-emulator");
        let stderr = self
            .stderr
            .take()
            .map(|reader| reader.join().expect("stderr reader"))
            .unwrap_or_default();
        (status, stderr)
    }

    /// Any further stdout (there should be none after the first line).
    pub fn rest_of_stdout(&mut self) -> String {
        use std::io::Read as _;
        let mut rest = String::new();
        let _ = self.stdout.read_to_string(&mut rest);
        rest
    }
}

impl Drop for Program {
    fn drop(&mut self) {
        if self.stderr.is_some() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
