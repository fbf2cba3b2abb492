//! Credentials for containers (`ssoenv exec --container`, `ssoenv
//! container-args`) with a real engine: Debian's podman (rootful, runc), a
//! container on the default bridge network, and Debian 12's own boto3
//! (botocore 1.29) inside an image built locally (scripts/container-test-image:
//! no registry is reachable). The `docker` CLI checks the same flags against
//! its grammar; no Docker daemon runs where these tests run, so that test
//! stops at the CLI's connection to it.
//!
//! Locally, a missing podman, image, static relay build or docker CLI skips
//! with a message; under CI=true it fails.

mod support;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use support::{Sandbox, harness, stderr, stdout};

/// The test image: scripts/container-test-image builds it once per machine.
const IMAGE: &str = "ssoenv-test-boto3";

/// As the issue asks: 20-second credentials, asked for every second for 70 s.
const LIFETIME: Duration = Duration::from_secs(20);
const RUN_SECONDS: u64 = 70;

/// What a container test needs: podman that runs containers, the image, and
/// the static build of ssoenv-relay (scripts/test builds it).
struct Engine {
    podman: PathBuf,
    relay: PathBuf,
}

#[track_caller]
fn engine() -> Option<Engine> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let podman = harness::require_tool("podman")?;
    let image = Command::new(&podman)
        .args(["image", "exists", IMAGE])
        .status()
        .is_ok_and(|status| status.success());
    if !image {
        return harness::missing(
            &format!("the podman image {IMAGE}"),
            "run scripts/container-test-image (as root: debootstrap and rootful podman)",
        );
    }
    let relay = support::static_relay()?;
    Some(Engine { podman, relay })
}

fn sandbox(lifetime: Duration) -> (Sandbox, PathBuf) {
    let sandbox = Sandbox::new();
    sandbox.emulator.set_credential_lifetime(lifetime);
    sandbox.login(Duration::from_secs(8 * 3600));
    let project = sandbox.allowed_project(
        "work/app",
        "AdministratorAccess",
        "region = \"eu-west-1\"\n",
    );
    (sandbox, project)
}

/// A container name no other test (or run) uses.
fn unique_name(what: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("ssoenv-test-{what}-{}-{nanos}", std::process::id())
}

fn podman(engine: &Engine, args: &[&str]) -> Output {
    Command::new(&engine.podman)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run podman")
}

/// `podman inspect NAME` once the container runs (up to a minute: the
/// first start of an image unpacks it).
fn inspect_when_running(engine: &Engine, name: &str) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let out = podman(
            engine,
            &["inspect", "--type", "container", "--format", "json", name],
        );
        if out.status.success() {
            let inspected: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            if inspected[0]["State"]["Running"] == true {
                return inspected;
            }
        }
        assert!(
            Instant::now() < deadline,
            "{name} did not start: {}",
            stderr(&out)
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// The host directory mounted at /run/ssoenv in `inspected`.
fn grant_dir(inspected: &serde_json::Value) -> PathBuf {
    let mounts = inspected[0]["Mounts"].as_array().expect("Mounts");
    let grant = mounts
        .iter()
        .find(|mount| mount["Destination"] == "/run/ssoenv")
        .unwrap_or_else(|| panic!("no mount at /run/ssoenv: {mounts:?}"));
    assert_eq!(grant["RW"], false, "the grant is mounted read-only");
    PathBuf::from(grant["Source"].as_str().unwrap())
}

/// Runs the static relay on the host against `socket`, as the container's
/// SDK would.
fn relay_answer(engine: &Engine, socket: &Path) -> Output {
    Command::new(&engine.relay).arg(socket).output().unwrap()
}

/// The TCP sockets in LISTEN state, by inode, with their local address.
fn tcp_listeners() -> Vec<(u64, String)> {
    let mut listeners = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = fs::read_to_string(table) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            // local_address, rem_address, st (0A: LISTEN), …, inode.
            if fields.len() > 9 && fields[3] == "0A" {
                listeners.push((fields[9].parse().unwrap(), fields[1].to_owned()));
            }
        }
    }
    listeners
}

