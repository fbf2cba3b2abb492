//! Counting the processes a running shell starts: `strace -f` attached to
//! its pid, tracing only the calls that start a process or a program.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use super::harness;

/// strace attached to a process and everything it starts.
pub struct ProcessTrace {
    strace: Child,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

/// What the traced process tree did: the lines of the calls that start a
/// process (fork, vfork, clone without `CLONE_THREAD`) or run a program
/// (execve, execveat).
#[derive(Debug)]
pub struct Trace {
    pub starts: Vec<String>,
    pub execs: Vec<String>,
}

impl Trace {
    /// How many programs whose path ends in `/<name>` were run.
    pub fn runs_of(&self, name: &str) -> usize {
        let needle = format!("/{name}\"");
        self.execs
            .iter()
            .filter(|line| {
                line.split('[')
                    .next()
                    .is_some_and(|head| head.contains(&needle))
            })
            .count()
    }
}

impl ProcessTrace {
    /// Attaches to `pid`; `None` (a panic under CI) without strace.
    #[track_caller]
    pub fn attach(pid: u32) -> Option<Self> {
        let strace = harness::require_tool("strace")?;
        let dir = tempfile::tempdir().expect("temporary directory");
        let log = dir.path().join("trace");
        let mut child = Command::new(strace)
            .args([
                "-f",
                "-s",
                "300",
                "-e",
                "trace=execve,execveat,fork,vfork,clone,clone3",
                "-o",
            ])
            .arg(&log)
            .args(["-p", &pid.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("strace starts");
        // strace says on stderr when it has attached.
        let stderr = child.stderr.take().expect("strace's stderr");
        let (attached, is_attached) = mpsc::channel();
        std::thread::spawn(move || {
            let mut attached = Some(attached);
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if line.contains("attached")
                    && let Some(attached) = attached.take()
                {
                    let _ = attached.send(());
                }
            }
        });
        is_attached
            .recv_timeout(Duration::from_secs(30))
            .expect("strace attached to the shell");
        Some(Self {
            strace: child,
            log,
            _dir: dir,
        })
    }

    /// Detaches and reads what was traced.
    pub fn stop(mut self) -> Trace {
        let pid = self.strace.id().to_string();
        let _ = Command::new("kill").args(["-INT", &pid]).status();
        let _ = self.strace.wait();
        let text = fs::read_to_string(&self.log).expect("strace's log");
        let calls: Vec<&str> = text
            .lines()
            .filter(|line| {
                !line.contains("resumed>") && !line.contains("+++") && !line.contains("---")
            })
            .collect();
        let call = |line: &&str, names: &[&str]| {
            names.iter().any(|name| {
                line.contains(&format!(" {name}(")) || line.contains(&format!("\t{name}("))
            })
        };
        Trace {
            starts: calls
                .iter()
                .filter(|line| {
                    call(line, &["fork", "vfork"])
                        || (call(line, &["clone", "clone3"]) && !line.contains("CLONE_THREAD"))
                })
                .map(|line| (*line).to_owned())
                .collect(),
            execs: calls
                .iter()
                .filter(|line| call(line, &["execve", "execveat"]))
                .map(|line| (*line).to_owned())
                .collect(),
        }
    }
}
