# ssoenv: AWS IAM Identity Center credentials that follow the shell's directory.
# Nushell cannot evaluate generated code: env.nu saves this file at each start,
# and config.nu (read after env.nu has run) sources it:
#   env.nu:     mkdir ($nu.data-dir); ssoenv hook nu | save -f ($nu.data-dir | path join ssoenv.nu)
#   config.nu:  source ($nu.data-dir | path join ssoenv.nu)
# What `ssoenv export nu` prints is data, never code: one NUON record per
# line, {op: save|set|restore|unset, name: NAME, value: "…"}, read with
# `from nuon`, which evaluates nothing. After each decision one more record,
# {op: set, name: __ssoenv_idle, value: {...}}, holds the facts that decision
# rests on (the directory, the files' times, deadlines, the values it
# exported) as a record: see __ssoenv_unchanged.

# Works out what the records change (each variable's final value, and the
# user's previous values kept in $env.__ssoenv_saved, a record, which Nushell
# never passes to other programs) before changing anything: output that does
# not read changes nothing, and the changes land in two commands.
# The idle check each decision leaves replaces the last one; output without
# one (a failed run, `ssoenv use`) removes it, and the next prompt asks ssoenv.
def --env __ssoenv_apply [records: string] {
  let records = $records | lines | each {|line| $line | from nuon }
  let changes = $records | where {|r| $r.name? != "__ssoenv_idle" }
  let idle = $records | where {|r| $r.name? == "__ssoenv_idle" and $r.op == "set" } | last 1
    | each {|r| __ssoenv_idle_facts $r.value } | get -o 0
  let start = {vars: {}, saved: ($env.__ssoenv_saved? | default {})}
  let result = $changes | reduce --fold $start {|change, acc|
    let name = $change.name
    let current = if $name in $acc.vars { $acc.vars | get $name } else { $env | get -o $name }
    match $change.op {
      "set" => { $acc | upsert vars ($acc.vars | upsert $name $change.value) }
      "unset" => { $acc | upsert vars ($acc.vars | upsert $name null) }
      "save" => {
        if $current == null {
          $acc | upsert saved ($acc.saved | reject -o $name)
        } else {
          $acc | upsert saved ($acc.saved | upsert $name $current)
        }
      }
      "restore" => {
        $acc
        | upsert vars ($acc.vars | upsert $name ($acc.saved | get -o $name))
        | upsert saved ($acc.saved | reject -o $name)
      }
      _ => { error make {msg: $"unknown change ($change.op | to nuon)"} }
    }
  }
  let values = $result.vars | transpose name value
  let set = $values | where value != null | reduce --fold {} {|it, acc| $acc | upsert $it.name $it.value }
  let unset = $values | where value == null | get name
  load-env ($set | upsert __ssoenv_saved $result.saved)
  hide-env --ignore-errors ...$unset
  if $idle == null {
    hide-env --ignore-errors __ssoenv_idle
  } else {
    $env.__ssoenv_idle = $idle
  }
}

# The idle record as the check compares it, kept in $env.__ssoenv_idle (a
# record: never passed to other programs): times as dates, `.awssso.toml`
# paths that must not exist, files that must exist and be no newer than the
# stamp, and the binary's exact time, read once here from its reference file
# (`null` when that is gone: the check then fails).
def __ssoenv_idle_facts [check: record] {
  let date = {|seconds| if $seconds == null { null } else { $seconds * 1_000_000_000 | into datetime } }
  let exe_time = if $check.exe_reference == null or not ($check.exe_reference | path exists) {
    null
  } else {
    ls -D $check.exe_reference | get 0.modified
  }
  {
    pwd: $check.pwd
    prompt: (do $date $check.prompt_deadline)
    command: (do $date $check.command_deadline)
    names: ($check.vars | columns)
    vars: $check.vars
    absent: ($check.not_files | append $check.absent)
    unchanged: ($check.not_newer | append $check.unchanged)
    stamp: (do $date $check.stamp_time)
    process: $check.process
    exe: $check.exe
    exe_time: $exe_time
  }
}

