"""The clone's output store: what the clean filter strips, kept so a checkout can put it back.

Layout, under the git common directory (shared by all worktrees of a clone, never
committed, never pushed)::

    <common>/nbgit/outputs/entries/<sha256 of the clean blob>   one per notebook version
    <common>/nbgit/outputs/paths/<sha256 of the path>            recent entry names of that path
    <common>/nbgit/outputs/cleaned/<sha256 of a working copy>    what cleaning it gave (a memo)

An entry holds the working-copy notebook the clean filter saw behind a one-line JSON
header (its size, SHA-256 and path, the path for ``nbgit outputs``). Only hashes name files:
nothing a repository contains chooses a file name. Writes are atomic (a temporary file
then ``os.replace``), so two worktrees or parallel git commands at worst both write the
same entry; a reader never sees half a file. A missing or damaged entry only means a
notebook comes out clean.

Smudge (:func:`restore`): an entry for the blob itself gives back the working copy whole;
otherwise the path's recent entries give back the cells whose content is unchanged
(nbgit/notebook/restore.py). Either way the result must clean back to exactly the blob,
or the blob is written as it is.

Clean (:func:`clean_through`) first looks in the memo of earlier cleans: a notebook git hands
the filter again with the same bytes (touched, saved unchanged, checked out by a restoring
smudge) costs a SHA-256 and one small read instead of a parse. A memo entry counts only for
the same nbgit code (the size and time of every ``nbgit/notebook`` module) and the same
settings of what clean strips, and it is checked by its own SHA-256; anything else is a miss.

Least recently used entries go first when the store outgrows its cap (``output_store_size``):
an entry's modification time is its last use. The memo gets an eighth of the cap.

Only the standard library is imported at start-up: this module is on the filter's hot path.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TextIO

MAGIC = b"nbgit-outputs 2 "
CLEAN_MAGIC = b"nbgit-clean 1 "
#: the memo of cleans may hold this share of the store's cap
CLEAN_SHARE = 8
#: recent entries remembered per path (the per-cell fallback reads at most these)
PATH_HISTORY = 8
#: an entry larger than this share of the cap is not stored (it would push everything else out)
MAX_ENTRY_SHARE = 4
#: temporary files older than this (seconds) are debris from a killed writer
STALE_TMP_AGE = 3600


def common_dir(cwd: str = ".") -> str | None:
    """The git common directory of the repository at ``cwd`` (git runs filters at the work
    tree root), found the way git finds it: $GIT_COMMON_DIR, $GIT_DIR, or ``.git``
    (a directory, or a file naming one) with its ``commondir``. None when there is none."""
    env_common = os.environ.get("GIT_COMMON_DIR")
    if env_common:
        return os.path.abspath(os.path.join(cwd, env_common))
    gitdir = os.environ.get("GIT_DIR")
    if gitdir:
        gitdir = os.path.abspath(os.path.join(cwd, gitdir))
    else:
        dotgit = os.path.join(cwd, ".git")
        if os.path.isdir(dotgit):
            gitdir = os.path.abspath(dotgit)
        elif os.path.isfile(dotgit):
            try:
                with open(dotgit, encoding="utf-8") as fh:
                    line = fh.read(4096).strip()
            except (OSError, UnicodeDecodeError):
                return _ask_git(cwd)
            if not line.startswith("gitdir:"):
                return _ask_git(cwd)
            gitdir = os.path.abspath(os.path.join(cwd, line[len("gitdir:"):].strip()))
        else:
            return _ask_git(cwd)
    try:
        with open(os.path.join(gitdir, "commondir"), encoding="utf-8") as fh:
            common = fh.read(4096).strip()
    except FileNotFoundError:
        return gitdir if os.path.isdir(gitdir) else None
    except (OSError, UnicodeDecodeError):
        return _ask_git(cwd)
    return os.path.abspath(os.path.join(gitdir, common))


def _ask_git(cwd: str) -> str | None:
    import subprocess

    try:
        proc = subprocess.run(
            ["git", "rev-parse", "--git-common-dir"], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
    except OSError:
        return None
    if proc.returncode != 0:
        return None
    out = os.fsdecode(proc.stdout.rstrip(b"\n"))
    return os.path.abspath(os.path.join(cwd, out)) if out else None


def content_digest(data: bytes) -> str:
    """The SHA-256 (hex) that names what the store keeps."""
    import hashlib

    return hashlib.sha256(data).hexdigest()


_sha256 = content_digest


_FINGERPRINTS: dict = {}


def clean_fingerprint(config) -> str | None:
    """What a clean's result depends on besides the bytes: nbgit's code and the settings of what
    clean strips. None when a memo must not be used (``upgrade_v3``: nbformat's converter,
    whose version is not ours, writes the result)."""
    if config.upgrade_v3:
        return None
    key = (config.keep_outputs, config.keep_count, config.max_output_size,
           tuple(config.drop_metadata), tuple(config.keep_metadata))
    fp = _FINGERPRINTS.get(key)
    if fp is None:
        from nbgit import __version__

        fp = _FINGERPRINTS[key] = _sha256(repr((__version__, _code_stamp(), key)).encode("utf-8"))
    return fp


def _code_stamp() -> list:
    """The size and modification time of every module of nbgit/notebook (what clean runs), so
    that an upgrade or an edited checkout of nbgit never reads a memo of the old code."""
    here = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "notebook")
    stamp = []
    with os.scandir(here) as it:
        for de in it:
            if de.name.endswith(".py"):
                st = de.stat()
                stamp.append((de.name, st.st_size, st.st_mtime_ns))
    return sorted(stamp)


def clean_verified(store: OutputStore, data: bytes, config, digest: str | None = None) -> bytes:
    """``clean_bytes(data, config)`` through the memo of cleans (and noted there when it strips
    something); :class:`NotebookError` as clean_bytes raises it."""
    from nbgit.notebook.clean import clean_bytes

    fp = clean_fingerprint(config)
    if fp is None:
        return clean_bytes(data, config)
    digest = digest or _sha256(data)
    hit = store.cleaned(digest, fp)
    if hit is not None:
        return hit[0]
    clean = clean_bytes(data, config)
    if clean is not data:
        try:
            store.remember_clean(digest, fp, clean)
        except OSError:
            pass
    return clean


class Entry:
    """One stored notebook version, as `nbgit outputs` lists it."""

    __slots__ = ("name", "path", "size", "stored", "mtime")

    def __init__(self, name: str, path: str, size: int, stored: int, mtime: float):
        self.name, self.path, self.size, self.stored, self.mtime = name, path, size, stored, mtime


class OutputStore:
    """The output store of one clone (``root`` is ``<common>/nbgit/outputs``)."""

    def __init__(self, root: str, max_size: int):
        self.root = root
        self.entries_dir = os.path.join(root, "entries")
        self.paths_dir = os.path.join(root, "paths")
        self.cleaned_dir = os.path.join(root, "cleaned")
        self.max_size = max_size
        self.written = 0  # entries written by this process (the filter trims after many)
        self.warned = False

    @classmethod
    def for_repository(cls, max_size: int, cwd: str = ".") -> OutputStore | None:
        common = common_dir(cwd)
        if common is None or not os.path.isdir(common):
            return None
        return cls(os.path.join(common, "nbgit", "outputs"), max_size)

    # -- writing (clean) -------------------------------------------------------------------

    def put(self, clean: bytes, original: bytes, path: str, *, digest: str | None = None,
            name: str | None = None) -> bool:
        """Remember ``original`` (the working copy) as what ``clean`` (its blob) stripped.

        Returns True if an entry was written. When the entry already holds ``original`` it is
        only marked used; when it holds an older working copy of the same blob, it is replaced
        (the newest outputs win). ``digest`` and ``name``: the SHA-256 of ``original`` and of
        ``clean``, when the caller has them.
        """
        name = name or _sha256(clean)
        digest = digest or _sha256(original)
        entry = os.path.join(self.entries_dir, name)
        if _read_header(entry).get("sha256") == digest:
            try:
                os.utime(entry)
            except OSError:
                pass
            # seen again as it was (often: a checkout's own output, cleaned by the next git
            # command): not newer work, so it keeps its place in the path's list
            self._remember_path(path, name, move_to_front=False)
            return False
        if len(original) * MAX_ENTRY_SHARE > self.max_size:
            return False
        import json

        # stored as it is: zlib (level 1) cost ten times the clean itself and saved a third
        # (base64 images, most of a notebook's outputs, hardly compress)
        header = json.dumps({"path": path, "size": len(original), "sha256": digest}, ensure_ascii=True)
        data = MAGIC + header.encode("ascii") + b"\n" + original
        from nbgit._fs import atomic_write

        os.makedirs(self.entries_dir, exist_ok=True)
        atomic_write(entry, data, durable=False)
        self._remember_path(path, name)
        self.written += 1
        return True

    def _path_file(self, path: str) -> str:
        return os.path.join(self.paths_dir, _sha256(os.fsencode(path)))

    def _remember_path(self, path: str, name: str, move_to_front: bool = True) -> None:
        """Put ``name`` first in the path's list of recent entries (a lost race loses one name);
        without ``move_to_front``, only if the list does not have it yet."""
        if not path:
            return
        pfile = self._path_file(path)
        names = self._path_names(pfile)
        if names[:1] == [name] or (not move_to_front and name in names):
            return
        names = [name] + [n for n in names if n != name][: PATH_HISTORY - 1]
        from nbgit._fs import atomic_write

        os.makedirs(self.paths_dir, exist_ok=True)
        atomic_write(pfile, ("\n".join(names) + "\n").encode("ascii"), durable=False)

    @staticmethod
    def _path_names(pfile: str) -> list[str]:
        try:
            with open(pfile, "rb") as fh:
                raw = fh.read(PATH_HISTORY * 80)
        except OSError:
            return []
        names = []
        for line in raw.split(b"\n"):
            if len(line) == 64 and all(c in b"0123456789abcdef" for c in line):
                names.append(line.decode("ascii"))
        return names

    # -- reading (smudge) ------------------------------------------------------------------

    def get(self, name: str) -> bytes | None:
        """The working copy stored under entry ``name``; None if there is none.

        Raises :class:`DamagedEntry` (after removing it) for an entry that cannot be read back.
        """
        entry = os.path.join(self.entries_dir, name)
        try:
            with open(entry, "rb") as fh:
                raw = fh.read()
        except (FileNotFoundError, NotADirectoryError):
            return None
        import json

        try:
            if not raw.startswith(MAGIC):
                raise ValueError("bad header")
            header, _, data = raw[len(MAGIC):].partition(b"\n")
            header = json.loads(header)
            if len(data) != header["size"]:
                raise ValueError("wrong size")
            if _sha256(data) != header["sha256"]:
                raise ValueError("wrong checksum")
        except (ValueError, KeyError, TypeError) as exc:
            try:
                os.unlink(entry)
            except OSError:
                pass
            raise DamagedEntry(str(exc)) from None
        try:
            os.utime(entry)
        except OSError:
            pass
        return data

    def recent(self, path: str) -> list[str]:
        """Names of the entries recently stored for ``path``, newest first."""
        return self._path_names(self._path_file(path))

    # -- the memo of cleans -----------------------------------------------------------------

    def cleaned(self, digest: str, fingerprint: str) -> tuple[bytes, str] | None:
        """What cleaning the working copy with SHA-256 ``digest`` gave under ``fingerprint``
        (see :func:`clean_fingerprint`), and that result's SHA-256; None when it is not known."""
        memo = os.path.join(self.cleaned_dir, digest)
        try:
            with open(memo, "rb") as fh:
                raw = fh.read()
        except OSError:
            return None
        if not raw.startswith(CLEAN_MAGIC):
            return None
        head, _, clean = raw[len(CLEAN_MAGIC):].partition(b"\n")
        import json

        try:
            header = json.loads(head)
            if header["fp"] != fingerprint or header["size"] != len(clean):
                return None
            name = _sha256(clean)
            if header["sha256"] != name:
                return None
        except (ValueError, KeyError, TypeError):
            return None
        try:
            os.utime(memo)
        except OSError:
            pass
        return clean, name

    def remember_clean(self, digest: str, fingerprint: str, clean: bytes, name: str | None = None) -> None:
        """Note that cleaning the working copy with SHA-256 ``digest`` gives ``clean``."""
        if len(clean) * MAX_ENTRY_SHARE * CLEAN_SHARE > self.max_size:
            return
        import json

        header = json.dumps({"fp": fingerprint, "size": len(clean), "sha256": name or _sha256(clean)})
        from nbgit._fs import atomic_write

        os.makedirs(self.cleaned_dir, exist_ok=True)
        atomic_write(os.path.join(self.cleaned_dir, digest),
                     CLEAN_MAGIC + header.encode("ascii") + b"\n" + clean, durable=False)
        self.written += 1

    # -- housekeeping (nbgit outputs) ------------------------------------------------------

    def entries(self, with_paths: bool = False, directory: str | None = None) -> list[Entry]:
        """Every entry (or memo file, with ``directory=self.cleaned_dir``), oldest use first."""
        found = []
        try:
            it = os.scandir(directory or self.entries_dir)
        except (FileNotFoundError, NotADirectoryError):
            return []
        import time

        now = time.time()
        with it:
            for de in it:
                try:
                    st = de.stat(follow_symlinks=False)
                except OSError:
                    continue
                if de.name.startswith(".nbgit-"):  # a writer's temporary file
                    if now - st.st_mtime > STALE_TMP_AGE:
                        _unlink(de.path)
                    continue
                if len(de.name) != 64:
                    continue
                path, size = "", 0
                if with_paths:
                    header = _read_header(de.path)
                    path, size = header.get("path"), header.get("size")
                    path = path if isinstance(path, str) else ""
                    size = size if isinstance(size, int) else 0
                found.append(Entry(de.name, path, size, st.st_size, st.st_mtime))
        found.sort(key=lambda e: (e.mtime, e.name))
        return found

    def size(self) -> int:
        """Bytes held: the entries and the memo of cleans."""
        return sum(e.stored for e in self.entries()) + self.memo_size()

    def memo_size(self) -> int:
        return sum(e.stored for e in self.entries(directory=self.cleaned_dir))

    def trim(self, max_size: int | None = None) -> tuple[int, int]:
        """Remove least recently used entries until the store holds at most ``max_size`` bytes.

        The memo of cleans is trimmed first, to an eighth of that; the entries get the rest.
        Returns (entries removed, bytes freed by removing entries).
        """
        limit = self.max_size if max_size is None else max_size
        memo_total = self._trim_memo(limit // CLEAN_SHARE)
        entries = self.entries()
        total = sum(e.stored for e in entries) + memo_total
        removed = freed = 0
        for e in entries:
            if total <= limit:
                break
            if _unlink(os.path.join(self.entries_dir, e.name)):
                removed += 1
                freed += e.stored
            total -= e.stored
        if removed:
            self._drop_dangling_paths()
        return removed, freed

    def _trim_memo(self, limit: int) -> int:
        """Least recently used memo files removed down to ``limit`` bytes; returns what remains."""
        memo = self.entries(directory=self.cleaned_dir)
        total = sum(e.stored for e in memo)
        for e in memo:
            if total <= limit:
                break
            _unlink(os.path.join(self.cleaned_dir, e.name))
            total -= e.stored
        return total

    def _drop_dangling_paths(self) -> None:
        try:
            it = os.scandir(self.paths_dir)
        except (FileNotFoundError, NotADirectoryError):
            return
        with it:
            for de in it:
                names = self._path_names(de.path)
                if not any(os.path.exists(os.path.join(self.entries_dir, n)) for n in names):
                    _unlink(de.path)

    def clear(self) -> tuple[int, int]:
        """Remove everything. Returns (entries removed, bytes freed)."""
        entries = self.entries()
        removed = freed = 0
        for e in entries:
            if _unlink(os.path.join(self.entries_dir, e.name)):
                removed += 1
                freed += e.stored
        for d in (self.paths_dir, self.entries_dir, self.cleaned_dir):
            try:
                with os.scandir(d) as it:
                    for de in it:
                        _unlink(de.path)
            except (FileNotFoundError, NotADirectoryError):
                pass
        return removed, freed

    def maybe_trim(self) -> None:
        """Trim to the cap if this process wrote entries (the filter calls this when git is done)."""
        if self.written:
            self.written = 0
            self.trim()


class DamagedEntry(Exception):
    """A stored entry could not be read back (it has been removed)."""


def _unlink(path: str) -> bool:
    try:
        os.unlink(path)
        return True
    except OSError:
        return False


def _read_header(entry: str) -> dict:
    """The header of an entry ({} when there is none or it cannot be read)."""
    import json

    try:
        with open(entry, "rb") as fh:
            head = fh.read(len(MAGIC) + 8192)
        if not head.startswith(MAGIC):
            return {}
        header = json.loads(head[len(MAGIC):].partition(b"\n")[0])
        return header if isinstance(header, dict) else {}
    except (OSError, ValueError):
        return {}


# -- the filter's two sides -----------------------------------------------------------------


def remember(store: OutputStore | None, clean: bytes, original: bytes, path: str, stderr: TextIO, *,
             digest: str | None = None, name: str | None = None) -> None:
    """After a clean that stripped something: keep the working copy. Never fails the clean."""
    if store is None or clean is original or clean == original:
        return
    try:
        store.put(clean, original, path, digest=digest, name=name)
    except OSError as exc:
        _warn_once(store, stderr, f"warning: cannot write the output store ({exc.strerror or exc}); "
                   "outputs will not come back after a checkout")


def restore(store: OutputStore | None, blob: bytes, path: str, config, stderr: TextIO) -> tuple[bytes, int]:
    """Smudge: ``blob`` with the outputs the store holds for it put back, and how many cells got
    theirs (-1: the whole stored working copy). Returns ``blob`` itself when nothing fits.

    A version of the notebook the clean filter has seen comes back as the user last had it
    (the entry stored for the blob itself: one file read, checked by cleaning it). Any other
    version gets, cell by cell, what the cell had in the most recently cleaned working copy of
    ``path`` that has it.
    """
    if store is None:
        return blob, 0
    name = _sha256(blob)
    names = [n for n in store.recent(path) if n != name] if path else []
    if os.path.exists(os.path.join(store.entries_dir, name)):
        names.insert(0, name)
    elif not names:
        return blob, 0
    from nbgit.notebook.io import NotebookError, dumps_in_layout_of, parse

    def load(n: str) -> bytes | None:
        try:
            return store.get(n)
        except DamagedEntry as exc:
            from nbgit._escape import term

            stderr.write(term(f"nbgit: warning: {path or '<blob>'}: a stored entry of its outputs was damaged ({exc}) "
                              "and has been removed; the outputs it held will not come back") + "\n")
        except OSError:
            pass
        return None

    first = None
    if names[0] == name:  # the blob's own entry: the working copy, whole
        first = load(name)
        names = names[1:]
        if first is not None:
            try:
                # through the memo: the next `git status` cleans this file again, and finds it
                if clean_verified(store, first, config) == blob:
                    return first, -1
            except (NotebookError, OSError):
                first = None
    try:
        nb = parse(blob)
    except NotebookError:
        return blob, 0
    originals = [first] if first is not None else []
    for n in names:
        data = load(n)
        if data is not None:
            originals.append(data)
    if not originals:
        return blob, 0
    from nbgit.notebook.restore import restore_notebook

    parsed = []
    for data in originals:
        try:
            parsed.append(parse(data))
        except NotebookError:
            continue
    restored, count = restore_notebook(nb, parsed, config)
    if restored is nb:
        return blob, 0
    out = dumps_in_layout_of(restored, blob, sort_keys=False)
    try:
        if clean_verified(store, out, config) != blob:
            return blob, 0
    except (NotebookError, OSError):
        return blob, 0
    return out, count


def _warn_once(store: OutputStore, stderr: TextIO, message: str) -> None:
    if not store.warned:
        store.warned = True
        from nbgit._escape import term

        stderr.write(f"nbgit: {term(message)}\n")


def open_store(config, cwd: str = ".") -> OutputStore | None:
    """The store for this repository under ``config``, or None when restoring is off.

    ``NBGIT_RESTORE_OUTPUTS=0`` in the environment turns it off for one command
    (e.g. ``NBGIT_RESTORE_OUTPUTS=0 git archive ...``).
    """
    if config is None or not getattr(config, "restore_outputs", True):
        return None
    if os.environ.get("NBGIT_RESTORE_OUTPUTS", "").strip().lower() in ("0", "false", "no", "off"):
        return None
    from nbgit.notebook.config import DEFAULT_OUTPUT_STORE_SIZE

    # The cap comes from the repository's config, which a branch one checks out can change: a
    # committed value may raise it, but the drivers' own trimming never goes below the default
    # because of it (a branch setting "100 kB" would delete the outputs kept for every other
    # branch). A smaller store is one explicit `nbgit outputs --trim` away.
    return OutputStore.for_repository(max(config.output_store_size, DEFAULT_OUTPUT_STORE_SIZE), cwd)


__all__ = ["OutputStore", "DamagedEntry", "clean_fingerprint", "clean_verified", "common_dir", "content_digest",
           "open_store", "remember", "restore"]
