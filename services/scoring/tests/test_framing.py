"""A sentence's question frame: the complaint's own words taken out (scoring.evaluators.framing)."""

from __future__ import annotations

import pytest

from medgrade_shared.models.rubric import Rubric
from medgrade_shared.models.transcript import ParsedTranscript, Utterance
from scoring.evaluators.decision import COLUMN
from scoring.evaluators.framing import complaint_stems, framed
from scoring.evaluators.key_questions import question_evidence


@pytest.mark.parametrize(("title", "expected"), [
    ("Ankle or foot pain", {"ankl", "foot", "pain"}),
    ("Acute chest pain", {"chest", "pain"}),
    ("Lower abdominal pain (woman of reproductive age)", {"abdomin", "pain"}),
    ("Breathlessness, wheeze or chest tightness", {"breathless"}),
    ("", set()),
])
def test_the_complaint_is_named_by_the_title_head(title, expected) -> None:
    assert complaint_stems(title) == expected


ANKLE = complaint_stems("Ankle or foot pain")


@pytest.mark.parametrize(("sentence", "expected"), [
    ("okay and then what have you been doing for your foot or ankle pain since that happened",
     "okay and then what have you been doing for it since that happened"),
    ("what have you done for that left ankle since then", "what have you done for it since then"),
    ("What have you taken for your pain?", "What have you taken for it?"),
    ("And the pain, is it worse at night?", "And it, is it worse at night?"),
    ("any pain or swelling?", "any it or swelling?"),
    ("for the pains the other day", "for it the other day"),  # stems: "pains" names it too
    ("Do you smoke?", None),  # no mention: nothing to frame
])
def test_each_mention_of_the_complaint_becomes_it(sentence, expected) -> None:
    assert framed(sentence, ANKLE) == expected


def test_no_complaint_frames_nothing() -> None:
    assert framed("what have you taken for your ankle pain?", frozenset()) is None


RUBRIC = {
    "rubric_id": "ankle", "weights": {"key_questions": 1.0},
    "key_questions": [
        {"id": "onset", "label": "Onset and mechanism of injury",
         "phrases": ["when did it happen", "how did it happen"]},
        {"id": "site", "label": "Site of the pain", "phrases": ["where does it hurt"]},
        {"id": "treatments_tried", "label": "What they have tried",
         "phrases": ["tried anything", "ice", "painkillers"]},
        {"id": "medications", "label": "Medications and allergies", "phrases": ["medications", "allergies"]},
    ],
}


def test_the_frame_brings_a_question_about_the_complaint_to_the_thesaurus_wording(encoder) -> None:
    # "what have you taken for your ankle pain?" is, in its frame, "what have you taken for it?":
    # nearer the thesaurus' "Have you taken anything for it?" than the sentence with its nouns
    sentence = "what have you taken for your ankle pain?"
    parsed = ParsedTranscript(utterances=[Utterance(index=0, speaker="I", role="interviewer", text=sentence,
                                                    match_text=sentence)])

    def expansion(title: str | None) -> float:
        rubric = Rubric.model_validate({**RUBRIC, "title": title})
        evidence = {e.question.id: e for e in question_evidence(rubric, parsed, encoder)}["treatments_tried"]
        return float(evidence.features[0, COLUMN["expansion"]])

    assert expansion("Ankle or foot pain") > expansion(None) + 0.1
