//! `ssoenv console`: the federation sign-in URL against the emulator, opened
//! in real headless Chromium, lands on a console page that names the
//! project's account, role and region; the URL works once, a tampered token
//! lands on an error page, and the URL never reaches a command line.

mod support;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use sso_emulator::{AssumableRole, Operation};
use support::{Sandbox, harness, stderr, stdout};

const DEPLOY: &str = "arn:aws:iam::222222222222:role/Deploy";

fn logged_in() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.emulator.set_user_name("alice@example.com");
    sandbox.login(Duration::from_secs(8 * 3600));
    sandbox
}

/// `ssoenv console --print` in `dir` with `args`: the URL it printed.
fn console_url(sandbox: &Sandbox, dir: &Path, args: &[&str]) -> String {
    let mut argv = vec!["console", "--print"];
    argv.extend_from_slice(args);
    let out = sandbox.ssoenv(dir, &argv);
    assert!(out.status.success(), "{}", stderr(&out));
    let url = stdout(&out).trim().to_owned();
    assert!(
        url.starts_with(&format!(
            "{}/federation?Action=login&",
            sandbox.emulator.url()
        )),
        "{url}"
    );
    assert_eq!(stdout(&out).lines().count(), 1, "only the URL on stdout");
    url
}

/// A query parameter of `url`, decoded.
fn param(url: &str, name: &str) -> String {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
        .unwrap_or_else(|| panic!("no {name} in {url}"))
}

/// Headless Chromium as this machine kind runs it, with a fresh profile.
struct Chromium {
    binary: PathBuf,
    profile: tempfile::TempDir,
}

impl Chromium {
    #[track_caller]
    fn find() -> Option<Chromium> {
        let binary = harness::require_tool("chromium")?;
        Some(Chromium {
            binary,
            profile: tempfile::tempdir().unwrap(),
        })
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new(&self.binary);
        cmd.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", self.profile.path().display()))
        .stdin(Stdio::null());
        cmd
    }

    /// The DOM of the page `url` lands on, after redirects.
    fn dom(&self, url: &str) -> String {
        let out = self
            .command()
            .arg("--dump-dom")
            .arg(url)
            .output()
            .expect("run chromium");
        assert!(out.status.success(), "chromium: {}", stderr(&out));
        stdout(&out)
    }

    fn screenshot(&self, url: &str, png: &Path) {
        let out = self
            .command()
            .arg(format!("--screenshot={}", png.display()))
            .arg("--window-size=1024,640")
            .arg(url)
            .output()
            .expect("run chromium");
        assert!(out.status.success(), "chromium: {}", stderr(&out));
    }
}

/// The text of the element with `id` in `dom`.
fn element(dom: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\">");
    let start = dom
        .find(&marker)
        .unwrap_or_else(|| panic!("no #{id} in the page:\n{dom}"))
        + marker.len();
    let end = start + dom[start..].find('<').expect("element closes");
    dom[start..end].to_owned()
}

