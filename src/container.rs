//! Credentials for a container: a grant that `ssoenv exec --container` and
//! `ssoenv container-args` make for one container run.
//!
//! ```text
//! host                                         container (any Linux image)
//! ──────────────────────────────────────────   ─────────────────────────────────────
//! <runtime dir>/ssoenv-grant-<pid>-<rnd>/      (0700: only the user, on the host)
//!   mount/            ── bind-mounted, ro ──>  /run/ssoenv/
//!     creds.sock         served by the helper    creds.sock
//!     config             credential_process  ─>  config   (AWS_CONFIG_FILE)
//!     ssoenv-relay       static Linux build      ssoenv-relay
//! ```
//!
//! Why this shape:
//! - **`credential_process`**, through `AWS_CONFIG_FILE`: every AWS SDK reads
//!   it, the old ones that distributions ship included (Debian 12's botocore
//!   1.29 knows no `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`), and it needs
//!   nothing listening inside the container. The SDK runs the relay again
//!   whenever its credentials near their `Expiration`.
//! - **A Unix socket** on the host, in a directory only the user can enter.
//!   The engine mounts it into the container; holding it is the grant, so no
//!   token travels in the container's environment, argv or `inspect`
//!   output: the only variable is `AWS_CONFIG_FILE`, a path. The socket
//!   itself is connectable by any uid (the container's user need not be
//!   the host's), which the private directory above it confines to the
//!   user on the host.
//! - **One grant per run**, scoped to one target and served by the helper
//!   of [`crate::exec_helper`] for as long as the process it serves for
//!   lives (the engine's `run`, or the shell that ran `container-args`).
//!   When it ends, the socket stops listening and its directory goes:
//!   a container that outlives it gets a connection refused.
//! - **The relay** is `ssoenv-relay` (the `relay/` crate: std only, built
//!   statically for musl), copied into the grant so the mount is one
//!   directory, read-only. No image needs ssoenv installed.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::oneshot;

use crate::credentials::Credentials;
use crate::endpoint::{self, Renew, Slot};
use crate::error::{Error, Result};
use crate::{paths, platform};

/// Where the grant's directory is mounted inside the container.
pub const MOUNT_POINT: &str = "/run/ssoenv";

/// Names the static build to mount, instead of the one installed next to
/// ssoenv: a path to a static Linux `ssoenv-relay` for the container's
/// architecture.
pub const RELAY_VAR: &str = "SSOENV_RELAY";

/// Prefix of the grants' private directories.
const DIR_PREFIX: &str = "ssoenv-grant-";
/// Short names: a socket's path has at most 103 bytes on macOS, whose
/// temporary directory takes about 50 of them.
const SOCKET: &str = "creds.sock";
const CONFIG: &str = "config";
const RELAY: &str = "ssoenv-relay";

/// How long one answer on the socket may take, renewal included.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(50);

/// The flags that give a container the grant in `mounted` (its host path),
/// in the `--flag=value` form that `docker run`, `podman run` and `docker
/// compose run` all accept, one word each.
pub fn flags(mounted: &Path) -> Vec<String> {
    vec![
        format!("--volume={}:{MOUNT_POINT}:ro", mounted.display()),
        format!("--env=AWS_CONFIG_FILE={MOUNT_POINT}/{CONFIG}"),
    ]
}