/// The socket inodes a process holds.
fn socket_inodes(pid: u32) -> BTreeSet<u64> {
    let Ok(fds) = fs::read_dir(format!("/proc/{pid}/fd")) else {
        return BTreeSet::new();
    };
    fds.flatten()
        .filter_map(|fd| fs::read_link(fd.path()).ok())
        .filter_map(|target| {
            let text = target.to_string_lossy().into_owned();
            text.strip_prefix("socket:[")?
                .strip_suffix(']')?
                .parse()
                .ok()
        })
        .collect()
}

/// The processes running this build's ssoenv-core.
fn ssoenv_processes() -> Vec<u32> {
    let core = fs::canonicalize(env!("CARGO_BIN_EXE_ssoenv-core")).unwrap();
    fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| {
                exe == core || exe.to_string_lossy() == format!("{} (deleted)", core.display())
            })
        })
        .collect()
}

/// Loopback in /proc/net/tcp's hex: 127.x.x.x (little-endian, so the last
/// byte pair is 7F) or ::1.
fn is_loopback_hex(local: &str) -> bool {
    let address = local.split(':').next().unwrap_or_default();
    (address.len() == 8 && address.ends_with("7F")) || address == "00000000000000000000000001000000"
}

/// The process holding the listening Unix socket at `path`.
fn server_of_socket(path: &Path) -> Option<u32> {
    let table = fs::read_to_string("/proc/net/unix").ok()?;
    let inode: u64 = table.lines().find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        (fields.len() >= 8 && Path::new(fields[7]) == path).then(|| fields[6].parse().ok())?
    })?;
    ssoenv_processes()
        .into_iter()
        .find(|&pid| socket_inodes(pid).contains(&inode))
}

#[test]
fn boto3_in_a_bridged_container_gets_renewed_credentials_and_nothing_leaks() {
    let Some(engine) = engine() else { return };
    let (sandbox, project) = sandbox(LIFETIME);
    let name = unique_name("renewed");
    let child = harness::workspace_root().join("tests/interop/container_child.py");
    let mut run = sandbox.command(&project);
    run.env("SSOENV_RELAY", &engine.relay)
        .args(["exec", "--container", "--"])
        .arg(&engine.podman)
        .args(["run", "--rm", "--name", &name, "--network", "bridge", "-v"])
        .arg(format!("{}:/child.py:ro", child.display()))
        .args([IMAGE, "python3", "/child.py", &RUN_SECONDS.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let run = run.spawn().unwrap();

    // While it runs: what `podman inspect` shows, where the grant is, who
    // serves it and on what, and a neighbour without the flags.
    let inspected = inspect_when_running(&engine, &name);
    let inspect_text = inspected.to_string();
    let grant = grant_dir(&inspected);
    let socket = grant.join("creds.sock");
    assert!(
        inspect_text.contains("AWS_CONFIG_FILE=/run/ssoenv/config"),
        "inspect shows the container's environment (so what it lacks is meaningful): {inspect_text}"
    );
    let helper = server_of_socket(&socket)
        .unwrap_or_else(|| panic!("no ssoenv process serves {}", socket.display()));
    let ssoenv_listeners: Vec<(u64, String)> = {
        let ours: BTreeSet<u64> = ssoenv_processes()
            .into_iter()
            .flat_map(socket_inodes)
            .collect();
        tcp_listeners()
            .into_iter()
            .filter(|(inode, _)| ours.contains(inode))
            .collect()
    };
    assert!(
        ssoenv_listeners
            .iter()
            .all(|(_, local)| is_loopback_hex(local)),
        "an ssoenv process listens beyond loopback: {ssoenv_listeners:?}"
    );
    let helper_sockets = socket_inodes(helper);
    assert!(
        tcp_listeners()
            .iter()
            .all(|(inode, _)| !helper_sockets.contains(inode)),
        "the grant's helper listens on TCP"
    );
    let neighbour = podman(
        &engine,
        &[
            "run",
            "--rm",
            "-e",
            "AWS_EC2_METADATA_DISABLED=true",
            IMAGE,
            "python3",
            "-c",
            "import boto3; print(boto3.Session().get_credentials())",
        ],
    );
    assert!(neighbour.status.success(), "{}", stderr(&neighbour));
    assert_eq!(
        stdout(&neighbour).trim(),
        "None",
        "a container without the flags gets nothing"
    );

    let out = run.wait_with_output().unwrap();
    let elapsed = started.elapsed();
    assert!(
        out.status.success(),
        "stdout: {}\nstderr: {}",
        stdout(&out),
        stderr(&out)
    );
    let report: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(report["method"], "custom-process", "{report}");
    assert!(
        report["botocore"].as_str().unwrap().starts_with("1.29."),
        "Debian 12's botocore: {report}"
    );
    assert_eq!(
        report["env"],
        serde_json::json!(["AWS_CONFIG_FILE"]),
        "no credentials, token or endpoint in the container's environment"
    );
    let observations = report["observations"].as_array().unwrap();
    assert!(
        observations.len() >= 60,
        "{} observations",
        observations.len()
    );
    let mut keys = BTreeSet::new();
    for seen in observations {
        assert!(seen.get("error").is_none(), "{seen}");
        let left = seen["seconds_left"].as_f64().unwrap();
        assert!(left > 0.0, "expired credentials handed out: {seen}");
        for value in ["access_key", "secret", "token"] {
            let value = seen[value].as_str().unwrap();
            assert!(!value.is_empty());
            assert!(
                !inspect_text.contains(value),
                "podman inspect shows a credential value"
            );
        }
        keys.insert(seen["access_key"].as_str().unwrap().to_owned());
    }
    assert!(
        keys.len() >= 3,
        "only {} different keys in {elapsed:?}",
        keys.len()
    );

    // After the run: the grant's socket and directory are gone, and the
    // grant is refused.
    let deadline = Instant::now() + Duration::from_secs(5);
    while grant.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!grant.exists(), "{} outlived the run", grant.display());
    let refused = relay_answer(&engine, &socket);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("the `ssoenv exec --container` run that granted it has ended"),
        "{}",
        stderr(&refused)
    );
}

