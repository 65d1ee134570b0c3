"""``attribute_reader``: a tuple of the named attributes, for one name as for several."""

from __future__ import annotations

from types import SimpleNamespace

from inventory.attribute_reader import attribute_reader


def test_reads_the_named_attributes_in_order():
    item = SimpleNamespace(a=1, b="two", c=None)
    assert attribute_reader(["c", "a", "b"])(item) == (None, 1, "two")


def test_one_name_gives_a_tuple_too():
    assert attribute_reader(("b",))(SimpleNamespace(b=[2])) == ([2],)
