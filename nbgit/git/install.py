"""What `nbgit install` writes (git config + an attributes line), and how it is undone and inspected.

Commands in git config point at the interpreter that ran `nbgit install`
(``sys.executable``), so a repository never makes git run code it ships.
"""

from __future__ import annotations

import os
import shlex
import sys

from nbgit.git.repo import GitError, check_attr, config_get_all, git, git_dir, toplevel

ATTRIBUTES_COMMENT = "# nbgit: notebooks as source (clean filter, diff and merge drivers); see `nbgit status`"
PROBE = "nbgit-probe.ipynb"
#: hunk headers name the cell: textconv writes one `# %% [type] cell N ...` line per cell.
XFUNCNAME = "^# %% .*$"


def driver_config(python: str | None = None) -> list[tuple[str, str]]:
    """The git config entries nbgit installs, as (key, value), for the drivers this version provides."""
    from nbgit.cli import available

    py = shlex.quote(python or sys.executable)
    entries = [
        ("filter.nbgit.process", f"{py} -m nbgit filter-process"),
        ("filter.nbgit.clean", f"{py} -m nbgit clean --path %f"),
        ("filter.nbgit.smudge", f"{py} -m nbgit smudge"),
        ("filter.nbgit.required", "true"),
    ]
    if available("textconv"):
        entries += [
            ("diff.nbgit.textconv", f"{py} -m nbgit textconv"),
            ("diff.nbgit.cachetextconv", "true"),
            ("diff.nbgit.xfuncname", XFUNCNAME),
        ]
    if available("merge-driver"):
        entries += [
            ("merge.nbgit.name", "nbgit cell-aware notebook merge"),
            ("merge.nbgit.driver", f"{py} -m nbgit merge-driver %O %A %B %L %P %S %X %Y"),
            ("merge.nbgit.recursive", "binary"),
        ]
    return entries


def attributes_line() -> str:
    from nbgit.cli import available

    attrs = ["filter=nbgit"]
    if available("textconv"):
        attrs.append("diff=nbgit")
    if available("merge-driver"):
        attrs.append("merge=nbgit")
    return "*.ipynb " + " ".join(attrs)


def is_nbgit_attributes_line(line: str) -> bool:
    parts = line.split()
    return (
        len(parts) >= 2
        and parts[0] == "*.ipynb"
        and all(p in ("filter=nbgit", "diff=nbgit", "merge=nbgit") for p in parts[1:])
    )


def attributes_path(scope: str, attributes: str | None, info: bool, cwd: str | None = None) -> str:
    """Where the attributes line goes for this scope and these options."""
    if attributes:
        return os.path.abspath(attributes)
    if scope == "local":
        if info:
            return os.path.join(git_dir(cwd), "info", "attributes")
        return os.path.join(toplevel(cwd), ".gitattributes")
    configured = [v for _, k, v in config_get_all(r"^core\.attributesfile$", scope=scope, cwd=cwd)]
    if configured:
        return os.path.expanduser(configured[-1])
    if scope == "global":
        xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
        return os.path.join(xdg, "git", "attributes")
    return "/etc/gitattributes"


def write_attributes(path: str) -> bool:
    """Add (or refresh) nbgit's attributes line in ``path``. Returns True if the file changed."""
    line = attributes_line()
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError:
        text = ""
    lines = text.splitlines()
    ours = [i for i, existing in enumerate(lines) if is_nbgit_attributes_line(existing)]
    if ours and lines[ours[-1]] == line and len(ours) == 1:
        return False
    kept = [
        existing
        for i, existing in enumerate(lines)
        if i not in ours and existing != ATTRIBUTES_COMMENT
    ]
    while kept and not kept[-1].strip():
        kept.pop()
    if kept:
        kept.append("")
    kept += [ATTRIBUTES_COMMENT, line]
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(kept) + "\n")
    return True


def remove_attributes(path: str) -> bool:
    """Remove nbgit's lines from ``path`` (deleting the file if nothing else is left)."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError:
        return False
    lines = text.splitlines()
    kept = [ln for ln in lines if ln != ATTRIBUTES_COMMENT and not is_nbgit_attributes_line(ln)]
    if kept == lines:
        return False
    while kept and not kept[-1].strip():
        kept.pop()
    if kept:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write("\n".join(kept) + "\n")
    else:
        os.remove(path)
    return True


def set_config(scope: str, entries: list[tuple[str, str]], cwd: str | None = None) -> list[str]:
    """Write config entries in ``scope``; returns the keys whose value changed."""
    changed = []
    for key, value in entries:
        current = git("config", f"--{scope}", "--get", key, cwd=cwd, check=False)
        if current != value:
            git("config", f"--{scope}", key, value, cwd=cwd)
            changed.append(key)
    return changed


def unset_config(scope: str, cwd: str | None = None) -> list[str]:
    """Remove nbgit's config sections from ``scope``; returns the sections removed."""
    removed = []
    present = {k.rsplit(".", 1)[0] for _, k, _ in config_get_all(r"^(filter|diff|merge)\.nbgit\.", scope=scope, cwd=cwd)}
    for section in sorted(present):
        git("config", f"--{scope}", "--remove-section", section, cwd=cwd)
        removed.append(section)
    return removed


# --- other tools that also claim notebooks -------------------------------------------------

_OTHER_TOOLS = {
    "nbstripout": (r"^(filter\.nbstripout\.|diff\.ipynb\.textconv)", ("filter=nbstripout", "diff=ipynb")),
    "nbdime": (r"^(diff|merge)\.jupyternotebook\.", ("diff=jupyternotebook", "merge=jupyternotebook")),
    "jupytext": (r"^filter\.jupytext\.", ("filter=jupytext",)),
}


def other_tools(cwd: str | None = None) -> list[str]:
    """Describe other notebook tools configured for this repository (config and effective attributes)."""
    found = []
    try:
        attrs = check_attr(PROBE, ("filter", "diff", "merge"), cwd=cwd)
    except GitError:
        attrs = {}
    effective = {f"{k}={v}" for k, v in attrs.items()}
    for tool, (pattern, attr_values) in _OTHER_TOOLS.items():
        keys = [f"{k} ({origin})" for origin, k, _ in config_get_all(pattern, cwd=cwd)]
        active = sorted(effective.intersection(attr_values))
        if keys or active:
            where = []
            if keys:
                where.append("config " + ", ".join(keys))
            if active:
                where.append("attributes in effect for *.ipynb: " + " ".join(active))
            found.append(f"{tool}: " + "; ".join(where))
    return found


def effective_attributes(cwd: str | None = None) -> dict[str, str]:
    return check_attr(PROBE, ("filter", "diff", "merge"), cwd=cwd)
