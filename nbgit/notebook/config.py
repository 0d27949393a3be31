"""Repository configuration: ``[tool.nbgit]`` in ``pyproject.toml`` or ``.nbgit.toml``.

Config is data only: it is parsed as TOML and checked key by key; nothing in it
is executed. ``.nbgit.toml`` (top-level keys, or a ``[tool.nbgit]`` table) wins
over ``pyproject.toml`` when both exist.
"""

from __future__ import annotations

import os
import re

#: Notebook-level metadata dropped by default (dotted paths inside ``metadata``).
DEFAULT_DROP_NOTEBOOK_METADATA = ("widgets", "signature", "language_info.version")
#: Cell-level metadata dropped by default.
DEFAULT_DROP_CELL_METADATA = (
    "collapsed",
    "scrolled",
    "ExecuteTime",
    "execution",
    "heading_collapsed",
    "hidden",
)


#: Size cap of the clone's output store (bytes), least recently used entries trimmed first.
DEFAULT_OUTPUT_STORE_SIZE = 200 * 1024 * 1024


class ConfigError(ValueError):
    """The repository's nbgit configuration is invalid; the message names the file and key."""


class Config:
    """What the clean filter strips, and how the merge resolves outputs and metadata.

    ``merge_outputs`` (outputs of a cell whose source is unchanged, changed
    differently on both sides): ``"conflict"`` (default: cleared and recorded
    as a conflict), ``"clear"`` (cleared, no conflict), ``"ours"``/``"theirs"``
    (that side's outputs). ``merge_metadata`` (notebook metadata changed
    differently on both sides): ``"conflict"`` (default: ours kept, recorded),
    ``"ours"``, ``"theirs"``.

    ``drop_metadata`` / ``keep_metadata`` take dotted paths prefixed by where
    they apply: ``notebook.`` (notebook metadata, e.g. ``notebook.authors``) or
    ``cell.`` (every cell's metadata, e.g. ``cell.id_hash``). ``keep_metadata``
    removes entries from the default drop lists. ``restore_outputs`` keeps what
    the filter strips in the clone's output store and puts it back on checkout
    (nbgit/git/store.py), up to ``output_store_size`` bytes. ``source`` names the file the
    config came from (for messages; not part of equality).

    A plain immutable class rather than a dataclass: ``dataclasses`` (through
    ``inspect``) costs every driver process several milliseconds of start-up.
    """

    __slots__ = (
        "keep_outputs", "keep_count", "max_output_size", "drop_metadata",
        "keep_metadata", "upgrade_v3", "pair", "diff_only", "diff_ignore", "restore_outputs",
        "output_store_size", "merge_outputs", "merge_metadata", "source",
    )
    _FIELDS = __slots__[:-1]

    def __init__(
        self,
        keep_outputs: bool = False,
        keep_count: bool = False,
        max_output_size: int | None = None,
        drop_metadata: tuple[str, ...] = (),
        keep_metadata: tuple[str, ...] = (),
        upgrade_v3: bool = False,
        pair: str | None = None,
        diff_only: tuple[str, ...] = (),
        diff_ignore: tuple[str, ...] = (),
        restore_outputs: bool = True,
        output_store_size: int = DEFAULT_OUTPUT_STORE_SIZE,
        merge_outputs: str = "conflict",
        merge_metadata: str = "conflict",
        source: str | None = None,
    ):
        values = (keep_outputs, keep_count, max_output_size, tuple(drop_metadata),
                  tuple(keep_metadata), upgrade_v3, pair, tuple(diff_only), tuple(diff_ignore),
                  restore_outputs, output_store_size, merge_outputs, merge_metadata, source)
        for name, value in zip(self.__slots__, values):
            object.__setattr__(self, name, value)

    def __setattr__(self, name, value):
        raise AttributeError(f"Config is immutable (cannot set {name!r})")

    def _key(self) -> tuple:
        return tuple(getattr(self, name) for name in self._FIELDS)

    def __eq__(self, other) -> bool:
        return self._key() == other._key() if isinstance(other, Config) else NotImplemented

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        args = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__slots__)
        return f"Config({args})"

    def notebook_metadata_drops(self) -> tuple[tuple[str, ...], ...]:
        return self._drops("notebook", DEFAULT_DROP_NOTEBOOK_METADATA)

    def cell_metadata_drops(self) -> tuple[tuple[str, ...], ...]:
        return self._drops("cell", DEFAULT_DROP_CELL_METADATA)

    def _drops(self, scope: str, defaults: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
        prefix = scope + "."
        keep = {k[len(prefix):] for k in self.keep_metadata if k.startswith(prefix)}
        extra = [k[len(prefix):] for k in self.drop_metadata if k.startswith(prefix)]
        paths = [p for p in (*defaults, *extra) if p not in keep]
        return tuple(tuple(p.split(".")) for p in dict.fromkeys(paths))


DEFAULT_CONFIG = Config()

_TYPES = {
    "keep_outputs": bool,
    "keep_count": bool,
    "max_output_size": int,
    "drop_metadata": list,
    "keep_metadata": list,
    "upgrade_v3": bool,
    "pair": str,
    "diff_only": list,
    "diff_ignore": list,
    "restore_outputs": bool,
    "output_store_size": "size",
    "merge_outputs": str,
    "merge_metadata": str,
}
#: What ``diff_only`` / ``diff_ignore`` may name (nbgit.diff.view.PARTS; not imported: hot path).
_DIFF_PARTS = ("sources", "outputs", "metadata", "attachments", "ids", "details")
#: How the merge resolves outputs (of an unchanged source) / notebook metadata changed on both sides.
MERGE_OUTPUTS = ("conflict", "clear", "ours", "theirs")
MERGE_METADATA = ("conflict", "ours", "theirs")
_PAIR_FORMATS = ("py:percent", "py:light", "md", "md:myst")


def _toml_loads(text: str) -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    return tomllib.loads(text)


_NBGIT_HEADER_RE = re.compile(r"^[ \t]*\[[ \t]*tool[ \t]*\.[ \t]*nbgit[ \t]*\][ \t]*(?:#.*)?$", re.MULTILINE)
_HEADER_RE = re.compile(r"^[ \t]*\[", re.MULTILINE)


def _read_toml(raw: bytes, path: str, whole: bool) -> dict:
    """The TOML document in ``raw``, or :class:`ConfigError` in one line naming ``path``.

    A document nested too deeply for the TOML parser (it recurses: a few hundred levels
    raise RecursionError) is not nbgit's business unless nbgit's settings are in it: then
    the ``[tool.nbgit]`` table is read alone, and a document that names nbgit elsewhere
    (or ``whole``: a file that is all nbgit's) is an error.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: not UTF-8 (byte {exc.start})") from None
    try:
        return _toml_loads(text)
    except ValueError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:
        pass
    too_deep = f"{path}: not read: nested too deeply for the TOML parser"
    if whole:
        raise ConfigError(too_deep)
    m = _NBGIT_HEADER_RE.search(text)
    if m is None:
        if "nbgit" in text:
            raise ConfigError(too_deep + "; put nbgit's settings in a [tool.nbgit] table")
        return {}  # someone else's table: no nbgit config here
    nxt = _HEADER_RE.search(text, m.end())
    section = text[m.end(): nxt.start() if nxt else len(text)]
    if "nbgit" in text[: m.start()] + text[m.end() + len(section):]:
        raise ConfigError(too_deep + "; put nbgit's settings in a [tool.nbgit] table")
    try:
        return {"tool": {"nbgit": _toml_loads(section)}}
    except ValueError as exc:
        raise ConfigError(f"{path}: [tool.nbgit] is not valid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{path}: [tool.nbgit] is nested too deeply for the TOML parser") from None


def config_from_dict(table: dict, source: str = "<config>") -> Config:
    """Check a ``[tool.nbgit]`` table and build a :class:`Config`; :class:`ConfigError` names bad keys."""
    values: dict = {}
    for key, value in table.items():
        want = _TYPES.get(key)
        if want is None:
            known = ", ".join(sorted(_TYPES))
            raise ConfigError(f"{source}: unknown key {key!r} in [tool.nbgit] (known keys: {known})")
        if want == "size":
            try:
                value = parse_size(value)
            except ValueError as exc:
                raise ConfigError(f"{source}: {key}: {exc}") from None
            values[key] = value
            continue
        if want is int and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise ConfigError(f"{source}: {key} must be a non-negative integer (bytes), not {value!r}")
        if want is not int and not isinstance(value, want):
            raise ConfigError(f"{source}: {key} must be a {want.__name__}, not {value!r}")
        if want is list and key.startswith("diff_"):
            for item in value:
                if item not in _DIFF_PARTS:
                    raise ConfigError(f"{source}: {key} entries must be among {', '.join(_DIFF_PARTS)}, not {item!r}")
            value = tuple(value)
        elif want is list:
            for item in value:
                if not isinstance(item, str) or not item.startswith(("notebook.", "cell.")):
                    raise ConfigError(
                        f"{source}: {key} entries must be strings starting with 'notebook.' or 'cell.', not {item!r}"
                    )
            value = tuple(value)
        if key == "pair" and value not in _PAIR_FORMATS:
            raise ConfigError(f"{source}: pair must be one of {', '.join(_PAIR_FORMATS)}, not {value!r}")
        if key == "merge_outputs" and value not in MERGE_OUTPUTS:
            raise ConfigError(f"{source}: merge_outputs must be one of {', '.join(MERGE_OUTPUTS)}, not {value!r}")
        if key == "merge_metadata" and value not in MERGE_METADATA:
            raise ConfigError(f"{source}: merge_metadata must be one of {', '.join(MERGE_METADATA)}, not {value!r}")
        values[key] = value
    return Config(**values, source=source)


_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "kib": 1024, "m": 1024**2, "mb": 1024**2, "mib": 1024**2,
          "g": 1024**3, "gb": 1024**3, "gib": 1024**3}


def parse_size(value) -> int:
    """Bytes from an int or a string like ``"200 MB"`` (K, M, G are powers of 1024)."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise ValueError(f"a size must not be negative, not {value!r}")
        return value
    if not isinstance(value, str):
        raise ValueError(f"a size must be a number of bytes or a string like \"200 MB\", not {value!r}")
    text = value.strip().lower()
    number = text.rstrip("kmgib ")
    unit = text[len(number):].strip()
    try:
        amount = float(number)
    except ValueError:
        amount = -1.0
    if unit not in _UNITS or not (0 <= amount < 2**53):
        raise ValueError(f"a size must be a number of bytes or a string like \"200 MB\", not {value!r}")
    return int(amount * _UNITS[unit])


def load_config(root: str | os.PathLike = ".") -> Config:
    """Read the configuration of the repository whose work tree is ``root``."""
    from nbgit._fs import CONFIG_LIMIT, PathRefused, read_regular

    for name in (".nbgit.toml", "pyproject.toml"):
        path = os.path.join(root, name)
        try:
            # committed files: a regular file inside the tree, at most 1 MiB (a symlink to
            # /dev/stdin would read git's own filter protocol stream, /dev/zero never ends)
            raw = read_regular(path, root=root, limit=CONFIG_LIMIT)
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            continue
        except PathRefused as exc:
            raise ConfigError(f"{path}: {exc.reason}") from None
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read it ({exc.strerror or exc})") from None
        doc = _read_toml(raw, path, whole=name == ".nbgit.toml")
        tool = doc.get("tool")
        table = tool.get("nbgit") if isinstance(tool, dict) else None
        if name == ".nbgit.toml" and table is None:
            table = doc
        if table is None:
            continue
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [tool.nbgit] must be a table")
        return config_from_dict(table, source=path)
    return DEFAULT_CONFIG


__all__ = ["Config", "ConfigError", "DEFAULT_CONFIG", "load_config", "config_from_dict", "parse_size"]
