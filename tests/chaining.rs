//! Role chaining end to end: the SSO role is the source, `sts:AssumeRole`
//! gives the credentials a command gets, against the emulator's STS, which
//! verifies every request's SigV4 signature against the secret it issued —
//! so a test passes only when the credentials that came out are byte-exact
//! and live. botocore is the independent client that resolves the same
//! chain from an AWS config profile.

mod support;

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use sso_emulator::{AssumableRole, Operation};
use support::{Sandbox, access_key, credentials_of, harness, stderr, stdout};

const DEPLOY: &str = "arn:aws:iam::222222222222:role/Deploy";
const AUDIT: &str = "arn:aws:iam::333333333333:role/team/Audit";
const BREAK_GLASS: &str = "arn:aws:iam::444444444444:role/BreakGlass";
const USER: &str = "alice@example.com";

/// A signed-in sandbox where Deploy trusts the first account's
/// AdministratorAccess permission set, Audit trusts Deploy and BreakGlass
/// trusts Audit with an external id.
fn chain_sandbox() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.emulator.set_user_name(USER);
    sandbox.login(Duration::from_secs(8 * 3600));
    let admin = sandbox
        .emulator
        .sso_role_arn(&sandbox.account_id(), "AdministratorAccess");
    sandbox
        .emulator
        .create_role(AssumableRole::new(DEPLOY).trust_role(&admin));
    sandbox
        .emulator
        .create_role(AssumableRole::new(AUDIT).trust_role(DEPLOY));
    sandbox.emulator.create_role(
        AssumableRole::new(BREAK_GLASS)
            .trust_role(AUDIT)
            .external_id("glass-42"),
    );
    sandbox
}

fn calls(sandbox: &Sandbox, operation: Operation) -> u64 {
    sandbox.emulator.calls(operation)
}

/// The ARN STS itself gives for the credentials `vars` hold: botocore signs
/// GetCallerIdentity with them and the emulator checks the signature.
fn caller_arn_via_botocore(sandbox: &Sandbox, vars: &[(String, String)]) -> Option<String> {
    let python = harness::python()?;
    let mut cmd = Command::new(python);
    sandbox.apply_env(&mut cmd);
    for (name, value) in vars {
        cmd.env(name, value);
    }
    let out = cmd
        .args([
            "-c",
            "import botocore.session\n\
             sts = botocore.session.get_session().create_client('sts', region_name='us-east-1')\n\
             print(sts.get_caller_identity()['Arn'])",
        ])
        .stdin(Stdio::null())
        .output()
        .expect("run python");
    assert!(out.status.success(), "botocore: {}", stderr(&out));
    Some(stdout(&out).trim().to_owned())
}

fn chained_project(sandbox: &Sandbox, extra: &str) -> std::path::PathBuf {
    sandbox.allowed_project(
        "deploy",
        "AdministratorAccess",
        &format!("role_arn = \"{DEPLOY}\"\n{extra}"),
    )
}

#[test]
fn a_chained_project_hands_out_the_assumed_role() {
    let sandbox = chain_sandbox();
    let project = chained_project(&sandbox, "");
    let vars = credentials_of(&sandbox, &project);
    let key = access_key(&vars);
    assert_eq!(
        sandbox.emulator.caller_arn(&key).as_deref(),
        Some(format!("arn:aws:sts::222222222222:assumed-role/Deploy/{USER}").as_str()),
        "named after the SSO user, as AWS names SSO sessions"
    );
    assert_eq!(calls(&sandbox, Operation::GetRoleCredentials), 1);
    assert_eq!(calls(&sandbox, Operation::AssumeRole), 1);
    assert_eq!(
        calls(&sandbox, Operation::GetCallerIdentity),
        1,
        "the SSO user, asked once"
    );
    let Some(arn) = caller_arn_via_botocore(&sandbox, &vars) else {
        return;
    };
    assert_eq!(
        arn,
        format!("arn:aws:sts::222222222222:assumed-role/Deploy/{USER}")
    );

    // Cached like SSO role credentials: no request the second time.
    sandbox.emulator.reset_calls();
    assert_eq!(access_key(&credentials_of(&sandbox, &project)), key);
    assert_eq!(sandbox.emulator.total_calls(), 0);
}

