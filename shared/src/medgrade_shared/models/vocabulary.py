"""The names every service shares, each written once: the scored components, the history
sections, and the transcript formats. Rubrics, parse results, scoring, the routes and the
parser's lexicon all take them from here."""

from __future__ import annotations

from typing import Literal, get_args

ComponentName = Literal["structure", "key_questions", "reasoning", "summary", "communication"]
COMPONENTS: tuple[ComponentName, ...] = get_args(ComponentName)
"""In the order results, reports and CSV columns list them."""

SectionName = Literal["CC", "HPI", "ROS", "PMH", "MEDS", "ALLERGIES", "SH", "FH", "Summary"]
SECTION_NAMES: tuple[SectionName, ...] = get_args(SectionName)
"""Chief complaint, history of the presenting illness, review of systems, past medical history,
medications, allergies, social and family history, and the closing summary."""
SUMMARY_SECTION: SectionName = "Summary"

TextFormat = Literal["auto", "text", "vtt", "srt", "json"]
"""Formats a transcript sent as text may have; ``auto`` tells it from the text."""
UploadFormat = Literal["auto", "text", "vtt", "srt", "json", "docx", "pdf"]
"""Formats an uploaded transcript file may have; ``auto`` tells it from the bytes."""
