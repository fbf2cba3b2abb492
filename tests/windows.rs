//! The Windows build, against the emulator: on Linux, `ssoenv.exe`
//! (x86_64-pc-windows-gnu, built by scripts/test with mingw-w64) runs under
//! Wine, and the emulator stays a Linux process on 127.0.0.1; on Windows
//! (CI's windows-latest job) the same tests run it natively, and a real
//! PowerShell runs the hook. Each test gets a home of its own: USERPROFILE,
//! APPDATA, LOCALAPPDATA and TEMP point into it, so the AWS CLI's files and
//! ssoenv's own are where Windows tools keep them, and the test reads them
//! back (botocore included).
//!
//! Wine is not Windows: it keeps a file's access in its Unix mode, and has no
//! real console. What it cannot show is named in docs/dev/platforms.md.
#![cfg(any(target_os = "linux", windows))]

mod support;

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use support::{Sandbox, harness, stderr, stdout};

/// Where Windows programs run, and the ssoenv.exe they run.
struct Host {
    bin_dir: PathBuf,
    #[cfg(target_os = "linux")]
    wine: Wine,
}

/// How Linux runs Windows programs: the loader, its environment, and the
/// launcher that gives a program the environment variables Wine would
/// otherwise set from its prefix (tests/windows/with-env.c).
#[cfg(target_os = "linux")]
struct Wine {
    loader: PathBuf,
    env: Vec<(String, String)>,
    with_env: PathBuf,
}

/// The set-up, once per test process; `None` (a panic under CI) when Wine,
/// mingw-w64 or the Windows build is missing.
#[track_caller]
fn host() -> Option<&'static Host> {
    static HOST: OnceLock<Option<Host>> = OnceLock::new();
    HOST.get_or_init(prepare).as_ref().or_else(|| {
        harness::missing(
            "Wine, mingw-w64 and the Windows build of ssoenv",
            "install wine, wine64 and mingw-w64 and run scripts/test, which builds ssoenv.exe",
        )
    })
}

/// The test's own build of ssoenv.exe.
#[cfg(windows)]
fn prepare() -> Option<Host> {
    let exe = PathBuf::from(env!("CARGO_BIN_EXE_ssoenv"));
    Some(Host {
        bin_dir: exe.parent()?.to_path_buf(),
    })
}

