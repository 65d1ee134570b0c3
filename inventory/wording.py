"""One message, worded by the door that shows it.

The rules word their messages for the API and the SDK, naming the field by its key and the
rule in contract terms (``vram_required_mb must be a non-negative integer, got -1``); modules
match on that wording, so it never changes. Pages and the admin show the same message in the
screen's words: the field by its label, the rule in plain words, the option to tick by its
label (``VRAM (MB) must be a whole number of 0 or more``). The rules build their messages from
the ``Phrase.api`` texts below and ``for_screen`` rewrites a message with the matching
``Phrase.screen``, so each rule's wording is stated once, here, for both doors.

Nothing here imports Django (``inventory.values`` and the HTTP client use it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Phrase:
    """What a rule requires, in the contract's words and in the screen's."""

    api: str
    screen: str


NON_NEGATIVE_INTEGER = Phrase(
    "must be a non-negative integer", "must be a whole number of 0 or more"
)
POSITIVE_INTEGER = Phrase("must be a positive integer", "must be a whole number of 1 or more")
INTEGER = Phrase("must be an integer", "must be a whole number")
BOOLEAN = Phrase("must be a boolean (0/1/true/false)", "must be yes or no")

#: Longest first, so that a phrase is never cut by a shorter one it starts with.
PHRASES: tuple[Phrase, ...] = (NON_NEGATIVE_INTEGER, POSITIVE_INTEGER, INTEGER, BOOLEAN)

#: How a message asks for an option, and how a form asks for its checkbox.
OPTION_WORDS: tuple[Phrase, ...] = (
    Phrase("confirmed with {key}", "confirmed by ticking “{label}”"),
    Phrase("set {key}", "tick “{label}”"),
)

_KEY = r"[a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)*"
_SUBJECT = re.compile(
    rf"^(?P<subject>{_KEY}(?:(?:, | and ){_KEY})*) (?P<rest>(?:must|is|are|does|has)\b.*)$",
    re.S,
)
_GOT = re.compile(r",? (?:got|\(got) .*$", re.S)


def label_for(key: str, labels: Mapping[str, str]) -> str | None:
    """The screen name of a field key (``vram_required_mb`` → ``VRAM (MB)``); a key inside a
    JSON field reads ``dim in Extra config``; ``None`` for a key the form does not show."""
    if key in labels:
        return labels[key]
    head, _, tail = key.partition(".")
    if tail and head in labels:
        return f"{tail} in {labels[head]}"
    return None


def for_screen(message: str, labels: Mapping[str, str]) -> str:
    """``message`` in a form's words, ``labels`` mapping field keys to their labels. A message
    whose subject is not made of field keys is shown as worded."""
    message = _options(message, labels)
    match = _SUBJECT.match(message)
    if match is None:
        return message
    keys = re.split(r", | and ", match["subject"])
    names = [label_for(key, labels) for key in keys]
    if None in names:
        return message
    rest = match["rest"]
    for phrase in PHRASES:
        if rest.startswith(phrase.api):
            rest = phrase.screen + rest[len(phrase.api) :]
            break
    if all(key in labels for key in keys):
        rest = _GOT.sub("", rest)  # the field's own input shows the value
    parts = re.split(r"(, | and )", match["subject"])
    parts[::2] = names
    return f"{''.join(parts)} {rest}"


def _options(message: str, labels: Mapping[str, str]) -> str:
    for phrase in OPTION_WORDS:
        for key, label in labels.items():
            asked = phrase.api.format(key=key)
            if "_" in key and asked in message:
                message = message.replace(asked, phrase.screen.format(label=label))
    return message
