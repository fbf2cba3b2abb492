//! `ssoenv status` in the five situations a user meets: no config, an
//! untrusted one, valid credentials, credentials about to expire, and an
//! expired SSO session. Times, durations and the key's visible end change
//! from run to run and are redacted; everything else is snapshotted.

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use support::{SESSION, Sandbox, stderr, stdout};

/// The variables a shell has after the hook ran `ssoenv export` in `dir`.
fn shell_env(sandbox: &Sandbox, dir: &Path) -> BTreeMap<String, String> {
    let out = sandbox.ssoenv(dir, &["export", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("export json");
    json["set"]
        .as_object()
        .expect("export sets variables")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect()
}

fn status(sandbox: &Sandbox, dir: &Path, env: &BTreeMap<String, String>, json: bool) -> Output {
    let mut cmd = sandbox.command(dir);
    cmd.arg("status").envs(env);
    if json {
        cmd.arg("--json");
    }
    // Status must not touch the network: point the endpoints at nothing.
    cmd.env("AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:9")
        .env("AWS_ENDPOINT_URL_SSO_OIDC", "http://127.0.0.1:9");
    let out = cmd.output().expect("run ssoenv status");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
    out
}

/// Asserts no secret of `env` shows in `text`, nor the whole access key id.
fn assert_no_secrets(text: &str, env: &BTreeMap<String, String>) {
    for name in [
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_ACCESS_KEY_ID",
    ] {
        if let Some(value) = env.get(name) {
            assert!(!text.contains(value.as_str()), "{name} leaked into: {text}");
        }
    }
}

/// Replaces what changes between runs: `2026-01-01T00:00:00Z`, `7h 59m`,
/// `59m`, `45s`, the masked key's last four, and seconds counters.
fn redact(text: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let digits = |from: usize| {
        chars[from..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count()
    };
    let boundary = |at: usize| at == 0 || !chars[at - 1].is_alphanumeric();
    while i < chars.len() {
        let rest: String = chars[i..chars.len().min(i + 20)].iter().collect();
        if is_timestamp(&rest) {
            out.push_str("[TIME]");
            i += 20;
            continue;
        }
        if chars[i] == '*' {
            let stars = chars[i..].iter().take_while(|c| **c == '*').count();
            out.push_str(&"*".repeat(stars));
            out.push_str("[LAST4]");
            i += stars + 4;
            continue;
        }
        if chars[i].is_ascii_digit() && boundary(i) {
            let n = digits(i);
            let unit = chars.get(i + n).copied();
            let after = |at: usize| chars.get(at).is_none_or(|c| !c.is_alphanumeric());
            if unit == Some('h') && chars.get(i + n + 1) == Some(&' ') {
                let m = digits(i + n + 2);
                if m > 0 && chars.get(i + n + 2 + m) == Some(&'m') && after(i + n + 3 + m) {
                    out.push_str("[DURATION]");
                    i += n + 3 + m;
                    continue;
                }
            }
            if matches!(unit, Some('m' | 's')) && after(i + n + 1) {
                out.push_str("[DURATION]");
                i += n + 1;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    let mut lines = Vec::new();
    for line in out.lines() {
        match line.split_once("\"seconds_left\": ") {
            Some((head, tail)) if tail.starts_with(|c: char| c.is_ascii_digit()) => {
                let comma = if tail.ends_with(',') { "," } else { "" };
                lines.push(format!("{head}\"seconds_left\": [SECS]{comma}"));
            }
            _ => lines.push(line.to_owned()),
        }
    }
    lines.join("\n") + "\n"
}

fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 20
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

/// Rewrites the one cached credential file: `expires_in` from now, issued an hour before expiry.
fn age_cached_credentials(sandbox: &Sandbox, expires_in: i64) -> SystemTime {
    let dir = sandbox.credential_cache_dir();
    let file = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .expect("a cached credential file");
    let mut json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let expiration = now + expires_in;
    json["credentials"]["expiration"] = expiration.into();
    json["credentials"]["issuedAt"] = (expiration - 3600).into();
    std::fs::write(&file, serde_json::to_vec(&json).unwrap()).unwrap();
    UNIX_EPOCH + Duration::from_secs(expiration as u64)
}

fn iso(time: SystemTime) -> String {
    humantime::format_rfc3339_seconds(time).to_string()
}

#[test]
fn no_config() {
    let sandbox = Sandbox::new();
    let dir = sandbox.home().join("elsewhere");
    std::fs::create_dir_all(&dir).unwrap();
    let out = status(&sandbox, &dir, &BTreeMap::new(), false);
    insta::assert_snapshot!("no_config", redact(&stdout(&out)));
    let out = status(&sandbox, &dir, &BTreeMap::new(), true);
    insta::assert_snapshot!("no_config_json", redact(&stdout(&out)));
}

#[test]
fn untrusted() {
    let sandbox = Sandbox::new();
    sandbox.login(Duration::from_secs(8 * 3600));
    let dir = sandbox.project("cloned", "ReadOnly", "");
    let out = status(&sandbox, &dir, &BTreeMap::new(), false);
    insta::assert_snapshot!("untrusted", redact(&stdout(&out)));
}

#[test]
fn invalid_config_says_why() {
    let sandbox = Sandbox::new();
    let dir = sandbox.allowed_project("billing", "ReadOnly", "");
    // The project is allowed; the user-wide defaults it inherits from break.
    let defaults = sandbox.home().join(".config/ssoenv/config.toml");
    std::fs::create_dir_all(defaults.parent().unwrap()).unwrap();
    std::fs::write(&defaults, "regoin = \"eu-west-1\"\n").unwrap();
    let out = status(&sandbox, &dir, &BTreeMap::new(), false);
    insta::assert_snapshot!("invalid", redact(&stdout(&out)));
    let json: serde_json::Value =
        serde_json::from_slice(&status(&sandbox, &dir, &BTreeMap::new(), true).stdout).unwrap();
    assert_eq!(json["config"]["state"], "invalid");
    assert_eq!(json["next_prompt"]["action"], "fix_config");
}

#[test]
fn valid() {
    let sandbox = Sandbox::new();
    sandbox.login(Duration::from_secs(8 * 3600));
    let dir = sandbox.allowed_project("billing", "ReadOnly", "region = \"eu-west-1\"\n");
    let env = shell_env(&sandbox, &dir);
    let out = status(&sandbox, &dir, &env, false);
    assert_no_secrets(&stdout(&out), &env);
    insta::assert_snapshot!("valid", redact(&stdout(&out)));
    let out = status(&sandbox, &dir, &env, true);
    assert_no_secrets(&stdout(&out), &env);
    insta::assert_snapshot!("valid_json", redact(&stdout(&out)));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let key = env["AWS_ACCESS_KEY_ID"].as_str();
    let masked = json["credentials"]["access_key"].as_str().unwrap();
    assert!(masked.ends_with(&key[key.len() - 4..]));
    assert_eq!(masked.len(), key.len());
}

#[test]
fn someone_elses_key_is_called_so() {
    let sandbox = Sandbox::new();
    sandbox.login(Duration::from_secs(8 * 3600));
    let dir = sandbox.allowed_project("billing", "ReadOnly", "");
    let mut env = shell_env(&sandbox, &dir);
    env.insert("AWS_ACCESS_KEY_ID".into(), "AKIAEXAMPLEOTHERKEY1".into());
    let out = status(&sandbox, &dir, &env, true);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["credentials"]["source"], "other");
    assert_eq!(json["credentials"]["access_key"], "****************KEY1");
}

#[test]
fn expiring() {
    let sandbox = Sandbox::new();
    sandbox.login(Duration::from_secs(8 * 3600));
    let dir = sandbox.allowed_project("billing", "ReadOnly", "region = \"eu-west-1\"\n");
    let mut env = shell_env(&sandbox, &dir);
    let expiry = age_cached_credentials(&sandbox, 300);
    env.insert("AWS_CREDENTIAL_EXPIRATION".into(), iso(expiry));
    let out = status(&sandbox, &dir, &env, false);
    insta::assert_snapshot!("expiring", redact(&stdout(&out)));
    let json: serde_json::Value =
        serde_json::from_slice(&status(&sandbox, &dir, &env, true).stdout).unwrap();
    assert_eq!(json["next_prompt"]["action"], "renew");
    assert!(json["credentials"]["seconds_left"].as_u64().unwrap() <= 300);
}

#[test]
fn expired_session() {
    let sandbox = Sandbox::new();
    sandbox.login(Duration::from_secs(8 * 3600));
    let dir = sandbox.allowed_project("billing", "ReadOnly", "region = \"eu-west-1\"\n");
    let mut env = shell_env(&sandbox, &dir);
    let expiry = age_cached_credentials(&sandbox, -60);
    env.insert("AWS_CREDENTIAL_EXPIRATION".into(), iso(expiry));
    // An AWS CLI login without sso-session: not refreshable, and now expired.
    let token = sandbox.emulator.issue_token(Duration::from_secs(0));
    sandbox.write_token(SESSION, &token);
    let out = status(&sandbox, &dir, &env, false);
    insta::assert_snapshot!("expired_session", redact(&stdout(&out)));
    let json: serde_json::Value =
        serde_json::from_slice(&status(&sandbox, &dir, &env, true).stdout).unwrap();
    assert_eq!(json["next_prompt"]["action"], "login");
    assert_eq!(json["session"]["state"], "expired");
    assert_eq!(json["session"]["refreshable"], false);
}

#[test]
fn redaction_keeps_what_matters() {
    assert_eq!(
        redact("expire in 7h 59m (2026-01-01T00:00:00Z), 45s, 12m; role x12m\n"),
        "expire in [DURATION] ([TIME]), [DURATION], [DURATION]; role x12m\n"
    );
    assert_eq!(redact("****ABCD set\n"), "****[LAST4] set\n");
}
