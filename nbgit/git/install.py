"""What `nbgit install` writes (git config + an attributes line), and how it is undone and inspected.

Commands in git config point at the interpreter that ran `nbgit install`
(``sys.executable``), so a repository never makes git run code it ships.
"""

from __future__ import annotations

import os
import shlex
import sys

from nbgit.git.repo import GitError, check_attr, config_get_all, git, git_dir, toplevel

ATTRIBUTES_COMMENT = "# nbgit: notebooks as source (clean filter, diff and merge drivers); see `nbgit status`"
PROBE = "nbgit-probe.ipynb"
#: hunk headers name the cell: textconv writes one `# %% [type] first line` header per cell.
XFUNCNAME = "^# %% .*$"
#: git config keys nbgit writes (its sections: drivers, the mergetool and the difftool).
CONFIG_KEYS_RE = r"^(filter|diff|merge|mergetool|difftool)\.nbgit\."


def _pointing_to_doctor(command: str, py: str) -> str:
    """``command`` with a message when it cannot run (git and dulwich run the process filter with a shell).

    When the interpreter recorded by `nbgit install` is gone (a deleted virtualenv), git itself
    only says "fatal: the remote end hung up unexpectedly" (process filter) or "clean filter
    failed". nbgit's filter commands never exit non-zero otherwise (unreadable files pass
    through), so a failure means nbgit could not run: say so, and where to look.
    """
    why = f"nbgit: the filter could not run ({py} missing or without nbgit?); run nbgit doctor"
    return f"{command} || {{ echo {shlex.quote(why)} >&2; exit 1; }}"


#: ``python -c`` form for interpreters without ``-P`` (3.10): drop the current directory from
#: sys.path before nbgit is imported, then run it with the arguments that follow.
_SAFE_MAIN = "import sys; del sys.path[0]; from nbgit.cli import main; sys.exit(main())"


def nbgit_command(python: str | None = None) -> str:
    """The shell words that run nbgit with ``python`` (default: this interpreter), for git config
    and hooks. git runs drivers and hooks in the work tree, and ``python -m nbgit`` would put that
    directory first on sys.path: a committed ``nbgit/__main__.py`` would run instead of nbgit.
    ``-P`` (Python 3.11+) leaves it out; 3.10 gets the same through ``-c``."""
    py = shlex.quote(python or sys.executable)
    if sys.version_info >= (3, 11):
        return f"{py} -P -m nbgit"
    return f"{py} -c {shlex.quote(_SAFE_MAIN)}"


def driver_config(python: str | None = None) -> list[tuple[str, str]]:
    """The git config entries nbgit installs, as (key, value)."""
    py = shlex.quote(python or sys.executable)
    nbgit = nbgit_command(python)
    return [
        ("filter.nbgit.process", _pointing_to_doctor(f"{nbgit} filter-process", py)),
        # one-shot commands stay plain: dulwich runs them without a shell (shlex.split)
        ("filter.nbgit.clean", f"{nbgit} clean --path %f"),
        ("filter.nbgit.smudge", f"{nbgit} smudge --path %f"),
        ("filter.nbgit.required", "true"),
        ("diff.nbgit.textconv", f"{nbgit} textconv"),
        ("diff.nbgit.cachetextconv", "true"),
        ("diff.nbgit.xfuncname", XFUNCNAME),
        ("merge.nbgit.name", "nbgit cell-aware notebook merge"),
        ("merge.nbgit.driver", f"{nbgit} merge-driver %O %A %B %L %P %S %X %Y"),
        ("merge.nbgit.recursive", "binary"),
        ("mergetool.nbgit.cmd", f'{nbgit} mergetool --git "$BASE" "$LOCAL" "$REMOTE" "$MERGED"'),
        ("mergetool.nbgit.trustexitcode", "true"),  # git lists keys in lower case
        ("difftool.nbgit.cmd", f'{nbgit} difftool "$LOCAL" "$REMOTE" "$MERGED"'),
    ]


def diff_command_entry(python: str | None = None) -> tuple[str, str]:
    """``diff.nbgit.command`` (opt-in, ``nbgit install --diff-command``): `git diff` shows notebooks
    through ``nbgit diff`` in git's GIT_EXTERNAL_DIFF calling convention (7 or 9 arguments).
    Off by default: an external diff command replaces textconv in `git diff` and `git log -p`
    (``--no-ext-diff`` turns it off for one command). Removed with the rest by `nbgit uninstall`."""
    return ("diff.nbgit.command", f"{nbgit_command(python)} diff --git-external")


def attributes_line() -> str:
    return "*.ipynb filter=nbgit diff=nbgit merge=nbgit"


