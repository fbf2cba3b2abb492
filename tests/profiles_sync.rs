//! `ssoenv profiles sync`: one AWS config profile per account and role,
//! written into the user's real config file next to their own sections, and
//! used by the AWS tools themselves — botocore, the AWS CLI (v1, from the test
//! venv) and the AWS SDK for Rust's profile provider — against the emulator.

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use sso_emulator::AssumableRole;
use support::{REGION, START_URL, Sandbox, aws_cli, harness, stderr, stdout};

const ROLES: [&str; 3] = ["AdministratorAccess", "ReadOnlyAccess", "Billing"];

/// The user's own file: a comment, `[default]`, a hand-written profile, the
/// session, CRLF line ends throughout.
fn user_config() -> String {
    format!(
        "# my AWS settings\r\n[default]\r\nregion = us-west-2\r\noutput = json\r\n\r\n\
         ; written by hand, keep\r\n[profile legacy]\r\nsso_session = dev\r\n\
         sso_account_id = 100000000000\r\nsso_role_name = AdministratorAccess\r\n\r\n\
         [sso-session dev]\r\nsso_start_url = {START_URL}\r\nsso_region = {REGION}\r\n"
    )
}

/// Signed in to `dev`, with `accounts` × [`ROLES`] in the portal and the
/// user's config file in place.
fn signed_in(accounts: u64) -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.login(Duration::from_secs(8 * 3600));
    sandbox.emulator.generate_accounts(accounts, &ROLES);
    let config = config_file(&sandbox);
    fs::create_dir_all(config.parent().unwrap()).unwrap();
    fs::write(&config, user_config()).unwrap();
    sandbox
}

fn config_file(sandbox: &Sandbox) -> PathBuf {
    sandbox.home().join(".aws/config")
}

fn config_text(sandbox: &Sandbox) -> String {
    fs::read_to_string(config_file(sandbox)).unwrap()
}

fn sync(sandbox: &Sandbox, args: &[&str]) -> String {
    let mut all = vec!["profiles", "sync"];
    all.extend_from_slice(args);
    let out = sandbox.ssoenv(&sandbox.home(), &all);
    assert!(out.status.success(), "sync failed: {}", stderr(&out));
    stderr(&out)
}

/// The names of the `[profile …]` sections, in file order.
fn profiles(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| line.strip_prefix("[profile "))
        .map(|rest| rest.trim_end_matches(['\r', ']']).to_owned())
        .collect()
}

/// The ARN GetCallerIdentity shows for each profile, through botocore.
fn caller_arns_through_botocore(sandbox: &Sandbox, names: &[&str]) -> Vec<String> {
    let python = harness::python().expect("botocore is installed");
    let mut cmd = Command::new(python);
    sandbox.apply_env(&mut cmd);
    let out = cmd
        .arg("-c")
        .arg(
            "import sys, boto3\n\
             for name in sys.argv[1:]:\n\
             \x20   sts = boto3.Session(profile_name=name).client('sts')\n\
             \x20   print(sts.get_caller_identity()['Arn'])",
        )
        .args(names)
        .output()
        .expect("run python");
    assert!(out.status.success(), "botocore failed: {}", stderr(&out));
    stdout(&out).lines().map(str::to_owned).collect()
}

fn caller_arn_through_aws_cli(sandbox: &Sandbox, aws: &Path, profile: &str) -> String {
    let mut cmd = Command::new(aws);
    sandbox.apply_env(&mut cmd);
    let out = cmd
        .args([
            "sts",
            "get-caller-identity",
            "--profile",
            profile,
            "--query",
            "Arn",
            "--output",
            "text",
        ])
        .output()
        .expect("run aws");
    assert!(out.status.success(), "aws failed: {}", stderr(&out));
    stdout(&out).trim().to_owned()
}

