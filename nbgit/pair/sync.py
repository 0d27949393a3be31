"""Finding pairs, and syncing or pairing them on disk.

Everything that touches files is here; the decision is :func:`nbgit.pair.decide.decide`
and the conversions are in :mod:`nbgit.pair.convert`. Writes are atomic
(:func:`nbgit._fs.atomic_write`), and a file is only replaced if it still has
the bytes the decision was made on: a save from Jupyter in the middle of a
sync makes that pair an error for this run, never a lost edit.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field

from nbgit._fs import PathRefused, contain, read_head, read_regular, write_contained
from nbgit.notebook.io import JUPYTER_LAYOUT, NotebookError, dumps, has_conflict_markers, read
from nbgit.pair.decide import Action, Record, Sides, decide, digest, inputs_digest, normalize_text, text_digest
from nbgit.pair.formats import (
    TEXT_EXTENSIONS,
    PairingError,
    PairSpec,
    paired_ipynb,
    paired_text,
    side_name,
    sniff_formats,
)
from nbgit.pair.state import Stores

_SKIP_DIRS = {"node_modules", "__pycache__", "site-packages"}


class PairError(Exception):
    """A pair that cannot be synced: ``path`` is the file at fault, ``reason`` a few words."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class Pair:
    ipynb: str  # absolute paths
    text: str
    fmt: str  # jupytext format of the text side, e.g. "py:percent"

    @property
    def text_side(self) -> str:
        return side_name(self.fmt)


@dataclass
class Outcome:
    """What sync did (or, with ``check``, would do) to one pair."""

    pair: Pair
    action: Action
    wrote: str | None = None  # path written (or that would be written)
    problem: str | None = None  # for conflicts, unknown state and errors
    error: bool = False
    paired: bool = False  # a new pairing (nbgit pair, or sync with [tool.nbgit] pair)

    @property
    def out_of_sync(self) -> bool:
        return self.error or self.action in (Action.CONFLICT, Action.UNKNOWN) or self.wrote is not None


# --- reading a pair ---------------------------------------------------------------------------


def _read(path: str) -> bytes | None:
    """A side of a pair: regular files only (a committed ``x.ipynb -> /dev/zero`` is refused)."""
    try:
        return read_regular(path)
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise PairError(path, "is a directory") from None
    except PathRefused as exc:
        raise PairError(path, exc.reason) from None
    except OSError as exc:
        raise PairError(path, exc.strerror or str(exc)) from None


# --- containment: both sides of a pair stay inside the work tree ------------------------------


def root_of(stores: Stores, ipynb_path: str) -> str:
    """The tree a pair must stay in: the repository's work tree, or outside git the current
    directory (or the notebook's own directory when it is not under the current one)."""
    path = os.path.abspath(ipynb_path)
    for root in (stores.toplevel, os.getcwd()):
        if root and _under(path, os.path.abspath(root)):
            return os.path.abspath(root)
    return os.path.dirname(path)


def _under(path: str, root: str) -> bool:
    return path.startswith(os.path.join(root, ""))


def contained(pair: Pair, root: str) -> Pair:
    """``pair`` if both its files resolve inside ``root`` (:func:`nbgit._fs.contain`), else
    :class:`PairError` naming the notebook: the pairing comes from the notebook's metadata
    (or the text file's header), which the repository controls, so it is refused, never followed."""
    try:
        contain(root, pair.ipynb)
    except PathRefused as exc:
        raise PairError(pair.ipynb, f"{exc.reason}; not synced") from None
    try:
        contain(root, pair.text)
    except PathRefused as exc:
        shown = os.path.relpath(pair.text, root) if _under(os.path.abspath(pair.text), root) else pair.text
        raise PairError(pair.ipynb, f"paired file {shown!r} {exc.reason}; pair refused, nothing written") from None
    return pair


