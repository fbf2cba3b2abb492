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
# it prints (SSOENV_USE, set or unset). Everything else goes to the binary
# as it is. The next prompt loads the choice.
function ssoenv
    if test "$argv[1]" = use
        set -l code (command __SSOENV_EXE__ use --shell fish $argv[2..-1])
        or return
        printf '%s\n' $code | builtin source
    else
        command __SSOENV_EXE__ $argv
    end
end