#[cfg(target_os = "linux")]
fn prepare() -> Option<Host> {
    let root = harness::workspace_root();
    let target_dir =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let bin_dir = std::env::var_os("SSOENV_WINDOWS_BIN_DIR").map_or_else(
        || target_dir.join("x86_64-pc-windows-gnu/debug"),
        PathBuf::from,
    );
    if !bin_dir.join("ssoenv.exe").is_file() || !bin_dir.join("ssoenv-core.exe").is_file() {
        eprintln!("no ssoenv.exe in {}", bin_dir.display());
        return None;
    }
    harness::find_on_path("x86_64-w64-mingw32-gcc")?;
    // One prefix for every test process: the script is idempotent and locks.
    let prefix = target_dir.join("wine-prefix");
    let out = Command::new(root.join("scripts/wine-prefix"))
        .arg(&prefix)
        .stdin(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        eprintln!("scripts/wine-prefix failed: {}", stderr(&out));
        return None;
    }
    let loader = PathBuf::from(fs::read_to_string(prefix.join("wine-command")).ok()?.trim());
    let env = fs::read_to_string(prefix.join("wine-env"))
        .ok()?
        .lines()
        .filter_map(|line| line.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    // Built by each test process under a name of its own, then renamed into
    // place: a reader never sees half a program.
    let with_env = prefix.join("with-env.exe");
    let scratch = prefix.join(format!("with-env-{}.exe", std::process::id()));
    let built = Command::new("x86_64-w64-mingw32-gcc")
        .args(["-O2", "-Wall", "-Werror", "-o"])
        .arg(&scratch)
        .arg(root.join("tests/windows/with-env.c"))
        .status()
        .ok()?;
    assert!(built.success(), "building tests/windows/with-env.c failed");
    fs::rename(&scratch, &with_env).unwrap();
    Some(Host {
        bin_dir,
        wine: Wine {
            loader,
            env,
            with_env,
        },
    })
}

/// `path` as a Windows program sees it: under Wine, `/` is drive Z:.
fn win(path: &Path) -> String {
    if cfg!(windows) {
        path.display().to_string()
    } else {
        format!("Z:{}", path.display()).replace('/', "\\")
    }
}

/// A path a Windows program printed, as the test reads it.
fn native(path: &str) -> PathBuf {
    if cfg!(windows) {
        return PathBuf::from(path);
    }
    let rest = path
        .strip_prefix("Z:")
        .or_else(|| path.strip_prefix("z:"))
        .unwrap_or_else(|| panic!("{path:?} is not on drive Z:"));
    PathBuf::from(rest.replace('\\', "/"))
}

/// A [`Sandbox`] (an emulator and a home) whose ssoenv is the Windows one.
struct WinSandbox {
    sandbox: Sandbox,
    host: &'static Host,
    /// Where ssoenv.exe runs from (a copy, when a test chose the directory).
    bin_dir: PathBuf,
}

impl WinSandbox {
    fn new() -> Option<Self> {
        let host = host()?;
        let sandbox = Sandbox::new();
        for dir in ["AppData/Roaming", "AppData/Local/Temp"] {
            fs::create_dir_all(sandbox.home().join(dir)).unwrap();
        }
        Some(Self {
            sandbox,
            host,
            bin_dir: host.bin_dir.clone(),
        })
    }

    fn home(&self) -> PathBuf {
        self.sandbox.home()
    }

    /// This sandbox's Windows environment: its home as the user profile,
    /// the emulator as AWS.
    fn windows_env(&self) -> Vec<(&'static str, String)> {
        let home = self.home();
        let url = self.sandbox.emulator.url();
        vec![
            ("USERPROFILE", win(&home)),
            ("APPDATA", win(&home.join("AppData/Roaming"))),
            ("LOCALAPPDATA", win(&home.join("AppData/Local"))),
            ("TEMP", win(&home.join("AppData/Local/Temp"))),
            ("TMP", win(&home.join("AppData/Local/Temp"))),
            ("AWS_ENDPOINT_URL_SSO", url.clone()),
            ("AWS_ENDPOINT_URL_SSO_OIDC", url.clone()),
            ("AWS_ENDPOINT_URL_STS", url),
            ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
        ]
    }

    /// A Windows program `program` (a Windows path, or a name on its PATH)
    /// run with this sandbox's Windows environment, in `cwd`.
    #[cfg(target_os = "linux")]
    fn windows_command(&self, cwd: &Path, program: &str) -> Command {
        let wine = &self.host.wine;
        let mut cmd = Command::new(&wine.loader);
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("LANG", "C.UTF-8")
            .envs(wine.env.iter().map(|(k, v)| (k, v)));
        for (name, value) in self.windows_env() {
            // Wine sets the user's folders from its prefix: the launcher
            // sets them again, to these.
            cmd.env(format!("SSOENV_WINE_SET_{name}"), value);
        }
        cmd.arg(win(&wine.with_env))
            .arg(program)
            .current_dir(cwd)
            .stdin(Stdio::null());
        cmd
    }

    #[cfg(windows)]
    fn windows_command(&self, cwd: &Path, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.env_clear();
        // What Windows programs need to run at all (Winsock wants SystemRoot).
        for name in [
            "SystemRoot",
            "windir",
            "PATH",
            "PATHEXT",
            "ComSpec",
            "SystemDrive",
        ] {
            if let Some(value) = std::env::var_os(name) {
                cmd.env(name, value);
            }
        }
        cmd.envs(self.windows_env())
            .current_dir(cwd)
            .stdin(Stdio::null());
        cmd
    }

    fn command(&self, cwd: &Path, args: &[&str]) -> Command {
        let mut cmd = self.windows_command(cwd, &win(&self.bin_dir.join("ssoenv.exe")));
        cmd.args(args);
        cmd
    }

    fn ssoenv(&self, cwd: &Path, args: &[&str]) -> Output {
        self.command(cwd, args).output().expect("run ssoenv.exe")
    }

    /// [`Self::ssoenv`], which must succeed; its stdout.
    fn ok(&self, cwd: &Path, args: &[&str]) -> String {
        let out = self.ssoenv(cwd, args);
        assert!(
            out.status.success(),
            "ssoenv {args:?} failed ({}): {}{}",
            out.status,
            stdout(&out),
            stderr(&out)
        );
        stdout(&out)
    }

    /// A signed-in home with an allowed project at `dir`.
    fn signed_in_project(&self, dir: &str, extra: &str) -> PathBuf {
        self.sandbox.login(Duration::from_secs(8 * 3600));
        let project = self.sandbox.project(dir, "ReadOnly", extra);
        self.ok(&project, &["allow"]);
        project
    }
}

impl Drop for WinSandbox {
    /// An agent a test started would outlive it.
    fn drop(&mut self) {
        let home = self.home();
        let _ = self.command(&home, &["agent", "stop"]).output();
    }
}

/// The value of `$env:NAME = '...'` in PowerShell code, unquoted.
fn pwsh_value(code: &str, name: &str) -> Option<String> {
    let prefix = format!("$env:{name} = '");
    code.lines()
        .find_map(|line| line.strip_prefix(&prefix)?.strip_suffix('\''))
        .map(|value| value.replace("''", "'"))
}

/// Parses `code` with the PowerShell grammar: no error or missing node.
fn assert_parses_as_powershell(code: &str) {
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_powershell::LANGUAGE.into())
        .unwrap();
    let tree = parser.parse(code, None).unwrap();
    fn errors(node: tree_sitter::Node<'_>, out: &mut Vec<(usize, String)>) {
        if node.is_error() || node.is_missing() {
            out.push((node.start_position().row + 1, node.kind().to_owned()));
            return;
        }
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            errors(child, out);
        }
    }
    let mut found = Vec::new();
    errors(tree.root_node(), &mut found);
    assert!(found.is_empty(), "not PowerShell: {found:?} in\n{code}");
}

