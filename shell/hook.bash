# ssoenv: AWS IAM Identity Center credentials that follow the shell's directory.
# Add to ~/.bashrc:  eval "$(ssoenv hook bash)"

# The idle check: after each decision `ssoenv export` defines this function
# again, with the facts that decision rests on (the directory, the files'
# times, a deadline, the values it exported), compared with builtins only.
# While they hold, a prompt starts no process. Until the first decision,
# and whenever a fact changed, it fails and ssoenv decides.
_ssoenv_unchanged() { \builtin return 1; }

_ssoenv_hook() {
	# The prompt and later PROMPT_COMMAND entries must still see the user's $?.
	\builtin local previous_exit_status=$?
	if _ssoenv_unchanged prompt; then
		\builtin return "${previous_exit_status}"
	fi
	# Ctrl-C while the export is being evaluated would leave it half-applied.
	\builtin trap -- '' SIGINT
	# ssoenv reports its own failures on stderr; its exit status must not
	# replace the user's, so it is deliberately not checked here.
	# shellcheck disable=SC2312
	\builtin eval "$(__SSOENV_EXE__ export bash)"
	_ssoenv_restore_sigint
	\builtin return "${previous_exit_status}"
}

# The user's own SIGINT trap, as `trap -p SIGINT` printed it when the hooks
# were installed (empty: none), put back after each evaluation. Reading it
# each time would cost a fork per prompt.
_ssoenv_user_int_trap=$(\builtin trap -p SIGINT)
_ssoenv_restore_sigint() {
	if [[ -n ${_ssoenv_user_int_trap} ]]; then
		\builtin eval "${_ssoenv_user_int_trap}"
	else
		\builtin trap - SIGINT
	fi
}

# Before each command line: credentials with less than min_ttl left are
# renewed first, so a command started after a long idle prompt does not run
# out of them. bash has no pre-command event. PS0, expanded once for each
# command line read at the prompt (bash >= 4.4), arms a DEBUG trap, whose
# first run for that line disarms it and renews: once per line, and never
# for PROMPT_COMMAND, completion functions or key bindings, which PS0 does
# not precede. The DEBUG trap keeps $? and $_ for the command.
_ssoenv_preexec() {
	[[ -n ${_ssoenv_preexec_armed-} ]] || return 0
	_ssoenv_preexec_armed=
	_ssoenv_unchanged command && return 0
	\builtin trap -- '' SIGINT
	# shellcheck disable=SC2312
	\builtin eval "$(__SSOENV_EXE__ export bash --before-command)"
	_ssoenv_restore_sigint
	# Non-zero would make bash skip the command under `shopt -s extdebug`.
	\builtin return 0
}

# Installs the DEBUG trap, keeping the one the user (or bash-preexec) has:
# it runs after ours, with the same $_. $1 is `trap -p DEBUG` as printed at
# the first prompt — inside `source` or a function bash hides the DEBUG
# trap, so it is read there, from the PROMPT_COMMAND entry below, which
# this removes. $2, `trap -p SIGINT` at that moment, also sees a SIGINT
# trap set later in the rc file than this snippet.
_ssoenv_install_preexec() {
	_ssoenv_user_int_trap=${2-}
	if [[ ${1-} != *_ssoenv_preexec* ]]; then
		# `trap -p` prints `trap -- 'CODE' DEBUG`; keep CODE.
		# shellcheck disable=SC2317
		_ssoenv_keep_trap() { _ssoenv_user_debug_trap=${2-}; }
		\builtin eval "_ssoenv_keep_trap ${1#trap }"
		# shellcheck disable=SC2154
		\builtin trap -- "_ssoenv_preexec \"\$_\"${_ssoenv_user_debug_trap:+; ${_ssoenv_user_debug_trap}}" DEBUG
		\builtin unset -f _ssoenv_keep_trap
		\builtin unset _ssoenv_user_debug_trap
	fi
	PROMPT_COMMAND=${PROMPT_COMMAND#"${_ssoenv_installer};"}
}

# shellcheck disable=SC2016
_ssoenv_installer='_ssoenv_install_preexec "$(\builtin trap -p DEBUG)" "$(\builtin trap -p SIGINT)"'

# Sourcing this twice must not run the hook twice per prompt. Running first
# lets later prompt commands (starship, ...) see the updated environment.
if [[ ${PROMPT_COMMAND[*]-} != *_ssoenv_hook* ]]; then
	_ssoenv_first=_ssoenv_hook
	if ((BASH_VERSINFO[0] > 4 || (BASH_VERSINFO[0] == 4 && BASH_VERSINFO[1] >= 4))); then
		_ssoenv_first="${_ssoenv_installer};_ssoenv_hook"
		if [[ ${PS0-} != *_ssoenv_preexec_armed* ]]; then
			# Expands to nothing; the arithmetic sets the flag in this shell.
			# shellcheck disable=SC2016
			PS0='${PS0:0:$((_ssoenv_preexec_armed=1,0))}'"${PS0-}"
		fi
	fi
	# bash >= 5.1 also accepts an array; extend whichever form the user has.
	if [[ $(\builtin declare -p PROMPT_COMMAND 2>/dev/null) == "declare -a"* ]]; then
		PROMPT_COMMAND=("${_ssoenv_first}" "${PROMPT_COMMAND[@]}")
	else
		# PROMPT_COMMAND is a plain string in this branch, whatever the array
		# use above suggests to shellcheck.
		# shellcheck disable=SC2128,SC2178
		PROMPT_COMMAND="${_ssoenv_first}${PROMPT_COMMAND:+;${PROMPT_COMMAND}}"
	fi
	\builtin unset _ssoenv_first
fi

# `ssoenv use` switches this shell to another account and role, which a
# command cannot do to its shell: this function runs it and evaluates what
# it prints (SSOENV_USE, set or unset). Everything else goes to the binary
# as it is. The next prompt loads the choice.
ssoenv() {
	if [[ ${1-} == use ]]; then
		\builtin shift
		\builtin local code
		code=$(__SSOENV_EXE__ use --shell bash "$@") || \builtin return
		\builtin eval "${code}"
	else
		__SSOENV_EXE__ "$@"
	fi
}
