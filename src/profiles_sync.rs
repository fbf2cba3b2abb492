//! What `ssoenv profiles sync` changes in the AWS config file: one
//! `[profile …]` section per account and role the SSO session reaches, one
//! `[sso-session …]` section they share, and nothing else.
//!
//! Ownership is written into the file: every section a sync writes starts
//! with the comment [`MARKER`]` (sso-session NAME)`. A later sync rewrites
//! only sections that carry the marker of its own session, and in them only
//! [`OWNED_KEYS`]; a key the user added stays, and a section without the
//! marker (hand-written, or written by `aws configure sso`) is never touched,
//! even when it has the name a sync would give. The comment survives
//! `aws configure set`, which edits values in place.
//!
//! This module only plans: the text in, the new text and a report out. The
//! command reads the file, lists the accounts and writes the result.

use std::collections::{HashMap, HashSet};

use crate::aws_ini::{self, Edit, ParseError, Section};
use crate::config::{SsoSession, SyncedRole, is_profile_name_char};
use crate::portal_list::Account;

/// How a synced section begins (after `# `); ` (sso-session NAME)` follows.
pub const MARKER: &str = "ssoenv: managed by 'ssoenv profiles sync'";

/// The keys a sync owns in its profile sections.
pub const OWNED_KEYS: [&str; 5] = [
    "sso_session",
    "sso_account_id",
    "sso_role_name",
    "region",
    "credential_process",
];

/// The keys a sync owns in an `[sso-session]` section it created.
const SESSION_KEYS: [&str; 3] = ["sso_start_url", "sso_region", "sso_registration_scopes"];

/// The default `--name`.
pub const DEFAULT_NAME_TEMPLATE: &str = "{account_name}/{role_name}";

/// How profiles get their credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// `sso_session`, `sso_account_id`, `sso_role_name`: the AWS tools' own
    /// SSO support, with the token ssoenv and the AWS CLI share.
    Sso,
    /// `credential_process = PROGRAM credential-process …`: every tool goes
    /// through ssoenv's credential cache and renewal.
    CredentialProcess {
        /// ssoenv's absolute path, as it is (quoted when written).
        program: String,
    },
}

/// `--name`: a profile name with `{account_name}`, `{account_id}`,
/// `{role_name}` and `{session}` in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameTemplate {
    text: String,
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    AccountName,
    AccountId,
    RoleName,
    Session,
}

impl NameTemplate {
    pub fn parse(text: &str) -> Result<NameTemplate, String> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                parts.push(Part::Literal(literal(&rest[..open])?));
            }
            let after = &rest[open + 1..];
            let close = after.find('}').ok_or_else(|| {
                format!("--name {text:?} has a '{{' without a '}}' — write placeholders as {{role_name}}")
            })?;
            parts.push(match &after[..close] {
                "account_name" => Part::AccountName,
                "account_id" => Part::AccountId,
                "role_name" => Part::RoleName,
                "session" => Part::Session,
                other => {
                    return Err(format!(
                        "--name {text:?} has an unknown placeholder {{{other}}} — use {{account_name}}, {{account_id}}, {{role_name}} or {{session}}"
                    ));
                }
            });
            rest = &after[close + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Literal(literal(rest)?));
        }
        if !parts.contains(&Part::RoleName) {
            return Err(format!(
                "--name {text:?} has no {{role_name}}, so the roles of one account would share a name — add it"
            ));
        }
        Ok(NameTemplate {
            text: text.to_owned(),
            parts,
        })
    }

    fn render(&self, account_name: &str, account_id: &str, role: &str, session: &str) -> String {
        let mut name = String::new();
        for part in &self.parts {
            match part {
                Part::Literal(text) => name.push_str(text),
                Part::AccountName => name.push_str(&name_part(account_name, account_id)),
                Part::AccountId => name.push_str(account_id),
                Part::RoleName => name.push_str(&name_part(role, "role")),
                Part::Session => name.push_str(&name_part(session, "session")),
            }
        }
        name
    }

    fn has(&self, wanted: &Part) -> bool {
        self.parts.contains(wanted)
    }
}

