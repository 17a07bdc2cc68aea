import pytest

from document_parser.parsing.lines import iter_lines
from document_parser.parsing.timestamps import parse_clock


def only_line(text: str):
    (line,) = iter_lines(text)
    return line


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("[00:12] Doctor: When did it start?", 12.0),
        ("(01:05) Patient: About two hours ago.", 65.0),
        ("01:10 Student: Any weakness?", 70.0),
        ("00:01:10 Dr: Any numbness?", 70.0),
        ("[01:02:03] Doctor: Still there?", 3723.0),
        ("00:12.5 Doctor: Fractional.", 12.5),
        ("[00:12] - Doctor: With a dash.", 12.0),
    ],
)
def test_each_stamp_style_gives_seconds_and_the_label(text: str, seconds: float) -> None:
    line = only_line(text)
    assert line.stamp == seconds
    assert line.label is not None
    assert line.body and line.body[0].isupper()


def test_a_line_without_a_stamp_has_no_time() -> None:
    line = only_line("Doctor: Hello")
    assert (line.stamp, line.label, line.body) == (None, "Doctor", "Hello")


def test_a_time_inside_the_text_is_not_a_stamp() -> None:
    line = only_line("Patient: It started at 10:30 this morning.")
    assert line.stamp is None
    assert line.body == "It started at 10:30 this morning."


def test_a_clock_without_a_space_after_it_is_not_a_stamp() -> None:
    assert only_line("10:30am it started").stamp is None


def test_parse_clock_accepts_whole_clocks_only() -> None:
    assert parse_clock("01:05") == 65.0
    assert parse_clock("1:00:00.25") == 3600.25
    assert parse_clock("soon") is None