class Files:
    """The current bytes of both sides of a pair and what is derived from them, computed once."""

    def __init__(self, pair: Pair, ipynb: bytes | None = None, text: bytes | None = None):
        self.pair = pair
        self.ipynb = ipynb if ipynb is not None else _read(pair.ipynb)
        self.text = text if text is not None else _read(pair.text)
        self._cache: dict[str, object] = {}

    def _memo(self, key: str, fn):
        if key not in self._cache:
            self._cache[key] = fn()
        return self._cache[key]

    @property
    def ipynb_raw(self) -> str:
        return self._memo("raw", lambda: digest(self.ipynb))

    @property
    def nb(self) -> dict:
        return self._memo("nb", lambda: self._parse()[0])

    @property
    def layout(self):
        return self._memo("layout", lambda: self._parse()[1])

    def _parse(self):
        key = "parsed"
        if key not in self._cache:
            try:
                self._cache[key] = read(self.ipynb)
            except NotebookError as exc:
                raise PairError(self.pair.ipynb, exc.reason) from None
        return self._cache[key]

    @property
    def inputs(self) -> str:
        return self._memo("inputs", lambda: inputs_digest(self.nb))

    @property
    def rendered(self) -> bytes:
        def render():
            from nbgit.pair.convert import ConversionError, render

            try:
                return render(self.nb, self.pair.fmt)
            except ConversionError as exc:
                raise PairError(self.pair.ipynb, str(exc)) from None

        return self._memo("rendered", render)

    @property
    def rendered_digest(self) -> str:
        return self._memo("rendered_digest", lambda: text_digest(self.rendered))

    @property
    def text_digest(self) -> str:
        return self._memo("text_digest", lambda: text_digest(self.text))

    def carried(self) -> dict:
        """The notebook with the text carried over (a new notebook if there is none yet)."""

        def carry():
            from nbgit.pair.convert import ConversionError, carry_text, new_notebook

            try:
                if self.ipynb is None:
                    return new_notebook(self.text, self.pair.fmt)
                return carry_text(self.text, self.pair.fmt, self.nb)
            except ConversionError as exc:
                raise PairError(self.pair.text, str(exc)) from None

        return self._memo("carried", carry)

    def in_sync(self) -> bool:
        """The text is the notebook's rendering, or carrying it over would change nothing."""
        if normalize_text(self.rendered) == normalize_text(self.text):
            return True
        return inputs_digest(self.carried()) == self.inputs

    def record(self) -> Record:
        return Record(
            text_path="",  # filled in by the caller (relative to the record's base)
            fmt=self.pair.fmt,
            ipynb_raw=self.ipynb_raw,
            ipynb_inputs=self.inputs,
            ipynb_text=self.rendered_digest,
            text=self.text_digest,
        )


# --- syncing ----------------------------------------------------------------------------------


def _matches(record: Record | None, pair: Pair, text_key: str) -> Record | None:
    if record is None or record.text_path != text_key or record.fmt != pair.fmt:
        return None  # paired differently at the last sync: start over
    return record


def _ipynb_changed(files: Files, record: Record) -> bool:
    if files.ipynb_raw == record.ipynb_raw or files.inputs == record.ipynb_inputs:
        return False
    return files.rendered_digest != record.ipynb_text


def _replace(path: str, expected: bytes | None, data: bytes, root: str) -> None:
    """Atomically write ``data`` to ``path`` (inside ``root``) if it still holds ``expected``
    (None: does not exist). Missing directories are created, inside ``root`` only."""
    if _read(path) != expected:
        raise PairError(path, "changed while nbgit sync was running; nothing written, run it again")
    try:
        write_contained(root, path, data, make_dirs=True)
    except PathRefused as exc:
        raise PairError(path, f"{exc.reason}; nothing written") from None


def _with_newlines_of(data: bytes, like: bytes | None) -> bytes:
    if like is not None and b"\r\n" in like:
        return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    return data


