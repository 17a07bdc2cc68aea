import io
import json
from collections.abc import Callable, Iterator

import docx
import pytest
from fastapi.testclient import TestClient
from fpdf import FPDF

from document_parser.core.config import ParserSettings
from document_parser.main import create_app
from medgrade_shared.testing.internal_token import INTERNAL_HEADERS

pytest_plugins = ["medgrade_shared.testing.internal_token"]

INTERVIEW = """\
[00:00] Student: Hello, I'm a medical student. What brings you in today?
[00:05] Patient: I've had a bad headache.
[00:10] Student: When did it start?
[00:12] Patient: Two days ago, quite suddenly.
[00:15] Student: Can you describe the pain? Where is the pain?
[00:20] Patient: Behind my eyes, throbbing.
[00:25] Student: Any fever?
[00:27] Patient: No.
[00:30] Student: Does anything make it worse or better?
[00:34] Patient: Light makes it worse.
[00:38] Student: Does it radiate anywhere? How bad is it out of 10?
[00:42] Patient: Not really. Seven out of ten.
[00:46] Student: Do you have any medical conditions? Any operations in the past?
[00:50] Patient: Just asthma.
[00:54] Student: Do you take any regular medications?
[00:57] Patient: A salbutamol inhaler.
[01:00] Student: Do you have any allergies?
[01:02] Patient: Penicillin gives me a rash.
[01:05] Student: Do you smoke or drink alcohol?
[01:08] Patient: I don't smoke, a glass of wine at weekends.
[01:12] Student: Does anything run in the family? Any family history of migraine?
[01:16] Patient: My mother had migraines.
[01:20] Student: So to summarise, you are a 30-year-old with two days of headache, a family history of migraine \
and asthma.
[01:30] Patient: Yes, that's right.
"""

PRESENTATION = """\
Chief complaint: Mr Jones is a 58-year-old man presenting with chest pain for two hours.

History of present illness: The pain started suddenly at rest. It radiates to the left arm
and is 8 out of 10. He has had no fever.
Past medical history: hypertension and type 2 diabetes.
Medications: ramipril and metformin.
Allergies: penicillin.
Social history: he smokes 20 a day and drinks 10 units a week.
Family history: his father had an MI at 50.
Summary: a 58-year-old smoker with a family history of MI and two hours of chest pain.
"""


@pytest.fixture
def interview() -> str:
    """A timed student interview covering every section, ending with a summary."""
    return INTERVIEW


@pytest.fixture
def presentation() -> str:
    """An untimed oral case presentation with a heading per section."""
    return PRESENTATION


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(headers=INTERNAL_HEADERS,
                    app=create_app(ParserSettings(port=8002, max_chars=200_000))) as test_client:
        yield test_client


CONSULTATION = [  # (start in seconds, speaker, text): one short consultation, rendered in every format
    (2, "Doctor", "Hello, I'm Dr Shah. What brings you in today?"),
    (6, "Patient", "I've had a cough for about a week, and a <UNSURE>bit of</UNSURE> fever."),
    (12, "Doctor", "When did it start? Is it worse at night?"),
    (17, "Patient", "Last Monday. Yes, worse at night."),
    (21, "Doctor", "Any shortness of breath, chest pain or weight loss?"),
    (26, "Patient", "No, none of that <UNIN/>."),
    (30, "Doctor", "Do you have any medical conditions, such as asthma?"),
    (35, "Patient", "Just high blood pressure."),
    (39, "Doctor", "What medications do you take?"),
    (43, "Patient", "Amlodipine, five milligrams."),
    (47, "Doctor", "Do you have any allergies to medicines?"),
    (51, "Patient", "Penicillin gives me a rash."),
    (55, "Doctor", "Do you smoke or drink alcohol?"),
    (59, "Patient", "I stopped smoking ten years ago."),
    (63, "Doctor", "Is there any family history of lung problems?"),
    (68, "Patient", "My father had COPD."),
    (72, "Doctor", "So to summarise, a week of cough and fever in a man with high blood pressure, allergic to "
                   "penicillin."),
    (80, "Patient", "Yes, that's right."),
]


def clock(seconds: int, separator: str = ".") -> str:
    return f"00:{seconds // 60:02d}:{seconds % 60:02d}{separator}000"


def render_txt(lines: list[tuple[int, str, str]]) -> str:
    return "".join(f"[{s // 60:02d}:{s % 60:02d}] {speaker}: {text}\n" for s, speaker, text in lines)


def render_vtt(lines: list[tuple[int, str, str]]) -> str:
    return "WEBVTT\n\n" + "\n".join(f"{clock(s)} --> {clock(s + 3)}\n<v {speaker}>{text.replace(' <UNIN/>', '')}\n"
                                    for s, speaker, text in lines)


def render_srt(lines: list[tuple[int, str, str]]) -> str:
    return "\n".join(f"{i}\n{clock(s, ',')} --> {clock(s + 3, ',')}\n{speaker}: {text}\n"
                     for i, (s, speaker, text) in enumerate(lines, 1))


def render_docx(lines: list[tuple[int, str, str]]) -> bytes:
    """A title paragraph, then a Time | Speaker | Text table, as transcription services export."""
    document = docx.Document()
    document.add_paragraph("Consultation transcript")
    table = document.add_table(rows=1, cols=3)
    for cell, title in zip(table.rows[0].cells, ("Time", "Speaker", "Text"), strict=True):
        cell.text = title
    for s, speaker, text in lines:
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = f"{s // 60:02d}:{s % 60:02d}", speaker, text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def render_pdf(text: str) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for line in text.splitlines():
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


@pytest.fixture
def consultation() -> list[tuple[int, str, str]]:
    return CONSULTATION


def render_json(lines: list[tuple[int, str, str]]) -> str:
    return json.dumps([{"speaker": speaker, "text": text, "start": s} for s, speaker, text in lines])


def render_all(lines: list[tuple[int, str, str]]) -> dict[str, bytes]:
    """The lines as the bytes of a .txt, .vtt, .srt, .docx, .pdf and .json file."""
    txt = render_txt(lines)
    return {"txt": txt.encode(), "vtt": render_vtt(lines).encode(), "srt": render_srt(lines).encode(),
            "docx": render_docx(lines), "pdf": render_pdf(txt), "json": render_json(lines).encode()}


@pytest.fixture
def rendered(consultation: list[tuple[int, str, str]]) -> dict[str, bytes]:
    """The consultation as the bytes of a .txt, .vtt, .srt, .docx, .pdf and .json file."""
    return render_all(consultation)


@pytest.fixture
def render() -> Callable[[list[tuple[int, str, str]]], dict[str, bytes]]:
    return render_all


@pytest.fixture
def make_pdf() -> Callable[[str], bytes]:
    return render_pdf
