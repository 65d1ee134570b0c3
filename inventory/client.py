"""An HTTP client for the REST API with the module SDK's interface.

Modules in other processes use it exactly like ``inventory.sdk.module_sdk``; it needs only
``requests`` (``pip install model-registry`` pulls it in) and imports nothing from Django::

    from inventory.client import RegistryClient

    client = RegistryClient("https://registry.example.com", token)
    listing = client.models.model_registry.list(
        page=0, page_size=200, filters={"engine_id": 3, "status": "available"}
    )
    created = client.models.model_registry.create(
        {"name": "llama3", "engine_id": 3, "capabilities": ["chat"]}
    )

Validation failures raise ``RegistryValidationError`` (a ``ValueError``) with the server's
per-field ``errors``; a refused delete raises ``RegistryProtectedError``. Other HTTP failures
(authentication, permissions, a stale ``if_match``) raise ``RegistryAPIError``.
"""

from __future__ import annotations

import json as _json
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote

import requests

from .client_history import Changes, knowledge_history, row_history
from .errors import RegistryProtectedError, RegistryValidationError, unknown_keys_error
from .selection import Selection
from .values import parse_id, parse_int
from .vocabulary import CapabilityVocabulary, DescribedResolver

API_PREFIX = "api/v1/"
DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 200
CONFIRM = "confirm_embedding_model_change"
ENTITIES = ("engine_registry", "available_model_registry", "model_registry")
# List query parameters that are not filters: a filter cannot have one of these names.
PAGING_PARAMS = ("page", "page_size", "cursor", "sort", "direction")


class RegistryAPIError(RuntimeError):
    """An HTTP failure that is not a validation error: 401, 403, 412, 5xx…"""

    def __init__(self, status: int, detail: str, errors: Mapping[str, list[str]] | None = None):
        super().__init__(f"HTTP {status}: {detail}")
        self.status = status
        self.detail = detail
        self.errors = dict(errors or {})


class PreconditionFailedError(RegistryAPIError):
    """``if_match`` no longer matches the row: someone else changed it first."""


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _integer_text(key: str, value: Any) -> str:
    """An integer argument as query or path text, checked by the server's own parser."""
    return str(parse_int(key, value))


def _id_text(key: str, value: Any) -> str:
    """A row id as path or query text, checked by the server's own parser."""
    return str(parse_id(key, value))


def list_params(
    page: Any = 0,
    page_size: Any = DEFAULT_PAGE_SIZE,
    filters: Mapping[str, Any] | None = None,
    sort: Any = None,
) -> list[tuple[str, str]]:
    """The list query parameters for SDK-style arguments.

    A list filter value is sent as a repeated parameter. The server drops empty repeats, so a
    one-item list gets one extra empty repeat (the server, like the SDK, then sees a list) and
    an empty list is two empty repeats (an empty list of ids matches no row, as in the SDK).
    """
    params: list[tuple[str, str]] = []
    if page is not None:
        params.append(("page", _integer_text("page", page)))
    if page_size is not None:
        params.append(("page_size", _integer_text("page_size", page_size)))
    if filters is not None:
        if not isinstance(filters, Mapping):
            raise RegistryValidationError({"filters": ["filters must be an object"]})
        for key, value in filters.items():
            if isinstance(value, list | tuple | set | frozenset):
                items = list(value)
                params.extend((key, _text(item)) for item in items)
                params.extend([(key, "")] * max(0, 2 - len(items)))
            elif value is not None:
                params.append((key, _text(value)))
    if isinstance(sort, Mapping):
        params.append(("sort", _text(sort.get("field", "id"))))
        if sort.get("direction") is not None:
            params.append(("direction", _text(sort["direction"])))
    elif isinstance(sort, list | tuple) and len(sort) == 2:
        params.extend([("sort", _text(sort[0])), ("direction", _text(sort[1]))])
    elif isinstance(sort, str):
        params.append(("sort", sort))
    elif sort is not None:
        raise RegistryValidationError({"sort": [f"sort must be a field name, got {sort!r}"]})
    return params


