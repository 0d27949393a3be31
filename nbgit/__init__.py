"""nbgit: Jupyter notebooks that behave in git like source code.

The public API is imported lazily so that ``python -m nbgit filter-process``
(and the other git drivers) only pay for the modules they use.
"""

__version__ = "0.1.0"

_LAZY = {
    "clean_notebook": "nbgit.notebook.clean",
    "clean_bytes": "nbgit.notebook.clean",
    "Config": "nbgit.notebook.config",
    "load_config": "nbgit.notebook.config",
    "NotebookError": "nbgit.notebook.io",
    "diff_notebooks": "nbgit.diff",
    "apply_diff": "nbgit.diff",
    "NotebookDiff": "nbgit.diff",
    "merge_notebooks": "nbgit.merge",
    "MergeResult": "nbgit.merge",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'nbgit' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