/// A grant being served. Stopping (or dropping) it stops the socket and
/// removes its directory.
pub struct Grant {
    dir: Option<PathBuf>,
    mounted: PathBuf,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Grant {
    /// Serves `initial`, renewed with `renew` as [`Slot`] does for the
    /// endpoint, to whoever connects to the grant's socket; the grant's
    /// config names `relay` (copied in) as its `credential_process` and
    /// `region` as its region.
    pub fn start(
        initial: Credentials,
        margin: Duration,
        renew: Renew,
        relay: &Path,
        region: Option<&str>,
    ) -> Result<Grant> {
        let dir = endpoint::private_dir(DIR_PREFIX, "the container's grant")?;
        // From here on, dropping `grant` removes the directory.
        let mut grant = Grant {
            mounted: dir.join("mount"),
            dir: Some(dir),
            shutdown: None,
            thread: None,
        };
        let cannot = |what: &str, e: &dyn std::fmt::Display| {
            Error::new(format!(
                "cannot prepare the container's grant ({what}): {e}"
            ))
        };
        fs::create_dir(&grant.mounted)
            .and_then(|()| platform::make_public_dir(&grant.mounted))
            .map_err(|e| cannot("its directory", &e))?;
        let copy = grant.mounted.join(RELAY);
        fs::copy(relay, &copy).map_err(|e| {
            cannot(
                &format!("copying {}", paths::display(relay)),
                &e as &dyn std::fmt::Display,
            )
        })?;
        let config = grant.mounted.join(CONFIG);
        fs::write(&config, config_file(region))
            .and_then(|()| platform::make_public_file(&config))
            .map_err(|e| cannot("its AWS config file", &e))?;
        let slot = Slot::new(
            "the container's credentials".into(),
            Some(initial),
            margin,
            renew,
        );
        let socket = grant.mounted.join(SOCKET);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| cannot("the async runtime", &e))?;
        let listener = runtime
            .block_on(async { platform::LocalListener::bind(&socket) })
            .map_err(|e| {
                cannot(
                    &format!("its socket {}", paths::display(&socket)),
                    &format!(
                        "{e} — if the path is too long for a socket, set XDG_RUNTIME_DIR to a \
                         shorter directory of yours"
                    ),
                )
            })?;
        let (shutdown, stopped) = oneshot::channel();
        let thread = std::thread::Builder::new()
            .name("ssoenv-grant".into())
            .spawn(move || runtime.block_on(serve(listener, slot, stopped)))
            .map_err(|e| cannot("the server thread", &e))?;
        grant.shutdown = Some(shutdown);
        grant.thread = Some(thread);
        Ok(grant)
    }

    /// The private directory to remove should this process die.
    pub fn dir(&self) -> &Path {
        self.dir.as_deref().expect("a grant has its directory")
    }

    /// The host directory the container mounts at [`MOUNT_POINT`].
    pub fn mounted(&self) -> &Path {
        &self.mounted
    }

    /// Stops serving and removes the grant's directory.
    pub fn stop(mut self) {
        self.shut_down();
    }

    fn shut_down(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        if let Some(dir) = self.dir.take() {
            let _ = fs::remove_dir_all(&dir);
        }
    }
}

impl Drop for Grant {
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// The AWS config file the container's SDKs read: the default profile gets
/// its credentials from the relay.
fn config_file(region: Option<&str>) -> String {
    let mut config = format!(
        "# Written by ssoenv for one container run; gone when the run ends.\n\
         [default]\n\
         credential_process = {MOUNT_POINT}/{RELAY} {MOUNT_POINT}/{SOCKET}\n"
    );
    if let Some(region) = region {
        config.push_str(&format!("region = {region}\n"));
    }
    config
}

async fn serve(
    listener: platform::LocalListener,
    slot: Arc<Slot>,
    mut stopped: oneshot::Receiver<()>,
) {
    let mut backoff = Duration::ZERO;
    loop {
        tokio::select! {
            _ = &mut stopped => break,
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok(stream) => {
                        backoff = Duration::ZERO;
                        stream
                    }
                    // Out of descriptors, most likely: do not spin.
                    Err(_) => {
                        backoff = (backoff * 2).clamp(Duration::from_millis(10), Duration::from_secs(1));
                        tokio::time::sleep(backoff).await;
                        continue;
                    }
                };
                let slot = slot.clone();
                tokio::spawn(async move {
                    let answer = match endpoint::credentials(&slot).await {
                        Ok(creds) => format!("ok\n{}\n", creds.process_json()),
                        Err(message) => format!("error\n{message}\n"),
                    };
                    let _ = tokio::time::timeout(
                        ANSWER_TIMEOUT,
                        stream.send_and_close(answer.as_bytes()),
                    )
                    .await;
                });
            }
        }
    }
}

/// The static Linux `ssoenv-relay` to mount: [`RELAY_VAR`] when set, else
/// `ssoenv-relay-linux-<arch>` (this machine's architecture, which a local
/// engine's containers share) next to `ssoenv-core` or in
/// `../libexec/ssoenv/`. Checked to be a static Linux program for that
/// architecture, so that a wrong file fails here and not in the container.
pub fn static_build() -> Result<PathBuf> {
    let arch = std::env::consts::ARCH;
    if let Some(path) = std::env::var_os(RELAY_VAR).filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        check_static_build(&path, arch, &format!("{RELAY_VAR} names"))?;
        return Ok(path);
    }
    let name = format!("{RELAY}-linux-{arch}");
    let core = paths::core_exe()?;
    let dir = core.parent().unwrap_or(Path::new("."));
    let candidates = [
        dir.join(&name),
        dir.join("..").join("libexec").join("ssoenv").join(&name),
    ];
    match candidates.iter().find(|path| path.is_file()) {
        Some(path) => {
            check_static_build(path, arch, "found")?;
            Ok(path.clone())
        }
        None => Err(Error::new(format!(
            "no static Linux build of ssoenv for {arch} containers ({name} next to {}) — \
             install ssoenv from a release archive, which carries it, or set {RELAY_VAR} \
             to one (cargo build --release -p ssoenv-relay --target \
             {arch}-unknown-linux-musl)",
            paths::display(&core)
        ))),
    }
}

