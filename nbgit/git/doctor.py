"""What is wrong with nbgit in this clone, and the command that fixes it.

:func:`diagnose` runs a fixed list of checks and returns :class:`Finding`\\ s,
one per problem, each with a one-line fix. It only reads: git config, the
attributes git applies, the index (blobs via one ``git cat-file --batch``) and
the repository's nbgit config. The checks, in order:

1. git itself: present, and new enough for the protocol features nbgit uses
   (long-running filter process: git 2.11; ``%P`` in merge drivers: 2.5;
   ``git add --renormalize``: 2.16; ``%S``/``%X``/``%Y`` merge labels: 2.44).
2. Drivers: attributes route notebooks to nbgit but this clone has no
   ``filter.nbgit`` config (the usual state right after ``git clone``: config
   is not cloned), or the reverse; incomplete config; ``required`` unset.
3. Interpreters: every configured driver command starts with an absolute
   interpreter path; it must still exist (a deleted virtualenv) and import nbgit.
4. A smoke test: ``git hash-object --path`` pushes a small notebook with an
   output through the filter git would run, and compares with what this nbgit
   makes of it.
5. Other tools: nbstripout / nbdime / jupytext settings in effect for
   notebooks instead of nbgit's (attributes that override nbgit's line), left
   over in config, or run by pre-commit.
6. Sharing: ``.gitattributes`` with nbgit's line not committed (other clones
   would not use nbgit); checked-out submodules routed to nbgit whose clone has
   no drivers (git config is per clone).
7. Content: committed (staged) notebooks that are not clean under the
   current configuration (:func:`renormalize` re-adds them), committed
   conflict markers, unreadable notebooks.
8. Phantom modifications: notebooks git lists as modified only because
   re-running them changed their size (``nbgit refresh`` clears them), and
   what ``rebase.autoStash`` does with them.

Any git failure inside a check becomes an ``error`` finding instead of a
traceback; the findings gathered so far are kept.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass, field
from typing import Callable, Iterable

from nbgit._fs import worktree_bytes
from nbgit.git.repo import GitError

#: git versions that introduced what nbgit uses (checked by the doctor).
GIT_FILTER_PROCESS = (2, 11)  # filter.<driver>.process (gitattributes(5): Long Running Filter Process)
GIT_MERGE_PATH = (2, 5)  # %P in merge.<driver>.driver
GIT_RENORMALIZE = (2, 16)  # git add --renormalize
GIT_MERGE_LABELS = (2, 44)  # %S %X %Y in merge.<driver>.driver
GIT_SHOW_SCOPE = (2, 26)  # git config --show-scope

ERROR, WARNING, INFO = "error", "warning", "info"
#: how many paths a finding names before "and N more".
MAX_NAMED = 5
_COMMAND_KEYS = (".process", ".clean", ".smudge", ".textconv", ".driver", ".command", ".cmd")

_OTHER_FILTERS = {"nbstripout": "nbstripout", "jupytext": "jupytext"}
_OTHER_DIFFS = {"ipynb": "nbstripout", "jupyternotebook": "nbdime"}
_OTHER_MERGES = {"jupyternotebook": "nbdime"}
_UNDO = {
    "nbstripout": "nbstripout --uninstall",
    "nbdime": "nbdime config-git --disable",
    "jupytext": "git config --remove-section filter.jupytext",
}


@dataclass(frozen=True)
class Finding:
    """One problem (or, at level ``info``, one fact worth knowing) and how to fix it."""

    level: str
    message: str
    fix: str | None = None

    def line(self) -> str:
        return f"{self.level}: {self.message}" + (f"; fix: {self.fix}" if self.fix else "")

    @property
    def wrong(self) -> bool:
        return self.level in (ERROR, WARNING)


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    notebooks: int = 0  #: tracked notebooks seen
    checked: int = 0  #: notebooks whose committed content was checked
    unclean: list[str] = field(default_factory=list)

    @property
    def wrong(self) -> bool:
        return any(f.wrong for f in self.findings)

    def add(self, level: str, message: str, fix: str | None = None) -> None:
        self.findings.append(Finding(level, message, fix))


# --- running git ----------------------------------------------------------------------------


def _run(args: list[str], cwd: str, input: bytes | None = None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", *args], cwd=cwd, input=input, capture_output=True)
    except FileNotFoundError:
        raise GitError("git is not installed (no `git` on PATH)") from None


def _git(args: list[str], cwd: str, input: bytes | None = None) -> bytes:
    proc = _run(args, cwd, input)
    if proc.returncode != 0:
        raise GitError(proc.stderr.decode("utf-8", "replace").strip() or f"git {' '.join(args)} failed")
    return proc.stdout


def _version(cwd: str) -> tuple[int, ...]:
    from nbgit.git.repo import git_version

    return git_version(cwd)


def _vstr(v: tuple[int, ...]) -> str:
    return ".".join(map(str, v))


@dataclass(frozen=True)
class ConfigEntry:
    scope: str  # local, global, system, worktree, command, unknown
    origin: str
    key: str
    value: str


def _config_entries(pattern: str, cwd: str, version: tuple[int, ...]) -> list[ConfigEntry]:
    show_scope = version >= GIT_SHOW_SCOPE
    args = ["config", "--show-origin", "-z"] + (["--show-scope"] if show_scope else []) + ["--get-regexp", pattern]
    proc = _run(args, cwd)
    if proc.returncode not in (0, 1):
        raise GitError(proc.stderr.decode("utf-8", "replace").strip())
    fields = proc.stdout.decode("utf-8", "replace").split("\0")
    width = 3 if show_scope else 2
    entries = []
    for i in range(0, len(fields) - width + 1, width):
        group = fields[i : i + width]
        scope = group[0] if show_scope else "unknown"
        origin, keyval = group[-2], group[-1]
        key, _, value = keyval.partition("\n")
        entries.append(ConfigEntry(scope, origin, key.lower(), value))
    return entries


def _scope_flag(scope: str) -> str:
    return {"global": " --global", "system": " --system"}.get(scope, "")


def tracked_notebooks(cwd: str) -> list[tuple[str, str, str]]:
    """(mode, blob id, path) of the notebooks in the index (merged entries only)."""
    out = _git(["ls-files", "-s", "-z", "--", "*.ipynb"], cwd)
    entries = []
    for rec in out.decode("utf-8", "surrogateescape").split("\0"):
        if not rec:
            continue
        meta, _, path = rec.partition("\t")
        mode, blob, stage = meta.split()
        if stage == "0" and mode != "160000":
            entries.append((mode, blob, path))
    return entries


def attributes_of(paths: list[str], cwd: str, attrs: tuple[str, ...] = ("filter", "diff", "merge")) -> dict[str, dict[str, str]]:
    """{path: {attr: value}} from one ``git check-attr --stdin`` call."""
    if not paths:
        return {}
    data = "\0".join(paths).encode("utf-8", "surrogateescape") + b"\0"
    out = _git(["check-attr", "-z", "--stdin", *attrs], cwd, input=data)
    fields = out.decode("utf-8", "surrogateescape").split("\0")
    result: dict[str, dict[str, str]] = {}
    for i in range(0, len(fields) - 2, 3):
        result.setdefault(fields[i], {})[fields[i + 1]] = fields[i + 2]
    return result


def _names(paths: list[str]) -> str:
    shown = ", ".join(paths[:MAX_NAMED])
    return shown + (f" and {len(paths) - MAX_NAMED} more" if len(paths) > MAX_NAMED else "")


# --- the checks -----------------------------------------------------------------------------


def _check_git_version(report: Report, version: tuple[int, ...], merge_configured: bool) -> None:
    if version < GIT_FILTER_PROCESS:
        report.add(
            WARNING,
            f"git {_vstr(version)} is older than {_vstr(GIT_FILTER_PROCESS)}: no long-running filter process, "
            "so git starts one Python per notebook (slow, but correct)",
            "upgrade git",
        )
    if merge_configured and version < GIT_MERGE_PATH:
        report.add(WARNING, f"git {_vstr(version)} does not pass %P to merge drivers (needs {_vstr(GIT_MERGE_PATH)})", "upgrade git")
    if version < GIT_RENORMALIZE:
        report.add(INFO, f"git {_vstr(version)} has no `git add --renormalize` (needs {_vstr(GIT_RENORMALIZE)}); `nbgit renormalize` will not work")
    if merge_configured and version < GIT_MERGE_LABELS:
        report.add(
            INFO,
            f"git {_vstr(version)} does not pass branch names (%S %X %Y, git {_vstr(GIT_MERGE_LABELS)}) to merge drivers: "
            "conflict markers in notebooks are labelled ours/theirs",
        )


def _interpreter(value: str) -> str | None:
    try:
        words = shlex.split(value)
    except ValueError:
        return None
    return words[0] if words else None


def _check_config(report: Report, entries: list[ConfigEntry], notebook_attrs: dict[str, dict[str, str]]) -> dict[str, ConfigEntry]:
    from nbgit.git.install import driver_config

    config = {e.key: e for e in entries}  # later entries win, as in git
    routed = {kind: [p for p, a in notebook_attrs.items() if a.get(kind) == "nbgit"] for kind in ("filter", "diff", "merge")}
    has_filter = "filter.nbgit.process" in config or "filter.nbgit.clean" in config
    if not config and not any(routed.values()):
        report.add(ERROR, "nbgit is not set up in this repository (no filter.nbgit config, no attributes line for *.ipynb)", "nbgit install")
        return config
    if routed["filter"] and not has_filter:
        report.add(
            ERROR,
            "drivers not installed in this clone: the attributes route notebooks to filter=nbgit but git has no "
            "filter.nbgit config (git config is not cloned), so notebooks are committed with their outputs",
            "nbgit install",
        )
    if routed["diff"] and "diff.nbgit.textconv" not in config:
        report.add(WARNING, "attributes say diff=nbgit but diff.nbgit.textconv is not configured: `git diff` shows raw JSON", "nbgit install")
    if routed["merge"] and "merge.nbgit.driver" not in config:
        report.add(
            WARNING,
            "attributes say merge=nbgit but merge.nbgit.driver is not configured: git merges notebooks as text "
            "(JSON conflict markers)",
            "nbgit install",
        )
    if config and not routed["filter"]:
        report.add(
            ERROR,
            "filter.nbgit is configured but no attributes route *.ipynb to it (no `*.ipynb filter=nbgit` line in effect)",
            "nbgit install",
        )
    if has_filter:
        scopes = sorted({e.scope for k, e in config.items() if k.startswith("filter.nbgit.")})
        flag = _scope_flag(scopes[0]) if len(scopes) == 1 else ""
        wanted = [k for k, _ in driver_config()]
        missing = [k for k in wanted if k not in config]
        if missing:
            report.add(WARNING, f"nbgit's git config is incomplete (missing {', '.join(missing)})", f"nbgit install{flag}")
        _check_command_forms(report, config, flag)
        required = config.get("filter.nbgit.required")
        if required is not None and required.value.lower() not in ("true", "yes", "on", "1"):
            report.add(
                WARNING,
                f"filter.nbgit.required is {required.value!r}: if the filter cannot run, git silently commits notebooks "
                "unfiltered",
                f"git config{_scope_flag(required.scope)} filter.nbgit.required true",
            )
    return config


_MAIN = re.compile(r"(\S*)\s+-m\s+nbgit(?=\s|;|$)")


def _runs_unsafe_main(command: str) -> bool:
    """Whether ``command`` runs ``python -m nbgit`` anywhere without ``-P`` right before ``-m``."""
    return any(m.group(1) != "-P" for m in _MAIN.finditer(command))


def _check_command_forms(report: Report, config: dict[str, ConfigEntry], flag: str) -> None:
    """Commands written by older installs: ``python -m nbgit`` (git runs it in the work tree, whose
    directory comes first on sys.path, so a committed ``nbgit/`` package would run instead of
    nbgit), and a one-shot smudge without ``--path %f`` (exact restores only)."""
    unsafe = sorted(k for k, e in config.items()
                    if k.endswith(_COMMAND_KEYS) and k.split(".")[1:2] == ["nbgit"]
                    and _runs_unsafe_main(e.value))
    if unsafe:
        report.add(
            ERROR,
            f"{', '.join(unsafe)} run `python -m nbgit` in the work tree, where a committed nbgit/ package "
            "would be imported instead of nbgit (an older install): a repository could run code",
            f"nbgit install{flag}",
        )
    smudge = config.get("filter.nbgit.smudge")
    if smudge is not None and "%f" not in smudge.value:
        report.add(
            WARNING,
            "filter.nbgit.smudge has no --path %f (an older install): checkouts without the filter process "
            "restore outputs only to versions you had",
            f"nbgit install{flag}",
        )


def _check_hooks(report: Report, cwd: str) -> None:
    """Git hooks that run ``python -m nbgit`` (git runs hooks in the work tree: a committed nbgit/
    package would run on checkout, merge and commit): nbgit's own blocks written by an older
    ``install --hooks``, and lines that older versions told users to add to their own hooks."""
    from nbgit._fs import read_regular
    from nbgit.git.install import HOOK_LIMIT, hooks_dir, installed_hook_blocks
    from nbgit.git.repo import GitError

    try:
        ours = {os.path.basename(p) for p, block in installed_hook_blocks(cwd).items() if _runs_unsafe_main(block)}
        directory = hooks_dir(cwd)
        names = sorted(os.listdir(directory)) if os.path.isdir(directory) else []
    except (GitError, OSError):
        return
    theirs = set()
    for name in names:
        path = os.path.join(directory, name)
        if name.endswith(".sample") or name in ours or not os.path.isfile(path):
            continue
        try:
            text = read_regular(path, limit=HOOK_LIMIT).decode("utf-8", "replace")
        except OSError:  # not a regular file, or too large to be a hook nbgit told anyone to write
            continue
        if _runs_unsafe_main(text) or _LISTED_MAIN.search(text):
            theirs.add(name)
    if ours:
        report.add(
            ERROR,
            f"the git hooks {', '.join(sorted(ours))} run `python -m nbgit` in the work tree, where a committed nbgit/ "
            "package would be imported instead of nbgit (an older install): a repository could run code",
            "nbgit install --hooks",
        )
    if theirs:
        from nbgit.git.install import nbgit_command

        report.add(
            ERROR,
            f"the git hooks {', '.join(sorted(theirs))} run `python -m nbgit` in the work tree, where a committed nbgit/ "
            "package would be imported instead of nbgit: a repository could run code",
            f"in those hooks, run `{nbgit_command()} ...` instead",
        )


#: ``[python, "-m", "nbgit", ...]`` in a hook written in Python
_LISTED_MAIN = re.compile(r"""["']-m["']\s*,\s*["']nbgit["']""")