#[test]
fn an_explicit_session_name_is_used_as_is() {
    let sandbox = chain_sandbox();
    let project = chained_project(&sandbox, "role_session_name = \"deployer\"\n");
    let key = access_key(&credentials_of(&sandbox, &project));
    assert_eq!(
        sandbox.emulator.caller_arn(&key).as_deref(),
        Some("arn:aws:sts::222222222222:assumed-role/Deploy/deployer")
    );
    assert_eq!(calls(&sandbox, Operation::GetCallerIdentity), 0);
}

#[test]
fn the_derived_session_name_is_sanitised_for_sts() {
    let sandbox = chain_sandbox();
    sandbox.emulator.set_user_name("Jürgen Müller");
    let project = chained_project(&sandbox, "");
    let key = access_key(&credentials_of(&sandbox, &project));
    assert_eq!(
        sandbox.emulator.caller_arn(&key).as_deref(),
        Some("arn:aws:sts::222222222222:assumed-role/Deploy/J-rgen-M-ller")
    );
}

/// The AWS config of a three-hop chain, ending at an SSO profile.
fn write_chain_config(sandbox: &Sandbox, session_names: bool) {
    let name = |n: &str| {
        if session_names {
            format!("role_session_name = {n}\n")
        } else {
            String::new()
        }
    };
    let config = format!(
        "[sso-session {session}]\nsso_start_url = {url}\nsso_region = {region}\nsso_registration_scopes = sso:account:access\n\n\
         [profile sso-admin]\nsso_session = {session}\nsso_account_id = {account}\nsso_role_name = AdministratorAccess\nregion = eu-west-1\n\n\
         [profile deploy]\nrole_arn = {DEPLOY}\nsource_profile = sso-admin\n{deploy}\n\
         [profile audit]\nrole_arn = {AUDIT}\nsource_profile = deploy\n{audit}\n\
         [profile break-glass]\nrole_arn = {BREAK_GLASS}\nsource_profile = audit\nexternal_id = glass-42\nregion = eu-west-1\n{glass}",
        session = support::SESSION,
        url = support::START_URL,
        region = support::REGION,
        account = sandbox.account_id(),
        deploy = name("hop-one"),
        audit = name("hop-two"),
        glass = name("hop-three"),
    );
    fs::create_dir_all(sandbox.home().join(".aws")).unwrap();
    fs::write(sandbox.home().join(".aws/config"), config).unwrap();
}

