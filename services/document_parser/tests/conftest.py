from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from document_parser.core.config import ParserSettings
from document_parser.main import create_app

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
    with TestClient(create_app(ParserSettings(port=8002, max_chars=200_000))) as test_client:
        yield test_client