/// The access key the AWS SDK for Rust's profile provider resolves for
/// `profile`, from a child run of [`rust_sdk_profile_probe`] with the
/// sandbox's environment (the provider reads the process environment).
fn access_key_through_rust_sdk(sandbox: &Sandbox, profile: &str) -> String {
    let out_file = sandbox.home().join("rust-sdk-probe.txt");
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    sandbox.apply_env(&mut cmd);
    let out = cmd
        .env(PROBE_PROFILE, profile)
        .env(PROBE_OUT, &out_file)
        .args([
            "--exact",
            "rust_sdk_profile_probe",
            "--nocapture",
            "--test-threads=1",
        ])
        .output()
        .expect("run the probe");
    assert!(
        out.status.success(),
        "probe failed: {}{}",
        stdout(&out),
        stderr(&out)
    );
    fs::read_to_string(out_file).expect("the probe wrote its answer")
}

const PROBE_PROFILE: &str = "SSOENV_TEST_SDK_PROFILE";
const PROBE_OUT: &str = "SSOENV_TEST_SDK_OUT";

/// Not a test on its own: with [`PROBE_PROFILE`] set, resolves that profile
/// with the Rust SDK's profile credentials provider and writes the access
/// key id to [`PROBE_OUT`].
#[test]
fn rust_sdk_profile_probe() {
    use aws_credential_types::provider::ProvideCredentials;
    let (Ok(profile), Ok(out)) = (std::env::var(PROBE_PROFILE), std::env::var(PROBE_OUT)) else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let key = runtime.block_on(async {
        let provider = aws_config::profile::ProfileFileCredentialsProvider::builder()
            .profile_name(&profile)
            .build();
        let creds = provider
            .provide_credentials()
            .await
            .expect("the profile resolves");
        creds.access_key_id().to_owned()
    });
    fs::write(out, key).unwrap();
}

