"""The import reads JSON, CSV and YAML files row by row: whatever the chunk boundaries, it
reads exactly what ``json.loads``, ``csv`` and ``yaml.safe_load`` read from the whole text,
and refuses what they refuse with the same kind of message (YAML: and aliases of lists and
mappings, wherever they are)."""

from __future__ import annotations

import io
import json

import pytest
import yaml

from inventory.errors import RegistryValidationError
from inventory.workflows.transfer import parse, parse_csv, streaming, yaml_document

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


STREAMED = (streaming.StreamedRows, yaml_document.StreamedYamlRows)


def read_all(document: dict) -> dict:
    return {
        key: list(value) if isinstance(value, STREAMED) else value
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


@pytest.mark.parametrize("chunk", [1, 3, 64, 1 << 16])
@pytest.mark.parametrize("style", [False, True, None])
def test_yaml_read_in_any_chunks_equals_safe_load(monkeypatch, chunk, style):
    monkeypatch.setattr(yaml_document, "READ_CHARS", chunk)
    text = "\ufeff" + yaml.safe_dump(DOCUMENT, allow_unicode=True, default_flow_style=style)
    streamed = parse(io.BytesIO(text.encode()), "yaml")
    assert isinstance(streamed["catalog"], yaml_document.StreamedYamlRows)
    assert len(streamed["catalog"]) == 40
    assert read_all(streamed) == yaml.safe_load(text.removeprefix("\ufeff"))
    assert read_all(streamed) == read_all(streamed)  # sections may be read again


def test_a_repeated_section_key_reads_as_safe_load_does():
    text = "catalog: [{name: a}]\nengines: []\ncatalog: [{name: b}, {name: c}]\n"
    assert read_all(parse(text, "yaml")) == yaml.safe_load(text)


@pytest.mark.parametrize(
    "text, message",
    [
        ("catalog:\n  - name: a\n  - name: [\n", "not valid YAML"),
        ("catalog: []\n---\ncatalog: []\n", "expected a single document in the stream"),
        ('catalog:\n  - name: "\\ud800"\n', "not valid YAML"),
        ("- a\n- b\n", "the document must be an object"),
        ("", "the document must be an object"),
        ("catalog: [{name: a, tags: *undefined}]\n", "found undefined alias"),
        ("catalog:\n  - &row {name: a}\n  - *row\n", yaml_document.ALIAS_REFUSED),
        ("catalog: &rows [{name: a}]\nengines: *rows\n", yaml_document.ALIAS_REFUSED),
        ("catalog: [{name: a, metadata: &m {k: 1}}]\nengines: [{config: *m}]\n", "aliases"),
        ("&top {catalog: [{name: a, metadata: *top}]}\n", yaml_document.ALIAS_REFUSED),
    ],
)
def test_bad_yaml_is_refused_by_the_first_pass(text, message):
    with pytest.raises(RegistryValidationError) as caught:
        parse(text, "yaml")
    assert message in str(caught.value)


def test_undecodable_yaml_bytes_are_refused():
    with pytest.raises(RegistryValidationError) as caught:
        parse(io.BytesIO(b"catalog:\n  - name: \xff\n"), "yaml")
    assert "file is not UTF-8 text" in str(caught.value)


def test_aliases_of_scalars_are_kept():
    document = read_all(parse("catalog:\n  - {name: &n shared, label: *n}\n", "yaml"))
    assert document["catalog"] == [{"name": "shared", "label": "shared"}]
