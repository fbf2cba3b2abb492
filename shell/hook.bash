# ssoenv: AWS IAM Identity Center credentials that follow the shell's directory.
# Add to ~/.bashrc:  eval "$(ssoenv hook bash)"

_ssoenv_hook() {
	# The prompt and later PROMPT_COMMAND entries must still see the user's $?.
	\builtin local previous_exit_status=$?
	# Ctrl-C while the export is being evaluated would leave it half-applied.
	\builtin trap -- '' SIGINT
	# ssoenv reports its own failures on stderr; its exit status must not
	# replace the user's, so it is deliberately not checked here.
	# shellcheck disable=SC2312
	\builtin eval "$(__SSOENV_EXE__ export bash)"
	\builtin trap - SIGINT
	\builtin return "${previous_exit_status}"
}

# Sourcing this twice must not run the hook twice per prompt. Running first
# lets later prompt commands (starship, ...) see the updated environment.
if [[ ${PROMPT_COMMAND[*]-} != *_ssoenv_hook* ]]; then
	# bash >= 5.1 also accepts an array; extend whichever form the user has.
	if [[ $(\builtin declare -p PROMPT_COMMAND 2>/dev/null) == "declare -a"* ]]; then
		PROMPT_COMMAND=(_ssoenv_hook "${PROMPT_COMMAND[@]}")
	else
		# PROMPT_COMMAND is a plain string in this branch, whatever the array
		# use above suggests to shellcheck.
		# shellcheck disable=SC2128,SC2178
		PROMPT_COMMAND="_ssoenv_hook${PROMPT_COMMAND:+;${PROMPT_COMMAND}}"
	fi
fi
