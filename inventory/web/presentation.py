"""HTML fragments shared by tables, detail pages and the dashboard (badges, icons, values)."""

from __future__ import annotations

import html
import json
from typing import Any
from urllib.parse import urlsplit

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from .. import capabilities as caps
from ..capacity import humanize_mb
from ..models.available_model import AvailableModelStatus
from ..models.engine import EngineStatus
from ..models.registered_model import RegisteredModelStatus

#: Bootstrap colour of each status word; statuses not listed are shown in grey.
STATUS_LABELS: dict[str, str] = {
    str(value): str(label)
    for choices in (EngineStatus, AvailableModelStatus, RegisteredModelStatus)
    for value, label in choices.choices
}
STATUS_COLOURS = {
    "active": "success",
    "available": "primary",
    "installed": "info",
    "installing": "warning",
    "downloading": "warning",
    "importing": "warning",
    "error": "danger",
    "failed": "danger",
    "uninstalled": "secondary",
    "disabled": "secondary",
}

EMPTY = "—"
YES = mark_safe(
    '<i class="bi bi-check-circle-fill text-success" title="yes"></i>'
    '<span class="visually-hidden">yes</span>'
)
NO = mark_safe(
    '<i class="bi bi-dash-circle text-body-secondary" title="no"></i>'
    '<span class="visually-hidden">no</span>'
)


def escape_text(value: Any) -> str:
    """``conditional_escape`` for the many cells of a page: the same HTML (a value that is
    HTML already as it is, anything else escaped), without the lazy-text wrapper Django
    puts around ``escape``."""
    as_html = getattr(value, "__html__", None)
    return as_html() if as_html is not None else html.escape(str(value))


def status_label(value: str) -> str:
    """The status as the filter and form selects word it ("Available" for ``available``)."""
    return STATUS_LABELS.get(value, value)


def status_badge(value: str) -> SafeString:
    colour = STATUS_COLOURS.get(value, "secondary")
    text = "text-dark" if colour in ("warning", "info") else ""
    return format_html(
        '<span class="badge text-bg-{} {}" data-status="{}" title="{}">{}</span>',
        colour,
        text,
        value,
        value,
        status_label(value),
    )


def capability_badges(value: str | list[str] | None) -> SafeString:
    tokens = caps.parse_stored(value) if isinstance(value, str | type(None)) else list(value)
    if not tokens:
        return format_html('<span class="text-body-secondary">{}</span>', EMPTY)
    return format_html_join(
        " ",
        '<span class="badge rounded-pill capability capability-{}">{}</span>',
        ((token, token) for token in tokens),
    )


def code_badges(values: list[str]) -> SafeString:
    if not values:
        return format_html('<span class="text-body-secondary">{}</span>', EMPTY)
    return format_html_join(" ", '<code class="runtime-method">{}</code>', ((v,) for v in values))


def boolean_icon(value: Any) -> SafeString:
    return YES if value else NO


def megabytes(value: int | None) -> str:
    """``81,920 MB (80 GB)``: the stored figure, and in GB from 1 GB up."""
    if value is None:
        return EMPTY
    if value < 1024:
        return f"{intcomma(value)} MB"
    return format_html(
        '{} MB <span class="text-body-secondary">({})</span>',
        intcomma(value),
        humanize_mb(value),
    )


#: A model that needs no VRAM runs on the CPU.
CPU_ONLY = mark_safe(
    '<span class="text-body-secondary" title="Runs on the CPU: no VRAM needed">CPU</span>'
)


def memory_need(name: str, value: int | None) -> str:
    """A memory figure of a table cell: ``CPU`` for a model needing no VRAM, ``—`` for a
    need of 0 MB of RAM, else ``megabytes``."""
    if value == 0 and name == "vram_required_mb":
        return CPU_ONLY
    if value == 0 and name.endswith("_required_mb"):
        return EMPTY
    return megabytes(value)


def pretty_json(value: Any) -> SafeString:
    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
    return format_html('<pre class="json mb-0"><code>{}</code></pre>', text)


def link(url: str, text: Any, title: str | None = None) -> SafeString:
    """A link; ``title`` gives the full text where a cell may cut it off."""
    if title is None:
        return format_html('<a href="{}">{}</a>', url, text)
    return format_html('<a title="{}" href="{}">{}</a>', title, url, text)


def web_url(value: Any) -> bool:
    """Whether a value is an ``http``/``https`` address a page may link to (never
    ``javascript:``, ``file:`` or a path)."""
    if not isinstance(value, str) or any(char.isspace() for char in value.strip()):
        return False
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def external_link(url: str) -> SafeString:
    """A link to another site that opens in a new tab and passes no referrer nor opener."""
    return format_html(
        '<a href="{}" target="_blank" rel="noopener noreferrer" class="text-break">{}'
        ' <i class="bi bi-box-arrow-up-right small" aria-hidden="true"></i></a>',
        url.strip(),
        url,
    )


def sentences(values: list[str]) -> SafeString:
    """Sentences (warnings) one per line, as text rather than code."""
    return format_html_join("", '<div class="mb-1">{}</div>', ((value,) for value in values))
