//! `ssoenv write-credentials`: the portal's credentials-file profile, written
//! into the real file the AWS CLI (v1, from the test venv) and botocore read,
//! with every other byte of that file left alone.

mod support;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use sso_emulator::Operation;
use support::{Sandbox, access_key, aws_cli, credentials_of, harness, stderr, stdout};

fn logged_in() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.login(Duration::from_secs(8 * 3600));
    sandbox
}

fn credentials_file(sandbox: &Sandbox) -> PathBuf {
    sandbox.home().join(".aws/credentials")
}

fn section_name(sandbox: &Sandbox) -> String {
    format!("{}_AdministratorAccess", sandbox.account_id())
}

/// `aws configure list --profile NAME`'s (value, type) for `row`.
fn configure_list_row(sandbox: &Sandbox, aws: &Path, profile: &str, row: &str) -> (String, String) {
    let mut cmd = Command::new(aws);
    sandbox.apply_env(&mut cmd);
    let out = cmd
        .args(["configure", "list", "--profile", profile])
        .output()
        .expect("run aws");
    let listing = stdout(&out);
    assert!(
        out.status.success(),
        "aws configure list failed: {}{listing}",
        stderr(&out)
    );
    listing
        .lines()
        .find_map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            (words.first() == Some(&row)).then(|| (words[1].to_owned(), words[2].to_owned()))
        })
        .unwrap_or_else(|| panic!("no {row} row in:\n{listing}"))
}