/// The scenario: 40 accounts × 3 roles into a file the user already
/// has, then the AWS tools use the profiles, a second sync changes nothing,
/// the user's own edit survives, and a shrinking portal makes profiles stale
/// (kept) until --prune removes them and only them.
#[test]
fn forty_accounts_become_120_profiles_that_the_aws_tools_use() {
    let sandbox = signed_in(40);
    let aws = aws_cli().expect("the AWS CLI is installed");
    let original = user_config();
    assert_eq!(
        profiles(&original),
        ["legacy"],
        "precondition: one profile of the user's"
    );

    let said = sync(&sandbox, &[]);
    assert!(
        said.contains("~/.aws/config: wrote 120 new and 0 changed profiles, 0 already in step (sso-session dev"),
        "{said}"
    );
    let written = config_text(&sandbox);
    assert!(
        written.starts_with(&original),
        "every byte of the user's comes first, unchanged"
    );
    let names = profiles(&written);
    assert_eq!(names.len(), 121);
    assert_eq!(names[1], "Account-1/AdministratorAccess");
    assert!(names.contains(&"Account-40/Billing".to_owned()));
    assert_eq!(
        written.matches("[sso-session").count(),
        1,
        "the user's session is reused"
    );
    assert!(
        !written.replace("\r\n", "").contains('\n'),
        "CRLF stays CRLF"
    );

    let sampled = [
        (0, "AdministratorAccess"),
        (16, "ReadOnlyAccess"),
        (39, "Billing"),
    ];
    let expected: Vec<String> = sampled
        .iter()
        .map(|(index, role)| {
            let account = sandbox.emulator.account(*index).unwrap();
            sandbox.emulator.sso_caller_arn(&account.account_id, role)
        })
        .collect();
    let sampled_names: Vec<String> = sampled
        .iter()
        .map(|(index, role)| format!("Account-{}/{role}", index + 1))
        .collect();
    let sampled_names: Vec<&str> = sampled_names.iter().map(String::as_str).collect();
    assert_eq!(
        caller_arns_through_botocore(&sandbox, &sampled_names),
        expected
    );
    for (name, arn) in sampled_names.iter().zip(&expected) {
        assert_eq!(&caller_arn_through_aws_cli(&sandbox, &aws, name), arn);
    }
    let key = access_key_through_rust_sdk(&sandbox, sampled_names[1]);
    assert_eq!(
        sandbox.emulator.caller_arn(&key).as_ref(),
        Some(&expected[1])
    );

    let said = sync(&sandbox, &[]);
    assert!(
        said.contains("wrote 0 new and 0 changed profiles, 120 already in step"),
        "{said}"
    );
    assert_eq!(
        config_text(&sandbox),
        written,
        "a second sync is byte-identical"
    );

    // The user's own key, set with the AWS CLI itself, which keeps the marker.
    let mut set = Command::new(&aws);
    sandbox.apply_env(&mut set);
    let out = set
        .args([
            "configure",
            "set",
            "output",
            "text",
            "--profile",
            "Account-2/Billing",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let edited = config_text(&sandbox);
    assert_ne!(
        edited, written,
        "precondition: aws configure set changed the file"
    );
    // The AWS CLI rewrites the whole file with its own line ends; from here
    // on, the user's part is what it left.
    let users_part = &edited[..edited.find("[profile Account-1/").unwrap()];
    assert_eq!(profiles(users_part), ["legacy"]);
    let said = sync(&sandbox, &[]);
    assert!(
        said.contains("120 already in step"),
        "the section is still ssoenv's: {said}"
    );
    assert_eq!(config_text(&sandbox), edited, "the user's key stays");

    sandbox.emulator.generate_accounts(20, &ROLES);
    let said = sync(&sandbox, &["--refresh"]);
    assert!(
        said.contains(
            "60 profiles are stale (their account or role is gone): Account-21/AdministratorAccess,"
        ),
        "{said}"
    );
    assert_eq!(
        config_text(&sandbox),
        edited,
        "without --prune nothing goes"
    );
    let said = sync(&sandbox, &["--prune"]);
    assert!(said.contains(", removed 60"), "{said}");
    let pruned = config_text(&sandbox);
    assert_eq!(profiles(&pruned).len(), 61);
    assert!(
        pruned.starts_with(users_part),
        "the user's sections are untouched"
    );
    assert!(
        pruned.contains(
            "[profile Account-2/Billing]\n# ssoenv: managed by 'ssoenv profiles sync' (sso-session dev)\n\
             sso_session = dev\nsso_account_id = 100000000001\nsso_role_name = Billing\n\
             region = us-east-1\noutput = text\n"
        ),
        "the marker and the user's key survive aws configure set and the syncs: {pruned}"
    );
}

/// [`ROLES`] in the order a sync writes them.
const SORTED_ROLES: [&str; 3] = ["AdministratorAccess", "Billing", "ReadOnlyAccess"];

/// A synced profile section as a sync writes it into [`user_config`]'s file
/// (CRLF), with `extra` lines of the user's after the owned keys.
fn synced_section(account: u64, role: &str, extra: &str) -> String {
    format!(
        "\r\n[profile Account-{account}/{role}]\r\n# ssoenv: managed by 'ssoenv profiles sync' (sso-session dev)\r\n\
         sso_session = dev\r\nsso_account_id = {}\r\nsso_role_name = {role}\r\nregion = {REGION}\r\n{extra}",
        99_999_999_999 + account
    )
}

/// The scenario: a key of the user's in one profile of an account
/// that is then taken away. --prune removes the others and keeps that one,
/// naming it, the keys that made it the user's and how to remove it;
/// --prune --force removes it too.
#[test]
fn prune_names_the_profile_it_keeps_for_the_users_keys_and_force_removes_it() {
    let sandbox = signed_in(2);
    sync(&sandbox, &[]);
    let mut synced = user_config();
    for account in 1..=2 {
        for role in SORTED_ROLES {
            synced.push_str(&synced_section(account, role, ""));
        }
    }
    assert_eq!(
        config_text(&sandbox),
        synced,
        "precondition: the first sync"
    );
    let users_key = "output = json\r\n";
    let edited = synced.replace(
        &synced_section(2, "Billing", ""),
        &synced_section(2, "Billing", users_key),
    );
    assert_ne!(edited, synced);
    fs::write(config_file(&sandbox), &edited).unwrap();

    sandbox.emulator.generate_accounts(1, &ROLES);
    let said = sync(&sandbox, &["--prune", "--refresh"]);
    assert_eq!(
        said,
        "ssoenv: ~/.aws/config: wrote 0 new and 0 changed profiles, 3 already in step, removed 2 \
         (sso-session dev, from [sso-session dev] of ~/.aws/config)\n\
         ssoenv: kept [profile Account-2/Billing]: its account or role is gone, but you added output \
         to it — remove it by hand, or with --prune --force\n"
    );
    let mut kept = user_config();
    for role in SORTED_ROLES {
        kept.push_str(&synced_section(1, role, ""));
    }
    kept.push_str(&synced_section(2, "Billing", users_key));
    assert_eq!(config_text(&sandbox), kept);

    let out = sandbox.ssoenv(&sandbox.home(), &["profiles", "sync", "--force"]);
    assert_eq!(out.status.code(), Some(2), "--force needs --prune");
    assert_eq!(config_text(&sandbox), kept);

    let said = sync(&sandbox, &["--prune", "--force"]);
    assert_eq!(
        said,
        "ssoenv: ~/.aws/config: wrote 0 new and 0 changed profiles, 3 already in step, removed 1 \
         (sso-session dev, from [sso-session dev] of ~/.aws/config)\n"
    );
    let mut gone = user_config();
    for role in SORTED_ROLES {
        gone.push_str(&synced_section(1, role, ""));
    }
    assert_eq!(config_text(&sandbox), gone);
}

/// `--credential-process` profiles: the AWS tools go through ssoenv, for a
/// synced profile and for the user's chained profile that starts from one.
#[test]
fn credential_process_profiles_work_through_botocore_and_a_chain() {
    let sandbox = signed_in(2);
    let first = sandbox.emulator.account(0).unwrap().account_id;
    let deploy = format!("arn:aws:iam::{first}:role/Deploy");
    let admin = sandbox.emulator.sso_role_arn(&first, "AdministratorAccess");
    sandbox
        .emulator
        .create_role(AssumableRole::new(&deploy).trust_role(&admin));
    // ssoenv installed where the path needs quoting, as under "Program Files".
    let bin = sandbox.home().join("my tools & more/bin");
    fs::create_dir_all(&bin).unwrap();
    let built = Path::new(env!("CARGO_BIN_EXE_ssoenv"));
    for name in ["ssoenv", "ssoenv-core"] {
        fs::hard_link(built.with_file_name(name), bin.join(name)).unwrap();
    }
    let exe = bin.join("ssoenv");
    let mut cmd = Command::new(&exe);
    sandbox.apply_env(&mut cmd);
    let out = cmd
        .current_dir(sandbox.home())
        .args(["profiles", "sync", "--credential-process"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = config_text(&sandbox);
    assert!(
        text.contains(&format!(
            "credential_process = \"{}\" credential-process --sso-session dev --account-id {first} --role-name AdministratorAccess\r\n",
            exe.display()
        )),
        "{text}"
    );
    assert!(
        !text.contains("sso_account_id = 100000000001"),
        "no SSO keys: the AWS tools would use them first"
    );
    fs::write(
        config_file(&sandbox),
        format!("{text}\r\n[profile deploy]\r\nrole_arn = {deploy}\r\nsource_profile = Account-1/AdministratorAccess\r\nregion = us-east-1\r\n"),
    )
    .unwrap();

    let arns = caller_arns_through_botocore(&sandbox, &["Account-2/Billing", "deploy"]);
    let second = sandbox.emulator.account(1).unwrap().account_id;
    assert_eq!(arns[0], sandbox.emulator.sso_caller_arn(&second, "Billing"));
    assert!(
        arns[1].starts_with(&format!("arn:aws:sts::{first}:assumed-role/Deploy/")),
        "{}",
        arns[1]
    );
    // The process went through ssoenv's cache: its credentials are there.
    let cached = fs::read_dir(sandbox.credential_cache_dir())
        .unwrap()
        .count();
    assert!(cached >= 2, "ssoenv cached {cached} credentials");
}

#[test]
fn a_hand_written_profile_of_the_same_name_is_skipped_and_kept() {
    let sandbox = signed_in(1);
    let mine = "[profile Account-1/Billing]\nregion = eu-north-1\n";
    fs::write(config_file(&sandbox), format!("{}{mine}", user_config())).unwrap();
    let said = sync(&sandbox, &[]);
    assert!(
        said.contains(
            "skipped 100000000000/Billing: [profile Account-1/Billing] is not written by ssoenv and stays as it is — pick other names with --name"
        ),
        "{said}"
    );
    assert!(said.contains("wrote 2 new"), "{said}");
    assert!(config_text(&sandbox).contains(mine));
}

#[test]
fn dry_run_prints_the_diff_and_writes_nothing() {
    let sandbox = signed_in(1);
    let out = sandbox.ssoenv(&sandbox.home(), &["profiles", "sync", "--dry-run"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let diff = stdout(&out);
    assert!(
        diff.starts_with("--- ~/.aws/config\n+++ ~/.aws/config\n@@ "),
        "{diff}"
    );
    assert!(
        diff.contains("+[profile Account-1/ReadOnlyAccess]\r\n"),
        "{diff}"
    );
    assert!(
        stderr(&out).contains("would write 3 new"),
        "{}",
        stderr(&out)
    );
    assert_eq!(config_text(&sandbox), user_config());
}

#[test]
fn an_unreadable_file_is_left_alone_with_its_line() {
    let sandbox = signed_in(1);
    let broken = format!("{}[profile x]\nthis is not a setting\n", user_config());
    fs::write(config_file(&sandbox), &broken).unwrap();
    let calls = sandbox.emulator.total_calls();
    let out = sandbox.ssoenv(&sandbox.home(), &["profiles", "sync"]);
    assert!(!out.status.success());
    assert_eq!(
        stderr(&out),
        "ssoenv: ~/.aws/config:16: cannot read this line — write it as key = value, or start comments with # — nothing was changed\n"
    );
    assert_eq!(config_text(&sandbox), broken);
    assert_eq!(
        sandbox.emulator.total_calls(),
        calls,
        "the portal was not asked"
    );
}

#[test]
fn bad_requests_say_what_exists() {
    let sandbox = signed_in(1);
    let out = sandbox.ssoenv(
        &sandbox.home(),
        &["profiles", "sync", "--sso-session", "prod"],
    );
    assert!(!out.status.success());
    assert_eq!(
        stderr(&out),
        "ssoenv: there is no [sso-session prod] in ~/.aws/config — it has dev\n"
    );
    let out = sandbox.ssoenv(
        &sandbox.home(),
        &["profiles", "sync", "--name", "{acct}/{role_name}"],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("unknown placeholder {acct}"),
        "{}",
        stderr(&out)
    );
    assert_eq!(config_text(&sandbox), user_config());
}

/// The key `ssoenv export-credentials --profile NAME` hands out, and whose it is.
fn caller_of_profile(sandbox: &Sandbox, profile: &str) -> Option<String> {
    let out = sandbox.ssoenv(
        &sandbox.home(),
        &[
            "export-credentials",
            "--profile",
            profile,
            "--format",
            "process",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    sandbox
        .emulator
        .caller_arn(json["AccessKeyId"].as_str().unwrap())
}

/// ssoenv's own `--profile` takes the names it wrote, in both modes, and
/// `init --profile NAME` writes that account and role without asking.
#[test]
fn synced_profiles_work_with_ssoenvs_own_profile_flag() {
    let sandbox = signed_in(2);
    let second = sandbox.emulator.account(1).unwrap().account_id;
    for mode in [&["--credential-process"][..], &[][..]] {
        sync(&sandbox, mode);
        assert_eq!(
            caller_of_profile(&sandbox, "Account-2/Billing"),
            Some(sandbox.emulator.sso_caller_arn(&second, "Billing")),
            "with {mode:?}"
        );
    }
    assert!(
        !config_text(&sandbox).contains("credential_process"),
        "precondition: the last sync switched the profiles back to SSO keys"
    );
    let project = sandbox.home().join("billing");
    fs::create_dir_all(&project).unwrap();
    let out = sandbox.ssoenv(&project, &["init", "--profile", "Account-2/ReadOnlyAccess"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let written = fs::read_to_string(project.join(".awssso.toml")).unwrap();
    assert!(
        written.contains(&format!("sso_account_id = \"{second}\"\n")),
        "{written}"
    );
    assert!(
        written.contains("sso_role_name  = \"ReadOnlyAccess\"\n"),
        "{written}"
    );
}

/// A PATH that finds the `ssoenv` under test first, as the completion
/// scripts call it by name.
fn path_with_ssoenv() -> String {
    let dir = Path::new(env!("CARGO_BIN_EXE_ssoenv"))
        .parent()
        .unwrap()
        .to_owned();
    let rest = std::env::var_os("PATH").unwrap_or_default();
    std::env::join_paths(std::iter::once(dir).chain(std::env::split_paths(&rest)))
        .unwrap()
        .into_string()
        .unwrap()
}

fn completions_script(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("completions")
        .join(name)
        .display()
        .to_string()
}

/// `--profile <Tab>` offers the profile names, synced ones included, in
/// bash, fish (both asked directly) and zsh (a real terminal).
#[test]
fn completions_offer_the_synced_profile_names() {
    let sandbox = signed_in(1);
    sync(&sandbox, &[]);
    let expected = "Account-1/AdministratorAccess Account-1/Billing Account-1/ReadOnlyAccess";
    let out = sandbox.ssoenv(&sandbox.home(), &["profiles", "list"]);
    assert_eq!(
        stdout(&out),
        "default\nlegacy\nAccount-1/AdministratorAccess\nAccount-1/Billing\nAccount-1/ReadOnlyAccess\n"
    );

    let bash = harness::require_tool("bash").expect("bash");
    let mut cmd = Command::new(bash);
    sandbox.apply_env(&mut cmd);
    let out = cmd
        .env("PATH", path_with_ssoenv())
        .args(["--noprofile", "--norc", "-c"])
        .arg(format!(
            "source '{}'; COMP_WORDS=(ssoenv exec --profile Account-1/); COMP_CWORD=3; \
             COMP_LINE='ssoenv exec --profile Account-1/'; COMP_POINT=${{#COMP_LINE}}; \
             _ssoenv ssoenv Account-1/ --profile; printf '%s\\n' \"${{COMPREPLY[@]}}\" | sort",
            completions_script("ssoenv.bash")
        ))
        .output()
        .unwrap();
    assert_eq!(
        stdout(&out)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
        expected,
        "bash: {}",
        stderr(&out)
    );

    let fish = harness::require_tool("fish").expect("fish");
    let mut cmd = Command::new(fish);
    sandbox.apply_env(&mut cmd);
    let out = cmd
        .env("PATH", path_with_ssoenv())
        .args(["--no-config", "-c"])
        .arg(format!(
            "source '{}'; complete -C 'ssoenv exec --profile Account-1/' | sort",
            completions_script("ssoenv.fish")
        ))
        .output()
        .unwrap();
    let listed = stdout(&out);
    let offered: Vec<&str> = listed
        .lines()
        .map(|line| line.split('\t').next().unwrap())
        .collect();
    assert_eq!(offered.join(" "), expected, "fish: {}", stderr(&out));

    let rc = format!(
        "fpath=({} $fpath); autoload -Uz compinit; compinit -u -D",
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("completions")
            .display()
    );
    let path = path_with_ssoenv();
    let Some(zsh) = support::interactive::Interactive::start_with_rc(
        &sandbox,
        support::interactive::Kind::Zsh,
        &sandbox.home(),
        &[("PATH", &path)],
        &rc,
    ) else {
        return;
    };
    zsh.send_text("ssoenv exec --profile Account-1/");
    zsh.send_key("Tab");
    zsh.wait_until("zsh lists the three profiles", || {
        let screen = zsh.screen();
        expected
            .split(' ')
            .all(|name| screen.contains(&name["Account-1/".len()..]))
            && screen.contains("Billing")
    });
    zsh.send_key("C-c");
}

/// 5,000 accounts × 3 roles: 15,000 profiles in one pass, and a second
/// sync (listing cached) that reads them all and changes nothing. The time
/// bound is loose, for a debug build on a busy machine, and catches only a
/// gross slowdown; `bench/run` measures the release build.
#[test]
fn fifteen_thousand_profiles_in_one_pass() {
    let sandbox = signed_in(5000);
    sync(&sandbox, &[]);
    let written = config_text(&sandbox);
    assert_eq!(profiles(&written).len(), 15_001);
    let calls = sandbox.emulator.total_calls();
    let started = std::time::Instant::now();
    let said = sync(&sandbox, &[]);
    let took = started.elapsed();
    assert!(said.contains("15000 already in step"), "{said}");
    assert_eq!(
        sandbox.emulator.total_calls(),
        calls,
        "the listing was cached"
    );
    assert_eq!(config_text(&sandbox), written);
    assert!(
        took < Duration::from_secs(5),
        "a sync that changes nothing took {took:?}"
    );
}
