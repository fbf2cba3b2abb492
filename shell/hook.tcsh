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
# command cannot do to its shell: this alias evaluates what `use` prints
# (SSOENV_USE, set or unset); everything else goes to the binary as it is.
# The next prompt loads the choice. (tcsh keeps no exit status through
# `eval "`…`"`: a failed use says why and changes nothing, with status 0.)
alias ssoenv 'set __ssoenv_argv = (\!*:q); if ("$__ssoenv_argv" =~ use || "$__ssoenv_argv" =~ "use *") eval "`__ssoenv_run use --shell tcsh $__ssoenv_argv[2-]:q`"; if ("$__ssoenv_argv" !~ use && "$__ssoenv_argv" !~ "use *") eval __ssoenv_run \$__ssoenv_argv:q';
