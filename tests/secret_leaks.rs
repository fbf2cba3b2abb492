//! No secret where it does not belong. Every command runs with
//! `SSOENV_LOG=trace` (the most ssoenv ever says) against the emulator, which
//! remembers every secret it handed out: client secrets, SSO access and
//! refresh tokens, device and authorization codes, role credentials' secret
//! keys and session tokens (from GetRoleCredentials and AssumeRole), console
//! sign-in tokens. The authorization tokens of the exec endpoint and of the
//! endpoint-mode agent are read by children and added to them, and the
//! agent's log (written with the trace logging it inherits) must hold none.
//!
//! Then, for every command: stderr holds none of them; `SSOENV_STATE` and
//! every other `SSOENV_*` variable hold none; a child's argv holds none; a
//! child's environment holds role credentials only in the static variables
//! of `exec --no-server`; stdout holds role credentials only where printing
//! them is the command's purpose (`export`, `export-credentials`,
//! `credential-process`, `console --print`) and SSO tokens nowhere. `status` shows the access
//! key id masked. `Debug` output of the types holding secrets redacts them.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, SystemTime};

use support::{Sandbox, stderr, stdout};

/// Where a command may print role credentials.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Stdout {
    /// Printing credentials is the command's purpose.
    RoleCredentials,
    /// Nothing secret at all.
    Clean,
}

/// One run of a command, kept for the final check.
struct Run {
    what: String,
    stdout_may_hold: Stdout,
    out: Output,
}

struct Session {
    sandbox: Sandbox,
    project: PathBuf,
    runs: Vec<Run>,
    /// Places a secret must never reach, with what each is.
    never: Vec<(String, String)>,
    /// Secrets the emulator does not know about (the exec endpoint's token).
    extra_secrets: Vec<String>,
}

impl Session {
    fn command(&self, cwd: &Path, args: &[&str]) -> Command {
        let mut cmd = self.sandbox.command(cwd);
        cmd.env("SSOENV_LOG", "trace").args(args);
        cmd
    }

    fn run_in(&mut self, cwd: &Path, args: &[&str], stdout_may_hold: Stdout) -> Output {
        self.run_with(cwd, args, stdout_may_hold, &BTreeMap::new())
    }

    /// Runs with `shell_env` added, as from a shell where the hook has run.
    fn run_with(
        &mut self,
        cwd: &Path,
        args: &[&str],
        stdout_may_hold: Stdout,
        shell_env: &BTreeMap<String, String>,
    ) -> Output {
        let out = self
            .command(cwd, args)
            .envs(shell_env)
            .output()
            .expect("run ssoenv");
        assert!(
            out.status.success(),
            "ssoenv {args:?} failed: {}",
            stderr(&out)
        );
        self.runs.push(Run {
            what: format!("ssoenv {}", args.join(" ")),
            stdout_may_hold,
            out: out.clone(),
        });
        out
    }

    fn run(&mut self, args: &[&str], stdout_may_hold: Stdout) -> Output {
        let project = self.project.clone();
        self.run_in(&project, args, stdout_may_hold)
    }

    fn never(&mut self, what: impl Into<String>, text: impl Into<String>) {
        self.never.push((what.into(), text.into()));
    }

    /// Marks the cached SSO token expired (still refreshable), so the next
    /// command refreshes it with the logs on.
    fn expire_token(&self) {
        let path = self.sandbox.token_cache_file();
        let mut token: serde_json::Value =
            serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
        token["expiresAt"] = "2000-01-01T00:00:00Z".into();
        fs::write(&path, serde_json::to_vec(&token).unwrap()).unwrap();
    }

    /// Removes the cached role credentials, so the next command renews them.
    fn drop_credentials(&self) {
        if let Ok(entries) = fs::read_dir(self.sandbox.credential_cache_dir()) {
            for entry in entries.flatten() {
                fs::remove_file(entry.path()).unwrap();
            }
        }
    }
}

