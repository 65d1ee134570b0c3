"""The import reads JSON and CSV files row by row: whatever the chunk boundaries, it reads
exactly what ``json.loads`` and ``csv`` read from the whole text, and refuses what they refuse
with the same kind of message."""

from __future__ import annotations

import io
import json

import pytest

from inventory.errors import RegistryValidationError
from inventory.workflows.transfer import parse, parse_csv, streaming

DOCUMENT = {
    "format": "model-registry-inventory",
    "version": 1,
    "engines": [{"name": "e", "provider": "ollama", "config": {"n": 12345678901234567890}}],
    "catalog": [
        {"name": f"m{i}", "summary": 'é ☃ \\u escapes " quoted', "metadata": {"x": 1.5e-7}}
        for i in range(40)
    ],
    "registered_models": [],
    "knowledge": {"enabled": False, "embedding_model": None},
}


def read_all(document: dict) -> dict:
    return {
        key: list(value) if isinstance(value, streaming.StreamedRows) else value
        for key, value in document.items()
    }


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64, 1 << 16])
def test_json_read_in_any_chunks_equals_json_loads(monkeypatch, chunk):
    monkeypatch.setattr(streaming, "READ_BYTES", chunk)
    text = "\ufeff" + json.dumps(DOCUMENT, ensure_ascii=False, indent=1)
    streamed = parse(io.BytesIO(text.encode()), "json")
    assert len(streamed["catalog"]) == 40
    assert read_all(streamed) == json.loads(text.removeprefix("\ufeff"))
    assert read_all(streamed) == read_all(streamed)  # sections may be read again


@pytest.mark.parametrize(
    "text, message",
    [
        ('{"catalog": [{"name": "a"} {"name": "b"}]}', "not valid JSON: Expecting ',' or ']'"),
        ('{"catalog": [{"name": "a"}]', "not valid JSON: Expecting ',' or '}'"),
        ('{"catalog": []} []', "not valid JSON: Extra data"),
        ('{"catalog": [{"name": "\\ud800"}]}', "no lone surrogates"),
        ("[1, 2]", "the document must be an object"),
    ],
)
def test_bad_json_is_refused_by_the_first_pass(text, message):
    with pytest.raises(RegistryValidationError) as caught:
        parse(text, "json")
    assert message in str(caught.value)


def test_undecodable_bytes_are_refused(monkeypatch):
    monkeypatch.setattr(streaming, "READ_BYTES", 5)
    with pytest.raises(RegistryValidationError, match="file is not UTF-8 text"):
        parse(b'{"catalog": [{"name": "\xff"}]}', "json")


CSV = 'name,summary,tags\r\nx,"one\rtwo",a\r\ny,"multi\nline","[""p"", ""q""]"\rz,plain,\n'


@pytest.mark.parametrize("chunk", [1, 2, 5, 1 << 16])
def test_csv_read_in_any_chunks_equals_the_whole_text(monkeypatch, chunk):
    monkeypatch.setattr(streaming, "READ_BYTES", chunk)
    streamed = list(parse(CSV.encode("utf-8-sig"), "csv")["catalog"])
    assert streamed == parse_csv(CSV)["catalog"]
    assert [row["name"] for row in streamed] == ["x", "y", "z"]
    assert streamed[1]["tags"] == ["p", "q"]


def test_unreadable_csv_is_a_file_error_when_streamed_too():
    with pytest.raises(RegistryValidationError, match="unknown CSV column"):
        parse("\u00aa\u00b8\r\u00a9@\u00f80\u0099F", "csv")