# Whether nothing the last decision rests on changed, compared with Nushell's
# own commands alone (no process starts): the directory, the time against
# the deadline for this moment (`prompt` or `command`), the variables' values
# (`null`: unset), no `.awssso.toml` where none was (`path exists`: anything
# there, even a directory, fails, which costs one start of ssoenv, never a
# missed file) and no watched file created, and the files the decision read
# still there and no newer than the stamp. `ls -D` gives their times in
# nanoseconds, through symbolic links once `path expand` resolved them; equal
# times pass, which is safe because the stamp is dated before ssoenv looked.
# A missing file fails (`ls` of it would throw), and so does the binary
# newer than it was (an upgrade).
def __ssoenv_unchanged [moment: string] {
  let check = $env.__ssoenv_idle?
  if $check == null or $env.PWD != $check.pwd { return false }
  let deadline = if $moment == "command" { $check.command } else { $check.prompt }
  if $deadline != null and (date now) >= $deadline { return false }
  if ($env | select -o ...$check.names) != $check.vars { return false }
  if $check.absent != [] and true in ($check.absent | path exists) { return false }
  if $check.unchanged != [] {
    if false in ($check.unchanged | path exists) { return false }
    let newest = ls -D ...($check.unchanged | path expand) | get modified | math max
    if $newest > $check.stamp { return false }
  }
  if $check.process != null and not ($check.process | path exists) { return false }
  if $check.exe != null {
    if $check.exe_time == null or not ($check.exe | path exists) { return false }
    if (ls -D ($check.exe | path expand) | get 0.modified) > $check.exe_time { return false }
  }
  true
}

# Runs ssoenv and applies what it printed, even when it failed (it has said
# why on stderr, which is shown as it is); the user's exit status is kept.
def --env __ssoenv_export [--before-command] {
  let moment = if $before_command { "command" } else { "prompt" }
  if (try { __ssoenv_unchanged $moment } catch { false }) { return }
  let status = $env.LAST_EXIT_CODE?
  let flags = if $before_command { ["--before-command"] } else { [] }
  let run = try {
    ^__SSOENV_EXE__ export nu ...$flags | complete
  } catch {|err|
    print --stderr $"ssoenv: the hook could not run: ($err.msg)"
    null
  }
  # Most runs print nothing on stderr (and even an empty print costs time).
  if $run != null and $run.stderr != "" {
    print --stderr --no-newline $run.stderr
  }
  if $run != null and $run.stdout != "" {
    try {
      __ssoenv_apply $run.stdout
    } catch {|err|
      hide-env --ignore-errors __ssoenv_idle
      print --stderr $"ssoenv: the hook could not read ssoenv's output: ($err.msg)"
    }
  } else {
    hide-env --ignore-errors __ssoenv_idle
  }
  if $status != null { $env.LAST_EXIT_CODE = $status }
}

# Before each prompt, after each cd, and before each command line:
# credentials with less than min_ttl left are renewed first, so a command
# started after a long idle prompt does not run out of them. Sourcing this
# twice replaces the hooks rather than adding them again: each carries the
# mark `__ssoenv_hook`.
def __ssoenv_not_ours [] {
  where {|hook| not (try { view source $hook } catch { "" } | str contains "__ssoenv_hook") }
}
$env.config.hooks.pre_prompt = (
  $env.config.hooks.pre_prompt? | default [] | __ssoenv_not_ours
  | append {|| __ssoenv_hook; __ssoenv_export }
)
$env.config.hooks.pre_execution = (
  $env.config.hooks.pre_execution? | default [] | __ssoenv_not_ours
  | append {|| __ssoenv_hook; __ssoenv_export --before-command }
)
$env.config.hooks.env_change.PWD = (
  $env.config.hooks.env_change.PWD? | default [] | __ssoenv_not_ours
  | append {|before, after| __ssoenv_hook; __ssoenv_export }
)
def __ssoenv_hook [] { }

# `ssoenv use` switches this shell to another account and role, which a
# command cannot do to its shell: this command runs it and applies what it
# prints (SSOENV_USE, set or unset) as it applies the prompt's changes; a
# failed use changes nothing. Everything else goes to the binary as it is.
# The next prompt loads the choice.
def --env --wrapped ssoenv [...args: string] {
  if ($args | get -o 0) == "use" {
    let printed = try { ^__SSOENV_EXE__ use --shell nu ...($args | skip 1) } catch { null }
    if $printed != null and $printed != "" {
      __ssoenv_apply $printed
    }
  } else {
    ^__SSOENV_EXE__ ...$args
  }
}
