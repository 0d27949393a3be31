"""nbformat 3 -> 4 upgrade (the one place the drivers import nbformat, and only when a notebook needs it)."""

from __future__ import annotations

import copy
import hashlib
import json


def upgrade_v3(nb: dict) -> dict:
    """Upgrade an nbformat 3 notebook dict to nbformat 4 (plain dicts, deterministic cell ids).

    nbformat's converter invents random cell ids; they are replaced by ids derived
    from each cell's position and content, so the same v3 file always upgrades to
    the same bytes (clean must be deterministic).
    """
    import nbformat
    from nbformat.v3.rwbase import rejoin_lines

    try:
        # as nbformat's reader does: v3 files keep sources and texts as lists of lines, the converter wants strings
        node = nbformat.convert(rejoin_lines(nbformat.from_dict(copy.deepcopy(nb))), 4)
    except Exception as exc:  # nbformat's ValidationError, KeyError, ...: not a notebook we can upgrade
        from nbgit.notebook.io import NotebookError

        raise NotebookError(f"nbformat 3 notebook that cannot be upgraded ({type(exc).__name__}: {exc})") from None
    plain = json.loads(json.dumps(node))
    seen: set[str] = set()
    for index, cell in enumerate(plain.get("cells", [])):
        src = cell.get("source", "")
        if isinstance(src, str):
            cell["source"] = src.splitlines(keepends=True)
        if "id" in cell:
            digest = hashlib.sha1(f"{index}\0{''.join(cell['source'])}".encode()).hexdigest()
            new_id = digest[:8]
            while new_id in seen:
                digest = hashlib.sha1(digest.encode()).hexdigest()
                new_id = digest[:8]
            seen.add(new_id)
            cell["id"] = new_id
    return plain