class RegistryClient:
    """``client.models.<name>``, ``client.knowledge`` and ``client.capabilities`` over HTTP."""

    ValidationError = RegistryValidationError
    ProtectedError = RegistryProtectedError

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 30.0,
        session: requests.Session | None = None,
    ):
        """``base_url`` is the site root (``https://registry.example.com``)."""
        self.api_url = base_url.rstrip("/") + "/" + API_PREFIX
        self.timeout = timeout
        self.session = session or requests.Session()
        self.session.headers.update(
            {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        )
        self.models = Models(self)
        self.knowledge = Knowledge(self)
        self.capabilities = Capabilities(self)
        self.vocabulary = Vocabulary(self)
        self.workflows = Workflows(self)
        self.changes = Changes(self)

    def __repr__(self) -> str:
        return f"<RegistryClient {self.api_url}>"

    def close(self) -> None:
        self.session.close()

    def search(self, q: Any, limit: Any = None, entities: Any = None) -> dict[str, Any]:
        """``module_sdk.search()`` over ``GET search/``."""
        params: list[tuple[str, Any]] = [("q", q)]
        if limit is not None:
            params.append(("limit", limit))
        params.extend(("entity", entity) for entity in entities or ())
        return self.request("GET", "search/", params=params).json()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        files: Mapping[str, Any] | None = None,
    ) -> requests.Response:
        """Send one request; 400 and 409 raise the SDK's exceptions, 404 is returned.

        A body is sent as JSON (as a multipart form when ``files`` are given), ``None`` as
        ``null`` (the server refuses a payload that is not an object, as the SDK does), NaN and
        Infinity as their JavaScript literals (the server refuses them by field, as the SDK
        does).
        """
        headers = dict(headers or {})
        kwargs: dict[str, Any] = {"params": params, "timeout": self.timeout}
        if files is not None:
            kwargs["files"], kwargs["data"] = files, json
        elif method in ("POST", "PUT", "PATCH"):
            kwargs["data"] = _json.dumps(json, allow_nan=True).encode("utf-8")
            headers["Content-Type"] = "application/json"
        kwargs["headers"] = headers
        response = self.session.request(method, self.api_url + path, **kwargs)
        if response.status_code < 400 or response.status_code == 404:
            return response
        detail, errors = _error_body(response)
        if response.status_code == 400:
            error = RegistryValidationError(errors or detail)
            error.response = response  # type: ignore[attr-defined]  # for the import's report
            raise error
        if response.status_code == 409:
            raise RegistryProtectedError(errors or detail)
        if response.status_code == 412:
            raise PreconditionFailedError(412, detail, errors)
        raise RegistryAPIError(response.status_code, detail, errors)


def _json_body(response: requests.Response | None) -> dict[str, Any]:
    try:
        body = response.json() if response is not None else None
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _error_body(response: requests.Response) -> tuple[str, dict[str, list[str]]]:
    try:
        body = response.json()
    except ValueError:
        return response.text or response.reason, {}
    if not isinstance(body, dict):
        return str(body), {}
    errors = body.get("errors") if isinstance(body.get("errors"), dict) else {}
    return str(body.get("detail", response.reason)), errors


def _not_found_error(response: requests.Response) -> RegistryAPIError:
    detail, errors = _error_body(response)
    return RegistryAPIError(404, detail, errors)


