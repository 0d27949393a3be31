"""nbgit clean: strip outputs, execution counts and volatile metadata."""

from __future__ import annotations

import os
import sys

from nbgit.cli import parser as make_parser
from nbgit._escape import term


def main(argv: list[str]) -> int:
    p = make_parser(
        "clean",
        "Strip outputs, execution counts and volatile metadata from notebooks.\n\n"
        "With no FILE, read a notebook on stdin and write it cleaned to stdout (git's one-shot\n"
        "clean filter: with --path, as git runs it, a config it cannot use gives the default\n"
        "settings, with a warning).\n"
        "With FILEs, clean them in place. Anything that is not a readable notebook\n"
        "passes through unchanged, with a warning on stderr.",
        epilog="exit status: 0 done; 1 with --check when a file would change; 2 on a usage or config error,\n"
        "or a FILE that cannot be read or written (stdin mode, git's filter: 0, with a warning)",
    )
    p.add_argument("files", nargs="*", metavar="FILE", help="notebooks to clean in place")
    p.add_argument("--check", action="store_true", help="only report which files would change (exit 1 if any)")
    p.add_argument("--path", metavar="NAME", help="name of the stdin notebook, for messages (git passes %%f)")
    args = p.parse_args(_joined_path_option(argv))

    from nbgit._fs import PathRefused, find_worktree_root, read_regular, write_contained
    from nbgit.cli import fail
    from nbgit.git.filter import clean_or_pass, describe_error, warn
    from nbgit.notebook.config import ConfigError, load_config

    if not args.files:
        root = find_worktree_root(".") or "."
        try:
            config = load_config(root)
        except Exception as exc:  # ConfigError, or a hostile file: one line, never a traceback
            reason = str(exc) if isinstance(exc, ConfigError) else f"the nbgit config could not be read ({describe_error(exc)})"
            if args.path is None or args.check:  # by hand: the error
                return fail("clean", reason)
            # git's one-shot filter (--path %f): as the filter process, never a failure for git
            from nbgit.notebook.config import DEFAULT_CONFIG

            warn(sys.stderr, f"warning: {reason}; cleaning with the default settings")
            config = DEFAULT_CONFIG
        data = sys.stdin.buffer.read()
        if args.check:
            return int(clean_or_pass(data, config, args.path or "<stdin>", sys.stderr) != data)
        if args.path is not None:  # git's one-shot clean filter (%f): through the output store
            result = _clean_keeping(config, data, args.path)
        else:
            result = clean_or_pass(data, config, "<stdin>", sys.stderr)
        sys.stdout.buffer.write(result)
        sys.stdout.buffer.flush()
        return 0

    configs: dict[str, object] = {}
    would_change = []
    status = 0
    for name in args.files:
        root = find_worktree_root(os.path.dirname(os.path.abspath(name)))
        try:
            if (root or ".") not in configs:
                configs[root or "."] = load_config(root or ".")
        except ConfigError as exc:
            return fail("clean", str(exc))
        config = configs[root or "."]
        # a notebook is read and written inside its work tree (outside git: its directory),
        # never through a symlink leading out of it, and only if it is a regular file
        root = root or os.path.dirname(os.path.abspath(name))
        try:
            data = read_regular(name, root=root)
        except PathRefused as exc:
            status = fail("clean", f"{exc.path}: {exc.strerror}; skipped")
            continue
        except OSError as exc:
            status = fail("clean", f"{name}: cannot read ({exc.strerror or exc})")
            continue
        result = clean_or_pass(data, config, name, sys.stderr)
        if result == data:
            continue
        would_change.append(name)
        if args.check:
            print(term(f"{name}: not clean"))
        else:
            try:
                # through a symlink inside the tree, replace the file it points to, not the link
                write_contained(root, name, result)
            except PathRefused as exc:
                status = fail("clean", f"{exc.path}: {exc.strerror}; skipped")
                continue
            except OSError as exc:
                status = fail("clean", f"{name}: cannot write ({exc.strerror or exc}); left unchanged")
                continue
            print(term(f"cleaned {name}"))
    if status:
        return status
    return 1 if (args.check and would_change) else 0


def _clean_keeping(config, data: bytes, path: str) -> bytes:
    """Clean as the filter process does: through the clone's output store, keeping what is stripped."""
    from nbgit.git.filter import clean_through
    from nbgit.git.store import open_store

    try:
        store = open_store(config)
    except OSError:
        store = None
    result = clean_through(store, data, config, path, sys.stderr, path)
    if store is not None and store.written and _sample(result):
        try:
            store.maybe_trim()
        except OSError:
            pass
    return result


def _sample(clean: bytes) -> bool:
    """About one one-shot clean in 16 checks the store's size (a scan of its directory)."""
    import zlib

    return zlib.crc32(clean) % 16 == 0


def _joined_path_option(argv: list[str]) -> list[str]:
    """``--path NAME`` as ``--path=NAME``: git's ``%f`` may start with ``-`` (``-rf.ipynb``),
    which argparse would take for an option (configs written by older nbgit use the two-word form)."""
    out = []
    i = 0
    while i < len(argv):
        if argv[i] == "--":
            out += argv[i:]
            break
        if argv[i] == "--path" and i + 1 < len(argv):
            out.append("--path=" + argv[i + 1])
            i += 2
            continue
        out.append(argv[i])
        i += 1
    return out
