//! `ssoenv`: the binary users and shell hooks call.
//!
//! It is deliberately small. Before every prompt the hook runs `ssoenv export
//! <shell>`; when nothing changed, [`hot_path::check`] answers after a few
//! `stat`s and this process exits (when a renewal ahead of time is due, after
//! starting it detached). When something changed but no AWS
//! request is needed — leaving a project, entering one with cached
//! credentials, an untrusted or broken `.awssso.toml` — the export runs here
//! too, with the cache as its only source ([`export::CacheOnly`]). The full
//! program — argument parser, AWS SDK, async runtime, TLS — lives in
//! `ssoenv-core`, installed next to this binary, which this process becomes
//! (exec, same pid, same arguments) for everything else.
//!
//! Why two binaries: the dynamic loader applies every relocation of a binary
//! at start-up, and the full program has tens of thousands of them (the AWS
//! SDK's tables). Keeping them out of the idle prompt makes its cost that of
//! exec'ing an empty program, while both binaries stay position-independent.

use std::process::{Command, ExitCode};

use ssoenv::cmd::export::{self, CacheOnly, hot_path};
use ssoenv::error::Error;

fn main() -> ExitCode {
    if let Some((target, moment)) = hot_path::export_call() {
        let started = std::time::SystemTime::now();
        match hot_path::check(moment) {
            hot_path::Check::Unchanged(state) => {
                return hot_path::unchanged(target, &state, started);
            }
            hot_path::Check::RenewAhead(state) => {
                return hot_path::renew_ahead(target, state, started);
            }
            hot_path::Check::Changed => {}
        }
        match export::export(target, moment, &CacheOnly) {
            Ok(Some(code)) => return code,
            Err(err) => return err.report(),
            // Credentials are due: ssoenv-core renews them and answers the prompt.
            Ok(None) => {}
        }
    }
    let core = match ssoenv::paths::core_exe() {
        Ok(core) => core,
        Err(err) => return err.report(),
    };
    let mut args = std::env::args_os();
    let arg0 = args.next().unwrap_or_else(|| "ssoenv".into());
    // Returns only on failure.
    let err = ssoenv::platform::hand_over(Command::new(&core).args(args), &arg0);
    Error::new(format!(
        "cannot run {} ({err}) — reinstall ssoenv, which installs both binaries",
        core.display()
    ))
    .report()
}
