# ssoenv: AWS IAM Identity Center credentials that follow the shell's directory.
# Add to ~/.xonshrc:  execx($(ssoenv hook xonsh))


def __ssoenv_install():
    import signal
    import subprocess
    import sys

    # Loading this twice in one shell would register every handler twice.
    if any(
        getattr(handler, "__name__", None) == "__ssoenv_on_pre_prompt"
        for handler in events.on_pre_prompt
    ):
        return

    env = __xonsh__.env
    # The user's previous values, kept between prompts and never exported
    # (a nested xonsh starts with none, as it should).
    saved = {}

    def save(name):
        if name in env:
            saved[name] = env[name]
        else:
            saved.pop(name, None)

    def restore(name):
        if name in saved:
            env[name] = saved.pop(name)
        else:
            env.pop(name, None)

    def set_(name, value):
        env[name] = value

    def unset(name):
        env.pop(name, None)

    apply = {"save": save, "set": set_, "restore": restore, "unset": unset}

    def export(*flags):
        try:
            run = subprocess.run(
                [__SSOENV_EXE__, "export", "xonsh", *flags],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                # xonsh's environment, which Python's own does not follow.
                env=env.detype(),
                check=False,
            )
        except OSError as err:
            print(f"ssoenv: the hook could not run: {err}", file=sys.stderr)
            return
        # What ssoenv prints (even when it failed: it has said why on stderr)
        # is one call per line, `set("NAME", "value")` and the like, run
        # with nothing in scope but recorders of the calls: all of it is
        # read before any of it is applied.
        changes = []
        recorders = {
            name: (lambda *args, name=name: changes.append((name, args)))
            for name in apply
        }
        try:
            exec(run.stdout.decode("utf-8"), {"__builtins__": {}, **recorders})
        except Exception as err:
            print(f"ssoenv: the hook could not read ssoenv's output: {err}", file=sys.stderr)
            return
        # Ctrl-C is held back while the changes are applied, so it never
        # leaves half of them: it takes effect right after.
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            for name, args in changes:
                apply[name](*args)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)

    # Before each prompt, after each cd (so `cd project && aws …` on one
    # line sees the credentials), and before each command line: credentials
    # with less than min_ttl left are renewed first, so a command started
    # after a long idle prompt does not run out of them.
    @events.on_pre_prompt
    def __ssoenv_on_pre_prompt(**_):
        export()

    @events.on_chdir
    def __ssoenv_on_chdir(**_):
        export()

    @events.on_precommand
    def __ssoenv_on_precommand(**_):
        export("--before-command")


__ssoenv_install()
del __ssoenv_install
