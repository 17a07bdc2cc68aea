"""Hostile inputs cost a 413 naming the limit, quickly, at the settings' defaults: a transcript
over the utterance or character limit, a Word document that inflates past its limit or holds too
many XML elements, a PDF with too many pages. Work past the caller's deadline stops with 504."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfWriter

from document_parser.core.config import ParserSettings
from document_parser.main import create_app
from document_parser.parsing import pipeline
from medgrade_shared.deadline import DEADLINE_HEADER
from medgrade_shared.testing.internal_token import INTERNAL_HEADERS, TEST_INTERNAL_TOKEN

DEFAULTS = ParserSettings(port=8002, internal_token=TEST_INTERNAL_TOKEN)  # built at import, before the fixture
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                  'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>')


@pytest.fixture
def parser() -> TestClient:
    with TestClient(headers=INTERNAL_HEADERS, app=create_app(DEFAULTS)) as test_client:
        yield test_client


def _docx(document_xml: Callable[[zipfile.ZipFile], None]) -> bytes:
    """A minimal Word archive whose word/document.xml is written by ``document_xml``."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        document_xml(archive)
    return out.getvalue()


def _refused(response, code: str, limit: int, setting: str) -> str:
    assert response.status_code == 413, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert error["details"] == {"limit": limit, "setting": setting}
    assert f"{limit:,}" in error["message"]
    return error["message"]


def _upload(client: TestClient, data: bytes, name: str):
    started = time.perf_counter()
    response = client.post("/parse/upload", files={"file": (name, data)})
    assert time.perf_counter() - started < 2.0
    return response


def test_a_transcript_over_the_utterance_limit_is_413(parser):
    limit = DEFAULTS.max_utterances
    response = parser.post("/parse", json={"text": "Doctor: a\n" * (limit + 1)})
    message = _refused(response, "too_many_utterances", limit, "MEDGRADE_PARSER_MAX_UTTERANCES")
    assert message == (f"The transcript has {limit + 1:,} utterances; the parser reads at most {limit:,} in one "
                       "transcript.")
    assert parser.post("/parse", json={"text": "Doctor: a\n" * limit}).status_code == 200


def test_a_transcript_over_the_character_limit_is_413_as_text_and_as_a_file():
    settings = ParserSettings(port=8002, max_chars=1000)
    with TestClient(headers=INTERNAL_HEADERS, app=create_app(settings)) as small:
        text = "Doctor: " + "a" * 1000
        _refused(small.post("/parse", json={"text": text}), "transcript_too_large", 1000, "MEDGRADE_PARSER_MAX_CHARS")
        _refused(_upload(small, text.encode(), "t.txt"), "transcript_too_large", 1000, "MEDGRADE_PARSER_MAX_CHARS")


def test_a_docx_whose_document_xml_inflates_past_the_limit_is_413_before_it_is_parsed(parser, monkeypatch):
    limit = DEFAULTS.max_docx_unpacked_bytes
    padding = limit + 1024 * 1024  # one element of blanks: few nodes, many bytes

    def document_xml(archive: zipfile.ZipFile) -> None:
        with archive.open("word/document.xml", "w") as part:
            part.write(f'<w:document xmlns:w="{_W}"><w:body><w:p><w:r><w:t>'.encode())
            for _ in range(padding // (1 << 20)):
                part.write(b" " * (1 << 20))
            part.write(b"</w:t></w:r></w:p></w:body></w:document>")

    data = _docx(document_xml)
    assert len(data) < 200 * 1024  # a small file...
    monkeypatch.setattr("docx.Document", lambda *_: pytest.fail("the document was built"))
    _refused(_upload(parser, data, "bomb.docx"), "docx_too_large", limit, "MEDGRADE_PARSER_MAX_DOCX_UNPACKED_BYTES")


def test_a_docx_with_too_many_xml_elements_is_413_before_it_is_parsed(parser, monkeypatch):
    limit = DEFAULTS.max_docx_xml_nodes

    def document_xml(archive: zipfile.ZipFile) -> None:
        body = b"<w:p/>" * (limit + 1)  # well under the unpacked limit
        archive.writestr("word/document.xml", f'<w:document xmlns:w="{_W}"><w:body>'.encode() + body
                         + b"</w:body></w:document>")

    data = _docx(document_xml)
    monkeypatch.setattr("docx.Document", lambda *_: pytest.fail("the document was built"))
    _refused(_upload(parser, data, "nodes.docx"), "docx_too_complex", limit, "MEDGRADE_PARSER_MAX_DOCX_XML_NODES")


def test_a_docx_within_the_limits_still_reads(parser, rendered):
    assert _upload(parser, rendered["docx"], "t.docx").status_code == 200


def test_a_pdf_with_too_many_pages_is_413_before_any_text_is_extracted(parser, monkeypatch):
    limit = DEFAULTS.max_pdf_pages
    writer = PdfWriter()
    for _ in range(limit + 1):
        writer.add_blank_page(width=72, height=72)
    out = io.BytesIO()
    writer.write(out)
    monkeypatch.setattr("pypdf.PageObject.extract_text", lambda *_: pytest.fail("text was extracted"))
    message = _refused(_upload(parser, out.getvalue(), "long.pdf"), "pdf_too_many_pages", limit,
                       "MEDGRADE_PARSER_MAX_PDF_PAGES")
    assert message == f"The PDF has {limit + 1:,} pages; the parser reads at most {limit:,}."


def test_parsing_stops_at_the_callers_deadline_with_504(parser, interview, monkeypatch):
    segment = pipeline.segment

    def slow_segment(utterances):
        time.sleep(1.0)
        return segment(utterances)

    # room for the stages before it even on a loaded machine (a 50 ms deadline once passed while reading)
    monkeypatch.setattr(pipeline, "segment", slow_segment)
    response = parser.post("/parse", json={"text": interview}, headers={DEADLINE_HEADER: "500"})
    assert response.status_code == 504
    error = response.json()["error"]
    assert error["code"] == "deadline_exceeded" and error["details"] == {"stage": "parse (summary)"}
    assert parser.post("/parse", json={"text": interview}, headers={DEADLINE_HEADER: "5000"}).status_code == 200


def test_a_body_over_the_parsers_limit_is_413_with_the_envelope():
    with TestClient(headers=INTERNAL_HEADERS, app=create_app(ParserSettings(port=8002, max_body_bytes=2048))) as small:
        response = small.post("/parse", json={"text": "Doctor: hi", "padding": "x" * 4096})
        assert response.status_code == 413 and response.json()["error"]["code"] == "payload_too_large"
