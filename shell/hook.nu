# ssoenv: AWS IAM Identity Center credentials that follow the shell's directory.
# Nushell cannot evaluate generated code: env.nu saves this file at each start,
# and config.nu (read after env.nu has run) sources it:
#   env.nu:     mkdir ($nu.data-dir); ssoenv hook nu | save -f ($nu.data-dir | path join ssoenv.nu)
#   config.nu:  source ($nu.data-dir | path join ssoenv.nu)
# What `ssoenv export nu` prints is data, never code: one NUON record per
# line, {op: save|set|restore|unset, name: NAME, value: "…"}, read with
# `from nuon`, which evaluates nothing.

# Works out what the records change (each variable's final value, and the
# user's previous values kept in $env.__ssoenv_saved, a record, which Nushell
# never passes to other programs) before changing anything: output that does
# not read changes nothing, and the changes land in two commands.
def --env __ssoenv_apply [records: string] {
  let changes = $records | lines | each {|line| $line | from nuon }
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
}

# Runs ssoenv and applies what it printed, even when it failed (it has said
# why on stderr, which is shown as it is); the user's exit status is kept.
def --env __ssoenv_export [--before-command] {
  let status = $env.LAST_EXIT_CODE?
  let flags = if $before_command { ["--before-command"] } else { [] }
  let run = try {
    ^__SSOENV_EXE__ export nu ...$flags | complete
  } catch {|err|
    print --stderr $"ssoenv: the hook could not run: ($err.msg)"
    null
  }
  # An idle prompt prints nothing: nothing to show, nothing to apply (and
  # even an empty print costs Nushell more than running ssoenv).
  if $run != null and $run.stderr != "" {
    print --stderr --no-newline $run.stderr
  }
  if $run != null and $run.stdout != "" {
    try {
      __ssoenv_apply $run.stdout
    } catch {|err|
      print --stderr $"ssoenv: the hook could not read ssoenv's output: ($err.msg)"
    }
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
