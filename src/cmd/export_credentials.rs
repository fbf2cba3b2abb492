use std::io::Write;
use std::process::ExitCode;

use super::Run;
use crate::cli::{CredentialFormat, ExportCredentials};
use crate::credentials::Credentials;
use crate::engine;
use crate::error::Result;
use crate::timefmt;

impl Run for ExportCredentials {
    fn run(&self) -> Result<ExitCode> {
        let target = super::target_for(&self.source)?;
        let creds = engine::obtain(&target, target.refresh_before, engine::command_deadline())?;
        // The section name the portal gives: ACCOUNT_ROLE.
        let (account, role) = target.final_role();
        let label = format!("{account}_{role}");
        std::io::stdout().write_all(format(self.format, &creds, &label).as_bytes())?;
        Ok(ExitCode::SUCCESS)
    }
}

/// The AWS CLI's `configure export-credentials` output, same names and order.
/// Credential values are base64-ish, so `env` and `fish` leave them bare as
/// the AWS CLI does; anything unexpected is single-quoted all the same.
pub fn format(format: CredentialFormat, creds: &Credentials, label: &str) -> String {
    let expiration = timefmt::format_utc(creds.expiration);
    let vars = [
        ("AWS_ACCESS_KEY_ID", creds.access_key_id.as_str()),
        ("AWS_SECRET_ACCESS_KEY", creds.secret_access_key.as_str()),
        ("AWS_SESSION_TOKEN", creds.session_token.as_str()),
        ("AWS_CREDENTIAL_EXPIRATION", expiration.as_str()),
    ];
    let lines = |render: &dyn Fn(&str, &str) -> String| -> String {
        vars.iter()
            .map(|(name, value)| render(name, value) + "\n")
            .collect()
    };
    match format {
        CredentialFormat::Env => lines(&|n, v| format!("export {n}={}", posix_word(v))),
        CredentialFormat::EnvNoExport => lines(&|n, v| format!("{n}={}", posix_word(v))),
        CredentialFormat::Fish => lines(&|n, v| format!("set -gx {n} {}", fish_word(v))),
        CredentialFormat::Powershell => lines(&|n, v| format!("$Env:{n}=\"{}\"", powershell_dq(v))),
        CredentialFormat::Process => creds.process_json() + "\n",
        CredentialFormat::Ini => format!(
            "[{label}]\naws_access_key_id = {}\naws_secret_access_key = {}\naws_session_token = {}\n",
            creds.access_key_id, creds.secret_access_key, creds.session_token
        ),
    }
}

fn is_plain(value: &str) -> bool {
    !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+/=_-.:".contains(c))
}

fn posix_word(value: &str) -> String {
    if is_plain(value) {
        value.to_owned()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

fn fish_word(value: &str) -> String {
    if is_plain(value) {
        value.to_owned()
    } else {
        format!("'{}'", value.replace('\\', r"\\").replace('\'', r"\'"))
    }
}

/// Inside PowerShell double quotes, the backtick escapes, and `$` and `"` need it.
fn powershell_dq(value: &str) -> String {
    value.chars().fold(String::new(), |mut out, c| {
        if matches!(c, '`' | '$' | '"' | '\u{201C}' | '\u{201D}' | '\u{201E}') {
            out.push('`');
        }
        out.push(c);
        out
    })
}
