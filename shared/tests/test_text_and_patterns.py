from __future__ import annotations

import pytest

from medgrade_shared.patterns import PatternError, compile_pattern
from medgrade_shared.questions import statement_starts
from medgrade_shared.text import (
    _normalise_folded,
    contains_phrase,
    count_tokens,
    normalise,
    split_sentences,
)


def test_phrase_matching_respects_word_boundaries_and_case():
    text = normalise("Any STROKES before? Did you have a mini-stroke?")
    assert contains_phrase(text, "mini stroke")
    assert not contains_phrase(text, "stroke before")
    assert not contains_phrase(normalise("a strokes"), "stroke")
    assert not contains_phrase(text, "  ")


def test_token_count():
    assert count_tokens(" 72-year-old man,  left arm weakness ") == 5


@pytest.mark.parametrize("text", [
    "Okay. It's 7 OUT of 10, isn't it?", "".join(chr(c) for c in range(128)), "", " \t\n", "<UNIN/> x-y_z",
    "Cr\u00e8me br\u00fbl\u00e9e\u2019s fine", "na\u00efve \u2013 caf\u00e9",
    "\u00bd \ufb01ne \u2460 \u00c6", "\u65e5\u672c x",
])
def test_normalise_gives_the_general_path_result_for_any_text(text):
    assert normalise(text) == _normalise_folded(text)


def test_catastrophic_pattern_gives_no_match():
    pattern = compile_pattern(r"(a+)+$")
    assert pattern.search("a" * 100_000 + "!") is None


@pytest.mark.parametrize("bad", ["", "   ", "(a", r"(\w)\1", "(?=x)", "x" * 3000])
def test_invalid_or_unsupported_patterns_are_refused(bad):
    with pytest.raises(PatternError):
        compile_pattern(bad)


@pytest.mark.parametrize(("text", "sentences"), [
    ("OK, all right.Um, now, have you taken any medication? It's fine.",
     ["OK, all right.", "Um, now, have you taken any medication?", "It's fine."]),
    ("He denies headache. no vomiting.", ["He denies headache.", "no vomiting."]),
    ("Dr. Patel saw him, e.g. on Monday. Then he left.", ["Dr. Patel saw him, e.g. on Monday.", "Then he left."]),
    ("Is it 2.5 mg?", ["Is it 2.5 mg?"]),
    ("Any pain? ... ?", ["Any pain? ... ?"]),
    ("[[[[", ["[[[["]),
    ("  \n ", []),
])
def test_split_sentences(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


def test_split_sentences_loses_no_word() -> None:
    text = "Hello. ... Any chest pain?No. Dr. Who? [[[[ fine!"
    assert "".join(split_sentences(text)).replace(" ", "") == text.replace(" ", "")


def test_no_is_an_answer_not_an_abbreviation() -> None:
    assert split_sentences("No. Just my stomach hurts.") == ["No.", "Just my stomach hurts."]


@pytest.mark.parametrize(("text", "clauses"), [
    ("okay and any fever i think you have a knee sprain", ["i think you have a knee sprain"]),
    ("so let's do a quick exam", ["let's do a quick exam"]),
    ("are you taking it i think we have you on twenty", ["i think we have you on twenty", "we have you on twenty"]),
    ("can i ask you something", []),  # an auxiliary before its subject: a question
    ("do we need to see you again", []),
    ("and how is it going", []),
])
def test_statement_starts_mark_the_speakers_own_clauses(text, clauses) -> None:
    assert [text[start:] for start in statement_starts(text)] == clauses
