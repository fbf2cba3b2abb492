# ssoenv: AWS IAM Identity Center credentials that follow the shell's directory.
# Add to ~/.zshrc:  eval "$(ssoenv hook zsh)"

_ssoenv_hook() {
  # The prompt must still see the user's $?.
  \builtin local previous_exit_status=$?
  # Ctrl-C while the export is being evaluated would leave it half-applied.
  \builtin trap -- '' INT
  \builtin eval "$(__SSOENV_EXE__ export zsh)"
  \builtin trap - INT
  \builtin return "${previous_exit_status}"
}

# add-zsh-hook never adds a function twice, so sourcing this again is harmless.
# chpwd makes `cd project && aws ...` on one line see the credentials too.
\builtin autoload -Uz add-zsh-hook
add-zsh-hook precmd _ssoenv_hook
add-zsh-hook chpwd _ssoenv_hook
