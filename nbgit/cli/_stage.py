"""What ``nbgit add`` and ``nbgit reset`` share: the hunk-by-hunk questions and writing the index.

``add``   old = the index, new = the work tree cleaned as ``git add`` would; accepted hunks are staged.
``reset`` old = HEAD, new = the index; accepted hunks are unstaged (the index keeps the others).

Either way the new index entry is the old notebook with a chosen part of the
diff applied (:func:`nbgit.diff.hunks.apply_selection`), and taking every
change writes exactly the entry plain git would (``git add`` / ``git reset``).
The work tree is never written.
"""

from __future__ import annotations

import os
import sys

from nbgit.cli import fail
from nbgit.cli._term import use_color

KEYS_HELP = {
    "add": """\
y - stage this hunk
n - do not stage this hunk
q - quit; do not stage this hunk or any of the remaining ones
a - stage this hunk and all later hunks in the file
d - do not stage this hunk or any of the later hunks in the file
s - split the current hunk into smaller hunks
? - print help""",
    "reset": """\
y - unstage this hunk
n - do not unstage this hunk
q - quit; do not unstage this hunk or any of the remaining ones
a - unstage this hunk and all later hunks in the file
d - do not unstage this hunk or any of the later hunks in the file
s - split the current hunk into smaller hunks
? - print help""",
}
VERB = {"add": "Stage", "reset": "Unstage"}
_PROMPT_STYLE = "\x1b[1;34m"  # git's color.interactive.prompt default: bold blue
_HELP_STYLE = "\x1b[1;31m"  # color.interactive.help: bold red
_HEADER_STYLE = "\x1b[1m"


def safe(text: str) -> str:
    """A repository-supplied string made harmless for the terminal (nbgit's one escaping helper)."""
    from nbgit._escape import term

    return term(text)


class _Quit(Exception):
    pass


class Asker:
    """Reads one answer per question from stdin: one key (``interactive.singleKey`` on a
    terminal) or one line. End of input answers ``q``, as in git."""

    def __init__(self, mode: str, color: bool, single_key: bool, out=None, inp=None):
        self.mode = mode
        self.color = color
        self.out = out or sys.stdout
        self.inp = inp or sys.stdin
        self.single_key = single_key and hasattr(self.inp, "isatty") and self.inp.isatty()

    def paint(self, text: str, style: str) -> str:
        return f"{style}{text}\x1b[0m" if self.color else text

    def say(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def help(self, keys: str) -> None:
        for line in KEYS_HELP[self.mode].splitlines():
            if line[0] in keys:
                self.say(self.paint(line, _HELP_STYLE))

    def ask(self, prompt: str) -> str:
        self.out.write(self.paint(prompt, _PROMPT_STYLE) + " ")
        self.out.flush()
        if self.single_key:
            return self._key()
        line = self.inp.readline()
        if not line:
            self.say()
            return "q"
        return line.strip()[:1].lower()

    def _key(self) -> str:
        import termios
        import tty

        fd = self.inp.fileno()
        saved = termios.tcgetattr(fd)
        try:
            tty.setcbreak(fd, termios.TCSANOW)  # not TCSAFLUSH: keys typed ahead are answers too
            data = os.read(fd, 1)
        finally:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)
        key = data.decode("utf-8", "replace")
        self.say(safe(key) if key.isprintable() else "")
        if not data or key in ("\x04",):
            return "q"
        return key.lower()


def interactive_color(root: str) -> bool:
    """``color.interactive`` (then ``color.ui``): always/never/auto, as git reads them."""
    from nbgit.git.repo import git

    value = ""
    for key in ("color.interactive", "color.ui"):
        value = git("config", "--get", key, cwd=root, check=False).strip().lower()
        if value:
            break
    if value in ("always",):
        mode = "always"
    elif value in ("never", "false", "no", "off", "0"):
        mode = "never"
    else:
        mode = "auto"
    return use_color(sys.stdout, mode)