def _check_interpreters(report: Report, config: dict[str, ConfigEntry], cwd: str) -> bool:
    """Report driver commands whose interpreter is gone. True if every command can start."""
    ok = True
    seen: dict[str, bool] = {}
    for key, entry in config.items():
        if not key.endswith(_COMMAND_KEYS):
            continue
        exe = _interpreter(entry.value)
        if exe is None:
            report.add(ERROR, f"{key} is not a valid command line: {entry.value!r}", f"nbgit install{_scope_flag(entry.scope)}")
            ok = False
            continue
        if exe in seen:
            ok = ok and seen[exe]
            continue
        if os.path.isabs(exe):
            found = exe if os.access(exe, os.X_OK) and os.path.isfile(exe) else None
        else:
            found = shutil.which(exe)
        if found is None:
            report.add(
                ERROR,
                f"{key} runs {exe}, which no longer exists (virtualenv deleted or moved?): git cannot run nbgit",
                f"nbgit install{_scope_flag(entry.scope)} (run by the Python that has nbgit now)",
            )
            seen[exe] = ok = False
            continue
        words = shlex.split(entry.value)
        if any(w == "nbgit" or "nbgit.cli" in w for w in words[1:4]):
            # not from the work tree: a committed nbgit/ package must not be what is imported
            proc = subprocess.run([found, "-c", "import sys; del sys.path[0]; import nbgit"], cwd=cwd, capture_output=True)
            if proc.returncode != 0:
                report.add(
                    ERROR,
                    f"{key} runs {exe}, which cannot import nbgit (uninstalled from that environment?)",
                    f"{shlex.quote(exe)} -m pip install nbgit, or nbgit install{_scope_flag(entry.scope)}",
                )
                seen[exe] = ok = False
                continue
        seen[exe] = True
    return ok


