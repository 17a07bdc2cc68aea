from __future__ import annotations

import time

import pytest

from medgrade_shared.patterns import PatternError, compile_pattern
from medgrade_shared.text import contains_phrase, count_tokens, normalise


def test_phrase_matching_respects_word_boundaries_and_case():
    text = normalise("Any STROKES before? Did you have a mini-stroke?")
    assert contains_phrase(text, "mini stroke")
    assert not contains_phrase(text, "stroke before")
    assert not contains_phrase(normalise("a strokes"), "stroke")
    assert not contains_phrase(text, "  ")


def test_token_count():
    assert count_tokens(" 72-year-old man,  left arm weakness ") == 5


def test_catastrophic_pattern_runs_in_linear_time():
    pattern = compile_pattern(r"(a+)+$")
    started = time.perf_counter()
    assert pattern.search("a" * 100_000 + "!") is None
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize("bad", ["", "   ", "(a", r"(\w)\1", "(?=x)", "x" * 3000])
def test_invalid_or_unsupported_patterns_are_refused(bad):
    with pytest.raises(PatternError):
        compile_pattern(bad)