/// An ELF program for `arch` that asks for no dynamic loader.
fn check_static_build(path: &Path, arch: &str, how: &str) -> Result<()> {
    let bytes = fs::read(path).map_err(|e| {
        Error::new(format!(
            "cannot read the static Linux build {} ({e}) — check {RELAY_VAR} or reinstall ssoenv",
            paths::display(path)
        ))
    })?;
    match elf_kind(&bytes) {
        Some((machine, false)) if machine == arch => Ok(()),
        Some((machine, true)) if machine == arch => Err(Error::new(format!(
            "{how} {}, which is linked dynamically: containers need the static build \
             (target {arch}-unknown-linux-musl)",
            paths::display(path)
        ))),
        Some((machine, _)) => Err(Error::new(format!(
            "{how} {}, which is built for {machine}, not {arch} — use the build for {arch}",
            paths::display(path)
        ))),
        None => Err(Error::new(format!(
            "{how} {}, which is not a Linux program — point {RELAY_VAR} at ssoenv-relay \
             built for {arch}-unknown-linux-musl",
            paths::display(path)
        ))),
    }
}

/// For a 64-bit little-endian ELF file: its machine and whether it names an
/// interpreter (a `PT_INTERP` program header: linked dynamically).
fn elf_kind(bytes: &[u8]) -> Option<(&'static str, bool)> {
    let u16_at = |at: usize| Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?));
    let u32_at = |at: usize| Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?));
    let u64_at = |at: usize| Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?));
    // Magic, 64-bit, little-endian.
    if bytes.get(..6)? != b"\x7fELF\x02\x01" {
        return None;
    }
    let machine = match u16_at(18)? {
        62 => "x86_64",
        183 => "aarch64",
        _ => "another architecture",
    };
    let program_headers = usize::try_from(u64_at(32)?).ok()?;
    let entry_size = usize::from(u16_at(54)?);
    let entries = usize::from(u16_at(56)?);
    const PT_INTERP: u32 = 3;
    let interpreted = (0..entries)
        .any(|i| u32_at(program_headers + i * entry_size).is_some_and(|kind| kind == PT_INTERP));
    Some((machine, interpreted))
}

/// Where ssoenv's flags go in an engine's command line: the index right
/// after `run` in `docker|podman|nerdctl [global flags] [container] run …`
/// or `docker compose [flags] run …` / `docker-compose [flags] run …`.
/// Anything else is refused with what to do instead.
pub fn insertion_point(command: &[std::ffi::OsString]) -> Result<usize> {
    let Some((program, args)) = command.split_first() else {
        return Err(Error::new("no command given"));
    };
    let engine = Path::new(program)
        .file_stem()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !matches!(
        engine.as_str(),
        "docker" | "podman" | "nerdctl" | "docker-compose" | "podman-compose"
    ) {
        return Err(Error::new(format!(
            "--container runs a container engine, not {} — use `ssoenv exec --container -- \
             docker run …` (or podman run, docker compose run), or drop --container",
            program.to_string_lossy()
        )));
    }
    let compose_tool = engine.ends_with("-compose");
    let mut words = Vec::new();
    let mut index = 0;
    while index < args.len() {
        let arg = args[index].to_string_lossy();
        if arg == "--" {
            break;
        }
        if arg.starts_with('-') {
            // A global flag: its value may be the next word (`-H host`,
            // `--context name`, `-f compose.yaml`) unless given with `=`.
            if !arg.contains('=') && takes_value(&arg) {
                index += 1;
            }
        } else {
            words.push(arg.into_owned());
            let subcommand = words.iter().map(String::as_str).collect::<Vec<_>>();
            let run_here = if compose_tool {
                subcommand == ["run"]
            } else {
                matches!(
                    subcommand.as_slice(),
                    ["run"] | ["container", "run"] | ["compose", "run"]
                )
            };
            if run_here {
                return Ok(index + 2);
            }
            let more_to_come = matches!(subcommand.as_slice(), ["container"] | ["compose"]);
            if !more_to_come {
                break;
            }
        }
        index += 1;
    }
    let found = if words.is_empty() {
        "no subcommand".to_owned()
    } else {
        format!("`{}`", words.join(" "))
    };
    Err(Error::new(format!(
        "--container serves `run` only, and the command has {found} — use `{engine} run …`{}, \
         or give a long-running container the flags of `ssoenv container-args` (see the guide's \
         Containers page)",
        if engine == "docker" || engine == "podman" {
            format!(" or `{engine} compose run …`")
        } else {
            String::new()
        }
    )))
}

