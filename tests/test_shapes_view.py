"""compare.shapes.view works out one side; it must be exactly the first of two equal sides
paired (what PR review compared before), for every shape hako knows and any values in it:
keyed lists with two items of one key above all (there the pairing is not symmetric)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from hako_py.compare.ecs_defaults import TASK_DEFINITION
from hako_py.compare.ecs_defaults import service as service_shape
from hako_py.compare.shapes import Items, Struct, pair, view

SCALARS = st.one_of(st.none(), st.booleans(), st.sampled_from(["", "tcp", "TCP", "a", "b", "256", "0.5 vCPU", "1GB"]),
                    st.integers(min_value=0, max_value=3), st.just([]), st.just({}))


def values(shape: Struct | Items | None, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values shaped like *shape*: its known fields (with their defaults among the choices),
    unknown ones, keyed lists whose keys collide, and values of the wrong kind."""
    if depth > 4:
        return SCALARS
    if isinstance(shape, Struct):
        names = sorted(shape.fields)
        members = {name: st.one_of(values(shape.fields[name].shape, depth + 1), SCALARS,
                                   st.just(shape.fields[name].default))
                   for name in names}
        known = st.fixed_dictionaries({}, optional=members) if members else st.just({})
        extra = st.dictionaries(st.sampled_from(["zUnknown", "aUnknown"]), SCALARS, max_size=2)
        return st.one_of(st.builds(lambda a, b: {**b, **a}, known, extra), SCALARS)
    if isinstance(shape, Items):
        return st.one_of(st.lists(values(shape.item, depth + 1), max_size=3), SCALARS)
    return st.one_of(SCALARS, st.lists(SCALARS, max_size=2), st.dictionaries(st.sampled_from(["x", "y"]), SCALARS))


SHAPES = [TASK_DEFINITION, service_shape(daemon=False), service_shape(daemon=True)]


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(range(len(SHAPES))).flatmap(lambda i: st.tuples(st.just(i), values(SHAPES[i]))))
def test_view_is_the_first_side_of_a_pair_with_itself(case: tuple[int, Any]) -> None:
    index, value = case
    shape = SHAPES[index]
    assert view(value, shape) == pair(value, value, shape)[0]


def test_a_keyed_list_with_two_items_of_one_key_is_paired_as_before() -> None:
    td = {"containerDefinitions": [{"name": "app", "essential": True, "image": "a"},
                                   {"name": "app", "essential": False, "image": "b"}]}
    assert view(td, TASK_DEFINITION) == pair(td, td, TASK_DEFINITION)[0]
    assert view(td, TASK_DEFINITION) != {"containerDefinitions": [{"name": "app", "image": "a"},
                                                                  {"name": "app", "essential": False, "image": "b"}]}
