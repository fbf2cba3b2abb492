//! Credentials from the emulator and Rust SDK STS clients that sign with
//! them, shared by the STS and console sign-in tests.

#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::time::Duration;

use aws_sdk_sts::config::retry::RetryConfig;
use aws_sdk_sts::config::{BehaviorVersion, Credentials, Region};
use sso_emulator::Emulator;

/// The account the tests' SSO user is assigned to.
pub const SSO_ACCOUNT: &str = "111111111111";
/// The permission set assigned there.
pub const PERMISSION_SET: &str = "AdministratorAccess";

/// A set of temporary credentials (redacted in `Debug`).
#[derive(Clone)]
pub struct Keys {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys")
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

impl Keys {
    /// The same keys with the secret's last character changed.
    pub fn with_altered_secret(&self) -> Keys {
        let mut secret = self.secret_access_key.clone();
        let last = secret.pop().expect("a non-empty secret");
        secret.push(if last == 'A' { 'B' } else { 'A' });
        Keys {
            secret_access_key: secret,
            ..self.clone()
        }
    }
}

/// An emulator whose SSO user has [`PERMISSION_SET`] in [`SSO_ACCOUNT`].
pub fn emulator() -> Emulator {
    let emulator = Emulator::start();
    emulator.set_accounts(vec![sso_emulator::Account::new(
        SSO_ACCOUNT,
        "Dev",
        &[PERMISSION_SET, "ReadOnly"],
    )]);
    emulator
}

/// Role credentials of `permission_set` in `account_id`, fetched the way
/// ssoenv fetches them: GetRoleCredentials through `aws-sdk-sso`.
pub async fn sso_keys(emulator: &Emulator, account_id: &str, permission_set: &str) -> Keys {
    let token = emulator.issue_token(Duration::from_secs(3600));
    let config = aws_sdk_sso::Config::builder()
        .behavior_version(aws_sdk_sso::config::BehaviorVersion::latest())
        .region(aws_sdk_sso::config::Region::new("us-east-1"))
        .endpoint_url(emulator.url())
        .retry_config(aws_sdk_sso::config::retry::RetryConfig::disabled())
        .build();
    let output = aws_sdk_sso::Client::from_conf(config)
        .get_role_credentials()
        .access_token(&token.access_token)
        .account_id(account_id)
        .role_name(permission_set)
        .send()
        .await
        .expect("GetRoleCredentials");
    let credentials = output.role_credentials().expect("roleCredentials");
    Keys {
        access_key_id: credentials.access_key_id().expect("accessKeyId").to_owned(),
        secret_access_key: credentials.secret_access_key().expect("secret").to_owned(),
        session_token: credentials
            .session_token()
            .expect("sessionToken")
            .to_owned(),
    }
}

/// An STS client of the emulator that signs with `keys` (and sends their
/// session token unless `with_token` is false), in eu-west-1, retries off
/// so every call is one request.
pub fn sts_client(emulator: &Emulator, keys: &Keys, with_token: bool) -> aws_sdk_sts::Client {
    sts_client_at(&emulator.url(), keys, with_token)
}

/// As [`sts_client`], for an emulator at `url` (the program, say).
pub fn sts_at(url: &str, keys: &Keys) -> aws_sdk_sts::Client {
    sts_client_at(url, keys, true)
}

fn sts_client_at(url: &str, keys: &Keys, with_token: bool) -> aws_sdk_sts::Client {
    let credentials = Credentials::new(
        &keys.access_key_id,
        &keys.secret_access_key,
        with_token.then(|| keys.session_token.clone()),
        None,
        "sso-emulator-test",
    );
    let config = aws_sdk_sts::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("eu-west-1"))
        .endpoint_url(url)
        .credentials_provider(credentials)
        .retry_config(RetryConfig::disabled())
        .build();
    aws_sdk_sts::Client::from_conf(config)
}

/// As [`sts_client`], with the session token.
pub fn sts(emulator: &Emulator, keys: &Keys) -> aws_sdk_sts::Client {
    sts_client(emulator, keys, true)
}

/// AssumeRole with `keys` into `role_arn` as `session_name`.
pub async fn assume(emulator: &Emulator, keys: &Keys, role_arn: &str, session_name: &str) -> Keys {
    let output = sts(emulator, keys)
        .assume_role()
        .role_arn(role_arn)
        .role_session_name(session_name)
        .send()
        .await
        .unwrap_or_else(|error| panic!("AssumeRole into {role_arn}: {error:?}"));
    let credentials = output.credentials().expect("Credentials");
    Keys {
        access_key_id: credentials.access_key_id().to_owned(),
        secret_access_key: credentials.secret_access_key().to_owned(),
        session_token: credentials.session_token().to_owned(),
    }
}

/// The caller ARN GetCallerIdentity reports for `keys`.
pub async fn caller_arn(emulator: &Emulator, keys: &Keys) -> String {
    sts(emulator, keys)
        .get_caller_identity()
        .send()
        .await
        .unwrap_or_else(|error| panic!("GetCallerIdentity: {error:?}"))
        .arn()
        .expect("Arn")
        .to_owned()
}
