"""The section of a consultation excerpt: summed evidence and learned weights
(``benchmarks/snippet_classifier.py``, the benchmarks' reference classifier)."""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from document_parser.parsing.pipeline import parse_transcript
from medgrade_shared.models.vocabulary import SECTION_NAMES, SUMMARY_SECTION


def _load_classifier():
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "snippet_classifier.py"
    spec = importlib.util.spec_from_file_location("snippet_classifier", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # NamedTuple looks its module up there
    spec.loader.exec_module(module)
    return module


snippets = _load_classifier()


def utterances(text: str):
    return parse_transcript(text, "text").utterances


@pytest.mark.parametrize(("section", "text"), [
    ("CC", "Doctor: What brings you in today?\nPatient: I have a bad headache."),
    ("ALLERGIES", "Doctor: Are you allergic to any medications?\nPatient: Penicillin gives me a rash."),
    ("MEDS", "Doctor: What medications are you taking?\nPatient: Metformin twice a day and lisinopril."),
    ("SH", "Doctor: Do you smoke or drink alcohol?\nPatient: I quit smoking ten years ago, and a glass of wine "
           "on Fridays."),
    ("FH", "Doctor: Does anything run in your family?\nPatient: My father had a heart attack at fifty and my mother "
           "has diabetes."),
    ("PMH", "Doctor: Have you had any surgeries in the past?\nPatient: My appendix was removed when I was twelve."),
    ("ROS", "Doctor: Any fever, chills, cough, shortness of breath, nausea or vomiting?\nPatient: No, none of that."),
])
def test_excerpts_get_their_section(section: str, text: str) -> None:
    assert snippets.snippet_section(utterances(text)) == section


def test_the_shipped_weights_say_where_they_come_from() -> None:
    raw = json.loads(snippets.MODEL_PATH.read_text(encoding="utf-8"))
    assert raw["source"]["file"] == "Main-Dataset/MTS-Dialog-TrainingSet.csv"
    assert raw["license"].startswith("CC BY 4.0") and "Ben Abacha" in raw["citation"]
    assert raw["trained_by"] == "benchmarks/train_snippet_sections.py"
    model = snippets.load_model()
    assert set(model.classes) == {*SECTION_NAMES, snippets.SOCIAL_OR_FAMILY} - {SUMMARY_SECTION, "SH", "FH"}
    assert all(set(by_class) <= set(model.classes) for by_class in model.weights.values())


def tiny_model(bias: dict[str, float], weights: dict[str, dict[str, float]]) -> snippets.Model:
    return snippets.model_from_json({"classes": list(bias), "bias": bias, "weights": weights})


def test_the_class_with_the_highest_score_wins_and_sh_fh_is_split_by_the_evidence() -> None:
    model = tiny_model({"HPI": 0.0, "SH/FH": 0.0}, {"SH/FH": {"w:family": 2.0}, "HPI": {"lex:HPI": 1.0}})
    family = utterances("Doctor: Any heart disease in the family?\nPatient: My dad had a stroke.")
    assert snippets.snippet_section(family, model) == "FH"
    social = utterances("Doctor: Do you smoke? Any family at home?\nPatient: No, I live alone.")
    assert snippets.snippet_section(social, model) == "SH"
    assert snippets.snippet_section(utterances("Doctor: When did it start?\nPatient: Yesterday."), model) == "HPI"


def test_no_utterances_is_the_default_and_the_lexicon_alone_picks_the_most_evidence() -> None:
    assert snippets.snippet_section([]) == snippets.DEFAULT
    totals = snippets.evidence_totals(utterances("Doctor: Are you allergic to anything?\nPatient: No."))
    assert snippets.lexicon_section(totals) == "ALLERGIES"
    assert snippets.lexicon_section(snippets.evidence_totals([])) == snippets.DEFAULT


def test_features_are_the_summed_evidence_and_the_words_used() -> None:
    found = snippets.features(utterances("Doctor: Do you smoke?\nPatient: Never."))
    assert found["lex:SH"] > 0 and found["w:smoke"] == 1.0 and found["w:never"] == 1.0