#[test]
fn a_three_hop_profile_chain_and_botocore_resolve_the_same_role() {
    let sandbox = chain_sandbox();
    write_chain_config(&sandbox, true);
    let out = sandbox.ssoenv(
        &sandbox.home(),
        &[
            "export-credentials",
            "--profile",
            "break-glass",
            "--format",
            "env-no-export",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let vars = support::env_lines(&stdout(&out));
    let expected = "arn:aws:sts::444444444444:assumed-role/BreakGlass/hop-three";
    assert_eq!(
        sandbox.emulator.caller_arn(&access_key(&vars)).as_deref(),
        Some(expected)
    );
    assert_eq!(calls(&sandbox, Operation::AssumeRole), 3, "one per hop");
    assert_eq!(calls(&sandbox, Operation::GetRoleCredentials), 1);

    // botocore, given the same profile, walks the same chain through the
    // emulator (its own SSO and assume-role providers) to the same role.
    let Some(python) = harness::python() else {
        return;
    };
    let mut cmd = Command::new(python);
    sandbox.apply_env(&mut cmd);
    let out = cmd
        .args([
            "-c",
            "import botocore.session\n\
             s = botocore.session.Session(profile='break-glass')\n\
             print(s.create_client('sts').get_caller_identity()['Arn'])",
        ])
        .output()
        .expect("run python");
    assert!(out.status.success(), "botocore: {}", stderr(&out));
    assert_eq!(stdout(&out).trim(), expected);
}

/// Each failure is one line that names the role and the source, and the
/// prompt hook exports nothing for the target.
fn assert_refused(sandbox: &Sandbox, project: &Path, expected: &str) {
    let out = sandbox.ssoenv(project, &["export-credentials"]);
    assert!(!out.status.success());
    assert_eq!(stderr(&out), format!("ssoenv: {expected}\n"));
    assert_eq!(stdout(&out), "");

    let out = sandbox.ssoenv(project, &["export", "bash"]);
    assert!(out.status.success(), "the hook never fails the prompt");
    assert!(
        !stdout(&out).contains("AWS_ACCESS_KEY_ID"),
        "{}",
        stdout(&out)
    );
    assert_eq!(stderr(&out), format!("ssoenv: {expected}\n"));
}

#[test]
fn access_denied_names_the_role_the_source_and_what_aws_said() {
    let sandbox = chain_sandbox();
    // Audit trusts Deploy, not the SSO role.
    let project = sandbox.allowed_project(
        "audit",
        "AdministratorAccess",
        &format!("role_arn = \"{AUDIT}\"\nrole_session_name = \"me\"\n"),
    );
    let source = sandbox
        .emulator
        .sso_caller_arn(&sandbox.account_id(), "AdministratorAccess");
    assert_refused(
        &sandbox,
        &project,
        &format!(
            "cannot assume {AUDIT} from {}/AdministratorAccess: AccessDenied (User: {source} is not authorized to perform: sts:AssumeRole on resource: {AUDIT}) — check the role's trust policy and whether it asks for an external_id",
            sandbox.account_id()
        ),
    );
}

#[test]
fn a_missing_external_id_is_refused_with_the_hint() {
    let sandbox = chain_sandbox();
    write_chain_config(&sandbox, true);
    let config = fs::read_to_string(sandbox.home().join(".aws/config")).unwrap();
    fs::write(
        sandbox.home().join(".aws/config"),
        config.replace("external_id = glass-42\n", ""),
    )
    .unwrap();
    let project = sandbox.home().join("glass");
    fs::create_dir_all(&project).unwrap();
    fs::write(project.join(".awssso.toml"), "profile = \"break-glass\"\n").unwrap();
    assert!(sandbox.ssoenv(&project, &["allow"]).status.success());
    let source = "arn:aws:sts::333333333333:assumed-role/Audit/hop-two";
    assert_refused(
        &sandbox,
        &project,
        &format!(
            "cannot assume {BREAK_GLASS} from 333333333333/Audit: AccessDenied (User: {source} is not authorized to perform: sts:AssumeRole on resource: {BREAK_GLASS}) — check the role's trust policy and whether it asks for an external_id"
        ),
    );
}

#[test]
fn loops_missing_sources_and_long_durations_fail_before_any_request() {
    let sandbox = chain_sandbox();
    fs::create_dir_all(sandbox.home().join(".aws")).unwrap();
    fs::write(
        sandbox.home().join(".aws/config"),
        format!(
            "[profile a]\nrole_arn = {DEPLOY}\nsource_profile = b\n\n[profile b]\nrole_arn = {AUDIT}\nsource_profile = a\n\n\
             [profile dangling]\nrole_arn = {DEPLOY}\nsource_profile = nowhere\n"
        ),
    )
    .unwrap();
    for (profile, expected) in [
        (
            "a",
            "~/.aws/config:7:18: source_profile makes a loop: [profile a] → [profile b] → [profile a] — end the chain at an SSO profile",
        ),
        (
            "dangling",
            "~/.aws/config:11:18: source_profile \"nowhere\" of [profile dangling] is not in ~/.aws/config — fix the name, or add the SSO profile the chain starts from",
        ),
    ] {
        let out = sandbox.ssoenv(
            &sandbox.home(),
            &["export-credentials", "--profile", profile],
        );
        assert!(!out.status.success());
        assert_eq!(stderr(&out), format!("ssoenv: {expected}\n"));
    }
    let project = sandbox.project(
        "long",
        "AdministratorAccess",
        &format!("role_arn = \"{DEPLOY}\"\nduration_seconds = 7200\n"),
    );
    let out = sandbox.ssoenv(&project, &["export", "bash"]);
    assert!(!stdout(&out).contains("AWS_ACCESS_KEY_ID"));
    let out = sandbox.ssoenv(&project, &["export-credentials", "--config", "."]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("duration_seconds = 7200 is more than 3600, the 1-hour limit"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        sandbox.emulator.total_calls(),
        0,
        "nothing was asked of AWS"
    );
}

#[test]
fn fifty_callers_cause_one_assume_role() {
    let sandbox = chain_sandbox();
    let project = chained_project(&sandbox, "role_session_name = \"ci\"\n");
    let children: Vec<_> = (0..50)
        .map(|_| {
            sandbox
                .command(&project)
                .args(["export-credentials", "--format", "env-no-export"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn ssoenv")
        })
        .collect();
    let mut keys = Vec::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        keys.push(access_key(&support::env_lines(&stdout(&out))));
    }
    keys.dedup();
    assert_eq!(keys.len(), 1, "every caller got the same credentials");
    assert_eq!(calls(&sandbox, Operation::AssumeRole), 1);
    assert!(calls(&sandbox, Operation::GetRoleCredentials) <= 1);
}

#[test]
fn renewal_renews_the_chain_and_the_source_only_when_due() {
    let sandbox = chain_sandbox();
    sandbox
        .emulator
        .set_assumed_role_lifetime(Some(Duration::from_secs(20)));
    let project = chained_project(&sandbox, "role_session_name = \"ci\"\n");
    let first = access_key(&credentials_of(&sandbox, &project));
    // Past half of the 20 s lifetime: the hop is due, its 1-hour source is not.
    std::thread::sleep(Duration::from_secs(11));
    let second = access_key(&credentials_of(&sandbox, &project));
    assert_ne!(first, second);
    assert_eq!(calls(&sandbox, Operation::AssumeRole), 2);
    assert_eq!(calls(&sandbox, Operation::GetRoleCredentials), 1);
    assert!(sandbox.emulator.caller_arn(&second).is_some());

    // Now with a source that is due too: the source is renewed first.
    sandbox
        .emulator
        .set_credential_lifetime(Duration::from_secs(20));
    let other = sandbox.allowed_project(
        "other",
        "AdministratorAccess",
        &format!(
            "role_arn = \"{DEPLOY}\"\nrole_session_name = \"other\"\nregion = \"eu-west-1\"\n"
        ),
    );
    // A fresh SSO role cache with a 20 s lifetime…
    fs::remove_dir_all(sandbox.credential_cache_dir()).unwrap();
    credentials_of(&sandbox, &other);
    let sso_before = calls(&sandbox, Operation::GetRoleCredentials);
    std::thread::sleep(Duration::from_secs(11));
    // …is due at the same time as the hop: both are renewed, source first.
    let renewed = access_key(&credentials_of(&sandbox, &other));
    assert_eq!(
        calls(&sandbox, Operation::GetRoleCredentials),
        sso_before + 1
    );
    let order: Vec<Operation> = sandbox
        .emulator
        .requests()
        .iter()
        .map(|r| r.operation)
        .filter(|op| matches!(op, Operation::GetRoleCredentials | Operation::AssumeRole))
        .collect();
    assert_eq!(
        &order[order.len() - 2..],
        [Operation::GetRoleCredentials, Operation::AssumeRole]
    );
    assert_eq!(
        sandbox.emulator.caller_arn(&renewed).as_deref(),
        Some("arn:aws:sts::222222222222:assumed-role/Deploy/other")
    );
}

#[test]
fn logout_removes_the_chained_credentials_too() {
    let sandbox = chain_sandbox();
    let project = chained_project(&sandbox, "");
    credentials_of(&sandbox, &project);
    let files = || {
        fs::read_dir(sandbox.credential_cache_dir())
            .unwrap()
            .count()
    };
    assert_eq!(files(), 2, "the SSO role and the hop");
    let out = sandbox.ssoenv(&project, &["logout"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(files(), 0);
}

/// `exec` (its credential endpoint and `--no-server`) and
/// `credential-process` hand out the chained role too.
#[test]
fn exec_and_credential_process_hand_out_the_chained_role() {
    let sandbox = chain_sandbox();
    let project = chained_project(&sandbox, "role_session_name = \"ci\"\n");
    let expected = "arn:aws:sts::222222222222:assumed-role/Deploy/ci";

    let out = sandbox.ssoenv(&project, &["credential-process"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let key = json["AccessKeyId"].as_str().unwrap();
    assert_eq!(sandbox.emulator.caller_arn(key).as_deref(), Some(expected));

    let Some(python) = harness::python() else {
        return;
    };
    let whoami = "import boto3\n\
                  print(boto3.client('sts', region_name='us-east-1').get_caller_identity()['Arn'])";
    for extra in [&[][..], &["--no-server"][..]] {
        let mut args = vec!["exec"];
        args.extend_from_slice(extra);
        args.extend(["--", python.to_str().unwrap(), "-c", whoami]);
        let out = sandbox.ssoenv(&project, &args);
        assert!(out.status.success(), "{extra:?}: {}", stderr(&out));
        assert_eq!(stdout(&out).trim(), expected, "{extra:?}");
    }
    assert_eq!(
        calls(&sandbox, Operation::AssumeRole),
        1,
        "all from the cache"
    );
}