class ModelResource:
    """List, read and write one entity over HTTP; the same methods as the SDK's."""

    def __init__(self, client: RegistryClient, name: str):
        self.client = client
        self.name = name
        self.path = name.replace("_", "-") + "/"

    def __repr__(self) -> str:
        return f"<ModelResource {self.name} via {self.client.api_url}>"

    def _get(self, path: str = "", params: Any = None) -> Any:
        response = self.client.request("GET", self.path + path, params=params)
        if response.status_code == 404:
            raise _not_found_error(response)
        return response.json()

    def _row_path(self, row_id: Any) -> str:
        return f"{quote(_id_text('id', row_id), safe='')}/"

    def _check_filter_names(self, filters: Any) -> None:
        """A filter named like a list parameter (``sort``…) would be read as that parameter;
        refuse it as the SDK refuses any unknown filter, with the same message."""
        if not isinstance(filters, Mapping):
            return
        clashing = [key for key in filters if key in PAGING_PARAMS]
        if clashing:
            known = [item["field"] for item in self.filters_model()]
            raise unknown_keys_error(clashing, known, "filter")

    def list(
        self,
        page: int = 0,
        page_size: int = DEFAULT_PAGE_SIZE,
        filters: Mapping[str, Any] | None = None,
        sort: Any = None,
        cursor: str | None = None,
    ) -> dict[str, Any]:
        """``{"rows", "total_rows", "page", "page_size", "filters", "sort"}``; with ``cursor``
        (``""`` first, then each ``next_cursor``) a keyset page, as the SDK's ``list``."""
        keyset_page = cursor is not None
        params = list_params(None if keyset_page and page == 0 else page, page_size, filters, sort)
        if keyset_page:
            params.append(("cursor", _text(cursor)))
        self._check_filter_names(filters)
        return self._get(params=params)

    def iter_pages(
        self, filters: Mapping[str, Any] | None = None, sort: Any = None
    ) -> Iterator[dict[str, Any]]:
        """Every page of up to 200 rows, in order, walked by keyset (``cursor``): each costs
        the same however far the walk is, and a row present for the whole walk comes exactly
        once."""
        cursor = ""
        while cursor is not None:
            envelope = self.list(0, MAX_PAGE_SIZE, filters, sort, cursor=cursor)
            yield envelope
            cursor = envelope["next_cursor"]

    def iterate(
        self, filters: Mapping[str, Any] | None = None, sort: Any = None
    ) -> Iterator[dict[str, Any]]:
        """Every matching row, a page at a time (see ``iter_pages``)."""
        for envelope in self.iter_pages(filters, sort):
            yield from envelope["rows"]

    def all(self, filters: Mapping[str, Any] | None = None, sort: Any = None) -> dict[str, Any]:
        """``{"rows", "filters", "sort"}`` with every matching row (read page by page)."""
        rows: list[dict[str, Any]] = []
        envelope: dict[str, Any] = {}
        for envelope in self.iter_pages(filters, sort):
            rows.extend(envelope["rows"])
        return {"rows": rows, "filters": envelope["filters"], "sort": envelope["sort"]}

    def view(self, row_id: Any) -> dict[str, Any] | None:
        found = self.view_with_etag(row_id)
        return None if found is None else found[0]

    def view_with_etag(self, row_id: Any) -> tuple[dict[str, Any], str] | None:
        """The row and its ``ETag`` (to pass as ``if_match``), or ``None``."""
        response = self.client.request("GET", self.path + self._row_path(row_id))
        if response.status_code == 404:
            return None
        return response.json(), response.headers.get("ETag", "")

    def count(self, filters: Mapping[str, Any] | None = None) -> int:
        return self.list(0, 1, filters)["total_rows"]

    def create(self, payload: Mapping[str, Any], **options: Any) -> dict[str, Any]:
        params = {key: _text(value) for key, value in options.items()}
        response = self.client.request("POST", self.path, params=params, json=payload)
        return response.json()

    def update(
        self,
        row_id: Any,
        payload: Mapping[str, Any],
        *,
        if_match: str | None = None,
        **options: Any,
    ) -> dict[str, Any] | None:
        """Partial update (``PATCH``); ``None`` when the row does not exist. With
        ``if_match`` (an ETag from ``view_with_etag``) a concurrent change raises
        ``PreconditionFailedError`` instead of being overwritten."""
        params = {key: _text(value) for key, value in options.items()}
        headers = {"If-Match": if_match} if if_match else None
        path = self.path + self._row_path(row_id)
        response = self.client.request("PATCH", path, params=params, json=payload, headers=headers)
        return None if response.status_code == 404 else response.json()

    def delete(self, row_id: Any, *, if_match: str | None = None) -> bool:
        """``True`` when deleted, ``False`` when missing; a protected row raises
        ``RegistryProtectedError``."""
        headers = {"If-Match": if_match} if if_match else None
        response = self.client.request(
            "DELETE", self.path + self._row_path(row_id), headers=headers
        )
        return response.status_code != 404

    def bulk(
        self,
        action: str = "update",
        ids: Any = None,
        filters: Mapping[str, Any] | None = None,
        changes: Mapping[str, Any] | None = None,
        dry_run: bool = False,
        **options: Any,
    ) -> dict[str, Any]:
        """As the SDK's ``bulk``: the per-row report; a refused operation raises
        ``RegistryValidationError`` with ``.report``."""
        body: dict[str, Any] = {"action": action, "dry_run": dry_run, **options}
        if ids is not None:
            body["ids"] = list(ids) if not isinstance(ids, str | list) else ids
        if filters is not None:
            body["filters"] = dict(filters) if isinstance(filters, Mapping) else filters
        if changes is not None:
            body["changes"] = dict(changes) if isinstance(changes, Mapping) else changes
        try:
            return self.client.request("POST", self.path + "bulk/", json=body).json()
        except RegistryValidationError as error:
            report = _json_body(getattr(error, "response", None)).get("report")
            if isinstance(report, dict):
                error.report = report  # type: ignore[attr-defined]
            raise

    def select(self, ids: Any = None, filters: Mapping[str, Any] | None = None) -> Selection:
        """Rows to operate on: ``select(filters={"engine_id": 3}).move_to_engine(7)``."""
        return Selection(self.bulk, ids, filters)

    def delete_impact(self, row_id: Any) -> dict[str, Any] | None:
        """What deleting the row would refuse, unlink or leave stale; ``None`` when missing."""
        response = self.client.request("GET", self.path + self._row_path(row_id) + "delete-impact/")
        return None if response.status_code == 404 else response.json()

    def history(self, row_id: Any, limit: Any = 100) -> list[dict[str, Any]]:
        """The row's newest changes (up to ``limit``), newest first, also once deleted."""
        return row_history(self.client, self.path, row_id, limit)

    def table_model(self) -> list[dict[str, Any]]:
        return self._get("table-model/")

    def filters_model(self) -> list[dict[str, Any]]:
        return self._get("filters-model/")


