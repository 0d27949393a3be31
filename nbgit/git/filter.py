"""The clean filter at git's boundary: the long-running process and the one-shot fallback.

Protocol (gitattributes(5), "Long Running Filter Process"):

    git> git-filter-client / version=2 / flush
    us>  git-filter-server / version=2 / flush
    git> capability=clean / capability=smudge / ... / flush
    us>  capability=clean / capability=smudge / flush
    then per file:
    git> command=clean / pathname=P / [other keys] / flush / content... / flush
    us>  status=success / flush / content... / flush / flush   (empty list: keep status)
    or   status=error / flush                                   (git reports the file)

Nothing in a repository makes this process answer ``status=error`` for a notebook: bytes it
cannot clean pass through unchanged with a warning, and a config it cannot use gives the
default settings with a warning (see _Config). Only a command it does not know is an error.

The process ends when git closes stdin. Configuration is read once, on the
first request, from the work tree root (git runs the filter there).

Clean keeps what it strips in the clone's output store and smudge puts it back
(nbgit/git/store.py), unless ``restore_outputs = false``.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # `typing` costs milliseconds of start-up, once per `git add`/`git status`
if TYPE_CHECKING:
    from typing import BinaryIO, Callable, TextIO

from nbgit.git.pktline import PeerClosed, PktLineError, PktReader, PktWriter

CAPABILITIES = ("clean", "smudge")
#: How the text of ``nbgit textconv`` starts (nbgit.git.textconv.render_notebook); no notebook does.
TEXTCONV_MARK = b"# notebook: nbformat "


def warn(stderr: TextIO, message: str) -> None:
    """One line on stderr; the message names repository files, so control characters are escaped."""
    from nbgit._escape import term

    try:
        print(f"nbgit: {term(message)}", file=stderr, flush=True)
    except (OSError, ValueError):  # stderr closed: the answer to git matters more than the warning
        pass


def describe_error(exc: BaseException) -> str:
    """An exception in one line (type and message, clipped), for warnings (which escape it)."""
    message = str(exc)
    if len(message) > 200:
        message = message[:197] + "..."
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def clean_or_pass(data: bytes, config, path: str, stderr: TextIO) -> bytes:
    """Clean notebook bytes; anything unreadable passes through unchanged with one warning line.

    Never raises: anything unexpected (RecursionError, MemoryError, a bug) also passes the
    bytes through, so git never fails (nor stores something else) because of nbgit.
    """
    from nbgit.notebook.clean import clean_bytes
    from nbgit.notebook.io import NotebookError

    try:
        return clean_bytes(data, config)
    except NotebookError as exc:
        if data.startswith(TEXTCONV_MARK):
            # `git blame` runs the clean filter over the textconv text of the work-tree file
            # (blame.c, fake_working_tree_commit): that text is ours, not a broken notebook
            return data
        warn(stderr, f"warning: {path}: {exc.reason}; passed through unchanged")
        return data
    except Exception as exc:
        warn(stderr, f"warning: {path}: could not clean it ({describe_error(exc)}); passed through unchanged")
        return data


def keep_stripped(store, clean: bytes, original: bytes, path: str, stderr: TextIO, *,
                  digest: str | None = None, name: str | None = None) -> None:
    """Keep what a clean stripped in the output store (None: off); never fails the clean.
    ``digest``/``name``: the SHA-256 of ``original``/``clean`` when known."""
    if store is None:
        return
    from nbgit.git.store import remember

    try:
        remember(store, clean, original, path, stderr, digest=digest, name=name)
    except Exception as exc:  # a bug: the clean result is right all the same
        warn(stderr, f"warning: {path}: could not keep its outputs ({type(exc).__name__}: {exc})")


def clean_through(store, data: bytes, config, path: str, stderr: TextIO, stored_as: str = "") -> bytes:
    """The clean filter's answer for ``data``, keeping what it strips in the output store.

    With the store on, a working copy cleaned before (same bytes, same nbgit, same settings)
    is answered from the store's memo of cleans: a SHA-256 and one small read, no parse.
    This is what git asks most: after a checkout, a touch, an editor's save without changes,
    every file git cannot trust by its stat data goes through the filter again.
    ``path`` names the file in warnings; ``stored_as`` is the path the store files it under.
    """
    if store is None:
        return clean_or_pass(data, config, path, stderr)
    from nbgit.git.store import clean_fingerprint, content_digest

    digest = fp = hit = None
    try:
        fp = clean_fingerprint(config)
        if fp is not None:
            digest = content_digest(data)
            hit = store.cleaned(digest, fp)
    except Exception as exc:  # a bug or an unreadable store: clean as if there were none
        warn(stderr, f"warning: {path}: the memo of cleans could not be read ({describe_error(exc)})")
    if hit is not None:
        keep_stripped(store, hit[0], data, stored_as, stderr, digest=digest, name=hit[1])
        return hit[0]
    result = clean_or_pass(data, config, path, stderr)
    if result is not data:
        keep_stripped(store, result, data, stored_as, stderr, digest=digest)
        if fp is not None:
            try:
                store.remember_clean(digest, fp, result)
            except Exception:  # the memo only saves time; the store already warned if it cannot write
                pass
    return result


def restore_or_pass(store, blob: bytes, path: str, config, stderr: TextIO) -> bytes:
    """Smudge: ``blob`` with its outputs put back from the store, or ``blob`` as it is; never fails."""
    if store is None:
        return blob
    from nbgit.git.store import restore

    try:
        return restore(store, blob, path, config, stderr)[0]
    except Exception as exc:  # a bug: the checkout gets the clean blob
        warn(stderr, f"warning: {path or '<blob>'}: outputs not restored ({type(exc).__name__}: {exc})")
        return blob


class _Config:
    """Loads the repository config on first use and remembers the result (or the error).

    A config that cannot be used (invalid, too deep, a committed symlink to a device or out of
    the tree) gives the default settings with the error: a repository's content never makes
    git fail, and the defaults strip the most, so no output is committed because of it.
    """

    def __init__(self, loader: Callable[[], object]):
        self._loader = loader
        self._value = None
        self._error: str | None = None
        self._loaded = False

    def get(self):
        if not self._loaded:
            self._loaded = True
            from nbgit.notebook.config import ConfigError

            try:
                self._value = self._loader()
            except ConfigError as exc:
                self._error = str(exc)
            except Exception as exc:  # a bug or a hostile file: one line, never a traceback
                self._error = f"the nbgit config could not be read ({describe_error(exc)})"
            if self._error is not None:
                from nbgit.notebook.config import DEFAULT_CONFIG

                self._value = DEFAULT_CONFIG
        return self._value, self._error


class _Store:
    """Opens the clone's output store on first use (None when restoring is off or impossible)."""

    #: trim to the cap after this many new entries (and when git is done)
    TRIM_EVERY = 256

    def __init__(self, config: _Config):
        self._config = config
        self._store = None
        self._opened = False

    def get(self):
        if not self._opened:
            self._opened = True
            cfg, _ = self._config.get()
            if cfg is not None:
                from nbgit.git.store import open_store

                try:
                    self._store = open_store(cfg)
                except OSError:
                    self._store = None
        return self._store

    def after_write(self) -> None:
        if self._store is not None and self._store.written >= self.TRIM_EVERY:
            self._store.maybe_trim()

    def close(self) -> None:
        if self._store is not None:
            try:
                self._store.maybe_trim()
            except OSError:
                pass


