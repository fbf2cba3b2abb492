//! `.awssso.toml`, the user defaults and the AWS config file: every malformed
//! or contradictory config gives exactly the message a user should see, and
//! the valid ones resolve to the expected `Target`.
//!
//! Each test builds its own temporary home and passes the file locations
//! explicitly (`config::Env`), so the tests can run in parallel threads
//! without touching the process environment.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ssoenv::config::Selection;
use ssoenv::config::{
    self, CredentialsMode, DEFAULT_MIN_TTL, DEFAULT_REFRESH_BEFORE, Env, SsoSession, Target,
};

/// A temporary home with the three files in their usual places.
struct Home {
    dir: tempfile::TempDir,
    env: Env,
}

impl Home {
    fn new() -> Home {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().to_path_buf();
        let env = Env {
            home: Some(root.clone()),
            user_config: Some(root.join(".config/ssoenv/config.toml")),
            aws_config: Some(root.join(".aws/config")),
        };
        Home { dir, env }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    fn write(&self, relative: &str, text: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, text).unwrap();
        path
    }

    fn project(&self, text: &str) -> PathBuf {
        self.write("src/app/.awssso.toml", text)
    }

    fn defaults(&self, text: &str) {
        self.write(".config/ssoenv/config.toml", text);
    }

    fn aws(&self, text: &str) {
        self.write(".aws/config", text);
    }

    fn load(&self, text: &str) -> Result<Target, String> {
        let path = self.project(text);
        config::load_project_in(&path, &self.env).map_err(|err| err.message().to_owned())
    }
}

const INLINE: &str = r#"
sso_start_url = "https://d-1234567890.awsapps.com/start"
sso_region = "us-east-1"
sso_account_id = "123456789012"
sso_role_name = "AdministratorAccess"
"#;

const AWS_CONFIG: &str = "\
[sso-session corp]
sso_start_url = https://d-abc123.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access

[profile dev-admin]
sso_session = corp
sso_account_id = 012345678901
sso_role_name = AdministratorAccess
region = ap-northeast-1

[profile legacy]            # no session: token keyed by the start URL
sso_start_url = https://d-abc123.awsapps.com/start
sso_region = us-east-1
sso_account_id = 012345678901
sso_role_name = ReadOnly

[profile static]
aws_access_key_id = AKIDEXAMPLE
region = eu-west-1

[profile orphan]
sso_session = nowhere
sso_account_id = 012345678901
sso_role_name = ReadOnly

[profile mismatch]
sso_session = corp
sso_start_url = https://d-other.awsapps.com/start
sso_account_id = 012345678901
sso_role_name = ReadOnly

[profile norole]
sso_session = corp
sso_account_id = 012345678901

[profile legacy-noregion]
sso_start_url = https://d-abc123.awsapps.com/start
sso_account_id = 012345678901
sso_role_name = ReadOnly

[profile badacct]
sso_session = corp
sso_account_id = 1234
sso_role_name = ReadOnly

[profile garbled]
sso_session = corp
sso_account_id 012345678901
sso_role_name = ReadOnly

[sso-session halfway]
sso_start_url = https://d-abc123.awsapps.com/start

[profile uses-halfway]
sso_session = halfway
sso_account_id = 012345678901
sso_role_name = ReadOnly

[profile deploy]
role_arn = arn:aws:iam::222222222222:role/Deploy
source_profile = dev-admin
region = eu-west-1

[profile audit]
role_arn = arn:aws:iam::333333333333:role/team/Audit
source_profile = deploy
role_session_name = auditor
external_id = ext-123
duration_seconds = 1800

[profile loop-a]
role_arn = arn:aws:iam::222222222222:role/A
source_profile = loop-b

[profile loop-b]
role_arn = arn:aws:iam::222222222222:role/B
source_profile = loop-a

[profile dangling]
role_arn = arn:aws:iam::222222222222:role/Deploy
source_profile = nowhere

[profile no-source]
role_arn = arn:aws:iam::222222222222:role/Deploy

[profile from-env]
role_arn = arn:aws:iam::222222222222:role/Deploy
credential_source = Environment

[profile with-mfa]
role_arn = arn:aws:iam::222222222222:role/Deploy
source_profile = dev-admin
mfa_serial = arn:aws:iam::012345678901:mfa/me

[profile too-long]
role_arn = arn:aws:iam::222222222222:role/Deploy
source_profile = dev-admin
duration_seconds = 7200

[profile from-static]
role_arn = arn:aws:iam::222222222222:role/Deploy
source_profile = static

[profile bad-arn]
role_arn = arn:aws:iam::2222:role/Deploy
source_profile = dev-admin
";

/// One corpus entry: the files as written, and the exact message expected.
struct Case {
    name: &'static str,
    /// `.awssso.toml` (at `~/src/app/.awssso.toml`).
    project: &'static str,
    /// The user-wide defaults file, if any.
    defaults: Option<&'static str>,
    /// Whether `~/.aws/config` holds [`AWS_CONFIG`] (otherwise it does not exist).
    aws: bool,
    expected: &'static str,
}

const P: &str = "~/src/app/.awssso.toml";

