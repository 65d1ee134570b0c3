"""The import page: upload → dry-run preview → apply (everything, or the valid rows only),
with the whole report downloadable as JSON or CSV.

Between the preview and the apply the file waits in the session, compressed; so does the
last report, for its download links. Both are read back in chunks."""

from __future__ import annotations

import base64
import hashlib
import json
import zlib
from collections.abc import Iterator
from typing import IO, Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http import StreamingHttpResponse as Streaming
from django.shortcuts import render
from django.urls import path, reverse

from ..errors import RegistryValidationError
from ..workflows import permissions as needs
from ..workflows import transfer
from .workflows import WORKFLOWS, WorkflowView, error_messages

IMPORT_SESSION_KEY = "workflow_import"
REPORT_SESSION_KEY = "workflow_import_report"
PREVIEW_ROWS = 200
#: the kinds of rows the preview shows up to ``PREVIEW_ROWS`` of, by action
PREVIEW_KINDS = {
    "refused": "refused",
    "created": "changed",
    "updated": "changed",
    "unchanged": "unchanged",
}
MOVE_UNKNOWN = "move_unknown_capabilities"
READ_SIZE = 1024 * 1024


def limit_text(limit: int) -> str:
    """A byte limit as people read it: ``64 MB`` (whole megabytes), else in bytes."""
    megabytes, rest = divmod(limit, 1024 * 1024)
    return f"{megabytes} MB" if megabytes and not rest else f"{limit} bytes"


def pack(chunks: Iterator[bytes]) -> tuple[str, str]:
    """Compressed, base64 text for the session, and the SHA-256 of the original bytes."""
    digest = hashlib.sha256()
    compressor = zlib.compressobj(6)
    parts: list[bytes] = []
    for chunk in chunks:
        digest.update(chunk)
        parts.append(compressor.compress(chunk))
    parts.append(compressor.flush())
    return base64.b64encode(b"".join(parts)).decode("ascii"), digest.hexdigest()


def unpack(packed: str) -> bytes:
    return zlib.decompress(base64.b64decode(packed))


def _file_chunks(handle: IO[bytes]) -> Iterator[bytes]:
    handle.seek(0)
    while chunk := handle.read(READ_SIZE):
        yield chunk


def preview_context(report: dict[str, Any]) -> dict[str, Any]:
    """The preview table: one line per row with its action, its changes and every error of
    it, in file order, up to ``PREVIEW_ROWS`` rows of each kind (refused, created or updated,
    unchanged); and whether applying would write anything."""
    errors: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for item in report["errors"]:
        errors.setdefault((item["section"], item["row"]), []).append(item)
    seen = dict.fromkeys(PREVIEW_KINDS.values(), 0)
    rows, shown_errors = [], 0
    for row in report["rows"]:
        kind = PREVIEW_KINDS[row["action"]]
        seen[kind] += 1
        if seen[kind] > PREVIEW_ROWS:
            continue
        row_errors = errors.get((row["section"], row["row"]), [])
        shown_errors += len(row_errors)
        rows.append({**row, "errors": row_errors})
    whole = [item for item in report["errors"] if item["row"] is None]
    return {
        "preview": rows,
        "import_errors": whole,
        "unchanged_rows": seen["unchanged"],
        "more_rows": {
            kind: count - PREVIEW_ROWS for kind, count in seen.items() if count > PREVIEW_ROWS
        },
        "more_errors": len(report["errors"]) - shown_errors - len(whole),
        "would_write": any(c["created"] or c["updated"] for c in report["counts"].values()),
    }