/// Refuses a detached run (`-d`, `--detach`, `-dit`, …): the engine's
/// command returns at once, and the grant with it, so the container would
/// start with credentials that stop working. `at` is where ssoenv's flags
/// go (right after `run`); the scan stops at the image (the first word that
/// is no flag's value) or `--`, so the command run inside is not looked at.
pub fn refuse_detached(command: &[std::ffi::OsString], at: usize) -> Result<()> {
    let mut args = command[at..].iter().map(|arg| arg.to_string_lossy());
    while let Some(arg) = args.next() {
        if arg == "--" || !arg.starts_with('-') || arg == "-" {
            return Ok(());
        }
        let detached = if let Some(long) = arg.strip_prefix("--") {
            match long.split_once('=') {
                Some((name, value)) => name == "detach" && value != "false",
                None if RUN_SWITCHES.contains(&long) => long == "detach",
                // A flag with its value in the next word.
                None => {
                    args.next();
                    false
                }
            }
        } else {
            let mut detached = false;
            for (i, short) in arg[1..].char_indices() {
                if short == 'd' {
                    detached = true;
                }
                if !RUN_SHORT_SWITCHES.contains(short) {
                    // A short flag with a value: the rest of the word, or the next one.
                    if i + short.len_utf8() == arg.len() - 1 {
                        args.next();
                    }
                    break;
                }
            }
            detached
        };
        if detached {
            return Err(Error::new(
                "a detached container (-d) outlives the engine's command, and the grant ends \
                 with that command — run the container in the foreground, or start it from a \
                 shell that stays open with the flags of `ssoenv container-args`",
            ));
        }
    }
    Ok(())
}

/// The switches (flags without a value) of `docker run`, `podman run` and
/// `docker compose run`; every other long flag takes one.
const RUN_SWITCHES: &[&str] = &[
    "build",
    "detach",
    "disable-content-trust",
    "env-host",
    "help",
    "http-proxy",
    "init",
    "interactive",
    "no-deps",
    "no-healthcheck",
    "no-hostname",
    "no-hosts",
    "no-TTY",
    "oom-kill-disable",
    "passwd",
    "privileged",
    "publish-all",
    "quiet",
    "quiet-pull",
    "read-only",
    "read-only-tmpfs",
    "remove-orphans",
    "replace",
    "rm",
    "rmi",
    "rootfs",
    "service-ports",
    "sig-proxy",
    "tls-verify",
    "tty",
    "use-aliases",
    "use-api-socket",
];

/// The short switches of those: `-d`, `-i`, `-t`, `-P`, `-q`, `-T`.
const RUN_SHORT_SWITCHES: &str = "ditPqT";

/// The global flags of docker, podman and compose that take a value as the
/// next word (the rest are switches: `--debug`, `-D`, `--tls`, …).
fn takes_value(flag: &str) -> bool {
    matches!(
        flag,
        "-H" | "--host"
            | "-c"
            | "--context"
            | "--config"
            | "-l"
            | "--log-level"
            | "--tlscacert"
            | "--tlscert"
            | "--tlskey"
            | "--connection"
            | "--url"
            | "--identity"
            | "--root"
            | "--runroot"
            | "--runtime"
            | "--storage-driver"
            | "--storage-opt"
            | "--cgroup-manager"
            | "--events-backend"
            | "--network-cmd-path"
            | "--network-config-dir"
            | "--tmpdir"
            | "--volumepath"
            | "--imagestore"
            | "--module"
            | "--hooks-dir"
            | "--conmon"
            | "--ssh"
            | "--namespace"
            | "-n"
            | "--address"
            | "-a"
            | "-f"
            | "--file"
            | "-p"
            | "--project-name"
            | "--project-directory"
            | "--profile"
            | "--env-file"
            | "--ansi"
            | "--progress"
            | "--parallel"
    )
}

