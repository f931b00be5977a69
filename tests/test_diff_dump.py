"""The diff's line dump must print exactly what json.dumps(indent=2, sort_keys=True) prints."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from hako_py.compare.diff import dump

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES)
def test_dump_matches_the_standard_encoder(value: Any) -> None:
    assume(value is not None)  # None stands for "no such side" and dumps to no lines
    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
    expected = [line + "\n" for line in text.split("\n")]  # JSON escapes "\n" inside strings
    assert dump(value) == expected


def test_dump_of_nothing_is_no_lines() -> None:
    assert dump(None) == []