#[test]
fn container_args_grants_until_the_calling_shell_exits() {
    let Some(engine) = engine() else { return };
    let (sandbox, project) = sandbox(Duration::from_secs(3600));
    let ssoenv = Path::new(env!("CARGO_BIN_EXE_ssoenv"));
    // The script asks for the flags, runs a container with them, shows the
    // grant's directory, and waits to be told to end.
    let script = format!(
        r#"set -eu
flags=$({ssoenv} container-args)
printf '%s\n' "$flags" >&2
{podman} run --rm $flags {IMAGE} python3 -c 'import boto3; c = boto3.Session().get_credentials(); print(c.method, c.get_frozen_credentials().access_key)'
printf '%s\n' "$flags" | sed -n 's/^--volume=\(.*\):\/run\/ssoenv:ro$/\1/p'
read -r _ || true
"#,
        ssoenv = ssoenv.display(),
        podman = engine.podman.display(),
    );
    let mut bash = Command::new("bash");
    sandbox.apply_env(&mut bash);
    bash.env("SSOENV_RELAY", &engine.relay)
        .current_dir(&project)
        .args(["-c", &script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut bash = bash.spawn().unwrap();
    let mut lines = std::io::BufReader::new(bash.stdout.take().unwrap());
    let mut read_line = || {
        let mut line = String::new();
        std::io::BufRead::read_line(&mut lines, &mut line).unwrap();
        line.trim().to_owned()
    };
    let seen = read_line();
    let grant = PathBuf::from(read_line());
    assert!(
        seen.starts_with("custom-process ASIA"),
        "the container got credentials: {seen:?}"
    );
    assert!(
        grant.is_dir(),
        "the grant {grant:?} lives while the shell does"
    );
    // The shell ends: so does the grant.
    drop(bash.stdin.take());
    let out = bash.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let deadline = Instant::now() + Duration::from_secs(5);
    while grant.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!grant.exists(), "{} outlived its shell", grant.display());
}

/// The flags, one per line, as `container-args` prints them.
fn container_args(sandbox: &Sandbox, project: &Path, relay: &Path) -> Vec<String> {
    // The grant's helper keeps stderr (where it reports failed renewals)
    // for as long as it serves: until this test ends, its parent. So
    // stderr goes to a file, and only stdout is read to its end.
    let errors = sandbox.home().join("container-args.stderr");
    let out = sandbox
        .command(project)
        .env("SSOENV_RELAY", relay)
        .arg("container-args")
        .stderr(fs::File::create(&errors).unwrap())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        fs::read_to_string(&errors).unwrap()
    );
    stdout(&out).lines().map(str::to_owned).collect()
}