_PROBE_NOTEBOOK = (
    b'{\n "cells": [\n  {\n   "cell_type": "code",\n   "execution_count": 1,\n   "id": "nbgit-doctor",\n'
    b'   "metadata": {},\n   "outputs": [\n    {\n     "name": "stdout",\n     "output_type": "stream",\n'
    b'     "text": [\n      "probe\\n"\n     ]\n    }\n   ],\n   "source": [\n    "print(\\"probe\\")"\n   ]\n'
    b'  }\n ],\n "metadata": {},\n "nbformat": 4,\n "nbformat_minor": 5\n}\n'
)


def _blob_id(data: bytes, hexlen: int) -> str:
    algo = hashlib.sha256 if hexlen == 64 else hashlib.sha1
    return algo(b"blob %d\0" % len(data) + data).hexdigest()


def _check_filter_runs(report: Report, path: str, cwd: str, config_obj) -> None:
    """Push a small notebook with an output through the filter git would run for ``path``."""
    from nbgit.notebook.clean import clean_bytes

    proc = _run(["hash-object", "--stdin", f"--path={path}"], cwd, input=_PROBE_NOTEBOOK)
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        report.add(ERROR, "git cannot run nbgit's filter: " + (err[-1] if err else f"exit {proc.returncode}"), "nbgit install")
        return
    got = proc.stdout.decode().strip()
    if config_obj is None:
        return
    expected = _blob_id(clean_bytes(_PROBE_NOTEBOOK, config_obj), len(got))
    if got == _blob_id(_PROBE_NOTEBOOK, len(got)) and expected != got:
        report.add(ERROR, "git's filter left a notebook's outputs in place (the filter did not run)", "nbgit install")
    elif got != expected:
        report.add(
            WARNING,
            "the filter git runs cleans differently from this nbgit (another nbgit version in the configured interpreter?)",
            "nbgit install",
        )


