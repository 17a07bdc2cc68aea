"""``POST /parse/upload``: the type comes from the bytes, sizes and encodings are checked, and
no file, however broken, gets a 500."""

import io
import zipfile
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader, PdfWriter

from document_parser.core.config import ParserSettings
from document_parser.main import create_app
from medgrade_shared.testing.internal_token import INTERNAL_HEADERS

DIALOGUE = "Doctor: What brings you in? Any allergies?\nPatient: A rash, caf\u00e9 au lait spots \u2013 itchy.\n"


def upload(client: TestClient, data: bytes, filename: str = "t.txt", **form: str):
    return client.post("/parse/upload", files={"file": (filename, data)}, data=form)


def error_code(response) -> str:
    return response.json()["error"]["code"]


def encrypted(pdf: bytes, user_password: str) -> bytes:
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password, owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("data", [
    DIALOGUE.encode("utf-8"), b"\xef\xbb\xbf" + DIALOGUE.encode("utf-8"), DIALOGUE.encode("utf-16"),
    b"\xfe\xff" + DIALOGUE.encode("utf-16-be"), DIALOGUE.encode("cp1252"),
])
def test_text_in_every_supported_encoding_reads_the_same(client: TestClient, data: bytes) -> None:
    response = upload(client, data)
    assert response.status_code == 200
    body = response.json()
    assert body["format"] == "text"
    assert [u["text"] for u in body["utterances"]] == ["What brings you in? Any allergies?",
                                                      "A rash, caf\u00e9 au lait spots \u2013 itchy."]


def test_invalid_utf8_bytes_are_replaced_not_a_500(client: TestClient) -> None:
    response = upload(client, b"Doctor: Hello \x81\x8d there\nPatient: Hi \xff\xfe\n")
    assert response.status_code == 200
    assert response.json()["utterances"][0]["text"] == "Hello \ufffd\ufffd there"


def test_vtt_upload_with_summary_text_and_format_fields(client: TestClient) -> None:
    vtt = b"WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Doctor>How can I help?\n"
    response = upload(client, vtt, "call.vtt", summary_text="Cough for a week.", format="vtt")
    assert response.status_code == 200
    assert response.json()["format"] == "vtt"
    assert response.json()["summary"] == {"text": "Cough for a week.", "tokens": 4, "source": "summary_text"}


def test_docx_and_pdf_are_recognised_by_their_bytes_whatever_the_name(client: TestClient,
                                                                      rendered: dict[str, bytes]) -> None:
    for kind in ("docx", "pdf"):
        response = upload(client, rendered[kind], "transcript.bin")
        assert response.status_code == 200
        assert response.json()["format"] == kind


def test_file_over_the_size_limit_is_a_413() -> None:
    with TestClient(headers=INTERNAL_HEADERS,
                    app=create_app(ParserSettings(port=8002, max_upload_bytes=1000))) as small:
        response = upload(small, b"Doctor: " + b"a" * 1000)
        assert response.status_code == 413
        assert error_code(response) == "file_too_large"
        assert upload(small, b"Doctor: hi").status_code == 200


@pytest.mark.parametrize(("data", "filename", "form"), [
    (b"Doctor: this is text", "transcript.pdf", {}),
    (b"Doctor: this is text", "transcript.docx", {}),
    (b"Doctor: this is text", "t.txt", {"format": "pdf"}),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "scan.png", {}),
])
def test_a_file_that_is_not_what_it_claims_or_not_a_transcript_is_a_415(
        client: TestClient, data: bytes, filename: str, form: dict[str, str]) -> None:
    response = upload(client, data, filename, **form)
    assert response.status_code == 415
    assert error_code(response) == "unsupported_file_type"


def test_a_zip_that_is_not_a_word_document_is_a_415(client: TestClient) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("notes.txt", "Doctor: hi")
    response = upload(client, archive.getvalue(), "notes.docx")
    assert response.status_code == 415


def test_encrypted_pdf_is_a_422_saying_so(client: TestClient, make_pdf: Callable[[str], bytes]) -> None:
    response = upload(client, encrypted(make_pdf("Doctor: Hello\nPatient: Hi"), "secret"), "t.pdf")
    assert response.status_code == 422
    assert error_code(response) == "pdf_encrypted"
    assert "encrypted" in response.json()["error"]["message"]


def test_pdf_locked_only_against_editing_opens_like_in_any_viewer(client: TestClient,
                                                                  make_pdf: Callable[[str], bytes]) -> None:
    response = upload(client, encrypted(make_pdf("Doctor: Hello\nPatient: Hi"), ""), "t.pdf")
    assert response.status_code == 200
    assert [u["text"] for u in response.json()["utterances"]] == ["Hello", "Hi"]


def test_pdf_without_a_text_layer_is_a_422_saying_it_needs_one(client: TestClient,
                                                               make_pdf: Callable[[str], bytes]) -> None:
    response = upload(client, make_pdf(""), "scan.pdf")
    assert response.status_code == 422
    assert error_code(response) == "pdf_no_text_layer"
    assert "text layer" in response.json()["error"]["message"]


@pytest.mark.parametrize("data", [b"", b"   \r\n\t ", b"\xef\xbb\xbf  \n"])
def test_empty_or_whitespace_file_is_a_422(client: TestClient, data: bytes) -> None:
    response = upload(client, data)
    assert response.status_code == 422
    assert error_code(response) == "empty_transcript"


@pytest.mark.parametrize(("data", "filename", "code"), [
    (b"%PDF-1.7\n%garbage that is not a pdf at all", "t.pdf", "invalid_pdf"),
    (b"PK\x03\x04 truncated zip", "t.docx", "unsupported_file_type"),
    (b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Doctor>\n", "t.vtt", "no_utterances"),
])
def test_broken_files_are_4xx_never_500(client: TestClient, data: bytes, filename: str, code: str) -> None:
    response = upload(client, data, filename)
    assert 400 <= response.status_code < 500
    assert error_code(response) == code


def test_a_broken_word_document_is_a_422(client: TestClient) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("word/document.xml", "<not-word/>")
    response = upload(client, archive.getvalue(), "t.docx")
    assert response.status_code == 422
    assert error_code(response) == "invalid_docx"
