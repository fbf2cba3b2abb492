//! `ssoenv logout`: end the SSO session on the server and remove its cached
//! token and role credentials. Shells drop the credentials at their next
//! prompt, because the hook watches the credential cache files.

use std::io::Write;
use std::process::ExitCode;

use super::Run;
use crate::cli::Logout;
use crate::error::Result;
use crate::signin::{self, PortalLogout};

impl Run for Logout {
    fn run(&self) -> Result<ExitCode> {
        let (session, target) = super::login::sign_in_target(&self.source)?;
        let which = session.label();
        let signed_out = signin::logout(&session, target.as_ref())?;
        let mut stderr = std::io::stderr();
        if let PortalLogout::Failed(err) = &signed_out.portal {
            // Local cleanup went ahead: the token and credentials are gone from this machine.
            writeln!(
                stderr,
                "ssoenv: the SSO portal did not confirm the sign-out ({err}); removed the local token and credentials anyway"
            )?;
        }
        let nothing = matches!(signed_out.portal, PortalLogout::NoToken)
            && !signed_out.token_removed
            && signed_out.credentials_removed == 0;
        if nothing {
            writeln!(
                stderr,
                "ssoenv: not signed in to SSO session {which}; nothing to remove"
            )?;
        } else {
            let count = signed_out.credentials_removed;
            writeln!(
                stderr,
                "ssoenv: signed out of SSO session {which}: removed {} and {count} cached role credential{}",
                if signed_out.token_removed {
                    "the token"
                } else {
                    "no token"
                },
                if count == 1 { "" } else { "s" }
            )?;
        }
        Ok(ExitCode::SUCCESS)
    }
}