def is_nbgit_attributes_line(line: str) -> bool:
    parts = line.split()
    return (
        len(parts) >= 2
        and parts[0] == "*.ipynb"
        and all(p in ("filter=nbgit", "diff=nbgit", "merge=nbgit") for p in parts[1:])
    )


def attributes_path(scope: str, attributes: str | None, info: bool, cwd: str | None = None) -> str:
    """Where the attributes line goes for this scope and these options."""
    if attributes:
        return os.path.abspath(attributes)
    if scope == "local":
        if info:
            return os.path.join(git_dir(cwd), "info", "attributes")
        return os.path.join(toplevel(cwd), ".gitattributes")
    configured = [v for _, k, v in config_get_all(r"^core\.attributesfile$", scope=scope, cwd=cwd)]
    if configured:
        return os.path.expanduser(configured[-1])
    if scope == "global":
        xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
        return os.path.join(xdg, "git", "attributes")
    return "/etc/gitattributes"


def attributes_root(scope: str, attributes: str | None, info: bool, cwd: str | None = None) -> str | None:
    """The work tree the attributes file must stay in: the committed ``.gitattributes`` comes
    with the repository (it may be a symlink to anywhere); None for the user's own files
    (``--attributes FILE``, ``--info``, the global and system attributes files)."""
    if scope == "local" and not attributes and not info:
        return toplevel(cwd)
    return None


def attributes_target(path: str, root: str | None) -> str:
    """The file to read and write for ``path``, checked before anything is written.

    Inside a work tree (``root``) the file must resolve inside it and not be a symlink
    (git does not read a symlinked in-tree ``.gitattributes``; a committed one may point
    anywhere), and be a regular file if it exists (:class:`nbgit._fs.PathRefused`
    otherwise). The user's own files are followed through symlinks (dotfiles).
    """
    import stat

    from nbgit._fs import PathRefused, contain

    if root is not None:
        way_out = "make it a regular file, or use `--info` for this clone only"
        try:
            real = contain(root, path)
        except PathRefused as exc:
            raise PathRefused(path, f"{exc.reason}; nbgit does not write through it ({way_out})") from None
        if os.path.islink(path):  # git ignores an in-tree .gitattributes that is a symlink (2.32+)
            raise PathRefused(path, f"is a symlink, which git does not read; nbgit does not write through it ({way_out})")
    else:
        real = os.path.realpath(path)
    try:
        st = os.stat(real)
    except FileNotFoundError:
        return real
    if stat.S_ISDIR(st.st_mode):
        raise PathRefused(path, "is a directory, not an attributes file")
    if not stat.S_ISREG(st.st_mode):
        raise PathRefused(path, "is not a regular file; nbgit does not write to it")
    return real


def _read_attributes(path: str, root: str | None) -> str | None:
    from nbgit._fs import CONFIG_LIMIT, read_regular

    try:
        data = read_regular(attributes_target(path, root), limit=CONFIG_LIMIT)
    except FileNotFoundError:
        return None
    # keep the file's own bytes and line endings (a CRLF file stays CRLF)
    return data.decode("utf-8", "surrogateescape")


def _write_attributes_file(path: str, root: str | None, text: str) -> None:
    from nbgit._fs import atomic_write

    target = attributes_target(path, root)
    os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
    atomic_write(target, text.encode("utf-8", "surrogateescape"))


def write_attributes(path: str, root: str | None = None) -> bool:
    """Add (or refresh) nbgit's attributes line in ``path`` (inside the work tree ``root``, when
    given: see :func:`attributes_target`). Returns True if the file changed."""
    line = attributes_line()
    text = _read_attributes(path, root) or ""
    nl = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines()
    ours = [i for i, existing in enumerate(lines) if is_nbgit_attributes_line(existing)]
    if ours and lines[ours[-1]] == line and len(ours) == 1:
        return False
    kept = [
        existing
        for i, existing in enumerate(lines)
        if i not in ours and existing != ATTRIBUTES_COMMENT
    ]
    while kept and not kept[-1].strip():
        kept.pop()
    if kept:
        kept.append("")
    kept += [ATTRIBUTES_COMMENT, line]
    _write_attributes_file(path, root, nl.join(kept) + nl)
    return True


def remove_attributes(path: str, root: str | None = None) -> bool:
    """Remove nbgit's lines from ``path`` (deleting the file if nothing else is left)."""
    text = _read_attributes(path, root)
    if text is None:
        return False
    nl = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines()
    kept = [ln for ln in lines if ln != ATTRIBUTES_COMMENT and not is_nbgit_attributes_line(ln)]
    if kept == lines:
        return False
    while kept and not kept[-1].strip():
        kept.pop()
    if kept:
        _write_attributes_file(path, root, nl.join(kept) + nl)
    else:
        os.remove(attributes_target(path, root))
    return True