fn literal(text: &str) -> Result<String, String> {
    match text.chars().find(|c| !is_profile_name_char(*c)) {
        None => Ok(text.to_owned()),
        Some(bad) => Err(format!(
            "--name cannot contain {bad:?}: profile names keep to letters, digits and -_./@+=, so that shells and the AWS tools take them as they are"
        )),
    }
}

/// `value` made safe for a profile name: each run of other characters
/// becomes one `-` between the kept ones, and none at either end ("Prod
/// (EU)" → "Prod-EU"); a value of safe characters only (every IAM role
/// name) stays as it is. `fallback` when nothing is left.
fn name_part(value: &str, fallback: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut replaced = false;
    for character in value.chars() {
        if !is_profile_name_char(character) {
            replaced = true;
            continue;
        }
        if replaced && !out.is_empty() && !out.ends_with('-') && character != '-' {
            out.push('-');
        }
        replaced = false;
        out.push(character);
    }
    if out.is_empty() {
        fallback.to_owned()
    } else {
        out
    }
}

/// What to sync.
pub struct Request<'r> {
    pub session: &'r SsoSession,
    /// Every account the session reaches (from `list`'s listing).
    pub accounts: &'r [Account],
    /// The `region` every profile gets.
    pub region: &'r str,
    pub mode: &'r Mode,
    pub names: &'r NameTemplate,
    /// Remove this session's synced profiles whose account or role is gone.
    pub prune: bool,
    /// With `prune`, remove them even when they hold keys of the user's.
    pub force: bool,
}

/// The new text and what it changes.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub new_text: String,
    /// The `[sso-session]` the profiles name.
    pub session_name: String,
    pub session_section: SessionSection,
    /// Profile names, in file order for the first two.
    pub added: Vec<String>,
    pub updated: Vec<String>,
    pub unchanged: usize,
    pub skipped: Vec<Skipped>,
    /// Synced profiles of this session whose account or role is gone.
    pub stale: Vec<String>,
    /// The stale profiles that `--prune` removes.
    pub removed: Vec<String>,
    /// The stale profiles `--prune` keeps, because the user added keys to
    /// them (without `--force`).
    pub kept_own: Vec<KeptOwn>,
}

/// A stale profile kept for the keys the user added to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptOwn {
    pub profile: String,
    /// Its keys that are not [`OWNED_KEYS`], in file order.
    pub own_keys: Vec<String>,
}

/// What happens to the `[sso-session]` section.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SessionSection {
    /// The user's own section, used as it is.
    #[default]
    Reused,
    Added,
    /// A synced one: rewritten, or left as it was.
    Kept,
    /// A synced one that no profile needs any more (after `--prune`).
    Removed,
    /// None, and none needed: no profile to write.
    NotNeeded,
}

/// An account and role left out because its profile name is taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub profile: String,
    pub account_id: String,
    pub role_name: String,
    /// The session whose sync wrote the section; `None` when no sync did.
    pub synced_by: Option<String>,
}

/// Why nothing can be planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanError {
    /// The file cannot be read (or edited) as the AWS tools read it.
    File(ParseError),
    /// A one-line message about the request (names, sessions).
    Request(String),
}

impl From<ParseError> for PlanError {
    fn from(error: ParseError) -> Self {
        PlanError::File(error)
    }
}

/// One account and role and the profile it becomes.
struct Wanted<'r> {
    profile: String,
    account: &'r Account,
    role: &'r str,
}

