# ssoenv: AWS IAM Identity Center credentials that follow the shell's directory.
# Add to ~/.config/fish/config.fish:  ssoenv hook fish | source

# The idle check: after each decision `ssoenv export` defines this function
# again, with the facts that decision rests on (the directory, the files'
# times, a deadline, the values it exported), compared with builtins only
# (`path mtime`, fish >= 3.5, stands in for a clock). While they hold, a
# prompt starts no process. Until the first decision, whenever a fact
# changed, and in an older fish, it fails and ssoenv decides.
function _ssoenv_unchanged
    return 1
end
if contains -- path (builtin --names)
    set -g __ssoenv_idle_check 1
else
    set -e -g __ssoenv_idle_check
end

# Defining the function again replaces it, so sourcing this twice is harmless.
# The PWD event makes `cd project; and aws ...` on one line see the credentials too.
function __ssoenv_hook --on-event fish_prompt --on-variable PWD
    set -q __ssoenv_idle_check; and _ssoenv_unchanged prompt; and return
    command __SSOENV_EXE__ export fish | builtin source
end

# Before each command line: credentials with less than min_ttl left are
# renewed first, so a command started after a long idle prompt does not run
# out of them.
function __ssoenv_preexec --on-event fish_preexec
    set -q __ssoenv_idle_check; and _ssoenv_unchanged command; and return
    command __SSOENV_EXE__ export fish --before-command | builtin source
end

# `ssoenv use` switches this shell to another account and role, which a
# command cannot do to its shell: this function runs it and evaluates what
# it prints (SSOENV_USE, set or unset); a failed use changes nothing and
# keeps its exit status. Everything else goes to the binary as it is. The
# next prompt loads the choice. The binary runs in a pipeline, not in a
# command substitution: fish sends a command substitution's stderr to the
# terminal whatever the call's redirection, and ssoenv's messages must go
# where the user sent them (`ssoenv use X 2>/dev/null`, `2>&1 | grep`).
function ssoenv
    if test "$argv[1]" = use
        command __SSOENV_EXE__ use --shell fish $argv[2..-1] | read --local --null code
        set --local use_status $pipestatus[1]
        test $use_status -eq 0; or return $use_status
        printf '%s' "$code" | builtin source
    else
        command __SSOENV_EXE__ $argv
    end
end
