"""Typeahead (combobox) filters: a reference filter given by name is a text box that the
page's script turns into a combobox fed by the referenced entity's list API.

Without the script the box stays a plain text input: the filter takes a typed whole name
(or an id). With it, each pause in typing asks ``GET /api/v1/<entity>/?name=…&page_size=…
&sort=name`` (the list's own substring filter) and offers the names found.
"""

from __future__ import annotations

from django import forms
from django.urls import reverse

from ..declarations import DECLARATIONS
from ..listing import ReferenceFilter

#: Options offered at once.
OPTIONS_SHOWN = 10
#: The column shown beside each offered name, per referenced entity.
HINTS = {"engine_registry": "provider", "available_model_registry": "family"}


def entity_of(kind: ReferenceFilter) -> str:
    """The SDK name of the entity a reference filter points at."""
    return next(key for key, item in DECLARATIONS.items() if item.model is kind.target)


def typeahead_attrs(kind: ReferenceFilter) -> dict[str, str]:
    """What the script reads from the text box: where to ask, how many, what to show."""
    entity = entity_of(kind)
    return {
        "data-typeahead": reverse(f"api:{entity}-list"),
        "data-typeahead-size": str(OPTIONS_SHOWN),
        "data-typeahead-hint": HINTS.get(entity, ""),
        "autocomplete": "off",
        "placeholder": "Type a name…",
        "spellcheck": "false",
    }


def make_typeahead(field: forms.Field) -> bool:
    """Turn a reference filter's form field into a typeahead box; ``False`` for others."""
    kind = getattr(field, "kind", None)
    if not isinstance(kind, ReferenceFilter):
        return False
    field.widget = forms.TextInput(attrs=typeahead_attrs(kind))
    return True
