//! `ssoenv-relay SOCKET`: the `credential_process` of the AWS config file
//! that `ssoenv exec --container` mounts into a container.
//!
//! It connects to the Unix socket ssoenv serves on the host for this one
//! container run (bind-mounted next to this program), copies what the host
//! sends to stdout — `credential_process` JSON, renewed on the host as
//! needed — and exits. The SDK in the container runs it again whenever its
//! credentials near their `Expiration`.
//!
//! The socket speaks one line, then a body: `ok` and the JSON, or `error`
//! and a message for the SDK to show. Nothing is sent to the host: holding
//! the socket is the grant, and it dies with the run (the host removes the
//! socket and stops listening).
//!
//! A static build of std only, so that it runs in any Linux image.

use std::ffi::OsString;
use std::io::{self, Read, Write};
use std::os::unix::net::UnixStream;
use std::process::ExitCode;
use std::time::Duration;

/// How long the host may take to answer: a renewal through IAM Identity
/// Center takes a second or two; the SDKs' own process timeout is longer.
const TIMEOUT: Duration = Duration::from_secs(60);

/// Far above a set of credentials; a bound on what a broken peer can send.
const MAX_ANSWER: u64 = 64 * 1024;

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let [socket] = args.as_slice() else {
        eprintln!(
            "ssoenv-relay: usage: ssoenv-relay SOCKET — it is the credential_process that \
             `ssoenv exec --container` configures, not a command to run by hand"
        );
        return ExitCode::from(2);
    };
    match fetch(socket) {
        Ok(json) => {
            let mut stdout = io::stdout().lock();
            if stdout
                .write_all(&json)
                .and_then(|()| stdout.flush())
                .is_err()
            {
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("ssoenv-relay: {message}");
            ExitCode::FAILURE
        }
    }
}

fn fetch(socket: &OsString) -> Result<Vec<u8>, String> {
    let shown = socket.to_string_lossy();
    let mut stream = UnixStream::connect(socket).map_err(|e| {
        format!(
            "cannot reach ssoenv's credential socket {shown} ({e}) — the `ssoenv exec --container` \
             run that granted it has ended; start the container again with ssoenv"
        )
    })?;
    let _ = stream.set_read_timeout(Some(TIMEOUT));
    let mut answer = Vec::new();
    (&mut stream)
        .take(MAX_ANSWER)
        .read_to_end(&mut answer)
        .map_err(|e| format!("no answer from ssoenv's credential socket {shown}: {e}"))?;
    let (status, body) = match answer.iter().position(|&b| b == b'\n') {
        Some(end) => (&answer[..end], &answer[end + 1..]),
        None => (&answer[..], &[][..]),
    };
    match status {
        b"ok" => Ok(body.to_vec()),
        b"error" => Err(String::from_utf8_lossy(body).trim_end().to_owned()),
        _ => Err(format!(
            "ssoenv's credential socket {shown} closed without an answer — the run may be \
             ending; if it is not, see the messages of `ssoenv exec` on the host"
        )),
    }
}