class ImportPage(WorkflowView):
    """Upload → dry-run preview (the file is kept in the session) → apply."""

    perms = {"GET": needs.IMPORT, "POST": needs.IMPORT}

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(request)

    def page(self, request: HttpRequest, **extra: Any) -> HttpResponse:
        report = extra.get("report")
        context = {
            "formats": transfer.FORMATS,
            "preview_rows": PREVIEW_ROWS,
            "can_export": request.user.has_perms(needs.EXPORT),
            "section": "import",
            "limit": limit_text(settings.IMPORT_MAX_BYTES),
            **extra,
        }
        if report is not None:
            self.keep_report(request, report)
            context.update(preview_context(report))
            context["report_formats"] = transfer.REPORT_FORMATS
        return render(request, "inventory/workflows/import.html", context)

    @staticmethod
    def keep_report(request: HttpRequest, report: dict[str, Any]) -> None:
        text = json.dumps(report, ensure_ascii=False).encode()
        request.session[REPORT_SESSION_KEY] = pack(iter([text]))[0]

    def post(self, request: HttpRequest) -> HttpResponse:
        if "apply" in request.POST:
            return self.apply(request)
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "Choose a file to import.")
            return self.page(request)
        limit = settings.IMPORT_MAX_BYTES
        if upload.size is not None and upload.size > limit:
            messages.error(
                request,
                f"file: the file is {upload.size} bytes, over the import limit of "
                f"{limit_text(limit)}",
            )
            return self.page(request)
        fmt = request.POST.get("format") or transfer.format_for(upload.name or "")
        move = bool(request.POST.get(MOVE_UNKNOWN))
        try:
            report = WORKFLOWS.import_inventory(upload.file, fmt, move_unknown_capabilities=move)
        except RegistryValidationError as error:
            error_messages(request, error)
            return self.page(request)
        packed, digest = pack(_file_chunks(upload.file))
        request.session[IMPORT_SESSION_KEY] = {
            "file": packed,
            "format": fmt,
            "digest": digest,
            "name": upload.name,
            MOVE_UNKNOWN: move,
        }
        return self.page(request, report=report, digest=digest, filename=upload.name, move=move)

    def apply(self, request: HttpRequest) -> HttpResponse:
        stored = request.session.get(IMPORT_SESSION_KEY)
        if not stored or stored.get("digest") != request.POST.get("digest"):
            messages.error(request, "The previewed file is no longer available; upload it again.")
            return self.page(request)
        partial = bool(request.POST.get("partial"))
        try:
            report = WORKFLOWS.import_inventory(
                unpack(stored["file"]),
                stored["format"],
                apply=True,
                confirm_embedding_model_change=bool(
                    request.POST.get("confirm_embedding_model_change")
                ),
                allow_over_capacity=bool(request.POST.get("allow_over_capacity")),
                mode="partial" if partial else "all",
                move_unknown_capabilities=stored.get(MOVE_UNKNOWN, False),
            )
        except transfer.InventoryImportError as error:
            messages.error(request, "Nothing was imported: " + str(error))
            return self.page(request, report=error.report, filename=stored.get("name"))
        except RegistryValidationError as error:
            error_messages(request, error)
            return self.page(request)
        del request.session[IMPORT_SESSION_KEY]
        counts = ", ".join(
            f"{section}: {c['created']} created, {c['updated']} updated, {c['unchanged']} unchanged"
            for section, c in report["counts"].items()
        )
        if report["errors"]:
            messages.warning(
                request,
                f"Import applied partially: {report['refused_rows']} refused row(s) not "
                f"written. {counts}.",
            )
            return self.page(request, report=report, filename=stored.get("name"))
        messages.success(request, f"Import applied. {counts}.")
        return HttpResponseRedirect(reverse("inventory:workflow-import"))


class ImportReportDownload(WorkflowView):
    """The last import report of this session, whole, as JSON or CSV."""

    perms = {"GET": needs.IMPORT}

    def get(self, request: HttpRequest, fmt: str) -> HttpResponse:
        packed = request.session.get(REPORT_SESSION_KEY)
        if fmt not in transfer.REPORT_FORMATS or not packed:
            raise Http404("no import report")
        report = json.loads(unpack(packed))
        if fmt == "json":
            chunks: Iterator[str] = iter([transfer.report_json(report)])
            content_type = "application/json"
        else:
            chunks = transfer.report_csv_chunks(report)
            content_type = "text/csv; charset=utf-8"
        response = Streaming(chunks, content_type=content_type)
        filename = transfer.report_filename(fmt)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


urlpatterns = [
    path("inventory/import/", ImportPage.as_view(), name="workflow-import"),
    path(
        "inventory/import/report.<str:fmt>",
        ImportReportDownload.as_view(),
        name="workflow-import-report",
    ),
]
