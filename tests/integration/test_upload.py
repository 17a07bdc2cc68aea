"""``POST /grade/upload`` through the running services: the stroke sample as a Word document
and as WebVTT gets the same key-question decisions as the plain text sent to ``POST /grade``;
a file that only claims to be a PDF is refused with 415."""

from __future__ import annotations

import io
import re

import docx
import pytest

from .conftest import sample

_LINE = re.compile(r"\[(?P<mm>\d{2}):(?P<ss>\d{2})\] (?P<speaker>[^:]+): (?P<text>.*)")


def as_docx(transcript: str) -> bytes:
    """One paragraph per line, as a transcript typed in Word."""
    document = docx.Document()
    for line in transcript.splitlines():
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def as_vtt(transcript: str) -> bytes:
    """One cue per line, spoken with a voice span; a cue ends where the next later one starts."""
    lines = [m.groupdict() for m in map(_LINE.fullmatch, transcript.splitlines()) if m]
    starts = [int(line["mm"]) * 60 + int(line["ss"]) for line in lines]
    cues = []
    for i, (start, line) in enumerate(zip(starts, lines, strict=True)):
        end = next((s for s in starts[i + 1:] if s > start), start + 5)
        cues.append(f"{start // 60:02d}:{start % 60:02d}.000 --> {end // 60:02d}:{end % 60:02d}.000\n"
                    f"<v {line['speaker']}>{line['text']}\n")
    return ("WEBVTT\n\n" + "\n".join(cues)).encode()


def upload(api, filename: str, content: bytes, content_type: str, **fields: str):
    return api.post("/grade/upload", files={"file": (filename, content, content_type)},
                    data={"rubric_id": "stroke_v1", "student_id": "it-upload", **fields})


def decisions(result: dict) -> dict[str, tuple[bool, str | None]]:
    """Each key question: asked or not, and the start of the student span it cites."""
    questions = result["details"]["key_questions"]["details"]["questions"]
    return {q["id"]: (q["asked"], q["citation"].rsplit("-", 1)[0] if q["citation"] else None) for q in questions}


@pytest.fixture(scope="module")
def plain(api) -> dict:
    response = api.post("/grade", json={"rubric_id": "stroke_v1", "student_id": "it-upload",
                                        "submission": {"oral_transcript": sample("stroke_interview.txt")}})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize(("filename", "render", "content_type"), [
    ("stroke.docx", as_docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("stroke.vtt", as_vtt, "text/vtt"),
])
def test_an_uploaded_transcript_gets_the_key_question_decisions_of_the_text(api, plain, filename, render,
                                                                           content_type):
    response = upload(api, filename, render(sample("stroke_interview.txt")), content_type)
    assert response.status_code == 200, response.text
    result = response.json()
    assert decisions(result) == decisions(plain)
    assert any(asked for asked, _ in decisions(result).values())
    assert result["detected_order"] == plain["detected_order"]
    assert result["components"]["key_questions"] == pytest.approx(plain["components"]["key_questions"])
    assert api.get(f"/gradings/{result['grading_id']}").json() == result


def test_a_summary_text_field_is_graded_as_the_summary(api):
    response = upload(api, "stroke.docx", as_docx(sample("stroke_interview.txt")),
                      "application/octet-stream", summary_text="A 68-year-old man with sudden arm weakness.")
    assert response.status_code == 200, response.text
    assert response.json()["summary"]["source"] == "summary_text"


def test_a_file_that_only_claims_to_be_a_pdf_is_415(api):
    response = upload(api, "stroke.pdf", sample("stroke_interview.txt").encode(), "application/pdf")
    assert response.status_code == 415, response.text
    error = response.json()["error"]
    assert error["code"] == "unsupported_file_type"
    assert error["details"]["service"] == "document_parser"


def test_an_unknown_rubric_is_404_for_an_upload_too(api):
    response = upload(api, "stroke.vtt", as_vtt(sample("stroke_interview.txt")), "text/vtt", rubric_id="no_such_rubric")
    assert response.status_code == 404, response.text
    assert response.json()["error"]["code"] == "rubric_not_found"
