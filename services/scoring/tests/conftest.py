"""Rubric fixtures (tests/data), builders of parsed transcripts made with the shared models, and
the real sentence-embedding model (it ships in a package), loaded once per test session."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from medgrade_shared.models.rubric import Rubric
from medgrade_shared.models.transcript import ParsedTranscript, SummaryText, Utterance
from medgrade_shared.text import count_tokens
from scoring.semantic.model import Encoder, load_encoder

pytest_plugins = ["medgrade_shared.testing.internal_token"]

DATA = Path(__file__).parent / "data"

MakeParsed = Callable[..., ParsedTranscript]


def load_rubric_dict(name: str) -> dict:
    return json.loads((DATA / f"{name}.json").read_text())


@pytest.fixture(scope="session")
def encoder() -> Encoder:
    return load_encoder()


@pytest.fixture
def stroke_dict() -> dict:
    return load_rubric_dict("stroke_v1")


@pytest.fixture
def chest_dict() -> dict:
    return load_rubric_dict("chest_pain_v1")


@pytest.fixture
def stroke(stroke_dict: dict) -> Rubric:
    return Rubric.model_validate(stroke_dict)


@pytest.fixture
def chest(chest_dict: dict) -> Rubric:
    return Rubric.model_validate(chest_dict)


@pytest.fixture
def make_parsed() -> MakeParsed:
    """Utterance i spans [10*i, 10*i + 8) seconds unless ``timed=False``."""

    def build(lines: Sequence[tuple[str, str]] = (), *, timed: bool = True, detected_order: Sequence[str] = (),
              summary: str | None = None, summary_source: str = "summary_text") -> ParsedTranscript:
        utterances = [
            Utterance(index=i, speaker=role.upper(), role=role, text=text, match_text=text,
                      start=10.0 * i if timed else None, end=10.0 * i + 8 if timed else None)
            for i, (role, text) in enumerate(lines)
        ]
        summary_text = (SummaryText(text=summary, tokens=count_tokens(summary), source=summary_source)
                        if summary is not None else SummaryText())
        return ParsedTranscript(utterances=utterances, detected_order=list(detected_order), summary=summary_text)

    return build


@pytest.fixture
def chest_transcript(make_parsed: MakeParsed) -> ParsedTranscript:
    """A good chest-pain interview that misses the exertion question and the PE link."""
    return make_parsed(
        [
            ("interviewer", "Hello, my name is Sam, one of the medical students."),
            ("patient", "I have had this crushing chest pain since this morning."),
            ("interviewer", "That sounds frightening. Does the pain spread to your arm or jaw?"),
            ("patient", "Yes, to my left arm."),
            ("interviewer", "Because you smoke and have diabetes, ACS is my main worry."),
        ],
        detected_order=["CC", "HPI", "PMH", "MEDS", "Summary"],
        summary="55-year-old man with chest pain that started two hours ago.",
    )
