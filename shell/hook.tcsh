# ssoenv: AWS IAM Identity Center credentials that follow the shell's directory.
# Add to ~/.tcshrc:  eval "`ssoenv hook tcsh`"
#
# `eval "`…`"` joins these lines into one command line, so every statement
# ends with `;` and `ssoenv hook tcsh` leaves these comment lines out.
#
# The binary is called through an alias: inside `…` tcsh would split a
# path with a space in it, whatever the quoting, while an alias holds the
# path's quoted text and is read again where it is used.
#
# Before each prompt (precmd) and after each cd (cwdcmd). There is no call
# before each command: tcsh removes a postcmd alias that evaluates code
# ("Faulty alias"), so credentials are renewed at the prompt, within
# refresh_before. Aliases are simply redefined, so loading this twice is
# harmless. $__ssoenv_precmd holds the prompt's command, for a precmd of
# your own defined after this line:
#   alias precmd "$__ssoenv_precmd:q; your commands"
alias __ssoenv_run __SSOENV_EXE__;
set __ssoenv_precmd = 'eval "`__ssoenv_run export tcsh`"';
alias precmd 'eval "`__ssoenv_run export tcsh`"';
alias cwdcmd 'eval "`__ssoenv_run export tcsh`"';
# `ssoenv use` switches this shell to another account and role, which a
# command cannot do to its shell: this alias sources the code `use` writes
# (SSOENV_USE, set or unset); everything else goes to the binary as it is.
# The next prompt loads the choice. The user's words, redirections
# included, go to the binary as they are, so its messages land where the
# user sent them (`ssoenv use X >& out`): tcsh cannot capture a command's
# stdout apart from its stderr, so `use` writes its code to a file made
# here instead. The binary's exit status is the alias's, and a failed use
# changes nothing.
alias ssoenv 'set __ssoenv_code = "`\mktemp`"; __ssoenv_run --tcsh-use-code "$__ssoenv_code" \!*; set __ssoenv_status = $status; if ($__ssoenv_status == 0) source "$__ssoenv_code"; \rm -f "$__ssoenv_code"; (exit $__ssoenv_status)';