def sync_pair(pair: Pair, stores: Stores, use: str | None = None, check: bool = False, files: Files | None = None) -> Outcome:
    """Sync one pair by content (see :func:`nbgit.pair.decide.decide`); with ``check`` write nothing."""
    store = stores.for_notebook(pair.ipynb)
    text_key = store.key(pair.text)
    root = root_of(stores, pair.ipynb)
    try:
        contained(pair, root)
        files = files or Files(pair)
        if files.ipynb is None and files.text is None:
            raise PairError(pair.ipynb, f"neither it nor {os.path.basename(pair.text)} exists")
        if files.text is not None and has_conflict_markers(files.text):
            raise PairError(pair.text, "has git conflict markers; resolve them, then run `nbgit sync` again")
        if files.ipynb is not None:
            files.nb  # parse errors name the notebook before anything else happens
        record = _matches(store.get(pair.ipynb), pair, text_key)
        history: list[Files] | None = None
        if record is None and files.ipynb is not None and files.text is not None and stores.toplevel:
            # no record (a fresh clone, or hooks never ran): the last commit where the pair was in
            # sync is a sync point too, so a branch switch that changed one side is carried over
            history = _history(pair, stores.toplevel)
            if history:
                record = _keyed(history[0].record(), text_key)
        sides = Sides(
            ipynb_exists=files.ipynb is not None,
            text_exists=files.text is not None,
            ipynb_changed=lambda: _ipynb_changed(files, record),
            text_changed=lambda: files.text_digest != record.text,
            in_sync=files.in_sync,
        )
        action = decide(sides, record is not None, use)
        outcome = Outcome(pair, action)
        if action is Action.NOTHING:
            if history and not check:  # a sync point found in git: remember it
                store.put(pair.ipynb, record.with_cache(files.ipynb_raw, files.inputs))
            elif record is not None and files.ipynb is not None and files.ipynb_raw != record.ipynb_raw and not check:
                store.put(pair.ipynb, record.with_cache(files.ipynb_raw, files.inputs))  # faster next time
        elif action is Action.RECORD:
            if not check:
                store.put(pair.ipynb, _keyed(files.record(), text_key))
        elif action is Action.TO_TEXT:
            new = _with_newlines_of(files.rendered, files.text)
            if files.text is None or normalize_text(new) != normalize_text(files.text):
                outcome.wrote = pair.text
                if not check:
                    _replace(pair.text, files.text, new, root)
                    files = Files(pair, files.ipynb, new)
            if not check:
                store.put(pair.ipynb, _keyed(files.record(), text_key))
        elif action is Action.TO_IPYNB:
            new_nb = files.carried()
            if files.ipynb is None or inputs_digest(new_nb) != files.inputs:
                outcome.wrote = pair.ipynb
                if not check:
                    layout = files.layout if files.ipynb is not None else JUPYTER_LAYOUT
                    data = dumps(new_nb, layout)
                    _replace(pair.ipynb, files.ipynb, data, root)
                    files = Files(pair, data, files.text)
            if not check:
                store.put(pair.ipynb, _keyed(files.record(), text_key))
        elif action is Action.CONFLICT and use is None and stores.toplevel:
            if history is None:
                history = _history(pair, stores.toplevel)
            base = next((h for h in history if h.text_digest == record.text or h.rendered_digest == record.ipynb_text), None)
            merged = _merge_sides(files, base) if base is not None else None
            if merged is None:
                outcome.problem = _conflict_message(pair, action)
                return outcome
            outcome.action, outcome.wrote = Action.TO_IPYNB, pair.ipynb
            outcome.problem = (f"both {_rel(pair.ipynb)} and {_rel(pair.text)} changed since the last sync, in different "
                               "cells: merged cell by cell into both files")
            if not check:
                data = dumps(merged, files.layout)
                _replace(pair.ipynb, files.ipynb, data, root)
                new_files = Files(pair, data, files.text)
                text = _with_newlines_of(new_files.rendered, files.text)
                _replace(pair.text, files.text, text, root)
                store.put(pair.ipynb, _keyed(Files(pair, data, text).record(), text_key))
        else:
            outcome.problem = _conflict_message(pair, action)
        return outcome
    except PairError as exc:
        return Outcome(pair, Action.NOTHING, problem=f"{_rel(exc.path)}: {exc.reason}", error=True)