pub fn plan(text: &str, request: &Request) -> Result<Plan, PlanError> {
    let sections = aws_ini::sections(text)?;
    let by_name: HashMap<&str, &Section> = sections
        .iter()
        .map(|section| (section.name.as_str(), section))
        .collect();
    let session_name = session_name(request.session, &sections, &by_name)?;
    let marker = marker_for(&session_name);
    let wanted = wanted_profiles(request, &session_name)?;

    let mut plan = Plan {
        session_name: session_name.clone(),
        ..Plan::default()
    };
    let mut profile_keys: Vec<Vec<(&str, String)>> = Vec::with_capacity(wanted.len());
    let mut to_write: Vec<(String, usize)> = Vec::new();
    for (index, entry) in wanted.iter().enumerate() {
        let keys = profile_keys_for(entry, request, &session_name);
        let section_name = format!("profile {}", entry.profile);
        match by_name.get(section_name.as_str()) {
            Some(existing) if synced_by(existing) != Some(&session_name) => {
                plan.skipped.push(Skipped {
                    profile: entry.profile.clone(),
                    account_id: entry.account.account_id.clone(),
                    role_name: entry.role.to_owned(),
                    synced_by: synced_by(existing).map(str::to_owned),
                });
            }
            Some(existing) => {
                if reads_as(existing, &marker, &keys, &drop_for(&keys)) {
                    plan.unchanged += 1;
                } else {
                    plan.updated.push(entry.profile.clone());
                    to_write.push((section_name, index));
                }
            }
            None => {
                plan.added.push(entry.profile.clone());
                to_write.push((section_name, index));
            }
        }
        profile_keys.push(keys);
    }

    let wanted_sections: HashSet<String> = wanted
        .iter()
        .map(|entry| format!("profile {}", entry.profile))
        .collect();
    let mut removals = Vec::new();
    for section in &sections {
        let Some(profile) = section.name.strip_prefix("profile ") else {
            continue;
        };
        if synced_by(section) == Some(&session_name) && !wanted_sections.contains(&section.name) {
            plan.stale.push(profile.to_owned());
            if !request.prune {
                continue;
            }
            // A key the user added makes the section partly theirs: a
            // prune that removed it would lose their setting unasked.
            let own_keys: Vec<String> = section
                .options
                .iter()
                .map(|(key, _)| key)
                .filter(|key| !OWNED_KEYS.contains(&key.as_str()))
                .cloned()
                .collect();
            if own_keys.is_empty() || request.force {
                plan.removed.push(profile.to_owned());
                removals.push(section.name.as_str());
            } else {
                plan.kept_own.push(KeptOwn {
                    profile: profile.to_owned(),
                    own_keys,
                });
            }
        }
    }

    let session_section_name = format!("sso-session {session_name}");
    let synced_profiles_left =
        plan.added.len() + plan.updated.len() + plan.unchanged + plan.stale.len()
            - plan.removed.len();
    let session_keys = session_keys(request.session);
    let mut edits: Vec<Edit> = removals.iter().map(|name| Edit::Remove { name }).collect();
    match by_name.get(session_section_name.as_str()) {
        Some(existing) if synced_by(existing) != Some(&session_name) => {
            plan.session_section = SessionSection::Reused;
        }
        Some(_) if synced_profiles_left == 0 => {
            plan.session_section = SessionSection::Removed;
            edits.push(Edit::Remove {
                name: &session_section_name,
            });
        }
        Some(_) => plan.session_section = SessionSection::Kept,
        None if synced_profiles_left == 0 => plan.session_section = SessionSection::NotNeeded,
        None => plan.session_section = SessionSection::Added,
    }
    let session_pairs = as_pairs(&session_keys);
    let session_drop = SESSION_KEYS
        .iter()
        .copied()
        .filter(|key| !session_keys.iter().any(|(name, _)| name == key))
        .collect::<Vec<_>>();
    let session_is_current = by_name
        .get(session_section_name.as_str())
        .is_some_and(|existing| reads_as(existing, &marker, &session_keys, &session_drop));
    if matches!(
        plan.session_section,
        SessionSection::Added | SessionSection::Kept
    ) && !session_is_current
    {
        edits.push(Edit::Upsert {
            name: &session_section_name,
            keys: &session_pairs,
            drop: &session_drop,
            comment: &marker,
        });
    }

    let pairs: Vec<Vec<(&str, &str)>> = profile_keys.iter().map(|keys| as_pairs(keys)).collect();
    let drops: Vec<Vec<&str>> = profile_keys.iter().map(|keys| drop_for(keys)).collect();
    for (section_name, index) in &to_write {
        edits.push(Edit::Upsert {
            name: section_name,
            keys: &pairs[*index],
            drop: &drops[*index],
            comment: &marker,
        });
    }
    plan.new_text = if edits.is_empty() {
        text.to_owned()
    } else {
        aws_ini::apply(text, &edits)?
    };
    Ok(plan)
}