/// The seed's check: after write-credentials, `aws configure list --profile`
/// shows both keys coming from the shared credentials file, and botocore with
/// that profile signs with the same key the shell would get.
#[test]
fn the_aws_cli_and_botocore_read_the_written_profile() {
    let sandbox = logged_in();
    let project = sandbox.allowed_project("billing", "AdministratorAccess", "");
    let Some(aws) = aws_cli() else { return };
    let Some(python) = harness::python() else {
        return;
    };
    let name = section_name(&sandbox);
    // Before: the profile does not exist for the AWS CLI.
    let mut before = Command::new(&aws);
    sandbox.apply_env(&mut before);
    let out = before
        .args(["configure", "list", "--profile", &name])
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "the profile existed before it was written"
    );

    let out = sandbox.ssoenv(&project, &["write-credentials"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with(&format!(
            "ssoenv: wrote [{name}] to ~/.aws/credentials ({}/AdministratorAccess, expires ",
            sandbox.account_id()
        )),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&out), "", "nothing secret on stdout");

    let key = access_key(&credentials_of(&sandbox, &project));
    let (shown_key, key_type) = configure_list_row(&sandbox, &aws, &name, "access_key");
    assert_eq!(
        shown_key,
        format!("****************{}", &key[key.len() - 4..])
    );
    assert_eq!(key_type, "shared-credentials-file");
    let (_, secret_type) = configure_list_row(&sandbox, &aws, &name, "secret_key");
    assert_eq!(secret_type, "shared-credentials-file");

    let mut botocore = Command::new(&python);
    sandbox.apply_env(&mut botocore);
    let out = botocore
        .args([
            "-c",
            "import sys, botocore.session\n\
             creds = botocore.session.Session(profile=sys.argv[1]).get_credentials()\n\
             print(creds.method, creds.access_key)",
            &name,
        ])
        .output()
        .expect("run python");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).trim(),
        format!("shared-credentials-file {key}")
    );

    let mode = fs::metadata(credentials_file(&sandbox))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let dir_mode = fs::metadata(sandbox.home().join(".aws"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(dir_mode & 0o077, 0, "a new ~/.aws is private");
}

/// A real-world file (comments, CRLF, odd spacing, other profiles, unicode)
/// comes back byte for byte after write + remove, and the write changed
/// nothing outside its own section.
#[test]
fn write_then_remove_gives_back_the_file_byte_for_byte() {
    let sandbox = logged_in();
    let project = sandbox.allowed_project("billing", "AdministratorAccess", "");
    let original = "; managed by hand — ne pas toucher\r\n\
                    [default]\r\n\
                    aws_access_key_id=AKIAOLDKEYEXAMPLE\r\n\
                    aws_secret_access_key  :  s3cr3t/ü\r\n\
                    \r\n\
                    # the CI user\r\n\
                    [ci]\r\n\
                    \taws_access_key_id = AKIACIEXAMPLE\r\n\
                    \taws_secret_access_key = ci\r\n\
                    region = eu-west-1";
    fs::create_dir_all(sandbox.home().join(".aws")).unwrap();
    fs::write(credentials_file(&sandbox), original).unwrap();

    let out = sandbox.ssoenv(&project, &["write-credentials"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let written = fs::read_to_string(credentials_file(&sandbox)).unwrap();
    assert!(
        written.starts_with(original),
        "the existing text changed:\n{written:?}"
    );
    let added = &written[original.len()..];
    assert!(
        added.contains(&format!("\r\n[{}]\r\n", section_name(&sandbox))),
        "{added:?}"
    );
    assert!(
        !added.contains("\r\n\r\n"),
        "no blank line after an unterminated last line"
    );
    assert!(
        added.contains(&format!(
            "aws_access_key_id = {}\r\n",
            access_key(&credentials_of(&sandbox, &project))
        )),
        "{added:?}"
    );

    let out = sandbox.ssoenv(&project, &["write-credentials", "--remove"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        fs::read_to_string(credentials_file(&sandbox)).unwrap(),
        original
    );
    let again = sandbox.ssoenv(&project, &["write-credentials", "--remove"]);
    assert!(again.status.success());
    assert!(
        stderr(&again).contains("nothing to remove"),
        "{}",
        stderr(&again)
    );
}

/// A second write replaces the values in place and keeps what the user
/// added under the section (a region, a comment).
#[test]
fn rewriting_updates_the_section_in_place() {
    let sandbox = logged_in();
    sandbox
        .emulator
        .set_credential_lifetime(Duration::from_secs(30));
    let project = sandbox.allowed_project("billing", "AdministratorAccess", "");
    let name = section_name(&sandbox);
    assert!(
        sandbox
            .ssoenv(&project, &["write-credentials"])
            .status
            .success()
    );
    let file = credentials_file(&sandbox);
    let mut text = fs::read_to_string(&file).unwrap();
    text.push_str("region = ap-northeast-1\n# my note\n[after]\nx = 1\n");
    fs::write(&file, &text).unwrap();
    let first_key = access_key(&credentials_of(&sandbox, &project));

    // Past half of the 30 s lifetime the cached credentials are due again.
    std::thread::sleep(Duration::from_secs(16));
    let out = sandbox.ssoenv(&project, &["write-credentials"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let second_key = access_key(&credentials_of(&sandbox, &project));
    assert_ne!(first_key, second_key, "the credentials were renewed");
    let rewritten = fs::read_to_string(&file).unwrap();
    assert_eq!(rewritten.matches(&format!("[{name}]")).count(), 1);
    assert!(rewritten.contains(&format!("aws_access_key_id = {second_key}\n")));
    assert!(!rewritten.contains(&first_key));
    assert!(rewritten.contains("region = ap-northeast-1\n# my note\n[after]\nx = 1\n"));
    assert_eq!(rewritten.matches("# ssoenv:").count(), 1);
}

/// A file the AWS tools cannot read either is left untouched, with the line.
#[test]
fn an_unreadable_file_is_left_untouched_with_its_line() {
    let sandbox = logged_in();
    let project = sandbox.allowed_project("billing", "AdministratorAccess", "");
    let broken = "[default]\naws_access_key_id = AKIA\nthis is not ini\n";
    fs::create_dir_all(sandbox.home().join(".aws")).unwrap();
    fs::write(credentials_file(&sandbox), broken).unwrap();
    let out = sandbox.ssoenv(&project, &["write-credentials"]);
    assert!(!out.status.success());
    assert_eq!(
        stderr(&out),
        "ssoenv: ~/.aws/credentials:3: cannot read this line — write it as key = value, or start comments with # — nothing was changed\n"
    );
    assert_eq!(
        fs::read_to_string(credentials_file(&sandbox)).unwrap(),
        broken
    );
}

/// Someone's long-lived keys are never overwritten or removed.
#[test]
fn long_lived_keys_are_never_replaced() {
    let sandbox = logged_in();
    let project = sandbox.allowed_project("billing", "AdministratorAccess", "");
    let text = "[default]\naws_access_key_id = AKIAPERMANENT\naws_secret_access_key = keep\n";
    fs::create_dir_all(sandbox.home().join(".aws")).unwrap();
    fs::write(credentials_file(&sandbox), text).unwrap();
    let calls_before = sandbox.emulator.calls(Operation::GetRoleCredentials);
    for args in [
        &["write-credentials", "--name", "default"][..],
        &["write-credentials", "--name", "default", "--remove"][..],
    ] {
        let out = sandbox.ssoenv(&project, args);
        assert!(!out.status.success(), "{args:?}");
        assert_eq!(
            stderr(&out),
            "ssoenv: [default] in ~/.aws/credentials holds long-lived keys that ssoenv did not write — pass --name to use another section, or edit the file yourself; nothing was changed\n"
        );
    }
    assert_eq!(
        fs::read_to_string(credentials_file(&sandbox)).unwrap(),
        text
    );
    assert_eq!(
        sandbox.emulator.calls(Operation::GetRoleCredentials),
        calls_before,
        "refused before asking AWS"
    );

    // A section pasted from the portal (temporary keys) may be replaced.
    let pasted = "[default]\naws_access_key_id = ASIAOLD\naws_secret_access_key = old\naws_session_token = old\n";
    fs::write(credentials_file(&sandbox), pasted).unwrap();
    let out = sandbox.ssoenv(&project, &["write-credentials", "--name", "default"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let now = fs::read_to_string(credentials_file(&sandbox)).unwrap();
    assert!(
        !now.contains("ASIAOLD") && now.contains("# ssoenv:"),
        "{now}"
    );
}

/// Through a symlink (a dotfiles repository), the real file is replaced and
/// the link stays a link.
#[test]
fn a_symlinked_file_is_written_through_the_link() {
    let sandbox = logged_in();
    let project = sandbox.allowed_project("billing", "AdministratorAccess", "");
    let dotfiles = sandbox.home().join("dotfiles");
    fs::create_dir_all(&dotfiles).unwrap();
    fs::write(dotfiles.join("credentials"), "[other]\nx = 1\n").unwrap();
    fs::create_dir_all(sandbox.home().join(".aws")).unwrap();
    std::os::unix::fs::symlink(dotfiles.join("credentials"), credentials_file(&sandbox)).unwrap();

    let out = sandbox.ssoenv(&project, &["write-credentials"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let meta = fs::symlink_metadata(credentials_file(&sandbox)).unwrap();
    assert!(
        meta.file_type().is_symlink(),
        "the link was replaced by a file"
    );
    let real = fs::read_to_string(dotfiles.join("credentials")).unwrap();
    assert!(real.starts_with("[other]\nx = 1\n\n[") && real.contains("aws_session_token = "));
}

#[test]
fn bad_section_names_are_refused_before_any_request() {
    let sandbox = logged_in();
    let project = sandbox.allowed_project("billing", "AdministratorAccess", "");
    for name in ["", "a]b", " padded", "DEFAULT", "new\nline"] {
        let out = sandbox.ssoenv(&project, &["write-credentials", "--name", name]);
        assert!(!out.status.success(), "{name:?}");
        assert!(
            stderr(&out).contains("cannot be a profile name"),
            "{}",
            stderr(&out)
        );
    }
    assert_eq!(sandbox.emulator.calls(Operation::GetRoleCredentials), 0);
    assert!(!credentials_file(&sandbox).exists());
}