/// True for a role key this sandbox's emulator issued.
fn issued_to(sandbox: &WinSandbox, key: &str) -> bool {
    key.starts_with("ASIA")
        && (sandbox.sandbox.emulator.issued_access_key_ids())
            .iter()
            .any(|issued| issued == key)
}

// ----- the Windows build's own unit tests -----------------------------------------

/// The library's unit tests (ACLs, job objects, process handles, the
/// endpoint) built for Windows by scripts/test and run here under Wine.
#[cfg(target_os = "linux")]
#[test]
fn unit_tests_pass_under_wine() {
    let Some(host) = host() else {
        return;
    };
    let wine = &host.wine;
    let Some(tests) = std::env::var_os("SSOENV_WINDOWS_UNIT_TESTS") else {
        harness::missing::<()>(
            "SSOENV_WINDOWS_UNIT_TESTS (the Windows unit-test program)",
            "run the suite with scripts/test, which builds it",
        );
        return;
    };
    // Not under CI=true: the few unit tests that compare with a peer tool
    // (python3's configparser) find no Windows one under Wine and skip; the
    // Linux run of the same tests makes that comparison.
    let out = Command::new(&wine.loader)
        .env_remove("CI")
        .envs(wine.env.iter().map(|(k, v)| (k, v)))
        .arg(win(Path::new(&tests)))
        .arg("--test-threads=2")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    // Proof that they ran: the platform layer's own tests among them,
    // and the keyring's round trip through Wine's Credential Manager
    // (`CredWriteW`, `CredReadW`, `CredDeleteW`).
    for test in [
        "platform::windows::tests::the_owner_only_descriptor_allows_the_user_alone ... ok",
        "sso_token::keyring::tests::credential_manager_round_trip_of_split_items ... ok",
    ] {
        assert!(text.contains(test), "{test}\n{text}");
    }
}