#[test]
fn the_flags_pass_the_docker_clis_grammar() {
    let Some(engine) = engine() else { return };
    let Some(docker) = harness::require_tool("docker") else {
        return;
    };
    let (sandbox, project) = sandbox(Duration::from_secs(3600));
    let flags = container_args(&sandbox, &project, &engine.relay);
    assert_eq!(flags.len(), 2, "{flags:?}");
    // No daemon here: the CLI parses `run`'s flags, then fails to connect.
    let docker_run = |extra: &[&str]| {
        Command::new(&docker)
            .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
            .env("DOCKER_CONFIG", sandbox.home().join(".docker"))
            .arg("run")
            .args(extra)
            .args(["--rm", "img", "true"])
            .output()
            .unwrap()
    };
    // The precondition: a flag it does not know fails before the connection.
    let bogus = docker_run(&["--no-such-flag"]);
    assert!(
        stderr(&bogus).contains("unknown flag"),
        "{}",
        stderr(&bogus)
    );
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let ours = docker_run(&flags);
    let said = stderr(&ours);
    assert!(
        said.contains("Cannot connect to the Docker daemon") || said.contains("docker.sock"),
        "docker run should get past its flags to the daemon: {said}"
    );
    assert!(
        !said.contains("flag") && !said.contains("invalid"),
        "{said}"
    );
}

#[test]
fn what_cannot_be_served_is_refused_before_the_command_starts() {
    let Some(engine) = engine() else { return };
    let (sandbox, project) = sandbox(Duration::from_secs(3600));
    let marker = sandbox.home().join("started");
    let exec = |relay: &Path, command: &[&str]| {
        sandbox
            .command(&project)
            .env("SSOENV_RELAY", relay)
            .args(["exec", "--container", "--"])
            .args(command)
            .output()
            .unwrap()
    };
    // Proof that the command would run and leave the marker.
    let touch = format!("touch {}", marker.display());
    let ran = sandbox
        .command(&project)
        .args(["exec", "--", "sh", "-c", &touch])
        .output()
        .unwrap();
    assert!(ran.status.success() && marker.exists(), "{}", stderr(&ran));
    fs::remove_file(&marker).unwrap();

    // A command that is no engine's run.
    let out = exec(&engine.relay, &["sh", "-c", &touch]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("--container runs a container engine, not sh — "),
        "{}",
        stderr(&out)
    );
    let podman = engine.podman.to_string_lossy().into_owned();
    let out = exec(&engine.relay, &[&podman, "build", "."]);
    assert!(
        stderr(&out).contains("--container serves `run` only, and the command has `build` — "),
        "{}",
        stderr(&out)
    );
    // A detached run, whose grant would end as `podman run -d` returns.
    let out = exec(
        &engine.relay,
        &[&podman, "run", "-d", "--rm", IMAGE, "sleep", "60"],
    );
    assert!(
        stderr(&out).contains("a detached container (-d) outlives the engine's command"),
        "{}",
        stderr(&out)
    );
    // A dynamically linked build (this test's own binary is one) and no build.
    let dynamic = PathBuf::from(env!("CARGO_BIN_EXE_ssoenv"));
    let out = exec(&dynamic, &[&podman, "run", "--rm", IMAGE, "true"]);
    assert!(
        stderr(&out).contains("which is linked dynamically: containers need the static build"),
        "{}",
        stderr(&out)
    );
    let out = exec(Path::new(""), &[&podman, "run", "--rm", IMAGE, "true"]);
    assert!(
        stderr(&out).contains("no static Linux build of ssoenv for")
            && stderr(&out).contains(" — "),
        "{}",
        stderr(&out)
    );
    // An engine that is not installed.
    let out = exec(&engine.relay, &["/nonexistent/docker", "run", "img"]);
    assert_eq!(out.status.code(), Some(127), "{}", stderr(&out));
    assert!(!marker.exists());
}