def set_config(scope: str, entries: list[tuple[str, str]], cwd: str | None = None) -> list[str]:
    """Write config entries in ``scope``; returns the keys whose value changed."""
    changed = []
    for key, value in entries:
        current = git("config", f"--{scope}", "--get", key, cwd=cwd, check=False)
        if current != value:
            git("config", f"--{scope}", key, value, cwd=cwd)
            changed.append(key)
    return changed


def unset_config(scope: str, cwd: str | None = None) -> list[str]:
    """Remove nbgit's config sections from ``scope``; returns the sections removed."""
    removed = []
    present = {k.rsplit(".", 1)[0] for _, k, _ in config_get_all(CONFIG_KEYS_RE, scope=scope, cwd=cwd)}
    for section in sorted(present):
        git("config", f"--{scope}", "--remove-section", section, cwd=cwd)
        removed.append(section)
    return removed


# --- other tools that also claim notebooks -------------------------------------------------

_OTHER_TOOLS = {
    "nbstripout": (r"^(filter\.nbstripout\.|diff\.ipynb\.textconv)", ("filter=nbstripout", "diff=ipynb")),
    "nbdime": (r"^(diff|merge)\.jupyternotebook\.", ("diff=jupyternotebook", "merge=jupyternotebook")),
    "jupytext": (r"^filter\.jupytext\.", ("filter=jupytext",)),
}


def other_tools(cwd: str | None = None) -> list[str]:
    """Describe other notebook tools configured for this repository (config and effective attributes)."""
    found = []
    try:
        attrs = check_attr(PROBE, ("filter", "diff", "merge"), cwd=cwd)
    except GitError:
        attrs = {}
    effective = {f"{k}={v}" for k, v in attrs.items()}
    for tool, (pattern, attr_values) in _OTHER_TOOLS.items():
        keys = [f"{k} ({origin})" for origin, k, _ in config_get_all(pattern, cwd=cwd)]
        active = sorted(effective.intersection(attr_values))
        if keys or active:
            where = []
            if keys:
                where.append("config " + ", ".join(keys))
            if active:
                where.append("attributes in effect for *.ipynb: " + " ".join(active))
            found.append(f"{tool}: " + "; ".join(where))
    return found


def effective_attributes(cwd: str | None = None) -> dict[str, str]:
    return check_attr(PROBE, ("filter", "diff", "merge"), cwd=cwd)


# --- opt-in hooks: `nbgit install --hooks` ----------------------------------------------------

#: git runs these after it rewrote work-tree files (checkout, switch, pull, merge) or the
#: index (commit): each runs `nbgit sync --hook` (jupytext pairs) and/or `nbgit refresh --hook`
#: (re-run notebooks git would list as modified because their size changed).
HOOK_COMMANDS = {
    "post-checkout": ("sync --hook", "refresh --hook"),
    "post-merge": ("sync --hook", "refresh --hook"),
    "post-commit": ("refresh --hook",),
}
HOOK_NAMES = tuple(HOOK_COMMANDS)
HOOK_BEGIN = "# >>> nbgit: sync jupytext pairs, refresh re-run notebooks (added by `nbgit install --hooks`, removed by `nbgit uninstall`) >>>"
#: the marker of earlier versions (sync only): still recognized, replaced on the next install
_OLD_HOOK_BEGINS = ("# >>> nbgit: sync jupytext pairs (added by `nbgit install --hooks`, removed by `nbgit uninstall`) >>>",)
HOOK_END = "# <<< nbgit <<<"
_SHELLS = ("sh", "bash", "dash", "zsh", "ksh")


class HookError(RuntimeError):
    """A hook file nbgit will not edit; the message names it and says what to do instead."""


def hooks_dir(cwd: str | None = None) -> str:
    """The repository's hooks directory (honours core.hooksPath)."""
    return os.path.abspath(os.path.join(cwd or ".", git("rev-parse", "--git-path", "hooks", cwd=cwd)))


def hook_block(python: str | None = None, name: str = "post-checkout") -> str:
    py = shlex.quote(python or sys.executable)
    commands = "; ".join(f"{nbgit_command(python)} {command}" for command in HOOK_COMMANDS[name])
    return (
        f"{HOOK_BEGIN}\n"
        f"if [ -x {py} ]; then {commands}; "
        f"else echo \"nbgit: {py} is gone; run 'nbgit install --hooks' again\" >&2; fi\n"
        f"{HOOK_END}\n"
    )