def _attribute_files(root: str, gitdir: str, entries: list[ConfigEntry]) -> list[str]:
    files = []
    for e in entries:
        if e.key == "core.attributesfile":
            files.append(os.path.expanduser(e.value))
    xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    files += [os.path.join(xdg, "git", "attributes"), os.path.join(gitdir, "info", "attributes")]
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".git"]
        if ".gitattributes" in filenames:
            files.append(os.path.join(dirpath, ".gitattributes"))
    return files


def _where_set(files: list[str], needle: str, root: str) -> list[str]:
    hits = []
    for path in files:
        text = _read_text(path, root)
        if text is not None and any(needle in line.split() for line in text.splitlines()):
            hits.append(os.path.relpath(path, root) if path.startswith(root + os.sep) else path)
    return hits


def _check_other_tools(report: Report, root: str, gitdir: str, notebook_attrs: dict[str, dict[str, str]], all_entries: list[ConfigEntry], nbgit_config) -> None:
    tables = {"filter": _OTHER_FILTERS, "diff": _OTHER_DIFFS, "merge": _OTHER_MERGES}
    in_effect: set[str] = set()
    files: list[str] | None = None
    for kind, table in tables.items():
        for value, tool in table.items():
            paths = sorted(p for p, a in notebook_attrs.items() if a.get(kind) == value and not p.startswith("\0"))
            probe = any(a.get(kind) == value for p, a in notebook_attrs.items() if p.startswith("\0"))
            if not paths and not probe:
                continue
            in_effect.add(tool)
            if files is None:
                files = _attribute_files(root, gitdir, all_entries)
            where = _where_set(files, f"{kind}={value}", root)
            what = f"{len(paths)} notebook(s) ({_names(paths)})" if paths else "*.ipynb"
            place = f" (set in {', '.join(where)})" if where else ""
            report.add(
                ERROR if kind == "filter" else WARNING,
                f"{tool} is in effect instead of nbgit: {kind}={value} applies to {what}{place}",
                f"{_UNDO[tool]}, then remove `{kind}={value}` from the attributes file" + ("" if where else "s"),
            )
    leftovers: dict[str, list[str]] = {}
    for e in all_entries:
        section = e.key.rsplit(".", 1)[0]
        kind, _, name = section.partition(".")
        tool = tables.get(kind, {}).get(name)
        if tool and tool not in in_effect:
            leftovers.setdefault(tool, [])
            if section not in leftovers[tool]:
                leftovers[tool].append(section)
    for tool, sections in leftovers.items():
        report.add(
            INFO,
            f"{tool} is configured ({', '.join(sections)}) but not in effect for notebooks (harmless leftover)",
            "; ".join(f"git config --remove-section {s}" for s in sections),
        )
    _check_precommit(report, root)
    _check_jupytext_config(report, root, nbgit_config)