def single_key(root: str) -> bool:
    from nbgit.git.repo import git

    value = git("config", "--type=bool", "--get", "interactive.singleKey", cwd=root, check=False).strip()
    return value == "true"


class FileChange:
    """One notebook's diff (old -> new), its hunks, and how to write a chosen part of it."""

    def __init__(self, mode: str, root: str, target):
        from nbgit.diff import diff_notebooks
        from nbgit.diff.hunks import hunks

        self.mode = mode
        self.root = root
        self.target = target
        self.deletion = target.new_bytes is None
        self.diff = None
        self.hunks: list[tuple] = []
        if self.deletion:
            self.hunks = [(("file", "deleted"),)]
            return
        b = _parse(target.new_bytes, target.path, "work tree" if mode == "add" else "index")
        if target.old_bytes is None:
            a = {**b, "cells": []}  # a new file: its notebook-level content comes with the first cell
        else:
            a = _parse(target.old_bytes, target.path, "index" if mode == "add" else "HEAD")
        self.diff = diff_notebooks(a, b)
        self.hunks = hunks(self.diff)
        if not self.hunks:  # same notebook, other bytes (layout, key order): one question for the file
            self.hunks = [(("file", "layout"),)]

    def all_atoms(self) -> set:
        return {atom for h in self.hunks for atom in h}

    def apply(self, chosen: set) -> str | None:
        """Write the index entry for the ``chosen`` atoms; returns what was done (None: nothing)."""
        from nbgit.git import stage

        everything = self.all_atoms()
        t = self.target
        if self.mode == "add":
            if not chosen:
                return None
            if chosen >= everything:  # exactly `git add`
                if t.new is None:
                    stage.remove_entry(self.root, t.path)
                    return "staged the deletion"
                stage.set_entry(self.root, t.path, t.new)
                return "staged all changes"
            data = self._serialize(self.diff.a, chosen)
            oid = stage.write_blob(self.root, t.path, data, filters=True)
            stage.set_entry(self.root, t.path, stage.Entry(t.new.mode, oid))
            return f"staged {len(chosen)} of {len(everything)} changes"
        # reset: chosen = what to unstage; the index keeps the rest
        if not chosen:
            return None
        if chosen >= everything:  # exactly `git reset -- path`
            if t.old is None:
                stage.remove_entry(self.root, t.path)
            else:
                stage.set_entry(self.root, t.path, t.old)
            return "unstaged all changes"
        keep = everything - chosen
        data = self._serialize(self.diff.a, keep)
        oid = stage.write_blob(self.root, t.path, data, filters=False)
        stage.set_entry(self.root, t.path, stage.Entry(t.new.mode, oid))
        return f"unstaged {len(chosen)} of {len(everything)} changes"

    def _serialize(self, a: dict, atoms: set) -> bytes:
        from nbgit.diff.hunks import apply_selection
        from nbgit.notebook.io import dumps, layout_of

        nb = apply_selection(a, self.diff, atoms)
        return dumps(nb, layout_of(self.target.new_bytes, self.diff.b))


class Refused(Exception):
    """This file cannot be staged by parts; the message names it and says why."""


def _parse(data: bytes, path: str, side: str) -> dict:
    from nbgit.notebook.io import NotebookError, parse

    try:
        nb = parse(data)
    except NotebookError as exc:
        raise Refused(f"{safe(path)} ({side}): not a readable notebook ({exc.reason}); use git add / git reset for it") from None
    if nb.get("nbformat") != 4:
        raise Refused(f"{safe(path)} ({side}): nbformat {nb.get('nbformat')}; only nbformat 4 can be staged by parts")
    return nb


def render(change: FileChange, hunk: tuple, color: bool) -> list[str]:
    from nbgit.review.terminal import render_hunk

    if hunk[0][0] == "file":
        what = "deleted" if hunk[0][1] == "deleted" else "same cells, other JSON layout"
        return [f"@@ {safe(change.target.path)}: {what} @@"]
    return render_hunk(change.diff, hunk, color=color)


