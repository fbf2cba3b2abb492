//! Real interactive shells driven through tmux, with the real `ssoenv hook`
//! in their rc file, so the hook runs before every prompt exactly as a user's
//! does.
//!
//! Results travel through files, not the screen: [`Interactive::run`] sends
//! `<command>; echo > <marker>` and waits for the marker and then for the
//! next prompt, which the rc counts in a file from a prompt hook that runs
//! after ssoenv's. Captures (`env -0`, command output) are redirected into
//! files. The screen is read only for what the hook says on stderr, which a
//! user sees there too.
//!
//! The hook runs *before* each prompt, so what `cd X` changes is visible to
//! the next command line, not to the line that ran `cd`. Waiting for the
//! prompt before typing the next line also keeps the terminal's echo of
//! typed-ahead keys from landing in the middle of the hook's messages.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use super::{Sandbox, harness};

/// How long one command line (with the hook before the next prompt) may take
/// before the test fails. Generous: CI runs many shells on two cores.
pub const STEP_TIMEOUT: Duration = Duration::from_secs(30);

/// The shells the hook supports interactively here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Bash,
    Zsh,
    Fish,
    Elvish,
    Tcsh,
    Xonsh,
    Nu,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Bash => "bash",
            Kind::Zsh => "zsh",
            Kind::Fish => "fish",
            Kind::Elvish => "elvish",
            Kind::Tcsh => "tcsh",
            Kind::Xonsh => "xonsh",
            Kind::Nu => "nu",
        }
    }
}

/// One interactive shell in its own tmux server. Dropping it kills the
/// server (and so the shell), also when the test panics.
pub struct Interactive {
    kind: Kind,
    tmux: PathBuf,
    socket: String,
    /// rc files, markers and captures; also tmux's socket directory.
    dir: tempfile::TempDir,
    /// One byte per prompt shown.
    prompts: PathBuf,
    step: u32,
}

/// The name of the tmux pane's session (one per server).
const TARGET: &str = "ssoenv-test";

impl Interactive {
    /// Starts `kind` in `cwd` with the sandbox's environment plus `extra_env`,
    /// its rc holding what `ssoenv hook <kind>` prints, and waits for its
    /// first prompt. `None` (or a panic under CI) when tmux or the shell is
    /// missing.
    #[track_caller]
    pub fn start(
        sandbox: &Sandbox,
        kind: Kind,
        cwd: &Path,
        extra_env: &[(&str, &str)],
    ) -> Option<Self> {
        Self::start_with_rc(sandbox, kind, cwd, extra_env, "")
    }