// ----- files, trust, export -------------------------------------------------------

#[test]
fn allow_and_export_pwsh_use_the_windows_folders() {
    let Some(sandbox) = WinSandbox::new() else {
        return;
    };
    sandbox.sandbox.login(Duration::from_secs(8 * 3600));
    let project = sandbox
        .sandbox
        .project("work/app", "ReadOnly", "region = \"eu-west-1\"\n");
    // Not allowed yet: nothing exported, and the message says how.
    let out = sandbox.ssoenv(&project, &["export", "pwsh"]);
    assert!(pwsh_value(&stdout(&out), "AWS_ACCESS_KEY_ID").is_none());
    assert!(stderr(&out).contains("ssoenv allow"), "{}", stderr(&out));
    let data = sandbox.home().join("AppData/Local/ssoenv");
    assert!(!data.exists());

    sandbox.ok(&project, &["allow"]);
    // The trust record went under %LOCALAPPDATA%, nowhere Unix-like.
    assert!(data.is_dir(), "no {}", data.display());
    assert!(!sandbox.home().join(".local").exists());
    assert!(!sandbox.home().join(".config").exists());

    let code = sandbox.ok(&project, &["export", "pwsh"]);
    assert_parses_as_powershell(&code);
    let key = pwsh_value(&code, "AWS_ACCESS_KEY_ID").expect("a key exported");
    assert!(issued_to(&sandbox, &key), "{key}");
    assert!(pwsh_value(&code, "AWS_SECRET_ACCESS_KEY").is_some());
    assert!(pwsh_value(&code, "AWS_SESSION_TOKEN").is_some());
    assert_eq!(
        pwsh_value(&code, "AWS_REGION").as_deref(),
        Some("eu-west-1")
    );
    // The role credentials are cached under %LOCALAPPDATA% too.
    let cached: Vec<_> = walk(&data)
        .into_iter()
        .filter(|file| fs::read_to_string(file).is_ok_and(|text| text.contains(&key)))
        .collect();
    assert!(
        !cached.is_empty(),
        "no cache holds the key under {}",
        data.display()
    );
}

/// Every file under `dir`.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn status_and_list_show_the_project_and_the_accounts() {
    let Some(sandbox) = WinSandbox::new() else {
        return;
    };
    let project = sandbox.signed_in_project("work/app", "");
    let status = sandbox.ok(&project, &["status"]);
    assert!(
        status.contains("~\\work\\app\\.awssso.toml (allowed)"),
        "status names the project by its Windows path, under home:\n{status}"
    );
    assert!(status.contains("ReadOnly"), "{status}");
    let list = sandbox.ok(&project, &["list"]);
    let account = sandbox.sandbox.account_id();
    assert!(list.contains(&account), "{list}");
}

#[test]
fn export_credentials_and_credential_process_give_issued_keys() {
    let Some(sandbox) = WinSandbox::new() else {
        return;
    };
    let project = sandbox.signed_in_project("work/app", "");
    let code = sandbox.ok(&project, &["export-credentials", "--format", "powershell"]);
    assert_parses_as_powershell(&code);
    let key = code
        .lines()
        .find_map(|line| line.split_once("AWS_ACCESS_KEY_ID")?.1.split('"').nth(1))
        .unwrap_or_else(|| panic!("no key in:\n{code}"));
    assert!(issued_to(&sandbox, key), "{code}");

    let json = sandbox.ok(&project, &["credential-process"]);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["Version"], 1);
    assert!(issued_to(&sandbox, value["AccessKeyId"].as_str().unwrap()));
}

