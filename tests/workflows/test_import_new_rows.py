"""New rows of an import start as ``Model()`` would start them (``transfer.new_rows``)."""

from __future__ import annotations

import pytest
from django.db.models.signals import post_init

from inventory.models import AvailableModel, Engine, RegisteredModel
from inventory.workflows.transfer.new_rows import new_instance


def values(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.fields}


@pytest.mark.parametrize("model", [AvailableModel, Engine, RegisteredModel])
def test_a_new_instance_holds_the_defaults_model_gives(model):
    built, expected = new_instance(model), model()
    assert values(built) == values(expected)
    assert {k: type(v) for k, v in values(built).items()} == {
        k: type(v) for k, v in values(expected).items()
    }
    assert built._state.adding and built.pk is None


def test_mutable_defaults_are_new_for_each_instance():
    first, second = new_instance(AvailableModel), new_instance(AvailableModel)
    assert first.metadata == {} and first.metadata is not second.metadata
    assert first.artifacts == [] and first.artifacts is not second.artifacts


def test_a_new_instance_sends_the_init_signal():
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(receiver, sender=AvailableModel)
    try:
        built = new_instance(AvailableModel)
    finally:
        post_init.disconnect(receiver, sender=AvailableModel)
    assert seen == [built]