fn marker_for(session_name: &str) -> String {
    format!("{MARKER} (sso-session {session_name})")
}

/// The session whose sync wrote `section`, from its marker comment.
fn synced_by(section: &Section) -> Option<&str> {
    section
        .ssoenv_comment
        .as_deref()?
        .strip_prefix(MARKER)?
        .strip_prefix(" (sso-session ")?
        .strip_suffix(')')
}

/// Whether `section` already carries `marker`, `keys` and none of `drop`.
fn reads_as(section: &Section, marker: &str, keys: &[(&str, String)], drop: &[&str]) -> bool {
    section.ssoenv_comment.as_deref() == Some(marker)
        && keys
            .iter()
            .all(|(key, value)| section.get(key) == Some(value.as_str()))
        && drop.iter().all(|key| section.get(key).is_none())
}

fn as_pairs<'k>(keys: &'k [(&'k str, String)]) -> Vec<(&'k str, &'k str)> {
    keys.iter()
        .map(|(key, value)| (*key, value.as_str()))
        .collect()
}

/// The owned keys a profile must not have: those of the other mode.
fn drop_for<'k>(keys: &[(&'k str, String)]) -> Vec<&'k str> {
    OWNED_KEYS
        .iter()
        .copied()
        .filter(|owned| !keys.iter().any(|(key, _)| key == owned))
        .collect()
}

/// The name of the `[sso-session]` section the profiles use: the session's
/// own name; for a session without one (start URL and region given
/// directly), a section of the file with the same start URL and region, or
/// else a new name from the portal's host (`d-1234567890`).
fn session_name(
    session: &SsoSession,
    sections: &[Section],
    by_name: &HashMap<&str, &Section>,
) -> Result<String, PlanError> {
    let same_portal = |section: &Section| {
        section.get("sso_start_url") == Some(session.start_url.as_str())
            && section.get("sso_region") == Some(session.region.as_str())
    };
    if let Some(name) = &session.name {
        if let Some(existing) = by_name.get(format!("sso-session {name}").as_str())
            && !same_portal(existing)
        {
            return Err(PlanError::Request(format!(
                "line {}: [sso-session {name}] is for {} in {}, not for {} in {} — fix that section, or pass --sso-session with the right name",
                existing.line,
                existing.get("sso_start_url").unwrap_or("no start URL"),
                existing.get("sso_region").unwrap_or("no region"),
                session.start_url,
                session.region
            )));
        }
        return Ok(name.clone());
    }
    if let Some(existing) = sections
        .iter()
        .find(|section| section.name.starts_with("sso-session ") && same_portal(section))
    {
        return Ok(existing.name["sso-session ".len()..].to_owned());
    }
    let host = session.portal_host();
    let base = name_part(host.split('.').next().unwrap_or(host), "sso");
    let mut name = base.clone();
    let mut suffix = 2;
    while by_name.contains_key(format!("sso-session {name}").as_str()) {
        name = format!("{base}-{suffix}");
        suffix += 1;
    }
    Ok(name)
}

fn session_keys(session: &SsoSession) -> Vec<(&'static str, String)> {
    let mut keys = vec![
        ("sso_start_url", session.start_url.clone()),
        ("sso_region", session.region.clone()),
    ];
    if !session.scopes.is_empty() {
        keys.push(("sso_registration_scopes", session.scopes.join(", ")));
    }
    keys
}

fn profile_keys_for(
    entry: &Wanted,
    request: &Request,
    session_name: &str,
) -> Vec<(&'static str, String)> {
    let region = ("region", request.region.to_owned());
    match request.mode {
        Mode::Sso => vec![
            ("sso_session", session_name.to_owned()),
            ("sso_account_id", entry.account.account_id.clone()),
            ("sso_role_name", entry.role.to_owned()),
            region,
        ],
        Mode::CredentialProcess { program } => vec![
            (
                "credential_process",
                SyncedRole {
                    session: session_name.to_owned(),
                    account_id: entry.account.account_id.clone(),
                    role_name: entry.role.to_owned(),
                }
                .credential_process(program),
            ),
            region,
        ],
    }
}

