from document_parser.parsing.pipeline import parse_transcript


def test_lines_without_stamp_or_label_continue_the_utterance() -> None:
    parsed = parse_transcript("[00:01] Doctor: How are you?\n[00:03] Patient: Not great.\nI have a cough\n\n"
                              "and a fever.\n[00:09] Doctor: I see.", "text")
    assert [u.speaker for u in parsed.utterances] == ["Doctor", "Patient", "Doctor"]
    assert parsed.utterances[1].text == "Not great.\nI have a cough\nand a fever."
    assert parsed.utterances[1].match_text == "Not great. I have a cough and a fever."


def test_stamp_without_label_starts_a_new_utterance_by_the_same_speaker() -> None:
    parsed = parse_transcript("[00:01] Patient: It hurts.\n[00:05] Mostly at night.\n[00:09] Doctor: OK.", "text")
    assert [(u.speaker, u.text, u.start) for u in parsed.utterances] == [
        ("Patient", "It hurts.", 1.0), ("Patient", "Mostly at night.", 5.0), ("Doctor", "OK.", 9.0)]


def test_label_with_text_on_the_next_line_keeps_the_text() -> None:
    parsed = parse_transcript("Doctor:\nWhat brings you in?\nPatient: A rash.", "text")
    assert [(u.speaker, u.text) for u in parsed.utterances] == [("Doctor", "What brings you in?"),
                                                                 ("Patient", "A rash.")]


def test_label_with_no_text_at_all_is_not_an_utterance() -> None:
    parsed = parse_transcript("Doctor: Hello.\nPatient:\nDoctor: Can you hear me?", "text")
    assert [u.text for u in parsed.utterances] == ["Hello.", "Can you hear me?"]


def test_no_text_is_dropped() -> None:
    lines = ["Doctor: One.", "two", "Patient: Three.", "", "four", "Dr: Five."]
    parsed = parse_transcript("\n".join(lines), "text")
    words = " ".join(u.match_text for u in parsed.utterances)
    assert words == "One. two Three. four Five."
    assert [u.index for u in parsed.utterances] == [0, 1, 2]


def test_first_line_without_label_makes_a_student_monologue() -> None:
    parsed = parse_transcript("This is Mrs Smith, 70.\nPatient: she lives alone.\nShe has a cough.", "text")
    assert {(u.speaker, u.role) for u in parsed.utterances} == {("Student", "interviewer")}
    assert parsed.roles_inferred is True
    assert "Patient: she lives alone." in " ".join(u.text for u in parsed.utterances)
    assert [w.code for w in parsed.warnings] == ["monologue"]


def test_untimed_monologue_is_split_at_headings_and_sentences() -> None:
    parsed = parse_transcript("History of present illness\nPain for two days. It is worse at night.\n"
                              "Medications: none.", "text")
    assert [u.text for u in parsed.utterances] == ["History of present illness", "Pain for two days.",
                                                   "It is worse at night.", "Medications: none."]
    assert all(u.start is None and u.end is None for u in parsed.utterances)


def test_timed_monologue_splits_at_stamps_and_headings() -> None:
    parsed = parse_transcript("[00:00] Chief complaint: chest pain.\nHe is 58.\nHPI: started at rest.\n"
                              "[00:20] Summary: likely angina.", "text")
    assert [(u.text, u.start) for u in parsed.utterances] == [
        ("Chief complaint: chest pain.\nHe is 58.", 0.0), ("HPI: started at rest.", 0.0),
        ("Summary: likely angina.", 20.0)]
    unstamped = next(w for w in parsed.warnings if w.code == "unstamped_utterances")
    assert unstamped.message.startswith("1 utterance(s) had no time stamp")
