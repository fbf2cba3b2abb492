//! Fuzzing with proptest (cargo-fuzz needs a nightly toolchain): the config
//! parsers, the `SSOENV_STATE` decoder and the idle-prompt check that reads
//! it, and the per-shell quoters. Each target first replays its committed
//! corpus (`tests/fuzz/corpus/<target>/`), then runs generated cases:
//! arbitrary bytes and text, and near-valid inputs mutated a little, which is
//! where parsers break.
//!
//! `SSOENV_FUZZ_CASES` sets the generated cases per target (default sized
//! for CI); see `tests/fuzz/README.md` for longer runs. Failures are shrunk and
//! kept in `tests/fuzz/regressions/`, which every run replays.

use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use ssoenv::config::{self, Env};
use ssoenv::shell::HookShell;
use ssoenv::shell::{EnvName, shell_for};
use ssoenv::state::{Moment, Served, Stamp, State, Watched};

/// Generated cases per config target unless `SSOENV_FUZZ_CASES` says
/// otherwise; each writes files, so they cost ~2.5 ms each in a debug build.
const DEFAULT_CASES: u32 = 1000;

/// The in-memory targets (state, quoting) are ~100× cheaper: they run this
/// many times as many cases.
const CHEAP: u32 = 10;

fn cases() -> u32 {
    static CASES: OnceLock<u32> = OnceLock::new();
    *CASES.get_or_init(|| {
        std::env::var("SSOENV_FUZZ_CASES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(DEFAULT_CASES)
    })
}

fn config(regressions: &'static str, scale: u32) -> ProptestConfig {
    ProptestConfig {
        cases: cases().saturating_mul(scale),
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(regressions))),
        ..ProptestConfig::default()
    }
}

/// The committed inputs of one target, each file as raw bytes.
fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz/corpus")
        .join(target);
    let mut files: Vec<(PathBuf, Vec<u8>)> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .map(|p| {
            let bytes = fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "empty corpus {}", dir.display());
    files
}

// ----- config parsers ----------------------------------------------------------

/// A temporary home where the config files are written, one per case and
/// removed on drop. Not shared through a static: statics are never dropped,
/// and nextest runs each test in a process of its own, so every run left a
/// directory behind in the temp dir.
struct Home {
    _dir: tempfile::TempDir,
    env: Env,
    project: PathBuf,
}

impl Home {
    fn new() -> Home {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        fs::create_dir_all(root.join("src/app")).unwrap();
        fs::create_dir_all(root.join(".aws")).unwrap();
        fs::create_dir_all(root.join(".config/ssoenv")).unwrap();
        Home {
            env: Env {
                home: Some(root.clone()),
                user_config: Some(root.join(".config/ssoenv/config.toml")),
                aws_config: Some(root.join(".aws/config")),
            },
            project: root.join("src/app/.awssso.toml"),
            _dir: dir,
        }
    }

