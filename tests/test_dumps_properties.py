"""io.dumps has its own fast indented encoder: it must write exactly json.dumps's bytes."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from nbgit.notebook.io import Layout, dumps

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text(),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=40,
)
layouts = st.builds(
    Layout,
    indent=st.sampled_from([None, 0, 1, 2, 4, "\t", ""]),
    sort_keys=st.booleans(),
    ensure_ascii=st.booleans(),
    newline=st.sampled_from(["\n", "\r\n"]),
    final_newline=st.booleans(),
    item_separator=st.sampled_from([",", ", "]),
    key_separator=st.sampled_from([": ", ":"]),
)


def reference(value, layout: Layout) -> bytes:
    text = json.dumps(
        value,
        indent=layout.indent,
        sort_keys=layout.sort_keys,
        ensure_ascii=layout.ensure_ascii,
        separators=(layout.item_separator, layout.key_separator),
    )
    text = text.replace("\n", layout.newline)
    return (text + (layout.newline if layout.final_newline else "")).encode("utf-8")


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.text(max_size=8), json_values, max_size=6), layouts)
def test_dumps_writes_exactly_what_json_dumps_writes(value, layout):
    assert dumps(value, layout) == reference(value, layout)


def test_non_plain_values_fall_back_to_json_dumps():
    value = {"t": (1, 2), "nested": {"k": [1.5, None, True]}}
    layout = Layout(indent=1)
    assert dumps(value, layout) == reference(value, layout)
