//! Diagnostics for "why did my prompt do that?": `SSOENV_LOG=debug` (or
//! `trace`) writes what ssoenv decides and which requests it makes to stderr,
//! one `ssoenv[debug]: …` line each.
//!
//! Only names, paths, ids, times and outcomes are logged — never a credential,
//! token, client secret or code. Call sites pass closures, so nothing is
//! formatted unless logging is on; the idle-prompt hot path logs nothing.

use std::io::Write;
use std::sync::OnceLock;

/// How much to say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Off,
    Debug,
    Trace,
}

fn level() -> Level {
    static LEVEL: OnceLock<Level> = OnceLock::new();
    *LEVEL.get_or_init(|| match std::env::var("SSOENV_LOG").as_deref() {
        Ok("trace") => Level::Trace,
        Ok("debug" | "1" | "true") => Level::Debug,
        _ => Level::Off,
    })
}

fn write(tag: &str, message: String) {
    let _ = writeln!(
        std::io::stderr(),
        "ssoenv[{tag}]: {}",
        crate::ui::printable(&message)
    );
}

/// Decisions and requests.
pub fn debug(message: impl FnOnce() -> String) {
    if level() >= Level::Debug {
        write("debug", message());
    }
}

/// Finer detail: cache file contents' metadata, lock waits, timings.
pub fn trace(message: impl FnOnce() -> String) {
    if level() >= Level::Trace {
        write("trace", message());
    }
}