/// Every account and role with its profile name; names made unique by
/// adding the account id where two accounts share a name.
fn wanted_profiles<'r>(
    request: &Request<'r>,
    session_name: &str,
) -> Result<Vec<Wanted<'r>>, PlanError> {
    let names = request.names;
    let render = |account: &Account, role: &str, account_name: &str| {
        names.render(account_name, &account.account_id, role, session_name)
    };
    let mut wanted: Vec<Wanted> = request
        .accounts
        .iter()
        .flat_map(|account| {
            account.roles.iter().map(move |role| Wanted {
                profile: render(account, role, &account.name),
                account,
                role,
            })
        })
        .collect();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for entry in &wanted {
        *seen.entry(entry.profile.as_str()).or_default() += 1;
    }
    let shared: HashSet<String> = seen
        .into_iter()
        .filter(|(_, count)| *count > 1)
        .map(|(name, _)| name.to_owned())
        .collect();
    for entry in &mut wanted {
        if shared.contains(&entry.profile) {
            entry.profile = if names.has(&Part::AccountName) {
                let account_name = format!("{}-{}", entry.account.name, entry.account.account_id);
                render(entry.account, entry.role, &account_name)
            } else if names.has(&Part::AccountId) {
                entry.profile.clone()
            } else {
                format!("{}-{}", entry.profile, entry.account.account_id)
            };
        }
    }
    let mut seen: HashMap<&str, &Wanted> = HashMap::new();
    for entry in &wanted {
        if let Some(first) = seen.insert(entry.profile.as_str(), entry) {
            return Err(PlanError::Request(format!(
                "--name {:?} gives {}/{} and {}/{} the same profile name {:?} — put {{account_id}} in it",
                names.text,
                first.account.account_id,
                first.role,
                entry.account.account_id,
                entry.role,
                entry.profile
            )));
        }
    }
    Ok(wanted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> SsoSession {
        SsoSession {
            name: Some("corp".into()),
            start_url: "https://d-1234567890.awsapps.com/start".into(),
            region: "eu-west-1".into(),
            scopes: vec!["sso:account:access".into()],
        }
    }

    fn account(id: &str, name: &str, roles: &[&str]) -> Account {
        Account {
            account_id: id.into(),
            name: name.into(),
            email: format!("{id}@example.com"),
            roles: roles.iter().map(|role| (*role).to_owned()).collect(),
        }
    }

    fn sync(text: &str, accounts: &[Account], prune: bool) -> Plan {
        sync_with(text, accounts, prune, &Mode::Sso, DEFAULT_NAME_TEMPLATE)
    }

    fn sync_with(
        text: &str,
        accounts: &[Account],
        prune: bool,
        mode: &Mode,
        template: &str,
    ) -> Plan {
        let session = session();
        let names = NameTemplate::parse(template).expect("template");
        plan(
            text,
            &Request {
                session: &session,
                accounts,
                region: "eu-central-1",
                mode,
                names: &names,
                prune,
                force: false,
            },
        )
        .expect("plan")
    }

    const USER_FILE: &str = "[default]\r\nregion = us-east-1\r\n\r\n; my own\r\n[profile mine]\r\nregion = eu-west-2\r\n";

    #[test]
    fn a_first_sync_appends_the_session_and_one_profile_per_role() {
        let accounts = [account("111111111111", "Prod (EU)", &["Admin", "ReadOnly"])];
        let plan = sync(USER_FILE, &accounts, false);
        assert_eq!(plan.added, ["Prod-EU/Admin", "Prod-EU/ReadOnly"]);
        assert_eq!(plan.session_section, SessionSection::Added);
        let marker = "# ssoenv: managed by 'ssoenv profiles sync' (sso-session corp)";
        assert_eq!(
            plan.new_text,
            format!(
                "{USER_FILE}\r\n[sso-session corp]\r\n{marker}\r\n\
                 sso_start_url = https://d-1234567890.awsapps.com/start\r\nsso_region = eu-west-1\r\n\
                 sso_registration_scopes = sso:account:access\r\n\r\n\
                 [profile Prod-EU/Admin]\r\n{marker}\r\nsso_session = corp\r\n\
                 sso_account_id = 111111111111\r\nsso_role_name = Admin\r\nregion = eu-central-1\r\n\r\n\
                 [profile Prod-EU/ReadOnly]\r\n{marker}\r\nsso_session = corp\r\n\
                 sso_account_id = 111111111111\r\nsso_role_name = ReadOnly\r\nregion = eu-central-1\r\n"
            )
        );
    }

    #[test]
    fn a_second_sync_changes_nothing() {
        let accounts = [account("111111111111", "Prod", &["Admin"])];
        let once = sync(USER_FILE, &accounts, false);
        let twice = sync(&once.new_text, &accounts, false);
        assert_eq!(twice.new_text, once.new_text);
        assert_eq!(twice.unchanged, 1);
        assert!(twice.added.is_empty() && twice.updated.is_empty());
        assert_eq!(twice.session_section, SessionSection::Kept);
    }

    #[test]
    fn the_users_own_session_section_is_reused_as_it_is() {
        let text = "[sso-session corp]\nsso_start_url = https://d-1234567890.awsapps.com/start\nsso_region = eu-west-1\n";
        let plan = sync(text, &[account("111111111111", "Prod", &["Admin"])], false);
        assert_eq!(plan.session_section, SessionSection::Reused);
        assert!(plan.new_text.starts_with(text));
        assert_eq!(plan.new_text.matches("[sso-session").count(), 1);
    }

    #[test]
    fn a_session_section_for_another_portal_is_an_error() {
        let text = "[sso-session corp]\nsso_start_url = https://other.awsapps.com/start\nsso_region = eu-west-1\n";
        let session = session();
        let names = NameTemplate::parse(DEFAULT_NAME_TEMPLATE).unwrap();
        let result = plan(
            text,
            &Request {
                session: &session,
                accounts: &[],
                region: "eu-west-1",
                mode: &Mode::Sso,
                names: &names,
                prune: false,
                force: false,
            },
        );
        let Err(PlanError::Request(message)) = result else {
            panic!("expected an error, got {result:?}");
        };
        assert!(
            message
                .starts_with("line 1: [sso-session corp] is for https://other.awsapps.com/start"),
            "{message}"
        );
    }

    #[test]
    fn hand_written_profiles_with_the_same_name_are_skipped_and_kept() {
        let text = "[profile Prod/Admin]\nsso_account_id = 999999999999\n";
        let plan = sync(
            text,
            &[account("111111111111", "Prod", &["Admin", "Dev"])],
            false,
        );
        assert_eq!(
            plan.skipped,
            [Skipped {
                profile: "Prod/Admin".into(),
                account_id: "111111111111".into(),
                role_name: "Admin".into(),
                synced_by: None,
            }]
        );
        assert_eq!(plan.added, ["Prod/Dev"]);
        assert!(plan.new_text.starts_with(text));
    }

    #[test]
    fn a_key_the_user_added_to_a_synced_profile_stays() {
        let accounts = [account("111111111111", "Prod", &["Admin"])];
        let once = sync("", &accounts, false);
        let edited = once.new_text.replace(
            "sso_role_name = Admin\n",
            "sso_role_name = Admin\noutput = json\n",
        );
        let plan = sync(
            &edited,
            &[account("111111111111", "Prod", &["Admin"])],
            false,
        );
        assert_eq!(plan.new_text, edited, "nothing to change");
        let switched = sync_with(
            &edited,
            &accounts,
            false,
            &Mode::CredentialProcess {
                program: "/opt/my tools/ssoenv".into(),
            },
            DEFAULT_NAME_TEMPLATE,
        );
        assert_eq!(switched.updated, ["Prod/Admin"]);
        let profile = &aws_ini::sections(&switched.new_text).unwrap()[1];
        assert_eq!(
            profile.options,
            [
                ("output".to_owned(), "json".to_owned()),
                ("region".to_owned(), "eu-central-1".to_owned()),
                ("credential_process".to_owned(), "\"/opt/my tools/ssoenv\" credential-process --sso-session corp --account-id 111111111111 --role-name Admin".to_owned()),
            ],
            "the SSO keys go, so that the AWS tools use the process"
        );
    }

    #[test]
    fn vanished_roles_are_stale_until_pruned_and_then_the_file_is_as_before() {
        let accounts = [
            account("111111111111", "Prod", &["Admin"]),
            account("222222222222", "Dev", &["Admin"]),
        ];
        let synced = sync(USER_FILE, &accounts, false);
        let kept = sync(&synced.new_text, &accounts[..1], false);
        assert_eq!(kept.stale, ["Dev/Admin"]);
        assert!(kept.removed.is_empty());
        assert_eq!(kept.new_text, synced.new_text);
        let pruned = sync(&synced.new_text, &accounts[..1], true);
        assert_eq!(pruned.removed, ["Dev/Admin"]);
        assert!(!pruned.new_text.contains("Dev/Admin"));
        let all_gone = sync(&pruned.new_text, &[], true);
        assert_eq!(all_gone.session_section, SessionSection::Removed);
        assert_eq!(all_gone.new_text, USER_FILE);
    }

    #[test]
    fn another_sessions_profiles_are_neither_stale_nor_pruned() {
        let accounts = [account("111111111111", "Prod", &["Admin"])];
        let other = sync("", &accounts, false)
            .new_text
            .replace("sso-session corp", "sso-session other")
            .replace("sso_session = corp", "sso_session = other");
        let plan = sync(&other, &[], true);
        assert!(plan.stale.is_empty());
        assert_eq!(plan.new_text, other);
        let clash = sync(&other, &accounts, false);
        assert_eq!(clash.skipped[0].synced_by.as_deref(), Some("other"));
    }

    #[test]
    fn shared_account_names_get_the_account_id() {
        let accounts = [
            account("111111111111", "Sandbox", &["Admin"]),
            account("222222222222", "Sandbox", &["Admin"]),
            account("333333333333", "Prod", &["Admin"]),
        ];
        let plan = sync("", &accounts, false);
        assert_eq!(
            plan.added,
            [
                "Sandbox-111111111111/Admin",
                "Sandbox-222222222222/Admin",
                "Prod/Admin"
            ]
        );
    }

    #[test]
    fn templates_take_four_placeholders_and_refuse_the_rest() {
        let accounts = [account("111111111111", "Prod", &["Admin"])];
        let plan = sync_with(
            "",
            &accounts,
            false,
            &Mode::Sso,
            "{session}-{account_id}-{account_name}.{role_name}",
        );
        assert_eq!(plan.added, ["corp-111111111111-Prod.Admin"]);
        for (template, error) in [
            ("{acct}/{role_name}", "unknown placeholder {acct}"),
            ("{account_name}", "no {role_name}"),
            ("a b/{role_name}", "cannot contain ' '"),
            ("{role_name", "without a '}'"),
        ] {
            let message = NameTemplate::parse(template).unwrap_err();
            assert!(message.contains(error), "{template}: {message}");
        }
    }

    #[test]
    fn a_template_without_the_account_gets_the_id_where_names_meet() {
        let accounts = [
            account("111111111111", "A", &["Admin", "Dev"]),
            account("222222222222", "B", &["Admin"]),
        ];
        let plan = sync_with("", &accounts, false, &Mode::Sso, "{role_name}");
        assert_eq!(
            plan.added,
            ["Admin-111111111111", "Dev", "Admin-222222222222"]
        );
    }

    #[test]
    fn a_nameless_session_reuses_a_section_with_its_portal_or_gets_the_hosts_name() {
        let mut session = session();
        session.name = None;
        let names = NameTemplate::parse(DEFAULT_NAME_TEMPLATE).unwrap();
        let accounts = [account("111111111111", "Prod", &["Admin"])];
        let run = |text: &str| {
            plan(
                text,
                &Request {
                    session: &session,
                    accounts: &accounts,
                    region: "eu-west-1",
                    mode: &Mode::Sso,
                    names: &names,
                    prune: false,
                    force: false,
                },
            )
            .unwrap()
        };
        let existing = "[sso-session mine]\nsso_start_url = https://d-1234567890.awsapps.com/start\nsso_region = eu-west-1\n";
        assert_eq!(run(existing).session_name, "mine");
        let taken = "[sso-session d-1234567890]\nsso_start_url = https://x.awsapps.com/start\nsso_region = eu-west-1\n";
        assert_eq!(run(taken).session_name, "d-1234567890-2");
        assert_eq!(run("").session_name, "d-1234567890");
    }

    #[test]
    fn credential_process_lines_read_back() {
        let accounts = [account("111111111111", "Prod", &["Admin"])];
        let mode = Mode::CredentialProcess {
            program: "/opt/my tools/ssoenv".into(),
        };
        let plan = sync_with("", &accounts, false, &mode, DEFAULT_NAME_TEMPLATE);
        let sections = aws_ini::sections(&plan.new_text).unwrap();
        let line = sections[1].get("credential_process").unwrap();
        assert_eq!(
            SyncedRole::read(line),
            Some(SyncedRole {
                session: "corp".into(),
                account_id: "111111111111".into(),
                role_name: "Admin".into(),
            })
        );
    }

    #[test]
    fn names_keep_only_safe_characters() {
        assert_eq!(name_part("  Prod (EU) — main  ", "x"), "Prod-EU-main");
        assert_eq!(name_part("日本", "111"), "111");
        assert_eq!(name_part("a - b", "x"), "a-b");
        assert_eq!(name_part("-=", "x"), "-=", "role names stay as they are");
    }

    mod generated {
        use super::*;
        use crate::aws_ini::tests::generated::credentials_text;
        use proptest::prelude::*;

        fn accounts() -> impl Strategy<Value = Vec<Account>> {
            let account = (
                "[0-9]{12}",
                prop_oneof!["[A-Za-z0-9 ()_.-]{0,12}", "[^\r\n\0]{0,8}"],
                prop::collection::vec("[A-Za-z0-9+=,.@_-]{1,12}", 1..4),
            );
            prop::collection::vec(account, 0..6).prop_map(|accounts| {
                let mut seen = HashSet::new();
                accounts
                    .into_iter()
                    .filter(|(id, _, _)| seen.insert(id.clone()))
                    .map(|(id, name, mut roles)| {
                        roles.sort();
                        roles.dedup();
                        Account {
                            account_id: id,
                            name,
                            email: String::new(),
                            roles,
                        }
                    })
                    .collect()
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

            #[test]
            fn a_sync_then_a_pruning_sync_of_no_accounts_gives_back_the_file(
                text in credentials_text(),
                accounts in accounts(),
                credential_process in any::<bool>(),
            ) {
                prop_assume!(aws_ini::sections(&text).is_ok());
                let session = session();
                let names = NameTemplate::parse(DEFAULT_NAME_TEMPLATE).unwrap();
                let mode = if credential_process {
                    Mode::CredentialProcess { program: "/usr/bin/ssoenv".into() }
                } else {
                    Mode::Sso
                };
                let request = |accounts, prune| Request {
                    session: &session,
                    accounts,
                    region: "eu-west-1",
                    mode: &mode,
                    names: &names,
                    prune,
                    force: false,
                };
                let synced = plan(&text, &request(&accounts, false));
                prop_assert!(synced.is_ok(), "sync failed: {:?}", synced);
                let synced = synced.unwrap();
                let profiles: usize = accounts.iter().map(|account| account.roles.len()).sum();
                prop_assert_eq!(synced.added.len() + synced.skipped.len(), profiles);
                prop_assert!(synced.new_text.starts_with(&text), "the user's bytes come first, unchanged");
                let again = plan(&synced.new_text, &request(&accounts, false)).unwrap();
                prop_assert_eq!(&again.new_text, &synced.new_text, "a second sync changes nothing");
                let pruned = plan(&synced.new_text, &request(&[], true)).unwrap();
                prop_assert_eq!(pruned.new_text, text);
            }
        }
    }
}