/// The guide's Containers page: its `devcontainer.json`, parsed, mounts the
/// grant that `container-args --dir` made and sets the variable the flags
/// set, and a container started with exactly that mount and environment
/// (a dev container's `mounts` entry is the engine's own `--mount` syntax)
/// gets credentials; its compose override says the same.
#[test]
fn the_guides_dev_container_and_compose_recipes_work() {
    let Some(engine) = engine() else { return };
    let page =
        fs::read_to_string(harness::workspace_root().join("docs/src/containers.md")).unwrap();
    let block = |fence: &str| -> String {
        let start = page
            .find(&format!("```{fence}\n"))
            .unwrap_or_else(|| panic!("no ```{fence} block on the Containers page"));
        let body = &page[start + fence.len() + 4..];
        body[..body.find("```").unwrap()].to_owned()
    };
    let devcontainer: serde_json::Value = serde_json::from_str(&block("json")).unwrap();
    let mounts = devcontainer["mounts"].as_array().unwrap();
    assert_eq!(mounts.len(), 1, "{devcontainer}");
    let env = devcontainer["containerEnv"].as_object().unwrap();

    let (sandbox, project) = sandbox(Duration::from_secs(3600));
    // What the recipe must agree with: the flags container-args prints.
    let flags = container_args(&sandbox, &project, &engine.relay);
    let target = flags[0]
        .strip_prefix("--volume=")
        .and_then(|volume| volume.rsplit_once(':'))
        .and_then(|(rest, mode)| Some((rest.rsplit_once(':')?.1, mode)))
        .unwrap();
    assert_eq!(target, ("/run/ssoenv", "ro"));
    let (name, value) = flags[1]
        .strip_prefix("--env=")
        .unwrap()
        .split_once('=')
        .unwrap();
    assert_eq!(env.len(), 1);
    assert_eq!(env[name], value, "containerEnv sets what the flags set");
    let compose = block("yaml");
    assert!(
        compose.contains("${SSOENV_GRANT:?") && compose.contains("}:/run/ssoenv:ro\n"),
        "{compose}"
    );
    assert!(compose.contains(&format!("{name}: {value}\n")), "{compose}");

    // The recipe for real: SSOENV_GRANT from `container-args --dir`, the
    // devcontainer's mount and environment given to podman as they are.
    let errors = sandbox.home().join("container-args-dir.stderr");
    let dir = sandbox
        .command(&project)
        .env("SSOENV_RELAY", &engine.relay)
        .args(["container-args", "--dir"])
        .stderr(fs::File::create(&errors).unwrap())
        .output()
        .unwrap();
    assert!(
        dir.status.success(),
        "{}",
        fs::read_to_string(&errors).unwrap()
    );
    let grant = stdout(&dir).trim().to_owned();
    assert!(Path::new(&grant).join("config").is_file(), "{grant}");
    let mount = mounts[0]
        .as_str()
        .unwrap()
        .replace("${localEnv:SSOENV_GRANT}", &grant);
    let mut run = Command::new(&engine.podman);
    run.args(["run", "--rm", "--mount", &mount]);
    for (name, value) in env {
        run.arg("--env")
            .arg(format!("{name}={}", value.as_str().unwrap()));
    }
    let out = run
        .args([
            IMAGE,
            "python3",
            "-c",
            "import boto3; c = boto3.Session().get_credentials(); print(c.method, c.get_frozen_credentials().access_key)",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("custom-process ASIA"),
        "{}",
        stdout(&out)
    );
}
