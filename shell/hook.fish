# ssoenv: AWS IAM Identity Center credentials that follow the shell's directory.
# Add to ~/.config/fish/config.fish:  ssoenv hook fish | source

# Defining the function again replaces it, so sourcing this twice is harmless.
# The PWD event makes `cd project; and aws ...` on one line see the credentials too.
function __ssoenv_hook --on-event fish_prompt --on-variable PWD
    command __SSOENV_EXE__ export fish | builtin source
end

# Before each command line: credentials with less than min_ttl left are
# renewed first, so a command started after a long idle prompt does not run
# out of them.
function __ssoenv_preexec --on-event fish_preexec
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
