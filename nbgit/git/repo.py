"""Running git: the few porcelain calls nbgit makes, in one place."""

from __future__ import annotations

import os
import subprocess


class GitError(RuntimeError):
    """A git command failed; the message carries git's own words."""


def git(
    *args: str,
    cwd: str | os.PathLike | None = None,
    check: bool = True,
    input: bytes | None = None,
    errors: str = "replace",
) -> str:
    """Run ``git ARGS`` and return its stdout as text (stripped of the final newline).

    ``errors="surrogateescape"`` for file names: a name that is not UTF-8 then
    round-trips to ``open()`` (``os.fsencode``) instead of becoming U+FFFD.
    """
    try:
        proc = subprocess.run(
            ["git", *args], cwd=cwd, input=input, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
    except FileNotFoundError:
        raise GitError("git is not installed (no `git` on PATH)") from None
    if check and proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip() or f"git {' '.join(args)} failed"
        raise GitError(msg)
    return proc.stdout.decode("utf-8", errors).removesuffix("\n")


def toplevel(cwd: str | os.PathLike | None = None) -> str:
    """The work tree root of the repository at ``cwd``; GitError outside a work tree."""
    try:
        return git("rev-parse", "--show-toplevel", cwd=cwd)
    except GitError as exc:
        if "not installed" in str(exc):
            raise
        raise GitError("not inside a git work tree") from None


def git_dir(cwd: str | os.PathLike | None = None) -> str:
    """The absolute path of the repository's git directory (``.git``)."""
    return os.path.abspath(os.path.join(cwd or ".", git("rev-parse", "--git-dir", cwd=cwd)))


def git_version(cwd: str | os.PathLike | None = None) -> tuple[int, ...]:
    out = git("version", cwd=cwd)  # "git version 2.39.5" (maybe with a vendor suffix)
    parts = []
    for piece in out.split()[2].split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts)


def config_get_all(pattern: str, scope: str | None = None, cwd=None) -> list[tuple[str, str, str]]:
    """(origin, key, value) of config entries whose key matches regex ``pattern``."""
    args = ["config", "--show-origin", "-z"]
    if scope:
        args.append(f"--{scope}")
    args += ["--get-regexp", pattern]
    proc = subprocess.run(["git", *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode not in (0, 1):  # 1: nothing matched
        raise GitError(proc.stderr.decode("utf-8", "replace").strip())
    fields = proc.stdout.decode("utf-8", "replace").split("\0")
    entries = []
    for origin, keyval in zip(fields[0::2], fields[1::2]):
        key, _, value = keyval.partition("\n")
        entries.append((origin, key, value))
    return entries


def check_attr(path: str, attrs: tuple[str, ...], cwd=None) -> dict[str, str]:
    """What git's attribute machinery says of ``path`` (which need not exist)."""
    out = git("check-attr", "-z", *attrs, "--", path, cwd=cwd)
    fields = out.split("\0")
    result = {}
    for i in range(0, len(fields) - 2, 3):
        result[fields[i + 1]] = fields[i + 2]
    return result