def _without_block(text: str) -> tuple[str, bool]:
    lines = text.splitlines(keepends=True)
    out, inside, found = [], False, False
    for line in lines:
        if line.rstrip("\n") in (HOOK_BEGIN, *_OLD_HOOK_BEGINS):
            inside = found = True
        elif inside and line.rstrip("\n") == HOOK_END:
            inside = False
        elif not inside:
            out.append(line)
    return "".join(out), found


def _is_shell(first_line: str) -> bool:
    if not first_line.startswith("#!"):
        return False
    words = first_line[2:].split()
    if not words:
        return False
    prog = os.path.basename(words[0])
    if prog == "env" and len(words) > 1:
        prog = os.path.basename(words[1])
    return prog in _SHELLS


def install_hooks(cwd: str | None = None, python: str | None = None, names: tuple[str, ...] = HOOK_NAMES) -> list[str]:
    """Add nbgit's block to the hooks ``names`` (default: all of :data:`HOOK_COMMANDS`); returns the hooks written.

    A missing hook is created; an existing shell hook gets the block right after its
    ``#!`` line (so an ``exec`` at its end cannot skip it); any other existing hook is
    left alone and :class:`HookError` is raised before anything is written.
    """
    directory = hooks_dir(cwd)
    plans = []
    for name in names:
        block = hook_block(python, name)
        path = os.path.join(directory, name)
        try:
            text = _read_hook(path)
        except FileNotFoundError:
            plans.append((path, "#!/bin/sh\n" + block))
            continue
        except (OSError, UnicodeDecodeError) as exc:
            raise HookError(f"{path}: cannot read it ({exc}); add {_commands_hint(python, name)} to it yourself") from None
        rest, _ = _without_block(text)
        first, _, body = rest.partition("\n")
        if not _is_shell(first):
            raise HookError(
                f"{path} exists and is not a shell script; nbgit leaves it alone: "
                f"make it run {_commands_hint(python, name)}"
            )
        new = f"{first}\n{block}{body}"
        if new != text:
            plans.append((path, new))
    from nbgit._fs import atomic_write

    written = []
    for path, text in plans:
        os.makedirs(directory, exist_ok=True)
        atomic_write(path, text.encode("utf-8"))
        os.chmod(path, os.stat(path).st_mode | 0o111)
        written.append(path)
    return written


def _hook_texts(cwd: str | None = None):
    """(path, text) of each of nbgit's hooks that exists and can be read."""
    directory = hooks_dir(cwd)
    for name in HOOK_NAMES:
        path = os.path.join(directory, name)
        try:
            yield path, _read_hook(path)
        except (OSError, UnicodeDecodeError):
            continue


#: a hook larger than this is not one nbgit wrote to, nor one it reads whole
HOOK_LIMIT = 1 << 20


def _read_hook(path: str) -> str:
    """A hook's text. ``core.hooksPath`` may name a committed folder, so a hook is read like any
    repository file: a regular file (a link to one is followed), bounded, never a device."""
    from nbgit._fs import read_regular

    return read_regular(path, limit=HOOK_LIMIT).decode("utf-8")


def installed_hook_blocks(cwd: str | None = None) -> dict[str, str]:
    """nbgit's block in each hook that has one (hook path -> the block's text)."""
    found = {}
    for path, text in _hook_texts(cwd):
        inside, block = False, []
        for line in text.splitlines(keepends=True):
            if line.rstrip("\n") in (HOOK_BEGIN, *_OLD_HOOK_BEGINS):
                inside = True
            if inside:
                block.append(line)
                if line.rstrip("\n") == HOOK_END:
                    break
        if block:
            found[path] = "".join(block)
    return found


def outdated_hooks(cwd: str | None = None, python: str | None = None) -> list[str]:
    """Hooks whose nbgit block is not what this version writes (an older install: e.g. ``python -m
    nbgit`` without ``-P``, which imports a committed ``nbgit/`` package from the work tree)."""
    return sorted(path for path, block in installed_hook_blocks(cwd).items()
                  if block != hook_block(python, os.path.basename(path)))


def _commands_hint(python: str | None, name: str) -> str:
    return " and ".join(f"`{nbgit_command(python)} {command}`" for command in HOOK_COMMANDS[name])


def remove_hooks(cwd: str | None = None) -> list[str]:
    """Remove nbgit's block from the hooks; a hook left with only its ``#!`` line is deleted."""
    from nbgit._fs import atomic_write

    removed = []
    for path, text in _hook_texts(cwd):
        rest, found = _without_block(text)
        if not found:
            continue
        if not rest.partition("\n")[2].strip():
            os.remove(path)
        else:
            atomic_write(path, rest.encode("utf-8"))
        removed.append(path)
    return removed
