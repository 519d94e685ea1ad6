"""Hypothesis strategies for the capture tests: a byte string cut into network chunks."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import strategies as st


@st.composite
def chunked(draw: st.DrawFn, data: bytes) -> list[bytes]:
    """*data* cut at random places into non-empty chunks, as a socket may deliver it."""
    cuts = draw(st.lists(st.integers(1, max(1, len(data) - 1)), max_size=40, unique=True))
    bounds = [0, *sorted(cuts), len(data)]
    return [data[a:b] for a, b in pairwise(bounds) if b > a]