/// Where test artifacts are kept: `target/test-artifacts/`.
fn artifact(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target dir")
        .join("test-artifacts");
    fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn the_browser_lands_in_the_console_as_the_project_role() {
    let sandbox = logged_in();
    let project =
        sandbox.allowed_project("billing", "AdministratorAccess", "region = \"eu-west-1\"\n");
    let Some(chromium) = Chromium::find() else {
        return;
    };
    let url = console_url(&sandbox, &project, &[]);
    assert_eq!(
        param(&url, "Destination"),
        "https://console.aws.amazon.com/console/home?region=eu-west-1"
    );
    assert_eq!(param(&url, "Issuer"), "ssoenv");
    assert_eq!(sandbox.emulator.calls(Operation::GetSigninToken), 1);
    assert!(
        sandbox.emulator.console_logins().is_empty(),
        "not opened yet"
    );

    let dom = chromium.dom(&url);
    assert_eq!(element(&dom, "account"), sandbox.account_id());
    assert_eq!(
        element(&dom, "arn"),
        sandbox
            .emulator
            .sso_caller_arn(&sandbox.account_id(), "AdministratorAccess")
    );
    assert_eq!(element(&dom, "region"), "eu-west-1");
    assert_eq!(sandbox.emulator.console_logins().len(), 1);

    // The URL works once: the same one again lands on an error page.
    let again = chromium.dom(&url);
    assert!(again.contains("id=\"error\""), "{again}");
    assert!(!again.contains("id=\"account\""));

    // A tampered token (one character changed) lands on an error page too.
    let fresh = console_url(&sandbox, &project, &[]);
    let token = param(&fresh, "SigninToken");
    let last = token.chars().last().unwrap();
    let changed = format!(
        "{}{}",
        &token[..token.len() - last.len_utf8()],
        if last == 'A' { 'B' } else { 'A' }
    );
    let tampered = fresh.replace(
        &form_urlencoded::byte_serialize(token.as_bytes()).collect::<String>(),
        &form_urlencoded::byte_serialize(changed.as_bytes()).collect::<String>(),
    );
    assert_ne!(tampered, fresh);
    let dom = chromium.dom(&tampered);
    assert!(dom.contains("id=\"error\""), "{dom}");
    // The untampered one still works (the tampered attempt spent nothing).
    let dom = chromium.dom(&fresh);
    assert_eq!(element(&dom, "region"), "eu-west-1");

    // The landing page, kept as an artifact.
    let png = artifact("console-landing.png");
    let _ = fs::remove_file(&png);
    chromium.screenshot(&console_url(&sandbox, &project, &[]), &png);
    let bytes = fs::read(&png).expect("chromium wrote the screenshot");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 1000);
    eprintln!("console landing page: {}", png.display());
}

#[test]
fn a_chained_role_opens_the_console_as_the_assumed_role() {
    let sandbox = logged_in();
    let admin = sandbox
        .emulator
        .sso_role_arn(&sandbox.account_id(), "AdministratorAccess");
    sandbox
        .emulator
        .create_role(AssumableRole::new(DEPLOY).trust_role(&admin));
    let project = sandbox.allowed_project(
        "deploy",
        "AdministratorAccess",
        &format!("role_arn = \"{DEPLOY}\"\nregion = \"ap-northeast-1\"\n"),
    );
    let Some(chromium) = Chromium::find() else {
        return;
    };
    let url = console_url(&sandbox, &project, &["--destination", "s3"]);
    assert_eq!(
        param(&url, "Destination"),
        "https://console.aws.amazon.com/s3/home?region=ap-northeast-1"
    );
    let dom = chromium.dom(&url);
    assert_eq!(element(&dom, "account"), "222222222222");
    assert_eq!(
        element(&dom, "arn"),
        "arn:aws:sts::222222222222:assumed-role/Deploy/alice@example.com"
    );
    assert_eq!(element(&dom, "region"), "ap-northeast-1");
}

#[test]
fn partitions_and_destinations() {
    let sandbox = logged_in();
    let project = sandbox.allowed_project("billing", "ReadOnly", "");
    for (args, destination) in [
        (
            &["--region", "cn-north-1"][..],
            "https://console.amazonaws.cn/console/home?region=cn-north-1",
        ),
        (
            &["--region", "us-gov-west-1", "--destination", "ec2"][..],
            "https://console.amazonaws-us-gov.com/ec2/home?region=us-gov-west-1",
        ),
        (
            &[
                "--destination",
                "https://us-east-1.console.aws.amazon.com/cloudformation/home",
            ][..],
            "https://us-east-1.console.aws.amazon.com/cloudformation/home",
        ),
        (
            &[][..],
            "https://console.aws.amazon.com/console/home?region=us-east-1",
        ),
    ] {
        let url = console_url(&sandbox, &project, args);
        assert_eq!(param(&url, "Destination"), destination, "{args:?}");
    }

    sandbox.emulator.reset_calls();
    for (args, expected) in [
        (
            &["--destination", "https://evil.example/"][..],
            "ssoenv: --destination \"https://evil.example/\" is not an https:// address of the AWS console (console.aws.amazon.com) — give a console URL or a service name such as s3\n",
        ),
        (
            &["--region", "Tokyo"][..],
            "ssoenv: --region must be a region code like \"us-east-1\", got \"Tokyo\" — use lowercase letters, digits and dashes\n",
        ),
    ] {
        let mut argv = vec!["console", "--print"];
        argv.extend_from_slice(args);
        let out = sandbox.ssoenv(&project, &argv);
        assert!(!out.status.success(), "{args:?}");
        assert_eq!(stderr(&out), expected);
        assert_eq!(stdout(&out), "");
    }
    assert_eq!(
        sandbox.emulator.total_calls(),
        0,
        "refused before any request"
    );
}

