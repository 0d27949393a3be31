"""Three-way merge of JSON values (metadata, attachments, other cell and notebook fields).

The rules, applied key by key and recursively into objects:

* both sides agree -> that value; one side kept the base value -> the other
  side's value (a key removed by one side and untouched by the other is
  removed);
* both changed an object -> merge it key by key (a missing base counts as
  ``{}``);
* both changed a list of plain scalars (tags, for instance) -> a three-way
  sequence merge; where both inserted at the same place, local's items come
  first, then remote's not already there; any other overlap is a conflict;
* anything else is a conflict: the local value is kept (or the key stays
  absent if local removed it) and a :class:`ValueConflict` records the path
  and all three values, so nothing is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING", "__bool__": lambda self: False})()


@dataclass(frozen=True)
class ValueConflict:
    """Both sides changed the value at ``path`` differently; ``MISSING`` marks an absent value."""

    path: tuple[str, ...]
    base: Any
    local: Any
    remote: Any

    def record(self, prefix: str = "") -> dict:
        """A JSON object for ``metadata.nbgit.conflicts``: path and the values present."""
        entry: dict = {"path": ".".join((prefix, *self.path) if prefix else self.path)}
        for name in ("base", "local", "remote"):
            value = getattr(self, name)
            if value is not MISSING:
                entry[name] = value
        return entry


def same(x: Any, y: Any) -> bool:
    """JSON equality: like ``==`` but ``1``, ``1.0`` and ``True`` stay different at the top."""
    return x == y and type(x) is type(y)


def merge_value(base: Any, local: Any, remote: Any, path: tuple[str, ...], conflicts: list[ValueConflict]) -> Any:
    """Merge one JSON value (``MISSING`` for absent); returns the merged value or ``MISSING``."""
    if same(local, remote):
        return local
    if same(base, local):
        return remote
    if same(base, remote):
        return local
    if isinstance(local, dict) and isinstance(remote, dict) and (base is MISSING or isinstance(base, dict)):
        return merge_dicts(base if isinstance(base, dict) else {}, local, remote, path, conflicts)
    if isinstance(local, list) and isinstance(remote, list) and (base is MISSING or isinstance(base, list)):
        merged = _merge_scalar_lists(base if isinstance(base, list) else [], local, remote)
        if merged is not None:
            return merged
    conflicts.append(ValueConflict(path, base, local, remote))
    return local


def merge_dicts(
    base: dict, local: dict, remote: dict, path: tuple[str, ...] = (), conflicts: list[ValueConflict] | None = None
) -> dict:
    """Merge three JSON objects key by key; conflicts are appended to ``conflicts``.

    Key order: local's keys first (in local's order), then keys only remote
    has, in remote's order.
    """
    if conflicts is None:
        conflicts = []
    out: dict = {}
    for key in _key_order(base, local, remote):
        value = merge_value(base.get(key, MISSING), local.get(key, MISSING), remote.get(key, MISSING), (*path, key), conflicts)
        if value is not MISSING:
            out[key] = value
    return out


def _key_order(base: dict, local: dict, remote: dict) -> list:
    keys = list(local)
    seen = set(keys)
    for key in remote:
        if key not in seen:
            keys.append(key)
            seen.add(key)
    for key in base:  # removed on both sides: visited so that nothing is silently skipped
        if key not in seen:
            keys.append(key)
            seen.add(key)
    return keys


def _scalar(x: Any) -> bool:
    return isinstance(x, (str, int, float, bool)) or x is None


def _merge_scalar_lists(base: list, local: list, remote: list) -> list | None:
    """Three-way merge of lists of scalars, or None when they are not scalars or really conflict."""
    if not all(map(_scalar, base)) or not all(map(_scalar, local)) or not all(map(_scalar, remote)):
        return None
    from nbgit.merge.lines import merge_regions

    def key(x):  # hashable and type-exact
        return (type(x).__name__, x)

    kb, kl, kr = [key(x) for x in base], [key(x) for x in local], [key(x) for x in remote]
    out: list = []
    for kind, b, lc, rc in merge_regions(kb, kl, kr):
        if kind == "remote":
            out.extend(rc)
        elif kind != "conflict":
            out.extend(lc)
        elif not b:  # both inserted different items at the same place: keep both
            out.extend(lc)
            out.extend(x for x in rc if x not in lc)
        else:
            return None
    return [x for _, x in out]


__all__ = ["MISSING", "ValueConflict", "merge_value", "merge_dicts", "same"]
