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
        "clean filter). With FILEs, clean them in place. Anything that is not a readable notebook\n"
        "passes through unchanged, with a warning on stderr.",
        epilog="exit status: 0 done; 1 with --check when a file would change; 2 on a usage or config error",
    )
    p.add_argument("files", nargs="*", metavar="FILE", help="notebooks to clean in place")
    p.add_argument("--check", action="store_true", help="only report which files would change (exit 1 if any)")
    p.add_argument("--path", metavar="NAME", help="name of the stdin notebook, for messages (git passes %%f)")
    args = p.parse_args(argv)

    from nbgit._fs import atomic_write, find_worktree_root
    from nbgit.git.filter import clean_or_pass, describe_error, warn
    from nbgit.notebook.config import ConfigError, load_config

    if not args.files:
        root = find_worktree_root(".") or "."
        try:
            config = load_config(root)
        except ConfigError as exc:
            warn(sys.stderr, f"error: {exc}")
            return 2
        except Exception as exc:  # one line, never a traceback (git reports the file)
            warn(sys.stderr, f"error: the nbgit config could not be read ({describe_error(exc)})")
            return 2
        data = sys.stdin.buffer.read()
        result = clean_or_pass(data, config, args.path or "<stdin>", sys.stderr)
        if args.check:
            return int(result != data)
        if result is not data and args.path is not None:  # git's one-shot clean filter (%f)
            _keep_stripped(config, result, data, args.path)
        sys.stdout.buffer.write(result)
        sys.stdout.buffer.flush()
        return 0

    configs: dict[str, object] = {}
    would_change = []
    status = 0
    for name in args.files:
        root = find_worktree_root(os.path.dirname(os.path.abspath(name))) or "."
        try:
            if root not in configs:
                configs[root] = load_config(root)
        except ConfigError as exc:
            warn(sys.stderr, f"error: {exc}")
            return 2
        try:
            with open(name, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            warn(sys.stderr, f"error: {name}: {exc.strerror}")
            status = 2
            continue
        result = clean_or_pass(data, configs[root], name, sys.stderr)
        if result == data:
            continue
        would_change.append(name)
        if args.check:
            print(term(f"{name}: not clean"))
        else:
            try:
                # through a symlink, replace the file it points to, not the link
                atomic_write(os.path.realpath(name), result)
            except OSError as exc:
                warn(sys.stderr, f"error: {name}: cannot write ({exc.strerror}); left unchanged")
                status = 2
                continue
            print(term(f"cleaned {name}"))
    if status:
        return status
    return 1 if (args.check and would_change) else 0


def _keep_stripped(config, clean: bytes, original: bytes, path: str) -> None:
    """Keep what was stripped in the clone's output store, as the filter process does."""
    from nbgit.git.filter import keep_stripped
    from nbgit.git.store import open_store

    try:
        store = open_store(config)
    except OSError:
        return
    keep_stripped(store, clean, original, path, sys.stderr)
    if store is not None and store.written and _sample(clean):
        try:
            store.maybe_trim()
        except OSError:
            pass


def _sample(clean: bytes) -> bool:
    """About one one-shot clean in 16 checks the store's size (a scan of its directory)."""
    import zlib

    return zlib.crc32(clean) % 16 == 0
