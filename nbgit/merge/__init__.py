"""Three-way notebook merge (pure: dicts in, dicts out).

>>> result = merge_notebooks(base, local, remote, labels=("HEAD", "topic"))   # doctest: +SKIP
>>> result.clean, [str(c) for c in result.conflicts]                            # doctest: +SKIP
(False, ['cell 3: source (1 conflicting region)'])

See :mod:`nbgit.merge.notebook` for the algorithm, :mod:`nbgit.merge.lines`
for the line-level merge of sources (git's diff3 semantics) and
:mod:`nbgit.merge.values` for metadata.
"""

from nbgit.merge.lines import Labels
from nbgit.merge.notebook import Conflict, MergeResult, merge_notebooks

__all__ = ["merge_notebooks", "MergeResult", "Conflict", "Labels"]
