# ssoenv: AWS IAM Identity Center credentials that follow the shell's directory.
# Add to ~/.xonshrc:  execx($(ssoenv hook xonsh))


def __ssoenv_install():
    import os
    import signal
    import subprocess
    import sys
    import time

    from xonsh.tools import unthreadable

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

    # The idle check: the facts ssoenv's last decision rests on (the
    # directory, the files' times against a stamp set back before ssoenv
    # looked, a deadline, the values it exported), which each `ssoenv
    # export` gives again. While they hold, a prompt starts no process.
    idle = {"check": None}

    def mtime(path):
        return os.stat(path).st_mtime_ns

    def holds(check, moment):
        if env.get("PWD") != check["pwd"]:
            return False
        deadline = check["command_deadline" if moment == "command" else "prompt_deadline"]
        if deadline is not None and time.time() >= deadline:
            return False
        stamp = mtime(check["stamp"])
        if any(os.path.isfile(path) for path in check["not_files"]):
            return False
        # A missing file fails here (os.stat raises): at worst ssoenv runs.
        if any(mtime(path) > stamp for path in check["not_newer"] + check["unchanged"]):
            return False
        if any(os.path.exists(path) for path in check["absent"]):
            return False
        if check["exe"] is not None and mtime(check["exe"][0]) > mtime(check["exe"][1]):
            return False
        # What programs are given (kept by xonsh until a variable changes):
        # its defaults, such as its XDG_* paths, are not in it.
        given = env.detype()
        if given.get("SSOENV_STATE") != check["state"]:
            return False
        if any(given.get(name) != value for name, value in check["vars"]):
            return False
        # The agent: a path that goes when it exits, where the system has
        # one (a signal takes an exited, unreaped process for alive).
        if check.get("agent_path") is not None:
            if not os.path.exists(check["agent_path"]):
                return False
        elif check["agent_pid"] is not None:
            os.kill(check["agent_pid"], 0)
        return True

    def unchanged(moment):
        check = idle["check"]
        # Anything unexpected (a file gone, a check from another version of
        # ssoenv) means "ask ssoenv", never an error at the prompt.
        try:
            return check is not None and holds(check, moment)
        except Exception:
            return False

    def export(*flags):
        if unchanged("command" if flags else "prompt"):
            return
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
        # What ssoenv prints, even when it failed: it has said why on stderr.
        apply_output(run.stdout, decided=True)

    def apply_output(output, decided):
        # One call per line, `set("NAME", "value")` and the like, run with
        # nothing in scope but recorders of the calls: all of it is read
        # before any of it is applied.
        changes = []
        recorders = {
            name: (lambda *args, name=name: changes.append((name, args)))
            for name in apply
        }
        checks = []
        recorders["idle"] = lambda **facts: checks.append(facts)
        try:
            exec(output.decode("utf-8"), {"__builtins__": {}, **recorders})
        except Exception as err:
            print(f"ssoenv: the hook could not read ssoenv's output: {err}", file=sys.stderr)
            return
        # Ctrl-C is held back while the changes are applied, so it never
        # leaves half of them: it takes effect right after.
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            for name, args in changes:
                apply[name](*args)
            # After an export, its check or none; `use` prints none and
            # changes SSOENV_USE, a fact of the check it leaves.
            if decided:
                idle["check"] = checks[-1] if checks else None
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

    # `ssoenv use` switches this shell to another account and role, which a
    # command cannot do to its shell: this alias runs it and applies what it
    # prints (SSOENV_USE, set or unset); a failed use changes nothing.
    # Everything else goes to the binary as it is. The next prompt loads
    # the choice. It runs in the main thread, where the environment is the
    # shell's, and hands its streams to the binary. For `2>&1` (or `e>o`)
    # xonsh hands a callable alias the terminal's stderr, not its stdout; the
    # command's spec says where the user sent it, and ssoenv's messages go
    # there.
    @unthreadable
    def ssoenv(args, stdin=None, stdout=None, stderr=None, spec=None):
        streams = {
            name: stream if hasattr(stream, "fileno") else None
            for name, stream in (("stdin", stdin), ("stdout", stdout), ("stderr", stderr))
        }
        if getattr(spec, "stderr", None) == subprocess.STDOUT:
            streams["stderr"] = streams["stdout"]
        try:
            if args[:1] == ["use"]:
                run = subprocess.run(
                    [__SSOENV_EXE__, "use", "--shell", "xonsh", *args[1:]],
                    stdin=streams["stdin"],
                    stdout=subprocess.PIPE,
                    stderr=streams["stderr"],
                    env=env.detype(),
                    check=False,
                )
                if run.returncode == 0:
                    apply_output(run.stdout, decided=False)
                return run.returncode
            return subprocess.run(
                [__SSOENV_EXE__, *args], env=env.detype(), check=False, **streams
            ).returncode
        except OSError as err:
            print(f"ssoenv: cannot run ssoenv: {err}", file=sys.stderr)
            return 127

    aliases["ssoenv"] = ssoenv


__ssoenv_install()
del __ssoenv_install