def _check_precommit(report: Report, root: str) -> None:
    path = os.path.join(root, ".pre-commit-config.yaml")
    text = _read_text(path, root)
    if text is None:
        return
    if "nbstripout" in text:
        report.add(
            WARNING,
            ".pre-commit-config.yaml runs nbstripout, which rewrites notebooks by its own rules (it drops outputs "
            "and metadata that nbgit's config keeps, so the two undo each other)",
            "remove the nbstripout hook from .pre-commit-config.yaml",
        )
    if "jupytext" in text and "--sync" in text:
        report.add(
            WARNING,
            ".pre-commit-config.yaml runs `jupytext --sync`, which picks the newer side of a pair by modification "
            "time and can drop edits after a checkout",
            "replace the hook by `nbgit sync`",
        )


def _check_jupytext_config(report: Report, root: str, nbgit_config) -> None:
    pair = getattr(nbgit_config, "pair", None)
    if not pair:
        return
    for name in ("jupytext.toml", ".jupytext.toml", ".jupytext"):
        path = os.path.join(root, name)
        text = _read_text(path, root)
        if text is None:
            continue
        if "formats" in text and pair not in text:
            report.add(
                WARNING,
                f"{name} pairs notebooks with other formats than nbgit's pair = {pair!r}: jupytext and nbgit will "
                "write different text files",
                f"make `formats` in {name} say ipynb,{pair}, or remove it",
            )


def _check_gitattributes_committed(report: Report, root: str) -> None:
    from nbgit.git.install import is_nbgit_attributes_line

    path = os.path.join(root, ".gitattributes")
    text = _read_text(path, root)
    if text is None or not any(is_nbgit_attributes_line(line) for line in text.splitlines()):
        return
    current = text.encode("utf-8", "surrogateescape")
    committed = _run(["cat-file", "blob", "HEAD:.gitattributes"], root)
    if committed.returncode != 0 or committed.stdout.replace(b"\r\n", b"\n") != current.replace(b"\r\n", b"\n"):
        report.add(
            WARNING,
            ".gitattributes with nbgit's line is not committed: other clones will not use nbgit",
            'git add .gitattributes && git commit -m "Use nbgit for notebooks"',
        )