    /// Loads `project` (with `aws` as the AWS config file, if any) and checks
    /// the error, if there is one, against every file's text.
    fn load(&self, project: &[u8], aws: Option<&[u8]>) -> Result<(), TestCaseError> {
        fs::write(&self.project, project).unwrap();
        let aws_path = self.env.aws_config.as_ref().unwrap();
        match aws {
            Some(aws) => fs::write(aws_path, aws).unwrap(),
            None => {
                let _ = fs::remove_file(aws_path);
            }
        }
        let files = [
            ("~/src/app/.awssso.toml", Some(project)),
            ("~/.aws/config", aws),
            ("~/.config/ssoenv/config.toml", None),
        ];
        if let Err(err) = config::load_project_in(&self.project, &self.env) {
            check_config_error(err.message(), &files)?;
        }
        if let Some(aws) = aws {
            for name in section_names(aws) {
                if let Err(err) = config::load_profile_in(&name, &self.env) {
                    // A name given on the command line that is not in the
                    // file has no position; the message starts with it.
                    let asked = format!("profile {name:?} is not in ~/.aws/config");
                    if !err.message().starts_with(&asked) {
                        check_config_error(err.message(), &files)?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// Profile names of an INI text, as `load_profile` would be asked for them.
fn section_names(ini: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(ini)
        .lines()
        .filter_map(|l| l.trim().strip_prefix("[profile ")?.split(']').next())
        .map(|n| n.trim().to_owned())
        .chain(["default".to_owned()])
        .take(8)
        .collect()
}

/// One line; starts with the file it is about; `file:line:col: ` when it
/// points into the file, with a line and column that exist in it.
fn check_config_error(message: &str, files: &[(&str, Option<&[u8]>)]) -> Result<(), TestCaseError> {
    prop_assert!(!message.contains(['\n', '\r']), "not one line: {message:?}");
    prop_assert!(
        !message.chars().any(|c| c.is_control()),
        "raw control character: {message:?}"
    );
    let Some((name, text)) = files
        .iter()
        .find(|(name, _)| message.starts_with(name))
        .copied()
    else {
        return Err(TestCaseError::fail(format!(
            "does not name the file: {message:?}"
        )));
    };
    let rest = &message[name.len()..];
    let position: Vec<&str> = rest.splitn(4, ':').collect();
    let numbers = (position.len() == 4 && position[0].is_empty())
        .then(|| {
            Some((
                position[1].parse::<usize>().ok()?,
                position[2].parse::<usize>().ok()?,
            ))
        })
        .flatten();
    match numbers {
        Some((line, col)) => {
            prop_assert!(
                position[3].starts_with(' '),
                "no space after file:line:col: {message:?}"
            );
            let text = String::from_utf8_lossy(text.unwrap_or_default());
            let lines: Vec<&str> = text.split('\n').collect();
            prop_assert!(
                line >= 1 && line <= lines.len(),
                "line {line} of {} lines: {message:?}",
                lines.len()
            );
            let width = lines[line - 1]
                .trim_start_matches('\u{feff}')
                .chars()
                .count();
            prop_assert!(
                col >= 1 && col <= width + 1,
                "column {col} of a {width}-character line: {message:?}"
            );
        }
        None => prop_assert!(
            rest.starts_with(": ") || rest.starts_with(' '),
            "neither file:line:col: nor file: …: {message:?}"
        ),
    }
    Ok(())
}

const INLINE: &str = "sso_start_url = \"https://d-1234567890.awsapps.com/start\"\n\
sso_region = \"us-east-1\"\n\
sso_account_id = \"123456789012\"\n\
sso_role_name = \"AdministratorAccess\"\n\
region = \"eu-west-1\"\n\
refresh_before = \"10m\"\n";

const AWS_CONFIG: &str = "[sso-session corp]\n\
sso_start_url = https://d-abc123.awsapps.com/start\n\
sso_region = us-east-1\n\
sso_registration_scopes = sso:account:access\n\
\n\
[profile dev-admin]\n\
sso_session = corp\n\
sso_account_id = 012345678901\n\
sso_role_name = AdministratorAccess\n\
region = ap-northeast-1\n\
\n\
[profile legacy]\n\
sso_start_url = https://d-abc123.awsapps.com/start\n\
sso_region = us-east-1\n\
sso_account_id = 012345678901\n\
sso_role_name = ReadOnly\n";

/// Text that stresses parsers and message formatting.
const NASTY: &[&str] = &[
    "",
    " ",
    "\n",
    "\r\n",
    "\t",
    "\0",
    "\u{feff}",
    "\u{2028}",
    "\u{85}",
    "\x1b[31m",
    "\\",
    "\"",
    "'",
    "'''",
    "\"\"\"",
    "=",
    "[",
    "]",
    "[[",
    "{",
    "}",
    "#",
    ".",
    ",",
    "$HOME",
    "$(id)",
    "${X",
    "~",
    "~root/x",
    "日本",
    "’",
    "\u{10ffff}",
    "0",
    "-1",
    "1e400",
    "nan",
    "inf",
    "true",
    "1979-05-27T07:32:00Z",
    "sso_",
    "profile",
    "sso-session",
    "[profile",
    "[sso-session corp",
];

/// TOML values of every type and shape.
const TOML_VALUES: &[&str] = &[
    "\"us-east-1\"",
    "\"\"",
    "5",
    "-0",
    "1.5",
    "true",
    "[]",
    "[1, \"a\"]",
    "[\"sso:account:access\"]",
    "{}",
    "{ a = 1 }",
    "\"a\\nb\"",
    "\"\\u0000\"",
    "\"\\u001b[2J\"",
    "'''a\nb'''",
    "\"\"\"x\ny\"\"\"",
    "\"日本\"",
    "\"$(id)\"",
    "\"~/x\"",
    "\"$HOME/x\"",
    "\"${UNSET_VAR_FOR_FUZZ}\"",
    "1979-05-27T07:32:00Z",
    "nan",
    "\"10m\"",
    "\"0s\"",
    "\"99999999999999h\"",
    "\"https://\"",
    "\"https://x/\\n\"",
    "\"123456789012\"",
    "\"12345678901\\n2\"",
    "\"dev admin\"",
    "\"[corp]\"",
];

const KEYS: &[&str] = &[
    "sso_start_url",
    "sso_region",
    "sso_account_id",
    "sso_role_name",
    "sso_session",
    "sso_registration_scopes",
    "region",
    "refresh_before",
    "profile",
    "sso_acount_id",
    "\"sso_region\"",
    "a.b",
    "sso_region.x",
    "[table]",
    "[[array]]",
    "日本",
    "",
];

#[derive(Debug, Clone)]
enum Mutation {
    /// Replace the value of line `line` with a pool value.
    Value(usize, usize),
    /// Replace the key of line `line` with a pool key.
    Key(usize, usize),
    /// Insert nasty text at a byte position.
    Insert(usize, usize),
    /// Delete `len` bytes at a position.
    Delete(usize, usize),
    /// Repeat a line.
    Duplicate(usize),
    /// Swap line endings to CRLF or add a byte-order mark.
    Crlf,
    Bom,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<usize>()).prop_map(|(l, v)| Mutation::Value(l, v)),
        (any::<usize>(), any::<usize>()).prop_map(|(l, k)| Mutation::Key(l, k)),
        (any::<usize>(), any::<usize>()).prop_map(|(p, n)| Mutation::Insert(p, n)),
        (any::<usize>(), 1usize..8).prop_map(|(p, n)| Mutation::Delete(p, n)),
        any::<usize>().prop_map(Mutation::Duplicate),
        Just(Mutation::Crlf),
        Just(Mutation::Bom),
    ]
}

/// `base` with `mutations` applied; `separator` is `=` for both TOML and INI.
fn mutate(base: &str, mutations: &[Mutation], values: &[&str]) -> Vec<u8> {
    let mut text = base.to_owned();
    for m in mutations {
        let mut lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
        let n = lines.len();
        match *m {
            Mutation::Value(l, v) => {
                let line = &mut lines[l % n];
                if let Some((key, _)) = line.split_once('=') {
                    *line = format!("{key}= {}", values[v % values.len()]);
                }
                text = lines.join("\n");
            }
            Mutation::Key(l, k) => {
                let line = &mut lines[l % n];
                if let Some((_, value)) = line.split_once('=') {
                    *line = format!("{} ={value}", KEYS[k % KEYS.len()]);
                }
                text = lines.join("\n");
            }
            Mutation::Insert(p, i) => {
                let at = floor_char_boundary(&text, p % (text.len() + 1));
                text.insert_str(at, NASTY[i % NASTY.len()]);
            }
            Mutation::Delete(p, len) => {
                let start = floor_char_boundary(&text, p % (text.len() + 1));
                let end = floor_char_boundary(&text, (start + len).min(text.len()));
                text.replace_range(start..end, "");
            }
            Mutation::Duplicate(l) => {
                let line = lines[l % n].clone();
                lines.insert(l % n, line);
                text = lines.join("\n");
            }
            Mutation::Crlf => text = text.replace('\n', "\r\n"),
            Mutation::Bom => text.insert(0, '\u{feff}'),
        }
    }
    text.into_bytes()
}

fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[test]
fn project_corpus() {
    let home = Home::new();
    for (path, bytes) in corpus("project_toml") {
        home.load(&bytes, Some(AWS_CONFIG.as_bytes()))
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

#[test]
fn aws_config_corpus() {
    let home = Home::new();
    for (path, bytes) in corpus("aws_config") {
        for project in [
            "profile = \"dev-admin\"\n",
            "sso_session = \"corp\"\nsso_account_id = \"123456789012\"\nsso_role_name = \"R\"\n",
        ] {
            home.load(project.as_bytes(), Some(&bytes))
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
    }
}

proptest! {
    #![proptest_config(config("tests/fuzz/regressions/project_toml.txt", 1))]

    #[test]
    fn project_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        Home::new().load(&bytes, None)?;
    }

    #[test]
    fn project_arbitrary_text(text in "(?s).{0,300}") {
        Home::new().load(text.as_bytes(), Some(AWS_CONFIG.as_bytes()))?;
    }

    #[test]
    fn project_near_valid(
        base in prop_oneof![Just(INLINE), Just("profile = \"dev-admin\"\nregion = \"eu-west-1\"\n"), Just("sso_session = \"corp\"\nsso_account_id = \"123456789012\"\nsso_role_name = \"R\"\n")],
        mutations in proptest::collection::vec(mutation(), 1..5),
    ) {
        let text = mutate(base, &mutations, TOML_VALUES);
        Home::new().load(&text, Some(AWS_CONFIG.as_bytes()))?;
    }
}

/// INI values: AWS config values are bare text.
const INI_VALUES: &[&str] = &[
    "",
    "corp",
    "nowhere",
    "https://d-abc123.awsapps.com/start",
    "us-east-1",
    "US-EAST-1",
    "012345678901",
    "1234",
    "a b",
    "[x]",
    "sso:account:access,",
    ",",
    "\\",
    "\"quoted\"",
    "= =",
    "日本",
    "$HOME",
    "~",
    "\u{0}",
    "\u{1b}[2J",
    "\t",
];

proptest! {
    #![proptest_config(config("tests/fuzz/regressions/aws_config.txt", 1))]

    #[test]
    fn aws_config_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        Home::new().load(b"profile = \"dev-admin\"\n", Some(&bytes))?;
    }

    #[test]
    fn aws_config_arbitrary_text(text in "(?s)(\\[(profile |sso-session )?[a-z ]{0,6}\\]\n|[a-z_]{1,16} ?= ?.{0,20}\n|.{0,20}\n){0,12}") {
        Home::new().load(b"profile = \"dev-admin\"\n", Some(text.as_bytes()))?;
    }

    #[test]
    fn aws_config_near_valid(mutations in proptest::collection::vec(mutation(), 1..5)) {
        let text = mutate(AWS_CONFIG, &mutations, INI_VALUES);
        Home::new().load(b"profile = \"dev-admin\"\n", Some(&text))?;
    }
}

// ----- SSOENV_STATE -------------------------------------------------------------

/// What must hold for any value of `SSOENV_STATE`, hostile or not: decoding
/// and the idle-prompt check answer without panicking, only well-formed
/// states decode, and a decoded state re-encodes to itself.
fn check_state_value(raw: &[u8]) -> Result<(), TestCaseError> {
    let os = OsStr::from_bytes(raw);
    let decoded = std::str::from_utf8(raw).ok().and_then(State::decode);
    if let Some(state) = &decoded {
        prop_assert_eq!(state.v, ssoenv::state::VERSION);
        prop_assert!(raw.len() <= 16 * 1024);
        for name in &state.owned {
            prop_assert!(EnvName::new(name).is_ok(), "{:?} was accepted", name);
        }
        let again = State::decode(&state.encode());
        prop_assert_eq!(again.as_ref(), Some(state));
    }
    let scratch = ScratchDirs::new();
    for dir in [&scratch.plain, &scratch.project] {
        for key in [
            None,
            Some(OsStr::new("ASIAEXAMPLE")),
            Some(OsStr::from_bytes(b"\xff")),
        ] {
            for moment in [Moment::Prompt, Moment::BeforeCommand] {
                let check = ssoenv::cmd::export::hot_path::check_given(
                    &ssoenv::cmd::export::hot_path::Inputs {
                        state_var: Some(os),
                        // Any value, in the place of the other variable.
                        switch_var: key,
                        cwd: dir,
                        access_key_id: key,
                        container_uri: key,
                    },
                    moment,
                    std::time::SystemTime::now(),
                );
                if decoded.is_none() {
                    prop_assert_eq!(
                        check,
                        ssoenv::cmd::export::hot_path::Check::Changed,
                        "an undecodable state counted as unchanged"
                    );
                }
            }
        }
    }
    Ok(())
}

/// A directory without a project file above it, and one with; removed on
/// drop (see `Home` for why not a static).
struct ScratchDirs {
    _dir: tempfile::TempDir,
    plain: PathBuf,
    project: PathBuf,
}

impl ScratchDirs {
    fn new() -> ScratchDirs {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain");
        let project = dir.path().join("project");
        fs::create_dir_all(&plain).unwrap();
        fs::create_dir_all(&project).unwrap();
        fs::write(project.join(".awssso.toml"), INLINE).unwrap();
        ScratchDirs {
            _dir: dir,
            plain,
            project,
        }
    }
}

fn watched() -> impl Strategy<Value = Watched> {
    (
        "(/[a-z.]{1,8}){1,3}|.{0,12}",
        proptest::option::of((any::<i64>(), any::<i64>(), any::<u64>(), any::<u64>())),
    )
        .prop_map(|(path, stamp)| Watched {
            path,
            stamp: stamp.map(|(mtime, nsec, size, ino)| Stamp {
                mtime,
                nsec,
                size,
                ino,
            }),
        })
}

fn valid_state() -> impl Strategy<Value = State> {
    (
        proptest::option::of(watched()),
        proptest::collection::vec(watched(), 0..3),
        proptest::collection::vec("[A-Z_][A-Z0-9_]{0,20}", 0..6),
        proptest::option::of("[0-9a-f]{12}|.{0,8}"),
        proptest::option::of(("[0-9a-f]{12}|.{0,8}", "(/[a-z.]{1,8}){1,3}|.{0,12}")),
        proptest::option::of(any::<u64>()),
        proptest::option::of(any::<u64>()),
        proptest::option::of(any::<u64>()),
        proptest::option::of(".{0,30}"),
        proptest::option::of("[0-9a-f]{12}|.{0,8}"),
    )
        .prop_map(
            |(
                config,
                watch,
                owned,
                key,
                served,
                recheck_at,
                command_recheck_at,
                ahead_at,
                said,
                switch,
            )| {
                State {
                    v: ssoenv::state::VERSION,
                    config,
                    watch,
                    owned,
                    key,
                    served: served.map(|(uri, lock)| Served {
                        uri,
                        lock,
                        pid: None,
                    }),
                    recheck_at,
                    command_recheck_at,
                    ahead_at,
                    switch,
                    said,
                }
            },
        )
}

/// Byte-level edits of an encoded state: the attacker's near-misses.
fn edit(encoded: &str, edits: &[(usize, u8, u8)]) -> Vec<u8> {
    const JSON_BYTES: &[u8] = b"{}[]\":,0123456789-+.eEtrufalsnv \\/\x00\xff\xc3";
    let mut bytes = encoded.as_bytes().to_vec();
    for &(at, what, byte) in edits {
        let at = at % (bytes.len() + 1);
        let byte = JSON_BYTES[byte as usize % JSON_BYTES.len()];
        match what % 3 {
            0 => bytes.insert(at, byte),
            1 if at < bytes.len() => {
                bytes.remove(at);
            }
            _ if at < bytes.len() => bytes[at] = byte,
            _ => bytes.push(byte),
        }
    }
    bytes
}

#[test]
fn state_corpus() {
    for (path, bytes) in corpus("state") {
        check_state_value(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

/// The corpus through the real binary: `ssoenv export bash` with each value
/// as `SSOENV_STATE` prints code and at most one line, and never crashes.
#[test]
fn state_corpus_through_the_binary() {
    let home = tempfile::tempdir().unwrap();
    for (path, bytes) in corpus("state") {
        if bytes.contains(&0) {
            continue; // cannot be in an environment
        }
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_ssoenv"))
            .args(["export", "bash"])
            .env_clear()
            .env("HOME", home.path())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("SSOENV_STATE", OsStr::from_bytes(&bytes))
            .current_dir(home.path())
            .output()
            .unwrap();
        let context = path.display();
        assert!(out.status.success(), "{context}: {out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.lines().count() <= 1, "{context}: {stderr}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        for line in stdout.lines() {
            assert!(
                line.starts_with("\\builtin ") || line.starts_with("if "),
                "{context}: {line}"
            );
        }
    }
}

proptest! {
    #![proptest_config(config("tests/fuzz/regressions/state.txt", CHEAP))]

    #[test]
    fn state_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        check_state_value(&bytes)?;
    }

    #[test]
    fn state_json_shaped_text(text in "[{}\\[\\]\":,0-9a-z_ .\\-]{0,120}") {
        check_state_value(text.as_bytes())?;
    }

    #[test]
    fn state_round_trips(state in valid_state()) {
        let encoded = state.encode();
        prop_assert_eq!(State::decode(&encoded), Some(state));
        check_state_value(encoded.as_bytes())?;
    }

    #[test]
    fn state_near_valid(
        state in valid_state(),
        edits in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..6),
    ) {
        check_state_value(&edit(&state.encode(), &edits))?;
    }
}

// ----- quoters ------------------------------------------------------------------

const SHELLS: [HookShell; 8] = [
    HookShell::Bash,
    HookShell::Zsh,
    HookShell::Fish,
    HookShell::Pwsh,
    HookShell::Elvish,
    HookShell::Tcsh,
    HookShell::Xonsh,
    HookShell::Nu,
];

/// Quoting any value gives one non-empty word with no raw control character
/// (no newline can end the statement early, no terminal sees an escape
/// sequence), and the statements around it stay one line each.
fn check_quoting(value: &str) -> Result<(), TestCaseError> {
    let name = EnvName::new("AWS_SESSION_TOKEN").unwrap();
    for kind in SHELLS {
        let shell = shell_for(kind);
        let quoted = shell.quote(value);
        prop_assert!(!quoted.is_empty(), "{kind:?}: empty word for {value:?}");
        prop_assert!(
            !quoted.chars().any(char::is_control),
            "{kind:?}: raw control character (C0, DEL or C1) in {quoted:?}"
        );
        if matches!(kind, HookShell::Bash | HookShell::Zsh) && !quoted.starts_with("$'") {
            prop_assert!(
                quoted
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_-./:,+@".contains(c)),
                "{kind:?}: bare word {quoted:?} needs quotes"
            );
        }
        let mut out = String::new();
        shell.set(&mut out, &name, value);
        prop_assert_eq!(out.matches('\n').count(), 1, "{:?}: {:?}", kind, out);
        prop_assert!(out.ends_with('\n'));
        prop_assert!(out.contains(&quoted), "{kind:?}: set does not use quote");
    }
    Ok(())
}

#[test]
fn quoting_corpus() {
    for (path, bytes) in corpus("quote") {
        let value = String::from_utf8_lossy(&bytes);
        check_quoting(&value).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

proptest! {
    #![proptest_config(config("tests/fuzz/regressions/quote.txt", CHEAP))]

    #[test]
    fn quoting_arbitrary_text(value in "(?s).{0,64}") {
        check_quoting(&value)?;
    }

    #[test]
    fn quoting_shell_metacharacters(value in "[ -~\\t\\n\\r\\x00\\x1b\\x7f’‘‚‛“”„\\\\]{0,40}") {
        check_quoting(&value)?;
    }

    #[test]
    fn env_names_are_exactly_the_portable_ones(name in "(?s).{0,12}|[A-Za-z_][A-Za-z0-9_]{0,8}") {
        let portable = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        prop_assert_eq!(EnvName::new(&name).is_ok(), portable);
    }
}
