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