/// The environment a shell has after evaluating `ssoenv export bash`: the
/// variables ssoenv manages and its own.
fn bash_env_after_export(session: &Session) -> (Output, BTreeMap<String, String>) {
    let mut cmd = Command::new("bash");
    session.sandbox.apply_env(&mut cmd);
    let out = cmd
        .env("SSOENV_LOG", "trace")
        .current_dir(&session.project)
        .stdin(Stdio::null())
        .args(["--noprofile", "--norc", "-c"])
        .arg(r#"code=$("$0" export bash) || exit 99; eval "$code"; env -0"#)
        .arg(env!("CARGO_BIN_EXE_ssoenv"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let env = out
        .stdout
        .split(|b| *b == 0)
        .filter_map(|e| {
            let e = String::from_utf8_lossy(e);
            let (k, v) = e.split_once('=')?;
            Some((k.to_owned(), v.to_owned()))
        })
        .collect();
    (out, env)
}

/// A child for `ssoenv exec` that records its argv and environment, reads
/// the endpoint's token (when there is one) and fetches credentials from the
/// endpoint with it, as an SDK would.
const CHILD: &str = r#"
printf '%s\n' "$0" "$@" > argv.txt
env > env.txt
if [ -n "${AWS_CONTAINER_CREDENTIALS_FULL_URI:-}" ]; then
    token=$(cat "$AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
    printf '%s' "$token" > endpoint-token.txt
    rest=${AWS_CONTAINER_CREDENTIALS_FULL_URI#http://}
    hostport=${rest%%/*}
    path=/${rest#*/}
    exec 3<>"/dev/tcp/${hostport%:*}/${hostport#*:}"
    printf 'GET %s HTTP/1.0\r\nHost: %s\r\nAuthorization: %s\r\n\r\n' "$path" "$hostport" "$token" >&3
    cat <&3 > endpoint-answer.txt
fi
"#;

/// A stand-in `docker` for `exec --container`: records its argv, its
/// environment and the grant's config, and fetches credentials through the
/// grant's relay, as the container's SDK would.
const FAKE_DOCKER: &str = r#"#!/bin/bash
printf '%s\n' "$0" "$@" > argv.txt
env > env.txt
for arg; do
    case $arg in
    --volume=*)
        grant=${arg#--volume=}
        grant=${grant%%:*}
        cat "$grant/config" > grant-config.txt
        "$grant/ssoenv-relay" "$grant/creds.sock" > relay-answer.txt
        ;;
    esac
done
"#;

/// `exec --container`: the engine's CLI gets no credentials in its argv or
/// environment, and the grant's config holds none; the grant serves them.
fn exec_container(session: &mut Session) {
    let Some(relay) = support::static_relay() else {
        return;
    };
    let dir = session.project.clone();
    let docker = dir.join("engine/docker");
    fs::create_dir_all(docker.parent().unwrap()).unwrap();
    fs::write(&docker, FAKE_DOCKER).unwrap();
    fs::set_permissions(&docker, fs::Permissions::from_mode(0o755)).unwrap();
    let env = BTreeMap::from([("SSOENV_RELAY".to_owned(), relay.display().to_string())]);
    let docker_arg = docker.display().to_string();
    session.run_with(
        &dir,
        &[
            "exec",
            "--container",
            "--",
            &docker_arg,
            "run",
            "--rm",
            "img",
        ],
        Stdout::Clean,
        &env,
    );
    let answer = fs::read_to_string(dir.join("relay-answer.txt")).expect("the engine ran");
    assert!(
        answer.contains("\"SecretAccessKey\""),
        "the grant serves credentials"
    );
    let argv = fs::read_to_string(dir.join("argv.txt")).unwrap();
    assert!(
        argv.contains("\n--env=AWS_CONFIG_FILE=/run/ssoenv/config\n"),
        "{argv}"
    );
    session.never("exec --container: the engine's argv", argv);
    let env = fs::read_to_string(dir.join("env.txt")).unwrap();
    session.never("exec --container: the engine's environment", env);
    let config = fs::read_to_string(dir.join("grant-config.txt")).unwrap();
    session.never("exec --container: the grant's AWS config file", config);
}

fn exec(session: &mut Session, no_server: bool) {
    let dir = session.project.clone();
    for file in [
        "argv.txt",
        "env.txt",
        "endpoint-token.txt",
        "endpoint-answer.txt",
    ] {
        let _ = fs::remove_file(dir.join(file));
    }
    let mut args = vec!["exec"];
    if no_server {
        args.push("--no-server");
    }
    args.extend(["--", "bash", "-c", CHILD, "child-arg0", "plain-arg"]);
    session.run(&args, Stdout::Clean);
    let mode = if no_server { "--no-server" } else { "endpoint" };

    let argv = fs::read_to_string(dir.join("argv.txt")).expect("the child ran");
    assert_eq!(argv, "child-arg0\nplain-arg\n");
    session.never(format!("exec ({mode}): the child's argv"), argv);

    let env = fs::read_to_string(dir.join("env.txt")).unwrap();
    let static_vars = ["AWS_SECRET_ACCESS_KEY=", "AWS_SESSION_TOKEN="];
    for line in env.lines() {
        if no_server && static_vars.iter().any(|v| line.starts_with(v)) {
            continue; // --no-server's purpose
        }
        session.never(format!("exec ({mode}): the child's environment"), line);
    }
    if no_server {
        assert!(env.contains("AWS_SESSION_TOKEN="), "{env}");
    } else {
        let token = fs::read_to_string(dir.join("endpoint-token.txt")).unwrap();
        assert!(token.len() >= 32, "endpoint token {token:?}");
        let answer = fs::read_to_string(dir.join("endpoint-answer.txt")).unwrap();
        assert!(
            answer.starts_with("HTTP/1.") && answer.contains(" 200 OK"),
            "{answer}"
        );
        assert!(answer.contains("\"SecretAccessKey\""), "{answer}");
        session.extra_secrets.push(token);
        assert!(!env.contains("AWS_SECRET_ACCESS_KEY="), "{env}");
    }
}

/// A shell in endpoint mode whose child fetches credentials from the agent
/// twice, after the cache is gone: the agent renews with trace logging on
/// (inherited from the prompt that started it), then serves what it holds.
const ENDPOINT_SHELL: &str = r#"
code=$("$0" export bash) || exit 99
eval "$code"
fetch() {
    rest=${AWS_CONTAINER_CREDENTIALS_FULL_URI#http://}
    hostport=${rest%%/*}
    exec 3<>"/dev/tcp/${hostport%:*}/${hostport#*:}"
    printf 'GET /%s HTTP/1.0\r\nHost: %s\r\nAuthorization: %s\r\n\r\n' "${rest#*/}" "$hostport" \
        "$(cat "$AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")" >&3
    cat <&3 > "$1"
    exec 3<&-
}
rm -f "$1"/*
fetch first-answer.txt
fetch second-answer.txt
env -0
"#;

fn endpoint_mode(session: &mut Session) {
    let served = session.sandbox.project(
        "served",
        "ReadOnly",
        "region = \"eu-west-1\"\ncredentials = \"endpoint\"\n",
    );
    session.run_in(&served, &["allow"], Stdout::Clean);
    session.drop_credentials();
    let mut bash = Command::new("bash");
    session.sandbox.apply_env(&mut bash);
    let out = bash
        .env("SSOENV_LOG", "trace")
        .current_dir(&served)
        .stdin(Stdio::null())
        .args(["--noprofile", "--norc", "-c", ENDPOINT_SHELL])
        .arg(env!("CARGO_BIN_EXE_ssoenv"))
        .arg(session.sandbox.credential_cache_dir())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    for answer in ["first-answer.txt", "second-answer.txt"] {
        let answer = fs::read_to_string(served.join(answer)).unwrap();
        assert!(answer.contains(" 200 OK"), "{answer}");
        assert!(answer.contains("\"SecretAccessKey\""), "{answer}");
    }
    let env = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        env.contains("AWS_CONTAINER_CREDENTIALS_FULL_URI="),
        "endpoint mode"
    );
    session.never(
        "the endpoint-mode shell's environment",
        env.replace('\0', "\n"),
    );
    session.runs.push(Run {
        what: "eval \"$(ssoenv export bash)\" in endpoint mode".into(),
        stdout_may_hold: Stdout::Clean,
        out: Output {
            stdout: Vec::new(),
            ..out
        },
    });
    let agent_dir = session.sandbox.agent_dir();
    session
        .extra_secrets
        .push(fs::read_to_string(agent_dir.join("token")).unwrap());
    session.run_in(&served, &["agent", "status"], Stdout::Clean);
    session.run_in(&served, &["agent", "stop"], Stdout::Clean);
    let log = fs::read_to_string(agent_dir.join("agent.log")).unwrap();
    assert!(
        log.contains("ssoenv[trace]"),
        "the agent logged with trace on: {log}"
    );
    session.never("the agent's log", log);
}

#[test]
fn no_command_leaks_a_secret_with_trace_logging_on() {
    let sandbox = Sandbox::new();
    sandbox.emulator.set_auto_approve(true);
    sandbox
        .emulator
        .set_credential_lifetime(Duration::from_secs(3600));
    // The AWS CLI's config holds the session, so init and list find it.
    fs::create_dir_all(sandbox.home().join(".aws")).unwrap();
    fs::write(
        sandbox.home().join(".aws/config"),
        format!(
            "[sso-session {}]\nsso_start_url = {}\nsso_region = {}\nsso_registration_scopes = sso:account:access\n",
            support::SESSION,
            support::START_URL,
            support::REGION
        ),
    )
    .unwrap();
    let project = sandbox.project("app", "ReadOnly", "region = \"eu-west-1\"\n");
    let mut session = Session {
        sandbox,
        project,
        runs: Vec::new(),
        never: Vec::new(),
        extra_secrets: Vec::new(),
    };

    session.run(&["allow"], Stdout::Clean);
    // A real sign-in: client registration, device code, tokens, all via ssoenv.
    session.run(&["login", "--device-code"], Stdout::Clean);

    // The hook, in every shell; the first one after a token refresh.
    session.expire_token();
    let (out, env) = bash_env_after_export(&session);
    session.runs.push(Run {
        what: "eval \"$(ssoenv export bash)\" (with a token refresh)".into(),
        stdout_may_hold: Stdout::Clean, // what bash printed: its environment, checked below
        out: Output {
            stdout: Vec::new(),
            ..out
        },
    });
    assert!(env.contains_key("AWS_SECRET_ACCESS_KEY"), "loaded");
    for (name, value) in &env {
        if name.starts_with("SSOENV_") || name.starts_with("__ssoenv") {
            session.never(format!("the shell's {name}"), value.clone());
        }
    }
    for shell in ["bash", "zsh", "fish", "pwsh", "json"] {
        session.drop_credentials();
        let out = session.run(&["export", shell], Stdout::RoleCredentials);
        let code = stdout(&out);
        assert!(code.contains("SSOENV_STATE"), "{shell}: {code}");
        // The state line alone must be clean, though the others hold credentials.
        for line in code.lines().filter(|l| l.contains("SSOENV_STATE")) {
            if shell == "json" {
                let json: serde_json::Value = serde_json::from_str(line).unwrap();
                let state = json["set"]["SSOENV_STATE"].as_str().unwrap().to_owned();
                session.never("SSOENV_STATE (export json)", state);
            } else {
                session.never(format!("the SSOENV_STATE line of export {shell}"), line);
            }
        }
    }

    for format in [
        "env",
        "env-no-export",
        "fish",
        "powershell",
        "process",
        "ini",
    ] {
        session.run(
            &["export-credentials", "--format", format],
            Stdout::RoleCredentials,
        );
    }
    session.drop_credentials();
    session.run(&["credential-process"], Stdout::RoleCredentials);
    // The credentials file gets them; stdout and stderr do not.
    session.drop_credentials();
    session.run(&["write-credentials"], Stdout::Clean);
    session.run(&["write-credentials", "--remove"], Stdout::Clean);
    // The console URL is a bearer secret: stdout only (its sign-in token is
    // among the emulator's role secrets), never stderr.
    session.run(&["console", "--print"], Stdout::RoleCredentials);

    // A chained role: AssumeRole and GetCallerIdentity with the logs on.
    let deploy = "arn:aws:iam::222222222222:role/Deploy";
    let trusted = session
        .sandbox
        .emulator
        .sso_role_arn(&session.sandbox.account_id(), "ReadOnly");
    session
        .sandbox
        .emulator
        .create_role(sso_emulator::AssumableRole::new(deploy).trust_role(&trusted));
    let chained =
        session
            .sandbox
            .project("chained", "ReadOnly", &format!("role_arn = \"{deploy}\"\n"));
    session.run_in(&chained, &["allow"], Stdout::Clean);
    session.run_in(&chained, &["export-credentials"], Stdout::RoleCredentials);
    session.run_in(&chained, &["export", "bash"], Stdout::RoleCredentials);

    session.expire_token();
    session.drop_credentials();
    exec(&mut session, false);
    session.drop_credentials();
    exec(&mut session, true);

    session.drop_credentials();
    exec_container(&mut session);

    endpoint_mode(&mut session);

    // In a shell where the hook has loaded credentials.
    let (_, env) = bash_env_after_export(&session);
    let shell_env: BTreeMap<String, String> = env
        .into_iter()
        .filter(|(k, _)| k.starts_with("AWS_") || k.starts_with("SSOENV_"))
        .filter(|(k, _)| !k.starts_with("AWS_ENDPOINT") && k != "AWS_CONFIG_FILE")
        .collect();
    assert!(shell_env.contains_key("AWS_SESSION_TOKEN"));
    let project = session.project.clone();
    for args in [
        &["status"][..],
        &["status", "--json"],
        &["list"],
        &["list", "--json", "--refresh"],
    ] {
        session.run_with(&project, args, Stdout::Clean, &shell_env);
    }
    let key_ids = session.sandbox.emulator.issued_access_key_ids();
    let current_key = &shell_env["AWS_ACCESS_KEY_ID"];
    for run in session
        .runs
        .iter()
        .filter(|r| r.what.starts_with("ssoenv status"))
    {
        let text = stdout(&run.out);
        assert!(
            text.contains(&current_key[current_key.len() - 4..]),
            "{}: the key's last 4 characters are shown: {text}",
            run.what
        );
        for key in &key_ids {
            assert!(!text.contains(key.as_str()), "{}: unmasked {key}", run.what);
        }
    }

    let fresh = session.sandbox.home().join("fresh");
    fs::create_dir_all(&fresh).unwrap();
    let account = session.sandbox.account_id();
    session.run_in(
        &fresh,
        &["init", "--account", &account, "--role", "ReadOnly"],
        Stdout::Clean,
    );
    session.run(&["deny"], Stdout::Clean);
    session.run(&["allow"], Stdout::Clean);
    session.run(&["hook", "bash"], Stdout::Clean);
    session.run(&["logout"], Stdout::Clean);

    // ----- the check -----
    let mut secrets = session.sandbox.emulator.issued_secrets();
    secrets.extend(session.extra_secrets.iter().cloned());
    let role_secrets = session.sandbox.emulator.issued_role_secrets();
    let is_role_secret = |s: &str| role_secrets.iter().any(|r| r == s);
    assert!(
        role_secrets.len() >= 2 * 8,
        "the scenario renewed credentials a few times: {}",
        role_secrets.len()
    );
    assert!(
        secrets.iter().any(|s| s.starts_with("aor")),
        "refresh tokens were issued"
    );

    let traced = session
        .runs
        .iter()
        .filter(|r| stderr(&r.out).contains("ssoenv[trace]"))
        .count();
    assert!(traced >= 10, "trace logging was on: {traced} runs traced");

    let mut never = std::mem::take(&mut session.never);
    for run in &session.runs {
        never.push((format!("stderr of {}", run.what), stderr(&run.out)));
        let out = stdout(&run.out);
        match run.stdout_may_hold {
            Stdout::Clean => never.push((format!("stdout of {}", run.what), out)),
            Stdout::RoleCredentials => {
                for secret in secrets.iter().filter(|s| !is_role_secret(s.as_str())) {
                    assert!(
                        !out.contains(secret.as_str()),
                        "stdout of {} holds a non-role secret {}",
                        run.what,
                        redacted(secret)
                    );
                }
            }
        }
    }
    let mut leaks = Vec::new();
    for (place, text) in &never {
        for secret in &secrets {
            if text.contains(secret.as_str()) {
                leaks.push(format!("{place}: {}", redacted(secret)));
            }
        }
    }
    assert!(leaks.is_empty(), "secrets leaked:\n{}", leaks.join("\n"));
}

/// A secret as a failure message may show it: enough to tell which.
fn redacted(secret: &str) -> String {
    format!(
        "{}… ({} characters)",
        &secret[..6.min(secret.len())],
        secret.len()
    )
}

#[test]
fn debug_output_of_secret_holding_types_is_redacted() {
    let creds = ssoenv::credentials::Credentials {
        access_key_id: "ASIAEXAMPLEKEYID1234".into(),
        secret_access_key: "SECRETSECRETSECRETSECRETSECRETSECRET0000".into(),
        session_token: "SESSIONTOKENSESSIONTOKEN".into(),
        expiration: SystemTime::now(),
        issued_at: SystemTime::now(),
    };
    let shown = format!("{creds:?} {creds:#?}");
    for secret in ["SECRETSECRET", "SESSIONTOKEN", "ASIAEXAMPLEKEYID"] {
        assert!(!shown.contains(secret), "Credentials: {shown}");
    }
    assert!(
        shown.contains("1234"),
        "the masked key stays useful: {shown}"
    );

    let token: ssoenv::sso_token::SsoToken = serde_json::from_value(serde_json::json!({
        "startUrl": support::START_URL,
        "region": support::REGION,
        "accessToken": "aoaACCESSTOKENVALUE",
        "expiresAt": "2030-01-01T00:00:00Z",
        "clientId": "CLIENTIDVALUE",
        "clientSecret": "CLIENTSECRETVALUE",
        "registrationExpiresAt": "2030-01-01T00:00:00Z",
        "refreshToken": "aorREFRESHTOKENVALUE",
        "unknownField": "UNKNOWNFIELDVALUE",
    }))
    .unwrap();
    let shown = format!("{token:?} {token:#?}");
    for secret in [
        "ACCESSTOKENVALUE",
        "CLIENTSECRETVALUE",
        "REFRESHTOKENVALUE",
        "UNKNOWNFIELDVALUE",
    ] {
        assert!(!shown.contains(secret), "SsoToken: {shown}");
    }

    let emulator = sso_emulator::Emulator::start();
    let client = emulator.issue_client_registration(Duration::from_secs(3600));
    let issued = emulator.issue_refreshable_token(&client, Duration::from_secs(3600));
    let shown = format!("{issued:?} {issued:#?} {client:?}");
    for secret in [
        issued.access_token.as_str(),
        issued.refresh_token.as_deref().unwrap(),
        client.client_secret.as_str(),
    ] {
        assert!(!shown.contains(secret), "IssuedToken: {shown}");
    }
}