const CORPUS: &[Case] = &[
    Case {
        name: "unquoted string",
        project: "sso_region = us-east-1\n",
        defaults: None,
        aws: false,
        expected: "~/src/app/.awssso.toml:1:14: invalid TOML: string values must be quoted, expected literal string",
    },
    Case {
        name: "unterminated string",
        project: "sso_role_name = \"Admin\nsso_region = \"us-east-1\"\n",
        defaults: None,
        aws: false,
        expected: "~/src/app/.awssso.toml:1:23: invalid TOML: invalid basic string, expected `\"`",
    },
    Case {
        name: "duplicate key",
        project: "region = \"us-east-1\"\nregion = \"eu-west-1\"\n",
        defaults: None,
        aws: false,
        expected: "~/src/app/.awssso.toml:2:1: invalid TOML: duplicate key — each key may be set once; remove one of them",
    },
    Case {
        name: "two keys on one line",
        project: "sso_region = \"us-east-1\" region = \"eu-west-1\"\n",
        defaults: None,
        aws: false,
        expected: "~/src/app/.awssso.toml:1:26: invalid TOML: unexpected key or value, expected newline, `#`",
    },
    Case {
        name: "wrong type after a byte-order mark",
        project: "\u{feff}region = 5\n",
        defaults: None,
        aws: false,
        expected: "~/src/app/.awssso.toml:1:10: region must be a string, got an integer — write it in quotes: region = \"5\"",
    },
    Case {
        name: "typo in a key",
        project: "sso_acount_id = \"123456789012\"\n",
        defaults: None,
        aws: false,
        expected: "~/src/app/.awssso.toml:1:1: unknown key sso_acount_id — did you mean sso_account_id?",
    },
    Case {
        name: "key without its sso_ prefix",
        project: "sso_region = \"us-east-1\"\n  account_id = \"123456789012\"\n",
        defaults: None,
        aws: false,
        expected: "~/src/app/.awssso.toml:2:3: unknown key account_id — did you mean sso_account_id?",
    },
    Case {
        name: "unknown key with no close match",
        project: "output = \"json\"\n",
        defaults: None,
        aws: false,
        expected: "~/src/app/.awssso.toml:1:1: unknown key output — the keys are sso_start_url, sso_region, sso_account_id, sso_role_name, sso_session, sso_registration_scopes, region, refresh_before, min_ttl, credentials, profile, role_arn, role_session_name, external_id, duration_seconds, token_store",
    },
    Case {
        name: "a section header",
        project: "[default]\nregion = \"us-east-1\"\n",
        defaults: None,
        aws: false,
        expected: "~/src/app/.awssso.toml:1:2: unknown key default — the keys are sso_start_url, sso_region, sso_account_id, sso_role_name, sso_session, sso_registration_scopes, region, refresh_before, min_ttl, credentials, profile, role_arn, role_session_name, external_id, duration_seconds, token_store",
    },
    Case {
        name: "a known key as a table",
        project: "[profile]\nname = \"dev\"\n",
        defaults: None,
        aws: false,
        expected: "~/src/app/.awssso.toml:1:1: profile must be a string, got a table — write it in quotes: profile = \"...\"",
    },
    Case {
        name: "account id as a number",
        project: "sso_account_id = 123456789012\n",
        defaults: None,
        aws: false,
        expected: "~/src/app/.awssso.toml:1:18: sso_account_id must be a string, got an integer — write it in quotes: sso_account_id = \"123456789012\"",
    },
    Case {
        name: "account id too short",
        project: "sso_account_id = \"12345\"\n",
        defaults: None,
        aws: false,
        expected: "~/src/app/.awssso.toml:1:18: sso_account_id must be 12 digits, got \"12345\" — copy the account id from the SSO portal",
    },
    Case {
        name: "account id with the console's dashes",
        project: "sso_account_id = \"1234-5678-9012\"\n",
        defaults: None,
        aws: false,
        expected: "~/src/app/.awssso.toml:1:18: sso_account_id must be 12 digits without dashes, got \"1234-5678-9012\" — write \"123456789012\"",
    },
    Case {
        name: "role name with a space",
        project: "sso_role_name = \"Admin Access\"\n",
        defaults: None,
        aws: false,
        expected: "~/src/app/.awssso.toml:1:17: sso_role_name must be a role name of letters, digits and +=,.@_-, got \"Admin Access\" — copy the permission set name from the SSO portal",
    },
    Case {
        name: "empty string",
        project: "sso_role_name = \"\"\n",
        defaults: None,
        aws: false,
        expected: "~/src/app/.awssso.toml:1:17: sso_role_name must not be empty — set a value or remove the line",
    },
    Case {
        name: "start URL without a scheme",
        project: "sso_start_url = \"d-1234567890.awsapps.com/start\"\n",
        defaults: None,
        aws: false,
        expected: "~/src/app/.awssso.toml:1:17: sso_start_url must be an https:// URL, got \"d-1234567890.awsapps.com/start\" — copy the AWS access portal URL, e.g. \"https://d-1234567890.awsapps.com/start\"",
    },
    Case {
        name: "region by city name",
        project: "region = \"Tokyo\"\n",
        defaults: None,
        aws: false,
        expected: "~/src/app/.awssso.toml:1:10: region must be a region code like \"us-east-1\", got \"Tokyo\" — use lowercase letters, digits and dashes",
    },
    Case {
        name: "sso_region in capitals",
        project: "sso_region = \"US-EAST-1\"\n",
        defaults: None,
        aws: false,
        expected: "~/src/app/.awssso.toml:1:14: sso_region must be a region code like \"us-east-1\", got \"US-EAST-1\" — use lowercase letters, digits and dashes",
    },
    Case {
        name: "region as a boolean",
        project: "region = true\n",
        defaults: None,
        aws: false,
        expected: "~/src/app/.awssso.toml:1:10: region must be a string, got a boolean — write it in quotes: region = \"...\"",
    },
    Case {
        name: "duration in words",
        project: "refresh_before = \"ten minutes\"\n",
        defaults: None,
        aws: false,
        expected: "~/src/app/.awssso.toml:1:18: refresh_before must be a duration like \"10m\", \"1h30m\" or \"90s\", got \"ten minutes\" — write a number followed by s, m or h",
    },
    Case {
        name: "zero duration",
        project: "refresh_before = \"0s\"\n",
        defaults: None,
        aws: false,
        expected: "~/src/app/.awssso.toml:1:18: refresh_before must be more than zero, got \"0s\" — use e.g. \"10m\" (the default), or remove the line",
    },
    Case {
        name: "absurd duration",
        project: "refresh_before = \"2d\"\n",
        defaults: None,
        aws: false,
        expected: "~/src/app/.awssso.toml:1:18: refresh_before must be at least 1s and less than 12h (the longest role session), got \"2d\" — use e.g. \"10m\" (the default)",
    },
    Case {
        name: "duration as a number of seconds",
        project: "refresh_before = 600\n",
        defaults: None,
        aws: false,
        expected: "~/src/app/.awssso.toml:1:18: refresh_before must be a string, got an integer — write it in quotes: refresh_before = \"600\"",
    },
    Case {
        name: "zero min_ttl",
        project: "min_ttl = \"0m\"\n",
        defaults: None,
        aws: false,
        expected: "~/src/app/.awssso.toml:1:11: min_ttl must be more than zero, got \"0m\" — use e.g. \"15m\" (the default), or remove the line",
    },
    Case {
        name: "min_ttl as a number",
        project: "min_ttl = 900\n",
        defaults: None,
        aws: false,
        expected: "~/src/app/.awssso.toml:1:11: min_ttl must be a string, got an integer — write it in quotes: min_ttl = \"900\"",
    },
    Case {
        name: "absurd min_ttl in the user defaults",
        project: "",
        defaults: Some("min_ttl = \"13h\"\n"),
        aws: false,
        expected: "~/.config/ssoenv/config.toml:1:11: min_ttl must be at least 1s and less than 12h (the longest role session), got \"13h\" — use e.g. \"15m\" (the default)",
    },
    Case {
        name: "unknown credentials mode",
        project: "credentials = \"container\"\n",
        defaults: None,
        aws: false,
        expected: "~/src/app/.awssso.toml:1:15: credentials must be \"variables\" (the three AWS_* key variables) or \"endpoint\" (a local endpoint SDKs renew from), got \"container\"",
    },
    Case {
        name: "token_store in a project",
        project: "token_store = \"aws-cli\"\n",
        defaults: None,
        aws: false,
        expected: "~/src/app/.awssso.toml:1:1: token_store is a setting of the user, not of a project — remove it here, and set it in ~/.config/ssoenv/config.toml",
    },
    Case {
        name: "token_store of an unknown kind in the user defaults",
        project: "",
        defaults: Some("token_store = \"vault\"\n"),
        aws: false,
        expected: "~/.config/ssoenv/config.toml:1:15: token_store must be \"aws-cli\" (the AWS CLI's cache files, shared with it) or \"keyring\" (the refresh token in the OS keyring), got \"vault\"",
    },
    Case {
        name: "credentials mode as a boolean in the user defaults",
        project: "",
        defaults: Some("credentials = true\n"),
        aws: false,
        expected: "~/.config/ssoenv/config.toml:1:15: credentials must be a string, got a boolean — write it in quotes: credentials = \"...\"",
    },
    Case {
        name: "empty scope list",
        project: "sso_registration_scopes = []\n",
        defaults: None,
        aws: false,
        expected: "~/src/app/.awssso.toml:1:27: sso_registration_scopes is an empty list — list at least one scope, or remove the line to use the default \"sso:account:access\"",
    },
    Case {
        name: "scope list with a number",
        project: "sso_registration_scopes = [\"sso:account:access\", 7]\n",
        defaults: None,
        aws: false,
        expected: "~/src/app/.awssso.toml:1:50: sso_registration_scopes must list strings, got an integer — put each scope in quotes",
    },
    Case {
        name: "scope string with an empty item",
        project: "sso_registration_scopes = \"sso:account:access,,codewhisperer:completions\"\n",
        defaults: None,
        aws: false,
        expected: "~/src/app/.awssso.toml:1:27: sso_registration_scopes has an empty scope — list scopes like \"sso:account:access\" separated by commas",
    },
    Case {
        name: "scopes as a boolean",
        project: "sso_registration_scopes = false\n",
        defaults: None,
        aws: false,
        expected: "~/src/app/.awssso.toml:1:27: sso_registration_scopes must be a string or a list of strings, got a boolean — write it as sso_registration_scopes = [\"sso:account:access\"]",
    },
    Case {
        name: "profile name with a space",
        project: "profile = \"my dev\"\n",
        defaults: None,
        aws: true,
        expected: "~/src/app/.awssso.toml:1:11: profile must be a name without spaces or brackets, got \"my dev\" — use the NAME of a [profile NAME] section",
    },
    Case {
        name: "sso_session name with brackets",
        project: "sso_session = \"[corp]\"\n",
        defaults: None,
        aws: true,
        expected: "~/src/app/.awssso.toml:1:15: sso_session must be a name without spaces or brackets, got \"[corp]\" — use the NAME of an [sso-session NAME] section",
    },
    Case {
        name: "profile together with sso keys",
        project: "region = \"eu-west-1\"\nsso_role_name = \"ReadOnly\"\nprofile = \"dev-admin\"\nsso_account_id = \"123456789012\"\n",
        defaults: None,
        aws: true,
        expected: "~/src/app/.awssso.toml:2:1: sso_role_name cannot be combined with profile = \"dev-admin\" — the profile supplies the SSO settings; remove one of the two",
    },
    Case {
        name: "no account or role",
        project: "sso_start_url = \"https://d-1234567890.awsapps.com/start\"\nsso_region = \"us-east-1\"\n",
        defaults: None,
        aws: false,
        expected: "~/src/app/.awssso.toml: missing sso_account_id and sso_role_name — run `ssoenv init` here, or set profile = \"NAME\" to use a profile of ~/.aws/config",
    },
    Case {
        name: "empty file",
        project: "# nothing yet\n",
        defaults: None,
        aws: false,
        expected: "~/src/app/.awssso.toml: missing sso_start_url, sso_region, sso_account_id and sso_role_name — run `ssoenv init` here, or set profile = \"NAME\" to use a profile of ~/.aws/config",
    },
    Case {
        name: "sso_session that the AWS config does not define, without a start URL",
        project: "sso_session = \"elsewhere\"\nsso_account_id = \"123456789012\"\nsso_role_name = \"ReadOnly\"\n",
        defaults: None,
        aws: true,
        expected: "~/src/app/.awssso.toml: missing sso_start_url and sso_region (~/.aws/config has no [sso-session elsewhere]) — run `ssoenv init` here, or set profile = \"NAME\" to use a profile of ~/.aws/config",
    },
    Case {
        name: "start URL that contradicts the sso-session",
        project: "sso_session = \"corp\"\nsso_start_url = \"https://d-other.awsapps.com/start\"\nsso_account_id = \"123456789012\"\nsso_role_name = \"ReadOnly\"\n",
        defaults: None,
        aws: true,
        expected: "~/src/app/.awssso.toml:2:17: sso_start_url \"https://d-other.awsapps.com/start\" differs from \"https://d-abc123.awsapps.com/start\" in [sso-session corp] of ~/.aws/config — remove it here (the session sets it), or make them match",
    },
    Case {
        name: "sso_region that contradicts the sso-session",
        project: "sso_session = \"corp\"\nsso_region = \"eu-west-1\"\nsso_account_id = \"123456789012\"\nsso_role_name = \"ReadOnly\"\n",
        defaults: None,
        aws: true,
        expected: "~/src/app/.awssso.toml:2:14: sso_region \"eu-west-1\" differs from \"us-east-1\" in [sso-session corp] of ~/.aws/config — remove it here (the session sets it), or make them match",
    },
    Case {
        name: "scopes that contradict the sso-session",
        project: "sso_session = \"corp\"\nsso_registration_scopes = [\"codewhisperer:completions\"]\nsso_account_id = \"123456789012\"\nsso_role_name = \"ReadOnly\"\n",
        defaults: None,
        aws: true,
        expected: "~/src/app/.awssso.toml:2:27: sso_registration_scopes differs from the scopes of [sso-session corp] in ~/.aws/config — remove it here (the session sets it), or make them match",
    },
    Case {
        name: "sso-session section without a region",
        project: "sso_session = \"halfway\"\nsso_account_id = \"123456789012\"\nsso_role_name = \"ReadOnly\"\n",
        defaults: None,
        aws: true,
        expected: "~/.aws/config:52:1: [sso-session halfway] has no sso_region — add it (aws configure sso-session writes both)",
    },
    Case {
        name: "profile that does not exist",
        project: "profile = \"prod\"\n",
        defaults: None,
        aws: true,
        expected: "~/src/app/.awssso.toml:1:11: profile \"prod\" is not in ~/.aws/config — check the name (aws configure list-profiles), or set AWS_CONFIG_FILE",
    },
    Case {
        name: "profile without an AWS config file",
        project: "profile = \"dev-admin\"\n",
        defaults: None,
        aws: false,
        expected: "~/src/app/.awssso.toml:1:11: profile \"dev-admin\" not found: ~/.aws/config does not exist — create the profile with aws configure sso, or set AWS_CONFIG_FILE",
    },
    Case {
        name: "profile that is not an SSO profile",
        project: "profile = \"static\"\n",
        defaults: None,
        aws: true,
        expected: "~/.aws/config:18:1: [profile static] is not an SSO profile (it has neither sso_session nor sso_start_url) — use an SSO profile, or set one up with aws configure sso",
    },
    Case {
        name: "profile naming a missing sso-session",
        project: "profile = \"orphan\"\n",
        defaults: None,
        aws: true,
        expected: "~/.aws/config:23:15: there is no [sso-session nowhere] section in ~/.aws/config — add it (aws configure sso-session), or fix the name",
    },
    Case {
        name: "profile contradicting its sso-session",
        project: "profile = \"mismatch\"\n",
        defaults: None,
        aws: true,
        expected: "~/.aws/config:29:17: sso_start_url \"https://d-other.awsapps.com/start\" of [profile mismatch] differs from \"https://d-abc123.awsapps.com/start\" in [sso-session corp] — remove it from the profile (the session sets it)",
    },
    Case {
        name: "profile without a role",
        project: "profile = \"norole\"\n",
        defaults: None,
        aws: true,
        expected: "~/.aws/config:33:1: [profile norole] has no sso_role_name, so it can sign in but not pick a role — add it (aws configure sso writes both)",
    },
    Case {
        name: "legacy profile without sso_region",
        project: "profile = \"legacy-noregion\"\n",
        defaults: None,
        aws: true,
        expected: "~/.aws/config:37:1: [profile legacy-noregion] has sso_start_url but no sso_region — add sso_region, the region of your IAM Identity Center",
    },
    Case {
        name: "profile with a bad account id",
        project: "profile = \"badacct\"\n",
        defaults: None,
        aws: true,
        expected: "~/.aws/config:44:18: sso_account_id must be 12 digits, got \"1234\" — copy the account id from the SSO portal",
    },
    Case {
        name: "profile with a line that is not key = value",
        project: "profile = \"garbled\"\n",
        defaults: None,
        aws: true,
        expected: "~/.aws/config:49:1: cannot read this line of [profile garbled] — write it as key = value, or start comments with #",
    },
    Case {
        name: "profile whose sso-session lacks a region",
        project: "profile = \"uses-halfway\"\n",
        defaults: None,
        aws: true,
        expected: "~/.aws/config:52:1: [sso-session halfway] has no sso_region — add it (aws configure sso-session writes both)",
    },
    Case {
        name: "unknown key in the defaults file",
        project: INLINE,
        defaults: Some(
            "sso_start_url = \"https://d-1234567890.awsapps.com/start\"\nsso_regoin = \"us-east-1\"\n",
        ),
        aws: false,
        expected: "~/.config/ssoenv/config.toml:2:1: unknown key sso_regoin — did you mean sso_region?",
    },
    Case {
        name: "bad duration in the defaults file",
        project: INLINE,
        defaults: Some("refresh_before = \"5\"\n"),
        aws: false,
        expected: "~/.config/ssoenv/config.toml:1:18: refresh_before must be a duration like \"10m\", \"1h30m\" or \"90s\", got \"5\" — write a number followed by s, m or h",
    },
    Case {
        name: "defaults file combining profile with sso keys",
        project: INLINE,
        defaults: Some("profile = \"dev-admin\"\nsso_region = \"us-east-1\"\n"),
        aws: true,
        expected: "~/.config/ssoenv/config.toml:2:1: sso_region cannot be combined with profile = \"dev-admin\" — the profile supplies the SSO settings; remove one of the two",
    },
    Case {
        name: "own start URL does not inherit the defaults' region",
        project: "sso_start_url = \"https://d-other.awsapps.com/start\"\nsso_account_id = \"123456789012\"\nsso_role_name = \"ReadOnly\"\n",
        defaults: Some(
            "sso_start_url = \"https://d-1234567890.awsapps.com/start\"\nsso_region = \"us-east-1\"\n",
        ),
        aws: false,
        expected: "~/src/app/.awssso.toml: missing sso_region — run `ssoenv init` here, or set profile = \"NAME\" to use a profile of ~/.aws/config",
    },
    Case {
        name: "inherited value contradicting the sso-session points at the defaults file",
        project: "sso_account_id = \"123456789012\"\nsso_role_name = \"ReadOnly\"\n",
        defaults: Some("sso_session = \"corp\"\nsso_region = \"eu-west-1\"\n"),
        aws: true,
        expected: "~/.config/ssoenv/config.toml:2:14: sso_region \"eu-west-1\" differs from \"us-east-1\" in [sso-session corp] of ~/.aws/config — remove it here (the session sets it), or make them match",
    },
    Case {
        name: "role chain that loops",
        project: "profile = \"loop-a\"\n",
        defaults: None,
        aws: true,
        expected: "~/.aws/config:78:18: source_profile makes a loop: [profile loop-a] → [profile loop-b] → [profile loop-a] — end the chain at an SSO profile",
    },
    Case {
        name: "role chain whose source_profile does not exist",
        project: "profile = \"dangling\"\n",
        defaults: None,
        aws: true,
        expected: "~/.aws/config:82:18: source_profile \"nowhere\" of [profile dangling] is not in ~/.aws/config — fix the name, or add the SSO profile the chain starts from",
    },
    Case {
        name: "role_arn without source_profile",
        project: "profile = \"no-source\"\n",
        defaults: None,
        aws: true,
        expected: "~/.aws/config:84:1: [profile no-source] has role_arn but no source_profile — add source_profile = NAME of the SSO profile the role is assumed from",
    },
    Case {
        name: "role chain from the environment",
        project: "profile = \"from-env\"\n",
        defaults: None,
        aws: true,
        expected: "~/.aws/config:89:21: credential_source = Environment in [profile from-env]: ssoenv starts every role chain at an SSO profile — use source_profile = NAME of an SSO profile instead",
    },
    Case {
        name: "role that needs MFA",
        project: "profile = \"with-mfa\"\n",
        defaults: None,
        aws: true,
        expected: "~/.aws/config:94:14: mfa_serial in [profile with-mfa]: ssoenv renews credentials at the prompt, where it cannot ask for an MFA code — assume this role with the AWS CLI instead, or use a role without an MFA condition",
    },
    Case {
        name: "chained duration over the 1-hour limit in the AWS config",
        project: "profile = \"too-long\"\n",
        defaults: None,
        aws: true,
        expected: "~/.aws/config:99:20: duration_seconds = 7200 is more than 3600, the 1-hour limit AWS sets for role chaining (the SSO role is already an assumed role) — use at most 3600, or remove the line",
    },
    Case {
        name: "role chain from static keys",
        project: "profile = \"from-static\"\n",
        defaults: None,
        aws: true,
        expected: "~/.aws/config:18:1: [profile static] is not an SSO profile (it has neither sso_session nor sso_start_url) — use an SSO profile, or set one up with aws configure sso",
    },
    Case {
        name: "malformed role_arn in the AWS config",
        project: "profile = \"bad-arn\"\n",
        defaults: None,
        aws: true,
        expected: "~/.aws/config:106:12: role_arn must be an IAM role ARN like \"arn:aws:iam::123456789012:role/Deploy\", got \"arn:aws:iam::2222:role/Deploy\" — copy it from the IAM console",
    },
    Case {
        name: "chained duration over the 1-hour limit in the project",
        project: "profile = \"dev-admin\"\nrole_arn = \"arn:aws:iam::222222222222:role/Deploy\"\nduration_seconds = 7200\n",
        defaults: None,
        aws: true,
        expected: "~/src/app/.awssso.toml:3:20: duration_seconds = 7200 is more than 3600, the 1-hour limit AWS sets for role chaining (the SSO role is already an assumed role) — use at most 3600, or remove the line",
    },
    Case {
        name: "duration_seconds too short",
        project: "profile = \"dev-admin\"\nrole_arn = \"arn:aws:iam::222222222222:role/Deploy\"\nduration_seconds = 60\n",
        defaults: None,
        aws: true,
        expected: "~/src/app/.awssso.toml:3:20: duration_seconds = 60 is less than 900, the shortest session STS grants — use 900 to 3600",
    },
    Case {
        name: "duration_seconds as a string",
        project: "profile = \"dev-admin\"\nrole_arn = \"arn:aws:iam::222222222222:role/Deploy\"\nduration_seconds = \"3600\"\n",
        defaults: None,
        aws: true,
        expected: "~/src/app/.awssso.toml:3:20: duration_seconds must be a number of seconds, got a string — write it without quotes: duration_seconds = 3600",
    },
    Case {
        name: "role qualifier without role_arn",
        project: "profile = \"dev-admin\"\nexternal_id = \"ext-123\"\n",
        defaults: None,
        aws: true,
        expected: "~/src/app/.awssso.toml:2:1: external_id describes the role that role_arn names, but this file sets no role_arn — add role_arn = \"arn:aws:iam::ACCOUNT:role/NAME\", or remove the line",
    },
    Case {
        name: "role_arn that names a user",
        project: "profile = \"dev-admin\"\nrole_arn = \"arn:aws:iam::222222222222:user/alice\"\n",
        defaults: None,
        aws: true,
        expected: "~/src/app/.awssso.toml:2:12: role_arn must be an IAM role ARN like \"arn:aws:iam::123456789012:role/Deploy\", got \"arn:aws:iam::222222222222:user/alice\" — copy it from the IAM console",
    },
    Case {
        name: "role_session_name with a space",
        project: "profile = \"dev-admin\"\nrole_arn = \"arn:aws:iam::222222222222:role/Deploy\"\nrole_session_name = \"alice smith\"\n",
        defaults: None,
        aws: true,
        expected: "~/src/app/.awssso.toml:3:21: role_session_name must be 2 to 64 letters, digits or _+=,.@-, got \"alice smith\" — e.g. \"alice\", or remove the line to use your SSO user name",
    },
];