#[test]
fn write_credentials_goes_to_userprofile_and_botocore_reads_it() {
    let Some(sandbox) = WinSandbox::new() else {
        return;
    };
    let Some(python) = harness::python() else {
        return;
    };
    let project = sandbox.signed_in_project("work/app", "");
    let file = sandbox.home().join(".aws/credentials");
    assert!(!file.exists());
    sandbox.ok(&project, &["write-credentials", "--name", "win"]);
    assert!(file.is_file(), "no %USERPROFILE%\\.aws\\credentials");
    let out = Command::new(python)
        .args([
            "-c",
            "import botocore.session, sys\n\
             s = botocore.session.Session(profile='win')\n\
             print(s.get_credentials().get_frozen_credentials().access_key)",
        ])
        .env_clear()
        .env("AWS_SHARED_CREDENTIALS_FILE", &file)
        .env("AWS_CONFIG_FILE", sandbox.home().join(".aws/no-config"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let key = stdout(&out).trim().to_owned();
    assert!(issued_to(&sandbox, &key), "botocore read {key:?}");
}

#[test]
fn login_with_a_device_code_writes_the_aws_cli_token_cache() {
    let Some(sandbox) = WinSandbox::new() else {
        return;
    };
    let project = sandbox.sandbox.project("work/app", "ReadOnly", "");
    let cache = sandbox.sandbox.token_cache_file();
    assert!(!cache.exists());
    sandbox.ok(&project, &["allow"]);
    sandbox.sandbox.emulator.set_auto_approve(true);
    let out = sandbox.ssoenv(&project, &["login", "--device-code"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("user_code="), "{}", stderr(&out));
    // Where the AWS CLI on Windows looks: %USERPROFILE%\.aws\sso\cache.
    let token: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&cache).unwrap()).unwrap();
    assert!(token["accessToken"].as_str().is_some_and(|t| !t.is_empty()));
    let code = sandbox.ok(&project, &["export", "pwsh"]);
    assert!(issued_to(
        &sandbox,
        &pwsh_value(&code, "AWS_ACCESS_KEY_ID").unwrap()
    ));
}

// ----- the hook -------------------------------------------------------------------

/// The hook names ssoenv.exe by its absolute Windows path, quoted for
/// PowerShell, whatever the path holds.
#[test]
fn the_pwsh_hook_calls_ssoenv_by_its_windows_path() {
    let Some(mut sandbox) = WinSandbox::new() else {
        return;
    };
    let odd = sandbox.home().join("Program Files/it's ssoenv");
    fs::create_dir_all(&odd).unwrap();
    for exe in ["ssoenv.exe", "ssoenv-core.exe"] {
        fs::copy(sandbox.host.bin_dir.join(exe), odd.join(exe)).unwrap();
    }
    sandbox.bin_dir = odd.clone();
    let home = sandbox.home();
    let hook = sandbox.ok(&home, &["hook", "pwsh"]);
    assert_parses_as_powershell(&hook);
    let quoted = format!("& '{}'", win(&odd.join("ssoenv.exe")).replace('\'', "''"));
    assert!(
        quoted.contains("it''s ssoenv"),
        "the check needs a quote to escape"
    );
    assert!(hook.contains(&format!("{quoted} export pwsh")), "{hook}");
    // And the copy it names runs.
    let code = sandbox.ok(&home, &["export", "pwsh"]);
    assert!(code.is_empty(), "no project, nothing to do: {code}");
}

// ----- exec -----------------------------------------------------------------------

/// What the endpoint at `uri` answers curl (on the Linux side under Wine)
/// that sends the token in `token_file`, as the container credential
/// provider does.
fn fetch_credentials(curl: &Path, uri: &str, token_file: &Path) -> serde_json::Value {
    let token = fs::read_to_string(token_file).unwrap();
    // The header from stdin (`@-`): a token never goes on a command line.
    let mut child = Command::new(curl)
        .args(["-sS", "--max-time", "20", "-H", "@-"])
        .arg(uri)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(format!("Authorization: {token}\n").as_bytes())
        .unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn exec_without_the_server_hands_the_key_to_the_command_and_returns_its_code() {
    let Some(sandbox) = WinSandbox::new() else {
        return;
    };
    let project = sandbox.signed_in_project("work/app", "");
    let out = sandbox.ssoenv(
        &project,
        &[
            "exec",
            "--no-server",
            "--",
            "cmd",
            "/c",
            "echo key=%AWS_ACCESS_KEY_ID% & exit 7",
        ],
    );
    assert_eq!(out.status.code(), Some(7), "{}", stderr(&out));
    let key = stdout(&out)
        .lines()
        .find_map(|line| line.trim().strip_prefix("key=").map(str::to_owned))
        .expect("the command's output");
    assert!(issued_to(&sandbox, &key), "{key}");
}

#[test]
fn exec_serves_the_endpoint_while_the_command_runs_and_removes_its_token() {
    let Some(sandbox) = WinSandbox::new() else {
        return;
    };
    let Some(curl) = harness::require_tool("curl") else {
        return;
    };
    let project = sandbox.signed_in_project("work/app", "");
    // The command prints what it was given, then waits for the test.
    let done = project.join("done");
    fs::write(
        project.join("wait.cmd"),
        format!(
            "@echo off\r\necho uri=%AWS_CONTAINER_CREDENTIALS_FULL_URI%\r\n\
             echo token=%AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE%\r\n\
             echo key=%AWS_ACCESS_KEY_ID%\r\n\
             :wait\r\nif exist \"{}\" exit /b 5\r\nping -n 2 127.0.0.1 >nul\r\ngoto wait\r\n",
            win(&done)
        ),
    )
    .unwrap();
    let mut child = sandbox
        .command(&project, &["exec", "--", "cmd", "/c", "wait.cmd"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = std::collections::BTreeMap::new();
    while seen.len() < 3 {
        let line = lines.next().expect("the command's output").unwrap();
        if let Some((name, value)) = line.trim().split_once('=') {
            seen.insert(name.to_owned(), value.to_owned());
        }
    }
    // Endpoint mode: no static key, a URI on 127.0.0.1 and a token file.
    // (A batch file expands an unset variable to nothing.)
    assert_eq!(seen["key"], "", "no static key: {seen:?}");
    let uri = &seen["uri"];
    assert!(uri.starts_with("http://127.0.0.1:"), "{seen:?}");
    let token_file = native(&seen["token"]);
    let body = fetch_credentials(&curl, uri, &token_file);
    assert!(
        issued_to(&sandbox, body["AccessKeyId"].as_str().unwrap()),
        "{body}"
    );
    // Without the token: refused.
    let refused = Command::new(&curl)
        .args([
            "-s",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "--max-time",
            "20",
        ])
        .arg(uri)
        .output()
        .unwrap();
    assert_eq!(stdout(&refused), "403");

    fs::write(&done, "").unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(5));
    // Gone with the command: the token file, and the server.
    let deadline = Instant::now() + Duration::from_secs(10);
    while token_file.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        !token_file.exists(),
        "{} outlived the command",
        token_file.display()
    );
    let after = Command::new(&curl)
        .args(["-s", "--max-time", "5"])
        .arg(uri)
        .output()
        .unwrap();
    assert!(!after.status.success(), "the endpoint outlived the command");
}

// ----- the agent ------------------------------------------------------------------

#[test]
fn the_agent_starts_detached_serves_and_stops() {
    let Some(sandbox) = WinSandbox::new() else {
        return;
    };
    let Some(curl) = harness::require_tool("curl") else {
        return;
    };
    let project = sandbox.signed_in_project("work/app", "credentials = \"endpoint\"\n");
    let out = sandbox.ssoenv(&project, &["agent", "status"]);
    assert_eq!(out.status.code(), Some(3), "no agent yet: {}", stdout(&out));

    // The prompt starts it, detached: export returns while it serves on.
    let started = Instant::now();
    // (Its stderr to a file: Wine gives a process the Unix stderr of its
    // starter, which the agent would hold open for good.)
    let said = sandbox.home().join("export.err");
    let out = sandbox
        .command(&project, &["export", "pwsh"])
        .stderr(fs::File::create(&said).unwrap())
        .output()
        .unwrap();
    let said = fs::read_to_string(&said).unwrap();
    assert!(out.status.success(), "{said}");
    assert!(started.elapsed() < Duration::from_secs(20));
    let code = stdout(&out);
    assert_parses_as_powershell(&code);
    let uri = pwsh_value(&code, "AWS_CONTAINER_CREDENTIALS_FULL_URI").expect("endpoint mode");
    let token_file = native(&pwsh_value(&code, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE").unwrap());
    assert!(pwsh_value(&code, "AWS_ACCESS_KEY_ID").is_none());

    let status = sandbox.ok(&project, &["agent", "status"]);
    assert!(status.starts_with("agent "), "{status}");
    let body = fetch_credentials(&curl, &uri, &token_file);
    assert!(
        issued_to(&sandbox, body["AccessKeyId"].as_str().unwrap()),
        "{body}"
    );

    let stopped = sandbox.ok(&project, &["agent", "stop"]);
    assert!(stopped.starts_with("stopped agent "), "{stopped}");
    let out = sandbox.ssoenv(&project, &["agent", "status"]);
    assert_eq!(out.status.code(), Some(3), "{}", stdout(&out));
    let after = Command::new(&curl)
        .args(["-s", "--max-time", "5"])
        .arg(&uri)
        .output()
        .unwrap();
    assert!(!after.status.success(), "the agent still serves");
}

// ----- a real PowerShell (Windows only: Wine has none) ----------------------------

/// The hook in PowerShell 7 (`pwsh`) and Windows PowerShell 5.1
/// (`powershell`): the prompt loads the project's credentials, and leaving
/// gives back the value the shell had before.
#[cfg(windows)]
#[test]
fn powershell_7_and_5_1_load_and_unload_at_the_prompt() {
    let Some(sandbox) = WinSandbox::new() else {
        return;
    };
    let project = sandbox.signed_in_project("work/app", "");
    let exe = win(&sandbox.bin_dir.join("ssoenv.exe")).replace('\'', "''");
    let quote = |path: &Path| format!("'{}'", win(path).replace('\'', "''"));
    let script = format!(
        "$ErrorActionPreference = 'Stop'\n\
         $env:AWS_ACCESS_KEY_ID = 'mine'\n\
         Invoke-Expression (& '{exe}' hook pwsh | Out-String)\n\
         Set-Location {project}\n\
         $null = prompt\n\
         \"in=$env:AWS_ACCESS_KEY_ID\"\n\
         Set-Location {home}\n\
         $null = prompt\n\
         \"out=$env:AWS_ACCESS_KEY_ID\"\n",
        project = quote(&project),
        home = quote(&sandbox.home()),
    );
    let file = sandbox.home().join("check.ps1");
    fs::write(&file, script).unwrap();
    for shell in ["pwsh", "powershell"] {
        let Some(path) = harness::require_tool(shell) else {
            return;
        };
        let out = sandbox
            .windows_command(&sandbox.home(), &path.display().to_string())
            .args([
                "-NoProfile",
                "-NonInteractive",
                "-ExecutionPolicy",
                "Bypass",
                "-File",
            ])
            .arg(&file)
            .output()
            .unwrap();
        let text = stdout(&out);
        assert!(out.status.success(), "{shell}: {text}{}", stderr(&out));
        let value = |name: &str| {
            text.lines()
                .find_map(|line| line.trim().strip_prefix(name))
                .unwrap_or_else(|| panic!("{shell} printed no {name}: {text}"))
                .to_owned()
        };
        assert!(issued_to(&sandbox, &value("in=")), "{shell}: {text}");
        assert_eq!(value("out="), "mine", "{shell}: {text}");
    }
}
