from document_parser.parsing.pipeline import parse_transcript
from document_parser.parsing.timing import estimated_end


def test_end_is_the_next_later_start() -> None:
    parsed = parse_transcript("[00:02] Doctor: Hi.\n[00:05] Patient: Hello.\n[00:09] Doctor: Bye.", "text")
    assert [(u.start, u.end, u.end_estimated) for u in parsed.utterances[:2]] == [(2.0, 5.0, False),
                                                                                  (5.0, 9.0, False)]


def test_neighbours_in_the_same_second_end_at_the_next_strictly_later_start() -> None:
    parsed = parse_transcript("[01:39] Doctor: Feverish?\n[01:39] Patient: Yeah.\n[01:46] Patient: Um, no.", "text")
    assert [u.end for u in parsed.utterances[:2]] == [106.0, 106.0]
    assert all(u.end > u.start for u in parsed.utterances)


def test_last_end_is_estimated_from_speech_rate() -> None:
    parsed = parse_transcript("[00:00] Doctor: Hi.\n[00:10] Patient: one two three four five six seven eight nine ten",
                              "text")
    last = parsed.utterances[-1]
    assert last.end_estimated is True
    assert last.end == 10.0 + 10 / 2.5


def test_estimated_duration_is_at_least_a_second() -> None:
    assert estimated_end(3.0, 1) == 4.0
    assert estimated_end(3.0, 0) == 4.0


def test_stamps_going_backwards_still_give_end_after_start() -> None:
    parsed = parse_transcript("[00:30] Doctor: A.\n[00:10] Patient: B.\n[00:20] Doctor: C.", "text")
    assert all(u.end > u.start for u in parsed.utterances)
    assert parsed.utterances[1].end == 20.0


def test_untimed_transcript_has_no_times() -> None:
    parsed = parse_transcript("Doctor: Hi.\nPatient: Hello.", "text")
    assert all(u.start is None and u.end is None and not u.end_estimated for u in parsed.utterances)