/// The command with `flags` right after its `run`.
pub fn with_flags(
    command: &[std::ffi::OsString],
    at: usize,
    flags: &[String],
) -> Vec<std::ffi::OsString> {
    let mut out = command[..at].to_vec();
    out.extend(flags.iter().map(std::ffi::OsString::from));
    out.extend_from_slice(&command[at..]);
    out
}

/// A host path the engines' `--volume` grammar can carry: no `:` or `,`.
/// (For `container-args`, whose lines a shell splits on whitespace, none of
/// that either.)
pub fn check_mountable(path: &Path, split_by_shell: bool) -> Result<()> {
    let text = path.to_string_lossy();
    let bad = |c: char| c == ':' || c == ',' || (split_by_shell && c.is_whitespace());
    if text.contains(bad) {
        return Err(Error::new(format!(
            "the grant's directory {text} has a character the engines' --volume flag cannot \
             carry — set XDG_RUNTIME_DIR (or TMPDIR) to a directory whose path has no ':' , ',' \
             or spaces"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;

    fn point(words: &str) -> Result<usize> {
        let command: Vec<OsString> = words.split(' ').map(OsString::from).collect();
        insertion_point(&command)
    }

    #[test]
    fn flags_go_right_after_run() {
        assert_eq!(point("docker run --rm img").unwrap(), 2);
        assert_eq!(point("/usr/bin/podman run img").unwrap(), 2);
        assert_eq!(point("docker container run img").unwrap(), 3);
        assert_eq!(point("docker -H unix:///x.sock run img").unwrap(), 4);
        assert_eq!(point("docker --context=ci --debug run img").unwrap(), 4);
        assert_eq!(point("podman --log-level debug run img").unwrap(), 4);
        assert_eq!(point("docker compose run app").unwrap(), 3);
        assert_eq!(point("docker compose -f a.yaml -p x run app").unwrap(), 7);
        assert_eq!(point("docker-compose run app").unwrap(), 2);
        assert_eq!(point("podman compose run app").unwrap(), 3);
    }

    #[test]
    fn anything_but_run_is_refused_with_what_to_do() {
        for words in [
            "docker build .",
            "docker compose up",
            "podman exec ctr sh",
            "docker",
            "docker image run",
            "docker-compose up",
        ] {
            let err = point(words).unwrap_err();
            assert!(
                err.message().contains("serves `run` only"),
                "{words}: {err}"
            );
            assert!(err.message().contains(" — "), "{words}: {err}");
        }
        let err = point("kubectl run x").unwrap_err();
        assert!(err.message().contains("not kubectl"), "{err}");
    }

    #[test]
    fn a_detached_run_is_refused_and_the_command_inside_is_not_looked_at() {
        let detached = |words: &str| {
            let command: Vec<OsString> = words.split(' ').map(OsString::from).collect();
            let at = insertion_point(&command).unwrap();
            refuse_detached(&command, at).is_err()
        };
        for words in [
            "docker run -d img",
            "docker run --detach img",
            "docker run --detach=true img",
            "podman run -dit --rm img",
            "docker run --rm -itd img sh",
            "docker run -e A=1 --name x -d img",
            "docker compose run -d app",
        ] {
            assert!(detached(words), "{words}");
        }
        for words in [
            "docker run img",
            "docker run -it --rm img",
            "docker run --detach=false img",
            "docker run --rm img python -d",
            "docker run -e -d img",
            "docker run --name -d img",
            "docker run -edebug=1 img",
            "podman run --replace --rm img sh -c -d",
            "docker run -- img -d",
        ] {
            assert!(!detached(words), "{words}");
        }
    }

    #[test]
    fn the_config_runs_the_relay_on_the_socket() {
        let config = config_file(Some("eu-west-1"));
        assert!(
            config
                .contains("credential_process = /run/ssoenv/ssoenv-relay /run/ssoenv/creds.sock\n")
        );
        assert!(config.contains("region = eu-west-1\n"));
        assert!(!config_file(None).contains("region"));
    }

    #[test]
    fn elf_headers_tell_static_from_dynamic_and_the_architecture() {
        let me = fs::read(std::env::current_exe().unwrap()).unwrap();
        if cfg!(all(target_os = "linux", target_env = "gnu")) {
            assert_eq!(elf_kind(&me), Some((std::env::consts::ARCH, true)));
        }
        assert_eq!(elf_kind(b"#!/bin/sh\n"), None);
    }
}