def _default_loader():
    from nbgit.notebook.config import load_config

    return load_config(".")


#: warning lines one filter process prints before it only counts them (see _CappedStream)
MAX_WARNING_LINES = 50


class _CappedStream:
    """A text stream that passes on its first ``max_lines`` lines and counts the rest.

    git shows a filter's stderr on the terminal, where a thousand identical warnings
    help nobody; and a client that never drains the pipe (dulwich) would block the
    filter for ever once the pipe's buffer (64 kB) is full.
    """

    def __init__(self, stream: TextIO, max_lines: int):
        self._stream = stream
        self._left = max_lines
        self.dropped = 0

    def write(self, text: str) -> int:
        if self._left > 0:
            self._stream.write(text)
            self._left -= text.count("\n")
        else:
            self.dropped += text.count("\n")
        return len(text)

    def flush(self) -> None:
        self._stream.flush()


def serve(stdin: BinaryIO, stdout: BinaryIO, stderr: TextIO, loader: Callable[[], object] = _default_loader) -> int:
    """Run the long-running filter protocol until git closes the pipe. Returns the exit code."""
    capped = _CappedStream(stderr, MAX_WARNING_LINES)
    try:
        return _serve(stdin, stdout, capped, loader)
    finally:
        if capped.dropped:
            warn(stderr, f"{capped.dropped} more warning line(s) not shown (at most {MAX_WARNING_LINES} per git command)")


def _serve(stdin: BinaryIO, stdout: BinaryIO, stderr: TextIO, loader: Callable[[], object]) -> int:
    reader, writer = PktReader(stdin), PktWriter(stdout)
    try:
        hello = reader.read_text_list()
        if "git-filter-client" not in hello or "version=2" not in hello:
            warn(stderr, f"error: filter-process: unexpected handshake {hello!r} (is this git's filter protocol?)")
            return 1
        writer.text("git-filter-server", "version=2")
        offered = {line.partition("=")[2] for line in reader.read_text_list() if line.startswith("capability=")}
        writer.text(*(f"capability={c}" for c in CAPABILITIES if c in offered))
    except (EOFError, PktLineError, BrokenPipeError) as exc:
        warn(stderr, f"error: filter-process: handshake failed: {exc}")
        return 1

    config = _Config(loader)
    store = _Store(config)
    try:
        return _requests(reader, writer, stderr, config, store)
    finally:
        store.close()


def _requests(reader: PktReader, writer: PktWriter, stderr: TextIO, config: _Config, store: _Store) -> int:
    config_error_reported = False
    while True:
        try:
            header = reader.read_text_list(eof_ok=True)
            keys = dict(line.partition("=")[::2] for line in header)
            content = reader.read_content()
        except PeerClosed:
            return 0
        except (EOFError, PktLineError) as exc:
            warn(stderr, f"error: filter-process: {exc}")
            return 1
        command = keys.get("command")
        path = keys.get("pathname") or "<unknown path>"  # dulwich sends an empty pathname with clean
        try:
            if command == "clean":
                cfg, error = config.get()
                if error is not None and not config_error_reported:
                    warn(stderr, f"warning: {error}; cleaning with the default settings")
                    config_error_reported = True
                result = clean_through(store.get(), content, cfg, path, stderr, keys.get("pathname", ""))
                store.after_write()
            elif command == "smudge":
                cfg, _ = config.get()
                result = restore_or_pass(store.get(), content, keys.get("pathname", ""), cfg, stderr)
            else:
                warn(stderr, f"error: {path}: unsupported filter command {command!r}")
                writer.text("status=error")
                continue
        except Exception as exc:  # a bug: this file passes through unchanged, the others are served
            warn(stderr, f"warning: {path}: internal error while filtering ({describe_error(exc)}); passed through unchanged")
            result = content
        try:
            writer.text("status=success")
            writer.content(result)
            writer.flush()
        except BrokenPipeError:
            return 1


def main_process() -> int:
    return serve(sys.stdin.buffer, sys.stdout.buffer, sys.stderr)