    /// Like [`Interactive::start`], with `user_rc` in the rc file before
    /// the hook, as a user's own settings would be.
    #[track_caller]
    pub fn start_with_rc(
        sandbox: &Sandbox,
        kind: Kind,
        cwd: &Path,
        extra_env: &[(&str, &str)],
        user_rc: &str,
    ) -> Option<Self> {
        let tmux = harness::require_tool("tmux")?;
        let shell = harness::require_tool(kind.name())?;
        let dir = tempfile::Builder::new()
            .prefix("ssoenv-sh")
            .tempdir()
            .expect("temporary directory");

        let hook = sandbox.ssoenv(cwd, &["hook", kind.name()]);
        assert!(
            hook.status.success(),
            "ssoenv hook {} failed: {}",
            kind.name(),
            String::from_utf8_lossy(&hook.stderr)
        );
        let hook = String::from_utf8(hook.stdout).expect("the hook is UTF-8");

        // The sandbox's variables, with nothing of the developer's.
        let mut probe = Command::new("true");
        sandbox.apply_env(&mut probe);
        let mut env: Vec<(OsString, OsString)> = probe
            .get_envs()
            .filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned())))
            .collect();
        env.push(("TERM".into(), "screen".into()));
        env.extend(extra_env.iter().map(|(k, v)| (k.into(), v.into())));

        // Every prompt appends a byte here, after ssoenv's hook has run.
        let prompts = dir.path().join("prompts");
        fs::write(&prompts, "").unwrap();
        let count_prompt = format!("printf x >> {}", quoted(&prompts));

        let mut argv: Vec<OsString> = vec![shell.into_os_string()];
        match kind {
            Kind::Bash => {
                let rc = dir.path().join("bashrc");
                // The hook puts itself before what PROMPT_COMMAND already has.
                // No HISTFILE: bash writes it when tmux hangs up, which can
                // be while the temporary home is being removed: it stays behind.
                fs::write(
                    &rc,
                    format!(
                        "unset HISTFILE\n\
                         __test_prompt() {{ {count_prompt}; }}\nPROMPT_COMMAND=__test_prompt\n\
                         {user_rc}\n{hook}\nPS1='$ '\nPS2='> '\n"
                    ),
                )
                .unwrap();
                argv.extend([
                    "--noprofile".into(),
                    "--rcfile".into(),
                    rc.into(),
                    "-i".into(),
                ]);
            }
            Kind::Zsh => {
                // `zsh -f` would skip the rc too: ZDOTDIR points zsh at ours.
                let zdotdir = dir.path().join("zdotdir");
                fs::create_dir(&zdotdir).unwrap();
                fs::write(zdotdir.join(".zshenv"), "unsetopt GLOBAL_RCS\n").unwrap();
                fs::write(
                    zdotdir.join(".zshrc"),
                    format!(
                        "{user_rc}\n{hook}\n__test_prompt() {{ {count_prompt}; }}\n\
                         precmd_functions+=(__test_prompt)\nPS1='%% '\nunsetopt PROMPT_SP\n"
                    ),
                )
                .unwrap();
                env.push(("ZDOTDIR".into(), zdotdir.into()));
                argv.push("-i".into());
            }
            Kind::Fish => {
                let rc = dir.path().join("rc.fish");
                fs::write(
                    &rc,
                    // The prompt function runs after the fish_prompt event handlers.
                    format!(
                        "{user_rc}\n{hook}\nset -g fish_greeting\n\
                         function fish_prompt\n    {count_prompt}\n    printf '> '\nend\n"
                    ),
                )
                .unwrap();
                argv.extend([
                    "--no-config".into(),
                    "-i".into(),
                    "-C".into(),
                    format!("source {}", quoted(&rc)).into(),
                ]);
            }
            Kind::Elvish => {
                // As `eval (ssoenv hook elvish | slurp)` in rc.elv would.
                let hook_file = dir.path().join("hook.elv");
                fs::write(&hook_file, &hook).unwrap();
                let rc = dir.path().join("rc.elv");
                fs::write(
                    &rc,
                    format!(
                        "{user_rc}\neval (slurp < {})\n\
                         set edit:before-readline = [$@edit:before-readline {{|| {count_prompt} }}]\n\
                         set edit:prompt = {{ put '> ' }}\nset edit:rprompt = {{ }}\n",
                        quoted(&hook_file)
                    ),
                )
                .unwrap();
                argv.extend(["-rc".into(), rc.into()]);
            }
            Kind::Tcsh => {
                // tcsh reads ~/.tcshrc only: HOME points at a directory
                // with ours, which puts the sandbox's HOME back first.
                let rc_home = dir.path().join("tcsh-home");
                fs::create_dir(&rc_home).unwrap();
                let hook_file = dir.path().join("hook.tcsh");
                fs::write(&hook_file, &hook).unwrap();
                fs::write(
                    rc_home.join(".tcshrc"),
                    format!(
                        "setenv HOME {}\n{user_rc}\neval \"`cat {}`\"\n\
                         alias precmd \"$__ssoenv_precmd:q; {count_prompt}\"\nset prompt = '> '\n",
                        quoted(&sandbox.home()),
                        quoted(&hook_file)
                    ),
                )
                .unwrap();
                for (name, value) in &mut env {
                    if name == "HOME" {
                        *value = rc_home.clone().into();
                    }
                }
            }
            Kind::Xonsh => {
                // As `execx($(ssoenv hook xonsh))` in ~/.xonshrc would; the
                // counter's handler is registered after ssoenv's, and
                // handlers run in that order.
                let hook_file = dir.path().join("hook.xsh");
                fs::write(&hook_file, &hook).unwrap();
                let rc = dir.path().join("rc.xsh");
                let prompts = prompts.to_str().expect("UTF-8 temporary path");
                fs::write(
                    &rc,
                    format!(
                        "$XONSH_HISTORY_BACKEND = 'dummy'\n\
                         {user_rc}\nexecx(open({}).read())\n\
                         @events.on_pre_prompt\ndef __test_prompt(**_):\n    \
                         open({prompts:?}, 'a').write('x')\n\
                         $PROMPT = '> '\n$RIGHT_PROMPT = ''\n$BOTTOM_TOOLBAR = ''\n",
                        quoted(&hook_file)
                    ),
                )
                .unwrap();
                argv.extend([
                    "--rc".into(),
                    rc.into(),
                    "--shell-type".into(),
                    "readline".into(),
                    "-i".into(),
                ]);
            }
            Kind::Nu => {
                // The README's two lines: env.nu saves the hook (checked
                // against `hook` above once the shell is up), and config.nu
                // sources it. The counter's hook is added after ssoenv's,
                // and Nushell runs them in order.
                let hook_file = dir.path().join("ssoenv.nu");
                let env_rc = dir.path().join("env.nu");
                fs::write(
                    &env_rc,
                    format!(
                        "^{} hook nu | save -f {}\n",
                        quoted(Path::new(env!("CARGO_BIN_EXE_ssoenv"))),
                        quoted(&hook_file)
                    ),
                )
                .unwrap();
                let rc = dir.path().join("config.nu");
                fs::write(
                    &rc,
                    format!(
                        "$env.config.show_banner = false\n{user_rc}\nsource {}\n\
                         $env.config.hooks.pre_prompt = ($env.config.hooks.pre_prompt | append {{|| \
                         'x' | save --append {} }})\n\
                         $env.PROMPT_COMMAND = {{|| '> ' }}\n$env.PROMPT_COMMAND_RIGHT = ''\n\
                         $env.PROMPT_INDICATOR = ''\n",
                        quoted(&hook_file),
                        quoted(&prompts)
                    ),
                )
                .unwrap();
                argv.extend([
                    "--no-history".into(),
                    "--env-config".into(),
                    env_rc.into(),
                    "--config".into(),
                    rc.into(),
                ]);
            }
        }

        static SERVERS: AtomicU32 = AtomicU32::new(0);
        let socket = format!(
            "ssoenv-test-{}-{}",
            std::process::id(),
            SERVERS.fetch_add(1, Ordering::Relaxed)
        );
        let session = Interactive {
            kind,
            tmux,
            socket,
            dir,
            prompts,
            step: 0,
        };
        let mut new_session = session.tmux_command();
        new_session
            .args([
                "new-session",
                "-d",
                "-x",
                "200",
                "-y",
                "50",
                "-s",
                TARGET,
                "-c",
            ])
            .arg(cwd)
            .arg("env")
            .arg("-i");
        for (name, value) in &env {
            let mut pair = name.clone();
            pair.push("=");
            pair.push(value);
            new_session.arg(pair);
        }
        new_session.args(&argv);
        session.tmux_ok(&mut new_session);
        // Nothing else keeps the shell's output after it exits.
        session.tmux_ok(session.tmux_command().args([
            "set-option",
            "-t",
            TARGET,
            "remain-on-exit",
            "on",
        ]));
        session.wait_for_prompt(0);
        if kind == Kind::Nu {
            let saved = fs::read_to_string(session.dir.path().join("ssoenv.nu"));
            assert_eq!(
                saved.ok().as_deref(),
                Some(hook.as_str()),
                "env.nu saved the hook"
            );
        }
        Some(session)
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The shell's process id (tmux's pane runs `env`, which execs the shell).
    pub fn shell_pid(&self) -> u32 {
        let out = self.tmux_ok(self.tmux_command().args([
            "display-message",
            "-p",
            "-t",
            TARGET,
            "#{pane_pid}",
        ]));
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .expect("tmux gives the pane's pid")
    }

    /// A tmux client command for this session's private server, with tmux's
    /// socket directory inside our temporary directory.
    fn tmux_command(&self) -> Command {
        let mut command = Command::new(&self.tmux);
        command
            .env("TMUX_TMPDIR", self.dir.path())
            .env_remove("TMUX")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .stdin(Stdio::null());
        command
    }

    fn tmux_ok(&self, command: &mut Command) -> Output {
        let output = command
            .output()
            .unwrap_or_else(|err| panic!("cannot run tmux: {err}"));
        assert!(
            output.status.success(),
            "{command:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        output
    }

    /// Types `line` into the shell and presses Enter, without waiting.
    pub fn send_line(&self, line: &str) {
        self.send_text(line);
        self.tmux_ok(
            self.tmux_command()
                .args(["send-keys", "-t", TARGET, "Enter"]),
        );
    }

    /// Types `text` into the shell as it is (no Enter), without waiting.
    pub fn send_text(&self, text: &str) {
        self.tmux_ok(
            self.tmux_command()
                .args(["send-keys", "-t", TARGET, "-l", "--"])
                .arg(text),
        );
    }

    /// A fresh file name in the work directory.
    fn next_file(&mut self, what: &str) -> PathBuf {
        self.step += 1;
        self.dir.path().join(format!("{}-{what}", self.step))
    }

    /// Presses one key, in tmux's notation (`C-c`, `C-z`), without waiting.
    pub fn send_key(&self, key: &str) {
        self.tmux_ok(self.tmux_command().args(["send-keys", "-t", TARGET, key]));
    }

    /// How many prompts the shell has shown.
    pub fn prompt_count(&self) -> u64 {
        fs::metadata(&self.prompts).map_or(0, |meta| meta.len())
    }

    /// Polls `done` until it holds; on timeout fails with the screen.
    #[track_caller]
    pub fn wait_until(&self, what: &str, done: impl Fn() -> bool) {
        self.wait_until_within(what, STEP_TIMEOUT, done);
    }

    /// [`Interactive::wait_until`] with a timeout of its own.
    #[track_caller]
    pub fn wait_until_within(&self, what: &str, timeout: Duration, done: impl Fn() -> bool) {
        let started = Instant::now();
        while !done() {
            if started.elapsed() > timeout {
                panic!(
                    "{}: {what} not seen after {:?}; the screen:\n{}",
                    self.kind.name(),
                    timeout,
                    self.screen()
                );
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Waits until the shell has shown more than `shown_before` prompts.
    #[track_caller]
    pub fn wait_for_prompt(&self, shown_before: u64) {
        self.wait_until("the next prompt", || self.prompt_count() > shown_before);
    }

    /// Runs `command` at the prompt and waits until it has finished and the
    /// next prompt is shown, so the hook has run after it.
    #[track_caller]
    pub fn run(&mut self, command: &str) {
        self.run_within(command, STEP_TIMEOUT);
    }

    /// [`Interactive::run`] for a command that may take up to `timeout`.
    #[track_caller]
    pub fn run_within(&mut self, command: &str, timeout: Duration) {
        let marker = self.next_file("done");
        let line = match self.kind {
            // A failing command throws, which would skip the marker.
            Kind::Elvish => format!(
                "try {{ {command} }} catch {{ }}; echo > {}",
                quoted(&marker)
            ),
            // A quoted program path is a Python string unless the command
            // is marked as a subprocess (the tests' commands hold no `; `
            // but between commands); Python lines go through `run_code`.
            Kind::Xonsh => {
                let commands: Vec<String> = command
                    .split("; ")
                    .map(|part| format!("![{part}]"))
                    .collect();
                format!("{}; ![echo > {}]", commands.join("; "), quoted(&marker))
            }
            // A quoted program path is a string unless run with `^`, as
            // is every program but `cd`; a failing program stops the line
            // unless caught.
            Kind::Nu => {
                let commands: Vec<String> = command
                    .split("; ")
                    .map(|part| match part.strip_prefix("cd ") {
                        Some(_) => part.to_owned(),
                        None => format!("^{part}"),
                    })
                    .collect();
                format!(
                    "try {{ {} }} catch {{ }}; '' | save -f {}",
                    commands.join("; "),
                    quoted(&marker)
                )
            }
            _ => format!("{command}; echo > {}", quoted(&marker)),
        };
        self.run_line(
            &line,
            &marker,
            &format!("the marker of `{command}`"),
            timeout,
        );
    }

    /// Runs a line of the shell's own language where `run` takes programs:
    /// Python in xonsh, Nushell code in Nushell. The marker is written the
    /// language's way.
    #[track_caller]
    pub fn run_code(&mut self, code: &str) {
        let marker = self.next_file("done");
        let line = match self.kind {
            Kind::Xonsh => format!("{code}; open({}, 'w').close()", quoted(&marker)),
            Kind::Nu => format!("{code}; '' | save -f {}", quoted(&marker)),
            kind => panic!("{kind:?} takes code through `run`"),
        };
        self.run_line(
            &line,
            &marker,
            &format!("the marker of `{code}`"),
            STEP_TIMEOUT,
        );
    }

    #[track_caller]
    fn run_line(&mut self, line: &str, marker: &Path, what: &str, timeout: Duration) {
        let shown_before = self.prompt_count();
        self.send_line(line);
        self.wait_until_within(what, timeout, || marker.exists());
        self.wait_for_prompt(shown_before);
    }

    /// A fresh file in the shell's work directory, for a command to write.
    pub fn scratch_file(&mut self, what: &str) -> PathBuf {
        self.next_file(what)
    }

    /// Runs `command` with stdout and stderr into a file and returns what it wrote.
    #[track_caller]
    pub fn output_of(&mut self, command: &str) -> Vec<u8> {
        let file = self.next_file("out");
        let redirect = match self.kind {
            Kind::Bash | Kind::Zsh => format!("{{ {command}; }} > {} 2>&1", quoted(&file)),
            Kind::Fish => format!("begin; {command}; end > {} 2>&1", quoted(&file)),
            Kind::Elvish => format!("{{ {command} }} > {} 2>&1", quoted(&file)),
            Kind::Tcsh => format!("( {command} ) >& {}", quoted(&file)),
            // `a>`: stdout and stderr.
            Kind::Xonsh => format!("{command} a> {}", quoted(&file)),
            Kind::Nu => format!("{command} o+e> {}", quoted(&file)),
        };
        self.run(&redirect);
        fs::read(&file).expect("the command's output file")
    }

    /// The exported environment as the shell's commands see it (`env -0`).
    #[track_caller]
    pub fn env(&mut self) -> BTreeMap<String, Vec<u8>> {
        let dump = self.output_of("env -0");
        dump.split(|b| *b == 0)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                let at = entry
                    .iter()
                    .position(|b| *b == b'=')
                    .expect("NAME=value in env -0");
                (
                    String::from_utf8(entry[..at].to_vec()).expect("ASCII name"),
                    entry[at + 1..].to_vec(),
                )
            })
            .collect()
    }

    /// Which of `names` are set in the shell at all, exported or not.
    #[track_caller]
    pub fn set_in_shell(&mut self, names: &[&str]) -> Vec<String> {
        if self.kind == Kind::Nu {
            let file = self.next_file("set");
            let list = names
                .iter()
                .map(|n| format!("'{n}'"))
                .collect::<Vec<_>>()
                .join(" ");
            self.run_code(&format!(
                "[{list}] | where {{|n| $n in $env }} | str join (char nl) | save -f {}",
                quoted(&file)
            ));
            let listed = fs::read_to_string(&file).expect("the list of set variables");
            return listed.lines().map(str::to_owned).collect();
        }
        if self.kind == Kind::Xonsh {
            let file = self.next_file("set");
            self.run_code(&format!(
                "open({}, 'w').write(''.join(n + '\\n' for n in {names:?} if n in ${{...}}))",
                quoted(&file)
            ));
            let listed = fs::read_to_string(&file).expect("the list of set variables");
            return listed.lines().map(str::to_owned).collect();
        }
        let probes: Vec<String> = names
            .iter()
            .map(|name| match self.kind {
                Kind::Bash | Kind::Zsh => format!("[ -n \"${{{name}+x}}\" ] && echo {name}"),
                Kind::Fish => format!("set -q {name}; and echo {name}"),
                Kind::Elvish => format!("if (has-env {name}) {{ echo {name} }}"),
                Kind::Tcsh => format!("if ($?{name}) echo {name}"),
                Kind::Xonsh | Kind::Nu => unreachable!("listed above"),
            })
            .collect();
        let listed = self.output_of(&format!("{}; true", probes.join("; ")));
        String::from_utf8(listed)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// Sets the exported variable `name` to the exact bytes of `value`, read
    /// from a file so no quoting of ours is involved.
    #[track_caller]
    pub fn export_from_file(&mut self, name: &str, value: &[u8]) {
        let file = self.next_file("value");
        if self.kind == Kind::Tcsh {
            // tcsh reads nothing byte-exact into a variable: the value goes
            // into a script it sources, in single quotes, where `\` before a
            // newline keeps the newline and `!` must be outside.
            let text = std::str::from_utf8(value).expect("a UTF-8 value for tcsh");
            let escaped = text
                .replace('\'', "'\\''")
                .replace('!', "'\\!'")
                .replace('\n', "\\\n");
            fs::write(&file, format!("setenv {name} '{escaped}'\n")).unwrap();
            self.run(&format!("source {}", quoted(&file)));
            return;
        }
        fs::write(&file, value).unwrap();
        if self.kind == Kind::Nu {
            let file = quoted(&file);
            self.run_code(&format!("$env.{name} = (open --raw {file})"));
            return;
        }
        if self.kind == Kind::Xonsh {
            // newline='' keeps a \r\n as it is.
            let file = quoted(&file);
            self.run_code(&format!("${name} = open({file}, newline='').read()"));
            return;
        }
        let file = quoted(&file);
        let command = match self.kind {
            // `read -d ''` stops at a NUL (there is none) and keeps newlines
            // and a trailing backslash; its failing status at EOF is expected.
            Kind::Bash | Kind::Zsh => {
                format!("IFS= read -r -d '' {name} < {file}; export {name}")
            }
            Kind::Fish => format!("set -gx {name} (string collect --no-trim-newlines < {file})"),
            Kind::Elvish => format!("set-env {name} (slurp < {file})"),
            Kind::Tcsh => unreachable!("sourced above"),
            Kind::Xonsh | Kind::Nu => unreachable!("read above"),
        };
        self.run(&command);
    }

    /// Everything the terminal has shown, wrapped lines joined.
    pub fn screen(&self) -> String {
        let output = self
            .tmux_command()
            .args(["capture-pane", "-p", "-J", "-S", "-", "-t", TARGET])
            .output();
        match output {
            Ok(output) => String::from_utf8_lossy(&output.stdout).into_owned(),
            Err(err) => format!("<cannot capture the pane: {err}>"),
        }
    }

    /// The screen once everything printed so far has reached it: a sentinel
    /// echoed now appears after all earlier output.
    #[track_caller]
    pub fn settled_screen(&mut self) -> String {
        self.step += 1;
        let sentinel = format!("sync-{}-{}", self.step, self.socket);
        self.run(&format!("echo {sentinel}"));
        let started = Instant::now();
        loop {
            let screen = self.screen();
            if screen.lines().any(|line| line.trim_end() == sentinel) {
                return screen;
            }
            assert!(
                started.elapsed() < STEP_TIMEOUT,
                "{}: the sentinel never showed; the screen:\n{screen}",
                self.kind.name()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The lines ssoenv printed (they start with `ssoenv: `), in order.
    #[track_caller]
    pub fn ssoenv_lines(&mut self) -> Vec<String> {
        self.settled_screen()
            .lines()
            .filter(|line| line.starts_with("ssoenv: "))
            .map(|line| line.trim_end().to_owned())
            .collect()
    }
}

impl Drop for Interactive {
    fn drop(&mut self) {
        let _ = self
            .tmux_command()
            .arg("kill-server")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// `path` single-quoted, for all five shells: temporary paths hold neither
/// quotes nor backslashes, which this checks rather than escapes.
pub fn quoted(path: &Path) -> String {
    let text = path.to_str().expect("UTF-8 temporary path");
    assert!(
        !text.contains(['\'', '\\']),
        "unexpected quote or backslash in {text}"
    );
    format!("'{text}'")
}
