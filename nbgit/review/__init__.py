"""Renderers of notebook diffs: terminal text, HTML review pages, GitHub-flavoured markdown."""
