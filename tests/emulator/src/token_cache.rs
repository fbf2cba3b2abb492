//! Writing an SSO token the way AWS CLI v2 caches it, so that ssoenv (and
//! botocore) can be tried and tested without a login.

use std::fs::{self, DirBuilder, OpenOptions};
use std::io::{self, Write as _};
#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::model::IssuedToken;
use crate::timefmt::format_utc;

/// The cache file's fields, in the order AWS CLI v2 writes them.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CachedToken<'a> {
    start_url: &'a str,
    region: &'a str,
    access_token: &'a str,
    expires_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_secret: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    registration_expires_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<&'a str>,
}

/// `<sha1 hex of cache_key>.json`. The key is the sso-session name for
/// profiles that use `[sso-session NAME]`, otherwise the start URL.
pub fn cache_file_name(cache_key: &str) -> String {
    format!("{}.json", sha1_smol::Sha1::from(cache_key).digest())
}

/// Writes `token` to `HOME/.aws/sso/cache/<sha1(cache_key)>.json` and returns
/// the path. The client fields and refresh token are written only when the
/// token has them, exactly as the CLI does: that is what makes a cached token
/// refreshable to its readers. Directories are created 0700 and the file is
/// 0600 (it holds a bearer token), replaced atomically.
pub fn write_token_cache(
    home: &Path,
    cache_key: &str,
    start_url: &str,
    region: &str,
    token: &IssuedToken,
) -> io::Result<PathBuf> {
    let directory = home.join(".aws").join("sso").join("cache");
    let mut builder = DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    builder.mode(0o700);
    builder.create(&directory)?;
    let entry = CachedToken {
        start_url,
        region,
        access_token: &token.access_token,
        expires_at: format_utc(token.expires_at),
        client_id: token
            .client
            .as_ref()
            .map(|client| client.client_id.as_str()),
        client_secret: token
            .client
            .as_ref()
            .map(|client| client.client_secret.as_str()),
        registration_expires_at: token
            .client
            .as_ref()
            .map(|client| format_utc(client.expires_at)),
        refresh_token: token.refresh_token.as_deref(),
    };
    let json = serde_json::to_string(&entry).map_err(io::Error::other)?;

    let path = directory.join(cache_file_name(cache_key));
    let temporary = directory.join(format!(
        ".{}.tmp-{}",
        cache_file_name(cache_key),
        std::process::id()
    ));
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut file = options.open(&temporary)?;
    // An existing temporary file keeps its old mode; make sure it is private.
    #[cfg(unix)]
    file.set_permissions(fs::Permissions::from_mode(0o600))?;
    file.write_all(json.as_bytes())?;
    file.sync_all()?;
    fs::rename(&temporary, &path)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ClientRegistration;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn file_name_is_sha1_of_the_key() {
        // The reference's test vector: sha1("dev").
        assert_eq!(
            cache_file_name("dev"),
            "34c6fceca75e456f25e7e99531e2425c6c1de443.json"
        );
    }

    #[test]
    fn writes_cli_fields_private_and_only_refresh_fields_it_has() {
        let home = tempfile::tempdir().expect("temp dir");
        let expires_at = UNIX_EPOCH + Duration::from_secs(1_709_251_199);
        let plain = IssuedToken {
            access_token: "aoaPlain".into(),
            refresh_token: None,
            expires_at,
            client: None,
        };
        let path = write_token_cache(
            home.path(),
            "https://x.awsapps.com/start",
            "https://x.awsapps.com/start",
            "eu-west-1",
            &plain,
        )
        .expect("write");
        let text = fs::read_to_string(&path).expect("read back");
        assert_eq!(
            text,
            r#"{"startUrl":"https://x.awsapps.com/start","region":"eu-west-1","accessToken":"aoaPlain","expiresAt":"2024-02-29T23:59:59Z"}"#
        );
        assert_eq!(
            fs::metadata(&path).expect("stat").permissions().mode() & 0o777,
            0o600
        );
        let cache_dir = path.parent().expect("cache dir");
        assert_eq!(
            fs::metadata(cache_dir).expect("stat").permissions().mode() & 0o777,
            0o700
        );

        let refreshable = IssuedToken {
            refresh_token: Some("aorRefresh".into()),
            client: Some(ClientRegistration {
                client_id: "cid".into(),
                client_secret: "secret".into(),
                expires_at: UNIX_EPOCH,
                scopes: vec!["sso:account:access".into()],
            }),
            ..plain
        };
        let path = write_token_cache(
            home.path(),
            "dev",
            "https://x.awsapps.com/start",
            "eu-west-1",
            &refreshable,
        )
        .expect("write");
        let value: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(path).expect("read")).expect("json");
        assert_eq!(value["clientId"], "cid");
        assert_eq!(value["clientSecret"], "secret");
        assert_eq!(value["registrationExpiresAt"], "1970-01-01T00:00:00Z");
        assert_eq!(value["refreshToken"], "aorRefresh");
    }
}
