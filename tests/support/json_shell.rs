//! A shell as the JSON export target describes it, for tests that need
//! many prompts without a real shell.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub use ssoenv::state::Moment;

use super::{Sandbox, stderr, stdout};

/// A shell as `ssoenv export json` sees it: the environment it carries from
/// prompt to prompt, applied as a JSON consumer must (a variable's value
/// before its first `set` or `unset` is kept and comes back on `restore`).
pub struct Shell<'a> {
    sandbox: &'a Sandbox,
    pub cwd: PathBuf,
    pub env: BTreeMap<String, String>,
    saved: BTreeMap<String, Option<String>>,
    pub extra: Vec<(String, String)>,
}

impl<'a> Shell<'a> {
    pub fn new(sandbox: &'a Sandbox, cwd: &Path) -> Self {
        Shell {
            sandbox,
            cwd: cwd.to_owned(),
            env: BTreeMap::new(),
            saved: BTreeMap::new(),
            extra: Vec::new(),
        }
    }

    /// One prompt: runs the hook's call and applies what it prints. Returns stderr.
    #[track_caller]
    pub fn prompt(&mut self) -> String {
        self.call(Moment::Prompt).0
    }

    /// The hook's call at `moment`, applied; its stderr and how long it took.
    #[track_caller]
    pub fn call(&mut self, moment: Moment) -> (String, Duration) {
        let mut command = self.sandbox.command(&self.cwd);
        command.args(["export", "json"]).envs(&self.env);
        if moment == Moment::BeforeCommand {
            command.arg("--before-command");
        }
        for (k, v) in &self.extra {
            command.env(k, v);
        }
        let started = Instant::now();
        let out = command.output().unwrap();
        let took = started.elapsed();
        assert!(out.status.success(), "export failed: {}", stderr(&out));
        let text = stdout(&out);
        if !text.trim().is_empty() {
            let json: serde_json::Value = serde_json::from_str(&text).unwrap();
            for (name, value) in json["set"].as_object().unwrap() {
                self.keep(name);
                self.env
                    .insert(name.clone(), value.as_str().unwrap().to_owned());
            }
            for name in json["unset"].as_array().unwrap() {
                let name = name.as_str().unwrap();
                self.keep(name);
                self.env.remove(name);
            }
            for name in json["restore"].as_array().unwrap() {
                let name = name.as_str().unwrap();
                match self.saved.remove(name).flatten() {
                    Some(value) => self.env.insert(name.to_owned(), value),
                    None => self.env.remove(name),
                };
            }
        }
        (stderr(&out), took)
    }

    fn keep(&mut self, name: &str) {
        if name != "SSOENV_STATE" && !self.saved.contains_key(name) {
            self.saved
                .insert(name.to_owned(), self.env.get(name).cloned());
        }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.env.get(name).map(String::as_str)
    }
}
