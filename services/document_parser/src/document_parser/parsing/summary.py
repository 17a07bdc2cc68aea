"""The summary the summary scorer grades: the one submitted, else the transcript's own."""

from __future__ import annotations

from medgrade_shared.models.transcript import Section, SummaryText, Utterance
from medgrade_shared.models.vocabulary import SUMMARY_SECTION
from medgrade_shared.text import count_tokens


def build_summary(summary_text: str | None, utterances: list[Utterance], sections: list[Section]) -> SummaryText:
    if summary_text is not None and summary_text.strip():
        return SummaryText(text=summary_text, tokens=count_tokens(summary_text), source="summary_text")
    spoken = " ".join(
        utterances[i].match_text
        for section in sections if section.name == SUMMARY_SECTION
        for i in range(section.start_index, section.end_index + 1)
        if utterances[i].addresses_patient and utterances[i].match_text
    )
    if spoken:
        return SummaryText(text=spoken, tokens=count_tokens(spoken), source="transcript")
    return SummaryText()
