//! `ssoenv list` against the emulator: every account and role, through a
//! portal that answers 429 above its rate limit, with the cache and its
//! bypass.
//!
//! The full-size run from the issue (5,000 accounts × 3 roles at 20 req/s,
//! about 4 minutes) is ignored by default:
//! `cargo test --test list -- --ignored --nocapture five_thousand`.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use sso_emulator::{Account, Operation};
use support::{REGION, SESSION, START_URL, Sandbox, stderr, stdout};

/// A sandbox signed in to the `dev` session, which the AWS config file
/// defines, so `list` finds its session without a project.
fn signed_in() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.login(Duration::from_secs(8 * 3600));
    let config = sandbox.home().join(".aws/config");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(
        &config,
        format!("[sso-session {SESSION}]\nsso_start_url = {START_URL}\nsso_region = {REGION}\n"),
    )
    .unwrap();
    sandbox
}

fn list_json(sandbox: &Sandbox, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["list", "--json"];
    all.extend_from_slice(args);
    let out = sandbox.ssoenv(&sandbox.home(), &all);
    assert!(out.status.success(), "list failed: {}", stderr(&out));
    assert!(out.stderr.is_empty(), "list said: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("list --json prints JSON")
}

/// Lists `accounts` × `roles` through a portal limited to `per_second`, and
/// reports the wall time against the floor the limit implies.
fn list_under_rate_limit(accounts: u64, per_second: u32) -> (Duration, f64) {
    let sandbox = signed_in();
    let roles = ["AdministratorAccess", "Billing", "ReadOnly"];
    sandbox.emulator.generate_accounts(accounts, &roles);
    sandbox.emulator.set_rate_limit(Some(per_second));
    let started = Instant::now();
    let out = sandbox
        .command(&sandbox.home())
        .args(["list", "--json"])
        .env("SSOENV_LIST_DEBUG", "1")
        .output()
        .unwrap();
    eprintln!("{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let wall = started.elapsed();
    let listed = json["accounts"].as_array().unwrap();
    assert_eq!(listed.len() as u64, accounts, "every account is listed");
    for account in listed {
        assert_eq!(account["roles"], serde_json::json!(roles), "{account}");
    }
    let pages = accounts.div_ceil(100);
    let needed = accounts + pages;
    let calls = sandbox.emulator.calls(Operation::ListAccountRoles)
        + sandbox.emulator.calls(Operation::ListAccounts);
    let floor = needed as f64 / f64::from(per_second);
    eprintln!(
        "list: {accounts} accounts × {} roles at {per_second} req/s: {:.1} s wall, floor {floor:.1} s ({:.2}×), {needed} requests needed, {} throttled and retried",
        roles.len(),
        wall.as_secs_f64(),
        wall.as_secs_f64() / floor,
        calls - needed
    );
    (wall, floor)
}

#[test]
fn five_hundred_accounts_through_a_rate_limit() {
    let (wall, floor) = list_under_rate_limit(500, 100);
    // Generous for a loaded CI machine; locally it is close to the floor.
    assert!(
        wall.as_secs_f64() < floor * 3.0 + 5.0,
        "took {wall:?} against a floor of {floor:.1} s"
    );
}

#[test]
#[ignore = "about 4 minutes: the full-size run from the issue"]
fn five_thousand_accounts_at_twenty_per_second() {
    let (wall, floor) = list_under_rate_limit(5000, 20);
    assert!(
        wall.as_secs_f64() < floor * 1.5,
        "took {wall:?} against {floor:.1} s"
    );
}

fn cache_file(sandbox: &Sandbox) -> PathBuf {
    let hash = support::sha1_hex(SESSION);
    sandbox
        .home()
        .join(".cache/ssoenv/accounts")
        .join(format!("{hash}.json"))
}

#[test]
fn the_listing_is_cached_until_refreshed() {
    let sandbox = signed_in();
    let first = list_json(&sandbox, &[]);
    let calls = sandbox.emulator.total_calls();
    assert!(calls > 0);
    let mode = std::fs::metadata(cache_file(&sandbox))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);

    let second = list_json(&sandbox, &[]);
    assert_eq!(first["accounts"], second["accounts"]);
    assert_eq!(
        sandbox.emulator.total_calls(),
        calls,
        "served from the cache"
    );

    list_json(&sandbox, &["--refresh"]);
    assert!(
        sandbox.emulator.total_calls() > calls,
        "--refresh asks the portal"
    );

    let before = sandbox.emulator.total_calls();
    let out = sandbox
        .command(&sandbox.home())
        .args(["list", "--json"])
        .env("SSOENV_LIST_TTL", "0")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        sandbox.emulator.total_calls() > before,
        "a TTL of 0 never reuses"
    );
}

#[test]
fn the_table_is_sorted_by_account_name() {
    let sandbox = signed_in();
    sandbox.emulator.set_accounts(vec![
        Account::new("222222222222", "zeta", &["ReadOnly"]),
        Account::new("111111111111", "Alpha", &["ReadOnly", "Admin"]),
    ]);
    let out = sandbox.ssoenv(&sandbox.home(), &["list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("ACCOUNT"), "{text}");
    assert!(lines[1].starts_with("111111111111  Alpha"), "{text}");
    assert!(lines[1].ends_with("Admin, ReadOnly"), "{text}");
    assert!(lines[2].starts_with("222222222222  zeta"), "{text}");
    assert!(
        !text.contains('\x1b'),
        "no colour when stdout is not a terminal"
    );
}

#[test]
fn without_a_login_it_says_to_log_in() {
    let sandbox = signed_in();
    std::fs::remove_file(sandbox.token_cache_file()).unwrap();
    let out = sandbox.ssoenv(&sandbox.home(), &["list"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.starts_with("ssoenv: "), "{err}");
    assert!(err.contains("ssoenv login"), "{err}");
}

#[test]
fn without_any_session_it_says_where_to_configure_one() {
    let sandbox = Sandbox::new();
    let out = sandbox.ssoenv(&sandbox.home(), &["list"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("no SSO session is configured"), "{err}");
    assert!(err.contains("--profile"), "{err}");
}
