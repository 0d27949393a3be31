"""``nbgit log --cell``: the commits that changed one cell, newest first, with its diff in each."""

from __future__ import annotations

import sys

DESCRIPTION = """\
Follow one cell back through a notebook's history: the commits that changed
or moved it, newest first, each with the cell's diff, through moves, id
changes and edits (the cell matcher of `nbgit diff`), and renames of the
notebook with --follow; the last entry says where the cell was created.

  nbgit log -- nb.ipynb --cell 3          cell 3 as `nbgit diff` numbers cells at HEAD
  nbgit log main~20..main -- nb.ipynb --cell 1a2b3c4d    by cell id, in a range
  nbgit log --follow --json -- nb.ipynb --cell 3"""

EPILOG = """\
exit status: 0 shown, 2 error (unknown revision, no such notebook or cell)."""


def _parser():
    from nbgit.cli import parser

    p = parser("log", DESCRIPTION, EPILOG)
    p.add_argument("range", nargs="?", metavar="REV-RANGE", help="REV or A..B (default HEAD)")
    p.add_argument("--cell", required=True, metavar="N|ID", help="the cell: its number at the start revision, or its id")
    p.add_argument("--follow", action="store_true", help="follow the notebook through renames")
    p.add_argument("--json", action="store_true", help="one JSON document for tools")
    p.add_argument("--color", default="auto", choices=("always", "never", "auto"), metavar="WHEN")
    p.add_argument("--no-color", dest="color", action="store_const", const="never")
    return p


def main(argv: list[str]) -> int:
    argv = list(argv)
    paths: list[str] = []
    # `nbgit log [RANGE] -- nb.ipynb --cell N`: options may come after the `--` too
    if "--" in argv:
        cut = argv.index("--")
        rest = argv[cut + 1 :]
        argv = argv[:cut]
        k = 0
        while k < len(rest):
            arg = rest[k]
            if arg in ("--cell",) and k + 1 < len(rest):
                argv += [arg, rest[k + 1]]
                k += 2
                continue
            if arg.startswith("--cell=") or arg in ("--follow", "--json", "--no-color") or arg.startswith("--color"):
                argv.append(arg)
            else:
                paths.append(arg)
            k += 1
    args = _parser().parse_args(argv)
    if len(paths) != 1:
        return _error("name exactly one notebook after --")
    from nbgit.cli._history import Failure

    try:
        return _run(args, paths[0])
    except Failure as exc:
        return _error(str(exc))


def _run(args, path_arg: str) -> int:
    import pygit2

    from nbgit._escape import term
    from nbgit.cli._history import Failure, open_notebook
    from nbgit.git.history import History, resolve_range, trace
    from nbgit.git.revisions import RevisionError

    repo, path = open_notebook(path_arg)
    try:
        start, hidden = resolve_range(repo, args.range)
        history = History(repo)
        blob = history.blob_at(start, path)
        if blob is None:
            raise Failure(f"{term(path)}: no such notebook at {term(args.range or 'HEAD')}")
        cells = history.cells(start, path, blob)
        if cells is None:
            raise Failure(term(next(iter(history.errors.values()), f"{path}: not a readable notebook")))
        index = _find_cell(cells, args.cell)
        events, history = trace(repo, start, hidden, path, {index: "cell"}, args.follow, stop_at_first=False,
                                moves=True)
    except RevisionError as exc:
        raise Failure(term(str(exc))) from None
    except pygit2.GitError as exc:
        raise Failure(f"cannot read the repository: {term(str(exc))}") from None
    for message in history.errors.values():
        print(f"nbgit log: warning: {term(message)}", file=sys.stderr)
    records = [_record(history, e) for e in events]
    if args.json:
        import json

        cell = cells[index]
        doc = {"path": path, "start": str(start), "cell": {"index": index + 1, "id": cell.get("id"),
                                                           "cell_type": cell.get("cell_type")},
               "commits": [r["json"] for r in records]}
        sys.stdout.write(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
        return 0
    from nbgit.cli._term import use_color

    color = use_color(sys.stdout, args.color)
    lines: list[str] = []
    for r in records:
        lines += r["text"](color)
    if not records:
        lines.append(f"cell {index + 1} of {term(path)}: no commit in this range changed it")
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


def _find_cell(cells: list, spec: str) -> int:
    from nbgit._escape import term
    from nbgit.cli._history import Failure

    for k, cell in enumerate(cells):
        if cell.get("id") == spec:
            return k
    if spec.isdigit() and 1 <= int(spec) <= len(cells):
        return int(spec) - 1
    raise Failure(f"--cell {term(spec)}: no cell with that number (1-{len(cells)}) or id")


def _record(history, event) -> dict:
    from nbgit._escape import term
    from nbgit.diff import diff_cells
    from nbgit.diff.trace import CREATED, MOVED
    from nbgit.review.terminal import render_cell_diff

    info = history.info(event.commit)
    cells = history.cells(event.commit, event.path, history.blob_at(event.commit, event.path)) or []
    cell = cells[event.index] if event.index < len(cells) else {}
    if event.kind == CREATED:
        from nbgit.diff.model import INSERTED, CellDiff

        cd = CellDiff(INSERTED, None, event.index, b_cell=cell)
    else:
        pcells = history.cells(event.parent, event.parent_path, history.blob_at(event.parent, event.parent_path)) or []
        cd = diff_cells(pcells[event.parent_index], cell, event.parent_index, event.index)
    rec = {
        "commit": info.id,
        "author": info.author,
        "email": info.email,
        "date": info.date(),
        "subject": info.subject,
        "kind": event.kind,
        "path": event.path,
        "index": event.index + 1,
        "id": cell.get("id"),
    }
    if event.kind != CREATED:
        rec["parent"] = str(event.parent)
        rec["parent_path"] = event.parent_path
        rec["parent_index"] = event.parent_index + 1
        rec["diff"] = cd.to_json()

    if event.kind == MOVED:
        rec.pop("diff", None)

    def text(color: bool) -> list[str]:
        yellow = "\x1b[33m" if color else ""
        reset = "\x1b[0m" if color else ""
        out = [f"{yellow}commit {info.id}{reset}", f"Author: {term(info.author)} <{term(info.email)}>",
               f"Date:   {info.rfc_date()}", "", f"    {term(info.subject)}", ""]
        if event.kind == CREATED:
            out.append(f"created here, as cell {event.index + 1} of {term(event.path)}")
        else:
            where = f"cell {event.index + 1} of {term(event.path)}"
            if event.parent_path != event.path:
                where += f" (renamed from {term(event.parent_path)})"
            if event.parent_index != event.index:
                where += f", was cell {event.parent_index + 1}"
            out.append(where)
        if event.kind == MOVED:
            out.append(f"moved: cell {event.parent_index + 1} -> cell {event.index + 1}, unchanged")
        else:
            out += render_cell_diff(cd, color=color)
        out.append("")
        return out

    return {"json": rec, "text": text}


def _error(message: str) -> int:
    from nbgit.cli import fail

    return fail("log", message)