def _git(toplevel: str, *args: str) -> bytes | None:
    proc = subprocess.run(["git", *args], cwd=toplevel, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return proc.stdout if proc.returncode == 0 else None


def _history(pair: Pair, toplevel: str) -> list[Files]:
    """The pair as committed where git last changed either file, when the two agreed there
    (most recent first): sync points nbgit did not record (a fresh clone, a switch without hooks)."""
    rel = {side: os.path.relpath(path, toplevel).replace(os.sep, "/") for side, path in
           (("ipynb", pair.ipynb), ("text", pair.text))}
    if any(r.startswith("../") for r in rel.values()):
        return []
    commits = []
    for side in ("text", "ipynb"):
        out = _git(toplevel, "log", "-1", "--format=%H %ct", "--", rel[side])
        if out and out.split():
            commit, when = out.decode().split()[:2]
            if commit not in (c for c, _ in commits):
                commits.append((commit, int(when)))
    found = []
    for commit, _ in sorted(commits, key=lambda c: -c[1]):
        ipynb = _git(toplevel, "cat-file", "blob", f"{commit}:{rel['ipynb']}")
        text = _git(toplevel, "cat-file", "blob", f"{commit}:{rel['text']}")
        if ipynb is None or text is None:
            continue
        state = Files(pair, ipynb, text)
        try:
            if state.in_sync():
                found.append(state)
        except PairError:
            continue
    return found


def _merge_sides(files: Files, base: Files) -> dict | None:
    """Both sides changed since ``base`` (their last sync): merge them cell by cell with nbgit's
    three-way merge (the text side carried onto the base notebook); None on a conflict."""
    from nbgit.merge.notebook import merge_notebooks
    from nbgit.pair.convert import ConversionError, carry_text

    try:
        base_nb = base.nb
        remote = carry_text(files.text, files.pair.fmt, base_nb)
        result = merge_notebooks(base_nb, files.nb, remote)
    except (ConversionError, PairError, ValueError, TypeError):
        return None
    return result.notebook if result.clean else None


def _keyed(record: Record, text_key: str) -> Record:
    from dataclasses import replace

    return replace(record, text_path=text_key)


def _conflict_message(pair: Pair, action: Action) -> str:
    nb, text = _rel(pair.ipynb), _rel(pair.text)
    if action is Action.CONFLICT:
        head = f"both {nb} and {text} changed since the last sync; neither file was changed"
    else:
        head = f"{nb} and {text} differ and nbgit has no record of their last sync (a fresh clone?); nbgit does not guess which is newer, neither file was changed"
    return (
        f"{head}\n"
        f"  keep the text:     nbgit sync --use {pair.text_side} {_shell(text)}\n"
        f"  keep the notebook: nbgit sync --use ipynb {_shell(nb)}"
    )


def _shell(path: str) -> str:
    import shlex

    return shlex.quote(path)


def _rel(path: str) -> str:
    rel = os.path.relpath(path)
    return path if rel.startswith(".." + os.sep + "..") else rel


# --- pairing ----------------------------------------------------------------------------------


def pair_notebook(ipynb_path: str, fmt: str, stores: Stores, check: bool = False) -> Outcome:
    """Pair a notebook with a text file in ``fmt``: write the text, record the pairing in its metadata.

    An existing text file that differs from the notebook's rendering is never overwritten.
    """
    from nbgit.pair.convert import with_formats

    ipynb_path = os.path.abspath(ipynb_path)
    spec = PairSpec(os.path.splitext(ipynb_path)[0] + "." + fmt.split(":")[0], fmt)
    pair = Pair(ipynb_path, spec.text_path, fmt)
    root = root_of(stores, ipynb_path)
    try:
        contained(pair, root)
        data = _read(ipynb_path)
        if data is None:
            raise PairError(ipynb_path, "no such file")
        files = Files(pair, data)
        current = _formats_of(files.nb)
        existing = _spec_or_error(ipynb_path, current)
        if existing is not None and existing.fmt == fmt:  # already paired: make sure it is in sync
            return sync_pair(Pair(ipynb_path, os.path.abspath(existing.text_path), fmt), stores, check=check)
        if files.nb.get("nbformat") != 4:
            raise PairError(ipynb_path, f"nbformat {files.nb.get('nbformat')} notebook: upgrade it to nbformat 4 first")
        new_nb = with_formats(files.nb, f"ipynb,{fmt}")
        new_data = dumps(new_nb, files.layout)
        new_files = Files(pair, new_data, files.text)
        text = _with_newlines_of(new_files.rendered, files.text)
        if files.text is not None and not new_files.in_sync():
            raise PairError(
                pair.text,
                f"already exists and is not the text of {os.path.basename(ipynb_path)}; "
                "move it away (nbgit never overwrites it) and pair again",
            )
        outcome = Outcome(pair, Action.TO_TEXT, wrote=pair.text, paired=True)
        if check:
            return outcome
        if files.text is None:
            _replace(pair.text, None, text, root)
        else:
            text = files.text
        if new_data != data:
            _replace(ipynb_path, data, new_data, root)
        store = stores.for_notebook(ipynb_path)
        store.put(ipynb_path, _keyed(Files(pair, new_data, text).record(), store.key(pair.text)))
        notes = []
        if existing is not None and os.path.abspath(existing.text_path) != spec.text_path:
            notes.append(f"note: {_rel(existing.text_path)} is no longer paired with it (delete it if unused)")
        from nbgit.pair.convert import round_trip_issue

        issue = round_trip_issue(new_nb, fmt, new_files.rendered)
        if issue:
            notes.append(f"note: {_rel(ipynb_path)}: {issue}")
        outcome.problem = "\n".join(notes) or None
        return outcome
    except PairError as exc:
        return Outcome(pair, Action.NOTHING, problem=f"{_rel(exc.path)}: {exc.reason}", error=True)


def _formats_of(nb: dict) -> str | None:
    jt = nb.get("metadata", {}).get("jupytext")
    if isinstance(jt, dict) and isinstance(jt.get("formats"), str):
        return jt["formats"]
    return None


def _spec_or_error(ipynb_path: str, formats: str | None) -> PairSpec | None:
    try:
        return paired_text(ipynb_path, formats)
    except PairingError as exc:
        raise PairError(ipynb_path, str(exc)) from None


# --- finding pairs ----------------------------------------------------------------------------


@dataclass
class Found:
    pairs: list[Pair] = field(default_factory=list)
    unpaired: list[str] = field(default_factory=list)  # notebooks without a text side
    problems: list[Outcome] = field(default_factory=list)
    files: dict[str, Files] = field(default_factory=dict)  # ipynb path -> bytes already read


class Locator:
    """Resolves notebooks and text files to pairs, reading as little as possible.

    A notebook whose bytes are those recorded at its last sync is paired as
    recorded (its metadata cannot have changed); otherwise ``metadata.jupytext.formats``
    decides. A text file counts only when its notebook is not among the files
    looked at (``nb.py`` of a repository that commits only the ``.py``): its
    header's ``formats:`` names the notebook to create.
    """

    def __init__(self, stores: Stores):
        self.stores = stores

    def notebook(self, path: str, found: Found) -> None:
        path = os.path.abspath(path)
        if any(p.ipynb == path for p in found.pairs):
            return
        try:
            contain(root_of(self.stores, path), path)
        except PathRefused as exc:
            found.problems.append(Outcome(Pair(path, path, ""), Action.NOTHING, problem=f"{_rel(path)}: {exc.reason}; not synced", error=True))
            return
        try:
            data = _read(path)
            if data is None:
                raise PairError(path, "no such file")
            store = self.stores.for_notebook(path)
            record = store.get(path)
            if record is not None and digest(data) == record.ipynb_raw:
                text = os.path.normpath(os.path.join(store.base, record.text_path))
                pair = Pair(path, text, record.fmt)
            else:
                if record is None and b'"formats"' not in data:
                    found.unpaired.append(path)
                    return
                try:
                    nb, _ = read(data)
                except NotebookError as exc:
                    raise PairError(path, exc.reason) from None
                spec = _spec_or_error(path, _formats_of(nb))
                if spec is None:
                    found.unpaired.append(path)
                    return
                pair = Pair(path, os.path.abspath(spec.text_path), spec.fmt)
            contained(pair, root_of(self.stores, path))
            found.pairs.append(pair)
            found.files[path] = Files(pair, data)
        except PairError as exc:
            found.problems.append(Outcome(Pair(path, path, ""), Action.NOTHING, problem=f"{_rel(exc.path)}: {exc.reason}", error=True))

    def text(self, path: str, found: Found, explicit: bool = False) -> bool:
        """Add the pair of a text file; False if it is not the text side of a pair."""
        path = os.path.abspath(path)
        try:
            head = read_head(path, 8192, root=root_of(self.stores, path))
        except OSError:
            return False
        try:
            target = paired_ipynb(path, sniff_formats(head))
        except PairingError as exc:
            found.problems.append(Outcome(Pair(path, path, ""), Action.NOTHING, problem=f"{_rel(path)}: {exc}", error=True))
            return True
        if target is None:
            sibling = os.path.splitext(path)[0] + ".ipynb"
            if explicit and os.path.exists(sibling):
                before = len(found.pairs)
                self.notebook(sibling, found)
                return any(p.text == path for p in found.pairs[before:])
            return False
        ipynb, fmt = target
        ipynb = os.path.abspath(ipynb)
        try:
            contained(Pair(ipynb, path, fmt), root_of(self.stores, path))
        except PairError:
            found.problems.append(Outcome(Pair(path, path, ""), Action.NOTHING, error=True,
                                          problem=f"{_rel(path)}: its header pairs it with a notebook outside the repository ({ipynb!r}); pair refused"))
            return True
        if os.path.exists(ipynb):
            self.notebook(ipynb, found)
            if ipynb in found.unpaired:  # the notebook's metadata does not (yet) name the text
                found.unpaired.remove(ipynb)
                found.pairs.append(Pair(ipynb, path, fmt))
        elif not any(p.ipynb == ipynb for p in found.pairs):
            found.pairs.append(Pair(ipynb, path, fmt))
        return True


def locate_repo(cwd: str = ".") -> tuple[str | None, str | None]:
    """(work tree root, absolute git dir) of the repository at ``cwd``, or (None, None)."""
    try:
        proc = subprocess.run(
            ["git", "rev-parse", "--show-toplevel", "--absolute-git-dir"],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        return None, None
    lines = proc.stdout.decode("utf-8", "surrogateescape").splitlines()
    if proc.returncode != 0 or len(lines) != 2:
        return None, None
    return os.path.abspath(lines[0]), os.path.abspath(lines[1])


def list_files(directory: str, toplevel: str | None) -> list[str]:
    """Files under ``directory`` worth looking at: git's tracked and untracked-not-ignored ones in a
    repository (ignored notebooks are still found through their text file), else a walk that skips
    hidden directories."""
    directory = os.path.abspath(directory)
    if toplevel is not None:
        proc = subprocess.run(
            ["git", "ls-files", "-z", "-c", "-o", "--exclude-standard", "--", "."],
            cwd=directory,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        if proc.returncode == 0:
            names = dict.fromkeys(n for n in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if n)
            return [os.path.join(directory, n) for n in names if _wanted(n)]
    out = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS)
        out += [os.path.join(root, f) for f in sorted(files) if _wanted(f)]
    return out


def _wanted(name: str) -> bool:
    if ".ipynb_checkpoints" in name:
        return False
    return name.endswith(".ipynb") or name.endswith(TEXT_EXTENSIONS)


def find_pairs(paths: list[str], stores: Stores, toplevel: str | None, cwd: str = ".") -> Found:
    """Pairs for the PATHs given (files or directories; none: the repository, or ``cwd`` outside one)."""
    found = Found()
    locator = Locator(stores)
    explicit_files = []
    candidates = []
    for path in paths or [toplevel or cwd]:
        if os.path.isdir(path):
            candidates += list_files(path, toplevel)
        elif path.endswith(".ipynb"):
            explicit_files.append(path)
            locator.notebook(path, found)
        elif os.path.exists(path):
            explicit_files.append(path)
            if not locator.text(path, found, explicit=True):
                found.problems.append(
                    Outcome(Pair(os.path.abspath(path), os.path.abspath(path), ""), Action.NOTHING,
                            problem=f"{_rel(path)}: not the text file of a paired notebook", error=True)
                )
        else:
            found.problems.append(
                Outcome(Pair(os.path.abspath(path), os.path.abspath(path), ""), Action.NOTHING,
                        problem=f"{path}: no such file or directory", error=True)
            )
    listed = {os.path.abspath(c) for c in candidates if c.endswith(".ipynb")}
    for c in candidates:
        if c.endswith(".ipynb"):
            locator.notebook(c, found)
    for c in candidates:
        if not c.endswith(".ipynb") and os.path.splitext(c)[0] + ".ipynb" not in listed:
            locator.text(c, found)
    return found