class EngineResource(ModelResource):
    """``engine_registry``: as the SDK's, with ``view_secrets``."""

    def view_secrets(self, row_id: Any) -> dict[str, Any] | None:
        """``{"id", "name", "config"}`` with the config's secrets in clear; ``None`` when the
        engine does not exist. Needs the ``inventory.view_engine_secrets`` permission
        (``RegistryAPIError`` 403 otherwise)."""
        response = self.client.request("GET", self.path + self._row_path(row_id) + "secrets/")
        return None if response.status_code == 404 else response.json()


class Models:
    """``client.models``: one ``ModelResource`` per entity."""

    def __init__(self, client: RegistryClient):
        classes = {"engine_registry": EngineResource}
        self._resources = {
            name: classes.get(name, ModelResource)(client, name) for name in ENTITIES
        }
        self.engine_registry = self._resources["engine_registry"]
        self.available_model_registry = self._resources["available_model_registry"]
        self.model_registry = self._resources["model_registry"]

    def __getitem__(self, name: str) -> ModelResource:
        return self._resources[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._resources)


class Knowledge:
    """``client.knowledge``: the knowledge embedding backend settings."""

    def __init__(self, client: RegistryClient):
        self.client = client

    def get_config(self) -> dict[str, Any]:
        return self.client.request("GET", "knowledge/config/").json()

    def update_config(
        self, payload: Mapping[str, Any], confirm_embedding_model_change: Any = False
    ) -> dict[str, Any]:
        params = {}
        if confirm_embedding_model_change is not False:
            params[CONFIRM] = _text(confirm_embedding_model_change)
        response = self.client.request("PATCH", "knowledge/config/", params=params, json=payload)
        return response.json()

    def history(self, limit: Any = 100) -> list[dict[str, Any]]:
        """The newest changes of the knowledge settings, newest first."""
        return knowledge_history(self.client, limit)


class Capabilities(CapabilityVocabulary):
    """``client.capabilities``: the vocabulary, runtime methods and config schemas.

    ``describe()`` asks the server; the other methods are the same pure functions the server
    runs (``inventory.vocabulary`` imports no Django).
    """

    def __init__(self, client: RegistryClient):
        self.client = client
        self.resolver = DescribedResolver(self.describe)

    def describe(self) -> dict[str, Any]:
        return self.client.request("GET", "capabilities/").json()