/// With a terminal and a browser, the browser's command line holds only a
/// one-shot loopback address; the sign-in URL travels as its redirect, and
/// nothing secret reaches ssoenv's stdout or stderr.
#[test]
#[cfg_attr(not(target_os = "linux"), ignore = "runs util-linux's script(1)")]
fn the_sign_in_url_never_reaches_a_command_line() {
    let sandbox = logged_in();
    let project = sandbox.allowed_project("billing", "ReadOnly", "region = \"eu-west-1\"\n");
    let Some(script) = harness::require_tool("script") else {
        return;
    };
    let Some(curl) = harness::require_tool("curl") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let argv_file = dir.path().join("argv");
    let redirect_file = dir.path().join("redirect");
    // A "browser" that records its arguments and fetches what it was given.
    // Like a real browser it outlives the terminal ssoenv ran in: `script`
    // ends when ssoenv does, and the hangup must not cut curl short.
    let browser = dir.path().join("browser");
    fs::write(
        &browser,
        format!(
            "#!/bin/sh\ntrap '' HUP\nprintf '%s\\n' \"$@\" > '{argv}'\n\
             '{curl}' -s -o /dev/null -w '%{{redirect_url}}' \"$1\" > '{redirect}'\n",
            argv = argv_file.display(),
            curl = curl.display(),
            redirect = redirect_file.display(),
        ),
    )
    .unwrap();
    fs::set_permissions(&browser, fs::Permissions::from_mode(0o755)).unwrap();

    // `script` gives ssoenv a terminal, as a user's shell would.
    let mut cmd = Command::new(script);
    sandbox.apply_env(&mut cmd);
    let out = cmd
        .env("BROWSER", &browser)
        .env("SSOENV_LOG", "trace")
        .current_dir(&project)
        .args([
            "-qec",
            &format!("{} console", env!("CARGO_BIN_EXE_ssoenv")),
            "/dev/null",
        ])
        .output()
        .expect("run script");
    let terminal = format!("{}{}", stdout(&out), stderr(&out));
    assert!(out.status.success(), "{terminal}");
    assert!(
        terminal.contains(&format!(
            "ssoenv: opened the AWS console as {}/ReadOnly in eu-west-1",
            sandbox.account_id()
        )),
        "{terminal}"
    );

    let argv = fs::read_to_string(&argv_file).expect("the browser was started");
    assert!(argv.starts_with("http://127.0.0.1:"), "{argv}");
    // The browser runs detached: ssoenv is done once it has answered, and
    // curl writes what it got a moment later.
    let waited = std::time::Instant::now();
    let redirect = loop {
        let text = fs::read_to_string(&redirect_file).unwrap_or_default();
        if !text.is_empty() || waited.elapsed() > Duration::from_secs(10) {
            break text;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        redirect.starts_with(&format!(
            "{}/federation?Action=login&",
            sandbox.emulator.url()
        )),
        "the loopback page redirects to the sign-in URL: {redirect:?}"
    );
    let token = param(&redirect, "SigninToken");
    assert!(token.len() > 20);
    for (what, text) in [("the browser's argv", &argv), ("the terminal", &terminal)] {
        assert!(!text.contains(&token), "the sign-in token reached {what}");
        assert!(!text.contains("SigninToken="), "{what}: {text}");
    }
    for secret in sandbox.emulator.issued_secrets() {
        assert!(!terminal.contains(&secret), "a secret reached the terminal");
    }
}