#[test]
fn corpus_of_bad_configs_gives_exact_messages() {
    assert!(CORPUS.len() >= 30, "the corpus must keep at least 30 cases");
    let mut failures = Vec::new();
    for case in CORPUS {
        let home = Home::new();
        if let Some(defaults) = case.defaults {
            home.defaults(defaults);
        }
        if case.aws {
            home.aws(AWS_CONFIG);
        }
        match home.load(case.project) {
            Ok(target) => failures.push(format!("{}: loaded {target:?}", case.name)),
            Err(message) if message != case.expected => failures.push(format!(
                "{}:\n  expected: {}\n  actual:   {message}",
                case.name, case.expected
            )),
            Err(_) => {}
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        CORPUS.len(),
        failures.join("\n")
    );
}

#[test]
fn every_corpus_message_is_one_line_and_names_a_file() {
    for case in CORPUS {
        assert!(!case.expected.contains('\n'), "{}", case.name);
        assert!(
            case.expected.starts_with(P)
                || case.expected.starts_with("~/.aws/config")
                || case.expected.starts_with("~/.config/ssoenv/config.toml"),
            "{}",
            case.name
        );
    }
}

#[test]
fn bytes_that_are_not_utf8_are_located() {
    let home = Home::new();
    let path = home.write(
        "src/app/.awssso.toml",
        b"region = \"us-east-1\"\nsso_role_name = \"Caf\xe9\"\n",
    );
    let err = config::load_project_in(&path, &home.env).unwrap_err();
    assert_eq!(
        err.message(),
        "~/src/app/.awssso.toml:2:21: this is not UTF-8 text — save the file as UTF-8"
    );
}

#[test]
fn missing_config_file_and_missing_profile_from_the_command_line() {
    let home = Home::new();
    let source = Selection {
        config: Some(PathBuf::from("nope.toml")),
        profile: None,
    };
    let err = config::resolve_in(&source, &home.path("src"), &home.env).unwrap_err();
    assert_eq!(
        err.message(),
        "~/src/nope.toml does not exist — check the path"
    );

    home.aws(AWS_CONFIG);
    let err = config::load_profile_in("prod", &home.env).unwrap_err();
    assert_eq!(
        err.message(),
        "profile \"prod\" is not in ~/.aws/config — check the name (aws configure list-profiles), or set AWS_CONFIG_FILE"
    );
}

#[test]
fn no_project_file_anywhere_above() {
    let home = Home::new();
    fs::create_dir_all(home.path("src/app")).unwrap();
    let err =
        config::resolve_in(&Selection::default(), &home.path("src/app"), &home.env).unwrap_err();
    // Ancestors of the temp dir are outside our control; only check the wording
    // when none of them has a project file (the usual case).
    if config::resolve_in(
        &Selection::default(),
        home.dir.path().parent().unwrap(),
        &home.env,
    )
    .is_err()
    {
        assert_eq!(
            err.message(),
            "no .awssso.toml in ~/src/app or any directory above it — run `ssoenv init` to create one, or pass --config FILE or --profile NAME"
        );
    }
}

// ---- configs that load ----------------------------------------------------

fn session(name: Option<&str>, start_url: &str, region: &str, scopes: &[&str]) -> SsoSession {
    SsoSession {
        name: name.map(str::to_owned),
        start_url: start_url.to_owned(),
        region: region.to_owned(),
        scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
    }
}

#[test]
fn inline_settings() {
    let home = Home::new();
    let target = home
        .load(&format!("{INLINE}region = \"ap-northeast-1\"\n"))
        .unwrap();
    assert_eq!(
        target,
        Target {
            session: session(
                None,
                "https://d-1234567890.awsapps.com/start",
                "us-east-1",
                &[]
            ),
            account_id: "123456789012".to_owned(),
            role_name: "AdministratorAccess".to_owned(),
            chain: Vec::new(),
            region: Some("ap-northeast-1".to_owned()),
            refresh_before: DEFAULT_REFRESH_BEFORE,
            min_ttl: DEFAULT_MIN_TTL,
            credentials: CredentialsMode::Variables,
            origin: home.path("src/app/.awssso.toml"),
        }
    );
}

#[test]
fn endpoint_mode_comes_from_the_project_or_the_defaults() {
    let home = Home::new();
    let project = home
        .load(&format!("{INLINE}credentials = \"endpoint\"\n"))
        .unwrap();
    assert_eq!(project.credentials, CredentialsMode::Endpoint);
    home.defaults("credentials = \"endpoint\"\n");
    assert_eq!(
        home.load(INLINE).unwrap().credentials,
        CredentialsMode::Endpoint
    );
    let own = home
        .load(&format!("{INLINE}credentials = \"variables\"\n"))
        .unwrap();
    assert_eq!(
        own.credentials,
        CredentialsMode::Variables,
        "the project's own key wins"
    );
}

#[test]
fn profile_with_sso_session_takes_the_profile_region() {
    let home = Home::new();
    home.aws(AWS_CONFIG);
    let target = home.load("profile = \"dev-admin\"\n").unwrap();
    assert_eq!(
        target.session,
        session(
            Some("corp"),
            "https://d-abc123.awsapps.com/start",
            "us-east-1",
            &["sso:account:access"]
        )
    );
    assert_eq!(target.account_id, "012345678901");
    assert_eq!(target.role_name, "AdministratorAccess");
    assert_eq!(target.region.as_deref(), Some("ap-northeast-1"));
    assert_eq!(target.origin, home.path("src/app/.awssso.toml"));
}

#[test]
fn project_region_overrides_the_profile_region() {
    let home = Home::new();
    home.aws(AWS_CONFIG);
    let target = home
        .load("profile = \"dev-admin\"\nregion = \"eu-central-1\"\nrefresh_before = \"15m\"\n")
        .unwrap();
    assert_eq!(target.region.as_deref(), Some("eu-central-1"));
    assert_eq!(target.refresh_before, Duration::from_secs(900));
}

#[test]
fn legacy_profile() {
    let home = Home::new();
    home.aws(AWS_CONFIG);
    let target = home.load("profile = \"legacy\"\n").unwrap();
    assert_eq!(
        target.session,
        session(None, "https://d-abc123.awsapps.com/start", "us-east-1", &[])
    );
    assert_eq!(target.role_name, "ReadOnly");
    assert_eq!(target.region, None);
}

#[test]
fn profile_from_the_command_line_and_the_default_profile() {
    let home = Home::new();
    home.aws(&format!(
        "{AWS_CONFIG}\n[default]\r\nsso_session = corp\r\nsso_account_id = 111111111111\r\nsso_role_name = Dev\r\n"
    ));
    home.defaults("region = \"us-west-2\"\nrefresh_before = \"20m\"\n");

    let target = config::load_profile_in("dev-admin", &home.env).unwrap();
    assert_eq!(target.region.as_deref(), Some("ap-northeast-1"));
    assert_eq!(target.refresh_before, Duration::from_secs(1200));
    assert_eq!(target.origin, home.path(".aws/config"));

    let target = config::load_profile_in("default", &home.env).unwrap();
    assert_eq!(target.account_id, "111111111111");
    assert_eq!(target.role_name, "Dev");
    // The profile has no region: the defaults file's applies.
    assert_eq!(target.region.as_deref(), Some("us-west-2"));
}

#[test]
fn defaults_are_inherited() {
    let home = Home::new();
    home.aws(AWS_CONFIG);
    home.defaults(
        "sso_session = \"corp\"\nsso_start_url = \"https://d-abc123.awsapps.com/start\"\nsso_region = \"us-east-1\"\nregion = \"us-west-2\"\nrefresh_before = \"1h\"\n",
    );
    let target = home
        .load("sso_account_id = \"123456789012\"\nsso_role_name = \"ReadOnly\"\n")
        .unwrap();
    assert_eq!(
        target.session,
        session(
            Some("corp"),
            "https://d-abc123.awsapps.com/start",
            "us-east-1",
            &["sso:account:access"]
        )
    );
    assert_eq!(target.region.as_deref(), Some("us-west-2"));
    assert_eq!(target.refresh_before, Duration::from_secs(3600));

    // The project's own values win over the defaults'.
    let target = home
        .load("sso_account_id = \"123456789012\"\nsso_role_name = \"ReadOnly\"\nregion = \"eu-west-1\"\nrefresh_before = \"5m\"\n")
        .unwrap();
    assert_eq!(target.region.as_deref(), Some("eu-west-1"));
    assert_eq!(target.refresh_before, Duration::from_secs(300));
}

#[test]
fn default_profile_applies_only_to_projects_without_sso_keys() {
    let home = Home::new();
    home.aws(AWS_CONFIG);
    home.defaults("profile = \"legacy\"\n");
    let target = home.load("region = \"eu-west-1\"\n").unwrap();
    assert_eq!(target.role_name, "ReadOnly");
    assert_eq!(target.region.as_deref(), Some("eu-west-1"));

    let target = home.load(INLINE).unwrap();
    assert_eq!(target.role_name, "AdministratorAccess");
    assert_eq!(
        target.session.start_url,
        "https://d-1234567890.awsapps.com/start"
    );
}

#[test]
fn sso_session_inline_with_and_without_a_section() {
    let home = Home::new();
    home.aws(AWS_CONFIG);
    // With a section: it supplies the session; repeating the same values is fine.
    let target = home
        .load("sso_session = \"corp\"\nsso_region = \"us-east-1\"\nsso_account_id = \"123456789012\"\nsso_role_name = \"ReadOnly\"\n")
        .unwrap();
    assert_eq!(
        target.session,
        session(
            Some("corp"),
            "https://d-abc123.awsapps.com/start",
            "us-east-1",
            &["sso:account:access"]
        )
    );
    // Without one: the name only keys the token cache.
    let target = home
        .load(&format!("{INLINE}sso_session = \"mine\"\n"))
        .unwrap();
    assert_eq!(
        target.session,
        session(
            Some("mine"),
            "https://d-1234567890.awsapps.com/start",
            "us-east-1",
            &[]
        )
    );
}

#[test]
fn scopes_as_string_or_list() {
    let home = Home::new();
    let expected = ["sso:account:access", "codewhisperer:completions"];
    for form in [
        "\"sso:account:access, codewhisperer:completions\"",
        "[\"sso:account:access\", \"codewhisperer:completions\"]",
    ] {
        let target = home
            .load(&format!("{INLINE}sso_registration_scopes = {form}\n"))
            .unwrap();
        assert_eq!(target.session.scopes, expected, "{form}");
    }
}

#[test]
fn refresh_before_default_and_custom() {
    let home = Home::new();
    assert_eq!(
        home.load(INLINE).unwrap().refresh_before,
        Duration::from_secs(600)
    );
    let target = home
        .load(&format!("{INLINE}refresh_before = \"1h30m\"\n"))
        .unwrap();
    assert_eq!(target.refresh_before, Duration::from_secs(5400));
}

#[test]
fn resolve_uses_the_nearest_file_the_flag_or_the_profile() {
    let home = Home::new();
    home.aws(AWS_CONFIG);
    home.write("src/.awssso.toml", "profile = \"legacy\"\n");
    home.write("src/app/.awssso.toml", INLINE);
    fs::create_dir_all(home.path("src/app/deep/er")).unwrap();
    fs::create_dir_all(home.path("src/other")).unwrap();
    let none = Selection::default();

    let nearest = config::resolve_in(&none, &home.path("src/app/deep/er"), &home.env).unwrap();
    assert_eq!(nearest.origin, home.path("src/app/.awssso.toml"));
    assert_eq!(nearest.role_name, "AdministratorAccess");

    let outer = config::resolve_in(&none, &home.path("src/other"), &home.env).unwrap();
    assert_eq!(outer.origin, home.path("src/.awssso.toml"));
    assert_eq!(outer.role_name, "ReadOnly");

    // --config: relative to cwd, and a directory means the file in it.
    let by_file = Selection {
        config: Some(PathBuf::from("../.awssso.toml")),
        profile: None,
    };
    let target = config::resolve_in(&by_file, &home.path("src/app"), &home.env).unwrap();
    assert_eq!(target.role_name, "ReadOnly");
    let by_dir = Selection {
        config: Some(home.path("src/app")),
        profile: None,
    };
    let target = config::resolve_in(&by_dir, Path::new("/"), &home.env).unwrap();
    assert_eq!(target.role_name, "AdministratorAccess");

    let by_profile = Selection {
        config: None,
        profile: Some("dev-admin".to_owned()),
    };
    let target = config::resolve_in(&by_profile, &home.path("src/app"), &home.env).unwrap();
    assert_eq!(target.account_id, "012345678901");
    assert_eq!(target.origin, home.path(".aws/config"));
}

#[test]
fn comments_crlf_and_a_bom_free_file_with_trailing_comments_load() {
    let home = Home::new();
    let text = INLINE.replace('\n', "   # note\r\n");
    let target = home.load(&text).unwrap();
    assert_eq!(target.account_id, "123456789012");
}

#[test]
fn paths_show_home_as_tilde() {
    let home = Home::new();
    assert_eq!(
        home.env.display(&home.path("src/x/.awssso.toml")),
        "~/src/x/.awssso.toml"
    );
    assert_eq!(home.env.display(home.dir.path()), "~");
    assert_eq!(home.env.display(Path::new("/etc/hosts")), "/etc/hosts");
    assert_eq!(
        ssoenv::paths::display_from(Path::new("/etc/hosts"), Some(Path::new("/"))),
        "/etc/hosts"
    );
}

fn hop(
    role_arn: &str,
    session_name: Option<&str>,
    external_id: Option<&str>,
    duration_seconds: Option<u32>,
) -> config::RoleHop {
    config::RoleHop {
        role_arn: role_arn.to_owned(),
        session_name: session_name.map(str::to_owned),
        external_id: external_id.map(str::to_owned),
        duration_seconds,
    }
}

#[test]
fn inline_settings_with_a_role_to_assume() {
    let home = Home::new();
    let target = home
        .load(&format!(
            "{INLINE}role_arn = \"arn:aws:iam::222222222222:role/Deploy\"\nexternal_id = \"ext-1\"\nduration_seconds = 3600\n"
        ))
        .unwrap();
    assert_eq!(
        target.chain,
        [hop(
            "arn:aws:iam::222222222222:role/Deploy",
            None,
            Some("ext-1"),
            Some(3600)
        )]
    );
    assert_eq!(
        (target.account_id.as_str(), target.role_name.as_str()),
        ("123456789012", "AdministratorAccess"),
        "the SSO role stays the source"
    );
    assert_eq!(target.label(), "222222222222/Deploy");
    assert_eq!(target.source().unwrap().chain, []);
}

#[test]
fn profile_chains_are_followed_to_the_sso_profile() {
    let home = Home::new();
    home.aws(AWS_CONFIG);
    let target = home.load("profile = \"audit\"\n").unwrap();
    assert_eq!(target.session.name.as_deref(), Some("corp"));
    assert_eq!(
        (target.account_id.as_str(), target.role_name.as_str()),
        ("012345678901", "AdministratorAccess"),
        "the chain starts at dev-admin's SSO role"
    );
    assert_eq!(
        target.chain,
        [
            hop("arn:aws:iam::222222222222:role/Deploy", None, None, None),
            hop(
                "arn:aws:iam::333333333333:role/team/Audit",
                Some("auditor"),
                Some("ext-123"),
                Some(1800)
            ),
        ]
    );
    assert_eq!(target.label(), "333333333333/Audit");
    assert_eq!(target.region, None, "audit has no region of its own");

    let deploy = config::load_profile_in("deploy", &home.env).unwrap();
    assert_eq!(
        deploy.region.as_deref(),
        Some("eu-west-1"),
        "the named profile's region"
    );
    assert_eq!(deploy.chain.len(), 1);
}

#[test]
fn a_project_role_goes_on_top_of_the_profile_chain() {
    let home = Home::new();
    home.aws(AWS_CONFIG);
    let target = home
        .load("profile = \"deploy\"\nrole_arn = \"arn:aws:iam::444444444444:role/BreakGlass\"\nrole_session_name = \"oncall\"\n")
        .unwrap();
    assert_eq!(
        target.chain,
        [
            hop("arn:aws:iam::222222222222:role/Deploy", None, None, None),
            hop(
                "arn:aws:iam::444444444444:role/BreakGlass",
                Some("oncall"),
                None,
                None
            ),
        ]
    );
    assert_eq!(target.region.as_deref(), Some("eu-west-1"));
}

#[test]
fn the_role_keys_are_inherited_as_a_group() {
    let home = Home::new();
    home.defaults(
        "role_arn = \"arn:aws:iam::222222222222:role/Deploy\"\nexternal_id = \"from-defaults\"\n",
    );
    let inherited = home.load(INLINE).unwrap();
    assert_eq!(
        inherited.chain,
        [hop(
            "arn:aws:iam::222222222222:role/Deploy",
            None,
            Some("from-defaults"),
            None
        )]
    );
    let own = home
        .load(&format!(
            "{INLINE}role_arn = \"arn:aws:iam::333333333333:role/Other\"\n"
        ))
        .unwrap();
    assert_eq!(
        own.chain,
        [hop(
            "arn:aws:iam::333333333333:role/Other",
            None,
            None,
            None
        )],
        "the project's role does not take the defaults' external id"
    );
}