class Vocabulary:
    """``client.vocabulary``: ``module_sdk.vocabulary`` over HTTP."""

    def __init__(self, client: RegistryClient):
        self.client = client

    def _list(self, what: str, kind: str | None) -> list[dict[str, Any]]:
        params = {"kind": kind} if kind is not None else None
        return self.client.request("GET", f"vocabulary/{what}/", params=params).json()

    def _remove(self, what: str, kind: Any, name: Any) -> bool:
        path = f"vocabulary/{what}/{quote(str(kind), safe='')}/{quote(str(name), safe='')}/"
        return self.client.request("DELETE", path).status_code != 404

    def terms(self, kind: str | None = None) -> list[dict[str, Any]]:
        return self._list("terms", kind)

    def aliases(self, kind: str | None = None) -> list[dict[str, Any]]:
        return self._list("aliases", kind)

    def add_term(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        return self.client.request("POST", "vocabulary/terms/", json=payload).json()

    def remove_term(self, kind: str, name: str) -> bool:
        return self._remove("terms", kind, name)

    def add_alias(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        return self.client.request("POST", "vocabulary/aliases/", json=payload).json()

    def remove_alias(self, kind: str, alias: str) -> bool:
        return self._remove("aliases", kind, alias)


class Workflows:
    """``client.workflows``: bind, deactivate, reconcile, stale rows, export and import."""

    def __init__(self, client: RegistryClient):
        self.client = client

    def _post(self, path: str, payload: Mapping[str, Any]) -> requests.Response:
        return self.client.request("POST", path, json=dict(payload))

    def _upload(self, content: bytes, options: Mapping[str, Any]) -> requests.Response:
        fields = {key: _text(value) for key, value in options.items()}
        files = {"file": (f"inventory.{fields['format'] or 'json'}", content)}
        return self.client.request("POST", "inventory/import/", json=fields, files=files)

    def bind(
        self,
        engine_id: Any,
        available_model_id: Any,
        extra_config: Mapping[str, Any] | None = None,
        confirm_embedding_model_change: bool = False,
        allow_over_capacity: bool = False,
        name: str | None = None,
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {"engine_id": engine_id, "available_model_id": available_model_id}
        if extra_config is not None:
            payload["extra_config"] = extra_config
        if confirm_embedding_model_change:
            payload[CONFIRM] = True
        if allow_over_capacity:
            payload["allow_over_capacity"] = True
        if name is not None:
            payload["name"] = name
        return self._post("model-registry/bind/", payload).json()

    @staticmethod
    def _model_path(model_id: Any, action: str) -> str:
        return f"model-registry/{quote(_id_text('id', model_id), safe='')}/{action}/"

    def deactivate(
        self, model_id: Any, confirm_embedding_model_change: bool = False
    ) -> dict[str, Any] | None:
        payload = {CONFIRM: True} if confirm_embedding_model_change else {}
        response = self._post(self._model_path(model_id, "deactivate"), payload)
        return None if response.status_code == 404 else response.json()

    def _found(self, response: requests.Response) -> dict[str, Any]:
        if response.status_code == 404:
            raise RegistryValidationError({"id": [_error_body(response)[0]]})
        return response.json()

    def reconcile(self, model_id: Any) -> dict[str, Any]:
        path = self._model_path(model_id, "reconcile")
        return self._found(self.client.request("GET", path))

    def apply_reconcile(
        self,
        model_id: Any,
        fields: Any = None,
        confirm_embedding_model_change: bool = False,
        allow_over_capacity: bool = False,
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {}
        if fields is not None:
            # Other values go as given, so the server refuses them with the SDK's message.
            is_set = isinstance(fields, tuple | set | frozenset)
            payload["fields"] = list(fields) if is_set else fields
        if confirm_embedding_model_change:
            payload[CONFIRM] = True
        if allow_over_capacity:
            payload["allow_over_capacity"] = True
        return self._found(self._post(self._model_path(model_id, "reconcile"), payload))

    def find_stale(self, engine_id: Any = None) -> dict[str, Any]:
        if isinstance(engine_id, list | tuple | set | frozenset):
            params = list_params(None, None, {"engine_id": engine_id})
        else:
            params = [] if engine_id is None else [("engine_id", _id_text("engine_id", engine_id))]
        return self.client.request("GET", "model-registry/stale/", params=params).json()

    def prune_stale(self, ids: Any, confirm: Any = False) -> dict[str, Any]:
        """``ids`` as the SDK takes them (a list or a comma-separated string); the server
        parses them and ``confirm``, so a malformed value gets the SDK's message."""
        if isinstance(ids, tuple | set | frozenset) or hasattr(ids, "__next__"):
            ids = list(ids)
        return self._post("model-registry/stale/", {"ids": ids, "confirm": confirm}).json()

    def export_inventory(self, format: str = "json") -> str:
        response = self.client.request("GET", "inventory/export/", params={"format": format})
        response.encoding = "utf-8"
        return response.text

    def import_inventory(
        self,
        text: str | bytes,
        format: str = "json",
        apply: bool = False,
        confirm_embedding_model_change: bool = False,
        allow_over_capacity: bool = False,
        mode: str = "all",
        move_unknown_capabilities: bool = False,
    ) -> dict[str, Any]:
        options = {
            "format": format,
            "apply": apply,
            CONFIRM: confirm_embedding_model_change,
            "mode": mode,
            "move_unknown_capabilities": move_unknown_capabilities,
        }
        if allow_over_capacity:
            options["allow_over_capacity"] = True
        try:
            if isinstance(text, bytes):
                # Sent as an upload, as read: the server decodes it (and refuses a file that is
                # not UTF-8 with the SDK's message).
                return self._upload(text, options).json()
            return self._post("inventory/import/", {"text": text, **options}).json()
        except RegistryValidationError as error:
            # As in the SDK, a refused apply carries the per-row report.
            body = _json_body(getattr(error, "response", None))
            if isinstance(body.get("report"), dict):
                error.report = body["report"]  # type: ignore[attr-defined]
            raise


__all__ = [
    "PreconditionFailedError",
    "RegistryAPIError",
    "RegistryClient",
    "RegistryProtectedError",
    "RegistryValidationError",
]
