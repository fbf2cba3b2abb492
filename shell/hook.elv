# ssoenv: AWS IAM Identity Center credentials that follow the shell's directory.
# Add to ~/.config/elvish/rc.elv:  eval (ssoenv hook elvish | slurp)

use str

# Loading this twice in one shell would run every hook twice: the prompt
# hook carries a mark, and a shell that has it already is left alone.
var hooked = $false
for hook $edit:before-readline {
  try {
    if (str:contains $hook[def] 'nop ssoenv-prompt-hook') {
      set hooked = $true
    }
  } catch {
    # A builtin function has no source to look at: not ours.
  }
}
if (not $hooked) {
  # What `ssoenv export elvish` prints runs in this namespace: it keeps the
  # user's previous values between prompts, in a variable that is never
  # exported.
  var state = (ns [&__ssoenv-saved=[&]])

  # What ssoenv prints is evaluated even when it exits non-zero (it has
  # said why on stderr); any other failure, such as a missing binary, gets
  # one line.
  var run = {|@flags|
    try {
      __SSOENV_EXE__ export elvish $@flags
    } catch e {
      if (not (eq (kind-of $e[reason]) !!eval.ExternalCmdExit)) {
        echo 'ssoenv: the hook could not run: '(repr $e[reason]) >&2
      }
    }
  }
  var export = {|@flags|
    eval ($run $@flags | slurp) &ns=$state
  }

  # Before each prompt, after each cd (so `cd project; aws …` on one line
  # sees the credentials), and before each command line: credentials with
  # less than min_ttl left are renewed first, so a command started after a
  # long idle prompt does not run out of them.
  set edit:before-readline = [$@edit:before-readline {|| nop ssoenv-prompt-hook; $export }]
  set after-chdir = [$@after-chdir {|_| $export }]
  set edit:after-readline = [$@edit:after-readline {|_| $export --before-command }]

  # `ssoenv use` switches this shell to another account and role, which a
  # command cannot do to its shell: this function runs it and evaluates what
  # it prints (SSOENV_USE, set or unset); a failed use raises and changes
  # nothing. Everything else goes to the binary as it is. The next prompt
  # loads the choice. (Added to the REPL's namespace: the rc's `eval` keeps
  # its own definitions to itself.)
  edit:add-var ssoenv~ {|@args|
    if (and (> (count $args) 0) (eq $args[0] use)) {
      var rest = $args[1..]
      eval (__SSOENV_EXE__ use --shell elvish $@rest | slurp)
    } else {
      __SSOENV_EXE__ $@args
    }
  }
}
