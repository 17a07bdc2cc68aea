"""The bump rule and If-Match comparison."""

from __future__ import annotations

import pytest

from rubric_management.versioning import etag_matches, next_version


@pytest.mark.parametrize(("latest", "expected"), [("1.0.0", "1.1.0"), ("1.4.2", "1.5.0"), ("0.9.9", "0.10.0"),
                                                  ("2.19.0", "2.20.0")])
def test_every_edit_bumps_the_minor_version(latest: str, expected: str) -> None:
    assert next_version(latest) == expected


@pytest.mark.parametrize(("if_match", "matches"), [
    ('"abc"', True), ('"x", "abc"', True), ("*", True), ('"x",*', True),
    ('W/"abc"', False), ("abc", False), ('"abcd"', False), ("", False),
])
def test_if_match_uses_strong_comparison(if_match: str, matches: bool) -> None:
    assert etag_matches(if_match, '"abc"') is matches