def _check_submodules(report: Report, root: str) -> None:
    """Checked-out submodules whose attributes route notebooks to nbgit but whose clone has no
    filter.nbgit config (git config is per clone; a global install covers them)."""
    if not os.path.exists(os.path.join(root, ".gitmodules")):
        return
    out = _run(["config", "--file", ".gitmodules", "-z", "--get-regexp", r"^submodule\..*\.path$"], root)
    if out.returncode != 0:
        return
    from nbgit.git.install import PROBE

    for rec in out.stdout.decode("utf-8", "surrogateescape").split("\0"):
        path = rec.partition("\n")[2]
        sub = os.path.join(root, path)
        if not path or not os.path.exists(os.path.join(sub, ".git")):
            continue  # not checked out
        attrs = _run(["check-attr", "filter", "--", PROBE], sub)
        routed = attrs.returncode == 0 and attrs.stdout.decode("utf-8", "replace").strip().endswith(": filter: nbgit")
        has_config = _run(["config", "--get-regexp", r"^filter\.nbgit\.(process|clean)$"], sub).stdout.strip()
        if routed and not has_config:
            report.add(
                ERROR,
                f"submodule {path}: its attributes route notebooks to nbgit but the submodule's clone has no "
                "filter.nbgit config (git config is per clone)",
                f"(cd {shlex.quote(path)} && nbgit install --info), or nbgit install --global",
            )


