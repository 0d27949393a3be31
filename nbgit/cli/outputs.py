"""nbgit outputs: what this clone's output store holds, and trimming it."""

from __future__ import annotations

from nbgit.cli import fail, parser as make_parser


def _human(n: int) -> str:
    size = float(n)
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def _when(ts: float) -> str:
    import time

    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts))


def _printable(text: str) -> str:
    """A stored path for the terminal: control characters escaped (paths come from the repository)."""
    from nbgit._escape import term

    return term(text)


def main(argv: list[str]) -> int:
    p = make_parser(
        "outputs",
        "Show what this clone's output store holds, or trim it.\n\n"
        "The clean filter keeps what it strips from a notebook (outputs, execution counts,\n"
        "volatile metadata) in a store under the git common directory, so that a checkout,\n"
        "`git stash pop` or rebase puts the outputs of unchanged cells back. The store is\n"
        "never committed or pushed, and is capped (`output_store_size`, least recently used\n"
        "entries go first).",
        epilog="exit status: 0 done; 2 outside a git repository or on a config error",
    )
    p.add_argument("--list", action="store_true", help="list the entries (notebook path, size, last used), oldest first")
    action = p.add_mutually_exclusive_group()
    action.add_argument("--trim", nargs="?", const="", metavar="SIZE",
                        help="remove least recently used entries down to SIZE (default: the configured cap, "
                             "at least 200 MB), "
                             "e.g. 50MB or 0")
    action.add_argument("--clear", action="store_true", help="remove every entry")
    args = p.parse_args(argv)

    from nbgit._fs import find_worktree_root
    from nbgit.git.store import OutputStore, common_dir
    from nbgit.notebook.config import ConfigError, load_config, parse_size

    root = find_worktree_root(".")
    common = common_dir(root or ".")
    if common is None:
        return fail("outputs", "not inside a git repository")
    try:
        config = load_config(root or ".")
    except ConfigError as exc:
        return fail("outputs", str(exc))
    import os

    store = OutputStore(os.path.join(common, "nbgit", "outputs"), config.output_store_size)

    if args.clear:
        removed, freed = store.clear()
        print(f"removed {removed} entr{'y' if removed == 1 else 'ies'} ({_human(freed)})")
        return 0
    if args.trim is not None:
        if args.trim == "":
            # the configured cap comes with the repository (a branch can set it): without a SIZE,
            # never below the default, as for the drivers' own trimming
            from nbgit.notebook.config import DEFAULT_OUTPUT_STORE_SIZE

            limit = max(config.output_store_size, DEFAULT_OUTPUT_STORE_SIZE)
        else:
            try:
                limit = parse_size(args.trim)
            except ValueError as exc:
                return fail("outputs", f"--trim: {exc}")
        removed, freed = store.trim(limit)
        print(f"removed {removed} entr{'y' if removed == 1 else 'ies'} ({_human(freed)}); "
              f"the store now holds {_human(store.size())} (limit {_human(limit)})")
        return 0

    entries = store.entries(with_paths=args.list)
    total = sum(e.stored for e in entries)
    state = "on" if config.restore_outputs else "off (restore_outputs = false)"
    print(f"output store: {store.root}")
    print(f"restore on checkout: {state}")
    memo = store.memo_size()
    print(f"entries: {len(entries)}, {_human(total)}; memo of cleans: {_human(memo)}; "
          f"{_human(total + memo)} of {_human(config.output_store_size)}")
    if entries:
        print(f"oldest use: {_when(entries[0].mtime)}")
        print(f"newest use: {_when(entries[-1].mtime)}")
    if args.list:
        for e in entries:
            print(f"{_when(e.mtime)}  {_human(e.stored):>9}  {_printable(e.path) or '?'}")
    return 0
