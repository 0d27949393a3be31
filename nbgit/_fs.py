"""Small file-system helpers shared by the commands."""

from __future__ import annotations

import os


def _new_file_mode() -> int:
    """The permission bits ``open()`` would give a new file (0666 less the umask)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write(path: str | os.PathLike, data: bytes, *, durable: bool = True) -> None:
    """Replace ``path`` with ``data`` atomically, keeping its permission bits.

    The bytes go to a temporary file beside it first: a full disk or an
    interrupt leaves the original file as it was. A new file gets the mode a
    plain ``open()`` would give it (not mkstemp's 0600). ``durable=False`` skips the fsync
    (for caches such as the output store, where a lost write costs nothing).
    """
    import tempfile  # not at module level: textconv and the filter import this module

    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    try:
        mode = os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        mode = _new_file_mode()
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".nbgit-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def find_worktree_root(start: str | os.PathLike = ".") -> str | None:
    """The nearest directory at or above ``start`` that holds a ``.git`` entry, or None."""
    here = os.path.abspath(start)
    if os.path.isfile(here):
        here = os.path.dirname(here)
    while True:
        if os.path.exists(os.path.join(here, ".git")):
            return here
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


# --- containment: repository-derived paths and reads ---------------------------------------
#
# Everything a repository brings is untrusted: a committed symlink can point anywhere
# (`sub -> ~/.local/lib/python3.12/site-packages`, `.nbgit.toml -> /dev/stdin`,
# `x.ipynb -> /dev/zero`), and notebook metadata can name any path (`../../x.py`).
# Every path nbgit reads or writes because of repository content goes through
# :func:`contain` (it resolves inside the work tree, never into `.git`) and every such
# read through :func:`read_regular` (regular files only, opened without blocking,
# optionally with a size cap).

#: The cap for configuration files (``.nbgit.toml``, ``pyproject.toml``, ``.gitattributes``).
CONFIG_LIMIT = 1 << 20


class PathRefused(OSError):
    """A path nbgit will not read or write: outside the work tree, into ``.git``, or not a
    regular file. ``str()`` is ``"PATH: REASON"``; ``strerror`` is the reason."""

    def __init__(self, path: str | os.PathLike, reason: str):
        import errno

        super().__init__(errno.EPERM, reason, os.fspath(path))
        self.path = os.fspath(path)
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def _is_git_name(name: str) -> bool:
    # `.git` in any case (case-insensitive file systems) and its 8.3 short name, as git itself refuses
    return name.lower().rstrip(". ") in (".git", "git~1")


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def contain(root: str | os.PathLike, path: str | os.PathLike, *, relative: bool = False) -> str:
    """Resolve ``path`` inside the work tree ``root``; return its resolved absolute path.

    ``path`` is taken relative to ``root`` unless absolute. Refused (:class:`PathRefused`):
    with ``relative``, an absolute ``path``; a path whose lexical form leaves ``root``
    (``..`` escapes) or has a ``.git`` component; a path whose resolution (every symlink
    followed, at any component, the missing tail kept) lands outside ``root`` or inside
    its ``.git``. Symlinks that stay inside the tree are fine. The file need not exist.
    """
    root = os.path.abspath(os.fspath(root))
    raw = os.fspath(path)
    if not raw:
        raise PathRefused(raw, "empty path")
    if "\0" in raw:
        raise PathRefused(raw.replace("\0", "\\0"), "NUL byte in path")
    if os.path.isabs(raw):
        if relative:
            raise PathRefused(raw, "absolute path (only paths relative to the repository are accepted)")
        lexical = os.path.normpath(raw)
    else:
        lexical = os.path.normpath(os.path.join(root, raw))
    if not _inside(lexical, root):
        raise PathRefused(raw, "leads outside the repository")
    rest = os.path.relpath(lexical, root)
    if rest != "." and any(_is_git_name(part) for part in rest.split(os.sep)):
        raise PathRefused(raw, "is inside .git")
    real_root = os.path.realpath(root)
    real = os.path.realpath(lexical)
    if not _inside(real, real_root):
        raise PathRefused(raw, "is (or goes through) a symlink leading outside the repository")
    rest = os.path.relpath(real, real_root)
    if rest != "." and any(_is_git_name(part) for part in rest.split(os.sep)):
        raise PathRefused(raw, "is (or goes through) a symlink into .git")
    return real


def _kind(mode: int) -> str:
    import stat

    for test, name in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def _open_regular(path: str, root: str | os.PathLike | None) -> int:
    """A read-only descriptor of a regular file (see :func:`read_regular`); the caller closes it."""
    import errno
    import stat

    # ``path`` is a file-system path (relative to the current directory), not relative to ``root``
    target = contain(root, os.path.abspath(path)) if root is not None else os.path.realpath(path)
    st = os.stat(target)  # FileNotFoundError passes through
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(errno.EISDIR, "Is a directory", path)
    if not stat.S_ISREG(st.st_mode):
        raise PathRefused(path, f"is {_kind(st.st_mode)}, not a regular file; not read")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_NOFOLLOW", 0)
    flags |= getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(target, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # swapped for a symlink after the check
            raise PathRefused(path, "changed into a symlink while being read; not read") from None
        raise
    try:
        after = os.fstat(fd)
        if not stat.S_ISREG(after.st_mode) or (after.st_dev, after.st_ino) != (st.st_dev, st.st_ino):
            raise PathRefused(path, "changed while being opened (not the regular file it was); not read")
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_regular(path: str | os.PathLike, *, root: str | os.PathLike | None = None, limit: int | None = None) -> bytes:
    """The bytes of a regular file, or an error; never blocks, never reads a device.

    With ``root``, ``path`` must resolve inside that work tree (:func:`contain`).
    Devices, FIFOs and sockets are refused before they are opened (:class:`PathRefused`);
    the file is opened non-blocking without following a final symlink and checked again
    after opening (``fstat``), so a file swapped meanwhile cannot make it hang. With
    ``limit``, a file larger than ``limit`` bytes is refused. A missing file raises
    :class:`FileNotFoundError`, a directory :class:`IsADirectoryError`.
    """
    path = os.fspath(path)
    fd = _open_regular(path, root)
    try:
        chunks = []
        size = 0
        while True:
            want = 1 << 20 if limit is None else min(1 << 20, limit + 1 - size)
            chunk = os.read(fd, want)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if limit is not None and size > limit:
                raise PathRefused(path, f"is larger than {_size(limit)}; not read")
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_head(path: str | os.PathLike, n: int, *, root: str | os.PathLike | None = None) -> bytes:
    """The first ``n`` bytes of a regular file (same rules as :func:`read_regular`)."""
    path = os.fspath(path)
    fd = _open_regular(path, root)
    try:
        return os.read(fd, n)
    finally:
        os.close(fd)


def _size(n: int) -> str:
    return f"{n >> 20} MiB" if n >= 1 << 20 and n % (1 << 20) == 0 else f"{n} bytes"


def write_contained(root: str | os.PathLike, path: str | os.PathLike, data: bytes, *, make_dirs: bool = False) -> str:
    """Atomically write ``data`` to ``path`` resolved inside ``root`` (:func:`contain`).

    A symlink that stays inside the tree is written through (its target is replaced,
    not the link); one that leads out is refused. An existing target that is not a
    regular file is refused. With ``make_dirs``, missing directories are created, all
    of them inside the tree. Returns the path written.
    """
    import stat

    real = contain(root, os.path.abspath(path))  # ``path`` is relative to the current directory
    try:
        st = os.stat(real)
    except FileNotFoundError:
        pass
    else:
        if not stat.S_ISREG(st.st_mode):
            raise PathRefused(os.fspath(path), f"is {_kind(st.st_mode)}, not a regular file; not written")
    if make_dirs:
        os.makedirs(os.path.dirname(real), exist_ok=True)
        contain(root, os.path.abspath(path))  # a directory swapped for a symlink meanwhile
    atomic_write(real, data)
    return real


def write_output(path: str | os.PathLike, data: bytes) -> None:
    """Write a report the user asked for (``--html FILE``) without replacing what FILE is.

    A new name or a regular file is written atomically (:func:`atomic_write`). A device,
    FIFO or socket is written in place, never replaced (``/dev/null`` stays a device, even
    as root); a FIFO without a reader is an error, not a hang. A symlink is followed only to
    such a stream (``/dev/stdout``); one to a regular file, a missing file or a directory is
    refused (:class:`PathRefused`): a committed ``review.html -> ~/.bashrc`` in a CI checkout
    must not be overwritten, and replacing the link would break it.
    """
    import errno
    import stat

    path = os.fspath(path)
    try:
        link = os.lstat(path)
    except FileNotFoundError:
        atomic_write(path, data)
        return
    if stat.S_ISLNK(link.st_mode):
        try:
            st = os.stat(path)
        except OSError:
            raise PathRefused(path, "is a symlink to nothing; not written (name the file itself)") from None
        if stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode):
            raise PathRefused(path, "is a symlink; nbgit does not write through it (name the file itself)")
    else:
        st = link
    if stat.S_ISREG(st.st_mode):
        atomic_write(path, data)
        return
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(errno.EISDIR, "is a directory", path)
    flags = os.O_WRONLY | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_NONBLOCK", 0))  # never blocks on a FIFO without reader
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise PathRefused(path, f"is {_kind(st.st_mode)} nobody reads; not written") from None
        raise
    try:
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)  # then write it all, like a plain open() would
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def worktree_bytes(root: str | os.PathLike, path: str) -> bytes:
    """The bytes git would store for the work-tree file ``path`` (relative to ``root``).

    A symlink is its target's name, as git stores it (never followed: a committed
    ``x.ipynb -> /dev/zero`` is 9 bytes); anything else must be a regular file inside
    the tree (:func:`read_regular`).
    """
    full = os.path.join(os.fspath(root), path)
    if os.path.islink(full):
        contain(root, os.path.dirname(path) or ".")  # its directory, not where it points
        return os.fsencode(os.readlink(full))
    return read_regular(full, root=root)