def ask_file(change: FileChange, asker: Asker) -> set:
    """Ask about each hunk of one file; returns the chosen atoms. Raises _Quit (after
    recording the answers so far in ``change.chosen``) on ``q``."""
    from nbgit.diff.hunks import can_split, split

    path = safe(change.target.path)
    asker.say(asker.paint(f"nbgit diff a/{path} b/{path}", _HEADER_STYLE))
    hunks = list(change.hunks)
    chosen: set = set()
    k = 0
    verb = VERB[change.mode]
    while k < len(hunks):
        hunk = hunks[k]
        for line in render(change, hunk, asker.color):
            asker.say(line)
        keys = "ynqad" + ("s" if can_split(hunk) else "") + "?"
        what = "deletion" if hunk[0] == ("file", "deleted") else "this hunk"
        while True:
            answer = asker.ask(f"({k + 1}/{len(hunks)}) {verb} {what} [{','.join(keys)}]?")
            if answer == "y":
                chosen.update(hunk)
                k += 1
            elif answer == "n":
                k += 1
            elif answer == "a":
                for h in hunks[k:]:
                    chosen.update(h)
                k = len(hunks)
            elif answer == "d":
                k = len(hunks)
            elif answer == "q":
                change.chosen = chosen
                raise _Quit
            elif answer == "s" and "s" in keys:
                parts = split(hunk)
                asker.say(asker.paint(f"Split into {len(parts)} hunks.", _HEADER_STYLE))
                hunks[k : k + 1] = parts
            else:
                asker.help(keys)
                continue
            break
    return chosen


def run(mode: str, paths: list[str], patch: bool, cells: str | None) -> int:
    from nbgit.diff.hunks import atoms_of_cells, parse_cell_numbers
    from nbgit.git import stage

    prog = f"nbgit {mode}"
    if cells is not None:
        try:
            numbers = parse_cell_numbers(cells)
        except ValueError as exc:
            return _error(prog, f"--cells: {exc}")
        if not paths:
            return _error(prog, "--cells needs the notebook(s) to take the cells from")
    try:
        root = stage.worktree_root()
        specs = stage.root_pathspecs(root, paths) if paths else []
        for path, spec in zip(paths, specs):  # a mistyped PATH is an error, as in git add/reset
            if not os.path.lexists(path) and stage.names_nothing(root, spec, head=mode == "reset"):
                return _error(prog, f"{path}: did not match any file")
        explicit = {s.removeprefix(":(literal)") for s in specs}
        if mode == "add":
            targets, problems = stage.add_targets(root, specs, explicit)
        else:
            targets, problems = stage.reset_targets(root, specs)
    except stage.StageError as exc:
        return _error(prog, safe(str(exc)))
    status = 0
    for message in problems:
        status = fail(mode, message)
    if not targets:
        if not problems:
            print("No changes." if mode == "add" else "No staged changes.", file=sys.stderr)
        return status
    asker = None
    if cells is None:
        asker = Asker(mode, interactive_color(root), single_key(root))
    for target in targets:
        try:
            change = FileChange(mode, root, target)
        except Refused as exc:
            status = fail(mode, str(exc))
            continue
        quit_after = False
        if cells is not None:
            if change.diff is None:
                status = fail(mode, f"{target.path}: the file is deleted; stage that with git {'rm --cached' if mode == 'add' else 'reset'}")
                continue
            chosen = atoms_of_cells(change.diff, numbers)
            if not chosen:
                status = fail(mode, f"{target.path}: none of cells {cells} has a change to {VERB[mode].lower()}")
                continue
        else:
            try:
                chosen = ask_file(change, asker)
            except _Quit:
                chosen = change.chosen
                quit_after = True
        try:
            done = change.apply(chosen)
        except stage.StageError as exc:
            return fail(mode, f"{target.path}: {exc}")
        if done and cells is not None:
            print(f"{safe(target.path)}: {done}")
        if quit_after:
            break
    return status


def _error(prog: str, message: str) -> int:
    return fail(prog.split()[-1], message)
