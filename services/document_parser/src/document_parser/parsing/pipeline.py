"""The one entry point: transcript text in, :class:`ParsedTranscript` out. Pure and
synchronous, so the API runs it in the thread pool and benchmarks call it directly."""

from __future__ import annotations

from collections.abc import Callable

from document_parser.parsing.collector import collector_paused
from document_parser.parsing.errors import TranscriptError
from document_parser.parsing.formats import READERS, detect_format
from document_parser.parsing.raw import Reading
from document_parser.parsing.segmentation import detected_order, segment
from document_parser.parsing.summary import build_summary
from document_parser.parsing.timing import check_times
from document_parser.parsing.utterances import build_utterances
from medgrade_shared.models.transcript import ParsedTranscript

# A 30-hour interview; far past any real transcript, and it bounds the work an input of
# millions of one-word lines can cause (each utterance costs tens of microseconds).
MAX_UTTERANCES = 100_000


def parse_transcript(text: str, fmt: str = "auto", summary_text: str | None = None) -> ParsedTranscript:
    """Parse ``text`` in format ``fmt`` (``auto``, ``text``, ``vtt``, ``srt``, ``json``); files
    (PDF, Word, text in any encoding) go through :func:`document_parser.parsing.uploads.parse_upload`.

    Raises :class:`TranscriptError` for input that is not a usable transcript.
    """
    if not text.strip():
        raise TranscriptError("empty_transcript", "The transcript is empty.")
    resolved = detect_format(text) if fmt == "auto" else fmt
    reader = READERS.get(resolved)
    if reader is None:
        raise TranscriptError("format_not_supported", f"Unknown transcript format {resolved!r}.")
    with collector_paused():
        return _parse(resolved, reader, text, summary_text)


def _parse(resolved: str, reader: Callable[[str], Reading], text: str, summary_text: str | None) -> ParsedTranscript:
    reading = reader(text)
    if not reading.utterances:
        raise TranscriptError("no_utterances", "No utterances were found in the transcript.")
    if len(reading.utterances) > MAX_UTTERANCES:
        raise TranscriptError("too_many_utterances", f"The transcript has more than {MAX_UTTERANCES} utterances.")
    check_times(reading.utterances)
    utterances, unstamped, inferred = build_utterances(reading.utterances)
    sections = segment(utterances)
    warnings = []
    if reading.roles_inferred:
        warnings.append("No speaker labels: the transcript is read as a monologue by the student.")
    elif inferred:
        warnings.append("No speaker is labelled as the interviewer: roles were inferred from who asks the questions.")
    if unstamped:
        warnings.append(f"{unstamped} utterance(s) had no time stamp; each starts when the one before it did.")
    if not any(u.role == "interviewer" for u in utterances):
        warnings.append("No interviewer was recognised among the speakers; sections use all non-patient speech.")
    return ParsedTranscript(
        format=resolved,
        utterances=utterances,
        sections=sections,
        detected_order=detected_order(sections),
        summary=build_summary(summary_text, utterances, sections),
        roles_inferred=reading.roles_inferred or inferred,
        warnings=warnings,
    )
