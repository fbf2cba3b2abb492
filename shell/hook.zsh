# ssoenv: AWS IAM Identity Center credentials that follow the shell's directory.
# Add to ~/.zshrc:  eval "$(ssoenv hook zsh)"

# The idle check: after each decision `ssoenv export` defines this function
# again, with the facts that decision rests on (the directory, the files'
# times, a deadline, the values it exported), compared with builtins only
# (the clock is zsh/datetime's EPOCHSECONDS). While they hold, a prompt
# starts no process. Until the first decision, and whenever a fact
# changed, it fails and ssoenv decides.
\builtin zmodload -F zsh/datetime p:EPOCHSECONDS 2>/dev/null
_ssoenv_unchanged() { \builtin return 1; }

_ssoenv_hook() {
  # The prompt must still see the user's $?.
  \builtin local previous_exit_status=$?
  if _ssoenv_unchanged prompt; then
    \builtin return "${previous_exit_status}"
  fi
  # Ctrl-C while the export is being evaluated would leave it half-applied.
  # LOCAL_TRAPS gives the user's own INT trap back when the function returns.
  \builtin setopt localoptions localtraps
  \builtin trap -- '' INT
  \builtin eval "$(__SSOENV_EXE__ export zsh)"
  \builtin return "${previous_exit_status}"
}

# Before each command line: credentials with less than min_ttl left are
# renewed first, so a command started after a long idle prompt does not run
# out of them. (The command line itself still sees the user's $?.)
_ssoenv_preexec() {
  \builtin local previous_exit_status=$?
  if _ssoenv_unchanged command; then
    \builtin return "${previous_exit_status}"
  fi
  \builtin setopt localoptions localtraps
  \builtin trap -- '' INT
  \builtin eval "$(__SSOENV_EXE__ export zsh --before-command)"
  \builtin return "${previous_exit_status}"
}

# add-zsh-hook never adds a function twice, so sourcing this again is harmless.
# chpwd makes `cd project && aws ...` on one line see the credentials too.
\builtin autoload -Uz add-zsh-hook
add-zsh-hook precmd _ssoenv_hook
add-zsh-hook chpwd _ssoenv_hook
add-zsh-hook preexec _ssoenv_preexec

# `ssoenv use` switches this shell to another account and role, which a
# command cannot do to its shell: this function runs it and evaluates what
# it prints (SSOENV_USE, set or unset). Everything else goes to the binary
# as it is. The next prompt loads the choice.
ssoenv() {
	if [[ ${1-} == use ]]; then
		\builtin shift
		\builtin local code
		code=$(__SSOENV_EXE__ use --shell zsh "$@") || \builtin return
		\builtin eval "${code}"
	else
		__SSOENV_EXE__ "$@"
	fi
}