def _cat_blobs(blobs: list[str], cwd: str) -> Iterable[bytes]:
    """Yield the contents of ``blobs`` in order, through one ``git cat-file --batch``."""
    proc = subprocess.Popen(["git", "cat-file", "--batch"], cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert proc.stdin is not None and proc.stdout is not None
    import threading

    def feed() -> None:
        try:
            for blob in blobs:
                proc.stdin.write(blob.encode() + b"\n")
            proc.stdin.close()
        except BrokenPipeError:
            pass

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    try:
        for blob in blobs:
            header = proc.stdout.readline().split()
            if len(header) != 3:
                raise GitError(f"git cat-file: unexpected answer for {blob}: {b' '.join(header)!r}")
            size = int(header[2])
            data = proc.stdout.read(size)
            proc.stdout.read(1)
            yield data
    finally:
        writer.join()
        proc.stdout.close()
        proc.wait()


def find_unclean(notebooks: list[tuple[str, str, str]], cwd: str, config, progress: Callable[[int, int], None] | None = None) -> tuple[list[str], list[tuple[str, str]]]:
    """(paths whose staged content is not clean under ``config``, [(path, reason)] of unreadable ones)."""
    from nbgit.notebook.clean import clean_bytes
    from nbgit.notebook.io import NotebookError

    unclean, unreadable = [], []
    total = len(notebooks)
    for i, ((_, _, path), data) in enumerate(zip(notebooks, _cat_blobs([b for _, b, _ in notebooks], cwd))):
        try:
            if clean_bytes(data, config) != data:
                unclean.append(path)
        except NotebookError as exc:
            unreadable.append((path, exc.reason))
        if progress is not None:
            progress(i + 1, total)
    return unclean, unreadable


#: a cell header of the textconv layout before cell ids became one summary line (issue 14)
_OLD_TEXTCONV_HEADER = re.compile(r"^# %% \[[^\]\n]*\] \(id [^)\n]*\)$", re.MULTILINE)


def _check_textconv_cache(report: Report, root: str) -> None:
    """``diff.nbgit.cachetextconv`` keeps the text of committed blobs in refs/notes/textconv/nbgit;
    texts cached by an nbgit with another layout make every `git diff` against them show the
    layout change on every cell. Sampled: a few notes are read."""
    proc = subprocess.run(["git", "notes", "--ref", "textconv/nbgit", "list"], cwd=root, capture_output=True)
    if proc.returncode != 0:
        return
    notes = [line.split()[0] for line in proc.stdout.decode("ascii", "replace").splitlines()[:5] if line.split()]
    for note in notes:
        text = subprocess.run(["git", "cat-file", "blob", note], cwd=root, capture_output=True).stdout
        if _OLD_TEXTCONV_HEADER.search(text.decode("utf-8", "replace")):
            report.add(
                WARNING,
                "git's textconv cache (refs/notes/textconv/nbgit) holds notebook texts made by an older nbgit: "
                "`git diff` and `git log -p` against cached versions show every cell header as changed",
                "git update-ref -d refs/notes/textconv/nbgit",
            )
            return


def diagnose(cwd: str | None = None, *, content: bool = True, progress: Callable[[int, int], None] | None = None) -> Report:
    """Run every check on the repository at ``cwd``; see the module docstring."""
    report = Report()
    try:
        _diagnose(report, cwd, content, progress)
    except GitError as exc:  # a check could not run: say so, keep what was found so far
        report.add(ERROR, f"a check could not run: {exc}")
    return report


def _diagnose(report: Report, cwd: str | None, content: bool, progress: Callable[[int, int], None] | None) -> Report:
    from nbgit.notebook.config import ConfigError, load_config

    cwd = os.path.abspath(cwd or ".")
    try:
        version = _version(cwd)
    except GitError as exc:
        report.add(ERROR, str(exc), "install git")
        return report
    proc = _run(["rev-parse", "--show-toplevel", "--absolute-git-dir"], cwd)
    if proc.returncode != 0:
        report.add(ERROR, f"{cwd} is not inside a git work tree", "cd into a clone (or run `git init`)")
        return report
    root, gitdir = proc.stdout.decode("utf-8", "surrogateescape").splitlines()[:2]

    from nbgit.git.install import CONFIG_KEYS_RE

    nbgit_entries = _config_entries(CONFIG_KEYS_RE, root, version)
    other_entries = _config_entries(
        r"^((filter|diff|merge)\.(nbstripout|ipynb|jupyternotebook|jupytext)\.|core\.attributesfile$)", root, version
    )
    notebooks = tracked_notebooks(root)
    report.notebooks = len(notebooks)
    probe = "\0probe"
    from nbgit.git.install import PROBE

    attrs = attributes_of([p for _, _, p in notebooks] + [PROBE], root)
    notebook_attrs = {p: attrs.get(p, {}) for _, _, p in notebooks}
    notebook_attrs[probe] = attrs.get(PROBE, {})

    try:
        nbgit_config = load_config(root)
    except ConfigError as exc:
        nbgit_config = None
        report.add(ERROR, f"invalid nbgit configuration: {exc}", "fix the key named above")

    config = _check_config(report, nbgit_entries, notebook_attrs)
    _check_git_version(report, version, "merge.nbgit.driver" in config)
    _check_hooks(report, root)
    runnable = _check_interpreters(report, config, root)
    routed = [n for n in notebooks if notebook_attrs[n[2]].get("filter") == "nbgit"]
    # the smoke test needs a path the attributes route to nbgit: the root, or beside a tracked notebook
    probe_path = PROBE if notebook_attrs[probe].get("filter") == "nbgit" else None
    if probe_path is None and routed:
        probe_path = posixpath.join(posixpath.dirname(routed[0][2]), PROBE)
    if runnable and probe_path and ("filter.nbgit.process" in config or "filter.nbgit.clean" in config):
        _check_filter_runs(report, probe_path, root, nbgit_config)
    not_routed = sorted(p for _, _, p in notebooks if notebook_attrs[p].get("filter") != "nbgit")
    if routed and not_routed:
        report.add(
            WARNING,
            f"{len(not_routed)} tracked notebook(s) are not routed to nbgit's filter ({_names(not_routed)})",
            "check their attributes with `git check-attr -a -- PATH`",
        )
    _check_other_tools(report, root, gitdir, notebook_attrs, other_entries, nbgit_config)
    _check_gitattributes_committed(report, root)
    _check_submodules(report, root)
    _check_textconv_cache(report, root)

    if content and runnable and ("filter.nbgit.process" in config or "filter.nbgit.clean" in config):
        _check_stat_dirty(report, root, getattr(nbgit_config, "restore_outputs", True))
    if content and nbgit_config is not None and routed:
        unclean, unreadable = find_unclean(routed, root, nbgit_config, progress)
        report.checked = len(routed)
        report.unclean = unclean
        if unclean:
            report.add(
                WARNING,
                f"{len(unclean)} committed notebook(s) are not clean under the current config ({_names(unclean)})",
                "nbgit renormalize && git commit -m 'Renormalize notebooks'",
            )
        for path, reason in unreadable:
            if reason == "contains git conflict markers":
                fix = f"nbgit fix {shlex.quote(path)}"
                report.add(WARNING, f"{path}: committed with git conflict markers in its JSON", fix)
            else:
                report.add(INFO, f"{path}: not a readable notebook ({reason}); the filter passes it through unchanged")
    return report


def _autostash(root: str) -> bool:
    proc = _run(["config", "--type=bool", "--get", "rebase.autoStash"], root)
    return proc.returncode == 0 and proc.stdout.strip() == b"true"


def _check_stat_dirty(report: Report, root: str, restore: bool) -> None:
    from nbgit.git.refresh import refresh

    phantoms = refresh(root, dry_run=True).refreshed
    autostash = _autostash(root)
    written_back = (
        "the output store puts the outputs of unchanged cells back" if restore
        else "without their outputs, since restore_outputs is off"
    )
    if phantoms:
        report.add(
            WARNING,
            f"{len(phantoms)} notebook(s) look modified to git only because re-running them changed their size "
            f"({_names(phantoms)}): cleaned, they equal what is staged, but `git status` lists them and "
            "`git checkout`, `merge`, `pull` and `stash pop` refuse to overwrite them"
            + (
                "; with rebase.autoStash on, `git rebase` and `git pull --rebase` stash them and write them back "
                f"from the stash ({written_back})"
                if autostash
                else "; `git rebase` and `git pull --rebase` refuse (\"You have unstaged changes\"; "
                "rebase.autoStash would stash them instead)"
            ),
            "nbgit refresh (the Jupyter extension does it after each save; `nbgit install --hooks` after "
            "checkouts, merges and commits)",
        )
    elif autostash:
        report.add(
            INFO,
            "rebase.autoStash is on: before `git rebase` or `git pull --rebase`, git stashes every file it lists "
            "as modified, including notebooks that were only re-run (their size changed), and writes them back "
            f"from the stash afterwards ({written_back}); `nbgit refresh` before a rebase keeps re-run notebooks "
            "out of the stash (the Jupyter extension and `nbgit install --hooks` run it for you)",
        )


# --- renormalize ----------------------------------------------------------------------------


def renormalize(paths: list[str], cwd: str, *, batches: int = 1, progress: Callable[[int, int], None] | None = None) -> list[str]:
    """``git add --renormalize`` ``paths`` (in ``batches`` git calls, for progress). Returns paths that had unstaged edits.

    Like ``git add --renormalize`` itself, this stages each notebook as it is
    in the work tree: edits not staged yet (beyond what cleaning changes) are
    staged with it, and the returned list names those notebooks.
    """
    if not paths:
        return []
    edited = unstaged_edits(paths, cwd)
    size = max(1, -(-len(paths) // max(1, batches)))
    done = 0
    for start in range(0, len(paths), size):
        chunk = paths[start : start + size]
        _git(["add", "--renormalize", "--", *chunk], cwd)
        done += len(chunk)
        if progress is not None:
            progress(done, len(paths))
    return edited


def unstaged_edits(paths: list[str], root: str) -> list[str]:
    """The notebooks among ``paths`` (relative to ``root``) whose work-tree file, cleaned, differs
    from their staged content, cleaned: real edits, not just what the filter strips."""
    from nbgit.notebook.clean import clean_bytes
    from nbgit.notebook.config import load_config
    from nbgit.notebook.io import NotebookError

    config = load_config(root)
    wanted = set(paths)
    entries = [n for n in tracked_notebooks(root) if n[2] in wanted]

    def cleaned(data: bytes) -> bytes:
        try:
            data = clean_bytes(data, config)
        except NotebookError:
            pass
        return data.replace(b"\r\n", b"\n")

    edited = []
    for (_, _, path), staged in zip(entries, _cat_blobs([b for _, b, _ in entries], root)):
        try:
            current = worktree_bytes(root, path)  # a symlink is its target's name, never followed
        except OSError:
            continue  # deleted in the work tree: git add --renormalize leaves it alone
        if cleaned(current) != cleaned(staged):
            edited.append(path)
    return edited


def notebooks_to_renormalize(cwd: str, pathspecs: list[str] | None = None, *, everything: bool = False) -> list[str]:
    """The tracked notebooks routed to nbgit's filter under ``pathspecs``; unless ``everything``, only the unclean ones."""
    from nbgit.notebook.config import load_config

    root = _git(["rev-parse", "--show-toplevel"], cwd).decode("utf-8", "surrogateescape").strip()
    notebooks = tracked_notebooks(root)
    if pathspecs:
        listed = _git(["ls-files", "-z", "--full-name", "--", *pathspecs], cwd).decode("utf-8", "surrogateescape")
        wanted = {p for p in listed.split("\0") if p}
        notebooks = [n for n in notebooks if n[2] in wanted]
    attrs = attributes_of([p for _, _, p in notebooks], root, ("filter",))
    notebooks = [n for n in notebooks if attrs.get(n[2], {}).get("filter") == "nbgit"]
    if everything:
        return [p for _, _, p in notebooks]
    return find_unclean(notebooks, root, load_config(root))[0]


__all__ = ["Finding", "Report", "diagnose", "renormalize", "notebooks_to_renormalize", "find_unclean"]



def _read_text(path: str, root: str) -> str | None:
    """A repository file as text, or None: inside the work tree a regular file (capped, never a
    device or a symlink leading out: all of it comes with the repository); outside it (the user's
    global attributes file, .git/info) a regular file."""
    from nbgit._fs import CONFIG_LIMIT, read_regular

    inside = path.startswith(os.path.join(root, "")) and os.sep + ".git" + os.sep not in path[len(root):]
    try:
        data = read_regular(path, root=root if inside else None, limit=CONFIG_LIMIT)
    except OSError:
        return None
    return data.decode("utf-8", "surrogateescape")
