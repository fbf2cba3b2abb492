use std::io::{self, Write};
use std::process::ExitCode;

use super::Run;
use crate::cli::Hook;
use crate::error::{Error, Result};
use crate::shell::shell_for;

impl Run for Hook {
    fn run(&self) -> Result<ExitCode> {
        // The snippet calls the binary by absolute path: the hook runs before every
        // prompt, where a PATH lookup would cost time and could find another copy.
        // Canonicalised because current_exe may report a path through `..` or a
        // relative argv[0] on some platforms; the rc file re-runs `hook` in every new
        // shell, so an upgrade that moves the real file is picked up there.
        // This runs in `ssoenv-core`; the hook must call the small `ssoenv`
        // next to it, which answers idle prompts by itself (see src/main.rs).
        let exe = std::env::current_exe()
            .map(|core| core.with_file_name("ssoenv"))
            .and_then(|path| path.canonicalize())
            .map_err(|err| {
                Error::new(format!("cannot find the path of the ssoenv binary: {err}"))
            })?;
        let exe = exe.to_str().ok_or_else(|| {
            Error::new(format!(
                "the path of the ssoenv binary is not UTF-8 ({}); install it under a UTF-8 path",
                exe.display()
            ))
        })?;
        let snippet = shell_for(self.shell).hook(exe);
        let mut stdout = io::stdout().lock();
        stdout.write_all(snippet.as_bytes())?;
        stdout.flush()?;
        Ok(ExitCode::SUCCESS)
    }
}
