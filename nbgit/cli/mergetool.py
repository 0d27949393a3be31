"""nbgit mergetool: settle notebook conflicts in the browser, one notebook at a time."""

from __future__ import annotations

import os
import sys

from nbgit.cli import parser as make_parser


def main(argv: list[str]) -> int:
    p = make_parser(
        "mergetool",
        "Open each conflicted notebook in a page served on 127.0.0.1 (random port, a random token in\n"
        "the URL) and wait. The page shows the merged notebook cell by cell; every conflict (lines\n"
        "in conflict inside a cell, a cell deleted on one side and edited on the other, metadata and\n"
        "output conflicts recorded in metadata.nbgit.conflicts) is a block with base / ours / theirs\n"
        "side by side and one-click choices (ours, theirs, both in either order, base, or your own\n"
        "text). Save writes a valid notebook (atomically, in the file's own layout, cleaned as the\n"
        "filter would); with every conflict settled the file is staged (`git add`) and the tool goes\n"
        "on to the next notebook. Closing the page or Ctrl-C without saving leaves the file as it was.\n\n"
        "Without PATH: the notebooks git reports as unmerged, or else the tracked notebooks that hold\n"
        "nbgit conflicts. `nbgit install` registers it for `git mergetool --tool=nbgit`.",
        epilog="exit status: 0 every conflict settled and saved; 1 conflicts left (closed, interrupted, or saved\n"
        "with conflicts left); 2 on an error (unreadable file, not a repository)",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="notebooks to resolve")
    p.add_argument("--no-browser", action="store_true", help="print the page's URL instead of opening a browser")
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    p.add_argument("--git", nargs=4, metavar=("BASE", "LOCAL", "REMOTE", "MERGED"),
                   help="the four files of `git mergetool` (what `nbgit install` registers)")
    args = p.parse_args(argv)
    if args.git and args.paths:
        p.error("--git takes its four files; no other PATH")

    from nbgit.cli import fail
    from nbgit.git.repo import GitError, toplevel
    from nbgit.notebook.config import ConfigError, load_config

    try:
        root = toplevel()
    except GitError as exc:
        return fail("mergetool", str(exc))
    try:
        config = load_config(root)
    except ConfigError as exc:
        return fail("mergetool", str(exc))

    if args.git:
        from nbgit.mergetool.session import read_versions

        base, local, remote, merged = args.git
        return _resolve_one(merged, read_versions(base, local, remote), config, args, root, stage=False)

    paths = args.paths or _default_paths(root)
    if paths is None:
        return 2
    if not paths:
        print("nbgit mergetool: no notebook with conflicts")
        return 0
    from nbgit.mergetool.session import stages

    for path in paths:
        status = _resolve_one(path, stages(path), config, args, root, stage=True)
        if status != 0:
            return status
    return 0


def _resolve_one(path: str, versions, config, args, root: str, *, stage: bool) -> int:
    from nbgit._escape import term
    from nbgit.cli import fail
    from nbgit.mergetool.server import ToolServer
    from nbgit.mergetool.session import SessionError, open_session

    shown = term(path)
    try:
        session = open_session(path, display=path, versions=versions, config=config, root=root)
    except SessionError as exc:
        return fail("mergetool", str(exc))
    blocks = session.blocks
    if not blocks and versions is None and not session.rebuilt:
        print(f"nbgit mergetool: {shown}: no conflict to settle")
        return 0

    def staged(s) -> str:
        if not stage:
            return "saved: no conflict left (git mergetool stages it)"
        from nbgit.git.repo import GitError, git

        try:
            git("add", "--", s.path)
        except GitError as exc:
            return f"saved, but `git add` failed: {exc}"
        return "saved and staged: no conflict left"

    try:
        server = ToolServer(session, on_done=staged, port=args.port)
    except OSError as exc:
        return fail("mergetool", f"cannot listen on 127.0.0.1:{args.port}: {exc.strerror or exc}")
    server.start()
    n = len(blocks)
    print(f"nbgit mergetool: {shown}: {n} conflict{'s' if n != 1 else ''}; page at {server.url}", flush=True)
    if not args.no_browser:
        _open_browser(server.url)
    try:
        status = server.wait()
    except KeyboardInterrupt:
        state = "partly resolved as last saved" if session.saved else "left as it was"
        print(f"\nnbgit mergetool: interrupted; {shown} {state}", file=sys.stderr)
        return 1
    if status == 0:
        print(f"nbgit mergetool: {shown}: resolved" + (" and staged" if stage else ""))
    else:
        state = "partly resolved as last saved; still unmerged" if session.saved else "left as it was"
        print(f"nbgit mergetool: {shown}: closed with conflicts left; {state}", file=sys.stderr)
    return status


def _open_browser(url: str) -> None:
    import webbrowser

    try:
        opened = webbrowser.open(url)
    except Exception:  # noqa: BLE001 - any browser failure: the URL is printed already
        opened = False
    if not opened:
        print("nbgit mergetool: warning: no browser could be opened; open the URL above", file=sys.stderr)


def _default_paths(root: str) -> list[str] | None:
    from nbgit.git.repo import GitError, git
    from nbgit.merge.conflicts import find_conflicts
    from nbgit.notebook.io import NotebookError, has_conflict_markers, parse

    try:
        unmerged = git("diff", "--name-only", "--diff-filter=U", "-z", "--relative")
        names = sorted({n for n in unmerged.split("\0") if n.endswith(".ipynb")})
        if names:
            return names
        tracked = [n for n in git("ls-files", "-z", "--", "*.ipynb").split("\0") if n]
    except GitError as exc:
        from nbgit.cli import fail

        fail("mergetool", str(exc))
        return None
    found = []
    from nbgit._fs import read_regular

    for name in tracked:
        try:
            data = read_regular(os.path.abspath(name), root=root)  # no device, FIFO or link out of the tree
        except OSError:
            continue
        try:
            nb = parse(data)
        except NotebookError:
            if has_conflict_markers(data):
                found.append(name)
            continue
        if nb.get("nbformat") == 3:
            nb = {"cells": [c for ws in nb.get("worksheets", []) for c in ws.get("cells", [])], "metadata": nb.get("metadata", {})}
        if find_conflicts(nb):
            found.append(name)
    return found
