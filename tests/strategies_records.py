"""Hypothesis strategies for tracker tags and cost records (tests/test_tracker.py, hostile)."""

from __future__ import annotations

from hypothesis import strategies as st

from llmcost._tracker import RESERVED

#: Tag names `Tracker.record` accepts: any text but the reserved names.
tag_names = st.text(max_size=8).filter(lambda name: name not in RESERVED)

#: Any text, lone surrogates, line separators and control characters included.
hostile_text = st.text(
    alphabet=st.one_of(
        st.characters(codec=None),
        st.sampled_from(["\n", "\r", "\x1b", "\u2028", "\u2029", "\x85", "\ud800", "\udfff"]),
    ),
    max_size=12,
)

#: Tag values that survive a JSON round trip unchanged.
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    hostile_text,
)
tag_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(hostile_text, inner, max_size=3)
    ),
    max_leaves=8,
)
tag_dicts = st.dictionaries(tag_names, tag_values, max_size=4)
