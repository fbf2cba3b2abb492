//! The profiles `ssoenv profiles sync --credential-process` writes into the
//! AWS config file, as the configuration reads them back: a profile whose
//! `credential_process` runs ssoenv names its session, account and role on
//! that line, so `--profile NAME` (and a `.awssso.toml` naming the profile)
//! can use the role directly instead of running ssoenv from ssoenv.
//!
//! The command that writes these profiles (`crate::profiles_sync`) sits
//! above the configuration; the format they share lives here, below both.

/// What a `--credential-process` profile stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncedRole {
    pub session: String,
    pub account_id: String,
    pub role_name: String,
}

impl SyncedRole {
    /// The `credential_process` line that runs `program` (ssoenv's
    /// absolute path, quoted when it needs to be) for this role.
    pub fn credential_process(&self, program: &str) -> String {
        [
            program,
            "credential-process",
            "--sso-session",
            &self.session,
            "--account-id",
            &self.account_id,
            "--role-name",
            &self.role_name,
        ]
        .map(command_word)
        .join(" ")
    }

    /// The role of a `credential_process` line that
    /// [`SyncedRole::credential_process`] wrote (any program path); `None`
    /// for any other line.
    pub fn read(line: &str) -> Option<SyncedRole> {
        let mut words = Vec::new();
        let mut rest = line.trim();
        while !rest.is_empty() {
            let (word, after) = match rest.strip_prefix('"') {
                Some(quoted) => quoted.split_once('"')?,
                None => rest.split_once(' ').unwrap_or((rest, "")),
            };
            words.push(word);
            rest = after.trim_start();
        }
        match words.as_slice() {
            [
                _program,
                "credential-process",
                "--sso-session",
                session,
                "--account-id",
                account_id,
                "--role-name",
                role_name,
            ] => Some(SyncedRole {
                session: (*session).to_owned(),
                account_id: (*account_id).to_owned(),
                role_name: (*role_name).to_owned(),
            }),
            _ => None,
        }
    }
}

/// Characters a profile name keeps as they are: safe in an INI header and
/// in a shell word without quotes (`AWS_PROFILE=Prod/Admin aws …`).
pub fn is_profile_name_char(character: char) -> bool {
    character.is_ascii_alphanumeric() || "-_./@+=,".contains(character)
}

/// One word of a `credential_process` command line, quoted when it needs
/// to be: botocore splits the line like a POSIX shell (and, on Windows, like
/// the C runtime), and a double-quoted word without `"` or a trailing `\`
/// reads the same both ways.
fn command_word(word: &str) -> String {
    if !word.is_empty() && word.chars().all(|c| is_profile_name_char(c) || c == ':') {
        word.to_owned()
    } else {
        format!("\"{word}\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn program_paths_are_quoted_when_they_need_to_be() {
        assert_eq!(command_word("/usr/bin/ssoenv"), "/usr/bin/ssoenv");
        assert_eq!(
            command_word("C:\\Program Files\\ssoenv.exe"),
            "\"C:\\Program Files\\ssoenv.exe\""
        );
    }

    #[test]
    fn a_line_reads_back_as_the_role_it_was_written_for() {
        let role = SyncedRole {
            session: "corp".into(),
            account_id: "111111111111".into(),
            role_name: "Admin".into(),
        };
        for program in [
            "/usr/bin/ssoenv",
            "/opt/my tools/ssoenv",
            "C:\\Program Files\\ssoenv.exe",
        ] {
            let line = role.credential_process(program);
            assert_eq!(SyncedRole::read(&line), Some(role.clone()), "{line}");
        }
        assert_eq!(SyncedRole::read("aws-vault exec prod --json"), None);
        assert_eq!(SyncedRole::read("\"/x credential-process"), None);
    }
}
